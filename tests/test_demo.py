"""The demo township (models.demo) and ``township-desk demo``: deterministic, valid, refuses a real ledger."""

from __future__ import annotations

import datetime as dt

import pytest

from township_desk.models import db as dbm
from township_desk.models import demo, elders, idnumber, settings
from township_desk.models.errors import UserError
from township_desk.models.names import full_pinyin, normalise_phone

AS_OF = dt.date(2026, 11, 22)
LEDGER_TABLES = ("settings", "villages", "visitors", "elders", "supporters", "status_changes")
TIMESTAMPS = {"created_at", "updated_at", "at"}


def _dump(db) -> dict[str, list[tuple]]:
    """Every row of every table; the ledger tables in full, the others without clock timestamps (and without the
    database's own identity, a fresh UUID for every file)."""
    out = {}
    for table in db.table_names():
        if table in ("audit_log", "_sqlite_migrations", "ledger_identity") or table.startswith("sqlite_"):
            continue
        columns = [c.name for c in db[table].columns]
        if table not in LEDGER_TABLES:
            columns = [c for c in columns if c not in TIMESTAMPS]
        select = ", ".join(f"[{c}]" for c in columns)
        out[table] = db.execute(f"SELECT {select} FROM [{table}] ORDER BY rowid").fetchall()
    return out


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """One 500-elder demo township shared by the read-only checks below."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = dbm.connect(path)
    summary = demo.generate(database, elders=500, seed=7, as_of=AS_OF)
    yield database, summary
    database.close()


def _elders(db) -> list[dict]:
    return list(db.query("SELECT * FROM elders ORDER BY id"))


def test_same_seed_writes_identical_rows(tmp_path):
    dumps = []
    for name in ("a.db", "b.db"):
        database = dbm.connect(tmp_path / name)
        demo.generate(database, elders=150, seed=11, as_of=AS_OF)
        dumps.append(_dump(database))
        database.close()
    assert dumps[0]["elders"] and dumps[0] == dumps[1]


def test_different_seed_writes_different_elders(tmp_path):
    names = []
    for seed in (1, 2):
        database = dbm.connect(tmp_path / f"{seed}.db")
        demo.generate(database, elders=100, seed=seed, as_of=AS_OF)
        names.append([r[0] for r in database.execute("SELECT id_number FROM elders ORDER BY id")])
        database.close()
    assert names[0] != names[1]
    assert not set(names[0]) & set(names[1])


def test_every_id_number_is_valid_and_matches_sex_and_birth(town):
    db, _summary = town
    rows = _elders(db)
    assert len({r["id_number"] for r in rows}) == len(rows) == 500
    for r in rows:
        check = idnumber.check(r["id_number"], today=AS_OF)
        assert check.ok, (r["id_number"], check.error)
        assert not check.warnings, (r["id_number"], check.warnings)
        assert check.sex == r["sex"] and check.birth_date.isoformat() == r["birth_date"]


def test_every_demo_elder_has_the_full_pinyin_of_the_name(town):
    db, _summary = town
    rows = list(db.query("SELECT name, name_pinyin FROM elders"))
    assert rows and all(r["name_pinyin"] == full_pinyin(r["name"]) != "" for r in rows)


def test_everyone_is_60_to_100_and_most_are_65_to_80(town):
    db, _summary = town
    ages = [idnumber.age_on(r["birth_date"], AS_OF) for r in _elders(db)]
    assert min(ages) >= 60 and max(ages) <= 100
    assert all(1926 <= int(r["birth_date"][:4]) <= 1966 for r in _elders(db))
    assert sum(65 <= a <= 80 for a in ages) > len(ages) / 2


def test_every_record_passes_the_ledger_checks(town):
    """What the window's own checks would say about each row: no errors, phones stored as normalised."""
    db, _summary = town
    fields = [f for f in elders.ELDER_FIELDS if f not in ("village", "visitor")]
    for r in _elders(db):
        data = {f: r[f] for f in fields}
        data["income_sources"] = r["income_sources"].split(",")
        row, problems = elders.prepare_elder(data, today=AS_OF)
        assert not [p for p in problems if p.severity == "error"], (r["name"], problems)
        assert not [p for p in problems if p.field in ("sex", "birth_date", "phone")], (r["name"], problems)
        assert row["name"] == r["name"] and row["income_sources"] == r["income_sources"]
        assert r["main_income"] in r["income_sources"].split(",")
        if r["phone"]:
            assert normalise_phone(r["phone"]) == (r["phone"], None)
        assert r["current_address"] and r["household_address"].endswith(r["current_address"]) or "镇" in r["current_address"]


