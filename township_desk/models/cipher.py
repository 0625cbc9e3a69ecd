"""Encryption at rest: a ledger with a password is a SQLCipher file; without one it stays plain SQLite.

The design, kept small so that a forgotten password or a lost file never hides more than it must:

- The **recovery key** R (20 random bytes, shown to the clerk once as 32 letters and digits on a recovery sheet)
  is the root secret. The SQLCipher key of a file is ``K = HMAC-SHA256(R, "township-desk data key v1" + S)``,
  where S is the 16-byte salt SQLCipher keeps in clear at the start of every encrypted file. K is given to
  SQLCipher as a raw key (``PRAGMA key = "x'…'"``), so opening a connection costs no key derivation (worker
  threads open their own), and the recovery key opens the file on its own, with nothing beside it.
- The **password** opens the file through a small key file beside it, ``<ledger>.key`` (JSON): R wrapped with
  the password, ``scrypt`` (n=2^14, r=8: 16 MB and about a tenth of a second, the slowing of a wrong guess) gives
  64 bytes, the first 20 are XORed with R (a one-time pad: every wrapping has a fresh salt) and the last 32 key
  an HMAC-SHA256 over the result, which tells a wrong password from a right one. The file never holds R, K or
  the password. No cipher library is needed beyond SQLCipher itself and Python's hashlib.
- Setting a password makes a new R (a new recovery sheet); changing it keeps R (the sheet stays valid) but
  re-keys the file with a new salt, so a copy of the old key file with the old password no longer opens the new
  file; removing it exports the file to plain SQLite. Each writes the new file beside the ledger under a
  temporary name, verifies it (opened with its key, ``quick_check``, the same tables and row counts), and
  renames it over the ledger (``os.replace``); the old file is gone only when the new one is in its place. The
  key file is replaced atomically in an order that leaves every state in between openable (``_swap``).
- A backup of an encrypted ledger is encrypted with the same K and salt (SQLite's backup API copies encrypted
  pages) and carries its own key file, so it opens with the password it was taken under or the recovery key.

Which files are unlocked is remembered in this process only (``remember``): every ``db.connect`` of the same
file (the window's worker threads) then opens it without asking again.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from township_desk.models.errors import DatabaseUnavailable, UserError

SQLITE_MAGIC = b"SQLite format 3\x00"
KEY_SUFFIX = ".key"
ATTEMPTS_SUFFIX = ".attempts"
ENV_PASSWORD = "TOWNSHIP_DESK_PASSWORD"
RECOVERY_BYTES = 20
SALT_BYTES = 16
_DATA_KEY_LABEL = b"township-desk data key v1"
_KEY_FORMAT = "township-desk-key"
# scrypt's "interactive" cost (Percival): 16 MB and about a tenth of a second on an office PC per try, the same as
# the old start-up password; stored in each envelope, so it can be raised later without breaking old key files.
_N, _R, _P = 2**14, 8, 1
# After a wrong password: a pause on top of scrypt's own cost, so guessing by hand or by script is slow.
WRONG_PASSWORD_DELAY = 1.0
# Crockford's base32: no I, L, O, U, so a key copied by hand from paper is read back right.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ENCRYPTED_CACHE_KIB = -32768  # PRAGMA cache_size of an encrypted connection (negative: KiB), SQLite's own is -2000


class PasswordRequired(DatabaseUnavailable):
    """The ledger is encrypted and no password (or a wrong one) was given."""


class WrongPassword(PasswordRequired):
    pass


# ---------------------------------------------------------------------------------------------- the keys

def new_recovery_key() -> bytes:
    return secrets.token_bytes(RECOVERY_BYTES)


def format_recovery_key(root: bytes) -> str:
    """R as 32 letters and digits in groups of four: ``7K2Q-…``."""
    text = base64.b32encode(root).decode("ascii").translate(str.maketrans(_B32, _ALPHABET))
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes | None:
    """R from what the clerk typed (dashes, spaces and case ignored; O read as 0, I and L as 1), or None when it
    is not a recovery key's shape."""
    cleaned = "".join(ch for ch in text.upper() if ch not in "- \t\r\n").translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 32 or any(ch not in _ALPHABET for ch in cleaned):
        return None
    return base64.b32decode(cleaned.translate(str.maketrans(_ALPHABET, _B32)))


def data_key(root: bytes, salt: bytes) -> bytes:
    return hmac.new(root, _DATA_KEY_LABEL + salt, hashlib.sha256).digest()


