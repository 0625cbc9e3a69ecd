"""Reading clerks' Excel ledgers (留守老年人台账) into the ledger (cli.md, "What the ledger importer must cope with").

Two steps, so the window can show what it found before anything is written:

* ``read_ledger(path)`` reads the workbook without a database: finds each sheet's header (title and
  填报单位 rows above it, one- or two-level merged headings, columns in any order), fills merged cells
  down, skips blank rows and 合计/注 rows that hold no ID number, and checks every record with
  ``elders.prepare_elder`` so every problem is known before the import. An ID cell merged down over a
  second person is an error on that person's row, never a silent fill-down.
* ``import_ledger(db, path)`` saves the good rows with ``elders.save_elder`` in ONE transaction (a new
  person is added, a person already on the ledger is updated and the changes listed). ``dry_run`` rolls
  that transaction back, so its report is the real one.

Every rule about a record stays in ``elders``/``idnumber.py``/``dates.py``; this module only finds the
columns and turns the words clerks write into the values those rules accept (both from ``elders.FIELDS``).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from township_desk.models import elders, idnumber, import_groups, workbook_guard
from township_desk.models.errors import UserError, ValidationError
from township_desk.models.names import normalise_name

ProgressFn = Callable[[int, int, str], None]

# How far down a sheet the header may start (title, 填报单位 and blank rows above it).
_HEADER_SEARCH_ROWS = 20

# ------------------------------------------------------------------ headings

# (target, pattern) tried in order on the heading with spaces, brackets and separators removed; the first
# full match wins. The headings of the elder's own fields are in the field table (``elders.FIELDS``); the rules
# here are the importer's own: columns that are not stored (None), the supporters' columns ("s.<field>"; a
# number in the heading, 赡养人2姓名, picks which one) and the combined columns handled below ("health",
# "disability", "visitor_phone"). They come first: 残疾等级 is read as the combined 残疾 column.
_SUPPORTER = r"(?:赡养人|扶养人|赡养扶养人|子女)"
_IMPORTER_RULES: list[tuple[str | None, str]] = [
    (None, r"序号|编号|年龄|周岁|年龄段|身体情况健康|健康"),
    ("s.id_number", _SUPPORTER + r"(\d*)(?:公民)?身份证(?:号码|号)?"),
    ("s.relation", _SUPPORTER + r"?(\d*)(?:与老人|与被赡养人)?关系"),
    ("s.phone", _SUPPORTER + r"(\d*)(?:联系)?(?:电话|手机|手机号码|联系方式)(?:号码)?"),
    ("s.work_place", _SUPPORTER + r"?(\d*)(?:外出)?(?:务工地点|务工地|务工地址|工作地点|务工单位|外出地点)"),
    ("s.away_since", _SUPPORTER + r"?(\d*)外出(?:务工)?时间"),
    ("s.employer_type", _SUPPORTER + r"?(\d*)(?:工作)?单位性质"),
    ("s.name", _SUPPORTER + r"(\d*)(?:姓名)?"),
    ("visitor_phone", r"(?:巡访|帮扶|关爱|包保)?(?:责任人|巡访人|联系人)(?:联系)?(?:电话|手机|联系方式)"),
    # 类别, 老人类型, 对象类别, 是否空巢 …: visit groups (巡访对象类别), before the field table's 巡访类别 (tier)
    *import_groups.HEADING_RULES,
    ("health", r"身体(?:健康)?(?:情况|状况)|健康(?:状况|情况)"),
    ("disability", r"残疾(?:类别|类型)?(?:及|和|与)?等级|残疾情况|残疾类别等级"),
]
_HEADING_RULES = _IMPORTER_RULES + [(f.code, f.headings) for f in elders.FIELDS if f.headings]
_COMPILED = [(target, re.compile(pattern)) for target, pattern in _HEADING_RULES]
_GROUP_WORDS = re.compile(r"(?:基本)?(?:情况|信息)$")
_HEADING_JUNK = re.compile(r"[\s/、·:：*＊\-—_]+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕")


def _clean_heading(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _HEADING_JUNK.sub("", text)


def match_heading(text: object) -> tuple[str | None, int | None] | None:
    """The field a heading names, and the supporter number for 赡养人 columns; None when unknown.

    Returns ``(None, None)`` for a known column that is not stored (序号, 年龄 …).
    """
    if text is None:
        return None
    full = _clean_heading(str(text))
    if not full:
        return None
    for candidate in dict.fromkeys((full, _BRACKETS.sub("", full))):
        if not candidate:
            continue
        for target, pattern in _COMPILED:
            found = pattern.fullmatch(candidate)
            if found:
                number = None
                if target and target.startswith("s.") and found.groups() and found.group(1):
                    number = int(found.group(1))
                return target, number
    return None


def _combined_heading(top: str, sub: str) -> tuple[str | None, int | None] | None:
    """A two-level heading: 赡养人情况 › 姓名 is the supporter's name, 身体情况 › 残疾 the 残疾 flag."""
    top_clean = _GROUP_WORDS.sub("", _BRACKETS.sub("", _clean_heading(top)))
    for candidate in (top_clean + _clean_heading(sub), sub, top):
        found = match_heading(candidate)
        if found is not None:
            return found
    return None


# ------------------------------------------------------------------ results


