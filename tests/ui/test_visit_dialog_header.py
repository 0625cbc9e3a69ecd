"""The 登记巡访 dialog says whom it is for (village and 组, the visit groups from models/groups) and exactly which
items it carried over from the last visit; driven with qtbot on a real database file."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import VALID_IDS
from township_desk.models import elders, visits

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def ctx(db, db_path):
    from township_desk.ui.context import AppContext

    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "碾子村", "group_name": "7",
                           "tier": "重点", "lives_alone": True, "current_address": "碾子村7组12号",
                           "care": "无人照料", "entered_on": "2026-09-01"},
                      [{"name": "张小明", "relation": "儿子", "phone": "13900002222"}], today=TODAY)
    return AppContext(db_path, db=db, today=TODAY)


def open_dialog(ctx, qtbot):
    from township_desk.ui.visit_dialog import VisitDialog

    dialog = VisitDialog(ctx, ctx.db.execute("SELECT id FROM elders").fetchone()[0])
    qtbot.addWidget(dialog)
    return dialog


def test_the_header_names_the_group_and_the_visit_groups(ctx, qtbot):
    dialog = open_dialog(ctx, qtbot)
    header = dialog.header.text()
    assert "碾子村7组" in header                       # a bare 7 reads 碾子村7组, not 碾子村7
    assert "类别：" in header and "独居" in header.split("类别：")[1].split("　")[0]
    assert "巡访类别：重点" in header and "住址：碾子村7组12号" in header


def test_a_phone_call_rating_two_items_prefills_two_and_names_the_rest(ctx, qtbot):
    zhang = ctx.db.execute("SELECT id FROM elders").fetchone()[0]
    visits.record_visit(ctx.db, zhang, {"date": "2026-11-10", "mode": "电话", "visitor_name": "赵会计",
                                        "mood": "良", "expression": "优"}, today=TODAY)
    dialog = open_dialog(ctx, qtbot)
    note = dialog.prefill_note.text()
    assert note.startswith("已按上次巡访（2026-11-10，电话）预填 2 项，其余 10 项（")  # 生活照料 from the ledger
    assert "行动能力" in note and "燃气安全" in note and "表达能力" not in note.split("其余")[1]
    assert "各项已按上次巡访" not in note


def test_a_last_visit_with_nothing_to_carry_over_says_so(ctx, qtbot):
    zhang = ctx.db.execute("SELECT id FROM elders").fetchone()[0]
    visits.record_visit(ctx.db, zhang, {"date": "2026-11-10", "mode": "电话", "visitor_name": "赵会计"}, today=TODAY)
    dialog = open_dialog(ctx, qtbot)
    assert dialog.prefill_note.text() == "上次巡访（2026-11-10，电话）没有可沿用的评价，各项请逐项填写。"
