"""今日待办 on the 首页: the names of the elders overdue today, with open hazards and with assessments due, each
opening the elder's file; 查看全部 opens the full list. Driven with qtbot over the 首页's story
(tests/ui/test_home_page.py: 张 18 and 王 52 days overdue, 王's hazard open, 张 王 李 never assessed)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.conftest import make_id
from tests.ui.test_home_page import TODAY, add, counted, ctx  # noqa: F401 - ctx is the fixture
from township_desk.models import todo


@pytest.fixture
def home(ctx, qtbot):  # noqa: F811 - the imported fixture
    from township_desk.ui.home_page import HomePage

    page = HomePage(ctx)
    qtbot.addWidget(page)
    counted(page, qtbot)
    qtbot.waitUntil(lambda: not page.todo.loading, timeout=10000)
    return page


def lines(page, key: str) -> list[str]:
    return page.todo.columns[key].names_shown()


def test_the_home_page_names_who_is_overdue_has_a_hazard_or_is_due_for_assessment(home):
    columns = home.todo.columns
    assert columns["overdue"].title.text() == "今天逾期未上门　2 人"
    assert lines(home, "overdue") == ["王大山（青山村）　逾期 52 天", "张德福（青山村）　逾期 18 天"]  # longest first
    assert columns["hazards"].title.text() == "未处置风险隐患　1 项"
    assert lines(home, "hazards") == ["王大山（青山村）　2026-11-18 取暖不安全（未通报赡养人）"]
    assert columns["assess"].title.text() == "待风险评估　3 人"
    assert sorted(lines(home, "assess")) == sorted(f"{n}（青山村）　从未评估" for n in ("张德福", "王大山", "李桂兰"))
    assert columns["overdue"].all_link.text() == "<a href='all'>查看全部 2 人 ›</a>"


def test_double_click_and_enter_open_the_elder_file_of_that_name(home, ctx, qtbot, monkeypatch):  # noqa: F811
    from township_desk.ui import elder_file

    opened = []
    monkeypatch.setattr(elder_file, "open_elder_file", lambda _ctx, elder_id, *_a, **_k: opened.append(elder_id))
    wang = ctx.db.execute("SELECT id FROM elders WHERE name = '王大山'").fetchone()[0]
    zhang = ctx.db.execute("SELECT id FROM elders WHERE name = '张德福'").fetchone()[0]
    names = home.todo.columns["overdue"].names
    home.show()
    qtbot.waitExposed(home)
    rect = names.visualItemRect(names.item(1))
    qtbot.mouseClick(names.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a real double-click
    qtbot.mouseDClick(names.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # starts with a press
    assert opened == [zhang]
    names.setFocus()
    names.setCurrentRow(0)
    QTest.keyClick(names, Qt.Key.Key_Return)
    assert opened == [zhang, wang]


@pytest.mark.parametrize(("key", "target"), [
    ("overdue", ("巡访", {"view": "overdue", "kind": "home"})),
    ("hazards", ("巡访", {"view": "hazards"})),
    ("assess", ("风险评估", {"view": "due"})),
])
def test_see_all_opens_the_full_list(home, ctx, key, target):  # noqa: F811
    asked = []
    ctx.navigate_requested.connect(lambda title, filters: asked.append((title, filters)))
    home.todo.columns[key].all_link.linkActivated.emit("all")
    assert asked == [target]


def test_a_list_shows_five_names_and_the_whole_count(ctx, qtbot):  # noqa: F811
    for n in range(6):  # six more never visited since 09-01: 52 days overdue
        add(ctx.db, f"陈{'一二三四五六'[n]}", make_id("19500101", 41 + 2 * n), "一般", "钱书记")
    lists = {t.key: t for t in todo.todo_lists(ctx.db, TODAY)}
    assert lists["overdue"].count == 8 and len(lists["overdue"].entries) == todo.DEFAULT_LIMIT
    assert [e.detail for e in lists["overdue"].entries] == ["逾期 52 天"] * 5  # 张 (18 days) is not among the first
    assert lists["assess"].count == 9


def test_nothing_to_do_says_so_in_green(ctx, qtbot):  # noqa: F811
    from township_desk.ui.context import AppContext
    from township_desk.ui.home_page import HomePage

    quiet = AppContext(ctx.db_path, db=ctx.db, today=dt.date(2026, 9, 5))  # four days after everyone entered
    page = HomePage(quiet)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.todo.loading, timeout=10000)
    column = page.todo.columns["overdue"]
    assert column.names_shown() == ["没有逾期未上门的老人"] and column.all_link.text() == ""
    assert "#2f855a" in column.title.styleSheet()


def test_the_names_are_read_after_the_figures_not_alongside_them(ctx, qtbot, monkeypatch):  # noqa: F811
    """Both read the overdue list, the heaviest query at 30,000 elders: the figures (the headline) come first."""
    from township_desk.ui import home_page

    events = []
    real_figures, real_lists = home_page.dashboard_figures, todo.todo_lists

    def figures(db, today):
        result = real_figures(db, today)
        events.append("figures counted")
        return result

    def lists(db, today, limit=todo.DEFAULT_LIMIT):
        events.append("names read")
        return real_lists(db, today, limit)

    monkeypatch.setattr(home_page, "dashboard_figures", figures)
    monkeypatch.setattr(todo, "todo_lists", lists)
    page = home_page.HomePage(ctx)
    qtbot.addWidget(page)
    assert page.todo.loading and page.todo.state.text() == "正在读取……"
    qtbot.waitUntil(lambda: not page.loading and not page.todo.loading, timeout=10000)
    assert events == ["figures counted", "names read"]
    assert page.todo.columns["overdue"].title.text() == "今天逾期未上门　2 人"
