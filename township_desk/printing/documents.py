"""Printed documents other than agreements: 登记表, 巡访登记表, 花名册, 告知卡, 逾期巡访清单 (domain.md).

Each kind has a ``*_context`` builder (plain dicts from the records, empty values as writing lines) and a
``print_*`` function writing one .docx atomically. Every template renders a list, one document per page,
so a batch of a whole village is one render. Values print as typed (docx_render renders with autoescape).
Records come from ``models`` (``models.printouts`` for who a batch covers and the visit a form shows): nothing
here queries the database. Which kinds exist, and how the 打印 page and the command line choose them, is
``printing.kinds``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from township_desk.models import elders as elders_model
from township_desk.models import group_plans, groups, idnumber, paths, printouts, schedule, settings, visits
from township_desk.models import visitors as visitors_model
from township_desk.models.dates import age_on
from township_desk.models.errors import UserError
from township_desk.models.files import confined_path
from township_desk.printing import docx_render

SHORT_BLANK = "＿＿＿"  # blanks inside （ ） on the registration form are short on the paper form
CELL_BLANK = "＿＿"  # an empty cell of a roster or list table: a line that fits the narrowest column
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
            "preparer": values.get("preparer") or None, "settings": values,
            "plans": schedule.plans(db)}


def _step(progress: Progress, check_cancelled: Cancel, done: int, total: int) -> None:
    if check_cancelled:
        check_cancelled()
    if progress:
        progress(done, total)


# ---------------------------------------------------------------- 登记表


_REGISTRATION_TEXT = ("name", "birth_date", "ethnicity", "id_number", "household_address", "current_address",
                      "disability", "illness_type", "needs", "difficulties")


REGISTRATION_TITLE = "农村留守老年人基本情况登记表"  # seed 002 attachment 1
VISIT_FORM_TITLE = "巡访登记表"  # seed 003's attachment (《农村留守老人巡访登记表》 in its text)


def registration_title(group: str | None) -> str:
    """The 登记表's title for an elder titled ``group`` (``printouts.form_group``): the seed's own for 农村留守,
    the group's (城市独居老年人基本情况登记表) for another, a neutral one for several or none."""
    if group == groups.RURAL_LEFT_BEHIND:
        return REGISTRATION_TITLE
    return f"{group}老年人基本情况登记表" if group else "巡访对象基本情况登记表"


def visit_form_title(group: str | None) -> str:
    """The 巡访登记表's title: the seed's (巡访登记表) for 农村留守 and for several groups, else the group's
    (特殊困难老年人巡访登记表)."""
    if group is None or group == groups.RURAL_LEFT_BEHIND:
        return VISIT_FORM_TITLE
    return f"{group}老年人巡访登记表"


# Note 1 of a 登记表 for an elder outside 农村留守: the definition of the groups of seed 003's visit plan the elder
# is in, in the seed's words (its city names read as 本地/本市); the national categories (独居, 空巢, 失能, 重残)
# are named on the form's 巡访对象类别 line.
GROUP_NOTES = {
    groups.URBAN_ALONE: "城市独居老人，是指户籍在本地（或办理了本地居住证居住半年以上），子女居住在本市范围以外的60岁以上"
                        "单独生活的老人（城市特困、夫妻共同生活的老人和有保姆照顾的除外）。",
    groups.SPECIAL: "特殊困难老人，是指经济困难的重点优抚对象、计划生育特殊家庭等老人群体。",
}
OTHER_GROUPS_NOTE = ("巡访对象类别见表头“巡访对象类别”一栏，按定期巡访工作方案和《关于开展特殊困难老年人探访关爱服务的"
                     "指导意见》（独居、空巢、失能、重残、计划生育特殊家庭等）认定。")


def group_note(names) -> str:
    """Note 1 of a 登记表 outside 农村留守 for an elder in the groups ``names``."""
    notes = [GROUP_NOTES[g] for g in printouts.POLICY_GROUPS if g in names and g in GROUP_NOTES]
    return "".join(notes) or OTHER_GROUPS_NOTE


