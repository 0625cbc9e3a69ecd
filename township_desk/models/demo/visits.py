"""Demo visits, hazards, a festival campaign and risk assessments for the demo township (``township-desk demo``).

A year of visits up to the reference date, following the visit plan of each elder's tier while they were 在册
(none while 暂离, none after they moved away or died). Most elders are visited on time; by design some are not,
so every list of the program has something to show: about 7% of the elders 在册 are overdue for a home visit by
1–25 days, about 4% are short of phone/video contacts in the last complete week, a few home visits find a
hazard (some still open), the last 重阳节 is a campaign for the elders aged 80 and over, and every elder 在册 or
暂离 has a risk assessment — except about 5% never assessed and 5% whose last one is more than a year old.
Grades come from ``risk`` (the one grade rule); the tier follows the grade as the settings say.

Rows are generated in Python from ``rng`` (same seed and date → same rows) and bulk-inserted; the caller
(``demo.generate``) holds the transaction.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
from collections.abc import Callable

from township_desk.models import campaigns, field_history, risk, schedule, settings
from township_desk.models.dates import latest_birth_for_age
from township_desk.models.elders import AGED_FROM, STATUS_ON_DAY_SQL

YEAR = 365
LATE_SHARE = 0.07           # 在册 elders whose last home visit is overdue now
REMOTE_SHORT_SHARE = 0.04   # 在册 elders short of contacts in the last complete week
NEVER_ASSESSED_SHARE = 0.05
STALE_ASSESSMENT_SHARE = 0.05
OVERRIDE_SHARE = 0.03
UNSAFE_CHANCE = 0.0015      # per safety item per home visit
POOR_CHANCE = 0.001         # per health/mental item per home visit: a 差 that proposes a hazard

_CHUNK = 100_000            # visit rows held in memory before they are written
_VISIT_COLUMNS = ("elder_id", "date", "mode", "visitor_id", "visitor_name", "visit_type", "expression", "mobility",
                  "illness", "mood", "thinking", "stress", "gas_safety", "heating_safety", "electric_safety",
                  "daily_care", "comfort_need", "rights_need", "guardianship_need", "notes", "campaign_id")
_DAYS = tuple(dt.timedelta(days=k) for k in range(8))
_GOOD = ("优", "良", "良", "优", "中")
_REMOTE_MODES = ("电话", "电话", "电话", "视频")
# A phone or video contact fills only these (binding 21 values for 80% of the rows was most of the insert).
_REMOTE_COLUMNS = ("elder_id", "date", "mode", "visitor_id", "visitor_name", "visit_type", "expression", "mood",
                   "notes")
_HOME_NOTES = ("老人身体尚好，家中整洁", "老人独自在家，精神尚可", "帮助老人打扫卫生", "提醒老人按时服药",
               "与老人拉家常，了解生活需求", "检查了家中水电气", "帮老人代购生活用品", "老人反映腿脚不便",
               "送去米油等慰问品", "告知老人近期天气变化，注意保暖", None, None, None)
_REMOTE_NOTES = ("电话问候，老人身体尚好", "视频通话，老人精神不错", "电话提醒老人按时服药", "电话了解老人近况",
                 "电话提醒注意防寒保暖", None, None)
_FINDINGS = {
    "expression": ("说话含糊不清，较以往明显退化",),
    "mobility": ("近期跌倒一次，行走困难", "下床困难，需人搀扶"),
    "illness": ("血压明显升高，未按时服药", "咳嗽发热数日未就医"),
    "mood": ("情绪低落，多次提到孤单", "与邻居发生争执后情绪激动"),
    "thinking": ("记忆明显减退，找不到回家的路",),
    "stress": ("为子女债务焦虑，夜间失眠",),
    "gas_safety": ("燃气软管老化开裂", "灶台旁堆放柴草", "未安装燃气报警器"),
    "heating_safety": ("使用炭火盆取暖且门窗紧闭", "电热毯线路老化"),
    "electric_safety": ("私拉乱接电线", "插座烧焦发黑", "老旧电线裸露"),
}
_RESOLUTIONS = {
    "expression": "已通知赡养人带老人到镇卫生院检查",
    "mobility": "已安排邻居每日上门照看，联系村医上门",
    "illness": "已通知赡养人，村医上门诊治并督促服药",
    "mood": "村干部和志愿者增加探访，子女每周视频通话",
    "thinking": "已告知赡养人，为老人佩戴防走失手环",
    "stress": "已联系赡养人沟通，村调解委员会介入",
    "gas_safety": "已更换燃气软管并清理可燃物",
    "heating_safety": "已讲解一氧化碳中毒危害，改用电暖器",
    "electric_safety": "已联系电工整改线路",
}
_OVERRIDE_DOWN = ("子女已返乡照料，风险较评估时降低", "已签订互助养老协议，有人每日照看")
_ITEM_LABELS = {f: label for f, label in (("expression", "表达能力"), ("mobility", "行动能力"), ("illness", "疾病状况"),
                                          ("mood", "情绪状态"), ("thinking", "思维状态"), ("stress", "压力状态"),
                                          ("gas_safety", "燃气"), ("heating_safety", "取暖"),
                                          ("electric_safety", "用电"))}


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _periods(changes: list[tuple[str, str]], as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The 在册 periods [start, end] (inclusive) from an elder's status changes, cut at ``as_of``."""
    periods, start = [], None
    for date, status in changes:
        day = _day(date)
        if status == "在册" and start is None:
            start = day
        elif status != "在册" and start is not None:
            if day - dt.timedelta(days=1) >= start:
                periods.append((start, day - dt.timedelta(days=1)))
            start = None
    if start is not None and start <= as_of:
        periods.append((start, as_of))
    return periods


