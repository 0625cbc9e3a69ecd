"""Visitors (巡访责任人) and who is assigned to whom."""

from __future__ import annotations

from township_desk.models import audit
from township_desk.models.errors import UserError
from township_desk.models.names import normalise_name, normalise_phone

ROLES = ("村干部", "民政专员", "社工", "志愿者", "亲朋邻里", "第三方机构")


def list_visitors(db, *, active_only: bool = True) -> list[dict]:
    sql = """SELECT v.*, vi.name AS village,
                    (SELECT COUNT(*) FROM elders e WHERE e.visitor_id = v.id AND e.status = '在册') AS elder_count
             FROM visitors v LEFT JOIN villages vi ON vi.id = v.village_id"""
    if active_only:
        sql += " WHERE v.active = 1"
    return list(db.query(sql + " ORDER BY vi.sort_order, v.name"))


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


def save_visitor(db, data: dict, visitor_id_: int | None = None) -> int:
    name = normalise_name(data.get("name"))
    if not name:
        raise UserError("巡访责任人姓名不能为空")
    phone, warning = normalise_phone(data.get("phone"))
    role = data.get("role") or "村干部"
    if role not in ROLES:
        raise UserError(f"巡访责任人类别“{role}”不在可选范围：{'、'.join(ROLES)}")
    row = {"name": name, "phone": phone, "role": role, "organisation": data.get("organisation"),
           "village_id": data.get("village_id"), "active": 1 if data.get("active", True) else 0}
    with db.atomic():
        if visitor_id_ is None:
            visitor_id_ = db["visitors"].insert(row).last_pk
            audit.record(db, "新增", "visitors", visitor_id_, name)
        else:
            db["visitors"].update(visitor_id_, row)
            audit.record(db, "修改", "visitors", visitor_id_, name)
    return visitor_id_
