"""One build at a time: the store's write lock (a POSIX record lock on ``STORE.lock``), and finding the private
copies of builds that are still running or were killed."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from analysis.errors import StoreError

#: ``on_wait(message)``: told once when a build has to wait for another one (default: a line on stderr).
Waiting = Callable[[str], None]


def say_on_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def exclusive(path: Path, timeout: float, say: Waiting) -> Iterator[Waiting]:
    """Hold the store's write lock: a POSIX record lock (``lockf``) on ``PATH.lock``.

    Unlike ``flock``, a record lock is not shared with forked children (spaCy workers) and dies with the process
    that took it, so a killed build never leaves the store locked. Because record locks belong to a process, the
    threads of one process queue on a per-path lock first. If the lock file was deleted or replaced while another
    build ran, that build's private copy (``.building-PID``, locked while in use) still shows it is running: this
    build waits for it too."""
    deadline = time.monotonic() + timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (file_system_error(exc, path, path.parent) or exc) from exc
    with _THREAD_LOCKS_GUARD:
        in_process = _THREAD_LOCKS.setdefault(path, threading.Lock())
    if not in_process.acquire(blocking=False):
        say(f"waiting: another build in this process is writing {path}; this one starts when it ends")
        if not in_process.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise StoreError(f"{path}: another build in this process still writes it after {timeout:.0f} s; "
                             "try again when it ends")
    try:
        fd = _acquire(path, deadline, timeout, say)
        try:
            _wait_for_unlocked_builds(path, deadline, timeout, say)
            yield say
        finally:
            os.close(fd)  # releases the record lock
    finally:
        in_process.release()


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _acquire(path: Path, deadline: float, timeout: float, say: Waiting) -> int:
    """The descriptor of ``PATH.lock`` with the record lock held (the caller closes it to release)."""
    lock_path = _lock_path(path)
    announced = False
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise (file_system_error(exc, path, lock_path) or exc) from exc
        try:
            while True:
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EACCES, errno.EAGAIN):
                        raise
                holder = _lock_holder(fd)
                who = f"build PID {holder}" if holder else "another build"
                if not announced:
                    say(f"waiting: {who} holds the lock {lock_path}; this build starts when it ends "
                        f"(gives up after {timeout:.0f} s)")
                    announced = True
                if time.monotonic() > deadline:
                    raise StoreError(f"{path}: {who} still holds the lock {lock_path} after {timeout:.0f} s; wait "
                                     "for it to finish (or stop that process if it is stuck) and run this again")
                time.sleep(0.2)
            if _same_file(fd, lock_path):
                return fd
            # the lock file was deleted or replaced while we waited on it: this lock guards nothing, take the new one
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


_FLOCK = "hhqqi4x"  # struct flock on Linux (64-bit off_t): type, whence, start, len, pid


def _lock_holder(fd: int) -> int | None:
    """PID of a process holding a record lock on ``fd``'s file (None when unlocked or unknown)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        got = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
    except OSError:
        return None
    kind, _whence, _start, _len, pid = struct.unpack(_FLOCK, got)
    return pid if kind != fcntl.F_UNLCK and pid > 0 else None


def _building_copies(path: Path) -> list[tuple[int, Path]]:
    """(pid, file) of every ``PATH.building-PID`` (and its ``.wal`` and ``.lock`` marker)."""
    out = []
    for copy in path.parent.glob(path.name + ".building-*"):
        pid = copy.name[len(path.name) + len(".building-"):].split(".", 1)[0]
        if pid.isdigit():
            out.append((int(pid), copy))
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _copy_in_use(marker: Path) -> int | None:
    """PID of the build using a private copy (it holds a record lock on the copy's ``.lock`` marker), else None."""
    try:
        fd = os.open(marker, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return _lock_holder(fd)
    finally:
        os.close(fd)


def _wait_for_unlocked_builds(path: Path, deadline: float, timeout: float, say: Waiting) -> None:
    announced = False
    while True:
        running = [(pid, marker) for pid, marker in _building_copies(path)
                   if pid != os.getpid() and marker.name.endswith(".lock") and _copy_in_use(marker)]
        if not running:
            return
        pid, marker = running[0]
        copy = marker.with_suffix("")
        if not announced:
            say(f"waiting: build PID {pid} is still writing {copy.name} although the lock file {_lock_path(path)} "
                "was removed under it; this build starts when it ends")
            announced = True
        if time.monotonic() > deadline:
            raise StoreError(f"{path}: build PID {pid} still writes {copy} after {timeout:.0f} s; wait for it to "
                             "finish (or stop that process if it is stuck) and run this again")
        time.sleep(0.2)


def remove_dead_copies(path: Path, say: Waiting) -> None:
    """Delete the private copies of killed builds (their PID is dead, or is this process's own leftover). A copy of
    a live process is never deleted: when that process is not writing it (a reused PID), it is left and named."""
    for pid, copy in _building_copies(path):
        if pid == os.getpid() or not _pid_alive(pid):
            copy.unlink(missing_ok=True)
        elif not copy.name.endswith((".wal", ".lock")):
            say(f"note: left {copy} in place: process {pid} is alive but not writing it (delete the file if no "
                "build is running)")


def file_system_error(exc: BaseException, path: Path, file: Path) -> StoreError | None:
    """One clear line for the file-system failures a user can fix (disk full, read-only, permissions), else None.
    The whole exception chain counts: DuckDB reports a full disk once, then "transaction aborted" on cleanup."""
    chain, seen = [], exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    codes = {getattr(e, "errno", None) for e in chain}
    text = " ".join(str(e) for e in chain)
    if codes & {errno.ENOSPC, errno.EDQUOT} or "No space left on device" in text or "Disk quota exceeded" in text:
        size = path.stat().st_size if path.exists() else 0
        return StoreError(f"disk full writing {file}: free space in {path.parent} (a build needs about twice the "
                          f"store's size, {size / 1e6:,.1f} MB, plus the new articles) and run it again; {path} is "
                          "unchanged")
    if errno.EROFS in codes or "Read-only file system" in text:
        return StoreError(f"cannot write {file}: {path.parent} is on a read-only file system; build into a writable "
                          "folder (--store PATH) or remount it read-write")
    if codes & {errno.EACCES, errno.EPERM} or "Permission denied" in text:
        return StoreError(f"cannot write {file}: permission denied in {path.parent}; build into a folder you can "
                          "write (--store PATH) or fix its permissions")
    return None
