"""The overdue rule (schedule.py) at its edges, on a real SQLite file: no window involved."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_id
from township_desk.models import elders, schedule, settings, villages, visitors

D = dt.date.fromisoformat
TODAY = D("2026-11-22")  # a Sunday


@pytest.fixture
def ledger(db):
    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "白鹤村"})
    return db


def add(db, name, *, tier="一般", entered="2026-01-05", village="青山村", seq=1, visitor=None):
    data = {"name": name, "id_number": make_id("19550312", seq), "village": village, "tier": tier,
            "entered_on": entered}
    if visitor:
        data["visitor"] = visitor
    return elders.save_elder(db, data, today=TODAY).elder_id


def visit(db, elder_id, date, mode="上门"):
    with db.atomic():
        db.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, ?, ?, '王村官')",
                   [elder_id, date, mode])


def home(db, as_of, **kw):
    return {i.name: i for i in schedule.overdue(db, D(as_of), kinds=("home",), **kw)}


def remote(db, as_of, **kw):
    return {i.name: i for i in schedule.overdue(db, D(as_of), kinds=("remote",), **kw)}


# ---------------------------------------------------------------- home visits


def test_home_visit_due_today_is_not_overdue(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-10-01")           # 一般: every 30 days → due 2026-10-31
    assert "张德福" not in home(ledger, "2026-10-31")


def test_home_visit_due_yesterday_is_one_day_overdue(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-10-01")
    item = home(ledger, "2026-11-01")["张德福"]
    assert (item.due_date, item.days_overdue, item.kind) == (D("2026-10-31"), 1, "home")
    assert item.last_home_visit == D("2026-10-01") and item.shortfall is None


def test_without_any_home_visit_the_plan_runs_from_entering_the_ledger(ledger):
    add(ledger, "张德福", entered="2026-11-01")
    assert "张德福" not in home(ledger, "2026-12-01")
    assert home(ledger, "2026-12-02")["张德福"].due_date == D("2026-12-01")


def test_a_phone_call_is_not_a_home_visit(ledger):
    e = add(ledger, "张德福", entered="2026-09-01")
    visit(ledger, e, "2026-10-25", "电话")
    assert home(ledger, "2026-11-22")["张德福"].days_overdue == 52  # due 2026-10-01


def test_key_tier_is_visited_every_fifteen_days(ledger):
    e = add(ledger, "重点老人", tier="重点")
    visit(ledger, e, "2026-11-01")
    assert "重点老人" not in home(ledger, "2026-11-16")
    assert home(ledger, "2026-11-17")["重点老人"].days_overdue == 1


def test_a_grade_change_to_key_switches_the_interval_at_once(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-11-01")
    assert "张德福" not in home(ledger, "2026-11-20")
    elders.save_elder(ledger, {"name": "张德福", "id_number": make_id("19450312", 1), "tier": "重点"},
                      elder_id=e, today=TODAY)
    assert home(ledger, "2026-11-22")["张德福"].due_date == D("2026-11-16")
    assert "张德福" not in home(ledger, "2026-11-20")  # a past day reads with the tier of that day


def test_a_backdated_assessment_sets_the_tier_from_its_own_date(ledger):
    from township_desk.models import risk

    e = add(ledger, "张德福")
    visit(ledger, e, "2026-11-01")
    risk.record_assessment(ledger, e, date="2026-11-10", assessor="王专干", final_grade="高",
                           override_reason="补录", today=TODAY)
    assert home(ledger, "2026-11-20")["张德福"].days_overdue == 4
    assert "张德福" not in home(ledger, "2026-11-09")


def test_the_interval_comes_from_the_settings(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-11-01")
    settings.put(ledger, {"plan_key_home_days": 10, "plan_general_home_days": 10})  # 重点 no less often
    assert home(ledger, "2026-11-12")["张德福"].days_overdue == 1


def test_later_visits_are_ignored_when_reading_a_past_day(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-09-01")
    visit(ledger, e, "2026-11-05")
    assert home(ledger, "2026-11-01")["张德福"].last_home_visit == D("2026-09-01")
    assert "张德福" not in home(ledger, "2026-11-22")


def test_temporary_absence_pauses_the_plan_and_restarts_it_on_return(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-08-01")
    elders.change_status(ledger, e, "暂离", "2026-08-10", "住院治疗")
    assert "张德福" not in home(ledger, "2026-10-01")     # paused while 暂离
    elders.change_status(ledger, e, "在册", "2026-10-20", "出院回家")
    assert "张德福" not in home(ledger, "2026-11-19")     # restarted: due 2026-11-19
    assert home(ledger, "2026-11-20")["张德福"].due_date == D("2026-11-19")


@pytest.mark.parametrize("status", ["已迁出", "已去世", "已不属于留守"])
def test_people_not_on_the_ledger_are_never_listed(ledger, status):
    e = add(ledger, "张德福", entered="2026-01-05")
    elders.change_status(ledger, e, status, "2026-06-01", "原因")
    assert schedule.overdue(ledger, TODAY) == []


def test_someone_who_left_after_the_day_is_still_listed_for_that_day(ledger):
    e = add(ledger, "张德福", entered="2026-01-05")
    elders.change_status(ledger, e, "已去世", "2026-11-10", "病故")
    assert home(ledger, "2026-10-31")["张德福"].days_overdue == 269  # due 2026-02-04
    assert "张德福" not in home(ledger, "2026-11-20")


def test_someone_entered_after_the_day_is_not_listed(ledger):
    add(ledger, "张德福", entered="2026-11-01")
    assert schedule.overdue(ledger, D("2026-10-31")) == []


def test_filters_by_village_and_visitor(ledger):
    a = add(ledger, "甲", visitor="王村官", seq=1)
    add(ledger, "乙", village="白鹤村", seq=3)
    assert set(home(ledger, "2026-11-22")) == {"甲", "乙"}
    assert set(home(ledger, "2026-11-22", village="白鹤村")) == {"乙"}
    visitor_id = ledger.execute("SELECT visitor_id FROM elders WHERE id = ?", [a]).fetchone()[0]
    assert set(home(ledger, "2026-11-22", visitor_id=visitor_id)) == {"甲"}
    assert home(ledger, "2026-11-22")["甲"].visitor == "王村官"


def test_list_order_is_village_then_longest_overdue_first(ledger):
    a = add(ledger, "甲", seq=1)
    b = add(ledger, "乙", seq=3)
    add(ledger, "丙", village="白鹤村", seq=5)
    visit(ledger, a, "2026-10-10")
    visit(ledger, b, "2026-09-10")
    names = [i.name for i in schedule.overdue(ledger, TODAY, kinds=("home",))]
    assert names == ["乙", "甲", "丙"]


# ---------------------------------------------------------------- remote contacts


def test_last_complete_iso_week_before_the_day():
    assert schedule.last_complete_week(D("2026-11-23")) == (D("2026-11-16"), D("2026-11-22"))  # Monday
    assert schedule.last_complete_week(D("2026-11-22")) == (D("2026-11-09"), D("2026-11-15"))  # Sunday
    assert schedule.last_complete_week(D("2026-11-18")) == (D("2026-11-09"), D("2026-11-15"))
    assert schedule.last_complete_week(D("2027-01-01")) == (D("2026-12-21"), D("2026-12-27"))  # across the year


def test_key_tier_needs_two_contacts_a_week(ledger):
    e = add(ledger, "重点老人", tier="重点")
    visit(ledger, e, "2026-11-10", "电话")
    item = remote(ledger, "2026-11-18")["重点老人"]
    assert (item.shortfall, item.contacts, item.required, item.due_date) == (1, 1, 2, D("2026-11-15"))
    assert item.days_overdue is None
    visit(ledger, e, "2026-11-15", "视频")
    assert "重点老人" not in remote(ledger, "2026-11-18")


def test_a_home_visit_is_not_one_of_the_weeks_calls_by_default(ledger):
    """Seed 003: 重点 every half month at home *and* two calls a week; a home visit does not stand for a call."""
    e = add(ledger, "重点老人", tier="重点")
    visit(ledger, e, "2026-11-10", "电话")
    visit(ledger, e, "2026-11-12")
    item = remote(ledger, "2026-11-18")["重点老人"]
    assert (item.shortfall, item.contacts, item.required) == (1, 1, 2)
    assert schedule.plans(ledger)["重点"].home_counts_as_contact is False


def test_the_plan_may_count_a_home_visit_as_a_contact_for_its_week(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-11-12")
    assert remote(ledger, "2026-11-18")["张德福"].shortfall == 1
    settings.put(ledger, {"plan_home_counts_as_contact": True})
    assert "张德福" not in remote(ledger, "2026-11-18")


def test_contacts_outside_the_week_do_not_count(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-11-08", "电话")   # Sunday of the week before
    visit(ledger, e, "2026-11-16", "电话")   # Monday of the week after
    assert remote(ledger, "2026-11-18")["张德福"].shortfall == 1


def test_someone_who_entered_during_the_week_is_not_counted_short_for_it(ledger):
    add(ledger, "张德福", entered="2026-11-11")
    assert "张德福" not in remote(ledger, "2026-11-18")
    assert "张德福" in remote(ledger, "2026-11-25")


def test_absent_during_the_week_is_not_counted_short(ledger):
    e = add(ledger, "张德福")
    elders.change_status(ledger, e, "暂离", "2026-11-01", "随子女外出")
    assert "张德福" not in remote(ledger, "2026-11-18")
    elders.change_status(ledger, e, "在册", "2026-11-12", "返回")
    assert "张德福" not in remote(ledger, "2026-11-18")  # back in mid-week: the plan restarts next week


def test_weekly_number_comes_from_the_settings(ledger):
    e = add(ledger, "张德福")
    visit(ledger, e, "2026-11-10", "电话")
    settings.put(ledger, {"plan_key_remote_per_week": 3, "plan_general_remote_per_week": 3})
    assert remote(ledger, "2026-11-18")["张德福"].shortfall == 2
    settings.put(ledger, {"plan_general_remote_per_week": 0})
    assert remote(ledger, "2026-11-18") == {}


def test_unknown_kind_is_a_programming_error(ledger):
    with pytest.raises(ValueError):
        schedule.overdue(ledger, TODAY, kinds=("late",))


# ---------------------------------------------------------------- the monthly visit rate and the charts' figures


def test_monthly_visit_rate_counts_elders_on_the_ledger_at_month_end(ledger):
    a = add(ledger, "甲", seq=1)
    b = add(ledger, "乙", seq=3)
    c = add(ledger, "丙", seq=5)
    add(ledger, "丁", seq=7, entered="2026-11-01")      # not yet on the ledger in October
    visit(ledger, a, "2026-10-03")
    visit(ledger, a, "2026-10-20")
    visit(ledger, b, "2026-10-15", "电话")               # a call is not a home visit
    visit(ledger, c, "2026-09-30")
    elders.change_status(ledger, c, "已迁出", "2026-11-05", "随子女迁居")  # left after October: still counts
    assert schedule.monthly_visit_rate(ledger, "2026-10") == (1, 3, pytest.approx(1 / 3))
    assert [r["name"] for r in schedule.unvisited_in_month(ledger, "2026-10")] == ["丙", "乙"]  # by pinyin
    assert schedule.monthly_visit_rate(ledger, "2026-11")[1] == 3  # 丙 gone, 丁 in


def test_visit_rate_of_an_empty_ledger_is_zero_not_an_error(db):
    assert schedule.monthly_visit_rate(db, "2026-10") == (0, 0, 0.0)


def test_coverage_by_month_leaves_out_months_before_the_ledger(ledger):
    a = add(ledger, "甲", entered="2026-09-01")
    visit(ledger, a, "2026-10-03")
    rows = schedule.home_coverage_by_month(ledger, "2026-11", 12)
    assert rows == [("2026-09", 0.0), ("2026-10", 1.0), ("2026-11", 0.0)]


def test_overdue_by_village_lists_every_village(ledger):
    add(ledger, "甲", seq=1)
    assert schedule.overdue_by_village(ledger, TODAY) == [("青山村", 1), ("白鹤村", 0)]


def test_workload_counts_each_visitors_overdue_elders(ledger):
    from township_desk.models import visits

    a = add(ledger, "甲", seq=1, visitor="王村官")
    add(ledger, "乙", seq=3, visitor="王村官", tier="重点")
    visit(ledger, a, "2026-11-20")
    visitors.save_visitor(ledger, {"name": "李志愿", "role": "志愿者"})
    rows = {r["name"]: r for r in visits.visitor_workload(ledger, TODAY)}
    assert (rows["王村官"]["elders"], rows["王村官"]["key_elders"], rows["王村官"]["overdue"]) == (2, 1, 1)
    assert rows["王村官"]["home_visits_month"] == 0  # the row was inserted without a visitor id
    assert rows["李志愿"]["elders"] == 0


# ---------------------------------------------------------------- voided visits (作废)


def _void_last_visit(db, elder_id):
    from township_desk.models import visits

    (visit_id,) = db.execute("SELECT MAX(id) FROM visits WHERE elder_id = ?", [elder_id]).fetchone()
    visits.void_visit(db, visit_id, "录错了老人", "李专干")


def test_a_voided_home_visit_no_longer_keeps_the_elder_off_the_overdue_list(ledger):
    e = add(ledger, "张德福", entered="2026-09-01")
    visit(ledger, e, "2026-09-20")
    visit(ledger, e, "2026-11-10")
    assert "张德福" not in home(ledger, "2026-11-22")
    _void_last_visit(ledger, e)
    item = home(ledger, "2026-11-22")["张德福"]
    assert (item.last_home_visit, item.due_date, item.days_overdue) == (D("2026-09-20"), D("2026-10-20"), 33)


def test_a_voided_call_no_longer_counts_as_a_contact_of_its_week(ledger):
    e = add(ledger, "张德福", entered="2026-09-01")
    visit(ledger, e, "2026-11-10")
    visit(ledger, e, "2026-11-18", "电话")
    assert "张德福" not in remote(ledger, "2026-11-23")
    _void_last_visit(ledger, e)
    assert remote(ledger, "2026-11-23")["张德福"].contacts == 0


def test_a_voided_visit_no_longer_counts_in_the_visit_rate_and_charts(ledger):
    e = add(ledger, "甲", seq=1, visitor="王村官")
    add(ledger, "乙", seq=3)
    visit(ledger, e, "2026-11-05")
    assert schedule.monthly_visit_rate(ledger, "2026-11") == (1, 2, 0.5)
    _void_last_visit(ledger, e)
    assert schedule.monthly_visit_rate(ledger, "2026-11") == (0, 2, 0.0)
    assert [r["name"] for r in schedule.unvisited_in_month(ledger, "2026-11")] == ["甲", "乙"]
    assert schedule.home_coverage_by_month(ledger, "2026-11", 1) == [("2026-11", 0.0)]
    assert schedule.overdue_by_village(ledger, D("2026-12-10")) == [("青山村", 2), ("白鹤村", 0)]


def test_the_overdue_and_month_queries_read_visits_from_covering_indexes_only(ledger):
    """Excluding voided visits costs nothing at 2.4 million visits: the live visits' partial indexes (migration
    0007) cover every condition, so no count reads a visits row. Every query on live_visits that the overdue rule,
    the visit rate, the chart, workload and the month's sheet run is checked with its own parameters."""
    from township_desk.models import monthly, visits

    asked = []

    class Recording:
        def __init__(self, db):
            self._db = db

        def __getattr__(self, name):
            return getattr(self._db, name)

        def execute(self, sql, params=None):
            if "live_visits" in sql:
                asked.append((sql, params))
            return self._db.execute(sql, params) if params is not None else self._db.execute(sql)

    db = Recording(ledger)
    add(ledger, "张德福", visitor="王村官")
    schedule.overdue(db, TODAY)
    schedule.monthly_visit_rate(db, "2026-11")
    schedule.home_coverage_by_month(db, "2026-11", 12)
    monthly.visits_by_village(db, "2026-11")
    visits.visitor_workload(db, TODAY)
    assert len(asked) >= 5
    for sql, params in asked:
        plan = [row[3] for row in ledger.execute("EXPLAIN QUERY PLAN " + sql, params)]
        on_visits = [step for step in plan if " visits " in f"{step} "]
        assert on_visits and all("USING COVERING INDEX" in step for step in on_visits), plan


