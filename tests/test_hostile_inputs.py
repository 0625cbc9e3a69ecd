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


# ---------------------------------------------------------------------------------------------- helpers for the CLI

def _cli(capsys, *argv):
    """Run the command line in this process: (exit code, stdout, stderr)."""
    from township_desk.cli import main

    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse ends the process itself (after its one line)
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _one_chinese_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]), err
    return lines[0]


@pytest.fixture(scope="module")
def _demo_template(tmp_path_factory):
    from township_desk.cli import main

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "template.db"
    assert main(["demo", "--db", str(path), "--elders", "20", "--as-of", "2026-11-01"]) == 0
    return path


@pytest.fixture
def ledger(tmp_path, _demo_template):
    """A small demo ledger of our own in tmp_path (closed, checkpointed)."""
    import shutil

    path = tmp_path / "v.db"
    shutil.copyfile(_demo_template, path)
    return path


def _fingerprint(path):
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("SELECT count(*) FROM elders").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0], path.read_bytes()[:16])
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------- output paths

_WRITERS = {
    "print": ["print", "roster", "--village", "高桥村"],
    "export-monthly": ["export-monthly", "--month", "2026-10"],
    "backup": ["backup"],
    "combine": ["combine", "x.xlsx"],
}


@pytest.mark.parametrize("command", sorted(_WRITERS))
@pytest.mark.parametrize("alias", ["same-name", "hard-link", "symlink", "wal", "shm", "lock", "folder"])
def test_an_output_path_that_is_the_database_or_beside_it_or_a_folder_is_refused_and_nothing_written(
        capsys, tmp_path, ledger, command, alias):
    import os

    targets = {"same-name": ledger, "hard-link": tmp_path / "link.db", "symlink": tmp_path / "soft.db",
               "wal": tmp_path / "v.db-wal", "shm": tmp_path / "v.db-shm", "lock": tmp_path / "v.db.lock",
               "folder": tmp_path / "out"}
    target = targets[alias]
    if alias == "hard-link":
        os.link(ledger, target)
    elif alias == "symlink":
        target.symlink_to(ledger)
    elif alias == "folder":
        target.mkdir()
    before = _fingerprint(ledger)
    files_before = _files_in(tmp_path)

    code, out, err = _cli(capsys, *_WRITERS[command], "--db", ledger, "-o", target)

    assert code == 2
    line = _one_chinese_line(err)
    assert ("文件夹" in line) if alias == "folder" else ("台账" in line)
    assert _fingerprint(ledger) == before
    assert _files_in(tmp_path) == files_before


def test_check_output_path_accepts_an_ordinary_new_file_beside_the_database(tmp_path, ledger):
    from township_desk.models.files import check_output_path

    assert check_output_path(tmp_path / "花名册.docx", ledger) == tmp_path / "花名册.docx"
    assert check_output_path(tmp_path / "v.db.bak", ledger) == tmp_path / "v.db.bak"


# ---------------------------------------------------------------------------------------------- one window per file

@pytest.mark.parametrize("alias", ["hard-link", "symlink", "dotted-path"])
def test_a_second_window_through_another_name_of_the_same_file_is_refused(tmp_path, ledger, alias):
    import os

    from township_desk.models.errors import AlreadyRunning

    other = {"hard-link": tmp_path / "link.db", "symlink": tmp_path / "soft.db",
             "dotted-path": tmp_path / "sub" / ".." / "v.db"}[alias]
    if alias == "hard-link":
        os.link(ledger, other)
    elif alias == "symlink":
        other.symlink_to(ledger)
    else:
        (tmp_path / "sub").mkdir()
    first = dbm.InstanceLock(ledger)
    first.acquire()
    try:
        with pytest.raises(AlreadyRunning, match="另一个窗口"):
            dbm.InstanceLock(other).acquire()
    finally:
        first.release()
    with dbm.InstanceLock(other):  # free again once the first window has closed
        pass


def test_a_new_database_gets_its_identity_lock_once_it_exists(tmp_path):
    import os

    from township_desk.models.errors import AlreadyRunning

    path = tmp_path / "new.db"
    lock = dbm.InstanceLock(path)
    lock.acquire()
    try:
        dbm.connect(path).close()
        lock.lock_identity()
        os.link(path, tmp_path / "alias.db")
        with pytest.raises(AlreadyRunning):
            dbm.InstanceLock(tmp_path / "alias.db").acquire()
    finally:
        lock.release()


