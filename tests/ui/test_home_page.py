"""The 首页: the office's figures as cards (the monthly visit rate first), each matching its model and one click
from its list; driven with qtbot on a real database file."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from tests.conftest import VALID_IDS, make_id
from township_desk.models import agreements, elders, hazards, risk, schedule, settings, villages, visits

TODAY = dt.date(2026, 11, 22)
CARER_ID = make_id("19600101", 22)
KEYS = ["rate", "ledger", "key", "overdue", "remote", "assess", "hazards", "agreements"]


def add(db, name, number, tier, visitor, **extra) -> int:
    data = {"name": name, "id_number": number, "village": "青山村", "tier": tier, "visitor": visitor,
            "entered_on": "2026-09-01", **extra}
    return elders.save_elder(db, data, [{"name": f"{name[0]}小明", "relation": "儿子", "phone": "13700003333"}],
                             today=TODAY).elder_id


def home_visit(db, elder_id, day) -> None:
    visits.record_visit(db, elder_id, {"date": day, "mode": "上门", "visitor_name": "赵会计"}, today=TODAY)


def agreement(db, elder_id, start) -> int:
    supporter = elders.supporters_of(db, elder_id)[0]["id"]
    agreement_id = agreements.save_agreement(
        db, {"elder_id": elder_id, "template": "自理", "party_a_supporter_id": supporter, "party_b_name": "李桂兰",
             "party_b_id_number": CARER_ID, "term_years": 1, "start_date": start, "hours_per_day": 4},
        today=TODAY).agreement_id
    agreements.sign(db, agreement_id, start, today=TODAY)
    return agreement_id


@pytest.fixture
def ctx(db, db_path, qtbot):
    """Four elders 在册 (two 重点) and one 暂离: two visited at home this month, two overdue, three short of calls last week,
    one assessed this year, one open hazard and one closed, one agreement ending within 30 days and one later."""
    from township_desk.ui.context import AppContext

    settings.put(db, {"township_name": "青山镇"})
    villages.save_village(db, {"name": "青山村", "committee": "青山村村民委员会", "staff_name": "王主任"})
    zhang = add(db, "张德福", VALID_IDS[0], "重点", "赵会计")
    liu = add(db, "刘秀英", VALID_IDS[1], "一般", "赵会计")
    wang = add(db, "王大山", make_id("19560101", 31), "一般", "钱书记")  # 70: 一般 by the rule too
    li = add(db, "李桂兰", VALID_IDS[3], "重点", "钱书记")
    away = add(db, "周玉珍", make_id("19550505", 22), "一般", "赵会计")
    elders.change_status(db, away, "暂离", "2026-10-01", "住院")
    home_visit(db, zhang, "2026-10-20")
    home_visit(db, liu, "2026-11-10")
    home_visit(db, li, "2026-11-15")
    risk.record_assessment(db, liu, date="2026-10-01", assessor="王专干", today=TODAY)
    hazards.open_hazard(db, wang, "2026-11-18", "取暖不安全", today=TODAY)
    closed = hazards.open_hazard(db, zhang, "2026-10-20", "燃气不安全", today=TODAY)
    hazards.record_supporter_told(db, closed, "2026-10-20", today=TODAY)
    hazards.resolve(db, closed, "2026-10-25", "更换燃气软管", today=TODAY)
    agreement(db, zhang, "2025-12-15")        # ends 2026-12-14
    agreement(db, liu, "2026-06-01")          # ends 2027-05-31
    return AppContext(db_path, db=db, today=TODAY)


@pytest.fixture
def page(ctx, qtbot):
    from township_desk.ui.home_page import HomePage

    widget = HomePage(ctx)
    qtbot.addWidget(widget)
    counted(widget, qtbot)
    return widget


def counted(page, qtbot):
    """The figures are computed off the GUI thread: wait until they are on the cards."""
    qtbot.waitUntil(lambda: not page.loading, timeout=10000)


def values(page) -> dict[str, str]:
    return {key: card.value.text() for key, card in page.cards.items()}


def test_the_monthly_visit_rate_is_the_first_and_largest_card(page):
    from township_desk.ui.home_page import FigureCard

    outer = page.cards["rate"].parentWidget().layout()
    grid = next(outer.itemAt(i).layout() for i in range(outer.count()) if outer.itemAt(i).layout() is not None)
    cards = [grid.itemAt(i).widget() for i in range(grid.count()) if isinstance(grid.itemAt(i).widget(), FigureCard)]
    assert cards[0] is page.cards["rate"] and grid.getItemPosition(grid.indexOf(cards[0]))[:2] == (0, 0)
    assert [c.title.text() for c in cards] == ["本月上门巡访覆盖率", "在册老人", "重点对象", "逾期未上门", "上周电话视频巡访不足",
                                               "待风险评估", "未处置风险隐患", "30天内到期协议"]
    rate = page.cards["rate"]
    assert rate.value.text() == "50.0%"
    assert rate.detail.text() == "2026-11 已上门 2 人 / 在册 4 人（目标 100%，按本月进度应达 70%）"
    # 50 % on 22 November is behind the month's pace (21 of 30 days over): red
    assert "color: #c9302c" in rate.value.styleSheet() and "font-size: 40px" in rate.value.styleSheet()
    assert page.heading.text() == "青山镇　2026年11月22日"


def test_each_figure_is_what_a_clerk_counts_by_hand(page):
    """Counted from the fixture's story, not from the functions the page calls."""
    assert values(page) == {
        "rate": "50.0%",       # 在册: 张 刘 王 李 (周 is 暂离); at home in November: 刘 11-10, 李 11-15 -> 2 / 4
        "ledger": "4",         # 张 刘 王 李
        "key": "2",            # 张 李 are 重点
        "overdue": "2",        # 张 (last at home 10-20) and 王 (never visited since 09-01)
        "remote": "4",         # nobody had a call or video last week; a home visit is not one of them
        "assess": "3",         # only 刘 was assessed (10-01); 周 is not 在册
        "hazards": "1",        # 王's 取暖 hazard; 张's was resolved 10-25
        "agreements": "1",     # 张's ends 2026-12-14 (22 days); 刘's ends 2027-05-31
    }
    # 王: entered 09-01, one home visit a month for 一般 -> due 10-01 -> 52 days overdue on 11-22
    assert page.cards["overdue"].detail.text() == "最长逾期 52 天"
    assert page.cards["ledger"].detail.text() == "台账中状态为“在册”的老人（各类巡访对象）"  # 城市独居 elders are counted too


