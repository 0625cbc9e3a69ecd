"""Saving an elder (with audit and field history), their supporters, and status changes. Nobody is deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from township_desk.models import audit, field_history, idnumber, versions, villages, visitors
from township_desk.models.dates import parse_date
from township_desk.models.elders.fields import _BOOL_FIELDS, ELDER_FIELDS
from township_desk.models.elders.validation import Problem, prepare_elder, prepare_supporters
from township_desk.models.elders.vocabulary import ABILITY_LEVELS, STATUSES
from township_desk.models.errors import UserError, ValidationError
from township_desk.models.names import full_pinyin, initials


@dataclass
class SaveResult:
    elder_id: int
    created: bool
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (label, old, new)
    warnings: list[Problem] = field(default_factory=list)

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
                from township_desk.models import supporter_history  # dated, as the fields are (field_history)

                supporter_history.record(db, elder_id, before, today, action or "修改")
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