def _kdf(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=64)


def wrap(root: bytes, password: str) -> dict:
    """An envelope: R wrapped with ``password`` (see the module's description)."""
    salt = secrets.token_bytes(16)
    derived = _kdf(password, salt, _N, _R, _P)
    wrapped = bytes(a ^ b for a, b in zip(root, derived[:RECOVERY_BYTES], strict=True))
    tag = hmac.new(derived[32:], salt + wrapped, hashlib.sha256).hexdigest()
    return {"kdf": "scrypt", "n": _N, "r": _R, "p": _P, "salt": salt.hex(), "wrapped": wrapped.hex(), "tag": tag}


def unwrap(envelope: dict, password: str) -> bytes | None:
    """R from an envelope, or None when ``password`` is not the one it was wrapped with."""
    try:
        salt = bytes.fromhex(envelope["salt"])
        wrapped = bytes.fromhex(envelope["wrapped"])
        derived = _kdf(password, salt, int(envelope["n"]), int(envelope["r"]), int(envelope["p"]))
        tag = hmac.new(derived[32:], salt + wrapped, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(tag, str(envelope["tag"])) or len(wrapped) != RECOVERY_BYTES:
            return None
    except (KeyError, TypeError, ValueError):
        return None
    return bytes(a ^ b for a, b in zip(wrapped, derived[:RECOVERY_BYTES], strict=True))


# ---------------------------------------------------------------------------------------------- the files

def key_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + KEY_SUFFIX)


