"""Issue 15's visit groups attacked the way a careless clerk or a county file would: unknown group names on the
command line, county files whose 探访关爱 sheet lies, workbooks whose group columns hold anything, overrides with
empty or hostile reasons, plans that make no sense. Every case ends in one Chinese message naming the row, field or
value (exit 2, or 1 where the command-line contract says so), nothing saved lost, figures that still add up.

Real SQLite files in tmp_path, real .xlsx written with openpyxl and read back, the real command line in a
subprocess where the exit code and the absence of a traceback matter."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import make_id
from openpyxl import load_workbook

from tests import coverage_ledger
from township_desk.models import coverage, groups, ledger_import
from township_desk.models.combine import read_and_check, read_workbook
from township_desk.printing.monthly_xlsx import combine_workbooks, export_monthly

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The real console program, as a county script runs it."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "township_desk", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, env=env, timeout=120)


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr, proc.stderr


@pytest.fixture
def ledger(db):
    coverage_ledger.build(db)
    return db


@pytest.fixture
def township_file(ledger, tmp_path) -> Path:
    target = tmp_path / "城关镇.xlsx"
    export_monthly(ledger, "2026-10", target, filled_on=coverage_ledger.FILLED_ON, today=coverage_ledger.TODAY)
    return target


# ---------------------------------------------------------------- the command line: --group


@pytest.mark.parametrize("given", ["rural", "RURAL_LEFT_BEHIND", "农 村留守", "城市独居、特殊困难", "", "高龄", "留守"])
@pytest.mark.parametrize("command", ["elders", "overdue"])
def test_an_unknown_group_on_the_command_line_exits_2_naming_it(ledger, db_path, command, given):
    proc = run_cli(command, "--db", str(db_path), "--group", given)
    assert proc.returncode == 2
    assert proc.stdout == ""
    no_traceback(proc)
    assert proc.stderr.count("\n") == 1 and f"巡访对象类别“{given}”不存在" in proc.stderr
    assert "农村留守、城市独居、特殊困难" in proc.stderr


@pytest.mark.parametrize("given,meant", [("城市独居老人", "城市独居"), ("农村留守老年人", "农村留守"),
                                         (" 独居 ", "独居"), ("特殊困难老人", "特殊困难")])
def test_a_group_written_with_its_people_word_is_the_group(ledger, db_path, given, meant):
    """A clerk types the group as the sheets name it (城市独居老人); it is that group, not an error."""
    proc = run_cli("elders", "--db", str(db_path), "--group", given, "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and all(meant in r["groups"] for r in rows)


def test_a_sub_kind_given_as_a_group_says_which_group_holds_it(ledger, db_path):
    proc = run_cli("elders", "--db", str(db_path), "--group", "重点优抚")
    assert proc.returncode == 2
    no_traceback(proc)
    assert "“重点优抚”是特殊困难老人的一种" in proc.stderr and "--group 特殊困难" in proc.stderr


def test_export_with_group_and_submit_is_refused_and_writes_nothing(ledger, db_path, tmp_path):
    target = tmp_path / "城市独居.xlsx"
    for how in (["--submit"], ["--correct", "改"]):
        proc = run_cli("export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(target),
                       "--group", "城市独居", *how)
        assert proc.returncode == 2
        no_traceback(proc)
        assert "不能上报或更正" in proc.stderr
        assert not target.exists()
    assert ledger.execute("SELECT COUNT(*) FROM monthly_submissions").fetchone()[0] == 0


def test_export_with_an_unknown_group_is_refused_before_the_file_is_made(ledger, db_path, tmp_path):
    target = tmp_path / "x.xlsx"
    proc = run_cli("export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(target), "--group",
                   "Urban alone")
    assert proc.returncode == 2 and "巡访对象类别“Urban alone”不存在" in proc.stderr
    no_traceback(proc)
    assert not target.exists()


def test_export_with_a_group_for_a_month_before_the_ledger_began_is_refused(ledger, db_path, tmp_path):
    target = tmp_path / "x.xlsx"
    proc = run_cli("export-monthly", "--db", str(db_path), "--month", "2025-06", "-o", str(target), "--group",
                   "城市独居")
    assert proc.returncode == 2
    no_traceback(proc)
    assert "2025年6月早于台账的开始" in proc.stderr
    assert not target.exists()


def test_a_group_export_adds_up_and_matches_the_full_workbook(ledger, township_file, tmp_path):
    """The group's lines in a --group export are the same figures as in the whole township's 探访关爱 sheet."""
    full = care_lines(township_file)
    for name in groups.GROUPS:
        target = tmp_path / f"{name}.xlsx"
        export_monthly(ledger, "2026-10", target, group=name, today=coverage_ledger.TODAY)
        lines = care_lines(target)
        assert lines[("合计", name)] == full[("合计", name)]
        villages = [v for (place, g), v in lines.items() if g == name and place != "合计"]
        assert [sum(v[i] for v in villages) for i in (0, 1, 2, 3, 5)] == [lines[("合计", name)][i]
                                                                        for i in (0, 1, 2, 3, 5)]


# ---------------------------------------------------------------- combine: a 探访关爱 sheet that lies


def care_lines(path: Path) -> dict[tuple[str, str], list]:
    rows = list(load_workbook(path)["探访关爱"].iter_rows(values_only=True))
    return {(r[0], r[1]): list(r[2:8]) for r in rows[2:] if r[0] and r[1]}


def edit_care(path: Path, target: Path, township: str, change) -> Path:
    """A copy of ``path`` for ``township`` whose 探访关爱 sheet ``change(ws, row_of)`` has edited by hand;
    ``row_of[(place, group)]`` is the sheet row of a line."""
    wb = load_workbook(path)
    summary = wb["汇总表"]
    summary["A1"] = summary["A1"].value.replace("城关镇", township)
    ws = wb["探访关爱"]
    ws["A1"] = ws["A1"].value.replace("城关镇", township)  # an honest file names its own township
    row_of = {(ws.cell(r, 1).value, ws.cell(r, 2).value): r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value}
    change(ws, row_of)
    wb.save(target)
    return target


def combine_care(tmp_path, township_file, township: str, change):
    other = edit_care(township_file, tmp_path / f"{township}.xlsx", township, change)
    county = tmp_path / "县.xlsx"
    result = combine_workbooks([township_file, other], county, county="峨眉山市")
    source = next(s for s in result.sources if s.township == township)
    return result, source, county


def assert_left_out_of_the_care_sums_only(result, source, township_file, county):
    assert source.included  # its 汇总表 is summed all the same
    assert source.care is None
    assert source in result.care_left_out
    lines = care_lines(county)
    first = care_lines(township_file)
    assert lines[("合计", "全部巡访对象")] == first[("合计", "全部巡访对象")]  # only the honest file is in the sums
    notes = [r[0] for r in load_workbook(county)["探访关爱"].iter_rows(values_only=True) if r[0]]
    assert any(source.path.name in str(n) and source.care_problem in str(n) for n in notes)


def test_a_care_sheet_whose_visited_exceed_its_people_is_left_out_naming_the_line(township_file, tmp_path):
    def change(ws, row_of):
        for place in ("城东社区", "合计"):
            r = row_of[(place, "城市独居")]
            ws.cell(r, 5).value = ws.cell(r, 3).value + 3  # 本月已探访人数 > 人数, sums still add up
    result, source, county = combine_care(tmp_path, township_file, "龙池镇", change)
    assert "城东社区 城市独居" in source.care_problem and "本月已探访人数" in source.care_problem
    assert "人数" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_care_sheet_whose_home_visits_exceed_its_contacts_is_left_out(township_file, tmp_path):
    def change(ws, row_of):
        for place in ("白鹤村", "合计"):
            r = row_of[(place, "全部巡访对象")]
            ws.cell(r, 6).value = ws.cell(r, 5).value + 1  # 已上门 > 已探访: a home visit is a contact
    result, source, county = combine_care(tmp_path, township_file, "龙池镇", change)
    assert "白鹤村 全部巡访对象" in source.care_problem and "本月已上门人数" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_care_sheet_whose_rate_is_not_its_figures_is_left_out(township_file, tmp_path):
    def change(ws, row_of):
        ws.cell(row_of[("合计", "全部巡访对象")], 7).value = 100.0  # the county reads 100 %, the figures say 75
    result, source, county = combine_care(tmp_path, township_file, "龙池镇", change)
    assert "合计 全部巡访对象" in source.care_problem and "探访率" in source.care_problem
    assert "100" in source.care_problem and "75.0" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_care_sheet_naming_a_group_we_do_not_know_is_left_out_naming_it(township_file, tmp_path):
    def change(ws, row_of):
        for place in ("城东社区", "合计"):
            ws.cell(row_of[(place, "城市独居")], 2).value = "Urban alone"
    result, source, county = combine_care(tmp_path, township_file, "龙池镇", change)
    assert "“Urban alone”" in source.care_problem and "巡访对象类别" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)
    assert ("合计", "Urban alone") not in care_lines(county)


def test_a_care_sheet_with_a_group_more_than_all_its_people_is_left_out(township_file, tmp_path):
    def change(ws, row_of):
        for place in ("青山村", "合计"):
            r = row_of[(place, "农村留守")]
            ws.cell(r, 3).value = ws.cell(r, 3).value + 20  # more 留守 elders than elders at all
            ws.cell(r, 7).value = round(100 * ws.cell(r, 5).value / ws.cell(r, 3).value, 1)  # its rate agrees
    result, source, county = combine_care(tmp_path, township_file, "龙池镇", change)
    assert "青山村" in source.care_problem and "农村留守" in source.care_problem and "全部巡访对象" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_group_with_village_lines_but_no_total_line_is_not_dropped_silently(township_file, tmp_path):
    def change(ws, row_of):
        ws.delete_rows(row_of[("合计", "城市独居")])
    result, source, county = combine_care(tmp_path, township_file, "龙池镇", change)
    assert "城市独居" in source.care_problem and "合计" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_care_sheet_with_text_in_a_number_cell_is_left_out_naming_the_cell(township_file, tmp_path):
    def change(ws, row_of):
        ws.cell(row_of[("青山村", "农村留守")], 4).value = "三人"
    result, source, county = combine_care(tmp_path, township_file, "龙池镇", change)
    assert "青山村 农村留守" in source.care_problem and "“三人”" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_formula_with_no_result_is_not_read_as_zero(township_file, tmp_path):
    """A script-written file (openpyxl keeps no computed value): the 合计 cells are formulas. Read as blank they
    would be 0 and the file would 'fail its sums'; the message says what the clerk must do."""
    def change(ws, row_of):
        r = row_of[("合计", "全部巡访对象")]
        ws.cell(r, 3).value = f"=SUM(C3:C{r - 1})"
    result, source, county = combine_care(tmp_path, township_file, "龙池镇", change)
    assert "公式" in source.care_problem and "合计 全部巡访对象" in source.care_problem
    assert "Excel" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_summary_formula_with_no_result_is_named_not_called_a_wrong_sum(township_file, tmp_path):
    wb = load_workbook(township_file)
    ws = wb["汇总表"]
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    ws.cell(total, 2).value = f"=SUM(B6:B{total - 1})"
    summary = ws["A1"].value
    ws["A1"] = summary.replace("城关镇", "龙池镇")
    other = tmp_path / "龙池镇.xlsx"
    wb.save(other)
    source = read_workbook(other)
    assert not source.checks_hold
    assert any("公式" in f and "Excel" in f for f in source.failures), source.failures


def test_two_files_of_one_township_and_month_are_summed_once(township_file, tmp_path):
    again = tmp_path / "城关镇（再次上报）.xlsx"
    again.write_bytes(township_file.read_bytes())
    county = tmp_path / "县.xlsx"
    result = combine_workbooks([township_file, again], county, county="峨眉山市")
    assert [s.path.name for s in result.included] == ["城关镇.xlsx"]
    assert "重复" in result.left_out[0].message and "城关镇.xlsx" in result.left_out[0].message
    assert care_lines(county)[("合计", "全部巡访对象")] == care_lines(township_file)[("合计", "全部巡访对象")]


def test_a_care_sheet_filled_down_over_thousands_of_rows_is_left_out_naming_the_repeated_line(township_file, tmp_path):
    """A county file whose 探访关爱 sheet was filled down over thousands of rows (one line repeated): left out of
    the care sums, naming the repeated line and how many more there are. (No timing here: tests do not time.)"""
    from openpyxl import Workbook

    big = tmp_path / "龙池镇.xlsx"
    src = load_workbook(township_file)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("汇总表")
    for row in src["汇总表"].iter_rows(values_only=True):
        summary.append([v.replace("城关镇", "龙池镇") if isinstance(v, str) else v for v in row])
    care = wb.create_sheet("探访关爱")
    rows = list(src["探访关爱"].iter_rows(values_only=True))
    for row in rows[:3]:
        care.append(row)
    for _ in range(6_000 - 3):
        care.append(rows[2])
    wb.save(big)
    result = read_and_check([township_file, big])
    source = result.sources[1]
    assert source.included and source.care is None
    assert source.care_problem.startswith("探访关爱第4行（青山村 农村留守）与第3行重复")
    assert "另有" in source.care_problem
    assert "超过 5000 行" in source.care_problem and "只读了前 5000 行" in source.care_problem


def test_a_care_sheet_whose_lines_are_right_but_that_runs_on_for_thousands_of_rows_is_not_read_to_its_end(
        township_file, tmp_path):
    """Right lines, then thousands of rows holding only a stray space (a fill-down of formatting): the sheet is
    read no further than a township could need and left out of the care sums, saying why; the 汇总表 is taken."""
    big = tmp_path / "龙池镇.xlsx"
    wb = load_workbook(township_file)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "城关镇" in cell.value:
                    cell.value = cell.value.replace("城关镇", "龙池镇")
    care = wb["探访关爱"]
    first_empty = care.max_row + 1
    for r in range(first_empty, first_empty + 6_000):
        care.cell(r, 3).value = " "
    wb.save(big)
    result = read_and_check([township_file, big])
    source = result.sources[1]
    assert source.included, source.failures
    assert source.care is None
    assert source.care_problem.startswith("“探访关爱”工作表超过 5000 行")


def test_the_county_command_says_which_files_left_the_care_sums_and_exits_1(township_file, tmp_path):
    def change(ws, row_of):
        ws.cell(row_of[("合计", "全部巡访对象")], 7).value = 100.0
    other = edit_care(township_file, tmp_path / "龙池镇.xlsx", "龙池镇", change)
    county = tmp_path / "县.xlsx"
    proc = run_cli("combine", str(township_file), str(other), "-o", str(county))
    no_traceback(proc)
    assert proc.returncode == 1
    assert "龙池镇.xlsx" in proc.stderr and "探访关爱" in proc.stderr and "探访率" in proc.stderr
    assert county.exists()
    proc = run_cli("combine", str(township_file), str(other), "-o", str(county), "--json")
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    source = next(s for s in out["sources"] if s["township"] == "龙池镇")
    assert source["included"] is True and source["care_included"] is False and "探访率" in source["care_problem"]


# ---------------------------------------------------------------- import: group columns that hold anything

TODAY = dt.date(2026, 11, 22)


def flag_workbook(path: Path, heading: str, values: list) -> tuple[Path, list[str]]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "青山村"
    ws.append(["姓名", "身份证号码", heading, "赡养人姓名", "赡养人外出时间", "赡养人务工地点"])
    ids = []
    for i, value in enumerate(values):
        ids.append(make_id("19450312", 1 + 2 * i))
        ws.append([f"老人{'甲乙丙丁戊己庚辛壬癸'[i]}", ids[-1], value, f"子{i}", "2020-03", "广东省深圳市"])
    wb.save(path)
    return path, ids


def groups_by_id(db, ids: list[str]) -> list[list[str]]:
    found = {r["id_number"]: r["id"] for r in db.query("SELECT id, id_number FROM elders")}
    return [groups.names(groups.groups_of(db, found[i], TODAY)) if i in found else None for i in ids]


def test_yes_no_group_column_reads_yes_no_and_blank(db, tmp_path):
    path, ids = flag_workbook(tmp_path / "台账.xlsx", "是否重点优抚对象", ["是 ", "√", 1, "否", None, "  "])
    result = ledger_import.import_ledger(db, path, today=TODAY)
    assert result.imported == 6
    found = groups_by_id(db, ids)
    assert ["特殊困难" in g for g in found] == [True, True, True, False, False, False]


@pytest.mark.parametrize("value", ["/", "-", "—", "不是", "没有", "NO", "FALSE", 0])
def test_a_yes_no_group_cell_written_as_none_is_a_no(db, tmp_path, value):
    """“/” and dashes are how clerks write “none”; 不是 is not a yes (it was: anything but 否 read as 是)."""
    path, ids = flag_workbook(tmp_path / "台账.xlsx", "是否重点优抚对象", [value])
    result = ledger_import.import_ledger(db, path, today=TODAY)
    assert result.imported == 1
    assert "特殊困难" not in groups_by_id(db, ids)[0]
    assert db.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0
    assert not [p for p in result.problems if "重点优抚" in p.message]


@pytest.mark.parametrize("value", ["未知", "待定", "？", 2, "是否"])
def test_a_yes_no_group_cell_that_is_neither_is_a_warning_not_a_yes(db, tmp_path, value):
    path, ids = flag_workbook(tmp_path / "台账.xlsx", "是否重点优抚对象", [value])
    result = ledger_import.import_ledger(db, path, today=TODAY)
    assert result.imported == 1
    assert "特殊困难" not in groups_by_id(db, ids)[0]
    assert db.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0
    warned = [p for p in result.problems if p.row == 2]
    assert len(warned) == 1 and warned[0].severity == "warning" and warned[0].column == "是否重点优抚对象"
    assert warned[0].message == f"〔是否重点优抚对象〕“{value}”应填“是”或“否”，未据此认定重点优抚"


def test_the_groups_own_word_in_its_yes_no_column_is_a_yes(db, tmp_path):
    path, ids = flag_workbook(tmp_path / "台账.xlsx", "是否空巢", ["空巢", "空巢老人"])
    result = ledger_import.import_ledger(db, path, today=TODAY)
    assert result.imported == 2 and not result.problems
    assert all("空巢" in g for g in groups_by_id(db, ids))


def test_no_in_a_priority_care_column_does_not_take_a_family_planning_elder_out_of_special(db, tmp_path):
    """“是否重点优抚对象：否” says the elder is not 重点优抚; a 计划生育特殊家庭 elder stays 特殊困难."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "青山村"
    ws.append(["姓名", "身份证号码", "计划生育特殊家庭", "是否重点优抚对象", "赡养人姓名", "赡养人外出时间"])
    ws.append(["王大山", make_id("19381125", 3), "是", "否", "王小山", "2018-01"])
    wb.save(tmp_path / "台账.xlsx")
    result = ledger_import.import_ledger(db, tmp_path / "台账.xlsx", today=TODAY)
    assert result.imported == 1
    elder_id = db.execute("SELECT id FROM elders").fetchone()[0]
    special = [m for m in groups.groups_of(db, elder_id, TODAY) if m.group == "特殊困难"]
    assert special and special[0].sub_kind == "计划生育特殊家庭"
    assert db.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0