# ---------------------------------------------------------------------------------------------- dry runs create nothing

def _ledger_workbook(path, people: int = 1):
    import openpyxl
    from conftest import make_id

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "青山村"
    ws.append(["姓名", "身份证号码", "性别"])
    for n in range(people):
        ws.append(["张王李赵刘陈杨黄周吴"[n % 10] + "德福春明秀英桂兰国强"[n // 10 % 10] + "华平芳军"[n // 100],
                   make_id("19450312", 2 * n + 1), "男"])
    wb.save(path)
    return path


def test_a_dry_run_import_creates_no_database(capsys, tmp_path):
    book = _ledger_workbook(tmp_path / "台账.xlsx")
    code, out, err = _cli(capsys, "import-ledger", book, "--dry-run", "--db", tmp_path / "new.db", "--json")
    assert code == 0, err
    assert '"imported": 1' in out
    assert _files_in(tmp_path) == ["台账.xlsx"]


def test_a_dry_run_import_does_not_migrate_an_older_ledger(capsys, tmp_path, ledger):
    conn = sqlite3.connect(ledger)
    conn.executescript("DROP TABLE ledger_identity; PRAGMA application_id = 0; PRAGMA user_version = 4;")
    conn.close()
    before = ledger.read_bytes()
    book = _ledger_workbook(tmp_path / "台账.xlsx")

    code, out, err = _cli(capsys, "import-ledger", book, "--dry-run", "--db", ledger)

    assert code == 0, err
    assert "试导入" in out
    assert ledger.read_bytes() == before
    assert _files_in(tmp_path) == ["v.db", "台账.xlsx"]  # no .before-v5.bak, no -wal


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "2026-13-01"])
def test_a_refused_demo_leaves_no_file(capsys, tmp_path, as_of):
    code, out, err = _cli(capsys, "demo", "--db", tmp_path / "demo.db", "--elders", "5", "--as-of", as_of)
    assert code == 2
    _one_chinese_line(err)
    assert _files_in(tmp_path) == []


def test_a_command_that_fails_after_making_a_new_database_removes_it_again(capsys, tmp_path, monkeypatch):
    from township_desk.models import demo
    from township_desk.models.errors import UserError

    def refuse(*args, **kwargs):
        raise UserError("年份 1900 超出农历换算范围（1901–2099）")

    monkeypatch.setattr(demo, "generate", refuse)
    code, out, err = _cli(capsys, "demo", "--db", tmp_path / "demo.db", "--elders", "5")
    assert code == 2
    assert _files_in(tmp_path) == []


# ---------------------------------------------------------------------------------------------- killed jobs' files

def test_temporary_files_of_killed_jobs_are_removed_at_start_and_the_clerks_files_kept(capsys, tmp_path, ledger,
                                                                                       monkeypatch):
    import os
    import subprocess
    import sys
    import tempfile
    import time

    from township_desk.models import paths

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    old = time.time() - 3600
    sqlite_bytes = ledger.read_bytes()[:4096]
    stale = [tmp_path / f".花名册.{dead.pid}.tmp.docx", paths.data_dir() / f".月报.{dead.pid}.tmp.xlsx",
             paths.backups_dir() / "v_20261101-080000_daily.db.part", tmp_path / ".v.db.restoring",
             paths.backups_dir() / "v_20261101-080000_daily.zip.part"]
    for path in stale:
        path.write_bytes(sqlite_bytes if not path.name.endswith((".docx", ".xlsx", ".zip.part")) else b"PK\x03\x04 ids")
        os.utime(path, (old, old))
    system_temp = tmp_path / "系统临时"
    unpacked = system_temp / "township-desk-check-k3j_x9a2"
    unpacked.mkdir(parents=True)
    (unpacked / "v.db").write_bytes(sqlite_bytes)
    for path in (unpacked / "v.db", unpacked):
        os.utime(path, (old, old))
    others = system_temp / "tmp12345"  # another program's temporary folder
    others.mkdir()
    os.utime(others, (old, old))
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    kept = [tmp_path / f".花名册.{os.getpid()}.tmp.docx",         # a job of a running process
            tmp_path / "v.db.before-v5.bak",                      # a kept copy, not temporary
            tmp_path / "会议记录.part",                            # the clerk's own file, not SQLite
            tmp_path / "下载中.db.part"]                            # written to a moment ago
    for path in kept:
        path.write_bytes(sqlite_bytes if path.suffix in (".bak",) or path.name == "下载中.db.part" else b"notes")
    os.utime(kept[2], (old, old))

    code, out, err = _cli(capsys, "elders", "--db", ledger)

    assert code == 0, err
    assert not any(p.exists() for p in stale) and not unpacked.exists()
    assert all(p.exists() for p in kept) and others.exists()


