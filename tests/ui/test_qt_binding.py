"""The Qt binding itself: PySide6-Essentials 6.12.0 takes a reference off ``None`` on every Qt call that returns
nothing, and on Python 3.11 (where None is not immortal) the process aborts with "none_dealloc" after a few
thousand calls — a clerk's session would die mid-work. pyproject.toml keeps the binding below 6.12; this test
fails if an upgrade brings the fault back."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_qt_calls_keep_the_reference_count_of_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    keep = [None] * 5000  # so that a faulty binding cannot drive None's count to zero inside this test
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("巡访")
        label.setEnabled(True)
    assert sys.getrefcount(None) - before > -100, "the Qt binding leaks references to None (PySide6 6.12.0?)"
    del keep