def test_a_group_column_naming_two_groups_gives_both(db, tmp_path):
    path, ids = flag_workbook(tmp_path / "台账.xlsx", "老人类型", ["城市独居、特殊困难"])
    result = ledger_import.import_ledger(db, path, today=TODAY)
    assert result.imported == 1
    found = groups_by_id(db, ids)[0]
    assert "城市独居" in found and "特殊困难" in found
    reason = db.execute("SELECT reason FROM elder_group_overrides").fetchone()[0]
    assert "台账.xlsx" in reason and "第2行" in reason and "城市独居、特殊困难" in reason


def test_an_unknown_word_in_a_group_column_is_a_warning_naming_it(db, tmp_path):
    path, ids = flag_workbook(tmp_path / "台账.xlsx", "老人类型", ["五保户", "rural left-behind"])
    result = ledger_import.import_ledger(db, path, today=TODAY)
    assert result.imported == 2
    for row, value in ((2, "五保户"), (3, "rural left-behind")):
        warned = [p for p in result.problems if p.row == row]
        assert len(warned) == 1 and warned[0].severity == "warning"
        assert f"〔老人类型〕“{value}”" in warned[0].message and "巡访对象类别" in warned[0].message


# ---------------------------------------------------------------- overrides: reasons, days, ending and reopening

