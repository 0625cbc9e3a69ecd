"""The monthly report for the county (月度报表): the 27 columns of the 汇总表 and their cross-checks (勾稽关系).

Everything is "as at month end" (forms.md): an elder counts when their status on the month's last day was
在册 (read from ``status_changes``, so someone who left after the month still counts in it and someone who
entered after it does not), ages are full years on that day, visits and hazards are those of the month.
Every other fact is the one in force on that day too: an elder's fields (education, care, tier, grade,
ability level, village, visitor, first supporter …) as ``field_history`` dates them, a hazard's steps dated by
then, an agreement's status from its signing, end and termination dates. A month sent to the county is
not counted again at all: ``submissions`` keeps what was sent.

The counting reads each elder row once (set-based SQL for the month-end status) and classifies it with the
ledger's own rules (``elders.health_of``, ``idnumber.age_on``). An elder with a missing value in a
one-per-elder group (no education recorded, no visitor …) is counted in column 1 but not in that group, so a
cross-check fails and names them: that is how the county finds incomplete records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from township_desk.models import (
    dates,
    field_history,
    group_plans,
    idnumber,
    last_home,
    rate_labels,
    schedule,
    settings,
)
from township_desk.models import elders as elders_model
from township_desk.models import villages as villages_model
from township_desk.models.dates import month_bounds
from township_desk.models.errors import UserError

# (column number, heading, group or "") — forms.md "汇总表: the 27 columns".
COLUMNS: tuple[tuple[int, str, str], ...] = (
    (1, "留守老年人总数", ""),
    (2, "60–69周岁", "年龄"), (3, "70–79周岁", "年龄"), (4, "80周岁及以上", "年龄"),
    (5, "男", "性别"), (6, "女", "性别"),
    (7, "健康", "身体情况"), (8, "残疾", "身体情况"), (9, "患病", "身体情况"),
    (10, "文盲", "文化程度"), (11, "小学", "文化程度"), (12, "初中", "文化程度"), (13, "高中及以上", "文化程度"),
    (14, "已明确巡访责任人", ""),
    (15, "有人照料", "照料情况"), (16, "无人照料", "照料情况"),
    (17, "双方健在", "夫妻情况"), (18, "一方健在", "夫妻情况"),
    (19, "子女外出不满1年", "子女外出务工年限"), (20, "1–3年", "子女外出务工年限"),
    (21, "3–5年", "子女外出务工年限"), (22, "5年及以上", "子女外出务工年限"),
    (23, "打工", "主要经济来源"), (24, "种养殖业", "主要经济来源"), (25, "政府救助", "主要经济来源"),
    (26, "亲朋救济", "主要经济来源"), (27, "其他", "主要经济来源"),
)
N_COLUMNS = 27

# The seed's two chains (seed 002 attachment 2, 注 2): every part of a chain must give the same number.
CHAINS: tuple[tuple[tuple[int, ...], ...], ...] = (
    ((1,), (2, 3, 4), (5, 6), (7, 8, 9), (10, 11, 12, 13), (14,)),
    # the second chain meets column 1 too: an elder with 照料/夫妻/外出年限/经济来源 blank is named, never sent as 0
    ((1,), (15, 16), (17, 18), (19, 20, 21, 22), (23, 24, 25, 26, 27)),
)
CHECK_NOTE = ("表间勾稽关系：1列=2列+3列+4列=5列+6列=7列+8列+9列=10列+11列+12列+13列=14列；"
              "15列+16列=17列+18列=19列+20列+21列+22列=23列+24列+25列+26列+27列。")
TITLE_SUFFIX = "农村留守老人基本情况排查汇总表"
TOTAL_LABEL = "合计"

_EDUCATION_COL = {"文盲": 10, "小学": 11, "初中": 12, "高中及以上": 13}
_CARE_COL = {"有人照料": 15, "无人照料": 16}
_SPOUSE_COL = {"双方健在": 17, "一方健在": 18}
_INCOME_COL = {"打工": 23, "种养殖业": 24, "政府救助": 25, "亲朋救济": 26, "其他": 27}
_HEALTH_COL = {"健康": 7, "残疾": 8, "患病": 9}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> str:
    """'YYYY-MM' checked (also accepts 2026-1, 2026年1月); a Chinese ``UserError`` when it is not a month."""
    raw = (text or "").strip()
    match = re.fullmatch(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*月?", raw)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UserError(f"月份“{text}”无法识别，应写作 YYYY-MM（例如 2026-10）")
    if not dates.EARLIEST.year <= int(match.group(1)) <= dates.LATEST.year:
        raise UserError(f"月份“{text}”超出本程序可处理的范围（{dates.EARLIEST.year} 年至 {dates.LATEST.year} 年）")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def month_label(month: str) -> str:
    """'2026-03' → '2026年3月' as the title prints it."""
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def previous_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - (mon == 1):04d}-{(mon - 2) % 12 + 1:02d}"


def report_title(unit: str, month: str) -> str:
    """``<镇名>农村留守老人基本情况排查汇总表（YYYY年M月）``."""
    return f"{unit}{TITLE_SUFFIX}（{month_label(month)}）"


@dataclass
class ElderGap:
    """An elder whose record leaves a group of columns without a count, with what is missing."""

    elder_id: int | None
    name: str
    id_number: str
    village: str
    problems: list[tuple[int, str]] = field(default_factory=list)  # (chain index 0/1, message)

    def describe(self, chain: int | None = None) -> str:
        items = [m for c, m in self.problems if chain is None or c == chain]
        return f"{self.name}（{self.id_number}）：{'；'.join(items)}"


@dataclass
class SummaryRow:
    """One line of the 汇总表: ``counts[k - 1]`` is column k."""

    name: str
    counts: list[int] = field(default_factory=lambda: [0] * N_COLUMNS)
    gaps: list[ElderGap] = field(default_factory=list)

    def col(self, number: int) -> int:
        return self.counts[number - 1]


@dataclass
class MonthlySummary:
    month: str
    township: str
    last_day: dt.date
    villages: list[SummaryRow]
    total: SummaryRow

    @property
    def rows(self) -> list[SummaryRow]:
        return [*self.villages, self.total]

    @property
    def title(self) -> str:
        return report_title(self.township, self.month)


@dataclass
class CheckFailure:
    """One chain that does not hold on one line: the parts with their values and the elders causing it."""

    village: str
    chain: int                                # 0 = 1…14, 1 = 15…27
    parts: list[tuple[str, int]]              # ("第2+3+4列", 9) for every part of the chain
    elders: list[ElderGap] = field(default_factory=list)

    @property
    def disagreeing(self) -> list[tuple[str, int]]:
        """The parts whose value differs from the chain's first part."""
        first = self.parts[0][1]
        return [p for p in self.parts[1:] if p[1] != first]

    def message(self, with_elders: bool = True) -> str:
        head, first = self.parts[0]
        wrong = "、".join(f"{label}={value}" for label, value in self.disagreeing)
        text = f"{self.village}：{head}={first}，但 {wrong}"
        if with_elders and self.elders:
            text += "\n" + "\n".join(f"    {g.describe(self.chain)}" for g in self.elders)
        return text


