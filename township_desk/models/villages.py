"""Villages (村（社区）) of the township."""

from __future__ import annotations

from typing import Any

from township_desk.models import audit
from township_desk.models.errors import UserError
from township_desk.models.names import normalise_name, normalise_phone

# The fields of a village besides its name, in the dialog's order.
VILLAGE_FIELDS = ("committee", "staff_name", "phone", "sort_order")


def village_order(alias: str = "v", *, columns: tuple[str, str] = ("sort_order", "name")) -> str:
    """The township's order of villages (排列顺序, then name) as ORDER BY terms: every query listing elders, visits,
    hazards … by village orders by this and by nothing else. ``alias`` is how the query joined ``villages``;
    ``columns`` are the two columns' names where an inner query passed them on under others (rows of a subquery
    ``m`` with ``v.sort_order AS village_order, v.name AS village``: ``village_order("m", columns=("village_order",
    "village"))``; ``alias=""`` for bare names)."""
    prefix = f"{alias}." if alias else ""
    return f"{prefix}{columns[0]}, {prefix}{columns[1]}"


# The same for villages joined as ``v``, the usual alias.
VILLAGE_ORDER_SQL = village_order()


def list_villages(db) -> list[dict]:
    """Every village, in the township's order."""
    return list(db.query(f"SELECT * FROM villages v ORDER BY {VILLAGE_ORDER_SQL}"))


def names_in_order(db) -> list[str]:
    """The villages' names in the township's order: the rows of every per-village table and chart."""
    return [r[0] for r in db.execute(f"SELECT v.name FROM villages v ORDER BY {VILLAGE_ORDER_SQL}")]


def villages_with_counts(db) -> list[dict]:
    """Every village in the township's order, each with ``on_ledger`` (elders 在册), ``all_elders`` (on the ledger
    whatever the status, which keeps it from being deleted) and ``visitor_count`` (its visitors, stopped ones too)."""
    return list(db.query(
        """SELECT v.*,
                  (SELECT COUNT(*) FROM elders e WHERE e.village_id = v.id AND e.status = '在册') AS on_ledger,
                  (SELECT COUNT(*) FROM elders e WHERE e.village_id = v.id) AS all_elders,
                  (SELECT COUNT(*) FROM visitors x WHERE x.village_id = v.id) AS visitor_count
           FROM villages v ORDER BY """ + VILLAGE_ORDER_SQL))


def next_sort_order(db) -> int:
    """The order number a new village gets: after every village there is."""
    return db.execute("SELECT COALESCE(MAX(sort_order), 0) + 1 FROM villages").fetchone()[0]


def require(db, name: str) -> None:
    """A Chinese ``UserError`` when no village of the ledger has this name (a name typed for a filter or a batch)."""
    if db.execute("SELECT 1 FROM villages WHERE name = ?", [name]).fetchone() is None:
        raise UserError(f"台账中没有名为“{name}”的村（社区）")


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
        cur = db.execute("INSERT INTO villages(name, sort_order) VALUES (?, ?)", [name, next_sort_order(db)])
        audit.record(db, "新增", "villages", cur.lastrowid, name)
        return cur.lastrowid


def _checked(db, data: dict, village_id_: int | None) -> tuple[dict[str, Any], list[str]]:
    """The row to store (name and staff member trimmed, phone digits kept) and the warnings; UserError if refused."""
    name = normalise_name(data.get("name"))
    if not name:
        raise UserError("村（社区）名称不能为空")
    if len(name) > 30:
        raise UserError(f"村（社区）名称“{name[:30]}…”过长，请核对")
    clash = db.execute("SELECT id FROM villages WHERE name = ? AND id IS NOT ?", [name, village_id_]).fetchone()
    if clash:
        raise UserError(f"已有名为“{name}”的村（社区）")
    row: dict[str, Any] = {"name": name}
    warnings: list[str] = []
    if "committee" in data:
        row["committee"] = str(data["committee"] or "").strip() or None
    if "staff_name" in data:
        row["staff_name"] = normalise_name(data["staff_name"]) or None
    if "phone" in data:
        phone, warning = normalise_phone(data["phone"])
        row["phone"] = phone or None
        if warning:
            warnings.append(warning)
    if "sort_order" in data and data["sort_order"] is not None:
        try:
            row["sort_order"] = int(data["sort_order"])
        except (TypeError, ValueError):
            raise UserError(f"排列顺序“{data['sort_order']}”不是整数") from None
    return row, warnings


