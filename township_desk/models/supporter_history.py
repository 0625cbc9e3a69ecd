"""Supporters (赡养人) as they stood on a day (migration 14), for the groups and 重点 rules that read them.

``supporters`` holds the list in force today; ``elders.save_elder`` replaces the whole list, and each replacement
is recorded here first: a ``supporter_changes`` row taking effect on the day of the change, with the list it
replaced in ``supporter_history``. The list in force on day D is the one replaced by the earliest change taking
effect after D, or today's list when there is none — the rule of ``field_history`` for a whole list. Changes of
one elder are kept in order as there: a change is never dated before the latest one recorded.

Readers take ``rows_on_day_sql`` (a table of the supporters on the day bound to ``:day``, same columns as
``supporters``), ``on_day_sql`` (any expression over an elder's supporters, read on the day), ``all_away_sql``
(the 重点 rule's "every supporter away"), or ``supporters_on`` in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

COLUMNS = ("name", "relation", "id_number", "phone", "work_place", "away_since", "employer_type", "rural_hukou",
           "is_away", "can_support", "sort_order")


def _iso(day: dt.date | str) -> str:
    return day.isoformat() if isinstance(day, dt.date) else str(day)[:10]


def record(db, elder_id: int, before: list[dict], effective_on: dt.date | str, source: str) -> None:
    """Record that ``elder_id``'s supporters ``before`` (rows of ``supporters``, maybe none) are replaced from
    ``effective_on`` (inside the caller's transaction, before the list is replaced). Dated on the latest change
    already recorded when earlier, so the changes stay one ordered chain."""
    day = _iso(effective_on)
    latest = db.execute("SELECT MAX(effective_on) FROM supporter_changes WHERE elder_id = ?", [elder_id]).fetchone()[0]
    change = db.execute("INSERT INTO supporter_changes(elder_id, effective_on, source) VALUES (?, ?, ?)",
                        [elder_id, max(day, latest or day), source]).lastrowid
    db.conn.executemany(
        f"INSERT INTO supporter_history(change_id, elder_id, supporter_id, {', '.join(COLUMNS)})"
        f" VALUES (?, ?, ?, {', '.join('?' * len(COLUMNS))})",
        [(change, elder_id, s.get("id"), *(s.get(c) for c in COLUMNS)) for s in before])


def changed_after_day_sql(day: str = ":day", elder: str = "e") -> str:
    """SQL: were ``elders {elder}``'s supporters replaced after the day bound to ``day``? One uncorrelated
    subquery (read once per statement); nearly nobody's were, for a recent day."""
    return f"{elder}.id IN (SELECT elder_id FROM supporter_changes WHERE effective_on > {day})"


def rows_on_day_sql(day: str = ":day", elders: str | None = None) -> str:
    """A derived table of the supporters in force on the day bound to ``day`` (a named parameter): ``elder_id``,
    ``id`` and the columns of ``supporters``. Today's list for an elder with no change after the day; else the
    list the first change after the day replaced. ``elders``: an SQL list of elder ids (a subquery) to read only
    theirs (SQLite does not narrow the two halves from outside)."""
    cols = ", ".join(f"s.{c}" for c in COLUMNS)
    old = ", ".join(f"h.{c}" for c in COLUMNS)
    only_s = f" AND s.elder_id IN {elders}" if elders else ""
    only_c = f" AND c.elder_id IN {elders}" if elders else ""
    return f"""(SELECT s.elder_id, s.id, {cols} FROM supporters s
                WHERE s.elder_id NOT IN (SELECT elder_id FROM supporter_changes WHERE effective_on > {day}){only_s}
               UNION ALL
               SELECT h.elder_id, h.supporter_id AS id, {old}
               FROM supporter_changes c JOIN supporter_history h ON h.change_id = c.id
               WHERE c.effective_on > {day}{only_c} AND c.id = (
                   SELECT c2.id FROM supporter_changes c2 WHERE c2.elder_id = c.elder_id AND c2.effective_on > {day}
                   ORDER BY c2.effective_on, c2.id LIMIT 1))"""


def on_day_sql(expression: Callable[[str], str], day: str = ":day", elder: str = "e") -> str:
    """An SQL expression over ``elders {elder}``'s supporters, read as they were on the day bound to ``day`` (a
    named parameter, or a quoted date literal): ``expression(table)`` writes it over a table of supporter rows
    (``{table} s``). Today's ``supporters`` for an elder with no change after the day (nearly everyone, one
    lookup per statement), the dated list otherwise."""
    return (f"(CASE WHEN {changed_after_day_sql(day, elder)} THEN {expression(rows_on_day_sql(day))}"
            f" ELSE {expression('supporters')} END)")


def all_away_sql(day: str = ":day", elder: str = "e") -> str:
    """SQL over ``elders {elder}``: on the day bound to ``day``, the elder had supporters and every one was away
    (the 重点 rule "no family nearby", with 无人照料)."""
    def away(table: str) -> str:
        return (f"(EXISTS (SELECT 1 FROM {table} s WHERE s.elder_id = {elder}.id)"
                f" AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.elder_id = {elder}.id AND NOT s.is_away))")

    return on_day_sql(away, day, elder)


def supporters_on(db, day: dt.date | str, elder_ids: Iterable[int] | None = None) -> dict[int, list[dict]]:
    """Each elder's supporters (dicts with ``supporters``' columns) in force on ``day``, in their order; elders
    with none that day are absent. ``elder_ids``: only those."""
    only, params = "", {"day": _iso(day)}
    if elder_ids is not None:
        import json

        only = " WHERE elder_id IN (SELECT value FROM json_each(:ids))"
        params["ids"] = json.dumps(list(elder_ids))
    out: dict[int, list[dict[str, Any]]] = {}
    cursor = db.execute(f"SELECT * FROM {rows_on_day_sql()}{only} ORDER BY elder_id, sort_order, id", params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        item = dict(zip(names, row, strict=True))
        out.setdefault(item["elder_id"], []).append(item)
    return out
