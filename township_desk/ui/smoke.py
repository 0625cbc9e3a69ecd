"""A self-closing window start for CI and the benchmark: ``TOWNSHIP_DESK_SMOKE_SECONDS=N`` quits after N seconds.

``ui/app.py`` calls ``arm(app, window)`` once the main window is shown; without the variable it does nothing.
With the window, the run is a tour: every page of the navigation is shown in turn (and the 巡访 page's charts
drawn, and the 打印 page once for each document of ``printing.kinds.KINDS``), so a page the build cannot load —
a data file or hidden import missing from the bundle — ends the run with exit code 3 and the page named on stderr
instead of passing unseen; so does a Word template of a registered document that the bundle lacks. Errors go to stderr, never to a dialog
nobody is there to close (``active()``).
"""

from __future__ import annotations

import os
import sys

ENV = "TOWNSHIP_DESK_SMOKE_SECONDS"
FAILED_EXIT = 3


def active() -> bool:
    """True during a smoke run (the crash reporter then writes to stderr instead of showing a dialog)."""
    return bool(os.environ.get(ENV))


def _tour(window) -> list[tuple[str, dict]]:
    from township_desk.printing.kinds import KINDS
    from township_desk.ui.pages import PAGES

    return ([(spec.title, {}) for spec in PAGES] + [("巡访", {"view": "charts"})]
            + [("打印", {"kind": code}) for code in KINDS])


def _missing_templates() -> list[str]:
    from township_desk.models.errors import UserError
    from township_desk.printing import docx_render
    from township_desk.printing.kinds import KINDS

    missing = []
    for kind in KINDS.values():
        for name in kind.templates:
            try:
                docx_render.template_path(name)
            except UserError:
                missing.append(f"{kind.label}（{name}）")
    return missing


def _unavailable(window) -> list[str]:
    return [f"{title}（{holder.state}）" for title, holder in getattr(window, "holders", {}).items()
            if holder.state == "failed"]


def arm(app, window=None) -> bool:
    """When ``TOWNSHIP_DESK_SMOKE_SECONDS`` is set, quit ``app`` after that many seconds; True if armed.

    With ``window`` (the MainWindow) its pages are shown one after another first; any that could not be built
    makes the run end with exit code 3.
    """
    text = os.environ.get(ENV)
    if not text:
        return False
    try:
        seconds = float(text)
    except ValueError:
        sys.stderr.write(f"{ENV}={text!r} 不是秒数，已忽略\n")
        return False
    from PySide6.QtCore import QTimer

    steps = _tour(window) if window is not None else []
    for number, (title, filters) in enumerate(steps):
        delay = int(seconds * 1000 * number / (len(steps) + 1))
        QTimer.singleShot(delay, window, lambda t=title, f=filters: window.show_page(t, **f))  # dies with it

    def done() -> None:
        missing = _unavailable(window) if window is not None else []
        if missing:
            sys.stderr.write(f"smoke: pages not available: {'、'.join(missing)}\n")
            app.exit(FAILED_EXIT)
            return
        templates = _missing_templates() if window is not None else []
        if templates:
            sys.stderr.write(f"smoke: print templates not found: {'、'.join(templates)}\n")
            app.exit(FAILED_EXIT)
            return
        shown = f", {len(steps)} pages shown" if steps else ""
        sys.stderr.write(f"smoke: window ran {seconds:g} s{shown} and closed itself\n")
        app.quit()

    QTimer.singleShot(int(seconds * 1000), done)
    return True
