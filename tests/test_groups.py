"""Visit groups (巡访对象类别, seed 003 and the national categories) on a real SQLite file: each group's rule and
exclusions with reasons, an override with its reason, the dated membership, and the command line."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import VALID_IDS, make_id
from township_desk.models import audit, elders, groups, schedule, settings, villages, visitors
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 22)
AWAY = {"name": "张小明", "relation": "儿子", "phone": "13900001111", "away_since": "2024-03", "is_away": 1}
HOME = {"name": "张小红", "relation": "女儿", "phone": "13900003333", "is_away": 0}


@pytest.fixture
def place(db):
    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "城东社区"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})


def add(db, id_number, supporters=(AWAY,), today=TODAY, **fields):
    data = {"name": "张德福", "id_number": id_number, "village": "青山村", "tier": "一般", "visitor": "王村官",
            "entered_on": "2026-01-05", **fields}
    return elders.save_elder(db, data, list(supporters), today=today).elder_id


def verdict(db, elder_id, group, on=TODAY):
    return next(m for m in groups.memberships(db, on, [elder_id])[elder_id] if m.group == group)


def test_rural_left_behind_follows_the_one_eligibility_rule_and_excludes_rural_extreme_poverty(db, place):
    settings.apply_profile(db, "四川·峨眉山")
    plain = add(db, VALID_IDS[0])
    poor = add(db, VALID_IDS[1], name="李秀英", hardship="特困")
    child_home = add(db, VALID_IDS[2], name="王大山", supporters=(HOME,))
    assert groups.names(groups.groups_of(db, plain, TODAY)) == ["农村留守", "空巢"]
    left = verdict(db, poor, "农村留守")
    assert not left.member and left.reasons == ["农村特困人员，按所选政策不认定为留守老年人"]
    assert verdict(db, child_home, "农村留守").reasons == ["赡养人张小红未外出务工且有赡养能力"]
    settings.apply_profile(db, "重庆")  # this profile does not exclude 特困
    assert verdict(db, poor, "农村留守").member


def test_an_elder_set_to_no_longer_left_behind_leaves_the_group(db, place):
    elder_id = add(db, VALID_IDS[0])
    elders.change_status(db, elder_id, "已不属于留守", "2026-10-01", "子女返乡")
    assert verdict(db, elder_id, "农村留守", dt.date(2026, 9, 30)).member
    assert verdict(db, elder_id, "农村留守").reasons == ["状态为“已不属于留守”"]


def test_urban_alone_and_its_exclusions_a_couple_living_together_is_not(db, place):
    city = {"village": "城东社区", "rural_hukou": 0, "lives_alone": 1}
    alone = add(db, VALID_IDS[0], spouse="一方健在", **city)
    couple = add(db, VALID_IDS[1], name="李秀英", spouse="双方健在", **city)
    poor = add(db, VALID_IDS[2], name="王大山", spouse="一方健在", hardship="特困", **city)
    child_near = add(db, make_id("19400101", 5), name="赵金花", spouse="一方健在", supporters=(HOME,), **city)
    young = add(db, make_id("19700101", 7), name="钱多多", spouse="一方健在", **city)
    rural = add(db, make_id("19400101", 9), name="孙老汉", spouse="一方健在", lives_alone=1)
    assert groups.names(groups.groups_of(db, alone, TODAY)) == ["城市独居", "独居", "空巢"]
    assert verdict(db, couple, "城市独居").reasons == ["夫妻共同生活（夫妻双方健在），不认定为城市独居老人"]
    assert verdict(db, poor, "城市独居").reasons == ["城市特困人员，不认定为城市独居老人"]
    assert verdict(db, child_near, "城市独居").reasons == ["赡养人张小红住在本地"]
    assert verdict(db, young, "城市独居").reasons == ["未满60周岁"]
    assert verdict(db, rural, "城市独居").reasons == ["农村户籍"]
    assert verdict(db, rural, "独居").member  # the national 独居 holds in the village too
    assert not verdict(db, alone, "农村留守").member  # a city household is not 农村留守
    assert verdict(db, alone, "农村留守").reasons == ["不是农村户籍"]


def test_a_child_at_home_without_means_keeps_the_elder_left_behind_but_not_an_empty_nest(db, place):
    elder_id = add(db, VALID_IDS[0], supporters=(AWAY, {**HOME, "can_support": 0}))
    assert verdict(db, elder_id, "农村留守").member
    assert verdict(db, elder_id, "空巢").reasons == ["赡养人张小红住在本地"]


def test_disabled_from_ability_level_and_severely_disabled_from_grade(db, place):
    light = add(db, VALID_IDS[0], ability_level=1)
    moderate = add(db, VALID_IDS[1], name="李秀英", ability_level="中度失能")
    grade_two = add(db, VALID_IDS[2], name="王大山", is_disabled=1, disability_grade="二级")
    grade_three = add(db, make_id("19400101", 5), name="赵金花", is_disabled=1, disability_grade="三级")
    assert verdict(db, light, "失能").reasons == ["能力等级为“轻度受损（轻度失能）”"]
    assert verdict(db, moderate, "失能").member
    assert verdict(db, grade_two, "重残").member
    assert verdict(db, grade_three, "重残").reasons == ["残疾等级为“三级”"]
    assert verdict(db, light, "重残").reasons == ["未登记残疾"]
    assert [groups.severe_grade(g) for g in ("1", "一级", "2级", "三级", "4", None)] == [True, True, True, False,
                                                                                          False, False]


def test_special_hardship_family_planning_is_derived_the_others_are_set_with_a_reason(db, place):
    planned = add(db, VALID_IDS[0], lost_only_child=1)
    veteran = add(db, VALID_IDS[1], name="李秀英")
    special = verdict(db, planned, "特殊困难")
    assert (special.member, special.sub_kind, special.source) == (True, "计划生育特殊家庭", "derived")
    assert not verdict(db, veteran, "特殊困难").member
    with pytest.raises(UserError, match="须填写原因"):
        groups.set_override(db, veteran, "特殊困难", True, " ", "2026-11-01", sub_kind="重点优抚")
    with pytest.raises(UserError, match="重点优抚、计划生育特殊家庭、其他"):
        groups.set_override(db, veteran, "特殊困难", True, "退役军人事务局名单", "2026-11-01")
    groups.set_override(db, veteran, "特殊困难", True, "退役军人事务局名单", "2026-11-01", sub_kind="重点优抚")
    special = verdict(db, veteran, "特殊困难")
    assert (special.member, special.sub_kind, special.source) == (True, "重点优抚", "override")
    assert special.reasons == ["经办人认定：退役军人事务局名单"]
    assert not verdict(db, veteran, "特殊困难", dt.date(2026, 10, 31)).member  # before the override
    log = audit.entries(db, table="elders", record_id=veteran)[0]
    assert (log["action"], log["field"]) == ("改定巡访对象类别", "特殊困难")
    assert log["new_value"] == "属于（重点优抚）（自 2026-11-01 起，退役军人事务局名单）"


def test_an_override_takes_an_elder_out_of_a_derived_group_from_its_day(db, place):
    elder_id = add(db, VALID_IDS[0], lives_alone=1)
    groups.set_override(db, elder_id, "独居", False, "老伴已回家同住", "2026-10-15")
    assert verdict(db, elder_id, "独居", dt.date(2026, 10, 14)).member
    out = verdict(db, elder_id, "独居")
    assert (out.member, out.source, out.reasons) == (False, "override", ["经办人认定：老伴已回家同住"])
    groups.set_override(db, elder_id, "独居", True, "老伴住院", "2026-11-10")  # ends the first
    assert verdict(db, elder_id, "独居", dt.date(2026, 11, 1)).member is False
    assert verdict(db, elder_id, "独居").member
    assert [(o["since"], o["until"]) for o in groups.overrides_of(db, elder_id)] == [
        ("2026-10-15", "2026-11-10"), ("2026-11-10", None)]


def test_a_month_before_a_change_keeps_the_old_groups(db, place):
    elder_id = add(db, VALID_IDS[0], today=dt.date(2026, 6, 1), lives_alone=0, ability_level=0)
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "lives_alone": 1, "ability_level": 3},
                      elder_id=elder_id, today=dt.date(2026, 9, 10))
    assert groups.names(groups.groups_of(db, elder_id, dt.date(2026, 8, 31))) == ["农村留守", "空巢"]
    assert groups.names(groups.groups_of(db, elder_id, dt.date(2026, 9, 30))) == ["农村留守", "独居", "空巢", "失能"]
    assert groups.members(db, "失能", dt.date(2026, 8, 31)) == []
    assert groups.members(db, "失能", dt.date(2026, 9, 30)) == [elder_id]


def test_the_sql_filter_and_an_unknown_group(db, place):
    alone = add(db, VALID_IDS[0], lives_alone=1)
    add(db, VALID_IDS[1], name="李秀英")
    where, params = groups.filter_sql(db, "独居", TODAY)
    assert [r[0] for r in db.execute(f"SELECT e.id FROM elders e WHERE {where}", params)] == [alone]
    with pytest.raises(UserError) as raised:
        groups.require("留守")
    assert str(raised.value) == "巡访对象类别“留守”不存在，可选：农村留守、城市独居、特殊困难、独居、空巢、失能、重残"


def test_overdue_narrows_to_a_group(db, place):
    alone = add(db, VALID_IDS[0], lives_alone=1)
    other = add(db, VALID_IDS[1], name="李秀英")
    assert {i.elder_id for i in schedule.overdue(db, TODAY)} == {alone, other}
    assert {i.elder_id for i in schedule.overdue(db, TODAY, group="独居")} == {alone}
    assert schedule.overdue(db, TODAY, group="独居", elder_ids=[other]) == []


def test_command_line_json_groups_and_filter(db_path, db, place, capsys):
    from township_desk.cli import main

    add(db, VALID_IDS[0], lives_alone=1)
    add(db, VALID_IDS[1], name="李秀英", ability_level=4)
    db.close()
    assert main(["elders", "--db", str(db_path), "--json"]) == 0
    listed = {i["name"]: i["groups"] for i in json.loads(capsys.readouterr().out)}
    assert listed == {"张德福": ["农村留守", "独居", "空巢"], "李秀英": ["农村留守", "空巢", "失能"]}
    assert main(["elders", "--db", str(db_path), "--group", "失能", "--json"]) == 0
    assert [i["name"] for i in json.loads(capsys.readouterr().out)] == ["李秀英"]
    assert main(["elders", "--db", str(db_path), "--group", "独居"]) == 0
    out = capsys.readouterr().out
    assert "张德福" in out and "李秀英" not in out and "农村留守、独居、空巢" in out
    assert main(["elders", "--db", str(db_path), "--group", "重残"]) == 0
    assert capsys.readouterr().out == "台账中没有属于“重残”的老人。\n"
    assert main(["overdue", "--db", str(db_path), "--as-of", "2026-11-22", "--group", "失能", "--json"]) == 0
    assert {i["name"] for i in json.loads(capsys.readouterr().out)} == {"李秀英"}
    for command in ("elders", "overdue"):
        assert main([command, "--db", str(db_path), "--group", "孤寡"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.endswith("巡访对象类别“孤寡”不存在，可选：农村留守、城市独居、特殊困难、独居、空巢、失能、重残")
        assert "\n" not in err
