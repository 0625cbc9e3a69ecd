"""Visit returns (巡访回执表): a workbook the visitors fill in the villages, and the clerk's one import of it.

The visits are made by village cadres, volunteers or a commissioned organisation (seed 003); their records come
back as a spreadsheet. Three steps, so the window can show every row's outcome before anything is written:

* ``return_plan(db, month)`` — who is on the plan (``schedule.visit_plan``: 在册 on the reference day, the one
  visit-plan rule) and what is due in the month; ``printing.returns_xlsx`` writes it as the workbook. Every row
  carries a **row key** ``<elder id>-<8 hex>``: the hex is a digest of the ledger's UUID, the elder's id and ID
  number, so a key from another ledger, or for a person whose ID number has since changed, is refused. A hidden
  sheet (``INFO_SHEET``) carries the ledger's UUID, the township, the month, the villages and every row key.
* ``read_return(path)`` reads a filled workbook without a database (after ``workbook_guard.check_workbook``):
  the header is found by its headings, so columns moved, rows re-sorted and blank rows do not matter; dates typed
  as text (2026.11.5, 11月5日) and drop-down values typed by hand (上门巡访, 良好, 不安全) are understood.
* ``stage_returns(db, reads)`` decides each row's outcome against the ledger: a visit to record, a visit already
  on file (same elder, day and mode: skipped, never twice — so importing a file again adds nothing), or a
  problem (unknown or changed row key, a date outside the month or before the elder entered or after they left,
  a required rating missing on a home visit, any check of ``visits.prepare_visit``). A visit that rated anything
  差 or 不安全, or wrote 发现的问题, *proposes* a hazard. ``import_returns(db, staged)`` then records the visits
  through ``visits.record_visit`` (the same checks again, the file's name in the audit log) in ONE transaction,
  and opens only the proposed hazards the clerk confirmed (``open_hazards``): the command line lists them and
  opens them with ``--open-hazards``; the window shows them ticked for the clerk to untick.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from township_desk.models import idnumber, names, schedule, settings, visits, workbook_guard
from township_desk.models.dates import DateError, month_bounds, parse_date
from township_desk.models.errors import UserError, ValidationError
from township_desk.models.ledger_import import ImportProblem

FORMAT = "巡访回执表 1"
INFO_SHEET = "回执信息"
KEY_HEADING = "行键"

# The prefilled, locked columns (key, heading) and the columns the visitor fills, in the sheet's order.
PREFILLED = [("key", KEY_HEADING), ("village", "村（社区）"), ("name", "姓名"), ("id_shown", "身份证号码"),
             ("tier", "巡访类别"), ("visitor", "巡访责任人"), ("home_due", "本月应上门"), ("remote", "每周电话视频")]
FILLED = [("date", "巡访日期"), ("mode", "方式"),
          *[(item, label) for item, (label, _options) in visits.ITEM_CHOICES.items()],
          ("visitor_name", "巡访人员"), ("problem", "发现的问题"), ("supporter_told", "已通报赡养人"), ("notes", "备注")]
HEADINGS = dict(PREFILLED + FILLED)
TOLD_CHOICES = ("是", "否")
# A home visit must say what the visitor saw: health, mind and safety (the care needs may stay blank).
REQUIRED_ON_HOME = tuple(item for item, _label in visits.HEALTH_ITEMS + visits.MENTAL_ITEMS + visits.SAFETY_ITEMS)

# Rows a sheet gives each elder (one contact a row), and the open rows below for more.
ROWS_PER_TIER = {"重点": 3, "一般": 2}
EXTRA_ROWS_MIN = 10

ProgressFn = Callable[[int, int, str], None]


# ------------------------------------------------------------------ the plan of a month


def row_key(ledger_uuid: str, elder_id: int, id_number: str) -> str:
    """The key of an elder's rows in a return of this ledger: ``<elder id>-<8 hex digits>``."""
    digest = hashlib.sha256(f"{ledger_uuid}|{elder_id}|{id_number}".encode()).hexdigest()[:8]
    return f"{elder_id}-{digest}"


