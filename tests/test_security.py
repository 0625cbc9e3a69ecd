"""The start-up password: stored as a salted scrypt hash, checked, changed and cleared only with the old one."""

from __future__ import annotations

import json

import pytest

from township_desk.models import security
from township_desk.models.errors import UserError


def test_no_password_means_everything_unlocks(db):
    assert not security.is_set(db)
    assert security.verify(db, "")


def test_password_is_stored_as_a_salted_hash_never_in_clear(db):
    security.set_password(db, "青山1234")
    raw = db.execute("SELECT value FROM settings WHERE key = ?", [security.SETTING_KEY]).fetchone()[0]
    assert "青山1234" not in raw
    stored = json.loads(raw)
    assert stored["algorithm"] == "scrypt" and len(bytes.fromhex(stored["salt"])) == 16
    assert security.verify(db, "青山1234")
    assert not security.verify(db, "青山1235")


def test_same_password_twice_gets_a_different_salt_and_hash(db, tmp_path):
    from township_desk.models import db as dbm

    other = dbm.connect(tmp_path / "other.db")
    security.set_password(db, "abcd")
    security.set_password(other, "abcd")
    a = db.execute("SELECT value FROM settings WHERE key = ?", [security.SETTING_KEY]).fetchone()[0]
    b = other.execute("SELECT value FROM settings WHERE key = ?", [security.SETTING_KEY]).fetchone()[0]
    other.close()
    assert json.loads(a)["hash"] != json.loads(b)["hash"]


def test_changing_needs_the_old_password(db):
    security.set_password(db, "abcd")
    with pytest.raises(UserError, match="原密码不正确"):
        security.set_password(db, "efgh", "wrong")
    assert security.verify(db, "abcd")
    security.set_password(db, "efgh", "abcd")
    assert security.verify(db, "efgh") and not security.verify(db, "abcd")


def test_too_short_password_is_refused(db):
    with pytest.raises(UserError, match="至少"):
        security.set_password(db, "ab")
    assert not security.is_set(db)


def test_clearing_needs_the_old_password_and_is_audited_without_the_hash(db):
    security.set_password(db, "abcd")
    with pytest.raises(UserError):
        security.clear_password(db, "nope")
    assert security.is_set(db)
    security.clear_password(db, "abcd")
    assert not security.is_set(db)
    log = db.execute("SELECT old_value, new_value FROM audit_log WHERE field = ?", [security.SETTING_KEY]).fetchall()
    assert log == [(None, "已设置"), ("已设置", "已清除")]
