"""The main window and its start-up (ui/app.py), driven with qtbot on real database files; modal boxes replaced."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import threading
import types

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from tests.conftest import VALID_IDS
from township_desk.models import backups, elders, paths, settings
from township_desk.models import db as dbm
from township_desk.models.changes import Changes
from township_desk.ui import app as app_module
from township_desk.ui import crash
from township_desk.ui.context import AppContext
from township_desk.ui.main_window import FIRST_START_NOTICE, MainWindow
from township_desk.ui.pages import PAGES, page_titles
from township_desk.ui.settings import messages

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def reports(monkeypatch) -> list[BaseException]:
    """Errors handed to the crash reporter (its dialog would block the test)."""
    seen: list[BaseException] = []
    monkeypatch.setattr(crash, "report", lambda exc, tb=None, parent=None: seen.append(exc))
    return seen


@pytest.fixture
def ctx(db, db_path):
    return AppContext(db_path, db)


def make_window(qtbot, ctx, on_close=None) -> MainWindow:
    window = MainWindow(ctx, on_close=on_close)
    qtbot.addWidget(window)
    return window


def panel_texts(window: MainWindow, title: str) -> list[str]:
    return [label.text() for label in window.holders[title].findChildren(QLabel)]


def fake_page_module(monkeypatch, spec_title: str, page_class: type) -> None:
    spec = next(s for s in PAGES if s.title == spec_title)
    module = types.ModuleType(spec.module)
    setattr(module, spec.class_name, page_class)
    monkeypatch.setitem(sys.modules, spec.module, module)


# ---------------------------------------------------------------------------------------------- pages


def test_first_start_lists_the_eight_pages_and_opens_settings(qtbot, ctx, reports):
    window = make_window(qtbot, ctx)
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == page_titles()
    assert len(page_titles()) == 8
    assert window.current_title() == "设置"
    assert window.nav.currentItem().text() == "设置"
    assert window.windowTitle() == "乡镇留守老人关爱服务台账 — 未设置乡镇名称"
    assert "请先在“设置 → 基本信息”中填写乡镇名称" in window.notice_label.text()
    assert reports == []


def test_with_a_township_name_the_home_page_comes_first(qtbot, ctx, reports):
    settings.put(ctx.db, {"township_name": "青山镇"})
    window = make_window(qtbot, ctx)
    assert window.current_title() == "首页"
    assert window.windowTitle() == "乡镇留守老人关爱服务台账 — 青山镇"
    assert window.notices() == []


def test_pages_are_built_only_when_first_shown(qtbot, ctx, reports):
    from township_desk.ui.agreements_page import AgreementsPage
    from township_desk.ui.settings import SettingsPage

    window = make_window(qtbot, ctx)
    assert {t: h.state for t, h in window.holders.items() if h.state != "empty"} == {"设置": "built"}
    assert isinstance(window.current_page(), SettingsPage)

    page = window.show_page("互助协议")
    assert isinstance(page, AgreementsPage) and window.current_page() is page
    assert window.stack.currentWidget() is window.holders["互助协议"]
    assert window.nav.currentItem().text() == "互助协议"
    assert window.holders["打印"].state == "empty"

    printed = window.page("打印")  # built without being shown
    assert window.holders["打印"].state == "built" and window.current_title() == "互助协议"
    assert window.page("打印") is printed  # cached, not built twice


def test_a_page_module_that_cannot_be_imported_is_an_error_not_a_pending_page(qtbot, ctx, reports, monkeypatch):
    monkeypatch.setitem(sys.modules, "township_desk.ui.ledger_page", None)  # import fails: module missing
    window = make_window(qtbot, ctx)
    assert window.show_page("台账") is None
    assert window.current_title() == "台账" and window.holders["台账"].state == "failed"
    assert "“台账”页面未能打开。已保存的数据不受影响。" in panel_texts(window, "台账")
    assert len(reports) == 1 and isinstance(reports[0], ImportError)


def test_a_page_without_the_page_protocol_is_refused(qtbot, ctx, reports, monkeypatch):
    class Bare(QLabel):
        def __init__(self, ctx, parent=None):
            super().__init__("", parent)

    fake_page_module(monkeypatch, "风险评估", Bare)
    window = make_window(qtbot, ctx)
    assert window.show_page("风险评估") is None and window.holders["风险评估"].state == "failed"
    assert "ui.pages.Page" in str(reports[0])


class FakePage(QLabel):
    """The least a page must be (ui.pages.Page)."""

    SHOWS = frozenset({"elders", "visits"})

    def __init__(self, ctx, parent=None):
        super().__init__("风险评估页", parent)
        self.calls: list[str] = []

    def refresh(self):
        self.calls.append("refresh")

    def apply_filters(self, filters):
        self.calls.append(f"filters {filters}")

    def can_close(self):
        return True


def test_a_page_that_fails_to_build_goes_to_the_crash_reporter(qtbot, ctx, reports, monkeypatch):
    class Broken:
        def __init__(self, ctx, parent=None):
            raise RuntimeError("页面出错了")

    fake_page_module(monkeypatch, "风险评估", Broken)
    window = make_window(qtbot, ctx)
    assert window.show_page("风险评估") is None
    assert [str(e) for e in reports] == ["页面出错了"]
    assert window.holders["风险评估"].state == "failed"
    assert "“风险评估”页面未能打开。已保存的数据不受影响。" in panel_texts(window, "风险评估")

    fake_page_module(monkeypatch, "风险评估", FakePage)
    window._retry(window.holders["风险评估"])
    assert isinstance(window.current_page(), FakePage)


def test_a_missing_dependency_of_a_page_is_an_error_not_a_pending_page(qtbot, ctx, reports, monkeypatch):
    class NeedsSomething:
        def __init__(self, ctx, parent=None):
            import township_desk.models.no_such_module  # noqa: F401

    fake_page_module(monkeypatch, "风险评估", NeedsSomething)
    window = make_window(qtbot, ctx)
    window.show_page("风险评估")
    assert window.holders["风险评估"].state == "failed"
    assert isinstance(reports[0], ModuleNotFoundError)


def test_navigate_switches_page_and_hands_it_the_filters(qtbot, ctx, reports):
    window = make_window(qtbot, ctx)
    window.show_page("互助协议")
    ctx.navigate("设置", tab="村（社区）")
    assert window.current_title() == "设置"
    assert window.nav.currentItem().text() == "设置"
    assert window.current_page().current_tab_title() == "村（社区）"


def test_clicking_the_navigation_list_switches_page(qtbot, ctx, reports):
    window = make_window(qtbot, ctx)
    window.nav.setCurrentRow(page_titles().index("打印"))
    assert window.current_title() == "打印" and window.holders["打印"].state == "built"


def test_ctrl_and_a_number_switch_pages(qtbot, ctx, reports):
    window = make_window(qtbot, ctx)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_title() == PAGES[4].title == "互助协议"
    qtbot.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert window.current_title() == "设置"


def test_ctrl_f_puts_the_cursor_in_the_pages_search_box(qtbot, ctx, reports):
    window = make_window(qtbot, ctx)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    ctx.navigate("设置", tab="操作日志")
    search = window.current_page().audit_panel.search
    search.setText("张德福")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(search.hasFocus)
    assert search.selectedText() == "张德福"


def test_a_data_change_refreshes_the_shown_page_and_the_others_when_next_shown(qtbot, ctx, reports, monkeypatch):
    fake_page_module(monkeypatch, "风险评估", FakePage)
    window = make_window(qtbot, ctx)
    calls = window.show_page("风险评估").calls
    assert calls == []  # a page loads itself when built
    ctx.announce(Changes.of("elders"))
    assert calls == ["refresh"]

    window.show_page("设置")
    ctx.announce(Changes.of("visits"))
    assert calls == ["refresh"] and window.holders["风险评估"].stale
    window.show_page("风险评估")
    assert calls == ["refresh", "refresh"] and not window.holders["风险评估"].stale
    window.show_page("设置")
    window.show_page("风险评估")
    assert calls == ["refresh", "refresh"]  # nothing changed meanwhile


def test_a_change_to_a_table_a_page_does_not_show_leaves_it_alone(qtbot, ctx, reports, monkeypatch):
    fake_page_module(monkeypatch, "风险评估", FakePage)
    window = make_window(qtbot, ctx)
    calls = window.show_page("风险评估").calls
    ctx.announce(Changes.of("agreements"))                       # FakePage shows elders and visits
    assert calls == [] and not window.holders["风险评估"].stale
    ctx.announce(Changes.of("agreements", "visits"))
    assert calls == ["refresh"]
    window.show_page("设置")
    ctx.check_other_writers()                      # nothing committed elsewhere: nothing announced
    ctx.announce(Changes.everything())             # e.g. a restored backup
    assert window.holders["风险评估"].stale


def test_naming_the_township_updates_the_title_and_clears_the_first_start_notice(qtbot, ctx, reports):
    window = make_window(qtbot, ctx)
    page = window.current_page()
    page.basic_tab.edits["township_name"].setText("青山镇")
    page.basic_tab.save_button.click()
    assert window.windowTitle() == "乡镇留守老人关爱服务台账 — 青山镇"
    assert FIRST_START_NOTICE not in window.notices()


def test_status_bar_shows_database_elders_on_ledger_and_last_automatic_backup(qtbot, ctx, reports):
    ids = [elders.save_elder(ctx.db, {"name": name, "id_number": VALID_IDS[n], "village": "青山村"},
                             today=TODAY).elder_id for n, name in enumerate(("张德福", "李秀英", "王桂兰"))]
    elders.change_status(ctx.db, ids[2], "已去世", TODAY, "病故")
    window = make_window(qtbot, ctx)
    assert window.path_label.text() == f"数据库：{ctx.db_path}"
    assert window.count_label.text() == "在册 2 人"
    assert window.backup_label.text() == "尚无自动备份"

    backups.daily_backup_if_due(ctx.db, ctx.db_path, now=dt.datetime(2026, 11, 22, 8, 30, 5))
    elders.save_elder(ctx.db, {"name": "赵大山", "id_number": VALID_IDS[3], "village": "青山村"}, today=TODAY)
    ctx.announce(Changes.of("elders"))
    assert window.count_label.text() == "在册 3 人"
    assert window.backup_label.text() == "最近自动备份：2026-11-22 08:30"


# ---------------------------------------------------------------------------------------------- closing


def test_closing_the_window_runs_the_on_close_hook_once(qtbot, ctx, reports):
    ran: list[int] = []
    window = make_window(qtbot, ctx, on_close=lambda: ran.append(1))
    window.show()
    assert window.close()
    assert ran == [1]
    window.finish()  # after the event loop: already done
    assert ran == [1]


def test_unsaved_settings_can_keep_the_window_open(qtbot, ctx, reports, monkeypatch):
    ran: list[int] = []
    window = make_window(qtbot, ctx, on_close=lambda: ran.append(1))
    window.show()
    window.show_page("互助协议")
    window.page("设置").basic_tab.edits["township_name"].setText("青山镇")
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask_unsaved", lambda _p, text: asked.append(text) or "cancel")

    assert not window.close()
    assert ran == [] and window.current_title() == "设置" and "“基本信息”有未保存的修改" in asked[0]

    monkeypatch.setattr(messages, "ask_unsaved", lambda _p, text: "save")
    assert window.close()
    assert ran == [1] and settings.get(ctx.db, "township_name") == "青山镇"


def test_a_failed_backup_on_closing_is_shown_and_the_window_still_closes(qtbot, ctx, reports, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _title, text, *a: shown.append(text))
    window = make_window(qtbot, ctx, on_close=lambda: "关闭时的自动备份未完成：磁盘已满")
    window.show()
    assert window.close()
    assert shown == ["关闭时的自动备份未完成：磁盘已满"]


def test_close_backup_is_made_after_a_change_and_skipped_without_one(ctx, monkeypatch):
    backups.daily_backup_if_due(ctx.db, ctx.db_path, now=dt.datetime(2026, 11, 22, 8, 0, 0))
    assert app_module.close_backup(ctx) is None
    assert len(backups.automatic_backups(ctx.db, ctx.db_path)) == 1  # nothing changed since the daily one
    settings.put(ctx.db, {"township_name": "青山镇"})
    assert app_module.close_backup(ctx) is None
    assert len(backups.automatic_backups(ctx.db, ctx.db_path)) == 2


def test_close_backup_that_missed_the_second_place_says_so(ctx, tmp_path):
    paths.save_local_config(second_backup_dir=str(tmp_path / "没插的U盘"))
    settings.put(ctx.db, {"township_name": "青山镇"})
    warning = app_module.close_backup(ctx)
    assert warning.startswith("关闭时的自动备份已保存在本机。") and "没插的U盘" in warning
    assert len(backups.automatic_backups(ctx.db, ctx.db_path)) == 1


def test_close_backup_failure_is_a_chinese_warning(ctx, monkeypatch):
    from township_desk.models.errors import UserError

    def full(*_a, **_k):
        raise UserError("磁盘已满，备份未能完成。")

    monkeypatch.setattr(backups, "backup_on_close", full)
    warning = app_module.close_backup(ctx)
    assert warning.startswith("关闭时的自动备份未完成：磁盘已满") and "已保存的数据不受影响" in warning


# ---------------------------------------------------------------------------------------------- start-up


@pytest.fixture
def boxes(monkeypatch) -> list[tuple[str, str]]:
    """QMessageBox.critical calls (title, text); the crash handler left as pytest-qt installed it."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a: shown.append((title, text)))
    monkeypatch.setattr(crash, "install", lambda: None)
    return shown


