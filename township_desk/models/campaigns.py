"""节日和极端天气巡访: campaigns the clerk plans for a chosen group of elders (春节, 重阳节 慰问; 高温, 寒潮,
暴雨 … checks), and who of the group has been visited.

Seed 001 (渝民发〔2018〕30号): "在火灾高风险、极端恶劣天气等灾害多发季节，春节、重阳节等重要节日期间，可结合
慰问活动，组织人员入户开展探访关爱活动". A campaign visit is an ordinary home visit (上门) that carries the
campaign's id, so the overdue rule and the monthly visit rate count it without knowing about campaigns.

Who counts as visited under a campaign (one rule, ``_VISITED_ON``): the elder's first 上门 visit that either
was recorded under the campaign (whatever its date: a late visit still belongs to it) or falls inside the
campaign's dates (a village cadre who went to the house during the 春节 week did the festival visit even if
the form was not filed under it). A phone or video call never counts: the seed asks for 入户 visits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from township_desk.models import audit, elders, group_plans, versions
from township_desk.models.dates import required_date
from township_desk.models.errors import UserError
from township_desk.models.villages import VILLAGE_ORDER_SQL

KINDS = ("春节", "重阳节", "极端天气", "其他")
FESTIVALS = ("春节", "重阳节")
# Lunar (month, day) of each festival: 春节 正月初一, 重阳节 九月初九.
_LUNAR_DAY = {"春节": (1, 1), "重阳节": (9, 9)}
_LUNAR_LABEL = {"春节": "农历正月初一", "重阳节": "农历九月初九"}
# What a clerk names an extreme-weather check after (the name carries it; the table's kind is 极端天气).
WEATHER = ("高温", "寒潮", "暴雨", "暴雪", "冰冻", "台风", "大风", "干旱")
RISK_GRADES = elders.RISK_GRADE_FILTERS  # one list with the ledger's filter

# An extreme-weather check has to be done while the warning lasts, so the default is a few days; anything
# else defaults to two weeks. The clerk changes either.
WEATHER_DAYS = 3
OTHER_DAYS = 14


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UserError(f"活动类型“{kind}”不在可选范围：{'、'.join(KINDS)}")


def festival_date(kind: str, year: int) -> dt.date:
    """The solar date of 春节 (lunar 1/1) or 重阳节 (lunar 9/9) of lunar year ``year``.

    春节 of lunar year Y always falls in January or February of solar year Y, 重阳节 in October or
    November, so ``year`` is also the solar year of the date returned.
    """
    if kind not in _LUNAR_DAY:
        raise UserError(f"“{kind}”不是按农历计算的节日（可选：{'、'.join(FESTIVALS)}）")
    if not 1901 <= int(year) <= 2099:
        raise UserError(f"年份 {year} 超出农历换算范围（1901–2099）")
    from lunar_python import Lunar  # imported when first needed: the tab is not on the start-up path

    month, day = _LUNAR_DAY[kind]
    solar = Lunar.fromYmd(int(year), month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def suggested_window(kind: str, year: int) -> tuple[dt.date, dt.date]:
    """The default visit window of a festival campaign.

    春节: the two weeks before the festival up to 初一. 慰问 visits are made 春节前夕 (腊月下旬), when the
    cold is worst and before the village cadres' own holiday; on the festival itself the children who work
    away are often home, which is not when a left-behind elder most needs the check.
    重阳节: the week around the festival (three days either side), the 敬老 visits of that week.
    """
    day = festival_date(kind, year)
    if kind == "春节":
        return day - dt.timedelta(days=14), day
    return day - dt.timedelta(days=3), day + dt.timedelta(days=3)


def festival_year(kind: str, as_of: dt.date) -> int:
    """The year of the festival still to plan for on ``as_of``: this year's while its window has not ended."""
    year = as_of.year
    if suggested_window(kind, year)[1] < as_of:
        year += 1
    return year


