"""Encryption at rest (issue 17): a ledger with a password is a SQLCipher file that plain SQLite cannot read; every
command refuses without the password; set / change / remove re-key the real file and keep every row; a kill at
any step of re-keying leaves a file that opens; backups are encrypted and ask for their own password; the recovery
key opens the ledger in place of the password."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from township_desk.models import backups, cipher, protection
from township_desk.models import db as dbm
from township_desk.models.errors import DatabaseUnavailable

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "青山abcd1234"


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    monkeypatch.setattr(cipher, "WRONG_PASSWORD_DELAY", 0)
    cipher._unlocked.clear()
    yield
    cipher._unlocked.clear()
    cipher._step_hook = None


def cli(*args: str, password: str | None = None, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = os.environ.copy()
    env.pop(cipher.ENV_PASSWORD, None)
    if password is not None:
        env[cipher.ENV_PASSWORD] = password
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "township_desk", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=180, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def demo_plain(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("演示")
    path = folder / "demo.db"
    result = cli("demo", "--db", str(path), "--elders", "12", "--seed", "3", "--as-of", "2026-10-31")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def plain_ledger(demo_plain, tmp_path) -> Path:
    path = tmp_path / "台账.db"
    shutil.copyfile(demo_plain, path)
    return path


@pytest.fixture
def encrypted(plain_ledger) -> tuple[Path, str]:
    """(an encrypted demo ledger, its recovery key), as after a fresh start of the program (nothing unlocked)."""
    key = protection.set_password(plain_ledger, PASSWORD)
    cipher._unlocked.clear()
    return plain_ledger, key


def everything(path: Path, secret: str | None = None) -> dict:
    """Every row of every table, the schema version and identity: what "all data kept" compares."""
    if secret is not None and cipher.is_encrypted(path):
        cipher.unlock(path, secret)
    db = dbm.connect(path, migrate=False)
    try:
        conn = db.conn
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        data = {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
        data["_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
        data["_app"] = conn.execute("PRAGMA application_id").fetchone()[0]
        return data
    finally:
        db.close()


def without_password_changes(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("audit_log", "settings")}


# ---------------------------------------------------------------------------------------------- the file

def test_plain_sqlite_cannot_read_the_encrypted_file(encrypted):
    path, _key = encrypted
    with open(path, "rb") as fh:
        assert not fh.read(16).startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT count(*) FROM elders").fetchone()
    text = path.read_bytes()
    assert "青山".encode() not in text and b"elders" not in text and b"CREATE TABLE" not in text
    key_file = json.loads(cipher.key_path(path).read_text(encoding="utf-8"))
    assert PASSWORD not in json.dumps(key_file, ensure_ascii=False)


def test_recognise_asks_for_the_password_and_never_takes_random_bytes_for_a_ledger(encrypted, tmp_path):
    path, _key = encrypted
    with pytest.raises(cipher.PasswordRequired):
        dbm.recognise(path)
    noise = tmp_path / "noise.db"
    noise.write_bytes(os.urandom(8192))
    before = noise.read_bytes()
    with pytest.raises(DatabaseUnavailable, match="不是本程序的数据库") as refused:
        dbm.connect(noise)
    assert not isinstance(refused.value, cipher.PasswordRequired)
    shutil.copyfile(cipher.key_path(path), cipher.key_path(noise))  # even beside a key file that is ours
    with pytest.raises(cipher.WrongPassword):
        cipher.unlock(noise, PASSWORD)
    assert noise.read_bytes() == before


def test_the_recovery_key_opens_it_even_without_the_key_file(encrypted):
    path, key = encrypted
    before = everything(path, PASSWORD)
    cipher._unlocked.clear()
    cipher.key_path(path).unlink()
    with pytest.raises(cipher.WrongPassword, match="恢复密钥"):
        cipher.unlock(path, PASSWORD)
    cipher.unlock(path, key.lower().replace("-", " ").replace("0", "o"))
    assert everything(path) == before


def test_change_and_remove_keep_every_row(encrypted):
    path, key = encrypted
    before = without_password_changes(everything(path, PASSWORD))
    protection.change_password(path, PASSWORD, "新密码9876")
    cipher._unlocked.clear()
    with pytest.raises(cipher.WrongPassword):
        cipher.unlock(path, PASSWORD)
    assert without_password_changes(everything(path, "新密码9876")) == before
    cipher._unlocked.clear()
    cipher.unlock(path, key)  # the recovery key stays valid after a change
    protection.remove_password(path, "新密码9876")
    with open(path, "rb") as fh:
        assert fh.read(16) == b"SQLite format 3\x00"
    assert not cipher.key_path(path).exists()
    assert without_password_changes(everything(path)) == before
    log = sqlite3.connect(path).execute(
        "SELECT new_value FROM audit_log WHERE record_label = '台账密码' ORDER BY id").fetchall()
    assert [r[0] for r in log] == ["已设置，台账已加密", "已修改（恢复密钥不变）", "已清除，台账不再加密"]


def test_a_new_password_shaped_like_a_recovery_key_is_refused(plain_ledger):
    with pytest.raises(Exception, match="恢复密钥的样式"):
        protection.set_password(plain_ledger, cipher.format_recovery_key(cipher.new_recovery_key()))
    assert not cipher.is_encrypted(plain_ledger)


# ---------------------------------------------------------------------------------------------- kills

STEPS = ["settled", "exporting", "exported", "key file joined", "swapped", "key file final"]
KILLER = """
import os, sys
from township_desk.models import cipher, protection
cipher.WRONG_PASSWORD_DELAY = 0
step, action, path = sys.argv[1], sys.argv[2], sys.argv[3]
def hook(name):
    if name == step:
        os._exit(9)   # killed: no finally, no clean-up
