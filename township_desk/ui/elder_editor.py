"""The elder editor: every field of the registration form (农村留守老年人基本情况登记表, seed 002 attachment 1) in
the form's order, the supporters, the visitor and tier, with inline Chinese validation as the clerk types;
and ``StatusDialog``, the small dialog of a status change (暂离, 已迁出, 已去世, 已不属于留守, back to 在册).

Every check is ``models.elders`` (``prepare_elder``, ``prepare_supporters``, ``save_elder``, ``eligibility``,
``change_status``): the dialog only shows what they say, next to the field they name.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import audit, elders, group_plans, idnumber, versions, villages, visitors
from township_desk.models.dates import age_on
from township_desk.models.elders import ELDER_FIELDS, SUPPORTER_FIELDS, Problem, SaveResult
from township_desk.models.errors import StaleRecord, UserError, ValidationError
from township_desk.ui import stale
from township_desk.ui.widgets import (
    date_edit,
    ok_cancel_buttons,
    pydate,
    qdate,
    save_cancel_buttons,
    size_for_screen,
)

ERROR_COLOUR = "#c62828"
WARNING_COLOUR = "#8a5a00"
WARNING_BORDER = "#e0a000"
OK_COLOUR = "#2e7d32"
# Fields marked by a dynamic property: ``problem`` = "error" | "warning" | "".
_PROBLEM_STYLE = f"""
*[problem="error"] {{ border: 2px solid {ERROR_COLOUR}; }}
*[problem="warning"] {{ border: 2px solid {WARNING_BORDER}; }}
"""
RECHECK_DELAY_MS = 250

RELATIONS = ("儿子", "女儿", "儿媳", "女婿", "孙子", "孙女", "配偶", "兄弟姐妹", "侄子", "侄女", "其他亲属")
_SUPPORTER_KEYS = list(SUPPORTER_FIELDS)
_SUPPORTER_FLAGS = ("rural_hukou", "is_away", "can_support")
_REASON_HINTS = {
    "暂离": "如：住院治疗、到子女家居住（暂停巡访）",
    "已迁出": "如：随子女迁往外地",
    "已去世": "如：病故",
    "已不属于留守": "如：子女返乡照料、不再符合认定条件",
    "在册": "回到在册可不填原因",
}
_AUDIT_LABELS = {"supporters": "赡养人", "status": "状态"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _status_line(record: dict) -> str:
    """在册 / 暂离（2026-03-01 起，住院治疗）."""
    details = "，".join(x for x in (f"{record['status_date']} 起" if record.get("status_date") else "",
                                    record.get("status_reason") or "") if x)
    return f"{record['status']}（{details}）" if details else record["status"]


def _choice_combo(values: tuple[str, ...], blank: str | None = "") -> QComboBox:
    """A fixed list; the item's data is the stored value ("" for none, shown as ``blank``)."""
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, "")
    for value in values:
        if value:
            combo.addItem(value, value)
    return combo


def _choices(code: str) -> tuple[str, ...]:
    """The values a field offers, from the field table (``elders.FIELDS``), the one list checks and import use."""
    return elders.FIELD_TABLE[code].choices


