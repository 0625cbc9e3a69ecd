"""Printed documents other than agreements: 登记表, 巡访登记表, 花名册, 告知卡, 逾期巡访清单 (domain.md).

Each kind has a ``*_context`` builder (plain dicts from the records, empty values as writing lines) and a
``print_*`` function writing one .docx atomically. Every template renders a list, one document per page,
so a batch of a whole village is one render. Values print as typed (docx_render renders with autoescape).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from township_desk.models import elders as elders_model
from township_desk.models import idnumber, paths, schedule, settings
from township_desk.models import villages as villages_model
from township_desk.models import visitors as visitors_model
from township_desk.models.dates import age_on
from township_desk.models.errors import UserError
from township_desk.models.files import confined_path
from township_desk.printing import docx_render

SHORT_BLANK = "＿＿＿"  # blanks inside （ ） on the registration form are short on the paper form
CELL_BLANK = "＿＿"  # an empty cell of a roster or list table: a line that fits the narrowest column
KINDS = {
    "registration": "登记表",
    "visit-form": "巡访登记表",
    "agreement": "互助养老协议书",
    "roster": "花名册",
    "notice-cards": "告知卡",
    "overdue": "逾期巡访清单",
}
ON_LEDGER = ("在册", "暂离")  # who a village's batch covers: people the office still looks after

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], None] | None


def _boxes(options: Sequence[str], chosen: Iterable[str] | str | None) -> list[str]:
    picked = {chosen} if isinstance(chosen, str) else set(chosen or ())
    return [docx_render.box(option in picked) for option in options]


def _date_text(value: str | dt.date | None) -> str | None:
    if not value:
        return None
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return docx_render.text(day)


def _number(value: Any) -> str | None:
    if value in (None, ""):
        return None
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _office(db) -> dict[str, Any]:
    values = settings.get_all(db)
    return {"township": values.get("township_name") or None, "office_phone": values.get("office_phone") or None,
            "unit_head": values.get("unit_head") or None, "reviewer": values.get("reviewer") or None,
            "preparer": values.get("preparer") or None, "settings": values}


def _step(progress: Progress, check_cancelled: Cancel, done: int, total: int) -> None:
    if check_cancelled:
        check_cancelled()
    if progress:
        progress(done, total)


# ---------------------------------------------------------------- who: elders by ID number or village


def elder_by_id_number(db, id_number: str) -> dict:
    """The elder with this ID number (as the clerk typed it); a Chinese UserError naming it when absent."""
    found = elders_model.find_by_id_number(db, id_number)
    if not found:
        raise UserError(f"台账中没有身份证号码为“{id_number}”的老人")
    return found


def village_elder_ids(db, village: str) -> list[int]:
    """Elders of a village still looked after (在册, 暂离), in ledger order; UserError for an unknown village."""
    villages_model.require(db, village)
    rows = elders_model.list_elders(db, elders_model.ElderQuery(village=village), order_by="village")
    return [r["id"] for r in rows if r["status"] in ON_LEDGER]


def all_elder_ids(db) -> list[int]:
    rows = elders_model.list_elders(db, elders_model.ElderQuery(), order_by="village")
    return [r["id"] for r in rows if r["status"] in ON_LEDGER]


# ---------------------------------------------------------------- 登记表


_REGISTRATION_TEXT = ("name", "birth_date", "ethnicity", "id_number", "household_address", "current_address",
                      "disability", "illness_type", "needs", "difficulties")


def registration_context(db, elder_id: int | None, as_of: dt.date | None = None, office: dict | None = None) -> dict:
    """One 登记表: every field of seed 002 attachment 1 from the record; ``elder_id=None`` is a blank form."""
    as_of = as_of or dt.date.today()
    office = office or _office(db)
    # the three signature lines are left empty for the pen: no typed names are filled in
    base = {"unit": office["township"], "age_as_of": docx_render.text(as_of),
            "absence": absence_text(office["settings"].get("min_absence_months"))}
    if elder_id is None:
        base.update(dict.fromkeys(_REGISTRATION_TEXT))
        base.update({"fill_date": None, "health": _boxes(("健康", "残疾", "患病"), None),
                     "education": _boxes(elders_model.EDUCATION, None), "spouse": _boxes(elders_model.SPOUSE, None),
                     "income": _boxes(elders_model.INCOME, None), "care": _boxes(elders_model.CARE, None),
                     "children_count": SHORT_BLANK, "children_birth_years": SHORT_BLANK, "away_years": SHORT_BLANK,
                     "last_visit_year": SHORT_BLANK, "last_visit_month": SHORT_BLANK, "reunions": SHORT_BLANK,
                     "reunion_days": SHORT_BLANK, "age_as_of": SHORT_BLANK + "年" + SHORT_BLANK + "月"
                     + SHORT_BLANK + "日"})
        return docx_render.prepare(base)
    elder = elders_model.get_elder(db, elder_id)
    health = [k for k, flag in (("残疾", elder["is_disabled"]), ("患病", elder["is_ill"])) if flag] or ["健康"]
    disability = " ".join(x for x in (elder.get("disability_category"), elder.get("disability_grade")) if x)
    years = (elder.get("children_birth_years") or "").replace(",", "、").replace("，", "、")
    last = (elder.get("last_family_visit") or "").split("-")
    incomes = [x for x in (elder.get("income_sources") or "").split(",") if x]
    base.update({
        "fill_date": docx_render.text(as_of),
        "name": elder["name"], "birth_date": _date_text(elder["birth_date"]), "ethnicity": elder.get("ethnicity"),
        "id_number": elder["id_number"], "household_address": elder.get("household_address"),
        "current_address": elder.get("current_address"),
        "health": _boxes(("健康", "残疾", "患病"), health),
        "disability": disability, "illness_type": elder.get("illness_type"),
        "education": _boxes(elders_model.EDUCATION, elder.get("education")),
        "spouse": _boxes(elders_model.SPOUSE, elder.get("spouse")),
        "children_count": _number(elder.get("children_count")) or SHORT_BLANK,
        "children_birth_years": years or SHORT_BLANK,
        "away_years": _number(elders_model.years_away(elders_model.away_since_of(elder["supporters"]), as_of))
        or SHORT_BLANK,
        "last_visit_year": last[0] if last and last[0] else SHORT_BLANK,
        "last_visit_month": str(int(last[1])) if len(last) > 1 and last[1] else SHORT_BLANK,
        "reunions": _number(elder.get("reunions_per_year")) or SHORT_BLANK,
        "reunion_days": _number(elder.get("reunion_avg_days")) or SHORT_BLANK,
        "income": _boxes(elders_model.INCOME, incomes),
        "care": _boxes(elders_model.CARE, elder.get("care")),
        "needs": elder.get("needs"), "difficulties": elder.get("difficulties"),
    })
    return docx_render.prepare(base)


_CHINESE_NUMBERS = "零一二三四五六七八九十"


def absence_text(months: Any) -> str:
    """How long supporters must have been away, as note 1 of the 登记表 says it under the policy profile in use
    (settings ``min_absence_months``): 12 → 一年, 24 → 两年, 6 → 六个月, 18 → 十八个月."""
    try:
        number = int(months)
    except (TypeError, ValueError):
        number = 12
    if number % 12 == 0 and 0 < number // 12 <= 10:
        years = number // 12
        return ("两" if years == 2 else _CHINESE_NUMBERS[years]) + "年"
    if 0 < number <= 10:
        return _CHINESE_NUMBERS[number] + "个月"
    if 10 < number < 20:
        return "十" + _CHINESE_NUMBERS[number - 10] + "个月"
    return f"{number}个月"


def print_registration(db, elder_ids: Sequence[int | None], target: str | Path, *, as_of: dt.date | None = None,
                       progress: Progress = None, check_cancelled: Cancel = None) -> int:
    """登记表 for each elder (``None`` = a blank form), one per page, in one .docx. Returns the page count.
    Streamed (docx_stream): a whole township's batch takes about the memory of one form."""
    from township_desk.printing import docx_stream

    ids = list(elder_ids)
    if not ids:
        raise UserError("没有要打印的老人")
    office = _office(db)
    contexts = (registration_context(db, elder_id, as_of, office) for elder_id in ids)
    return docx_stream.stream_batch("登记表.docx", contexts, target, progress=progress, total=len(ids),
                                    check_cancelled=check_cancelled)


