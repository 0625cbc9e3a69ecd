"""The quick contact log (contacts.record_contacts) and the elder file's timeline (elder_file.timeline), on a real
SQLite file: no window involved."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_id
from township_desk.models import (
    agreements,
    contacts,
    elder_file,
    elders,
    hazards,
    risk,
    schedule,
    villages,
    visitors,
    visits,
)
from township_desk.models.errors import UserError, ValidationError

TODAY = dt.date(2026, 11, 18)  # a Wednesday


@pytest.fixture
def five(db):
    villages.save_village(db, {"name": "青山村"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    ids = []
    for n, name in enumerate(["张德福", "李桂兰", "王大山", "刘秀英", "周玉珍"]):
        ids.append(elders.save_elder(db, {"name": name, "id_number": make_id("19500312", 2 * n + 1),
                                          "village": "青山村", "tier": "重点", "visitor": "王村官",
                                          "entered_on": "2026-01-05"}, today=TODAY).elder_id)
    return ids


def test_five_calls_are_recorded_in_one_go_as_phone_visits(db, five):
    saved = contacts.record_contacts(db, five, date="2026-11-17", mode="电话", note="身体都好", today=TODAY)
    assert len(saved.visit_ids) == 5 and saved.unreached == [] and saved.hazard_ids == []
    rows = db.execute("SELECT elder_id, date, mode, visitor_name, notes, gas_safety FROM visits ORDER BY elder_id")
    assert [tuple(r) for r in rows] == [(e, "2026-11-17", "电话", "王村官", "身体都好", None) for e in five]
    progress = schedule.week_progress(db, TODAY, five)
    assert {p.text for p in progress.values()} == {"1/2"}


def test_one_refused_elder_writes_nothing_and_is_named(db, five):
    contacts.record_contacts(db, five[:1], date="2026-11-17", mode="电话", today=TODAY)
    with pytest.raises(ValidationError) as caught:
        contacts.record_contacts(db, five, date="2026-11-17", mode="电话", today=TODAY)
    assert "张德福：张德福 2026-11-17 由王村官进行的电话巡访已经登记过" in str(caught.value)
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1


def test_an_elder_without_a_visitor_needs_someone_chosen(db, five):
    orphan = elders.save_elder(db, {"name": "孙无人", "id_number": make_id("19480101", 21), "village": "青山村",
                                    "entered_on": "2026-01-05"}, today=TODAY).elder_id
    with pytest.raises(ValidationError, match="孙无人：没有指定巡访责任人"):
        contacts.record_contacts(db, [orphan], date=TODAY, mode="视频", today=TODAY)
    saved = contacts.record_contacts(db, [orphan], date=TODAY, mode="视频", visitor_name="民政专干李敏", today=TODAY)
    assert visits.get_visit(db, saved.visit_ids[0])["visitor_name"] == "民政专干李敏"


def test_a_call_not_answered_is_no_contact_but_stays_in_the_file(db, five):
    saved = contacts.record_contacts(db, five[:2], date="2026-11-17", mode="电话", reached=False,
                                     note="连打三次无人接", today=TODAY)
    assert saved.unreached == five[:2] and saved.visit_ids == []
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0
    assert schedule.week_progress(db, TODAY, five[:1])[five[0]].text == "0/2"
    [event] = [e for e in elder_file.timeline(db, five[0]) if e.kind == "未接通"]
    assert (event.date, event.title, event.detail) == ("2026-11-17", "电话未接通（王村官）", "连打三次无人接")


def test_a_problem_heard_on_the_call_opens_a_hazard_from_that_call(db, five):
    saved = contacts.record_contacts(db, five[:1], date="2026-11-17", mode="视频", problem="家中电线老化",
                                     today=TODAY)
    [hazard] = hazards.hazards_of_elder(db, five[0])
    assert (hazard["description"], hazard["visit_id"], hazard["found_on"]) == ("家中电线老化", saved.visit_ids[0],
                                                                              "2026-11-17")


def test_a_contact_in_the_future_or_by_letter_is_refused(db, five):
    with pytest.raises(UserError, match="联系日期 2026-11-19 晚于今天"):
        contacts.record_contacts(db, five, date="2026-11-19", mode="电话", today=TODAY)
    with pytest.raises(UserError, match="联系方式“上门”"):
        contacts.record_contacts(db, five, date=TODAY, mode="上门", today=TODAY)
    with pytest.raises(UserError, match="请先勾选"):
        contacts.record_contacts(db, [], date=TODAY, mode="电话", today=TODAY)


def test_the_timeline_tells_everything_newest_first_and_marks_voided_visits(db, five):
    e = five[0]
    first = visits.record_visit(db, e, {"date": "2026-10-01", "mode": "上门", "visitor_id": 1}, today=TODAY)
    wrong = visits.record_visit(db, e, {"date": "2026-10-05", "mode": "电话", "visitor_id": 1}, today=TODAY)
    visits.void_visit(db, wrong, "登记错了老人", "李敏")
    db.execute("INSERT INTO visit_photos(visit_id, path, original_name) VALUES (?, '2026/1/a.jpg', 'a.jpg')", [first])
    hazards.open_hazard(db, e, "2026-10-01", "燃气灶漏气", visit_id=first, today=TODAY)
    risk.record_assessment(db, e, date="2026-10-10", assessor="李敏", final_grade="高", override_reason="独居且漏气")
    agreement = agreements.save_agreement(db, {"elder_id": e, "template": "自理", "party_a_name": "张小明",
                                                "party_b_name": "邻居王五"})
    elders.change_status(db, e, "暂离", "2026-11-01", "住院")
    events = elder_file.timeline(db, e)
    kinds = [(ev.date, ev.kind) for ev in events]
    assert kinds[0] == (dt.date.today().isoformat(), "互助协议")  # a draft is dated the day it was written
    assert kinds[1] == ("2026-11-01", "状态变更")
    assert kinds[-1] == ("2026-01-05", "纳入台账")
    assert [ev.date for ev in events] == sorted((ev.date for ev in events), reverse=True)
    voided = next(ev for ev in events if ev.record_id == wrong and ev.kind == "巡访")
    assert voided.voided and "已作废：登记错了老人（李敏" in voided.detail and "已作废" in voided.title
    home = next(ev for ev in events if ev.record_id == first and ev.kind == "巡访")
    assert (home.photos, home.voided) == (1, False) and "照片 1 张" in home.detail
    hazard = next(ev for ev in events if ev.kind == "风险隐患")
    assert hazard.open and "尚未通报赡养人" in hazard.detail
    assessment = next(ev for ev in events if ev.kind == "风险评估")
    assert assessment.title == "风险评估：高风险（一级）"
    assert any(ev.kind == "互助协议" and ev.record_id == agreement.agreement_id for ev in events)
    status = events[1]
    assert status.title == "状态变更：在册 → 暂离" and status.detail == "住院"


def test_a_large_refused_batch_names_the_first_few_and_counts_the_rest(db, five, monkeypatch):
    contacts.record_contacts(db, five, date="2026-11-17", mode="电话", today=TODAY)
    with pytest.raises(ValidationError) as caught:
        contacts.record_contacts(db, five, date="2026-11-17", mode="电话", today=TODAY)
    assert len(caught.value.problems) == 5
    monkeypatch.setattr(contacts, "SHOWN_PROBLEMS", 2)
    with pytest.raises(ValidationError) as caught:
        contacts.record_contacts(db, five, date="2026-11-17", mode="电话", today=TODAY)
    text = str(caught.value)
    assert text.count("已经登记过") == 2 and text.endswith("……共 5 处问题，均未登记")
