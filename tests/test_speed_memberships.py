"""Speed paths give what the plain definitions give, on a demo township with dated changes.

The groups are worked out in SQL (``groups.RULES``: one query for every elder, the same tests word the reasons of
the few shown). ``_python_groups`` below is the plain reading of seed 003 in Python, elder by elder, over the
record as ``field_history.values_on`` says it stood and the overrides read one by one: the SQL answers (with
reasons, sources and sub-kinds; ``member_names``; ``members``) must be exactly it, on a demo township, on
several days, with overrides, dated changes and supporters of every kind, under different policy settings."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from township_desk.models import (
    coverage,
    demo,
    elders,
    field_history,
    group_plans,
    groups,
    risk,
    schedule,
    settings,
    supporter_history,
)
from township_desk.models import db as dbm
from township_desk.models.dates import age_on

AS_OF = dt.date(2026, 11, 30)
DAYS = (AS_OF, dt.date(2026, 11, 1), dt.date(2026, 6, 30), dt.date(2026, 1, 31), dt.date(2025, 12, 31),
        dt.date(2025, 6, 15))


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    path = tmp_path_factory.mktemp("speed") / "demo.db"
    db = dbm.connect(path)
    demo.generate(db, elders=250, seed=5, as_of=AS_OF)
    ids = [r[0] for r in db.execute("SELECT id FROM elders ORDER BY id")]
    with db.atomic():
        # supporters of every kind the rules look at
        sup = [r[0] for r in db.execute("SELECT id FROM supporters ORDER BY id")]
        for k, sid in enumerate(sup[:120]):
            change = ("is_away = 0", "can_support = 0", "employer_type = '机关'", "rural_hukou = 0",
                      "away_since = NULL", "away_since = '2026-09'", "is_away = 0, can_support = 0",
                      "away_since = ''")[k % 8]
            db.execute(f"UPDATE supporters SET {change} WHERE id = ?", [sid])
        db.execute("DELETE FROM supporters WHERE elder_id IN (?, ?, ?)", ids[5:8])
        # city households living alone, 特困, couples, disabled of each grade, ability levels, 计划生育特殊家庭
        # grades as typed, spaces around them (a full-width one too), and none at all
        for elder_id, grade in zip(ids[240:245], ("\u3000二级", " 1级\t", "Ⅱ", None, "一 级"), strict=True):
            db.execute("UPDATE elders SET is_disabled = 1, disability_grade = ? WHERE id = ?", [grade, elder_id])
        for k, elder_id in enumerate(ids[10:90]):
            change = ("rural_hukou = 0, lives_alone = 1", "rural_hukou = 0, lives_alone = 1, hardship = '特困'",
                      "rural_hukou = 0, lives_alone = 1, spouse = '双方健在'", "hardship = '特困'",
                      "is_disabled = 1, disability_grade = '二级'", "is_disabled = 1, disability_grade = ' Ⅰ级'",
                      "is_disabled = 1, disability_grade = '三级'", "ability_level = 3", "ability_level = 1",
                      "family_planning_special = 1", "lost_only_child = 1", "birth_date = '1970-05-01'",
                      "birth_date = '1966-12-01'",
                      "rural_hukou = 0, hardship = '低保'", "lives_alone = 1, spouse = '一方健在'",
                      "status = '已不属于留守'")[k % 16]
            db.execute(f"UPDATE elders SET {change} WHERE id = ?", [elder_id])
    # dated changes: the record as it stood on an earlier day differs from today's
    with db.atomic():
        for k, elder_id in enumerate(ids[100:140]):
            field, old, new = (("lives_alone", 0, 1), ("ability_level", None, 3), ("rural_hukou", 1, 0),
                               ("birth_date", "1990-01-01", "1950-01-01"), ("is_disabled", 0, 1),
                               ("tier", "一般", "重点"), ("care", "无人照料", "有人照料"))[k % 7]
            db.execute(f"UPDATE elders SET {field} = ? WHERE id = ?", [new, elder_id])
            db.execute("INSERT INTO elder_field_history(elder_id, field, old_value, new_value, effective_on, source)"
                       " VALUES (?, ?, ?, ?, ?, 'test')", [elder_id, field, old, new, "2026-07-01"])
        # a field changed twice (the earlier change's old value holds before it), each field the groups read
        for k, elder_id in enumerate(ids[140:160]):
            field, first, second, third = (
                ("hardship", "", "特困", "低保"), ("spouse", "双方健在", None, "一方健在"),
                ("disability_grade", "三级", "二级", "一级"), ("family_planning_special", 0, 1, 0),
                ("lost_only_child", 1, 0, 1))[k % 5]
            db.execute(f"UPDATE elders SET {field} = ? WHERE id = ?", [third, elder_id])
            db.execute("INSERT INTO elder_field_history(elder_id, field, old_value, new_value, effective_on, source)"
                       " VALUES (?, ?, ?, ?, '2026-01-01', 'test'), (?, ?, ?, ?, '2026-08-01', 'test')",
                       [elder_id, field, first, second, elder_id, field, second, third])
    # supporters replaced on 2026-07-01 (dated): children came home, all supporters removed, first ones written
    with db.atomic():
        for k, elder_id in enumerate(ids[160:178]):
            before = [dict(r) for r in db.query("SELECT * FROM supporters WHERE elder_id = ? ORDER BY sort_order, id",
                                                [elder_id])]
            supporter_history.record(db, elder_id, before if k % 3 != 2 else [], "2026-07-01", "test")
            if k % 3 == 0:
                db.execute("UPDATE supporters SET is_away = 0 WHERE elder_id = ?", [elder_id])
            elif k % 3 == 1:
                db.execute("DELETE FROM supporters WHERE elder_id = ?", [elder_id])
    # overrides in and out of groups, one ended
    groups.set_override(db, ids[200], groups.SPECIAL, True, "重点优抚对象", "2026-01-01", sub_kind="重点优抚")
    groups.set_override(db, ids[201], groups.RURAL_LEFT_BEHIND, False, "子女已返乡", "2026-03-01")
    groups.set_override(db, ids[202], groups.URBAN_ALONE, True, "经核实独居", "2025-01-01")
    groups.set_override(db, ids[203], groups.ALONE, True, "暂住", "2025-01-01")
    groups.set_override(db, ids[203], groups.ALONE, False, "已有人同住", "2026-05-01")
    with db.atomic():  # two in force at once (written outside set_override): the later one holds
        db.execute("INSERT INTO elder_group_overrides(elder_id, group_name, sub_kind, member, reason, since) VALUES"
                   " (?, '特殊困难', '其他', 1, '低保边缘', '2026-02-01'), (?, '特殊困难', NULL, 0, '核实不属于',"
                   " '2025-03-01'), (?, '空巢', NULL, 0, '子女回乡', '2026-02-01'), (?, '空巢', NULL, 1, '子女外出',"
                   " '2026-02-01')", [ids[204]] * 4)
    yield db, ids
    db.close()


def _plain(db, day, ids=None) -> dict[int, list[str]]:
    return {i: groups.names(v) for i, v in groups.memberships(db, day, ids).items()}


# ---------------------------------------------------------------- the plain reading of seed 003, in Python

def _children_away(supporters):
    if not supporters:
        return False, ["未登记子女（赡养人），无法判断子女是否在外地"]
    home = [s for s in supporters if not s.get("is_away", 1)]
    return not home, [f"赡养人{s.get('name') or ''}住在本地" for s in home]


def _severe(grade) -> bool:
    return bool(re.match(r"^([12一二ⅠⅡ])(?:级)?", str(grade or "").strip()))


def _eligibility(elder, supporters, rules, as_of) -> list[str]:
    """认定 as the policy profile words it, supporter by supporter (the reasons it does not hold)."""
    reasons = []
    min_age = int(rules.get("min_age", 60))
    if elder.get("birth_date"):
        age = age_on(elder["birth_date"], as_of)
        if age < min_age:
            reasons.append(f"未满{min_age}周岁（{as_of.isoformat()} 时 {age} 周岁）")
    if not elder.get("rural_hukou", 1):
        reasons.append("不是农村户籍")
    if rules.get("exclude_extreme_poverty") and elder.get("hardship") == "特困":
        reasons.append("农村特困人员，按所选政策不认定为留守老年人")
    min_months = int(rules.get("min_absence_months", 6))
    if not supporters:
        reasons.append("未登记赡养人，无法判断是否留守")
    for s in supporters:
        who = f"赡养人{s.get('name') or ''}"
        if rules.get("exclude_state_employers", True) and s.get("employer_type") in elders.STATE_EMPLOYERS:
            reasons.append(f"{who}在{s['employer_type']}工作")
        if not s.get("rural_hukou", 1):
            reasons.append(f"{who}不是农村户籍")
        if not s.get("can_support", 1):
            continue  # present but without capacity to support: still left behind
        if not s.get("is_away", 1):
            reasons.append(f"{who}未外出务工且有赡养能力")
            continue
        if not s.get("away_since"):
            reasons.append(f"{who}的外出时间未填写")
            continue
        year, month = (int(p) for p in s["away_since"].split("-"))
        months = (as_of.year - year) * 12 + (as_of.month - month)
        if months < min_months:
            reasons.append(f"{who}外出{months}个月，不满{min_months}个月")
    return reasons


def _derive(elder, supporters, status, rules, on):
    """Each group's (group, member, reasons, sub_kind) from the record alone, as seed 003 reads."""
    out = []
    reasons = _eligibility(elder, supporters, rules, on)
    if status == "已不属于留守":
        reasons.append("状态为“已不属于留守”")
    out.append((groups.RURAL_LEFT_BEHIND, reasons))
    reasons = []
    min_age = int(rules.get("min_age", 60))
    if elder.get("birth_date") and age_on(elder["birth_date"], on) < min_age:
        reasons.append(f"未满{min_age}周岁")
    if elder.get("rural_hukou", 1):
        reasons.append("农村户籍")
    elif elder.get("hardship") == "特困":
        reasons.append("城市特困人员，不认定为城市独居老人")
    if not elder.get("lives_alone"):
        reasons.append("未登记为独居")
    if elder.get("spouse") == "双方健在":
        reasons.append("夫妻共同生活（夫妻双方健在），不认定为城市独居老人")
    _away, why = _children_away(supporters)
    out.append((groups.URBAN_ALONE, reasons + why))
    special = bool(elder.get("family_planning_special") or elder.get("lost_only_child"))
    out.append((groups.SPECIAL, [] if special else ["未登记为计划生育特殊家庭（重点优抚等由经办人认定）"]))
    out.append((groups.ALONE, [] if elder.get("lives_alone") else ["未登记为独居"]))
    out.append((groups.EMPTY_NEST, why))
    level = elder.get("ability_level")
    out.append((groups.DISABLED, [] if level is not None and int(level) >= risk.DISABLED_FROM_LEVEL else [
        "未评定能力等级" if level is None else f"能力等级为“{elders.ABILITY_LEVELS.get(int(level), level)}”"]))
    severe = bool(elder.get("is_disabled")) and _severe(elder.get("disability_grade"))
    out.append((groups.SEVERELY_DISABLED, [] if severe else [
        "未登记残疾" if not elder.get("is_disabled") else f"残疾等级为“{elder.get('disability_grade') or '未填写'}”"]))
    return [(g, not r, r, "计划生育特殊家庭" if g == groups.SPECIAL and not r else None) for g, r in out]


