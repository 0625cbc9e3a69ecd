"""Two visit rates, two names (``models.rate_labels``): the 上门巡访覆盖率 (home visits only: 首页's large card,
本月未上门, the coverage chart, the 巡访情况 sheet) and the 探访率（上门或电话视频）(any contact: 首页's line per group,
the 探访关爱 sheet). Each place says which one it shows, and no screen puts the two under the same word."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl

from tests.conftest import make_id
from township_desk.models import elders, rate_labels, settings, visits
from township_desk.models.rate_labels import CONTACT, HOME

TODAY = dt.date(2026, 11, 22)


def ledger(db) -> None:
    """Two elders 在册: one visited at home, one only called this month (home 50 %, any contact 100 %)."""
    settings.put(db, {"township_name": "青山镇"})
    for n, name in enumerate(("张德福", "刘秀英"), start=1):
        elder_id = elders.save_elder(
            db, {"name": name, "id_number": make_id(f"194{n}0101", 10 + n), "village": "青山村", "visitor": "赵会计",
                 "lives_alone": True, "entered_on": "2026-09-01", "education": "小学", "spouse": "一方健在",
                 "care": "有人照料", "main_income": "打工"},
            [{"name": f"{name[0]}小明", "relation": "儿子", "phone": "13700003333", "away_since": "2018-03"}],
            today=TODAY).elder_id
        visits.record_visit(db, elder_id, {"date": "2026-11-10", "mode": "上门" if n == 1 else "电话",
                                           "visitor_name": "赵会计"}, today=TODAY)


def test_the_two_rates_have_different_names_that_say_what_counts():
    home, contact = rate_labels.rate_label(HOME), rate_labels.rate_label(CONTACT)
    assert home == "上门巡访覆盖率" and contact == "探访率（上门或电话视频）"
    assert "探访率" not in home and rate_labels.rate_name(HOME) not in contact
    assert "电话视频不算" in rate_labels.rate_meaning(HOME) and "电话或视频" in rate_labels.rate_meaning(CONTACT)


def test_the_home_page_names_each_rate_by_what_it_counts(db, db_path, qtbot, tmp_path):
    from township_desk.ui.context import AppContext
    from township_desk.ui.home_page import HomePage

    ledger(db)
    page = HomePage(AppContext(db_path, db=db, today=TODAY))
    qtbot.addWidget(page)
    # every background read done (figures, the line per group, 今日待办) before the page goes
    qtbot.waitUntil(lambda: not page.loading and not page.group_rates.loading and not page.todo.loading,
                    timeout=10000)
    card = page.cards["rate"]
    assert card.title.text() == "本月上门巡访覆盖率" and card.value.text() == "50.0%"
    assert card.toolTip().startswith(rate_labels.rate_meaning(HOME))
    assert page.group_rates.heading.text() == "各类对象本月探访率（上门或电话视频）"
    assert "全部巡访对象" in page.group_rates.line.text() and "100.0%" in page.group_rates.line.text()
    assert page.group_rates.heading.toolTip().startswith(rate_labels.rate_meaning(CONTACT))
    # Side by side on one screen, never one word for both.
    assert "探访率" not in card.title.text() and "上门巡访覆盖率" not in page.group_rates.heading.text()
    if os.environ.get("TOWNSHIP_DESK_SCREENSHOTS"):
        page.resize(1366, 698)
        page.grab().save(os.path.join(os.environ["TOWNSHIP_DESK_SCREENSHOTS"], "home_rates.png"))


def test_the_unvisited_list_says_its_rate_is_home_visits(db, db_path, qtbot):
    from township_desk.ui.context import AppContext
    from township_desk.ui.visits_page import VisitsPage

    ledger(db)
    page = VisitsPage(AppContext(db_path, db=db, today=TODAY))
    qtbot.addWidget(page)
    page.unvisited.refresh()
    assert "已上门 1 人，上门巡访覆盖率 50.0%，尚未上门 1 人" in page.unvisited.summary.text()
    assert page.unvisited.summary.toolTip() == rate_labels.rate_meaning(HOME)


def test_the_workbook_headings_are_the_same_two_names(db, tmp_path):
    from township_desk.printing.monthly_xlsx import export_monthly

    ledger(db)
    target = tmp_path / "十一月.xlsx"
    export_monthly(db, "2026-11", target, mode="draft", today=TODAY)
    book = openpyxl.load_workbook(target)

    def headings(sheet: str) -> list[str]:
        return [c.value for c in book[sheet][2] if c.value]

    assert rate_labels.rate_heading(HOME) == "上门巡访覆盖率（%）" in headings("巡访情况")
    assert rate_labels.rate_heading(CONTACT) == "探访率（%）" in headings("探访关爱")
    assert not any("探访率" in h for h in headings("巡访情况"))
    assert not any("覆盖率" in h for h in headings("探访关爱"))
