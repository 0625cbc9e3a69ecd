"""Mutual-aid care agreements (农村居家互助养老协议书, seed 002 attachments 3 and 4).

Lifecycle: 草稿 → 已签订 (signed date) → 已到期 (end date passed, ``expire_due``) or 已解除 (``terminate``).
A draft may be edited freely; a signed agreement's terms are frozen — a change is a renewal or a new
agreement. A no-fault termination needs 15 days' notice to the other party (解除协议 clause 2); a
termination for cause (clauses 3–5: fee unpaid a month, the carer not doing the job, disputes) does not.
Every write runs in one transaction and goes to the audit log.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from township_desk.models import audit, idnumber, paths, versions, villages
from township_desk.models.dates import DateError, parse_date, required_date
from township_desk.models.elders import Problem
from township_desk.models.errors import UserError, ValidationError
from township_desk.models.files import confined_path, copy_unique
from township_desk.models.names import check_name, normalise_name, normalise_phone

TEMPLATES = ("自理", "介助介护")
STATUSES = ("草稿", "已签订", "已到期", "已解除")
PARTIES = ("甲方", "乙方", "双方", "被助养老人", "村委会")
NOTICE_DAYS = 15  # 解除协议 clause 2: 应提前 15 日通知对方
FROZEN_MESSAGE = "已签订的协议不能修改，如需变更请续签或新签"
SCAN_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp")

# Every field of the paper agreement, in the form's order, with the label the window shows.
AGREEMENT_FIELDS: dict[str, str] = {
    "elder_id": "被助养老人",
    "template": "协议文本",
    "party_a_supporter_id": "委托人（从赡养人中选择）",
    "party_a_name": "甲方（委托人）姓名",
    "party_a_id_number": "甲方身份证号码",
    "party_a_relation": "甲方与被助养老人关系",
    "party_a_address": "甲方家庭住址",
    "party_a_phone": "甲方联系方式",
    "party_b_name": "乙方（受托人）姓名",
    "party_b_id_number": "乙方身份证号码",
    "party_b_address": "乙方家庭住址",
    "party_b_phone": "乙方联系方式",
    "elder_address": "被助养老人家庭住址",
    "elder_phone": "被助养老人联系方式",
    "committee_name": "村民委员会",
    "committee_staff": "村委会派出工作人员",
    "term_years": "服务期限（年）",
    "start_date": "起始日期",
    "end_date": "终止日期",
    "service_place": "服务地点",
    "hours_from": "每日服务从（时）",
    "hours_to": "每日服务至（时）",
    "hours_per_day": "或每天（小时）",
    "fee": "服务费",
    "other_terms": "其他约定（费用支付数额、方式、时间等）",
    "signed_on": "签订日期",
    "notice_on": "提前通知日期",
    "notice_by": "通知方",
    "terminated_on": "解除日期",
    "terminated_by": "解除方",
    "termination_reason": "解除原因",
    "terminated_for_cause": "因对方过错解除",
}

_TEXT = ("party_a_name", "party_a_relation", "party_a_address", "party_b_name", "party_b_address",
         "elder_address", "committee_name", "committee_staff", "service_place", "hours_from", "hours_to",
         "fee", "other_terms")
_TERMS = ("template", "party_a_supporter_id", "party_a_name", "party_a_id_number", "party_a_relation",
          "party_a_address", "party_a_phone", "party_b_name", "party_b_id_number", "party_b_address",
          "party_b_phone", "elder_address", "elder_phone", "committee_name", "committee_staff", "term_years",
          "start_date", "end_date", "service_place", "hours_from", "hours_to", "hours_per_day", "fee",
          "other_terms")
# What a signature needs: the parties, the term and its dates; the rest may be written on the paper.
_REQUIRED_TO_SIGN = ("party_a_name", "party_b_name", "party_b_id_number", "term_years", "start_date", "end_date")


@dataclass
class AgreementSaved:
    """What ``save_agreement`` did: the id, whether it is new, what changed (label, old, new), warnings."""

    agreement_id: int
    created: bool
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (31 January + 1 month = 28/29 February)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_end_date(start: dt.date, term_years: float) -> dt.date:
    """End of a term: start + term − 1 day (a one-year term from 2026-03-01 ends on 2027-02-28)."""
    return add_months(start, round(term_years * 12)) - dt.timedelta(days=1)


def _hour(value: str) -> float | None:
    """An hour of the day as typed (8, 8:30, 8时, 14点) as a number, or None when unreadable."""
    text = value.strip().replace("：", ":").rstrip("时点")
    try:
        if ":" in text:
            hours, minutes = text.split(":", 1)
            number = int(hours) + int(minutes) / 60
        else:
            number = float(text)
    except ValueError:
        return None
    return number if 0 <= number <= 24 else None


def _label(db, agreement_id: int | None, elder_id: int | None) -> str:
    row = db.execute("SELECT name, id_number FROM elders WHERE id = ?", [elder_id]).fetchone() if elder_id else None
    who = f"{row[0]} {row[1]}" if row else ""
    return f"第{agreement_id}号协议 {who}".strip() if agreement_id else who


def elder_defaults(db, elder_id: int) -> dict[str, Any]:
    """What a new agreement for this elder starts with: the elder's address and phone, the village
    committee and its staff member (villages.committee / staff_name), service place = the elder's home."""
    row = db.execute(
        "SELECT e.current_address, e.household_address, e.phone, v.name, v.committee, v.staff_name"
        " FROM elders e JOIN villages v ON v.id = e.village_id WHERE e.id = ?", [elder_id]).fetchone()
    if row is None:
        raise UserError(f"找不到编号为 {elder_id} 的老人记录")
    address = row[0] or row[1]
    return {
        "elder_address": address,
        "elder_phone": row[2],
        "service_place": address,
        "committee_name": villages.committee_name(row[3], row[4]),
        "committee_staff": row[5],
    }


