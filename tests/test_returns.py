"""The visit return workbook (巡访回执表): made for a village, filled with openpyxl as a visitor would (text dates,
values typed by hand, a re-sorted sheet, blank rows), imported; the overdue list and the month's rate move exactly
as the filled rows say, a second import adds nothing, and files of another township or month are refused."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import openpyxl
import pytest

from tests.conftest import make_id
from township_desk.models import (
    audit,
    elders,
    hazards,
    monthly,
    returns,
    schedule,
    settings,
    villages,
    visitors,
)
from township_desk.models.errors import UserError
from township_desk.printing.returns_xlsx import write_returns

TODAY = dt.date(2026, 11, 22)
MONTH = "2026-10"
GOOD = {"表达能力": "良", "行动能力": "良", "疾病状况": "中", "情绪状态": "良", "思维状态": "优", "压力状态": "良",
        "燃气": "安全", "取暖": "安全", "用电": "安全"}


@pytest.fixture
def ledger(db):
    settings.put(db, {"township_name": "青山镇"})
    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "绿水村"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    people = {}
    for seq, (name, tier, village, entered) in enumerate([
            ("张德福", "重点", "青山村", "2026-01-05"), ("李秀英", "一般", "青山村", "2026-01-05"),
            ("王大山", "一般", "青山村", "2026-10-20"), ("赵桂兰", "一般", "绿水村", "2026-01-05")], start=1):
        people[name] = elders.save_elder(db, {"name": name, "id_number": make_id("19500312", seq * 2 + 1),
                                              "village": village, "tier": tier, "visitor": "王村官",
                                              "entered_on": entered}, today=TODAY).elder_id
    db.people = people
    return db


def make(db, tmp_path, name="回执.xlsx", **kw):
    kw.setdefault("village", "青山村")
    return write_returns(db, kw.pop("month", MONTH), tmp_path / name, today=TODAY, **kw).path


def data_rows(ws):
    """(row number, {heading: cell}) of every row under the header, the header found by its 巡访日期 heading."""
    header = next(r for r in range(1, 10) if any(c.value == "巡访日期" for c in ws[r]))
    names = {c.column: c.value for c in ws[header] if c.value}
    for r in range(header + 1, ws.max_row + 1):
        yield r, {names[c.column]: c for c in ws[r] if c.column in names}


def fill(path, entries, *, resort=False, blank_rows=0):
    """Fill the first free row of each named elder as a visitor would: ``entries`` is a list of (name, {heading:
    value}). ``resort`` sorts the data rows by name (whole rows, key column with them) and ``blank_rows`` inserts
    empty rows between them, as a village clerk in WPS might."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    used = set()
    for name, values in entries:
        row = next(cells for r, cells in data_rows(ws) if cells["姓名"].value == name and r not in used
                   and not used.add(r))
        for heading, value in values.items():
            row[heading].value = value
    if resort or blank_rows:
        header = next(r for r in range(1, 10) if any(c.value == "巡访日期" for c in ws[r]))
        rows = [[c.value for c in ws[r]] for r in range(header + 1, ws.max_row + 1)]
        filled = [r for r in rows if r[2]]
        if resort:
            filled.sort(key=lambda r: (str(r[2]), str(r[8] or "")), reverse=True)
        out = []
        for r in filled:
            out.append(r)
            out += [[None] * len(r)] * blank_rows
        ws.delete_rows(header + 1, ws.max_row)
        for offset, values in enumerate(out, start=1):
            for col, value in enumerate(values, start=1):
                ws.cell(header + offset, col).value = value
    wb.save(path)
    return path


def stage(db, *paths, **kw):
    return returns.stage_returns(db, [returns.read_return(p) for p in paths], today=TODAY, **kw)


def import_files(db, *paths, open_hazards=False, **kw):
    return returns.import_returns(db, stage(db, *paths, **kw), open_hazards=open_hazards, today=TODAY)


def overdue_names(db, day):
    return {i.name for i in schedule.overdue(db, day, kinds=("home",), village="青山村")}


def visit_count(db):
    return db.execute("SELECT COUNT(*) FROM live_visits").fetchone()[0]


# ---------------------------------------------------------------- the round trip


