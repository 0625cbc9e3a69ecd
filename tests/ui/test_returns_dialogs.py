"""生成回执表 / 导入回执表 on the 巡访 page, with qtbot on a real database file: the preview lists every row's outcome
and the proposed hazards before anything is written; 导入 records the visits in the background and the page's
lists follow; an unticked hazard is not opened."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from tests.test_returns import GOOD, fill
from township_desk.models import hazards, schedule
from township_desk.printing.returns_xlsx import write_returns

TODAY = dt.date(2026, 11, 22)


def _ledger(db):
    from tests.conftest import make_id
    from township_desk.models import elders, settings, villages, visitors

    settings.put(db, {"township_name": "青山镇"})
    villages.save_village(db, {"name": "青山村"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    for seq, (name, tier) in enumerate([("张德福", "重点"), ("李秀英", "一般"), ("王大山", "一般")], start=1):
        elders.save_elder(db, {"name": name, "id_number": make_id("19500312", seq * 2 + 1), "village": "青山村",
                               "tier": tier, "visitor": "王村官", "entered_on": "2026-01-05"}, today=TODAY)
    return db


@pytest.fixture
def page(db, db_path, qtbot, monkeypatch):
    from township_desk.ui.context import AppContext
    from township_desk.ui.visits_page import VisitsPage

    _ledger(db)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(f"warning shown: {a[2]}"))
    widget = VisitsPage(AppContext(db_path, db=db, today=TODAY))
    qtbot.addWidget(widget)
    return widget


def filled_return(db, tmp_path):
    path = write_returns(db, "2026-11", tmp_path / "回执.xlsx", today=TODAY).path
    return fill(path, [("张德福", {"巡访日期": "2026.11.5", "方式": "上门", **GOOD, "燃气": "不安全"}),
                       ("李秀英", {"巡访日期": "11月6日", "方式": "上门", **GOOD, "用电": "不安全",
                                 "已通报赡养人": "是"}),
                       ("王大山", {"巡访日期": "2026-12-01", "方式": "电话"})], resort=True)


def test_the_preview_lists_every_row_then_one_import_records_them(page, db, tmp_path, qtbot, monkeypatch):
    from township_desk.ui.returns_dialogs import ReturnsPreviewDialog

    path = filled_return(db, tmp_path)
    seen = {}

    def accept(dialog):
        seen["rows"] = [(r["name"], r["status_label"], r["message"]) for r in dialog.model.rows]
        seen["hazards"] = [dialog.hazards.item(k).text() for k in range(dialog.hazards.count())]
        seen["db_visits"] = db.execute("SELECT COUNT(*) FROM live_visits").fetchone()[0]
        dialog.hazards.item(1).setCheckState(Qt.CheckState.Unchecked)  # the clerk: not a hazard
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ReturnsPreviewDialog, "exec", accept)
    before = schedule.monthly_visit_rate(db, "2026-11")[0]
    page.import_returns([str(path)])
    qtbot.waitUntil(lambda: db.execute("SELECT COUNT(*) FROM live_visits").fetchone()[0] == 2, timeout=15000)
    assert seen["db_visits"] == 0  # nothing written while the clerk looks
    statuses = sorted((name, status) for name, status, _m in seen["rows"])
    assert statuses == [("张德福", "将登记"), ("李秀英", "将登记"), ("王大山", "有问题，不导入")]
    assert any("不在本回执表的月份（2026-11）内" in m for _n, _s, m in seen["rows"])
    assert sorted(seen["hazards"]) == ["青山村 张德福 2026-11-05：燃气不安全",
                                       "青山村 李秀英 2026-11-06：用电不安全（已通报赡养人）"]
    assert schedule.monthly_visit_rate(db, "2026-11")[0] == before + 2
    qtbot.waitUntil(lambda: len(hazards.list_hazards(db)) == 1, timeout=5000)
    assert [h["name"] for h in hazards.list_hazards(db)] == [seen["hazards"][0].split()[1]]


def test_cancelling_the_preview_writes_nothing(page, db, tmp_path, qtbot, monkeypatch):
    from township_desk.ui.returns_dialogs import ReturnsPreviewDialog

    shown = []
    monkeypatch.setattr(ReturnsPreviewDialog, "exec", lambda d: shown.append(d) or QDialog.DialogCode.Rejected)
    page.import_returns([str(filled_return(db, tmp_path))])
    qtbot.waitUntil(lambda: bool(shown), timeout=15000)
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0 and hazards.list_hazards(db) == []


def test_the_make_button_writes_the_return_chosen(page, db, tmp_path, qtbot, monkeypatch):
    from township_desk.ui import returns_dialogs, widgets

    target = tmp_path / "十一月回执.xlsx"

    def choose(dialog):
        dialog.village.setCurrentIndex(dialog.village.findData("青山村"))
        dialog.full_ids.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(returns_dialogs.MakeReturnsDialog, "exec", choose)
    monkeypatch.setattr(widgets, "ask_save_file", lambda *a, **k: target)
    page.make_returns_button.click()
    qtbot.waitUntil(target.exists, timeout=15000)
    from tests.conftest import make_id

    ws = openpyxl.load_workbook(target)["青山村"]
    assert ws["A1"].value == "青山镇青山村 2026年11月 巡访回执表"
    assert make_id("19500312", 3) in [ws.cell(r, 4).value for r in range(4, 10)]  # 完整身份证号码, as ticked


def test_the_preview_at_1366x768(page, db, tmp_path, qtbot):
    """Renders the preview dialog to a PNG (look at it) and checks it fits an office laptop's screen."""
    from township_desk.models import returns
    from township_desk.ui.returns_dialogs import ReturnsPreviewDialog

    path = filled_return(db, tmp_path)
    staged = returns.read_and_stage(db, [path], today=TODAY)
    page.resize(1366, 768)
    dialog = ReturnsPreviewDialog(staged, page)
    qtbot.addWidget(dialog)
    dialog.resize(1366 - 80, 768 - 80)  # what size_for_screen gives on a 1366×768 screen (offscreen's is smaller)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 1366 and dialog.height() <= 768
    image = dialog.grab()
    image.save(str(tmp_path / "returns_preview.png"))
    import os

    if os.environ.get("TOWNSHIP_DESK_SHOTS"):
        image.save(os.environ["TOWNSHIP_DESK_SHOTS"])
    assert image.width() > 600


