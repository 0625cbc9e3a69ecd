"""The 台账 page driven with qtbot over a real SQLite file: search (debounced), filters, SQL sorting, paging,
navigation filters and the buttons (modal dialogs monkeypatched)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog

from tests.conftest import VALID_IDS, make_id
from township_desk.models import elders, villages
from township_desk.models.changes import Changes
from township_desk.ui.pages import follow_changes

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def ctx(db, db_path, qtbot):
    from township_desk.ui.context import AppContext

    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "白鹤村"})
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "tier": "重点",
                           "phone": "13812345678", "visitor": "李四"}, today=TODAY)
    elders.save_elder(db, {"name": "刘秀英", "id_number": VALID_IDS[1], "village": "白鹤村", "tier": "一般"},
                      today=TODAY)
    elders.save_elder(db, {"name": "王建国", "id_number": VALID_IDS[2], "village": "青山村", "tier": "重点"},
                      today=TODAY)
    return AppContext(db_path, db=db, today=TODAY)


@pytest.fixture
def page(ctx, qtbot):
    from township_desk.ui.ledger_page import LedgerPage

    widget = LedgerPage(ctx)
    qtbot.addWidget(widget)
    follow_changes(ctx, widget)  # standing alone: follows what is announced, as the main window makes it
    return widget


def column(page, heading):
    from township_desk.ui.ledger_page import COLUMNS

    col = [h for _k, h in COLUMNS].index(heading)
    return [page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())]


def elder_id(db, name):
    return db.execute("SELECT id FROM elders WHERE name = ?", [name]).fetchone()[0]


def test_page_lists_the_elders_on_the_ledger_with_their_age_and_count(page):
    assert sorted(column(page, "姓名")) == ["刘秀英", "张德福", "王建国"]
    row = column(page, "姓名").index("张德福")
    assert column(page, "年龄")[row] == "81"                    # born 1945-03-12, full years on 2026-11-22
    assert column(page, "身份证号码")[row] == VALID_IDS[0]
    assert column(page, "巡访责任人")[row] == "李四" and column(page, "风险等级")[row] == "未评估"
    assert page.count_label.text() == "共 3 人"
    assert page.search.placeholderText() == "姓名、拼音首字母或身份证号码"
    assert page.status_combo.currentText() == "在册"


def test_typing_pinyin_initials_shows_only_that_elder_after_the_debounce(page, qtbot):
    qtbot.keyClicks(page.search, "zdf")
    assert page._search_timer.isActive() and page.model.rowCount() == 3  # not on every keystroke
    qtbot.waitUntil(lambda: column(page, "姓名") == ["张德福"], timeout=2000)
    qtbot.waitUntil(lambda: page.count_label.text() == "共 1 人", timeout=2000)


def test_typing_id_digits_finds_by_id_and_enter_searches_at_once(page, qtbot):
    qtbot.keyClicks(page.search, "19520708")                       # 刘秀英's birth date inside her ID
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert column(page, "姓名") == ["刘秀英"] and not page._search_timer.isActive()
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=2000)


def test_village_filter(page):
    page.village_combo.setCurrentText("青山村")
    assert sorted(column(page, "姓名")) == ["张德福", "王建国"]
    assert set(column(page, "村（社区）")) == {"青山村"}
    page.village_combo.setCurrentText("白鹤村")
    assert column(page, "姓名") == ["刘秀英"]


def test_status_filter_defaults_to_on_ledger_and_shows_others_grey(page):
    elders.change_status(page.ctx.db, elder_id(page.ctx.db, "王建国"), "暂离", TODAY, "住院治疗")
    page.ctx.announce(Changes.of("elders"))
    assert sorted(column(page, "姓名")) == ["刘秀英", "张德福"]
    page.status_combo.setCurrentText("全部")
    names = column(page, "姓名")
    assert sorted(names) == ["刘秀英", "张德福", "王建国"]
    away = names.index("王建国")
    assert column(page, "状态")[away] == "暂离"
    grey = page.model.data(page.model.index(away, 0), Qt.ItemDataRole.ForegroundRole)
    assert isinstance(grey, QColor) and grey.name() == "#888888"
    assert page.model.data(page.model.index(names.index("张德福"), 0), Qt.ItemDataRole.ForegroundRole) is None
    page.status_combo.setCurrentText("暂离")
    assert column(page, "姓名") == ["王建国"]


def test_flag_and_tier_filters(page):
    elders.save_elder(page.ctx.db, {"name": "张德福", "id_number": VALID_IDS[0], "lives_alone": True},
                      elder_id=elder_id(page.ctx.db, "张德福"), today=TODAY)
    page.refresh()
    page.flag_checks["独居"].setChecked(True)
    assert column(page, "姓名") == ["张德福"]
    page.flag_checks["独居"].setChecked(False)
    page.flag_checks["高龄"].setChecked(True)                      # 80+: born 1945 and 1938, not 1952
    assert sorted(column(page, "姓名")) == ["张德福", "王建国"]
    page.flag_checks["高龄"].setChecked(False)
    page.tier_combo.setCurrentText("一般")
    assert column(page, "姓名") == ["刘秀英"]


def test_clicking_the_name_header_sorts_in_sql_and_reverses(page, qtbot):
    page.show()
    qtbot.waitExposed(page)
    header = page.view.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_centre(header, 0))
    first = column(page, "姓名")
    assert page.model.order_by == "name"
    by_initials = ["刘秀英", "王建国", "张德福"]                     # lxy, wjg, zdf
    assert first == (list(reversed(by_initials)) if page.model.descending else by_initials)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_centre(header, 0))
    assert column(page, "姓名") == list(reversed(first))


def _centre(header, section):
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2)


def test_model_keeps_the_qt_contract(page, qtmodeltester):
    qtmodeltester.check(page.model, force_py=True)
    qtmodeltester.check(page.model)


def bulk_insert(db, count):
    """``count`` elders straight into the table with executemany (fast: no per-row checks)."""
    village = villages.village_id(db, "青山村")
    rows = []
    for n in range(count):
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=n * 7)
        rows.append((make_id(birth.strftime("%Y%m%d"), n % 999 + 1), f"村民{n:04d}", "cm", "男" if n % 2 else "女",
                     birth.isoformat(), village, TODAY.isoformat()))
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO elders(id_number, name, name_initials, sex, birth_date, village_id, entered_on)"
            " VALUES (?,?,?,?,?,?,?)", rows)


def test_a_large_ledger_is_fetched_a_page_at_a_time(page, qtbot):
    from township_desk.ui.ledger_page import PAGE

    bulk_insert(page.ctx.db, 3000)
    page.ctx.announce(Changes.of("elders"))
    assert page.count_label.text() == "共 3003 人"
    assert page.model.rowCount() == PAGE and page.model.canFetchMore()
    page.model.fetchMore()
    assert page.model.rowCount() == 2 * PAGE
    page.view.scrollToBottom()                                   # the view asks for more as the clerk scrolls
    qtbot.waitUntil(lambda: page.model.rowCount() > 2 * PAGE, timeout=2000)
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == 3003
    assert len({r["id"] for r in page.model.rows}) == 3003       # no row twice, none missing

    page.search.setText("村民2999")                               # QTest types ASCII only
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert column(page, "姓名") == ["村民2999"] and not page.model.canFetchMore()
    assert page.count_label.text() == "共 1 人"


def test_a_broad_search_shows_its_rows_first_and_its_count_next(page, qtbot, monkeypatch):
    from township_desk.ui.ledger_page import PAGE

    bulk_insert(page.ctx.db, 1000)
    counts = []
    real_count = elders.count_elders
    monkeypatch.setattr(elders, "count_elders", lambda db, query: counts.append(query.search) or real_count(db, query))
    page.search.setText("cm")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.model.rowCount() == PAGE and counts == []         # rows on screen before the count query
    qtbot.waitUntil(lambda: page.count_label.text() == "共 1000 人", timeout=2000)
    assert counts == ["cm"]
    page.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)       # the same rows in another order: no recount
    page.search.setText("村民099")                                 # fewer than a page: no count query at all
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.count_label.text() == "共 10 人" and counts == ["cm"]


def test_refresh_keeps_the_selection_and_the_rows_loaded(page):
    from township_desk.ui.ledger_page import PAGE

    bulk_insert(page.ctx.db, 500)
    page.refresh()
    page.model.fetchMore()
    target = page.model.row(PAGE + 10)["id"]
    assert page.select_elder(target)
    page.refresh()
    assert page.model.rowCount() == 2 * PAGE and page.current_elder_id() == target


def test_apply_filters_with_an_id_number_selects_that_elder_whatever_the_status(page):
    wang = elder_id(page.ctx.db, "王建国")
    elders.change_status(page.ctx.db, wang, "已迁出", TODAY, "随子女迁往外地")
    page.apply_filters({"search": VALID_IDS[2]})
    assert page.search.text() == VALID_IDS[2] and page.status_combo.currentText() == "全部"
    assert column(page, "姓名") == ["王建国"] and page.current_elder_id() == wang
    assert page.buttons["edit"].isEnabled()


def test_apply_filters_from_the_dashboard_sets_the_widgets(page):
    page.search.setText("zdf")
    page.apply_filters({"status": "在册", "tier": "重点"})
    assert page.search.text() == "" and page.tier_combo.currentText() == "重点"
    assert sorted(column(page, "姓名")) == ["张德福", "王建国"]
    page.apply_filters({"village": "白鹤村", "flags": ["独居"]})
    assert page.village_combo.currentText() == "白鹤村" and page.flag_checks["独居"].isChecked()
    assert page.status_combo.currentText() == "在册" and column(page, "姓名") == []
    page.apply_filters({"elder_id": elder_id(page.ctx.db, "刘秀英")})
    assert page.current()["name"] == "刘秀英"


def test_enter_and_double_click_open_the_editor_for_the_selected_elder(page, qtbot, monkeypatch):
    from township_desk.ui import elder_editor

    opened = []
    monkeypatch.setattr(elder_editor.ElderEditor, "exec",
                        lambda self: opened.append(self.elder_id) or QDialog.DialogCode.Rejected)
    assert not page.buttons["edit"].isEnabled()
    liu = elder_id(page.ctx.db, "刘秀英")
    page.select_elder(liu)
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    index = page.model.index(page.model.row_of(liu), 0)
    page.view.doubleClicked.emit(index)
    assert opened == [liu, liu]


def test_new_elder_saved_in_the_editor_is_listed_and_selected(page, monkeypatch):
    from township_desk.ui import elder_editor

    page.village_combo.setCurrentText("白鹤村")

    def fill_and_save(dialog):
        assert dialog.value("village") == villages.village_id(page.ctx.db, "白鹤村")  # the filtered village
        dialog.set_value("name", "赵桂兰")
        dialog.set_value("id_number", VALID_IDS[3])
        dialog.save()
        return dialog.result()

    monkeypatch.setattr(elder_editor.ElderEditor, "exec", fill_and_save)
    new_id = page.new_elder()
    assert new_id == elder_id(page.ctx.db, "赵桂兰")
    assert sorted(column(page, "姓名")) == ["刘秀英", "赵桂兰"] and page.current_elder_id() == new_id
    assert "赵桂兰" in page.message_label.text()


def test_edit_saved_elsewhere_refreshes_the_page(page):
    zhang = elder_id(page.ctx.db, "张德福")
    page.select_elder(zhang)
    elders.save_elder(page.ctx.db, {"name": "张德福", "id_number": VALID_IDS[0], "phone": "13900001111"},
                      elder_id=zhang, today=TODAY)
    page.ctx.announce(Changes.of("elders"))
    assert column(page, "联系电话")[page.model.row_of(zhang)] == "13900001111"
    assert page.current_elder_id() == zhang


def test_status_change_from_the_page(page, monkeypatch):
    from township_desk.ui import elder_editor
    from township_desk.ui.widgets import qdate

    zhang = elder_id(page.ctx.db, "张德福")
    page.select_elder(zhang)
    assert page.buttons["status"].isEnabled()

    def choose(dialog):
        dialog.status_combo.setCurrentText("暂离")
        dialog.date_edit.setDate(qdate(TODAY))
        dialog.reason_edit.setText("到子女家居住")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(elder_editor.StatusDialog, "exec", choose)
    page.change_status_of_selected()
    assert elders.get_elder(page.ctx.db, zhang)["status"] == "暂离"
    assert "张德福" not in column(page, "姓名")                    # the list shows 在册
    assert "暂离" in page.message_label.text()


def test_import_button_opens_the_wizard_and_refreshes(page, monkeypatch):
    from township_desk.ui import import_wizard

    def import_one(wizard):
        elders.save_elder(page.ctx.db, {"name": "赵桂兰", "id_number": VALID_IDS[3], "village": "红星村"},
                          today=TODAY)
        return 1

    monkeypatch.setattr(import_wizard.ImportWizard, "exec", import_one)
    page.import_ledger()
    assert "赵桂兰" in column(page, "姓名")
    assert page.village_combo.findText("红星村") >= 0
