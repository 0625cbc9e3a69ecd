"""Reading the townships' monthly workbooks for the county's combined 汇总表 (forms.md "combined county workbook").

Each file's township and month come from its 汇总表 title (``<镇名>农村留守老人基本情况排查汇总表（YYYY年M月）``);
its village rows and 合计 are checked again with the same chains as the export (``monthly.check_rows``), and
its 合计 must equal the sum of its villages. A file that cannot be read, fails a check, belongs to another
month, or repeats a township already taken is listed with the reason and left out of the sums.

Months: when ``month`` is not given, the combined month is the one most of the good files carry (the latest
on a tie); files of any other month are left out and flagged "月份不符", never added.

The 探访关爱 sheet (``models.coverage``) of each file taken is summed too: its 合计 lines per 巡访对象类别 go into
the county's 探访关爱 sheet, one line per township and group, and 合计. A file taken whose 探访关爱 sheet is
missing (a workbook from before the sheet existed) or whose 合计 lines are not the sums of its villages is named
in ``care_left_out`` and left out of those sums only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from township_desk.models import monthly, workbook_guard
from township_desk.models.errors import UserError

# A corrected resend says 更正（date） after the month, a draft 草稿（截至 date） (models.submissions).
_TITLE = re.compile(r"^\s*(.*?)\s*" + monthly.TITLE_SUFFIX + r"\s*[（(]\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*[）)]"
                    r"\s*(?P<note>(?:更正|草稿)[（(][^）)]*[）)])?\s*$")
_UNIT = re.compile(r"单位[（(]盖章[）)]\s*[:：]\s*(.+)$")


@dataclass
class SourceFile:
    """One workbook given to the combine, and what became of it."""

    path: Path
    township: str = ""
    month: str = ""
    rows: list[monthly.SummaryRow] = field(default_factory=list)   # village rows, then 合计
    failures: list[str] = field(default_factory=list)             # why its numbers cannot be used
    included: bool = False
    message: str = ""
    care: list | None = None        # its 探访关爱 合计 lines (coverage.CoverageRow), None when it has none to use
    care_problem: str = ""          # why not

    @property
    def month_text(self) -> str:
        return monthly.month_label(self.month) if self.month else ""

    @property
    def checks_hold(self) -> bool:
        return bool(self.rows) and not self.failures

    @property
    def result_text(self) -> str:
        if not self.rows:
            return "无法读取"
        return "通过" if not self.failures else "不通过"

    @property
    def elders(self) -> int | None:
        return self.rows[-1].col(1) if self.rows else None


@dataclass
class CombineResult:
    month: str
    sources: list[SourceFile]
    rows: list[monthly.SummaryRow]      # one per township included, then 合计
    care_rows: list = field(default_factory=list)  # 探访关爱: (township, group) lines, then 合计 per group

    @property
    def care_left_out(self) -> list[SourceFile]:
        return [s for s in self.sources if s.included and s.care is None]

    @property
    def included(self) -> list[SourceFile]:
        return [s for s in self.sources if s.included]

    @property
    def left_out(self) -> list[SourceFile]:
        return [s for s in self.sources if not s.included]


def _number(value, where: str) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0  # a blank count in a hand-filled table means none
    if isinstance(value, bool):
        raise ValueError(f"{where}不是人数：{value}")
    if isinstance(value, (int, float)):
        number = value
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(f"{where}不是人数：“{value}”") from None
    if number < 0 or not float(number).is_integer():
        raise ValueError(f"{where}不是人数：{value}")
    return int(number)


def read_workbook(path: str | Path) -> SourceFile:
    """Read one township workbook's 汇总表: township, month, village rows and 合计, and check them.

    Never raises for a bad file: what is wrong goes to ``failures`` (unreadable files have no ``rows``).
    """
    from openpyxl import load_workbook

    source = SourceFile(Path(path))
    try:
        workbook_guard.check_workbook(source.path)  # a far-away cell would make openpyxl walk billions
    except UserError as exc:
        source.failures.append(str(exc))
        return source
    try:
        wb = load_workbook(source.path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not fatal
        source.failures.append(f"无法打开（{type(exc).__name__}：{exc}）")
        return source
    try:
        if "汇总表" not in wb.sheetnames:
            if "探访关爱" in wb.sheetnames and "明细表" in wb.sheetnames:
                source.failures.append("这是只含一类巡访对象的工作簿（按巡访对象类别导出），不是全乡镇的月度报表，"
                                       "没有“汇总表”，不能汇总：请乡镇导出全乡镇的月度报表")
            else:
                source.failures.append("没有“汇总表”工作表")
            return source
        rows = [list(r) for r in wb["汇总表"].iter_rows(values_only=True)]
        care = _care_sheet_rows(wb["探访关爱"]) if "探访关爱" in wb.sheetnames else None
    finally:
        wb.close()
    overflow = care is not None and len(care) > CARE_ROWS_AT_MOST
    care = care[:CARE_ROWS_AT_MOST] if overflow else care
    unworked = _formulas_without_results(source.path, {"汇总表": rows, "探访关爱": care or []})
    _read_care(source, care, unworked.get("探访关爱", set()))
    if overflow:
        too_long = (f"“探访关爱”工作表超过 {CARE_ROWS_AT_MOST} 行（一个乡镇各村各类对象加合计远没有这么多行，"
                    f"多半是向下填充或粘贴出错），只读了前 {CARE_ROWS_AT_MOST} 行，不计入探访关爱的汇总")
        source.care_problem = f"{source.care_problem}；{too_long}" if source.care_problem else too_long
        source.care = None
    if unworked.get("汇总表"):
        source.failures.append(_formula_message(unworked["汇总表"]))
        return source
    title = str(rows[0][0] or "") if rows and rows[0] else ""
    match = _TITLE.match(title)
    if not match:
        source.failures.append(f"标题“{title}”不是“<乡镇>{monthly.TITLE_SUFFIX}（YYYY年M月）”的格式")
        return source
    if (match.group("note") or "").startswith("草稿"):
        source.failures.append(f"这是草稿（{match.group('note')}），不是正式报表，不能汇总")
        return source
    source.township = match.group(1)
    if not source.township and len(rows) > 1 and rows[1] and rows[1][0]:
        unit = _UNIT.search(str(rows[1][0]))
        source.township = unit.group(1).strip() if unit else ""
    if not 1 <= int(match.group(3)) <= 12:
        source.failures.append(f"标题中的月份“{match.group(3)}月”不存在")
        return source
    source.month = f"{int(match.group(2)):04d}-{int(match.group(3)):02d}"
    if not source.township:
        source.failures.append("标题和“单位（盖章）”中都没有乡镇名称")
        return source
    _check_care_title(source, care)

    wanted = list(range(1, monthly.N_COLUMNS + 1))
    number_row = next((i for i, r in enumerate(rows)
                       if len(r) > monthly.N_COLUMNS and [_maybe_int(v) for v in r[1:monthly.N_COLUMNS + 1]] == wanted),
                      None)
    if number_row is None:
        source.failures.append("找不到栏次行（1–27）")
        return source
    lines: list[monthly.SummaryRow] = []
    try:
        for offset, r in enumerate(rows[number_row + 1:], start=number_row + 2):
            name = str(r[0]).strip() if r and r[0] is not None else ""
            if not name:
                if lines and lines[-1].name == monthly.TOTAL_LABEL:
                    break
                continue
            counts = [_number(r[c] if c < len(r) else None, f"第{offset}行第{c}列（{name}）")
                      for c in range(1, monthly.N_COLUMNS + 1)]
            lines.append(monthly.SummaryRow(name, counts))
            if name == monthly.TOTAL_LABEL:
                break
    except ValueError as exc:
        source.failures.append(str(exc))
        return source
    if not lines or lines[-1].name != monthly.TOTAL_LABEL:
        source.failures.append("找不到“合计”行")
        return source
    source.rows = lines
    for failure in monthly.check_rows(lines):
        source.failures.append("勾稽关系不成立：" + failure.message(with_elders=False))
    villages, total = lines[:-1], lines[-1]
    sums = [sum(v.counts[i] for v in villages) for i in range(monthly.N_COLUMNS)]
    wrong = [f"第{i + 1}列 合计{total.counts[i]}≠各村之和{sums[i]}" for i in range(monthly.N_COLUMNS)
             if sums[i] != total.counts[i]]
    if wrong:
        source.failures.append("合计行与各村之和不符：" + "、".join(wrong))
    return source


NO_CARE_SHEET = "没有“探访关爱”工作表"
_FORMULA_ADVICE = "是公式，文件中没有它的计算结果（由程序生成、未在 Excel 或 WPS 中打开保存过）：请在 Excel 或 WPS 中打开、保存后再汇总"


# A township's 探访关爱 sheet has a line per village and group plus 合计 lines: a few hundred rows even for a
# large township. A sheet far longer (a fill-down to the bottom of the sheet) is not read to its end: 200,000
# rows took half a minute and more, for a sheet that is wrong anyway.
CARE_ROWS_AT_MOST = 5000


def _care_sheet_rows(ws) -> list[list]:
    """The 探访关爱 sheet's rows, at most one beyond ``CARE_ROWS_AT_MOST`` (enough to tell it is too long)."""
    out: list[list] = []
    for row in ws.iter_rows(values_only=True):
        out.append(list(row))
        if len(out) > CARE_ROWS_AT_MOST:
            break
    return out


