"""dates.required_date: the one check behind every date a clerk must give (signing, hazards, assessments …)."""

from __future__ import annotations

import datetime as dt

import pytest

from township_desk.models.dates import required_date
from township_desk.models.errors import UserError


@pytest.mark.parametrize("value", [dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 9, 30), "2026-03-05", "2026.3.5",
                                   "2026年3月5日", 46086])
def test_any_form_a_clerk_types_is_read(value):
    assert required_date(value, "签订日期") == dt.date(2026, 3, 5)


@pytest.mark.parametrize(("value", "message"), [(None, "请填写签订日期"), ("  ", "请填写签订日期"),
                                                ("2026-02-30", "签订日期：日期“2026-02-30”不存在"),
                                                ("下周一", "签订日期：无法识别日期“下周一”")])
def test_missing_or_unreadable_names_the_field(value, message):
    with pytest.raises(UserError) as caught:
        required_date(value, "签订日期")
    assert str(caught.value).startswith(message)


# ---------------------------------------------------------------- one age rule (leap day)

def test_someone_born_on_29_february_is_80_everywhere_on_their_birthday(db):
    """Age, the 高龄 risk factor and the ledger's 高龄 filter agree on 29 February (they used to differ)."""
    from conftest import make_id

    from township_desk.models import elders, risk
    from township_desk.models.dates import age_on, latest_birth_for_age

    birthday, eve = dt.date(2024, 2, 29), dt.date(2024, 2, 28)
    elder_id = elders.save_elder(db, {"name": "闰日", "id_number": make_id("19440229", 11), "village": "红星村",
                                      "entered_on": "2023-01-05"}, today=birthday).elder_id
    elder = elders.get_elder(db, elder_id)
    assert age_on(elder["birth_date"], birthday) == 80
    assert risk.AGED in risk.factors_of(elder, open_hazard=False, last_visit=None, as_of=birthday)
    on_birthday = elders.list_elders(db, elders.ElderQuery(flags=("高龄",), as_of=birthday))
    assert [r["name"] for r in on_birthday] == ["闰日"]
    # the day before, nobody says 80
    assert age_on(elder["birth_date"], eve) == 79
    assert risk.AGED not in risk.factors_of(elder, open_hazard=False, last_visit=None, as_of=eve)
    assert elders.list_elders(db, elders.ElderQuery(flags=("高龄",), as_of=eve)) == []
    # in a common year the birthday is 1 March, for the bound as for the age
    assert age_on("1944-02-29", dt.date(2025, 2, 28)) == 80  # turned 80 the year before
    assert age_on("1945-03-01", dt.date(2025, 2, 28)) == 79
    assert latest_birth_for_age(dt.date(2025, 2, 28), 80) == dt.date(1945, 2, 28)


@pytest.mark.parametrize("day", [dt.date(2024, 2, 28), dt.date(2024, 2, 29), dt.date(2024, 3, 1),
                                 dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2026, 10, 31)])
def test_the_sql_birth_bound_selects_exactly_the_ages_of_age_on(day):
    from township_desk.models.dates import age_on, latest_birth_for_age

    bound = latest_birth_for_age(day, 80)
    births = [dt.date(day.year - 81, 1, 1) + dt.timedelta(days=k) for k in range(800)]
    assert [b for b in births if b <= bound] == [b for b in births if age_on(b, day) >= 80]
