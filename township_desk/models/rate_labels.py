"""The two visit rates and their one set of words, so that no screen shows both under the same name.

- **上门巡访覆盖率** (``HOME``): the office's headline (domain.md "the monthly visit rate"): elders 在册 with a home
  visit (上门) in the month / elders 在册. 首页's large card, 本月未上门, the coverage chart and the 巡访情况 sheet.
- **探访率** (``CONTACT``): the 2022 national guidance's 月探访率 (民政部等十部门《关于开展特殊困难老年人探访关爱服务的
  指导意见》): of a group, those contacted in the month in any way (上门, 电话 or 视频) / the group. 首页's line per
  visit group and the 探访关爱 sheet (``models.coverage``).

Every label, tooltip and workbook heading that names a rate is made here.
"""

from __future__ import annotations

HOME = "home"
CONTACT = "contact"

_NAMES = {HOME: "上门巡访覆盖率", CONTACT: "探访率"}
_HOW = {HOME: "", CONTACT: "（上门或电话视频）"}
_MEANING = {
    HOME: "上门巡访覆盖率 = 本月有上门巡访的在册老人 / 在册老人（只算上门，电话视频不算）",
    CONTACT: "探访率 = 本月探访过（上门、电话或视频均可）的老人 / 该类在册老人"
             "（民政部等十部门《关于开展特殊困难老年人探访关爱服务的指导意见》的月探访率）",
}


def _kind(kind: str) -> str:
    if kind not in _NAMES:
        raise ValueError(f"unknown rate {kind!r}")
    return kind


def rate_label(kind: str, prefix: str = "") -> str:
    """The rate's name as a screen shows it, saying what counts: ``prefix`` + 上门巡访覆盖率, or ``prefix`` +
    探访率（上门或电话视频）."""
    kind = _kind(kind)
    return f"{prefix}{_NAMES[kind]}{_HOW[kind]}"


def rate_name(kind: str) -> str:
    """The rate's bare name (上门巡访覆盖率 / 探访率), for a sentence that already says what was counted."""
    return _NAMES[_kind(kind)]


def rate_heading(kind: str) -> str:
    """A workbook column's heading for the rate in per cent (the county's words: 上门巡访覆盖率（%）, 探访率（%）)."""
    return f"{_NAMES[_kind(kind)]}（%）"


def rate_meaning(kind: str) -> str:
    """One sentence for a tooltip: how the rate is counted."""
    return _MEANING[_kind(kind)]
