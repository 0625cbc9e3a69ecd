"""The ledger of elders: checking a record, saving it (with audit), status changes, queries, eligibility.

Every rule about an elder record lives here; the window, the importer and the command line call it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from township_desk.models import audit, field_history, idnumber, versions, villages, visitors
from township_desk.models.dates import DateError, age_on, latest_birth_for_age, parse_date, parse_year_month
from township_desk.models.errors import UserError, ValidationError
from township_desk.models.names import check_name, full_pinyin, initials, normalise_name, normalise_phone

# Every field of the registration form and what the visits and the county need, in the form's order.
ELDER_FIELDS: dict[str, str] = {
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "id_number": "身份证号码",
    "household_address": "户籍所在地",
    "current_address": "现居住地址",
    "village": "村（社区）",
    "group_name": "组",
    "phone": "联系电话",
    "is_disabled": "残疾",
    "disability_category": "残疾类别",
    "disability_grade": "残疾等级",
    "is_ill": "患病",
    "illness_type": "患病类型",
    "ability_level": "能力等级",
    "has_dementia": "失智",
    "education": "文化程度",
    "spouse": "夫妻情况",
    "children_count": "子女数量",
    "children_birth_years": "子女出生年份",
    "children_away_years": "外出务工年限",
    "last_family_visit": "最近一次回家探望时间",
    "reunions_per_year": "每年团聚次数",
    "reunion_avg_days": "平均团聚天数",
    "income_sources": "家庭经济来源",
    "main_income": "主要经济来源",
    "care": "照料情况",
    "lives_alone": "独居",
    "hardship": "困难类型",
    "lost_only_child": "失独",
    "family_planning_special": "计划生育特殊家庭",
    "rural_hukou": "农村户籍",
    "needs": "养老需求",
    "difficulties": "存在困难问题",
    "visitor": "巡访责任人",
    "tier": "巡访类别",
    "entered_on": "纳入台账日期",
    "notes": "备注",
}

SUPPORTER_FIELDS: dict[str, str] = {
    "name": "姓名",
    "relation": "与老人关系",
    "id_number": "身份证号码",
    "phone": "联系电话",
    "work_place": "务工地点",
    "away_since": "外出时间",
    "employer_type": "单位性质",
    "rural_hukou": "农村户籍",
    "is_away": "在外务工",
    "can_support": "有赡养能力",
}

STATUSES = ("在册", "暂离", "已迁出", "已去世", "已不属于留守")
EDUCATION = ("文盲", "小学", "初中", "高中及以上")
SPOUSE = ("双方健在", "一方健在")
INCOME = ("打工", "种养殖业", "政府救助", "亲朋救济", "其他")
CARE = ("有人照料", "无人照料")
HARDSHIP = ("", "低保", "特困", "低保边缘")
TIERS = ("重点", "一般")
ABILITY_LEVELS = {
    0: "能力完好",
    1: "轻度受损（轻度失能）",
    2: "中度受损（中度失能）",
    3: "重度受损（重度失能）",
    4: "完全丧失（完全失能）",
}
EMPLOYER_TYPES = ("企业", "个体", "务农", "灵活就业", "机关", "事业单位", "国有企业", "其他")
STATE_EMPLOYERS = ("机关", "事业单位", "国有企业")
FLAGS = ("独居", "失能", "高龄", "无人照料")
AGED_FROM = 80  # 高龄: full years (the ledger filter and the risk factor)

_BOOL_FIELDS = ("is_disabled", "is_ill", "has_dementia", "lives_alone", "lost_only_child",
                "family_planning_special", "rural_hukou")
_INT_FIELDS = ("children_count", "reunions_per_year", "reunion_avg_days")
_TEXT_FIELDS = ("ethnicity", "household_address", "current_address", "group_name", "disability_category",
                "disability_grade", "illness_type", "children_birth_years", "needs", "difficulties", "notes")


@dataclass
class Problem:
    """One thing wrong with a value: ``field`` is the code name, ``severity`` "error" or "warning"."""

    field: str
    severity: str
    message: str

    @property
    def label(self) -> str:
        return ELDER_FIELDS.get(self.field, SUPPORTER_FIELDS.get(self.field, self.field))


@dataclass
class SaveResult:
    elder_id: int
    created: bool
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (label, old, new)
    warnings: list[Problem] = field(default_factory=list)


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


def _label(row: dict) -> str:
    return f"{row.get('name', '')} {row.get('id_number', '')}".strip()


def find_by_id_number(db, number: str) -> dict | None:
    rows = list(db.query(
        "SELECT e.id, e.name, e.status, v.name AS village FROM elders e JOIN villages v ON v.id = e.village_id"
        " WHERE e.id_number = ?", [idnumber.normalise(number)]))
    return rows[0] if rows else None


def save_elder(db, data: dict[str, Any], supporters: list[dict] | None = None, *, elder_id: int | None = None,
               today: dt.date | None = None, action: str | None = None,
               prepared: tuple[dict[str, Any], list[Problem]] | None = None,
               expected_version: int | None = None) -> SaveResult:
    """Add or update one elder (and, when given, replace their supporters) in one transaction.

    Raises ``ValidationError`` listing every error; warnings are returned. A second person with an ID
    number already on the ledger is refused, naming who has it. Each changed field goes to the audit log.
    ``prepared`` is ``prepare_elder(data, today)`` when the caller has just run it (the importer checks
    every row before saving), so a record is not checked twice; the row dict is used up.
    ``expected_version`` is the ``row_version`` the editor read: when the record changed since (an import, the
    command line), ``StaleRecord`` is raised and nothing is saved. A change of supporters alone also moves the
    elder's version on.
    """
    today = today or dt.date.today()
    row, problems = prepared if prepared is not None else prepare_elder(data, today)
    problems = list(problems)
    supporter_rows: list[dict] | None = None
    if supporters is not None:
        supporter_rows, supporter_problems = prepare_supporters(supporters, today)
        problems += supporter_problems
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError("；".join(f"{p.label}：{p.message}" for p in errors), errors)

    with db.atomic():
        holder = db.execute(
            "SELECT e.id, e.name, v.name FROM elders e JOIN villages v ON v.id = e.village_id"
            " WHERE e.id_number = ? AND e.id IS NOT ?", [row["id_number"], elder_id]).fetchone()
        if holder:
            problem = Problem("id_number", "error",
                              f"身份证号码 {row['id_number']} 已登记为 {holder[2]} 的“{holder[1]}”，同一人不能重复登记")
            raise ValidationError(problem.message, [problem])
        if data.get("village_id"):
            row["village_id"] = int(data["village_id"])
        elif "village" in data:
            row["village_id"] = villages.village_id(db, data["village"], create=True)
        if "visitor_id" in data:
            row["visitor_id"] = data.get("visitor_id") or None
        elif data.get("visitor"):
            row["visitor_id"] = visitors.visitor_id(db, data["visitor"], data.get("visitor_phone"),
                                                    village_id=row.get("village_id"), create=True)
        row["name_initials"] = initials(row["name"])
        row["name_pinyin"] = full_pinyin(row["name"])

        if elder_id is None:
            if not row.get("village_id"):
                raise ValidationError("村（社区）不能为空", [Problem("village", "error", "村（社区）不能为空")])
            row.setdefault("entered_on", today.isoformat())
            row["status"] = data.get("status") if data.get("status") in STATUSES else "在册"
            from township_desk.models import risk  # risk reads this module's tables and labels

            note = risk.entry_tier(db, row, today)  # unassessed: the tier follows the suggested grade
            if note:
                problems.append(Problem("tier", "warning", note))
            new_id = _insert(db, "elders", row)
            audit.record(db, action or "新增", "elders", new_id, _label(row))
            db.execute("INSERT INTO status_changes(elder_id, date, old_status, new_status, reason) VALUES (?,?,?,?,?)",
                       [new_id, row["entered_on"], None, row["status"], "纳入台账"])
            if supporter_rows is not None:
                _date_typed_years(supporter_rows, row.get("children_away_years"), today)
                _replace_supporters(db, new_id, supporter_rows)
            return SaveResult(new_id, True, [], [p for p in problems if p.severity == "warning"])

        old = db.execute("SELECT * FROM elders WHERE id = ?", [elder_id])
        cols = [c[0] for c in old.description]
        old_row = old.fetchone()
        if old_row is None:
            raise UserError(f"找不到编号为 {elder_id} 的老人记录")
        versions.check(db, "elders", elder_id, expected_version)  # before comparing with what is stored now
        old_dict = dict(zip(cols, old_row, strict=True))
        changes: list[tuple[str, Any, Any]] = []
        for key, value in row.items():
            if key in ("name_initials", "name_pinyin") or old_dict.get(key) == value:
                continue
            if old_dict.get(key) in (None, "") and value in (None, ""):
                continue
            changes.append((key, old_dict.get(key), value))
        typed_years = next((n for k, _o, n in changes if k == "children_away_years"), None)
        if supporter_rows is not None:
            _date_typed_years(supporter_rows, typed_years, today)
        before = supporters_of(db, elder_id) if supporter_rows is not None else []
        supporters_changed = supporter_rows is not None and _supporters_differ(before, supporter_rows)
        if changes or supporters_changed:
            update = {k: v for k, _o, v in changes}
            if changes:
                update["name_initials"] = row["name_initials"]
                update["name_pinyin"] = row["name_pinyin"]
            update["updated_at"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            versions.update(db, "elders", elder_id, update, expected_version)
            # dated, so that a month already over keeps the value it had (field_history)
            field_history.record(db, elder_id, changes, today, action or "修改")
            for key, before_value, after in changes:
                audit.record(db, action or "修改", "elders", elder_id, _label(row), key,
                             _display(db, key, before_value), _display(db, key, after))
        labelled = [(_field_label(k), _display(db, k, o), _display(db, k, n)) for k, o, n in changes]
        if supporter_rows is None and typed_years is not None:
            undated = [dict(r) for r in supporters_of(db, elder_id) if r["is_away"] and not r["away_since"]]
            _date_typed_years(undated, typed_years, today)
            for supporter in undated:
                db.execute("UPDATE supporters SET away_since = ? WHERE id = ?",
                           [supporter["away_since"], supporter["id"]])
                audit.record(db, action or "修改", "elders", elder_id, _label(row), "supporters", None,
                             f"赡养人{supporter['name']}外出时间 {supporter['away_since']}（按外出务工年限 {typed_years} 年）")
        if supporter_rows is not None:
            if supporters_changed:
                _replace_supporters(db, elder_id, supporter_rows)
                field_history.record(db, elder_id, [(field_history.MAIN_SUPPORTER, field_history.main_supporter(before),
                                                     field_history.main_supporter(supporter_rows))],
                                     today, action or "修改")
                old_text, new_text = _supporters_text(before), _supporters_text(supporter_rows)
                audit.record(db, action or "修改", "elders", elder_id, _label(row), "supporters", old_text, new_text)
                labelled.append(("赡养人", old_text, new_text))
        from township_desk.models import risk  # risk reads this module's tables and labels

        before_tier = db.execute("SELECT tier FROM elders WHERE id = ?", [elder_id]).fetchone()[0]
        note = risk.provisional_tier(db, elder_id, today)  # while unassessed, the tier follows the suggestion
        if note:
            problems.append(Problem("tier", "warning", note))
            labelled.append((_field_label("tier"), before_tier, "重点" if before_tier == "一般" else "一般"))
        return SaveResult(elder_id, False, labelled, [p for p in problems if p.severity == "warning"])


def _date_typed_years(supporters: list[dict], years: float | None, today: dt.date) -> None:
    """外出务工年限 typed as a number (the paper 登记表 asks for one) becomes a dated fact: each supporter away
    without an "away since" month gets the month that many years before ``today``, so the years go on counting
    (``years_away``) instead of staying what they were on the day they were typed."""
    if years is None:
        return
    months = round(float(years) * 12)
    index = today.year * 12 + today.month - 1 - months
    month = f"{index // 12:04d}-{index % 12 + 1:02d}"
    for supporter in supporters:
        if supporter.get("is_away", 1) and not supporter.get("away_since"):
            supporter["away_since"] = month


def _field_label(key: str) -> str:
    return {"village_id": "村（社区）", "visitor_id": "巡访责任人"}.get(key, ELDER_FIELDS.get(key, key))


def _display(db, key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "village_id":
        row = db.execute("SELECT name FROM villages WHERE id = ?", [value]).fetchone()
        return row[0] if row else value
    if key == "visitor_id":
        row = db.execute("SELECT name FROM visitors WHERE id = ?", [value]).fetchone()
        return row[0] if row else value
    if key in _BOOL_FIELDS:
        return "是" if value else "否"
    if key == "ability_level":
        return f"{value} {ABILITY_LEVELS.get(value, '')}"
    return value


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


def supporters_of(db, elder_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM supporters WHERE elder_id = ? ORDER BY sort_order, id", [elder_id]))


_SUPPORTER_KEYS = ("name", "relation", "id_number", "phone", "work_place", "away_since", "employer_type",
                   "rural_hukou", "is_away", "can_support")


def _supporters_differ(before: list[dict], after: list[dict]) -> bool:
    return [tuple(s.get(k) for k in _SUPPORTER_KEYS) for s in before] != \
        [tuple(s.get(k) for k in _SUPPORTER_KEYS) for s in after]


def _supporters_text(items: list[dict]) -> str:
    return "；".join(f"{s.get('name')}（{s.get('relation') or ''}，{s.get('phone') or ''}，{s.get('work_place') or ''}）"
                     for s in items)


def _replace_supporters(db, elder_id: int, rows: list[dict]) -> None:
    """Supporters are replaced as a list; agreements keep their own copy of 委托人 details, so none is lost."""
    db.execute("UPDATE agreements SET party_a_supporter_id = NULL WHERE party_a_supporter_id IN "
               "(SELECT id FROM supporters WHERE elder_id = ?)", [elder_id])
    db.execute("DELETE FROM supporters WHERE elder_id = ?", [elder_id])
    for row in rows:
        _insert(db, "supporters", {**row, "elder_id": elder_id})


def _insert(db, table: str, row: dict[str, Any]) -> int:
    """A plain INSERT (sqlite-utils' ``insert`` re-reads the table's schema on every call: slow for imports)."""
    columns = list(row)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    return db.execute(sql, [row[c] for c in columns]).lastrowid


def get_elder(db, elder_id: int) -> dict:
    """One elder with village and visitor names and the supporters list."""
    rows = list(db.query(
        """SELECT e.*, v.name AS village, vi.name AS visitor, vi.phone AS visitor_phone
           FROM elders e JOIN villages v ON v.id = e.village_id LEFT JOIN visitors vi ON vi.id = e.visitor_id
           WHERE e.id = ?""", [elder_id]))
    if not rows:
        raise UserError(f"找不到编号为 {elder_id} 的老人记录")
    elder = rows[0]
    elder["supporters"] = supporters_of(db, elder_id)
    return elder


def health_of(elder: dict) -> str:
    """身体情况, one per elder: 残疾 before 患病 before 健康 (forms.md col 7–9)."""
    if elder.get("is_disabled"):
        return "残疾"
    if elder.get("is_ill"):
        return "患病"
    return "健康"


def change_status(db, elder_id: int, new_status: str, date: dt.date | str, reason: str, *,
                  expected_version: int | None = None) -> list[int]:
    """Move an elder to another status (暂离, 已迁出, 已去世, 已不属于留守, back to 在册). Nobody is deleted.

    Leaving the ledger ends the elder's signed agreements in the same transaction; returns their ids. With
    ``expected_version`` (the ``row_version`` the window read) a record changed meanwhile is refused
    (``StaleRecord``); ``versions.current`` gives the new one."""
    if new_status not in STATUSES:
        raise UserError(f"状态“{new_status}”不在可选范围：{'、'.join(STATUSES)}")
    day = parse_date(date) if not isinstance(date, dt.date) else date
    if day is None:
        raise UserError("请填写状态变更日期")
    if day > dt.date.today():
        raise UserError(f"状态变更日期 {day.isoformat()} 晚于今天")
    reason = (reason or "").strip()
    if new_status != "在册" and not reason:
        raise UserError(f"改为“{new_status}”须填写原因")
    with db.atomic():
        row = db.execute("SELECT status, name, id_number, entered_on FROM elders WHERE id = ?", [elder_id]).fetchone()
        if row is None:
            raise UserError(f"找不到编号为 {elder_id} 的老人记录")
        versions.check(db, "elders", elder_id, expected_version)
        old_status = row[0]
        if day.isoformat() < row[3]:
            raise UserError(f"状态变更日期 {day.isoformat()} 早于纳入台账日期 {row[3]}")
        if old_status == new_status:
            raise UserError(f"该老人的状态已经是“{new_status}”")
        versions.update(db, "elders", elder_id,
                        {"status": new_status, "status_date": day.isoformat(), "status_reason": reason or None,
                         "updated_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")}, expected_version)
        db.execute("INSERT INTO status_changes(elder_id, date, old_status, new_status, reason) VALUES (?,?,?,?,?)",
                   [elder_id, day.isoformat(), old_status, new_status, reason or None])
        audit.record(db, "状态变更", "elders", elder_id, f"{row[1]} {row[2]}", "status", old_status,
                     f"{new_status}（{day.isoformat()}，{reason}）" if reason else new_status)
        from township_desk.models import agreements  # imports this module

        return agreements.end_with_elder(db, elder_id, day, new_status, reason)  # same transaction: both or neither


def status_history(db, elder_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM status_changes WHERE elder_id = ? ORDER BY date, id", [elder_id]))


# The status an elder had on a day, as SQL over ``elders e``: the latest ``status_changes`` row on or before the
# day; a record that never had one (written by an older version) has its current status once entered. Every
# "as at a date" count (the monthly report, the visit plan) uses these two expressions and no other rule.
def status_on_day_sql(elder: str = "e", day: str = ":day") -> str:
    """``STATUS_ON_DAY_SQL`` over another row source ``elder`` (with columns id, entered_on, status) and day
    expression (e.g. a visit's ``vs.date``)."""
    return f"""COALESCE(
        (SELECT sc.new_status FROM status_changes sc
          WHERE sc.elder_id = {elder}.id AND sc.date <= {day} ORDER BY sc.date DESC, sc.id DESC LIMIT 1),
        CASE WHEN {elder}.entered_on <= {day}
              AND NOT EXISTS (SELECT 1 FROM status_changes x WHERE x.elder_id = {elder}.id) THEN {elder}.status END)"""


STATUS_ON_DAY_SQL = status_on_day_sql()

# The same rule as periods, for counting many days at once (a year of month ends): one row per status an elder
# held, from ``since`` up to the day before ``until`` (NULL: holds it still). A status held on day D is the row
# with since <= D and (until IS NULL OR until > D); of two changes on one day the later one holds, as above.
STATUS_PERIODS_SQL = """
    SELECT sc.elder_id, sc.new_status AS status, sc.date AS since,
           LEAD(sc.date) OVER (PARTITION BY sc.elder_id ORDER BY sc.date, sc.id) AS until
    FROM status_changes sc
    UNION ALL
    SELECT e.id, e.status, e.entered_on, NULL FROM elders e
    WHERE NOT EXISTS (SELECT 1 FROM status_changes x WHERE x.elder_id = e.id)"""

# The day that status began (the visit plan restarts then, e.g. on the return from 暂离).
STATUS_SINCE_SQL = """COALESCE(
        (SELECT sc.date FROM status_changes sc
          WHERE sc.elder_id = e.id AND sc.date <= :day ORDER BY sc.date DESC, sc.id DESC LIMIT 1),
        CASE WHEN e.entered_on <= :day
              AND NOT EXISTS (SELECT 1 FROM status_changes x WHERE x.elder_id = e.id)
             THEN MAX(e.entered_on, COALESCE(e.status_date, e.entered_on)) END)"""


# ---------------------------------------------------------------- queries


@dataclass
class ElderQuery:
    """What the ledger page and ``elders`` show: every filter is applied in SQL."""

    search: str = ""
    village_id: int | None = None
    village: str | None = None
    tier: str | None = None
    status: str | None = None            # None = every status
    flags: tuple[str, ...] = ()          # any of FLAGS, all must hold
    visitor_id: int | None = None
    as_of: dt.date | None = None         # for 高龄 (80+)
    risk_grade: str | None = None        # 高 / 中 / 低 (the latest assessment's), or 未评估 = never graded


# The choices of ``ElderQuery.risk_grade``.
RISK_GRADE_FILTERS = ("高", "中", "低", "未评估")


SORT_COLUMNS = {
    "name": "e.name_initials", "sex": "e.sex", "birth_date": "e.birth_date", "age": "e.birth_date DESC",
    "id_number": "e.id_number", "village": "v.sort_order, v.name", "group_name": "e.group_name",
    "phone": "e.phone", "status": "e.status", "tier": "e.tier", "risk_grade": "e.risk_grade",
    "visitor": "vi.name", "care": "e.care", "lives_alone": "e.lives_alone", "ability_level": "e.ability_level",
    "last_home_visit": "last_home_visit", "id": "e.id",
}


def _where(query: ElderQuery) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if query.village_id is not None:
        clauses.append("e.village_id = ?")
        params.append(query.village_id)
    if query.village:
        clauses.append("v.name = ?")
        params.append(query.village)
    if query.tier:
        clauses.append("e.tier = ?")
        params.append(query.tier)
    if query.status:
        clauses.append("e.status = ?")
        params.append(query.status)
    if query.visitor_id is not None:
        clauses.append("e.visitor_id = ?")
        params.append(query.visitor_id)
    if query.risk_grade == "未评估":
        clauses.append("e.risk_grade IS NULL")
    elif query.risk_grade:
        if query.risk_grade not in RISK_GRADE_FILTERS:
            raise UserError(f"风险等级“{query.risk_grade}”不在可选范围：{'、'.join(RISK_GRADE_FILTERS)}")
        clauses.append("e.risk_grade = ?")
        params.append(query.risk_grade)
    for flag in query.flags:
        if flag == "独居":
            clauses.append("e.lives_alone = 1")
        elif flag == "失能":
            clauses.append("e.ability_level >= 2")
        elif flag == "无人照料":
            clauses.append("e.care = '无人照料'")
        elif flag == "高龄":
            as_of = query.as_of or dt.date.today()
            clauses.append("e.birth_date <= ?")
            params.append(latest_birth_for_age(as_of, AGED_FROM).isoformat())
    text = (query.search or "").strip()
    if text:
        folded = idnumber.normalise(text)
        like = f"%{text}%"
        parts = ["e.name LIKE ?", "e.name_initials LIKE ?"]
        params_search = [like, f"%{text.lower()}%"]
        letters = text.lower().replace(" ", "")
        if letters.isascii() and letters.isalpha():  # full pinyin, from the start of any reading: zhang, zhangd
            parts.append("(' ' || e.name_pinyin) LIKE ?")
            params_search.append(f"% {letters}%")
        if folded and folded.rstrip("X").isdigit():
            parts.append("e.id_number LIKE ?")
            params_search.append(f"%{folded}%")
            parts.append("e.phone LIKE ?")
            params_search.append(f"%{folded}%")
        clauses.append("(" + " OR ".join(parts) + ")")
        params += params_search
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_BASE = """FROM elders e JOIN villages v ON v.id = e.village_id LEFT JOIN visitors vi ON vi.id = e.visitor_id"""


def count_elders(db, query: ElderQuery) -> int:
    """How many elders ``list_elders`` would give. Only a village-name filter needs the villages table; without
    the joins the count is an index walk (30,000 elders: ~1 ms instead of ~24 ms, once per search keystroke)."""
    where, params = _where(query)
    source = _BASE if query.village else "FROM elders e"
    return db.execute(f"SELECT COUNT(*) {source}{where}", params).fetchone()[0]


def _directed(part: str, descending: bool) -> str:
    """One ORDER BY term in the asked direction; a term that is descending by nature (年龄 is birth date
    DESC) is turned round when the clerk asks for the other direction."""
    part = part.strip()
    if part.upper().endswith(" DESC"):
        return part[:-5] if descending else part
    return part + " DESC" if descending else part


def list_elders(db, query: ElderQuery | None = None, *, order_by: str = "village", descending: bool = False,
                limit: int | None = None, offset: int = 0) -> list[dict]:
    """Ledger rows (one dict each) with village, visitor and last home visit, filtered and sorted in SQL."""
    query = query or ElderQuery()
    where, params = _where(query)
    order = SORT_COLUMNS.get(order_by, SORT_COLUMNS["village"])
    order_sql = ", ".join(_directed(part, descending) for part in order.split(","))
    sql = f"""SELECT e.id, e.id_number, e.name, e.sex, e.birth_date, v.name AS village, e.group_name,
                     COALESCE(e.current_address, e.household_address) AS address, e.phone, e.status, e.tier,
                     e.risk_grade, e.care, e.lives_alone, e.ability_level, e.is_disabled, e.is_ill,
                     vi.name AS visitor, vi.phone AS visitor_phone,
                     (SELECT MAX(date) FROM live_visits vs WHERE vs.elder_id = e.id AND vs.mode = '上门') AS last_home_visit
              {_BASE}{where} ORDER BY {order_sql}, e.id"""
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, limit, offset]
    return list(db.query(sql, params))


