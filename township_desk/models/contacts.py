"""Quick contact log (电话/视频 contacts): several elders called on one day, recorded in one go.

A call that got through (接通) is a visit row of mode 电话 or 视频 (``visits.record_visit``: the same checks, the
audit entry), with no items of the paper form, which nobody can judge by phone. A call that did not get through
(未接通) is no contact and must not count towards the weekly plan, so it is not a visit: it is written to the
audit log (action ``UNREACHED``) and shown in the elder's file (``unreached_of``). A problem heard on the call
opens a hazard (``hazards.open_hazard``) for each elder it was recorded for.

Everything is one transaction: either every elder ticked is recorded, or none is and the clerk reads every
problem at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from township_desk.models import audit, hazards, visits
from township_desk.models.dates import DateError, parse_date
from township_desk.models.errors import UserError, ValidationError

MODES = ("电话", "视频")
UNREACHED = "联系未接通"
SHOWN_PROBLEMS = 8  # refusals named in the message; ``ValidationError.problems`` holds them all
_UNREACHED_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2}) (电话|视频)未接通（(.*?)）(?:：(.*))?$", re.S)


@dataclass
class ContactsSaved:
    """What ``record_contacts`` wrote: the visit ids (calls that got through), the elders not reached, and the
    hazards opened."""

    visit_ids: list[int] = field(default_factory=list)
    unreached: list[int] = field(default_factory=list)
    hazard_ids: list[int] = field(default_factory=list)


def _day(value, today: dt.date) -> dt.date:
    try:
        day = parse_date(value)
    except DateError as exc:
        raise UserError(f"联系日期：{exc}") from exc
    if day is None:
        raise UserError("请填写联系日期")
    if day > today:
        raise UserError(f"联系日期 {day.isoformat()} 晚于今天")
    return day


def record_contacts(db, elder_ids: list[int], *, date: dt.date | str, mode: str, reached: bool = True,
                    note: str | None = None, visitor_id: int | None = None, visitor_name: str | None = None,
                    problem: str | None = None, today: dt.date | None = None) -> ContactsSaved:
    """Record one phone or video contact with each of ``elder_ids`` on ``date``.

    Who called: ``visitor_id`` / ``visitor_name`` when given, else each elder's own 巡访责任人 (an elder without one
    is refused by name). ``reached`` False records the attempt only (no visit). ``problem`` (text) opens a hazard
    for each elder. Every elder is checked first; a ``ValidationError`` lists every refusal, naming the elder,
    and nothing is written. One transaction for all.
    """
    today = today or dt.date.today()
    if mode not in MODES:
        raise UserError(f"联系方式“{mode}”不在可选范围：{'、'.join(MODES)}")
    ids = list(dict.fromkeys(elder_ids))
    if not ids:
        raise UserError("请先勾选要登记的老人")
    day = _day(date, today)
    note = (note or "").strip() or None
    problem = (problem or "").strip() or None
    visitor_name = (visitor_name or "").strip() or None
    problems: list[tuple[str, str]] = []
    rows: dict[int, dict] = {}
    for elder_id in ids:
        found = db.execute("SELECT name, visitor_id, entered_on FROM elders WHERE id = ?", [elder_id]).fetchone()
        if found is None:
            problems.append(("elder_id", f"找不到编号为 {elder_id} 的老人记录"))
            continue
        name, own_visitor, entered_on = found
        data = {"date": day.isoformat(), "mode": mode, "notes": note,
                "visitor_id": visitor_id if (visitor_id is not None or visitor_name) else own_visitor,
                "visitor_name": visitor_name}
        if data["visitor_id"] is None and not visitor_name:
            problems.append(("visitor_id", f"{name}：没有指定巡访责任人，请在上方选择由谁联系"))
            continue
        if reached:
            try:
                visits.prepare_visit(db, elder_id, data, today)
            except ValidationError as exc:
                problems += [(f, f"{name}：{message}") for f, message in exc.problems]
                continue
        elif day.isoformat() < entered_on:
            problems.append(("date", f"{name}：联系日期 {day.isoformat()} 早于纳入台账的日期 {entered_on}"))
            continue
        rows[elder_id] = data
    if problems:
        shown = [message for _f, message in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:  # a batch of 200 refused must still fit a message box
            shown.append(f"……共 {len(problems)} 处问题，均未登记")
        raise ValidationError("；".join(shown), problems)

    saved = ContactsSaved()
    with db.atomic():
        for elder_id, data in rows.items():
            visit_id = None
            if reached:
                visit_id = visits.record_visit(db, elder_id, data, today=today)
                saved.visit_ids.append(visit_id)
            else:
                who = data["visitor_name"] or db.execute("SELECT name FROM visitors WHERE id = ?",
                                                         [data["visitor_id"]]).fetchone()[0]
                label = db.execute("SELECT name || ' ' || id_number FROM elders WHERE id = ?", [elder_id]).fetchone()[0]
                audit.record(db, UNREACHED, "elders", elder_id, label, "contact", None,
                             f"{day.isoformat()} {mode}未接通（{who}）" + (f"：{note}" if note else ""))
                saved.unreached.append(elder_id)
            if problem:
                saved.hazard_ids.append(hazards.open_hazard(db, elder_id, day, problem, visit_id=visit_id,
                                                            today=today))
    return saved


def unreached_of(db, elder_id: int) -> list[dict]:
    """The contacts with one elder that did not get through, newest first: date, mode, visitor_name, notes, id."""
    found = []
    for row_id, text in db.execute("SELECT id, new_value FROM audit_log WHERE action = ? AND table_name = 'elders'"
                                   " AND record_id = ? ORDER BY id DESC", [UNREACHED, elder_id]):
        match = _UNREACHED_TEXT.match(text or "")
        if match:
            found.append({"id": row_id, "date": match[1], "mode": match[2], "visitor_name": match[3],
                          "notes": match[4]})
    found.sort(key=lambda r: r["date"], reverse=True)
    return found
