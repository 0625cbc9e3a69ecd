"""The monthly report's numbers: every one of the 27 columns, the month-end rule, the cross-checks."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_id

from township_desk.models import elders, monthly, settings
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 20)
COMPLETE = {"education": "小学", "spouse": "双方健在", "care": "有人照料",
            "main_income": "打工", "visitor": "李巡访", "entered_on": "2026-01-05"}


def add(db, name: str, birth: str, seq: int, village: str = "红星村", away_since: str | None = "2024-09",
        **fields) -> int:
    """An elder complete for every column; the son's "away since" month gives 外出务工年限 (2 years in 2026-10)."""
    data = {"name": name, "id_number": make_id(birth, seq), "village": village, **COMPLETE, **fields}
    supporters = [{"name": "张子", "relation": "儿子", "away_since": away_since}]
    return elders.save_elder(db, data, supporters, today=TODAY).elder_id


def counts_of(summary: monthly.MonthlySummary, name: str) -> list[int]:
    return next(r for r in summary.rows if r.name == name).counts


def test_every_column_counts_the_elders_it_describes(db):
    settings.put(db, {"township_name": "城关镇"})
    add(db, "甲", "19560101", 11, education="文盲", care="无人照料", spouse="一方健在",
        away_since="2026-04", main_income="种养殖业")                      # 70, 男
    add(db, "乙", "19600510", 12, is_disabled=True, is_ill=True, education="初中",
        away_since="2025-10", main_income="政府救助")                        # 66, 女, 残疾 wins
    add(db, "丙", "19400202", 13, is_ill=True, education="高中及以上",
        away_since="2023-10", main_income="亲朋救济")                        # 86, 男, 患病
    add(db, "丁", "19450303", 14, away_since="2021-10", main_income="其他")  # 81, 女
    add(db, "戊", "19500404", 15, village="白云村", away_since="2021-11")  # 76, 男, 4 years 11 months
    s = monthly.summary(db, "2026-10")
    assert [r.name for r in s.rows] == ["红星村", "白云村", "合计"]
    expected_red = [4, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 4, 3, 1, 3, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]
    assert counts_of(s, "红星村") == expected_red
    expected_white = [1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0]
    assert counts_of(s, "白云村") == expected_white
    assert counts_of(s, "合计") == [a + b for a, b in zip(expected_red, expected_white, strict=True)]
    assert s.title == "城关镇农村留守老人基本情况排查汇总表（2026年10月）"
    assert monthly.cross_checks(s) == []


@pytest.mark.parametrize(("away_since", "column"), [("2026-10", 19), ("2025-11", 19), ("2025-10", 20),
                                                     ("2023-11", 20), ("2023-10", 21), ("2021-11", 21),
                                                     ("2021-10", 22), ("1996-03", 22)])
def test_children_away_years_fall_in_the_seed_bands(db, away_since, column):
    """Full years from the supporters' "away since" month to the month's last day (2026-10-31)."""
    add(db, "甲", "19500101", 11, away_since=away_since)
    counts = monthly.summary(db, "2026-10").total.counts
    assert [c for c in range(19, 23) if counts[c - 1]] == [column]


def test_away_years_come_from_the_supporters_dates_not_the_number_typed_once(db):
    """The elder's typed 外出务工年限 (8) is of the day it was typed; the son left in 2025-12, so in 2026-10 the
    children have been away under a year (column 19), the 明细表 says 0, and a year later 1–3 years (column 20)."""
    elder_id = add(db, "甲", "19500101", 11, away_since="2025-12", children_away_years=8)
    october = monthly.summary(db, "2026-10").total.counts
    assert [c for c in range(19, 23) if october[c - 1]] == [19]
    assert monthly.details(db, "2026-10")[0]["children_away_years"] == 0
    later = monthly.summary(db, "2027-01").total.counts
    assert [c for c in range(19, 23) if later[c - 1]] == [20]
    # the earliest of the supporters still away; one who came home does not count
    elders.save_elder(db, {"name": "甲", "id_number": make_id("19500101", 11), "village": "红星村", **COMPLETE},
                      [{"name": "张子", "away_since": "2025-12"}, {"name": "张女", "away_since": "2020-01"},
                       {"name": "张三", "away_since": "2010-01", "is_away": False}], elder_id=elder_id, today=TODAY)
    assert monthly.details(db, "2026-10")[0]["children_away_years"] == 6


def test_an_elder_without_any_supporter_date_is_named_not_counted_as_zero(db):
    add(db, "全", "19500101", 11)
    add(db, "无日期", "19500102", 13, away_since=None)
    failures = monthly.cross_checks(monthly.summary(db, "2026-10"))
    text = monthly.failures_text(failures)
    assert "红星村：第1列=2，但 第19+20+21+22列=1" in text
    assert "无日期" in text and "赡养人外出时间未填" in text


