"""首次使用向导: a new ledger walked through 乡镇名称, 认定政策, 村（社区）, 巡访责任人 and 导入台账.

Each page saves through the model that owns it (``settings.put``, ``settings.apply_profile``,
``villages.save_village``, ``visitors.save_visitor``, the import wizard and the elder editor), the moment the clerk
moves on or presses 添加, and announces what it wrote; nothing is kept back for a final "finish". 以后再说 leaves it
at any step; 帮助 → 首次使用向导 (or the 首页's 开始使用 panel) opens it again at the first step not yet done
(``models.first_start``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from township_desk.models import first_start, settings, villages, visitors
from township_desk.models.errors import UserError
from township_desk.ui.profile_dialog import add_profile_buttons, chosen_profile

ERROR_STYLE = "color: #c62828"
WARNING_STYLE = "color: #8a4b00"
NOTE_STYLE = "color: #555555"


def _note(text: str, style: str = NOTE_STYLE) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label


class _EnterAdds(QObject):
    """Enter in a field runs ``add`` and stays on the page: a line edit passes Enter on to the wizard, whose default
    button (下一步) would otherwise leave the page after the first village."""

    def __init__(self, edit: QLineEdit, add):
        super().__init__(edit)
        self._add = add
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._add()
            return True
        return False


class _Step(QWizardPage):
    """A page of the walkthrough: its step key, the shared context, and a line for what went wrong."""

    KEY = ""

    def __init__(self, wizard: FirstStartWizard, title: str, subtitle: str):
        super().__init__()
        self.ctx = wizard.ctx
        number = first_start.STEPS.index(self.KEY) + 1
        self.setTitle(f"第 {number} 步（共 {len(first_start.STEPS)} 步）：{title}")
        self.setSubTitle(subtitle)
        self.error = _note("", ERROR_STYLE)
        self.error.hide()

    def say_error(self, text: str, *, warning: bool = False) -> None:
        """What the model refused (red), or a doubt about what it kept (``warning``, amber); "" clears it."""
        self.error.setStyleSheet(WARNING_STYLE if warning else ERROR_STYLE)
        self.error.setText(text)
        self.error.setVisible(bool(text))


class TownshipStep(_Step):
    KEY = "township"

    def __init__(self, wizard: FirstStartWizard):
        super().__init__(wizard, "乡镇名称", "乡镇（街道）名称印在登记表、花名册、告知卡和月度报表上。")
        values = settings.get_all(self.ctx.db)
        self.township = QLineEdit(values.get("township_name") or "")
        self.township.setPlaceholderText("例如：青山镇")
        self.county = QLineEdit(values.get("county_name") or "")
        self.county.setPlaceholderText("例如：峨眉山市（可不填）")
        form = QFormLayout()
        form.addRow("乡镇（街道）名称（必填）", self.township)
        form.addRow("县（市、区）名称", self.county)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.township.textChanged.connect(lambda _t: self.completeChanged.emit())

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.township.text().strip())

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        try:
            settings.put(self.ctx.db, {"township_name": self.township.text().strip(),
                                       "county_name": self.county.text().strip()})
        except UserError as exc:
            self.say_error(str(exc))
            return False
        self.ctx.announce_writes()
        return True


class PolicyStep(_Step):
    KEY = "policy"

    def __init__(self, wizard: FirstStartWizard):
        super().__init__(wizard, "认定政策", "本乡镇执行哪一份农村留守老年人认定政策？以后可在“设置 › 认定政策”中修改。")
        layout = QVBoxLayout(self)
        self.group, self.buttons = add_profile_buttons(self.ctx.db, self, layout)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def chosen(self) -> str:
        return chosen_profile(self.buttons)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        try:
            settings.apply_profile(self.ctx.db, self.chosen())
        except UserError as exc:
            self.say_error(str(exc))
            return False
        self.ctx.announce_writes()
        return True


class VillagesStep(_Step):
    KEY = "villages"

    def __init__(self, wizard: FirstStartWizard):
        super().__init__(wizard, "村（社区）", "逐个添加本乡镇的村和社区（输入名称后按回车或点“添加”）。")
        self.listed = QListWidget()
        self.name = QLineEdit()
        self.name.setPlaceholderText("村（社区）名称，例如：青山村")
        self.add_button = QPushButton("添加")
        self.add_button.clicked.connect(self.add_village)
        _EnterAdds(self.name, self.add_village)
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.listed, 1)
        layout.addWidget(_note("可以跳过：导入台账时，表中新出现的村名会列出来，经您确认后创建。"
                               "村委会名称、工作人员和电话可在“设置 › 村（社区）”中补充。"))

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self._show()

    def _show(self) -> None:
        self.listed.clear()
        self.listed.addItems([v["name"] for v in villages.list_villages(self.ctx.db)])

    def add_village(self) -> bool:
        name = self.name.text().strip()
        if not name:
            self.say_error("请先输入村（社区）名称。")
            return False
        try:
            villages.save_village(self.ctx.db, {"name": name})
        except UserError as exc:
            self.say_error(str(exc))
            return False
        self.ctx.announce_writes()
        self.say_error("")
        self.name.clear()
        self._show()
        return True

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        # a name typed but not added yet is added on 下一步, as the clerk expects
        return self.add_village() if self.name.text().strip() else True


class VisitorsStep(_Step):
    KEY = "visitors"

    def __init__(self, wizard: FirstStartWizard):
        super().__init__(wizard, "巡访责任人", "添加负责上门和电话巡访的人员（村干部、民政专员、社工、志愿者等）。")
        self.listed = QListWidget()
        self.name = QLineEdit()
        self.name.setPlaceholderText("姓名")
        self.role = QComboBox()
        self.role.addItems(list(visitors.ROLES))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机号码")
        self.village = QComboBox()
        self.add_button = QPushButton("添加")
        self.add_button.clicked.connect(self.add_visitor)
        for edit in (self.name, self.phone):
            _EnterAdds(edit, self.add_visitor)
        row = QHBoxLayout()
        for label, widget in (("姓名", self.name), ("类别", self.role), ("电话", self.phone), ("村（社区）", self.village)):
            row.addWidget(QLabel(label))
            row.addWidget(widget, 1 if widget in (self.name, self.phone) else 0)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.listed, 1)
        layout.addWidget(_note("可以跳过：以后在“设置 › 巡访责任人”中添加，并把老人分给他们。"))

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        chosen = self.village.currentData()
        self.village.clear()
        self.village.addItem("（不限）", None)
        for v in villages.list_villages(self.ctx.db):
            self.village.addItem(v["name"], v["id"])
        self.village.setCurrentIndex(max(self.village.findData(chosen), 0))
        self._show()

    def _show(self) -> None:
        self.listed.clear()
        for v in visitors.list_visitors(self.ctx.db):
            about = "，".join(x for x in (v["role"], v["phone"], v["village"]) if x)
            self.listed.addItem(f"{v['name']}（{about}）")

    def add_visitor(self) -> bool:
        if not self.name.text().strip():
            self.say_error("请先输入巡访责任人姓名。")
            return False
        try:
            saved = visitors.save_visitor(self.ctx.db, {"name": self.name.text(), "role": self.role.currentText(),
                                                        "phone": self.phone.text(),
                                                        "village_id": self.village.currentData()})
        except UserError as exc:
            self.say_error(str(exc))
            return False
        self.ctx.announce_writes()
        name = self.name.text().strip()
        # a doubtful phone is kept as typed, and said
        self.say_error(f"已添加“{name}”，但{'；'.join(saved.warnings)}" if saved.warnings else "", warning=True)
        self.name.clear()
        self.phone.clear()
        self._show()
        return True

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        return self.add_visitor() if self.name.text().strip() else True


class LedgerStep(_Step):
    KEY = "ledger"

    def __init__(self, wizard: FirstStartWizard):
        super().__init__(wizard, "导入台账", "把现有的 Excel 台账导入进来，或逐人新增老人。")
        self.count = QLabel()
        self.count.setStyleSheet("font-size: 14px")
        self.import_button = QPushButton("导入台账…")
        self.import_button.clicked.connect(self.import_ledger)
        self.new_button = QPushButton("新增老人…")
        self.new_button.clicked.connect(self.new_elder)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count)
        layout.addLayout(buttons)
        layout.addWidget(_note("导入时先显示读到的每一行和每一列对应的项目，核对无误才写入。"
                               "以后可随时在“台账”页或“文件”菜单中导入；本向导可从“帮助 › 首次使用向导”再次打开。"))
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self._show()

    def _show(self) -> None:
        step = next(s for s in first_start.setup_steps(self.ctx.db) if s.key == "ledger")
        self.count.setText(step.detail)

    def import_ledger(self) -> None:
        from township_desk.ui.import_wizard import ImportWizard

        ImportWizard(self.ctx, self).exec()  # announces what it imported
        self._show()

    def new_elder(self) -> None:
        from township_desk.ui.elder_editor import ElderEditor

        ElderEditor(self.ctx, None, self).exec()
        self._show()


class FirstStartWizard(QWizard):
    """The five steps; it opens at ``start`` (a step key) or at the first step not done yet."""

    PAGE_CLASSES = (TownshipStep, PolicyStep, VillagesStep, VisitorsStep, LedgerStep)

    def __init__(self, ctx, parent: QWidget | None = None, *, start: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("首次使用向导")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.CancelButton, "以后再说")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.steps: dict[str, _Step] = {}
        for number, cls in enumerate(self.PAGE_CLASSES):
            page = cls(self)
            self.setPage(number, page)
            self.steps[cls.KEY] = page
        start = start or first_start.first_step_to_do(ctx.db) or first_start.STEPS[0]
        self.setStartId(first_start.STEPS.index(start))
        self.resize(820, 520)

    def step(self) -> str:
        """The key of the step shown."""
        return first_start.STEPS[self.currentId()]


def open_walkthrough(ctx, parent: QWidget | None = None, *, start: str | None = None) -> FirstStartWizard:
    """Open the walkthrough over ``parent`` without blocking (window-modal); the wizard is returned."""
    wizard = FirstStartWizard(ctx, parent, start=start)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    wizard.accepted.connect(lambda: ctx.navigate("首页"))  # 完成: the day starts on the 首页
    wizard.open()
    return wizard


class SetupPanel(QFrame):
    """开始使用 on the 首页 of a new ledger: the five steps with ✓ for those done, and the walkthrough one click away.
    Hidden once the ledger holds elders (``first_start.needs_walkthrough``)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("SetupPanel { background: #eef5fb; }")
        heading = QLabel("开始使用：台账还是空的")
        heading.setStyleSheet("font-size: 16px; font-weight: bold")
        self.steps = QLabel()
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setWordWrap(True)
        self.button = QPushButton("打开首次使用向导")
        self.button.clicked.connect(lambda: open_walkthrough(self.ctx, self.window()))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.steps)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)

    def refresh(self) -> None:
        needed = first_start.needs_walkthrough(self.ctx.db)  # a few counts: cheap on the GUI thread
        steps = first_start.setup_steps(self.ctx.db) if needed else []
        self.setVisible(needed)
        if not needed:
            return
        to_do = first_start.first_step_to_do(self.ctx.db)
        lines = []
        for number, step in enumerate(steps, start=1):
            mark = "✓" if step.done else ("➜" if step.key == to_do else "○")
            colour = "#2f855a" if step.done else ("#1a4f8a" if step.key == to_do else "#555555")
            lines.append(f"<span style='color:{colour}'>{mark} 第{number}步 {step.title}：{step.detail}</span>")
        self.steps.setText("<br>".join(lines))
        self.button.setText("继续首次使用向导" if any(s.done for s in steps) else "打开首次使用向导")


def offer_on_start(ctx, window: QWidget) -> QWidget | None:
    """At start-up: the walkthrough over the window for a new, empty ledger; for a ledger with data whose policy was
    never chosen, only the 认定政策 question (``profile_dialog``). Neither blocks; the dialog opened (or None)."""
    if first_start.needs_walkthrough(ctx.db):
        return open_walkthrough(ctx, window)
    from township_desk.ui import profile_dialog

    return profile_dialog.ask_if_needed(ctx, window)
