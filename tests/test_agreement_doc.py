"""Printing agreements: every clause of seed 002 attachments 3/4, every blank filled, text as typed, batches."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from tests.conftest import VALID_IDS, make_id
from tests.pdf_pages import LIBREOFFICE, pdf_pages
from township_desk.models import agreements as ag
from township_desk.models import elders, paths, villages
from township_desk.printing import agreement_doc
from township_desk.printing.docx_render import BLANK

TODAY = dt.date(2026, 11, 22)

# The clauses as the seed prints them (002_2ecad943898aa8d5.txt). Blanks are marked "_____"; the seed's
# spaced blanks ("自 年 月 日起", "从 时至 时") are written as "_____" too, and lines the PDF extraction
# split mid-sentence are joined. Each piece between blanks must be printed, in this order. Where the seed
# would be wrong in a signed contract the printed text departs from it: no drafter's annotations, the
# 介助介护 services numbered straight, the hours as chosen (tests below).
COMMON_HEAD = [
    "农村居家互助养老协议书",
    "甲方（委托人）：_____",
    "身份证号码_____与被助养老人关系_____",
    "家庭住址_____联系方式_____",
    "乙方（受托人）：_____",
    "身份证号码_____",
    "家庭住址_____联系方式_____",
    "被助养老人（留守老人）：_____",
    "家庭住址_____联系方式_____",
    "村民委员会（监督见证代表）：_____",
    "为加强农村留守老年人的关爱服务工作，本着服务老人、互助互利的原则，满足老年人“老有所养、老有所乐”的需要，"
    "在村委会派员见证并监督下，经过甲、乙双方友好协商，就对居家助养_____老人事宜，自愿达成以下协议条款，供各方遵照履行：",
    "一、居家助养期限、地点",
    "1. 服务期限：_____年。",
    "自_____年_____月_____日起至_____年_____月_____日止。",
    "2. 服务地点：_____",
    "二、甲方的权利和义务",
    "1. 积极配合乙方开展助养服务工作。",
    "2. 出具被助老人身体状况证明材料。",
    "3. 按时向乙方交纳须承担的服务费。",
    "4. 及时提供助养服务所需各种证件。",
]
SELF_CARE = [
    *COMMON_HEAD,
    "5. 每周至少一次电话向乙方了解被助老人状况，与乙方商讨被助老人助养事宜。",
    "6. 在服务期间，被助老人如需就医，产生的费用应由甲方承担。",
    "7. 如发现乙方服务有损害甲方或被助老人权益的行为，或乙方不胜任助养服务工作时，甲方有权解除协议。",
    "三、乙方的权利和义务",
    "1. 每日提供助养服务时间：_____。",
    "2. 主动关心老人的需求，提供相应服务：",
    "(1) 帮助打扫室内外卫生；",
    "(2) 每月洗涤被罩、床单、枕套一次；",
    "(3) 观察老人身体状况，代为买药，必要时送医治疗；",
    "(4) 陪老人聊天，提供心理慰藉；",
    "(5) 按照老人需求，提供其他合理服务。",
    "(6) 非因乙方的过失所造成事故（如被助养老人自己在日常生活中，外出活动时发生人身伤害）的赔偿费用与乙方无关，应由相应责任人来承担。",
    "3. 每月一次电话告知甲方被助养老人状况，与甲方商讨有关助养事宜。",
    "四、村委会职责",
    "_____村民委员会派出工作人员_____，负责监督和见证甲方、乙方实施本协议：",
    "1. 负责监督管理乙方开展日常助养服务",
    "2. 每周至少一次电话或者走访、征求被助养老人意见，了解乙方实施助养服务情况，核实甲方、乙方提出的问题，及时予以协调沟通。",
    "3. 及时协调解决甲方、乙方及被助养老人在服务过程中出现的矛盾纠纷。",
    "五、解除协议",
    "1. 协议期满、协议内容变更、终止等，甲方应及时与乙方到所在村民委员会协商，愿意继续签订助养协议的，继续签订新一轮协议。",
    "2. 协议期未满，甲方、乙方任意一方无过错要求解除协议的，应提前 15 日通知对方。",
    "3. 甲方逾期一个月不交纳服务费，乙方有权提出解除协议。甲方应在解除协议 10 日内，在村民委员会监督见证下，付清乙方所有应得的服务费用。",
    "4. 乙方应在协议约定服务期限内，尽心尽力为被助养老人提供居家养老服务，如果乙方没有尽职尽责，甲方有权随时要求解除协议。",
    "5. 由于宗教信仰、性格脾气等因素影响，在容易产生各种纠纷而影响服务质量或引发伤害事件情况下，乙方有权提出及时解除协议。",
    "六、其他约定：",
    "本协议一式四份，自签订之日起生效，甲乙双方、被助养老人、村委会各执一份",
    "甲方（签字）：",
    "乙方（签字）：",
    "被助养老人（签字或指印）：",
    "村委会（代表）签字：",
    "_____年_____月_____日",
]
ASSISTED = [
    *COMMON_HEAD,
    "5. 每周至少一次电话向乙方了解被助老人状况，与乙方商讨_____被助老人助养事宜。",
    "6. 在服务期间，被助老人如需就医，产生的费用应由甲方承担。",
    "7. 如发现乙方服务有损害甲方或被助老人权益的行为，或乙方不胜任助养服务工作时，甲方有权解除协议。",
    "三、乙方的权利和义务",
    "1. 每日提供助养服务时间：_____。",
    "2. 主动关心老人的需求，提供相应服务：",
    "(1) 督促和帮助老人保持个人整洁；",
    "(2) 打扫室内外卫生；",
    "(3) 每月洗涤被罩、床单、枕套一次；",
    "(4) 代为买菜、做饭、烧水等；",
    "(5) 代为配药、买药；",
    "(6) 观察老人身体状况，帮助老人及时就医；",
    "(7) 陪老人聊天，提供心理慰藉；",
    "(8) 按照老人需求，提供其他合理服务。",
    "3. 每月至少一次电话告知甲方被助养老人状况，与甲方商讨有关助养事宜。",
    "4. 非因乙方的过失所造成事故的赔偿费用与乙方无关。",
    "四、村委会职责",
    "_____村委会派出工作人员_____，负责监督和见证甲方、乙方实施本协议：",
    "1. 负责监督管理乙方开展日常助养服务",
    "2. 每周一次电话或者走访、征求被助养老人意见，了解乙方实施助养服务情况，核实甲方、乙方提出的问题，及时予以协调沟通。",
    "3. 及时协调解决甲方、乙方及被助养老人在服务过程中出现的矛盾纠纷。",
    "五、解除协议",
    "1. 协议期满、协议内容变更、终止等，甲方应及时与乙方到所在村民委员会协商，愿意继续签订助养协议的，继续签订新一轮协议。",
    "2. 协议期未满，甲方、乙方任意一方无过错而要求解除协议的，应提前 15 日通知对方。",
    "3. 甲方逾期一个月不交纳服务费，乙方有权提出解除协议。甲方应在解除协议 10 日内，在村民委员会监督见证下，付清乙方所有应得的服务费用。",
    "4. 乙方应在协议约定服务期限内，尽心尽力为被助养老人提供居家养老服务。如果乙方没有做到，甲方有权随时要求解除协议。",
    "5. 由于宗教信仰、性格脾气等因素影响，在容易产生各种纠纷而影响服务质量或引发伤害事件情况下，乙方有权提出及时解除协议。",
    "六、其他约定：",
    "本协议一式四份，自签订之日起执行，甲乙双方、被助养老人、村委会各执一份",
    "甲方（签字）：",
    "乙方（签字）：",
    "被助养老人（签字或指印）：",
    "村民委员会（代表）签字：",
    "_____年_____月_____日",
]

TRICKY = "李&桂<兰>\"阿姨\"'嬢嬢'"


def document_text(path) -> str:
    """All paragraphs and table cells of a .docx, one per line."""
    document = Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def assert_clauses_in_order(text: str, clauses: list[str]) -> None:
    position = 0
    for clause in clauses:
        for piece in (p for p in clause.split("_____") if p):
            found = text.find(piece, position)
            assert found >= 0, f"missing or out of order: {piece!r} (clause {clause!r})"
            position = found + len(piece)


@pytest.fixture
def elder(db):
    villages.save_village(db, {"name": "青山村", "committee": "青山村村民委员会", "staff_name": "王主任"})
    result = elders.save_elder(
        db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "current_address": "青山村三组12号",
             "phone": "13800001111"},
        [{"name": "张小明", "relation": "儿子", "id_number": VALID_IDS[1], "phone": "13900002222"}], today=TODAY)
    return elders.get_elder(db, result.elder_id)


def full_agreement(db, elder, template="自理", **extra) -> int:
    data = {"elder_id": elder["id"], "template": template, "party_a_supporter_id": elder["supporters"][0]["id"],
            "party_a_address": "成都市武侯区某小区5栋", "party_b_name": "李桂兰",
            "party_b_id_number": make_id("19580304", 13), "party_b_address": "青山村三组10号",
            "party_b_phone": "13700003333", "term_years": 1, "start_date": "2026-03-01", "hours_from": "8",
            "hours_to": "12", "hours_per_day": 4, "fee": "每月600元", "other_terms": "每季度第一周微信转账"}
    data.update(extra)
    agreement_id = ag.save_agreement(db, data, today=TODAY).agreement_id
    ag.sign(db, agreement_id, "2026-02-26", today=TODAY)
    return agreement_id


@pytest.mark.parametrize(("template", "clauses"), [("自理", SELF_CARE), ("介助介护", ASSISTED)])
def test_every_clause_of_the_seed_is_printed_in_order(db, elder, tmp_path, template, clauses):
    target = agreement_doc.print_agreement(db, full_agreement(db, elder, template), tmp_path / "a.docx")
    assert_clauses_in_order(document_text(target), clauses)


@pytest.mark.parametrize("template", ["自理", "介助介护"])
def test_every_blank_is_filled_from_the_record(db, elder, tmp_path, template):
    target = agreement_doc.print_agreement(db, full_agreement(db, elder, template), tmp_path / "a.docx")
    text = document_text(target)
    # a filled value is set off from the next label by a full-width space, never run into it
    for expected in ("甲方（委托人）：张小明", f"身份证号码{VALID_IDS[1]}　与被助养老人关系儿子",
                     "家庭住址成都市武侯区某小区5栋　联系方式13900002222", "乙方（受托人）：李桂兰",
                     "家庭住址青山村三组10号　联系方式13700003333", "被助养老人（留守老人）：张德福",
                     "家庭住址青山村三组12号　联系方式13800001111", "村民委员会（监督见证代表）：青山村村民委员会　王主任",
                     "就对居家助养张德福老人事宜", "服务期限：1年。", "自2026年3月1日起至2027年2月28日止。",
                     "服务地点：青山村三组12号", "服务时间：从8时至12时。", "派出工作人员王主任",
                     "服务费：每月600元；每季度第一周微信转账", "2026年2月26日"):
        assert expected in text, expected
    assert "青山村村民委员会派出工作人员" in text or "青山村村委会派出工作人员" in text
    assert "村民委员会村民委员会" not in text
    assert BLANK not in text
    assert "None" not in text and "{{" not in text and "{%" not in text


def test_special_characters_print_as_typed(db, elder, tmp_path):
    agreement_id = full_agreement(db, elder, party_b_name=TRICKY.replace("\"", "").replace("'", ""),
                                  party_b_address=TRICKY, other_terms="A&B <每月> \"现金\" '当面'")
    text = document_text(agreement_doc.print_agreement(db, agreement_id, tmp_path / "a.docx"))
    assert f"家庭住址{TRICKY}　联系方式" in text
    assert "乙方（受托人）：李&桂<兰>阿姨嬢嬢" in text
    assert "A&B <每月> \"现金\" '当面'" in text


def test_empty_fields_print_as_writing_lines(db, elder, tmp_path):
    agreement_id = ag.save_agreement(db, {"elder_id": elder["id"], "template": "介助介护", "party_a_name": "张小明",
                                          "party_b_name": "李桂兰", "elder_phone": "", "service_place": ""},
                                     today=TODAY).agreement_id
    text = document_text(agreement_doc.print_agreement(db, agreement_id, tmp_path / "a.docx"))
    assert f"乙方（受托人）：李桂兰\n身份证号码{BLANK}" in text
    assert f"服务地点：{BLANK}" in text
    assert f"家庭住址青山村三组12号　联系方式{BLANK}" in text
    assert re.search(r"自＿+年＿+月＿+日起至＿+年＿+月＿+日止", text)
    assert re.search(r"\n＿+年＿+月＿+日$", text)  # not signed yet: the date line stays empty
    assert "None" not in text and "{{" not in text


def test_batch_prints_one_agreement_per_page_in_order(db, elder, tmp_path):
    other = elders.save_elder(db, {"name": "刘大娘", "id_number": VALID_IDS[3], "village": "青山村"},
                              [{"name": "刘强", "relation": "儿子"}], today=TODAY)
    other_elder = elders.get_elder(db, other.elder_id)
    ids = [full_agreement(db, elder, "自理"), full_agreement(db, other_elder, "介助介护"),
           full_agreement(db, other_elder, "介助介护"), full_agreement(db, elder, "自理", start_date="2027-03-01")]
    steps = []
    count = agreement_doc.print_agreements(db, ids, tmp_path / "batch.docx",
                                           progress=lambda done, total: steps.append((done, total)))
    assert count == 4 and steps[-1] == (4, 4)
    document = Document(str(tmp_path / "batch.docx"))
    # each agreement is a section of its own (a new page), its header carrying its own number
    assert len(document.sections) == 4
    assert [s.header.paragraphs[0].text for s in document.sections] == [f"协议编号：第{n}号" for n in ids]
    assert all(s._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1" for s in document.sections)
    text = document_text(tmp_path / "batch.docx")
    assert text.count("农村居家互助养老协议书") == 4
    services = re.findall(r"\(1\) (督促和帮助老人|帮助打扫)", text)
    assert services == ["帮助打扫", "督促和帮助老人", "督促和帮助老人", "帮助打扫"]
    assert [m for m in re.findall(r"被助养老人（留守老人）：(\S+)", text)] == ["张德福", "刘大娘", "刘大娘", "张德福"]


def test_cancelled_batch_writes_nothing(db, elder, tmp_path):
    ids = [full_agreement(db, elder), full_agreement(db, elder, "介助介护")]

    class Stop(Exception):
        pass

    calls = []

    def check():
        calls.append(1)
        if len(calls) > 2:
            raise Stop

    with pytest.raises(Stop):
        agreement_doc.print_agreements(db, ids, tmp_path / "batch.docx", check_cancelled=check)
    assert not (tmp_path / "batch.docx").exists()


@pytest.mark.parametrize("name", list(agreement_doc.TEMPLATE_FILES.values()))
def test_templates_are_a4_with_chinese_fonts_and_one_run_per_tag(name):
    document = Document(str(paths.forms_dir() / name))
    section = document.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.05) and abs(section.page_height - Cm(29.7)) < Cm(0.05)
    title = document.paragraphs[0]
    assert title.text == "农村居家互助养老协议书" and title.alignment == 1  # centred
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in document.paragraphs for r in p.runs}
    assert fonts <= {"宋体", "仿宋"} and "仿宋" in fonts
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if "{{" in run.text or "}}" in run.text:
                assert re.fullmatch(r"\{\{ \w+ \}\}", run.text), run.text
        assert paragraph.text.count("{{") == sum(r.text.count("{{") for r in paragraph.runs)


def test_batch_from_an_edited_template_with_a_hyperlink_keeps_it(db, elder, tmp_path, monkeypatch):
    """An office may add parts (a link, a logo) to a template in Word: the batch then merges with docxcompose."""
    import shutil

    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement

    forms = tmp_path / "forms"
    shutil.copytree(paths.forms_dir(), forms, ignore=shutil.ignore_patterns("src"))
    edited = Document(str(forms / "互助养老协议书_自理.docx"))
    rid = edited.part.relate_to("https://mzt.ln.gov.cn/", RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "辽宁省民政厅"
    run.append(text)
    link.append(run)
    edited.add_paragraph()._p.append(link)
    edited.save(str(forms / "互助养老协议书_自理.docx"))
    monkeypatch.setenv("TOWNSHIP_DESK_FORMS", str(forms))

    ids = [full_agreement(db, elder, "介助介护"), full_agreement(db, elder, "自理")]
    agreement_doc.print_agreements(db, ids, tmp_path / "batch.docx")
    document = Document(str(tmp_path / "batch.docx"))
    # each agreement still starts a section of its own with its own number in the header
    assert [s.header.paragraphs[0].text for s in document.sections] == [f"协议编号：第{n}号" for n in ids]
    links = document.element.body.findall(".//" + qn("w:hyperlink"))
    assert len(links) == 1
    assert document.part.rels[links[0].get(qn("r:id"))].target_ref == "https://mzt.ln.gov.cn/"
    assert re.findall(r"\(1\) (督促和帮助老人|帮助打扫)", document_text(tmp_path / "batch.docx")) == ["督促和帮助老人", "帮助打扫"]


def test_a_community_gets_its_residents_committee_everywhere(db, tmp_path):
    villages.save_village(db, {"name": "场镇社区", "staff_name": "周主任"})
    result = elders.save_elder(db, {"name": "陈秀英", "id_number": VALID_IDS[2], "village": "场镇社区"},
                               [{"name": "陈小华", "relation": "女儿"}], today=TODAY)
    for template in ("自理", "介助介护"):
        agreement_id = full_agreement(db, elders.get_elder(db, result.elder_id), template)
        text = document_text(agreement_doc.print_agreement(db, agreement_id, tmp_path / f"{template}.docx"))
        assert "居民委员会（监督见证代表）：场镇社区居民委员会　周主任" in text
        assert "场镇社区居民委员会派出工作人员周主任" in text or "场镇社区居委会派出工作人员周主任" in text
        assert "在居委会派员见证并监督下" in text and "四、居委会职责" in text
        assert "到所在居民委员会协商" in text and "居委会各执一份" in text
        assert "村民委员会" not in text and "村委会" not in text, template


def test_annotations_are_not_printed_and_hours_print_as_chosen(db, elder, tmp_path):
    hours = {"hours_from": "", "hours_to": "", "hours_per_day": 4}
    text = document_text(agreement_doc.print_agreement(db, full_agreement(db, elder, **hours), tmp_path / "a.docx"))
    assert "服务时间：每天4小时。" in text and "从" not in text.split("服务时间：")[1].split("\n")[0]
    assert "供参考" not in text and "适用于" not in text and "例如" not in text
    draft = ag.save_agreement(db, {"elder_id": elder["id"], "template": "介助介护", "party_a_name": "张小明",
                                  "party_b_name": "李桂兰"}, today=TODAY).agreement_id
    text = document_text(agreement_doc.print_agreement(db, draft, tmp_path / "draft.docx"))
    assert "服务时间：从＿＿＿时至＿＿＿时或每天＿＿＿小时。" in text  # neither chosen: both alternatives to fill in


def test_number_on_every_page_and_drafts_and_ended_agreements_marked(db, elder, tmp_path):
    signed = full_agreement(db, elder)
    draft = ag.save_agreement(db, {"elder_id": elder["id"], "template": "自理", "party_a_name": "张小明",
                                  "party_b_name": "李桂兰"}, today=TODAY).agreement_id
    ended = full_agreement(db, elder, "介助介护")
    ag.terminate(db, ended, "2026-06-30", "甲方", "老人随子女进城", for_cause=True, today=TODAY)
    target = tmp_path / "batch.docx"
    agreement_doc.print_agreements(db, [signed, draft, ended], target)
    document = Document(str(target))
    headers = [s.header.paragraphs[0].text for s in document.sections]
    assert headers == [f"协议编号：第{signed}号", f"协议编号：第{draft}号　【草稿　未签订】",
                       f"协议编号：第{ended}号　【已解除　不再有效】"]
    footers = [s.footer._element.xpath("string(.)") for s in document.sections]
    fields = [f.get(qn("w:instr")).strip() for s in document.sections for f in s.footer._element.iter(qn("w:fldSimple"))]
    assert all(f.startswith("第 ") for f in footers)  # 共 Y 页: each agreement's own (test_agreement_page_count)
    assert fields == [f for n in (1, 2, 3) for f in ("PAGE", f"PAGEREF _AgreementEnd{n}")]
    text = document_text(target)
    assert "【草稿】未签订，不作为正式协议" in text and "【已解除】本协议已于2026年6月30日解除，不再有效" in text
    assert text.count("不再有效") == 1 and text.count("不作为正式协议") == 1  # the signed one carries no mark


@LIBREOFFICE
def test_agreement_pages_keep_the_signatures_with_the_date_and_headings_with_text(db, elder, tmp_path):
    """Laid out by LibreOffice: a long 其他约定 pushes the closing block down, and the date still shares its page
    with the four signatures; no page ends with a heading or holds only one; every page has the number."""
    from township_desk.printing import convert

    ids = [full_agreement(db, elder, template, other_terms="按月支付，每月5日前支付。" * n)
           for template in ("自理", "介助介护") for n in (1, 9, 14, 20)]
    target = tmp_path / "batch.docx"
    agreement_doc.print_agreements(db, ids, target)
    pages = [re.sub(r"[ \u3000]+", "", page) for page in pdf_pages(convert.to_pdf(target))]
    headings = ("一、居家助养期限、地点", "二、甲方的权利和义务", "三、乙方的权利和义务", "四、村委会职责",
                "四、村民委员会职责", "五、解除协议", "六、其他约定：")
    signatures = ("甲方（签字）：", "乙方（签字）：", "被助养老人（签字或指印）：", "（代表）签字：")
    dated = 0
    for page in pages:
        assert re.search(r"协议编号：第\d+号", page), page
        lines = [line for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not re.match(r"(协议编号|第\d+页共\d+页)", line)]
        assert body and not body[-1].startswith(headings), f"a heading ends the page:\n{body[-3:]}"
        assert not all(line.startswith(headings) for line in body)
        if re.search(r"\d{4}年\d+月\d+日$", body[-1]):
            dated += 1
            assert all(s in page for s in signatures), f"the date is apart from the signatures:\n{page}"
    assert dated == len(ids)


def test_four_copies_are_four_sections_each_saying_which_copy_and_who_keeps_it(db, elder, tmp_path):
    first, second = full_agreement(db, elder), full_agreement(db, elder, "介助介护")
    target = tmp_path / "四份.docx"
    assert agreement_doc.print_agreements(db, [first, second], target, copies=4) == 8
    document = Document(str(target))
    headers = [s.header.paragraphs[0].text for s in document.sections]
    holders = ("甲方", "乙方", "被助养老人", "村委会")
    assert headers == [f"协议编号：第{number}号　一式四份　第{'一二三四'[n]}份（{holders[n]}执）"
                       for number in (first, second) for n in range(4)]
    text = document_text(target)
    assert text.count("农村居家互助养老协议书") == 8
    assert text.count("本协议一式四份") == 8  # the seed's clause, in every copy
    # each copy is the whole agreement, numbered from its own first page
    assert all(s._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1" for s in document.sections)


def test_four_copies_of_a_draft_keep_the_draft_mark_and_a_community_keeps_its_committee(db, tmp_path):
    villages.save_village(db, {"name": "城南社区"})
    saved = elders.save_elder(db, {"name": "王奶奶", "id_number": VALID_IDS[2], "village": "城南社区"},
                              [{"name": "王强", "relation": "儿子"}], today=TODAY)
    draft = ag.save_agreement(db, {"elder_id": saved.elder_id, "template": "自理", "party_a_name": "王强",
                                   "party_b_name": "李桂兰"}, today=TODAY).agreement_id
    target = tmp_path / "draft.docx"
    agreement_doc.print_agreements(db, [draft], target, copies=4)
    headers = [s.header.paragraphs[0].text for s in Document(str(target)).sections]
    assert headers[0] == f"协议编号：第{draft}号　【草稿　未签订】　一式四份　第一份（甲方执）"
    assert headers[3].endswith("第四份（居委会执）")


def test_copies_other_than_one_or_four_are_refused(db, elder, tmp_path):
    from township_desk.models.errors import UserError

    with pytest.raises(UserError, match="一份或一式四份"):
        agreement_doc.print_agreements(db, [full_agreement(db, elder)], tmp_path / "x.docx", copies=2)
    assert not (tmp_path / "x.docx").exists()
