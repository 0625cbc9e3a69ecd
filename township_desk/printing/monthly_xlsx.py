"""The monthly workbook for the county (forms.md) and the county's combined workbook.

Sheets: 汇总表 (seed 002 attachment 2 with its cross-checks), 明细表, 巡访情况, 探访关爱 (every visit group,
``models.coverage``), 风险隐患, 互助协议. A month sent before the 探访关爱 sheet existed is written again as it
was sent, without it.
A workbook whose cross-checks fail is refused before anything is written: the clerk fixes the records
the message names, then exports again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from township_desk.models import monthly
from township_desk.models.dates import month_bounds
from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path

Progress = Callable[[int, int, str], None]

SUMMARY_SHEET = "汇总表"
SHEETS = ("汇总表", "明细表", "巡访情况", "探访关爱", "风险隐患", "互助协议")
HEADER_TOP, HEADER_BOTTOM, NUMBER_ROW = 3, 4, 5
FIRST_DATA_ROW = 6


@dataclass
class ExportResult:
    path: Path
    month: str
    elders: int                      # column 1 of 合计
    detail_rows: int
    visits_rows: int
    hazard_rows: int
    agreement_rows: int
    kind: str | None = None          # 上报 / 更正 when recorded now, 草稿 for a draft
    submission: object = None        # models.submissions.Submission: the one recorded now, or the one reproduced
    reproduced: bool = False         # written again from what was sent
    sha256: str = ""                 # of the file written
    sheets: tuple[str, ...] = SHEETS


SIGN_LINE = "＿" * 8


@dataclass
class Signers:
    unit_head: str = ""   # 单位负责人
    preparer: str = ""    # 填表人
    reviewer: str = ""    # 复核人


def write_summary_sheet(ws, *, title: str, unit: str, first_heading: str, rows: Sequence[monthly.SummaryRow],
                        signers: Signers, filled_on: dt.date, age_day: dt.date | None) -> None:
    """The 汇总表 layout: title, 单位（盖章）/填报时间, group-over-heading header with the column numbers 1–27
    in their own row, one row per line given (villages or townships, 合计 last), signatures and the note."""
    from openpyxl.utils import get_column_letter as letter

    from township_desk.printing import xlsx_util as xu

    last_col = monthly.N_COLUMNS + 1
    end = letter(last_col)
    xu.merge_text(ws, f"A1:{end}1", title, font=xu.TITLE_FONT)
    ws.row_dimensions[1].height = 30
    half = letter(14)
    xu.merge_text(ws, f"A2:{half}2", f"单位（盖章）：{unit}", font=xu.FONT, alignment=xu.LEFT)
    xu.merge_text(ws, f"{letter(15)}2:{end}2",
                  f"填报时间：{filled_on.year}年{filled_on.month}月{filled_on.day}日", font=xu.FONT,
                  alignment=xu.Alignment(horizontal="right", vertical="center"))

    xu.merge_text(ws, f"A{HEADER_TOP}:A{HEADER_BOTTOM}", first_heading)
    groups: dict[str, list[int]] = {}
    for number, heading, group in monthly.COLUMNS:
        col = number + 1
        if group:
            groups.setdefault(group, []).append(col)
            xu.put_text(ws.cell(HEADER_BOTTOM, col), heading)
        else:  # a column without a group spans both header rows
            xu.merge_text(ws, f"{letter(col)}{HEADER_TOP}:{letter(col)}{HEADER_BOTTOM}", heading)
    for group, cols in groups.items():
        xu.merge_text(ws, f"{letter(cols[0])}{HEADER_TOP}:{letter(cols[-1])}{HEADER_TOP}", group)
    xu.put_text(ws.cell(NUMBER_ROW, 1), "栏次")
    for number in range(1, monthly.N_COLUMNS + 1):
        ws.cell(NUMBER_ROW, number + 1).value = number
    xu.style_range(ws, HEADER_TOP, NUMBER_ROW, 1, last_col, font=xu.BOLD, fill=xu.HEADER_FILL)
    ws.row_dimensions[HEADER_BOTTOM].height = 66  # narrow columns: headings wrap onto up to four lines

    r = FIRST_DATA_ROW
    for row in rows:
        xu.put_text(ws.cell(r, 1), row.name)
        for number in range(1, monthly.N_COLUMNS + 1):
            ws.cell(r, number + 1).value = row.col(number)
        bold = row.name == monthly.TOTAL_LABEL
        xu.style_range(ws, r, r, 1, last_col, font=xu.BOLD if bold else xu.FONT)
        r += 1
    last_data = r - 1

    r += 1
    thirds = ((1, 9), (10, 19), (20, last_col))
    # the three lines are signed by hand: a typed name would leave no room for the pen (forms.md, Signatures);
    # ``signers`` are not printed, the form has no printed-name field
    for a, b, label in ((*thirds[0], "单位负责人（签名）"), (*thirds[1], "填表人（签名）"), (*thirds[2], "复核人（签名）")):
        xu.merge_text(ws, f"{letter(a)}{r}:{letter(b)}{r}", f"{label}：{SIGN_LINE}", font=xu.FONT, alignment=xu.LEFT)
    ws.row_dimensions[r].height = 24
    r += 1
    age_text = (f"排查对象年龄计算时间为{age_day.year}年{age_day.month}月{age_day.day}日（月末）。"
                if age_day else "排查对象年龄计算时间为各表所属月份的月末。")
    for text in (f"注：1. 此次排查指标填报数据均为60周岁以上的农村留守老人人数，{age_text}",
                 f"2. {monthly.CHECK_NOTE}"):
        xu.merge_text(ws, f"A{r}:{end}{r}", text, font=xu.FONT,
                      alignment=xu.Alignment(horizontal="left", vertical="center", wrap_text=True))
        ws.row_dimensions[r].height = 28
        r += 1

    widths = [max([xu.display_width(first_heading)] + [xu.display_width(x.name) for x in rows]) + 1]
    widths += [3] * monthly.N_COLUMNS  # headings wrap inside the two header rows; counts have ≤ 4 digits
    xu.fit_columns(ws, widths, minimum=5.5)  # 27 narrow columns: A4 landscape at 80 % or more
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 2)
    xu.print_setup(ws, f"1:{NUMBER_ROW}")
    ws.print_area = f"A1:{end}{r - 1}"
    del last_data


MODES = ("draft", "submit", "correct")


def export_monthly(db, month: str, target: str | Path, progress: Progress | None = None,
                   check_cancelled: Callable[[], None] | None = None, *, filled_on: dt.date | None = None,
                   mode: str | None = None, reason: str | None = None, today: dt.date | None = None,
                   by: str | None = None, group: str | None = None) -> ExportResult:
    """Write the month's workbook to ``target`` (atomically).

    A month already submitted is written again from what was sent, cell for cell (``models.submissions``).
    Otherwise it is computed from the facts on its last day; ``mode`` "submit" records it as sent (上报),
    "correct" computes it again and records a corrected resend (更正, ``reason`` required, audited), "draft"
    writes a month not yet over, titled 草稿（截至 today）. Refusals are ``UserError``s and write nothing: a
    failing cross-check (every failing village, the columns and the elders causing it), a month not over
    (unless a draft), an empty ledger or a month before it began, submitting a month already sent, correcting
    one never sent. ``check_cancelled`` raises to stop (the file is left as it was); ``progress(done, total,
    text)`` reports the steps.

    ``group`` (a 巡访对象类别) writes that group's workbook instead (``submissions.build_group_book``: its
    探访关爱 lines and the 明细表 of its members, no 汇总表), always computed from the facts on the month's last
    day, never submitted or corrected.
    """
    import hashlib

    from township_desk.models import submissions

    if mode is not None and mode not in MODES:
        raise ValueError(mode)
    month = monthly.parse_month(month)
    today = today or dt.date.today()
    if group is not None:
        return _export_group(db, month, group, Path(target), progress, check_cancelled, filled_on=filled_on,
                             draft=mode == "draft", mode=mode, today=today)
    step = _Steps(progress, check_cancelled, total=11)
    sent = submissions.latest(db, month)
    label = monthly.month_label(month)
    if mode == "submit" and sent is not None:
        raise UserError(f"{sent.describe()}。再次导出（不加 --submit）即得到原样；如需更正，请用 --correct “理由”。")
    if mode == "correct":
        if sent is None:
            raise UserError(f"{label}尚未上报，无需更正：请用 --submit 上报。")
        reason = (reason or "").strip()
        if not reason:
            raise UserError("更正上报须写明理由（--correct “理由”）。")
    if sent is not None and mode is None:
        step("正在读取已上报的报表……")
        book = sent.book
    else:
        submissions.check_exportable(db, month, today=today, draft=mode == "draft")
        note = {"draft": submissions.draft_note(min(today, month_bounds(month)[1])),
                "correct": submissions.correction_note(today)}.get(mode or "", "")
        book = submissions.build_book(db, month, note=note, filled_on=filled_on or today, progress=step)
    target = Path(target)
    kind = {"submit": "上报", "correct": "更正"}.get(mode or "")
    recorded = None
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(atomic_path(target))
        write_book(book, tmp, step, check_cancelled)
        if check_cancelled:
            check_cancelled()
        if kind:
            # What was sent is recorded only if the file is put in place, and the other way round: the rename
            # happens inside the (short) transaction that records it, so either both are done or neither.
            digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
            renaming = stack.pop_all()
            with db.atomic(), renaming:
                recorded = submissions.record(db, book, kind, digest, file_name=target.name, reason=reason, by=by)
    step.done()
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    rows = {t.sheet: len(t.rows) for t in book.tables}
    people = sum(1 for row in book.table("明细表").dicts() if row.get("id_number"))  # not the 暂离 lines
    return ExportResult(target, month, book.summary_rows[-1].col(1), people, rows["巡访情况"],
                        rows["风险隐患"], rows["互助协议"], kind=kind or ("草稿" if book.is_draft else None),
                        submission=recorded or sent, reproduced=sent is not None and mode is None, sha256=digest,
                        sheets=(SUMMARY_SHEET, *(t.sheet for t in book.tables)))


def _export_group(db, month: str, group: str, target: Path, progress, check_cancelled, *, filled_on, draft: bool,
                  mode: str | None, today: dt.date) -> ExportResult:
    """``export_monthly`` with ``group``: one group's workbook (never recorded as sent)."""
    import hashlib

    from township_desk.models import coverage, groups, submissions

    group = groups.require(group)
    if mode in ("submit", "correct"):
        raise UserError(f"按巡访对象类别（{group}）导出的工作簿只供本乡镇使用，不能上报或更正；"
                        "上报县里请导出全乡镇的月度报表（不加 --group）。")
    submissions.check_exportable(db, month, today=today, draft=draft)
    note = submissions.draft_note(min(today, month_bounds(month)[1])) if draft else ""
    step = _Steps(progress, check_cancelled, total=5)
    book = submissions.build_group_book(db, month, group, note=note, filled_on=filled_on or today, progress=step)
    with atomic_path(target) as tmp:
        write_book(book, tmp, step, check_cancelled)
        if check_cancelled:
            check_cancelled()
    step.done()
    care = book.table(coverage.SHEET).dicts()
    people = sum(1 for row in book.table("明细表").dicts() if row.get("id_number"))
    return ExportResult(target, month, care[-1]["people"] if care else 0, people, 0, 0, 0,
                        kind="草稿" if draft else None, sha256=hashlib.sha256(target.read_bytes()).hexdigest(),
                        sheets=tuple(t.sheet for t in book.tables))


