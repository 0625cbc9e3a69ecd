"""Row versions: every record a clerk edits carries ``row_version``, so a save can tell the record changed meanwhile.

An editor keeps the version it read and saves with ``UPDATE … WHERE id = ? AND row_version = ?`` (``versions.py``);
no row changed means someone else (an import, the command line, another window) wrote the record since, and the
save is refused instead of silently putting the old values back.

Every writer must move the version on, including the ones that know nothing about it (imports, the command line,
the demo, batch assignment, a later version's own UPDATEs): an AFTER UPDATE trigger adds 1 whenever a statement
did not set ``row_version`` itself. Statements that do (the guarded saves) are left alone, so a guarded save moves
the version by exactly one. ``recursive_triggers`` is on under sqlite-utils; the trigger's own UPDATE sets a new
version, so its WHEN clause stops it there.

Settings are versioned per key (a form is refused only when one of the keys it shows was changed meanwhile);
a key never stored counts as version 0.
"""

TABLES = ("elders", "agreements", "visits", "hazards", "visitors", "villages", "settings")

TRIGGER = """
CREATE TRIGGER IF NOT EXISTS {table}_row_version AFTER UPDATE ON {table}
FOR EACH ROW WHEN NEW.row_version IS OLD.row_version
BEGIN
    UPDATE {table} SET row_version = OLD.row_version + 1 WHERE rowid = NEW.rowid;
END
"""


def apply(db) -> None:
    for table in TABLES:
        # A file whose user_version was set back by hand (or a half-restored copy) may have the column already.
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}
        if "row_version" not in columns:
            db.execute(f"ALTER TABLE {table} ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1")
        db.execute(TRIGGER.format(table=table))