def read_envelopes(path: str | Path) -> list[dict]:
    """The envelopes in a key file (none when it is missing or not ours)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("format") != _KEY_FORMAT:
        return []
    return [e for e in data.get("envelopes", []) if isinstance(e, dict)]


def key_file_text(envelopes: list[dict]) -> str:
    return json.dumps({"format": _KEY_FORMAT, "version": 1, "note": "乡镇留守老人关爱服务台账的密钥文件：请与台账放在一起，"
                       "不要删除。它不含密码本身。", "envelopes": envelopes}, ensure_ascii=False, indent=1)


def write_key_file(path: str | Path, envelopes: list[dict]) -> None:
    """Write a key file under a temporary name and rename it into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(key_file_text(envelopes))
            fh.flush()
            os.fsync(fh.fileno())
        from township_desk.models import files

        files.replace_file(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _header(path: Path, size: int = 16) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def is_encrypted(path: str | Path) -> bool:
    """True when the file at ``path`` may be an encrypted ledger: not a plain SQLite file, and shaped like a
    SQLCipher one (whole pages of at least 512 bytes). Only its key proves it (``open_encrypted``)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size < 1024 or size % 512 or not path.is_file():
        return False
    return _header(path) != SQLITE_MAGIC


def file_salt(path: str | Path) -> bytes:
    return _header(Path(path), SALT_BYTES)


# ---------------------------------------------------------------------------------------------- connections

def _translate(exc: BaseException) -> BaseException:
    """sqlcipher3's errors as the standard ``sqlite3`` ones (same class name, same message): the program
    catches ``sqlite3.Error`` everywhere."""
    cls = getattr(sqlite3, type(exc).__name__, None)
    if isinstance(cls, type) and issubclass(cls, sqlite3.Error):
        new = cls(*exc.args)
        for attr in ("sqlite_errorcode", "sqlite_errorname"):
            with contextlib.suppress(AttributeError):
                setattr(new, attr, getattr(exc, attr))
        return new
    return exc


def _cipher_module():
    import sqlcipher3

    return sqlcipher3


class _Cursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor):
        self._cursor = cursor

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __iter__(self):
        return iter(self._cursor)

    def execute(self, *args):
        try:
            self._cursor.execute(*args)
        except _cipher_module().Error as exc:
            raise _translate(exc) from None
        return self

    def executemany(self, *args):
        try:
            self._cursor.executemany(*args)
        except _cipher_module().Error as exc:
            raise _translate(exc) from None
        return self

    def fetchone(self):
        try:
            return self._cursor.fetchone()
        except _cipher_module().Error as exc:
            raise _translate(exc) from None

    def fetchall(self):
        try:
            return self._cursor.fetchall()
        except _cipher_module().Error as exc:
            raise _translate(exc) from None

    def fetchmany(self, *args):
        try:
            return self._cursor.fetchmany(*args)
        except _cipher_module().Error as exc:
            raise _translate(exc) from None


class CipherConnection:
    """A sqlcipher3 connection that raises the standard ``sqlite3`` errors; ``root`` and ``salt`` are the keys
    it was opened with (a backup of it is keyed the same way)."""

    def __init__(self, conn, root: bytes, salt: bytes):
        self._conn = conn
        self.root = root
        self.salt = salt

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __setattr__(self, name, value):
        if name in ("_conn", "root", "salt"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._conn, name, value)

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except _cipher_module().Error as exc:
            raise _translate(exc) from None

    def execute(self, *args):
        return _Cursor(self._call(self._conn.execute, *args))

    def executemany(self, *args):
        return _Cursor(self._call(self._conn.executemany, *args))

    def executescript(self, *args):
        return _Cursor(self._call(self._conn.executescript, *args))

    def cursor(self, *args):
        return _Cursor(self._call(self._conn.cursor, *args))

    def commit(self):
        return self._call(self._conn.commit)

    def rollback(self):
        return self._call(self._conn.rollback)

    def close(self):
        return self._call(self._conn.close)

    def backup(self, target, **kwargs):
        return self._call(self._conn.backup, getattr(target, "_conn", target), **kwargs)

    def __enter__(self):
        self._conn.__enter__()
        return self

    def __exit__(self, *exc):
        return self._conn.__exit__(*exc)


def _key_pragma(key: bytes, salt: bytes | None = None) -> str:
    return f"PRAGMA key = \"x'{key.hex()}{salt.hex() if salt else ''}'\""


def open_encrypted(database: str, root: bytes, salt: bytes, *, new: bool = False, **kwargs) -> CipherConnection:
    """A connection to the encrypted file ``database`` (a path, or a ``file:`` URI with ``uri=True``) keyed from
    R and the file's salt; ``new``: the file is being made and gets this salt. The key is checked at once:
    a wrong one raises ``sqlite3.DatabaseError`` ("file is not a database")."""
    module = _cipher_module()
    try:
        conn = module.connect(database, **kwargs)
        conn.execute("PRAGMA cipher_log_level = NONE")  # its own error lines must not reach the clerk's screen
        conn.execute(_key_pragma(data_key(root, salt), salt if new else None))
        # Every page read from disk is decrypted and its HMAC checked: a larger cache of decrypted pages keeps
        # repeated queries (a search keystroke) from paying that again (32 MB at most, filled only as read).
        conn.execute(f"PRAGMA cache_size = {ENCRYPTED_CACHE_KIB:d}")
        if not new:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except module.Error as exc:
        with contextlib.suppress(Exception):
            conn.close()
        raise _translate(exc) from None
    return CipherConnection(conn, root, salt)


def connect_like(source, target: str | Path) -> sqlite3.Connection | CipherConnection:
    """A new file ``target`` keyed like the open connection ``source`` (plain for a plain one): the destination
    of SQLite's backup API, which copies pages as they are."""
    if isinstance(source, CipherConnection):
        return open_encrypted(str(target), source.root, source.salt, new=True)
    return sqlite3.connect(str(target))


# ---------------------------------------------------------------------------------------------- unlocking

_unlocked: dict[str, bytes] = {}
_guard = threading.Lock()


def _id(path: str | Path) -> str:
    try:
        return os.path.normcase(str(Path(path).resolve()))
    except (OSError, RuntimeError):
        return os.path.normcase(str(Path(path).absolute()))


def remember(path: str | Path, root: bytes) -> None:
    with _guard:
        _unlocked[_id(path)] = root


def forget(path: str | Path) -> None:
    with _guard:
        _unlocked.pop(_id(path), None)


def remembered(path: str | Path) -> bytes | None:
    with _guard:
        return _unlocked.get(_id(path))


def _proves(path: Path, root: bytes) -> bool:
    try:
        conn = open_encrypted(str(path), root, file_salt(path))
    except sqlite3.Error:
        return False
    conn.close()
    return True


def candidates(path: str | Path, secret: str) -> list[bytes]:
    """The R values ``secret`` gives for the ledger at ``path``: from each envelope of its key file it opens (the
    password), and the secret itself read as a recovery key."""
    found = [root for envelope in read_envelopes(key_path(path)) if (root := unwrap(envelope, secret))]
    recovery = parse_recovery_key(secret)
    if recovery is not None:
        found.append(recovery)
    return found


def unlock(path: str | Path, secret: str, *, where: str = "窗口", envelopes: list[dict] | None = None,
           note: bool = True) -> bytes:
    """Open the encrypted ledger at ``path`` with a password or its recovery key and remember it for this process;
    returns R. A wrong secret is noted (``note_failure``; not for a backup, ``note=False``), waited for, and
    raises ``WrongPassword``. ``envelopes``: those to try instead of the key file beside ``path``."""
    path = Path(path)
    if envelopes is None:
        found = candidates(path, secret)
    else:
        found = [root for envelope in envelopes if (root := unwrap(envelope, secret))]
        if (recovery := parse_recovery_key(secret)) is not None:
            found.append(recovery)
    for root in found:
        if _proves(path, root):
            remember(path, root)
            return root
    # Without a key file of ours beside it nothing says the file is a ledger at all: nothing is written beside it.
    keyed = envelopes is not None or bool(read_envelopes(key_path(path)))
    if note and keyed:
        note_failure(path, where)
    time.sleep(WRONG_PASSWORD_DELAY)
    if not note:
        raise WrongPassword(f"备份“{path.name}”的密码不正确（应是做这份备份时台账的密码，或恢复单上的恢复密钥）。")
    if not keyed:
        raise WrongPassword(unrecognised_message(path, tried_recovery_key=parse_recovery_key(secret) is not None))
    raise WrongPassword(f"密码不正确，无法打开台账（{path}）。")


def unrecognised_message(path: str | Path, *, tried_recovery_key: bool = False) -> str:
    """What the clerk is told about a file that is not a plain SQLite file and has no key file of ours beside it:
    it cannot be told apart from random bytes without its recovery key."""
    path = Path(path)
    tried = "用这个恢复密钥也打不开。" if tried_recovery_key else ""
    return (f"无法打开“{path.name}”（{path}）：它不是未加密的台账，旁边也没有台账的密钥文件（{key_path(path).name}）。"
            f"{tried}它可能是设置了密码、但密钥文件不在旁边的台账，也可能根本不是台账。如果是加密的台账，请把密钥文件放回"
            f"它旁边，或用恢复单上的恢复密钥打开（命令行：环境变量 {ENV_PASSWORD}）。文件未作任何改动。")


def note_failure(path: Path, where: str) -> None:
    """Note a wrong password beside the ledger (it cannot be written into a file that did not open); the next
    successful open moves the notes into the audit log (``log_failures``)."""
    note = path.with_name(path.name + ATTEMPTS_SUFFIX)
    with contextlib.suppress(OSError), open(note, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"at": dt.datetime.now().isoformat(sep=" ", timespec="seconds"), "where": where},
                            ensure_ascii=False) + "\n")


