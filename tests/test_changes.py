"""What a write changed (models.changes): every writer notes the tables (and ids) it wrote on its connection, and
``take`` hands them on once. Real writers on a real SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import VALID_IDS, make_id
from township_desk.models import (
    agreements,
    campaigns,
    changes,
    contacts,
    elders,
    hazards,
    security,
    settings,
    villages,
    visitors,
    visits,
)
from township_desk.models.changes import Changes, take
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def ledger(db):
    villages.save_village(db, {"name": "青山村"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    result = elders.save_elder(
        db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "visitor": "王村官",
             "entered_on": "2026-01-05"},
        [{"name": "张小明", "relation": "儿子", "id_number": VALID_IDS[1], "phone": "13900002222"}], today=TODAY)
    take(db)  # the setup's own writes
    return result.elder_id


def visit(db, elder_id: int, day: str = "2026-11-10") -> int:
    return visits.record_visit(db, elder_id, {"date": day, "mode": "上门", "visitor_name": "王村官"}, today=TODAY)


def test_a_visit_notes_the_visits_table_and_its_id_and_is_taken_once(db, ledger):
    visit_id = visit(db, ledger)
    assert type(visit_id) is int  # the return value is what it always was
    written = take(db)
    assert written.tables == {"visits"} and written.ids_of("visits") == [visit_id]
    assert not take(db)


def test_a_correction_that_changes_nothing_notes_nothing(db, ledger):
    visit_id = visit(db, ledger)
    take(db)
    stored = visits.get_visit(db, visit_id)
    visits.correct_visit(db, visit_id, {"date": stored["date"], "mode": "上门", "visitor_name": "王村官"},
                         today=TODAY)
    assert not take(db)
    visits.void_visit(db, visit_id, "录错了老人", "王专干")
    assert take(db).tables == {"visits"}


def test_a_quick_contact_with_a_problem_notes_visits_and_hazards(db, ledger):
    contacts.record_contacts(db, [ledger], date="2026-11-17", mode="电话", problem="屋顶漏雨", today=TODAY)
    assert take(db).tables == {"visits", "hazards"}


def test_a_hazard_step_notes_the_hazard(db, ledger):
    hazard_id = hazards.open_hazard(db, ledger, "2026-11-17", "屋顶漏雨", today=TODAY)
    assert take(db).ids_of("hazards") == [hazard_id]
    hazards.record_supporter_told(db, hazard_id, "2026-11-17", today=TODAY)
    assert take(db).tables == {"hazards"}


def test_leaving_the_ledger_notes_the_elder_and_the_agreements_it_ended(db, ledger):
    elder = elders.get_elder(db, ledger)
    agreement_id = agreements.save_agreement(db, {
        "elder_id": ledger, "template": "自理", "party_a_supporter_id": elder["supporters"][0]["id"],
        "party_b_name": "李桂兰", "party_b_id_number": make_id("19580304", 13), "party_b_address": "青山村三组10号",
        "party_b_phone": "13700003333", "term_years": 1, "start_date": "2026-03-01", "hours_per_day": 4,
        "fee": "每月600元"}, today=TODAY).agreement_id
    agreements.sign(db, agreement_id, "2026-03-01", today=TODAY)
    take(db)
    elders.change_status(db, ledger, "已迁出", "2026-11-10", "随子女进城")
    written = take(db)
    assert written.tables == {"elders", "agreements"} and written.ids_of("agreements") == [agreement_id]


def test_settings_villages_visitors_and_campaigns_note_their_tables(db, ledger):
    settings.put(db, {"township_name": "青山镇"})
    assert take(db).tables == {"settings"}
    settings.put(db, {"township_name": "青山镇"})  # the same value: nothing written
    assert not take(db)
    security.set_password(db, "qingshan123")
    assert take(db).tables == {"settings"}
    village_id = villages.save_village(db, {"name": "白鹤村"})
    assert take(db).ids_of("villages") == [village_id]
    visitor_id = visitors.save_visitor(db, {"name": "李志愿", "phone": "13700001111"}).visitor_id
    assert take(db).ids_of("visitors") == [visitor_id]
    visitors.assign_elders(db, visitor_id, [ledger])
    assert take(db).ids_of("elders") == [ledger]
    campaign_id = campaigns.plan_campaign(db, name="春节走访", kind="春节", start="2027-01-20", end="2027-02-10",
                                          elder_ids=[ledger])
    assert take(db).ids_of("campaigns") == [campaign_id]


def test_a_refused_write_notes_nothing(db, ledger):
    with pytest.raises(UserError):
        villages.save_village(db, {"name": ""})
    assert not take(db)


def test_ids_stop_being_kept_past_a_cap_but_the_tables_are(db, monkeypatch):
    monkeypatch.setattr(changes, "MAX_IDS", 3)
    for n in range(5):
        changes.note(db, Changes.of(elders=[n + 1]))
    written = take(db)
    assert written.tables == {"elders"} and written.ids == ()


def test_each_connection_keeps_its_own_notes(db, db_path, ledger):
    from township_desk.models import db as dbm

    other = dbm.connect(db_path)
    try:
        villages.save_village(other, {"name": "白鹤村"})
        assert not take(db) and take(other).tables == {"villages"}
    finally:
        other.close()
