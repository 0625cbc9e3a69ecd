"""首次使用向导 on a new, empty ledger: 乡镇名称, 认定政策, 村（社区）, 巡访责任人, 导入台账, each step saved through its model
as the clerk moves on; 以后再说 leaves it and 帮助 → 首次使用向导 resumes at the first step not done; the 首页 shows
the steps (开始使用) until the ledger holds elders. Driven with qtbot on a real database file."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard

from tests.conftest import VALID_IDS
from township_desk.models import elders, first_start, settings, villages, visitors

TODAY = dt.date(2026, 11, 22)
NEXT, FINISH, CANCEL = (QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton,
                        QWizard.WizardButton.CancelButton)


@pytest.fixture
def ctx(db, db_path):
    from township_desk.ui.context import AppContext

    return AppContext(db_path, db=db, today=TODAY)


def wizard_for(ctx, qtbot, **kwargs):
    from township_desk.ui.first_start import FirstStartWizard

    wizard = FirstStartWizard(ctx, **kwargs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def add_elder(db) -> int:
    return elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"},
                             today=TODAY).elder_id


def test_a_new_ledger_has_every_step_to_do_and_an_elder_ends_the_first_start(db):
    assert [(s.title, s.done, s.detail) for s in first_start.setup_steps(db)] == [
        ("乡镇名称", False, "尚未填写"), ("认定政策", False, "尚未选择"), ("村（社区）", False, "尚未添加"),
        ("巡访责任人", False, "尚未添加"), ("导入台账", False, "台账为空")]
    assert first_start.needs_walkthrough(db) and first_start.first_step_to_do(db) == "township"
    settings.put(db, {"township_name": "青山镇"})
    settings.apply_profile(db, "辽宁")
    assert first_start.first_step_to_do(db) == "villages"
    add_elder(db)                                         # creates 青山村 too
    assert not first_start.needs_walkthrough(db)
    assert first_start.first_step_to_do(db) == "visitors"  # still offered from the 帮助 menu


def test_the_walkthrough_saves_each_step_as_the_clerk_moves_on(ctx, qtbot, monkeypatch):
    wizard = wizard_for(ctx, qtbot)
    announced = []
    ctx.data_changed.connect(announced.append)
    assert wizard.step() == "township"
    assert wizard.currentPage().title() == "第 1 步（共 5 步）：乡镇名称"
    assert not wizard.button(NEXT).isEnabled()              # the name is required
    wizard.steps["township"].township.setText("青山镇")
    wizard.steps["township"].county.setText("峨眉山市")
    wizard.button(NEXT).click()
    assert settings.get(ctx.db, "township_name") == "青山镇" and settings.get(ctx.db, "county_name") == "峨眉山市"

    assert wizard.step() == "policy"
    wizard.steps["policy"].buttons["辽宁"].click()
    wizard.button(NEXT).click()
    assert settings.get(ctx.db, "policy_profile") == "辽宁" and settings.get(ctx.db, "min_absence_months") == 12

    step = wizard.steps["villages"]
    step.name.setText("青山村")
    QTest.keyClick(step.name, Qt.Key.Key_Return)               # adds it and stays for the next village
    assert wizard.step() == "villages" and step.name.text() == ""
    step.name.setText("白鹤村")
    step.add_button.click()
    step.name.setText("青山村")
    step.add_button.click()                                  # the model refuses a second 青山村 and says so
    assert step.error.isVisibleTo(wizard) and "青山村" in step.error.text()
    assert [step.listed.item(n).text() for n in range(step.listed.count())] == ["青山村", "白鹤村"]
    step.name.clear()
    wizard.button(NEXT).click()
    assert villages.names_in_order(ctx.db) == ["青山村", "白鹤村"]

    step = wizard.steps["visitors"]
    assert [step.village.itemText(n) for n in range(step.village.count())] == ["（不限）", "青山村", "白鹤村"]
    step.name.setText("赵会计")
    step.phone.setText("13800001111")
    step.village.setCurrentText("青山村")
    wizard.button(NEXT).click()                              # typed but not added: 下一步 adds it
    assert [(v["name"], v["role"], v["phone"], v["village"]) for v in visitors.list_visitors(ctx.db)] == [
        ("赵会计", "村干部", "13800001111", "青山村")]

    step = wizard.steps["ledger"]
    assert wizard.step() == "ledger" and step.count.text() == "台账为空"
    from township_desk.ui import import_wizard

    monkeypatch.setattr(import_wizard.ImportWizard, "exec", lambda self: add_elder(ctx.db) and 1)
    step.import_button.click()
    assert step.count.text() == "台账中已有 1 人"
    wizard.button(FINISH).click()
    assert not first_start.needs_walkthrough(ctx.db)
    assert {"settings", "villages", "visitors"} <= set(announced)


def test_later_leaves_it_and_the_help_menu_resumes_at_the_first_step_not_done(ctx, qtbot):
    from township_desk.ui.main_window import MainWindow

    wizard = wizard_for(ctx, qtbot)
    wizard.steps["township"].township.setText("青山镇")
    wizard.button(NEXT).click()
    assert wizard.button(CANCEL).text() == "以后再说"
    wizard.button(CANCEL).click()
    assert settings.get(ctx.db, "township_name") == "青山镇"   # what was done stays done
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert window.menu_actions["walkthrough"].text() == "首次使用向导…"
    window.menu_actions["walkthrough"].trigger()
    resumed = window.walkthrough
    assert resumed.isVisible() and resumed.step() == "policy"
    resumed.reject()


def test_at_start_a_new_ledger_gets_the_walkthrough_and_one_with_elders_does_not(ctx, qtbot):
    from PySide6.QtWidgets import QWidget

    from township_desk.ui.first_start import FirstStartWizard, offer_on_start

    window = QWidget()
    qtbot.addWidget(window)
    opened = offer_on_start(ctx, window)
    assert isinstance(opened, FirstStartWizard) and opened.step() == "township"
    opened.reject()
    settings.put(ctx.db, {"township_name": "青山镇"})
    settings.apply_profile(ctx.db, "宁波")
    add_elder(ctx.db)
    assert offer_on_start(ctx, window) is None


def test_the_home_page_of_a_new_ledger_shows_the_steps_until_it_holds_elders(ctx, qtbot):
    from township_desk.ui.home_page import HomePage

    settings.put(ctx.db, {"township_name": "青山镇"})
    page = HomePage(ctx)
    qtbot.addWidget(page)
    page.show()
    panel = page.setup
    assert panel.isVisible()
    text = panel.steps.text()
    assert "✓ 第1步 乡镇名称：青山镇" in text and "➜ 第2步 认定政策：尚未选择" in text and "○ 第5步 导入台账：台账为空" in text
    assert panel.button.text() == "继续首次使用向导"
    add_elder(ctx.db)
    page.refresh()
    assert not panel.isVisible()
    qtbot.waitUntil(lambda: not page.loading and not page.todo.loading, timeout=10000)


def test_finishing_the_walkthrough_shows_the_home_page(ctx, qtbot):
    from PySide6.QtWidgets import QWidget

    from township_desk.ui.first_start import open_walkthrough

    window = QWidget()
    qtbot.addWidget(window)
    asked = []
    ctx.navigate_requested.connect(lambda title, filters: asked.append(title))
    wizard = open_walkthrough(ctx, window, start="ledger")
    assert wizard.step() == "ledger"
    wizard.button(FINISH).click()
    assert asked == ["首页"]
