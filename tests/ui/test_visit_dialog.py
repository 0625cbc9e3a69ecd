"""The 登记巡访 dialog (every item of the 巡访登记表, seed 003) and the 风险隐患 dialog it proposes, driven with
qtbot on a real database file; QMessageBox.question and the hazard dialog's exec are replaced."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
)

from tests.conftest import VALID_IDS
from township_desk.models import audit_log, campaigns, elders, hazards, paths, visits

TODAY = dt.date(2026, 11, 22)
SAVE = QDialogButtonBox.StandardButton.Save


@pytest.fixture
def ctx(db, db_path, qtbot):
    from township_desk.ui.context import AppContext

    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "group_name": "三组",
                           "tier": "重点", "visitor": "赵会计", "visitor_phone": "13800001111",
                           "current_address": "青山村三组12号", "care": "无人照料", "entered_on": "2026-09-01"},
                      [{"name": "张小明", "relation": "儿子", "phone": "13900002222"}], today=TODAY)
    elders.save_elder(db, {"name": "刘秀英", "id_number": VALID_IDS[1], "village": "青山村",
                           "entered_on": "2026-09-01"}, today=TODAY)
    return AppContext(db_path, db=db, today=TODAY)


def elder_id(db, name) -> int:
    return db.execute("SELECT id FROM elders WHERE name = ?", [name]).fetchone()[0]


@pytest.fixture
def dialog(ctx, qtbot):
    from township_desk.ui.visit_dialog import VisitDialog

    widget = VisitDialog(ctx, elder_id(ctx.db, "张德福"))
    qtbot.addWidget(widget)
    return widget


def tick(dialog, **values) -> None:
    """Tick boxes as the clerk does: a box already ticked (prefilled) is left as it is."""
    for field, value in values.items():
        if not dialog.rows[field].buttons[value].isChecked():
            dialog.rows[field].buttons[value].click()


def all_good(dialog) -> None:
    tick(dialog, expression="优", mobility="良", illness="中", mood="优", thinking="良", stress="优",
         gas_safety="安全", heating_safety="安全", electric_safety="安全", daily_care="无人照料",
         comfort_need="有需求", rights_need="无需求", guardianship_need="有需求")


def test_the_form_has_every_item_of_the_paper_form(dialog):
    groups = {box.title(): [label.text() for label in box.findChildren(QLabel)] for box in dialog.findChildren(QGroupBox)}
    assert groups == {"健康状况": ["表达能力", "行动能力", "疾病状况"], "精神状态": ["情绪状态", "思维状态", "压力状态"],
                      "安全情况": ["燃气安全", "取暖安全", "用电安全"],
                      "关爱服务": ["生活照料", "精神慰藉", "权益维护", "安全监护"]}
    options = {field: list(row.buttons) for field, row in dialog.rows.items()}
    for field in ("expression", "mobility", "illness", "mood", "thinking", "stress"):
        assert options[field] == ["优", "良", "中", "差"]
    for field in ("gas_safety", "heating_safety", "electric_safety"):
        assert options[field] == ["安全", "不安全"]
    assert options["daily_care"] == ["有人照料", "无人照料"]
    for field in ("comfort_need", "rights_need", "guardianship_need"):
        assert options[field] == ["有需求", "无需求"]
    assert dialog.notes.placeholderText() == "其他情况说明"
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert "巡访照片" in texts and "其他情况说明" in texts
    header = texts[0]
    assert all(part in header for part in ("张德福", "男", "青山村三组", "巡访类别：重点", "住址：青山村三组12号"))
    assert [dialog.mode.itemText(i) for i in range(dialog.mode.count())] == ["上门", "电话", "视频"]
    assert [dialog.visit_type.itemText(i) for i in range(dialog.visit_type.count())] == ["重点", "普遍"]


def test_prefilled_with_the_elder_the_assigned_visitor_today_and_the_ledgers_care(dialog):
    assert dialog.windowTitle() == "登记巡访 — 张德福"
    assert dialog.visitor.currentText() == "赵会计（村干部，13800001111）"
    assert dialog.date.date().toPython() == TODAY and dialog.date.maximumDate().toPython() == TODAY
    assert dialog.mode.currentText() == "上门" and dialog.mode.isEnabled()
    assert dialog.visit_type.currentText() == "重点"
    assert dialog.rows["daily_care"].value() == "无人照料"       # from the ledger
    assert dialog.rows["expression"].value() is None             # the visitor ticks it


def test_a_choice_can_be_changed_and_cleared(dialog):
    tick(dialog, mood="良")
    tick(dialog, mood="差")
    assert dialog.rows["mood"].value() == "差" and not dialog.rows["mood"].buttons["良"].isChecked()
    dialog.rows["mood"].buttons["差"].click()                     # a second click clears a wrong tick
    assert dialog.rows["mood"].value() is None


def test_saving_stores_every_item(dialog, ctx):
    all_good(dialog)
    dialog.notes.setPlainText("儿子每周来电话")
    dialog.findChild(QDialogButtonBox).button(SAVE).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = visits.get_visit(ctx.db, dialog.visit_id)
    assert {k: stored[k] for k in ("date", "mode", "visitor_name", "visit_type", "expression", "mobility", "illness",
                                   "mood", "thinking", "stress", "gas_safety", "heating_safety", "electric_safety",
                                   "daily_care", "comfort_need", "rights_need", "guardianship_need", "notes")} == {
        "date": "2026-11-22", "mode": "上门", "visitor_name": "赵会计", "visit_type": "重点", "expression": "优",
        "mobility": "良", "illness": "中", "mood": "优", "thinking": "良", "stress": "优", "gas_safety": "安全",
        "heating_safety": "安全", "electric_safety": "安全", "daily_care": "无人照料", "comfort_need": "有需求",
        "rights_need": "无需求", "guardianship_need": "有需求", "notes": "儿子每周来电话"}


def test_the_next_visit_starts_from_the_last_ones_ratings(ctx, qtbot):
    from township_desk.ui.visit_dialog import VisitDialog

    zhang = elder_id(ctx.db, "张德福")
    visits.record_visit(ctx.db, zhang, {"date": "2026-11-10", "mode": "上门", "visitor_name": "赵会计",
                                        "mobility": "中", "gas_safety": "安全"}, today=TODAY)
    dialog = VisitDialog(ctx, zhang)
    qtbot.addWidget(dialog)
    assert (dialog.rows["mobility"].value(), dialog.rows["gas_safety"].value()) == ("中", "安全")
    assert "2026-11-10" in dialog.prefill_note.text() and "请逐项核对" in dialog.prefill_note.text()


def test_a_poor_or_unsafe_item_proposes_a_hazard_saved_with_the_supporter_told(dialog, ctx, monkeypatch):
    from township_desk.ui import hazard_dialog

    asked, seen = [], {}
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args[2]) or QMessageBox.StandardButton.Yes)

    def save_hazard(hazard):
        seen.update(description=hazard.description.toPlainText(), found_on=hazard.found_on.date().toPython(),
                    told=hazard.told.value(), visit_id=hazard.visit_id)
        hazard.told.set_date(dt.date(2026, 11, 20))   # the day the clerk says the son was told
        hazard.save()
        return hazard.result()

    monkeypatch.setattr(hazard_dialog.HazardDialog, "exec", save_hazard)
    all_good(dialog)
    tick(dialog, mood="差", gas_safety="不安全")
    dialog.date.setDate(dt.date(2026, 11, 20))
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(asked) == 1 and "本次巡访发现：情绪状态差、燃气不安全" in asked[0]
    assert seen == {"description": "情绪状态差、燃气不安全", "found_on": dt.date(2026, 11, 20), "told": None,
                    "visit_id": dialog.visit_id}
    stored = hazards.get_hazard(ctx.db, dialog.hazard_id)
    assert (stored["visit_id"], stored["found_on"], stored["description"], stored["supporter_told_on"],
            stored["resolved_on"]) == (dialog.visit_id, "2026-11-20", "情绪状态差、燃气不安全", "2026-11-20", None)


def test_declining_the_hazard_keeps_the_visit_and_opens_nothing(dialog, ctx, monkeypatch):
    from township_desk.ui import hazard_dialog

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: QMessageBox.StandardButton.No)
    monkeypatch.setattr(hazard_dialog.HazardDialog, "exec", lambda h: pytest.fail("no hazard was asked for"))
    tick(dialog, heating_safety="不安全")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.visit_id is not None
    assert hazards.hazards_of_elder(ctx.db, elder_id(ctx.db, "张德福")) == []


def test_a_visit_that_finds_nothing_asks_nothing(dialog, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: pytest.fail("nothing was found"))
    all_good(dialog)
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_photo_is_copied_into_the_data_folder(dialog, ctx, tmp_path, monkeypatch):
    picture = tmp_path / "门口.png"
    image = QImage(8, 6, QImage.Format.Format_RGB32)
    image.fill(QColor("#4a90d9"))
    assert image.save(str(picture))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kw: ([str(picture)], ""))
    buttons = {b.text(): b for b in dialog.findChildren(QPushButton)}
    buttons["添加照片…"].click()
    buttons["添加照片…"].click()                                     # the same picture twice is kept once
    assert [dialog.photos.item(i).text() for i in range(dialog.photos.count())] == ["门口.png"]
    all_good(dialog)
    dialog.save()
    stored = visits.get_visit(ctx.db, dialog.visit_id)
    assert len(stored["photos"]) == 1
    copy = visits.photo_file(stored["photos"][0])
    assert copy.parent.parent.parent == paths.photos_dir() and copy != picture
    assert copy.read_bytes() == picture.read_bytes()


def test_a_refused_visit_shows_the_models_message_and_the_dialog_stays_open(ctx, qtbot):
    from township_desk.ui.visit_dialog import VisitDialog

    zhang = elder_id(ctx.db, "张德福")
    first = VisitDialog(ctx, zhang)
    qtbot.addWidget(first)
    all_good(first)
    first.save()
    second = VisitDialog(ctx, zhang)
    qtbot.addWidget(second)
    second.show()
    second.notes.setPlainText("第二次登记")
    second.findChild(QDialogButtonBox).button(SAVE).click()
    assert second.isVisible() and second.result() != QDialog.DialogCode.Accepted
    assert f"张德福 2026-11-22 由赵会计进行的上门巡访已经登记过（第 {first.visit_id} 号记录）" in second.error.text()
    assert second.notes.toPlainText() == "第二次登记"                 # nothing typed is lost
    assert len(visits.visit_history(ctx.db, zhang)) == 1
    second.mode.setCurrentText("电话")                                # a call the same day is another record
    second.save()
    assert second.result() == QDialog.DialogCode.Accepted and len(visits.visit_history(ctx.db, zhang)) == 2


def test_an_elder_without_a_visitor_must_have_one_chosen(ctx, qtbot):
    from township_desk.ui.visit_dialog import VisitDialog

    dialog = VisitDialog(ctx, elder_id(ctx.db, "刘秀英"))
    qtbot.addWidget(dialog)
    assert dialog.visitor.currentText() == "（请选择）" and dialog.visit_type.currentText() == "普遍"
    dialog.save()
    assert "请选择巡访责任人" in dialog.error.text() and dialog.visit_id is None
    dialog.visitor.setCurrentIndex(dialog.visitor.findData(
        ctx.db.execute("SELECT id FROM visitors WHERE name = '赵会计'").fetchone()[0]))
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.error.text() == ""
    assert visits.get_visit(ctx.db, dialog.visit_id)["visitor_name"] == "赵会计"


def test_a_campaign_visit_is_locked_to_a_home_visit(ctx, qtbot):
    from township_desk.ui.visit_dialog import VisitDialog

    zhang = elder_id(ctx.db, "张德福")
    campaign_id = campaigns.plan_campaign(ctx.db, name="2026年寒潮巡访", kind="极端天气", start="2026-11-20",
                                          end="2026-11-25", elder_ids=[zhang])
    dialog = VisitDialog(ctx, zhang, mode="电话", campaign_id=campaign_id)
    qtbot.addWidget(dialog)
    assert dialog.mode.currentText() == "上门" and not dialog.mode.isEnabled()
    all_good(dialog)
    dialog.save()
    stored = visits.get_visit(ctx.db, dialog.visit_id)
    assert (stored["mode"], stored["campaign_id"]) == ("上门", campaign_id)


# ---------------------------------------------------------------- the hazard dialog on its own


def test_a_new_hazard_without_a_description_is_refused_and_nothing_is_kept(ctx, qtbot):
    from township_desk.ui.hazard_dialog import HazardDialog

    zhang = elder_id(ctx.db, "张德福")
    dialog = HazardDialog(ctx, zhang)
    qtbot.addWidget(dialog)
    assert "张小明（儿子 13900002222）" in dialog.findChildren(QLabel)[0].text()
    dialog.save()
    assert dialog.error.text() == "请写明发现的风险隐患" and dialog.hazard_id is None
    dialog.description.setPlainText("独居老人家中电线老化")
    dialog.resolved.check.setChecked(True)                   # resolved without saying how: refused as a whole
    dialog.save()
    assert dialog.error.text() == "请写明处置情况" and dialog.hazard_id is None
    assert hazards.hazards_of_elder(ctx.db, zhang) == []
    dialog.resolved.check.setChecked(False)
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = hazards.get_hazard(ctx.db, dialog.hazard_id)
    assert (stored["description"], stored["found_on"], stored["supporter_told_on"]) == (
        "独居老人家中电线老化", "2026-11-22", None)            # nobody said the supporter was told: not recorded


def test_a_resolution_typed_without_the_resolved_date_is_pointed_out(ctx, qtbot):
    from township_desk.ui.hazard_dialog import HazardDialog

    zhang = elder_id(ctx.db, "张德福")
    hazard_id = hazards.open_hazard(ctx.db, zhang, "2026-11-18", "燃气不安全", today=TODAY)
    dialog = HazardDialog(ctx, zhang, hazard_id=hazard_id)
    qtbot.addWidget(dialog)
    assert not dialog.told.check.isChecked() and dialog.description.isReadOnly()
    dialog.resolution.setPlainText("已更换软管")
    dialog.save()
    assert "请勾选“已处置”" in dialog.error.text()
    assert hazards.get_hazard(ctx.db, hazard_id)["resolution"] is None


def test_the_form_fits_a_small_office_screen(dialog):
    """1366×768 laptops are common in township offices: the items scroll, the 保存 button stays on screen."""
    room = dialog.screen().availableGeometry()
    assert dialog.height() <= room.height() and dialog.minimumSizeHint().height() < 600


def test_last_times_problems_are_not_prefilled_but_looked_at_again(ctx, qtbot):
    from township_desk.ui.visit_dialog import VisitDialog

    zhang = elder_id(ctx.db, "张德福")
    visits.record_visit(ctx.db, zhang, {"date": "2026-11-10", "mode": "上门", "visitor_name": "赵会计",
                                        "mobility": "中", "mood": "差", "gas_safety": "不安全"}, today=TODAY)
    dialog = VisitDialog(ctx, zhang)
    qtbot.addWidget(dialog)
    assert dialog.rows["mobility"].value() == "中"
    assert (dialog.rows["mood"].value(), dialog.rows["gas_safety"].value()) == (None, None)
    assert "上次发现的问题（情绪状态差、燃气不安全）未预填" in dialog.prefill_note.text()


# ---------------------------------------------------------------- a visit on record: view, 更正, 作废, photos


@pytest.fixture
def recorded(ctx, tmp_path):
    """张德福's home visit of 2026-11-20 with one photo, recorded through the model."""
    picture = tmp_path / "现场.png"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#4a8"))
    image.save(str(picture))
    zhang = elder_id(ctx.db, "张德福")
    visit_id = visits.record_visit(ctx.db, zhang, {
        "date": "2026-11-20", "mode": "上门", "visitor_name": "赵会计", "visitor_id": 1, "mood": "良",
        "gas_safety": "安全", "notes": "家中整洁"}, [picture], today=TODAY)
    return visit_id


