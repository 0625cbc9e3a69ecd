"""Visits can be voided (作废): when, by whom and why; a voided visit stays on file but no longer counts.

``live_visits`` is the one place that says which visits count: every figure (the overdue rule, the month's
visit rate and workbook, workload, charts, campaigns, printing) reads visits through it, so a voided visit cannot
be counted by a query that forgot a condition. The indexes those queries use become partial indexes over the
visits that count (SQLite uses them through the view); each holds every column the counts read and ends with
``voided_at``, so that it covers the view's condition and a count never reads the table (30,000 elders and 2.4
million visits; tests/test_schedule.py checks the query plans).
``visits_elder_date`` stays whole for an elder's history, which shows voided visits too.

Written so that running it on a database that already has it changes nothing (steps may be merged in another
order while the program is developed in parallel).
"""

COLUMNS = {
    "voided_at": "TEXT",     # when it was voided (YYYY-MM-DD HH:MM:SS); NULL: the visit counts
    "voided_by": "TEXT",     # who voided it (as typed by the clerk)
    "void_reason": "TEXT",   # why (required when voiding)
}

SQL = """
CREATE VIEW IF NOT EXISTS live_visits AS SELECT * FROM visits WHERE voided_at IS NULL;
DROP INDEX IF EXISTS visits_elder_mode_date;
CREATE INDEX visits_elder_mode_date ON visits(elder_id, mode, date, voided_at) WHERE voided_at IS NULL;
DROP INDEX IF EXISTS visits_date;
CREATE INDEX visits_date ON visits(date, mode, elder_id, visitor_id, voided_at) WHERE voided_at IS NULL;
DROP INDEX IF EXISTS visits_live_elder_date;
CREATE INDEX visits_live_elder_date ON visits(elder_id, date, mode, voided_at) WHERE voided_at IS NULL
"""


def apply(db) -> None:
    have = {row[1] for row in db.execute("PRAGMA table_info(visits)")}
    for name, kind in COLUMNS.items():
        if name not in have:
            db.execute(f"ALTER TABLE visits ADD COLUMN {name} {kind}")
    for statement in SQL.split(";"):
        if statement.strip():
            db.execute(statement)