def write_book(book, target: Path, step=None, check_cancelled: Callable[[], None] | None = None) -> None:
    """Write a ``submissions.MonthlyBook`` as the county workbook (汇总表 and the four lists) to ``target``."""
    from openpyxl import Workbook

    from township_desk.printing import xlsx_util as xu

    step = step or (lambda _text: None)
    wb = Workbook()
    ws = wb.active
    if book.summary:
        ws.title = SUMMARY_SHEET
        step("正在写入汇总表……")
        write_summary_sheet(ws, title=book.summary_title, unit=book.township, first_heading="村（社区）",
                            rows=book.summary_rows, signers=Signers(*book.signers),
                            filled_on=dt.date.fromisoformat(book.filled_on),
                            age_day=dt.date.fromisoformat(book.age_day))
    else:  # a group's workbook has no 汇总表 (submissions.build_group_book)
        wb.remove(ws)
    bulk: list[xu.BulkRows] = []  # the 明细表 rows are many: written fast at save (xlsx_util docstring)
    for table in book.tables:
        step(f"正在写入{table.sheet}（{len(table.rows)} 行）……")
        sheet = wb.create_sheet(table.sheet)
        xu.write_table(sheet, [tuple(c) for c in table.columns], table.dicts(),
                       title=table.title, bulk=bulk if table.sheet == "明细表" else None)
        if table.sheet == "明细表":
            _detail_layout(sheet, bulk[-1])
        if table.sheet == "探访关爱":
            _style_care(sheet)
    step("正在保存……")
    xu.save(wb, target, bulk, check_cancelled=check_cancelled)
    _settle_stamps(target, dt.date.fromisoformat(book.filled_on))


