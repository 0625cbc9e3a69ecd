"""The 报表 page: the month's 汇总表 with last month beside it, checks green/red, export and 县级汇总 off the GUI thread."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_id
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from township_desk.models import elders, settings
from township_desk.ui.context import AppContext
from township_desk.ui.reports_page import ReportsPage, last_month

TODAY = dt.date(2026, 11, 20)
COMPLETE = {"education": "小学", "spouse": "双方健在", "care": "有人照料",
            "main_income": "打工", "visitor": "李巡访", "entered_on": "2026-01-05"}
AWAY = [{"name": "张子", "relation": "儿子", "away_since": "2024-01"}]  # 外出务工年限 from this date


def add(db, name, seq, **fields):
    return elders.save_elder(db, {"name": name, "id_number": make_id("19500101", seq), "village": "红星村",
                                  **COMPLETE, **fields}, AWAY, today=TODAY).elder_id


@pytest.fixture
def page(qtbot, db, db_path, monkeypatch):
    settings.put(db, {"township_name": "城关镇"})
    add(db, "早来", 11)
    add(db, "十月来", 13, entered_on="2026-10-10")
    ctx = AppContext(db_path, db)
    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    widget.month_edit.setDate(QDate(2026, 10, 1))
    messages = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, _k=kind, **k: messages.append((_k, a[2])))
    widget.messages = messages
    return widget


def test_default_month_is_last_month():
    assert last_month(dt.date(2026, 1, 15)) == "2025-12"


def test_shows_the_summary_with_last_month_and_the_change(page):
    model = page.summary_model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["红星村", "合计"]
    assert model.index(1, 1).data() == "2"
    assert model.index(1, 1).data(Qt.ItemDataRole.ToolTipRole) == "第1列：本月 2，上月 1，变化 +1"
    compare = page.compare_model
    assert [compare.index(0, c).data() for c in range(5)] == ["1", "留守老年人总数", "2", "1", "+1"]
    assert page.export_button.isEnabled()
    top = [page.checks.topLevelItem(i).text(0) for i in range(page.checks.topLevelItemCount())]
    assert len(top) == 4 and all(t.startswith("✔") for t in top)


def test_a_failing_check_lists_the_elder_and_double_click_opens_them(page, db, monkeypatch):
    add(db, "缺文化", 15, education=None)
    page.refresh()
    assert not page.export_button.isEnabled()
    assert "勾稽关系不成立" in page.status_label.text()
    red = [page.checks.topLevelItem(i).text(0) for i in range(page.checks.topLevelItemCount())
           if page.checks.topLevelItem(i).text(0).startswith("✘")]
    assert red[0].startswith("✘ 红星村：第1列=3，但 第10+11+12+13列=2")
    items = page.failing_elder_items()
    assert "缺文化" in items[0].text(0) and "文化程度未填" in items[0].text(0)
    from township_desk.ui.elder_editor import ElderEditor

    opened = []
    monkeypatch.setattr(ElderEditor, "exec", lambda dialog: opened.append(dialog.value("name")) or 0)
    page.open_item(items[0])
    assert opened == ["缺文化"]


def test_export_writes_the_workbook_off_the_gui_thread(page, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "out" / "月报.xlsx"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.export()
    qtbot.waitUntil(lambda: bool(page.messages), timeout=10000)
    assert page.messages[0][0] == "information", page.messages
    ws = load_workbook(target)["汇总表"]
    assert ws["A1"].value == "城关镇农村留守老人基本情况排查汇总表（2026年10月）" and ws["B7"].value == 2


def test_county_combine_from_the_page(page, qtbot, tmp_path, monkeypatch):
    from township_desk.printing.monthly_xlsx import export_monthly

    source = tmp_path / "城关镇.xlsx"
    export_monthly(page.ctx.db, "2026-10", source)
    junk = tmp_path / "坏.xlsx"
    junk.write_bytes(b"junk")
    page.add_files([str(source), str(junk), str(source)])
    assert page.combine_files.count() == 2
    page.county_edit.setText("某县")
    target = tmp_path / "县.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.combine()
    qtbot.waitUntil(lambda: page.last_combine is not None, timeout=10000)
    assert page.messages[-1][0] == "warning" and "坏.xlsx" in page.messages[-1][1]
    assert "1 个乡镇" in page.combine_result.text()
    assert load_workbook(target)["汇总表"]["A6"].value == "城关镇"


def test_county_work_has_its_own_tab_and_the_month_tab_is_the_summarys(page):
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["本乡镇月度报表", "县级汇总"]
    month_tab, county_tab = page.tabs.widget(0), page.tabs.widget(1)
    assert county_tab.isAncestorOf(page.combine_files) and not month_tab.isAncestorOf(page.combine_files)
    assert month_tab.isAncestorOf(page.summary_view) and month_tab.isAncestorOf(page.submit_button)