def test_ages_are_full_years_on_the_last_day_of_the_month(db):
    add(db, "七十", "19561031", 11)    # 70 on 2026-10-31
    add(db, "六九", "19561101", 13)    # still 69 on 2026-10-31
    add(db, "八十", "19461031", 15)    # 80 on the last day
    counts = monthly.summary(db, "2026-10").total.counts
    assert counts[1:4] == [1, 1, 1]


def test_month_end_status_counts_who_left_later_and_not_who_entered_later(db):
    stays = add(db, "留", "19500101", 11)
    left_after = add(db, "后走", "19500102", 13)
    left_within = add(db, "月内走", "19500103", 15)
    add(db, "后来", "19500104", 17, entered_on="2026-11-02")
    away = add(db, "暂离", "19500105", 19)
    elders.change_status(db, left_after, "已去世", "2026-11-03", "病故")
    elders.change_status(db, left_within, "已迁出", "2026-10-31", "随子女迁居")
    elders.change_status(db, away, "暂离", "2026-10-15", "住院")
    s = monthly.summary(db, "2026-10")
    assert s.total.col(1) == 2  # 留 and 后走
    ids = {d["id"]: d["status"] for d in monthly.details(db, "2026-10")}
    assert ids == {stays: "在册", left_after: "在册", away: "暂离"}
    assert monthly.summary(db, "2026-11").total.col(1) == 2  # 留 and 后来


def test_missing_values_fail_the_checks_and_name_the_elders(db):
    add(db, "全", "19500101", 11)
    add(db, "缺文化", "19500102", 13, education=None)
    add(db, "缺责任人", "19500103", 15, visitor=None)
    add(db, "缺照料", "19500104", 17, village="白云村", care=None)
    s = monthly.summary(db, "2026-10")
    failures = monthly.cross_checks(s)
    by_line = {(f.village, f.chain): f for f in failures}
    assert set(by_line) == {("红星村", 0), ("白云村", 1), ("合计", 0), ("合计", 1)}
    red = by_line[("红星村", 0)]
    assert red.parts[0] == ("第1列", 3)
    assert ("第10+11+12+13列", 2) in red.disagreeing and ("第14列", 2) in red.disagreeing
    assert {g.name for g in red.elders} == {"缺文化", "缺责任人"}
    text = monthly.failures_text(failures)
    assert "文化程度未填" in text and "未明确巡访责任人：第14列 ≠ 第1列" in text
    assert make_id("19500102", 13) in text and "照料情况未填" in text
    assert "白云村：第1列=1，但 第15+16列=0" in text


def test_the_second_chain_meets_column_1_so_blank_columns_are_never_sent_as_zeros(db):
    """A ledger without 照料/夫妻/外出/经济来源 used to pass (0 = 0 = 0 = 0); column 1 is now part of the chain, and
    each elder is named with what is missing."""
    add(db, "全", "19500101", 11)
    add(db, "空白", "19500102", 13, care=None, spouse=None, main_income=None, away_since=None)
    failures = [f for f in monthly.cross_checks(monthly.summary(db, "2026-10")) if f.chain == 1]
    red = next(f for f in failures if f.village == "红星村")
    assert red.parts == [("第1列", 2), ("第15+16列", 1), ("第17+18列", 1), ("第19+20+21+22列", 1),
                         ("第23+24+25+26+27列", 1)]
    described = red.elders[0].describe(1)
    for missing in ("照料情况未填", "夫妻情况未填", "赡养人外出时间未填", "主要经济来源未填"):
        assert missing in described
    assert described.startswith("空白（")


def test_all_four_groups_blank_for_everyone_is_refused_too(db):
    add(db, "甲", "19500101", 11, care=None, spouse=None, main_income=None, away_since=None)
    add(db, "乙", "19500102", 13, care=None, spouse=None, main_income=None, away_since=None)
    text = monthly.failures_text(monthly.cross_checks(monthly.summary(db, "2026-10")))
    assert "红星村：第1列=2，但 第15+16列=0、第17+18列=0、第19+20+21+22列=0、第23+24+25+26+27列=0" in text


def test_an_elder_under_sixty_fails_the_age_check(db):
    add(db, "年轻", "19700101", 11)
    failures = monthly.cross_checks(monthly.summary(db, "2026-10"))
    assert failures and "未满60周岁" in failures[0].elders[0].describe()


def test_a_malformed_month_is_a_chinese_error(db):
    with pytest.raises(UserError, match="月份“2026-13”"):
        monthly.summary(db, "2026-13")
    assert monthly.parse_month("2026年3月") == "2026-03"
    assert monthly.previous_month("2026-01") == "2025-12"