def open_recorded(ctx, qtbot, visit_id):
    from township_desk.ui.visit_dialog import VisitDialog

    widget = VisitDialog(ctx, elder_id(ctx.db, "张德福"), visit_id=visit_id)
    qtbot.addWidget(widget)
    return widget


def test_a_recorded_visit_opens_read_only_with_its_photo_and_the_two_actions(ctx, qtbot, recorded):
    dialog = open_recorded(ctx, qtbot, recorded)
    assert dialog.windowTitle() == "巡访记录 — 张德福"
    assert (dialog.date.date().toPython(), dialog.rows["mood"].value(), dialog.notes.toPlainText()) == (
        dt.date(2026, 11, 20), "良", "家中整洁")
    assert not dialog.date.isEnabled() and not dialog.rows["mood"].isEnabled() and dialog.notes.isReadOnly()
    assert dialog.photos.count() == 1 and not dialog.photos.item(0).icon().isNull()  # a thumbnail of the photo
    assert dialog.photos.item(0).text() == "现场.png"          # named as the clerk's file was
    assert dialog.photo_paths() == []          # nothing to add: the photo is on file already
    assert dialog.correct_button.isEnabled() and dialog.void_button.isEnabled()
    assert not dialog.save_correction_button.isVisibleTo(dialog)
    assert f"第 {recorded} 号巡访记录" in dialog.status.text()
    dialog.close_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.changed


