"""Figures for the charts: elders by age band and sex, risk grades by village."""

from __future__ import annotations

import datetime as dt
import json

from township_desk.models.dates import age_on
from township_desk.models.elders.status import STATUS_ON_DAY_SQL
from township_desk.models.villages import VILLAGE_ORDER_SQL

AGE_BANDS = ("60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+")


def _members(db, group: str | None, on: dt.date | None) -> str | None:
    """``group``'s members on ``on`` (``models.groups``) as JSON for ``_IN_GROUP``; None for no group."""
    if group is None:
        return None
    from township_desk.models import groups  # reads this package

    return json.dumps(groups.members(db, group, on))


_IN_GROUP = "(:members IS NULL OR e.id IN (SELECT value FROM json_each(:members)))"


def age_sex_bands(db, as_of: dt.date, group: str | None = None) -> tuple[list[str], list[int], list[int]]:
    """Elders 在册 on ``as_of`` (their status on that day, as every dated count) by five-year age band (full
    years) and sex: (bands, men, women). ``group``: only that 巡访对象类别's members on ``as_of``."""
    men = [0] * len(AGE_BANDS)
    women = [0] * len(AGE_BANDS)
    rows = db.execute(f"SELECT birth_date, sex FROM elders e WHERE {STATUS_ON_DAY_SQL} = '在册' AND {_IN_GROUP}",
                      {"day": as_of.isoformat(), "members": _members(db, group, as_of)})
    for birth_date, sex in rows:
        age = age_on(birth_date, as_of)
        if age < 60:
            continue
        band = min((age - 60) // 5, len(AGE_BANDS) - 1)
        (men if sex == "男" else women)[band] += 1
    return list(AGE_BANDS), men, women


def grades_by_village(db, group: str | None = None,
                      on: dt.date | None = None) -> list[tuple[str, int, int, int, int]]:
    """(village, 高, 中, 低, 未评估) counts of elders 在册, in the villages' order; ``group``: only that 巡访对象类别's
    members on ``on`` (today)."""
    rows = db.execute(
        f"""SELECT v.name,
                   SUM(e.risk_grade = '高'), SUM(e.risk_grade = '中'), SUM(e.risk_grade = '低'),
                   SUM(e.risk_grade IS NULL)
            FROM villages v JOIN elders e ON e.village_id = v.id AND e.status = '在册' AND {_IN_GROUP}
            GROUP BY v.id ORDER BY {VILLAGE_ORDER_SQL}""", {"members": _members(db, group, on)}).fetchall()
    return [(r[0], r[1] or 0, r[2] or 0, r[3] or 0, r[4] or 0) for r in rows]
