"""打印 page: choose the document, then who (one elder, a village, agreements), see what will print, write the
.docx in a worker (progress + cancel), open it with Word/WPS, and convert it to PDF when that is possible."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders as elders_model
from township_desk.models import villages as villages_model
from township_desk.models.errors import UserError
from township_desk.printing import convert, documents, docx_render
from township_desk.ui import jobs, widgets
from township_desk.ui.widgets import ask_save_file, keep_to_working_dates, qdate

ALL_VILLAGES = "（全部村）"
NO_ELDER = "（不指定，按村打印）"


class PrintPage(QWidget):
    """The 打印 page (pages.PAGES)."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"elders", "villages", "agreements", "visits", "settings"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_file: Path | None = None
        self._elder_id: int | None = None

        self.kind = QComboBox()
        for key, label in documents.KINDS.items():
            self.kind.addItem(label, key)
        self.village = QComboBox()
        self.group = widgets.GroupFilter()  # by village (or all): only this 巡访对象类别
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入姓名、拼音首字母或身份证号码查找老人")
        self.matches = QListWidget()
        self.matches.setMaximumHeight(110)
        self.agreements = QListWidget()
        self.agreements.setMaximumHeight(140)
        self.blank = QCheckBox("空白表（不填内容，供手写）")
        self.full_ids = QCheckBox("显示完整身份证号码（默认隐去中间数字）")
        self.as_of = QDateEdit(qdate(ctx.today()))
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy年M月d日")
        keep_to_working_dates(self.as_of)

        form = QFormLayout()
        form.addRow("打印内容：", self.kind)
        form.addRow("村（社区）：", self.village)
        form.addRow(f"{widgets.GroupFilter.LABEL}：", self.group)
        form.addRow("老人：", self.search)
        form.addRow("", self.matches)
        self.month_button = QPushButton("勾选截至日期当月到期的协议")
        self.month_button.clicked.connect(self.check_ending_this_month)
        form.addRow("互助协议：", self.agreements)
        form.addRow("", self.month_button)
        form.addRow("截至日期：", self.as_of)
        form.addRow("", self.blank)
        form.addRow("", self.full_ids)

        self.summary = QLabel()
        self.summary.setWordWrap(True)  # a long folder path (模板文件夹, a saved file) wraps instead of widening the page
        self.pages = QListWidget()
        self.write_button = QPushButton("生成 Word 文件…")
        self.open_button = QPushButton("打开")
        self.pdf_button = QPushButton("转为 PDF")
        self.open_button.setEnabled(False)
        self.pdf_possible = convert.pdf_available()
        self.pdf_button.setEnabled(False)
        if not self.pdf_possible:
            self.pdf_button.setToolTip(convert.NOT_AVAILABLE)
        self.forms_button = QPushButton("打开模板文件夹")
        self.forms_button.setToolTip("在 Word/WPS 中修改打印模板：改好的模板保存在数据文件夹中，升级程序后仍然保留。")
        buttons = QHBoxLayout()
        for button in (self.write_button, self.open_button, self.pdf_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.forms_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("将打印（每份一页）："))
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.village.currentIndexChanged.connect(self._village_changed)
        self.group.currentIndexChanged.connect(lambda _i: self.update_preview())
        self.search.textChanged.connect(self._search)
        self.matches.currentItemChanged.connect(self._elder_chosen)
        self.agreements.itemChanged.connect(lambda _item: self.update_preview())
        for box in (self.blank, self.full_ids):
            box.toggled.connect(lambda _on: self.update_preview())
        self.as_of.dateChanged.connect(lambda _d: self.update_preview())
        self.write_button.clicked.connect(self.choose_file_and_write)
        self.open_button.clicked.connect(self.open_file)
        self.pdf_button.clicked.connect(self.make_pdf)
        self.forms_button.clicked.connect(self.open_forms_folder)
        self.refresh()

    # ------------------------------------------------------------ choosing

    def can_close(self) -> bool:
        return True  # nothing unsaved is held on this page

    def refresh(self) -> None:
        """Reload villages (keeping the choice) and the preview."""
        current = self.village.currentText()
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(ALL_VILLAGES, None)
        for row in villages_model.list_villages(self.ctx.db):
            self.village.addItem(row["name"], row["name"])
        index = self.village.findText(current)
        self.village.setCurrentIndex(max(index, 0))
        self.village.blockSignals(False)
        self._kind_changed()

    def apply_filters(self, filters: dict) -> None:
        """``kind`` (KINDS key), ``village``, ``elder_id``, ``agreement_ids`` from another page."""
        if "kind" in filters:
            self.kind.setCurrentIndex(max(self.kind.findData(filters["kind"]), 0))
        if filters.get("village"):
            self.village.setCurrentIndex(max(self.village.findText(filters["village"]), 0))
        if filters.get("elder_id") is not None:
            elder = elders_model.get_elder(self.ctx.db, int(filters["elder_id"]))
            self.search.setText(elder["id_number"])
            self._elder_id = elder["id"]
        if filters.get("agreement_ids"):
            wanted = {int(i) for i in filters["agreement_ids"]}
            for row in range(self.agreements.count()):
                item = self.agreements.item(row)
                item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                                   else Qt.CheckState.Unchecked)
        self.update_preview()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        by_person = kind in ("registration", "visit-form", "notice-cards")
        self.search.setEnabled(by_person)
        self.matches.setEnabled(by_person)
        self.agreements.setEnabled(kind == "agreement")
        self.month_button.setEnabled(kind == "agreement")
        self.blank.setEnabled(kind in ("registration", "visit-form"))
        self.full_ids.setEnabled(kind == "roster")
        self.group.setEnabled(kind in ("registration", "visit-form", "notice-cards", "roster", "overdue"))
        self.as_of.setEnabled(kind in ("overdue", "registration", "roster", "notice-cards"))
        if kind == "agreement":
            self._load_agreements()
        self.update_preview()

    def _village_changed(self) -> None:
        if self.kind.currentData() == "agreement":
            self._load_agreements()
        self.update_preview()

    def _load_agreements(self) -> None:
        from township_desk.models import agreements

        self.agreements.blockSignals(True)
        self.agreements.clear()
        for row in agreements.list_agreements(self.ctx.db, village=self.village.currentData()):
            label = (f"第{row['id']}号　{row['village']}　{row['elder_name']}　{row['template']}　{row['status']}"
                     f"　{row['start_date'] or ''}至{row['end_date'] or ''}")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.agreements.addItem(item)
        self.agreements.blockSignals(False)

    def check_ending_this_month(self) -> None:
        """Tick the signed agreements ending in the month of the 截至日期 (printed together for renewal)."""
        wanted = set(documents.agreements_ending_in_month(self.ctx.db, self.as_of.date().toPython()))
        self.agreements.blockSignals(True)
        for row in range(self.agreements.count()):
            item = self.agreements.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)
        self.agreements.blockSignals(False)
        self.update_preview()

    def _search(self, text: str) -> None:
        self.matches.clear()
        self._elder_id = None
        text = text.strip()
        if text:
            query = elders_model.ElderQuery(search=text, village=self.village.currentData())
            self.matches.addItem(NO_ELDER)
            for row in elders_model.list_elders(self.ctx.db, query, limit=50):
                item = QListWidgetItem(f"{row['name']}　{row['village']}　{row['id_number']}　{row['status']}")
                item.setData(Qt.ItemDataRole.UserRole, row["id"])
                self.matches.addItem(item)
            if self.matches.count() == 2:  # exactly one person found: take them
                self.matches.setCurrentRow(1)
        self.update_preview()

    def _elder_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        self._elder_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.update_preview()

    def request(self) -> documents.PrintRequest:
        """The current choice as a printing request."""
        kind = self.kind.currentData()
        agreement_ids = tuple(
            self.agreements.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.agreements.count())
            if self.agreements.item(row).checkState() == Qt.CheckState.Checked)
        by_person = kind in ("registration", "visit-form", "notice-cards")
        return documents.PrintRequest(
            kind=kind, elder_id=self._elder_id if by_person else None, village=self.village.currentData(),
            agreement_ids=agreement_ids if kind == "agreement" else (),
            blank=self.blank.isChecked() and self.blank.isEnabled(),
            full_ids=self.full_ids.isChecked() and kind == "roster", as_of=self.as_of.date().toPython(),
            group=self.group.group() if self.group.isEnabled() else None)

    def update_preview(self) -> None:
        """List what will print and how many; the write button only when there is something."""
        self.pages.clear()
        try:
            pages = documents.request_pages(self.ctx.db, self.request())
        except UserError as exc:
            pages = []
            self.summary.setText(str(exc))
        else:
            label = self.kind.currentText()
            self.summary.setText(f"共 {len(pages)} 份{label}" if pages else "没有可打印的内容，请先选择")
        for line in pages[:2000]:  # a township has a few thousand people at most; the count says the rest
            self.pages.addItem(line)
        self.write_button.setEnabled(bool(pages))

    # ------------------------------------------------------------ writing

    def suggested_name(self) -> str:
        request = self.request()
        who = request.village or "全乡镇"
        if request.elder_id is not None:
            who = elders_model.get_elder(self.ctx.db, request.elder_id)["name"]
        elif request.group:
            who += request.group
        stamp = (request.as_of or self.ctx.today()).strftime("%Y%m%d")
        return f"{self.kind.currentText()}_{who}_{stamp}.docx"

    def choose_file_and_write(self) -> None:
        start = self.suggested_name()
        path = ask_save_file(self, "保存打印文件", start, "Word 文件 (*.docx)", self.ctx.db_path, ".docx", kind="print")
        if path is not None:
            self.write(path)

    def write(self, target: Path) -> jobs.Job:
        """Render in a worker with its own connection; the file appears only when complete."""
        request = self.request()
        db_path = self.ctx.db_path

        def work(job: jobs.Job) -> tuple[Path, int, list[str]]:
            from township_desk.models import db as dbm

            db = dbm.connect(db_path)
            problems: list[str] = []
            try:
                count = documents.print_request(
                    db, request, target, progress=lambda done, total: job.progress(done, total, "正在生成……"),
                    check_cancelled=job.check, problems=problems)
            finally:
                db.close()
            return target, count, problems

        return self._run("生成打印文件", work, self._written)

    def _run(self, title: str, work, on_done) -> jobs.Job:
        """``work(job)`` as a background job (ui.jobs) with a progress dialog that can cancel; ``on_done`` here."""

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                self.summary.setText(str(exc))
                QMessageBox.warning(self, title, str(exc))
            else:
                from township_desk.ui import crash

                crash.report(exc, None, self)

        return jobs.run_job(self, title, work, on_done=on_done, on_error=failed,
                            on_cancel=lambda: self.summary.setText(f"{title}已取消，未写入文件。"))

    def _written(self, result: tuple[Path, int, list[str]]) -> None:
        target, count, problems = result
        self.last_file = target
        self.open_button.setEnabled(True)
        self.pdf_button.setEnabled(self.pdf_possible)
        # what was left out or printed incomplete (an elder without a visitor, a photo not on file) is said
        noted = f"；{len(problems)} 项未打印或不完整：" + "；".join(problems[:3]) + ("……" if len(problems) > 3 else "")
        self.summary.setText(f"已生成 {count} 份：{target}" + (noted if problems else ""))
        if problems:
            QMessageBox.warning(self, "打印", "以下内容未打印或不完整：\n" + "\n".join(problems[:20])
                                + (f"\n……共 {len(problems)} 项" if len(problems) > 20 else ""))
        answer = QMessageBox.question(self, "打印", f"已生成 {target.name}（{count} 份）。现在用 Word/WPS 打开吗？")
        if answer == QMessageBox.StandardButton.Yes:
            self.open_file()

    def open_file(self) -> None:
        if self.last_file is None:
            return
        widgets.open_in_system(self, self.last_file)

    def open_forms_folder(self) -> None:
        """Copy the shipped templates into the office's template folder (an edited one is kept) and open it."""
        try:
            folder, copied = docx_render.copy_default_forms()
        except (UserError, OSError) as exc:
            QMessageBox.warning(self, "打开模板文件夹", f"无法准备模板文件夹：{exc}")
            return
        note = f"已放入 {len(copied)} 个默认模板；" if copied else ""
        self.summary.setText(f"模板文件夹：{folder}（{note}在 Word/WPS 中修改并保存后，打印时即使用修改后的模板；"
                             "删除某个模板即恢复默认）")
        widgets.open_in_system(self, folder, title="打开模板文件夹")

    def make_pdf(self) -> None:
        if self.last_file is None:
            return
        source = self.last_file

        def work(job: jobs.Job) -> Path:
            job.progress(0, 0, "正在转为 PDF……")
            return convert.to_pdf(source)

        def done(pdf: Path) -> None:
            self.summary.setText(f"已转为 PDF：{pdf}")
            widgets.open_in_system(self, pdf, title="转为 PDF")

        self._run("转为 PDF", work, done)
