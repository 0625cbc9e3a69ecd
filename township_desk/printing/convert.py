"""Turning a printed .docx into PDF, and handing a file to the system's program (Word/WPS, a PDF reader).

Every route is tried in turn until one works (pitfalls.md #15):
1. LibreOffice (``soffice --headless --convert-to pdf``, each run with its own throw-away profile: two runs
   sharing a profile fail), found on PATH, in the usual install folders, or — on Windows — through the registry
   key its installer writes (``HKLM\\SOFTWARE\\LibreOffice\\UNO\\InstallPath``);
2. Microsoft Word through COM (pywin32, a Windows-only dependency);
3. WPS Office's Writer through COM (``KWPS.Application``; older versions ``WPS.Application``), which many
   offices have instead of Word.
The COM routes call ``CoInitialize`` themselves, since the print page converts on a worker thread. When no route
works, the Chinese ``UserError`` has one sentence per route saying what failed or what to install.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path

WINDOWS = sys.platform == "win32"

_WINDOWS_OFFICE = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
# Where LibreOffice's installer records its program folder (64- and 32-bit views, per machine and per user).
_LIBREOFFICE_KEYS = (r"SOFTWARE\LibreOffice\UNO\InstallPath", r"SOFTWARE\WOW6432Node\LibreOffice\UNO\InstallPath")
WORD_PROG_IDS = ("Word.Application",)
WPS_PROG_IDS = ("KWPS.Application", "WPS.Application")  # WPS 文字; KET/ET.Application are its spreadsheets
WD_FORMAT_PDF = 17  # wdExportFormatPDF / wdFormatPDF, the same number in Word's and WPS's object models

NOT_AVAILABLE = ("本机没有找到可以转为 PDF 的程序：请安装 WPS Office、Microsoft Word 或 LibreOffice 中的任意一个；"
                 "也可以用 Word/WPS 打开文件后“另存为 PDF”。")
INSTALL_LIBREOFFICE = "没有找到 LibreOffice（可从 libreoffice.org 免费下载安装）。"
INSTALL_WORD = "没有找到 Microsoft Word。"
INSTALL_WPS = "没有找到 WPS Office（可从 wps.cn 免费下载安装）。"
MISSING_PYWIN32 = "本程序缺少 pywin32 组件，无法调用 Word/WPS，请重新安装本程序。"


class RouteUnavailable(Exception):
    """A route that cannot be tried on this computer; the message says in Chinese what to install."""


def _registry_libreoffice() -> str | None:
    """soffice.exe in the folder LibreOffice's installer wrote to the Windows registry, if any."""
    if not WINDOWS:
        return None
    try:
        import winreg
    except ImportError:
        return None
    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        for key_name in _LIBREOFFICE_KEYS:
            try:
                with winreg.OpenKey(hive, key_name) as key:
                    folder, _kind = winreg.QueryValueEx(key, "")
            except OSError:
                continue
            candidate = Path(str(folder)) / "soffice.exe"
            if candidate.exists():
                return str(candidate)
    return None


