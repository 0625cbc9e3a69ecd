"""The documents Township Desk prints, in one registry: each kind's code (the command line's KIND), its Chinese
label and description, the options that apply to it, the models function that gathers what it prints and the
writer. The command line (``commands/print_cmd``), the 打印 page (``ui/print_page``) and the smoke tour
(``ui/smoke``) all read ``KINDS``: adding a document is one entry here.

``preview(db, selection)`` is what the 打印 page lists; ``write(db, selection, target)`` prints exactly that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from township_desk.models import printouts
from township_desk.models.errors import UserError
from township_desk.models.printouts import PrintItem, Selection

# Every option a kind may take: its Chinese name (the 打印 page's control says the same).
OPTIONS = {
    "elder": "老人",            # one elder (--elder), or several ticked on the page
    "village": "村（社区）",     # --village; on the page also narrows the elder and agreement lists
    "agreements": "互助协议",    # --agreement N; on the page a list to tick
    "visit": "巡访记录编号",     # --visit N (command line)
    "blank": "空白表",           # --blank
    "full_ids": "完整身份证号码",  # --full-ids
    "as_of": "截至日期",         # --as-of
    "copies": "一式四份",        # --copies 4
    "group": "对象类别",         # --group G: of a village (or all), only that 巡访对象类别's members on the day
}

Writer = Callable[..., int]  # (db, items, selection, target, *, progress, check_cancelled, problems) -> count


@dataclass(frozen=True)
class DocumentKind:
    """One printed document. ``gather(db, selection)`` (a ``models.printouts`` function) lists what will print;
    ``write(db, items, selection, target, progress=, check_cancelled=, problems=)`` prints those items into one
    .docx and returns the count. ``templates`` are its forms/ files. ``unit`` counts the result (份, 人, 项); ``empty_ok`` lets an empty list print
    (an overdue list saying there is nothing overdue). A kind that takes no 对象类别 says why in ``no_group``."""

    code: str
    label: str
    description: str
    options: frozenset[str]
    gather: Callable[[Any, Selection], list[PrintItem]]
    write: Writer
    templates: tuple[str, ...] = ()  # its Word templates in forms/ (the smoke run checks the bundle has them)
    unit: str = "份"
    empty_ok: bool = False
    no_group: str = ""  # why a kind without the "group" option cannot take one (the 打印 page says it)

    def __post_init__(self) -> None:
        unknown = set(self.options) - set(OPTIONS)
        if unknown:
            raise ValueError(f"unknown print options {sorted(unknown)} for {self.code}")

    def uses(self, option: str) -> bool:
        return option in self.options

    def summary(self, items: Sequence[PrintItem]) -> str:
        """What the preview says: 共 278 份登记表（在册 268 人，含暂离 10 人）, or that there is nothing to print.
        暂离 elders are printed (the office still looks after them) while the status bar counts 在册 only, so
        the difference is said whenever there is one."""
        if not items and not self.empty_ok:
            return "没有可打印的内容，请先选择"
        if self.unit == "人":
            people = sum(i.people for i in items)
            head = f"{len(items)} 个村（社区）的{self.label}，共 {people} 人"
        else:
            head = f"共 {len(items)} {self.unit}{self.label}"
        leave = sum(i.on_leave for i in items)
        if leave:
            people = sum(i.people for i in items)
            head += f"（在册 {people - leave} 人，含暂离 {leave} 人）"
        return head


def _hooks(kw: dict) -> dict:
    return {k: kw.get(k) for k in ("progress", "check_cancelled")}


def _write_registration(db, items, selection, target, **kw) -> int:
    from township_desk.printing import documents

    return documents.print_registration(db, [i.elder_id for i in items], target, as_of=selection.as_of,
                                        group=selection.group, **_hooks(kw))


def _write_visit_forms(db, items, selection, target, **kw) -> int:
    from township_desk.printing import documents

    forms = [{"visit_id": i.visit_id} if i.visit_id is not None else
             ({"elder_id": i.elder_id} if i.elder_id is not None else {}) for i in items]
    return documents.print_visit_forms(db, forms, target, group=selection.group, problems=kw.get("problems"),
                                       **_hooks(kw))


def _write_notice_cards(db, items, selection, target, **kw) -> int:
    from township_desk.printing import documents

    return documents.print_notice_cards(db, [i.elder_id for i in items], target, as_of=selection.as_of,
                                        problems=kw.get("problems"), **_hooks(kw))


def _write_roster(db, items, selection, target, **kw) -> int:
    from township_desk.printing import documents

    return documents.print_roster(db, [i.village for i in items], target, full_ids=selection.full_ids,
                                  as_of=selection.as_of, group=selection.group, **_hooks(kw))


def _write_overdue(db, items, selection, target, **kw) -> int:
    from township_desk.printing import documents

    return documents.print_overdue(db, selection.day, target, village=selection.village,
                                   items=[i.payload for i in items])


def _write_agreements(db, items, selection, target, **kw) -> int:
    from township_desk.printing import agreement_doc

    return agreement_doc.print_agreements(db, [i.agreement_id for i in items], target, copies=selection.copies,
                                          **_hooks(kw))


KINDS: dict[str, DocumentKind] = {kind.code: kind for kind in (
    DocumentKind("registration", "登记表", "老年人基本情况登记表，每人一页，标题按老人所属类别（农村留守老人用原表）；"
                 "可打印空白表供手写。",
                 frozenset({"elder", "village", "blank", "as_of", "group"}), printouts.registration_items,
                 _write_registration, ("登记表.docx",)),
    DocumentKind("visit-form", "巡访登记表", "每人一页：某次巡访的记录，或预先填好姓名的空白表带去巡访；"
                 "非农村留守老人的表注明巡访对象类别。",
                 frozenset({"elder", "village", "visit", "blank", "group"}), printouts.visit_form_items,
                 _write_visit_forms, ("巡访登记表.docx",)),
    DocumentKind("agreement", "互助养老协议书", "农村居家互助养老协议书（自理／介助介护），每份一页起；可一式四份。",
                 frozenset({"elder", "village", "agreements", "as_of", "copies"}), printouts.agreement_items,
                 _write_agreements, ("互助养老协议书_自理.docx", "互助养老协议书_介助介护.docx"),
                 no_group="互助养老协议按协议逐份勾选，不按对象类别挑选"),
    DocumentKind("roster", "花名册", "按村（社区）的花名册：选一类巡访对象（如农村留守）只列该类老人，"
                 "不选列出全部巡访对象并注明类别；横向，每页重复表头。",
                 frozenset({"village", "full_ids", "as_of", "group"}), printouts.roster_items, _write_roster,
                 ("花名册.docx",), unit="人"),
    DocumentKind("notice-cards", "告知卡", "巡访责任人告知卡：巡访责任人及电话、巡访频次，每页两张，沿虚线剪开。",
                 frozenset({"elder", "village", "as_of", "group"}), printouts.notice_card_items, _write_notice_cards,
                 ("告知卡.docx",)),
    DocumentKind("overdue", "逾期巡访清单", "截至某日逾期未上门巡访和电话视频巡访不足的老人，按村列出。",
                 frozenset({"village", "as_of", "group"}), printouts.overdue_items, _write_overdue,
                 ("逾期巡访清单.docx",), unit="项", empty_ok=True),
)}


def kind(code: str) -> DocumentKind:
    """The registered kind; a Chinese UserError for an unknown code."""
    try:
        return KINDS[code]
    except KeyError:
        raise UserError(f"未知的打印种类：{code}（可用：{'、'.join(KINDS)}）") from None


def preview(db, selection: Selection) -> list[PrintItem]:
    """What ``write`` will print for this selection, one item per document (per village for rosters)."""
    return kind(selection.kind).gather(db, selection)


def write(db, selection: Selection, target: str | Path, *, items: list[PrintItem] | None = None,
          progress: Callable[[int, int], None] | None = None, check_cancelled: Callable[[], None] | None = None,
          problems: list[str] | None = None) -> int:
    """Print the selection (or the ``items`` already gathered for it) into one .docx; returns the count printed.
    What was printed incompletely or left out (an elder without a visitor, a photo not on file) is appended to
    ``problems``. Nothing to print → UserError, nothing written (except an ``empty_ok`` kind)."""
    chosen = kind(selection.kind)
    items = chosen.gather(db, selection) if items is None else items
    if not items and not chosen.empty_ok:
        raise UserError("没有符合条件的内容，未生成文件")
    return chosen.write(db, items, selection, target, progress=progress, check_cancelled=check_cancelled,
                        problems=problems)
