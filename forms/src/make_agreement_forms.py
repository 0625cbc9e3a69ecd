"""Author the two agreement templates (seed 002 attachments 3 and 4) with python-docx.

    .venv/bin/python forms/src/make_agreement_forms.py      # writes forms/互助养老协议书_自理.docx and _介助介护.docx

The .docx files are the real templates: an office may adjust them in Word/WPS afterwards. This script
exists so that they can be regenerated exactly. Every clause is the seed's wording, except where the seed's
text would be wrong in a signed contract: its 介助/介护 service list runs (1)…(5), then (4)…(6), so items are
numbered straight (1)…(8); its annotations for the drafter ("（供参考，适用于自理老人）", "例如，费用支付数额…")
are not printed; the committee is the village's own kind (``{{ committee }}``: 村民委员会 for a 村, 居民委员会
for a 社区); the two alternatives of the daily hours print only as chosen (``{{ hours_text }}``). Only lines
the PDF extraction split mid-sentence are joined. Every blank is a docxtpl ``{{ field }}`` written as ONE run
(pitfalls.md #2), underlined like a line on the paper form, with a full-width space before the next label.

Each page carries the agreement's number and, for a draft or an ended agreement, its status in the header, and
第 X 页 共 Y 页 in the footer (PAGE / NUMPAGES; in a batch each agreement is its own section, numbered from 1, and
printing/agreement_doc.py makes the total that agreement's own: PAGEREF to a bookmark at the end of its section).
Headings keep with the clause after them; the closing sentence, the four signatures and the date keep together.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FORMS = Path(__file__).resolve().parents[1]
BODY_FONT, TITLE_FONT = "仿宋", "宋体"
BODY_SIZE, TITLE_SIZE = Pt(14), Pt(20)  # 四号 body, 小二 title

# Paragraph kinds: "title", "subtitle", "head" (一、…), "p" (clause, first-line indent), "item" (indented
# service item), "sign" (signature line, extra space above), "date" (right-aligned date line).
# A draft or an ended agreement says so under the title (and in every page's header): it must never pass for a
# live contract. A signed one has no such line (the block tags remove the paragraph).
STATUS = [
    ("tag", "{%p if status_line %}"),
    ("status", "{{ status_line }}"),
    ("tag", "{%p endif %}"),
]
HEADER = "协议编号：第{{ number }}号{{ status_mark }}"
PARTIES = [
    ("p0", "甲方（委托人）：{{ a_name }}"),
    ("p0", "身份证号码{{ a_id }}　与被助养老人关系{{ a_relation }}"),
    ("p0", "家庭住址{{ a_address }}　联系方式{{ a_phone }}"),
    ("p0", "乙方（受托人）：{{ b_name }}"),
    ("p0", "身份证号码{{ b_id }}"),
    ("p0", "家庭住址{{ b_address }}　联系方式{{ b_phone }}"),
    ("p0", "被助养老人（留守老人）：{{ elder_name }}"),
    ("p0", "家庭住址{{ elder_address }}　联系方式{{ elder_phone }}"),
    ("p0", "{{ committee }}（监督见证代表）：{{ witness }}"),
    ("p", "为加强农村留守老年人的关爱服务工作，本着服务老人、互助互利的原则，满足老年人“老有所养、老有所乐”的需要，"
          "在{{ committee_short }}派员见证并监督下，经过甲、乙双方友好协商，就对居家助养{{ elder_name }}老人事宜，"
          "自愿达成以下协议条款，供各方遵照履行："),
    ("head", "一、居家助养期限、地点"),
    ("p", "1. 服务期限：{{ term_years }}年。"),
    ("p", "自{{ start_y }}年{{ start_m }}月{{ start_d }}日起至{{ end_y }}年{{ end_m }}月{{ end_d }}日止。"),
    ("p", "2. 服务地点：{{ service_place }}"),
    ("head", "二、甲方的权利和义务"),
    ("p", "1. 积极配合乙方开展助养服务工作。"),
    ("p", "2. 出具被助老人身体状况证明材料。"),
    ("p", "3. 按时向乙方交纳须承担的服务费。"),
    ("p", "4. 及时提供助养服务所需各种证件。"),
]

SELF_CARE = [
    ("title", "农村居家互助养老协议书"),
    *STATUS,
    *PARTIES,
    ("p", "5. 每周至少一次电话向乙方了解被助老人状况，与乙方商讨被助老人助养事宜。"),
    ("p", "6. 在服务期间，被助老人如需就医，产生的费用应由甲方承担。"),
    ("p", "7. 如发现乙方服务有损害甲方或被助老人权益的行为，或乙方不胜任助养服务工作时，甲方有权解除协议。"),
    ("head", "三、乙方的权利和义务"),
    ("p", "1. 每日提供助养服务时间：{{ hours_text }}。"),
    ("p", "2. 主动关心老人的需求，提供相应服务："),
    ("item", "(1) 帮助打扫室内外卫生；"),
    ("item", "(2) 每月洗涤被罩、床单、枕套一次；"),
    ("item", "(3) 观察老人身体状况，代为买药，必要时送医治疗；"),
    ("item", "(4) 陪老人聊天，提供心理慰藉；"),
    ("item", "(5) 按照老人需求，提供其他合理服务。"),
    ("item", "(6) 非因乙方的过失所造成事故（如被助养老人自己在日常生活中，外出活动时发生人身伤害）的赔偿费用与乙方无关，"
             "应由相应责任人来承担。"),
    ("p", "3. 每月一次电话告知甲方被助养老人状况，与甲方商讨有关助养事宜。"),
    ("head", "四、{{ committee_short }}职责"),
    ("p", "{{ committee_village }}{{ committee }}派出工作人员{{ committee_staff }}，负责监督和见证甲方、乙方实施本协议："),
    ("p", "1. 负责监督管理乙方开展日常助养服务"),
    ("p", "2. 每周至少一次电话或者走访、征求被助养老人意见，了解乙方实施助养服务情况，核实甲方、乙方提出的问题，"
          "及时予以协调沟通。"),
    ("p", "3. 及时协调解决甲方、乙方及被助养老人在服务过程中出现的矛盾纠纷。"),
    ("head", "五、解除协议"),
    ("p", "1. 协议期满、协议内容变更、终止等，甲方应及时与乙方到所在{{ committee }}协商，愿意继续签订助养协议的，"
          "继续签订新一轮协议。"),
    ("p", "2. 协议期未满，甲方、乙方任意一方无过错要求解除协议的，应提前 15 日通知对方。"),
    ("p", "3. 甲方逾期一个月不交纳服务费，乙方有权提出解除协议。甲方应在解除协议 10 日内，在{{ committee }}监督见证下，"
          "付清乙方所有应得的服务费用。"),
    ("p", "4. 乙方应在协议约定服务期限内，尽心尽力为被助养老人提供居家养老服务，如果乙方没有尽职尽责，"
          "甲方有权随时要求解除协议。"),
    ("p", "5. 由于宗教信仰、性格脾气等因素影响，在容易产生各种纠纷而影响服务质量或引发伤害事件情况下，"
          "乙方有权提出及时解除协议。"),
    ("head", "六、其他约定："),
    ("p", "{{ other_terms }}"),
    ("closing", "本协议一式四份，自签订之日起生效，甲乙双方、被助养老人、{{ committee_short }}各执一份"),
    ("sign", "甲方（签字）："),
    ("sign", "乙方（签字）："),
    ("sign", "被助养老人（签字或指印）："),
    ("sign", "{{ committee_short }}（代表）签字："),
    ("date", "{{ sign_y }}年{{ sign_m }}月{{ sign_d }}日"),
]

ASSISTED = [
    ("title", "农村居家互助养老协议书"),
    *STATUS,
    *PARTIES,
    ("p", "5. 每周至少一次电话向乙方了解被助老人状况，与乙方商讨{{ elder_name }}被助老人助养事宜。"),
    ("p", "6. 在服务期间，被助老人如需就医，产生的费用应由甲方承担。"),
    ("p", "7. 如发现乙方服务有损害甲方或被助老人权益的行为，或乙方不胜任助养服务工作时，甲方有权解除协议。"),
    ("head", "三、乙方的权利和义务"),
    ("p", "1. 每日提供助养服务时间：{{ hours_text }}。"),
    ("p", "2. 主动关心老人的需求，提供相应服务："),
    ("item", "(1) 督促和帮助老人保持个人整洁；"),
    ("item", "(2) 打扫室内外卫生；"),
    ("item", "(3) 每月洗涤被罩、床单、枕套一次；"),
    ("item", "(4) 代为买菜、做饭、烧水等；"),
    ("item", "(5) 代为配药、买药；"),
    ("item", "(6) 观察老人身体状况，帮助老人及时就医；"),
    ("item", "(7) 陪老人聊天，提供心理慰藉；"),
    ("item", "(8) 按照老人需求，提供其他合理服务。"),
    ("p", "3. 每月至少一次电话告知甲方被助养老人状况，与甲方商讨有关助养事宜。"),
    ("p", "4. 非因乙方的过失所造成事故的赔偿费用与乙方无关。"),
    ("head", "四、{{ committee_short }}职责"),
    ("p", "{{ committee_village }}{{ committee_short }}派出工作人员{{ committee_staff }}，负责监督和见证甲方、乙方实施本协议："),
    ("p", "1. 负责监督管理乙方开展日常助养服务"),
    ("p", "2. 每周一次电话或者走访、征求被助养老人意见，了解乙方实施助养服务情况，核实甲方、乙方提出的问题，"
          "及时予以协调沟通。"),
    ("p", "3. 及时协调解决甲方、乙方及被助养老人在服务过程中出现的矛盾纠纷。"),
    ("head", "五、解除协议"),
    ("p", "1. 协议期满、协议内容变更、终止等，甲方应及时与乙方到所在{{ committee }}协商，愿意继续签订助养协议的，"
          "继续签订新一轮协议。"),
    ("p", "2. 协议期未满，甲方、乙方任意一方无过错而要求解除协议的，应提前 15 日通知对方。"),
    ("p", "3. 甲方逾期一个月不交纳服务费，乙方有权提出解除协议。甲方应在解除协议 10 日内，在{{ committee }}监督见证下，"
          "付清乙方所有应得的服务费用。"),
    ("p", "4. 乙方应在协议约定服务期限内，尽心尽力为被助养老人提供居家养老服务。如果乙方没有做到，"
          "甲方有权随时要求解除协议。"),
    ("p", "5. 由于宗教信仰、性格脾气等因素影响，在容易产生各种纠纷而影响服务质量或引发伤害事件情况下，"
          "乙方有权提出及时解除协议。"),
    ("head", "六、其他约定："),
    ("p", "{{ other_terms }}"),
    ("closing", "本协议一式四份，自签订之日起执行，甲乙双方、被助养老人、{{ committee_short }}各执一份"),
    ("sign", "甲方（签字）："),
    ("sign", "乙方（签字）："),
    ("sign", "被助养老人（签字或指印）："),
    ("sign", "{{ committee }}（代表）签字："),
    ("date", "{{ sign_y }}年{{ sign_m }}月{{ sign_d }}日"),
]

TEMPLATES = {"互助养老协议书_自理.docx": SELF_CARE, "互助养老协议书_介助介护.docx": ASSISTED}
_TAG = re.compile(r"(\{\{[^}]+\}\})")


def _fonts(run, family: str, size, bold: bool = False) -> None:
    """Set Latin and East-Asian fonts: Word picks w:eastAsia for Chinese characters."""
    run.font.name = family
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family)


def _style_defaults(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(26)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


KEEP_WITH_NEXT = ("title", "status", "head", "closing", "sign")  # the date ends the signature block


def _paragraph(document, kind: str, text: str) -> None:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.widow_control = True
    if kind == "tag":  # a block tag's paragraph, removed by docxtpl
        _fonts(paragraph.add_run(text), BODY_FONT, BODY_SIZE)
        return
    fmt.keep_with_next = kind in KEEP_WITH_NEXT
    if kind == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(36)
        _fonts(paragraph.add_run(text), TITLE_FONT, TITLE_SIZE, bold=True)
        return
    if kind == "status":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(6)
        run = paragraph.add_run(text)
        _fonts(run, TITLE_FONT, Pt(16), bold=True)  # 三号: one line under the title
        return
    if kind == "head":  # no space before: LibreOffice then drops keep-with-next under exact line spacing
        fmt.first_line_indent = Cm(0.99)
    elif kind in ("p", "closing"):
        fmt.first_line_indent = Cm(0.99)
    elif kind == "item":
        fmt.left_indent = Cm(0.99)
        fmt.first_line_indent = Cm(0.5)
    elif kind == "sign":
        fmt.space_before = Pt(14)
    elif kind == "date":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.space_before = Pt(14)
        fmt.right_indent = Cm(1.5)
    for part in _TAG.split(text):
        if not part:
            continue
        run = paragraph.add_run(part)  # a tag is always one run of its own (pitfalls.md #2)
        _fonts(run, BODY_FONT, BODY_SIZE, bold=(kind == "head"))
        if part.startswith("{{") and kind != "head" and "committee" not in part:
            run.font.underline = True


def _field(paragraph, instruction: str, size) -> None:
    """A Word field (PAGE, SECTIONPAGES) that the word processor fills in when it lays out the pages."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = paragraph.add_run("1")
    _fonts(run, BODY_FONT, size)
    run._element.getparent().remove(run._element)
    field.append(run._element)
    paragraph._p.append(field)


