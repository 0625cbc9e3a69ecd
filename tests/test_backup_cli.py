"""``township-desk backup -o FILE`` and ``restore FILE``: run as the clerk's scheduled job would, in a process."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import VALID_IDS

from township_desk.models import db as dbm
from township_desk.models import elders

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "township_desk", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", env=os.environ.copy(), timeout=120)


def ledger(path: Path, count: int) -> None:
    db = dbm.connect(path)
    for i in range(count):
        elders.save_elder(db, {"name": "张王李赵"[i] + "德福", "id_number": VALID_IDS[i], "village": "东风村"},
                          today=dt.date(2026, 11, 22))
    db.close()


def elder_count(path: Path) -> int:
    db = dbm.connect(path)
    try:
        return db.execute("SELECT count(*) FROM elders").fetchone()[0]
    finally:
        db.close()


def test_backup_writes_a_copy_and_prints_its_counts(db_path, tmp_path):
    ledger(db_path, 2)
    out = tmp_path / "备份.db"
    result = cli("backup", "--db", str(db_path), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "老人 2 人" in result.stdout
    assert elder_count(out) == 2


def test_backup_json_is_one_document(db_path, tmp_path):
    ledger(db_path, 1)
    result = cli("backup", "--db", str(db_path), "-o", str(tmp_path / "b.db"), "--json")
    assert result.returncode == 0
    doc = json.loads(result.stdout)
    assert doc["elders"] == 1 and doc["schema_version"] == dbm.latest_version()


def test_backup_into_a_missing_folder_is_exit_2_with_a_chinese_line(db_path, tmp_path):
    ledger(db_path, 1)
    result = cli("backup", "--db", str(db_path), "-o", str(tmp_path / "无此文件夹" / "b.db"))
    assert result.returncode == 2
    assert "文件夹不存在" in result.stderr and "Traceback" not in result.stderr


def test_backup_of_a_missing_database_is_exit_2(tmp_path):
    result = cli("backup", "--db", str(tmp_path / "none.db"), "-o", str(tmp_path / "b.db"))
    assert result.returncode == 2 and "不存在" in result.stderr
    assert not (tmp_path / "b.db").exists()


def test_restore_with_yes_prints_the_backup_first_and_replaces_the_database(db_path, tmp_path):
    ledger(db_path, 1)
    saved = tmp_path / "b.db"
    assert cli("backup", "--db", str(db_path), "-o", str(saved)).returncode == 0
    ledger_db = dbm.connect(db_path)
    elders.save_elder(ledger_db, {"name": "王秀英", "id_number": VALID_IDS[1], "village": "东风村"},
                      today=dt.date(2026, 11, 22))
    ledger_db.close()

    result = cli("restore", str(saved), "--db", str(db_path), "--yes")

    assert result.returncode == 0, result.stderr
    assert result.stdout.index("老人 1 人") < result.stdout.index("已恢复")
    assert "备份时间" in result.stdout
    assert elder_count(db_path) == 1
    assert "before-restore_" in result.stdout


def test_restore_without_a_terminal_needs_yes_and_changes_nothing(db_path, tmp_path):
    ledger(db_path, 1)
    saved = tmp_path / "b.db"
    cli("backup", "--db", str(db_path), "-o", str(saved))
    ledger(db_path.with_name("other.db"), 2)
    before = elder_count(db_path)
    result = cli("restore", str(saved), "--db", str(db_path.with_name("other.db")), stdin="y\n")
    assert result.returncode == 2
    assert "--yes" in result.stderr
    assert elder_count(db_path.with_name("other.db")) == 2 and before == 1


def test_restore_of_a_file_that_is_not_a_backup_is_exit_2(db_path, tmp_path):
    ledger(db_path, 1)
    bogus = tmp_path / "x.db"
    bogus.write_text("hello", encoding="utf-8")
    result = cli("restore", str(bogus), "--db", str(db_path), "--yes")
    assert result.returncode == 2
    assert "不是本程序的备份文件" in result.stderr and "Traceback" not in result.stderr
    assert elder_count(db_path) == 1


def test_restore_while_the_window_holds_the_database_is_refused(db_path, tmp_path):
    ledger(db_path, 1)
    saved = tmp_path / "b.db"
    cli("backup", "--db", str(db_path), "-o", str(saved))
    with dbm.InstanceLock(db_path):
        result = cli("restore", str(saved), "--db", str(db_path), "--yes")
    assert result.returncode == 2 and "已经在另一个窗口中打开" in result.stderr


def test_restore_json_has_the_counts_and_the_kept_copy(db_path, tmp_path):
    ledger(db_path, 2)
    saved = tmp_path / "b.db"
    cli("backup", "--db", str(db_path), "-o", str(saved))
    result = cli("restore", str(saved), "--db", str(db_path), "--yes", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["elders"] == 2 and Path(doc["kept_copy"]).exists()


def test_backup_to_a_zip_is_compressed_and_restores(db_path, tmp_path):
    ledger(db_path, 2)
    out = tmp_path / "备份.zip"
    result = cli("backup", "--db", str(db_path), "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["elders"] == 2 and doc["size_bytes"] < doc["database_bytes"]
    ledger_path = tmp_path / "空的.db"
    ledger(ledger_path, 0)
    restored = cli("restore", "--db", str(ledger_path), str(out), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert elder_count(ledger_path) == 2


def test_restore_of_a_backup_missing_a_table_is_exit_2_and_changes_nothing(db_path, tmp_path):
    import sqlite3

    ledger(db_path, 1)
    out = tmp_path / "缺表.db"
    assert cli("backup", "--db", str(db_path), "-o", str(out)).returncode == 0
    conn = sqlite3.connect(out)
    conn.execute("DROP TABLE agreements")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    result = cli("restore", "--db", str(db_path), str(out), "--yes")
    assert result.returncode == 2 and "缺少数据表：agreements" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert db_path.read_bytes() == before
