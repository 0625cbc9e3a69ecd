"""An office's adjusted templates live in the data folder's forms/ and survive an upgrade (the install folder is
replaced); printing uses them first and the shipped ones for the rest."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import PureWindowsPath

from docx import Document

from tests.conftest import VALID_IDS
from township_desk.cli import main
from township_desk.models import db as dbm
from township_desk.models import elders, paths, settings
from township_desk.printing import docx_render

ROSTER = "花名册.docx"


def text_of(path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_without_adjusted_templates_the_shipped_ones_are_used(private_data_dir):
    assert docx_render.template_path(ROSTER) == paths.forms_dir() / ROSTER
    assert not (private_data_dir / "forms").exists()  # nothing created just by printing


def test_copying_the_defaults_fills_the_office_folder_and_keeps_an_edited_template(private_data_dir):
    folder, copied = docx_render.copy_default_forms()
    assert folder == private_data_dir / "forms"
    shipped = sorted(p.name for p in paths.forms_dir().glob("*.docx"))
    assert copied == shipped and sorted(p.name for p in folder.glob("*.docx")) == shipped
    edited = folder / ROSTER
    edited.write_bytes(b"the office's own roster")
    again_folder, again = docx_render.copy_default_forms()
    assert again_folder == folder and again == []
    assert edited.read_bytes() == b"the office's own roster"
    (folder / "告知卡.docx").unlink()  # deleting one brings the default back next time
    assert docx_render.copy_default_forms()[1] == ["告知卡.docx"]


def test_printing_uses_the_offices_adjusted_template(db_path, tmp_path, private_data_dir):
    database = dbm.connect(db_path)
    settings.put(database, {"township_name": "青山镇"})
    elders.save_elder(database, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"},
                      today=dt.date(2026, 11, 22))
    database.close()
    folder, _ = docx_render.copy_default_forms()
    document = Document(str(folder / ROSTER))
    document.add_paragraph("本镇自加：请村委会盖章")
    document.save(str(folder / ROSTER))

    out = tmp_path / "花名册.docx"
    assert main(["print", "roster", "--db", str(db_path), "-o", str(out)]) == 0
    text = text_of(out)
    assert "本镇自加：请村委会盖章" in text and "张德福" in text

    shutil.rmtree(folder)  # gone again: back to the shipped template
    assert main(["print", "roster", "--db", str(db_path), "-o", str(out)]) == 0
    assert "本镇自加" not in text_of(out)


def test_the_environment_override_still_wins(private_data_dir, tmp_path, monkeypatch):
    docx_render.copy_default_forms()
    monkeypatch.setenv("TOWNSHIP_DESK_FORMS", str(tmp_path / "county-forms"))
    assert docx_render.paths.form_path(ROSTER) == tmp_path / "county-forms" / ROSTER


def test_a_data_folder_on_a_network_share_keeps_its_unc_form(monkeypatch):
    """A data folder given as \\\\server\\share\\… (a county file server) stays a UNC path for the templates."""
    monkeypatch.setattr(paths, "data_dir", lambda: PureWindowsPath(r"\\县民政局\台账 数据\青山镇"))
    assert str(paths.office_forms_dir()) == r"\\县民政局\台账 数据\青山镇\forms"
    assert str(paths.office_forms_dir() / ROSTER) == r"\\县民政局\台账 数据\青山镇\forms\花名册.docx"


def test_an_adjusted_template_from_an_older_version_is_refused_naming_what_it_lacks(db_path, tmp_path,
                                                                                    private_data_dir, capsys):
    """An office adjusted 登记表.docx before forms were titled by the elder's group: its title is fixed text. Printed
    from it, a 城市独居 elder's form would say 农村留守; the print is refused naming the fields and the file, and
    nothing is written. Renaming the file brings the shipped template back."""
    database = dbm.connect(db_path)
    settings.put(database, {"township_name": "青山镇"})
    elders.save_elder(database, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"},
                      today=dt.date(2026, 11, 22))
    database.close()
    folder, _ = docx_render.copy_default_forms()
    old = folder / "登记表.docx"
    document = Document(str(old))
    for paragraph in document.paragraphs:
        if "{{ d.title }}" in paragraph.text or "{{ d.group_note }}" in paragraph.text:
            for run in paragraph.runs[1:]:
                run.text = ""
            paragraph.runs[0].text = paragraph.runs[0].text.replace("{{ d.title }}", "农村留守老年人基本情况登记表")
            paragraph.runs[0].text = paragraph.runs[0].text.replace("{{ d.group_note }}", "（本镇旧说明）")
    document.save(str(old))
    capsys.readouterr()

    out = tmp_path / "登记表.docx"
    assert main(["print", "registration", "--db", str(db_path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "登记表.docx" in err and "旧版" in err
    assert "{{ d.title }}" in err and "{{ d.group_note }}" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()

    old.rename(folder / "登记表（本镇旧版）.docx")
    assert main(["print", "registration", "--db", str(db_path), "-o", str(out)]) == 0
    assert "张德福" in text_of(out)


def test_every_shipped_template_has_fields_to_compare():
    """The comparison reads fields from every shipped template (a reader that found none would pass anything)."""
    for path in paths.forms_dir().glob("*.docx"):
        assert docx_render.template_fields(path), path.name
