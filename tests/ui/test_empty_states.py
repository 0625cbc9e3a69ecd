"""An empty list says why it is empty and what to do next, on every page (台账, 巡访's lists, 待评估, 互助协议, 巡访活动);
driven with qtbot on a real database file, new and empty first."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import VALID_IDS
from township_desk.models import elders, visits
from township_desk.ui.empty_state import NO_ONE_ON_LEDGER

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def ctx(db, db_path):
    from township_desk.ui.context import AppContext

    return AppContext(db_path, db=db, today=TODAY)


def said(view) -> str | None:
    """What the list says over its empty rows, or None when it shows rows."""
    state = view.empty_state
    return state.label.text() if state.is_shown() else None


def add_visited_elder(db) -> int:
    elder_id = elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村",
                                      "entered_on": "2026-11-01", "visitor": "赵会计"}, today=TODAY).elder_id
    visits.record_visit(db, elder_id, {"date": "2026-11-20", "mode": "上门", "visitor_name": "赵会计"}, today=TODAY)
    return elder_id


def test_an_empty_ledger_says_import_or_add_and_a_search_finding_nobody_says_so(ctx, qtbot):
    from township_desk.ui.ledger_page import LedgerPage

    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    assert page.view.empty_state.label.isVisible()
    assert said(page.view) == "台账为空：点击下方“导入台账”导入 Excel 台账，或点击“新增”逐人登记。"
    add_visited_elder(ctx.db)
    page.refresh()
    assert said(page.view) is None and not page.view.empty_state.label.isVisible()
    page.search.setText("wangwu")
    page.requery()
    assert said(page.view).startswith("没有符合条件的老人：请检查查找内容")


def test_the_visit_lists_say_what_to_do_when_empty(ctx, qtbot):
    from township_desk.ui.visits_page import VisitsPage

    page = VisitsPage(ctx)
    qtbot.addWidget(page)
    page.apply_filters({"view": "overdue", "kind": "home"})
    assert said(page.overdue.table) == NO_ONE_ON_LEDGER
    page.apply_filters({"view": "workload"})
    assert said(page.workload.table).startswith("还没有巡访责任人：请在“设置 → 巡访责任人”中")
    add_visited_elder(ctx.db)
    page.apply_filters({"view": "overdue", "kind": "home"})
    assert said(page.overdue.table) == "没有逾期未上门的老人：每位在册老人都在规定的间隔内上门巡访过。"
    page.apply_filters({"view": "unvisited"})
    assert said(page.unvisited.table) == "本月每位在册老人都已上门巡访过，上门巡访覆盖率 100%。"
    page.apply_filters({"view": "hazards"})
    assert said(page.hazards.table).startswith("没有未处置的风险隐患。")
    page.apply_filters({"view": "history"})
    assert said(page.history.table).startswith("在上方输入姓名、拼音首字母或身份证号码选出一位老人")
    page.apply_filters({"view": "workload"})
    assert said(page.workload.table) is None                                 # 赵会计 came with the elder
    assert said(page.workload.elder_table) == "选中上方一位巡访责任人，这里列出他负责的在册老人。"
    page.workload.table.selectRow(0)
    assert said(page.workload.elder_table) is None


def test_assessments_agreements_and_campaigns_say_what_to_do_when_empty(ctx, qtbot):
    from township_desk.ui.agreements_page import AgreementsPage
    from township_desk.ui.campaigns_tab import CampaignsTab
    from township_desk.ui.risk_page import RiskPage

    risk = RiskPage(ctx)
    qtbot.addWidget(risk)
    risk.apply_filters({"view": "due"})
    assert said(risk.due_view) == NO_ONE_ON_LEDGER
    agreements = AgreementsPage(ctx)
    qtbot.addWidget(agreements)
    assert said(agreements.view).startswith("还没有互助养老协议：点击下方“新建”")
    campaigns = CampaignsTab(ctx)
    qtbot.addWidget(campaigns)
    campaigns.refresh()
    assert said(campaigns.campaign_table).startswith("还没有巡访活动：")
    assert said(campaigns.elder_table) == "在左侧选择或新建一个巡访活动，这里列出要巡访的老人。"


def test_the_settings_lists_and_the_elder_file_say_what_to_do_when_empty(ctx, qtbot):
    from township_desk.ui.elder_file import ElderFileDialog
    from township_desk.ui.settings import VillagesTab, VisitorsTab

    village_tab = VillagesTab(ctx)
    qtbot.addWidget(village_tab)
    village_tab.refresh()
    assert said(village_tab.view).startswith("还没有村（社区）：点击下方“新增…”逐个添加")
    visitor_tab = VisitorsTab(ctx)
    qtbot.addWidget(visitor_tab)
    visitor_tab.refresh()
    assert said(visitor_tab.view).startswith("还没有巡访责任人：点击下方“新增…”添加")
    elder_id = elders.save_elder(ctx.db, {"name": "刘秀英", "id_number": VALID_IDS[1], "village": "青山村"},
                                 today=TODAY).elder_id
    elder_file = ElderFileDialog(ctx, elder_id, today=TODAY)
    qtbot.addWidget(elder_file)
    elder_file.kind_filter.setCurrentIndex(elder_file.kind_filter.findData("风险隐患"))
    assert said(elder_file.table) == "没有“风险隐患”类的记录。"
