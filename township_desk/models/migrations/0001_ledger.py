"""The ledger: settings, villages, visitors, elders, supporters, status changes, audit log."""

SQL = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE villages (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,          -- 村（社区）
    committee     TEXT,                          -- 村民委员会 name as printed on agreements
    staff_name    TEXT,                          -- 村委会派出工作人员
    phone         TEXT,
    sort_order    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE visitors (                          -- 巡访责任人
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT,
    role          TEXT NOT NULL DEFAULT '村干部'
                  CHECK (role IN ('村干部','民政专员','社工','志愿者','亲朋邻里','第三方机构')),
    organisation  TEXT,
    village_id    INTEGER REFERENCES villages(id),
    active        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX visitors_name_phone ON visitors(name, phone);

CREATE TABLE elders (                            -- 留守老年人
    id                     INTEGER PRIMARY KEY,
    id_number              TEXT NOT NULL UNIQUE,  -- 18 characters, upper-case X
    name                   TEXT NOT NULL,
    name_initials          TEXT NOT NULL DEFAULT '',  -- pinyin initials, every reading, space separated
    sex                    TEXT NOT NULL CHECK (sex IN ('男','女')),
    birth_date             TEXT NOT NULL,         -- YYYY-MM-DD
    ethnicity              TEXT NOT NULL DEFAULT '汉族',
    household_address      TEXT,                  -- 户籍所在地
    current_address        TEXT,                  -- 现居住地址
    village_id             INTEGER NOT NULL REFERENCES villages(id),
    group_name             TEXT,                  -- 组
    phone                  TEXT,
    is_disabled            INTEGER NOT NULL DEFAULT 0,   -- 残疾
    disability_category    TEXT,                  -- 残疾类别
    disability_grade       TEXT,                  -- 残疾等级
    is_ill                 INTEGER NOT NULL DEFAULT 0,   -- 患病 (重特大疾病)
    illness_type           TEXT,
    ability_level          INTEGER CHECK (ability_level BETWEEN 0 AND 4),  -- GB/T 42195-2022
    has_dementia           INTEGER NOT NULL DEFAULT 0,   -- 失智
    education              TEXT CHECK (education IN ('文盲','小学','初中','高中及以上')),
    spouse                 TEXT CHECK (spouse IN ('双方健在','一方健在')),
    children_count         INTEGER,
    children_birth_years   TEXT,                  -- e.g. "1972,1975"
    children_away_years    REAL,                  -- 外出务工年限
    last_family_visit      TEXT,                  -- YYYY-MM
    reunions_per_year      INTEGER,
    reunion_avg_days       INTEGER,
    income_sources         TEXT NOT NULL DEFAULT '',     -- comma list of 打工,种养殖业,政府救助,亲朋救济,其他
    main_income            TEXT CHECK (main_income IN ('打工','种养殖业','政府救助','亲朋救济','其他')),
    care                   TEXT CHECK (care IN ('有人照料','无人照料')),
    lives_alone            INTEGER NOT NULL DEFAULT 0,   -- 独居
    hardship               TEXT NOT NULL DEFAULT '' CHECK (hardship IN ('','低保','特困','低保边缘')),
    lost_only_child        INTEGER NOT NULL DEFAULT 0,   -- 失独
    family_planning_special INTEGER NOT NULL DEFAULT 0,  -- 计划生育特殊家庭
    rural_hukou            INTEGER NOT NULL DEFAULT 1,   -- 农村户籍
    needs                  TEXT,                  -- 养老需求
    difficulties           TEXT,                  -- 存在困难问题
    visitor_id             INTEGER REFERENCES visitors(id),
    tier                   TEXT NOT NULL DEFAULT '一般' CHECK (tier IN ('重点','一般')),
    risk_grade             TEXT CHECK (risk_grade IN ('高','中','低')),  -- final grade of the latest assessment
    status                 TEXT NOT NULL DEFAULT '在册'
                           CHECK (status IN ('在册','暂离','已迁出','已去世','已不属于留守')),
    status_date            TEXT,
    status_reason          TEXT,
    entered_on             TEXT NOT NULL,         -- date the elder entered the ledger (visit plan starts)
    notes                  TEXT,
    created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime')),
    updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX elders_village ON elders(village_id, status);
CREATE INDEX elders_status ON elders(status, tier);
CREATE INDEX elders_visitor ON elders(visitor_id);
CREATE INDEX elders_name ON elders(name);

CREATE TABLE supporters (                        -- 赡养人（扶养人）
    id             INTEGER PRIMARY KEY,
    elder_id       INTEGER NOT NULL REFERENCES elders(id),
    name           TEXT NOT NULL,
    relation       TEXT,                         -- 儿子, 女儿, 儿媳 ...
    id_number      TEXT,
    phone          TEXT,
    work_place     TEXT,                         -- where they work (city)
    away_since     TEXT,                         -- YYYY-MM
    employer_type  TEXT,                         -- 企业, 个体, 机关, 事业单位, 国有企业, 务农, 其他
    rural_hukou    INTEGER NOT NULL DEFAULT 1,
    is_away        INTEGER NOT NULL DEFAULT 1,   -- away from the home county
    can_support    INTEGER NOT NULL DEFAULT 1,   -- has the capacity to support
    sort_order     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX supporters_elder ON supporters(elder_id, sort_order);

CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    elder_id    INTEGER NOT NULL REFERENCES elders(id),
    date        TEXT NOT NULL,
    old_status  TEXT,
    new_status  TEXT NOT NULL,
    reason      TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime'))
);
CREATE INDEX status_changes_elder ON status_changes(elder_id, date);
CREATE INDEX status_changes_date ON status_changes(date);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S','now','localtime')),
    action      TEXT NOT NULL,                   -- 新增, 修改, 状态变更, 导入, 恢复 ...
    table_name  TEXT NOT NULL,
    record_id   INTEGER,
    record_label TEXT,                           -- e.g. "张德福 511102195003050211"
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT
);
CREATE INDEX audit_log_record ON audit_log(table_name, record_id);
CREATE INDEX audit_log_at ON audit_log(at);
"""


def apply(db) -> None:
    for statement in SQL.split(";"):
        if statement.strip():
            db.execute(statement)