def test_a_correction_saves_the_changed_fields_and_logs_them_old_to_new(ctx, qtbot, recorded, monkeypatch):
    from township_desk.models import audit

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dialog = open_recorded(ctx, qtbot, recorded)
    dialog.correct_button.click()
    assert dialog.date.isEnabled() and dialog.save_correction_button.isVisibleTo(dialog)
    dialog.date.setDate(dt.date(2026, 11, 19))
    dialog.rows["mood"].buttons["中"].click()
    dialog.save_correction_button.click()
    assert dialog.error.text() == ""
    stored = visits.get_visit(ctx.db, recorded)
    assert (stored["date"], stored["mood"], stored["visitor_name"], stored["notes"]) == (
        "2026-11-19", "中", "赵会计", "家中整洁")
    log = [(e["field"], e["old_value"], e["new_value"]) for e in audit.entries(ctx.db, table="visits")
           if e["action"] == "修改"]
    assert sorted(log) == [("date", "2026-11-20", "2026-11-19"), ("mood", "良", "中")]
    assert dialog.status.text() == "已更正：巡访时间、情绪状态（已记入操作日志）。"
    assert not dialog.date.isEnabled() and dialog.changed   # back to viewing the corrected record
    dialog.close_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_refused_correction_keeps_what_was_typed_and_changes_nothing(ctx, qtbot, recorded):
    visits.record_visit(ctx.db, elder_id(ctx.db, "张德福"), {"date": "2026-11-21", "mode": "上门", "visitor_id": 1},
                        today=TODAY)
    dialog = open_recorded(ctx, qtbot, recorded)
    dialog.correct_button.click()
    dialog.date.setDate(dt.date(2026, 11, 21))
    dialog.save_correction_button.click()
    assert "已经登记过" in dialog.error.text() and dialog.date.isEnabled()
    assert visits.get_visit(ctx.db, recorded)["date"] == "2026-11-20"
    dialog.cancel_correction_button.click()
    assert dialog.date.date().toPython() == dt.date(2026, 11, 20) and not dialog.date.isEnabled()