cipher._step_hook = hook
if action == "set":
    protection.set_password(path, "第一个密码1")
elif action == "change":
    protection.change_password(path, "第一个密码1", "第二个密码2")
else:
    protection.remove_password(path, "第一个密码1")
"""


@pytest.mark.parametrize("action", ["set", "change", "remove"])
@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_of_re_keying_leaves_a_ledger_that_opens(plain_ledger, action, step):
    path = plain_ledger
    if action != "set":
        protection.set_password(path, "第一个密码1")
        cipher._unlocked.clear()
    before = without_password_changes(everything(path, "第一个密码1"))
    cipher._unlocked.clear()
    result = subprocess.run([sys.executable, "-c", KILLER, step, action, str(path)], cwd=ROOT,
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode in (0, 9), result.stderr
    if step == "key file joined" and action == "remove":
        assert result.returncode == 0  # a plain target has no key file to write: the step never comes
    # The ledger as the next start finds it: the old file with the old password, or the new one with the new.
    cipher.clean_leftovers(path)
    assert not any(p.name.endswith(".rekey") for p in path.parent.iterdir())
    if cipher.is_encrypted(path):
        opened = False
        for secret in ("第一个密码1", "第二个密码2"):
            try:
                cipher.unlock(path, secret)
                opened = True
                break
            except cipher.WrongPassword:
                continue
        assert opened
    assert without_password_changes(everything(path)) == before
    db = dbm.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


# ---------------------------------------------------------------------------------------------- backups

def zip_database_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        entry = next(i for i in zf.infolist() if i.filename.endswith(".db"))
        return zf.read(entry)


def test_backups_are_encrypted_and_the_old_plain_ones_are_encrypted_when_a_password_is_set(plain_ledger):
    path = plain_ledger
    db = dbm.connect(path)
    old = backups.daily_backup_if_due(db, path).path
    db.close()
    assert zip_database_bytes(old).startswith(b"SQLite format 3")
    told = []
    protection.set_password(path, PASSWORD, progress=lambda *report: told.append(report))
    assert told == [(0, 1, f"正在加密以前的备份（1/1）：{old.name}")]
    assert not zip_database_bytes(old).startswith(b"SQLite format 3")
    assert backups.inspect_backup(old).encrypted
    db = dbm.connect(path)
    try:
        manual = backups.backup(db, path.parent / "手动备份.zip")
        plain_file = backups.backup(db, path.parent / "手动备份.db")
    finally:
        db.close()
    assert not zip_database_bytes(manual).startswith(b"SQLite format 3")
    with open(plain_file, "rb") as fh:
        assert not fh.read(16).startswith(b"SQLite format 3")
    cipher._unlocked.clear()
    assert backups.check_backup(old, PASSWORD).elders == 12
    assert backups.check_backup(plain_file, PASSWORD).elders == 12


def test_the_parts_written_while_backing_up_are_never_plain(encrypted, monkeypatch):
    path, _key = encrypted
    cipher.unlock(path, PASSWORD)
    seen = []
    real = backups._zip_database

    def spy(db_file, target, entry, facts, envelopes=None):
        with open(db_file, "rb") as fh:
            seen.append(fh.read(16))
        return real(db_file, target, entry, facts, envelopes)

    monkeypatch.setattr(backups, "_zip_database", spy)
    db = dbm.connect(path)
    try:
        backups.backup(db, path.parent / "b.zip")
    finally:
        db.close()
    assert seen and not seen[0].startswith(b"SQLite format 3")


def test_restoring_an_encrypted_backup_asks_for_its_own_password(encrypted):
    path, key = encrypted
    cipher.unlock(path, PASSWORD)
    db = dbm.connect(path)
    backup = backups.backup(db, path.parent / "旧备份.zip")
    db.close()
    protection.change_password(path, PASSWORD, "后来的密码1")
    with pytest.raises(cipher.PasswordRequired, match="加密"):
        backups.prepare_restore(path, backup)
    with pytest.raises(cipher.WrongPassword, match="备份"):
        backups.prepare_restore(path, backup, secret="后来的密码1")
    kept = backups.restore(path, backup, secret=PASSWORD)
    assert kept is not None and backups.inspect_backup(kept).encrypted
    cipher._unlocked.clear()
    cipher.unlock(path, PASSWORD)  # the restored ledger has the backup's password
    assert everything(path)["elders"]
    cipher._unlocked.clear()
    cipher.unlock(path, key)  # and the same recovery key


def test_cli_restore_of_an_encrypted_backup_asks_for_its_password(encrypted):
    path, _key = encrypted
    backup = path.parent / "备份.zip"
    assert cli("backup", "--db", str(path), "-o", str(backup), password=PASSWORD).returncode == 0
    refused = cli("restore", str(backup), "--db", str(path), "--yes", password=PASSWORD,
                  extra_env={"TOWNSHIP_DESK_BACKUP_PASSWORD": ""})
    # TOWNSHIP_DESK_PASSWORD is the ledger's; the backup's falls back to it: the same password here, so it works
    assert refused.returncode == 0, refused.stderr
    wrong = cli("restore", str(backup), "--db", str(path), "--yes", password=PASSWORD,
                extra_env={"TOWNSHIP_DESK_BACKUP_PASSWORD": "不对的密码"})
    assert wrong.returncode == 2 and "备份“备份.zip”的密码不正确" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------------------------------------- commands

def make_inputs(folder: Path, plain: Path) -> dict[str, Path]:
    """A ledger workbook and a visit return workbook (made from the ledger before it was encrypted)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "所在村"])
    sheet.append(["王德福", "511102194503120010", "东风村"])
    workbook = folder / "台账导入.xlsx"
    book.save(workbook)
    returns_file = folder / "回执.xlsx"
    made = cli("returns", "make", "--db", str(plain), "--month", "2026-10", "-o", str(returns_file))
    assert made.returncode == 0, made.stderr
    return {"ledger": workbook, "returns": returns_file}