def _part_label(part: tuple[int, ...]) -> str:
    return f"第{'+'.join(str(c) for c in part)}列"


def chain_failures(row: SummaryRow) -> list[CheckFailure]:
    """The seed's two chains checked on one line; the elders listed are that line's gaps in the chain."""
    failures = []
    for index, chain in enumerate(CHAINS):
        parts = [(_part_label(p), sum(row.col(c) for c in p)) for p in chain]
        if len({value for _, value in parts}) > 1:
            culprits = [g for g in row.gaps if any(c == index for c, _ in g.problems)]
            failures.append(CheckFailure(row.name, index, parts, culprits))
    return failures


def check_rows(rows: Sequence[SummaryRow]) -> list[CheckFailure]:
    """Every chain on every line given (villages or townships, then 合计)."""
    return [f for row in rows for f in chain_failures(row)]


def cross_checks(summary: MonthlySummary) -> list[CheckFailure]:
    """1 = 2+3+4 = 5+6 = 7+8+9 = 10+11+12+13 = 14 and 15+16 = 17+18 = 19+20+21+22 = 23+24+25+26+27,
    per village and 合计. Empty when the workbook may be sent."""
    return check_rows(summary.rows)


def failures_text(failures: Sequence[CheckFailure]) -> str:
    """The Chinese list of failing lines, their columns and the elders to fix (合计 without repeating them)."""
    lines = []
    villages_failed = any(f.village != TOTAL_LABEL for f in failures)
    for f in failures:
        lines.append(f.message(with_elders=not (f.village == TOTAL_LABEL and villages_failed)))
    return "\n".join(lines)


