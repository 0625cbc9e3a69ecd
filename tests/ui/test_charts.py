"""Each chart renders with Chinese labels in a CJK font — no missing-glyph warnings — and saves as PNG."""

import warnings

import pytest

from township_desk.ui import charts


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
        view, [("2026-09", 0.8), ("2026-10", -0.0), ("2026-11", 1.0)]))
    assert "目标 100%" in [t.get_text() for t in ax.get_legend().get_texts()]


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
