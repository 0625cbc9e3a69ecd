"""Visitors (巡访责任人) and who is assigned to whom."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from township_desk.models import audit, field_history
from township_desk.models.errors import UserError
from township_desk.models.names import check_name, normalise_name, normalise_phone
from township_desk.models.villages import village_order

# A visitor's kind (类别, the ``role`` column): who does the visiting. Seed 003 has a 第三方机构 visit (its name is
# then required: it is what the elder and the county need to know) with the village committee assisting; seed 004
# pairs 志愿者 with elders; 网格员 since migration 11.
ROLES = ("村干部", "网格员", "民政专员", "社工", "志愿者", "亲朋邻里", "第三方机构")
THIRD_PARTY = "第三方机构"
# Elders a visitor can be assigned to: those being visited now, and those away for a while who come back.
ASSIGNABLE_STATUSES = ("在册", "暂离")


@dataclass
class VisitorSaved:
    """What ``save_visitor`` did: the visitor's id, whether it is new, and warnings to show (a doubtful phone
    number, kept as typed)."""

    visitor_id: int
    created: bool
    warnings: list[str] = field(default_factory=list)


def kind_label(role: str | None, organisation: str | None) -> str:
    """The visitor's kind as the workload and the notice card show it: 第三方机构 with the organisation's name
    (第三方机构：夕阳红社工服务中心), any other kind alone."""
    role = role or "村干部"
    organisation = (organisation or "").strip()
    if role == THIRD_PARTY and organisation:
        return f"{role}：{organisation}"
    return role


def kind_of(db, visitor_id_: int | None) -> str | None:
    """A visitor's kind as ``kind_label`` writes it, or None for no visitor (or one no longer there)."""
    if visitor_id_ is None:
        return None
    row = db.execute("SELECT role, organisation FROM visitors WHERE id = ?", [visitor_id_]).fetchone()
    return kind_label(*row) if row else None


def list_visitors(db, *, active_only: bool = True) -> list[dict]:
    # the counts in one grouped pass over the elders, not a lookup per visitor (1,260 visitors and 30,000 elders:
    # ~20 ms instead of ~100 ms; every visit form and list filter reads this)
    sql = """SELECT v.*, vi.name AS village, COALESCE(n.elder_count, 0) AS elder_count
             FROM visitors v LEFT JOIN villages vi ON vi.id = v.village_id
             LEFT JOIN (SELECT visitor_id, COUNT(*) AS elder_count FROM elders
                        WHERE status = '在册' AND visitor_id IS NOT NULL GROUP BY visitor_id) n ON n.visitor_id = v.id"""
    if active_only:
        sql += " WHERE v.active = 1"
    return list(db.query(sql + f" ORDER BY {village_order('vi')}, v.name"))  # by their village, then name


def visitor_id(db, name: str, phone: str | None = None, *, role: str = "村干部",
               village_id: int | None = None, create: bool = False) -> int | None:
    """Find a visitor by name (and phone when given); with ``create`` a missing one is added."""
    name = normalise_name(name)
    if not name:
        return None
    phone = normalise_phone(phone)[0] if phone else ""
    if phone:
        row = db.execute("SELECT id FROM visitors WHERE name = ? AND phone = ?", [name, phone]).fetchone()
    else:
        row = db.execute("SELECT id FROM visitors WHERE name = ? ORDER BY id LIMIT 1", [name]).fetchone()
    if row:
        return row[0]
    if not create:
        return None
    if role not in ROLES:
        role = "村干部"
    with db.atomic():
        cur = db.execute(
            "INSERT INTO visitors(name, phone, role, village_id) VALUES (?, ?, ?, ?)", [name, phone, role, village_id]
        )
        audit.record(db, "新增", "visitors", cur.lastrowid, name)
        return cur.lastrowid


def _village_name(db, village_id: int | None) -> str | None:
    if village_id is None:
        return None
    row = db.execute("SELECT name FROM villages WHERE id = ?", [village_id]).fetchone()
    return row[0] if row else None


def _checked(db, data: dict, visitor_id_: int | None) -> tuple[dict[str, Any], list[str]]:
    """The row to store and the warnings; UserError (naming the field and value) when it must be refused."""
    name = normalise_name(data.get("name"))
    if not name:
        raise UserError("巡访责任人姓名不能为空")
    problem = check_name(name)
    if problem:
        raise UserError(f"巡访责任人{problem}")
    phone, warning = normalise_phone(data.get("phone"))
    role = data.get("role") or "村干部"
    if role not in ROLES:
        raise UserError(f"巡访责任人类别“{role}”不在可选范围：{'、'.join(ROLES)}")
    village_id = data.get("village_id")
    if village_id is not None and _village_name(db, village_id) is None:
        raise UserError("所选的村（社区）已不存在，可能已被删除，请重新选择。")
    # The (name, phone) pair is unique in the table; say who is already there instead of a database error.
    clash = db.execute(
        "SELECT v.phone, v.active, vi.name FROM visitors v LEFT JOIN villages vi ON vi.id = v.village_id"
        " WHERE v.name = ? AND v.phone = ? AND v.id IS NOT ?", [name, phone, visitor_id_]).fetchone()
    if clash:
        their_phone, active, village = clash
        about = "，".join(x for x in (f"电话 {their_phone or '未填'}", village, None if active else "已停用") if x)
        hint = ("如需再次启用，请勾选“显示已停用的”后选中并点“重新启用”。" if not active
                else "如需修改请在列表中选中后点“修改”。")
        raise UserError(f"已有巡访责任人“{name}”（{about}），同一人不要重复登记；{hint}")
    organisation = str(data.get("organisation") or "").strip() or None
    if role == THIRD_PARTY and not organisation:
        raise UserError(f"巡访责任人“{name}”的类别是第三方机构，请在“工作单位”填写机构名称")
    row = {"name": name, "phone": phone, "role": role, "organisation": organisation, "village_id": village_id,
           "active": 1 if data.get("active", True) else 0}
    return row, [warning] if warning else []


