"""Visit plan per group (巡访对象类别) and seed 003's 重点 rules, for every group.

Seed 003 (峨眉山 2022 定期巡访方案) visits 农村留守, 城市独居 and 特殊困难 elders by one plan with two tiers; an
office may give a group a plan of its own (设置 → 各类对象巡访频次). This module holds that rule, and
``models.schedule`` (the one overdue rule) reads it:

- The default plan is the per-tier plan of the settings (``plan_key_*``, ``plan_general_*``). A group without
  a plan of its own follows it; so does an elder in no group.
- ``group_plans`` (a setting) gives a group its own plan: for 重点 and for 一般, the home-visit interval in days
  and the remote contacts (电话/视频) per ISO week. ``check`` refuses values the plan cannot use, naming the
  group, the field and the value.
- An elder in several groups follows the **most demanding** plan of those groups for the elder's tier: the
  shortest home-visit interval and the most contacts a week (they may come from two different groups).
- Seed 003's 重点 rules hold in every group: 高龄 (80 full years or more), 失能 (ability level 中度受损 or
  worse), 独居, and children long away with nobody close by (子女长期不在身边、缺乏亲人陪伴: every supporter
  recorded lives away and the care is 无人照料) make the elder 重点 for the visit plan, whatever the tier on the
  record. ``plan_key_rules`` (a setting) lists the rules in force; all four by default.

Everything is read as of a day: the facts (ability level, 独居, care) as they stood that day
(``field_history``), groups as ``models.groups`` derives them that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from township_desk.models import field_history, groups, settings, supporter_history
from township_desk.models.risk import AGED_FROM, DISABLED_FROM_LEVEL, TIER_SETTING

PLANS_KEY = "group_plans"
RULES_KEY = "plan_key_rules"
KEY_RULES = settings.KEY_RULES  # the choices of ``plan_key_rules`` (its rule in ``settings.RULES``)
AGED, DISABLED, ALONE, NO_FAMILY = KEY_RULES
KEY_RULE_LABELS = {
    AGED: f"高龄（{AGED_FROM}周岁及以上）",
    DISABLED: "失能（能力等级中度受损及以上）",
    ALONE: "独居",
    NO_FAMILY: "子女长期不在身边、缺乏亲人陪伴（赡养人均在外且无人照料）",
}
# (field, label, lowest, highest) of one group's plan
FIELDS = (
    ("key_home_days", "重点对象上门巡访间隔（天）", 1, 90),
    ("key_remote_per_week", "重点对象每周电话视频巡访次数", 0, 14),
    ("general_home_days", "一般对象上门巡访间隔（天）", 1, 180),
    ("general_remote_per_week", "一般对象每周电话视频巡访次数", 0, 14),
)
_DEFAULT_KEYS = {"key_home_days": "plan_key_home_days", "key_remote_per_week": "plan_key_remote_per_week",
                 "general_home_days": "plan_general_home_days",
                 "general_remote_per_week": "plan_general_remote_per_week"}


@dataclass(frozen=True)
class GroupPlan:
    """One plan for both tiers: home-visit interval (days) and remote contacts per week, 重点 and 一般."""

    key_home_days: int
    key_remote_per_week: int
    general_home_days: int
    general_remote_per_week: int

    def as_list(self) -> list[int]:
        return [self.key_home_days, self.key_remote_per_week, self.general_home_days, self.general_remote_per_week]

    def text(self) -> str:
        return (f"重点每 {self.key_home_days} 天上门、每周电话视频 {self.key_remote_per_week} 次；"
                f"一般每 {self.general_home_days} 天上门、每周 {self.general_remote_per_week} 次")


def default_plan(values: dict[str, Any]) -> GroupPlan:
    """The per-tier plan of the settings (``values``: ``settings.get_all``)."""
    return GroupPlan(*(int(values[_DEFAULT_KEYS[f]]) for f, *_rest in FIELDS))


def most_demanding(plans: list[GroupPlan]) -> GroupPlan:
    """The plan asking most of each: shortest intervals, most contacts a week (tier by tier)."""
    if not plans:
        raise ValueError("no plans")
    return GroupPlan(min(p.key_home_days for p in plans), max(p.key_remote_per_week for p in plans),
                     min(p.general_home_days for p in plans), max(p.general_remote_per_week for p in plans))


def _whole(value) -> int | None:
    """A whole number from an int or its digits as text (a settings file edited by hand); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip() if isinstance(value, str) else ""
    return int(text) if text.lstrip("-").isdigit() else None