def next_festivals(as_of: dt.date) -> list[tuple[str, dt.date]]:
    """The coming 春节 and 重阳节 (on or after ``as_of``), soonest first."""
    result = []
    for kind in FESTIVALS:
        day = festival_date(kind, as_of.year)
        if day < as_of:
            day = festival_date(kind, as_of.year + 1)
        result.append((kind, day))
    return sorted(result, key=lambda item: item[1])


def default_window(kind: str, as_of: dt.date, year: int | None = None) -> tuple[dt.date, dt.date]:
    """Dates to prefill for a new campaign planned on ``as_of``: a festival's suggested window (of ``year``,
    or the coming one), a few days from today for extreme weather, two weeks for anything else."""
    _check_kind(kind)
    if kind in FESTIVALS:
        return suggested_window(kind, year or festival_year(kind, as_of))
    days = WEATHER_DAYS if kind == "极端天气" else OTHER_DAYS
    return as_of, as_of + dt.timedelta(days=days)


def default_name(kind: str, start: dt.date, year: int | None = None, weather: str | None = None) -> str:
    """The name to prefill: 2027年春节走访慰问, 2026年重阳节走访慰问, 2026年7月高温天气巡访."""
    _check_kind(kind)
    if kind in FESTIVALS:
        return f"{year or start.year}年{kind}走访慰问"
    if kind == "极端天气":
        return f"{start.year}年{start.month}月{(weather or '').strip() or '极端'}天气巡访"
    return f"{start.year}年{start.month}月集中巡访"


def festival_label(kind: str, year: int) -> str:
    """E.g. "2027年春节：2027-02-06（农历正月初一）", for the dialog."""
    return f"{year}年{kind}：{festival_date(kind, year).isoformat()}（{_LUNAR_LABEL[kind]}）"


# ---------------------------------------------------------------- choosing the group


@dataclass
class GroupFilter:
    """Which elders a campaign is for; every field left empty means "all".

    Only elders 在册 are ever selected: 暂离 elders (in hospital, staying with their children) have their
    visit plan paused and are not at home, and 已迁出/已去世/已不属于留守 are off the ledger. An elder who
    comes back during the campaign is added to it by hand (``add_elders``).
    """

    village: str | None = None
    tier: str | None = None                  # 重点 / 一般
    flags: tuple[str, ...] = ()              # any of elders.FLAGS; all must hold
    risk_grade: str | None = None            # 高 / 中 / 低 / 未评估
    search: str = ""                         # a name, initials or ID number, to add one person

    def check(self) -> None:
        if self.tier and self.tier not in elders.TIERS:
            raise UserError(f"巡访类别“{self.tier}”不在可选范围：{'、'.join(elders.TIERS)}")
        unknown = [f for f in self.flags if f not in elders.FLAGS]
        if unknown:
            raise UserError(f"条件“{'、'.join(unknown)}”不在可选范围：{'、'.join(elders.FLAGS)}")
        if self.risk_grade and self.risk_grade not in RISK_GRADES:
            raise UserError(f"风险等级“{self.risk_grade}”不在可选范围：{'、'.join(RISK_GRADES)}")


def _group_rows(db, group: GroupFilter, as_of: dt.date) -> list[dict]:
    group.check()
    query = elders.ElderQuery(search=group.search, village=group.village or None, tier=group.tier or None,
                              status="在册", flags=tuple(group.flags), as_of=as_of,
                              risk_grade=group.risk_grade or None)
    return elders.list_elders(db, query)


def select_group(db, group: GroupFilter, as_of: dt.date) -> list[int]:
    """Ids of the elders 在册 matching ``group`` (高龄 counted at ``as_of``), in the ledger's village order."""
    return [r["id"] for r in _group_rows(db, group, as_of)]


# ---------------------------------------------------------------- planning and changing a campaign