# An elder whose ability level is 中度受损 (2) or worse needs help or nursing: the 自理 text does not describe them.
SELF_CARE_MAX_LEVEL = 1


def template_refusal(template: str, ability_level: int | None) -> str | None:
    """Why ``template`` cannot be used for an elder of ``ability_level`` (None when it can)."""
    if template == "自理" and ability_level is not None and int(ability_level) > SELF_CARE_MAX_LEVEL:
        from township_desk.models.elders import ABILITY_LEVELS

        return (f"老人的能力等级为“{ABILITY_LEVELS.get(int(ability_level), ability_level)}”，不能生活自理，"
                "“自理”协议文本不适用，请选用“介助介护”协议文本")
    return None


def prepare_agreement(db, data: dict[str, Any], today: dt.date | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Check and normalise the terms of an agreement as typed. Returns (row, problems); nothing is written.

    A 委托人 picked from the elder's supporters (``party_a_supporter_id``) fills the name, ID number,
    relation and phone not typed. Fields left out of ``data`` take the elder's defaults (``elder_defaults``).
    The end date defaults to start + term − 1 day.
    """
    today = today or dt.date.today()
    problems: list[Problem] = []

    def err(key: str, message: str) -> None:
        problems.append(Problem(key, "error", f"{AGREEMENT_FIELDS.get(key, key)}：{message}"))

    def warn(key: str, message: str) -> None:
        problems.append(Problem(key, "warning", f"{AGREEMENT_FIELDS.get(key, key)}：{message}"))

    elder_id = data.get("elder_id")
    if not elder_id:
        raise ValidationError("请选择被助养老人", [Problem("elder_id", "error", "请选择被助养老人")])
    row: dict[str, Any] = {"elder_id": int(elder_id)}
    defaults = elder_defaults(db, row["elder_id"])
    status = db.execute("SELECT status FROM elders WHERE id = ?", [row["elder_id"]]).fetchone()[0]
    if status != "在册":
        warn("elder_id", f"该老人在台账中的状态是“{status}”，请确认仍需签订助养协议")

    template = str(data.get("template") or "").replace("/", "").replace("\\", "").replace("、", "").strip()
    if template not in TEMPLATES:
        err("template", f"“{data.get('template') or ''}”不是可选的协议文本（{'、'.join(TEMPLATES)}）")
    row["template"] = template
    level = db.execute("SELECT ability_level FROM elders WHERE id = ?", [row["elder_id"]]).fetchone()[0]
    refusal = template_refusal(template, level)
    if refusal:
        err("template", refusal)

    for key in _TEXT:
        value = data.get(key, defaults.get(key))
        text = str(value).strip() if value is not None else ""
        row[key] = text or None
    for key in ("party_a_name", "party_b_name"):
        if row[key]:
            row[key] = normalise_name(row[key])

    supporter_id = data.get("party_a_supporter_id")
    row["party_a_supporter_id"] = None
    supporter: dict | None = None
    if supporter_id:
        found = list(db.query("SELECT * FROM supporters WHERE id = ?", [int(supporter_id)]))
        if not found or found[0]["elder_id"] != row["elder_id"]:
            err("party_a_supporter_id", "所选委托人不是这位老人的赡养人")
        else:
            supporter = found[0]
            row["party_a_supporter_id"] = supporter["id"]
            row["party_a_name"] = row["party_a_name"] or supporter["name"]
            row["party_a_relation"] = row["party_a_relation"] or supporter["relation"]
    for side in ("a", "b"):
        key = f"party_{side}_id_number"
        raw = data.get(key)
        if (raw is None or str(raw).strip() == "") and side == "a" and supporter:
            raw = supporter["id_number"]
        if raw is None or str(raw).strip() == "":
            row[key] = None
        else:
            check = idnumber.check(raw, today=today)
            row[key] = check.number
            if check.error:
                err(key, check.error)
            for message in check.warnings:
                warn(key, message)
        key = f"party_{side}_phone"
        raw = data.get(key)
        if (raw is None or str(raw).strip() == "") and side == "a" and supporter:
            raw = supporter["phone"]
        phone, warning = normalise_phone(raw)
        row[key] = phone or None
        if warning:
            warn(key, warning)
    phone, warning = normalise_phone(data.get("elder_phone", defaults.get("elder_phone")))
    row["elder_phone"] = phone or None
    if warning:
        warn("elder_phone", warning)

    for key in ("party_a_name", "party_b_name"):
        if not row[key]:
            err(key, "不能为空")
        else:
            problem = check_name(row[key])
            if problem:
                err(key, problem)
    if row["party_a_name"] and row["party_a_name"] == row["party_b_name"] and \
            (row["party_a_id_number"] or "") == (row["party_b_id_number"] or ""):
        err("party_b_name", f"受托人不能与委托人是同一人（{row['party_b_name']}）")

    row["term_years"] = None
    raw_term = data.get("term_years")
    if raw_term not in (None, ""):
        try:
            term = float(str(raw_term).strip().rstrip("年"))
        except ValueError:
            term = None
        if term is None or term <= 0 or term > 10:
            err("term_years", f"“{raw_term}”不是有效的年限（应在 0 到 10 年之间，如 1 或 0.5）")
        else:
            row["term_years"] = term

    for key in ("start_date", "end_date"):
        try:
            day = parse_date(data.get(key))
        except DateError as exc:
            err(key, str(exc))
            day = None
        row[key] = day.isoformat() if day else None
    if row["start_date"] and row["term_years"]:
        expected = default_end_date(dt.date.fromisoformat(row["start_date"]), row["term_years"])
        if not row["end_date"]:
            row["end_date"] = expected.isoformat()
        elif row["end_date"] != expected.isoformat():
            warn("end_date", f"服务期限 {_years(row['term_years'])} 年自 {row['start_date']} 起应止于 "
                             f"{expected.isoformat()}，填写的是 {row['end_date']}，请核对")
    if row["start_date"] and row["end_date"] and row["end_date"] < row["start_date"]:
        err("end_date", f"终止日期 {row['end_date']} 早于起始日期 {row['start_date']}")

    for key in ("hours_from", "hours_to"):
        if row[key] and _hour(row[key]) is None:
            err(key, f"“{row[key]}”不是一天中的时刻（0–24，如 8 或 8:30）")
    if bool(row["hours_from"]) != bool(row["hours_to"]):
        err("hours_to" if row["hours_from"] else "hours_from", "每日服务时间“从…时至…时”须两端都填")
    row["hours_per_day"] = None
    raw_hours = data.get("hours_per_day")
    if raw_hours not in (None, ""):
        try:
            hours = float(str(raw_hours).strip().rstrip("小时个"))
        except ValueError:
            hours = None
        if hours is None or not 0 < hours <= 24:
            err("hours_per_day", f"“{raw_hours}”不是有效的小时数（0–24）")
        else:
            row["hours_per_day"] = hours
    return row, problems


def _years(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def get_agreement(db, agreement_id: int) -> dict:
    """One agreement with the elder's name, ID number, village and the elder's current status."""
    rows = list(db.query(
        """SELECT a.*, e.name AS elder_name, e.id_number AS elder_id_number, e.status AS elder_status,
                  v.name AS village
           FROM agreements a JOIN elders e ON e.id = a.elder_id JOIN villages v ON v.id = e.village_id
           WHERE a.id = ?""", [agreement_id]))
    if not rows:
        raise UserError(f"找不到第 {agreement_id} 号协议")
    return rows[0]


def save_agreement(db, data: dict[str, Any], agreement_id: int | None = None, *,
                   today: dt.date | None = None, expected_version: int | None = None) -> AgreementSaved:
    """Add a draft agreement, or change a draft's terms. Raises ``ValidationError`` listing every error.

    A signed, expired or terminated agreement is frozen: ``UserError("已签订的协议不能修改，…")``.
    ``expected_version`` is the ``row_version`` the editor read: a draft changed since raises ``StaleRecord``
    and nothing is saved.
    """
    today = today or dt.date.today()
    if agreement_id is not None:
        old = get_agreement(db, agreement_id)
        if old["status"] != "草稿":
            raise UserError(FROZEN_MESSAGE)
        data = {"elder_id": old["elder_id"], **data}
    row, problems = prepare_agreement(db, data, today)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError("；".join(p.message for p in errors), errors)
    warnings = [p for p in problems if p.severity == "warning"]
    with db.atomic():
        if agreement_id is None:
            row["status"] = "草稿"
            new_id = db["agreements"].insert(row).last_pk
            audit.record(db, "新增", "agreements", new_id, _label(db, new_id, row["elder_id"]), "status", None, "草稿")
            return AgreementSaved(new_id, True, [], warnings)
        # re-read inside the transaction so that a concurrent signature cannot be overwritten
        status = db.execute("SELECT status FROM agreements WHERE id = ?", [agreement_id]).fetchone()[0]
        if status != "草稿":
            raise UserError(FROZEN_MESSAGE)
        versions.check(db, "agreements", agreement_id, expected_version)
        old = get_agreement(db, agreement_id)  # as stored now, inside the transaction
        changes = [(k, old.get(k), v) for k, v in row.items() if k in _TERMS and old.get(k) != v
                   and not (old.get(k) in (None, "") and v in (None, ""))]
        if changes:
            versions.update(db, "agreements", agreement_id, {**{k: v for k, _o, v in changes}, "updated_at": _now()},
                            expected_version)
            label = _label(db, agreement_id, old["elder_id"])
            for key, before, after in changes:
                audit.record(db, "修改", "agreements", agreement_id, label, key, before, after)
        return AgreementSaved(agreement_id, False,
                              [(AGREEMENT_FIELDS.get(k, k), o, n) for k, o, n in changes], warnings)


def missing_to_sign(agreement: dict) -> list[str]:
    """Labels of the fields a signature needs that the agreement lacks (empty when it can be signed)."""
    missing = [AGREEMENT_FIELDS[k] for k in _REQUIRED_TO_SIGN if agreement.get(k) in (None, "")]
    if not (agreement.get("hours_from") and agreement.get("hours_to")) and not agreement.get("hours_per_day"):
        missing.append("每日服务时间（从…时至…时，或每天…小时）")
    return missing


def sign(db, agreement_id: int, signed_on: dt.date | str, *, today: dt.date | None = None,
         expected_version: int | None = None) -> None:
    """草稿 → 已签订 on ``signed_on``. Refuses an incomplete draft (naming what is missing), a signing date
    after today, or one after the end date. With ``expected_version`` (the ``row_version`` of the draft the clerk
    was shown) a draft changed since is refused (``StaleRecord``): nobody signs terms they have not seen."""
    today = today or dt.date.today()
    day = required_date(signed_on, "签订日期")
    with db.atomic():
        agreement = get_agreement(db, agreement_id)
        versions.check(db, "agreements", agreement_id, expected_version)
        if agreement["status"] != "草稿":
            raise UserError(f"第 {agreement_id} 号协议的状态是“{agreement['status']}”，只有草稿可以签订")
        missing = missing_to_sign(agreement)
        if missing:
            raise UserError(f"第 {agreement_id} 号协议还不能签订，缺少：{'、'.join(missing)}")
        level = db.execute("SELECT ability_level FROM elders WHERE id = ?", [agreement["elder_id"]]).fetchone()[0]
        refusal = template_refusal(agreement["template"], level)
        if refusal:
            raise UserError(f"第 {agreement_id} 号协议不能签订：{refusal}")
        if day > today:
            raise UserError(f"签订日期 {day.isoformat()} 晚于今天")
        if day.isoformat() > agreement["end_date"]:
            raise UserError(f"签订日期 {day.isoformat()} 晚于协议终止日期 {agreement['end_date']}")
        db.execute("UPDATE agreements SET status = '已签订', signed_on = ?, updated_at = ? WHERE id = ?",
                   [day.isoformat(), _now(), agreement_id])
        audit.record(db, "签订", "agreements", agreement_id, _label(db, agreement_id, agreement["elder_id"]),
                     "status", "草稿", f"已签订（{day.isoformat()}）")


def expire_due(db, as_of: dt.date | str) -> list[int]:
    """Move every signed agreement whose end date has passed (end_date < as_of) to 已到期; returns their ids."""
    day = required_date(as_of, "日期")
    with db.atomic():
        ids = [r[0] for r in db.execute(
            "SELECT id FROM agreements WHERE status = '已签订' AND end_date < ? ORDER BY id", [day.isoformat()])]
        for agreement_id in ids:
            row = db.execute("SELECT elder_id, end_date FROM agreements WHERE id = ?", [agreement_id]).fetchone()
            db.execute("UPDATE agreements SET status = '已到期', updated_at = ? WHERE id = ?", [_now(), agreement_id])
            audit.record(db, "到期", "agreements", agreement_id, _label(db, agreement_id, row[0]), "status",
                         "已签订", f"已到期（{row[1]} 期满）")
    return ids


# The statuses with which an elder leaves the ledger (暂离 only pauses the visits: the carer's help goes on).
LEAVING_STATUSES = ("已迁出", "已去世", "已不属于留守")


def end_with_elder(db, elder_id: int, day: dt.date, new_status: str, reason: str | None) -> list[int]:
    """The elder left the ledger on ``day`` (``new_status``, with the clerk's ``reason``): every signed agreement for
    them ends that day — 已解除 by 被助养老人, the reason saying why — or, when its term was already over, 已到期.
    Called inside the status change's transaction (``elders.change_status``); returns the agreements ended."""
    if new_status not in LEAVING_STATUSES:
        return []
    why = f"老人{new_status}" + (f"（{reason}）" if reason else "")
    ended = []
    with db.atomic():
        for agreement_id, end_date, signed_on in db.execute(
                "SELECT id, end_date, signed_on FROM agreements WHERE elder_id = ? AND status = '已签订' ORDER BY id",
                [elder_id]).fetchall():
            label = _label(db, agreement_id, elder_id)
            if end_date and end_date < day.isoformat():
                db.execute("UPDATE agreements SET status = '已到期', updated_at = ? WHERE id = ?", [_now(), agreement_id])
                audit.record(db, "到期", "agreements", agreement_id, label, "status", "已签订", f"已到期（{end_date} 期满）")
            else:
                on = max(day.isoformat(), signed_on or "")
                db.execute(
                    "UPDATE agreements SET status = '已解除', terminated_on = ?, terminated_by = '被助养老人',"
                    " termination_reason = ?, terminated_for_cause = 0, updated_at = ? WHERE id = ?",
                    [on, why, _now(), agreement_id])
                audit.record(db, "解除", "agreements", agreement_id, label, "status", "已签订",
                             f"已解除（{on}，{why}）")
            ended.append(agreement_id)
    return ended


def earliest_no_fault_end(notice_on: dt.date) -> dt.date:
    """The first day a no-fault termination noticed on ``notice_on`` may take effect (notice + 15 days)."""
    return notice_on + dt.timedelta(days=NOTICE_DAYS)


def give_notice(db, agreement_id: int, notice_on: dt.date | str, by: str, *, today: dt.date | None = None,
                expected_version: int | None = None) -> dt.date:
    """Record that ``by`` (甲方 or 乙方) gave the other party notice of a no-fault termination.
    Returns the first day the termination may take effect. ``expected_version``: as for ``sign``."""
    today = today or dt.date.today()
    day = required_date(notice_on, "通知日期")
    if by not in PARTIES:
        raise UserError(f"通知方“{by}”不在可选范围：{'、'.join(PARTIES)}")
    if day > today:
        raise UserError(f"通知日期 {day.isoformat()} 晚于今天")
    with db.atomic():
        agreement = get_agreement(db, agreement_id)
        versions.check(db, "agreements", agreement_id, expected_version)
        if agreement["status"] != "已签订":
            raise UserError(f"第 {agreement_id} 号协议的状态是“{agreement['status']}”，只有已签订的协议可以登记解除通知")
        if day.isoformat() < (agreement["signed_on"] or ""):
            raise UserError(f"通知日期 {day.isoformat()} 早于签订日期 {agreement['signed_on']}")
        db.execute("UPDATE agreements SET notice_on = ?, notice_by = ?, updated_at = ? WHERE id = ?",
                   [day.isoformat(), by, _now(), agreement_id])
        audit.record(db, "解除通知", "agreements", agreement_id, _label(db, agreement_id, agreement["elder_id"]),
                     "notice_on", agreement.get("notice_on"), f"{day.isoformat()}（{by}）")
    return earliest_no_fault_end(day)


def terminate(db, agreement_id: int, on: dt.date | str, by: str, reason: str, *, for_cause: bool = False,
              notice_on: dt.date | str | None = None, today: dt.date | None = None,
              expected_version: int | None = None) -> None:
    """已签订 → 已解除 on ``on``, by ``by`` (甲方, 乙方, 双方, 被助养老人, 村委会), for ``reason``.

    Without cause (``for_cause=False``) notice must have been given at least 15 days before: either
    ``notice_on`` here or a notice recorded with ``give_notice``; an earlier date is refused, naming the
    first allowed day. 双方 (by agreement of both parties) needs no notice. ``expected_version``: as for ``sign``.
    """
    today = today or dt.date.today()
    day = required_date(on, "解除日期")
    reason = (reason or "").strip()
    if by not in PARTIES:
        raise UserError(f"解除方“{by}”不在可选范围：{'、'.join(PARTIES)}")
    if not reason:
        raise UserError("请填写解除原因")
    with db.atomic():
        agreement = get_agreement(db, agreement_id)
        versions.check(db, "agreements", agreement_id, expected_version)
        if agreement["status"] != "已签订":
            raise UserError(f"第 {agreement_id} 号协议的状态是“{agreement['status']}”，只有已签订的协议可以解除")
        if day.isoformat() < agreement["signed_on"]:
            raise UserError(f"解除日期 {day.isoformat()} 早于签订日期 {agreement['signed_on']}")
        if day.isoformat() > agreement["end_date"]:
            raise UserError(f"解除日期 {day.isoformat()} 晚于协议终止日期 {agreement['end_date']}，协议届时已到期，无需解除")
        notice = required_date(notice_on, "通知日期") if notice_on not in (None, "") else (
            dt.date.fromisoformat(agreement["notice_on"]) if agreement.get("notice_on") else None)
        if notice is not None and notice > today:
            raise UserError(f"通知日期 {notice.isoformat()} 晚于今天")
        if not for_cause and by != "双方":
            if notice is None:
                raise UserError(f"无过错解除协议应提前 {NOTICE_DAYS} 日通知对方：请填写通知日期，"
                                "或先登记解除通知；因对方过错解除（如逾期一个月不交纳服务费、乙方未尽职尽责）请注明")
            earliest = earliest_no_fault_end(notice)
            if day < earliest:
                raise UserError(f"无过错解除协议应提前 {NOTICE_DAYS} 日通知对方：{notice.isoformat()} 通知的，"
                                f"最早可于 {earliest.isoformat()} 解除，不能定为 {day.isoformat()}")
        db.execute(
            "UPDATE agreements SET status = '已解除', terminated_on = ?, terminated_by = ?, termination_reason = ?,"
            " terminated_for_cause = ?, notice_on = ?, notice_by = COALESCE(notice_by, ?), updated_at = ? WHERE id = ?",
            [day.isoformat(), by, reason, int(bool(for_cause)), notice.isoformat() if notice else None,
             by if notice else None, _now(), agreement_id])
        audit.record(db, "解除", "agreements", agreement_id, _label(db, agreement_id, agreement["elder_id"]),
                     "status", "已签订",
                     f"已解除（{day.isoformat()}，{by}{'，因过错' if for_cause else ''}：{reason}）")


def renew(db, agreement_id: int, start_date: dt.date | str | None = None, *,
          expected_version: int | None = None) -> int:
    """A new 草稿 with the same parties and terms, starting ``start_date`` (default: the day after the old
    end date), its end date recomputed from the term. The old agreement stays as it is. Returns the new id.
    ``expected_version``: as for ``sign`` (the terms copied are the ones the clerk was shown)."""
    with db.atomic():
        old = get_agreement(db, agreement_id)
        versions.check(db, "agreements", agreement_id, expected_version)
        if old["status"] not in ("已签订", "已到期"):
            raise UserError(f"第 {agreement_id} 号协议的状态是“{old['status']}”，只有已签订或已到期的协议可以续签")
        already = db.execute("SELECT id FROM agreements WHERE renewed_from_id = ?", [agreement_id]).fetchone()
        if already:
            raise UserError(f"第 {agreement_id} 号协议已经续签过（第 {already[0]} 号协议）")
        start = required_date(start_date, "续签起始日期") if start_date not in (None, "") else \
            dt.date.fromisoformat(old["end_date"]) + dt.timedelta(days=1)
        if start.isoformat() <= old["start_date"]:
            raise UserError(f"续签起始日期 {start.isoformat()} 应晚于原协议起始日期 {old['start_date']}")
        row = {k: old[k] for k in _TERMS}
        row.update(elder_id=old["elder_id"], status="草稿", renewed_from_id=agreement_id,
                   start_date=start.isoformat(),
                   end_date=default_end_date(start, old["term_years"] or 1).isoformat())
        if row["party_a_supporter_id"] is not None and not db.execute(
                "SELECT 1 FROM supporters WHERE id = ?", [row["party_a_supporter_id"]]).fetchone():
            row["party_a_supporter_id"] = None
        new_id = db["agreements"].insert(row).last_pk
        audit.record(db, "续签", "agreements", new_id, _label(db, new_id, old["elder_id"]), "renewed_from_id",
                     None, f"续签自第 {agreement_id} 号协议")
    return new_id


def attach_scan(db, agreement_id: int, file: str | Path, *, expected_version: int | None = None) -> str:
    """Copy the scan of the signed paper into ``<data folder>/agreements/`` and store its relative path.

    The copy is written atomically; a scan attached before is kept on disk (nothing is deleted) and the
    record points to the new one. Returns the relative path. ``expected_version``: as for ``sign`` (a scan
    attached or terms changed elsewhere since the clerk chose the agreement: ``StaleRecord``, no copy kept).
    """
    source = Path(file)
    if not source.is_file():
        raise UserError(f"找不到扫描件文件：{source}")
    if source.suffix.lower() not in SCAN_SUFFIXES:
        raise UserError(f"扫描件“{source.name}”的格式不支持，请用 {'、'.join(s[1:] for s in SCAN_SUFFIXES)} 文件")
    agreement = get_agreement(db, agreement_id)
    versions.check(db, "agreements", agreement_id, expected_version)  # before copying; again when writing
    target = copy_unique(source, paths.data_dir() / "agreements",
                         f"协议{agreement_id}_{dt.datetime.now():%Y%m%d%H%M%S}")
    relative = target.relative_to(paths.data_dir()).as_posix()
    try:
        with db.atomic():
            versions.update(db, "agreements", agreement_id, {"scan_path": relative, "updated_at": _now()},
                            expected_version)
            audit.record(db, "附扫描件", "agreements", agreement_id, _label(db, agreement_id, agreement["elder_id"]),
                         "scan_path", agreement.get("scan_path"), relative)
    except Exception:
        target.unlink(missing_ok=True)  # the record was not updated: leave no orphan copy
        raise
    return relative


def scan_file(agreement: dict) -> Path | None:
    """The scan's full path, or None when none is attached. A stored path leading outside the data folder's
    agreements/ (a crafted backup) is refused with a Chinese ``UserError`` (``files.confined_path``)."""
    if not agreement.get("scan_path"):
        return None
    return confined_path(agreement["scan_path"], paths.data_dir() / "agreements", base=paths.data_dir(),
                         what="扫描件")


_LIST_SQL = """SELECT a.*, e.name AS elder_name, e.id_number AS elder_id_number, v.name AS village
               FROM agreements a JOIN elders e ON e.id = a.elder_id JOIN villages v ON v.id = e.village_id"""


def list_agreements(db, status: str | None = None, village: str | int | None = None,
                    ending_within_days: int | None = None, *, elder_id: int | None = None,
                    as_of: dt.date | None = None) -> list[dict]:
    """Agreements filtered in SQL, by village then end date. ``ending_within_days`` keeps signed agreements
    whose end date falls between ``as_of`` (default today) and ``as_of`` + days, both included."""
    where, params = [], []
    if status:
        where.append("a.status = ?")
        params.append(status)
    if village not in (None, ""):
        if isinstance(village, int):
            where.append("v.id = ?")
        else:
            where.append("v.name = ?")
        params.append(village)
    if elder_id is not None:
        where.append("a.elder_id = ?")
        params.append(elder_id)
    if ending_within_days is not None:
        day = as_of or dt.date.today()
        where.append("a.status = '已签订' AND a.end_date BETWEEN ? AND ?")
        params += [day.isoformat(), (day + dt.timedelta(days=int(ending_within_days))).isoformat()]
    sql = _LIST_SQL + (" WHERE " + " AND ".join(where) if where else "")
    sql += f" ORDER BY {villages.VILLAGE_ORDER_SQL}, a.end_date IS NULL, a.end_date, a.id"
    return list(db.query(sql, params))


def ending_within(db, as_of: dt.date, days: int = 30) -> list[dict]:
    """Signed agreements ending within ``days`` of ``as_of``: the renewal list of the dashboard."""
    return list_agreements(db, ending_within_days=days, as_of=as_of)
