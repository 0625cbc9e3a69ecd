"""Visit groups (巡访对象类别): who the visit policy covers besides 农村留守, several groups per elder.

Seed 003 (峨眉山 2022 定期巡访方案) visits three groups:

- 农村留守: all children away (usually half a year or more); 农村特困 excluded where the policy profile says so.
  The rule is ``eligibility_rule.LEFT_BEHIND_TESTS`` (认定: ``elders.eligibility`` judges a record as typed with
  the same tests); an elder set to 已不属于留守 is not in it.
- 城市独居: 60+ (the profile's minimum age), city household, children living elsewhere, living alone; 城市特困,
  couples living together and those with a live-in carer excluded (seed 003's own exclusions, whatever the
  profile). The ledger has no 保姆 field: living alone is the 独居 flag; a carer is recorded by an override.
- 特殊困难 with a sub-kind: 计划生育特殊家庭 (the 计划生育特殊家庭 or 失独 flag) is derived; 重点优抚 and 其他 are
  not on the record and are set by an override with its reason.

and the national 2022 guidance's categories: 独居 (the 独居 flag), 空巢 (children registered and none living at
home), 失能 (ability level 中度受损 or worse, as the risk factor), 重残 (disabled, grade 一级 or 二级).

Groups are derived when read, from the record as it stood on the day asked (``field_history.values_on_sql``, the
status on that day, the supporters of that day: ``supporter_history``): a past month keeps the groups it had.
Each group's rule is its list of tests in ``RULES`` (SQL conditions with the words of each reason): one query
answers for the whole ledger, and the same conditions word the reasons of the elders shown. Overrides (table
``elder_group_overrides``, dated ``since``/``until``) put an elder in or out of a group where the record cannot
say; each is audited with its reason.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field

from township_desk.models import audit, elders, field_history, risk, settings, supporter_history
from township_desk.models.changes import data_stamp
from township_desk.models.dates import parse_date
from township_desk.models.elders.eligibility_rule import (
    LEFT_BEHIND_TESTS,
    MONTHS_AWAY_SQL,
    NO_SUPPORTERS_SQL,
    TOO_YOUNG_SQL,
    Test,
    rule_params,
    said,
    truthy,
)
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


# ---------------------------------------------------------------- the rule: each group's tests, once
#
# A group holds for an elder when none of its tests applies (``eligibility_rule.Test``: an SQL condition over the
# record as it stood on the day, ``d``, or over each supporter, ``s``, and the words of the reason). The same
# conditions give every elder's groups in one query (``member_names``, ``members``) and the reasons of the few
# elders shown (``memberships``): there is no second copy of the rule to keep in step.

# What Python's str.strip() removes (the whitespace below U+3001; there is none above it), for SQL's trim().
_SPACES = "char(" + ", ".join(str(c) for c in range(0x3001) if chr(c).isspace()) + ")"


def severe_grade_sql(grade: str) -> str:
    """SQL: is ``grade`` 残疾等级 一级 or 二级 (1, 2, 一级, 二级, 1级, Ⅱ级 … after the spaces around it)?"""
    return f"substr(trim(IFNULL({grade}, ''), {_SPACES}), 1, 1) IN ('1', '2', '一', '二', 'Ⅰ', 'Ⅱ')"


def severe_grade(grade) -> bool:
    """``severe_grade_sql`` for one value."""
    with closing(sqlite3.connect(":memory:")) as conn:
        return bool(conn.execute(f"SELECT {severe_grade_sql('?')}", [grade]).fetchone()[0])


_HOME = f"NOT {truthy('s.is_away')}"  # a supporter living at home (able to support them or not)
_NOT_ALONE = f"NOT {truthy('d.lives_alone')}"
_CHILDREN_AWAY = (Test(NO_SUPPORTERS_SQL, lambda v: "未登记子女（赡养人），无法判断子女是否在外地"),
                  Test(_HOME, lambda v: f"赡养人{v['name'] or ''}住在本地", supporter=True))


def _ability(v) -> str:
    level = v["ability_level"]
    return f"能力等级为“{elders.ABILITY_LEVELS.get(int(level), level)}”"


RULES: dict[str, tuple[Test, ...]] = {
    # 农村留守: the one 留守 rule (认定), and the status is not 已不属于留守
    RURAL_LEFT_BEHIND: (*LEFT_BEHIND_TESTS, Test("d.status = '已不属于留守'", lambda v: "状态为“已不属于留守”")),
    # 城市独居 (seed 003)
    URBAN_ALONE: (
        Test(TOO_YOUNG_SQL, lambda v: f"未满{v['min_age']}周岁"),
        Test(truthy("d.rural_hukou"), lambda v: "农村户籍"),
        Test(f"NOT {truthy('d.rural_hukou')} AND d.hardship = '特困'", lambda v: "城市特困人员，不认定为城市独居老人"),
        Test(_NOT_ALONE, lambda v: "未登记为独居"),
        Test("d.spouse = '双方健在'", lambda v: "夫妻共同生活（夫妻双方健在），不认定为城市独居老人"),
        *_CHILDREN_AWAY),
    # 特殊困难: only 计划生育特殊家庭 is on the record
    SPECIAL: (Test(f"NOT ({truthy('d.family_planning_special')} OR {truthy('d.lost_only_child')})",
                   lambda v: "未登记为计划生育特殊家庭（重点优抚等由经办人认定）"),),
    # the national categories
    ALONE: (Test(_NOT_ALONE, lambda v: "未登记为独居"),),
    EMPTY_NEST: _CHILDREN_AWAY,
    DISABLED: (Test("d.ability_level IS NULL", lambda v: "未评定能力等级"),
               Test(f"CAST(d.ability_level AS INTEGER) < {risk.DISABLED_FROM_LEVEL}", _ability)),
    SEVERELY_DISABLED: (
        Test(f"NOT {truthy('d.is_disabled')}", lambda v: "未登记残疾"),
        Test(f"{truthy('d.is_disabled')} AND NOT ({severe_grade_sql('d.disability_grade')})",
             lambda v: f"残疾等级为“{v['disability_grade'] or '未填写'}”")),
}
DERIVED_SUB_KIND = {SPECIAL: "计划生育特殊家庭"}  # the sub-kind of a member the record puts in a group


def _applies(test: Test) -> str:
    return f"IFNULL(({test.sql}), 0)"


def _derived_sql(group: str) -> str:
    """SQL over ``d`` (``_with_sql``): does the record put the elder in ``group``? None of its tests
    applies; the tests are tried in turn, so most elders are settled by the first ones."""
    i = GROUPS.index(group)
    steps, supporters = [], False
    for test in RULES[group]:
        if not test.supporter:
            steps.append(f"WHEN {_applies(test)} THEN 0")
        elif not supporters:
            steps.append(f"WHEN IFNULL(d.s{i}, 0) THEN 0")  # a test applies to one of the supporters
            supporters = True
    return f"CASE {' '.join(steps)} ELSE 1 END"


# The elders asked by id (the parameter ``ids``, a JSON list), when not the whole ledger.
_IDS = "(SELECT value FROM json_each(:ids))"


def _with_sql(narrowed: bool, wanted: tuple[str, ...]) -> str:
    """The common table expressions every query starts with (``narrowed``: the elders of ``:ids``, else all):

    - ``sd``: the supporters of the elders asked, as they stood on ``:day`` (``supporter_history``);
    - ``sa``: one pass over them, per elder: ``n`` supporters, and s<i> = does a supporter's test of GROUPS[i]
      apply to any of them (for each of ``wanted`` with such tests);
    - ``d``: the elders asked, each as their record stood on ``:day``, with ``d.status`` (the status that day),
      ``d.supporters`` (how many that day) and sa's s<i>; materialized when several groups read it;
    - ``ov``: the overrides in force on ``:day``."""
    supporters = supporter_history.rows_on_day_sql(elders=_IDS if narrowed else None)
    tested = [g for g in wanted if any(t.supporter for t in RULES[g])]
    # the supporters are read only when a group asked looks at them (every group, for the reasons)
    counted = not wanted or any("d.supporters" in t.sql for g in wanted for t in RULES[g]) or tested
    flags = "".join(f", MAX({' OR '.join(_applies(t) for t in RULES[g] if t.supporter)}) AS s{GROUPS.index(g)}"
                    for g in tested)
    fields = ", ".join(f"{field_history.on_day_column(f)} AS {f}" for f in _FIELDS)
    later = field_history.values_on_sql(_FIELDS, only=f" AND elder_id IN {_IDS}" if narrowed else "")
    # one group reads only its own fields (SQLite leaves the others out); several read each field once
    materialized = " MATERIALIZED" if len(wanted) > 1 else ""
    head = (f"WITH sd AS {supporters}, sa AS (SELECT s.elder_id, COUNT(*) AS n{flags} FROM sd s GROUP BY s.elder_id),"
            if counted else "WITH")
    return (f"{head} d AS{materialized} (SELECT e.id AS id, {fields}, {elders.STATUS_ON_DAY_SQL} AS status"
            + (f", IFNULL(sa.n, 0) AS supporters{''.join(f', sa.s{GROUPS.index(g)}' for g in tested)}" if counted else "")
            + f" FROM elders e LEFT JOIN {later} h ON h.elder_id = e.id"
            + (" LEFT JOIN sa ON sa.elder_id = e.id" if counted else "")
            + f"{f' WHERE e.id IN {_IDS}' if narrowed else ''}), ov AS ({_overrides_sql(narrowed)})")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _overrides_sql(narrowed: bool) -> str:
    """The overrides in force on ``:day`` (``narrowed``: of the elders of ``:ids``), one row per elder: m<i>, k<i>,
    r<i> (member, sub-kind, reason) of GROUPS[i]; of two in force for one group the latest (since, then id) wins."""
    pivot = ", ".join(
        f"MAX(CASE WHEN group_name = {_quoted(g)} THEN {column} END) AS {key}{i}"
        for i, g in enumerate(GROUPS) for column, key in (("member", "m"), ("sub_kind", "k"), ("reason", "r")))
    return (f"SELECT elder_id, {pivot} FROM (SELECT o.*, ROW_NUMBER() OVER (PARTITION BY elder_id, group_name"
            " ORDER BY since DESC, id DESC) AS n FROM elder_group_overrides o WHERE since <= :day"
            f" AND (until IS NULL OR until > :day){f' AND elder_id IN {_IDS}' if narrowed else ''})"
            " WHERE n = 1 GROUP BY elder_id")


def _asked(db, on: dt.date | str | None, elder_ids: list[int] | None) -> tuple[bool, dict]:
    """Are only ``elder_ids`` asked (not the whole ledger), and the named parameters (the day, the rule's numbers,
    ``ids``) of the queries."""
    params = rule_params(settings.get_all(db), dt.date.fromisoformat(_iso(on)))
    if elder_ids is None:
        return False, params
    params["ids"] = json.dumps(list(elder_ids))
    return True, params


def memberships(db, on: dt.date | str | None = None, elder_ids: list[int] | None = None) -> dict[int, list[Membership]]:
    """Every group's verdict with its reasons for each elder (all, or ``elder_ids``) on ``on`` (default today):
    the tests of ``RULES`` on the record as it stood that day, then the overrides in force that day."""
    if elder_ids is not None and not elder_ids:
        return {}
    narrowed, params = _asked(db, on, elder_ids)
    tests = [(g, k, t) for g in GROUPS for k, t in enumerate(RULES[g])]
    own = ", ".join(f"{_applies(t)} AS t_{GROUPS.index(g)}_{k}" for g, k, t in tests if not t.supporter)
    per_supporter = ", ".join(f"{_applies(t)} AS t_{GROUPS.index(g)}_{k}" for g, k, t in tests if t.supporter)
    common = _with_sql(narrowed, ())
    rows = db.execute(f"{common} SELECT d.*, ov.*, {own} FROM d LEFT JOIN ov ON ov.elder_id = d.id", params)
    names = [c[0] for c in rows.description]
    rows = [dict(zip(names, r, strict=True)) for r in rows]
    supporters: dict[int, list[dict]] = {}
    cursor = db.execute(f"{common} SELECT s.elder_id, s.name, s.employer_type, {MONTHS_AWAY_SQL} AS months_away,"
                        f" {per_supporter} FROM d JOIN sd s ON s.elder_id = d.id"
                        " ORDER BY s.elder_id, s.sort_order, s.id", params)
    columns = [c[0] for c in cursor.description]
    for r in cursor:
        supporters.setdefault(r[0], []).append({**params, **dict(zip(columns, r, strict=True))})
    result = {}
    for row in rows:
        values = {**params, **row}
        verdicts = []
        for i, group in enumerate(GROUPS):
            reasons = said(RULES[group], values, supporters.get(row["id"], []), f"t_{i}_{{}}".format)
            m = Membership(group, not reasons, reasons, sub_kind=None if reasons else DERIVED_SUB_KIND.get(group))
            if row[f"m{i}"] is not None:
                m.member, m.source, m.reasons = bool(row[f"m{i}"]), "override", [f"经办人认定：{row[f'r{i}']}"]
                m.sub_kind = row[f"k{i}"] if m.member else None
            verdicts.append(m)
        result[row["id"]] = verdicts
    return result


def _flags_sql(narrowed: bool, wanted: tuple[str, ...]) -> str:
    """Per elder asked: id, then 1/0 for each of ``wanted``: the override in force, else the record's verdict."""
    flags = ", ".join(f"COALESCE(ov.m{GROUPS.index(g)}, {_derived_sql(g)})" for g in wanted)
    return f"{_with_sql(narrowed, wanted)} SELECT d.id, {flags} FROM d LEFT JOIN ov ON ov.elder_id = d.id"