def _checked_terms(name: Any, kind: str, start: Any, end: Any) -> tuple[str, dt.date, dt.date]:
    name = str(name or "").strip()
    if not name:
        raise UserError("巡访活动名称不能为空")
    _check_kind(kind)
    start_day = required_date(start, "开始日期")
    end_day = required_date(end, "结束日期")
    if end_day < start_day:
        raise UserError(f"结束日期 {end_day.isoformat()} 早于开始日期 {start_day.isoformat()}")
    return name, start_day, end_day


def _refuse_duplicate_name(db, name: str, campaign_id: int | None = None) -> None:
    clash = db.execute("SELECT start_date FROM campaigns WHERE name = ? AND id IS NOT ?", [name, campaign_id]).fetchone()
    if clash:
        raise UserError(f"已有名为“{name}”的巡访活动（{clash[0]} 开始），请换一个名称")


def _members_to_add(db, elder_ids: list[int]) -> list[int]:
    """The ids in order without repeats; refuses an unknown id or an elder who is not 在册, naming them."""
    ids = list(dict.fromkeys(int(i) for i in elder_ids))
    if not ids:
        return ids
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):  # stays under SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.execute(f"SELECT id, name, status FROM elders WHERE id IN ({marks})", chunk):
            found[row[0]] = (row[1], row[2])
    missing = [i for i in ids if i not in found]
    if missing:
        raise UserError(f"找不到编号为 {'、'.join(str(i) for i in missing)} 的老人记录")
    off = [f"{found[i][0]}（{found[i][1]}）" for i in ids if found[i][1] != "在册"]
    if off:
        raise UserError(f"{'、'.join(off[:10])}{' 等' if len(off) > 10 else ''}不在册，不能纳入巡访活动")
    return ids


def plan_campaign(db, *, name: str, kind: str, start: dt.date | str, end: dt.date | str, elder_ids: list[int],
                  notes: str | None = None) -> int:
    """Create a campaign for ``elder_ids`` (all 在册) in one transaction, with an audit-log entry.

    Refuses, with a Chinese message naming the value, an empty name, a name already used, an unknown kind,
    an end before the start, an empty group, and an unknown or not-在册 elder; nothing is written then.
    """
    name, start_day, end_day = _checked_terms(name, kind, start, end)
    notes = (notes or "").strip() or None
    with db.atomic():
        _refuse_duplicate_name(db, name)
        ids = _members_to_add(db, elder_ids)
        if not ids:
            raise UserError(f"“{name}”的巡访对象为空：所选条件下没有在册老人")
        campaign_id = db.execute(
            "INSERT INTO campaigns(name, kind, start_date, end_date, notes) VALUES (?, ?, ?, ?, ?)",
            [name, kind, start_day.isoformat(), end_day.isoformat(), notes]).lastrowid
        db.conn.executemany("INSERT INTO campaign_elders(campaign_id, elder_id) VALUES (?, ?)",
                            [(campaign_id, i) for i in ids])
        audit.record(db, "新增", "campaigns", campaign_id, name, "巡访活动", None,
                     f"{kind}，{start_day.isoformat()} 至 {end_day.isoformat()}，{len(ids)} 人")
    return campaign_id


def get_campaign(db, campaign_id: int) -> dict:
    rows = list(db.query("SELECT * FROM campaigns WHERE id = ?", [campaign_id]))
    if not rows:
        raise UserError(f"找不到编号为 {campaign_id} 的巡访活动")
    return rows[0]


_FIELD_LABELS = {"name": "活动名称", "kind": "活动类型", "start_date": "开始日期", "end_date": "结束日期",
                 "notes": "备注"}


