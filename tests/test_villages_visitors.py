"""Villages and visitors without a window: saving (phone digits, audit per field), the counts the 设置 page lists,
deleting a village added by mistake, the same visitor entered twice, batch assignment of a village's elders."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from conftest import VALID_IDS, make_id

from township_desk.models import audit, elders, villages, visitors
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 22)


def add_elder(db, n: int, name: str, village: str = "青山村", **extra) -> int:
    return elders.save_elder(db, {"name": name, "id_number": VALID_IDS[n], "village": village, **extra},
                             today=TODAY).elder_id


def changes(db, table: str, record_id: int) -> list[tuple]:
    """(action, field, old, new) of one record's audit entries, oldest first."""
    return [(r["action"], r["field"], r["old_value"], r["new_value"])
            for r in reversed(audit.entries(db, table=table, record_id=record_id))]


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


# ---------------------------------------------------------------------------------------------- villages


def test_a_new_village_with_its_details_keeps_the_phone_digits_and_is_audited(db):
    new_id = villages.save_village(db, {"name": " 青山村 ", "committee": " 青山村村民委员会 ", "staff_name": "王　主任",
                                        "phone": "0833 552 2110"})
    row = db.execute("SELECT name, committee, staff_name, phone FROM villages WHERE id = ?", [new_id]).fetchone()
    assert row == ("青山村", "青山村村民委员会", "王主任", "0833-5522110")
    assert changes(db, "villages", new_id) == [("新增", None, None, None)]
    assert audit.entries(db, table="villages")[0]["record_label"] == "青山村"


def test_a_new_village_without_an_order_goes_after_the_others(db):
    villages.save_village(db, {"name": "青山村", "sort_order": 5})
    later = villages.save_village(db, {"name": "白鹤村", "committee": "白鹤村村民委员会"})
    assert db.execute("SELECT sort_order FROM villages WHERE id = ?", [later]).fetchone()[0] == 6
    assert villages.next_sort_order(db) == 7
    assert [v["name"] for v in villages.list_villages(db)] == ["青山村", "白鹤村"]


def test_a_doubtful_village_phone_is_kept_as_typed_and_warned_about_before_saving(db):
    data = {"name": "青山村", "phone": "552211"}
    assert villages.check_village(db, data) == ["电话号码“552211”不是11位手机号，也不是区号加号码的固定电话，请核对"]
    assert count(db, "villages") == 0  # checking saves nothing
    new_id = villages.save_village(db, data)
    assert db.execute("SELECT phone FROM villages WHERE id = ?", [new_id]).fetchone()[0] == "552211"


def test_changing_a_village_audits_each_changed_field(db):
    village = villages.save_village(db, {"name": "青山村", "phone": "13900001111", "staff_name": "王主任"})
    villages.save_village(db, {"name": "青山社区", "phone": "139-0000-2222", "staff_name": "王主任"}, village)
    assert db.execute("SELECT name, phone FROM villages").fetchone() == ("青山社区", "13900002222")
    assert changes(db, "villages", village)[1:] == [("修改", "name", "青山村", "青山社区"),
                                                   ("修改", "phone", "13900001111", "13900002222")]
    villages.save_village(db, {"name": "青山社区", "phone": "13900002222"}, village)  # nothing changed
    assert len(changes(db, "villages", village)) == 3


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "  "}, "村（社区）名称不能为空"),
    ({"name": "青 山 村"}, "已有名为“青山村”的村（社区）"),
    ({"name": "白鹤村", "sort_order": "第二"}, "排列顺序“第二”不是整数"),
])
def test_a_village_without_a_name_or_with_a_taken_one_is_refused(db, data, message):
    villages.save_village(db, {"name": "青山村"})
    with pytest.raises(UserError, match=message):
        villages.save_village(db, data)
    assert count(db, "villages") == 1


def test_changing_a_village_that_is_gone_is_refused(db):
    with pytest.raises(UserError, match="找不到这个村（社区）"):
        villages.save_village(db, {"name": "青山村"}, 999)
    assert count(db, "villages") == 0