# ---------------------------------------------------------------- 巡访登记表

GRADES = ("优", "良", "中", "差")
_VISIT_ITEMS = {
    "expression": GRADES, "mobility": GRADES, "illness": GRADES, "mood": GRADES, "thinking": GRADES,
    "stress": GRADES, "gas_safety": ("安全", "不安全"), "heating_safety": ("安全", "不安全"),
    "electric_safety": ("安全", "不安全"), "daily_care": ("有人照料", "无人照料"),
    "comfort_need": ("有需求", "无需求"), "rights_need": ("有需求", "无需求"), "guardianship_need": ("有需求", "无需求"),
}


def latest_visit_id(db, elder_id: int) -> int | None:
    """The elder's most recent home visit (上门): the form's safety and care boxes are filled on a home visit, a
    phone call leaves them empty. A voided visit is never printed (``live_visits``)."""
    row = db.execute("SELECT id FROM live_visits WHERE elder_id = ? AND mode = '上门' ORDER BY date DESC, id DESC"
                     " LIMIT 1", [elder_id]).fetchone()
    return row[0] if row else None


def photos_folder(db) -> Path:
    """The photos/ folder of the data folder holding this database (``--db``'s, not the default one)."""
    row = db.execute("PRAGMA database_list").fetchone()
    if row and row[2]:
        return Path(row[2]).resolve().parent / "photos"
    return paths.photos_dir()