OCT = dt.date(2026, 10, 31)


def eid(db, name: str) -> int:
    return db.execute("SELECT id FROM elders WHERE name = ?", [name]).fetchone()[0]


def in_group(db, elder_id: int, group: str, day) -> bool:
    return group in groups.names(groups.groups_of(db, elder_id, day))


@pytest.mark.parametrize("reason", ["", "   ", "\u3000\u3000", None])
def test_an_override_without_a_reason_is_refused_and_saves_nothing(ledger, reason):
    from township_desk.models.errors import UserError

    with pytest.raises(UserError, match="改定“特殊困难”须填写原因"):
        groups.set_override(ledger, eid(ledger, "留守甲"), "特殊困难", True, reason, "2026-10-01", "重点优抚")
    assert ledger.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0


@pytest.mark.parametrize("since,words", [("2026-13-01", "不是有效日期"), ("昨天", "不是有效日期"),
                                         ("", "请填写改定的起始日期"), ("1800-01-01", "超出本程序可处理的范围")])
def test_an_override_on_an_impossible_day_is_refused_naming_it(ledger, since, words):
    from township_desk.models.errors import UserError

    with pytest.raises(UserError) as caught:
        groups.set_override(ledger, eid(ledger, "留守甲"), "独居", True, "村委会核实", since)
    assert words in str(caught.value)
    assert ledger.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0


