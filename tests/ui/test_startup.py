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