@dataclass
class ReturnElder:
    """One elder on a return: what the rows show prefilled."""

    elder_id: int
    key: str
    name: str
    id_number: str
    village: str
    tier: str
    visitor: str | None
    home_due: list[dt.date]     # the home visits due in the month, if each is made on its day
    overdue_since: dt.date | None  # the visit was already due before the month began
    remote_per_week: int

    def due_text(self) -> str:
        parts = [f"{d.month}月{d.day}日前" for d in self.home_due]
        if self.overdue_since:
            parts.insert(0, f"已逾期（应于{self.overdue_since.month}月{self.overdue_since.day}日前），请尽快上门")
        return "；".join(parts) or "本月无到期"

    def remote_text(self) -> str:
        return f"每周 {self.remote_per_week} 次" if self.remote_per_week else "不要求"


@dataclass
class ReturnPlan:
    """What a return workbook holds: the ledger's identity, the month and the elders of each village."""

    ledger_uuid: str
    township: str
    month: str
    as_of: dt.date
    villages: dict[str, list[ReturnElder]]

    @property
    def elders(self) -> int:
        return sum(len(people) for people in self.villages.values())


def parse_month(text: str) -> str:
    from township_desk.models import monthly

    return monthly.parse_month(text)


def return_plan(db, month: str, *, village: str | None = None, visitor: str | None = None,
                today: dt.date | None = None) -> ReturnPlan:
    """The elders on the plan in ``month`` ('YYYY-MM'), by village, with the home visits due in it.

    The plan is read on the reference day: the month's first day, or today when the month has begun (a return
    made mid-month knows the visits already recorded). ``village`` and ``visitor`` (names) narrow it; an unknown
    name or nobody to visit is a ``UserError``."""
    from township_desk.models import db as dbm

    month = parse_month(month)
    first, last = month_bounds(month)
    today = today or dt.date.today()
    as_of = min(max(today, first), last)
    if village and not db.execute("SELECT 1 FROM villages WHERE name = ?", [village]).fetchone():
        raise UserError(f"没有名为“{village}”的村（社区）")
    if visitor and not db.execute("SELECT 1 FROM visitors WHERE name = ?", [visitor]).fetchone():
        raise UserError(f"没有名为“{visitor}”的巡访责任人")
    uuid = dbm.database_uuid(db)
    by_village: dict[str, list[ReturnElder]] = {}
    for planned in schedule.visit_plan(db, as_of, village=village):
        if visitor and planned.visitor != visitor:
            continue
        due, overdue_since = [], None
        step = dt.timedelta(days=planned.home_days)
        day = planned.home_due
        if day < first:
            overdue_since = day
            day = max(first, as_of) + step
        while day <= last:
            due.append(day)
            day += step
        by_village.setdefault(planned.village, []).append(ReturnElder(
            planned.elder_id, row_key(uuid, planned.elder_id, planned.id_number), planned.name, planned.id_number,
            planned.village, planned.tier, planned.visitor, due, overdue_since, planned.remote_per_week))
    if not by_village:
        scope = "、".join(x for x in (village, visitor) if x) or "全乡镇"
        raise UserError(f"{scope} {month} 没有在巡访计划中的老人（在册），无需生成回执表")
    return ReturnPlan(uuid, settings.get(db, "township_name") or "", month, as_of, by_village)


# ------------------------------------------------------------------ reading a filled workbook


@dataclass
class ReturnRow:
    """One filled row of a return: where it is, the key and identity cells, and what was typed to fill."""

    sheet: str
    row: int  # the row number Excel shows
    key: str
    name: str
    id_tail: str  # the last 4 characters of the ID cell ("" when blank)
    values: dict[str, Any]


