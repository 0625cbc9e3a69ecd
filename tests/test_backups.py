"""Backups: automatic (daily, on close, pruning), by hand, inspecting, and restoring over the live file."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from conftest import VALID_IDS

from township_desk.models import backups, elders, paths, settings
from township_desk.models import db as dbm
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 22)


def add(db, n: int = 0, name: str = "张德福"):
    return elders.save_elder(db, {"name": name, "id_number": VALID_IDS[n], "village": "东风村"}, today=TODAY)


def names(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM elders ORDER BY id")]


def test_daily_backup_is_made_once_a_day_with_date_time_and_db_name(db, db_path):
    add(db)
    first = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 8, 30, 5))
    assert first is not None and first.parent == paths.backups_dir()
    assert first.name == "ledger_20261122-083005_daily.db"
    assert backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 17, 0, 0)) is None
    again = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 23, 8, 0, 0))
    assert again is not None and again.name.startswith("ledger_20261123-080000")


def test_backup_holds_the_data_and_counts(db, db_path):
    add(db, 0)
    add(db, 1, "李秀英")
    settings.put(db, {"township_name": "青山镇"})
    made = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 9, 0, 0))
    info = backups.inspect_backup(made)
    assert (info.elders, info.visits, info.agreements) == (2, 0, 0)
    assert info.township_name == "青山镇"
    assert info.schema_version == dbm.latest_version()
    assert info.taken_at == dt.datetime(2026, 11, 22, 9, 0, 0)
    assert info.kind == "daily" and info.kind_label == "每日自动"
    assert "老人 2 人" in info.summary()


def test_only_the_newest_thirty_automatic_backups_are_kept_and_manual_ones_never_deleted(db, db_path, tmp_path):
    manual = tmp_path / "我的备份.db"
    backups.backup(db, manual)
    start = dt.datetime(2026, 1, 1, 8, 0, 0)
    made = [backups.daily_backup_if_due(db, db_path, now=start + dt.timedelta(days=i)) for i in range(35)]
    kept = backups.automatic_backups(db_path)
    assert len(kept) == backups.KEEP_AUTOMATIC
    assert kept[0] == made[-1]
    assert set(kept) == set(made[-30:])
    assert manual.exists()


def test_the_backup_just_made_is_never_pruned_even_if_older_names_sort_later(db, db_path):
    # 30 backups dated in the future (a PC clock that was wrong) must not push out the one made now.
    for i in range(30):
        backups.backup(db, paths.backups_dir() / f"ledger_20990101-0000{i:02d}_daily.db")
    made = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 18, 0, 0))
    assert made is not None and made.exists()
    assert len(backups.automatic_backups(db_path)) == backups.KEEP_AUTOMATIC


def test_backups_of_another_database_are_left_alone(db, db_path, tmp_path):
    other_path = tmp_path / "other.db"
    other = dbm.connect(other_path)
    theirs = backups.daily_backup_if_due(other, other_path, now=dt.datetime(2025, 1, 1, 8, 0, 0))
    other.close()
    for i in range(32):
        backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 1, 1, 8) + dt.timedelta(days=i))
    assert theirs.exists()
    assert backups.automatic_backups(other_path) == [theirs]


def test_backup_on_close_is_skipped_when_nothing_changed_since_the_last_one(db, db_path):
    add(db)
    first = backups.backup_on_close(db, db_path, now=dt.datetime(2026, 11, 22, 18, 0, 0))
    assert first is not None
    # Make the database clearly older than the backup (coarse file clocks count a same-tick write as a change).
    old = first.stat().st_mtime - 60
    for f in (db_path, db_path.with_name(db_path.name + "-wal")):
        if f.exists():
            os.utime(f, (old, old))
    assert backups.backup_on_close(db, db_path, now=dt.datetime(2026, 11, 22, 18, 5, 0)) is None
    add(db, 1, "李秀英")
    second = backups.backup_on_close(db, db_path, now=dt.datetime(2026, 11, 22, 18, 10, 0))
    assert second is not None and backups.inspect_backup(second).elders == 2


def test_two_backups_in_the_same_second_get_different_names(db, db_path):
    when = dt.datetime(2026, 11, 22, 18, 0, 0)
    a = backups.backup_on_close(db, db_path, now=when)
    add(db)
    b = backups.backup_on_close(db, db_path, now=when)
    assert a != b and a.exists() and b.exists()


def test_manual_backup_refuses_a_missing_folder_and_the_live_file(db, db_path, tmp_path):
    with pytest.raises(UserError, match="文件夹不存在"):
        backups.backup(db, tmp_path / "nowhere" / "b.db")
    with pytest.raises(UserError, match="同一个文件"):
        backups.backup(db, db_path)


def test_manual_backup_on_a_full_disk_gives_a_chinese_message_and_no_part_file(db, tmp_path, monkeypatch):
    def full(_db, target):
        (tmp_path / "b.db.part").write_bytes(b"half")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(dbm, "backup_to", full)
    with pytest.raises(UserError, match="磁盘已满"):
        backups.backup(db, tmp_path / "b.db")
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "b.db.part").exists()


def test_inspect_refuses_a_file_that_is_not_a_database(tmp_path):
    bogus = tmp_path / "台账.db"
    bogus.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(UserError, match="不是本程序的备份文件"):
        backups.inspect_backup(bogus)


def test_inspect_refuses_another_programs_database(tmp_path):
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE songs(title TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="其他程序的数据库"):
        backups.inspect_backup(foreign)


def test_inspect_refuses_a_backup_from_a_newer_program(db, tmp_path):
    target = backups.backup(db, tmp_path / "new.db")
    conn = sqlite3.connect(target)
    conn.execute(f"PRAGMA user_version = {dbm.latest_version() + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="更新版本"):
        backups.inspect_backup(target)


def test_restore_puts_the_backup_back_and_keeps_a_copy_of_what_it_replaced(db, db_path, tmp_path):
    add(db, 0)
    saved = backups.backup(db, tmp_path / "周一.db")
    add(db, 1, "李秀英")
    db.close()

    kept = backups.restore(db_path, saved)

    assert kept is not None and kept.parent == paths.backups_dir() and kept.name.startswith("before-restore_ledger_")
    assert backups.inspect_backup(kept).elders == 2
    live = dbm.connect(db_path)
    try:
        assert names(live) == ["张德福"]
        assert live.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        entry = live.execute("SELECT action, record_label, new_value FROM audit_log ORDER BY id DESC").fetchone()
        assert entry[0] == "恢复" and "周一.db" in entry[1] and "老人 1 人" in entry[2]
    finally:
        live.close()


def test_restore_removes_the_old_write_ahead_log(db, db_path, tmp_path):
    add(db, 0)
    saved = backups.backup(db, tmp_path / "b.db")
    # Leave committed changes only in the WAL of the live file (no checkpoint), as a running window would.
    db.execute("PRAGMA wal_autocheckpoint = 0")
    add(db, 1, "李秀英")
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    db.close()
    kept = backups.restore(db_path, saved)
    live = dbm.connect(db_path)
    try:
        assert names(live) == ["张德福"]
    finally:
        live.close()
    # ...and the copy kept beforehand has the change that was only in the WAL.
    assert backups.inspect_backup(kept).elders == 2


def test_restore_refuses_a_damaged_backup_and_changes_nothing(db, db_path, tmp_path):
    for i in range(3):
        add(db, i, "张王李赵"[i] + "德福")
    saved = backups.backup(db, tmp_path / "b.db")
    db.close()
    data = bytearray(saved.read_bytes())
    page = 4096
    # Scribble over every table page but keep the file header and schema page readable.
    data[page:] = b"\xff" * (len(data) - page)
    saved.write_bytes(bytes(data))
    before = db_path.read_bytes()
    with pytest.raises(UserError, match="损坏"):
        backups.restore(db_path, saved)
    assert db_path.read_bytes() == before
    assert not list(paths.backups_dir().glob("before-restore_*"))


def test_restore_of_an_older_backup_migrates_it_up(db, db_path, tmp_path):
    old_path = tmp_path / "old.db"
    conn = sqlite3.connect(old_path)
    conn.execute("PRAGMA user_version = 0")
    old = dbm.connect(old_path, migrate=False)
    from township_desk.models.migrations import load_step

    with old.atomic():
        load_step(1).apply(old)
        old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO villages(name) VALUES ('东风村')")
    old.close()
    conn.close()
    assert backups.inspect_backup(old_path).schema_version == 1
    db.close()
    backups.restore(db_path, old_path)
    live = dbm.connect(db_path, migrate=False)
    try:
        assert dbm.schema_version(live) == dbm.latest_version()
        assert live.execute("SELECT name FROM villages").fetchone()[0] == "东风村"
    finally:
        live.close()


def test_restore_over_a_damaged_live_file_keeps_its_raw_bytes(db, db_path, tmp_path):
    add(db)
    saved = backups.backup(db, tmp_path / "good.db")
    db.close()
    db_path.write_bytes(b"garbage that used to be a database" * 100)
    kept = backups.restore(db_path, saved)
    assert kept.read_bytes().startswith(b"garbage")
    live = dbm.connect(db_path)
    try:
        assert names(live) == ["张德福"]
    finally:
        live.close()


def test_restore_refuses_the_live_file_itself(db, db_path):
    db.close()
    with pytest.raises(UserError, match="正在使用的数据库本身"):
        backups.restore(db_path, db_path)
