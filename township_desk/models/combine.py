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
            source.failures.append("没有“汇总表”工作表")
            return source
        rows = [list(r) for r in wb["汇总表"].iter_rows(values_only=True)]
        care = [list(r) for r in wb["探访关爱"].iter_rows(values_only=True)] if "探访关爱" in wb.sheetnames else None
    finally:
        wb.close()
    _read_care(source, care)
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


def _read_care(source: SourceFile, rows: list[list] | None) -> None:
    """The file's 探访关爱 合计 lines into ``source.care``, checked against the sums of its village lines."""
    from township_desk.models import coverage

    if rows is None:
        source.care_problem = "没有“探访关爱”工作表"
        return
    headings = [label for _key, label in coverage.COLUMNS]
    start = next((i for i, r in enumerate(rows) if [str(v or "").strip() for v in r[:len(headings)]] == headings),
                 None)
    if start is None:
        source.care_problem = "“探访关爱”工作表找不到表头"
        return
    counted = {key: headings.index(label) for key, label in coverage.COLUMNS if key in coverage.COUNTS}
    villages: dict[str, list[int]] = {}
    totals: dict[str, list[int]] = {}
    try:
        for offset, r in enumerate(rows[start + 1:], start=start + 2):
            place = str(r[0]).strip() if r and r[0] is not None else ""
            group = str(r[1]).strip() if len(r) > 1 and r[1] is not None else ""
            if not place or not group:
                continue
            numbers = [_number(r[c] if c < len(r) else None, f"探访关爱第{offset}行（{place} {group}）")
                       for c in counted.values()]
            if place == coverage.TOTAL_LABEL:
                totals[group] = numbers
            else:
                sums = villages.setdefault(group, [0] * len(numbers))
                villages[group] = [a + b for a, b in zip(sums, numbers, strict=True)]
    except ValueError as exc:
        source.care_problem = f"“探访关爱”工作表：{exc}"
        return
    wrong = [group for group, numbers in totals.items() if villages.get(group, [0] * len(numbers)) != numbers]
    if not totals or wrong:
        source.care_problem = ("“探访关爱”工作表没有合计行" if not totals
                               else f"“探访关爱”工作表的合计与各村之和不符：{'、'.join(wrong)}")
        return
    source.care = [coverage.CoverageRow(coverage.TOTAL_LABEL, group, *numbers) for group, numbers in totals.items()]


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
