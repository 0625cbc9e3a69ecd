"""Festival and extreme-weather campaigns: lunar dates, windows, the group, planning, progress, list."""

import datetime as dt

import pytest
from conftest import VALID_IDS, make_id

from township_desk.models import audit, campaigns, elders
from township_desk.models.campaigns import GroupFilter
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 22)
D = dt.date


@pytest.fixture
def ledger(db):
    """Six elders in two villages; two of them not 在册. Returns {name: elder_id}."""
    people = [
        # name, id, village, extra
        ("张德福", VALID_IDS[0], "东风村", {"tier": "重点", "lives_alone": "是", "visitor": "赵会计",
                                           "visitor_phone": "13800001111"}),          # 81: 高龄
        ("刘秀英", VALID_IDS[1], "东风村", {"tier": "一般", "care": "无人照料"}),        # 74
        ("王大山", VALID_IDS[2], "西河村", {"tier": "重点", "ability_level": 3}),       # 88: 高龄, 失能
        ("李桂兰", VALID_IDS[3], "东风村", {"tier": "重点", "lives_alone": "是", "status": "暂离"}),
        ("陈有福", make_id("19500101", 11), "东风村", {"tier": "重点", "status": "已去世"}),
        ("周玉珍", make_id("19550505", 22), "西河村", {"tier": "一般"}),
    ]
    ids = {}
    for name, id_number, village, extra in people:
        ids[name] = elders.save_elder(db, {"name": name, "id_number": id_number, "village": village, **extra},
                                      today=TODAY).elder_id
    grades = {"张德福": "高", "刘秀英": "低", "王大山": "中", "李桂兰": "高", "陈有福": "高"}  # 周玉珍 未评估
    tiers = {name: extra["tier"] for name, _id, _village, extra in people}  # as graded (unassessed follow the rule)
    with db.atomic():
        for name, grade in grades.items():
            db.execute("UPDATE elders SET risk_grade = ?, tier = ? WHERE id = ?", [grade, tiers[name], ids[name]])
    return ids


def visit(db, elder_id, date, mode="上门", campaign_id=None):
    db.execute("INSERT INTO visits(elder_id, date, mode, campaign_id) VALUES (?, ?, ?, ?)",
               [elder_id, date, mode, campaign_id])


def count(db, table):
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("kind", "year", "expected"), [
    ("春节", 2026, D(2026, 2, 17)), ("春节", 2027, D(2027, 2, 6)),
    ("重阳节", 2026, D(2026, 10, 18)), ("重阳节", 2025, D(2025, 10, 29)),  # 2025 has a leap 6th month
])
def test_festival_dates_come_from_the_lunar_calendar(kind, year, expected):
    assert campaigns.festival_date(kind, year) == expected


def test_festival_date_of_a_kind_that_is_no_festival_is_refused():
    with pytest.raises(UserError, match="极端天气"):
        campaigns.festival_date("极端天气", 2026)


def test_spring_festival_window_is_the_two_weeks_up_to_the_festival():
    assert campaigns.suggested_window("春节", 2027) == (D(2027, 1, 23), D(2027, 2, 6))


def test_double_ninth_window_is_the_week_around_the_festival():
    assert campaigns.suggested_window("重阳节", 2026) == (D(2026, 10, 15), D(2026, 10, 21))


def test_festival_year_moves_on_once_this_years_window_has_ended():
    assert campaigns.festival_year("重阳节", D(2026, 10, 21)) == 2026
    assert campaigns.festival_year("重阳节", D(2026, 10, 22)) == 2027
    assert campaigns.festival_year("春节", TODAY) == 2027


def test_next_festivals_are_the_coming_ones_soonest_first():
    assert campaigns.next_festivals(TODAY) == [("春节", D(2027, 2, 6)), ("重阳节", D(2027, 10, 8))]
    assert campaigns.next_festivals(D(2026, 10, 18))[0] == ("重阳节", D(2026, 10, 18))


def test_default_window_for_extreme_weather_is_a_few_days_from_today():
    assert campaigns.default_window("极端天气", TODAY) == (TODAY, TODAY + dt.timedelta(days=3))
    assert campaigns.default_window("其他", TODAY) == (TODAY, TODAY + dt.timedelta(days=14))
    assert campaigns.default_window("春节", TODAY) == (D(2027, 1, 23), D(2027, 2, 6))