def _visit_photo(db, visit_id: int, problems: list[str] | None = None) -> Path | None:
    """The visit's first photo on file inside the photos folder beside the database; a stored path leading
    outside it (a crafted backup) is never printed (``files.confined_path``). A visit with photos recorded of
    which none is on file is reported in ``problems``."""
    recorded = [r[0] for r in db.execute("SELECT path FROM visit_photos WHERE visit_id = ? ORDER BY id", [visit_id])]
    folder = photos_folder(db)
    # beside the database first; then the data folder the program stores new photos in, when that is elsewhere
    for place in dict.fromkeys((folder, paths.photos_dir())):
        for relative in recorded:
            try:
                path = confined_path(relative, place, what="照片")
            except UserError:
                continue
            if path.is_file():
                return path
    if recorded and problems is not None:
        problems.append(f"第 {visit_id} 号巡访记录的照片（{recorded[0]}）在 {folder} 中找不到，打印时未附照片")
    return None


def _refuse_voided_visit(db, visit_id: int) -> None:
    row = db.execute("SELECT date, mode, voided_at, void_reason FROM visits WHERE id = ?", [visit_id]).fetchone()
    if row is None:
        raise UserError(f"找不到编号为 {visit_id} 的巡访记录")
    if row[2]:
        raise UserError(f"第 {visit_id} 号巡访记录（{row[0]} {row[1]}）已作废（{row[3]}），不打印")


VISIT_MODES = ("上门", "电话", "视频")


