"""设置 → 备份与恢复 (``BackupPanel``) and 设置 → 操作日志 (``AuditLogPanel``); the settings page embeds both."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFileDialog,
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

from township_desk.models import backups, paths, security, settings
from township_desk.models import db as dbm
from township_desk.models.agreements import AGREEMENT_FIELDS
from township_desk.models.elders import ELDER_FIELDS
from township_desk.models.errors import UserError
from township_desk.ui.widgets import date_edit, pydate, start_path

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


# ------------------------------------------------------------------------------------------ backups

BACKUP_COLUMNS = ("备份时间", "类型", "老人（人）", "巡访记录（条）", "互助协议（份）", "最后修改", "文件")


class BackupPanel(QWidget):
    """Back up now to a chosen file; the automatic backups with date and counts; restore from one of them
    or from any file, showing what it holds first and keeping a copy of what it replaces."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.infos: list[backups.BackupInfo] = []
        layout = QVBoxLayout(self)
        intro = QLabel(f"本程序每天第一次打开时和关闭时自动备份，保留最近 {backups.KEEP_AUTOMATIC} 份，"
                       f"存放在：{paths.backups_dir()}。建议每月另备份一份到 U 盘。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
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
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.status = QLabel("")
        layout.addWidget(self.status)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button.clicked.connect(self.restore_from_file)
        self.reload_button.clicked.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """List the backups in the backups folder, newest first, with what each holds."""
        self.infos = []
        unreadable = 0
        for path in backups.backups_in_folder():
            try:
                self.infos.append(backups.inspect_backup(path))
            except UserError:
                unreadable += 1
        self.table.setRowCount(len(self.infos))
        for r, info in enumerate(self.infos):
            values = (f"{info.taken_at:%Y-%m-%d %H:%M:%S}", info.kind_label, info.elders, info.visits,
                      info.agreements, info.last_change_at or "", info.path.name)
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if isinstance(value, int):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        text = f"共 {len(self.infos)} 份备份"
        if unreadable:
            text += f"；另有 {unreadable} 个文件无法读取，未列出"
        self.status.setText(text)
        self.restore_button.setEnabled(bool(self.infos))

    def backup_now(self) -> None:
        suggested = start_path("backup", f"留守老人台账备份_{dt.datetime.now():%Y%m%d-%H%M}.db")
        target = ask_save_path(self, "备份到文件", suggested, "台账备份 (*.db);;所有文件 (*)")
        if not target:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            backups.backup(self.ctx.db, target)
            info = backups.inspect_backup(target)
        except UserError as exc:
            QApplication.restoreOverrideCursor()
            inform(self, "备份未完成", str(exc), warning=True)
            return
        QApplication.restoreOverrideCursor()
        inform(self, "备份完成", f"已备份到：{target}\n{info.summary()}")

    def restore_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            inform(self, "恢复", "请先在列表中选中一份备份。", warning=True)
            return
        self.restore_from(self.infos[rows[0].row()].path)

    def restore_from_file(self) -> None:
        path = ask_open_path(self, "选择备份文件", start_path("backup"), "台账备份 (*.db);;所有文件 (*)")
        if path:
            self.restore_from(Path(path))

    def restore_from(self, path: Path) -> bool:
        """Check the backup, show what it holds, confirm, restore (keeping a copy) and reload the data."""
        try:
            info = backups.check_backup(path)
        except UserError as exc:
            inform(self, "不能恢复", str(exc), warning=True)
            return False
        text = (f"将用下面这份备份替换当前的全部数据：\n\n{path}\n{info.summary()}\n"
                + (f"备份中最后一次修改：{info.last_change_at}\n" if info.last_change_at else "")
                + "\n当前数据会先另存一份到备份文件夹，可以再恢复回来。恢复后程序将重新载入数据。\n\n确定恢复吗？")
        if not confirm(self, "确认恢复", text):
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        error = None
        kept = None
        self.ctx.db.close()  # restore replaces the file: no connection of ours may stay open on it
        try:
            kept = backups.restore(self.ctx.db_path, path)
        except UserError as exc:
            error = exc
        finally:
            try:
                self.ctx.db = dbm.connect(self.ctx.db_path)
            finally:
                QApplication.restoreOverrideCursor()
        if error is not None:
            inform(self, "恢复未完成", f"{error}\n\n当前数据没有改动。", warning=True)
            return False
        self.ctx.notify("*")
        self.refresh()
        inform(self, "恢复完成", f"已恢复备份（{info.taken_at:%Y-%m-%d %H:%M}）。\n"
               f"原来的数据另存为：{kept}\n程序已重新载入数据。")
        return True


# ------------------------------------------------------------------------------------------ audit log

AUDIT_COLUMNS = ("时间", "操作", "类别", "记录", "字段", "原值", "新值")
TABLE_LABELS = {"elders": "老人", "villages": "村（社区）", "visitors": "巡访责任人", "visits": "巡访",
                "assessments": "评估", "hazards": "风险隐患", "agreements": "互助协议", "campaigns": "集中巡访",
                "settings": "设置", "database": "数据库", "supporters": "赡养人"}
FIELD_LABELS = {**ELDER_FIELDS, "village_id": "村（社区）", "visitor_id": "巡访责任人", "supporters": "赡养人",
                "password_lock": "启动密码", "status": "状态",
                # risk.record_assessment changes these of the elder (tier and ability_level are in ELDER_FIELDS)
                "risk_grade": "风险等级",
                # hazards: found, then dated steps, the last one with how it was resolved
                "description": "发现的问题", "found_on": "发现日期", "supporter_told_on": "通报赡养人日期",
                "reported_on": "报告乡镇日期", "resolved_on": "处置日期", "resolution": "处置情况",
                # villages.save_village and visitors.save_visitor, one entry per changed field
                "committee": "村民委员会名称", "staff_name": "村委会派出工作人员", "sort_order": "排列顺序",
                "role": "类别", "organisation": "工作单位", "active": "在岗"}
# Each table's own field labels, looked up before FIELD_LABELS: settings and agreements have keys of their own, and
# a key may mean another thing in another table (a village's ``name`` is not a person's 姓名). The labels are the
# models' own (the ones the forms show), so a wording changed there changes here; the few keys the models do not
# label (an agreement's renewal and scan) are named here.
TABLE_FIELD_LABELS: dict[str, dict[str, str]] = {
    "settings": {**settings.LABELS, security.SETTING_KEY: "启动密码"},
    "agreements": {**AGREEMENT_FIELDS, "renewed_from_id": "续签自", "scan_path": "协议扫描件"},
    "elders": ELDER_FIELDS,
    "villages": {"name": "村（社区）名称"},
}


def _audit_where(text: str = "", date_from: dt.date | None = None,
                 date_to: dt.date | None = None) -> tuple[str, list[Any]]:
    where, params = [], []
    if text.strip():
        like = f"%{text.strip()}%"
        where.append("(action LIKE ? OR record_label LIKE ? OR field LIKE ? OR old_value LIKE ? OR new_value LIKE ?"
                     " OR table_name LIKE ?)")
        params += [like] * 6
    if date_from:
        where.append("at >= ?")
        params.append(date_from.isoformat())
    if date_to:
        where.append("at < ?")
        params.append((date_to + dt.timedelta(days=1)).isoformat())
    return (" WHERE " + " AND ".join(where)) if where else "", params


def audit_rows(db, text: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None, *,
               limit: int = 500, offset: int = 0) -> list[tuple]:
    """Audit-log rows (at, action, table, label, field, old, new), newest first, filtered in SQL."""
    where, params = _audit_where(text, date_from, date_to)
    return db.execute("SELECT at, action, table_name, record_label, field, old_value, new_value FROM audit_log"
                      + where + " ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()


def audit_count(db, text: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    where, params = _audit_where(text, date_from, date_to)
    return db.execute("SELECT count(*) FROM audit_log" + where, params).fetchone()[0]


def field_label(table: str | None, field: str | None) -> str:
    """The Chinese label of ``field`` as an audit entry of ``table`` names it: the table's own label
    (``TABLE_FIELD_LABELS``), else the shared one (``FIELD_LABELS``), else the field as written ("" for none)."""
    if not field:
        return ""
    return TABLE_FIELD_LABELS.get(table or "", {}).get(field) or FIELD_LABELS.get(field, field)


def readable(row: tuple) -> list[str]:
    """One audit row in the clerk's words: table and field names translated (fields by their table)."""
    at, action, table, label, field, old, new = row
    return [at or "", action or "", TABLE_LABELS.get(table, table or ""), label or "", field_label(table, field),
            old or "", new or ""]


def export_audit_xlsx(db, target: str | Path, text: str = "", date_from: dt.date | None = None,
                      date_to: dt.date | None = None) -> int:
    """Write the filtered audit log to ``target`` (.xlsx), every value a text cell; returns the row count."""
    from openpyxl import Workbook

    from township_desk.models.files import atomic_path
    from township_desk.printing.xlsx_util import put_text

    wb = Workbook()
    ws = wb.active
    ws.title = "操作日志"
    for c, title in enumerate(AUDIT_COLUMNS, start=1):
        put_text(ws.cell(row=1, column=c), title)
    ws.freeze_panes = "A2"
    r = 1
    offset = 0
    while True:
        batch = audit_rows(db, text, date_from, date_to, limit=5000, offset=offset)
        if not batch:
            break
        for row in batch:
            r += 1
            for c, value in enumerate(readable(row), start=1):
                put_text(ws.cell(row=r, column=c), value)
        offset += len(batch)
    for letter, width in zip("ABCDEFG", (20, 10, 12, 30, 16, 30, 30), strict=True):
        ws.column_dimensions[letter].width = width
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return r - 1


class AuditTableModel(QAbstractTableModel):
    """The audit log, newest first, fetched from SQLite a page at a time as the clerk scrolls."""

    PAGE = 500

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[list[str]] = []
        self.total = 0
        self.filters: dict[str, Any] = {}

    def load(self, text: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None) -> None:
        self.beginResetModel()
        self.filters = {"text": text, "date_from": date_from, "date_to": date_to}
        self.total = audit_count(self.ctx.db, **self.filters)
        self.rows = [readable(r) for r in audit_rows(self.ctx.db, **self.filters, limit=self.PAGE)]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AUDIT_COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return AUDIT_COLUMNS[section]
        return None

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        more = [readable(r) for r in audit_rows(self.ctx.db, **self.filters, limit=self.PAGE, offset=len(self.rows))]
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
        today = QDate.currentDate()
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
        ctx.data_changed.connect(lambda _table: self.refresh())
        self.refresh()

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.refresh()

    def filters(self) -> dict[str, Any]:
        """The filters as typed: text, and the date range when 日期 is ticked."""
        dates = self.use_dates.isChecked()
        return {"text": self.search.text(),
                "date_from": pydate(self.date_from.date()) if dates else None,
                "date_to": pydate(self.date_to.date()) if dates else None}

    def refresh(self) -> None:
        self.model.load(**self.filters())
        self.count_label.setText(f"共 {self.model.total} 条记录（最新的在前）")
        self.view.resizeColumnsToContents()

    def export(self) -> None:
        suggested = start_path("export", f"操作日志_{dt.date.today():%Y%m%d}.xlsx")
        target = ask_save_path(self, "导出操作日志", suggested, "Excel 工作簿 (*.xlsx)")
        if not target:
            return
        try:
            count = export_audit_xlsx(self.ctx.db, target, **self.filters())
        except UserError as exc:
            inform(self, "导出未完成", str(exc), warning=True)
            return
        inform(self, "导出完成", f"已导出 {count} 条操作记录到：{target}")
