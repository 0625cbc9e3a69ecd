"""Risk grades (风险等级评估): the factors, the grade rule, recording an assessment, who is due one.

The rule (spec/domain.md "Risk grade", after the Ningbo and Chongqing texts) lives here and nowhere else:
- factors: 高龄 (80 full years or more on the assessment date), 失能 (ability level 2 or worse), 失智, 独居,
  无人照料, 残疾, 患重特大疾病, 经济困难 (低保/特困/低保边缘), 失独, an unresolved hazard on that date, and
  the last visit on or before that date rating any safety item 不安全 or any health/mental item 差;
- 高: 无人照料 together with 失能 or 失智, or an unresolved hazard, or 3 or more factors;
- 中: 1–2 factors; 低: none.
The grade maps to a visit tier through the settings ``tier_for_high/medium/low``.

``factors_of`` and ``grade_for`` are pure (no database) so the demo generator can grade in bulk.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from township_desk.models import ability as ability_model
from township_desk.models import audit, field_history, settings
from township_desk.models.dates import age_on, required_date
from township_desk.models.elders import ABILITY_LEVELS, AGED_FROM
from township_desk.models.errors import UserError
from township_desk.models.villages import VILLAGE_ORDER_SQL

AGED = "高龄"
DISABLED_ABILITY = "失能"
DEMENTIA = "失智"
ALONE = "独居"
NO_CARE = "无人照料"
DISABILITY = "残疾"
SERIOUS_ILLNESS = "患重特大疾病"
HARDSHIP = "经济困难"
LOST_ONLY_CHILD = "失独"
OPEN_HAZARD = "存在未处置的风险隐患"
LAST_VISIT = "最近一次巡访发现安全隐患或状况差"

FACTORS: tuple[str, ...] = (AGED, DISABLED_ABILITY, DEMENTIA, ALONE, NO_CARE, DISABILITY, SERIOUS_ILLNESS,
                            HARDSHIP, LOST_ONLY_CHILD, OPEN_HAZARD, LAST_VISIT)
GRADES = ("高", "中", "低")
GRADE_LABELS = {"高": "高风险（一级）", "中": "中风险（二级）", "低": "低风险（三级）"}
TIER_SETTING = {"高": "tier_for_high", "中": "tier_for_medium", "低": "tier_for_low"}
STATUSES_ASSESSABLE = ("在册", "暂离")

DISABLED_FROM_LEVEL = 2            # 中度受损（中度失能） or worse
HIGH_FROM_COUNT = 3
DUE_AFTER_DAYS = 365               # an assessment more than 365 days old is due
HARDSHIP_KINDS = ("低保", "特困", "低保边缘")

# Items of the visit record (巡访登记表) the last-visit factor reads, with their labels.
VISIT_HEALTH_ITEMS = {"expression": "表达能力", "mobility": "行动能力", "illness": "疾病状况",
                      "mood": "情绪状态", "thinking": "思维状态", "stress": "压力状态"}
VISIT_SAFETY_ITEMS = {"gas_safety": "燃气", "heating_safety": "取暖", "electric_safety": "用电"}


@dataclass
class Suggestion:
    """The suggested grade, the factors that produced it, and why, in Chinese.

    ``sources`` says for each factor where it comes from (ledger field, visit, hazard); ``grade_for``
    leaves it empty because it only sees labels.
    """

    grade: str
    factors: list[str]
    reasons: list[str]
    sources: dict[str, str] = field(default_factory=dict)

    def rule_reasons(self) -> list[str]:
        """The reasons that say why the grade is what it is, without the per-factor source lines."""
        source_lines = {f"{factor}：{text}" for factor, text in self.sources.items()}
        return [r for r in self.reasons if r not in source_lines]


# ---------------------------------------------------------------- the rule (pure)


def last_visit_findings(visit: dict | None) -> list[str]:
    """What a visit record found: each safety item rated 不安全 and each health/mental item rated 差."""
    if not visit:
        return []
    found = [f"{label}不安全" for key, label in VISIT_SAFETY_ITEMS.items() if visit.get(key) == "不安全"]
    found += [f"{label}差" for key, label in VISIT_HEALTH_ITEMS.items() if visit.get(key) == "差"]
    return found


def factor_sources(elder: dict, *, open_hazard: bool, last_visit: dict | None, as_of: dt.date,
                   hazard_text: str | None = None) -> dict[str, str]:
    """Each factor that holds for ``elder`` on ``as_of`` → where it comes from, in ``FACTORS`` order. Pure.

    ``elder`` is an elders row (dict); ``open_hazard`` whether a hazard found on or before ``as_of`` was still
    unresolved then (``hazard_text`` describes it, optional); ``last_visit`` the last visit on or before
    ``as_of`` (a visits row) or None.
    """
    as_of = required_date(as_of, "日期")
    found: dict[str, str] = {}
    birth = elder.get("birth_date")
    if birth:
        age = age_on(birth, as_of)
        if age >= AGED_FROM:
            found[AGED] = f"{as_of.isoformat()} 时 {age} 周岁（出生日期 {birth}）"
    level = elder.get("ability_level")
    if level is not None and int(level) >= DISABLED_FROM_LEVEL:
        found[DISABLED_ABILITY] = f"能力等级：{ABILITY_LEVELS.get(int(level), level)}"
    if elder.get("has_dementia"):
        found[DEMENTIA] = "台账登记为失智"
    if elder.get("lives_alone"):
        found[ALONE] = "台账登记为独居"
    if elder.get("care") == "无人照料":
        found[NO_CARE] = "台账照料情况为“无人照料”"
    if elder.get("is_disabled"):
        detail = " ".join(x for x in (elder.get("disability_category"), elder.get("disability_grade")) if x)
        found[DISABILITY] = "台账登记为残疾" + (f"（{detail}）" if detail else "")
    if elder.get("is_ill"):
        found[SERIOUS_ILLNESS] = "台账登记为患病" + (f"（{elder['illness_type']}）" if elder.get("illness_type") else "")
    if elder.get("hardship") in HARDSHIP_KINDS:
        found[HARDSHIP] = f"困难类型：{elder['hardship']}"
    if elder.get("lost_only_child"):
        found[LOST_ONLY_CHILD] = "台账登记为失独"
    if open_hazard:
        found[OPEN_HAZARD] = hazard_text or f"截至 {as_of.isoformat()} 有风险隐患尚未处置"
    findings = last_visit_findings(last_visit)
    if findings:
        when = last_visit.get("date") or ""
        mode = last_visit.get("mode") or ""
        found[LAST_VISIT] = f"{when} {mode}巡访发现：{'、'.join(findings)}".strip()
    return found


def factors_of(elder: dict, *, open_hazard: bool, last_visit: dict | None, as_of: dt.date) -> list[str]:
    """The risk factors of ``elder`` on ``as_of`` (labels of ``FACTORS``, in that order). Pure: no database."""
    return list(factor_sources(elder, open_hazard=open_hazard, last_visit=last_visit, as_of=as_of))


def grade_for(factors: list[str]) -> Suggestion:
    """The grade the rule gives for these factors, with the reasons in Chinese. Pure."""
    unknown = [f for f in factors if f not in FACTORS]
    if unknown:
        raise ValueError(f"unknown risk factors: {unknown}")
    present = [f for f in FACTORS if f in factors]
    reasons: list[str] = []
    if NO_CARE in present and (DISABLED_ABILITY in present or DEMENTIA in present):
        with_what = "、".join(f for f in (DISABLED_ABILITY, DEMENTIA) if f in present)
        reasons.append(f"无人照料且{with_what} → 高风险")
    if OPEN_HAZARD in present:
        reasons.append("存在未处置的风险隐患 → 高风险")
    count = len(present)
    if count >= HIGH_FROM_COUNT:
        reasons.append(f"共{count}项风险因素（{'、'.join(present)}） → 高风险")
    if reasons:
        return Suggestion("高", present, reasons)
    if count:
        return Suggestion("中", present, [f"共{count}项风险因素（{'、'.join(present)}） → 中风险"])
    return Suggestion("低", present, ["无风险因素 → 低风险"])


# ---------------------------------------------------------------- reading the ledger


def _elder_row(db, elder_id: int) -> dict:
    rows = list(db.query("SELECT * FROM elders WHERE id = ?", [elder_id]))
    if not rows:
        raise UserError(f"找不到编号为 {elder_id} 的老人记录")
    return rows[0]


def open_hazards_on(db, elder_id: int, as_of: dt.date) -> list[dict]:
    """Hazards of the elder found on or before ``as_of`` and not resolved by then, oldest first."""
    day = as_of.isoformat()
    return list(db.query(
        "SELECT * FROM hazards WHERE elder_id = ? AND found_on <= ? AND (resolved_on IS NULL OR resolved_on > ?)"
        " ORDER BY found_on, id", [elder_id, day, day]))


def last_visit_on(db, elder_id: int, as_of: dt.date) -> dict | None:
    """The elder's last visit (any mode) on or before ``as_of``."""
    rows = list(db.query("SELECT * FROM live_visits WHERE elder_id = ? AND date <= ? ORDER BY date DESC, id DESC LIMIT 1",
                         [elder_id, as_of.isoformat()]))
    return rows[0] if rows else None