def _python_groups(db, day):
    """Per elder: [(group, member, reasons, source, sub_kind)] in GROUPS order, worked out elder by elder."""
    iso = day.isoformat()
    later = field_history.values_on(db, iso)
    rules = settings.get_all(db)
    supporters = supporter_history.supporters_on(db, iso)
    overrides = {}
    for o in db.query("SELECT * FROM elder_group_overrides WHERE since <= ? AND (until IS NULL OR until > ?)"
                      " ORDER BY since, id", [iso, iso]):
        overrides.setdefault(o["elder_id"], {})[o["group_name"]] = o
    result = {}
    for row in db.query(f"SELECT e.*, {elders.STATUS_ON_DAY_SQL} AS day_status FROM elders e", {"day": iso}):
        record = {**row, **later.get(row["id"], {})}
        verdicts = []
        for group, member, reasons, sub_kind in _derive(record, supporters.get(row["id"], []), row["day_status"],
                                                        rules, day):
            forced = overrides.get(row["id"], {}).get(group)
            if forced is None:
                verdicts.append((group, member, reasons, "derived", sub_kind))
            else:
                verdicts.append((group, bool(forced["member"]), [f"经办人认定：{forced['reason']}"], "override",
                                 forced["sub_kind"] if forced["member"] else None))
        result[row["id"]] = verdicts
    return result


