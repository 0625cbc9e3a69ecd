"""What the process needs before the program proper runs, for a windowed Windows build.

A windowed exe (PyInstaller ``console=False``) starts with ``sys.stdout`` and ``sys.stderr`` set to None: the
first ``print`` or error message would raise and PyInstaller would show its "Unhandled exception" box. And a
hard crash (a fault inside Qt or SQLite) leaves no trace without a console. Both go to today's log file in the
data folder instead (``paths.log_file()``). Command-line use belongs to the console exe
(``township-desk-cli.exe``); this only keeps the windowed one from crashing and losing what it says.
"""

from __future__ import annotations

import faulthandler
import os
import sys
from typing import TextIO

_log_stream: TextIO | None = None  # kept open for the whole run: faulthandler writes to its descriptor
_faults_logged = False


def _open_log() -> TextIO:
    global _log_stream
    if _log_stream is None or _log_stream.closed:
        from township_desk.models import paths

        try:
            _log_stream = open(paths.log_file(), "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        except OSError:  # no writable data folder: the output is dropped rather than crashing the program
            _log_stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    return _log_stream


def ensure_streams() -> None:
    """Replace a missing (None) ``sys.stdout``/``sys.stderr`` with today's log file; real streams are kept."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream = _open_log()
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


def enable_faulthandler() -> None:
    """Write the Python stack of every thread to today's log file if the process dies of a hard fault."""
    global _faults_logged
    stream = _open_log()
    stream.write(f"--- 程序启动（进程 {os.getpid()}）---\n")
    faulthandler.enable(file=stream, all_threads=True)
    _faults_logged = True


def close_log() -> None:
    """Close the log stream opened here (tests; the program leaves it to the process's end)."""
    global _log_stream, _faults_logged
    if _log_stream is not None and not _log_stream.closed:
        if _faults_logged:
            faulthandler.disable()
        _log_stream.close()
    _log_stream = None
    _faults_logged = False
