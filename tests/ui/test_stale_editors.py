"""Editors whose record changed since they opened (an import, the command line, another window): the save is
refused with a message, 重新载入 shows what is stored now and the dialog stays open; a busy file is a message too.

Real widgets over a real SQLite file; the second writer is a second connection to the same file. The modal
boxes are replaced (``stale.offer_reload``, ``QMessageBox``) and record what the clerk would read.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from tests.conftest import VALID_IDS
from township_desk.models import agreements, elders, hazards, settings, villages, visitors, visits
from township_desk.models import db as dbm
from township_desk.ui import crash, stale
from township_desk.ui.pages import follow_changes

TODAY = dt.date(2026, 11, 22)
STALE = "这条记录在您打开之后已被修改"


@pytest.fixture
def ctx(db, db_path, qtbot):
    from township_desk.ui.context import AppContext

    villages.save_village(db, {"name": "青山村"})
    visitors.save_visitor(db, {"name": "李四", "phone": "13900002222", "village_id": villages.village_id(db, "青山村")})
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "phone": "13812345678",
                           "entered_on": "2026-01-05"},
                      [{"name": "张小明", "relation": "儿子", "phone": "13700001111", "away_since": "2018-03"}],
                      today=TODAY)
    return AppContext(db_path, db=db, today=TODAY)


@pytest.fixture
def other(db_path, ctx):
    """The import running in another process meanwhile."""
    connection = dbm.connect(db_path)
    yield connection
    connection.close()


class Offers(list):
    """What each 记录已被修改 box said; ``reload`` is whether the clerk clicks 重新载入."""

    reload = False


@pytest.fixture
def offered(monkeypatch):
    seen = Offers()

    def offer(parent, exc):
        seen.append(str(exc))
        return seen.reload

    monkeypatch.setattr(stale, "offer_reload", offer)
    return seen


@pytest.fixture
def warnings(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: seen.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    return seen


@pytest.fixture
def crashes(monkeypatch):
    seen: list[BaseException] = []
    monkeypatch.setattr(crash, "report", lambda exc, tb=None, parent=None: seen.append(exc))
    return seen


def zhang(db) -> int:
    return db.execute("SELECT id FROM elders WHERE name = '张德福'").fetchone()[0]


def import_phone(other, elder_id: int, phone: str) -> None:
    elders.save_elder(other, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "phone": phone},
                      elder_id=elder_id, today=TODAY, action="导入")


def elder_editor(ctx, qtbot, elder_id):
    from township_desk.ui.elder_editor import ElderEditor

    dialog = ElderEditor(ctx, elder_id)
    qtbot.addWidget(dialog)
    return dialog


# ------------------------------------------------------------------------------------------ elder editor


def test_an_elder_editor_opened_before_an_import_does_not_undo_it(ctx, qtbot, other, offered, crashes):
    elder_id = zhang(ctx.db)
    dialog = elder_editor(ctx, qtbot, elder_id)
    import_phone(other, elder_id, "13899998888")
    dialog.set_value("current_address", "青山村三组12号")
    assert not dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert len(offered) == 1 and STALE in offered[0] and "张德福" in offered[0] and "导入" in offered[0]
    stored = elders.get_elder(ctx.db, elder_id)
    assert stored["phone"] == "13899998888" and stored["current_address"] is None
    assert dialog.value("current_address") == "青山村三组12号"       # 取消: what was typed is still there
    assert crashes == []


def test_a_real_import_from_another_process_is_not_undone_by_the_open_editor(ctx, qtbot, db_path, tmp_path,
                                                                              offered, crashes):
    import subprocess
    import sys

    import openpyxl

    elder_id = zhang(ctx.db)
    dialog = elder_editor(ctx, qtbot, elder_id)               # opened before the import
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "青山村"
    sheet.append(["姓名", "身份证号码", "性别", "联系电话"])
    sheet.append(["张德福", VALID_IDS[0], "男", "13899998888"])
    sheet["B2"].data_type = "s"
    book.save(tmp_path / "台账.xlsx")
    done = subprocess.run([sys.executable, "-m", "township_desk", "import-ledger", str(tmp_path / "台账.xlsx"),
                           "--db", str(db_path)], capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert elders.get_elder(ctx.db, elder_id)["phone"] == "13899998888"

    dialog.set_value("notes", "子女每月回家一次")
    assert not dialog.save() and STALE in offered[0]
    assert elders.get_elder(ctx.db, elder_id)["phone"] == "13899998888"   # the import stands
    assert crashes == []


def test_reloading_shows_the_import_and_then_the_clerks_change_saves(ctx, qtbot, other, offered, crashes):
    elder_id = zhang(ctx.db)
    dialog = elder_editor(ctx, qtbot, elder_id)
    import_phone(other, elder_id, "13899998888")
    other.execute("UPDATE supporters SET phone = '13766665555' WHERE elder_id = ?", [elder_id])
    dialog.set_value("current_address", "青山村三组12号")
    offered.reload = True
    assert not dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted  # the dialog stays open, now showing the import
    assert dialog.value("phone") == "13899998888" and dialog.value("current_address") == ""
    assert dialog.supporters()[0]["phone"] == "13766665555" and len(dialog.supporters()) == 1
    assert not dialog.has_unsaved_changes()
    dialog.set_value("current_address", "青山村三组12号")
    assert dialog.save() and dialog.result() == QDialog.DialogCode.Accepted
    stored = elders.get_elder(ctx.db, elder_id)
    assert (stored["phone"], stored["current_address"]) == ("13899998888", "青山村三组12号")
    assert len(offered) == 1 and crashes == []


def test_the_editors_own_status_change_does_not_make_its_form_stale(ctx, qtbot, offered, monkeypatch):
    from township_desk.ui import elder_editor as module

    elder_id = zhang(ctx.db)
    dialog = elder_editor(ctx, qtbot, elder_id)

    def choose(status_dialog):
        status_dialog.status_combo.setCurrentText("暂离")
        status_dialog.reason_edit.setText("外出就医")
        status_dialog.accept()
        return status_dialog.result()

    monkeypatch.setattr(module.StatusDialog, "exec", choose)
    dialog.change_status()
    dialog.set_value("current_address", "青山村三组12号")
    assert dialog.save() and offered == []
    stored = elders.get_elder(ctx.db, elder_id)
    assert (stored["status"], stored["current_address"]) == ("暂离", "青山村三组12号")


def test_an_elder_saved_while_another_program_writes_gets_a_chinese_message(ctx, qtbot, db_path, warnings,
                                                                             crashes):
    elder_id = zhang(ctx.db)
    dialog = elder_editor(ctx, qtbot, elder_id)
    dialog.set_value("current_address", "青山村三组12号")
    ctx.db.execute("PRAGMA busy_timeout = 50")        # the window waits 5 s; a test need not
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        assert not dialog.save()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert len(warnings) == 1 and "正被另一个程序" in warnings[0] and "没有保存" in warnings[0]
    assert "locked" not in warnings[0] and crashes == []
    assert dialog.value("current_address") == "青山村三组12号"
    assert elders.get_elder(ctx.db, elder_id)["current_address"] is None
    assert dialog.save()                               # the other program is done: the same form saves


def test_a_locked_error_reaching_the_crash_handler_is_a_message_not_a_crash(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(crash, "_show", lambda parent, title, text, warning=False: shown.append((title, text)))
    logged: list[str] = []
    monkeypatch.setattr(crash.log, "error", lambda *a, **k: logged.append(a[0]))
    crash.report(sqlite3.OperationalError("database is locked"))
    assert shown and shown[0][0] == "无法完成" and "正被其他程序占用" in shown[0][1] and logged == []


# ------------------------------------------------------------------------------------------ the other editors


def test_an_agreement_draft_editor_opened_before_a_change_refuses_then_reloads(ctx, qtbot, other, offered):
    from township_desk.ui.agreement_editor import AgreementEditor

    elder_id = zhang(ctx.db)
    data = {"elder_id": elder_id, "template": "自理", "party_b_name": "李桂兰", "term_years": 1,
            "start_date": "2026-03-01", "hours_per_day": 4, "fee": "每月600元", "party_a_name": "张小明"}
    agreement_id = agreements.save_agreement(ctx.db, data, today=TODAY).agreement_id
    dialog = AgreementEditor(ctx.db, agreement_id, today=TODAY)
    qtbot.addWidget(dialog)
    agreements.save_agreement(other, {**data, "fee": "每月800元"}, agreement_id, today=TODAY)
    dialog.fields["party_b_phone"].setText("13700003333")
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted and STALE in offered[0]
    assert agreements.get_agreement(ctx.db, agreement_id)["fee"] == "每月800元"
    assert agreements.get_agreement(ctx.db, agreement_id)["party_b_phone"] is None

    offered.reload = True
    dialog.save()
    assert dialog.fields["fee"].text() == "每月800元" and dialog.fields["party_b_phone"].text() == ""
    dialog.fields["party_b_phone"].setText("13700003333")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = agreements.get_agreement(ctx.db, agreement_id)
    assert (stored["fee"], stored["party_b_phone"]) == ("每月800元", "13700003333")
    qtbot.waitUntil(lambda: not dialog._recheck.isActive(), timeout=2000)  # its re-check runs before the file closes


def test_signing_a_draft_changed_since_it_was_listed_is_refused_and_the_list_shows_the_change(
        ctx, qtbot, other, warnings, monkeypatch):
    from tests.conftest import make_id
    from township_desk.ui import agreement_editor
    from township_desk.ui.agreements_page import AgreementsPage

    elder_id = zhang(ctx.db)
    data = {"elder_id": elder_id, "template": "自理", "party_a_supporter_id": elders.supporters_of(ctx.db, elder_id)[0]["id"],
            "party_b_name": "李桂兰", "party_b_id_number": make_id("19600101", 22), "term_years": 1,
            "start_date": "2026-03-01", "hours_per_day": 4, "fee": "每月600元"}
    agreement_id = agreements.save_agreement(ctx.db, data, today=TODAY).agreement_id
    page = AgreementsPage(ctx)
    qtbot.addWidget(page)
    follow_changes(ctx, page)
    page.select_agreement(agreement_id)
    agreements.save_agreement(other, {**data, "fee": "每月800元"}, agreement_id, today=TODAY)
    monkeypatch.setattr(agreement_editor.DateDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(agreement_editor.DateDialog, "date", lambda self: dt.date(2026, 3, 1))
    page.sign_selected()
    assert len(warnings) == 1 and STALE in warnings[0]
    assert agreements.get_agreement(ctx.db, agreement_id)["status"] == "草稿"
    page.select_agreement(agreement_id)
    assert page.current()["fee"] == "每月800元"                 # the list was read again
    page.sign_selected()                                         # now the clerk signs what they see
    assert agreements.get_agreement(ctx.db, agreement_id)["status"] == "已签订" and len(warnings) == 1


def test_a_village_dialog_opened_before_a_change_refuses_then_reloads(ctx, qtbot, other, offered):
    from township_desk.ui.settings import VillageDialog

    row = villages.villages_with_counts(ctx.db)[0]
    dialog = VillageDialog(ctx, row)
    qtbot.addWidget(dialog)
    villages.save_village(other, {"name": "青山村", "staff_name": "王主任"}, row["id"])
    dialog.phone.setText("0833-5522110")
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted and STALE in dialog.message.text()
    assert villages.list_villages(ctx.db)[0]["staff_name"] == "王主任"
    offered.reload = True
    dialog.save()
    assert dialog.staff_name.text() == "王主任" and dialog.phone.text() == ""
    dialog.phone.setText("0833-5522110")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = villages.list_villages(ctx.db)[0]
    assert (stored["staff_name"], stored["phone"]) == ("王主任", "0833-5522110")


def test_a_visitor_dialog_opened_before_a_change_refuses_then_reloads(ctx, qtbot, other, offered):
    from township_desk.ui.settings import VisitorDialog

    row = visitors.list_visitors(ctx.db)[0]
    dialog = VisitorDialog(ctx, row)
    qtbot.addWidget(dialog)
    visitors.save_visitor(other, {"name": "李四", "phone": "13900002222", "organisation": "青山村村委会",
                                  "village_id": row["village_id"]}, row["id"])
    dialog.role.setCurrentText("社工")
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted and STALE in offered[0]
    assert visitors.list_visitors(ctx.db)[0]["role"] == "村干部"
    offered.reload = True
    dialog.save()
    assert dialog.organisation.text() == "青山村村委会" and dialog.role.currentText() == "村干部"
    dialog.role.setCurrentText("社工")
    dialog.save()
    stored = visitors.list_visitors(ctx.db)[0]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (stored["organisation"], stored["role"]) == ("青山村村委会", "社工")


def test_stopping_a_visitor_listed_before_a_change_elsewhere_is_refused_and_the_list_reread(ctx, qtbot, other,
                                                                                           monkeypatch):
    from township_desk.ui import settings as settings_ui
    from township_desk.ui.settings import messages

    told: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda *a: True)
    monkeypatch.setattr(messages, "inform", lambda _p, _t, text, warning=False: told.append(text))
    tab = settings_ui.VisitorsTab(ctx)
    qtbot.addWidget(tab)
    tab.view.selectRow(0)
    visitors.save_visitor(other, {"name": "李四", "phone": "13900002222", "organisation": "青山镇社工站"},
                          visitors.list_visitors(ctx.db)[0]["id"])
    assert not tab.toggle_active()
    assert len(told) == 1 and STALE in told[0]
    stored = visitors.list_visitors(ctx.db, active_only=False)[0]
    assert (stored["active"], stored["organisation"]) == (1, "青山镇社工站")
    assert tab.selected()["organisation"] == "青山镇社工站"      # the list shows the change; stop again if meant
    assert tab.toggle_active()
    assert visitors.list_visitors(ctx.db, active_only=False)[0]["active"] == 0


def test_a_visit_correction_from_a_dialog_opened_before_a_change_refuses_then_reloads(ctx, qtbot, other, offered):
    from township_desk.ui.visit_dialog import VisitDialog

    elder_id = zhang(ctx.db)
    visit_id = visits.record_visit(ctx.db, elder_id, {"date": "2026-11-20", "mode": "上门", "visitor_id": 1,
                                                      "mood": "良", "notes": "家中整洁"}, today=TODAY)
    dialog = VisitDialog(ctx, elder_id, visit_id=visit_id)
    qtbot.addWidget(dialog)
    visits.correct_visit(other, visit_id, {**{k: visits.get_visit(other, visit_id)[k] for k in
                                              ("date", "mode", "visitor_id", "mood")}, "notes": "老人血压偏高"},
                         today=TODAY)
    dialog.correct_button.click()
    dialog.rows["mood"].buttons["中"].click()
    dialog.save_correction_button.click()
    assert STALE in dialog.error.text() and STALE in offered[0]
    stored = visits.get_visit(ctx.db, visit_id)
    assert (stored["mood"], stored["notes"]) == ("良", "老人血压偏高")
    offered.reload = True
    dialog.save_correction_button.click()
    assert dialog.notes.toPlainText() == "老人血压偏高" and dialog.rows["mood"].value() == "良"
    dialog.correct_button.click()
    dialog.rows["mood"].buttons["中"].click()
    dialog.save_correction_button.click()
    stored = visits.get_visit(ctx.db, visit_id)
    assert (stored["mood"], stored["notes"]) == ("中", "老人血压偏高") and len(offered) == 2


def test_voiding_a_visit_corrected_elsewhere_meanwhile_is_refused(ctx, qtbot, other):
    from township_desk.ui.visit_dialog import VoidDialog

    elder_id = zhang(ctx.db)
    visit_id = visits.record_visit(ctx.db, elder_id, {"date": "2026-11-20", "mode": "电话", "visitor_id": 1},
                                   today=TODAY)
    void = VoidDialog(ctx, visits.get_visit(ctx.db, visit_id), "张德福")
    qtbot.addWidget(void)
    visits.correct_visit(other, visit_id, {"date": "2026-11-19", "mode": "电话", "visitor_id": 1}, today=TODAY)
    void.reason.setPlainText("同一次巡访登记了两次")
    void.voided_by.setText("李专干")
    void.save()
    assert STALE in void.error.text() and void.result() != QDialog.DialogCode.Accepted
    assert visits.get_visit(ctx.db, visit_id)["voided_at"] is None


def test_a_hazard_dialog_opened_before_a_step_was_recorded_elsewhere_refuses_then_reloads(ctx, qtbot, other,
                                                                                          offered):
    from township_desk.ui.hazard_dialog import HazardDialog

    elder_id = zhang(ctx.db)
    hazard_id = hazards.open_hazard(ctx.db, elder_id, "2026-11-18", "燃气不安全", today=TODAY)
    dialog = HazardDialog(ctx, elder_id, hazard_id=hazard_id)
    qtbot.addWidget(dialog)
    hazards.record_supporter_told(other, hazard_id, "2026-11-19", today=TODAY)
    dialog.reported.set_value("2026-11-21")
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted and STALE in dialog.error.text()
    assert hazards.get_hazard(ctx.db, hazard_id)["reported_on"] is None
    offered.reload = True
    dialog.save()
    assert str(dialog.told.value()) == "2026-11-19" and not dialog.told.check.isEnabled()
    assert str(dialog.reported.value()) == "2026-11-21"                 # what the clerk entered is kept
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = hazards.get_hazard(ctx.db, hazard_id)
    assert (stored["supporter_told_on"], stored["reported_on"]) == ("2026-11-19", "2026-11-21")


def test_a_settings_form_shown_before_another_window_saved_refuses_then_reloads(ctx, qtbot, other, offered):
    from township_desk.ui.settings import SettingsPage

    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    basic = page.basic_tab
    settings.put(other, {"township_name": "青山乡"})
    basic.edits["township_name"].setText("青山镇")
    assert not basic.save()
    assert "未保存" in basic.result_label.text() and "乡镇（街道）名称" in offered[0]
    assert offered[0].startswith("这项设置在您打开之后已被修改")
    assert settings.get(ctx.db, "township_name") == "青山乡"
    offered.reload = True
    assert not basic.save()
    assert basic.edits["township_name"].text() == "青山乡" and "重新载入" in basic.result_label.text()
    basic.edits["preparer"].setText("李娟")
    assert basic.save()
    assert (settings.get(ctx.db, "township_name"), settings.get(ctx.db, "preparer")) == ("青山乡", "李娟")


def test_the_box_names_the_change_and_offers_reload_or_cancel(qtbot):
    from township_desk.models.errors import StaleRecord

    box, reload_button = stale.reload_box(None, StaleRecord(f"{STALE}（张德福，2026-11-22 10:00:00 导入），为免覆盖"))
    qtbot.addWidget(box)
    assert box.windowTitle() == "记录已被修改" and "张德福" in box.text() and "重新载入" in box.text()
    assert [b.text() for b in box.buttons()] == ["重新载入", "取消"] and box.defaultButton() is reload_button


# ------------------------------------------------------------------------------------------ campaigns, 续签, 附扫描件


def test_a_campaign_dialog_opened_before_a_change_refuses_then_reloads(ctx, qtbot, other, offered):
    from township_desk.models import campaigns
    from township_desk.ui.campaigns_tab import CampaignDialog

    terms = {"name": "2026年寒潮巡访", "kind": "极端天气", "start": "2026-11-20", "end": "2026-11-25"}
    campaign_id = campaigns.plan_campaign(ctx.db, elder_ids=[zhang(ctx.db)], **terms)
    dialog = CampaignDialog(ctx, campaign_id=campaign_id)
    qtbot.addWidget(dialog)
    campaigns.update_campaign(other, campaign_id, **terms, notes="加棉被、暖手宝")  # another window
    dialog.notes.setPlainText("送米面油")
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted and STALE in offered[0] and "2026年寒潮巡访" in offered[0]
    assert STALE in dialog.error.text()
    assert campaigns.get_campaign(ctx.db, campaign_id)["notes"] == "加棉被、暖手宝"
    assert dialog.notes.toPlainText() == "送米面油"                 # 取消: what was typed is still there

    offered.reload = True
    dialog.save()
    assert dialog.notes.toPlainText() == "加棉被、暖手宝" and "已重新载入" in dialog.error.text()
    dialog.notes.setPlainText("加棉被、暖手宝；送米面油")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert campaigns.get_campaign(ctx.db, campaign_id)["notes"] == "加棉被、暖手宝；送米面油"


def _signed_agreement_on_the_page(ctx, qtbot):
    from township_desk.ui.agreements_page import AgreementsPage

    data = {"elder_id": zhang(ctx.db), "template": "自理", "party_b_name": "李桂兰", "term_years": 1,
            "start_date": "2025-12-01", "hours_per_day": 4, "fee": "每月600元", "party_a_name": "张小明"}
    agreement_id = agreements.save_agreement(ctx.db, data, today=TODAY).agreement_id
    ctx.db.execute("UPDATE agreements SET status = '已签订', signed_on = '2025-11-30' WHERE id = ?", [agreement_id])
    page = AgreementsPage(ctx)
    qtbot.addWidget(page)
    follow_changes(ctx, page)
    page.refresh()
    page.select_agreement(agreement_id)
    return page, agreement_id


def test_renewing_an_agreement_changed_since_it_was_listed_is_refused_and_the_list_shows_the_change(
        ctx, qtbot, other, warnings, monkeypatch):
    from township_desk.ui import agreements_page

    page, agreement_id = _signed_agreement_on_the_page(ctx, qtbot)
    other.execute("UPDATE agreements SET fee = '每月800元' WHERE id = ?", [agreement_id])  # another program
    monkeypatch.setattr(agreements_page.DateDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(agreements_page.DateDialog, "date", lambda self: dt.date(2026, 12, 1))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    page.renew_selected()
    assert len(warnings) == 1 and STALE in warnings[0]
    assert ctx.db.execute("SELECT count(*) FROM agreements").fetchone()[0] == 1   # no draft of the old terms
    page.select_agreement(agreement_id)
    assert page.current()["fee"] == "每月800元"                  # the list was read again
    page.renew_selected()                                        # now the clerk renews what they see
    renewed = ctx.db.execute("SELECT fee FROM agreements WHERE renewed_from_id = ?", [agreement_id]).fetchall()
    assert renewed == [("每月800元",)] and len(warnings) == 1


def test_attaching_a_scan_to_an_agreement_changed_since_it_was_listed_is_refused_and_the_list_shows_the_change(
        ctx, qtbot, other, warnings, monkeypatch, tmp_path):
    from township_desk.ui import agreements_page

    page, agreement_id = _signed_agreement_on_the_page(ctx, qtbot)
    mine, theirs = tmp_path / "我的扫描件.pdf", tmp_path / "另一个窗口的扫描件.pdf"
    for scan in (mine, theirs):
        scan.write_bytes(b"%PDF-1.4 " + scan.name.encode())
    agreements.attach_scan(other, agreement_id, theirs)               # another window, meanwhile
    stored = agreements.get_agreement(ctx.db, agreement_id)["scan_path"]
    monkeypatch.setattr(agreements_page.QFileDialog, "getOpenFileName", lambda *a, **k: (str(mine), ""))
    page.attach_scan()
    assert len(warnings) == 1 and STALE in warnings[0]
    assert agreements.get_agreement(ctx.db, agreement_id)["scan_path"] == stored
    page.select_agreement(agreement_id)
    assert page.current()["scan_path"] == stored                 # the list was read again
    page.attach_scan()
    assert agreements.get_agreement(ctx.db, agreement_id)["scan_path"] != stored and len(warnings) == 1
