"""The main window: the navigation list on the left, the pages on the right, the status bar at the bottom.

Pages (``ui/pages.py``) are imported and built the first time they are shown, so a heavy page never slows
start-up. A page that fails to build goes to the crash reporter and says it could not be opened (with a button to
try again). An announced change (``ctx.changed``) refreshes the page shown when it shows one of the changed
tables and marks the others that do stale.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from township_desk import APP_NAME
from township_desk.models import backups, elders
from township_desk.models.changes import Changes
from township_desk.ui import crash, jobs
from township_desk.ui.pages import PAGES, Page, PageSpec

log = logging.getLogger("township_desk")

NO_TOWNSHIP = "未设置乡镇名称"
FIRST_START_NOTICE = "首次使用：请先在“设置 → 基本信息”中填写乡镇名称，再填写各村和巡访责任人。"
# How often the window looks for commits by other programs (PRAGMA data_version: one cheap read).
WATCH_INTERVAL_MS = 2000


def window_title(township_name: str | None) -> str:
    return f"{APP_NAME} — {township_name or NO_TOWNSHIP}"


class PageHolder(QWidget):
    """One slot of the stack: empty until its page is built, then the page (or a panel saying why not)."""

    def __init__(self, spec: PageSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.page: Page | None = None        # the page object once built
        self.panel: QWidget | None = None    # what is shown: the page, or a "could not open" panel
        self.state = "empty"                 # empty / built / failed
        self.stale = False
        self.refreshed_on: dt.date | None = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)

    def put(self, widget: QWidget, state: str) -> None:
        if self.panel is not None:
            self.layout_.removeWidget(self.panel)
            self.panel.deleteLater()
        self.panel = widget
        self.state = state
        self.layout_.addWidget(widget)


def _message_panel(title: str, lines: list[str], button: QPushButton | None = None) -> QWidget:
    panel = QWidget()
    layout = QVBoxLayout(panel)
    heading = QLabel(title)
    heading.setStyleSheet("font-size: 18px; font-weight: bold")
    layout.addWidget(heading)
    for line in lines:
        label = QLabel(line)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label)
    if button is not None:
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
    layout.addStretch(1)
    return panel


class MainWindow(QMainWindow):
    """The window the clerk works in.

    ``on_close`` is called once when the window closes (``ui/app.py`` makes the automatic backup there); it
    returns a Chinese warning when something went wrong, else None.
    """

    def __init__(self, ctx, on_close: Callable[[], str | None] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._on_close = on_close
        self._closed = False
        self._notices: list[tuple[str, bool]] = []
        self._daily_job: jobs.Job | None = None

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.addItems([spec.title for spec in PAGES])
        for row, spec in enumerate(PAGES):
            self.nav.item(row).setToolTip(spec.purpose)
        self.nav.setStyleSheet("QListWidget { font-size: 15px; } QListWidget::item { padding: 8px 12px; }")
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        self.holders: dict[str, PageHolder] = {}
        for spec in PAGES:
            holder = PageHolder(spec)
            self.holders[spec.title] = holder
            self.stack.addWidget(holder)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        bar = self.statusBar()
        self.notice_label = QLabel("")
        self.path_label = QLabel("")
        self.count_label = QLabel("")
        self.backup_label = QLabel("")
        bar.addWidget(self.notice_label, 1)
        for label in (self.path_label, self.count_label, self.backup_label):
            bar.addPermanentWidget(label)

        for number, spec in enumerate(PAGES[:9], start=1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda title=spec.title: self.show_page(title))
        from township_desk.ui.menus import install_menus

        install_menus(self)  # 文件 编辑 查看 帮助 (Ctrl+F 查找 is 编辑 → 查找)

        self.nav.currentRowChanged.connect(self._nav_changed)
        ctx.navigate_requested.connect(lambda title, filters: self.show_page(title, **filters))
        ctx.changed.connect(self._data_changed)
        # Writes by other programs (an import on the command line) reach the pages through the same announcement.
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(WATCH_INTERVAL_MS)
        self.watch_timer.timeout.connect(self._check_other_writers)
        self.watch_timer.start()

        self.update_title()
        self.update_status()
        if ctx.settings().get("township_name"):
            self.show_page(PAGES[0].title)
        else:
            self.show_page("设置")
            self.add_notice(FIRST_START_NOTICE)

    # ---------------------------------------------------------------- pages

    def show_page(self, title: str, **filters: Any) -> QWidget | None:
        """Show a page (building it the first time), refresh it when its data changed meanwhile, then hand it
        ``filters`` (``apply_filters``). Returns the page, or None when it is not available."""
        holder = self.holders.get(title)
        if holder is None:
            self.statusBar().showMessage(f"没有名为“{title}”的页面", 5000)
            return None
        first = holder.state == "empty"
        self._ensure_built(holder)
        index = self.stack.indexOf(holder)
        if self.nav.currentRow() != index:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(index)
            self.nav.blockSignals(False)
        self.stack.setCurrentIndex(index)
        page = holder.page
        if page is None:
            return None
        if not first and (holder.stale or holder.refreshed_on != self.ctx.today()):
            self._refresh(holder)
        if filters:
            page.apply_filters(dict(filters))
        return page

    def current_page(self) -> Page | None:
        """The page shown now (None when its slot shows a "not available" panel)."""
        holder = self.stack.currentWidget()
        return holder.page if isinstance(holder, PageHolder) else None

    def current_title(self) -> str:
        holder = self.stack.currentWidget()
        return holder.spec.title if isinstance(holder, PageHolder) else ""

    def page(self, title: str) -> Page | None:
        """The page object for ``title``, built now if it was not yet (without showing it); None if unavailable."""
        holder = self.holders[title]
        self._ensure_built(holder)
        return holder.page

    def _nav_changed(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            self.show_page(PAGES[row].title)

    def _ensure_built(self, holder: PageHolder) -> None:
        if holder.state == "empty":
            self._build(holder)

    def _build(self, holder: PageHolder) -> None:
        spec = holder.spec
        try:
            module = importlib.import_module(spec.module)
        except Exception as exc:  # noqa: BLE001 - any error in a page goes to the crash reporter
            self._failed(holder, exc)
            return
        try:
            page = getattr(module, spec.class_name)(self.ctx, parent=None)
            if not isinstance(page, Page):
                raise TypeError(f"{spec.class_name} does not implement ui.pages.Page")
        except Exception as exc:  # noqa: BLE001
            self._failed(holder, exc)
            return
        holder.page = page
        holder.stale = False
        holder.refreshed_on = self.ctx.today()
        holder.put(page, "built")

    def _failed(self, holder: PageHolder, exc: BaseException) -> None:
        holder.page = None
        retry = QPushButton("重新打开这一页")
        retry.clicked.connect(lambda: self._retry(holder))
        holder.put(_message_panel(holder.spec.title, [f"“{holder.spec.title}”页面未能打开。已保存的数据不受影响。",
                                                      f"错误记录在：{crash.log_file()}"], retry), "failed")
        crash.report(exc, parent=self)

    def _retry(self, holder: PageHolder) -> None:
        holder.state = "empty"
        self.show_page(holder.spec.title)

    def _refresh(self, holder: PageHolder) -> None:
        page = holder.page
        holder.stale = False
        holder.refreshed_on = self.ctx.today()
        if page is not None:
            try:
                page.refresh()
            except Exception as exc:  # noqa: BLE001 - the window stays usable; the error is logged and shown
                crash.report(exc, parent=self)

    def _data_changed(self, changes: Changes) -> None:
        current = self.stack.currentWidget()
        for holder in self.holders.values():
            if holder.page is not None and changes.touches(holder.page.SHOWS):
                holder.stale = True
        if isinstance(current, PageHolder) and current.page is not None and current.stale:
            self._refresh(current)
        if changes.touches({"settings"}):
            self.update_title()
            if self.ctx.settings().get("township_name"):
                self.remove_notice(FIRST_START_NOTICE)
        self.update_status()

    def _check_other_writers(self) -> None:
        try:
            self.ctx.check_other_writers()
        except Exception as exc:  # noqa: BLE001 - a page failing to refresh is reported; the watch goes on
            crash.report(exc, parent=self)

    def focus_search(self) -> None:
        """Ctrl+F: put the cursor in the shown page's search box, if it has one."""
        page = self.current_page()
        search = getattr(page, "search", None) if page is not None else None
        if isinstance(search, QWidget) and search.isEnabled():
            search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if isinstance(search, QLineEdit):
                search.selectAll()

    # ---------------------------------------------------------------- title and status bar

    def update_title(self) -> None:
        self.setWindowTitle(window_title(self.ctx.settings().get("township_name")))

    def update_status(self) -> None:
        """Database path, how many elders are 在册, when the last automatic backup was taken."""
        self.path_label.setText(f"数据库：{self.ctx.db_path}")
        self.path_label.setToolTip(str(self.ctx.db_path))
        try:
            count = elders.count_elders(self.ctx.db, elders.ElderQuery(status="在册"))
            self.count_label.setText(f"在册 {count} 人")
        except Exception:  # noqa: BLE001 - a status line never stops the window; the pages report errors
            self.count_label.setText("")
        try:
            taken = backups.last_automatic_backup(self.ctx.db, self.ctx.db_path)
        except Exception:  # noqa: BLE001 - a status line never stops the window
            taken = None
        self.backup_label.setText(f"最近自动备份：{taken:%Y-%m-%d %H:%M}" if taken else "尚无自动备份")

    def add_notice(self, text: str, warning: bool = False) -> None:
        """A message that stays in the status bar (first start, a failed automatic backup) until removed."""
        if all(t != text for t, _w in self._notices):
            self._notices.append((text, warning))
        self._show_notices()

    def remove_notice(self, text: str) -> None:
        self._notices = [(t, w) for t, w in self._notices if t != text]
        self._show_notices()

    def notices(self) -> list[str]:
        return [t for t, _w in self._notices]

    def _show_notices(self) -> None:
        self.notice_label.setText("　".join(t for t, _w in self._notices))
        warn = any(w for _t, w in self._notices)
        self.notice_label.setStyleSheet("color: #b00020" if warn else "color: #2b6cb0")

    # ---------------------------------------------------------------- automatic backup

    def start_daily_backup(self) -> None:
        """Today's automatic backup as a background job (its own connection, no dialog): the window does not wait
        for it; the outcome comes back on the GUI thread. A second backup place that cannot be used is reminded of
        at once."""
        problem = backups.second_place_problem()
        if problem:
            self.add_notice(problem, warning=True)
        path = self.ctx.db_path
        self._daily_job = jobs.run_job(self, "自动备份", lambda _job: backups.daily_backup_in_background(path),
                                       on_done=self._daily_backup_finished, on_error=self._daily_backup_finished,
                                       show_dialog=False)

    def wait_for_daily_backup(self, timeout: float | None = None) -> None:
        if self._daily_job is not None:
            self._daily_job.wait(timeout)

    def _daily_backup_finished(self, result: object) -> None:
        if isinstance(result, BaseException):
            log.warning("每日自动备份未完成：%s", result)
            self.add_notice(f"今天的自动备份未完成：{result}", warning=True)
        elif isinstance(result, backups.AutomaticBackup):
            if not self._notices:  # a passing message would hide the notices for its 15 seconds
                self.statusBar().showMessage(f"已完成今天的自动备份（{result.path.name}）", 15000)
            if result.second_problem:
                self.add_notice(result.second_problem, warning=True)
            else:
                self.remove_notice(backups.second_place_problem() or "")
        self.update_status()

    # ---------------------------------------------------------------- closing

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Ask every built page that can refuse (unsaved changes), then run the on-close hook once."""
        for holder in self.holders.values():
            page = holder.page
            if page is not None and not page.can_close():
                self.show_page(holder.spec.title)
                event.ignore()
                return
        warning = self.finish()
        if warning:
            QMessageBox.warning(self, "关闭", warning)
        event.accept()

    def finish(self) -> str | None:
        """Run the on-close hook if it has not run yet (also when the program quits without closing the window,
        e.g. the smoke timer); returns its warning."""
        if self._closed:
            return None
        self._closed = True
        self.watch_timer.stop()  # the connection may be closed after this; nothing more to watch
        if self._on_close is None:
            return None
        return self._on_close()
