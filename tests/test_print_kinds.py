"""The registry of printed documents (printing.kinds): it alone drives the command line and the 打印 page; the
printing package reads records from models and never queries; the preview says when 暂离 are included."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document

from tests.conftest import VALID_IDS, make_id
from township_desk.cli import main
from township_desk.models import db as dbm
from township_desk.models import elders, printouts
from township_desk.printing import kinds

TODAY = dt.date(2026, 11, 22)


def _gather(db, selection):
    return [printouts.PrintItem(f"{r['name']}　问候卡", elder_id=r["id"], people=1)
            for r in printouts.looked_after(db, selection.village)]


def _write(db, items, selection, target, **_hooks):
    document = Document()
    for item in items:
        document.add_paragraph(item.label)
    document.save(str(target))
    return len(items)


FAKE = kinds.DocumentKind("greeting", "问候卡", "节日问候卡，每人一张。", frozenset({"village"}), _gather, _write)


@pytest.fixture
def fake_kind(monkeypatch):
    monkeypatch.setitem(kinds.KINDS, FAKE.code, FAKE)
    return FAKE


@pytest.fixture
def ledger(db_path):
    database = dbm.connect(db_path)
    elders.save_elder(database, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"}, today=TODAY)
    elders.save_elder(database, {"name": "李桂兰", "id_number": VALID_IDS[1], "village": "青山村"}, today=TODAY)
    away = elders.save_elder(database, {"name": "王外出", "id_number": VALID_IDS[2], "village": "青山村"},
                             today=dt.date(2026, 10, 1)).elder_id
    elders.change_status(database, away, "暂离", "2026-11-01", "随子女外出过冬")
    elders.save_elder(database, {"name": "陈老汉", "id_number": make_id("19400101", 7), "village": "河口村"},
                      today=TODAY)
    database.close()
    return db_path


def test_an_extra_kind_is_one_registry_entry_for_the_command_line(ledger, fake_kind, tmp_path, capsys):
    out = tmp_path / "greeting.docx"
    assert main(["print", "greeting", "--village", "青山村", "-o", str(out), "--db", str(ledger)]) == 0
    assert [p.text for p in Document(str(out)).paragraphs] == ["张德福　问候卡", "李桂兰　问候卡", "王外出　问候卡"]
    assert "已生成问候卡" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["print", "--help"])
    assert "greeting 问候卡" in capsys.readouterr().out


def test_an_option_the_kind_does_not_use_is_exit_2_and_writes_nothing(ledger, fake_kind, tmp_path, capsys):
    out = tmp_path / "x.docx"
    assert main(["print", "greeting", "--blank", "-o", str(out), "--db", str(ledger)]) == 2
    assert "问候卡（greeting）不使用 --blank" in capsys.readouterr().err
    assert main(["print", "roster", "--elder", VALID_IDS[0], "-o", str(out), "--db", str(ledger)]) == 2
    assert "花名册（roster）不使用 --elder" in capsys.readouterr().err
    assert not out.exists()


def test_the_page_lists_an_extra_kind_with_only_its_options(qtbot, ledger, fake_kind):
    from township_desk.ui.context import AppContext
    from township_desk.ui.print_page import PrintPage

    database = dbm.connect(ledger)
    page = PrintPage(AppContext(ledger, database))
    qtbot.addWidget(page)
    page.show()
    labels = [page.kinds.item(i).text() for i in range(page.kinds.count())]
    assert labels == [k.label for k in kinds.KINDS.values()] and labels[-1] == "问候卡"
    page.choose_kind("greeting")
    assert page.title.text() == "问候卡" and page.description.text() == "节日问候卡，每人一张。"
    visible = {option for option, control in page.controls.items() if control.isVisible()}
    assert visible == {"village"}
    page.village.setCurrentIndex(page.village.findText("河口村"))
    assert [page.pages.item(i).text() for i in range(page.pages.count())] == ["陈老汉　问候卡"]
    assert page.summary.text() == "共 1 份问候卡"


def test_the_preview_says_that_people_away_are_included(ledger):
    database = dbm.connect(ledger)
    selection = printouts.Selection("registration")
    items = kinds.preview(database, selection)
    assert len(items) == 4
    assert kinds.KINDS["registration"].summary(items) == "共 4 份登记表（在册 3 人，含暂离 1 人）"
    roster = kinds.preview(database, printouts.Selection("roster"))
    assert kinds.KINDS["roster"].summary(roster) == "2 个村（社区）的花名册，共 4 人（在册 3 人，含暂离 1 人）"
    only_here = kinds.preview(database, printouts.Selection("notice-cards", village="河口村"))
    assert kinds.KINDS["notice-cards"].summary(only_here) == "共 1 份告知卡"  # nobody away: nothing to explain


def test_every_kind_lists_options_that_exist_and_its_templates_ship():
    from township_desk.models import paths

    for kind in kinds.KINDS.values():
        assert kind.options <= set(kinds.OPTIONS)
        assert kind.templates and all((paths.forms_dir() / name).is_file() for name in kind.templates)
    with pytest.raises(ValueError, match="unknown print options"):
        kinds.DocumentKind("x", "某", "", frozenset({"colour"}), _gather, _write)


def test_printing_never_queries_the_database():
    """Records reach printing/ from models/: no SQL, no sqlite import, no table access there."""
    import township_desk.printing as printing

    forbidden = re.compile(r"\.execute\(|\.executemany\(|db\.query\(|\bdb\[|import sqlite|sqlite_utils|\bSELECT\b")
    offenders = []
    for source in sorted(Path(printing.__file__).parent.rglob("*.py")):
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
            if forbidden.search(line):
                offenders.append(f"{source.name}:{number}: {line.strip()}")
    assert offenders == []