def _header_and_footer(section) -> None:
    """Header: the agreement's number (and a draft's or ended agreement's status) on every page; footer:
    第 X 页 共 Y 页 of this agreement (its own section in a batch, numbered from 1)."""
    size = Pt(10.5)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for part in _TAG.split(HEADER):
        if part:
            _fonts(header.add_run(part), BODY_FONT, size)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(footer.add_run("第 "), BODY_FONT, size)
    _field(footer, "PAGE", size)
    _fonts(footer.add_run(" 页 共 "), BODY_FONT, size)
    _field(footer, "NUMPAGES", size)
    _fonts(footer.add_run(" 页"), BODY_FONT, size)
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    later = ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
             "printerSettings", "sectPrChange")  # the schema's order: pgNumType comes before these
    follower = next((child for child in section._sectPr if child.tag in {qn(f"w:{n}") for n in later}), None)
    if follower is not None:
        follower.addprevious(numbering)
    else:
        section._sectPr.append(numbering)


def build(name: str, content: list[tuple[str, str]], folder: Path = FORMS) -> Path:
    """Write one template to ``folder/name``."""
    document = Document()
    _style_defaults(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.3)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.4)
    section.header_distance, section.footer_distance = Cm(1.2), Cm(1.2)
    _header_and_footer(section)
    document.core_properties.title = "农村居家互助养老协议书"
    document.core_properties.author = "乡镇留守老人关爱服务台账"
    for kind, text in content:
        _paragraph(document, "p" if kind == "p0" else kind, text)
        if kind == "p0":
            document.paragraphs[-1].paragraph_format.first_line_indent = Cm(0)
    target = folder / name
    document.save(str(target))
    return target


def main(argv: list[str] | None = None) -> int:
    folder = Path(argv[0]) if argv else FORMS
    for name, content in TEMPLATES.items():
        print(build(name, content, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
