"""The elder editor and the status dialog, driven with qtbot over a real SQLite file (modal boxes monkeypatched)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from tests.conftest import VALID_IDS, make_id
from township_desk.models import audit, elders, villages, visitors
from township_desk.models import db as dbm

TODAY = dt.date(2026, 11, 22)
SUPPORTER_ID = make_id("19700305", 13)


@pytest.fixture
def ctx(db, db_path, qtbot):
    from township_desk.ui.context import AppContext

    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "白鹤村"})
    visitors.save_visitor(db, {"name": "李四", "phone": "13900002222", "village_id": villages.village_id(db, "青山村")})
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "phone": "13812345678",
                           "current_address": "青山村三组12号", "education": "小学"},
                      [{"name": "张小明", "relation": "儿子", "phone": "13700001111", "away_since": "2018-03"}],
                      today=TODAY)
    return AppContext(db_path, db=db, today=TODAY)


@pytest.fixture(autouse=True)
def no_blocking_question(monkeypatch):
    """A dialog closed at teardown with unsaved changes would ask in a modal box: answer 不保存."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)


def zhang(db):
    return db.execute("SELECT id FROM elders WHERE name = '张德福'").fetchone()[0]


def editor(ctx, qtbot, elder_id=None, **kwargs):
    from township_desk.ui.elder_editor import ElderEditor

    dialog = ElderEditor(ctx, elder_id, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def test_existing_elder_opens_with_every_stored_value(ctx, qtbot):
    dialog = editor(ctx, qtbot, zhang(ctx.db))
    assert dialog.value("name") == "张德福" and dialog.value("id_number") == VALID_IDS[0]
    assert (dialog.value("sex"), dialog.value("birth_date")) == ("男", "1945-03-12")
    assert dialog.fields["village"].currentText() == "青山村" and dialog.value("education") == "小学"
    assert "男，1945-03-12 出生，现年 81 周岁" in dialog.id_info.text()
    assert dialog.supporters()[0]["name"] == "张小明" and dialog.supporters()[0]["relation"] == "儿子"
    assert "在册" in dialog.status_label.text() and dialog.history_table.rowCount() == 1
    assert "符合留守老年人认定条件" in dialog.eligibility_label.text()
    assert not dialog.has_unsaved_changes()


def test_changed_phone_and_address_are_saved_and_audited(ctx, qtbot, db_path):
    elder_id = zhang(ctx.db)
    dialog = editor(ctx, qtbot, elder_id)
    notified = []
    ctx.data_changed.connect(notified.append)
    dialog.fields["phone"].clear()
    qtbot.keyClicks(dialog.fields["phone"], "139 0000 1111")
    dialog.set_value("current_address", "青山村三组 A&B <东头> \"老屋\"")
    assert dialog.save() and dialog.result() == QDialog.DialogCode.Accepted
    assert notified == ["elders"]

    other = dbm.connect(db_path)                       # what another window (or tomorrow) reads
    try:
        stored = elders.get_elder(other, elder_id)
        assert stored["phone"] == "13900001111"
        assert stored["current_address"] == "青山村三组 A&B <东头> \"老屋\""
        log = audit.entries(other, table="elders", record_id=elder_id)
    finally:
        other.close()
    changes = {(e["field"], e["old_value"], e["new_value"]) for e in log if e["action"] == "修改"}
    assert ("phone", "13812345678", "13900001111") in changes
    assert ("current_address", "青山村三组12号", "青山村三组 A&B <东头> \"老屋\"") in changes


def test_bad_id_checksum_marks_the_field_and_nothing_is_written(ctx, qtbot):
    dialog = editor(ctx, qtbot)
    dialog.set_value("name", "刘秀英")
    dialog.set_value("village", "白鹤村")
    bad = VALID_IDS[1][:-1] + ("1" if VALID_IDS[1][-1] != "1" else "2")
    assert dialog.fields["id_number"].property("problem") in (None, "")  # not "为空" before anything is typed
    qtbot.keyClicks(dialog.fields["id_number"], bad)
    qtbot.waitUntil(lambda: dialog.fields["id_number"].property("problem") == "error", timeout=2000)
    message = dialog.messages["id_number"]
    assert not message.isHidden() and "校验不通过" in message.text() and bad in message.text()
    assert not dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "未保存" in dialog.problems_label.text() and "身份证号码：" in dialog.problems_label.text()
    assert ctx.db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 1


def test_refused_save_lists_every_error(ctx, qtbot):
    dialog = editor(ctx, qtbot)
    dialog.set_value("id_number", VALID_IDS[1])
    dialog.set_value("children_count", "两个")
    assert not dialog.save()
    text = dialog.problems_label.text()
    assert "3 处错误" in text and "姓名为空" in text and "村（社区）不能为空" in text and "两个" in text
    for field in ("name", "village", "children_count"):
        assert dialog.fields[field].property("problem") == "error"


def test_second_person_with_an_existing_id_is_refused_naming_the_holder(ctx, qtbot):
    dialog = editor(ctx, qtbot)
    dialog.set_value("name", "王五")
    dialog.set_value("id_number", VALID_IDS[0])
    dialog.set_value("village", "白鹤村")
    assert not dialog.save()
    message = dialog.messages["id_number"].text()
    assert "张德福" in message and "青山村" in message and VALID_IDS[0] in message
    assert dialog.fields["id_number"].property("problem") == "error"
    dialog.set_value("phone", "13812345678")                  # still refused while the number is the same
    dialog.validate()
    assert "张德福" in dialog.messages["id_number"].text()
    assert ctx.db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 1


def test_typed_sex_that_disagrees_with_the_id_is_a_warning_naming_both(ctx, qtbot):
    dialog = editor(ctx, qtbot)
    dialog.set_value("id_number", VALID_IDS[1])                # 女, 1952-07-08
    assert (dialog.value("sex"), dialog.value("birth_date")) == ("女", "1952-07-08")  # follow the number
    dialog.set_value("sex", "男")
    dialog.validate()
    message = dialog.messages["sex"].text()
    assert "男" in message and "女" in message and dialog.fields["sex"].property("problem") == "warning"


def test_supporters_added_in_the_table_are_saved(ctx, qtbot):
    from PySide6.QtWidgets import QTableWidgetItem

    from township_desk.ui.elder_editor import _SUPPORTER_KEYS

    elder_id = zhang(ctx.db)
    dialog = editor(ctx, qtbot, elder_id)
    qtbot.mouseClick(dialog.add_supporter_button, Qt.MouseButton.LeftButton)
    row = dialog.supporters_table.rowCount() - 1
    table = dialog.supporters_table
    for key, text in (("name", "张小红"), ("id_number", SUPPORTER_ID), ("phone", "13600003333"),
                      ("work_place", "广东省东莞市"), ("away_since", "2020年5月")):
        table.setItem(row, _SUPPORTER_KEYS.index(key), QTableWidgetItem(text))
    table.cellWidget(row, _SUPPORTER_KEYS.index("relation")).setCurrentText("女儿")
    table.cellWidget(row, _SUPPORTER_KEYS.index("employer_type")).setCurrentText("企业")
    table.item(row, _SUPPORTER_KEYS.index("can_support")).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.has_unsaved_changes()
    assert dialog.save()
    stored = elders.supporters_of(ctx.db, elder_id)
    assert [s["name"] for s in stored] == ["张小明", "张小红"]
    second = stored[1]
    assert (second["relation"], second["id_number"], second["away_since"], second["employer_type"],
            second["can_support"], second["is_away"]) == ("女儿", SUPPORTER_ID, "2020-05", "企业", 0, 1)


def test_a_supporter_cell_still_being_typed_in_is_saved(ctx, qtbot):
    from township_desk.ui.elder_editor import _SUPPORTER_KEYS

    elder_id = zhang(ctx.db)
    dialog = editor(ctx, qtbot, elder_id)
    dialog.show()
    table = dialog.supporters_table
    index = table.model().index(0, _SUPPORTER_KEYS.index("work_place"))
    table.setCurrentIndex(index)
    table.edit(index)
    cell_editor = table.indexWidget(index)
    assert cell_editor is not None
    cell_editor.setText("浙江省宁波市")                        # typed, cell not left, then 保存
    assert dialog.has_unsaved_changes()
    assert dialog.save()
    assert elders.supporters_of(ctx.db, elder_id)[0]["work_place"] == "浙江省宁波市"


def test_enter_in_a_field_does_not_save_the_form(ctx, qtbot):
    elder_id = zhang(ctx.db)
    dialog = editor(ctx, qtbot, elder_id)
    dialog.show()
    dialog.set_value("group_name", "六组")
    qtbot.keyClick(dialog.fields["group_name"], Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert elders.get_elder(ctx.db, elder_id)["group_name"] is None
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    qtbot.keyClick(dialog.fields["group_name"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S saves
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert elders.get_elder(ctx.db, elder_id)["group_name"] == "六组"


def test_removed_supporter_is_gone_after_saving(ctx, qtbot):
    elder_id = zhang(ctx.db)
    dialog = editor(ctx, qtbot, elder_id)
    dialog.supporters_table.selectRow(0)
    dialog.remove_supporter()
    assert dialog.supporters() == []
    dialog.validate()
    assert "未登记赡养人" in dialog.eligibility_label.text()    # shown, never blocks saving
    assert dialog.save()
    assert elders.supporters_of(ctx.db, elder_id) == []


def test_supporter_problems_are_shown_under_the_table(ctx, qtbot):
    from PySide6.QtWidgets import QTableWidgetItem

    from township_desk.ui.elder_editor import _SUPPORTER_KEYS

    dialog = editor(ctx, qtbot, zhang(ctx.db))
    dialog.supporters_table.setItem(0, _SUPPORTER_KEYS.index("away_since"), QTableWidgetItem("去年"))
    assert not dialog.save()
    assert "第1位赡养人" in dialog.messages["supporters"].text() and "去年" in dialog.messages["supporters"].text()
    assert elders.supporters_of(ctx.db, zhang(ctx.db))[0]["away_since"] == "2018-03"


def test_new_elder_is_saved_with_the_form_values(ctx, qtbot):
    dialog = editor(ctx, qtbot, village_id=villages.village_id(ctx.db, "白鹤村"))
    dialog.set_value("name", "刘 秀英")
    dialog.set_value("id_number", VALID_IDS[1].lower())
    dialog.set_value("is_disabled", True)
    dialog.set_value("disability_category", "肢体残疾")
    dialog.set_value("ability_level", 2)
    dialog.set_value("income_sources", ["打工", "政府救助"])
    dialog.set_value("main_income", "政府救助")
    dialog.set_value("hardship", "低保")
    dialog.set_value("visitor", "李四")
    dialog.set_value("tier", "重点")
    dialog.set_value("last_family_visit", "2025年2月")
    assert dialog.save()
    stored = elders.get_elder(ctx.db, dialog.elder_id)
    assert (stored["name"], stored["village"], stored["sex"], stored["visitor"], stored["tier"]) == \
        ("刘秀英", "白鹤村", "女", "李四", "重点")
    assert (stored["is_disabled"], stored["disability_category"], stored["ability_level"], stored["hardship"]) == \
        (1, "肢体残疾", 2, "低保")
    assert (stored["income_sources"], stored["main_income"], stored["last_family_visit"]) == \
        ("打工,政府救助", "政府救助", "2025-02")
    assert stored["status"] == "在册" and stored["entered_on"] == TODAY.isoformat()


def test_warnings_of_a_save_are_shown_once_without_blocking(ctx, qtbot):
    dialog = editor(ctx, qtbot, zhang(ctx.db))
    dialog.set_value("phone", "8888")
    assert dialog.save()
    box = dialog.saved_notice
    assert box is not None and not box.isModal() and "8888" in box.text()
    box.close()


def test_cancel_with_unsaved_changes_asks_and_dont_save_discards(ctx, qtbot, monkeypatch):
    elder_id = zhang(ctx.db)
    dialog = editor(ctx, qtbot, elder_id)
    dialog.show()
    asked = []
    answer = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args[2]) or answer[0])
    dialog.reject()                                              # nothing changed: closes without asking
    assert asked == [] and dialog.result() == QDialog.DialogCode.Rejected

    dialog = editor(ctx, qtbot, elder_id)
    dialog.show()
    dialog.set_value("phone", "13900009999")
    dialog.reject()                                              # 取消: stays open, nothing lost
    assert len(asked) == 1 and "张德福" in asked[0] and dialog.isVisible()
    answer[0] = QMessageBox.StandardButton.Discard               # 不保存
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert len(asked) == 2 and not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert elders.get_elder(ctx.db, elder_id)["phone"] == "13812345678"


def test_closing_with_unsaved_changes_can_save_them(ctx, qtbot, monkeypatch):
    elder_id = zhang(ctx.db)
    dialog = editor(ctx, qtbot, elder_id)
    dialog.show()
    dialog.set_value("group_name", "五组")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    dialog.close()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert elders.get_elder(ctx.db, elder_id)["group_name"] == "五组"


def test_status_dialog_moves_to_away_and_the_history_shows_it(ctx, qtbot, monkeypatch):
    from township_desk.ui import elder_editor
    from township_desk.ui.widgets import qdate

    elder_id = zhang(ctx.db)
    dialog = editor(ctx, qtbot, elder_id)
    seen = {}

    def choose(status_dialog):
        status_dialog.status_combo.setCurrentText("暂离")
        status_dialog.date_edit.setDate(qdate(TODAY))
        status_dialog.accept()                                   # no reason: refused, stays open
        seen["refusal"] = status_dialog.error_label.text()
        seen["after_refusal"] = status_dialog.result()
        status_dialog.reason_edit.setText("住院治疗")
        status_dialog.accept()
        return status_dialog.result()

    monkeypatch.setattr(elder_editor.StatusDialog, "exec", choose)
    qtbot.mouseClick(dialog.status_button, Qt.MouseButton.LeftButton)
    assert "须填写原因" in seen["refusal"] and seen["after_refusal"] != QDialog.DialogCode.Accepted
    assert elders.get_elder(ctx.db, elder_id)["status"] == "暂离"
    assert "暂离" in dialog.status_label.text() and "住院治疗" in dialog.status_label.text()
    last = dialog.history_table.rowCount() - 1
    assert [dialog.history_table.item(last, c).text() for c in range(4)] == \
        [TODAY.isoformat(), "在册", "暂离", "住院治疗"]
    assert "暂离" in dialog.windowTitle()
    assert not dialog.has_unsaved_changes()                      # a status change is stored at once


def test_status_dialog_offers_the_other_statuses_and_no_later_date(ctx, qtbot):
    from township_desk.ui.elder_editor import StatusDialog

    dialog = StatusDialog(ctx, zhang(ctx.db))
    qtbot.addWidget(dialog)
    offered = [dialog.status_combo.itemText(i) for i in range(dialog.status_combo.count())]
    assert offered == ["暂离", "已迁出", "已去世", "已不属于留守"]
    assert dialog.date_edit.maximumDate() == dialog.date_edit.date()
    assert dialog.reason_label.text() == "原因（必填）"
