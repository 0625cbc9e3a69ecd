"""Villages come out in the township's order (排列顺序, then name: ``villages.village_order``) in every list by
village, including the queries that join elders, visits, campaigns and agreements to their village."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_id
from township_desk.models import campaigns, elders, risk, schedule, villages, visitors

TODAY = dt.date(2026, 11, 18)
# The clerk's order is not the names' order: 白鹤村 (b) is listed last, 东风村 (d) first.
ORDER = {"东风村": 1, "青山村": 2, "白鹤村": 3}


@pytest.fixture
def township(db):
    for name, order in ORDER.items():
        villages.save_village(db, {"name": name, "sort_order": order})
    ids = {}
    # the visitors' names sort otherwise than their villages' names: 周 (东风村) < 李 (青山村) < 王 (白鹤村)
    helpers = {"白鹤村": "王巡访", "青山村": "李巡访", "东风村": "周巡访"}
    for n, name in enumerate(["白鹤村", "青山村", "东风村"]):  # added against the order
        visitors.save_visitor(db, {"name": helpers[name], "phone": f"1390000{n:04d}",
                                   "village_id": villages.village_id(db, name)})
        ids[name] = elders.save_elder(db, {"name": "张德福", "id_number": make_id("19500312", 2 * n + 1),
                                           "village": name, "entered_on": "2026-01-05"}, today=TODAY).elder_id
    return ids


def in_order(rows, key="village") -> list[str]:
    return list(dict.fromkeys(r[key] if isinstance(r, dict) else getattr(r, key) for r in rows))


def test_a_campaigns_elders_joined_to_their_villages_come_in_the_configured_order(db, township):
    campaign_id = campaigns.plan_campaign(db, name="春节走访", kind="春节", start="2027-01-20", end="2027-02-10",
                                          elder_ids=list(township.values()))
    assert in_order(campaigns.campaign_progress(db, campaign_id)["rows"]) == list(ORDER)


def test_changing_the_order_reorders_every_join_query(db, township):
    villages.save_village(db, {"name": "白鹤村", "sort_order": 0}, villages.village_id(db, "白鹤村"))
    expected = ["白鹤村", "东风村", "青山村"]
    assert in_order(schedule.overdue(db, TODAY)) == expected
    assert in_order(risk.assessments_due(db, TODAY)) == expected
    assert [row[0] for row in elders.grades_by_village(db)] == expected
    assert in_order(elders.list_elders(db)) == expected
    assert in_order(visitors.list_visitors(db)) == expected
    assert in_order(schedule.unvisited_in_month(db, "2026-10")) == expected


def test_villages_of_the_same_order_fall_back_to_their_names_and_keep_their_rows_together(db, township):
    for name in ORDER:
        villages.save_village(db, {"name": name, "sort_order": 5}, villages.village_id(db, name))
    assert in_order(schedule.overdue(db, TODAY)) == sorted(ORDER)
    assert in_order(visitors.list_visitors(db)) == sorted(ORDER)  # not by the visitors' names across villages


def test_a_month_lists_its_elders_by_the_villages_they_were_in_then_in_one_order(db, township):
    """The month's sheets (明细表 …) list elders by the village they were in on its last day, in the villages' order,
    from the query itself: 白鹤村's elder moved to 东风村 in November still comes last in October."""
    from township_desk.models import monthly

    moved = township["白鹤村"]
    elders.save_elder(db, {"name": "张德福", "id_number": make_id("19500312", 1), "village": "东风村",
                           "entered_on": "2026-01-05"}, elder_id=moved, today=dt.date(2026, 11, 10))
    october = monthly.details(db, "2026-10")
    assert in_order(october) == list(ORDER) and october[-1]["id"] == moved
    november = monthly.details(db, "2026-11")
    assert in_order(november) == ["东风村", "青山村"] and november[0]["id"] in (moved, township["东风村"])
    villages.save_village(db, {"name": "白鹤村", "sort_order": 0}, villages.village_id(db, "白鹤村"))
    assert in_order(monthly.details(db, "2026-10")) == ["白鹤村", "东风村", "青山村"]
