"""Each chart renders with Chinese labels in a CJK font — no missing-glyph warnings — and saves as PNG."""

import warnings

import pytest

from township_desk.models.submissions import COUNTED, MonthRate
from township_desk.ui import charts


def counted(*pairs):
    """Months counted from the ledger (never sent), as ``submissions.coverage_by_month`` gives them."""
    return [MonthRate(month, share, COUNTED) for month, share in pairs]


@pytest.fixture
def view(qtbot):
    widget = charts.ChartView("测试图表")
    qtbot.addWidget(widget)
    return widget


def render_without_glyph_warnings(view, tmp_path, draw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw()
        view.canvas.draw()
        target = tmp_path / "chart.png"
        view.save_png(str(target))
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert glyphs == []
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return view.figure.axes[0]


def test_a_cjk_font_is_available_for_charts():
    assert charts.configure_matplotlib() is not None


def test_overdue_by_village_chart(view, tmp_path):
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_overdue_by_village(
        view, [("东风村", 3), ("青龙社区", 1)]))
    assert ax.get_title() == "各村逾期未上门巡访人数"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["东风村", "青龙社区"]


def test_coverage_chart_shows_the_target_line(view, tmp_path):
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_coverage_by_month(
        view, counted(("2026-09", 0.8), ("2026-10", -0.0), ("2026-11", 1.0))))
    assert "目标 100%" in [t.get_text() for t in ax.texts]


def test_a_coverage_line_at_its_target_stays_visible_above_the_dashed_target(view, tmp_path):
    """A township at 100 % every month: the line used to lie on the target line at the plot's top edge."""
    months = counted(*((f"2026-{m:02d}", 1.0) for m in range(1, 13)))
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_coverage_by_month(view, months))
    data, target = ax.lines
    bottom, top = ax.get_ylim()
    assert top - 100 >= 0.15 * (top - bottom)  # headroom above 100: the points and their labels are inside
    assert list(data.get_ydata()) == [100.0] * 12 and data.get_marker() == "o"
    assert list(target.get_ydata()) == [100, 100] and target.get_linestyle() == "--"
    assert data.get_zorder() > target.get_zorder()  # the data drawn over the target, not hidden under it
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("100%") == 12 and "目标 100%" in labels
    assert max(ax.get_yticks()) == 100  # no tick at 120 % suggesting more than everyone is possible


def test_a_small_shortfall_is_seen_below_the_target(view, tmp_path):
    rows = counted(*((f"2026-{m:02d}", 1.0) for m in range(1, 11)), ("2026-11", 0.996), ("2026-12", 0.97))
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_coverage_by_month(view, rows))
    bottom, top = ax.get_ylim()
    assert bottom == 80 and top > 100  # 97 % is well below the 100 % target line, not a hair
    labels = [t.get_text() for t in ax.texts]
    assert labels[-3:] == ["99.6%", "97%", "目标 100%"]  # a month just short is not labelled 100%
    assert min(ax.get_yticks()) >= bottom and max(ax.get_yticks()) == 100
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_coverage_by_month(
        view, counted(("2026-10", 0.0), ("2026-11", 0.5))))
    assert ax.get_ylim()[0] == 0  # a month with no visit keeps the axis from zero


def test_counts_are_on_whole_number_axes(view, tmp_path):
    """One or two overdue people in a village: ticks at 0.5, 1.5 … would count half a person."""
    from matplotlib.ticker import MaxNLocator

    def integer(axis):
        locator = axis.get_major_locator()
        return isinstance(locator, MaxNLocator) and locator._integer

    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_overdue_by_village(
        view, [("东风村", 2), ("青龙社区", 1)]))
    assert integer(ax.yaxis) and all(t == int(t) for t in ax.get_yticks())
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_grades_by_village(
        view, [("东风村", 1, 0, 1, 0)]))
    assert integer(ax.yaxis) and all(t == int(t) for t in ax.get_yticks())
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_age_pyramid(
        view, ["60-64", "65-69"], [1, 2], [2, 1]))
    assert integer(ax.xaxis) and all(t == int(t) for t in ax.get_xticks())
    assert [t.get_text() for t in ax.get_xticklabels() if t.get_text()][0] != "-2"  # men counted without a minus


