"""Starting the window: Qt in Chinese, the crash handler, the database, the one-window lock, the start-up
password, the daily backup, the main window; and on closing the automatic backup.

``run_window`` does it all; the pieces (``make_application``, ``take_lock``, ``open_context``,
``close_backup``; the daily backup is ``MainWindow.start_daily_backup``) are separate so tests drive them without ``app.exec()``.
"""

from __future__ import annotations

import os

# matplotlib (charts, imported lazily) must pick PySide6 even where PyQt is installed too (pitfalls.md #16).
os.environ.setdefault("QT_API", "PySide6")

import logging  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator  # noqa: E402
from PySide6.QtGui import QFont, QFontDatabase, QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QSplashScreen  # noqa: E402

from township_desk import APP_ID, APP_NAME, __version__  # noqa: E402
from township_desk.models import backups, cipher, paths, protection, security  # noqa: E402
from township_desk.models import db as dbm  # noqa: E402
from township_desk.models.errors import AlreadyRunning, DatabaseUnavailable, UserError  # noqa: E402
from township_desk.ui import crash, smoke  # noqa: E402
from township_desk.ui.context import AppContext  # noqa: E402

log = logging.getLogger("township_desk")

# Fonts that show Chinese well, in order of preference (Windows, macOS, Linux).
CJK_FONTS = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei", "SimHei")

# The translators must outlive the application's use of them: Qt keeps only a pointer.
_translators: list[QTranslator] = []


def icon_path() -> Path:
    return paths.resource_root() / "township_desk" / "resources" / "icon.png"


def load_chinese_translation(app: QApplication) -> bool:
    """Install Qt's own Chinese strings (standard buttons read 确定/取消); True when found."""
    if _translators:
        return True
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _translators.append(translator)
            return True
    return False


def choose_font(app: QApplication) -> str | None:
    """Use the first installed CJK-capable font as the default, keeping the system's size; its name or None."""
    installed = set(QFontDatabase.families())
    for family in CJK_FONTS:
        if family in installed:
            font = QFont(app.font())
            font.setFamilies([family, *[f for f in CJK_FONTS if f != family and f in installed]])
            app.setFont(font)
            return family
    return None


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), named, with the icon, Qt's Chinese strings and a Chinese font."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setOrganizationName(APP_ID)
    app.setApplicationVersion(__version__)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if icon_path().exists():
        app.setWindowIcon(QIcon(str(icon_path())))
    if os.name == "nt":  # pragma: no cover - Windows: the taskbar shows our icon, not Python's
        try:
            import ctypes

            ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(APP_ID)
        except (AttributeError, OSError):
            pass
    load_chinese_translation(app)
    choose_font(app)
    return app


def fit_to_screen(window, app: QApplication) -> None:
    """1280×820 where the screen allows; on a small office screen (1366×768) the window fills it."""
    screen = app.primaryScreen()
    if screen is None:
        window.resize(1280, 820)
        return
    room = screen.availableGeometry()
    if room.width() < 1300 or room.height() < 860:
        window.resize(room.width(), room.height())
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    else:
        window.resize(1280, 820)


