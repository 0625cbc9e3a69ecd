"""Issue 15's screens attacked: a group in which nobody is late, a long hostile override reason."""

from __future__ import annotations

from township_desk.ui import charts


def test_a_group_with_nobody_late_shows_no_negative_people_axis(qtbot, tmp_path):
    """With 城市独居 chosen and nobody of them late, every village was drawn at 0 on an axis from −0.06 to 0.06."""
    view = charts.ChartView("测试图表")
    qtbot.addWidget(view)
    charts.draw_overdue_by_village(view, [("凉水井村", 0), ("滨河社区", 0)])
    view.canvas.draw()
    ax = view.figure.axes[0]
    assert "没有逾期未上门的老人" in [t.get_text() for t in ax.texts]
    assert not ax.patches  # no bars


import datetime as dt  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from tests.conftest import VALID_IDS  # noqa: E402
from township_desk.models import elders, groups, villages  # noqa: E402
from township_desk.ui.context import AppContext  # noqa: E402

TODAY = dt.date(2026, 11, 22)
LONG_REASON = ("经村委会、社区居委会和乡镇民政办联合入户核实，该老人系重点优抚对象（退役军人，1979年参战），家庭经济困难，"
               "子女均在外省务工，长期无人照料 & <b>\"特别关注\"</b> '=1+1'")
AWAY = {"name": "张小明", "relation": "儿子", "phone": "13900001111", "away_since": "2024-03", "is_away": 1}


@pytest.fixture
def ctx(db, db_path):
    villages.save_village(db, {"name": "城东社区"})
    elders.save_elder(db, {"name": "李秀英", "id_number": VALID_IDS[1], "village": "城东社区", "rural_hukou": 0,
                           "spouse": "一方健在", "lives_alone": 1, "entered_on": "2026-01-05"}, [AWAY], today=TODAY)
    context = AppContext(db_path, db)
    context.today = lambda: TODAY
    return context


@pytest.fixture
def warnings_shown(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *a, **k: seen.append((title, text)))
    return seen


def the_elder(ctx) -> int:
    return ctx.db.execute("SELECT id FROM elders").fetchone()[0]


def dialog_for(ctx, qtbot):
    from township_desk.ui.groups_dialog import GroupsDialog

    dialog = GroupsDialog(ctx, the_elder(ctx), today=TODAY)
    qtbot.addWidget(dialog)
    return dialog


def lines(dialog) -> dict[str, tuple[str, str]]:
    return {r["key"]: (r["verdict"], r["basis"]) for r in dialog.model.rows}


def test_the_elder_file_shows_each_groups_verdict_with_its_reasons(ctx, qtbot):
    dialog = dialog_for(ctx, qtbot)
    shown = lines(dialog)
    assert shown["城市独居"] == ("属于", "按台账记录认定")
    assert shown["农村留守"][0] == "不属于" and "户籍" in shown["农村留守"][1]
    assert shown["特殊困难"] == ("不属于", "未登记为计划生育特殊家庭（重点优抚等由经办人认定）")
    assert dialog.summary.text() == "截至 2026-11-22：城市独居、独居、空巢。一位老人可属于几类，按其中要求最高的频次巡访。"
    assert not dialog.buttons["end"].isEnabled()


def test_an_override_without_a_reason_is_refused_in_the_window(ctx, qtbot, warnings_shown):
    dialog = dialog_for(ctx, qtbot)
    dialog.group.setCurrentText("特殊困难")
    dialog.reason.setText("   ")
    qtbot.mouseClick(dialog.buttons["set"], Qt.MouseButton.LeftButton)
    assert warnings_shown == [("巡访对象类别", "改定“特殊困难”须填写原因")]
    assert ctx.db.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0
    assert not dialog.changed


