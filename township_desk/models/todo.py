"""今日待办: the few names the clerk should see first on the 首页, by the rules that already decide them.

Three lists, each the first few names with the whole count: home visits overdue today (``schedule.overdue``, the
longest overdue first), hazards not yet resolved (``hazards.open_hazards``, the oldest first, those whose supporter
has not been told before the others) and risk assessments due (``risk.assessments_due``: never assessed first, then
the oldest). Nothing is counted here; this module only picks and words what those functions return.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class TodoEntry:
    """One name on a list: who, where, and why they are on it (``detail``)."""

    elder_id: int
    name: str
    village: str
    detail: str


@dataclass
class TodoList:
    """One list of the to-do panel: ``count`` is the whole number, ``entries`` its first few names; ``page`` and
    ``filters`` open the full list (``ctx.navigate(page, **filters)``)."""

    key: str
    title: str
    count: int
    entries: list[TodoEntry] = field(default_factory=list)
    page: str = ""
    filters: dict = field(default_factory=dict)
    none_text: str = ""


def overdue_today(db, today: dt.date, limit: int = DEFAULT_LIMIT) -> TodoList:
    """Elders overdue for a home visit today, the longest overdue first."""
    from township_desk.models import schedule

    items = schedule.overdue(db, today, kinds=("home",))
    items.sort(key=lambda i: -(i.days_overdue or 0))  # stable: within a day, the overdue list's village order
    return TodoList("overdue", "今天逾期未上门", len(items),
                    [TodoEntry(i.elder_id, i.name, i.village, f"逾期 {i.days_overdue} 天") for i in items[:limit]],
                    "巡访", {"view": "overdue", "kind": "home"}, "没有逾期未上门的老人")


def hazards_open(db, limit: int = DEFAULT_LIMIT) -> TodoList:
    """Unresolved hazards: those whose supporter has not been told yet first (the rule asks for it at once),
    then the oldest found."""
    from township_desk.models import hazards

    rows = hazards.open_hazards(db)
    rows.sort(key=lambda h: bool(h["supporter_told_on"]))  # stable: oldest first within each
    entries = [TodoEntry(h["elder_id"], h["name"], h["village"],
                         f"{h['found_on']} {h['description']}" + ("（未通报赡养人）" if not h["supporter_told_on"] else ""))
               for h in rows[:limit]]
    return TodoList("hazards", "未处置风险隐患", len(rows), entries, "巡访", {"view": "hazards"}, "没有未处置的风险隐患")


def assessments_due(db, today: dt.date, limit: int = DEFAULT_LIMIT) -> TodoList:
    """Elders whose risk assessment is due: never assessed first, then the oldest assessment."""
    from township_desk.models import risk

    rows = risk.assessments_due(db, today)
    entries = [TodoEntry(r["elder_id"], r["name"], r["village"],
                         f"上次评估 {r['last_assessed']}" if r["last_assessed"] else "从未评估")
               for r in rows[:limit]]
    return TodoList("assess", "待风险评估", len(rows), entries, "风险评估", {"view": "due"}, "没有待评估的老人")


def todo_lists(db, today: dt.date, limit: int = DEFAULT_LIMIT) -> list[TodoList]:
    """The three lists of the 首页's 今日待办, in the order the clerk works them."""
    return [overdue_today(db, today, limit), hazards_open(db, limit), assessments_due(db, today, limit)]
