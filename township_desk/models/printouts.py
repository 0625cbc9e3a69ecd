"""What the printed documents read (登记表, 巡访登记表, 互助协议, 花名册, 告知卡, 逾期巡访清单): who a batch covers,
the visit a 巡访登记表 shows, the agreements a renewal batch holds. Plain rows in, plain items out; ``printing/``
takes these and never queries the database itself.

A ``Selection`` says what the clerk (or the command line) chose; each kind's ``*_items`` function turns it into
``PrintItem``s, one per document (one per village for rosters, one per line for the overdue list): the 打印
page previews exactly these and the writer prints exactly these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from township_desk.models import agreements, groups, paths, schedule, visits
from township_desk.models import elders as elders_model
from township_desk.models import villages as villages_model
from township_desk.models.dates import month_bounds
from township_desk.models.errors import UserError

LOOKED_AFTER = ("在册", "暂离")  # who a batch covers: people the office still looks after
ON_LEAVE = "暂离"


@dataclass
class Selection:
    """What to print. ``elder_id`` wins over ``elder_ids`` (those ticked on the 打印 page), which win over
    ``village``; none of them = the whole township. ``agreement_ids=None`` means the default batch (the elder's
    agreements, a village's signed ones, or those ending in ``as_of``'s month)."""

    kind: str
    elder_id: int | None = None
    elder_ids: tuple[int, ...] | None = None  # ticked on the 打印 page; () = nobody ticked
    village: str | None = None
    agreement_ids: tuple[int, ...] | None = None
    visit_id: int | None = None  # 巡访登记表 of this visit record
    blank: bool = False
    full_ids: bool = False
    as_of: dt.date | None = None
    copies: int = 1  # 互助协议: 4 = 一式四份
    group: str | None = None  # a 巡访对象类别: of a village (or all), only its members on ``day``

    @property
    def day(self) -> dt.date:
        return self.as_of or dt.date.today()


@dataclass
class PrintItem:
    """One document (or one village's roster, or one line of the overdue list) as the preview shows it."""

    label: str
    elder_id: int | None = None
    visit_id: int | None = None
    agreement_id: int | None = None
    village: str | None = None
    people: int = 0  # elders it covers (a roster: the village's)
    on_leave: int = 0  # of whom 暂离
    payload: Any = field(default=None, repr=False)  # e.g. the schedule.OverdueItem


# ---------------------------------------------------------------- elders


def elder_by_id_number(db, id_number: str) -> dict:
    """The elder with this ID number (as the clerk typed it); a Chinese UserError naming it when absent."""
    found = elders_model.find_by_id_number(db, id_number)
    if not found:
        raise UserError(f"台账中没有身份证号码为“{id_number}”的老人")
    return found


def looked_after(db, village: str | None = None, group: str | None = None,
                 on: dt.date | None = None) -> list[dict]:
    """Elders still looked after (在册, 暂离) of a village or of the township, in ledger order: rows with id,
    name, village, status and the roster's columns. UserError for an unknown village. ``group``: only that
    巡访对象类别's members on ``on`` (``models.groups``)."""
    if village:
        villages_model.require(db, village)
    query = elders_model.ElderQuery(village=village or None, group=group, as_of=on)
    rows = elders_model.list_elders(db, query, order_by="village")
    return [r for r in rows if r["status"] in LOOKED_AFTER]


def village_elder_ids(db, village: str) -> list[int]:
    """Ids of a village's elders still looked after, in ledger order; UserError for an unknown village."""
    return [r["id"] for r in looked_after(db, village)]


def elders_by_id(db, ids: Sequence[int]) -> list[dict]:
    """id, name, village and status of these elders, in the order given (unknown ids left out)."""
    found: dict[int, dict] = {}
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = list(ids[start:start + 500])
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"SELECT e.id, e.name, e.status, v.name AS village FROM elders e"
                            f" JOIN villages v ON v.id = e.village_id WHERE e.id IN ({marks})", chunk):
            found[row["id"]] = row
    return [found[i] for i in ids if i in found]


def _chosen_elders(db, selection: Selection) -> list[dict]:
    if selection.elder_id is not None:
        return elders_by_id(db, [selection.elder_id])
    if selection.elder_ids is not None:
        return elders_by_id(db, list(selection.elder_ids))
    return looked_after(db, selection.village, selection.group, selection.day)


def _elder_items(db, selection: Selection, suffix: str) -> list[PrintItem]:
    return [PrintItem(f"{r['village']}　{r['name']}　{suffix}", elder_id=r["id"], village=r["village"], people=1,
                      on_leave=int(r["status"] == ON_LEAVE)) for r in _chosen_elders(db, selection)]


# ---------------------------------------------------------------- per kind