def _as_tuples(verdicts):
    return {i: [(m.group, m.member, m.reasons, m.source, m.sub_kind) for m in v] for i, v in verdicts.items()}


@pytest.mark.parametrize("policy", [{}, {"exclude_extreme_poverty": True, "exclude_state_employers": False,
                                         "min_age": 65, "min_absence_months": 12}])
def test_the_groups_in_sql_are_the_plain_reading_of_the_rule_elder_by_elder(town, policy):
    """``memberships`` (reasons included), ``member_names`` and ``members`` against ``_python_groups`` on six days
    from 2025-06 to today: dated fields (changed once and twice), statuses, supporters of every kind and dated
    (replaced, removed, first written), overrides in and out, ended, replaced and overlapping."""
    db, ids = town
    before = settings.get_all(db)
    if policy:
        settings.put(db, policy)
    try:
        for day in DAYS:
            plain = _python_groups(db, day)
            assert _as_tuples(groups.memberships(db, day)) == plain, day
            some = ids[::9]
            assert _as_tuples(groups.memberships(db, day, some)) == {i: plain[i] for i in some}, day
            names = {i: [g for g, member, *_ in v if member] for i, v in plain.items()}
            assert groups.member_names(db, day) == names, day
            assert groups.member_names(db, day, some) == {i: names[i] for i in some}, day
            for group in groups.GROUPS:
                assert groups.members(db, group, day) == sorted(i for i, found in names.items() if group in found)
        # not vacuous: every test of every group keeps somebody out on some day, every group has members
        today = _python_groups(db, AS_OF)
        for group in groups.GROUPS:
            assert 0 < sum(dict((g, m) for g, m, *_ in v)[group] for v in today.values()) < len(today), group
        said = {r for day in (AS_OF, DAYS[3]) for v in _python_groups(db, day).values() for _g, _m, rs, *_ in v
                for r in rs}
        assert any(r.startswith("状态为") for r in said) and any("经办人认定" in r for r in said)
        assert any("外出" in r and "不满" in r for r in said) and any(r.startswith("残疾等级为") for r in said)
    finally:
        settings.put(db, {k: before[k] for k in policy})


