"""The monthly workbook's 明细表 prints one page wide: A3 landscape fitted to one page wide, as many tall as it
takes, the title and heading rows on every page, long text wrapped in its column in rows as high as it needs.
Read back with openpyxl, and laid out by LibreOffice where it is installed."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from conftest import make_id
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.pdf_pages import LIBREOFFICE, pdf_pages
from township_desk.models import elders, settings
from township_desk.printing import xlsx_util
from township_desk.printing.monthly_xlsx import export_monthly

TODAY = dt.date(2026, 11, 20)
LONG_ADDRESS = "四川省乐山市峨眉山市石龙镇碾子村六组七十三号附二号（老供销社后面）"
AWAY = [{"name": "张子", "relation": "儿子", "away_since": "2024-01", "phone": "13800001111"}]


@pytest.fixture
def month_book(db, tmp_path):
    """60 elders (several pages tall), every column filled, long addresses and ability levels to wrap."""
    settings.put(db, {"township_name": "石龙镇"})
    for i in range(60):
        elders.save_elder(db, {
            "name": f"欧阳{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'子丑寅卯辰巳'[i // 10]}", "id_number": make_id("19480101", 11 + i * 2),
            "village": "碾子村" if i < 30 else "城东社区居委会", "current_address": LONG_ADDRESS if i % 2 else "碾子村1组",
            "phone": "0833-12345678", "education": "高中及以上", "spouse": "双方健在", "care": "有人照料",
            "main_income": "种养殖业", "visitor": "欧阳巡访员", "visitor_phone": "13900002222", "ability_level": 2,
            "is_ill": 1, "entered_on": "2026-01-05"}, AWAY, today=TODAY)
    target = tmp_path / "月报.xlsx"
    export_monthly(db, "2026-10", target)
    return target


def test_the_detail_sheet_is_set_to_print_one_page_wide(month_book):
    ws = load_workbook(month_book)["明细表"]
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 8, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$2"
    # the columns fit an A3 page at 80 % or more: the 10-pt text prints at 8 pt at least
    paper, wide, scale = xlsx_util.print_layout(xlsx_util.sheet_width_points(ws))
    assert (paper, wide) == (8, 1) and scale >= 0.8
    header = [c.value for c in ws[2]]
    address = get_column_letter(header.index("现居住地址") + 1)
    long_row = next(r for r in range(3, ws.max_row + 1) if ws[f"{address}{r}"].value == LONG_ADDRESS)
    assert ws[f"{address}{long_row}"].alignment.wrap_text
    # the row is as high as the wrapped address needs (Excel/WPS do not grow it when they open the file)
    assert ws.row_dimensions[long_row].height >= 3 * xlsx_util.LINE_POINTS
    assert all(ws.cell(2, c).alignment.wrap_text for c in range(1, len(header) + 1))
    identity = get_column_letter(header.index("身份证号码") + 1)
    assert ws.column_dimensions[identity].width >= 19  # 18 digits on one line


@LIBREOFFICE
def test_libreoffice_prints_the_detail_sheet_one_page_wide(month_book, tmp_path):
    """Every printed page of the 明细表 holds the whole heading row, first column to last, and whole rows: an
    elder's ID number and their 状态 on the same page."""
    book = load_workbook(month_book)
    for name in book.sheetnames:
        if name != "明细表":
            del book[name]
    alone = tmp_path / "明细表.xlsx"
    book.save(alone)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(alone)],
                   check=True, capture_output=True, timeout=180)
    pages = [page.replace(" ", "") for page in pdf_pages(tmp_path / "明细表.pdf")]
    assert len(pages) >= 2  # several pages tall …
    for page in pages:  # … each one page wide
        assert "序号" in page and "身份证号码" in page and "状态" in page and "在册" in page
    ids = [make_id("19480101", 11 + i * 2) for i in range(60)]
    assert sum(page.count(i) for page in pages for i in ids) == 60