def visit_form_context(db, *, visit_id: int | None = None, elder_id: int | None = None,
                       office: dict | None = None, problems: list[str] | None = None) -> dict:
    """One 巡访登记表. From a visit record (every box ticked as recorded, the first photo on file in
    ``photo_path``), or blank to take along: with ``elder_id`` the person's name, sex, address, type and
    visitor are filled in and every box is ☐; with neither, a wholly blank form."""
    office = office or _office(db)
    visit: dict[str, Any] = {}
    if visit_id is not None:
        _refuse_voided_visit(db, visit_id)
        rows = list(db.query("SELECT * FROM visits WHERE id = ?", [visit_id]))
        visit = rows[0]
        elder_id = visit["elder_id"]
    # every writable value starts empty, printed as a line to write on
    # the 巡访人员签名 line is left empty for the pen
    context: dict[str, Any] = {"unit": office["township"], "name": None, "sex": None, "date": None,
                               "visitor": None, "address": None, "mode": _boxes(VISIT_MODES, visit.get("mode"))}
    if elder_id is not None:
        elder = elders_model.get_elder(db, elder_id)
        address = elder.get("current_address") or elder.get("household_address")
        context.update({"name": elder["name"], "sex": elder["sex"], "address": address,
                        "visitor": elder.get("visitor")})
        visit_type = visit.get("visit_type") or ("重点" if elder["tier"] == "重点" else "普遍")
        # a form to take along has the type ticked in advance from the elder's tier
        context["type"] = _boxes(("重点", "普遍"), visit_type)
    else:
        context["type"] = _boxes(("重点", "普遍"), None)
    if visit:
        if visit.get("visitor_name"):
            context["visitor"] = visit["visitor_name"]
        context["date"] = _date_text(visit["date"])
        context["notes"] = visit.get("notes")
    else:
        context["notes"] = ""  # the 其他情况说明 box is the writing area
    for key, options in _VISIT_ITEMS.items():
        context[key] = _boxes(options, visit.get(key))
    prepared = docx_render.prepare(context)
    photo = _visit_photo(db, visit_id, problems) if visit_id is not None else None
    prepared["photo_path"] = str(photo) if photo else None
    prepared["photo"] = ""  # replaced by the picture at render time; an empty paste area otherwise
    return prepared


def print_visit_forms(db, forms: Sequence[dict[str, int | None]], target: str | Path, *,
                      progress: Progress = None, check_cancelled: Cancel = None,
                      problems: list[str] | None = None) -> int:
    """巡访登记表, one per page. Each item is ``{"visit_id": …}``, ``{"elder_id": …}`` (blank, pre-filled)
    or ``{}`` (wholly blank). A photo on file is placed in 巡访照片粘贴处."""
    from township_desk.printing import docx_stream

    items = list(forms)
    if not items:
        raise UserError("没有要打印的巡访登记表")
    office = _office(db)
    contexts = (visit_form_context(db, visit_id=item.get("visit_id"), elder_id=item.get("elder_id"),
                                   office=office, problems=problems) for item in items)

    def picture(tpl, doc: dict) -> dict:
        from docx.shared import Mm
        from docxtpl import InlineImage

        if doc.get("photo_path"):
            doc["photo"] = InlineImage(tpl, doc["photo_path"], height=Mm(55))
        return doc

    return docx_stream.stream_batch("巡访登记表.docx", contexts, target, prepare=picture, progress=progress,
                                    total=len(items), check_cancelled=check_cancelled)


# ---------------------------------------------------------------- 花名册


def roster_context(db, village: str, *, full_ids: bool = False, as_of: dt.date | None = None,
                   office: dict | None = None, group: str | None = None) -> dict:
    """One village's roster: elders still looked after, with tier, visitor and visitor phone; ID numbers
    masked (idnumber.mask) unless ``full_ids``. ``group``: only that 巡访对象类别's members on ``as_of``, the
    title naming the group."""
    as_of = as_of or dt.date.today()
    office = office or _office(db)
    villages_model.require(db, village)
    query = elders_model.ElderQuery(village=village, group=group, as_of=as_of)
    rows = [r for r in elders_model.list_elders(db, query, order_by="village") if r["status"] in ON_LEDGER]
    printed = []
    for number, r in enumerate(rows, start=1):
        printed.append({
            "number": number, "name": r["name"], "sex": r["sex"], "age": age_on(r["birth_date"], as_of),
            "id_number": r["id_number"] if full_ids else idnumber.mask(r["id_number"]),
            "group": r.get("group_name"), "address": r.get("address"), "phone": r.get("phone"),
            "risk_grade": r.get("risk_grade"), "tier": r["tier"] + ("（暂离）" if r["status"] == "暂离" else ""),
            "visitor": r.get("visitor"), "visitor_phone": r.get("visitor_phone"),
        })
    title = f"{office['township'] or ''}{village}{group + '老人' if group else '农村留守老年人'}花名册"
    printed = [docx_render.prepare(row, CELL_BLANK) for row in printed]
    return docx_render.prepare({"title": title, "unit": office["township"], "village": village, "count": len(rows),
                                "printed_on": docx_render.text(as_of), "rows": printed})