def registration_items(db, selection: Selection) -> list[PrintItem]:
    """登记表: the chosen elders, or one blank form."""
    if selection.blank:
        return [PrintItem(f"空白登记表（{selection.group}）" if selection.group else "空白登记表")]
    return _elder_items(db, selection, "登记表")


def visit_form_items(db, selection: Selection) -> list[PrintItem]:
    """巡访登记表: a visit record asked for by number; one elder's latest home visit (a form pre-filled for them
    when there is none, or with ``blank``); the chosen elders' pre-filled forms; or one wholly blank form."""
    if selection.visit_id is not None:
        visit = visit_to_print(db, selection.visit_id)
        return [PrintItem(f"{visit['elder_name']}　{visit['date']}　巡访登记表", visit_id=visit["id"],
                          elder_id=visit["elder_id"], people=1)]
    if selection.blank and selection.elder_id is None and selection.elder_ids is None and not selection.village:
        return [PrintItem(f"空白巡访登记表（{selection.group}）" if selection.group else "空白巡访登记表")]
    items = _elder_items(db, selection, "巡访登记表")
    if selection.elder_id is not None and not selection.blank:
        for item in items:
            item.visit_id = latest_home_visit_id(db, item.elder_id)
    return items


def notice_card_items(db, selection: Selection) -> list[PrintItem]:
    """告知卡: the chosen elders (those without a visitor are left out when printing, and said)."""
    return _elder_items(db, selection, "告知卡")


def roster_items(db, selection: Selection) -> list[PrintItem]:
    """花名册: one item per village (the chosen one, or every village in order that has someone on it), with its
    people: the members of ``selection.group`` on the day, or with no group everyone still looked after
    (``roster_people``). A township's 城市独居 roster is not eight empty village pages and one 社区's."""
    names = [selection.village] if selection.village else villages_model.names_in_order(db)
    items = []
    for name in names:
        rows = roster_people(db, name, selection.group, selection.day)
        if not rows and not selection.village:
            continue
        leave = sum(r["status"] == ON_LEAVE for r in rows)
        items.append(PrintItem(f"{name}　花名册（{len(rows)}人）", village=name, people=len(rows), on_leave=leave))
    return items


def roster_people(db, village: str, group: str | None, day: dt.date) -> list[dict]:
    """A village's roster: with ``group`` its members on ``day`` (the 农村留守 roster: only 农村留守 elders, no city
    household); with none every elder still looked after, each with ``groups``, the 巡访对象类别 they are in on
    ``day`` (``models.groups``; [] = none), which the all-groups roster prints in its 对象类别 column."""
    rows = looked_after(db, village, group, day)
    if group is None:
        found = groups.member_names(db, day, [r["id"] for r in rows]) if rows else {}
        for r in rows:
            r["groups"] = found.get(r["id"], [])
    return rows


# ---------------------------------------------------------------- the group a form is titled for

# The groups of seed 003's visit plan, which a form names before the national categories (独居, 空巢 …): a
# 城市独居 elder is always 独居 and 空巢 as well, and is titled 城市独居.
POLICY_GROUPS = (groups.RURAL_LEFT_BEHIND, groups.URBAN_ALONE, groups.SPECIAL)


def form_group(names: Sequence[str]) -> str | None:
    """The one 巡访对象类别 a printed form's title names for an elder in ``names``: 农村留守 whenever they are in it
    (the seeds' forms are 农村留守 forms, printed as they are); else their one group of seed 003's plan (城市独居,
    特殊困难); else their one national category (失能 …). None when they are in several (or none): a neutral
    巡访对象 title then, the groups said on a line of their own."""
    if groups.RURAL_LEFT_BEHIND in names:
        return groups.RURAL_LEFT_BEHIND
    policy = [g for g in POLICY_GROUPS if g in names]
    if policy:
        return policy[0] if len(policy) == 1 else None
    return names[0] if len(names) == 1 else None


def groups_text(verdicts: Sequence[groups.Membership]) -> str:
    """The 巡访对象类别 line of a form: the groups the elder is in, 特殊困难 with its sub-kind
    (特殊困难（重点优抚）、独居、空巢); "未认定" when none."""
    shown = [f"{m.group}（{m.sub_kind}）" if m.sub_kind else m.group for m in verdicts if m.member]
    return "、".join(shown) or "未认定（不属于任何巡访对象类别）"


def form_groups(db, elder_ids: Sequence[int], day: dt.date | str) -> dict[int, list[groups.Membership]]:
    """Each elder's group verdicts on ``day`` (``groups.memberships``), read once for a batch of forms."""
    ids = [i for i in dict.fromkeys(elder_ids) if i is not None]
    return groups.memberships(db, day, ids) if ids else {}