def _formulas_without_results(path: Path, read: dict[str, list[list]]) -> dict[str, set[tuple[int, int]]]:
    """Per sheet, the cells (row, column; 1-based) holding a formula whose value the file does not carry: read
    with ``data_only`` such a cell is empty, and an empty count would be taken for 0. A file Excel or WPS saved
    carries every formula's value; only a file a script wrote does not. The formulas are read only when a sheet
    has an empty cell at all (an exported file has none in its counts)."""
    from openpyxl import load_workbook

    if not _has_formulas(path):
        return {}
    found: dict[str, set[tuple[int, int]]] = {}
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        for name, rows in read.items():
            if name not in wb.sheetnames:
                continue
            for r, line in enumerate(wb[name].iter_rows(values_only=True), start=1):
                if r > len(rows):
                    break  # only the rows read (a far too long 探访关爱 sheet is read only so far)
                for c, value in enumerate(line, start=1):
                    if (isinstance(value, str) and value.startswith("=") and r <= len(rows)
                            and (c > len(rows[r - 1]) or rows[r - 1][c - 1] is None)):
                        found.setdefault(name, set()).add((r, c))
    finally:
        wb.close()
    return found


def _has_formulas(path: Path) -> bool:
    """Does any worksheet of the file hold a formula (an ``<f>`` element)? Scanned as bytes, in chunks."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            for name in book.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                tail = b""
                with book.open(name) as member:
                    while chunk := member.read(1 << 20):
                        if re.search(rb"<(?:\w+:)?f[ >/]", tail + chunk):
                            return True
                        tail = chunk[-16:]
    except (OSError, zipfile.BadZipFile):
        return False
    return False


def _formula_message(cells: set[tuple[int, int]], names: dict[tuple[int, int], str] | None = None) -> str:
    from openpyxl.utils import get_column_letter

    shown = [f"{get_column_letter(c)}{r}" + (f"（{names[(r, c)]}）" if names and (r, c) in names else "")
             for r, c in sorted(cells)[:5]]
    more = f"等 {len(cells)} 个单元格" if len(cells) > 5 else ""
    return f"单元格 {'、'.join(shown)}{more}{_FORMULA_ADVICE}"


def _read_care(source: SourceFile, rows: list[list] | None, unworked: set[tuple[int, int]] = frozenset()) -> None:
    """The file's 探访关爱 合计 lines into ``source.care``, after checking the sheet as the export writes it: every
    line's group one of ours (or 全部巡访对象), each line's figures possible (已上门 ≤ 已探访 ≤ 人数, 重点 and 逾期
    ≤ 人数, 探访率 = 已探访/人数), no group larger than the place's 全部巡访对象, each group's 合计 the sum of its
    village lines and no group without its 合计. The first thing wrong goes to ``care_problem``, naming the row."""
    from township_desk.models import coverage, groups

    if rows is None:
        source.care_problem = NO_CARE_SHEET
        return
    headings = [label for _key, label in coverage.COLUMNS]
    start = next((i for i, r in enumerate(rows) if [str(v or "").strip() for v in r[:len(headings)]] == headings),
                 None)
    if start is None:
        source.care_problem = "“探访关爱”工作表找不到表头"
        return
    column = {key: headings.index(label) for key, label in coverage.COLUMNS}
    labels = dict(coverage.COLUMNS)
    known = (*groups.GROUPS, coverage.ALL_LABEL)
    lines: dict[tuple[str, str], tuple[int, coverage.CoverageRow]] = {}
    problems: list[str] = []
    try:
        for offset, r in enumerate(rows[start + 1:], start=start + 2):
            place = str(r[0]).strip() if r and r[0] is not None else ""
            group = str(r[1]).strip() if len(r) > 1 and r[1] is not None else ""
            if not place or not group:
                continue
            where = f"探访关爱第{offset}行（{place} {group}）"
            if group not in known:
                problems.append(f"{where}的巡访对象类别“{group}”不是本程序的类别（可选：{'、'.join(known)}）")
                continue
            if (place, group) in lines:
                problems.append(f"{where}与第{lines[(place, group)][0]}行重复")
                continue
            formulas = {(offset, column[k] + 1): labels[k] for k in (*coverage.COUNTS, "rate")
                        if (offset, column[k] + 1) in unworked}
            if formulas:
                problems.append(f"{where}：" + _formula_message(set(formulas), formulas))
                continue
            line = coverage.CoverageRow(place, group, *(
                _number(r[column[k]] if column[k] < len(r) else None, f"{where}的{labels[k]}") for k in coverage.COUNTS))
            lines[(place, group)] = (offset, line)
            problems += [f"{where}：{text}" for text in _impossible(line, r[column["rate"]] if column["rate"] < len(r)
                                                                     else None)]
    except ValueError as exc:
        problems.append(f"“探访关爱”工作表：{exc}")
    if not problems:
        problems = _sums_wrong(lines)
    if problems:
        more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
        source.care_problem = problems[0] + more
        return
    source.care = [line for (place, _g), (_o, line) in lines.items() if place == coverage.TOTAL_LABEL]


_CARE_TITLE = re.compile(r"^\s*(.*?)巡访对象探访关爱情况\s*[（(]\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*[）)]")


def _check_care_title(source: SourceFile, rows: list[list] | None) -> None:
    """The 探访关爱 sheet must be the 汇总表's township and month: a sheet pasted in from another month or
    township is not summed. A title not in the export's form (a hand-made sheet) is not judged."""
    if source.care is None or not rows or not rows[0]:
        return
    title = str(rows[0][0] or "").strip()
    match = _CARE_TITLE.match(title)
    if not match:
        return
    month = f"{int(match.group(2)):04d}-{int(match.group(3)):02d}"
    township = match.group(1).strip()
    if month != source.month or (township and township != source.township):
        source.care = None
        source.care_problem = (f"“探访关爱”工作表的标题“{title}”与汇总表的乡镇、月份（{source.township}，"
                               f"{source.month_text}）不符")