# ---------------------------------------------------------------- the elders on the ledger at month end

_MONTH_END_STATUS = elders_model.STATUS_ON_DAY_SQL


_MONTH_END_ORDER = villages_model.village_order("", columns=("_vorder", "_vname"))  # as ``_month_end_elders`` passes them on


def _left_behind_sql(day: str) -> str:
    """SQL over ``elders e``: the elder counts in the 留守 sheets (汇总表, 明细表, 巡访情况, 风险隐患, 互助协议) on the
    day bound to ``day`` — not registered as a city household then. A 城市独居 or other city elder on the ledger
    is visited and counted in the 探访关爱 sheet, but is not a 留守老人 (domain.md: 农村户籍); a record that does
    not say is taken as rural, as the ledger always was."""
    return f"COALESCE({field_history.on_day_sql('rural_hukou', day)}, 1) = 1"


def _month_end_elders(db, last: dt.date, columns: str, statuses: tuple[str, ...] = ("在册",),
                      extra_joins: str = "", params_before: Sequence = (), left_behind_only: bool = True,
                      with_tier: bool = False) -> list[dict]:
    """Elders whose status on ``last`` is one of ``statuses`` (and, unless ``left_behind_only`` is false, who
    count in the 留守 sheets that day: ``_left_behind_sql``), in the order of the villages they were in that day
    (``villages.village_order``, in the query), then name order. ``v`` is that day's village; ``with_tier``
    adds ``visit_tier``, the 巡访类别 that day (``group_plans.visit_tier_sql``, the one reading).

    The status on a day is the latest ``status_changes`` row on or before it; records that never had one
    (written by an older version) fall back to their current status once entered. ``params_before`` binds
    the "?" placeholders of ``columns`` (they come first in the statement).
    """
    marks = ",".join("?" * len(statuses))
    tier = f", {group_plans.visit_tier_sql(db, last)} AS visit_tier" if with_tier else ""
    sql = f"""SELECT * FROM (
                SELECT {columns}{tier}, {_MONTH_END_STATUS} AS month_status, v.sort_order AS _vorder,
                       v.name AS _vname
                FROM elders e JOIN villages v ON v.id = {field_history.on_day_sql("village_id")} {extra_joins}
                {"WHERE " + _left_behind_sql(":day") if left_behind_only else ""}
              ) WHERE month_status IN ({marks}) ORDER BY {_MONTH_END_ORDER}, name_initials, id"""
    params = [*params_before, *[last.isoformat()] * sql.count(":day"), *statuses]
    cursor = db.execute(sql.replace(":day", "?"), params)
    names = [d[0] for d in cursor.description]
    people = [dict(zip(names, r, strict=True)) for r in cursor]
    _as_on(db, people, last, "id")  # the other fields as they were that day (the village already is)
    return people


