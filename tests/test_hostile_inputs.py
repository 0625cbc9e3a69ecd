"""Hostile and careless inputs: the record never changes or vanishes without the clerk knowing (issue 10).

One test per class of attack, each failing without its fix.
"""

from __future__ import annotations

import sqlite3

import pytest

from township_desk.models import db as dbm
from township_desk.models.errors import DatabaseUnavailable


def _files_in(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("version", [0, 1, 2, 3, 4])
def test_another_programs_sqlite_file_is_refused_and_left_byte_for_byte(tmp_path, version):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    with pytest.raises(DatabaseUnavailable, match="其他程序的数据库"):
        dbm.connect(path)

    assert path.read_bytes() == before
    assert _files_in(tmp_path) == ["other.db"]  # no .bak, no -wal, no -shm


def test_a_file_with_another_application_id_is_refused_even_with_ledger_tables(tmp_path):
    path = tmp_path / "ledger.db"
    dbm.connect(path).conn.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailable, match="其他程序的数据库"):
        dbm.connect(path)
    assert path.read_bytes() == before


def test_a_text_file_named_db_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(DatabaseUnavailable, match="不是本程序的数据库"):
        dbm.connect(path)
    assert path.read_text(encoding="utf-8") == "这不是数据库"


def test_a_new_database_is_stamped_and_has_an_identity_of_its_own(tmp_path):
    a = dbm.connect(tmp_path / "a.db")
    b = dbm.connect(tmp_path / "b.db")
    assert a.execute("PRAGMA application_id").fetchone()[0] == dbm.APPLICATION_ID
    assert len(dbm.database_uuid(a)) == 36 and dbm.database_uuid(a) != dbm.database_uuid(b)


def test_a_ledger_written_before_the_stamp_is_recognised_stamped_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    database = dbm.connect(path)
    database.execute("INSERT INTO villages (name) VALUES ('高桥村')")
    database.conn.close()
    conn = sqlite3.connect(path)
    conn.executescript("DROP TABLE ledger_identity; PRAGMA application_id = 0; PRAGMA user_version = 4;")
    conn.close()

    database = dbm.connect(path)
    assert database.execute("PRAGMA application_id").fetchone()[0] == dbm.APPLICATION_ID
    assert dbm.schema_version(database) == dbm.latest_version()
    assert [r[0] for r in database.execute("SELECT name FROM villages")] == ["高桥村"]
    assert dbm.database_uuid(database)


def test_a_ledger_whose_writer_was_killed_before_a_checkpoint_still_opens(tmp_path):
    # The stamp and the tables may still sit in the -wal file: the check reads through it.
    path = tmp_path / "fresh.db"
    database = dbm.connect(path)
    database.execute("INSERT INTO villages (name) VALUES ('碾子村')")
    wal_copy = path.with_name("fresh.db-wal").read_bytes()
    main_copy = path.read_bytes()
    database.conn.close()  # checkpoints; put back the state a kill would have left
    path.write_bytes(main_copy)
    path.with_name("fresh.db-wal").write_bytes(wal_copy)

    database = dbm.connect(path)
    assert [r[0] for r in database.execute("SELECT name FROM villages")] == ["碾子村"]
