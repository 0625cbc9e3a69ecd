"""Printing mutual-aid agreements (农村居家互助养老协议书) from forms/互助养老协议书_自理.docx and _介助介护.docx.

Blanks the record leaves empty print as a line to write on (docx_render.BLANK), never "None"; every value
prints as typed (autoescaped). A batch puts one agreement per page, each with its own template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from township_desk.models import agreements, villages
from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path
from township_desk.printing import docx_render

TEMPLATE_FILES = {"自理": "互助养老协议书_自理.docx", "介助介护": "互助养老协议书_介助介护.docx"}
SHORT_BLANK = "＿＿＿"  # year/month/day and hour blanks are short on the paper form
_COMMITTEE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")
# Seed 002 attachments 3 and 4: "本协议一式四份，……甲乙双方、被助养老人、村委会各执一份". The fourth holder is the
# village's own committee (村委会 or 居委会, ``committee_short``).
COPY_HOLDERS = ("甲方", "乙方", "被助养老人")
COPY_NUMBERS = "一二三四"


def _number(value: Any) -> str | None:
    if value in (None, ""):
        return None
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _date_parts(value: str | None) -> tuple[str, str, str]:
    if not value:
        return SHORT_BLANK, SHORT_BLANK, SHORT_BLANK
    day = dt.date.fromisoformat(value)
    return str(day.year), str(day.month), str(day.day)


def committee_village(committee: str | None) -> str | None:
    """The committee's name as it goes in "＿＿村民委员会派出工作人员": without its 村民委员会/村委会 suffix,
    so "青山村村民委员会" prints "青山村村民委员会", not "青山村村民委员会村民委员会"."""
    if not committee:
        return None
    name = committee.strip()
    for suffix in _COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def agreement_context(db, agreement_id: int) -> dict[str, Any]:
    """Every blank of the agreement's template, filled from the record (empty ones as writing lines).

    Keys: a_name, a_id, a_relation, a_address, a_phone, b_*, elder_name, elder_address, elder_phone, witness,
    committee (村民委员会 or 居民委员会, the village's own kind) and committee_short (村委会 / 居委会),
    committee_village, committee_staff, term_years, start_y/m/d, end_y/m/d, service_place, hours_text (the
    alternative chosen: 从…时至…时, or 每天…小时; both as writing lines when neither is), other_terms,
    sign_y/m/d, number (the agreement's number), status_mark and status_line (a draft or an ended agreement
    says so on every page; empty for a signed one); plus ``template`` (the template's file name).
    """
    record = agreements.get_agreement(db, agreement_id)
    committee, committee_short = villages.committee_kind(record["village"], record["committee_name"])
    start, end = _date_parts(record["start_date"]), _date_parts(record["end_date"])
    signed = _date_parts(record["signed_on"])
    witness = "　".join(x for x in (record["committee_name"], record["committee_staff"]) if x)
    terms = []
    if record["fee"]:
        terms.append(f"服务费：{record['fee']}")
    if record["other_terms"]:
        terms.append(record["other_terms"])
    context = {
        "a_name": record["party_a_name"],
        "a_id": record["party_a_id_number"],
        "a_relation": record["party_a_relation"],
        "a_address": record["party_a_address"],
        "a_phone": record["party_a_phone"],
        "b_name": record["party_b_name"],
        "b_id": record["party_b_id_number"],
        "b_address": record["party_b_address"],
        "b_phone": record["party_b_phone"],
        "elder_name": record["elder_name"],
        "elder_address": record["elder_address"],
        "elder_phone": record["elder_phone"],
        "witness": witness,
        "committee": committee, "committee_short": committee_short,
        "committee_village": committee_village(record["committee_name"]),
        "committee_staff": record["committee_staff"],
        "term_years": _number(record["term_years"]) or SHORT_BLANK,
        "start_y": start[0], "start_m": start[1], "start_d": start[2],
        "end_y": end[0], "end_m": end[1], "end_d": end[2],
        "service_place": record["service_place"],
        "hours_text": hours_text(record),
        "other_terms": "；".join(terms),
        "sign_y": signed[0], "sign_m": signed[1], "sign_d": signed[2],
    }
    prepared = docx_render.prepare(context)
    prepared["template"] = TEMPLATE_FILES[record["template"]]
    prepared["number"] = str(record["id"])
    prepared["status_line"], prepared["status_mark"] = status_marks(record)
    return prepared


def hours_text(record: dict) -> str:
    """The daily service hours as agreed: 从8时至17时, or 每天4小时; the seed's two alternatives (both as lines
    to write on) only while neither is chosen."""
    start, end, per_day = record["hours_from"], record["hours_to"], _number(record["hours_per_day"])
    if start or end:
        return f"从{start or SHORT_BLANK}时至{end or SHORT_BLANK}时"
    if per_day:
        return f"每天{per_day}小时"
    return f"从{SHORT_BLANK}时至{SHORT_BLANK}时或每天{SHORT_BLANK}小时"


def status_marks(record: dict) -> tuple[str, str]:
    """(the line under the title, the header's mark) for an agreement that is not in force; empty for a signed one.
    A draft, a terminated or an expired agreement printed for the file must not pass for a live contract."""
    status = record["status"]
    if status == "草稿":
        return "【草稿】未签订，不作为正式协议", "　【草稿　未签订】"
    if status == "已解除":
        when = docx_render.text(dt.date.fromisoformat(record["terminated_on"])) if record["terminated_on"] else ""
        return f"【已解除】本协议{'已于' + when if when else '已'}解除，不再有效", "　【已解除　不再有效】"
    if status == "已到期":
        when = docx_render.text(dt.date.fromisoformat(record["end_date"])) if record["end_date"] else ""
        return f"【已到期】本协议{'已于' + when if when else '已'}到期，不再有效", "　【已到期　不再有效】"
    return "", ""


def copy_mark(number: int, committee_short: str) -> str:
    """Which of the four copies this is and who keeps it, as the header of every page of that copy says it:
    "一式四份　第一份（甲方执）" … "第四份（村委会执）"."""
    holder = (*COPY_HOLDERS, committee_short)[number - 1]
    return f"一式四份　第{COPY_NUMBERS[number - 1]}份（{holder}执）"


def print_agreement(db, agreement_id: int, target: str | Path) -> Path:
    """Write one agreement to ``target`` (.docx, atomically) with its own template (自理 or 介助介护)."""
    context = agreement_context(db, agreement_id)
    return docx_render.render_document(context["template"], context, target)


def _self_contained(document) -> bool:
    """True when the body refers to no package part (image, hyperlink, numbering, footnote, header):
    such a body can be moved into another document as plain XML. Styles are the same in both templates
    (both made by forms/src/make_agreement_forms.py); an office's edited template may add parts, and
    then docxcompose does the merge."""
    from docx.oxml.ns import qn

    body = document.element.body
    relation_attrs = (qn("r:id"), qn("r:embed"), qn("r:link"))
    content = (child for child in body if child.tag != qn("w:sectPr"))  # its header/footer: _append_section
    for element in (e for child in content for e in child.iter()):
        if any(element.get(attr) for attr in relation_attrs):
            return False
        if element.tag in (qn("w:numPr"), qn("w:footnoteReference"), qn("w:endnoteReference"),
                           qn("w:commentReference")):
            return False
    return True


def print_agreements(db, agreement_ids: Sequence[int], target: str | Path,
                     progress: Callable[[int, int], None] | None = None,
                     check_cancelled: Callable[[], None] | None = None, *, copies: int = 1) -> int:
    """Many agreements into one .docx, one per page, in the order given; each uses its own template.

    Each agreement is rendered in memory (docx_render: escaped, blanks as lines) and its body moved straight
    into the first one behind a page break, then dropped, so memory stays that of two documents whatever the
    batch (300 agreements held at once took 1.6 GB). Moving the body XML directly is what makes batches fast
    (docxcompose spent ~0.3 s per document re-mapping styles); a body that refers to other parts (an office's
    edited template with a picture or numbering) goes through docxcompose instead. ``check_cancelled`` may
    raise to stop: nothing is written then. ``copies=4`` prints each agreement 一式四份: four copies one after
    another, each its own section whose header says which copy it is and who keeps it (``copy_mark``).
    Returns how many documents were printed (agreements × copies).
    """
    ids = list(agreement_ids)
    if not ids:
        raise UserError("没有选择要打印的协议")
    if copies not in (1, 4):
        raise UserError(f"协议只能打印一份或一式四份，不能打印 {copies} 份")
    total = len(ids) * copies
    record: dict[str, Any] = {}
    merged = None
    composer = None
    for number, (agreement_id, copy) in enumerate(((i, c) for i in ids for c in range(1, copies + 1)), start=1):
        if check_cancelled:
            check_cancelled()
        if copy == 1:
            record = agreement_context(db, agreement_id)
        context = dict(record)
        if copies > 1:
            context["status_mark"] = record["status_mark"] + "　" + copy_mark(copy, record["committee_short"])
        document = docx_render.render_in_memory(context["template"], context)
        if merged is None:
            merged = document
        elif _self_contained(document):
            _append_section(document, merged)
        else:
            from docxcompose.composer import Composer

            composer = composer or Composer(merged)
            _append_section(document, merged, lambda c=composer, doc=document: c.append(doc))
        del document
        if progress:
            progress(number, total)
    if check_cancelled:
        check_cancelled()  # a cancel after the last agreement still writes nothing
    if total > 1:
        _count_section_pages(merged)
    with atomic_path(target) as tmp:
        (composer or merged).save(str(tmp))
    return total


def _append_section(source, target, append: Callable[[], None] | None = None) -> None:
    """Append ``source`` to ``target`` as a section of its own, starting on a new page, with its own header
    (the agreement's number and status) and page numbers from 1 (``_count_section_pages`` makes its 共 Y 页).
    ``append`` moves the body (default: as plain XML; docxcompose's for a body that refers to other parts).
    A header or footer that itself refers to parts (an office's logo) stays the first agreement's."""
    import copy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = target.element.body
    final = body[-1]
    # the previous agreement's section ends with its last paragraph: it takes the section properties (and so
    # keeps its header); the body's own properties then belong to the agreement appended
    last = final.getprevious()
    if last is None or last.tag != qn("w:p"):
        last = OxmlElement("w:p")
        final.addprevious(last)
    properties = last.find(qn("w:pPr"))
    if properties is None:
        properties = OxmlElement("w:pPr")
        last.insert(0, properties)
    change = properties.find(qn("w:pPrChange"))
    ended = copy.deepcopy(final)
    if change is not None:
        change.addprevious(ended)
    else:
        properties.append(ended)
    if append is not None:
        append()
    else:
        _move_body(source, target)
    section = target.sections[-1]
    for part, kind in ((section.header, "header"), (section.footer, "footer")):
        # the part docxtpl rendered (python-docx's section.header would give the cached template part)
        reference = source.element.body[-1].find(qn(f"w:{kind}Reference"))
        if reference is None:
            continue
        theirs = source.part.rels[reference.get(qn("r:id"))].target_part.element
        if any(e.get(qn("r:id")) or e.get(qn("r:embed")) for e in theirs.iter()):
            continue  # refers to parts of its own package: not copied as plain XML
        # the previous section keeps the part it refers to; this one gets a part of its own
        section._sectPr.remove(section._sectPr.find(qn(f"w:{kind}Reference")))
        part.is_linked_to_previous = False
        mine = part._element
        for child in list(mine):
            mine.remove(child)
        for child in theirs:
            mine.append(copy.deepcopy(child))


SECTION_END = "_AgreementEnd{}"  # a hidden bookmark (leading "_") at the end of each agreement of a batch
_BOOKMARK_IDS = 90000  # above any bookmark a template holds


def _count_section_pages(document) -> None:
    """In a batch, 共 Y 页 counts the pages of each agreement (its section), not of the whole file.

    Each section's page numbers start at 1, so the page number of the section's last paragraph is its page count:
    a bookmark there and ``PAGEREF`` in the section's own footer print it. Word, WPS and LibreOffice all lay that
    out (LibreOffice does not compute SECTIONPAGES and printed 共1页 on every page of a batch). A footer shared
    with another section (an office's template whose footer refers to parts of its own, kept as it is) falls
    back to SECTIONPAGES, which Word and WPS compute. A single agreement keeps the template's NUMPAGES."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = document.element.body
    ends = [p for p in body.iterchildren(qn("w:p")) if p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    closing = [p for p in body.iterchildren(qn("w:p")) if p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is None]
    if not closing or body[-1].tag != qn("w:sectPr"):
        return
    ends.append(closing[-1])  # the last section ends with the body's last paragraph
    properties = [p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") for p in ends[:-1]] + [body[-1]]
    footers = []
    for section in properties:
        reference = section.find(qn("w:footerReference"))
        footers.append(None if reference is None else document.part.rels[reference.get(qn("r:id"))].target_part)
    for number, (paragraph, footer) in enumerate(zip(ends, footers, strict=True), start=1):
        if footer is None:
            continue
        name = SECTION_END.format(number)
        instruction = f" PAGEREF {name} " if footers.count(footer) == 1 else " SECTIONPAGES "
        for field in footer.element.iter(qn("w:fldSimple")):
            if field.get(qn("w:instr")).split()[0] in ("NUMPAGES", "SECTIONPAGES", "PAGEREF"):
                field.set(qn("w:instr"), instruction)
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), str(_BOOKMARK_IDS + number))
        start.set(qn("w:name"), name)
        end.set(qn("w:id"), str(_BOOKMARK_IDS + number))
        paragraph.append(start)
        paragraph.append(end)


def _move_body(source, target) -> None:
    """Append ``source``'s body (all but its section properties) to ``target``, before ``target``'s own."""
    body = target.element.body
    section = body[-1] if body[-1].tag.endswith("}sectPr") else None
    for element in list(source.element.body):
        if element.tag.endswith("}sectPr"):
            continue
        if section is not None:
            section.addprevious(element)
        else:
            body.append(element)