def ledger_json(db, village: str | None = None, group: str | None = None,
                on: dt.date | None = None) -> list[dict]:
    """The ``elders --json`` shape of cli.md, each with its groups on ``on`` (today); ``group`` keeps its members."""
    from township_desk.models import groups  # reads this module

    rows = list_elders(db, ElderQuery(village=village))
    keys = ("id_number", "name", "sex", "birth_date", "village", "address", "phone", "status", "risk_grade",
            "tier", "visitor", "last_home_visit")
    verdicts = groups.memberships(db, on, [r["id"] for r in rows] if village else None)
    items = []
    for r in rows:
        names = groups.names(verdicts.get(r["id"], []))
        if group is None or group in names:
            items.append({**{k: r.get(k) for k in keys}, "groups": names})
    return items


# ---------------------------------------------------------------- eligibility (认定)


@dataclass
class Eligibility:
    holds: bool
    reasons: list[str]  # why not, in Chinese; empty when the rule holds


def _months_between(since: str, on: dt.date) -> int:
    year, month = (int(p) for p in since.split("-"))
    return (on.year - year) * 12 + (on.month - month)


# 子女外出务工年限 comes from one source, the supporters' "away since" months (the same dates eligibility reads):
# the earliest month a supporter still away left, as SQL over ``elders e``; when none is away any more (one came
# home and the elder has left the ledger since, the return undated), the earliest date written. The elder's own
# typed ``children_away_years`` is a number of one day and is not used for counting.
AWAY_SINCE_SQL = """COALESCE(
        (SELECT MIN(s.away_since) FROM supporters s WHERE s.elder_id = e.id AND s.is_away AND s.away_since IS NOT NULL),
        (SELECT MIN(s.away_since) FROM supporters s WHERE s.elder_id = e.id AND s.away_since IS NOT NULL))"""


