"""What survives a killed process, a read-only file, a full disk and a second copy of the program.

Each kill test starts a real child Python process that works on a real SQLite file, waits until the child
reports it is in the middle of its job, SIGKILLs it, and then looks at what is on disk.
"""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from township_desk.models import db as dbm
from township_desk.models.errors import AlreadyRunning, DatabaseUnavailable, UserError
from township_desk.models.files import atomic_path

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fcntl locks: POSIX")

PRELUDE = textwrap.dedent("""
    import datetime as dt, sys, time
    sys.path.insert(0, {root!r})
    from stdnum.cn import ric
    from township_desk.models import db as dbm, elders

    def make_id(i):
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=i // 400)
        body = f"511102{{birth:%Y%m%d}}{{(i % 400) * 2 + 1:03d}}"
        return body + ric.calc_check_digit(body + "0")

    def person(i):
        return {{"name": "张" + "德福秀英桂兰建国志明"[i % 10] + "华", "id_number": make_id(i), "village": "东风村"}}

    def say(text):
        sys.stdout.write(text + "\\n")
        sys.stdout.flush()
""")


def start(code: str, db_path: Path) -> subprocess.Popen:
    script = PRELUDE.format(root=str(ROOT)) + textwrap.dedent(code)
    env = {**os.environ, "DB_PATH": str(db_path)}
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", env=env)


def wait_for(proc: subprocess.Popen, marker: str) -> list[str]:
    """Read the child's lines until one starts with ``marker``; fail with its stderr if it ends first."""
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if line.startswith(marker):
            return lines
    proc.wait()
    pytest.fail(f"child ended before {marker!r}: {proc.stderr.read()}")


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    proc.stdout.close()
    proc.stderr.close()


def check(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return conn


def test_killed_during_an_import_transaction_leaves_only_what_was_committed(db_path):
    proc = start("""
        import os
        db = dbm.connect(os.environ["DB_PATH"])
        for i in range(3):
            elders.save_elder(db, person(i))
        say("COMMITTED 3")
        with db.atomic():
            for i in range(3, 100000):
                elders.save_elder(db, person(i))
                if i == 1500:
                    say("IN_TRANSACTION")
        say("DONE")
    """, db_path)
    wait_for(proc, "IN_TRANSACTION")
    kill(proc)

    conn = check(db_path)
    assert conn.execute("SELECT count(*) FROM elders").fetchone()[0] == 3
    # Nothing of the unfinished import: no audit entries, villages or status rows beyond the first three.
    assert conn.execute("SELECT count(*) FROM status_changes").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM audit_log WHERE table_name = 'elders'").fetchone()[0] == 3
    conn.close()
    reopened = dbm.connect(db_path)  # and the program opens it normally afterwards
    assert reopened.execute("SELECT count(*) FROM elders").fetchone()[0] == 3
    reopened.close()


def test_killed_during_a_series_of_edits_keeps_every_edit_reported_done(db_path):
    proc = start("""
        import os
        db = dbm.connect(os.environ["DB_PATH"])
        elder_id = elders.save_elder(db, person(0)).elder_id
        n = 0
        while True:
            n += 1
            elders.save_elder(db, {**person(0), "phone": f"138{n:08d}"}, elder_id=elder_id)
            say(f"EDIT {n}")
    """, db_path)
    lines = wait_for(proc, "EDIT 40")
    kill(proc)

    done = int(lines[-1].split()[1])
    conn = check(db_path)
    phone = conn.execute("SELECT phone FROM elders").fetchone()[0]
    # The last edit reported done is there; at most the one in flight at the kill went in too.
    assert int(phone[3:]) in (done, done + 1)
    edits = conn.execute("SELECT count(*) FROM audit_log WHERE field = 'phone'").fetchone()[0]
    assert edits == int(phone[3:])
    conn.close()


def test_killed_while_writing_a_big_file_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "月报.xlsx"
    target.write_bytes(b"OLD WORKBOOK")
    proc = start(f"""
        from township_desk.models.files import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            with open(tmp, "wb") as fh:
                chunk = b"x" * (1 << 20)
                for i in range(10000):
                    fh.write(chunk)
                    if i == 20:
                        fh.flush()
                        say("WRITING")
    """, tmp_path / "unused.db")
    wait_for(proc, "WRITING")
    kill(proc)

    assert target.read_bytes() == b"OLD WORKBOOK"
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".月报.")]
    # The half-written temporary file is a hidden file beside it, never the clerk's file itself.
    assert all(p.suffix == ".xlsx" and ".tmp" in p.name for p in leftovers)


def test_second_instance_lock_from_another_process_is_refused(db_path):
    dbm.connect(db_path).close()
    proc = start("""
        import os
        lock = dbm.InstanceLock(os.environ["DB_PATH"])
        lock.acquire()
        say("LOCKED")
        time.sleep(60)
    """, db_path)
    wait_for(proc, "LOCKED")
    try:
        with pytest.raises(AlreadyRunning, match="已经在另一个窗口中打开"):
            dbm.InstanceLock(db_path).acquire()
    finally:
        kill(proc)
    # Killed: the lock went with the process, so the next start is not blocked by a stale lock.
    with dbm.InstanceLock(db_path):
        pass


def test_full_disk_while_writing_a_file_gives_a_chinese_message_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "花名册.docx"
    target.write_bytes(b"OLD")
    with pytest.raises(UserError, match="磁盘已满") as info:
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half a document")
            # /dev/full answers every write with a real ENOSPC, as a full disk would.
            with open("/dev/full", "wb") as full:
                full.write(b"x" * 65536)
                full.flush()
    assert info.value.__cause__.errno == errno.ENOSPC
    assert target.read_bytes() == b"OLD"
    assert [p.name for p in tmp_path.iterdir()] == ["花名册.docx"]


def test_full_database_error_from_sqlite_has_a_chinese_message(db, db_path):
    # A real SQLITE_FULL: cap the file at its current size so the next insert cannot grow it.
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError) as info:
        with db.atomic():
            db.execute("INSERT INTO settings(key, value) VALUES ('big', ?)", ["\"" + "x" * 200000 + "\""])
    message = str(dbm._friendly(info.value, db_path))
    assert "磁盘已满" in message


def test_read_only_database_that_must_be_written_to_open_is_refused_in_chinese(db_path, monkeypatch):
    # An older-format file on read-only media: opening must migrate it, which cannot be written.
    dbm.connect(db_path).conn.close()
    conn = sqlite3.connect(db_path)
    conn.executescript(
        "PRAGMA journal_mode = DELETE; DROP TABLE ledger_identity; PRAGMA application_id = 0; PRAGMA user_version = 4;"
    )
    conn.close()
    real_connect = sqlite3.connect

    def read_only(path, *args, **kwargs):
        # SQLite's own read-only open (as for a file with the read-only attribute); chmod cannot stop root.
        if kwargs.pop("uri", False):
            return real_connect(path, *args, uri=True, **kwargs)
        return real_connect(Path(path).resolve().as_uri() + "?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(dbm.sqlite3, "connect", read_only)
    with pytest.raises(DatabaseUnavailable, match="只读"):
        dbm.connect(db_path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_by_permissions_is_refused_in_chinese(tmp_path):
    path = tmp_path / "ro.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.commit()
    conn.close()
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(DatabaseUnavailable):
            dbm.connect(path)
    finally:
        tmp_path.chmod(0o755)
