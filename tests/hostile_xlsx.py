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


def xls_workbook(path: Path, sheet: str, cells: list[tuple[int, int, object]],
                 dimension: tuple[int, int] | None = None, *, mini: bool = False) -> Path:
    """A minimal old-format .xls (BIFF8 in an OLE compound file): one sheet, text and number cells.

    ``cells`` are (row, column, value), 0-based; ``dimension`` (rows, columns) is what the sheet declares,
    by default what it holds. ``mini``: a stream under 4096 bytes, kept in the container's mini stream.
    """
    import struct

    def record(kind: int, data: bytes) -> bytes:
        return struct.pack("<HH", kind, len(data)) + data

    def bof(kind: int) -> bytes:
        return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))

    xf = struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    name = sheet.encode("utf-16-le")
    globals_ = [bof(0x0005), record(0x0042, struct.pack("<H", 1200))]
    globals_ += [record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 5) + b"\x05\x01"
                        + "Arial".encode("utf-16-le"))] * 5
    globals_ += [record(0x00E0, xf)] * 16
    boundsheet_at = sum(map(len, globals_))
    globals_ += [record(0x0085, struct.pack("<IBBBB", 0, 0, 0, len(sheet), 1) + name), record(0x000A, b"")]
    rows = max((r for r, _c, _v in cells), default=0) + 1
    columns = max((c for _r, c, _v in cells), default=0) + 1
    rows, columns = dimension or (rows, columns)
    body = [bof(0x0010), record(0x0200, struct.pack("<IIHHH", 0, rows, 0, columns, 0))]
    for r, c, value in cells:
        if isinstance(value, str):
            text = value.encode("utf-16-le")
            body.append(record(0x0204, struct.pack("<HHHHB", r, c, 15, len(value), 1) + text))
        else:
            body.append(record(0x0203, struct.pack("<HHHd", r, c, 15, float(value))))
    body.append(record(0x000A, b""))
    head = b"".join(globals_)
    sheet_at = len(head)
    head = head[:boundsheet_at + 4] + struct.pack("<I", sheet_at) + head[boundsheet_at + 8:]
    stream = head + b"".join(body)
    if mini:
        stream += b"\x00" * (-len(stream) % 64)
        assert len(stream) < 4096, "too many cells for a mini stream"
    else:
        stream += b"\x00" * (max(4096, -(-len(stream) // 512) * 512) - len(stream))  # a regular stream

    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child) + bytes(16 + 4 + 16)
                + struct.pack("<II", start, size) + bytes(4))

    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    if mini:  # sector 0 FAT, 1 directory, 2 mini FAT, 3… the mini stream's container
        container = stream + b"\x00" * (-len(stream) % 512)
        big = len(container) // 512
        fat = [0xFFFFFFFD, end, end] + [4 + i for i in range(big - 1)] + [end]
        small = len(stream) // 64
        mini_fat = [1 + i for i in range(small - 1)] + [end]
        mini_fat += [free] * (128 - len(mini_fat))
        struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, 2, 1, end)
        directory = (entry("Root Entry", 5, 1, 3, len(container)) + entry("Workbook", 2, free, 0, len(stream))
                     + entry("", 0, free, 0, 0) * 2)
        body = struct.pack("<128I", *(fat + [free] * (128 - len(fat)))) + directory \
            + struct.pack("<128I", *mini_fat) + container
    else:  # sector 0 FAT, 1 directory, 2… the stream
        sectors = len(stream) // 512
        fat = [0xFFFFFFFD, end] + [3 + i for i in range(sectors - 1)] + [end]
        struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end)
        directory = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream))
                     + entry("", 0, free, 0, 0) * 2)
        body = struct.pack("<128I", *(fat + [free] * (128 - len(fat)))) + directory + stream
    path.write_bytes(bytes(header) + body)
    return path


def add_raw_row(row_xml: str) -> Callable[[str], str]:
    """``row_xml`` added as it is at the end of the sheet data."""
    return lambda xml: xml.replace("</sheetData>", row_xml + "</sheetData>")