def all_villages(db) -> list[str]:
    return villages_model.names_in_order(db)


def print_roster(db, villages: Sequence[str], target: str | Path, *, full_ids: bool = False,
                 as_of: dt.date | None = None, progress: Progress = None, check_cancelled: Cancel = None,
                 group: str | None = None) -> int:
    """花名册 of each village, each starting on a new page (landscape, header repeated). Returns people printed."""
    names = list(villages)
    if not names:
        raise UserError("没有要打印花名册的村（社区）")
    office = _office(db)
    sheets = []
    for number, village in enumerate(names, start=1):
        sheets.append(roster_context(db, village, full_ids=full_ids, as_of=as_of, office=office, group=group))
        _step(progress, check_cancelled, number, len(names))
    docx_render.render_document("花名册.docx", {"villages": sheets}, target)
    return sum(s["count"] for s in sheets)


# ---------------------------------------------------------------- 告知卡


def visit_frequency(values: dict[str, Any], tier: str) -> str:
    """How often the tier is visited, from the visit plan in settings."""
    prefix = "plan_key" if tier == "重点" else "plan_general"
    days, calls = values[f"{prefix}_home_days"], values[f"{prefix}_remote_per_week"]
    kind = "重点巡访对象" if tier == "重点" else "一般巡访对象"
    return f"您是{kind}，巡访责任人至少每{days}天上门巡访一次，每周至少电话或视频联系{calls}次。"


def notice_card_context(db, elder_id: int, as_of: dt.date | None = None, office: dict | None = None) -> dict:
    """One 巡访责任人告知卡: the elder, the visitor's name, kind (第三方机构 with its name) and phone, the office
    phone, the visit frequency."""
    office = office or _office(db)
    elder = elders_model.get_elder(db, elder_id)
    return docx_render.prepare({
        "elder": elder["name"], "village": elder["village"], "visitor": elder.get("visitor"),
        "visitor_kind": visitors_model.kind_of(db, elder.get("visitor_id")),
        "visitor_phone": elder.get("visitor_phone"), "township": office["township"],
        "office_phone": office["office_phone"], "frequency": visit_frequency(office["settings"], elder["tier"]),
        "date": docx_render.text(as_of or dt.date.today()),
    })


def print_notice_cards(db, elder_ids: Sequence[int], target: str | Path, *, as_of: dt.date | None = None,
                       progress: Progress = None, check_cancelled: Cancel = None,
                       problems: list[str] | None = None) -> int:
    """告知卡 for each elder, two to a page with dashed lines to cut along. Returns the card count.

    A card tells the elder who visits them: an elder with no visitor gets none (it would read "您的巡访责任人是
    ＿＿＿"); each is named in ``problems``, and when no one has a visitor nothing is written (UserError)."""
    ids = list(elder_ids)
    if not ids:
        raise UserError("没有要打印告知卡的老人")
    office = _office(db)
    cards, skipped = [], []
    for number, elder_id in enumerate(ids, start=1):
        card = notice_card_context(db, elder_id, as_of, office)
        if card["visitor"] == docx_render.BLANK:
            skipped.append(f"{card['village']}　{card['elder']}：还没有巡访责任人，未打印告知卡")
        else:
            cards.append(card)
        _step(progress, check_cancelled, number, len(ids))
    if problems is not None:
        problems.extend(skipped)
    if not cards:
        raise UserError("所选老人都还没有巡访责任人，没有可打印的告知卡：" + "；".join(skipped[:5]))
    docx_render.render_document("告知卡.docx", {"cards": cards}, target)
    return len(cards)


# ---------------------------------------------------------------- 逾期巡访清单


