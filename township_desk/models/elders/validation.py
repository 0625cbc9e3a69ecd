"""Checking and normalising an elder record and its supporters as typed (window, importer, command line)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from township_desk.models import idnumber
from township_desk.models.dates import DateError, age_on, parse_date, parse_year_month
from township_desk.models.elders.fields import ELDER_FIELDS, FIELD_TABLE, FIELDS, Field
from township_desk.models.elders.vocabulary import ABILITY_LEVELS, EMPLOYER_TYPES, SUPPORTER_FIELDS
from township_desk.models.names import check_name, normalise_name, normalise_phone


@dataclass
class Problem:
    """One thing wrong with a value: ``field`` is the code name, ``severity`` "error" or "warning"."""

    field: str
    severity: str
    message: str

    @property
    def label(self) -> str:
        return ELDER_FIELDS.get(self.field, SUPPORTER_FIELDS.get(self.field, self.field))



def parse_bool(value: Any) -> bool | None:
    """是/否, √, 1/0, True/False, and the flag's own word (独居) read as a yes."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip()
    if not text:
        return None
    if text in ("否", "无", "不", "0", "×", "✗", "N", "n", "no", "false", "False", "非"):
        return False
    return True


def parse_ability_level(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        level = int(value)
    else:
        text = str(value).strip()
        level = None
        if text.isdigit():
            level = int(text)
        else:
            for number, label in ABILITY_LEVELS.items():
                short = label.split("（")[0]
                inner = label[label.find("（") + 1:-1] if "（" in label else ""
                if text in (label, short) or (inner and text == inner):
                    level = number
                    break
            if level is None and text in ("完好", "自理", "能自理"):
                level = 0
        if level is None:
            raise ValueError(f"能力等级“{value}”无法识别（可填 0–4 或 能力完好、轻度失能、中度失能、重度失能、完全失能）")
    if not 0 <= level <= 4:
        raise ValueError(f"能力等级“{value}”应为 0–4")
    return level


def prepare_elder(data: dict[str, Any], today: dt.date | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Check and normalise an elder record as typed. Returns the row to store and the problems found.

    ``name`` and ``id_number`` are always required; any other field is only touched when present in ``data``,
    so an update may carry just the fields that changed. Each field is checked by its kind in ``fields.FIELDS``.

    Sex and birth date come from the ID number; a typed value that disagrees is a warning naming both.
    ``village`` (a name) and ``visitor`` (a name) are passed through for ``save_elder`` to resolve.
    """
    today = today or dt.date.today()
    found = _Found(data, today)
    idc = _check_identity(found)
    for kind in _CHECK_ORDER:
        for spec in FIELDS:
            if spec.kind == kind and spec.code in data:
                _CHECKS[kind](found, spec, data[spec.code])
    if idc.ok and idc.birth_date:
        age = age_on(idc.birth_date, today)
        if age < 60:
            found.warn("birth_date", f"按身份证号码今年 {age} 周岁，未满60周岁")
    if "village" in data or "village_id" in data:
        if not (data.get("village_id") or normalise_name(data.get("village"))):
            found.err("village", "村（社区）不能为空")
    return found.row, found.problems


@dataclass
class _Found:
    """What ``prepare_elder`` has made of a record so far: the row to store and the problems."""

    data: dict[str, Any]
    today: dt.date
    row: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def err(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, "error", message))

    def warn(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, "warning", message))


def _check_identity(found: _Found) -> idnumber.IdCheck:
    """姓名 and 身份证号码 (always required); 性别 and 出生日期 follow the ID number when it is valid."""
    data, row = found.data, found.row
    row["name"] = normalise_name(data.get("name"))
    if message := check_name(row["name"]):
        found.err("name", message)

    idc = idnumber.check(data.get("id_number"), today=found.today)
    row["id_number"] = idc.number
    if idc.error:
        found.err("id_number", idc.error)
    for w in idc.warnings:
        found.warn("id_number", w)

    typed_birth = None
    try:
        typed_birth = parse_date(data.get("birth_date"))
    except DateError as exc:
        found.warn("birth_date", f"{exc}，已按身份证号码确定出生日期")
    typed_sex = (str(data.get("sex") or "").strip() or None)
    if typed_sex and typed_sex not in FIELD_TABLE["sex"].choices:
        found.warn("sex", f"性别“{typed_sex}”无法识别，已按身份证号码确定")
        typed_sex = None
    if idc.ok:
        row["birth_date"] = idc.birth_date.isoformat()
        row["sex"] = idc.sex
        if typed_birth and typed_birth != idc.birth_date:
            found.warn("birth_date", f"填写的出生日期 {typed_birth.isoformat()} 与身份证号码中的 {idc.birth_date.isoformat()} 不一致，已按身份证号码")
        if typed_sex and typed_sex != idc.sex:
            found.warn("sex", f"填写的性别“{typed_sex}”与身份证号码显示的“{idc.sex}”不一致，已按身份证号码")
    else:
        row["birth_date"] = typed_birth.isoformat() if typed_birth else None
        row["sex"] = typed_sex
    return idc


def _check_text(found: _Found, spec: Field, value: Any) -> None:
    text = None if value is None or str(value).strip() == "" else str(value).strip()
    found.row[spec.code] = text if text is not None else spec.default


def _check_phone(found: _Found, spec: Field, value: Any) -> None:
    phone, warning = normalise_phone(value)
    found.row[spec.code] = phone or None
    if warning:
        found.warn(spec.code, warning)


def _check_bool(found: _Found, spec: Field, value: Any) -> None:
    answer = parse_bool(value)
    found.row[spec.code] = spec.default if answer is None else int(answer)


def _check_count(found: _Found, spec: Field, value: Any) -> None:
    if value in (None, ""):
        found.row[spec.code] = None
        return
    try:
        number = int(float(str(value).strip().rstrip(spec.units)))
        if number < 0:
            raise ValueError
        found.row[spec.code] = number
    except ValueError:
        found.err(spec.code, f"{spec.label}“{value}”应为不小于0的整数")


def _check_years(found: _Found, spec: Field, value: Any) -> None:
    if value in (None, ""):
        found.row[spec.code] = None
        return
    try:
        found.row[spec.code] = float(str(value).strip().rstrip(spec.units))
        if found.row[spec.code] < 0:
            raise ValueError
    except ValueError:
        found.err(spec.code, f"{spec.label}“{value}”应为年数")


def _check_month(found: _Found, spec: Field, value: Any) -> None:
    try:
        found.row[spec.code] = parse_year_month(value)
    except DateError as exc:
        found.err(spec.code, str(exc))


def _check_ability(found: _Found, spec: Field, value: Any) -> None:
    try:
        found.row[spec.code] = parse_ability_level(value)
    except ValueError as exc:
        found.err(spec.code, str(exc))


def _check_choice(found: _Found, spec: Field, value: Any) -> None:
    text = "" if value is None else str(value).strip()
    if text == "" and "" not in spec.choices:
        found.row[spec.code] = None
    elif text in spec.choices:
        found.row[spec.code] = text
    else:
        found.err(spec.code, f"{spec.label}“{text}”不在可选范围：{'、'.join(a for a in spec.choices if a)}")


def _check_choices(found: _Found, spec: Field, value: Any) -> None:
    """Several of the choices: a list, or text separated by commas or 、; stored in the choices' order."""
    value = value or []
    items = value if isinstance(value, (list, tuple, set)) else str(value).replace("，", ",").replace("、", ",").split(",")
    items = [str(i).strip() for i in items if str(i).strip()]
    unknown = [i for i in items if i not in spec.choices]
    if unknown:
        found.err(spec.code, f"{spec.label}“{'、'.join(unknown)}”不在可选范围：{'、'.join(spec.choices)}")
    found.row[spec.code] = ",".join(i for i in spec.choices if i in items)
    main = found.row.get("main_income")
    if spec.code == "income_sources" and main and items and main not in items:
        found.warn("main_income", f"主要经济来源“{main}”不在所选的家庭经济来源中")


def _check_date(found: _Found, spec: Field, value: Any) -> None:
    """A day not after today; blank is today."""
    try:
        day = parse_date(value)
        found.row[spec.code] = (day or found.today).isoformat()
        if day and day > found.today:
            found.err(spec.code, f"{spec.label} {day.isoformat()} 晚于今天")
    except DateError as exc:
        found.err(spec.code, str(exc))


_CHECKS: dict[str, Callable[[_Found, Field, Any], None]] = {
    "text": _check_text, "phone": _check_phone, "bool": _check_bool, "count": _check_count,
    "years": _check_years, "month": _check_month, "ability": _check_ability, "choice": _check_choice,
    "choices": _check_choices, "date": _check_date,
}
# The kinds in the order their problems are listed (主要经济来源 is read before 家庭经济来源 is checked against it).
_CHECK_ORDER = ("text", "phone", "bool", "count", "years", "month", "ability", "choice", "choices", "date")


def prepare_supporters(items: list[dict], today: dt.date) -> tuple[list[dict], list[Problem]]:
    rows, problems = [], []
    for index, item in enumerate(items, start=1):
        name = normalise_name(item.get("name"))
        if not name and not any(str(item.get(k) or "").strip() for k in SUPPORTER_FIELDS if k != "name"):
            continue  # an empty line in the editor
        where = f"第{index}位赡养人"
        row = {"name": name, "relation": (str(item.get("relation") or "").strip() or None),
               "work_place": (str(item.get("work_place") or "").strip() or None),
               "employer_type": (str(item.get("employer_type") or "").strip() or None), "sort_order": index}
        if not name:
            problems.append(Problem("supporters", "error", f"{where}的姓名为空"))
        phone, warning = normalise_phone(item.get("phone"))
        row["phone"] = phone or None
        if warning:
            problems.append(Problem("supporters", "warning", f"{where}（{name}）：{warning}"))
        raw_id = item.get("id_number")
        if raw_id not in (None, ""):
            idc = idnumber.check(raw_id, today=today)
            row["id_number"] = idc.number
            if idc.error:
                problems.append(Problem("supporters", "error", f"{where}（{name}）：{idc.error}"))
        else:
            row["id_number"] = None
        try:
            row["away_since"] = parse_year_month(item.get("away_since"))
        except DateError as exc:
            problems.append(Problem("supporters", "error", f"{where}（{name}）外出时间：{exc}"))
            row["away_since"] = None
        if row["employer_type"] and row["employer_type"] not in EMPLOYER_TYPES:
            problems.append(Problem("supporters", "warning",
                                    f"{where}（{name}）的单位性质“{row['employer_type']}”不在常用范围：{'、'.join(EMPLOYER_TYPES)}"))
        for flag, default in (("rural_hukou", 1), ("is_away", 1), ("can_support", 1)):
            value = parse_bool(item.get(flag))
            row[flag] = default if value is None else int(value)
        rows.append(row)
    return rows, problems
