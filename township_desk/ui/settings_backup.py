"""设置 → 备份与恢复 (``BackupPanel``) and 设置 → 操作日志 (``AuditLogPanel``); the settings page embeds both."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import audit_log, backups, paths
from township_desk.models import db as dbm
from township_desk.models.changes import Changes
from township_desk.models.errors import UserError
from township_desk.printing.audit_xlsx import write_audit_xlsx
from township_desk.ui import jobs
from township_desk.ui.widgets import checked_save_path, date_edit, pydate, qdate, start_path

# ------------------------------------------------------------------------------------------ dialogs
# Module-level so tests replace them: a modal file dialog or message box would block a test.


def ask_save_path(parent: QWidget, title: str, suggested: str, name_filter: str) -> str:
    return QFileDialog.getSaveFileName(parent, title, suggested, name_filter)[0]


def ask_open_path(parent: QWidget, title: str, folder: str, name_filter: str) -> str:
    return QFileDialog.getOpenFileName(parent, title, folder, name_filter)[0]


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def inform(parent: QWidget, title: str, text: str, warning: bool = False) -> None:
    (QMessageBox.warning if warning else QMessageBox.information)(parent, title, text)


def ask_folder(parent: QWidget, title: str, start: str) -> str:
    return QFileDialog.getExistingDirectory(parent, title, start)


# ------------------------------------------------------------------------------------------ backups

BACKUP_COLUMNS = ("备份时间", "类型", "老人（人）", "巡访记录（条）", "互助协议（份）", "最后修改", "大小", "文件")
BACKUP_FILTER = "压缩的台账备份 (*.zip);;未压缩的数据库文件 (*.db);;所有文件 (*)"
NO_SECOND_PLACE = ("未设置。重装系统、还原卡或硬盘损坏时，台账和本机上的备份会一起丢失："
                   "建议选择另一块硬盘（如 D 盘）或 U 盘。")


def size_text(size: int | None) -> str:
    if not size:
        return ""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


class BackupPanel(QWidget):
    """This ledger's backups: back up now to a chosen file; the automatic backups with date and counts; restore
    from one of them or from any file (showing what it holds first, keeping a copy of what it replaces); the
    second backup place and the data folder of this PC."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.infos: list[backups.BackupInfo] = []
        self.worker: jobs.Job | None = None  # the backup or restore running in the background
        layout = QVBoxLayout(self)
        self.intro = QLabel("")
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.intro)

        places = QGridLayout()
        places.setColumnStretch(1, 1)
        self.second_edit = QLineEdit()
        self.second_edit.setReadOnly(True)
        self.second_button = QPushButton("选择…")
        self.second_clear = QPushButton("不再使用")
        self.second_state = QLabel("")
        self.second_state.setWordWrap(True)
        places.addWidget(QLabel("第二备份位置"), 0, 0)
        places.addWidget(self.second_edit, 0, 1)
        places.addWidget(self.second_button, 0, 2)
        places.addWidget(self.second_clear, 0, 3)
        places.addWidget(self.second_state, 1, 1, 1, 3)
        self.data_edit = QLineEdit()
        self.data_edit.setReadOnly(True)
        self.data_button = QPushButton("更改…")
        self.data_state = QLabel("")
        self.data_state.setWordWrap(True)
        places.addWidget(QLabel("数据文件夹"), 2, 0)
        places.addWidget(self.data_edit, 2, 1)
        places.addWidget(self.data_button, 2, 2)
        places.addWidget(self.data_state, 3, 1, 1, 3)
        layout.addLayout(places)

        row = QHBoxLayout()
        self.backup_button = QPushButton("立即备份到文件…")
        self.restore_button = QPushButton("用所选备份恢复…")
        self.restore_file_button = QPushButton("从其他备份文件恢复…")
        self.reload_button = QPushButton("刷新列表")
        for button in (self.backup_button, self.restore_button, self.restore_file_button, self.reload_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.table = QTableWidget(0, len(BACKUP_COLUMNS))
        self.table.setHorizontalHeaderLabels(BACKUP_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.status = QLabel("")
        layout.addWidget(self.status)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button.clicked.connect(self.restore_from_file)
        self.reload_button.clicked.connect(self.refresh)
        self.second_button.clicked.connect(self.choose_second_place)
        self.second_clear.clicked.connect(self.clear_second_place)
        self.data_button.clicked.connect(self.choose_data_folder)
        self.refresh()

    def folder(self) -> Path:
        """Where this ledger's automatic backups are."""
        return backups.ledger_folder(dbm.database_uuid(self.ctx.db))

    def refresh(self) -> None:
        """This ledger's backups in the backups folder, newest first, with what each holds; the two places."""
        self.intro.setText(
            "本程序每天第一次打开时（在后台）和关闭时（有修改时）自动备份本台账，压缩保存。"
            f"保留规则：{backups.KEEP_RULE}。本台账的自动备份存放在：{self.folder()}")
        self.show_places()
        self.infos = []
        unreadable = 0
        for path in backups.ledger_backups(self.ctx.db, self.ctx.db_path):
            try:
                self.infos.append(backups.inspect_backup(path))
            except UserError:
                unreadable += 1
        self.table.setRowCount(len(self.infos))
        for r, info in enumerate(self.infos):
            values = (f"{info.taken_at:%Y-%m-%d %H:%M:%S}", info.kind_label, info.elders, info.visits,
                      info.agreements, info.last_change_at or "", size_text(info.size_bytes), info.path.name)
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if isinstance(value, int) or c == 6:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        total = sum(info.size_bytes for info in self.infos)
        text = f"本台账共 {len(self.infos)} 份备份，合计 {size_text(total) or '0 KB'}"
        if unreadable:
            text += f"；另有 {unreadable} 个文件无法读取，未列出"
        self.status.setText(text)
        self.restore_button.setEnabled(bool(self.infos))

    # ------------------------------------------------------------------ the two places

    def show_places(self) -> None:
        second = paths.second_backup_dir()
        self.second_edit.setText(str(second) if second else "")
        self.second_edit.setPlaceholderText("未设置")
        self.second_clear.setEnabled(second is not None)
        problem = backups.second_place_problem()
        if second is None:
            self.second_state.setText(NO_SECOND_PLACE)
            self.second_state.setStyleSheet("color: #b7791f")
        elif problem:
            self.second_state.setText(problem)
            self.second_state.setStyleSheet("color: #b00020")
        else:
            self.second_state.setText("每次自动备份后都会复制一份到这里（按同样的规则保留）。")
            self.second_state.setStyleSheet("color: #2f855a")
        self.data_edit.setText(str(paths.data_dir()))
        if os.environ.get("TOWNSHIP_DESK_HOME"):
            self.data_state.setText("数据文件夹由环境变量 TOWNSHIP_DESK_HOME 指定，此处的选择在取消该变量后才生效。")
        else:
            self.data_state.setText("台账、照片、协议扫描件和自动备份都在这个文件夹中。更改后下次启动本程序时生效。")

    def choose_second_place(self) -> None:
        chosen = ask_folder(self, "选择第二备份位置（另一块硬盘或 U 盘）", str(paths.second_backup_dir() or ""))
        if not chosen:
            return
        folder = Path(chosen)
        if _same_disk_folder(folder, paths.backups_dir()):
            inform(self, "第二备份位置", "所选文件夹就是本机的备份文件夹（或在其中），请另选一块硬盘或 U 盘。",
                   warning=True)
            return
        paths.save_local_config(second_backup_dir=str(folder))
        self.show_places()
        problem = backups.second_place_problem()
        if problem:
            inform(self, "第二备份位置", problem, warning=True)
            return
        inform(self, "第二备份位置", f"已设置。以后每次自动备份后都会复制一份到：\n{folder}")

    def clear_second_place(self) -> None:
        if confirm(self, "第二备份位置", "不再把自动备份复制到第二备份位置吗？已复制的备份不会删除。"):
            paths.save_local_config(second_backup_dir=None)
            self.show_places()

    def choose_data_folder(self) -> None:
        """Choose the data folder for the next start (stored in this PC's settings file, not in the database).
        A folder without a ledger gets a copy of this one; one with a ledger is opened as it is."""
        chosen = ask_folder(self, "选择数据文件夹", str(paths.data_dir()))
        if not chosen:
            return
        folder = Path(chosen)
        if folder.resolve() == paths.data_dir().resolve():
            return
        target = folder / paths.default_db_path().name
        if target.exists():
            try:
                info = backups.inspect_backup(target)
            except UserError as exc:
                inform(self, "数据文件夹", f"该文件夹中的 {target.name} 不能使用：{exc}", warning=True)
                return
            text = (f"该文件夹中已有一个台账：\n{info.summary()}\n\n下次启动时将打开它，当前台账不复制过去"
                    "（当前文件夹中的数据保留不动）。确定吗？")
        else:
            text = (f"下次启动时使用新的数据文件夹：\n{folder}\n\n当前台账连同巡访照片、协议扫描件将复制一份到那里"
                    "（当前文件夹中的数据保留不动）。确定吗？")
        if not confirm(self, "更改数据文件夹", text):
            return
        try:
            backups.use_data_folder(self.ctx.db, folder)
        except UserError as exc:
            inform(self, "数据文件夹", str(exc), warning=True)
            return
        self.show_places()
        inform(self, "数据文件夹", f"已更改。下次启动本程序时使用：\n{folder}")

    # ------------------------------------------------------------------ backing up and restoring

    def backup_now(self) -> None:
        """Back up to a file the clerk chooses (compressed by default), in the background with its own
        connection: a large ledger takes half a minute."""
        suggested = start_path("backup", f"留守老人台账备份_{dt.datetime.now():%Y%m%d-%H%M}.zip")
        target = ask_save_path(self, "备份到文件", suggested, BACKUP_FILTER)
        if not target or checked_save_path(self, "备份到文件", target, self.ctx.db_path) is None:
            return
        path = self.ctx.db_path

        def work(_job: jobs.Job) -> backups.BackupInfo:
            db = dbm.connect(path, migrate=False)
            try:
                backups.backup(db, target)
            finally:
                db.close()
            return backups.inspect_backup(target)

        self.worker = jobs.run_job(
            self, "备份", work, cancellable=False,
            on_done=lambda info: inform(self, "备份完成", f"已备份到：{target}\n{info.summary()}"),
            on_error=lambda exc: self._failed("备份未完成", exc))

    def _failed(self, title: str, exc: BaseException, suffix: str = "") -> None:
        if isinstance(exc, UserError):
            inform(self, title, f"{exc}{suffix}", warning=True)
        else:
            from township_desk.ui import crash

            crash.report(exc, None, self)

    def restore_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            inform(self, "恢复", "请先在列表中选中一份备份。", warning=True)
            return
        self.restore_from(self.infos[rows[0].row()].path)

    def restore_from_file(self) -> None:
        path = ask_open_path(self, "选择备份文件", start_path("backup"), "台账备份 (*.zip *.db);;所有文件 (*)")
        if path:
            self.restore_from(Path(path))

    def restore_from(self, path: Path) -> None:
        """Show what the backup holds and confirm; then, in the background, prove and unpack it and keep a copy
        of the current data (``prepare_restore``); then put it in place and reload the data."""
        secret = None
        if backups.needs_password(path):  # an encrypted backup opens with the password it was taken under
            from township_desk.ui.lock_dialog import ask_backup_password

            secret = ask_backup_password(self, path)
            if secret is None:
                return
        try:
            info = backups.inspect_backup(path, secret)
        except UserError as exc:
            inform(self, "不能恢复", str(exc), warning=True)
            return
        text = (f"将用下面这份备份替换当前的全部数据：\n\n{path}\n{info.summary()}\n"
                + (f"备份中最后一次修改：{info.last_change_at}\n" if info.last_change_at else "")
                + "\n恢复前会先检查备份是否完整；当前数据会先另存一份到备份文件夹，可以再恢复回来。"
                "恢复后程序将重新载入数据。\n\n确定恢复吗？")
        if not confirm(self, "确认恢复", text):
            return
        db_path = self.ctx.db_path
        self.worker = jobs.run_job(
            self, "检查备份并另存当前数据", lambda _job: backups.prepare_restore(db_path, path, secret=secret),
            cancellable=False,
            on_done=self._put_in_place, on_error=lambda exc: self._failed("恢复未完成", exc, "\n\n当前数据没有改动。"))

    def _put_in_place(self, prepared: backups.PreparedRestore) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        error = None
        kept = None
        from township_desk.models import protection

        was_encrypted = protection.is_set(self.ctx.db_path)
        self.ctx.db.close()  # the file is replaced: no connection of ours may stay open on it
        try:
            kept = backups.finish_restore(prepared)
        except UserError as exc:
            error = exc
        finally:
            try:
                self.ctx.db = dbm.connect(self.ctx.db_path)
                _relock(self.ctx)
            finally:
                QApplication.restoreOverrideCursor()
        if error is not None:
            inform(self, "恢复未完成", f"{error}\n\n当前数据没有改动。", warning=True)
            return
        self.ctx.announce(Changes.everything())
        self.refresh()
        key_note = ("\n恢复的台账是加密的：以后打开它要用做这份备份时的密码（或恢复密钥）。"
                    if prepared.root is not None else
                    "\n这份备份做成时台账没有设置密码，恢复后的台账不加密；需要时请在“设置 → 台账密码”中重新设置。"
                    if was_encrypted else "")
        inform(self, "恢复完成", f"已恢复备份（{prepared.info.taken_at:%Y-%m-%d %H:%M}）。\n"
               f"原来的数据另存为：{kept}\n程序已重新载入数据。{key_note}")


def _same_disk_folder(folder: Path, backups_folder: Path) -> bool:
    """True when ``folder`` is the backups folder or inside it (no protection against losing this PC's disk)."""
    try:
        chosen, ours = folder.resolve(), backups_folder.resolve()
    except OSError:
        return False
    return chosen == ours or ours in chosen.parents
def _relock(ctx) -> None:
    """A restore puts a new file in place: the window's one-window lock follows it, so a hard link made to the
    restored file cannot open a second writer."""
    lock = getattr(ctx, "instance_lock", None)
    if lock is not None:
        try:
            lock.lock_identity()
        except (UserError, OSError):  # another program got there first: the lock beside the name still holds
            pass


# ------------------------------------------------------------------------------------------ audit log

class AuditTableModel(QAbstractTableModel):
    """The audit log, newest first, fetched from SQLite a page at a time as the clerk scrolls."""

    PAGE = 500

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[list[str]] = []
        self.total = 0
        self.found = audit_log.AuditFilter()

    def load(self, found: audit_log.AuditFilter = audit_log.AuditFilter()) -> None:  # noqa: B008
        self.beginResetModel()
        self.found = found
        self.total = audit_log.count(self.ctx.db, found)
        self.rows = [audit_log.readable(r) for r in audit_log.rows(self.ctx.db, found, limit=self.PAGE)]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(audit_log.COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return audit_log.COLUMNS[section]
        return None

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        more = [audit_log.readable(r)
                for r in audit_log.rows(self.ctx.db, self.found, limit=self.PAGE, offset=len(self.rows))]
        if not more:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()


class AuditLogPanel(QWidget):
    """The audit log as a readable table, newest first; filter by text and dates; export to .xlsx."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("查找：姓名、身份证号码、字段、内容……")
        self.use_dates = QCheckBox("日期")
        today = qdate(ctx.today())
        self.date_from = date_edit(today.addMonths(-1))
        self.date_to = date_edit(today)
        for edit in (self.date_from, self.date_to):
            edit.setEnabled(False)
        self.export_button = QPushButton("导出 Excel…")
        bar.addWidget(self.search, 1)
        bar.addWidget(self.use_dates)
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.date_to)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.model = AuditTableModel(ctx, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().setVisible(False)
        layout.addWidget(self.view)
        self.count_label = QLabel("")
        layout.addWidget(self.count_label)
        self.search.textChanged.connect(self.refresh)
        self.use_dates.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        ctx.changed.connect(lambda _changes: self.refresh())  # every write is logged: once per announcement
        self.refresh()

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.refresh()

    def filters(self) -> audit_log.AuditFilter:
        """The filters as typed: text, and the date range when 日期 is ticked."""
        dates = self.use_dates.isChecked()
        return audit_log.AuditFilter(self.search.text(), pydate(self.date_from.date()) if dates else None,
                                     pydate(self.date_to.date()) if dates else None)

    def refresh(self) -> None:
        self.model.load(self.filters())
        self.count_label.setText(f"共 {self.model.total} 条记录（最新的在前）")
        self.view.resizeColumnsToContents()

    def export(self) -> None:
        suggested = start_path("export", f"操作日志_{self.ctx.today():%Y%m%d}.xlsx")
        target = ask_save_path(self, "导出操作日志", suggested, "Excel 工作簿 (*.xlsx)")
        if not target or checked_save_path(self, "导出操作日志", target, self.ctx.db_path) is None:
            return
        try:
            count = write_audit_xlsx(audit_log.readable_rows(self.ctx.db, self.filters()), target)
        except UserError as exc:
            inform(self, "导出未完成", str(exc), warning=True)
            return
        inform(self, "导出完成", f"已导出 {count} 条操作记录到：{target}")
