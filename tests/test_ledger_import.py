"""The Excel ledger importer against small workbooks built here (cli.md's checklist, one behaviour per test)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import openpyxl
import pytest
import python_calamine
from conftest import make_id
from hostile_xlsx import (
    add_cell,
    add_merge,
    add_raw_row,
    add_row_of_cells_without_references,
    declare_dimension,
    edit_sheet,
    xls_workbook,
)

from township_desk.models import elders, ledger_import, workbook_guard
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 22)
ID_A = make_id("19450312", 1)   # 男
ID_B = make_id("19520708", 2)   # 女
ID_C = make_id("19381125", 3)   # 男
ID_D = make_id("19500305", 5)   # 男


def build(path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None):
    """A workbook with the given rows per sheet (None = empty cell) and merged ranges; IDs kept as typed."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    wb.save(path)
    return path


def simple(path, rows, title="青山村"):
    return build(path, {title: [["姓名", "身份证号码", "性别"], *rows]})


def run_import(db, path, **kw):
    return ledger_import.import_ledger(db, path, today=TODAY, **kw)


def people(db) -> dict[str, dict]:
    return {r["id_number"]: r for r in db.query(
        "SELECT e.*, v.name AS village FROM elders e JOIN villages v ON v.id = e.village_id")}


# ---------------------------------------------------------------- layout of clerks' workbooks


def test_title_and_unit_rows_above_two_level_merged_header(db, tmp_path):
    rows = [
        ["某镇农村留守老年人关爱服务台账"],
        ["填报单位：某镇民政办（盖章）", None, None, None, None, None, "填报日期：2026年11月"],
        ["序号", "老人基本情况", None, None, "赡养人（扶养人）情况", None, None, "巡访责任人", None],
        [None, "姓名", "公民身份号码", "现住址", "姓名", "与老人关系", "联系电话", "姓名", "电话"],
        [1, "张德福", ID_A, "三组12号", "张小军", "儿子", "13800138000", "王主任", "13900139000"],
    ]
    path = build(tmp_path / "a.xlsx", {"青山村": rows},
                 {"青山村": ["A1:I1", "A3:A4", "B3:D3", "E3:G3", "H3:I3"]})
    result = run_import(db, path)
    assert result.to_json() == {"imported": 1, "updated": 0, "skipped": 0, "problems": [], "changes": [],
                                "new_villages": ["青山村"]}
    elder = people(db)[ID_A]
    assert (elder["name"], elder["village"], elder["current_address"]) == ("张德福", "青山村", "三组12号")
    supporters = elders.supporters_of(db, elder["id"])
    assert [(s["name"], s["relation"], s["phone"]) for s in supporters] == [("张小军", "儿子", "13800138000")]
    visitor = db.execute("SELECT name, phone FROM visitors WHERE id = ?", [elder["visitor_id"]]).fetchone()
    assert visitor == ("王主任", "13900139000")


def test_one_sheet_per_village_takes_village_from_sheet_name(db, tmp_path):
    path = build(tmp_path / "v.xlsx", {
        "青山村台账": [["姓名", "身份证号码"], ["张德福", ID_A]],
        "河口社区": [["姓名", "身份证号码"], ["李秀英", ID_B]],
    })
    result = run_import(db, path)
    assert result.imported == 2
    assert people(db)[ID_A]["village"] == "青山村"
    assert people(db)[ID_B]["village"] == "河口社区"


def _two_villages(tmp_path):
    return build(tmp_path / "nv.xlsx", {"汇总": [["村", "组", "姓名", "身份证号码", "备注", "籍贯"],
                                                ["青山村", 3, "张德福", ID_A, "独居", "湖南"],
                                                ["新民村", 1, "李秀英", ID_B, None, None],
                                                ["新民村", 2, "王贵", ID_C, None, None]]})


def test_new_villages_are_listed_before_import_and_created_only_when_allowed(db, tmp_path):
    elders.save_elder(db, {"name": "赵大", "id_number": ID_D, "village": "青山村"}, today=TODAY)
    read = ledger_import.read_ledger(_two_villages(tmp_path), today=TODAY)
    assert ledger_import.new_villages(db, read) == {"新民村": 2}  # 青山村 is on the ledger already
    result = run_import(db, read.path, read=read, create_villages=set())
    assert result.imported == 1 and result.skipped == 2 and result.new_villages == []
    assert set(people(db)) == {ID_A, ID_D}
    assert db.execute("SELECT count(*) FROM villages WHERE name = '新民村'").fetchone()[0] == 0
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (3, "村", "村（社区）“新民村”不在台账中，未同意新建，这一行未导入"),
        (4, "村", "村（社区）“新民村”不在台账中，未同意新建，这一行未导入")]
    result = run_import(db, read.path, create_villages={"新民村"})
    assert result.new_villages == ["新民村"] and result.imported == 2
    assert people(db)[ID_C]["village"] == "新民村"


def test_preview_shows_rows_and_which_column_went_to_which_field(tmp_path):
    read = ledger_import.read_ledger(_two_villages(tmp_path), today=TODAY)
    headings, rows = ledger_import.preview_table(read, per_sheet=2)
    assert headings[:6] == ["工作表", "行", "状态", "姓名", "身份证号码", "村（社区）"]
    assert "备注" in headings and "籍贯" not in headings
    assert rows == [["汇总", "2", "可导入", "张德福", ID_A, "青山村", "3", "独居"],
                    ["汇总", "3", "可导入", "李秀英", ID_B, "新民村", "1", ""]]  # the first two rows only
    mapping = ledger_import.column_mapping(read)
    assert ("汇总", "身份证号码", "身份证号码") in mapping and ("汇总", "组", elders.ELDER_FIELDS["group_name"]) in mapping
    assert ("汇总", "籍贯", "未识别，不导入") in mapping