def _as_on(db, rows: list[dict], last: dt.date, id_key: str) -> bool:
    """Put back into ``rows`` (dicts keyed by ``elders`` column names, the elder's id under ``id_key``) the
    values each elder's fields had on ``last``: a field changed after the month (a corrected education, a new
    tier, another village or visitor) keeps in that month the value it had then (``field_history``).
    ``village``/``visitor``/``visitor_phone`` follow a changed village or visitor. True when anything changed."""
    changed_by_elder = field_history.values_on(db, last)
    touched = False
    villages: dict | None = None
    visitors: dict | None = None
    for row in rows:
        changed = changed_by_elder.get(row[id_key])
        if not changed:
            continue
        touched = True
        for key, value in changed.items():
            if key == "village_id":
                if villages is None:
                    villages = {i: (o, n) for i, o, n in db.execute("SELECT id, sort_order, name FROM villages")}
                order, name = villages.get(value, (0, ""))
                row["_vorder"], row["_vname"] = order, name
                if "village" in row:
                    row["village"] = name
            elif key == "visitor_id":
                if visitors is None:
                    visitors = {i: (n, p) for i, n, p in db.execute("SELECT id, name, phone FROM visitors")}
                if "visitor_id" in row:
                    row["visitor_id"] = value
                if "visitor" in row:
                    row["visitor"], row["visitor_phone"] = visitors.get(value, (None, None))
            elif key in row and key != id_key:
                row[key] = value
    return touched


def _check_month(month: str) -> tuple[str, dt.date, dt.date]:
    month = parse_month(month)
    first, last = month_bounds(month)
    return month, first, last


def _classify(e: dict, last: dt.date, row: SummaryRow) -> ElderGap | None:
    """Add one elder to a line; return what is missing from their record for the one-per-elder groups."""
    problems: list[tuple[int, str]] = []
    counts = row.counts
    counts[0] += 1
    age = idnumber.age_on(e["birth_date"], last)
    if age >= 80:
        counts[3] += 1
    elif age >= 70:
        counts[2] += 1
    elif age >= 60:
        counts[1] += 1
    else:
        problems.append((0, f"未满60周岁（{last.isoformat()} 时 {age} 周岁，第2–4列）"))
    if e["sex"] == "男":
        counts[4] += 1
    elif e["sex"] == "女":
        counts[5] += 1
    else:
        problems.append((0, "性别未填（第5–6列）"))
    counts[_HEALTH_COL[elders_model.health_of(e)] - 1] += 1
    if e["education"] in _EDUCATION_COL:
        counts[_EDUCATION_COL[e["education"]] - 1] += 1
    else:
        problems.append((0, "文化程度未填（第10–13列）"))
    if e["visitor_id"]:
        counts[13] += 1
    else:
        problems.append((0, "未明确巡访责任人：第14列 ≠ 第1列"))
    if e["care"] in _CARE_COL:
        counts[_CARE_COL[e["care"]] - 1] += 1
    else:
        problems.append((1, "照料情况未填（第15–16列）"))
    if e["spouse"] in _SPOUSE_COL:
        counts[_SPOUSE_COL[e["spouse"]] - 1] += 1
    else:
        problems.append((1, "夫妻情况未填（第17–18列）"))
    years = elders_model.years_away(e["away_since"], last)
    if years is None:
        problems.append((1, "赡养人外出时间未填，无法算出子女外出务工年限（第19–22列）"))
    else:
        counts[(18 if years < 1 else 19 if years < 3 else 20 if years < 5 else 21)] += 1
    if e["main_income"] in _INCOME_COL:
        counts[_INCOME_COL[e["main_income"]] - 1] += 1
    else:
        problems.append((1, "主要经济来源未填（第23–27列）"))
    if not problems:
        return None
    gap = ElderGap(e["id"], e["name"], e["id_number"], e["village"], problems)
    row.gaps.append(gap)
    return gap


