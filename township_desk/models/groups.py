"""Visit groups (巡访对象类别): who the visit policy covers besides 农村留守, several groups per elder.

Seed 003 (峨眉山 2022 定期巡访方案) visits three groups:

- 农村留守: all children away (usually half a year or more); 农村特困 excluded where the policy profile says so.
  The rule is ``elders.eligibility`` (the one 留守 check); an elder set to 已不属于留守 is not in it.
- 城市独居: 60+ (the profile's minimum age), city household, children living elsewhere, living alone; 城市特困,
  couples living together and those with a live-in carer excluded (seed 003's own exclusions, whatever the
  profile). The ledger has no 保姆 field: living alone is the 独居 flag; a carer is recorded by an override.
- 特殊困难 with a sub-kind: 计划生育特殊家庭 (the 计划生育特殊家庭 or 失独 flag) is derived; 重点优抚 and 其他 are
  not on the record and are set by an override with its reason.

and the national 2022 guidance's categories: 独居 (the 独居 flag), 空巢 (children registered and none living at
home), 失能 (ability level 中度受损 or worse, as the risk factor), 重残 (disabled, grade 一级 or 二级).

Groups are derived when read, from the record as it stood on the day asked (``field_history.values_on``, the
status on that day, the supporters of that day: ``supporter_history``): a past month keeps the groups it had.
Overrides (table ``elder_group_overrides``, dated ``since``/``until``) put an elder in or out of a group where the
record cannot say; each is audited with its reason.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from township_desk.models import audit, elders, field_history, risk, settings, supporter_history
from township_desk.models.changes import data_stamp
from township_desk.models.dates import age_on, parse_date
from township_desk.models.elders.vocabulary import STATE_EMPLOYERS
from township_desk.models.errors import UserError

RURAL_LEFT_BEHIND = "农村留守"
URBAN_ALONE = "城市独居"
SPECIAL = "特殊困难"
ALONE = "独居"
EMPTY_NEST = "空巢"
DISABLED = "失能"
SEVERELY_DISABLED = "重残"
GROUPS = (RURAL_LEFT_BEHIND, URBAN_ALONE, SPECIAL, ALONE, EMPTY_NEST, DISABLED, SEVERELY_DISABLED)
SPECIAL_KINDS = ("重点优抚", "计划生育特殊家庭", "其他")

_FIELDS = ("birth_date", "rural_hukou", "hardship", "lives_alone", "spouse", "ability_level", "is_disabled",
           "disability_grade", "family_planning_special", "lost_only_child")


@dataclass
class Membership:
    """One group's verdict for an elder on a day: ``reasons`` say why not (empty when a member), or the
    override's reason; ``source`` is 'derived' or 'override'."""

    group: str
    member: bool
    reasons: list[str] = field(default_factory=list)
    source: str = "derived"
    sub_kind: str | None = None


def require(group: str) -> str:
    """The group's name, or a ``UserError`` naming the valid ones."""
    name = (group or "").strip()
    if name not in GROUPS:
        # the sheets' way of naming a group (城市独居老人, 农村留守老年人) is that group
        name = re.sub(r"(?:老年人|老人)$", "", name)
    if name not in GROUPS:
        if name in SPECIAL_KINDS:
            raise UserError(f"“{name}”是特殊困难老人的一种，不是单独的巡访对象类别：请用 --group {SPECIAL}")
        raise UserError(f"巡访对象类别“{group}”不存在，可选：{'、'.join(GROUPS)}")
    return name


def _iso(day: dt.date | str | None) -> str:
    if day is None:
        return dt.date.today().isoformat()
    return day.isoformat() if isinstance(day, dt.date) else str(day)[:10]


def severe_grade(grade) -> bool:
    """残疾等级 一级 or 二级 (1, 2, 一级, 二级, 1级, Ⅱ级 …)."""
    text = str(grade or "").strip()
    found = re.match(r"^([12一二ⅠⅡ])(?:级)?", text)
    return bool(found)


