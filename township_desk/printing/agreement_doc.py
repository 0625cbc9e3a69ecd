"""Printing mutual-aid agreements (农村居家互助养老协议书) from forms/互助养老协议书_自理.docx and _介助介护.docx.

Blanks the record leaves empty print as a line to write on (docx_render.BLANK), never "None"; every value
prints as typed (autoescaped). A batch puts one agreement per page, each with its own template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from township_desk.models import agreements
from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path
from township_desk.printing import docx_render

TEMPLATE_FILES = {"自理": "互助养老协议书_自理.docx", "介助介护": "互助养老协议书_介助介护.docx"}
SHORT_BLANK = "＿＿＿"  # year/month/day and hour blanks are short on the paper form
_COMMITTEE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")


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
    committee_village, committee_staff, term_years, start_y/m/d, end_y/m/d, service_place, hours_from,
    hours_to, hours_per_day, other_terms, sign_y/m/d; plus ``template`` (the template's file name).
    """
    record = agreements.get_agreement(db, agreement_id)
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
        "committee_village": committee_village(record["committee_name"]),
        "committee_staff": record["committee_staff"],
        "term_years": _number(record["term_years"]) or SHORT_BLANK,
        "start_y": start[0], "start_m": start[1], "start_d": start[2],
        "end_y": end[0], "end_m": end[1], "end_d": end[2],
        "service_place": record["service_place"],
        "hours_from": record["hours_from"] or SHORT_BLANK,
        "hours_to": record["hours_to"] or SHORT_BLANK,
        "hours_per_day": _number(record["hours_per_day"]) or SHORT_BLANK,
        "other_terms": "；".join(terms),
        "sign_y": signed[0], "sign_m": signed[1], "sign_d": signed[2],
    }
    prepared = docx_render.prepare(context)
    prepared["template"] = TEMPLATE_FILES[record["template"]]
    return prepared


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
    for element in body.iter():
        if any(element.get(attr) for attr in relation_attrs):
            return False
        if element.tag in (qn("w:numPr"), qn("w:footnoteReference"), qn("w:endnoteReference"),
                           qn("w:commentReference")):
            return False
    return True


def _page_break(document) -> None:
    from docx.enum.text import WD_BREAK

    body = document.element.body
    last = body[-2] if len(body) > 1 and body[-1].tag.endswith("}sectPr") else body[-1]
    if last.tag.endswith("}p"):
        from docx.text.paragraph import Paragraph

        Paragraph(last, document._body).add_run().add_break(WD_BREAK.PAGE)
    else:  # a table ends the document: the break goes in a paragraph of its own
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def print_agreements(db, agreement_ids: Sequence[int], target: str | Path,
                     progress: Callable[[int, int], None] | None = None,
                     check_cancelled: Callable[[], None] | None = None) -> int:
    """Many agreements into one .docx, one per page, in the order given; each uses its own template.

    Each agreement is rendered in memory (docx_render: escaped, blanks as lines) and its body moved straight
    into the first one behind a page break, then dropped, so memory stays that of two documents whatever the
    batch (300 agreements held at once took 1.6 GB). Moving the body XML directly is what makes batches fast
    (docxcompose spent ~0.3 s per document re-mapping styles); a body that refers to other parts (an office's
    edited template with a picture or numbering) goes through docxcompose instead. ``check_cancelled`` may
    raise to stop: nothing is written then. Returns how many were printed.
    """
    ids = list(agreement_ids)
    if not ids:
        raise UserError("没有选择要打印的协议")
    total = len(ids)
    merged = None
    composer = None
    for number, agreement_id in enumerate(ids, start=1):
        if check_cancelled:
            check_cancelled()
        context = agreement_context(db, agreement_id)
        document = docx_render.render_in_memory(context["template"], context)
        if merged is None:
            merged = document
        elif _self_contained(document):
            _page_break(merged)
            _move_body(document, merged)
        else:
            from docxcompose.composer import Composer

            _page_break(merged)
            composer = composer or Composer(merged)
            composer.append(document)
        del document
        if progress:
            progress(number, total)
    if check_cancelled:
        check_cancelled()  # a cancel after the last agreement still writes nothing
    with atomic_path(target) as tmp:
        (composer or merged).save(str(tmp))
    return total


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
