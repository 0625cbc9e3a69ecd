"""Printed documents read back with python-docx: every field filled, the seed's headings, ☑ where ticked,
text as typed, no tags left, never "None"; blank forms print ☐ and writing lines; batches one per page."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.conftest import VALID_IDS, make_id
from tests.pdf_pages import LIBREOFFICE, pdf_pages
from township_desk.models import elders, paths, printouts, settings
from township_desk.printing import documents, kinds
from township_desk.printing.docx_render import BLANK

TODAY = dt.date(2026, 11, 22)
TRICKY_ADDRESS = '青山村三组 A&B <12> "老屋"'


def read(path) -> str:
    """Paragraphs and table cells, in document order, one per line."""
    document = Document(str(path))
    lines = [p.text for p in document.paragraphs]
    return "\n".join(lines + cell_texts(document))


def cell_texts(document) -> list[str]:
    """Each table cell once (a merged cell appears once, not once per grid column it spans)."""
    if not hasattr(document, "tables"):
        document = Document(str(document))
    seen, texts = set(), []
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)  # keeps the element alive, so identity is stable
                    texts.append(cell.text)
    return texts


def assert_clean(text: str) -> None:
    assert "{{" not in text and "{%" not in text and "}}" not in text
    assert "None" not in text


def page_breaks(path) -> int:
    body = Document(str(path)).element.body
    return sum(1 for br in body.iter(qn("w:br")) if br.get(qn("w:type")) == "page")


@pytest.fixture
def office(db):
    settings.put(db, {"township_name": "青山镇", "office_phone": "0833-2345678", "unit_head": "赵书记",
                      "reviewer": "钱复核", "preparer": "孙&李"})


@pytest.fixture
def full_elder(db, office) -> int:
    result = elders.save_elder(db, {
        "name": "张德福", "id_number": VALID_IDS[0], "village": "青山村", "ethnicity": "彝族",
        "household_address": "四川省乐山市青山镇青山村", "current_address": TRICKY_ADDRESS, "phone": "13800001111",
        "is_disabled": 1, "disability_category": "肢体", "disability_grade": "三级", "is_ill": 1,
        "illness_type": "脑梗", "education": "初中", "spouse": "双方健在", "children_count": 3,
        "children_birth_years": "1968,1971,1975", "children_away_years": 9, "last_family_visit": "2026-02",
        "reunions_per_year": 2, "reunion_avg_days": 12, "income_sources": "种养殖业,亲朋救济",
        "main_income": "种养殖业", "care": "无人照料", "needs": "希望有人送餐 & 陪同就医",
        "difficulties": "子女<远在外地>", "visitor": "王村官", "visitor_phone": "13900002222", "tier": "重点",
    }, [{"name": "张建国", "relation": "儿子", "away_since": "2020-05"}], today=TODAY)  # away 6 full years
    return result.elder_id


def test_registration_prints_every_field_and_tick(db, full_elder, tmp_path):
    target = tmp_path / "登记表.docx"
    assert documents.print_registration(db, [full_elder], target, as_of=TODAY) == 1
    text = read(target)
    assert_clean(text)
    for expected in ("农村留守老年人基本情况登记表", "填报单位（盖章）：青山镇", "填报日期：2026年11月22日",
                     "张德福", "1945年3月12日", "彝族", VALID_IDS[0], "四川省乐山市青山镇青山村", TRICKY_ADDRESS,
                     "健康（☐） 残疾（☑） 患病（☑）", "肢体 三级", "脑梗",
                     "文盲（☐） 小学（☐） 初中（☑） 高中及以上（☐）", "双方健在（☑） 一方健在（☐）",
                     "子女数量：（3）个 出生日期分别为：（1968、1971、1975）年", "外出务工年限：（6）年",
                     "最近一次回家探望时间：（2026年2月） 每年团聚次数：（2）次，平均天数：（12）天",
                     "打工（☐） 种养殖业（☑） 政府救助（☐） 亲朋救济（☑） 其他（☐） 以上选项可多选",
                     "有人照料（☐） 无人照料（☑）", "希望有人送餐 & 陪同就医", "子女<远在外地>",
                     "单位负责人（签名）：＿＿＿＿＿＿＿　复核人（签名）：＿＿＿＿＿＿＿\n填表人（签名）：＿＿＿＿＿＿＿",
                     "3. 患病：指患有重特大疾病。", "4. 每年团聚次数：最近五年内平均每年团聚次数。"):
        assert expected in text, expected
    assert "赵书记" not in text and "钱复核" not in text and "孙&李" not in text  # signed by hand, never typed
    for heading in ("基本情况", "文化程度", "家庭情况", "子女外出务工情况", "家庭经济来源情况", "照料情况",
                    "养老需求", "存在困难问题", "残疾类别及等级", "患病类型", "户籍所在地", "现居住地址"):
        assert heading in text


def test_blank_registration_has_every_box_empty_and_lines(db, office, tmp_path):
    target = tmp_path / "blank.docx"
    documents.print_registration(db, [None], target)
    text = read(target)
    assert_clean(text)
    assert "☑" not in text
    assert text.count("☐") == 3 + 4 + 2 + 5 + 2
    assert f"填报日期：{BLANK}" in text
    cells = set(cell_texts(target))
    assert BLANK in cells
    assert "" not in cells  # every value cell is a line to write on


def test_registration_of_a_village_is_one_page_each(db, full_elder, tmp_path):
    for number in range(2, 5):
        elders.save_elder(db, {"name": f"李{'一二三四'[number - 1]}", "id_number": make_id(f"194{number}0101", number),
                               "village": "青山村"}, today=TODAY)
    elders.save_elder(db, {"name": "别村", "id_number": make_id("19400101", 9), "village": "河口村"}, today=TODAY)
    gone = elders.save_elder(db, {"name": "已迁", "id_number": make_id("19410101", 11), "village": "青山村"},
                             today=dt.date(2020, 1, 1)).elder_id
    elders.change_status(db, gone, "已迁出", "2025-01-01", "随子女迁居")
    ids = printouts.village_elder_ids(db, "青山村")
    assert len(ids) == 4
    target = tmp_path / "village.docx"
    assert documents.print_registration(db, ids, target) == 4
    assert page_breaks(target) == 3
    text = read(target)
    # 张德福 is 农村留守; the others have no supporter on record, so no group: a neutral title, said on a line
    assert text.count("农村留守老年人基本情况登记表") == 1 and text.count("巡访对象基本情况登记表") == 3
    assert text.count("巡访对象类别：未认定") == 3
    assert "别村" not in text and "已迁" not in text


def add_visit(db, elder_id: int, **values) -> int:
    row = {"elder_id": elder_id, "date": "2026-11-20", "mode": "上门", "visitor_name": "王村官", "visit_type": "重点",
           "expression": "良", "mobility": "差", "illness": "中", "mood": "优", "thinking": "良", "stress": "中",
           "gas_safety": "不安全", "heating_safety": "安全", "electric_safety": "安全", "daily_care": "无人照料",
           "comfort_need": "有需求", "rights_need": "无需求", "guardianship_need": "有需求",
           "notes": "燃气管老化 & 漏气，已告知儿子<张小明>"}
    row.update(values)
    with db.atomic():
        return db["visits"].insert(row).last_pk


def test_visit_form_ticks_what_the_visit_recorded_and_places_the_photo(db, full_elder, tmp_path):
    visit_id = add_visit(db, full_elder)
    photo = paths.photos_dir() / "v1.png"
    _png(photo)
    with db.atomic():
        db["visit_photos"].insert({"visit_id": visit_id, "path": "v1.png", "original_name": "照片.png"})
    target = tmp_path / "visit.docx"
    documents.print_visit_forms(db, [{"visit_id": visit_id}], target)
    text = read(target)
    assert_clean(text)
    cells = cell_texts(target)
    for expected in ("巡访登记表", "巡访单位（盖章）：青山镇", "张德福", "男", "2026年11月20日", "王村官",
                     TRICKY_ADDRESS, "巡　访　内　容", "巡访照片粘贴处", "巡访人员签名：＿＿＿＿＿＿＿",
                     "燃气管老化 & 漏气，已告知儿子<张小明>"):
        assert expected in text, expected
    for ticked in ("☑良", "☑差", "☑中", "☑优", "☑不安全", "☑安全", "☑无人照料", "☑有需求", "☑无需求"):
        assert ticked in cells, ticked
    assert cells.count("☑有需求") >= 2
    assert "☐优" in cells and "☐有人照料" in cells
    for heading in ("健康状况", "表达能力", "行动能力", "疾病状况", "精神状态", "情绪状态", "思维状态", "压力状态",
                    "安全情况", "燃气安全", "取暖安全", "用电安全", "关爱服务", "生活照料", "精神慰藉", "权益维护",
                    "安全监护", "重点巡访", "普遍巡访", "住址", "其他情\n况说明"):
        assert heading in cells, heading
    body = Document(str(target)).element.body
    assert list(body.iter(qn("a:blip"))) or list(body.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))


def _png(path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_blank_visit_forms_to_take_along(db, full_elder, tmp_path):
    target = tmp_path / "take.docx"
    documents.print_visit_forms(db, [{"elder_id": full_elder}, {}], target)
    text = read(target)
    assert_clean(text)
    assert page_breaks(target) == 1
    cells = cell_texts(target)
    # the first form is pre-filled with who is visited; every assessment box is empty on both
    assert "张德福" in cells and "王村官" in cells
    assert cells.count("☐优") == 12 and "☑优" not in cells and "☑安全" not in cells
    assert BLANK in cells  # 巡访时间 to write in


def test_roster_masks_ids_unless_asked(db, full_elder, tmp_path):
    target = tmp_path / "roster.docx"
    assert documents.print_roster(db, ["青山村"], target, as_of=TODAY, group="农村留守") == 1
    text = read(target)
    assert_clean(text)
    assert "青山镇青山村农村留守老年人花名册" in text and "对象类别" not in text
    assert "5111**********0010" in text and VALID_IDS[0] not in text
    for expected in ("王村官", "13900002222", "重点", "81", TRICKY_ADDRESS):
        assert expected in text
    document = Document(str(target))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    header = document.tables[0].rows[0]._tr
    assert header.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    full = tmp_path / "full.docx"
    documents.print_roster(db, ["青山村"], full, full_ids=True, as_of=TODAY, group="农村留守")
    assert VALID_IDS[0] in read(full)


def test_notice_cards_quote_the_rule_and_the_plan(db, full_elder, tmp_path):
    target = tmp_path / "cards.docx"
    assert documents.print_notice_cards(db, [full_elder] * 5, target, as_of=TODAY) == 5
    text = read(target)
    assert_clean(text)
    assert text.count("巡访责任人告知卡") == 5
    for expected in ("尊敬的张德福老人及家属", "王村官", "13900002222", "0833-2345678",
                     "巡访责任人应将姓名、联系方式等基本信息书面告知巡访对象及其赡养人",
                     "至少每15天上门巡访一次，每周至少电话或视频联系2次"):
        assert expected in text
    settings.put(db, {"plan_key_home_days": 10})
    documents.print_notice_cards(db, [full_elder], target, as_of=TODAY)
    assert "至少每10天上门巡访一次" in read(target)


def test_a_notice_card_quotes_the_plan_the_overdue_rule_holds_the_elder_to(db, full_elder, tmp_path):
    """Not the tier's default plan: the elder's groups' plan (most demanding) and seed 003's 重点 rules."""
    from township_desk.models import group_plans

    plan = {"key_home_days": 7, "key_remote_per_week": 3, "general_home_days": 20, "general_remote_per_week": 1}
    group_plans.put(db, {"农村留守": plan}, group_plans.KEY_RULES)
    tier = printouts.planned_visits(db, TODAY, [full_elder])[full_elder].tier
    target = tmp_path / "card.docx"
    documents.print_notice_cards(db, [full_elder], target, as_of=TODAY)
    expected = "至少每7天上门巡访一次，每周至少电话或视频联系3次" if tier == "重点" else \
        "至少每20天上门巡访一次，每周至少电话或视频联系1次"
    assert expected in read(target)
    group_plans.put(db, {}, group_plans.KEY_RULES)
    documents.print_notice_cards(db, [full_elder], target, as_of=TODAY)
    assert expected not in read(target)


def test_overdue_list_groups_by_village(db, office, tmp_path):
    items = [
        SimpleNamespace(village="青山村", id_number="1", name="张<一>", tier="重点", visitor="王&五",
                        visitor_phone="139", kind="remote", due_date=dt.date(2026, 11, 16), days_overdue=None,
                        shortfall=2),
        SimpleNamespace(village="青山村", id_number="1", name="张<一>", tier="重点", visitor="王&五",
                        visitor_phone="139", kind="home", due_date=dt.date(2026, 11, 1), days_overdue=21,
                        shortfall=None),
        SimpleNamespace(village="河口村", id_number="2", name="李二", tier="一般", visitor=None,
                        visitor_phone=None, kind="home", due_date="2026-10-20", days_overdue=33, shortfall=None),
    ]
    target = tmp_path / "overdue.docx"
    assert documents.print_overdue(db, TODAY, target, items=items) == 3
    text = read(target)
    assert_clean(text)
    for expected in ("逾期巡访清单", "截至2026年11月22日", "共3项", "上门巡访逾期2人", "电话视频巡访不足1人",
                     "青山村（2项）", "河口村（1项）", "张<一>", "王&五", "逾期21天", "缺2次", "逾期33天",
                     "2026年10月20日"):
        assert expected in text, expected
    table = Document(str(target)).tables[0]
    first = [c.text for c in table.rows[2].cells]
    assert first[5] == "上门巡访"  # home visits first within a village
    # the village and the column headings are repeated on every page the table runs onto
    assert table.rows[0].cells[0].text == "青山村（2项）"
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table.rows[:2])
    assert "打印日期：2026年11月22日" in text or "打印日期：" in text
    assert "填表人（签名）：＿＿＿＿＿＿＿" in text and "孙&李" not in text  # signed by hand
    empty = tmp_path / "none.docx"
    assert documents.print_overdue(db, TODAY, empty, items=[]) == 0
    assert "截至该日没有逾期巡访" in read(empty)


def test_unknown_village_is_a_clear_error(db, office, tmp_path):
    from township_desk.models.errors import UserError

    with pytest.raises(UserError, match="没有名为“无此村”"):
        documents.print_roster(db, ["无此村"], tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


def test_cancelled_batch_writes_nothing(db, full_elder, tmp_path):
    from township_desk.models.errors import UserError

    def cancel():
        raise UserError("已取消")

    target = tmp_path / "c.docx"
    with pytest.raises(UserError):
        documents.print_notice_cards(db, [full_elder] * 3, target, check_cancelled=cancel)
    assert not target.exists()


@pytest.mark.parametrize("name", ["登记表.docx", "巡访登记表.docx", "花名册.docx", "告知卡.docx", "逾期巡访清单.docx"])
def test_templates_are_a4_with_chinese_fonts_and_whole_tags(name):
    import re

    document = Document(str(paths.forms_dir() / name))
    section = document.sections[0]
    assert sorted([round(section.page_width.cm, 1), round(section.page_height.cm, 1)]) == [21.0, 29.7]
    fonts = {r.get(qn("w:eastAsia")) for r in document.element.body.iter(qn("w:rFonts"))}
    assert fonts <= {"仿宋", "宋体"} and fonts
    for run in document.element.body.iter(qn("w:r")):
        run_text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if "{" in run_text or "}" in run_text:
            assert re.fullmatch(r"\{\{[^{}]+\}\}|\{%[^{}]+%\}", run_text), run_text


def test_to_pdf_without_office_is_a_clear_error(tmp_path, monkeypatch):
    from township_desk.models.errors import UserError
    from township_desk.printing import convert

    source = tmp_path / "a.docx"
    source.write_bytes(b"x")
    monkeypatch.setattr(convert, "find_libreoffice", lambda: None)
    monkeypatch.setattr(convert, "WINDOWS", False)
    assert not convert.pdf_available()
    with pytest.raises(UserError, match="WPS Office、Microsoft Word 或 LibreOffice"):
        convert.to_pdf(source)


def test_to_pdf_runs_libreoffice_with_its_own_profile(tmp_path, monkeypatch):
    import stat
    import sys

    from township_desk.printing import convert

    log = tmp_path / "args.txt"
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    # a stand-in soffice: records its arguments and writes <stem>.pdf into --outdir, as LibreOffice does
    fake.write_text(f"""#!{sys.executable}
