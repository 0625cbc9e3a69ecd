"""An elder's last home visit (上门) that counts, as SQL: the one place the lists read it from.

The plain definition is the latest home visit in ``live_visits`` (on or before a day). At 30,000 elders and 3
million visits that is a seek per elder in the visits index on every refresh of the overdue list, 工作量 and
本月未上门, so each elder's latest home visit is kept in ``last_home_visits`` (migration 12: written by triggers on
``visits``, never by the program itself). The kept date is the latest of all the elder's home visits:

- on or before the day asked, it is the latest on or before that day too (every home visit is on or before it);
- after the day asked (a past day, or a visit dated later), the day's answer is looked up in the visits as before;
- no row: the elder has no home visit that counts, on any day.

So the answer is the plain definition's on every day (tests/test_speed_last_home.py compares them on the demo).
"""

from __future__ import annotations


def plain_sql(day: str | None = ":day", elder: str = "e.id") -> str:
    """The plain definition: the latest home visit of ``elder`` (an SQL expression) in ``live_visits``, on or
    before ``day`` (an SQL expression or parameter; None: any day)."""
    until = f" AND vs.date <= {day}" if day is not None else ""
    return (f"(SELECT MAX(vs.date) FROM live_visits vs WHERE vs.elder_id = {elder} AND vs.mode = '上门'{until})")


def on_day_sql(day: str | None = ":day", elder: str = "e.id") -> str:
    """The same answer as ``plain_sql`` read from the kept date (the lookup in the visits only when the kept date
    lies after ``day``). ``day`` is used twice: a named parameter or an expression, not "?"."""
    if day is None:
        return f"(SELECT k.date FROM last_home_visits k WHERE k.elder_id = {elder})"
    return (f"(SELECT CASE WHEN k.date <= {day} THEN k.date ELSE {plain_sql(day, elder)} END"
            f" FROM last_home_visits k WHERE k.elder_id = {elder})")
