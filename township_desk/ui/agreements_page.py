"""互助协议: the mutual-aid agreements — list filtered in SQL (status, village, ending within 30 days),
新建 / 编辑 / 签订 / 解除 / 续签 / 附扫描件 / 打印 (through ``printing.kinds``, 一式四份 ticked for an
agreement to sign or signed, then 打开 / 打印 / 关闭 as on the 打印 page: ``ui.after_save``).

Filters from elsewhere (the dashboard's 即将到期协议): ``apply_filters({"ending_within_days": 30})``;
also ``status`` and ``village``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import agreements, printouts, villages
from township_desk.models import db as dbm
from township_desk.models.errors import StaleRecord, UserError
from township_desk.printing import kinds
from township_desk.ui import after_save
from township_desk.ui.agreement_editor import AgreementEditor, DateDialog, TerminateDialog
from township_desk.ui.widgets import (
    ask_save_file,
    open_in_system,
    refill_choices,
    remember_folder,
    start_path,
    table_view,
)

ALL = "全部"
ENDING_DAYS = 30
COLUMNS = [("id", "编号"), ("elder_name", "被助养老人"), ("village", "村（社区）"), ("party_a_name", "委托人"),
           ("party_b_name", "受托人"), ("template", "协议文本"), ("start_date", "起始日期"), ("end_date", "终止日期"),
           ("status", "状态"), ("fee", "服务费"), ("scan", "扫描件")]
# Each readable on the white and the alternating grey rows (contrast 4.5:1 or more, WCAG AA): a signed
# agreement keeps the palette's own text colour; a light grey (#888) on the grey rows was unreadable.
_STATUS_COLOURS = {"草稿": "#555555", "已到期": "#8a4b00", "已解除": "#666666"}


class AgreementsModel(QAbstractTableModel):
    """Rows of ``agreements.list_agreements`` (filtered in SQL); agreements ending soon in red."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict] = []
        self.as_of = dt.date.today()

    def load(self, db, *, status: str | None, village: str | None, ending_within_days: int | None,
             as_of: dt.date) -> None:
        self.beginResetModel()
        self.as_of = as_of
        self.rows = agreements.list_agreements(db, status=status, village=village,
                                               ending_within_days=ending_within_days, as_of=as_of)
        self.endResetModel()

    def row(self, index: int) -> dict:
        return self.rows[index]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def _ending_soon(self, row: dict) -> bool:
        if row["status"] != "已签订" or not row["end_date"]:
            return False
        return row["end_date"] <= (self.as_of + dt.timedelta(days=ENDING_DAYS)).isoformat()

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "scan":
                return "有" if row.get("scan_path") else ""
            if key == "status" and self._ending_soon(row):
                return "已签订（即将到期）"
            if key == "template":
                return "介助/介护" if row["template"] == "介助介护" else row["template"]
            value = row.get(key)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self._ending_soon(row):
                return QColor("#c62828")
            colour = _STATUS_COLOURS.get(row["status"])
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and row.get("termination_reason"):
            return f"{row['terminated_on']} {row['terminated_by']}解除：{row['termination_reason']}"
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None


