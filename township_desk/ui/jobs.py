"""Long jobs off the GUI thread, with a progress dialog that can cancel (import, export, batch print, demo).

Usage::

    def work(job: Job):                      # runs in a worker thread
        db = dbm.connect(db_path)            # its own connection
        for i, item in enumerate(items):
            if job.cancelled: raise JobCancelled
            job.progress(i, len(items), "正在导入……")
        return result

    run_job(parent, "导入台账", work, on_done=lambda result: ..., on_error=None)

``on_done`` / ``on_error`` run on the GUI thread. A ``UserError`` shows its Chinese message; any other
exception goes to the crash handler (log file + dialog). Cancelling raises ``JobCancelled`` in the worker
at its next check; the worker must leave the database and files as they were (transactions, temp files).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from township_desk.models.errors import UserError


class JobCancelled(Exception):
    """Raised inside a job when the clerk pressed 取消."""


class _Relay(QObject):
    """Lives on the GUI thread and carries a worker's progress and outcome there.

    A queued connection is delivered in the thread of the object that receives it. The job's signals are
    emitted in the worker thread; connecting them to plain functions made PySide use the emitting object's
    thread, which (moved into a ``QThread`` whose ``run`` has no event loop) never delivered them: the
    batch print never said 已保存到 and its progress dialog never closed. Signals of an object created on the
    GUI thread, emitted from the worker, are queued to the GUI thread's event loop (Anki's taskman does this).
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)  # exception, formatted traceback


class Job:
    """What the worker function receives: progress reports and the cancel flag."""

    def __init__(self, fn: Callable[[Job], Any], relay: _Relay):
        self._fn = fn
        self._relay = relay
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Raise ``JobCancelled`` when the clerk has cancelled."""
        if self._cancel.is_set():
            raise JobCancelled()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._relay.progressed.emit(int(done), int(total), text)

    def run(self) -> None:
        try:
            result = self._fn(self)
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread
            self._relay.failed.emit(exc, traceback.format_exc())
        else:
            self._relay.succeeded.emit(result)


class _Thread(QThread):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job.run()


_running: set[_Thread] = set()  # keep references until each thread ends
_relays: set[_Relay] = set()  # and each relay until its outcome has been delivered


def run_job(parent: QWidget | None, title: str, fn: Callable[[Job], Any], *,
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            show_dialog: bool = True) -> Job:
    """Start ``fn(job)`` in a worker thread; show a cancellable progress dialog until it ends.

    Must be called on the GUI thread. ``on_done(result)`` or ``on_error(exc)`` then runs there, exactly once;
    without ``on_error`` a ``UserError`` is shown as a Chinese message and anything else goes to the crash
    dialog (a cancel is silent).
    """
    relay = _Relay()
    job = Job(fn, relay)
    thread = _Thread(job)
    dialog = None
    if show_dialog:
        dialog = QProgressDialog(title + "……", "取消", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(job.cancel)

        def show_progress(done: int, total: int, text: str) -> None:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
            if text:
                dialog.setLabelText(text)

        relay.progressed.connect(show_progress, Qt.ConnectionType.QueuedConnection)

    def finish() -> None:
        _relays.discard(relay)
        if dialog is not None:
            dialog.reset()
            dialog.close()
            dialog.deleteLater()

    def done(result: Any) -> None:
        finish()
        if on_done:
            on_done(result)

    def failed(exc: BaseException, tb: str) -> None:
        finish()
        if on_error:
            on_error(exc)
            return
        if isinstance(exc, JobCancelled):
            return
        if isinstance(exc, UserError):
            QMessageBox.warning(parent, title, str(exc))
        else:
            from township_desk.ui import crash

            crash.report(exc, tb, parent)

    relay.succeeded.connect(done, Qt.ConnectionType.QueuedConnection)
    relay.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
    thread.finished.connect(lambda: _running.discard(thread))
    _running.add(thread)
    _relays.add(relay)
    thread.start()
    return job
