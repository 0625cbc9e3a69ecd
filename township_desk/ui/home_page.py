"""首页: the office's figures at a glance, the monthly visit rate first, each one click from its list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from township_desk.models import db as dbm
from township_desk.models import elders, todo
from township_desk.models.errors import UserError
from township_desk.ui import jobs
from township_desk.ui.group_rates import GroupRatesRow, rates_of_month


@dataclass
class Figure:
    key: str
    title: str
    value: str
    detail: str
    page: str               # where a click goes
    filters: dict
    level: str = "neutral"  # against its target: "ok" (met), "watch" (to follow up), "alert" (missed), "neutral"
    tip: str = ""           # how the figure is counted (tooltip, before where a click goes)


LEVEL_COLOURS = {"ok": "#2f855a", "watch": "#b7791f", "alert": "#c9302c", "neutral": "#2b6cb0"}


def _count_level(count: int, missed: bool) -> str:
    """Nothing to do is met (green); a count is either a target missed (red: overdue, short) or work to follow up
    (amber: hazards being handled, assessments and renewals coming due)."""
    if count == 0:
        return "ok"
    return "alert" if missed else "watch"


def rate_level(rate: float, today: dt.date) -> tuple[str, float]:
    """The month's visit rate against the 100 % target and the month's pace: (level, the share expected by now).

    100 % is met; at or above the share of the month's days already over (day d of N: (d-1)/N) it is on course
    (amber: still to do, not late); below it, behind (red). On the 1st, 0 % is on course, not an alarm."""
    import calendar

    days = calendar.monthrange(today.year, today.month)[1]
    expected = (today.day - 1) / days
    if rate >= 1:
        return "ok", expected
    return ("watch" if rate >= expected else "alert"), expected


def dashboard_figures(db, today: dt.date) -> list[Figure]:
    """The dashboard's figures, in the order the clerk reads them (visit rate first)."""
    from township_desk.models import agreements, hazards, rate_labels, risk, schedule, submissions

    month = f"{today.year:04d}-{today.month:02d}"
    visited, total, rate = submissions.visit_rate(db, month)  # as sent, for a month sent to the county
    on_ledger = elders.count_elders(db, elders.ElderQuery(status="在册"))
    # the 巡访类别 the visit plan follows today, as the 台账's filter the card opens reads it (group_plans)
    key_tier = elders.count_elders(db, elders.ElderQuery(status="在册", tier="重点", as_of=today))
    items = schedule.overdue(db, today)
    home = [i for i in items if i.kind == "home"]
    remote = [i for i in items if i.kind == "remote"]
    due = risk.count_due(db, today)
    open_hazards = hazards.open_hazards(db)
    ending = agreements.ending_within(db, today, 30)
    rate_state, pace = rate_level(rate, today)
    return [
        # With nobody 在册 there is no rate to speak of: a dash, not an alarming red 0.0%.
        Figure("rate", rate_labels.rate_label(rate_labels.HOME, "本月"), f"{rate * 100:.1f}%" if total else "—",
               (f"{month} 已上门 {visited} 人 / 在册 {total} 人（目标 100%，按本月进度应达 {pace * 100:.0f}%）"
                if total else f"{month} 台账中尚无在册老人"),
               "巡访", {"view": "unvisited"}, level=rate_state if total else "neutral",
               tip=rate_labels.rate_meaning(rate_labels.HOME)),
        Figure("ledger", "在册老人", str(on_ledger), "台账中状态为“在册”的老人（各类巡访对象）", "台账", {"status": "在册"}),
        Figure("key", "重点对象", str(key_tier), "巡访类别为“重点”的在册老人（含高龄、失能、独居等）", "台账", {"status": "在册", "tier": "重点"}),
        Figure("overdue", "逾期未上门", str(len(home)),
               f"最长逾期 {max((i.days_overdue or 0) for i in home)} 天" if home else "没有逾期",
               "巡访", {"view": "overdue", "kind": "home"}, level=_count_level(len(home), missed=True)),
        Figure("remote", "上周电话视频巡访不足", str(len(remote)), "按上一个完整自然周（周一至周日）计算",
               "巡访", {"view": "overdue", "kind": "remote"}, level=_count_level(len(remote), missed=True)),
        Figure("assess", "待风险评估", str(due), "从未评估或上次评估已超过365天", "风险评估", {"view": "due"},
               level=_count_level(due, missed=False)),
        Figure("hazards", "未处置风险隐患", str(len(open_hazards)), "处置完毕前一直显示在首页", "巡访",
               {"view": "hazards"}, level=_count_level(len(open_hazards), missed=False)),
        Figure("agreements", "30天内到期协议", str(len(ending)), "需要续签或终止的互助养老协议", "互助协议",
               {"ending_within_days": 30}, level=_count_level(len(ending), missed=False)),
    ]


def _attempt(read):
    """``read()``, or the exception it raised (shown where its result would be)."""
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - handed to the panel that shows it
        return exc


