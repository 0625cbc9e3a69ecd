"""Visitor kinds (巡访责任人类别, migration 11): 网格员 allowed, 第三方机构 named, existing visitors kept as they were,
and the kind shown where the clerk reads it (工作量, 告知卡)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import sqlite_utils
from conftest import VALID_IDS

from township_desk.models import db as dbm
from township_desk.models import elders, visitors, visits
from township_desk.models.errors import UserError
from township_desk.models.migrations import load_step

TODAY = dt.date(2026, 11, 22)
VISITOR_COLUMNS = "id, name, phone, role, organisation, village_id, active, row_version"


def ledger_at_version_10(path) -> None:
    """A real ledger file as the previous version left it: visitors of several kinds (one 第三方机构 never given its
    organisation's name), elders assigned to them, visits they made, one visitor edited (row version 2)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    old = sqlite_utils.Database(conn)
    for number in range(1, 11):
        with old.atomic():
            load_step(number).apply(old)
            old.execute(f"PRAGMA user_version = {number}")
    with old.atomic():
        old.execute("INSERT INTO villages(id, name) VALUES (1, '青山村')")
        old.execute("INSERT INTO visitors(id, name, phone, village_id) VALUES (3, '王村官', '13900001111', 1)")
        old.execute("INSERT INTO visitors(id, name, phone, role, organisation) VALUES (5, '李社工', '13900002222', '社工',"
                    " '青山镇社工站')")
        old.execute("INSERT INTO visitors(id, name, phone, role, active) VALUES (8, '赵机构', '13900003333', '第三方机构', 0)")
        old.execute("UPDATE visitors SET phone = '13900001112' WHERE id = 3")  # row_version 2
        for n, visitor in ((0, 3), (1, 5)):
            elder = elders.save_elder(old, {"name": f"张{'一二'[n]}", "id_number": VALID_IDS[n], "village": "青山村"},
                                      today=TODAY).elder_id
            old.execute("UPDATE elders SET visitor_id = ? WHERE id = ?", [visitor, elder])
            old.execute("INSERT INTO visits(elder_id, date, mode, visitor_id, visitor_name) VALUES (?, ?, '上门', ?, ?)",
                        [elder, "2026-11-02", visitor, "x"])
    conn.close()


def test_migration_11_keeps_every_visitor_and_what_points_at_them(db_path):
    ledger_at_version_10(db_path)
    raw = sqlite3.connect(db_path)
    before = raw.execute(f"SELECT {VISITOR_COLUMNS} FROM visitors ORDER BY id").fetchall()
    assignments = raw.execute("SELECT id, visitor_id FROM elders ORDER BY id").fetchall()
    raw.close()
    database = dbm.connect(db_path)
    assert dbm.schema_version(database) >= 11
    assert database.execute(f"SELECT {VISITOR_COLUMNS} FROM visitors ORDER BY id").fetchall() == before
    assert [r[3] for r in before] == ["村干部", "社工", "第三方机构"]  # the default kind of the old rows is kept
    assert database.execute("SELECT id, visitor_id FROM elders ORDER BY id").fetchall() == assignments
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    assert database.execute("SELECT COUNT(*) FROM visits WHERE visitor_id IN (3, 5)").fetchone()[0] == 2
    # still one visitor per name and phone, and edits still move the row version
    with pytest.raises(sqlite3.IntegrityError):
        database.execute("INSERT INTO visitors(name, phone) VALUES ('王村官', '13900001112')")
    database.execute("UPDATE visitors SET phone = '13900001113' WHERE id = 3")
    assert database.execute("SELECT row_version FROM visitors WHERE id = 3").fetchone()[0] == 3
    # and 网格员 is now a kind a visitor may have
    saved = visitors.save_visitor(database, {"name": "周网格", "phone": "13900004444", "role": "网格员"})
    assert database.execute("SELECT role FROM visitors WHERE id = ?", [saved.visitor_id]).fetchone()[0] == "网格员"
    assert dbm.missing_schema(database.conn, dbm.schema_version(database)) == []
    database.close()


def test_a_visitor_may_be_a_grid_worker_and_a_third_party_needs_its_name(db):
    grid = visitors.save_visitor(db, {"name": "周网格", "phone": "13900004444", "role": "网格员"}).visitor_id
    assert db.execute("SELECT role FROM visitors WHERE id = ?", [grid]).fetchone()[0] == "网格员"
    with pytest.raises(UserError, match="类别是第三方机构，请在“工作单位”填写机构名称"):
        visitors.save_visitor(db, {"name": "赵机构", "phone": "13900003333", "role": "第三方机构", "organisation": " "})
    assert visitors.kind_label("第三方机构", "峨眉山市夕阳红社工服务中心") == "第三方机构：峨眉山市夕阳红社工服务中心"
    assert visitors.kind_label("网格员", "青山社区") == "网格员"
    assert visitors.kind_label(None, None) == "村干部"


def test_the_workload_shows_each_visitors_kind_with_the_organisation(db):
    org = visitors.save_visitor(db, {"name": "赵机构", "phone": "13900003333", "role": "第三方机构",
                                     "organisation": "夕阳红社工服务中心"}).visitor_id
    grid = visitors.save_visitor(db, {"name": "周网格", "phone": "13900004444", "role": "网格员"}).visitor_id
    elder = elders.save_elder(db, {"name": "张一", "id_number": VALID_IDS[0], "village": "青山村"}, today=TODAY).elder_id
    visitors.assign_elders(db, org, [elder])
    shown = {r["name"]: r["kind"] for r in visits.visitor_workload(db, TODAY)}
    assert shown == {"赵机构": "第三方机构：夕阳红社工服务中心", "周网格": "网格员"}
    assert grid


def test_the_notice_card_names_the_visitors_kind_and_organisation(db, tmp_path):
    from docx import Document

    from township_desk.printing import documents

    org = visitors.save_visitor(db, {"name": "赵机构", "phone": "13900003333", "role": "第三方机构",
                                     "organisation": "夕阳红社工&服务中心"}).visitor_id
    grid = visitors.save_visitor(db, {"name": "周网格", "phone": "13900004444", "role": "网格员"}).visitor_id
    first = elders.save_elder(db, {"name": "张一", "id_number": VALID_IDS[0], "village": "青山社区"}, today=TODAY).elder_id
    second = elders.save_elder(db, {"name": "张二", "id_number": VALID_IDS[1], "village": "青山社区"}, today=TODAY).elder_id
    visitors.assign_elders(db, org, [first])
    visitors.assign_elders(db, grid, [second])
    target = tmp_path / "告知卡.docx"
    assert documents.print_notice_cards(db, [first, second], target, as_of=TODAY) == 2
    document = Document(str(target))
    text = "\n".join(p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs)
    assert "您的巡访责任人是赵机构（第三方机构：夕阳红社工&服务中心），联系电话13900003333" in text
    assert "您的巡访责任人是周网格（网格员），联系电话13900004444" in text
