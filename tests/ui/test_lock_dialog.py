"""The password asked before an encrypted ledger opens, the 设置 dialog that sets/changes/clears it (re-keying
the real file), the recovery key dialog and sheet, and the old window-only start-up password of a plain ledger."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from township_desk.models import cipher, protection, security
from township_desk.models import db as dbm
from township_desk.ui import lock_dialog
from township_desk.ui.context import AppContext


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    monkeypatch.setattr(cipher, "WRONG_PASSWORD_DELAY", 0)
    yield
    cipher._unlocked.clear()


def answer_prompt(kind, texts: list[str]) -> None:
    """Type each text into the open prompt of ``kind`` and press its button, one after another."""
    def step() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(10, step)
            return
        if not texts:
            return
        dialog.password.setText(texts.pop(0))
        dialog.try_unlock()
        if texts:
            QTimer.singleShot(10, step)
    QTimer.singleShot(10, step)


def encrypted_ledger(db_path, password="abcd1234") -> str:
    dbm.connect(db_path).close()
    key = protection.set_password(db_path, password)
    cipher._unlocked.clear()  # as a new start of the program
    return key


def test_a_plain_ledger_opens_without_asking(qtbot, db_path):
    dbm.connect(db_path).close()
    assert lock_dialog.unlock_ledger_if_needed(db_path) is True


def test_right_password_after_a_wrong_one_opens_and_the_wrong_one_is_logged(qtbot, db_path):
    encrypted_ledger(db_path)
    with pytest.raises(cipher.PasswordRequired):
        dbm.connect(db_path)
    answer_prompt(lock_dialog.LedgerUnlockDialog, ["wrong", "abcd1234"])
    assert lock_dialog.unlock_ledger_if_needed(db_path) is True
    from township_desk.ui.app import open_context

    ctx = open_context(db_path)
    try:
        rows = ctx.db.execute("SELECT action, record_label FROM audit_log WHERE action = '密码错误'").fetchall()
    finally:
        ctx.db.close()
    assert rows == [("密码错误", "窗口输入的密码不正确")]


def test_five_wrong_tries_refuse(qtbot, db_path):
    encrypted_ledger(db_path)
    answer_prompt(lock_dialog.LedgerUnlockDialog, ["a1", "b2", "c3", "d4", "e5"])
    assert lock_dialog.unlock_ledger_if_needed(db_path) is False
    assert cipher.remembered(db_path) is None


def test_wrong_try_says_so_and_how_many_are_left(qtbot, db_path):
    encrypted_ledger(db_path)
    dialog = lock_dialog.LedgerUnlockDialog(db_path)
    qtbot.addWidget(dialog)
    dialog.password.setText("x")
    dialog.try_unlock()
    assert "密码不正确" in dialog.message.text() and "还可以再试 4 次" in dialog.message.text()
    assert dialog.password.text() == ""


def test_the_recovery_key_opens_in_place_of_the_password(qtbot, db_path, monkeypatch):
    key = encrypted_ledger(db_path)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    answer_prompt(lock_dialog.LedgerUnlockDialog, [key.replace("-", " ").lower()])
    assert lock_dialog.unlock_ledger_if_needed(db_path) is True
    assert "已用恢复密钥打开" in told[0] and "设置一个新密码" in told[0]


def set_through_dialog(qtbot, ctx, monkeypatch, password="abcd1234"):
    shown = []
    monkeypatch.setattr(lock_dialog.RecoveryKeyDialog, "exec", lambda self: shown.append(self) or 0)
    dialog = lock_dialog.PasswordSetupDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.clear_button.isVisible() and dialog.understood.isVisible()  # nothing to clear yet
    dialog.new.setText(password)
    dialog.repeat.setText(password + "x")
    dialog.save()
    assert "不一致" in dialog.message.text() and not cipher.is_encrypted(ctx.db_path)
    dialog.repeat.setText(password)
    dialog.save()
    assert "请先勾选" in dialog.message.text() and not cipher.is_encrypted(ctx.db_path)
    dialog.understood.setChecked(True)
    dialog.save()  # in the background: the window's connection is closed meanwhile
    assert dialog.busy and not dialog.new.isEnabled()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60000)
    return shown


def test_setting_encrypts_the_open_ledger_and_shows_the_recovery_key(qtbot, db, db_path, monkeypatch):
    from township_desk.models import villages

    with db.atomic():
        villages.village_id(db, "青山村", create=True)
    ctx = AppContext(db_path, db)
    before = ctx.db.execute("SELECT count(*) FROM villages").fetchone()[0]
    shown = set_through_dialog(qtbot, ctx, monkeypatch)
    assert cipher.is_encrypted(db_path)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db_path).execute("SELECT count(*) FROM villages").fetchone()
    # the window goes on with a fresh connection to the encrypted file
    assert ctx.db.execute("SELECT count(*) FROM villages").fetchone()[0] == before
    assert len(shown) == 1 and cipher.parse_recovery_key(shown[0].recovery_key) is not None
    ctx.db.close()


def test_changing_needs_the_current_password_and_clearing_makes_it_plain(qtbot, db, db_path, monkeypatch):
    ctx = AppContext(db_path, db)
    set_through_dialog(qtbot, ctx, monkeypatch)
    change = lock_dialog.PasswordSetupDialog(ctx)
    qtbot.addWidget(change)
    change.show()
    assert change.clear_button.isVisible() and not change.understood.isVisible()
    change.old.setText("bad")
    change.new.setText("wxyz9876")
    change.repeat.setText("wxyz9876")
    change.save()
    qtbot.waitUntil(lambda: not change.busy, timeout=60000)
    assert "原密码不正确" in change.message.text() and change.new.isEnabled()
    assert ctx.db.execute("SELECT count(*) FROM villages").fetchone() is not None  # reopened after the refusal
    change.old.setText("abcd1234")
    change.save()
    qtbot.waitUntil(lambda: not change.busy, timeout=60000)
    cipher._unlocked.clear()
    with pytest.raises(cipher.WrongPassword):
        cipher.unlock(db_path, "abcd1234")
    cipher.unlock(db_path, "wxyz9876")

    clear = lock_dialog.PasswordSetupDialog(ctx)
    qtbot.addWidget(clear)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    clear.old.setText("wxyz9876")
    clear.clear()
    qtbot.waitUntil(lambda: not clear.busy, timeout=60000)
    assert not cipher.is_encrypted(db_path) and not cipher.key_path(db_path).exists()
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM villages").fetchone() is not None
    ctx.db.close()


def test_the_recovery_key_dialog_saves_the_sheet(qtbot, db, db_path, tmp_path, monkeypatch):
    from docx import Document

    ctx = AppContext(db_path, db)
    shown = set_through_dialog(qtbot, ctx, monkeypatch)
    dialog = shown[0]
    qtbot.addWidget(dialog)
    dialog.save_sheet(str(tmp_path / "恢复单"))
    assert dialog.saved == tmp_path / "恢复单.docx"
    text = "\n".join(p.text for p in Document(str(dialog.saved)).paragraphs)
    cells = "".join(p.text for p in Document(str(dialog.saved)).tables[0].cell(0, 0).paragraphs)
    assert cells == dialog.recovery_key
    assert "忘记密码时" in text and "保管人（签字）" in text
    assert "请打印后删除" in dialog.message.text()
    ctx.db.close()


def test_old_start_up_password_of_a_plain_ledger_is_still_asked(qtbot, db, db_path):
    security.set_password(db, "abcd")
    ctx = AppContext(db_path, db)
    answer_prompt(lock_dialog.UnlockDialog, ["wrong", "abcd"])
    assert lock_dialog.unlock_if_needed(ctx) is True
    dialog = lock_dialog.UnlockDialog(db)
    qtbot.addWidget(dialog)
    dialog.password.setText("x")
    dialog.try_unlock()
    assert "还可以再试 2 次" in dialog.message.text()


def test_setting_a_real_password_replaces_the_old_start_up_password(qtbot, db, db_path, monkeypatch):
    security.set_password(db, "abcd")
    ctx = AppContext(db_path, db)
    assert "旧的启动密码" in lock_dialog.describe(ctx)[0]
    set_through_dialog(qtbot, ctx, monkeypatch)
    assert not security.is_set(ctx.db)
    assert lock_dialog.describe(ctx)[0].startswith("已设置密码")
    ctx.db.close()


def test_smoke_timer_quits_the_application_when_asked(qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from township_desk.ui import smoke

    app = QApplication.instance()
    quits = []
    monkeypatch.setattr(app, "quit", lambda: quits.append(True))
    monkeypatch.delenv(smoke.ENV, raising=False)
    assert smoke.arm(app) is False
    monkeypatch.setenv(smoke.ENV, "0.05")
    assert smoke.arm(app) is True
    qtbot.waitUntil(lambda: quits == [True], timeout=3000)


def test_a_file_without_its_key_file_is_asked_only_for_the_recovery_key(qtbot, db_path):
    key = encrypted_ledger(db_path)
    cipher.key_path(db_path).unlink()
    dialog = lock_dialog.LedgerUnlockDialog(db_path)
    qtbot.addWidget(dialog)
    assert "没有它的密钥文件" in dialog.findChildren(lock_dialog.QLabel)[0].text()
    dialog.password.setText("abcd1234")
    dialog.try_unlock()
    assert "恢复密钥" in dialog.message.text() and cipher.remembered(db_path) is None
    dialog.password.setText(key)
    dialog.try_unlock()
    assert dialog.result() == lock_dialog.QDialog.DialogCode.Accepted and cipher.remembered(db_path) is not None
