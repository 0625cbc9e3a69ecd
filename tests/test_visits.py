"""Visit records and hazards on a real SQLite file: every item of the form, photos, the hazard flow."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import VALID_IDS
from township_desk.models import audit, elders, hazards, paths, villages, visitors, visits
from township_desk.models.errors import UserError, ValidationError

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def elder(db):
    villages.save_village(db, {"name": "青山村"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    return elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "tier": "重点",
                                  "visitor": "王村官", "entered_on": "2026-01-05"},
                             [{"name": "张小明", "relation": "儿子", "phone": "13900001111"}], today=TODAY).elder_id


def full_visit(**changes):
    data = {"date": "2026-11-20", "mode": "上门", "visitor_id": 1, "expression": "优", "mobility": "良",
            "illness": "中", "mood": "良", "thinking": "优", "stress": "良", "gas_safety": "安全",
            "heating_safety": "安全", "electric_safety": "安全", "daily_care": "无人照料", "comfort_need": "有需求",
            "rights_need": "无需求", "guardianship_need": "有需求", "notes": "老人说 <想> 孙子 & 孙女"}
    data.update(changes)
    return data


def test_a_visit_keeps_every_item_of_the_form(db, elder):
    visit_id = visits.record_visit(db, elder, full_visit(), today=TODAY)
    stored = visits.get_visit(db, visit_id)
    for key, value in full_visit().items():
        assert stored[key] == value, key
    assert stored["visitor_name"] == "王村官"        # signed name taken from the visitor
    assert stored["visit_type"] == "重点"            # from the elder's tier
    assert audit.entries(db, table="visits")[0]["new_value"] == "2026-11-20 上门 王村官"


def test_every_problem_is_named_in_chinese_and_nothing_is_written(db, elder):
    with pytest.raises(ValidationError) as caught:
        visits.record_visit(db, elder, full_visit(date="2026-11-30", mode="上网", mood="很好"), today=TODAY)
    text = str(caught.value)
    assert "巡访时间 2026-11-30 晚于今天" in text and "巡访方式“上网”" in text and "情绪状态“很好”" in text
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


def test_a_visit_before_the_elder_entered_the_ledger_is_refused(db, elder):
    with pytest.raises(ValidationError, match="早于张德福纳入台账的日期 2026-01-05"):
        visits.record_visit(db, elder, full_visit(date="2025-12-30"), today=TODAY)


def test_no_visit_after_the_elder_died(db, elder):
    elders.change_status(db, elder, "已去世", "2026-11-01", "病故")
    with pytest.raises(ValidationError, match="已于 2026-11-01 已去世"):
        visits.record_visit(db, elder, full_visit(date="2026-11-05"), today=TODAY)
    assert visits.record_visit(db, elder, full_visit(date="2026-10-20"), today=TODAY)


def test_a_visitor_is_required(db, elder):
    with pytest.raises(ValidationError, match="请选择巡访责任人"):
        visits.record_visit(db, elder, full_visit(visitor_id=None), today=TODAY)


def test_the_same_visit_twice_is_refused(db, elder):
    first = visits.record_visit(db, elder, full_visit(), today=TODAY)
    with pytest.raises(ValidationError, match=f"已经登记过（第 {first} 号记录）"):
        visits.record_visit(db, elder, full_visit(), today=TODAY)
    assert visits.record_visit(db, elder, full_visit(mode="电话"), today=TODAY)


def test_photos_are_copied_into_the_data_folder(db, elder, tmp_path):
    photo = tmp_path / "现场.JPG"
    photo.write_bytes(b"\xff\xd8\xff\xe0 fake jpeg")
    visit_id = visits.record_visit(db, elder, full_visit(), [photo], today=TODAY)
    stored = visits.get_visit(db, visit_id)["photos"]
    assert len(stored) == 1 and stored[0].startswith(f"2026/{elder}/2026-11-20_") and stored[0].endswith(".jpg")
    copy = visits.photo_file(stored[0])
    assert copy.read_bytes() == photo.read_bytes() and copy.parent.parent.parent == paths.photos_dir()
    assert visits.visit_history(db, elder)[0]["photos"] == stored


def test_a_refused_visit_leaves_no_photo_behind(db, elder, tmp_path):
    photo = tmp_path / "a.png"
    photo.write_bytes(b"png")
    with pytest.raises(ValidationError):
        visits.record_visit(db, elder, full_visit(mode="上网"), [photo], today=TODAY)
    text = tmp_path / "a.txt"
    text.write_text("not a picture", encoding="utf-8")
    with pytest.raises(UserError, match="格式不支持"):
        visits.record_visit(db, elder, full_visit(), [photo, text], today=TODAY)
    assert not any(paths.photos_dir().rglob("*.*"))


def test_a_database_failure_removes_the_copied_photos(db, elder, tmp_path, monkeypatch):
    photo = tmp_path / "a.png"
    photo.write_bytes(b"png")

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        visits.record_visit(db, elder, full_visit(), [photo], today=TODAY)
    assert not any(paths.photos_dir().rglob("*.png"))
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


def test_history_is_newest_first(db, elder):
    visits.record_visit(db, elder, full_visit(date="2026-10-01"), today=TODAY)
    visits.record_visit(db, elder, full_visit(date="2026-11-01", mode="电话"), today=TODAY)
    assert [v["date"] for v in visits.visit_history(db, elder)] == ["2026-11-01", "2026-10-01"]


@pytest.mark.parametrize(("changes", "found"), [
    ({}, None),
    ({"mood": "差"}, "情绪状态差"),
    ({"gas_safety": "不安全", "illness": "差"}, "疾病状况差、燃气不安全"),
    ({"illness": "中", "electric_safety": "安全"}, None),
])
def test_a_poor_or_unsafe_rating_proposes_a_hazard(changes, found):
    assert visits.proposed_hazard(full_visit(**changes)) == found


def test_a_campaign_visit_is_a_home_visit(db, elder):
    with db.atomic():
        campaign = db.execute("INSERT INTO campaigns(name, kind, start_date, end_date) "
                              "VALUES ('2026年重阳节走访慰问', '重阳节', '2026-10-11', '2026-10-21')").lastrowid
    with pytest.raises(ValidationError, match="应为上门巡访"):
        visits.record_visit(db, elder, full_visit(date="2026-10-18", mode="电话", campaign_id=campaign), today=TODAY)
    visit_id = visits.record_visit(db, elder, full_visit(date="2026-10-18", campaign_id=campaign), today=TODAY)
    assert visits.visit_history(db, elder)[0]["campaign"] == "2026年重阳节走访慰问" and visit_id


# ---------------------------------------------------------------- hazards


def test_the_hazard_flow_from_a_visit_to_its_resolution(db, elder):
    visit_id = visits.record_visit(db, elder, full_visit(gas_safety="不安全"), today=TODAY)
    hazard = hazards.open_hazard(db, elder, "2026-11-20", "燃气不安全：软管老化", visit_id=visit_id, today=TODAY)
    assert [h["id"] for h in hazards.open_hazards(db)] == [hazard]
    with pytest.raises(UserError, match="请先记录通报赡养人的日期"):
        hazards.resolve(db, hazard, "2026-11-21", "已更换软管", today=TODAY)
    hazards.record_supporter_told(db, hazard, "2026-11-20", today=TODAY)
    hazards.record_reported(db, hazard, "2026-11-21", today=TODAY)
    with pytest.raises(UserError, match="处置日期 2026-11-20 早于报告乡镇日期 2026-11-21"):
        hazards.resolve(db, hazard, "2026-11-20", "已更换软管", today=TODAY)
    hazards.resolve(db, hazard, "2026-11-22", "已更换软管", today=TODAY)
    assert hazards.open_hazards(db) == []
    stored = hazards.get_hazard(db, hazard)
    assert (stored["supporter_told_on"], stored["reported_on"], stored["resolved_on"], stored["resolution"]) == \
        ("2026-11-20", "2026-11-21", "2026-11-22", "已更换软管")
    fields = [e["field"] for e in audit.entries(db, table="hazards")]
    assert {"description", "supporter_told_on", "reported_on", "resolved_on", "resolution"} <= set(fields)


def test_hazard_dates_are_checked(db, elder):
    hazard = hazards.open_hazard(db, elder, "2026-11-10", "情绪低落", today=TODAY)
    with pytest.raises(UserError, match="通报赡养人日期 2026-11-09 早于发现日期 2026-11-10"):
        hazards.record_supporter_told(db, hazard, "2026-11-09", today=TODAY)
    with pytest.raises(UserError, match="晚于今天"):
        hazards.record_supporter_told(db, hazard, "2026-11-23", today=TODAY)
    hazards.record_supporter_told(db, hazard, "2026-11-10", today=TODAY)
    with pytest.raises(UserError, match="已记录为 2026-11-10"):
        hazards.record_supporter_told(db, hazard, "2026-11-11", today=TODAY)
    with pytest.raises(UserError, match="请写明处置情况"):
        hazards.resolve(db, hazard, "2026-11-12", "  ", today=TODAY)


def test_a_hazard_needs_a_description_and_its_own_visit(db, elder):
    with pytest.raises(UserError, match="请写明发现的风险隐患"):
        hazards.open_hazard(db, elder, "2026-11-10", "", today=TODAY)
    other = elders.save_elder(db, {"name": "刘秀英", "id_number": VALID_IDS[1], "village": "青山村",
                                   "entered_on": "2026-01-05"},
                              today=TODAY).elder_id
    visit_id = visits.record_visit(db, other, full_visit(), today=TODAY)
    with pytest.raises(UserError, match="不是张德福的巡访"):
        hazards.open_hazard(db, elder, "2026-11-20", "燃气", visit_id=visit_id, today=TODAY)
    assert db.execute("SELECT COUNT(*) FROM hazards").fetchone()[0] == 0


# ---------------------------------------------------------------- the overdue command


def test_overdue_command_prints_the_cli_json_shape(db_path, db, elder, capsys):
    from township_desk.cli import main

    visits.record_visit(db, elder, full_visit(date="2026-11-01"), today=TODAY)
    db.close()
    assert main(["overdue", "--db", str(db_path), "--as-of", "2026-11-22", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    home = [i for i in items if i["kind"] == "home"]
    remote = [i for i in items if i["kind"] == "remote"]
    assert home == [{**home[0], "id_number": VALID_IDS[0], "name": "张德福", "village": "青山村", "tier": "重点",
                     "visitor": "王村官", "due_date": "2026-11-16", "days_overdue": 6, "shortfall": None}]
    assert (remote[0]["due_date"], remote[0]["shortfall"], remote[0]["days_overdue"]) == ("2026-11-15", 2, None)


def test_overdue_command_in_chinese_and_its_errors(db_path, db, elder, capsys):
    from township_desk.cli import main

    db.close()
    assert main(["overdue", "--db", str(db_path), "--as-of", "2026-11-22", "--kind", "home"]) == 0
    out = capsys.readouterr().out
    assert "截至 2026-11-22：逾期未上门 1 人" in out and "张德福" in out and "逾期" in out
    assert main(["overdue", "--db", str(db_path), "--village", "没有村"]) == 2
    assert "没有名为“没有村”" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["overdue", "--db", str(db_path), "--as-of", "2026/11/22"])
    assert caught.value.code == 2