@dataclass
class ImportProblem:
    """One row passed over (error) or imported with something to look at (warning)."""

    sheet: str
    row: int  # the row number Excel shows
    column: str | None  # the heading as written, or None for the whole row
    severity: str  # "error" | "warning"
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "severity": self.severity,
                "message": self.message}

    def describe(self) -> str:
        """``工作表 X 第N行 〔列〕：message`` as the command line and the window print it."""
        column = f"〔{self.column}〕" if self.column else ""
        kind = "" if self.severity == "error" else "（提醒）"
        return f"工作表 {self.sheet} 第{self.row}行 {column}：{kind}{self.message}"


@dataclass
class LedgerRow:
    """One person found in the workbook, as ``elders.save_elder`` takes it."""

    sheet: str
    row: int
    data: dict[str, Any]
    supporters: list[dict] | None  # None: the sheet has no supporter columns (keep those on the ledger)
    id_number: str  # normalised, "" when missing
    ok: bool  # False: an error was found, the row is not imported
    prepared: tuple[dict[str, Any], list] | None = None  # elders.prepare_elder's output, reused when saving
    claims: list[import_groups.GroupClaim] = field(default_factory=list)  # the visit groups the row names


@dataclass
class SheetInfo:
    name: str
    header_row: int | None  # Excel row number of the (first) header row; None for a sheet of notes
    columns: dict[str, str] = field(default_factory=dict)  # heading -> field
    ignored_columns: list[str] = field(default_factory=list)  # headings not recognised
    village_from_sheet_name: bool = False
    title_groups: list[import_groups.GroupClaim] = field(default_factory=list)  # groups the name or title names


@dataclass
class LedgerRead:
    """What ``read_ledger`` found: every person row and every problem, in sheet and row order."""

    path: Path
    rows: list[LedgerRow]
    problems: list[ImportProblem]
    sheets: list[SheetInfo]

    @property
    def good_rows(self) -> list[LedgerRow]:
        return [r for r in self.rows if r.ok]

    @property
    def skipped(self) -> int:
        """Rows with an error (each counted once)."""
        return len({(p.sheet, p.row) for p in self.problems if p.severity == "error"})


# The ledger's field behind each label ``elders.save_elder`` reports, for ``--json``'s "field".
_FIELD_OF_LABEL = {label: key for key, label in elders.ELDER_FIELDS.items()} | {"赡养人": "supporters"}


@dataclass
class FieldChange:
    """One field of one person: what the ledger held, what the workbook says, and whether it was written."""

    field: str  # the ledger's field ("name", "phone", "supporters" …)
    label: str  # its Chinese label (姓名, 联系电话, 赡养人 …)
    old: Any
    new: Any
    applied: bool = True


@dataclass
class ElderChange:
    """What an import changed, or found different and left, for one person already on the ledger."""

    name: str  # as the ledger has it after the import
    id_number: str
    changes: list[FieldChange]

    def to_json(self) -> list[dict[str, Any]]:
        return [{"id_number": self.id_number, "field": c.field, "old": c.old, "new": c.new, "applied": c.applied}
                for c in self.changes]


@dataclass
class Rename:
    """A row whose ID number is on the ledger under another name: a conflict the clerk must confirm."""

    sheet: str
    row: int
    id_number: str
    old: str  # the name on the ledger
    new: str  # the name in the workbook


@dataclass
class ImportResult:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    changes: list[ElderChange] = field(default_factory=list)
    dry_run: bool = False
    new_villages: list[str] = field(default_factory=list)  # villages created (a dry run: would be created)

    @property
    def renames_left(self) -> list[tuple[ElderChange, FieldChange]]:
        """Name changes found and not applied (not confirmed)."""
        return [(person, c) for person in self.changes for c in person.changes if not c.applied]

    @property
    def has_problems(self) -> bool:
        return bool(self.problems) or self.skipped > 0 or bool(self.renames_left)

    def to_json(self) -> dict[str, Any]:
        """Exactly cli.md's ``import-ledger --json`` object."""
        return {"imported": self.imported, "updated": self.updated, "skipped": self.skipped,
                "problems": [p.to_json() for p in self.problems],
                "changes": [item for person in self.changes for item in person.to_json()],
                "new_villages": list(self.new_villages)}


