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
