"""The figures the charts and the 风险评估 statistics draw, recounted by hand on a small ledger."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_id
from township_desk.models import elders, risk, villages

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def town(db):
    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "白鹤村"})
    return db


def _add(db, name, birth, seq, village="青山村", entered="2026-01-01"):
    number = make_id(birth, seq)
    result = elders.save_elder(db, {"name": name, "id_number": number, "village": village,
                                    "entered_on": entered},
                               [{"name": name + "子", "relation": "儿子"}], today=TODAY)
    return getattr(result, "elder_id", result)


def _grade(db, elder_id, grade):
    suggestion = risk.suggest(db, elder_id, TODAY)
    reason = None if suggestion.grade == grade else "测试：按实际情况调整"
    risk.record_assessment(db, elder_id, date=TODAY, assessor="王专干", final_grade=grade,
                           override_reason=reason, today=TODAY)


def test_grades_by_village_counts_each_grade_in_its_own_column(town):
    grades = {"青山村": ["高", "高", "中", "低", "低", "低", None], "白鹤村": ["中", None]}
    names = iter("赵钱孙李周吴郑王冯陈")
    seq = 1
    for village, items in grades.items():
        for grade in items:
            elder_id = _add(town, next(names) + "大爷", "19500101", seq, village)
            seq += 2
            if grade:
                _grade(town, elder_id, grade)
    counts = {row[0]: row[1:] for row in elders.grades_by_village(town)}
    assert counts == {"青山村": (2, 1, 3, 1), "白鹤村": (0, 1, 0, 1)}


@pytest.mark.parametrize(("birth", "band"), [
    ("19611122", "65-69"),   # 65 on the day
    ("19611123", "60-64"),   # 65 tomorrow
    ("19461122", "80-84"),   # 80 on the day
    ("19461123", "75-79"),
    ("19361122", "90+"),
])
def test_age_bands_count_full_years_on_the_day(town, birth, band):
    _add(town, "张三", birth, 1)
    bands, men, women = elders.age_sex_bands(town, TODAY)
    assert men[bands.index(band)] == 1 and sum(men) + sum(women) == 1


def test_age_bands_count_who_was_on_the_ledger_that_day_not_today(town):
    gone = _add(town, "李四", "19500101", 1)                   # 76: 75-79
    _add(town, "王五", "19600101", 3, entered="2026-11-01")    # 66: 65-69
    elders.change_status(town, gone, "已去世", "2026-10-15", "病故")
    bands, men, _women = elders.age_sex_bands(town, dt.date(2026, 9, 30))
    assert {bands[i]: n for i, n in enumerate(men) if n} == {"75-79": 1}  # 王五 entered in November
    bands, men, _women = elders.age_sex_bands(town, TODAY)
    assert {bands[i]: n for i, n in enumerate(men) if n} == {"65-69": 1}