def _hazard_text(hazards: list[dict]) -> str | None:
    if not hazards:
        return None
    parts = [f"{h['found_on']} 发现“{h['description']}”" for h in hazards[:3]]
    more = f"等共 {len(hazards)} 项" if len(hazards) > 3 else ""
    return "、".join(parts) + more + "，尚未处置"


def _suggest_for(db, elder: dict, as_of: dt.date, ability_level: int | None) -> Suggestion:
    row = dict(elder)
    if ability_level is not None:
        row["ability_level"] = ability_level
    hazards = open_hazards_on(db, row["id"], as_of)
    sources = factor_sources(row, open_hazard=bool(hazards), last_visit=last_visit_on(db, row["id"], as_of),
                             as_of=as_of, hazard_text=_hazard_text(hazards))
    if ability_level is not None and DISABLED_ABILITY in sources:
        sources[DISABLED_ABILITY] = f"本次能力评估：{ABILITY_LEVELS[ability_level]}"
    result = grade_for(list(sources))
    reasons = result.reasons + [f"{factor}：{text}" for factor, text in sources.items()]
    return Suggestion(result.grade, result.factors, reasons, sources)


def suggest(db, elder_id: int, as_of: dt.date | str, *, ability_level: int | None = None) -> Suggestion:
    """The suggested grade of one elder on ``as_of`` from the ledger, the hazards and the last visit.

    ``ability_level`` replaces the ledger's level (an ability assessment done in the same sitting).
    ``reasons`` begin with the rule's lines and go on with each factor's source.
    """
    return _suggest_for(db, _elder_row(db, elder_id), required_date(as_of, "评估日期"), ability_level)


