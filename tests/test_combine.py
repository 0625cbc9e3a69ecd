"""The county's combined workbook: townships' files read, checked, summed; bad files listed and left out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import make_id
from openpyxl import load_workbook

from township_desk import cli
from township_desk.models import combine, elders, settings
from township_desk.models import db as dbm
from township_desk.models.errors import UserError
from township_desk.printing.monthly_xlsx import combine_workbooks, export_monthly

TODAY = dt.date(2026, 11, 20)
COMPLETE = {"education": "初中", "spouse": "一方健在", "care": "无人照料",
            "main_income": "政府救助", "visitor": "李巡访", "entered_on": "2026-01-05"}
AWAY = [{"name": "张子", "relation": "儿子", "away_since": "2020-01"}]  # 外出务工年限 from this date


def township_workbook(folder: Path, township: str, n: int, month: str = "2026-10") -> Path:
    """A real export of a township with ``n`` complete elders in two villages."""
    db = dbm.connect(folder / f"{township}.db")
    settings.put(db, {"township_name": township})
    for i in range(n):
        elders.save_elder(db, {"name": f"老人{'甲乙丙丁戊'[i]}", "id_number": make_id("19500101", 11 + 2 * i),
                               "village": "一村" if i % 2 else "二村", **COMPLETE}, AWAY, today=TODAY)
    target = folder / f"{township}{month}.xlsx"
    export_monthly(db, month, target)
    db.close()
    return target


def break_checks(path: Path) -> None:
    """Hand-edit a township file so its 第10列 no longer adds up (as a careless edit would)."""
    wb = load_workbook(path)
    ws = wb["汇总表"]
    ws.cell(6, 12).value = ws.cell(6, 12).value + 1    # 第11列 (小学) of the first village, not 合计
    wb.save(path)


@pytest.fixture
def files(tmp_path):
    return [township_workbook(tmp_path, "城关镇", 3), township_workbook(tmp_path, "新场镇", 2),
            township_workbook(tmp_path, "白马乡", 4)]


def test_combine_sums_townships_and_lists_the_failing_file(files, tmp_path):
    break_checks(files[2])
    target = tmp_path / "县汇总.xlsx"
    result = combine_workbooks(files, target, county="某某县")
    assert [s.included for s in result.sources] == [True, True, False]
    assert "勾稽校验不通过" in result.sources[2].message and "白马乡" == result.sources[2].township
    wb = load_workbook(target)
    ws = wb["汇总表"]
    assert ws["A1"].value == "某某县农村留守老人基本情况排查汇总表（2026年10月）"
    assert ws["A3"].value == "乡镇（街道）"
    lines = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 29)] for r in range(6, 9)}
    assert list(lines) == ["城关镇", "新场镇", "合计"]
    assert lines["合计"][0] == 5 and lines["合计"][11] == 5 and lines["合计"][25] == 0  # col 1, 12 (初中), 26
    assert lines["合计"][15] == 5 and lines["合计"][21] == 5 and lines["合计"][24] == 5  # 无人照料, 5年+, 政府救助
    src = wb["来源文件"]
    rows = [[c.value for c in r] for r in src.iter_rows(min_row=3)]
    assert [r[2] for r in rows] == ["城关镇", "新场镇", "白马乡"]
    assert [r[4] for r in rows] == ["通过", "通过", "不通过"] and rows[2][3] == "2026年10月"
    assert "未汇总" in rows[2][6]
    for sheet in wb.worksheets:
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_files_of_another_month_are_flagged_and_left_out(files, tmp_path):
    folder = tmp_path / "sep"
    folder.mkdir()
    other = township_workbook(folder, "三河镇", 1, month="2026-09")
    result = combine.read_and_check([*files, other])
    assert result.month == "2026-10"
    assert not result.sources[3].included and "月份不符（2026年9月" in result.sources[3].message
    forced = combine.read_and_check([*files, other], month="2026-09")
    assert [s.included for s in forced.sources] == [False, False, False, True]


def test_an_unreadable_file_and_a_repeat_are_listed(files, tmp_path):
    junk = tmp_path / "坏文件.xlsx"
    junk.write_bytes(b"not a workbook")
    result = combine.read_and_check([*files, junk, files[0]])
    assert result.sources[3].result_text == "无法读取" and "不是 Excel 工作簿" in result.sources[3].message
    assert "重复" in result.sources[4].message
    assert result.rows[-1].col(1) == 9


def test_a_total_that_is_not_the_sum_of_the_villages_fails(files):
    wb = load_workbook(files[0])
    ws = wb["汇总表"]
    for c in range(2, 29):          # 合计 raised evenly: its chains still hold, its sums do not
        ws.cell(8, c).value = ws.cell(8, c).value * 2
    wb.save(files[0])
    source = combine.read_workbook(files[0])
    assert not source.checks_hold and "合计行与各村之和不符" in source.failures[0]


def test_no_usable_file_is_refused(tmp_path):
    junk = tmp_path / "坏.xlsx"
    junk.write_bytes(b"x")
    with pytest.raises(UserError, match="没有可以汇总"):
        combine_workbooks([junk], tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_cli_combine_exits_1_listing_files_left_out(files, tmp_path, capsys):
    out = tmp_path / "c.xlsx"
    assert cli.main(["combine", *map(str, files), "-o", str(out)]) == 0
    break_checks(files[1])
    assert cli.main(["combine", *map(str, files), "-o", str(out), "--county", "某县"]) == 1
    err = capsys.readouterr().err
    assert "新场镇2026-10.xlsx" in err and "未计入汇总" in err


def test_a_township_file_declaring_a_far_away_dimension_is_left_out_unread(files, tmp_path, monkeypatch):
    import openpyxl
    from hostile_xlsx import declare_dimension, edit_sheet
    hostile = edit_sheet(files[2], tmp_path / "白马乡坏.xlsx", declare_dimension("A1:XFD1048576"))
    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda path, *a, **k: opened.append(path) or real(path, *a, **k))
    result = combine.read_and_check([files[0], files[1], hostile])
    assert [s.included for s in result.sources] == [True, True, False]
    assert result.sources[2].result_text == "无法读取"
    assert "“白马乡坏.xlsx”的工作表“汇总表”延伸到第 1048576 行" in result.sources[2].message
    assert hostile not in opened
