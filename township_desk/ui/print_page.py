"""打印 page: the documents on the left (``printing.kinds.KINDS``, one entry each), and for the chosen one only
its own options and a preview that says how many and who; the .docx is written in a worker (progress + cancel),
then opened in Word/WPS or sent to the printer, and converted to PDF when that is possible."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders as elders_model
from township_desk.models import printouts
from township_desk.models import villages as villages_model
from township_desk.models.errors import UserError
from township_desk.printing import convert, docx_render, kinds
from township_desk.ui import jobs, widgets
from township_desk.ui.after_save import COPIES_TEXT, ask_after_save
from township_desk.ui.widgets import ask_save_file, keep_to_working_dates, qdate

ALL_VILLAGES = "（全部村）"
PREVIEW_LINES = 300  # the count says the rest; a township's 30,000 names would only slow the page
SEARCH_LIMIT = 200


class CheckList(QWidget):
    """A list of ticked rows (elders, agreements) with 全选 and 全不选."""

    def __init__(self, on_change, parent: QWidget | None = None):
        super().__init__(parent)
        self.items = QListWidget()
        self.items.setMinimumHeight(120)
        self.all_button = QPushButton("全选")
        self.none_button = QPushButton("全不选")
        self.note = QLabel()
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.items, 1)
        layout.addLayout(row)
        self.all_button.clicked.connect(lambda: self.set_all(True))
        self.none_button.clicked.connect(lambda: self.set_all(False))
        self.items.itemChanged.connect(lambda _item: on_change())
        self._on_change = on_change

    def fill(self, rows: list[tuple[str, int]], checked: bool) -> None:
        self.items.blockSignals(True)
        self.items.clear()
        for label, key in rows:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.items.addItem(item)
        self.items.blockSignals(False)

    def set_all(self, checked: bool, keys: set | None = None) -> None:
        """Tick every row (or, with ``keys``, exactly those rows)."""
        self.items.blockSignals(True)
        for row in range(self.items.count()):
            item = self.items.item(row)
            on = checked if keys is None else item.data(Qt.ItemDataRole.UserRole) in keys
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.items.blockSignals(False)
        self._on_change()

    def keys(self) -> list:
        return [self.items.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.items.count())]

    def checked(self) -> list:
        return [self.items.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.items.count())
                if self.items.item(r).checkState() == Qt.CheckState.Checked]


class PrintPage(QWidget):
    """The 打印 page (pages.PAGES)."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"elders", "villages", "agreements", "visits", "settings"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_file: Path | None = None

        self.kinds = QListWidget()
        for code, kind in kinds.KINDS.items():
            item = QListWidgetItem(kind.label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setToolTip(kind.description)
            self.kinds.addItem(item)
        self.kinds.setFixedWidth(150)
        big = QFont(self.kinds.font())
        big.setPointSizeF(big.pointSizeF() * 1.15)
        self.kinds.setFont(big)
        self.kinds.setSpacing(3)

        self.title = QLabel()
        title_font = QFont(self.title.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        self.title.setFont(title_font)
        self.description = QLabel()
        self.description.setWordWrap(True)

        # one control per option of printing.kinds.OPTIONS the page offers ("visit" is the command line's)
        self.village = QComboBox()
        self.village.setMinimumWidth(200)
        self.village.setMaximumWidth(320)
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入姓名、拼音或身份证号码查找老人（不输入：所选村的全部老人）")
        self.search.setMaximumWidth(520)
        self.elders = CheckList(self.update_preview)
        self.agreements = CheckList(self.update_preview)
        self.month_button = QPushButton("勾选截至日期当月到期的协议")
        self.month_button.clicked.connect(self.check_ending_this_month)
        self.agreements.layout().itemAt(1).layout().insertWidget(2, self.month_button)
        self.as_of = QDateEdit(qdate(ctx.today()))
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy年M月d日")
        keep_to_working_dates(self.as_of)
        self.as_of.setMaximumWidth(200)
        self.blank = QCheckBox("空白表（不填内容，供手写）")
        self.full_ids = QCheckBox("显示完整身份证号码（默认隐去中间数字）")
        self.copies = QCheckBox(COPIES_TEXT)
        elder_box = QWidget()
        elder_layout = QVBoxLayout(elder_box)
        elder_layout.setContentsMargins(0, 0, 0, 0)
        elder_layout.addWidget(self.search)
        elder_layout.addWidget(self.elders, 1)
        self.controls: dict[str, QWidget] = {
            "village": self.village, "elder": elder_box, "agreements": self.agreements, "as_of": self.as_of,
            "blank": self.blank, "full_ids": self.full_ids, "copies": self.copies}
        labels = {"village": "村（社区）：", "elder": "老人：", "agreements": "互助协议：", "as_of": "截至日期："}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for option in ("village", "elder", "agreements", "as_of", "blank", "full_ids", "copies"):
            self.form.addRow(labels.get(option, ""), self.controls[option])
        self.group = widgets.GroupFilter()  # by village (or all): only this 巡访对象类别
        self.group.setMaximumWidth(200)
        self.group_note = QLabel()  # what 全部 means for this kind, or why it takes no group
        self.group_note.setWordWrap(True)
        self.group_row = QWidget()
        group_layout = QHBoxLayout(self.group_row)
        group_layout.setContentsMargins(0, 0, 0, 0)
        group_layout.addWidget(self.group)
        group_layout.addWidget(self.group_note, 1)
        self.form.insertRow(1, f"{widgets.GroupFilter.LABEL}：", self.group_row)

        self.summary = QLabel()
        self.summary.setWordWrap(True)  # a long folder path (模板文件夹, a saved file) wraps instead of widening the page
        summary_font = QFont(self.summary.font())
        summary_font.setBold(True)
        self.summary.setFont(summary_font)
        self.pages = QListWidget()
        self.pages.setMinimumHeight(90)
        # the lines flow in columns: a village's names are seen at a glance without scrolling
        self.pages.setFlow(QListView.Flow.TopToBottom)
        self.pages.setWrapping(True)
        self.pages.setResizeMode(QListView.ResizeMode.Adjust)
        self.write_button = QPushButton("生成 Word 文件…")
        self.write_button.setDefault(True)
        self.open_button = QPushButton("打开")
        self.open_button.setToolTip("用 Word/WPS（本机默认程序）打开刚生成的文件")
        self.print_button = QPushButton("打印")
        self.print_button.setToolTip("把刚生成的文件送到默认打印机（Windows；其他系统打开文件后从中打印）")
        self.pdf_button = QPushButton("转为 PDF")
        for button in (self.open_button, self.print_button, self.pdf_button):
            button.setEnabled(False)
        self.pdf_possible = convert.pdf_available()
        if not self.pdf_possible:
            self.pdf_button.setToolTip(convert.NOT_AVAILABLE)
        self.forms_button = QPushButton("打开模板文件夹")
        self.forms_button.setToolTip("在 Word/WPS 中修改打印模板：改好的模板保存在数据文件夹中，升级程序后仍然保留。")
        buttons = QHBoxLayout()
        for button in (self.write_button, self.open_button, self.print_button, self.pdf_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.forms_button)

        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.description)
        right.addLayout(self.form)
        right.addWidget(self.summary)
        right.addWidget(self.pages, 2)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.kinds)
        layout.addLayout(right, 1)
        self.right = right

        self.kinds.currentItemChanged.connect(lambda _item, _previous: self._kind_changed())
        self.village.currentIndexChanged.connect(self._village_changed)
        self.group.currentIndexChanged.connect(lambda _i: self._village_changed())
        self.search.textChanged.connect(lambda _text: self._load_elders())
        for box in (self.blank, self.full_ids, self.copies):
            box.toggled.connect(lambda _on: self.update_preview())
        self.as_of.dateChanged.connect(lambda _d: self.update_preview())
        self.write_button.clicked.connect(self.choose_file_and_write)
        self.open_button.clicked.connect(self.open_file)
        self.print_button.clicked.connect(self.print_file)
        self.pdf_button.clicked.connect(self.make_pdf)
        self.forms_button.clicked.connect(self.open_forms_folder)
        self.kinds.setCurrentRow(0)
        self.refresh()

    # ------------------------------------------------------------ choosing

    def can_close(self) -> bool:
        return True  # nothing unsaved is held on this page

    def kind(self) -> kinds.DocumentKind:
        item = self.kinds.currentItem()
        return kinds.KINDS[item.data(Qt.ItemDataRole.UserRole) if item else next(iter(kinds.KINDS))]

    def choose_kind(self, code: str) -> None:
        for row in range(self.kinds.count()):
            if self.kinds.item(row).data(Qt.ItemDataRole.UserRole) == code:
                self.kinds.setCurrentRow(row)
                return

    def refresh(self) -> None:
        """Reload villages (keeping the choice), the lists and the preview."""
        current = self.village.currentText()
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(ALL_VILLAGES, None)
        for name in villages_model.names_in_order(self.ctx.db):
            self.village.addItem(name, name)
        self.village.setCurrentIndex(max(self.village.findText(current), 0))
        self.village.blockSignals(False)
        self._kind_changed()

    def apply_filters(self, filters: dict) -> None:
        """``kind`` (a KINDS code), ``village``, ``elder_id``, ``agreement_ids`` from another page."""
        if "kind" in filters:
            self.choose_kind(filters["kind"])
        if filters.get("village"):
            self.village.setCurrentIndex(max(self.village.findText(filters["village"]), 0))
        if filters.get("elder_id") is not None:
            elder = elders_model.get_elder(self.ctx.db, int(filters["elder_id"]))
            self.search.setText(elder["id_number"])
            self.elders.set_all(False, {elder["id"]})
        if filters.get("agreement_ids"):
            self.agreements.set_all(False, {int(i) for i in filters["agreement_ids"]})
        self.update_preview()

    @staticmethod
    def shown_options(kind: kinds.DocumentKind) -> set[str]:
        """The kind's options the page shows: agreements are ticked in their own list, which is then the way to
        choose (the command line's --elder picks an elder's agreements); --visit is the command line's."""
        shown = set(kind.options) - {"visit"}
        if "agreements" in shown:
            shown.discard("elder")
        return shown

    def _kind_changed(self) -> None:
        """Show the chosen kind's own options and nothing else."""
        kind = self.kind()
        self.title.setText(kind.label)
        self.description.setText(kind.description)
        shown = self.shown_options(kind)
        for option, control in self.controls.items():
            self.form.setRowVisible(control, option in shown)
        self._show_group(kind)
        if "elder" in shown:
            self._load_elders()
        if "agreements" in shown:
            self._load_agreements()
        self.update_preview()

    def _show_group(self, kind: kinds.DocumentKind) -> None:
        """Every kind that takes a 对象类别 (``printing.kinds``: "group") offers it; one that cannot says why in its
        place (a greyed choice would still show a group that is not applied)."""
        takes = kind.uses("group")
        self.group.setVisible(takes)
        if not takes:
            self.group_note.setText(kind.no_group or f"{kind.label}不按对象类别挑选")
        elif kind.code == "roster":
            self.group_note.setText("选“全部”：列出全部巡访对象并注明对象类别")
        elif "elder" in kind.options:
            self.group_note.setText("标题按每位老人所属类别" if kind.uses("blank") else "")
        else:
            self.group_note.setText("")

    def _village_changed(self) -> None:
        shown = self.shown_options(self.kind())
        if "elder" in shown:
            self._load_elders()
        if "agreements" in shown:
            self._load_agreements()
        self.update_preview()

    def _load_elders(self) -> None:
        """A village's elders still looked after, all ticked; or the people found by the search, ticked when one."""
        text = self.search.text().strip()
        village = self.village.currentData()
        if text:
            query = elders_model.ElderQuery(search=text, village=village)
            rows = elders_model.list_elders(self.ctx.db, query, limit=SEARCH_LIMIT)
            self.elders.fill([(f"{r['name']}　{r['village']}　{r['id_number']}　{r['status']}", r["id"])
                              for r in rows], checked=len(rows) == 1)
            self.elders.note.setText(f"找到 {len(rows)} 人，请勾选要打印的老人" if rows else "没有找到")
        elif village:
            rows = printouts.looked_after(self.ctx.db, village, self.selected_group(), self.as_of.date().toPython())
            self.elders.fill([(f"{r['name']}　{r['id_number']}　{r['status']}", r["id"]) for r in rows], checked=True)
            self.elders.note.setText(f"{village}在册和暂离的老人，可取消勾选")
        else:
            self.elders.fill([], checked=False)
            self.elders.note.setText("全部村（社区）在册和暂离的老人；选择某村或输入姓名可逐人挑选")
        for button in (self.elders.all_button, self.elders.none_button):
            button.setEnabled(self.elders.items.count() > 0)
        self.elders.items.setVisible(bool(text or village))  # the whole township is not listed name by name
        self.update_preview()

    def _load_agreements(self) -> None:
        from township_desk.models import agreements

        rows = agreements.list_agreements(self.ctx.db, village=self.village.currentData())
        self.agreements.fill([(f"第{r['id']}号　{r['village']}　{r['elder_name']}　{r['template']}　{r['status']}"
                               f"　{r['start_date'] or ''}至{r['end_date'] or ''}", r["id"]) for r in rows],
                             checked=False)
        self.agreements.note.setText(f"{len(rows)} 份协议" if rows else "没有协议")

    def check_ending_this_month(self) -> None:
        """Tick the signed agreements ending in the month of the 截至日期 (printed together for renewal)."""
        day = self.as_of.date().toPython()
        self.agreements.set_all(False, set(printouts.agreements_ending_in_month(self.ctx.db, day)))

    def selection(self) -> printouts.Selection:
        """The current choice, as the printing registry takes it."""
        kind = self.kind()
        elder_ids: tuple[int, ...] | None = None
        village = self.village.currentData() if kind.uses("village") else None
        if "elder" in self.shown_options(kind) and self.elders.items.count():
            checked = self.elders.checked()
            everyone = not self.search.text().strip() and len(checked) == self.elders.items.count()
            # the whole village ticked is the village (its order, and nobody added since is missed)
            elder_ids = None if everyone else tuple(checked)  # none ticked prints nobody
        blank = kind.uses("blank") and self.blank.isChecked()
        return printouts.Selection(
            kind=kind.code, elder_ids=elder_ids, village=village,
            agreement_ids=tuple(self.agreements.checked()) if kind.uses("agreements") else None,
            blank=blank, full_ids=kind.uses("full_ids") and self.full_ids.isChecked(),
            as_of=self.as_of.date().toPython(), copies=4 if kind.uses("copies") and self.copies.isChecked() else 1,
            group=self.selected_group())

    def selected_group(self) -> str | None:
        return self.group.group() if self.kind().uses("group") else None

    def _fit(self, kind: kinds.DocumentKind) -> None:
        """Lists of names to tick share the height with the preview; without one the preview takes it all."""
        shown = self.shown_options(kind)
        ticking = "agreements" in shown or ("elder" in shown and not self.elders.items.isHidden())
        self.right.setStretchFactor(self.form, 3 if ticking else 0)
        for widget in (self.elders, self.controls["elder"]):
            widget.updateGeometry()  # a list hidden inside a shown row gives its height back
        self.right.invalidate()

    def update_preview(self) -> None:
        """Say how many will print (暂离 included, said) and list the first of them; write only when there is some."""
        self.pages.clear()
        kind = self.kind()
        self._fit(kind)
        try:
            items = kinds.preview(self.ctx.db, self.selection())
        except UserError as exc:
            items = []
            self.summary.setText(str(exc))
        else:
            self.summary.setText(kind.summary(items))
        lines = [item.label for item in items[:PREVIEW_LINES]]
        if len(items) > PREVIEW_LINES:
            lines.append(f"……另有 {len(items) - PREVIEW_LINES} 份")
        metrics = self.pages.fontMetrics()
        widest = max((metrics.horizontalAdvance(line) for line in lines), default=0)
        self.pages.setGridSize(QSize(widest + 3 * metrics.horizontalAdvance("　"), metrics.height() + 4))
        self.pages.addItems(lines)
        copies = self.selection().copies
        if copies > 1 and items:
            self.summary.setText(self.summary.text() + f"，一式四份共 {len(items) * copies} 份")
        self.write_button.setEnabled(bool(items) or kind.empty_ok)

    # ------------------------------------------------------------ writing

    def suggested_name(self) -> str:
        selection = self.selection()
        who = selection.village or "全乡镇"
        chosen = selection.elder_ids or ()
        if len(chosen) == 1:
            who = elders_model.get_elder(self.ctx.db, chosen[0])["name"]
        stamp = (selection.as_of or self.ctx.today()).strftime("%Y%m%d")
        group = f"_{selection.group}" if selection.group else ""  # 花名册_城市独居_城东社区_20261120.docx
        return f"{self.kind().label}{group}_{who}_{stamp}.docx"

    def choose_file_and_write(self) -> None:
        start = self.suggested_name()
        path = ask_save_file(self, "保存打印文件", start, "Word 文件 (*.docx)", self.ctx.db_path, ".docx", kind="print")
        if path is not None:
            self.write(path)

    def write(self, target: Path) -> jobs.Job:
        """Render in a worker with its own connection; the file appears only when complete."""
        selection = self.selection()
        db_path = self.ctx.db_path

        def work(job: jobs.Job) -> tuple[Path, int, list[str]]:
            from township_desk.models import db as dbm

            db = dbm.connect(db_path)
            problems: list[str] = []
            try:
                count = kinds.write(
                    db, selection, target, progress=lambda done, total: job.progress(done, total, "正在生成……"),
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
        for button in (self.open_button, self.print_button):
            button.setEnabled(True)
        self.pdf_button.setEnabled(self.pdf_possible)
        # what was left out or printed incomplete (an elder without a visitor, a photo not on file) is said
        noted = f"；{len(problems)} 项未打印或不完整：" + "；".join(problems[:3]) + ("……" if len(problems) > 3 else "")
        self.summary.setText(f"已生成 {count} 份：{target}" + (noted if problems else ""))
        if problems:
            QMessageBox.warning(self, "打印", "以下内容未打印或不完整：\n" + "\n".join(problems[:20])
                                + (f"\n……共 {len(problems)} 项" if len(problems) > 20 else ""))
        choice = ask_after_save(self, target.name, count)
        if choice == "open":
            self.open_file()
        elif choice == "print":
            self.print_file()

    def open_file(self) -> None:
        if self.last_file is not None:
            widgets.open_in_system(self, self.last_file)

    def print_file(self) -> None:
        if self.last_file is not None:
            widgets.print_in_system(self, self.last_file)

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
