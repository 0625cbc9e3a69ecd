"""dates.required_date: the one check behind every date a clerk must give (signing, hazards, assessments …)."""

from __future__ import annotations

import datetime as dt

import pytest

from township_desk.models.dates import required_date
from township_desk.models.errors import UserError


@pytest.mark.parametrize("value", [dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 9, 30), "2026-03-05", "2026.3.5",
                                   "2026年3月5日", 46086])
def test_any_form_a_clerk_types_is_read(value):
    assert required_date(value, "签订日期") == dt.date(2026, 3, 5)


@pytest.mark.parametrize(("value", "message"), [(None, "请填写签订日期"), ("  ", "请填写签订日期"),
                                                ("2026-02-30", "签订日期：日期“2026-02-30”不存在"),
                                                ("下周一", "签订日期：无法识别日期“下周一”")])
def test_missing_or_unreadable_names_the_field(value, message):
    with pytest.raises(UserError) as caught:
        required_date(value, "签订日期")
    assert str(caught.value).startswith(message)
