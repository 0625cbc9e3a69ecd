"""The elder file (老人档案): everything on record about one person, as one timeline, newest first.

Visits (voided ones included, marked 已作废), remote contacts that did not get through (``contacts``), hazards,
risk assessments, agreements and status changes, each an ``Event``. The window shows what this returns; nothing
here is counted (the figures read ``live_visits`` through ``schedule``), this only tells the story of a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from township_desk.models import agreements, elders, group_plans, hazards, risk, visits

KINDS = ("巡访", "未接通", "风险隐患", "风险评估", "互助协议", "状态变更", "纳入台账")


@dataclass
class Event:
    """One line of the timeline: ``date`` (YYYY-MM-DD), ``kind`` (one of ``KINDS``), a short ``title``, the
    ``detail`` the clerk reads, whether it is ``voided`` (a voided visit) or still ``open`` (an unresolved
    hazard), and the record it comes from (``table``, ``record_id``) so the window can open it."""

    date: str
    kind: str
    title: str
    detail: str = ""
    table: str = ""
    record_id: int | None = None
    voided: bool = False
    open: bool = False
    photos: int = 0
    sort_key: tuple = field(default=(), repr=False)


def _visit_event(visit: dict) -> Event:
    found = visits.proposed_hazard(visit)
    parts = []
    if found:
        parts.append(f"发现：{found}")
    if visit.get("notes"):
        parts.append(visit["notes"])
    if visit["photos"]:
        parts.append(f"照片 {len(visit['photos'])} 张")
    if visit.get("campaign"):
        parts.append(f"巡访活动：{visit['campaign']}")
    if visit.get("voided_at"):
        parts.insert(0, f"{visits.VOIDED_LABEL}：{visit['void_reason']}（{visit['voided_by']}，{visit['voided_at'][:10]}）")
    title = f"{visit['mode']}巡访（{visit['visitor_name'] or '未填巡访人员'}）"
    if visit.get("voided_at"):
        title += f"　{visits.VOIDED_LABEL}"
    return Event(visit["date"], "巡访", title, "；".join(parts), "visits", visit["id"],
                 voided=bool(visit.get("voided_at")), photos=len(visit["photos"]))


def _hazard_event(hazard: dict) -> Event:
    steps = [f"通报赡养人 {hazard['supporter_told_on']}" if hazard["supporter_told_on"] else "尚未通报赡养人"]
    if hazard["reported_on"]:
        steps.append(f"报告乡镇 {hazard['reported_on']}")
    if hazard["resolved_on"]:
        steps.append(f"已处置 {hazard['resolved_on']}：{hazard['resolution']}")
    else:
        steps.append("未处置")
    return Event(hazard["found_on"], "风险隐患", f"风险隐患：{hazard['description']}", "；".join(steps), "hazards",
                 hazard["id"], open=not hazard["resolved_on"])


def _assessment_event(row: dict) -> Event:
    grade = risk.GRADE_LABELS[row["final_grade"]]
    detail = [f"风险因素：{'、'.join(row['factors']) or '无'}"]
    if row["final_grade"] != row["suggested_grade"]:
        detail.append(f"系统建议{risk.GRADE_LABELS[row['suggested_grade']]}，调整理由：{row['override_reason']}")
    if row.get("assessor"):
        detail.append(f"评估人：{row['assessor']}")
    return Event(row["date"], "风险评估", f"风险评估：{grade}", "；".join(detail), "assessments", row["id"])


def _agreement_events(row: dict) -> list[Event]:
    template = "介助/介护" if row["template"] == "介助介护" else row["template"]
    term = f"{row['start_date'] or '?'} 至 {row['end_date'] or '?'}"
    detail = f"受托人：{row['party_b_name'] or '未填'}；委托人：{row['party_a_name'] or '未填'}；期限 {term}"
    day = row["signed_on"] or row["created_at"][:10]
    title = f"互助协议（{template}）{'签订' if row['signed_on'] else '起草'}，第 {row['id']} 号，现为{row['status']}"
    events = [Event(day, "互助协议", title, detail, "agreements", row["id"])]
    if row.get("terminated_on"):
        events.append(Event(row["terminated_on"], "互助协议", f"互助协议第 {row['id']} 号解除",
                            f"{row['terminated_by'] or ''}解除：{row['termination_reason'] or ''}", "agreements",
                            row["id"]))
    return events


def _unreached_events(db, elder_id: int) -> list[Event]:
    from township_desk.models import contacts

    return [Event(row["date"], "未接通", f"{row['mode']}未接通（{row['visitor_name']}）", row["notes"] or "",
                  "audit_log", row["id"]) for row in contacts.unreached_of(db, elder_id)]


def timeline(db, elder_id: int) -> list[Event]:
    """Everything that happened to one elder, newest first (one day's events by the order they were recorded).

    Raises ``UserError`` for an unknown elder."""
    elder = elders.get_elder(db, elder_id)
    events: list[Event] = []
    events += [_visit_event(v) for v in visits.visit_history(db, elder_id)]
    events += _unreached_events(db, elder_id)
    events += [_hazard_event(h) for h in hazards.hazards_of_elder(db, elder_id)]
    events += [_assessment_event(a) for a in risk.history(db, elder_id)]
    for row in agreements.list_agreements(db, elder_id=elder_id):
        events += _agreement_events(row)
    for change in elders.status_history(db, elder_id):
        events.append(Event(change["date"], "状态变更", f"状态变更：{change['old_status'] or '—'} → {change['new_status']}",
                            change["reason"] or "", "status_changes", change["id"]))
    events.append(Event(elder["entered_on"], "纳入台账", "纳入台账", f"{elder['village']}　巡访类别：{group_plans.visit_tier(db, elder_id, elder['entered_on'])}",
                        "elders", elder_id))
    order = {kind: n for n, kind in enumerate(KINDS)}
    for event in events:
        event.sort_key = (event.date, -order[event.kind], event.record_id or 0)
    events.sort(key=lambda e: e.sort_key, reverse=True)
    return events
