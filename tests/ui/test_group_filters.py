"""The 对象类别 filter on every list the clerk narrows to one visit group (巡访对象类别): 台账, 逾期清单, 本月未上门,
责任人工作量, 统计图表 and the 打印 page's selection. Who belongs is ``models.groups``' answer; each screen shows only
that group's elders, with the others back under 全部."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.conftest import VALID_IDS, make_id
from township_desk.models import elders, villages, visitors
from township_desk.ui.context import AppContext

TODAY = dt.date(2026, 11, 22)
AWAY = {"name": "张小明", "relation": "儿子", "phone": "13900001111", "away_since": "2024-03", "is_away": 1,
        "work_place": "广东省深圳市"}
RURAL, URBAN, SPECIAL = "张德福", "李秀英", "王大山"


@pytest.fixture
def ctx(db, db_path):
    """Three elders none visited this month, all with 王村官: a 农村留守 elder in 青山村; a 城市独居 elder and a
    couple of a 计划生育特殊家庭 (特殊困难, not 城市独居) in 城东社区."""
    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "城东社区"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    visitors.save_visitor(db, {"name": "周网格", "phone": "13900004444", "role": "网格员"})
    common = {"tier": "一般", "visitor": "王村官", "entered_on": "2026-01-05"}
    city = {"village": "城东社区", "rural_hukou": 0}
    for name, id_number, fields in (
            (RURAL, VALID_IDS[0], {"village": "青山村", "spouse": "双方健在"}),
            (URBAN, VALID_IDS[1], {**city, "spouse": "一方健在", "lives_alone": 1}),
            (SPECIAL, make_id("19400101", 5), {**city, "spouse": "双方健在", "family_planning_special": 1})):
        elders.save_elder(db, {"name": name, "id_number": id_number, **common, **fields}, [AWAY], today=TODAY)
    context = AppContext(db_path, db)
    context.today = lambda: TODAY
    return context


def choose(combo, group: str | None) -> None:
    combo.setCurrentIndex(combo.findData(group) if group else 0)


def names(rows) -> list[str]:
    return sorted(r["name"] for r in rows)


def test_the_filter_offers_every_group_after_all(qtbot):
    from township_desk.ui.widgets import GroupFilter

    combo = GroupFilter()
    qtbot.addWidget(combo)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "全部", "农村留守", "城市独居", "特殊困难", "独居", "空巢", "失能", "重残"]
    assert combo.group() is None
    combo.set_group("城市独居")
    assert combo.group() == "城市独居"


def test_the_ledger_shows_only_the_chosen_group(ctx, qtbot):
    from township_desk.ui.ledger_page import LedgerPage

    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    assert names(page.model.rows) == sorted([RURAL, URBAN, SPECIAL])
    for group, shown in (("农村留守", [RURAL]), ("城市独居", [URBAN]), ("特殊困难", [SPECIAL]),
                         ("独居", [URBAN])):
        choose(page.group_combo, group)
        assert names(page.model.rows) == shown, group
        assert page.count_label.text() == f"共 {len(shown)} 人"
    page.apply_filters({"group": "特殊困难"})  # another page asks for a group
    assert names(page.model.rows) == [SPECIAL] and page.group_combo.currentText() == "特殊困难"


def test_the_overdue_list_shows_only_the_chosen_group(ctx, qtbot):
    from township_desk.ui.visits_page import OverdueTab

    tab = OverdueTab(ctx)
    qtbot.addWidget(tab)
    tab.refresh()
    assert names(tab.shown()) == sorted([RURAL, URBAN, SPECIAL])
    choose(tab.group, "城市独居")
    assert names(tab.shown()) == [URBAN] and tab.count.text() == "逾期未上门 1 人"
    choose(tab.group, "农村留守")
    assert names(tab.shown()) == [RURAL]


def test_not_visited_this_month_shows_only_the_chosen_group_and_its_rate(ctx, qtbot):
    from township_desk.ui.visits_page import UnvisitedTab

    tab = UnvisitedTab(ctx)
    qtbot.addWidget(tab)
    tab.refresh()
    assert names(tab.model.rows) == sorted([RURAL, URBAN, SPECIAL])
    choose(tab.group, "特殊困难")
    assert names(tab.model.rows) == [SPECIAL]
    assert "特殊困难在册 1 人，已上门 0 人，上门巡访覆盖率 0.0%，尚未上门 1 人" in tab.summary.text()


def test_the_workload_counts_only_the_chosen_groups_elders(ctx, qtbot):
    from township_desk.ui.visits_page import WorkloadTab

    tab = WorkloadTab(ctx)
    qtbot.addWidget(tab)
    tab.refresh()

    def counts() -> dict[str, tuple[int, int]]:
        return {r["name"]: (r["elders"], r["overdue"]) for r in tab.model.rows}

    assert counts() == {"王村官": (3, 3), "周网格": (0, 0)}
    choose(tab.group, "城市独居")
    assert counts() == {"王村官": (1, 1), "周网格": (0, 0)}
    tab.table.selectRow(0)
    assert names(tab.elder_model.rows) == [URBAN]
    assert tab.elders_label.text() == "王村官负责的城市独居在册老人 1 人，逾期未上门 1 人"


def test_the_charts_count_only_the_chosen_group(ctx, qtbot):
    from township_desk.ui.charts_tab import ChartsTab

    tab = ChartsTab(ctx)
    qtbot.addWidget(tab)
    tab.refresh()

    def overdue_bars() -> dict[str, int]:
        ax = tab.views["overdue"].figure.axes[0]
        return {label.get_text(): int(bar.get_height())
                for label, bar in zip(ax.get_xticklabels(), ax.patches, strict=True)}

    def pyramid_total() -> int:
        return int(sum(abs(bar.get_width()) for bar in tab.views["pyramid"].figure.axes[0].patches))

    assert overdue_bars() == {"青山村": 1, "城东社区": 2} and pyramid_total() == 3
    choose(tab.group, "城市独居")
    assert overdue_bars() == {"青山村": 0, "城东社区": 1} and pyramid_total() == 1
    choose(tab.group, "农村留守")
    assert overdue_bars() == {"青山村": 1, "城东社区": 0} and pyramid_total() == 1


def test_the_print_selection_takes_only_the_chosen_group(ctx, qtbot, monkeypatch):
    from township_desk.ui.print_page import PrintPage

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.choose_kind("notice-cards")

    def preview() -> list[str]:
        return [page.pages.item(i).text() for i in range(page.pages.count())]

    assert len(preview()) == 3
    choose(page.group, "城市独居")
    assert preview() == [f"城东社区　{URBAN}　告知卡"]
    assert page.summary.text() == "共 1 份告知卡"
    page.village.setCurrentIndex(page.village.findText("城东社区"))
    assert preview() == [f"城东社区　{URBAN}　告知卡"]  # the village's list to tick holds the group only
    page.choose_kind("overdue")
    choose(page.group, "特殊困难")
    assert {line.split("　")[1] for line in preview()} == {SPECIAL}
    page.choose_kind("roster")  # the 花名册 of the chosen group: only its members
    assert preview() == ["城东社区　花名册（1人）"]
    assert page.suggested_name() == "花名册_特殊困难_城东社区_20261122.docx"
    page.choose_kind("agreement")  # agreements are chosen one by one: the choice gives way to why
    assert page.group.isHidden() and page.group_note.text() == "互助养老协议按协议逐份勾选，不按对象类别挑选"
    assert page.selection().group is None
