"""Charts inside the window (matplotlib on a Qt canvas), imported only when a chart is first shown.

Chinese labels need a CJK font: the first available of a list of common ones is used (pitfalls.md #10),
and ``axes.unicode_minus`` is off so negative numbers do not show a missing-glyph box.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence

os.environ.setdefault("QT_API", "PySide6")  # pitfalls #16: never let matplotlib pick another binding

from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget  # noqa: E402

CJK_FONTS = ["Microsoft YaHei", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "PingFang SC", "Heiti SC", "AR PL UMing CN"]

_configured = False


def keep_font_cache_in_data_folder() -> None:
    """Point matplotlib's cache (its list of the computer's fonts) at ``<data>/cache/matplotlib``.

    Building that list scans every font of ``C:\\Windows\\Fonts`` (seconds on an old PC). PyInstaller's
    matplotlib hook points ``MPLCONFIGDIR`` at a new temporary folder on every start, so the scan would run on
    every start; kept in the data folder it runs once. Only effective before matplotlib is first imported.
    """
    if "matplotlib" not in sys.modules:
        from township_desk.models import paths

        os.environ["MPLCONFIGDIR"] = str(paths.cache_dir("matplotlib"))


def warm_font_cache_in_background() -> threading.Thread:
    """Load (on the first run: build) matplotlib's font list on a worker thread, so that neither the start
    nor the first chart waits for the font scan on the GUI thread. Returns the started thread."""
    keep_font_cache_in_data_folder()

    def load() -> None:
        try:
            import matplotlib.font_manager  # noqa: F401 - importing it loads or builds the font list
        except Exception:  # noqa: BLE001 - the chart page reports a real failure when it imports matplotlib
            pass

    thread = threading.Thread(target=load, name="matplotlib-fonts", daemon=True)
    thread.start()
    return thread


def configure_matplotlib() -> str | None:
    """Pick a CJK font that exists on this machine; returns its name (None when none is installed)."""
    global _configured
    keep_font_cache_in_data_folder()
    import matplotlib

    matplotlib.use("QtAgg")
    from matplotlib import font_manager, rcParams

    available = {f.name for f in font_manager.fontManager.ttflist}
    chosen = next((name for name in CJK_FONTS if name in available), None)
    if not _configured:
        rcParams["font.sans-serif"] = ([chosen] if chosen else []) + CJK_FONTS + ["DejaVu Sans"]
        rcParams["font.family"] = "sans-serif"
        rcParams["axes.unicode_minus"] = False
        _configured = True
    return chosen


class ChartView(QWidget):
    """A matplotlib figure with a 保存为图片 button. Subclasses or callers draw with ``draw(fn)``."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        configure_matplotlib()
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.title = title
        self.figure = Figure(figsize=(6, 4), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        save = QPushButton("保存为图片…")
        save.clicked.connect(self._save_dialog)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(buttons)

    def axes(self):
        self.figure.clear()
        return self.figure.add_subplot(111)

    def redraw(self) -> None:
        self.canvas.draw_idle()

    def save_png(self, path: str) -> None:
        from township_desk.models.files import atomic_path

        with atomic_path(path) as tmp:
            self.figure.savefig(tmp, format="png", dpi=150)

    def _save_dialog(self) -> None:
        from township_desk.ui.widgets import ask_save_file

        chosen = ask_save_file(self, "保存图表", f"{self.title}.png", "PNG 图片 (*.png)", _window_db_path(self), ".png",
                               kind="charts")
        if chosen is None:
            return
        path = str(chosen)
        try:
            self.save_png(path)
        except Exception as exc:  # noqa: BLE001 - a clerk-facing message, the chart stays
            from township_desk.models.files import explain_environment

            QMessageBox.warning(self, "保存图表", explain_environment(exc) or f"无法保存图片：{exc}")


def _window_db_path(widget: QWidget):
    """The database of the main window this chart is shown in (None before it is placed in one)."""
    ctx = getattr(widget.window(), "ctx", None)
    return getattr(ctx, "db_path", None)


def _integer_axis(axis) -> None:
    """Counts of people: ticks only on whole numbers (no 0.5, 1.5 … on a small village)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _legend_outside(ax, **kwargs):
    """The legend to the right of the plot area, never over the bars."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False, **kwargs)


def _percent(value: float) -> str:
    """Whole percent, but never "100%" for a month short of it (99.6 % reads 99.6%)."""
    return f"{value:.1f}%" if 99.5 <= value < 100 else f"{value:.0f}%"


def _empty(ax, text: str = "暂无数据") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=14, color="#888")
    ax.set_axis_off()


def draw_overdue_by_village(view: ChartView, rows: Sequence[tuple[str, int]]) -> None:
    """Bar chart: overdue home visits per village."""
    ax = view.axes()
    ax.set_title("各村逾期未上门巡访人数")
    if not rows:
        _empty(ax, "没有逾期未上门的老人")
    else:
        names = [r[0] for r in rows]
        counts = [r[1] for r in rows]
        bars = ax.bar(names, counts, color="#d9534f")
        ax.bar_label(bars)
        ax.set_ylabel("人数")
        _integer_axis(ax.yaxis)
        ax.margins(y=0.12)  # room for the count above the tallest bar
        ax.tick_params(axis="x", labelrotation=30)
    view.redraw()


