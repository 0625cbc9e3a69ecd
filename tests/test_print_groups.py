"""Printed forms for every elder the visit policy covers (issue 15): the 花名册 of one 巡访对象类别 (the 农村留守 one
without a village's city-household elders) or of every group with a 对象类别 column; the 登记表 and 巡访登记表 of an
elder outside 农村留守 titled for their group with a 巡访对象类别 line, a 农村留守 elder's printed as the seeds
have them. Read back from the real .docx (and laid out by LibreOffice where it is installed)."""

from __future__ import annotations

import datetime as dt

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.conftest import VALID_IDS, make_id
from tests.pdf_pages import LIBREOFFICE, pdf_pages
from township_desk.cli import main
from township_desk.models import elders, groups, printouts, settings, villages, visitors
from township_desk.printing import documents, kinds

TODAY = dt.date(2026, 11, 22)
AWAY = {"name": "张小明", "relation": "儿子", "phone": "13900001111", "away_since": "2024-03", "is_away": 1,
        "work_place": "广东省深圳市"}
RURAL, TOWN_ALONE, URBAN, SPECIAL = "张德福", "赵城居", "李秀英", "王大山"


@pytest.fixture
def ledger(db):
    """青山村: a 农村留守 elder and an elder with a city household living alone (城市独居, not 留守); 城东社区: a
    城市独居 elder and a 计划生育特殊家庭 couple (特殊困难)."""
    settings.put(db, {"township_name": "青山镇"})
    villages.save_village(db, {"name": "青山村"})
    villages.save_village(db, {"name": "城东社区"})
    visitors.save_visitor(db, {"name": "王村官", "phone": "13900002222"})
    common = {"tier": "一般", "visitor": "王村官", "entered_on": "2026-01-05"}
    city = {"rural_hukou": 0, "spouse": "一方健在", "lives_alone": 1}
    ids = {}
    for name, id_number, fields in (
            (RURAL, VALID_IDS[0], {"village": "青山村", "spouse": "双方健在"}),
            (TOWN_ALONE, make_id("19450101", 3), {"village": "青山村", **city}),
            (URBAN, VALID_IDS[1], {"village": "城东社区", **city}),
            (SPECIAL, make_id("19400101", 5), {"village": "城东社区", "rural_hukou": 0, "spouse": "双方健在",
                                               "family_planning_special": 1})):
        ids[name] = elders.save_elder(db, {"name": name, "id_number": id_number, **common, **fields}, [AWAY],
                                      today=TODAY).elder_id
    return ids


def pages(path) -> list[dict]:
    """Each page of a batch (split at the page breaks): its paragraphs' text and its table cells' text."""
    body = Document(str(path)).element.body
    found, current = [], {"lines": [], "cells": []}
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            if any(br.get(qn("w:type")) == "page" for br in child.iter(qn("w:br"))):
                found.append(current)
                current = {"lines": [], "cells": []}
                continue
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if text:
                current["lines"].append(text)
        elif child.tag == qn("w:tbl"):
            for cell in child.iter(qn("w:tc")):
                current["cells"].append("".join(t.text or "" for t in cell.iter(qn("w:t"))))
    found.append(current)
    return found


def roster_rows(path) -> list[list[str]]:
    table = Document(str(path)).tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows]


# ---------------------------------------------------------------- 花名册


def test_the_left_behind_roster_lists_only_its_members_and_leaves_out_city_elders(db, ledger, tmp_path):
    target = tmp_path / "roster.docx"
    selection = printouts.Selection("roster", village="青山村", group="农村留守", as_of=TODAY)
    assert [i.label for i in kinds.preview(db, selection)] == ["青山村　花名册（1人）"]
    assert kinds.write(db, selection, target) == 1
    rows = roster_rows(target)
    assert rows[0][:2] == ["序号", "姓名"] and "对象类别" not in rows[0]
    assert [r[1] for r in rows[1:]] == [RURAL]  # 赵城居 has a city household: not on the 留守 roster
    assert pages(target)[0]["lines"][0] == "青山镇青山村农村留守老年人花名册"


def test_a_groups_roster_is_titled_for_it(db, ledger, tmp_path):
    target = tmp_path / "roster.docx"
    kinds.write(db, printouts.Selection("roster", group="城市独居", as_of=TODAY), target)
    titles = [page["lines"][0] for page in pages(target)]
    assert titles == ["青山镇青山村城市独居老年人花名册", "青山镇城东社区城市独居老年人花名册"]
    table_names = [[r[1] for r in t[1:]] for t in ([[c.text for c in row.cells] for row in table.rows]
                                                  for table in Document(str(target)).tables)]
    assert table_names == [[TOWN_ALONE], [URBAN]]
    # the township's 特殊困难 roster: 青山村 has none, so no empty page for it
    only = printouts.Selection("roster", group="特殊困难", as_of=TODAY)
    assert [i.label for i in kinds.preview(db, only)] == ["城东社区　花名册（1人）"]
    chosen = printouts.Selection("roster", village="青山村", group="特殊困难", as_of=TODAY)
    assert [i.label for i in kinds.preview(db, chosen)] == ["青山村　花名册（0人）"]  # asked for by name: said