COMMANDS = {
    "elders": lambda db, out, inp: ["elders", "--db", db, "--json"],
    "overdue": lambda db, out, inp: ["overdue", "--db", db, "--as-of", "2026-10-31", "--json"],
    "export-monthly": lambda db, out, inp: ["export-monthly", "--db", db, "--month", "2026-09", "-o", out + ".xlsx"],
    "returns make": lambda db, out, inp: ["returns", "make", "--db", db, "--month", "2026-10", "-o", out + ".xlsx"],
    "returns import": lambda db, out, inp: ["returns", "import", str(inp["returns"]), "--db", db],
    "returns import --dry-run": lambda db, out, inp: ["returns", "import", str(inp["returns"]), "--db", db,
                                                      "--dry-run"],
    "import-ledger": lambda db, out, inp: ["import-ledger", str(inp["ledger"]), "--db", db],
    "import-ledger --dry-run": lambda db, out, inp: ["import-ledger", str(inp["ledger"]), "--db", db, "--dry-run"],
    "print roster": lambda db, out, inp: ["print", "roster", "--db", db, "-o", out + ".docx"],
    "print notice-cards": lambda db, out, inp: ["print", "notice-cards", "--db", db, "--village",
                                                "东风村", "-o", out + ".docx"],
    "backup": lambda db, out, inp: ["backup", "--db", db, "-o", out + ".zip"],
    "restore": lambda db, out, inp: ["restore", str(inp["backup"]), "--db", db, "--yes"],
    "demo": lambda db, out, inp: ["demo", "--db", db, "--elders", "5"],
    "password change": lambda db, out, inp: ["password", "change", "--db", db],
}


