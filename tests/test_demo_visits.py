"""The demo's year of visits, hazards, campaign and assessments (models.demo.visits), checked with the same rules
the program applies: every list of the window has something to show, and nothing breaks a rule of the model."""

from __future__ import annotations

import datetime as dt

import pytest

from township_desk.models import db as dbm
from township_desk.models import demo, hazards, risk, schedule, visits

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo_visits") / "demo.db"
    database = dbm.connect(path)
    demo.generate(database, elders=400, seed=11, as_of=AS_OF)
    yield database
    database.close()


def count(db, sql, params=()):
    return db.execute(sql, params).fetchone()[0]


def test_a_year_of_visits_up_to_the_reference_date(town):
    first, last = town.execute("SELECT MIN(date), MAX(date) FROM visits").fetchone()
    assert first >= (AS_OF - dt.timedelta(days=365)).isoformat() and last <= AS_OF.isoformat()
    modes = dict(town.execute("SELECT mode, COUNT(*) FROM visits GROUP BY mode").fetchall())
    assert set(modes) == {"上门", "电话", "视频"} and modes["电话"] > modes["视频"]


def test_visits_only_while_the_elder_was_on_the_ledger(town):
    assert count(town, "SELECT COUNT(*) FROM visits vs JOIN elders e ON e.id = vs.elder_id "
                       "WHERE vs.date < e.entered_on") == 0
    gone = count(town, """SELECT COUNT(*) FROM visits vs JOIN elders e ON e.id = vs.elder_id
                          WHERE e.status IN ('已迁出', '已去世', '已不属于留守') AND vs.date >= e.status_date""")
    away = count(town, """SELECT COUNT(*) FROM visits vs JOIN elders e ON e.id = vs.elder_id
                          WHERE e.status = '暂离' AND vs.date >= e.status_date""")
    assert gone == 0 and away == 0


def test_most_are_on_time_and_some_are_overdue(town):
    on_ledger = count(town, "SELECT COUNT(*) FROM elders WHERE status = '在册'")
    items = schedule.overdue(town, AS_OF)
    home = {i.elder_id for i in items if i.kind == "home"}
    remote = {i.elder_id for i in items if i.kind == "remote"}
    assert 0.02 * on_ledger <= len(home) <= 0.12 * on_ledger
    assert 0.01 * on_ledger <= len(remote) <= 0.12 * on_ledger
    assert max(i.days_overdue for i in items if i.kind == "home") <= 40


def test_last_months_visit_rate_is_high_but_not_perfect_everywhere(town):
    visited, total, rate = schedule.monthly_visit_rate(town, "2026-10")
    assert 0.95 <= rate <= 1.0 and total > 300


def test_every_visit_passes_the_models_checks(town):
    """A sample of stored visits, fed back through the window's checks, are accepted as typed."""
    rows = list(town.query("SELECT * FROM visits WHERE id % 97 = 0"))
    assert rows
    for row in rows:
        data = {k: row[k] for k in ("date", "mode", "visitor_id", "visitor_name", "visit_type", "expression",
                                    "mobility", "illness", "mood", "thinking", "stress", "gas_safety",
                                    "heating_safety", "electric_safety", "daily_care", "comfort_need",
                                    "rights_need", "guardianship_need", "notes", "campaign_id")}
        with pytest.raises(Exception, match="已经登记过"):  # valid in every field: only the duplicate check fires
            visits.prepare_visit(town, row["elder_id"], data, AS_OF)


def test_hazards_follow_poor_or_unsafe_home_visits(town):
    assert count(town, "SELECT COUNT(*) FROM hazards") > 0
    assert count(town, """SELECT COUNT(*) FROM hazards h JOIN visits vs ON vs.id = h.visit_id
                          WHERE vs.mode <> '上门' OR vs.elder_id <> h.elder_id OR vs.date <> h.found_on""") == 0
    assert count(town, "SELECT COUNT(*) FROM hazards WHERE resolved_on IS NOT NULL AND supporter_told_on IS NULL") == 0
    assert count(town, """SELECT COUNT(*) FROM hazards WHERE resolved_on < found_on OR supporter_told_on < found_on
                          OR resolved_on < supporter_told_on OR resolved_on < reported_on""") == 0
    assert hazards.open_hazards(town)  # some are still open on the first screen