def test_the_roster_of_every_group_says_each_elders_groups(db, ledger, tmp_path):
    target = tmp_path / "roster.docx"
    assert kinds.write(db, printouts.Selection("roster", village="青山村", as_of=TODAY), target) == 2
    assert pages(target)[0]["lines"][0] == "青山镇青山村巡访对象花名册"
    rows = roster_rows(target)
    column = rows[0].index("对象类别")
    assert {r[1]: r[column] for r in rows[1:]} == {RURAL: "农村留守、空巢", TOWN_ALONE: "城市独居、独居、空巢"}
    section = Document(str(target)).sections[0]
    assert section.page_width > section.page_height


def test_the_roster_takes_the_groups_of_the_day_asked(db, ledger, tmp_path):
    """A 重点优抚 override from 1 November: a roster as of October does not list him, one as of November does."""
    groups.set_override(db, ledger[RURAL], "特殊困难", True, "重点优抚对象（退役军人事务局名单）", "2026-11-01",
                        sub_kind="重点优抚")
    before = printouts.Selection("roster", village="青山村", group="特殊困难", as_of=dt.date(2026, 10, 20))
    after = printouts.Selection("roster", village="青山村", group="特殊困难", as_of=TODAY)
    assert [i.people for i in kinds.preview(db, before)] == [0]
    target = tmp_path / "roster.docx"
    kinds.write(db, after, target)
    assert [r[1] for r in roster_rows(target)[1:]] == [RURAL]


def test_print_roster_group_on_the_command_line(db_path, db, ledger, tmp_path, capsys):
    out = tmp_path / "roster.docx"
    assert main(["print", "roster", "--village", "城东社区", "--group", "特殊困难", "--as-of", TODAY.isoformat(),
                 "-o", str(out), "--db", str(db_path)]) == 0
    assert pages(out)[0]["lines"][0] == "青山镇城东社区特殊困难老年人花名册"
    assert [r[1] for r in roster_rows(out)[1:]] == [SPECIAL]
    capsys.readouterr()
    refused = [(["roster", "--group", "留守"], "巡访对象类别“留守”不存在"),
               (["agreement", "--group", "农村留守"], "互助养老协议书（agreement）不使用 --group"),
               (["registration", "--elder", VALID_IDS[0], "--group", "农村留守"], "不能与 --elder 同用")]
    for args, message in refused:
        target = tmp_path / "refused.docx"
        assert main(["print", *args, "-o", str(target), "--db", str(db_path)]) == 2
        assert message in capsys.readouterr().err
        assert not target.exists()


# ---------------------------------------------------------------- 登记表 and 巡访登记表


def test_each_registration_form_of_a_batch_is_titled_for_its_elder(db, ledger, tmp_path):
    target = tmp_path / "reg.docx"
    assert kinds.write(db, printouts.Selection("registration", as_of=TODAY), target) == 4
    printed = {page["cells"][page["cells"].index("姓名") + 1]: page["lines"][:4] for page in pages(target)}
    # a 农村留守 elder's form is the seed's, word for word: no 巡访对象类别 line
    assert printed[RURAL][:3] == ["农村留守老年人基本情况登记表", "填报单位（盖章）：青山镇", "填报日期：2026年11月22日"]
    assert printed[RURAL][3].startswith("单位负责人（签名）")  # straight on to the signatures below the table
    assert printed[TOWN_ALONE][0] == printed[URBAN][0] == "城市独居老年人基本情况登记表"
    assert printed[URBAN][3] == "巡访对象类别：城市独居、独居、空巢"
    assert printed[SPECIAL][0] == "特殊困难老年人基本情况登记表"
    assert printed[SPECIAL][3] == "巡访对象类别：特殊困难（计划生育特殊家庭）、空巢"


