"""Visitor kinds where the clerk sees them: chosen in 设置's visitor dialog (网格员; a 第三方机构 must be named) and
shown in 巡访 → 责任人工作量."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from tests.conftest import VALID_IDS
from township_desk.models import elders, visitors
from township_desk.ui.context import AppContext

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def ctx(db, db_path):
    context = AppContext(db_path, db)
    context.today = lambda: TODAY
    return context


def visitor_dialog(ctx, qtbot):
    from township_desk.ui.settings import VisitorDialog

    dialog = VisitorDialog(ctx)
    qtbot.addWidget(dialog)
    return dialog


def test_the_visitor_dialog_offers_the_kinds_and_refuses_an_unnamed_third_party(ctx, qtbot):
    dialog = visitor_dialog(ctx, qtbot)
    offered = [dialog.role.itemText(i) for i in range(dialog.role.count())]
    assert {"村干部", "网格员", "志愿者", "第三方机构"} <= set(offered)
    dialog.name.setText("赵机构")
    dialog.phone.setText("13900003333")
    dialog.role.setCurrentText("第三方机构")
    assert "第三方机构必填" in dialog.organisation.placeholderText()
    dialog.save_button.click()
    assert dialog.message.text() == "巡访责任人“赵机构”的类别是第三方机构，请在“工作单位”填写机构名称"
    assert ctx.db.execute("SELECT COUNT(*) FROM visitors").fetchone()[0] == 0
    dialog.organisation.setText("夕阳红社工服务中心")
    dialog.save_button.click()
    assert ctx.db.execute("SELECT role, organisation FROM visitors").fetchone() == ("第三方机构", "夕阳红社工服务中心")


def test_the_workload_tab_shows_each_visitors_kind(ctx, qtbot):
    from township_desk.ui.visits_page import WorkloadTab

    org = visitors.save_visitor(ctx.db, {"name": "赵机构", "phone": "13900003333", "role": "第三方机构",
                                         "organisation": "夕阳红社工服务中心"}).visitor_id
    visitors.save_visitor(ctx.db, {"name": "周网格", "phone": "13900004444", "role": "网格员"})
    elder = elders.save_elder(ctx.db, {"name": "张一", "id_number": VALID_IDS[0], "village": "青山村"},
                              today=TODAY).elder_id
    visitors.assign_elders(ctx.db, org, [elder])
    tab = WorkloadTab(ctx)
    qtbot.addWidget(tab)
    tab.refresh()
    model = tab.model
    kind = [k for k, _h in model.columns].index("kind")
    assert model.headerData(kind, Qt.Orientation.Horizontal) == "类别"
    shown = {model.index(r, 0).data(): model.index(r, kind).data() for r in range(model.rowCount())}
    assert shown == {"赵机构": "第三方机构：夕阳红社工服务中心", "周网格": "网格员"}