# The 明细表's column widths (Excel character units, a Han character takes two): 26 columns one A3 page wide at
# about 85 %; numbers that must stay whole (ID, phones, dates) get their full width, text wraps.
DETAIL_WIDTHS = {
    "seq": 5, "village": 9, "name": 7, "sex": 5, "id_number": 20, "birth_date": 11, "age": 5, "phone": 13,
    "address": 22, "health": 6, "ability": 12, "education": 9, "spouse": 9, "children_count": 5,
    "children_away_years": 6, "supporter": 7, "supporter_phone": 13, "main_income": 9, "care": 9,
    "lives_alone": 5, "risk_grade": 5, "tier": 5, "visitor": 7, "visitor_phone": 13, "last_home_visit": 11,
    "status": 11,
}


def _detail_layout(ws, rows) -> None:
    """The 明细表 printed one page wide (A3 landscape), header rows on every page: set widths, text wrapped in
    its column (the 序号 column's notes run on over the empty cells beside them), headings on two lines."""
    from township_desk.printing import xlsx_util as xu

    xu.wrap_columns(rows, DETAIL_WIDTHS, keep=("seq",))
    for cell in ws[2]:
        cell.alignment = xu.CENTER  # the headings wrap inside their narrow columns
    ws.row_dimensions[2].height = 28  # two lines of bold 10 pt
    xu.print_setup(ws, "1:2", one_page_wide=True)


