"""The kept last home visit (migration 12, ``models.last_home``) gives what the plain definition gives.

The plain definition is the latest home visit (上门) in ``live_visits`` on or before a day. The kept date is
written by triggers on ``visits``; the lists read it and look in the visits only when it lies after the day.
Checked on a demo township whose visits were then recorded, corrected (date, mode), voided, moved to another
elder, deleted, inserted already voided and dated after the demo's day, over days from 2025-06 to 2026-12: the
kept table, each elder's date on each day, and the overdue list, the plan, 本月未上门 (first narrowed to the elders
whose kept date is not in the month), 工作量 and the ledger sorted by last visit, each against the same call
reading the plain definition."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import sqlite_utils
from conftest import VALID_IDS

from township_desk.models import db as dbm
from township_desk.models import demo, elders, last_home, schedule, visits
from township_desk.models.elders import queries
from township_desk.models.migrations import load_step

AS_OF = dt.date(2026, 11, 30)
DAYS = (AS_OF, dt.date(2026, 12, 31), dt.date(2026, 11, 20), dt.date(2026, 6, 30), dt.date(2026, 2, 15),
        dt.date(2025, 6, 15))  # the demo's visits begin at the end of 2025
PLAIN_TABLE = "SELECT elder_id, MAX(date) FROM live_visits WHERE mode = '上门' GROUP BY elder_id ORDER BY elder_id"


def _home_visits(db, elder_id: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM live_visits WHERE elder_id = ? AND mode = '上门'"
                                     " ORDER BY date DESC, id DESC", [elder_id])]


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    path = tmp_path_factory.mktemp("last_home") / "demo.db"
    db = dbm.connect(path)
    demo.generate(db, elders=250, seed=11, as_of=AS_OF)
    ids = [r[0] for r in db.execute(  # elders 在册 with three home visits or more
        "SELECT e.id FROM elders e WHERE e.status = '在册' AND (SELECT COUNT(*) FROM live_visits vs"
        " WHERE vs.elder_id = e.id AND vs.mode = '上门') >= 3 ORDER BY e.id")]
    assert len(ids) > 70
    visitor = db.execute("SELECT id FROM visitors ORDER BY id LIMIT 1").fetchone()[0]
    # through the program: a new home visit, late entries, corrections of date and of mode, voids
    visits.record_visit(db, ids[0], {"date": AS_OF.isoformat(), "mode": "上门", "visitor_id": visitor},
                        today=AS_OF)
    for elder_id in ids[62:66]:  # entered late: a home visit older than the elder's latest
        first = db.execute("SELECT MIN(date) FROM live_visits WHERE elder_id = ?", [elder_id]).fetchone()[0]
        visits.record_visit(db, elder_id, {"date": first, "mode": "上门", "visitor_name": "补录人"}, today=AS_OF)
    for elder_id in ids[1:6]:
        latest = visits.get_visit(db, _home_visits(db, elder_id)[0])
        visits.correct_visit(db, latest["id"], {**latest, "date": "2026-03-01", "visitor_id": None,
                                                          "visitor_name": "王更正"}, today=AS_OF)
    for elder_id in ids[6:11]:
        latest = visits.get_visit(db, _home_visits(db, elder_id)[0])
        visits.correct_visit(db, latest["id"], {**latest, "mode": "电话"}, today=AS_OF)
    for elder_id in ids[11:20]:
        visits.void_visit(db, _home_visits(db, elder_id)[0], "录入错误", "测试")
    for elder_id in ids[20:23]:  # every home visit voided: no last home visit at all
        for visit_id in _home_visits(db, elder_id):
            visits.void_visit(db, visit_id, "录入错误", "测试")
    with db.atomic():
        # a merge of two records moves the visits; a deletion; an import of a visit already voided; home visits
        # dated after the demo's day (the kept date then lies after AS_OF: the lists look in the visits)
        db.execute("UPDATE visits SET elder_id = ? WHERE elder_id = ?", [ids[30], ids[31]])
        db.execute("DELETE FROM visits WHERE id = ?", [_home_visits(db, ids[32])[0]])
        db.execute("DELETE FROM visits WHERE elder_id = ?", [ids[33]])
        db.execute("INSERT INTO visits(elder_id, date, mode, visitor_name, voided_at, void_reason) VALUES"
                   " (?, '2026-11-29', '上门', '张三', '2026-11-29 10:00:00', '录错')", [ids[34]])
        for k, elder_id in enumerate(ids[40:60]):
            db.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, ?, '上门', '张三')",
                       [elder_id, f"2026-12-{k + 1:02d}"])
        db.execute("UPDATE visits SET date = '2026-12-20' WHERE id = ?", [_home_visits(db, ids[61])[-1]])
    yield db, ids
    db.close()


def test_the_kept_table_is_every_elders_latest_home_visit_that_counts(town):
    db, _ids = town
    kept = db.execute("SELECT elder_id, date FROM last_home_visits ORDER BY elder_id").fetchall()
    assert kept == db.execute(PLAIN_TABLE).fetchall()
    assert len(kept) > 200


def test_the_last_home_visit_on_a_day_is_the_plain_definitions(town):
    db, _ids = town
    for day in (*DAYS, None):
        params = {"day": day.isoformat()} if day else {}
        fast = db.execute(f"SELECT e.id, {last_home.on_day_sql(':day' if day else None)} FROM elders e ORDER BY e.id",
                          params).fetchall()
        plain = db.execute(f"SELECT e.id, {last_home.plain_sql(':day' if day else None)} FROM elders e"
                           " ORDER BY e.id", params).fetchall()
        assert fast == plain, day
        assert sum(d is not None for _i, d in fast) > (100 if day is None or day >= dt.date(2026, 6, 30) else -1), day
    # not vacuous: on the demo's day some kept dates lie after it (the lookup in the visits answers for them)
    assert db.execute("SELECT COUNT(*) FROM last_home_visits WHERE date > ?", [AS_OF.isoformat()]).fetchone()[0] >= 20


def _plain(monkeypatch) -> None:
    """Every fast path off: the kept date not read, 本月未上门 not narrowed by it first."""
    monkeypatch.setattr(last_home, "on_day_sql", last_home.plain_sql)
    monkeypatch.setattr(schedule, "_MAYBE_UNVISITED", "")


def _lists(db) -> dict:
    out = {}
    for day in DAYS:
        setattr(db, schedule._MEMO, None)
        out[f"overdue {day}"] = schedule.overdue(db, day)
        out[f"plan {day}"] = schedule.visit_plan(db, day)
        out[f"workload {day}"] = visits.visitor_workload(db, day)
        out[f"unvisited {day}"] = schedule.unvisited_in_month(db, day.isoformat()[:7])
    for descending in (False, True):
        out[f"ledger {descending}"] = queries.list_elders(db, order_by="last_home_visit", descending=descending,
                                                          limit=60)
    out["ledger all"] = queries.list_elders(db)
    return out


def test_the_lists_read_with_the_kept_date_are_the_lists_read_plainly(town, monkeypatch):
    db, _ids = town
    fast = _lists(db)
    _plain(monkeypatch)
    plain = _lists(db)
    assert fast.keys() == plain.keys()
    for key in fast:
        assert fast[key] == plain[key], key
    # not vacuous: people overdue and not visited this month, on the demo's day and in the past
    assert fast[f"overdue {AS_OF}"] and fast["overdue 2026-06-30"]
    assert fast[f"unvisited {AS_OF}"] and any(i.last_home_visit for i in fast[f"overdue {AS_OF}"])


def test_a_visit_written_after_the_list_was_read_shows_at_once(town):
    """The triggers keep the date as the program writes: a new home visit takes the elder off the overdue list,
    voiding it puts them back."""
    db, _ids = town
    item = next(i for i in schedule.overdue(db, AS_OF, kinds=("home",)) if i.last_home_visit)
    visit_id = visits.record_visit(db, item.elder_id, {"date": AS_OF.isoformat(), "mode": "上门",
                                                       "visitor_name": "李四"}, today=AS_OF)
    assert item.elder_id not in {i.elder_id for i in schedule.overdue(db, AS_OF, kinds=("home",))}
    visits.void_visit(db, visit_id, "录入错误", "测试")
    back = {i.elder_id: i for i in schedule.overdue(db, AS_OF, kinds=("home",))}
    assert back[item.elder_id].last_home_visit == item.last_home_visit
    assert db.execute("SELECT elder_id, date FROM last_home_visits ORDER BY elder_id").fetchall() == \
        db.execute(PLAIN_TABLE).fetchall()


def ledger_at_version_11(path) -> None:
    """A real ledger file as version 11 left it: elders with home visits, calls, a voided home visit, an elder
    never visited."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    old = sqlite_utils.Database(conn)
    for number in range(1, 12):
        with old.atomic():
            load_step(number).apply(old)
            old.execute(f"PRAGMA user_version = {number}")
    with old.atomic():
        old.execute("INSERT INTO villages(id, name) VALUES (1, '青山村')")
        ids = [elders.save_elder(old, {"name": f"张{'一二三'[n]}", "id_number": VALID_IDS[n], "village": "青山村"},
                                 today=AS_OF).elder_id for n in range(3)]
        rows = [(ids[0], "2026-10-02", "上门", None), (ids[0], "2026-11-20", "上门", None),
                (ids[0], "2026-11-25", "电话", None), (ids[1], "2026-09-01", "上门", None),
                (ids[1], "2026-11-01", "上门", "2026-11-02 09:00:00"), (ids[2], "2026-11-03", "视频", None)]
        for elder_id, day, mode, voided in rows:
            old.execute("INSERT INTO visits(elder_id, date, mode, visitor_name, voided_at) VALUES (?, ?, ?, 'x', ?)",
                        [elder_id, day, mode, voided])
    conn.close()