class FigureCard(QFrame):
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None, *, large: bool = False):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab to a card, Enter opens its list
        self.title = QLabel()
        self.value = QLabel()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.title.setStyleSheet("font-size: 14px; color: #555")
        self.value.setStyleSheet(f"font-size: {40 if large else 28}px; font-weight: bold")
        self.detail.setStyleSheet("color: #777")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def show_figure(self, figure: Figure) -> None:
        self.title.setText(figure.title)
        self.value.setText(figure.value)
        self.detail.setText(figure.detail)
        color = LEVEL_COLOURS[figure.level]
        self.value.setStyleSheet(self.value.styleSheet().split(";")[0] + f"; font-weight: bold; color: {color}")
        self.setToolTip((f"{figure.tip}\n" if figure.tip else "") + f"点击查看：{figure.page}")

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        # Like a button: released over the card (a press dragged off it is a change of mind).
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class HomePage(QWidget):
    """The first screen: figures as cards; a click opens the list behind the figure."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"elders", "visits", "assessments", "hazards", "agreements", "monthly_submissions",
                       "settings"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18px; font-weight: bold")
        self.cards: dict[str, FigureCard] = {}
        self.figures: dict[str, Figure] = {}
        grid = QGridLayout()
        keys = ["rate", "ledger", "key", "overdue", "remote", "assess", "hazards", "agreements"]
        for index, key in enumerate(keys):
            card = FigureCard(large=(key == "rate"))
            card.clicked.connect(lambda k=key: self.open_figure(k))
            self.cards[key] = card
            if key == "rate":
                grid.addWidget(card, 0, 0, 1, 3)
            else:
                grid.addWidget(card, 2 + (index - 1) // 3, (index - 1) % 3)
        self.group_rates = GroupRatesRow(ctx)  # 月探访率 per visit group, under the headline rate
        grid.addWidget(self.group_rates, 1, 0, 1, 3)
        self.state = QLabel()
        self.state.setStyleSheet("color: #777")
        self.loading = False
        self._number = 0
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.heading)
        inner_layout.addWidget(self.state)
        from township_desk.ui.first_start import SetupPanel

        self.setup = SetupPanel(ctx)  # 开始使用: shown only while the ledger is new and empty
        inner_layout.addWidget(self.setup)
        inner_layout.addLayout(grid)
        from township_desk.ui.home_todo import TodoPanel

        self.todo = TodoPanel(ctx)  # 今日待办: names under the figures
        inner_layout.addWidget(self.todo)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.refresh()

    @property
    def today(self) -> dt.date:
        return self.ctx.today()

    def apply_filters(self, filters: dict) -> None:
        """The dashboard has nothing to filter."""

    def can_close(self) -> bool:
        return True  # nothing unsaved is held on this page

    def refresh(self) -> None:
        """Recompute the figures in the background; the cards keep their last values until the new ones come
        (``loading`` is True meanwhile)."""
        today = self.today
        township = self.ctx.settings().get("township_name") or "本乡镇"
        self.heading.setText(f"{township}　{today.year}年{today.month}月{today.day}日")
        self._number += 1
        self.loading = True
        self.state.setText("正在统计……")
        self.setup.refresh()
        # The figures, then the to-do names, then the group rates, one after the other on one connection: all
        # three read the overdue list (the heaviest query at 30,000 elders), which is then computed once
        # (``schedule.overdue`` remembers its answer while nothing is written). Three jobs side by side each
        # computed it and slowed one another (30,000 elders, a loaded machine: ~9.7 s before the figures showed).
        self.group_rates.mark_pending()
        self.todo.mark_pending()
        number, db_path = self._number, self.ctx.db_path
        todo_number, rates_number = self.todo._number, self.group_rates._number

        def work(_job: jobs.Job) -> tuple:
            # Its own connection (SQLite: one per thread; WAL lets it read while the window writes), so the window
            # paints at once and never waits for the figures of a large township.
            db = dbm.connect(db_path, migrate=False)
            try:
                figures = dashboard_figures(db, today)
                lists, rates = _attempt(lambda: todo.todo_lists(db, today)), _attempt(lambda: rates_of_month(db, today))
                return figures, (todo_number, lists), (rates_number, rates, today)
            finally:
                db.close()

        jobs.run_job(self, "统计", work, show_dialog=False,
                     on_done=lambda result: self._show_figures(number, result),
                     on_error=lambda exc: self._show_figures(number, exc))

    def _show_figures(self, number: int, result: object) -> None:
        if number != self._number:
            return  # a later refresh is on its way
        if isinstance(result, tuple):
            result, (todo_number, lists), (rates_number, rates, day) = result
            self.todo.show_result(todo_number, lists)
            self.group_rates.show_result(rates_number, rates, day)
        else:  # the figures failed: the names and rates were not read either
            self.todo.refresh()
            self.group_rates.refresh()
        self.loading = False
        if isinstance(result, BaseException):
            self.state.setText("统计未能完成：" + (str(result) if isinstance(result, UserError) else "请查看错误记录"))
            if not isinstance(result, UserError):
                from township_desk.ui import crash

                crash.report(result, parent=self)
            return
        for figure in result:
            self.figures[figure.key] = figure
            self.cards[figure.key].show_figure(figure)
        self.state.setText(f"统计于 {dt.datetime.now():%H:%M}")

    def open_figure(self, key: str) -> None:
        figure = self.figures.get(key)
        if figure is None:  # still counting: nothing to open yet
            return
        self.ctx.navigate(figure.page, **figure.filters)
