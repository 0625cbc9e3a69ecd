"""What a write changed (Anki's ``OpChanges``): the tables, and the row ids where they are cheap to know.

A writer returns or is run with a ``Changes``; the window announces it and every page that shows one of the
tables refreshes itself. ``ALL`` ("*") means "anything may have changed" (a restore, another program's commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL = "*"


@dataclass(frozen=True)
class Changes:
    """Tables written (``"elders"``, ``"visits"`` ...), ``"*"`` for everything; ``ids`` maps a table to row ids."""

    tables: frozenset[str] = frozenset()
    ids: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, *tables: str) -> Changes:
        return cls(frozenset(tables))

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
