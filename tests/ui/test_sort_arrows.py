"""Every sortable list shows its rows in the order its header's arrow says, and a click on a heading sorts by it
and a second click reverses it (逾期清单, 责任人工作量, 风险隐患, 台账). Driven by clicking the headings with qtbot;
the story is tests/ui/test_visits_page.py's (张 18 and 王 52 days overdue; 赵会计 made two calls this month)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.test_visits_page import TODAY, ctx  # noqa: F401 - ctx is the fixture
from township_desk.models import hazards
from township_desk.ui.rows_model import RowsModel

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def click_heading(qtbot, view, heading: str) -> None:
    header = view.horizontalHeader()
    model = view.model()
    column = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == heading)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def arrow(view) -> tuple[str | None, Qt.SortOrder | None]:
    """The heading the arrow is on and its order (None, None when no arrow is shown)."""
    header = view.horizontalHeader()
    section = header.sortIndicatorSection()
    if not header.isSortIndicatorShown() or not 0 <= section < view.model().columnCount():
        return None, None
    return view.model().headerData(section, Qt.Orientation.Horizontal), header.sortIndicatorOrder()


def column(view, key: str) -> list:
    return [row[key] for row in view.model().rows]


@pytest.fixture
def visits_page(ctx, qtbot):  # noqa: F811
    from township_desk.ui.visits_page import VisitsPage

    page = VisitsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_overdue_list_starts_longest_first_under_a_descending_arrow_and_a_click_reverses_it(visits_page, qtbot):
    tab = visits_page.overdue
    tab.set_filters(kind="home")
    assert arrow(tab.table) == ("逾期天数", DESC)
    assert column(tab.table, "name") == ["王大山", "张德福"] and column(tab.table, "days_overdue") == [52, 18]
    click_heading(qtbot, tab.table, "逾期天数")
    assert arrow(tab.table) == ("逾期天数", ASC)
    assert column(tab.table, "days_overdue") == [18, 52]
    tab.refresh()                                             # a save elsewhere reloads the list: the order stays
    assert arrow(tab.table) == ("逾期天数", ASC) and column(tab.table, "days_overdue") == [18, 52]
    header_tip = tab.model.headerData(tab.model.column_of("days_overdue"), Qt.Orientation.Horizontal,
                                      Qt.ItemDataRole.ToolTipRole)
    assert header_tip == "已按“逾期天数”升序（小的、早的在前）排列，再点一下改为降序"


def test_overdue_list_sorts_the_due_column_by_date(visits_page, qtbot):
    tab = visits_page.overdue
    tab.set_filters(kind="home")
    click_heading(qtbot, tab.table, "应上门日期 / 统计周")
    assert arrow(tab.table) == ("应上门日期 / 统计周", ASC)
    assert column(tab.table, "due_text") == ["2026-10-01", "2026-11-04"]   # 王's visit was due first
    click_heading(qtbot, tab.table, "应上门日期 / 统计周")
    assert column(tab.table, "due_text") == ["2026-11-04", "2026-10-01"]


def test_workload_shows_no_arrow_until_a_heading_is_clicked_then_follows_it(visits_page, qtbot):
    visits_page.tabs.setCurrentWidget(visits_page.workload)
    table = visits_page.workload.table
    assert arrow(table) == (None, None)                        # the model's order, not an arrow on 巡访责任人
    click_heading(qtbot, table, "本月电话视频次数")
    assert arrow(table) == ("本月电话视频次数", ASC)
    assert column(table, "name") == ["钱书记", "赵会计"] and column(table, "remote_visits_month") == [0, 2]
    click_heading(qtbot, table, "本月电话视频次数")
    assert arrow(table) == ("本月电话视频次数", DESC)
    assert column(table, "name") == ["赵会计", "钱书记"]
    visits_page.workload.refresh()
    assert column(table, "name") == ["赵会计", "钱书记"] and arrow(table) == ("本月电话视频次数", DESC)


def test_hazards_sort_by_the_day_found_both_ways(ctx, visits_page, qtbot):  # noqa: F811
    zhang, wang = (ctx.db.execute("SELECT id FROM elders WHERE name = ?", [n]).fetchone()[0] for n in ("张德福", "王大山"))
    hazards.open_hazard(ctx.db, wang, "2026-11-18", "取暖不安全", today=TODAY)
    hazards.open_hazard(ctx.db, zhang, "2026-10-20", "燃气不安全", today=TODAY)
    visits_page.apply_filters({"view": "hazards"})
    table = visits_page.hazards.table
    assert arrow(table) == (None, None) and column(table, "name") == ["张德福", "王大山"]  # oldest first, as given
    click_heading(qtbot, table, "发现日期")
    assert arrow(table) == ("发现日期", ASC) and column(table, "found_on") == ["2026-10-20", "2026-11-18"]
    click_heading(qtbot, table, "发现日期")
    assert arrow(table) == ("发现日期", DESC) and column(table, "found_on") == ["2026-11-18", "2026-10-20"]
    visits_page.hazards.only_open.setChecked(False)            # reloads: still newest first under the arrow
    assert arrow(table) == ("发现日期", DESC) and column(table, "name") == ["王大山", "张德福"]


def test_ledger_age_heading_sorts_youngest_first_then_oldest_first(ctx, qtbot):  # noqa: F811
    from township_desk.ui.ledger_page import LedgerPage

    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    assert arrow(page.view) == ("村（社区）", ASC)
    click_heading(qtbot, page.view, "年龄")
    ages = [page.model.row(n)["age"] for n in range(page.model.rowCount())]
    assert arrow(page.view) == ("年龄", ASC) and ages == [70, 74, 78, 81]
    click_heading(qtbot, page.view, "年龄")
    ages = [page.model.row(n)["age"] for n in range(page.model.rowCount())]
    assert arrow(page.view) == ("年龄", DESC) and ages == [81, 78, 74, 70]
    from township_desk.ui.ledger_page import COLUMNS

    tip = page.model.headerData([key for key, _h in COLUMNS].index("age"), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip == "已按“年龄”降序（大的、晚的在前）排列，再点一下改为升序"


def test_a_text_column_sorts_by_its_number_and_minus_one_restores_the_given_order(qtbot):
    rows = [{"name": "甲", "days": 9, "text": "逾期 9 天"}, {"name": "乙", "days": 12, "text": "逾期 12 天"},
            {"name": "丙", "days": None, "text": ""}]
    model = RowsModel([("name", "姓名"), ("text", "逾期")], rows, sort_keys={"text": "days"})
    model.sort(1, ASC)
    assert [r["name"] for r in model.rows] == ["甲", "乙", "丙"]      # 9 before 12 (as text "12" < "9")
    model.sort(1, DESC)
    assert [r["name"] for r in model.rows] == ["乙", "甲", "丙"]      # no value: last either way
    model.set_rows(list(reversed(rows)))
    assert [r["name"] for r in model.rows] == ["乙", "甲", "丙"]      # new rows, the same order
    model.sort(-1, ASC)
    assert [r["name"] for r in model.rows] == ["丙", "乙", "甲"] and model.sorted_by is None