def test_an_override_with_a_long_hostile_reason_is_saved_shown_and_ended(ctx, qtbot, warnings_shown, tmp_path):
    dialog = dialog_for(ctx, qtbot)
    dialog.resize(900, 560)
    dialog.group.setCurrentText("特殊困难")
    assert dialog.sub_kind.isEnabled()
    dialog.sub_kind.setCurrentText("重点优抚")
    dialog.since.setDate(dialog.since.date().addDays(-30))
    dialog.reason.setText(LONG_REASON)
    qtbot.mouseClick(dialog.buttons["set"], Qt.MouseButton.LeftButton)
    assert warnings_shown == []
    assert dialog.changed and dialog.reason.text() == ""
    verdict, basis = lines(dialog)["特殊困难"]
    assert verdict == "属于" and basis == f"经办人认定（自 2026-10-23 起）：{LONG_REASON}"  # as typed, not as HTML
    assert "特殊困难（重点优抚）" in dialog.summary.text()
    dialog.show()
    dialog.grab().save(str(tmp_path / "对象类别.png"))
    import os

    if os.environ.get("TOWNSHIP_DESK_SCREENSHOTS"):
        dialog.grab().save(os.path.join(os.environ["TOWNSHIP_DESK_SCREENSHOTS"], "对象类别.png"))
    # ended from a day, with a reason: the record decides again from then on
    dialog.group.setCurrentText("特殊困难")
    assert dialog.buttons["end"].isEnabled()
    qtbot.mouseClick(dialog.buttons["end"], Qt.MouseButton.LeftButton)
    assert warnings_shown == [("巡访对象类别", "恢复“特殊困难”按台账记录认定须填写原因")]
    dialog.since.setDate(dialog.since.date().addDays(10))
    dialog.reason.setText("复核：不再享受优抚")
    qtbot.mouseClick(dialog.buttons["end"], Qt.MouseButton.LeftButton)
    assert lines(dialog)["特殊困难"][0] == "不属于"
    elder_id = the_elder(ctx)
    assert "特殊困难" in groups.names(groups.groups_of(ctx.db, elder_id, "2026-10-31"))
    assert "特殊困难" not in groups.names(groups.groups_of(ctx.db, elder_id, "2026-11-02"))


def test_the_elder_file_lists_the_groups_and_opens_them(ctx, qtbot, monkeypatch):
    from township_desk.ui import groups_dialog
    from township_desk.ui.elder_file import ElderFileDialog

    groups.set_override(ctx.db, the_elder(ctx), "特殊困难", True, LONG_REASON, "2026-02-01", "重点优抚")
    file = ElderFileDialog(ctx, the_elder(ctx), today=TODAY)
    qtbot.addWidget(file)
    assert file.record_labels["groups"].text() == "城市独居、特殊困难（重点优抚）（经办人认定）、独居、空巢"
    opened = []
    monkeypatch.setattr(groups_dialog.GroupsDialog, "exec", lambda self: opened.append(self.elder_id) or 0)
    qtbot.mouseClick(file.buttons["groups"], Qt.MouseButton.LeftButton)
    assert opened == [the_elder(ctx)]


def test_the_groups_dialog_with_a_long_reason_fits_the_office_screen(ctx, qtbot, monkeypatch):
    """1366×768 with a taskbar: the dialog is no larger than the screen and every button is in view, with an
    override's long reason wrapped in its line."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen
    from PySide6.QtWidgets import QApplication, QPushButton

    from township_desk.ui.groups_dialog import GroupsDialog

    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(0, 0, 1366, 728))
    groups.set_override(ctx.db, the_elder(ctx), "特殊困难", True, LONG_REASON * 3, "2026-02-01", "重点优抚")
    dialog = GroupsDialog(ctx, the_elder(ctx), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    for _ in range(4):
        QApplication.processEvents()
    assert dialog.width() <= 1366 and dialog.height() <= 728 - 30
    for button in dialog.findChildren(QPushButton):
        assert button.visibleRegion().boundingRect() == button.rect(), button.text()
        assert dialog.rect().contains(QRect(button.mapTo(dialog, button.rect().topLeft()), button.size()))
