import datetime as dt

import pytest
from conftest import VALID_IDS, make_id

from township_desk.models import audit, elders, settings
from township_desk.models.errors import UserError, ValidationError

TODAY = dt.date(2026, 11, 22)


def person(**extra):
    base = {"name": "张德福", "id_number": VALID_IDS[0], "village": "东风村", "phone": "13812345678"}
    base.update(extra)
    return base


def test_new_elder_gets_sex_and_birth_date_from_the_id_number(db):
    result = elders.save_elder(db, person(), today=TODAY)
    row = elders.get_elder(db, result.elder_id)
    assert (row["sex"], row["birth_date"]) == ("男", "1945-03-12")
    assert row["status"] == "在册" and row["entered_on"] == TODAY.isoformat()


def test_typed_sex_that_disagrees_is_a_warning_naming_both(db):
    result = elders.save_elder(db, person(sex="女"), today=TODAY)
    messages = [w.message for w in result.warnings if w.field == "sex"]
    assert messages and "女" in messages[0] and "男" in messages[0]


def test_typed_birth_date_that_disagrees_is_a_warning_naming_both(db):
    result = elders.save_elder(db, person(birth_date="1945年3月13日"), today=TODAY)
    message = next(w.message for w in result.warnings if w.field == "birth_date")
    assert "1945-03-13" in message and "1945-03-12" in message


def test_second_person_with_the_same_id_number_is_refused_naming_the_holder(db):
    elders.save_elder(db, person(), today=TODAY)
    with pytest.raises(ValidationError) as caught:
        elders.save_elder(db, person(name="王五", village="西河村"), today=TODAY)
    assert "东风村" in str(caught.value) and "张德福" in str(caught.value)
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 1


def test_bad_id_number_refuses_the_record_and_saves_nothing(db):
    with pytest.raises(ValidationError, match="校验不通过"):
        elders.save_elder(db, person(id_number="511102194503120011"), today=TODAY)
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM villages").fetchone()[0] == 0


def test_update_records_each_changed_field_in_the_audit_log(db):
    elder_id = elders.save_elder(db, person(), today=TODAY).elder_id
    result = elders.save_elder(db, person(phone="13900001111", current_address="东风村3组 A&B <楼>"),
                               elder_id=elder_id, today=TODAY)
    assert ("联系电话", "13812345678", "13900001111") in result.changes
    log = audit.entries(db, table="elders", record_id=elder_id)
    assert {e["field"] for e in log if e["action"] == "修改"} == {"phone", "current_address"}
    assert elders.get_elder(db, elder_id)["current_address"] == "东风村3组 A&B <楼>"


def test_status_change_keeps_the_person_and_their_history(db):
    elder_id = elders.save_elder(db, person(), today=TODAY).elder_id
    elders.change_status(db, elder_id, "已去世", TODAY, "病故")
    assert elders.get_elder(db, elder_id)["status"] == "已去世"
    history = elders.status_history(db, elder_id)
    assert [h["new_status"] for h in history] == ["在册", "已去世"]


def test_status_change_away_from_the_ledger_needs_a_reason(db):
    elder_id = elders.save_elder(db, person(), today=TODAY).elder_id
    with pytest.raises(UserError, match="原因"):
        elders.change_status(db, elder_id, "已迁出", TODAY, "")


def test_status_change_before_the_elder_entered_the_ledger_is_refused(db):
    elder_id = elders.save_elder(db, person(), today=TODAY).elder_id
    with pytest.raises(UserError, match="早于纳入台账日期"):
        elders.change_status(db, elder_id, "已迁出", "2026-10-01", "迁往外县")


def test_search_by_pinyin_initials_name_and_id_digits(db):
    elders.save_elder(db, person(), today=TODAY)
    elders.save_elder(db, person(name="单宝兰", id_number=VALID_IDS[1]), today=TODAY)
    names = lambda q: [r["name"] for r in elders.list_elders(db, elders.ElderQuery(search=q))]  # noqa: E731
    assert names("zdf") == ["张德福"]
    assert names("sbl") == ["单宝兰"]
    assert names("德福") == ["张德福"]
    assert names("19520708") == ["单宝兰"]


def test_search_by_full_pinyin_from_the_start_of_any_reading(db):
    elders.save_elder(db, person(), today=TODAY)
    elders.save_elder(db, person(name="单宝兰", id_number=VALID_IDS[1]), today=TODAY)
    elders.save_elder(db, person(name="曾国强", id_number=VALID_IDS[2]), today=TODAY)
    names = lambda q: sorted(r["name"] for r in elders.list_elders(db, elders.ElderQuery(search=q)))  # noqa: E731
    assert names("zhang") == ["张德福"]
    assert names("zhangd") == ["张德福"]
    assert names("zhangdefu") == ["张德福"]
    assert names("ZhangDefu") == ["张德福"]
    assert names("zhang de fu") == ["张德福"]
    assert names("shan") == ["单宝兰"]          # the surname reading, not dan
    assert names("shanbaolan") == ["单宝兰"]
    assert names("zengguoqiang") == ["曾国强"]
    assert names("defu") == []                  # from the start of a reading, not inside it
    assert names("zhangdefux") == []
    assert names("zdf") == ["张德福"]            # initials still work
    assert elders.count_elders(db, elders.ElderQuery(search="zhang")) == 1