def update_campaign(db, campaign_id: int, *, name: str, kind: str, start: dt.date | str, end: dt.date | str,
                    notes: str | None = None, expected_version: int | None = None) -> list[tuple[str, Any, Any]]:
    """Change a campaign's name, kind, dates or notes (same checks as ``plan_campaign``); each changed field
    goes to the audit log. Returns (label, old, new) of the changes. ``expected_version``: the ``row_version``
    the dialog read; a campaign changed since raises ``StaleRecord`` with nothing saved."""
    name, start_day, end_day = _checked_terms(name, kind, start, end)
    new = {"name": name, "kind": kind, "start_date": start_day.isoformat(), "end_date": end_day.isoformat(),
           "notes": (notes or "").strip() or None}
    with db.atomic():
        old = get_campaign(db, campaign_id)
        versions.check(db, "campaigns", campaign_id, expected_version)
        _refuse_duplicate_name(db, name, campaign_id)
        changes = [(key, old[key], value) for key, value in new.items() if old[key] != value]
        if changes:
            versions.update(db, "campaigns", campaign_id, {key: after for key, _o, after in changes},
                            expected_version)
            for key, before, after in changes:
                audit.record(db, "修改", "campaigns", campaign_id, name, _FIELD_LABELS[key], before, after)
    return [(_FIELD_LABELS[key], before, after) for key, before, after in changes]


def delete_campaign(db, campaign_id: int, *, expected_version: int | None = None) -> None:
    """Delete a campaign planned by mistake; refused once any visit was recorded under it (the visit keeps it).
    ``expected_version``: the ``row_version`` the clerk was shown (changed since: ``StaleRecord``, nothing deleted)."""
    with db.atomic():
        campaign = get_campaign(db, campaign_id)
        versions.check(db, "campaigns", campaign_id, expected_version)
        # a voided visit still names its campaign (it is kept on file), so it keeps the campaign too
        visits, voided = db.execute("SELECT COUNT(*), COUNT(voided_at) FROM visits WHERE campaign_id = ?",
                                    [campaign_id]).fetchone()
        if visits:
            raise UserError(f"“{campaign['name']}”已登记 {visits} 次巡访"
                            + (f"（其中 {voided} 次已作废，仍保留在巡访记录中）" if voided else "") + "，不能删除")
        members = db.execute("DELETE FROM campaign_elders WHERE campaign_id = ?", [campaign_id]).rowcount
        db.execute("DELETE FROM campaigns WHERE id = ?", [campaign_id])
        audit.record(db, "删除", "campaigns", campaign_id, campaign["name"], "巡访活动",
                     f"{campaign['kind']}，{campaign['start_date']} 至 {campaign['end_date']}，{members} 人", None)


def add_elders(db, campaign_id: int, elder_ids: list[int]) -> int:
    """Add elders (在册) to a campaign; those already in it are skipped. Returns how many were added."""
    with db.atomic():
        campaign = get_campaign(db, campaign_id)
        ids = _members_to_add(db, elder_ids)
        present = {r[0] for r in db.execute("SELECT elder_id FROM campaign_elders WHERE campaign_id = ?",
                                            [campaign_id])}
        new_ids = [i for i in ids if i not in present]
        if not new_ids:
            return 0
        db.conn.executemany("INSERT INTO campaign_elders(campaign_id, elder_id) VALUES (?, ?)",
                            [(campaign_id, i) for i in new_ids])
        shown = new_ids[:20]
        by_id = dict(db.execute(f"SELECT id, name FROM elders WHERE id IN ({','.join('?' * len(shown))})", shown))
        names = [by_id[i] for i in shown]
        audit.record(db, "添加巡访对象", "campaigns", campaign_id, campaign["name"], "巡访对象", None,
                     "、".join(names) + (f" 等 {len(new_ids)} 人" if len(new_ids) > len(names) else ""))
    return len(new_ids)


