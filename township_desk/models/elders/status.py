"""The status an elder had on a day, as SQL: the one rule every dated count uses."""

# The status an elder had on a day, as SQL over ``elders e``: the latest ``status_changes`` row on or before the
# day; a record that never had one (written by an older version) has its current status once entered. Every
# "as at a date" count (the monthly report, the visit plan) uses these two expressions and no other rule.
def status_on_day_sql(elder: str = "e", day: str = ":day") -> str:
    """``STATUS_ON_DAY_SQL`` over another row source ``elder`` (with columns id, entered_on, status) and day
    expression (e.g. a visit's ``vs.date``)."""
    return f"""COALESCE(
        (SELECT sc.new_status FROM status_changes sc
          WHERE sc.elder_id = {elder}.id AND sc.date <= {day} ORDER BY sc.date DESC, sc.id DESC LIMIT 1),
        CASE WHEN {elder}.entered_on <= {day}
              AND NOT EXISTS (SELECT 1 FROM status_changes x WHERE x.elder_id = {elder}.id) THEN {elder}.status END)"""


STATUS_ON_DAY_SQL = status_on_day_sql()

# The same rule as periods, for counting many days at once (a year of month ends): one row per status an elder
# held, from ``since`` up to the day before ``until`` (NULL: holds it still). A status held on day D is the row
# with since <= D and (until IS NULL OR until > D); of two changes on one day the later one holds, as above.
STATUS_PERIODS_SQL = """
    SELECT sc.elder_id, sc.new_status AS status, sc.date AS since,
           LEAD(sc.date) OVER (PARTITION BY sc.elder_id ORDER BY sc.date, sc.id) AS until
    FROM status_changes sc
    UNION ALL
    SELECT e.id, e.status, e.entered_on, NULL FROM elders e
    WHERE NOT EXISTS (SELECT 1 FROM status_changes x WHERE x.elder_id = e.id)"""

# The day that status began (the visit plan restarts then, e.g. on the return from 暂离).
STATUS_SINCE_SQL = """COALESCE(
        (SELECT sc.date FROM status_changes sc
          WHERE sc.elder_id = e.id AND sc.date <= :day ORDER BY sc.date DESC, sc.id DESC LIMIT 1),
        CASE WHEN e.entered_on <= :day
              AND NOT EXISTS (SELECT 1 FROM status_changes x WHERE x.elder_id = e.id)
             THEN MAX(e.entered_on, COALESCE(e.status_date, e.entered_on)) END)"""
