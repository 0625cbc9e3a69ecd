"""生成回执表 / 导入回执表 on the 巡访 page: the visit return workbook (``printing.returns_xlsx``) and its import
(``models.returns``), with a preview listing every row's outcome before the one transaction.

Reading, checking and writing run off the GUI thread (``ui.jobs.run_job``), each on its own connection. The
proposed hazards are listed ticked in the preview; the clerk unticks any that are not one, and only the ticked
ones are opened, with the visits, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import returns, villages, visitors
from township_desk.models.errors import UserError
from township_desk.ui import widgets
from township_desk.ui.jobs import Job, run_job
from township_desk.ui.rows_model import RowsModel

RED = "#c9302c"
GREY = "#8a8a8a"
PREVIEW_COLUMNS = [("status_label", "结果"), ("village", "村（社区）"), ("name", "姓名"), ("date", "巡访日期"),
                   ("mode", "方式"), ("hazard", "发现的风险隐患"), ("where", "文件 › 工作表 行"), ("message", "说明")]


class MakeReturnsDialog(QDialog):
    """Month, village (or all: a sheet each), visitor (or all) and whether to show full ID numbers."""

    def __init__(self, ctx, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.setWindowTitle("生成巡访回执表")
        today = today or dt.date.today()
        self.year = QSpinBox()
        self.year.setRange(2000, 2099)
        self.year.setValue(today.year)
        self.year.setSuffix(" 年")
        self.month = QSpinBox()
        self.month.setRange(1, 12)
        self.month.setValue(today.month)
        self.month.setSuffix(" 月")
        self.village = QComboBox()
        widgets.refill_choices(self.village, [(v["name"], v["name"]) for v in villages.list_villages(ctx.db)],
                               all_label="全部（每村一个工作表）")
        self.visitor = QComboBox()
        widgets.refill_choices(self.visitor, [(v["name"], v["name"]) for v in visitors.list_visitors(ctx.db)])
        self.one_file_each = QCheckBox("每村一个文件（选择保存的文件夹）")
        self.one_file_each.setToolTip("不勾选：一个文件，每村一个工作表")
        self.village.currentIndexChanged.connect(
            lambda _i: self.one_file_each.setEnabled(self.village.currentData() is None))
        self.full_ids = QCheckBox("显示完整身份证号码（默认只显示前4位和后4位）")
        form = QFormLayout(self)
        form.addRow("年份", self.year)
        form.addRow("月份", self.month)
        form.addRow("村（社区）", self.village)
        form.addRow("巡访责任人", self.visitor)
        form.addRow(self.one_file_each)
        form.addRow(self.full_ids)
        form.addRow(QLabel("每位在册老人预填几行（重点 3 行、一般 2 行），表下留有空行续填；\n"
                           "方式和各项评价为下拉选择，灰色栏已锁定。"))
        form.addRow(widgets.ok_cancel_buttons(self, ok_text="生成…"))

    def choice(self) -> dict:
        return {"month": f"{self.year.value():04d}-{self.month.value():02d}", "village": self.village.currentData(),
                "visitor": self.visitor.currentData(), "full_ids": self.full_ids.isChecked(),
                "one_file_each": self.village.currentData() is None and self.one_file_each.isChecked()}


def make_returns(ctx, parent: QWidget, today: dt.date | None = None) -> None:
    """Ask what to make and where, then write the workbook in the background."""
    dialog = MakeReturnsDialog(ctx, parent, today)
    if not dialog.exec():
        return
    choice = dialog.choice()
    visitor_part = f"_{choice['visitor']}" if choice["visitor"] else ""
    targets: list[tuple[str | None, Path]] = []
    if choice["one_file_each"]:
        folder = ask_folder(parent)
        if not folder:
            return
        from township_desk.models.files import check_output_path

        try:
            for village in [v["name"] for v in villages.list_villages(ctx.db)]:
                target = Path(folder) / f"巡访回执表_{choice['month']}_{village}{visitor_part}.xlsx"
                targets.append((village, check_output_path(target, ctx.db_path)))
        except UserError as exc:
            QMessageBox.warning(parent, "生成巡访回执表", str(exc))
            return
    else:
        name = f"巡访回执表_{choice['month']}_{choice['village'] or '全部'}{visitor_part}.xlsx"
        path = widgets.ask_save_file(parent, "保存巡访回执表", name, "Excel 工作簿 (*.xlsx)", ctx.db_path, ".xlsx",
                                     kind="returns")
        if path is None:
            return
        targets.append((choice["village"], path))
    db_path = ctx.db_path

    def work(job: Job):
        from township_desk.models import db as dbm
        from township_desk.printing.returns_xlsx import write_returns

        db = dbm.connect(db_path)
        written = []
        try:
            for number, (village, target) in enumerate(targets):
                job.progress(number, len(targets), f"正在生成{village or '全部'}的回执表……")
                try:
                    written.append(write_returns(db, choice["month"], target, village=village,
                                                 visitor=choice["visitor"], full_ids=choice["full_ids"], today=today,
                                                 check_cancelled=job.check))
                except UserError:
                    if len(targets) == 1:
                        raise
                    # one file each: a village with nobody on the plan (or not this visitor's) gets no file
            if not written:
                raise UserError(f"{choice['month']} 没有在巡访计划中的老人，未生成回执表")
            return written
        finally:
            db.close()

    def done(written) -> None:
        places = "\n".join(str(w.path) for w in written)
        QMessageBox.information(parent, "生成巡访回执表",
                                f"已保存 {len(written)} 个文件：\n{places}\n"
                                f"{sum(len(w.sheets) for w in written)} 个村，{sum(w.elders for w in written)} 位老人，"
                                f"{sum(w.rows for w in written)} 行。请交各村巡访人员填写后收回导入。")

    run_job(parent, "生成巡访回执表", work, on_done=done)


class ReturnsPreviewDialog(QDialog):
    """Every filled row and what the import will do with it; the proposed hazards to confirm; then 导入."""

    def __init__(self, staged: returns.StagedReturns, parent: QWidget | None = None):
        super().__init__(parent)
        self.staged = staged
        self.setWindowTitle("导入巡访回执表：核对")
        record = len(staged.to_record)
        skip = sum(1 for o in staged.outcomes if o.status == "skip")
        error = sum(1 for o in staged.outcomes if o.status == "error")
        files = "、".join(f"{r.path.name}（{r.township} {r.month}）" for r in staged.files)
        self.summary = QLabel(f"{files}\n将登记巡访 {record} 次；已登记过而跳过 {skip} 行；有问题不导入 {error} 行"
                              "（红色，改正后可再导入同一文件，已导入的不会重复）。")
        self.summary.setWordWrap(True)
        rows = []
        for o in staged.outcomes:
            rows.append({"status": o.status, "status_label": o.status_label, "village": o.village, "name": o.name,
                         "date": o.date, "mode": o.mode, "message": o.message if o.status != "record" else "",
                         "hazard": o.hazard or "", "where": f"{o.file} › {o.sheet} 第{o.row}行"})
        self.model = RowsModel(PREVIEW_COLUMNS, rows,
                               color=lambda r: RED if r["status"] == "error" else GREY if r["status"] == "skip" else None)
        self.table = widgets.table_view(self.model, stretch_column=len(PREVIEW_COLUMNS) - 1)
        self.hazards = QListWidget()
        for o in staged.hazards:
            item = QListWidgetItem(f"{o.village} {o.name} {o.date}：{o.hazard}"
                                   + ("（已通报赡养人）" if o.supporter_told else ""))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.hazards.addItem(item)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 3)
        if staged.hazards:
            layout.addWidget(QLabel(f"巡访发现的风险隐患 {len(staged.hazards)} 项：勾选的将登记为风险隐患（不是隐患的请取消勾选）"))
            self.hazards.setMaximumHeight(120)
            layout.addWidget(self.hazards, 1)
        else:
            self.hazards.hide()
        buttons = widgets.ok_cancel_buttons(self, ok_text=f"导入 {record} 次巡访")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(record or staged.hazards))
        layout.addWidget(buttons)
        widgets.size_for_screen(self, 1200, 680)

    def chosen_hazards(self) -> list[int]:
        """Indexes (in ``staged.hazards``) of the hazards left ticked."""
        return [k for k in range(self.hazards.count())
                if self.hazards.item(k).checkState() == Qt.CheckState.Checked]


def ask_folder(parent: QWidget) -> str:
    folder = QFileDialog.getExistingDirectory(parent, "选择保存回执表的文件夹", str(widgets.start_folder("returns")))
    if folder:
        widgets.remember_folder("returns", Path(folder) / "x.xlsx")
    return folder


def ask_return_files(parent: QWidget) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(parent, "选择填好的巡访回执表", widgets.start_path("returns"),
                                            "Excel 工作簿 (*.xlsx *.xlsm);;所有文件 (*)")
    if files:
        widgets.remember_folder("returns", Path(files[0]))
    return files


def import_returns(ctx, parent: QWidget, today: dt.date | None = None, *, files: list[str] | None = None,
                   on_imported=None) -> None:
    """Choose the filled returns, read and check them in the background, show the preview, and on 导入 record
    them in one transaction in the background; ``on_imported(result)`` then runs (the page refreshes)."""
    files = files if files is not None else ask_return_files(parent)
    if not files:
        return
    db_path = ctx.db_path

    def read(job: Job):
        from township_desk.models import db as dbm

        db = dbm.connect(db_path)
        try:
            return returns.read_and_stage(db, files, today=today, progress=job.progress, check_cancelled=job.check)
        finally:
            db.close()

    def preview(staged: returns.StagedReturns) -> None:
        if not staged.outcomes:
            QMessageBox.information(parent, "导入巡访回执表", "回执表中没有填写任何巡访。")
            return
        dialog = ReturnsPreviewDialog(staged, parent)
        if not dialog.exec():
            return
        chosen = dialog.chosen_hazards()

        def write(job: Job):
            return returns.import_returns(job.connect(db_path), staged, open_hazards=chosen, today=today,
                                          progress=job.progress, check_cancelled=job.check)

        def done(result: returns.ReturnsResult) -> None:  # run_job announced the visits and hazards written
            QMessageBox.information(parent, "导入巡访回执表",
                                    f"已登记巡访 {result.visits} 次，登记风险隐患 {len(result.hazards_opened)} 项；"
                                    f"跳过 {result.skipped} 行。")
            if on_imported:
                on_imported(result)

        run_job(parent, "导入巡访回执表", write, on_done=done, ctx=ctx)

    run_job(parent, "读取巡访回执表", read, on_done=preview)