class _VisitMaker:
    def __init__(self, rng: random.Random, as_of: dt.date, plans: dict[str, schedule.VisitPlan]):
        self.rng, self.as_of, self.plans = rng, as_of, plans
        self.random = rng.random  # a million draws: indexing by random() is several times faster than choice()
        self.window_start = as_of - dt.timedelta(days=YEAR)
        self.week = schedule.last_complete_week(as_of)

    def ratings(self, elder: dict) -> dict:
        """A home visit rates every item of the form (a call only what can be heard: expression and mood)."""
        rnd = self.random
        mood = self.mood(elder)
        ability = elder["ability_level"] or 0
        r = {
            "expression": self.pick(_GOOD),
            "mobility": "中" if ability >= 2 else self.pick(_GOOD),
            "illness": "中" if elder["is_ill"] else self.pick(_GOOD),
            "mood": mood,
            "thinking": "中" if elder["has_dementia"] else self.pick(_GOOD),
            "stress": self.pick(_GOOD),
        }
        for key in r:
            if rnd() < POOR_CHANCE:
                r[key] = "差"
        for key in ("gas_safety", "heating_safety", "electric_safety"):
            r[key] = "不安全" if rnd() < UNSAFE_CHANCE else "安全"
        r["daily_care"] = elder["care"]
        r["comfort_need"] = "有需求" if elder["lives_alone"] or rnd() < 0.3 else "无需求"
        r["rights_need"] = "有需求" if rnd() < 0.05 else "无需求"
        r["guardianship_need"] = "有需求" if ability >= 2 or elder["has_dementia"] else "无需求"
        return r

    def pick(self, options: tuple):
        return options[int(self.random() * len(options))]

    def mood(self, elder: dict) -> str:
        return "中" if elder["lives_alone"] and self.random() < 0.4 else self.pick(_GOOD)

    def sample(self, items: list, k: int) -> list:
        """``k`` distinct items in random order (a partial shuffle: random.sample costs more for 1–2 of 7)."""
        items = list(items)
        n = len(items)
        for i in range(min(k, n)):
            j = i + int(self.random() * (n - i))
            items[i], items[j] = items[j], items[i]
        return items[:k]

    def home_days(self, start: dt.date, end: dt.date, interval: int, late_by: int | None) -> list[dt.date]:
        """Home visits at a little under the interval; ``late_by`` stops them so the last is overdue now."""
        rng = self.rng
        days, t = [], start + dt.timedelta(days=rng.randint(1, max(1, interval - 4)))
        while t <= end:
            days.append(t)
            t += dt.timedelta(days=interval - rng.randint(1, min(6, interval - 1)))
        if late_by is not None:
            cutoff = self.as_of - dt.timedelta(days=interval + late_by)
            days = [d for d in days if d < cutoff]
            if cutoff >= start:
                days.append(cutoff)
        return days

    def festival_visit(self, homes: list[dt.date], start: dt.date, end: dt.date, campaign: dict) -> list[dt.date]:
        """Most members of the festival campaign get a home visit in its window; added only before a later
        home visit, so it never changes whether someone is overdue today."""
        window = [campaign["start"] + dt.timedelta(days=k) for k in range((campaign["end"] - campaign["start"]).days + 1)]
        window = [d for d in window if start <= d <= end and d not in homes]
        if not window or any(campaign["start"] <= d <= campaign["end"] for d in homes) or self.rng.random() > 0.85:
            return homes
        day = self.rng.choice(window)
        if not homes or homes[-1] <= day:
            return homes
        return sorted([*homes, day])

    def remote_days(self, start: dt.date, end: dt.date, per_week: int, homes: list[dt.date],
                    short_last_week: bool, home_counts: bool = False) -> list[dt.date]:
        """Phone/video contacts: each ISO week the plan's number (less the home visits of that week when the plan
        counts them as contacts), on days without a home visit."""
        rng = self.rng
        out: list[dt.date] = []
        monday = start - dt.timedelta(days=start.weekday())
        while monday <= end:
            sunday = monday + _DAYS[6]
            offsets = range(7)
            complete = start <= monday and sunday <= end
            if not complete:
                offsets = [k for k in offsets if start <= monday + _DAYS[k] <= end]
            lo, hi = bisect.bisect_left(homes, monday), bisect.bisect_right(homes, sunday)
            need = max(0, per_week - (hi - lo if home_counts else 0))
            if not complete:
                need = min(need, round(per_week * len(offsets) / 7 + self.random() * 0.5))
            elif (monday, sunday) == self.week and short_last_week:
                need = max(0, need - rng.randint(1, per_week))
            elif self.random() < 0.03:
                need = max(0, need - 1)
            if need:
                taken = {(h - monday).days for h in homes[lo:hi]}
                free = [k for k in offsets if k not in taken] or list(offsets)
                out.extend(monday + _DAYS[k] for k in sorted(self.sample(free, need)))
            monday += _DAYS[7]
        return out


