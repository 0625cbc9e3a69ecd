"""A month once sent stays what was sent (issue 11): month-end facts, submitting, correcting, drafts, refusals.

A small hand-built township: October is counted, then November brings an assessment that changes a tier, an
agreement terminated, a hazard resolved, a death, an education corrected through the importer — and some
facts entered late but dated in October (a visit, an assessment). Both workbooks are read back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import openpyxl
import pytest
from conftest import make_id

from township_desk import cli
from township_desk.models import (
    agreements,
    audit,
    elders,
    field_history,
    hazards,
    ledger_import,
    monthly,
    risk,
    settings,
    submissions,
    visits,
)
from township_desk.models.errors import UserError
from township_desk.printing.monthly_xlsx import export_monthly

SEPT = dt.date(2026, 9, 1)
NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
COMPLETE = {"education": "小学", "spouse": "双方健在", "care": "有人照料", "children_away_years": 2,
            "main_income": "打工", "visitor": "李巡访", "entered_on": "2026-01-05"}
IDS = {"甲": make_id("19480101", 11), "乙": make_id("19500202", 12), "丙": make_id("19400303", 13)}


def home_visit(db, elder_id: int, day: str, today: dt.date) -> None:
    visits.record_visit(db, elder_id, {"date": day, "mode": "上门", "visitor_name": "李巡访"}, today=today)


@pytest.fixture
def ledger(db):
    """Three elders on the ledger since January; 甲 assessed 低 in September with a signed agreement; a hazard
    found on 乙 in October and the supporter told; everyone visited at home in October but 丙."""
    settings.put(db, {"township_name": "城关镇", "preparer": "李专干", "unit_head": "王主任"})
    ids = {}
    for key, village in (("甲", "红星村"), ("乙", "红星村"), ("丙", "白云村")):
        ids[key] = elders.save_elder(
            db, {"name": f"张{key}", "id_number": IDS[key], "village": village, **COMPLETE},
            [{"name": f"张{key}子", "relation": "儿子", "phone": "13800001111", "away_since": "2018-03"}],
            today=dt.date(2026, 1, 5)).elder_id
    risk.record_assessment(db, ids["甲"], date="2026-09-10", assessor="李专干", final_grade="低",
                           override_reason="复核", today=dt.date(2026, 9, 10))
    supporter = elders.supporters_of(db, ids["甲"])[0]["id"]
    agreement = agreements.save_agreement(db, {
        "elder_id": ids["甲"], "template": "自理", "party_a_supporter_id": supporter, "party_b_name": "李桂兰",
        "party_b_id_number": make_id("19580304", 15), "party_b_address": "红星村三组", "party_b_phone": "13700003333",
        "term_years": 1, "start_date": "2026-09-05", "hours_per_day": 4, "fee": "每月600元"}, today=SEPT).agreement_id
    agreements.sign(db, agreement, "2026-09-05", today=dt.date(2026, 9, 5))
    hazard = hazards.open_hazard(db, ids["乙"], "2026-10-05", "燃气灶漏气", today=dt.date(2026, 10, 5))
    hazards.record_supporter_told(db, hazard, "2026-10-06", today=dt.date(2026, 10, 6))
    for key in ("甲", "乙"):
        home_visit(db, ids[key], "2026-10-12", dt.date(2026, 10, 12))
    db.ids, db.agreement, db.hazard = ids, agreement, hazard
    return db


def november(db, tmp_path) -> None:
    """What November brings: every kind of change the issue names, all dated in November."""
    ids = db.ids
    risk.record_assessment(db, ids["甲"], date="2026-11-05", assessor="李专干", final_grade="高",
                           override_reason="独居且行动不便", today=dt.date(2026, 11, 5))
    agreements.terminate(db, db.agreement, "2026-11-10", "甲方", "老人随子女进城", for_cause=True,
                         today=dt.date(2026, 11, 10))
    hazards.resolve(db, db.hazard, "2026-11-03", "已更换燃气软管", today=dt.date(2026, 11, 3))
    supporter = elders.supporters_of(db, ids["乙"])[0]["id"]
    later = agreements.save_agreement(db, {
        "elder_id": ids["乙"], "template": "自理", "party_a_supporter_id": supporter, "party_b_name": "王秀",
        "party_b_id_number": make_id("19600101", 17), "party_b_address": "红星村一组", "party_b_phone": "13700004444",
        "term_years": 1, "start_date": "2026-10-01", "hours_per_day": 2}, today=NOV_1).agreement_id
    agreements.sign(db, later, "2026-11-02", today=dt.date(2026, 11, 2))   # a draft all October
    elders.save_elder(db, {"name": "张乙", "id_number": IDS["乙"], "village": "白云村"},       # moved house
                      [{"name": "张乙女", "relation": "女儿", "phone": "13900002222", "away_since": "2019-05"}],
                      elder_id=ids["乙"], today=dt.date(2026, 11, 8))
    elders.change_status(db, ids["丙"], "已去世", "2026-11-12", "病故")
    book = tmp_path / "更正文化程度.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "红星村"
    ws.append(["姓名", "身份证号码", "村（社区）", "文化程度"])
    ws.append(["张甲", IDS["甲"], "红星村", "初中"])
    wb.save(book)
    ledger_import.import_ledger(db, book, today=dt.date(2026, 11, 15))


def entered_late(db) -> None:
    """Facts dated in October but entered in November: they change a live count of October."""
    home_visit(db, db.ids["丙"], "2026-10-20", dt.date(2026, 11, 20))
    risk.record_assessment(db, db.ids["乙"], date="2026-10-30", assessor="李专干", final_grade="高",
                           override_reason="补录", today=dt.date(2026, 11, 20))


def cells(path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def table(path, sheet: str) -> list[dict]:
    rows = cells(path)[sheet]
    header = rows[1]
    return [dict(zip(header, r, strict=True)) for r in rows[2:] if any(v is not None for v in r)]


# ---------------------------------------------------------------- month-end facts


def test_an_unsent_october_is_counted_from_the_facts_of_october_31(ledger, tmp_path):
    from township_desk.models import visitors

    november(ledger, tmp_path)
    new_visitor = visitors.visitor_id(ledger, "王巡访", "13600001111", create=True)
    visitors.assign_elders(ledger, new_visitor, [ledger.ids["甲"]])          # reassigned today
    target = tmp_path / "十月.xlsx"
    export_monthly(ledger, "2026-10", target, today=NOV_30)
    detail = {r["姓名"]: r for r in table(target, "明细表")}
    assert detail["张甲"]["文化程度"] == "小学"                 # corrected in November
    assert (detail["张甲"]["巡访类别"], detail["张甲"]["风险等级"]) == ("一般", "低")   # assessed 高 in November
    assert detail["张丙"]["状态"] == "在册"                     # died in November
    assert detail["张甲"]["巡访责任人"] == "李巡访"               # the visitor of 31 October
    assert (detail["张乙"]["主要赡养人"], detail["张乙"]["赡养人电话"]) == ("张乙子", "13800001111")
    [agreement] = table(target, "互助协议")
    assert agreement["状态"] == "已签订"                         # terminated in November
    [hazard] = table(target, "风险隐患")
    assert hazard["通报赡养人日期"] == "2026-10-06"
    assert hazard["处置日期"] is None and hazard["处置情况"] is None   # resolved in November
    visits_sheet = {r["村（社区）"]: r for r in table(target, "巡访情况")}
    overdue = {village: r["月末逾期未上门人数"] for village, r in visits_sheet.items()}
    assert overdue == {"红星村": 0, "白云村": 1, "合计": 1}   # 甲 is 一般 on 31 October: next visit due 11 November
    assert {village: (r["在册人数"], r["本月上门巡访次数"]) for village, r in visits_sheet.items()} == \
        {"红星村": (2, 2), "白云村": (1, 0), "合计": (3, 2)}   # 乙 moved to 白云村 in November
    assert detail["张乙"]["村（社区）"] == "红星村"
    summary = cells(target)["汇总表"]
    total = next(r for r in summary if r[0] == "合计")
    assert total[1] == 3 and total[11] == 3 and total[12] == 0     # col 1; col 11 小学 = 3, col 12 初中 = 0


def test_november_shows_the_november_facts(ledger, tmp_path):
    november(ledger, tmp_path)
    detail = {r["name"]: r for r in monthly.details(ledger, "2026-11")}
    assert (detail["张甲"]["education"], detail["张甲"]["tier"], detail["张甲"]["risk_grade"]) == ("初中", "重点", "高")
    assert "张丙" not in detail
    assert (detail["张乙"]["supporter"], detail["张乙"]["supporter_phone"]) == ("张乙女", "13900002222")
    assert detail["张乙"]["village"] == "白云村"
    assert {a["name"]: a["status"] for a in monthly.agreements_of_month(ledger, "2026-11")} == \
        {"张甲": "已解除", "张乙": "已签订"}
    assert [h["resolved_on"] for h in monthly.hazards_of_month(ledger, "2026-11")] == ["2026-11-03"]


def test_an_edit_is_dated_the_day_it_was_made(ledger):
    eid = ledger.ids["乙"]
    elders.save_elder(ledger, {"name": "张乙", "id_number": IDS["乙"], "care": "无人照料"}, elder_id=eid,
                      today=dt.date(2026, 11, 2))
    [change] = [h for h in field_history.history_of(ledger, eid) if h["field"] == "care"]
    assert (change["old_value"], change["new_value"], change["effective_on"]) == ("有人照料", "无人照料", "2026-11-02")
    assert field_history.values_on(ledger, "2026-11-01")[eid]["care"] == "有人照料"
    assert eid not in field_history.values_on(ledger, "2026-11-02")
    assert monthly.summary(ledger, "2026-10").total.col(15) == 3      # 有人照料 in October


def test_a_change_dated_before_the_latest_one_keeps_the_chain_in_order(ledger):
    eid = ledger.ids["乙"]
    elders.save_elder(ledger, {"name": "张乙", "id_number": IDS["乙"], "tier": "重点"}, elder_id=eid,
                      today=dt.date(2026, 11, 20))
    risk.record_assessment(ledger, eid, date="2026-11-10", assessor="李专干", final_grade="低",
                           override_reason="复核", today=dt.date(2026, 11, 21))
    assert elders.get_elder(ledger, eid)["tier"] == "一般"
    assert field_history.values_on(ledger, "2026-11-19").get(eid, {}).get("tier") == "一般"
    assert field_history.values_on(ledger, "2026-10-31")[eid]["tier"] == "一般"


def test_grades_and_tiers_of_old_assessments_are_dated_by_the_backfill(db):
    elder = elders.save_elder(db, {"name": "张甲", "id_number": IDS["甲"], "village": "红星村", **COMPLETE},
                              today=dt.date(2026, 1, 5)).elder_id
    db.execute("INSERT INTO assessments(elder_id, date, final_grade, suggested_grade) VALUES (?,?,?,?)",
               [elder, "2026-03-01", "低", "低"])
    db.execute("INSERT INTO assessments(elder_id, date, final_grade, suggested_grade) VALUES (?,?,?,?)",
               [elder, "2026-08-01", "高", "高"])
    db.execute("UPDATE elders SET risk_grade = '高', tier = '重点' WHERE id = ?", [elder])
    field_history.backfill_from_assessments(db, "2026-11-30", {"高": "重点", "中": "重点", "低": "一般"})
    assert field_history.values_on(db, "2026-02-28")[elder] == {"risk_grade": None, "tier": "一般"}
    assert field_history.values_on(db, "2026-07-31")[elder] == {"risk_grade": "低", "tier": "一般"}
    assert elder not in field_history.values_on(db, "2026-08-01")
    assert monthly.details(db, "2026-06")[0]["tier"] == "一般"


def test_migration_8_dates_the_grades_of_a_ledger_written_before_it(db_path):
    from township_desk.models import db as dbm

    database = dbm.connect(db_path)
    elder = elders.save_elder(database, {"name": "张甲", "id_number": IDS["甲"], "village": "红星村", **COMPLETE},
                              today=dt.date(2026, 1, 5)).elder_id
    for day, grade in (("2026-03-01", "低"), ("2026-08-01", "中")):
        database.execute("INSERT INTO assessments(elder_id, date, final_grade, suggested_grade) VALUES (?,?,?,?)",
                         [elder, day, grade, grade])
    database.execute("UPDATE elders SET risk_grade = '中', tier = '重点' WHERE id = ?", [elder])
    database.execute("DELETE FROM elder_field_history")
    from township_desk.models.migrations import STEPS

    database.execute(f"PRAGMA user_version = {STEPS.index('0008_month_facts')}")   # as the step before 8 left it
    step = dbm.latest_version()
    database.close()

    database = dbm.connect(db_path)
    assert dbm.schema_version(database) == step
    assert elders.get_elder(database, elder)["name"] == "张甲"
    june = monthly.details(database, "2026-06")[0]
    assert (june["risk_grade"], june["tier"]) == ("低", "一般")
    september = monthly.details(database, "2026-09")[0]
    assert (september["risk_grade"], september["tier"]) == ("中", "重点")
    database.close()


# ---------------------------------------------------------------- submitting and re-exporting


def test_a_submitted_october_is_written_again_cell_for_cell_after_november(ledger, tmp_path):
    sent = tmp_path / "十月上报.xlsx"
    result = export_monthly(ledger, "2026-10", sent, mode="submit", today=NOV_1)
    assert result.kind == "上报"
    assert result.submission.sha256 == hashlib.sha256(sent.read_bytes()).hexdigest()
    assert result.submission.submitted_by == "李专干"
    before_live = monthly.details(ledger, "2026-10")
    november(ledger, tmp_path)
    entered_late(ledger)
    assert monthly.details(ledger, "2026-10") != before_live       # counted now, October would differ
    again = tmp_path / "十月再导出.xlsx"
    result = export_monthly(ledger, "2026-10", again, today=NOV_30, filled_on=NOV_30)
    assert result.reproduced and result.kind is None
    assert cells(again) == cells(sent)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == result.submission.sha256   # byte for byte
    assert openpyxl.load_workbook(again)["明细表"]["E3"].data_type == "s"   # ID numbers still text


def test_a_sent_month_keeps_its_key_elders_when_the_reading_of_key_changes_and_a_draft_follows(ledger, tmp_path):
    """重点 is the tier the visit plan follows (the record's, or a 重点 rule such as 独居). October sent while the rules
    were off keeps its 巡访情况 and 明细表 cells byte for byte; counted again, October follows the rules."""
    from township_desk.models import group_plans

    with ledger.atomic():
        ledger.execute("UPDATE elders SET lives_alone = 1 WHERE name = '张甲'")  # 独居 all along, graded 低
    group_plans.put(ledger, {}, [])                   # no 重点 rules: the record's tier alone
    sent = tmp_path / "十月上报.xlsx"
    result = export_monthly(ledger, "2026-10", sent, mode="submit", today=NOV_1)
    key_sent = {r["村（社区）"]: r["重点对象数"] for r in table(sent, "巡访情况")}
    assert {r["姓名"]: r["巡访类别"] for r in table(sent, "明细表")}["张甲"] == "一般"
    group_plans.put(ledger, {}, group_plans.KEY_RULES)  # the rules back in force
    again = tmp_path / "十月再导出.xlsx"
    export_monthly(ledger, "2026-10", again, today=NOV_30, filled_on=NOV_30)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == result.submission.sha256
    live = {r["village"]: r["key"] for r in monthly.visits_by_village(ledger, "2026-10")}
    assert live == {**key_sent, "红星村": key_sent["红星村"] + 1, "合计": key_sent["合计"] + 1}  # 甲 is 重点 now
    assert {d["name"]: d["tier"] for d in monthly.details(ledger, "2026-10")}["张甲"] == "重点"


def test_a_file_that_cannot_be_put_in_place_is_not_recorded_as_sent(ledger, tmp_path, monkeypatch):
    from township_desk.models import files

    def held(source, target, **_kw):
        raise PermissionError(13, "held by another program")

    monkeypatch.setattr(files, "replace_file", held)
    with pytest.raises(UserError, match="没有权限写入"):
        export_monthly(ledger, "2026-10", tmp_path / "a.xlsx", mode="submit", today=NOV_1)
    assert submissions.sent_months(ledger) == [] and list(tmp_path.glob("*.xlsx")) == []
    assert audit.entries(ledger, table="monthly_submissions") == []


def test_a_plain_export_takes_no_write_lock(ledger, db_path, tmp_path):
    import sqlite3

    writer = sqlite3.connect(db_path, isolation_level=None)   # another program in the middle of saving
    writer.execute("BEGIN IMMEDIATE")
    try:
        result = export_monthly(ledger, "2026-10", tmp_path / "a.xlsx", today=NOV_1)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.elders == 3


def test_submitting_a_month_twice_is_refused_and_says_how_to_correct(ledger, tmp_path):
    export_monthly(ledger, "2026-10", tmp_path / "a.xlsx", mode="submit", today=NOV_1)
    with pytest.raises(UserError, match="已于.*上报.*--correct"):
        export_monthly(ledger, "2026-10", tmp_path / "b.xlsx", mode="submit", today=NOV_1)
    assert not (tmp_path / "b.xlsx").exists()


def test_a_correction_is_counted_again_audited_titled_and_then_kept(ledger, tmp_path):
    export_monthly(ledger, "2026-10", tmp_path / "a.xlsx", mode="submit", today=NOV_1)
    november(ledger, tmp_path)
    entered_late(ledger)
    with pytest.raises(UserError, match="理由"):
        export_monthly(ledger, "2026-10", tmp_path / "c.xlsx", mode="correct", reason="  ", today=NOV_30)
    fixed = tmp_path / "十月更正.xlsx"
    result = export_monthly(ledger, "2026-10", fixed, mode="correct", reason="补录10月20日上门巡访", today=NOV_30)
    assert result.kind == "更正"
    title = cells(fixed)["汇总表"][0][0]
    assert title == "城关镇农村留守老人基本情况排查汇总表（2026年10月）更正（2026年11月30日）"
    assert all("更正（2026年11月30日）" in rows[0][0] for rows in cells(fixed).values())
    detail = {r["姓名"]: r for r in table(fixed, "明细表")}
    assert detail["张丙"]["最近上门巡访日期"] == "2026-10-20"      # entered late, dated in October
    assert detail["张乙"]["巡访类别"] == "重点"                    # assessed 2026-10-30
    assert detail["张甲"]["文化程度"] == "小学"                    # the November correction stays in November
    entry = audit.entries(ledger, table="monthly_submissions")[0]
    assert entry["action"] == "更正" and "补录10月20日上门巡访" in entry["new_value"]
    assert [(s.month, s.kind) for s in submissions.sent_months(ledger)] == [("2026-10", "更正"), ("2026-10", "上报")]
    again = tmp_path / "十月再导出.xlsx"
    export_monthly(ledger, "2026-10", again, today=NOV_30)
    assert cells(again) == cells(fixed)


def test_correcting_a_month_never_sent_is_refused(ledger, tmp_path):
    with pytest.raises(UserError, match="尚未上报"):
        export_monthly(ledger, "2026-10", tmp_path / "c.xlsx", mode="correct", reason="x", today=NOV_30)


# ---------------------------------------------------------------- months that cannot be reported


def test_a_month_not_over_is_refused_unless_a_draft(ledger, tmp_path):
    target = tmp_path / "十一月.xlsx"
    with pytest.raises(UserError, match="2026年11月尚未结束.*--draft"):
        export_monthly(ledger, "2026-11", target, today=dt.date(2026, 11, 15))
    assert not target.exists()
    result = export_monthly(ledger, "2026-11", target, mode="draft", today=dt.date(2026, 11, 15))
    assert result.kind == "草稿"
    assert cells(target)["汇总表"][0][0] == "城关镇农村留守老人基本情况排查汇总表（2026年11月）草稿（截至2026年11月15日）"
    assert submissions.sent_months(ledger) == []


def test_a_draft_cannot_be_recorded_as_sent(ledger):
    book = submissions.build_book(ledger, "2026-11", note=submissions.draft_note(dt.date(2026, 11, 15)))
    with pytest.raises(UserError, match="草稿不能上报"):
        submissions.record(ledger, book, "上报", "0" * 64)


def test_an_empty_ledger_and_a_month_before_the_ledger_are_refused(db, ledger_free_db, tmp_path):
    settings.put(ledger_free_db, {"township_name": "城关镇"})
    with pytest.raises(UserError, match="台账中还没有老人"):
        export_monthly(ledger_free_db, "2026-10", tmp_path / "a.xlsx", today=NOV_30)
    settings.put(db, {"township_name": "城关镇"})
    elders.save_elder(db, {"name": "张甲", "id_number": IDS["甲"], "village": "红星村", **COMPLETE},
                      today=dt.date(2026, 1, 5))
    with pytest.raises(UserError, match="2025年12月早于台账的开始"):
        export_monthly(db, "2025-12", tmp_path / "b.xlsx", today=NOV_30)
    assert not (tmp_path / "a.xlsx").exists() and not (tmp_path / "b.xlsx").exists()


@pytest.fixture
def ledger_free_db(tmp_path):
    from township_desk.models import db as dbm

    database = dbm.connect(tmp_path / "empty.db")
    yield database
    database.close()


# ---------------------------------------------------------------- the command line


def test_cli_submit_then_export_again_and_correct(ledger, db_path, tmp_path, capsys):
    sent = tmp_path / "上报.xlsx"
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(sent),
                     "--submit", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "上报" and out["submission"]["sha256"] == hashlib.sha256(sent.read_bytes()).hexdigest()
    entered_late(ledger)
    again = tmp_path / "再导出.xlsx"
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(again)]) == 0
    assert "按上报内容原样生成，SHA-256 与上报时一致" in capsys.readouterr().out
    assert cells(again) == cells(sent)
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(again),
                     "--submit"]) == 2
    assert "--correct" in capsys.readouterr().err
    fixed = tmp_path / "更正.xlsx"
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(fixed),
                     "--correct", "补录巡访"]) == 0
    assert "已记录更正" in capsys.readouterr().out
    assert "更正（" in cells(fixed)["汇总表"][0][0]


def test_cli_refuses_a_month_not_over_and_a_submitted_draft(ledger, db_path, tmp_path, capsys):
    today = dt.date.today()
    month = f"{today.year:04d}-{today.month:02d}"
    out = tmp_path / "本月.xlsx"
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", month, "-o", str(out)]) == 2
    assert "尚未结束" in capsys.readouterr().err and not out.exists()
    with pytest.raises(SystemExit) as stop:
        cli.main(["export-monthly", "--db", str(db_path), "--month", month, "-o", str(out), "--draft", "--submit"])
    assert stop.value.code == 2 and not out.exists()
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", month, "-o", str(out), "--draft"]) == 0
    assert "草稿（截至" in cells(out)["汇总表"][0][0]


# ---------------------------------------------------------------- figures elsewhere read what was sent


def test_visit_rate_and_coverage_chart_read_the_submitted_month(ledger, tmp_path):
    export_monthly(ledger, "2026-10", tmp_path / "a.xlsx", mode="submit", today=NOV_1)
    assert submissions.visit_rate(ledger, "2026-10")[:2] == (2, 3)
    entered_late(ledger)                                   # 丙 visited on 2026-10-20, entered in November
    from township_desk.models import schedule

    assert schedule.monthly_visit_rate(ledger, "2026-10")[:2] == (3, 3)
    assert submissions.visit_rate(ledger, "2026-10")[:2] == (2, 3)
    chart = {r.month: r for r in submissions.coverage_by_month(ledger, "2026-11", 12)}
    assert chart["2026-10"].rate == pytest.approx(2 / 3) and chart["2026-10"].source == submissions.SENT
    assert submissions.summary_of(ledger, "2026-10").total.col(1) == 3
    assert submissions.summary_of(ledger, "2026-09") is None


def test_combine_takes_a_correction_and_leaves_out_a_draft(ledger, tmp_path):
    from township_desk.printing.monthly_xlsx import combine_workbooks

    export_monthly(ledger, "2026-10", tmp_path / "上报.xlsx", mode="submit", today=NOV_1)
    fixed = tmp_path / "更正.xlsx"
    export_monthly(ledger, "2026-10", fixed, mode="correct", reason="补录", today=NOV_30)
    draft = tmp_path / "草稿.xlsx"
    export_monthly(ledger, "2026-10", draft, mode="draft", today=NOV_30)
    result = combine_workbooks([fixed, draft], tmp_path / "县.xlsx", county="某县")
    assert [s.included for s in result.sources] == [True, False]
    assert "草稿" in result.sources[1].message
    assert result.rows[-1].col(1) == 3


def test_a_value_that_was_empty_on_the_day_reads_as_empty_not_as_todays(ledger):
    """A field first filled in later (no visitor assigned, never assessed) was empty on the earlier day: the SQL
    reading of the day must say NULL there, as values_on does, not the value the record holds today."""
    eid = ledger.ids["丙"]
    ledger.execute("UPDATE elders SET ability_level = NULL WHERE id = ?", [eid])
    with ledger.atomic():
        field_history.record(ledger, eid, [("ability_level", None, 3)], "2026-11-15", "测试")
        ledger.execute("UPDATE elders SET ability_level = 3 WHERE id = ?", [eid])
    assert field_history.values_on(ledger, "2026-11-01")[eid]["ability_level"] is None
    on_day = f"SELECT {field_history.on_day_sql('ability_level')} FROM elders e WHERE e.id = :id"
    assert ledger.execute(on_day, {"day": "2026-11-01", "id": eid}).fetchone()[0] is None
    assert ledger.execute(on_day, {"day": "2026-11-20", "id": eid}).fetchone()[0] == 3


def test_the_left_behind_sheets_leave_out_city_elders_that_the_care_sheet_counts(ledger, tmp_path):
    """A 城市独居 elder (city household) on the ledger is visited like everyone, but is no 留守老人: the 汇总表,
    明细表, 巡访情况, 风险隐患 and 互助协议 of the county's 留守 form leave them out; a group export keeps them."""
    city = elders.save_elder(
        ledger, {"name": "城东甲", "id_number": make_id("19450606", 21), "village": "红星村", **COMPLETE,
                 "spouse": "一方健在", "rural_hukou": 0, "lives_alone": 1},
        [{"name": "城东甲子", "relation": "儿子", "phone": "13800002222", "away_since": "2018-03"}],
        today=dt.date(2026, 1, 5)).elder_id
    home_visit(ledger, city, "2026-10-13", dt.date(2026, 10, 13))
    hazards.open_hazard(ledger, city, "2026-10-07", "电线老化", today=dt.date(2026, 10, 7))
    summary = monthly.summary(ledger, "2026-10")
    assert summary.total.col(1) == 3
    assert [r["name"] for r in monthly.details(ledger, "2026-10")] == ["张甲", "张乙", "张丙"]
    assert "城东甲" in [r["name"] for r in monthly.details(ledger, "2026-10", left_behind_only=False)]
    [red_star] = [r for r in monthly.visits_by_village(ledger, "2026-10") if r["village"] == "红星村"]
    assert (red_star["on_ledger"], red_star["home_visits"], red_star["visited"], red_star["hazards"]) == (2, 2, 2, 1)
    assert [h["name"] for h in monthly.hazards_of_month(ledger, "2026-10")] == ["张乙"]