def test_imported_elders_are_found_by_full_pinyin(db, tmp_path):
    path = simple(tmp_path / "p.xlsx", [["单宝兰", ID_A, "女"], ["李秀英", ID_B, "女"]])
    assert run_import(db, path).imported == 2
    found = lambda q: [r["name"] for r in elders.list_elders(db, elders.ElderQuery(search=q))]  # noqa: E731
    assert found("shanbao") == ["单宝兰"]
    assert found("lixiuying") == ["李秀英"]


def test_all_villages_on_one_sheet_with_village_merged_down(db, tmp_path):
    rows = [["所在村", "组", "姓名", "身份证号", "联系电话"],
            ["青山村", 3, "张德福", ID_A, 13800138000],
            [None, 4, "李秀英", ID_B, None],
            ["河口村", 1, "王贵", ID_C, None]]
    path = build(tmp_path / "m.xlsx", {"汇总": rows}, {"汇总": ["A2:A3"]})
    result = run_import(db, path)
    assert result.imported == 3 and result.problems == []
    found = people(db)
    assert [found[i]["village"] for i in (ID_A, ID_B, ID_C)] == ["青山村", "青山村", "河口村"]
    assert found[ID_A]["group_name"] == "3"
    assert found[ID_A]["phone"] == "13800138000"


def test_generic_sheet_name_without_village_column_is_an_error_per_row(db, tmp_path):
    result = run_import(db, simple(tmp_path / "g.xlsx", [["张德福", ID_A]], title="Sheet1"))
    assert result.imported == 0 and result.skipped == 1
    assert "无法确定所在村" in result.problems[0].message


def test_notes_only_sheet_is_skipped_without_problems(db, tmp_path):
    path = build(tmp_path / "n.xlsx", {
        "填表说明": [["填表说明"], ["1. 身份证号码请设为文本格式"], ["2. 每村一张表"]],
        "青山村": [["姓名", "身份证号码"], ["张德福", ID_A]],
    })
    result = run_import(db, path)
    assert result.to_json() == {"imported": 1, "updated": 0, "skipped": 0, "problems": [], "changes": [],
                                "new_villages": ["青山村"]}



def test_people_on_a_sheet_without_a_recognised_header_are_reported_row_by_row(db, tmp_path):
    path = build(tmp_path / "h.xlsx", {
        "青山村": [["姓名", "身份证号码"], ["张德福", ID_A]],
        "河口村": [["人员", "证件"], ["李秀英", ID_B], ["王贵", ID_C]],
    })
    result = run_import(db, path)
    assert (result.imported, result.skipped) == (1, 2)
    assert [(p.sheet, p.row, p.severity) for p in result.problems] == [("河口村", 2, "error"), ("河口村", 3, "error")]
    assert ID_B in result.problems[0].message and "没有找到同时写有“姓名”和“身份证号码”的表头行" in result.problems[0].message


def test_blank_total_and_note_rows_are_not_reported(db, tmp_path):
    rows = [["姓名", "身份证号码"], ["张德福", ID_A], [None, None], ["李秀英", ID_B],
            ["合计", "2人"], ["注：本表一式两份，报镇民政办。"], ["填表人：王五", "审核人：赵六"]]
    result = run_import(db, build(tmp_path / "f.xlsx", {"青山村": rows}))
    assert result.to_json() == {"imported": 2, "updated": 0, "skipped": 0, "problems": [], "changes": [],
                                "new_villages": ["青山村"]}


def test_total_row_with_number_in_first_column_is_not_reported(db, tmp_path):
    rows = [["序号", "姓名", "身份证号码"], [1, "张德福", ID_A], ["合  计", None, None]]
    assert run_import(db, build(tmp_path / "t.xlsx", {"青山村": rows})).problems == []


def test_columns_in_any_order_found_by_heading_synonyms(db, tmp_path):
    rows = [["手机", "出生年月", "家庭住址", "公民身份号码", "村（社区）", "老人姓名", "民族", "备注"],
            ["13800138000", "1945.3.12", "三组12号", ID_A, "青山村", "张德福", "彝族", "耳背"]]
    result = run_import(db, build(tmp_path / "o.xlsx", {"台账": rows}))
    assert result.problems == []
    elder = people(db)[ID_A]
    assert (elder["name"], elder["phone"], elder["current_address"], elder["ethnicity"], elder["notes"]) == \
        ("张德福", "13800138000", "三组12号", "彝族", "耳背")


@pytest.mark.parametrize("heading", ["身份证号码", "身份证号", "公民身份号码", "身份证", "身份证号码（18位）"])
def test_id_number_heading_synonyms(heading):
    assert ledger_import.match_heading(heading) == ("id_number", None)