def show_splash(app: QApplication) -> QSplashScreen:
    """A small window with the icon and 正在打开台账…… shown at once, before the pages are imported and the
    database opened: on an old office PC a cold start takes many seconds, and a clerk who sees nothing starts
    the program a second time. ``splash.finish(window)`` or ``close()`` takes it away."""
    from PySide6.QtGui import QColor, QPainter, QPixmap

    ratio = app.devicePixelRatio()
    pixmap = QPixmap(int(420 * ratio), int(140 * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor("#ffffff"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#c8d3d5"))
    painter.drawRect(0, 0, 419, 139)
    if icon_path().exists():
        painter.drawPixmap(24, 30, 80, 80, QPixmap(str(icon_path())))
    title = QFont(app.font())
    title.setPointSizeF(title.pointSizeF() * 1.35)
    title.setBold(True)
    painter.setFont(title)
    painter.setPen(QColor("#1f4e5a"))
    painter.drawText(122, 34, 286, 40, Qt.AlignmentFlag.AlignVCenter, APP_NAME)
    painter.setFont(app.font())
    painter.setPen(QColor("#555555"))
    painter.drawText(122, 78, 286, 30, Qt.AlignmentFlag.AlignVCenter, f"正在打开台账……（版本 {__version__}）")
    painter.end()
    splash = QSplashScreen(pixmap)
    splash.show()
    app.processEvents()
    return splash


def show_error(title: str, text: str) -> None:
    """A Chinese error box before the main window exists (tests replace ``QMessageBox.critical``)."""
    QMessageBox.critical(None, f"{APP_NAME} — {title}", text)


def take_lock(db_path: Path) -> dbm.InstanceLock | None:
    """The one-window lock on ``db_path``; raises ``AlreadyRunning``. None when the folder cannot hold a lock
    file (missing or read-only): opening the database then says what is wrong."""
    lock = dbm.InstanceLock(db_path)
    try:
        lock.acquire()
    except AlreadyRunning:
        raise
    except OSError:
        return None
    return lock


def clean_temporaries(db_path: Path) -> None:
    """Remove temporary files a killed job left (they hold ID numbers); never stops the start."""
    from township_desk.models import files

    try:
        removed = files.clean_at_start(db_path)
    except OSError as exc:
        log.warning("清理临时文件未完成：%s", exc)
        return
    for entry in removed:
        log.info("已清理上次中断留下的临时文件：%s", entry)


def open_context(db_path: str | Path | None) -> AppContext:
    """Open (creating and migrating if needed) the database; raises ``DatabaseUnavailable`` in Chinese."""
    path = Path(db_path) if db_path else paths.default_db_path()
    ctx = AppContext(path, dbm.connect(path))
    if cipher.remembered(path) is not None:
        try:
            cipher.log_failures(ctx.db, path)  # wrong passwords typed since the last open, into the audit log
        except (UserError, sqlite3.Error) as exc:
            log.warning("未能记录密码错误：%s", exc)
    return ctx


def close_backup(ctx: AppContext) -> str | None:
    """The automatic backup when the window closes (after a daily backup still running in the background); a
    Chinese warning when it failed or could not be copied to the second backup place, else None."""
    try:
        made = backups.backup_on_close(ctx.db, ctx.db_path)
    except (UserError, OSError, sqlite3.Error) as exc:
        log.warning("关闭时的自动备份未完成：%s", exc)
        return f"关闭时的自动备份未完成：{exc}\n已保存的数据不受影响；下次打开时会再自动备份。"
    if made is not None and made.second_problem:
        return f"关闭时的自动备份已保存在本机。\n{made.second_problem}"
    return None


def run_window(db_path: str | None) -> int:
    """Open the window on the database at ``db_path`` (None: the default data folder) and run until it closes.

    Returns 0 after a normal close; 1 when another window has this database open or the start-up password was
    refused; 2 when the database cannot be used (nothing is written to it then).
    """
    from township_desk import runtime

    runtime.enable_faulthandler()  # a hard crash in the windowed exe leaves its trace in the log
    app = make_application()
    splash = show_splash(app)  # before the heavy imports below and the database
    crash.install()
    from township_desk.ui import first_start
    from township_desk.ui.lock_dialog import offer_encryption, unlock_if_needed, unlock_ledger_if_needed
    from township_desk.ui.main_window import MainWindow

    path = Path(db_path) if db_path else paths.default_db_path()

    # The lock comes before opening: opening may migrate the file, which only the one window may do.
    try:
        lock = take_lock(path)
    except AlreadyRunning as exc:
        splash.close()
        show_error("已经打开", str(exc))
        return 1
    try:
        if lock is not None:
            clean_temporaries(path)
            cipher.clean_leftovers(path)  # a re-keyed copy a killed window left half made (the ledger is whole)
        if protection.is_set(path) and cipher.remembered(path) is None:
            splash.close()  # the password dialog must not sit under the splash
            if not unlock_ledger_if_needed(path):
                return 1
        try:
            ctx = open_context(path)
        except DatabaseUnavailable as exc:
            splash.close()
            show_error("无法打开台账", str(exc))
            return 2
        if lock is not None:
            try:
                lock.lock_identity()  # a new database exists only now: a hard link made to it meets this lock
            except AlreadyRunning as exc:
                ctx.db.close()
                show_error("已经打开", str(exc))
                return 1
            ctx.instance_lock = lock  # an in-window restore moves it onto the restored file
        if lock is None:  # the database opened although no lock file could be made beside it
            splash.close()
            show_error("无法打开台账", f"无法在数据库所在的文件夹（{path.parent}）中建立锁文件，"
                       "请检查该文件夹的写入权限。")
            ctx.db.close()
            return 2
        try:
            if security.is_set(ctx.db):
                splash.close()  # the password dialog must not sit under the splash
            if not unlock_if_needed(ctx):
                return 1
            offer_encryption(ctx)  # only the old window-only password: encrypt with it, one click
            window = MainWindow(ctx, on_close=lambda: close_backup(ctx))
            fit_to_screen(window, app)
            window.show()
            window.start_daily_backup()  # in the background: the window never waits for it
            splash.finish(window)
            from township_desk.ui import charts

            charts.warm_font_cache_in_background()
            if not smoke.active():  # a new, empty ledger: the 首次使用向导 (乡镇名称, 认定政策, 村, 巡访责任人, 导入)
                first_start.offer_on_start(ctx, window)
            smoke.arm(app, window)
            code = app.exec()
            warning = window.finish()  # the smoke timer quits without closing the window
            if warning:
                sys.stderr.write(warning + "\n")
            window.deleteLater()
            return code
        finally:
            ctx.db.close()
    finally:
        if lock is not None:
            lock.release()
