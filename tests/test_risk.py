"""Risk grades: the factors and the rule at their edges, recording an assessment, who is due one."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from tests.conftest import VALID_IDS, make_id
from township_desk.models import ability, audit, elders, risk, settings
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 22)
YOUNG = make_id("19550315", 11)  # 71 on TODAY: no 高龄 factor


def elder(db, id_number=YOUNG, name="张德福", village="东风村", **extra) -> int:
    data = {"name": name, "id_number": id_number, "village": village, "entered_on": "2024-01-01"}
    data.update(extra)
    return elders.save_elder(db, data, today=TODAY).elder_id


def visit(db, elder_id, date, mode="上门", **ratings) -> None:
    row = {"elder_id": elder_id, "date": date, "mode": mode, **ratings}
    with db.atomic():
        db.execute(f"INSERT INTO visits ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def hazard(db, elder_id, found_on, resolved_on=None, description="电线老化裸露") -> None:
    with db.atomic():
        db.execute("INSERT INTO hazards(elder_id, found_on, description, resolved_on) VALUES (?,?,?,?)",
                   [elder_id, found_on, description, resolved_on])


def bare(**fields) -> dict:
    """An elders row with no factor, for the pure functions."""
    row = {"birth_date": "1950-01-01", "ability_level": 0, "has_dementia": 0, "lives_alone": 0, "care": "有人照料",
           "is_disabled": 0, "is_ill": 0, "hardship": "", "lost_only_child": 0}
    row.update(fields)
    return row


def factors(row, as_of=TODAY, open_hazard=False, last_visit=None):
    return risk.factors_of(row, open_hazard=open_hazard, last_visit=last_visit, as_of=as_of)


# ---------------------------------------------------------------- the rule, without a database


def test_no_factor_is_low():
    suggestion = risk.grade_for(factors(bare()))
    assert (suggestion.grade, suggestion.factors, suggestion.reasons) == ("低", [], ["无风险因素 → 低风险"])


def test_one_factor_is_medium():
    suggestion = risk.grade_for(factors(bare(lives_alone=1)))
    assert (suggestion.grade, suggestion.factors) == ("中", ["独居"])
    assert suggestion.reasons == ["共1项风险因素（独居） → 中风险"]


def test_two_factors_are_medium():
    assert risk.grade_for(factors(bare(lives_alone=1, hardship="特困"))).grade == "中"


def test_three_factors_are_high():
    suggestion = risk.grade_for(factors(bare(lives_alone=1, hardship="低保边缘", lost_only_child=1)))
    assert suggestion.grade == "高"
    assert suggestion.reasons == ["共3项风险因素（独居、经济困难、失独） → 高风险"]


def test_no_care_with_disabled_ability_is_high_with_only_two_factors():
    suggestion = risk.grade_for(factors(bare(care="无人照料", ability_level=2)))
    assert (suggestion.grade, suggestion.factors) == ("高", ["失能", "无人照料"])
    assert suggestion.reasons == ["无人照料且失能 → 高风险"]


def test_no_care_with_dementia_is_high():
    suggestion = risk.grade_for(factors(bare(care="无人照料", has_dementia=1)))
    assert (suggestion.grade, suggestion.reasons) == ("高", ["无人照料且失智 → 高风险"])


def test_disabled_ability_is_a_factor_from_level_2_not_level_1():
    assert factors(bare(ability_level=1)) == []
    assert factors(bare(ability_level=None)) == []
    assert factors(bare(ability_level=2)) == ["失能"]
    assert factors(bare(ability_level=4)) == ["失能"]


def test_aged_80_counts_from_the_80th_birthday():
    row = bare(birth_date="1946-11-22")
    assert factors(row, as_of=dt.date(2026, 11, 21)) == []
    assert factors(row, as_of=dt.date(2026, 11, 22)) == ["高龄"]


def test_every_ledger_factor_is_read_with_its_label():
    row = bare(birth_date="1940-01-01", ability_level=3, has_dementia=1, lives_alone=1, care="无人照料",
               is_disabled=1, is_ill=1, hardship="低保", lost_only_child=1)
    assert factors(row, open_hazard=True, last_visit={"date": "2026-11-01", "mood": "差"}) == list(risk.FACTORS)


def test_hardship_none_and_care_unknown_are_not_factors():
    assert factors(bare(hardship="", care=None)) == []


def test_unresolved_hazard_alone_is_high():
    suggestion = risk.grade_for(factors(bare(), open_hazard=True))
    assert (suggestion.grade, suggestion.factors) == ("高", ["存在未处置的风险隐患"])
    assert suggestion.reasons == ["存在未处置的风险隐患 → 高风险"]


def test_last_visit_rating_bad_or_unsafe_is_a_factor_naming_the_items():
    found = risk.factor_sources(bare(), open_hazard=False, as_of=TODAY,
                                last_visit={"date": "2026-11-10", "mode": "上门", "electric_safety": "不安全",
                                            "gas_safety": "安全", "mood": "差", "mobility": "中"})
    assert list(found) == ["最近一次巡访发现安全隐患或状况差"]
    assert found["最近一次巡访发现安全隐患或状况差"] == "2026-11-10 上门巡访发现：用电不安全、情绪状态差"
    assert factors(bare(), last_visit={"date": "2026-11-10", "mobility": "中", "gas_safety": "安全"}) == []


def test_unknown_factor_label_is_a_programming_error():
    with pytest.raises(ValueError):
        risk.grade_for(["孤寡"])


# ---------------------------------------------------------------- suggestions from the ledger


def test_resolved_hazard_is_no_factor_unresolved_one_is(db):
    eid = elder(db)
    hazard(db, eid, "2026-10-01", resolved_on="2026-10-05")
    assert risk.suggest(db, eid, TODAY).grade == "低"
    hazard(db, eid, "2026-11-01", description="灶台旁堆放柴草")
    suggestion = risk.suggest(db, eid, TODAY)
    assert (suggestion.grade, suggestion.factors) == ("高", ["存在未处置的风险隐患"])
    assert "2026-11-01 发现“灶台旁堆放柴草”" in suggestion.sources["存在未处置的风险隐患"]


def test_hazard_counts_only_between_found_and_resolved(db):
    eid = elder(db)
    hazard(db, eid, "2026-10-01", resolved_on="2026-10-20")
    assert risk.suggest(db, eid, "2026-09-30").grade == "低"    # not found yet
    assert risk.suggest(db, eid, "2026-10-01").grade == "高"    # found that day
    assert risk.suggest(db, eid, "2026-10-19").grade == "高"    # not resolved by then
    assert risk.suggest(db, eid, "2026-10-20").grade == "低"    # resolved that day


def test_the_last_visit_counts_but_an_older_visit_does_not(db):
    eid = elder(db)
    visit(db, eid, "2026-10-01", heating_safety="不安全", illness="差")
    suggestion = risk.suggest(db, eid, "2026-10-15")
    assert suggestion.factors == ["最近一次巡访发现安全隐患或状况差"]
    assert any("取暖不安全、疾病状况差" in r for r in suggestion.reasons)
    visit(db, eid, "2026-11-01", mode="电话", mood="良")
    assert risk.suggest(db, eid, TODAY).factors == []
    assert risk.suggest(db, eid, "2026-10-31").factors == ["最近一次巡访发现安全隐患或状况差"]


def test_suggestion_reasons_give_the_rule_then_each_factors_source(db):
    eid = elder(db, VALID_IDS[2], care="无人照料", ability_level=3)  # born 1938-11-25
    suggestion = risk.suggest(db, eid, TODAY)
    assert suggestion.factors == ["高龄", "失能", "无人照料"]
    assert suggestion.reasons[:2] == ["无人照料且失能 → 高风险", "共3项风险因素（高龄、失能、无人照料） → 高风险"]
    assert "高龄：2026-11-22 时 87 周岁（出生日期 1938-11-25）" in suggestion.reasons
    assert suggestion.sources["失能"] == "能力等级：重度受损（重度失能）"
    assert suggestion.rule_reasons() == suggestion.reasons[:2]


def test_unknown_elder_is_a_chinese_error(db):
    with pytest.raises(UserError, match="找不到编号为 99"):
        risk.suggest(db, 99, TODAY)


# ---------------------------------------------------------------- recording


def test_record_without_override_keeps_the_suggestion_and_sets_grade_and_tier(db):
    eid = elder(db, lives_alone=1)
    aid = risk.record_assessment(db, eid, date=TODAY, assessor="王专干", today=TODAY)
    row = risk.history(db, eid)[0]
    assert (row["id"], row["factors"], row["suggested_grade"], row["final_grade"], row["override_reason"]) == \
        (aid, ["独居"], "中", "中", None)
    record = elders.get_elder(db, eid)
    assert (record["risk_grade"], record["tier"]) == ("中", "重点")


def test_override_without_reason_is_refused_and_nothing_is_written(db):
    eid = elder(db, lives_alone=1)
    with pytest.raises(UserError, match="最终等级“高风险（一级）”与系统建议的“中风险（二级）”不同，须填写调整理由"):
        risk.record_assessment(db, eid, date=TODAY, assessor="王专干", final_grade="高", override_reason="  ",
                               today=TODAY)
    assert db.execute("SELECT COUNT(*) FROM assessments").fetchone()[0] == 0
    assert elders.get_elder(db, eid)["risk_grade"] is None


def test_override_with_reason_keeps_both_grades(db):
    eid = elder(db, lives_alone=1)
    risk.record_assessment(db, eid, date=TODAY, assessor="王专干", final_grade="高",
                           override_reason="冬季独自烧柴取暖，子女半年未归", today=TODAY)
    row = risk.history(db, eid)[0]
    assert (row["suggested_grade"], row["final_grade"], row["override_reason"]) == \
        ("中", "高", "冬季独自烧柴取暖，子女半年未归")
    assert elders.get_elder(db, eid)["risk_grade"] == "高"


def test_tier_follows_the_settings_mapping_and_changes_are_audited(db):
    settings.put(db, {"tier_for_medium": "一般"})
    eid = elder(db, hardship="低保")
    elders.save_elder(db, {"name": "张德福", "id_number": YOUNG, "tier": "重点"}, elder_id=eid, today=TODAY)
    aid = risk.record_assessment(db, eid, date=TODAY, assessor="王专干", today=TODAY)
    assert elders.get_elder(db, eid)["tier"] == "一般"
    log = audit.entries(db, table="elders", record_id=eid)
    changes = {(e["field"], e["old_value"], e["new_value"]) for e in log if e["action"] == "风险评估"}
    assert changes == {("risk_grade", None, "中"), ("tier", "重点", "一般")}
    added = audit.entries(db, table="assessments", record_id=aid)
    assert len(added) == 1 and "建议中，最终中" in added[0]["new_value"]


def test_an_older_assessment_entered_later_does_not_overwrite_the_current_grade(db):
    eid = elder(db, lives_alone=1)
    risk.record_assessment(db, eid, date="2026-06-01", assessor="王专干", final_grade="高", override_reason="独居且近期摔倒",
                           today=TODAY)
    risk.record_assessment(db, eid, date="2025-12-01", assessor="王专干", today=TODAY)
    record = elders.get_elder(db, eid)
    assert record["risk_grade"] == "高"
    assert [h["date"] for h in risk.history(db, eid)] == ["2026-06-01", "2025-12-01"]
    assert not [e for e in audit.entries(db, table="elders", record_id=eid)
                if e["action"] == "风险评估" and e["new_value"] == "中"]


def test_a_second_assessment_on_the_same_day_is_the_current_one(db):
    eid = elder(db, lives_alone=1)
    risk.record_assessment(db, eid, date=TODAY, assessor="王专干", today=TODAY)
    risk.record_assessment(db, eid, date=TODAY, assessor="王专干", final_grade="高", override_reason="复核后调高",
                           today=TODAY)
    assert elders.get_elder(db, eid)["risk_grade"] == "高"


def test_date_in_the_future_is_refused(db):
    eid = elder(db)
    with pytest.raises(UserError, match="评估日期 2026-11-23 晚于今天"):
        risk.record_assessment(db, eid, date="2026-11-23", assessor="王专干", today=TODAY)


def test_date_before_the_elder_entered_the_ledger_is_refused(db):
    eid = elder(db)
    with pytest.raises(UserError, match="评估日期 2023-12-31 早于张德福纳入台账的日期 2024-01-01"):
        risk.record_assessment(db, eid, date="2023-12-31", assessor="王专干", today=TODAY)


def test_elders_not_on_the_ledger_are_refused_but_temporarily_away_is_allowed(db):
    gone = elder(db)
    elders.change_status(db, gone, "已去世", TODAY, "病故")
    with pytest.raises(UserError, match="状态为“已去世”"):
        risk.record_assessment(db, gone, date=TODAY, assessor="王专干", today=TODAY)
    away = elder(db, VALID_IDS[1], name="刘秀英")
    elders.change_status(db, away, "暂离", TODAY, "住院")
    assert risk.record_assessment(db, away, date=TODAY, assessor="王专干", today=TODAY)


def test_assessor_is_required(db):
    eid = elder(db)
    with pytest.raises(UserError, match="请填写评估人"):
        risk.record_assessment(db, eid, date=TODAY, assessor=" ", today=TODAY)


def test_unknown_final_grade_is_refused(db):
    eid = elder(db)
    with pytest.raises(UserError, match="最终等级“极高”不在可选范围"):
        risk.record_assessment(db, eid, date=TODAY, assessor="王专干", final_grade="极高", today=TODAY)


def test_ability_result_is_stored_sets_the_ledger_level_and_counts_as_disabled(db):
    eid = elder(db, care="无人照料", ability_level=0)
    answers = {item.code: item.max_score for item in ability.ITEMS}
    answers.update({"B.1.3": 0, "B.1.4": 0, "B.1.5": 0, "B.2.3": 1, "B.2.4": 0, "B.4.4": 2})  # 90 - 19 = 71
    result = ability.assess(answers, risk_events_30d=2)  # 轻度 → 中度
    assert (result.total, result.level) == (71, 2)
    risk.record_assessment(db, eid, date=TODAY, assessor="王专干", ability=result, today=TODAY)
    row = risk.history(db, eid)[0]
    assert (row["ability_score"], row["ability_level"], row["suggested_grade"]) == (71, 2, "高")
    assert row["ability_items"]["items"]["B.2.3"] == 1 and row["ability_items"]["risk_events_30d"] == 2
    assert row["factors"] == ["失能", "无人照料"]
    assert elders.get_elder(db, eid)["ability_level"] == 2
    entry = next(e for e in audit.entries(db, table="elders", record_id=eid) if e["field"] == "ability_level")
    assert (entry["old_value"], entry["new_value"]) == ("能力完好", "中度受损（中度失能）")
    assert risk.latest_ability(db, eid)["items"] == result.answers


def test_incomplete_ability_answers_are_refused_before_anything_is_written(db):
    eid = elder(db)
    with pytest.raises(UserError, match="未填"):
        risk.record_assessment(db, eid, date=TODAY, assessor="王专干", ability={"items": {"B.1.1": 4}}, today=TODAY)
    assert db.execute("SELECT COUNT(*) FROM assessments").fetchone()[0] == 0


# ---------------------------------------------------------------- who is due


def assessed(db, eid, date):
    risk.record_assessment(db, eid, date=date, assessor="王专干", today=TODAY)


def test_due_after_more_than_365_days_exactly_365_is_not_due(db):
    on_time = elder(db)
    late = elder(db, VALID_IDS[1], name="刘秀英")
    assessed(db, on_time, TODAY - dt.timedelta(days=365))
    assessed(db, late, TODAY - dt.timedelta(days=366))
    due = risk.assessments_due(db, TODAY)
    assert [(d["name"], d["last_assessed"], d["days_since"]) for d in due] == [("刘秀英", "2025-11-21", 366)]


def test_never_assessed_come_first_then_the_oldest(db):
    newer = elder(db)
    older = elder(db, VALID_IDS[1], name="刘秀英", village="西河村")
    never = elder(db, VALID_IDS[2], name="李桂兰")
    assessed(db, newer, "2025-06-01")
    assessed(db, older, "2024-03-01")
    due = risk.assessments_due(db, TODAY)
    assert [d["elder_id"] for d in due] == [never, older, newer]
    first = due[0]
    assert (first["last_assessed"], first["days_since"], first["id_number"], first["village"], first["tier"],
            first["risk_grade"]) == (None, None, VALID_IDS[2], "东风村", "重点", None)  # 88: 高龄 → 中 → 重点 meanwhile
    assert [d["elder_id"] for d in risk.assessments_due(db, TODAY, village="西河村")] == [older]
    assert risk.count_due(db, TODAY) == 3
    assessed(db, never, TODAY)
    assert risk.count_due(db, TODAY) == 2


def test_elders_not_on_the_ledger_are_not_due(db):
    for number, (name, status) in enumerate((("甲", "暂离"), ("乙", "已迁出"), ("丙", "已去世"))):
        eid = elder(db, [YOUNG, VALID_IDS[1], VALID_IDS[3]][number], name=f"张{name}")
        elders.change_status(db, eid, status, TODAY, "测试")
    assert risk.assessments_due(db, TODAY) == []


def test_an_assessment_after_the_as_of_date_does_not_count(db):
    eid = elder(db)
    assessed(db, eid, "2026-11-01")
    assert [d["elder_id"] for d in risk.assessments_due(db, "2026-10-31")] == [eid]
    assert risk.assessments_due(db, TODAY) == []


def test_history_is_newest_first_with_factors_decoded(db):
    eid = elder(db, lives_alone=1)
    assessed(db, eid, "2025-01-10")
    assessed(db, eid, "2026-01-10")
    rows = risk.history(db, eid)
    assert [r["date"] for r in rows] == ["2026-01-10", "2025-01-10"]
    assert rows[0]["factors"] == ["独居"] and rows[0]["ability_items"] is None
    assert json.loads(db.execute("SELECT factors FROM assessments LIMIT 1").fetchone()[0]) == ["独居"]


def test_due_list_of_30000_elders_is_one_fast_query(db):
    """The dashboard asks for it on every refresh: 30,000 elders, half assessed, well under 100 ms."""
    with db.atomic():
        db.execute("INSERT INTO villages(name) VALUES ('东风村')")
        db.conn.executemany(
            "INSERT INTO elders(id, id_number, name, sex, birth_date, village_id, entered_on) VALUES (?,?,?,?,?,1,?)",
            [(n, make_id("19500101", n % 1000) + str(n), f"老人{n}", "男", "1950-01-01", "2020-01-01")
             for n in range(1, 30001)])
        db.conn.executemany(
            "INSERT INTO assessments(elder_id, date, factors, suggested_grade, final_grade) VALUES (?,?,'[]','低','低')",
            [(n, (TODAY - dt.timedelta(days=n % 700)).isoformat()) for n in range(1, 30001, 2)])
    risk.assessments_due(db, TODAY)  # warm the page cache
    started = time.perf_counter()
    due = risk.assessments_due(db, TODAY)
    elapsed = time.perf_counter() - started
    expected_assessed_due = sum(1 for n in range(1, 30001, 2) if n % 700 > 365)
    assert len(due) == 15000 + expected_assessed_due == risk.count_due(db, TODAY)
    assert elapsed < 0.5, f"assessments_due took {elapsed * 1000:.0f} ms"


# ---------------------------------------------------------------- before the first assessment (待评估)


def test_a_new_elder_who_should_be_key_is_key_from_entry(db):
    """An unassessed 86-year-old living alone with ability level 3 is entered with tier 一般 as typed: the suggested
    grade (高) makes them 重点 at once, the clerk is told why, and they are on the 待评估 list."""
    result = elders.save_elder(db, {"name": "王老汉", "id_number": make_id("19400305", 31), "village": "东风村",
                                 "lives_alone": "是", "ability_level": 3, "tier": "一般",
                                 "entered_on": "2026-11-20"}, today=TODAY)
    e = elders.get_elder(db, result.elder_id)
    assert (e["tier"], e["risk_grade"]) == ("重点", None)
    note = [w.message for w in result.warnings if w.field == "tier"]
    assert note == ["尚未做风险评估（待评估）：系统建议高风险（一级）（高龄、失能、独居），巡访类别暂按“重点”，评估后按评估结果确定"]
    assert [d["name"] for d in risk.assessments_due(db, TODAY)] == ["王老汉"]
    from township_desk.models import schedule

    assert schedule.plans(db)["重点"].home_days == 15  # visited every half month, not monthly


def test_while_unassessed_an_edit_that_adds_a_factor_moves_the_tier_and_is_audited(db):
    eid = elder(db)                                                  # 71, no factor: 一般
    assert elders.get_elder(db, eid)["tier"] == "一般"
    result = elders.save_elder(db, {"name": "张德福", "id_number": YOUNG, "care": "无人照料"}, elder_id=eid,
                               today=TODAY)
    assert elders.get_elder(db, eid)["tier"] == "重点"
    assert ("巡访类别", "一般", "重点") in result.changes
    log = audit.entries(db, table="elders", record_id=eid)
    assert [(e["field"], e["old_value"], e["new_value"]) for e in log if e["action"] == "待评估"] == \
        [("tier", "一般", "重点")]


def test_the_provisional_tier_follows_the_settings_mapping_and_keeps_a_chosen_key_tier(db):
    settings.put(db, {"tier_for_medium": "一般"})
    assert elders.get_elder(db, elder(db, VALID_IDS[0]))["tier"] == "一般"        # 81: 中 → 一般 here
    assert elders.get_elder(db, elder(db, VALID_IDS[1], name="刘秀英", tier="重点"))["tier"] == "重点"


def test_once_assessed_the_assessment_decides_and_edits_no_longer_move_the_tier(db):
    eid = elder(db, VALID_IDS[0])                                    # 81: 高龄 → 中 → 重点 meanwhile
    assert elders.get_elder(db, eid)["tier"] == "重点"
    risk.record_assessment(db, eid, date=TODAY, assessor="王专干", final_grade="低", override_reason="子女已返乡照料",
                           today=TODAY)
    assert elders.get_elder(db, eid)["tier"] == "一般"
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "phone": "13800001111"}, elder_id=eid,
                      today=TODAY)
    assert elders.get_elder(db, eid)["tier"] == "一般"
