"""The main window's menu bar: 文件 编辑 查看 帮助, the usual shortcuts, 关于 and the user guide shipped with the
program."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from township_desk import __version__
from township_desk.models import paths, settings
from township_desk.ui.context import AppContext
from township_desk.ui.main_window import MainWindow


@pytest.fixture
def window(db, db_path, qtbot):
    settings.put(db, {"township_name": "石龙镇"})
    win = MainWindow(AppContext(db_path, db))
    qtbot.addWidget(win)
    return win


def test_the_menu_bar_has_the_four_menus_and_the_usual_shortcuts(window):
    titles = [a.text().split("(")[0] for a in window.menuBar().actions()]
    assert titles == ["文件", "编辑", "查看", "帮助"]
    keys = {name: window.menu_actions[name].shortcut().toString(QKeySequence.SequenceFormat.PortableText)
            for name in ("new_elder", "find", "print", "quit", "guide", "export")}
    assert keys == {"new_elder": "Ctrl+N", "find": "Ctrl+F", "print": "Ctrl+P", "quit": "Ctrl+Q", "guide": "F1",
                    "export": "Ctrl+E"}


def test_ctrl_n_opens_an_empty_registration_form_on_the_ledger(window, monkeypatch):
    from township_desk.ui import elder_editor

    seen = []
    monkeypatch.setattr(elder_editor.ElderEditor, "exec", lambda self: seen.append(self.elder_id) or 0)
    window.menu_actions["new_elder"].trigger()
    assert window.current_title() == "台账" and seen == [None]


def test_ctrl_p_shows_the_print_page_and_the_view_menu_every_page(window):
    window.menu_actions["print"].trigger()
    assert window.current_title() == "打印"
    window.menu_actions["page_2"].trigger()
    assert window.current_title() == "台账"


def test_ctrl_f_puts_the_cursor_in_the_search_box(window, qtbot):
    window.show()
    page = window.show_page("台账")
    window.menu_actions["find"].trigger()
    assert window.focusWidget() is page.search  # the focus the window gives when active


def test_about_names_version_database_and_data_folder(window, monkeypatch, db_path):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append((title, text)))
    window.menu_actions["about"].trigger()
    [(title, text)] = shown
    assert "关于" in title
    assert f"版本 {__version__}" in text and str(db_path) in text and str(paths.data_dir()) in text


def test_the_user_guide_is_shipped_in_chinese_with_its_screenshots(window, monkeypatch):
    from township_desk.ui import menus, widgets

    guide = menus.guide_path()
    text = guide.read_text(encoding="utf-8")
    assert "使用说明" in text and "快速登记电话/视频" in text and "老人档案" in text
    images = re.findall(r'<img src="([^"]+)"', text)
    assert 3 <= len(images) <= 5 and all((guide.parent / name).stat().st_size > 10_000 for name in images)
    opened = []
    monkeypatch.setattr(widgets, "open_in_system", lambda parent, path, title="": opened.append(path) or True)
    window.menu_actions["guide"].trigger()
    assert opened == [guide]


def test_quit_closes_the_window(window):
    window.show()
    window.menu_actions["quit"].trigger()
    assert not window.isVisible()