def test_assessments_follow_the_grade_rule_and_some_are_due(town):
    for row in town.query("SELECT * FROM assessments WHERE override_reason IS NULL AND id % 7 = 0"):
        assert risk.suggest(town, row["elder_id"], row["date"]).grade == row["suggested_grade"] == row["final_grade"]
    assert count(town, "SELECT COUNT(*) FROM assessments WHERE final_grade <> suggested_grade "
                       "AND override_reason IS NULL") == 0
    due = risk.assessments_due(town, AS_OF)
    assert any(d["last_assessed"] is None for d in due) and any(d["last_assessed"] for d in due)


def test_grade_and_tier_agree_with_the_settings(town):
    assert count(town, """SELECT COUNT(*) FROM elders WHERE status = '在册' AND (
                            (risk_grade IN ('高', '中') AND tier <> '重点') OR (risk_grade = '低' AND tier <> '一般'))""") == 0


def test_the_festival_campaign_has_its_home_visits(town):
    campaign = town.execute("SELECT id, kind, start_date, end_date FROM campaigns").fetchone()
    assert campaign[1] == "重阳节" and campaign[2] <= "2026-10-18" <= campaign[3]
    members = count(town, "SELECT COUNT(*) FROM campaign_elders WHERE campaign_id = ?", [campaign[0]])
    visited = count(town, "SELECT COUNT(DISTINCT elder_id) FROM visits WHERE campaign_id = ?", [campaign[0]])
    assert members > 0 and 0.6 * members <= visited <= members
    assert count(town, "SELECT COUNT(*) FROM visits WHERE campaign_id IS NOT NULL AND mode <> '上门'") == 0


def test_same_seed_same_visits(tmp_path):
    dumps = []
    for name in ("a.db", "b.db"):
        database = dbm.connect(tmp_path / name)
        demo.generate(database, elders=60, seed=3, as_of=AS_OF)
        dumps.append([town_rows(database, t) for t in ("visits", "hazards", "assessments", "campaigns")])
        database.close()
    assert dumps[0] == dumps[1] and dumps[0][0]


def town_rows(db, table):
    columns = [c.name for c in db[table].columns if c.name != "created_at"]
    return db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()


def test_status_periods_agree_with_the_status_on_each_day(town):
    """elders.STATUS_PERIODS_SQL and STATUS_ON_DAY_SQL are one rule in two forms: same answer on every day tried."""
    from township_desk.models.elders import STATUS_ON_DAY_SQL, STATUS_PERIODS_SQL

    for day in ("2024-01-01", "2025-06-30", "2026-01-31", "2026-08-15", AS_OF.isoformat()):
        on_day = dict(town.execute(f"SELECT e.id, {STATUS_ON_DAY_SQL} FROM elders e", {"day": day}).fetchall())
        on_day = {k: v for k, v in on_day.items() if v is not None}
        periods = dict(town.execute(f"SELECT elder_id, status FROM ({STATUS_PERIODS_SQL}) WHERE since <= :day "
                                    "AND (until IS NULL OR until > :day)", {"day": day}).fetchall())
        assert periods == on_day, day


def test_coverage_by_month_is_each_months_visit_rate(town):
    rows = schedule.home_coverage_by_month(town, "2026-11", 12)
    assert len(rows) == 12
    for month, rate in rows:
        assert rate == pytest.approx(schedule.monthly_visit_rate(town, month)[2]), month


def test_the_workbooks_visit_sheet_agrees_with_the_visit_plan(town):
    """The 巡访情况 sheet counts in its own query: its 合计 must equal the 首页's rate and the overdue rule, once
    the 社区's city elders (visited, on the 首页, but no 留守老人: not on the county's 留守 sheets) are added back."""
    from township_desk.models import monthly

    total = monthly.visits_by_village(town, "2026-10")[-1]
    visited, on_ledger, rate = schedule.monthly_visit_rate(town, "2026-10")
    city = {row[0] for row in town.execute("SELECT id FROM elders WHERE rural_hukou = 0")}
    city_on_ledger = city & {r["id"] for r in monthly.details(town, "2026-10", left_behind_only=False)
                             if r["status"] == "在册"}
    city_visited = city_on_ledger - {u["elder_id"] for u in schedule.unvisited_in_month(town, "2026-10")}
    assert city_on_ledger and city_visited  # the demo's 社区 is on the ledger and visited
    assert (total["visited"] + len(city_visited), total["on_ledger"] + len(city_on_ledger)) == (visited, on_ledger)
    assert total["coverage"] == round(100 * (visited - len(city_visited)) / (on_ledger - len(city_on_ledger)), 1)
    overdue = {i.elder_id for i in schedule.overdue(town, dt.date(2026, 10, 31), kinds=("home",))}
    assert total["overdue"] == len(overdue - city)
