"""Month coverage per visit group (探访关爱, forms.md "探访关爱 sheet"): who was contacted in a month, per village
and 巡访对象类别, and over all the elders on the visit plan.

The 2022 national guidance on visiting elders in special difficulty counts the 月探访率 as the share of them
contacted in the month (any contact: 上门, 电话 or 视频); the 27-column 汇总表 stays the 留守 form. Everything is
read as of the month's last day (or ``as_of`` for a month still running), from the dated facts:

- 人数: elders 在册 that day in the group (``groups.memberships`` on that day), in the village they were in then;
  the line 全部巡访对象 counts every elder 在册 that day, in any group or none (everyone 在册 is visited);
- 重点对象: of them, 重点 for the visit plan that day (the tier then, or a 重点 rule: ``group_plans.visit_tier_sql``);
- 本月已探访人数: of them, with any visit (上门/电话/视频, not voided) dated from the 1st to that day;
- 本月已上门人数: of them, with a home visit in the same days;
- 探访率 (%) = 本月已探访人数 / 人数 × 100, one decimal (None when 人数 is 0);
- 月末逾期未上门人数: of them, overdue for a home visit that day by ``schedule.overdue`` (the one rule).

``month_coverage`` is the one function; the workbook (``submissions.build_book``), the county's combine and the
首页 read it. A month sent to the county is written again from what was sent (``models.submissions``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from township_desk.models import field_history, group_plans, groups, monthly, rate_labels, schedule, villages
from township_desk.models.dates import month_bounds
from township_desk.models.elders import STATUS_ON_DAY_SQL

ALL_LABEL = "全部巡访对象"
TOTAL_LABEL = monthly.TOTAL_LABEL
SHEET = "探访关爱"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("village", "村（社区）"), ("group", "巡访对象类别"), ("people", "人数"), ("key", "重点对象"),
    ("contacted", "本月已探访人数"), ("home_visited", "本月已上门人数"), ("rate", rate_labels.rate_heading(rate_labels.CONTACT)),
    ("overdue", "月末逾期未上门人数"),
)
COUNTS = ("people", "key", "contacted", "home_visited", "overdue")


@dataclass
class CoverageRow:
    village: str            # a village, or 合计
    group: str              # a 巡访对象类别, or 全部巡访对象
    people: int = 0
    key: int = 0
    contacted: int = 0
    home_visited: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float | None:
        return rate_of(self.contacted, self.people)

    def as_dict(self) -> dict:
        return {"village": self.village, "group": self.group, **{k: getattr(self, k) for k in COUNTS},
                "rate": self.rate}


def rate_of(contacted: int, people: int) -> float | None:
    """探访率 in per cent, one decimal; None when nobody is counted."""
    return round(100.0 * contacted / people, 1) if people else None


def _people(db, first: dt.date, day: dt.date) -> list[dict]:
    """Elders 在册 on ``day`` with their village and plan tier that day and whether they were contacted / visited at
    home from ``first`` to ``day``."""
    tier = group_plans.visit_tier_sql(db)
    sql = f"""
        SELECT * FROM (
            SELECT e.id, v.name AS village, {tier} AS tier, {STATUS_ON_DAY_SQL} AS day_status,
                   COALESCE(mv.home, 0) AS home, mv.elder_id IS NOT NULL AS contacted
            FROM elders e JOIN villages v ON v.id = {field_history.on_day_sql("village_id")}
                 -- the month's contacts per elder in one pass over the month's visits, not two lookups per elder
                 LEFT JOIN (SELECT elder_id, MAX(mode = '上门') AS home FROM live_visits
                            WHERE mode IN ('上门', '电话', '视频') AND date BETWEEN :first AND :day
                            GROUP BY elder_id) mv ON mv.elder_id = e.id
        ) WHERE day_status = '在册'"""
    cursor = db.execute(sql, {"first": first.isoformat(), "day": day.isoformat()})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def month_day(month: str, as_of: dt.date | None = None) -> dt.date:
    """The day a month's coverage is read on: its last day, or ``as_of`` for a month still running."""
    last = month_bounds(month)[1]
    return min(last, as_of) if as_of else last


def month_coverage(db, month: str, *, group: str | None = None, as_of: dt.date | None = None) -> list[CoverageRow]:
    """The 探访关爱 figures of ``month`` ('YYYY-MM'): per village (villages' order) a row per group with anyone in
    it and a 全部巡访对象 row; then 合计: a row per group (every group, in ``groups.GROUPS`` order) and 全部巡访对象.
    ``group``: only that group's rows (a village row where it has anyone, and its 合计). ``as_of``: read a
    running month up to that day instead of its last day."""
    month = monthly.parse_month(month)
    first = month_bounds(month)[0]
    day = month_day(month, as_of)
    wanted = (groups.require(group),) if group else groups.GROUPS
    people = _people(db, first, day)
    ids = [p["id"] for p in people]
    member_of = {i: set(v) for i, v in groups.member_names(db, day, ids).items()}
    overdue = {item.elder_id for item in schedule.overdue(db, day, kinds=("home",))}  # only 在册 ones come back
    order = villages.names_in_order(db)
    rows: dict[tuple[str, str], CoverageRow] = {}

    # Elders alike in every count (village, groups, and the four yes/no facts) are counted together first: a
    # few hundred kinds of elder instead of 30,000 elders × their groups (per-group coverage in one pass).
    alike = Counter(
        (p["village"], tuple(name for name in wanted if name in member_of.get(p["id"], ())),
         p["tier"] == "重点", bool(p["contacted"]), bool(p["home"]), p["id"] in overdue)
        for p in people)

    def add(village: str, name: str, count: int, key: bool, contacted: bool, home: bool, late: bool) -> None:
        row = rows.setdefault((village, name), CoverageRow(village, name))
        row.people += count
        row.key += key * count
        row.contacted += contacted * count
        row.home_visited += home * count
        row.overdue += late * count

    for (village, member, *facts), count in alike.items():
        for name in member:
            add(village, name, count, *facts)
            add(TOTAL_LABEL, name, count, *facts)
        if not group:
            add(village, ALL_LABEL, count, *facts)
            add(TOTAL_LABEL, ALL_LABEL, count, *facts)
    lines = [*wanted, *(() if group else (ALL_LABEL,))]
    out: list[CoverageRow] = []
    for village in order:
        for name in lines:
            row = rows.get((village, name))
            if row is not None:
                out.append(row)
            elif name == ALL_LABEL:
                out.append(CoverageRow(village, name))  # every village has its 全部 line, zeros included
    out += [rows.get((TOTAL_LABEL, name)) or CoverageRow(TOTAL_LABEL, name) for name in lines]
    return out


def totals(rows: list[CoverageRow]) -> list[CoverageRow]:
    """The 合计 rows of ``month_coverage`` (per group, then 全部巡访对象)."""
    return [r for r in rows if r.village == TOTAL_LABEL]
