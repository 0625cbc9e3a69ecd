"""After a document is saved: open it in Word/WPS (the system's default program), send it to the printer, or
close. One question for every place that prints — the 打印 page, 互助协议, the elder file (老人档案) — so the
clerk always sees the same three buttons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from township_desk.ui import widgets

# 互助协议: the agreement text says 本协议一式四份 (甲乙双方、被助养老人、村委会各执一份)
COPIES_TEXT = "一式四份（甲方、乙方、被助养老人、村（居）委会各执一份，每份页眉注明第几份）"


def ask_after_save(parent: QWidget | None, name: str, count: int, *, title: str = "打印") -> str | None:
    """Ask what to do with the file just saved: "open" (Word/WPS), "print" (to the printer) or None (关闭)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, f"已生成 {name}（{count} 份）。", parent=parent)
    box.setInformativeText("现在打开查看，或直接送到打印机？")
    open_button = box.addButton("打开", QMessageBox.ButtonRole.AcceptRole)
    print_button = box.addButton("打印", QMessageBox.ButtonRole.ActionRole)
    box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_button)
    box.exec()
    clicked = box.clickedButton()
    return "open" if clicked is open_button else "print" if clicked is print_button else None


def offer(parent: QWidget | None, path: str | Path, count: int, *, title: str = "打印") -> str | None:
    """Ask (``ask_after_save``) and do it: open the file or print it. Returns the choice."""
    choice = ask_after_save(parent, Path(path).name, count, title=title)
    if choice == "open":
        widgets.open_in_system(parent, path, title=title)
    elif choice == "print":
        widgets.print_in_system(parent, path, title=title)
    return choice


def print_to_file(parent: QWidget | None, ctx, selection, name: str, *, title: str,
                  target: str | Path | None = None) -> Path | None:
    """Print one small document of the registry (``printing.kinds``: an elder's 登记表, a visit record, an
    agreement) to a .docx: the save dialog with ``name`` suggested (or ``target``, as the tests give it), the file,
    then ``offer``. A UserError is a Chinese warning and nothing is written. Returns the file or None."""
    from township_desk.models.errors import UserError
    from township_desk.printing import kinds

    chosen = (widgets.checked_save_path(parent, title, target, ctx.db_path, ".docx") if target is not None else
              widgets.ask_save_file(parent, title, name, "Word 文档 (*.docx)", ctx.db_path, ".docx", kind="print"))
    if chosen is None:
        return None
    try:
        count = kinds.write(ctx.db, selection, chosen)
    except UserError as exc:
        QMessageBox.warning(parent, title, str(exc))
        return None
    offer(parent, chosen, count, title=title)
    return chosen
