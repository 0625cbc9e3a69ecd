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
