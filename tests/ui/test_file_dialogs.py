"""File dialogs open in 文档 (not the home folder, not a path relative to where the program started) and then in
the folder chosen last; a file no program opens is a Chinese message, not a crash."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from conftest import VALID_IDS
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from township_desk.models import elders, settings
from township_desk.printing import convert
from township_desk.ui import widgets
from township_desk.ui.context import AppContext

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def documents(tmp_path, monkeypatch):
    """A user whose 文档 folder exists (Qt finds it through HOME on Linux, the user's profile on Windows)."""
    home = tmp_path / "张三"
    (home / "Documents").mkdir(parents=True)
    (home / "Desktop").mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home / "Documents"


@pytest.fixture
def warnings_shown(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append((title, text)))
    return shown


class SaveDialog:
    """Stands in for QFileDialog.getSaveFileName: records the folder it was opened in, answers ``answer``."""

    def __init__(self, answer: str = ""):
        self.answer = answer
        self.opened_in: list[str] = []

    def __call__(self, parent, title, start, name_filter="", *args, **kwargs):
        self.opened_in.append(start)
        return self.answer, name_filter


def test_the_first_dialog_opens_in_documents(qapp, documents):
    assert widgets.start_folder("print") == documents
    assert widgets.start_path("print", "花名册.docx") == str(documents / "花名册.docx")


def test_without_documents_the_desktop(qapp, documents):
    documents.rmdir()
    assert widgets.start_folder("print") == documents.parent / "Desktop"


def test_the_folder_chosen_last_is_remembered_per_kind(qapp, documents, tmp_path):
    usb = tmp_path / "U盘 备份"
    usb.mkdir()
    widgets.remember_folder("backup", usb / "台账.db")
    assert widgets.start_folder("backup") == usb
    assert widgets.start_folder("print") == documents  # another kind keeps its own
    shutil.rmtree(usb)  # the USB stick was pulled out
    assert widgets.start_folder("backup") == documents


def test_the_chart_is_saved_where_the_dialog_starts_not_in_the_working_folder(qtbot, documents, tmp_path,
                                                                             monkeypatch):
    from township_desk.ui import charts

    view = charts.ChartView("各村逾期")
    qtbot.addWidget(view)
    dialog = SaveDialog()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    monkeypatch.chdir(tmp_path)
    view._save_dialog()
    assert dialog.opened_in == [str(documents / "各村逾期.png")]
    assert Path(dialog.opened_in[0]).is_absolute()

    chosen = tmp_path / "图表"
    chosen.mkdir()
    dialog.answer = str(chosen / "逾期")
    view._save_dialog()
    assert (chosen / "逾期.png").read_bytes()[:4] == b"\x89PNG"
    dialog.answer = ""
    view._save_dialog()
    assert dialog.opened_in[-1] == str(chosen / "各村逾期.png")


def test_the_print_page_remembers_where_the_clerk_saved(qtbot, db, db_path, documents, tmp_path, monkeypatch):
    from township_desk.ui import print_page
    from township_desk.ui.print_page import PrintPage

    settings.put(db, {"township_name": "青山镇"})
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"}, today=TODAY)
    monkeypatch.setattr(print_page, "ask_after_save", lambda *a, **k: None)
    page = PrintPage(AppContext(db_path, db))
    qtbot.addWidget(page)
    page.choose_kind("roster")
    office = tmp_path / "打印 文件"
    office.mkdir()
    dialog = SaveDialog(str(office / "花名册.docx"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    page.choose_file_and_write()
    qtbot.waitUntil(lambda: page.last_file == office / "花名册.docx", timeout=20000)
    assert Path(dialog.opened_in[0]).parent == documents
    dialog.answer = ""
    page.choose_file_and_write()
    assert Path(dialog.opened_in[1]).parent == office


def test_open_without_a_program_for_docx_on_windows_is_a_message(qapp, tmp_path, monkeypatch, warnings_shown):
    docx = tmp_path / "花名册.docx"
    docx.write_bytes(b"docx")

    def startfile(path):
        raise OSError(22, "没有应用程序与此操作的指定文件有关联。", path, 1155)

    monkeypatch.setattr(convert, "WINDOWS", True)
    monkeypatch.setattr(os, "startfile", startfile, raising=False)
    assert widgets.open_in_system(None, docx) is False
    assert warnings_shown == [("打开", f"本机没有可以打开“花名册.docx”的程序，请安装WPS Office 或 Microsoft Word。"
                                      f"文件已保存在：{docx}")]


def test_open_refused_by_the_desktop_is_a_message(qapp, tmp_path, monkeypatch, warnings_shown):
    pdf = tmp_path / "花名册.pdf"
    pdf.write_bytes(b"%PDF")
    asked = []
    monkeypatch.setattr(convert, "WINDOWS", False)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: asked.append(url) or False)
    assert widgets.open_in_system(None, pdf, title="转为 PDF") is False
    assert asked == [QUrl.fromLocalFile(str(pdf))]
    assert warnings_shown[0][0] == "转为 PDF" and "PDF 阅读器" in warnings_shown[0][1]


def test_open_a_file_that_was_moved_away(qapp, tmp_path, warnings_shown):
    assert widgets.open_in_system(None, tmp_path / "不在了.docx") is False
    assert "文件不存在" in warnings_shown[0][1]


def test_the_forms_button_copies_the_templates_and_opens_the_folder(qtbot, db, db_path, private_data_dir,
                                                                    monkeypatch):
    from township_desk.models import paths
    from township_desk.ui import print_page
    from township_desk.ui.print_page import PrintPage

    opened = []
    monkeypatch.setattr(print_page.widgets, "open_in_system",
                        lambda parent, path, **kw: opened.append(path) or True)
    page = PrintPage(AppContext(db_path, db))
    qtbot.addWidget(page)
    edited = private_data_dir / "forms" / "花名册.docx"
    edited.parent.mkdir()
    edited.write_bytes(b"edited")
    page.forms_button.click()
    assert opened == [private_data_dir / "forms"]
    assert edited.read_bytes() == b"edited"
    shipped = {p.name for p in paths.forms_dir().glob("*.docx")}
    assert {p.name for p in (private_data_dir / "forms").glob("*.docx")} == shipped
    assert f"已放入 {len(shipped) - 1} 个默认模板" in page.summary.text()
