"""The audit log: when, what record, which field, old and new value. Written inside the caller's transaction."""

from __future__ import annotations

from typing import Any


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def record(db, action: str, table: str, record_id: int | None, label: str | None,
           field: str | None = None, old: Any = None, new: Any = None) -> None:
    db.execute(
        "INSERT INTO audit_log(action, table_name, record_id, record_label, field, old_value, new_value)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [action, table, record_id, label, field, _text(old), _text(new)],
    )


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