def _titled(prepared: dict, verdicts: list | None, group: str | None, title) -> dict:
    """``title`` (the form's heading) and ``groups`` (the 巡访对象类别 line, "" on a 农村留守 form, which prints
    as the seed has it) of a form for an elder with these group ``verdicts`` (None: a blank form, titled
    ``group``)."""
    if verdicts is not None:
        group = printouts.form_group([m.group for m in verdicts if m.member])
        line = "" if group == groups.RURAL_LEFT_BEHIND else printouts.groups_text(verdicts)
    else:  # a blank form: the seed's own unless a group is asked for
        group = group or groups.RURAL_LEFT_BEHIND
        line = "" if group == groups.RURAL_LEFT_BEHIND else group
    prepared["title"] = title(group)
    prepared["groups"] = line  # after prepare(): an empty line stays empty, not a line to write on
    names = [m.group for m in verdicts if m.member] if verdicts is not None else [group]
    prepared["group_note"] = docx_render.text(group_note(names))
    return prepared


def registration_context(db, elder_id: int | None, as_of: dt.date | None = None, office: dict | None = None,
                         verdicts: list | None = None, group: str | None = None) -> dict:
    """One 登记表: every field of seed 002 attachment 1 from the record; ``elder_id=None`` is a blank form
    (titled for ``group``, the seed's 农村留守 form without one). The title names the elder's 巡访对象类别 on
    ``as_of`` (``verdicts``: ``printouts.form_groups``; read here when not given): a 城市独居 elder's form is the
    城市独居老年人基本情况登记表 with a 巡访对象类别 line; a 农村留守 elder's is the seed's form as it is."""
    as_of = as_of or dt.date.today()
    office = office or _office(db)
    if elder_id is not None and verdicts is None:
        verdicts = printouts.form_groups(db, [elder_id], as_of).get(elder_id, [])
    if elder_id is None:
        verdicts = None
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
        return _titled(docx_render.prepare(base), None, group, registration_title)
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
    return _titled(docx_render.prepare(base), verdicts, None, registration_title)


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
                       group: str | None = None, progress: Progress = None, check_cancelled: Cancel = None) -> int:
    """登记表 for each elder (``None`` = a blank form, titled for ``group``), one per page, in one .docx, each
    titled for the elder's own groups on ``as_of``. Returns the page count. Streamed (docx_stream): a whole
    township's batch takes about the memory of one form."""
    from township_desk.printing import docx_stream

    ids = list(elder_ids)
    if not ids:
        raise UserError("没有要打印的老人")
    office = _office(db)
    day = as_of or dt.date.today()
    verdicts = printouts.form_groups(db, ids, day)  # one read of the batch's groups
    contexts = (registration_context(db, elder_id, day, office, verdicts.get(elder_id, []), group)
                for elder_id in ids)
    return docx_stream.stream_batch("登记表.docx", contexts, target, progress=progress, total=len(ids),
                                    check_cancelled=check_cancelled)


# ---------------------------------------------------------------- 巡访登记表

def _visit_photo(db, visit: dict, problems: list[str] | None = None) -> Path | None:
    """The visit's first photo on file inside the photos folder beside the database; a stored path leading
    outside it (a crafted backup) is never printed (``files.confined_path``). A visit with photos recorded of
    which none is on file is reported in ``problems``."""
    recorded = visit.get("photos") or []
    folder = printouts.photos_folder(db)
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
        problems.append(f"第 {visit['id']} 号巡访记录的照片（{recorded[0]}）在 {folder} 中找不到，打印时未附照片")
    return None