def _supporters_away(supporters: list[dict]) -> tuple[bool, list[str]]:
    """Do all the children live away from home (able to support them or not)? (reasons when not)"""
    if not supporters:
        return False, ["未登记子女（赡养人），无法判断子女是否在外地"]
    home = [s for s in supporters if not s.get("is_away", 1)]
    return not home, [f"赡养人{s.get('name') or ''}住在本地" for s in home]


def derive(elder: dict, supporters: list[dict], status: str | None, rules: dict, on: dt.date) -> list[Membership]:
    """Every group's verdict from the record alone (``elder`` as it stood on ``on``), in ``GROUPS`` order."""
    out: list[Membership] = []
    # 农村留守: the one 留守 rule
    check = elders.eligibility(elder, supporters, rules, on)
    reasons = list(check.reasons)
    if status == "已不属于留守":
        reasons.append("状态为“已不属于留守”")
    out.append(Membership(RURAL_LEFT_BEHIND, not reasons, reasons))
    # 城市独居 (seed 003)
    reasons = []
    min_age = int(rules.get("min_age", 60))
    if elder.get("birth_date") and age_on(elder["birth_date"], on) < min_age:
        reasons.append(f"未满{min_age}周岁")
    if elder.get("rural_hukou", 1):
        reasons.append("农村户籍")
    elif elder.get("hardship") == "特困":
        reasons.append("城市特困人员，不认定为城市独居老人")
    if not elder.get("lives_alone"):
        reasons.append("未登记为独居")
    if elder.get("spouse") == "双方健在":
        reasons.append("夫妻共同生活（夫妻双方健在），不认定为城市独居老人")
    away, why = _supporters_away(supporters)
    reasons += why
    out.append(Membership(URBAN_ALONE, not reasons, reasons))
    # 特殊困难: only 计划生育特殊家庭 is on the record
    special = bool(elder.get("family_planning_special") or elder.get("lost_only_child"))
    out.append(Membership(SPECIAL, special, [] if special else ["未登记为计划生育特殊家庭（重点优抚等由经办人认定）"],
                          sub_kind="计划生育特殊家庭" if special else None))
    # national categories
    alone = bool(elder.get("lives_alone"))
    out.append(Membership(ALONE, alone, [] if alone else ["未登记为独居"]))
    out.append(Membership(EMPTY_NEST, away, why))
    level = elder.get("ability_level")
    disabled = level is not None and int(level) >= risk.DISABLED_FROM_LEVEL
    out.append(Membership(DISABLED, disabled, [] if disabled else [
        "未评定能力等级" if level is None else f"能力等级为“{elders.ABILITY_LEVELS.get(int(level), level)}”"]))
    severe = bool(elder.get("is_disabled")) and severe_grade(elder.get("disability_grade"))
    out.append(Membership(SEVERELY_DISABLED, severe, [] if severe else [
        "未登记残疾" if not elder.get("is_disabled") else f"残疾等级为“{elder.get('disability_grade') or '未填写'}”"]))
    return out


def _asked(on: dt.date | str | None, elder_ids: list[int] | None) -> tuple[str, str, dict]:
    """The day asked (ISO), the clause over ``elders e`` narrowing to ``elder_ids`` ("" for all) and the
    parameters (``day``, ``ids``) of ``memberships`` and ``member_names``."""
    day = _iso(on)
    if elder_ids is None:
        return day, "", {"day": day}
    return day, " WHERE e.id IN (SELECT value FROM json_each(:ids))", {"day": day, "ids": json.dumps(list(elder_ids))}


