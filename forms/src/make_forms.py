"""Author the printed-form templates with python-docx: 登记表, 巡访登记表, 花名册, 告知卡, 逾期巡访清单.

    .venv/bin/python forms/src/make_forms.py      # writes the five .docx files into forms/

The .docx files are the real templates (an office may adjust them in Word/WPS afterwards); this script
exists so that they can be regenerated exactly. Wording and order follow seed 002 attachment 1 (登记表) and
seed 003's attachment (巡访登记表). Each template prints a LIST of documents, one per page
(``{%p for d in docs %}`` … ``{%p endfor %}``), so a batch of 300 is one render, not 300 merges. Every
docxtpl tag is written as ONE run (pitfalls.md #2); table rows repeat with ``{%tr for %}`` (pitfalls #3).
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FORMS = Path(__file__).resolve().parents[1]
BODY_FONT, TITLE_FONT = "仿宋", "宋体"
SIZE_12 = Pt(12)  # 小四, the forms' body size
_TAG = re.compile(r"(\{\{[^}]+\}\})")
# A signature is written by hand: the line stays empty for the pen, never a typed name (forms.md, Signatures).
PEN_LINE = "＿" * 7
SIGN_LINES = f"单位负责人（签名）：{PEN_LINE}　复核人（签名）：{PEN_LINE}　填表人（签名）：{PEN_LINE}"


def _fonts(run, family: str, size, bold: bool = False) -> None:
    """Latin and East-Asian fonts on the run: Word uses w:eastAsia for Chinese characters."""
    run.font.name = family
    run.font.size = size
    run.font.bold = bold
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family)


def _new_document(landscape: bool = False, size=SIZE_12):
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = size
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), BODY_FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    width, height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(1.8)
    return document


def _write(paragraph, text: str, size=SIZE_12, bold: bool = False, font: str = BODY_FONT) -> None:
    """Text with each ``{{ tag }}`` in a run of its own (never split)."""
    for part in _TAG.split(text):
        if part:
            _fonts(paragraph.add_run(part), font, size, bold)


def _para(document_or_cell, text: str = "", *, size=SIZE_12, bold=False, font=BODY_FONT, align=None,
          before=0, after=0):
    paragraph = document_or_cell.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    _write(paragraph, text, size, bold, font)
    return paragraph


def _tag(document, text: str) -> None:
    """A paragraph holding only a block tag ({%p …%}); docxtpl removes the paragraph."""
    document.add_paragraph().add_run(text)


def _page_break_between(document, var: str = "loop") -> None:
    _tag(document, f"{{%p if not {var}.last %}}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _tag(document, "{%p endif %}")


def _table(container, rows: int, widths_cm: list[float], size=SIZE_12):
    table = container.add_table(rows=rows, cols=len(widths_cm))
    table.style = "Table Grid"  # single borders like the paper form
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
    for col, width in zip(grid, widths_cm, strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    table._size = size
    return table


def _set(cell, text: str, size=SIZE_12, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """Replace the cell's text (one paragraph per line of ``text``)."""
    for paragraph in list(cell.paragraphs)[1:]:
        paragraph._element.getparent().remove(paragraph._element)
    first = cell.paragraphs[0]
    for run in list(first.runs):
        run._element.getparent().remove(run._element)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        paragraph = first if number == 0 else cell.add_paragraph()
        paragraph.alignment = align
        _write(paragraph, line, size, bold)


