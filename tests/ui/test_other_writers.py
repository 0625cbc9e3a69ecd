"""The window follows writes made by other programs (an import run on the command line while it is open).

``PRAGMA data_version`` of the window's connection moves only when another connection commits; the main window
looks every ``WATCH_INTERVAL_MS`` and announces a change ("*") through ``ctx.notify``, the same way a save in the
window does, so the shown page refreshes and the others refresh when next shown. Real window, real SQLite file,
the other program is a plain second ``sqlite3`` connection.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from tests.conftest import VALID_IDS
from township_desk.models import elders, settings, villages
from township_desk.models.changes import take
from township_desk.ui import crash
from township_desk.ui.context import AppContext
from township_desk.ui.main_window import WATCH_INTERVAL_MS, MainWindow

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def ctx(db, db_path):
    settings.put(db, {"township_name": "青山镇"})
    villages.save_village(db, {"name": "青山村"})
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "phone": "13812345678"},
                      today=TODAY)
    return AppContext(db_path, db)


@pytest.fixture
def reports(monkeypatch) -> list[BaseException]:
    seen: list[BaseException] = []
    monkeypatch.setattr(crash, "report", lambda exc, tb=None, parent=None: seen.append(exc))
    return seen


@pytest.fixture
def other_program(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    yield conn
    conn.close()


def ledger_cells(page, heading: str) -> list[str]:
    from township_desk.ui.ledger_page import COLUMNS

    col = [h for _k, h in COLUMNS].index(heading)
    return [page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())]


def test_the_ledger_page_shows_a_change_committed_by_another_program(qtbot, ctx, other_program, reports):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_page("台账")
    assert ledger_cells(page, "姓名") == ["张德福"] and ledger_cells(page, "联系电话") == ["13812345678"]
    assert window.watch_timer.isActive() and window.watch_timer.interval() == WATCH_INTERVAL_MS <= 2000

    other_program.execute("UPDATE elders SET phone = '13899998888' WHERE name = '张德福'")
    other_program.execute("INSERT INTO elders (id_number, name, sex, birth_date, village_id, entered_on)"
                          " VALUES (?, '刘秀英', '女', '1952-07-08', 1, '2026-11-22')", [VALID_IDS[1]])
    assert ledger_cells(page, "联系电话") == ["13812345678"]   # nothing moves before the window looks
    window.watch_timer.timeout.emit()                           # the timer's next tick
    assert sorted(ledger_cells(page, "姓名")) == ["刘秀英", "张德福"]
    assert "13899998888" in ledger_cells(page, "联系电话")
    assert window.count_label.text() == "在册 2 人" and reports == []


def test_a_page_not_shown_refreshes_when_next_shown_and_the_title_follows_settings(qtbot, ctx, other_program,
                                                                                    reports):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_page("台账")
    window.show_page("首页")
    other_program.execute("UPDATE elders SET name = '张德富' WHERE name = '张德福'")
    other_program.execute("""UPDATE settings SET value = '"青山乡"' WHERE key = 'township_name'""")
    window.watch_timer.timeout.emit()
    assert window.holders["台账"].stale and window.windowTitle().endswith("青山乡")
    window.show_page("台账")
    assert ledger_cells(page, "姓名") == ["张德富"] and reports == []


def test_the_windows_own_saves_are_not_announced_twice(qtbot, ctx, other_program):
    seen: list[str] = []
    ctx.data_changed.connect(seen.append)
    villages.save_village(ctx.db, {"name": "白鹤村"})           # a save in the window: announced by its page
    ctx.announce_writes()
    assert not ctx.check_other_writers() and seen == ["villages"]
    other_program.execute("INSERT INTO villages (name) VALUES ('碾子村')")
    assert ctx.check_other_writers() and seen == ["villages", "*"]
    assert not ctx.check_other_writers()                        # once per commit


def test_a_background_jobs_commit_announced_when_done_is_not_announced_again(qtbot, ctx, db_path):
    from township_desk.models import db as dbm

    seen: list[str] = []
    ctx.data_changed.connect(seen.append)
    job = dbm.connect(db_path)                                  # a job's own connection (one per thread)
    try:
        villages.save_village(job, {"name": "白鹤村"})
        changes = take(job)
    finally:
        job.close()
    ctx.announce(changes)                                       # the job's operation announces what it changed
    assert not ctx.check_other_writers() and seen == ["villages"]


def test_the_dashboards_reading_connection_is_not_taken_for_a_write(qtbot, ctx, reports):
    """The home page computes its figures on a connection of its own; reading (and closing it) changes nothing, so
    the watch never announces a change and the page is not recomputed over and over."""
    seen: list[str] = []
    ctx.data_changed.connect(seen.append)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    home = window.show_page("首页")
    for _ in range(3):
        qtbot.waitUntil(lambda: not home.loading, timeout=10000)
        window.watch_timer.timeout.emit()
        home.refresh()
    qtbot.waitUntil(lambda: not home.loading, timeout=10000)
    window.watch_timer.timeout.emit()
    assert seen == [] and reports == []


def test_the_watch_stops_when_the_window_closes(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.close()
    assert not window.watch_timer.isActive()
