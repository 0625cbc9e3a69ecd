"""A self-closing window start for CI and the benchmark: ``TOWNSHIP_DESK_SMOKE_SECONDS=N`` quits after N seconds.

``ui/app.py`` calls ``arm(app)`` once the main window is shown; without the variable it does nothing.
"""

from __future__ import annotations

import os
import sys

ENV = "TOWNSHIP_DESK_SMOKE_SECONDS"


def arm(app) -> bool:
    """When ``TOWNSHIP_DESK_SMOKE_SECONDS`` is set, quit ``app`` after that many seconds; True if armed."""
    text = os.environ.get(ENV)
    if not text:
        return False
    try:
        seconds = float(text)
    except ValueError:
        sys.stderr.write(f"{ENV}={text!r} 不是秒数，已忽略\n")
        return False
    from PySide6.QtCore import QTimer

    def done() -> None:
        sys.stderr.write(f"smoke: window ran {seconds:g} s and closed itself\n")
        app.quit()

    QTimer.singleShot(int(seconds * 1000), done)
    return True
