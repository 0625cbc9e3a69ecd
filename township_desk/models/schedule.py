"""The visit plan and what counts as overdue (domain.md "Visit plan and what counts as overdue").

This module is the one home of the overdue rule: the 巡访 page, the 首页, the charts, the ``overdue`` command,
the printed overdue list and the monthly workbook all call ``overdue`` and never count on their own.

The rule, as of a day D (every visit and status change after D is ignored, so a past day reads as it was):

- Only elders whose status on D is 在册 are scheduled (``elders.STATUS_ON_DAY_SQL``). 暂离 pauses the plan and
  it restarts on the return: the plan runs from the day the current 在册 period began (``STATUS_SINCE_SQL``:
  the day the elder entered the ledger, or came back to 在册).
- Home visit (上门) due date = the later of the last home visit on or before D and the day the plan began,
  plus the tier's interval (settings ``plan_key_home_days`` / ``plan_general_home_days``; defaults 15 / 30).
  Overdue when D > due date; days overdue = D − due date. Due today is not overdue.
- Remote contacts (电话/视频) are counted over the last complete ISO week before D (Monday–Sunday, ending
  before D). A home visit counts as one of them only when the plan says so (``plan_home_counts_as_contact``;
  off by default: seed 003 asks for a home visit every half month *and* two calls a week). The shortfall is the tier's weekly number
  (``plan_key_remote_per_week`` / ``plan_general_remote_per_week``; defaults 2 / 1) minus the contacts, when
  positive. An elder whose plan began after that week's Monday was not on the plan for the whole week and is
  not counted short for it.
- The tier is the 巡访类别 in force on D (``field_history``), so a grade change that moves someone to 重点 switches
  the interval from the day it takes effect, and a past day reads with the tier (and village and visitor) of that day.
  Seed 003's 重点 rules (高龄, 失能, 独居, children away with nobody close by: ``group_plans``) make an elder 重点
  on D in every group, whatever the tier on the record.
- The plan (intervals and weekly contacts of the two tiers) is the settings' per-tier plan, unless the elder is in
  a group with a plan of its own (设置 → 各类对象巡访频次): then the most demanding plan of the elder's groups on
  D (``group_plans.elder_plans``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import asdict, dataclass

from township_desk.models import field_history, group_plans, last_home, settings, villages
from township_desk.models.changes import data_stamp
from township_desk.models.dates import month_bounds
from township_desk.models.elders import STATUS_ON_DAY_SQL, STATUS_PERIODS_SQL, STATUS_SINCE_SQL

_VILLAGE_ON_DAY = field_history.on_day_sql("village_id")
_VISITOR_ON_DAY = field_history.on_day_sql("visitor_id")
KINDS = ("home", "remote")
KIND_LABELS = {"home": "逾期未上门", "remote": "电话视频巡访不足"}


@dataclass(frozen=True)
class VisitPlan:
    """How often a tier is visited: a home visit every ``home_days`` days, ``remote_per_week`` contacts a week."""

    home_days: int
    remote_per_week: int
    home_counts_as_contact: bool = False


def plans(db) -> dict[str, VisitPlan]:
    """The visit plan of each tier (重点, 一般) from the settings."""
    values = settings.get_all(db)
    home_counts = bool(values["plan_home_counts_as_contact"])
    return {
        "重点": VisitPlan(int(values["plan_key_home_days"]), int(values["plan_key_remote_per_week"]), home_counts),
        "一般": VisitPlan(int(values["plan_general_home_days"]), int(values["plan_general_remote_per_week"]),
                        home_counts),
    }


def last_complete_week(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the last complete ISO week before ``as_of`` (a Sunday's own week is not complete)."""
    sunday = as_of - dt.timedelta(days=as_of.isoweekday())
    return sunday - dt.timedelta(days=6), sunday


def rule_text(db) -> str:
    """The overdue rule in the clerk's words, as the visit plan in 设置 has it (shown under the overdue list)."""
    home_counts = bool(settings.get(db, "plan_home_counts_as_contact"))
    return ("逾期：距上次上门巡访（从未上门的从纳入台账或恢复在册之日算起）超过该类别的间隔天数；"
            "电话视频：上一个完整自然周（周一至周日）的次数少于规定"
            + ("，上门巡访也计为一次联系。" if home_counts else "（上门巡访不计入电话视频次数）。"))