def test_health_and_household_mix_is_present(town):
    db, _summary = town
    rows = _elders(db)
    assert {elders.health_of(r) for r in rows} == {"健康", "患病", "残疾"}
    assert all(r["disability_category"] and r["disability_grade"] for r in rows if r["is_disabled"])
    assert all(r["illness_type"] for r in rows if r["is_ill"])
    assert {r["ability_level"] for r in rows} == {0, 1, 2, 3, 4}
    assert {r["education"] for r in rows} == set(elders.EDUCATION)
    assert {r["hardship"] for r in rows} >= {"", "低保", "低保边缘"}
    assert any(r["lives_alone"] for r in rows) and any(r["has_dementia"] for r in rows)
    assert {r["tier"] for r in rows} == {"重点", "一般"}
    assert not [r for r in rows if r["lives_alone"] and r["spouse"] == "双方健在"]


def test_status_mix_and_history_agree(town):
    db, summary = town
    assert set(summary.by_status) == set(elders.STATUSES)
    assert summary.by_status["在册"] > 400
    for r in _elders(db):
        history = elders.status_history(db, r["id"])
        assert history[0]["old_status"] is None and history[0]["reason"] == "纳入台账"
        assert history[0]["date"] == r["entered_on"]
        assert history[-1]["new_status"] == r["status"]
        assert all(r["entered_on"] <= h["date"] <= AS_OF.isoformat() for h in history)
        assert [h["date"] for h in history] == sorted(h["date"] for h in history)
        if r["status"] != "在册":
            assert r["status_date"] == history[-1]["date"] and r["status_reason"] == history[-1]["reason"]
        entered = dt.date.fromisoformat(r["entered_on"])
        assert idnumber.age_on(r["birth_date"], entered) >= 60
    returned = db.execute("SELECT COUNT(*) FROM status_changes WHERE old_status = '暂离' AND new_status = '在册'")
    assert returned.fetchone()[0] > 0


def test_a_handful_have_no_visitor_and_the_rest_an_existing_one(town):
    db, summary = town
    rows = _elders(db)
    without = [r for r in rows if r["visitor_id"] is None]
    assert 1 <= len(without) <= len(rows) * 0.03
    assert summary.without_visitor == len(without)
    visitor_ids = {v["id"] for v in db.query("SELECT id FROM visitors")}
    assert all(r["visitor_id"] in visitor_ids for r in rows if r["visitor_id"] is not None)
    roles = {v["role"] for v in db.query("SELECT role FROM visitors")}
    assert roles == {"村干部", "网格员", "民政专员", "社工", "志愿者", "亲朋邻里", "第三方机构"}


def test_villages_and_settings_describe_one_township(town):
    db, summary = town
    villages = list(db.query("SELECT * FROM villages"))
    assert 6 <= len(villages) <= 12 and all(v["committee"] and v["staff_name"] for v in villages)
    values = settings.get_all(db)
    assert values["township_name"] == summary.township and values["county_name"] == "峨眉山市"
    assert values["unit_head"] and values["preparer"] and values["office_phone"]
    for v in villages:  # every village has elders and its own visitors
        assert db.execute("SELECT COUNT(*) FROM elders WHERE village_id = ?", [v["id"]]).fetchone()[0]
        assert db.execute("SELECT COUNT(*) FROM visitors WHERE village_id = ?", [v["id"]]).fetchone()[0] >= 2


