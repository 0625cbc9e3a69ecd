"""Rendering the Word templates in forms/ (docxtpl): always escaped, empty values as lines to write on,
one file per document or many documents in one file (one per page), written atomically.

Templates are ordinary .docx files an office can adjust in Word or WPS; tags are ``{{ field }}``.
"""

from __future__ import annotations

import datetime as dt
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
    """The template to render: the office's adjusted copy (data folder's forms/) or the shipped one."""
    path = paths.form_path(name)
    if not path.exists():
        raise UserError(f"找不到打印模板“{name}”（应在 {path.parent}）。请重新安装程序或恢复 forms 文件夹。")
    return path


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