def member_names(db, on: dt.date | str | None = None,
                 elder_ids: list[int] | None = None) -> dict[int, list[str]]:
    """``names(memberships(db, on, elder_ids)[id])`` for each elder, in one query without the reasons: for the
    lists and counts over a whole township (per-group coverage, the elders' own plans)."""
    if elder_ids is not None and not elder_ids:
        return {}
    narrowed, params = _asked(db, on, elder_ids)
    return {row[0]: [g for g, flag in zip(GROUPS, row[1:], strict=True) if flag]
            for row in db.execute(_flags_sql(narrowed, GROUPS), params)}


def groups_of(db, elder_id: int, on: dt.date | str | None = None) -> list[Membership]:
    """The groups an elder belonged to on ``on`` (default today), in ``GROUPS`` order."""
    return [m for m in memberships(db, on, [elder_id]).get(elder_id, []) if m.member]


def names(verdicts: list[Membership]) -> list[str]:
    return [m.group for m in verdicts if m.member]


_REMEMBERED = 8 * len(GROUPS)  # days × groups kept


def members(db, group: str, on: dt.date | str | None = None) -> list[int]:
    """The ids of the elders in ``group`` on ``on``, in order.

    One query over the ledger for that group alone, kept with the connection until the ledger changes
    (``changes.data_stamp``): a screen filtered by group, its count and its chart ask again without reading the
    records each time."""
    group = require(group)
    day = _iso(on)
    state = data_stamp(db)
    remembered = db.__dict__.setdefault("_group_members", {})
    if remembered.get("state") != state or len(remembered) > _REMEMBERED:
        remembered.clear()
        remembered["state"] = state
    found = remembered.get((day, group))
    if found is None:
        found = remembered[(day, group)] = _read_members(db, group, day)
    return list(found)


def _read_members(db, group: str, day: str) -> list[int]:
    """``members`` read from the ledger: one query for that group alone."""
    narrowed, params = _asked(db, day, None)
    return sorted(elder_id for elder_id, member in db.execute(_flags_sql(narrowed, (group,)), params) if member)


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


def _required_reason(reason: str | None, action: str, hint: str = "") -> str:
    """The reason for ``action`` (改定“独居”…), trimmed: required, at most ``REASON_LIMIT`` characters."""
    reason = (reason or "").strip()
    if not reason:
        raise UserError(f"{action}须填写原因")
    if len(reason) > REASON_LIMIT:
        raise UserError(f"{action}的原因不能超过 {REASON_LIMIT} 字（现为 {len(reason)} 字）{hint}")
    return reason


def set_override(db, elder_id: int, group: str, member: bool, reason: str, since: dt.date | str,
                 sub_kind: str | None = None) -> int:
    """Put an elder in (``member``) or out of ``group`` from ``since`` on, with a reason; ends the override of
    that group in force until then. Audited. Returns the new row's id."""
    group = require(group)
    reason = _required_reason(reason, f"改定“{group}”", "，请写明要点")
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
    reason = _required_reason(reason, f"恢复“{group}”按台账记录认定")
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
