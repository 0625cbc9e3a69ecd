"""Turning a printed .docx into PDF, and handing a file to the system's program (Word/WPS, a PDF reader).

PDF comes from LibreOffice when it is installed (``soffice --headless --convert-to pdf``, each run with its
own throw-away profile: pitfalls.md #15, two runs sharing a profile fail), else from Microsoft Word through
COM on Windows. Neither present → a Chinese UserError saying what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path

_WINDOWS_OFFICE = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
NOT_AVAILABLE = "本机没有安装 LibreOffice 或 Microsoft Word，无法转为 PDF。可用 Word/WPS 打开后“另存为 PDF”。"


def find_libreoffice() -> str | None:
    """The LibreOffice program: on PATH (soffice/libreoffice) or in the usual Windows install folders."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "win32":
        for candidate in _WINDOWS_OFFICE:
            if Path(candidate).exists():
                return candidate
    return None


def _word_available() -> bool:
    if sys.platform != "win32":
        return False
    try:
        import win32com.client  # noqa: F401  (pywin32, present when the office installed it)
    except ImportError:
        return False
    import winreg

    try:
        winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, "Word.Application")
    except OSError:
        return False
    return True


def pdf_available() -> bool:
    """True when ``to_pdf`` can work on this computer."""
    return find_libreoffice() is not None or _word_available()


def _with_libreoffice(program: str, source: Path, target: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="td-lo-") as folder:
        profile = Path(folder, "profile").as_uri()
        out_dir = Path(folder, "out")
        out_dir.mkdir()
        command = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(out_dir), str(source)]
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise UserError(f"LibreOffice 转换超时（{int(timeout)} 秒）：{source.name}") from exc
        produced = out_dir / (source.stem + ".pdf")
        if result.returncode != 0 or not produced.exists():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[-300:]
            raise UserError(f"LibreOffice 未能把“{source.name}”转为 PDF：{detail or '没有输出文件'}")
        with atomic_path(target) as tmp:
            shutil.move(str(produced), tmp)


def _with_word(source: Path, target: Path) -> None:
    import pythoncom
    import win32com.client

    pythoncom.CoInitialize()  # a worker thread needs its own COM apartment (pitfalls.md #15)
    try:
        word = win32com.client.DispatchEx("Word.Application")
        word.Visible = False
        try:
            document = word.Documents.Open(str(source.resolve()), ReadOnly=True)
            with atomic_path(target) as tmp:
                document.SaveAs2(str(Path(tmp).resolve()), FileFormat=17)  # 17 = wdFormatPDF
            document.Close(False)
        finally:
            word.Quit()
    finally:
        pythoncom.CoUninitialize()


def to_pdf(docx_path: str | Path, target: str | Path | None = None, *, timeout: float = 180) -> Path:
    """Convert a .docx to PDF next to it (or at ``target``); returns the PDF's path."""
    source = Path(docx_path)
    if not source.exists():
        raise UserError(f"文件不存在：{source}")
    pdf = Path(target) if target else source.with_suffix(".pdf")
    program = find_libreoffice()
    if program:
        _with_libreoffice(program, source, pdf, timeout)
        return pdf
    if _word_available():
        _with_word(source, pdf)
        return pdf
    raise UserError(NOT_AVAILABLE)


def open_with_system(path: str | Path) -> None:
    """Open a file with the program the system associates with it (Word/WPS for .docx)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"文件不存在：{path}")
    if sys.platform == "win32":
        os.startfile(str(path))  # noqa: S606 - the clerk's own file, opened as they asked
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        raise UserError(f"无法自动打开文件，请手动打开：{path}")
    subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
