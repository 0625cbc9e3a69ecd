"""报表: the month's 汇总表 and every cross-check before export, and the county's 县级汇总.

The numbers come from ``models.monthly`` (the same functions the command line uses); writing a workbook runs
off the GUI thread through ``ui.jobs.run_job`` with its own database connection.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import monthly, settings
from township_desk.models.errors import UserError
from township_desk.ui import widgets

GREEN, RED = "#1b7f3b", "#c0392b"
_ELDER_ROLE = Qt.ItemDataRole.UserRole + 1


def last_month(today: dt.date | None = None) -> str:
    """The month before ``today``'s: the one a clerk reports at the start of a month."""
    today = today or dt.date.today()
    return monthly.previous_month(f"{today.year:04d}-{today.month:02d}")


class SummaryModel(QAbstractTableModel):
    """The 汇总表 lines (villages, 合计) × 村（社区） + columns 1–27; the tooltip gives last month and the change."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[monthly.SummaryRow] = []
        self.previous: dict[str, list[int]] = {}
        self.failing: set[str] = set()

    def set_summary(self, rows: list[monthly.SummaryRow], previous: dict[str, list[int]], failing: set[str]) -> None:
        self.beginResetModel()
        self.rows, self.previous, self.failing = list(rows), previous, failing
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else monthly.N_COLUMNS + 1

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name if col == 0 else str(row.col(col))
        if role == Qt.ItemDataRole.ToolTipRole and col > 0:
            before = self.previous.get(row.name)
            if before is None:
                return "上月无此行"
            change = row.col(col) - before[col - 1]
            return f"第{col}列：本月 {row.col(col)}，上月 {before[col - 1]}，变化 {change:+d}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 0 and row.name in self.failing:
            return QBrush(QColor(RED))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                if section == 0:
                    return "村（社区）"
                number, heading, group = monthly.COLUMNS[section - 1]
                return f"{number}\n{group + '·' if group else ''}{heading}"
            if role == Qt.ItemDataRole.ToolTipRole and section > 0:
                number, heading, group = monthly.COLUMNS[section - 1]
                return f"第{number}列 {group} {heading}".strip()
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


class CompareModel(QAbstractTableModel):
    """合计 this month beside last month, column by column, with the change."""

    HEADINGS = ("栏次", "指标", "本月", "上月", "变化")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.now: list[int] = []
        self.before: list[int] = []

    def set_totals(self, now: list[int], before: list[int]) -> None:
        self.beginResetModel()
        self.now, self.before = list(now), list(before)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or not self.now else monthly.N_COLUMNS

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADINGS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        number, heading, group = monthly.COLUMNS[index.row()]
        now, before = self.now[index.row()], self.before[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(number), f"{group}·{heading}" if group else heading, str(now), str(before),
                    f"{now - before:+d}")[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 4 and now != before:
            return QBrush(QColor(GREEN if now > before else RED))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADINGS[section]
        return None


class _Relay(QObject):
    """Carries a worker's progress and outcome to the GUI thread.

    Made on the GUI thread, so its signals emitted from the worker are queued here. ``run_job``'s own
    ``on_done`` is connected to an object living in the worker thread, whose event loop never runs, so it is
    not delivered (the import wizard found the same and reported it); this page does not depend on it.
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)


