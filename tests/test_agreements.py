"""Mutual-aid agreements: checking terms, the lifecycle, frozen terms, renewal, the 15-day notice, expiry."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import VALID_IDS, make_id
from township_desk.models import agreements as ag
from township_desk.models import audit, elders, villages
from township_desk.models.errors import UserError, ValidationError

TODAY = dt.date(2026, 11, 22)
CARER_ID = make_id("19580304", 13)


@pytest.fixture
def elder(db):
    villages.save_village(db, {"name": "青山村", "committee": "青山村村民委员会", "staff_name": "王主任"})
    result = elders.save_elder(
        db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "current_address": "青山村三组12号",
             "phone": "13800001111"},
        [{"name": "张小明", "relation": "儿子", "id_number": VALID_IDS[1], "phone": "139 0000 2222"}],
        today=TODAY)
    return elders.get_elder(db, result.elder_id)


def draft(db, elder, **extra):
    data = {"elder_id": elder["id"], "template": "自理", "party_a_supporter_id": elder["supporters"][0]["id"],
            "party_b_name": "李桂兰", "party_b_id_number": CARER_ID, "party_b_address": "青山村三组10号",
            "party_b_phone": "13700003333", "term_years": 1, "start_date": "2026-03-01", "hours_per_day": 4,
            "fee": "每月600元"}
    data.update(extra)
    return ag.save_agreement(db, data, today=TODAY).agreement_id


def test_supporter_details_and_village_defaults_are_copied(db, elder):
    record = ag.get_agreement(db, draft(db, elder))
    assert (record["party_a_name"], record["party_a_relation"], record["party_a_id_number"],
            record["party_a_phone"]) == ("张小明", "儿子", VALID_IDS[1], "13900002222")
    assert record["committee_name"] == "青山村村民委员会" and record["committee_staff"] == "王主任"
    assert record["elder_address"] == "青山村三组12号" and record["service_place"] == "青山村三组12号"
    assert record["status"] == "草稿"


def test_end_date_defaults_to_start_plus_term_minus_one_day(db, elder):
    assert ag.get_agreement(db, draft(db, elder))["end_date"] == "2027-02-28"
    two_years = draft(db, elder, start_date="2025-12-15", term_years=2)
    assert ag.get_agreement(db, two_years)["end_date"] == "2027-12-14"


def test_end_date_before_start_is_refused(db, elder):
    with pytest.raises(ValidationError, match="终止日期 2026-01-01 早于起始日期 2026-03-01"):
        draft(db, elder, end_date="2026-01-01")


def test_end_date_not_matching_the_term_is_a_warning(db, elder):
    result = ag.save_agreement(db, {"elder_id": elder["id"], "template": "自理", "party_a_name": "张小明",
                                    "party_b_name": "李桂兰", "term_years": 1, "start_date": "2026-03-01",
                                    "end_date": "2026-12-31"}, today=TODAY)
    assert any("应止于 2027-02-28" in w.message for w in result.warnings)


def test_bad_carer_id_number_is_refused_naming_the_field(db, elder):
    with pytest.raises(ValidationError, match="乙方身份证号码：身份证号码“511102195803040134”校验不通过"):
        draft(db, elder, party_b_id_number=CARER_ID[:-1] + ("4" if CARER_ID[-1] != "4" else "5"))


def test_typed_party_a_without_supporter(db, elder):
    record = ag.get_agreement(db, draft(db, elder, party_a_supporter_id=None, party_a_name="张 小 红",
                                        party_a_relation="女儿", party_a_phone="0833-2345678"))
    assert record["party_a_name"] == "张小红" and record["party_a_supporter_id"] is None
    assert record["party_a_phone"] == "0833-2345678"


def test_supporter_of_another_elder_is_refused(db, elder):
    other = elders.save_elder(db, {"name": "刘大娘", "id_number": VALID_IDS[3], "village": "青山村"},
                              [{"name": "刘强", "relation": "儿子"}], today=TODAY)
    stranger = elders.supporters_of(db, other.elder_id)[0]["id"]
    with pytest.raises(ValidationError, match="不是这位老人的赡养人"):
        draft(db, elder, party_a_supporter_id=stranger)


def test_hours_from_without_to_is_refused(db, elder):
    with pytest.raises(ValidationError, match="须两端都填"):
        draft(db, elder, hours_from="8", hours_per_day=None)


def test_draft_can_be_edited_and_changes_are_audited(db, elder):
    agreement_id = draft(db, elder)
    result = ag.save_agreement(db, {"fee": "每月700元", "term_years": 1, "start_date": "2026-03-01",
                                    "template": "自理", "party_a_name": "张小明", "party_b_name": "李桂兰",
                                    "party_b_id_number": CARER_ID}, agreement_id, today=TODAY)
    assert ("服务费", "每月600元", "每月700元") in result.changes
    logged = audit.entries(db, table="agreements", record_id=agreement_id)
    assert any(e["field"] == "fee" and e["new_value"] == "每月700元" for e in logged)


def test_signed_agreement_terms_are_frozen(db, elder):
    agreement_id = draft(db, elder)
    ag.sign(db, agreement_id, "2026-02-26", today=TODAY)
    with pytest.raises(UserError, match="已签订的协议不能修改，如需变更请续签或新签"):
        ag.save_agreement(db, {"fee": "每月900元", "template": "自理", "party_a_name": "张小明",
                               "party_b_name": "李桂兰"}, agreement_id, today=TODAY)
    assert ag.get_agreement(db, agreement_id)["fee"] == "每月600元"


def test_incomplete_draft_cannot_be_signed(db, elder):
    agreement_id = ag.save_agreement(db, {"elder_id": elder["id"], "template": "介助介护", "party_a_name": "张小明",
                                          "party_b_name": "李桂兰"}, today=TODAY).agreement_id
    with pytest.raises(UserError, match="缺少：乙方身份证号码、服务期限（年）、起始日期、终止日期、每日服务时间"):
        ag.sign(db, agreement_id, "2026-02-26", today=TODAY)
    assert ag.get_agreement(db, agreement_id)["status"] == "草稿"


def test_signing_in_the_future_is_refused(db, elder):
    agreement_id = draft(db, elder)
    with pytest.raises(UserError, match="晚于今天"):
        ag.sign(db, agreement_id, "2026-11-23", today=TODAY)


def test_expire_due_moves_only_signed_agreements_past_their_end(db, elder):
    ended = draft(db, elder, start_date="2025-01-01")          # ends 2025-12-31
    running = draft(db, elder, start_date="2026-03-01")        # ends 2027-02-28
    old_draft = draft(db, elder, start_date="2024-01-01")
    ag.sign(db, ended, "2024-12-28", today=TODAY)
    ag.sign(db, running, "2026-02-26", today=TODAY)
    assert ag.expire_due(db, "2025-12-31") == []               # its last day is still in force
    assert ag.expire_due(db, "2026-01-01") == [ended]
    assert ag.get_agreement(db, ended)["status"] == "已到期"
    assert ag.get_agreement(db, running)["status"] == "已签订"
    assert ag.get_agreement(db, old_draft)["status"] == "草稿"


def test_no_fault_termination_needs_fifteen_days_notice(db, elder):
    agreement_id = draft(db, elder)
    ag.sign(db, agreement_id, "2026-02-26", today=TODAY)
    with pytest.raises(UserError, match="应提前 15 日通知对方：请填写通知日期"):
        ag.terminate(db, agreement_id, "2026-11-20", "乙方", "家中有事", today=TODAY)
    with pytest.raises(UserError, match="2026-11-10 通知的，最早可于 2026-11-25 解除，不能定为 2026-11-20"):
        ag.terminate(db, agreement_id, "2026-11-20", "乙方", "家中有事", notice_on="2026-11-10", today=TODAY)
    assert ag.get_agreement(db, agreement_id)["status"] == "已签订"
    ag.terminate(db, agreement_id, "2026-11-25", "乙方", "家中有事", notice_on="2026-11-10", today=TODAY)
    record = ag.get_agreement(db, agreement_id)
    assert (record["status"], record["terminated_on"], record["terminated_by"], record["notice_on"]) == \
        ("已解除", "2026-11-25", "乙方", "2026-11-10")


def test_recorded_notice_counts_for_the_later_termination(db, elder):
    agreement_id = draft(db, elder)
    ag.sign(db, agreement_id, "2026-02-26", today=TODAY)
    assert ag.give_notice(db, agreement_id, "2026-11-01", "甲方", today=TODAY) == dt.date(2026, 11, 16)
    ag.terminate(db, agreement_id, "2026-11-16", "甲方", "老人随子女进城居住", today=TODAY)
    assert ag.get_agreement(db, agreement_id)["status"] == "已解除"


def test_termination_for_cause_needs_no_notice(db, elder):
    agreement_id = draft(db, elder)
    ag.sign(db, agreement_id, "2026-02-26", today=TODAY)
    ag.terminate(db, agreement_id, "2026-11-20", "乙方", "甲方逾期一个月不交纳服务费", for_cause=True, today=TODAY)
    record = ag.get_agreement(db, agreement_id)
    assert record["status"] == "已解除" and record["terminated_for_cause"] == 1


def test_only_signed_agreements_can_be_terminated(db, elder):
    agreement_id = draft(db, elder)
    with pytest.raises(UserError, match="只有已签订的协议可以解除"):
        ag.terminate(db, agreement_id, "2026-11-20", "双方", "协商一致", today=TODAY)


def test_renewal_is_a_new_draft_after_the_old_term(db, elder):
    old = draft(db, elder)
    ag.sign(db, old, "2026-02-26", today=TODAY)
    new = ag.renew(db, old)
    record = ag.get_agreement(db, new)
    assert (record["status"], record["renewed_from_id"], record["start_date"], record["end_date"]) == \
        ("草稿", old, "2027-03-01", "2028-02-29")
    assert record["party_b_name"] == "李桂兰" and record["fee"] == "每月600元"
    assert ag.get_agreement(db, old)["status"] == "已签订"
    with pytest.raises(UserError, match=f"已经续签过（第 {new} 号协议）"):
        ag.renew(db, old)


def test_a_draft_cannot_be_renewed(db, elder):
    with pytest.raises(UserError, match="只有已签订或已到期的协议可以续签"):
        ag.renew(db, draft(db, elder))


def test_ending_within_thirty_days(db, elder):
    soon = draft(db, elder, start_date="2025-12-15")           # ends 2026-12-14
    later = draft(db, elder, start_date="2026-03-01")          # ends 2027-02-28
    edge = draft(db, elder, start_date="2025-12-23")           # ends 2026-12-22, day 30
    unsigned = draft(db, elder, start_date="2025-12-10")
    for agreement_id in (soon, later, edge):
        ag.sign(db, agreement_id, "2025-12-01", today=TODAY)
    found = [r["id"] for r in ag.ending_within(db, TODAY, 30)]
    assert found == [soon, edge]
    assert unsigned not in found
    assert [r["id"] for r in ag.list_agreements(db, status="草稿")] == [unsigned]
    assert {r["id"] for r in ag.list_agreements(db, village="青山村")} == {soon, later, edge, unsigned}
    assert ag.list_agreements(db, village="别的村") == []


def test_attach_scan_copies_the_file_into_the_data_folder(db, elder, tmp_path, private_data_dir):
    agreement_id = draft(db, elder)
    scan = tmp_path / "签字页.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    relative = ag.attach_scan(db, agreement_id, scan)
    assert relative.startswith("agreements/")
    stored = private_data_dir / relative
    assert stored.read_bytes() == b"%PDF-1.4 scan"
    assert ag.scan_file(ag.get_agreement(db, agreement_id)) == stored
    assert not list((private_data_dir / "agreements").glob(".*tmp*"))


def test_attach_scan_refuses_a_missing_or_odd_file(db, elder, tmp_path):
    agreement_id = draft(db, elder)
    with pytest.raises(UserError, match="找不到扫描件文件"):
        ag.attach_scan(db, agreement_id, tmp_path / "none.pdf")
    odd = tmp_path / "a.exe"
    odd.write_bytes(b"x")
    with pytest.raises(UserError, match="格式不支持"):
        ag.attach_scan(db, agreement_id, odd)


def _demo_ledger(db, count: int = 30) -> None:
    import random

    rng = random.Random(7)
    villages.save_village(db, {"name": "白鹤村", "committee": "白鹤村村民委员会", "staff_name": "赵会计"})
    for number in range(count):
        birth = f"19{rng.randint(30, 60)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        elders.save_elder(db, {"name": f"老人{'甲乙丙丁戊己庚辛壬癸'[number % 10]}{'子丑寅卯辰巳午未申酉'[number // 10]}",
                               "id_number": make_id(birth, number * 2 + 1), "village": "白鹤村",
                               "current_address": f"白鹤村{number % 5 + 1}组", "ability_level": number % 4},
                          [{"name": f"张{'子丑寅卯辰巳午未申酉'[number % 10]}{'明亮强'[number // 10]}", "relation": "儿子"}], today=TODAY)


def test_demo_agreements_cover_every_state_and_are_deterministic(tmp_path):
    import random

    from township_desk.models import db as dbm
    from township_desk.models.demo import agreements as demo_agreements

    results = []
    for run in range(2):
        database = dbm.connect(tmp_path / f"demo{run}.db")
        _demo_ledger(database)
        steps = []
        counts = demo_agreements.generate(database, random.Random(42), TODAY,
                                          progress=lambda done, total, s=steps: s.append((done, total)))
        rows = list(database.query(
            "SELECT elder_id, template, status, party_b_name, party_b_id_number, start_date, end_date, fee,"
            " terminated_on, renewed_from_id FROM agreements ORDER BY id"))
        results.append(rows)
        assert steps and steps[-1][0] == steps[-1][1]
        database.close()
    assert results[0] == results[1]
    assert set(counts) == {"草稿", "已签订", "已到期", "已解除"}
    assert {r["template"] for r in results[0]} == {"自理", "介助介护"}
    database = dbm.connect(tmp_path / "demo0.db")
    assert ag.ending_within(database, TODAY, 30), "some agreements end within 30 days"
    assert ag.expire_due(database, TODAY) == []  # nothing left signed past its end
    database.close()


def test_agreement_for_an_elder_no_longer_on_the_ledger_is_a_warning(db, elder):
    elders.change_status(db, elder["id"], "已去世", dt.date.today(), "病故")
    result = ag.save_agreement(db, {"elder_id": elder["id"], "template": "自理", "party_a_name": "张小明",
                                    "party_b_name": "李桂兰"}, today=dt.date.today())
    assert any("状态是“已去世”" in w.message for w in result.warnings)


# ---------------------------------------------------------------- the elder leaves the ledger


@pytest.mark.parametrize("status", ["已去世", "已迁出", "已不属于留守"])
def test_an_agreement_ends_the_day_its_elder_leaves_the_ledger(db, elder, status):
    soon = draft(db, elder, start_date="2025-12-15")           # ends 2026-12-14: on the renewal list
    ag.sign(db, soon, "2025-12-01", today=TODAY)
    waiting = draft(db, elder, start_date="2026-12-15")        # a draft stays a draft
    assert [r["id"] for r in ag.ending_within(db, TODAY, 30)] == [soon]
    assert elders.change_status(db, elder["id"], status, "2026-11-25", "情况变化") == [soon]
    ended = ag.get_agreement(db, soon)
    assert (ended["status"], ended["terminated_on"], ended["terminated_by"]) == ("已解除", "2026-11-25", "被助养老人")
    assert ended["termination_reason"] == f"老人{status}（情况变化）"
    assert ag.ending_within(db, TODAY, 30) == []
    assert ag.get_agreement(db, waiting)["status"] == "草稿"
    log = [e["new_value"] for e in audit.entries(db, table="agreements", record_id=soon) if e["action"] == "解除"]
    assert log == [f"已解除（2026-11-25，老人{status}（情况变化））"]


def test_a_term_already_over_when_the_elder_died_is_marked_expired(db, elder):
    over = draft(db, elder, start_date="2025-01-01")           # ends 2025-12-31, expiry not yet run
    ag.sign(db, over, "2024-12-28", today=TODAY)
    elders.change_status(db, elder["id"], "已去世", "2026-11-25", "病故")
    assert ag.get_agreement(db, over)["status"] == "已到期"


def test_a_temporary_absence_does_not_end_the_agreement(db, elder):
    running = draft(db, elder)
    ag.sign(db, running, "2026-02-26", today=TODAY)
    elders.change_status(db, elder["id"], "暂离", "2026-11-25", "住院")
    assert ag.get_agreement(db, running)["status"] == "已签订"


def test_the_status_change_and_the_agreement_end_are_one_transaction(db, elder, monkeypatch):
    running = draft(db, elder)
    ag.sign(db, running, "2026-02-26", today=TODAY)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ag, "end_with_elder", broken)
    with pytest.raises(RuntimeError):
        elders.change_status(db, elder["id"], "已去世", "2026-11-25", "病故")
    assert elders.get_elder(db, elder["id"])["status"] == "在册"
    assert ag.get_agreement(db, running)["status"] == "已签订"


# ---------------------------------------------------------------- which template


def test_the_self_care_template_is_refused_for_an_elder_who_needs_help(db, elder):
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "ability_level": 2},
                      elder_id=elder["id"], today=TODAY)
    with pytest.raises(ValidationError) as caught:
        draft(db, elder)
    assert "老人的能力等级为“中度受损（中度失能）”，不能生活自理，“自理”协议文本不适用，请选用“介助介护”协议文本" in str(caught.value)
    assert draft(db, elder, template="介助介护")


def test_a_self_care_draft_cannot_be_signed_once_the_elder_needs_help(db, elder):
    agreement_id = draft(db, elder)
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "ability_level": 3},
                      elder_id=elder["id"], today=TODAY)
    with pytest.raises(UserError, match="“自理”协议文本不适用"):
        ag.sign(db, agreement_id, "2026-02-26", today=TODAY)
    assert ag.get_agreement(db, agreement_id)["status"] == "草稿"
