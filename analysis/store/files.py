"""The store's files: a build's private copy and its atomic swap, ``STORE.prev``, restore and set-aside, and
telling a damaged file from a readable one.

A build never writes the live file: :func:`writer` copies it, the build writes the copy inside one transaction,
and the copy is checkpointed and atomically renamed over the live file. So a crash, a kill or a bad input leaves
the previous store untouched. The version replaced is kept as ``STORE.prev`` (:func:`restore_previous` swaps it
back); nothing is ever deleted by restore or :func:`set_aside`. One build at a time: :mod:`analysis.store.locks`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analysis.errors import StoreError
from analysis.store.locks import Waiting, exclusive, file_system_error, remove_dead_copies, say_on_stderr
from analysis.store.opening import first_line
from analysis.store.schema import SCHEMA_VERSION, migrate
from analysis.store.writing import StoreWriter


def resolve_store_path(path: str | Path) -> Path:
    """The file a store path names, symlinks followed. The lock, the private copy, ``.prev`` and the swap all derive
    from it, so a build through a link and one through the real name exclude each other, and the swap replaces the
    real file instead of turning the link into a separate copy."""
    return Path(os.path.realpath(Path(path).expanduser()))


def previous_path(path: str | Path) -> Path:
    """``STORE.prev``: the version the last build replaced (see :func:`restore_previous`)."""
    real = resolve_store_path(path)
    return real.with_name(real.name + ".prev")


@contextlib.contextmanager
def writer(path: str | Path, *, lock_timeout: float = 600.0, on_wait: Waiting | None = None) -> Iterator[StoreWriter]:
    """Open a private copy of the store for writing; on success, atomically swap it in (keeping ``STORE.prev``).

    Only one writer at a time (:func:`_exclusive`). On any exception (or a kill) the copy is discarded and the live
    store is untouched. File-system failures (disk full, a read-only folder, a private copy deleted by someone else)
    and a lock timeout raise :class:`StoreError` with one line naming the file and what to do.
    """
    path = resolve_store_path(path)
    with exclusive(path, lock_timeout, on_wait or say_on_stderr) as say:
        remove_dead_copies(path, say)
        tmp = path.with_name(f"{path.name}.building-{os.getpid()}")
        try:
            with _in_use(tmp), _private_copy(path, tmp, say) as w:
                yield w
        except FileNotFoundError as exc:  # a file this build was using was deleted by someone else
            raise StoreError(f"{exc.filename or tmp}: deleted by another process while this build used it; "
                             f"{path} is unchanged: run the build again") from exc
        except (OSError, duckdb.Error) as exc:
            clear = file_system_error(exc, path, tmp)
            if clear is None:
                raise
            raise clear from exc


@contextlib.contextmanager
def _in_use(tmp: Path) -> Iterator[None]:
    """Hold a record lock on ``TMP.lock`` while this build uses its private copy ``tmp``: a build that finds the copy
    (after someone deleted the store's lock file) sees it is in use. A separate file, because DuckDB's closing of the
    copy would drop every record lock this process has on the copy itself."""
    marker = tmp.with_name(tmp.name + ".lock")
    fd = os.open(marker, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        marker.unlink(missing_ok=True)
        os.close(fd)


@contextlib.contextmanager
def _private_copy(path: Path, tmp: Path, say: Waiting) -> Iterator[StoreWriter]:
    """The build's copy of ``path`` at ``tmp``, migrated to the current schema, as a StoreWriter inside one
    transaction; swapped in when the build succeeds and changed something (or the copy had to be migrated: a
    build with nothing new still brings an older store up to date, the old file kept as ``STORE.prev``)."""
    try:
        if path.exists():
            shutil.copyfile(path, tmp)
            _check_store_file(tmp, path)
        con = duckdb.connect(str(tmp))
        try:
            migrations = migrate(con)  # an older store is brought up to date on the copy, inside this build
            version = int(con.execute("SELECT coalesce(max(version), 0) + 1 FROM builds").fetchone()[0])
            con.execute("BEGIN TRANSACTION")
            w = StoreWriter(con, version)
            w.migrations = migrations
            yield w
            swap = not w.discard or bool(migrations)
            if w.discard:
                con.execute("ROLLBACK")
                if migrations:
                    con.execute("CHECKPOINT")
            else:
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
        except BaseException:
            with contextlib.suppress(Exception):
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()
        if swap:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            _keep_previous(path)
            try:
                os.replace(tmp, path)
            except FileNotFoundError as exc:
                raise StoreError(f"{tmp}: this build's private copy was deleted by another process before the swap; "
                                 f"{path} is unchanged: run the build again") from exc
            _fsync_dir(path.parent)
            if migrations:
                say(f"note: {path} was migrated to store schema {SCHEMA_VERSION} ({', '.join(migrations)}); the "
                    f"file as it was is kept as {previous_path(path).name}")
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def _keep_previous(path: Path) -> None:
    """Before a swap: the live file becomes ``STORE.prev`` (a hard link, so no extra disk until the swap; one
    previous version only: the older one is replaced)."""
    if not path.exists():
        return
    staged = path.with_name(f"{path.name}.prev-{os.getpid()}")
    staged.unlink(missing_ok=True)
    try:
        try:
            os.link(path, staged)
        except OSError:  # a file system without hard links: a copy (the store's size once more)
            shutil.copyfile(path, staged)
        os.replace(staged, previous_path(path))
    finally:
        staged.unlink(missing_ok=True)


@dataclass(frozen=True)
class Restored:
    """What :func:`restore_previous` did: ``path`` is the previous version again; the version it replaced was kept
    as ``kept_aside`` (None when there was no live file)."""

    path: Path
    kept_aside: Path | None
    kept_aside_was_damaged: bool


def restore_previous(path: str | Path, *, lock_timeout: float = 600.0, on_wait: Waiting | None = None) -> Restored:
    """Swap ``STORE.prev`` back in as the live store, under the build lock. Nothing is deleted: the replaced file is
    kept as ``STORE.damaged-TIMESTAMP`` (when it cannot be read) or ``STORE.replaced-TIMESTAMP``. Raises StoreError
    when there is no previous version or it cannot be read either."""
    path = resolve_store_path(path)
    prev = previous_path(path)
    with exclusive(path, lock_timeout, on_wait or say_on_stderr):
        if not prev.exists():
            raise StoreError(f"{path}: no previous version to restore ({prev.name} does not exist; one is kept from "
                             "the second build on). Rebuild the store from its sources: python -m analysis build ...")
        problem = read_problem(prev)
        if problem:
            raise StoreError(f"{prev}: the previous version cannot be read either ({problem}); rebuild the store from "
                             "its sources: python -m analysis build ...")
        aside, damaged = None, False
        try:
            if path.exists():
                damaged = read_problem(path) is not None
                aside = _aside_name(path, "damaged" if damaged else "replaced")
                try:
                    os.link(path, aside)
                except OSError:
                    shutil.copyfile(path, aside)
            os.replace(prev, path)
        except OSError as exc:
            raise (file_system_error(exc, path, path) or exc) from exc
        _fsync_dir(path.parent)
    return Restored(path, aside, damaged)


def set_aside(path: str | Path, *, lock_timeout: float = 600.0, on_wait: Waiting | None = None) -> Path:
    """Rename the store file to ``STORE.damaged-TIMESTAMP`` (under the build lock) so the next build starts a new
    store; ``STORE.prev`` is left as it is. Returns the new name of the file. Nothing is deleted."""
    path = resolve_store_path(path)
    with exclusive(path, lock_timeout, on_wait or say_on_stderr):
        if not path.exists():
            raise StoreError(f"{path}: no store file to set aside")
        aside = _aside_name(path, "damaged")
        try:
            os.rename(path, aside)
        except OSError as exc:
            raise (file_system_error(exc, path, path) or exc) from exc
        _fsync_dir(path.parent)
    return aside


def _aside_name(path: Path, kind: str) -> Path:
    """``STORE.KIND-20261201T093000Z`` (``-1``, ``-2`` ... when that name is taken): never an existing file."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside, n = path.with_name(f"{path.name}.{kind}-{stamp}"), 1
    while aside.exists():
        aside, n = path.with_name(f"{path.name}.{kind}-{stamp}-{n}"), n + 1
    return aside


def read_problem(path: str | Path) -> str | None:
    """Why the store file at ``path`` cannot be read (None when it can): it is attached read-only and every table is
    scanned, so a zeroed or truncated block anywhere is found (DuckDB checks each block's checksum on read)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS s (READ_ONLY)", [str(path)])
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 's' ORDER BY table_name").fetchall()]
        if "meta" not in tables:
            return "not a NewsLens store: no meta table"
        for table in tables:  # names come from the file's catalogue; quoted as identifiers
            con.execute(f'SELECT bit_xor(hash(t)) FROM s."{table.replace(chr(34), chr(34) * 2)}" AS t').fetchall()
        return None
    except duckdb.Error as exc:
        return first_line(exc)
    finally:
        con.close()


def _check_store_file(tmp: Path, live: Path) -> None:
    try:
        con = duckdb.connect(str(tmp))
        con.execute("SELECT count(*) FROM meta").fetchone()
        con.close()
    except duckdb.Error as exc:
        raise StoreError(f"{live}: not a NewsLens store or damaged ({first_line(exc)}). Restore the previous "
                         f"version (python -m analysis restore --store {live}) or build into another --store "
                         "path") from exc


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)