def away_since_of(supporters: list[dict]) -> str | None:
    """``AWAY_SINCE_SQL`` over a list of supporter rows."""
    away = [s["away_since"] for s in supporters if s.get("is_away", 1) and s.get("away_since")]
    written = [s["away_since"] for s in supporters if s.get("away_since")]
    return min(away or written) if written else None


def years_away(away_since: str | None, on: dt.date) -> int | None:
    """Full years (外出务工年限, bands of columns 19–22) from the month ``away_since`` ('YYYY-MM') to ``on``;
    None when no supporter's date is known."""
    if not away_since:
        return None
    return max(_months_between(away_since, on), 0) // 12


def eligibility(elder: dict, supporters: list[dict], rules: dict, as_of: dt.date | None = None) -> Eligibility:
    """Does the policy profile's rule hold for this elder? ``rules`` is ``settings.get_all(db)``.

    Never drops anyone: the clerk reads the reasons and decides (status 已不属于留守).
    """
    as_of = as_of or dt.date.today()
    reasons = []
    min_age = int(rules.get("min_age", 60))
    if elder.get("birth_date"):
        age = age_on(elder["birth_date"], as_of)
        if age < min_age:
            reasons.append(f"未满{min_age}周岁（{as_of.isoformat()} 时 {age} 周岁）")
    if not elder.get("rural_hukou", 1):
        reasons.append("不是农村户籍")
    if rules.get("exclude_extreme_poverty") and elder.get("hardship") == "特困":
        reasons.append("农村特困人员，按所选政策不认定为留守老年人")
    min_months = int(rules.get("min_absence_months", 6))
    if not supporters:
        reasons.append("未登记赡养人，无法判断是否留守")
    for s in supporters:
        who = f"赡养人{s.get('name') or ''}"
        if rules.get("exclude_state_employers", True) and s.get("employer_type") in STATE_EMPLOYERS:
            reasons.append(f"{who}在{s['employer_type']}工作")
        if not s.get("rural_hukou", 1):
            reasons.append(f"{who}不是农村户籍")
        if not s.get("can_support", 1):
            continue  # present but without capacity to support: still left behind
        if not s.get("is_away", 1):
            reasons.append(f"{who}未外出务工且有赡养能力")
            continue
        if s.get("away_since"):
            months = _months_between(s["away_since"], as_of)
        else:
            reasons.append(f"{who}的外出时间未填写")
            continue
        if months < min_months:
            reasons.append(f"{who}外出{months}个月，不满{min_months}个月")
    return Eligibility(not reasons, reasons)


