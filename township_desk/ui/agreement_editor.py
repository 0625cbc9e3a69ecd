"""The agreement editor (农村居家互助养老协议书): every field of the paper form, 委托人 picked from the elder's
supporters or typed, inline Chinese validation as the clerk types; plus the small dialogs of the lifecycle
(签订 date, 解除 / 提前通知, 续签 start date).

All checks are ``models.agreements.prepare_agreement``: the dialog only shows what it says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import agreements, elders
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

_TYPED = -1  # 委托人 combo: typed by hand, not one of the supporters
_ERROR_STYLE = "border: 1px solid #c62828;"


class AgreementEditor(QDialog):
    """New agreement (``agreement_id=None``, optionally for ``elder_id``) or a draft's terms.

    A signed, expired or terminated agreement opens read-only: its terms are frozen. After 保存,
    ``agreement_id`` holds the saved record's id.
    """

    def __init__(self, db, agreement_id: int | None = None, elder_id: int | None = None,
                 parent: QWidget | None = None, *, today: dt.date):
        super().__init__(parent)
        self.db = db
        self.today = today  # the office's day, from the page's ctx.today()
        self.agreement_id = agreement_id
        self.record: dict[str, Any] | None = agreements.get_agreement(db, agreement_id) if agreement_id else None
        self.read_only = bool(self.record and self.record["status"] != "草稿")
        self._loading = True
        self.setWindowTitle("农村居家互助养老协议书" + (f"（第 {agreement_id} 号，{self.record['status']}）"
                                                        if self.record else "（新建）"))
        size_for_screen(self, 720, 820)
        self.fields: dict[str, QWidget] = {}
        self._build()
        if self.record:
            self._load(self.record)
        elif elder_id:
            self._pick_elder(elder_id)
        self._loading = False
        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(150)
        self._recheck.timeout.connect(self.validate)
        for widget in self.fields.values():
            self._watch(widget)
        self.validate()

    # ---------------------------------------------------------------- layout

    def _line(self, key: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        self.fields[key] = edit
        return edit

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        if self.read_only:
            note = QLabel(f"本协议状态为“{self.record['status']}”：{agreements.FROZEN_MESSAGE}。")
            note.setWordWrap(True)
            note.setStyleSheet("color: #8a4b00;")
            outer.addWidget(note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        column = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        elder_box = QGroupBox("被助养老人（留守老人）")
        form = QFormLayout(elder_box)
        self.elder_search = QLineEdit()
        self.elder_search.setPlaceholderText("输入姓名、拼音首字母或身份证号码查找")
        self.elder_combo = QComboBox()
        self.elder_combo.setMinimumContentsLength(28)
        self.elder_search.textChanged.connect(self._search_elders)
        self.elder_combo.activated.connect(lambda _i: self._pick_elder(self.elder_combo.currentData()))
        if not self.record:
            form.addRow("查找老人", self.elder_search)
        form.addRow("被助养老人", self.elder_combo)
        form.addRow("家庭住址", self._line("elder_address"))
        form.addRow("联系方式", self._line("elder_phone"))
        template = QComboBox()
        template.addItems(agreements.TEMPLATES)
        self.fields["template"] = template
        form.addRow("协议文本（适用于）", template)
        column.addWidget(elder_box)

        a_box = QGroupBox("甲方（委托人）")
        form = QFormLayout(a_box)
        self.supporter_combo = QComboBox()
        self.supporter_combo.addItem("（手工填写）", _TYPED)
        self.supporter_combo.activated.connect(lambda _i: self._pick_supporter())
        self.fields["party_a_supporter_id"] = self.supporter_combo
        form.addRow("从赡养人中选择", self.supporter_combo)
        form.addRow("姓名", self._line("party_a_name"))
        form.addRow("身份证号码", self._line("party_a_id_number"))
        form.addRow("与被助养老人关系", self._line("party_a_relation", "如：儿子、女儿、儿媳"))
        form.addRow("家庭住址", self._line("party_a_address"))
        form.addRow("联系方式", self._line("party_a_phone"))
        column.addWidget(a_box)

        b_box = QGroupBox("乙方（受托人）")
        form = QFormLayout(b_box)
        form.addRow("姓名", self._line("party_b_name"))
        form.addRow("身份证号码", self._line("party_b_id_number"))
        form.addRow("家庭住址", self._line("party_b_address"))
        form.addRow("联系方式", self._line("party_b_phone"))
        column.addWidget(b_box)

        c_box = QGroupBox("村民委员会（监督见证代表）")
        form = QFormLayout(c_box)
        form.addRow("村民委员会", self._line("committee_name", "如：青山村村民委员会"))
        form.addRow("派出工作人员", self._line("committee_staff"))
        column.addWidget(c_box)

        t_box = QGroupBox("服务期限、地点和时间")
        form = QFormLayout(t_box)
        term = QDoubleSpinBox()
        term.setRange(0.5, 10)
        term.setSingleStep(0.5)
        term.setDecimals(1)
        term.setValue(1)
        term.setSuffix(" 年")
        self.fields["term_years"] = term
        form.addRow("服务期限", term)
        self.fields["start_date"] = date_edit(self.today)
        form.addRow("起始日期", self.fields["start_date"])
        end_row = QHBoxLayout()
        self.fields["end_date"] = date_edit(agreements.default_end_date(self.today, 1))
        self.auto_end = QCheckBox("按期限自动计算（起始日期 + 期限 − 1 天）")
        self.auto_end.setChecked(True)
        self.auto_end.toggled.connect(self._auto_end_toggled)
        end_row.addWidget(self.fields["end_date"])
        end_row.addWidget(self.auto_end)
        form.addRow("终止日期", end_row)
        self.fields["end_date"].setEnabled(False)
        form.addRow("服务地点", self._line("service_place"))
        hours = QHBoxLayout()
        hours.addWidget(QLabel("从"))
        hours.addWidget(self._line("hours_from", "如 8"))
        hours.addWidget(QLabel("时至"))
        hours.addWidget(self._line("hours_to", "如 12"))
        hours.addWidget(QLabel("时，或每天"))
        hours.addWidget(self._line("hours_per_day", "如 4"))
        hours.addWidget(QLabel("小时"))
        form.addRow("每日服务时间", hours)
        column.addWidget(t_box)

        o_box = QGroupBox("六、其他约定（费用支付数额、支付方式、支付时间等）")
        form = QFormLayout(o_box)
        form.addRow("服务费", self._line("fee", "如：每月600元"))
        other = QPlainTextEdit()
        other.setPlaceholderText("如：甲方每月5日前通过微信转账支付给乙方")
        other.setFixedHeight(70)
        self.fields["other_terms"] = other
        form.addRow("其他约定", other)
        column.addWidget(o_box)
        column.addStretch(1)

        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.problems_label)
        self.buttons = save_cancel_buttons(self, self.save, save_text="保存草稿",
                                           cancel_text="关闭" if self.read_only else "取消")
        outer.addWidget(self.buttons)
        if self.read_only:
            self.buttons.button(QDialogButtonBox.StandardButton.Save).hide()
            for widget in [*self.fields.values(), self.elder_combo, self.auto_end]:
                widget.setEnabled(False)

    def _watch(self, widget: QWidget) -> None:
        def later(*_args) -> None:
            if not self._loading:
                if widget in (self.fields["start_date"], self.fields["term_years"]):
                    self._update_end()
                self._recheck.start()

        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(later)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(later)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(later)
        elif isinstance(widget, QDoubleSpinBox):
            widget.valueChanged.connect(later)
        elif isinstance(widget, QDateEdit):
            widget.dateChanged.connect(later)

    # ---------------------------------------------------------------- elder and supporters

    def _search_elders(self, text: str) -> None:
        rows = elders.list_elders(self.db, elders.ElderQuery(search=text, status="在册"), order_by="name", limit=50)
        self.elder_combo.clear()
        for row in rows:
            self.elder_combo.addItem(f"{row['name']}　{row['village']}　{row['id_number']}", row["id"])
        if rows:
            self._pick_elder(rows[0]["id"])

    def current_elder_id(self) -> int | None:
        return self.elder_combo.currentData()

    def _pick_elder(self, elder_id: int | None) -> None:
        """Show the elder and fill what the village and the ledger give (address, committee, supporters)."""
        if not elder_id:
            return
        elder = elders.get_elder(self.db, elder_id)
        index = self.elder_combo.findData(elder_id)
        if index < 0:
            self.elder_combo.addItem(f"{elder['name']}　{elder['village']}　{elder['id_number']}", elder_id)
            index = self.elder_combo.count() - 1
        self.elder_combo.setCurrentIndex(index)
        self._fill_supporters(elder["supporters"])
        if self.record is None:
            defaults = agreements.elder_defaults(self.db, elder_id)
            for key, value in defaults.items():
                self._set(key, value)
            assisted = (elder.get("ability_level") or 0) >= 2 or bool(elder.get("has_dementia"))
            self.fields["template"].setCurrentText("介助介护" if assisted else "自理")
            if elder["supporters"]:
                self.supporter_combo.setCurrentIndex(1)
                self._pick_supporter()
        self._recheck_soon()

    def _fill_supporters(self, supporters: list[dict]) -> None:
        self.supporter_combo.clear()
        self.supporter_combo.addItem("（手工填写）", _TYPED)
        for supporter in supporters:
            label = "，".join(x for x in (supporter["name"], supporter.get("relation"), supporter.get("phone")) if x)
            self.supporter_combo.addItem(label, supporter["id"])
        self._supporters = {s["id"]: s for s in supporters}

    def _pick_supporter(self) -> None:
        supporter = getattr(self, "_supporters", {}).get(self.supporter_combo.currentData())
        if supporter:  # copy the supporter's details; the clerk may still correct them here
            self._set("party_a_name", supporter["name"])
            self._set("party_a_id_number", supporter.get("id_number"))
            self._set("party_a_relation", supporter.get("relation"))
            self._set("party_a_phone", supporter.get("phone"))
        self._recheck_soon()

    # ---------------------------------------------------------------- values

    def _set(self, key: str, value: Any) -> None:
        widget = self.fields[key]
        if isinstance(widget, QLineEdit):
            widget.setText("" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value or "")
        elif isinstance(widget, QDoubleSpinBox):
            widget.setValue(float(value or 1))
        elif isinstance(widget, QDateEdit):
            widget.setDate(qdate(value))
        elif isinstance(widget, QComboBox) and key == "template":
            widget.setCurrentText(value or "自理")

    def _load(self, record: dict) -> None:
        self._pick_elder(record["elder_id"])
        for key in agreements.AGREEMENT_FIELDS:
            if key in self.fields and key != "party_a_supporter_id":
                if key in ("start_date", "end_date") and not record.get(key):
                    continue
                self._set(key, record.get(key))
        index = self.supporter_combo.findData(record.get("party_a_supporter_id") or _TYPED)
        self.supporter_combo.setCurrentIndex(max(index, 0))
        expected = (agreements.default_end_date(dt.date.fromisoformat(record["start_date"]), record["term_years"])
                    if record.get("start_date") and record.get("term_years") else None)
        self.auto_end.setChecked(expected is not None and expected.isoformat() == record.get("end_date"))
        if not self.read_only:
            self.fields["end_date"].setEnabled(not self.auto_end.isChecked())

    def _auto_end_toggled(self, checked: bool) -> None:
        self.fields["end_date"].setEnabled(not checked)
        self._update_end()
        self._recheck_soon()

    def _update_end(self) -> None:
        if self.auto_end.isChecked():
            start = pydate(self.fields["start_date"].date())
            self.fields["end_date"].setDate(qdate(agreements.default_end_date(start, self.fields["term_years"].value())))

    def _recheck_soon(self) -> None:
        if not self._loading and hasattr(self, "_recheck"):
            self._recheck.start()

    def values(self) -> dict[str, Any]:
        """The form as ``save_agreement`` takes it."""
        data: dict[str, Any] = {"elder_id": self.current_elder_id()}
        for key, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                data[key] = widget.text()
            elif isinstance(widget, QPlainTextEdit):
                data[key] = widget.toPlainText()
            elif isinstance(widget, QDoubleSpinBox):
                data[key] = widget.value()
            elif isinstance(widget, QDateEdit):
                data[key] = pydate(widget.date())
        data["template"] = self.fields["template"].currentText()
        supporter = self.supporter_combo.currentData()
        data["party_a_supporter_id"] = None if supporter in (None, _TYPED) else supporter
        return data

    # ---------------------------------------------------------------- checking and saving

    def validate(self) -> bool:
        """Check the form with the model's rules; mark fields in error and list every problem. True if savable."""
        for widget in self.fields.values():
            widget.setStyleSheet("")
        if self.read_only:
            self.problems_label.setText("")
            return False
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if not self.current_elder_id():
            self.problems_label.setText("<span style='color:#c62828'>请先选择被助养老人</span>")
            save.setEnabled(False)
            return False
        try:
            _row, problems = agreements.prepare_agreement(self.db, self.values(), self.today)
        except ValidationError as exc:
            problems = exc.problems
        except UserError as exc:
            self.problems_label.setText(f"<span style='color:#c62828'>{_escape(str(exc))}</span>")
            save.setEnabled(False)
            return False
        lines = []
        for problem in problems:
            colour = "#c62828" if problem.severity == "error" else "#8a4b00"
            lines.append(f"<span style='color:{colour}'>{'✖' if problem.severity == 'error' else '⚠'} "
                         f"{_escape(problem.message)}</span>")
            widget = self.fields.get(problem.field)
            if widget is not None and problem.severity == "error":
                widget.setStyleSheet(_ERROR_STYLE)
        self.problems_label.setText("<br>".join(lines))
        ok = not any(p.severity == "error" for p in problems)
        save.setEnabled(ok)
        return ok

    def save(self) -> None:
        """Save the draft; a refusal is shown in place and the dialog stays open."""
        try:
            result = agreements.save_agreement(self.db, self.values(), self.agreement_id, today=self.today,
                                               expected_version=self.record["row_version"] if self.record else None)
        except StaleRecord as exc:
            if stale.offer_reload(self, exc):
                self.reload()
            return
        except ValidationError as exc:
            self.problems_label.setText("<br>".join(f"<span style='color:#c62828'>✖ {_escape(p.message)}</span>"
                                                    for p in exc.problems) or _escape(str(exc)))
            return
        except UserError as exc:
            QMessageBox.warning(self, "保存协议", str(exc))
            return
        self.agreement_id = result.agreement_id
        self.accept()

    def reload(self) -> None:
        """Show the draft as it is stored now (changed by someone else since the dialog opened), dropping what was
        typed; the dialog stays open and the next 保存 is checked against this version."""
        self.record = agreements.get_agreement(self.db, self.agreement_id)
        self._loading = True
        self._load(self.record)
        self._loading = False
        self.validate()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DateDialog(QDialog):
    """Ask for one date (签订日期, 续签起始日期)."""

    def __init__(self, title: str, label: str, default: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QFormLayout(self)
        self.edit = date_edit(default)
        layout.addRow(label, self.edit)
        layout.addRow(ok_cancel_buttons(self))

    def date(self) -> dt.date:
        return pydate(self.edit.date())


class TerminateDialog(QDialog):
    """解除协议: the date, which party, the reason, for cause or not, and the 15-day notice.

    With “只登记提前通知” checked, only the notice is recorded (the agreement stays 已签订 until the
    termination, at least 15 days later).
    """

    def __init__(self, agreement: dict, parent: QWidget | None = None, *, today: dt.date):
        super().__init__(parent)
        self.setWindowTitle(f"解除第 {agreement['id']} 号协议（{agreement['elder_name']}）")
        layout = QFormLayout(self)
        self.notice_only = QCheckBox("只登记提前通知（无过错解除须提前 15 日通知对方，届时再办理解除）")
        layout.addRow(self.notice_only)
        self.on = date_edit(today)
        layout.addRow("解除日期", self.on)
        self.by = QComboBox()
        self.by.addItems(agreements.PARTIES)
        layout.addRow("提出方", self.by)
        self.for_cause = QCheckBox("因对方过错解除（如甲方逾期一个月不交纳服务费、乙方未尽职尽责），无须提前通知")
        layout.addRow(self.for_cause)
        self.has_notice = QCheckBox("已提前通知对方，通知日期：")
        recorded = agreement.get("notice_on")
        self.notice = date_edit(recorded or today - dt.timedelta(days=agreements.NOTICE_DAYS))
        self.has_notice.setChecked(bool(recorded))
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.has_notice)
        notice_row.addWidget(self.notice)
        layout.addRow(notice_row)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("如：乙方家中有事无法继续服务")
        layout.addRow("解除原因", self.reason)
        layout.addRow(ok_cancel_buttons(self))
        self.notice_only.toggled.connect(self._mode)

    def _mode(self, notice_only: bool) -> None:
        for widget in (self.on, self.for_cause, self.reason):
            widget.setEnabled(not notice_only)
        if notice_only:
            self.has_notice.setChecked(True)

    def values(self) -> dict[str, Any]:
        return {
            "notice_only": self.notice_only.isChecked(),
            "on": pydate(self.on.date()),
            "by": self.by.currentText(),
            "reason": self.reason.text(),
            "for_cause": self.for_cause.isChecked(),
            "notice_on": pydate(self.notice.date()) if self.has_notice.isChecked() else None,
        }
