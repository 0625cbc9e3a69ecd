"""导入 Excel 台账: choose a clerk's workbook, see what was found and every problem, import, see the result.

The 台账 page opens it with ``ImportWizard(ctx, self).exec()``. Reading and importing run off the GUI
thread (``ui.jobs.run_job``) with progress and 取消; the import worker opens its own connection and the
whole import is one transaction, so 取消 leaves the ledger as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from township_desk.models import ledger_import
from township_desk.models.errors import UserError
from township_desk.ui.context import AppContext
from township_desk.ui.jobs import Job, JobCancelled, run_job
from township_desk.ui.widgets import remember_folder, start_path

_SEVERITY = {"error": "错误（未导入）", "warning": "提醒（已导入）"}


class ProblemsModel(QAbstractTableModel):
    """The importer's problems: 工作表, 行, 列, 类型, 说明."""

    HEADINGS = ("工作表", "行", "列", "类型", "说明")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[ledger_import.ImportProblem] = []

    def set_problems(self, problems: list[ledger_import.ImportProblem]) -> None:
        self.beginResetModel()
        self._rows = list(problems)
        self.endResetModel()

    def problem(self, row: int) -> ledger_import.ImportProblem:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self.HEADINGS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (p.sheet, p.row, p.column or "", _SEVERITY.get(p.severity, p.severity), p.message)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 3:
            return QColor("#b00020") if p.severity == "error" else QColor("#8a5a00")
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return p.message
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt signature
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADINGS[section]
        return None


def _problems_view(model: ProblemsModel, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    for column in range(4):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    view.setWordWrap(True)
    return view


def _table(parent: QWidget) -> QTableWidget:
    table = QTableWidget(parent)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)  # compact rows: more fit
    return table


def _fill(table: QTableWidget, headings: list[str], rows: list[list[str]]) -> None:
    table.clear()
    table.setColumnCount(len(headings))
    table.setRowCount(len(rows))
    table.setHorizontalHeaderLabels(headings)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for c in range(len(headings)):
        header.resizeSection(c, min(header.sectionSize(c), 260))
    header.setStretchLastSection(True)


class ChooseFilePage(QWizardPage):
    """Step 1: the workbook. 下一步 reads it in the background and moves on when done."""

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("第一步：选择 Excel 台账")
        self.setSubTitle("可导入乡镇或各村填报的留守老年人台账（.xlsx/.xls）：每村一张表或全镇一张表均可，"
                         "表头可有标题行、填报单位行和两层合并表头，列的顺序不限。")
        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText("Excel 文件的位置")
        self.path_edit.textChanged.connect(self.completeChanged)
        browse = QPushButton("浏览…", self)
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        note = QLabel("读取时不会改动台账；下一步会列出找到的人数和每一行的问题，确认后才导入。", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择 Excel 台账", start_path("import"),
                                              "Excel 工作簿 (*.xlsx *.xlsm *.xls)")
        if path:
            remember_folder("import", path)
            self.path_edit.setText(path)

    def path(self) -> Path:
        return Path(self.path_edit.text().strip().strip('"'))

    def isComplete(self) -> bool:  # noqa: N802 - Qt signature
        text = self.path_edit.text().strip()
        return bool(text) and self.path().is_file()

    def validatePage(self) -> bool:  # noqa: N802 - Qt signature
        read = self._wizard.read
        if read is not None and read.path == self.path():
            return True
        self._wizard.start_reading(self.path())
        return False  # the job moves the wizard on when the file has been read