def test_figures_follow_the_data_on_refresh(page, ctx, qtbot):
    wang = ctx.db.execute("SELECT id FROM elders WHERE name = '王大山'").fetchone()[0]
    visits.record_visit(ctx.db, wang, {"date": "2026-11-21", "mode": "上门", "visitor_name": "钱书记"}, today=TODAY)
    page.refresh()
    assert page.loading and page.state.text() == "正在统计……"
    counted(page, qtbot)
    assert (values(page)["rate"], values(page)["overdue"]) == ("75.0%", "1")
    assert page.cards["overdue"].detail.text() == "最长逾期 18 天"


def test_a_quiet_township_shows_no_alerts(ctx, qtbot):
    from township_desk.ui.context import AppContext
    from township_desk.ui.home_page import HomePage

    quiet = AppContext(ctx.db_path, db=ctx.db, today=dt.date(2026, 9, 5))  # four days after everyone entered
    page = HomePage(quiet)
    qtbot.addWidget(page)
    counted(page, qtbot)
    assert (values(page)["overdue"], page.cards["overdue"].detail.text()) == ("0", "没有逾期")
    assert "color: #2f855a" in page.cards["overdue"].value.styleSheet()  # nothing overdue: the target is met


@pytest.mark.parametrize(("key", "target"), [
    ("rate", ("巡访", {"view": "unvisited"})),
    ("ledger", ("台账", {"status": "在册"})),
    ("key", ("台账", {"status": "在册", "tier": "重点"})),
    ("overdue", ("巡访", {"view": "overdue", "kind": "home"})),
    ("remote", ("巡访", {"view": "overdue", "kind": "remote"})),
    ("assess", ("风险评估", {"view": "due"})),
    ("hazards", ("巡访", {"view": "hazards"})),
    ("agreements", ("互助协议", {"ending_within_days": 30})),
])
def test_clicking_a_card_asks_for_its_list(page, ctx, qtbot, key, target):
    asked = []
    ctx.navigate_requested.connect(lambda title, filters: asked.append((title, filters)))
    page.show()
    qtbot.waitExposed(page)
    qtbot.mouseClick(page.cards[key], Qt.MouseButton.LeftButton)
    assert asked == [target]
    qtbot.mouseClick(page.cards[key], Qt.MouseButton.RightButton)
    assert asked == [target]


