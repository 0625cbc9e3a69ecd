"""The elder editor offers exactly the field table's choices (``elders.FIELDS``), the lists the checks and the
importer use."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QComboBox, QMessageBox

from township_desk.models import elders, villages

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def dialog(db, db_path, qtbot, monkeypatch):
    from township_desk.ui.context import AppContext
    from township_desk.ui.elder_editor import ElderEditor

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    villages.save_village(db, {"name": "青山村"})
    editor = ElderEditor(AppContext(db_path, db=db, today=TODAY), None)
    qtbot.addWidget(editor)
    return editor


def _offered(combo: QComboBox) -> list[str]:
    """The values a clerk can pick, without the blank item (（未填）, 无)."""
    values = [combo.itemData(i) if combo.itemData(i) is not None else combo.itemText(i) for i in range(combo.count())]
    return [v for v in values if v]


@pytest.mark.parametrize("code", ["education", "spouse", "main_income", "care", "hardship", "tier",
                                  "disability_category", "disability_grade"])
def test_each_list_in_the_editor_is_the_field_tables(dialog, code):
    assert _offered(dialog.fields[code]) == [c for c in elders.FIELD_TABLE[code].choices if c]


def test_the_income_boxes_are_the_field_tables_sources(dialog):
    assert list(dialog.income_checks) == list(elders.FIELD_TABLE["income_sources"].choices)


def test_every_choice_field_of_the_table_is_offered_in_the_editor(dialog):
    choice_fields = {f.code for f in elders.FIELDS if f.kind in ("choice", "choices")} - {"income_sources"}
    assert all(isinstance(dialog.fields[code], QComboBox) for code in choice_fields)