def test_the_record_on_a_day_in_one_pass_is_the_plain_reading_of_the_history(town):
    """``field_history.values_on_sql`` + ``on_day_column`` (the groups' dated record) against ``values_on``."""
    db, _ids = town
    fields = (*FIELDS, "hardship", "spouse", "disability_grade", "family_planning_special", "lost_only_child")
    for day in DAYS:
        earlier = field_history.values_on(db, day)
        columns = ", ".join(field_history.on_day_column(f) for f in fields)
        sql_rows = {r[0]: tuple(r[1:]) for r in db.execute(
            f"SELECT e.id, {columns} FROM elders e LEFT JOIN {field_history.values_on_sql(fields)} h"
            " ON h.elder_id = e.id", {"day": day.isoformat()})}
        plain = {}
        for row in db.execute(f"SELECT id, {', '.join(fields)} FROM elders"):
            values = dict(zip(fields, row[1:], strict=True))
            values.update({k: v for k, v in earlier.get(row[0], {}).items() if k in fields})
            plain[row[0]] = tuple(values[f] for f in fields)
        assert sql_rows == plain, day


@pytest.mark.parametrize("policy", [{}, {"exclude_extreme_poverty": True, "exclude_state_employers": False,
                                         "min_age": 65, "min_absence_months": 12}])
