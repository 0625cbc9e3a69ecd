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


# ---------------------------------------------------------------- correcting and voiding (更正, 作废)


def test_a_correction_writes_each_changed_field_to_the_audit_log_old_to_new(db, elder):
    visitors.save_visitor(db, {"name": "李志愿", "role": "志愿者"})
    visit_id = visits.record_visit(db, elder, full_visit(), today=TODAY)
    changed = visits.correct_visit(db, visit_id, full_visit(date="2026-11-19", visitor_id=2, mood="差",
                                                            notes=None), today=TODAY)
    assert set(changed) == {"date", "visitor_id", "visitor_name", "mood", "notes"}
    stored = visits.get_visit(db, visit_id)
    assert (stored["date"], stored["visitor_name"], stored["mood"], stored["notes"]) == \
        ("2026-11-19", "李志愿", "差", None)
    log = {e["field"]: (e["action"], e["old_value"], e["new_value"])
           for e in audit.entries(db, table="visits", record_id=visit_id) if e["action"] == "修改"}
    assert log == {"date": ("修改", "2026-11-20", "2026-11-19"), "visitor_id": ("修改", "王村官", "李志愿"),
                   "visitor_name": ("修改", "王村官", "李志愿"), "mood": ("修改", "良", "差"),
                   "notes": ("修改", "老人说 <想> 孙子 & 孙女", None)}
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1


def test_a_correction_is_checked_as_a_new_visit_is_and_nothing_changes_when_refused(db, elder):
    visit_id = visits.record_visit(db, elder, full_visit(), today=TODAY)
    visits.record_visit(db, elder, full_visit(date="2026-11-21"), today=TODAY)
    with pytest.raises(ValidationError) as caught:
        visits.correct_visit(db, visit_id, full_visit(date="2026-11-30", mood="很好"), today=TODAY)
    assert "巡访时间 2026-11-30 晚于今天" in str(caught.value) and "情绪状态“很好”" in str(caught.value)
    with pytest.raises(ValidationError, match="已经登记过"):
        visits.correct_visit(db, visit_id, full_visit(date="2026-11-21"), today=TODAY)
    assert visits.correct_visit(db, visit_id, full_visit(), today=TODAY) == {}  # unchanged: not its own twin
    assert visits.get_visit(db, visit_id)["date"] == "2026-11-20"
    assert [e["action"] for e in audit.entries(db, table="visits")] == ["登记巡访", "登记巡访"]


def test_a_voided_visit_stays_in_the_history_with_reason_who_and_when(db, elder):
    visit_id = visits.record_visit(db, elder, full_visit(), today=TODAY)
    visits.void_visit(db, visit_id, "记到了别的老人名下", "李专干", now=dt.datetime(2026, 11, 22, 9, 30))
    (shown,) = visits.visit_history(db, elder)
    assert (shown["voided_at"], shown["voided_by"], shown["void_reason"]) == \
        ("2026-11-22 09:30:00", "李专干", "记到了别的老人名下")
    entry = audit.entries(db, table="visits", record_id=visit_id)[0]
    assert (entry["action"], entry["new_value"]) == ("作废巡访", "记到了别的老人名下（作废人：李专干）")
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1          # never deleted
    assert db.execute("SELECT COUNT(*) FROM live_visits").fetchone()[0] == 0     # and no longer counted


def test_voiding_needs_a_reason_and_who_and_happens_once(db, elder):
    visit_id = visits.record_visit(db, elder, full_visit(), today=TODAY)
    with pytest.raises(ValidationError) as caught:
        visits.void_visit(db, visit_id, "  ", "")
    assert str(caught.value) == "请填写作废原因；请填写作废人（经办人）"
    assert visits.get_visit(db, visit_id)["voided_at"] is None
    visits.void_visit(db, visit_id, "重复登记", "李专干")
    with pytest.raises(UserError, match="已于 .* 作废（重复登记），不能再次作废"):
        visits.void_visit(db, visit_id, "再来一次", "李专干")
    with pytest.raises(UserError, match="作废（重复登记），不能更正"):
        visits.correct_visit(db, visit_id, full_visit(mood="差"), today=TODAY)
    with pytest.raises(UserError, match="已作废，不能据此登记风险隐患"):
        hazards.open_hazard(db, elder, "2026-11-20", "燃气", visit_id=visit_id, today=TODAY)


def test_a_voided_visit_may_be_entered_again_and_leaves_the_workload(db, elder):
    wrong = visits.record_visit(db, elder, full_visit(), today=TODAY)
    visits.void_visit(db, wrong, "巡访情况填错，重新登记", "李专干")
    again = visits.record_visit(db, elder, full_visit(), today=TODAY)  # the same visit, entered right
    assert again != wrong
    (row,) = visits.visitor_workload(db, TODAY)
    assert row["home_visits_month"] == 1
    visits.void_visit(db, again, "重复", "李专干")
    assert visits.visitor_workload(db, TODAY)[0]["home_visits_month"] == 0


def test_a_voided_visit_is_not_the_last_visit_the_risk_grade_and_the_next_form_start_from(db, elder):
    from township_desk.models import risk

    visits.record_visit(db, elder, full_visit(date="2026-11-01"), today=TODAY)
    wrong = visits.record_visit(db, elder, full_visit(mood="差"), today=TODAY)
    assert risk.last_visit_on(db, elder, TODAY)["id"] == wrong
    visits.void_visit(db, wrong, "情绪状态填错", "李专干")
    assert risk.last_visit_on(db, elder, TODAY)["date"] == "2026-11-01"
    assert elders.list_elders(db)[0]["last_home_visit"] == "2026-11-01"


