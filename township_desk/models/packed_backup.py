"""The compressed form of an encrypted ledger's backup: its rows, compressed, inside a small SQLCipher file.

An encrypted file does not compress (its pages look random), so the backup of a ledger with a password used to be
its whole SQLCipher copy: at 3,000 elders 45 MB where the plain ledger's backup is 5 MB, and the backups' size
limit then kept a few days of them instead of a year. Compressing before encrypting keeps both: the rows of every
table are read from the (encrypted) copy a few thousand at a time, written as JSON compressed with zlib, and stored
as blobs in a new SQLCipher file keyed from the same recovery key (its own salt), so nothing plain is ever written
to disk and the password or recovery key of the day opens it, like the ledger. With it go the schema (every
``CREATE`` statement, in order), ``user_version`` and ``application_id``.

``unpack`` writes the ledger back as a new SQLCipher file: the tables, their rows, then the indexes, views and
triggers (after the rows: a trigger must not fire on them), and the two numbers. The restore then proves it as it
proves any backup (``backups._prepare``: integrity_check, migrated up, every table present).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import zlib
from pathlib import Path

from township_desk.models import cipher
from township_desk.models.errors import UserError

FORMAT = "township-desk-pack-1"
BATCH_ROWS = 5000
_CREATE = re.compile(r"^\s*CREATE\s+(?:TABLE|(?:UNIQUE\s+)?INDEX|VIEW|TRIGGER)\s", re.IGNORECASE)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bytes_as_object(value):
    if isinstance(value, bytes):
        return {"b": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"不能写入备份的值：{value!r}")


def _object_as_bytes(obj: dict) -> bytes:
    return base64.b64decode(obj["b"])


def _encode(rows: list) -> bytes:
    """Rows as compressed JSON; a blob as ``{"b": base64}`` (the only object in it)."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_bytes_as_object)
    return zlib.compress(text.encode("utf-8"), 6)


def _decode(data: bytes) -> list[list]:
    return json.loads(zlib.decompress(data).decode("utf-8"), object_hook=_object_as_bytes)


def pack(source: Path, root: bytes, target: Path) -> None:
    """Write ``target``: the rows and schema of the encrypted database ``source`` (keyed from ``root``), compressed,
    in a new SQLCipher file keyed from ``root``."""
    src = cipher.open_encrypted(str(source), root, cipher.file_salt(source), isolation_level=None)
    out = cipher.open_encrypted(str(target), root, secrets.token_bytes(cipher.SALT_BYTES), new=True,
                                isolation_level=None)
    try:
        out.execute("BEGIN")
        out.execute("CREATE TABLE pack_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        out.execute("CREATE TABLE pack_rows(seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, data BLOB NOT NULL)")
        schema = src.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
                             " ORDER BY rowid").fetchall()
        columns = {}
        for kind, name, _table, _sql in schema:
            if kind != "table":
                continue
            columns[name] = [r[1] for r in src.execute(f"PRAGMA table_info({_quoted(name)})").fetchall()]
            cursor = src.execute(f"SELECT {', '.join(map(_quoted, columns[name]))} FROM {_quoted(name)}")
            while batch := cursor.fetchmany(BATCH_ROWS):
                out.execute("INSERT INTO pack_rows(tbl, data) VALUES (?, ?)", [name, _encode(batch)])
        meta = {"format": FORMAT, "schema": json.dumps([list(r) for r in schema], ensure_ascii=False),
                "columns": json.dumps(columns, ensure_ascii=False),
                "user_version": str(src.execute("PRAGMA user_version").fetchone()[0]),
                "application_id": str(src.execute("PRAGMA application_id").fetchone()[0])}
        out.executemany("INSERT INTO pack_meta(key, value) VALUES (?, ?)", list(meta.items()))
        out.execute("COMMIT")
    finally:
        out.close()
        src.close()


def unpack(packed: Path, root: bytes, dest: Path, name: str) -> None:
    """Write the ledger packed in ``packed`` (keyed from ``root``) to the new SQLCipher file ``dest`` (same root, a
    new salt). ``name``: the backup's file name, for the refusal of a file that is not a pack of ours."""
    src = cipher.open_encrypted(str(packed), root, cipher.file_salt(packed), isolation_level=None)
    try:
        try:
            meta = dict(src.execute("SELECT key, value FROM pack_meta").fetchall())
            schema = json.loads(meta["schema"])
            columns = json.loads(meta["columns"])
            numbers = int(meta["user_version"]), int(meta["application_id"])
        except (KeyError, ValueError, TypeError) as exc:
            raise UserError(f"备份文件“{name}”的内容不完整，不能用来恢复。") from exc
        if meta.get("format") != FORMAT or not all(isinstance(s, list) and len(s) == 4 and isinstance(s[3], str)
                                                   and _CREATE.match(s[3]) for s in schema):
            raise UserError(f"备份文件“{name}”的格式不是本程序写的，不能用来恢复。")
        out = cipher.open_encrypted(str(dest), root, secrets.token_bytes(cipher.SALT_BYTES), new=True,
                                    isolation_level=None)
        try:
            # A new file that is thrown away if anything goes wrong (the restore then proves and syncs it):
            # no journal and no syncing while the rows go in.
            out.execute("PRAGMA journal_mode = OFF")
            out.execute("PRAGMA synchronous = OFF")
            out.execute("BEGIN")
            for kind, table, _tbl, sql in schema:
                if kind == "table" and table != "sqlite_sequence":  # made by SQLite with the first AUTOINCREMENT
                    out.execute(sql)
            for table, data in src.execute("SELECT tbl, data FROM pack_rows ORDER BY seq"):
                if table not in columns:
                    raise UserError(f"备份文件“{name}”的内容不完整，不能用来恢复。")
                names = columns[table]
                try:
                    rows = _decode(data)
                except (zlib.error, ValueError, TypeError, KeyError) as exc:
                    raise UserError(f"备份文件“{name}”已损坏（压缩数据不完整），不能用来恢复。") from exc
                out.executemany(f"INSERT INTO {_quoted(table)} ({', '.join(map(_quoted, names))})"
                                f" VALUES ({', '.join('?' * len(names))})", rows)
            for kind, _name, _tbl, sql in schema:
                if kind != "table":  # indexes, views, triggers: after the rows
                    out.execute(sql)
            out.execute(f"PRAGMA user_version = {numbers[0]:d}")
            out.execute(f"PRAGMA application_id = {numbers[1]:d}")
            out.execute("COMMIT")
        finally:
            out.close()
    finally:
        src.close()
