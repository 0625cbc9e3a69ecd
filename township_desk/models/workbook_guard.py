"""Refusing a workbook that would take the reader down, before any reader opens it (pitfalls: python-calamine).

python-calamine builds each sheet as one dense block from A1 to the farthest cell it finds: a few-KB file
with a single cell at XFD1000000 makes it abort the whole process (a Rust panic or a failed allocation,
which no ``except`` catches), and a cell at KN200000 costs 2.3 GB. openpyxl in read-only mode pads every
row to the sheet's *declared* dimension instead, so a lying ``<dimension ref="A1:XFD1048576"/>`` sends it
through 17 billion empty cells. Both are refused here, by looking at the file as a zip of XML:

* the zip itself: every member is decompressed as a stream (the sizes written in the zip can lie) and the
  whole must stay under ``MAX_UNCOMPRESSED`` bytes; a member that claims an absurd compression ratio is
  refused before a byte of it is inflated;
* each worksheet: its declared ``<dimension>``, and, because that can lie too, the farthest row, cell and
  merged range actually in its XML (scanned in chunks, never parsed into a tree), against ``MAX_ROWS`` and
  ``MAX_COLUMNS``, and the dense block the reader would build against ``MAX_CELLS`` (summed over sheets,
  since the ledger reader holds every sheet at once);
* an old-format .xls (an OLE compound file): the same row, column and cell limits over its BIFF records.

``check_workbook(path)`` is called by every reader in ``models`` (the ledger import, the county combine)
before it opens the file; it raises ``UserError`` with a Chinese message naming the file and the sheet.
"""

from __future__ import annotations

import functools
import html
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from township_desk.models.errors import UserError

MAX_ROWS = 200_000
MAX_COLUMNS = 300
# The dense block a reader builds: 8 million cells is about 330 MB in python-calamine (measured: 6 million,
# 20,000 rows × 300 columns, peaked at 242 MB). A 30,000-person ledger of 60 columns is 1.8 million.
MAX_CELLS = 8_000_000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
# Spreadsheet XML deflates 5–25 times (a 30,000-row openpyxl ledger: 19.8); a zip bomb, a thousand times.
MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024  # small members may compress as they like

_CHUNK = 1 << 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class SheetExtent:
    """How far one sheet reaches: the larger of what it declares and what it holds (1-based)."""

    name: str
    rows: int = 0
    columns: int = 0

    def take(self, row: int, column: int) -> None:
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, column)


