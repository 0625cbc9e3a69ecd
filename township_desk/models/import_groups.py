"""Visit groups (巡访对象类别) in a clerk's workbook: a 类别 / 老人类型 / 对象类别 column, yes/no columns (是否空巢,
是否重点优抚 …) and a sheet whose name or title names a group (城东社区城市独居老人台账).

What the record can say is written to the record, so the groups stay derived (``models.groups``): 城市独居 is a
city household living alone, 农村留守 a rural household, 独居 the 独居 flag, 计划生育特殊家庭 and 失独 their flags —
each only where the sheet has no column of its own for that field. What the record cannot say becomes the clerk's
override with the workbook as its reason: 特殊困难 (重点优抚, 其他). A group the sheet names that the record then
does not give (a couple living together marked 城市独居, 失能 without an ability level) is a warning naming why; it is
never forced, so seed 003's exclusions and the one 留守 rule stand.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from township_desk.models import groups

# Column targets ``ledger_import`` maps headings to: GROUP_COLUMN (a column of group words) and FLAG_PREFIX + group
# (a yes/no column for one group; 特殊困难 with its sub-kind as ``特殊困难/重点优抚``).
GROUP_COLUMN = "groups"
FLAG_PREFIX = "group:"

# Headings, tried by ``ledger_import.match_heading`` like its own rules (full match, spaces and brackets removed).
HEADING_RULES: list[tuple[str, str]] = [
    (FLAG_PREFIX + groups.URBAN_ALONE, r"是否城(?:市|镇)独居(?:老人)?"),
    (FLAG_PREFIX + groups.RURAL_LEFT_BEHIND, r"是否(?:农村)?留守(?:老人|老年人)?"),
    (FLAG_PREFIX + groups.EMPTY_NEST, r"(?:是否)?空巢(?:老人)?"),
    (FLAG_PREFIX + groups.SPECIAL + "/重点优抚", r"(?:是否)?重点优抚(?:对象)?"),
    (FLAG_PREFIX + groups.SPECIAL, r"是否特殊困难(?:老人|老年人)?"),
    (FLAG_PREFIX + groups.DISABLED, r"是否失能"),
    (FLAG_PREFIX + groups.SEVERELY_DISABLED, r"(?:是否)?重(?:度)?残(?:疾)?"),
    (GROUP_COLUMN, r"(?:巡访|关爱)?对象(?:类别|类型)|(?:老人|老年人|人员)(?:类别|类型|分类)|类别|类型"),
]

# Words in a group column, in the order they are looked for.
_WORDS: list[tuple[str, re.Pattern]] = [
    (groups.URBAN_ALONE, re.compile(r"城(?:市|镇|区)独居")),
    (groups.RURAL_LEFT_BEHIND, re.compile(r"留守")),
    (groups.SPECIAL, re.compile(r"特殊困难|优抚|计划生育|计生|失独")),
    (groups.ALONE, re.compile(r"独居")),
    (groups.EMPTY_NEST, re.compile(r"空巢")),
    (groups.DISABLED, re.compile(r"失能")),
    (groups.SEVERELY_DISABLED, re.compile(r"重残|重度残疾")),
]
_PRIORITY_CARE = re.compile(r"优抚|退役军人|军属|烈属|伤残军人")
_FAMILY_PLANNING = re.compile(r"计划生育|计生|失独")
_LOST_ONLY_CHILD = re.compile(r"失独")
# A 类别 column of some workbooks holds the visit tier: those values go to 巡访类别.
TIER_VALUES = {"重点": "重点", "一般": "一般", "重点巡访": "重点", "普遍巡访": "一般", "一般巡访": "一般",
               "重点对象": "重点", "一般对象": "一般"}
# Groups the sheet's word puts into the record (field, value); the rest are checked or overridden.
_RECORD = {groups.URBAN_ALONE: {"rural_hukou": False, "lives_alone": True}, groups.RURAL_LEFT_BEHIND: {"rural_hukou": True},
           groups.ALONE: {"lives_alone": True}, groups.SEVERELY_DISABLED: {"is_disabled": True}}
# 重度残疾 is 残疾 of grade 一级 or 二级 (残联's grading): a sheet saying 重残/重度残疾 “是” without a grade of its own
# gives the record this grade — what the sheet says, no more; ``groups.severe_grade`` reads it as severe.
SEVERE_GRADE_UNKNOWN = "一级或二级"


@dataclass
class GroupClaim:
    """One group a workbook row names: the group (its 特殊困难 sub-kind), in or out, and where it was written
    (the heading, or the sheet's title, and the text)."""

    group: str
    member: bool
    source: str  # 〔heading〕“value”, or 标题“…”
    sub_kind: str | None = None


def _special_kind(text: str) -> str:
    if _FAMILY_PLANNING.search(text):
        return "计划生育特殊家庭"
    return "重点优抚" if _PRIORITY_CARE.search(text) else "其他"


def words(text: str, source: str) -> list[GroupClaim]:
    """The groups a text names (城市独居老人、特殊困难（重点优抚）…), each a claim of membership."""
    found = []
    for group, pattern in _WORDS:
        if pattern.search(text) and not (group == groups.ALONE and _WORDS[0][1].search(text)):
            found.append(GroupClaim(group, True, source, _special_kind(text) if group == groups.SPECIAL else None))
    return found


def sheet_claims(sheet_name: str, title_rows: list[str]) -> list[GroupClaim]:
    """The group a sheet's name or its title rows name (``XX社区城市独居老人台账``), which then holds for every row
    of a sheet without a group column. Only a title naming one group says who is on it: 农村留守 is the ledger's
    usual name and says nothing, and 留守老人及特殊困难老人台账 lists two kinds of people, not one."""
    for text in [sheet_name, *title_rows]:
        found = words(text, f"标题“{text}”")
        if found:
            return found if len(found) == 1 and found[0].group != groups.RURAL_LEFT_BEHIND else []
    return []


# What a yes/no group column may hold (compared in lower case). "/" and dashes are how clerks write "none".
_YES = {"是", "是的", "√", "✓", "✔", "☑", "有", "y", "yes", "true", "1", "对"}
_NO = {"否", "不", "不是", "非", "无", "没有", "×", "✗", "✘", "n", "no", "false", "0", "/", "／", "-", "－", "—", "——"}


def _yes_no(value: Any, text: str, group: str, sub_kind: str) -> bool | None:
    """A yes/no group cell read strictly: its yes or no words, or the group's own word (空巢 in 是否空巢) as a yes;
    None for anything else (未知, 待定, 2 …), which is not taken as a yes."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = text.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    named = [c.group for c in words(text, "")]
    if group in named or (sub_kind and sub_kind in text):
        return True
    return None


def read_row(values: dict[str, tuple[str, Any]]) -> tuple[list[GroupClaim], str | None, list[tuple[str, str]]]:
    """The claims of one row's group columns (target -> (heading, value)), a tier a 类别 column held instead, and
    the cells that were not understood (heading, message): a yes/no cell that is neither, a 类别 cell naming no
    group. Those say nothing about the groups."""
    claims: list[GroupClaim] = []
    tier = None
    unread: list[tuple[str, str]] = []
    for target, (heading, value) in values.items():
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a reader's 2.0 is the 2 the clerk typed
        text = str(value).strip() if value is not None else ""
        if not text:
            continue
        shown = text if len(text) <= 60 else text[:60] + "…"
        source = f"〔{heading}〕“{shown}”"  # quoted in warnings and in an override's reason: a cell may be a page long
        if target == GROUP_COLUMN:
            if text in TIER_VALUES:
                tier = TIER_VALUES[text]
                continue
            found = words(text, source)
            if not found:
                unread.append((heading, f"{source}不是巡访对象类别（可写：{'、'.join(groups.GROUPS)}，或重点/一般），"
                                        "未据此认定类别"))
            claims += found
        elif target.startswith(FLAG_PREFIX):
            group, _slash, sub_kind = target[len(FLAG_PREFIX):].partition("/")
            answer = _yes_no(value, text, group, sub_kind)
            if answer is None:
                unread.append((heading, f"{source}应填“是”或“否”，未据此认定{sub_kind or group}"))
                continue
            claims.append(GroupClaim(group, answer, source,
                                     (sub_kind or _special_kind(text)) if group == groups.SPECIAL else None))
    return claims, tier, unread


def flag_column_holds_field(target: str, values: list[Any]) -> bool:
    """Does a column read as a group's yes/no column hold the record's field instead? A 重度残疾 column of 一级,
    肢体残疾二级 … (cells ``_yes_no`` does not read as yes or no) is the 残疾 category and grade (read as the
    残疾类别及等级 column), not 重残 是/否."""
    if target != FLAG_PREFIX + groups.SEVERELY_DISABLED:
        return False
    texts = [(v, str(v).strip()) for v in values if v is not None and str(v).strip()]
    return any(_yes_no(v, text, groups.SEVERELY_DISABLED, "") is None for v, text in texts)


def record_fields(claims: list[GroupClaim], data: dict[str, Any]) -> dict[str, Any]:
    """The record's fields the claims state (城市独居: a city household living alone; 重残: 残疾, and when the row
    gives no grade ``SEVERE_GRADE_UNKNOWN`` …), leaving out a field the row already has from a column of its own."""
    fields: dict[str, Any] = {}
    for claim in claims:
        if not claim.member:
            continue
        wanted = dict(_RECORD.get(claim.group, {}))
        if claim.group == groups.SEVERELY_DISABLED and not data.get("disability_grade") \
                and data.get("is_disabled") not in (False, 0):
            wanted["disability_grade"] = SEVERE_GRADE_UNKNOWN
        if claim.group == groups.SPECIAL and claim.sub_kind == "计划生育特殊家庭":
            wanted["family_planning_special"] = True
            if _LOST_ONLY_CHILD.search(claim.source):
                wanted["lost_only_child"] = True
        fields.update({k: v for k, v in wanted.items() if k not in data})
    return fields


def settle(db, claimed: list[tuple[int, list[GroupClaim], str]], on: dt.date) -> list[tuple[int, str]]:
    """After the rows are saved: each elder's claims (elder id, claims, where: 文件·工作表 第N行) against the groups
    the saved record gives on ``on``. 特殊困难 that the record does not give (重点优抚, 其他) is set as an override
    with the workbook as its reason; any other group the record does not give is returned as a warning
    (index in ``claimed``, message) with the reasons, nothing forced."""
    verdicts = groups.memberships(db, on, [elder_id for elder_id, _c, _w in claimed])
    warnings: list[tuple[int, str]] = []
    for index, (elder_id, claims, where) in enumerate(claimed):
        by_group = {m.group: m for m in verdicts.get(elder_id, [])}
        for claim in claims:
            now = by_group.get(claim.group)
            if now is None or now.member == claim.member and (
                    not claim.member or claim.group != groups.SPECIAL or now.sub_kind == claim.sub_kind):
                continue
            if (claim.group == groups.SPECIAL and not claim.member and now.member and claim.sub_kind
                    and now.sub_kind != claim.sub_kind):
                continue  # 是否重点优抚：否 says not 重点优抚; the elder is 特殊困难 for another reason (计划生育特殊家庭)
            if claim.group == groups.SPECIAL and (not claim.member or claim.sub_kind != "计划生育特殊家庭"):
                reason = f"导入台账：{where} {claim.source}"
                groups.set_override(db, elder_id, claim.group, claim.member, reason, on, claim.sub_kind)
            elif claim.member:
                warnings.append((index, f"表中{claim.source}，但按台账记录不属于{claim.group}："
                                        f"{'；'.join(now.reasons) or '条件不符'}（如确属，请在老人档案中改定类别并写明原因）"))
            else:
                warnings.append((index, f"表中{claim.source}，但按台账记录属于{claim.group}"
                                        "（如确不属于，请在老人档案中改定类别并写明原因）"))
    return warnings
