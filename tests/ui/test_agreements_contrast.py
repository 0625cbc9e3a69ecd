"""Every agreement in the 互助协议 list is readable: its text colour has a contrast of at least 4.5:1 (WCAG AA)
against both the white and the alternating grey rows, signed ones included (they were grey on grey)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from tests.ui.test_agreements_page import TODAY, add, ctx, page  # noqa: F401 - ctx and page are fixtures
from township_desk.models import agreements as ag
from township_desk.ui.agreements_page import COLUMNS


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_status_reads_clearly_on_white_and_grey_rows(ctx, page):  # noqa: F811
    add(ctx.db, "刘秀英", "2026-06-01")                              # 已签订
    add(ctx.db, "张德福", "2025-12-15")                              # 已签订, ends within 30 days
    add(ctx.db, "刘秀英", "2026-12-01", signed=False)                # 草稿
    ended = add(ctx.db, "张德福", "2024-01-01")                      # 已到期 (ended 2024-12-31)
    stopped = add(ctx.db, "刘秀英", "2026-01-10")
    ag.terminate(ctx.db, stopped, "2026-11-01", "甲方", "老人随子女外出居住", for_cause=True, today=TODAY)
    page.refresh()
    palette = page.view.palette()
    backgrounds = [palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.AlternateBase)]
    status_column = [k for k, _h in COLUMNS].index("status")
    seen = {}
    for row in range(page.model.rowCount()):
        index = page.model.index(row, status_column)
        foreground = page.model.data(index, Qt.ItemDataRole.ForegroundRole)
        colour = foreground if isinstance(foreground, QColor) else palette.color(QPalette.ColorRole.Text)
        seen[page.model.data(index)] = min(contrast(colour, background) for background in backgrounds)
    assert ag.get_agreement(ctx.db, ended)["status"] == "已到期"
    assert set(seen) == {"已签订", "已签订（即将到期）", "草稿", "已到期", "已解除"}
    assert all(ratio >= 4.5 for ratio in seen.values()), seen
