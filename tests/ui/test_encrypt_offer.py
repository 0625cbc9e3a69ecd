"""A plain ledger with only the old window-only start-up password: at start, once the clerk typed it, the window
offers to encrypt the ledger with it — one click, in the background with progress, every row kept, the recovery
key shown — and the command line says what to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tests.conftest import VALID_IDS
from township_desk.models import cipher, elders, security
from township_desk.models import db as dbm
from township_desk.ui import lock_dialog
from township_desk.ui.context import AppContext

ROOT = Path(__file__).resolve().parents[2]
OLD_PASSWORD = "qingshan88"


@pytest.fixture(autouse=True)
def _forget_keys():
    cipher._unlocked.clear()
    yield
    cipher._unlocked.clear()


@pytest.fixture
def old_ledger(db_path) -> Path:
    import datetime as dt

    db = dbm.connect(db_path)
    for n in range(3):
        elders.save_elder(db, {"name": "张王李"[n] + "德福", "id_number": VALID_IDS[n], "village": "青山村"},
                          today=dt.date(2026, 11, 22))
    security.set_password(db, OLD_PASSWORD)
    db.close()
    return db_path


def rows(path: Path) -> dict:
    db = dbm.connect(path, migrate=False)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                           " AND name NOT LIKE 'sqlite_%' AND name NOT IN ('audit_log', 'settings')")]
        return {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    finally:
        db.close()


def when_shown(kind, act) -> None:
    def step() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(10, step)
            return
        act(dialog)
    QTimer.singleShot(10, step)


def test_the_old_start_up_password_is_turned_into_a_real_one_in_one_click_with_nothing_lost(
        qtbot, old_ledger, monkeypatch, tmp_path):
    before = rows(old_ledger)
    ctx = AppContext(old_ledger, dbm.connect(old_ledger))
    shown_keys: list[str] = []
    monkeypatch.setattr(lock_dialog.RecoveryKeyDialog, "exec", lambda self: shown_keys.append(self.recovery_key) or 0)

    def type_password(dialog) -> None:
        dialog.password.setText(OLD_PASSWORD)
        dialog.try_unlock()

    progress: list[bool] = []

    def click_encrypt(dialog) -> None:
        dialog.grab().save(str(tmp_path / "encrypt_offer.png"))
        if os.environ.get("TOWNSHIP_DESK_SCREENSHOTS"):
            dialog.grab().save(str(Path(os.environ["TOWNSHIP_DESK_SCREENSHOTS"]) / "encrypt_offer.png"))
        dialog.encrypt_button.click()
        progress.append(dialog.busy and not dialog.later_button.isEnabled())

    when_shown(lock_dialog.UnlockDialog, type_password)
    assert lock_dialog.unlock_if_needed(ctx) is True
    when_shown(lock_dialog.EncryptOfferDialog, click_encrypt)
    key = lock_dialog.offer_encryption(ctx)
    try:
        assert progress == [True]                      # in the background, the buttons held while it runs
        assert key and shown_keys == [key]             # the recovery key (and its sheet) offered at once
        assert cipher.is_encrypted(old_ledger) and not security.is_set(ctx.db)  # the old password is gone
        assert ctx.db.execute("SELECT count(*) FROM elders").fetchone()[0] == 3   # the window reads on
        assert getattr(ctx, "typed_start_password", None) is None              # not kept after the offer
    finally:
        ctx.db.close()
    cipher._unlocked.clear()                            # the next start: the same password opens it
    cipher.unlock(old_ledger, OLD_PASSWORD)
    assert rows(old_ledger) == before
    assert (tmp_path / "encrypt_offer.png").exists()


def test_later_leaves_the_ledger_as_it_was(qtbot, old_ledger):
    data = old_ledger.read_bytes()
    ctx = AppContext(old_ledger, dbm.connect(old_ledger))
    ctx.typed_start_password = OLD_PASSWORD
    when_shown(lock_dialog.EncryptOfferDialog, lambda dialog: dialog.later_button.click())
    try:
        assert lock_dialog.offer_encryption(ctx) is None
        assert security.is_set(ctx.db)
    finally:
        ctx.db.close()
    assert not cipher.is_encrypted(old_ledger) and not cipher.key_path(old_ledger).exists()
    assert old_ledger.read_bytes()[:16] == data[:16]


def test_the_window_offers_it_right_after_the_old_password_is_typed(qapp, old_ledger, monkeypatch):
    from township_desk import runtime
    from township_desk.ui import app as app_module

    monkeypatch.setattr(runtime, "enable_faulthandler", lambda: None)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    steps: list[str] = []

    class Stop(Exception):
        pass

    def typed(ctx, parent=None) -> bool:
        steps.append("asked")
        ctx.typed_start_password = OLD_PASSWORD
        return True

    def offered(ctx, parent=None):
        steps.append(f"offered {ctx.typed_start_password}")
        raise Stop

    monkeypatch.setattr(lock_dialog, "unlock_if_needed", typed)
    monkeypatch.setattr(lock_dialog, "offer_encryption", offered)
    with pytest.raises(Stop):
        app_module.run_window(str(old_ledger))
    assert steps == ["asked", f"offered {OLD_PASSWORD}"]
    with dbm.InstanceLock(old_ledger):  # given back
        pass


def test_the_command_line_says_the_old_password_does_not_encrypt_and_what_to_do(old_ledger):
    env = os.environ.copy()
    env.pop(cipher.ENV_PASSWORD, None)
    result = subprocess.run([sys.executable, "-m", "township_desk", "elders", "--db", str(old_ledger)], cwd=ROOT,
                            capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "张德福" in result.stdout
    hint = result.stderr.strip()
    assert hint.splitlines() == [hint]
    assert "旧的启动密码" in hint and "没有加密" in hint and "township-desk password set" in hint

    env["TOWNSHIP_DESK_NEW_PASSWORD"] = OLD_PASSWORD
    done = subprocess.run([sys.executable, "-m", "township_desk", "password", "set", "--db", str(old_ledger)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    env[cipher.ENV_PASSWORD] = OLD_PASSWORD
    after = subprocess.run([sys.executable, "-m", "township_desk", "elders", "--db", str(old_ledger)], cwd=ROOT,
                           capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert after.returncode == 0 and "张德福" in after.stdout and "旧的启动密码" not in after.stderr
