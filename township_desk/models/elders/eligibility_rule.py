"""认定: does the policy profile's rule hold for an elder, and how long have the supporters been away."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from township_desk.models.dates import age_on, latest_birth_for_age
from township_desk.models.elders.vocabulary import STATE_EMPLOYERS


@dataclass
class Eligibility:
    holds: bool
    reasons: list[str]  # why not, in Chinese; empty when the rule holds


def _months_between(since: str, on: dt.date) -> int:
    year, month = (int(p) for p in since.split("-"))
    return (on.year - year) * 12 + (on.month - month)


# 子女外出务工年限 comes from one source, the supporters' "away since" months (the same dates eligibility reads):
# the earliest month a supporter still away left, as SQL over ``elders e``; when none is away any more (one came
# home and the elder has left the ledger since, the return undated), the earliest date written. The elder's own
# typed ``children_away_years`` is a number of one day and is not used for counting.
AWAY_SINCE_SQL = """COALESCE(
        (SELECT MIN(s.away_since) FROM supporters s WHERE s.elder_id = e.id AND s.is_away AND s.away_since IS NOT NULL),
        (SELECT MIN(s.away_since) FROM supporters s WHERE s.elder_id = e.id AND s.away_since IS NOT NULL))"""


def away_since_of(supporters: list[dict]) -> str | None:
    """``AWAY_SINCE_SQL`` over a list of supporter rows."""
    away = [s["away_since"] for s in supporters if s.get("is_away", 1) and s.get("away_since")]
    written = [s["away_since"] for s in supporters if s.get("away_since")]
    return min(away or written) if written else None


def years_away(away_since: str | None, on: dt.date) -> int | None:
    """Full years (外出务工年限, bands of columns 19–22) from the month ``away_since`` ('YYYY-MM') to ``on``;
    None when no supporter's date is known."""
    if not away_since:
        return None
    return max(_months_between(away_since, on), 0) // 12


# ---------------------------------------------------------------- the rule as SQL tests (groups read it this way)
#
# Each reason an elder is not in a group is one ``Test``: an SQL condition, true when the reason applies, and the
# words that say it. The condition reads ``d`` (the elder's record as it stood on the day, with ``d.status`` the
# status that day and ``d.supporters`` how many supporters they had) or, for a supporter's test, ``s`` (one of the
# elder's supporters of that day), and the named parameters of ``rule_params``. A group holds when none of its tests applies: ``models.groups`` asks that of every elder in one
# query and words the tests that apply for the few elders whose reasons are shown, from the same conditions.

@dataclass(frozen=True)
class Test:
    sql: str                                  # true when this reason applies
    says: Callable[[Mapping[str, Any]], str]  # the reason, from the row (d's or s's columns) and rule_params
    supporter: bool = False                   # a test of each supporter ``s`` rather than of ``d``


def truthy(expr: str) -> str:
    """SQL: is ``expr`` set, as Python's ``bool`` reads a stored flag (NULL, 0 and '' are not)."""
    return f"(IFNULL({expr}, 0) NOT IN (0, ''))"


def rule_params(rules: dict, on: dt.date) -> dict[str, Any]:
    """The named parameters the tests read: the day and the policy profile's numbers and choices."""
    min_age = int(rules.get("min_age", 60))
    return {"day": on.isoformat(), "min_age": min_age, "latest_birth": latest_birth_for_age(on, min_age).isoformat(),
            "min_months": int(rules.get("min_absence_months", 6)),
            "no_state": int(bool(rules.get("exclude_state_employers", True))),
            "no_poverty": int(bool(rules.get("exclude_extreme_poverty")))}


# Months from a supporter's "away since" (YYYY-MM) to the day, as ``_months_between`` counts them.
MONTHS_AWAY_SQL = ("((CAST(substr(:day, 1, 4) AS INTEGER) - CAST(substr(s.away_since, 1, 4) AS INTEGER)) * 12"
                   " + CAST(substr(:day, 6, 2) AS INTEGER) - CAST(substr(s.away_since, 6, 2) AS INTEGER))")
TOO_YOUNG_SQL = f"{truthy('d.birth_date')} AND d.birth_date > :latest_birth"  # age_on(birth, day) < min_age
NO_SUPPORTERS_SQL = "d.supporters = 0"


def _who(v: Mapping[str, Any]) -> str:
    return f"赡养人{v['name'] or ''}"


def _age(v: Mapping[str, Any]) -> int:
    return age_on(v["birth_date"], dt.date.fromisoformat(v["day"]))


_CAN, _AWAY, _SINCE = truthy("s.can_support"), truthy("s.is_away"), truthy("s.away_since")
STATE_LIST = ", ".join(f"'{name}'" for name in STATE_EMPLOYERS)