def test_form_fields_map_to_the_ledger(db, tmp_path):
    head = ["姓名", "身份证号码", "身体情况", "残疾类别及等级", "能力等级", "文化程度", "夫妻情况", "子女数量",
            "外出务工年限", "最近一次回家探望时间", "每年团聚次数", "家庭经济来源", "主要经济来源", "照料情况",
            "独居", "低保/特困", "失独", "养老需求", "存在困难问题", "巡访类别"]
    row = ["张德福", ID_A, "残疾", "肢体二级", "轻度失能", "小学", "丧偶", 2, "5年", "2026年2月", 1,
           "打工、种养殖", "打工", "无人照料", "是", "低保户", "否", "助餐", "看病难", "重点"]
    result = run_import(db, build(tmp_path / "x.xlsx", {"青山村": [head, row]}))
    assert result.problems == []
    e = people(db)[ID_A]
    assert (e["is_disabled"], e["disability_category"], e["disability_grade"], e["ability_level"]) == (1, "肢体", "二级", 1)
    assert (e["education"], e["spouse"], e["children_count"], e["children_away_years"]) == ("小学", "一方健在", 2, 5.0)
    assert (e["last_family_visit"], e["reunions_per_year"], e["income_sources"], e["main_income"]) == \
        ("2026-02", 1, "打工,种养殖业", "打工")
    assert (e["care"], e["lives_alone"], e["hardship"], e["lost_only_child"], e["tier"]) == ("无人照料", 1, "低保", 0, "重点")
    assert (e["needs"], e["difficulties"]) == ("助餐", "看病难")


def test_numbered_supporter_columns_give_several_supporters(db, tmp_path):
    head = ["姓名", "身份证号码", "赡养人1姓名", "赡养人1电话", "赡养人2姓名", "赡养人2电话", "赡养人2务工地点"]
    row = ["张德福", ID_A, "张大", "13800138000", "张二", "13900139000", "广东东莞"]
    assert run_import(db, build(tmp_path / "s.xlsx", {"青山村": [head, row]})).problems == []
    supporters = elders.supporters_of(db, people(db)[ID_A]["id"])
    assert [(s["name"], s["phone"], s["work_place"]) for s in supporters] == \
        [("张大", "13800138000", None), ("张二", "13900139000", "广东东莞")]


def test_id_merged_over_two_rows_is_one_person_with_two_supporters(db, tmp_path):
    head = ["姓名", "身份证号码", "赡养人姓名", "关系"]
    rows = [head, ["张德福", ID_A, "张大", "儿子"], [None, None, "张二", "女儿"], ["李秀英", ID_B, "李大", "儿子"]]
    result = run_import(db, build(tmp_path / "s2.xlsx", {"青山村": rows}, {"青山村": ["A2:A3", "B2:B3"]}))
    assert result.to_json()["imported"] == 2 and result.problems == []
    supporters = elders.supporters_of(db, people(db)[ID_A]["id"])
    assert [s["name"] for s in supporters] == ["张大", "张二"]



def test_id_merged_over_two_people_is_an_error_on_the_later_rows(db, tmp_path):
    head = ["姓名", "身份证号码", "赡养人姓名"]
    rows = [head, ["张德福", ID_A, "张大"], ["李秀英", None, "李大"], ["王贵", None, "王大"]]
    result = run_import(db, build(tmp_path / "m.xlsx", {"青山村": rows}, {"青山村": ["B2:B4"]}))
    assert (result.imported, result.skipped) == (1, 2)
    assert [(p.row, p.column, p.severity) for p in result.problems] == [(3, "身份证号码", "error"),
                                                                        (4, "身份证号码", "error")]
    assert "B2:B4" in result.problems[0].message and "“李秀英”没有自己的身份证号码" in result.problems[0].message
    assert [s["name"] for s in elders.supporters_of(db, people(db)[ID_A]["id"])] == ["张大"]


@pytest.mark.parametrize("name", ["注秀英", "说明华", "小计生"])
def test_person_whose_name_reads_like_a_footer_is_imported_when_the_id_is_valid(db, tmp_path, name):
    result = run_import(db, simple(tmp_path / "n.xlsx", [["张德福", ID_A], [name, ID_B]]))
    assert (result.imported, result.problems) == (2, [])
    assert people(db)[ID_B]["name"] == name


def test_footer_like_row_whose_id_excel_turned_into_a_number_is_reported(db, tmp_path):
    result = run_import(db, simple(tmp_path / "n.xlsx", [["张德福", ID_A], ["注秀英", int(ID_B[:15] + "000")]]))
    assert result.imported == 1
    [problem] = result.problems
    assert (problem.row, problem.column, problem.severity) == (3, "身份证号码", "error")


# ---------------------------------------------------------------- ID numbers and dates


def test_id_number_with_lower_x_full_width_digits_and_spaces_is_normalised(db, tmp_path):
    with_x = make_id("19470101", 7)
    while not with_x.endswith("X"):  # find a sequence whose check digit is X
        with_x = make_id("19470101", int(with_x[14:17]) + 2)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in ID_B)
    spaced = f"{ID_C[:6]} {ID_C[6:14]} {ID_C[14:]}"
    rows = [[f"甲{i}", number] for i, number in enumerate((with_x.lower(), full_width, spaced))]
    rows = [[name.replace("0", "一").replace("1", "二").replace("2", "三"), n] for name, n in rows]
    result = run_import(db, simple(tmp_path / "i.xlsx", rows))
    assert result.problems == [] and result.imported == 3
    assert set(people(db)) == {with_x, ID_B, ID_C}


