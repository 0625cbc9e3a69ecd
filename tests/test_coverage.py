"""The 探访关爱 sheet (month coverage per village and visit group) on a real SQLite file and real .xlsx files read
back: figures recounted here from the raw tables, the 27-column 汇总表 byte for byte as before the sheet existed,
the county's combine summing it, ``export-monthly --group``, and months that stay as they were."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import coverage_ledger
from township_desk import cli
from township_desk.models import coverage, elders, groups, settings, submissions, villages
from township_desk.printing.monthly_xlsx import combine_workbooks, export_monthly

DATA = Path(__file__).parent / "data"
LAST = dt.date(2026, 10, 31)


@pytest.fixture
def ledger(db):
    coverage_ledger.build(db)
    return db


def eid(db, name: str) -> int:
    return db.execute("SELECT id FROM elders WHERE name = ?", [name]).fetchone()[0]


def sheet_lines(path: Path, sheet: str = "探访关爱") -> dict[tuple[str, str], list]:
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[1][:8]) == [label for _k, label in coverage.COLUMNS] or rows[1][0] == "乡镇（街道）"
    return {(r[0], r[1]): list(r[2:8]) for r in rows[2:] if r[0] and r[1]}


def recount(db) -> dict[tuple[str, str], list]:
    """The sheet's figures from the raw tables (elders, status_changes, supporters, visits), not through
    ``coverage``: who was 在册 on 31 October, their groups (``groups.memberships``), the plan's tier by seed 003's
    rules, any contact and home visits dated in October, and overdue by the plan's intervals."""
    present = {}
    for row in db.execute("SELECT e.*, v.name AS village FROM elders e JOIN villages v ON v.id = e.village_id"):
        e = dict(zip([d[0] for d in db.execute("SELECT e.*, v.name AS village FROM elders e JOIN villages v"
                                               " ON v.id = e.village_id LIMIT 0").description], row, strict=True))
        change = db.execute("SELECT new_status FROM status_changes WHERE elder_id = ? AND date <= ? ORDER BY date DESC,"
                            " id DESC LIMIT 1", [e["id"], LAST.isoformat()]).fetchone()
        if (change[0] if change else "在册") == "在册":
            present[e["id"]] = e
    verdicts = groups.memberships(db, LAST)
    totals: dict[tuple[str, str], list] = {}
    for elder_id, e in present.items():
        visits = db.execute("SELECT date, mode FROM visits WHERE elder_id = ? AND voided_at IS NULL",
                            [elder_id]).fetchall()
        october = [(d, m) for d, m in visits if "2026-10-01" <= d <= "2026-10-31"]
        supporters = db.execute("SELECT is_away FROM supporters WHERE elder_id = ?", [elder_id]).fetchall()
        born = dt.date.fromisoformat(e["birth_date"])
        aged = (LAST.year - born.year - ((LAST.month, LAST.day) < (born.month, born.day))) >= 80
        no_family = bool(supporters) and all(s[0] for s in supporters) and e["care"] == "无人照料"
        key = e["tier"] == "重点" or aged or (e["ability_level"] or 0) >= 2 or e["lives_alone"] or no_family
        homes = [d for d, m in visits if m == "上门" and d <= "2026-10-31"]
        base = max([e["entered_on"], *homes])
        due = dt.date.fromisoformat(base) + dt.timedelta(days=15 if key else 30)
        figures = [1, int(bool(key)), int(bool(october)), int(any(m == "上门" for _d, m in october)),
                   int(LAST > due)]
        names = [m.group for m in verdicts[elder_id] if m.member] + [coverage.ALL_LABEL]
        for place in (e["village"], "合计"):
            for name in names:
                line = totals.setdefault((place, name), [0] * 5)
                totals[(place, name)] = [a + b for a, b in zip(line, figures, strict=True)]
    return {k: [*v[:4], round(100 * v[2] / v[0], 1), v[4]] for k, v in totals.items()}