def has_failures(path: str | Path) -> bool:
    """True when wrong passwords were noted beside the ledger at ``path`` since its last successful open."""
    return Path(path).with_name(Path(path).name + ATTEMPTS_SUFFIX).exists()


def log_failures(db, path: str | Path) -> int:
    """Write the wrong-password notes of the ledger at ``path`` to its audit log and remove them; their number."""
    from township_desk.models import audit

    note = Path(path).with_name(Path(path).name + ATTEMPTS_SUFFIX)
    try:
        lines = note.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    entries = []
    for line in lines:
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            item = json.loads(line)
            entries.append((str(item["at"]), str(item.get("where") or "")))
    if entries:
        with db.atomic():
            for at, where in entries:
                audit.record(db, "密码错误", "database", None, f"{where}输入的密码不正确", None, None, at)
    with contextlib.suppress(OSError):
        note.unlink()
    return len(entries)


def require_unlocked(path: str | Path) -> bytes | None:
    """R for the ledger at ``path`` when it is encrypted (``PasswordRequired`` when it has not been unlocked in
    this process); None for a plain file."""
    path = Path(path)
    if not is_encrypted(path):
        return None
    root = remembered(path)
    if root is None:
        if not read_envelopes(key_path(path)):
            raise PasswordRequired(unrecognised_message(path))
        raise PasswordRequired(f"台账已设置密码（已加密），请先输入密码（{path}）。")
    return root