def remove_elder(db, campaign_id: int, elder_id: int) -> None:
    """Take an elder out of a campaign; refused when a visit was recorded for them under it."""
    with db.atomic():
        campaign = get_campaign(db, campaign_id)
        row = db.execute("SELECT e.name FROM campaign_elders ce JOIN elders e ON e.id = ce.elder_id"
                         " WHERE ce.campaign_id = ? AND ce.elder_id = ?", [campaign_id, elder_id]).fetchone()
        if row is None:
            raise UserError(f"编号为 {elder_id} 的老人不在“{campaign['name']}”的巡访对象中")
        visit = db.execute("SELECT date FROM live_visits WHERE campaign_id = ? AND elder_id = ? ORDER BY date LIMIT 1",
                           [campaign_id, elder_id]).fetchone()
        if visit:
            raise UserError(f"{row[0]} 已于 {visit[0]} 在“{campaign['name']}”中巡访，不能移出")
        db.execute("DELETE FROM campaign_elders WHERE campaign_id = ? AND elder_id = ?", [campaign_id, elder_id])
        audit.record(db, "移出巡访对象", "campaigns", campaign_id, campaign["name"], "巡访对象", row[0], None)


# ---------------------------------------------------------------- progress

# The date of elder ``ce.elder_id``'s visit that counts for campaign ``c`` (see the module docstring), or NULL.
_VISITED_ON = """(SELECT MIN(vs.date) FROM live_visits vs
                  WHERE vs.elder_id = ce.elder_id AND vs.mode = '上门'
                    AND (vs.campaign_id = c.id OR vs.date BETWEEN c.start_date AND c.end_date))"""


def campaign_progress(db, campaign_id: int) -> dict:
    """The campaign and, per elder of its group, who visits them and when they were visited.

    Returns ``{"campaign": {...}, "rows": [...], "visited": n, "total": n}``; each row has elder_id, name,
    id_number, village, status, visitor, visitor_phone, visited_on (None while still to visit; see the
    module docstring for what counts), recorded_under (the visit was filed under this campaign) and
    remote_on (a phone/video contact filed under the campaign, which does not count as the visit).
    Rows are in the ledger's village order, then by name.
    """
    campaign = get_campaign(db, campaign_id)
    rows = list(db.query(
        f"""SELECT e.id AS elder_id, e.name, e.id_number, v.name AS village, e.group_name, e.status,
                   {group_plans.visit_tier_sql(db, dt.date.today())} AS tier,
                   vi.name AS visitor, vi.phone AS visitor_phone,
                   {_VISITED_ON} AS visited_on,
                   EXISTS(SELECT 1 FROM live_visits vs WHERE vs.elder_id = ce.elder_id AND vs.campaign_id = c.id
                          AND vs.mode = '上门') AS recorded_under,
                   (SELECT MIN(vs.date) FROM live_visits vs WHERE vs.elder_id = ce.elder_id AND vs.campaign_id = c.id
                          AND vs.mode <> '上门') AS remote_on
            FROM campaigns c JOIN campaign_elders ce ON ce.campaign_id = c.id
            JOIN elders e ON e.id = ce.elder_id JOIN villages v ON v.id = e.village_id
            LEFT JOIN visitors vi ON vi.id = e.visitor_id
            WHERE c.id = ? ORDER BY {VILLAGE_ORDER_SQL}, e.name_initials, e.id""", [campaign_id]))
    for row in rows:
        row["recorded_under"] = bool(row["recorded_under"])
    visited = sum(1 for r in rows if r["visited_on"])
    return {"campaign": campaign, "rows": rows, "visited": visited, "total": len(rows)}


def list_campaigns(db) -> list[dict]:
    """Every campaign, newest first (by start date), with ``total`` elders and how many are ``visited``."""
    return list(db.query(
        f"""SELECT c.*, COUNT(ce.elder_id) AS total,
                   COALESCE(SUM({_VISITED_ON} IS NOT NULL), 0) AS visited
            FROM campaigns c LEFT JOIN campaign_elders ce ON ce.campaign_id = c.id
            GROUP BY c.id ORDER BY c.start_date DESC, c.id DESC"""))