def check_workbook(path: str | Path) -> list[SheetExtent]:
    """Refuse (``UserError``) a workbook too large or too far-reaching to read safely; return each sheet's extent.

    Accepts .xlsx/.xlsm (any name: the content decides) and the old .xls. Anything else is "not an Excel
    workbook"; an .xlsb or an .ods is asked to be saved again as .xlsx.
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    if path.is_dir():
        raise UserError(f"“{path}”是文件夹，不是 Excel 文件")
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise UserError(f"无法打开“{path.name}”：{exc.strerror or exc}") from exc
    if magic == _OLE_MAGIC:
        extents = _xls_extents(path)
    elif magic.startswith(b"PK"):
        extents = _xlsx_extents(path)
    else:
        raise _not_a_workbook(path)
    total = 0
    for sheet in extents:
        if sheet.rows > MAX_ROWS or sheet.columns > MAX_COLUMNS:
            raise UserError(
                f"“{path.name}”的工作表“{sheet.name}”延伸到第 {sheet.rows} 行、第 {sheet.columns} 列，"
                f"超过可读取的上限（{MAX_ROWS} 行、{MAX_COLUMNS} 列）：文件可能已损坏或被改动。"
                "请在 Excel 中删除多余的空行空列（或把内容复制到新工作簿）后另存再试")
        total += sheet.rows * sheet.columns
        if total > MAX_CELLS:
            raise UserError(
                f"“{path.name}”读到工作表“{sheet.name}”时，各表合计已有 {total} 个单元格（行数×列数），"
                f"超过可读取的上限 {MAX_CELLS} 个。请删除多余的空行空列，或把工作表分成几个文件后再试")
    return extents


def _not_a_workbook(path: Path) -> UserError:
    return UserError(f"无法读取“{path.name}”：它不是 Excel 工作簿（.xlsx/.xls）或文件已损坏")


def _too_big(path: Path) -> UserError:
    return UserError(f"“{path.name}”解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，"
                     "不像是一份台账或报表（文件可能已损坏或被改动），未读取")


# ------------------------------------------------------------------ .xlsx / .xlsm


def _xlsx_extents(path: Path) -> list[SheetExtent]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_a_workbook(path) from exc
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "xl/workbook.bin" in names:
            raise UserError(f"“{path.name}”是二进制工作簿（.xlsb），请在 Excel 中“另存为”.xlsx 后再读取")
        if "xl/workbook.xml" not in names:
            if "content.xml" in names:
                raise UserError(f"“{path.name}”是 WPS/LibreOffice 的 .ods 表格，请“另存为”Excel 工作簿（.xlsx）后再读取")
            raise _not_a_workbook(path)
        for member in members:
            if member.file_size > _RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise UserError(f"“{path.name}”中的“{member.filename}”压缩比异常（{member.file_size} 字节压成 "
                                f"{member.compress_size} 字节），不像是正常的 Excel 文件，未读取")
        if sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
            raise _too_big(path)
        sheet_names = _sheet_names(archive)
        extents = []
        budget = [MAX_UNCOMPRESSED]
        for member in members:
            if member.is_dir():
                continue
            name = sheet_names.get(member.filename)
            if name is None and re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename):
                name = PurePosixPath(member.filename).stem
            try:
                if name is None:
                    for _chunk in _inflate(archive, member, path, budget):
                        pass  # only its real size counts: the reader will inflate it too
                else:
                    again = functools.partial(_inflate, archive, member, path, [MAX_UNCOMPRESSED])  # counted once
                    extents.append(_scan_sheet(_inflate(archive, member, path, budget), again, name))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise _not_a_workbook(path) from exc
    return extents


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path, budget: list[int]) -> Iterator[bytes]:
    """A member's bytes in chunks, counting them against what is left of ``MAX_UNCOMPRESSED``."""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _too_big(path)
            yield chunk


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's name as the tab shows it (from workbook.xml and its relationships)."""
    try:
        book = _small_member(archive, "xl/workbook.xml")
        rels = _small_member(archive, "xl/_rels/workbook.xml.rels")
    except (KeyError, ValueError, zipfile.BadZipFile, OSError):
        return {}
    targets = {}
    for tag in re.finditer(r"<(?:[\w.-]+:)?Relationship\b([^>]*)>", rels):
        attrs = _attributes(tag.group(1))
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[attrs["Id"]] = part
    found = {}
    for tag in re.finditer(r"<(?:[\w.-]+:)?sheet\b([^>]*)>", book):
        attrs = _attributes(tag.group(1))
        rid = next((v for k, v in attrs.items() if k == "id" or k.endswith(":id")), None)
        if rid in targets and "name" in attrs:
            found[targets[rid]] = attrs["name"]
    return found


def _small_member(archive: zipfile.ZipFile, name: str, limit: int = 16 * 1024 * 1024) -> str:
    with archive.open(name) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(name)
    return data.decode("utf-8", "replace")


