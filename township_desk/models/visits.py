"""Visit records (巡访记录): every item of the 巡访登记表 (seed 003 attachment), photos, and what a visit found.

A visit that rates any safety item 不安全 or any health/mental item 差 proposes a hazard (``proposed_hazard``);
the clerk opens it with ``hazards.open_hazard``. Whether someone is overdue is ``schedule.overdue``'s business.

A visit entered wrongly is corrected (``correct_visit``: the same checks as recording it, each changed field in the
audit log old → new) or voided (``void_visit``: 作废 with a reason, who and when). Nothing is deleted: a voided visit
stays in the elder's history marked 已作废 and no longer counts anywhere, because every figure reads visits through
the ``live_visits`` view (migration 0007), never the ``visits`` table.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from township_desk.models import audit, group_plans, paths, schedule, versions, visitors
from township_desk.models.dates import DateError, parse_date
from township_desk.models.errors import UserError, ValidationError
from township_desk.models.files import confined_path, copy_unique

MODES = ("上门", "电话", "视频")
VISIT_TYPES = ("重点", "普遍")
RATINGS = ("优", "良", "中", "差")
SAFETY = ("安全", "不安全")
NEEDS = ("有需求", "无需求")
CARE = ("有人照料", "无人照料")

# (field, label, allowed values) in the order of the paper form.
HEALTH_ITEMS = (("expression", "表达能力"), ("mobility", "行动能力"), ("illness", "疾病状况"))
MENTAL_ITEMS = (("mood", "情绪状态"), ("thinking", "思维状态"), ("stress", "压力状态"))
SAFETY_ITEMS = (("gas_safety", "燃气"), ("heating_safety", "取暖"), ("electric_safety", "用电"))
CARE_ITEMS = (("daily_care", "生活照料", CARE), ("comfort_need", "精神慰藉", NEEDS),
              ("rights_need", "权益维护", NEEDS), ("guardianship_need", "安全监护", NEEDS))
ITEM_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    **{f: (label, RATINGS) for f, label in HEALTH_ITEMS + MENTAL_ITEMS},
    **{f: (label, SAFETY) for f, label in SAFETY_ITEMS},
    **{f: (label, options) for f, label, options in CARE_ITEMS},
}
# Labels of the stored fields, as the form names them (the audit log shows a correction with these).
FIELD_LABELS: dict[str, str] = {
    "date": "巡访时间", "mode": "巡访方式", "visitor_id": "巡访责任人", "visitor_name": "巡访人员（签名）",
    "visit_type": "巡访类型", **{f: label for f, (label, _options) in ITEM_CHOICES.items()},
    "gas_safety": "燃气安全", "heating_safety": "取暖安全", "electric_safety": "用电安全",
    "notes": "其他情况说明", "campaign_id": "巡访活动", "voided_at": "作废时间", "voided_by": "作废人",
    "void_reason": "作废原因",
}
VOIDED_LABEL = "已作废"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
MAX_PHOTO_BYTES = 20 * 1024 * 1024


def proposed_hazard(visit: dict[str, Any]) -> str | None:
    """What a visit found that needs a hazard record ("情绪状态差、燃气不安全"), or None when nothing did."""
    found = [f"{label}差" for f, label in HEALTH_ITEMS + MENTAL_ITEMS if visit.get(f) == "差"]
    found += [f"{label}不安全" for f, label in SAFETY_ITEMS if visit.get(f) == "不安全"]
    return "、".join(found) or None


def prepare_visit(db, elder_id: int, data: dict[str, Any], today: dt.date | None = None, *,
                  visit_id: int | None = None) -> dict[str, Any]:
    """Check a visit as typed and return the row to store; ``ValidationError`` lists every problem in Chinese.

    ``visit_id``: the visit being corrected (it is not its own duplicate)."""
    today = today or dt.date.today()
    problems: list[tuple[str, str]] = []
    elder = db.execute("SELECT name, entered_on, status, status_date FROM elders WHERE id = ?",
                       [elder_id]).fetchone()
    if elder is None:
        raise UserError(f"找不到编号为 {elder_id} 的老人记录")
    name, entered_on, status, status_date = elder
    row: dict[str, Any] = {"elder_id": elder_id}

    try:
        day = parse_date(data.get("date"))
    except DateError as exc:
        day = None
        problems.append(("date", f"巡访时间：{exc}"))
    if day is None and not problems:
        problems.append(("date", "请填写巡访时间"))
    elif day is not None:
        if day > today:
            problems.append(("date", f"巡访时间 {day.isoformat()} 晚于今天"))
        elif day.isoformat() < entered_on:
            problems.append(("date", f"巡访时间 {day.isoformat()} 早于{name}纳入台账的日期 {entered_on}"))
        elif status in ("已迁出", "已去世", "已不属于留守") and status_date and day.isoformat() > status_date:
            problems.append(("date", f"{name}已于 {status_date} {status}，不能登记此后的巡访"))
        row["date"] = day.isoformat()

    mode = (data.get("mode") or "").strip()
    if mode not in MODES:
        problems.append(("mode", f"巡访方式“{mode}”不在可选范围：{'、'.join(MODES)}"))
    row["mode"] = mode

    visitor_id = data.get("visitor_id")
    visitor_name = (str(data.get("visitor_name") or "").strip() or None)
    if visitor_id is not None:
        found = db.execute("SELECT name FROM visitors WHERE id = ?", [visitor_id]).fetchone()
        if found is None:
            problems.append(("visitor_id", f"找不到编号为 {visitor_id} 的巡访责任人"))
        else:
            visitor_name = visitor_name or found[0]
    if not visitor_name:
        problems.append(("visitor_id", "请选择巡访责任人（巡访人员须在登记表上签名）"))
    row["visitor_id"] = visitor_id
    row["visitor_name"] = visitor_name

    visit_type = (data.get("visit_type") or "").strip()
    if not visit_type:  # by the 巡访类别 the plan follows on the visit's day (the one reading: group_plans)
        visit_type = "重点" if group_plans.visit_tier(db, elder_id, day or today) == "重点" else "普遍"
    if visit_type not in VISIT_TYPES:
        problems.append(("visit_type", f"巡访类型“{visit_type}”不在可选范围：{'、'.join(VISIT_TYPES)}"))
    row["visit_type"] = visit_type

    for field, (label, options) in ITEM_CHOICES.items():
        value = data.get(field)
        value = None if value is None or str(value).strip() == "" else str(value).strip()
        if value is not None and value not in options:
            problems.append((field, f"{label}“{value}”不在可选范围：{'、'.join(options)}"))
        row[field] = value

    campaign_id = data.get("campaign_id")
    if campaign_id is not None:
        campaign = db.execute("SELECT name, start_date, end_date FROM campaigns WHERE id = ?", [campaign_id]).fetchone()
        if campaign is None:
            problems.append(("campaign_id", f"找不到编号为 {campaign_id} 的巡访活动"))
        elif mode and mode != "上门":
            problems.append(("mode", f"“{campaign[0]}”是节日或极端天气巡访，应为上门巡访（现为{mode}）"))
    row["campaign_id"] = campaign_id
    row["notes"] = (str(data.get("notes") or "").strip() or None)

    if not problems:
        twin = db.execute(  # a voided visit is no twin: the visit it wrongly recorded may be entered again
            "SELECT id FROM live_visits WHERE elder_id = ? AND date = ? AND mode = ? AND COALESCE(visitor_name, '') = ?"
            " AND id IS NOT ?", [elder_id, row["date"], mode, visitor_name or "", visit_id]).fetchone()
        if twin:
            problems.append(("date", f"{name} {row['date']} 由{visitor_name}进行的{mode}巡访已经登记过（第 {twin[0]} 号记录）"))
    if problems:
        raise ValidationError("；".join(message for _f, message in problems), problems)
    return row


def _check_photos(photos: list[Path]) -> list[Path]:
    checked = []
    for photo in photos:
        photo = Path(photo)
        if not photo.is_file():
            raise UserError(f"找不到照片文件：{photo}")
        if photo.suffix.lower() not in PHOTO_SUFFIXES:
            raise UserError(f"照片“{photo.name}”的格式不支持，请用 {'、'.join(s[1:] for s in PHOTO_SUFFIXES)} 图片")
        if photo.stat().st_size > MAX_PHOTO_BYTES:
            raise UserError(f"照片“{photo.name}”超过 20 MB，请压缩后再添加")
        checked.append(photo)
    return checked


def _copy_photo(source: Path, elder_id: int, day: str, number: int) -> Path:
    """Copy one photo into ``photos/<year>/<elder id>/`` under a new name, atomically; returns the copy."""
    return copy_unique(source, paths.photos_dir() / day[:4] / str(elder_id),
                       f"{day}_{dt.datetime.now():%H%M%S}_{number}")


def record_visit(db, elder_id: int, data: dict[str, Any], photos: list[Path] | None = None, *,
                 today: dt.date | None = None, source: str | None = None) -> int:
    """Check and store one visit with its photos (copied into the data folder's ``photos/``); returns its id.

    The row, its photo rows and the audit entry are one transaction; when it fails the copied photos are removed.
    ``source`` (the return workbook's file name, ``models.returns``) is written into the audit entry.
    """
    row = prepare_visit(db, elder_id, data, today)
    sources = _check_photos(list(photos or []))
    copies: list[tuple[Path, Path]] = []
    try:
        for number, source in enumerate(sources, start=1):
            copies.append((source, _copy_photo(source, elder_id, row["date"], number)))
        with db.atomic():
            columns = list(row)
            visit_id = db.execute(
                f"INSERT INTO visits ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [row[c] for c in columns]).lastrowid
            for source, copy in copies:
                db.execute("INSERT INTO visit_photos(visit_id, path, original_name) VALUES (?, ?, ?)",
                           [visit_id, copy.relative_to(paths.photos_dir()).as_posix(), source.name])
            label = db.execute("SELECT name || ' ' || id_number FROM elders WHERE id = ?", [elder_id]).fetchone()[0]
            found = proposed_hazard(row)
            audit.record(db, "登记巡访", "visits", visit_id, label, None, None,
                         f"{row['date']} {row['mode']} {row['visitor_name']}" + (f"，发现：{found}" if found else "")
                         + (f"（来自 {source}）" if source else ""))
    except BaseException:
        for _source, copy in copies:
            copy.unlink(missing_ok=True)
        raise
    return visit_id


def photo_file(relative: str) -> Path:
    """The full path of a stored photo (paths in ``visit_photos`` are relative to the photos folder).

    A stored path leading outside the photos folder is refused (``files.confined_path``: a ``UserError``)."""
    return confined_path(relative, paths.photos_dir(), what="照片")


def _visit_label(db, visit_id: int) -> str:
    row = db.execute("SELECT e.name || ' ' || e.id_number || ' ' || vs.date || ' ' || vs.mode FROM visits vs"
                     " JOIN elders e ON e.id = vs.elder_id WHERE vs.id = ?", [visit_id]).fetchone()
    return row[0] if row else f"第 {visit_id} 号巡访记录"


def _refuse_voided(visit: dict, doing: str) -> None:
    if visit.get("voided_at"):
        raise UserError(f"第 {visit['id']} 号巡访记录（{visit['date']} {visit['mode']}）已于 {visit['voided_at']} "
                        f"作废（{visit['void_reason']}），不能{doing}")


def correct_visit(db, visit_id: int, data: dict[str, Any], *, today: dt.date | None = None,
                  expected_version: int | None = None) -> dict[str, Any]:
    """Correct a visit entered wrongly: ``data`` as for ``record_visit`` (the whole form), checked the same way.

    Writes only the fields that differ, each with a 修改 entry in the audit log (old → new, the visitor by name);
    returns them ({} when nothing changed). The elder and the photos stay as they are; a voided visit is refused.
    ``expected_version`` is the ``row_version`` the dialog read: a visit changed since raises ``StaleRecord``.
    """
    visit = get_visit(db, visit_id)
    _refuse_voided(visit, "更正")
    data = {"campaign_id": visit["campaign_id"], **data}  # the campaign is not on the form: it stays unless given
    row = prepare_visit(db, visit["elder_id"], data, today, visit_id=visit_id)
    row.pop("elder_id")

    def shown(field: str, value: Any) -> Any:
        if field == "visitor_id" and value is not None:
            found = db.execute("SELECT name FROM visitors WHERE id = ?", [value]).fetchone()
            return found[0] if found else value
        if field == "campaign_id" and value is not None:
            found = db.execute("SELECT name FROM campaigns WHERE id = ?", [value]).fetchone()
            return found[0] if found else value
        return value

    with db.atomic():
        return audit.update_changed(db, "visits", visit_id, row, _visit_label(db, visit_id),
                                    missing=f"找不到编号为 {visit_id} 的巡访记录", shown=shown,
                                    expected_version=expected_version)


def sent_month_notice(db, *days: str) -> str | None:
    """When the month of any of ``days`` (a visit's dates before and after a change) was already sent to the county:
    a line saying the figures sent stay as sent and a correction is sent with 更正上报; None otherwise."""
    from township_desk.models import submissions

    months = sorted({day[:7] for day in days if day})
    sent = [m for m in months if submissions.latest(db, m, with_payload=False) is not None]
    if not sent:
        return None
    labels = "、".join(f"{m[:4]}年{int(m[5:])}月" for m in sent)
    return (f"{labels}的月度报表已上报，上报的数字不随之改变；如需更正，请在“月度报表”中点“更正上报…”。")


def void_visit(db, visit_id: int, reason: str, voided_by: str, *, now: dt.datetime | None = None,
               expected_version: int | None = None) -> None:
    """Void (作废) a visit entered wrongly: it stays on file, marked 已作废 with the reason, who and when, and no
    longer counts anywhere (``live_visits``). A reason and who voided it are required; a visit is voided once.
    ``expected_version``: the ``row_version`` the dialog showed; a visit changed since raises ``StaleRecord``."""
    reason = (reason or "").strip()
    voided_by = (voided_by or "").strip()
    problems = []
    if not reason:
        problems.append(("void_reason", "请填写作废原因"))
    if not voided_by:
        problems.append(("voided_by", "请填写作废人（经办人）"))
    if problems:
        raise ValidationError("；".join(message for _f, message in problems), problems)
    visit = get_visit(db, visit_id)
    _refuse_voided(visit, "再次作废")
    at = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    with db.atomic():
        versions.check(db, "visits", visit_id, expected_version)
        db.execute("UPDATE visits SET voided_at = ?, voided_by = ?, void_reason = ? WHERE id = ? AND voided_at IS NULL",
                   [at, voided_by, reason, visit_id])
        audit.record(db, "作废巡访", "visits", visit_id, _visit_label(db, visit_id), "void_reason", None,
                     f"{reason}（作废人：{voided_by}）")


def get_visit(db, visit_id: int) -> dict:
    """One visit, voided or not (``voided_at``), with the elder's name, its photos (``photos``: relative paths;
    ``photo_names``: the names the files had when they were added) and
    the unresolved hazards recorded from it (``open_hazards``: their descriptions)."""
    rows = list(db.query("""SELECT vs.*, e.name AS elder_name, e.id_number FROM visits vs
                            JOIN elders e ON e.id = vs.elder_id WHERE vs.id = ?""", [visit_id]))
    if not rows:
        raise UserError(f"找不到编号为 {visit_id} 的巡访记录")
    visit = rows[0]
    stored = db.execute("SELECT path, original_name FROM visit_photos WHERE visit_id = ? ORDER BY id",
                        [visit_id]).fetchall()
    visit["photos"] = [path for path, _name in stored]
    visit["photo_names"] = [name or Path(path).name for path, name in stored]  # as the clerk's file was called
    visit["open_hazards"] = [r[0] for r in db.execute(
        "SELECT description FROM hazards WHERE visit_id = ? AND resolved_on IS NULL ORDER BY id", [visit_id])]
    return visit


def visit_history(db, elder_id: int) -> list[dict]:
    """An elder's visits, newest first, each with ``photos`` (relative paths) and ``campaign`` (its name or None).

    Voided visits are included (``voided_at``, ``voided_by``, ``void_reason`` set): the history shows them."""
    visits = list(db.query(
        """SELECT vs.*, c.name AS campaign FROM visits vs LEFT JOIN campaigns c ON c.id = vs.campaign_id
           WHERE vs.elder_id = ? ORDER BY vs.date DESC, vs.id DESC""", [elder_id]))
    photos: dict[int, list[str]] = {}
    for visit_id, path in db.execute(
            "SELECT p.visit_id, p.path FROM visit_photos p JOIN visits vs ON vs.id = p.visit_id"
            " WHERE vs.elder_id = ? ORDER BY p.id", [elder_id]):
        photos.setdefault(visit_id, []).append(path)
    for visit in visits:
        visit["photos"] = photos.get(visit["id"], [])
    return visits


def visitor_workload(db, as_of: dt.date, *, group: str | None = None) -> list[dict]:
    """Each active visitor: their kind (``kind``: 第三方机构 with the organisation's name, ``visitors.kind_label``),
    elders 在册 assigned (and how many 重点), how many are overdue for a home visit as of ``as_of``
    (``schedule.overdue``), and this month's home and remote visits they made. Visitors with elders first, most
    overdue first. ``group`` (a 巡访对象类别, ``models.groups``) counts only that group's elders on ``as_of`` and
    the visits made to them; every active visitor is still listed.

    Set-based: one grouped pass over the elders; each visitor's month of visits is one range of the (visitor,
    date, …) index (migration 12), not the whole township's month sorted by visitor (30,000 elders, 1,261 visitors,
    ~260,000 visits a month: ~200 → ~80 ms under load).
    """
    first = as_of.replace(day=1).isoformat()
    params: dict = {"first": first, "day": as_of.isoformat(), "members": None}
    if group is not None:
        from township_desk.models import groups  # reads elders and settings, as the schedule does

        params["members"] = json.dumps(groups.members(db, group, as_of))
    elder_in, visit_in = (f"(:members IS NULL OR {column} IN (SELECT value FROM json_each(:members)))"
                          for column in ("id", "vs.elder_id"))
    rows = list(db.query(
        f"""SELECT vi.id AS visitor_id, vi.name, vi.role, vi.organisation, vi.phone, v.name AS village,
                  COALESCE(el.elders, 0) AS elders, COALESCE(el.key_elders, 0) AS key_elders,
                  COALESCE((SELECT SUM(vs.mode = '上门') FROM live_visits vs WHERE vs.visitor_id = vi.id
                              AND vs.date BETWEEN :first AND :day AND {visit_in}), 0) AS home_visits_month,
                  COALESCE((SELECT SUM(vs.mode IN ('电话', '视频')) FROM live_visits vs WHERE vs.visitor_id = vi.id
                              AND vs.date BETWEEN :first AND :day AND {visit_in}), 0) AS remote_visits_month
           FROM visitors vi LEFT JOIN villages v ON v.id = vi.village_id
           LEFT JOIN (SELECT visitor_id, COUNT(*) AS elders, SUM({group_plans.visit_tier_sql(db)} = '重点') AS key_elders
                      FROM elders e WHERE status = '在册' AND visitor_id IS NOT NULL AND {elder_in}
                      GROUP BY visitor_id) el
                  ON el.visitor_id = vi.id
           WHERE vi.active = 1""", params))
    overdue: dict[int, set[int]] = {}
    for item in schedule.overdue(db, as_of, kinds=("home",), group=group):
        if item.visitor_id is not None:
            overdue.setdefault(item.visitor_id, set()).add(item.elder_id)
    for row in rows:
        row["overdue"] = len(overdue.get(row["visitor_id"], ()))
        row["kind"] = visitors.kind_label(row["role"], row["organisation"])
    rows.sort(key=lambda r: (r["elders"] == 0, -r["overdue"], r["village"] or "", r["name"]))
    return rows
