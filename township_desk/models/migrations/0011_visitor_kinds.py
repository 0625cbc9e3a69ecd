"""Visitor kinds (巡访责任人类别): 网格员 joins the kinds a visitor may be.

Seed 003 has a third-party organisation (第三方机构) visit and the village committee assist; seed 004 pairs
volunteers (志愿者) with elders; townships also send their grid workers (网格员). The kind is the visitors'
``role`` column, whose CHECK constraint (migration 1) did not allow 网格员; SQLite cannot change a constraint in
place, so the table is rebuilt with the wider one and every visitor kept as they were: id, name, phone, kind,
organisation, village, 在岗 and row version (the elders and visits pointing at them keep pointing at the same ids).
A visitor never given a kind was stored as 村干部 (the column's default), which stays their kind.

The rebuild runs inside the migration's transaction with the connection's foreign keys on: the old table is
copied aside and dropped, which leaves the elders' and visits' references dangling for a moment; with
``defer_foreign_keys`` those are counted instead of refused, and putting the same ids back into ``visitors``
settles every one of them before the transaction commits (a visitor missing would make the commit fail).
"""

ROLES = ("村干部", "网格员", "民政专员", "社工", "志愿者", "亲朋邻里", "第三方机构")
COLUMNS = ("id", "name", "phone", "role", "organisation", "village_id", "active", "row_version")

TABLE = f"""
CREATE TABLE visitors (                          -- 巡访责任人
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    phone         TEXT,
    role          TEXT NOT NULL DEFAULT '村干部'
                  CHECK (role IN ({", ".join(f"'{r}'" for r in ROLES)})),
    organisation  TEXT,                          -- 第三方机构: the organisation's name; others: 工作单位
    village_id    INTEGER REFERENCES villages(id),
    active        INTEGER NOT NULL DEFAULT 1,
    row_version   INTEGER NOT NULL DEFAULT 1
)
"""

INDEX = "CREATE UNIQUE INDEX visitors_name_phone ON visitors(name, phone)"

TRIGGER = """
CREATE TRIGGER IF NOT EXISTS visitors_row_version AFTER UPDATE ON visitors
FOR EACH ROW WHEN NEW.row_version IS OLD.row_version
BEGIN
    UPDATE visitors SET row_version = OLD.row_version + 1 WHERE rowid = NEW.rowid;
END
"""


def apply(db) -> None:
    columns = ", ".join(COLUMNS)
    db.execute("PRAGMA defer_foreign_keys = ON")  # ends with the transaction
    db.execute("DROP TABLE IF EXISTS visitors_before_kinds")
    db.execute(f"CREATE TABLE visitors_before_kinds AS SELECT {columns} FROM visitors")
    # Dropping the table and putting the rows back checks, for each visitor, the visits and elders pointing at it
    # (foreign keys): without an index on visits.visitor_id each check reads every visit, and a year of visits at
    # 30,000 elders (3 million) made this step run for over 20 minutes. The index stays (the workload reads it).
    db.execute("CREATE INDEX IF NOT EXISTS visits_visitor ON visits(visitor_id)")
    db.execute("DROP TABLE visitors")  # its index and trigger go with it
    db.execute(TABLE)
    db.execute(f"INSERT INTO visitors({columns}) SELECT {columns} FROM visitors_before_kinds ORDER BY id")
    db.execute("DROP TABLE visitors_before_kinds")
    db.execute(INDEX)
    db.execute(TRIGGER)