def test_fast_group_reading_matches_the_plain_definition(town, policy):
    db, ids = town
    before = settings.get_all(db)
    if policy:
        settings.put(db, policy)
    try:
        for day in DAYS:
            fast = groups.member_names(db, day)
            assert fast == _plain(db, day), day
            some = ids[::7]
            assert groups.member_names(db, day, some) == _plain(db, day, some)
        # not vacuous: every group has members and non-members today
        today = groups.member_names(db, AS_OF)
        for group in groups.GROUPS:
            assert 0 < sum(group in found for found in today.values()) < len(today), group
        for group in groups.GROUPS:
            assert groups.members(db, group, AS_OF) == sorted(
                i for i, verdicts in groups.memberships(db, AS_OF).items()
                if any(m.group == group and m.member for m in verdicts))
    finally:
        settings.put(db, {k: before[k] for k in policy})


def test_coverage_counts_each_group_as_its_members_plainly_counted(town):
    db, _ids = town
    for month, as_of in (("2026-11", AS_OF), ("2026-06", None), ("2025-12", None)):
        rows = coverage.totals(coverage.month_coverage(db, month, as_of=as_of))
        day = coverage.month_day(month, as_of)
        plain = _plain(db, day)
        on_ledger = {r[0] for r in db.execute(
            f"SELECT e.id FROM elders e WHERE {groups.elders.STATUS_ON_DAY_SQL} = '在册'", {"day": day.isoformat()})}
        for row in rows:
            if row.group == coverage.ALL_LABEL:
                assert row.people == len(on_ledger)
            else:
                assert row.people == sum(1 for i in on_ledger if row.group in plain[i]), (month, row.group)


FIELDS = ("tier", "village_id", "visitor_id", "ability_level", "lives_alone", "birth_date", "care")


def test_a_field_on_a_day_in_sql_is_the_plain_reading_of_the_history(town):
    """``field_history.on_day_sql`` (only the elders changed after the day look at their history) against
    ``values_on`` over today's record, the plain definition."""
    db, _ids = town
    for day in DAYS:
        earlier = field_history.values_on(db, day)
        columns = ", ".join(field_history.on_day_sql(f) for f in FIELDS)
        sql_rows = {r[0]: tuple(r[1:]) for r in db.execute(f"SELECT e.id, {columns} FROM elders e",
                                                            {"day": day.isoformat()})}
        plain = {}
        for row in db.execute(f"SELECT id, {', '.join(FIELDS)} FROM elders"):
            values = dict(zip(FIELDS, row[1:], strict=True))
            values.update({k: v for k, v in earlier.get(row[0], {}).items() if k in FIELDS})
            plain[row[0]] = tuple(values[f] for f in FIELDS)
        assert sql_rows == plain, day
        assert any(earlier.values()) or day == AS_OF


def test_the_plan_tier_is_the_plain_dated_rule(town):
    """``group_plans.tier_sql`` reads today's record for elders with nothing recorded after the day; the plain
    definition reads every elder's record as it stood that day."""
    db, _ids = town
    rules = group_plans.KEY_RULES
    stored = field_history.on_day_sql("tier")
    dated = " OR ".join(f"({c})" for c in group_plans.rule_sql(rules).values())
    plain = f"CASE WHEN ({stored}) = '重点' THEN '重点' WHEN {dated} THEN '重点' ELSE '一般' END"
    for day in DAYS:
        fast = db.execute(f"SELECT e.id, {group_plans.tier_sql(stored, rules)} FROM elders e ORDER BY e.id",
                          {"day": day.isoformat()}).fetchall()
        assert fast == db.execute(f"SELECT e.id, {plain} FROM elders e ORDER BY e.id",
                                  {"day": day.isoformat()}).fetchall(), day
        assert {t for _i, t in fast} == {"重点", "一般"}


