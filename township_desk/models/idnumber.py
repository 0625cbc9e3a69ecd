"""Resident ID numbers (居民身份证号码, GB 11643): normalising what clerks type and checking it.

stdnum.cn.ric's own ``validate`` is not used: it rejects real IDs of elderly people whose county code
was created after their birth (pitfalls.md #0). The checksum and birth date are checked here with its
helpers; an unknown region code is only a warning.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from stdnum.cn import ric

from township_desk.models import dates

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")
_SEPARATORS = re.compile(r"[\s\u3000\-_·.,，、']+")


def normalise(raw: object) -> str:
    """What the clerk typed, as an ID number is stored: full-width folded, spaces removed, upper-case X."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip().upper()
    if _SCIENTIFIC.match(text):  # keep "5.111E+17" recognisable as Excel's doing
        return text
    return _SEPARATORS.sub("", text)


def upgrade_15(number15: str) -> str:
    """The 18-digit form of an old 15-digit number by the GB 11643-1999 rule (19 inserted, check digit added)."""
    body = number15[:6] + "19" + number15[6:]
    return body + ric.calc_check_digit(body + "0")


@dataclass
class IdCheck:
    """The outcome of checking one ID number. ``error`` set means it cannot be used."""

    number: str
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    birth_date: dt.date | None = None
    sex: str | None = None  # "男" | "女"

    @property
    def ok(self) -> bool:
        return self.error is None


def region_name(number: str) -> str | None:
    """The place the region code names (any period), or None when the code is unknown."""
    return _region_name(number[:6])


@functools.lru_cache(maxsize=4096)
def _region_name(code: str) -> str | None:
    try:
        from stdnum import numdb

        results = numdb.get("cn/loc").info(code)
    except Exception:  # pragma: no cover - the data file ships with stdnum
        return None
    info = {k: v for _part, props in results for k, v in props.items()}
    if not info.get("county"):
        return None
    county = re.sub(r"\[[^\]]*\]", "", info["county"].split(",")[-1])
    return f"{info.get('province', '')}{info.get('prefecture', '')}{county}"


def check(raw: object, today: dt.date | None = None, check_region: bool = True) -> IdCheck:
    """Check an ID number as typed. Never guesses: a number that cannot be used gets a Chinese error."""
    today = today or dt.date.today()
    number = normalise(raw)
    result = IdCheck(number=number)
    if not number:
        result.error = "身份证号码为空"
        return result
    if _SCIENTIFIC.match(number) or (isinstance(raw, (int, float)) and not isinstance(raw, bool)):
        result.error = (
            f"身份证号码“{raw}”被 Excel 存成了数字，末几位已经丢失，无法还原；"
            "请把该列设为文本格式后重新录入完整号码"
        )
        return result
    if len(number) == 15 and number.isdigit():
        result.error = (
            f"“{number}”是15位旧身份证号码，请核对老人现用的18位号码后录入"
            f"（按规则升位应为 {upgrade_15(number)}，须与身份证原件核对）"
        )
        return result
    if len(number) != 18:
        result.error = f"身份证号码“{number}”应为18位，实为{len(number)}位"
        return result
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        result.error = f"身份证号码“{number}”含有非法字符：前17位应为数字，末位为数字或X"
        return result
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        result.error = f"身份证号码“{number}”校验不通过（按前17位末位应为 {expected}，实为 {number[17]}），请逐位核对"
        return result
    try:
        birth = ric.get_birth_date(number)
    except Exception:
        result.error = f"身份证号码“{number}”中的出生日期 {number[6:10]}-{number[10:12]}-{number[12:14]} 不存在"
        return result
    if birth > today:
        result.error = f"身份证号码“{number}”中的出生日期 {birth.isoformat()} 晚于今天"
        return result
    if birth.year < today.year - 120:
        result.warnings.append(f"身份证号码中的出生日期 {birth.isoformat()} 距今超过120年，请核对")
    result.birth_date = birth
    result.sex = "男" if int(number[16]) % 2 == 1 else "女"
    if check_region and region_name(number) is None:
        result.warnings.append(f"身份证号码的地区代码 {number[:6]} 不在行政区划代码表中，请核对")
    return result


def mask(number: str) -> str:
    """An ID number as printed on rosters: first 4 and last 4 shown (5111**********0211)."""
    if not number or len(number) < 8:
        return number or ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# The one age rule lives in ``dates``; it is also reachable here, where the birth date comes from.
age_on = dates.age_on
