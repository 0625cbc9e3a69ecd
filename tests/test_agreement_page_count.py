"""第 X 页 共 Y 页 of each agreement in a batch: Y is that agreement's own page count in LibreOffice as in Word and
WPS (a bookmark at the end of each section and PAGEREF in its footer; LibreOffice does not compute SECTIONPAGES and
printed 共1页 on every page). A single agreement keeps the template's NUMPAGES."""

from __future__ import annotations

import re

from docx import Document
from docx.oxml.ns import qn

from tests.pdf_pages import LIBREOFFICE, pdf_pages
from tests.test_agreement_doc import elder, full_agreement  # noqa: F401 - the fixture is used by name
from township_desk.printing import agreement_doc


def footer_fields(path) -> list[list[str]]:
    return [[f.get(qn("w:instr")).strip() for f in s.footer._element.iter(qn("w:fldSimple"))]
            for s in Document(str(path)).sections]


def bookmarks(path) -> list[str]:
    body = Document(str(path)).element.body
    return [b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))]


def test_each_section_counts_to_its_own_last_paragraph(db, elder, tmp_path):  # noqa: F811
    first, second = full_agreement(db, elder), full_agreement(db, elder, "介助介护")
    target = tmp_path / "batch.docx"
    agreement_doc.print_agreements(db, [first, second], target, copies=4)
    names = [f"_AgreementEnd{n}" for n in range(1, 9)]
    assert footer_fields(target) == [["PAGE", f"PAGEREF {name}"] for name in names]
    assert bookmarks(target) == names
    body = Document(str(target)).element.body
    # each bookmark closes its section: the paragraph carrying the section's properties (the last: the body's end)
    ends = [p for p in body.iterchildren(qn("w:p")) if p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    assert [p.find(qn("w:bookmarkStart")).get(qn("w:name")) for p in ends] == names[:-1]
    single = tmp_path / "one.docx"
    agreement_doc.print_agreements(db, [first], single)
    assert footer_fields(single) == [["PAGE", "NUMPAGES"]] and bookmarks(single) == []


@LIBREOFFICE
def test_libreoffice_prints_each_agreements_own_page_count(db, elder, tmp_path):  # noqa: F811
    """Agreements of different lengths (a long 其他约定 adds a page): on every page 第 X 页 共 Y 页 counts that
    agreement's pages from 1 to Y, Y its own length."""
    from township_desk.printing import convert

    short, long = full_agreement(db, elder), full_agreement(db, elder, other_terms="按月支付，每月5日前支付。" * 60)
    target = tmp_path / "batch.docx"
    agreement_doc.print_agreements(db, [short, long, short], target)
    marks = []
    for page in pdf_pages(convert.to_pdf(target)):
        text = re.sub(r"\s+", "", page)
        number = re.search(r"协议编号：第(\d+)号", text).group(1)
        x, y = (int(v) for v in re.search(r"第(\d+)页共(\d+)页", text).groups())
        marks.append((int(number), x, y))
    sections: list[list[tuple[int, int, int]]] = []
    for mark in marks:
        if mark[1] == 1:
            sections.append([])
        sections[-1].append(mark)
    assert [s[0][0] for s in sections] == [short, long, short]
    for section in sections:
        assert [x for _n, x, _y in section] == list(range(1, len(section) + 1))
        assert {y for _n, _x, y in section} == {len(section)}, section
    assert len(sections[1]) > len(sections[0])  # the long one really is longer: not one number for all