_ATTRIBUTE = re.compile(r"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTRIBUTE.finditer(text)}


# Start tags of the elements that place something on the grid. Text between tags cannot hold a raw "<", so
# a regex over the tags sees what an XML parser sees (a comment or CDATA can only make it over-count).
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c|dimension|mergeCell)\b([^>]*)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_ATTR = re.compile(rb"""(?:^|\s)ref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(r"^\$?([A-Za-z]{1,7})\$?(\d{1,12})$")


def _attr(pattern: re.Pattern, text: bytes) -> str | None:
    found = pattern.search(text)
    if not found:
        return None
    value = (found.group(1) if found.group(1) is not None else found.group(2)).decode("utf-8", "replace")
    return html.unescape(value) if "&" in value else value


def _scan_sheet_exactly(chunks: Iterator[bytes], name: str) -> SheetExtent:
    """The farthest row and column a worksheet's XML declares or fills, one tag at a time (a chunk held at once).

    A row or cell without ``r`` follows the one before it, as the readers place it.
    """
    extent = SheetExtent(name)
    place = [0, 0]  # the row and column the last row/cell tag put us at
    cells: dict[str, tuple[int, int] | None] = {}  # most references repeat their column letters: cache by text

    def take(body: bytes) -> None:
        row, column, far_row, far_column = place[0], place[1], extent.rows, extent.columns
        for kind, attrs in _TAG.findall(body):
            if kind == b"c":
                text = _attr(_R_ATTR, attrs)
                if text is None:
                    column += 1
                else:
                    ref = cells[text] if text in cells else cells.setdefault(text, _cell(text)) if len(cells) < 4096 \
                        else _cell(text)
                    if ref is None:
                        column += 1
                    else:
                        row, column = max(row, ref[0]), ref[1]
                far_row, far_column = max(far_row, row, 1), max(far_column, column)
            elif kind == b"row":
                row, column = _number(_attr(_R_ATTR, attrs), row + 1), 0
                far_row = max(far_row, row)
            else:
                for part in (_attr(_REF_ATTR, attrs) or "").split(":"):
                    ref = _cell(part)
                    if ref:
                        far_row, far_column = max(far_row, ref[0]), max(far_column, ref[1])
        place[:] = [row, column]
        extent.rows, extent.columns = far_row, far_column

    tail = b""
    for chunk in chunks:
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut == -1:  # plain text: no tag starts here
            tail = b""
            continue
        take(data[:cut])
        tail = data[cut:]
        if len(tail) > _CHUNK:  # one tag longer than a chunk is no spreadsheet's
            raise ValueError("tag too long")
    take(tail)
    return extent


# The fast path: plain ``<c r="B7"`` and ``<row r="7"`` tags, counted and matched with C-speed searches.
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,7})(\d{1,12})"')
_ROW_REF = re.compile(rb'<row r="(\d{1,12})"')
_AREA_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:dimension|mergeCell)\b[^>]*>")
# A namespace prefix (<x:c) or a tab or line break after the name (<c\nr=…) is valid XML that the plain
# patterns would miss: such a sheet takes the exact path.
_UNUSUAL = re.compile(rb"<(?:c|row)[\t\r\n]|:(?:c|row)[\s/>]")


def _scan_sheet(chunks: Iterator[bytes], again: Callable[[], Iterator[bytes]], name: str) -> SheetExtent:
    """The farthest row and column a worksheet's XML declares or fills, reading it a chunk at a time.

    Every writer puts an ``r="B7"`` on each row and cell; then the farthest is found by regular expressions
    alone (a 30,000-row ledger in about two seconds). A sheet where some row or cell is not written that
    way is read again, from ``again()``, tag by tag (``_scan_sheet_exactly``).
    """
    extent = SheetExtent(name)
    letters: set[bytes] = set()
    tail = b""
    for index, chunk in enumerate(chunks):
        if index == 0 and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:64]):
            # UTF-16 XML would hide every tag from the byte patterns below; no spreadsheet program writes it
            raise ValueError("UTF-16 worksheet")
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut == -1:
            tail = b""
            continue
        body, tail = data[:cut], data[cut:]
        if len(tail) > _CHUNK:
            raise ValueError("tag too long")
        if not _scan_body(body, extent, letters):
            return _scan_sheet_exactly(again(), name)
    if not _scan_body(tail, extent, letters):
        return _scan_sheet_exactly(again(), name)
    for letter in letters:
        extent.take(0, _cell(letter.decode() + "1")[1])
    return extent


def _scan_body(body: bytes, extent: SheetExtent, letters: set[bytes]) -> bool:
    """Add one stretch of complete tags to ``extent``; False when a row or cell in it is not a plain
    ``<row r="7"`` / ``<c r="B7"`` (no ``r``, another attribute first, a namespace prefix)."""
    cells = _CELL_REF.findall(body)
    rows = _ROW_REF.findall(body)
    if len(cells) != body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/>") \
            or len(rows) != body.count(b"<row ") + body.count(b"<row>") + body.count(b"<row/>") \
            or _UNUSUAL.search(body):
        return False
    letters.update(letter for letter, _row in cells)
    if cells:
        extent.take(max(map(int, (row for _letter, row in cells))), 0)
    if rows:
        extent.take(max(map(int, rows)), 0)
    for tag in _AREA_TAG.findall(body):
        for part in (_attr(_REF_ATTR, tag) or "").split(":"):
            ref = _cell(part)
            if ref:
                extent.take(*ref)
    return True


def _number(text: str | None, default: int) -> int:
    if text is None:
        return default
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 12 else default


def _cell(ref: str | None) -> tuple[int, int] | None:
    """``"KN200000"`` -> (200000, 300)."""
    if not ref:
        return None
    found = _REF.match(ref.strip())
    if not found:
        return None
    column = 0
    for letter in found.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)), column


# ------------------------------------------------------------------ .xls (BIFF8 inside an OLE compound file)

_BIFF_CELLS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}  # formula…rk, rstring
_BIFF_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first col, …, last col in the final 2 bytes
_BIFF_DIMENSIONS = 0x0200
_BIFF_BOF, _BIFF_BOUNDSHEET, _BIFF_MERGED = 0x0809, 0x0085, 0x00E5


def _xls_extents(path: Path) -> list[SheetExtent]:
    try:
        stream = _ole_stream(path, ("Workbook", "Book"))
    except (ValueError, IndexError, struct.error, OSError) as exc:
        raise _not_a_workbook(path) from exc
    if stream is None:
        raise _not_a_workbook(path)
    extents: list[SheetExtent] = []
    names: dict[int, str] = {}
    current: SheetExtent | None = None
    pos = 0
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        data = stream[pos + 4:pos + 4 + size]
        if kind == _BIFF_BOUNDSHEET and len(data) >= 8:
            names[struct.unpack_from("<I", data)[0]] = _biff_sheet_name(data[6:]) or f"第{len(names) + 1}张表"
        elif kind == _BIFF_BOF:
            if pos in names or (len(data) >= 4 and struct.unpack_from("<H", data, 2)[0] == 0x0010):
                current = SheetExtent(names.get(pos, f"第{len(extents) + 1}张表"))
                extents.append(current)
        elif current is not None:
            if kind in _BIFF_CELLS and len(data) >= 4:
                r, c = struct.unpack_from("<HH", data)
                current.take(r + 1, c + 1)
            elif kind in _BIFF_MULTI and len(data) >= 6:
                r, _first = struct.unpack_from("<HH", data)
                current.take(r + 1, struct.unpack_from("<H", data, len(data) - 2)[0] + 1)
            elif kind == _BIFF_DIMENSIONS and len(data) >= 12:
                _r0, r1, _c0, c1 = struct.unpack_from("<IIHH", data)
                current.take(r1, c1)  # rwMac and colMac are one past the last
            elif kind == _BIFF_MERGED and len(data) >= 2:
                for i in range(struct.unpack_from("<H", data)[0]):
                    if 2 + 8 * (i + 1) <= len(data):
                        _r0, r1, _c0, c1 = struct.unpack_from("<HHHH", data, 2 + 8 * i)
                        current.take(r1 + 1, c1 + 1)
        pos += 4 + size
    return extents


def _biff_sheet_name(data: bytes) -> str:
    if len(data) < 2:
        return ""
    length, flags = data[0], data[1]
    raw = data[2:2 + length * (2 if flags & 1 else 1)]
    return raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")


def _ole_stream(path: Path, wanted: tuple[str, ...]) -> bytes | None:
    """The named stream of an OLE compound file (the container of .xls), or None; ValueError when damaged."""
    data = path.read_bytes()
    if len(data) > MAX_UNCOMPRESSED:
        raise _too_big(path)
    sector = 1 << struct.unpack_from("<H", data, 30)[0]
    mini_sector = 1 << struct.unpack_from("<H", data, 32)[0]
    n_fat, first_dir, cutoff, first_mini_fat, _n_mini_fat, first_difat, n_difat = struct.unpack_from(
        "<I I 4x I I I I I", data, 44)
    if sector not in (512, 4096):
        raise ValueError("sector size")
    count = (len(data) - 512) // sector + 1

    def at(index: int) -> bytes:
        if not 0 <= index < count:
            raise ValueError("sector out of range")
        start = 512 + index * sector
        return data[start:start + sector]

    difat = list(struct.unpack_from("<109I", data, 76))
    next_difat, seen = first_difat, 0
    while next_difat < 0xFFFFFFFA and seen < n_difat:
        block = struct.unpack(f"<{sector // 4}I", at(next_difat))
        difat += block[:-1]
        next_difat, seen = block[-1], seen + 1
    fat: list[int] = []
    for index in difat[:n_fat]:
        fat += struct.unpack(f"<{sector // 4}I", at(index))

    def chain(start: int, table: list[int]) -> Iterator[int]:
        steps = 0
        while start < 0xFFFFFFFA:
            yield start
            if start >= len(table) or steps > len(table):
                raise ValueError("broken chain")
            start, steps = table[start], steps + 1

    directory = b"".join(at(i) for i in chain(first_dir, fat))
    entries = []
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset:offset + 128]
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(name_length - 2, 0)].decode("utf-16-le", "replace")
        kind = entry[66]
        start, size = struct.unpack_from("<II", entry, 116)
        entries.append((name, kind, start, size))
    root = next((e for e in entries if e[1] == 5), None)
    target = next((e for e in entries if e[1] == 2 and e[0] in wanted), None)
    if target is None or root is None:
        return None
    _name, _kind, start, size = target
    if size > MAX_UNCOMPRESSED:
        raise _too_big(path)
    if size >= cutoff:
        return b"".join(at(i) for i in chain(start, fat))[:size]
    mini_fat: list[int] = []
    for index in chain(first_mini_fat, fat):
        mini_fat += struct.unpack(f"<{sector // 4}I", at(index))
    mini_stream = b"".join(at(i) for i in chain(root[2], fat))
    return b"".join(mini_stream[i * mini_sector:(i + 1) * mini_sector] for i in chain(start, mini_fat))[:size]


def open_workbook(path: Path):
    """The workbook at ``path`` opened with python-calamine, after ``check_workbook``: a far-away cell would abort
    the process inside calamine. A file calamine cannot read (its own errors, and a Rust panic, which derives from
    BaseException) is a Chinese ``UserError``."""
    import python_calamine

    check_workbook(path)
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's own errors, and a Rust panic (PanicException)
        raise UserError(f"无法读取“{path.name}”：它不是 Excel 工作簿（.xlsx/.xls）或文件已损坏（{type(exc).__name__}）") from exc
