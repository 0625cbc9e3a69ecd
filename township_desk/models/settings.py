"""Office settings: township name, policy profile, signature names, visit plan. Stored as JSON values."""

from __future__ import annotations

import json
from typing import Any

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
    "plan_key_rules": ["高龄", "失能", "独居", "子女不在身边"],
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
    """Save several settings in one transaction, recording each change in the audit log.

    ``expected_versions`` is ``key_versions`` as the form read it: when any key of ``values`` was changed since
    (by another window or the command line), ``StaleRecord`` is raised and nothing is saved."""
    from township_desk.models import audit, versions

    with db.atomic():
        current = get_all(db)
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
        from township_desk.models.errors import UserError

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