def test_supporters_work_away_and_most_registered_elders_qualify(town):
    db, _summary = town
    rules = settings.get_all(db)
    # the 留守 rule is for rural households; the community's city households are checked as 城市独居 (below)
    registered = [r for r in _elders(db) if r["status"] == "在册" and r["rural_hukou"]]
    qualifying = 0
    for r in registered:
        supporters = elders.supporters_of(db, r["id"])
        assert 1 <= len(supporters) <= 3
        assert all(s["work_place"] and s["relation"] for s in supporters)
        qualifying += elders.eligibility(r, supporters, rules, AS_OF).holds
    assert 0.9 * len(registered) <= qualifying < len(registered)  # real ledgers have a few gaps
    gone = [r for r in _elders(db) if r["status"] == "已不属于留守"]
    assert gone and not any(elders.eligibility(r, elders.supporters_of(db, r["id"]), rules, AS_OF).holds
                            for r in gone)


def test_refuses_a_database_that_already_has_elders(town):
    db, _summary = town
    before = _dump(db)
    with pytest.raises(UserError, match="已有 500 位老人"):
        demo.generate(db, elders=10, seed=1, as_of=AS_OF)
    assert _dump(db) == before


@pytest.mark.parametrize("cancel_at", [2, 5])  # while drawing the elders; after the ledger rows are inserted
def test_cancel_leaves_the_database_empty(db, cancel_at):
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) >= cancel_at

    texts = []
    with pytest.raises(UserError, match="已取消"):
        demo.generate(db, elders=2500, seed=1, as_of=AS_OF, check_cancelled=cancelled,
                      progress=lambda _d, _t, text: texts.append(text))
    assert ("正在写入数据库……" in texts) == (cancel_at == 5)
    for table in ("elders", "villages", "visitors", "supporters", "status_changes", "settings"):
        assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table


def test_a_missing_extension_step_is_an_error_and_writes_nothing(db, monkeypatch):
    from township_desk.models.demo import township

    monkeypatch.setattr(township, "EXTENSION_STEPS", (("not_written_yet", "……"),))
    with pytest.raises(ModuleNotFoundError):
        demo.generate(db, elders=20, seed=1, as_of=AS_OF)
    assert db.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 0


def test_progress_reports_each_stage(db):
    seen = []
    demo.generate(db, elders=1200, seed=1, as_of=AS_OF, progress=lambda d, t, text: seen.append((d, t, text)))
    texts = [t for _d, _t, t in seen]
    assert texts[0] == "正在生成村（社区）和巡访责任人……" and texts[-1] == "演示数据已生成"
    assert (1000, 1200, "正在生成老人台账……") in seen


def test_cli_writes_the_demo_and_prints_a_summary(tmp_path, capsys):
    from township_desk.cli import main

    path = tmp_path / "cli.db"
    code = main(["demo", "--db", str(path), "--elders", "60", "--seed", "3", "--as-of", "2026-11-22"])
    out = capsys.readouterr().out
    assert code == 0
    assert "老人：60 人" in out and "村（社区）：" in out and "巡访责任人：" in out
    database = dbm.connect(path)
    assert database.execute("SELECT COUNT(*) FROM elders").fetchone()[0] == 60
    database.close()


def test_cli_refuses_without_db_and_into_a_ledger(tmp_path, capsys):
    from township_desk.cli import main

    assert main(["demo", "--elders", "5"]) == 2
    assert "--db" in capsys.readouterr().err
    path = tmp_path / "ledger.db"
    assert main(["demo", "--db", str(path), "--elders", "5", "--as-of", "2026-11-22"]) == 0
    capsys.readouterr()
    assert main(["demo", "--db", str(path), "--elders", "5"]) == 2
    assert "已有 5 位老人" in capsys.readouterr().err


