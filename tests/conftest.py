"""Shared fixtures: a real SQLite file in a temp folder, and a private data folder for every test."""

from __future__ import annotations

import datetime as dt
import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "PySide6")

# Valid ID numbers (checksum right, region code real) for tests; born 1940s–1960s.
VALID_IDS = [
    "511102194503120010",  # 男 1945-03-12
    "511102195207080020",  # 女 1952-07-08
    "511102193811250031",  # 男 1938-11-25
    "511102194806010046",  # 女 1948-06-01
]


@pytest.fixture
def tmp_path(tmp_path):
    """Every test's folder has Chinese characters and a space in its name, as an office PC's folders do
    (C:\\Users\\张三\\Documents\\台账 数据): a path handed to a program as two words, or encoded in the wrong
    code page, fails the suite here rather than on the clerk's PC."""
    folder = tmp_path / "台账 数据"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own data folder (named in Chinese, with a space) and settings file, so nothing touches
    the clerk's real ones."""
    home = tmp_path_factory.mktemp("用户 数据")
    monkeypatch.setenv("TOWNSHIP_DESK_HOME", str(home))
    monkeypatch.setenv("TOWNSHIP_DESK_CONFIG", str(tmp_path_factory.mktemp("config") / "config.json"))
    return home


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "ledger.db"


@pytest.fixture
def db(db_path):
    from township_desk.models import db as dbm

    database = dbm.connect(db_path)
    yield database
    database.close()


def make_id(birth: str, seq: int = 1, region: str = "511102") -> str:
    """A valid ID number for a birth date 'YYYYMMDD' and a 3-digit sequence (odd = 男)."""
    from stdnum.cn import ric

    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def today():
    return dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _forget_unlocked_ledgers():
    """A ledger unlocked with its password stays unlocked for the process (models.cipher): not into the next test."""
    yield
    from township_desk.models import cipher

    cipher._unlocked.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    """Before a test's fixtures close its database and widgets, wait for the background jobs it started: a worker
    still running while its page and connection were torn down aborted the process (SIGABRT, seen under load in
    tests/ui/test_returns_dialogs.py). The application does the same when it quits (``jobs.wait_for_all``)."""
    jobs = sys.modules.get("township_desk.ui.jobs")
    if jobs is not None:
        jobs.wait_for_all()