def test_the_sheet_figures_are_what_the_raw_tables_say(ledger, tmp_path):
    target = tmp_path / "月报.xlsx"
    result = export_monthly(ledger, "2026-10", target, filled_on=coverage_ledger.FILLED_ON,
                            today=coverage_ledger.TODAY)
    assert result.sheets == ("汇总表", "明细表", "巡访情况", "探访关爱", "风险隐患", "互助协议")
    assert load_workbook(target).sheetnames == list(result.sheets)
    lines = sheet_lines(target)
    expected = recount(ledger)
    assert {k: v for k, v in lines.items() if v[0]} == expected  # every line with anyone in it, and no other
    # the figures a clerk reads first
    assert lines[("合计", "全部巡访对象")] == [8, 5, 6, 3, 75.0, 6]
    assert lines[("城东社区", "城市独居")] == [2, 2, 1, 0, 50.0, 2]
    assert lines[("合计", "特殊困难")] == [1, 1, 1, 1, 100.0, 1]
    assert ("青山村", "全部巡访对象") in lines and ("白鹤村", "城市独居") not in lines
    assert lines[("合计", "重残")] == [0, 0, 0, 0, None, 0]  # every group has its 合计 line
    ws = load_workbook(target)["探访关爱"]
    assert ws["A1"].value == "城关镇巡访对象探访关爱情况（2026年10月）"
    total = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    assert ws.cell(total, 7).number_format == "0.0" and ws.cell(total, 1).font.bold  # 75.0, the 合计 lines bold
    assert not ws.cell(3, 1).font.bold


def test_the_27_column_summary_is_byte_for_byte_as_before_the_sheet_existed(ledger, tmp_path):
    """``tests/data/summary_before.xml`` was written for this ledger by the code before the 探访关爱 sheet, then
    again when the 留守 sheets stopped counting city elders: the only cells that changed were 城东社区's (its three
    city elders, 3 → 0) and 合计 (each column 3 less), so the layout is still the one sent before."""
    assert coverage_ledger.summary_xml(ledger, tmp_path / "月报.xlsx") == (DATA / "summary_before.xml").read_bytes()


def test_combine_sums_the_sheet_per_group_over_the_townships(ledger, db_path, tmp_path):
    first = tmp_path / "城关镇.xlsx"
    export_monthly(ledger, "2026-10", first, filled_on=coverage_ledger.FILLED_ON, today=coverage_ledger.TODAY)
    settings.put(ledger, {"township_name": "龙池镇"})
    elder_id = eid(ledger, "留守丁")
    ledger.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, '2026-10-30', '上门', '李')",
                   [elder_id])
    second = tmp_path / "龙池镇.xlsx"
    export_monthly(ledger, "2026-10", second, filled_on=coverage_ledger.FILLED_ON, today=coverage_ledger.TODAY)
    county = tmp_path / "县.xlsx"
    result = combine_workbooks([first, second], county, county="峨眉山市")
    assert not result.care_left_out
    a, b, c = sheet_lines(first), sheet_lines(second), sheet_lines(county)
    assert c[("城关镇", "全部巡访对象")] == a[("合计", "全部巡访对象")]
    assert c[("龙池镇", "农村留守")] == b[("合计", "农村留守")]
    for name in (*groups.GROUPS, coverage.ALL_LABEL):
        x, y = a[("合计", name)], b[("合计", name)]
        people, contacted = x[0] + y[0], x[2] + y[2]
        assert c[("合计", name)] == [people, x[1] + y[1], contacted, x[3] + y[3],
                                    round(100 * contacted / people, 1) if people else None, x[5] + y[5]]
    assert c[("合计", "全部巡访对象")][:4] == [16, 10, 12, 7]
    assert load_workbook(county).sheetnames == ["汇总表", "来源文件", "探访关爱"]


def test_combine_names_a_file_without_the_sheet_and_leaves_it_out_of_those_sums(ledger, tmp_path):
    first = tmp_path / "城关镇.xlsx"
    export_monthly(ledger, "2026-10", first, filled_on=coverage_ledger.FILLED_ON, today=coverage_ledger.TODAY)
    old = tmp_path / "龙池镇（旧版）.xlsx"
    wb = load_workbook(first)
    del wb["探访关爱"]
    ws = wb["汇总表"]
    ws["A1"] = ws["A1"].value.replace("城关镇", "龙池镇")
    wb.save(old)
    county = tmp_path / "县.xlsx"
    result = combine_workbooks([first, old], county, county="峨眉山市")
    assert [s.township for s in result.included] == ["城关镇", "龙池镇"]  # its 汇总表 is summed all the same
    c = sheet_lines(county)
    assert c[("合计", "全部巡访对象")] == sheet_lines(first)[("合计", "全部巡访对象")]
    texts = [r[0] for r in load_workbook(county)["探访关爱"].iter_rows(values_only=True) if r[0]]
    assert "龙池镇（旧版）.xlsx（龙池镇）：没有“探访关爱”工作表，未计入本表" in texts