def _impossible(line, rate_cell) -> list[str]:
    """What cannot be true of one 探访关爱 line."""
    from township_desk.models import coverage

    out = []
    for count, label in ((line.key, "重点对象"), (line.contacted, "本月已探访人数"), (line.overdue, "月末逾期未上门人数")):
        if count > line.people:
            out.append(f"{label} {count} 多于人数 {line.people}")
    if line.home_visited > line.contacted:
        out.append(f"本月已上门人数 {line.home_visited} 多于本月已探访人数 {line.contacted}（上门也是探访）")
    expected = coverage.rate_of(line.contacted, line.people)
    text = str(rate_cell).strip().rstrip("%％").strip() if rate_cell is not None else ""
    if text and expected is not None:
        try:
            given = float(text)
        except ValueError:
            out.append(f"探访率（%）“{rate_cell}”不是数字")
        else:
            if abs(given - expected) > 0.051:
                out.append(f"探访率（%）为 {rate_cell}，按本月已探访人数 {line.contacted} / 人数 {line.people} 应为 {expected}")
    return out


def _sums_wrong(lines: dict) -> list[str]:
    """A group larger than its place's 全部巡访对象; a 合计 that is not the sum of its villages; a group with
    village lines and no 合计 line."""
    from township_desk.models import coverage

    out = []
    for (place, group), (offset, line) in lines.items():
        everyone = lines.get((place, coverage.ALL_LABEL))
        if group != coverage.ALL_LABEL and everyone is not None and line.people > everyone[1].people:
            out.append(f"探访关爱第{offset}行（{place} {group}）：人数 {line.people} 多于该处全部巡访对象 "
                       f"{everyone[1].people} 人")
    villages: dict[str, list[int]] = {}
    for (place, group), (_offset, line) in lines.items():
        if place != coverage.TOTAL_LABEL:
            sums = villages.setdefault(group, [0] * len(coverage.COUNTS))
            villages[group] = [a + getattr(line, k) for a, k in zip(sums, coverage.COUNTS, strict=True)]
    totals = {group: (offset, line) for (place, group), (offset, line) in lines.items() if place == coverage.TOTAL_LABEL}
    if not totals:
        return [*out, "“探访关爱”工作表没有合计行"]
    for group, (offset, line) in totals.items():
        numbers = [getattr(line, k) for k in coverage.COUNTS]
        if villages.get(group, [0] * len(numbers)) != numbers:
            out.append(f"“探访关爱”工作表的合计与各村之和不符：{group}（第{offset}行）")
    out += [f"“探访关爱”工作表有“{group}”各村的行，没有它的合计行" for group in villages if group not in totals]
    return out