def memberships(db, on: dt.date | str | None = None, elder_ids: list[int] | None = None) -> dict[int, list[Membership]]:
    """Every group's verdict for each elder (all, or ``elder_ids``) on ``on`` (default today): derived from the
    record as it stood that day, then the overrides in force that day."""
    if elder_ids is not None and not elder_ids:
        return {}
    day, only, params = _asked(on, elder_ids)
    on_date = dt.date.fromisoformat(day)
    cursor = db.execute(f"SELECT e.id, {', '.join('e.' + f for f in _FIELDS)}, {elders.STATUS_ON_DAY_SQL}"
                        f" FROM elders e{only}", params)
    rows = {r[0]: (dict(zip(_FIELDS, r[1:-1], strict=True)), r[-1]) for r in cursor}
    earlier = field_history.values_on(db, day, None if elder_ids is None else list(rows))
    supporters: dict[int, list[dict]] = {}
    for s in db.query(f"SELECT * FROM {supporter_history.rows_on_day_sql()}"  # the supporters of that day
                      f" WHERE elder_id IN (SELECT e.id FROM elders e{only}) ORDER BY elder_id, sort_order, id", params):
        supporters.setdefault(s["elder_id"], []).append(s)
    overrides: dict[int, dict[str, tuple]] = {}
    for elder_id, group, sub_kind, member, reason in db.execute(
            "SELECT elder_id, group_name, sub_kind, member, reason FROM elder_group_overrides"
            " WHERE since <= ? AND (until IS NULL OR until > ?) ORDER BY since, id", [day, day]):
        overrides.setdefault(elder_id, {})[group] = (sub_kind, member, reason)  # the latest in force wins
    rules = settings.get_all(db)
    result = {}
    for elder_id, (record, status) in rows.items():
        record.update({k: v for k, v in earlier.get(elder_id, {}).items() if k in _FIELDS})
        verdicts = derive(record, supporters.get(elder_id, []), status, rules, on_date)
        for m in verdicts:
            if m.group in overrides.get(elder_id, {}):
                sub_kind, member, reason = overrides[elder_id][m.group]
                m.member, m.source, m.reasons = bool(member), "override", [f"经办人认定：{reason}"]
                m.sub_kind = sub_kind if member else None
        result[elder_id] = verdicts
    return result


def _lean_names(elder: dict, supporters: list[tuple], status: str | None, rules: dict, on: dt.date,
                min_age: int, min_months: int, no_state: bool, no_poverty: bool) -> list[str]:
    """The groups ``derive`` puts an elder in, without the reasons: the same tests, in the same order of
    ``GROUPS``. ``supporters``: (rural_hukou, is_away, can_support, away_since, employer_type) tuples.
    ``tests/test_speed_memberships.py`` checks it against ``derive`` on a demo township, day by day."""
    birth = elder["birth_date"]
    old_enough = not birth or age_on(birth, on) >= min_age
    any_home = any(not s[1] for s in supporters)
    out = []
    # 农村留守: elders.eligibility holds, and the status is not 已不属于留守
    rural = old_enough and elder["rural_hukou"] and supporters and status != "已不属于留守"
    if rural and no_poverty and elder["hardship"] == "特困":
        rural = False
    if rural:
        for s_rural, s_away, s_can, s_since, s_employer in supporters:
            if (no_state and s_employer in STATE_EMPLOYERS) or not s_rural:
                rural = False
                break
            if not s_can:
                continue
            if not s_away or not s_since:
                rural = False
                break
            year, month = (int(p) for p in s_since.split("-"))
            if (on.year - year) * 12 + (on.month - month) < min_months:
                rural = False
                break
    if rural:
        out.append(RURAL_LEFT_BEHIND)
    alone = bool(elder["lives_alone"])
    if (old_enough and not elder["rural_hukou"] and elder["hardship"] != "特困" and alone
            and elder["spouse"] != "双方健在" and supporters and not any_home):
        out.append(URBAN_ALONE)
    if elder["family_planning_special"] or elder["lost_only_child"]:
        out.append(SPECIAL)
    if alone:
        out.append(ALONE)
    if supporters and not any_home:
        out.append(EMPTY_NEST)
    level = elder["ability_level"]
    if level is not None and int(level) >= risk.DISABLED_FROM_LEVEL:
        out.append(DISABLED)
    if elder["is_disabled"] and severe_grade(elder["disability_grade"]):
        out.append(SEVERELY_DISABLED)
    return out


