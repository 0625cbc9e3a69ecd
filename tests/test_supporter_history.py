"""Supporters dated (migration 14, ``models.supporter_history``): a past day reads the supporters of then, so a
month's 空巢 / 留守 / 城市独居 and the 重点 rule "no family nearby" do not move when a supporter moves later; an
older ledger file keeps every supporter when migrated."""

from __future__ import annotations

import datetime as dt
import sqlite3

import sqlite_utils
from conftest import VALID_IDS, make_id

from township_desk.models import db as dbm
from township_desk.models import elders, group_plans, groups, supporter_history
from township_desk.models.migrations import load_step

JAN, NOV_10 = dt.date(2026, 1, 5), dt.date(2026, 11, 10)
AT_HOME = {"name": "张小明", "relation": "儿子", "phone": "13700003333", "is_away": False}
AWAY = {"name": "张小明", "relation": "儿子", "phone": "13700003333", "is_away": True, "away_since": "2026-11",
        "work_place": "广东省深圳市"}


def elder_whose_son_leaves_in_november(db) -> int:
    """On the ledger since January with a son living at home, 无人照料; the son leaves for work on 10 November."""
    data = {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "care": "无人照料", "entered_on": "2026-01-05"}
    elder_id = elders.save_elder(db, data, [AT_HOME], today=JAN).elder_id
    elders.save_elder(db, data, [AWAY], elder_id=elder_id, today=NOV_10)
    return elder_id


def test_a_past_day_reads_the_supporters_of_that_day(db):
    elder_id = elder_whose_son_leaves_in_november(db)
    assert [s["is_away"] for s in supporter_history.supporters_on(db, "2026-10-31")[elder_id]] == [0]
    assert [s["is_away"] for s in supporter_history.supporters_on(db, "2026-11-10")[elder_id]] == [1]
    assert elder_id not in groups.members(db, groups.EMPTY_NEST, "2026-10-31")  # the son was at home
    assert elder_id in groups.members(db, groups.EMPTY_NEST, "2026-11-15")
    october = next(m for m in groups.memberships(db, "2026-10-31", [elder_id])[elder_id] if m.group == groups.EMPTY_NEST)
    assert not october.member and october.reasons == ["赡养人张小明住在本地"]
    assert groups.member_names(db, "2026-10-31", [elder_id])[elder_id] == groups.names(
        groups.memberships(db, "2026-10-31", [elder_id])[elder_id])


def test_the_no_family_nearby_rule_reads_the_supporters_of_the_day(db):
    elder_id = elder_whose_son_leaves_in_november(db)
    label = group_plans.KEY_RULE_LABELS[group_plans.NO_FAMILY]
    assert label not in group_plans.key_reasons(db, elder_id, "2026-10-31")
    assert label in group_plans.key_reasons(db, elder_id, "2026-11-15")
    tier = group_plans.tier_sql("'一般'", [group_plans.NO_FAMILY])  # the rule alone, whatever the record's tier
    day_tier = f"SELECT {tier} FROM elders e WHERE e.id = :id"
    assert db.execute(day_tier, {"day": "2026-10-31", "id": elder_id}).fetchone()[0] == "一般"
    assert db.execute(day_tier, {"day": "2026-11-15", "id": elder_id}).fetchone()[0] == "重点"


def test_a_change_dated_before_the_last_one_keeps_the_chain_in_order(db):
    elder_id = elder_whose_son_leaves_in_november(db)
    data = {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "care": "无人照料"}
    elders.save_elder(db, data, [AT_HOME], elder_id=elder_id, today=dt.date(2026, 11, 2))  # typed with an old date
    days = [r[0] for r in db.execute("SELECT effective_on FROM supporter_changes ORDER BY id")]
    assert days == ["2026-11-10", "2026-11-10"]
    assert [s["is_away"] for s in supporter_history.supporters_on(db, "2026-11-09")[elder_id]] == [0]
    assert [s["is_away"] for s in supporter_history.supporters_on(db, "2026-11-10")[elder_id]] == [0]  # today's


def test_an_elder_with_no_supporters_then_reads_none(db):
    data = {"name": "李秀英", "id_number": VALID_IDS[1], "village": "青山村", "entered_on": "2026-01-05"}
    elder_id = elders.save_elder(db, data, [], today=JAN).elder_id
    elders.save_elder(db, data, [AWAY], elder_id=elder_id, today=NOV_10)
    assert elder_id not in supporter_history.supporters_on(db, "2026-10-31")
    assert elder_id not in groups.members(db, groups.EMPTY_NEST, "2026-10-31")
    assert elder_id in groups.members(db, groups.EMPTY_NEST, "2026-11-10")


def test_migration_14_keeps_every_supporter_of_an_older_ledger(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    old = sqlite_utils.Database(conn)
    for number in range(1, 12):
        with old.atomic():
            load_step(number).apply(old)
            old.execute(f"PRAGMA user_version = {number}")
    with old.atomic():
        eid = elders.save_elder(old, {"name": "王大山", "id_number": make_id("19400101", 31), "village": "青山村"},
                                [{"name": "王1", "is_away": True}, {"name": "王2", "is_away": False}],
                                today=JAN).elder_id
    before = conn.execute("SELECT * FROM supporters ORDER BY id").fetchall()
    conn.close()
    database = dbm.connect(db_path)
    assert database.execute("SELECT * FROM supporters ORDER BY id").fetchall() == before
    assert [s["name"] for s in supporter_history.supporters_on(database, "2020-01-01")[eid]] == ["王1", "王2"]
    assert database.execute("SELECT COUNT(*) FROM supporter_changes").fetchone()[0] == 0
    assert dbm.missing_schema(database.conn, dbm.schema_version(database)) == []
    database.close()


def test_a_past_months_care_sheet_does_not_move_when_a_supporter_moves_later(db):
    """The 探访关爱 figures of October (a draft, never sent) read October's supporters: the son coming home in
    November takes the elder out of 空巢 and the "no family nearby" 重点 from November on, not in October."""
    from township_desk.models import coverage

    data = {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "care": "无人照料",
            "entered_on": "2026-01-05"}
    elder_id = elders.save_elder(db, data, [AWAY], today=JAN).elder_id

    def october() -> list[dict]:
        return [r.as_dict() for r in coverage.month_coverage(db, "2026-10")
                if r.group in (groups.EMPTY_NEST, coverage.ALL_LABEL)]

    before = october()
    assert any(r["group"] == groups.EMPTY_NEST and r["people"] == 1 for r in before)
    elders.save_elder(db, data, [AT_HOME], elder_id=elder_id, today=NOV_10)  # the son came home
    assert october() == before
    november = {(r.village, r.group): r for r in coverage.month_coverage(db, "2026-11")}
    assert november[("合计", groups.EMPTY_NEST)].people == 0