def _visit(db, elder_id: int, date: str, mode: str = "上门") -> None:
    db.execute("INSERT INTO visits(elder_id, date, mode) VALUES (?, ?, ?)", [elder_id, date, mode])


def test_visits_hazards_and_agreements_of_the_month(db):
    a = add(db, "甲", "19500101", 11, tier="重点")
    b = add(db, "乙", "19500102", 13)
    c = add(db, "丙", "19500103", 15, village="白云村")
    _visit(db, a, "2026-10-03")
    _visit(db, a, "2026-10-18")
    _visit(db, a, "2026-10-20", "电话")
    _visit(db, b, "2026-09-30")             # last month: not this month's
    _visit(db, b, "2026-10-10", "视频")
    _visit(db, c, "2026-11-01")             # next month
    db.execute("INSERT INTO hazards(elder_id, found_on, description, supporter_told_on) VALUES (?,?,?,?)",
               [a, "2026-10-03", "燃气管老化", "2026-10-03"])
    db.execute("INSERT INTO hazards(elder_id, found_on, description) VALUES (?,?,?)", [b, "2026-10-10", "取暖"])
    db.execute("INSERT INTO hazards(elder_id, found_on, description, resolved_on) VALUES (?,?,?,?)",
               [c, "2026-08-01", "用电", "2026-09-01"])   # closed before the month
    db.execute("INSERT INTO hazards(elder_id, found_on, description) VALUES (?,?,?)", [c, "2026-09-01", "=1+1"])
    rows = {r["village"]: r for r in monthly.visits_by_village(db, "2026-10")}
    red = rows["红星村"]
    assert (red["on_ledger"], red["key"], red["general"]) == (2, 1, 1)
    assert (red["home_visits"], red["remote_visits"], red["visited"], red["coverage"]) == (2, 2, 1, 50.0)
    assert (red["hazards"], red["supporters_told"]) == (2, 1)
    assert rows["合计"]["on_ledger"] == 3 and rows["合计"]["coverage"] == round(100 / 3, 1)
    assert rows["白云村"]["home_visits"] == 0
    hazards = monthly.hazards_of_month(db, "2026-10")
    assert [h["description"] for h in hazards] == ["燃气管老化", "取暖", "=1+1"]
    detail = {d["name"]: d for d in monthly.details(db, "2026-10")}
    assert detail["乙"]["last_home_visit"] == "2026-09-30" and detail["丙"]["last_home_visit"] is None

    def agreement(elder: int, status: str, start: str, end: str, terminated: str | None = None) -> None:
        db["agreements"].insert({"elder_id": elder, "template": "自理", "status": status, "start_date": start,
                                 "end_date": end, "terminated_on": terminated, "party_a_name": "子",
                                 "party_b_name": "邻"})
    agreement(a, "已签订", "2026-01-01", "2026-12-31")
    agreement(b, "已到期", "2025-10-01", "2026-10-01")     # ends on the 1st: active in the month
    agreement(c, "已解除", "2026-01-01", "2026-12-31", "2026-09-15")  # ended before
    agreement(c, "草稿", "2026-10-01", "2027-09-30")
    agreement(a, "已签订", "2026-11-01", "2027-10-31")     # starts after
    names = [x["name"] for x in monthly.agreements_of_month(db, "2026-10")]
    assert names == ["乙", "甲"]  # by start date


class _FakeSchedule:
    """Stands in for models.schedule (the overdue rule's home) to check how the sheet counts its items."""

    class Item:
        def __init__(self, elder_id: int, village: str, kind: str = "home"):
            self.elder_id, self.village, self.kind = elder_id, village, kind

    def __init__(self):
        self.asked = []

    def overdue(self, db, as_of, *, village=None, kinds=("home", "remote")):
        self.asked.append((as_of, kinds))
        return [self.Item(1, "红星村"), self.Item(1, "红星村"), self.Item(2, "红星村"), self.Item(3, "白云村")]


