"""The 首页 reads its figures, its to-do names and its group rates with one pass of the overdue query (the
heaviest at 30,000 elders; bench/README.md), and shows what each reads on its own."""

from __future__ import annotations

from tests.ui.test_home_page import TODAY, counted, ctx  # noqa: F401 - ctx is the fixture
from township_desk.models import coverage, schedule, todo


def test_one_overdue_pass_serves_the_figures_the_names_and_the_group_rates(ctx, qtbot, monkeypatch):  # noqa: F811
    from township_desk.ui.group_rates import rates_of_month
    from township_desk.ui.home_page import HomePage

    passes = []
    real = schedule._overdue_sql

    def spy(*args, **kwargs):
        passes.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(schedule, "_overdue_sql", spy)
    page = HomePage(ctx)
    qtbot.addWidget(page)
    counted(page, qtbot)
    qtbot.waitUntil(lambda: not page.todo.loading and not page.group_rates.loading, timeout=10000)
    assert len(passes) == 1
    # each shows what it reads on its own, from a connection that has not asked before
    setattr(ctx.db, schedule._MEMO, None)
    assert page.todo.columns["overdue"].title.text() == f"今天逾期未上门　{todo.overdue_today(ctx.db, TODAY).count} 人"
    assert page.group_rates.rows == rates_of_month(ctx.db, TODAY)
    assert page.figures["overdue"].value == str(len(schedule.overdue(ctx.db, TODAY, kinds=("home",))))
    assert coverage.totals(page.group_rates.rows)[-1].overdue == len(schedule.overdue(ctx.db, TODAY, kinds=("home",)))