def test_the_notes_below_a_registration_form_define_the_elders_own_group(db, ledger, tmp_path):
    """Notes 1-2 of seed 002's form define 农村留守老年人: they stay on a 农村留守 form word for word; another
    group's form defines that group (seed 003's wording), never 农村留守老年人."""
    target = tmp_path / "reg.docx"
    kinds.write(db, printouts.Selection("registration", as_of=TODAY), target)
    notes = {}
    for page in pages(target):
        lines = page["lines"]
        name = page["cells"][page["cells"].index("姓名") + 1]
        notes[name] = [line for line in lines[lines.index("注："):] if line[:2] in ("1.", "2.")]
    assert notes[RURAL][0].startswith("1. 农村留守老年人，是指因子女离开农村户籍地务工")
    assert notes[RURAL][1] == "2. 农村留守老年人年龄计算截止时间为2026年11月22日。"
    for name in (URBAN, TOWN_ALONE):
        assert notes[name][0].startswith("1. 城市独居老人，是指户籍在本地"), notes[name]
        assert notes[name][1] == "2. 年龄计算截止时间为2026年11月22日。"
    assert notes[SPECIAL][0] == "1. 特殊困难老人，是指经济困难的重点优抚对象、计划生育特殊家庭等老人群体。"
    assert not any("农村留守老年人" in line for name in (URBAN, TOWN_ALONE, SPECIAL) for line in notes[name])
    blank = tmp_path / "blank.docx"
    kinds.write(db, printouts.Selection("registration", blank=True, group="失能"), blank)
    lines = pages(blank)[0]["lines"]
    assert lines[0] == "失能老年人基本情况登记表"
    assert any(line.startswith("1. 巡访对象类别见表头") for line in lines)


def test_an_elder_in_two_groups_of_the_plan_gets_a_neutral_title(db, ledger, tmp_path):
    groups.set_override(db, ledger[URBAN], "特殊困难", True, "重点优抚对象", "2026-01-01", sub_kind="重点优抚")
    target = tmp_path / "reg.docx"
    kinds.write(db, printouts.Selection("registration", elder_id=ledger[URBAN], as_of=TODAY), target)
    lines = pages(target)[0]["lines"]
    assert lines[0] == "巡访对象基本情况登记表"
    assert lines[3] == "巡访对象类别：城市独居、特殊困难（重点优抚）、独居、空巢"


def test_visit_forms_are_titled_for_the_elders_group(db, ledger, tmp_path):
    with db.atomic():
        visit_id = db["visits"].insert({"elder_id": ledger[URBAN], "date": "2026-11-20", "mode": "上门",
                                        "visitor_name": "王村官", "visit_type": "普遍"}).last_pk
    target = tmp_path / "visit.docx"
    kinds.write(db, printouts.Selection("visit-form", visit_id=visit_id), target)
    lines = pages(target)[0]["lines"]
    assert lines[0] == "城市独居老年人巡访登记表" and lines[2] == "巡访对象类别：城市独居、独居、空巢"
    batch = tmp_path / "batch.docx"  # a village's forms to take along: each elder's own title
    assert kinds.write(db, printouts.Selection("visit-form", village="青山村", blank=True), batch) == 2
    firsts = [page["lines"][:3] for page in pages(batch)]
    assert firsts[0][0] == "巡访登记表" and not firsts[0][2].startswith("巡访对象类别")  # 农村留守: the seed's form
    assert firsts[1][0] == "城市独居老年人巡访登记表" and firsts[1][2] == "巡访对象类别：城市独居、独居、空巢"


def test_a_blank_form_of_a_group_is_titled_for_it(db, ledger, tmp_path):
    selection = printouts.Selection("registration", blank=True, group="特殊困难")
    assert [i.label for i in kinds.preview(db, selection)] == ["空白登记表（特殊困难）"]
    target = tmp_path / "blank.docx"
    kinds.write(db, selection, target)
    lines = pages(target)[0]["lines"]
    assert lines[0] == "特殊困难老年人基本情况登记表" and lines[3] == "巡访对象类别：特殊困难"
    plain = tmp_path / "plain.docx"  # without a group: the seed's blank form
    kinds.write(db, printouts.Selection("visit-form", blank=True), plain)
    assert pages(plain)[0]["lines"][0] == "巡访登记表" and "巡访对象类别" not in "".join(pages(plain)[0]["lines"])


@LIBREOFFICE
def test_a_city_elders_forms_still_fill_one_page_each(db, ledger, tmp_path):
    """The 巡访对象类别 line does not push a form onto a second page (LibreOffice lays them out)."""
    from township_desk.printing import convert

    registration, visit = tmp_path / "reg.docx", tmp_path / "visit.docx"
    documents.print_registration(db, [ledger[SPECIAL], ledger[URBAN]], registration, as_of=TODAY)
    documents.print_visit_forms(db, [{"elder_id": ledger[SPECIAL]}, {"elder_id": ledger[URBAN]}], visit)
    for source, title in ((registration, "特殊困难老年人基本情况登记表"), (visit, "特殊困难老年人巡访登记表")):
        laid_out = pdf_pages(convert.to_pdf(source))
        assert len(laid_out) == 2, source.name
        assert title in laid_out[0].replace(" ", "") and "巡访对象类别" in laid_out[1]