@dataclass
class ReturnRead:
    """A return workbook as read: its identity, the keys it was made with (key → (name, id tail)) and the rows."""

    path: Path
    ledger_uuid: str
    township: str
    month: str
    villages: list[str]
    keys: dict[str, tuple[str, str]]
    rows: list[ReturnRow]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _heading(value: Any) -> str:
    return re.sub(r"[\s*＊:：]", "", _text(value))


_HEADING_OF = {_heading(label): key for key, label in PREFILLED + FILLED}
_HEADING_OF.update({_heading(label): item for item, label in visits.FIELD_LABELS.items()
                    if item in visits.ITEM_CHOICES})  # 燃气安全 … as the visit form writes them
_HEADING_OF.update({"巡访方式": "mode", "巡访时间": "date", "身份证号": "id_shown", "村": "village",
                    "其他情况说明": "notes"})


def _cells(book, name: str, path: Path) -> list[list[Any]]:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001
        raise UserError(f"无法读取“{path.name}”的工作表“{name}”（{type(exc).__name__}）") from exc


def read_return(path: str | Path) -> ReturnRead:
    """Read a filled return workbook (no database needed). A workbook that is not one of this program's returns,
    or has lost its hidden 回执信息 sheet, is a ``UserError``; rows left empty are passed over."""
    path = Path(path)
    book = workbook_guard.open_workbook(path)
    if INFO_SHEET not in book.sheet_names:
        raise UserError(f"“{path.name}”不是本程序生成的巡访回执表（缺少隐藏的“{INFO_SHEET}”工作表），"
                        "请用“生成回执表”生成后交各村填写")
    info: dict[str, str] = {}
    keys: dict[str, tuple[str, str]] = {}
    in_keys = False
    for cells in _cells(book, INFO_SHEET, path):
        first = _text(cells[0]) if cells else ""
        if in_keys:
            if first:
                keys[first] = (_text(cells[1]) if len(cells) > 1 else "", _text(cells[2])[-4:] if len(cells) > 2 else "")
        elif first == KEY_HEADING:
            in_keys = True
        elif first:
            info[first] = _text(cells[1]) if len(cells) > 1 else ""
    if info.get("格式") != FORMAT or not info.get("台账标识") or not info.get("月份"):
        raise UserError(f"“{path.name}”的“{INFO_SHEET}”工作表已被改动，无法确认它属于哪个乡镇和月份，请重新生成回执表")
    try:
        month = parse_month(info["月份"])
    except UserError as exc:
        raise UserError(f"“{path.name}”：{exc}") from exc
    read = ReturnRead(path, info["台账标识"], info.get("乡镇", ""), month,
                      [v for v in info.get("村（社区）", "").split("、") if v], keys, [])
    for sheet in book.sheet_names:
        if sheet != INFO_SHEET:
            read.rows += _sheet_rows(sheet, _cells(book, sheet, path))
    return read


def _sheet_rows(sheet: str, cells: list[list[Any]]) -> list[ReturnRow]:
    header = None
    for index, row in enumerate(cells[:15]):
        found = {_HEADING_OF.get(_heading(v)) for v in row}
        if "date" in found and "mode" in found:
            header = index
            break
    if header is None:
        return []  # a sheet of notes (or the visitor's own): nothing to import
    columns = {}
    for col, value in enumerate(cells[header]):
        key = _HEADING_OF.get(_heading(value))
        if key and key not in columns:
            columns[key] = col
    fill_keys = [k for k, _label in FILLED if k in columns]
    rows = []
    for index in range(header + 1, len(cells)):
        line = cells[index]

        def get(key: str, line=line) -> Any:
            col = columns.get(key)
            return line[col] if col is not None and col < len(line) else None

        values = {k: get(k) for k in fill_keys}
        if all(_text(v) == "" for v in values.values()):
            continue  # not filled: the elder was not contacted on this row (or a blank row)
        rows.append(ReturnRow(sheet, index + 1, _text(get("key")), names.normalise_name(get("name")),
                              re.sub(r"\s", "", _text(get("id_shown")))[-4:].upper(), values))
    return rows


