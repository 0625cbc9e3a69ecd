"""老人档案: one elder's record and everything done about them, with the day's actions one click away.

Opened from every list of elders (``install_elder_menu``: a right-click menu everywhere, a double-click where a
list gives it no other meaning). The record is read-only here (编辑登记表 opens the elder editor); the timeline
is ``models.elder_file.timeline``; a double-click on a visit, hazard or agreement opens it. The actions are the
existing dialogs: 登记巡访 (``VisitDialog``), 快速登记电话/视频 (``ContactLogDialog``), 风险评估 (the 风险评估
page's 评估 tab for this elder), 对象类别… (``GroupsDialog``: each 巡访对象类别 with its reasons, the clerk's
override with its reason), 打印登记表, and 打印巡访记录 / 打印协议 for the visit or agreement chosen in the
timeline (``printing.kinds`` to a file the clerk chooses, then 打开 / 打印 / 关闭: ``ui.after_save``), 新建协议
(``AgreementEditor``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elder_file, elders, group_plans, risk
from township_desk.models.dates import age_on
from township_desk.models.errors import UserError
from township_desk.ui.rows_model import RowsModel
from township_desk.ui.widgets import size_for_screen, table_view

TIMELINE_COLUMNS = [("date", "日期"), ("kind", "类别"), ("title", "事项"), ("detail", "情况")]
GREY = "#8a8a8a"
RED = "#c62828"
ALL_KINDS = "全部"
UNASSIGNED = "未指定"
PRINTABLE = {"visits": "打印巡访记录", "agreements": "打印协议"}  # timeline lines that print, and the action's name


def _group(group_name: str | None) -> str:
    """碾子村 + "7" reads 碾子村7组 (a group typed as a bare number); a name such as 三组 stays as typed."""
    text = (group_name or "").strip()
    return f"{text}组" if text.isdigit() else text


def _timeline_color(row: dict) -> str | None:
    if row["voided"]:
        return GREY
    if row["open"]:
        return RED
    return None


class ElderFileDialog(QDialog):
    """老人档案 of ``elder_id``. ``changed`` says whether anything was recorded from it (the caller refreshes)."""

    def __init__(self, ctx, elder_id: int, parent: QWidget | None = None, *, today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.elder_id = elder_id
        self.today = today or ctx.today()
        self.changed = False
        self.elder: dict[str, Any] = {}
        size_for_screen(self, 1180, 720)

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-size: 15px")
        self.record_box = QGroupBox("登记信息")
        self.record_form = QFormLayout(self.record_box)
        self.record_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.record_labels: dict[str, QLabel] = {}
        for key, label in (("id_number", "身份证号码"), ("birth", "出生日期"), ("phone", "联系电话"),
                           ("address", "住址"), ("visitor", "巡访责任人"), ("supporters", "赡养人"),
                           ("health", "身体状况"), ("living", "居住和照料"), ("hardship", "困难类型"),
                           ("entered", "纳入台账"), ("status", "状态"), ("groups", "对象类别")):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.record_labels[key] = value
            self.record_form.addRow(label, value)
        self.record_box.setMaximumWidth(380)

        self.kind_filter = QComboBox()
        self.kind_filter.addItem(ALL_KINDS, None)
        for kind in elder_file.KINDS:
            self.kind_filter.addItem(kind, kind)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self._show_timeline())
        self.summary = QLabel()
        self.model = RowsModel(TIMELINE_COLUMNS, color=_timeline_color)
        self.table = table_view(self.model, sortable=False)
        self.table.setWordWrap(True)
        self.table.doubleClicked.connect(lambda index: self.open_event(index.row()))
        self.table.setToolTip("双击巡访记录、风险隐患或互助协议可打开查看")
        from township_desk.ui.empty_state import show_when_empty

        show_when_empty(self.table, lambda: (
            "还没有任何记录：可点击“登记巡访”或“风险评估”。" if self.kind_filter.currentData() in (None, ALL_KINDS)
            else f"没有“{self.kind_filter.currentText()}”类的记录。"))
        self.events: list[elder_file.Event] = []

        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, text, slot in (("edit", "编辑登记表", self.edit_record), ("visit", "登记巡访", self.record_visit),
                                ("contact", "快速登记电话/视频", self.log_contact),
                                ("assess", "风险评估", self.assess), ("groups", "对象类别…", self.edit_groups),
                                ("print", "打印登记表", self.print_registration),
                                ("print_event", "打印所选记录", self.print_event),
                                ("agreement", "新建协议", self.new_agreement)):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            actions.addWidget(button)
            self.buttons[key] = button
        self.buttons["print_event"].setToolTip("在右侧经历中选中一条巡访记录或互助协议后打印（也可右键）")
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_print_event())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._timeline_menu)
        actions.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        actions.addWidget(close)

        right = QVBoxLayout()
        line = QHBoxLayout()
        line.addWidget(QLabel("经历（最新在上）"))
        line.addWidget(self.kind_filter)
        line.addWidget(self.summary, 1)
        right.addLayout(line)
        right.addWidget(self.table, 1)
        body = QHBoxLayout()
        body.addWidget(self.record_box)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(body, 1)
        layout.addLayout(actions)
        self.reload()

    # ---------------------------------------------------------------- showing

    def reload(self) -> None:
        """Read the record and the timeline again (after anything was recorded from here)."""
        e = self.elder = elders.get_elder(self.ctx.db, self.elder_id)
        self.setWindowTitle(f"老人档案 — {e['name']}")
        age = f"{age_on(e['birth_date'], self.today)}岁" if e.get("birth_date") else ""
        grade = risk.GRADE_LABELS.get(e.get("risk_grade"), "未评估")
        colour = {"高": RED, "中": "#e65100"}.get(e.get("risk_grade"), "#333333")
        status = e["status"] if e["status"] == "在册" else f"<span style='color:{GREY}'>{escape(e['status'])}</span>"
        tier = group_plans.tier_reading(self.ctx.db, self.elder_id, self.today).text  # the plan's, with why
        self.header.setText(
            f"<b style='font-size:18px'>{escape(e['name'])}</b>　{escape(e.get('sex') or '')}　{age}　"
            f"{escape(e['village'])}{escape(_group(e.get('group_name')))}　巡访类别：{escape(tier)}　"
            f"风险等级：<span style='color:{colour}'>{grade}</span>　状态：{status}")
        supporters = "；".join(
            "　".join(x for x in (s.get("name"), s.get("relation"), s.get("phone"), s.get("work_place")) if x)
            for s in e["supporters"]) or "未登记"
        health = elders.health_of(e)
        if e.get("is_disabled") and (e.get("disability_category") or e.get("disability_grade")):
            health += f"（{e.get('disability_category') or ''}{e.get('disability_grade') or ''}）"
        if e.get("is_ill") and e.get("illness_type"):
            health += f"（{e['illness_type']}）"
        if e.get("ability_level") is not None:
            health += f"；{elders.ABILITY_LEVELS.get(e['ability_level'], '')}"
        if e.get("has_dementia"):
            health += "；失智"
        living = "　".join(x for x in ("独居" if e.get("lives_alone") else "非独居", e.get("care")) if x)
        visitor = UNASSIGNED
        if e.get("visitor"):
            visitor = e["visitor"] + (f"　{e['visitor_phone']}" if e.get("visitor_phone") else "")
        status_text = e["status"] + (f"（{e['status_date']}，{e['status_reason']}）" if e.get("status_reason") else "")
        values = {"id_number": e["id_number"], "birth": e.get("birth_date") or "", "phone": e.get("phone") or "未填",
                  "address": e.get("current_address") or e.get("household_address") or "未填",
                  "visitor": visitor, "supporters": supporters, "health": health, "living": living,
                  "hardship": e.get("hardship") or "无", "entered": e.get("entered_on") or "", "status": status_text,
                  "groups": self._groups_text()}
        for key, label in self.record_labels.items():
            label.setText(values[key])
        self.events = elder_file.timeline(self.ctx.db, self.elder_id)
        self._show_timeline()
        on_ledger = e["status"] in ("在册", "暂离")
        self.buttons["visit"].setEnabled(e["status"] == "在册")
        self.buttons["contact"].setEnabled(e["status"] == "在册")
        self.buttons["assess"].setEnabled(on_ledger)
        self.buttons["agreement"].setEnabled(on_ledger)

    def _groups_text(self) -> str:
        """The elder's 巡访对象类别 today, an override marked 经办人认定."""
        from township_desk.models import groups

        found = groups.groups_of(self.ctx.db, self.elder_id, self.today)
        return "、".join(m.group + (f"（{m.sub_kind}）" if m.sub_kind else "")
                        + ("（经办人认定）" if m.source == "override" else "") for m in found) or "无"

    def _show_timeline(self) -> None:
        kind = self.kind_filter.currentData()
        shown = [e for e in self.events if kind is None or e.kind == kind]
        self.model.set_rows([{"date": e.date, "kind": e.kind, "title": e.title, "detail": e.detail,
                              "voided": e.voided, "open": e.open, "event": e} for e in shown])
        self.table.resizeRowsToContents()
        counted = [e for e in self.events if e.kind == "巡访" and not e.voided]
        home = sum(1 for e in counted if e.title.startswith("上门"))
        voided = sum(1 for e in self.events if e.voided)
        open_hazards = sum(1 for e in self.events if e.open)
        parts = [f"巡访 {len(counted)} 次（上门 {home} 次）"]
        if voided:
            parts.append(f"已作废 {voided} 条（灰色）")
        if open_hazards:
            parts.append(f"未处置隐患 {open_hazards} 项（红色）")
        self.summary.setText("，".join(parts))
        self._update_print_event()

    def shown_events(self) -> list[elder_file.Event]:
        return [row["event"] for row in self.model.rows]

    def chosen_event(self) -> int | None:
        """The timeline line chosen (its number in the shown rows), or None."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return rows[0].row() if rows else None

    def _printable(self, number: int | None) -> str | None:
        """What the timeline line prints as, or None: 打印巡访记录 for a visit, 打印协议 for an agreement."""
        if number is None or not 0 <= number < len(self.model.rows):
            return None
        event = self.model.rows[number]["event"]
        return None if event.voided else PRINTABLE.get(event.table)  # a voided visit is never printed

    def _update_print_event(self) -> None:
        text = self._printable(self.chosen_event())
        self.buttons["print_event"].setEnabled(text is not None)
        self.buttons["print_event"].setText(text or "打印所选记录")

    def timeline_menu(self, number: int) -> QMenu:
        """The right-click menu of a timeline line: 打开, and 打印巡访记录… / 打印协议… where it prints."""
        menu = QMenu(self.table)
        menu.addAction("打开").triggered.connect(lambda _c=False: self.open_event(number))
        text = self._printable(number)
        if text:
            menu.addAction(text + "…").triggered.connect(lambda _c=False: self.print_event(number=number))
        return menu

    def _timeline_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.selectRow(index.row())
            self.timeline_menu(index.row()).exec(self.table.viewport().mapToGlobal(pos))

    # ---------------------------------------------------------------- actions

    def _after(self) -> None:
        """Something was recorded from the file: announce it and show the file as it is now."""
        self.changed = True
        self.ctx.announce_writes()
        self.reload()

    def open_event(self, number: int) -> None:
        """Open what a timeline line stands for: the visit, the hazard or the agreement."""
        if not 0 <= number < len(self.model.rows):
            return
        event: elder_file.Event = self.model.rows[number]["event"]
        if event.table == "visits":
            from township_desk.ui.visit_dialog import VisitDialog

            dialog = VisitDialog(self.ctx, self.elder_id, self, visit_id=event.record_id)
            dialog.exec()
            if dialog.changed:
                self._after()
        elif event.table == "hazards":
            from township_desk.ui.hazard_dialog import HazardDialog

            if HazardDialog(self.ctx, self.elder_id, self, hazard_id=event.record_id).exec():
                self._after()
        elif event.table == "agreements":
            from township_desk.ui.agreement_editor import AgreementEditor

            if AgreementEditor(self.ctx.db, event.record_id, parent=self, today=self.today).exec():
                self._after()

    def edit_record(self) -> None:
        from township_desk.ui.elder_editor import ElderEditor

        if ElderEditor(self.ctx, self.elder_id, self).exec() == QDialog.DialogCode.Accepted:
            self.changed = True
            self.reload()

    def edit_groups(self) -> None:
        """巡访对象类别 with their reasons, and the clerk's override (``ui.groups_dialog``)."""
        from township_desk.ui.groups_dialog import GroupsDialog

        dialog = GroupsDialog(self.ctx, self.elder_id, self, today=self.today)
        dialog.exec()
        if dialog.changed:
            self.changed = True
            self.reload()

    def record_visit(self) -> None:
        from township_desk.ui.visit_dialog import VisitDialog

        if VisitDialog(self.ctx, self.elder_id, self).exec():
            self.changed = True
            self.reload()

    def log_contact(self) -> None:
        from township_desk.ui.contact_log import ContactLogDialog

        if ContactLogDialog(self.ctx, [self.elder_id], self, today=self.today).exec():
            self.changed = True
            self.reload()

    def assess(self) -> None:
        """The assessment is the 风险评估 page's 评估 tab: show it for this elder and close the file."""
        self.ctx.navigate("风险评估", elder_id=self.elder_id)
        self.accept()

    def print_registration(self, target=None) -> Any:
        """登记表 of this elder (the registry's registration kind) to a .docx the clerk chooses, then 打开 / 打印 /
        关闭. Returns the path or None."""
        from township_desk.models import printouts
        from township_desk.ui import after_save

        selection = printouts.Selection(kind="registration", elder_id=self.elder_id, as_of=self.today)
        return after_save.print_to_file(self, self.ctx, selection, f"登记表_{self.elder['name']}_{self.today:%Y%m%d}.docx",
                                        title="打印登记表", target=target)

    def print_event(self, target=None, *, number: int | None = None) -> Any:
        """The visit record (巡访登记表 of that visit) or the agreement (一式四份 while to be signed or signed)
        chosen in the timeline, through ``printing.kinds``, then 打开 / 打印 / 关闭. Returns the path or None."""
        from township_desk.models import agreements, printouts
        from township_desk.ui import after_save

        number = self.chosen_event() if number is None else number
        title = self._printable(number)
        if title is None:
            return None
        event: elder_file.Event = self.model.rows[number]["event"]
        name = self.elder["name"]
        if event.table == "visits":
            selection = printouts.Selection(kind="visit-form", visit_id=event.record_id)
            suggested = f"巡访记录_{name}_{event.date}.docx"
        else:
            status = agreements.get_agreement(self.ctx.db, event.record_id)["status"]
            selection = printouts.Selection(kind="agreement", agreement_ids=(event.record_id,), as_of=self.today,
                                            copies=printouts.agreement_copies([status]))
            suggested = f"互助养老协议书_{name}_{event.record_id}.docx"
        return after_save.print_to_file(self, self.ctx, selection, suggested, title=title, target=target)

    def new_agreement(self) -> None:
        from township_desk.ui.agreement_editor import AgreementEditor

        if AgreementEditor(self.ctx.db, elder_id=self.elder_id, parent=self, today=self.today).exec():
            self._after()


