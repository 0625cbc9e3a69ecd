"""The 节日和极端天气巡访 tab and its dialogs, driven with qtbot (modal dialogs monkeypatched)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from tests.conftest import VALID_IDS, make_id
from township_desk.models import campaigns, elders
from township_desk.models.changes import Changes

TODAY = dt.date(2026, 11, 22)
OK = QDialogButtonBox.StandardButton.Ok


@pytest.fixture
def ctx(db, db_path, qtbot):
    from township_desk.ui.context import AppContext

    for name, id_number, village, extra in (
        ("张德福", VALID_IDS[0], "东风村", {"tier": "重点", "lives_alone": "是", "visitor": "赵会计",
                                           "visitor_phone": "13800001111"}),
        ("刘秀英", VALID_IDS[1], "东风村", {"tier": "一般", "visitor": "赵会计"}),
        ("王大山", VALID_IDS[2], "西河村", {"tier": "重点", "ability_level": 3}),
        ("李桂兰", VALID_IDS[3], "东风村", {"status": "暂离"}),
        ("周玉珍", make_id("19550505", 22), "西河村", {"tier": "一般"}),
    ):
        elders.save_elder(db, {"name": name, "id_number": id_number, "village": village, **extra}, today=TODAY)
    return AppContext(db_path, db=db, today=TODAY)


def elder_id(db, name):
    return db.execute("SELECT id FROM elders WHERE name = ?", [name]).fetchone()[0]


@pytest.fixture
def tab(ctx, qtbot):
    from township_desk.ui.campaigns_tab import CampaignsTab
    from township_desk.ui.pages import follow_changes

    widget = CampaignsTab(ctx)
    qtbot.addWidget(widget)
    follow_changes(ctx, widget)  # what the 巡访 page does for the tab it shows
    return widget


@pytest.fixture
def dialog(ctx, qtbot):
    from township_desk.ui.campaigns_tab import CampaignDialog

    widget = CampaignDialog(ctx)
    qtbot.addWidget(widget)
    return widget


def cell(model, row, key, role=Qt.ItemDataRole.DisplayRole):
    column = [k for k, _h in model.columns].index(key)
    return model.data(model.index(row, column), role)


def campaigns_shown(tab):
    return [(cell(tab.campaign_model, r, "name"), cell(tab.campaign_model, r, "progress"))
            for r in range(tab.campaign_model.rowCount())]


def elders_shown(tab):
    return {cell(tab.elder_model, r, "name"): cell(tab.elder_model, r, "visited")
            for r in range(tab.elder_model.rowCount())}


def is_red(tab, name):
    row = next(r for r in range(tab.elder_model.rowCount()) if cell(tab.elder_model, r, "name") == name)
    return cell(tab.elder_model, row, "visited", Qt.ItemDataRole.ForegroundRole) == QColor("#c9302c")


def select_elder(tab, name):
    row = next(r for r in range(tab.elder_model.rowCount()) if cell(tab.elder_model, r, "name") == name)
    tab.elder_table.selectRow(row)


def plan(ctx, names, name="2027年春节走访慰问", start="2027-01-23", end="2027-02-06"):
    return campaigns.plan_campaign(ctx.db, name=name, kind="春节", start=start, end=end,
                                   elder_ids=[elder_id(ctx.db, n) for n in names])


# ---------------------------------------------------------------- the dialog


def test_spring_festival_prefills_name_dates_and_lunar_date(dialog):
    dialog.kind.setCurrentText("春节")
    assert dialog.year.value() == 2027 and dialog.year.isVisibleTo(dialog)
    assert dialog.name.text() == "2027年春节走访慰问"
    assert (dialog.start.date().toPython(), dialog.end.date().toPython()) == (dt.date(2027, 1, 23), dt.date(2027, 2, 6))
    assert "2027-02-06" in dialog.festival.text() and "农历正月初一" in dialog.festival.text()
    dialog.year.setValue(2028)
    assert dialog.name.text() == "2028年春节走访慰问" and dialog.end.date().toPython() == dt.date(2028, 1, 26)


def test_double_ninth_window_is_the_week_around_it(dialog):
    dialog.kind.setCurrentText("重阳节")
    dialog.year.setValue(2026)
    assert (dialog.start.date().toPython(), dialog.end.date().toPython()) == (dt.date(2026, 10, 15), dt.date(2026, 10, 21))
    assert dialog.name.text() == "2026年重阳节走访慰问"


def test_extreme_weather_prefills_a_few_days_and_keeps_a_typed_name(dialog):
    dialog.kind.setCurrentText("极端天气")
    assert not dialog.year.isVisibleTo(dialog) and dialog.weather.isVisibleTo(dialog)
    assert (dialog.start.date().toPython(), dialog.end.date().toPython()) == (TODAY, dt.date(2026, 11, 25))
    dialog.weather.setCurrentText("寒潮")
    assert dialog.name.text() == "2026年11月寒潮天气巡访"
    dialog.name.setText("11月下旬寒潮防冻巡查")
    dialog.weather.setCurrentText("暴雪")
    assert dialog.name.text() == "11月下旬寒潮防冻巡查"


def test_live_count_follows_the_group_and_leaves_out_elders_not_on_the_ledger(dialog):
    assert dialog.count.text() == "将纳入 4 位在册老人"  # 李桂兰 (暂离) is not counted
    dialog.group_picker.village.setCurrentText("东风村")
    assert dialog.count.text() == "将纳入 2 位在册老人"
    dialog.group_picker.flags["独居"].setChecked(True)
    assert dialog.count.text() == "将纳入 1 位在册老人"
    dialog.group_picker.village.setCurrentText("西河村")
    assert dialog.count.text() == "将纳入 0 位在册老人"


def test_empty_name_or_empty_group_is_refused_in_the_dialog_and_nothing_saved(dialog, ctx):
    dialog.kind.setCurrentText("春节")
    dialog.name.setText("  ")
    dialog.buttons.button(OK).click()
    assert "名称不能为空" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
    dialog.name.setText("2027年春节走访慰问")
    dialog.group_picker.risk_grade.setCurrentIndex(dialog.group_picker.risk_grade.findData("高"))
    assert dialog.count.text() == "将纳入 0 位在册老人"
    dialog.buttons.button(OK).click()
    assert "巡访对象为空" in dialog.error.text()
    assert campaigns.list_campaigns(ctx.db) == []


def test_end_before_start_is_refused_naming_both_dates(dialog, ctx):
    dialog.kind.setCurrentText("其他")
    dialog.name.setText("防火安全巡访")
    dialog.end.setDate(dialog.start.date().addDays(-1))
    dialog.buttons.button(OK).click()
    assert "结束日期 2026-11-21 早于开始日期 2026-11-22" in dialog.error.text()
    assert campaigns.list_campaigns(ctx.db) == []


# ---------------------------------------------------------------- the tab


def test_create_a_campaign_through_the_dialog_and_see_it_listed_with_0_of_n(tab, ctx, monkeypatch):
    from township_desk.ui import campaigns_tab

    def fill_and_create(dialog):
        dialog.kind.setCurrentText("春节")
        dialog.group_picker.village.setCurrentText("东风村")
        dialog.notes.setPlainText("带米面油")
        assert dialog.count.text() == "将纳入 2 位在册老人"
        dialog.buttons.button(OK).click()
        return dialog.result()

    notified = []
    ctx.data_changed.connect(notified.append)
    monkeypatch.setattr(campaigns_tab.CampaignDialog, "exec", fill_and_create)
    new_id = tab.new_campaign()
    assert new_id is not None and "campaigns" in notified  # the table it wrote
    assert campaigns_shown(tab) == [("2027年春节走访慰问", "0/2")]
    assert tab.campaign_id == new_id
    assert elders_shown(tab) == {"张德福": "未巡访", "刘秀英": "未巡访"}
    assert is_red(tab, "张德福") and is_red(tab, "刘秀英")
    assert "已巡访 0/2 人" in tab.summary.text() and "带米面油" in tab.summary.text()


def test_a_visit_under_the_campaign_shows_1_of_n_and_its_date_and_only_unvisited_hides_it(tab, ctx):
    campaign_id = plan(ctx, ["张德福", "刘秀英", "王大山"])
    tab.refresh()
    assert campaigns_shown(tab) == [("2027年春节走访慰问", "0/3")]
    ctx.db.execute("INSERT INTO visits(elder_id, date, mode, campaign_id) VALUES (?, ?, '上门', ?)",
                   [elder_id(ctx.db, "张德福"), "2027-01-26", campaign_id])
    tab.refresh()
    assert campaigns_shown(tab) == [("2027年春节走访慰问", "1/3")]
    assert elders_shown(tab) == {"张德福": "2027-01-26", "刘秀英": "未巡访", "王大山": "未巡访"}
    assert not is_red(tab, "张德福") and is_red(tab, "刘秀英")
    tab.only_unvisited.setChecked(True)
    assert set(elders_shown(tab)) == {"刘秀英", "王大山"}
    tab.only_unvisited.setChecked(False)
    assert set(elders_shown(tab)) == {"张德福", "刘秀英", "王大山"}


def test_a_plain_home_visit_in_the_window_counts_and_says_so(tab, ctx):
    plan(ctx, ["张德福", "刘秀英"])
    ctx.db.execute("INSERT INTO visits(elder_id, date, mode) VALUES (?, '2027-02-01', '上门')",
                   [elder_id(ctx.db, "刘秀英")])
    ctx.db.execute("INSERT INTO visits(elder_id, date, mode) VALUES (?, '2027-02-01', '电话')",
                   [elder_id(ctx.db, "张德福")])
    ctx.announce(Changes.of("visits"))
    assert elders_shown(tab) == {"张德福": "未巡访", "刘秀英": "2027-02-01"}
    row = next(r for r in tab.shown_elders() if r["name"] == "刘秀英")
    assert row["remark"] == "活动期间的上门巡访"


def test_record_visit_opens_the_visit_form_for_the_campaign_as_a_home_visit(tab, ctx, monkeypatch):
    from township_desk.ui import visit_dialog

    campaign_id = plan(ctx, ["张德福", "刘秀英"])
    tab.refresh()
    seen = {}

    def save_visit(dialog):
        seen.update(campaign_id=dialog.campaign_id, mode=dialog.mode.currentText(), elder=dialog.elder["name"])
        ctx.db.execute("INSERT INTO visits(elder_id, date, mode, campaign_id) VALUES (?, '2027-01-24', ?, ?)",
                       [dialog.elder_id, dialog.mode.currentText(), dialog.campaign_id])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(visit_dialog.VisitDialog, "exec", save_visit)
    select_elder(tab, "刘秀英")
    tab.record_button.click()
    assert seen == {"campaign_id": campaign_id, "mode": "上门", "elder": "刘秀英"}
    assert elders_shown(tab)["刘秀英"] == "2027-01-24"
    assert campaigns_shown(tab) == [("2027年春节走访慰问", "1/2")]


def test_record_visit_without_a_selected_elder_asks_for_one(tab, ctx, monkeypatch):
    plan(ctx, ["张德福"])
    tab.refresh()
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: said.append(args[2]))
    tab.record_visit()
    assert said == ["请先在名单中选中一位老人。"]


def test_campaigns_are_listed_newest_first_and_choosing_one_shows_its_elders(tab, ctx):
    plan(ctx, ["王大山"], name="2026年重阳节走访慰问", start="2026-10-15", end="2026-10-21")
    plan(ctx, ["张德福", "刘秀英"])
    tab.refresh()
    assert [name for name, _p in campaigns_shown(tab)] == ["2027年春节走访慰问", "2026年重阳节走访慰问"]
    assert set(elders_shown(tab)) == {"张德福", "刘秀英"}
    tab.campaign_table.selectRow(1)
    assert set(elders_shown(tab)) == {"王大山"}
    # ended on 2026-10-21 with nobody visited: red in the list
    assert cell(tab.campaign_model, 1, "name", Qt.ItemDataRole.ForegroundRole) == QColor("#c9302c")
    assert cell(tab.campaign_model, 0, "name", Qt.ItemDataRole.ForegroundRole) is None


def test_remove_an_elder_and_refuse_one_already_visited(tab, ctx, monkeypatch):
    campaign_id = plan(ctx, ["张德福", "刘秀英"])
    ctx.db.execute("INSERT INTO visits(elder_id, date, mode, campaign_id) VALUES (?, '2027-01-25', '上门', ?)",
                   [elder_id(ctx.db, "张德福"), campaign_id])
    tab.refresh()
    warnings = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    select_elder(tab, "张德福")
    tab.remove_button.click()
    assert warnings and "张德福 已于 2027-01-25" in warnings[0]
    select_elder(tab, "刘秀英")
    tab.remove_button.click()
    assert set(elders_shown(tab)) == {"张德福"} and campaigns_shown(tab)[0][1] == "1/1"


def test_add_elders_by_name_to_the_chosen_campaign(tab, ctx, monkeypatch):
    from township_desk.ui import campaigns_tab

    plan(ctx, ["张德福"])
    tab.refresh()
    seen = {}

    def add_one(dialog):
        seen["all"] = dialog.count.text()
        dialog.picker.search.setText("周玉珍")
        seen["one"] = dialog.count.text()
        dialog.buttons.button(OK).click()
        return dialog.result()

    monkeypatch.setattr(campaigns_tab.AddEldersDialog, "exec", add_one)
    tab.add_button.click()
    assert seen == {"all": "将添加 3 位在册老人（已在名单中的不重复添加）",
                    "one": "将添加 1 位在册老人（已在名单中的不重复添加）"}
    assert set(elders_shown(tab)) == {"张德福", "周玉珍"}


def test_edit_the_dates_of_a_campaign(tab, ctx, monkeypatch):
    from township_desk.ui import campaigns_tab

    campaign_id = plan(ctx, ["张德福"])
    tab.refresh()

    def move_end(dialog):
        assert dialog.name.text() == "2027年春节走访慰问" and not dialog.group_picker
        dialog.end.setDate(dialog.end.date().addDays(3))
        dialog.buttons.button(OK).click()
        return dialog.result()

    monkeypatch.setattr(campaigns_tab.CampaignDialog, "exec", move_end)
    tab.edit_button.click()
    assert campaigns.get_campaign(ctx.db, campaign_id)["end_date"] == "2027-02-09"
    assert "2027-01-23 至 2027-02-09" in tab.summary.text()


def test_delete_is_refused_once_a_visit_was_recorded_under_the_campaign(tab, ctx, monkeypatch):
    campaign_id = plan(ctx, ["张德福"])
    ctx.db.execute("INSERT INTO visits(elder_id, date, mode, campaign_id) VALUES (?, '2027-01-25', '上门', ?)",
                   [elder_id(ctx.db, "张德福"), campaign_id])
    tab.refresh()
    warnings = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    tab.delete_button.click()
    assert warnings == ["“2027年春节走访慰问”已登记 1 次巡访，不能删除"]
    assert campaigns_shown(tab) == [("2027年春节走访慰问", "1/1")]


def test_without_campaigns_the_buttons_wait_for_one(tab):
    assert tab.campaign_model.rowCount() == 0
    assert not tab.record_button.isEnabled() and tab.new_button.isEnabled()
    assert "新建" in tab.summary.text() and "春节 2027-02-06" in tab.festivals.text()


def test_in_the_window_a_campaign_change_refreshes_the_shown_tab_once(qtbot, ctx):
    from township_desk.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_page("巡访", view="campaigns")
    tab = page.campaigns
    calls = []
    real = tab.refresh
    tab.refresh = lambda: calls.append(1) or real()
    plan(ctx, ["张德福"])
    ctx.announce_writes()                        # the campaign written: the page refreshes the tab it shows
    assert calls == [1] and tab.campaign_model.rowCount() == 1
    ctx.announce(Changes.of("agreements"))       # not shown on the 巡访 page
    assert calls == [1]