def test_migration_12_keeps_every_row_and_fills_the_kept_dates(db_path):
    ledger_at_version_11(db_path)
    raw = sqlite3.connect(db_path)
    before = {t: raw.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in ("elders", "visits")}
    raw.close()
    database = dbm.connect(db_path)
    assert dbm.schema_version(database) >= 12
    for table, rows in before.items():
        assert database.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall() == rows, table
    names = dict(database.execute("SELECT name, id FROM elders"))
    assert database.execute("SELECT elder_id, date FROM last_home_visits ORDER BY elder_id").fetchall() == [
        (names["张一"], "2026-11-20"), (names["张二"], "2026-09-01")]
    # running the step again changes nothing
    with database.atomic():
        load_step(12).apply(database)
    assert database.execute("SELECT COUNT(*) FROM last_home_visits").fetchone()[0] == 2
    database.close()


def _plan(db, sql: str, params=()) -> str:
    return " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_the_kept_dates_and_the_search_count_are_read_through_indexes(db):
    """At 30,000 elders and 3 million visits the migration's fill and each trigger read the visits' (elder, mode,
    date) index, never the table, 工作量 reads a visitor's month as one range of ``visits_visitor_date``, and a
    search keystroke's count walks the narrow ``elders_search`` index instead of the wide ledger rows
    (bench/README.md)."""
    from township_desk.models.migrations import STEPS

    step = load_step(STEPS.index("0012_kept_last_home") + 1)
    fill = step.FILL.split("INTO last_home_visits(elder_id, date)")[1]
    assert "USING COVERING INDEX visits_" in _plan(db, fill)
    assert "SEARCH visits USING COVERING INDEX visits_elder_mode_date (elder_id=? AND mode=?)" in _plan(
        db, f"SELECT {last_home.plain_sql(None, '?')}", [1])
    month = {"first": "2026-11-01", "day": "2026-11-30"}
    assert "SEARCH visits USING COVERING INDEX visits_visitor_date (visitor_id=? AND date>? AND date<?)" in _plan(
        db, "SELECT SUM(mode = '上门') FROM live_visits WHERE visitor_id = 3 AND date BETWEEN :first AND :day", month)
    where, params = queries._where(db, queries.ElderQuery(search="zhang", status="在册"))
    assert "COVERING INDEX elders_search" in _plan(db, f"SELECT COUNT(*) FROM elders e{where}", params)