# ---------------------------------------------------------------------------------------------- no traceback ever

@pytest.mark.parametrize("argv", [
    ["export-monthly", "--month", "9999-12", "-o", "{tmp}/m.xlsx"],
    ["export-monthly", "--month", "0000-01", "-o", "{tmp}/m.xlsx"],
    ["overdue", "--as-of", "0001-01-01"],
    ["overdue", "--as-of", "9999-12-31", "--json"],
    ["print", "overdue", "--as-of", "0001-01-01", "-o", "{tmp}/o.docx"],
], ids=["month-9999", "month-0000", "overdue-0001", "overdue-9999", "print-0001"])
def test_a_date_or_month_out_of_range_is_one_chinese_line_not_a_traceback(capsys, tmp_path, ledger, argv):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = _cli(capsys, *argv, "--db", ledger)
    assert code == 2 and out == ""
    assert "超出本程序可处理的范围" in _one_chinese_line(err)
    assert _files_in(tmp_path) == ["v.db"]


@pytest.mark.parametrize("argv, expected", [
    (["export-monthly"], "缺少必填参数"),
    (["elders", "--bogus"], "无法识别的参数 --bogus"),
    (["overdue", "--kind", "x"], "参数 --kind 的值“x”无效"),
    (["frob"], "没有“frob”这个命令"),
    (["elders", "--village"], "参数 --village 后面需要一个值"),
    (["print", "roster", "--agreement", "abc", "-o", "x.docx"], "参数 --agreement 的值“abc”无效"),
])
def test_an_argument_error_is_one_chinese_line_not_the_usage_block(capsys, argv, expected):
    code, out, err = _cli(capsys, *argv)
    assert code == 2
    line = _one_chinese_line(err)
    assert expected in line and "usage" not in err and "argument" not in line