def test_round_trip_moves_the_overdue_list_and_the_rate_exactly_as_the_rows_say(ledger, tmp_path):
    db = ledger
    path = make(db, tmp_path)
    before_overdue = overdue_names(db, "2026-10-31")
    assert before_overdue == {"张德福", "李秀英"}      # 王大山 entered on 10-20: his first visit is due in November
    assert schedule.monthly_visit_rate(db, MONTH)[:2] == (0, 4)
    qingshan = {r["village"]: r for r in monthly.visits_by_village(db, MONTH)}["青山村"]
    assert (qingshan["home_visits"], qingshan["remote_visits"], qingshan["visited"]) == (0, 0, 0)
    fill(path, [("张德福", {"巡访日期": "2026.10.5", "方式": "上门", **GOOD}),
                ("张德福", {"巡访日期": "10月20日", "方式": "上门巡访", **GOOD, "表达能力": "良好"}),
                ("李秀英", {"巡访日期": dt.datetime(2026, 10, 15), "方式": "电话"}),
                ("王大山", {"巡访日期": "2026年10月28日", "方式": "上门", **GOOD})],
         resort=True, blank_rows=2)

    result = import_files(db, path)

    assert (result.visits, result.skipped, result.problems) == (3 + 1, 0, [])
    assert overdue_names(db, "2026-10-31") == {"李秀英"}   # a call is not a home visit
    assert schedule.monthly_visit_rate(db, MONTH)[:2] == (2, 4)  # 张德福 and 王大山 visited at home
    qingshan = {r["village"]: r for r in monthly.visits_by_village(db, MONTH)}["青山村"]  # the county workbook's
    assert (qingshan["home_visits"], qingshan["remote_visits"], qingshan["visited"]) == (3, 1, 2)
    stored = {(r[0], r[1], r[2]) for r in db.execute(
        "SELECT e.name, vs.date, vs.mode FROM live_visits vs JOIN elders e ON e.id = vs.elder_id")}
    assert stored == {("张德福", "2026-10-05", "上门"), ("张德福", "2026-10-20", "上门"),
                      ("李秀英", "2026-10-15", "电话"), ("王大山", "2026-10-28", "上门")}
    assert db.execute("SELECT expression FROM visits WHERE date = '2026-10-20'").fetchone()[0] == "良"
    entry = audit.entries(db, table="visits")[0]
    assert entry["action"] == "登记巡访" and "（来自 回执.xlsx）" in entry["new_value"]


def test_importing_the_same_file_twice_adds_nothing(ledger, tmp_path):
    db = ledger
    path = fill(make(db, tmp_path), [("张德福", {"巡访日期": "2026-10-05", "方式": "上门", **GOOD}),
                                     ("李秀英", {"巡访日期": "2026-10-06", "方式": "视频"})])
    assert import_files(db, path).visits == 2
    count, rate = visit_count(db), schedule.monthly_visit_rate(db, MONTH)
    again = import_files(db, path)
    assert (again.visits, again.skipped, again.problems) == (0, 2, [])
    assert all(o.status == "skip" and "已经登记过" in o.message for o in again.outcomes)
    assert (visit_count(db), schedule.monthly_visit_rate(db, MONTH)) == (count, rate)


def test_a_visit_already_on_file_by_another_visitor_is_skipped_not_duplicated(ledger, tmp_path):
    from township_desk.models import visits

    db = ledger
    visits.record_visit(db, db.people["张德福"], {"date": "2026-10-05", "mode": "上门", "visitor_name": "民政专干"},
                        today=TODAY)
    path = fill(make(db, tmp_path), [("张德福", {"巡访日期": "2026-10-05", "方式": "上门", **GOOD})])
    result = import_files(db, path)
    assert (result.visits, result.skipped) == (0, 1)
    assert visit_count(db) == 1


def test_the_same_contact_written_twice_in_one_file_is_recorded_once(ledger, tmp_path):
    db = ledger
    path = fill(make(db, tmp_path), [("张德福", {"巡访日期": "2026-10-05", "方式": "上门", **GOOD}),
                                     ("张德福", {"巡访日期": "10.5", "方式": "上门", **GOOD})])
    result = import_files(db, path)
    assert (result.visits, result.skipped) == (1, 1)
    assert "是同一次巡访" in [o for o in result.outcomes if o.status == "skip"][0].message


