"""The optional start-up password: scrypt with a random salt, stored in settings; never the password itself."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from township_desk.models import audit
from township_desk.models.errors import UserError

SETTING_KEY = "password_lock"
# scrypt cost: ~16 MB and well under a second on an office PC; stored with the hash so it can be raised later.
_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 4


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def _stored(db) -> dict[str, Any] | None:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [SETTING_KEY]).fetchone()
    if row is None:
        return None
    value = json.loads(row[0])
    return value if isinstance(value, dict) and value.get("hash") else None


def is_set(db) -> bool:
    """True when a start-up password is set."""
    return _stored(db) is not None


def verify(db, password: str) -> bool:
    """True when ``password`` matches (always True when none is set). Compared in constant time."""
    stored = _stored(db)
    if stored is None:
        return True
    derived = _derive(password, bytes.fromhex(stored["salt"]), int(stored["n"]), int(stored["r"]), int(stored["p"]))
    return hmac.compare_digest(derived, bytes.fromhex(stored["hash"]))


def set_password(db, new_password: str, old_password: str | None = None) -> None:
    """Set or change the password; changing needs the current one. Raises ``UserError`` in Chinese."""
    if is_set(db) and not verify(db, old_password or ""):
        raise UserError("原密码不正确，密码未修改。")
    if len(new_password) < MIN_LENGTH:
        raise UserError(f"新密码至少要 {MIN_LENGTH} 位。")
    salt = secrets.token_bytes(16)
    value = {"algorithm": "scrypt", "n": _N, "r": _R, "p": _P, "salt": salt.hex(),
             "hash": _derive(new_password, salt, _N, _R, _P).hex()}
    changed = is_set(db)
    with db.atomic():
        db.execute("INSERT INTO settings(key, value) VALUES (?, ?)"
                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value", [SETTING_KEY, json.dumps(value)])
        # The audit log says that it happened, never the hash.
        audit.record(db, "修改", "settings", None, "启动密码", SETTING_KEY, None, "已修改" if changed else "已设置")


def clear_password(db, old_password: str) -> None:
    """Remove the password; needs the current one."""
    if not is_set(db):
        return
    if not verify(db, old_password):
        raise UserError("原密码不正确，密码未清除。")
    with db.atomic():
        db.execute("DELETE FROM settings WHERE key = ?", [SETTING_KEY])
        audit.record(db, "修改", "settings", None, "启动密码", SETTING_KEY, "已设置", "已清除")
