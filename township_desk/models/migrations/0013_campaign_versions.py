"""Row versions for campaigns (巡访活动): their name, kind, dates and notes are edited in a dialog like every other
record, so a dialog opened before another window or program changed the campaign must not put the old values back
(``versions.update``; migration 6 gave the other edited tables theirs). Every campaign starts at version 1; the
same trigger as migration 6 moves the version on for writers that do not pass one.
"""

TRIGGER = """
CREATE TRIGGER IF NOT EXISTS campaigns_row_version AFTER UPDATE ON campaigns
FOR EACH ROW WHEN NEW.row_version IS OLD.row_version
BEGIN
    UPDATE campaigns SET row_version = OLD.row_version + 1 WHERE rowid = NEW.rowid;
END
"""


def apply(db) -> None:
    columns = {row[1] for row in db.execute("PRAGMA table_info(campaigns)").fetchall()}
    if "row_version" not in columns:  # a file whose user_version was set back by hand may have it already
        db.execute("ALTER TABLE campaigns ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1")
    db.execute(TRIGGER)