@dataclass
class OverdueItem:
    """One line of the overdue list: an overdue home visit (kind "home") or last week's remote shortfall ("remote")."""

    elder_id: int
    id_number: str
    name: str
    village: str
    tier: str
    visitor_id: int | None
    visitor: str | None
    visitor_phone: str | None
    kind: str
    due_date: dt.date              # home: when the visit was due; remote: the Sunday that closed the week
    days_overdue: int | None       # home only
    shortfall: int | None          # remote only
    last_home_visit: dt.date | None
    contacts: int | None = None    # remote: contacts counted in the week
    required: int | None = None    # remote: contacts the plan asks for

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def to_json(self) -> dict:
        """The ``overdue --json`` shape of cli.md (dates as YYYY-MM-DD), plus the visitor's phone and last visit."""
        data = asdict(self)
        for key in ("due_date", "last_home_visit"):
            data[key] = data[key].isoformat() if data[key] else None
        order = ("id_number", "name", "village", "tier", "visitor", "kind", "due_date", "days_overdue", "shortfall",
                 "visitor_phone", "last_home_visit", "contacts", "required", "elder_id")
        return {key: data[key] for key in order}


def _day(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _overdue_sql(where: str, tier: str, every: bool = False) -> str:
    """The rule of this module's docstring as one query: a row per elder 在册 on ``:day`` who is overdue for a
    home visit (``days_overdue`` > 0, ``home_due``) or short of contacts last week (``shortfall``), so only the
    listed elders come back. Named parameters: day, week_start, week_end, the tiers' plans (key_home_days,
    general_home_days, key_remote, general_remote, home_counts) and want_home / want_remote (1 or 0).
    ``every``: every elder 在册 on the day, overdue or not (``visit_plan``). ``tier``: the 巡访类别 on :day
    (``group_plans.visit_tier_sql``); the elders' own plans are in ``group_plans.PLAN_TABLE`` (``_plan_params`` fills it)."""
    # The elders' own values are read once each into a materialized table: written as nested subqueries, SQLite
    # flattened them and evaluated each correlated lookup as often as its column was named (the day's status
    # and the plan's start three or four times an elder; 6,000 → 1,000 instructions, ~350 → ~200 ms at 30,000).
    return f"""
        WITH base AS MATERIALIZED (
                    SELECT e.id, e.id_number, e.name, e.name_initials,
                           {tier} AS tier, e.visitor_id,
                           pm.key_home AS pm_key_home, pm.key_remote AS pm_key_remote,
                           pm.general_home AS pm_general_home, pm.general_remote AS pm_general_remote,
                           v.name AS village, v.sort_order AS village_order,
                           vi.name AS visitor, vi.phone AS visitor_phone,
                           {STATUS_ON_DAY_SQL} AS day_status,
                           {STATUS_SINCE_SQL} AS plan_start,
                           {last_home.on_day_sql(":day")} AS last_home,
                           COALESCE(wk.remote, 0) + CASE WHEN :home_counts THEN COALESCE(wk.home, 0) ELSE 0 END
                             AS week_contacts
                    FROM elders e JOIN villages v ON v.id = {_VILLAGE_ON_DAY}
                         LEFT JOIN visitors vi ON vi.id = {_VISITOR_ON_DAY}
                         LEFT JOIN {group_plans.PLAN_TABLE} pm ON pm.elder_id = e.id
                         -- the week's contacts per elder in one pass over the week's visits (the (date, mode, …)
                         -- index), not two lookups per elder: 30,000 elders ~800 → ~150 ms
                         LEFT JOIN (SELECT elder_id, SUM(mode IN ('电话', '视频')) AS remote, SUM(mode = '上门') AS home
                                    FROM live_visits WHERE date BETWEEN :week_start AND :week_end
                                    GROUP BY elder_id) wk ON wk.elder_id = e.id
                    {where})
        SELECT * FROM (
            SELECT *,
                   date(plan_base, '+' || home_days || ' days') AS home_due,
                   CAST(julianday(:day) - julianday(plan_base) AS INTEGER) - home_days AS days_overdue,
                   CASE WHEN remote_required > 0 AND plan_start <= :week_start AND week_contacts < remote_required
                        THEN remote_required - week_contacts END AS shortfall
            FROM (
                SELECT *, MAX(COALESCE(last_home, plan_start), plan_start) AS plan_base,
                       CASE tier WHEN '重点' THEN COALESCE(pm_key_home, :key_home_days)
                                 ELSE COALESCE(pm_general_home, :general_home_days) END AS home_days,
                       CASE tier WHEN '重点' THEN COALESCE(pm_key_remote, :key_remote)
                                 ELSE COALESCE(pm_general_remote, :general_remote) END AS remote_required
                FROM base WHERE day_status = '在册'
            )
        ) WHERE {"1" if every else "(:want_home AND days_overdue > 0) OR (:want_remote AND shortfall IS NOT NULL)"}
        ORDER BY {villages.village_order("", columns=("village_order", "village"))}, name_initials, id"""


def _plan_params(db, as_of: dt.date, elder_ids: list[int] | None = None) -> tuple[dict, str]:
    """The plan's named parameters for ``_overdue_sql`` on ``as_of`` (the default plan, the elders' own plans
    from their groups) and the 巡访类别 on :day (``group_plans.visit_tier_sql``)."""
    plan_of = plans(db)
    params = {"key_home_days": plan_of["重点"].home_days, "general_home_days": plan_of["一般"].home_days,
              "key_remote": plan_of["重点"].remote_per_week, "general_remote": plan_of["一般"].remote_per_week,
              "home_counts": int(plan_of["重点"].home_counts_as_contact)}
    group_plans.load_plan_table(db, group_plans.elder_plans(db, as_of, elder_ids))
    return params, group_plans.visit_tier_sql(db)


def _plan_query(db, as_of: dt.date, week: tuple[dt.date, dt.date], *, village: str | None,
                visitor_id: int | None, elder_ids: list[int] | None = None,
                kinds: tuple[str, ...] = ()) -> tuple[str, dict, str]:
    """The WHERE clause, parameters and tier expression of ``_overdue_sql`` for the plan on ``as_of`` (``overdue`` and
    ``visit_plan``): the elders narrowed by village (a name), visitor and ids; ``kinds`` the lists wanted."""
    plan_params, tier = _plan_params(db, as_of, elder_ids)
    params: dict = {"day": as_of.isoformat(), "week_start": week[0].isoformat(), "week_end": week[1].isoformat(),
                    **plan_params, "want_home": int("home" in kinds), "want_remote": int("remote" in kinds)}
    clauses = []
    if village:
        clauses.append("v.name = :village")
        params["village"] = village
    if visitor_id is not None:
        clauses.append("e.visitor_id = :visitor_id")
        params["visitor_id"] = visitor_id
    if elder_ids is not None:
        marks = [f":elder{k}" for k in range(len(elder_ids))]
        clauses.append(f"e.id IN ({','.join(marks) or 'NULL'})")
        params.update({m[1:]: elder_id for m, elder_id in zip(marks, elder_ids, strict=True)})
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return where, params, tier


def _dicts(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def overdue(db, as_of: dt.date | str, *, village: str | None = None, visitor_id: int | None = None,
            kinds: tuple[str, ...] = KINDS, elder_ids: list[int] | None = None,
            group: str | None = None) -> list[OverdueItem]:
    """Overdue home visits and last week's remote shortfalls as of ``as_of``, by the rule in this module's docstring.

    Ordered by village, then home visits (longest overdue first) before remote shortfalls (largest first).
    ``village`` (a name), ``visitor_id``, ``elder_ids`` and ``group`` (a visit group's members on ``as_of``,
    ``models.groups``) narrow the elders considered; ``kinds`` picks the lists.
    """
    as_of = _day(as_of)
    asked = (as_of, village, visitor_id, None if elder_ids is None else tuple(elder_ids), group)
    remembered = getattr(db, _MEMO, None)
    if remembered and remembered[0] == (data_stamp(db), asked) and set(kinds) <= remembered[1]:
        # Nothing written since the same question was answered on this connection: the same answer (the 首页's
        # figures, to-do list and group rates each ask it; at 30,000 elders it is the costliest query).
        return [copy.copy(item) for item in remembered[2] if item.kind in kinds]
    if group is not None:
        from township_desk.models import groups  # reads elders, as this module does

        members = set(groups.members(db, group, as_of))
        elder_ids = [i for i in (elder_ids if elder_ids is not None else sorted(members)) if i in members]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown overdue kinds: {sorted(unknown)}")
    week = last_complete_week(as_of)
    where, params, tier = _plan_query(db, as_of, week, village=village, visitor_id=visitor_id, elder_ids=elder_ids,
                                       kinds=kinds)
    items: list[OverdueItem] = []
    for row in _dicts(db.execute(_overdue_sql(where, tier), params)):
        common = {"elder_id": row["id"], "id_number": row["id_number"], "name": row["name"],
                  "village": row["village"], "tier": row["tier"], "visitor_id": row["visitor_id"],
                  "visitor": row["visitor"], "visitor_phone": row["visitor_phone"],
                  "last_home_visit": dt.date.fromisoformat(row["last_home"]) if row["last_home"] else None}
        if "home" in kinds and row["days_overdue"] > 0:
            items.append(OverdueItem(kind="home", due_date=dt.date.fromisoformat(row["home_due"]),
                                     days_overdue=row["days_overdue"], shortfall=None, **common))
        if "remote" in kinds and row["shortfall"] is not None:
            items.append(OverdueItem(kind="remote", due_date=week[1], days_overdue=None, shortfall=row["shortfall"],
                                     contacts=row["week_contacts"], required=row["remote_required"], **common))
    village_rank = {}
    for item in items:
        village_rank.setdefault(item.village, len(village_rank))  # rows come in the villages' order
    items.sort(key=lambda i: (village_rank[i.village], i.kind != "home",
                              -(i.days_overdue or 0) if i.kind == "home" else -(i.shortfall or 0)))
    # Remembered with the state read after the plan table was filled (that write is this call's own); the list of
    # fewer kinds is this one filtered (the same order: villages, then each kind's own order).
    setattr(db, _MEMO, ((data_stamp(db), asked), set(kinds), [copy.copy(item) for item in items]))
    return items


_MEMO = "_township_overdue_memo"


@dataclass
class PlannedElder:
    """One elder on the visit plan on a day: the home visit due (``home_due``: the plan's base + the tier's
    interval, by the same rule and query as ``overdue``) and the contacts the tier asks for each week."""

    elder_id: int
    id_number: str
    name: str
    village: str
    tier: str
    visitor_id: int | None
    visitor: str | None
    home_due: dt.date
    home_days: int
    remote_per_week: int
    last_home_visit: dt.date | None


def visit_plan(db, as_of: dt.date | str, *, village: str | None = None,
               visitor_id: int | None = None) -> list[PlannedElder]:
    """Every elder on the plan (在册) on ``as_of``, overdue or not, with the home visit's due date as ``overdue``
    computes it; ordered by village and name (pinyin initials)."""
    as_of = _day(as_of)
    where, params, tier = _plan_query(db, as_of, last_complete_week(as_of), village=village, visitor_id=visitor_id)
    return [PlannedElder(elder_id=row["id"], id_number=row["id_number"], name=row["name"], village=row["village"],
                         tier=row["tier"], visitor_id=row["visitor_id"], visitor=row["visitor"],
                         home_due=dt.date.fromisoformat(row["home_due"]), home_days=row["home_days"],
                         remote_per_week=row["remote_required"],
                         last_home_visit=dt.date.fromisoformat(row["last_home"]) if row["last_home"] else None)
            for row in _dicts(db.execute(_overdue_sql(where, tier, every=True), params))]


def overdue_by_village(db, as_of: dt.date | str, group: str | None = None) -> list[tuple[str, int]]:
    """(village, elders overdue for a home visit) for every village, in the villages' order (for the chart);
    ``group``: only that 巡访对象类别's members (as ``overdue``)."""
    counts: dict[str, set[int]] = {}
    for item in overdue(db, as_of, kinds=("home",), group=group):
        counts.setdefault(item.village, set()).add(item.elder_id)
    return [(name, len(counts.get(name, ()))) for name in villages.names_in_order(db)]


# ---------------------------------------------------------------- the monthly visit rate (月探访率)


# Elders 在册 on the month's last day (:day), each with their last home visit on or before it: visited at home in
# the month (:first to :day) when that visit is on or after :first. Read through the kept date (``models.last_home``),
# not by counting the month's visits (a pass over ~260,000 visits at 30,000 elders).
_MONTH_SQL = """
    SELECT * FROM (
        SELECT e.id AS elder_id, e.id_number, e.name, e.name_initials, {tier} AS tier, v.name AS village,
               v.sort_order AS village_order, e.visitor_id,
               {status} AS day_status, {last_home} AS last_home_visit
        FROM elders e JOIN villages v ON v.id = e.village_id
        {narrow}
    ) WHERE day_status = '在册'"""

# The rows of ``_MONTH_SQL`` visited at home in the month (``_UNVISITED``: not).
_VISITED = "last_home_visit >= :first"
_UNVISITED = "(last_home_visit IS NULL OR last_home_visit < :first)"

# Only elders who may have no home visit in the month: one whose kept last home visit (``models.last_home``)
# lies in the month has one. The day's status and tier are then worked out for the few left, not for everyone.
_MAYBE_UNVISITED = ("WHERE NOT EXISTS (SELECT 1 FROM last_home_visits k WHERE k.elder_id = e.id"
                    " AND k.date BETWEEN :first AND :day)")


def _month_sql(db, *, unvisited: bool = False) -> str:
    """``_MONTH_SQL`` with the 巡访类别 at the month's end (``group_plans.visit_tier_sql``); ``unvisited``: leaving
    out elders certainly visited at home in the month."""
    return _MONTH_SQL.format(tier=group_plans.visit_tier_sql(db), status=STATUS_ON_DAY_SQL,
                             last_home=last_home.on_day_sql(":day"),
                             narrow=_MAYBE_UNVISITED if unvisited else "")


def _month_params(month: str, db=None, group: str | None = None) -> dict:
    """The month's first and last day; with ``group``, ``members``: that group's members on the last day (the
    month's figures are the facts of its last day), as JSON for ``_IN_GROUP``."""
    first, last = month_bounds(month)
    params = {"first": first.isoformat(), "day": last.isoformat(), "members": None}
    if group is not None:
        from township_desk.models import groups  # reads elders, as this module does

        params["members"] = json.dumps(groups.members(db, group, last))
    return params


# Keeps the rows of ``_MONTH_SQL`` whose elder is in :members (all rows when it is NULL: no group asked).
_IN_GROUP = "(:members IS NULL OR elder_id IN (SELECT value FROM json_each(:members)))"


def monthly_visit_rate(db, month: str, group: str | None = None) -> tuple[int, int, float]:
    """月探访率 of a month ('YYYY-MM'): (elders with a home visit in the month, elders 在册 at its end, share 0–1);
    ``group``: of that 巡访对象类别's members on the month's last day.

    The share is 0.0 when nobody is 在册. The current month reads as "so far": visits cannot lie in the future.
    """
    total, visited = db.execute(f"SELECT COUNT(*), COALESCE(SUM({_VISITED}), 0) FROM ({_month_sql(db)})"
                                f" WHERE {_IN_GROUP}", _month_params(month, db, group)).fetchone()
    return visited, total, (visited / total if total else 0.0)


def unvisited_in_month(db, month: str, group: str | None = None) -> list[dict]:
    """Elders 在册 at the month's end with no home visit in it: what keeps the visit rate below 100%; each with
    the last home visit before the month's end and the visitor. ``group``: only that group's members."""
    return _dicts(db.execute(f"""
        SELECT m.*, vi.name AS visitor, vi.phone AS visitor_phone
        FROM ({_month_sql(db, unvisited=True)}) m LEFT JOIN visitors vi ON vi.id = m.visitor_id
        WHERE {_UNVISITED.replace("last_home", "m.last_home")} AND {_IN_GROUP.replace("elder_id", "m.elder_id")}
        ORDER BY {villages.village_order("m", columns=("village_order", "village"))}, m.name_initials, m.elder_id""",
        _month_params(month, db, group)))


def _shift_month(month: str, by: int) -> str:
    year, mon = (int(p) for p in month.split("-"))
    index = year * 12 + (mon - 1) + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def home_coverage_by_month(db, month: str, months: int = 12, group: str | None = None) -> list[tuple[str, float]]:
    """(month, visit rate 0–1) for the ``months`` months ending with ``month``, oldest first (for the chart):
    each month's rate as ``monthly_visit_rate`` gives it, computed for all the months in one query; ``group``: of
    that 巡访对象类别's members on each month's last day.

    Months before anyone was on the ledger are left out rather than drawn as 0%.
    """
    bounds = [month_bounds(_shift_month(month, -k)) for k in range(months - 1, -1, -1)]
    members: list[str | None] = [None] * len(bounds)
    if group is not None:
        from township_desk.models import groups  # reads elders, as this module does

        members = [json.dumps(groups.members(db, group, last)) for _first, last in bounds]
    values = ", ".join("(?, ?, ?)" for _ in bounds)
    rows = db.execute(f"""
        WITH periods AS ({STATUS_PERIODS_SQL}),
             months(first, last, members) AS (VALUES {values})
        SELECT m.first, COUNT(*) AS total,
               SUM(EXISTS (SELECT 1 FROM live_visits vs WHERE vs.elder_id = p.elder_id AND vs.mode = '上门'
                                                  AND vs.date BETWEEN m.first AND m.last)) AS visited
        FROM months m JOIN periods p
             ON p.status = '在册' AND p.since <= m.last AND (p.until IS NULL OR p.until > m.last)
        WHERE m.members IS NULL OR p.elder_id IN (SELECT value FROM json_each(m.members))
        GROUP BY m.first ORDER BY m.first""",
        [v for (first, last), ids in zip(bounds, members, strict=True)
         for v in (first.isoformat(), last.isoformat(), ids)]).fetchall()
    return [(first[:7], visited / total) for first, total, visited in rows if total]


# ---------------------------------------------------------------- this week's contacts so far


def current_week(as_of: dt.date | str) -> tuple[dt.date, dt.date]:
    """Monday of ``as_of``'s ISO week and ``as_of`` itself: the week in progress, as far as it has gone."""
    as_of = _day(as_of)
    return as_of - dt.timedelta(days=as_of.isoweekday() - 1), as_of


@dataclass(frozen=True)
class WeekProgress:
    """Remote contacts with one elder so far this week (``contacts``) against what the plan asks (``required``),
    counted by the rule of the shortfall (电话/视频, plus home visits when the plan counts them)."""

    contacts: int
    required: int

    @property
    def text(self) -> str:
        return f"{self.contacts}/{self.required}"

    @property
    def met(self) -> bool:
        return self.contacts >= self.required


def week_progress(db, as_of: dt.date | str, elder_ids: list[int]) -> dict[int, WeekProgress]:
    """This week's contacts so far (Monday to ``as_of``) with each of ``elder_ids``, against the plan of the tier
    in force on ``as_of``: the figure the clerk watches while catching up on last week's shortfall, which only
    contacts dated in that week can clear."""
    if not elder_ids:
        return {}
    as_of = _day(as_of)
    plan_of = plans(db)
    own = group_plans.elder_plans(db, as_of, list(elder_ids))
    monday, _day_ = current_week(as_of)
    names = [f"e{k}" for k in range(len(elder_ids))]
    sql = f"""SELECT e.id, {group_plans.visit_tier_sql(db, ':as_of')} AS tier,
                     (SELECT COUNT(*) FROM live_visits vs WHERE vs.elder_id = e.id AND vs.mode IN ('电话', '视频')
                        AND vs.date BETWEEN :monday AND :as_of) AS remote,
                     (SELECT COUNT(*) FROM live_visits vs WHERE vs.elder_id = e.id AND vs.mode = '上门'
                        AND vs.date BETWEEN :monday AND :as_of) AS home
              FROM elders e WHERE e.id IN ({",".join(":" + n for n in names)})"""
    params = {"monday": monday.isoformat(), "as_of": as_of.isoformat(), **dict(zip(names, elder_ids, strict=True))}
    result = {}
    for elder_id, tier, remote, home in db.execute(sql, params):
        plan = plan_of.get(tier, plan_of["一般"])
        contacts = remote + (home if plan.home_counts_as_contact else 0)
        required = plan.remote_per_week
        if elder_id in own:
            required = own[elder_id].key_remote_per_week if tier == "重点" else own[elder_id].general_remote_per_week
        result[elder_id] = WeekProgress(contacts, required)
    return result
