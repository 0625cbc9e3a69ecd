"""The one way to run work off the GUI thread (import, export, batch print, backup, the dashboard's figures).

Usage::

    def work(job: Job):                      # runs in a worker thread
        db = job.connect(db_path)            # its own connection (SQLite: one per thread), closed at the end
        for i, item in enumerate(items):
            job.check()                      # raises JobCancelled once the clerk pressed 取消
            job.progress(i, len(items), "正在导入……")
        return result

    run_job(parent, "导入台账", work, on_done=lambda result: ..., ctx=ctx)

The progress dialog appears only when the work takes longer than a moment (``DIALOG_DELAY_MS``) and can cancel.
``on_done`` / ``on_error`` / ``on_cancel`` run on the GUI thread, exactly one of them, through one relay object
that lives there. Before ``on_done`` the op announces what it changed through ``ctx.announce``: ``changes`` when
given, else what the writers noted on ``job.connect`` connections and what the result says it wrote
(``models.changes.written``). Without ``on_error`` a ``UserError``
shows its Chinese message and anything else goes to the crash handler; a cancel is silent unless ``on_cancel``.
The worker must leave the database and files as they were when cancelled (transactions, temp files).
"""

from __future__ import annotations

import atexit
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget
from shiboken6 import isValid

from township_desk.models.changes import Changes, take, written
from township_desk.models.errors import UserError

DIALOG_DELAY_MS = 300  # shorter work shows no dialog at all


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
    """What the worker function receives: progress reports and the cancel flag; the caller keeps it to cancel,
    to wait for the end, or to reach the progress ``dialog`` (None when not shown)."""

    def __init__(self, fn: Callable[[Job], Any], relay: _Relay):
        self._fn = fn
        self._relay = relay
        self._cancel = threading.Event()
        self._ended = threading.Event()
        self.dialog: QProgressDialog | None = None
        self._connections: list = []
        self.written = Changes()  # what the work noted on the job's connections (``connect``), once it has ended

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Raise ``JobCancelled`` when the clerk has cancelled."""
        if self._cancel.is_set():
            raise JobCancelled()

    def connect(self, db_path):
        """A connection of the worker's own (SQLite: one per thread), closed when the work ends; what the writers
        note on it (``models.changes.note``) is announced when the job succeeds."""
        from township_desk.models import db as dbm

        db = dbm.connect(db_path)
        self._connections.append(db)
        return db

    def _close(self) -> None:
        for db in self._connections:
            self.written |= take(db)
            try:
                db.close()
            except Exception:  # noqa: BLE001, S110 - closing after the work's own error: that error is reported
                pass
        self._connections.clear()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._relay.progressed.emit(int(done), int(total), text)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker function has returned or raised and its outcome is queued to the GUI thread (the
        callbacks run at the next turn of the event loop); True if it has."""
        return self._ended.wait(timeout)

    def run(self) -> None:
        try:
            try:
                result = self._fn(self)
            finally:
                self._close()
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread
            self._relay.failed.emit(exc, traceback.format_exc())
        else:
            self._relay.succeeded.emit(result)
        finally:
            self._ended.set()  # after the emit: a waiter finds the outcome already queued to the GUI thread


class _Thread(QThread):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job.run()


# A QThread object must outlive its run whatever becomes of the page that started it, and each relay until its
# outcome has been delivered; the application waits for running workers before it quits (also when a script
# ends without an event loop, as the benchmark does).
_running: set[_Thread] = set()
_relays: set[_Relay] = set()


def wait_for_all(timeout_ms: int = 10000) -> None:
    """Wait for every running worker to end (called when the application quits)."""
    for thread in list(_running):
        thread.wait(timeout_ms)


atexit.register(wait_for_all)


def _hook_quit() -> None:
    app = QApplication.instance()
    if app is not None and not getattr(app, "_township_waits_for_jobs", False):
        app.aboutToQuit.connect(wait_for_all)
        app._township_waits_for_jobs = True


def run_job(parent: QWidget | None, title: str, fn: Callable[[Job], Any], *,
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_cancel: Callable[[], None] | None = None,
            ctx=None, changes: Changes | None = None,
            show_dialog: bool = True, cancellable: bool = True) -> Job:
    """Start ``fn(job)`` in a worker thread; show a progress dialog (after ``DIALOG_DELAY_MS``) until it ends.

    Must be called on the GUI thread. On success the changes are announced (``ctx.announce``) and then
    ``on_done(result)`` runs; on failure ``on_cancel()`` for a cancel, else ``on_error(exc)``, else the default
    (a ``UserError`` as a Chinese message, anything else the crash dialog, a cancel silently).
    """
    relay = _Relay()
    job = Job(fn, relay)
    thread = _Thread(job)
    dialog = None
    if show_dialog:
        dialog = QProgressDialog(title + "……", "取消" if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(DIALOG_DELAY_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if cancellable:
            dialog.canceled.connect(job.cancel)
        else:
            dialog.setCancelButton(None)
        job.dialog = dialog

        def show_progress(done: int, total: int, text: str) -> None:
            if not isValid(dialog):  # closed with the widget that started the job
                return
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
            if text:
                dialog.setLabelText(text)

        relay.progressed.connect(show_progress, Qt.ConnectionType.QueuedConnection)

    def finish() -> bool:
        """Close the dialog; False when the widget that started the job is gone (its callbacks are then dropped,
        as Qt drops a signal to a deleted receiver; what the work changed is still announced)."""
        _relays.discard(relay)
        relay.deleteLater()
        if dialog is not None and isValid(dialog):
            dialog.reset()
            dialog.close()
            dialog.deleteLater()
        job.dialog = None
        return parent is None or isValid(parent)

    def done(result: Any) -> None:
        alive = finish()
        announced = changes if changes is not None else job.written | written(result)
        if ctx is not None and announced:
            ctx.announce(announced)
        if on_done and alive:
            on_done(result)

    def failed(exc: BaseException, tb: str) -> None:
        if not finish():
            if not isinstance(exc, (JobCancelled, UserError)):
                from township_desk.ui import crash

                crash.report(exc, tb, None)  # a programming error is never lost
            return
        if isinstance(exc, JobCancelled) and on_cancel is not None:
            on_cancel()
            return
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
    _hook_quit()
    _running.add(thread)
    _relays.add(relay)
    thread.start()
    return job
