"""The 风险评估 page and the ability sub-form, driven with qtbot (modal dialogs monkeypatched)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from tests.conftest import VALID_IDS, make_id
from township_desk.models import ability, elders, risk, settings
from township_desk.models.changes import Changes, take

TODAY = dt.date(2026, 11, 22)
ZHANG = make_id("19550315", 11)   # 71 on TODAY
LIU = VALID_IDS[1]                # 1952: 74
LI = VALID_IDS[3]                 # 1948: 78


def add(db, name, number, village, **extra) -> int:
    data = {"name": name, "id_number": number, "village": village, "entered_on": "2024-01-01", **extra}
    return elders.save_elder(db, data, today=TODAY).elder_id


@pytest.fixture
def ctx(db, db_path, qtbot):
    from township_desk.ui.context import AppContext

    settings.put(db, {"preparer": "王专干"})
    add(db, "张德福", ZHANG, "东风村", lives_alone=1, hardship="低保")
    add(db, "刘秀英", LIU, "白鹤村", care="无人照料", ability_level=2)
    gone = add(db, "李桂兰", LI, "东风村")
    elders.change_status(db, gone, "已去世", TODAY, "病故")
    return AppContext(db_path, db=db, today=TODAY)


@pytest.fixture
def page(ctx, qtbot):
    from township_desk.ui.pages import follow_changes
    from township_desk.ui.risk_page import RiskPage

    widget = RiskPage(ctx)
    qtbot.addWidget(widget)
    follow_changes(ctx, widget)  # what the window does: the page itself never listens to ctx
    return widget


def elder_id(db, name) -> int:
    return db.execute("SELECT id FROM elders WHERE name = ?", [name]).fetchone()[0]


def due_names(page) -> list[str]:
    return [r["name"] for r in page.due_model.rows]


def test_due_list_shows_elders_on_the_ledger_never_assessed_with_a_village_filter(page):
    page.apply_filters({"view": "due"})
    assert page.tabs.tabText(page.tabs.currentIndex()) == "待评估"
    assert sorted(due_names(page)) == ["刘秀英", "张德福"]          # 李桂兰 已去世: not due
    assert page.due_count_label.text() == "待评估 2 人（其中从未评估 2 人）"
    index = page.due_model.index(0, [k for k, _h in page.due_model.columns].index("last_text"))
    assert page.due_model.data(index) == "从未评估"
    page.village_combo.setCurrentText("白鹤村")
    assert due_names(page) == ["刘秀英"]
    page.apply_filters({"view": "due", "village": "东风村"})
    assert due_names(page) == ["张德福"] and page.village_combo.currentText() == "东风村"


def test_double_click_on_the_due_list_opens_the_assessment(page, qtbot):
    page.apply_filters({"view": "due", "village": "白鹤村"})
    index = page.due_model.index(0, 0)
    page.due_view.doubleClicked.emit(index)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "评估"
    assert page.elder["name"] == "刘秀英"


def test_assess_an_elder_override_needs_a_reason_and_saving_clears_the_due_list(page, ctx, monkeypatch):
    eid = elder_id(ctx.db, "张德福")
    page.apply_filters({"elder_id": eid})
    assert page.tabs.tabText(page.tabs.currentIndex()) == "评估"
    assert "张德福" in page.elder_label.text() and "从未评估" in page.elder_label.text()

    ticked = {f: c.text() for f, c in page.factor_checks.items() if c.isChecked()}
    assert ticked == {"独居": "独居：台账登记为独居", "经济困难": "经济困难：困难类型：低保"}
    assert page.grade_label.text() == "建议：中风险（二级）" and "#e65100" in page.grade_label.styleSheet()
    assert "共2项风险因素（独居、经济困难） → 中风险" in page.reasons_label.text()
    assert page.final_radios["中"].isChecked() and page.assessor_edit.text() == "王专干"
    assert page.save_button.isEnabled()

    page.final_radios["高"].click()
    assert not page.save_button.isEnabled()
    assert "须填写调整理由" in page.problem_label.text() and "必填" in page.reason_title.text()
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    assert page.save() is None
    assert "须填写调整理由" in warnings[0]
    assert ctx.db.execute("SELECT COUNT(*) FROM assessments").fetchone()[0] == 0

    page.reason_edit.setPlainText("冬季独自烧柴取暖，子女半年未归")
    assert page.save_button.isEnabled() and page.problem_label.text() == ""
    assessment_id = page.save()
    row = risk.history(ctx.db, eid)[0]
    assert (row["id"], row["suggested_grade"], row["final_grade"], row["override_reason"], row["assessor"]) == \
        (assessment_id, "中", "高", "冬季独自烧柴取暖，子女半年未归", "王专干")
    assert elders.get_elder(ctx.db, eid)["risk_grade"] == "高"
    assert "张德福" not in due_names(page) and due_names(page) == ["刘秀英"]
    assert page.saved_label.text() == "已保存：张德福 2026-11-22 评估，最终等级 高风险（一级）"
    assert page.history_model.rowCount() == 1
    assert page.history_model.rows[0]["final_text"] == "高风险（一级）（已调整）"
    assert page.reason_edit.toPlainText() == "" and "当前风险等级：高风险（一级）" in page.elder_label.text()


def test_search_by_pinyin_initials_picks_the_elder_and_shows_a_high_grade(page):
    page.search_edit.setText("lxy")
    assert page.elder["name"] == "刘秀英"
    assert page.grade_label.text() == "建议：高风险（一级）" and "#c62828" in page.grade_label.styleSheet()
    assert page.reasons_label.text().splitlines()[0] == "无人照料且失能 → 高风险"
    assert page.factor_checks["失能"].text() == "失能：能力等级：中度受损（中度失能）"
    assert not page.factor_checks["独居"].isChecked()


def test_a_hazard_found_after_the_chosen_date_is_not_a_factor(page, ctx):
    eid = elder_id(ctx.db, "张德福")
    with ctx.db.atomic():
        ctx.db.execute("INSERT INTO hazards(elder_id, found_on, description) VALUES (?, '2026-11-10', '屋顶漏雨')", [eid])
    page.apply_filters({"elder_id": eid})
    assert page.factor_checks["存在未处置的风险隐患"].isChecked()
    assert "2026-11-10 发现“屋顶漏雨”" in page.factor_checks["存在未处置的风险隐患"].text()
    assert page.grade_label.text() == "建议：高风险（一级）"
    from township_desk.ui.widgets import qdate

    page.date_edit.setDate(qdate(dt.date(2026, 11, 1)))
    assert not page.factor_checks["存在未处置的风险隐患"].isChecked()
    assert page.grade_label.text() == "建议：中风险（二级）"


def test_an_elder_not_on_the_ledger_cannot_be_saved(page, ctx):
    page.apply_filters({"elder_id": elder_id(ctx.db, "李桂兰")})
    assert "不能评估" in page.elder_label.text()
    assert not page.save_button.isEnabled() and "已去世" in page.problem_label.text()


def test_ability_sub_form_result_is_shown_used_and_stored(page, ctx, monkeypatch):
    from township_desk.ui import ability_dialog

    eid = elder_id(ctx.db, "张德福")
    page.apply_filters({"elder_id": eid})

    def fill(dialog):
        for item in ability.ITEMS:
            dialog.set_answer(item.code, item.max_score)
        for code in ("B.1.3", "B.1.4", "B.1.5", "B.1.8", "B.2.3"):
            dialog.set_answer(code, 0)                      # 90 - 16 - 4 = 70: 轻度受损
        dialog.dementia_check.setChecked(True)              # → 中度受损
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ability_dialog.AbilityDialog, "exec", fill)
    result = page.open_ability()
    assert (result.total, result.level) == (70, 2)
    assert "本次能力评估：总分 70 分，中度受损（中度失能）" in page.ability_label.text()
    assert page.factor_checks["失能"].text() == "失能：本次能力评估：中度受损（中度失能）"
    assert page.grade_label.text() == "建议：高风险（一级）"   # 独居、经济困难、失能
    page.save()
    row = risk.history(ctx.db, eid)[0]
    assert (row["ability_score"], row["ability_level"], row["final_grade"]) == (70, 2, "高")
    assert elders.get_elder(ctx.db, eid)["ability_level"] == 2
    assert "本次未做能力评估（台账能力等级：中度受损（中度失能））" in page.ability_label.text()
    assert page.history_model.rows[0]["ability_text"] == "70分，中度受损（中度失能）"


def test_ability_dialog_needs_every_item_and_shows_the_running_total(qtbot):
    from township_desk.ui.ability_dialog import AbilityDialog

    dialog = AbilityDialog(None, None)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.result() is None
    assert dialog.total_label.text() == "已填 0/26 项，目前得分 0 分"
    for item in ability.ITEMS[:-1]:
        dialog.set_answer(item.code, item.max_score)
    assert not ok.isEnabled() and "B.4.5 社会交往能力" in dialog.missing_label.text()
    assert dialog.groups["自理能力"].title() == "一、自理能力（8/8 项，32/32 分）"
    dialog.set_answer("B.4.5", 4)
    assert ok.isEnabled() and dialog.result().total == 90
    assert dialog.total_label.text() == "总分 90 分　初步等级：能力完好　最终等级：0 能力完好"
    dialog.events_spin.setValue(2)
    assert dialog.result().level == 1 and "近30天内发生2次照护风险事件" in dialog.adjust_label.text()
    dialog.coma_check.setChecked(True)
    assert dialog.result().level == 4


def test_ability_dialog_starts_from_the_previous_answers(qtbot):
    from township_desk.ui.ability_dialog import AbilityDialog

    answers = {item.code: item.max_score for item in ability.ITEMS}
    answers["B.2.4"] = 1
    stored = ability.assess(answers, risk_events_30d=3).stored()
    dialog = AbilityDialog(None, stored, elder_name="张德福")
    qtbot.addWidget(dialog)
    assert dialog.combos["B.2.4"].currentData() == 1 and dialog.events_spin.value() == 3
    assert dialog.result().total == 88 and "张德福" in dialog.windowTitle()


def test_statistics_tab_counts_grades_by_village_with_a_total(page, ctx):
    risk.record_assessment(ctx.db, elder_id(ctx.db, "刘秀英"), date=TODAY, assessor="王专干", today=TODAY)
    ctx.announce_writes()
    page.apply_filters({"view": "stats"})
    rows = {r["village"]: (r["high"], r["medium"], r["low"], r["none"], r["total"]) for r in page.stats_model.rows}
    assert rows == {"东风村": (0, 0, 0, 1, 1), "白鹤村": (1, 0, 0, 0, 1), "合计": (1, 0, 0, 1, 2)}
    assert due_names(page) == ["张德福"]


def test_record_assessment_says_it_wrote_the_assessment_and_the_elder(ctx):
    eid = elder_id(ctx.db, "刘秀英")
    assessment_id = risk.record_assessment(ctx.db, eid, date=TODAY, assessor="王专干", today=TODAY)
    changes = take(ctx.db)
    assert changes.tables == {"assessments", "elders"}                # the grade and tier followed
    assert changes.ids_of("assessments") == [assessment_id] and changes.ids_of("elders") == [eid]
    risk.record_assessment(ctx.db, eid, date=TODAY, assessor="王专干", today=TODAY)
    assert take(ctx.db).tables == {"assessments"}                     # same grade: the elder is as it was
    assert not take(ctx.db)                                           # taken once


def test_the_page_does_not_listen_to_its_own_saves(qtbot, ctx):
    from township_desk.ui.risk_page import RiskPage

    page = RiskPage(ctx)  # not followed: only the window (or follow_changes) refreshes a page
    qtbot.addWidget(page)
    calls = []
    real = page.refresh
    page.refresh = lambda: calls.append(1) or real()
    risk.record_assessment(ctx.db, elder_id(ctx.db, "刘秀英"), date=TODAY, assessor="王专干", today=TODAY)
    ctx.announce_writes()
    assert calls == []


def test_in_the_window_a_save_refreshes_the_page_once_and_a_hidden_page_when_shown(qtbot, ctx):
    from township_desk.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_page("风险评估")
    calls = []
    real = page.refresh
    page.refresh = lambda: calls.append(1) or real()
    page.tabs.setCurrentIndex(1)
    page.load_elder(elder_id(ctx.db, "张德福"))
    assert page.save() is not None                                  # writes assessments and elders: one refresh
    assert calls == [1] and due_names(page) == ["刘秀英"]
    ctx.announce(Changes.of("agreements"))                          # a table this page does not show
    assert calls == [1]

    window.show_page("台账")
    risk.record_assessment(ctx.db, elder_id(ctx.db, "刘秀英"), date=TODAY, assessor="王专干", today=TODAY)
    ctx.announce_writes()
    assert calls == [1] and due_names(page) == ["刘秀英"]            # hidden: refreshed when next shown, not now
    window.show_page("风险评估")
    assert calls == [1, 1] and due_names(page) == []
    assert page.due_count_label.text() == "待评估 0 人（其中从未评估 0 人）"


def test_a_change_by_another_connection_is_seen(page, ctx, db_path):
    from township_desk.models import db as dbm

    other = dbm.connect(db_path)
    try:
        risk.record_assessment(other, elder_id(other, "张德福"), date=TODAY, assessor="王专干", today=TODAY)
    finally:
        other.close()
    page.refresh()
    assert due_names(page) == ["刘秀英"]


def test_the_assessment_keeps_save_in_sight_at_1366x768_and_factors_are_not_tick_boxes(page, ctx, qtbot):
    from PySide6.QtWidgets import QCheckBox

    page.resize(1366 - 160, 740)  # the page's share of a 1366×768 window
    page.show()
    page.tabs.setCurrentIndex(1)
    page.load_elder(elder_id(ctx.db, "张德福"))
    qtbot.waitExposed(page)
    save = page.save_button
    bottom_left = save.mapTo(page, save.rect().bottomLeft())
    assert save.isVisible() and page.rect().contains(bottom_left)  # not below the fold
    assert not [w for w in page.findChildren(QCheckBox) if w.text().split("：")[0] in page.factor_checks]
    assert page.factor_checks["独居"].isChecked() and page.factor_checks["独居"].text().startswith("独居")
