"""报表: the month's 汇总表 and every cross-check before export, submitting a month (确认上报) and resending it
corrected (更正上报), the months already sent, and the county's 县级汇总.

A month already sent shows the figures as sent (``models.submissions``); a month not yet over can only be
exported as a draft.

The numbers come from ``models.monthly`` (the same functions the command line uses); writing a workbook runs
off the GUI thread through ``ui.jobs.run_job`` with its own database connection.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import monthly, settings, submissions
from township_desk.models.dates import month_bounds
from township_desk.models.errors import UserError
from township_desk.ui import widgets
from township_desk.ui.widgets import ask_save_file, keep_to_working_dates

GREEN, RED = "#1b7f3b", "#c0392b"
_ELDER_ROLE = Qt.ItemDataRole.UserRole + 1


def last_month(today: dt.date) -> str:
    """The month before ``today``'s: the one a clerk reports at the start of a month."""
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


class ReportsPage(QWidget):
    """Choose the month, see the 汇总表 and its cross-checks, export the workbook; combine townships' files."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"elders", "visits", "assessments", "hazards", "agreements", "monthly_submissions", "villages",
                       "settings"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.summary: monthly.MonthlySummary | None = None
        self.failures: list[monthly.CheckFailure] = []
        self.last_combine = None

        self.month_edit = QDateEdit()
        self.month_edit.setDisplayFormat("yyyy年M月")
        self.month_edit.setCalendarPopup(False)
        keep_to_working_dates(self.month_edit)
        year, mon = (int(p) for p in last_month(ctx.today()).split("-"))
        self.month_edit.setDate(QDate(year, mon, 1))
        self.month_edit.dateChanged.connect(lambda _d: self.refresh())
        self.export_button = QPushButton("导出月度报表…")
        self.export_button.clicked.connect(self.export)
        self.submit_button = QPushButton("确认上报…")
        self.submit_button.setToolTip("导出并记录上报给县里的每个数字和文件的 SHA-256；以后再导出该月，得到与上报时完全相同的报表")
        self.submit_button.clicked.connect(self.submit)
        self.correct_button = QPushButton("更正上报…")
        self.correct_button.setToolTip("按现有记录重新统计已上报的月份，写明理由后作为更正报表上报（记入操作日志）")
        self.correct_button.clicked.connect(self.correct)
        self.sent = None
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("报表月份："))
        top.addWidget(self.month_edit)
        refresh_button = QPushButton("重新统计")
        refresh_button.clicked.connect(self.refresh)
        top.addWidget(refresh_button)
        top.addWidget(self.export_button)
        top.addWidget(self.submit_button)
        top.addWidget(self.correct_button)
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
        lower.addWidget(self._build_sent_box())
        lower.setStretchFactor(1, 2)
        lower.setStretchFactor(2, 2)
        lower.setSizes([500, 430, 420])  # the comparison keeps its five columns (to 变化) readable at 1366 wide

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.summary_view)
        split.addWidget(lower)
        split.setSizes([420, 300])  # the 汇总表 gets most of the height: its villages are what the clerk reads

        month_tab = QWidget()
        month_layout = QVBoxLayout(month_tab)
        month_layout.addLayout(top)
        month_layout.addWidget(self.status_label)
        month_layout.addWidget(split, 1)
        # County work is occasional: it has its own tab instead of a third of the month's height.
        county_tab = QWidget()
        county_layout = QVBoxLayout(county_tab)
        county_layout.addWidget(self._build_combine_box(), 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(month_tab, "本乡镇月度报表")
        self.tabs.addTab(county_tab, "县级汇总")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
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

    def can_close(self) -> bool:
        return True  # nothing unsaved is held on this page

    def refresh(self) -> None:
        """Count the month and last month again (or read them as sent) and show every cross-check."""
        db = self.ctx.db
        month = self.month()
        today = self.ctx.today()
        self.sent = submissions.latest(db, month, with_payload=False)
        ended = month_bounds(month)[1] < today
        if self.sent is not None:
            self.summary = submissions.summary_of(db, month)
            self.failures = []
        else:
            self.summary = monthly.summary(db, month)
            self.failures = monthly.cross_checks(self.summary)
        before = monthly.previous_month(month)
        previous = submissions.summary_of(db, before) or monthly.summary(db, before)
        failing = {f.village for f in self.failures}
        self.summary_model.set_summary(self.summary.rows, {r.name: r.counts for r in previous.rows}, failing)
        self.compare_model.set_totals(self.summary.total.counts, previous.total.counts)
        self._show_checks()
        self._show_sent()
        blocked = None
        try:
            submissions.check_exportable(db, month, today=today, draft=True)
        except UserError as exc:
            blocked = str(exc)
        title = self.summary.title if self.summary.township else f"（未设置乡镇名称）{self.summary.title}"
        if self.sent is not None:
            self.status_label.setText(
                f"<b>{title}</b>：<span style='color:{GREEN}'>已于 {self.sent.submitted_at} 由{self.sent.submitted_by}"
                f"{self.sent.kind}（SHA-256 {self.sent.sha256[:12]}…）。</span>下表为上报时的数字，再导出得到原样；"
                "如需更正，请点“更正上报…”。")
        elif blocked:
            self.status_label.setText(f"<b>{title}</b>：<span style='color:{RED}'>{blocked}</span>")
        elif self.failures:
            self.status_label.setText(f"<b>{title}</b>：<span style='color:{RED}'>有 {len(self.failures)} 处勾稽关系"
                                      f"不成立，补全下列老人的信息后才能导出。</span>")
        elif not ended:
            self.status_label.setText(f"<b>{title}</b>：本月尚未结束（到 {month_bounds(month)[1].isoformat()} 为止），"
                                      "只能导出草稿（标题注明“草稿”），月份结束后再确认上报。")
        else:
            self.status_label.setText(f"<b>{title}</b>：<span style='color:{GREEN}'>勾稽关系全部成立，"
                                      f"在册 {self.summary.total.col(1)} 人，可以导出；核对无误后点“确认上报…”。</span>")
        self.export_button.setText("导出草稿…" if not ended and self.sent is None else "导出月度报表…")
        self.export_button.setEnabled(not self.failures and not blocked)
        self.submit_button.setEnabled(ended and self.sent is None and not self.failures and not blocked)
        self.correct_button.setEnabled(self.sent is not None)

    def _show_checks(self) -> None:
        self.checks.clear()
        by_line = {(f.village, f.chain): f for f in self.failures}
        chain_text = ["=".join("+".join(str(c) for c in part) for part in chain) for chain in monthly.CHAINS]
        for row in self.summary.rows:
            for chain in (0, 1):
                failure = by_line.get((row.name, chain))
                if failure is None:
                    item = QTreeWidgetItem([f"✔ {row.name}：{chain_text[chain]}（{row.col(1)}）成立"])
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
        """Open the elder behind a failing check in the 登记表 editor."""
        elder = item.data(0, _ELDER_ROLE)
        if not elder:
            return
        from township_desk.ui.elder_editor import ElderEditor

        if ElderEditor(self.ctx, elder["elder_id"], self).exec():  # the editor tells the other pages itself
            self.refresh()

    # ------------------------------------------------------------ background work

    def _run(self, title: str, work, on_done) -> None:
        """``work(job)`` as a background job (``ui.jobs``) with a progress dialog that can cancel."""
        from township_desk.ui.jobs import run_job

        run_job(self, title, work, on_done=on_done, ctx=self.ctx,  # a submission recorded is announced
                on_cancel=lambda: self.status_label.setText(f"{title}已取消，未写入文件。"))

    # ------------------------------------------------------------ export

    def export(self) -> None:
        """Write the month's workbook: as sent for a month already sent, a draft for a month not yet over."""
        self.refresh()
        if self.failures:
            QMessageBox.warning(self, "导出月度报表", "勾稽关系不成立，未导出：\n" + monthly.failures_text(self.failures))
            return
        month = self.month()
        draft = self.sent is None and month_bounds(month)[1] >= self.ctx.today()
        path = self._ask_path(month, "导出月度报表", "草稿" if draft else "")
        if path:
            self._export(month, path, "draft" if draft else None)

    def submit(self) -> None:
        """确认上报: write the month's workbook and record every figure and the file's SHA-256 as sent."""
        self.refresh()
        month = self.month()
        if not self.submit_button.isEnabled():
            return
        label = monthly.month_label(month)
        answer = QMessageBox.question(
            self, "确认上报",
            f"确认将{label}的月度报表作为正式报表上报县里？\n\n上报后会记录每个数字、每行明细和文件的 SHA-256；"
            f"以后再导出{label}，得到与上报时完全相同的报表。如需更正，须另行“更正上报”并写明理由。")
        if answer != QMessageBox.StandardButton.Yes:
            return
        path = self._ask_path(month, "确认上报", "")
        if path:
            self._export(month, path, "submit")

    def correct(self) -> None:
        """更正上报: count a sent month again from the records and send it as a correction, with a reason."""
        self.refresh()
        if self.sent is None:
            return
        month = self.month()
        reason, ok = QInputDialog.getMultiLineText(
            self, "更正上报",
            f"{self.sent.describe()}。\n按现有记录重新统计该月，作为更正报表上报（标题注明“更正”和日期）。\n"
            "请写明更正的理由（记入操作日志）：")
        if not ok:
            return
        if not reason.strip():
            QMessageBox.warning(self, "更正上报", "更正上报须写明理由，未导出。")
            return
        path = self._ask_path(month, "更正上报", "更正")
        if path:
            self._export(month, path, "correct", reason.strip())

    def _ask_path(self, month: str, title: str, note: str) -> str | None:
        township = settings.get(self.ctx.db, "township_name") or ""
        suggested = f"{township}留守老人月报{month}{note}.xlsx"
        chosen = ask_save_file(self, title, suggested, "Excel 工作簿 (*.xlsx)", self.ctx.db_path, ".xlsx", kind="export")
        return str(chosen) if chosen is not None else None

    def _export(self, month: str, path: str, mode: str | None, reason: str | None = None) -> None:
        db_path = self.ctx.db_path
        title = {"submit": "确认上报", "correct": "更正上报"}.get(mode or "", "导出月度报表")

        def work(job):
            from township_desk.printing.monthly_xlsx import export_monthly

            return export_monthly(job.connect(db_path), month, path, progress=job.progress,
                                  check_cancelled=job.check, mode=mode, reason=reason)

        self._run(title, work, lambda result: self._exported(result, title))

    def _exported(self, result, title: str = "导出月度报表") -> None:
        text = f"已保存到：\n{result.path}"
        if result.kind in ("上报", "更正"):
            text = f"已{result.kind}并保存到：\n{result.path}\n\nSHA-256：{result.submission.sha256}"
        elif result.reproduced:
            same = "SHA-256 与上报时一致" if result.sha256 == result.submission.sha256 else f"SHA-256：{result.sha256}"
            text += f"\n\n该月已上报，本文件与上报时的报表完全相同（{same}）。"
        elif result.kind == "草稿":
            text += "\n\n这是草稿，不能作为正式报表上报。"
        self.status_label.setText(self.status_label.text()
                                  + f"<br>已导出：{result.path}（在册 {result.elders} 人，明细 {result.detail_rows} 行）")
        QMessageBox.information(self, title, text)

    # ------------------------------------------------------------ months sent

    def _build_sent_box(self) -> QGroupBox:
        box = QGroupBox("已上报的月份（双击查看该月）")
        self.sent_table = QTableWidget(0, 5)
        self.sent_table.setHorizontalHeaderLabels(["月份", "类型", "上报时间", "上报人", "SHA-256"])
        self.sent_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sent_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sent_table.verticalHeader().setVisible(False)
        self.sent_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sent_table.horizontalHeader().setStretchLastSection(True)
        self.sent_table.cellDoubleClicked.connect(
            lambda row, _col: self.set_month(self.sent_table.item(row, 0).data(Qt.ItemDataRole.UserRole)))
        QVBoxLayout(box).addWidget(self.sent_table)
        return box

    def _show_sent(self) -> None:
        rows = submissions.sent_months(self.ctx.db)
        self.sent_table.setRowCount(len(rows))
        for r, sent in enumerate(rows):
            values = (monthly.month_label(sent.month), sent.kind, sent.submitted_at, sent.submitted_by,
                      sent.sha256[:12] + "…")
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                tip = f"SHA-256：{sent.sha256}" + (f"\n更正理由：{sent.reason}" if sent.reason else "")
                item.setToolTip(tip + (f"\n文件：{sent.file_name}" if sent.file_name else ""))
                self.sent_table.setItem(r, c, item)
            self.sent_table.item(r, 0).setData(Qt.ItemDataRole.UserRole, sent.month)

    def sent_rows(self) -> list[list[str]]:
        """The sent-months list as shown (what a test reads)."""
        return [[self.sent_table.item(r, c).text() for c in range(self.sent_table.columnCount())]
                for r in range(self.sent_table.rowCount())]

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
        chosen = ask_save_file(self, "保存县级汇总", f"{county}县级汇总.xlsx", "Excel 工作簿 (*.xlsx)",
                               self.ctx.db_path, ".xlsx", kind="export")
        if chosen is None:
            return
        target = str(chosen)

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