def test_a_database_from_a_newer_version_is_refused_and_left_unchanged(qtbot, tmp_path, boxes):
    path = tmp_path / "newer.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE elders (id INTEGER PRIMARY KEY)")
    conn.execute(f"PRAGMA application_id = {dbm.APPLICATION_ID}")  # a newer Township Desk stamps its files
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    assert app_module.run_window(str(path)) == 2

    assert len(boxes) == 1 and "更新版本" in boxes[0][1] and "已拒绝打开" in boxes[0][1]
    assert path.read_bytes() == before
    assert not path.with_name("newer.db-wal").exists()
    with dbm.InstanceLock(path):  # the lock was given back
        pass


def test_a_second_window_on_the_same_database_is_told_it_is_open(qtbot, db, db_path, boxes):
    with dbm.InstanceLock(db_path):
        assert app_module.run_window(str(db_path)) == 1
    assert len(boxes) == 1 and "已经在另一个窗口中打开了这个台账" in boxes[0][1]


def test_a_refused_password_closes_without_opening_the_window(qtbot, db, db_path, boxes, monkeypatch):
    from township_desk.ui import lock_dialog

    monkeypatch.setattr(lock_dialog, "unlock_if_needed", lambda ctx, parent=None: False)
    assert app_module.run_window(str(db_path)) == 1
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    with dbm.InstanceLock(db_path):
        pass