def test_a_contact_written_in_the_open_rows_below_is_found_by_name_and_id_tail(ledger, tmp_path):
    db = ledger
    path = make(db, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    r, cells = next((r, c) for r, c in data_rows(ws) if c["姓名"].value is None)
    assert cells["姓名"].protection.locked is False and cells["行键"].protection.locked is True
    tail = make_id("19500312", 3)[-4:]
    for heading, value in {"姓名": "张德福", "身份证号码": tail, "巡访日期": "10月9日", "方式": "电话"}.items():
        cells[heading].value = value
    wb.save(path)
    result = import_files(db, path)
    assert result.visits == 1 and result.outcomes[0].name == "张德福"


# ---------------------------------------------------------------- problems on a row


def test_each_problem_is_reported_on_its_row_and_the_good_rows_still_go_in(ledger, tmp_path):
    db = ledger
    path = fill(make(db, tmp_path), [
        ("张德福", {"巡访日期": "2026-09-30", "方式": "上门", **GOOD}),              # outside the month
        ("王大山", {"巡访日期": "10月5日", "方式": "电话"}),                         # before he entered (10-20)
        ("李秀英", {"巡访日期": "2026-10-08", "方式": "上门", "表达能力": "良"}),    # ratings missing
        ("张德福", {"巡访日期": "2026-10-09", "方式": "上门", **GOOD, "燃气": "漏气"}),  # not an option
        ("李秀英", {"巡访日期": "10.12", "方式": "电话"}),                            # good
    ])
    result = import_files(db, path)
    messages = sorted(p.message for p in result.problems)
    assert result.visits == 1 and len(messages) == 4
    assert any("2026-09-30 不在本回执表的月份（2026-10）内" in m for m in messages)
    assert any("早于王大山纳入台账的日期 2026-10-20" in m for m in messages)
    assert any(m.startswith("上门巡访须填写行动能力、疾病状况") for m in messages)
    assert any("燃气“漏气”不在可选范围：安全、不安全" in m for m in messages)
    assert all(p.row > 3 and p.sheet == "回执.xlsx › 青山村" for p in result.problems)


def test_a_visit_after_the_elder_died_is_a_problem(ledger, tmp_path):
    db = ledger
    path = fill(make(db, tmp_path), [("李秀英", {"巡访日期": "2026-10-25", "方式": "电话"})])
    elders.change_status(db, db.people["李秀英"], "已去世", "2026-10-20", "病故")
    result = import_files(db, path)
    assert result.visits == 0 and "已于 2026-10-20 已去世" in result.problems[0].message


def test_a_changed_row_key_or_a_half_sorted_sheet_is_refused_on_that_row(ledger, tmp_path):
    db = ledger
    path = fill(make(db, tmp_path), [("张德福", {"巡访日期": "2026-10-05", "方式": "电话"}),
                                     ("李秀英", {"巡访日期": "2026-10-06", "方式": "电话"})])
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = {c["姓名"].value: c for r, c in data_rows(ws) if c["巡访日期"].value}
    rows["张德福"]["行键"].value = "999-deadbeef"
    rows["李秀英"]["姓名"].value = "王大山"  # only some columns sorted: the name no longer matches the key
    wb.save(path)
    result = import_files(db, path)
    assert result.visits == 0
    text = " ".join(p.message for p in result.problems)
    assert "行键“999-deadbeef”不属于本回执表" in text and "本行姓名“王大山”与行键对应的老人“李秀英”不符" in text


def test_a_rating_that_finds_a_problem_proposes_a_hazard_opened_only_when_confirmed(ledger, tmp_path):
    db = ledger
    path = fill(make(db, tmp_path), [("张德福", {"巡访日期": "2026-10-05", "方式": "上门", **GOOD, "燃气": "不安全",
                                                "发现的问题": "灶台旁堆柴", "已通报赡养人": "是"})])
    result = import_files(db, path)
    assert [o.hazard for o in result.hazards_proposed] == ["燃气不安全；灶台旁堆柴"]
    assert result.hazards_opened == [] and hazards.list_hazards(db) == []
    again = import_files(db, path, open_hazards=True)  # the visit is on file: only the hazard is added
    assert again.visits == 0 and len(again.hazards_opened) == 1
    (hazard,) = hazards.list_hazards(db)
    assert (hazard["description"], hazard["found_on"], hazard["supporter_told_on"]) == (
        "燃气不安全；灶台旁堆柴", "2026-10-05", "2026-10-05")
    assert import_files(db, path).hazards_proposed == []  # proposed once


# ---------------------------------------------------------------- refused files


def test_a_file_of_another_township_is_refused(ledger, tmp_path):
    from township_desk.models import db as dbm

    other = dbm.connect(tmp_path / "other.db")
    settings.put(other, {"township_name": "绿水镇"})
    villages.save_village(other, {"name": "青山村"})
    elders.save_elder(other, {"name": "张德福", "id_number": make_id("19500312", 3), "village": "青山村",
                              "entered_on": "2026-01-05"}, today=TODAY)
    path = make(other, tmp_path, "绿水镇.xlsx")
    other.close()
    with pytest.raises(UserError, match="是绿水镇生成的回执表，不是青山镇的"):
        stage(ledger, path)


def test_a_file_of_another_month_is_refused_when_the_month_is_given(ledger, tmp_path):
    path = make(ledger, tmp_path, month="2026-09")
    with pytest.raises(UserError, match="是 2026-09 的回执表，不是 2026-10 的"):
        stage(ledger, path, month="2026-10")


def test_a_workbook_that_is_not_a_return_is_refused(ledger, tmp_path):
    path = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "姓名"
    wb.save(path)
    with pytest.raises(UserError, match="不是本程序生成的巡访回执表"):
        returns.read_return(path)


def test_a_workbook_reaching_far_away_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "远.xlsx"
    wb = openpyxl.Workbook()
    wb.active["XFD900000"] = "x"
    wb.save(path)
    import python_calamine

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path",
                        lambda *_a: pytest.fail("calamine opened the file before the guard refused it"))
    with pytest.raises(UserError):
        returns.read_return(path)


