"""Dates as clerks write them: real dates, Excel serial numbers, 1950.3.5, 1950/3/5, 1950年3月5日, 19500305."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_YMD = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*月?$")


# The dates this program works with: the lunar calendar it uses for 春节/重阳节 covers 1901–2099, and date
# arithmetic (a year back, a week ahead) must never leave Python's range.
EARLIEST = dt.date(1901, 1, 1)
LATEST = dt.date(2099, 12, 31)


class DateError(ValueError):
    """Carries a Chinese message naming the value."""


def check_in_range(day: dt.date, what: str = "日期") -> dt.date:
    """``day`` itself when the program can work with it (``EARLIEST``–``LATEST``), else a Chinese ``UserError``."""
    from township_desk.models.errors import UserError

    if not EARLIEST <= day <= LATEST:
        raise UserError(f"{what}“{day.isoformat()}”超出本程序可处理的范围"
                        f"（{EARLIEST.isoformat()} 至 {LATEST.isoformat()}）")
    return day


def parse_date(value: object) -> dt.date | None:
    """A date from any form a clerk's workbook or typing gives; None for empty; DateError when unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if 19000101 <= number <= 21001231 and number.is_integer():
            return parse_date(str(int(number)))
        if 1 <= number < 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(number))
        raise DateError(f"“{value}”不是日期")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    try:
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        match = _YMD.match(text)
        if match:
            return dt.date(*(int(g) for g in match.groups()))
        if re.fullmatch(r"\d{4,5}(\.0)?", text):
            return parse_date(float(text))
    except ValueError as exc:
        raise DateError(f"日期“{value}”不存在") from exc
    raise DateError(f"无法识别日期“{value}”（可写作 1950-03-05、1950.3.5、1950/3/5、1950年3月5日 或 19500305）")


def required_date(value: object, what: str) -> dt.date:
    """A date the clerk must give (``what`` names the field, e.g. "发现日期"): a Chinese ``UserError`` when it is
    missing or unreadable."""
    from township_desk.models.errors import UserError

    try:
        day = parse_date(value)
    except DateError as exc:
        raise UserError(f"{what}：{exc}") from exc
    if day is None:
        raise UserError(f"请填写{what}")
    return day


def parse_year_month(value: object) -> str | None:
    """'YYYY-MM' from 2023.5, 2023-05, 2023年5月, a date, or None for empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _YM.match(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    if re.fullmatch(r"\d{6}", text) and 1 <= int(text[4:]) <= 12:
        return f"{text[:4]}-{text[4:]}"
    try:
        day = parse_date(value)
    except DateError:
        day = None
    if day:
        return f"{day.year:04d}-{day.month:02d}"
    raise DateError(f"无法识别年月“{value}”（可写作 2023-05 或 2023年5月）")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of 'YYYY-MM'."""
    year, mon = (int(p) for p in month.split("-"))
    first = dt.date(year, mon, 1)
    nxt = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def age_on(birth: dt.date | str, day: dt.date) -> int:
    """Age in full years (周岁) on ``day``: the one age rule of the program (ledger, 高龄, reports, filters).

    Someone born on 29 February turns a year older on 1 March in a common year and on 29 February in a
    leap year, as Chinese practice (and ``latest_birth_for_age``, its SQL-side twin) has it.
    """
    if isinstance(birth, str):
        birth = dt.date.fromisoformat(birth)
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def latest_birth_for_age(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone ``years`` or older on ``day``: ``birth_date <= this`` in SQL selects
    exactly those with ``age_on(birth_date, day) >= years`` (29 February of a common year becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February → a year without one
        return day.replace(year=day.year - years, day=28)
