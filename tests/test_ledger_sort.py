"""The ledger's order (elders.list_elders): every column sorts both ways, 年龄 included."""

from __future__ import annotations

import datetime as dt

from tests.conftest import make_id
from township_desk.models import elders, villages

TODAY = dt.date(2026, 11, 22)


def test_age_sorts_youngest_or_oldest_first(db):
    villages.save_village(db, {"name": "青山村"})
    for n, (name, birth) in enumerate((("张甲", "19400101"), ("李乙", "19600101"), ("王丙", "19500101"))):
        elders.save_elder(db, {"name": name, "id_number": make_id(birth, 2 * n + 1), "village": "青山村"},
                          today=TODAY)
    ascending = [r["birth_date"][:4] for r in elders.list_elders(db, order_by="age")]
    descending = [r["birth_date"][:4] for r in elders.list_elders(db, order_by="age", descending=True)]
    assert ascending == ["1960", "1950", "1940"]    # 年龄 ↑: youngest first
    assert descending == ["1940", "1950", "1960"]   # 年龄 ↓: oldest first (the direction was ignored before)
