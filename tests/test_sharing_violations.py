"""Windows: a file just written is held for a moment by the antivirus (or for good by Word), so the final rename
fails with a sharing violation. Imitated on Linux by patching ``os.replace`` to raise ``PermissionError`` with the
``winerror`` Windows sets. Every writer (print, export, backup, restore) retries, and says the right thing when
the file stays held."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from tests.conftest import VALID_IDS
from township_desk.cli import main
from township_desk.models import backups, elders, files, settings, villages
from township_desk.models import db as dbm
from township_desk.models.errors import UserError

TODAY = dt.date(2026, 11, 22)
REAL_REPLACE = os.replace


class HeldFile:
    """``os.replace`` failing ``failures`` times (None: always) as Windows does while another program holds it."""

    def __init__(self, failures: int | None, winerror: int | None = 32):
        self.failures = failures
        self.winerror = winerror
        self.calls = 0

    def __call__(self, source, target):
        self.calls += 1
        if self.failures is None or self.calls <= self.failures:
            exc = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。")
            if self.winerror is not None:
                exc.winerror = self.winerror
            raise exc
        return REAL_REPLACE(source, target)


@pytest.fixture
def ledger(db_path):
    database = dbm.connect(db_path)
    settings.put(database, {"township_name": "青山镇"})
    villages.save_village(database, {"name": "青山村", "committee": "青山村村民委员会"})
    # complete enough for the county workbook's cross-checks, on the ledger before the month exported
    elders.save_elder(database, {"name": "张德福", "id_number": VALID_IDS[0], "village": "青山村",
                                 "education": "小学", "spouse": "双方健在", "care": "有人照料", "main_income": "打工",
                                 "visitor": "李巡访", "entered_on": "2026-01-05"},
                      [{"name": "张小明", "relation": "儿子", "away_since": "2024-03"}], today=TODAY)
    database.close()
    return db_path


@pytest.fixture
def short_retry(monkeypatch):
    """Keep the "held for good" cases quick; the two-second length itself has its own test."""
    monkeypatch.setattr(files, "RENAME_RETRY_SECONDS", 0.2)


def held(monkeypatch, failures: int | None, winerror: int | None = 32) -> HeldFile:
    fake = HeldFile(failures, winerror)
    monkeypatch.setattr(os, "replace", fake)
    return fake


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name or p.name.endswith(".part"))


WRITERS = {
    "print": lambda ledger, out: ["print", "roster", "--db", str(ledger), "-o", str(out)],
    "export": lambda ledger, out: ["export-monthly", "--month", "2026-10", "--db", str(ledger), "-o", str(out)],
    "backup": lambda ledger, out: ["backup", "--db", str(ledger), "-o", str(out)],
}
SUFFIX = {"print": ".docx", "export": ".xlsx", "backup": ".db"}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("winerror", [5, 32, 33])
def test_a_rename_held_for_a_moment_is_retried_and_the_file_written(writer, winerror, ledger, tmp_path,
                                                                  monkeypatch, capsys):
    out = tmp_path / f"输出{SUFFIX[writer]}"
    fake = held(monkeypatch, failures=3, winerror=winerror)
    assert main(WRITERS[writer](ledger, out)) == 0, capsys.readouterr().err
    assert fake.calls == 4
    assert out.stat().st_size > 0
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_a_new_file_held_for_good_blames_the_antivirus_not_word(writer, ledger, tmp_path, monkeypatch, capsys,
                                                                short_retry):
    out = tmp_path / f"输出{SUFFIX[writer]}"
    fake = held(monkeypatch, failures=None)
    assert main(WRITERS[writer](ledger, out)) == 2
    err = capsys.readouterr().err
    assert "杀毒软件" in err and "Word" not in err, err
    assert err.count("\n") == 1
    assert fake.calls > 3  # retried, not given up at once
    assert not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_an_existing_file_held_for_good_is_probably_open_in_word(writer, ledger, tmp_path, monkeypatch, capsys,
                                                                 short_retry):
    out = tmp_path / f"输出{SUFFIX[writer]}"
    out.write_bytes(b"old")
    held(monkeypatch, failures=None)
    assert main(WRITERS[writer](ledger, out)) == 2
    err = capsys.readouterr().err
    assert "可能正在 Word/WPS/Excel 中打开" in err, err
    assert out.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_a_plain_permission_error_is_not_retried_and_says_permission(ledger, tmp_path, monkeypatch, capsys):
    out = tmp_path / "花名册.docx"
    out.write_bytes(b"old")
    fake = held(monkeypatch, failures=None, winerror=None)  # POSIX EACCES: waiting will not help
    assert main(WRITERS["print"](ledger, out)) == 2
    err = capsys.readouterr().err
    assert "没有权限" in err and "Word" not in err
    assert fake.calls == 1


def test_restore_retries_a_database_held_for_a_moment(ledger, tmp_path, monkeypatch):
    copy = tmp_path / "副本.db"
    database = dbm.connect(ledger)
    backups.backup(database, copy)
    database.close()
    fake = held(monkeypatch, failures=2)
    backups.restore(ledger, copy)
    assert fake.calls >= 3
    database = dbm.connect(ledger)
    assert database.execute("SELECT count(*) FROM elders").fetchone()[0] == 1
    database.close()


def test_retries_last_about_two_seconds_then_give_up(tmp_path, monkeypatch):
    source = tmp_path / "a"
    source.write_text("x", encoding="utf-8")
    fake = held(monkeypatch, failures=None)
    started = time.monotonic()
    with pytest.raises(PermissionError):
        files.replace_file(source, tmp_path / "b")
    elapsed = time.monotonic() - started
    assert 1.9 <= elapsed < 3.0
    assert 8 <= fake.calls < 100  # waits between tries, does not spin


def test_atomic_path_message_for_a_held_new_file(tmp_path, monkeypatch, short_retry):
    held(monkeypatch, failures=None)
    with pytest.raises(UserError, match="杀毒软件"), files.atomic_path(tmp_path / "图表.png") as tmp:
        tmp.write_bytes(b"png")
    assert list(tmp_path.iterdir()) == []


def test_a_photo_or_scan_copied_in_is_retried_too(tmp_path, monkeypatch):
    """Photos and agreement scans are copied into the data folder the same way (``files.copy_unique``)."""
    source = tmp_path / "巡访照片.jpg"
    source.write_bytes(b"\xff\xd8jpeg")
    fake = held(monkeypatch, failures=2, winerror=32)
    copy = files.copy_unique(source, tmp_path / "photos", "张德福_20261122")
    assert copy.read_bytes() == b"\xff\xd8jpeg" and fake.calls == 3
