"""The 报表 page's 确认上报 and 更正上报 and its list of months sent; the 首页 rate and the coverage chart read
what was sent. Driven with qtbot on a real database file; the written workbooks read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from conftest import make_id
from openpyxl import load_workbook
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from township_desk.models import elders, settings, submissions, visits
from township_desk.ui.context import AppContext
from township_desk.ui.reports_page import ReportsPage

COMPLETE = {"education": "小学", "spouse": "双方健在", "care": "有人照料", "children_away_years": 2,
            "main_income": "打工", "visitor": "李巡访", "entered_on": "2026-01-05"}


@pytest.fixture
def page(qtbot, db, db_path, monkeypatch, tmp_path):
    settings.put(db, {"township_name": "城关镇", "preparer": "李专干"})
    ids = [elders.save_elder(db, {"name": name, "id_number": make_id("19500101", seq), "village": "红星村",
                                  **COMPLETE}, [{"name": name + "子", "relation": "儿子", "away_since": "2024-03"}],
                               today=dt.date(2026, 1, 5)).elder_id
           for name, seq in (("张甲", 11), ("李乙", 13))]
    visits.record_visit(db, ids[0], {"date": "2026-10-12", "mode": "上门", "visitor_name": "李巡访"},
                        today=dt.date(2026, 10, 12))
    from township_desk.ui.pages import follow_changes

    ctx = AppContext(db_path, db)
    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    follow_changes(ctx, widget)  # as the window does: a submission recorded is announced, the page refreshes
    widget.month_edit.setDate(QDate(2026, 10, 1))
    messages = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, _k=kind, **k: messages.append((_k, a[2])))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    widget.messages, widget.ids = messages, ids
    widget.target = tmp_path / "十月.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(widget.target), ""))
    return widget


def test_confirm_submit_records_the_month_and_lists_it(page, qtbot):
    assert page.submit_button.isEnabled() and not page.correct_button.isEnabled()
    assert page.sent_rows() == []
    page.submit_button.click()
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 1, timeout=10000)
    digest = hashlib.sha256(page.target.read_bytes()).hexdigest()
    month, kind, _when, by, sha = page.sent_rows()[0]
    assert (month, kind, by, sha) == ("2026年10月", "上报", "李专干", digest[:12] + "…")
    assert page.messages[-1][0] == "information" and digest in page.messages[-1][1]
    assert not page.submit_button.isEnabled() and page.correct_button.isEnabled()
    assert "已于" in page.status_label.text() and "上报" in page.status_label.text()


def test_a_sent_month_shows_its_sent_figures_and_exports_them_again(page, qtbot):
    page.submit_button.click()
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 1, timeout=10000)
    sent = load_workbook(page.target)["汇总表"]["B6"].value
    elders.save_elder(page.ctx.db, {"name": "王丙", "id_number": make_id("19500101", 15), "village": "红星村",
                                    **COMPLETE, "entered_on": "2026-10-03"}, today=dt.date(2026, 11, 20))
    page.refresh()
    assert page.summary_model.index(1, 1).data() == str(sent) == "2"   # 王丙, entered late, is not in what was sent
    page.target = page.target.with_name("再导出.xlsx")
    page.export_button.click()
    qtbot.waitUntil(lambda: page.target.exists(), timeout=10000)
    qtbot.waitUntil(lambda: "与上报时的报表完全相同" in page.messages[-1][1], timeout=10000)
    assert load_workbook(page.target)["汇总表"]["B6"].value == 2


def test_correct_asks_for_the_reason_and_lists_the_correction(page, qtbot, monkeypatch):
    page.submit_button.click()
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 1, timeout=10000)
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("   ", True))
    page.correct_button.click()
    assert page.messages[-1] == ("warning", "更正上报须写明理由，未导出。")
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("补录10月巡访", True))
    page.target = page.target.with_name("更正.xlsx")
    page.correct_button.click()
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 2, timeout=10000)
    assert [row[1] for row in page.sent_rows()] == ["更正", "上报"]
    assert "补录10月巡访" in page.sent_table.item(0, 0).toolTip()
    today = dt.date.today()
    assert load_workbook(page.target)["汇总表"]["A1"].value.endswith(
        f"（2026年10月）更正（{today.year}年{today.month}月{today.day}日）")


def test_a_month_not_over_offers_only_a_draft(page, qtbot):
    today = dt.date.today()
    page.month_edit.setDate(QDate(today.year, today.month, 1))
    assert page.export_button.text() == "导出草稿…" and page.export_button.isEnabled()
    assert not page.submit_button.isEnabled() and not page.correct_button.isEnabled()
    assert "尚未结束" in page.status_label.text()
    page.export_button.click()
    qtbot.waitUntil(lambda: bool(page.messages), timeout=10000)
    assert "这是草稿" in page.messages[-1][1]
    title = load_workbook(page.target)["汇总表"]["A1"].value
    assert title.endswith(f"草稿（截至{today.year}年{today.month}月{today.day}日）")
    assert page.sent_rows() == []


def test_a_month_before_the_ledger_cannot_be_exported(page):
    page.month_edit.setDate(QDate(2025, 12, 1))
    assert not page.export_button.isEnabled() and not page.submit_button.isEnabled()
    assert "早于台账的开始" in page.status_label.text()


def test_home_rate_and_coverage_chart_read_the_sent_month(page, qtbot):
    from township_desk.ui.charts_tab import ChartsTab
    from township_desk.ui.home_page import dashboard_figures

    page.submit_button.click()
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 1, timeout=10000)
    db = page.ctx.db
    visits.record_visit(db, page.ids[1], {"date": "2026-10-25", "mode": "上门", "visitor_name": "李巡访"},
                        today=dt.date(2026, 11, 20))                      # entered after October was sent
    rate = next(f for f in dashboard_figures(db, dt.date(2026, 10, 31)) if f.key == "rate")
    assert rate.value == "50.0%"
    from township_desk.ui.context import AppContext

    tab = ChartsTab(AppContext(page.ctx.db_path, page.ctx.db, today=dt.date(2026, 11, 20)))
    qtbot.addWidget(tab)
    tab.refresh()
    line = tab.views["coverage"].figure.axes[0].lines[0]
    points = dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
    assert points["2026-10"] == pytest.approx(50.0)
    assert submissions.visit_rate(db, "2026-10")[:2] == (1, 2)


def test_the_audit_log_names_a_submission_in_the_clerks_words(page, qtbot):
    from township_desk.models import audit_log

    page.submit_button.click()
    qtbot.waitUntil(lambda: page.sent_table.rowCount() == 1, timeout=10000)
    digest = hashlib.sha256(page.target.read_bytes()).hexdigest()
    row = audit_log.readable(audit_log.rows(page.ctx.db)[0])
    assert row[1:] == ["上报", "月度报表", "城关镇 2026年10月", "文件 SHA-256", "", f"{digest}（李专干）"]
