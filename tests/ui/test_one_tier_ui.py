"""The window shows the one 巡访类别 (the tier the visit plan follows) and, where it differs from the risk grade's,
why: the 台账's column and filter (the 首页 card's link), the elder editor, the 老人档案, the visit dialog's
header and default 重点 type; the roster, visit form and notice card print it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.tier_ledger import DAY, READINGS, build
from township_desk.ui.context import AppContext

RAISED = "低风险独居高龄"  # the record says 一般; 高龄 and 独居 make the plan 重点


@pytest.fixture
def ctx(db, db_path, qtbot):
    context = AppContext(db_path, db=db, today=DAY)
    context.ids = build(db)
    return context


def test_the_ledger_filter_the_home_card_opens_lists_the_plans_key_elders(ctx, qtbot):
    from township_desk.ui.home_page import dashboard_figures
    from township_desk.ui.ledger_page import LedgerPage

    card = next(f for f in dashboard_figures(ctx.db, DAY) if f.key == "key")
    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    page.apply_filters(card.filters)
    qtbot.waitUntil(lambda: not page.model.counting, timeout=5000)
    shown = {page.model.row(r)["name"]: page.model.row(r)["tier"] for r in range(page.model.rowCount())}
    assert set(shown) == {"低风险独居高龄", "低风险人工重点", "高风险", "未评估独居"}
    assert set(shown.values()) == {"重点"} and int(card.value) == len(shown) == 4
    column = next(c for c in range(page.model.columnCount()) if page.model.headerData(
        c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "巡访类别")
    tips = {page.model.row(r)["name"]: page.model.data(page.model.index(r, column), Qt.ItemDataRole.ToolTipRole)
            for r in range(page.model.rowCount())}
    assert tips == {name: f"巡访时按：{READINGS[name]}" for name in shown}


def test_the_editor_and_the_file_say_what_the_plan_follows_and_why(ctx, qtbot):
    from township_desk.ui.elder_editor import ElderEditor
    from township_desk.ui.elder_file import ElderFileDialog

    for name, text in READINGS.items():
        editor = ElderEditor(ctx, ctx.ids[name])
        qtbot.addWidget(editor)
        assert editor.plan_tier_label.text() == text, name
        file = ElderFileDialog(ctx, ctx.ids[name], today=DAY)
        qtbot.addWidget(file)
        assert f"巡访类别：{text}" in file.header.text(), name
    editor = ElderEditor(ctx, ctx.ids[RAISED])
    qtbot.addWidget(editor)
    assert editor.fields["tier"].currentText() == "一般"  # the clerk's field keeps the record's tier


def test_the_visit_dialog_defaults_to_a_key_visit_for_a_key_elder_by_rule(ctx, qtbot):
    from township_desk.ui.visit_dialog import VisitDialog

    dialog = VisitDialog(ctx, ctx.ids[RAISED])
    qtbot.addWidget(dialog)
    assert dialog.visit_type.currentText() == "重点"
    assert "巡访类别：重点（高龄、独居；风险等级为低）" in dialog.header.text()
    plain = VisitDialog(ctx, ctx.ids["低风险"])
    qtbot.addWidget(plain)
    assert plain.visit_type.currentText() == "普遍"


def test_roster_visit_form_and_notice_card_print_the_plans_tier(ctx):
    from township_desk.printing import documents

    roster = documents.roster_context(ctx.db, "白鹤村", as_of=DAY)
    assert {r["name"]: r["tier"] for r in roster["rows"]}[RAISED] == "重点"
    from township_desk.models.visits import VISIT_TYPES
    from township_desk.printing.docx_render import box

    form = documents.visit_form_context(ctx.db, elder_id=ctx.ids[RAISED])  # a form to take along, ticked in advance
    assert form["type"] == [box(kind == "重点") for kind in VISIT_TYPES]
    card = documents.notice_card_context(ctx.db, ctx.ids[RAISED], as_of=DAY)
    assert "您是重点巡访对象" in str(card["frequency"])