def find_libreoffice() -> str | None:
    """The LibreOffice program: on PATH (soffice/libreoffice), in the registry or the usual Windows folders."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if WINDOWS:
        found = _registry_libreoffice()
        if found:
            return found
        folders = [os.environ.get(v) for v in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")]
        candidates = [str(Path(f) / "LibreOffice" / "program" / "soffice.exe") for f in folders if f]
        for candidate in [*candidates, *_WINDOWS_OFFICE]:
            if Path(candidate).exists():
                return candidate
    return None


def com_registered(prog_id: str) -> bool:
    """True when Windows knows the COM program ``prog_id`` (an installed Word or WPS registers it)."""
    if not WINDOWS:
        return False
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, prog_id):
            return True
    except (ImportError, OSError):
        return False


def _pywin32_present() -> bool:
    try:
        import pythoncom  # noqa: F401
        import win32com.client  # noqa: F401
    except ImportError:
        return False
    return True


def _word_available() -> bool:
    return any(com_registered(p) for p in WORD_PROG_IDS) and _pywin32_present()


def _wps_available() -> bool:
    return any(com_registered(p) for p in WPS_PROG_IDS) and _pywin32_present()


def pdf_available() -> bool:
    """True when ``to_pdf`` has a route that can work on this computer."""
    return find_libreoffice() is not None or _word_available() or _wps_available()


def _with_libreoffice(source: Path, out_dir: Path, timeout: float) -> Path:
    program = find_libreoffice()
    if program is None:
        raise RouteUnavailable(INSTALL_LIBREOFFICE)
    with tempfile.TemporaryDirectory(prefix="td-lo-") as folder:
        profile = Path(folder, "profile").as_uri()
        command = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(out_dir), str(source)]
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, check=False,
                                    creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # no console flash
        except subprocess.TimeoutExpired as exc:
            raise UserError(f"LibreOffice 转换超时（{int(timeout)} 秒）。") from exc
        except OSError as exc:
            raise UserError(f"LibreOffice 无法启动（{exc.strerror or exc}），请重新安装 LibreOffice。") from exc
    produced = out_dir / (source.stem + ".pdf")
    if result.returncode != 0 or not produced.exists():
        detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[-300:]
        raise UserError(f"LibreOffice 未能转换：{detail or '没有输出文件'}。")
    return produced


def _with_com(prog_ids: tuple[str, ...], label: str, missing: str, source: Path, out_dir: Path) -> Path:
    """Open ``source`` read-only in Word or WPS (whichever ``prog_ids`` names) and export it as PDF."""
    registered = [p for p in prog_ids if com_registered(p)]
    if not registered:
        raise RouteUnavailable(missing)
    if not _pywin32_present():
        raise RouteUnavailable(MISSING_PYWIN32)
    import pythoncom
    import win32com.client

    produced = out_dir / (source.stem + ".pdf")
    pythoncom.CoInitialize()  # a worker thread needs its own COM apartment (pitfalls.md #15)
    try:
        app = _start_com(win32com.client, registered[0], label)
        # An instance of its own (DispatchEx) is quit afterwards; one the clerk is working in is left open.
        theirs = _open_documents(app) > 0
        for name, value in (("Visible", False), ("DisplayAlerts", 0)):
            with contextlib.suppress(Exception):  # not every WPS version has both
                setattr(app, name, value)
        try:
            document = app.Documents.Open(str(source.resolve()), ReadOnly=True)
            try:
                document.ExportAsFixedFormat(str(produced.resolve()), WD_FORMAT_PDF)
            finally:
                document.Close(False)
        except Exception as exc:  # noqa: BLE001 - a COM error from Word/WPS, said in Chinese with its text
            raise UserError(f"{label} 未能转换：{exc}。") from exc
        finally:
            if not theirs:
                with contextlib.suppress(Exception):  # already gone
                    app.Quit()
    finally:
        pythoncom.CoUninitialize()
    if not produced.exists():
        raise UserError(f"{label} 没有生成 PDF 文件。")
    return produced


def _start_com(client, prog_id: str, label: str):
    """A new instance of the COM program (DispatchEx); some WPS versions only hand out a shared one (Dispatch)."""
    try:
        return client.DispatchEx(prog_id)
    except Exception:  # noqa: BLE001 - pywintypes.com_error: try the shared instance
        pass
    try:
        return client.Dispatch(prog_id)
    except Exception as exc:  # noqa: BLE001 - the program would not start
        raise UserError(f"{label} 无法启动（{exc}），请修复或重新安装 {label}。") from exc


def _open_documents(app) -> int:
    try:
        return int(app.Documents.Count)
    except Exception:  # noqa: BLE001 - unknown: treat as ours
        return 0


def routes() -> list[tuple[str, Callable[[Path, Path, float], Path]]]:
    """The ways to make a PDF, in the order they are tried: (name, convert(source, out_dir, timeout) → pdf)."""
    return [
        ("LibreOffice", _with_libreoffice),
        ("Microsoft Word", lambda s, o, _t: _with_com(WORD_PROG_IDS, "Microsoft Word", INSTALL_WORD, s, o)),
        ("WPS Office", lambda s, o, _t: _with_com(WPS_PROG_IDS, "WPS Office", INSTALL_WPS, s, o)),
    ]


def to_pdf(docx_path: str | Path, target: str | Path | None = None, *, timeout: float = 180) -> Path:
    """Convert a .docx to PDF next to it (or at ``target``), trying each route in turn; returns the PDF's path.

    Raises a Chinese ``UserError`` listing, route by route, why none worked and what to install.
    """
    source = Path(docx_path)
    if not source.exists():
        raise UserError(f"文件不存在：{source}")
    pdf = Path(target) if target else source.with_suffix(".pdf")
    failures: list[str] = []
    installed_any = False
    with tempfile.TemporaryDirectory(prefix="td-pdf-") as folder:
        for name, convert in routes():
            try:
                produced = convert(source, Path(folder), timeout)
            except RouteUnavailable as exc:
                failures.append(f"· {name}：{exc}")
                continue
            except UserError as exc:
                installed_any = True
                failures.append(f"· {name}：{exc}")
                continue
            with atomic_path(pdf) as tmp:  # a PDF open in a reader: one clear message, not one per route
                shutil.move(str(produced), tmp)
            return pdf
    lead = ("无法转为 PDF：" if installed_any else
            "无法转为 PDF：本机没有可用的 WPS Office、Microsoft Word 或 LibreOffice，请安装其中任意一个。")
    raise UserError("\n".join([lead, *failures, "也可以用 Word/WPS 打开文件后“另存为 PDF”。"]))


def no_program_message(path: str | Path) -> str:
    """The Chinese sentence for a file or folder that no program on this computer opens, by its kind."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        return f"无法打开文件夹，请在“此电脑”（资源管理器）中手动打开：{path}"
    if suffix in (".docx", ".doc"):
        needed = "WPS Office 或 Microsoft Word"
    elif suffix in (".xlsx", ".xls", ".xlsm"):
        needed = "WPS Office 或 Microsoft Excel"
    elif suffix == ".pdf":
        needed = "PDF 阅读器（WPS Office、Edge 浏览器等都可以打开 PDF）"
    elif suffix in (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff"):
        needed = "看图程序"
    else:
        needed = "能打开此类文件的程序"
    return f"本机没有可以打开“{path.name}”的程序，请安装{needed}。文件已保存在：{path}"


def print_with_system(path: str | Path) -> None:
    """Send a file to the default printer through the program the system associates with it: Windows' print verb
    (``os.startfile(path, "print")``: Word/WPS prints it and closes). Only Windows has that verb; callers open the
    file elsewhere (``ui.widgets.print_in_system``). No such program → a Chinese ``UserError``."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"文件不存在：{path}")
    try:
        os.startfile(str(path), "print")  # noqa: S606 - the clerk's own file, printed as they asked
    except (OSError, AttributeError) as exc:
        raise UserError(no_program_message(path)) from exc


def open_with_system(path: str | Path) -> None:
    """Open a file or folder with the program the system associates with it (Word/WPS for .docx, Explorer for a
    folder). No such program (Windows raises ``OSError``) → a Chinese ``UserError`` saying what to install."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"文件不存在：{path}")
    if WINDOWS:
        try:
            os.startfile(str(path))  # noqa: S606 - the clerk's own file, opened as they asked
        except OSError as exc:
            raise UserError(no_program_message(path)) from exc
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        raise UserError(no_program_message(path))
    subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
