"""The shared small widgets (township_desk/ui/widgets.py) as a clerk meets them: real widgets driven with qtbot."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QVBoxLayout

from township_desk.ui.rows_model import RowsModel
from township_desk.ui.widgets import (
    date_edit,
    ok_cancel_buttons,
    pydate,
    qdate,
    save_cancel_buttons,
    selected_row,
    table_view,
)

TODAY = dt.date(2026, 11, 22)
COLUMNS = [("name", "姓名"), ("village", "村（社区）"), ("days_overdue", "逾期天数")]
ROWS = [{"name": "张德福", "village": "青山村", "days_overdue": 18},
        {"name": "王大山", "village": "白鹤村", "days_overdue": 52},
        {"name": "李桂兰", "village": "白鹤村", "days_overdue": 3}]

SAVE = QDialogButtonBox.StandardButton.Save
OK = QDialogButtonBox.StandardButton.Ok
CANCEL = QDialogButtonBox.StandardButton.Cancel


# ------------------------------------------------------------------------------------------ dates


def test_qdate_takes_a_date_its_iso_text_or_a_qdate():
    assert qdate(TODAY) == QDate(2026, 11, 22)
    assert qdate("2026-02-28") == QDate(2026, 2, 28)
    assert qdate(QDate(2026, 1, 5)) == QDate(2026, 1, 5)


def test_qdate_of_nothing_is_the_clocks_today():
    assert qdate(None) == QDate.currentDate()


def test_qdate_of_text_that_is_no_date_is_refused():
    with pytest.raises(ValueError):
        qdate("2026-02-30")


def test_pydate_gives_back_the_date_shown():
    assert pydate(QDate(2024, 2, 29)) == dt.date(2024, 2, 29)
    assert pydate(qdate(TODAY)) == TODAY


def test_date_edit_shows_the_day_as_year_month_day_with_a_calendar(qtbot):
    edit = date_edit(TODAY)
    qtbot.addWidget(edit)
    assert edit.text() == "2026-11-22"
    assert edit.calendarPopup()
    assert pydate(edit.date()) == TODAY


def test_date_edit_takes_a_stored_iso_date(qtbot):
    edit = date_edit("2025-03-01")
    qtbot.addWidget(edit)
    assert edit.text() == "2025-03-01"


def test_date_edit_without_a_day_shows_today(qtbot):
    edit = date_edit()
    qtbot.addWidget(edit)
    assert edit.date() == QDate.currentDate()


def test_date_edit_refuses_a_day_after_the_latest(qtbot):
    edit = date_edit(TODAY, latest=TODAY)
    qtbot.addWidget(edit)
    edit.setDate(QDate(2026, 12, 1))
    assert edit.text() == "2026-11-22"
    assert edit.maximumDate() == QDate(2026, 11, 22)


def test_date_edit_given_a_day_after_the_latest_shows_the_latest(qtbot):
    edit = date_edit(dt.date(2027, 1, 1), latest=TODAY)
    qtbot.addWidget(edit)
    assert edit.text() == "2026-11-22"


def test_date_edit_refuses_a_day_before_the_earliest(qtbot):
    edit = date_edit(TODAY, earliest=dt.date(2026, 11, 1), latest=TODAY)
    qtbot.addWidget(edit)
    edit.setDate(QDate(2026, 10, 31))
    assert edit.text() == "2026-11-01"
    edit.setDate(QDate(2026, 11, 15))
    assert edit.text() == "2026-11-15"


# ------------------------------------------------------------------------------------------ lists


@pytest.fixture
def shown_table(qtbot):
    """A sortable list of three elders, shown (so its header can be clicked)."""
    model = RowsModel(COLUMNS, ROWS)
    view = table_view(model)
    qtbot.addWidget(view)
    view.resize(600, 200)
    view.show()
    qtbot.waitExposed(view)
    return view


def names(view) -> list[str]:
    model = view.model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def click_heading(qtbot, view, column: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_table_view_lists_the_rows_read_only_without_row_numbers(qtbot, shown_table):
    view = shown_table
    assert sorted(names(view)) == sorted(r["name"] for r in ROWS)
    assert view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert not view.verticalHeader().isVisible()
    assert view.alternatingRowColors()


def test_a_click_on_a_heading_sorts_by_that_column(qtbot, shown_table):
    view = shown_table
    column = [k for k, _h in COLUMNS].index("days_overdue")
    click_heading(qtbot, view, column)
    first = names(view)
    click_heading(qtbot, view, column)
    second = names(view)
    assert {tuple(first), tuple(second)} == {("李桂兰", "张德福", "王大山"), ("王大山", "张德福", "李桂兰")}


def test_a_list_that_keeps_its_order_is_not_sorted_by_a_click(qtbot):
    view = table_view(RowsModel(COLUMNS, ROWS), sortable=False)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    click_heading(qtbot, view, 2)
    assert names(view) == [r["name"] for r in ROWS]
    assert not view.isSortingEnabled()


def test_a_click_selects_the_whole_row_and_only_one(qtbot, shown_table):
    view = shown_table
    assert view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
    assert view.selectionMode() == QAbstractItemView.SelectionMode.SingleSelection
    model = view.model()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(model.index(0, 2)).center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     view.visualRect(model.index(1, 1)).center())
    assert [i.row() for i in view.selectionModel().selectedRows()] == [1]


def test_the_last_column_takes_the_spare_width_unless_another_is_named(qtbot):
    plain = table_view(RowsModel(COLUMNS, ROWS))
    named = table_view(RowsModel(COLUMNS, ROWS), stretch_column=1)
    qtbot.addWidget(plain)
    qtbot.addWidget(named)
    assert plain.horizontalHeader().stretchLastSection()
    assert plain.horizontalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
    assert not named.horizontalHeader().stretchLastSection()
    assert named.horizontalHeader().sectionResizeMode(1) == QHeaderView.ResizeMode.Stretch
    assert named.horizontalHeader().sectionResizeMode(2) == QHeaderView.ResizeMode.ResizeToContents


def test_many_rows_may_be_selected_where_the_list_asks_for_it(qtbot):
    view = table_view(RowsModel(COLUMNS, ROWS), selection_mode=QAbstractItemView.SelectionMode.ExtendedSelection)
    qtbot.addWidget(view)
    assert view.selectionMode() == QAbstractItemView.SelectionMode.ExtendedSelection


def test_selected_row_is_none_until_the_clerk_picks_one(qtbot, shown_table):
    assert selected_row(shown_table) is None


def test_selected_row_is_the_record_clicked(qtbot, shown_table):
    view = shown_table
    model = view.model()
    row = names(view).index("王大山")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(model.index(row, 1)).center())
    assert selected_row(view) == {"name": "王大山", "village": "白鹤村", "days_overdue": 52}


def test_selected_row_follows_the_keyboard(qtbot, shown_table):
    view = shown_table
    view.selectRow(0)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert selected_row(view)["name"] == names(view)[1]


def test_selected_row_is_none_once_the_selection_is_cleared(qtbot, shown_table):
    view = shown_table
    view.selectRow(2)
    view.clearSelection()
    assert view.currentIndex().isValid()  # the cursor stays, but nothing is chosen
    assert selected_row(view) is None


def test_selected_row_is_the_selected_one_when_the_cursor_is_elsewhere(qtbot, shown_table):
    view = shown_table
    model = view.model()
    view.setCurrentIndex(model.index(0, 0))
    view.selectionModel().select(model.index(2, 0), view.selectionModel().SelectionFlag.ClearAndSelect
                                 | view.selectionModel().SelectionFlag.Rows)
    assert selected_row(view)["name"] == names(view)[2]


def test_selected_row_of_a_list_without_rows_is_none(qtbot):
    view = table_view(RowsModel(COLUMNS, []))
    qtbot.addWidget(view)
    view.selectRow(0)
    assert selected_row(view) is None


# ------------------------------------------------------------------------------------------ dialog buttons


def dialog_with(qtbot, make_buttons) -> tuple[QDialog, QDialogButtonBox]:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    buttons = make_buttons(dialog)
    QVBoxLayout(dialog).addWidget(buttons)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, buttons


def test_save_cancel_buttons_read_in_chinese(qtbot):
    _dialog, buttons = dialog_with(qtbot, lambda d: save_cancel_buttons(d, lambda: None))
    assert buttons.button(SAVE).text() == "保存"
    assert buttons.button(CANCEL).text() == "取消"
    assert [b.text() for b in buttons.buttons()].count("保存") == 1 and len(buttons.buttons()) == 2


def test_save_runs_the_save_and_leaves_closing_to_it(qtbot):
    saved = []
    dialog, buttons = dialog_with(qtbot, lambda d: save_cancel_buttons(d, lambda: saved.append(True)))
    qtbot.mouseClick(buttons.button(SAVE), Qt.MouseButton.LeftButton)
    assert saved == [True]
    assert dialog.isVisible()  # a refused save keeps what the clerk typed on screen


def test_a_save_that_succeeds_closes_the_dialog_accepted(qtbot):
    dialog, buttons = dialog_with(qtbot, lambda d: save_cancel_buttons(d, lambda: d.accept()))
    qtbot.mouseClick(buttons.button(SAVE), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted


def test_cancel_closes_without_saving(qtbot):
    saved = []
    dialog, buttons = dialog_with(qtbot, lambda d: save_cancel_buttons(d, lambda: saved.append(True)))
    qtbot.mouseClick(buttons.button(CANCEL), Qt.MouseButton.LeftButton)
    assert saved == [] and not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_save_cancel_buttons_take_their_own_words(qtbot):
    _dialog, buttons = dialog_with(qtbot, lambda d: save_cancel_buttons(d, lambda: None, save_text="保存草稿",
                                                                         cancel_text="关闭"))
    assert (buttons.button(SAVE).text(), buttons.button(CANCEL).text()) == ("保存草稿", "关闭")


def test_ok_cancel_buttons_read_in_chinese_and_accept_by_default(qtbot):
    dialog, buttons = dialog_with(qtbot, lambda d: ok_cancel_buttons(d))
    assert (buttons.button(OK).text(), buttons.button(CANCEL).text()) == ("确定", "取消")
    qtbot.mouseClick(buttons.button(OK), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted


def test_ok_cancel_buttons_run_the_given_action_with_its_words(qtbot):
    added = []
    dialog, buttons = dialog_with(qtbot, lambda d: ok_cancel_buttons(d, lambda: added.append(1), ok_text="添加"))
    assert buttons.button(OK).text() == "添加"
    qtbot.mouseClick(buttons.button(OK), Qt.MouseButton.LeftButton)
    assert added == [1] and dialog.isVisible()
    qtbot.mouseClick(buttons.button(CANCEL), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_refilling_a_filter_keeps_the_choice_and_stays_quiet(qtbot):
    from PySide6.QtWidgets import QComboBox

    from township_desk.ui.widgets import refill_choices

    combo = QComboBox()
    qtbot.addWidget(combo)
    refill_choices(combo, [("青山村", 1), ("白鹤村", 2)])
    combo.setCurrentIndex(2)
    changes = []
    combo.currentIndexChanged.connect(changes.append)
    refill_choices(combo, [("新建村", 3), ("青山村", 1), ("白鹤村", 2)])   # 设置 added a village
    assert [combo.itemText(i) for i in range(combo.count())] == ["全部", "新建村", "青山村", "白鹤村"]
    assert (combo.currentText(), combo.currentData(), changes) == ("白鹤村", 2, [])
    refill_choices(combo, [("青山村", 1)])                                  # the chosen one is gone: back to 全部
    assert (combo.currentText(), combo.currentData()) == ("全部", None)
