"""老人档案, 快速登记电话/视频 and 导出到 Excel, driven with qtbot on a real database file (modal dialogs
monkeypatched): the file opens from every list of elders, five calls are logged at once, a list is exported and
read back."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from tests.conftest import VALID_IDS, make_id
from tests.ui.after_save_answers import THREE_BUTTONS, answer_after_save, launches
from township_desk.models import agreements, elders, hazards, schedule, villages, visitors, visits

TODAY = dt.date(2026, 11, 18)  # a Wednesday: last week is 11-09 to 11-15


@pytest.fixture
def ctx(db, db_path, qtbot):
    """Five 重点 elders of 青山村 visited by 王村官 (a long ID region, none visited: all overdue and short of calls);
    张德福 has a home visit (one voided call), a hazard and a draft agreement."""
    from township_desk.ui.context import AppContext

    villages.save_village(db, {"name": "青山村", "committee": "青山村村民委员会", "staff_name": "王主任"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    names = ["张德福", "李桂兰", "王大山", "刘秀英", "周玉珍"]
    numbers = [VALID_IDS[0], VALID_IDS[1], make_id("19500101", 31), VALID_IDS[3], make_id("19550505", 22)]
    for name, number in zip(names, numbers, strict=True):
        elders.save_elder(db, {"name": name, "id_number": number, "village": "青山村", "tier": "重点",
                               "visitor": "王村官", "entered_on": "2026-01-05", "phone": "13800001111"},
                          [{"name": f"{name[0]}小明", "relation": "儿子", "phone": "13700003333"}], today=TODAY)
    zhang = 1
    home = visits.record_visit(db, zhang, {"date": "2026-10-01", "mode": "上门", "visitor_id": 1,
                                           "gas_safety": "不安全"}, today=TODAY)
    wrong = visits.record_visit(db, zhang, {"date": "2026-10-02", "mode": "电话", "visitor_id": 1}, today=TODAY)
    visits.void_visit(db, wrong, "登记错了老人", "李敏")
    hazards.open_hazard(db, zhang, "2026-10-01", "燃气不安全", visit_id=home, today=TODAY)
    supporter = elders.supporters_of(db, zhang)[0]["id"]
    agreements.save_agreement(db, {"elder_id": zhang, "template": "自理", "party_a_supporter_id": supporter,
                                   "party_b_name": "邻居王五"}, today=TODAY)
    return AppContext(db_path, db=db, today=TODAY)


def row_pos(view, row: int = 0) -> QPoint:
    view.resize(900, 400)
    view.show()
    return view.visualRect(view.model().index(row, 0)).center()


def trigger(menu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text().startswith(text))
    assert action.isEnabled(), text
    action.trigger()


@pytest.fixture
def opened(monkeypatch):
    """The elder files opened (by elder id) instead of showing them."""
    from township_desk.ui import elder_file

    seen: list[int] = []
    monkeypatch.setattr(elder_file.ElderFileDialog, "exec", lambda self: seen.append(self.elder_id) or 0)
    return seen


# ---------------------------------------------------------------- 老人档案 from every list


def test_the_file_opens_from_every_list_of_elders(ctx, qtbot, opened, monkeypatch):
    from township_desk.ui.agreements_page import AgreementsPage
    from township_desk.ui.ledger_page import LedgerPage
    from township_desk.ui.risk_page import RiskPage
    from township_desk.ui.visits_page import VisitsPage

    ledger = LedgerPage(ctx)
    visits_page = VisitsPage(ctx)
    risk_page = RiskPage(ctx)
    agreements_page = AgreementsPage(ctx)
    for widget in (ledger, visits_page, risk_page, agreements_page):
        qtbot.addWidget(widget)
    visits_page.history.show_elder(1)
    visits_page.hazards.refresh()
    visits_page.unvisited.refresh()
    visits_page.workload.refresh()
    visits_page.workload.table.selectRow(0)
    risk_page.load_due()
    lists = {"台账": ledger.view, "逾期清单": visits_page.overdue.table, "本月未上门": visits_page.unvisited.table,
             "巡访记录": visits_page.history.table, "工作量": visits_page.workload.elder_table,
             "风险隐患": visits_page.hazards.table, "待评估": risk_page.due_view, "互助协议": agreements_page.view}
    for name, view in lists.items():
        assert view.model().rowCount() > 0, name
        before = len(opened)
        row = view.model().row(0)
        expected = row.get("elder_id", row.get("id")) if name not in ("台账", "工作量") else row["id"]
        trigger(view.elder_menu.menu(row_pos(view)), "打开老人档案")
        assert opened[before:] == [expected], name
    # where a double-click means nothing else (the visitor's elders), it opens the file too
    view = visits_page.workload.elder_table
    view.doubleClicked.emit(view.model().index(0, 0))
    assert opened[-1] == view.model().row(0)["id"]


def test_the_file_shows_the_record_and_the_timeline_newest_first(ctx, qtbot):
    from township_desk.ui.elder_file import ElderFileDialog

    dialog = ElderFileDialog(ctx, 1, today=TODAY)
    qtbot.addWidget(dialog)
    assert "张德福" in dialog.header.text() and "青山村" in dialog.header.text()
    assert dialog.record_labels["id_number"].text() == VALID_IDS[0]
    assert dialog.record_labels["visitor"].text() == "王村官　13900002222"
    assert "张小明　儿子　13700003333" in dialog.record_labels["supporters"].text()
    kinds = [(e.date, e.kind) for e in dialog.shown_events()]
    assert kinds[-1] == ("2026-01-05", "纳入台账")
    voided = next(e for e in dialog.shown_events() if e.voided)
    assert "已作废" in voided.title and dialog.model.data(
        dialog.model.index(dialog.shown_events().index(voided), 0), Qt.ItemDataRole.ForegroundRole).name() == "#8a8a8a"
    assert "巡访 1 次（上门 1 次）" in dialog.summary.text() and "已作废 1 条" in dialog.summary.text()
    assert "未处置隐患 1 项" in dialog.summary.text()
    dialog.kind_filter.setCurrentText("风险隐患")
    assert [e.kind for e in dialog.shown_events()] == ["风险隐患"]


def test_unassigned_visitor_reads_未指定(ctx, qtbot, db):
    from township_desk.ui.elder_file import ElderFileDialog

    orphan = elders.save_elder(db, {"name": "孙无人", "id_number": make_id("19480101", 21), "village": "青山村",
                                    "entered_on": "2026-01-05"}, today=TODAY).elder_id
    dialog = ElderFileDialog(ctx, orphan, today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.record_labels["visitor"].text() == "未指定"


def test_print_registration_from_the_file_writes_the_elders_form(ctx, qtbot, tmp_path, monkeypatch):
    from docx import Document

    from township_desk.ui.elder_file import ElderFileDialog

    dialog = ElderFileDialog(ctx, 1, today=TODAY)
    qtbot.addWidget(dialog)
    target = tmp_path / "登记表 张德福.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    opened, printed = launches(monkeypatch)
    seen = []
    answer_after_save("打开", seen)
    dialog.buttons["print"].click()
    text = "\n".join(cell.text for table in Document(str(target)).tables for row in table.rows for cell in row.cells)
    assert "张德福" in text and VALID_IDS[0] in text
    assert seen == [("打印登记表", "已生成 登记表 张德福.docx（1 份）。", "现在打开查看，或直接送到打印机？",
                     THREE_BUTTONS)]
    assert opened == [str(target)] and printed == []


def test_a_visit_and_an_agreement_print_from_the_timeline(ctx, qtbot, tmp_path, monkeypatch):
    from docx import Document

    from township_desk.ui.elder_file import ElderFileDialog

    dialog = ElderFileDialog(ctx, 1, today=TODAY)
    qtbot.addWidget(dialog)
    kinds = [e.table for e in dialog.shown_events()]
    assert not dialog.buttons["print_event"].isEnabled()  # nothing chosen yet
    hazard = kinds.index("hazards")
    dialog.table.selectRow(hazard)
    assert not dialog.buttons["print_event"].isEnabled()
    assert [a.text() for a in dialog.timeline_menu(hazard).actions()] == ["打开"]

    voided = next(n for n, e in enumerate(dialog.shown_events()) if e.table == "visits" and e.voided)
    dialog.table.selectRow(voided)  # a voided visit is never printed
    assert not dialog.buttons["print_event"].isEnabled()
    assert [a.text() for a in dialog.timeline_menu(voided).actions()] == ["打开"]
    home = next(n for n, e in enumerate(dialog.shown_events()) if e.table == "visits" and not e.voided)
    dialog.table.selectRow(home)
    assert dialog.buttons["print_event"].text() == "打印巡访记录" and dialog.buttons["print_event"].isEnabled()
    target = tmp_path / "巡访记录.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    opened, printed = launches(monkeypatch)
    seen = []
    answer_after_save("打印", seen)
    dialog.buttons["print_event"].click()
    assert seen[0][:2] == ("打印巡访记录", "已生成 巡访记录.docx（1 份）。") and printed == [str(target)]
    text = "\n".join(cell.text for table in Document(str(target)).tables for row in table.rows for cell in row.cells)
    assert "张德福" in text and "2026" in text

    draft = kinds.index("agreements")
    menu = dialog.timeline_menu(draft)
    assert [a.text() for a in menu.actions()] == ["打开", "打印协议…"]
    paper = tmp_path / "协议.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(paper), ""))
    answer_after_save("关闭", seen)
    trigger(menu, "打印协议")
    assert seen[1][:2] == ("打印协议", "已生成 协议.docx（4 份）。") and opened == [] and printed == [str(target)]
    headers = [s.header.paragraphs[0].text for s in Document(str(paper)).sections]  # a draft to sign: 一式四份
    assert len(headers) == 4 and headers[0].endswith("第一份（甲方执）")


def test_actions_of_the_file_open_the_existing_dialogs(ctx, qtbot, monkeypatch):
    from township_desk.ui import agreement_editor, visit_dialog
    from township_desk.ui.elder_file import ElderFileDialog

    seen = []
    monkeypatch.setattr(visit_dialog.VisitDialog, "exec", lambda self: seen.append(("visit", self.elder_id)) or 0)
    monkeypatch.setattr(agreement_editor.AgreementEditor, "exec", lambda self: seen.append(("agreement", None)) or 0)
    navigated = []
    ctx.navigate_requested.connect(lambda title, filters: navigated.append((title, filters)))
    dialog = ElderFileDialog(ctx, 2, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.buttons["visit"].click()
    dialog.buttons["agreement"].click()
    dialog.buttons["assess"].click()
    assert seen[0] == ("visit", 2) and seen[1][0] == "agreement"
    assert navigated == [("风险评估", {"elder_id": 2})]
    assert dialog.result() == QDialog.DialogCode.Accepted


# ---------------------------------------------------------------- 快速登记电话/视频


def test_five_calls_are_logged_at_once_and_the_weeks_progress_shows_them(ctx, qtbot, db):
    from township_desk.ui.contact_log import ContactLogDialog

    dialog = ContactLogDialog(ctx, [], today=TODAY)
    qtbot.addWidget(dialog)
    assert set(dialog.progress_texts().values()) == {"0/2"}
    dialog._tick_all(True)
    assert dialog.save_button.text() == "保存（5 人）"
    dialog.note.setText("都说身体好")
    assert dialog.save()
    assert db.execute("SELECT COUNT(*) FROM live_visits WHERE mode = '电话' AND date = ?",
                      [TODAY.isoformat()]).fetchone()[0] == 5
    assert set(dialog.progress_texts().values()) == {"1/2"}
    assert "已登记 5 人的电话巡访" in dialog.message.text()
    assert dialog.save_button.isEnabled() is False  # nothing ticked for the next batch yet
    dialog.close_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_call_not_answered_and_a_problem_heard(ctx, qtbot, db):
    from township_desk.ui.contact_log import ContactLogDialog

    dialog = ContactLogDialog(ctx, [2, 3], today=TODAY)
    qtbot.addWidget(dialog)
    assert list(dialog.progress_texts()) == ["李桂兰", "王大山"]  # only the elders it was opened for
    dialog.not_reached.setChecked(True)
    dialog.has_problem.setChecked(True)
    dialog.problem.setText("多日联系不上")
    assert dialog.save()
    assert db.execute("SELECT COUNT(*) FROM visits WHERE elder_id IN (2, 3)").fetchone()[0] == 0
    assert {h["description"] for h in hazards.hazards_of_elder(db, 2)} == {"多日联系不上"}
    assert "已记录 2 人未接通" in dialog.message.text()


def test_a_refusal_is_shown_and_nothing_is_saved(ctx, qtbot, db, monkeypatch):
    from township_desk.ui.contact_log import ContactLogDialog

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    dialog = ContactLogDialog(ctx, [2], today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.save()
    assert not dialog.save()  # nothing ticked any more
    assert "请先勾选" in warnings[-1]
    dialog.tick([2])
    assert not dialog.save()
    assert "已经登记过" in warnings[-1]


def test_logging_a_call_on_a_shortfall_row_offers_last_weeks_date_and_clears_it(ctx, qtbot, db, monkeypatch):
    from township_desk.ui import contact_log
    from township_desk.ui.visits_page import VisitsPage

    page = VisitsPage(ctx)
    qtbot.addWidget(page)
    page.overdue.set_filters(kind="remote")
    names = [r["name"] for r in page.overdue.model.rows]
    row = names.index("李桂兰")
    assert page.overdue.model.rows[row]["week_text"] == "0/2"
    seen = {}

    def call_made_last_week(dialog):
        seen["note"] = dialog.date_note.text()
        dialog.week_button.click()   # the call was made on Sunday of the short week
        seen["date"] = dialog.date.date().toPython()
        dialog.save()
        dialog.tick([2])
        dialog.date.setDate(dialog.date.date().addDays(3))  # and one today
        dialog.save()
        dialog.reject()
        return dialog.result()

    monkeypatch.setattr(contact_log.ContactLogDialog, "exec", call_made_last_week)
    page.overdue.table.selectRow(row)
    page.overdue.record_visit()
    assert "上周（2026-11-09 至 2026-11-15）的不足只能由日期在该周内的联系补上" in seen["note"]
    assert seen["date"] == dt.date(2026, 11, 15)
    after = {r["name"]: r for r in page.overdue.model.rows}
    assert after["李桂兰"]["shortfall"] == 1 and after["李桂兰"]["week_text"] == "1/2"
    assert schedule.week_progress(db, TODAY, [2])[2].text == "1/2"


def test_the_visits_page_button_opens_the_contact_log_for_the_selected_elder(ctx, qtbot, monkeypatch):
    from township_desk.ui import contact_log
    from township_desk.ui.visits_page import VisitsPage

    page = VisitsPage(ctx)
    qtbot.addWidget(page)
    seen = []
    monkeypatch.setattr(contact_log.ContactLogDialog, "exec", lambda self: seen.append(sorted(self.ticked)) or 0)
    page.overdue.table.selectRow(0)
    page.contact_button.click()
    assert seen == [[page.overdue.model.rows[0]["elder_id"]]]


# ---------------------------------------------------------------- 导出到 Excel


def exported(qtbot, job):
    """The file an export wrote, once its background job has finished."""
    assert job is not None
    qtbot.waitUntil(lambda: job.path is not None, timeout=20000)
    return job.path


def test_the_ledger_exports_the_rows_shown_with_the_filter_in_the_title(ctx, qtbot, tmp_path):
    from openpyxl import load_workbook

    from township_desk.ui.ledger_page import LedgerPage

    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    page.search.setText("=1+1")  # text that must never become a formula, in the title
    page.requery()
    page.search.setText("")
    page.tier_combo.setCurrentText("重点")
    target = exported(qtbot, page.view.elder_menu.export(target=tmp_path / "台账.xlsx"))
    ws = load_workbook(target).active
    assert ws["A1"].value.startswith("台账（重点，在册）　共 5 行")
    assert [c.value for c in ws[2]][:4] == ["姓名", "性别", "年龄", "身份证号码"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 5
    assert {r[3] for r in rows} == {e["id_number"] for e in elders.list_elders(ctx.db)}
    assert all(isinstance(r[3], str) and len(r[3]) == 18 for r in rows)   # IDs as text, all 18 characters
    assert all(isinstance(r[2], int) for r in rows)                        # ages as numbers


def test_a_note_typed_as_a_formula_stays_text_in_the_export(ctx, qtbot, tmp_path, db):
    from openpyxl import load_workbook

    from township_desk.ui.visits_page import VisitsPage

    hazards.open_hazard(db, 2, "2026-11-17", "=HYPERLINK(\"http://x\")", today=TODAY)
    page = VisitsPage(ctx)
    qtbot.addWidget(page)
    page.apply_filters({"view": "hazards"})
    target = exported(qtbot, page.hazards.table.elder_menu.export(target=tmp_path / "隐患.xlsx"))
    ws = load_workbook(target).active
    assert ws["A1"].value.startswith("风险隐患（未处置）")
    cells = [c for row in ws.iter_rows(min_row=3) for c in row if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("where", ["overdue", "unvisited", "workload", "agreements"])
def test_every_list_offers_export_and_writes_what_it_shows(ctx, qtbot, tmp_path, where):
    from openpyxl import load_workbook

    from township_desk.ui.agreements_page import AgreementsPage
    from township_desk.ui.list_export import export_model
    from township_desk.ui.visits_page import VisitsPage

    if where == "agreements":
        page = AgreementsPage(ctx)
        view = page.view
    else:
        page = VisitsPage(ctx)
        page.apply_filters({"view": where})
        view = getattr(page, where).table
    qtbot.addWidget(page)
    menu = view.elder_menu.menu(row_pos(view)) if hasattr(view, "elder_menu") else view.export_menu(row_pos(view))
    assert any(a.text() == "导出到 Excel…" and a.isEnabled() for a in menu.actions())
    title = view.elder_menu.export_title() if hasattr(view, "elder_menu") else "工作量"
    target = exported(qtbot, export_model(None, view.model(), title, ctx.db_path, target=tmp_path / f"{where}.xlsx"))
    ws = load_workbook(target).active
    model = view.model()
    assert ws.max_row - 2 == model.rowCount()
    assert [c.value for c in ws[2]] == [model.headerData(c, Qt.Orientation.Horizontal)
                                       for c in range(model.columnCount())]


# ---------------------------------------------------------------- 台账: age both ways, 未指定


def test_the_ledger_sorts_by_age_both_ways_and_says_who_has_no_visitor(ctx, qtbot, db):
    from township_desk.ui.ledger_page import COLUMNS, LedgerPage

    elders.save_elder(db, {"name": "孙无人", "id_number": make_id("19300101", 21), "village": "青山村",
                           "entered_on": "2026-01-05"}, today=TODAY)
    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    age = [k for k, _h in COLUMNS].index("age")
    visitor = [k for k, _h in COLUMNS].index("visitor")
    page.view.sortByColumn(age, Qt.SortOrder.AscendingOrder)
    ages = [int(page.model.data(page.model.index(r, age))) for r in range(page.model.rowCount())]
    assert ages == sorted(ages) and ages[-1] == 96
    page.view.sortByColumn(age, Qt.SortOrder.DescendingOrder)
    ages = [int(page.model.data(page.model.index(r, age))) for r in range(page.model.rowCount())]
    assert ages == sorted(ages, reverse=True) and ages[0] == 96
    assert page.model.data(page.model.index(0, visitor)) == "未指定"


def test_a_new_elder_form_is_not_orange_before_anything_is_typed(ctx, qtbot):
    from township_desk.ui.elder_editor import ELIGIBILITY_PENDING, ElderEditor

    editor = ElderEditor(ctx, None)
    qtbot.addWidget(editor)
    assert ELIGIBILITY_PENDING in editor.eligibility_label.text()
    assert "不符合" not in editor.eligibility_label.text()
    editor.set_value("id_number", make_id("19300101", 21))
    editor.validate()
    assert ELIGIBILITY_PENDING not in editor.eligibility_label.text()
    assert "认定条件" in editor.eligibility_label.text()


def test_the_ledger_export_holds_the_rows_not_scrolled_to_yet(ctx, qtbot, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from township_desk.ui import ledger_page

    monkeypatch.setattr(ledger_page, "PAGE", 2)  # the list holds 2 rows until scrolled
    page = ledger_page.LedgerPage(ctx)
    qtbot.addWidget(page)
    page.model.load(page.current_query(), at_least=2)
    assert page.model.rowCount() == 2 and page.model.canFetchMore()
    ws = load_workbook(exported(qtbot, page.view.elder_menu.export(target=tmp_path / "台账.xlsx"))).active
    assert ws.max_row - 2 == 5 and "共 5 行" in ws["A1"].value


def test_the_file_opens_from_a_campaigns_list_and_the_list_exports(ctx, qtbot, opened, tmp_path):
    from openpyxl import load_workbook

    from township_desk.models import campaigns
    from township_desk.ui.campaigns_tab import CampaignsTab

    campaign = campaigns.plan_campaign(ctx.db, name="2026年寒潮巡访", kind="极端天气", start="2026-11-16",
                                       end="2026-11-18", elder_ids=[2, 3])
    tab = CampaignsTab(ctx)
    qtbot.addWidget(tab)
    tab.refresh()
    tab.select_campaign(campaign)
    view = tab.elder_table
    trigger(view.elder_menu.menu(row_pos(view)), "打开老人档案")
    assert opened == [view.model().row(0)["elder_id"]]
    ws = load_workbook(exported(qtbot, view.elder_menu.export(target=tmp_path / "寒潮.xlsx"))).active
    assert ws["A1"].value.startswith("2026年寒潮巡访　共 2 行")
