"""首页's row of 月探访率 per visit group and over all the elders on the plan (``models.coverage``, the 合计
lines of the 探访关爱 sheet as the month stands today): a compact line under the figures, counted in the
background like them."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from township_desk.models import coverage, rate_labels
from township_desk.models import db as dbm
from township_desk.ui import jobs


def rates_of_month(db, today: dt.date) -> list[coverage.CoverageRow]:
    """The month's 合计 lines so far (as of ``today``): the groups with anyone in them, then 全部巡访对象."""
    month = f"{today.year:04d}-{today.month:02d}"
    rows = coverage.totals(coverage.month_coverage(db, month, as_of=today))
    return [r for r in rows if r.people or r.group == coverage.ALL_LABEL]


class GroupRatesRow(QFrame):
    """One line: 各类对象本月探访率 then, per group, its name and rate (tooltip: who was contacted, at home)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = QLabel(rate_labels.rate_label(rate_labels.CONTACT, "各类对象本月"))
        self.heading.setStyleSheet("font-size: 14px; color: #555")
        self.heading.setToolTip(rate_labels.rate_meaning(rate_labels.CONTACT) + "；全部巡访对象为在册的全部老人"
                                "（国家目标 100%）。上方大字的上门巡访覆盖率只算上门。")
        self.line = QLabel("正在统计……")
        self.line.setTextFormat(Qt.TextFormat.RichText)
        self.line.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.heading)
        layout.addWidget(self.line, 1)
        self.rows: list[coverage.CoverageRow] = []
        self.loading = False
        self._number = 0

    def refresh(self) -> None:
        today = self.ctx.today()
        self._number += 1
        self.loading = True
        number, db_path = self._number, self.ctx.db_path

        def work(_job: jobs.Job) -> list[coverage.CoverageRow]:
            db = dbm.connect(db_path, migrate=False)
            try:
                return rates_of_month(db, today)
            finally:
                db.close()

        jobs.run_job(self, "统计", work, show_dialog=False,
                     on_done=lambda rows: self._show(number, rows, today),
                     on_error=lambda exc: self._show(number, exc, today))

    def mark_pending(self) -> None:
        """The 首页 reads the rates with its figures: ``loading`` until ``show_result`` brings them."""
        self._number += 1
        self.loading = True

    def show_result(self, number: int, result, today: dt.date) -> None:
        self._show(number, result, today)

    def _show(self, number: int, result, today: dt.date) -> None:
        from township_desk.ui.home_page import LEVEL_COLOURS, rate_level

        if number != self._number:
            return
        self.loading = False
        if isinstance(result, BaseException):
            self.line.setText("未能统计")
            return
        self.rows = result
        parts, tips = [], []
        for row in result:
            if not row.people:
                parts.append(f"{row.group} —")
                continue
            colour = LEVEL_COLOURS[rate_level(row.contacted / row.people, today)[0]]
            weight = "bold" if row.group == coverage.ALL_LABEL else "normal"
            parts.append(f"<span style='font-weight:{weight}'>{row.group}</span> "
                         f"<span style='color:{colour}; font-weight:bold'>{row.rate:.1f}%</span>")
            tips.append(f"{row.group}：本月已探访（上门或电话视频）{row.contacted} 人 / 在册 {row.people} 人，"
                        f"其中已上门 {row.home_visited} 人")
        self.line.setText("　·　".join(parts))
        self.setToolTip("\n".join(tips))