class ReportsPage(QWidget):
    """Choose the month, see the 汇总表 and its cross-checks, export the workbook; combine townships' files."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.summary: monthly.MonthlySummary | None = None
        self.failures: list[monthly.CheckFailure] = []
        self.last_combine = None

        self.month_edit = QDateEdit()
        self.month_edit.setDisplayFormat("yyyy年M月")
        self.month_edit.setCalendarPopup(False)
        year, mon = (int(p) for p in last_month().split("-"))
        self.month_edit.setDate(QDate(year, mon, 1))
        self.month_edit.dateChanged.connect(lambda _d: self.refresh())
        self.export_button = QPushButton("导出月度报表…")
        self.export_button.clicked.connect(self.export)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("报表月份："))
        top.addWidget(self.month_edit)
        refresh_button = QPushButton("重新统计")
        refresh_button.clicked.connect(self.refresh)
        top.addWidget(refresh_button)
        top.addWidget(self.export_button)
        top.addStretch(1)

        self.summary_model = SummaryModel(self)
        self.summary_view = QTableView()
        self.summary_view.setModel(self.summary_model)
        self.summary_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.summary_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.summary_view.verticalHeader().setVisible(False)

        self.compare_model = CompareModel(self)
        self.compare_view = QTableView()
        self.compare_view.setModel(self.compare_model)
        self.compare_view.verticalHeader().setVisible(False)
        self.compare_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.checks = QTreeWidget()
        self.checks.setHeaderLabels(["勾稽校验（双击老人打开其记录补全）"])
        self.checks.itemDoubleClicked.connect(self.open_item)

        lower = QSplitter(Qt.Orientation.Horizontal)
        compare_box = QGroupBox("合计：本月与上月")
        QVBoxLayout(compare_box).addWidget(self.compare_view)
        checks_box = QGroupBox("勾稽关系")
        QVBoxLayout(checks_box).addWidget(self.checks)
        lower.addWidget(compare_box)
        lower.addWidget(checks_box)
        lower.setStretchFactor(1, 2)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.summary_view)
        split.addWidget(lower)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(split, 1)
        layout.addWidget(self._build_combine_box())
        self.refresh()

    # ------------------------------------------------------------ the month

    def month(self) -> str:
        date = self.month_edit.date()
        return f"{date.year():04d}-{date.month():02d}"

    def set_month(self, month: str) -> None:
        year, mon = (int(p) for p in monthly.parse_month(month).split("-"))
        self.month_edit.setDate(QDate(year, mon, 1))  # dateChanged refreshes

    def apply_filters(self, filters: dict) -> None:
        if filters.get("month"):
            self.set_month(filters["month"])

    def refresh(self) -> None:
        """Count the month and last month again and show every cross-check."""
        db = self.ctx.db
        month = self.month()
        self.summary = monthly.summary(db, month)
        previous = monthly.summary(db, monthly.previous_month(month))
        self.failures = monthly.cross_checks(self.summary)
        failing = {f.village for f in self.failures}
        self.summary_model.set_summary(self.summary.rows, {r.name: r.counts for r in previous.rows}, failing)
        self.compare_model.set_totals(self.summary.total.counts, previous.total.counts)
        self._show_checks()
        title = self.summary.title if self.summary.township else f"（未设置乡镇名称）{self.summary.title}"
        if self.failures:
            self.status_label.setText(f"<b>{title}</b>：<span style='color:{RED}'>有 {len(self.failures)} 处勾稽关系"
                                      f"不成立，补全下列老人的信息后才能导出。</span>")
        else:
            self.status_label.setText(f"<b>{title}</b>：<span style='color:{GREEN}'>勾稽关系全部成立，"
                                      f"在册 {self.summary.total.col(1)} 人，可以导出。</span>")
        self.export_button.setEnabled(not self.failures)

    def _show_checks(self) -> None:
        self.checks.clear()
        by_line = {(f.village, f.chain): f for f in self.failures}
        chain_text = ("1=2+3+4=5+6=7+8+9=10+11+12+13=14", "15+16=17+18=19+20+21+22=23+24+25+26+27")
        for row in self.summary.rows:
            for chain in (0, 1):
                failure = by_line.get((row.name, chain))
                if failure is None:
                    item = QTreeWidgetItem([f"✔ {row.name}：{chain_text[chain]}（{row.col(1) if chain == 0 else row.col(15) + row.col(16)}）成立"])
                    item.setForeground(0, QBrush(QColor(GREEN)))
                    self.checks.addTopLevelItem(item)
                    continue
                item = QTreeWidgetItem(["✘ " + failure.message(with_elders=False)])
                item.setForeground(0, QBrush(QColor(RED)))
                for gap in failure.elders:
                    child = QTreeWidgetItem([gap.describe(chain)])
                    child.setData(0, _ELDER_ROLE, {"elder_id": gap.elder_id, "id_number": gap.id_number})
                    child.setToolTip(0, "双击打开该老人的记录")
                    item.addChild(child)
                self.checks.addTopLevelItem(item)
                item.setExpanded(row.name != monthly.TOTAL_LABEL)

    def failing_elder_items(self) -> list[QTreeWidgetItem]:
        """The elder lines under failing checks (what a test or the clerk double-clicks)."""
        items = []
        for i in range(self.checks.topLevelItemCount()):
            top = self.checks.topLevelItem(i)
            items += [top.child(j) for j in range(top.childCount())]
        return items

    def open_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        """Open the elder behind a failing check: the editor when it is there, else the ledger filtered to them."""
        elder = item.data(0, _ELDER_ROLE)
        if not elder:
            return
        try:
            from township_desk.ui.elder_editor import ElderEditor
        except ImportError:
            self.ctx.navigate("台账", search=elder["id_number"])
            return
        if ElderEditor(self.ctx, elder["elder_id"], self).exec():  # the editor tells the other pages itself
            self.refresh()

    # ------------------------------------------------------------ background work

    def _run(self, title: str, work, on_done) -> None:
        """``work(job)`` in a worker thread (``ui.jobs``) with a progress dialog that can cancel."""
        import traceback

        from township_desk.ui.jobs import JobCancelled, run_job

        relay = _Relay(self)
        dialog = QProgressDialog(title + "……", "取消", 0, 0, self)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)

        def progressed(done: int, total: int, text: str) -> None:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
            if text:
                dialog.setLabelText(text)

        def finish() -> None:
            dialog.reset()
            dialog.close()
            dialog.deleteLater()
            relay.deleteLater()

        def succeeded(result) -> None:
            finish()
            on_done(result)

        def failed(exc: BaseException, tb: str) -> None:
            finish()
            if isinstance(exc, JobCancelled):
                self.status_label.setText(f"{title}已取消，未写入文件。")
            elif isinstance(exc, UserError):
                QMessageBox.warning(self, title, str(exc))
            else:
                from township_desk.ui import crash

                crash.report(exc, tb, self)

        relay.progressed.connect(progressed)
        relay.succeeded.connect(succeeded)
        relay.failed.connect(failed)

        def body(job) -> None:
            def progress(done: int, total: int, text: str = "") -> None:
                relay.progressed.emit(int(done), int(total), text)

            job.progress = progress  # the writers report through the relay
            try:
                result = work(job)
            except BaseException as exc:  # noqa: BLE001 - shown on the GUI thread
                relay.failed.emit(exc, traceback.format_exc())
            else:
                relay.succeeded.emit(result)

        job = run_job(self, title, body, show_dialog=False)
        dialog.canceled.connect(job.cancel)

    # ------------------------------------------------------------ export

    def export(self) -> None:
        self.refresh()
        if self.failures:
            QMessageBox.warning(self, "导出月度报表", "勾稽关系不成立，未导出：\n" + monthly.failures_text(self.failures))
            return
        month = self.month()
        township = settings.get(self.ctx.db, "township_name") or ""
        suggested = widgets.start_path("export", f"{township}留守老人月报{month}.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "导出月度报表", suggested, "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        widgets.remember_folder("export", path)
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        db_path = self.ctx.db_path

        def work(job):
            from township_desk.models import db as dbm
            from township_desk.printing.monthly_xlsx import export_monthly

            db = dbm.connect(db_path)
            try:
                return export_monthly(db, month, path, progress=job.progress, check_cancelled=job.check)
            finally:
                db.close()

        self._run("导出月度报表", work, self._exported)

    def _exported(self, result) -> None:
        self.status_label.setText(f"已导出：{result.path}（在册 {result.elders} 人，明细 {result.detail_rows} 行）")
        QMessageBox.information(self, "导出月度报表", f"已保存到：\n{result.path}")

    # ------------------------------------------------------------ 县级汇总

    def _build_combine_box(self) -> QGroupBox:
        box = QGroupBox("县级汇总：合并各乡镇的月度报表")
        self.combine_files = QListWidget()
        self.combine_files.setMaximumHeight(110)
        self.county_edit = QLineEdit(settings.get(self.ctx.db, "county_name") or "")
        self.county_edit.setPlaceholderText("县（市、区）名称")
        add = QPushButton("添加报表…")
        add.clicked.connect(self.add_combine_files)
        remove = QPushButton("移除所选")
        remove.clicked.connect(lambda: [self.combine_files.takeItem(self.combine_files.row(i))
                                        for i in self.combine_files.selectedItems()])
        self.combine_button = QPushButton("生成县级汇总…")
        self.combine_button.clicked.connect(self.combine)
        self.combine_result = QLabel()
        self.combine_result.setWordWrap(True)
        buttons = QVBoxLayout()
        for w in (QLabel("县名："), self.county_edit, add, remove, self.combine_button):
            buttons.addWidget(w)
        row = QHBoxLayout()
        row.addWidget(self.combine_files, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(self.combine_result)
        return box

    def add_combine_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择乡镇月度报表", widgets.start_path("combine"),
                                                "Excel 工作簿 (*.xlsx)")
        if paths:
            widgets.remember_folder("combine", paths[0])
        self.add_files(paths)

    def add_files(self, paths: list[str]) -> None:
        present = {self.combine_files.item(i).text() for i in range(self.combine_files.count())}
        for p in paths:
            if p not in present:
                self.combine_files.addItem(p)
                present.add(p)

    def combine(self) -> None:
        paths = [self.combine_files.item(i).text() for i in range(self.combine_files.count())]
        if not paths:
            QMessageBox.information(self, "县级汇总", "请先添加要汇总的乡镇报表。")
            return
        county = self.county_edit.text().strip()
        target, _ = QFileDialog.getSaveFileName(self, "保存县级汇总", widgets.start_path("export", f"{county}县级汇总.xlsx"),
                                                "Excel 工作簿 (*.xlsx)")
        if not target:
            return
        widgets.remember_folder("export", target)
        if not target.lower().endswith(".xlsx"):
            target += ".xlsx"

        def work(job):
            from township_desk.printing.monthly_xlsx import combine_workbooks

            return combine_workbooks(paths, target, county=county, progress=job.progress,
                                     check_cancelled=job.check)

        self._run("县级汇总", work, lambda result: self._combined(result, target))

    def _combined(self, result, target: str) -> None:
        from township_desk.models import combine

        self.last_combine = result
        text = (f"已汇总 {monthly.month_label(result.month)}：{len(result.included)} 个乡镇，"
                f"留守老年人 {result.rows[-1].col(1)} 人 → {target}")
        if result.left_out:
            text += f"\n<span style='color:{RED}'>以下文件未计入汇总：</span>\n" + combine.left_out_text(result)
            self.combine_result.setText(text.replace("\n", "<br>"))
            QMessageBox.warning(self, "县级汇总", text.replace(f"<span style='color:{RED}'>", "").replace("</span>", ""))
        else:
            self.combine_result.setText(text)
            QMessageBox.information(self, "县级汇总", text)