def visit_form_context(db, *, visit_id: int | None = None, elder_id: int | None = None,
                       office: dict | None = None, problems: list[str] | None = None,
                       group: str | None = None, day: dt.date | None = None,
                       verdicts: list | None = None) -> dict:
    """One 巡访登记表. From a visit record (every box ticked as recorded, the first photo on file in
    ``photo_path``), or blank to take along: with ``elder_id`` the person's name, sex, address, type and
    visitor are filled in and every box is ☐; with neither, a wholly blank form (titled for ``group``).
    The title names the elder's 巡访对象类别 on the visit's day (else ``day``, default today; ``verdicts``: read
    for a batch beforehand): the seed's form for a 农村留守 elder, 城市独居老年人巡访登记表 and a 巡访对象类别 line
    for another."""
    office = office or _office(db)
    visit: dict[str, Any] = {}
    if visit_id is not None:
        visit = printouts.visit_to_print(db, visit_id)
        elder_id = visit["elder_id"]
    if elder_id is not None and (verdicts is None or visit):
        on = visit["date"] if visit else (day or dt.date.today())
        verdicts = printouts.form_groups(db, [elder_id], on).get(elder_id, [])
    elif elder_id is None:
        verdicts = None
    # every writable value starts empty, printed as a line to write on
    # the 巡访人员签名 line is left empty for the pen
    context: dict[str, Any] = {"unit": office["township"], "name": None, "sex": None, "date": None,
                               "visitor": None, "address": None, "mode": _boxes(visits.MODES, visit.get("mode"))}
    if elder_id is not None:
        elder = elders_model.get_elder(db, elder_id)
        address = elder.get("current_address") or elder.get("household_address")
        context.update({"name": elder["name"], "sex": elder["sex"], "address": address,
                        "visitor": elder.get("visitor")})
        # a form to take along has the type ticked in advance from the elder's 巡访类别 today (group_plans)
        visit_type = visit.get("visit_type") or ("重点" if group_plans.visit_tier(db, elder_id) == "重点" else "普遍")
        context["type"] = _boxes(visits.VISIT_TYPES, visit_type)
    else:
        context["type"] = _boxes(visits.VISIT_TYPES, None)
    if visit:
        if visit.get("visitor_name"):
            context["visitor"] = visit["visitor_name"]
        context["date"] = _date_text(visit["date"])
        context["notes"] = visit.get("notes")
    else:
        context["notes"] = ""  # the 其他情况说明 box is the writing area
    for key, (_label, options) in visits.ITEM_CHOICES.items():  # the one copy of the form's items
        context[key] = _boxes(options, visit.get(key))
    prepared = _titled(docx_render.prepare(context), verdicts, group, visit_form_title)
    photo = _visit_photo(db, visit, problems) if visit else None
    prepared["photo_path"] = str(photo) if photo else None
    prepared["photo"] = ""  # replaced by the picture at render time; an empty paste area otherwise
    return prepared


def print_visit_forms(db, forms: Sequence[dict[str, int | None]], target: str | Path, *,
                      group: str | None = None, progress: Progress = None, check_cancelled: Cancel = None,
                      problems: list[str] | None = None) -> int:
    """巡访登记表, one per page, each titled for its elder's groups. Each item is ``{"visit_id": …}``,
    ``{"elder_id": …}`` (blank, pre-filled) or ``{}`` (wholly blank, titled for ``group``). A photo on file is
    placed in 巡访照片粘贴处."""
    from township_desk.printing import docx_stream

    items = list(forms)
    if not items:
        raise UserError("没有要打印的巡访登记表")
    office = _office(db)
    today = dt.date.today()
    # the forms to take along are titled for today's groups, read once for the batch; a visit's, for its day
    verdicts = printouts.form_groups(db, [i["elder_id"] for i in items
                                          if i.get("elder_id") is not None and i.get("visit_id") is None], today)
    contexts = (visit_form_context(db, visit_id=item.get("visit_id"), elder_id=item.get("elder_id"),
                                   office=office, problems=problems, group=group, day=today,
                                   verdicts=verdicts.get(item.get("elder_id"), [])) for item in items)

    def picture(tpl, doc: dict) -> dict:
        from docx.shared import Mm
        from docxtpl import InlineImage

        if doc.get("photo_path"):
            doc["photo"] = InlineImage(tpl, doc["photo_path"], height=Mm(55))
        return doc

    return docx_stream.stream_batch("巡访登记表.docx", contexts, target, prepare=picture, progress=progress,
                                    total=len(items), check_cancelled=check_cancelled)


# ---------------------------------------------------------------- 花名册


def roster_title(group: str | None) -> str:
    """The roster's title after the township and village: 农村留守老年人花名册 (the one it always had),
    城市独居老年人花名册 …, or for every group 巡访对象花名册 (with a 对象类别 column)."""
    return f"{group}老年人花名册" if group else "巡访对象花名册"


