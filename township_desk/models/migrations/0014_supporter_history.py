"""Supporters dated: the lists of 赡养人 an elder had before each change, so a past day reads the supporters of then.

An elder's supporters are saved as a list that replaces the one before (``elders.save_elder``); the groups that
read them (农村留守, 城市独居, 空巢; the 重点 rule "no family nearby") read them as they stood on the day asked
(``models.supporter_history``). Each replacement is a ``supporter_changes`` row (taking effect on
``effective_on``) holding the list it replaced in ``supporter_history`` (no rows: there was none). The table
``supporters`` keeps the list in force today, as before. Nothing existing is changed: what a record holds now
is taken to have held before, as migration 8 did for the other fields.
"""

SQL = """
CREATE TABLE IF NOT EXISTS supporter_changes (
    id            INTEGER PRIMARY KEY,
    elder_id      INTEGER NOT NULL REFERENCES elders(id),
    effective_on  TEXT NOT NULL,                  -- YYYY-MM-DD, the first day the new list held
    source        TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX IF NOT EXISTS supporter_changes_day ON supporter_changes(effective_on, elder_id);
CREATE INDEX IF NOT EXISTS supporter_changes_elder ON supporter_changes(elder_id, effective_on);
CREATE TABLE IF NOT EXISTS supporter_history (   -- the supporters replaced by a change, as they were
    id             INTEGER PRIMARY KEY,
    change_id      INTEGER NOT NULL REFERENCES supporter_changes(id),
    elder_id       INTEGER NOT NULL,
    supporter_id   INTEGER,                       -- its id in supporters then
    name           TEXT NOT NULL,
    relation       TEXT,
    id_number      TEXT,
    phone          TEXT,
    work_place     TEXT,
    away_since     TEXT,
    employer_type  TEXT,
    rural_hukou    INTEGER NOT NULL DEFAULT 1,
    is_away        INTEGER NOT NULL DEFAULT 1,
    can_support    INTEGER NOT NULL DEFAULT 1,
    sort_order     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS supporter_history_change ON supporter_history(change_id)
"""


def apply(db) -> None:
    for statement in SQL.split(";"):
        if statement.strip():
            db.execute(statement)
