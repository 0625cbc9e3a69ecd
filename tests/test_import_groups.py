"""Importing visit groups (巡访对象类别) from real .xlsx workbooks: a 类别 column and yes/no columns on a village
ledger, and a 社区's ledger of 城市独居 elders named by its title. What the record can say goes into the record (the
groups stay derived); 重点优抚 becomes an override whose reason names the workbook; a group the record then does not
give is a warning with the reasons; the preview lists the group columns recognised."""

from __future__ import annotations

import datetime as dt

import openpyxl
from conftest import make_id

from township_desk.models import elders, groups, ledger_import

TODAY = dt.date(2026, 11, 22)
IDS = [make_id("19450312", 1), make_id("19520708", 2), make_id("19381125", 3), make_id("19480601", 4),
       make_id("19400101", 5), make_id("19420202", 7), make_id("19440303", 9)]


def village_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "青山村"
    ws.append(["青山村留守老年人及特殊困难老人台账"])
    ws.append(["姓名", "身份证号码", "类别", "是否空巢", "赡养人姓名", "赡养人外出时间", "赡养人务工地点"])
    ws.append(["张德福", IDS[0], "农村留守老人", "是", "张小明", "2020-03", "广东省深圳市"])
    ws.append(["李秀英", IDS[1], "特殊困难老人（重点优抚对象）", None, "李小红", "2019-05", "成都市"])
    ws.append(["王大山", IDS[2], "计生特殊家庭", None, "王小山", "2018-01", "上海市"])
    ws.append(["赵金花", IDS[3], "重点", None, "赵小花", "2021-07", "重庆市"])
    ws.append(["钱多多", IDS[4], None, "是", None, None, None])  # no children registered: 空巢 cannot be given
    ws.append(["合计", "5人"])
    wb.save(path)
    return path


def community_workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "城东社区"
    ws.append(["城东社区城市独居老人台账"])
    ws.append(["填报单位：城东社区居委会"])
    ws.append(["序号", "姓名", "身份证号码", "现住址", "婚姻状况", "子女姓名", "子女务工地"])
    ws.append([1, "孙桂英", IDS[5], "城东社区正街12号", "丧偶", "孙明", "成都市"])
    ws.append([2, "周老汉", IDS[6], "城东社区河街3号", "夫妻健在", "周强", "广东省东莞市"])
    wb.save(path)
    return path


def by_name(db) -> dict[str, int]:
    return {r["name"]: r["id"] for r in db.query("SELECT id, name FROM elders")}


def in_groups(db, elder_id) -> list[str]:
    return groups.names(groups.groups_of(db, elder_id, TODAY))


def test_a_village_ledger_with_a_group_column_and_yes_no_columns(db, tmp_path):
    path = village_workbook(tmp_path / "青山村台账.xlsx")
    result = ledger_import.import_ledger(db, path, today=TODAY)
    assert result.imported == 5 and result.skipped == 0
    ids = by_name(db)
    assert in_groups(db, ids["张德福"]) == ["农村留守", "空巢"]
    special = next(m for m in groups.groups_of(db, ids["李秀英"], TODAY) if m.group == "特殊困难")
    assert (special.sub_kind, special.source) == ("重点优抚", "override")
    assert special.reasons == ["经办人认定：导入台账：“青山村台账.xlsx”工作表“青山村”第4行 〔类别〕“特殊困难老人（重点优抚对象）”"]
    planned = next(m for m in groups.groups_of(db, ids["王大山"], TODAY) if m.group == "特殊困难")
    assert (planned.sub_kind, planned.source) == ("计划生育特殊家庭", "derived")  # the record's flag, set
    assert elders.get_elder(db, ids["王大山"])["family_planning_special"] == 1
    assert elders.get_elder(db, ids["赵金花"])["tier"] == "重点"  # a 类别 column holding the tier
    warned = [(p.row, p.severity, p.message) for p in result.problems if p.row == 7]
    assert warned == [(7, "warning", "表中〔是否空巢〕“是”，但按台账记录不属于空巢：未登记子女（赡养人），无法判断子女是否在外地"
                                     "（如确属，请在老人档案中改定类别并写明原因）")]
    assert "空巢" not in in_groups(db, ids["钱多多"])  # never forced


def test_a_community_ledger_of_urban_elders_living_alone(db, tmp_path):
    path = community_workbook(tmp_path / "城东社区.xlsx")
    read = ledger_import.read_ledger(path, today=TODAY)
    assert ledger_import.new_villages(db, read) == {"城东社区": 2}  # a 社区 is stored like a village
    result = ledger_import.import_ledger(db, path, today=TODAY, read=read)
    assert result.imported == 2
    ids = by_name(db)
    alone = elders.get_elder(db, ids["孙桂英"])
    assert (alone["village"], alone["rural_hukou"], alone["lives_alone"], alone["spouse"]) == ("城东社区", 0, 1, "一方健在")
    assert in_groups(db, ids["孙桂英"]) == ["城市独居", "独居", "空巢"]
    couple = ids["周老汉"]
    assert "城市独居" not in in_groups(db, couple)  # a couple living together is not, whatever the title says
    assert [p.message for p in result.problems if p.row == 5] == [
        "表中标题“城东社区城市独居老人台账”，但按台账记录不属于城市独居：夫妻共同生活（夫妻双方健在），不认定为城市独居老人"
        "（如确属，请在老人档案中改定类别并写明原因）"]