def test_an_override_dated_before_the_elder_entered_counts_in_no_month_before_entry(ledger):
    """An override from a day before the elder entered the ledger is taken (a record's history may start late),
    but no month before entry counts the elder: nobody is 在册 before entering."""
    from township_desk.models import elders

    data = {"name": "新来癸", "id_number": make_id("19440404", 41), "village": "白鹤村", **coverage_ledger.COMPLETE,
            "spouse": "一方健在", "entered_on": "2026-10-20"}
    new_id = elders.save_elder(ledger, data, [dict(s) for s in coverage_ledger.AWAY], today=coverage_ledger.TODAY).elder_id
    groups.set_override(ledger, new_id, "特殊困难", True, "重点优抚对象", "2026-01-01", "重点优抚")
    sept = {(r.village, r.group): r.people for r in coverage.month_coverage(ledger, "2026-09")}
    octo = {(r.village, r.group): r.people for r in coverage.month_coverage(ledger, "2026-10")}
    assert sept[("合计", "特殊困难")] == 1 and octo[("合计", "特殊困难")] == 2
    assert sept[("合计", coverage.ALL_LABEL)] == 9  # the eight of October and 暂离壬, who left on 25 October


def test_a_hostile_reason_is_kept_as_typed_and_written_as_text(ledger, db_path, tmp_path):
    """`&<>"'` and a leading = in the reason: stored as typed, shown as typed, never a formula in a workbook."""
    reason = '=1+1 & <b>"重点"</b> 优抚\'s'
    elder_id = eid(ledger, "留守甲")
    groups.set_override(ledger, elder_id, "特殊困难", True, reason, "2026-10-01", "重点优抚")
    special = next(m for m in groups.groups_of(ledger, elder_id, OCT) if m.group == "特殊困难")
    assert special.reasons == [f"经办人认定：{reason}"]
    entry = ledger.execute("SELECT new_value FROM audit_log WHERE action = '改定巡访对象类别'").fetchone()[0]
    assert reason in entry
    target = tmp_path / "月报.xlsx"
    export_monthly(ledger, "2026-10", target, today=coverage_ledger.TODAY)
    wb = load_workbook(target)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    assert care_lines(target)[("合计", "特殊困难")][0] == 2  # 计生戊 and 留守甲