def _style_care(ws) -> None:
    """The 探访关爱 sheet as it is read: 探访率 with one decimal (100.0, not 100), the 全部巡访对象 and 合计 lines
    bold."""
    from township_desk.models import coverage
    from township_desk.printing import xlsx_util as xu

    rate_col = [key for key, _label in coverage.COLUMNS].index("rate") + 1
    for row in ws.iter_rows(min_row=3):
        row[rate_col - 1].number_format = "0.0"
        if row[0].value == coverage.TOTAL_LABEL or row[1].value == coverage.ALL_LABEL:
            for cell in row:
                cell.font = xu.BOLD


def _settle_stamps(path: Path, day: dt.date) -> None:
    """Same book, same bytes: the zip entries' times and the document's created/modified dates (openpyxl puts
    the clock's time in both) become the book's 填报 day, so a sent month written again has the SHA-256 that
    was recorded when it was sent."""
    import io
    import re
    import zipfile

    stamp = f"{day.isoformat()}T00:00:00Z".encode()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp, data)
            entry = zipfile.ZipInfo(info.filename, date_time=(day.year, day.month, day.day, 0, 0, 0))
            entry.external_attr = info.external_attr
            out.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)


class _Steps:
    """Progress in whole steps, with a cancellation check before each."""

    def __init__(self, progress: Progress | None, check_cancelled, total: int):
        self.progress, self.check_cancelled, self.total, self.n = progress, check_cancelled, total, 0

    def __call__(self, text: str) -> None:
        if self.check_cancelled:
            self.check_cancelled()
        if self.progress:
            self.progress(self.n, self.total, text)
        self.n += 1

    def done(self) -> None:
        if self.progress:
            self.progress(self.total, self.total, "已完成")