def unlock_from_environment_or_prompt(path: str | Path, *, where: str = "命令行") -> str | None:
    """For the command line: the password from ``TOWNSHIP_DESK_PASSWORD`` or typed without echo, returned; None
    for a plain file or one already unlocked. Raises ``PasswordRequired`` / ``WrongPassword`` with one Chinese
    line."""
    path = Path(path)
    if not is_encrypted(path) or remembered(path) is not None:
        return None
    keyed = bool(read_envelopes(key_path(path)))
    secret = os.environ.get(ENV_PASSWORD)
    if secret and not keyed and parse_recovery_key(secret) is None:
        raise PasswordRequired(unrecognised_message(path))  # only a recovery key could open it
    if not secret:
        import sys

        if not (sys.stdin and sys.stdin.isatty()):
            if not keyed:
                raise PasswordRequired(unrecognised_message(path))
            raise PasswordRequired(f"台账已设置密码（已加密）：请设置环境变量 {ENV_PASSWORD}，或在终端中运行以输入密码。")
        import getpass

        try:
            secret = getpass.getpass("台账密码（或恢复密钥）：" if keyed else "恢复密钥：")
        except (EOFError, KeyboardInterrupt) as exc:
            raise PasswordRequired("没有输入密码，未打开台账。") from exc
        if not secret:
            raise PasswordRequired("没有输入密码，未打开台账。")
    unlock(path, secret, where=where)
    return secret


# ---------------------------------------------------------------------------------------------- re-keying

def _rekey_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.rekey")


def clean_leftovers(db_path: str | Path) -> None:
    """Remove a half-made re-keyed copy a killed program left (the ledger itself is whole: ``_swap``)."""
    tmp = _rekey_path(Path(db_path))
    for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _open_any(path: Path, root: bytes | None):
    """A connection to ``path`` through SQLCipher's SQLite, plain (``root`` None) or keyed: a conversion never
    opens its files through the standard library's copy of SQLite (``db.converting``)."""
    if root is None:
        conn = _cipher_module().connect(str(path), isolation_level=None)
        conn.execute("PRAGMA cipher_log_level = NONE")
        return CipherConnection(conn, b"", b"")
    return open_encrypted(str(path), root, file_salt(path), isolation_level=None)


def _facts(conn) -> dict:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    return {"tables": counts, "user_version": conn.execute("PRAGMA user_version").fetchone()[0],
            "application_id": conn.execute("PRAGMA application_id").fetchone()[0]}


# Test hook: called with the name of each step of ``_swap`` (a test raises there to simulate a kill).
_step_hook = None


def _step(name: str) -> None:
    if _step_hook is not None:
        _step_hook(name)


