"""导出到 Excel runs in the background (``ui.jobs``): the window is free while the workbook is written, a cancel
leaves no file (and the file that was there as it was), and what is written is the rows shown."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from openpyxl import load_workbook

from tests.conftest import VALID_IDS
from township_desk.models import elders

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def page(db, db_path, qtbot):
    from township_desk.ui.context import AppContext
    from township_desk.ui.ledger_page import LedgerPage

    for number, (name, tier) in enumerate([("张德福", "重点"), ("李桂兰", "一般"), ("王大山", "重点")]):
        elders.save_elder(db, {"name": name, "id_number": VALID_IDS[number], "village": "青山村", "tier": tier,
                               "entered_on": "2026-01-05"}, [], today=TODAY)
    widget = LedgerPage(AppContext(db_path, db=db, today=TODAY))
    qtbot.addWidget(widget)
    return widget


def test_the_ledger_is_written_off_the_gui_thread_and_the_window_stays_free(page, qtbot, tmp_path, monkeypatch):
    from township_desk.printing import list_xlsx

    real = list_xlsx.export_rows
    writing, release = threading.Event(), threading.Event()
    threads = []

    def slow(*args, **kwargs):
        threads.append(threading.current_thread())
        writing.set()
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(list_xlsx, "export_rows", slow)
    page.tier_combo.setCurrentText("重点")
    target = tmp_path / "台账.xlsx"
    job = page.view.elder_menu.export(target=target)
    # export returned while the workbook is still being written: the GUI thread was not held
    assert writing.wait(10)
    assert threads[0] is not threading.main_thread()
    assert not target.exists() and job.path is None
    page.tier_combo.setCurrentText("一般")  # the clerk goes on working; the export keeps the rows it was given
    release.set()
    qtbot.waitUntil(lambda: job.path == target, timeout=20000)
    ws = load_workbook(target).active
    assert ws["A1"].value.startswith("台账（重点，在册）　共 2 行")
    assert sorted(r[0] for r in ws.iter_rows(min_row=3, values_only=True)) == sorted(["张德福", "王大山"])


def test_cancelling_the_export_leaves_no_file_and_the_old_file_as_it_was(page, qtbot, tmp_path, monkeypatch):
    from township_desk.printing import xlsx_util

    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "台账.xlsx"
    target.write_bytes(b"the clerk's earlier export")
    splicing, started = threading.Event(), threading.Event()
    running = {}
    real = xlsx_util._splice

    def cancelled_while_writing(xml, b, check_cancelled):
        splicing.set()
        assert started.wait(10)
        running["job"].cancel()  # 取消 pressed while the rows are being written
        return real(xml, b, check_cancelled)

    monkeypatch.setattr(xlsx_util, "_splice", cancelled_while_writing)
    job = running["job"] = page.view.elder_menu.export(target=target)
    started.set()
    assert job.wait(20)
    qtbot.waitUntil(lambda: job.dialog is None, timeout=5000)
    assert splicing.is_set()
    assert job.path is None
    assert target.read_bytes() == b"the clerk's earlier export"
    assert [p.name for p in folder.iterdir()] == ["台账.xlsx"]  # no half-written temp file beside it