def test_voiding_asks_a_reason_and_shows_the_visit_marked_voided(ctx, qtbot, recorded, monkeypatch):
    from township_desk.models import settings
    from township_desk.ui import visit_dialog

    settings.put(ctx.db, {"preparer": "李专干"})
    seen = {}

    def fill(void):
        seen["by"] = void.voided_by.text()          # 设置's 填表人 to start with
        void.save()                                  # no reason: refused, nothing voided
        seen["refused"] = void.error.text()
        seen["still_counted"] = visits.get_visit(ctx.db, recorded)["voided_at"] is None
        void.reason.setPlainText("同一次巡访登记了两次")
        void.save()
        return void.result()

    monkeypatch.setattr(visit_dialog.VoidDialog, "exec", fill)
    dialog = open_recorded(ctx, qtbot, recorded)
    dialog.void_button.click()
    assert seen == {"by": "李专干", "refused": "请填写作废原因", "still_counted": True}
    stored = visits.get_visit(ctx.db, recorded)
    assert (stored["void_reason"], stored["voided_by"]) == ("同一次巡访登记了两次", "李专干")
    assert dialog.status.text().startswith(f"已作废　{stored['voided_at']} 由李专干作废，原因：同一次巡访登记了两次")
    assert dialog.windowTitle() == "巡访记录（已作废） — 张德福"
    assert not dialog.correct_button.isEnabled() and not dialog.void_button.isEnabled() and dialog.changed