def test_an_override_ended_and_reopened_keeps_each_month_as_it_was(ledger):
    elder_id = eid(ledger, "留守甲")
    groups.set_override(ledger, elder_id, "特殊困难", True, "重点优抚对象（退役军人）", "2026-03-01", "重点优抚")
    groups.end_override(ledger, elder_id, "特殊困难", "2026-06-01", "复核：不再享受优抚")
    groups.set_override(ledger, elder_id, "特殊困难", True, "复核后恢复优抚", "2026-09-15", "重点优抚")
    seen = {day: in_group(ledger, elder_id, "特殊困难", day)
            for day in ("2026-02-28", "2026-03-01", "2026-05-31", "2026-06-01", "2026-09-14", "2026-09-15", "2026-11-01")}
    assert seen == {"2026-02-28": False, "2026-03-01": True, "2026-05-31": True, "2026-06-01": False,
                    "2026-09-14": False, "2026-09-15": True, "2026-11-01": True}
    # the lean reading the lists and counts use agrees with the full one, day by day
    for day in seen:
        assert ("特殊困难" in groups.member_names(ledger, day, [elder_id])[elder_id]) == seen[day]
    from township_desk.models.errors import UserError

    groups.end_override(ledger, elder_id, "特殊困难", "2026-11-01", "去世前核销")
    with pytest.raises(UserError, match="没有正在生效的改定"):
        groups.end_override(ledger, elder_id, "特殊困难", "2026-11-02", "再次恢复")
    with pytest.raises(UserError, match="须填写原因"):
        groups.end_override(ledger, elder_id, "独居", "2026-11-02", " ")
    actions = [r[0] for r in ledger.execute("SELECT action FROM audit_log WHERE table_name = 'elders'"
                                            " AND action LIKE '%巡访对象类别%' ORDER BY id")]
    assert actions == ["改定巡访对象类别", "恢复按记录认定巡访对象类别", "改定巡访对象类别", "恢复按记录认定巡访对象类别"]


