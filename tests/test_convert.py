"""PDF on an office PC: LibreOffice, then Word, then WPS, each tried in turn; what to install when none works; and a
file no program opens. Windows pieces (the registry, COM, os.startfile) are imitated with stand-ins."""

from __future__ import annotations

import os
import stat
import sys
import threading
import types

import pytest

from township_desk.models.errors import UserError
from township_desk.printing import convert


@pytest.fixture
def docx(tmp_path):
    source = tmp_path / "登记表.docx"
    source.write_bytes(b"docx")
    return source


@pytest.fixture
def no_programs(monkeypatch, tmp_path):
    """A PC with nothing on PATH and no Office registered."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setattr(convert, "WINDOWS", False)


class FakeOffice:
    """Stand-in pythoncom + win32com.client for Word or WPS: records what is called, writes a PDF on export."""

    def __init__(self, registered: set[str], fail_export: bool = False):
        self.registered = registered
        self.fail_export = fail_export
        self.calls: list[str] = []
        self.threads: list[str] = []
        office = self

        class Document:
            def ExportAsFixedFormat(self, path, fmt):  # noqa: N802 - COM's names
                office.calls.append(f"export {fmt}")
                if office.fail_export:
                    raise RuntimeError("(-2147352567, '发生意外。')")
                with open(path, "wb") as fh:
                    fh.write(b"%PDF-1.4 com")

            def Close(self, save):  # noqa: N802
                office.calls.append("close")

        class Documents:
            Count = 0

            def Open(self, path, ReadOnly):  # noqa: N802
                office.calls.append(f"open readonly={ReadOnly}")
                return Document()

        class App:
            def __init__(self, prog_id):
                self.prog_id = prog_id
                self.Documents = Documents()

            def Quit(self):  # noqa: N802
                office.calls.append("quit")

        def dispatch_ex(prog_id):
            office.calls.append(f"DispatchEx {prog_id}")
            return App(prog_id)

        self.pythoncom = types.SimpleNamespace(
            CoInitialize=lambda: (office.calls.append("CoInitialize"),
                                  office.threads.append(threading.current_thread().name)),
            CoUninitialize=lambda: office.calls.append("CoUninitialize"))
        self.client = types.SimpleNamespace(DispatchEx=dispatch_ex, Dispatch=dispatch_ex)

    def install(self, monkeypatch):
        monkeypatch.setattr(convert, "WINDOWS", True)
        monkeypatch.setattr(convert, "find_libreoffice", lambda: None)
        monkeypatch.setattr(convert, "com_registered", lambda prog_id: prog_id in self.registered)
        win32com = types.ModuleType("win32com")
        win32com.client = self.client
        monkeypatch.setitem(sys.modules, "pythoncom", self.pythoncom)
        monkeypatch.setitem(sys.modules, "win32com", win32com)
        monkeypatch.setitem(sys.modules, "win32com.client", self.client)


def test_nothing_installed_says_what_to_install_route_by_route(docx, no_programs):
    assert not convert.pdf_available()
    with pytest.raises(UserError) as caught:
        convert.to_pdf(docx)
    text = str(caught.value)
    assert "请安装其中任意一个" in text
    assert "LibreOffice：没有找到 LibreOffice（可从 libreoffice.org 免费下载安装）" in text
    assert "Microsoft Word：没有找到 Microsoft Word" in text
    assert "WPS Office：没有找到 WPS Office（可从 wps.cn 免费下载安装）" in text
    assert not docx.with_suffix(".pdf").exists()


def test_a_pc_with_only_wps_makes_the_pdf_through_kwps(docx, monkeypatch):
    office = FakeOffice({"KWPS.Application"})
    office.install(monkeypatch)
    assert convert.pdf_available()
    worker = {}
    thread = threading.Thread(target=lambda: worker.setdefault("pdf", convert.to_pdf(docx)), name="print-worker")
    thread.start()
    thread.join(30)
    assert worker["pdf"].read_bytes() == b"%PDF-1.4 com"
    assert office.calls == ["CoInitialize", "DispatchEx KWPS.Application", "open readonly=True", "export 17",
                            "close", "quit", "CoUninitialize"]
    assert office.threads == ["print-worker"]  # COM initialised on the thread that converts


def test_word_is_tried_before_wps_and_its_failure_falls_through_to_wps(docx, monkeypatch):
    office = FakeOffice({"Word.Application", "KWPS.Application"})
    office.install(monkeypatch)
    real_export = office.client.DispatchEx

    def word_fails(prog_id):
        if prog_id == "Word.Application":
            raise RuntimeError("服务器运行失败")
        return real_export(prog_id)

    office.client.DispatchEx = word_fails
    office.client.Dispatch = word_fails
    pdf = convert.to_pdf(docx)
    assert pdf.read_bytes() == b"%PDF-1.4 com"
    assert "DispatchEx KWPS.Application" in office.calls


def test_a_failing_export_is_a_chinese_sentence_naming_the_program(docx, monkeypatch):
    office = FakeOffice({"Word.Application"}, fail_export=True)
    office.install(monkeypatch)
    with pytest.raises(UserError) as caught:
        convert.to_pdf(docx)
    text = str(caught.value)
    assert "Microsoft Word：Microsoft Word 未能转换" in text
    assert "WPS Office：没有找到 WPS Office" in text
    assert office.calls[-2:] == ["quit", "CoUninitialize"]  # Word is not left running


def test_word_registered_without_pywin32_says_so(docx, monkeypatch):
    monkeypatch.setattr(convert, "WINDOWS", True)
    monkeypatch.setattr(convert, "find_libreoffice", lambda: None)
    monkeypatch.setattr(convert, "com_registered", lambda prog_id: prog_id == "Word.Application")
    monkeypatch.setitem(sys.modules, "pythoncom", None)  # import fails
    with pytest.raises(UserError, match="缺少 pywin32"):
        convert.to_pdf(docx)


def test_libreoffice_found_through_the_registry(tmp_path, monkeypatch):
    folder = tmp_path / "LibreOffice 7" / "program"
    folder.mkdir(parents=True)
    (folder / "soffice.exe").write_bytes(b"")
    asked = []

    class Key:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def open_key(hive, name):
        asked.append((hive, name))
        if hive == "HKLM" and name == r"SOFTWARE\LibreOffice\UNO\InstallPath":
            return Key()
        raise FileNotFoundError(2, "系统找不到指定的文件。")

    winreg = types.SimpleNamespace(HKEY_LOCAL_MACHINE="HKLM", HKEY_CURRENT_USER="HKCU", OpenKey=open_key,
                                   QueryValueEx=lambda key, name: (str(folder), 1))
    monkeypatch.setitem(sys.modules, "winreg", winreg)
    monkeypatch.setattr(convert, "WINDOWS", True)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert convert.find_libreoffice() == str(folder / "soffice.exe")
    assert asked[0] == ("HKLM", r"SOFTWARE\LibreOffice\UNO\InstallPath")


def test_a_broken_libreoffice_falls_through_to_word(docx, tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.stderr.write('javaldx failed')\nsys.exit(1)\n",
                    encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    office = FakeOffice({"Word.Application"})
    office.install(monkeypatch)
    monkeypatch.setattr(convert, "find_libreoffice", lambda: str(fake))
    assert convert.to_pdf(docx).read_bytes() == b"%PDF-1.4 com"


def test_startfile_without_a_program_for_docx_is_a_chinese_message(docx, monkeypatch):
    def startfile(path):
        raise OSError(22, "没有与之关联的应用", path, 1155)

    monkeypatch.setattr(convert, "WINDOWS", True)
    monkeypatch.setattr(os, "startfile", startfile, raising=False)
    with pytest.raises(UserError) as caught:
        convert.open_with_system(docx)
    assert "没有可以打开“登记表.docx”的程序，请安装WPS Office 或 Microsoft Word" in str(caught.value)
    assert str(docx) in str(caught.value)
