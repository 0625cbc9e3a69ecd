"""The elder editor catches an ID number already on the ledger as soon as the clerk leaves the field, naming the
elder who holds it and their village, before 保存 (tests/ui/test_elder_editor.py's ledger: 张德福 of 青山村)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.conftest import VALID_IDS
from tests.ui.test_elder_editor import ctx, editor, no_blocking_question, zhang  # noqa: F401 - fixtures


def type_id_and_leave(dialog, qtbot, number: str) -> None:
    field = dialog.fields["id_number"]
    with qtbot.waitActive(dialog):        # focus moves (and leaves a field) only in the active window
        dialog.show()
        dialog.activateWindow()
    field.setFocus()
    QTest.keyClicks(field, number)
    QTest.keyClick(field, Qt.Key.Key_Tab)     # on to the next field: editingFinished


def test_an_id_on_the_ledger_is_named_on_leaving_the_field(ctx, qtbot):  # noqa: F811
    dialog = editor(ctx, qtbot)
    type_id_and_leave(dialog, qtbot, VALID_IDS[0])
    message = dialog.messages["id_number"]
    assert message.isVisible()
    assert "身份证号码 511102194503120010 已登记为 青山村 的“张德福”，同一人不能重复登记" in message.text()
    assert dialog.fields["id_number"].property("problem") == "error"
    assert "1 处错误" in dialog.problems_label.text()         # said before any 保存
    assert ctx.db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 1


def test_a_new_number_or_the_elders_own_is_not_flagged(ctx, qtbot):  # noqa: F811
    dialog = editor(ctx, qtbot)
    type_id_and_leave(dialog, qtbot, VALID_IDS[1])
    assert "已登记为" not in dialog.messages["id_number"].text()
    own = editor(ctx, qtbot, zhang(ctx.db))
    own.fields["id_number"].editingFinished.emit()
    assert "已登记为" not in own.messages["id_number"].text()