def _maybe_int(value):
    try:
        return int(value) if value is not None and float(value).is_integer() else value
    except (TypeError, ValueError):
        return value


def read_and_check(paths: Sequence[str | Path], *, month: str | None = None,
                   progress: Callable[[int, int, str], None] | None = None,
                   check_cancelled: Callable[[], None] | None = None) -> CombineResult:
    """Read every file, decide the month, and pick the files whose numbers go into the county's sums."""
    if not paths:
        raise UserError("请选择要汇总的乡镇报表文件")
    sources = []
    for index, path in enumerate(paths):
        if check_cancelled:
            check_cancelled()
        if progress:
            progress(index, len(paths), f"正在读取 {Path(path).name}……")
        sources.append(read_workbook(path))
    good = [s for s in sources if s.checks_hold]
    if month:
        month = monthly.parse_month(month)
    elif good:
        counts = Counter(s.month for s in good)
        month = max(counts, key=lambda m: (counts[m], m))
    else:
        month = next((s.month for s in sources if s.month), "")
    taken: dict[str, SourceFile] = {}
    for s in sources:
        if not s.rows:
            s.message = "无法读取，未汇总：" + "；".join(s.failures)
        elif s.failures:
            s.message = "勾稽校验不通过，未汇总：" + "；".join(s.failures)
        elif s.month != month:
            s.message = f"月份不符（{s.month_text}，本次汇总{monthly.month_label(month)}），未汇总"
        elif s.township in taken:
            s.message = f"与“{taken[s.township].path.name}”是同一乡镇的同月报表，重复，未汇总"
        else:
            s.included = True
            s.message = "已汇总"
            taken[s.township] = s
    rows = [monthly.SummaryRow(s.township, list(s.rows[-1].counts)) for s in sources if s.included]
    total = monthly.SummaryRow(monthly.TOTAL_LABEL,
                               [sum(r.counts[i] for r in rows) for i in range(monthly.N_COLUMNS)])
    if progress:
        progress(len(paths), len(paths), "已读取")
    return CombineResult(month, sources, [*rows, total], _care_rows(sources))


def _care_rows(sources: list[SourceFile]) -> list:
    """The county's 探访关爱 lines: each township taken, its groups as its file gives them; then 合计 per group
    (the groups in ``groups.GROUPS`` order, then 全部巡访对象, then any other line a file had)."""
    from township_desk.models import coverage, groups

    lines, sums = [], {}
    for s in sources:
        if not s.included or s.care is None:
            continue
        for row in s.care:
            lines.append(coverage.CoverageRow(s.township, row.group, *(getattr(row, k) for k in coverage.COUNTS)))
            total = sums.setdefault(row.group, coverage.CoverageRow(coverage.TOTAL_LABEL, row.group))
            for key in coverage.COUNTS:
                setattr(total, key, getattr(total, key) + getattr(row, key))
    order = [*groups.GROUPS, coverage.ALL_LABEL]
    ranked = sorted(sums.values(), key=lambda r: order.index(r.group) if r.group in order else len(order))
    return [*lines, *ranked] if lines else []


def left_out_text(result: CombineResult) -> str:
    """One Chinese line per file left out of the sums."""
    return "\n".join(f"{s.path.name}：{s.message}" for s in result.left_out)
