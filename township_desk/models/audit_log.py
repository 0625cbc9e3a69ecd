"""Reading the 操作日志: the filters the clerk types, and each entry in the clerk's words.

``models/audit.py`` writes entries (every writer imports it); this module reads them and names tables and fields with
the writers' own labels, so it imports the writers and cannot live in ``audit.py`` without an import cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from township_desk.models import security, settings
from township_desk.models.agreements import AGREEMENT_FIELDS
from township_desk.models.elders import ELDER_FIELDS
from township_desk.models.visits import FIELD_LABELS as VISIT_FIELDS

COLUMNS = ("时间", "操作", "类别", "记录", "字段", "原值", "新值")
TABLE_LABELS = {"elders": "老人", "villages": "村（社区）", "visitors": "巡访责任人", "visits": "巡访",
                "assessments": "评估", "hazards": "风险隐患", "agreements": "互助协议", "campaigns": "集中巡访",
                "settings": "设置", "database": "数据库", "supporters": "赡养人", "monthly_submissions": "月度报表"}
FIELD_LABELS = {**ELDER_FIELDS, "village_id": "村（社区）", "visitor_id": "巡访责任人", "supporters": "赡养人",
                "password_lock": "启动密码", "status": "状态",
                # risk.record_assessment changes these of the elder (tier and ability_level are in ELDER_FIELDS)
                "risk_grade": "风险等级",
                # hazards: found, then dated steps, the last one with how it was resolved
                "description": "发现的问题", "found_on": "发现日期", "supporter_told_on": "通报赡养人日期",
                "reported_on": "报告乡镇日期", "resolved_on": "处置日期", "resolution": "处置情况",
                # villages.save_village and visitors.save_visitor, one entry per changed field
                "committee": "村民委员会名称", "staff_name": "村委会派出工作人员", "sort_order": "排列顺序",
                "role": "类别", "organisation": "工作单位", "active": "在岗"}
# Each table's own field labels, looked up before FIELD_LABELS: settings and agreements have keys of their own, and
# a key may mean another thing in another table (a village's ``name`` is not a person's 姓名). The labels are the
# models' own (the ones the forms show), so a wording changed there changes here; the few keys the models do not
# label (an agreement's renewal and scan) are named here.
TABLE_FIELD_LABELS: dict[str, dict[str, str]] = {
    "settings": {**settings.LABELS, security.SETTING_KEY: "启动密码"},
    "agreements": {**AGREEMENT_FIELDS, "renewed_from_id": "续签自", "scan_path": "协议扫描件"},
    "elders": ELDER_FIELDS,
    "villages": {"name": "村（社区）名称"},
    "visits": VISIT_FIELDS,  # a corrected or voided visit (visits.correct_visit / void_visit)
    "monthly_submissions": {"sha256": "文件 SHA-256"},  # a month submitted (上报) or resent corrected (更正)
}


@dataclass(frozen=True)
class AuditFilter:
    """What the clerk looks for: text anywhere in an entry, and a range of days (both ends included)."""

    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def where(self) -> tuple[str, list[Any]]:
        where, params = [], []
        if self.text.strip():
            like = f"%{self.text.strip()}%"
            where.append("(action LIKE ? OR record_label LIKE ? OR field LIKE ? OR old_value LIKE ?"
                         " OR new_value LIKE ? OR table_name LIKE ?)")
            params += [like] * 6
        if self.date_from:
            where.append("at >= ?")
            params.append(self.date_from.isoformat())
        if self.date_to:
            where.append("at < ?")
            params.append((self.date_to + dt.timedelta(days=1)).isoformat())
        return (" WHERE " + " AND ".join(where)) if where else "", params


def rows(db, found: AuditFilter = AuditFilter(), *, limit: int = 500, offset: int = 0) -> list[tuple]:  # noqa: B008
    """Audit-log rows (at, action, table, label, field, old, new), newest first, filtered in SQL."""
    where, params = found.where()
    return db.execute("SELECT at, action, table_name, record_label, field, old_value, new_value FROM audit_log"
                      + where + " ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()


def count(db, found: AuditFilter = AuditFilter()) -> int:  # noqa: B008
    where, params = found.where()
    return db.execute("SELECT count(*) FROM audit_log" + where, params).fetchone()[0]


def field_label(table: str | None, field: str | None) -> str:
    """The Chinese label of ``field`` as an audit entry of ``table`` names it: the table's own label
    (``TABLE_FIELD_LABELS``), else the shared one (``FIELD_LABELS``), else the field as written ("" for none)."""
    if not field:
        return ""
    return TABLE_FIELD_LABELS.get(table or "", {}).get(field) or FIELD_LABELS.get(field, field)


def readable(row: tuple) -> list[str]:
    """One audit row in the clerk's words (``COLUMNS``): table and field names translated (fields by their table)."""
    at, action, table, label, field, old, new = row
    return [at or "", action or "", TABLE_LABELS.get(table, table or ""), label or "", field_label(table, field),
            old or "", new or ""]


def readable_rows(db, found: AuditFilter = AuditFilter(), *, batch: int = 5000) -> Iterator[list[str]]:  # noqa: B008
    """Every entry the filter finds, newest first, in the clerk's words, read a batch at a time."""
    offset = 0
    while True:
        found_rows = rows(db, found, limit=batch, offset=offset)
        if not found_rows:
            return
        for row in found_rows:
            yield readable(row)
        offset += len(found_rows)