def test_villages_with_counts_tell_on_ledger_all_elders_and_visitors(db):
    add_elder(db, 0, "张德福")
    gone = add_elder(db, 1, "李秀英")
    elders.change_status(db, gone, "已迁出", TODAY, "随子女迁往成都")
    add_elder(db, 2, "王桂兰", village="白鹤村")
    villages.save_village(db, {"name": "错字村"})
    visitors.save_visitor(db, {"name": "王五", "village_id": villages.village_id(db, "白鹤村"), "active": False})
    rows = {r["name"]: (r["on_ledger"], r["all_elders"], r["visitor_count"])
            for r in villages.villages_with_counts(db)}
    assert rows == {"青山村": (1, 2, 0), "白鹤村": (1, 1, 1), "错字村": (0, 0, 0)}
    assert [r["name"] for r in villages.villages_with_counts(db)] == ["青山村", "白鹤村", "错字村"]


def test_a_village_added_by_mistake_is_deleted_with_an_audit_entry(db):
    village = villages.save_village(db, {"name": "错字村"})
    villages.delete_village(db, village)
    assert count(db, "villages") == 0
    assert changes(db, "villages", village)[-1] == ("删除", None, None, None)


def test_a_village_whose_elders_all_left_the_ledger_is_never_deleted(db):
    elder = add_elder(db, 0, "张德福")
    elders.change_status(db, elder, "已去世", TODAY, "病故")
    village = villages.village_id(db, "青山村")
    with pytest.raises(UserError, match="“青山村”的台账中有 1 位老人（含已迁出、已去世的），不能删除"):
        villages.delete_village(db, village)
    assert count(db, "villages") == 1
    assert audit.entries(db, table="villages")[0]["action"] != "删除"


def test_a_village_with_a_stopped_visitor_is_not_deleted(db):
    village = villages.save_village(db, {"name": "错字村"})
    visitors.save_visitor(db, {"name": "王五", "village_id": village, "active": False})
    with pytest.raises(UserError, match="有 1 位巡访责任人（含已停用的）属于“错字村”"):
        villages.delete_village(db, village)
    assert count(db, "villages") == 1


def test_deleting_a_village_already_gone_says_so(db):
    with pytest.raises(UserError, match="找不到这个村（社区）"):
        villages.delete_village(db, 999)


# ---------------------------------------------------------------------------------------------- visitors


def test_save_visitor_returns_the_id_and_no_warning_for_a_good_phone(db):
    saved = visitors.save_visitor(db, {"name": "王 五", "phone": "139 0000 2222", "role": "志愿者",
                                       "organisation": " 青山镇志愿者协会 "})
    assert saved.created and saved.warnings == []
    row = db.execute("SELECT name, phone, role, organisation, active FROM visitors WHERE id = ?",
                     [saved.visitor_id]).fetchone()
    assert row == ("王五", "13900002222", "志愿者", "青山镇志愿者协会", 1)
    assert changes(db, "visitors", saved.visitor_id) == [("新增", None, None, None)]


def test_a_doubtful_visitor_phone_is_kept_as_typed_and_its_warning_returned(db):
    assert visitors.check_visitor(db, {"name": "赵六", "phone": "5521"}) == [
        "电话号码“5521”不是11位手机号，也不是区号加号码的固定电话，请核对"]
    assert count(db, "visitors") == 0  # checking saves nothing
    saved = visitors.save_visitor(db, {"name": "赵六", "phone": "5521"})
    assert saved.warnings == ["电话号码“5521”不是11位手机号，也不是区号加号码的固定电话，请核对"]
    assert db.execute("SELECT phone FROM visitors").fetchone()[0] == "5521"


def test_the_same_visitor_twice_is_refused_naming_the_one_on_file(db):
    village = villages.save_village(db, {"name": "青山村"})
    visitors.save_visitor(db, {"name": "王五", "phone": "13900002222", "village_id": village})
    with pytest.raises(UserError) as refused:
        visitors.save_visitor(db, {"name": "王 五", "phone": "139 0000 2222", "role": "志愿者"})
    assert str(refused.value).startswith("已有巡访责任人“王五”（电话 13900002222，青山村），同一人不要重复登记")
    assert count(db, "visitors") == 1


