"""Backups: automatic (daily, on close, pruning), by hand, inspecting, and restoring over the live file."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import zipfile
from pathlib import PureWindowsPath

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


def folder(db):
    return backups.ledger_folder(dbm.database_uuid(db))


def test_daily_backup_is_made_once_a_day_compressed_in_the_ledgers_own_folder(db, db_path):
    add(db)
    first = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 8, 30, 5)).path
    assert first.parent == paths.backups_dir() / dbm.database_uuid(db)
    assert first.name == "ledger_20261122-083005_daily.zip"
    assert backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 17, 0, 0)) is None
    again = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 23, 8, 0, 0)).path
    assert again.name.startswith("ledger_20261123-080000")


def test_backup_holds_the_data_and_counts(db, db_path):
    add(db, 0)
    add(db, 1, "李秀英")
    settings.put(db, {"township_name": "青山镇"})
    made = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 9, 0, 0)).path
    info = backups.inspect_backup(made)
    assert (info.elders, info.visits, info.agreements) == (2, 0, 0)
    assert info.township_name == "青山镇"
    assert info.schema_version == dbm.latest_version()
    assert info.taken_at == dt.datetime(2026, 11, 22, 9, 0, 0)
    assert info.kind == "daily" and info.kind_label == "每日自动"
    assert info.ledger_uuid == dbm.database_uuid(db)
    assert "老人 2 人" in info.summary()


def test_two_ledgers_with_the_same_file_name_keep_their_backups_apart(tmp_path):
    a_path, b_path = tmp_path / "甲" / "township_desk.db", tmp_path / "乙" / "township_desk.db"
    a_path.parent.mkdir()
    b_path.parent.mkdir()
    a, b = dbm.connect(a_path), dbm.connect(b_path)
    try:
        add(a, 0)
        when = dt.datetime(2026, 11, 22, 8, 0, 0)
        made_a = backups.daily_backup_if_due(a, a_path, now=when)
        made_b = backups.daily_backup_if_due(b, b_path, now=when + dt.timedelta(hours=1))
        assert made_b is not None, "the second ledger's daily backup must not be skipped"
        assert made_a.path.parent != made_b.path.parent
        assert backups.automatic_backups(a, a_path) == [made_a.path]
        assert backups.ledger_backups(b, b_path) == [made_b.path]
        assert backups.inspect_backup(made_b.path).elders == 0
    finally:
        a.close()
        b.close()


def test_thirty_backups_in_one_day_push_out_no_older_copy():
    now = dt.datetime(2026, 11, 22, 18, 0, 0)
    history = [dt.datetime(2026, 11, 22 - d, 17, 0, 0) for d in range(1, 10)]
    today = [dt.datetime(2026, 11, 22, 8, 0, 0) + dt.timedelta(minutes=m) for m in range(30)]
    keep = backups.backups_to_keep(history + today, now)
    assert set(today) <= keep and set(history) <= keep


def test_a_year_of_daily_backups_is_kept_by_calendar():
    now = dt.datetime(2026, 11, 22, 18, 0, 0)   # a Sunday
    taken = [now - dt.timedelta(days=d, hours=h) for d in range(400) for h in (1, 9)]  # two a day
    keep = backups.backups_to_keep(taken, now)
    young = {t for t in taken if now - t < dt.timedelta(days=2)}
    assert young <= keep                                                    # every one of the last 2 days
    days = {t.date() for t in keep if (now.date() - t.date()).days < 14}
    assert len(days) == 14                                                  # one a day for 14 days
    for d in range(2, 14):                                                  # ... only one each
        assert len([t for t in keep if t.date() == (now - dt.timedelta(days=d)).date()]) == 1
    assert max(keep) == max(taken) and dt.datetime(2026, 11, 10, 17, 0) in keep  # newest of its day
    weeks = {t.isocalendar()[:2] for t in keep}
    assert all(w in weeks for w in {t.isocalendar()[:2] for t in taken if now - t < dt.timedelta(weeks=8)})
    months = {(t.year, t.month) for t in keep}
    assert months == {(2025, 12)} | {(2026, m) for m in range(1, 12)}     # one a month for 12 months
    assert min(keep) >= dt.datetime(2025, 12, 1)                            # nothing older than 12 months
    assert len(keep) < 45


def test_a_clock_that_was_wrong_keeps_future_backups_and_the_newest():
    now = dt.datetime(2026, 11, 22, 18, 0, 0)
    future = dt.datetime(2099, 1, 1)
    ancient = dt.datetime(2020, 1, 1)
    assert backups.backups_to_keep([future, ancient], now) == {future}
    assert backups.backups_to_keep([ancient], now) == {ancient}


def test_the_budget_is_two_and_a_half_times_the_database_but_at_least_the_floor():
    assert backups.budget(564 * 1024 ** 2) == int(2.5 * 564 * 1024 ** 2)
    assert backups.budget(5 * 1024 ** 2) == backups.BUDGET_FLOOR_BYTES


def test_over_budget_the_oldest_go_first_but_never_the_last_two_days():
    now = dt.datetime(2026, 11, 22, 18, 0, 0)
    sizes = {now - dt.timedelta(days=d): 100 for d in (0, 1, 5, 30, 90)}
    keep = backups.within_budget(sizes, now, 300)
    assert keep == {now, now - dt.timedelta(days=1), now - dt.timedelta(days=5)}
    assert backups.within_budget(sizes, now, 100) == {now, now - dt.timedelta(days=1)}
    assert backups.within_budget(sizes, now, 10_000) == set(sizes)


def test_automatic_backups_are_thinned_by_calendar_and_manual_ones_never_deleted(db, db_path, tmp_path):
    manual = tmp_path / "我的备份.zip"
    backups.backup(db, manual)
    start = dt.datetime(2026, 1, 1, 8, 0, 0)
    made = [backups.daily_backup_if_due(db, db_path, now=start + dt.timedelta(days=i * 2)).path for i in range(20)]
    kept = backups.automatic_backups(db, db_path)
    now = start + dt.timedelta(days=38)
    expected = backups.backups_to_keep([start + dt.timedelta(days=i * 2) for i in range(20)], now)
    assert kept[0] == made[-1]
    assert {backups.inspect_backup(p).taken_at for p in kept} == expected
    assert len(kept) < 15 and manual.exists()


def test_backups_of_a_large_ledger_stay_under_the_budget(db, db_path, monkeypatch):
    monkeypatch.setattr(backups, "BUDGET_TIMES_DATABASE", 0.0001)  # as if each backup were huge
    monkeypatch.setattr(backups, "BUDGET_FLOOR_BYTES", 0)
    start = dt.datetime(2026, 1, 1, 8, 0, 0)
    for i in range(4):
        backups.daily_backup_if_due(db, db_path, now=start + dt.timedelta(days=i))
    kept = backups.automatic_backups(db, db_path)
    assert [backups.inspect_backup(p).taken_at.date() for p in kept] == [dt.date(2026, 1, 4), dt.date(2026, 1, 3)]


def test_the_backup_just_made_is_never_pruned_even_if_older_names_sort_later(db, db_path):
    # 30 backups dated in the future (a PC clock that was wrong) must not push out the one made now.
    for i in range(5):
        backups.backup(db, folder(db) / f"ledger_20990101-0000{i:02d}_daily.zip")
    made = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 18, 0, 0))
    assert made is not None and made.path.exists()
    assert len(backups.automatic_backups(db, db_path)) == 6


def test_compressed_backup_is_much_smaller_and_restores_whole(db, db_path, tmp_path):
    for i in range(4):
        add(db, i, "张王李赵"[i] + "德福")
    with db.atomic():
        db.execute("CREATE TABLE IF NOT EXISTS filler(x TEXT)")  # bulk like a real ledger's visit notes
        db.conn.executemany("INSERT INTO filler VALUES (?)", [(f"入户巡访，身体状况良好，第{i}次",) for i in range(20000)])
    plain = backups.backup(db, tmp_path / "plain.db")
    packed = backups.backup(db, tmp_path / "packed.zip")
    assert packed.stat().st_size * 4 < plain.stat().st_size
    assert backups.inspect_backup(packed).elders == 4
    assert backups.check_backup(packed).elders == 4
    index_names = "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
    indexes = db.execute(index_names).fetchall()
    assert len(indexes) > 5
    with zipfile.ZipFile(packed) as zf:   # written without its indexes: they are half a large backup
        zf.extract(next(n for n in zf.namelist() if n.endswith(".db")), tmp_path / "unpacked")
    unpacked = sqlite3.connect(next((tmp_path / "unpacked").iterdir()))
    assert all(n.startswith("sqlite_autoindex_") for (n,) in unpacked.execute(index_names))
    unpacked.close()
    db.close()
    backups.restore(db_path, packed)
    live = dbm.connect(db_path)
    try:
        assert len(names(live)) == 4
        assert live.execute("SELECT count(*) FROM filler").fetchone()[0] == 20000
        assert live.execute(index_names).fetchall() == indexes        # built again on restoring
    finally:
        live.close()


def test_legacy_backups_by_file_name_count_only_when_they_hold_no_other_identity(db, db_path, tmp_path):
    ours = backups.backup(db, paths.backups_dir() / "ledger_20261101-080000_daily.db")
    other_path = tmp_path / "other" / "ledger.db"
    other_path.parent.mkdir()
    other = dbm.connect(other_path)
    try:
        theirs = backups.backup(other, paths.backups_dir() / "ledger_20261102-080000_daily.db")
    finally:
        other.close()
    assert backups.automatic_backups(db, db_path) == [ours]
    assert theirs not in backups.ledger_backups(db, db_path)


def test_daily_backup_runs_on_a_connection_of_its_own_in_another_thread(db, db_path):
    add(db)
    result = []
    worker = threading.Thread(target=lambda: result.append(backups.daily_backup_in_background(db_path)))
    worker.start()
    worker.join(30)
    assert result and result[0] is not None and backups.inspect_backup(result[0].path).elders == 1
    assert backups.automatic_backups(db, db_path) == [result[0].path]


# ---------------------------------------------------------------------------------------------- second place

def test_every_automatic_backup_is_copied_to_the_second_place(db, db_path, tmp_path):
    second = tmp_path / "U盘" / "台账备份"
    second.mkdir(parents=True)
    paths.save_local_config(second_backup_dir=str(second))
    add(db)
    made = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 8, 0, 0))
    assert made.second_problem is None
    assert made.second_copy == second / dbm.database_uuid(db) / made.path.name
    assert made.second_copy.read_bytes() == made.path.read_bytes()
    assert backups.second_place_problem() is None


def test_a_missing_second_place_is_reported_and_the_backup_still_made(db, db_path, tmp_path):
    paths.save_local_config(second_backup_dir=str(tmp_path / "拔掉的U盘"))
    made = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 8, 0, 0))
    assert made.path.exists() and made.second_copy is None
    assert "第二备份位置" in made.second_problem and "拔掉的U盘" in made.second_problem
    assert backups.second_place_problem() == made.second_problem


def test_copies_in_the_second_place_are_thinned_by_the_same_calendar(db, db_path, tmp_path):
    second = tmp_path / "D盘"
    second.mkdir()
    paths.save_local_config(second_backup_dir=str(second))
    start = dt.datetime(2026, 1, 1, 8, 0, 0)
    for i in range(12):
        backups.daily_backup_if_due(db, db_path, now=start + dt.timedelta(days=i * 3))
    here = sorted(p.name for p in backups.automatic_backups(db, db_path))
    there = sorted(p.name for p in (second / dbm.database_uuid(db)).iterdir())
    assert here == there and len(there) < 12


# ---------------------------------------------------------------------------------------------- network paths

def test_sqlite_uri_of_a_network_share_keeps_the_server_in_the_path():
    uri = dbm.sqlite_uri(PureWindowsPath(r"\\服务器\共享 文件夹\台账#1.db"), mode="ro")
    assert uri == ("file:////%E6%9C%8D%E5%8A%A1%E5%99%A8/%E5%85%B1%E4%BA%AB%20%E6%96%87%E4%BB%B6%E5%A4%B9/"
                   "%E5%8F%B0%E8%B4%A6%231.db?mode=ro")
    assert dbm.sqlite_uri(PureWindowsPath(r"C:\Users\张三\a.db")).startswith("file:///C:/Users/")
    # what Path.as_uri() gives for a share, and SQLite refuses
    with pytest.raises(sqlite3.OperationalError, match="authority"):
        sqlite3.connect(PureWindowsPath(r"\\server\share\a.db").as_uri() + "?mode=ro", uri=True)


def test_a_backup_in_a_folder_with_spaces_hash_and_chinese_is_read(db, tmp_path):
    add(db)
    place = tmp_path / "共享 #1 ?"
    place.mkdir()
    saved = backups.backup(db, place / "备份.db")
    assert backups.check_backup(saved).elders == 1


def test_backup_on_close_is_skipped_when_nothing_changed_since_the_last_one(db, db_path):
    add(db)
    first = backups.backup_on_close(db, db_path, now=dt.datetime(2026, 11, 22, 18, 0, 0)).path
    # Make the database clearly older than the backup (coarse file clocks count a same-tick write as a change).
    old = first.stat().st_mtime - 60
    for f in (db_path, db_path.with_name(db_path.name + "-wal")):
        if f.exists():
            os.utime(f, (old, old))
    assert backups.backup_on_close(db, db_path, now=dt.datetime(2026, 11, 22, 18, 5, 0)) is None
    add(db, 1, "李秀英")
    second = backups.backup_on_close(db, db_path, now=dt.datetime(2026, 11, 22, 18, 10, 0)).path
    assert backups.inspect_backup(second).elders == 2


def test_two_backups_in_the_same_second_get_different_names(db, db_path):
    when = dt.datetime(2026, 11, 22, 18, 0, 0)
    a = backups.backup_on_close(db, db_path, now=when).path
    add(db)
    b = backups.backup_on_close(db, db_path, now=when).path
    assert a != b and a.exists() and b.exists()


def test_manual_backup_refuses_a_missing_folder_and_the_live_file(db, db_path, tmp_path):
    with pytest.raises(UserError, match="文件夹不存在"):
        backups.backup(db, tmp_path / "nowhere" / "b.db")
    with pytest.raises(UserError, match="同一个文件"):
        backups.backup(db, db_path)
    wal = db_path.with_name(db_path.name + "-wal")
    before = wal.read_bytes()
    (tmp_path / "sub").mkdir()
    for alias in (wal, db_path.with_name(db_path.name + "-shm"), tmp_path / "sub" / ".." / "ledger.db"):
        with pytest.raises(UserError, match="同一个文件"):
            backups.backup(db, alias)
    os.link(db_path, tmp_path / "硬链接.db")
    with pytest.raises(UserError, match="同一个文件"):
        backups.backup(db, tmp_path / "硬链接.db")
    assert wal.read_bytes() == before


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
    live_uuid = dbm.database_uuid(db)
    db.close()

    kept = backups.restore(db_path, saved)

    assert kept.parent == paths.backups_dir() / live_uuid and kept.name.startswith("before-restore_ledger_")
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


def test_restore_refuses_a_backup_missing_a_table_and_changes_nothing(db, db_path, tmp_path):
    add(db)
    saved = backups.backup(db, tmp_path / "缺表.db")
    conn = sqlite3.connect(saved)
    conn.execute("DROP TABLE hazards")
    conn.commit()
    conn.close()
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(UserError, match="缺少数据表：hazards"):
        backups.restore(db_path, saved)
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob(".ledger.db.restoring*"))


def test_restore_refuses_another_programs_file_even_inside_a_zip(db, db_path, tmp_path):
    import zipfile

    foreign = tmp_path / "songs.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE songs(title TEXT)")
    conn.commit()
    conn.close()
    good = backups.backup(db, tmp_path / "good.zip")
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(crafted, "w") as dst:
        dst.writestr(backups.INFO_ENTRY, src.read(backups.INFO_ENTRY))
        dst.write(foreign, "ledger.db")
    plain_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(plain_zip, "w") as zf:
        zf.writestr("a.txt", "hello")
    db.close()
    before = db_path.read_bytes()
    for bad, reason in ((foreign, "其他程序"), (crafted, "不是留守老人台账"), (plain_zip, "其他程序的文件")):
        with pytest.raises(UserError, match=reason):
            backups.restore(db_path, bad)
    assert db_path.read_bytes() == before


def test_restore_refuses_a_truncated_compressed_backup(db, db_path, tmp_path):
    add(db)
    saved = backups.backup(db, tmp_path / "b.zip")
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(UserError, match="损坏"):
        backups.restore(db_path, saved)
    assert db_path.read_bytes() == before


def test_the_data_folder_comes_from_the_settings_file_unless_the_environment_says_otherwise(tmp_path, monkeypatch):
    chosen = tmp_path / "D盘数据"
    paths.save_local_config(data_dir=str(chosen))
    assert paths.data_dir() != chosen                      # TOWNSHIP_DESK_HOME (set for every test) wins
    monkeypatch.delenv("TOWNSHIP_DESK_HOME")
    assert paths.data_dir() == chosen and chosen.is_dir()
    paths.config_path().write_text("{不是 JSON", encoding="utf-8")
    assert paths.local_config() == {} and paths.second_backup_dir() is None


def test_a_backup_whose_description_smuggles_in_other_sql_is_refused(db, db_path, tmp_path):
    good = backups.backup(db, tmp_path / "good.zip")
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(crafted, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == backups.INFO_ENTRY:
                facts = json.loads(data)
                facts["indexes"].append("ATTACH DATABASE 'evil.db' AS evil")
                data = json.dumps(facts).encode("utf-8")
            dst.writestr(item, data)
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(UserError, match="说明部分不正确"):
        backups.restore(db_path, crafted)
    assert db_path.read_bytes() == before and not list(tmp_path.rglob("evil.db"))


def test_a_backup_without_an_index_is_restored_with_it_built_again(db, db_path, tmp_path):
    add(db)
    saved = backups.backup(db, tmp_path / "无索引.db")
    conn = sqlite3.connect(saved)
    conn.execute("DROP INDEX elders_name")
    conn.commit()
    conn.close()
    db.close()
    backups.restore(db_path, saved)
    live = dbm.connect(db_path)
    try:
        assert live.execute("SELECT count(*) FROM sqlite_master WHERE name = 'elders_name'").fetchone()[0] == 1
        assert names(live) == ["张德福"]
    finally:
        live.close()


def test_half_written_backups_left_by_a_killed_program_are_removed(db, db_path):
    stale = folder(db) / ".ledger_20261121-080000_daily.db.part"
    stale.write_bytes(b"SQLite format 3\x00 with ID numbers")
    os.utime(stale, (stale.stat().st_mtime - 3600,) * 2)
    fresh = folder(db) / ".ledger_20261122-075959_daily.db.part"   # another process may be writing it now
    fresh.write_bytes(b"SQLite format 3\x00")
    backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 8, 0, 0))
    assert not stale.exists() and fresh.exists()