def roster_context(db, village: str, *, full_ids: bool = False, as_of: dt.date | None = None,
                   office: dict | None = None, group: str | None = None) -> dict:
    """One village's roster of ``group``'s members on ``as_of`` (``printouts.roster_people``), or with no group
    of every elder still looked after with their 对象类别: tier, visitor and visitor phone; ID numbers masked
    (idnumber.mask) unless ``full_ids``."""
    as_of = as_of or dt.date.today()
    office = office or _office(db)
    rows = printouts.roster_people(db, village, group, as_of)  # UserError for an unknown village; 巡访类别 on as_of
    printed = []
    for number, r in enumerate(rows, start=1):
        printed.append({
            "number": number, "name": r["name"], "sex": r["sex"], "age": age_on(r["birth_date"], as_of),
            "id_number": r["id_number"] if full_ids else idnumber.mask(r["id_number"]),
            "group": r.get("group_name"), "address": r.get("address"), "phone": r.get("phone"),
            "risk_grade": r.get("risk_grade"), "tier": r["tier"] + ("（暂离）" if r["status"] == "暂离" else ""),
            "visitor": r.get("visitor"), "visitor_phone": r.get("visitor_phone"),
            "kinds": "、".join(r.get("groups") or ()) or "未认定",
        })
    title = f"{office['township'] or ''}{village}{roster_title(group)}"
    printed = [docx_render.prepare(row, CELL_BLANK) for row in printed]
    return docx_render.prepare({"title": title, "unit": office["township"], "village": village, "count": len(rows),
                                "printed_on": docx_render.text(as_of), "rows": printed,
                                "every_group": group is None})


def print_roster(db, villages: Sequence[str], target: str | Path, *, full_ids: bool = False,
                 as_of: dt.date | None = None, group: str | None = None, progress: Progress = None,
                 check_cancelled: Cancel = None) -> int:
    """花名册 of each village (of ``group``'s members, or of everyone with a 对象类别 column), each starting on a
    new page (landscape, header repeated). Returns people printed."""
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


def visit_frequency(plan: schedule.VisitPlan | schedule.PlannedElder, tier: str) -> str:
    """How often the elder is visited: ``plan``'s home-visit interval and weekly contacts for ``tier``."""
    kind = "重点巡访对象" if tier == "重点" else "一般巡访对象"
    return (f"您是{kind}，巡访责任人至少每{plan.home_days}天上门巡访一次，"
            f"每周至少电话或视频联系{plan.remote_per_week}次。")


def notice_card_context(db, elder_id: int, as_of: dt.date | None = None, office: dict | None = None,
                        planned: dict | None = None) -> dict:
    """One 巡访责任人告知卡: the elder, the visitor's name, kind (第三方机构 with its name) and phone, the office
    phone, and how often they are visited: the plan the overdue rule holds them to (``planned``:
    ``printouts.planned_visits``, their groups' plan and the 重点 rules), else the default plan of their tier."""
    office = office or _office(db)
    as_of = as_of or dt.date.today()
    elder = elders_model.get_elder(db, elder_id)
    planned = printouts.planned_visits(db, as_of, [elder_id]) if planned is None else planned
    plan = planned.get(elder_id)
    tier = plan.tier if plan else group_plans.visit_tier(db, elder_id, as_of)
    return docx_render.prepare({
        "elder": elder["name"], "village": elder["village"], "visitor": elder.get("visitor"),
        "visitor_kind": visitors_model.kind_of(db, elder.get("visitor_id")),
        "visitor_phone": elder.get("visitor_phone"), "township": office["township"],
        "office_phone": office["office_phone"],
        "frequency": visit_frequency(plan or office["plans"][tier], tier),
        "date": docx_render.text(as_of),
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
    as_of = as_of or dt.date.today()
    planned = printouts.planned_visits(db, as_of, ids)  # one plan query for the batch
    cards, skipped = [], []
    for number, elder_id in enumerate(ids, start=1):
        card = notice_card_context(db, elder_id, as_of, office, planned)
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
    by_village: dict[str, list[dict]] = {}
    homes, remotes = set(), set()
    for item in items:
        rows = by_village.setdefault(item.village, [])
        home = item.kind == "home"
        (homes if home else remotes).add((item.village, item.name, getattr(item, "id_number", None)))
        amount = f"逾期{item.days_overdue}天" if home else f"缺{item.shortfall}次"
        rows.append({"name": item.name, "tier": item.tier, "visitor": item.visitor,
                     "visitor_phone": item.visitor_phone, "kind": "上门巡访" if home else "电话视频巡访",
                     "due_date": _date_text(item.due_date), "amount": amount, "_home": home})
    printed = []
    for village, rows in by_village.items():
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
                  items: Iterable[Any] | None = None) -> int:
    """The overdue list as of ``as_of`` (schedule.overdue, the one overdue rule), by village. Returns item count."""
    if items is None:
        items = [item.payload for item in printouts.overdue_items(
            db, printouts.Selection("overdue", village=village, as_of=as_of))]
    context = overdue_context(items, as_of, _office(db))
    docx_render.render_document("逾期巡访清单.docx", context, target)
    return context["total"]
