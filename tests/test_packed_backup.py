"""The backup of an encrypted ledger is compressed before it is encrypted (``packed_backup``): about the size of a
plain ledger's backup instead of several times it, never plain on disk, and restored row for row. Backups written
before (the SQLCipher copy stored as it is) still restore."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.test_cipher import PASSWORD, cli, everything
from township_desk.models import backups, cipher, protection
from township_desk.models import db as dbm


@pytest.fixture(autouse=True)
def _forget_keys():
    cipher._unlocked.clear()
    yield
    cipher._unlocked.clear()


@pytest.fixture(scope="module")
def township(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("演示") / "demo.db"
    result = cli("demo", "--db", str(path), "--elders", "150", "--seed", "7", "--as-of", "2026-10-31")
    assert result.returncode == 0, result.stderr
    return path


def _backup(path: Path, target: Path) -> Path:
    db = dbm.connect(path)
    try:
        return backups.backup(db, target)
    finally:
        db.close()


def _entry_bytes(zip_path: Path) -> bytes:
    with zipfile.ZipFile(zip_path) as zf:
        return zf.read(next(i for i in zf.infolist() if i.filename.endswith(".db")))


def test_an_encrypted_backup_is_about_as_small_as_a_plain_one_and_restores_row_for_row(township, tmp_path):
    ledger = tmp_path / "台账.db"
    shutil.copyfile(township, ledger)
    plain_size = _backup(ledger, tmp_path / "plain.zip").stat().st_size
    protection.set_password(ledger, PASSWORD)
    before = everything(ledger)
    packed = _backup(ledger, tmp_path / "enc.zip")
    stored = tmp_path / "stored.db"
    db = dbm.connect(ledger)
    dbm.backup_to(db, stored)  # what the backup held before: the encrypted copy itself
    db.close()

    assert packed.stat().st_size <= 1.5 * plain_size
    assert stored.stat().st_size >= 4 * packed.stat().st_size

    entry = (tmp_path / "entry.db")
    entry.write_bytes(_entry_bytes(packed))
    assert cipher.is_encrypted(entry)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(entry).execute("SELECT count(*) FROM sqlite_master").fetchone()

    cipher._unlocked.clear()
    target = tmp_path / "恢复的台账.db"
    backups.restore(target, packed, secret=PASSWORD)
    after = everything(target)
    assert cipher.is_encrypted(target)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items()
                                                                     if k != "audit_log"}
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
    for path in (ledger, target):
        cipher.unlock(path, PASSWORD)
    first, second = dbm.connect(ledger, migrate=False), dbm.connect(target, migrate=False)
    try:
        assert first.execute(schema).fetchall() == second.execute(schema).fetchall()  # indexes, triggers, view
    finally:
        first.close()
        second.close()


def test_an_encrypted_backup_written_before_packing_still_restores(township, tmp_path):
    ledger = tmp_path / "台账.db"
    shutil.copyfile(township, ledger)
    protection.set_password(ledger, PASSWORD)
    before = everything(ledger)
    db = dbm.connect(ledger)
    try:
        copy = dbm.backup_to(db, tmp_path / ".old.db.part")
        conn = cipher.open_encrypted(str(copy), db.conn.root, cipher.file_salt(copy))
        facts = backups._facts(conn)
        facts["indexes"] = backups._drop_indexes(conn)
        conn.close()
        facts.update(kind="manual", taken_at="2026-10-31 18:00:00", database_bytes=copy.stat().st_size,
                     encrypted=True)
        old = tmp_path / "old.zip"
        backups._zip_database(copy, old, "old.db", facts, cipher.envelopes_of(db))
    finally:
        db.close()
    cipher._unlocked.clear()
    target = tmp_path / "恢复的台账.db"
    backups.restore(target, old, secret=PASSWORD)
    after = everything(target)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items()
                                                                     if k != "audit_log"}


def test_older_plain_backups_encrypted_when_a_password_is_set_are_packed_too(township, tmp_path):
    ledger = tmp_path / "台账.db"
    shutil.copyfile(township, ledger)
    before = everything(ledger)
    db = dbm.connect(ledger)
    old = backups.daily_backup_if_due(db, ledger).path
    db.close()
    plain_size = old.stat().st_size
    protection.set_password(ledger, PASSWORD)
    assert backups.inspect_backup(old).encrypted and old.stat().st_size <= 1.5 * plain_size
    cipher._unlocked.clear()
    target = tmp_path / "恢复的台账.db"
    backups.restore(target, old, secret=PASSWORD)
    after = everything(target)
    keep = ("audit_log", "settings")  # the password set after the backup was taken is not in it
    assert {k: v for k, v in after.items() if k not in keep} == {k: v for k, v in before.items() if k not in keep}
