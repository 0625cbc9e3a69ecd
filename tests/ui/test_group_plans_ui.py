"""设置 → 各类对象巡访频次 and the 首页's 月探访率 per group, with qtbot on a real database file; each rendered at
1366×768 (the PNG goes to TOWNSHIP_DESK_SHOTS when set, for a person to look at)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests import coverage_ledger
from township_desk.models import schedule, settings, visits
from township_desk.ui.context import AppContext

TODAY = dt.date(2026, 10, 20)


def shot(widget, name: str) -> None:
    widget.resize(1366, 768)
    image = widget.grab()
    assert image.width() == 1366
    folder = os.environ.get("TOWNSHIP_DESK_SHOTS")
    if folder:
        image.save(str(Path(folder) / name))


@pytest.fixture
def ctx(db, db_path):
    coverage_ledger.build(db)
    return AppContext(db_path, db=db, today=TODAY)


def test_the_tab_saves_a_groups_own_plan_and_the_key_rules(ctx, qtbot):
    from township_desk.ui.group_plans_tab import GroupPlansTab
    from township_desk.ui.settings import SettingsPage

    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "各类对象巡访频次" in titles
    tab = page.tabs.widget(titles.index("各类对象巡访频次"))
    assert isinstance(tab, GroupPlansTab)
    # unticked lines show the default plan, greyed
    assert not tab.spins["城市独居"]["key_home_days"].isEnabled()
    assert tab.spins["城市独居"]["key_home_days"].value() == 15
    assert all(t.isChecked() for t in tab.rules.values())
    tab.own["城市独居"].setChecked(True)
    tab.spins["城市独居"]["key_home_days"].setValue(7)
    tab.spins["城市独居"]["key_remote_per_week"].setValue(3)
    tab.rules["子女不在身边"].setChecked(False)
    assert tab.is_dirty()
    announced = []
    ctx.changed.connect(announced.append)
    assert tab.save()
    assert any("settings" in c.tables for c in announced)  # the pages showing settings count again
    assert settings.get(ctx.db, "group_plans") == {"城市独居": {
        "key_home_days": 7, "key_remote_per_week": 3, "general_home_days": 30, "general_remote_per_week": 1}}
    assert settings.get(ctx.db, "plan_key_rules") == ["高龄", "失能", "独居"]
    assert "已保存" in tab.message.text() and not tab.is_dirty()
    # the overdue list follows it at once: 城市己 (重点, called twice on 10-10/10-11) is now short of 3 calls
    short = {i.name: i for i in schedule.overdue(ctx.db, dt.date(2026, 10, 13), kinds=("remote",))}
    assert short["城市己"].required == 3
    page.tabs.setCurrentWidget(tab)
    shot(page, "settings_group_plans.png")


def test_the_tab_refuses_a_plan_the_model_refuses_and_saves_nothing(ctx, qtbot):
    from township_desk.ui.group_plans_tab import GroupPlansTab

    tab = GroupPlansTab(ctx)
    qtbot.addWidget(tab)
    tab.own["失能"].setChecked(True)
    tab.spins["失能"]["key_home_days"].setValue(60)
    tab.spins["失能"]["general_home_days"].setValue(30)
    assert not tab.save()
    assert "“失能”的重点对象上门巡访间隔（60 天）不能长于一般对象（30 天）" in tab.message.text()
    assert "color: #b00020" in tab.message.styleSheet()
    assert settings.get(ctx.db, "group_plans") == {}


def test_home_shows_the_months_visit_rate_per_group_and_over_all(ctx, qtbot):
    from township_desk.ui.home_page import HomePage

    page = HomePage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.loading and not page.group_rates.loading, timeout=10000)
    text = page.group_rates.line.text()
    # by 20 October: 在册 all nine (暂离 only from the 25th); contacted: 留守甲 乙 丁, 计生戊, 城市己, 夫妻辛, 暂离壬 →
    # 7 of 9 (at home: 留守甲, 计生戊, 夫妻辛, 暂离壬); 城市独居: 城市己 called, 城市庚 not → 1 of 2
    # 77.8 % on the 20th is ahead of the month's pace (amber), 50 % behind it (red)
    assert "全部巡访对象</span> <span style='color:#b7791f; font-weight:bold'>77.8%</span>" in text
    assert "城市独居</span> <span style='color:#c9302c; font-weight:bold'>50.0%</span>" in text
    assert "重残" not in text  # nobody in it: not shown
    assert "全部巡访对象：本月已探访（上门或电话视频）7 人 / 在册 9 人，其中已上门 4 人" in page.group_rates.toolTip()
    # a call today counts (any contact, not only home visits)
    visits.record_visit(ctx.db, 7, {"date": "2026-10-20", "mode": "电话", "visitor_name": "李巡访"}, today=TODAY)
    page.refresh()
    qtbot.waitUntil(lambda: not page.loading and not page.group_rates.loading, timeout=10000)
    assert "城市独居</span> <span style='color:#2f855a; font-weight:bold'>100.0%</span>" in page.group_rates.line.text()
    shot(page, "home_group_rates.png")