# ---------------------------------------------------------------- the county's combined workbook

def combine_workbooks(paths: Sequence[str | Path], target: str | Path, *, county: str = "",
                      month: str | None = None, progress: Progress | None = None,
                      check_cancelled: Callable[[], None] | None = None, filled_on: dt.date | None = None):
    """Read the townships' workbooks, check each, and write the county's 汇总表 (one row per township and
    合计) with a 来源文件 sheet. Returns ``models.combine.CombineResult``; files left out are in its
    ``left_out`` (and listed in 来源文件) and never added to the sums."""
    from openpyxl import Workbook

    from township_desk.models import combine
    from township_desk.printing import xlsx_util as xu

    result = combine.read_and_check(paths, month=month, progress=progress, check_cancelled=check_cancelled)
    if not result.included:
        raise UserError("没有可以汇总的乡镇报表：\n" + "\n".join(f"{s.path.name}：{s.message}" for s in result.sources))
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    write_summary_sheet(ws, title=monthly.report_title(county, result.month), unit=county, first_heading="乡镇（街道）",
                        rows=result.rows, signers=Signers(), filled_on=filled_on or dt.date.today(), age_day=None)
    sources = [{"seq": i, "file": s.path.name, "township": s.township, "month": s.month_text,
                "result": s.result_text, "message": s.message, "elders": s.elders}
               for i, s in enumerate(result.sources, start=1)]
    xu.write_table(wb.create_sheet("来源文件"),
                   [("seq", "序号"), ("file", "文件名"), ("township", "乡镇（街道）"), ("month", "月份"),
                    ("result", "勾稽校验"), ("elders", "留守老年人总数"), ("message", "说明")],
                   sources, title=f"{county}县级汇总来源文件（{monthly.month_label(result.month)}）")
    _write_county_care(wb.create_sheet("探访关爱"), result, county)
    with atomic_path(Path(target)) as tmp:
        wb.save(tmp)
    return result


def _write_county_care(ws, result, county: str) -> None:
    """The county's 探访关爱 sheet: a line per township and group, 合计 per group; the files taken whose 探访关爱
    could not be summed are named below."""
    from township_desk.models import coverage
    from township_desk.printing import xlsx_util as xu

    columns = [("village", "乡镇（街道）"), *coverage.COLUMNS[1:]]
    n = xu.write_table(ws, columns, [row.as_dict() for row in result.care_rows],
                       title=f"{county}巡访对象探访关爱情况（{monthly.month_label(result.month)}）")
    _style_care(ws)
    notes = [f"{s.path.name}（{s.township}）：{s.care_problem}，未计入本表" for s in result.care_left_out]
    for offset, text in enumerate(notes or ([] if n else ["没有可以汇总的探访关爱表"]), start=n + 3):
        xu.put_text(ws.cell(offset + 1, 1), text)
