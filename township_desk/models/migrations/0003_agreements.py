"""Mutual-aid care agreements (农村居家互助养老协议书, seed 002 attachments 3 and 4)."""

SQL = """
CREATE TABLE agreements (
    id                  INTEGER PRIMARY KEY,
    elder_id            INTEGER NOT NULL REFERENCES elders(id),
    template            TEXT NOT NULL CHECK (template IN ('自理','介助介护')),
    status              TEXT NOT NULL DEFAULT '草稿' CHECK (status IN ('草稿','已签订','已到期','已解除')),
    -- 甲方（委托人）
    party_a_supporter_id INTEGER REFERENCES supporters(id),
    party_a_name        TEXT,
    party_a_id_number   TEXT,
    party_a_relation    TEXT,
    party_a_address     TEXT,
    party_a_phone       TEXT,
    -- 乙方（受托人）
    party_b_name        TEXT,
    party_b_id_number   TEXT,
    party_b_address     TEXT,
    party_b_phone       TEXT,
    -- 被助养老人
    elder_address       TEXT,
    elder_phone         TEXT,
    -- 村民委员会（监督见证代表）
    committee_name      TEXT,
    committee_staff     TEXT,
    -- terms
    term_years          REAL,
    start_date          TEXT,
    end_date            TEXT,
    service_place       TEXT,
    hours_from          TEXT,                   -- 从 时
    hours_to            TEXT,                   -- 至 时
    hours_per_day       REAL,                   -- 或每天 小时
    fee                 TEXT,                   -- amount as agreed, e.g. "每月800元"
    other_terms         TEXT,                   -- 其他约定: payment amount, method, time
    signed_on           TEXT,
    terminated_on       TEXT,
    terminated_by       TEXT CHECK (terminated_by IN ('甲方','乙方','双方','被助养老人','村委会')),
    termination_reason  TEXT,
    renewed_from_id     INTEGER REFERENCES agreements(id),
    scan_path           TEXT,                   -- relative to the data folder
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX agreements_elder ON agreements(elder_id);
CREATE INDEX agreements_status_end ON agreements(status, end_date);
"""


def apply(db) -> None:
    for statement in SQL.split(";"):
        if statement.strip():
            db.execute(statement)