def test_default_names_say_year_and_festival_or_weather():
    assert campaigns.default_name("春节", D(2027, 1, 23), 2027) == "2027年春节走访慰问"
    assert campaigns.default_name("重阳节", D(2026, 10, 15)) == "2026年重阳节走访慰问"
    assert campaigns.default_name("极端天气", D(2026, 7, 20), weather="高温") == "2026年7月高温天气巡访"


# ---------------------------------------------------------------- the group


def names(db, ids):
    by_id = dict(db.execute("SELECT id, name FROM elders").fetchall())
    return sorted(by_id[i] for i in ids)


def test_whole_township_group_is_only_the_elders_on_the_ledger(db, ledger):
    chosen = campaigns.select_group(db, GroupFilter(), TODAY)
    assert names(db, chosen) == sorted(["张德福", "刘秀英", "王大山", "周玉珍"])  # not 暂离, not 已去世


@pytest.mark.parametrize(("group", "expected"), [
    (GroupFilter(village="东风村"), ["刘秀英", "张德福"]),
    (GroupFilter(tier="重点"), ["张德福", "王大山"]),
    (GroupFilter(flags=("独居",)), ["张德福"]),
    (GroupFilter(flags=("高龄",)), ["张德福", "王大山"]),
    (GroupFilter(flags=("高龄", "失能")), ["王大山"]),
    (GroupFilter(flags=("无人照料",)), ["刘秀英"]),
    (GroupFilter(risk_grade="高"), ["张德福"]),
    (GroupFilter(risk_grade="未评估"), ["周玉珍"]),
    (GroupFilter(risk_grade="中"), ["王大山"]),
    (GroupFilter(village="东风村", risk_grade="高"), ["张德福"]),       # 李桂兰 (高) is 暂离
    (GroupFilter(tier="重点", risk_grade="低"), []),
    (GroupFilter(village="西河村", tier="一般"), ["周玉珍"]),
    (GroupFilter(search="刘秀英"), ["刘秀英"]),
])
def test_group_selection_by_village_tier_flags_and_grade(db, ledger, group, expected):
    assert names(db, campaigns.select_group(db, group, TODAY)) == sorted(expected)


def test_high_age_is_counted_at_the_date_given(db, ledger):
    # 周玉珍 (born 1955-05-05) is 80 from 2035-05-05 on.
    before = campaigns.select_group(db, GroupFilter(flags=("高龄",)), D(2035, 5, 4))
    after = campaigns.select_group(db, GroupFilter(flags=("高龄",)), D(2035, 5, 5))
    assert ledger["周玉珍"] not in before and ledger["周玉珍"] in after


@pytest.mark.parametrize(("group", "word"), [
    (GroupFilter(tier="特别"), "特别"), (GroupFilter(flags=("贫困",)), "贫困"), (GroupFilter(risk_grade="极高"), "极高"),
])
def test_group_with_an_unknown_value_is_refused_naming_it(db, ledger, group, word):
    with pytest.raises(UserError, match=word):
        campaigns.select_group(db, group, TODAY)


# ---------------------------------------------------------------- planning