def generate(db, rng: random.Random, as_of: dt.date, progress: Callable[[int, int], None] | None = None) -> dict:
    """Write the year of visits, hazards, the 重阳节 campaign and assessments in one transaction; returns counts."""
    # Millions of index entries go in: SQLite's default 2 MB page cache is widened for the bulk write.
    # Evaluating the visits table's sixteen CHECK lists costs more than the insert itself; every value written here
    # comes from those same lists (tests/test_demo_visits.py feeds stored rows back through visits.prepare_visit),
    # so they are not evaluated again for the bulk write. Both settings are put back however the write ends.
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute("PRAGMA cache_size = -262144")  # 256 MB, only while writing
    db.execute("PRAGMA ignore_check_constraints = ON")
    try:
        with db.atomic():
            return _generate(db, rng, as_of, progress or (lambda done, total: None))
    finally:
        db.execute("PRAGMA ignore_check_constraints = OFF")
        db.execute(f"PRAGMA cache_size = {int(cache)}")


def _generate(db, rng: random.Random, as_of: dt.date, report: Callable[[int, int], None]) -> dict:
    plans = schedule.plans(db)
    maker = _VisitMaker(rng, as_of, plans)
    values = settings.get_all(db)
    tier_for = {"高": values["tier_for_high"], "中": values["tier_for_medium"], "低": values["tier_for_low"]}
    visitors = {vid: name for vid, name in db.execute("SELECT id, name FROM visitors")}
    by_village: dict[int, list[int]] = {}
    for vid, village_id in db.execute("SELECT id, village_id FROM visitors WHERE active = 1 ORDER BY id"):
        by_village.setdefault(village_id, []).append(vid)
    changes: dict[int, list[tuple[str, str]]] = {}
    for elder_id, date, status in db.execute(
            "SELECT elder_id, date, new_status FROM status_changes ORDER BY elder_id, date, id"):
        changes.setdefault(elder_id, []).append((date, status))
    elders = list(db.query("SELECT * FROM elders ORDER BY id"))
    campaign = _festival_campaign(db, as_of)

    # Visits go in by chunks (bounded memory), each chunk's home visits first, then its calls: a new row's id is
    # the next rowid, so a hazard knows the id of the home visit that found it.
    insert_home = (f"INSERT INTO visits ({', '.join(_VISIT_COLUMNS)}) VALUES "
                   f"({', '.join('?' * len(_VISIT_COLUMNS))})")
    insert_remote = (f"INSERT INTO visits ({', '.join(_REMOTE_COLUMNS)}) VALUES "
                     f"({', '.join('?' * len(_REMOTE_COLUMNS))})")
    chunk_first_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM visits").fetchone()[0]
    written = 0
    home_rows: list[tuple] = []
    remote_rows: list[tuple] = []

    def flush() -> None:
        nonlocal chunk_first_id
        db.conn.executemany(insert_home, home_rows)
        db.conn.executemany(insert_remote, remote_rows)
        chunk_first_id += len(home_rows) + len(remote_rows)
        home_rows.clear()
        remote_rows.clear()

    hazard_rows: list[tuple] = []
    assessment_rows: list[tuple] = []
    grade_updates: list[tuple] = []
    counts = {"overdue_by_design": 0, "remote_short_by_design": 0}
    for number, elder in enumerate(elders, start=1):
        if number % 2000 == 0:
            report(number, len(elders))
        # the tier the ledger's own risk factors give (the clerk's grading at registration); a later assessment
        # that finds a hazard or a poor visit may still move someone up, as it would in the office
        ledger_grade = risk.grade_for(risk.factors_of(elder, open_hazard=False, last_visit=None, as_of=as_of)).grade
        tier = tier_for[ledger_grade] if elder["status"] in ("在册", "暂离") else elder["tier"]
        plan = plans.get(tier, plans["一般"])
        periods = _periods(changes.get(elder["id"], [(elder["entered_on"], "在册")]), as_of)
        current = elder["status"] == "在册"
        late_by = rng.randint(1, 25) if current and rng.random() < LATE_SHARE else None
        short = current and rng.random() < REMOTE_SHORT_SHARE
        counts["overdue_by_design"] += late_by is not None
        counts["remote_short_by_design"] += short
        visitor_id = elder["visitor_id"] or (rng.choice(by_village[elder["village_id"]])
                                             if by_village.get(elder["village_id"]) else None)
        visitor_name = visitors.get(visitor_id, "村委会")
        visit_type = "重点" if tier == "重点" else "普遍"
        elder_homes: list[tuple] = []
        elder_calls: list[tuple] = []
        for start, end in periods:
            start = max(start, maker.window_start)
            if start > end:
                continue
            last_period = end == as_of
            homes = maker.home_days(start, end, plan.home_days, late_by if last_period else None)
            if campaign and elder["id"] in campaign["elders"]:
                homes = maker.festival_visit(homes, start, end, campaign)
            remotes = maker.remote_days(start, end, plan.remote_per_week, homes, short and last_period,
                                        plan.home_counts_as_contact)
            for day in homes:
                r = maker.ratings(elder)
                in_campaign = campaign and elder["id"] in campaign["elders"] and \
                    campaign["start"] <= day <= campaign["end"]
                elder_homes.append((elder["id"], day.isoformat(), "上门", visitor_id, visitor_name, visit_type,
                                    r["expression"], r["mobility"], r["illness"], r["mood"], r["thinking"],
                                    r["stress"], r["gas_safety"], r["heating_safety"], r["electric_safety"],
                                    r["daily_care"], r["comfort_need"], r["rights_need"], r["guardianship_need"],
                                    maker.pick(_HOME_NOTES), campaign["id"] if in_campaign else None))
            for day in remotes:
                elder_calls.append((elder["id"], day.isoformat(), maker.pick(_REMOTE_MODES), visitor_id,
                                    visitor_name, visit_type, maker.pick(_GOOD), maker.mood(elder),
                                    maker.pick(_REMOTE_NOTES)))
        hazards = _hazards_of(rng, elder, elder_homes, as_of)
        hazard_rows.extend((h[0], chunk_first_id + len(home_rows) + h[1], *h[2:]) for h in hazards)
        home_rows.extend(elder_homes)
        remote_rows.extend(elder_calls)
        written += len(elder_homes) + len(elder_calls)
        if len(home_rows) + len(remote_rows) >= _CHUNK:
            flush()
        if elder["status"] in ("在册", "暂离"):
            assessment = _assessment(rng, elder, elder_homes, elder_calls, hazards, as_of,
                                     values.get("preparer") or visitor_name)
            if assessment:
                assessment_rows.append(assessment)
                grade_updates.append((assessment[4], tier_for[assessment[4]], elder["id"]))
            else:
                grade_updates.append((None, tier, elder["id"]))

    flush()
    db.conn.executemany(
        "INSERT INTO hazards(elder_id, visit_id, found_on, description, supporter_told_on, reported_on, "
        "resolved_on, resolution) VALUES (?,?,?,?,?,?,?,?)", hazard_rows)
    db.conn.executemany(
        "INSERT INTO assessments(elder_id, date, assessor, factors, final_grade, suggested_grade, "
        "override_reason) VALUES (?,?,?,?,?,?,?)", assessment_rows)
    db.conn.executemany("UPDATE elders SET risk_grade = ?, tier = ? WHERE id = ?", grade_updates)
    field_history.backfill_from_assessments(db, as_of, tier_for)  # grades dated as assessed, for past months
    report(len(elders), len(elders))
    return {"visits": written, "hazards": len(hazard_rows), "assessments": len(assessment_rows), **counts}


