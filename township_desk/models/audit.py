"""The audit log: when, what record, which field, old and new value. Written inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from township_desk.models.changes import Changes, note


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def record(db, action: str, table: str, record_id: int | None, label: str | None,
           field: str | None = None, old: Any = None, new: Any = None) -> None:
    """One entry of the audit log; it also notes the write on ``db`` (``changes.note``), so every audited writer
    says what it changed without more code (a restored ``database``: everything)."""
    if table == "database":
        note(db, Changes.everything())
    else:
        note(db, Changes.of(table, **({table: [record_id]} if record_id is not None else {})))
    db.execute(
        "INSERT INTO audit_log(action, table_name, record_id, record_label, field, old_value, new_value)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [action, table, record_id, label, field, _text(old), _text(new)],
    )


def update_changed(db, table: str, record_id: int, row: dict[str, Any], label: str, *, missing: str,
                   shown: Callable[[str, Any], Any] | None = None,
                   expected_version: int | None = None) -> dict[str, Any]:
    """Write the fields of ``row`` that differ from the stored record, with one 修改 entry each (inside the
    caller's transaction); returns them. ``missing`` is the Chinese message when the record is gone;
    ``shown(field, value)`` turns a stored value into what the log shows (a village's name for its id …).
    ``expected_version`` is the ``row_version`` the editor read: a record changed since raises ``StaleRecord``
    and nothing is written (``versions.py``)."""
    from township_desk.models import versions
    from township_desk.models.errors import UserError

    cursor = db.execute(f"SELECT * FROM [{table}] WHERE id = ?", [record_id])  # noqa: S608 - our table names
    stored = cursor.fetchone()
    if stored is None:
        raise UserError(missing)
    before = dict(zip([c[0] for c in cursor.description], stored, strict=True))
    versions.check(db, table, record_id, expected_version, missing=missing)
    changed = {k: v for k, v in row.items() if before.get(k) != v}
    if changed:
        versions.update(db, table, record_id, changed, expected_version)
        show = shown or (lambda _field, value: value)
        for key, value in changed.items():
            record(db, "修改", table, record_id, label, key, show(key, before.get(key)), show(key, value))
    return changed


def entries(db, *, table: str | None = None, record_id: int | None = None, limit: int = 1000,
            offset: int = 0) -> list[dict]:
    """Newest first."""
    where, params = [], []
    if table:
        where.append("table_name = ?")
        params.append(table)
    if record_id is not None:
        where.append("record_id = ?")
        params.append(record_id)
    sql = "SELECT * FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    cursor = db.execute(sql, [*params, limit, offset])
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]