def test_the_same_visitor_without_a_phone_twice_is_refused_not_a_database_error(db):
    visitors.save_visitor(db, {"name": "王五"})
    with pytest.raises(UserError, match="已有巡访责任人“王五”（电话 未填）"):
        visitors.save_visitor(db, {"name": "王五", "phone": ""})


def test_changing_a_visitor_to_the_name_and_phone_of_a_stopped_one_says_how_to_restart_them(db):
    visitors.save_visitor(db, {"name": "王五", "phone": "13900002222", "active": False})
    other = visitors.save_visitor(db, {"name": "李四", "phone": "13900001111"}).visitor_id
    with pytest.raises(UserError) as refused:
        visitors.save_visitor(db, {"name": "王五", "phone": "13900002222"}, other)
    assert "（电话 13900002222，已停用）" in str(refused.value) and "重新启用" in str(refused.value)
    assert db.execute("SELECT name FROM visitors WHERE id = ?", [other]).fetchone()[0] == "李四"


def test_saving_a_visitor_unchanged_is_no_clash_with_itself(db):
    saved = visitors.save_visitor(db, {"name": "王五", "phone": "13900002222"})
    again = visitors.save_visitor(db, {"name": "王五", "phone": "13900002222"}, saved.visitor_id)
    assert again.visitor_id == saved.visitor_id and not again.created
    assert len(changes(db, "visitors", saved.visitor_id)) == 1  # nothing changed, nothing logged


def test_the_unique_index_still_guards_what_save_visitor_checks(db):
    # The check is a courtesy; the database keeps refusing duplicates written any other way.
    visitors.save_visitor(db, {"name": "王五", "phone": "13900002222"})
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO visitors(name, phone) VALUES ('王五', '13900002222')")


@pytest.mark.parametrize(("data", "message"), [
    ({"name": ""}, "巡访责任人姓名不能为空"),
    ({"name": "王5"}, "巡访责任人姓名“王5”含有数字"),
    ({"name": "王五", "role": "保安"}, "巡访责任人类别“保安”不在可选范围"),
    ({"name": "王五", "role": "第三方机构"}, "类别是第三方机构，请在“工作单位”填写机构名称"),
    ({"name": "王五", "village_id": 999}, "所选的村（社区）已不存在"),
])
def test_a_visitor_who_cannot_be_right_is_refused_naming_the_value(db, data, message):
    with pytest.raises(UserError, match=message):
        visitors.save_visitor(db, data)
    assert count(db, "visitors") == 0


def test_changing_a_visitor_audits_each_field_in_words(db):
    shan = villages.save_village(db, {"name": "青山村"})
    he = villages.save_village(db, {"name": "白鹤村"})
    helper = visitors.save_visitor(db, {"name": "王五", "phone": "13900002222", "village_id": shan}).visitor_id
    visitors.save_visitor(db, {"name": "王五", "phone": "13900002222", "village_id": he, "active": False}, helper)
    assert changes(db, "visitors", helper)[1:] == [("修改", "village_id", "青山村", "白鹤村"),
                                                  ("修改", "active", "是", "否")]
    assert db.execute("SELECT village_id, active FROM visitors").fetchone() == (he, 0)


def test_changing_a_visitor_who_is_gone_is_refused(db):
    with pytest.raises(UserError, match="找不到这位巡访责任人"):
        visitors.save_visitor(db, {"name": "王五"}, 999)


# ---------------------------------------------------------------------------------------------- assignment


@pytest.fixture
def village_of_elders(db):
    """青山村 with 张德福, 李秀英 (no visitor), 王桂兰 (李四's), 钱老汉 (已去世); 赵大山 in 白鹤村; visitors 李四 and 王五."""
    shan = villages.village_id(db, "青山村", create=True)
    villages.village_id(db, "白鹤村", create=True)
    old = visitors.save_visitor(db, {"name": "李四", "phone": "13900001111", "village_id": shan}).visitor_id
    new = visitors.save_visitor(db, {"name": "王五", "phone": "13900002222", "village_id": shan}).visitor_id
    ids = {"张德福": add_elder(db, 0, "张德福"), "李秀英": add_elder(db, 1, "李秀英"),
           "王桂兰": add_elder(db, 2, "王桂兰", visitor_id=old), "赵大山": add_elder(db, 3, "赵大山", village="白鹤村")}
    ids["钱老汉"] = elders.save_elder(db, {"name": "钱老汉", "id_number": make_id("19400101", 1), "village": "青山村"},
                                     today=TODAY).elder_id
    elders.change_status(db, ids["钱老汉"], "已去世", TODAY, "病故")
    return {"village": shan, "old": old, "new": new, **ids}


