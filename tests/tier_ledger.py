"""Five elders whose 巡访类别 differs from the record's tier in each way there is (for the one-tier tests)."""

from __future__ import annotations

import datetime as dt

from tests.conftest import make_id

DAY = dt.date(2026, 11, 30)
# name → (birth, fields, risk grade or None, the tier stored on the record)
PEOPLE = {
    "低风险独居高龄": ("19400101", {"lives_alone": True}, "低", "一般"),
    "低风险人工重点": ("19550101", {}, "低", "重点"),
    "高风险": ("19550202", {}, "高", "重点"),
    "低风险": ("19550303", {}, "低", "一般"),
    "未评估独居": ("19550404", {"lives_alone": True}, None, "一般"),
}
READINGS = {
    "低风险独居高龄": "重点（高龄、独居；风险等级为低）",
    "低风险人工重点": "重点（人工定为重点；风险等级为低）",
    "高风险": "重点",
    "低风险": "一般",
    "未评估独居": "重点（独居；尚未做风险评估）",
}


def build(db) -> dict[str, int]:
    """The five elders in 白鹤村 (entered 2026-01-05, visitor 赵会计, never visited): name → elder id. The grade
    and the stored tier are written as a clerk's assessment and choice would leave them."""
    from township_desk.models import elders, settings, villages, visitors

    settings.put(db, {"township_name": "测试镇"})
    villages.save_village(db, {"name": "白鹤村"})
    visitors.save_visitor(db, {"name": "赵会计", "phone": "13900002222"})
    ids = {}
    for seq, (name, (birth, extra, grade, tier)) in enumerate(PEOPLE.items(), start=1):
        ids[name] = elders.save_elder(db, {"name": name, "id_number": make_id(birth, seq), "village": "白鹤村",
                                           "care": "有人照料", "visitor": "赵会计", "entered_on": "2026-01-05",
                                           **extra}, today=dt.date(2026, 1, 5)).elder_id
        with db.atomic():
            db.execute("UPDATE elders SET risk_grade = ?, tier = ? WHERE id = ?", [grade, tier, ids[name]])
    return ids
