"""The first start of a new ledger asks which policy profile applies; a ledger with data is not asked."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from township_desk.models import settings, villages
from township_desk.ui import profile_dialog
from township_desk.ui.context import AppContext


def test_a_new_ledger_is_asked_and_the_choice_is_applied(qtbot, db, db_path):
    ctx = AppContext(db_path, db=db)
    seen: list[str] = []
    ctx.data_changed.connect(seen.append)
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = profile_dialog.ask_if_needed(ctx, parent)
    assert dialog is not None and dialog.isVisible()
    assert list(dialog.buttons) == ["宁波", "辽宁", "重庆", "四川·峨眉山"]
    assert dialog.buttons["宁波"].isChecked()
    assert dialog.buttons["四川·峨眉山"].text() == ("四川·峨眉山：年满60周岁，赡养人外出满半年；农村特困人员不认定"
                                                "（峨眉山市民政局2022年定期巡访工作实施方案）")
    dialog.buttons["四川·峨眉山"].click()
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert settings.get(db, "policy_profile") == "四川·峨眉山"
    assert settings.get(db, "exclude_extreme_poverty") is True
    assert seen == ["settings"]
    assert profile_dialog.ask_if_needed(ctx, parent) is None  # chosen: never asked again


def test_a_ledger_with_data_is_not_asked(qtbot, db, db_path):
    villages.save_village(db, {"name": "青山村"})
    assert profile_dialog.ask_if_needed(AppContext(db_path, db=db)) is None
    assert settings.get(db, "policy_profile") == "宁波"
