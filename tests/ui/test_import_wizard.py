"""The import wizard driven with qtbot on a small workbook: read, preview with problems, import, result."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from conftest import make_id
from PySide6.QtWidgets import QMessageBox

from township_desk.models import db as dbm
from township_desk.models import elders

ID_A = make_id("19450312", 1)
ID_B = make_id("19520708", 2)
ID_C = make_id("19381125", 3)


@pytest.fixture
def ctx(db_path):
    from township_desk.ui.context import AppContext

    context = AppContext(db_path)
    yield context
    context.db.close()


@pytest.fixture
def messages(monkeypatch):
    shown = []
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(lambda parent, title, text, *a, _k=kind, **kw:
                                                            shown.append((_k, text))))
    return shown


def workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "青山村"
    ws.append(["青山村留守老年人台账"])
    ws.append(["姓名", "身份证号码", "联系电话", "备注"])
    ws.append(["张德福", ID_A, "13900139000", None])
    ws.append(["李秀英", int(ID_B[:15] + "000"), None, None])  # Excel lost the last digits
    ws.append(["王贵", ID_C, "12345", "电话待核"])               # imported with a warning
    ws.append(["合计", "3人"])
    wb.create_sheet("填表说明").append(["身份证号码请设为文本格式"])
    wb.save(path)
    return path


def test_wizard_reads_previews_imports_and_shows_the_result(qtbot, ctx, tmp_path, messages):
    from township_desk.ui.import_wizard import ImportWizard

    elders.save_elder(ctx.db, {"name": "张德福", "id_number": ID_A, "village": "青山村", "phone": "13800138000"},
                      today=dt.date.today())
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    changed = []
    ctx.data_changed.connect(changed.append)

    wizard.choose_page.path_edit.setText(str(workbook(tmp_path / "台账.xlsx")))
    assert wizard.choose_page.isComplete()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.PREVIEW, timeout=10_000)

    preview = wizard.preview_page
    assert "找到 3 行" in preview.summary.text() and "1 人已在台账中" in preview.summary.text()
    assert "填表说明" in preview.summary.text()
    shown = [(preview.model.data(preview.model.index(r, 0)), preview.model.data(preview.model.index(r, 1)),
              preview.model.data(preview.model.index(r, 2)), preview.model.data(preview.model.index(r, 3)))
             for r in range(preview.model.rowCount())]
    assert shown == [("青山村", 4, "身份证号码", "错误（未导入）"), ("青山村", 5, "联系电话", "提醒（已导入）")]
    assert ctx.db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 1  # reading wrote nothing

    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.RESULT, timeout=10_000)
    result = wizard.result_page
    assert "新增 1 人，更新 1 人，跳过 1 行，提醒 1 条" in result.summary.text()
    assert result.model.rowCount() == 2
    person = result.changes.topLevelItem(0)
    assert person.text(0) == f"张德福（{ID_A}）"
    assert (person.child(0).text(0), person.child(0).text(1), person.child(0).text(2)) == \
        ("联系电话", "13800138000", "13900139000")
    assert "elders" in changed
    assert messages == []
    check = dbm.connect(ctx.db_path)
    assert check.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 2
    check.close()


def test_wizard_shows_chinese_message_for_a_file_that_is_not_a_workbook(qtbot, ctx, tmp_path, messages):
    from township_desk.ui.import_wizard import ImportWizard

    bad = tmp_path / "bad.xlsx"
    bad.write_text("不是表格", encoding="utf-8")
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.choose_page.path_edit.setText(str(bad))
    wizard.next()
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert messages[0][0] == "warning" and "不是 Excel 工作簿" in messages[0][1]
    assert wizard.currentId() == wizard.CHOOSE
    qtbot.waitUntil(lambda: wizard.button(wizard.WizardButton.NextButton).isEnabled(), timeout=5_000)


def test_cancelled_import_leaves_the_ledger_as_it_was(qtbot, ctx, tmp_path, messages, monkeypatch):
    from township_desk.ui import import_wizard
    from township_desk.ui.jobs import JobCancelled

    wizard = import_wizard.ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.choose_page.path_edit.setText(str(workbook(tmp_path / "台账.xlsx")))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.PREVIEW, timeout=10_000)

    real_import = import_wizard.ledger_import.import_ledger

    def cancelled_import(db, path, **kw):
        def check():  # the clerk pressed 取消 as soon as the import started
            raise JobCancelled()
        return real_import(db, path, **{**kw, "check_cancelled": check})

    monkeypatch.setattr(import_wizard.ledger_import, "import_ledger", cancelled_import)
    wizard.next()
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert messages == [("information", "已取消，台账未作任何改动。")]
    assert wizard.currentId() == wizard.PREVIEW
    assert ctx.db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0


def two_renamed(ctx, tmp_path):
    """张德福 and 李秀英 on the ledger; the workbook spells both names differently."""
    for name, number in (("张德福", ID_A), ("李秀英", ID_B)):
        elders.save_elder(ctx.db, {"name": name, "id_number": number, "village": "青山村"}, today=dt.date.today())
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "青山村"
    ws.append(["姓名", "身份证号码", "联系电话"])
    ws.append(["张德富", ID_A, "13900139000"])
    ws.append(["李淑英", ID_B, None])
    wb.save(tmp_path / "改名.xlsx")
    return tmp_path / "改名.xlsx"


def open_preview(qtbot, ctx, path):
    wizard = open_wizard_on(qtbot, ctx, path)
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.PREVIEW, timeout=10_000)
    return wizard


def test_preview_shows_each_rename_old_to_new_unticked(qtbot, ctx, tmp_path, messages):
    from PySide6.QtCore import Qt

    wizard = open_preview(qtbot, ctx, two_renamed(ctx, tmp_path))
    renames = wizard.preview_page.renames
    tabs = wizard.preview_page.tabs
    assert tabs.currentIndex() == wizard.preview_page.RENAMES and renames.isVisible() and "2 人的身份证号码已在台账中，但表中姓名不同" in wizard.preview_page.renames_label.text()
    rows = [(renames.topLevelItem(i).text(1), renames.topLevelItem(i).text(2), renames.topLevelItem(i).text(3),
             renames.topLevelItem(i).checkState(0)) for i in range(renames.topLevelItemCount())]
    assert rows == [(ID_A, "青山村 第2行", "张德福 → 张德富", Qt.CheckState.Unchecked),
                    (ID_B, "青山村 第3行", "李秀英 → 李淑英", Qt.CheckState.Unchecked)]


def test_only_the_ticked_rename_is_applied_and_the_other_is_listed_as_not_changed(qtbot, ctx, tmp_path, messages):
    from PySide6.QtCore import Qt

    wizard = open_preview(qtbot, ctx, two_renamed(ctx, tmp_path))
    wizard.preview_page.renames.topLevelItem(0).setCheckState(0, Qt.CheckState.Checked)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.RESULT, timeout=10_000)
    names = dict(ctx.db.execute("SELECT id_number, name FROM elders").fetchall())
    assert names == {ID_A: "张德富", ID_B: "李秀英"}
    tree = wizard.result_page.changes
    shown = {tree.topLevelItem(i).text(0): [tuple(tree.topLevelItem(i).child(j).text(c) for c in range(4))
                                            for j in range(tree.topLevelItem(i).childCount())]
             for i in range(tree.topLevelItemCount())}
    assert ("姓名", "张德福", "张德富", "") in shown[f"张德富（{ID_A}）"]
    assert ("联系电话", "", "13900139000", "") in shown[f"张德富（{ID_A}）"]
    assert shown[f"李秀英（{ID_B}）"] == [("姓名", "李秀英", "李淑英", "未改（改名未勾选）")]


def test_a_reader_crash_even_a_rust_panic_is_a_chinese_message_and_the_wizard_stays(qtbot, ctx, tmp_path, messages,
                                                                                      monkeypatch):
    from township_desk.ui import import_wizard

    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})

    def explode(*_a, **_k):
        raise panic("called `Option::unwrap()` on a `None` value")
    monkeypatch.setattr(import_wizard.ledger_import, "read_ledger", explode)
    wizard = import_wizard.ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.choose_page.path_edit.setText(str(workbook(tmp_path / "台账.xlsx")))
    wizard.next()
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert messages[0][0] == "warning" and messages[0][1].startswith("无法读取“台账.xlsx”：读取时出错（PanicException）")
    assert wizard.currentId() == wizard.CHOOSE
    qtbot.waitUntil(lambda: wizard.button(wizard.WizardButton.NextButton).isEnabled(), timeout=5_000)


def test_a_workbook_with_a_far_away_cell_is_refused_with_a_chinese_message(qtbot, ctx, tmp_path, messages,
                                                                          monkeypatch):
    import python_calamine
    from hostile_xlsx import add_cell, edit_sheet

    def never(*_a, **_k):  # the guard must refuse it first (calamine would abort this process)
        raise AssertionError("python-calamine was given the hostile workbook")
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    hostile = edit_sheet(workbook(tmp_path / "台账.xlsx"), tmp_path / "远.xlsx", add_cell("XFD1000000"))
    wizard = open_wizard_on(qtbot, ctx, hostile)
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert messages[0][0] == "warning" and "“远.xlsx”的工作表“青山村”延伸到第 1000000 行" in messages[0][1]
    assert wizard.currentId() == wizard.CHOOSE


def open_wizard_on(qtbot, ctx, path):
    from township_desk.ui.import_wizard import ImportWizard

    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.choose_page.path_edit.setText(str(path))
    wizard.next()
    return wizard


def villages_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["村", "姓名", "身份证号码", "联系电话", "籍贯"])
    ws.append(["青山村", "张德福", ID_A, "13900139000", "湖南"])
    ws.append(["新民村", "李秀英", ID_B, None, None])
    wb.save(path)
    return path


def test_preview_shows_rows_read_column_mapping_and_hides_empty_tabs(qtbot, ctx, tmp_path, messages):
    elders.save_elder(ctx.db, {"name": "王贵", "id_number": ID_C, "village": "青山村"}, today=dt.date.today())
    wizard = open_preview(qtbot, ctx, villages_workbook(tmp_path / "村.xlsx"))
    page = wizard.preview_page
    tabs = page.tabs
    shown = [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]
    assert shown == ["读到的老人", "列的对应", "新建的村（1）"]  # no problems, no renames: those tabs are hidden
    rows = page.rows
    headings = [rows.horizontalHeaderItem(c).text() for c in range(rows.columnCount())]
    assert headings[:6] == ["工作表", "行", "状态", "姓名", "身份证号码", "村（社区）"]
    first = [rows.item(0, c).text() for c in range(6)]
    assert first == ["汇总", "2", "可导入", "张德福", ID_A, "青山村"]
    assert rows.item(0, headings.index("联系电话")).text() == "13900139000"
    mapping = {(page.mapping.item(r, 1).text(), page.mapping.item(r, 2).text())
               for r in range(page.mapping.rowCount())}
    assert ("身份证号码", "身份证号码") in mapping and ("村", "村（社区）") in mapping
    assert ("籍贯", "未识别，不导入") in mapping


def test_new_village_is_asked_and_an_unticked_one_is_not_created(qtbot, ctx, tmp_path, messages):
    from PySide6.QtCore import Qt

    elders.save_elder(ctx.db, {"name": "王贵", "id_number": ID_C, "village": "青山村"}, today=dt.date.today())
    wizard = open_preview(qtbot, ctx, villages_workbook(tmp_path / "村.xlsx"))
    page = wizard.preview_page
    assert page.tabs.currentIndex() == page.VILLAGES  # the decision is what the clerk sees first
    assert "表中有 1 个村（社区）台账中还没有，请在“新建的村”中确认。" in page.summary.text()
    item = page.villages.topLevelItem(0)
    assert (page.villages.topLevelItemCount(), item.text(1), item.text(2), item.checkState(0)) == \
        (1, "新民村", "1 人", Qt.CheckState.Checked)
    item.setCheckState(0, Qt.CheckState.Unchecked)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.RESULT, timeout=10_000)
    result = wizard.result_page
    assert "新增 1 人，更新 0 人，跳过 1 行" in result.summary.text() and "新建村" not in result.summary.text()
    assert result.model.data(result.model.index(0, 4)) == "村（社区）“新民村”不在台账中，未同意新建，这一行未导入"
    assert ctx.db.execute("SELECT COUNT(*) FROM villages WHERE name = '新民村'").fetchone()[0] == 0


def test_a_ticked_new_village_is_created_and_named_in_the_result(qtbot, ctx, tmp_path, messages):
    elders.save_elder(ctx.db, {"name": "王贵", "id_number": ID_C, "village": "青山村"}, today=dt.date.today())
    wizard = open_preview(qtbot, ctx, villages_workbook(tmp_path / "村.xlsx"))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == wizard.RESULT, timeout=10_000)
    assert "新增 2 人" in wizard.result_page.summary.text()
    assert "新建村（社区）：新民村。" in wizard.result_page.summary.text()