def _hazards_of(rng: random.Random, elder: dict, visits: list[tuple], as_of: dt.date) -> list[tuple]:
    """A hazard for most home visits that rated something 差 or 不安全, followed up as a township would:
    (elder id, the visit's index in ``visits`` (the home visits), found on, description, told, reported,
    resolved, resolution)."""
    out = []
    for index, visit in enumerate(visits):
        if visit[2] != "上门":
            continue
        found = [f for f, value in zip(_VISIT_COLUMNS[6:15], visit[6:15], strict=True) if value in ("差", "不安全")]
        if not found or rng.random() < 0.1:
            continue
        day = _day(visit[1])
        description = "；".join(f"{_ITEM_LABELS[f]}{'不安全' if f.endswith('_safety') else '差'}："
                               f"{rng.choice(_FINDINGS[f])}" for f in found)
        told = day + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
        told = told if told <= as_of else None
        reported = day + dt.timedelta(days=rng.randint(1, 5)) if rng.random() < 0.5 else None
        reported = reported if reported and reported <= as_of else None
        resolved = day + dt.timedelta(days=rng.randint(3, 40))
        latest = max(d for d in (day, told, reported) if d)
        resolved = resolved if told and resolved >= latest and resolved <= as_of - dt.timedelta(days=2) else None
        out.append((elder["id"], index, visit[1], description, told and told.isoformat(),
                    reported and reported.isoformat(), resolved and resolved.isoformat(),
                    "；".join(_RESOLUTIONS[f] for f in found) if resolved else None))
    return out