def test_each_card_leads_to_a_list_as_long_as_its_number(page, ctx, qtbot):
    """The card's number and the list it opens come from the same rule."""
    from township_desk.ui.visits_page import VisitsPage

    visits_page = VisitsPage(ctx)
    qtbot.addWidget(visits_page)
    ctx.navigate_requested.connect(lambda _title, filters: visits_page.apply_filters(filters))
    visits_page.overdue.village.setCurrentText("白鹤村")     # a filter left over from earlier is cleared
    for key in ("overdue", "remote", "hazards"):
        page.open_figure(key)
        assert visits_page.tabs.currentWidget().model.rowCount() == int(page.cards[key].value.text())
    page.open_figure("rate")
    visited, total, _rate = schedule.monthly_visit_rate(ctx.db, "2026-11")
    assert visits_page.tabs.currentWidget() is visits_page.unvisited
    assert visits_page.unvisited.model.rowCount() == total - visited == 2


def test_enter_on_a_focused_card_opens_its_list_and_a_press_dragged_off_does_not(page, ctx, qtbot):
    from PySide6.QtTest import QTest

    asked = []
    ctx.navigate_requested.connect(lambda title, filters: asked.append(title))
    QTest.keyClick(page.cards["assess"], Qt.Key.Key_Return)
    assert asked == ["风险评估"]
    page.show()
    qtbot.waitExposed(page)
    card = page.cards["agreements"]
    qtbot.mousePress(card, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(card, Qt.MouseButton.LeftButton, pos=card.rect().bottomRight() + card.rect().center())
    assert asked == ["风险评估"]


def test_an_empty_ledger_shows_no_rate_rather_than_a_red_zero(db, db_path, qtbot):
    from township_desk.ui.context import AppContext
    from township_desk.ui.home_page import HomePage

    page = HomePage(AppContext(db_path, db=db, today=TODAY))
    qtbot.addWidget(page)
    counted(page, qtbot)
    assert (page.cards["rate"].value.text(), page.cards["rate"].detail.text()) == ("—", "2026-11 台账中尚无在册老人")
    assert "color: #2b6cb0" in page.cards["rate"].value.styleSheet()
    assert page.heading.text() == "本乡镇　2026年11月22日"
    assert set(values(page).values()) == {"—", "0"}


def test_the_figures_are_counted_off_the_gui_thread(ctx, qtbot, monkeypatch):
    import threading

    from township_desk.ui import home_page

    threads = []
    real = home_page.dashboard_figures

    def spy(db, today):
        threads.append(threading.current_thread())
        return real(db, today)

    monkeypatch.setattr(home_page, "dashboard_figures", spy)
    page = home_page.HomePage(ctx)
    qtbot.addWidget(page)
    assert page.loading  # the page is up before any figure is counted
    counted(page, qtbot)
    assert threads and threads[0] is not threading.main_thread()
    assert values(page)["ledger"] == "4"


@pytest.mark.parametrize(("rate", "day", "level"), [
    (0.0, dt.date(2026, 11, 1), "watch"),    # the 1st: nobody visited yet is on course, not an alarm
    (0.5, dt.date(2026, 11, 10), "watch"),   # ahead of the pace (10/30)
    (0.5, dt.date(2026, 11, 22), "alert"),   # behind it (22/30)
    (1.0, dt.date(2026, 11, 5), "ok"),       # the target met
])
def test_the_visit_rate_is_coloured_against_the_target_and_the_months_pace(rate, day, level):
    from township_desk.ui.home_page import rate_level

    assert rate_level(rate, day)[0] == level


def test_counts_are_red_only_for_a_missed_target(page):
    from township_desk.ui.home_page import LEVEL_COLOURS

    shown = {key: card.value.styleSheet() for key, card in page.cards.items()}
    for key in ("overdue", "remote"):  # a missed visit is red when there is one, green when none
        expected = LEVEL_COLOURS["alert"] if values(page)[key] != "0" else LEVEL_COLOURS["ok"]
        assert f"color: {expected}" in shown[key], key
    for key in ("assess", "hazards", "agreements"):  # work to follow up: amber, never the alarm red
        assert f"color: {LEVEL_COLOURS['alert']}" not in shown[key], key
