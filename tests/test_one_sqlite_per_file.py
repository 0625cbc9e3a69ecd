"""Setting a password converts a plain ledger through SQLCipher's copy of SQLite; the program reads plain ledgers
through the standard library's copy. Two copies of SQLite on one file in one process break each other's POSIX
locks (closing one copy's handle drops the other's locks), so the conversion opens the file through SQLCipher
only, starts only when this process has no standard-library connection to it open, and holds new ones back
until it is over (``db.converting``)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.test_cipher import PASSWORD, cli, everything
from township_desk.models import cipher, protection
from township_desk.models import db as dbm
from township_desk.models.errors import UserError

pytestmark = pytest.mark.usefixtures("_forget_keys")


@pytest.fixture
def _forget_keys():
    cipher._unlocked.clear()
    yield
    cipher._unlocked.clear()
    cipher._step_hook = None


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("演示") / "demo.db"
    result = cli("demo", "--db", str(path), "--elders", "12", "--seed", "5", "--as-of", "2026-10-31")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def ledger(demo, tmp_path) -> Path:
    path = tmp_path / "台账.db"
    shutil.copyfile(demo, path)
    return path


def test_the_conversion_never_opens_the_ledger_through_the_standard_library(ledger, monkeypatch):
    opened: list[str] = []
    real_connect = sqlite3.connect

    def watching(database, *args, **kwargs):
        if ledger.name in str(database):
            opened.append(str(database))
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", watching)
    cipher.set_password(ledger, PASSWORD)
    assert opened == []
    assert cipher.is_encrypted(ledger)


def test_setting_a_password_waits_for_open_connections_of_this_process_then_refuses(ledger, monkeypatch):
    monkeypatch.setattr(dbm, "CONVERSION_WAIT_S", 0.5)
    before = everything(ledger)
    reader = dbm.connect(ledger, migrate=False)  # the 首页's figures, say, still reading
    assert dbm.plain_connections(ledger) == 1
    try:
        with pytest.raises(UserError, match="仍在被本程序的其他部分读取（1 处.*设置密码未开始，台账未改动"):
            protection.set_password(ledger, PASSWORD)
        assert not cipher.is_encrypted(ledger)
        assert reader.execute("SELECT count(*) FROM elders").fetchone()[0] == 12
    finally:
        reader.close()
    assert dbm.plain_connections(ledger) == 0
    assert everything(ledger) == before
    protection.set_password(ledger, PASSWORD)  # nothing open now: it goes ahead
    assert cipher.is_encrypted(ledger)


def test_a_read_started_during_the_conversion_waits_and_then_reads_the_encrypted_ledger(ledger):
    outcome: dict = {}
    seen_during: list[tuple[bool, int]] = []

    def read_elders():
        db = dbm.connect(ledger, migrate=False)
        try:
            outcome["kind"] = type(db.conn).__name__
            outcome["count"] = db.execute("SELECT count(*) FROM elders").fetchone()[0]
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            outcome["error"] = exc
        finally:
            db.close()

    reader = threading.Thread(target=read_elders)

    def hook(step: str) -> None:
        if step == "exported":  # the plain file and its encrypted copy are both open in SQLCipher's SQLite
            reader.start()
            reader.join(1.0)
            seen_during.append((reader.is_alive(), dbm.plain_connections(ledger)))

    cipher._step_hook = hook
    cipher.set_password(ledger, PASSWORD)
    reader.join(20)
    assert seen_during == [(True, 0)]  # held back, no standard-library connection opened meanwhile
    assert outcome == {"kind": "CipherConnection", "count": 12}


def test_a_second_conversion_of_the_same_file_is_refused_while_the_first_runs(ledger):
    refused: list[str] = []

    def hook(step: str) -> None:
        if step == "settled":
            try:
                cipher.set_password(ledger, "另一个密码5678")
            except UserError as exc:
                refused.append(str(exc))

    cipher._step_hook = hook
    cipher.set_password(ledger, PASSWORD)
    assert refused == ["台账正在进行另一项加密转换，设置密码未开始。请等它完成后再试。"]
    cipher._step_hook = None
    cipher._unlocked.clear()
    cipher.unlock(ledger, PASSWORD)  # the first one's password opens it


# ---------------------------------------------------------------------------------------------- random bytes

def _junk(folder: Path) -> tuple[Path, bytes]:
    import os

    path = folder / "junk.db"
    path.write_bytes(os.urandom(8192))  # shaped like an encrypted ledger: whole pages, no SQLite header
    return path, path.read_bytes()


@pytest.mark.parametrize("secret", [None, "随便一个密码12", "7K2Q-ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345"])
def test_random_bytes_are_called_unopenable_not_a_ledger_with_a_password_and_nothing_is_written(tmp_path, secret):
    path, before = _junk(tmp_path)
    result = cli("overdue", "--db", str(path), password=secret)
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.splitlines() == [line]
    assert "无法打开“junk.db”" in line and "junk.db.key" in line and "也可能根本不是台账" in line
    assert "台账已设置密码" not in line and "密码不正确" not in line
    assert ("用这个恢复密钥也打不开" in line) == (secret is not None and secret.startswith("7K2Q"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]  # no junk.db.attempts, no -wal, no .bak
    assert path.read_bytes() == before


def test_the_window_writes_nothing_beside_random_bytes_after_a_wrong_recovery_key(qapp, tmp_path, monkeypatch):
    from township_desk.ui import lock_dialog

    monkeypatch.setattr(cipher, "WRONG_PASSWORD_DELAY", 0)
    path, before = _junk(tmp_path)
    dialog = lock_dialog.LedgerUnlockDialog(path)
    dialog.password.setText("7K2Q-ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345")
    dialog.try_unlock()
    assert "用这个恢复密钥也打不开" in dialog.message.text() and "也可能根本不是台账" in dialog.message.text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]
    assert path.read_bytes() == before


def test_a_wrong_password_of_a_real_encrypted_ledger_is_still_noted_for_the_audit_log(ledger, monkeypatch):
    monkeypatch.setattr(cipher, "WRONG_PASSWORD_DELAY", 0)
    cipher.set_password(ledger, PASSWORD)
    cipher._unlocked.clear()
    with pytest.raises(cipher.WrongPassword, match="密码不正确"):
        cipher.unlock(ledger, "不对的密码99")
    assert cipher.has_failures(ledger)
