"""Each elder's last home visit kept in a table of its own, and a covering index for the ledger's search.

``last_home_visits`` holds, per elder with at least one home visit (上门) that counts (``live_visits``), the date of
the latest one. The overdue list, 工作量, 本月未上门 and the ledger read it (``models.last_home``) instead of a
seek per elder in the 3-million-row visits index. It is written by triggers on ``visits`` only, so no writer
(the visit form, imports, merging two records, voiding, the demo) can forget it:

- a new visit that counts and is a home visit moves the elder's date forward when it is later;
- a visit edited (date, mode, elder, voided) or deleted has its elder's (old and new) date read again from
  ``live_visits``, the one definition of what counts.

The table is filled here from the visits on file (one grouped pass over the (elder, mode, date) index).

``elders_search`` covers what the ledger's search and its filters read (``elders.queries``): counting the matches
of a keystroke walks this narrow index instead of the wide ledger rows.

Written so that running it again changes nothing.
"""

TABLE = """
CREATE TABLE IF NOT EXISTS last_home_visits (   -- kept by the triggers below; read by models.last_home
    elder_id  INTEGER PRIMARY KEY,
    date      TEXT NOT NULL
)
"""

# The elder's latest home visit that counts, read again (no row when there is none).
_REREAD = """
    DELETE FROM last_home_visits WHERE elder_id = {elder};
    INSERT INTO last_home_visits(elder_id, date)
        SELECT elder_id, MAX(date) FROM live_visits WHERE elder_id = {elder} AND mode = '上门' GROUP BY elder_id;"""

TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS visits_last_home_insert AFTER INSERT ON visits
FOR EACH ROW WHEN NEW.mode = '上门' AND EXISTS (SELECT 1 FROM live_visits lv WHERE lv.id = NEW.id)
BEGIN
    INSERT OR REPLACE INTO last_home_visits(elder_id, date)
        VALUES (NEW.elder_id, MAX(NEW.date, COALESCE((SELECT date FROM last_home_visits
                                                      WHERE elder_id = NEW.elder_id), '')));
END""",
    f"""CREATE TRIGGER IF NOT EXISTS visits_last_home_update AFTER UPDATE OF elder_id, date, mode, voided_at ON visits
FOR EACH ROW
BEGIN{_REREAD.format(elder="OLD.elder_id")}{_REREAD.format(elder="NEW.elder_id")}
END""",
    f"""CREATE TRIGGER IF NOT EXISTS visits_last_home_delete AFTER DELETE ON visits
FOR EACH ROW WHEN OLD.mode = '上门'
BEGIN{_REREAD.format(elder="OLD.elder_id")}
END""",
)

FILL = """
INSERT OR REPLACE INTO last_home_visits(elder_id, date)
    SELECT elder_id, MAX(date) FROM live_visits WHERE mode = '上门' GROUP BY elder_id"""

SEARCH_INDEX = """
CREATE INDEX IF NOT EXISTS elders_search ON elders(status, village_id, visitor_id, tier, name, name_initials,
                                                   name_pinyin, id_number, phone)"""

# What this step adds, removed: a file as version 11 left it (tests that rebuild an older file drop these first:
# the triggers read ``live_visits`` and ``visits.voided_at``, the index ``elders.phone`` and ``name_pinyin``).
UNDO = """
DROP TRIGGER IF EXISTS visits_last_home_insert; DROP TRIGGER IF EXISTS visits_last_home_update;
DROP TRIGGER IF EXISTS visits_last_home_delete; DROP TABLE IF EXISTS last_home_visits;
DROP INDEX IF EXISTS elders_search;"""


def apply(db) -> None:
    db.execute(TABLE)
    for trigger in TRIGGERS:
        db.execute(trigger)
    db.execute(FILL)
    db.execute(SEARCH_INDEX)
