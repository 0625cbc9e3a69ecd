"""Checking and normalising an elder record and its supporters as typed (window, importer, command line)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from township_desk.models import idnumber
from township_desk.models.dates import DateError, age_on, parse_date, parse_year_month
from township_desk.models.elders.vocabulary import (
    _BOOL_FIELDS,
    _INT_FIELDS,
    _TEXT_FIELDS,
    ABILITY_LEVELS,
    CARE,
    EDUCATION,
    ELDER_FIELDS,
    EMPLOYER_TYPES,
    HARDSHIP,
    INCOME,
    SPOUSE,
    SUPPORTER_FIELDS,
    TIERS,
)
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
    so an update may carry just the fields that changed.

    Sex and birth date come from the ID number; a typed value that disagrees is a warning naming both.
    ``village`` (a name) and ``visitor`` (a name) are passed through for ``save_elder`` to resolve.
    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    row: dict[str, Any] = {}

    def err(f: str, msg: str) -> None:
        problems.append(Problem(f, "error", msg))

    def warn(f: str, msg: str) -> None:
        problems.append(Problem(f, "warning", msg))

    row["name"] = normalise_name(data.get("name"))
    if message := check_name(row["name"]):
        err("name", message)

    idc = idnumber.check(data.get("id_number"), today=today)
    row["id_number"] = idc.number
    if idc.error:
        err("id_number", idc.error)
    for w in idc.warnings:
        warn("id_number", w)

    typed_birth = None
    try:
        typed_birth = parse_date(data.get("birth_date"))
    except DateError as exc:
        warn("birth_date", f"{exc}，已按身份证号码确定出生日期")
    typed_sex = (str(data.get("sex") or "").strip() or None)
    if typed_sex and typed_sex not in ("男", "女"):
        warn("sex", f"性别“{typed_sex}”无法识别，已按身份证号码确定")
        typed_sex = None
    if idc.ok:
        row["birth_date"] = idc.birth_date.isoformat()
        row["sex"] = idc.sex
        if typed_birth and typed_birth != idc.birth_date:
            warn("birth_date", f"填写的出生日期 {typed_birth.isoformat()} 与身份证号码中的 {idc.birth_date.isoformat()} 不一致，已按身份证号码")
        if typed_sex and typed_sex != idc.sex:
            warn("sex", f"填写的性别“{typed_sex}”与身份证号码显示的“{idc.sex}”不一致，已按身份证号码")
    else:
        row["birth_date"] = typed_birth.isoformat() if typed_birth else None
        row["sex"] = typed_sex

    for name in _TEXT_FIELDS:
        if name in data:
            value = data.get(name)
            row[name] = None if value is None or str(value).strip() == "" else str(value).strip()
    if "ethnicity" in data and not row.get("ethnicity"):
        row["ethnicity"] = "汉族"

    if "phone" in data:
        phone, warning = normalise_phone(data.get("phone"))
        row["phone"] = phone or None
        if warning:
            warn("phone", warning)

    for name in _BOOL_FIELDS:
        if name in data:
            value = parse_bool(data.get(name))
            row[name] = (1 if name == "rural_hukou" else 0) if value is None else int(value)

    for name in _INT_FIELDS:
        if name in data and data.get(name) not in (None, ""):
            try:
                number = int(float(str(data[name]).strip().rstrip("个次天人")))
                if number < 0:
                    raise ValueError
                row[name] = number
            except ValueError:
                err(name, f"{ELDER_FIELDS[name]}“{data[name]}”应为不小于0的整数")
        elif name in data:
            row[name] = None

    if "children_away_years" in data:
        value = data.get("children_away_years")
        if value in (None, ""):
            row["children_away_years"] = None
        else:
            try:
                row["children_away_years"] = float(str(value).strip().rstrip("年"))
                if row["children_away_years"] < 0:
                    raise ValueError
            except ValueError:
                err("children_away_years", f"外出务工年限“{value}”应为年数")

    if "last_family_visit" in data:
        try:
            row["last_family_visit"] = parse_year_month(data.get("last_family_visit"))
        except DateError as exc:
            err("last_family_visit", str(exc))

    if "ability_level" in data:
        try:
            row["ability_level"] = parse_ability_level(data.get("ability_level"))
        except ValueError as exc:
            err("ability_level", str(exc))

    def choice(name: str, allowed: tuple[str, ...], label: str) -> None:
        if name not in data:
            return
        value = data.get(name)
        value = "" if value is None else str(value).strip()
        if value == "" and "" not in allowed:
            row[name] = None
        elif value in allowed:
            row[name] = value
        else:
            err(name, f"{label}“{value}”不在可选范围：{'、'.join(a for a in allowed if a)}")

    choice("education", EDUCATION, "文化程度")
    choice("spouse", SPOUSE, "夫妻情况")
    choice("main_income", INCOME, "主要经济来源")
    choice("care", CARE, "照料情况")
    choice("hardship", HARDSHIP, "困难类型")
    choice("tier", TIERS, "巡访类别")

    if "income_sources" in data:
        value = data.get("income_sources") or []
        items = value if isinstance(value, (list, tuple, set)) else str(value).replace("，", ",").replace("、", ",").split(",")
        items = [str(i).strip() for i in items if str(i).strip()]
        unknown = [i for i in items if i not in INCOME]
        if unknown:
            err("income_sources", f"家庭经济来源“{'、'.join(unknown)}”不在可选范围：{'、'.join(INCOME)}")
        row["income_sources"] = ",".join(i for i in INCOME if i in items)
        if row.get("main_income") and items and row["main_income"] not in items:
            warn("main_income", f"主要经济来源“{row['main_income']}”不在所选的家庭经济来源中")

    if "entered_on" in data:
        try:
            entered = parse_date(data.get("entered_on"))
            row["entered_on"] = (entered or today).isoformat()
            if entered and entered > today:
                err("entered_on", f"纳入台账日期 {entered.isoformat()} 晚于今天")
        except DateError as exc:
            err("entered_on", str(exc))

    if idc.ok and idc.birth_date:
        age = age_on(idc.birth_date, today)
        if age < 60:
            warn("birth_date", f"按身份证号码今年 {age} 周岁，未满60周岁")

    if "village" in data or "village_id" in data:
        if not (data.get("village_id") or normalise_name(data.get("village"))):
            err("village", "村（社区）不能为空")
    return row, problems



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