# ---------------------------------------------------------------- this week's progress


def test_this_weeks_progress_counts_calls_from_monday_to_the_day(ledger):
    key = add(ledger, "重点老人", tier="重点", seq=1)
    general = add(ledger, "一般老人", seq=3)
    visit(ledger, key, "2026-11-15", "电话")   # last week's Sunday: not this week
    visit(ledger, key, "2026-11-16", "电话")   # Monday
    visit(ledger, key, "2026-11-18", "视频")
    visit(ledger, key, "2026-11-19", "电话")   # after the day asked about
    visit(ledger, general, "2026-11-17")      # a home visit: not a call by default
    progress = schedule.week_progress(ledger, D("2026-11-18"), [key, general])
    assert schedule.current_week(D("2026-11-18")) == (D("2026-11-16"), D("2026-11-18"))
    assert (progress[key].contacts, progress[key].required, progress[key].text) == (2, 2, "2/2")
    assert progress[key].met
    assert (progress[general].text, progress[general].met) == ("0/1", False)
    settings.put(ledger, {"plan_home_counts_as_contact": True})
    assert schedule.week_progress(ledger, D("2026-11-18"), [general])[general].text == "1/1"


def test_a_voided_call_does_not_count_this_week(ledger):
    from township_desk.models import visits

    e = add(ledger, "张德福")
    visit(ledger, e, "2026-11-17", "电话")
    visit_id = ledger.execute("SELECT id FROM visits").fetchone()[0]
    visits.void_visit(ledger, visit_id, "登记错了", "王专干")
    assert schedule.week_progress(ledger, D("2026-11-18"), [e])[e].text == "0/1"