def overdue_context(items: Iterable[Any], as_of: dt.date, office: dict[str, Any]) -> dict:
    """The overdue list grouped by village (in the order the items come), home visits before remote.

    Each item reads like schedule.OverdueItem: village, id_number, name, tier, visitor, visitor_phone,
    kind ("home"|"remote"), due_date, days_overdue, shortfall."""
    groups: dict[str, list[dict]] = {}
    homes, remotes = set(), set()
    for item in items:
        rows = groups.setdefault(item.village, [])
        home = item.kind == "home"
        (homes if home else remotes).add((item.village, item.name, getattr(item, "id_number", None)))
        amount = f"逾期{item.days_overdue}天" if home else f"缺{item.shortfall}次"
        rows.append({"name": item.name, "tier": item.tier, "visitor": item.visitor,
                     "visitor_phone": item.visitor_phone, "kind": "上门巡访" if home else "电话视频巡访",
                     "due_date": _date_text(item.due_date), "amount": amount, "_home": home})
    printed = []
    for village, rows in groups.items():
        rows.sort(key=lambda r: not r.pop("_home"))
        rows[:] = [docx_render.prepare(row, CELL_BLANK) for row in rows]
        for number, row in enumerate(rows, start=1):
            row["number"] = number
        printed.append({"village": village, "count": len(rows), "rows": rows})
    total = sum(g["count"] for g in printed)
    return docx_render.prepare({
        "township": office["township"], "as_of": docx_render.text(as_of), "total": total,
        "home_count": len(homes), "remote_count": len(remotes), "groups": printed,
        "empty_note": "截至该日没有逾期巡访。" if not total else "请各村（社区）巡访责任人尽快补访，补访后在系统中登记。",
        "printed_on": docx_render.text(dt.date.today()), "preparer": office["preparer"],
    })


def print_overdue(db, as_of: dt.date, target: str | Path, *, village: str | None = None,
                  items: Iterable[Any] | None = None, group: str | None = None) -> int:
    """The overdue list as of ``as_of`` (schedule.overdue, the one overdue rule), by village; ``group``: of that
    巡访对象类别's members. Returns item count."""
    if village:
        villages_model.require(db, village)
    if items is None:
        items = schedule.overdue(db, as_of, village=village, group=group)
    context = overdue_context(items, as_of, _office(db))
    docx_render.render_document("逾期巡访清单.docx", context, target)
    return context["total"]


# ---------------------------------------------------------------- one request, as the 打印 page makes it


@dataclass
class PrintRequest:
    """What to print: the kind (KINDS key) and who. ``elder_id`` wins over ``village``; no village = all."""

    kind: str
    elder_id: int | None = None
    village: str | None = None
    agreement_ids: tuple[int, ...] = ()
    visit_id: int | None = None  # 巡访登记表 of this visit record
    blank: bool = False
    full_ids: bool = False
    as_of: dt.date | None = None
    group: str | None = None  # a 巡访对象类别: by village (or all), only its members on ``as_of``


def _in_group(db, request: PrintRequest, ids: list[int]) -> list[int]:
    """``ids`` kept in order, only the members of the request's group (``models.groups``) on its day."""
    if request.group is None:
        return ids
    from township_desk.models import groups

    members = set(groups.members(db, request.group, request.as_of))
    return [i for i in ids if i in members]


def _elders_for(db, request: PrintRequest) -> list[int]:
    if request.elder_id is not None:
        return [request.elder_id]
    if request.village:
        return _in_group(db, request, village_elder_ids(db, request.village))
    return _in_group(db, request, all_elder_ids(db))


def _names(db, ids: Sequence[int]) -> dict[int, str]:
    labels = {}
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = list(ids[start:start + 500])
        marks = ",".join("?" * len(chunk))
        for row in db.execute(f"SELECT e.id, e.name, v.name FROM elders e JOIN villages v ON v.id = e.village_id"
                              f" WHERE e.id IN ({marks})", chunk):
            labels[row[0]] = f"{row[2]}　{row[1]}"
    return labels


