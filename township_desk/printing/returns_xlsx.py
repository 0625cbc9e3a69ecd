"""The visit return workbook (巡访回执表, forms.md) for the visitors to fill: one sheet per village.

Each elder on the month's plan (``models.returns.return_plan``) gets a few rows (one contact a row: 重点 3, 一般 2),
prefilled and locked: 村, 姓名, the ID number (masked, first 4 and last 4, unless ``full_ids``), 巡访类别, 巡访责任人,
the home visits due and the weekly calls the plan asks for, and in a hidden column the row key. The columns to
fill are unlocked: 巡访日期, 方式 and every rating of the 巡访登记表 as drop-downs (the items and options are
``models.visits``'), 巡访人员, 发现的问题, 已通报赡养人 (是/否), 备注. Below the table, open rows take contacts that did
not fit (姓名 and the ID number's last 4 written by hand). The sheets are protected without a password (the
import checks every key and name anyway); sorting, filtering and resizing stay allowed.

A hidden sheet ``回执信息`` carries the ledger's identity, township, month, villages and every row key, so the
import knows where the file comes from and refuses one from another township. Every text goes through
``xlsx_util.put_text``: a name or address beginning with "=" stays text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from township_desk.models import returns
from township_desk.models.files import atomic_path
from township_desk.printing import xlsx_util

LOCKED_FILL = "EDEDED"
MAX_TITLE = 31


@dataclass
class ReturnsFile:
    """What ``write_returns`` wrote."""

    path: Path
    month: str
    elders: int
    rows: int
    sheets: list[str]


def _sheet_title(name: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\']", "", name).strip() or "村"
    title = title[:MAX_TITLE]
    base, number = title, 2
    while title in taken or title == returns.INFO_SHEET:
        suffix = f"（{number}）"
        title = base[:MAX_TITLE - len(suffix)] + suffix
        number += 1
    taken.add(title)
    return title


def _styles(wb):
    from openpyxl.styles import Alignment, NamedStyle, PatternFill, Protection

    locked = NamedStyle("回执_预填", font=xlsx_util.FONT, border=xlsx_util.BORDER, number_format="@",
                        fill=PatternFill("solid", fgColor=LOCKED_FILL), alignment=xlsx_util.LEFT,
                        protection=Protection(locked=True))
    open_text = NamedStyle("回执_填写", font=xlsx_util.FONT, border=xlsx_util.BORDER, number_format="@",
                           protection=Protection(locked=False))
    open_date = NamedStyle("回执_日期", font=xlsx_util.FONT, border=xlsx_util.BORDER, number_format="yyyy-mm-dd",
                           protection=Protection(locked=False))
    title = NamedStyle("回执_标题", font=xlsx_util.TITLE_FONT, alignment=xlsx_util.CENTER, number_format="@")
    note = NamedStyle("回执_说明", font=xlsx_util.FONT, alignment=Alignment(vertical="center", wrap_text=True),
                      number_format="@")
    header = NamedStyle("回执_表头", font=xlsx_util.BOLD, border=xlsx_util.BORDER, fill=xlsx_util.HEADER_FILL,
                        alignment=xlsx_util.CENTER, number_format="@")
    for style in (locked, open_text, open_date, title, note, header):
        wb.add_named_style(style)
    return locked.name, open_text.name, open_date.name, title.name, note.name, header.name


def _validations(ws, first: int, last: int, letters: dict[str, str]) -> None:
    """One list drop-down per set of options, over every fill row of the columns that take it."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from township_desk.models import visits

    by_options: dict[tuple[str, ...], list[str]] = {visits.MODES: ["mode"], returns.TOLD_CHOICES: ["supporter_told"]}
    for item, (_label, options) in visits.ITEM_CHOICES.items():
        by_options.setdefault(options, []).append(item)
    for options, keys in by_options.items():
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                            showErrorMessage=True, errorStyle="stop", errorTitle="请从下拉列表中选择",
                            error=f"可选：{'、'.join(options)}")
        for k in keys:
            dv.add(f"{letters[k]}{first}:{letters[k]}{last}")
        ws.data_validations.append(dv)


