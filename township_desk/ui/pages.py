"""The navigation list of the main window: each page's title, where its class lives, and what it is for.

A page is a ``QWidget`` subclass constructed as ``Page(ctx: AppContext, parent=None)`` that implements ``Page``:
``SHOWS`` names the tables it shows (the window refreshes it only when an announced change touches one of them;
``"*"`` = any), ``refresh()`` reloads it, ``apply_filters(dict)`` takes the filters of
``ctx.navigate(title, **filters)``, ``can_close()`` may refuse while it holds unsaved changes. Modules are
imported when the page is first shown, so a heavy page never slows start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable


@runtime_checkable
class Page(Protocol):
    """What the main window asks of every page."""

    SHOWS: ClassVar[frozenset[str]]

    def refresh(self) -> None: ...

    def apply_filters(self, filters: dict) -> None: ...

    def can_close(self) -> bool: ...


@dataclass(frozen=True)
class PageSpec:
    title: str
    module: str
    class_name: str
    purpose: str  # one line: what the page is for (the navigation list's tooltip)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("首页", "township_desk.ui.home_page", "HomePage",
             "上门巡访覆盖率、各类对象探访率、在册和重点人数、逾期未上门、远程巡访不足、待评估、未处置隐患、即将到期协议，一键进入清单。"),
    PageSpec("台账", "township_desk.ui.ledger_page", "LedgerPage",
             "留守老年人台账：查询、筛选、新增和修改，导入 Excel 台账。"),
    PageSpec("巡访", "township_desk.ui.visits_page", "VisitsPage",
             "逾期巡访清单、登记巡访、每位老人的巡访记录、巡访责任人的工作量、节日和极端天气巡访。"),
    PageSpec("风险评估", "township_desk.ui.risk_page", "RiskPage",
             "风险等级评估（系统建议等级及依据、调整理由）、能力评估、待评估名单、统计图表。"),
    PageSpec("互助协议", "township_desk.ui.agreements_page", "AgreementsPage",
             "农村居家互助养老协议书：起草、签订、续签、解除，即将到期提醒，打印。"),
    PageSpec("打印", "township_desk.ui.print_page", "PrintPage",
             "打印登记表、巡访登记表、互助协议、花名册、告知卡、逾期巡访清单，可批量、可转 PDF。"),
    PageSpec("报表", "township_desk.ui.reports_page", "ReportsPage",
             "月度报表（汇总表及勾稽校验）导出，县级汇总多个乡镇报表。"),
    PageSpec("设置", "township_desk.ui.settings", "SettingsPage",
             "乡镇名称、认定政策、签名人员、巡访频次、村和巡访责任人、备份与恢复、操作日志。"),
)


def follow_changes(ctx, page: Page) -> None:
    """Refresh ``page`` whenever an announced change touches what it shows, for a page standing alone (a test, a
    window of its own). Inside the main window the window does this, deferring it for pages not shown, so a page
    never listens to ``ctx`` itself: one path, one refresh per change."""
    from shiboken6 import isValid

    def changed(changes) -> None:
        if isValid(page) and changes.touches(page.SHOWS):
            page.refresh()

    ctx.changed.connect(changed)


def page_titles() -> list[str]:
    return [p.title for p in PAGES]