def test_a_voided_visit_is_not_printed(db, elder):
    from township_desk.models import printouts
    from township_desk.printing import documents

    kept = visits.record_visit(db, elder, full_visit(date="2026-11-01"), today=TODAY)
    wrong = visits.record_visit(db, elder, full_visit(), today=TODAY)
    visits.void_visit(db, wrong, "重复", "李专干")
    assert printouts.latest_home_visit_id(db, elder) == kept
    with pytest.raises(UserError, match=f"第 {wrong} 号巡访记录（2026-11-20 上门）已作废（重复），不打印"):
        documents.visit_form_context(db, visit_id=wrong)


def test_a_hazard_step_without_a_date_given_is_refused(db, elder):
    hazard = hazards.open_hazard(db, elder, "2026-11-20", "燃气不安全", today=TODAY)
    for missing in (None, "", "  "):
        with pytest.raises(UserError, match="请填写通报赡养人日期"):
            hazards.record_supporter_told(db, hazard, missing, today=TODAY)
    assert hazards.get_hazard(db, hazard)["supporter_told_on"] is None


# Queries that read the visits table itself, voided visits included, on purpose: one visit by its id (to show, label,
# print or refuse it), an elder's history (voided visits are shown marked 已作废), a campaign that may not be deleted
# while any visit — even a voided one — names it, and the demo's next row id. Everything else reads ``live_visits``.
READS_VOIDED_VISITS_TOO = {
    "models/visits.py": 4, "models/campaigns.py": 1, "models/hazards.py": 1, "models/demo/visits.py": 1,
}


def test_every_other_query_reads_visits_through_the_live_visits_view():
    import re
    from pathlib import Path

    import township_desk

    package = Path(township_desk.__file__).parent
    found: dict[str, int] = {}
    for source in package.rglob("*.py"):
        relative = source.relative_to(package).as_posix()
        if relative.startswith("models/migrations/"):
            continue
        count = len(re.findall(r"\b(?:FROM|JOIN)\s+visits\b", source.read_text(encoding="utf-8"), re.IGNORECASE))
        if count:
            found[relative] = count
    assert found == READS_VOIDED_VISITS_TOO


def test_an_older_ledger_is_migrated_keeping_its_visits(db_path):
    import sqlite3

    from township_desk.models import db as dbm

    database = dbm.connect(db_path)
    villages.save_village(database, {"name": "青山村"})
    elder_id = elders.save_elder(database, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村",
                                            "entered_on": "2026-01-05"}, today=TODAY).elder_id
    database.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, '2026-11-20', '上门', '王')",
                     [elder_id])
    database.close()
    conn = sqlite3.connect(db_path)  # put the file back as migration 0007 found it
    conn.executescript(dbm.load_step(dbm.STEPS.index("0012_kept_last_home") + 1).UNDO)
    conn.executescript("""DROP VIEW live_visits; DROP INDEX visits_live_elder_date;
        DROP INDEX visits_elder_mode_date; CREATE INDEX visits_elder_mode_date ON visits(elder_id, mode, date);
        DROP INDEX visits_date; CREATE INDEX visits_date ON visits(date, mode);
        ALTER TABLE visits DROP COLUMN voided_at; ALTER TABLE visits DROP COLUMN voided_by;
        ALTER TABLE visits DROP COLUMN void_reason;""")
    step = dbm.STEPS.index("0007_visit_void") + 1
    conn.execute(f"PRAGMA user_version = {step - 1}")
    conn.commit()
    conn.close()

    database = dbm.connect(db_path)
    assert dbm.schema_version(database) == dbm.latest_version()
    (visit,) = visits.visit_history(database, elder_id)
    assert (visit["date"], visit["voided_at"]) == ("2026-11-20", None)
    assert database.execute("SELECT COUNT(*) FROM live_visits").fetchone()[0] == 1
    database.close()


def test_the_print_command_refuses_a_voided_visit_with_one_chinese_line(db_path, db, elder, tmp_path, capsys):
    from township_desk.cli import main

    wrong = visits.record_visit(db, elder, full_visit(), today=TODAY)
    visits.void_visit(db, wrong, "重复登记", "李专干")
    db.close()
    target = tmp_path / "巡访登记表.docx"
    assert main(["print", "visit-form", "--db", str(db_path), "--visit", str(wrong), "-o", str(target)]) == 2
    assert capsys.readouterr().err.strip() == f"第 {wrong} 号巡访记录（2026-11-20 上门）已作废（重复登记），不打印"
    assert not target.exists()


def test_a_voided_campaign_visit_leaves_the_elder_still_to_visit_and_may_be_taken_out(db, elder):
    from township_desk.models import campaigns

    campaign = campaigns.plan_campaign(db, name="2026年重阳节走访慰问", kind="重阳节", start="2026-10-25",
                                       end="2026-10-31", elder_ids=[elder])
    visit_id = visits.record_visit(db, elder, full_visit(date="2026-10-28", campaign_id=campaign), today=TODAY)
    assert campaigns.campaign_progress(db, campaign)["visited"] == 1
    with pytest.raises(UserError, match="不能移出"):
        campaigns.remove_elder(db, campaign, elder)
    visits.void_visit(db, visit_id, "当天未实际上门", "李专干")
    progress = campaigns.campaign_progress(db, campaign)
    assert (progress["visited"], progress["rows"][0]["visited_on"]) == (0, None)
    assert [c["visited"] for c in campaigns.list_campaigns(db)] == [0]
    campaigns.remove_elder(db, campaign, elder)
    with pytest.raises(UserError, match="已登记 1 次巡访（其中 1 次已作废，仍保留在巡访记录中），不能删除"):
        campaigns.delete_campaign(db, campaign)
