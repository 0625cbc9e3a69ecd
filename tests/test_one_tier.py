"""重点 is one reading everywhere: the 巡访类别 the visit plan follows (``group_plans.visit_tier_sql``).

The tier on the record (the risk grade's, or the clerk's choice) is raised to 重点 by seed 003's 重点 rules (高龄,
失能, 独居, no family nearby) in any group. The overdue rule, the 探访关爱 sheet, the 巡访情况 sheet, the 明细表, the
台账's column and filter, the 首页 card, the elder's file, the visit form and the notice card all read that one
expression; a module that reads the stored ``elders.tier`` for itself fails the guard below.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tokenize
from collections import Counter
from pathlib import Path

import pytest

from township_desk.models import coverage, demo, elders, group_plans, monthly, schedule, visits
from township_desk.models import db as dbm

ROOT = Path(__file__).resolve().parents[1] / "township_desk"

# ---------------------------------------------------------------- the guard: nobody reads the stored tier by itself

_SQLISH = re.compile(r"\b(?:SELECT|FROM|WHERE|JOIN|UPDATE)\b|\be\.[a-z_]+")
_STORED_TIER_IN_SQL = [re.compile(p) for p in (
    r"\b(?:e|elders)\.tier\b",                     # e.tier, elders.tier
    r"\btier\s*(?:=|<>|!=|\bIN\b)\s*'",            # SUM(tier = '重点') on the stored column
    r"(?:\bSELECT\b|,)\s*tier\s*(?:,|\bFROM\b)",   # SELECT name, tier, … FROM elders
)]
_TIER_IN_CODE = [re.compile(p) for p in (
    r"on_day_sql\(\s*[\"']tier[\"']",              # the stored tier on a day
    r"\btier_sql\(",                               # composing the plan tier by hand
)]
# The window, printing and the command line read an elder's record (``elders.get_elder``) as elder / e / record:
# its "tier" is the stored one; they show ``group_plans.tier_reading`` / ``visit_tier`` instead.
_RECORD_TIER = re.compile(r"\b(?:elder|e|record)(?:\[[\"']tier[\"']\]|\.get\([\"']tier[\"'])")
# Where the stored tier is the point: the source itself, and the writers of the record's tier (the dated history's
# backfill, the editor's save noting the tier it replaces while the elder is unassessed).
ALLOWED = {
    ("models/group_plans.py", "tier_sql("), ("models/group_plans.py", 'on_day_sql("tier"'),
    ("models/group_plans.py", "on_day_sql('tier'"),
    ("models/field_history.py", ", tier,"),
    ("models/elders/storage.py", "SELECT tier FROM"),
}


def stored_tier_readings(source: str, shown: bool = False) -> list[tuple[int, str]]:
    """(line, text) of every place in ``source`` (Python) that reads the stored tier or composes a tier itself;
    ``shown``: a module that shows or prints (ui/, printing/, commands/), where an elder's record is not read for
    its tier either."""
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and _SQLISH.search(tok.string):
            found += [(tok.start[0], m.group(0)) for p in _STORED_TIER_IN_SQL for m in p.finditer(tok.string)]
    for number, line in enumerate(source.splitlines(), start=1):
        code = line.split("#")[0]
        found += [(number, m.group(0)) for p in _TIER_IN_CODE for m in p.finditer(code)]
        if shown:
            found += [(number, m.group(0)) for m in _RECORD_TIER.finditer(code)]
    return found


def test_the_guard_sees_the_readings_it_is_for():
    """Each way the program used to count 重点 by itself (before one reading) is caught."""
    bad = '''
rows = db.query("SELECT e.id, e.tier FROM elders e")
n = db.execute("SELECT SUM(tier = '重点') FROM elders WHERE status = '在册'")
row = db.execute("SELECT name, tier, entered_on FROM elders WHERE id = ?", [1])
tier = group_plans.tier_sql(field_history.on_day_sql("tier"), rules)
label.setText(f"巡访类别：{elder['tier']}")
'''
    assert [text for _line, text in stored_tier_readings(bad, shown=True)] == [
        "e.tier", "tier = '", ", tier,", 'on_day_sql("tier"', "tier_sql(", "elder['tier']"]
    fine = '''
sql = f"SELECT {tier} AS tier, e.name FROM elders e"   # the source's expression, aliased
doc = """The 巡访类别 (tier) of each elder, self.tier."""
'''
    assert stored_tier_readings(fine) == []


def test_no_module_reads_the_stored_tier_for_itself():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(("models/migrations/", "models/demo/visits.py")):
            continue  # migrations and the demo's history write the record's tier
        shown = relative.startswith(("ui/", "printing/", "commands/"))
        for line, text in stored_tier_readings(path.read_text(encoding="utf-8"), shown):
            if (relative, text) not in ALLOWED:
                found.append(f"{relative}:{line}: {text}")
    assert found == [], "巡访类别 read apart from group_plans.visit_tier_sql:\n" + "\n".join(found)


# ---------------------------------------------------------------- the demo: every screen's 重点 agrees

AS_OF = dt.date(2026, 10, 31)  # a month's last day: the month's sheets and today's screens read the same day
MONTH = "2026-10"


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    path = tmp_path_factory.mktemp("one_tier") / "demo.db"
    database = dbm.connect(path)
    demo.generate(database, elders=400, seed=5, as_of=AS_OF)
    yield database
    database.close()


def test_the_demo_has_elders_whom_only_the_rules_make_key(town):
    """Without them this file would prove nothing: the record says 一般, the plan 重点 (高龄, 独居 …)."""
    plan = group_plans.visit_tiers(town, AS_OF)
    stored = dict(town.execute("SELECT id, tier FROM elders").fetchall())
    raised = [i for i, tier in plan.items() if tier == "重点" and stored[i] == "一般"]
    assert len(raised) >= 2
    reading = group_plans.tier_reading(town, raised[0], AS_OF)
    assert reading.tier == "重点" and reading.rules and reading.text.startswith("重点（")


def test_home_card_ledger_filter_month_sheets_and_overdue_list_count_the_same_key_elders(town):
    from township_desk.ui.home_page import dashboard_figures

    card = int(next(f for f in dashboard_figures(town, AS_OF) if f.key == "key").value)
    link = next(f for f in dashboard_figures(town, AS_OF) if f.key == "key")
    assert (link.page, link.filters) == ("台账", {"status": "在册", "tier": "重点"})
    ledger_rows = elders.list_elders(town, elders.ElderQuery(status="在册", as_of=AS_OF))
    ledger_key = elders.count_elders(town, elders.ElderQuery(as_of=AS_OF, **link.filters))
    assert ledger_key == sum(r["tier"] == "重点" for r in ledger_rows) == card

    # the overdue rule's own reading: every elder on the plan, and the overdue list's 重点
    plan = schedule.visit_plan(town, AS_OF)
    assert sum(p.tier == "重点" for p in plan) == card
    tier_of = {r["id"]: r["tier"] for r in ledger_rows}
    overdue = {i.elder_id: i.tier for i in schedule.overdue(town, AS_OF)}
    assert overdue and all(tier_of[e] == tier for e, tier in overdue.items())

    # 探访关爱: 全部巡访对象 over all; per village the same as the 巡访情况 sheet where every elder is a 留守 one
    care = coverage.month_coverage(town, MONTH)
    everyone = {r.village: r.key for r in care if r.group == coverage.ALL_LABEL}
    assert everyone[coverage.TOTAL_LABEL] == card
    sheet = {r["village"]: r for r in monthly.visits_by_village(town, MONTH)}
    city = {r[0] for r in town.execute("SELECT id FROM elders WHERE rural_hukou = 0 AND status = '在册'")}
    city_villages = {r["village"] for r in ledger_rows if r["id"] in city}
    assert city_villages  # the demo's 社区
    rural = [v for v in sheet if v != monthly.TOTAL_LABEL and v not in city_villages]
    assert rural and all(sheet[v]["key"] == everyone.get(v, 0) for v in rural)
    assert sheet[monthly.TOTAL_LABEL]["key"] == card - sum(tier_of[i] == "重点" for i in city)
    assert sheet[monthly.TOTAL_LABEL]["key"] + sheet[monthly.TOTAL_LABEL]["general"] == \
        sheet[monthly.TOTAL_LABEL]["on_ledger"]

    # the 明细表's 巡访类别 is the ledger's for the same day
    detail = monthly.details(town, MONTH)
    assert all(d["tier"] == tier_of[d["id"]] for d in detail if d["status"] == "在册")


def test_a_key_elder_by_rule_gets_a_key_visit_by_default(town):
    """The visit type 重点/普遍 follows the plan's tier when the clerk leaves it empty (the dialog's default too)."""
    plan = group_plans.visit_tiers(town, AS_OF)
    stored = dict(town.execute("SELECT id, tier FROM elders WHERE status = '在册'").fetchall())
    raised = next(i for i, tier in stored.items() if tier == "一般" and plan[i] == "重点")
    row = visits.prepare_visit(town, raised, {"date": AS_OF.isoformat(), "mode": "上门", "visitor_name": "赵会计"},
                               today=AS_OF)
    assert row["visit_type"] == "重点"


def test_the_reading_says_why_it_differs_from_the_grade(ledger_for_reasons):
    from tests.tier_ledger import DAY, READINGS

    db, ids = ledger_for_reasons
    assert {name: group_plans.tier_reading(db, elder_id, DAY).text for name, elder_id in ids.items()} == READINGS
    assert Counter(group_plans.visit_tiers(db, DAY, list(ids.values())).values()) == {"重点": 4, "一般": 1}


@pytest.fixture
def ledger_for_reasons(db):
    from tests.tier_ledger import build

    return db, build(db)


def test_elders_and_overdue_json_give_the_same_tier(ledger_for_reasons, db_path, capsys):
    """``elders --json`` and ``overdue --json`` (cli.md) carry the one 巡访类别, here 重点 by rule for an elder the
    record calls 一般."""
    import json

    from township_desk.cli import main

    db, ids = ledger_for_reasons
    db.close()
    assert main(["elders", "--db", str(db_path), "--json"]) == 0
    listed = {i["id_number"]: i["tier"] for i in json.loads(capsys.readouterr().out)}
    assert main(["overdue", "--db", str(db_path), "--json"]) == 0
    overdue = {i["id_number"]: i["tier"] for i in json.loads(capsys.readouterr().out)}
    assert overdue and all(listed[n] == tier for n, tier in overdue.items())
    assert sorted(listed.values()) == ["一般", "重点", "重点", "重点", "重点"]