@pytest.fixture(scope="module")
def command_template(demo_plain, tmp_path_factory) -> Path:
    """A folder with an encrypted copy of the demo ledger, its backup, and the input workbooks."""
    folder = tmp_path_factory.mktemp("命令")
    plain = folder / "明文.db"
    shutil.copyfile(demo_plain, plain)
    make_inputs(folder, plain)
    plain.unlink()
    path = folder / "台账.db"
    shutil.copyfile(demo_plain, path)
    protection.set_password(path, PASSWORD)
    db = dbm.connect(path)
    backups.backup(db, folder / "备份.zip")
    db.close()
    cipher._unlocked.clear()
    return folder


# The commands whose run with the right password is checked too (each run costs a process start).
RUN_WITH_PASSWORD = {"elders", "import-ledger --dry-run", "restore", "password change"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_refuses_without_the_password(name, command_template, tmp_path, monkeypatch, capsys):
    for entry in command_template.iterdir():
        shutil.copyfile(entry, tmp_path / entry.name)
    path = tmp_path / "台账.db"
    inputs = {"ledger": tmp_path / "台账导入.xlsx", "returns": tmp_path / "回执.xlsx", "backup": tmp_path / "备份.zip"}
    before = path.read_bytes()
    folder_before = sorted(p.name for p in tmp_path.iterdir())
    args = COMMANDS[name](str(path), str(tmp_path / "输出"), inputs)

    # In this process (cli.main, as test_print_cli does): no terminal to type into, the password from the environment.
    from township_desk.cli import main

    monkeypatch.setenv("TOWNSHIP_DESK_NEW_PASSWORD", "另一个密码12")
    monkeypatch.delenv(cipher.ENV_PASSWORD, raising=False)
    monkeypatch.delenv("TOWNSHIP_DESK_BACKUP_PASSWORD", raising=False)
    assert main(args) == 2
    missing = capsys.readouterr()
    assert missing.err.strip().splitlines() == [missing.err.strip()]
    assert "台账已设置密码" in missing.err and cipher.ENV_PASSWORD in missing.err
    assert "511102" not in missing.out

    monkeypatch.setenv(cipher.ENV_PASSWORD, "不对的密码")
    assert main(args) == 2
    wrong = capsys.readouterr()
    assert "密码不正确" in wrong.err and len(wrong.err.strip().splitlines()) == 1
    assert "511102" not in wrong.out
    cipher._unlocked.clear()
    assert path.read_bytes() == before
    written = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in written if n not in folder_before and not n.endswith(cipher.ATTEMPTS_SUFFIX)] == []
    if name not in RUN_WITH_PASSWORD:
        return

    right = cli(*args, password=PASSWORD, extra_env={"TOWNSHIP_DESK_NEW_PASSWORD": "另一个密码12",
                                                      "TOWNSHIP_DESK_BACKUP_PASSWORD": PASSWORD})
    if name == "demo":  # it read the ledger (with the password) to refuse writing a demo into a real one
        assert right.returncode == 2 and "已有 12 位老人" in right.stderr
    else:
        assert right.returncode in (0, 1), right.stderr
    # the wrong attempt is in the audit log now, after the successful open
    cipher.unlock(path, "另一个密码12" if name == "password change" else PASSWORD)
    db = dbm.connect(path)
    try:
        failures = db.execute("SELECT record_label FROM audit_log WHERE action = '密码错误'").fetchall()
    finally:
        db.close()
    if "--dry-run" in name:  # a dry run writes nothing, not even the audit log: the note waits for a real open
        assert failures == [] and cipher.has_failures(path)
    elif name == "restore":  # logged into the ledger it replaced, which is kept as the before-restore copy
        assert not cipher.has_failures(path)
    else:
        assert ("命令行输入的密码不正确",) in failures and not cipher.has_failures(path)


