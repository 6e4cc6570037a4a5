"""Opening a store file for reading: its on-disk version, and attaching it read-only so that the queries see one
consistent version of it, with today's column types whatever schema version wrote it (see :func:`attach_read_only`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analysis.errors import StoreDamaged, StoreError
from analysis.store.schema import READABLE_VERSIONS, SCHEMA_VERSION, legacy_views


@dataclass(frozen=True)
class StoreVersion:
    """Identifies one on-disk version of a store (changes whenever a build swaps in a new file)."""

    path: str
    inode: int
    mtime_ns: int
    size: int


def store_version(path: str | Path) -> StoreVersion | None:
    """The current on-disk version of the store at ``path``, or None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return StoreVersion(str(Path(path).resolve()), st.st_ino, st.st_mtime_ns, st.st_size)



def first_line(exc: BaseException) -> str:
    """The first line of an error's message (at most 300 characters), for one-line reports."""
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def attach_read_only(path: Path) -> tuple[duckdb.DuckDBPyConnection, Path, StoreVersion | None, str]:
    """(connection, path, version, database the queries run in) for the store file at ``path``.

    The file is attached read-only to a private in-memory database, which sidesteps DuckDB's per-path instance cache
    so a new version is seen on reopen; if a build swaps in a new file while it is being attached, it is attached
    again, so ``version`` names exactly what is read. A store of the previous schema version is read as it is,
    through views with today's column types (database ``memory``); the current one directly (``s``)."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path}: no store here yet. Build one: python -m analysis build FOLDER --store {path}")
    for _attempt in range(5):
        version = store_version(path)
        con = duckdb.connect(":memory:")
        try:
            con.execute("ATTACH ? AS s (READ_ONLY)", [str(path)])
            con.execute("USE s")
            schema = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.Error as exc:
            con.close()
            raise StoreDamaged(path, first_line(exc)) from exc
        if store_version(path) == version:
            break  # the file did not change while we attached it: `version` names exactly what we read
        con.close()  # a build swapped in a new file meanwhile: attach again so version and data agree
    stored = int(schema[0]) if schema and str(schema[0]).isdigit() else None
    if stored not in READABLE_VERSIONS:
        con.close()
        if stored is not None and stored > SCHEMA_VERSION:
            raise StoreError(f"{path}: store schema {stored} was written by a newer NewsLens (this one reads "
                             f"{', '.join(map(str, READABLE_VERSIONS))}); update NewsLens to read it.")
        raise StoreError(f"{path}: store schema {stored} is too old to read (this NewsLens reads "
                         f"{', '.join(map(str, READABLE_VERSIONS))}); a build on it migrates it: "
                         f"python -m analysis build FOLDER --store {path}")
    if stored == SCHEMA_VERSION:
        return con, path, version, "s"
    try:  # an older store, read as it is (read-only): views give its columns today's types
        legacy_views(con, "s", "memory")
    except duckdb.Error as exc:
        con.close()
        raise StoreDamaged(path, first_line(exc)) from exc
    return con, path, version, "memory"
