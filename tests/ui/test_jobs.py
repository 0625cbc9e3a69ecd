"""ui/jobs.run_job: the one way to run long work off the GUI thread; its callbacks must really arrive."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton, QWidget

from township_desk.models.errors import UserError
from township_desk.ui import jobs


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _gui_thread() -> QThread:
    return QApplication.instance().thread()


def test_on_done_arrives_on_the_gui_thread_with_the_result(qtbot, parent):
    seen = {}

    def work(job):
        seen["worker"] = QThread.currentThread()
        return 42

    def done(result):
        seen["result"] = result
        seen["done_thread"] = QThread.currentThread()

    jobs.run_job(parent, "测试", work, on_done=done)
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    assert seen["result"] == 42
    assert seen["done_thread"] is _gui_thread()
    assert seen["worker"] is not _gui_thread()


def test_the_progress_dialog_closes_when_the_job_ends(qtbot, parent):
    finished = []

    def work(job):
        for i in range(3):
            job.progress(i, 3, f"第 {i} 步")
            time.sleep(0.2)  # long enough for the dialog to appear (after 300 ms)
        return "ok"

    jobs.run_job(parent, "测试", work, on_done=finished.append)
    qtbot.waitUntil(lambda: finished == ["ok"], timeout=5000)
    qtbot.wait(50)
    assert not [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]


def test_an_error_reaches_on_error(qtbot, parent):
    errors = []

    def work(job):
        raise UserError("第 3 行：身份证号码校验位不对")

    jobs.run_job(parent, "测试", work, on_done=lambda r: pytest.fail("on_done after an error"),
                 on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], UserError) and "校验位" in str(errors[0])


def test_a_user_error_without_on_error_is_shown_as_a_chinese_message(qtbot, parent, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))

    def work(job):
        raise UserError("磁盘已满")

    jobs.run_job(parent, "导出", work)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown == ["磁盘已满"]


def test_cancel_stops_the_work_before_it_writes(qtbot, parent, tmp_path):
    started = threading.Event()
    outcome = []
    target = tmp_path / "out.txt"

    def work(job):
        started.set()
        for _ in range(200):
            job.check()
            time.sleep(0.01)
        target.write_text("written", encoding="utf-8")
        return "finished"

    job = jobs.run_job(parent, "测试", work, on_done=outcome.append, on_error=outcome.append)
    assert started.wait(5)
    job.cancel()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert isinstance(outcome[0], jobs.JobCancelled)
    assert not target.exists()


def test_the_window_stays_responsive_while_a_job_runs(qtbot, parent):
    ticks = []
    release = threading.Event()
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    done = []

    jobs.run_job(parent, "测试", lambda job: release.wait(5), on_done=done.append, show_dialog=False)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=3000)  # the event loop runs while the worker waits
    release.set()
    qtbot.waitUntil(lambda: done == [True], timeout=5000)
    timer.stop()


def test_pressing_cancel_in_the_progress_dialog_stops_the_work_and_writes_nothing(qtbot, parent, tmp_path):
    target = tmp_path / "out.txt"
    cancelled = []

    def work(job):
        for i in range(500):
            job.check()
            job.progress(i, 500, "正在写入……")
            time.sleep(0.01)
        target.write_text("written", encoding="utf-8")

    job = jobs.run_job(parent, "批量打印", work, on_done=lambda r: pytest.fail("on_done after 取消"),
                       on_cancel=lambda: cancelled.append(True))
    qtbot.waitUntil(lambda: job.dialog is not None and job.dialog.isVisible(), timeout=5000)  # after the delay
    qtbot.mouseClick(job.dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)  # 取消
    qtbot.waitUntil(lambda: cancelled == [True], timeout=5000)
    assert not target.exists() and job.dialog is None


def test_an_unexpected_error_reaches_the_crash_dialog_with_its_traceback(qtbot, parent, monkeypatch):
    from township_desk.ui import crash

    reported = []
    monkeypatch.setattr(crash, "report", lambda exc, tb=None, where=None: reported.append((exc, tb, where)))

    def work(job):
        raise ZeroDivisionError("除数为零")

    jobs.run_job(parent, "导出", work)
    qtbot.waitUntil(lambda: bool(reported), timeout=5000)
    exc, tb, where = reported[0]
    assert isinstance(exc, ZeroDivisionError) and "in work" in tb and where is parent


def test_what_the_work_changed_is_announced_before_on_done(qtbot, parent):
    from township_desk.models.changes import Changes

    order = []

    class Ctx:
        def announce(self, changes):
            order.append(("announce", changes.tables))

    class Result:
        written = Changes.of("elders")

    jobs.run_job(parent, "导入", lambda job: Result(), ctx=Ctx(), on_done=lambda r: order.append(("done", r)))
    qtbot.waitUntil(lambda: len(order) == 2, timeout=5000)
    assert order[0] == ("announce", frozenset({"elders"})) and order[1][0] == "done"

    order.clear()
    jobs.run_job(parent, "备份", lambda job: None, ctx=Ctx(), changes=Changes.of("settings"),
                 on_done=lambda r: order.append(("done", r)))
    qtbot.waitUntil(lambda: len(order) == 2, timeout=5000)
    assert order == [("announce", frozenset({"settings"})), ("done", None)]


def test_a_failed_job_announces_nothing(qtbot, parent):
    from township_desk.models.changes import Changes

    announced, errors = [], []

    class Ctx:
        def announce(self, changes):
            announced.append(changes)

    def work(job):
        raise UserError("第 2 行：姓名为空")

    jobs.run_job(parent, "导入", work, ctx=Ctx(), changes=Changes.of("elders"), on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert announced == []


def test_what_the_writers_noted_on_the_jobs_connection_is_announced_and_it_is_closed(qtbot, parent, db_path):
    from township_desk.models import villages

    announced, done, kept = [], [], []

    class Ctx:
        def announce(self, changes):
            announced.append(changes)

    def work(job):
        db = job.connect(db_path)
        kept.append(db)
        return villages.save_village(db, {"name": "青山村"})

    jobs.run_job(parent, "保存", work, ctx=Ctx(), on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert [c.tables for c in announced] == [frozenset({"villages"})] and announced[0].ids_of("villages") == done
    with pytest.raises(Exception, match="closed"):
        kept[0].execute("SELECT 1")


def test_a_failed_jobs_notes_are_not_announced(qtbot, parent, db_path):
    from township_desk.models import villages

    announced, errors = [], []

    class Ctx:
        def announce(self, changes):
            announced.append(changes)

    def work(job):
        villages.save_village(job.connect(db_path), {"name": "青山村"})
        raise UserError("第 2 行：姓名为空")

    jobs.run_job(parent, "导入", work, ctx=Ctx(), on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert announced == []


def test_wait_returns_once_the_outcome_is_on_its_way(qtbot, parent):
    done = []
    job = jobs.run_job(parent, "自动备份", lambda job: time.sleep(0.1) or "ok", on_done=done.append,
                       show_dialog=False)
    assert job.wait(5)
    qtbot.waitUntil(lambda: done == ["ok"], timeout=5000)
