"""The demo township: a believable ledger written into an empty database (``township-desk demo``).

Everything comes from one ``random.Random(seed)``, so the same seed and reference date give the same
rows; the clock is read only for the default reference date. The ledger (villages, visitors, elders,
supporters, status history) is generated in Python and bulk-inserted in one transaction; then the
extension steps (``demo.visits``: visits, assessments, hazards; ``demo.agreements``: mutual-aid
agreements) each run with their own generator seeded from ``seed``, inside the same transaction, so a
cancelled or failed run leaves the database as it was.

The generated values respect what the model enforces: the enums of migration 0001's CHECK constraints,
ID numbers with the right checksum whose birth date and sex digit are the elder's, everyone 60 or older
on the reference date, status dates after the date the elder entered the ledger.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from stdnum.cn import ric

from township_desk.models import audit, group_plans, settings
from township_desk.models.dates import latest_birth_for_age
from township_desk.models.demo import names as N
from township_desk.models.elders import CARE, EDUCATION, INCOME, SPOUSE, STATUSES, TIERS
from township_desk.models.errors import UserError
from township_desk.models.names import full_pinyin, initials

# The extension steps, in the order they run; k in seed * 1000 + k is the position (1-based).
EXTENSION_STEPS: tuple[tuple[str, str], ...] = (
    ("visits", "正在生成巡访记录、风险评估和风险隐患……"),
    ("agreements", "正在生成互助养老协议……"),
)

# Share of elders by status on the reference date (the rest are 在册).
STATUS_SHARES = {"暂离": 0.04, "已迁出": 0.02, "已去世": 0.025, "已不属于留守": 0.02}
RETURNED_SHARE = 0.03  # 在册 elders who were 暂离 once and came back
ELIGIBILITY_GAP_SHARE = 0.01  # 在册 elders whose supporter has been away less than 6 months

# Ages 60–100 on the reference date, weighted so that 65–80 dominate (per single year within each band).
_AGE_BANDS = ((60, 64, 17), (65, 69, 24), (70, 74, 22), (75, 79, 16), (80, 84, 11), (85, 89, 6),
              (90, 94, 3), (95, 100, 1))

# The community's elders (one in 20 of the demo's), in turn: seed 003's 城市独居 (three in five), then those the
# visits cover for another reason — a 城市特困 elder living alone (excluded from 城市独居), a 计划生育特殊家庭, a
# 重点优抚对象 (both living with a spouse, so not 城市独居 either).
COMMUNITY_KINDS = ("城市独居", "城市独居", "城市特困", "城市独居", "计划生育特殊家庭", "城市独居", "重点优抚")
COMMUNITY_SHARE = 20
# 重点优抚 is not on the record: the clerk sets it, with the reason, as an override (models.groups).
PRIORITY_CARE_REASON = "重点优抚对象（{who}），经济困难，民政办核定"
PRIORITY_CARE_WHO = ("退役军人", "烈士遗属", "因公牺牲军人遗属", "伤残军人")
RURAL_PRIORITY_CARE_SHARE = 0.01  # rural 留守 elders who are also 重点优抚

_ALONE = "独自居住，夜间无人照应"  # a difficulty written only for those who do live alone
_INSERT_BATCH = 500  # rows per INSERT; well under SQLite's bound-variable limit for the widest table


ProgressFn = Callable[[int, int, str], None]


@dataclass
class DemoSummary:
    """What ``generate`` wrote: counts for the summary the command line and the window show."""

    township: str
    county: str
    seed: int
    as_of: dt.date
    villages: int = 0
    visitors: int = 0
    elders: int = 0
    supporters: int = 0
    status_changes: int = 0
    without_visitor: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_tier: dict[str, int] = field(default_factory=dict)
    # visits, assessments, hazards, agreements: rows in those tables after the extension steps
    extras: dict[str, int] = field(default_factory=dict)
    steps_run: list[str] = field(default_factory=list)
    ledger_seconds: float = 0.0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The summary in Chinese, one line per figure."""
        out = [
            f"演示乡镇：{N.PROVINCE_PREFIX}{self.county}{self.township}（种子 {self.seed}，基准日 {self.as_of.isoformat()}）",
            f"村（社区）：{self.villages} 个",
            f"巡访责任人：{self.visitors} 人",
            f"老人：{self.elders} 人（" + "，".join(f"{s} {self.by_status.get(s, 0)}" for s in STATUSES) + "）",
            "巡访类别：" + "，".join(f"{t} {self.by_tier.get(t, 0)}" for t in TIERS),
            f"赡养人：{self.supporters} 人；未指定巡访责任人的老人：{self.without_visitor} 人",
        ]
        labels = {"visits": "巡访记录", "assessments": "风险评估", "hazards": "风险隐患", "agreements": "互助养老协议"}
        extra = [f"{labels[k]} {v} 条" for k, v in self.extras.items() if k in labels]
        if extra:
            out.append("，".join(extra))
        return out