class PreviewPage(QWizardPage):
    """Step 2: what was read, in tabs shown only when they have something: the rows found, which column went
    to which field, the villages the import would create (ticked to allow), the problems and the renames.
    导入 runs the import in the background."""

    PER_SHEET = 20  # rows of each sheet shown

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("第二步：核对")
        self.setButtonText(QWizard.WizardButton.NextButton, "导入")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.columns = QLabel(self)
        self.columns.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.rows = _table(self.tabs)
        self.mapping = _table(self.tabs)
        self.model = ProblemsModel(self)
        self.view = _problems_view(self.model, self)
        villages_tab = QWidget(self.tabs)
        self.villages_label = QLabel(villages_tab)
        self.villages_label.setWordWrap(True)
        self.villages = QTreeWidget(villages_tab)
        self.villages.setRootIsDecorated(False)
        self.villages.setHeaderLabels(["新建", "村（社区）", "表中人数"])
        box = QVBoxLayout(villages_tab)
        box.addWidget(self.villages_label)
        box.addWidget(self.villages, 1)
        renames_tab = QWidget(self.tabs)
        self.renames_label = QLabel(renames_tab)
        self.renames_label.setWordWrap(True)
        self.renames = QTreeWidget(renames_tab)
        self.renames.setRootIsDecorated(False)
        self.renames.setHeaderLabels(["改名", "身份证号码", "工作表 / 行", "姓名（台账中 → 表中）"])
        box = QVBoxLayout(renames_tab)
        box.addWidget(self.renames_label)
        box.addWidget(self.renames, 1)
        self.ROWS = self.tabs.addTab(self.rows, "读到的老人")
        self.MAPPING = self.tabs.addTab(self.mapping, "列的对应")
        self.VILLAGES = self.tabs.addTab(villages_tab, "新建的村")
        self.PROBLEMS = self.tabs.addTab(self.view, "问题")
        self.RENAMES = self.tabs.addTab(renames_tab, "改名")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.columns)
        layout.addWidget(self.tabs, 1)

    def allowed_villages(self) -> set[str]:
        """The new villages the clerk left ticked: created by the import; the rows of the others are left out."""
        items = (self.villages.topLevelItem(i) for i in range(self.villages.topLevelItemCount()))
        return {item.text(1) for item in items if item.checkState(0) == Qt.CheckState.Checked}

    def _show_villages(self, read: ledger_import.LedgerRead) -> None:
        found = ledger_import.new_villages(self._wizard.ctx.db, read)
        self.villages.clear()
        for name, count in found.items():
            item = QTreeWidgetItem(self.villages, ["", name, f"{count} 人"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked)
        for column in range(self.villages.columnCount()):
            self.villages.resizeColumnToContents(column)
        self.villages_label.setText(
            f"表中有 {len(found)} 个村（社区）台账中还没有，导入时将新建。是笔误或不该有的，请取消勾选："
            "取消勾选的村不新建，这些村的老人不导入，并在结果中列出。")
        self.tabs.setTabText(self.VILLAGES, f"新建的村（{len(found)}）")
        self.tabs.setTabVisible(self.VILLAGES, bool(found))

    def _show_rows(self, read: ledger_import.LedgerRead) -> None:
        headings, rows = ledger_import.preview_table(read, self.PER_SHEET)
        _fill(self.rows, headings, rows)
        for r, values in enumerate(rows):
            if values[2] != "可导入":
                self.rows.item(r, 2).setForeground(QColor("#b00020"))
        self.tabs.setTabText(self.ROWS, f"读到的老人（每表前 {self.PER_SHEET} 行）"
                             if any(sum(1 for x in read.rows if x.sheet == s.name) > self.PER_SHEET
                                    for s in read.sheets) else "读到的老人")
        self.tabs.setTabVisible(self.ROWS, bool(rows))
        mapping = ledger_import.column_mapping(read)
        _fill(self.mapping, ["工作表", "表中的列", "导入为"], [list(m) for m in mapping])
        for r, (_sheet, _heading, label) in enumerate(mapping):
            if label == "未识别，不导入":
                self.mapping.item(r, 2).setForeground(QColor("#8a5a00"))
        self.tabs.setTabVisible(self.MAPPING, bool(mapping))

    def accepted_renames(self) -> set[str]:
        """The ID numbers whose new name the clerk ticked."""
        items = (self.renames.topLevelItem(i) for i in range(self.renames.topLevelItemCount()))
        return {item.text(1) for item in items if item.checkState(0) == Qt.CheckState.Checked}

    def _show_renames(self, read: ledger_import.LedgerRead) -> None:
        conflicts = ledger_import.rename_conflicts(self._wizard.ctx.db, read)
        self.renames.clear()
        for c in conflicts:
            item = QTreeWidgetItem(self.renames, ["", c.id_number, f"{c.sheet} 第{c.row}行", f"{c.old} → {c.new}"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked)
        for column in range(self.renames.columnCount()):
            self.renames.resizeColumnToContents(column)
        self.renames_label.setText(
            f"以下 {len(conflicts)} 人的身份证号码已在台账中，但表中姓名不同。核实确是同一人改名的，请勾选“改名”；"
            "不勾选的保留台账中的姓名（其余内容照常导入）：")
        self.tabs.setTabText(self.RENAMES, f"改名（{len(conflicts)}）")
        self.tabs.setTabVisible(self.RENAMES, bool(conflicts))

    def initializePage(self) -> None:  # noqa: N802 - Qt signature
        read = self._wizard.read
        if read is None:
            return
        self._show_rows(read)
        self._show_villages(read)
        self._show_renames(read)
        good = read.good_rows
        on_ledger = len(ledger_import.existing_ids(self._wizard.ctx.db, [r.id_number for r in good]))
        errors = read.skipped
        warnings = sum(1 for p in read.problems if p.severity == "warning")
        ledger_sheets = [s for s in read.sheets if s.header_row]
        notes = [s.name for s in read.sheets if not s.header_row]
        text = (f"在 {len(ledger_sheets)} 张工作表中找到 {len(read.rows)} 行老人记录：可导入 {len(good)} 人"
                f"（其中 {on_ledger} 人已在台账中，将更新），{errors} 行有错误将跳过，{warnings} 条提醒。")
        new = self.villages.topLevelItemCount()
        if new:
            text += f"表中有 {new} 个村（社区）台账中还没有，请在“新建的村”中确认。"
        if notes:
            text += f"\n未找到表头、不导入的工作表（说明、封面等）：{'、'.join(notes)}。"
        self.summary.setText(text)
        ignored = [f"{s.name}：{'、'.join(s.ignored_columns)}" for s in ledger_sheets if s.ignored_columns]
        self.columns.setText(("未识别、不导入的列——" + "；".join(ignored)) if ignored else "")
        self.columns.setVisible(bool(ignored))
        self.model.set_problems(read.problems)
        self.tabs.setTabText(self.PROBLEMS, f"问题（{len(read.problems)}）")
        self.tabs.setTabVisible(self.PROBLEMS, bool(read.problems))
        self.setSubTitle("请核对读到的内容和列的对应。“问题”中“错误”的行不会导入，“提醒”的行会导入。"
                         if read.problems else "请核对读到的内容和列的对应。没有发现问题。")
        # open the tab that needs a decision first
        first = next((t for t in (self.VILLAGES, self.RENAMES, self.PROBLEMS) if self.tabs.isTabVisible(t)),
                     self.ROWS)
        self.tabs.setCurrentIndex(first)

    def isComplete(self) -> bool:  # noqa: N802 - Qt signature
        read = self._wizard.read
        return read is not None and bool(read.good_rows) and not self._wizard.busy

    def validatePage(self) -> bool:  # noqa: N802 - Qt signature
        if self._wizard.result_ is not None:
            return True
        self._wizard.start_import()
        return False  # the job moves the wizard on when the import is done


class ResultPage(QWizardPage):
    """Step 3: how many were added, updated and skipped; the problems; what changed for each person."""

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self._wizard = wizard
        self.setTitle("第三步：导入结果")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.model = ProblemsModel(self)
        self.view = _problems_view(self.model, self)
        self.changes = QTreeWidget(self)
        self.changes.setHeaderLabels(["老人 / 项目", "原来", "现在", "说明"])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("问题：", self))
        layout.addWidget(self.view, 1)
        layout.addWidget(QLabel("已在台账中的老人，更新的内容：", self))
        layout.addWidget(self.changes, 1)

    def initializePage(self) -> None:  # noqa: N802 - Qt signature
        result = self._wizard.result_
        if result is None:
            return
        warnings = sum(1 for p in result.problems if p.severity == "warning")
        self.summary.setText(f"导入完成：新增 {result.imported} 人，更新 {result.updated} 人，"
                             f"跳过 {result.skipped} 行，提醒 {warnings} 条。"
                             + (f"\n新建村（社区）：{'、'.join(result.new_villages)}。" if result.new_villages else ""))
        self.model.set_problems(result.problems)
        self.changes.clear()
        for change in result.changes:
            person = QTreeWidgetItem(self.changes, [f"{change.name}（{change.id_number}）", "", "", ""])
            for field in change.changes:
                item = QTreeWidgetItem(person, [field.label, "" if field.old is None else str(field.old),
                                                "" if field.new is None else str(field.new),
                                                "" if field.applied else "未改（改名未勾选）"])
                if not field.applied:
                    item.setForeground(3, QColor("#8a5a00"))
            person.setExpanded(True)
        for column in range(self.changes.columnCount()):
            self.changes.resizeColumnToContents(column)


class ImportWizard(QWizard):
    """The three steps of importing an Excel ledger; ``read`` and ``result_`` hold what the jobs returned."""

    CHOOSE, PREVIEW, RESULT = range(3)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.read: ledger_import.LedgerRead | None = None
        self.result_: ledger_import.ImportResult | None = None
        self.busy = False
        self.progress_dialog: QProgressDialog | None = None
        self.setWindowTitle("导入 Excel 台账")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.choose_page = ChooseFilePage(self)
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage(self)
        self.setPage(self.CHOOSE, self.choose_page)
        self.setPage(self.PREVIEW, self.preview_page)
        self.setPage(self.RESULT, self.result_page)
        self.resize(980, 640)

    # -------------------------------------------------------------- background jobs

    def _run(self, title: str, work, on_done) -> None:
        """Run ``work(job, progress)`` as a background job (ui.jobs) with a cancellable progress dialog; then
        ``on_done(result)``. The wizard's buttons stay disabled meanwhile."""
        self._set_busy(True)

        def finished() -> None:
            self.progress_dialog = None
            self._set_busy(False)

        def succeeded(result: Any) -> None:
            finished()
            on_done(result)

        def failed(exc: BaseException) -> None:
            finished()
            self._job_failed(exc)

        job = run_job(self, title, lambda job: work(job, job.progress), on_done=succeeded, on_error=failed,
                      ctx=self.ctx)  # announces what the import noted on job.connect's connection
        self.progress_dialog = job.dialog  # the worker checks job.cancelled between rows

    # -------------------------------------------------------------- reading

    def start_reading(self, path: Path) -> None:
        self.read = None
        self.result_ = None

        def work(job: Job, progress) -> ledger_import.LedgerRead:
            try:
                return ledger_import.read_ledger(path, progress=progress, cancelled=lambda: job.cancelled)
            except (UserError, JobCancelled, KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - a reader's failure, even a Rust panic, is a message
                from township_desk.ui import crash

                crash.setup_logging()
                crash.log.exception("读取台账失败：%s", path)
                raise UserError(f"无法读取“{path.name}”：读取时出错（{type(exc).__name__}），文件可能已损坏或格式特殊。"
                                "请在 Excel 中打开它并另存为 .xlsx 后再试。台账未作任何改动。") from exc

        self._run("读取台账", work, self._read_done)

    def _read_done(self, read: ledger_import.LedgerRead) -> None:
        self.read = read
        if self.currentId() == self.CHOOSE:
            self.next()

    # -------------------------------------------------------------- importing

    def start_import(self) -> None:
        read = self.read
        if read is None:
            return
        db_path = self.ctx.db_path
        accepted = self.preview_page.accepted_renames()
        villages = self.preview_page.allowed_villages()

        def work(job: Job, progress) -> ledger_import.ImportResult:
            db = job.connect(db_path)  # this thread's own connection; what the import wrote is announced
            return ledger_import.import_ledger(db, read.path, progress=progress, check_cancelled=job.check,
                                               read=read, accept_renames=accepted, create_villages=villages)

        self._run("导入台账", work, self._import_done)

    def _import_done(self, result: ledger_import.ImportResult) -> None:
        self.result_ = result
        if self.currentId() == self.PREVIEW:
            self.next()

    # -------------------------------------------------------------- both

    def _job_failed(self, exc: BaseException) -> None:
        if isinstance(exc, (JobCancelled, ledger_import.ImportCancelled)):
            QMessageBox.information(self, self.windowTitle(), "已取消，台账未作任何改动。")
        elif isinstance(exc, UserError):
            QMessageBox.warning(self, self.windowTitle(), str(exc))
        else:
            from township_desk.ui import crash

            crash.report(exc, None, self)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton):
            self.button(button).setEnabled(not busy)
        if not busy:
            page = self.currentPage()
            if page is not None:
                page.completeChanged.emit()  # let the page decide 下一步 again
