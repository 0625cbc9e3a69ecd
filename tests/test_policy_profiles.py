"""Policy profiles (认定政策): the four texts' values, the 特困 exclusion, and when the first start asks."""

from __future__ import annotations

import datetime as dt

import pytest

from township_desk.models import elders, settings, villages

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(("name", "months", "state", "poverty"), [
    ("宁波", 6, True, False), ("辽宁", 12, True, False), ("重庆", 6, False, False), ("四川·峨眉山", 6, False, True)])
def test_each_profile_carries_the_values_of_its_text(db, name, months, state, poverty):
    settings.apply_profile(db, name)
    values = settings.get_all(db)
    assert (values["policy_profile"], values["min_age"], values["min_absence_months"]) == (name, 60, months)
    assert (values["exclude_state_employers"], values["exclude_extreme_poverty"]) == (state, poverty)


def test_emeishan_excludes_rural_extreme_poverty_and_chongqing_state_employers_do_not_count(db):
    son = {"name": "张小明", "away_since": "2025-01", "employer_type": "事业单位"}
    poor = {"birth_date": "1945-03-12", "hardship": "特困"}
    settings.apply_profile(db, "四川·峨眉山")
    verdict = elders.eligibility(poor, [son], settings.get_all(db), TODAY)
    assert verdict.reasons == ["农村特困人员，按所选政策不认定为留守老年人"]
    settings.apply_profile(db, "重庆")
    assert elders.eligibility(poor, [son], settings.get_all(db), TODAY).holds
    settings.apply_profile(db, "宁波")
    assert elders.eligibility(poor, [son], settings.get_all(db), TODAY).reasons == ["赡养人张小明在事业单位工作"]


def test_a_new_empty_ledger_asks_once_until_a_profile_is_chosen(db):
    assert settings.profile_needs_choice(db)
    assert settings.profile_needs_choice(db)  # not chosen yet: asked again at the next start
    settings.apply_profile(db, "重庆")
    assert not settings.profile_needs_choice(db)
    assert settings.get(db, "policy_profile") == "重庆"


def test_an_existing_ledger_is_never_asked_and_keeps_its_profile(db):
    villages.save_village(db, {"name": "青山村"})
    assert not settings.profile_needs_choice(db)
    assert db.execute("SELECT value FROM settings WHERE key = 'policy_profile'").fetchone()[0] == '"宁波"'
    assert settings.get_all(db)["min_absence_months"] == 6