@pytest.mark.parametrize("home_counts", [False, True])
def test_last_weeks_contacts_are_the_plain_count_of_the_weeks_visits(town, home_counts):
    """The overdue list counts last week's contacts in one pass over the week's visits: each elder short of
    contacts shows the count a plain lookup of that elder's visits gives, and everyone listed is short."""
    db, _ids = town
    settings.put(db, {"plan_home_counts_as_contact": home_counts})
    try:
        seen = 0
        for day in DAYS:
            week = schedule.last_complete_week(day)
            modes = ("电话", "视频", "上门") if home_counts else ("电话", "视频")
            for item in schedule.overdue(db, day, kinds=("remote",)):
                plain = db.execute(
                    f"SELECT COUNT(*) FROM live_visits WHERE elder_id = ? AND date BETWEEN ? AND ?"
                    f" AND mode IN ({','.join('?' * len(modes))})",
                    [item.elder_id, week[0].isoformat(), week[1].isoformat(), *modes]).fetchone()[0]
                assert item.contacts == plain < item.required
                assert item.shortfall == item.required - plain
                seen += 1
        assert seen
    finally:
        settings.put(db, {"plan_home_counts_as_contact": False})


def test_the_overdue_list_is_remembered_only_while_nothing_is_written(town):
    """``schedule.overdue`` answers a question asked again on the same connection from memory (the 首页 asks it
    three times); a write on this connection or a commit on another gives a fresh answer."""
    db, ids = town
    path = db.execute("PRAGMA database_list").fetchone()[2]
    other = dbm.connect(path, migrate=False)
    try:
        def fresh(kinds=schedule.KINDS):
            setattr(db, schedule._MEMO, None)
            return schedule.overdue(db, AS_OF, kinds=kinds)

        interval = settings.get_all(db)["plan_general_home_days"]
        every = fresh()
        home = fresh(("home",))
        assert home and len(home) < len(every)
        schedule.overdue(db, AS_OF)
        assert schedule.overdue(db, AS_OF, kinds=("home",)) == home  # the remembered list, filtered
        assert schedule.overdue(db, AS_OF) == every
        # another connection commits: a shorter interval lists more elders
        settings.put(other, {"plan_general_home_days": interval - 10})
        after = schedule.overdue(db, AS_OF, kinds=("home",))
        assert after == fresh(("home",)) and len(after) > len(home)
        # this connection writes: back to the first answer
        settings.put(db, {"plan_general_home_days": interval})
        assert schedule.overdue(db, AS_OF, kinds=("home",)) == home
        # a different question is not answered from memory
        assert schedule.overdue(db, AS_OF, village=every[0].village) == [i for i in every
                                                                         if i.village == every[0].village]
    finally:
        other.close()


def _plain_month(db, first, day):
    """Per elder 在册 on ``day``: (home visits, any contact) from ``first`` to ``day``, counted visit by visit."""
    on_ledger = {r[0] for r in db.execute(
        f"SELECT e.id FROM elders e WHERE {groups.elders.STATUS_ON_DAY_SQL} = '在册'", {"day": day.isoformat()})}
    home, contact = dict.fromkeys(on_ledger, 0), dict.fromkeys(on_ledger, False)
    for elder_id, mode in db.execute("SELECT elder_id, mode FROM live_visits WHERE date BETWEEN ? AND ?",
                                     [first.isoformat(), day.isoformat()]):
        if elder_id in on_ledger:
            home[elder_id] += mode == "上门"
            contact[elder_id] |= mode in ("上门", "电话", "视频")
    return home, contact


@pytest.mark.parametrize(("month", "as_of"), [("2026-11", AS_OF), ("2026-06", None), ("2025-12", None)])
def test_the_months_visits_per_elder_are_the_plain_count(town, month, as_of):
    """本月未上门, the month's visit rate and the 探访关爱 coverage count the month's visits in one grouped pass;
    the plain definition looks at each elder's visits."""
    db, _ids = town
    first = dt.date.fromisoformat(month + "-01")
    day = coverage.month_day(month, as_of)
    home, contact = _plain_month(db, first, day)
    everyone = coverage.totals(coverage.month_coverage(db, month, as_of=as_of))[-1]
    assert (everyone.people, everyone.home_visited, everyone.contacted) == (
        len(home), sum(n > 0 for n in home.values()), sum(contact.values()))
    if as_of is None:  # a whole month: the 月探访率 and the list of who was not visited
        assert schedule.monthly_visit_rate(db, month)[:2] == (sum(n > 0 for n in home.values()), len(home))
        unvisited = schedule.unvisited_in_month(db, month)
        assert sorted(r["elder_id"] for r in unvisited) == sorted(i for i, n in home.items() if n == 0)
        assert all(r["last_home_visit"] is None or r["last_home_visit"] < first.isoformat() for r in unvisited)