def plan_problems(plans: Any) -> tuple[dict[str, dict[str, int]], list[str]]:
    """The group plans as stored (whole numbers, known groups, in ``groups.GROUPS`` order) and what the plan cannot
    use, naming the group, the field and the value. ``settings.check`` applies it to the ``group_plans`` setting
    (its rule in ``settings.RULES``), so the window, the command line and the demo keep to one table of rules."""
    problems: list[str] = []
    clean: dict[str, dict[str, int]] = {}
    if not isinstance(plans, dict):
        return {}, ["各类对象巡访频次的格式不对：应为每个类别一组频次"]
    for group, plan in plans.items():
        if group not in groups.GROUPS:
            problems.append(f"巡访对象类别“{group}”不存在（可选：{'、'.join(groups.GROUPS)}）")
            continue
        if not isinstance(plan, dict):
            problems.append(f"“{group}”的巡访频次格式不对")
            continue
        row: dict[str, int] = {}
        for name, label, low, high in FIELDS:
            value = plan.get(name)
            number = _whole(value)
            if number is None:
                problems.append(f"“{group}”的{label}须为整数，现为“{value if value is not None else '空'}”")
                continue
            if not low <= number <= high:
                problems.append(f"“{group}”的{label}应在 {low}–{high} 之间，现为 {number}")
                continue
            row[name] = number
        if len(row) == len(FIELDS):
            if row["key_home_days"] > row["general_home_days"]:
                problems.append(f"“{group}”的重点对象上门巡访间隔（{row['key_home_days']} 天）不能长于一般对象"
                                f"（{row['general_home_days']} 天）")
            if row["key_remote_per_week"] < row["general_remote_per_week"]:
                problems.append(f"“{group}”的重点对象每周电话视频巡访次数（{row['key_remote_per_week']} 次）"
                                f"不能少于一般对象（{row['general_remote_per_week']} 次）")
            clean[group] = row
    return {g: clean[g] for g in groups.GROUPS if g in clean}, problems


def put(db, plans: dict, rules: list | tuple, *, expected_versions: dict[str, int] | None = None) -> None:
    """Save the group plans and the 重点 rules in force (checked by ``settings.check`` — ``settings.RULES`` holds
    both — audited, one transaction); ``ValidationError`` naming every group, field and value refused."""
    settings.put(db, {PLANS_KEY: plans, RULES_KEY: list(rules)}, expected_versions=expected_versions)


def stored(values: dict[str, Any]) -> tuple[dict[str, GroupPlan], list[str]]:
    """(the groups with a plan of their own, the 重点 rules in force) from ``settings.get_all``; a value the
    settings file holds but ``plan_problems`` would refuse is left out (the default plan applies)."""
    own: dict[str, GroupPlan] = {}
    for group, plan in (values.get(PLANS_KEY) or {}).items():
        clean, problems = plan_problems({group: plan})
        if problems:
            continue
        own.update({g: GroupPlan(*(p[f] for f, *_ in FIELDS)) for g, p in clean.items()})
    given = values.get(RULES_KEY)
    rules = [r for r in KEY_RULES if r in (given if isinstance(given, list | tuple) else KEY_RULES)]
    return own, rules


def plan_for(values: dict[str, Any], member_of: list[str]) -> GroupPlan:
    """The plan an elder in the groups ``member_of`` follows: the most demanding of their groups' plans (the
    default plan for a group without one, and for an elder in no group)."""
    own, _rules = stored(values)
    return _plan_of(own, default_plan(values), member_of)


def _plan_of(own: dict[str, GroupPlan], default: GroupPlan, member_of: list[str]) -> GroupPlan:
    return most_demanding([own.get(g, default) for g in member_of] or [default])


def elder_plans(db, day: dt.date | str, elder_ids: list[int] | None = None) -> dict[int, GroupPlan]:
    """Each elder's plan on ``day`` when it is not the default one (an elder in a group with a plan of its own);
    empty when no group has one, without reading anybody's groups."""
    values = settings.get_all(db)
    own, _rules = stored(values)
    if not own:
        return {}
    default = default_plan(values)
    result = {}
    for elder_id, found in groups.member_names(db, day, elder_ids).items():
        plan = _plan_of(own, default, found)
        if plan != default:
            result[elder_id] = plan
    return result