def summary(db, month: str, *, progress: Callable[[int, int, str], None] | None = None) -> MonthlySummary:
    """The 汇总表 of ``month`` ('YYYY-MM'): one line of 27 counts per village (every village, in the
    villages' order) and 合计, as at the month's last day."""
    month, _first, last = _check_month(month)
    township = settings.get(db, "township_name") or ""
    rows: dict[str, SummaryRow] = {v: SummaryRow(v) for v in villages_model.names_in_order(db)}
    total = SummaryRow(TOTAL_LABEL)
    people = _month_end_elders(
        db, last, "e.id, e.name, e.name_initials, e.id_number, e.sex, e.birth_date, e.is_disabled, e.is_ill, "
                  "e.education, e.visitor_id, e.care, e.spouse, e.main_income, "
                  f"v.name AS village, {elders_model.AWAY_SINCE_SQL} AS away_since")
    for index, e in enumerate(people):
        row = rows[e["village"]]
        gap = _classify(e, last, row)
        if gap:
            total.gaps.append(gap)
        if progress and index % 5000 == 0:
            progress(index, len(people), "正在统计汇总表……")
    for row in rows.values():
        total.counts = [a + b for a, b in zip(total.counts, row.counts, strict=True)]
    return MonthlySummary(month, township, last, list(rows.values()), total)


# ---------------------------------------------------------------- the other sheets

DETAIL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("seq", "序号"), ("village", "村（社区）"), ("name", "姓名"), ("sex", "性别"), ("id_number", "身份证号码"),
    ("birth_date", "出生日期"), ("age", "年龄"), ("phone", "联系电话"), ("address", "现居住地址"),
    ("health", "身体情况"), ("ability", "能力等级"), ("education", "文化程度"), ("spouse", "夫妻情况"),
    ("children_count", "子女数"), ("children_away_years", "外出务工年限"), ("supporter", "主要赡养人"),
    ("supporter_phone", "赡养人电话"), ("main_income", "主要经济来源"), ("care", "照料情况"),
    ("lives_alone", "独居"), ("risk_grade", "风险等级"), ("tier", "巡访类别"), ("visitor", "巡访责任人"),
    ("visitor_phone", "巡访责任人电话"), ("last_home_visit", "最近上门巡访日期"), ("status", "状态"),
)


def details(db, month: str, *, left_behind_only: bool = True) -> list[dict]:
    """Rows of the 明细表: every elder on the ledger at month end, those 在册 first (the 汇总表 counts them), then
    those 暂离 (visits paused, not in the 汇总表), with ages on the last day and the last home visit on or before
    it. Keys are ``DETAIL_COLUMNS``."""
    month, _first, last = _check_month(month)
    people = _month_end_elders(
        db, last,
        "e.id, e.name, e.name_initials, e.sex, e.id_number, e.birth_date, e.phone, "
        "e.current_address, e.household_address, e.is_disabled, e.is_ill, e.ability_level, "
        "e.education, e.spouse, e.children_count, e.main_income, e.care, e.lives_alone, "
        f"{elders_model.AWAY_SINCE_SQL} AS away_since, "
        "e.risk_grade, vi.name AS visitor, vi.phone AS visitor_phone, v.name AS village, "
        "(SELECT s.name || char(31) || COALESCE(s.phone, '') FROM supporters s WHERE s.elder_id = e.id "
        "  ORDER BY s.sort_order, s.id LIMIT 1) AS main_supporter, "
        f"{last_home.on_day_sql('?')} AS last_home_visit",  # the month's last day, twice (kept date, else the visits)
        statuses=("在册", "暂离"), extra_joins="LEFT JOIN visitors vi ON vi.id = e.visitor_id",
        params_before=[last.isoformat()] * 2, left_behind_only=left_behind_only, with_tier=True)
    people.sort(key=lambda e: e["month_status"] != "在册")  # 在册 first (汇总表's column 1), then 暂离, each by village
    return [_detail_row(i, e, last) for i, e in enumerate(people, start=1)]