def test_an_override_out_of_a_derived_group_and_back(ledger):
    """城市己 is 城市独居 by the record; a carer moves in (override out), then leaves (override ended)."""
    elder_id = eid(ledger, "城市己")
    assert in_group(ledger, elder_id, "城市独居", "2026-10-01")
    groups.set_override(ledger, elder_id, "城市独居", False, "有保姆同住", "2026-10-10")
    assert not in_group(ledger, elder_id, "城市独居", "2026-10-31")
    groups.end_override(ledger, elder_id, "城市独居", "2026-11-05", "保姆已离开")
    assert in_group(ledger, elder_id, "城市独居", "2026-11-05")
    assert in_group(ledger, elder_id, "城市独居", "2026-10-09")


def test_the_same_elder_in_every_group_is_counted_once_over_all(ledger, tmp_path):
    elder_id = eid(ledger, "留守丁")
    for name in groups.GROUPS:
        groups.set_override(ledger, elder_id, name, True, f"核实属于{name}", "2026-02-01",
                            "其他" if name == groups.SPECIAL else None)
    assert groups.names(groups.groups_of(ledger, elder_id, OCT)) == list(groups.GROUPS)
    rows = coverage.month_coverage(ledger, "2026-10")
    by = {(r.village, r.group): r for r in rows}
    everyone = by[("合计", coverage.ALL_LABEL)]
    assert everyone.people == 8  # as before: one elder in seven groups is still one elder
    for name in groups.GROUPS:
        assert by[("白鹤村", name)].people >= 1
        assert by[("白鹤村", name)].people <= by[("白鹤村", coverage.ALL_LABEL)].people
    # every line of the sheet passes the county's checks
    target = tmp_path / "城关镇.xlsx"
    export_monthly(ledger, "2026-10", target, today=coverage_ledger.TODAY)
    source = read_workbook(target)
    assert source.checks_hold and source.care is not None, source.care_problem


def test_a_household_changed_mid_month_moves_the_elder_between_groups_on_that_day(ledger):
    """留守丁 moves to a city household on 15 October (dated): September's last day is 农村留守, October's last day
    is not; the 留守 sheets leave the elder out of October and the 探访关爱 sheet still counts the elder."""
    from township_desk.models import elders

    elder_id = eid(ledger, "留守丁")
    record = elders.get_elder(ledger, elder_id)
    record.update({"rural_hukou": 0, "lives_alone": 1})
    elders.save_elder(ledger, record, record["supporters"], elder_id=elder_id, today=dt.date(2026, 10, 15))
    assert in_group(ledger, elder_id, "农村留守", "2026-10-14")
    assert not in_group(ledger, elder_id, "农村留守", "2026-10-15")
    assert in_group(ledger, elder_id, "城市独居", "2026-10-15")
    sept = {(r.village, r.group): r.people for r in coverage.month_coverage(ledger, "2026-09")}
    octo = {(r.village, r.group): r.people for r in coverage.month_coverage(ledger, "2026-10")}
    assert sept.get(("白鹤村", "城市独居"), 0) == 0 and octo[("白鹤村", "城市独居")] == 1
    assert octo[("合计", coverage.ALL_LABEL)] == 8  # as before the move: still visited, still counted
    from township_desk.models import schedule

    early = schedule.overdue(ledger, dt.date(2026, 10, 10), group="城市独居")
    late = schedule.overdue(ledger, dt.date(2026, 10, 31), group="城市独居")
    assert elder_id not in {i.elder_id for i in early}
    assert elder_id in groups.members(ledger, "城市独居", "2026-10-31")
    assert {i.elder_id for i in late} <= set(groups.members(ledger, "城市独居", "2026-10-31"))


# ---------------------------------------------------------------- group plans that make no sense


@pytest.mark.parametrize("plan,words", [
    ({"key_home_days": 0, "key_remote_per_week": 2, "general_home_days": 30, "general_remote_per_week": 1},
     ["城市独居", "重点对象上门巡访间隔", "0"]),
    ({"key_home_days": 15, "key_remote_per_week": 2, "general_home_days": 100000, "general_remote_per_week": 1},
     ["城市独居", "一般对象上门巡访间隔", "100000"]),
    ({"key_home_days": 30, "key_remote_per_week": 1, "general_home_days": 15, "general_remote_per_week": 2},
     ["城市独居", "重点对象上门巡访间隔（30 天）不能长于一般对象（15 天）"]),
    ({"key_home_days": "十五", "key_remote_per_week": 2, "general_home_days": 30, "general_remote_per_week": 1},
     ["城市独居", "须为整数", "十五"]),
    ({"key_home_days": 15, "key_remote_per_week": -1, "general_home_days": 30, "general_remote_per_week": 1},
     ["城市独居", "每周电话视频", "-1"]),
])
def test_a_group_plan_that_makes_no_sense_is_refused_naming_group_field_and_value(ledger, plan, words):
    from township_desk.models import group_plans, settings
    from township_desk.models.errors import UserError

    before = settings.get_all(ledger).get(group_plans.PLANS_KEY)
    with pytest.raises(UserError) as caught:
        group_plans.put(ledger, {"城市独居": plan}, list(group_plans.KEY_RULES))
    for word in words:
        assert word in str(caught.value)
    assert settings.get_all(ledger).get(group_plans.PLANS_KEY) == before


