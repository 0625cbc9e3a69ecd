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


# ---------------------------------------------------------------- stored photo and scan paths stay in the data folder


@pytest.mark.parametrize("stored", ["../ledger.db", "2026/../../outside.jpg", "/etc/passwd", "C:\\Windows\\win.ini",
                                    "\\\\server\\share\\a.jpg", "C:a.jpg", "a\x00.jpg", ""])
def test_a_stored_path_leading_out_of_its_folder_is_refused(tmp_path, stored):
    from township_desk.models.errors import UserError
    from township_desk.models.files import confined_path

    folder = tmp_path / "photos"
    folder.mkdir()
    with pytest.raises(UserError, match="照片路径"):
        confined_path(stored, folder, what="照片")


def test_a_symlink_inside_the_folder_leading_out_is_refused(tmp_path):
    from township_desk.models.errors import UserError
    from township_desk.models.files import confined_path

    folder = tmp_path / "photos"
    (folder / "2026").mkdir(parents=True)
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"x")
    (folder / "2026" / "a.jpg").symlink_to(secret)
    (folder / "link").symlink_to(tmp_path)
    for stored in ("2026/a.jpg", "link/secret.jpg"):
        with pytest.raises(UserError, match="指向数据文件夹.*以外，已拒绝打开"):
            confined_path(stored, folder, what="照片")
    (folder / "2026" / "b.jpg").write_bytes(b"y")
    assert confined_path("2026/b.jpg", folder) == (folder / "2026" / "b.jpg").resolve()


def _crafted_visit_photo(path):
    """A ledger (as from a crafted backup) whose visit photo row points outside the photos folder."""
    from tests.conftest import VALID_IDS
    from township_desk.models import elders, villages

    database = dbm.connect(path)
    villages.save_village(database, {"name": "青山村"})
    elder = elders.save_elder(database, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村",
                                         "entered_on": "2026-01-05"}).elder_id
    visit = database.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, '2026-11-20', '上门',"
                             " '王村官')", [elder]).lastrowid
    database.execute("INSERT INTO visit_photos(visit_id, path) VALUES (?, '../../../etc/passwd')", [visit])
    return database, visit


def test_a_visit_photo_outside_the_photos_folder_is_refused_and_never_printed(tmp_path):
    from township_desk.models import visits
    from township_desk.models.errors import UserError
    from township_desk.printing import documents

    database, visit = _crafted_visit_photo(tmp_path / "v.db")
    (stored,) = visits.get_visit(database, visit)["photos"]
    with pytest.raises(UserError, match="照片路径“../../../etc/passwd”指向数据文件夹"):
        visits.photo_file(stored)
    assert documents.visit_form_context(database, visit_id=visit)["photo_path"] is None
    database.close()


def test_an_agreement_scan_outside_the_agreements_folder_is_refused(tmp_path):
    from township_desk.models import agreements, paths
    from township_desk.models.errors import UserError

    (paths.data_dir() / "agreements").mkdir(exist_ok=True)
    (paths.data_dir() / "agreements" / "协议1.pdf").write_bytes(b"%PDF")
    assert agreements.scan_file({"scan_path": "agreements/协议1.pdf"}) == \
        (paths.data_dir() / "agreements" / "协议1.pdf").resolve()
    for stored in ("../../home/clerk/私人.pdf", "township_desk.db", "/etc/passwd", "agreements/../photos/x.pdf"):
        with pytest.raises(UserError, match="扫描件路径"):
            agreements.scan_file({"scan_path": stored})