def test_elders_for_assignment_are_those_in_ce_or_away_of_the_village(db, village_of_elders):
    v = village_of_elders
    elders.change_status(db, v["李秀英"], "暂离", TODAY, "住院")
    rows = visitors.elders_for_assignment(db, v["village"], only_unassigned=False)
    assert [(r["name"], r["visitor"]) for r in rows] == [("李秀英", None), ("王桂兰", "李四"), ("张德福", None)]
    unassigned = visitors.elders_for_assignment(db, v["village"], only_unassigned=True)
    assert [r["name"] for r in unassigned] == ["李秀英", "张德福"]


def test_assign_elders_changes_only_those_with_another_visitor_and_audits_each(db, village_of_elders):
    v = village_of_elders
    before = len(audit.entries(db, table="elders"))
    changed = visitors.assign_elders(db, v["new"], [v["张德福"], v["王桂兰"]])
    assert changed == 2
    assert visitors.assign_elders(db, v["new"], [v["张德福"]]) == 0  # already theirs
    written = audit.entries(db, table="elders")[: len(audit.entries(db, table="elders")) - before]
    assert sorted((r["record_id"], r["field"], r["old_value"], r["new_value"]) for r in written) == sorted([
        (v["张德福"], "visitor_id", None, "王五"), (v["王桂兰"], "visitor_id", "李四", "王五")])
    visitor_of = dict(db.execute("SELECT id, visitor_id FROM elders").fetchall())
    assert (visitor_of[v["张德福"]], visitor_of[v["王桂兰"]], visitor_of[v["李秀英"]]) == (v["new"], v["new"], None)


def test_assigning_to_a_stopped_visitor_is_refused(db, village_of_elders):
    v = village_of_elders
    stopped = visitors.save_visitor(db, {"name": "赵六", "active": False}).visitor_id
    with pytest.raises(UserError, match="巡访责任人“赵六”已停用"):
        visitors.assign_elders(db, stopped, [v["张德福"]])
    assert db.execute("SELECT visitor_id FROM elders WHERE id = ?", [v["张德福"]]).fetchone()[0] is None


def test_one_elder_off_the_ledger_stops_the_whole_assignment(db, village_of_elders):
    v = village_of_elders
    with pytest.raises(UserError, match="钱老汉（.*）的状态是“已去世”"):
        visitors.assign_elders(db, v["new"], [v["张德福"], v["钱老汉"]])
    assert db.execute("SELECT visitor_id FROM elders WHERE id = ?", [v["张德福"]]).fetchone()[0] is None


def test_assigning_a_missing_elder_writes_nothing(db, village_of_elders):
    v = village_of_elders
    before = count(db, "audit_log")
    with pytest.raises(UserError, match="找不到编号为 999 的老人记录"):
        visitors.assign_elders(db, v["new"], [v["张德福"], 999])
    assert count(db, "audit_log") == before
    assert db.execute("SELECT visitor_id FROM elders WHERE id = ?", [v["张德福"]]).fetchone()[0] is None


def test_villages_come_in_the_townships_order_then_by_name_everywhere(db):
    from township_desk.models import schedule
    for name, order in (("白云村", 2), ("红星村", 1), ("青山村", 2), ("东风村", 3)):
        villages.save_village(db, {"name": name, "sort_order": order})
    expected = ["红星村", "白云村", "青山村", "东风村"]  # 白 before 青 by name at the same order number
    assert villages.names_in_order(db) == expected
    assert [v["name"] for v in villages.list_villages(db)] == expected
    assert [v["name"] for v in villages.villages_with_counts(db)] == expected
    assert [name for name, _count in schedule.overdue_by_village(db, dt.date(2026, 11, 22))] == expected
