"""The ledger a page at a time (``list_elders(limit=, offset=)``, the 台账 table's 200-row pages): the page's rows
are chosen from the sort keys and then read in full; every page holds exactly the rows of the whole list at
those places, in every order and direction, with a search and without."""

from __future__ import annotations

import datetime as dt

import pytest

from township_desk.models import demo, elders

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    from township_desk.models import db as dbm

    database = dbm.connect(tmp_path_factory.mktemp("paging") / "township.db")
    demo.generate(database, elders=80, seed=3, as_of=TODAY)
    yield database
    database.close()


@pytest.mark.parametrize("order_by", sorted(elders.SORT_COLUMNS))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_hold_the_rows_of_the_whole_list(township, order_by, descending):
    for query in (elders.ElderQuery(status="在册", as_of=TODAY), elders.ElderQuery(search="l", as_of=TODAY)):
        whole = elders.list_elders(township, query, order_by=order_by, descending=descending)
        assert len(whole) > 20
        paged = []
        for offset in range(0, len(whole), 7):
            paged += elders.list_elders(township, query, order_by=order_by, descending=descending, limit=7,
                                        offset=offset)
        assert paged == whole
        assert any(r["last_home_visit"] for r in paged)
