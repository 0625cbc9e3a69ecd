"""Visit plans per group (设置 → 各类对象巡访频次) and seed 003's 重点 rules in every group, through the one overdue
rule (schedule.overdue), on a real SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_id
from township_desk.models import elders, group_plans, schedule, settings, villages, visitors
from township_desk.models.errors import UserError

D = dt.date.fromisoformat
TODAY = D("2026-11-22")  # a Sunday
AWAY = {"name": "张小明", "relation": "儿子", "phone": "13900001111", "away_since": "2024-03", "is_away": 1}
HOME = {"name": "张小红", "relation": "女儿", "phone": "13900003333", "is_away": 0}
PLAN = {"key_home_days": 15, "key_remote_per_week": 2, "general_home_days": 30, "general_remote_per_week": 1}


@pytest.fixture
def ledger(db):
    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "城东社区"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    return db


def add(db, name, seq, *, birth="19550312", supporters=(AWAY,), **fields):
    data = {"name": name, "id_number": make_id(birth, seq), "village": "青山村", "tier": "一般", "visitor": "王村官",
            "entered_on": "2026-01-05", "care": "有人照料", **fields}
    elder_id = elders.save_elder(db, data, list(supporters), today=TODAY).elder_id
    # the tier on the record as the clerk's assessment left it (entry would suggest 重点 from the same facts)
    db.execute("UPDATE elders SET tier = ? WHERE id = ?", [fields.get("tier", "一般"), elder_id])
    return elder_id


def visit(db, elder_id, date, mode="上门"):
    with db.atomic():
        db.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, ?, ?, '王村官')",
                   [elder_id, date, mode])


def home(db, as_of, **kw):
    return {i.name: i for i in schedule.overdue(db, D(as_of), kinds=("home",), **kw)}


def remote(db, as_of, **kw):
    return {i.name: i for i in schedule.overdue(db, D(as_of), kinds=("remote",), **kw)}


def test_an_elder_in_several_groups_follows_the_most_demanding_plan_of_each_part(ledger):
    # 农村留守 + 失能 (ability level 3); 失能 asks a visit every 10 days but only one call a week when 一般 ...
    both = add(ledger, "张德福", 1, ability_level=3)
    only_left = add(ledger, "李秀英", 2)
    group_plans.put(ledger, {"失能": {**PLAN, "key_home_days": 10, "key_remote_per_week": 2},
                             "农村留守": {**PLAN, "key_remote_per_week": 3}}, group_plans.KEY_RULES)
    # ... the elder is 重点 (失能 is a 重点 rule): home every 10 days (失能), 3 calls a week (农村留守)
    visit(ledger, both, "2026-11-05")
    visit(ledger, only_left, "2026-11-05")
    assert "张德福" not in home(ledger, "2026-11-15")
    assert home(ledger, "2026-11-16")["张德福"].days_overdue == 1
    assert "李秀英" not in home(ledger, "2026-12-05")  # 一般, 农村留守 only: every 30 days
    visit(ledger, both, "2026-11-10", "电话")
    visit(ledger, both, "2026-11-11", "电话")
    item = remote(ledger, "2026-11-16")["张德福"]
    assert (item.tier, item.required, item.shortfall) == ("重点", 3, 1)
    assert schedule.week_progress(ledger, D("2026-11-16"), [both])[both].required == 3
    # without plans of their own the settings' per-tier plan holds again
    group_plans.put(ledger, {}, group_plans.KEY_RULES)
    assert "张德福" not in home(ledger, "2026-11-20")
    assert "张德福" not in remote(ledger, "2026-11-16")  # two calls were what the default 重点 plan asks


def test_a_group_plan_less_demanding_than_another_group_does_not_lower_the_visits(ledger):
    add(ledger, "张德福", 1, ability_level=3, tier="重点")  # 农村留守 and 失能
    group_plans.put(ledger, {"失能": {**PLAN, "key_home_days": 60, "general_home_days": 90}}, [])
    visit(ledger, 1, "2026-11-01")
    assert home(ledger, "2026-11-17")["张德福"].days_overdue == 1  # 农村留守 follows the default 15 days


def test_key_rules_make_an_elder_key_in_every_group(ledger):
    """Seed 003: 高龄, 失能, 独居, and children away with nobody close by → 重点, for 农村留守, 城市独居 and 特殊困难
    alike, whatever the tier on the record."""
    city = {"village": "城东社区", "rural_hukou": 0, "spouse": "一方健在"}
    cases = {
        "高龄留守": add(ledger, "高龄留守", 1, birth="19400101"),                                  # 86 → 高龄
        "失能独居": add(ledger, "失能独居", 3, ability_level=2, lives_alone=1, **city),               # 城市独居
        "无人特困": add(ledger, "无人特困", 5, family_planning_special=1, care="无人照料"),          # 特殊困难
        "一般城市": add(ledger, "一般城市", 7, supporters=(HOME,), **city),
        "有人照料": add(ledger, "有人照料", 9, family_planning_special=1),
    }
    for elder_id in cases.values():
        visit(ledger, elder_id, "2026-11-01")
    overdue = home(ledger, "2026-11-17")
    assert sorted(overdue) == ["失能独居", "无人特困", "高龄留守"]
    assert {overdue[n].tier for n in overdue} == {"重点"}
    assert group_plans.key_reasons(ledger, cases["失能独居"], TODAY) == [
        group_plans.KEY_RULE_LABELS["失能"], group_plans.KEY_RULE_LABELS["独居"]]
    assert group_plans.key_reasons(ledger, cases["无人特困"], TODAY) == [group_plans.KEY_RULE_LABELS["子女不在身边"]]
    assert group_plans.key_reasons(ledger, cases["一般城市"], TODAY) == []
    # 本月未上门 shows the tier the plan follows
    rows = {r["name"]: r["tier"] for r in schedule.unvisited_in_month(ledger, "2026-12")}
    assert rows["高龄留守"] == "重点" and rows["一般城市"] == "一般"
    # the rules in force are a setting: without them the tier on the record holds
    group_plans.put(ledger, {}, [])
    assert sorted(home(ledger, "2026-11-17")) == []


def test_a_key_rule_holds_from_the_day_its_fact_holds(ledger):
    e = add(ledger, "张德福", 1)
    visit(ledger, e, "2026-11-01")
    elders.save_elder(ledger, {"name": "张德福", "id_number": make_id("19550312", 1), "lives_alone": 1,
                               "care": "有人照料"}, elder_id=e, today=D("2026-11-18"))
    assert "张德福" not in home(ledger, "2026-11-17")  # not yet 独居 that day: 一般
    assert home(ledger, "2026-11-18")["张德福"].tier == "重点"


def test_plans_are_checked_naming_group_field_and_value(ledger):
    with pytest.raises(UserError) as bad:
        group_plans.put(ledger, {"城市独居": {**PLAN, "key_home_days": 0},
                                 "失能": {**PLAN, "key_home_days": 40, "general_home_days": 30},
                                 "外星人": PLAN,
                                 "重残": {**PLAN, "general_remote_per_week": "两次"}}, ["高龄", "富裕"])
    text = str(bad.value)
    assert "“城市独居”的重点对象上门巡访间隔（天）应在 1–90 之间，现为 0" in text
    assert "“失能”的重点对象上门巡访间隔（40 天）不能长于一般对象（30 天）" in text
    assert "巡访对象类别“外星人”不存在" in text
    assert "“重残”的一般对象每周电话视频巡访次数须为整数，现为“两次”" in text
    assert "列为重点巡访对象的情形“富裕”不在可选范围：高龄、失能、独居、子女不在身边" in text
    assert settings.get(ledger, "group_plans") == {}  # nothing saved
    group_plans.put(ledger, {"城市独居": {**PLAN, "key_home_days": "7"}}, ["独居", "高龄"])
    assert settings.get(ledger, "group_plans") == {"城市独居": {**PLAN, "key_home_days": 7}}
    assert settings.get(ledger, "plan_key_rules") == ["高龄", "独居"]  # in the rules' order


def test_most_demanding_takes_each_figure_from_the_plan_asking_most():
    a = group_plans.GroupPlan(15, 1, 30, 1)
    b = group_plans.GroupPlan(20, 3, 25, 0)
    assert group_plans.most_demanding([a, b]) == group_plans.GroupPlan(15, 3, 25, 1)


def test_the_overdue_list_with_group_plans_needs_no_write_lock(ledger, db_path):
    """The elders' own plans go to a temporary table of the reading connection: another program in the middle of
    saving does not hold the list up."""
    import sqlite3

    e = add(ledger, "张德福", 1, ability_level=3)
    group_plans.put(ledger, {"失能": {**PLAN, "key_home_days": 10}}, group_plans.KEY_RULES)
    visit(ledger, e, "2026-11-01")
    writer = sqlite3.connect(db_path, isolation_level=None, timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert home(ledger, "2026-11-12")["张德福"].days_overdue == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()
