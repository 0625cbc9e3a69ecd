"""The unattended smoke run CI gives the built program: every page shown in turn, a missing one fails the run."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication

from township_desk.models import demo
from township_desk.printing.kinds import KINDS
from township_desk.ui import crash, smoke
from township_desk.ui.context import AppContext
from township_desk.ui.pages import PAGES


@pytest.fixture
def window(db, db_path, qtbot):
    import datetime as dt

    from township_desk.ui.main_window import MainWindow

    demo.generate(db, elders=40, seed=2, as_of=dt.date.today())
    win = MainWindow(AppContext(db_path, db=db))
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def ends(monkeypatch):
    app = QApplication.instance()
    calls: list[int] = []
    monkeypatch.setattr(app, "quit", lambda: calls.append(0))
    monkeypatch.setattr(app, "exit", lambda code=0: calls.append(code))
    monkeypatch.setenv(smoke.ENV, "0.5")
    return calls


def test_the_tour_shows_every_page_and_draws_the_charts(window, ends, qtbot, capsys):
    assert smoke.arm(QApplication.instance(), window)
    qtbot.waitUntil(lambda: bool(ends), timeout=10000)
    assert ends == [0]
    assert {title: h.state for title, h in window.holders.items()} == {spec.title: "built" for spec in PAGES}
    assert window.page("巡访").charts.views  # the charts were drawn
    assert f"{len(PAGES) + 1 + len(KINDS)} pages shown and closed itself" in capsys.readouterr().err


def test_a_page_the_build_cannot_load_fails_the_run(window, ends, qtbot, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "township_desk.ui.print_page", None)  # as if left out of the bundle
    assert smoke.arm(QApplication.instance(), window)
    qtbot.waitUntil(lambda: bool(ends), timeout=10000)
    assert ends == [smoke.FAILED_EXIT]
    assert "打印（failed）" in capsys.readouterr().err


def test_errors_go_to_stderr_during_a_smoke_run(monkeypatch, capsys):
    monkeypatch.setenv(smoke.ENV, "1")
    crash._show(None, "程序出错", "意外错误")  # would otherwise wait on a dialog nobody closes
    assert "程序出错：意外错误" in capsys.readouterr().err