def _detail_row(seq: int, e: dict, last: dt.date) -> dict:
    pair = e["main_supporter"]
    supporter, supporter_phone = (pair.split(field_history.PAIR_SEPARATOR) + [""])[:2] if pair else ("", "")
    level = e["ability_level"]
    return {
        "id": e["id"], "seq": seq, "village": e["village"], "name": e["name"], "sex": e["sex"],
        "id_number": e["id_number"], "birth_date": e["birth_date"], "age": idnumber.age_on(e["birth_date"], last),
        "phone": e["phone"], "address": e["current_address"] if e["current_address"] is not None
        else e["household_address"], "health": elders_model.health_of(e),
        "ability": elders_model.ABILITY_LEVELS.get(level) if level is not None else None,
        "education": e["education"], "spouse": e["spouse"], "children_count": e["children_count"],
        "children_away_years": elders_model.years_away(e["away_since"], last),
        "supporter": supporter or None, "supporter_phone": supporter_phone or None,
        "main_income": e["main_income"], "care": e["care"], "lives_alone": "是" if e["lives_alone"] else "否",
        "risk_grade": e["risk_grade"], "tier": e["visit_tier"], "visitor": e["visitor"],
        "visitor_phone": e["visitor_phone"], "last_home_visit": e["last_home_visit"], "status": e["month_status"],
    }


VISIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("village", "村（社区）"), ("on_ledger", "在册人数"), ("key", "重点对象数"), ("general", "一般对象数"),
    ("home_visits", "本月上门巡访次数"), ("remote_visits", "本月电话视频巡访次数"),
    ("visited", "本月已上门巡访人数"), ("coverage", rate_labels.rate_heading(rate_labels.HOME)),
    ("overdue", "月末逾期未上门人数"), ("hazards", "本月发现风险隐患数"), ("supporters_told", "已通报赡养人数"),
)


AWAY_MARK = "暂离（不计入汇总表）"


def detail_sheet_rows(detail: list[dict]) -> list[dict]:
    """The 明细表's rows as written: those 在册 (the 汇总表's column 1), then, when anyone was 暂离 at month end, a
    line introducing them, their rows marked 暂离（不计入汇总表）, and a note saying why the two sheets differ."""
    present = [d for d in detail if d["status"] != "暂离"]
    away = [{**d, "status": AWAY_MARK} for d in detail if d["status"] == "暂离"]
    if not away:
        return present
    return [*present,
            {"seq": f"以下 {len(away)} 人月末暂离（住院、随子女暂住等，巡访暂停），列入明细表，不计入汇总表"},
            *away,
            {"seq": f"注：本表列出月末在台账上的老人共 {len(detail)} 人，其中在册 {len(present)} 人（即汇总表"
                    f"第1列合计），暂离 {len(away)} 人不计入汇总表。"}]


def visits_by_village(db, month: str) -> list[dict]:
    """The 巡访情况 sheet: per village and 合计. 在册人数, 重点/一般 (the 巡访类别 the visit plan follows that day:
    ``group_plans.visit_tier_sql``, as the overdue rule and the 探访关爱 sheet read it) and 已上门巡访人数 are of the
    elders 在册 at month end; the visit and hazard counts take every visit and hazard of the month of someone on the ledger that day.

    上门巡访覆盖率 = 已上门巡访人数 / 在册人数 × 100 (one decimal; None when nobody is 在册).
    月末逾期未上门人数 comes from ``schedule.overdue`` (the one overdue rule) as of the last day.
    """
    month, first, last = _check_month(month)
    lo, hi = first.isoformat(), last.isoformat()
    stats: dict[str, dict] = {}
    for name in villages_model.names_in_order(db):
        stats[name] = {"village": name, "on_ledger": 0, "key": 0, "general": 0, "home_visits": 0,
                       "remote_visits": 0, "visited": 0, "overdue": 0, "hazards": 0, "supporters_told": 0}
    people = _month_end_elders(
        db, last,
        "e.id, e.name_initials, v.name AS village, "
        "EXISTS (SELECT 1 FROM live_visits vs WHERE vs.elder_id = e.id AND vs.mode = '上门' "
        "  AND vs.date BETWEEN ? AND ?) AS visited",
        params_before=[lo, hi], with_tier=True)
    for e in people:
        s = stats[e["village"]]
        s["on_ledger"] += 1
        s["key" if e["visit_tier"] == "重点" else "general"] += 1
        s["visited"] += 1 if e["visited"] else 0
    for village, key, count in _month_events_by_village(db, lo, hi):
        stats[village][key] += count
    overdue = _overdue_by_village(db, last)
    for village, s in stats.items():
        s["overdue"] = overdue.get(village, 0)
    rows = list(stats.values())
    total = {"village": TOTAL_LABEL}
    for key in ("on_ledger", "key", "general", "home_visits", "remote_visits", "visited", "overdue", "hazards",
                "supporters_told"):
        total[key] = None if key == "overdue" and overdue is None else sum(r[key] for r in rows)
    rows.append(total)
    for r in rows:
        r["coverage"] = round(100.0 * r["visited"] / r["on_ledger"], 1) if r["on_ledger"] else None
    return rows