@pytest.mark.parametrize("stored", [int(ID_A[:15] + "000"), float(ID_A)])
def test_id_number_stored_as_number_is_an_error_never_guessed(db, tmp_path, stored):
    result = run_import(db, simple(tmp_path / "n.xlsx", [["张德福", stored], ["李秀英", ID_B]]))
    assert result.imported == 1 and result.skipped == 1
    problem = result.problems[0]
    assert (problem.sheet, problem.row, problem.column, problem.severity) == ("青山村", 2, "身份证号码", "error")
    assert "存成了数字" in problem.message
    assert ID_A not in people(db)


@pytest.mark.parametrize("typed", [dt.date(1950, 3, 5), dt.datetime(1950, 3, 5), 18327, "1950.3.5", "1950/3/5",
                                   "1950年3月5日", "19500305", 19500305])
def test_birth_date_in_every_form_matching_the_id_is_accepted(db, tmp_path, typed):
    path = build(tmp_path / "d.xlsx", {"青山村": [["姓名", "身份证号码", "出生日期"], ["王贵", ID_D, typed]]})
    result = run_import(db, path)
    assert result.problems == [] and result.imported == 1
    assert people(db)[ID_D]["birth_date"] == "1950-03-05"


def test_birth_date_differing_from_the_id_is_a_warning_naming_both(db, tmp_path):
    path = build(tmp_path / "d.xlsx", {"青山村": [["姓名", "身份证号码", "出生年月"], ["王贵", ID_D, "1950.3.6"]]})
    result = run_import(db, path)
    assert result.imported == 1
    [problem] = result.problems
    assert (problem.row, problem.column, problem.severity) == (2, "出生年月", "warning")
    assert "1950-03-06" in problem.message and "1950-03-05" in problem.message


# ---------------------------------------------------------------- the same person twice, already on the ledger


def test_same_person_twice_in_file_reports_the_second_naming_the_first(db, tmp_path):
    path = build(tmp_path / "dup.xlsx", {
        "青山村": [["姓名", "身份证号码"], ["张德福", ID_A]],
        "河口村": [["姓名", "身份证号码"], ["李秀英", ID_B], ["张德福", ID_A.lower()]],
    })
    result = run_import(db, path)
    assert result.imported == 2 and result.skipped == 1
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.severity) == ("河口村", 3, "error")
    assert "工作表 青山村 第2行" in problem.message and "张德福" in problem.message
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 2


def test_person_on_the_ledger_is_updated_and_changes_listed(db, tmp_path):
    elders.save_elder(db, {"name": "张德福", "id_number": ID_A, "village": "青山村", "phone": "13800138000"},
                      today=TODAY)
    path = build(tmp_path / "u.xlsx", {"青山村": [["姓名", "身份证号码", "联系电话"], ["张德福", ID_A, "13900139000"]]})
    result = run_import(db, path)
    assert (result.imported, result.updated, result.skipped) == (0, 1, 0)
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 1
    [change] = result.changes
    assert (change.name, change.id_number) == ("张德福", ID_A)
    assert ("phone", "联系电话", "13800138000", "13900139000", True) in \
        [(c.field, c.label, c.old, c.new, c.applied) for c in change.changes]
    assert people(db)[ID_A]["phone"] == "13900139000"
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = '导入台账' AND field = 'phone'").fetchone()[0] == 1



def on_ledger_as(db, name="张德福", phone="13800138000"):
    elders.save_elder(db, {"name": name, "id_number": ID_A, "village": "青山村", "phone": phone}, today=TODAY)


def renamed_workbook(tmp_path, name="张德富"):
    return build(tmp_path / "r.xlsx", {"青山村": [["姓名", "身份证号码", "联系电话"], [name, ID_A, "13900139000"]]})


def test_same_id_under_another_name_keeps_the_ledger_name_and_lists_the_conflict(db, tmp_path):
    on_ledger_as(db)
    result = run_import(db, renamed_workbook(tmp_path))
    assert people(db)[ID_A]["name"] == "张德福"
    assert people(db)[ID_A]["phone"] == "13900139000"  # the rest of the row is imported
    [person] = result.changes
    assert person.name == "张德福"
    assert [(c.field, c.old, c.new, c.applied) for c in person.changes][0] == ("name", "张德福", "张德富", False)
    [problem] = result.problems
    assert (problem.row, problem.column, problem.severity) == (2, "姓名", "warning")
    assert "“张德福”" in problem.message and "“张德富”" in problem.message and "姓名未改" in problem.message
    assert result.has_problems


def test_rename_is_applied_for_an_id_the_clerk_accepted(db, tmp_path):
    on_ledger_as(db)
    result = run_import(db, renamed_workbook(tmp_path), accept_renames={ID_A})
    assert people(db)[ID_A]["name"] == "张德富"
    assert ("name", "张德福", "张德富", True) in [(c.field, c.old, c.new, c.applied) for c in result.changes[0].changes]
    assert result.problems == [] and not result.has_problems
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = '导入台账' AND field = 'name'").fetchone()[0] == 1



def test_a_second_run_over_the_same_read_still_keeps_the_ledger_name(db, tmp_path):
    on_ledger_as(db)
    path = renamed_workbook(tmp_path)
    read = ledger_import.read_ledger(path, today=TODAY)
    run_import(db, path, read=read, dry_run=True)  # the window's reading is reused after a dry run or a cancel
    result = run_import(db, path, read=read)
    assert people(db)[ID_A]["name"] == "张德福"
    assert ("name", False) in [(c.field, c.applied) for c in result.changes[0].changes]


