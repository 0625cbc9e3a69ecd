"""Months sent to the county: the dated history of elders' fields, and what was sent.

``elder_field_history`` — one row per change of an elder's field (old value, new value, the day it takes
effect), so that a month is counted from the facts on its last day (``models.field_history``). The value
columns have no declared type, so a number stays a number and a text stays text. History begins here:
before it, a field is taken to have held its present value, except risk grade, tier and ability level,
rebuilt from the dated assessments.

``monthly_submissions`` — every month submitted (上报) or resent corrected (更正): when, by whom, the file's
SHA-256, the reason of a correction, and the workbook's cell values per sheet as JSON (``payload``), from
which a later export of that month is written again, cell for cell.
"""

import datetime as dt
import json

SQL = """
CREATE TABLE IF NOT EXISTS elder_field_history (
    id            INTEGER PRIMARY KEY,
    elder_id      INTEGER NOT NULL REFERENCES elders(id),
    field         TEXT NOT NULL,
    old_value,
    new_value,
    effective_on  TEXT NOT NULL,                 -- YYYY-MM-DD, the first day the new value holds
    source        TEXT,                          -- 修改, 导入, 风险评估, 分配巡访责任人, 迁移…
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX IF NOT EXISTS elder_field_history_elder ON elder_field_history(elder_id, field, effective_on);
CREATE INDEX IF NOT EXISTS elder_field_history_day ON elder_field_history(effective_on);

CREATE TABLE IF NOT EXISTS monthly_submissions (
    id            INTEGER PRIMARY KEY,
    month         TEXT NOT NULL,                 -- YYYY-MM
    kind          TEXT NOT NULL CHECK (kind IN ('上报','更正')),
    submitted_at  TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    file_name     TEXT,
    reason        TEXT,
    payload       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS monthly_submissions_month ON monthly_submissions(month, id)
"""


def apply(db) -> None:
    from township_desk.models import field_history

    for statement in SQL.split(";"):
        if statement.strip():
            db.execute(statement)
    tiers = {key: json.loads(value) for key, value in
             db.execute("SELECT key, value FROM settings WHERE key LIKE 'tier_for_%'")}
    tier_for = {"高": tiers.get("tier_for_high", "重点"), "中": tiers.get("tier_for_medium", "重点"),
                "低": tiers.get("tier_for_low", "一般")}
    field_history.backfill_from_assessments(db, dt.date.today(), tier_for)
