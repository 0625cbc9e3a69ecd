"""The monthly workbook for the county (forms.md) and the county's combined workbook.

Sheets: 汇总表 (seed 002 attachment 2 with its cross-checks), 明细表, 巡访情况, 风险隐患, 互助协议.
A workbook whose cross-checks fail is refused before anything is written: the clerk fixes the records
the message names, then exports again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from township_desk.models import monthly, settings
from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path

Progress = Callable[[int, int, str], None]

SUMMARY_SHEET = "汇总表"
SHEETS = ("汇总表", "明细表", "巡访情况", "风险隐患", "互助协议")
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
    sheets: tuple[str, ...] = SHEETS


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
    ws.row_dimensions[HEADER_BOTTOM].height = 42

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
    for (a, b), (label, name) in zip(thirds, (("单位负责人（签名）", signers.unit_head),
                                              ("填表人（签名）", signers.preparer),
                                              ("复核人（签名）", signers.reviewer)), strict=True):
        xu.merge_text(ws, f"{letter(a)}{r}:{letter(b)}{r}", f"{label}：{name}", font=xu.FONT, alignment=xu.LEFT)
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
    widths += [7] * monthly.N_COLUMNS  # headings wrap inside the two header rows
    xu.fit_columns(ws, widths, minimum=6)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 2)
    xu.print_setup(ws, f"1:{NUMBER_ROW}")
    ws.print_area = f"A1:{end}{r - 1}"
    del last_data


def export_monthly(db, month: str, target: str | Path, progress: Progress | None = None,
                   check_cancelled: Callable[[], None] | None = None, *, filled_on: dt.date | None = None
                   ) -> ExportResult:
    """Write the month's workbook to ``target`` (atomically).

    Refuses with a ``UserError`` listing every failing village, the columns and the elders causing it when
    a cross-check fails; nothing is written then. ``check_cancelled`` raises to stop (the file is left as
    it was); ``progress(done, total, text)`` reports the steps.
    """
    from openpyxl import Workbook

    from township_desk.printing import xlsx_util as xu

    month = monthly.parse_month(month)
    step = _Steps(progress, check_cancelled, total=7)
    township = (settings.get(db, "township_name") or "").strip()
    if not township:
        raise UserError("请先在“设置”中填写乡镇（街道）名称：汇总表标题和县级汇总都要用到它。")
    step("正在统计汇总表……")
    summary = monthly.summary(db, month)
    failures = monthly.cross_checks(summary)
    if failures:
        raise UserError(f"{summary.title}的勾稽关系不成立，未导出。请补全以下老人的信息后重新导出：\n"
                        + monthly.failures_text(failures))
    step("正在整理明细表……")
    detail = monthly.details(db, month)
    step("正在统计巡访情况……")
    visits = monthly.visits_by_village(db, month)
    hazards = monthly.hazards_of_month(db, month)
    agreements = monthly.agreements_of_month(db, month)
    values = settings.get_all(db)
    signers = Signers(values.get("unit_head") or "", values.get("preparer") or "", values.get("reviewer") or "")
    label = monthly.month_label(month)

    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    step("正在写入汇总表……")
    write_summary_sheet(ws, title=summary.title, unit=township, first_heading="村（社区）", rows=summary.rows,
                        signers=signers, filled_on=filled_on or dt.date.today(), age_day=summary.last_day)
    step(f"正在写入明细表（{len(detail)} 人）……")
    bulk: list[xu.BulkRows] = []  # the 明细表 rows are many: written fast at save (xlsx_util docstring)
    detail_ws = wb.create_sheet("明细表")
    xu.write_table(detail_ws, list(monthly.DETAIL_COLUMNS), detail_sheet_rows(detail),
                   title=f"{township}农村留守老年人明细表（{label}）", bulk=bulk)
    detail_ws.column_dimensions["A"].width = 6  # 序号; the 暂离 lines' text runs on over the empty cells beside it
    step("正在写入巡访情况、风险隐患、互助协议……")
    xu.write_table(wb.create_sheet("巡访情况"), list(monthly.VISIT_COLUMNS), visits,
                   title=f"{township}农村留守老年人巡访情况（{label}）")
    xu.write_table(wb.create_sheet("风险隐患"), list(monthly.HAZARD_COLUMNS), hazards,
                   title=f"{township}风险隐患发现及处置情况（{label}）")
    xu.write_table(wb.create_sheet("互助协议"), list(monthly.AGREEMENT_COLUMNS), agreements,
                   title=f"{township}农村居家互助养老协议（{label}）")
    step("正在保存……")
    target = Path(target)
    with atomic_path(target) as tmp:
        xu.save(wb, tmp, bulk, check_cancelled=check_cancelled)
        if check_cancelled:
            check_cancelled()
    step.done()
    return ExportResult(target, month, summary.total.col(1), len(detail), len(visits), len(hazards),
                        len(agreements))


AWAY_MARK = "暂离（不计入汇总表）"


def detail_sheet_rows(detail: list[dict]) -> list[dict]:
    """The 明细表's rows as written: those 在册 (the 汇总表's column 1), then, when anyone was 暂离 at month end, a
    line introducing them, their rows marked 暂离（不计入汇总表）, and a note saying why the two sheets differ."""
    present = [d for d in detail if d["status"] != "暂离"]
    away = [{**d, "status": AWAY_MARK} for d in detail if d["status"] == "暂离"]
    if not away:
        return present
    return [*present,
            {"seq": f"以下 {len(away)} 人月末暂离（住院、随子女暂住等，巡访暂停），列入明细表，不计入汇总表"},
            *away,
            {"seq": f"注：本表列出月末在台账上的老人共 {len(detail)} 人，其中在册 {len(present)} 人（即汇总表"
                    f"第1列合计），暂离 {len(away)} 人不计入汇总表。"}]


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
    with atomic_path(Path(target)) as tmp:
        wb.save(tmp)
    return result
