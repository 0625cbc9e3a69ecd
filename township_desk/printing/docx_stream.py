"""A batch of documents from one template written into one .docx as it is rendered, in memory that does not
grow with the batch (a whole township's 3,000 登记表 in about the memory of one).

The template's body is compiled once (docxtpl's own tag clean-up, then Jinja with autoescape, as
``docx_render`` renders: pitfalls.md #1), rendered for a few documents at a time, and each piece's XML is
appended to a spool file; the .docx is then written from the template's package with the spooled body.
Documents follow each other behind page breaks, as the template's own loop separates them. Pictures
(``InlineImage``) are related to the one package, so each keeps its own relationship.
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path
from township_desk.printing import docx_render

CHUNK = 25  # documents rendered at a time: fast enough, and a few MB of XML at most
PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
_BODY_OPEN = re.compile(r"<w:body(\s[^>]*)?>")
_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\bid=")(\d+)(")')


def stream_batch(template_name: str, contexts: Iterable[Mapping[str, Any]], target: str | Path, *,
                 list_key: str = "docs", prepare: Callable[[Any, dict], dict] | None = None,
                 progress: Callable[[int, int], None] | None = None, total: int | None = None,
                 check_cancelled: Callable[[], None] | None = None) -> int:
    """Render each context as one document of the template (which loops over ``list_key``, one document a
    page) into ``target``, atomically; returns how many. ``prepare(tpl, context)`` may add objects that need
    the template (pictures). ``check_cancelled`` may raise to stop: nothing is written then."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    tpl = DocxTemplate(str(docx_render.template_path(template_name)))
    tpl.render_init()
    tpl.current_rendering_part = tpl.docx.part  # where pictures are related
    source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(tpl.get_xml()))
    compiled = Environment(autoescape=True).from_string(source)
    picture_ids = itertools.count(1000)
    count, tail = 0, None
    items = iter(contexts)
    with tempfile.TemporaryFile() as spool:
        while True:
            chunk = []
            for context in itertools.islice(items, CHUNK):
                if check_cancelled:
                    check_cancelled()
                chunk.append(prepare(tpl, dict(context)) if prepare else context)
            if not chunk:
                break
            xml = _finish(tpl, compiled.render({list_key: chunk}))
            opening = _BODY_OPEN.search(xml)
            section = xml.rfind("<w:sectPr")
            inner = _DOCPR_ID.sub(lambda m: f"{m[1]}{next(picture_ids)}{m[3]}", xml[opening.end():section])
            if count:
                spool.write(PAGE_BREAK.encode())
            spool.write(inner.encode("utf-8"))
            tail = xml[section:]
            count += len(chunk)
            if progress:
                progress(count, total or count)
        if not count:
            raise UserError("没有可打印的内容")
        if check_cancelled:
            check_cancelled()
        _write(tpl, spool, tail, target)
    return count


def _finish(tpl, xml: str) -> str:
    """What docxtpl does to a rendered part after Jinja (docxtpl.DocxTemplate.render_xml_part)."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return tpl.resolve_listing(xml)


def _write(tpl, spool, tail: str, target: str | Path) -> None:
    """The template's package (styles, pictures related while rendering …) with the spooled body."""
    package = io.BytesIO()
    tpl.docx.save(package)
    package.seek(0)
    with zipfile.ZipFile(package) as source, atomic_path(target) as tmp, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, source.read(item.filename))
                continue
            document = source.read(item.filename).decode("utf-8")
            head = document[:_BODY_OPEN.search(document).start()] + "<w:body>"
            info = zipfile.ZipInfo(item.filename, item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with out.open(info, "w", force_zip64=True) as stream:
                stream.write(head.encode("utf-8"))
                spool.seek(0)
                shutil.copyfileobj(spool, stream)
                stream.write(tail.encode("utf-8"))
                stream.write(b"</w:document>")
