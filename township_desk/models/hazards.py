"""Hazards (风险隐患): a serious risk found on a visit, followed until it is resolved.

The flow (domain.md "A visit record"; seed 000: 第一时间向赡养人通报): opened with what was found and when →
the supporter told (required before the hazard can be closed) → reported to the township (optional) → resolved
with how. Each step is dated, no earlier than the one before it and never in the future; a date once recorded is
kept (the audit log shows who changed what). Unresolved hazards stay on the clerk's first screen and raise the
elder's risk grade (``risk``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from township_desk.models import audit, versions
from township_desk.models.dates import required_date
from township_desk.models.errors import UserError

_SELECT = """SELECT h.*, e.name, e.id_number, v.name AS village, e.visitor_id,
                    vi.name AS visitor, vi.phone AS visitor_phone
             FROM hazards h JOIN elders e ON e.id = h.elder_id JOIN villages v ON v.id = e.village_id
             LEFT JOIN visitors vi ON vi.id = e.visitor_id"""


def _date(value: dt.date | str | None, what: str, today: dt.date) -> dt.date:
    day = required_date(value, what)
    if day > today:
        raise UserError(f"{what} {day.isoformat()} 晚于今天")
    return day


def get_hazard(db, hazard_id: int) -> dict:
    rows = list(db.query(_SELECT + " WHERE h.id = ?", [hazard_id]))
    if not rows:
        raise UserError(f"找不到编号为 {hazard_id} 的风险隐患")
    return rows[0]


def _label(hazard: dict) -> str:
    return f"{hazard['name']} {hazard['id_number']}：{hazard['description']}"


def open_hazard(db, elder_id: int, found_on: dt.date | str, description: str, *, visit_id: int | None = None,
                today: dt.date | None = None) -> int:
    """Record a hazard found on ``found_on`` (from a visit of the same elder when ``visit_id`` is given)."""
    today = today or dt.date.today()
    day = _date(found_on, "发现日期", today)
    description = (description or "").strip()
    if not description:
        raise UserError("请写明发现的风险隐患")
    elder = db.execute("SELECT name, id_number, entered_on FROM elders WHERE id = ?", [elder_id]).fetchone()
    if elder is None:
        raise UserError(f"找不到编号为 {elder_id} 的老人记录")
    if visit_id is not None:
        visit = db.execute("SELECT elder_id, date, voided_at FROM visits WHERE id = ?", [visit_id]).fetchone()
        if visit is None or visit[0] != elder_id:
            raise UserError(f"第 {visit_id} 号巡访记录不是{elder[0]}的巡访")
        if visit[2]:
            raise UserError(f"第 {visit_id} 号巡访记录已作废，不能据此登记风险隐患")
        if day.isoformat() < visit[1]:
            raise UserError(f"发现日期 {day.isoformat()} 早于该次巡访的日期 {visit[1]}")
    with db.atomic():
        hazard_id = db.execute(
            "INSERT INTO hazards(elder_id, visit_id, found_on, description) VALUES (?, ?, ?, ?)",
            [elder_id, visit_id, day.isoformat(), description]).lastrowid
        audit.record(db, "发现隐患", "hazards", hazard_id, f"{elder[0]} {elder[1]}", "description", None, description)
    return hazard_id


_STEP_LABELS = {"found_on": "发现日期", "supporter_told_on": "通报赡养人日期", "reported_on": "报告乡镇日期",
                "resolved_on": "处置日期"}


def _step(db, hazard_id: int, field: str, on: dt.date | str, after: tuple[str, ...], today: dt.date | None,
          extra: dict[str, Any] | None = None, expected_version: int | None = None) -> int:
    """Record one dated step; it may not come before the steps in ``after`` nor be recorded twice.

    With ``expected_version`` (the ``row_version`` the dialog read) a hazard changed meanwhile is refused
    (``StaleRecord``). Returns the hazard's new ``row_version``."""
    today = today or dt.date.today()
    what = _STEP_LABELS[field]
    hazard = get_hazard(db, hazard_id)
    day = _date(on, what, today)
    versions.check(db, "hazards", hazard_id, expected_version)
    if hazard[field]:
        raise UserError(f"该风险隐患的{what}已记录为 {hazard[field]}，不能重复记录")
    for earlier in after:
        if hazard[earlier] and day.isoformat() < hazard[earlier]:
            raise UserError(f"{what} {day.isoformat()} 早于{_STEP_LABELS[earlier]} {hazard[earlier]}")
    values = {field: day.isoformat(), **(extra or {})}
    with db.atomic():
        versions.update(db, "hazards", hazard_id, values, expected_version)
        for key, value in values.items():
            audit.record(db, "隐患跟进", "hazards", hazard_id, _label(hazard), key, hazard[key], value)
        return versions.current(db, "hazards", hazard_id)


def record_supporter_told(db, hazard_id: int, on: dt.date | str, *, today: dt.date | None = None,
                          expected_version: int | None = None) -> int:
    """The day the supporter was told (第一时间向赡养人通报). Returns the hazard's new ``row_version``."""
    return _step(db, hazard_id, "supporter_told_on", on, ("found_on",), today, expected_version=expected_version)


def record_reported(db, hazard_id: int, on: dt.date | str, *, today: dt.date | None = None,
                    expected_version: int | None = None) -> int:
    """The day it was reported to the township. Returns the hazard's new ``row_version``."""
    return _step(db, hazard_id, "reported_on", on, ("found_on",), today, expected_version=expected_version)


def resolve(db, hazard_id: int, on: dt.date | str, resolution: str, *, today: dt.date | None = None,
            expected_version: int | None = None) -> int:
    """Close the hazard with how it was resolved; the supporter must have been told first.
    Returns the hazard's new ``row_version``."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise UserError("请写明处置情况")
    if not get_hazard(db, hazard_id)["supporter_told_on"]:
        raise UserError("按规定发现风险隐患应第一时间向赡养人通报：请先记录通报赡养人的日期，再记录处置")
    return _step(db, hazard_id, "resolved_on", on, ("found_on", "supporter_told_on", "reported_on"), today,
                 extra={"resolution": resolution}, expected_version=expected_version)


def open_hazards(db, *, village: str | None = None) -> list[dict]:
    """Unresolved hazards, oldest first, with the elder, village, visitor and whether the supporter was told."""
    sql, params = _SELECT + " WHERE h.resolved_on IS NULL", []
    if village:
        sql += " AND v.name = ?"
        params.append(village)
    return list(db.query(sql + " ORDER BY h.found_on, h.id", params))


def hazards_of_elder(db, elder_id: int) -> list[dict]:
    """An elder's hazards, open ones first, then newest first."""
    return list(db.query(_SELECT + " WHERE h.elder_id = ? ORDER BY h.resolved_on IS NOT NULL, h.found_on DESC, h.id DESC",
                         [elder_id]))


def list_hazards(db, *, only_open: bool = False, village: str | None = None) -> list[dict]:
    """Every hazard (or the open ones), open first, then by date found."""
    sql, params, clauses = _SELECT, [], []
    if only_open:
        clauses.append("h.resolved_on IS NULL")
    if village:
        clauses.append("v.name = ?")
        params.append(village)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return list(db.query(sql + " ORDER BY h.resolved_on IS NOT NULL, h.found_on, h.id", params))
