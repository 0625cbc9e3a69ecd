"""The ledger of elders: checking a record, saving it (with audit), status changes, queries, eligibility.

Every rule about an elder record lives in this package; the window, the importer and the command line call it
as ``elders.save_elder`` etc. The modules, by concern:

- ``vocabulary``: the choices fields allow, statuses and flags;
- ``fields``: the field table (label, kind, choices, importer headings and words) that drives the checks,
  the editor's lists and the importer;
- ``validation``: ``prepare_elder`` / ``prepare_supporters`` check and normalise what was typed;
- ``storage``: ``save_elder``, ``change_status``, supporters, reading one elder back;
- ``status``: the status an elder had on a day, as SQL (the one rule every dated count uses);
- ``queries``: the ledger list and count, filtered and sorted in SQL;
- ``eligibility_rule``: 认定 and the supporters' years away;
- ``figures``: numbers for the charts.
"""

from __future__ import annotations

from township_desk.models.elders.eligibility_rule import (
    AWAY_SINCE_SQL,
    Eligibility,
    away_since_of,
    eligibility,
    years_away,
)
from township_desk.models.elders.fields import ELDER_FIELDS, FIELD_TABLE, FIELDS, Field
from township_desk.models.elders.figures import AGE_BANDS, age_sex_bands, grades_by_village
from township_desk.models.elders.queries import (
    RISK_GRADE_FILTERS,
    SORT_COLUMNS,
    ElderQuery,
    count_elders,
    ledger_json,
    list_elders,
)
from township_desk.models.elders.status import (
    STATUS_ON_DAY_SQL,
    STATUS_PERIODS_SQL,
    STATUS_SINCE_SQL,
    status_on_day_sql,
)
from township_desk.models.elders.storage import (
    SaveResult,
    change_status,
    find_by_id_number,
    get_elder,
    health_of,
    save_elder,
    status_history,
    supporters_of,
)
from township_desk.models.elders.validation import (
    Problem,
    parse_ability_level,
    parse_bool,
    prepare_elder,
    prepare_supporters,
)
from township_desk.models.elders.vocabulary import (
    ABILITY_LEVELS,
    AGED_FROM,
    CARE,
    DISABILITY_CATEGORIES,
    DISABILITY_GRADES,
    EDUCATION,
    EMPLOYER_TYPES,
    FLAGS,
    HARDSHIP,
    INCOME,
    SPOUSE,
    STATE_EMPLOYERS,
    STATUSES,
    SUPPORTER_FIELDS,
    TIERS,
)
from township_desk.models.names import normalise_name  # callers read it as elders.normalise_name

__all__ = [
    "ABILITY_LEVELS", "AGED_FROM", "AGE_BANDS", "AWAY_SINCE_SQL", "CARE", "DISABILITY_CATEGORIES",
    "DISABILITY_GRADES", "EDUCATION", "ELDER_FIELDS", "EMPLOYER_TYPES", "FIELDS", "FIELD_TABLE", "FLAGS", "HARDSHIP", "INCOME", "RISK_GRADE_FILTERS", "SORT_COLUMNS", "SPOUSE",
    "STATE_EMPLOYERS", "STATUSES", "STATUS_ON_DAY_SQL", "STATUS_PERIODS_SQL", "STATUS_SINCE_SQL",
    "SUPPORTER_FIELDS", "TIERS", "ElderQuery", "Eligibility", "Field", "Problem", "SaveResult", "age_sex_bands",
    "away_since_of", "change_status", "count_elders", "eligibility", "find_by_id_number", "get_elder",
    "grades_by_village", "health_of", "ledger_json", "list_elders", "normalise_name", "parse_ability_level",
    "parse_bool", "prepare_elder", "prepare_supporters", "save_elder", "status_history", "status_on_day_sql",
    "supporters_of", "years_away",
]
