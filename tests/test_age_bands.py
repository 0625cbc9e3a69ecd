"""``elders.age_sex_bands`` counts by the one status-on-a-day rule (``elders.STATUS_ON_DAY_SQL``) and by full
years; each test fails with a band off by one or with another status rule."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_id
from township_desk.models import elders, villages

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def town(db):
    villages.save_village(db, {"name": "青山村"})
    return db


def _add(db, name, birth, seq, entered="2026-01-01"):
    return elders.save_elder(db, {"name": name, "id_number": make_id(birth, seq), "village": "青山村",
                                  "entered_on": entered}, today=TODAY).elder_id


def _counted(db, day):
    bands, men, women = elders.age_sex_bands(db, day)
    return {bands[i]: men[i] + women[i] for i in range(len(bands)) if men[i] + women[i]}


def test_sixty_on_the_day_is_the_first_band_and_fifty_nine_is_not_counted(town):
    _add(town, "张三", "19661122", 1)   # 60 on the day
    _add(town, "李四", "19661123", 3)   # 60 tomorrow
    assert _counted(town, TODAY) == {"60-64": 1}


def test_of_two_changes_on_one_day_the_later_one_holds(town):
    back = _add(town, "王五", "19500101", 1)
    elders.change_status(town, back, "暂离", "2026-06-01", "住院")
    elders.change_status(town, back, "在册", "2026-06-01", "")
    assert _counted(town, dt.date(2026, 6, 1)) == {"75-79": 1}


def test_an_elder_away_on_the_day_is_not_counted_though_on_the_ledger_today(town):
    away = _add(town, "赵六", "19500101", 1)
    elders.change_status(town, away, "暂离", "2026-05-01", "到子女家居住")
    elders.change_status(town, away, "在册", "2026-07-01", "")
    assert _counted(town, dt.date(2026, 6, 1)) == {}
    assert _counted(town, TODAY) == {"75-79": 1}


def test_the_bands_add_up_to_the_elders_on_the_ledger_that_day_by_the_status_rule(town):
    ids = [_add(town, name, birth, seq) for name, birth, seq in
           (("钱一", "19400301", 1), ("孙二", "19550707", 3), ("周三", "19300101", 5), ("吴四", "19620909", 7))]
    elders.change_status(town, ids[0], "已去世", "2026-08-01", "病故")
    elders.change_status(town, ids[1], "暂离", "2026-03-01", "住院")
    for day in (dt.date(2026, 2, 1), dt.date(2026, 6, 1), TODAY):
        rule = town.execute(f"SELECT COUNT(*) FROM elders e WHERE {elders.STATUS_ON_DAY_SQL} = '在册'",
                            {"day": day.isoformat()}).fetchone()[0]
        assert sum(_counted(town, day).values()) == rule