# 认定 as SQL: the tests of ``eligibility``, in its order (the supporters' tests for each supporter in turn).
LEFT_BEHIND_TESTS = (
    Test(TOO_YOUNG_SQL, lambda v: f"未满{v['min_age']}周岁（{v['day']} 时 {_age(v)} 周岁）"),
    Test(f"NOT {truthy('d.rural_hukou')}", lambda v: "不是农村户籍"),
    Test(":no_poverty AND d.hardship = '特困'", lambda v: "农村特困人员，按所选政策不认定为留守老年人"),
    Test(NO_SUPPORTERS_SQL, lambda v: "未登记赡养人，无法判断是否留守"),
    Test(f":no_state AND s.employer_type IN ({STATE_LIST})", lambda v: f"{_who(v)}在{v['employer_type']}工作",
         supporter=True),
    Test(f"NOT {truthy('s.rural_hukou')}", lambda v: f"{_who(v)}不是农村户籍", supporter=True),
    Test(f"{_CAN} AND NOT {_AWAY}", lambda v: f"{_who(v)}未外出务工且有赡养能力", supporter=True),
    Test(f"{_CAN} AND {_AWAY} AND NOT {_SINCE}", lambda v: f"{_who(v)}的外出时间未填写", supporter=True),
    Test(f"{_CAN} AND {_AWAY} AND {_SINCE} AND {MONTHS_AWAY_SQL} < :min_months",
         lambda v: f"{_who(v)}外出{v['months_away']}个月，不满{v['min_months']}个月", supporter=True),
)


def said(tests: Sequence[Test], row: Mapping[str, Any], supporters: Sequence[Mapping[str, Any]],
         column: Callable[[int], str]) -> list[str]:
    """The words of the ``tests`` that apply, in their order: ``row`` holds d's columns, the parameters and each
    test's verdict under ``column(k)``; ``supporters`` likewise, one row per supporter in order (each supporter's
    tests in turn, where the first supporter's test stands)."""
    out: list[str] = []
    for k, test in enumerate(tests):
        if not test.supporter:
            if row[column(k)]:
                out.append(test.says(row))
        elif not any(t.supporter for t in tests[:k]):
            out += [t.says(s) for s in supporters for j, t in enumerate(tests) if t.supporter and s[column(j)]]
    return out


# A record as typed (the editor's form, before saving) is judged by the same SQL, in a database of its own: its
# columns as the ledger's, a missing key taking the ledger's default.
_RECORD_TABLES = (
    "CREATE TABLE d (id INTEGER PRIMARY KEY, birth_date, rural_hukou DEFAULT 1, hardship, status, supporters)",
    "CREATE TABLE sd (id INTEGER PRIMARY KEY, elder_id INTEGER, name, employer_type, away_since,"
    " rural_hukou DEFAULT 1, is_away DEFAULT 1, can_support DEFAULT 1)",
)


def _stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _insert(conn, table: str, given: Mapping[str, Any], keys: tuple[str, ...], extra: dict[str, Any]) -> None:
    values = {**extra, **{k: _stored(given[k]) for k in keys if k in given}}
    conn.execute(f"INSERT INTO {table}({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                 list(values.values()))


def eligibility(elder: dict, supporters: list[dict], rules: dict, as_of: dt.date | None = None) -> Eligibility:
    """Does the policy profile's rule (``LEFT_BEHIND_TESTS``) hold for this record as typed? ``rules`` is
    ``settings.get_all(db)``.

    Never drops anyone: the clerk reads the reasons and decides (status 已不属于留守).
    """
    params = rule_params(rules, as_of or dt.date.today())
    column = "t{}".format
    own = ", ".join(f"IFNULL(({t.sql}), 0) AS {column(k)}" for k, t in enumerate(LEFT_BEHIND_TESTS) if not t.supporter)
    each = ", ".join(f"IFNULL(({t.sql}), 0) AS {column(k)}" for k, t in enumerate(LEFT_BEHIND_TESTS) if t.supporter)
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.row_factory = sqlite3.Row
        for statement in _RECORD_TABLES:
            conn.execute(statement)
        _insert(conn, "d", elder, ("birth_date", "rural_hukou", "hardship"), {"id": 1, "supporters": len(supporters)})
        for n, s in enumerate(supporters, start=1):
            _insert(conn, "sd", s, ("name", "employer_type", "away_since", "rural_hukou", "is_away",
                                            "can_support"), {"id": n, "elder_id": 1})
        row = {**params, **dict(conn.execute(f"SELECT d.*, {own} FROM d", params).fetchone())}
        each_row = [{**params, **dict(r)} for r in conn.execute(
            f"SELECT s.name, s.employer_type, {MONTHS_AWAY_SQL} AS months_away, {each} FROM sd s ORDER BY s.id",
            params)]
    reasons = said(LEFT_BEHIND_TESTS, row, each_row, column)
    return Eligibility(not reasons, reasons)
