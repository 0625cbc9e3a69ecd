"""Visit groups (巡访对象类别): the clerk's dated corrections of an elder's groups.

An elder's groups (农村留守, 城市独居, 特殊困难, 独居, 空巢, 失能, 重残) are derived when read
(``models.groups``) from the record as it stood on the day asked (``elder_field_history``, ``status_changes``),
so a past month keeps the groups it had without storing them. Only what the record cannot say is stored: an
override per elder and group, putting the elder in (``member`` 1, with the 特殊困难 sub-kind) or out (0) of a
group from ``since`` up to the day before ``until`` (NULL: still holds), with its reason.
"""

SQL = """
CREATE TABLE IF NOT EXISTS elder_group_overrides (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    group_name  TEXT NOT NULL,
    sub_kind    TEXT,                             -- 特殊困难: 重点优抚, 计划生育特殊家庭, 其他
    member      INTEGER NOT NULL CHECK (member IN (0, 1)),
    reason      TEXT NOT NULL,
    since       TEXT NOT NULL,                    -- YYYY-MM-DD, the first day it holds
    until       TEXT,                             -- YYYY-MM-DD, the first day it no longer holds
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX IF NOT EXISTS elder_group_overrides_elder ON elder_group_overrides(elder_id, group_name, since)
"""


def apply(db) -> None:
    for statement in SQL.split(";"):
        if statement.strip():
            db.execute(statement)