def test_a_photo_opens_in_the_system_viewer_from_the_photos_folder(ctx, qtbot, recorded, monkeypatch):
    from township_desk.ui import visit_dialog

    launched = []
    monkeypatch.setattr(visit_dialog, "open_in_system", lambda parent, path, title: launched.append(str(path)))
    dialog = open_recorded(ctx, qtbot, recorded)
    dialog.open_photo_button.click()
    (stored,) = visits.get_visit(ctx.db, recorded)["photos"]
    assert launched == [str((paths.photos_dir() / stored).resolve())]


def test_a_photo_path_leading_out_of_the_photos_folder_is_refused_not_launched(ctx, qtbot, recorded, monkeypatch):
    from township_desk.ui import visit_dialog

    ctx.db.execute("UPDATE visit_photos SET path = '../../../etc/passwd' WHERE visit_id = ?", [recorded])
    launched, warned = [], []
    monkeypatch.setattr(visit_dialog, "open_in_system", lambda *args, **kw: launched.append(args))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warned.append(args[2]))
    dialog = open_recorded(ctx, qtbot, recorded)
    assert "已拒绝" in dialog.photos.item(0).text() and dialog.photos.item(0).icon().isNull()
    dialog.photos.setCurrentRow(0)
    dialog.open_photo_button.click()
    assert launched == [] and len(warned) == 1
    assert warned[0].startswith("照片路径“../../../etc/passwd”指向数据文件夹") and "已拒绝打开" in warned[0]