def open_elder_file(ctx, elder_id: int | None, parent: QWidget | None = None, *,
                    today: dt.date | None = None) -> bool:
    """Show the 老人档案 of ``elder_id`` (modal); True when something was recorded from it."""
    if elder_id is None:
        return False
    try:
        dialog = ElderFileDialog(ctx, elder_id, parent, today=today)
    except UserError as exc:
        QMessageBox.warning(parent, "老人档案", str(exc))
        return False
    dialog.exec()
    return dialog.changed


# ------------------------------------------------------------------------------ the menu of every elder list


def _row_at(view: QTableView, pos: QPoint) -> Any | None:
    index = view.indexAt(pos)
    if not index.isValid():
        return None
    if not view.selectionModel().isRowSelected(index.row(), index.parent()):
        view.selectRow(index.row())
    view.setCurrentIndex(index)
    return view.model().row(index.row())


class ElderListMenu:
    """The right-click menu of a list of elders (``elder_of(row)`` gives a row's elder id, or None):
    老人档案, 登记巡访, 快速登记电话/视频 and, with ``export_title``, 导出到 Excel (the rows shown).

    ``double_click``: a double-click opens the 老人档案 (only where it means nothing else in that list).
    ``after`` runs when something was recorded (the list refreshes)."""

    def __init__(self, view: QTableView, ctx, elder_of: Callable[[Any], int | None], *,
                 export_title: Callable[[], str] | None = None, double_click: bool = False,
                 after: Callable[[], None] | None = None, today: Callable[[], dt.date] | None = None):
        self.view = view
        self.ctx = ctx
        self.elder_of = elder_of
        self.export_title = export_title
        self.after = after
        self.today = today
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self.show_menu)
        if double_click:
            view.doubleClicked.connect(lambda index: self.open_file(self.elder_of(view.model().row(index.row()))))
        view.elder_menu = self  # kept with the view (and found by tests)

    def _today(self) -> dt.date | None:
        return self.today() if self.today else None

    def menu(self, pos: QPoint) -> QMenu:
        """The menu for the row at ``pos`` (view coordinates); the row is selected first."""
        row = _row_at(self.view, pos)
        elder_id = self.elder_of(row) if row is not None else None
        menu = QMenu(self.view)
        for text, slot in (("打开老人档案", self.open_file), ("登记巡访…", self.record_visit),
                           ("快速登记电话/视频…", self.log_contact)):
            action = menu.addAction(text)
            action.setEnabled(elder_id is not None)
            action.triggered.connect(lambda _checked=False, s=slot, e=elder_id: s(e))
        if self.export_title is not None:
            menu.addSeparator()
            export = menu.addAction("导出到 Excel…")
            export.setEnabled(self.view.model().rowCount() > 0)
            export.triggered.connect(lambda _checked=False: self.export())
        return menu

    def show_menu(self, pos: QPoint) -> None:
        self.menu(pos).exec(self.view.viewport().mapToGlobal(pos))

    def _done(self, changed: bool) -> None:
        if changed and self.after:
            self.after()

    def open_file(self, elder_id: int | None) -> None:
        self._done(open_elder_file(self.ctx, elder_id, self.view.window(), today=self._today()))

    def record_visit(self, elder_id: int | None) -> None:
        if elder_id is None:
            return
        from township_desk.ui.visit_dialog import VisitDialog

        self._done(bool(VisitDialog(self.ctx, elder_id, self.view.window()).exec()))

    def log_contact(self, elder_id: int | None) -> None:
        if elder_id is None:
            return
        from township_desk.ui.contact_log import ContactLogDialog

        self._done(bool(ContactLogDialog(self.ctx, [elder_id], self.view.window(), today=self._today()).exec()))

    def export(self, target=None):
        from township_desk.ui.list_export import export_model

        return export_model(self.view.window(), self.view.model(), self.export_title(), self.ctx.db_path,
                            target=target)


def install_elder_menu(view: QTableView, ctx, elder_of: Callable[[Any], int | None] | str = "elder_id",
                       **options: Any) -> ElderListMenu:
    """Give a list of elders its right-click menu (see ``ElderListMenu``); ``elder_of`` may be the key of the
    elder id in the list's rows ("elder_id", or "id" in the ledger)."""
    if isinstance(elder_of, str):
        key = elder_of
        elder_of = lambda row: row.get(key) if isinstance(row, dict) else getattr(row, key, None)  # noqa: E731
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return ElderListMenu(view, ctx, elder_of, **options)