# ---------------------------------------------------------------- the workbook itself


def test_the_workbook_is_prefilled_locked_with_drop_downs_and_a_hidden_identity(ledger, tmp_path):
    db = ledger
    settings.put(db, {"township_name": "=1+1镇"})
    path = make(db, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["青山村"]
    assert ws.protection.sheet and ws.column_dimensions["A"].hidden
    rows = [c for _r, c in data_rows(ws) if c["姓名"].value]
    assert [c["姓名"].value for c in rows].count("张德福") == 3 and [c["姓名"].value for c in rows].count("李秀英") == 2
    first = next(c for c in rows if c["姓名"].value == "张德福")
    full = make_id("19500312", 3)
    assert first["身份证号码"].value == full[:4] + "*" * 10 + full[-4:]
    assert first["姓名"].protection.locked
    for heading in ("巡访日期", "方式", "燃气", "备注"):  # unlocked as columns: their empty cells are not written
        assert ws.column_dimensions[first[heading].column_letter].protection.locked is False, heading
    assert first["巡访类别"].value == "重点" and first["巡访责任人"].value == "王村官"
    assert first["本月应上门"].value.startswith("已逾期")
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert {'"上门,电话,视频"', '"优,良,中,差"', '"安全,不安全"', '"有需求,无需求"', '"有人照料,无人照料"',
            '"是,否"'} <= lists
    info = wb[returns.INFO_SHEET]
    assert info.sheet_state == "hidden"
    assert info["B3"].value == "=1+1镇" and info["B3"].data_type == "s"   # text, never a formula
    assert "绿水村" not in wb.sheetnames


def test_full_ids_only_when_asked(ledger, tmp_path):
    path = make(ledger, tmp_path, full_ids=True)
    ws = openpyxl.load_workbook(path)["青山村"]
    assert make_id("19500312", 3) in [c["身份证号码"].value for _r, c in data_rows(ws)]


def test_without_a_village_every_village_gets_its_sheet(ledger, tmp_path):
    path = make(ledger, tmp_path, village=None)
    assert openpyxl.load_workbook(path).sheetnames == ["青山村", "绿水村", returns.INFO_SHEET]


def test_an_unknown_village_or_visitor_writes_nothing(ledger, tmp_path):
    with pytest.raises(UserError, match="没有名为“白云村”的村"):
        make(ledger, tmp_path, village="白云村")
    with pytest.raises(UserError, match="没有名为“孙悟空”的巡访责任人"):
        make(ledger, tmp_path, visitor="孙悟空")
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*tmp*"))


# ---------------------------------------------------------------- the command line


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "township_desk", *args], capture_output=True, text=True,
                          encoding="utf-8")