def _assessment(rng: random.Random, elder: dict, homes: list[tuple], calls: list[tuple], hazards: list[tuple],
                as_of: dt.date, assessor: str) -> tuple | None:
    """One assessment (the latest) by the grade rule as of its date; None for the elders never assessed."""
    draw = rng.random()
    if draw < NEVER_ASSESSED_SHARE:
        return None
    entered = _day(elder["entered_on"])
    if draw < NEVER_ASSESSED_SHARE + STALE_ASSESSMENT_SHARE:
        day = as_of - dt.timedelta(days=rng.randint(YEAR + 1, YEAR + 120))
    else:
        day = as_of - dt.timedelta(days=rng.randint(0, YEAR - 5))
    day = max(day, entered)
    iso = day.isoformat()
    last_home = _last_on(homes, iso, _VISIT_COLUMNS)
    last_call = _last_on(calls, iso, _REMOTE_COLUMNS)
    last_visit = last_call if last_call and (not last_home or last_call["date"] > last_home["date"]) else last_home
    open_hazard = any(h[2] <= iso and (h[6] is None or h[6] > iso) for h in hazards)
    factors = risk.factors_of(elder, open_hazard=open_hazard, last_visit=last_visit, as_of=day)
    suggestion = risk.grade_for(factors)
    final, reason = suggestion.grade, None
    if suggestion.grade != "低" and not open_hazard and rng.random() < OVERRIDE_SHARE:
        final = {"高": "中", "中": "低"}[suggestion.grade]
        reason = rng.choice(_OVERRIDE_DOWN)
    return (elder["id"], iso, assessor, json.dumps(suggestion.factors, ensure_ascii=False), final,
            suggestion.grade, reason)


