"""One generic list tab of the 设置 page (used for 村（社区） and 巡访责任人): a table of records, 新增…/修改…
through the record's dialog, more buttons, a count, a message line."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from township_desk.ui.empty_state import show_when_empty
from township_desk.ui.rows_model import RowsModel
from township_desk.ui.settings import messages
from township_desk.ui.settings.dialogs import RecordDialog
from township_desk.ui.settings.messages import message_label, select_by_id
from township_desk.ui.widgets import selected_row, table_view


class ListTab(QWidget):
    """A tab sets ``title``, ``COLUMNS``, ``DIALOG`` and ``PICK_FIRST``, and implements ``rows()`` and
    ``empty_text()`` (said over an empty table). Hooks: ``header()`` (a row above the table; the count goes there
    when given, else beside the buttons), ``more_buttons()``, ``build_below(layout)``, ``row_colour``,
    ``update_buttons()`` and ``after_edit(dialog)``."""

    title = ""
    COLUMNS: list[tuple[str, str]] = []
    STRETCH_COLUMN = 1
    DIALOG: type[RecordDialog]
    PICK_FIRST = ""  # said by 修改… with nothing selected
    row_colour = None  # a function of a row giving its text colour, or None for the usual colour

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.count_label = QLabel("")
        header = self.header()
        if header is not None:
            header.addWidget(self.count_label)
            layout.addLayout(header)
        self.model = RowsModel(self.COLUMNS, parent=self, color=self.row_colour)
        self.view = table_view(self.model, stretch_column=self.STRETCH_COLUMN, sortable=False)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        show_when_empty(self.view, self.empty_text)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("新增…")
        self.edit_button = QPushButton("修改…")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        for button in (self.add_button, self.edit_button, *self.more_buttons()):
            row.addWidget(button)
        row.addStretch(1)
        if header is None:
            row.addWidget(self.count_label)
        layout.addLayout(row)
        self.message = message_label()
        layout.addWidget(self.message)
        self.build_below(layout)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self.update_buttons())

    def refresh(self) -> None:
        """Read the rows again, keeping the selected one selected."""
        current = self.selected()
        rows = self.rows()
        self.model.set_rows(rows)
        self.count_label.setText(self.count_text(rows))
        select_by_id(self.view, self.model, current["id"] if current else None)
        self.update_buttons()

    def selected(self) -> dict | None:
        return selected_row(self.view)

    def add(self) -> int | None:
        return self._edit(None)

    def edit_selected(self) -> int | None:
        row = self.selected()
        if row is None:
            messages.inform(self, "修改" + self.title, self.PICK_FIRST, warning=True)
            return None
        return self._edit(row)

    def _edit(self, row: dict | None) -> int | None:
        dialog = self.DIALOG(self.ctx, row, self)
        if not messages.run_dialog(dialog):
            return None
        self.ctx.announce_writes()
        self.refresh()
        select_by_id(self.view, self.model, dialog.saved_id)
        self.after_edit(dialog)
        return dialog.saved_id

    # tabs
    def rows(self) -> list[dict]:
        raise NotImplementedError

    def count_text(self, rows: list[dict]) -> str:
        return f"共 {len(rows)} 项"

    def empty_text(self) -> str:
        """Said over the table while it has no rows."""
        return ""

    def header(self) -> QHBoxLayout | None:
        return None

    def more_buttons(self) -> tuple[QPushButton, ...]:
        return ()

    def build_below(self, layout: QVBoxLayout) -> None:
        """Add what goes under the buttons (a note, a group box)."""

    def update_buttons(self) -> None:
        self.edit_button.setEnabled(self.selected() is not None)

    def after_edit(self, dialog: RecordDialog) -> None:
        """After a saved dialog (the list is read again)."""
