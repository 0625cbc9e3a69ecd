"""统计图表: four charts drawn when the tab is first shown (matplotlib is imported only then)."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from township_desk.models import elders
from township_desk.ui.widgets import GroupFilter


class ChartsTab(QWidget):
    """The four charts of the 巡访 page: overdue home visits by village, the 上门巡访覆盖率 of the last 12 months
    (each month's figure as ``submissions.coverage_by_month`` chooses it: a month sent shows what was sent), risk
    grades by village, the age/sex pyramid. Nothing is drawn (nor matplotlib imported) until the first
    ``refresh``, which the page calls when the tab is shown."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.views: dict = {}
        self._grid = QGridLayout()
        layout = QVBoxLayout(self)
        self.note = QLabel("各图右下角可“保存为图片”。")
        self.busy = QLabel("正在绘制…")  # the first drawing loads matplotlib: seconds on an old PC
        self.busy.setStyleSheet("color: #8a6d3b;")
        self.busy.hide()
        self.group = GroupFilter()
        self.group.currentIndexChanged.connect(lambda _i: self.refresh())
        top = QHBoxLayout()  # on the note's line: showing it moves nothing
        top.addWidget(QLabel(GroupFilter.LABEL))
        top.addWidget(self.group)
        top.addWidget(self.note)
        top.addWidget(self.busy)
        top.addStretch(1)
        layout.addLayout(top)
        layout.addLayout(self._grid, 1)

    def _build(self) -> None:
        from township_desk.ui import charts  # heavy: only when the charts are first shown

        for index, (key, title) in enumerate((("overdue", "各村逾期未上门巡访人数"), ("coverage", charts.coverage_title()),
                                              ("grades", "各村风险等级分布"), ("pyramid", "年龄性别结构"))):
            view = charts.ChartView(title)
            self.views[key] = view
            self._grid.addWidget(view, index // 2, index % 2)

    def refresh(self) -> None:
        first = not self.views
        if first:
            self.busy.show()
            self.busy.repaint()  # painted now: the drawing below holds the GUI thread
        try:
            if first:
                self._build()
            self._draw()
        finally:
            self.busy.hide()

    def _draw(self) -> None:
        from township_desk.models import schedule, submissions
        from township_desk.ui import charts

        today = self.ctx.today()
        group = self.group.group()
        charts.draw_overdue_by_village(self.views["overdue"], schedule.overdue_by_village(self.ctx.db, today, group))
        month = f"{today.year:04d}-{today.month:02d}"
        charts.draw_coverage_by_month(self.views["coverage"],
                                      submissions.coverage_by_month(self.ctx.db, month, 12, group), group)
        charts.draw_grades_by_village(self.views["grades"], elders.grades_by_village(self.ctx.db, group, today))
        charts.draw_age_pyramid(self.views["pyramid"], *elders.age_sex_bands(self.ctx.db, today, group))
