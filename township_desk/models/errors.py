"""Errors a clerk can cause. Each carries a Chinese message that the window or the command line shows as is."""


class UserError(Exception):
    """Something the clerk can fix: the message says what and where, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DatabaseUnavailable(UserError):
    """The database file cannot be opened or written (locked, read-only, damaged, newer, not ours)."""


class AlreadyRunning(UserError):
    """Another copy of the program already has this database open."""


class ValidationError(UserError):
    """A record was refused; ``problems`` lists (field, message) pairs."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


class StaleRecord(UserError):
    """The record was changed by someone else (an import, the command line, another window) after the editor
    read it; nothing was saved, so that change is not silently undone. The window offers to reload."""

    def __init__(self, message: str, table: str = "", record_id: object = None):
        super().__init__(message)
        self.table = table
        self.record_id = record_id