def _last_on(visits: list[tuple], iso: str, columns: tuple[str, ...]) -> dict | None:
    """The last of ``visits`` (sorted by date) on or before ``iso``, as a dict of ``columns``."""
    for visit in reversed(visits):
        if visit[1] <= iso:
            return dict(zip(columns, visit, strict=True))
    return None


def _festival_campaign(db, as_of: dt.date) -> dict | None:
    """The last 重阳节 before ``as_of`` as a campaign for the elders 在册 aged 80 and over (inserted here), with the
    dates and name the 新建巡访活动 dialog would suggest."""
    for year in (as_of.year, as_of.year - 1):
        festival = campaigns.festival_date("重阳节", year)
        start, end = campaigns.suggested_window("重阳节", year)
        if end < as_of:
            break
    else:
        return None
    cutoff = latest_birth_for_age(festival, AGED_FROM).isoformat()
    elder_ids = [r[0] for r in db.execute(
        f"SELECT e.id FROM elders e WHERE e.birth_date <= :cutoff AND {STATUS_ON_DAY_SQL} = '在册' ORDER BY e.id",
        {"cutoff": cutoff, "day": start.isoformat()})]
    if not elder_ids:
        return None
    with db.atomic():
        campaign_id = db.execute(
            "INSERT INTO campaigns(name, kind, start_date, end_date, notes) VALUES (?, '重阳节', ?, ?, ?)",
            [campaigns.default_name("重阳节", start, year), start.isoformat(), end.isoformat(),
             "走访80周岁及以上老人，送去慰问品"]).lastrowid
        db.conn.executemany("INSERT INTO campaign_elders(campaign_id, elder_id) VALUES (?, ?)",
                            [(campaign_id, e) for e in elder_ids])
    return {"id": campaign_id, "start": start, "end": end, "elders": set(elder_ids)}
