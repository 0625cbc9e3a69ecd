"""Office settings: township name, policy profile, signature names, visit plan. Stored as JSON values.

``RULES`` says what each value may be; ``check`` applies them (and the rules between values of the visit plan) and
``put`` refuses what ``check`` refuses, so the window, the command line and the demo all keep to one set of rules.
A key without a rule (one a newer part of the program stores) is stored as given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from township_desk.models.errors import UserError, ValidationError
from township_desk.models.names import check_name, normalise_name, normalise_phone

# Policy profiles for who counts as a left-behind elder (domain.md "Who counts"), each with the text it follows:
# 宁波 (seed 000): 60+, supporters away 6 months, children in state employers excluded; 辽宁 (seed 002): away
# 1 year; 重庆 (seed 001, 渝民发〔2018〕30号, implementing 民发〔2017〕193号): the national definition, children
# away "通常半年以上", no employer exclusion; 四川·峨眉山 (seed 003): all children away "通常半年以上", 农村特困除外.
POLICY_PROFILES: dict[str, dict[str, Any]] = {
    "宁波": {"min_age": 60, "min_absence_months": 6, "exclude_state_employers": True,
           "exclude_extreme_poverty": False},
    "辽宁": {"min_age": 60, "min_absence_months": 12, "exclude_state_employers": True,
           "exclude_extreme_poverty": False},
    "重庆": {"min_age": 60, "min_absence_months": 6, "exclude_state_employers": False,
           "exclude_extreme_poverty": False},
    "四川·峨眉山": {"min_age": 60, "min_absence_months": 6, "exclude_state_employers": False,
                "exclude_extreme_poverty": True},
}
PROFILE_SOURCES: dict[str, str] = {
    "宁波": "宁波市农村留守老年人关爱服务实施意见（征求意见稿）",
    "辽宁": "辽宁省民政厅等9部门实施意见（辽民发〔2018〕90号）",
    "重庆": "重庆市民政局等9部门实施意见（渝民发〔2018〕30号）",
    "四川·峨眉山": "峨眉山市民政局2022年定期巡访工作实施方案",
}

# Seed 003's 重点 rules (高龄, 失能, 独居, children long away with nobody close by), the choices of
# ``plan_key_rules``; ``models.group_plans`` turns them into SQL.
KEY_RULES: tuple[str, ...] = ("高龄", "失能", "独居", "子女不在身边")

DEFAULTS: dict[str, Any] = {
    "township_name": "",
    "county_name": "",
    "office_phone": "",
    "policy_profile": "宁波",
    "min_age": 60,
    "min_absence_months": 6,
    "exclude_state_employers": True,
    "exclude_extreme_poverty": False,
    "unit_head": "",        # 单位负责人
    "reviewer": "",         # 复核人
    "preparer": "",         # 填表人
    # visit plan per tier (domain.md "Visit plan"): home-visit interval in days, remote contacts per ISO week
    "plan_key_home_days": 15,
    "plan_key_remote_per_week": 2,
    "plan_general_home_days": 30,
    "plan_general_remote_per_week": 1,
    # seed 003 asks for the home visits *and* the calls: a home visit is not one of the week's calls
    "plan_home_counts_as_contact": False,
    # visit plans of their own per group (巡访对象类别 → the four plan numbers) and seed 003's 重点 rules in force,
    # checked by models.group_plans
    "group_plans": {},
    "plan_key_rules": list(KEY_RULES),
    # risk grade → tier
    "tier_for_high": "重点",
    "tier_for_medium": "重点",
    "tier_for_low": "一般",
}

LABELS: dict[str, str] = {
    "township_name": "乡镇（街道）名称",
    "county_name": "县（市、区）名称",
    "office_phone": "民政办电话",
    "policy_profile": "认定政策",
    "min_age": "最低年龄（周岁）",
    "min_absence_months": "赡养人外出最短月数",
    "exclude_state_employers": "子女在机关、事业单位、国有企业工作的不认定",
    "exclude_extreme_poverty": "农村特困人员不认定（由特困供养保障）",
    "unit_head": "单位负责人",
    "reviewer": "复核人",
    "preparer": "填表人",
    "plan_key_home_days": "重点对象上门巡访间隔（天）",
    "plan_key_remote_per_week": "重点对象每周电话视频巡访次数",
    "plan_general_home_days": "一般对象上门巡访间隔（天）",
    "plan_general_remote_per_week": "一般对象每周电话视频巡访次数",
    "plan_home_counts_as_contact": "上门巡访计入当周电话视频巡访次数",
    "group_plans": "各类对象巡访频次",
    "plan_key_rules": "列为重点巡访对象的情形",
    "tier_for_high": "高风险对应巡访类别",
    "tier_for_medium": "中风险对应巡访类别",
    "tier_for_low": "低风险对应巡访类别",
}


@dataclass(frozen=True)
class Rule:
    """What one setting may hold: ``kind`` is "text" (a place name, ``max_length`` characters), "person" (a name
    checked as names are), "phone" (digits kept; a doubtful number is a warning, not a refusal), "int" (``low`` to
    ``high``), "bool", "choice" (one of ``choices``), "choices" (a list of some of ``choices``, stored in their
    order) or "group_plans" (a visit plan per 巡访对象类别: ``group_plans.plan_problems``)."""

    kind: str
    required: bool = False
    low: int | None = None
    high: int | None = None
    max_length: int = 30
    choices: tuple[str, ...] = ()


def _tiers() -> tuple[str, ...]:
    from township_desk.models.elders import TIERS  # elders reads the settings: imported when first checked

    return TIERS


RULES: dict[str, Rule] = {
    "township_name": Rule("text", required=True),
    "county_name": Rule("text"),
    "office_phone": Rule("phone"),
    "policy_profile": Rule("choice", choices=tuple(POLICY_PROFILES)),
    "min_age": Rule("int", low=50, high=80),
    "min_absence_months": Rule("int", low=1, high=60),
    "exclude_state_employers": Rule("bool"),
    "exclude_extreme_poverty": Rule("bool"),
    "unit_head": Rule("person"),
    "reviewer": Rule("person"),
    "preparer": Rule("person"),
    "plan_key_home_days": Rule("int", low=1, high=90),
    "plan_key_remote_per_week": Rule("int", low=0, high=14),
    "plan_general_home_days": Rule("int", low=1, high=180),
    "plan_general_remote_per_week": Rule("int", low=0, high=14),
    "plan_home_counts_as_contact": Rule("bool"),
    "group_plans": Rule("group_plans"),
    "plan_key_rules": Rule("choices", choices=KEY_RULES),
    "tier_for_high": Rule("choice"),  # choices: the visit tiers (``elders.TIERS``)
    "tier_for_medium": Rule("choice"),
    "tier_for_low": Rule("choice"),
}
_REQUIRED_TEXT = {"township_name": "请填写乡镇（街道）名称：它印在登记表、花名册、告知卡和月度报表上。"}


def value_range(key: str) -> tuple[int, int]:
    """The lowest and highest value a number setting may take (a spin box's range)."""
    rule = RULES[key]
    return int(rule.low), int(rule.high)


@dataclass
class Checked:
    """What ``check`` made of some values: the values as they are stored (names trimmed, phone digits kept), the
    refusals and the warnings, each a (key, Chinese message) pair."""

    values: dict[str, Any]
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def message_for(self, key: str) -> str:
        """The refusals of one key, as one line (empty when it is fine)."""
        return "".join(message for k, message in self.problems if k == key)


def _check_one(key: str, value: Any, checked: Checked) -> None:
    rule, label = RULES[key], LABELS.get(key, key)

    def refuse(message: str) -> None:
        checked.problems.append((key, message))

    if rule.kind in ("text", "person"):
        name = normalise_name("" if value is None else str(value))
        checked.values[key] = name
        if not name:
            if rule.required:
                refuse(_REQUIRED_TEXT.get(key) or f"请填写{label}。")
        elif rule.kind == "person":
            problem = check_name(name)
            if problem:
                refuse(f"{label}：{problem}")
        elif len(name) > rule.max_length:
            refuse(f"{label}“{name}”超过 {rule.max_length} 个字，请核对。")
    elif rule.kind == "phone":
        phone, warning = normalise_phone(value)
        checked.values[key] = phone
        if warning:
            checked.warnings.append((key, f"{label}：{warning}"))
    elif rule.kind == "int":
        number = value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if isinstance(number, bool) or not isinstance(number, int) or not rule.low <= number <= rule.high:
            refuse(f"{label}应为 {rule.low} 到 {rule.high} 之间的整数，实为“{value}”。")
        else:
            checked.values[key] = number
    elif rule.kind == "bool":
        if value in (True, False, 0, 1) and not isinstance(value, float):
            checked.values[key] = bool(value)
        else:
            refuse(f"{label}应为“是”或“否”，实为“{value}”。")
    elif rule.kind == "choices":
        items = value if isinstance(value, list | tuple) else None
        if items is None:
            refuse(f"{label}的格式不对：应为一组选项（可选：{'、'.join(rule.choices)}）。")
            return
        for item in items:
            if item not in rule.choices:
                refuse(f"{label}“{item}”不在可选范围：{'、'.join(rule.choices)}。")
        checked.values[key] = [c for c in rule.choices if c in items]
    elif rule.kind == "group_plans":
        from township_desk.models import group_plans  # reads the settings

        clean, problems = group_plans.plan_problems(value)
        for problem in problems:
            refuse(f"{problem}。")
        checked.values[key] = clean
    elif rule.kind == "choice":
        choices = rule.choices or _tiers()
        if value not in choices:
            refuse(f"{label}“{value}”不在可选范围：{'、'.join(choices)}。")


def check(values: dict[str, Any], current: dict[str, Any] | None = None) -> Checked:
    """Check ``values`` (some settings) against ``RULES`` and, with the ``current`` settings for the keys not given,
    the visit plan's rules between values: 重点 is visited at home at least as often, and called at least as often
    per week, as 一般. Never raises: ``put`` refuses what has ``problems``."""
    checked = Checked(dict(values))
    for key, value in values.items():
        if key in RULES:
            _check_one(key, value, checked)
    refused = {k for k, _m in checked.problems}
    merged = {**DEFAULTS, **(current or {}), **checked.values}
    key_home, general_home = merged["plan_key_home_days"], merged["plan_general_home_days"]
    plan_given = any(k.startswith("plan_") for k in values)
    if plan_given and not refused & {"plan_key_home_days", "plan_general_home_days"} and key_home > general_home:
        checked.problems.append(("plan_key_home_days", f"重点对象的上门巡访间隔（{key_home} 天）不能长于一般对象"
                                                       f"（{general_home} 天）。"))
    key_remote, general_remote = merged["plan_key_remote_per_week"], merged["plan_general_remote_per_week"]
    if (plan_given and not refused & {"plan_key_remote_per_week", "plan_general_remote_per_week"}
            and key_remote < general_remote):
        checked.problems.append(("plan_key_remote_per_week", f"重点对象每周电话视频巡访次数（{key_remote} 次）不能少于"
                                                             f"一般对象（{general_remote} 次）。"))
    return checked


def get(db, key: str) -> Any:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if row is None:
        return DEFAULTS.get(key)
    return json.loads(row[0])


def get_all(db) -> dict[str, Any]:
    values = dict(DEFAULTS)
    for key, value in db.execute("SELECT key, value FROM settings").fetchall():
        values[key] = json.loads(value)
    return values


def key_versions(db) -> dict[str, int]:
    """The ``row_version`` of every stored key (a key never stored is version 0): what a settings form read."""
    return dict(db.execute("SELECT key, row_version FROM settings").fetchall())


def put(db, values: dict[str, Any], *, expected_versions: dict[str, int] | None = None) -> None:
    """Save several settings in one transaction, recording each change in the audit log (which notes it).

    Every value is checked first (``check``): a value out of range, a required name left empty, an unknown choice
    raises ``ValidationError`` naming each (its ``problems``: (key, message)) and nothing is saved. Names are
    stored trimmed and the phone as its digits. ``expected_versions`` is ``key_versions`` as the form read it: when
    any key of ``values`` was changed since (by another window or the command line), ``StaleRecord`` is raised and
    nothing is saved."""
    from township_desk.models import audit, versions

    with db.atomic():
        current = get_all(db)
        checked = check(values, current)
        if checked.problems:
            raise ValidationError("设置未保存：" + "；".join(m.rstrip("。") for _k, m in checked.problems) + "。",
                                  checked.problems)
        values = checked.values
        if expected_versions is not None:
            for key in values:
                versions.check(db, "settings", key, expected_versions.get(key, 0))
        for key, value in values.items():
            if current.get(key) == value:
                continue
            db.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value, ensure_ascii=False)],
            )
            audit.record(db, "修改", "settings", None, LABELS.get(key, key), key, current.get(key), value)


def apply_profile(db, profile: str, *, expected_versions: dict[str, int] | None = None) -> None:
    """Switch the policy profile and its rule values together (``expected_versions``: as in ``put``)."""
    if profile not in POLICY_PROFILES:
        raise UserError(f"未知的认定政策“{profile}”，可选：{'、'.join(POLICY_PROFILES)}")
    put(db, {"policy_profile": profile, **POLICY_PROFILES[profile]}, expected_versions=expected_versions)


def profile_needs_choice(db) -> bool:
    """True on the first start of a new, empty ledger whose policy profile was never chosen: the window then asks
    which applies. A ledger that already holds data keeps the profile it has been using: that value is stored
    (silently, it is no change) and nobody is asked."""
    if db.execute("SELECT 1 FROM settings WHERE key = 'policy_profile'").fetchone():
        return False
    has_data = db.execute("SELECT EXISTS (SELECT 1 FROM elders) OR EXISTS (SELECT 1 FROM villages)").fetchone()[0]
    if not has_data:
        return True
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO settings(key, value) VALUES ('policy_profile', ?)",
                   [json.dumps(get(db, "policy_profile"), ensure_ascii=False)])
    return False