def test_a_closed_pipe_ends_quietly(tmp_path, ledger):
    import os
    import subprocess
    import sys

    # The reader is gone before the command writes its first byte (as `| head` gone early).
    proc = subprocess.Popen([sys.executable, "-m", "township_desk", "elders", "--db", str(ledger), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 2
    assert err == ""


def _drop_table(path, table):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("command", [["elders"], ["overdue", "--as-of", "2026-11-01"],
                                     ["print", "roster", "-o", "{tmp}/r.docx"]])
def test_a_database_missing_one_of_its_tables_is_one_chinese_line(capsys, tmp_path, ledger, command):
    _drop_table(ledger, "visits")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code, out, err = _cli(capsys, *argv, "--db", ledger)
    assert code == 2
    assert "缺少本程序的数据表" in _one_chinese_line(err) and "visits" in err
    with pytest.raises(DatabaseUnavailable, match="visits"):
        dbm.connect(ledger)


@pytest.mark.parametrize("damage", ["missing-table", "missing-column", "corrupt-page"])
def test_restore_refuses_a_backup_missing_a_table_or_failing_its_integrity_check(capsys, tmp_path, ledger, damage):
    import shutil

    backup = tmp_path / "坏备份.db"
    shutil.copyfile(ledger, backup)
    if damage == "missing-table":
        _drop_table(backup, "agreements")
    elif damage == "missing-column":
        conn = sqlite3.connect(backup)
        conn.execute("DROP INDEX elders_search")  # an index on the column would refuse the drop
        conn.execute("ALTER TABLE elders DROP COLUMN phone")
        conn.commit()
        conn.close()
    else:
        conn = sqlite3.connect(backup)
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'elders'").fetchone()[0]
        conn.close()
        data = bytearray(backup.read_bytes())
        start = (root - 1) * page_size
        data[start + 8:start + 200] = b"\xff" * 192  # the b-tree page of the elders: cell pointers garbled
        backup.write_bytes(bytes(data))
    live = tmp_path / "live.db"
    shutil.copyfile(ledger, live)
    before = live.read_bytes()

    code, out, err = _cli(capsys, "restore", backup, "--db", live, "--yes")

    assert code == 2
    assert "不能用来恢复" in _one_chinese_line(err)
    assert live.read_bytes() == before


def _erofs(path):
    import errno

    return OSError(errno.EROFS, "Read-only file system", str(path))


@pytest.mark.parametrize("failure", ["read-only", "permission"])
@pytest.mark.parametrize("command", ["print", "registration", "backup", "restore"])
def test_a_read_only_place_for_output_or_restore_is_one_chinese_line(capsys, tmp_path, ledger, monkeypatch,
                                                                    failure, command):
    import os
    import shutil

    backup = tmp_path / "备份.db"
    shutil.copyfile(ledger, backup)
    sqlite3.connect(backup).execute("PRAGMA journal_mode = DELETE").close()  # as backup_to leaves a backup
    before = ledger.read_bytes()
    real_replace = os.replace

    def refuse(src, dst, *a, **k):
        if failure == "read-only":
            raise _erofs(dst)
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    argv = {"print": ["print", "roster", "-o", tmp_path / "花名册.docx"],
            "registration": ["print", "registration", "--village", "高桥村", "-o", tmp_path / "登记表.docx"],
            "backup": ["backup", "-o", tmp_path / "新备份.db"],
            "restore": ["restore", backup, "--yes"]}[command]
    code, out, err = _cli(capsys, *argv, "--db", ledger)
    monkeypatch.setattr(os, "replace", real_replace)

    assert code == 2
    line = _one_chinese_line(err)
    assert any(word in line for word in ("只读", "权限", "占用", "打开")), line
    assert ".tmp" not in line and ".part" not in line  # the clerk's file is named, not our temporary one
    assert ledger.read_bytes() == before
    leftovers = set(_files_in(tmp_path)) - {"v.db", "备份.db", "v.db.lock"}
    assert not leftovers, leftovers


@pytest.mark.parametrize("where", ["sqlite-full", "enospc-before-migrating"])
def test_a_full_disk_during_import_is_one_chinese_line_and_the_ledger_keeps_its_rows(
        capsys, tmp_path, ledger, monkeypatch, where):
    import errno

    book = _ledger_workbook(tmp_path / "台账.xlsx", people=300)
    count_before = _fingerprint(ledger)[0]
    real_connect = dbm.connect
    if where == "sqlite-full":
        def full_connect(*args, **kwargs):  # no page may be added: SQLite's own "database or disk is full"
            database = real_connect(*args, **kwargs)
            pages = database.execute("PRAGMA page_count").fetchone()[0]
            database.execute(f"PRAGMA max_page_count = {pages}")
            return database

        monkeypatch.setattr(dbm, "connect", full_connect)
    else:
        conn = sqlite3.connect(ledger)
        conn.executescript("DROP TABLE ledger_identity; PRAGMA application_id = 0; PRAGMA user_version = 4;")
        conn.close()

        def no_space(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "v.db.before-v5.bak"))

        monkeypatch.setattr(dbm, "backup_to", no_space)

    code, out, err = _cli(capsys, "import-ledger", book, "--db", ledger)
    monkeypatch.setattr(dbm, "connect", real_connect)

    assert code == 2
    assert "磁盘已满" in _one_chinese_line(err)
    assert _fingerprint(ledger)[0] == count_before


def test_a_second_writer_waits_then_gets_a_chinese_message_not_database_is_locked(capsys, tmp_path, ledger,
                                                                                  monkeypatch):
    import time

    book = _ledger_workbook(tmp_path / "台账.xlsx")
    monkeypatch.setattr(dbm, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(ledger, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        code, out, err = _cli(capsys, "import-ledger", book, "--db", ledger)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    line = _one_chinese_line(err)
    assert "占用" in line and "locked" not in line
    assert waited >= 0.3  # it waited for the other writer before giving up
    assert _fingerprint(ledger)[0] == 20


# ---------------------------------------------------------------------------------------------- the window

@pytest.mark.parametrize("exc, expected", [
    (sqlite3.OperationalError("database is locked"), "占用"),
    (sqlite3.OperationalError("database or disk is full"), "磁盘已满"),
    (OSError(28, "No space left on device", "月报.xlsx"), "磁盘已满"),
    (OSError(30, "Read-only file system", "花名册.docx"), "只读"),
    (OSError(30, "Read-only file system", ".图表.4321.tmp.png"), "只读"),  # our temporary name is not shown
    (sqlite3.OperationalError("no such table: visits"), "visits"),
])
def test_the_window_shows_a_busy_full_or_read_only_disk_as_a_message_not_a_crash(qtbot, monkeypatch, exc, expected):
    from PySide6.QtWidgets import QMessageBox

    from township_desk.ui import crash

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: shown.append(("warning", text)))
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text: shown.append(("critical", text)))
    crash.report(exc)
    assert len(shown) == 1 and shown[0][0] == "warning", shown
    assert expected in shown[0][1] and "Error" not in shown[0][1] and ".tmp" not in shown[0][1]


def test_the_windows_save_dialogs_refuse_the_database_and_its_companions(qtbot, db, db_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from township_desk.ui import settings_backup
    from township_desk.ui.context import AppContext
    from township_desk.ui.widgets import ask_save_file

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: warnings.append(text))
    monkeypatch.setattr(settings_backup, "inform", lambda *a, **k: warnings.append(("inform", a)))
    wal = db_path.with_name(db_path.name + "-wal")
    wal_before = wal.read_bytes()
    panel = settings_backup.BackupPanel(AppContext(db_path, db))
    qtbot.addWidget(panel)
    monkeypatch.setattr(settings_backup, "ask_save_path", lambda *a: str(wal))

    panel.backup_now()

    assert len(warnings) == 1 and "台账数据库的附属文件" in warnings[0]
    assert wal.read_bytes() == wal_before
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(db_path.parent), ""))
    assert ask_save_file(None, "保存", "x", "", db_path) is None
    assert "是一个文件夹" in warnings[-1]