@pytest.mark.parametrize(("month", "as_of", "group"), [("2026-11", AS_OF, None), ("2026-06", None, None),
                                                       ("2025-12", None, None), ("2026-11", AS_OF, groups.ALONE)])
def test_coverage_rows_are_the_plain_count_elder_by_elder(town, month, as_of, group):
    """Every row of the 探访关爱 figures (village × group, and 合计) against a count made elder by elder and group
    by group with the plain group reading."""
    db, _ids = town
    first, day = dt.date.fromisoformat(month + "-01"), coverage.month_day(month, as_of)
    plain = _plain(db, day)
    late = {i.elder_id for i in schedule.overdue(db, day, kinds=("home",))}
    wanted = (group,) if group else groups.GROUPS
    counts: dict[tuple[str, str], list[int]] = {}
    for p in coverage._people(db, first, day):
        lines = [g for g in wanted if g in plain[p["id"]]] + ([] if group else [coverage.ALL_LABEL])
        for name in lines:
            for village in (p["village"], coverage.TOTAL_LABEL):
                row = counts.setdefault((village, name), [0, 0, 0, 0, 0])
                for k, fact in enumerate((True, p["tier"] == "重点", p["contacted"], p["home"], p["id"] in late)):
                    row[k] += bool(fact)
    got = {(r.village, r.group): [r.people, r.key, r.contacted, r.home_visited, r.overdue]
           for r in coverage.month_coverage(db, month, group=group, as_of=as_of)}
    assert {k: v for k, v in got.items() if v[0]} == counts
    assert sum(v[4] for k, v in counts.items() if k[0] != coverage.TOTAL_LABEL) > 0 or group


def test_a_record_as_typed_is_judged_by_the_same_tests_as_the_ledger():
    """``elders.eligibility`` (the editor's 认定 line, a record not yet saved) runs ``LEFT_BEHIND_TESTS`` on the
    record alone: against the plain reading for records with keys missing, empty, None, dates as objects, and
    supporters of every kind, under two policies."""
    elders_given = [
        {"birth_date": "1945-03-12"}, {"birth_date": dt.date(1970, 1, 1), "rural_hukou": 0},
        {"birth_date": "1966-12-01", "rural_hukou": 1, "hardship": "特困"}, {"birth_date": None, "hardship": ""},
        {"birth_date": "1966-11-30", "rural_hukou": None}, {"birth_date": "", "rural_hukou": True},
        {"birth_date": "1961-12-01", "rural_hukou": False, "hardship": "特困"},
    ]
    supporters_given = [
        [], [{"name": "张小明", "away_since": "2024-03"}], [{"name": None, "is_away": 0, "can_support": 0}],
        [{"name": "李", "away_since": "2026-09", "employer_type": "机关"}, {"name": "王", "is_away": 0}],
        [{"name": "赵", "away_since": "", "rural_hukou": 0}, {"name": "钱", "away_since": None, "is_away": True}],
        [{"name": "孙", "away_since": "2026-05", "employer_type": "企业", "can_support": None},
         {"name": "周", "away_since": "2026-06", "is_away": 1, "can_support": 1, "rural_hukou": 1}],
    ]
    policies = [{}, {"exclude_extreme_poverty": True, "exclude_state_employers": False, "min_age": 65,
                     "min_absence_months": 12}]
    seen = set()
    for rules in policies:
        for elder in elders_given:
            for supporters in supporters_given:
                for day in (AS_OF, dt.date(2026, 11, 1)):
                    plain = _eligibility(elder, supporters, rules, day)
                    verdict = elders.eligibility(elder, supporters, rules, day)
                    assert (verdict.holds, verdict.reasons) == (not plain, plain), (elder, supporters, rules)
                    seen.update(r[:4] for r in plain)
                    seen.add(verdict.holds)
    assert True in seen and len(seen) >= 8