# ------------------------------------------------------------------ words typed by hand

_MODE_WORDS = {"上门": "上门", "入户": "上门", "走访": "上门", "上门巡访": "上门", "入户走访": "上门", "实地": "上门",
               "电话": "电话", "电话巡访": "电话", "打电话": "电话", "电访": "电话", "通话": "电话",
               "视频": "视频", "视频巡访": "视频", "视频通话": "视频", "微信视频": "视频"}
_RATING_WORDS = {"优秀": "优", "很好": "优", "好": "良", "良好": "良", "较好": "良", "一般": "中", "中等": "中",
                 "较差": "差", "很差": "差", "不好": "差"}
_SAFETY_WORDS = {"是": "安全", "正常": "安全", "无隐患": "安全", "否": "不安全", "有隐患": "不安全", "危险": "不安全"}
_NEED_WORDS = {"有": "有需求", "需要": "有需求", "无": "无需求", "没有": "无需求", "不需要": "无需求"}
_CARE_WORDS = {"有": "有人照料", "有人": "有人照料", "无": "无人照料", "无人": "无人照料", "没有": "无人照料"}
_YES = {"是", "已通报", "已", "有", "√", "✓", "Y", "YES", "1", "通报"}
_NO = {"否", "未通报", "未", "无", "×", "N", "NO", "0", "没有"}


def _choice(value: Any, options: tuple[str, ...]) -> str | None:
    """A drop-down value as typed by hand → one of ``options``; "" for blank; None when it is none of them."""
    text = re.sub(r"[\s□☑■√✓]", "", _text(value))
    if not text or text in options:
        return text
    for words in (_MODE_WORDS, _RATING_WORDS, _SAFETY_WORDS, _NEED_WORDS, _CARE_WORDS):
        if words.get(text) in options:
            return words[text]
    return None


_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?$")


def parse_visit_date(value: Any, month: str) -> dt.date | None:
    """A visit date as typed: a real date, 2026.11.5, 2026/11/5, 2026年11月5日, 20261105, or within the return's
    month 11月5日, 11.5, 5日. None for blank; ``DateError`` when unreadable."""
    text = _text(value) if isinstance(value, str) else None
    if text:
        year, mon = (int(p) for p in month.split("-"))
        try:
            match = _MONTH_DAY.match(text)
            if match:
                return dt.date(year, int(match.group(1)), int(match.group(2)))
            match = re.fullmatch(r"(\d{1,2})\s*[日号]", text)
            if match:
                return dt.date(year, mon, int(match.group(1)))
        except ValueError as exc:
            raise DateError(f"日期“{value}”不存在") from exc
    return parse_date(value)


# ------------------------------------------------------------------ staging


@dataclass
class RowOutcome:
    """What an import does with one filled row: ``status`` "record" (a new visit), "skip" (already on file)
    or "error" (a problem, nothing written); ``hazard`` the hazard it proposes, if any."""

    file: str
    sheet: str
    row: int
    name: str
    village: str
    date: str | None
    mode: str | None
    status: str
    message: str = ""
    elder_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    hazard: str | None = None
    supporter_told: bool = False
    existing_visit_id: int | None = None  # "skip": the visit on file (a hazard may still be proposed for it)

    STATUS_LABELS = {"record": "将登记", "skip": "已登记过，跳过", "error": "有问题，不导入"}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status]

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "name": self.name, "village": self.village,
                "date": self.date, "mode": self.mode, "status": self.status, "message": self.message,
                "hazard": self.hazard}


@dataclass
class StagedReturns:
    """Every filled row of the files read, in file, sheet and row order, with its outcome."""

    files: list[ReturnRead]
    outcomes: list[RowOutcome]

    @property
    def to_record(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.status == "record"]

    @property
    def hazards(self) -> list[RowOutcome]:
        """Rows that propose a hazard (new visits, and visits on file that have none yet)."""
        return [o for o in self.outcomes if o.hazard and o.status != "error"]

    def problems(self) -> list[ImportProblem]:
        return [ImportProblem(f"{o.file} › {o.sheet}", o.row, None, "error", o.message)
                for o in self.outcomes if o.status == "error"]


