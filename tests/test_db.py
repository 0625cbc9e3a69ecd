import sqlite3

import pytest

from township_desk.models import db as dbm
from township_desk.models.errors import AlreadyRunning, DatabaseUnavailable


def test_migrations_from_an_empty_file_reach_the_latest_version(db_path):
    database = dbm.connect(db_path)
    assert dbm.schema_version(database) == dbm.latest_version()
    assert {"elders", "villages", "supporters", "visits", "agreements", "audit_log"} <= set(database.table_names())
    assert database.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_data_and_applies_nothing(db_path):
    database = dbm.connect(db_path)
    database.execute("INSERT INTO villages(name) VALUES ('东风村')")
    database.close()
    again = dbm.connect(db_path)
    assert dbm.migrate_database(again, db_path) == []
    assert again.execute("SELECT name FROM villages").fetchall() == [("东风村",)]


def test_older_database_is_migrated_keeping_data_and_a_copy(db_path):
    conn = sqlite3.connect(db_path)
    import sqlite_utils

    from township_desk.models.migrations import load_step

    old = sqlite_utils.Database(conn)
    load_step(1).apply(old)
    conn.execute("INSERT INTO villages(name) VALUES ('西河村')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    database = dbm.connect(db_path)
    assert dbm.schema_version(database) == dbm.latest_version()
    assert database.execute("SELECT name FROM villages").fetchall() == [("西河村",)]
    assert list(db_path.parent.glob("ledger.db.before-v*.bak"))


def test_database_from_a_newer_version_is_refused_untouched(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseUnavailable, match="更新版本"):
        dbm.connect(db_path)
    assert db_path.read_bytes() == before


def test_foreign_sqlite_file_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices(x)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseUnavailable, match="其他程序"):
        dbm.connect(db_path)


def test_file_that_is_not_a_database_gets_a_chinese_message(db_path):
    db_path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    with pytest.raises(DatabaseUnavailable, match="不是本程序的数据库"):
        dbm.connect(db_path)


def test_second_lock_on_the_same_file_is_refused(db_path):
    first = dbm.InstanceLock(db_path)
    first.acquire()
    try:
        with pytest.raises(AlreadyRunning, match="另一个窗口"):
            dbm.InstanceLock(db_path).acquire()
    finally:
        first.release()
    with dbm.InstanceLock(db_path):
        pass


def test_backup_is_a_complete_consistent_copy(db, tmp_path):
    db.execute("INSERT INTO villages(name) VALUES ('东风村')")
    target = dbm.backup_to(db, tmp_path / "copy.db")
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT name FROM villages").fetchall() == [("东风村",)]
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