def member_names(db, on: dt.date | str | None = None,
                 elder_ids: list[int] | None = None) -> dict[int, list[str]]:
    """``names(memberships(db, on, elder_ids)[id])`` for each elder, read faster: the groups only, without the
    reasons (no ``Membership`` per group, the supporters as tuples), the record as it stood on ``on`` as
    ``memberships`` reads it. For the lists and counts over a whole township (per-group coverage,
    group filters, the elders' own plans): at 30,000 elders ~3 s → a fraction of it."""
    if elder_ids is not None and not elder_ids:
        return {}
    day, only, params = _asked(on, elder_ids)
    on_date = dt.date.fromisoformat(day)
    supporters: dict[int, list[tuple]] = {}
    for elder_id, *rest in db.execute(
            "SELECT elder_id, rural_hukou, is_away, can_support, away_since, employer_type"
            f" FROM {supporter_history.rows_on_day_sql()} WHERE elder_id IN (SELECT e.id FROM elders e{only})", params):
        supporters.setdefault(elder_id, []).append(tuple(rest))
    overrides: dict[int, dict[str, bool]] = {}
    for elder_id, group, member in db.execute(
            "SELECT elder_id, group_name, member FROM elder_group_overrides"
            " WHERE since <= ? AND (until IS NULL OR until > ?) ORDER BY since, id", [day, day]):
        overrides.setdefault(elder_id, {})[group] = bool(member)  # the latest in force wins
    rules = settings.get_all(db)
    min_age, min_months = int(rules.get("min_age", 60)), int(rules.get("min_absence_months", 6))
    no_state, no_poverty = bool(rules.get("exclude_state_employers", True)), bool(rules.get("exclude_extreme_poverty"))
    result: dict[int, list[str]] = {}
    cursor = db.execute(f"SELECT e.id, {', '.join('e.' + f for f in _FIELDS)}, {elders.STATUS_ON_DAY_SQL}"
                        f" FROM elders e{only}", params)
    rows = cursor.fetchall()
    earlier = field_history.values_on(db, day, None if elder_ids is None else [r[0] for r in rows])
    for row in rows:
        elder_id = row[0]
        record = dict(zip(_FIELDS, row[1:-1], strict=True))
        if elder_id in earlier:
            record.update({k: v for k, v in earlier[elder_id].items() if k in _FIELDS})
        found = _lean_names(record, supporters.get(elder_id, []), row[-1], rules, on_date, min_age, min_months,
                            no_state, no_poverty)
        if elder_id in overrides:
            forced = overrides[elder_id]
            found = [g for g in GROUPS if (forced[g] if g in forced else g in found)]
        result[elder_id] = found
    return result


def groups_of(db, elder_id: int, on: dt.date | str | None = None) -> list[Membership]:
    """The groups an elder belonged to on ``on`` (default today), in ``GROUPS`` order."""
    return [m for m in memberships(db, on, [elder_id]).get(elder_id, []) if m.member]


def names(verdicts: list[Membership]) -> list[str]:
    return [m.group for m in verdicts if m.member]


_REMEMBERED_DAYS = 8


def members(db, group: str, on: dt.date | str | None = None) -> list[int]:
    """The ids of the elders in ``group`` on ``on``.

    Every group's members of a day are worked out together and kept with the connection until the ledger changes
    (``changes.data_stamp``): a screen filtered by group, its count and its chart ask again without reading 30,000
    records each time (~3 s each on an office PC)."""
    group = require(group)
    day = _iso(on)
    state = data_stamp(db)
    remembered = db.__dict__.setdefault("_group_members", {})
    if remembered.get("state") != state:
        remembered.clear()
        remembered["state"] = state
    by_group = remembered.get(day)
    if by_group is None:
        by_group = {name: [] for name in GROUPS}
        for elder_id, found in sorted(member_names(db, day).items()):
            for name in found:
                by_group[name].append(elder_id)
        if len(remembered) > _REMEMBERED_DAYS:
            remembered.clear()
            remembered["state"] = state
        remembered[day] = by_group
    return list(by_group[group])


def filter_sql(db, group: str, on: dt.date | str | None = None, elder: str = "e") -> tuple[str, list]:
    """A WHERE condition over ``elders {elder}`` keeping the members of ``group`` on ``on``, and its one
    parameter (the ids as JSON, so any number of elders is one bound value)."""
    return f"{elder}.id IN (SELECT value FROM json_each(?))", [json.dumps(members(db, group, on))]


REASON_LIMIT = 500  # an override's reason: what the audit log and the 老人档案 show in full


