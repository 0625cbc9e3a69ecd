"""Every page of the main window, each of its tabs, and the main dialogs (登记表, 登记巡访, 老人档案) on the usual office
screen: 1366×768 with a 40-px taskbar, the window maximised under a 30-px title bar. The page's primary action is
in view (not clipped, not below the fold), so are the buttons outside any scrolling area, and no table column is
squeezed to nothing.

One small demo township and one window for the whole module. With ``TOWNSHIP_DESK_SCREENSHOTS=folder`` each screen
is also saved there as a PNG for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QPushButton, QTableView, QTabWidget, QWidget

from township_desk.ui.pages import PAGES

SCREEN = QRect(0, 0, 1366, 768 - 40)           # the desktop without the taskbar
WINDOW = (1366, 768 - 40 - 30)                  # the maximised window without its title bar
TODAY = dt.date(2026, 11, 30)

# Each page's primary action: a pattern one of its buttons matches (the pages change; the action stays).
PRIMARY = {
    "台账": r"^新增", "巡访": r"^登记巡访", "风险评估": r"^评估所选|^保存评估", "互助协议": r"^新建",
    "打印": r"生成|打印|保存", "报表": r"^导出月度报表", "设置": r"^保存",
}
SHOTS = os.environ.get("TOWNSHIP_DESK_SCREENSHOTS")


def settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


def shot(widget: QWidget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def in_scroll_area(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def fully_shown(widget: QWidget, window: QWidget) -> bool:
    """Visible, not clipped by any parent, and inside the window as large as the screen lets it be (a window
    whose minimum size is larger than the screen would be cut by the screen's edge)."""
    if not widget.isVisible() or widget.visibleRegion().boundingRect() != widget.rect():
        return False
    top_left = widget.mapTo(window, widget.rect().topLeft())
    room = window.rect().intersected(QRect(0, 0, SCREEN.width(), SCREEN.height() - 30))
    return room.contains(QRect(top_left, widget.size()))


def problems(area: QWidget, window: QWidget, name: str, primary: str | None) -> list[str]:
    """What does not fit on the screen ``area`` shows (a page's tab, a dialog)."""
    found = []
    buttons = [b for b in area.findChildren(QPushButton) if b.isVisible() and b.text()]
    for button in buttons:
        if not in_scroll_area(button, area) and not fully_shown(button, window):
            found.append(f"{name}: 按钮“{button.text()}”被遮住或在可见区域之外")
    if primary is not None:
        matching = [b for b in buttons if re.search(primary, b.text())]
        if not any(fully_shown(b, window) for b in matching):
            found.append(f"{name}: 主要操作（{primary}）不在可见区域内：{[b.text() for b in buttons]}")
    for view in area.findChildren(QTableView):
        if not view.isVisible() or view.model() is None:
            continue
        header = view.horizontalHeader()
        if not header.isVisible():
            continue
        for column in range(header.count()):
            if header.isSectionHidden(column):
                continue
            heading = str(view.model().headerData(column, Qt.Orientation.Horizontal) or "")
            # at least the first two characters of its longest line: less is a heading cut to nothing
            line = max(heading.splitlines() or [""], key=len)
            needed = header.fontMetrics().horizontalAdvance(line[:2])
            if header.sectionSize(column) < needed:
                found.append(f"{name}: 列“{heading}”只有 {header.sectionSize(column)} 像素宽（标题需 {needed}）")
    return found


@pytest.fixture(scope="module")
def office_screen():
    """Dialogs size themselves for the 1366×768 screen (``widgets.size_for_screen``)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(QScreen, "availableGeometry", lambda _self: QRect(SCREEN))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def window(tmp_path_factory, office_screen, qapp):
    from township_desk.models import db as dbm
    from township_desk.models import demo
    from township_desk.ui.context import AppContext
    from township_desk.ui.main_window import MainWindow

    path = tmp_path_factory.mktemp("screens") / "township.db"
    db = dbm.connect(path)
    demo.generate(db, elders=60, seed=2, as_of=TODAY)
    ctx = AppContext(path, db=db, today=TODAY)
    win = MainWindow(ctx)
    win.resize(*WINDOW)
    win.show()
    settle()
    yield win
    win.close()
    win.deleteLater()
    settle()
    db.close()


def tabs_of(page: QWidget) -> list[QTabWidget]:
    """The page's own tab widgets (not those inside one of their tabs)."""
    found = []
    for tabs in page.findChildren(QTabWidget):
        parent = tabs.parentWidget()
        while parent is not None and parent is not page and not isinstance(parent, QTabWidget):
            parent = parent.parentWidget()
        if parent is page:
            found.append(tabs)
    return found


@pytest.mark.parametrize("title", [spec.title for spec in PAGES])
def test_every_page_and_tab_fits_the_office_screen(window, title):
    page = window.show_page(title)
    settle()
    assert page is not None, f"“{title}”页面未能打开"
    seen = []
    if (window.width(), window.height()) != WINDOW:  # the page asks for more room than the screen has
        seen.append(f"{title}: 窗口无法缩小到 {WINDOW}，实际 {window.width()}×{window.height()}")
    tabs = tabs_of(page)
    if not tabs:
        shot(window, title)
        seen += problems(page, window, title, PRIMARY.get(title))
    for tab_widget in tabs:
        primary_found = False
        for index in range(tab_widget.count()):
            tab_widget.setCurrentIndex(index)
            settle()
            name = f"{title}-{tab_widget.tabText(index)}"
            shot(window, name)
            seen += problems(tab_widget.widget(index), window, name, None)
            pattern = PRIMARY.get(title)
            if pattern and any(re.search(pattern, b.text()) and fully_shown(b, window)
                               for b in page.findChildren(QPushButton)):
                primary_found = True
        tab_widget.setCurrentIndex(0)
        settle()
        if title in PRIMARY and not primary_found:
            seen.append(f"{title}: 主要操作（{PRIMARY[title]}）在任何一个标签页中都不可见")
    assert seen == []


def test_the_dashboard_shows_its_figures_on_one_screen(window, qtbot):
    page = window.show_page("首页")
    qtbot.waitUntil(lambda: not page.loading, timeout=20000)
    settle()
    shot(window, "首页")
    cards = [card for card in page.cards.values() if card.isVisible()]
    assert cards and all(fully_shown(card, window) for card in cards), [
        card.geometry() for card in cards if not fully_shown(card, window)]


def _dialog_problems(dialog, name: str, primary: str) -> list[str]:
    dialog.show()
    settle()
    shot(dialog, name)
    assert dialog.width() <= SCREEN.width() and dialog.height() <= SCREEN.height() - 30, dialog.size()
    try:
        return problems(dialog, dialog, name, primary)
    finally:
        dialog.close()
        dialog.deleteLater()


def _an_elder(window) -> int:
    return window.ctx.db.execute("SELECT MIN(id) FROM elders WHERE status = '在册'").fetchone()[0]


def test_the_elder_form_fits_the_office_screen(window):
    from township_desk.ui.elder_editor import ElderEditor

    assert _dialog_problems(ElderEditor(window.ctx, _an_elder(window), window), "登记表", r"^保存") == []
    assert _dialog_problems(ElderEditor(window.ctx, None, window), "登记表-新增", r"^保存") == []


def test_the_visit_form_fits_the_office_screen(window):
    from township_desk.ui.visit_dialog import VisitDialog

    assert _dialog_problems(VisitDialog(window.ctx, _an_elder(window), window), "登记巡访", r"^保存") == []


def test_the_elder_file_fits_the_office_screen(window):
    from township_desk.ui.elder_file import ElderFileDialog

    dialog = ElderFileDialog(window.ctx, _an_elder(window), window)
    assert _dialog_problems(dialog, "老人档案", r"^登记巡访") == []