def _row_height(row, cm: float, exact: bool = False) -> None:
    row.height = Cm(cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY if exact else WD_ROW_HEIGHT_RULE.AT_LEAST


def _row_flag(row, flag: str) -> None:
    """w:tblHeader (repeat on every page) or w:cantSplit (keep a row on one page)."""
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement(flag)
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _no_wrap(cell) -> None:
    """w:noWrap: the cell's text stays on one line (the column is made wide enough for it)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    element = OxmlElement("w:noWrap")
    later = [child for child in tc_pr if child.tag in {qn(f"w:{n}") for n in
                                                        ("tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")}]
    if later:
        later[0].addprevious(element)
    else:
        tc_pr.append(element)


def _save(document, name: str) -> Path:
    target = FORMS / name
    document.save(str(target))
    return target


def _groups_line(document) -> None:
    """巡访对象类别：… on a line of its own, only on the form of an elder outside 农村留守 (``d.groups`` empty on
    a 农村留守 elder's form, which stays the seed's)."""
    _tag(document, "{%p if d.groups %}")
    _para(document, "巡访对象类别：{{ d.groups }}", after=4)
    _tag(document, "{%p endif %}")


# ---------------------------------------------------------------- 登记表 (seed 002 attachment 1)

L = WD_ALIGN_PARAGRAPH.LEFT


def make_registration() -> Path:
    document = _new_document(size=SIZE_12)
    _tag(document, "{%p for d in docs %}")
    # the seed's title for a 农村留守 elder; the elder's group's for another (城市独居老年人基本情况登记表)
    _para(document, "{{ d.title }}", size=Pt(18), bold=True, font=TITLE_FONT,
          align=WD_ALIGN_PARAGRAPH.CENTER, after=8)
    _para(document, "填报单位（盖章）：{{ d.unit }}", after=2)
    _para(document, "填报日期：{{ d.fill_date }}", after=4)
    _groups_line(document)
    widths = [2.0, 3.5, 3.0, 2.7, 5.5]  # 身份证号码, 残疾类别及等级 and the 18-digit ID each on one line
    table = _table(document, 15, widths)
    rows = table.rows
    c = lambda r, k: rows[r].cells[k]  # noqa: E731 - short cell accessor for the layout below
    # 基本情况: rows 0–5
    section = c(0, 0).merge(c(5, 0))
    _set(section, "基本情况", bold=True)
    _set(c(0, 1), "姓名")
    _set(c(0, 2), "{{ d.name }}")
    _set(c(0, 3), "出生日期")
    _set(c(0, 4), "{{ d.birth_date }}")
    _set(c(1, 1), "民族")
    _set(c(1, 2), "{{ d.ethnicity }}")
    _set(c(1, 3), "身份证号码")
    _set(c(1, 4), "{{ d.id_number }}")
    _set(c(2, 1), "户籍所在地")
    _set(c(2, 2).merge(c(2, 4)), "{{ d.household_address }}", align=L)
    _set(c(3, 1), "现居住地址")
    _set(c(3, 2).merge(c(3, 4)), "{{ d.current_address }}", align=L)
    _set(c(4, 1), "身体情况")
    _set(c(4, 2).merge(c(4, 4)), "健康（{{ d.health[0] }}） 残疾（{{ d.health[1] }}） 患病（{{ d.health[2] }}）", align=L)
    _set(c(5, 1), "残疾类别及等级")
    _set(c(5, 2), "{{ d.disability }}")
    _set(c(5, 3), "患病类型")
    _set(c(5, 4), "{{ d.illness_type }}")
    # 文化程度
    _set(c(6, 0).merge(c(6, 1)), "文化程度", bold=True)
    _set(c(6, 2).merge(c(6, 4)), "文盲（{{ d.education[0] }}） 小学（{{ d.education[1] }}） "
         "初中（{{ d.education[2] }}） 高中及以上（{{ d.education[3] }}）", align=L)
    # 家庭情况: rows 7–10
    _set(c(7, 0).merge(c(10, 0)), "家庭情况", bold=True)
    _set(c(7, 1), "夫妻情况")
    _set(c(7, 2).merge(c(7, 4)), "双方健在（{{ d.spouse[0] }}） 一方健在（{{ d.spouse[1] }}）", align=L)
    _set(c(8, 1), "子女情况")
    _set(c(8, 2).merge(c(8, 4)), "子女数量：（{{ d.children_count }}）个 出生日期分别为：（{{ d.children_birth_years }}）年",
         align=L)
    _set(c(9, 1).merge(c(10, 1)), "子女外出务工情况")
    _set(c(9, 2).merge(c(9, 4)), "外出务工年限：（{{ d.away_years }}）年", align=L)
    _set(c(10, 2).merge(c(10, 4)), "最近一次回家探望时间：（{{ d.last_visit_year }}年{{ d.last_visit_month }}月） "
         "每年团聚次数：（{{ d.reunions }}）次，平均天数：（{{ d.reunion_days }}）天", align=L)
    _set(c(11, 0).merge(c(11, 1)), "家庭经济来源情况", bold=True)
    _set(c(11, 2).merge(c(11, 4)), "打工（{{ d.income[0] }}） 种养殖业（{{ d.income[1] }}） 政府救助（{{ d.income[2] }}） "
         "亲朋救济（{{ d.income[3] }}） 其他（{{ d.income[4] }}） 以上选项可多选", align=L)
    _set(c(12, 0).merge(c(12, 1)), "照料情况", bold=True)
    _set(c(12, 2).merge(c(12, 4)), "有人照料（{{ d.care[0] }}） 无人照料（{{ d.care[1] }}）", align=L)
    _set(c(13, 0).merge(c(13, 1)), "养老需求", bold=True)
    _set(c(13, 2).merge(c(13, 4)), "{{ d.needs }}", align=L)
    _set(c(14, 0).merge(c(14, 1)), "存在困难问题", bold=True)
    _set(c(14, 2).merge(c(14, 4)), "{{ d.difficulties }}", align=L)
    for number, row in enumerate(rows):
        _row_height(row, 1.7 if number in (13, 14) else 0.85)  # room to spare with a wider substitute font
    # two lines: three labels and three pen lines do not fit one line of 小四 on A4 portrait
    _para(document, SIGN_LINES.replace("　填表人", "\n填表人"), before=8, after=4)
    # notes 1-2 are the seed's on a 农村留守 form (no 巡访对象类别 line); another group's form defines its group
    # (seed 003's wording, documents.GROUP_NOTES) instead of defining 农村留守老年人
    notes = [
        "注：",
        "{%p if not d.groups %}",
        "1. 农村留守老年人，是指因子女离开农村户籍地务工、经商或从事其他生产经营活动{{ d.absence }}以上，自己留在户籍地居住生活，"
        "身边没有赡养人或赡养人没有赡养能力的60周岁以上的农村户籍居民。",
        "2. 农村留守老年人年龄计算截止时间为{{ d.age_as_of }}。",
        "{%p else %}",
        "1. {{ d.group_note }}",
        "2. 年龄计算截止时间为{{ d.age_as_of }}。",
        "{%p endif %}",
        "3. 患病：指患有重特大疾病。",
        "4. 每年团聚次数：最近五年内平均每年团聚次数。",
        "5. 身体情况、文化程度、夫妻情况、家庭经济来源情况、照料情况选择项目在（）中划“√”。",
    ]
    for line in notes:
        if line.startswith("{%p"):
            _tag(document, line)
        else:
            _para(document, line, size=Pt(10.5), bold=line == "注：")
    _page_break_between(document)
    _tag(document, "{%p endfor %}")
    return _save(document, "登记表.docx")


# ---------------------------------------------------------------- 巡访登记表 (seed 003 attachment)


def make_visit_form() -> Path:
    document = _new_document(size=SIZE_12)
    _tag(document, "{%p for d in docs %}")
    _para(document, "{{ d.title }}", size=Pt(18), bold=True, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER,
          after=8)
    _para(document, "巡访单位（盖章）：{{ d.unit }}　　巡访方式：{{ d.mode[0] }}上门　{{ d.mode[1] }}电话　"
          "{{ d.mode[2] }}视频", after=4)
    _groups_line(document)
    widths = [2.2, 2.4, 2.5, 2.7, 2.6, 4.6]  # the visit date (2026年11月30日) on one line
    table = _table(document, 20, widths)
    rows = table.rows
    c = lambda r, k: rows[r].cells[k]  # noqa: E731
    _set(c(0, 0), "姓名")
    _set(c(0, 1), "{{ d.name }}")
    _set(c(0, 2), "性别")
    _set(c(0, 3), "{{ d.sex }}")
    _set(c(0, 4), "巡访时间")
    _set(c(0, 5), "{{ d.date }}")
    _set(c(1, 0).merge(c(2, 0)), "类型")
    _set(c(1, 1), "重点巡访")
    _set(c(1, 2), "{{ d.type[0] }}")
    _set(c(2, 1), "普遍巡访")
    _set(c(2, 2), "{{ d.type[1] }}")
    _set(c(1, 3).merge(c(2, 3)), "巡访\n责任人")
    _set(c(1, 4).merge(c(2, 5)), "{{ d.visitor }}")
    _set(c(3, 0), "住址")
    _set(c(3, 1).merge(c(3, 5)), "{{ d.address }}", align=L)
    _set(c(4, 0).merge(c(4, 5)), "巡　访　内　容", bold=True)
    grades = ["优", "良", "中", "差"]
    groups = [
        ("健康状况", [("表达能力", "expression"), ("行动能力", "mobility"), ("疾病状况", "illness")], grades),
        ("精神状态", [("情绪状态", "mood"), ("思维状态", "thinking"), ("压力状态", "stress")], grades),
        ("安全情况", [("燃气安全", "gas_safety"), ("取暖安全", "heating_safety"), ("用电安全", "electric_safety")],
         ["安全", "不安全"]),
        ("关爱服务", [("生活照料", "daily_care"), ("精神慰藉", "comfort_need"), ("权益维护", "rights_need"),
                  ("安全监护", "guardianship_need")], None),
    ]
    row = 5
    for heading, items, options in groups:
        _set(c(row, 0).merge(c(row + len(items) - 1, 0)), heading)
        for label, key in items:
            _set(c(row, 1), label)
            choices = options or (["有人照料", "无人照料"] if key == "daily_care" else ["有需求", "无需求"])
            if len(choices) == 4:
                for k, choice in enumerate(choices):
                    _set(c(row, 2 + k), f"{{{{ d.{key}[{k}] }}}}{choice}")
            else:
                _set(c(row, 2).merge(c(row, 3)), f"{{{{ d.{key}[0] }}}}{choices[0]}")
                _set(c(row, 4).merge(c(row, 5)), f"{{{{ d.{key}[1] }}}}{choices[1]}")
            row += 1
    _set(c(18, 0), "其他情\n况说明")
    _set(c(18, 1).merge(c(18, 5)), "{{ d.notes }}", align=L)
    photo = c(19, 0).merge(c(19, 5))
    _set(photo, "巡访照片粘贴处\n{{ d.photo }}")
    for number, table_row in enumerate(rows):
        _row_height(table_row, {18: 2.8, 19: 5.5}.get(number, 0.75))  # the form fits one A4 page
    _para(document, "巡访人员签名：" + PEN_LINE, before=10)  # left empty for the pen
    _page_break_between(document)
    _tag(document, "{%p endfor %}")
    return _save(document, "巡访登记表.docx")


# ---------------------------------------------------------------- 花名册 (landscape, header on every page)

# widths add up to the landscape page's 25.7 cm between margins
ROSTER_COLUMNS = [("序号", 0.9, "r.number"), ("姓名", 1.6, "r.name"), ("性别", 0.9, "r.sex"), ("年龄", 0.9, "r.age"),
                  ("身份证号码", 4.9, "r.id_number"), ("组", 0.9, "r.group"), ("现居住地址", 4.2, "r.address"),
                  ("联系电话", 3.3, "r.phone"), ("风险等级", 1.2, "r.risk_grade"), ("巡访类别", 2.0, "r.tier"),
                  ("巡访责任人", 1.6, "r.visitor"), ("责任人电话", 3.3, "r.visitor_phone")]
# numbers that must never break inside (an ID's check digit alone on a line, a phone number split in two)
NO_WRAP = {"r.id_number", "r.phone", "r.visitor_phone", "r.due_date", "r.tier", "r.amount"}


# the roster of every group has a 对象类别 column (农村留守、空巢 on one line): the address gives up some room and
# the roster's side margins are 1.5 cm instead of 2 (26.7 cm between them)
_NARROWER = {"r.address": 2.2, "r.id_number": 4.7}
ROSTER_ALL_COLUMNS = [(h, _NARROWER.get(k, w), k) for h, w, k in ROSTER_COLUMNS]
ROSTER_ALL_COLUMNS.insert(6, ("对象类别", 3.2, "r.kinds"))


def _roster_table(document, columns) -> None:
    widths = [w for _h, w, _k in columns]
    table = _table(document, 4, widths, size=Pt(10.5))
    header, loop_start, data, loop_end = table.rows
    for cell, (heading, _w, _k) in zip(header.cells, columns, strict=True):
        _set(cell, heading, size=Pt(10.5), bold=True)
    _row_flag(header, "w:tblHeader")
    _set(loop_start.cells[0], "{%tr for r in v.rows %}", size=Pt(10.5))
    for cell, (_h, _w, key) in zip(data.cells, columns, strict=True):
        _set(cell, f"{{{{ {key} }}}}", size=Pt(10.5))
        if key in NO_WRAP:
            _no_wrap(cell)
    _row_flag(data, "w:cantSplit")
    _set(loop_end.cells[0], "{%tr endfor %}", size=Pt(10.5))


def make_roster() -> Path:
    document = _new_document(landscape=True, size=Pt(10.5))
    document.sections[0].left_margin = document.sections[0].right_margin = Cm(1.5)
    _tag(document, "{%p for v in villages %}")
    _para(document, "{{ v.title }}", size=Pt(16), bold=True, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, after=4)
    _para(document, "填报单位（盖章）：{{ v.unit }}　　村（社区）：{{ v.village }}　　共{{ v.count }}人　　"
          "打印日期：{{ v.printed_on }}", size=Pt(10.5), after=4)
    # one group's roster (农村留守老年人花名册 …); every group's (巡访对象花名册) says each elder's 对象类别
    _tag(document, "{%p if v.every_group %}")
    _roster_table(document, ROSTER_ALL_COLUMNS)
    _tag(document, "{%p else %}")
    _roster_table(document, ROSTER_COLUMNS)
    _tag(document, "{%p endif %}")
    _para(document, SIGN_LINES, size=Pt(10.5), before=8)
    _page_break_between(document)
    _tag(document, "{%p endfor %}")
    return _save(document, "花名册.docx")


# ---------------------------------------------------------------- 告知卡 (three cards a page, dashed cut lines)


def _dashed_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "dashed")
        element.set(qn("w:sz"), "8")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


CARD_SIZE = Pt(12)  # 小四 at least: elderly readers


def make_notice_cards() -> Path:
    document = _new_document(size=CARD_SIZE)
    _tag(document, "{%p for c in cards %}")
    table = document.add_table(rows=1, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _dashed_borders(table)
    cell = table.rows[0].cells[0]
    cell.width = Cm(16.5)
    row = table.rows[0]
    _row_height(row, 12.4, exact=True)  # two cards to an A4 page, each cut along the dashed line
    _row_flag(row, "w:cantSplit")
    lines = [
        ("巡访责任人告知卡", Pt(18), True, WD_ALIGN_PARAGRAPH.CENTER),
        ("尊敬的{{ c.elder }}老人及家属：", CARD_SIZE, False, L),
        ("　　您的巡访责任人是{{ c.visitor }}（{{ c.visitor_kind }}），联系电话{{ c.visitor_phone }}。有事请随时联系。", CARD_SIZE, True, L),
        ("　　村（社区）：{{ c.village }}　　{{ c.township }}民政办电话：{{ c.office_phone }}", CARD_SIZE, False, L),
        ("　　巡访内容：了解健康状况（表达能力、行动能力、疾病状况）、精神状态（情绪、思维、压力）、"
         "安全情况（燃气、取暖、用电安全），以及生活照料、精神慰藉、权益维护、安全监护等关爱服务需求。", CARD_SIZE, False, L),
        ("　　巡访频次：{{ c.frequency }}", CARD_SIZE, False, L),
        ("　　巡访责任人应将姓名、联系方式等基本信息书面告知巡访对象及其赡养人。", CARD_SIZE, False, L),
        ("{{ c.township }}　{{ c.date }}", CARD_SIZE, False, WD_ALIGN_PARAGRAPH.RIGHT),
    ]
    first = True
    for text, size, bold, align in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(4)
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Cm(0.3)
        if text == "巡访责任人告知卡":  # off the dashed border
            paragraph.paragraph_format.space_before = Pt(14)
            paragraph.paragraph_format.space_after = Pt(10)
        _write(paragraph, text, size, bold, TITLE_FONT if text == "巡访责任人告知卡" else BODY_FONT)
    _para(document, "", size=Pt(6))  # a little space between cards to cut
    _tag(document, "{%p endfor %}")
    return _save(document, "告知卡.docx")


# ---------------------------------------------------------------- 逾期巡访清单 (by village)

# widths leave room for a substitute font's wider digits (DejaVu/Noto: 0.64 em), so no number breaks inside
OVERDUE_COLUMNS = [("序号", 0.9, "r.number"), ("姓名", 1.5, "r.name"), ("巡访类别", 1.3, "r.tier"),
                   ("巡访责任人", 1.6, "r.visitor"), ("责任人电话", 3.2, "r.visitor_phone"), ("逾期事项", 1.9, "r.kind"),
                   ("应完成日期", 4.2, "r.due_date"), ("逾期天数/缺少次数", 2.4, "r.amount")]


def make_overdue() -> Path:
    document = _new_document(size=Pt(10.5))
    _para(document, "逾期巡访清单", size=Pt(18), bold=True, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, after=4)
    _para(document, "{{ township }}　截至{{ as_of }}　共{{ total }}项（上门巡访逾期{{ home_count }}人，"
          "电话视频巡访不足{{ remote_count }}人）", align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _tag(document, "{%p for g in groups %}")
    _para(document, "", size=Pt(6))
    widths = [w for _h, w, _k in OVERDUE_COLUMNS]
    table = _table(document, 5, widths, size=Pt(10.5))
    village, header, loop_start, data, loop_end = table.rows
    # the village is a header row: a table continued on the next page says again whose rows these are
    _set(village.cells[0].merge(village.cells[-1]), "{{ g.village }}（{{ g.count }}项）", size=SIZE_12, bold=True,
         align=L)
    _row_flag(village, "w:tblHeader")
    for cell, (heading, _w, _k) in zip(header.cells, OVERDUE_COLUMNS, strict=True):
        _set(cell, heading, size=Pt(10.5), bold=True)
    _row_flag(header, "w:tblHeader")
    _set(loop_start.cells[0], "{%tr for r in g.rows %}", size=Pt(10.5))
    for cell, (_h, _w, key) in zip(data.cells, OVERDUE_COLUMNS, strict=True):
        _set(cell, f"{{{{ {key} }}}}", size=Pt(10.5))
        if key in NO_WRAP:
            _no_wrap(cell)
    _row_flag(data, "w:cantSplit")
    _set(loop_end.cells[0], "{%tr endfor %}", size=Pt(10.5))
    _tag(document, "{%p endfor %}")
    _para(document, "{{ empty_note }}", before=6)
    _para(document, "打印日期：{{ printed_on }}　　填表人（签名）：" + PEN_LINE, before=10)
    return _save(document, "逾期巡访清单.docx")


def main() -> None:
    for make in (make_registration, make_visit_form, make_roster, make_notice_cards, make_overdue):
        print(make())


if __name__ == "__main__":
    main()
