"""Which 上门巡访覆盖率 a month shows (``submissions.month_home_rate`` / ``coverage_by_month``): a month sent to the
county shows what was sent — over everyone and, with a visit group, that group's 合计 line of the 探访关爱 sheet
sent — even after the ledger changes; a month sent before the sheet existed has no group figure and says so.

A real ledger file: three elders living alone (独居) and one not, October visited in part, sent on 1 November;
then a home visit dated in October is entered late.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_id

from township_desk.models import elders, groups, schedule, settings, submissions, visits
from township_desk.printing.monthly_xlsx import export_monthly

NOV_1 = dt.date(2026, 11, 1)
COMPLETE = {"education": "小学", "spouse": "一方健在", "care": "有人照料", "children_away_years": 2,
            "main_income": "打工", "visitor": "李巡访", "entered_on": "2026-01-05"}


def home_visit(db, elder_id: int, day: str, today: dt.date) -> None:
    visits.record_visit(db, elder_id, {"date": day, "mode": "上门", "visitor_name": "李巡访"}, today=today)


@pytest.fixture
def town(db):
    settings.put(db, {"township_name": "城关镇", "preparer": "李专干"})
    ids = {}
    for n, (key, alone) in enumerate((("甲", True), ("乙", True), ("丙", True), ("丁", False)), start=11):
        ids[key] = elders.save_elder(
            db, {"name": f"王{key}", "id_number": make_id(f"194{n - 10}0101", n), "village": "红星村",
                 "lives_alone": alone, **COMPLETE},
            [{"name": f"王{key}子", "relation": "儿子", "phone": "13800001111", "away_since": "2018-03"}],
            today=dt.date(2026, 1, 5)).elder_id
    for key in ("甲", "丁"):
        home_visit(db, ids[key], "2026-10-12", dt.date(2026, 10, 12))
    home_visit(db, ids["甲"], "2026-09-12", dt.date(2026, 9, 12))
    db.ids = ids
    return db


def test_a_sent_month_shows_the_group_figure_sent_after_the_ledger_changes(town, tmp_path):
    assert sorted(groups.members(town, groups.ALONE, "2026-10-31")) == sorted(town.ids[k] for k in "甲乙丙")
    export_monthly(town, "2026-10", tmp_path / "十月.xlsx", mode="submit", today=NOV_1)
    home_visit(town, town.ids["乙"], "2026-10-20", dt.date(2026, 11, 3))  # entered late, dated in October

    assert schedule.monthly_visit_rate(town, "2026-10", groups.ALONE)[:2] == (2, 3)  # the ledger now
    sent = submissions.month_home_rate(town, "2026-10", groups.ALONE)
    assert (sent.visited, sent.people, sent.source) == (1, 3, submissions.SENT)
    chart = {r.month: r for r in submissions.coverage_by_month(town, "2026-11", 12, groups.ALONE)}
    assert chart["2026-10"].rate == pytest.approx(1 / 3) and chart["2026-10"].source == submissions.SENT
    assert chart["2026-11"].source == submissions.COUNTED  # never sent: counted now
    everyone = submissions.month_home_rate(town, "2026-10")
    assert (everyone.visited, everyone.people, everyone.source) == (2, 4, submissions.SENT)


def without_care_sheet(db, month: str) -> None:
    """Send ``month`` as a workbook made before the 探访关爱 sheet existed (its payload has no such sheet)."""
    book = submissions.build_book(db, month, filled_on=NOV_1)
    book.tables = [t for t in book.tables if t.sheet != "探访关爱"]
    submissions.record(db, book, "上报", "0" * 64, at=dt.datetime(2026, 10, 1, 9))


def test_a_month_sent_before_the_care_sheet_has_no_group_figure_and_says_so(town):
    without_care_sheet(town, "2026-09")
    figure = submissions.month_home_rate(town, "2026-09", groups.ALONE)
    assert figure.source == submissions.NOT_SENT and figure.rate is None and figure.people is None
    assert schedule.monthly_visit_rate(town, "2026-09", groups.ALONE)[:2] == (1, 3)  # what is not invented
    chart = {r.month: r for r in submissions.coverage_by_month(town, "2026-11", 12, groups.ALONE)}
    assert chart["2026-09"].rate is None and chart["2026-09"].source == submissions.NOT_SENT
    assert submissions.not_sent_note([chart["2026-09"]]).startswith("2026年9月上报的报表中没有这一数字")
    # over everyone the month sent holds its figure
    assert submissions.month_home_rate(town, "2026-09").source == submissions.SENT


def test_the_chart_draws_the_sent_group_figure_and_names_the_month_it_cannot_show(town, tmp_path, qtbot):
    from township_desk.ui.charts_tab import ChartsTab
    from township_desk.ui.context import AppContext

    without_care_sheet(town, "2026-09")
    export_monthly(town, "2026-10", tmp_path / "十月.xlsx", mode="submit", today=NOV_1)
    home_visit(town, town.ids["乙"], "2026-10-20", dt.date(2026, 11, 3))
    tab = ChartsTab(AppContext(tmp_path / "unused.db", town, today=dt.date(2026, 11, 20)))
    qtbot.addWidget(tab)
    tab.refresh()
    tab.group.setCurrentIndex(tab.group.findData(groups.ALONE))
    ax = tab.views["coverage"].figure.axes[0]
    assert ax.get_title() == "近12个月独居上门巡访覆盖率"
    line = ax.lines[0]
    points = dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
    assert points["2026-10"] == pytest.approx(100 / 3)          # as sent, not 2/3 as the ledger now says
    assert points["2026-09"] != points["2026-09"]                # a gap (nan): not sent, not invented
    note = ax.get_xlabel()
    assert "未画出：2026年9月上报的报表中没有这一数字" in note
    assert "实心点：已上报的月份，按上报数字；空心点：未上报的月份，按台账现状" in note
    import os

    if os.environ.get("TOWNSHIP_DESK_SCREENSHOTS"):  # rendered at 1366×768 and looked at
        tab.resize(1366, 698)
        tab.grab().save(os.path.join(os.environ["TOWNSHIP_DESK_SCREENSHOTS"], "coverage_chart_group.png"))
