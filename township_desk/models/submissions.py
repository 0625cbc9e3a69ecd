"""Months sent to the county (domain.md "Months sent to the county").

A month's workbook is first put together as a ``MonthlyBook``: every sheet's title, headings and cell values
as plain JSON-able data, computed from the facts in force on the month's last day (``models.monthly``).
``printing.monthly_xlsx`` writes a book to .xlsx and nothing else, so a book kept in the database writes the
same workbook again, cell for cell.

Submitting a month (上报) keeps its book in ``monthly_submissions`` with the file's SHA-256, when and by whom.
From then on an export of that month is written from the kept book, whatever was corrected since; a corrected
resend (更正) is explicit, needs a reason, goes to the audit log and says 更正 and its date in every title.
A month not yet over is only exported as a draft (草稿（截至 D）), which is never submitted; an empty ledger,
or a month before anyone was on it, is refused rather than sent as zeros.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from dataclasses import dataclass, field
from typing import Any

from township_desk.models import audit, monthly, settings
from township_desk.models.dates import month_bounds
from township_desk.models.errors import UserError

KINDS = ("上报", "更正")
PAYLOAD_VERSION = 1
SUMMARY_SHEET = "汇总表"
# (sheet, column definitions, title after the township name)
TABLE_SHEETS: tuple[tuple[str, str], ...] = (
    ("明细表", "农村留守老年人明细表"),
    ("巡访情况", "农村留守老年人巡访情况"),
    ("探访关爱", "巡访对象探访关爱情况"),
    ("风险隐患", "风险隐患发现及处置情况"),
    ("互助协议", "农村居家互助养老协议"),
)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def draft_note(as_of: dt.date) -> str:
    return f"草稿（截至{chinese_date(as_of)}）"


def correction_note(on: dt.date) -> str:
    return f"更正（{chinese_date(on)}）"


@dataclass
class Table:
    """One list sheet: its title, (key, heading) columns and rows of cell values in column order."""

    sheet: str
    title: str
    columns: list[list[str]]
    rows: list[list[Any]]

    def dicts(self) -> list[dict]:
        keys = [key for key, _label in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@dataclass
class MonthlyBook:
    """Everything the monthly workbook shows, as the county receives it."""

    month: str
    township: str
    note: str                         # "" | 草稿（截至…） | 更正（…）: follows every title
    filled_on: str                    # 填报时间, YYYY-MM-DD
    age_day: str                      # the month's last day (ages)
    signers: list[str]                # 单位负责人, 填表人, 复核人
    summary: list[list[Any]]          # [name, col 1 … col 27] per village, 合计 last
    tables: list[Table]
    figures: dict[str, Any] = field(default_factory=dict)   # the visit rate: {"visited": n, "on_ledger": n}

    @property
    def summary_title(self) -> str:
        return monthly.report_title(self.township, self.month) + self.note

    @property
    def summary_rows(self) -> list[monthly.SummaryRow]:
        return [monthly.SummaryRow(str(r[0]), [int(v) for v in r[1:]]) for r in self.summary]

    @property
    def is_draft(self) -> bool:
        return self.note.startswith("草稿")

    def table(self, sheet: str) -> Table:
        return next(t for t in self.tables if t.sheet == sheet)

    def payload(self) -> str:
        data = {"version": PAYLOAD_VERSION, "month": self.month, "township": self.township, "note": self.note,
                "filled_on": self.filled_on, "age_day": self.age_day, "signers": self.signers,
                "figures": self.figures,
                "sheets": {SUMMARY_SHEET: {"title": self.summary_title, "rows": self.summary},
                           **{t.sheet: {"title": t.title, "columns": t.columns, "rows": t.rows} for t in self.tables}}}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_payload(cls, text: str) -> MonthlyBook:
        data = json.loads(text)
        sheets = data["sheets"]
        tables = [Table(name, body["title"], body["columns"], body["rows"])
                  for name, body in sheets.items() if name != SUMMARY_SHEET]
        return cls(data["month"], data["township"], data["note"], data["filled_on"], data["age_day"],
                   data["signers"], sheets[SUMMARY_SHEET]["rows"], tables, data.get("figures") or {})


def _cells(rows: list[dict], columns) -> list[list[Any]]:
    keys = [key for key, _label in columns]
    return [[_plain(row.get(key)) for key in keys] for row in rows]


def _plain(value: Any) -> Any:
    """A value as JSON keeps it and a cell shows it (dates as the ledger's YYYY-MM-DD)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def check_exportable(db, month: str, *, today: dt.date, draft: bool) -> None:
    """Refuse (``UserError``) a month that cannot be reported: nobody on the ledger, a month before the ledger
    began, or — unless ``draft`` — a month not yet over."""
    first, last = month_bounds(month)
    began = db.execute("SELECT MIN(entered_on) FROM elders").fetchone()[0]
    label = monthly.month_label(month)
    if began is None:
        raise UserError(f"台账中还没有老人，{label}无数可报：请先录入或导入台账。")
    if last.isoformat() < began:
        raise UserError(f"{label}早于台账的开始（最早纳入台账的日期为 {began}），不能导出该月报表。")
    if not draft and today <= last:
        raise UserError(f"{label}尚未结束（到 {last.isoformat()} 为止），不能导出正式报表；"
                        "需要先看数字时请导出草稿（--draft）。")


def build_book(db, month: str, *, note: str = "", filled_on: dt.date | None = None,
               progress=None) -> MonthlyBook:
    """The month's workbook computed from the facts on its last day. Refuses (``UserError``) without a township
    name, or when a cross-check fails (listing the villages, columns and elders to fix)."""
    from township_desk.models import coverage, schedule

    month = monthly.parse_month(month)
    township = (settings.get(db, "township_name") or "").strip()
    if not township:
        raise UserError("请先在“设置”中填写乡镇（街道）名称：汇总表标题和县级汇总都要用到它。")
    step = progress or (lambda _text: None)
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
    step("正在统计探访关爱情况……")
    care = [row.as_dict() for row in coverage.month_coverage(db, month)]
    hazards = monthly.hazards_of_month(db, month)
    agreements = monthly.agreements_of_month(db, month)
    visited, on_ledger, _rate = schedule.monthly_visit_rate(db, month)
    values = settings.get_all(db)
    label = monthly.month_label(month)
    columns = {"明细表": monthly.DETAIL_COLUMNS, "巡访情况": monthly.VISIT_COLUMNS, "探访关爱": coverage.COLUMNS,
               "风险隐患": monthly.HAZARD_COLUMNS, "互助协议": monthly.AGREEMENT_COLUMNS}
    data = {"明细表": monthly.detail_sheet_rows(detail), "巡访情况": visits, "探访关爱": care,
            "风险隐患": hazards, "互助协议": agreements}
    tables = [Table(sheet, f"{township}{heading}（{label}）{note}", [list(c) for c in columns[sheet]],
                    _cells(data[sheet], columns[sheet]))
              for sheet, heading in TABLE_SHEETS]
    return MonthlyBook(
        month, township, note, (filled_on or dt.date.today()).isoformat(), summary.last_day.isoformat(),
        [values.get("unit_head") or "", values.get("preparer") or "", values.get("reviewer") or ""],
        [[row.name, *row.counts] for row in summary.rows], tables,
        {"visited": visited, "on_ledger": on_ledger})


def build_group_book(db, month: str, group: str, *, note: str = "", filled_on: dt.date | None = None,
                     progress=None) -> MonthlyBook:
    """One visit group's workbook of the month (``export-monthly --group``), computed from the facts on its last
    day: its 探访关爱 lines (per village and 合计) and the 明细表 of its members. No 汇总表: the 27-column form is
    the county's 留守 form for the whole ledger; a group workbook is for the office and is never sent."""
    from township_desk.models import coverage, groups

    month = monthly.parse_month(month)
    group = groups.require(group)
    township = (settings.get(db, "township_name") or "").strip()
    step = progress or (lambda _text: None)
    step("正在统计探访关爱情况……")
    care = [row.as_dict() for row in coverage.month_coverage(db, month, group=group)]
    step("正在整理明细表……")
    last = month_bounds(month)[1]
    members = set(groups.members(db, group, last))
    detail = [row for row in monthly.details(db, month, left_behind_only=False) if row["id"] in members]
    for seq, row in enumerate(detail, start=1):
        row["seq"] = seq
    label = monthly.month_label(month)
    tables = [Table("探访关爱", f"{township}{group}老人探访关爱情况（{label}）{note}",
                    [list(c) for c in coverage.COLUMNS], _cells(care, coverage.COLUMNS)),
              Table("明细表", f"{township}{group}老人明细表（{label}）{note}",
                    [list(c) for c in monthly.DETAIL_COLUMNS],
                    _cells(monthly.detail_sheet_rows(detail), monthly.DETAIL_COLUMNS))]
    values = settings.get_all(db)
    return MonthlyBook(month, township, note, (filled_on or dt.date.today()).isoformat(), last.isoformat(),
                       [values.get("unit_head") or "", values.get("preparer") or "", values.get("reviewer") or ""],
                       [], tables, {"group": group})


# ---------------------------------------------------------------- the records of what was sent


@dataclass
class Submission:
    id: int
    month: str
    kind: str                 # 上报 | 更正
    submitted_at: str
    submitted_by: str
    sha256: str
    file_name: str | None
    reason: str | None
    payload: str | None = None

    @property
    def book(self) -> MonthlyBook:
        if self.payload is None:
            raise ValueError("payload not loaded")
        return MonthlyBook.from_payload(self.payload)

    def describe(self) -> str:
        text = f"{monthly.month_label(self.month)}已于 {self.submitted_at} 由{self.submitted_by}{self.kind}" \
               f"（SHA-256 {self.sha256[:12]}…）"
        return text + (f"，更正理由：{self.reason}" if self.reason else "")


_FIELDS = "id, month, kind, submitted_at, submitted_by, sha256, file_name, reason"


def current_user(db) -> str:
    """Who sends: the settings' 填表人, else the computer's user name."""
    name = (settings.get(db, "preparer") or "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this machine
        return "未知用户"


def latest(db, month: str, *, with_payload: bool = True) -> Submission | None:
    """The month's last submission (the correction when there is one), or None when it was never sent."""
    columns = _FIELDS + (", payload" if with_payload else "")
    row = db.execute(f"SELECT {columns} FROM monthly_submissions WHERE month = ? ORDER BY id DESC LIMIT 1",
                     [monthly.parse_month(month)]).fetchone()
    return Submission(*row) if row else None


def sent_months(db) -> list[Submission]:
    """Every submission, newest month first, each month's sends newest first (without payloads)."""
    return [Submission(*row) for row in
            db.execute(f"SELECT {_FIELDS} FROM monthly_submissions ORDER BY month DESC, id DESC")]


def record(db, book: MonthlyBook, kind: str, sha256: str, *, file_name: str | None = None,
           reason: str | None = None, by: str | None = None, at: dt.datetime | None = None) -> Submission:
    """Keep what was sent (inside the caller's transaction when there is one), with an audit entry."""
    if kind not in KINDS:
        raise ValueError(kind)
    if book.is_draft:
        raise UserError("草稿不能上报：月份结束后导出正式报表再上报。")
    when = (at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    who = by or current_user(db)
    with db.atomic():
        new_id = db.execute(
            "INSERT INTO monthly_submissions(month, kind, submitted_at, submitted_by, sha256, file_name, reason,"
            " payload) VALUES (?,?,?,?,?,?,?,?)",
            [book.month, kind, when, who, sha256, file_name, reason, book.payload()]).lastrowid
        audit.record(db, kind, "monthly_submissions", new_id, f"{book.township} {monthly.month_label(book.month)}",
                     "sha256", None, f"{sha256}（{who}）" + (f"；理由：{reason}" if reason else ""))
    return Submission(new_id, book.month, kind, when, who, sha256, file_name, reason, book.payload())


def _sent_parts(db, month: str, *paths: str) -> tuple | None:
    """Parts of the month's last submitted payload (JSON paths, read by SQLite without loading the 明细表 rows);
    None when the month was never sent. An object or a list comes back as JSON text."""
    picks = ", ".join("json_extract(payload, ?)" for _ in paths)
    row = db.execute(f"SELECT {picks} FROM monthly_submissions WHERE month = ? ORDER BY id DESC LIMIT 1",
                     [*paths, monthly.parse_month(month)]).fetchone()
    return tuple(row) if row else None


def summary_of(db, month: str) -> monthly.MonthlySummary | None:
    """The 汇总表 as submitted for ``month`` (None when it was never sent)."""
    parts = _sent_parts(db, month, f'$.sheets."{SUMMARY_SHEET}".rows', "$.township", "$.age_day", "$.month")
    if parts is None:
        return None
    rows_json, township, age_day, sent_month = parts
    rows = [monthly.SummaryRow(str(r[0]), [int(v) for v in r[1:]]) for r in json.loads(rows_json)]
    return monthly.MonthlySummary(sent_month, township, dt.date.fromisoformat(age_day), rows[:-1], rows[-1])


# ---------------------------------------------------------------- which 上门巡访覆盖率 a month shows

SENT = "sent"          # as submitted to the county
COUNTED = "counted"    # never sent: counted from the ledger now
NOT_SENT = "not_sent"  # sent, but what was sent does not hold this figure (a group, before the 探访关爱 sheet)


@dataclass(frozen=True)
class MonthRate:
    """One month's 上门巡访覆盖率 (``rate_labels.HOME``, share 0–1; None when there is none to show: nobody counted,
    or not in what was sent) and where it comes from (``source``: SENT, COUNTED or NOT_SENT); ``visited`` and
    ``people`` behind it when known."""

    month: str
    rate: float | None
    source: str
    visited: int | None = None
    people: int | None = None

    @classmethod
    def of(cls, month: str, visited: int, people: int, source: str) -> MonthRate:
        return cls(month, visited / people if people else None, source, visited, people)


def not_sent_note(rates: list[MonthRate]) -> str:
    """What to say for months sent without the figure asked (NOT_SENT), instead of a figure made up now."""
    months = "、".join(monthly.month_label(r.month) for r in rates if r.source == NOT_SENT)
    return f"{months}上报的报表中没有这一数字（当时还没有探访关爱表），不按现在的台账补算" if months else ""


def _sent_rate(db, month: str, group: str | None) -> MonthRate | None:
    """The month's 上门巡访覆盖率 as sent to the county (None when the month was never sent): over everyone, the
    figures of the last submission (在册 and 已上门); for a visit group, that group's 合计 line of the 探访关爱 sheet
    sent (人数 and 本月已上门人数), NOT_SENT when the sheet was not in what was sent (months sent before it
    existed)."""
    if group is None:
        parts = _sent_parts(db, month, "$.figures.visited", "$.figures.on_ledger")
        if parts is None:
            return None
        if None in parts:
            return MonthRate(month, None, NOT_SENT)
        return MonthRate.of(month, int(parts[0]), int(parts[1]), SENT)
    from township_desk.models import coverage

    parts = _sent_parts(db, month, f'$.sheets."{coverage.SHEET}"')
    if parts is None:
        return None
    if parts[0] is None:
        return MonthRate(month, None, NOT_SENT)
    sheet = json.loads(parts[0])
    keys = [key for key, _label in sheet["columns"]]
    for row in sheet["rows"]:
        cells = dict(zip(keys, row, strict=False))
        if cells.get("village") == coverage.TOTAL_LABEL and cells.get("group") == group:
            return MonthRate.of(month, int(cells["home_visited"] or 0), int(cells["people"] or 0), SENT)
    return MonthRate(month, None, NOT_SENT)


def month_home_rate(db, month: str, group: str | None = None) -> MonthRate:
    """The 上门巡访覆盖率 a month shows, everywhere (首页, charts): what was sent for a month sent to the county —
    never recounted, and for a group never invented when the sheet sent did not hold it —, else counted now
    (``schedule.monthly_visit_rate``). ``group``: of that 巡访对象类别."""
    from township_desk.models import schedule

    month = monthly.parse_month(month)
    sent = _sent_rate(db, month, group)
    if sent is not None:
        return sent
    visited, people, _share = schedule.monthly_visit_rate(db, month, group)
    return MonthRate.of(month, visited, people, COUNTED)


def visit_rate(db, month: str) -> tuple[int, int, float]:
    """上门巡访覆盖率 (visited, 在册, share 0–1) of a month by ``month_home_rate``: as submitted for a month sent to the
    county, else counted now."""
    figure = month_home_rate(db, month)
    if figure.visited is None:  # not reached: every month sent holds its figures; counted rather than a gap
        from township_desk.models import schedule

        return schedule.monthly_visit_rate(db, month)
    return figure.visited, figure.people, figure.rate or 0.0


def coverage_by_month(db, month: str, months: int = 12, group: str | None = None) -> list[MonthRate]:
    """The 上门巡访覆盖率 of the ``months`` months ending with ``month``, oldest first, each as ``month_home_rate``
    gives it (the months never sent counted in one query, ``schedule.home_coverage_by_month``). ``group``: of that
    巡访对象类别. Months before anyone was on the ledger (or in the group) are left out; a month sent without the
    group's figures is kept with ``rate`` None (the chart says so)."""
    from township_desk.models import schedule

    month = monthly.parse_month(month)
    year, mon = (int(p) for p in month.split("-"))
    index = year * 12 + mon - 1 - (months - 1)
    start = f"{index // 12:04d}-{index % 12 + 1:02d}"
    sent = {m: _sent_rate(db, m, group) for (m,) in db.execute(
        "SELECT DISTINCT month FROM monthly_submissions WHERE month BETWEEN ? AND ?", [start, month])}
    out = {m: MonthRate(m, share, COUNTED) for m, share in schedule.home_coverage_by_month(db, month, months, group)}
    for m, figure in sent.items():
        if figure is None:
            continue
        if figure.people == 0:
            out.pop(m, None)  # nobody in the group, as sent: no point, as for a month before the ledger
        else:
            out[m] = figure
    return [out[m] for m in sorted(out)]