def test_plan_campaign_stores_campaign_group_and_audit_entry(db, ledger):
    ids = campaigns.select_group(db, GroupFilter(village="东风村"), TODAY)
    campaign_id = campaigns.plan_campaign(db, name=" 2027年春节走访慰问 ", kind="春节", start="2027-01-23",
                                          end=D(2027, 2, 6), elder_ids=ids + ids[:1], notes="带米面油")
    row = campaigns.get_campaign(db, campaign_id)
    assert (row["name"], row["kind"], row["start_date"], row["end_date"], row["notes"]) == \
        ("2027年春节走访慰问", "春节", "2027-01-23", "2027-02-06", "带米面油")
    members = {r[0] for r in db.execute("SELECT elder_id FROM campaign_elders WHERE campaign_id = ?", [campaign_id])}
    assert members == set(ids)
    entry = audit.entries(db, table="campaigns", record_id=campaign_id)[0]
    assert entry["action"] == "新增" and "2 人" in entry["new_value"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": "  "}, "名称不能为空"),
    ({"kind": "端午节"}, "端午节"),
    ({"start": "2027-02-06", "end": "2027-01-23"}, "结束日期 2027-01-23 早于开始日期 2027-02-06"),
    ({"end": "2027-02-30"}, "2027-02-30"),
    ({"elder_ids": []}, "巡访对象为空"),
    ({"elder_ids": "dead"}, "陈有福（已去世）不在册"),
    ({"elder_ids": [99999]}, "99999"),
])
def test_plan_refuses_bad_input_and_writes_nothing(db, ledger, changes, message):
    audit_before = count(db, "audit_log")
    args = {"name": "2027年春节走访慰问", "kind": "春节", "start": "2027-01-23", "end": "2027-02-06",
            "elder_ids": [ledger["张德福"]]}
    args.update(changes)
    if args["elder_ids"] == "dead":
        args["elder_ids"] = [ledger["张德福"], ledger["陈有福"]]
    with pytest.raises(UserError) as caught:
        campaigns.plan_campaign(db, **args)
    assert message in str(caught.value)
    assert count(db, "campaigns") == 0 and count(db, "campaign_elders") == 0
    assert count(db, "audit_log") == audit_before


def test_a_second_campaign_with_the_same_name_is_refused(db, ledger):
    args = {"name": "2026年重阳节走访慰问", "kind": "重阳节", "start": "2026-10-15", "end": "2026-10-21",
            "elder_ids": [ledger["张德福"]]}
    campaigns.plan_campaign(db, **args)
    with pytest.raises(UserError, match="已有名为“2026年重阳节走访慰问”"):
        campaigns.plan_campaign(db, **args)
    assert count(db, "campaigns") == 1


# ---------------------------------------------------------------- progress and list


@pytest.fixture
def festival(db, ledger):
    """春节 2027 (2027-01-23 to 2027-02-06) for 张德福, 刘秀英, 王大山, 周玉珍."""
    return campaigns.plan_campaign(db, name="2027年春节走访慰问", kind="春节", start="2027-01-23", end="2027-02-06",
                                   elder_ids=campaigns.select_group(db, GroupFilter(), TODAY))


def by_name(progress):
    return {r["name"]: r for r in progress["rows"]}


def test_progress_counts_campaign_visits_and_home_visits_in_the_window_only(db, ledger, festival):
    visit(db, ledger["张德福"], "2027-01-25", campaign_id=festival)    # recorded under the campaign
    visit(db, ledger["刘秀英"], "2027-02-01")                          # plain home visit inside the window
    visit(db, ledger["王大山"], "2027-01-10")                          # home visit before the window
    visit(db, ledger["周玉珍"], "2027-01-30", mode="电话")              # a call inside the window
    progress = campaigns.campaign_progress(db, festival)
    rows = by_name(progress)
    assert rows["张德福"]["visited_on"] == "2027-01-25" and rows["张德福"]["recorded_under"]
    assert rows["刘秀英"]["visited_on"] == "2027-02-01" and not rows["刘秀英"]["recorded_under"]
    assert rows["王大山"]["visited_on"] is None and rows["周玉珍"]["visited_on"] is None
    assert (progress["visited"], progress["total"]) == (2, 4)
    assert progress["campaign"]["name"] == "2027年春节走访慰问"


def test_progress_shows_visitor_and_phone_of_each_elder(db, ledger, festival):
    row = by_name(campaigns.campaign_progress(db, festival))["张德福"]
    assert (row["village"], row["visitor"], row["visitor_phone"]) == ("东风村", "赵会计", "13800001111")


def test_a_late_visit_recorded_under_the_campaign_still_counts_with_its_first_date(db, ledger, festival):
    visit(db, ledger["王大山"], "2027-02-10", campaign_id=festival)
    visit(db, ledger["王大山"], "2027-02-08", campaign_id=festival)
    assert by_name(campaigns.campaign_progress(db, festival))["王大山"]["visited_on"] == "2027-02-08"


