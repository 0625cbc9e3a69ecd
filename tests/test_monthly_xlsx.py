"""The monthly workbook written and read back with openpyxl: layout, text stays text, refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_id
from openpyxl import load_workbook

from township_desk import cli
from township_desk.models import elders, settings
from township_desk.models.errors import UserError
from township_desk.printing import xlsx_util
from township_desk.printing.monthly_xlsx import export_monthly

TODAY = dt.date(2026, 11, 20)
COMPLETE = {"education": "小学", "spouse": "双方健在", "care": "有人照料",
            "main_income": "打工", "visitor": "李巡访", "entered_on": "2026-01-05"}
AWAY = [{"name": "张子", "relation": "儿子", "away_since": "2024-01"}]  # 外出务工年限 from this date
TRICKY = ["=1+1", "+8613800000000", "-", "@x", "=HYPERLINK(\"http://x\")"]


@pytest.fixture
def ledger(db):
    settings.put(db, {"township_name": "城关镇", "unit_head": "王主任", "preparer": "李专干", "reviewer": "赵复核"})
    for i, text in enumerate(TRICKY):
        elders.save_elder(db, {"name": f"老人{'甲乙丙丁戊'[i]}", "id_number": make_id("19480101", 11 + i * 2),
                               "village": "红星村" if i % 2 else "=白云村", "current_address": text,
                               "needs": text, **COMPLETE}, AWAY, today=TODAY)
    eid = db.execute("SELECT id FROM elders ORDER BY id LIMIT 1").fetchone()[0]
    db.execute("INSERT INTO hazards(elder_id, found_on, description, resolution) VALUES (?,?,?,?)",
               [eid, "2026-10-02", "@x 燃气", "-"])
    return db


def test_the_workbook_has_every_sheet_and_the_summary_layout(ledger, tmp_path):
    target = tmp_path / "月报.xlsx"
    result = export_monthly(ledger, "2026-10", target, filled_on=dt.date(2026, 11, 3))
    assert result.elders == 5 and result.detail_rows == 5
    wb = load_workbook(target)
    assert wb.sheetnames == ["汇总表", "明细表", "巡访情况", "探访关爱", "风险隐患", "互助协议"]
    ws = wb["汇总表"]
    assert ws["A1"].value == "城关镇农村留守老人基本情况排查汇总表（2026年10月）"
    assert ws["A2"].value == "单位（盖章）：城关镇" and ws["O2"].value == "填报时间：2026年11月3日"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:AB1", "A3:A4", "B3:B4", "C3:E3", "K3:N3", "O3:O4", "X3:AB3"} <= merged
    assert [ws.cell(4, c).value for c in (3, 4, 5)] == ["60–69周岁", "70–79周岁", "80周岁及以上"]
    assert ws["C3"].value == "年龄" and ws["X3"].value == "主要经济来源"
    assert [ws.cell(5, c).value for c in range(2, 29)] == list(range(1, 28))
    lines = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 29)] for r in range(6, 9)}
    assert list(lines) == ["=白云村", "红星村", "合计"]  # villages in the order they were added
    assert ws.cell(6, 1).data_type == "s"  # a village named "=白云村" is text
    assert lines["合计"][0] == 5 and isinstance(lines["合计"][0], int)
    texts = [ws.cell(r, 1).value for r in range(9, 14)]
    assert any(t and "单位负责人（签名）：＿＿＿＿＿＿＿＿" in t for t in texts)  # signed by hand
    assert not any(t and "王主任" in t for t in texts)
    assert any(t and "表间勾稽关系：1列=2列+3列+4列" in t for t in texts)
    assert ws.freeze_panes == "B6"
    assert ws.print_title_rows.replace("$", "") == "1:5"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # legible on paper: A4 one page wide at 80 % or more (10-pt text prints at 8 pt or larger)
    paper, pages, scale = xlsx_util.print_layout(xlsx_util.sheet_width_points(ws))
    assert int(ws.page_setup.paperSize) == paper == 9 and pages == 1 and scale >= 0.8
    detail = wb["明细表"]
    paper, pages, scale = xlsx_util.print_layout(xlsx_util.sheet_width_points(detail))
    assert int(detail.page_setup.paperSize) == paper and int(detail.page_setup.fitToWidth) == pages and scale >= 0.8


@pytest.mark.parametrize(("width", "expected"), [(700, (9, 1)), (1100, (8, 1)), (3000, (8, 3))])
def test_print_layout_keeps_the_scale_at_80_percent(width, expected):
    paper, pages, scale = xlsx_util.print_layout(width)
    assert (paper, pages) == expected and scale >= 0.8


def test_ids_are_text_and_nothing_is_ever_a_formula(ledger, tmp_path):
    target = tmp_path / "月报.xlsx"
    export_monthly(ledger, "2026-10", target)
    wb = load_workbook(target)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    detail = wb["明细表"]
    header = [c.value for c in detail[2]]
    id_col = header.index("身份证号码") + 1
    address_col = header.index("现居住地址") + 1
    assert [detail.cell(r, 1).value for r in range(3, 9)] == [1, 2, 3, 4, 5, None]
    ids = [detail.cell(r, id_col) for r in range(3, 8)]
    assert all(isinstance(c.value, str) and len(c.value) == 18 and c.number_format == "@" for c in ids)
    assert sorted(detail.cell(r, address_col).value for r in range(3, 8)) == sorted(TRICKY)
    assert detail.freeze_panes == "A3" and detail.print_title_rows.replace("$", "") == "1:2"
    hazard = wb["风险隐患"]
    assert hazard.cell(3, 5).value == "@x 燃气" and hazard.cell(3, 9).value == "-"


def test_a_failing_check_refuses_and_writes_nothing(ledger, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    elders.save_elder(ledger, {"name": "缺项", "id_number": make_id("19500101", 91), "village": "红星村",
                               **{**COMPLETE, "education": None, "visitor": None}}, AWAY, today=TODAY)
    target = out / "月报.xlsx"
    with pytest.raises(UserError) as info:
        export_monthly(ledger, "2026-10", target)
    message = str(info.value)
    assert "红星村：第1列=3" in message and "缺项" in message and "文化程度未填" in message
    assert list(out.iterdir()) == []


def test_cancelling_leaves_no_file(ledger, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "月报.xlsx"
    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_monthly(ledger, "2026-10", target, check_cancelled=check)
    assert list(out.iterdir()) == []


def test_cli_exports_and_exits_2_on_failures_and_bad_months(ledger, db_path, tmp_path, capsys):
    out = tmp_path / "m.xlsx"
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(out)]) == 0
    assert out.exists()
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-13", "-o", str(out)]) == 2
    assert "月份“2026-13”" in capsys.readouterr().err
    elders.save_elder(ledger, {"name": "缺项", "id_number": make_id("19500101", 91), "village": "红星村",
                               **{**COMPLETE, "care": None}}, AWAY, today=TODAY)
    out2 = tmp_path / "m2.xlsx"
    assert cli.main(["export-monthly", "--db", str(db_path), "--month", "2026-10", "-o", str(out2)]) == 2
    err = capsys.readouterr().err
    assert "勾稽关系不成立" in err and "照料情况未填" in err and not out2.exists()


def test_bulk_rows_read_back_in_order_in_streaming_readers(ledger, tmp_path):
    """The 明细表 rows spliced at save must be well-formed for readers that stream (no duplicate rows)."""
    import re
    import zipfile

    target = tmp_path / "月报.xlsx"
    export_monthly(ledger, "2026-10", target)
    wb = load_workbook(target, read_only=True)
    rows = list(wb["明细表"].iter_rows(min_row=3, values_only=True))
    wb.close()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    with zipfile.ZipFile(target) as z:
        xml = z.read("xl/worksheets/sheet2.xml").decode()
    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert numbers == sorted(set(numbers)) == list(range(1, 8))
    assert '<dimension ref="A1:Z7"/>' in xml and "<f>" not in xml


def test_detail_sheet_marks_the_elders_away_and_says_why_the_summary_has_fewer(ledger, tmp_path):
    """The 明细表 lists 暂离 elders, the 汇总表 does not: the 暂离 rows come after the others under a line that says
    so, each marked, and a note under the sheet gives both numbers."""
    away_id = ledger.execute("SELECT id FROM elders ORDER BY id LIMIT 1").fetchone()[0]
    elders.change_status(ledger, away_id, "暂离", "2026-10-12", "住院")
    target = tmp_path / "月报.xlsx"
    result = export_monthly(ledger, "2026-10", target)
    assert (result.elders, result.detail_rows) == (4, 5)
    wb = load_workbook(target)
    detail = wb["明细表"]
    header = [c.value for c in detail[2]]
    status_col = header.index("状态") + 1
    rows = [[detail.cell(r, c).value for c in (1, 3, status_col)] for r in range(3, detail.max_row + 1)]
    assert [r[2] for r in rows[:4]] == ["在册"] * 4
    assert rows[4][0] == "以下 1 人月末暂离（住院、随子女暂住等，巡访暂停），列入明细表，不计入汇总表"
    assert rows[5][1:] == ["老人甲", "暂离（不计入汇总表）"]
    assert rows[6][0] == "注：本表列出月末在台账上的老人共 5 人，其中在册 4 人（即汇总表第1列合计），暂离 1 人不计入汇总表。"
    assert len(rows) == 7
