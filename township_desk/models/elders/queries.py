"""The ledger as the window and the command line list it: every filter and sort in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from township_desk.models import idnumber
from township_desk.models import last_home as kept_last_home
from township_desk.models.dates import latest_birth_for_age
from township_desk.models.elders.vocabulary import AGED_FROM
from township_desk.models.errors import UserError
from township_desk.models.villages import VILLAGE_ORDER_SQL


@dataclass
class ElderQuery:
    """What the ledger page and ``elders`` show: every filter is applied in SQL."""

    search: str = ""
    village_id: int | None = None
    village: str | None = None
    tier: str | None = None              # the 巡访类别 on ``as_of`` (today): ``group_plans.visit_tier_sql``
    status: str | None = None            # None = every status
    flags: tuple[str, ...] = ()          # any of FLAGS, all must hold
    visitor_id: int | None = None
    as_of: dt.date | None = None         # for 高龄 (80+)
    risk_grade: str | None = None        # 高 / 中 / 低 (the latest assessment's), or 未评估 = never graded
    group: str | None = None             # a 巡访对象类别 (models.groups): its members on ``as_of`` (today)


# The choices of ``ElderQuery.risk_grade``.
RISK_GRADE_FILTERS = ("高", "中", "低", "未评估")


SORT_COLUMNS = {
    "name": "e.name_initials", "sex": "e.sex", "birth_date": "e.birth_date", "age": "e.birth_date DESC",
    "id_number": "e.id_number", "village": VILLAGE_ORDER_SQL, "group_name": "e.group_name",
    "phone": "e.phone", "status": "e.status", "tier": "tier", "risk_grade": "e.risk_grade",
    "visitor": "vi.name", "care": "e.care", "lives_alone": "e.lives_alone", "ability_level": "e.ability_level",
    "last_home_visit": "last_home_visit", "id": "e.id",
}


def _tier_sql(db, query: ElderQuery) -> str:
    """The 巡访类别 the visit plan follows on ``query.as_of`` (today): the one reading (``group_plans``)."""
    from township_desk.models import group_plans  # reads this package through groups

    return group_plans.visit_tier_sql(db, query.as_of or dt.date.today())


def _where(db, query: ElderQuery) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if query.group:
        from township_desk.models import groups  # reads this package

        condition, values = groups.filter_sql(db, query.group, query.as_of)
        clauses.append(condition)
        params += values
    if query.village_id is not None:
        clauses.append("e.village_id = ?")
        params.append(query.village_id)
    if query.village:
        clauses.append("v.name = ?")
        params.append(query.village)
    if query.tier:
        clauses.append(f"{_tier_sql(db, query)} = ?")
        params.append(query.tier)
    if query.status:
        clauses.append("e.status = ?")
        params.append(query.status)
    if query.visitor_id is not None:
        clauses.append("e.visitor_id = ?")
        params.append(query.visitor_id)
    if query.risk_grade == "未评估":
        clauses.append("e.risk_grade IS NULL")
    elif query.risk_grade:
        if query.risk_grade not in RISK_GRADE_FILTERS:
            raise UserError(f"风险等级“{query.risk_grade}”不在可选范围：{'、'.join(RISK_GRADE_FILTERS)}")
        clauses.append("e.risk_grade = ?")
        params.append(query.risk_grade)
    for flag in query.flags:
        if flag == "独居":
            clauses.append("e.lives_alone = 1")
        elif flag == "失能":
            clauses.append("e.ability_level >= 2")
        elif flag == "无人照料":
            clauses.append("e.care = '无人照料'")
        elif flag == "高龄":
            as_of = query.as_of or dt.date.today()
            clauses.append("e.birth_date <= ?")
            params.append(latest_birth_for_age(as_of, AGED_FROM).isoformat())
    text = (query.search or "").strip()
    if text:
        folded = idnumber.normalise(text)
        like = f"%{text}%"
        parts = ["e.name LIKE ?", "e.name_initials LIKE ?"]
        params_search = [like, f"%{text.lower()}%"]
        letters = text.lower().replace(" ", "")
        if letters.isascii() and letters.isalpha():  # full pinyin, from the start of any reading: zhang, zhangd
            parts.append("(' ' || e.name_pinyin) LIKE ?")
            params_search.append(f"% {letters}%")
        if folded and folded.rstrip("X").isdigit():
            parts.append("e.id_number LIKE ?")
            params_search.append(f"%{folded}%")
            parts.append("e.phone LIKE ?")
            params_search.append(f"%{folded}%")
        clauses.append("(" + " OR ".join(parts) + ")")
        params += params_search
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_BASE = """FROM elders e JOIN villages v ON v.id = e.village_id LEFT JOIN visitors vi ON vi.id = e.visitor_id"""


def count_elders(db, query: ElderQuery) -> int:
    """How many elders ``list_elders`` would give. Only a village-name filter needs the villages table; without
    the joins the count is an index walk (30,000 elders: ~1 ms instead of ~24 ms, once per search keystroke)."""
    where, params = _where(db, query)
    source = _BASE if query.village else "FROM elders e"
    return db.execute(f"SELECT COUNT(*) {source}{where}", params).fetchone()[0]


def _directed(part: str, descending: bool) -> str:
    """One ORDER BY term in the asked direction; a term that is descending by nature (年龄 is birth date
    DESC) is turned round when the clerk asks for the other direction."""
    part = part.strip()
    if part.upper().endswith(" DESC"):
        return part[:-5] if descending else part
    return part + " DESC" if descending else part


def list_elders(db, query: ElderQuery | None = None, *, order_by: str = "village", descending: bool = False,
                limit: int | None = None, offset: int = 0) -> list[dict]:
    """Ledger rows (one dict each) with village, visitor and last home visit, filtered and sorted in SQL."""
    query = query or ElderQuery()
    where, params = _where(db, query)
    order = SORT_COLUMNS.get(order_by, SORT_COLUMNS["village"])
    order_sql = ", ".join(_directed(part, descending) for part in order.split(","))
    last_home = kept_last_home.on_day_sql(None)  # the kept date (migration 12), not a seek per elder
    tier = _tier_sql(db, query)
    columns = f"""e.id, e.id_number, e.name, e.sex, e.birth_date, v.name AS village, e.group_name,
                     COALESCE(e.current_address, e.household_address) AS address, e.phone, e.status, {tier} AS tier,
                     e.risk_grade, e.care, e.lives_alone, e.ability_level, e.is_disabled, e.is_ill,
                     vi.name AS visitor, vi.phone AS visitor_phone, {last_home} AS last_home_visit"""
    if limit is None:
        return list(db.query(f"SELECT {columns} {_BASE}{where} ORDER BY {order_sql}, e.id", params))
    # A page (the ledger shows 200 rows at a time): the page's ids are chosen first from the narrow sort keys,
    # then only those rows are read in full. Sorting whole rows, each with its last visit looked up, cost every
    # search keystroke and heading click a lookup per matching elder (30,000 elders: ~100 ms → ~30 ms).
    chosen = {"last_home_visit": f", {last_home} AS last_home_visit", "tier": f", {tier} AS tier"}.get(order_by, "")
    sql = f"""SELECT {columns}
              FROM (SELECT e.id AS page_id{chosen} {_BASE}{where} ORDER BY {order_sql}, e.id LIMIT ? OFFSET ?) page
              JOIN elders e ON e.id = page.page_id JOIN villages v ON v.id = e.village_id
              LEFT JOIN visitors vi ON vi.id = e.visitor_id
              ORDER BY {order_sql}, e.id"""
    return list(db.query(sql, [*params, limit, offset]))


def ledger_json(db, village: str | None = None, group: str | None = None,
                on: dt.date | None = None) -> list[dict]:
    """The ``elders --json`` shape of cli.md, each with its groups on ``on`` (today); ``group`` keeps its members."""
    from township_desk.models import groups  # reads this module

    rows = list_elders(db, ElderQuery(village=village, as_of=on))  # 巡访类别 on that day, as `overdue` reads it
    keys = ("id_number", "name", "sex", "birth_date", "village", "address", "phone", "status", "risk_grade",
            "tier", "visitor", "last_home_visit")
    found = groups.member_names(db, on, [r["id"] for r in rows] if village else None)
    items = []
    for r in rows:
        names = found.get(r["id"], [])
        if group is None or group in names:
            items.append({**{k: r.get(k) for k in keys}, "groups": names})
    return items