@pytest.mark.parametrize("draw", [
    lambda view: charts.draw_grades_by_village(view, [("东风村", 9, 9, 9, 9), ("青龙社区", 30, 2, 2, 2),
                                                      ("石桥村", 1, 1, 1, 1)]),
    lambda view: charts.draw_age_pyramid(view, ["60-64", "65-69", "70-74", "75-79", "80+"], [20, 18, 12, 8, 5],
                                         [21, 19, 14, 10, 9]),
], ids=["grades", "pyramid"])
def test_the_legend_covers_no_bar(view, tmp_path, draw):
    view.resize(660, 330)  # a quarter of the window at 1366×768
    ax = render_without_glyph_warnings(view, tmp_path, lambda: draw(view))
    renderer = view.figure.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    plot = ax.get_window_extent(renderer)
    bars = [bar.get_window_extent(renderer) for bar in ax.patches if bar.get_width() and bar.get_height()]
    assert bars and not any(legend.overlaps(bar) for bar in bars)
    assert legend.x0 >= plot.x1  # outside the plot area, right of it
    assert view.figure.bbox.contains(legend.x1 - 1, legend.y0 + 1)  # and not cut off by the figure's edge


def test_the_charts_tab_says_it_is_drawing_while_it_draws_the_first_time(qtbot, db, db_path, monkeypatch):
    """Loading matplotlib and drawing four charts takes seconds on an old PC: a label says so meanwhile."""
    import datetime as dt

    from township_desk.ui.charts_tab import ChartsTab
    from township_desk.ui.context import AppContext

    tab = ChartsTab(AppContext(db_path, db, today=dt.date(2026, 11, 20)))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    seen = []
    real = charts.draw_overdue_by_village
    monkeypatch.setattr(charts, "draw_overdue_by_village",
                        lambda view, rows: (seen.append((tab.busy.isVisible(), tab.busy.text())), real(view, rows)))
    assert not tab.busy.isVisible()
    tab.refresh()
    assert seen == [(True, "正在绘制…")]
    assert not tab.busy.isVisible()  # gone once drawn
    tab.refresh()
    assert seen[1] == (False, "正在绘制…")  # redrawing an existing chart is quick: no label


def test_grades_chart_stacks_four_categories(view, tmp_path):
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_grades_by_village(
        view, [("东风村", 1, 2, 3, 4)]))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["高风险", "中风险", "低风险", "未评估"]


def test_age_pyramid_puts_men_left_and_women_right(view, tmp_path):
    ax = render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_age_pyramid(
        view, ["60-64", "65-69"], [3, 5], [4, 6]))
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths[0] == -5 and widths[-1] == 6


def test_empty_chart_says_so_instead_of_drawing_nothing(view, tmp_path):
    render_without_glyph_warnings(view, tmp_path, lambda: charts.draw_overdue_by_village(view, []))
    assert "没有逾期" in view.figure.axes[0].texts[0].get_text()


FONT_CACHE_PROBE = """
import os, sys, threading

class WhoImports:  # notes the thread that imports (and so builds or loads) matplotlib's font list
    def find_spec(self, name, path=None, target=None):
        if name == "matplotlib.font_manager":
            print(threading.current_thread().name)
        return None

sys.meta_path.insert(0, WhoImports())
from township_desk.ui import charts
thread = charts.warm_font_cache_in_background()
thread.join(120)
import matplotlib
print(matplotlib.get_cachedir())
"""


def test_the_font_list_is_built_once_in_the_data_folder_off_the_gui_thread(tmp_path):
    """PyInstaller's hook points MPLCONFIGDIR at a fresh temporary folder on every start (imitated here): the
    font list must still be written to, and found again in, <data>/cache/matplotlib."""
    import os
    import subprocess
    import sys

    data = tmp_path / "台账 数据"
    fresh = tmp_path / "pyinstaller-temp"
    fresh.mkdir()
    env = {**os.environ, "TOWNSHIP_DESK_HOME": str(data), "MPLCONFIGDIR": str(fresh), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", FONT_CACHE_PROBE], env=env, capture_output=True, text=True,
                            encoding="utf-8", timeout=300)
    assert result.returncode == 0, result.stderr
    importer, cache = result.stdout.splitlines()
    assert importer == "matplotlib-fonts"  # the worker thread, not MainThread (the GUI thread)
    assert cache == str(data / "cache" / "matplotlib")
    assert list((data / "cache" / "matplotlib").glob("fontlist-*.json"))
    assert list(fresh.iterdir()) == []