class AgreementsPage(QWidget):
    """The 互助协议 page."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"agreements", "elders", "villages"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("状态"))
        self.status_combo = QComboBox()
        self.status_combo.addItems([ALL, *agreements.STATUSES])
        filters.addWidget(self.status_combo)
        filters.addWidget(QLabel("村（社区）"))
        self.village_combo = QComboBox()
        filters.addWidget(self.village_combo)
        self.ending_check = QCheckBox(f"{ENDING_DAYS}天内到期")
        filters.addWidget(self.ending_check)
        filters.addStretch(1)
        self.count_label = QLabel()
        filters.addWidget(self.count_label)
        layout.addLayout(filters)

        self.model = AgreementsModel(self)
        self.view = table_view(self.model, sortable=False,  # filtered and ordered in SQL
                               selection_mode=QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        from township_desk.ui.elder_file import install_elder_menu
        from township_desk.ui.list_export import filter_title

        install_elder_menu(self.view, ctx, after=self.refresh, today=lambda: self.today, export_title=lambda: (
            filter_title("互助协议", [self.status_combo, self.village_combo,
                                  self.ending_check.text() if self.ending_check.isChecked() else ""])))
        from township_desk.ui.empty_state import show_when_empty

        show_when_empty(self.view, lambda: (
            "没有符合条件的协议：请把状态、村（社区）改为“全部”，或取消“30天内到期”。"
            if agreements.list_agreements(self.ctx.db, as_of=self.today)
            else "还没有互助养老协议：点击下方“新建”为一位老人起草协议，签订后在这里跟踪到期和续签。"))
        layout.addWidget(self.view, 1)

        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("new", "新建", self.new_agreement), ("edit", "编辑", self.edit_selected),
                                ("sign", "签订", self.sign_selected), ("terminate", "解除", self.terminate_selected),
                                ("renew", "续签", self.renew_selected), ("scan", "附扫描件", self.attach_scan),
                                ("print", "打印", self.print_selected)):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch(1)
        self.copies_check = QCheckBox("一式四份")
        self.copies_check.setToolTip(after_save.COPIES_TEXT)
        self._copies_for: tuple[int, ...] = ()
        buttons.insertWidget(buttons.indexOf(self.buttons["print"]) + 1, self.copies_check)
        self.open_scan_button = QPushButton("查看扫描件")
        self.open_scan_button.clicked.connect(self.open_scan)
        buttons.addWidget(self.open_scan_button)
        layout.addLayout(buttons)

        self._fill_villages()
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.village_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.ending_check.toggled.connect(lambda _c: self.refresh())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.refresh()

    # ---------------------------------------------------------------- data

    @property
    def today(self) -> dt.date:
        return self.ctx.today()

    def _fill_villages(self) -> None:
        refill_choices(self.village_combo, [(v["name"], v["name"]) for v in villages.list_villages(self.ctx.db)], ALL)

    def can_close(self) -> bool:
        return True  # nothing unsaved is held on this page

    def refresh(self) -> None:
        """Move agreements past their end date to 已到期, then reload with the current filters (and villages)."""
        self._fill_villages()
        expired = agreements.expire_due(self.ctx.db, self.today)
        status = self.status_combo.currentText()
        village = self.village_combo.currentText()
        selected = {r["id"] for r in self.selected_rows()}
        self.model.load(self.ctx.db, status=None if status == ALL else status,
                        village=None if village == ALL else village,
                        ending_within_days=ENDING_DAYS if self.ending_check.isChecked() else None, as_of=self.today)
        self.count_label.setText(f"共 {self.model.rowCount()} 份")
        for number, row in enumerate(self.model.rows):
            if row["id"] in selected:
                self.view.selectRow(number)
        self._update_buttons()
        if expired:
            self.ctx.announce_writes()  # the dashboard's counts change too; a second pass expires nothing

    def apply_filters(self, filters: dict) -> None:
        """Keys: ``status``, ``village``, ``ending_within_days`` (any value turns on 30天内到期)."""
        for combo, key in ((self.status_combo, "status"), (self.village_combo, "village")):
            combo.blockSignals(True)
            index = combo.findText(filters.get(key) or ALL)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        self.ending_check.blockSignals(True)
        self.ending_check.setChecked(bool(filters.get("ending_within_days")))
        self.ending_check.blockSignals(False)
        self.refresh()

    def selected_rows(self) -> list[dict]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()}) if self.view.selectionModel() else []
        return [self.model.row(r) for r in rows if r < self.model.rowCount()]

    def current(self) -> dict | None:
        rows = self.selected_rows()
        return rows[0] if rows else None

    def select_agreement(self, agreement_id: int) -> None:
        for number, row in enumerate(self.model.rows):
            if row["id"] == agreement_id:
                self.view.selectRow(number)
                return

    def _update_buttons(self) -> None:
        rows = self.selected_rows()
        one = rows[0] if len(rows) == 1 else None
        status = one["status"] if one else None
        self.buttons["edit"].setEnabled(one is not None)
        self.buttons["edit"].setText("编辑" if status in (None, "草稿") else "查看")
        self.buttons["sign"].setEnabled(status == "草稿")
        self.buttons["terminate"].setEnabled(status == "已签订")
        self.buttons["renew"].setEnabled(status in ("已签订", "已到期"))
        self.buttons["scan"].setEnabled(one is not None)
        self.buttons["print"].setEnabled(bool(rows))
        self.copies_check.setEnabled(bool(rows))
        ids = tuple(r["id"] for r in rows)
        if ids != self._copies_for:  # a new choice of agreements: its default; the clerk's tick stays otherwise
            self._copies_for = ids
            self.copies_check.setChecked(printouts.agreement_copies(r["status"] for r in rows) > 1)
        self.open_scan_button.setEnabled(bool(one and one.get("scan_path")))

    def _changed(self, select: int | None = None) -> None:
        self.ctx.announce_writes()  # the window (or follow_changes) refreshes this page too
        if select is not None:
            self.select_agreement(select)

    def _warn(self, title: str, exc: Exception) -> None:
        QMessageBox.warning(self, title, str(exc))
        if isinstance(exc, StaleRecord):  # changed elsewhere since it was listed: show it as it is now
            self.refresh()

    # ---------------------------------------------------------------- actions

    def new_agreement(self, elder_id: int | None = None) -> int | None:
        dialog = AgreementEditor(self.ctx.db, elder_id=elder_id, parent=self, today=self.today)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        self._changed(dialog.agreement_id)
        return dialog.agreement_id

    def edit_selected(self) -> None:
        row = self.current()
        if row is None:
            return
        dialog = AgreementEditor(self.ctx.db, row["id"], parent=self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._changed(row["id"])

    def sign_selected(self) -> None:
        row = self.current()
        if row is None:
            return
        missing = agreements.missing_to_sign(row)
        if missing:
            QMessageBox.warning(self, "签订协议", f"第 {row['id']} 号协议还不能签订，请先在“编辑”中填写：{'、'.join(missing)}")
            return
        dialog = DateDialog("签订协议", "签订日期", self.today, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            agreements.sign(self.ctx.db, row["id"], dialog.date(), today=self.today,
                            expected_version=row["row_version"])
        except UserError as exc:
            self._warn("签订协议", exc)
            return
        self._changed(row["id"])

    def terminate_selected(self) -> None:
        row = self.current()
        if row is None:
            return
        dialog = TerminateDialog(row, self, today=self.today)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        try:
            if values["notice_only"]:
                earliest = agreements.give_notice(self.ctx.db, row["id"], values["notice_on"], values["by"],
                                                  today=self.today, expected_version=row["row_version"])
                QMessageBox.information(self, "解除协议", f"已登记提前通知。无过错解除最早可于 {earliest.isoformat()} 办理。")
            else:
                agreements.terminate(self.ctx.db, row["id"], values["on"], values["by"], values["reason"],
                                     for_cause=values["for_cause"], notice_on=values["notice_on"], today=self.today,
                                     expected_version=row["row_version"])
        except UserError as exc:
            self._warn("解除协议", exc)
            return
        self._changed(row["id"])

    def renew_selected(self) -> None:
        row = self.current()
        if row is None:
            return
        default = dt.date.fromisoformat(row["end_date"]) + dt.timedelta(days=1)
        dialog = DateDialog("续签协议", "新协议起始日期", default, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            new_id = agreements.renew(self.ctx.db, row["id"], dialog.date(), expected_version=row["row_version"])
        except UserError as exc:
            self._warn("续签协议", exc)
            return
        self.status_combo.setCurrentIndex(0)  # show the new draft whatever the filter was
        self.ending_check.setChecked(False)
        self._changed(new_id)
        QMessageBox.information(self, "续签协议", f"已生成第 {new_id} 号协议草稿，核对后即可打印、签订。")

    def attach_scan(self) -> None:
        row = self.current()
        if row is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self, "选择签字后的协议扫描件", start_path("scans"), "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.bmp)")
        if not path:
            return
        remember_folder("scans", path)
        try:
            agreements.attach_scan(self.ctx.db, row["id"], path, expected_version=row["row_version"])
        except UserError as exc:
            self._warn("附扫描件", exc)
            return
        self._changed(row["id"])

    def open_scan(self) -> None:
        row = self.current()
        try:
            path = agreements.scan_file(row) if row else None
        except UserError as exc:  # a stored path leading outside the data folder: never launched
            QMessageBox.warning(self, "查看扫描件", str(exc))
            return
        if path is None or not path.is_file():
            QMessageBox.warning(self, "查看扫描件", "扫描件文件不存在，可能已被移动或删除。")
            return
        open_in_system(self, path, title="查看扫描件")

    def print_selection(self, rows: list[dict]) -> printouts.Selection:
        """The registry's agreement kind for these rows, 一式四份 when ticked."""
        return printouts.Selection(kind="agreement", agreement_ids=tuple(r["id"] for r in rows), as_of=self.today,
                                   copies=printouts.AGREEMENT_COPIES if self.copies_check.isChecked() else 1)

    def print_selected(self) -> None:
        """Print the selected agreements to one .docx through ``printing.kinds`` (several: one after another, in a
        background job), then the same 打开 / 打印 / 关闭 question as the 打印 page."""
        rows = self.selected_rows()
        if not rows:
            return
        name = (f"互助养老协议书_{rows[0]['elder_name']}_{rows[0]['id']}.docx" if len(rows) == 1
                else f"互助养老协议书_{len(rows)}份.docx")
        chosen = ask_save_file(self, "保存协议（Word）", name, "Word 文档 (*.docx)", self.ctx.db_path,
                               ".docx", kind="print")
        if chosen is None:
            return
        selection = self.print_selection(rows)
        if len(rows) == 1:
            try:
                count = kinds.write(self.ctx.db, selection, chosen)
            except UserError as exc:
                self._warn("打印协议", exc)
                return
            after_save.offer(self, chosen, count, title="打印协议")
            return
        from township_desk.ui.jobs import run_job

        db_path = self.ctx.db_path

        def work(job):
            database = dbm.connect(db_path)  # a worker thread has its own connection
            try:
                return kinds.write(
                    database, selection, chosen,
                    progress=lambda done, total: job.progress(done, total, f"正在生成第 {done}/{total} 份……"),
                    check_cancelled=job.check)
            finally:
                database.close()

        run_job(self, "打印协议", work, on_done=lambda count: after_save.offer(self, chosen, count, title="打印协议"))
