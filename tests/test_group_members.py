"""``groups.members`` remembers a day's members while the ledger is unchanged, and never answers from before a
change: one made through the same connection, or committed by another (the command line, an import's worker)."""

from __future__ import annotations

import datetime as dt

from tests.conftest import VALID_IDS
from township_desk.models import db as dbm
from township_desk.models import elders, groups, villages

TODAY = dt.date(2026, 11, 22)
AWAY = {"name": "张小明", "relation": "儿子", "phone": "13900001111", "away_since": "2024-03", "is_away": 1}


def test_members_follow_every_change_of_the_ledger(db, db_path, monkeypatch):
    villages.save_village(db, {"name": "城东社区"})
    city = {"village": "城东社区", "rural_hukou": 0, "spouse": "一方健在", "entered_on": "2026-01-05"}
    first = elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "lives_alone": 1, **city}, [AWAY],
                              today=TODAY).elder_id
    second = elders.save_elder(db, {"name": "李秀英", "id_number": VALID_IDS[1], **city}, [AWAY],
                               today=TODAY).elder_id
    assert groups.members(db, "城市独居", TODAY) == [first]
    reads = []
    real = groups._read_members  # what members() reads the ledger with
    monkeypatch.setattr(groups, "_read_members", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    assert groups.members(db, "城市独居", TODAY) == [first] and not reads  # remembered: nothing read again
    assert groups.members(db, "独居", TODAY) == [first] and reads == ["独居"]  # each group read once
    assert groups.members(db, "独居", TODAY) == [first] and reads == ["独居"]
    elders.save_elder(db, {"id_number": VALID_IDS[1], "name": "李秀英", "lives_alone": 1, **city}, [AWAY],
                      elder_id=second, today=TODAY)
    assert groups.members(db, "城市独居", TODAY) == [first, second] and reads == ["独居", "城市独居"]
    other = dbm.connect(db_path)
    other.execute("UPDATE elders SET lives_alone = 0 WHERE id = ?", [first])
    other.close()
    assert groups.members(db, "城市独居", TODAY) == [second]
