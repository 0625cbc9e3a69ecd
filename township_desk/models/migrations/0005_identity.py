"""Identity: stamp the file as a Township Desk database and give it a UUID of its own.

``PRAGMA application_id`` marks the file as this program's (``db.APPLICATION_ID``), so a later start can refuse
another program's SQLite file before writing a byte. ``ledger_identity`` holds a UUID made once per database:
backups and locks are keyed by it, not by the file's name (two ledgers both called township_desk.db are
two ledgers).
"""

import datetime as dt
import uuid

SQL = """
CREATE TABLE ledger_identity (
    uuid        TEXT NOT NULL,
    created_at  TEXT NOT NULL
)
"""


def apply(db) -> None:
    from township_desk.models.db import APPLICATION_ID

    db.execute(SQL)
    db.execute(
        "INSERT INTO ledger_identity (uuid, created_at) VALUES (?, ?)",
        [str(uuid.uuid4()), dt.datetime.now().isoformat(timespec="seconds")],
    )
    db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