# ---------------------------------------------------------------- before the first assessment


def is_assessed(db, elder_id: int) -> bool:
    return db.execute("SELECT 1 FROM assessments WHERE elder_id = ? LIMIT 1", [elder_id]).fetchone() is not None


def _provisional(db, elder: dict, suggestion: Suggestion) -> tuple[str, str]:
    """(tier, note) for a never-assessed elder: the suggested grade's tier, or 重点 when the record says so."""
    suggested_tier = settings.get(db, TIER_SETTING[suggestion.grade])
    current = elder.get("tier") or "一般"
    tier = "重点" if "重点" in (suggested_tier, current) else suggested_tier
    why = "、".join(suggestion.factors) or "无风险因素"
    return tier, (f"尚未做风险评估（待评估）：系统建议{GRADE_LABELS[suggestion.grade]}（{why}），"
                  f"巡访类别暂按“{tier}”，评估后按评估结果确定")


def entry_tier(db, row: dict, as_of: dt.date) -> str | None:
    """At entry (a record not yet saved, so no visit or hazard yet) the tier follows the suggested grade: sets
    ``row["tier"]`` and returns the clerk's note when that changes the tier given, else None."""
    suggestion = grade_for(factors_of(row, open_hazard=False, last_visit=None, as_of=as_of))
    tier, note = _provisional(db, row, suggestion)
    changed = tier != (row.get("tier") or "一般")
    row["tier"] = tier
    return note if changed else None


def provisional_tier(db, elder_id: int, as_of: dt.date) -> str | None:
    """While an elder has never been assessed (待评估), the visit tier follows the suggested grade as of ``as_of``
    (through the settings' grade → tier mapping), so that someone who should be 重点 is not visited monthly
    meanwhile; a 重点 on the record is kept (fewer visits wait for an assessment).

    Sets the tier when it has to change (audited, inside the caller's transaction) and returns the clerk's note
    about it, or None when the elder is assessed or nothing changes.
    """
    if is_assessed(db, elder_id):
        return None
    elder = _elder_row(db, elder_id)
    tier, note = _provisional(db, elder, _suggest_for(db, elder, as_of, None))
    current = elder.get("tier") or "一般"
    if tier == current:
        return None
    with db.atomic():
        db.execute("UPDATE elders SET tier = ? WHERE id = ?", [tier, elder_id])
        field_history.record(db, elder_id, [("tier", current, tier)], as_of, "待评估")  # a month over keeps its tier
        audit.record(db, "待评估", "elders", elder_id, _label(elder), "tier", current, tier)
    return note


