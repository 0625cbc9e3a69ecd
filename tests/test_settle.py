"""Folding the write-ahead log before a ledger's file is replaced (setting a password, restoring a backup) is one
helper, ``db.settle``, with the error policy as a parameter: another program holding the file is a Chinese message
naming what did not happen; a damaged file stops a password change (its log is kept) but not a restore (its raw
bytes are kept first)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import VALID_IDS
from township_desk.models import backups, cipher, protection
from township_desk.models import db as dbm
from township_desk.models.errors import DatabaseUnavailable, UserError

HOLDER = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE settings SET value = value")
print("holding", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


@pytest.fixture
def ledger(db_path) -> Path:
    import datetime as dt

    from township_desk.models import elders

    db = dbm.connect(db_path)
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "东风村"},
                      today=dt.date(2026, 11, 22))
    db.close()
    return db_path


@pytest.fixture
def held(ledger):
    """Another program (a command-line import, say) in the middle of writing the ledger."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(ledger)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, encoding="utf-8")
    assert holder.stdout.readline().strip() == "holding"
    yield ledger
    holder.communicate("\n", timeout=30)


@pytest.fixture(autouse=True)
def _short_wait(monkeypatch):
    monkeypatch.setattr(dbm, "BUSY_TIMEOUT_MS", 300)


def test_setting_a_password_while_another_program_writes_says_so_and_changes_nothing(held):
    before = held.read_bytes()
    with pytest.raises(UserError, match="^台账正被其他窗口或程序使用，设置密码未完成，台账未改动。"):
        protection.set_password(held, "青山abcd1234")
    assert not cipher.is_encrypted(held) and held.read_bytes() == before
    assert not cipher.key_path(held).exists()
    assert sorted(p.name for p in held.parent.iterdir() if p.name.startswith(".")) == []  # no re-keyed copy left


def test_restoring_while_another_program_writes_says_so_and_changes_nothing(ledger, tmp_path):
    db = dbm.connect(ledger)
    saved = backups.backup(db, tmp_path / "备份.db")
    db.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(ledger)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(UserError, match="^数据库正被其他窗口或程序使用，无法恢复。"):
            backups.restore(ledger, saved)
    finally:
        holder.communicate("\n", timeout=30)
    assert not any(p.name.endswith(".restore") for p in ledger.parent.iterdir())


def _damaged(path: Path) -> bytes:
    """A file whose header says SQLite but whose pages are not."""
    data = b"SQLite format 3\x00" + b"\x10\x00\x02\x02" + b"\xee" * 8172
    path.write_bytes(data)
    return data


def test_a_damaged_ledger_stops_setting_a_password_and_stays_as_it_was(tmp_path):
    path = tmp_path / "坏的.db"
    data = _damaged(path)
    with pytest.raises(DatabaseUnavailable, match="损坏"):
        protection.set_password(path, "青山abcd1234")
    assert path.read_bytes() == data and not cipher.key_path(path).exists()


def test_settle_goes_on_over_a_damaged_file_only_when_told_to(tmp_path):
    import sqlite3

    path = tmp_path / "坏的.db"
    _damaged(path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database|malformed"):
        dbm.settle(path, lambda: sqlite3.connect(str(path)), busy="忙", damaged_raises=True)
    path.with_name(path.name + "-shm").write_bytes(b"\x00" * 64)
    dbm.settle(path, lambda: sqlite3.connect(str(path)), busy="忙", damaged_raises=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["坏的.db"]