def test_rename_conflicts_are_found_before_importing(db, tmp_path):
    on_ledger_as(db)
    read = ledger_import.read_ledger(renamed_workbook(tmp_path), today=TODAY)
    [conflict] = ledger_import.rename_conflicts(db, read)
    assert (conflict.sheet, conflict.row, conflict.id_number, conflict.old, conflict.new) == \
        ("青山村", 2, ID_A, "张德福", "张德富")


def test_same_name_written_with_a_full_width_space_is_no_rename(db, tmp_path):
    on_ledger_as(db, name="张福")
    result = run_import(db, renamed_workbook(tmp_path, name="张\u3000福"))
    assert result.problems == [] and all(c.field != "name" for c in result.changes[0].changes)


def test_row_with_content_but_no_name_or_id_is_reported(db, tmp_path):
    result = run_import(db, simple(tmp_path / "e.xlsx", [["张德福", ID_A], [None, None, "男"]]))
    assert result.imported == 1
    [problem] = result.problems
    assert (problem.row, problem.column, problem.severity) == (3, None, "error")


def test_invalid_value_names_row_column_and_value(db, tmp_path):
    path = build(tmp_path / "c.xlsx", {"青山村": [["姓名", "身份证号码", "文化程度"], ["张德福", ID_A, "博士后"]]})
    result = run_import(db, path)
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column, problem.severity) == ("青山村", 2, "文化程度", "error")
    assert "博士后" in problem.message
    assert result.imported == 0


# ---------------------------------------------------------------- dry run, transactions, unusable files


def test_dry_run_writes_nothing_and_reports_the_same(db, tmp_path):
    path = simple(tmp_path / "d.xlsx", [["张德福", ID_A], ["李秀英", int(ID_B[:15] + "000")]])
    dry = run_import(db, path, dry_run=True)
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM villages").fetchone()[0] == 0
    real = run_import(db, path)
    assert dry.to_json() == real.to_json()
    assert real.imported == 1


def test_cancel_mid_way_leaves_the_database_as_it_was(db, tmp_path):
    rows = [[f"老人{chr(0x4e00 + i)}", make_id("19450312", 2 * i + 1)] for i in range(450)]
    path = simple(tmp_path / "c.xlsx", rows)
    read = ledger_import.read_ledger(path, today=TODAY)
    calls = []

    def check():
        calls.append(1)
        return len(calls) > 2  # cancel after 400 people were saved

    with pytest.raises(ledger_import.ImportCancelled):
        run_import(db, path, check_cancelled=check, read=read)
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0