def check_visitor(db, data: dict, visitor_id_: int | None = None) -> list[str]:
    """What ``save_visitor`` would say about ``data`` without saving: raises its UserError when it would refuse,
    returns its warnings so the window can question a doubtful phone number before saving."""
    return _checked(db, data, visitor_id_)[1]


def save_visitor(db, data: dict, visitor_id_: int | None = None, *,
                 expected_version: int | None = None) -> VisitorSaved:
    """Add a visitor (``visitor_id_`` None) or replace one's name, phone, role, organisation, village and 在岗.

    Refused with a Chinese message (UserError): no name or an impossible one, an unknown role or village, or the
    same name and phone as another visitor (naming them). A doubtful phone number is kept as typed and comes back in
    ``warnings``. Audited: 新增, or 修改 per changed field (village by name, 在岗 as 是/否).
    ``expected_version``: the ``row_version`` the window read; changed since → ``StaleRecord``, nothing saved.
    """
    with db.atomic():
        row, warnings = _checked(db, data, visitor_id_)
        name = row["name"]
        if visitor_id_ is None:
            new_id = db["visitors"].insert(row).last_pk
            audit.record(db, "新增", "visitors", new_id, name)
            return VisitorSaved(new_id, True, warnings)
        def shown(key: str, value: Any) -> Any:
            if key == "village_id":
                return _village_name(db, value)
            return bool(value) if key == "active" else value

        audit.update_changed(db, "visitors", visitor_id_, row, name, missing="找不到这位巡访责任人，可能已被删除。",
                             shown=shown, expected_version=expected_version)
        return VisitorSaved(visitor_id_, False, warnings)


def elders_for_assignment(db, village_id: int, *, only_unassigned: bool) -> list[dict]:
    """Elders of a village who can be given a visitor (在册 or 暂离) — each with id, name, id_number, visitor_id and
    ``visitor`` (the current visitor's name) — in the ledger's name order; ``only_unassigned`` leaves out those
    who have one."""
    marks = ", ".join("?" for _ in ASSIGNABLE_STATUSES)
    sql = f"""SELECT e.id, e.name, e.id_number, e.visitor_id, x.name AS visitor
              FROM elders e LEFT JOIN visitors x ON x.id = e.visitor_id
              WHERE e.village_id = ? AND e.status IN ({marks})"""
    if only_unassigned:
        sql += " AND e.visitor_id IS NULL"
    return list(db.query(sql + " ORDER BY e.name_initials, e.id", [village_id, *ASSIGNABLE_STATUSES]))


def assign_elders(db, visitor_id: int, elder_ids: Sequence[int]) -> int:
    """Make ``visitor_id`` the 巡访责任人 of these elders, all in one transaction, with one audit-log entry per elder
    whose visitor changes (old and new name). Returns how many changed. Refused, with nothing written, for a
    stopped visitor, a missing elder or one who is not 在册 or 暂离."""
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    changed = 0
    with db.atomic():
        row = db.execute("SELECT name, active FROM visitors WHERE id = ?", [visitor_id]).fetchone()
        if row is None:
            raise UserError("找不到所选的巡访责任人，可能已被修改，请重新选择。")
        new_name, active = row
        if not active:
            raise UserError(f"巡访责任人“{new_name}”已停用，不能再分配老人。")
        for elder_id in elder_ids:
            elder = db.execute(
                "SELECT e.name, e.id_number, e.status, e.visitor_id, x.name FROM elders e"
                " LEFT JOIN visitors x ON x.id = e.visitor_id WHERE e.id = ?", [elder_id]).fetchone()
            if elder is None:
                raise UserError(f"找不到编号为 {elder_id} 的老人记录，分配未进行。")
            name, id_number, status, old_id, old_name = elder
            if status not in ASSIGNABLE_STATUSES:
                raise UserError(f"{name}（{id_number}）的状态是“{status}”，只能给在册或暂离的老人分配巡访责任人，"
                                "分配未进行。")
            if old_id == visitor_id:
                continue
            db.execute("UPDATE elders SET visitor_id = ?, updated_at = ? WHERE id = ?", [visitor_id, now, elder_id])
            field_history.record(db, elder_id, [("visitor_id", old_id, visitor_id)], now[:10], "分配巡访责任人")
            audit.record(db, "修改", "elders", elder_id, f"{name} {id_number}", "visitor_id", old_name, new_name)
            changed += 1
    return changed