def check_village(db, data: dict, village_id_: int | None = None) -> list[str]:
    """What ``save_village`` would say about ``data`` without saving: raises its UserError when it would refuse,
    returns its warnings (a doubtful phone number) so the window can question them before saving."""
    return _checked(db, data, village_id_)[1]


def save_village(db, data: dict, village_id_: int | None = None, *, expected_version: int | None = None) -> int:
    """Add a village (``village_id_`` None) or change one; returns its id. The name is required and unique; the
    staff member's name is trimmed and the phone keeps its digits (a doubtful one is kept as typed — see
    ``check_village``). A new village without ``sort_order`` goes last. Audited: 新增, or 修改 per changed field.
    ``expected_version``: the ``row_version`` the dialog read; changed since → ``StaleRecord``, nothing saved."""
    with db.atomic():
        row, _warnings = _checked(db, data, village_id_)
        name = row["name"]
        if village_id_ is None:
            row.setdefault("sort_order", next_sort_order(db))
            new_id = db["villages"].insert(row).last_pk
            audit.record(db, "新增", "villages", new_id, name)
            return new_id
        audit.update_changed(db, "villages", village_id_, row, name, missing="找不到这个村（社区），可能已被删除。",
                             expected_version=expected_version)
        return village_id_


def delete_village(db, village_id: int) -> None:
    """Remove a village added by mistake. Refused (``UserError``) while any elder — whatever the status — or any
    visitor belongs to it: nothing on the ledger is ever deleted. Audited (删除)."""
    with db.atomic():
        row = db.execute("SELECT name FROM villages WHERE id = ?", [village_id]).fetchone()
        if row is None:
            raise UserError("找不到这个村（社区），可能已被删除。")
        name = row[0]
        count = db.execute("SELECT COUNT(*) FROM elders WHERE village_id = ?", [village_id]).fetchone()[0]
        if count:
            raise UserError(f"“{name}”的台账中有 {count} 位老人（含已迁出、已去世的），不能删除。"
                            "村名写错了请用“修改”改正。")
        helpers = db.execute("SELECT COUNT(*) FROM visitors WHERE village_id = ?", [village_id]).fetchone()[0]
        if helpers:
            raise UserError(f"有 {helpers} 位巡访责任人（含已停用的）属于“{name}”，请先把他们改到其他村（社区）再删除。")
        db.execute("DELETE FROM villages WHERE id = ?", [village_id])
        audit.record(db, "删除", "villages", village_id, name)


# A village (村) has a 村民委员会 (村委会); a community (社区) has a 居民委员会 (居委会).
VILLAGE_COMMITTEE = ("村民委员会", "村委会")
COMMUNITY_COMMITTEE = ("居民委员会", "居委会")


def committee_kind(village: str | None, committee: str | None = None) -> tuple[str, str]:
    """The kind of committee a village has, as (full name, short name): ("居民委员会", "居委会") for a 社区,
    ("村民委员会", "村委会") for a 村. Taken from the committee's own name when it says (青山社区居民委员会,
    场镇居委会), else from the village's name (…社区 is a community)."""
    name = (committee or "").strip()
    if name.endswith(COMMUNITY_COMMITTEE):
        return COMMUNITY_COMMITTEE
    if name.endswith(VILLAGE_COMMITTEE):
        return VILLAGE_COMMITTEE
    return COMMUNITY_COMMITTEE if (village or "").strip().endswith("社区") else VILLAGE_COMMITTEE


def committee_name(village: str, committee: str | None = None) -> str:
    """The committee's name as printed: the one on file, else the village's name with its kind of committee
    (青山村村民委员会, 场镇社区居民委员会)."""
    return (committee or "").strip() or f"{village}{committee_kind(village)[0]}"
