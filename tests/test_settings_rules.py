"""The settings' rules live in models/settings.py: ``put`` refuses, with a Chinese message naming the value, what the
settings page refuses, so nothing that calls the model (the command line, the demo, a script) can store it."""

from __future__ import annotations

import pytest

from township_desk.models import settings
from township_desk.models.errors import ValidationError


def stored(db, key):
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize(("values", "message"), [
    ({"min_age": 99}, "最低年龄（周岁）应为 50 到 80 之间的整数，实为“99”"),
    ({"min_absence_months": 0}, "赡养人外出最短月数应为 1 到 60 之间的整数，实为“0”"),
    ({"plan_key_home_days": 0}, "重点对象上门巡访间隔（天）应为 1 到 90 之间的整数，实为“0”"),
    ({"plan_general_remote_per_week": 15}, "一般对象每周电话视频巡访次数应为 0 到 14 之间的整数，实为“15”"),
    ({"plan_key_home_days": "半个月"}, "应为 1 到 90 之间的整数，实为“半个月”"),
    ({"township_name": "  "}, "请填写乡镇（街道）名称"),
    ({"county_name": "峨" * 31}, "超过 30 个字"),
    ({"preparer": "张3"}, "填表人：姓名“张3”含有数字"),
    ({"policy_profile": "上海"}, "认定政策“上海”不在可选范围：宁波、辽宁、重庆、四川·峨眉山"),
    ({"tier_for_high": "特别"}, "高风险对应巡访类别“特别”不在可选范围：重点、一般"),
    ({"exclude_state_employers": "也许"}, "应为“是”或“否”"),
    ({"plan_key_home_days": 40}, "重点对象的上门巡访间隔（40 天）不能长于一般对象（30 天）"),
    ({"plan_general_remote_per_week": 3}, "重点对象每周电话视频巡访次数（2 次）不能少于一般对象（3 次）"),
    # the group plans and the 重点 rules are two rows of the same table (``RULES``), not checked apart
    ({"group_plans": {"外星人": {}}}, "巡访对象类别“外星人”不存在"),
    ({"group_plans": {"失能": {"key_home_days": 40, "key_remote_per_week": 2, "general_home_days": 30,
                               "general_remote_per_week": 1}}},
     "“失能”的重点对象上门巡访间隔（40 天）不能长于一般对象（30 天）"),
    ({"group_plans": "每周一次"}, "各类对象巡访频次的格式不对"),
    ({"plan_key_rules": ["高龄", "富裕"]}, "列为重点巡访对象的情形“富裕”不在可选范围：高龄、失能、独居、子女不在身边"),
    ({"plan_key_rules": "高龄"}, "列为重点巡访对象的情形的格式不对"),
])
def test_a_value_the_page_refuses_is_refused_by_the_model_and_nothing_is_stored(db, values, message):
    with pytest.raises(ValidationError) as refused:
        settings.put(db, {"township_name": "青山镇", **values} if "township_name" not in values else values)
    assert message in str(refused.value) and str(refused.value).startswith("设置未保存：")
    assert len(refused.value.problems) == 1  # (key, message): the page shows it beside that key's box
    assert stored(db, next(iter(values))) is None and stored(db, "township_name") is None  # nothing at all


def test_names_are_stored_trimmed_and_the_phone_as_digits_a_doubtful_phone_is_kept(db):
    settings.put(db, {"township_name": " 青山 镇 ", "office_phone": "0833-552 2110", "preparer": "王 专干"})
    assert (settings.get(db, "township_name"), settings.get(db, "office_phone"), settings.get(db, "preparer")) == \
        ("青山镇", "0833-5522110", "王专干")
    checked = settings.check({"office_phone": "552211"})
    assert not checked.problems and "不是11位手机号" in checked.warnings[0][1]
    settings.put(db, {"office_phone": "552211"})
    assert settings.get(db, "office_phone") == "552211"


def test_numbers_typed_as_text_are_stored_as_numbers(db):
    settings.put(db, {"plan_general_home_days": "45"})
    assert settings.get(db, "plan_general_home_days") == 45


def test_the_plan_rule_uses_the_stored_value_of_the_other_tier(db):
    settings.put(db, {"plan_general_home_days": 60})
    settings.put(db, {"plan_key_home_days": 45})  # fine against the stored 60
    with pytest.raises(ValidationError, match="不能长于一般对象（44 天）"):
        settings.put(db, {"plan_general_home_days": 44, "plan_key_home_days": 45})


def test_a_key_without_a_rule_is_stored_as_given(db):
    settings.put(db, {"demo_seed": 7})
    assert settings.get(db, "demo_seed") == 7


def test_the_spin_boxes_take_their_ranges_from_the_model():
    assert settings.value_range("min_age") == (50, 80)
    assert settings.value_range("plan_general_home_days") == (1, 180)


def test_the_group_plans_and_key_rules_are_rows_of_the_one_rules_table(db):
    from township_desk.models import group_plans

    assert {"group_plans", "plan_key_rules"} <= set(settings.RULES)
    checked = settings.check({"plan_key_rules": ["独居", "高龄", "独居"],
                              "group_plans": {"城市独居": {"key_home_days": "7", "key_remote_per_week": 2,
                                                       "general_home_days": 30, "general_remote_per_week": 1}}})
    assert checked.problems == []
    assert checked.values["plan_key_rules"] == ["高龄", "独居"]  # the rules' order, once each
    assert checked.values["group_plans"]["城市独居"]["key_home_days"] == 7
    settings.put(db, {"township_name": "青山镇", **checked.values})
    own, rules = group_plans.stored(settings.get_all(db))
    assert rules == ["高龄", "独居"] and own["城市独居"].key_home_days == 7