def test_the_supporter_told_date_stays_empty_until_the_clerk_enters_it(ctx, qtbot):
    """One click on 保存 must not record a notification that never happened (第一时间向赡养人通报)."""
    from township_desk.ui.hazard_dialog import HazardDialog

    zhang = elder_id(ctx.db, "张德福")
    dialog = HazardDialog(ctx, zhang, description="燃气不安全", found_on=dt.date(2026, 11, 20))
    qtbot.addWidget(dialog)
    assert not dialog.told.check.isChecked() and dialog.told.edit.text() == "" and dialog.told.value() is None
    assert (dialog.reported.edit.text(), dialog.resolved.edit.text()) == ("", "")
    dialog.told.check.setChecked(True)                       # ticked, but no date given
    dialog.save()
    assert dialog.error.text() == "请填写通报赡养人日期" and dialog.hazard_id is None
    assert hazards.hazards_of_elder(ctx.db, zhang) == []     # nothing of the save was kept
    dialog.told.edit.setText("2026年11月23日")               # typed, but after today
    dialog.save()
    assert dialog.error.text() == "通报赡养人日期 2026-11-23 晚于今天"
    dialog.told.calendar.clicked.emit(QDate(2026, 11, 21))   # picked from the calendar
    assert dialog.told.edit.text() == "2026-11-21"
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert hazards.get_hazard(ctx.db, dialog.hazard_id)["supporter_told_on"] == "2026-11-21"


