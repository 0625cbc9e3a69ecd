"""Render the user guide's screenshots (and the new dialogs, for a look) at 1366×768, offscreen, from a demo township.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/guide_screenshots.py [folder]

Writes into ``township_desk/resources/guide/`` by default: 台账 with its right-click menu, the overdue list with
本周已联系, a 老人档案, the quick contact log. A folder argument writes there instead, and adds the menus and the
About box (for checking, not for the guide).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZE = (1366, 768)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "township_desk/resources/guide"
    checking = len(argv) > 1
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="guide-shots-"))
    os.environ["TOWNSHIP_DESK_HOME"] = str(home)
    os.environ["TOWNSHIP_DESK_CONFIG"] = str(home / "config.json")

    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication

    from township_desk.models import db as dbm
    from township_desk.models import demo
    from township_desk.ui.app import make_application
    from township_desk.ui.context import AppContext
    from township_desk.ui.main_window import MainWindow

    app = make_application([])
    today = dt.date.today()
    db_path = home / "示例乡镇.db"
    db = dbm.connect(db_path)
    demo.generate(db, elders=300, as_of=today)
    ctx = AppContext(db_path, db=db)
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def save(widget, name: str) -> None:
        settle()
        widget.grab().save(str(out / name))
        print(out / name)

    def with_popup(base_widget, popup, at: QPoint, name: str) -> None:
        """The window with a menu drawn where it would open (a popup is its own window offscreen)."""
        settle()
        shot = base_widget.grab()
        painter = QPainter(shot)
        painter.drawPixmap(at, popup.grab())
        painter.end()
        shot.save(str(out / name))
        print(out / name)

    ledger = window.show_page("台账")
    ledger.view.selectRow(2)
    settle()
    view = ledger.view
    pos = view.visualRect(view.model().index(2, 1)).center()
    menu = view.elder_menu.menu(pos)
    menu.adjustSize()
    at = view.viewport().mapTo(window, pos)
    with_popup(window, menu, at, "ledger.png")

    visits_page = window.show_page("巡访", view="overdue", kind=None)
    save(window, "overdue.png")

    elder_id = visits_page.overdue.model.rows[0]["elder_id"]
    from township_desk.ui.contact_log import ContactLogDialog
    from township_desk.ui.elder_file import ElderFileDialog

    dialog = ElderFileDialog(ctx, elder_id, window)
    dialog.resize(1180, SIZE[1] - 60)  # as size_for_screen makes it on a 1366×768 screen
    dialog.show()
    save(dialog, "elder_file.png")
    dialog.close()

    log = ContactLogDialog(ctx, [], window)
    log.resize(980, SIZE[1] - 60)
    log.tier.setCurrentText("重点")
    log.only_short.setChecked(True)
    log._tick_all(True)
    log.show()
    save(log, "contact_log.png")
    log.close()

    if checking:
        for name, title in (("menu_file.png", "文件(&F)"), ("menu_help.png", "帮助(&H)"), ("menu_view.png", "查看(&V)"),
                            ("menu_edit.png", "编辑(&E)")):
            bar_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == title)
            action_rect = window.menuBar().actionGeometry(bar_menu.menuAction())
            bar_menu.adjustSize()
            with_popup(window, bar_menu, window.menuBar().mapTo(window, action_rect.bottomLeft()), name)
        from PySide6.QtWidgets import QMessageBox

        from township_desk.ui.menus import about_text

        box = QMessageBox(QMessageBox.Icon.Information, "关于", about_text(window), parent=window)
        box.show()
        save(box, "about.png")
        box.close()
    window.close()
    db.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
