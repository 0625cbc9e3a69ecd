"""Rendering the Word templates in forms/ (docxtpl): always escaped, empty values as lines to write on,
one file per document or many documents in one file (one per page), written atomically.

Templates are ordinary .docx files an office can adjust in Word or WPS; tags are ``{{ field }}``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from township_desk.models import paths
from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path

BLANK = "＿＿＿＿＿＿"  # a line to write on, never "None"
TICK, NO_TICK = "☑", "☐"


def template_path(name: str) -> Path:
    """The template to render: the office's adjusted copy (data folder's forms/) or the shipped one. An adjusted
    copy made from an older version that lacks a field the shipped template fills (a form's title by the elder's
    group, say) is refused, naming the fields: printed from it, a 城市独居 elder's form would say 农村留守."""
    path = paths.form_path(name)
    if not path.exists():
        raise UserError(f"找不到打印模板“{name}”（应在 {path.parent}）。请重新安装程序或恢复 forms 文件夹。")
    shipped = paths.forms_dir() / name
    if path != shipped and shipped.is_file():  # the office's adjusted copy (paths.form_path)
        missing = sorted(template_fields(shipped) - template_fields(path))
        if missing:
            raise UserError(
                f"数据文件夹中自行修改过的打印模板“{name}”（{path}）是旧版程序的，缺少本版需要填写的内容："
                f"{'、'.join('{{ ' + f + ' }}' for f in missing)}，用它打印会缺项或标题不对。"
                "请在“打印”页点“打开模板文件夹”，把这个文件改名留作参考（程序即改用新版默认模板），"
                "需要时再把本镇的改动做到新模板上。")
    return path


_FIELD = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z_0-9.]*)")


def template_fields(path: Path) -> set[str]:
    """The ``{{ … }}`` fields a .docx template fills, read from its body, headers and footers (Word may split a
    field over several runs: the text is read with the XML tags taken out)."""
    import zipfile

    found: set[str] = set()
    try:
        with zipfile.ZipFile(path) as package:
            for part in package.namelist():
                if part.startswith("word/") and part.endswith(".xml") and not part.startswith("word/_rels"):
                    text = re.sub(r"<[^>]+>", "", package.read(part).decode("utf-8", errors="replace"))
                    found.update(_FIELD.findall(text))
    except (OSError, zipfile.BadZipFile) as exc:
        raise UserError(f"打印模板“{path.name}”无法读取（{path}）：它不是有效的 Word 文件（{exc}）。") from exc
    return found


def copy_default_forms() -> tuple[Path, list[str]]:
    """Copy the shipped templates into the office's template folder (``paths.office_forms_dir()``, created if
    missing), never over one already there (an edited template is kept). Returns the folder and the names copied."""
    folder = paths.office_forms_dir()
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted(paths.forms_dir().glob("*.docx")):
        if source.name.startswith("~$"):  # Word's lock file of a template open in Word
            continue
        target = folder / source.name
        if target.exists():
            continue
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        copied.append(source.name)
    return folder, copied


def box(checked: bool) -> str:
    return TICK if checked else NO_TICK


def text(value: Any, blank: str = BLANK) -> str:
    """A value as printed: dates as YYYY年M月D日, empty as a writing line."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def prepare(context: Mapping[str, Any], blank: str = BLANK) -> dict[str, Any]:
    """Replace None/empty strings (recursively in lists and dicts) by a writing line."""

    def fix(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [fix(v) for v in value]
        if value is None or (isinstance(value, str) and not value.strip()):
            return blank
        return value

    return {k: fix(v) for k, v in context.items()}


def _render(template: Path, context: Mapping[str, Any], extra: Callable[[Any], dict] | None = None):
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(template))
    values = dict(context)
    if extra:
        values.update(extra(tpl))  # e.g. InlineImage objects, which need the template
    tpl.render(values, autoescape=True)  # pitfalls.md #1: never without autoescape
    return tpl


def render_in_memory(template_name: str, context: Mapping[str, Any]):
    """Render one document and return it as a python-docx ``Document`` (escaped, as ``render_document``), for a
    batch that joins documents without writing each to disk first."""
    return _render(template_path(template_name), context).docx


def render_document(template_name: str, context: Mapping[str, Any], target: str | Path, *,
                    extra: Callable[[Any], dict] | None = None) -> Path:
    """Render one document to ``target`` (temp name, then rename)."""
    tpl = _render(template_path(template_name), context, extra)
    with atomic_path(target) as tmp:
        tpl.save(str(tmp))
    return Path(target)