def _text_cell(ws, value, style: str):
    """A write-only cell holding ``value`` as text (never a formula: ``xlsx_util.put_text``), in ``style``."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws)
    xlsx_util.put_text(cell, value)
    cell.style = style
    return cell


def _page_setup(ws, title_rows: str) -> None:
    """A4 landscape, one page wide, the header on every page, the grid printed (the columns to fill carry no cell
    borders). Set here rather than by ``xlsx_util.print_setup``, which measures the written cells: a write-only
    sheet has none to measure yet."""
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.3
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _village_sheet(ws, plan: returns.ReturnPlan, village: str, people: list[returns.ReturnElder], full_ids: bool,
                   styles: tuple[str, ...], check_cancelled) -> int:
    """One village's sheet, streamed row by row (write-only: a 30,000-elder township in little memory)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Protection
    from openpyxl.utils import get_column_letter

    locked, open_text, _open_date, title_style, note_style, header_style = styles
    columns = returns.PREFILLED + returns.FILLED
    letters = {key: get_column_letter(i) for i, (key, _label) in enumerate(columns, start=1)}
    last_letter = get_column_letter(len(columns))
    widths = {"key": 14, "village": 10, "name": 9, "id_shown": 21 if full_ids else 20, "tier": 6, "visitor": 9,
              "home_due": 22, "remote": 10, "date": 11, "mode": 6, "visitor_name": 9, "problem": 24,
              "supporter_told": 8, "notes": 20}
    fill_keys = {key for key, _label in returns.FILLED}
    for key, letter in letters.items():  # before the first row: the columns are written first
        dimension = ws.column_dimensions[letter]
        dimension.width = widths.get(key, 7)
        if key in fill_keys:
            # The columns to fill are unlocked as columns, and their empty cells are not written at all: a
            # 30,000-elder return stays small enough for Excel, WPS and the importer's own size limits.
            dimension.protection = Protection(locked=False)
            dimension.font = xlsx_util.FONT
            dimension.number_format = "yyyy-mm-dd" if key == "date" else "@"
    ws.column_dimensions[letters["key"]].hidden = True
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[2].height = 30
    header = 3
    ws.freeze_panes = f"D{header + 1}"
    _page_setup(ws, f"{header}:{header}")  # before the first row: the page setup is written first
    year, month = plan.month.split("-")
    ws.append([_text_cell(ws, f"{plan.township or ''}{village} {int(year)}年{int(month)}月 巡访回执表", title_style)])
    ws.append([_text_cell(ws, "填写说明：每行填一次巡访（上门、电话或视频）。灰色栏为预填，请勿改动；方式和各项评价请从下拉列表选择。"
                              "上门巡访须填写健康、精神、安全各项评价。发现风险隐患请写明并第一时间通报赡养人。"
                              "行数不够时在表格下方空白行续填，姓名和身份证号码后四位照填。", note_style)])
    ws.merged_cells.add(f"A1:{last_letter}1")
    ws.merged_cells.add(f"A2:{last_letter}2")
    ws.append([_text_cell(ws, label, header_style) for _key, label in columns])
    r = header
    for count, person in enumerate(people):
        if check_cancelled and count % 500 == 0:
            check_cancelled()
        shown = {"key": person.key, "village": village, "name": person.name,
                 "id_shown": returns.mask_or_full(person.id_number, full_ids), "tier": person.tier,
                 "visitor": person.visitor or "", "home_due": person.due_text(), "remote": person.remote_text()}
        values = [shown[key] for key, _label in returns.PREFILLED]
        for _ in range(returns.ROWS_PER_TIER.get(person.tier, 2)):
            r += 1
            ws.append([_text_cell(ws, v, locked) for v in values])
    extra = max(returns.EXTRA_ROWS_MIN, len(people) // 10)
    for _ in range(extra):  # open rows for more contacts: 村, 姓名 and the ID number may be written there too
        r += 1
        row = []
        for key, _label in returns.PREFILLED:
            cell = WriteOnlyCell(ws)
            cell.style = open_text if key in ("village", "name", "id_shown") else locked
            row.append(cell)
        ws.append(row)
    _validations(ws, header + 1, r, letters)
    ws.auto_filter.ref = f"A{header}:{last_letter}{r}"
    protection = ws.protection
    protection.sheet = True
    for allowed in ("sort", "autoFilter", "formatColumns", "formatRows", "selectLockedCells", "selectUnlockedCells"):
        setattr(protection, allowed, False)
    return r - header


def _info_sheet(wb, plan: returns.ReturnPlan, visitor: str | None, today: dt.date, style: str) -> None:
    ws = wb.create_sheet(returns.INFO_SHEET)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    rows = [("格式", returns.FORMAT), ("台账标识", plan.ledger_uuid), ("乡镇", plan.township), ("月份", plan.month),
            ("村（社区）", "、".join(plan.villages)), ("巡访责任人", visitor or "全部"), ("生成日期", today.isoformat()),
            ("说明", "本表供导入时核对来源，请勿修改或删除"), (),
            (returns.KEY_HEADING, "姓名", "身份证号码后四位", "村（社区）")]
    for values in rows:
        ws.append([_text_cell(ws, v, style) for v in values])
    for village, people in plan.villages.items():
        for person in people:
            ws.append([_text_cell(ws, v, style) for v in (person.key, person.name, person.id_number[-4:], village)])


def write_returns(db, month: str, path: str | Path, *, village: str | None = None, visitor: str | None = None,
                  full_ids: bool = False, today: dt.date | None = None, check_cancelled=None) -> ReturnsFile:
    """Write the return workbook of ``month`` (one sheet per village; ``village``/``visitor`` narrow it) to
    ``path`` atomically. ``UserError`` (nothing written) for an unknown village or visitor or nobody to visit."""
    from openpyxl import Workbook

    today = today or dt.date.today()
    plan = returns.return_plan(db, month, village=village, visitor=visitor, today=today)
    wb = Workbook(write_only=True)
    styles = _styles(wb)
    taken: set[str] = set()
    sheets, rows = [], 0
    for name, people in plan.villages.items():
        ws = wb.create_sheet(_sheet_title(name, taken))
        sheets.append(ws.title)
        rows += _village_sheet(ws, plan, name, people, full_ids, styles, check_cancelled)
    _info_sheet(wb, plan, visitor, today, styles[1])
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return ReturnsFile(path, plan.month, plan.elders, rows, sheets)