def test_export_monthly_group_writes_that_groups_lines_and_members_only(ledger, db_path, tmp_path, capsys):
    target = tmp_path / "城市独居.xlsx"
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(target),
                     "--group", "城市独居", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["group"], out["elders"], out["sheets"]) == ("城市独居", 2, ["探访关爱", "明细表"])
    wb = load_workbook(target)
    assert wb.sheetnames == ["探访关爱", "明细表"]  # no 汇总表: that is the county's 留守 form
    assert sheet_lines(target) == {("城东社区", "城市独居"): [2, 2, 1, 0, 50.0, 2],
                                   ("合计", "城市独居"): [2, 2, 1, 0, 50.0, 2]}
    names = [r[2] for r in wb["明细表"].iter_rows(min_row=3, values_only=True) if r[2]]
    assert sorted(names) == ["城市己", "城市庚"]
    assert wb["明细表"]["A1"].value == "城关镇城市独居老人明细表（2026年10月）"
    # never sent, and an unknown group is refused with one line
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(tmp_path / "x.xlsx"),
                     "--group", "城市独居", "--submit"]) == 2
    assert "不能上报" in capsys.readouterr().err
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(tmp_path / "y.xlsx"),
                     "--group", "外星人"]) == 2
    assert "巡访对象类别“外星人”不存在" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()
    assert submissions.latest(ledger, "2026-10") is None


def test_a_months_coverage_reads_the_facts_of_its_last_day(ledger):
    before = [r.as_dict() for r in coverage.month_coverage(ledger, "2026-10")]
    # November: someone moves village and becomes 失能, another goes 暂离 and is visited
    city = eid(ledger, "城市庚")
    left = eid(ledger, "留守甲")
    villages.save_village(ledger, {"name": "新村"})
    elders.save_elder(ledger, {"name": "留守甲", "id_number": elders.get_elder(ledger, left)["id_number"],
                               "village": "新村", "ability_level": 4}, elder_id=left, today=dt.date(2026, 11, 10))
    elders.change_status(ledger, city, "暂离", "2026-11-05", "住院")
    ledger.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, '2026-11-02', '上门', '李')",
                   [city])
    after = [r.as_dict() for r in coverage.month_coverage(ledger, "2026-10")]
    assert [r for r in after if r["village"] != "新村"] == before


def test_a_sent_month_is_written_again_as_sent_with_its_sheet(ledger, tmp_path):
    sent = tmp_path / "上报.xlsx"
    export_monthly(ledger, "2026-10", sent, mode="submit", filled_on=coverage_ledger.FILLED_ON,
                   today=coverage_ledger.TODAY)
    elder_id = eid(ledger, "留守丙")
    ledger.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, '2026-10-30', '电话', '李')",
                   [elder_id])
    again = tmp_path / "再次.xlsx"
    result = export_monthly(ledger, "2026-10", again, today=coverage_ledger.TODAY)
    assert result.reproduced and again.read_bytes() == sent.read_bytes()
    assert sheet_lines(again)[("合计", "全部巡访对象")] == [8, 5, 6, 3, 75.0, 6]  # the late call is not in it


def test_a_month_sent_before_the_sheet_existed_is_written_again_without_it(ledger, tmp_path):
    sent = tmp_path / "上报.xlsx"
    export_monthly(ledger, "2026-10", sent, mode="submit", filled_on=coverage_ledger.FILLED_ON,
                   today=coverage_ledger.TODAY)
    payload = json.loads(submissions.latest(ledger, "2026-10").payload)
    del payload["sheets"]["探访关爱"]  # what a payload recorded by the earlier program holds
    ledger.execute("UPDATE monthly_submissions SET payload = ?", [json.dumps(payload, ensure_ascii=False)])
    again = tmp_path / "再次.xlsx"
    result = export_monthly(ledger, "2026-10", again, today=coverage_ledger.TODAY)
    assert result.sheets == ("汇总表", "明细表", "巡访情况", "风险隐患", "互助协议")
    with zipfile.ZipFile(sent) as a, zipfile.ZipFile(again) as b:
        assert a.read("xl/worksheets/sheet1.xml") == b.read("xl/worksheets/sheet1.xml")
