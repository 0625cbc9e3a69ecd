"""Row versions (migration 6): a save made from a record read earlier never silently undoes a change made since.

Each test changes a record the way another writer would (an import, the command line, another window: a second
connection to the same file, knowing nothing of versions), then saves from what was read before, and checks that
the save is refused with nothing written and the other change kept.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from tests.conftest import VALID_IDS
from township_desk.models import agreements, elders, hazards, settings, versions, villages, visitors, visits
from township_desk.models import db as dbm
from township_desk.models.errors import DatabaseUnavailable, StaleRecord

TODAY = dt.date(2026, 11, 22)
STALE = "这条记录在您打开之后已被修改"


@pytest.fixture
def elder_id(db):
    villages.save_village(db, {"name": "青山村", "committee": "青山村村民委员会"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    return elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村",
                                  "phone": "13800001111", "visitor": "王村官", "entered_on": "2026-01-05"},
                             [{"name": "张小明", "relation": "儿子", "phone": "13900001111"}], today=TODAY).elder_id


@pytest.fixture
def other(db_path, db):
    """A second writer on the same file: the command line or an import in another process."""
    connection = dbm.connect(db_path)
    yield connection
    connection.close()


def version(db, table: str, record_id) -> int:
    return versions.current(db, table, record_id)


# ------------------------------------------------------------------------------------------ the schema


def test_every_edited_table_has_a_row_version_starting_at_one_and_its_trigger(db):
    # A later migration that rebuilds one of these tables must bring its trigger back: this test says so.
    triggers = {row[0] for row in db.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                                             " AND name LIKE '%_row_version'")}
    for table in versions.VERSIONED:
        columns = {row[1]: row for row in db.execute(f"PRAGMA table_info([{table}])")}
        assert columns["row_version"][3] == 1 and columns["row_version"][4] == "1", table  # NOT NULL DEFAULT 1
        assert table in triggers, table
    villages.save_village(db, {"name": "青山村"})
    assert version(db, "villages", 1) == 1


def test_a_ledger_of_version_5_keeps_its_records_and_starts_them_at_version_1(db_path):
    conn = dbm.connect(db_path)
    villages.save_village(conn, {"name": "青山村"})
    elders.save_elder(conn, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"}, today=TODAY)
    settings.put(conn, {"township_name": "青山镇"})
    conn.close()
    raw = sqlite3.connect(db_path)          # take the file back to before migration 6
    for table in versions.VERSIONED:
        raw.execute(f"DROP TRIGGER {table}_row_version")
        raw.execute(f"ALTER TABLE {table} DROP COLUMN row_version")
    raw.execute("PRAGMA user_version = 5")
    raw.commit()
    raw.close()

    conn = dbm.connect(db_path)
    try:
        assert dbm.schema_version(conn) == dbm.latest_version()
        assert conn.execute("SELECT name, row_version FROM elders").fetchall() == [("张德福", 1)]
        assert settings.get(conn, "township_name") == "青山镇" and settings.key_versions(conn) == {"township_name": 1}
    finally:
        conn.close()


def test_a_writer_that_knows_nothing_of_versions_still_moves_them_on(db, other, elder_id):
    """Imports, the command line, the demo and batch assignment write plain UPDATEs: the trigger bumps."""
    other.execute("UPDATE elders SET phone = '13811112222' WHERE id = ?", [elder_id])
    assert version(db, "elders", elder_id) == 2
    visitors.assign_elders(other, visitors.save_visitor(other, {"name": "李四", "phone": "13700001111"}).visitor_id,
                           [elder_id])
    assert version(db, "elders", elder_id) == 3


def test_a_guarded_save_moves_the_version_by_exactly_one(db, elder_id):
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "phone": "13811112222"},
                      elder_id=elder_id, today=TODAY, expected_version=1)
    assert version(db, "elders", elder_id) == 2


# ------------------------------------------------------------------------------------------ each table


def test_an_elder_saved_from_a_stale_form_does_not_undo_an_import(db, other, elder_id):
    opened = elders.get_elder(db, elder_id)                     # the editor opens
    elders.save_elder(other, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村",
                              "phone": "13899998888"}, elder_id=elder_id, today=TODAY, action="导入")
    stale_form = {k: opened[k] for k in ("name", "id_number", "phone", "village_id")}
    with pytest.raises(StaleRecord) as refused:
        elders.save_elder(db, {**stale_form, "current_address": "青山村三组"}, elder_id=elder_id, today=TODAY,
                          expected_version=opened["row_version"])
    assert STALE in str(refused.value) and "张德福" in str(refused.value) and "导入" in str(refused.value)
    stored = elders.get_elder(db, elder_id)
    assert stored["phone"] == "13899998888" and stored["current_address"] is None

    fresh = elders.get_elder(db, elder_id)                      # 重新载入, then save
    elders.save_elder(db, {**{k: fresh[k] for k in ("name", "id_number", "phone", "village_id")},
                           "current_address": "青山村三组"}, elder_id=elder_id, today=TODAY,
                      expected_version=fresh["row_version"])
    stored = elders.get_elder(db, elder_id)
    assert (stored["phone"], stored["current_address"]) == ("13899998888", "青山村三组")


def test_a_change_of_supporters_alone_moves_the_elders_version(db, elder_id):
    before = version(db, "elders", elder_id)
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "phone": "13800001111"},
                      [{"name": "张小红", "relation": "女儿", "phone": "13900003333"}], elder_id=elder_id, today=TODAY)
    assert version(db, "elders", elder_id) == before + 1


def test_a_status_change_from_a_stale_form_is_refused(db, other, elder_id):
    opened = version(db, "elders", elder_id)
    elders.change_status(other, elder_id, "暂离", TODAY, "外出就医")
    with pytest.raises(StaleRecord):
        elders.change_status(db, elder_id, "已迁出", TODAY, "随子女迁居", expected_version=opened)
    assert elders.get_elder(db, elder_id)["status"] == "暂离"


def test_an_agreement_draft_saved_from_a_stale_form_is_refused(db, other, elder_id):
    supporter = elders.get_elder(db, elder_id)["supporters"][0]["id"]
    data = {"elder_id": elder_id, "template": "自理", "party_a_supporter_id": supporter, "party_b_name": "李桂兰",
            "term_years": 1, "start_date": "2026-03-01", "hours_per_day": 4, "fee": "每月600元"}
    agreement_id = agreements.save_agreement(db, data, today=TODAY).agreement_id
    opened = agreements.get_agreement(db, agreement_id)
    agreements.save_agreement(other, {**data, "fee": "每月800元"}, agreement_id, today=TODAY)
    with pytest.raises(StaleRecord):
        agreements.save_agreement(db, {**data, "hours_per_day": 6}, agreement_id, today=TODAY,
                                  expected_version=opened["row_version"])
    stored = agreements.get_agreement(db, agreement_id)
    assert (stored["fee"], stored["hours_per_day"]) == ("每月800元", 4)


def test_signing_giving_notice_or_terminating_from_a_stale_list_is_refused(db, other, elder_id):
    from tests.conftest import make_id

    supporter = elders.get_elder(db, elder_id)["supporters"][0]["id"]
    data = {"elder_id": elder_id, "template": "自理", "party_a_supporter_id": supporter, "party_b_name": "李桂兰",
            "party_b_id_number": make_id("19600101", 22), "term_years": 1, "start_date": "2026-03-01",
            "hours_per_day": 4, "fee": "每月600元"}
    agreement_id = agreements.save_agreement(db, data, today=TODAY).agreement_id
    listed = agreements.get_agreement(db, agreement_id)["row_version"]
    agreements.save_agreement(other, {**data, "fee": "每月800元"}, agreement_id, today=TODAY)
    with pytest.raises(StaleRecord):
        agreements.sign(db, agreement_id, "2026-03-01", today=TODAY, expected_version=listed)
    assert agreements.get_agreement(db, agreement_id)["status"] == "草稿"
    agreements.sign(db, agreement_id, "2026-03-01", today=TODAY, expected_version=listed + 1)
    listed = agreements.get_agreement(db, agreement_id)["row_version"]
    agreements.give_notice(other, agreement_id, "2026-11-01", "甲方", today=TODAY)
    with pytest.raises(StaleRecord):
        agreements.give_notice(db, agreement_id, "2026-11-02", "乙方", today=TODAY, expected_version=listed)
    with pytest.raises(StaleRecord):
        agreements.terminate(db, agreement_id, "2026-11-20", "双方", "老人随子女迁居", today=TODAY,
                             expected_version=listed)
    stored = agreements.get_agreement(db, agreement_id)
    assert (stored["status"], stored["notice_on"], stored["notice_by"]) == ("已签订", "2026-11-01", "甲方")


def test_a_visit_changed_meanwhile_is_not_overwritten(db, other, elder_id):
    visit_id = visits.record_visit(db, elder_id, {"date": "2026-11-20", "mode": "电话", "visitor_id": 1}, today=TODAY)
    opened = version(db, "visits", visit_id)
    other.execute("UPDATE visits SET notes = '补记：老人血压偏高' WHERE id = ?", [visit_id])
    with pytest.raises(StaleRecord):
        versions.update(db, "visits", visit_id, {"notes": "一切正常"}, opened)
    assert db.execute("SELECT notes FROM visits WHERE id = ?", [visit_id]).fetchone()[0] == "补记：老人血压偏高"
    versions.update(db, "visits", visit_id, {"notes": "补记：老人血压偏高，已告知儿子"}, opened + 1)
    assert version(db, "visits", visit_id) == opened + 2


def test_a_visit_correction_or_voiding_from_a_stale_dialog_is_refused(db, other, elder_id):
    visit_id = visits.record_visit(db, elder_id, {"date": "2026-11-20", "mode": "电话", "visitor_id": 1}, today=TODAY)
    opened = visits.get_visit(db, visit_id)
    visits.correct_visit(other, visit_id, {"date": "2026-11-20", "mode": "电话", "visitor_id": 1,
                                           "notes": "补记：老人血压偏高"}, today=TODAY)
    with pytest.raises(StaleRecord):
        visits.correct_visit(db, visit_id, {"date": "2026-11-19", "mode": "电话", "visitor_id": 1}, today=TODAY,
                             expected_version=opened["row_version"])
    with pytest.raises(StaleRecord):
        visits.void_visit(db, visit_id, "登记重复", "李专干", expected_version=opened["row_version"])
    stored = visits.get_visit(db, visit_id)
    assert (stored["date"], stored["notes"], stored["voided_at"]) == ("2026-11-20", "补记：老人血压偏高", None)


def test_a_hazard_step_from_a_stale_dialog_is_refused(db, other, elder_id):
    hazard_id = hazards.open_hazard(db, elder_id, "2026-11-20", "电线老化", today=TODAY)
    opened = hazards.get_hazard(db, hazard_id)["row_version"]
    hazards.record_reported(other, hazard_id, "2026-11-21", today=TODAY)
    with pytest.raises(StaleRecord):
        hazards.record_supporter_told(db, hazard_id, "2026-11-21", today=TODAY, expected_version=opened)
    assert hazards.get_hazard(db, hazard_id)["supporter_told_on"] is None
    new = hazards.record_supporter_told(db, hazard_id, "2026-11-21", today=TODAY, expected_version=opened + 1)
    assert new == opened + 2


def test_a_visitor_saved_from_a_stale_dialog_is_refused(db, other, elder_id):
    row = visitors.list_visitors(db)[0]
    visitors.save_visitor(other, {"name": "王村官", "phone": "13900002222", "organisation": "青山村村委会"}, row["id"])
    with pytest.raises(StaleRecord):
        visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222", "role": "社工"}, row["id"],
                              expected_version=row["row_version"])
    stored = visitors.list_visitors(db)[0]
    assert (stored["organisation"], stored["role"]) == ("青山村村委会", "村干部")


def test_a_village_saved_from_a_stale_dialog_is_refused(db, other, elder_id):
    row = villages.list_villages(db)[0]
    villages.save_village(other, {"name": "青山村", "staff_name": "王主任"}, row["id"])
    with pytest.raises(StaleRecord):
        villages.save_village(db, {"name": "青山村", "staff_name": "", "phone": "08335522110"}, row["id"],
                              expected_version=row["row_version"])
    stored = villages.list_villages(db)[0]
    assert (stored["staff_name"], stored["phone"]) == ("王主任", None)


def test_settings_saved_from_a_stale_form_are_refused_per_key(db, other):
    settings.put(db, {"township_name": "青山镇"})
    read = settings.key_versions(db)
    settings.put(other, {"township_name": "青山乡", "office_phone": "08335522110"})
    with pytest.raises(StaleRecord) as refused:
        settings.put(db, {"township_name": "青山镇", "preparer": "李娟"}, expected_versions=read)
    assert str(refused.value).startswith("这项设置在您打开之后已被修改") and "乡镇（街道）名称" in str(refused.value)
    assert settings.get(db, "township_name") == "青山乡" and settings.get(db, "preparer") == ""
    # a key nobody else touched saves from the same read
    settings.put(db, {"preparer": "李娟"}, expected_versions=read)
    assert settings.get(db, "preparer") == "李娟"


# ------------------------------------------------------------------------------------------ a busy file


def test_a_write_while_another_program_writes_is_a_chinese_message_and_nothing_is_kept(db, db_path, elder_id):
    db.execute("PRAGMA busy_timeout = 50")
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseUnavailable) as refused:
            villages.save_village(db, {"name": "白鹤村"})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "正被另一个程序" in str(refused.value) and "没有保存" in str(refused.value)
    assert not db.conn.in_transaction
    assert villages.village_id(db, "白鹤村") is None
    villages.save_village(db, {"name": "白鹤村"})               # once the other program is done, it saves
    assert villages.village_id(db, "白鹤村") is not None