def test_each_visitors_month_of_visits_is_the_plain_count(town):
    """工作量 counts each visitor's month of visits through the (visitor, date, …) index, one visitor at a time:
    the same as counting the month's visits that count, with and without a group (its members' visits only)."""
    from township_desk.models import groups

    db, _ids = town
    seen = 0
    for day in DAYS[:4]:
        for group in (None, groups.GROUPS[0]):
            members = None if group is None else set(groups.members(db, group, day))
            plain: dict[int, list[int]] = {}
            for visitor_id, elder_id, mode in db.execute(
                    "SELECT visitor_id, elder_id, mode FROM live_visits WHERE date BETWEEN ? AND ?",
                    [day.replace(day=1).isoformat(), day.isoformat()]):
                if members is None or elder_id in members:
                    counts = plain.setdefault(visitor_id, [0, 0])
                    counts[0] += mode == "上门"
                    counts[1] += mode in ("电话", "视频")
            for row in visits.visitor_workload(db, day, group=group):
                assert [row["home_visits_month"], row["remote_visits_month"]] == plain.get(row["visitor_id"], [0, 0])
                seen += row["home_visits_month"] > 0
    assert seen


def test_visited_in_the_month_is_a_home_visit_counted_in_the_month(town):
    """月探访率 and 本月未上门 read "visited at home in the month" as "the last home visit on or before the month's
    end is in the month" (the kept date, no count of the month's visits): the same elders as counting each
    elder's home visits from the month's first day to its end."""
    from township_desk.models.dates import month_bounds
    from township_desk.models.elders import STATUS_ON_DAY_SQL

    db, _ids = town
    for month in ("2026-12", "2026-11", "2026-06", "2026-02", "2025-06"):
        first, last = month_bounds(month)
        on_ledger = {r[0] for r in db.execute(f"SELECT e.id FROM elders e WHERE {STATUS_ON_DAY_SQL} = '在册'",
                                              {"day": last.isoformat()})}
        counted = {r[0] for r in db.execute("SELECT DISTINCT elder_id FROM live_visits WHERE mode = '上门'"
                                            " AND date BETWEEN ? AND ?", [first.isoformat(), last.isoformat()])}
        assert schedule.monthly_visit_rate(db, month)[:2] == (len(on_ledger & counted), len(on_ledger)), month
        assert {r["elder_id"] for r in schedule.unvisited_in_month(db, month)} == on_ledger - counted, month
        assert month == "2025-06" or on_ledger & counted and on_ledger - counted