def overdue_items(db, selection: Selection) -> list[PrintItem]:
    """逾期巡访清单: each overdue home visit and remote shortfall on ``as_of`` (schedule.overdue, the one rule)."""
    if selection.village:
        villages_model.require(db, selection.village)
    items = []
    for entry in schedule.overdue(db, selection.day, village=selection.village, group=selection.group):
        amount = f"逾期{entry.days_overdue}天" if entry.kind == "home" else f"电话视频缺{entry.shortfall}次"
        items.append(PrintItem(f"{entry.village}　{entry.name}　{amount}", elder_id=entry.elder_id,
                               village=entry.village, payload=entry))
    return items


def agreement_items(db, selection: Selection) -> list[PrintItem]:
    """互助协议: the agreements chosen, else the default batch (see ``Selection``)."""
    ids = selection.agreement_ids
    if ids is None:
        ids = tuple(default_agreement_ids(db, elder_id=selection.elder_id, village=selection.village,
                                          day=selection.day))
    items = []
    for agreement_id in ids:
        record = agreements.get_agreement(db, agreement_id)  # unknown number → UserError
        items.append(PrintItem(f"第{agreement_id}号　{record['village']}　{record['elder_name']}　{record['template']}",
                               agreement_id=agreement_id, elder_id=record["elder_id"], village=record["village"]))
    return items


AGREEMENT_COPIES = 4  # the agreement text: 本协议一式四份，甲乙双方、被助养老人、村委会各执一份


def agreement_copies(statuses) -> int:
    """How many copies an agreement is printed in by default: 一式四份 while it is to be signed or signed (草稿,
    已签订); once ended (已到期, 已解除) a reprint is one copy, for the file."""
    statuses = list(statuses)
    return AGREEMENT_COPIES if statuses and all(s in ("草稿", "已签订") for s in statuses) else 1


def default_agreement_ids(db, *, elder_id: int | None, village: str | None, day: dt.date) -> list[int]:
    """An elder's agreements; else a village's signed ones; else the signed agreements ending in ``day``'s month."""
    if elder_id is not None:
        return [a["id"] for a in agreements.list_agreements(db, elder_id=elder_id)]
    if village:
        villages_model.require(db, village)
        return [a["id"] for a in agreements.list_agreements(db, status="已签订", village=village)]
    return agreements_ending_in_month(db, day)


def agreements_ending_in_month(db, day: dt.date) -> list[int]:
    """Signed agreements whose end date falls in ``day``'s month: printed together for renewal."""
    first, last = month_bounds(f"{day.year:04d}-{day.month:02d}")
    return [a["id"] for a in agreements.list_agreements(db, ending_within_days=(last - first).days, as_of=first)]


# ---------------------------------------------------------------- visits


def latest_home_visit_id(db, elder_id: int) -> int | None:
    """The elder's most recent home visit (上门): the form's safety and care boxes are filled on a home visit, a
    phone call leaves them empty. A voided visit is never printed (``live_visits``)."""
    row = db.execute("SELECT id FROM live_visits WHERE elder_id = ? AND mode = '上门' ORDER BY date DESC, id DESC"
                     " LIMIT 1", [elder_id]).fetchone()
    return row[0] if row else None


def visit_to_print(db, visit_id: int) -> dict:
    """The visit (``visits.get_visit``: with ``photos``); UserError when unknown or voided (never printed)."""
    visit = visits.get_visit(db, visit_id)
    if visit.get("voided_at"):
        raise UserError(f"第 {visit_id} 号巡访记录（{visit['date']} {visit['mode']}）已作废"
                        f"（{visit['void_reason']}），不打印")
    return visit


def photos_folder(db) -> Path:
    """The photos/ folder of the data folder holding this database (``--db``'s, not the default one)."""
    row = db.execute("PRAGMA database_list").fetchone()
    if row and row[2]:
        return Path(row[2]).resolve().parent / "photos"
    return paths.photos_dir()


def planned_visits(db, day: dt.date, elder_ids: Sequence[int]) -> dict[int, schedule.PlannedElder]:
    """The visit plan each of these elders is on on ``day`` (tier after the 重点 rules, home-visit interval, weekly
    contacts: ``schedule.visit_plan``, the overdue rule's own reading, group plans included). Elders not on the
    plan that day (暂离) are absent: they follow the default plan of their tier (``schedule.plans``)."""
    wanted = set(elder_ids)
    villages = {r["village"] for r in elders_by_id(db, list(wanted))} if len(wanted) <= 500 else set()
    village = next(iter(villages)) if len(villages) == 1 else None  # one village: plan only that village
    return {p.elder_id: p for p in schedule.visit_plan(db, day, village=village) if p.elder_id in wanted}
