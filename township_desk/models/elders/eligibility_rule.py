"""认定: does the policy profile's rule hold for an elder, and how long have the supporters been away."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from township_desk.models.dates import age_on
from township_desk.models.elders.vocabulary import STATE_EMPLOYERS


@dataclass
class Eligibility:
    holds: bool
    reasons: list[str]  # why not, in Chinese; empty when the rule holds


def _months_between(since: str, on: dt.date) -> int:
    year, month = (int(p) for p in since.split("-"))
    return (on.year - year) * 12 + (on.month - month)


# 子女外出务工年限 comes from one source, the supporters' "away since" months (the same dates eligibility reads):
# the earliest month a supporter still away left, as SQL over ``elders e``; when none is away any more (one came
# home and the elder has left the ledger since, the return undated), the earliest date written. The elder's own
# typed ``children_away_years`` is a number of one day and is not used for counting.
AWAY_SINCE_SQL = """COALESCE(
        (SELECT MIN(s.away_since) FROM supporters s WHERE s.elder_id = e.id AND s.is_away AND s.away_since IS NOT NULL),
        (SELECT MIN(s.away_since) FROM supporters s WHERE s.elder_id = e.id AND s.away_since IS NOT NULL))"""


def away_since_of(supporters: list[dict]) -> str | None:
    """``AWAY_SINCE_SQL`` over a list of supporter rows."""
    away = [s["away_since"] for s in supporters if s.get("is_away", 1) and s.get("away_since")]
    written = [s["away_since"] for s in supporters if s.get("away_since")]
    return min(away or written) if written else None


def years_away(away_since: str | None, on: dt.date) -> int | None:
    """Full years (外出务工年限, bands of columns 19–22) from the month ``away_since`` ('YYYY-MM') to ``on``;
    None when no supporter's date is known."""
    if not away_since:
        return None
    return max(_months_between(away_since, on), 0) // 12


def eligibility(elder: dict, supporters: list[dict], rules: dict, as_of: dt.date | None = None) -> Eligibility:
    """Does the policy profile's rule hold for this elder? ``rules`` is ``settings.get_all(db)``.

    Never drops anyone: the clerk reads the reasons and decides (status 已不属于留守).
    """
    as_of = as_of or dt.date.today()
    reasons = []
    min_age = int(rules.get("min_age", 60))
    if elder.get("birth_date"):
        age = age_on(elder["birth_date"], as_of)
        if age < min_age:
            reasons.append(f"未满{min_age}周岁（{as_of.isoformat()} 时 {age} 周岁）")
    if not elder.get("rural_hukou", 1):
        reasons.append("不是农村户籍")
    if rules.get("exclude_extreme_poverty") and elder.get("hardship") == "特困":
        reasons.append("农村特困人员，按所选政策不认定为留守老年人")
    min_months = int(rules.get("min_absence_months", 6))
    if not supporters:
        reasons.append("未登记赡养人，无法判断是否留守")
    for s in supporters:
        who = f"赡养人{s.get('name') or ''}"
        if rules.get("exclude_state_employers", True) and s.get("employer_type") in STATE_EMPLOYERS:
            reasons.append(f"{who}在{s['employer_type']}工作")
        if not s.get("rural_hukou", 1):
            reasons.append(f"{who}不是农村户籍")
        if not s.get("can_support", 1):
            continue  # present but without capacity to support: still left behind
        if not s.get("is_away", 1):
            reasons.append(f"{who}未外出务工且有赡养能力")
            continue
        if s.get("away_since"):
            months = _months_between(s["away_since"], as_of)
        else:
            reasons.append(f"{who}的外出时间未填写")
            continue
        if months < min_months:
            reasons.append(f"{who}外出{months}个月，不满{min_months}个月")
    return Eligibility(not reasons, reasons)
