"""Row versions (migration 6): a save refuses to overwrite a record that changed after the editor read it.

An editor keeps the ``row_version`` of the record it showed and hands it to the model's save function as
``expected_version``. The save writes with ``UPDATE … SET …, row_version = row_version + 1 WHERE id = ? AND
row_version = ?``; when no row matches, someone else wrote the record meanwhile and ``StaleRecord`` is raised with
nothing saved. Writers that do not know the version (imports, the command line, the demo) still move it on:
a trigger adds 1 to ``row_version`` on every other UPDATE (see the migration).
"""

from __future__ import annotations

from typing import Any

from township_desk.models.errors import StaleRecord, UserError

VERSIONED = ("elders", "agreements", "visits", "hazards", "visitors", "villages", "settings", "campaigns")


def _key(table: str) -> str:
    return "key" if table == "settings" else "id"


def current(db, table: str, record_id: Any) -> int | None:
    """The stored version of a record; None when there is no such record (a settings key never stored: 0)."""
    row = db.execute(f"SELECT row_version FROM [{table}] WHERE [{_key(table)}] = ?",  # noqa: S608 - our names
                     [record_id]).fetchone()
    if row is None:
        return 0 if table == "settings" else None
    return row[0]


def _last_change(db, table: str, record_id: Any) -> str:
    """The record and its latest entry in the audit log (settings: the key's label), for the refusal."""
    if table == "settings":
        from township_desk.models.settings import LABELS

        found = db.execute("SELECT at, action FROM audit_log WHERE table_name = 'settings' AND field = ?"
                           " ORDER BY id DESC LIMIT 1", [record_id]).fetchone()
        label = LABELS.get(record_id, record_id)
        return f"“{label}”" + (f"，最近一次：{found[0]} {found[1]}" if found else "")
    found = db.execute("SELECT at, action, record_label FROM audit_log WHERE table_name = ? AND record_id = ?"
                       " ORDER BY id DESC LIMIT 1", [table, record_id]).fetchone()
    if found is None:
        return ""
    # the log's latest entry: a writer that keeps no log (a script) leaves an older one, hence "最近一次"
    return f"{found[2]}，最近一次：{found[0]} {found[1]}" if found[2] else f"最近一次：{found[0]} {found[1]}"


def stale(db, table: str, record_id: Any) -> StaleRecord:
    """The refusal for a record changed since the editor read it, naming the record and its last change."""
    about = _last_change(db, table, record_id)
    what = "这项设置" if table == "settings" else "这条记录"
    return StaleRecord(f"{what}在您打开之后已被修改（{about or '被其他程序或窗口修改'}），为免覆盖别人的修改，"
                       "没有保存。请重新载入后再改。", table, record_id)


def check(db, table: str, record_id: Any, expected_version: int | None, *, missing: str | None = None) -> None:
    """Raise ``StaleRecord`` unless the record is still at ``expected_version`` (None: the caller does not know it,
    nothing is checked). A record that is gone raises ``UserError(missing)``. Call inside the save's transaction."""
    if expected_version is None:
        return
    stored = current(db, table, record_id)
    if stored is None:
        raise UserError(missing or "这条记录已不存在，可能已被删除。")
    if stored != expected_version:
        raise stale(db, table, record_id)


def update(db, table: str, record_id: Any, values: dict[str, Any], expected_version: int | None) -> None:
    """``UPDATE table SET values…`` for one record; with ``expected_version`` only if the record is still at that
    version (``StaleRecord`` otherwise, nothing written), moving it on by one. Without it the trigger moves it."""
    if not values and expected_version is None:
        return
    key = _key(table)
    sets = ", ".join(f"[{column}] = ?" for column in values)
    params = list(values.values())
    if expected_version is None:
        db.execute(f"UPDATE [{table}] SET {sets} WHERE [{key}] = ?", [*params, record_id])  # noqa: S608
        return
    sets = f"{sets}, row_version = row_version + 1" if sets else "row_version = row_version + 1"
    cursor = db.execute(f"UPDATE [{table}] SET {sets} WHERE [{key}] = ? AND row_version = ?",  # noqa: S608
                        [*params, record_id, expected_version])
    if cursor.rowcount == 0:
        raise stale(db, table, record_id)