def test_after_a_restore_in_the_window_a_hard_link_to_the_restored_file_cannot_open_a_second_writer(
        qtbot, db, db_path, tmp_path, monkeypatch):
    import os

    from township_desk.models import backups
    from township_desk.models.errors import AlreadyRunning
    from township_desk.ui import settings_backup
    from township_desk.ui.context import AppContext

    backup = tmp_path / "备份.db"
    backups.backup(db, backup)
    monkeypatch.setattr(settings_backup, "inform", lambda *a, **k: None)
    monkeypatch.setattr(settings_backup, "confirm", lambda *a, **k: True)
    lock = dbm.InstanceLock(db_path)
    lock.acquire()
    ctx = AppContext(db_path, db)
    ctx.instance_lock = lock
    panel = settings_backup.BackupPanel(ctx)
    qtbot.addWidget(panel)
    try:
        done = []
        put_in_place = panel._put_in_place
        monkeypatch.setattr(panel, "_put_in_place", lambda result: (put_in_place(result), done.append(result)))
        panel.restore_from(backup)  # proved and unpacked in the background, then put in place
        qtbot.waitUntil(lambda: bool(done), timeout=20000)
        assert not isinstance(done[0], BaseException)
        os.link(db_path, tmp_path / "别名.db")  # a second name for the file now in place
        with pytest.raises(AlreadyRunning):
            dbm.InstanceLock(tmp_path / "别名.db").acquire()
    finally:
        ctx.db.close()
        lock.release()


def test_the_windows_date_fields_keep_to_dates_the_program_can_work_with(qtbot, db, db_path):
    from PySide6.QtCore import QDate

    from township_desk.ui.context import AppContext
    from township_desk.ui.print_page import PrintPage
    from township_desk.ui.widgets import date_edit

    page = PrintPage(AppContext(db_path, db))
    qtbot.addWidget(page)
    for edit in (page.as_of, date_edit()):
        edit.setDate(QDate(1, 1, 1))
        assert edit.date() == QDate(1901, 1, 1)
        edit.setDate(QDate(9999, 12, 31))
        assert edit.date() == QDate(2099, 12, 31)


