"""设置 → 备份与恢复 and 操作日志 panels with real widgets, real database files and a real .xlsx read back."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile

import openpyxl
from conftest import VALID_IDS, make_id
from PySide6.QtWidgets import QLabel, QProgressDialog

from township_desk.models import agreements, audit_log, backups, elders, paths, settings, villages
from township_desk.models import db as dbm
from township_desk.ui import settings_backup
from township_desk.ui.context import AppContext

TODAY = dt.date(2026, 11, 22)


def add(db, n: int, name: str, **extra):
    return elders.save_elder(db, {"name": name, "id_number": VALID_IDS[n], "village": "东风村", **extra}, today=TODAY)


def ws_rows(path) -> int:
    return openpyxl.load_workbook(path).active.max_row


def messages(monkeypatch, confirm: bool = True) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(settings_backup, "inform", lambda _p, title, text, warning=False: shown.append((title, text)))
    monkeypatch.setattr(settings_backup, "confirm", lambda _p, title, text: shown.append((title, text)) or confirm)
    return shown


def test_backup_now_writes_the_chosen_file_and_says_what_it_holds(qtbot, db, db_path, tmp_path, monkeypatch):
    add(db, 0, "张德福")
    ctx = AppContext(db_path, db)
    panel = settings_backup.BackupPanel(ctx)
    qtbot.addWidget(panel)
    shown = messages(monkeypatch)
    target = tmp_path / "U盘备份.db"
    monkeypatch.setattr(settings_backup, "ask_save_path", lambda *a: str(target))
    panel.backup_now()                    # in the background, with its own connection
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert backups.inspect_backup(target).elders == 1
    assert shown[-1][0] == "备份完成" and "老人 1 人" in shown[-1][1]


def test_automatic_backups_are_listed_with_date_and_counts(qtbot, db, db_path):
    add(db, 0, "张德福")
    backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 20, 8, 0, 0))
    add(db, 1, "李秀英")
    backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 21, 8, 0, 0))
    panel = settings_backup.BackupPanel(AppContext(db_path, db))
    qtbot.addWidget(panel)
    assert panel.table.rowCount() == 2
    assert panel.table.item(0, 0).text() == "2026-11-21 08:00:00"
    assert panel.table.item(0, 1).text() == "每日自动"
    assert [panel.table.item(r, 2).text() for r in range(2)] == ["2", "1"]


def test_restore_shows_the_backup_first_then_reloads_the_data(qtbot, db, db_path, monkeypatch):
    add(db, 0, "张德福")
    backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 20, 8, 0, 0))
    add(db, 1, "李秀英")
    ctx = AppContext(db_path, db)
    panel = settings_backup.BackupPanel(ctx)
    qtbot.addWidget(panel)
    shown = messages(monkeypatch)
    changed = []
    ctx.data_changed.connect(changed.append)
    panel.table.selectRow(0)

    panel.restore_selected()
    qtbot.waitUntil(lambda: len(shown) > 1, timeout=20000)

    assert shown[0][0] == "确认恢复" and "2026-11-20 08:00:00" in shown[0][1] and "老人 1 人" in shown[0][1]
    assert shown[-1][0] == "恢复完成" and "重新载入" in shown[-1][1]
    assert ctx.db.execute("SELECT count(*) FROM elders").fetchone()[0] == 1  # the reopened connection
    assert changed == ["*"]
    kinds = [panel.table.item(r, 1).text() for r in range(panel.table.rowCount())]
    assert "恢复前保留" in kinds


def test_restore_not_confirmed_changes_nothing(qtbot, db, db_path, monkeypatch):
    add(db, 0, "张德福")
    backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 20, 8, 0, 0))
    add(db, 1, "李秀英")
    ctx = AppContext(db_path, db)
    panel = settings_backup.BackupPanel(ctx)
    qtbot.addWidget(panel)
    messages(monkeypatch, confirm=False)
    panel.table.selectRow(0)
    assert panel.restore_selected() is None
    assert ctx.db.execute("SELECT count(*) FROM elders").fetchone()[0] == 2


def test_restore_from_a_file_that_is_not_a_backup_is_refused_with_the_reason(qtbot, db, db_path, tmp_path,
                                                                            monkeypatch):
    ctx = AppContext(db_path, db)
    panel = settings_backup.BackupPanel(ctx)
    qtbot.addWidget(panel)
    shown = messages(monkeypatch)
    bogus = tmp_path / "照片.db"
    bogus.write_bytes(b"\x89PNG not a database")
    monkeypatch.setattr(settings_backup, "ask_open_path", lambda *a: str(bogus))
    panel.restore_from_file()
    assert shown == [("不能恢复", shown[0][1])] and "不是本程序的备份文件" in shown[0][1]


def panel_for(qtbot, db, db_path):
    panel = settings_backup.BackupPanel(AppContext(db_path, db))
    qtbot.addWidget(panel)
    return panel


def test_the_list_shows_only_this_ledgers_backups(qtbot, db, db_path, tmp_path):
    other_path = tmp_path / "其他" / db_path.name   # same file name, another ledger
    other_path.parent.mkdir()
    other = dbm.connect(other_path)
    try:
        backups.daily_backup_if_due(other, other_path, now=dt.datetime(2026, 11, 21, 8, 0, 0))
    finally:
        other.close()
    backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 8, 0, 0))
    panel = panel_for(qtbot, db, db_path)
    assert panel.table.rowCount() == 1 and panel.table.item(0, 0).text() == "2026-11-22 08:00:00"
    assert panel.status.text().startswith("本台账共 1 份备份")
    assert dbm.database_uuid(db) in panel.intro.text() and "每月一份" in panel.intro.text()


def test_backup_now_suggests_a_compressed_file(qtbot, db, db_path, tmp_path, monkeypatch):
    add(db, 0, "张德福")
    panel = panel_for(qtbot, db, db_path)
    messages(monkeypatch)
    asked = []
    monkeypatch.setattr(settings_backup, "ask_save_path",
                        lambda _p, _t, suggested, filters: asked.append((suggested, filters)) or str(tmp_path / "b.zip"))
    panel.backup_now()
    panel.worker.wait(20)
    qtbot.waitUntil(lambda: not panel.findChildren(QProgressDialog), timeout=5000)
    assert asked[0][0].endswith(".zip") and asked[0][1].startswith("压缩的台账备份 (*.zip)")
    assert zipfile.is_zipfile(tmp_path / "b.zip") and backups.inspect_backup(tmp_path / "b.zip").elders == 1


def test_restore_of_a_backup_missing_a_table_is_refused_after_confirming_and_changes_nothing(
        qtbot, db, db_path, tmp_path, monkeypatch):
    add(db, 0, "张德福")
    saved = backups.backup(db, tmp_path / "缺表.db")
    conn = sqlite3.connect(saved)
    conn.execute("DROP TABLE visits")
    conn.commit()
    conn.close()
    add(db, 1, "李秀英")
    panel = panel_for(qtbot, db, db_path)
    shown = messages(monkeypatch)
    panel.restore_from(saved)
    qtbot.waitUntil(lambda: len(shown) > 1, timeout=20000)
    assert shown[-1][0] == "恢复未完成" and "缺少数据表：visits" in shown[-1][1] and "当前数据没有改动" in shown[-1][1]
    assert panel.ctx.db.execute("SELECT count(*) FROM elders").fetchone()[0] == 2


def test_second_backup_place_is_chosen_shown_and_its_absence_warned(qtbot, db, db_path, tmp_path, monkeypatch):
    panel = panel_for(qtbot, db, db_path)
    assert panel.second_state.text() == settings_backup.NO_SECOND_PLACE and not panel.second_clear.isEnabled()
    stick = tmp_path / "U盘"
    stick.mkdir()
    shown = messages(monkeypatch)
    monkeypatch.setattr(settings_backup, "ask_folder", lambda *a: str(stick))
    panel.second_button.click()
    assert paths.second_backup_dir() == stick and panel.second_edit.text() == str(stick)
    assert shown[-1][0] == "第二备份位置" and "每次自动备份后都会复制" in shown[-1][1]
    made = backups.daily_backup_if_due(db, db_path, now=dt.datetime(2026, 11, 22, 8, 0, 0))
    assert made.second_copy.exists()
    stick.rename(tmp_path / "拔掉了")
    panel.refresh()
    assert "无法使用" in panel.second_state.text() and "#b00020" in panel.second_state.styleSheet()
    panel.second_clear.click()
    assert paths.second_backup_dir() is None


def test_the_backups_folder_itself_is_refused_as_second_place(qtbot, db, db_path, monkeypatch):
    panel = panel_for(qtbot, db, db_path)
    shown = messages(monkeypatch)
    monkeypatch.setattr(settings_backup, "ask_folder", lambda *a: str(paths.backups_dir()))
    panel.choose_second_place()
    assert paths.second_backup_dir() is None and "另选一块硬盘或 U 盘" in shown[-1][1]


def test_data_folder_is_chosen_without_an_environment_variable(qtbot, db, db_path, tmp_path, monkeypatch):
    add(db, 0, "张德福")
    photo = paths.photos_dir() / "2026" / "1" / "入户.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"jpeg")
    panel = panel_for(qtbot, db, db_path)
    shown = messages(monkeypatch)
    new_home = tmp_path / "D盘" / "台账数据"
    new_home.mkdir(parents=True)
    monkeypatch.setattr(settings_backup, "ask_folder", lambda *a: str(new_home))
    panel.data_button.click()
    assert shown[0][0] == "更改数据文件夹" and "连同巡访照片、协议扫描件将复制一份" in shown[0][1]
    assert paths.local_config()["data_dir"] == str(new_home)
    assert (new_home / "photos" / "2026" / "1" / "入户.jpg").read_bytes() == b"jpeg"   # photos go along
    monkeypatch.delenv("TOWNSHIP_DESK_HOME")
    assert paths.data_dir() == new_home and paths.default_db_path() == new_home / "township_desk.db"
    copy = dbm.connect(paths.default_db_path())
    try:
        assert copy.execute("SELECT name FROM elders").fetchall() == [("张德福",)]
    finally:
        copy.close()


def test_the_start_up_password_is_described_honestly(qtbot, db, db_path):
    from township_desk.ui.settings import PasswordTab

    tab = PasswordTab(AppContext(db_path, db))
    qtbot.addWidget(tab)
    texts = " ".join(label.text() for label in tab.findChildren(QLabel))
    assert "台账文件和它的每一份备份都会加密" in texts and "Excel、打印的 Word 文件不加密" in texts
    assert "恢复密钥" in texts


def test_audit_log_is_readable_newest_first_and_filters_by_text(qtbot, db, db_path):
    elder_id = add(db, 0, "张德福").elder_id
    add(db, 1, "李秀英")
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "东风村", "phone": "13812345678"},
                      elder_id=elder_id, today=TODAY)
    panel = settings_backup.AuditLogPanel(AppContext(db_path, db))
    qtbot.addWidget(panel)
    model = panel.model
    total = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert model.rowCount() == total
    first = [model.index(0, c).data() for c in range(model.columnCount())]
    assert first[1:5] == ["修改", "老人", first[3], "联系电话"] and "张德福" in first[3]
    assert first[6] == "13812345678"
    panel.search.setText("李秀英")  # as typed (QTest cannot send Chinese key events)
    assert model.rowCount() == 1 and "共 1 条" in panel.count_label.text()


def test_audit_log_filters_by_date(qtbot, db, db_path):
    add(db, 0, "张德福")
    db.execute("UPDATE audit_log SET at = '2026-01-05 09:00:00'")
    add(db, 1, "李秀英")
    panel = settings_backup.AuditLogPanel(AppContext(db_path, db))
    qtbot.addWidget(panel)
    panel.date_from.setDate(dt.date(2026, 1, 1))
    panel.date_to.setDate(dt.date(2026, 1, 31))
    panel.use_dates.setChecked(True)
    shown = [[panel.model.index(r, c).data() for c in (0, 3)] for r in range(panel.model.rowCount())]
    assert shown and all(at.startswith("2026-01-05") for at, _label in shown)
    assert any("张德福" in label for _at, label in shown)
    assert not any("李秀英" in label for _at, label in shown)


def test_audit_export_writes_text_cells_never_formulas(qtbot, db, db_path, tmp_path, monkeypatch):
    add(db, 0, "张德福", current_address="=HYPERLINK(\"http://x\")")
    panel = settings_backup.AuditLogPanel(AppContext(db_path, db))
    qtbot.addWidget(panel)
    shown = messages(monkeypatch)
    target = tmp_path / "日志.xlsx"
    elder_id = db.execute("SELECT id FROM elders").fetchone()[0]
    elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "东风村", "phone": "=1+1"},
                      elder_id=elder_id, today=TODAY)
    monkeypatch.setattr(settings_backup, "ask_save_path", lambda *a: str(target))
    panel.export()
    total = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert f"已导出 {total} 条" in shown[-1][1]
    assert ws_rows(target) == total + 1
    ws = openpyxl.load_workbook(target).active
    assert [c.value for c in ws[1]] == list(audit_log.COLUMNS)
    assert ws["G2"].value == "=1+1" and ws["G2"].data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_audit_log_names_settings_and_agreement_fields_in_chinese(qtbot, db, db_path):
    settings.put(db, {"township_name": "青山镇", "preparer": "赵会计"})
    villages.save_village(db, {"name": "东风村", "committee": "东风村村民委员会", "staff_name": "王主任"})
    elder_id = elders.save_elder(db, {"name": "张德福", "id_number": VALID_IDS[0], "village": "东风村"},
                                 [{"name": "张小明", "relation": "儿子", "phone": "13900002222"}], today=TODAY).elder_id
    terms = {"elder_id": elder_id, "template": "自理", "party_a_name": "张小明", "party_b_name": "李桂兰",
             "party_b_id_number": make_id("19580304", 13), "term_years": 1, "start_date": "2026-03-01",
             "hours_per_day": 4, "fee": "每月600元"}
    agreement_id = agreements.save_agreement(db, terms, today=TODAY).agreement_id
    agreements.save_agreement(db, {**terms, "fee": "每月800元", "service_place": "东风村三组"}, agreement_id,
                              today=TODAY)
    agreements.sign(db, agreement_id, "2026-02-25", today=TODAY)
    agreements.renew(db, agreement_id)

    panel = settings_backup.AuditLogPanel(AppContext(db_path, db))
    qtbot.addWidget(panel)
    model = panel.model
    shown = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    fields = {(row[2], row[4]) for row in shown}  # (类别, 字段) as the clerk reads them

    assert {("设置", "乡镇（街道）名称"), ("设置", "填表人")} <= fields
    assert {("互助协议", "服务费"), ("互助协议", "服务地点"), ("互助协议", "状态"), ("互助协议", "续签自")} <= fields
    fee = next(row for row in shown if row[4] == "服务费")
    assert (fee[1], fee[5], fee[6]) == ("修改", "每月600元", "每月800元")
    ascii_fields = [row for row in shown if row[4] and row[4].isascii()]
    assert ascii_fields == []  # no field shown by its column name (township_name, renewed_from_id …)


def test_a_field_is_named_as_its_own_table_names_it():
    assert audit_log.field_label("villages", "name") == "村（社区）名称"
    assert audit_log.field_label("visitors", "name") == "姓名"
    assert audit_log.field_label("agreements", "elder_address") == "被助养老人家庭住址"
    assert audit_log.field_label("elders", "current_address") == "现居住地址"
    assert audit_log.field_label("settings", "password_lock") == "启动密码"
    assert audit_log.field_label("hazards", "resolved_on") == "处置日期"   # the shared labels
    assert audit_log.field_label("visits", "something_new") == "something_new"  # never hidden
    assert audit_log.field_label("elders", None) == ""


def test_a_data_folder_holding_another_programs_file_is_refused(qtbot, db, db_path, tmp_path, monkeypatch):
    folder = tmp_path / "别的"
    folder.mkdir()
    foreign = sqlite3.connect(folder / "township_desk.db")
    foreign.execute("CREATE TABLE songs(title TEXT)")
    foreign.commit()
    foreign.close()
    panel = panel_for(qtbot, db, db_path)
    shown = messages(monkeypatch)
    monkeypatch.setattr(settings_backup, "ask_folder", lambda *a: str(folder))
    panel.choose_data_folder()
    assert shown[-1][0] == "数据文件夹" and "不能使用" in shown[-1][1]
    assert "data_dir" not in paths.local_config()


def test_restoring_an_encrypted_backup_asks_for_its_password_first(qtbot, db, db_path, tmp_path, monkeypatch):
    from township_desk.models import cipher, protection
    from township_desk.ui import lock_dialog

    monkeypatch.setattr(cipher, "WRONG_PASSWORD_DELAY", 0)
    add(db, 0, "张德福")
    db.close()
    protection.set_password(db_path, "旧密码1234")
    database = dbm.connect(db_path)
    backup = backups.backup(database, tmp_path / "加密备份.zip")
    add(database, 1, "李秀英")
    database.close()
    protection.change_password(db_path, "旧密码1234", "新密码5678")
    ctx = AppContext(db_path, dbm.connect(db_path))
    panel = settings_backup.BackupPanel(ctx)
    qtbot.addWidget(panel)
    shown = messages(monkeypatch)
    asked = []
    answers = ["新密码5678", "旧密码1234"]
    monkeypatch.setattr(lock_dialog, "ask_backup_password", lambda _p, path: asked.append(path) or answers.pop(0))

    panel.restore_from(backup)  # the ledger's password of today does not open the old backup
    qtbot.waitUntil(lambda: len(shown) > 1, timeout=20000)
    assert asked == [backup]
    assert shown[-1][0] == "恢复未完成" and "密码不正确" in shown[-1][1]
    assert ctx.db.execute("SELECT count(*) FROM elders").fetchone()[0] == 2

    shown.clear()
    panel.restore_from(backup)
    qtbot.waitUntil(lambda: len(shown) > 1, timeout=20000)
    assert shown[0][0] == "确认恢复" and "老人 1 人" in shown[0][1]
    assert shown[-1][0] == "恢复完成" and "做这份备份时的密码" in shown[-1][1]
    assert ctx.db.execute("SELECT count(*) FROM elders").fetchone()[0] == 1
    ctx.db.close()
    cipher._unlocked.clear()
    cipher.unlock(db_path, "旧密码1234")