# ---------------------------------------------------------------- recording


def _label(elder: dict) -> str:
    return f"{elder['name']} {elder['id_number']}"


def record_assessment(db, elder_id: int, *, date: dt.date | str, assessor: str | None,
                      final_grade: str | None = None, override_reason: str | None = None,
                      ability: Any = None, today: dt.date | None = None) -> int:
    """Record one assessment of an elder and return its id.

    The suggestion is computed as of ``date`` (with the ability result's level when ``ability`` is given:
    an ``ability.AbilityResult`` or what its ``stored()`` returns — scored again here). ``final_grade``
    defaults to the suggestion; a different one needs an ``override_reason``. When this is the elder's latest
    assessment by date, the elder's risk grade and tier (settings mapping) follow the final grade, and the
    ability level follows the ability result unless a later assessment has one. Every change is in the audit
    log; everything happens in one transaction. UserError (Chinese) for a date in the future or before the
    elder entered the ledger, an elder not 在册/暂离, a missing assessor, an unknown grade, a missing reason.
    """
    today = today or dt.date.today()
    day = required_date(date, "评估日期")
    if day > today:
        raise UserError(f"评估日期 {day.isoformat()} 晚于今天（{today.isoformat()}）")
    assessor = (assessor or "").strip()
    if not assessor:
        raise UserError("请填写评估人")
    if final_grade is not None and final_grade not in GRADES:
        raise UserError(f"最终等级“{final_grade}”不在可选范围：{'、'.join(GRADES)}")
    reason = (override_reason or "").strip() or None
    result = None
    if ability is not None:
        stored = ability.stored() if hasattr(ability, "stored") else ability
        result = ability_model.from_stored(stored)

    with db.atomic():
        elder = _elder_row(db, elder_id)
        if elder["status"] not in STATUSES_ASSESSABLE:
            raise UserError(f"{elder['name']}的状态为“{elder['status']}”，不在册，不能做风险评估")
        if day.isoformat() < elder["entered_on"]:
            raise UserError(f"评估日期 {day.isoformat()} 早于{elder['name']}纳入台账的日期 {elder['entered_on']}")
        suggestion = _suggest_for(db, elder, day, result.level if result else None)
        final = final_grade or suggestion.grade
        if final != suggestion.grade and not reason:
            raise UserError(f"最终等级“{GRADE_LABELS[final]}”与系统建议的“{GRADE_LABELS[suggestion.grade]}”不同，"
                            "须填写调整理由")
        assessment_id = db.execute(
            "INSERT INTO assessments(elder_id, date, assessor, factors, suggested_grade, final_grade, override_reason,"
            " ability_items, ability_score, ability_level) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [elder_id, day.isoformat(), assessor, json.dumps(suggestion.factors, ensure_ascii=False),
             suggestion.grade, final, reason,
             json.dumps(result.stored(), ensure_ascii=False) if result else None,
             result.total if result else None, result.level if result else None]).lastrowid
        label = _label(elder)
        summary = f"{day.isoformat()} 建议{suggestion.grade}，最终{final}" + (f"（调整理由：{reason}）" if reason else "")
        if result:
            summary += f"；能力评估 {result.total} 分，{result.label}"
        audit.record(db, "新增", "assessments", assessment_id, label, None, None, summary)

        changes: dict[str, Any] = {}
        later = db.execute("SELECT COUNT(*) FROM assessments WHERE elder_id = ? AND date > ?",
                           [elder_id, day.isoformat()]).fetchone()[0]
        if not later:
            changes["risk_grade"] = final
            changes["tier"] = settings.get(db, TIER_SETTING[final])
        if result:
            later_ability = db.execute(
                "SELECT COUNT(*) FROM assessments WHERE elder_id = ? AND date > ? AND ability_level IS NOT NULL",
                [elder_id, day.isoformat()]).fetchone()[0]
            if not later_ability:
                changes["ability_level"] = result.level
        changed = {k: v for k, v in changes.items() if elder.get(k) != v}
        if changed:
            sets = ", ".join(f"{k} = ?" for k in changed)
            db.execute(f"UPDATE elders SET {sets}, updated_at = ? WHERE id = ?",
                       [*changed.values(), dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), elder_id])
            field_history.record(db, elder_id, [(k, elder.get(k), v) for k, v in changed.items()], day, "风险评估")
            for key, value in changed.items():
                before, after = elder.get(key), value
                if key == "ability_level":
                    before = ABILITY_LEVELS.get(before) if before is not None else None
                    after = ABILITY_LEVELS[value]
                audit.record(db, "风险评估", "elders", elder_id, label, key, before, after)
    return assessment_id


