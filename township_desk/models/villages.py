"""Villages (村（社区）) of the township."""

from __future__ import annotations

from township_desk.models import audit
from township_desk.models.errors import UserError
from township_desk.models.names import normalise_name


def list_villages(db) -> list[dict]:
    return list(db.query("SELECT * FROM villages ORDER BY sort_order, name"))


def village_id(db, name: str, *, create: bool = False) -> int | None:
    """The id of a village by name; with ``create`` a missing one is added (inside the caller's transaction)."""
    name = normalise_name(name)
    if not name:
        return None
    row = db.execute("SELECT id FROM villages WHERE name = ?", [name]).fetchone()
    if row:
        return row[0]
    if not create:
        return None
    with db.atomic():
        order = db.execute("SELECT COALESCE(MAX(sort_order), 0) + 1 FROM villages").fetchone()[0]
        cur = db.execute("INSERT INTO villages(name, sort_order) VALUES (?, ?)", [name, order])
        audit.record(db, "新增", "villages", cur.lastrowid, name)
        return cur.lastrowid


def save_village(db, data: dict, village_id_: int | None = None) -> int:
    name = normalise_name(data.get("name"))
    if not name:
        raise UserError("村（社区）名称不能为空")
    fields = {k: data.get(k) for k in ("committee", "staff_name", "phone", "sort_order") if k in data}
    with db.atomic():
        clash = db.execute("SELECT id FROM villages WHERE name = ? AND id IS NOT ?", [name, village_id_]).fetchone()
        if clash:
            raise UserError(f"已有名为“{name}”的村（社区）")
        if village_id_ is None:
            return village_id(db, name, create=True) if not fields else db["villages"].insert({"name": name, **fields}).last_pk
        db["villages"].update(village_id_, {"name": name, **fields})
        audit.record(db, "修改", "villages", village_id_, name)
        return village_id_