# ---------------------------------------------------------------- small helpers


class _Weighted:
    """A weighted choice with precomputed cumulative weights (``rng.choices`` recomputes them every call)."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]):
        self.values = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _years_before(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone ``years`` old on ``day`` (the one age rule, ``dates.age_on``)."""
    return latest_birth_for_age(day, years)


def _years_after(birth: dt.date, years: int) -> dt.date:
    """The day someone born on ``birth`` turns ``years`` (born 29 February: 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day in [start, end]; ``start`` when the range is empty."""
    span = (end - start).days
    return start if span <= 0 else start + dt.timedelta(days=rng.randint(0, span))


def _month_text(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _stamp(rng: random.Random, day: dt.date) -> str:
    """A working-hours timestamp on ``day`` (created_at/updated_at are data too: same seed, same bytes)."""
    return f"{day.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


class _Maker:
    """Draws names, ID numbers and phone numbers, keeping ID numbers and visitors' phones unique."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = _Weighted(N.SURNAMES)
        self.regions = _Weighted(N.REGION_CODES)
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()

    def surname(self) -> str:
        return self.surnames.pick(self.rng)

    def elder_given(self, male: bool) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            return rng.choice(N.ELDER_MALE_SINGLE if male else N.ELDER_FEMALE_SINGLE)
        first = rng.choice(N.ELDER_MALE_FIRST if male else N.ELDER_FEMALE_FIRST)
        second = rng.choice(N.ELDER_MALE_SECOND if male else N.ELDER_FEMALE_SECOND)
        return first + (second if second != first else rng.choice(N.ELDER_MALE_SECOND if male else "英"))

    def child_given(self, male: bool) -> str:
        return self.rng.choice(N.CHILD_MALE if male else N.CHILD_FEMALE)

    def adult_name(self) -> tuple[str, bool]:
        """A name for a cadre, volunteer or neighbour (born 1950s–1990s): (name, male)."""
        male = self.rng.random() < 0.55
        return self.surname() + self.child_given(male), male

    def id_number(self, birth: dt.date, male: bool, region: str | None = None) -> str:
        """A valid, unused ID number: GB 11643 checksum, the birth date, odd sequence for men."""
        region = region or self.regions.pick(self.rng)
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if male else 0)
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            if body not in self.used_ids:
                self.used_ids.add(body)
                return body + ric.calc_check_digit(body + "0")

    def mobile(self, unique: bool = False) -> str:
        while True:
            phone = self.rng.choice(N.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if not unique or phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def landline(self) -> str:
        # stored the way names.normalise_phone writes a landline: area code, hyphen, 7 digits
        return f"{N.AREA_CODE}-{self.rng.choice('3456')}{self.rng.randrange(10**6):06d}"


# ---------------------------------------------------------------- the township


def _township(rng: random.Random, maker: _Maker, elders: int) -> tuple[dict, list[dict], list[dict]]:
    """Settings, villages and visitors. Visitors are scaled so each looks after about 15–30 elders."""
    town = rng.choice(N.TOWNSHIPS)
    county = N.COUNTY
    office = {
        "township_name": town, "county_name": county, "office_phone": maker.landline(),
        "unit_head": maker.adult_name()[0], "reviewer": maker.adult_name()[0], "preparer": maker.adult_name()[0],
    }
    count = rng.randint(6, 12)
    names = [n + "村" for n in rng.sample(N.VILLAGES, count)]
    # the township's main street is a community (社区): its 城市独居 and 特殊困难 elders are visited too (seed 003)
    names[-1] = rng.choice(N.COMMUNITIES) + "社区"
    villages, visitors = [], []
    weights = [rng.uniform(0.6, 1.6) for _ in names]
    total_weight = sum(weights)
    next_visitor = 1
    for index, (name, weight) in enumerate(zip(names, weights, strict=True), start=1):
        committee = f"{town}{name}{'居民委员会' if name.endswith('社区') else '村民委员会'}"
        expected = elders * weight / total_weight
        staff, _male = maker.adult_name()
        staff_phone = maker.mobile(unique=True)
        villages.append({"id": index, "name": name, "committee": committee, "staff_name": staff,
                         "phone": maker.landline() if rng.random() < 0.6 else staff_phone, "sort_order": index,
                         "_weight": weight, "_groups": rng.randint(5, 12)})
        # the committee's staff member is the first 村干部 visitor of the village
        visitors.append({"id": next_visitor, "name": staff, "phone": staff_phone, "role": "村干部",
                         "organisation": committee, "village_id": index, "active": 1})
        next_visitor += 1
        extra = max(2, round(expected / rng.uniform(15, 30))) - 1
        roles = _Weighted((("网格员", 50), ("志愿者", 30), ("亲朋邻里", 20)) if name.endswith("社区")
                          else (("村干部", 45), ("志愿者", 30), ("亲朋邻里", 25)))
        for _ in range(extra):
            role = roles.pick(rng)
            org = {"村干部": committee, "网格员": committee, "志愿者": rng.choice(N.VOLUNTEER_ORGS).format(town=town),
                   "亲朋邻里": None}[role]
            visitors.append({"id": next_visitor, "name": maker.adult_name()[0], "phone": maker.mobile(unique=True),
                             "role": role, "organisation": org, "village_id": index, "active": 1})
            next_visitor += 1
    # township-wide visitors: the civil-affairs officers, social workers, a contracted care company
    wide = [("民政专员", f"{town}民政办")] * rng.randint(1, 2)
    wide += [("社工", rng.choice(N.SOCIAL_WORK_ORGS).format(county=county))] * rng.randint(1, 3)
    wide += [("第三方机构", rng.choice(N.THIRD_PARTY_ORGS).format(county=county))] * rng.randint(1, 2)
    for role, org in wide:
        visitors.append({"id": next_visitor, "name": maker.adult_name()[0], "phone": maker.mobile(unique=True),
                         "role": role, "organisation": org, "village_id": None, "active": 1})
        next_visitor += 1
    # one volunteer who has stopped visiting: the ledger keeps them, inactive (never the only one of a village)
    volunteers = [v for v in visitors if v["role"] == "志愿者"]
    if len(volunteers) > 3:
        rng.choice(volunteers)["active"] = 0
    return office, villages, visitors


# ---------------------------------------------------------------- one elder


class _ElderMaker:
    """Draws one elder with supporters and status history, consistent within itself."""

    def __init__(self, rng: random.Random, maker: _Maker, as_of: dt.date, office: dict,
                 villages: list[dict], visitors: list[dict]):
        self.rng, self.maker, self.as_of = rng, maker, as_of
        self.town, self.county = office["township_name"], office["county_name"]
        self.villages = _Weighted([(v, v["_weight"]) for v in villages])
        self.ledger_start = dt.date(as_of.year - 6, 3, 1)
        ages = [(age, w / (hi - lo + 1)) for lo, hi, w in _AGE_BANDS for age in range(lo, hi + 1)]
        self.ages = _Weighted(ages)
        self.old_ages = _Weighted([(a, w) for a, w in ages if a >= 72])
        self.ethnicity = _Weighted(N.ETHNICITIES)
        self.illness = _Weighted(N.ILLNESSES)
        self.dis_category = _Weighted(N.DISABILITY_CATEGORIES)
        self.dis_grade = _Weighted(N.DISABILITY_GRADES)
        self.work_place = _Weighted(N.WORK_PLACES)
        self.employer = _Weighted(N.EMPLOYERS_AWAY)
        self.leave = _Weighted(N.LEAVE_REASONS)
        self.hardship = _Weighted((("", 80), ("低保", 13), ("低保边缘", 5.5), ("特困", 1.5)))
        by_village: dict[int | None, list[dict]] = {}
        for v in visitors:
            if v["active"]:
                by_village.setdefault(v["village_id"], []).append(v)
        self.village_visitors = by_village
        self.wide_visitors = by_village.get(None, [])
        self.status_weights = _Weighted([("在册", 1 - sum(STATUS_SHARES.values())), *STATUS_SHARES.items()])

    # -- pieces
    def birth_for_age(self, age: int) -> dt.date:
        latest = _years_before(self.as_of, age)
        earliest = _years_before(self.as_of, age + 1) + dt.timedelta(days=1)
        return _between(self.rng, earliest, latest)

    def entered_on(self, birth: dt.date, latest: dt.date) -> dt.date:
        rng = self.rng
        turned_60 = _years_after(birth, 60)
        if rng.random() < 0.55:  # most were registered in the first ledger drive
            day = _between(rng, self.ledger_start, self.ledger_start + dt.timedelta(days=75))
        else:
            day = _between(rng, self.ledger_start, latest)
        return min(max(day, turned_60), latest)

    def ability(self, factor: float) -> int:
        return _Weighted(((0, 72 - 40 * factor), (1, 16 + 10 * factor), (2, 6 + 10 * factor),
                          (3, 4 + 10 * factor), (4, 2 + 6 * factor))).pick(self.rng)

    def phone(self, age: int) -> str | None:
        r = self.rng.random()
        mobile_share = 0.7 - 0.01 * (age - 60)
        if r < mobile_share:
            return self.maker.mobile()
        if r < mobile_share + 0.18:
            return self.maker.landline()
        return None

    def texts(self, pool: Sequence[str], share: float, first: str | None = None,
              exclude: str | None = None) -> str | None:
        """None, or one or two phrases of ``pool`` joined as a clerk writes them; ``first`` always leads."""
        rng = self.rng
        if rng.random() > share and not first:
            return None
        items = rng.sample([p for p in pool if p != exclude], rng.choice((1, 1, 2)))
        if first and first not in items:
            items.insert(0, first)
        return "；".join(items)

    def visitor_for(self, village_id: int, key: bool) -> int | None:
        rng = self.rng
        if self.wide_visitors and rng.random() < (0.10 if key else 0.03):
            return rng.choice(self.wide_visitors)["id"]
        pool = self.village_visitors.get(village_id) or self.wide_visitors
        return rng.choice(pool)["id"] if pool else None

    # -- the whole record
    def make(self, elder_id: int) -> tuple[dict, list[dict], list[dict]]:
        rng, maker, as_of = self.rng, self.maker, self.as_of
        status = self.status_weights.pick(rng)
        returned = status == "在册" and rng.random() < RETURNED_SHARE / (1 - sum(STATUS_SHARES.values()))
        # someone whose status changed needs time on the ledger before the change
        changes_later = status != "在册" or returned
        age = self.old_ages.pick(rng) if status == "已去世" else self.ages.pick(rng)
        if changes_later:
            age = max(age, 61)
        male = rng.random() < 0.48
        birth = self.birth_for_age(age)
        id_number = maker.id_number(birth, male)
        surname = maker.surname()
        name = surname + maker.elder_given(male)
        factor = (age - 60) / 40
        village = self.villages.pick(rng)
        group = rng.randint(1, village["_groups"])
        house = rng.randint(1, 80)
        address = f"{village['name']}{group}组{house}号"
        household = f"{N.PROVINCE_PREFIX}{self.county}{self.town}{address}"
        current = address if rng.random() > 0.07 else f"{self.town}{rng.choice(N.TOWN_STREETS)}{rng.randint(1, 120)}号"

        is_ill = rng.random() < 0.25 + 0.15 * factor
        illness = None
        if is_ill:
            first = self.illness.pick(rng)
            second = self.illness.pick(rng) if rng.random() < 0.3 else first
            illness = first if second == first else f"{first}、{second}"
        is_disabled = rng.random() < 0.07 + 0.07 * factor
        ability = self.ability(factor)
        dementia = rng.random() < 0.01 + 0.10 * factor * factor
        if dementia:
            ability = max(ability, 1)
        women_unschooled = 0.15 if not male else 0.0
        education = _Weighted(((EDUCATION[0], 0.30 + 0.25 * factor + women_unschooled), (EDUCATION[1], 0.40),
                               (EDUCATION[2], 0.20 - 0.10 * factor), (EDUCATION[3], 0.06 - 0.04 * factor))).pick(rng)
        spouse = SPOUSE[0] if rng.random() < 0.78 - 0.6 * factor else SPOUSE[1]
        lives_alone = spouse == SPOUSE[1] and rng.random() < 0.55
        if ability >= 3 or dementia:
            care = CARE[0] if rng.random() < 0.9 else CARE[1]
        elif spouse == SPOUSE[0] or not lives_alone:
            care = CARE[0]
        else:
            care = CARE[1] if rng.random() < 0.6 else CARE[0]
        hardship = self.hardship.pick(rng)
        lost_only_child = rng.random() < 0.008 and status != "已不属于留守"

        # children: more of them for those born before family planning
        if birth.year <= 1945:
            count = rng.choice((3, 3, 4, 4, 5, 6))
        elif birth.year <= 1955:
            count = rng.choice((2, 2, 3, 3, 4, 5))
        else:
            count = rng.choice((1, 1, 2, 2, 2, 3))
        family_name = surname if male or rng.random() < 0.08 else maker.surname()
        children = []
        year = birth.year + rng.randint(20, 26)
        for _ in range(count):
            year = min(year, as_of.year - 18)
            children.append((year, rng.random() < 0.52))
            year += rng.randint(1, 4)
        if lost_only_child:
            children = []

        supporters = self.supporters(elder_id, children, family_name, lost_only_child)
        if status == "在册" and rng.random() < ELIGIBILITY_GAP_SHARE:
            supporters[0]["away_since"] = _month_text(_months_before(as_of, rng.randint(1, 5)))
        if len(supporters) > 1 and rng.random() < 0.04:
            # the clerk never wrote it down for one of them: the 认定 check asks for it, while the others' dates
            # still give 外出务工年限, so the monthly workbook is not held up
            supporters[0]["away_since"] = None
        away = [s["away_since"] for s in supporters if s["away_since"]]
        if away:
            months = (as_of.year * 12 + as_of.month) - min(int(a[:4]) * 12 + int(a[5:]) for a in away)
            away_years: float | None = max(0.5, round(months / 12 * 2) / 2)
        else:
            away_years = float(rng.randint(3, 15))

        sources = {"打工"} if rng.random() < 0.85 else set()
        if rng.random() < (0.65 if age < 80 else 0.25):
            sources.add("种养殖业")
        if hardship or rng.random() < 0.2:
            sources.add("政府救助")
        if rng.random() < 0.08:
            sources.add("亲朋救济")
        if rng.random() < 0.5 or not sources:
            sources.add("其他")  # 城乡居民基本养老保险金
        ordered_sources = [s for s in INCOME if s in sources]
        main = "政府救助" if hardship == "特困" else rng.choice(ordered_sources[:2])

        last_visit_month = (dt.date(as_of.year if as_of.month >= 2 else as_of.year - 1, rng.choice((1, 2)), 1)
                            if rng.random() < 0.7 else _months_before(as_of, rng.randint(1, 30)))
        if last_visit_month > as_of:
            last_visit_month = dt.date(as_of.year, as_of.month, 1)
        reunions = _Weighted(((0, 5), (1, 45), (2, 35), (3, 10), (4, 5))).pick(rng)

        key = (age >= 80 or ability >= 2 or dementia or lives_alone or care == CARE[1] or is_disabled
               or bool(hardship) or lost_only_child)
        tier = TIERS[0] if key else TIERS[1]

        status_rows, entered, status_date, status_reason = self.history(
            elder_id, status, returned, birth, illness, supporters)
        if status in ("已迁出", "已去世") and status_date and _month_text(last_visit_month) > status_date[:7]:
            # nobody visits a person who has died or moved away: the last visit came before that
            last_visit_month = _months_before(dt.date.fromisoformat(status_date), rng.randint(0, 10))
        if hardship == "特困" and status != "已不属于留守":  # 特困供养: no supporter able to support
            for supporter in supporters:
                supporter["can_support"] = 0
        created_at = _stamp(rng, entered)
        row = {
            "id": elder_id, "id_number": id_number, "name": name, "name_initials": initials(name),
            "name_pinyin": full_pinyin(name),
            "sex": "男" if male else "女", "birth_date": birth.isoformat(), "ethnicity": self.ethnicity.pick(rng),
            "household_address": household, "current_address": current, "village_id": village["id"],
            "group_name": str(group), "phone": self.phone(age),
            "is_disabled": int(is_disabled),
            "disability_category": self.dis_category.pick(rng) if is_disabled else None,
            "disability_grade": self.dis_grade.pick(rng) if is_disabled else None,
            "is_ill": int(is_ill), "illness_type": illness, "ability_level": ability, "has_dementia": int(dementia),
            "education": education, "spouse": spouse, "children_count": len(children),
            "children_birth_years": ",".join(str(y) for y, _m in children) or None,
            "children_away_years": away_years,
            "last_family_visit": _month_text(last_visit_month),
            "reunions_per_year": reunions, "reunion_avg_days": rng.randint(3, 20) if reunions else 0,
            "income_sources": ",".join(ordered_sources), "main_income": main, "care": care,
            "lives_alone": int(lives_alone), "hardship": hardship, "lost_only_child": int(lost_only_child),
            "family_planning_special": int(lost_only_child or (len(children) == 1 and rng.random() < 0.05)),
            "rural_hukou": 1,
            "needs": self.texts(N.NEEDS, 0.7),
            "difficulties": self.texts(N.DIFFICULTIES, 0.6, *((_ALONE, None) if lives_alone else (None, _ALONE))),
            "visitor_id": self.visitor_for(village["id"], key),
            "tier": tier, "risk_grade": None,
            "status": status, "status_date": status_date, "status_reason": status_reason,
            "entered_on": entered.isoformat(),
            "notes": rng.choice(N.NOTES) if rng.random() < 0.05 else None,
            "created_at": created_at,
            "updated_at": _stamp(rng, dt.date.fromisoformat(status_date)) if status_date else created_at,
        }
        return row, supporters, status_rows

    def make_community(self, elder_id: int, community: dict, kind: str) -> tuple[dict, list[dict], list[dict]]:
        """An elder of the community (社区) with a city household, drawn like any other and then made one of
        ``COMMUNITY_KINDS``: 城市独居 (living alone, children outside the prefecture), 城市特困 living alone (独居 but
        excluded from 城市独居), 计划生育特殊家庭 or 重点优抚 (a couple living together: 特殊困难, not 城市独居).
        Always 在册, so every screen shows them."""
        rng = self.rng
        row, supporters, changes = self.make(elder_id)
        while row["status"] != "在册" or len(changes) != 1:
            row, supporters, changes = self.make(elder_id)  # the community's few elders are all being visited
        street = rng.choice(N.TOWN_STREETS)
        address = f"{community['name']}{street}{rng.randint(1, 120)}号{rng.randint(1, 6)}单元{rng.randint(1, 30)}室"
        alone = kind in ("城市独居", "城市特困")
        family_planning = kind == "计划生育特殊家庭"
        lost = family_planning and rng.random() < 0.5
        row.update({
            "village_id": community["id"], "group_name": str(rng.randint(1, community["_groups"])),
            "current_address": address, "household_address": f"{N.PROVINCE_PREFIX}{self.county}{self.town}{address}",
            "rural_hukou": 0, "spouse": SPOUSE[1] if alone else SPOUSE[0], "lives_alone": int(alone),
            "care": CARE[1] if alone and rng.random() < 0.7 else CARE[0],
            "hardship": "特困" if kind == "城市特困" else ("低保" if kind == "重点优抚" else ""),
            "lost_only_child": int(lost), "family_planning_special": int(family_planning),
            "visitor_id": self.visitor_for(community["id"], True),
        })
        if family_planning:  # one child, or none left (失独)
            row["children_count"] = 0 if lost else 1
            row["children_birth_years"] = None if lost else (row["children_birth_years"] or "1975").split(",")[0]
            supporters = supporters[:1]
        row["difficulties"] = self.texts(N.DIFFICULTIES, 0.6, *((_ALONE, None) if alone else (None, _ALONE)))
        row["tier"] = TIERS[0]  # 独居, no family nearby, or 特殊困难: 重点 in any group (seed 003)
        for supporter in supporters:  # children live outside the prefecture, in cities
            supporter.update(rural_hukou=0, is_away=1, can_support=int(kind != "城市特困"),
                             employer_type=rng.choice(("企业", "个体", "其他")),
                             work_place=rng.choice([p for p, _w in N.WORK_PLACES if not p.startswith("乐山")]))
        # a city pension (其他) and, for 特困/低保, government relief; nobody of this age works away
        sources = {*row["income_sources"].split(","), "其他"} - {"打工", "种养殖业", ""}
        if row["hardship"]:
            sources.add("政府救助")
        row["income_sources"] = ",".join(s for s in INCOME if s in sources)
        row["main_income"] = "政府救助" if row["hardship"] == "特困" else "其他"
        return row, supporters, changes

    def supporters(self, elder_id: int, children: list[tuple[int, bool]], family_name: str,
                   lost_only_child: bool) -> list[dict]:
        rng, maker, as_of = self.rng, self.maker, self.as_of
        if lost_only_child:  # no child left: a nephew or niece has taken on the support
            male = rng.random() < 0.6
            kin = [(rng.randint(1965, 1990), male, "侄子" if male else "侄女")]
        else:
            wanted = min(len(children), _Weighted(((1, 45), (2, 40), (3, 15))).pick(rng))
            kin = [(year, m, "儿子" if m else "女儿") for year, m in children[:wanted]]
        rows = []
        for order, (year, male, relation) in enumerate(kin):
            surname = family_name
            if relation in ("儿子", "女儿") and rng.random() < 0.08:  # the in-law registered instead
                relation, male, surname = ("儿媳", False, maker.surname()) if male else ("女婿", True, maker.surname())
            birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            earliest_away = max(dt.date(year + 17, 1, 1), dt.date(1985, 1, 1))
            away_since = _between(rng, earliest_away, _months_before(as_of, 7))
            rows.append({
                "elder_id": elder_id, "name": surname + maker.child_given(male), "relation": relation,
                "id_number": maker.id_number(birth, male) if rng.random() < 0.7 else None,
                "phone": maker.mobile() if rng.random() < 0.95 else None,
                "work_place": self.work_place.pick(rng), "away_since": _month_text(away_since),
                "employer_type": self.employer.pick(rng), "rural_hukou": 1, "is_away": 1,
                "can_support": 0 if rng.random() < 0.03 else 1, "sort_order": order,
            })
        return rows

    def history(self, elder_id: int, status: str, returned: bool, birth: dt.date, illness: str | None,
                supporters: list[dict]) -> tuple[list[dict], dt.date, str | None, str | None]:
        """status_changes rows (纳入台账 first), entered_on, and the elder's status date and reason."""
        rng, as_of = self.rng, self.as_of
        if status == "在册" and not returned:
            entered = self.entered_on(birth, as_of)
            return [self._change(elder_id, entered, None, "在册", "纳入台账")], entered, None, None
        entered = self.entered_on(birth, as_of - dt.timedelta(days=60))
        rows = [self._change(elder_id, entered, None, "在册", "纳入台账")]
        if returned:
            left = _between(rng, entered + dt.timedelta(days=1), as_of - dt.timedelta(days=30))
            reason = self.leave.pick(rng)
            back = _between(rng, left + dt.timedelta(days=5), min(left + dt.timedelta(days=120), as_of))
            rows.append(self._change(elder_id, left, "在册", "暂离", reason))
            rows.append(self._change(elder_id, back, "暂离", "在册", N.RETURN_REASONS[reason]))
            return rows, entered, back.isoformat(), N.RETURN_REASONS[reason]
        if status == "暂离":  # currently away: left within the last three months
            day = _between(rng, max(entered + dt.timedelta(days=1), as_of - dt.timedelta(days=90)), as_of)
            reason = self.leave.pick(rng)
        else:
            day = _between(rng, entered + dt.timedelta(days=30), as_of)
            if status == "已迁出":
                place = rng.choice(supporters)["work_place"] if supporters else "成都市"
                reason = rng.choice(N.MOVED_REASONS).format(place=place)
            elif status == "已去世":
                reason = rng.choice(N.DEATH_REASONS).format(illness=(illness or "心脏病").split("、")[0])
            else:
                reason, change = rng.choice(N.NOT_LEFT_BEHIND_REASONS)
                if supporters and change == "home":
                    supporters[0].update(is_away=0, can_support=1, work_place=f"{self.county}{self.town}",
                                         employer_type="个体")
                elif supporters:
                    supporters[0].update(employer_type=change, rural_hukou=0)
        rows.append(self._change(elder_id, day, "在册", status, reason))
        return rows, entered, day.isoformat(), reason

    def _change(self, elder_id: int, day: dt.date, old: str | None, new: str, reason: str) -> dict:
        return {"elder_id": elder_id, "date": day.isoformat(), "old_status": old, "new_status": new,
                "reason": reason, "created_at": _stamp(self.rng, day)}


def _newcomers_without_visitor(rng: random.Random, as_of: dt.date, elders: int, elder_rows: list[dict],
                               status_rows: list[dict]) -> None:
    """A few 在册 elders (about 0.8%, at least 3) become this month's newcomers: entered on a day of as_of's month
    (not before they turned 60), their 纳入台账 row moved with it, and no visitor assigned yet."""
    entries: dict[int, list[dict]] = {}
    for change in status_rows:
        entries.setdefault(change["elder_id"], []).append(change)
    registered = [r for r in elder_rows if r["status"] == "在册" and len(entries[r["id"]]) == 1]
    gaps = min(max(3, round(elders * 0.008)), len(registered) // 10)
    month_start = as_of.replace(day=1)
    for row in rng.sample(registered, gaps):
        turned_60 = _years_after(dt.date.fromisoformat(row["birth_date"]), 60)
        day = max(_between(rng, month_start, as_of), turned_60)
        row["entered_on"] = day.isoformat()
        row["created_at"] = row["updated_at"] = _stamp(rng, day)
        row["visitor_id"] = None
        entry = entries[row["id"]][0]
        entry["date"], entry["created_at"] = day.isoformat(), row["created_at"]


def _priority_care(rng: random.Random, elder_rows: list[dict], in_community: int) -> list[dict]:
    """The 特殊困难 overrides (重点优抚, with the reason the clerk writes) of the community's 重点优抚 elders and of
    about 1% of the rural elders 在册 (at least one when there are 100 elders), from the day they entered."""
    community = elder_rows[len(elder_rows) - in_community:] if in_community else []
    chosen = [r for n, r in enumerate(community) if COMMUNITY_KINDS[n % len(COMMUNITY_KINDS)] == "重点优抚"]
    rural = [r for r in elder_rows[:len(elder_rows) - in_community] if r["status"] == "在册" and r["visitor_id"]]
    wanted = round(len(rural) * RURAL_PRIORITY_CARE_SHARE) if len(elder_rows) >= 100 else 0
    chosen += rng.sample(rural, min(max(wanted, 1 if len(elder_rows) >= 100 else 0), len(rural)))
    return [{"elder_id": r["id"], "group_name": "特殊困难", "sub_kind": "重点优抚", "member": 1,
             "reason": PRIORITY_CARE_REASON.format(who=rng.choice(PRIORITY_CARE_WHO)), "since": r["entered_on"],
             "created_at": r["created_at"]} for r in chosen]


# ---------------------------------------------------------------- the run


def _refuse_non_empty(db) -> None:
    elders = db.execute("SELECT COUNT(*) FROM elders").fetchone()[0]
    if elders:
        raise UserError(f"该数据库中已有 {elders} 位老人的台账，演示数据不能与真实台账混在一起。"
                        "请用 --db 指定一个新的数据库文件。")
    villages = db.execute("SELECT COUNT(*) FROM villages").fetchone()[0]
    visitors = db.execute("SELECT COUNT(*) FROM visitors").fetchone()[0]
    if villages or visitors:
        raise UserError(f"该数据库中已录入 {villages} 个村（社区）、{visitors} 名巡访责任人，"
                        "演示数据只能写入新的空数据库。请用 --db 指定一个新的数据库文件。")


def _checker(check_cancelled: Callable[[], Any] | None) -> Callable[[], None]:
    """``check_cancelled`` may raise (the window's ``Job.check``) or return True; both stop the run."""
    def check() -> None:
        if check_cancelled is not None and check_cancelled():
            raise UserError("已取消生成演示数据，数据库未作改动。")
    return check


def _table_counts(db) -> dict[str, int]:
    names = set(db.table_names())
    return {t: db.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0]  # noqa: S608 - fixed table names
            for t in ("visits", "assessments", "hazards", "agreements") if t in names}


def generate(db, *, elders: int = 300, seed: int = 1, as_of: dt.date | None = None,
             progress: ProgressFn | None = None,
             check_cancelled: Callable[[], Any] | None = None) -> DemoSummary:
    """Write a demo township with ``elders`` elders into an empty database; same seed and date → same rows.

    Refuses (``UserError``) a database that already holds elders, villages or visitors. ``progress`` is
    called as ``progress(done, total, text)``; ``check_cancelled`` is called between chunks and stops the
    run when it raises or returns True. Everything is one transaction: a stopped run writes nothing.
    """
    if elders < 1:
        raise UserError(f"老人人数应至少为 1，实为 {elders}")
    as_of = as_of or dt.date.today()
    started = time.perf_counter()
    report = progress or (lambda done, total, text: None)
    check = _checker(check_cancelled)
    _refuse_non_empty(db)

    rng = random.Random(seed)
    maker = _Maker(rng)
    report(0, elders, "正在生成村（社区）和巡访责任人……")
    office, villages, visitors = _township(rng, maker, elders)
    summary = DemoSummary(township=office["township_name"], county=office["county_name"], seed=seed, as_of=as_of)

    elder_maker = _ElderMaker(rng, maker, as_of, office, villages, visitors)
    elder_rows: list[dict] = []
    supporter_rows: list[dict] = []
    status_rows: list[dict] = []
    community = next(v for v in villages if v["name"].endswith("社区"))
    in_community = elders // COMMUNITY_SHARE  # the last ones drawn
    for elder_id in range(1, elders + 1):
        number = elder_id - (elders - in_community) - 1
        if number >= 0:
            kind = COMMUNITY_KINDS[number % len(COMMUNITY_KINDS)]
            row, supporters_, changes = elder_maker.make_community(elder_id, community, kind)
        else:
            row, supporters_, changes = elder_maker.make(elder_id)
        elder_rows.append(row)
        supporter_rows.extend(supporters_)
        status_rows.extend(changes)
        if elder_id % 1000 == 0:
            check()
            report(elder_id, elders, "正在生成老人台账……")

    # real ledgers have gaps: a handful of elders entered this month still wait for a visitor to be assigned.
    # They sit in the current month, so every complete month exports and this one shows the problem.
    _newcomers_without_visitor(rng, as_of, elders, elder_rows, status_rows)
    overrides = _priority_care(rng, elder_rows, in_community)

    with db.atomic():
        check()
        report(elders, elders, "正在写入数据库……")
        settings.put(db, {**office, "demo_seed": seed})
        db["villages"].insert_all(({k: v for k, v in r.items() if not k.startswith("_")} for r in villages),
                                  batch_size=_INSERT_BATCH)
        db["visitors"].insert_all(visitors, batch_size=_INSERT_BATCH)
        for start in range(0, len(elder_rows), 5000):
            check()
            db["elders"].insert_all(elder_rows[start:start + 5000], batch_size=_INSERT_BATCH)
        db["supporters"].insert_all(supporter_rows, batch_size=_INSERT_BATCH)
        db["status_changes"].insert_all(status_rows, batch_size=_INSERT_BATCH)
        db["elder_group_overrides"].insert_all(overrides, batch_size=_INSERT_BATCH)
        audit.record(db, "新增", "elders", None, f"演示数据（种子 {seed}，基准日 {as_of.isoformat()}）",
                     None, None, f"{len(villages)} 个村（社区）、{len(visitors)} 名巡访责任人、{elders} 位老人")
        summary.ledger_seconds = time.perf_counter() - started

        for k, (name, text) in enumerate(EXTENSION_STEPS, start=1):
            check()
            module = import_module(f"township_desk.models.demo.{name}")
            report(0, 0, text)

            def step_progress(done: int, total: int, _text: str = text) -> None:
                check()
                report(done, total, _text)

            module.generate(db, random.Random(seed * 1000 + k), as_of, progress=step_progress)
            summary.steps_run.append(name)
        check()

    summary.villages = len(villages)
    summary.visitors = len(visitors)
    summary.elders = elders
    summary.supporters = len(supporter_rows)
    summary.status_changes = len(status_rows)
    summary.without_visitor = db.execute(
        "SELECT COUNT(*) FROM elders WHERE visitor_id IS NULL").fetchone()[0]
    summary.by_status = dict(db.execute("SELECT status, COUNT(*) FROM elders GROUP BY status").fetchall())
    summary.by_tier = dict(Counter(group_plans.visit_tiers(db, as_of).values()))  # the 巡访类别 the plan follows
    summary.extras = _table_counts(db)
    summary.seconds = time.perf_counter() - started
    report(1, 1, "演示数据已生成")
    return summary