def test_both_buttons_show_on_the_page_at_1366x768(page, qtbot):
    import os

    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    for button in (page.make_returns_button, page.import_returns_button):
        assert button.isVisible() and button.text() in ("生成回执表…", "导入回执表…")
        assert page.rect().contains(button.mapTo(page, button.rect().bottomRight()))
    if os.environ.get("TOWNSHIP_DESK_SHOTS"):
        page.grab().save(os.environ["TOWNSHIP_DESK_SHOTS"].replace(".png", "_page.png"))


def test_one_file_each_writes_a_return_per_village_into_the_folder(page, db, tmp_path, qtbot, monkeypatch):
    from township_desk.models import villages
    from township_desk.ui import returns_dialogs

    villages.save_village(db, {"name": "白鹤村"})  # nobody on its plan: it gets no file
    folder = tmp_path / "各村"
    folder.mkdir()

    def choose(dialog):
        assert dialog.one_file_each.isEnabled()
        dialog.one_file_each.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(returns_dialogs.MakeReturnsDialog, "exec", choose)
    monkeypatch.setattr(returns_dialogs, "ask_folder", lambda _parent: str(folder))
    page.make_returns_button.click()
    qtbot.waitUntil(lambda: (folder / "巡访回执表_2026-11_青山村.xlsx").exists(), timeout=15000)
    assert sorted(p.name for p in folder.iterdir()) == ["巡访回执表_2026-11_青山村.xlsx"]
    assert openpyxl.load_workbook(folder / "巡访回执表_2026-11_青山村.xlsx").sheetnames[0] == "青山村"