def _identity_check(db, read: ReturnRead, month: str | None) -> None:
    from township_desk.models import db as dbm

    if read.ledger_uuid != dbm.database_uuid(db):
        here = settings.get(db, "township_name") or "本台账"
        raise UserError(f"“{read.path.name}”是{read.township or '另一个台账'}生成的回执表，不是{here}的，不能导入")
    if month and read.month != month:
        raise UserError(f"“{read.path.name}”是 {read.month} 的回执表，不是 {month} 的，不能导入")


def stage_returns(db, reads: list[ReturnRead], *, month: str | None = None, today: dt.date | None = None,
                  progress: ProgressFn | None = None, check_cancelled: Callable[[], Any] | None = None
                  ) -> StagedReturns:
    """Decide every filled row's outcome (nothing is written). A file of another ledger (township), or of another
    month than ``month`` when given, is refused whole (``UserError``)."""
    today = today or dt.date.today()
    for read in reads:
        _identity_check(db, read, month)
    people = {row[0]: row for row in db.execute(
        "SELECT e.id, e.id_number, e.name, e.visitor_id, vi.name, v.name FROM elders e"
        " JOIN villages v ON v.id = e.village_id LEFT JOIN visitors vi ON vi.id = e.visitor_id")}
    on_file: dict[tuple[int, str, str], int] = {}
    with_hazard: set[int] = set()
    for first, last in {month_bounds(r.month) for r in reads}:
        for visit_id, elder_id, day, mode in db.execute(
                "SELECT id, elder_id, date, mode FROM live_visits WHERE date BETWEEN ? AND ?",
                [first.isoformat(), last.isoformat()]):
            on_file.setdefault((elder_id, day, mode), visit_id)
        with_hazard.update(r[0] for r in db.execute(
            "SELECT h.visit_id FROM hazards h JOIN live_visits vs ON vs.id = h.visit_id WHERE vs.date BETWEEN ? AND ?",
            [first.isoformat(), last.isoformat()]))
    outcomes: list[RowOutcome] = []
    seen: dict[tuple[int, str, str], str] = {}
    total = sum(len(r.rows) for r in reads)
    done = 0
    for read in reads:
        for row in read.rows:
            if done % 500 == 0:
                if check_cancelled and check_cancelled():
                    from township_desk.models.ledger_import import ImportCancelled

                    raise ImportCancelled()
                if progress:
                    progress(done, total, f"正在核对第 {done + 1}/{total} 行……")
            done += 1
            outcome = _stage_row(db, read, row, people, on_file, with_hazard, seen, today)
            outcomes.append(outcome)
    return StagedReturns(list(reads), outcomes)


