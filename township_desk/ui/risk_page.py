"""风险评估: who is due an assessment (待评估), assessing one elder (评估) and grades by village (统计).

The 评估 tab shows the factors the ledger, the hazards and the last visit give (ticked, read-only, each with
where it comes from), the suggested grade in large coloured text with its reasons, the final grade, the
override reason it needs when different, the optional GB/T 42195-2022 ability sub-form, and the elder's
assessment history. Every rule is ``models.risk`` / ``models.ability``; this page shows what they say.

Filters from elsewhere: ``apply_filters({"view": "due"})`` (optionally ``"village"``) shows 待评估;
``apply_filters({"elder_id": n})`` opens 评估 for that elder.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders, group_plans, risk, villages
from township_desk.models.dates import age_on
from township_desk.models.elders import ABILITY_LEVELS
from township_desk.models.errors import UserError
from township_desk.ui.ability_dialog import AbilityDialog
from township_desk.ui.rows_model import RowsModel
from township_desk.ui.widgets import date_edit, pydate, qdate, refill_choices, table_view

ALL = "全部"
GRADE_COLOURS = {"高": "#c62828", "中": "#e65100", "低": "#2e7d32"}
_ERROR_STYLE = "border: 1px solid #c62828;"

DUE_COLUMNS = [("name", "姓名"), ("id_number", "身份证号码"), ("village", "村（社区）"), ("tier", "巡访类别"),
               ("grade_text", "当前风险等级"), ("last_text", "上次评估日期"), ("days_since", "距上次评估（天）")]
HISTORY_COLUMNS = [("date", "评估日期"), ("assessor", "评估人"), ("factors_text", "风险因素"),
                   ("suggested_text", "系统建议"), ("final_text", "最终等级"), ("override_reason", "调整理由"),
                   ("ability_text", "能力评估")]
STATS_COLUMNS = [("village", "村（社区）"), ("high", "高风险"), ("medium", "中风险"), ("low", "低风险"),
                 ("none", "未评估"), ("total", "在册合计")]


def _due_row(row: dict) -> dict:
    row["grade_text"] = risk.GRADE_LABELS.get(row["risk_grade"], "未评估")
    row["last_text"] = row["last_assessed"] or "从未评估"
    return row


def _history_row(row: dict) -> dict:
    row["factors_text"] = "、".join(row["factors"]) or "无"
    row["suggested_text"] = risk.GRADE_LABELS[row["suggested_grade"]]
    row["final_text"] = risk.GRADE_LABELS[row["final_grade"]] + ("（已调整）" if row["final_grade"] != row["suggested_grade"]
                                                                else "")
    row["ability_text"] = (f"{row['ability_score']}分，{ABILITY_LEVELS[row['ability_level']]}"
                           if row.get("ability_level") is not None else "")
    return row


class FactorMark(QLabel):
    """One risk factor as the record gives it: a mark and its source when present, grey when not. Read-only and
    drawn as text, so it does not look like a box the clerk could tick (the factors come from the record)."""

    def __init__(self, factor: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self._present = False
        self._text = factor
        self._show()

    def isChecked(self) -> bool:  # noqa: N802 - reads like the check box it replaces
        return self._present

    def setChecked(self, present: bool) -> None:  # noqa: N802
        self._present = bool(present)
        self._show()

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802
        self._text = text
        self._show()

    def _show(self) -> None:
        super().setText(("● " if self._present else "○ ") + self._text)
        self.setStyleSheet("color: #b42318; font-weight: bold;" if self._present else "color: #8a8a8a;")


class RiskPage(QWidget):
    """The 风险评估 page."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"assessments", "elders", "visits", "hazards", "settings", "villages"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.elder: dict | None = None
        self.suggestion: risk.Suggestion | None = None
        self.ability_result = None
        self._final_touched = False
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._build_due(), "待评估")
        self.tabs.addTab(self._build_assess(), "评估")
        self.tabs.addTab(self._build_stats(), "统计")
        self.refresh()  # later refreshes come from the window (``SHOWS``), never from listening to ctx here

    @property
    def today(self) -> dt.date:
        return self.ctx.today()

    # ---------------------------------------------------------------- 待评估

    def _build_due(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("村（社区）"))
        self.village_combo = QComboBox()
        self.village_combo.currentIndexChanged.connect(lambda _i: self.load_due())
        filters.addWidget(self.village_combo)
        filters.addStretch(1)
        self.due_count_label = QLabel()
        filters.addWidget(self.due_count_label)
        layout.addLayout(filters)
        note = QLabel("每位在册老人每年至少评估一次：从未评估或上次评估已超过365天的列在这里（从未评估的在前，红色）。"
                      "双击一行进行评估。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        self.due_model = RowsModel(DUE_COLUMNS, color=lambda r: "#c62828" if r["last_assessed"] is None else None,
                                   parent=self)
        self.due_view = table_view(self.due_model, sortable=False)
        self.due_view.setSortingEnabled(False)
        self.due_view.doubleClicked.connect(lambda index: self.open_elder(self.due_model.row(index.row())["elder_id"]))
        from township_desk.ui.elder_file import install_elder_menu
        from township_desk.ui.list_export import filter_title

        install_elder_menu(self.due_view, self.ctx, after=self.load_due, today=lambda: self.today,
                           export_title=lambda: filter_title("待评估名单", [self.village_combo]))
        from township_desk.ui.empty_state import show_when_empty, unless_ledger_empty

        show_when_empty(self.due_view, lambda: unless_ledger_empty(
            self.ctx.db, "没有待评估的老人：每位在册老人在一年内都已评估过。"))
        layout.addWidget(self.due_view, 1)
        buttons = QHBoxLayout()
        self.assess_selected_button = QPushButton("评估所选老人")
        self.assess_selected_button.clicked.connect(self._assess_selected)
        buttons.addWidget(self.assess_selected_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return tab

    def _fill_villages(self) -> None:
        refill_choices(self.village_combo, [(v["name"], v["name"]) for v in villages.list_villages(self.ctx.db)], ALL)

    def load_due(self) -> None:
        village = self.village_combo.currentText()
        rows = risk.assessments_due(self.ctx.db, self.today, village=None if village in ("", ALL) else village)
        self.due_model.set_rows([_due_row(r) for r in rows])
        never = sum(1 for r in rows if r["last_assessed"] is None)
        self.due_count_label.setText(f"待评估 {len(rows)} 人（其中从未评估 {never} 人）")
        self.assess_selected_button.setEnabled(bool(rows))

    def due_elder_ids(self) -> list[int]:
        return [r["elder_id"] for r in self.due_model.rows]

    def _assess_selected(self) -> None:
        rows = self.due_view.selectionModel().selectedRows()
        if rows:
            self.open_elder(self.due_model.row(rows[0].row())["elder_id"])

    # ---------------------------------------------------------------- 评估

    def _build_assess(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        pick = QHBoxLayout()
        pick.addWidget(QLabel("查找老人"))
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("姓名、拼音首字母或身份证号码")
        self.search_edit.textChanged.connect(self._search)
        pick.addWidget(self.search_edit, 1)
        self.elder_combo = QComboBox()
        self.elder_combo.setMinimumContentsLength(30)
        self.elder_combo.activated.connect(lambda _i: self.load_elder(self.elder_combo.currentData()))
        pick.addWidget(self.elder_combo, 2)
        layout.addLayout(pick)
        self.elder_label = QLabel("请先查找并选择要评估的老人。")
        self.elder_label.setWordWrap(True)
        self.elder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.elder_label)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)  # not 1,100 px wide
        self.date_edit = date_edit(self.today, latest=self.today)
        self.date_edit.dateChanged.connect(lambda _d: self.update_suggestion())
        form.addRow("评估日期", self.date_edit)
        self.assessor_edit = QLineEdit(self.ctx.settings().get("preparer") or "")
        self.assessor_edit.setMinimumWidth(220)
        self.assessor_edit.setPlaceholderText("评估人姓名")
        self.assessor_edit.textChanged.connect(lambda _t: self.validate())
        form.addRow("评估人", self.assessor_edit)
        layout.addLayout(form)

        factors_box = QGroupBox("风险因素（依据台账、风险隐患和最近一次巡访，自动判断；不能在此勾选）")
        factors_layout = QGridLayout(factors_box)
        self.factor_checks: dict[str, FactorMark] = {}
        for index, factor in enumerate(risk.FACTORS):  # two columns: the result stays above the fold at 768
            mark = FactorMark(factor)
            factors_layout.addWidget(mark, index // 2, index % 2)
            self.factor_checks[factor] = mark
        factors_layout.setColumnStretch(0, 1)
        factors_layout.setColumnStretch(1, 1)
        layout.addWidget(factors_box)

        ability_row = QHBoxLayout()
        self.ability_button = QPushButton("能力评估（GB/T 42195-2022）…")
        self.ability_button.clicked.connect(self.open_ability)
        ability_row.addWidget(self.ability_button)
        self.ability_label = QLabel()
        self.ability_label.setWordWrap(True)
        ability_row.addWidget(self.ability_label, 1)
        layout.addLayout(ability_row)

        grade_box = QGroupBox("系统建议等级")
        grade_layout = QVBoxLayout(grade_box)
        self.grade_label = QLabel("—")
        self.grade_label.setStyleSheet("font-size: 28px; font-weight: bold;")
        grade_layout.addWidget(self.grade_label)
        self.reasons_label = QLabel()
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grade_layout.addWidget(self.reasons_label)
        layout.addWidget(grade_box)

        final_box = QGroupBox("最终等级")
        final_layout = QVBoxLayout(final_box)
        radios = QHBoxLayout()
        self.final_group = QButtonGroup(self)
        self.final_radios: dict[str, QRadioButton] = {}
        for grade in risk.GRADES:
            radio = QRadioButton(risk.GRADE_LABELS[grade])
            radio.setStyleSheet(f"color: {GRADE_COLOURS[grade]}; font-weight: bold;")
            self.final_group.addButton(radio)
            self.final_radios[grade] = radio
            radios.addWidget(radio)
        radios.addStretch(1)
        self.final_group.buttonClicked.connect(self._final_clicked)
        final_layout.addLayout(radios)
        self.reason_title = QLabel("调整理由（最终等级与系统建议不同时必填）")
        final_layout.addWidget(self.reason_title)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText("如：冬季独自烧柴取暖，子女半年未归")
        self.reason_edit.setFixedHeight(60)
        self.reason_edit.textChanged.connect(self.validate)
        final_layout.addWidget(self.reason_edit)
        layout.addWidget(final_box)

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #c62828;")
        save_row = QHBoxLayout()
        self.save_button = QPushButton("保存评估")
        self.save_button.clicked.connect(self.save)
        save_row.addWidget(self.save_button)
        self.saved_label = QLabel()
        self.saved_label.setStyleSheet("color: #2e7d32;")
        save_row.addWidget(self.saved_label, 1)

        layout.addWidget(QLabel("评估记录"))
        self.history_model = RowsModel(HISTORY_COLUMNS, parent=self)
        self.history_view = table_view(self.history_model, sortable=False)
        self.history_view.setMinimumHeight(160)
        layout.addWidget(self.history_view)
        # What is wrong and 保存评估 stay below the scrolling form, always in sight (at 1366×768 the form is taller
        # than the window).
        tab = QWidget()
        tab_layout = QVBoxLayout(tab)
        tab_layout.setContentsMargins(0, 0, 0, 0)
        tab_layout.addWidget(scroll, 1)
        tab_layout.addWidget(self.problem_label)
        tab_layout.addLayout(save_row)
        self._show_elder()
        return tab

    def _search(self, text: str) -> None:
        if not text.strip():
            return
        rows = elders.list_elders(self.ctx.db, elders.ElderQuery(search=text), order_by="name", limit=50)
        self.elder_combo.blockSignals(True)
        self.elder_combo.clear()
        for row in rows:
            self.elder_combo.addItem(f"{row['name']}　{row['village']}　{row['id_number']}　{row['status']}", row["id"])
        self.elder_combo.blockSignals(False)
        if rows:
            self.load_elder(rows[0]["id"])

    def open_elder(self, elder_id: int) -> None:
        """Show the 评估 tab for one elder (from the due list, or another page)."""
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.elder_combo.clear()
        self.tabs.setCurrentIndex(1)
        self.load_elder(elder_id)
        if self.elder:
            e = self.elder
            self.elder_combo.addItem(f"{e['name']}　{e['village']}　{e['id_number']}　{e['status']}", e["id"])

    def load_elder(self, elder_id: int | None) -> None:
        """Start an assessment of ``elder_id``: the form is reset (date today, no ability result)."""
        if elder_id is None:
            return
        try:
            self.elder = elders.get_elder(self.ctx.db, elder_id)
        except UserError as exc:
            self.elder = None
            self.elder_label.setText(str(exc))
            self._show_elder()
            return
        self.ability_result = None
        self._final_touched = False
        self.reason_edit.blockSignals(True)
        self.reason_edit.clear()
        self.reason_edit.blockSignals(False)
        self.saved_label.clear()
        self.date_edit.blockSignals(True)
        self.date_edit.setMaximumDate(qdate(self.today))
        self.date_edit.setDate(qdate(self.today))
        self.date_edit.blockSignals(False)
        if not self.assessor_edit.text().strip():
            self.assessor_edit.setText(self.ctx.settings().get("preparer") or "")
        self._show_elder()

    def _show_elder(self) -> None:
        """Elder summary, suggestion and history for the current elder (or an empty form)."""
        has = self.elder is not None
        for widget in (self.ability_button, self.reason_edit, *self.final_radios.values()):
            widget.setEnabled(has)
        if not has:
            self.suggestion = None
            for check in self.factor_checks.values():
                check.setChecked(False)
                check.setText(check.text().split("：")[0])
            self.grade_label.setText("—")
            self.reasons_label.clear()
            self.history_model.set_rows([])
            self._show_ability()
            self.validate()
            return
        e = self.elder
        age = age_on(e["birth_date"], self.today)
        history = risk.history(self.ctx.db, e["id"])
        last = history[0]["date"] if history else "从未评估"
        text = (f"<b>{e['name']}</b>　{e['sex']}　{age}周岁　{e['village']}　身份证号码 {e['id_number']}<br>"
                f"状态：{e['status']}　巡访类别：{group_plans.tier_reading(self.ctx.db, e['id'], self.today).text}"
                f"　当前风险等级：{risk.GRADE_LABELS.get(e['risk_grade'], '未评估')}"
                f"　上次评估：{last}")
        if e["status"] not in risk.STATUSES_ASSESSABLE:
            text += f"<br><span style='color:#c62828'>该老人状态为“{e['status']}”，不在册，不能评估。</span>"
        self.elder_label.setText(text)
        self.history_model.set_rows([_history_row(r) for r in history])
        self.update_suggestion()

    def _show_ability(self) -> None:
        if self.ability_result is not None:
            self.ability_label.setText("本次能力评估：" + self.ability_result.summary())
        elif self.elder is not None:
            level = self.elder.get("ability_level")
            self.ability_label.setText("本次未做能力评估（台账能力等级："
                                       f"{ABILITY_LEVELS[level] if level is not None else '未填写'}）")
        else:
            self.ability_label.setText("")

    def assessment_date(self) -> dt.date:
        return pydate(self.date_edit.date())

    def update_suggestion(self) -> None:
        """Recompute the factors and the suggested grade as of the chosen date (and ability result)."""
        self._show_ability()
        if self.elder is None:
            return
        level = self.ability_result.level if self.ability_result is not None else None
        try:
            self.suggestion = risk.suggest(self.ctx.db, self.elder["id"], self.assessment_date(), ability_level=level)
        except UserError as exc:
            self.suggestion = None
            self.reasons_label.setText(str(exc))
            self.validate()
            return
        s = self.suggestion
        for factor, check in self.factor_checks.items():
            check.setChecked(factor in s.sources)
            check.setText(f"{factor}：{s.sources[factor]}" if factor in s.sources else factor)
        self.grade_label.setText(f"建议：{risk.GRADE_LABELS[s.grade]}")
        self.grade_label.setStyleSheet(f"font-size: 28px; font-weight: bold; color: {GRADE_COLOURS[s.grade]};")
        self.reasons_label.setText("\n".join(s.rule_reasons()))
        if not self._final_touched:
            self.final_radios[s.grade].setChecked(True)
        self.validate()

    def _final_clicked(self, _button) -> None:
        self._final_touched = True
        self.validate()

    def final_grade(self) -> str | None:
        return next((g for g, radio in self.final_radios.items() if radio.isChecked()), None)

    def problems(self) -> list[str]:
        """What stops saving, in Chinese (the same checks ``record_assessment`` makes, said before clicking)."""
        if self.elder is None or self.suggestion is None:
            return ["请先选择要评估的老人"]
        found = []
        if self.elder["status"] not in risk.STATUSES_ASSESSABLE:
            found.append(f"该老人状态为“{self.elder['status']}”，不能评估")
        if not self.assessor_edit.text().strip():
            found.append("请填写评估人")
        final = self.final_grade()
        if final and final != self.suggestion.grade and not self.reason_edit.toPlainText().strip():
            found.append(f"最终等级“{risk.GRADE_LABELS[final]}”与系统建议的“{risk.GRADE_LABELS[self.suggestion.grade]}”"
                         "不同，须填写调整理由")
        return found

    def validate(self) -> None:
        found = self.problems()
        needs_reason = bool(self.suggestion and self.final_grade() and self.final_grade() != self.suggestion.grade)
        self.reason_title.setText("调整理由（必填：最终等级与系统建议不同）" if needs_reason
                                  else "调整理由（最终等级与系统建议不同时必填）")
        self.reason_edit.setStyleSheet(_ERROR_STYLE if needs_reason and not self.reason_edit.toPlainText().strip()
                                       else "")
        self.problem_label.setText("；".join(found) if self.elder is not None else "")
        self.save_button.setEnabled(not found)

    def open_ability(self):
        """Open the ability sub-form, starting from this sitting's or the last stored answers."""
        if self.elder is None:
            return None
        previous = self.ability_result.stored() if self.ability_result is not None else \
            risk.latest_ability(self.ctx.db, self.elder["id"])
        dialog = AbilityDialog(self, previous, elder_name=self.elder["name"])
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        result = dialog.result()
        if result is not None:
            self.ability_result = result
            self.update_suggestion()
        return result

    def save(self) -> int | None:
        """Record the assessment; on success the tables refresh and the form is ready for the next one."""
        if self.elder is None or self.suggestion is None:
            return None
        found = self.problems()
        if found:
            QMessageBox.warning(self, "保存评估", "；".join(found))
            return None
        final = self.final_grade()
        try:
            assessment_id = risk.record_assessment(
                self.ctx.db, self.elder["id"], date=self.assessment_date(), assessor=self.assessor_edit.text(),
                final_grade=final, override_reason=self.reason_edit.toPlainText(), ability=self.ability_result,
                today=self.today)
        except UserError as exc:
            QMessageBox.warning(self, "保存评估", str(exc))
            return None
        name, day = self.elder["name"], self.assessment_date().isoformat()
        self.ability_result = None
        self._final_touched = False
        self.reason_edit.blockSignals(True)
        self.reason_edit.clear()
        self.reason_edit.blockSignals(False)
        # one announcement: this page (through the window), the dashboard, the ledger and the charts follow
        self.ctx.announce_writes()
        self.saved_label.setText(f"已保存：{name} {day} 评估，最终等级 {risk.GRADE_LABELS[final]}")
        return assessment_id

    # ---------------------------------------------------------------- 统计

    def _build_stats(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        note = QLabel("各村（社区）在册老人的当前风险等级（最近一次评估的最终等级）；“未评估”为尚无评估记录的老人。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        self.stats_model = RowsModel(STATS_COLUMNS, parent=self)
        self.stats_view = table_view(self.stats_model, sortable=False)
        layout.addWidget(self.stats_view, 1)
        return tab

    def load_stats(self) -> None:
        rows = [{"village": v, "high": h, "medium": m, "low": lo, "none": n, "total": h + m + lo + n}
                for v, h, m, lo, n in elders.grades_by_village(self.ctx.db)]
        if rows:
            rows.append({"village": "合计", **{k: sum(r[k] for r in rows) for k in ("high", "medium", "low", "none",
                                                                                  "total")}})
        self.stats_model.set_rows(rows)

    # ---------------------------------------------------------------- page protocol

    def can_close(self) -> bool:
        return True  # nothing unsaved is held on this page

    def refresh(self) -> None:
        """Reload the due list, the statistics and the current elder (keeping what the clerk has typed). The window
        calls it when an announced change touches ``SHOWS`` (a hidden page: when it is next shown)."""
        self._fill_villages()
        self.load_due()
        self.load_stats()
        if self.elder is not None:
            try:
                self.elder = elders.get_elder(self.ctx.db, self.elder["id"])
            except UserError:
                self.elder = None
            self._show_elder()

    def apply_filters(self, filters: dict) -> None:
        """``{"view": "due"}`` (and ``"village"``) shows 待评估; ``{"elder_id": n}`` opens 评估 for that elder."""
        if filters.get("elder_id") is not None:
            self.open_elder(int(filters["elder_id"]))
            return
        if filters.get("view") == "stats":
            self.tabs.setCurrentIndex(2)
            self.load_stats()
            return
        self.village_combo.blockSignals(True)
        self.village_combo.setCurrentIndex(max(self.village_combo.findText(filters.get("village") or ALL), 0))
        self.village_combo.blockSignals(False)
        self.tabs.setCurrentIndex(0)
        self.load_due()
