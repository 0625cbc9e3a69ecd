"""models/audit_log: reading the 操作日志 with the clerk's filters, and printing/audit_xlsx writing what it returns."""

from __future__ import annotations

import datetime as dt

import openpyxl

from township_desk.models import audit, audit_log
from township_desk.printing.audit_xlsx import write_audit_xlsx


def entry(db, at: str, label: str, new: str) -> None:
    audit.record(db, "修改", "elders", 1, label, "phone", "13800000000", new)
    db.execute("UPDATE audit_log SET at = ? WHERE id = (SELECT max(id) FROM audit_log)", [at])


def test_a_date_range_includes_both_end_days_and_nothing_outside(db):
    entry(db, "2026-10-31T23:59:59", "十月末", "1")
    entry(db, "2026-11-01T00:00:00", "十一月初", "2")
    entry(db, "2026-11-30T23:59:59", "十一月末", "3")
    entry(db, "2026-12-01T00:00:00", "十二月初", "4")
    found = audit_log.AuditFilter(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))
    assert [r[3] for r in audit_log.rows(db, found)] == ["十一月末", "十一月初"]  # newest first
    assert audit_log.count(db, found) == 2


def test_text_is_looked_for_in_every_column_and_rows_read_in_batches(db):
    for n in range(7):
        entry(db, f"2026-11-0{n + 1}T08:00:00", f"张德福{n}", f"电话{n}")
    entry(db, "2026-11-09T08:00:00", "李秀英", "13900000000")
    found = audit_log.AuditFilter(text="张德福")
    rows = list(audit_log.readable_rows(db, found, batch=3))
    assert len(rows) == 7 and rows[0][3] == "张德福6" and rows[0][2] == "老人"
    assert audit_log.count(db, audit_log.AuditFilter(text="1390")) == 1


def test_the_workbook_holds_exactly_the_rows_given_as_text(db, tmp_path):
    entry(db, "2026-11-01T08:00:00", "张德福", "=1+1")
    target = tmp_path / "日志.xlsx"
    assert write_audit_xlsx(audit_log.readable_rows(db), target) == 1
    ws = openpyxl.load_workbook(target).active
    assert [c.value for c in ws[1]] == list(audit_log.COLUMNS)
    assert [c.value for c in ws[2]][1:] == ["修改", "老人", "张德福", "联系电话", "13800000000", "=1+1"]
    assert ws["G2"].data_type == "s"
