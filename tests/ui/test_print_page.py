"""The 打印 page: choosing kind and who fills the preview; writing runs in a worker and produces the .docx."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import VALID_IDS
from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from township_desk.models import elders, settings
from township_desk.printing import convert
from township_desk.ui import print_page
from township_desk.ui.context import AppContext
from township_desk.ui.print_page import PrintPage

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def page(qtbot, db, db_path, monkeypatch):
    settings.put(db, {"township_name": "青山镇"})
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "visitor": "王村官",
                           "visitor_phone": "13900002222"}, today=TODAY)
    elders.save_elder(db, {"name": "李桂兰", "id_number": VALID_IDS[1], "village": "青山村"}, today=TODAY)
    elders.save_elder(db, {"name": "陈老汉", "id_number": VALID_IDS[2], "village": "河口村"}, today=TODAY)
    monkeypatch.setattr(print_page, "ask_after_save", lambda *a, **k: None)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    widget = PrintPage(AppContext(db_path, db))
    qtbot.addWidget(widget)
    return widget


def preview(page) -> list[str]:
    return [page.pages.item(i).text() for i in range(page.pages.count())]


def test_preview_lists_a_village_and_counts(page):
    page.choose_kind("notice-cards")
    page.village.setCurrentIndex(page.village.findText("青山村"))
    assert preview(page) == ["青山村　张德福　告知卡", "青山村　李桂兰　告知卡"]
    assert page.summary.text() == "共 2 份告知卡"
    page.village.setCurrentIndex(0)
    assert len(preview(page)) == 3


def test_searching_one_elder_takes_them(page):
    page.choose_kind("registration")
    page.search.setText("李桂兰")
    assert preview(page) == ["青山村　李桂兰　登记表"]
    page.blank.setChecked(True)
    assert preview(page) == ["空白登记表"]


def test_options_follow_the_kind(page):
    page.show()
    page.choose_kind("roster")
    assert page.full_ids.isVisible() and not page.blank.isVisible() and not page.search.isVisible()
    assert preview(page) == ["青山村　花名册（2人）", "河口村　花名册（1人）"]
    page.choose_kind("agreement")
    assert page.agreements.isVisible() and page.copies.isVisible() and preview(page) == []
    assert not page.full_ids.isVisible()
    assert not page.write_button.isEnabled()


def test_pdf_button_disabled_with_a_reason_without_office(qtbot, db, db_path, monkeypatch):
    monkeypatch.setattr(convert, "pdf_available", lambda: False)
    widget = PrintPage(AppContext(db_path, db))
    qtbot.addWidget(widget)
    assert not widget.pdf_button.isEnabled()
    assert "LibreOffice" in widget.pdf_button.toolTip()


def test_writing_runs_in_a_worker_and_makes_the_file(page, qtbot, tmp_path):
    page.choose_kind("roster")
    page.village.setCurrentIndex(page.village.findText("青山村"))
    target = tmp_path / "花名册.docx"
    page.write(target)
    qtbot.waitUntil(lambda: page.last_file == target, timeout=20000)
    text = "\n".join(c.text for t in Document(str(target)).tables for r in t.rows for c in r.cells)
    assert "张德福" in text and "李桂兰" in text and "陈老汉" not in text
    assert page.open_button.isEnabled()
    assert page.summary.text().startswith("已生成 2 份")


def test_cancel_leaves_no_file(page, qtbot, tmp_path, monkeypatch):
    import time

    from township_desk.printing import kinds

    def slow(db, selection, target, items=None, progress=None, check_cancelled=None, problems=None):
        for _ in range(500):  # stands in for a long batch that checks for 取消 between documents
            check_cancelled()
            time.sleep(0.01)
        raise AssertionError("not cancelled")

    monkeypatch.setattr(kinds, "write", slow)
    page.choose_kind("notice-cards")
    target = tmp_path / "cards.docx"
    job = page.write(target)
    job.cancel()
    qtbot.waitUntil(lambda: "已取消" in page.summary.text(), timeout=10000)
    assert not target.exists() and page.last_file is None


def test_agreements_ending_this_month_are_ticked_and_printed(page, db, qtbot, tmp_path):
    from PySide6.QtCore import QDate

    from township_desk.models import agreements as ag

    elder = elders.find_by_id_number(db, VALID_IDS[0])
    for start, name in (("2026-03-01", "甲委托"), ("2026-05-01", "乙委托")):
        saved = ag.save_agreement(db, {
            "elder_id": elder["id"], "template": "自理", "party_a_name": name, "party_b_name": "李桂兰",
            "party_b_id_number": VALID_IDS[3], "party_b_phone": "13700003333", "party_b_address": "三组",
            "party_a_address": "成都", "term_years": 1, "start_date": start, "hours_from": "8", "hours_to": "12"},
            today=TODAY)
        ag.sign(db, saved.agreement_id, "2026-02-26", today=TODAY)
    page.choose_kind("agreement")
    assert page.agreements.items.count() == 2
    page.as_of.setDate(QDate(2027, 2, 10))
    page.month_button.click()
    assert len(preview(page)) == 1 and "张德福" in preview(page)[0]
    target = tmp_path / "agreements.docx"
    page.write(target)
    qtbot.waitUntil(lambda: page.last_file == target, timeout=20000)
    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "甲委托" in text and "乙委托" not in text


def test_notice_cards_say_who_was_left_out(page, qtbot, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    page.choose_kind("notice-cards")
    page.village.setCurrentIndex(page.village.findText("青山村"))
    target = tmp_path / "告知卡.docx"
    page.write(target)
    qtbot.waitUntil(lambda: page.last_file == target, timeout=20000)
    assert page.summary.text().startswith("已生成 1 份") and "李桂兰：还没有巡访责任人" in page.summary.text()
    assert warnings and "青山村　李桂兰：还没有巡访责任人，未打印告知卡" in warnings[0]


def test_each_kind_shows_only_its_own_options(page):
    from township_desk.printing import kinds

    page.show()
    for code, kind in kinds.KINDS.items():
        page.choose_kind(code)
        shown = {option for option, control in page.controls.items() if control.isVisible()}
        expected = kind.options - {"visit", "group"} - ({"elder"} if "agreements" in kind.options else set())
        assert shown == expected, code  # 巡访记录编号 is the command line's; agreements are ticked in their list
        assert page.title.text() == kind.label
        # the 对象类别 is offered to every kind that takes one; one that cannot says why in its place
        assert page.group.isVisible() == kind.uses("group") and page.group_row.isVisible(), code
        assert (page.group_note.text() == kind.no_group) if not kind.uses("group") else True


def test_select_all_and_none_in_a_village(page):
    page.show()
    page.choose_kind("registration")
    page.village.setCurrentIndex(page.village.findText("青山村"))
    assert page.elders.items.count() == 2 and len(preview(page)) == 2  # a village starts all ticked
    page.elders.none_button.click()
    assert preview(page) == [] and not page.write_button.isEnabled()
    page.elders.items.item(1).setCheckState(Qt.CheckState.Checked)
    assert preview(page) == ["青山村　李桂兰　登记表"] and page.summary.text() == "共 1 份登记表"
    page.elders.all_button.click()
    assert preview(page) == ["青山村　张德福　登记表", "青山村　李桂兰　登记表"]


def test_the_count_says_that_people_away_are_included(page, db):
    elder = elders.find_by_id_number(db, VALID_IDS[1])
    elders.change_status(db, elder["id"], "暂离", TODAY, "外出务工随子女")
    page.choose_kind("registration")
    page.refresh()
    assert page.summary.text() == "共 3 份登记表（在册 2 人，含暂离 1 人）"


def test_after_saving_the_file_opens_or_goes_to_the_printer(page, qtbot, tmp_path, monkeypatch):
    from township_desk.ui import widgets

    opened, printed = [], []
    monkeypatch.setattr(widgets, "open_in_system", lambda parent, path, **kw: opened.append(path) or True)
    monkeypatch.setattr(widgets, "print_in_system", lambda parent, path, **kw: printed.append(path) or True)
    monkeypatch.setattr(print_page, "ask_after_save", lambda parent, name, count: "open")
    page.choose_kind("roster")
    target = tmp_path / "花名册.docx"
    page.write(target)
    qtbot.waitUntil(lambda: page.last_file == target, timeout=20000)
    assert opened == [target] and printed == []
    monkeypatch.setattr(print_page, "ask_after_save", lambda parent, name, count: "print")
    second = tmp_path / "花名册2.docx"
    page.write(second)
    qtbot.waitUntil(lambda: page.last_file == second, timeout=20000)
    assert printed == [second] and opened == [target]
    page.print_button.click()
    assert printed == [second, second]


def test_print_uses_the_windows_print_verb_and_opens_elsewhere(page, tmp_path, monkeypatch):
    import os

    from township_desk.ui import widgets

    target = tmp_path / "a.docx"
    target.write_bytes(b"docx")
    calls = []
    monkeypatch.setattr(convert, "WINDOWS", True)
    monkeypatch.setattr(os, "startfile", lambda path, verb="open": calls.append((path, verb)), raising=False)
    assert widgets.print_in_system(page, target)
    assert calls == [(str(target), "print")]
    opened = []
    monkeypatch.setattr(convert, "WINDOWS", False)
    monkeypatch.setattr(widgets, "open_in_system", lambda parent, path, **kw: opened.append(path) or True)
    assert widgets.print_in_system(page, target) and opened == [target]


def test_agreements_in_four_copies_from_the_page(page, db, qtbot, tmp_path):
    from township_desk.models import agreements as ag

    elder = elders.find_by_id_number(db, VALID_IDS[0])
    saved = ag.save_agreement(db, {"elder_id": elder["id"], "template": "自理", "party_a_name": "张小明",
                                   "party_b_name": "李桂兰"}, today=TODAY)
    page.choose_kind("agreement")
    page.agreements.all_button.click()
    page.copies.setChecked(True)
    assert page.summary.text() == "共 1 份互助养老协议书，一式四份共 4 份"
    target = tmp_path / "协议.docx"
    page.write(target)
    qtbot.waitUntil(lambda: page.last_file == target, timeout=20000)
    headers = [s.header.paragraphs[0].text for s in Document(str(target)).sections]
    assert len(headers) == 4 and headers[1].endswith("第二份（乙方执）")
    assert f"第{saved.agreement_id}号" in headers[3]
