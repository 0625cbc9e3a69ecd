"""``township-desk print KIND …`` through cli.main: each kind writes a real .docx; unknown input is exit 2."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from docx import Document

from tests.conftest import VALID_IDS, make_id
from township_desk.cli import main
from township_desk.models import db as dbm
from township_desk.models import elders, villages

TODAY = dt.date(2026, 11, 22)


def text_of(path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


@pytest.fixture
def ledger(db_path):
    database = dbm.connect(db_path)
    villages.save_village(database, {"name": "青山村", "committee": "青山村村民委员会", "staff_name": "王主任"})
    elders.save_elder(database, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村",
                                 "visitor": "王村官", "visitor_phone": "13900002222", "tier": "重点",
                                 "current_address": "三组&五组"}, today=TODAY)
    elders.save_elder(database, {"name": "李桂兰", "id_number": VALID_IDS[1], "village": "青山村"}, today=TODAY)
    elders.save_elder(database, {"name": "陈老汉", "id_number": make_id("19400101", 7), "village": "河口村"},
                      today=TODAY)
    database.close()
    return db_path


def run(ledger, *args) -> int:
    return main(["print", *args, "--db", str(ledger)])


def test_registration_of_one_elder(ledger, tmp_path, capsys):
    out = tmp_path / "reg.docx"
    assert run(ledger, "registration", "--elder", VALID_IDS[0].lower(), "-o", str(out)) == 0
    text = text_of(out)
    assert "张德福" in text and "李桂兰" not in text
    assert "已生成登记表" in capsys.readouterr().out


def test_registration_of_a_village_is_a_batch(ledger, tmp_path, capsys):
    out = tmp_path / "reg.docx"
    assert run(ledger, "registration", "--village", "青山村", "-o", str(out), "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"kind": "registration", "path": str(out), "count": 2,
                                                    "problems": []}
    text = text_of(out)
    assert "张德福" in text and "李桂兰" in text and "陈老汉" not in text


def test_blank_registration(ledger, tmp_path):
    out = tmp_path / "blank.docx"
    assert run(ledger, "registration", "--blank", "-o", str(out)) == 0
    assert "☑" not in text_of(out)


def test_roster_masks_unless_full_ids(ledger, tmp_path):
    out = tmp_path / "roster.docx"
    assert run(ledger, "roster", "--village", "青山村", "-o", str(out)) == 0
    assert VALID_IDS[0] not in text_of(out) and "5111**********0010" in text_of(out)
    assert run(ledger, "roster", "--village", "青山村", "--full-ids", "-o", str(out)) == 0
    assert VALID_IDS[0] in text_of(out)


def test_notice_cards_and_blank_visit_forms_for_a_village(ledger, tmp_path, capsys):
    cards = tmp_path / "cards.docx"
    # 李桂兰 has no visitor yet: her card is left out and named (exit 1), 张德福's is printed
    assert run(ledger, "notice-cards", "--village", "青山村", "-o", str(cards)) == 1
    assert "李桂兰：还没有巡访责任人，未打印告知卡" in capsys.readouterr().err
    assert text_of(cards).count("巡访责任人告知卡") == 1 and "李桂兰" not in text_of(cards)
    forms = tmp_path / "forms.docx"
    assert run(ledger, "visit-form", "--village", "青山村", "-o", str(forms)) == 0
    assert text_of(forms).count("巡访登记表") == 2


def test_visit_form_of_an_elder_without_visits_needs_blank(ledger, tmp_path, capsys):
    out = tmp_path / "v.docx"
    assert run(ledger, "visit-form", "--elder", VALID_IDS[0], "-o", str(out)) == 2
    assert "还没有上门巡访记录" in capsys.readouterr().err
    assert not out.exists()
    assert run(ledger, "visit-form", "--elder", VALID_IDS[0], "--blank", "-o", str(out)) == 0
    assert "张德福" in text_of(out)


@pytest.mark.parametrize(("args", "message"), [
    (("registration", "--elder", make_id("19500101", 3)), "台账中没有身份证号码为"),
    (("notice-cards", "--village", "无此村"), "没有名为“无此村”的村（社区）"),
    (("roster", "--village", "无此村"), "没有名为“无此村”的村（社区）"),
    (("agreement", "--agreement", "99"), "找不到第 99 号协议"),
])
def test_unknown_input_is_exit_2_and_writes_nothing(ledger, tmp_path, capsys, args, message):
    out = tmp_path / "x.docx"
    assert run(ledger, *args, "-o", str(out)) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_agreements_of_a_village(ledger, tmp_path):
    from township_desk.models import agreements as ag

    database = dbm.connect(ledger)
    elder = elders.find_by_id_number(database, VALID_IDS[0])
    data = {"elder_id": elder["id"], "template": "自理", "party_a_name": "张小明", "party_b_name": "李桂兰",
            "term_years": 1, "start_date": "2026-03-01"}
    agreement_id = ag.save_agreement(database, data, today=TODAY).agreement_id
    database.close()
    out = tmp_path / "a.docx"
    assert run(ledger, "agreement", "--agreement", str(agreement_id), "-o", str(out)) == 0
    assert "农村居家互助养老协议书" in text_of(out) and "张小明" in text_of(out)


def test_overdue_list_uses_the_schedule_rule(ledger, tmp_path, monkeypatch):
    import types

    calls = []

    def overdue(db, as_of, village=None, group=None):
        calls.append((as_of, village))
        return [types.SimpleNamespace(elder_id=1, id_number=VALID_IDS[0], name="张德福", village="青山村",
                                      tier="重点", visitor="王村官", visitor_phone="13900002222", kind="home",
                                      due_date=dt.date(2026, 11, 1), days_overdue=21, shortfall=0)]

    # schedule.overdue(db, as_of, village=None, group=None) -> list[OverdueItem] is the visits engineer's contract
    from township_desk.models import printouts

    monkeypatch.setattr(printouts, "schedule", types.SimpleNamespace(overdue=overdue))
    out = tmp_path / "o.docx"
    assert run(ledger, "overdue", "--as-of", "2026-11-22", "--village", "青山村", "-o", str(out)) == 0
    assert calls == [(dt.date(2026, 11, 22), "青山村")]
    text = text_of(out)
    assert "截至2026年11月22日" in text and "张德福" in text and "逾期21天" in text


def test_without_a_number_prints_the_agreements_ending_that_month(ledger, tmp_path, capsys):
    from township_desk.models import agreements as ag

    database = dbm.connect(ledger)
    elder = elders.find_by_id_number(database, VALID_IDS[0])
    ids = []
    for start, name in (("2026-03-01", "甲委托"), ("2026-05-01", "乙委托")):
        saved = ag.save_agreement(database, {
            "elder_id": elder["id"], "template": "自理", "party_a_name": name, "party_b_name": "李桂兰",
            "party_b_id_number": make_id("19580304", 13), "party_b_phone": "13700003333", "term_years": 1,
            "hours_from": "8", "hours_to": "12", "party_b_address": "青山村三组10号", "party_a_address": "成都",
            "start_date": start}, today=TODAY)
        ag.sign(database, saved.agreement_id, "2026-02-26", today=TODAY)
        ids.append(saved.agreement_id)
    database.close()
    out = tmp_path / "month.docx"
    assert run(ledger, "agreement", "--as-of", "2027-02-10", "-o", str(out), "--json") == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1
    text = text_of(out)
    assert "甲委托" in text and "乙委托" not in text
    assert run(ledger, "agreement", "--as-of", "2027-06-10", "-o", str(tmp_path / "none.docx")) == 2
    assert "没有符合条件" in capsys.readouterr().err


def test_visit_form_of_a_visit_record(ledger, tmp_path):
    database = dbm.connect(ledger)
    elder = elders.find_by_id_number(database, VALID_IDS[0])
    with database.atomic():
        visit_id = database["visits"].insert({"elder_id": elder["id"], "date": "2026-11-20", "mode": "上门",
                                              "visitor_name": "王村官", "mood": "差"}).last_pk
    database.close()
    out = tmp_path / "v.docx"
    assert run(ledger, "visit-form", "--visit", str(visit_id), "-o", str(out)) == 0
    assert "☑差" in text_of(out) and "2026年11月20日" in text_of(out)
    assert run(ledger, "visit-form", "--elder", VALID_IDS[0], "-o", str(out)) == 0  # the latest visit
    assert "☑差" in text_of(out)
    assert run(ledger, "visit-form", "--visit", "999", "-o", str(tmp_path / "x.docx")) == 2