# Visits and hazards of the month count for everyone on the ledger (在册 or 暂离) on the day they happened,
# whatever became of them by the month's end (a visit to someone who died on the 20th was made all the same).
_ON_LEDGER_THAT_DAY = "IN ('在册', '暂离')"


def _month_events_by_village(db, lo: str, hi: str) -> list[tuple[str, str, int]]:
    """(village, key of the 巡访情况 sheet, count) for the visits and hazards dated in [lo, hi].

    An elder whose status did not change within the month (nearly everyone) has the status of its first day on
    every visit; only the others are looked up visit by visit. Elders first, then their visits through the
    (elder, mode, date) index: a month of 30,000 elders' visits in about a second.
    """
    on_first = elders_model.status_on_day_sql("e", ":lo")
    # the village on the month's last day, as in the 汇总表 (an elder who moved later counts where they were)
    people = f"""people AS MATERIALIZED (
            SELECT e.id, COALESCE(later.value, e.village_id) AS village_id, e.entered_on, e.status,
                   {on_first} AS first_status,
                   (EXISTS (SELECT 1 FROM status_changes sc WHERE sc.elder_id = e.id AND sc.date > :lo AND sc.date <= :hi)
                    OR (e.entered_on > :lo AND e.entered_on <= :hi)) AS moved
            FROM elders e LEFT JOIN {field_history.changed_after_sql('village_id', ':hi')} later
                 ON later.elder_id = e.id
            WHERE {_left_behind_sql(':hi')})"""

    def on_ledger(day: str) -> str:
        return (f"CASE WHEN p.moved THEN {elders_model.status_on_day_sql('p', day)} ELSE p.first_status END"
                f" {_ON_LEDGER_THAT_DAY}")

    params = {"lo": lo, "hi": hi}
    rows = db.execute(
        f"""WITH {people}
            SELECT v.name, CASE WHEN vs.mode = '上门' THEN 'home_visits' ELSE 'remote_visits' END, COUNT(*)
            FROM people p CROSS JOIN live_visits vs ON vs.elder_id = p.id JOIN villages v ON v.id = p.village_id
            WHERE vs.mode IN ('上门', '电话', '视频') AND vs.date BETWEEN :lo AND :hi AND {on_ledger("vs.date")}
            GROUP BY v.name, vs.mode = '上门'""", params).fetchall()
    for name, hazards, told in db.execute(
            f"""WITH {people}
                SELECT v.name, COUNT(*), COUNT(DISTINCT CASE WHEN h.supporter_told_on IS NOT NULL
                                                          AND h.supporter_told_on <= :hi THEN p.id END)
                FROM hazards h JOIN people p ON p.id = h.elder_id JOIN villages v ON v.id = p.village_id
                WHERE h.found_on BETWEEN :lo AND :hi AND {on_ledger("h.found_on")}
                GROUP BY v.name""", params):
        rows += [(name, "hazards", hazards), (name, "supporters_told", told)]
    return rows


def _overdue_by_village(db, last: dt.date) -> dict[str, int]:
    """Elders overdue for a home visit on the last day, per village, by the schedule's rule (it lives there
    alone and is not repeated here)."""
    counts: dict[str, set] = {}
    not_counted = {row[0] for row in db.execute(f"SELECT e.id FROM elders e WHERE NOT ({_left_behind_sql(':day')})",
                                                {"day": last.isoformat()})}
    for item in schedule.overdue(db, last, kinds=("home",)):
        if item.elder_id in not_counted:
            continue
        counts.setdefault(item.village, set()).add(item.elder_id)
    return {village: len(ids) for village, ids in counts.items()}