def test_the_preview_lists_the_group_columns_it_recognised(tmp_path):
    village = ledger_import.read_ledger(village_workbook(tmp_path / "村.xlsx"), today=TODAY)
    mapping = {(heading, label) for _sheet, heading, label in ledger_import.column_mapping(village)}
    assert {("类别", "巡访对象类别"), ("是否空巢", "巡访对象类别：是否空巢")} <= mapping
    headings, table = ledger_import.preview_table(village)
    column = headings.index("巡访对象类别")
    assert [row[column] for row in table] == ["农村留守、空巢", "特殊困难（重点优抚）",
                                                  "特殊困难（计划生育特殊家庭）", "", "空巢"]
    community = ledger_import.read_ledger(community_workbook(tmp_path / "社区.xlsx"), today=TODAY)
    assert ("城东社区", "（标题“城东社区城市独居老人台账”）", "巡访对象类别：城市独居（表中各行）") in \
        ledger_import.column_mapping(community)
    headings, table = ledger_import.preview_table(community)
    assert [row[headings.index("巡访对象类别")] for row in table] == ["城市独居", "城市独居"]


def test_a_dry_run_sets_no_override(db, tmp_path):
    result = ledger_import.import_ledger(db, village_workbook(tmp_path / "村.xlsx"), today=TODAY, dry_run=True)
    assert result.imported == 5
    assert db.execute("SELECT COUNT(*) FROM elder_group_overrides").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0


# ---------------------------------------------------------------- a 重度残疾 column: 重残 是/否, or the 残疾 field

def severe_workbook(path, column: list, extra: dict | None = None):
    """A village ledger with a 重度残疾 column holding ``column`` (one value per elder, IDS order)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "青山村"
    headings = ["姓名", "身份证号码", "重度残疾", *(extra or {})]
    ws.append(headings)
    names = ["张德福", "李秀英", "王大山"]
    for n, value in enumerate(column):
        ws.append([names[n], IDS[n], value, *((extra or {})[h][n] for h in extra or {})])
    ws.append(["合计", "3人", 1])  # a footer count in the column is not one of its values
    wb.save(path)
    return path


def test_a_yes_no_severe_disability_column_makes_the_record_give_the_group(db, tmp_path):
    path = severe_workbook(tmp_path / "重残.xlsx", ["是", "否", None])
    read = ledger_import.read_ledger(path, today=TODAY)
    assert ("青山村", "重度残疾", "巡访对象类别：是否重残") in ledger_import.column_mapping(read)
    result = ledger_import.import_ledger(db, path, today=TODAY, read=read)
    assert result.imported == 3 and [p.message for p in result.problems] == []
    ids = by_name(db)
    zhang = elders.get_elder(db, ids["张德福"])
    assert (zhang["is_disabled"], zhang["disability_grade"]) == (1, "一级或二级")
    assert "重残" in in_groups(db, ids["张德福"])
    assert elders.get_elder(db, ids["李秀英"])["is_disabled"] == 0 and "重残" not in in_groups(db, ids["李秀英"])


def test_a_severe_disability_column_of_grades_reads_as_the_disability_field(db, tmp_path):
    path = severe_workbook(tmp_path / "残疾等级.xlsx", ["一级", "肢体残疾三级", None])
    read = ledger_import.read_ledger(path, today=TODAY)
    assert [(h, label) for _s, h, label in ledger_import.column_mapping(read) if h == "重度残疾"] == \
        [("重度残疾", ledger_import.field_label("disability"))]
    result = ledger_import.import_ledger(db, path, today=TODAY, read=read)
    assert result.imported == 3 and [p.message for p in result.problems] == []
    ids = by_name(db)
    zhang, li = elders.get_elder(db, ids["张德福"]), elders.get_elder(db, ids["李秀英"])
    assert (zhang["is_disabled"], zhang["disability_grade"]) == (1, "一级") and "重残" in in_groups(db, ids["张德福"])
    assert (li["is_disabled"], li["disability_category"], li["disability_grade"]) == (1, "肢体残疾", "三级")
    assert "重残" not in in_groups(db, ids["李秀英"])  # 三级 is not 重度, whatever the heading says


def test_a_yes_without_a_grade_keeps_the_grade_on_the_ledger(db, tmp_path):
    for n, grade in ((0, "一级"), (1, "三级")):
        elders.save_elder(db, {"name": ["张德福", "李秀英"][n], "id_number": IDS[n], "village": "青山村",
                               "is_disabled": True, "disability_grade": grade}, [], today=TODAY)
    path = severe_workbook(tmp_path / "重残.xlsx", ["是", "是", None])
    result = ledger_import.import_ledger(db, path, today=TODAY)
    ids = by_name(db)
    assert elders.get_elder(db, ids["张德福"])["disability_grade"] == "一级"  # says more than 一级或二级
    assert elders.get_elder(db, ids["李秀英"])["disability_grade"] == "三级"  # disagrees: kept, and named
    assert [(p.row, p.message) for p in result.problems] == [
        (3, "表中〔重度残疾〕“是”，但按台账记录不属于重残：残疾等级为“三级”（如确属，请在老人档案中改定类别并写明原因）")]