def test_a_plan_for_an_unknown_group_is_refused(ledger):
    from township_desk.models import group_plans
    from township_desk.models.errors import UserError

    plan = {"key_home_days": 7, "key_remote_per_week": 3, "general_home_days": 14, "general_remote_per_week": 2}
    with pytest.raises(UserError, match="巡访对象类别“城市独居老人”不存在"):
        group_plans.put(ledger, {"城市独居老人": plan}, [])


def test_a_plan_spoiled_in_the_settings_table_falls_back_to_the_default_plan(ledger):
    """A settings row edited by hand (0 days, text): the overdue list still comes out, by the default plan."""
    from township_desk.models import schedule

    before = [(i.elder_id, i.kind, i.due_date) for i in schedule.overdue(ledger, OCT)]
    ledger.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('group_plans', ?)", [json.dumps(
        {"城市独居": {"key_home_days": 0, "key_remote_per_week": "x", "general_home_days": 30,
                  "general_remote_per_week": 1}, "nonsense": 5}, ensure_ascii=False)])
    after = [(i.elder_id, i.kind, i.due_date) for i in schedule.overdue(ledger, OCT)]
    assert after == before


# ---------------------------------------------------------------- visitor kinds


def test_a_third_party_visitor_without_its_name_is_refused_naming_the_visitor(db):
    from township_desk.models import visitors
    from township_desk.models.errors import UserError

    with pytest.raises(UserError, match="巡访责任人“夕阳红”的类别是第三方机构，请在“工作单位”填写机构名称"):
        visitors.save_visitor(db, {"name": "夕阳红", "phone": "13900001111", "role": "第三方机构",
                                   "organisation": "  "})
    assert db.execute("SELECT COUNT(*) FROM visitors").fetchone()[0] == 0


def test_a_third_party_visitor_left_nameless_by_an_old_ledger_shows_and_must_be_named_when_edited(db):
    """A 第三方机构 visitor from before names were asked: shown as 第三方机构; changing it asks for the name."""
    from township_desk.models import visitors
    from township_desk.models.errors import UserError

    db.execute("INSERT INTO visitors(name, phone, role) VALUES ('社工站', '13900001111', '第三方机构')")
    visitor = db.execute("SELECT id FROM visitors").fetchone()[0]
    assert visitors.kind_of(db, visitor) == "第三方机构"
    with pytest.raises(UserError, match="第三方机构，请在“工作单位”填写机构名称"):
        visitors.save_visitor(db, {"name": "社工站", "phone": "13900002222", "role": "第三方机构"}, visitor)
    assert db.execute("SELECT phone FROM visitors").fetchone()[0] == "13900001111"


def test_an_unknown_visitor_kind_is_refused_naming_it(db):
    from township_desk.models import visitors
    from township_desk.models.errors import UserError

    with pytest.raises(UserError, match="巡访责任人类别“驻村工作队”不在可选范围"):
        visitors.save_visitor(db, {"name": "王队员", "role": "驻村工作队"})


# ---------------------------------------------------------------- more: what a county gets sent, long reasons


def test_a_group_workbook_sent_to_the_county_is_named_not_just_missing_a_sheet(ledger, tmp_path, township_file):
    group_file = tmp_path / "城关镇城市独居.xlsx"
    export_monthly(ledger, "2026-10", group_file, group="城市独居", today=coverage_ledger.TODAY)
    result = read_and_check([township_file, group_file])
    source = result.sources[1]
    assert not source.included
    assert "只含一类巡访对象的工作簿" in source.message and "不能汇总" in source.message


def test_a_county_file_from_before_the_care_sheet_is_a_note_not_a_problem(township_file, tmp_path):
    old = tmp_path / "龙池镇（旧版）.xlsx"
    wb = load_workbook(township_file)
    del wb["探访关爱"]
    wb["汇总表"]["A1"] = wb["汇总表"]["A1"].value.replace("城关镇", "龙池镇")
    wb.save(old)
    county = tmp_path / "县.xlsx"
    proc = run_cli("combine", str(township_file), str(old), "-o", str(county))
    no_traceback(proc)
    assert proc.returncode == 0
    assert "没有“探访关爱”表（旧版报表）" in proc.stderr and "龙池镇（旧版）.xlsx" in proc.stderr


def test_an_override_reason_a_page_long_is_refused_naming_its_length(ledger):
    from township_desk.models.errors import UserError

    with pytest.raises(UserError, match=r"原因不能超过 500 字（现为 2000 字）"):
        groups.set_override(ledger, eid(ledger, "留守甲"), "独居", True, "核" * 2000, "2026-10-01")
    with pytest.raises(UserError, match=r"不能超过 500 字"):
        groups.end_override(ledger, eid(ledger, "留守甲"), "独居", "2026-10-01", "核" * 501)
    assert ledger.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0


