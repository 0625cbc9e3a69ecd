"""The field table (``elders.FIELDS``) is the one source of labels, choices, headings and clerks' words:
the checks, the importer's headings and its word maps all follow it."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from tests.conftest import VALID_IDS, make_id
from township_desk.models import elders, ledger_import

TODAY = dt.date(2026, 11, 22)
CHOICE_FIELDS = [f for f in elders.FIELDS if f.kind in ("choice", "choices")]


def test_every_field_has_a_label_a_known_kind_and_a_heading():
    assert list(elders.ELDER_FIELDS) == [f.code for f in elders.FIELDS]
    assert all(f.label and f.kind in elders.fields.KINDS and f.headings for f in elders.FIELDS)
    assert [f.code for f in elders.FIELDS if f.required] == ["name", "id_number", "village"]


@pytest.mark.parametrize("spec", elders.FIELDS, ids=lambda f: f.code)
def test_the_importer_reads_each_fields_own_label_as_its_column(spec):
    # 残疾等级 alone is read as the combined 残疾（类别及等级） column, which splits out the grade
    expected = "disability" if spec.code == "disability_grade" else spec.code
    assert ledger_import.match_heading(spec.label) == (expected, None)


@pytest.mark.parametrize("spec", [f for f in elders.FIELDS if f.words], ids=lambda f: f.code)
def test_every_clerks_word_stands_for_one_of_the_fields_choices(spec):
    assert set(spec.words.values()) <= set(spec.choices)


@pytest.mark.parametrize("spec", CHOICE_FIELDS, ids=lambda f: f.code)
def test_a_value_outside_the_choices_is_refused_naming_them(spec):
    row, problems = elders.prepare_elder({"name": "张三", "id_number": VALID_IDS[0], spec.code: "不知道"}, TODAY)
    errors = [p for p in problems if p.severity == "error"]
    assert [p.field for p in errors] == [spec.code]
    assert spec.label in errors[0].message and "、".join(c for c in spec.choices if c) in errors[0].message


@pytest.mark.parametrize("spec", CHOICE_FIELDS, ids=lambda f: f.code)
def test_every_choice_is_accepted_as_typed(spec):
    for choice in spec.choices:
        row, problems = elders.prepare_elder({"name": "张三", "id_number": VALID_IDS[0], spec.code: choice}, TODAY)
        assert not [p for p in problems if p.severity == "error"], choice


def test_the_importer_turns_every_word_of_the_table_into_its_value(tmp_path):
    """One workbook row per word of every choice column: what is read is the table's value for that word."""
    specs = [f for f in elders.FIELDS if f.words]
    cases = [(spec, word, value) for spec in specs for word, value in spec.words.items()]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "村", *[spec.label for spec in specs]])
    for index, (spec, word, _value) in enumerate(cases):
        sheet.append(["王" + "甲乙丙丁戊己庚辛壬癸"[index % 10] + "春夏秋冬梅兰竹菊"[index // 10], make_id("19500101", 2 * index + 1), "青山村", *[word if s is spec else None for s in specs]])
    path = tmp_path / "台账.xlsx"
    book.save(path)

    read = ledger_import.read_ledger(path, today=TODAY)

    assert len(read.rows) == len(cases)
    for row, (spec, word, value) in zip(read.rows, cases, strict=True):
        assert row.ok, (spec.code, word)
        assert row.prepared[0][spec.code] == value, (spec.code, word)
