"""The password prompt at start-up and the 设置 dialog to set/change/clear it, driven as the clerk would."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from township_desk.models import security
from township_desk.ui import lock_dialog
from township_desk.ui.context import AppContext


def answer_prompt(texts: list[str]) -> None:
    """Type each text into the open prompt and press 进入, one after another."""
    def step() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, lock_dialog.UnlockDialog) and w.isVisible()), None)
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


def test_no_password_opens_without_asking(qtbot, db, db_path):
    ctx = AppContext(db_path, db)
    assert lock_dialog.unlock_if_needed(ctx) is True


def test_right_password_after_a_wrong_one_opens(qtbot, db, db_path):
    security.set_password(db, "abcd")
    ctx = AppContext(db_path, db)
    answer_prompt(["wrong", "abcd"])
    assert lock_dialog.unlock_if_needed(ctx) is True


def test_three_wrong_tries_refuse(qtbot, db, db_path):
    security.set_password(db, "abcd")
    ctx = AppContext(db_path, db)
    answer_prompt(["a1", "b2", "c3"])
    assert lock_dialog.unlock_if_needed(ctx) is False


def test_wrong_try_says_how_many_are_left(qtbot, db):
    security.set_password(db, "abcd")
    dialog = lock_dialog.UnlockDialog(db)
    qtbot.addWidget(dialog)
    dialog.password.setText("x")
    dialog.try_unlock()
    assert "还可以再试 2 次" in dialog.message.text()
    assert dialog.password.text() == ""


def test_setup_dialog_sets_then_changes_with_the_old_password(qtbot, db, db_path):
    ctx = AppContext(db_path, db)
    dialog = lock_dialog.PasswordSetupDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.new.setText("abcd")
    dialog.repeat.setText("abce")
    dialog.save()
    assert "不一致" in dialog.message.text() and not security.is_set(db)
    dialog.repeat.setText("abcd")
    dialog.save()
    assert security.verify(db, "abcd")

    change = lock_dialog.PasswordSetupDialog(ctx)
    qtbot.addWidget(change)
    change.old.setText("bad")
    change.new.setText("wxyz")
    change.repeat.setText("wxyz")
    change.save()
    assert "原密码不正确" in change.message.text() and security.verify(db, "abcd")
    change.old.setText("abcd")
    change.save()
    assert security.verify(db, "wxyz")


def test_setup_dialog_clears_with_the_old_password(qtbot, db, db_path, monkeypatch):
    security.set_password(db, "abcd")
    ctx = AppContext(db_path, db)
    dialog = lock_dialog.PasswordSetupDialog(ctx)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.old.setText("abcd")
    dialog.clear()
    assert not security.is_set(db)


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