class ImportCancelled(UserError):
    """The clerk cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__("已取消导入，台账未作任何改动")


class _DryRunRollback(Exception):
    """Raised at the end of a dry run so the transaction is rolled back."""


# ------------------------------------------------------------------ reading the workbook


def _sheet_cells(sheet) -> tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    """All cells from A1 (so list index + 1 is the row Excel shows), and the merged ranges."""
    try:
        cells = sheet.to_python(skip_empty_area=False)
        merged = getattr(sheet, "merged_cell_ranges", None) or []
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - as in _open_workbook: a panic must not end the program
        raise UserError(f"无法读取工作表“{sheet.name}”：文件可能已损坏（{type(exc).__name__}：{exc}）") from exc
    return cells, list(merged)


def _fill_merged(cells: list[list[Any]], merged) -> dict[tuple[int, int], tuple[int, int]]:
    """Give every cell of a merged range the top-left value (pitfalls #7); return cell -> range top-left."""
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(cells):
            continue
        value = cells[r0][c0] if c0 < len(cells[r0]) else ""
        for r in range(r0, min(r1, len(cells) - 1) + 1):
            row = cells[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
                owner[(r, c)] = (r0, c0)
    return owner


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_blank(row: list[Any]) -> bool:
    return all(_text(v) == "" for v in row)


_FOOTER = re.compile(r"^(?:合\s*计|总\s*计|小\s*计|共计|注|说明|备注\s*[:：]|填表说明|填\s*表\s*人|填报人|制表人|审核人|"
                     r"负责人|单位负责人|分管领导|联系人\s*[:：]|填报日期|填表日期)")


def _is_footer(row: list[Any]) -> bool:
    """合计/注/填表人 rows at the bottom: not people, never reported."""
    for value in row:
        text = _text(value)
        if text:
            return bool(_FOOTER.match(unicodedata.normalize("NFKC", text)))
    return False


_ID_LIKE = re.compile(r"^(?:\d{17}[\dX]|\d{15}|\d(?:\.\d+)?E\+?\d+)$")


def _looks_like_id(value: Any) -> bool:
    """An ID number, or what Excel left of one (a long number): such a row is a person, never a footer."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return abs(value) >= 1e14
    return bool(_ID_LIKE.match(idnumber.normalise(value)))


def _people_without_header(sheet: str, cells: list[list[Any]]) -> list[ImportProblem]:
    """An error for each row holding an ID number on a sheet where no 姓名/身份证号码 header was found."""
    found = []
    for r, row in enumerate(cells):
        number = next((idnumber.normalise(v) for v in row if isinstance(v, str) and _looks_like_id(v)), None)
        if number:
            found.append(ImportProblem(sheet, r + 1, None, "error",
                                       f"身份证号码 {number} 未导入：这张工作表没有找到同时写有“姓名”和“身份证号码”的表头行"
                                       "（请在人员上方的表头写明这两列）"))
    return found


def _column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _find_header(cells: list[list[Any]]) -> int | None:
    """The first row holding both a 姓名 and a 身份证 heading (title and 填报单位 rows sit above it)."""
    for r, row in enumerate(cells[:_HEADER_SEARCH_ROWS]):
        targets = set()
        for value in row:
            text = _text(value)
            if not text or len(text) > 30:
                continue
            found = match_heading(text)
            if found:
                targets.add(found[0])
        if "name" in targets and "id_number" in targets:
            return r
    return None


_UNIT_ROW = re.compile(r"^(?:填报|填表|报送|制表)?单位|^填报|^统计")


def _is_upper_heading(cells: list[list[Any]], header: int, owner: dict) -> bool:
    """Is the row above the 姓名/身份证 row the upper level of a two-level heading (老人基本情况 › 姓名)?

    Yes when a cell is merged down over both rows (序号), or the row holds several headings and is
    neither the title (one text across) nor the 填报单位 row.
    """
    if header == 0:
        return False
    above = cells[header - 1]
    if any(owner.get((header, c)) == (header - 1, c) for c in range(len(above))):
        return True
    texts = [_text(v) for v in above if _text(v)]
    if len(set(texts)) < 2 or any(_UNIT_ROW.match(t) for t in texts):
        return False
    return any(match_heading(t) is not None or _GROUP_WORDS.search(_clean_heading(t)) for t in texts)


def _looks_like_data(row: list[Any]) -> bool:
    for value in row:
        if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
            return True
        if re.search(r"\d{6,}", idnumber.normalise(value)):
            return True
    return False


def _map_columns(cells: list[list[Any]], header: int, owner: dict) -> tuple[dict[int, tuple[str, int | None]],
                                                                            dict[int, str], list[str], int, int]:
    """Column index -> (field, supporter number); heading per column; unknown headings; top heading row;
    first data row."""
    if _is_upper_heading(cells, header, owner):
        header -= 1
        two_level = True
    else:
        two_level = False
    top = cells[header]
    second = cells[header + 1] if header + 1 < len(cells) else []
    if not two_level:
        name_col = next(c for c, v in enumerate(top) if (match_heading(_text(v)) or (None,))[0] == "name")
        # A second heading row below: the 姓名 cell is merged down over it (or left empty), and it holds headings.
        two_level = bool(second) and not _looks_like_data(second) and (
            owner.get((header + 1, name_col)) == (header, name_col)
            or _text(second[name_col] if name_col < len(second) else "") == ""
        ) and any(_text(v) for v in second)
    mapping: dict[int, tuple[str, int | None]] = {}
    headings: dict[int, str] = {}
    unknown: list[str] = []
    counts: dict[str, int] = {}
    width = max(len(top), len(second))
    for c in range(width):
        top_text = _text(top[c]) if c < len(top) else ""
        sub_text = _text(second[c]) if two_level and c < len(second) else ""
        if two_level and sub_text == top_text:
            sub_text = ""  # merged down over both heading rows
        if not top_text and not sub_text:
            continue
        heading = f"{top_text}·{sub_text}" if top_text and sub_text else (top_text or sub_text)
        found = _combined_heading(top_text, sub_text) if sub_text else match_heading(top_text)
        if found is None:
            unknown.append(heading)
            continue
        target, number = found
        if target is None:
            continue
        if target.startswith("s.") and number is None:
            # unnumbered supporter groups repeat (赡养人·姓名 … 赡养人·姓名): the n-th of a field is supporter n
            counts[target] = counts.get(target, 0) + 1
            number = counts[target]
        key = (target, number)
        if key in mapping.values():
            unknown.append(heading)  # a second column for the same field: the first one counts
            continue
        mapping[c] = key
        headings[c] = heading
    return mapping, headings, unknown, header, header + (2 if two_level else 1)


# Words clerks write are turned into the values elders accepts by each field's ``words`` in the field table.
# Unknown words pass through unchanged so prepare_elder reports them with its own message.
_TIER_WORDS = re.compile(r"(?:巡访)?(?:对象|户|类)?$")
_DISABILITY = re.compile(r"^(.*?)[\s,，、]*((?:[一二三四1-4]|Ⅰ|Ⅱ|Ⅲ|Ⅳ)级)$")


# Blank cells that are read, not skipped: the identity (so its absence is reported) and the yes/no columns whose
# blank is 否 (a flag that defaults to yes, 农村户籍, keeps what the ledger holds), from the field table.
_KEEP_BLANK = {"name", "id_number", *(f.code for f in elders.FIELDS if f.kind == "bool" and f.default == 0)}


def _word(value: Any, code: str) -> Any:
    """What a clerk wrote in a choice column, as the value the field stores (its ``words``), else unchanged."""
    text = _text(value)
    return elders.FIELD_TABLE[code].words.get(text, text)


def _to_record(sheet: str, values: dict[tuple[str, int | None], Any], headings: dict[tuple[str, int | None], str],
               problems: list[ImportProblem], excel_row: int) -> tuple[dict[str, Any], list[dict] | None]:
    """A dict for ``prepare_elder`` (only the columns the sheet has) and the supporters, or None."""
    data: dict[str, Any] = {}
    supporters: dict[int, dict] = {}
    for (target, number), value in values.items():
        if target.startswith("s."):
            supporters.setdefault(number or 1, {})[target[2:]] = value
            continue
        if _is_group_target(target):
            continue  # read by import_groups
        if _text(value) == "" and target not in _KEEP_BLANK:
            # A blank cell is "not known here": it never erases what the ledger already holds, and a new
            # person gets the ledger's default. Yes/no columns are the exception: blank is 否 (elders.parse_bool).
            continue
        if target == "id_number":
            data["id_number"] = value  # raw: a number cell must stay a number so idnumber.check refuses it
        elif target == "health":
            text = _text(value)
            if text:
                disabled, ill = "残" in text, ("病" in text)
                if disabled or ill or "健康" in text or text in ("良好", "好", "正常"):
                    data.setdefault("is_disabled", disabled)
                    data.setdefault("is_ill", ill)
                else:
                    problems.append(ImportProblem(sheet, excel_row, headings[(target, number)], "warning",
                                                  f"身体情况“{text}”无法识别（可填 健康、残疾、患病），未记录"))
        elif target == "disability":
            text = _text(value)
            if text and elders.parse_bool(text):
                found = _DISABILITY.match(text)
                data["disability_category"] = (found.group(1) if found else text) or None
                data["disability_grade"] = found.group(2) if found else None
                data["is_disabled"] = True
            elif text:
                data["is_disabled"] = False
        elif target == "hardship":
            text = _text(value)
            data["hardship"] = next((v for word, v in elders.FIELD_TABLE["hardship"].words.items() if word in text), text)
            if elders.parse_bool(text) is False or text in ("一般", "/"):
                data["hardship"] = ""
        elif target == "education":
            data["education"] = _word(value, "education")
        elif target == "spouse":
            data["spouse"] = _word(value, "spouse")
        elif target == "care":
            data["care"] = _word(value, "care")
        elif target == "main_income":
            data["main_income"] = _word(value, "main_income")
        elif target == "income_sources":
            items = re.split(r"[,，、/;；\s]+", _text(value))
            data["income_sources"] = [elders.FIELD_TABLE["income_sources"].words.get(i, i) for i in items if i]
        elif target == "tier":
            text = _text(value)
            data["tier"] = _TIER_WORDS.sub("", text) or text if text else ""
        elif target == "sex":
            data["sex"] = _text(value).rstrip("性")
        elif target in ("birth_date", "entered_on", "last_family_visit"):
            data[target] = value if not isinstance(value, str) else value.strip()
        else:
            data[target] = _text(value) if not isinstance(value, bool) else value
    if "illness_type" in data and "is_ill" not in data and data["illness_type"]:
        data["is_ill"] = True
    if ("disability_category" in data or "disability_grade" in data) and "is_disabled" not in data:
        data["is_disabled"] = bool(data.get("disability_category") or data.get("disability_grade"))
    if data.get("entered_on") in ("", None):
        data.pop("entered_on", None)  # a new person enters today; an update keeps the date on the ledger
    if not supporters:
        return data, None
    items = [supporters[n] for n in sorted(supporters)]
    return data, [s for s in items if any(_text(v) for v in s.values())]


def _fields_in_flag_columns(mapping: dict[int, tuple[str, int | None]], cells: list[list[Any]], first: int) -> None:
    """A group's yes/no column whose cells are the record's field (a 重度残疾 column of 一级, 肢体残疾二级 …) is read
    as that field: the 残疾类别及等级 column, unless the sheet has one already (``import_groups``)."""
    taken = {target for target, _n in mapping.values()}
    for c, (target, number) in list(mapping.items()):
        if target.startswith(import_groups.FLAG_PREFIX) and "disability" not in taken and \
                import_groups.flag_column_holds_field(target, [row[c] for row in cells[first:] if c < len(row)
                                                               and not _is_blank(row) and not _is_footer(row)]):
            mapping[c] = ("disability", number)
            taken.add("disability")


def _is_group_target(target: str) -> bool:
    return target == import_groups.GROUP_COLUMN or target.startswith(import_groups.FLAG_PREFIX)


_SHEET_VILLAGE = re.compile(r"^(.+?(?:村|社区|居委会|街道))")
_GENERIC_SHEET = re.compile(r"^(?:sheet\d*|工作表\d*|台账|汇总|总表|花名册|名册)$", re.IGNORECASE)


def _village_from_sheet(name: str) -> str | None:
    name = name.strip()
    found = _SHEET_VILLAGE.match(name)
    if found:
        return found.group(1)
    if _GENERIC_SHEET.match(name):
        return None
    return name


def read_ledger(path: str | Path, *, today: dt.date | None = None, progress: ProgressFn | None = None,
                cancelled: Callable[[], bool] | None = None) -> LedgerRead:
    """Read a clerk's workbook: every person row found and every problem, without touching a database.

    Raises ``UserError`` for a file that cannot be read or has no ledger sheet (no 姓名 and 身份证 heading);
    ``ImportCancelled`` when ``cancelled()`` turns true.
    """
    path = Path(path)
    today = today or dt.date.today()
    book = workbook_guard.open_workbook(path)
    rows: list[LedgerRow] = []
    problems: list[ImportProblem] = []
    sheets: list[SheetInfo] = []
    first_seen: dict[str, tuple[str, int, str]] = {}  # id number -> (sheet, row, name)
    try:
        names = [m.name for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")] or list(book.sheet_names)
        loaded = []
        for sheet_name in names:
            cells, merged = _sheet_cells(book.get_sheet_by_name(sheet_name))
            loaded.append((sheet_name, cells, merged))
    except (UserError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - as in _open_workbook: a reader panic is a message
        raise UserError(f"无法读取“{path.name}”：文件可能已损坏（{type(exc).__name__}：{exc}）") from exc
    finally:
        book.close()
    total = sum(len(c) for _n, c, _m in loaded)
    done = 0
    for sheet_name, cells, merged in loaded:
        owner = _fill_merged(cells, merged)
        header = _find_header(cells)
        if header is None:
            sheets.append(SheetInfo(sheet_name, None))  # notes, a cover page, a chart: not a ledger
            problems.extend(_people_without_header(sheet_name, cells))  # … unless people are listed on it
            done += len(cells)
            continue
        mapping, col_headings, unknown, header, first = _map_columns(cells, header, owner)
        _fields_in_flag_columns(mapping, cells, first)
        info = SheetInfo(sheet_name, header + 1, {col_headings[c]: t for c, (t, _n) in mapping.items()}, unknown)
        if not any(_is_group_target(t) for t, _n in mapping.values()):  # a sheet's own 类别 column says it all
            info.title_groups = import_groups.sheet_claims(
                sheet_name, [" ".join(_text(v) for v in cells[r] if _text(v)) for r in range(header)])
        sheets.append(info)
        has_village = any(t == "village" for t, _n in mapping.values())
        sheet_village = None if has_village else _village_from_sheet(sheet_name)
        info.village_from_sheet_name = not has_village
        headings = {key: col_headings[c] for c, key in mapping.items()}
        field_heading = {key[0]: col_headings[c] for c, key in mapping.items()}
        supporter_heading = next((col_headings[c] for c, key in mapping.items() if key[0] == "s.name"), None)
        id_col = next(c for c, key in mapping.items() if key[0] == "id_number")
        name_col = next((c for c, key in mapping.items() if key[0] == "name"), None)
        done += first
        last_village = ""
        for r in range(first, len(cells)):
            done += 1
            if r % 500 == 0:
                if cancelled and cancelled():
                    raise ImportCancelled()
                if progress:
                    progress(done, total, f"正在读取工作表“{sheet_name}”第{r + 1}行……")
            row = cells[r]
            if _is_blank(row):
                continue
            if _is_footer(row) and not _looks_like_id(row[id_col] if id_col < len(row) else ""):
                continue  # a row with an ID is a person even when the name reads 注…, 说明… or 小计…
            excel_row = r + 1
            # Rows inside one vertical merge of the ID column are one person with one supporter per row;
            # a row there that names someone else is a second person left without an ID of their own.
            id_owner = owner.get((r, id_col))
            if id_owner is not None and id_owner[0] != r and rows and rows[-1].sheet == sheet_name \
                    and owner.get((rows[-1].row - 1, id_col)) == id_owner:
                name_here = elders.normalise_name(row[name_col] if name_col is not None and name_col < len(row) else "")
                if name_here and name_here != elders.normalise_name(rows[-1].data.get("name")):
                    merged_ref = next((f"{_column_letter(c0)}{r0 + 1}:{_column_letter(c1)}{r1 + 1}"
                                      for (r0, c0), (r1, c1) in merged if (r0, c0) == id_owner), "")
                    problem = ImportProblem(
                        sheet_name, excel_row, field_heading.get("id_number"), "error",
                        f"身份证号码单元格{merged_ref}合并了第{id_owner[0] + 1}行和这一行，这一行的“{name_here}”"
                        f"没有自己的身份证号码，未导入：请取消合并，为每人填写身份证号码")
                    problems.append(problem)
                    rows.append(LedgerRow(sheet_name, excel_row, {"name": name_here}, None, "", False))
                    continue
                _, more = _to_record(sheet_name, {k: row[c] if c < len(row) else "" for c, k in mapping.items()},
                                     headings, [], excel_row)
                if more and rows[-1].supporters is not None:
                    rows[-1].supporters.extend(more)
                    if rows[-1].ok:
                        _recheck_supporters(rows[-1], problems, supporter_heading, today)
                continue
            row_problems: list[ImportProblem] = []
            values = {key: (row[c] if c < len(row) else "") for c, key in mapping.items()}
            data, supporters = _to_record(sheet_name, values, headings, row_problems, excel_row)
            claims, tier, unread = import_groups.read_row({k[0]: (headings[k], v) for k, v in values.items()
                                                           if _is_group_target(k[0])})
            row_problems += [ImportProblem(sheet_name, excel_row, heading, "warning", message)
                             for heading, message in unread]
            if tier and "tier" not in data:
                data["tier"] = tier  # a 类别 column holding 重点/一般
            claims = claims or list(info.title_groups)
            data.update(import_groups.record_fields(claims, data))
            if sheet_village is not None:
                data["village"] = sheet_village
            elif has_village:
                if not _text(data.get("village")) and last_village:
                    # 村 written once over a group of rows but not merged: the clerk means "as above"
                    data["village"] = last_village
                last_village = _text(data.get("village"))
            else:
                row_problems.append(ImportProblem(sheet_name, excel_row, None, "error",
                                                  f"没有“村（社区）”列，工作表名“{sheet_name}”也不是村名，无法确定所在村"))
            if not _text(data.get("name")) and not _text(data.get("id_number")):
                row_problems.append(ImportProblem(sheet_name, excel_row, None, "error",
                                                  "这一行有内容，但没有姓名和身份证号码，未导入"))
                problems.extend(row_problems)
                rows.append(LedgerRow(sheet_name, excel_row, data, supporters, "", False))
                continue
            prepared = elders.prepare_elder(data, today)
            found = list(prepared[1])
            if supporters is not None:
                found += elders.prepare_supporters(supporters, today)[1]
            for p in found:
                column = supporter_heading if p.field == "supporters" else field_heading.get(p.field)
                if p.field in ("is_disabled", "is_ill") and column is None:
                    column = field_heading.get("health") or field_heading.get("disability")
                row_problems.append(ImportProblem(sheet_name, excel_row, column, p.severity, p.message))
            number = idnumber.normalise(data.get("id_number")) if not isinstance(data.get("id_number"), (int, float)) else ""
            has_error = any(p.severity == "error" for p in row_problems)
            if not has_error and number in first_seen:
                where = first_seen[number]
                in_sheet = "" if where[0] == sheet_name else f"工作表 {where[0]} "
                row_problems.append(ImportProblem(
                    sheet_name, excel_row, field_heading.get("id_number"), "error",
                    f"身份证号码 {number} 与{in_sheet}第{where[1]}行的“{where[2]}”相同，同一人只导入一次（已按第{where[1]}行导入）"))
                has_error = True
            if has_error:
                row_problems = [p for p in row_problems if p.severity == "error"]  # the row is not imported
            else:
                first_seen[number] = (sheet_name, excel_row, elders.normalise_name(data.get("name")))
            problems.extend(row_problems)
            rows.append(LedgerRow(sheet_name, excel_row, data, supporters, number, not has_error,
                                  None if has_error else prepared, claims))
    if not any(s.header_row for s in sheets):
        raise UserError(f"“{path.name}”中没有找到台账：没有哪张工作表的表头同时有“姓名”和“身份证号码”列")
    if progress:
        progress(total, total, "读取完成")
    return LedgerRead(path, rows, problems, sheets)


def _recheck_supporters(row: LedgerRow, problems: list[ImportProblem], heading: str | None, today: dt.date) -> None:
    """A supporter added from a following merged row: report its own errors on the person's row."""
    _, found = elders.prepare_supporters(row.supporters or [], today)
    known = {(p.row, p.message) for p in problems}
    for p in found:
        if (row.row, p.message) not in known:
            problems.append(ImportProblem(row.sheet, row.row, heading, p.severity, p.message))
            if p.severity == "error":
                row.ok = False


# ------------------------------------------------------------------ importing


def import_ledger(db, path: str | Path, *, dry_run: bool = False, today: dt.date | None = None,
                  progress: ProgressFn | None = None, check_cancelled: Callable[[], Any] | None = None,
                  read: LedgerRead | None = None, accept_renames: bool | Collection[str] = False,
                  create_villages: bool | Collection[str] = True) -> ImportResult:
    """Import a clerk's workbook in one transaction: new people added, people on the ledger updated.

    A person on the ledger whose name in the workbook differs (``rename_conflicts``) keeps the ledger's
    name unless ``accept_renames`` is true or holds their ID number; the name left is listed in
    ``changes`` with ``applied`` false and as a warning on the row. Every field written is in ``changes``.

    ``dry_run`` does the same work and rolls it back, so the report is the one a real run gives.
    ``check_cancelled`` is called now and then: it may raise (the window's ``job.check``) or return true;
    either way the transaction is rolled back and the database is as it was. ``read`` reuses a
    ``read_ledger`` result (the window has already read the file).

    A village not yet on the ledger (``new_villages``) is created when ``create_villages`` is true or holds
    its name; the rows of a village not allowed are left out, each reported as an error. ``new_villages`` in
    the result names the villages created (for a dry run, those that would be).
    """
    today = today or dt.date.today()

    def cancelled() -> bool:
        return bool(check_cancelled()) if check_cancelled else False

    if read is None:
        read = read_ledger(path, today=today, progress=progress, cancelled=cancelled)
    result = ImportResult(dry_run=dry_run)
    problems = list(read.problems)
    good = read.good_rows
    existing = existing_ids(db, [r.id_number for r in good])
    renames = {c.id_number: c for c in rename_conflicts(db, read)}
    to_create = new_villages(db, read)
    allowed = set(to_create) if create_villages is True else set(create_villages or ())
    refused = set(to_create) - allowed
    if refused:
        for row in good:
            village = row_village(row)
            if village in refused:
                problems.append(ImportProblem(row.sheet, row.row, _heading_of(read, row.sheet, "village"), "error",
                                              f"村（社区）“{village}”不在台账中，未同意新建，这一行未导入"))
        good = [row for row in good if row_village(row) not in refused]
    result.new_villages = [name for name in to_create if name in allowed]
    claimed: list[tuple[int, list[import_groups.GroupClaim], str]] = []
    claimed_rows: list[LedgerRow] = []
    try:
        with db.atomic():
            for index, row in enumerate(good):
                if index % 200 == 0:
                    if cancelled():
                        raise ImportCancelled()
                    if progress:
                        progress(index, len(good), f"正在导入第 {index + 1}/{len(good)} 人……")
                elder_id = existing.get(row.id_number)
                rename = renames.get(row.id_number) if elder_id is not None else None
                kept_name = rename is not None and not (
                    accept_renames is True or (accept_renames and row.id_number in accept_renames))
                try:
                    prepared, row.prepared = row.prepared, None  # save_elder uses the row dict up
                    if prepared is None:  # used up by an earlier run over this read (a dry run, a cancel)
                        prepared = elders.prepare_elder(row.data, today)
                    if kept_name:
                        prepared[0]["name"] = rename.old  # a rename is written only when confirmed
                    if elder_id is not None:
                        _keep_ledger_grade(db, read, row, elder_id, prepared[0])
                    saved = elders.save_elder(db, row.data, row.supporters, elder_id=elder_id, today=today,
                                              action="导入台账", prepared=prepared)
                except ValidationError as exc:
                    # prepare_elder already passed in read_ledger; what is left is a clash found in the database
                    for p in exc.problems or [elders.Problem("", "error", str(exc))]:
                        problems.append(ImportProblem(row.sheet, row.row, None, "error", p.message))
                    continue
                except sqlite3.IntegrityError as exc:
                    # save_elder's savepoint has undone this row; the rest of the import goes on
                    problems.append(ImportProblem(row.sheet, row.row, None, "error",
                                                  f"数据库拒绝保存这一行（{exc}），请核对各项内容后重新导入"))
                    continue
                if row.claims:
                    claimed.append((saved.elder_id, row.claims, f"“{read.path.name}”工作表“{row.sheet}”第{row.row}行"))
                    claimed_rows.append(row)
                if saved.created:
                    result.imported += 1
                    existing[row.id_number] = saved.elder_id
                else:
                    result.updated += 1
                    changes = [FieldChange(_FIELD_OF_LABEL.get(label, label), label, old, new)
                               for label, old, new in saved.changes]
                    if kept_name:
                        changes.insert(0, FieldChange("name", elders.ELDER_FIELDS["name"], rename.old, rename.new,
                                                      applied=False))
                        problems.append(ImportProblem(
                            row.sheet, row.row, _heading_of(read, row.sheet, "name"), "warning",
                            f"身份证号码 {row.id_number} 在台账中是“{rename.old}”，表中写作“{rename.new}”：姓名未改"
                            "（改名须确认），其余内容照常导入"))
                    if changes:
                        name = rename.old if kept_name else (rename.new if rename else _row_name(row))
                        result.changes.append(ElderChange(name, row.id_number, changes))
            for index, message in import_groups.settle(db, claimed, today):
                row = claimed_rows[index]
                problems.append(ImportProblem(row.sheet, row.row, None, "warning", message))
            if progress:
                progress(len(good), len(good), "正在保存……")
            if dry_run:
                raise _DryRunRollback()
    except _DryRunRollback:
        pass
    problems.sort(key=lambda p: (_sheet_order(read, p.sheet), p.row))
    result.problems = problems
    result.skipped = len({(p.sheet, p.row) for p in problems if p.severity == "error"})
    return result


def _row_name(row: LedgerRow) -> str:
    return elders.normalise_name(row.data.get("name"))


def _keep_ledger_grade(db, read: LedgerRead, row: LedgerRow, elder_id: int, prepared: dict[str, Any]) -> None:
    """A 重度残疾 “是” on a sheet without a grade column gave ``import_groups.SEVERE_GRADE_UNKNOWN``: a grade already
    on the ledger says more (一级) or disagrees (三级: then the 重残 warning names it) and is kept."""
    if prepared.get("disability_grade") != import_groups.SEVERE_GRADE_UNKNOWN or any(
            _heading_of(read, row.sheet, target) for target in ("disability_grade", "disability")):
        return
    on_file = db.execute("SELECT disability_grade FROM elders WHERE id = ?", [elder_id]).fetchone()[0]
    if on_file:
        prepared["disability_grade"] = on_file


def _heading_of(read: LedgerRead, sheet: str, target: str) -> str | None:
    info = next((s for s in read.sheets if s.name == sheet), None)
    return next((heading for heading, t in info.columns.items() if t == target), None) if info else None


def rename_conflicts(db, read: LedgerRead) -> list[Rename]:
    """The rows whose ID number is on the ledger under another name, in sheet and row order.

    The window shows them for the clerk to tick; the command line applies them only with ``--accept-renames``.
    """
    good = read.good_rows
    names = ledger_names(db, [r.id_number for r in good])
    found = []
    for row in good:
        old = names.get(row.id_number)
        new = row.prepared[0]["name"] if row.prepared is not None else _row_name(row)
        if old is not None and new and new != old:
            found.append(Rename(row.sheet, row.row, row.id_number, old, new))
    return found


def _sheet_order(read: LedgerRead, name: str) -> int:
    return next((i for i, s in enumerate(read.sheets) if s.name == name), len(read.sheets))


def existing_ids(db, numbers: list[str]) -> dict[str, int]:
    """ID number -> elder id for those of ``numbers`` already on the ledger (queried in chunks: SQLite's
    variable limit). The window uses it to say how many rows will update a person rather than add one."""
    return {number: elder_id for number, (elder_id, _name) in _on_ledger(db, numbers).items()}


def ledger_names(db, numbers: list[str]) -> dict[str, str]:
    """ID number -> the name on the ledger, for those of ``numbers`` already there."""
    return {number: name for number, (_id, name) in _on_ledger(db, numbers).items()}


def _on_ledger(db, numbers: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    unique = sorted(set(n for n in numbers if n))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for number, elder_id, name in db.execute(
                f"SELECT id_number, id, name FROM elders WHERE id_number IN ({marks})", chunk):
            found[number] = (elder_id, name)
    return found


def row_village(row: LedgerRow) -> str:
    """The village a row names, as the ledger would store it ("" when none)."""
    return normalise_name(row.data.get("village"))


def new_villages(db, read: LedgerRead) -> dict[str, int]:
    """Villages the importable rows name that are not on the ledger: name -> how many rows, in workbook order.

    The window lists them for the clerk to tick; the command line creates them and lists them."""
    known = {name for (name,) in db.execute("SELECT name FROM villages")}
    found: dict[str, int] = {}
    for row in read.good_rows:
        village = row_village(row)
        if village and village not in known:
            found[village] = found.get(village, 0) + 1
    return found


# Labels of the supporter columns (the ledger's own fields are labelled by ``elders.ELDER_FIELDS``).
_SUPPORTER_LABELS = {"s.name": "赡养人姓名", "s.id_number": "赡养人身份证号码", "s.relation": "赡养人关系",
                     "s.phone": "赡养人电话", "s.work_place": "赡养人务工地点", "s.away_since": "赡养人外出时间",
                     "s.employer_type": "赡养人单位性质"}
_OTHER_LABELS = {"health": "身体情况（患病/残疾）", "disability": "残疾类别及等级", "visitor_phone": "巡访责任人电话",
                 "village": "村（社区）", "visitor": "巡访责任人"}


def field_label(target: str | None) -> str:
    """The Chinese name of the ledger field a workbook column was read into (None: read but not stored)."""
    if target is None:
        return "不导入（已知列）"
    if target == import_groups.GROUP_COLUMN:
        return "巡访对象类别"
    if target.startswith(import_groups.FLAG_PREFIX):
        return f"巡访对象类别：是否{target[len(import_groups.FLAG_PREFIX):].replace('/', '（')}" + (
            "）" if "/" in target else "")
    return _SUPPORTER_LABELS.get(target) or _OTHER_LABELS.get(target) or elders.ELDER_FIELDS.get(target, target)


_FIRST_FIELDS = ("name", "id_number", "village")


def preview_table(read: LedgerRead, per_sheet: int = 20) -> tuple[list[str], list[list[str]]]:
    """The headings and the first ``per_sheet`` person rows of each ledger sheet as the importer read them:
    工作表, 行, 状态 (可导入 / 有错误), 姓名, 身份证号码, 村（社区）, then every other field a sheet mapped, and 赡养人."""
    fields: list[str] = list(_FIRST_FIELDS)
    supporters = False
    with_groups = any(r.claims for r in read.rows)
    for info in read.sheets:
        for target in info.columns.values():
            if target.startswith("s."):
                supporters = True
            elif _is_group_target(target):
                with_groups = True
            elif target not in fields:
                fields.append(target)
    headings = (["工作表", "行", "状态"] + [field_label(f) for f in fields] + (["巡访对象类别"] if with_groups else [])
                + (["赡养人"] if supporters else []))
    shown: dict[str, int] = {}
    table = []
    for row in read.rows:
        if shown.get(row.sheet, 0) >= per_sheet:
            continue
        shown[row.sheet] = shown.get(row.sheet, 0) + 1
        values = [row.sheet, str(row.row), "可导入" if row.ok else "有错误，不导入"]
        for f in fields:
            value = row.data.get(f)
            if f == "id_number" and row.id_number:
                value = row.id_number
            elif f == "village":
                value = row_village(row)
            values.append(value.isoformat() if isinstance(value, dt.date) else _text(value))
        if with_groups:
            values.append(claims_text(row.claims))
        if supporters:
            values.append("、".join(_text(s.get("name")) for s in row.supporters or [] if _text(s.get("name"))))
        table.append(values)
    return headings, table


def column_mapping(read: LedgerRead) -> list[tuple[str, str, str]]:
    """Which workbook column went to which field: (工作表, the heading as written, the field's label), then the
    unrecognised headings with 不导入, and 工作表名 → 村（社区） where the sheet name gave the village."""
    found = []
    for info in read.sheets:
        if not info.header_row:
            continue
        if info.village_from_sheet_name and _village_from_sheet(info.name):
            found.append((info.name, f"（工作表名“{info.name}”）", field_label("village")))
        if info.title_groups:
            found.append((info.name, f"（{info.title_groups[0].source}）",
                          f"巡访对象类别：{claims_text(info.title_groups)}（表中各行）"))
        found += [(info.name, heading, field_label(target)) for heading, target in info.columns.items()]
        found += [(info.name, heading, "未识别，不导入") for heading in info.ignored_columns]
    return found


def claims_text(claims: list[import_groups.GroupClaim]) -> str:
    """The groups a row names as the preview shows them: 城市独居、特殊困难（重点优抚）、不属于空巢."""
    return "、".join(("" if c.member else "不属于") + c.group + (f"（{c.sub_kind}）" if c.sub_kind and c.member else "")
                    for c in claims)
