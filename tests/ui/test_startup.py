"""The first seconds: a splash at once on a slow cold start, taken away when the window appears."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from township_desk.ui import app as app_module


def test_the_splash_shows_at_once_and_goes_when_the_window_appears(qtbot, qapp):
    splash = app_module.show_splash(qapp)
    assert splash.isVisible()
    image = splash.pixmap().toImage()
    assert image.width() >= 420 and not image.isNull()
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    splash.finish(window)
    qtbot.waitUntil(lambda: not splash.isVisible(), timeout=5000)


def test_the_splash_is_gone_before_the_start_up_password_is_asked(qapp, db_path, monkeypatch):
    import sys

    from township_desk import runtime
    from township_desk.models import db as dbm
    from township_desk.models import security
    from township_desk.ui import lock_dialog

    database = dbm.connect(db_path)
    security.set_password(database, "abcd")
    database.close()
    monkeypatch.setattr(runtime, "enable_faulthandler", lambda: None)  # keep pytest's own
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    shown = []
    real_splash = app_module.show_splash
    monkeypatch.setattr(app_module, "show_splash", lambda app: shown.append(real_splash(app)) or shown[-1])
    asked = []
    monkeypatch.setattr(lock_dialog, "unlock_if_needed", lambda ctx: asked.append(shown[0].isVisible()) or False)
    assert app_module.run_window(str(db_path)) == 1  # 退出 at the password: the window never opens
    assert asked == [False]