def test_the_window_start_removes_what_a_killed_job_left_in_the_data_folder(tmp_path, ledger):
    import subprocess
    import sys

    from township_desk.models import paths
    from township_desk.ui import app

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = paths.data_dir() / f".操作日志.{dead.pid}.tmp.xlsx"
    left.write_bytes(b"PK\x03\x04 ids")
    clerks = tmp_path / "操作日志.xlsx"
    clerks.write_bytes(b"PK\x03\x04 mine")

    app.clean_temporaries(ledger)

    assert not left.exists() and clerks.exists()


def test_a_backups_temporary_copy_is_hidden_while_written_and_never_renamed_into_place_hidden(
        tmp_path, ledger, monkeypatch):
    import os

    from township_desk.models import backups, files

    hidden: dict[str, bool] = {}
    renamed_hidden = []
    monkeypatch.setattr(files, "_set_hidden", lambda path, on: hidden.__setitem__(str(path), on))
    real_replace = os.replace

    def replace(src, dst, *a, **k):
        renamed_hidden.append(hidden.get(str(src), False))
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", replace)
    database = dbm.connect(ledger)
    try:
        backups.backup(database, tmp_path / "备份.db")
    finally:
        database.close()
    backups.restore(ledger, tmp_path / "备份.db")

    assert hidden.get(str(tmp_path / "备份.db.part")) is False  # hidden while written, then shown again
    assert renamed_hidden and not any(renamed_hidden)


def test_an_unexpected_database_error_in_a_command_is_one_chinese_line_with_the_traceback_in_the_log(
        capsys, ledger, monkeypatch):
    from township_desk.commands import common
    from township_desk.models import elders, paths

    monkeypatch.setattr(common.log, "handlers", [])  # this test's own data folder, not an earlier test's

    def broken(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(elders, "ledger_json", broken)
    code, out, err = _cli(capsys, "elders", "--db", ledger)

    assert code == 2
    assert "已损坏" in _one_chinese_line(err)
    for handler in common.log.handlers:
        handler.close()
    logged = "".join(p.read_text(encoding="utf-8") for p in paths.logs_dir().glob("*.log"))
    assert "Traceback" in logged and "malformed" in logged


def test_restore_into_a_read_only_folder_names_the_database_not_the_lock_file(capsys, tmp_path, ledger, monkeypatch):
    import builtins
    import errno
    import shutil

    backup = tmp_path / "备份.db"
    shutil.copyfile(ledger, backup)
    sqlite3.connect(backup).execute("PRAGMA journal_mode = DELETE").close()
    real_open = builtins.open

    def read_only_folder(file, mode="r", *args, **kwargs):
        if str(file).endswith(".lock") and str(tmp_path) in str(file):
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", read_only_folder)
    before = ledger.read_bytes()
    code, out, err = _cli(capsys, "restore", backup, "--db", ledger, "--yes")
    monkeypatch.setattr(builtins, "open", real_open)

    assert code == 2
    line = _one_chinese_line(err)
    assert "只读" in line and str(ledger) in line and ".lock" not in line
    assert ledger.read_bytes() == before


@pytest.mark.parametrize("case", ["inside-a-file", "name-too-long"])
def test_an_output_name_that_cannot_be_a_file_is_one_chinese_line(capsys, tmp_path, ledger, case):
    target = {"inside-a-file": ledger / "花名册.docx",
              "name-too-long": tmp_path / ("花名册" * 40 + ".docx")}[case]
    code, out, err = _cli(capsys, "print", "roster", "--db", ledger, "-o", target)
    assert code == 2
    line = _one_chinese_line(err)
    assert ("不是文件夹" in line) if case == "inside-a-file" else ("太长" in line)
    assert _files_in(tmp_path) == ["v.db"]


def test_a_refused_command_does_not_even_make_the_data_folder(capsys, tmp_path, ledger, monkeypatch):
    home = tmp_path / "尚未使用的数据文件夹"
    monkeypatch.setenv("TOWNSHIP_DESK_HOME", str(home))
    code, out, err = _cli(capsys, "print", "roster", "--db", ledger, "-o", ledger)
    assert code == 2
    _one_chinese_line(err)
    assert not home.exists()
    assert _files_in(tmp_path) == ["v.db"]
