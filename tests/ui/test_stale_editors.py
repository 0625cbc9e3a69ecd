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
from township_desk.models import db as dbm
from township_desk.models import elders, villages, visitors
from township_desk.ui import crash, stale

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
    return AppContext(db_path, db=db)


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

    dialog = ElderEditor(ctx, elder_id, today=TODAY)
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
    assert shown and shown[0][0] == "数据库正忙" and "正被另一个程序" in shown[0][1] and logged == []
