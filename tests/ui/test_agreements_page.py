"""The 互助协议 page and the agreement editor, driven with qtbot (modal dialogs monkeypatched)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QMessageBox

from tests.conftest import VALID_IDS, make_id
from tests.ui.after_save_answers import THREE_BUTTONS, answer_after_save, launches
from township_desk.models import agreements as ag
from township_desk.models import elders, villages
from township_desk.ui.pages import follow_changes

TODAY = dt.date(2026, 11, 22)
CARER_ID = make_id("19600101", 22)


@pytest.fixture
def ctx(db, db_path, qtbot):
    from township_desk.ui.context import AppContext

    villages.save_village(db, {"name": "青山村", "committee": "青山村村民委员会", "staff_name": "王主任"})
    villages.save_village(db, {"name": "白鹤村", "committee": "白鹤村村民委员会", "staff_name": "赵会计"})
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村",
                           "current_address": "青山村三组12号", "ability_level": 3},
                      [{"name": "张小明", "relation": "儿子", "phone": "13900002222"}], today=TODAY)
    elders.save_elder(db, {"name": "刘秀英", "id_number": VALID_IDS[1], "village": "白鹤村"},
                      [{"name": "刘强", "relation": "儿子"}], today=TODAY)
    return AppContext(db_path, db=db, today=TODAY)


def elder_id(db, name):
    return db.execute("SELECT id FROM elders WHERE name = ?", [name]).fetchone()[0]


def add(db, name, start, signed=True, template=None):
    eid = elder_id(db, name)
    if template is None:  # the text that fits the elder: 张德福 (重度失能) needs 介助介护
        level = db.execute("SELECT ability_level FROM elders WHERE id = ?", [eid]).fetchone()[0]
        template = "介助介护" if (level or 0) >= 2 else "自理"
    supporter = elders.supporters_of(db, eid)[0]["id"]
    agreement_id = ag.save_agreement(db, {"elder_id": eid, "template": template, "party_a_supporter_id": supporter,
                                          "party_b_name": "李桂兰", "party_b_id_number": CARER_ID, "term_years": 1,
                                          "start_date": start, "hours_per_day": 4}, today=TODAY).agreement_id
    if signed:
        ag.sign(db, agreement_id, start if start <= TODAY.isoformat() else TODAY, today=TODAY)
    return agreement_id


def shown(page, column="id"):
    from township_desk.ui.agreements_page import COLUMNS

    col = [k for k, _h in COLUMNS].index(column)
    return [page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())]


@pytest.fixture
def page(ctx, qtbot):
    from township_desk.ui.agreements_page import AgreementsPage

    widget = AgreementsPage(ctx)
    qtbot.addWidget(widget)
    follow_changes(ctx, widget)  # standing alone: follows what is announced, as the main window makes it
    return widget


def test_filters_status_village_and_ending_within_30_days(ctx, qtbot):
    from township_desk.ui.agreements_page import AgreementsPage

    soon = add(ctx.db, "张德福", "2025-12-15")            # ends 2026-12-14
    later = add(ctx.db, "刘秀英", "2026-06-01")           # ends 2027-05-31
    past = add(ctx.db, "刘秀英", "2025-01-01")            # ended 2025-12-31: expires when the page loads
    draft = add(ctx.db, "张德福", "2026-12-20", signed=False)
    page = AgreementsPage(ctx)
    qtbot.addWidget(page)
    assert sorted(int(x) for x in shown(page)) == sorted([soon, later, past, draft])
    assert ag.get_agreement(ctx.db, past)["status"] == "已到期"

    page.apply_filters({"ending_within_days": 30})
    assert shown(page) == [str(soon)] and page.ending_check.isChecked()
    assert shown(page, "status") == ["已签订（即将到期）"]

    page.apply_filters({"village": "白鹤村"})
    assert sorted(shown(page, "elder_name")) == ["刘秀英", "刘秀英"] and not page.ending_check.isChecked()
    page.apply_filters({})
    page.status_combo.setCurrentText("草稿")
    assert shown(page) == [str(draft)]
    assert page.count_label.text() == "共 1 份"


def test_create_an_agreement_in_the_editor_and_sign_it(page, monkeypatch, qtbot):
    from township_desk.ui import agreement_editor
    from township_desk.ui.widgets import qdate

    seen = {}

    def fill_and_save(dialog):
        dialog.elder_search.setText("张德福")
        assert dialog.fields["template"].currentText() == "介助介护"  # ability level 3
        assert dialog.fields["party_a_name"].text() == "张小明"       # first supporter copied
        assert dialog.fields["committee_staff"].text() == "王主任"
        dialog.fields["party_b_name"].setText("李桂兰")
        dialog.fields["party_b_id_number"].setText(CARER_ID[:-1] + ("0" if CARER_ID[-1] != "0" else "1"))
        dialog.validate()
        seen["error"] = dialog.problems_label.text()
        seen["save_enabled"] = dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
        dialog.fields["party_b_id_number"].setText(CARER_ID)
        dialog.fields["party_b_address"].setText("青山村三组10号 & <东头>")
        dialog.fields["hours_from"].setText("8")
        dialog.fields["hours_to"].setText("12")
        dialog.fields["fee"].setText("每月800元")
        dialog.fields["start_date"].setDate(qdate("2026-12-01"))
        qtbot.waitUntil(lambda: dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled())
        assert "校验不通过" not in dialog.problems_label.text()
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(agreement_editor.AgreementEditor, "exec", fill_and_save)
    new_id = page.new_agreement()
    assert "乙方身份证号码" in seen["error"] and "校验不通过" in seen["error"] and not seen["save_enabled"]
    record = ag.get_agreement(page.ctx.db, new_id)
    assert (record["status"], record["template"], record["party_b_address"], record["end_date"]) == \
        ("草稿", "介助介护", "青山村三组10号 & <东头>", "2027-11-30")
    assert shown(page) == [str(new_id)] and page.current()["id"] == new_id
    assert page.buttons["sign"].isEnabled() and not page.buttons["terminate"].isEnabled()

    monkeypatch.setattr(agreement_editor.DateDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(agreement_editor.DateDialog, "date", lambda self: dt.date(2026, 11, 20))
    page.sign_selected()
    assert ag.get_agreement(page.ctx.db, new_id)["signed_on"] == "2026-11-20"
    assert shown(page, "status") == ["已签订"]
    assert page.buttons["terminate"].isEnabled() and page.buttons["edit"].text() == "查看"


def test_signed_agreement_opens_read_only(page, qtbot):
    from township_desk.ui.agreement_editor import AgreementEditor

    agreement_id = add(page.ctx.db, "张德福", "2026-03-01")
    dialog = AgreementEditor(page.ctx.db, agreement_id, today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.read_only and not dialog.fields["party_b_name"].isEnabled()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isHidden()
    assert dialog.fields["party_b_name"].text() == "李桂兰"


def test_termination_without_notice_is_refused_with_the_rule(page, monkeypatch):
    from township_desk.ui import agreement_editor

    agreement_id = add(page.ctx.db, "张德福", "2026-03-01")
    page.refresh()
    page.select_agreement(agreement_id)
    monkeypatch.setattr(agreement_editor.TerminateDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(agreement_editor.TerminateDialog, "values", lambda self: {
        "notice_only": False, "on": TODAY, "by": "乙方", "reason": "家中有事", "for_cause": False, "notice_on": None})
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    page.terminate_selected()
    assert warnings and "应提前 15 日通知对方" in warnings[0]
    assert ag.get_agreement(page.ctx.db, agreement_id)["status"] == "已签订"


def copy_headers(path):
    from docx import Document

    return [s.header.paragraphs[0].text for s in Document(str(path)).sections]


def test_print_selected_writes_four_copies_and_offers_open_or_print(page, qtbot, monkeypatch, tmp_path):
    from docx import Document

    agreement_id = add(page.ctx.db, "张德福", "2026-03-01", template="介助介护")
    page.refresh()
    page.select_agreement(agreement_id)
    assert page.copies_check.isChecked()  # a signed agreement: 本协议一式四份
    target = tmp_path / "协议"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Word 文档 (*.docx)"))
    opened, printed = launches(monkeypatch)
    seen = []
    answer_after_save("打印", seen)
    page.print_selected()
    written = tmp_path / "协议.docx"
    assert seen == [("打印协议", "已生成 协议.docx（4 份）。", "现在打开查看，或直接送到打印机？", THREE_BUTTONS)]
    assert printed == [str(written)] and opened == []
    assert copy_headers(written) == [f"协议编号：第{agreement_id}号　一式四份　{copy}" for copy in (
        "第一份（甲方执）", "第二份（乙方执）", "第三份（被助养老人执）", "第四份（村委会执）")]
    text = "\n".join(p.text for p in Document(str(written)).paragraphs)
    assert "被助养老人（留守老人）：张德福" in text and "(1) 督促和帮助老人保持个人整洁" in text  # the 介助介护 text

    page.copies_check.setChecked(False)  # the clerk's choice: one copy, then 打开
    answer_after_save("打开", seen)
    page.print_selected()
    assert seen[-1][1] == "已生成 协议.docx（1 份）。" and opened == [str(written)] and printed == [str(written)]
    assert len(copy_headers(written)) == 1


def test_an_ended_agreement_prints_once_by_default(page, db):
    ended = add(db, "张德福", "2026-03-01")
    draft = add(db, "刘秀英", "2026-12-20", signed=False)
    db.execute("UPDATE agreements SET status = '已解除' WHERE id = ?", [ended])
    page.refresh()
    page.select_agreement(ended)
    assert not page.copies_check.isChecked() and page.copies_check.isEnabled()
    page.select_agreement(draft)  # a draft goes to be signed: 一式四份
    assert page.copies_check.isChecked()
    page.view.clearSelection()
    assert not page.copies_check.isEnabled()


def test_table_model_keeps_the_qt_contract(page, qtmodeltester):
    add(page.ctx.db, "张德福", "2025-12-15")
    add(page.ctx.db, "刘秀英", "2026-12-20", signed=False)
    page.refresh()
    qtmodeltester.check(page.model, force_py=True)


def test_renew_and_attach_a_scan_from_the_page(page, monkeypatch, tmp_path, private_data_dir):
    from township_desk.ui import agreement_editor

    old = add(page.ctx.db, "张德福", "2025-12-15")            # ends 2026-12-14
    page.apply_filters({"ending_within_days": 30})
    page.select_agreement(old)
    assert page.buttons["renew"].isEnabled()
    monkeypatch.setattr(agreement_editor.DateDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    infos = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: infos.append(args[2]))
    page.renew_selected()
    new = ag.get_agreement(page.ctx.db, old + 1)
    assert (new["renewed_from_id"], new["status"], new["start_date"]) == (old, "草稿", "2026-12-15")
    assert infos and f"第 {new['id']} 号协议草稿" in infos[0]
    assert not page.ending_check.isChecked() and page.current()["id"] == new["id"]

    scan = tmp_path / "签字页.jpg"
    scan.write_bytes(b"\xff\xd8\xff jpeg")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(scan), ""))
    page.attach_scan()
    stored = ag.get_agreement(page.ctx.db, new["id"])["scan_path"]
    assert (private_data_dir / stored).read_bytes() == b"\xff\xd8\xff jpeg"
    assert shown(page, "scan")[[int(x) for x in shown(page)].index(new["id"])] == "有"
    assert page.open_scan_button.isEnabled()


def test_batch_print_says_where_it_saved_and_closes_its_progress_dialog(page, db, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    for name in ("张德福", "刘秀英"):
        add(db, name, "2026-01-01")
    page.refresh()
    page.view.selectAll()
    target = tmp_path / "协议.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    seen = []
    answer_after_save("关闭", seen)
    assert page.copies_check.isChecked()

    page.print_selected()

    qtbot.waitUntil(lambda: bool(seen), timeout=10000)  # never arrived while jobs.py queued it to the worker
    assert seen[0][:2] == ("打印协议", "已生成 协议.docx（8 份）。")
    assert target.exists() and len(copy_headers(target)) == 8
    qtbot.wait(50)
    assert not [d for d in page.findChildren(QProgressDialog) if d.isVisible()]


def test_a_scan_path_leading_out_of_the_data_folder_is_refused_not_launched(page, monkeypatch):
    from township_desk.ui import agreements_page

    agreement = add(page.ctx.db, "张德福", "2026-01-01")
    page.ctx.db.execute("UPDATE agreements SET scan_path = '../../../../etc/passwd' WHERE id = ?", [agreement])
    page.refresh()
    page.select_agreement(agreement)
    launched, warned = [], []
    monkeypatch.setattr(agreements_page, "open_in_system", lambda *args, **kw: launched.append(args))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warned.append(args[2]))
    page.open_scan()
    assert launched == [] and len(warned) == 1
    assert warned[0].startswith("扫描件路径“../../../../etc/passwd”指向数据文件夹") and "已拒绝打开" in warned[0]