def test_typing_a_date_ticks_its_box(ctx, qtbot):
    from PySide6.QtTest import QTest

    from township_desk.ui.hazard_dialog import HazardDialog

    dialog = HazardDialog(ctx, elder_id(ctx.db, "张德福"), description="取暖不安全")
    qtbot.addWidget(dialog)
    QTest.keyClicks(dialog.told.edit, "2026-11-22")
    assert dialog.told.check.isChecked() and dialog.told.value() == "2026-11-22"


def test_the_audit_log_names_a_visits_corrected_and_voided_fields_in_chinese(ctx, recorded):

    visits.correct_visit(ctx.db, recorded, {"date": "2026-11-20", "mode": "上门", "visitor_id": 1,
                                            "visitor_name": "赵会计", "mood": "差", "gas_safety": "不安全",
                                            "notes": "家中整洁"}, today=TODAY)
    visits.void_visit(ctx.db, recorded, "记到了别的老人名下", "李专干")
    shown = [audit_log.readable(row)[1:] for row in audit_log.rows(ctx.db)[:3]]
    label = f"张德福 {VALID_IDS[0]} 2026-11-20 上门"
    assert shown == [["作废巡访", "巡访", label, "作废原因", "", "记到了别的老人名下（作废人：李专干）"],
                     ["修改", "巡访", label, "燃气安全", "安全", "不安全"],
                     ["修改", "巡访", label, "情绪状态", "良", "差"]]


def test_voiding_a_visit_that_recorded_a_hazard_says_the_hazard_stays_open(ctx, qtbot, recorded):
    from township_desk.ui.visit_dialog import VoidDialog

    hazards.open_hazard(ctx.db, elder_id(ctx.db, "张德福"), "2026-11-20", "燃气软管老化", visit_id=recorded,
                        today=TODAY)
    void = VoidDialog(ctx, visits.get_visit(ctx.db, recorded), "张德福")
    qtbot.addWidget(void)
    assert void.hazards_note.text() == ("由这次巡访登记的风险隐患（燃气软管老化）不会随之作废，"
                                        "请在“风险隐患”中另行跟进处置。")
    assert not void.hazards_note.isHidden()
    void.reason.setPlainText("记到了别的老人名下")
    void.voided_by.setText("李专干")
    void.save()
    assert [h["description"] for h in hazards.open_hazards(ctx.db)] == ["燃气软管老化"]


def test_changing_a_visit_of_a_month_already_sent_says_the_sent_figures_stay(ctx, qtbot, recorded, monkeypatch):
    from township_desk.ui.visit_dialog import VoidDialog

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    ctx.db.execute("INSERT INTO monthly_submissions(month, kind, submitted_at, submitted_by, sha256, payload)"
                   " VALUES ('2026-10', '上报', '2026-11-05 09:00:00', '李专干', 'x', '{}')")
    sent = "2026年10月的月度报表已上报，上报的数字不随之改变；如需更正，请在“月度报表”中点“更正上报…”。"
    void = VoidDialog(ctx, visits.get_visit(ctx.db, recorded), "张德福")     # a November visit: nothing sent
    qtbot.addWidget(void)
    assert void.sent_note.isHidden()
    dialog = open_recorded(ctx, qtbot, recorded)
    dialog.correct_button.click()
    dialog.date.setDate(dt.date(2026, 10, 30))                            # moved into the month already sent
    dialog.save_correction_button.click()
    assert dialog.status.text() == "已更正：巡访时间（已记入操作日志）。" + sent
    void = VoidDialog(ctx, visits.get_visit(ctx.db, recorded), "张德福")
    qtbot.addWidget(void)
    assert void.sent_note.text() == sent and not void.sent_note.isHidden()