def test_the_window_opens_on_a_new_database_and_backs_up_daily_and_on_closing(qtbot, tmp_path, boxes, monkeypatch):
    # The real event loop is not run here: once it has quit, the test process's shared QApplication refuses
    # later modal loops. The loop below stands in for the clerk: look at the window, name the township, close.
    from township_desk.ui import smoke

    path = tmp_path / "new.db"
    seen: dict[str, str] = {}
    armed: list[object] = []
    monkeypatch.setattr(smoke, "arm", lambda app, window=None: armed.append(app) or False)

    def clerk() -> int:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        qtbot.waitUntil(lambda: window.backup_label.text().startswith("最近自动备份："), timeout=20000)
        seen.update(title=window.windowTitle(), page=window.current_title(), backup=window.backup_label.text())
        page = window.current_page()
        page.basic_tab.edits["township_name"].setText("青山镇")
        page.basic_tab.save_button.click()
        assert window.close()
        return 0

    monkeypatch.setattr(QApplication.instance(), "exec", clerk)
    assert app_module.run_window(str(path)) == 0

    assert boxes == [] and armed == [QApplication.instance()]
    assert seen["title"].endswith("未设置乡镇名称") and seen["page"] == "设置"
    assert seen["backup"].startswith("最近自动备份：")
    reopened = dbm.connect(path)
    kinds = sorted(p.name.rsplit("_", 1)[1] for p in backups.automatic_backups(reopened, path))
    assert kinds == ["close.zip", "daily.zip"]  # the township name was saved after the daily backup
    assert settings.get(reopened, "township_name") == "青山镇"
    reopened.close()
    with dbm.InstanceLock(path):  # released after the loop ended
        pass


