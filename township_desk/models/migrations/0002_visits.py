"""Visits, photos, risk assessments, hazards, campaigns."""

SQL = """
CREATE TABLE campaigns (                         -- 节日/极端天气巡访
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('春节','重阳节','极端天气','其他')),
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    notes       TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE TABLE campaign_elders (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    PRIMARY KEY (campaign_id, elder_id)
);

CREATE TABLE visits (                            -- 巡访记录 (巡访登记表)
    id                 INTEGER PRIMARY KEY,
    elder_id           INTEGER NOT NULL REFERENCES elders(id),
    date               TEXT NOT NULL,            -- YYYY-MM-DD
    mode               TEXT NOT NULL CHECK (mode IN ('上门','电话','视频')),
    visitor_id         INTEGER REFERENCES visitors(id),
    visitor_name       TEXT,                     -- as signed on the form
    visit_type         TEXT CHECK (visit_type IN ('重点','普遍')),
    expression         TEXT CHECK (expression IN ('优','良','中','差')),   -- 表达能力
    mobility           TEXT CHECK (mobility IN ('优','良','中','差')),     -- 行动能力
    illness            TEXT CHECK (illness IN ('优','良','中','差')),      -- 疾病状况
    mood               TEXT CHECK (mood IN ('优','良','中','差')),         -- 情绪状态
    thinking           TEXT CHECK (thinking IN ('优','良','中','差')),     -- 思维状态
    stress             TEXT CHECK (stress IN ('优','良','中','差')),       -- 压力状态
    gas_safety         TEXT CHECK (gas_safety IN ('安全','不安全')),
    heating_safety     TEXT CHECK (heating_safety IN ('安全','不安全')),
    electric_safety    TEXT CHECK (electric_safety IN ('安全','不安全')),
    daily_care         TEXT CHECK (daily_care IN ('有人照料','无人照料')),  -- 生活照料
    comfort_need       TEXT CHECK (comfort_need IN ('有需求','无需求')),    -- 精神慰藉
    rights_need        TEXT CHECK (rights_need IN ('有需求','无需求')),     -- 权益维护
    guardianship_need  TEXT CHECK (guardianship_need IN ('有需求','无需求')),-- 安全监护
    notes              TEXT,                     -- 其他情况说明
    campaign_id        INTEGER REFERENCES campaigns(id),
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX visits_elder_date ON visits(elder_id, date);
CREATE INDEX visits_elder_mode_date ON visits(elder_id, mode, date);
CREATE INDEX visits_date ON visits(date, mode);

CREATE TABLE visit_photos (
    id             INTEGER PRIMARY KEY,
    visit_id       INTEGER NOT NULL REFERENCES visits(id),
    path           TEXT NOT NULL,                -- relative to the data folder's photos/
    original_name  TEXT
);
CREATE INDEX visit_photos_visit ON visit_photos(visit_id);

CREATE TABLE assessments (                       -- 风险等级评估
    id               INTEGER PRIMARY KEY,
    elder_id         INTEGER NOT NULL REFERENCES elders(id),
    date             TEXT NOT NULL,
    assessor         TEXT,
    factors          TEXT NOT NULL DEFAULT '[]', -- JSON list of factor labels
    suggested_grade  TEXT NOT NULL CHECK (suggested_grade IN ('高','中','低')),
    final_grade      TEXT NOT NULL CHECK (final_grade IN ('高','中','低')),
    override_reason  TEXT,
    ability_items    TEXT,                       -- JSON of the 26-item GB/T 42195-2022 scores, if done
    ability_score    INTEGER,
    ability_level    INTEGER CHECK (ability_level BETWEEN 0 AND 4),
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX assessments_elder_date ON assessments(elder_id, date);

CREATE TABLE hazards (                           -- 风险隐患
    id                 INTEGER PRIMARY KEY,
    elder_id           INTEGER NOT NULL REFERENCES elders(id),
    visit_id           INTEGER REFERENCES visits(id),
    found_on           TEXT NOT NULL,
    description        TEXT NOT NULL,
    supporter_told_on  TEXT,                     -- 第一时间向赡养人通报
    reported_on        TEXT,                     -- reported to the township
    resolved_on        TEXT,
    resolution         TEXT,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX hazards_elder ON hazards(elder_id, resolved_on);
CREATE INDEX hazards_found ON hazards(found_on);
"""


def apply(db) -> None:
    for statement in SQL.split(";"):
        if statement.strip():
            db.execute(statement)