def test_not_a_workbook_is_a_clear_error(db, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("这不是表格", encoding="utf-8")
    with pytest.raises(UserError, match="不是 Excel 工作簿"):
        run_import(db, bad)
    with pytest.raises(UserError, match="找不到文件"):
        run_import(db, tmp_path / "missing.xlsx")


def test_workbook_without_ledger_sheet_is_a_clear_error(db, tmp_path):
    path = build(tmp_path / "no.xlsx", {"Sheet1": [["序号", "名称", "金额"], [1, "米", 20]]})
    with pytest.raises(UserError, match="没有找到台账"):
        run_import(db, path)
    assert db.execute("SELECT COUNT(*) FROM villages").fetchone()[0] == 0


# ---------------------------------------------------------------- the command line


def cli(*args):
    return subprocess.run([sys.executable, "-m", "township_desk", *args], capture_output=True, text=True,
                          encoding="utf-8")


def test_cli_json_shape_and_exit_code_one_with_problems(tmp_path):
    path = simple(tmp_path / "c.xlsx", [["张德福", ID_A], ["李秀英", int(ID_B[:15] + "000")]])
    done = cli("import-ledger", str(path), "--db", str(tmp_path / "l.db"), "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert list(report) == ["imported", "updated", "skipped", "problems", "changes", "new_villages"]
    assert report["imported"] == 1 and report["skipped"] == 1
    assert report["new_villages"] == ["青山村"]
    assert report["problems"][0] == {"sheet": "青山村", "row": 3, "column": "身份证号码", "severity": "error",
                                     "message": report["problems"][0]["message"]}


def test_cli_clean_import_exits_zero_with_chinese_summary(tmp_path):
    path = simple(tmp_path / "c.xlsx", [["张德福", ID_A]])
    done = cli("import-ledger", str(path), "--db", str(tmp_path / "l.db"))
    assert done.returncode == 0, done.stderr
    assert "新增 1 人" in done.stdout


def test_cli_lists_the_villages_it_creates_and_a_dry_run_those_it_would(tmp_path):
    path = build(tmp_path / "v.xlsx", {"汇总": [["村", "姓名", "身份证号码"], ["青山村", "张德福", ID_A],
                                               ["新民村", "李秀英", ID_B]]})
    db_file = tmp_path / "l.db"
    done = cli("import-ledger", str(path), "--db", str(db_file), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "将新建 2 个：青山村、新民村" in done.stdout
    done = cli("import-ledger", str(path), "--db", str(db_file), "--json")
    assert json.loads(done.stdout)["new_villages"] == ["青山村", "新民村"]
    done = cli("import-ledger", str(path), "--db", str(db_file), "--json")
    assert json.loads(done.stdout)["new_villages"] == []  # both are on the ledger now


def test_cli_problem_lines_name_sheet_row_and_column(tmp_path):
    path = simple(tmp_path / "c.xlsx", [["张德福", ID_A], ["李秀英", int(ID_B[:15] + "000")]])
    done = cli("import-ledger", str(path), "--db", str(tmp_path / "l.db"), "--dry-run")
    assert done.returncode == 1
    assert "工作表 青山村 第3行 〔身份证号码〕：" in done.stdout
    assert "未写入" in done.stdout


def test_cli_unusable_file_exits_two_with_message(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04junk")
    done = cli("import-ledger", str(bad), "--db", str(tmp_path / "l.db"))
    assert done.returncode == 2
    assert done.stdout == "" and "不是 Excel 工作簿" in done.stderr


def test_village_written_once_over_unmerged_rows_applies_to_the_rows_below(db, tmp_path):
    rows = [["村", "姓名", "身份证号码"], ["青山村", "张德福", ID_A], [None, "李秀英", ID_B], ["河口村", "王贵", ID_C]]
    assert run_import(db, build(tmp_path / "v.xlsx", {"汇总": rows})).problems == []
    assert [people(db)[i]["village"] for i in (ID_A, ID_B, ID_C)] == ["青山村", "青山村", "河口村"]


def test_headings_merged_down_over_a_second_heading_row_with_tick_columns(db, tmp_path):
    rows = [["留守老年人台账"],
            ["填报单位：青山村委会"],
            ["姓名", "身份证号码", "身体情况", None, None, "低保/特困", "巡访类别"],
            [None, None, "健康", "残疾", "患病", None, None],
            ["张德福", ID_A, None, "√", "√", "特困供养", "重点对象"],
            ["李秀英", ID_B, "√", None, None, "否", "一般"]]
    merges = ["A1:G1", "A3:A4", "B3:B4", "C3:E3", "F3:F4", "G3:G4"]
    result = run_import(db, build(tmp_path / "h.xlsx", {"青山村": rows}, {"青山村": merges}))
    assert result.to_json() == {"imported": 2, "updated": 0, "skipped": 0, "problems": [], "changes": [],
                                "new_villages": ["青山村"]}
    a, b = people(db)[ID_A], people(db)[ID_B]
    assert (a["is_disabled"], a["is_ill"], a["hardship"], a["tier"]) == (1, 1, "特困", "重点")
    assert (b["is_disabled"], b["is_ill"], b["hardship"], b["tier"]) == (0, 0, "", "一般")


def test_cli_unusable_file_creates_no_database(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x", encoding="utf-8")
    done = cli("import-ledger", str(bad), "--db", str(tmp_path / "new.db"))
    assert done.returncode == 2
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize(("heading", "expected"), [
    ("姓名", ("name", None)), ("性别", ("sex", None)), ("出生年月", ("birth_date", None)),
    ("户籍所在地", ("household_address", None)), ("现居住地址", ("current_address", None)),
    ("现住址", ("current_address", None)), ("村（社区）", ("village", None)), ("所在村", ("village", None)),
    ("村民小组", ("group_name", None)), ("联系电话", ("phone", None)), ("手机", ("phone", None)),
    ("身体情况", ("health", None)), ("残疾类别及等级", ("disability", None)), ("患病", ("is_ill", None)),
    ("患病类型", ("illness_type", None)), ("能力等级", ("ability_level", None)), ("失智", ("has_dementia", None)),
    ("子女数量", ("children_count", None)), ("外出务工年限", ("children_away_years", None)),
    ("最近一次回家探望时间", ("last_family_visit", None)), ("每年团聚次数", ("reunions_per_year", None)),
    ("经济来源", ("income_sources", None)), ("家庭经济来源", ("income_sources", None)),
    ("主要经济来源", ("main_income", None)), ("照料情况", ("care", None)), ("独居", ("lives_alone", None)),
    ("低保/特困", ("hardship", None)), ("困难类型", ("hardship", None)), ("失独", ("lost_only_child", None)),
    ("养老需求", ("needs", None)), ("存在困难问题", ("difficulties", None)), ("巡访责任人", ("visitor", None)),
    ("巡访责任人电话", ("visitor_phone", None)), ("巡访类别", ("tier", None)), ("备注", ("notes", None)),
    ("赡养人姓名", ("s.name", None)), ("与老人关系", ("s.relation", None)), ("赡养人电话", ("s.phone", None)),
    ("务工地点", ("s.work_place", None)), ("赡养人2姓名", ("s.name", 2)), ("赡养人1联系电话", ("s.phone", 1)),
    ("序号", (None, None)), ("年龄", (None, None)), ("某某列", None),
])
def test_heading_synonyms(heading, expected):
    assert ledger_import.match_heading(heading) == expected


def test_blank_cells_keep_what_the_ledger_holds_and_defaults_for_new_people(db, tmp_path):
    elders.save_elder(db, {"name": "张德福", "id_number": ID_A, "village": "青山村", "phone": "13800138000",
                           "tier": "重点"}, today=TODAY)
    head = ["姓名", "身份证号码", "联系电话", "巡访类别", "文化程度"]
    rows = [head, ["张德福", ID_A, None, None, None], ["李秀英", ID_B, None, None, None]]
    result = run_import(db, build(tmp_path / "b.xlsx", {"青山村": rows}))
    assert (result.imported, result.updated, result.problems, result.changes) == (1, 1, [], [])
    a, b = people(db)[ID_A], people(db)[ID_B]
    assert (a["phone"], a["tier"]) == ("13800138000", "重点")
    assert (b["tier"], b["education"]) == ("一般", None)


# ---------------------------------------------------------------- workbooks that would take the reader down

@pytest.fixture
def reader_never_called(monkeypatch):
    """The hostile file must be refused before python-calamine opens it (which would abort this process)."""
    def refuse(*_a, **_k):
        raise AssertionError("python-calamine was given a workbook the guard should have refused")
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)


@pytest.fixture
def small(tmp_path):
    return simple(tmp_path / "small.xlsx", [["张德福", ID_A]])


def test_a_far_away_cell_is_refused_before_the_reader_opens_it(db, tmp_path, small, reader_never_called):
    hostile = edit_sheet(small, tmp_path / "远.xlsx", add_cell("XFD1000000", dimension="A1:C2"))
    with pytest.raises(UserError, match="“远.xlsx”的工作表“青山村”延伸到第 1000000 行、第 16384 列"):
        run_import(db, hostile)
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0


def test_a_declared_dimension_far_away_is_refused(db, tmp_path, small, reader_never_called):
    hostile = edit_sheet(small, tmp_path / "d.xlsx", declare_dimension("A1:XFD1048576"))
    with pytest.raises(UserError, match="超过可读取的上限（200000 行、300 列）"):
        run_import(db, hostile)


def test_a_merged_range_reaching_far_away_is_refused(db, tmp_path, small, reader_never_called):
    hostile = edit_sheet(small, tmp_path / "m.xlsx", add_merge("A2:XFD2"))
    with pytest.raises(UserError, match="第 16384 列"):
        run_import(db, hostile)


def test_cells_without_references_are_counted_where_the_reader_puts_them(db, tmp_path, small, reader_never_called):
    hostile = edit_sheet(small, tmp_path / "n.xlsx", add_row_of_cells_without_references(400))
    with pytest.raises(UserError, match="第 400 列"):
        run_import(db, hostile)



@pytest.mark.parametrize("row_xml", [
    '<row r="1000000"><c\nr="XFD1000000"><v>1</v></c></row>',          # a line break after the tag name
    "<row r='1000000'><c r='XFD1000000'><v>1</v></c></row>",              # single quotes
    '<row r="1000000"><c t="n" r="XFD1000000"><v>1</v></c></row>',       # r not the first attribute
    '<row r="1000000"><c r="&#88;FD1000000"><v>1</v></c></row>',          # a character reference
], ids=["line break", "single quotes", "attribute order", "entity"])
def test_a_far_away_cell_written_unusually_is_still_found(db, tmp_path, small, reader_never_called, row_xml):
    hostile = edit_sheet(small, tmp_path / "u.xlsx", add_raw_row(row_xml))
    with pytest.raises(UserError, match="延伸到第 1000000 行、第 16384 列"):
        run_import(db, hostile)


def test_a_far_away_cell_with_a_namespace_prefix_is_still_found(db, tmp_path, small, reader_never_called):
    def prefixed(xml: str) -> str:
        xml = xml.replace("<worksheet ", '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ')
        return xml.replace("</sheetData>", '<x:row r="1000000"><x:c r="XFD1000000"><x:v>1</x:v></x:c></x:row></sheetData>')
    with pytest.raises(UserError, match="延伸到第 1000000 行、第 16384 列"):
        run_import(db, edit_sheet(small, tmp_path / "p.xlsx", prefixed))


def test_a_utf16_worksheet_is_not_read(db, tmp_path, small, reader_never_called):
    import zipfile

    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(tmp_path / "w.xlsx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.decode("utf-8").encode("utf-16")
            zout.writestr(item, data)
    with pytest.raises(UserError, match="不是 Excel 工作簿"):
        run_import(db, tmp_path / "w.xlsx")


def test_a_sheet_within_rows_and_columns_but_too_many_cells_is_refused(db, tmp_path, small, reader_never_called):
    hostile = edit_sheet(small, tmp_path / "c.xlsx", add_cell("KN30000"))  # 300 columns × 30,000 rows: 9 million
    with pytest.raises(UserError, match="9000000 个单元格"):
        run_import(db, hostile)


def test_a_workbook_over_the_uncompressed_limit_is_refused(db, tmp_path, small, reader_never_called, monkeypatch):
    monkeypatch.setattr(workbook_guard, "MAX_UNCOMPRESSED", 4000)
    with pytest.raises(UserError, match="“small.xlsx”解压后超过"):
        run_import(db, small)


def test_a_member_with_an_absurd_compression_ratio_is_refused(db, tmp_path, small, reader_never_called):
    bomb = edit_sheet(small, tmp_path / "b.xlsx", lambda xml: xml, extra={"xl/media/image1.bin": bytes(4 << 20)})
    with pytest.raises(UserError, match="“xl/media/image1.bin”压缩比异常"):
        run_import(db, bomb)


def test_a_binary_xlsb_workbook_is_asked_to_be_saved_as_xlsx(db, tmp_path, reader_never_called):
    import zipfile

    path = tmp_path / "台账.xlsb"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    with pytest.raises(UserError, match="另存为”.xlsx"):
        run_import(db, path)


def test_an_ordinary_ledger_passes_the_guard_with_its_extent(small):
    [sheet] = workbook_guard.check_workbook(small)
    assert (sheet.name, sheet.rows, sheet.columns) == ("青山村", 2, 3)


def test_a_rust_panic_in_the_reader_becomes_a_chinese_message(db, small, monkeypatch):
    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})

    def explode(*_a, **_k):
        raise panic("index out of bounds")
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", explode)
    with pytest.raises(UserError, match="无法读取“small.xlsx”"):
        run_import(db, small)



def test_a_rust_panic_while_loading_a_sheet_becomes_a_chinese_message(db, small, monkeypatch):
    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})
    real = python_calamine.CalamineWorkbook.from_path

    class PanickingBook:
        def __init__(self, book):
            self.book, self.sheets_metadata, self.sheet_names = book, book.sheets_metadata, book.sheet_names

        def get_sheet_by_name(self, _name):
            raise panic("attempt to multiply with overflow")

        def close(self):
            self.book.close()
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", lambda path: PanickingBook(real(path)))
    with pytest.raises(UserError, match="无法读取“small.xlsx”：文件可能已损坏（PanicException"):
        run_import(db, small)


def test_cli_refuses_a_far_away_cell_with_one_chinese_line_and_creates_no_database(tmp_path, small):
    hostile = edit_sheet(small, tmp_path / "远.xlsx", add_cell("XFD1000000"))
    done = cli("import-ledger", str(hostile), "--db", str(tmp_path / "new.db"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "工作表“青山村”延伸到第 1000000 行" in done.stderr
    assert not (tmp_path / "new.db").exists()


def test_without_the_guard_such_a_file_aborts_the_reader_process(tmp_path, small):
    """Why the guard exists: python-calamine itself ends the process (run here in a child process)."""
    hostile = edit_sheet(small, tmp_path / "远.xlsx", add_cell("XFD1000000"))
    code = ("import sys, python_calamine as c; b = c.CalamineWorkbook.from_path(sys.argv[1]); "
            "b.get_sheet_by_index(0).to_python(skip_empty_area=False)")
    done = subprocess.run([sys.executable, "-c", code, str(hostile)], capture_output=True, timeout=60,
                          env={"RUST_BACKTRACE": "0", "PATH": "/usr/bin:/bin"})
    if done.returncode >= 0 and done.returncode != 134:
        pytest.skip(f"this python-calamine does not abort on it (exit {done.returncode})")
    assert done.returncode in (134, -6)



def test_cli_rename_without_accepting_exits_one_and_json_lists_it_unapplied(tmp_path, db_path):
    database = ledger_db(db_path)
    on_ledger_as(database)
    database.close()
    done = cli("import-ledger", str(renamed_workbook(tmp_path)), "--db", str(db_path), "--json")
    assert done.returncode == 1, done.stderr
    changes = json.loads(done.stdout)["changes"]
    assert {"id_number": ID_A, "field": "name", "old": "张德福", "new": "张德富", "applied": False} in changes
    assert {"id_number": ID_A, "field": "phone", "old": "13800138000", "new": "13900139000", "applied": True} in changes


def test_cli_accept_renames_renames_and_exits_zero(tmp_path, db_path):
    database = ledger_db(db_path)
    on_ledger_as(database)
    database.close()
    done = cli("import-ledger", str(renamed_workbook(tmp_path)), "--db", str(db_path), "--accept-renames", "--json")
    assert done.returncode == 0, done.stderr
    assert {"id_number": ID_A, "field": "name", "old": "张德福", "new": "张德富", "applied": True} in \
        json.loads(done.stdout)["changes"]


def test_cli_lists_each_change_old_to_new_with_chinese_labels(tmp_path, db_path):
    database = ledger_db(db_path)
    on_ledger_as(database)
    database.close()
    done = cli("import-ledger", str(renamed_workbook(tmp_path)), "--db", str(db_path))
    assert done.returncode == 1
    assert "    姓名：张德福 → 张德富（未改：改名须确认）" in done.stdout
    assert "    联系电话：13800138000 → 13900139000" in done.stdout
    assert "--accept-renames" in done.stdout


def ledger_db(path):
    from township_desk.models import db as dbm

    return dbm.connect(path)


XLS_LEDGER = [(0, 0, "姓名"), (0, 1, "身份证号码"), (1, 0, "张德福"), (1, 1, ID_A)]


def test_an_old_format_xls_ledger_passes_the_guard_and_imports(db, tmp_path):
    path = xls_workbook(tmp_path / "台账.xls", "青山村", XLS_LEDGER)
    assert [(s.name, s.rows, s.columns) for s in workbook_guard.check_workbook(path)] == [("青山村", 2, 2)]
    result = run_import(db, path)
    assert (result.imported, result.problems) == (1, [])
    assert people(db)[ID_A]["village"] == "青山村"


@pytest.mark.parametrize("mini", [False, True], ids=["stream", "small stream"])
def test_an_xls_with_a_far_away_cell_is_refused_before_the_reader_opens_it(db, tmp_path, reader_never_called, mini):
    path = xls_workbook(tmp_path / "远.xls", "青山村", [*XLS_LEDGER, (65000, 60000, "x")], mini=mini)
    with pytest.raises(UserError, match="“远.xls”的工作表“青山村”延伸到第 65001 行、第 60001 列"):
        run_import(db, path)


def test_an_xls_declaring_a_far_away_dimension_is_refused(db, tmp_path, reader_never_called):
    path = xls_workbook(tmp_path / "d.xls", "青山村", XLS_LEDGER, dimension=(65536, 65535))
    with pytest.raises(UserError, match="第 65535 列"):
        run_import(db, path)


def test_a_damaged_xls_container_is_not_a_workbook(db, tmp_path, reader_never_called):
    path = xls_workbook(tmp_path / "坏.xls", "青山村", XLS_LEDGER)
    path.write_bytes(path.read_bytes()[:600])
    with pytest.raises(UserError, match="“坏.xls”：它不是 Excel 工作簿"):
        run_import(db, path)