def test_cli_make_and_import_with_json(ledger, db_path, tmp_path):
    out = tmp_path / "青山村回执.xlsx"
    made = run_cli("returns", "make", "--db", str(db_path), "--month", MONTH, "--village", "青山村", "-o", str(out))
    assert made.returncode == 0, made.stderr
    fill(out, [("张德福", {"巡访日期": "2026.10.5", "方式": "上门", **GOOD, "用电": "不安全"}),
               ("李秀英", {"巡访日期": "2026-10-40", "方式": "电话"})])
    dry = run_cli("returns", "import", "--db", str(db_path), str(out), "--dry-run", "--json")
    assert dry.returncode == 1 and json.loads(dry.stdout)["visits"] == 1
    assert visit_count(ledger) == 0
    done = run_cli("returns", "import", "--db", str(db_path), str(out), "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert (report["visits"], report["skipped"]) == (1, 1)
    assert report["problems"][0]["severity"] == "error" and "日期“2026-10-40”" in report["problems"][0]["message"]
    assert report["hazards"][0]["description"] == "用电不安全" and report["hazards"][0]["opened"] is False
    assert visit_count(ledger) == 1 and hazards.list_hazards(ledger) == []


def test_cli_refuses_another_month_with_exit_2_and_writes_nothing(ledger, db_path, tmp_path):
    out = tmp_path / "九月.xlsx"
    assert run_cli("returns", "make", "--db", str(db_path), "--month", "2026-09", "-o", str(out)).returncode == 0
    refused = run_cli("returns", "import", "--db", str(db_path), str(out), "--month", "2026-10")
    assert refused.returncode == 2 and "不是 2026-10 的" in refused.stderr and "Traceback" not in refused.stderr


def test_cli_make_refuses_the_database_as_output(ledger, db_path):
    refused = run_cli("returns", "make", "--db", str(db_path), "--month", MONTH, "-o", str(db_path))
    assert refused.returncode == 2 and "台账数据库" in refused.stderr


def test_the_due_dates_on_the_return_are_the_overdue_rules(ledger):
    plan = returns.return_plan(ledger, "2026-11", village="青山村", today=TODAY)
    shown = {p.name: p.overdue_since or p.home_due[0] for p in plan.villages["青山村"]}
    late = {i.name: i.due_date for i in schedule.overdue(ledger, TODAY, kinds=("home",), village="青山村")}
    assert late and {name: shown[name] for name in late} == late


def test_an_elder_without_a_visitor_needs_the_visitor_written(ledger, tmp_path):
    db = ledger
    with db.atomic():
        db.execute("UPDATE elders SET visitor_id = NULL WHERE id = ?", [db.people["李秀英"]])
    path = fill(make(db, tmp_path), [("李秀英", {"巡访日期": "2026-10-06", "方式": "电话"}),
                                     ("李秀英", {"巡访日期": "2026-10-07", "方式": "电话", "巡访人员": "志愿者小陈"})])
    result = import_files(db, path)
    assert result.visits == 1 and result.problems[0].message == "请填写巡访人员（李秀英尚未指定巡访责任人）"
    assert db.execute("SELECT visitor_name FROM visits").fetchone()[0] == "志愿者小陈"


@pytest.mark.parametrize("typed", ["2026.11.5", "2026/11/05", "2026年11月5日", "20261105", "11月5日", "11月5号", "11.5",
                                   "11-5", "5日", "２０２６．１１．５", 46331, 46331.0, dt.datetime(2026, 11, 5, 9, 30),
                                   " 2026-11-05 "])
def test_a_visit_date_is_read_in_every_form_a_village_types_it(typed):
    assert returns.parse_visit_date(typed, "2026-11") == dt.date(2026, 11, 5)


@pytest.mark.parametrize(("typed", "options", "meant"), [
    ("上门巡访", ("上门", "电话", "视频"), "上门"), (" 微信视频 ", ("上门", "电话", "视频"), "视频"),
    ("良好", ("优", "良", "中", "差"), "良"), ("□差", ("优", "良", "中", "差"), "差"),
    ("无", ("有需求", "无需求"), "无需求"), ("无人", ("有人照料", "无人照料"), "无人照料"),
    ("飞鸽", ("上门", "电话", "视频"), None), ("", ("优", "良", "中", "差"), "")])
def test_drop_down_values_typed_by_hand_are_understood(typed, options, meant):
    assert returns._choice(typed, options) == meant
