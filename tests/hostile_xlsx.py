"""Hostile workbooks for the reader guards: a small real openpyxl file whose sheet XML is edited in the zip."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path


def edit_sheet(source: Path, target: Path, edit: Callable[[str], str], *, sheet: str = "xl/worksheets/sheet1.xml",
               extra: dict[str, bytes] | None = None) -> Path:
    """A copy of ``source`` with one worksheet's XML passed through ``edit`` (and ``extra`` members added)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == sheet:
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(item, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return target


def declare_dimension(ref: str) -> Callable[[str], str]:
    """The sheet says it spans ``ref`` (it holds no more cells than before)."""
    return lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)


def add_cell(ref: str, *, dimension: str | None = None) -> Callable[[str], str]:
    """One more text cell at ``ref`` (e.g. ``"XFD1000000"``), its row added at the end of the sheet data."""
    row = re.match(r"[A-Z]+(\d+)", ref).group(1)

    def edit(xml: str) -> str:
        xml = xml.replace("</sheetData>", f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
                                          "</sheetData>")
        return declare_dimension(dimension)(xml) if dimension else xml
    return edit


def add_merge(ref: str) -> Callable[[str], str]:
    return lambda xml: xml.replace("</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/>'
                                                   "</mergeCells>", 1)


def add_row_of_cells_without_references(count: int) -> Callable[[str], str]:
    """A row of ``count`` cells that carry no ``r``: readers place each after the one before."""
    cells = "<c><v>1</v></c>" * count
    return lambda xml: xml.replace("</sheetData>", f"<row>{cells}</row></sheetData>")
