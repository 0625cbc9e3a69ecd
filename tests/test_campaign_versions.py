"""Campaigns carry a row version (migration 13) and 续签 / 附扫描件 check the agreement's: a save, delete, renewal or
scan made from what the clerk was shown before someone else changed the record is refused (``StaleRecord``) with
nothing written."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import sqlite_utils
from conftest import VALID_IDS

from township_desk.models import agreements, campaigns, elders, paths
from township_desk.models import db as dbm
from township_desk.models.errors import StaleRecord
from township_desk.models.migrations import STEPS, load_step

TODAY = dt.date(2026, 11, 22)
STALE = "这条记录在您打开之后已被修改"
CAMPAIGN_STEP = STEPS.index("0013_campaign_versions") + 1  # its position: the version it brings a file to


def ledger_before_campaign_versions(path) -> None:
    """A real ledger file as the version before migration 13 left it: two campaigns (one edited since), an elder
    in each, a visit under one."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    old = sqlite_utils.Database(conn)
    for number in range(1, CAMPAIGN_STEP):
        with old.atomic():
            load_step(number).apply(old)
            old.execute(f"PRAGMA user_version = {number}")
    with old.atomic():
        elder = elders.save_elder(old, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"},
                                  today=TODAY).elder_id
        old.execute("INSERT INTO campaigns(id, name, kind, start_date, end_date, notes) VALUES"
                    " (4, '2026年重阳节走访', '重阳节', '2026-10-25', '2026-10-31', '送米面油')")
        old.execute("INSERT INTO campaigns(id, name, kind, start_date, end_date) VALUES"
                    " (7, '2026年寒潮巡访', '极端天气', '2026-11-20', '2026-11-25')")
        old.execute("UPDATE campaigns SET notes = '加棉被' WHERE id = 7")
        old.execute("INSERT INTO campaign_elders(campaign_id, elder_id) VALUES (4, ?), (7, ?)", [elder, elder])
        old.execute("INSERT INTO visits(elder_id, date, mode, visitor_name, campaign_id) VALUES (?, '2026-10-28',"
                    " '上门', '李四', 4)", [elder])
    conn.close()


def test_migration_13_keeps_every_campaign_and_starts_them_at_version_1(db_path):
    ledger_before_campaign_versions(db_path)
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == CAMPAIGN_STEP - 1
    columns = "id, name, kind, start_date, end_date, notes"
    before = raw.execute(f"SELECT {columns} FROM campaigns ORDER BY id").fetchall()
    members = raw.execute("SELECT campaign_id, elder_id FROM campaign_elders ORDER BY campaign_id").fetchall()
    raw.close()

    database = dbm.connect(db_path)
    try:
        assert dbm.schema_version(database) == dbm.latest_version()
        assert database.execute(f"SELECT {columns} FROM campaigns ORDER BY id").fetchall() == before
        assert database.execute("SELECT campaign_id, elder_id FROM campaign_elders ORDER BY campaign_id"
                                ).fetchall() == members
        assert database.execute("SELECT id, row_version FROM campaigns ORDER BY id").fetchall() == [(4, 1), (7, 1)]
        assert database.execute("SELECT campaign_id FROM visits").fetchall() == [(4,)]
        campaigns.update_campaign(database, 7, name="2026年寒潮巡访", kind="极端天气", start="2026-11-20",
                                  end="2026-11-26", notes="加棉被")  # a writer without the version moves it on
        assert campaigns.get_campaign(database, 7)["row_version"] == 2
    finally:
        database.close()
    assert db_path.with_name(f"{db_path.name}.before-v{dbm.latest_version()}.bak").exists()  # the copy kept


@pytest.fixture
def campaign(db) -> int:
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"}, today=TODAY)
    return campaigns.plan_campaign(db, name="2026年寒潮巡访", kind="极端天气", start="2026-11-20", end="2026-11-25",
                                   elder_ids=[1])


TERMS = {"name": "2026年寒潮巡访", "kind": "极端天气", "start": "2026-11-20", "end": "2026-11-25"}


def test_a_campaign_saved_from_what_was_shown_before_another_change_is_refused(db, campaign):
    shown = campaigns.get_campaign(db, campaign)["row_version"]
    campaigns.update_campaign(db, campaign, **TERMS, notes="另一个窗口：加棉被")
    with pytest.raises(StaleRecord, match=STALE):
        campaigns.update_campaign(db, campaign, **{**TERMS, "end": "2026-11-30"}, expected_version=shown)
    stored = campaigns.get_campaign(db, campaign)
    assert (stored["end_date"], stored["notes"]) == ("2026-11-25", "另一个窗口：加棉被")
    campaigns.update_campaign(db, campaign, **{**TERMS, "end": "2026-11-30"}, notes="另一个窗口：加棉被",
                              expected_version=stored["row_version"])
    assert campaigns.get_campaign(db, campaign)["row_version"] == stored["row_version"] + 1


def test_deleting_a_campaign_changed_since_it_was_shown_is_refused(db, campaign):
    shown = campaigns.get_campaign(db, campaign)["row_version"]
    campaigns.update_campaign(db, campaign, **{**TERMS, "name": "2026年寒潮巡访（延长）"})
    with pytest.raises(StaleRecord, match=STALE):
        campaigns.delete_campaign(db, campaign, expected_version=shown)
    assert campaigns.get_campaign(db, campaign)["name"] == "2026年寒潮巡访（延长）"


@pytest.fixture
def signed(db) -> int:
    elder = elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村"},
                              today=TODAY).elder_id
    data = {"elder_id": elder, "template": "自理", "party_b_name": "李桂兰", "term_years": 1,
            "start_date": "2025-12-01", "hours_per_day": 4, "fee": "每月600元", "party_a_name": "张小明"}
    agreement_id = agreements.save_agreement(db, data, today=TODAY).agreement_id
    db.execute("UPDATE agreements SET status = '已签订', signed_on = '2025-11-30' WHERE id = ?", [agreement_id])
    return agreement_id


def test_renewing_from_what_was_shown_before_another_change_is_refused(db, signed):
    shown = agreements.get_agreement(db, signed)["row_version"]
    db.execute("UPDATE agreements SET fee = '每月800元' WHERE id = ?", [signed])  # another program
    with pytest.raises(StaleRecord, match=STALE):
        agreements.renew(db, signed, "2026-12-01", expected_version=shown)
    assert db.execute("SELECT count(*) FROM agreements").fetchone()[0] == 1
    new_id = agreements.renew(db, signed, "2026-12-01", expected_version=shown + 1)
    assert agreements.get_agreement(db, new_id)["fee"] == "每月800元"


def test_attaching_a_scan_to_an_agreement_changed_since_it_was_shown_is_refused_and_no_copy_kept(db, signed,
                                                                                                 tmp_path):
    scan = tmp_path / "签字页.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    shown = agreements.get_agreement(db, signed)["row_version"]
    agreements.attach_scan(db, signed, scan)  # another window attached one meanwhile
    attached = agreements.get_agreement(db, signed)["scan_path"]
    with pytest.raises(StaleRecord, match=STALE):
        agreements.attach_scan(db, signed, scan, expected_version=shown)
    assert agreements.get_agreement(db, signed)["scan_path"] == attached
    assert len(list((paths.data_dir() / "agreements").iterdir())) == 1  # the refused one left no copy