import sys, pathlib
args = sys.argv[1:]
pathlib.Path({str(log)!r}).write_text("\\n".join(args), encoding="utf-8")
out = pathlib.Path(args[args.index("--outdir") + 1])
(out / (pathlib.Path(args[-1]).stem + ".pdf")).write_bytes(b"%PDF-1.4 fake")
""", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(fake.parent))
    source = tmp_path / "登记表.docx"
    source.write_bytes(b"docx")
    pdf = convert.to_pdf(source)
    assert pdf == tmp_path / "登记表.pdf" and pdf.read_bytes().startswith(b"%PDF")
    args = log.read_text(encoding="utf-8").splitlines()
    assert any(a.startswith("-env:UserInstallation=file:///") for a in args)
    assert "--headless" in args and args[args.index("--convert-to") + 1] == "pdf"


def test_print_request_and_preview_agree(db, full_elder, tmp_path):
    request = printouts.Selection(kind="notice-cards", village="青山村", as_of=TODAY)
    assert [i.label for i in kinds.preview(db, request)] == ["青山村　张德福　告知卡"]
    target = tmp_path / "r.docx"
    assert kinds.write(db, request, target) == 1
    assert "巡访责任人告知卡" in read(target)
    blank = printouts.Selection(kind="visit-form", blank=True)
    assert [i.label for i in kinds.preview(db, blank)] == ["空白巡访登记表"]
    assert kinds.write(db, blank, target) == 1
    assert "张德福" not in read(target)


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed")
def test_each_form_fills_exactly_one_page_in_libreoffice(db, full_elder, tmp_path):
    """Laid out by a real word processor: two forms are two pages, nothing spills onto a third."""
    import re

    from township_desk.printing import convert

    visit_id = add_visit(db, full_elder)
    registration, visit = tmp_path / "reg.docx", tmp_path / "visit.docx"
    documents.print_registration(db, [full_elder, None], registration, as_of=TODAY)
    documents.print_visit_forms(db, [{"visit_id": visit_id}, {}], visit)
    for source in (registration, visit):
        pdf = convert.to_pdf(source).read_bytes()
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2, source.name


def test_visit_form_of_an_elder_is_the_latest_home_visit_and_shows_the_kind(db, full_elder, tmp_path):
    home = add_visit(db, full_elder, date="2026-11-18")
    add_visit(db, full_elder, date="2026-11-21", mode="电话", gas_safety=None, heating_safety=None,
              electric_safety=None, daily_care=None)
    assert printouts.latest_home_visit_id(db, full_elder) == home
    target = tmp_path / "visit.docx"
    kinds.write(db, printouts.Selection(kind="visit-form", elder_id=full_elder), target)
    text = read(target)
    assert "2026年11月18日" in text and "2026年11月21日" not in text
    assert "巡访方式：☑上门　☐电话　☐视频" in text
    assert "☑不安全" in text  # the home visit's safety boxes, not the call's empty ones
    call = printouts.Selection(kind="visit-form", visit_id=home + 1)  # the call, asked for by its number
    kinds.write(db, call, target)
    assert "巡访方式：☐上门　☑电话　☐视频" in read(target) and "2026年11月21日" in read(target)


def test_a_photo_is_found_beside_the_database_and_a_missing_one_is_reported(db, db_path, full_elder, tmp_path):
    assert paths.photos_dir().parent != db_path.parent  # the default data folder is elsewhere
    visit_id = add_visit(db, full_elder)
    (db_path.parent / "photos" / "2026").mkdir(parents=True)
    _png(db_path.parent / "photos" / "2026" / "v1.png")
    with db.atomic():
        db["visit_photos"].insert({"visit_id": visit_id, "path": "2026/v1.png", "original_name": "照片.png"})
    problems: list[str] = []
    documents.print_visit_forms(db, [{"visit_id": visit_id}], tmp_path / "v.docx", problems=problems)
    assert list(Document(str(tmp_path / "v.docx")).element.body.iter(qn("a:blip"))) and problems == []
    (db_path.parent / "photos" / "2026" / "v1.png").unlink()
    documents.print_visit_forms(db, [{"visit_id": visit_id}], tmp_path / "w.docx", problems=problems)
    assert len(problems) == 1 and "2026/v1.png" in problems[0] and "找不到" in problems[0]


@pytest.mark.parametrize(("months", "wording"), [(6, "六个月以上"), (12, "一年以上"), (24, "两年以上")])
def test_registration_note_1_follows_the_policy_profile(db, office, tmp_path, months, wording):
    settings.put(db, {"min_absence_months": months})
    documents.print_registration(db, [None], tmp_path / "r.docx")
    assert f"从事其他生产经营活动{wording}，自己留在户籍地" in read(tmp_path / "r.docx")


def test_notice_cards_print_large_and_leave_out_elders_without_a_visitor(db, full_elder, tmp_path):
    other = elders.save_elder(db, {"name": "李桂兰", "id_number": VALID_IDS[1], "village": "青山村"}, today=TODAY)
    problems: list[str] = []
    target = tmp_path / "cards.docx"
    assert documents.print_notice_cards(db, [full_elder, other.elder_id], target, problems=problems) == 1
    assert problems == ["青山村　李桂兰：还没有巡访责任人，未打印告知卡"]
    document = Document(str(target))
    sizes = {run.font.size.pt for p in document.tables[0].rows[0].cells[0].paragraphs for run in p.runs}
    assert min(sizes) >= 12
    with pytest.raises(documents.UserError, match="都还没有巡访责任人"):
        documents.print_notice_cards(db, [other.elder_id], tmp_path / "none.docx")
    assert not (tmp_path / "none.docx").exists()


def test_roster_keeps_ids_and_phones_on_one_line_and_signatures_empty(db, full_elder, tmp_path):
    target = tmp_path / "roster.docx"
    documents.print_roster(db, ["青山村"], target, full_ids=True, as_of=TODAY)
    table = Document(str(target)).tables[0]
    headings = [c.text for c in table.rows[0].cells]
    data = table.rows[1].cells
    for heading in ("身份证号码", "联系电话", "责任人电话"):
        cell = data[headings.index(heading)]
        assert cell._tc.tcPr.find(qn("w:noWrap")) is not None, heading
    assert data[headings.index("身份证号码")].text == VALID_IDS[0]
    text = read(target)
    assert "填表人（签名）：＿＿＿＿＿＿＿" in text and "赵书记" not in text and "孙&李" not in text


def _with_font(source, target, family: str) -> None:
    """The document with every run's and style's font replaced: what a PC substituting 宋体/仿宋 lays out."""
    import re
    import zipfile

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename in ("word/document.xml", "word/styles.xml"):
                data = re.sub(rb'(w:(?:ascii|hAnsi|eastAsia|cs)=")[^"]*"', rb'\g<1>' + family.encode() + b'"', data)
            new.writestr(item, data)


@LIBREOFFICE
@pytest.mark.parametrize("font", [None, "Noto Serif CJK SC"])
def test_registration_is_one_page_per_elder_also_with_a_serif_font(db, full_elder, tmp_path, font):
    from township_desk.printing import convert

    ids = [full_elder, None, full_elder]
    source = tmp_path / "reg.docx"
    documents.print_registration(db, ids, source, as_of=TODAY)
    if font:
        _with_font(source, tmp_path / "serif.docx", font)
        source = tmp_path / "serif.docx"
    pages = pdf_pages(convert.to_pdf(source))
    assert len(pages) == len(ids)
    for page in pages:
        assert "农村留守老年人基本情况登记表" in page and "5.身体情况" in page.replace(" ", "")
        assert VALID_IDS[0] in page or "身份证号码" in page  # the ID is not broken across lines


@LIBREOFFICE
def test_overdue_list_keeps_phones_and_dates_whole(db, office, tmp_path):
    from township_desk.printing import convert

    items = [SimpleNamespace(village="青山村", id_number=str(n), name=f"张{n}", tier="重点", visitor="王五",
                             visitor_phone="18329364293", kind="home", due_date=dt.date(2026, 11, 29),
                             days_overdue=120, shortfall=None) for n in range(60)]
    target = tmp_path / "overdue.docx"
    documents.print_overdue(db, TODAY, target, items=items)
    pages = [page.replace(" ", "") for page in pdf_pages(convert.to_pdf(target))]
    assert len(pages) >= 2
    for page in pages:
        assert "青山村（60项）" in page  # the village heads every page its table runs onto
    text = "".join(pages)
    assert text.count("18329364293") == 60 and text.count("2026年11月29日") == 60


def test_a_batch_is_streamed_in_pieces_in_order_one_per_page(db, office, tmp_path, monkeypatch):
    from township_desk.printing import docx_stream

    monkeypatch.setattr(docx_stream, "CHUNK", 4)  # 10 forms: pieces of 4, 4 and 2 joined
    given = "一二三四五六七八九十"
    ids = [elders.save_elder(db, {"name": f"王{given[n]}", "id_number": make_id("19500101", 2 * n + 1),
                                  "village": "青山村", "needs": f"送餐&<{n}>"}, today=TODAY).elder_id
           for n in range(10)]
    steps = []
    target = tmp_path / "batch.docx"
    assert documents.print_registration(db, ids, target, progress=lambda d, t: steps.append((d, t))) == 10
    assert steps[-1] == (10, 10)
    assert page_breaks(target) == 9
    names = [c for c in cell_texts(target) if c.startswith("王")]
    assert names == [f"王{given[n]}" for n in range(10)]  # in order
    assert [c for c in cell_texts(target) if c.startswith("送餐")] == [f"送餐&<{n}>" for n in range(10)]
    visit = tmp_path / "visit.docx"
    assert documents.print_visit_forms(db, [{"elder_id": i} for i in ids] + [{}], visit) == 11
    assert page_breaks(visit) == 10 and read(visit).count("巡　访　内　容") == 11

    def cancel():
        raise RuntimeError("取消")

    with pytest.raises(RuntimeError):
        documents.print_registration(db, ids, tmp_path / "cancelled.docx", check_cancelled=cancel)
    assert not (tmp_path / "cancelled.docx").exists()


@LIBREOFFICE
def test_visit_date_and_full_ids_stay_on_one_line(db, full_elder, tmp_path):
    from township_desk.printing import convert

    visit = tmp_path / "visit.docx"
    documents.print_visit_forms(db, [{"visit_id": add_visit(db, full_elder)}], visit)
    roster = tmp_path / "roster.docx"
    documents.print_roster(db, ["青山村"], roster, full_ids=True, as_of=TODAY)
    visit_text = "".join(pdf_pages(convert.to_pdf(visit))).replace(" ", "")
    roster_text = "".join(pdf_pages(convert.to_pdf(roster))).replace(" ", "")
    assert "2026年11月20日" in visit_text and "巡访方式：☑上门☐电话☐视频" in visit_text
    assert VALID_IDS[0] in roster_text and "13900002222" in roster_text