def test_a_call_recorded_under_the_campaign_is_shown_but_is_no_visit(db, ledger, festival):
    visit(db, ledger["周玉珍"], "2027-01-28", mode="视频", campaign_id=festival)
    row = by_name(campaigns.campaign_progress(db, festival))["周玉珍"]
    assert row["visited_on"] is None and row["remote_on"] == "2027-01-28"


def test_list_campaigns_newest_first_with_visited_and_total(db, ledger, festival):
    autumn = campaigns.plan_campaign(db, name="2026年重阳节走访慰问", kind="重阳节", start="2026-10-15",
                                     end="2026-10-21", elder_ids=[ledger["张德福"], ledger["王大山"]])
    heat = campaigns.plan_campaign(db, name="2026年7月高温天气巡访", kind="极端天气", start="2026-07-20",
                                   end="2026-07-23", elder_ids=[ledger["周玉珍"]])
    visit(db, ledger["张德福"], "2026-10-16")
    visit(db, ledger["王大山"], "2026-10-19", campaign_id=autumn)
    visit(db, ledger["张德福"], "2027-01-30", campaign_id=festival)
    visit(db, ledger["周玉珍"], "2026-07-21", mode="电话")
    listed = [(r["id"], r["visited"], r["total"]) for r in campaigns.list_campaigns(db)]
    assert listed == [(festival, 1, 4), (autumn, 2, 2), (heat, 0, 1)]


def test_list_of_no_campaigns_is_empty(db):
    assert campaigns.list_campaigns(db) == []


# ---------------------------------------------------------------- changing the group and the campaign


def test_add_elders_skips_those_already_in_and_refuses_elders_not_on_the_ledger(db, ledger):
    campaign_id = campaigns.plan_campaign(db, name="寒潮", kind="极端天气", start="2026-12-01", end="2026-12-03",
                                          elder_ids=[ledger["张德福"]])
    assert campaigns.add_elders(db, campaign_id, [ledger["张德福"], ledger["刘秀英"]]) == 1
    with pytest.raises(UserError, match="李桂兰（暂离）不在册"):
        campaigns.add_elders(db, campaign_id, [ledger["周玉珍"], ledger["李桂兰"]])
    assert campaigns.campaign_progress(db, campaign_id)["total"] == 2
    assert audit.entries(db, table="campaigns", record_id=campaign_id)[0]["new_value"] == "刘秀英"


def test_remove_elder_is_refused_once_visited_under_the_campaign(db, ledger, festival):
    visit(db, ledger["张德福"], "2027-01-25", campaign_id=festival)
    with pytest.raises(UserError, match="张德福 已于 2027-01-25"):
        campaigns.remove_elder(db, festival, ledger["张德福"])
    campaigns.remove_elder(db, festival, ledger["刘秀英"])
    rows = by_name(campaigns.campaign_progress(db, festival))
    assert "张德福" in rows and "刘秀英" not in rows
    with pytest.raises(UserError, match="不在"):
        campaigns.remove_elder(db, festival, ledger["刘秀英"])


def test_update_campaign_changes_dates_and_logs_each_field(db, ledger, festival):
    changes = campaigns.update_campaign(db, festival, name="2027年春节走访慰问", kind="春节", start="2027-01-20",
                                        end="2027-02-06", notes="延长")
    assert changes == [("开始日期", "2027-01-23", "2027-01-20"), ("备注", None, "延长")]
    assert campaigns.get_campaign(db, festival)["start_date"] == "2027-01-20"
    assert {e["field"] for e in audit.entries(db, table="campaigns", record_id=festival) if e["action"] == "修改"} == \
        {"开始日期", "备注"}
    with pytest.raises(UserError, match="早于"):
        campaigns.update_campaign(db, festival, name="x", kind="春节", start="2027-02-06", end="2027-01-20")
    assert campaigns.get_campaign(db, festival)["name"] == "2027年春节走访慰问"


def test_delete_campaign_only_while_no_visit_was_recorded_under_it(db, ledger, festival):
    visit(db, ledger["张德福"], "2027-01-25", campaign_id=festival)
    with pytest.raises(UserError, match="已登记 1 次巡访"):
        campaigns.delete_campaign(db, festival)
    db.execute("DELETE FROM visits")
    campaigns.delete_campaign(db, festival)
    assert count(db, "campaigns") == 0 and count(db, "campaign_elders") == 0