def test_renamed_elder_is_found_by_the_new_full_pinyin(db):
    elder_id = elders.save_elder(db, person(), today=TODAY).elder_id
    elders.save_elder(db, {**person(name="李秀兰")}, elder_id=elder_id, today=TODAY)
    names = lambda q: [r["name"] for r in elders.list_elders(db, elders.ElderQuery(search=q))]  # noqa: E731
    assert names("lixiulan") == ["李秀兰"]
    assert names("zhang") == []


def test_older_ledger_is_backfilled_with_full_pinyin_by_migration_10(db_path):
    from township_desk.models import db as dbm
    from township_desk.models.migrations import STEPS, load_step

    database = dbm.connect(db_path)
    elders.save_elder(database, person(name="单宝兰"), today=TODAY)
    database.executescript(load_step(STEPS.index("0012_kept_last_home") + 1).UNDO)  # the later steps' too
    database.execute("DROP INDEX elders_name_search")
    database.execute("ALTER TABLE elders DROP COLUMN name_pinyin")
    database.execute(f"PRAGMA user_version = {STEPS.index('0010_name_pinyin')}")  # as the step before 10 left it
    database.close()

    database = dbm.connect(db_path)
    assert dbm.schema_version(database) == dbm.latest_version()
    found = [r["name"] for r in elders.list_elders(database, elders.ElderQuery(search="shanbao"))]
    assert found == ["单宝兰"]
    assert database.execute("SELECT row_version FROM elders").fetchall() == [(1,)]  # filling is no edit
    plan = database.execute("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM elders e WHERE e.name LIKE '%a%' "
                            "OR e.name_initials LIKE '%a%' OR e.name_pinyin LIKE '%a%'").fetchall()
    assert "elders_name_search" in str(plan)    # the search scans the narrow index, not the wide rows
    database.close()


def test_flag_filters_are_applied_in_sql(db):
    elders.save_elder(db, person(lives_alone=True, care="无人照料"), today=TODAY)
    elders.save_elder(db, person(name="李秀兰", id_number=make_id("19500101", 2), ability_level="中度失能"), today=TODAY)
    query = lambda *flags: [r["name"] for r in elders.list_elders(db, elders.ElderQuery(flags=flags, as_of=TODAY))]  # noqa: E731
    assert query("独居", "无人照料") == ["张德福"]
    assert query("失能") == ["李秀兰"]
    assert query("高龄") == ["张德福"]


def test_risk_grade_filter_is_applied_in_sql_with_never_graded_as_its_own_choice(db):
    ids = {}
    for n, (name, grade) in enumerate([("张德福", "高"), ("李秀英", "中"), ("王大山", "高"), ("周玉珍", None)]):
        ids[name] = elders.save_elder(db, person(name=name, id_number=VALID_IDS[n]), today=TODAY).elder_id
        db.execute("UPDATE elders SET risk_grade = ? WHERE id = ?", [grade, ids[name]])
    elders.change_status(db, ids["王大山"], "已去世", TODAY, "病故")

    def names(**filters):
        query = elders.ElderQuery(**filters)
        rows = [r["name"] for r in elders.list_elders(db, query, order_by="name")]
        assert elders.count_elders(db, query) == len(rows)
        return rows

    assert names(risk_grade="高") == ["王大山", "张德福"]
    assert names(risk_grade="高", status="在册") == ["张德福"]
    assert names(risk_grade="中") == ["李秀英"]
    assert names(risk_grade="低") == []
    assert names(risk_grade="未评估") == ["周玉珍"]
    assert len(names(risk_grade=None)) == 4


def test_an_unknown_risk_grade_filter_is_refused_naming_it(db):
    with pytest.raises(UserError, match="风险等级“极高”不在可选范围：高、中、低、未评估"):
        elders.list_elders(db, elders.ElderQuery(risk_grade="极高"))


def supporter(**extra):
    base = {"name": "张伟", "relation": "儿子", "away_since": "2019-03", "work_place": "深圳", "employer_type": "企业"}
    base.update(extra)
    return base


def test_eligibility_holds_for_an_elder_whose_children_work_away(db):
    rules = settings.get_all(db)
    verdict = elders.eligibility({"birth_date": "1945-03-12"}, [supporter()], rules, TODAY)
    assert verdict.holds and verdict.reasons == []


def test_eligibility_names_each_reason_it_fails(db):
    rules = settings.get_all(db)
    verdict = elders.eligibility({"birth_date": "1970-01-01", "rural_hukou": 0},
                                 [supporter(employer_type="事业单位"), supporter(name="张芳", away_since="2026-09")],
                                 rules, TODAY)
    text = "；".join(verdict.reasons)
    assert not verdict.holds
    assert "未满60周岁" in text and "不是农村户籍" in text and "事业单位" in text and "不满6个月" in text


def test_liaoning_profile_needs_a_year_away(db):
    settings.apply_profile(db, "辽宁")
    verdict = elders.eligibility({"birth_date": "1945-03-12"}, [supporter(away_since="2026-01")],
                                 settings.get_all(db), TODAY)
    assert not verdict.holds and "不满12个月" in verdict.reasons[0]


def test_supporter_present_without_capacity_still_counts_as_left_behind(db):
    verdict = elders.eligibility({"birth_date": "1945-03-12"}, [supporter(is_away=0, can_support=0)],
                                 settings.get_all(db), TODAY)
    assert verdict.holds