PLAN_TABLE = "temp.elder_plan_map"


def load_plan_table(db, plans: dict[int, GroupPlan]) -> str:
    """Put ``elder_plans`` in this connection's temporary table ``elder_plan_map`` (elder_id primary key, the four
    numbers) for the overdue query to join; returns its name. A temporary table is the connection's own: readers
    in other threads have theirs."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS elder_plan_map (elder_id INTEGER PRIMARY KEY, key_home INTEGER,"
               " key_remote INTEGER, general_home INTEGER, general_remote INTEGER)")
    # Not in db.atomic(): its BEGIN IMMEDIATE would wait for (and take) the database's write lock, and reading the
    # overdue list must never need it. Writing the temporary table alone locks nothing in the ledger.
    was_in_transaction = db.conn.in_transaction
    db.conn.execute("DELETE FROM temp.elder_plan_map")
    if plans:
        db.conn.executemany("INSERT INTO temp.elder_plan_map VALUES (?, ?, ?, ?, ?)",
                            [(k, *v.as_list()) for k, v in plans.items()])
    if not was_in_transaction and db.conn.in_transaction:
        db.conn.commit()
    return PLAN_TABLE


def rule_sql(rules: list[str] | tuple[str, ...], day: str = ":day", dated: bool = True) -> dict[str, str]:
    """Each 重点 rule in force as an SQL condition over ``elders e`` on the day bound to ``day`` (``dated`` False:
    on the record's current values, for an elder with no change recorded after that day)."""
    def on(field: str) -> str:
        return field_history.on_day_sql(field, day) if dated else f"e.{field}"

    parts = {
        AGED: f"{on('birth_date')} <= date({day}, '-{AGED_FROM} years')",
        DISABLED: f"COALESCE({on('ability_level')}, -1) >= {DISABLED_FROM_LEVEL}",
        ALONE: f"COALESCE({on('lives_alone')}, 0) = 1",
        NO_FAMILY: f"({on('care')} = '无人照料' AND {supporter_history.all_away_sql(day)})",  # supporters of the day
    }
    return {rule: parts[rule] for rule in rules}


def tier_sql(stored_tier: str, rules: list[str] | tuple[str, ...], day: str = ":day") -> str:
    """The tier the plan follows on the day: 重点 when the record says so or a 重点 rule in force holds. An elder
    with nothing recorded after the day (nearly everyone, for a recent day) is read from the record as it is."""
    if not rules:
        return f"CASE WHEN ({stored_tier}) = '重点' THEN '重点' ELSE '一般' END"
    current = " OR ".join(f"({c})" for c in rule_sql(rules, day, dated=False).values())
    dated = " OR ".join(f"({c})" for c in rule_sql(rules, day).values())
    later = field_history.changed_after_day_sql(day)
    return (f"CASE WHEN ({stored_tier}) = '重点' THEN '重点'"
            f" WHEN NOT {later} THEN CASE WHEN {current} THEN '重点' ELSE '一般' END"
            f" WHEN {dated} THEN '重点' ELSE '一般' END")


def rules_in_force(db) -> list[str]:
    return stored(settings.get_all(db))[1]


# ---------------------------------------------------------------- the 巡访类别: one reading everywhere


def _day_sql(day: dt.date | str) -> str:
    """``day`` as SQL: a date becomes a quoted literal (ISO digits and dashes only); text is a parameter (":day")."""
    if isinstance(day, dt.date):
        return f"'{day.isoformat()}'"
    return day


def visit_tier_sql(db, day: dt.date | str = ":day") -> str:
    """THE 巡访类别 (重点 / 一般) of ``elders e`` on a day, as SQL: the tier the visit plan follows that day — the tier
    on the record then (the risk grade's tier, or the clerk's choice) raised to 重点 by any of seed 003's 重点 rules
    in force (``tier_sql``). ``day``: a date, or the name of a bound parameter (":day", ":as_of").

    Every list, count, filter, sheet and printout that shows or counts a 巡访类别 reads this expression (the 台账
    column and filter, the 首页 card, the overdue rule, the 巡访情况 and 探访关爱 sheets, the 明细表, the roster,
    the notice card, the visit form's type); ``tests/test_one_tier.py`` fails when another module reads the
    stored ``elders.tier`` for that."""
    at = _day_sql(day)
    return tier_sql(field_history.on_day_sql("tier", at), rules_in_force(db), at)


def visit_tiers(db, day: dt.date | str, elder_ids: list[int] | None = None) -> dict[int, str]:
    """Each elder's 巡访类别 on ``day`` (``visit_tier_sql``), of ``elder_ids`` or of everyone."""
    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    where, params = "", []
    if elder_ids is not None:
        if not elder_ids:
            return {}
        where = f" WHERE e.id IN ({','.join('?' * len(elder_ids))})"
        params = list(elder_ids)
    return dict(db.execute(f"SELECT e.id, {visit_tier_sql(db, day)} FROM elders e{where}", params).fetchall())


def visit_tier(db, elder_id: int, day: dt.date | str | None = None) -> str:
    """One elder's 巡访类别 on ``day`` (today when None); 一般 for an unknown id."""
    return visit_tiers(db, day or dt.date.today(), [elder_id]).get(elder_id, "一般")


@dataclass(frozen=True)
class TierReading:
    """An elder's 巡访类别 on a day and, when it is not simply the risk grade's tier, why (``text``)."""

    tier: str
    rules: tuple[str, ...]          # the 重点 rules in force that hold (short names: 高龄, 独居 …)
    record_tier: str                # the tier on the record that day (the grade's, or the clerk's choice)
    grade: str | None               # the risk grade that day (None: never assessed)
    grade_tier: str | None          # the tier the settings give that grade

    @property
    def text(self) -> str:
        """"重点", or with the reasons when it differs from the grade's tier: "重点（高龄、独居；风险等级为低）",
        "重点（人工定为重点；风险等级为低）", "重点（独居；尚未做风险评估）"."""
        reasons = list(self.rules) if self.tier == "重点" and self.record_tier != "重点" else []
        if self.grade is None:
            if reasons:
                return f"{self.tier}（{'、'.join(reasons)}；尚未做风险评估）"
            return self.tier
        if self.tier == self.grade_tier:
            return self.tier
        if self.record_tier != self.grade_tier:
            reasons.append(f"人工定为{self.record_tier}")
        return f"{self.tier}（{'、'.join(reasons)}；风险等级为{self.grade}）"


def tier_reading(db, elder_id: int, day: dt.date | str | None = None) -> TierReading:
    """One elder's 巡访类别 on ``day`` (today when None) with what made it: the same SQL as ``visit_tier_sql``."""
    day = day or dt.date.today()
    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    parts = rule_sql(rules_in_force(db))
    held = "".join(f", ({sql}) AS r{k}" for k, sql in enumerate(parts.values()))
    row = db.execute(f"SELECT {visit_tier_sql(db, ':day')}, {field_history.on_day_sql('tier')},"
                     f" {field_history.on_day_sql('risk_grade')}{held} FROM elders e WHERE e.id = :id",
                     {"day": day.isoformat(), "id": elder_id}).fetchone()
    if row is None:
        return TierReading("一般", (), "一般", None, None)
    tier, record_tier, grade, *flags = row
    values = settings.get_all(db)
    grade_tier = values[TIER_SETTING[grade]] if grade in TIER_SETTING else None
    return TierReading(tier, tuple(r for r, f in zip(parts, flags, strict=True) if f), record_tier or "一般", grade,
                       grade_tier)


def key_reasons(db, elder_id: int, day: dt.date | str) -> list[str]:
    """The 重点 rules in force that hold for the elder on ``day`` (by the same SQL as the plan), as labels."""
    day = day.isoformat() if isinstance(day, dt.date) else str(day)[:10]
    parts = rule_sql(rules_in_force(db))
    if not parts:
        return []
    columns = ", ".join(f"({sql}) AS r{k}" for k, sql in enumerate(parts.values()))
    row = db.execute(f"SELECT {columns} FROM elders e WHERE e.id = :id", {"day": day, "id": elder_id}).fetchone()
    if row is None:
        return []
    return [KEY_RULE_LABELS[rule] for rule, held in zip(parts, row, strict=True) if held]
