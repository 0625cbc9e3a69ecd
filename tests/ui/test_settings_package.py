"""The 设置 package: both list tabs are the one ``ListTab``, and the old module name ``ui.settings_page`` still
works, including a test's replacement of its questions."""

from __future__ import annotations

import pytest

from township_desk.models import villages, visitors
from township_desk.ui.context import AppContext
from township_desk.ui.settings import ListTab, VillagesTab, VisitorsTab, messages


@pytest.fixture
def ctx(db, db_path):
    villages.save_village(db, {"name": "青山村"})
    visitors.save_visitor(db, {"name": "王芳", "phone": "13900002222", "village_id": villages.village_id(db, "青山村")})
    return AppContext(db_path, db)


@pytest.mark.parametrize(("tab_class", "title", "told"), [
    (VillagesTab, "修改村（社区）", "请先在列表中选中一个村（社区）。"),
    (VisitorsTab, "修改巡访责任人", "请先在列表中选中一位巡访责任人。"),
])
def test_each_list_tab_asks_to_pick_a_row_before_editing(ctx, qtbot, monkeypatch, tab_class, title, told):
    said = []
    monkeypatch.setattr(messages, "inform", lambda _p, t, text, warning=False: said.append((t, text, warning)))
    tab = tab_class(ctx)
    qtbot.addWidget(tab)
    assert isinstance(tab, ListTab)
    tab.view.clearSelection()
    assert tab.edit_selected() is None
    assert said == [(title, told, True)]
    assert not tab.edit_button.isEnabled()


@pytest.mark.parametrize(("tab_class", "shown"), [(VillagesTab, "青山村"), (VisitorsTab, "王芳")])
def test_each_list_tab_keeps_the_selected_row_selected_when_read_again(ctx, qtbot, tab_class, shown):
    tab = tab_class(ctx)
    qtbot.addWidget(tab)
    tab.view.selectRow(0)
    tab.refresh()
    assert tab.selected()["name"] == shown and tab.edit_button.isEnabled()


def test_the_old_module_name_gives_the_page_and_passes_a_replaced_question_on(ctx, qtbot, monkeypatch):
    from township_desk.ui import settings_page
    from township_desk.ui.settings_page import SettingsPage, VillageDialog

    assert VillageDialog is settings_page.VillageDialog
    asked = []
    original = messages.confirm
    monkeypatch.setattr(settings_page, "confirm", lambda _p, _t, text: asked.append(text) or False)
    assert messages.confirm is settings_page.confirm
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.villages_tab.view.selectRow(0)
    assert page.villages_tab.delete_selected() is False
    assert asked == ["确定删除“青山村”吗？"]
    assert [v["name"] for v in villages.list_villages(ctx.db)] == ["青山村"]
    monkeypatch.undo()
    assert messages.confirm is original
