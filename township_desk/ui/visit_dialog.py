"""登记巡访: every item of the 巡访登记表 (seed 003), photos, and a hazard proposed for any 不安全 or 差.

The same dialog opens a visit on record (``visit_id``): shown read-only with its photos (opened with the system's
picture viewer, only from inside the photos folder), and the actions 更正 (the form becomes editable; 保存更正 goes
through ``visits.correct_visit``, which audits each changed field) and 作废 (``VoidDialog``: reason and who,
``visits.void_visit``). A voided visit is shown marked 已作废 with the reason, who and when, and can no longer be
changed.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders, group_plans, submissions, visitors
from township_desk.models import visits as visits_model
from township_desk.models.errors import StaleRecord, UserError
from township_desk.ui import stale
from township_desk.ui.widgets import (
    date_edit,
    ok_cancel_buttons,
    open_in_system,
    qdate,
    remember_folder,
    save_cancel_buttons,
    scrolling,
    size_for_screen,
    start_path,
)

RED = "#c9302c"
# A visit on record is shown with its fields disabled (nothing changes until 更正), yet as legible as a form.
VIEW_STYLE = "QRadioButton:disabled, QComboBox:disabled, QDateEdit:disabled { color: #202020; }"
STORED_PHOTO = Qt.ItemDataRole.UserRole + 1  # on a photo item: True for a photo on file (a path relative to photos/)

# The items and their options are the model's (models/visits.py); the safety items read as on the paper form
# (seed 003: 燃气安全、取暖安全、用电安全), where the model says 燃气 so that a finding reads 燃气不安全.
SAFETY_ITEMS = tuple((field, f"{label}安全") for field, label in visits_model.SAFETY_ITEMS)


class ChoiceRow(QWidget):
    """One item of the form: its options as radio buttons (☐优 ☐良 …); none chosen means 未填."""

    def __init__(self, options: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # so a click on the chosen one clears it
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QRadioButton] = {}
        for option in options:
            button = QRadioButton(option)
            button.setAutoExclusive(False)
            button.toggled.connect(lambda checked, b=button: self._exclusive(b, checked))
            self.group.addButton(button)
            self.buttons[option] = button
            layout.addWidget(button)
        layout.addStretch(1)

    def _exclusive(self, chosen: QRadioButton, checked: bool) -> None:
        if checked:
            for button in self.buttons.values():
                if button is not chosen and button.isChecked():
                    button.setChecked(False)

    def value(self) -> str | None:
        return next((o for o, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value: str | None) -> None:
        for option, button in self.buttons.items():
            button.setChecked(option == value)


class VisitDialog(QDialog):
    """Record one visit for an elder; the form is prefilled with the elder, the assigned visitor and today.

    ``campaign_id`` records the visit under a festival or extreme-weather campaign (always 上门); ``today`` is
    the office's day (the latest date the form accepts), the clock's when not given. With ``visit_id`` the dialog
    shows that visit (of ``elder_id``) instead, with 更正 and 作废; ``changed`` says whether it was corrected or voided.
    """

    def __init__(self, ctx, elder_id: int, parent: QWidget | None = None, *, campaign_id: int | None = None,
                 mode: str = "上门", visit_id: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.elder_id = elder_id
        self.today = ctx.today()
        self.visit: dict | None = None
        if visit_id is not None:
            self.visit = visits_model.get_visit(ctx.db, visit_id)
            if self.visit["elder_id"] != elder_id:
                raise UserError(f"第 {visit_id} 号巡访记录不是这位老人的巡访")
            campaign_id, mode = self.visit["campaign_id"], self.visit["mode"]
        self.campaign_id = campaign_id
        self.visit_id: int | None = visit_id
        self.hazard_id: int | None = None
        self.changed = False
        self.editing = self.visit is None
        self.elder = elders.get_elder(ctx.db, elder_id)
        # the 巡访类别 the visit plan follows on the visit's day (the one reading: group_plans), with why
        self.tier = group_plans.tier_reading(ctx.db, elder_id, self.visit["date"] if self.visit else self.today)
        self.setWindowTitle(f"{'巡访记录' if self.visit else '登记巡访'} — {self.elder['name']}")
        size_for_screen(self, 720, 960)

        header = QLabel(self._header_html())
        self.header = header
        header.setTextFormat(Qt.TextFormat.RichText)
        header.setWordWrap(True)

        self.date = date_edit(self.today, latest=self.today)  # a visit is recorded after it took place
        self.mode = QComboBox()
        self.mode.addItems(["上门", "电话", "视频"])
        self.mode.setCurrentText("上门" if campaign_id is not None else mode)
        self.mode.setEnabled(campaign_id is None)  # festival and extreme-weather visits are home visits
        self.visitor = QComboBox()
        self.visitor.setEditable(False)
        # No silent default: with nobody assigned the clerk picks who signed the form.
        self.visitor.addItem("（请选择）", None)
        assigned = self.elder.get("visitor_id")
        recorded = self.visit["visitor_id"] if self.visit else None
        for v in visitors.list_visitors(ctx.db, active_only=False):
            if v["active"] or v["id"] in (assigned, recorded):
                stopped = "" if v["active"] else "，已停用"
                self.visitor.addItem(f"{v['name']}（{v['role']}{'，' + v['phone'] if v['phone'] else ''}{stopped}）",
                                     v["id"])
        self.visitor.setCurrentIndex(max(self.visitor.findData(assigned), 0) if assigned else 0)
        self.visit_type = QComboBox()
        self.visit_type.addItems(["重点", "普遍"])
        self.visit_type.setCurrentText("重点" if self.tier.tier == "重点" else "普遍")

        basics = QFormLayout()
        basics.addRow("巡访时间", self.date)
        basics.addRow("巡访方式", self.mode)
        basics.addRow("巡访责任人", self.visitor)
        basics.addRow("类型", self.visit_type)

        self.rows: dict[str, ChoiceRow] = {}
        self._labels: dict[str, str] = {}
        content = QVBoxLayout()
        ratings, safety = visits_model.RATINGS, visits_model.SAFETY
        content.addWidget(self._group("健康状况", [(f, label, ratings) for f, label in visits_model.HEALTH_ITEMS]))
        content.addWidget(self._group("精神状态", [(f, label, ratings) for f, label in visits_model.MENTAL_ITEMS]))
        content.addWidget(self._group("安全情况", [(f, label, safety) for f, label in SAFETY_ITEMS]))
        content.addWidget(self._group("关爱服务", list(visits_model.CARE_ITEMS)))

        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("其他情况说明")
        self.notes.setMaximumHeight(90)
        self.photos = QListWidget()
        self.photos.setMaximumHeight(70 if self.visit is None else 110)
        self.photos.setIconSize(QSize(80, 80))
        self.photos.itemDoubleClicked.connect(lambda _item: self.open_photo())
        self.add_photo_button = QPushButton("添加照片…")
        self.add_photo_button.clicked.connect(self._add_photo)
        self.remove_photo_button = QPushButton("移除")
        self.remove_photo_button.clicked.connect(self._remove_photo)
        self.open_photo_button = QPushButton("查看照片")
        self.open_photo_button.clicked.connect(self.open_photo)
        photo_buttons = QHBoxLayout()
        photo_buttons.addWidget(self.add_photo_button)
        photo_buttons.addWidget(self.remove_photo_button)
        photo_buttons.addWidget(self.open_photo_button)
        photo_buttons.addStretch(1)
        # the state of a visit on record: when it was entered, or that it was voided (red), or what was corrected
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # a reason may hold < or &
        self.status.setWordWrap(True)

        self.prefill_note = QLabel()
        self.prefill_note.setStyleSheet("color: #8a6d3b")
        self.prefill_note.setWordWrap(True)  # it names the items still to fill in
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {RED}")
        self.error.setWordWrap(True)
        # a new visit: 保存 / 取消; a visit on record: 更正 / 作废 / 关闭 (save_cancel_buttons parents its box to
        # the dialog, so it is only made when shown)
        buttons = save_cancel_buttons(self, self.save) if self.visit is None else self._record_buttons()

        form = QWidget()  # the items scroll on a small screen; the elder, the message and the buttons stay put
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addLayout(basics)
        form_layout.addWidget(self.prefill_note)
        form_layout.addLayout(content)
        form_layout.addWidget(QLabel("其他情况说明"))
        form_layout.addWidget(self.notes)
        form_layout.addWidget(QLabel("巡访照片"))
        form_layout.addWidget(self.photos)
        form_layout.addLayout(photo_buttons)
        self.form = form
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.status)
        layout.addWidget(scrolling(form), 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if self.visit is None:
            self.status.hide()
            self.open_photo_button.hide()
            self._prefill()
        else:
            self._show_visit()

    def _header_html(self) -> str:
        """Who is visited: name, sex, village and 组 (碾子村7组), the visit groups they belong to on the visit's
        day (``models.groups``: 农村留守, 独居 …), 巡访类别 and address. Typed text may hold & or <: escaped."""
        from township_desk.models import groups
        from township_desk.ui.elder_file import _group as group_text

        day = self.visit["date"] if self.visit else self.today
        memberships = groups.groups_of(self.ctx.db, self.elder_id, day)
        kinds = "、".join(m.group + (f"（{m.sub_kind}）" if m.sub_kind else "") for m in memberships) or "未归入类别"
        address = self.elder.get("current_address") or self.elder.get("household_address") or "（未填）"
        return (f"<b>{escape(self.elder['name'])}</b>　{self.elder['sex']}　{escape(self.elder['village'])}"
                f"{escape(group_text(self.elder.get('group_name')))}　类别：{escape(kinds)}"
                f"　巡访类别：{escape(self.tier.text)}<br>住址：{escape(address)}")

    def _group(self, title: str, items: list[tuple[str, str, tuple[str, ...]]]) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        for row, (field, label, options) in enumerate(items):
            self._labels[field] = label
            grid.addWidget(QLabel(label), row, 0)
            self.rows[field] = ChoiceRow(options)
            grid.addWidget(self.rows[field], row, 1)
        return box

    def _prefill(self) -> None:
        """The ledger's care situation; the last visit's ratings as a starting point the visitor checks — except
        a 差 or 不安全: a problem is observed anew each time (carried over it would also propose the same hazard
        again), so those items start blank."""
        from township_desk.models import risk

        self.rows["daily_care"].set_value(self.elder.get("care"))
        previous = risk.last_visit_on(self.ctx.db, self.elder_id, self.today)
        if previous is None:
            return
        filled = []
        for field, widget in self.rows.items():
            if previous.get(field) and previous[field] not in ("差", "不安全"):
                widget.set_value(previous[field])
                filled.append(field)
        filled = [f for f in filled if f != "daily_care" or previous.get(f) != self.elder.get("care")]
        blank = [f for f, widget in self.rows.items() if widget.value() is None]
        # say exactly what was carried over: "各项已预填" over a form mostly blank (after a phone call that rated
        # two items) made the clerk think the rest was there too
        if not filled:
            note = (f"上次巡访（{previous['date']}，{previous['mode']}）没有可沿用的评价，各项请逐项填写。")
        elif not blank:
            note = f"各项已按上次巡访（{previous['date']}，{previous['mode']}）预填，请逐项核对后保存。"
        else:
            note = (f"已按上次巡访（{previous['date']}，{previous['mode']}）预填 {len(filled)} 项，"
                    f"其余 {len(blank)} 项（{'、'.join(self._labels[f] for f in blank)}）请填写；预填的请逐项核对。")
        found = visits_model.proposed_hazard(previous)
        if found:
            note += f"上次发现的问题（{found}）未预填，请重新查看后填写。"
        self.prefill_note.setText(note)

    # ------------------------------------------------------------ a visit on record: view, 更正, 作废

    def _record_buttons(self) -> QWidget:
        """更正 / 作废 / 关闭 while the visit is shown; 保存更正 / 放弃更正 while it is being corrected."""
        self.correct_button = QPushButton("更正…")
        self.correct_button.setToolTip("修改登记错误的内容；每处修改都记入操作日志")
        self.correct_button.clicked.connect(self.start_correction)
        self.void_button = QPushButton("作废…")
        self.void_button.setToolTip("登记错误、不应计入的巡访：作废后仍保留在巡访记录中，不再计入任何统计")
        self.void_button.clicked.connect(self.void)
        self.close_button = QPushButton("关闭")
        self.close_button.clicked.connect(self.close_view)
        self.save_correction_button = QPushButton("保存更正")
        self.save_correction_button.clicked.connect(self.save)
        self.cancel_correction_button = QPushButton("放弃更正")
        self.cancel_correction_button.clicked.connect(self.cancel_correction)
        for button in (self.correct_button, self.void_button, self.cancel_correction_button):
            button.setAutoDefault(False)  # Enter closes the view (or saves a correction), never voids
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.correct_button, self.void_button):
            row.addWidget(button)
        row.addStretch(1)
        for button in (self.save_correction_button, self.cancel_correction_button, self.close_button):
            row.addWidget(button)
        return box

    def _show_visit(self) -> None:
        """Fill the form from the visit on record and show it read-only."""
        visit = self.visit
        self.date.setMaximumDate(qdate(max(self.today, dt.date.fromisoformat(visit["date"]))))
        self.date.setDate(qdate(visit["date"]))
        self.mode.setCurrentText(visit["mode"])
        index = self.visitor.findData(visit["visitor_id"]) if visit["visitor_id"] is not None else 0
        if visit["visitor_id"] is None and visit["visitor_name"]:
            self.visitor.setItemText(0, f"{visit['visitor_name']}（登记时签名）")
        self.visitor.setCurrentIndex(max(index, 0))
        self.visit_type.setCurrentText(visit["visit_type"] or "")
        for field, widget in self.rows.items():
            widget.set_value(visit.get(field))
        self.notes.setPlainText(visit.get("notes") or "")
        self.photos.clear()
        for relative, name in zip(visit["photos"], visit["photo_names"], strict=True):
            item = QListWidgetItem(name)
            item.setToolTip(relative)
            item.setData(Qt.ItemDataRole.UserRole, relative)
            item.setData(STORED_PHOTO, True)
            try:
                pixmap = QPixmap(str(visits_model.photo_file(relative)))
            except UserError as exc:  # a path outside the photos folder: named, never loaded
                item.setText(f"{item.text()}（已拒绝：不在照片文件夹内）")
                item.setToolTip(str(exc))
            else:
                if not pixmap.isNull():
                    item.setIcon(QIcon(pixmap.scaled(80, 80, Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation)))
            self.photos.addItem(item)
        if visit["voided_at"]:
            self.status.setText(f"{visits_model.VOIDED_LABEL}　{visit['voided_at']} 由{visit['voided_by']}作废，"
                                f"原因：{visit['void_reason']}。本记录不计入逾期、上门巡访覆盖率和探访率、月度报表和统计。")
            self.status.setStyleSheet(f"color: {RED}; font-weight: bold")
            self.setWindowTitle(f"巡访记录（{visits_model.VOIDED_LABEL}） — {self.elder['name']}")
        else:
            self.status.setText(f"第 {visit['id']} 号巡访记录，登记于 {visit['created_at']}。"
                                "如有登记错误，请点“更正”；不应计入的巡访请点“作废”。")
            self.status.setStyleSheet("")
        self._set_editing(False)

    def _set_editing(self, editing: bool) -> None:
        self.editing = editing
        for widget in (self.date, self.visitor, self.visit_type, *self.rows.values()):
            widget.setEnabled(editing)
        self.mode.setEnabled(editing and self.campaign_id is None)
        self.notes.setReadOnly(not editing)
        self.form.setStyleSheet("" if editing or self.visit is None else VIEW_STYLE)
        # a correction changes what was written down; photos are added when a visit is recorded
        self.add_photo_button.setVisible(self.visit is None)
        self.remove_photo_button.setVisible(self.visit is None)
        if self.visit is not None:
            voided = bool(self.visit["voided_at"])
            self.correct_button.setVisible(not editing)
            self.correct_button.setEnabled(not voided)
            self.void_button.setVisible(not editing)
            self.void_button.setEnabled(not voided)
            self.close_button.setVisible(not editing)
            self.save_correction_button.setVisible(editing)
            self.cancel_correction_button.setVisible(editing)
            (self.save_correction_button if editing else self.close_button).setDefault(True)
            self.open_photo_button.setEnabled(bool(self.visit["photos"]))

    def start_correction(self) -> None:
        self.error.clear()
        self.status.setText("正在更正：改好后点“保存更正”，每处修改（原值 → 新值）都记入操作日志；"
                            "点“放弃更正”恢复原记录。")
        self._set_editing(True)

    def cancel_correction(self) -> None:
        """Back to the visit as recorded, whatever was typed."""
        self.error.clear()
        self._show_visit()

    def close_view(self) -> None:
        """Closed after a correction or a voiding counts as accepted (the caller reloads what it shows)."""
        if self.changed:
            self.accept()
        else:
            self.reject()

    def _reload(self) -> None:
        self.visit = visits_model.get_visit(self.ctx.db, self.visit_id)
        self._show_visit()

    def void(self) -> None:
        """作废: ask for the reason and who voids it; the visit stays on file marked 已作废."""
        if self.visit is None or self.visit["voided_at"]:
            return
        if VoidDialog(self.ctx, self.visit, self.elder["name"], self).exec():
            self.changed = True  # VoidDialog announced the voiding
            self._reload()

    def open_photo(self) -> None:
        """Open the chosen photo (or the only one) with the system's picture viewer; a photo on record only when its
        stored path lies inside the photos folder (a crafted backup's path is refused with a message)."""
        item = self.photos.currentItem() or (self.photos.item(0) if self.photos.count() == 1 else None)
        if item is None:
            QMessageBox.information(self, "查看照片", "请先在照片列表中选中一张照片。")
            return
        stored = item.data(Qt.ItemDataRole.UserRole)
        try:
            path = visits_model.photo_file(stored) if item.data(STORED_PHOTO) else Path(stored)
        except UserError as exc:
            QMessageBox.warning(self, "查看照片", str(exc))
            return
        if not path.is_file():
            QMessageBox.warning(self, "查看照片", f"照片文件不存在，可能已被移动或删除：{path}")
            return
        open_in_system(self, path, title="查看照片")

    def _add_photo(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "选择巡访照片", start_path("photos"),
                                                "图片 (*.jpg *.jpeg *.png *.bmp *.gif)")
        if files:
            remember_folder("photos", files[0])
        chosen = {str(p) for p in self.photo_paths()}
        for name in files:
            if str(Path(name)) in chosen:
                continue  # the same picture twice would be two copies on file
            item = QListWidgetItem(Path(name).name)
            item.setData(Qt.ItemDataRole.UserRole, str(Path(name)))
            item.setToolTip(str(Path(name)))
            self.photos.addItem(item)
            chosen.add(str(Path(name)))

    def _remove_photo(self) -> None:
        if self.photos.currentRow() >= 0:
            self.photos.takeItem(self.photos.currentRow())

    def data(self) -> dict:
        values = {field: widget.value() for field, widget in self.rows.items()}
        values.update({
            "date": self.date.date().toString("yyyy-MM-dd"),
            "mode": self.mode.currentText(),
            "visitor_id": self.visitor.currentData(),  # the model reads the visitor's name from the record
            "visit_type": self.visit_type.currentText(),
            "notes": self.notes.toPlainText().strip() or None,
            "campaign_id": self.campaign_id,
        })
        if self.visit is not None and values["visitor_id"] == self.visit["visitor_id"]:
            values["visitor_name"] = self.visit["visitor_name"]  # the name as signed stays unless the visitor changes
        return values

    def photo_paths(self) -> list[Path]:
        """The pictures chosen to add (not the photos already on file)."""
        return [Path(self.photos.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.photos.count())
                if not self.photos.item(i).data(STORED_PHOTO)]

    def save(self) -> None:
        if self.visit is not None:
            self.save_correction()
            return
        data = self.data()
        try:
            self.visit_id = visits_model.record_visit(self.ctx.db, self.elder_id, data, self.photo_paths(),
                                                      today=self.today)
        except UserError as exc:
            self.error.setText(str(exc))  # the dialog stays open with everything typed
            return
        self.error.clear()
        self.ctx.announce_writes()
        self._propose_hazard(data)
        self.accept()

    def save_correction(self) -> None:
        """保存更正: the whole form checked as a new visit is; each changed field goes to the audit log."""
        data = self.data()
        found_before = visits_model.proposed_hazard(self.visit)
        before_date = self.visit["date"]
        try:
            changed = visits_model.correct_visit(self.ctx.db, self.visit_id, data, today=self.today,
                                                 expected_version=self.visit["row_version"])
        except StaleRecord as exc:  # changed elsewhere since it was shown: never saved over
            self.error.setText(str(exc))
            if stale.offer_reload(self, exc):
                self._reload()
            return
        except UserError as exc:
            self.error.setText(str(exc))  # still correcting, with everything typed
            return
        self.error.clear()
        if changed:
            self.changed = True
            self.ctx.announce_writes()
        self._reload()
        labels = "、".join(visits_model.FIELD_LABELS.get(f, f) for f in changed if f != "visitor_name")
        sent = visits_model.sent_month_notice(self.ctx.db, data["date"], before_date) if changed else None
        self.status.setText((f"已更正：{labels or '巡访人员'}（已记入操作日志）。" if changed else "没有修改任何内容。")
                            + (sent or ""))
        if changed and visits_model.proposed_hazard(data) not in (None, found_before):
            self._propose_hazard(data)

    def _propose_hazard(self, data: dict) -> None:
        """A visit that found 差 or 不安全: offer to record the hazard (the supporter must be told at once)."""
        finding = visits_model.proposed_hazard(data)
        if finding:
            answer = QMessageBox.question(
                self, "发现风险隐患",
                f"本次巡访发现：{finding}。\n\n是否登记为风险隐患？（须第一时间向赡养人通报）",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                from township_desk.ui.hazard_dialog import HazardDialog

                hazard = HazardDialog(self.ctx, self.elder_id, self, visit_id=self.visit_id, description=finding,
                                      found_on=dt.date.fromisoformat(data["date"]))
                if hazard.exec():
                    self.hazard_id = hazard.hazard_id


class VoidDialog(QDialog):
    """作废巡访记录: the reason (required) and who voids it (作废人; 设置's 填表人 to start with)."""

    def __init__(self, ctx, visit: dict, elder_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.visit = visit
        self.setWindowTitle("作废巡访记录")
        what = QLabel(f"<b>{escape(elder_name)}</b>　{visit['date']}　{visit['mode']}　"
                      f"{escape(visit['visitor_name'] or '')}<br>"
                      "作废后，这条记录仍保留在巡访记录中并标为“已作废”，但不再计入逾期、上门巡访覆盖率和探访率、月度报表、"
                      "工作量和统计图表。作废不能撤销；登记错误但确有其事的巡访请用“更正”。")
        what.setWordWrap(True)
        # a hazard is a record of its own: voiding the visit leaves it open until it is followed up
        hazards_note = QLabel(f"由这次巡访登记的风险隐患（{'、'.join(visit['open_hazards'])}）不会随之作废，"
                              "请在“风险隐患”中另行跟进处置。" if visit.get("open_hazards") else "")
        hazards_note.setTextFormat(Qt.TextFormat.PlainText)
        hazards_note.setWordWrap(True)
        hazards_note.setStyleSheet("color: #8a6d3b")
        hazards_note.setVisible(bool(visit.get("open_hazards")))
        self.hazards_note = hazards_note
        self.sent_note = QLabel(visits_model.sent_month_notice(ctx.db, visit["date"]) or "")
        self.sent_note.setWordWrap(True)
        self.sent_note.setStyleSheet("color: #8a6d3b")
        self.sent_note.setVisible(bool(self.sent_note.text()))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("必填，如：记到了别的老人名下、同一次巡访登记了两次、当天未实际巡访")
        self.reason.setMaximumHeight(80)
        self.voided_by = QLineEdit(submissions.current_user(ctx.db))  # 设置's 填表人, else who is logged in
        self.voided_by.setPlaceholderText("经办人姓名（必填）")
        form = QFormLayout()
        form.addRow("作废原因", self.reason)
        form.addRow("作废人", self.voided_by)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {RED}")
        self.error.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(hazards_note)
        layout.addWidget(self.sent_note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel_buttons(self, self.save, ok_text="作废"))
        self.resize(480, 280)

    def save(self) -> None:
        try:
            visits_model.void_visit(self.ctx.db, self.visit["id"], self.reason.toPlainText(), self.voided_by.text(),
                                    expected_version=self.visit["row_version"])
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.ctx.announce_writes()
        self.accept()