def _override_day(value: dt.date | str | None, what: str) -> dt.date:
    """The day an override begins or ends, or a ``UserError`` naming what was given."""
    from township_desk.models.dates import DateError, check_in_range

    try:
        day = value if isinstance(value, dt.date) else parse_date(value)
    except DateError as exc:
        raise UserError(f"{what}“{value}”不是有效日期：{exc}") from None
    if day is None:
        raise UserError(f"请填写{what}")
    return check_in_range(day, what)


def set_override(db, elder_id: int, group: str, member: bool, reason: str, since: dt.date | str,
                 sub_kind: str | None = None) -> int:
    """Put an elder in (``member``) or out of ``group`` from ``since`` on, with a reason; ends the override of
    that group in force until then. Audited. Returns the new row's id."""
    group = require(group)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(f"改定“{group}”须填写原因")
    if len(reason) > REASON_LIMIT:
        raise UserError(f"改定“{group}”的原因不能超过 {REASON_LIMIT} 字（现为 {len(reason)} 字），请写明要点")
    day = _override_day(since, "改定的起始日期")
    if group == SPECIAL and member and sub_kind not in SPECIAL_KINDS:
        raise UserError(f"特殊困难老人须选择类别：{'、'.join(SPECIAL_KINDS)}")
    if group != SPECIAL or not member:
        sub_kind = None
    with db.atomic():
        row = db.execute("SELECT name, id_number FROM elders WHERE id = ?", [elder_id]).fetchone()
        if row is None:
            raise UserError(f"找不到编号为 {elder_id} 的老人记录")
        db.execute("UPDATE elder_group_overrides SET until = ? WHERE elder_id = ? AND group_name = ?"
                   " AND until IS NULL AND since < ?", [day.isoformat(), elder_id, group, day.isoformat()])
        db.execute("UPDATE elder_group_overrides SET until = since WHERE elder_id = ? AND group_name = ?"
                   " AND until IS NULL AND since >= ?", [elder_id, group, day.isoformat()])
        new_id = db.execute(
            "INSERT INTO elder_group_overrides(elder_id, group_name, sub_kind, member, reason, since)"
            " VALUES (?, ?, ?, ?, ?, ?)", [elder_id, group, sub_kind, int(member), reason, day.isoformat()]).lastrowid
        shown = ("属于" + (f"（{sub_kind}）" if sub_kind else "")) if member else "不属于"
        audit.record(db, "改定巡访对象类别", "elders", elder_id, f"{row[0]} {row[1]}", group, None,
                     f"{shown}（自 {day.isoformat()} 起，{reason}）")
    return new_id


def end_override(db, elder_id: int, group: str, on: dt.date | str, reason: str) -> int:
    """End the override of ``group`` in force for the elder (from ``on`` the record decides again), with a reason;
    audited. A later override reopens it. Returns the ended row's id; ``UserError`` when none is in force."""
    group = require(group)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(f"恢复“{group}”按台账记录认定须填写原因")
    if len(reason) > REASON_LIMIT:
        raise UserError(f"恢复“{group}”按台账记录认定的原因不能超过 {REASON_LIMIT} 字（现为 {len(reason)} 字）")
    day = _override_day(on, "恢复按台账记录认定的日期")
    with db.atomic():
        row = db.execute("SELECT o.id, o.since, e.name, e.id_number FROM elder_group_overrides o"
                         " JOIN elders e ON e.id = o.elder_id WHERE o.elder_id = ? AND o.group_name = ?"
                         " AND o.until IS NULL ORDER BY o.since DESC, o.id DESC LIMIT 1", [elder_id, group]).fetchone()
        if row is None:
            raise UserError(f"该老人的“{group}”没有正在生效的改定，无需恢复")
        override_id, since, name, id_number = row
        until = max(day.isoformat(), since)  # ended before it began: it never held
        db.execute("UPDATE elder_group_overrides SET until = ? WHERE id = ?", [until, override_id])
        audit.record(db, "恢复按记录认定巡访对象类别", "elders", elder_id, f"{name} {id_number}", group, None,
                     f"自 {until} 起按台账记录认定（{reason}）")
    return override_id


def overrides_of(db, elder_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM elder_group_overrides WHERE elder_id = ? ORDER BY since, id", [elder_id]))