def _stage_row(db, read: ReturnRead, row: ReturnRow, people: dict, on_file: dict, with_hazard: set,
               seen: dict, today: dt.date) -> RowOutcome:
    outcome = RowOutcome(read.path.name, row.sheet, row.row, row.name, "", None, None, "error")
    problems: list[str] = []
    # Which elder: the row key, or for a row added by hand the name and the ID number's last 4 characters.
    key = row.key
    if not key:
        matches = [k for k, (name, tail) in read.keys.items() if name == row.name and tail == row.id_tail]
        if len(matches) != 1:
            outcome.message = (f"无法确定是哪位老人：新添的行须填写姓名和身份证号码后四位，且与本表中的一位老人相符"
                               f"（姓名“{row.name or '空'}”，后四位“{row.id_tail or '空'}”）")
            return outcome
        key = matches[0]
    match = re.fullmatch(r"(\d+)-[0-9a-f]{8}", key)
    person = people.get(int(match.group(1))) if match else None
    if key not in read.keys or person is None or row_key(read.ledger_uuid, person[0], person[1]) != key:
        outcome.message = (f"行键“{key}”不属于本回执表或与台账不符（老人记录或身份证号码已改动），"
                           "请重新生成回执表")
        return outcome
    elder_id, id_number, name, visitor_id, visitor, village = person
    outcome.elder_id, outcome.name, outcome.village = elder_id, name, village
    if row.name and row.name != name:
        outcome.message = (f"本行姓名“{row.name}”与行键对应的老人“{name}”不符（可能只对部分列排了序），"
                           "请核对后重新导入")
        return outcome

    values = row.values
    try:
        day = parse_visit_date(values.get("date"), read.month)
    except DateError as exc:
        day, _ = None, problems.append(f"巡访日期：{exc}")
    first, last = month_bounds(read.month)
    if day is None and not problems:
        problems.append("请填写巡访日期")
    elif day is not None:
        outcome.date = day.isoformat()
        if not first <= day <= last:
            problems.append(f"巡访日期 {day.isoformat()} 不在本回执表的月份（{read.month}）内")
    mode = _choice(values.get("mode"), visits.MODES)
    if mode is None:
        problems.append(f"方式“{_text(values.get('mode'))}”不在可选范围：{'、'.join(visits.MODES)}")
    elif not mode:
        problems.append("请选择方式（上门、电话或视频）")
    outcome.mode = mode or None
    data: dict[str, Any] = {"date": outcome.date, "mode": mode}
    for item, (label, options) in visits.ITEM_CHOICES.items():
        chosen = _choice(values.get(item), options)
        if chosen is None:
            problems.append(f"{label}“{_text(values.get(item))}”不在可选范围：{'、'.join(options)}")
        data[item] = chosen or None
    if mode == "上门":
        missing = [visits.ITEM_CHOICES[i][0] for i in REQUIRED_ON_HOME if i in data and not data[i]]
        if missing:
            problems.append(f"上门巡访须填写{'、'.join(missing)}")
    told = _text(values.get("supporter_told")).upper()
    if told and told not in _YES and told not in _NO:
        problems.append(f"已通报赡养人“{told}”应填“是”或“否”")
    outcome.supporter_told = told in _YES
    typed_visitor = names.normalise_name(values.get("visitor_name"))
    data["visitor_id"] = visitor_id if not typed_visitor or typed_visitor == visitor else None
    data["visitor_name"] = typed_visitor or visitor
    if not data["visitor_name"]:
        problems.append(f"请填写巡访人员（{name}尚未指定巡访责任人）")
    problem = _text(values.get("problem"))
    notes = _text(values.get("notes"))
    data["notes"] = "；".join(x for x in (f"发现的问题：{problem}" if problem else "", notes) if x) or None
    outcome.data = data
    if problems:
        outcome.message = "；".join(problems)
        return outcome
    found = "；".join(x for x in (visits.proposed_hazard(data), problem) if x) or None
    twin = (elder_id, outcome.date, mode)
    if twin in seen:
        outcome.status, outcome.message = "skip", f"与{seen[twin]}是同一次巡访，只登记一次"
        return outcome
    seen[twin] = f"“{read.path.name}” {row.sheet} 第{row.row}行"
    if twin in on_file:
        outcome.status = "skip"
        outcome.existing_visit_id = on_file[twin]
        outcome.message = f"{name} {outcome.date} 的{mode}巡访已经登记过（第 {on_file[twin]} 号记录）"
        if found and on_file[twin] not in with_hazard:
            outcome.hazard = found
        return outcome
    try:
        visits.prepare_visit(db, elder_id, data, today)
    except ValidationError as exc:
        outcome.message = str(exc)
        return outcome
    outcome.status, outcome.hazard = "record", found
    return outcome


# ------------------------------------------------------------------ the one transaction