def test_an_import_whose_group_cell_is_a_page_long_still_imports_with_a_short_reason(db, tmp_path):
    long_text = "特殊困难老人（重点优抚对象）" + "，备注" * 3000
    path, ids = flag_workbook(tmp_path / "台账.xlsx", "老人类型", [long_text])
    result = ledger_import.import_ledger(db, path, today=TODAY)
    assert result.imported == 1
    assert "特殊困难" in groups_by_id(db, ids)[0]
    reason = db.execute("SELECT reason FROM elder_group_overrides").fetchone()[0]
    assert len(reason) <= groups.REASON_LIMIT and reason.endswith("…”")


def test_a_dry_run_import_writes_no_override(db, tmp_path):
    path, ids = flag_workbook(tmp_path / "台账.xlsx", "是否重点优抚对象", ["是"])
    result = ledger_import.import_ledger(db, path, today=TODAY, dry_run=True)
    assert result.imported == 1
    assert db.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0


def test_a_care_sheet_of_another_month_is_left_out(township_file, tmp_path):
    """September's 探访关爱 sheet pasted in under October's 汇总表."""
    def change(ws, row_of):
        ws["A1"] = "白马乡巡访对象探访关爱情况（2026年9月）"
    result, source, county = combine_care(tmp_path, township_file, "白马乡", change)
    assert "2026年9月" in source.care_problem and "2026年10月" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_care_sheet_titled_for_its_own_township_and_month_is_summed(township_file, tmp_path):
    def change(ws, row_of):
        ws["A1"] = "白马乡巡访对象探访关爱情况（2026年10月）"
    result, source, county = combine_care(tmp_path, township_file, "白马乡", change)
    assert source.care is not None and not result.care_left_out


def test_a_care_sheet_titled_for_a_neighbouring_township_is_left_out(township_file, tmp_path):
    def change(ws, row_of):
        ws["A1"] = "城关镇巡访对象探访关爱情况（2026年10月）"  # 白马乡's 汇总表 with 城关镇's care sheet
    result, source, county = combine_care(tmp_path, township_file, "白马乡", change)
    assert "城关镇巡访对象探访关爱情况" in source.care_problem and "白马乡" in source.care_problem
    assert_left_out_of_the_care_sums_only(result, source, township_file, county)


def test_a_group_nobody_is_in_exports_its_zero_line_and_an_empty_detail(ledger, db_path, tmp_path):
    target = tmp_path / "重残.xlsx"
    proc = run_cli("export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(target), "--group", "重残")
    no_traceback(proc)
    assert proc.returncode == 0 and "重残 0 人在册" in proc.stdout
    assert care_lines(target) == {("合计", "重残"): [0, 0, 0, 0, None, 0]}


def test_elders_json_lists_every_group_of_an_elder_in_all_of_them(ledger, db_path):
    elder_id = eid(ledger, "留守丁")
    for name in groups.GROUPS:
        groups.set_override(ledger, elder_id, name, True, "核实", "2026-02-01",
                            "其他" if name == groups.SPECIAL else None)
    for name in groups.GROUPS:
        proc = run_cli("elders", "--db", str(db_path), "--group", name, "--json")
        assert proc.returncode == 0, proc.stderr
        rows = {r["name"]: r for r in json.loads(proc.stdout)}
        assert rows["留守丁"]["groups"] == list(groups.GROUPS)


def test_the_remembered_group_members_follow_an_override_and_its_end_at_once(ledger):
    """The group filters read ``groups.members``, remembered until the ledger changes: an override made and ended
    on the same connection shows at once, not after a restart."""
    elder_id = eid(ledger, "留守甲")
    assert elder_id not in groups.members(ledger, "特殊困难", "2026-11-20")
    groups.set_override(ledger, elder_id, "特殊困难", True, "重点优抚对象", "2026-11-01", "重点优抚")
    assert elder_id in groups.members(ledger, "特殊困难", "2026-11-20")
    groups.end_override(ledger, elder_id, "特殊困难", "2026-11-10", "复核不属于")
    assert elder_id not in groups.members(ledger, "特殊困难", "2026-11-20")
    assert elder_id in groups.members(ledger, "特殊困难", "2026-11-05")


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice not installed")
def test_formulas_saved_with_their_results_by_an_office_program_are_summed(township_file, tmp_path):
    """The same 合计 formulas as above, but the file opened and saved by an office program (LibreOffice here, Excel
    or WPS on the clerk's PC), which stores each formula's result: nothing to complain about."""
    import shutil

    def change(ws, row_of):
        villages = [v for (place, group), v in row_of.items() if group == "全部巡访对象" and place != "合计"]
        ws.cell(row_of[("合计", "全部巡访对象")], 3).value = "=" + "+".join(f"C{v}" for v in villages)
    (tmp_path / "脚本").mkdir()
    scripted = edit_care(township_file, tmp_path / "脚本" / "龙池镇.xlsx", "龙池镇", change)
    saved = tmp_path / "保存后"
    saved.mkdir()
    profile = tmp_path / "lo-profile"
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(saved), str(scripted)], capture_output=True, timeout=180,
                   check=True)
    assert read_workbook(scripted).care is None  # as the script wrote it: no result to read
    source = read_workbook(saved / "龙池镇.xlsx")
    assert source.checks_hold, source.failures
    assert source.care is not None, source.care_problem