def agreements_ending_in_month(db, day: dt.date) -> list[int]:
    """Signed agreements whose end date falls in ``day``'s month: printed together for renewal."""
    from township_desk.models import agreements

    first = day.replace(day=1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return [a["id"] for a in agreements.list_agreements(db, ending_within_days=(last - first).days, as_of=first)]


def request_pages(db, request: PrintRequest) -> list[str]:
    """What the request will print, one line per document (or per village for rosters), for the preview."""
    kind = request.kind
    if kind == "registration" and request.blank:
        return ["空白登记表"]
    if kind == "visit-form" and request.visit_id is not None:
        _refuse_voided_visit(db, request.visit_id)
        row = db.execute("SELECT e.name, v.date FROM visits v JOIN elders e ON e.id = v.elder_id WHERE v.id = ?",
                         [request.visit_id]).fetchone()
        if row is None:
            raise UserError(f"找不到编号为 {request.visit_id} 的巡访记录")
        return [f"{row[0]}　{row[1]}　巡访登记表"]
    if kind == "visit-form" and request.blank and request.elder_id is None and not request.village:
        return ["空白巡访登记表"]
    if kind in ("registration", "visit-form", "notice-cards"):
        ids = _elders_for(db, request)
        names = _names(db, ids)
        suffix = {"registration": "登记表", "visit-form": "巡访登记表", "notice-cards": "告知卡"}[kind]
        return [f"{names[i]}　{suffix}" for i in ids]
    if kind == "roster":
        villages = [request.village] if request.village else all_villages(db)
        return [f"{v}　{request.group or ''}花名册（{len(_in_group(db, request, village_elder_ids(db, v)))}人）"
                for v in villages]
    if kind == "overdue":
        return [f"逾期巡访清单（截至{docx_render.text(request.as_of or dt.date.today())}）"]
    if kind == "agreement":
        from township_desk.models import agreements

        pages = []
        for agreement_id in request.agreement_ids:
            record = agreements.get_agreement(db, agreement_id)
            pages.append(f"第{agreement_id}号　{record['village']}　{record['elder_name']}　{record['template']}")
        return pages
    raise UserError(f"未知的打印种类：{kind}")


def print_request(db, request: PrintRequest, target: str | Path, *, progress: Progress = None,
                  check_cancelled: Cancel = None, problems: list[str] | None = None) -> int:
    """Write the request's documents to ``target`` (one .docx, one per page). Returns the count printed.
    What was printed incompletely or left out (an elder without a visitor, a photo not on file) is appended
    to ``problems``."""
    kind, as_of = request.kind, request.as_of
    hooks = {"progress": progress, "check_cancelled": check_cancelled}
    if kind == "registration":
        ids = [None] if request.blank else _elders_for(db, request)
        return print_registration(db, ids, target, as_of=as_of, **hooks)
    if kind == "visit-form":
        if request.visit_id is not None:
            forms: list[dict] = [{"visit_id": request.visit_id}]
        elif request.blank and request.elder_id is None and not request.village:
            forms = [{}]
        elif request.elder_id is not None and not request.blank:
            visit_id = latest_visit_id(db, request.elder_id)
            forms = [{"visit_id": visit_id}] if visit_id else [{"elder_id": request.elder_id}]
        else:
            forms = [{"elder_id": i} for i in _elders_for(db, request)]
        return print_visit_forms(db, forms, target, problems=problems, **hooks)
    if kind == "roster":
        villages = [request.village] if request.village else all_villages(db)
        return print_roster(db, villages, target, full_ids=request.full_ids, as_of=as_of, group=request.group,
                            **hooks)
    if kind == "notice-cards":
        return print_notice_cards(db, _elders_for(db, request), target, as_of=as_of, problems=problems, **hooks)
    if kind == "overdue":
        return print_overdue(db, as_of or dt.date.today(), target, village=request.village, group=request.group)
    if kind == "agreement":
        from township_desk.printing import agreement_doc

        return agreement_doc.print_agreements(db, list(request.agreement_ids), target, **hooks)
    raise UserError(f"未知的打印种类：{kind}")