def test_a_failed_daily_backup_is_a_warning_not_a_crash(qtbot, ctx, reports, monkeypatch):
    def no_space(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "daily_backup_in_background", no_space)
    window = make_window(qtbot, ctx)
    window.start_daily_backup()
    qtbot.waitUntil(lambda: any(t.startswith("今天的自动备份未完成") for t in window.notices()), timeout=10000)
    assert reports == [] and "color: #b00020" in window.notice_label.styleSheet()


def test_the_window_does_not_wait_for_the_daily_backup(qtbot, ctx, monkeypatch):
    release = threading.Event()
    real = backups.daily_backup_in_background

    def slow(path, **kw):
        assert release.wait(20)
        return real(path, **kw)

    monkeypatch.setattr(backups, "daily_backup_in_background", slow)
    settings.put(ctx.db, {"township_name": "青山镇"})  # no first-start notice
    window = make_window(qtbot, ctx)
    window.start_daily_backup()           # returns at once although the backup is still waiting
    assert window.backup_label.text() == "尚无自动备份"
    release.set()
    qtbot.waitUntil(lambda: window.backup_label.text().startswith("最近自动备份："), timeout=20000)
    assert "已完成今天的自动备份" in window.statusBar().currentMessage()
    window.wait_for_daily_backup()