@dataclass
class ReturnsResult:
    """What ``import_returns`` did (or, with ``dry_run``, would do)."""

    dry_run: bool
    visits: int = 0
    skipped: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    hazards_opened: list[RowOutcome] = field(default_factory=list)
    hazards_proposed: list[RowOutcome] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    def to_json(self) -> dict[str, Any]:
        """cli.md's ``{"visits", "skipped", "problems"}``, with each row's outcome and the hazards."""
        opened = {id(o) for o in self.hazards_opened}
        return {"visits": self.visits, "skipped": self.skipped, "problems": [p.to_json() for p in self.problems],
                "dry_run": self.dry_run,
                "hazards": [{"file": o.file, "sheet": o.sheet, "row": o.row, "name": o.name, "village": o.village,
                             "date": o.date, "description": o.hazard, "opened": id(o) in opened}
                            for o in self.hazards_proposed],
                "rows": [o.to_json() for o in self.outcomes]}


class _DryRun(Exception):
    pass


def import_returns(db, staged: StagedReturns, *, open_hazards: bool | Collection[int] = False,
                   dry_run: bool = False, today: dt.date | None = None, progress: ProgressFn | None = None,
                   check_cancelled: Callable[[], Any] | None = None) -> ReturnsResult:
    """Record the staged visits in ONE transaction, each through ``visits.record_visit`` (checked again, the
    file's name in the audit log), and open the proposed hazards ``open_hazards`` names (True: all; else the
    indexes in ``staged.hazards``), with the day the supporter was told when the row says 已通报赡养人.

    A row that fails now (the ledger changed since staging) becomes a problem; the others are kept. A cancel
    (``check_cancelled`` raises or returns true) or ``dry_run`` rolls everything back."""
    from township_desk.models import hazards as hazard_model
    from township_desk.models.ledger_import import ImportCancelled

    today = today or dt.date.today()
    chosen = {id(o) for k, o in enumerate(staged.hazards)
              if open_hazards is True or (open_hazards and k in open_hazards)}
    result = ReturnsResult(dry_run=dry_run, outcomes=list(staged.outcomes), hazards_proposed=staged.hazards)
    try:
        with db.atomic():
            for index, outcome in enumerate(staged.outcomes):
                if index % 200 == 0:
                    if check_cancelled and check_cancelled():
                        raise ImportCancelled()
                    if progress:
                        progress(index, len(staged.outcomes), f"正在登记第 {index + 1}/{len(staged.outcomes)} 行……")
                visit_id = outcome.existing_visit_id
                if outcome.status == "record":
                    try:
                        visit_id = visits.record_visit(db, outcome.elder_id, outcome.data, today=today,
                                                       source=outcome.file)
                    except ValidationError as exc:
                        outcome.status, outcome.message = "error", str(exc)
                        continue
                    result.visits += 1
                if id(outcome) in chosen and visit_id is not None:
                    hazard_id = hazard_model.open_hazard(db, outcome.elder_id, outcome.date, outcome.hazard,
                                                         visit_id=visit_id, today=today)
                    if outcome.supporter_told:
                        hazard_model.record_supporter_told(db, hazard_id, outcome.date, today=today)
                    result.hazards_opened.append(outcome)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    result.problems = staged.problems()
    result.skipped = sum(1 for o in staged.outcomes if o.status != "record")
    return result


def read_and_stage(db, paths: list[str | Path], *, month: str | None = None, today: dt.date | None = None,
                   progress: ProgressFn | None = None, check_cancelled: Callable[[], Any] | None = None
                   ) -> StagedReturns:
    """``read_return`` each file, then ``stage_returns`` them together (the same file twice: its rows once)."""
    reads = []
    for number, path in enumerate(paths, start=1):
        if progress:
            progress(0, 0, f"正在读取第 {number}/{len(paths)} 个文件“{Path(path).name}”……")
        reads.append(read_return(path))
    return stage_returns(db, reads, month=month, today=today, progress=progress, check_cancelled=check_cancelled)


def mask_or_full(id_number: str, full: bool) -> str:
    """The ID number as a return shows it: masked (first 4 and last 4) unless ``full``."""
    return id_number if full else idnumber.mask(id_number)
