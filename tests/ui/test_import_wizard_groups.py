"""导入台账's preview names the visit-group columns it recognised (类别, 是否空巢; a 社区 sheet's title) and shows each
row's groups, before anything is written."""

from __future__ import annotations

import pytest

from tests.test_import_groups import community_workbook, village_workbook


@pytest.fixture
def ctx(db_path):
    from township_desk.ui.context import AppContext

    context = AppContext(db_path)
    yield context
    context.db.close()


def preview_of(qtbot, ctx, path):
    from township_desk.ui.import_wizard import ImportWizard

    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.choose_page.path_edit.setText(str(path))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.PREVIEW, timeout=10_000)
    page = wizard.preview_page
    mapping = {(page.mapping.item(r, 1).text(), page.mapping.item(r, 2).text()) for r in range(page.mapping.rowCount())}
    rows = page.rows
    headings = [rows.horizontalHeaderItem(c).text() for c in range(rows.columnCount())]
    column = headings.index("巡访对象类别")
    return mapping, [(rows.item(r, 3).text(), rows.item(r, column).text()) for r in range(rows.rowCount())]


def test_the_preview_shows_the_group_columns_and_each_rows_groups(qtbot, ctx, tmp_path):
    mapping, shown = preview_of(qtbot, ctx, village_workbook(tmp_path / "村.xlsx"))
    assert {("类别", "巡访对象类别"), ("是否空巢", "巡访对象类别：是否空巢")} <= mapping
    assert shown[:2] == [("张德福", "农村留守、空巢"), ("李秀英", "特殊困难（重点优抚）")]
    assert ctx.db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0


def test_the_preview_shows_the_group_a_community_sheets_title_names(qtbot, ctx, tmp_path):
    mapping, shown = preview_of(qtbot, ctx, community_workbook(tmp_path / "社区.xlsx"))
    assert ("（标题“城东社区城市独居老人台账”）", "巡访对象类别：城市独居（表中各行）") in mapping
    assert shown == [("孙桂英", "城市独居"), ("周老汉", "城市独居")]
