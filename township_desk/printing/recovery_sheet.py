"""The recovery sheet: the ledger's recovery key on one A4 page, with what it is for and where to keep it.

Written with python-docx directly, not from an office-adjustable template in forms/: the key must print exactly
as made. Saved atomically like every document; the clerk prints it and deletes the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from township_desk import APP_NAME
from township_desk.models.files import atomic_path

BODY_FONT, TITLE_FONT, KEY_FONT = "仿宋", "宋体", "Consolas"

KEEPING = [
    "打印本页后，把它锁在文件柜里，或交分管领导保管；不要和电脑、U 盘放在一起。",
    "不要拍照，不要把恢复密钥存在电脑、U 盘、微信或邮件里；打印后请删除这个 Word 文件。",
    "更换经办人时，把恢复单随台账一起当面移交，并在下方签字。",
    "修改密码后恢复密钥不变，本单继续有效；清除密码后再重新设置，会得到新的恢复单，旧单作废。",
]
USE = [
    "忘记密码时：打开本程序，在“请输入密码”窗口中输入恢复密钥（可以不分大小写，短横线可省略），"
    "即可打开台账，然后在“设置 → 台账密码”中设置新密码。",
    "恢复密钥也能打开用同一密钥加密的备份。",
    "命令行（计划任务）中可以把恢复密钥放在环境变量 TOWNSHIP_DESK_PASSWORD 中代替密码。",
]


def _font(run, family: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = family
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONT if family == KEY_FONT else family)


def _paragraph(doc, text: str, *, size: float = 14, bold: bool = False, family: str = BODY_FONT,
               center: bool = False, space_after: float = 6):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(space_after)
    _font(paragraph.add_run(text), family, size, bold)
    return paragraph


def _township(db_path: str | Path) -> str:
    """The township's name from the ledger's settings ("" when it cannot be read)."""
    from township_desk.models import db as dbm
    from township_desk.models import settings
    from township_desk.models.errors import UserError

    try:
        db = dbm.connect(db_path, migrate=False)
    except UserError:
        return ""
    try:
        return str(settings.get(db, "township_name") or "")
    except Exception:  # noqa: BLE001 - the sheet prints without it
        return ""
    finally:
        db.close()


def write(db_path: str | Path, recovery_key: str, target: str | Path, *, township: str = "",
          day: dt.date | None = None) -> Path:
    """Write the recovery sheet of the ledger at ``db_path`` to ``target`` (.docx)."""
    from docx import Document
    from docx.shared import Cm

    day = day or dt.date.today()
    if not township:
        township = _township(db_path)
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.left_margin = section.right_margin = Cm(2.5)
    _paragraph(doc, "台账恢复单", size=22, bold=True, family=TITLE_FONT, center=True, space_after=4)
    _paragraph(doc, f"{APP_NAME} · 密码忘记时用它打开台账 · 请妥善保管", size=11, center=True, space_after=14)
    if township:
        _paragraph(doc, f"乡镇（街道）：{township}")
    _paragraph(doc, f"台账文件：{Path(db_path).name}")
    _paragraph(doc, f"设置密码日期：{day.year}年{day.month}月{day.day}日", space_after=14)
    _paragraph(doc, "恢复密钥", size=14, bold=True, space_after=2)
    table = doc.add_table(rows=1, cols=1)
    table.style = "Table Grid"
    cell = table.cell(0, 0)
    groups = recovery_key.split("-")
    half = (len(groups) + 1) // 2
    for number, line in enumerate(("-".join(groups[:half]), "-".join(groups[half:]))):
        paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
        paragraph.alignment = 1  # centred
        _font(paragraph.add_run(line + ("-" if number == 0 and groups[half:] else "")), KEY_FONT, 20, bold=True)
    _paragraph(doc, "（数字 0 和字母 O、数字 1 和字母 I/L 输入时可以互换；共 32 位，每 4 位一组）", size=10,
               space_after=14)
    _paragraph(doc, "注意：没有密码也没有恢复密钥，任何人（包括技术人员）都无法打开台账，数据将永久丢失。",
               size=14, bold=True, space_after=10)
    _paragraph(doc, "怎样使用", size=14, bold=True, space_after=2)
    for number, line in enumerate(USE, 1):
        _paragraph(doc, f"{number}. {line}", size=12, space_after=3)
    _paragraph(doc, "", size=6, space_after=4)
    _paragraph(doc, "怎样保管", size=14, bold=True, space_after=2)
    for number, line in enumerate(KEEPING, 1):
        _paragraph(doc, f"{number}. {line}", size=12, space_after=3)
    _paragraph(doc, "", size=6, space_after=10)
    _paragraph(doc, "保管人（签字）：＿＿＿＿＿＿＿＿　　　　日期：＿＿＿＿年＿＿月＿＿日", size=13, space_after=10)
    _paragraph(doc, "移交接收人（签字）：＿＿＿＿＿＿　　　　日期：＿＿＿＿年＿＿月＿＿日", size=13)
    target = Path(target)
    with atomic_path(target) as tmp:
        doc.save(str(tmp))
    return target