def export(source: Path, source_root: bytes | None, target: Path, target_root: bytes | None) -> dict:
    """Write the ledger at ``source`` to the new file ``target``, encrypted with ``target_root`` (plain when None),
    and verify it (opened with its own key, ``quick_check``, the same tables, rows and versions). Returns
    the facts compared."""
    for leftover in (target, *(target.with_name(target.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    conn = _open_any(source, source_root)
    salt = secrets.token_bytes(SALT_BYTES)
    try:
        before = _facts(conn)
        key = "''" if target_root is None else f"\"x'{data_key(target_root, salt).hex()}{salt.hex()}'\""
        conn.execute(f"ATTACH DATABASE ? AS rekeyed KEY {key}", [str(target)])
        conn.execute("SELECT sqlcipher_export('rekeyed')")
        _step("exporting")
        conn.execute(f"PRAGMA rekeyed.user_version = {int(before['user_version']):d}")
        conn.execute(f"PRAGMA rekeyed.application_id = {int(before['application_id']):d}")
        conn.execute("DETACH DATABASE rekeyed")
    finally:
        conn.close()
    check = _open_any(target, target_root)
    try:
        # quick_check reads every page (SQLCipher checks each page's HMAC: the whole file decrypts with its key)
        # and its structure; the row counts of every table are compared below. integrity_check would also
        # cross-check every index, minutes for a large township, for a file just written by SQLite itself.
        result = [r[0] for r in check.execute("PRAGMA quick_check").fetchall()]
        after = _facts(check)
    finally:
        check.close()
    if result != ["ok"] or after != before:
        raise UserError("加密转换后的文件校验未通过，台账未改动。请重试；如果再次出现，请先备份再联系技术支持。")
    with open(target, "rb+") as fh:
        os.fsync(fh.fileno())
    return after


def _settle(db_path: Path, root: bytes | None, what: str) -> None:
    """Fold the ledger's write-ahead log into it and leave nothing beside it (``db.settle``); a damaged file
    stops the change."""
    from township_desk.models import db as dbm

    dbm.settle(db_path, lambda: _open_any(db_path, root), damaged_raises=True,
               busy=f"台账正被其他窗口或程序使用，{what}未完成，台账未改动。请关闭其他窗口或命令后重试。")


def _swap(db_path: Path, root: bytes | None, new_root: bytes | None, envelopes: list[dict] | None,
          what: str) -> None:
    """Re-key the ledger at ``db_path`` from ``root`` to ``new_root`` (None: plain) with the key file ``envelopes``
    (None: no key file); ``what`` the clerk asked for ("设置密码"), named if it cannot start. The files are opened
    through SQLCipher only, with no standard-library connection to the ledger open in this process
    (``db.converting``). Each step leaves a ledger that opens:

    1. the new file is written and verified under a temporary name (a kill: the old file and key file as before);
    2. the key file is written holding the old and the new envelopes (either password opens whichever file is
       in place);
    3. the new file is renamed over the ledger (the rename is atomic: old or new, never half);
    4. the key file is written with the new envelopes only, or removed for a plain ledger.
    """
    from township_desk.models import db as dbm

    with dbm.converting(db_path, what):
        _swap_now(db_path, root, new_root, envelopes, what)


def _swap_now(db_path: Path, root: bytes | None, new_root: bytes | None, envelopes: list[dict] | None,
              what: str) -> None:
    tmp = _rekey_path(db_path)
    keyfile = key_path(db_path)
    old_envelopes = read_envelopes(keyfile) if root is not None else []  # beside a plain file: stale, ignored
    try:
        _settle(db_path, root, what)
        _step("settled")
        export(db_path, root, tmp, new_root)
        _step("exported")
        if envelopes is not None:
            write_key_file(keyfile, old_envelopes + envelopes)
            _step("key file joined")
        from township_desk.models import files

        files.replace_file(tmp, db_path)
        _step("swapped")
    except BaseException:
        clean_leftovers(db_path)
        raise
    if new_root is None:
        with contextlib.suppress(FileNotFoundError):
            keyfile.unlink()
    else:
        write_key_file(keyfile, envelopes or [])
    _step("key file final")
    forget(db_path)
    if new_root is not None:
        remember(db_path, new_root)


def _check_new_password(password: str) -> None:
    from township_desk.models.security import MIN_LENGTH

    if len(password) < MIN_LENGTH:
        raise UserError(f"新密码至少要 {MIN_LENGTH} 位。")
    if parse_recovery_key(password) is not None:
        raise UserError("新密码不能是恢复密钥的样式（32 位字母数字），请换一个。")


def _root_from(db_path: Path, secret: str) -> bytes:
    for root in candidates(db_path, secret):
        if _proves(db_path, root):
            return root
    note_failure(db_path, "更改密码时")
    time.sleep(WRONG_PASSWORD_DELAY)
    raise WrongPassword("原密码不正确，密码未修改。")


def set_password(db_path: str | Path, new_password: str) -> str:
    """Encrypt the plain ledger at ``db_path`` with ``new_password``; returns the new recovery key (for the sheet).
    The caller has closed its connections to it."""
    db_path = Path(db_path)
    if is_encrypted(db_path):
        raise UserError("台账已经设置了密码。要改密码，请用“修改密码”。")
    _check_new_password(new_password)
    root = new_recovery_key()
    _swap(db_path, None, root, [wrap(root, new_password)], "设置密码")
    return format_recovery_key(root)


def change_password(db_path: str | Path, old_secret: str, new_password: str) -> None:
    """Re-key the encrypted ledger with a new salt and wrap its recovery key with ``new_password``; the recovery
    key stays the same. ``old_secret``: the current password or the recovery key."""
    db_path = Path(db_path)
    _check_new_password(new_password)
    root = _root_from(db_path, old_secret)
    _swap(db_path, root, root, [wrap(root, new_password)], "修改密码")


def remove_password(db_path: str | Path, old_secret: str) -> None:
    """Turn the encrypted ledger back into a plain SQLite file (needs the password or the recovery key)."""
    db_path = Path(db_path)
    root = _root_from(db_path, old_secret)
    _swap(db_path, root, None, None, "清除密码")


def ledger_path_of(db) -> Path | None:
    """The file the open database ``db`` (sqlite-utils or a connection) is, or None (in memory)."""
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def envelopes_of(db) -> list[dict]:
    """The envelopes of the key file of the ledger ``db`` is open on (none for a plain or in-memory one)."""
    path = ledger_path_of(db)
    return read_envelopes(key_path(path)) if path is not None else []


def copy_key_file(db, target: str | Path) -> None:
    """Give a plain-file copy ``target`` of the encrypted ledger ``db`` the ledger's key file (``<target>.key``)."""
    envelopes = envelopes_of(db)
    if envelopes:
        write_key_file(key_path(target), envelopes)
