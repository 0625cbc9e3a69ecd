"""What a write changed (Anki's ``OpChanges``): the tables, and the row ids where they are cheap to know.

One pattern for every model function that writes: inside its transaction it *notes* what it wrote on its
connection — ``note(db, Changes.of(visits=[visit_id]))`` — and returns what it returned before (an id, a result
object), so no caller changes. Whoever ran the operation *takes* what was noted and announces it:

- the window, after a write on its own connection: ``ctx.announce(take(ctx.db))`` (``AppContext.announce_writes``);
- a background job, on its own connection: it returns ``take(db)``, or a result whose ``written`` is that, and
  ``ui.jobs.run_job`` announces it (``written(result)``).

A writer calling another (a status change ending agreements, a quick contact opening a hazard) needs no extra
work: both note on the same connection. Noting rather than wrapping the return value keeps ids plain ``int``s
(Qt does not take an ``int`` subclass as a number). A write that was rolled back may still be noted; announcing
it only refreshes a page once more. ``ALL`` ("*") means "anything may have changed" (a restore, another program's
commit); the window then refreshes every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL = "*"


@dataclass(frozen=True)
class Changes:
    """Tables written (``"elders"``, ``"visits"`` ...), ``"*"`` for everything; ``ids`` maps a table to row ids."""

    tables: frozenset[str] = frozenset()
    ids: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, *tables: str, **ids: Any) -> Changes:
        """``Changes.of("visits", "hazards")``; row ids by table name: ``Changes.of(visits=[7], hazards=[3])``."""
        rows = tuple((table, int(i)) for table, values in ids.items() for i in values)
        return cls(frozenset(tables) | frozenset(table for table, values in ids.items() if values), rows)

    def ids_of(self, table: str) -> list[int]:
        """The row ids written in ``table`` that the writer named (may be fewer than were written)."""
        return [i for t, i in self.ids if t == table]

    @classmethod
    def everything(cls) -> Changes:
        return cls(frozenset({ALL}))

    def __bool__(self) -> bool:
        return bool(self.tables)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.tables | other.tables, self.ids + other.ids)

    def touches(self, shown: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        """True when a page showing ``shown`` must refresh (either side ``"*"`` means yes)."""
        if not self.tables:
            return False
        return ALL in self.tables or ALL in shown or bool(self.tables & set(shown))


MAX_IDS = 1000  # ids are kept while cheap; past this many only the tables are (an import of 30,000 elders)
_JOURNAL = "_township_written"


class _Journal:
    """What was noted on one connection since it was last taken."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.ids: list[tuple[str, int]] = []
        self.too_many = False

    def add(self, changes: Changes) -> None:
        self.tables |= changes.tables
        if not self.too_many:
            self.ids.extend(changes.ids)
            if len(self.ids) > MAX_IDS:
                self.ids, self.too_many = [], True


def note(db, changes: Changes) -> None:
    """Note on ``db`` (a writer's connection) that ``changes`` were written; ``take`` hands them on."""
    if not changes:
        return
    journal = getattr(db, _JOURNAL, None)
    if journal is None:
        journal = _Journal()
        setattr(db, _JOURNAL, journal)
    journal.add(changes)


def take(db) -> Changes:
    """Everything noted on ``db`` since the last ``take`` (empty when nothing was written), and forget it."""
    journal = getattr(db, _JOURNAL, None)
    if journal is None or not journal.tables:
        return Changes()
    setattr(db, _JOURNAL, None)
    return Changes(frozenset(journal.tables), tuple(journal.ids))


def written(result: Any) -> Changes:
    """What a background job's result says it wrote: the result itself when it is a ``Changes``, else its
    ``written`` attribute; an empty ``Changes`` for anything else."""
    if isinstance(result, Changes):
        return result
    found = getattr(result, "written", None)
    return found if isinstance(found, Changes) else Changes()


def data_stamp(db) -> tuple:
    """The database as this connection sees it now: the connection, its own writes (``total_changes``, also
    rolled-back ones) and other connections' commits (``PRAGMA data_version``). Equal stamps: nothing was written
    in between, so whatever was read and remembered with the stamp still holds (the overdue list, a day's group
    members, a page's rows)."""
    conn = db.conn
    return id(conn), conn.total_changes, db.execute("PRAGMA data_version").fetchone()[0]