def test_cli_rejects_a_bad_elder_count(tmp_path, capsys):
    from township_desk.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--db", str(tmp_path / "x.db"), "--elders", "0"])
    assert exit_.value.code == 2
    assert "老人人数" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_the_demos_last_complete_month_exports_and_its_gaps_sit_in_the_current_month(tmp_path, capsys):
    """A newcomer's first export works: demo, then the county workbook of the last complete month (exit 0). The
    deliberate gap (elders still without a visitor) is this month's newcomers, which the current month names."""
    from township_desk.cli import main
    from township_desk.models import monthly

    path = tmp_path / "demo.db"
    assert main(["demo", "--db", str(path), "--seed", "1", "--as-of", "2026-11-22"]) == 0
    target = tmp_path / "2026-10.xlsx"
    code = main(["export-monthly", "--db", str(path), "--month", "2026-10", "-o", str(target)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert target.is_file()
    database = dbm.connect(path)
    without = list(database.query("SELECT name, entered_on FROM elders WHERE visitor_id IS NULL"))
    assert len(without) >= 3 and all(r["entered_on"] >= "2026-11-01" for r in without)
    named = monthly.failures_text(monthly.cross_checks(monthly.summary(database, "2026-11")))
    assert all(r["name"] in named for r in without)
    database.close()


def test_the_community_has_urban_elders_living_alone_and_special_hardship_elders(town):
    """Seed 003's other two groups in the demo, as ``models.groups`` derives them: 城市独居 (city household, living
    alone, children away), and 特殊困难 (计划生育特殊家庭 from the record, 重点优抚 by the clerk's override with its
    reason); the exclusions shown with their reasons (a couple living together, 城市特困)."""
    from township_desk.models import groups

    db, _summary = town
    verdicts = groups.memberships(db, AS_OF)
    community = {r["id"]: r for r in db.query(
        "SELECT e.* FROM elders e JOIN villages v ON v.id = e.village_id WHERE v.name LIKE '%社区' AND e.rural_hukou = 0")}
    assert len(community) == 500 // 20
    by_id = {i: {m.group: m for m in v} for i, v in verdicts.items()}
    urban_alone = [i for i in community if by_id[i]["城市独居"].member]
    assert len(urban_alone) >= 10
    for i in urban_alone:
        assert community[i]["lives_alone"] and community[i]["status"] == "在册"
        assert not by_id[i]["农村留守"].member and "农村户籍" not in by_id[i]["城市独居"].reasons
    couples = [i for i in community if community[i]["spouse"] == "双方健在"]
    assert couples and all(not by_id[i]["城市独居"].member and by_id[i]["特殊困难"].member for i in couples)
    assert all("夫妻共同生活（夫妻双方健在），不认定为城市独居老人" in by_id[i]["城市独居"].reasons for i in couples)
    poor = [i for i in community if community[i]["hardship"] == "特困"]
    assert poor and all(by_id[i]["城市独居"].reasons == ["城市特困人员，不认定为城市独居老人"] for i in poor)
    assert all(by_id[i]["独居"].member for i in poor)
    special = {m.sub_kind for v in by_id.values() for m in v.values() if m.group == "特殊困难" and m.member}
    assert special == {"计划生育特殊家庭", "重点优抚"}
    priority = [v["特殊困难"] for v in by_id.values() if v["特殊困难"].sub_kind == "重点优抚"]
    assert all(m.source == "override" and m.reasons[0].startswith("经办人认定：重点优抚对象（") for m in priority)
    assert any(by_id[i]["农村留守"].member for i, v in by_id.items() if v["特殊困难"].sub_kind == "重点优抚")
    grid = db.execute("SELECT COUNT(*) FROM visitors x JOIN villages v ON v.id = x.village_id"
                      " WHERE x.role = '网格员' AND v.name LIKE '%社区'").fetchone()[0]
    assert grid >= 1