def coverage_title(group: str | None = None) -> str:
    """The coverage chart's title: 近12个月上门巡访覆盖率, with the visit group when one is chosen."""
    from township_desk.models import rate_labels

    return rate_labels.rate_label(rate_labels.HOME, f"近12个月{group}" if group else "近12个月")


def draw_coverage_by_month(view: ChartView, rows: Sequence, group: str | None = None) -> None:
    """Line chart: the 上门巡访覆盖率 (%) of the last months (``submissions.MonthRate``, as ``coverage_by_month``
    chose each figure), with the 100% target. A month sent to the county is a filled point (the figure sent), a
    month counted from the ledger a hollow one; a month whose sent workbook did not hold the figure is a gap, named
    under the chart."""
    from township_desk.models import rate_labels, submissions

    ax = view.axes()
    ax.set_title(coverage_title(group))
    shown = [r for r in rows if r.rate is not None]
    missing = [r for r in rows if r.rate is None and r.source == submissions.NOT_SENT]
    if not shown:
        _empty(ax, submissions.not_sent_note(missing) if missing else "暂无数据")
    else:
        from matplotlib.transforms import blended_transform_factory

        months = [r.month for r in rows]
        values = [r.rate * 100 if r.rate is not None else float("nan") for r in rows]
        colour = "#337ab7"
        # The data line first (lines[0]) and on top, so a month at 100 % is not hidden by the target line; a
        # month with nothing to show breaks the line (nan) and keeps its place on the axis.
        ax.plot(months, values, marker="o", markersize=5, linewidth=2, color=colour, zorder=3,
                label=rate_labels.rate_name(rate_labels.HOME))
        notes = []
        if {submissions.COUNTED, submissions.SENT} <= {r.source for r in shown}:
            # Which points are the figures sent: filled; the months not sent (counted now): hollow.
            counted = [r for r in shown if r.source == submissions.COUNTED]
            ax.plot([r.month for r in counted], [r.rate * 100 for r in counted], linestyle="none", marker="o",
                    markersize=5, markerfacecolor="white", markeredgecolor=colour, zorder=3.5)
            notes.append("实心点：已上报的月份，按上报数字；空心点：未上报的月份，按台账现状")
        for r in shown:
            ax.annotate(_percent(r.rate * 100), (r.month, r.rate * 100), xytext=(0, 6), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8, color=colour, zorder=4)
        if missing:
            notes.append("未画出：" + submissions.not_sent_note(missing))
        if notes:  # under the month labels, where the layout keeps room for it
            ax.set_xlabel("\n".join(notes), fontsize=8, color="#666", loc="left", wrap=True)
        ax.axhline(100, color="#5cb85c", linestyle="--", linewidth=1.2, zorder=1, label="目标 100%")
        # The target named at the line's end, outside the plot area, never over a point or its label.
        ax.text(1.01, 100, "目标 100%", transform=blended_transform_factory(ax.transAxes, ax.transData),
                ha="left", va="center", fontsize=9, color="#3d8b3d")
        # From a round ten below the lowest month (so 97 % is seen below the target, not flattened onto it by a
        # 0–100 axis), with headroom above 100 for the points and their labels. Ticks stop at 100.
        drawn = [v for v in values if v == v]
        bottom = max(0, min(80, int(min(drawn) // 10) * 10 - 10))
        top = max(100.0, max(drawn))
        ax.set_ylim(bottom, top + (top - bottom) * 0.18)
        step = 5 if 100 - bottom <= 30 else 10 if 100 - bottom <= 60 else 20
        ax.set_yticks(range(100 - (100 - bottom) // step * step, 101, step))
        ax.set_ylabel("%")
        ax.tick_params(axis="x", labelrotation=45)
    view.redraw()


def draw_grades_by_village(view: ChartView, rows: Sequence[tuple[str, int, int, int, int]]) -> None:
    """Stacked bars: risk grades 高/中/低/未评估 per village. Rows: (village, high, medium, low, none)."""
    ax = view.axes()
    ax.set_title("各村风险等级分布")
    if not rows:
        _empty(ax)
    else:
        names = [r[0] for r in rows]
        bottom = [0] * len(rows)
        for index, (label, color) in enumerate((("高风险", "#d9534f"), ("中风险", "#f0ad4e"),
                                                ("低风险", "#5cb85c"), ("未评估", "#bbbbbb")), start=1):
            values = [r[index] for r in rows]
            ax.bar(names, values, bottom=bottom, label=label, color=color)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel("人数")
        _integer_axis(ax.yaxis)
        _legend_outside(ax)
        ax.tick_params(axis="x", labelrotation=30)
    view.redraw()


def draw_age_pyramid(view: ChartView, bands: Sequence[str], men: Sequence[int], women: Sequence[int]) -> None:
    """Age/sex pyramid: men to the left, women to the right."""
    ax = view.axes()
    ax.set_title("年龄性别结构")
    if not any(men) and not any(women):
        _empty(ax)
    else:
        ax.barh(bands, [-m for m in men], color="#337ab7", label="男")
        ax.barh(bands, list(women), color="#d9534f", label="女")
        limit = max(max(men, default=0), max(women, default=0)) or 1
        from matplotlib.ticker import FuncFormatter

        ax.set_xlim(-limit * 1.15, limit * 1.15)
        _integer_axis(ax.xaxis)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: str(abs(round(value)))))  # men: no minus
        ax.axvline(0, color="#666", linewidth=0.8)
        ax.set_xlabel("人数")
        _legend_outside(ax)
    view.redraw()