def test_the_password_from_the_environment_runs_a_scheduled_job(encrypted):
    path, key = encrypted
    result = cli("elders", "--db", str(path), "--json", password=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 12
    copy = path.parent / "夜间备份.db"  # an uncompressed copy: encrypted, and described after it is written
    backed = cli("backup", "--db", str(path), "-o", str(copy), password=PASSWORD)
    assert backed.returncode == 0 and "老人 12 人" in backed.stdout, backed.stderr
    with open(copy, "rb") as fh:
        assert not fh.read(16).startswith(b"SQLite format 3")
    by_key = cli("overdue", "--db", str(path), "--as-of", "2026-10-31", password=key)
    assert by_key.returncode == 0, by_key.stderr


def test_cli_password_set_prints_the_recovery_key_and_writes_the_sheet(plain_ledger, tmp_path):
    from docx import Document

    sheet = tmp_path / "恢复单.docx"
    result = cli("password", "set", "--db", str(plain_ledger), "--sheet", str(sheet),
                 extra_env={"TOWNSHIP_DESK_NEW_PASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("恢复密钥："))
    key = line.split("：", 1)[1]
    assert cipher.is_encrypted(plain_ledger)
    cipher.unlock(plain_ledger, key)
    cells = "".join(p.text for p in Document(str(sheet)).tables[0].cell(0, 0).paragraphs)
    assert cells == key
    again = cli("password", "set", "--db", str(plain_ledger), extra_env={"TOWNSHIP_DESK_NEW_PASSWORD": "x1234567"})
    assert again.returncode == 2 and "已经设置了密码" in again.stderr


def test_a_dry_run_of_an_encrypted_ledger_writes_nothing_beside_it(encrypted, tmp_path):
    path, _key = encrypted
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "身份证号码", "所在村"])
    book.active.append(["王德福", "511102194503120010", "东风村"])
    workbook = tmp_path / "试导入.xlsx"
    book.save(workbook)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("import-ledger", str(workbook), "--db", str(path), "--dry-run", "--json", password=PASSWORD)
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["imported"] + json.loads(result.stdout)["updated"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_encrypted_part_a_killed_backup_left_is_cleaned_at_the_next_start(encrypted, tmp_path):
    import time

    from township_desk.models import files

    path, _key = encrypted
    part = tmp_path / "台账备份.zip.part"
    shutil.copyfile(path, part)  # a killed backup's copy of the encrypted ledger
    other = tmp_path / "别人的文件.part"
    other.write_bytes(b"not ours")
    old = time.time() - files.STALE_AFTER_SECONDS - 60
    for p in (part, other):
        os.utime(p, (old, old))
    removed = files.clean_at_start(path)
    assert part in removed and not part.exists() and other.exists()


def test_the_window_asks_for_the_password_before_it_opens_the_ledger(qapp, encrypted, monkeypatch):
    from township_desk import runtime
    from township_desk.ui import app as app_module
    from township_desk.ui import lock_dialog

    path, _key = encrypted
    monkeypatch.setattr(runtime, "enable_faulthandler", lambda: None)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    opened = []
    real_connect = dbm.connect
    monkeypatch.setattr(dbm, "connect", lambda *a, **k: opened.append(a) or real_connect(*a, **k))
    asked = []

    def refuse(self):
        asked.append((self.db_path, list(opened)))
        return 0  # 退出

    monkeypatch.setattr(lock_dialog.LedgerUnlockDialog, "exec", refuse)
    assert app_module.run_window(str(path)) == 1
    assert asked == [(path, [])]  # asked before any connection to the ledger was made


def test_output_may_not_be_the_ledgers_key_file(encrypted):
    from township_desk.models import files
    from township_desk.models.errors import UserError

    path, _key = encrypted
    with pytest.raises(UserError, match=r"台账数据库的附属文件（台账\.db\.key）"):
        files.check_output_path(cipher.key_path(path), path)


def test_the_bundle_carries_sqlcipher_and_ci_runs_an_encrypted_ledger_through_the_built_program():
    spec = (ROOT / "installer" / "township_desk.spec").read_text(encoding="utf-8")
    assert '"sqlcipher3", "sqlcipher3.dbapi2"' in spec
    assert '"sqlcipher3-wheels' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    built = ci[ci.index('step "console program: an encrypted ledger'):]
    for needed in ('"$cli" password set', 'TOWNSHIP_DESK_PASSWORD="ci-密码-1234" "$cli" overdue',
                   'TOWNSHIP_DESK_PASSWORD="ci-密码-1234" "$cli" backup', '"$not_plain" "$work/enc.db"'):
        assert needed in built