# ---------------------------------------------------------------- figures for charts

AGE_BANDS = ("60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+")


def age_sex_bands(db, as_of: dt.date) -> tuple[list[str], list[int], list[int]]:
    """Elders 在册 on ``as_of`` (their status on that day, as every dated count) by five-year age band (full
    years) and sex: (bands, men, women)."""
    men = [0] * len(AGE_BANDS)
    women = [0] * len(AGE_BANDS)
    rows = db.execute(f"SELECT birth_date, sex FROM elders e WHERE {STATUS_ON_DAY_SQL} = '在册'",
                      {"day": as_of.isoformat()})
    for birth_date, sex in rows:
        age = age_on(birth_date, as_of)
        if age < 60:
            continue
        band = min((age - 60) // 5, len(AGE_BANDS) - 1)
        (men if sex == "男" else women)[band] += 1
    return list(AGE_BANDS), men, women


def grades_by_village(db) -> list[tuple[str, int, int, int, int]]:
    """(village, 高, 中, 低, 未评估) counts of elders 在册, in the villages' order."""
    rows = db.execute(
        """SELECT v.name,
                  SUM(e.risk_grade = '高'), SUM(e.risk_grade = '中'), SUM(e.risk_grade = '低'),
                  SUM(e.risk_grade IS NULL)
           FROM villages v JOIN elders e ON e.village_id = v.id AND e.status = '在册'
           GROUP BY v.id ORDER BY v.sort_order, v.name""").fetchall()
    return [(r[0], r[1] or 0, r[2] or 0, r[3] or 0, r[4] or 0) for r in rows]