def _open_combo(values: tuple[str, ...]) -> QComboBox:
    """Common values to pick from, any other text may be typed."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(["", *values])
    return combo


def _mark(widget: QWidget, problem: str) -> None:
    if (widget.property("problem") or "") == problem:
        return
    widget.setProperty("problem", problem)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class _Section(QGroupBox):
    """A titled part of the form: label / field pairs laid out in ``columns`` columns."""

    def __init__(self, title: str, columns: int = 2):
        super().__init__(title)
        self.grid = QGridLayout(self)
        self.columns = columns
        self._row = 0
        self._col = 0
        for col in range(columns):
            self.grid.setColumnStretch(col * 2 + 1, 1)

    def add(self, label: str, widget: QWidget, span: int = 1) -> None:
        span = min(span, self.columns)
        if self._col + span > self.columns:
            self._row += 1
            self._col = 0
        caption = QLabel(label)
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        caption.setContentsMargins(0, 4, 0, 0)
        self.grid.addWidget(caption, self._row, self._col * 2)
        self.grid.addWidget(widget, self._row, self._col * 2 + 1, 1, span * 2 - 1, Qt.AlignmentFlag.AlignTop)
        self._col += span
        if self._col >= self.columns:
            self._row += 1
            self._col = 0

    def wide(self, label: str, widget: QWidget) -> None:
        self.add(label, widget, self.columns)


ELIGIBILITY_PENDING = "填写身份证号码、户籍和赡养人情况后，这里显示是否符合留守老年人认定条件。"


class ElderEditor(QDialog):
    """A new elder (``elder_id=None``) or an existing one's 登记表. ``exec()`` returns Accepted when saved;
    then ``elder_id`` is the saved record's id and ``result_`` the ``SaveResult``.

    Tests and other code read and type fields with ``value(field)`` / ``set_value(field, value)`` (the keys of
    ``ELDER_FIELDS``; ``village`` and ``visitor`` take an id or a name) and ``supporters()`` /
    ``set_supporters(list)``.
    """

    def __init__(self, ctx, elder_id: int | None = None, parent: QWidget | None = None, *, village_id: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.db = ctx.db
        self.today = ctx.today()
        self.elder_id = elder_id
        self.record: dict | None = elders.get_elder(self.db, elder_id) if elder_id else None
        self.result_: SaveResult | None = None
        self.saved_notice: QMessageBox | None = None
        self.fields: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self._refusals: list[tuple[str, Problem]] = []  # (ID number, problem) of the last refused save
        self._derived = ("", "")                         # (sex, birth date) the ID number gave last
        # A new form does not greet the clerk with "姓名为空": a field's problems show once it has been typed
        # in, and every field's after the first 保存. An existing record shows everything from the start.
        self._touched: set[str] = set()
        self._show_all = elder_id is not None
        self._rules = ctx.settings()
        self._loading = True
        self.setStyleSheet(_PROBLEM_STYLE)
        size_for_screen(self, 900, 860)
        self._build()
        if self.record:
            self._load(self.record)
        else:
            self._defaults(village_id)
        self._update_title()
        self._loading = False
        self._snapshot = self._state()
        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(RECHECK_DELAY_MS)
        self._recheck.timeout.connect(self.validate)
        self._watch_all()
        self.validate()

    # ---------------------------------------------------------------- layout

    def _field(self, key: str, widget: QWidget) -> QWidget:
        """The widget with its message line below it (hidden until there is something to say)."""
        self.fields[key] = widget
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        message = QLabel()
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        message.hide()
        column.addWidget(message)
        self.messages[key] = message
        return box

    def _line(self, key: str, placeholder: str = "") -> QWidget:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        return self._field(key, edit)

    def _check(self, key: str) -> QWidget:
        return self._field(key, QCheckBox("是"))

    def _text_box(self, key: str, placeholder: str = "", height: int = 54) -> QWidget:
        edit = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setFixedHeight(height)
        return self._field(key, edit)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.eligibility_label = QLabel()
        self.eligibility_label.setWordWrap(True)
        self.eligibility_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.eligibility_label)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        body = QWidget()
        column = QVBoxLayout(body)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)

        basic = _Section("基本情况")
        basic.add("姓名", self._line("name"))
        basic.add("身份证号码", self._line("id_number", "18位，末位可为X"))
        sex = _choice_combo(("男", "女"), blank="")
        basic.add("性别", self._field("sex", sex))
        basic.add("出生日期", self._line("birth_date", "按身份证号码自动填写"))
        self.id_info = QLabel()
        self.id_info.setStyleSheet("color: #555;")
        self.id_info.setWordWrap(True)
        basic.wide("", self.id_info)
        basic.add("民族", self._line("ethnicity", "汉族"))
        basic.add("联系电话", self._line("phone", "手机11位，或区号加号码"))
        basic.wide("户籍所在地", self._line("household_address"))
        basic.wide("现居住地址", self._line("current_address"))
        village = QComboBox()
        village.addItem("（请选择）", None)
        for row in villages.list_villages(self.db):
            village.addItem(row["name"], row["id"])
        basic.add("村（社区）", self._field("village", village))
        basic.add("组", self._line("group_name", "如：三组"))
        column.addWidget(basic)

        health = _Section("身体情况")
        self.health_label = QLabel()
        health.wide("身体情况", self.health_label)
        health.add("残疾", self._check("is_disabled"))
        health.add("患病（重特大疾病）", self._check("is_ill"))
        health.add("残疾类别", self._field("disability_category", _open_combo(_choices("disability_category"))))
        health.add("残疾等级", self._field("disability_grade", _open_combo(_choices("disability_grade"))))
        health.wide("患病类型", self._line("illness_type", "如：恶性肿瘤、尿毒症"))
        ability = QComboBox()
        ability.addItem("（未评估）", None)
        for level, label in elders.ABILITY_LEVELS.items():
            ability.addItem(f"{level} {label}", level)
        health.add("能力等级", self._field("ability_level", ability))
        health.add("失智", self._check("has_dementia"))
        column.addWidget(health)

        education = _Section("文化程度")
        education.add("文化程度", self._field("education", _choice_combo(_choices("education"), blank="（未填）")))
        column.addWidget(education)

        family = _Section("家庭情况")
        family.add("夫妻情况", self._field("spouse", _choice_combo(_choices("spouse"), blank="（未填）")))
        family.add("子女数量（个）", self._line("children_count"))
        family.wide("子女出生年份", self._line("children_birth_years", "如：1972,1975"))
        family.add("外出务工年限（年）", self._line("children_away_years"))
        family.add("最近一次回家探望", self._line("last_family_visit", "年月，如 2025-02"))
        family.add("每年团聚次数（次）", self._line("reunions_per_year", "最近五年平均"))
        family.add("平均团聚天数（天）", self._line("reunion_avg_days"))
        column.addWidget(family)

        income = _Section("家庭经济来源情况")
        sources = QFrame()
        row = QHBoxLayout(sources)
        row.setContentsMargins(2, 2, 2, 2)
        self.income_checks: dict[str, QCheckBox] = {}
        for source in _choices("income_sources"):
            check = QCheckBox(source)
            self.income_checks[source] = check
            row.addWidget(check)
        row.addWidget(QLabel("（可多选）"))
        row.addStretch(1)
        income.wide("家庭经济来源", self._field("income_sources", sources))
        income.add("主要经济来源", self._field("main_income", _choice_combo(_choices("main_income"), blank="（未填）")))
        column.addWidget(income)

        care = _Section("照料情况")
        care.add("照料情况", self._field("care", _choice_combo(_choices("care"), blank="（未填）")))
        care.add("独居", self._check("lives_alone"))
        column.addWidget(care)

        other = _Section("困难与特殊情况")
        other.add("困难类型", self._field("hardship", _choice_combo(_choices("hardship"), blank="无")))
        other.add("农村户籍", self._check("rural_hukou"))
        other.add("失独", self._check("lost_only_child"))
        other.add("计划生育特殊家庭", self._check("family_planning_special"))
        column.addWidget(other)

        needs = _Section("养老需求和存在困难问题", columns=1)
        needs.add("养老需求", self._text_box("needs"))
        needs.add("存在困难问题", self._text_box("difficulties"))
        column.addWidget(needs)

        column.addWidget(self._build_supporters())

        visit = _Section("巡访")
        visitor = QComboBox()
        visitor.addItem("未指定", None)
        for row_ in visitors.list_visitors(self.db):
            visitor.addItem(self._visitor_text(row_), row_["id"])
        visit.add("巡访责任人", self._field("visitor", visitor))
        visit.add("纳入台账日期", self._field("entered_on", date_edit(self.today, latest=self.today)))
        visit.add("巡访类别", self._field("tier", _choice_combo(_choices("tier"), blank=None)))
        self.risk_label = QLabel()
        visit.add("风险等级", self.risk_label)
        # what the visit plan follows (group_plans: 高龄, 失能, 独居 … make an elder 重点 whatever is chosen above)
        self.plan_tier_label = QLabel()
        self.plan_tier_label.setWordWrap(True)
        self.plan_tier_label.setToolTip("上门和电话视频巡访的频次按此执行：风险等级对应的巡访类别，"
                                        "或高龄、失能、独居、子女长期不在身边等情形列为重点（设置 → 各类对象巡访频次）")
        visit.add("巡访时按", self.plan_tier_label)
        column.addWidget(visit)

        notes = _Section("备注", columns=1)
        notes.add("备注", self._text_box("notes", height=60))
        column.addWidget(notes)

        column.addWidget(self._build_status())
        if self.record:
            column.addWidget(self._build_audit())
        column.addStretch(1)

        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.problems_label)
        self.buttons = save_cancel_buttons(self, self.save)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip("Ctrl+S")
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        outer.addWidget(self.buttons)

    def _build_supporters(self) -> QGroupBox:
        box = QGroupBox("赡养人（扶养人）")
        layout = QVBoxLayout(box)
        self.supporters_table = QTableWidget(0, len(_SUPPORTER_KEYS))
        self.supporters_table.setHorizontalHeaderLabels([SUPPORTER_FIELDS[k] for k in _SUPPORTER_KEYS])
        self.supporters_table.verticalHeader().setVisible(False)
        self.supporters_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.supporters_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.supporters_table.horizontalHeader().setStretchLastSection(True)
        self.supporters_table.setMinimumHeight(130)
        header_tips = {"away_since": "年月，如 2019-03", "rural_hukou": "赡养人是否为农村户籍",
                       "is_away": "是否离开本县外出务工、经商", "can_support": "是否有赡养能力"}
        for column, key in enumerate(_SUPPORTER_KEYS):
            if key in header_tips:
                self.supporters_table.horizontalHeaderItem(column).setToolTip(header_tips[key])
        layout.addWidget(self.supporters_table)
        buttons = QHBoxLayout()
        self.add_supporter_button = QPushButton("添加赡养人")
        self.add_supporter_button.clicked.connect(lambda: self.add_supporter())
        self.remove_supporter_button = QPushButton("删除所选赡养人")
        self.remove_supporter_button.clicked.connect(self.remove_supporter)
        buttons.addWidget(self.add_supporter_button)
        buttons.addWidget(self.remove_supporter_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.supporters_message = QLabel()
        self.supporters_message.setWordWrap(True)
        self.supporters_message.hide()
        layout.addWidget(self.supporters_message)
        self.messages["supporters"] = self.supporters_message
        self.fields["supporters"] = self.supporters_table
        return box

    def _build_status(self) -> QGroupBox:
        box = QGroupBox("状态")
        layout = QVBoxLayout(box)
        line = QHBoxLayout()
        self.status_label = QLabel()
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        line.addWidget(self.status_label, 1)
        self.status_button = QPushButton("状态变更…")
        self.status_button.setToolTip("暂离、迁出、去世、不再属于留守，或回到在册；立即生效，不需要再点“保存”")
        self.status_button.clicked.connect(self.change_status)
        line.addWidget(self.status_button)
        layout.addLayout(line)
        self.history_table = QTableWidget(0, 4)
        self.history_table.setHorizontalHeaderLabels(["日期", "原状态", "新状态", "原因"])
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.horizontalHeader().setStretchLastSection(True)
        self.history_table.setMaximumHeight(120)
        layout.addWidget(self.history_table)
        if self.record is None:
            self.status_label.setText("新增的老人保存后状态为“在册”")
            self.status_button.setEnabled(False)
            self.history_table.hide()
        return box

    def _build_audit(self) -> QGroupBox:
        box = QGroupBox("修改记录")
        layout = QVBoxLayout(box)
        self.audit_table = QTableWidget(0, 5)
        self.audit_table.setHorizontalHeaderLabels(["时间", "操作", "项目", "原值", "新值"])
        self.audit_table.verticalHeader().setVisible(False)
        self.audit_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.audit_table.horizontalHeader().setStretchLastSection(True)
        self.audit_table.setMaximumHeight(150)
        layout.addWidget(self.audit_table)
        return box

    @staticmethod
    def _visitor_text(row: dict) -> str:
        details = " ".join(x for x in (row.get("village"), row.get("phone")) if x)
        return f"{row['name']}（{details}）" if details else row["name"]

    # ---------------------------------------------------------------- reading and typing values

    def value(self, field: str) -> Any:
        """What a field holds as ``prepare_elder`` takes it (``village`` and ``visitor``: the id or None)."""
        if field == "income_sources":
            return [source for source, check in self.income_checks.items() if check.isChecked()]
        widget = self.fields[field]
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QDateEdit):
            return pydate(widget.date()).isoformat()
        if isinstance(widget, QComboBox):
            return widget.currentText() if widget.isEditable() else widget.currentData()
        raise KeyError(field)

    def set_value(self, field: str, value: Any) -> None:
        """Type into a field. Combos take the stored value or the text shown (a village's or visitor's name)."""
        if field == "income_sources":
            items = value if isinstance(value, (list, tuple, set)) else str(value or "").replace("、", ",").split(",")
            chosen = {str(i).strip() for i in items}
            for source, check in self.income_checks.items():
                check.setChecked(source in chosen)
            return
        widget = self.fields[field]
        if isinstance(widget, QLineEdit):
            widget.setText(_text(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(_text(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QDateEdit):
            if value:
                widget.setDate(qdate(value))
        elif isinstance(widget, QComboBox):
            if widget.isEditable():
                widget.setCurrentText(_text(value))
                return
            if value is None or value == "":
                index = next((i for i in range(widget.count()) if widget.itemData(i) in (None, "")), -1)
            else:
                index = widget.findData(value)
                if index < 0:
                    index = widget.findText(str(value))
                if index < 0:  # a visitor by name: "李四（青山村 139…）"
                    index = next((i for i in range(widget.count()) if widget.itemText(i).startswith(f"{value}（")),
                                 -1)
            if index < 0:
                raise ValueError(f"{ELDER_FIELDS.get(field, field)}没有“{value}”这一项")
            widget.setCurrentIndex(index)

    def values(self) -> dict[str, Any]:
        """The form as ``prepare_elder`` / ``save_elder`` take it."""
        data = {key: self.value(key) for key in ELDER_FIELDS if key not in ("village", "visitor")}
        data["village_id"] = self.value("village")
        data["visitor_id"] = self.value("visitor")
        return data

    def supporters(self) -> list[dict]:
        """The supporters table, one dict per row (``SUPPORTER_FIELDS`` keys)."""
        table = self.supporters_table
        items = []
        for row in range(table.rowCount()):
            item: dict[str, Any] = {}
            for column, key in enumerate(_SUPPORTER_KEYS):
                widget = table.cellWidget(row, column)
                cell = table.item(row, column)
                if isinstance(widget, QComboBox):
                    item[key] = widget.currentText()
                elif key in _SUPPORTER_FLAGS:
                    item[key] = cell is not None and cell.checkState() == Qt.CheckState.Checked
                else:
                    item[key] = cell.text() if cell is not None else ""
            items.append(item)
        return items

    def add_supporter(self, data: dict | None = None) -> int:
        """Add a row to the supporters table (empty, or filled from ``data``); returns its row number."""
        data = data or {}
        table = self.supporters_table
        row = table.rowCount()
        table.insertRow(row)
        for column, key in enumerate(_SUPPORTER_KEYS):
            if key == "employer_type":
                combo = _open_combo(elders.EMPLOYER_TYPES)
                combo.setCurrentText(_text(data.get(key)))
                combo.currentTextChanged.connect(self._supporters_edited)
                table.setCellWidget(row, column, combo)
            elif key == "relation":
                combo = _open_combo(RELATIONS)
                combo.setCurrentText(_text(data.get(key)))
                combo.currentTextChanged.connect(self._supporters_edited)
                table.setCellWidget(row, column, combo)
            elif key in _SUPPORTER_FLAGS:
                cell = QTableWidgetItem()
                cell.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                flag = data.get(key)
                cell.setCheckState(Qt.CheckState.Checked if flag is None or flag else Qt.CheckState.Unchecked)
                table.setItem(row, column, cell)
            else:
                table.setItem(row, column, QTableWidgetItem(_text(data.get(key))))
        return row

    def set_supporters(self, items: list[dict]) -> None:
        self.supporters_table.setRowCount(0)
        for item in items:
            self.add_supporter(item)
        self._changed()

    def remove_supporter(self) -> None:
        """Remove the selected rows (or the current one) from the table; nothing is stored before 保存."""
        table = self.supporters_table
        rows = sorted({index.row() for index in table.selectionModel().selectedRows()}, reverse=True)
        if not rows and table.currentRow() >= 0:
            rows = [table.currentRow()]
        for row in rows:
            table.removeRow(row)
        if rows:
            self._changed()

    # ---------------------------------------------------------------- loading

    def _defaults(self, village_id: int | None) -> None:
        self.set_value("ethnicity", "汉族")
        self.set_value("rural_hukou", True)
        self.set_value("tier", "一般")
        self.set_value("entered_on", self.today)
        if village_id is not None and self.fields["village"].findData(village_id) >= 0:
            self.set_value("village", village_id)
        self._show_health()
        self.risk_label.setText("未评估")
        self.plan_tier_label.setText("保存后按风险等级及高龄、失能、独居等情形确定")

    def _load(self, record: dict) -> None:
        for key in ELDER_FIELDS:
            if key == "village":
                self._select_or_add(self.fields["village"], record["village_id"], record["village"])
            elif key == "visitor":
                if record.get("visitor_id"):
                    self._select_or_add(self.fields["visitor"], record["visitor_id"],
                                        f"{record['visitor']}（已停用）")
            elif key == "income_sources":
                self.set_value(key, record.get(key) or "")
            elif key in ("sex", "birth_date", "id_number"):
                continue
            else:
                self.set_value(key, record.get(key))
        self.set_value("id_number", record["id_number"])
        self.set_value("sex", record["sex"])
        self.set_value("birth_date", record["birth_date"])
        self._derived = (record["sex"], record["birth_date"])
        self._follow_id()
        for supporter in record["supporters"]:
            self.add_supporter(supporter)
        self._show_health()
        self.risk_label.setText(record.get("risk_grade") or "未评估")
        self.plan_tier_label.setText(group_plans.tier_reading(self.db, record["id"], self.today).text)
        self._show_status()
        self._show_audit()

    @staticmethod
    def _select_or_add(combo: QComboBox, item_id: int, text: str) -> None:
        """Select an item by id; one no longer listed (an inactive visitor) is added so it is not lost."""
        index = combo.findData(item_id)
        if index < 0:
            combo.addItem(text, item_id)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def _show_status(self) -> None:
        if self.record is None:
            return
        self.status_label.setText(f"当前状态：{_status_line(self.record)}")
        colour = "#333" if self.record["status"] == "在册" else "#888"
        self.status_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        history = elders.status_history(self.db, self.elder_id)
        self.history_table.setRowCount(len(history))
        for row, change in enumerate(history):
            for column, key in enumerate(("date", "old_status", "new_status", "reason")):
                self.history_table.setItem(row, column, QTableWidgetItem(_text(change.get(key))))
        self.history_table.resizeColumnsToContents()

    def _show_audit(self) -> None:
        if self.record is None:
            return
        entries = audit.entries(self.db, table="elders", record_id=self.elder_id, limit=200)
        self.audit_table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            field = entry.get("field") or ""
            label = _AUDIT_LABELS.get(field) or ELDER_FIELDS.get(field.removesuffix("_id"), field)
            for column, value in enumerate((entry["at"], entry["action"], label, entry.get("old_value"),
                                            entry.get("new_value"))):
                self.audit_table.setItem(row, column, QTableWidgetItem(_text(value)))
        self.audit_table.resizeColumnsToContents()

    def _update_title(self) -> None:
        if self.record is None:
            self.setWindowTitle("农村留守老年人基本情况登记表（新增）")
        else:
            self.setWindowTitle(f"农村留守老年人基本情况登记表 — {self.record['name']}（{self.record['status']}）")

    # ---------------------------------------------------------------- watching edits

    def _watch_all(self) -> None:
        for key, widget in self.fields.items():
            self._watch(key, widget, lambda *_a, k=key: self._touched.add(k))
            self._watch(key, widget, self._changed)
        for check in self.income_checks.values():
            check.toggled.connect(lambda _c: self._touched.add("income_sources"))
            check.toggled.connect(self._changed)
        self.fields["id_number"].textChanged.connect(lambda _t: self._follow_id())
        self.fields["id_number"].editingFinished.connect(self._check_id_not_taken)
        for key in ("is_disabled", "is_ill"):
            self.fields[key].toggled.connect(lambda _c: self._show_health())

    @staticmethod
    def _watch(key: str, widget: QWidget, slot) -> None:
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            widget.textChanged.connect(slot)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(slot)
        elif isinstance(widget, QComboBox):
            if widget.isEditable():
                widget.currentTextChanged.connect(slot)
            else:
                widget.currentIndexChanged.connect(slot)
        elif isinstance(widget, QDateEdit):
            widget.dateChanged.connect(slot)
        elif key == "supporters":
            widget.itemChanged.connect(slot)
            widget.model().rowsInserted.connect(slot)
            widget.model().rowsRemoved.connect(slot)

    def _supporters_edited(self, *_args) -> None:
        self._touched.add("supporters")
        self._changed()

    def _changed(self, *_args) -> None:
        if not self._loading and hasattr(self, "_recheck"):
            self._recheck.start()

    def _follow_id(self) -> None:
        """Sex and birth date follow the ID number, unless the clerk typed other values (then a warning)."""
        check = idnumber.check(self.value("id_number"), today=self.today)
        if not check.ok:
            self.id_info.setText("")
            return
        sex, birth = check.sex, check.birth_date.isoformat()
        if self.value("sex") in ("", self._derived[0]):
            self.set_value("sex", sex)
        if self.value("birth_date").strip() in ("", self._derived[1]):
            self.set_value("birth_date", birth)
        self._derived = (sex, birth)
        place = idnumber.region_name(check.number)
        age = age_on(check.birth_date, self.today)
        self.id_info.setText(f"按身份证号码：{sex}，{birth} 出生，现年 {age} 周岁" + (f"；{place}" if place else ""))

    def _check_id_not_taken(self) -> None:
        """On leaving the ID field: a number already on the ledger for someone else is an error there and then,
        naming who holds it and where (``save_elder`` refuses it too; the clerk should not type the whole form
        first)."""
        check = idnumber.check(self.value("id_number"), today=self.today)
        if not check.ok:
            return
        number = idnumber.normalise(self.value("id_number"))
        holder = elders.find_by_id_number(self.db, number)
        if holder is None or holder["id"] == self.elder_id:
            return
        status = "" if holder["status"] == "在册" else f"（{holder['status']}）"
        problem = Problem("id_number", "error", f"身份证号码 {number} 已登记为 {holder['village']} 的"
                                                f"“{holder['name']}”{status}，同一人不能重复登记")
        if all(p.message != problem.message for _n, p in self._refusals):
            self._refusals.append((number, problem))
        self._touched.add("id_number")
        self.validate()

    def _show_health(self) -> None:
        health = elders.health_of({"is_disabled": self.value("is_disabled"), "is_ill": self.value("is_ill")})
        self.health_label.setText(f"{health}（有残疾的记为残疾，其次患病，都没有为健康）")

    # ---------------------------------------------------------------- checking

    def _state(self) -> tuple:
        self._finish_cell_edit()
        return self.values(), self.supporters()

    def _finish_cell_edit(self) -> None:
        """A supporter cell still being typed in counts: moving the current cell commits its editor."""
        table = self.supporters_table
        if table.state() == QAbstractItemView.State.EditingState:
            table.setCurrentIndex(QModelIndex())

    def has_unsaved_changes(self) -> bool:
        return self._state() != self._snapshot

    def check(self) -> list[Problem]:
        """Every problem ``models.elders`` finds in the form as typed (nothing is saved)."""
        row, problems = elders.prepare_elder(self.values(), self.today)
        supporter_rows, supporter_problems = elders.prepare_supporters(self.supporters(), self.today)
        problems = [*problems, *supporter_problems]
        number = idnumber.normalise(self.value("id_number"))
        problems += [problem for refused_number, problem in self._refusals if refused_number == number]
        self._show_eligibility(row, supporter_rows)
        return problems

    def validate(self) -> bool:
        """Check the form, mark each field with a problem and say what is wrong beside it. True if savable."""
        self._recheck.stop()
        problems = [p for p in self.check()
                    if self._show_all or p.field in self._touched or p.field not in self.messages]
        by_field: dict[str, list[Problem]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem)
        for field, message in self.messages.items():
            found = by_field.get(field, [])
            errors = any(p.severity == "error" for p in found)
            _mark(self.fields[field], "error" if errors else "warning" if found else "")
            if found:
                message.setText("<br>".join(self._problem_html(p) for p in found))
                message.show()
            else:
                message.clear()
                message.hide()
        self._show_summary(problems)
        return not any(p.severity == "error" for p in problems)

    @staticmethod
    def _problem_html(problem: Problem) -> str:
        if problem.severity == "error":
            return f"<span style='color:{ERROR_COLOUR}'>✖ {html.escape(problem.message)}</span>"
        return f"<span style='color:{WARNING_COLOUR}'>⚠ {html.escape(problem.message)}</span>"

    def _show_summary(self, problems: list[Problem], refused: bool = False) -> None:
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity == "warning"]
        if not problems:
            self.problems_label.clear()
            return
        if refused:
            head = f"<b style='color:{ERROR_COLOUR}'>未保存：请先改正以下 {len(errors)} 处错误</b>"
            lines = [head, *(self._problem_html(Problem(p.field, p.severity, f"{p.label}：{p.message}"))
                             for p in errors)]
        else:
            counts = "，".join(x for x in (f"{len(errors)} 处错误" if errors else "",
                                          f"{len(warnings)} 处提醒" if warnings else "") if x)
            note = "有错误时不能保存" if errors else "提醒不影响保存，请核对"
            colour = ERROR_COLOUR if errors else WARNING_COLOUR
            lines = [f"<span style='color:{colour}'>{counts}（{note}，见各项下方说明）</span>"]
            # a problem about no field of the form has nowhere else to be read
            lines += [self._problem_html(Problem(p.field, p.severity, f"{p.label}：{p.message}"))
                      for p in problems if p.field not in self.messages]
        self.problems_label.setText("<br>".join(lines))

    def _show_eligibility(self, row: dict, supporter_rows: list[dict]) -> None:
        if not self._show_all and not self._touched:  # a new, empty form: nothing to judge yet, nothing in orange
            self.eligibility_label.setText(f"<span style='color:#666666'>{ELIGIBILITY_PENDING}</span>")
            return
        result = elders.eligibility(row, supporter_rows, self._rules, self.today)
        if result.holds:
            self.eligibility_label.setText(f"<span style='color:{OK_COLOUR}'>✔ 符合留守老年人认定条件</span>")
        else:
            reasons = "；".join(html.escape(r) for r in result.reasons)
            self.eligibility_label.setText(
                f"<span style='color:{WARNING_COLOUR}'>⚠ 不符合留守老年人认定条件：{reasons}。"
                "（不影响保存；确实不属于留守的，请用“状态变更…”改为“已不属于留守”）</span>")

    # ---------------------------------------------------------------- saving and closing

    def save(self) -> bool:
        """Save in one transaction; a refusal shows every error and the dialog stays open. True when saved."""
        self._show_all = True
        self._finish_cell_edit()
        if not self.validate():
            self._refused(self.check())
            return False
        try:
            result = elders.save_elder(self.db, self.values(), self.supporters(), elder_id=self.elder_id,
                                       today=self.today,
                                       expected_version=self.record["row_version"] if self.record else None)
        except StaleRecord as exc:
            if stale.offer_reload(self, exc):
                self.reload()
            return False
        except ValidationError as exc:
            number = idnumber.normalise(self.value("id_number"))
            self._refusals = [(number, p) for p in exc.problems if isinstance(p, Problem)]
            self.validate()
            self._refused(self.check() or [Problem("id_number", "error", str(exc))])
            return False
        except UserError as exc:
            QMessageBox.warning(self, "保存登记表", str(exc))
            return False
        self.elder_id = result.elder_id
        self.result_ = result
        self._snapshot = self._state()
        self.ctx.announce_writes()
        self._show_saved_warnings(result)
        self.accept()
        return True

    def reload(self) -> None:
        """Show the record as it is stored now (changed by someone else since the dialog opened), dropping what
        was typed; the dialog stays open and the next 保存 is checked against this version."""
        self.record = elders.get_elder(self.db, self.elder_id)
        self._loading = True
        self.supporters_table.setRowCount(0)
        if not self.record.get("visitor_id"):
            self.set_value("visitor", None)
        self._load(self.record)
        self._update_title()
        self._loading = False
        self._refusals = []
        self._snapshot = self._state()
        self.validate()

    def _refused(self, problems: list[Problem]) -> None:
        self._show_summary(problems, refused=True)
        first = next((p for p in problems if p.severity == "error"), None)
        widget = self.fields.get(first.field) if first else None
        if widget is not None:
            self.scroll.ensureWidgetVisible(widget)
            widget.setFocus()

    def _show_saved_warnings(self, result: SaveResult) -> None:
        """The warnings of a save, once, in a box that does not block (the dialog closes behind it)."""
        if not result.warnings:
            return
        name = self.value("name").strip()
        lines = "\n".join(f"· {w.label}：{w.message}" for w in result.warnings)
        box = QMessageBox(QMessageBox.Icon.Information, "已保存",
                          f"“{name}”的登记表已保存。以下几项请核对：\n\n{lines}",
                          QMessageBox.StandardButton.Ok, self.parentWidget())
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.saved_notice = box

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Enter in a field of a long form moves on; it does not press 保存 (QDialog's default button)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.focusNextChild()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """取消 / Esc / closing the window: unsaved changes are not dropped without asking."""
        if self.has_unsaved_changes():
            name = self.value("name").strip() or "新增老人"
            answer = QMessageBox.question(
                self, "未保存的修改", f"“{name}”的登记表有修改尚未保存。\n\n保存这些修改吗？",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Save:
                self.save()
                return
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    # ---------------------------------------------------------------- status

    def change_status(self) -> None:
        """Open ``StatusDialog``; the change is stored at once (it does not wait for 保存)."""
        if self.elder_id is None:
            return
        dialog = StatusDialog(self.ctx, self.elder_id, self,
                              expected_version=self.record["row_version"])
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        fresh = elders.get_elder(self.db, self.elder_id)
        for key in ("status", "status_date", "status_reason"):
            self.record[key] = fresh[key]
        self.record["row_version"] = dialog.saved_version  # this form's own change, not someone else's
        self._show_status()
        self._show_audit()
        self._update_title()


class StatusDialog(QDialog):
    """Change one elder's status: the new status, its date (not after today) and the reason (required unless
    back to 在册). 确定 calls ``elders.change_status``; a refusal is shown in the dialog, which stays open."""

    def __init__(self, ctx, elder_id: int, parent: QWidget | None = None, *, expected_version: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = ctx.today()
        self.elder_id = elder_id
        self.elder = elders.get_elder(ctx.db, elder_id)
        # the version the caller showed (the editor's form), else the one read now; after 确定, the new one
        self.expected_version = self.elder["row_version"] if expected_version is None else expected_version
        self.saved_version: int | None = None
        self.setWindowTitle(f"状态变更 — {self.elder['name']}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("老人", QLabel(f"{self.elder['name']}　{self.elder['village']}　{self.elder['id_number']}"))
        form.addRow("当前状态", QLabel(_status_line(self.elder)))
        self.status_combo = QComboBox()
        self.status_combo.addItems([s for s in elders.STATUSES if s != self.elder["status"]])
        form.addRow("新状态", self.status_combo)
        self.date_edit = date_edit(self.today, latest=self.today)
        form.addRow("变更日期", self.date_edit)
        self.reason_edit = QLineEdit()
        self.reason_label = QLabel()
        form.addRow(self.reason_label, self.reason_edit)
        layout.addLayout(form)
        self.note_label = QLabel("暂离期间不安排巡访，回到在册后重新开始计算。")
        self.note_label.setStyleSheet("color: #555;")
        self.note_label.setWordWrap(True)
        layout.addWidget(self.note_label)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        layout.addWidget(self.error_label)
        layout.addWidget(ok_cancel_buttons(self))
        self.status_combo.currentTextChanged.connect(self._status_picked)
        self._status_picked(self.status_combo.currentText())

    def _status_picked(self, status: str) -> None:
        required = status != "在册"
        self.reason_label.setText("原因（必填）" if required else "原因")
        self.reason_edit.setPlaceholderText(_REASON_HINTS.get(status, ""))
        self.note_label.setVisible(status in ("暂离", "在册"))

    def new_status(self) -> str:
        return self.status_combo.currentText()

    def accept(self) -> None:
        try:
            elders.change_status(self.ctx.db, self.elder_id, self.new_status(), pydate(self.date_edit.date()),
                                 self.reason_edit.text(), expected_version=self.expected_version)
            self.saved_version = versions.current(self.ctx.db, "elders", self.elder_id)
        except UserError as exc:
            self.error_label.setText(str(exc))
            return
        self.ctx.announce_writes()  # the elder, and the agreements that ended with the stay
        super().accept()