def test_a_missing_second_backup_place_is_reminded_of_in_the_status_bar(qtbot, ctx, tmp_path):
    paths.save_local_config(second_backup_dir=str(tmp_path / "U盘"))
    window = make_window(qtbot, ctx)
    window.start_daily_backup()
    assert any("第二备份位置" in t and "U盘" in t for t in window.notices())
    assert "第二备份位置" in window.notice_label.text()
    window.wait_for_daily_backup()


def test_the_application_speaks_chinese(qtbot):
    app = app_module.make_application()
    assert app.applicationName() == "TownshipDesk" and app.organizationName() == "TownshipDesk"
    assert not app.windowIcon().isNull()
    assert QApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QApplication.translate("QPlatformTheme", "OK") == "确定"


@pytest.mark.parametrize("title", ["台账", "互助协议", "打印"])
def test_a_change_refreshes_the_shown_page_once(qtbot, ctx, reports, title):
    """The window is the one path from an announcement to a page: a page never also listens to ctx itself."""
    window = make_window(qtbot, ctx)
    page = window.show_page(title)
    calls = []
    real = page.refresh
    page.refresh = lambda: calls.append(1) or real()
    ctx.announce(Changes.of("elders"))
    assert calls == [1]
    ctx.announce(Changes.of("hazards"))  # none of these pages shows hazards
    assert calls == [1]