HAZARD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("village", "村（社区）"), ("name", "老人姓名"), ("id_number", "身份证号码"), ("found_on", "发现日期"),
    ("description", "隐患情况"), ("supporter_told_on", "通报赡养人日期"), ("reported_on", "上报日期"),
    ("resolved_on", "处置日期"), ("resolution", "处置情况"),
)


def hazards_of_month(db, month: str) -> list[dict]:
    """Hazards found in the month or still open during it (found before its end, not resolved before its start),
    as they stood on its last day: a step dated after it (told, reported, resolved later) is not shown yet."""
    month, first, last = _check_month(month)
    rows = list(db.query(
        """SELECT v.name AS village, e.name, e.id_number, h.found_on, h.description,
                  CASE WHEN h.supporter_told_on <= :last THEN h.supporter_told_on END AS supporter_told_on,
                  CASE WHEN h.reported_on <= :last THEN h.reported_on END AS reported_on,
                  CASE WHEN h.resolved_on <= :last THEN h.resolved_on END AS resolved_on,
                  CASE WHEN h.resolved_on IS NULL OR h.resolved_on <= :last THEN h.resolution END AS resolution,
                  h.id, h.elder_id
           FROM hazards h JOIN elders e ON e.id = h.elder_id JOIN villages v ON v.id = e.village_id
           WHERE h.found_on <= :last AND (h.resolved_on IS NULL OR h.resolved_on >= :first)
             AND """ + _left_behind_sql(":last") + """
           ORDER BY """ + villages_model.VILLAGE_ORDER_SQL + """, h.found_on, h.id""", {"last": last.isoformat(), "first": first.isoformat()}))
    _as_on(db, rows, last, "elder_id")
    return rows


AGREEMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("village", "村（社区）"), ("name", "被助养老人"), ("id_number", "身份证号码"), ("party_a_name", "委托人（甲方）"),
    ("party_b_name", "受托人（乙方）"), ("template", "协议文本"), ("start_date", "起始日期"), ("end_date", "终止日期"),
    ("status", "状态"), ("fee", "费用"),
)


def agreements_of_month(db, month: str) -> list[dict]:
    """Agreements in force at any time in the month: signed by its end (not drafts), begun by its end, not ended
    before its start (an agreement ends on its end date, or on the day it was terminated). The status is the
    one on the month's last day: 已解除 only when terminated by then, 已到期 when its end date had passed, else
    已签订 — an agreement terminated in a later month shows 已签订."""
    month, first, last = _check_month(month)
    rows = list(db.query(
        """SELECT v.name AS village, e.name, e.id_number, a.party_a_name, a.party_b_name, a.template,
                  a.start_date, a.end_date,
                  CASE WHEN a.terminated_on IS NOT NULL AND a.terminated_on <= :last THEN '已解除'
                       WHEN a.end_date IS NOT NULL AND a.end_date < :last THEN '已到期'
                       ELSE '已签订' END AS status,
                  a.fee, a.id, a.elder_id,
                  CASE WHEN a.terminated_on <= :last THEN a.terminated_on END AS terminated_on
           FROM agreements a JOIN elders e ON e.id = a.elder_id JOIN villages v ON v.id = e.village_id
           WHERE a.status <> '草稿' AND COALESCE(a.signed_on, a.start_date) <= :last
             AND a.start_date IS NOT NULL AND a.start_date <= :last
             AND COALESCE(a.terminated_on, a.end_date, '9999-12-31') >= :first
             AND """ + _left_behind_sql(":last") + """
           ORDER BY """ + villages_model.VILLAGE_ORDER_SQL + """, a.start_date, a.id""", {"last": last.isoformat(), "first": first.isoformat()}))
    _as_on(db, rows, last, "elder_id")
    return rows
