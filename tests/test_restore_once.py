"""``township-desk restore`` proves a backup once: unpacked beside the ledger and checked (integrity_check, migrated,
every table) before the clerk is asked, and that proved copy is the one put in place. It used to be checked
before asking and again in the restore (77 s + 108 s at 30,000 elders). A restore that does not go ahead leaves
nothing beside the ledger and keeps no copy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import VALID_IDS
from township_desk.commands import backup as backup_command
from township_desk.models import backups, elders, paths
from township_desk.models import db as dbm


def _ledger(path: Path, count: int, start: int = 0) -> None:
    db = dbm.connect(path)
    for i in range(start, count):
        elders.save_elder(db, {"name": "张王李赵"[i] + "德福", "id_number": VALID_IDS[i], "village": "东风村"},
                          today=dt.date(2026, 11, 22))
    db.close()


def _count(path: Path) -> int:
    db = dbm.connect(path)
    try:
        return db.execute("SELECT count(*) FROM elders").fetchone()[0]
    finally:
        db.close()


def _run(*argv) -> int:
    from township_desk.cli import main

    return main([str(a) for a in argv])


@pytest.fixture
def backup_and_newer_ledger(db_path, tmp_path) -> Path:
    """A backup of one elder; the ledger has two by now."""
    _ledger(db_path, 1)
    saved = tmp_path / "b.zip"
    assert _run("backup", "--db", db_path, "-o", saved) == 0
    _ledger(db_path, 2, start=1)
    return saved


@pytest.fixture
def proofs(monkeypatch) -> list[Path]:
    proved: list[Path] = []
    real = backups._prepare

    def counting(path, dest, secret=None):
        proved.append(Path(path))
        return real(path, dest, secret)

    monkeypatch.setattr(backups, "_prepare", counting)
    return proved


def _beside(db_path: Path) -> list[str]:
    """The files beside the ledger but the backup and the lock file (the window leaves one as well)."""
    return sorted(p.name for p in db_path.parent.iterdir() if p.name not in ("b.zip", db_path.name + ".lock"))


def _kept_copies() -> list[str]:
    return sorted(p.name for p in paths.backups_dir().rglob("before-restore_*"))


def test_restore_proves_the_backup_once_and_puts_that_copy_in_place(db_path, backup_and_newer_ledger, proofs,
                                                                   capsys):
    assert _run("restore", backup_and_newer_ledger, "--db", db_path, "--yes") == 0
    out = capsys.readouterr().out
    assert out.index("老人 1 人") < out.index("已恢复")
    assert proofs == [backup_and_newer_ledger]
    assert _count(db_path) == 1
    assert len(_kept_copies()) == 1


@pytest.mark.parametrize("answer", ["n\n", ""])
def test_a_restore_the_clerk_declines_leaves_nothing_beside_the_ledger_and_keeps_no_copy(
        db_path, backup_and_newer_ledger, proofs, monkeypatch, capsys, answer):
    monkeypatch.setattr(backup_command, "_is_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt: answer.strip() if answer else (_ for _ in ()).throw(EOFError))
    before = _beside(db_path)
    assert _run("restore", backup_and_newer_ledger, "--db", db_path) == 2
    assert "已取消，未作任何改动" in capsys.readouterr().out
    assert proofs == [backup_and_newer_ledger]
    assert _beside(db_path) == before and _kept_copies() == []
    assert _count(db_path) == 2


def test_a_restore_without_a_terminal_or_yes_leaves_nothing_beside_the_ledger(db_path, backup_and_newer_ledger,
                                                                            monkeypatch, capsys):
    monkeypatch.setattr(backup_command, "_is_interactive", lambda: False)
    before = _beside(db_path)
    assert _run("restore", backup_and_newer_ledger, "--db", db_path) == 2
    assert "--yes" in capsys.readouterr().err
    assert _beside(db_path) == before and _kept_copies() == []
    assert _count(db_path) == 2