# ---------------------------------------------------------------- lists


def assessments_due(db, as_of: dt.date | str, *, village: str | None = None) -> list[dict]:
    """Elders 在册 never assessed, or whose latest assessment (on or before ``as_of``) is more than 365 days old.

    One set-based query: an elder is due when no assessment falls within the 365 days up to ``as_of``
    (an index seek per elder on ``assessments(elder_id, date)``). Each row: elder_id, name, id_number, village,
    tier, risk_grade, last_assessed (str|None), days_since (int|None). Never-assessed first, then the oldest
    assessment first; ``village`` (a name) narrows the list.
    """
    day = required_date(as_of, "日期")
    params: dict[str, Any] = {"day": day.isoformat(),
                              "cutoff": (day - dt.timedelta(days=DUE_AFTER_DAYS)).isoformat()}
    village_sql = ""
    if village:
        village_sql = " AND v.name = :village"
        params["village"] = village
    from township_desk.models import group_plans  # reads this module

    sql = f"""
        SELECT e.id AS elder_id, e.name, e.id_number, v.name AS village,
               {group_plans.visit_tier_sql(db)} AS tier, e.risk_grade,
               (SELECT MAX(x.date) FROM assessments x WHERE x.elder_id = e.id AND x.date <= :day) AS last_assessed
        FROM elders e JOIN villages v ON v.id = e.village_id
        WHERE e.status = '在册'{village_sql}
          AND NOT EXISTS (SELECT 1 FROM assessments r
                          WHERE r.elder_id = e.id AND r.date >= :cutoff AND r.date <= :day)
        ORDER BY last_assessed IS NOT NULL, last_assessed, {VILLAGE_ORDER_SQL}, e.name_initials, e.id"""
    rows = list(db.query(sql, params))
    for row in rows:
        last = row["last_assessed"]
        row["days_since"] = (day - dt.date.fromisoformat(last)).days if last else None
    return rows


def count_due(db, as_of: dt.date | str) -> int:
    """How many elders ``assessments_due`` would list (for the dashboard's figure), without building the rows."""
    day = required_date(as_of, "日期")
    return db.execute(
        """SELECT COUNT(*) FROM elders e
           WHERE e.status = '在册'
             AND NOT EXISTS (SELECT 1 FROM assessments r
                             WHERE r.elder_id = e.id AND r.date >= :cutoff AND r.date <= :day)""",
        {"day": day.isoformat(), "cutoff": (day - dt.timedelta(days=DUE_AFTER_DAYS)).isoformat()}).fetchone()[0]


def _decode(row: dict) -> dict:
    row["factors"] = json.loads(row["factors"] or "[]")
    row["ability_items"] = json.loads(row["ability_items"]) if row.get("ability_items") else None
    return row


def history(db, elder_id: int) -> list[dict]:
    """The elder's assessments, newest first, with ``factors`` (list) and ``ability_items`` (dict|None) decoded."""
    return [_decode(r) for r in db.query(
        "SELECT * FROM assessments WHERE elder_id = ? ORDER BY date DESC, id DESC", [elder_id])]


def latest_ability(db, elder_id: int) -> dict | None:
    """The stored answers of the elder's latest assessment that included the ability sub-form, or None."""
    rows = list(db.query("SELECT ability_items FROM assessments WHERE elder_id = ? AND ability_items IS NOT NULL"
                         " ORDER BY date DESC, id DESC LIMIT 1", [elder_id]))
    return json.loads(rows[0]["ability_items"]) if rows else None
