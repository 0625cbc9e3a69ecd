"""Unexpected errors: a Chinese dialog, a log file in the data folder, and the data kept.

``install()`` sets ``sys.excepthook`` so an error in any slot lands here instead of killing the program.
"""

from __future__ import annotations

import logging
import sys
import traceback

from township_desk.models import paths

log = logging.getLogger("township_desk")


def log_file():
    return paths.log_file()


def setup_logging() -> None:
    if any(isinstance(h, logging.FileHandler) for h in log.handlers):
        return
    handler = logging.FileHandler(log_file(), encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def report(exc: BaseException, tb: str | None = None, parent=None) -> None:
    """Log the error with its traceback and tell the clerk in Chinese; the program keeps running."""
    from township_desk.models.errors import UserError

    tb = tb or "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, UserError):
        _show(parent, "提示", str(exc), warning=True)
        return
    from township_desk.models.files import explain_environment

    message = explain_environment(exc)
    if message:  # busy database, full or read-only disk, missing table: a message, not a crash
        setup_logging()
        log.warning("%s\n%s", message, tb)
        _show(parent, "无法完成", message, warning=True)
        return
    setup_logging()
    log.error("未预料的错误：%s\n%s", exc, tb)
    _show(parent, "程序出错",
          "程序遇到了一个意外错误，刚才的操作没有完成，但已保存的数据不受影响。\n\n"
          f"错误记录已写入：{log_file()}\n如反复出现，请把该文件发给技术支持。\n\n（{type(exc).__name__}: {exc}）")


def _show(parent, title: str, text: str, warning: bool = False) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from township_desk.ui import smoke

    if QApplication.instance() is None or smoke.active():  # nobody to close a dialog in an unattended run
        sys.stderr.write(f"{title}：{text}\n")
        return
    (QMessageBox.warning if warning else QMessageBox.critical)(parent, title, text)


def install() -> None:
    setup_logging()

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        report(exc, "".join(traceback.format_exception(exc_type, exc, tb)))

    sys.excepthook = hook
