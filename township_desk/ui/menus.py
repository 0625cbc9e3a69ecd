"""The main window's menu bar (文件, 编辑, 查看, 帮助) with the shortcuts a Windows clerk expects:
Ctrl+N 新增老人, Ctrl+P 打印, Ctrl+Q 退出, Ctrl+F 查找, Ctrl+1…8 the pages, F1 使用说明; 关于 shows the version, the
database and the data folder. Each entry calls what the pages already do; nothing here keeps data of its own.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from township_desk import APP_NAME, __version__
from township_desk.ui.pages import PAGES

GUIDE = ("resources", "guide", "index.html")


def guide_path() -> Path:
    """The user guide shipped with the program (``township_desk/resources/guide/index.html``)."""
    return Path(str(resources.files("township_desk").joinpath(*GUIDE)))


def about_text(window) -> str:
    """What 关于 says: the program, its version, the database open and the data folder (backups, photos, logs)."""
    from township_desk.models import paths

    return (f"{APP_NAME}\n版本 {__version__}\n\n数据库：{window.ctx.db_path}\n数据文件夹：{paths.data_dir()}\n"
            "（备份、照片、日志保存在数据文件夹中）")


def _action(window: QMainWindow, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def _page_call(window, title: str, method: str) -> None:
    """Show a page and run one of its actions (e.g. 台账's ``new_elder``)."""
    page = window.show_page(title)
    if page is not None and hasattr(page, method):
        getattr(page, method)()


def _export_current_list(window) -> None:
    """导出当前列表: the list with the keyboard focus (or the page's first list) of the page shown, if it has one."""
    from PySide6.QtWidgets import QApplication, QTableView

    focus = QApplication.focusWidget()
    page = window.current_page()
    view = focus if isinstance(focus, QTableView) and page is not None and page.isAncestorOf(focus) else None
    if view is None and page is not None:
        views = [v for v in page.findChildren(QTableView) if v.isVisible() and hasattr(v, "elder_menu")]
        view = views[0] if views else None
    menu = getattr(view, "elder_menu", None)
    if menu is None or menu.export_title is None:
        QMessageBox.information(window, "导出到 Excel", "这一页没有可导出的列表。请先点一下要导出的列表，或在列表上点右键。")
        return
    menu.export()


def show_about(window) -> None:
    QMessageBox.about(window, f"关于 {APP_NAME}", about_text(window))


def open_guide(window) -> bool:
    from township_desk.ui.widgets import open_in_system

    return open_in_system(window, guide_path(), title="使用说明")


def open_walkthrough(window):
    """帮助 → 首次使用向导: resumes at the first step not done (the first step when all are)."""
    from township_desk.ui.first_start import open_walkthrough as open_wizard

    window.walkthrough = open_wizard(window.ctx, window)
    return window.walkthrough


def install_menus(window) -> dict[str, QAction]:
    """Build the menu bar of the main window; returns the actions by name (for tests and the window)."""
    bar = window.menuBar()
    actions: dict[str, QAction] = {}
    file_menu = bar.addMenu("文件(&F)")
    actions["new_elder"] = _action(window, file_menu, "新增老人…", lambda: _page_call(window, "台账", "new_elder"),
                                   QKeySequence.StandardKey.New, "打开空白登记表")
    actions["import"] = _action(window, file_menu, "导入台账…", lambda: _page_call(window, "台账", "import_ledger"))
    file_menu.addSeparator()
    actions["export"] = _action(window, file_menu, "导出当前列表到 Excel…", lambda: _export_current_list(window),
                                "Ctrl+E")
    actions["print"] = _action(window, file_menu, "打印…", lambda: window.show_page("打印"),
                               QKeySequence.StandardKey.Print, "打开“打印”页")
    actions["backup"] = _action(window, file_menu, "备份与恢复…", lambda: window.show_page("设置"))
    file_menu.addSeparator()
    actions["quit"] = _action(window, file_menu, "退出", window.close, "Ctrl+Q")

    edit_menu = bar.addMenu("编辑(&E)")
    actions["find"] = _action(window, edit_menu, "查找…", window.focus_search, QKeySequence.StandardKey.Find,
                              "在当前页的查找框中输入姓名、拼音首字母或身份证号码")
    actions["contacts"] = _action(window, edit_menu, "快速登记电话/视频…",
                                  lambda: _page_call(window, "巡访", "log_contacts"))
    actions["visit"] = _action(window, edit_menu, "逾期清单（登记巡访）",
                               lambda: window.ctx.navigate("巡访", view="overdue"))

    view_menu = bar.addMenu("查看(&V)")
    for number, spec in enumerate(PAGES[:9], start=1):
        # the window's own Ctrl+1…9 shortcuts switch pages; the menu shows them without taking them over
        actions[f"page_{number}"] = _action(window, view_menu, f"{spec.title}\tCtrl+{number}",
                                            lambda title=spec.title: window.show_page(title))

    help_menu = bar.addMenu("帮助(&H)")
    actions["guide"] = _action(window, help_menu, "使用说明", lambda: open_guide(window),
                               QKeySequence.StandardKey.HelpContents)
    actions["walkthrough"] = _action(window, help_menu, "首次使用向导…", lambda: open_walkthrough(window),
                                     tip="乡镇名称、认定政策、村、巡访责任人、导入台账，从尚未完成的一步继续")
    actions["about"] = _action(window, help_menu, "关于…", lambda: show_about(window))
    window.menu_actions = actions
    return actions
