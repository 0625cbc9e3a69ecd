"""The ledger's password, as the clerk sees it: set (the ledger and its backups are encrypted, a recovery key is
made), change, remove. The window (设置 → 台账密码) and ``township-desk password`` call these; the encryption
itself is ``cipher``.

Each needs every connection to the ledger closed first (the file is replaced by a re-keyed copy); afterwards
the ledger is unlocked in this process, so ``db.connect`` opens it again without asking.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from township_desk.models import audit, backups, cipher, security
from township_desk.models import db as dbm
from township_desk.models.errors import UserError

FORGOTTEN_WARNING = ("设置密码后，台账和它的备份都会加密：没有密码，任何人（包括技术人员）都打不开。"
                     "忘记密码又丢了恢复单，数据就再也找不回来。请务必打印恢复单，锁在柜子里，不要和电脑放在一起。")


def is_set(db_path: str | Path) -> bool:
    """True when the ledger at ``db_path`` is encrypted (has a password)."""
    return cipher.is_encrypted(db_path)


def _record(db_path: Path, label: str, new: str) -> None:
    db = dbm.connect(db_path)
    try:
        with db.atomic():
            if label == "台账密码":  # the old window-only password is replaced by the real one
                db.execute("DELETE FROM settings WHERE key = ?", [security.SETTING_KEY])
            audit.record(db, "修改", "settings", None, label, None, None, new)
    finally:
        db.close()


def _guarded(action, db_path: Path, what: str):
    try:
        with backups._busy:  # never while an automatic backup reads the file
            return action()
    except OSError as exc:
        raise UserError(f"台账文件正被其他程序占用或无法写入（{exc.strerror or exc}），{what}未完成，台账未改动。") from exc
    except sqlite3.Error as exc:
        raise dbm.explain(exc, db_path) from exc


def set_password(db_path: str | Path, new_password: str, progress=None) -> str:
    """Encrypt the ledger with ``new_password`` and its plain backups with it; returns the recovery key.
    ``progress(done, total, text)`` is told as the backups are encrypted."""
    db_path = Path(db_path)
    recovery = _guarded(lambda: cipher.set_password(db_path, new_password), db_path, "设置密码")
    _record(db_path, "台账密码", "已设置，台账已加密")
    db = dbm.connect(db_path)
    try:
        backups.encrypt_plain_backups(db, db_path, progress)
    finally:
        db.close()
    return recovery


def change_password(db_path: str | Path, old_secret: str, new_password: str) -> None:
    """Change the password (``old_secret``: the current password or the recovery key); the recovery key stays."""
    db_path = Path(db_path)
    _guarded(lambda: cipher.change_password(db_path, old_secret, new_password), db_path, "修改密码")
    _record(db_path, "台账密码", "已修改（恢复密钥不变）")


def remove_password(db_path: str | Path, old_secret: str) -> None:
    """Remove the password: the ledger becomes a plain file again. Backups already encrypted stay encrypted with
    their own key (the password they were taken under, or the recovery key)."""
    db_path = Path(db_path)
    _guarded(lambda: cipher.remove_password(db_path, old_secret), db_path, "清除密码")
    _record(db_path, "台账密码", "已清除，台账不再加密")