def test_visits_count_for_everyone_on_the_ledger_on_the_visits_day(db):
    """Someone who died on 20 October was visited on the 3rd and called on the 15th: those visits were made and
    count in October's 巡访情况 (as the hazard found that day); a visit dated after the death does not, nor one
    before the elder entered the ledger. 在册人数 and the coverage stay those of the month's end."""
    stays = add(db, "留", "19500101", 11)
    died = add(db, "故", "19500102", 13)
    late = add(db, "新", "19500103", 15, entered_on="2026-10-12")
    _visit(db, stays, "2026-10-05")
    _visit(db, died, "2026-10-03")
    _visit(db, died, "2026-10-15", "电话")
    _visit(db, late, "2026-10-01")            # before entering the ledger
    _visit(db, late, "2026-10-02")
    _visit(db, late, "2026-10-13")
    db.execute("INSERT INTO hazards(elder_id, found_on, description, supporter_told_on) VALUES (?,?,?,?)",
               [died, "2026-10-03", "燃气管老化", "2026-10-04"])
    elders.change_status(db, died, "已去世", "2026-10-20", "病故")
    _visit(db, died, "2026-10-25")            # recorded after the death: not a visit to someone on the ledger
    red = {r["village"]: r for r in monthly.visits_by_village(db, "2026-10")}["红星村"]
    assert (red["home_visits"], red["remote_visits"]) == (3, 1)
    assert (red["hazards"], red["supporters_told"]) == (1, 1)
    assert (red["on_ledger"], red["visited"], red["coverage"]) == (2, 2, 100.0)


def test_overdue_at_month_end_counts_elders_per_village_from_the_schedule(db, monkeypatch):
    fake = _FakeSchedule()
    monkeypatch.setattr(monthly, "schedule", fake)
    add(db, "甲", "19500101", 11)
    add(db, "乙", "19500102", 13, village="白云村")
    rows = {r["village"]: r["overdue"] for r in monthly.visits_by_village(db, "2026-02")}
    assert rows == {"红星村": 2, "白云村": 1, "合计": 3}
    assert fake.asked == [(dt.date(2026, 2, 28), ("home",))]


def test_a_voided_visit_leaves_the_months_figures(db):
    from township_desk.models import visits

    a = add(db, "甲", "19500101", 11)
    _visit(db, a, "2026-10-03")
    _visit(db, a, "2026-10-18")
    _visit(db, a, "2026-10-20", "电话")
    before = {r["village"]: r for r in monthly.visits_by_village(db, "2026-10")}["红星村"]
    assert (before["home_visits"], before["remote_visits"], before["visited"]) == (2, 1, 1)

    later, call = [r[0] for r in db.execute("SELECT id FROM visits WHERE date IN ('2026-10-18', '2026-10-20')"
                                            " ORDER BY date")]
    visits.void_visit(db, later, "重复登记", "李专干")
    visits.void_visit(db, call, "未接通", "李专干")
    after = {r["village"]: r for r in monthly.visits_by_village(db, "2026-10")}["红星村"]
    assert (after["home_visits"], after["remote_visits"], after["visited"]) == (1, 0, 1)
    assert monthly.details(db, "2026-10")[0]["last_home_visit"] == "2026-10-03"


def test_years_typed_on_the_form_become_a_date_that_keeps_counting(db):
    """The paper 登记表 asks for 外出务工年限 as a number: typed (or imported) on 2026-11-20 as 2 years for a son
    without an "away since" month, it is stored as 2024-11, so October 2026 reads 1–3 years and 2027-12 3–5."""
    elder_id = add(db, "甲", "19500101", 11, away_since=None, children_away_years=2)
    assert elders.supporters_of(db, elder_id)[0]["away_since"] == "2024-11"
    assert [c for c in range(19, 23) if monthly.summary(db, "2026-10").total.col(c)] == [20]
    assert [c for c in range(19, 23) if monthly.summary(db, "2027-12").total.col(c)] == [21]
    # a number typed later fills only supporters still without a date
    other = elders.save_elder(db, {"name": "乙", "id_number": make_id("19500102", 13), "village": "红星村", **COMPLETE},
                              [{"name": "李子"}, {"name": "李女", "away_since": "2010-05"}], today=TODAY).elder_id
    elders.save_elder(db, {"name": "乙", "id_number": make_id("19500102", 13), "children_away_years": 1},
                      elder_id=other, today=TODAY)
    assert [s["away_since"] for s in elders.supporters_of(db, other)] == ["2025-11", "2010-05"]


def test_a_tier_raised_while_unassessed_is_dated_so_the_month_before_keeps_its_tier(db):
    """An unassessed elder edited on 2026-11-20 to 无人照料 becomes 重点 then (待评估); October, already over, still
    counts them 一般."""
    elder_id = add(db, "甲", "19550101", 11)                       # 71, no risk factor: 一般
    assert elders.get_elder(db, elder_id)["tier"] == "一般"
    elders.save_elder(db, {"name": "甲", "id_number": make_id("19550101", 11), "care": "无人照料"}, elder_id=elder_id,
                      today=TODAY)
    assert elders.get_elder(db, elder_id)["tier"] == "重点"
    october = {r["village"]: r for r in monthly.visits_by_village(db, "2026-10")}["红星村"]
    november = {r["village"]: r for r in monthly.visits_by_village(db, "2026-11")}["红星村"]
    assert (october["key"], october["general"]) == (0, 1)
    assert (november["key"], november["general"]) == (1, 0)
