"""Safe, in-memory reading of ``.zip`` / ``.tar(.gz|.bz2|.xz)`` / ``.tgz`` archives and single ``.gz`` files.

Nothing is ever extracted to disk. Guards: member paths that are absolute or contain ``..`` are rejected, the
member count is capped, one budget of decompressed bytes (:class:`Budget`) is shared by every archive, nested
archive and .gz file of an input, a member, an archive or a .gz file whose ratio looks like a decompression bomb is
rejected, and declared sizes are never trusted: everything is read in chunks that stop at the first cap crossed.
Every rejection names the file and member and the limit it hit.
"""

from __future__ import annotations

import gzip
import io
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.model import Rejection

__all__ = ["MAX_INPUT_BYTES", "MAX_MEMBER_BYTES", "MAX_RATIO", "RATIO_FLOOR", "ArchiveLimits", "Budget", "Member",
           "iter_tar", "iter_zip", "read_gzip", "unsafe_member_name"]

#: Decompressed bytes one build may take out of archives and .gz files, all of them together (members, nested
#: archives and single .gz files share it): a 2 MB zip of 64 members of 16 MB each, or archives inside archives,
#: cannot multiply it. Plain files on disk do not count (they are as large as they look).
MAX_INPUT_BYTES = 2 * 1024**3
#: One member (or one .gz file) decompressed: it is held in memory while its articles are read.
MAX_MEMBER_BYTES = 512 * 1024**2
#: Decompressed / compressed size above which an archive, a member or a .gz file is taken for a bomb, checked once
#: more than RATIO_FLOOR bytes came out of it (text compresses 3-10:1, a run of zeros 1000:1).
MAX_RATIO = 200.0
RATIO_FLOOR = 16 * 1024**2
#: Decompression reads this much at a time, so a limit stops it after at most one chunk more than allowed.
CHUNK_BYTES = 1024**2


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps for the archives of one input (see the constants above). ``max_total_bytes`` is the shared budget of
    every archive and .gz file of one :func:`~analysis.ingest.iter_sources` call; ``max_ratio`` applies to whatever
    has produced more than ``ratio_floor`` bytes."""

    max_total_bytes: int = MAX_INPUT_BYTES
    max_members: int = 100_000
    max_ratio: float = MAX_RATIO
    ratio_floor: int = RATIO_FLOOR
    max_depth: int = 1  # an archive inside an archive is read; one more level is rejected
    max_member_bytes: int = MAX_MEMBER_BYTES


class Budget:
    """The running total of decompressed bytes against ``ArchiveLimits.max_total_bytes`` (one per input)."""

    def __init__(self, limit: int) -> None:
        self.limit = int(limit)
        self.used = 0

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def take(self, n: int) -> None:
        self.used += n


class _TooLarge(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _read_capped(fh, caps: list[tuple[int, str]]) -> bytes:
    """Read ``fh`` to its end in chunks; raise _TooLarge with the reason of the first cap ``(bytes, reason)`` the
    data goes over (so a bomb costs at most one chunk more than the smallest cap)."""
    limit, reason = min(caps, key=lambda c: c[0])
    buf = bytearray()
    while True:
        chunk = fh.read(min(CHUNK_BYTES, limit + 1 - len(buf)))
        if not chunk:
            return bytes(buf)
        buf += chunk
        if len(buf) > limit:
            raise _TooLarge(reason)


def _budget_reason(budget: Budget) -> str:
    return (f"decompressed content exceeds the input budget of {budget.limit:,} bytes (all archives and .gz files "
            "of this build together): stopped reading; split the input or unpack only what you need")


def _ratio_cap(limits: ArchiveLimits, packed: int, produced: int = 0) -> int:
    """How many more bytes may come out of something ``packed`` bytes big that produced ``produced`` so far."""
    return max(int(limits.max_ratio * max(packed, 1)), limits.ratio_floor) - produced


@dataclass(frozen=True)
class Member:
    """One regular file read from an archive: its path inside the archive and its bytes."""

    name: str
    data: bytes


def unsafe_member_name(name: str) -> bool:
    """True for absolute paths (``/x``, ``C:\\x``, ``\\\\host``) and any ``..`` component."""
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return True
    return any(part == ".." for part in n.split("/"))


def _skip_name(name: str) -> bool:
    parts = [p for p in name.replace("\\", "/").split("/") if p]
    return not parts or any(p.startswith(".") or p == "__MACOSX" for p in parts)


def iter_zip(source: Path | bytes, origin: str, limits: ArchiveLimits,
             wanted: Callable[[str], bool], budget: Budget | None = None) -> Iterator[Member | Rejection]:
    """Members of a zip whose name ``wanted(name)`` accepts, read in memory; Rejections for anything unsafe.

    Each member is streamed with caps: its declared size (a member that inflates beyond it is a lie), the
    per-member limit, the shared ``budget`` and the archive's ratio (all members together against the archive's
    packed size); going over the budget or the archive ratio stops the archive, a single oversized member is skipped.
    """
    budget = budget if budget is not None else Budget(limits.max_total_bytes)
    try:
        packed = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as exc:
        yield Rejection(origin, f"corrupt or unreadable zip archive ({exc}); re-create the archive")
        return
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            yield Rejection(origin, f"archive has {len(infos):,} members, more than the limit of "
                                    f"{limits.max_members:,}; split it into smaller archives")
            return
        declared = sum(i.file_size for i in infos)
        if declared > budget.remaining:
            yield Rejection(origin, f"archive would uncompress to {declared:,} bytes, more than the limit of "
                                    f"{budget.remaining:,} bytes (what is left of the input budget of {budget.limit:,} "
                                    "bytes for all archives together); split it or unpack only what you need")
            return
        produced = 0
        for info in infos:
            name = info.filename
            where = f"{origin}!{name}"
            if info.is_dir():
                continue
            if unsafe_member_name(name):
                yield Rejection(where, "unsafe member path (absolute or with '..'): skipped, nothing extracted")
                continue
            if _skip_name(name) or not wanted(name):
                continue
            if stat.S_ISLNK(info.external_attr >> 16):  # a Unix symlink stored in a zip: its "content" is a path
                yield Rejection(where, "not a regular file (symbolic link): skipped, never followed")
                continue
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                yield Rejection(where, f"compression ratio {info.file_size / max(info.compress_size, 1):,.0f}:1 "
                                       "looks like a decompression bomb: skipped")
                continue
            if info.file_size > limits.max_member_bytes:
                yield Rejection(where, f"member uncompresses to {info.file_size:,} bytes, more than the limit of "
                                       f"{limits.max_member_bytes:,} per member: skipped; unpack it first")
                continue
            bomb = (f"archive decompresses to more than {limits.max_ratio:,.0f} times its size, like a "
                    "decompression bomb: stopped reading")
            caps = [(info.file_size, "member is larger than declared: stopped reading this archive"),
                    (budget.remaining, _budget_reason(budget)), (_ratio_cap(limits, packed, produced), bomb)]
            try:
                with zf.open(info) as fh:
                    data = _read_capped(fh, caps)
            except _TooLarge as exc:
                yield Rejection(where, exc.reason)
                return
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError,
                    ValueError) as exc:
                yield Rejection(where, f"cannot read this member ({exc}); re-create the archive")
                continue
            budget.take(len(data))
            produced += len(data)
            yield Member(name, data)


def iter_tar(source: Path | bytes, origin: str, limits: ArchiveLimits,
             wanted: Callable[[str], bool], budget: Budget | None = None) -> Iterator[Member | Rejection]:
    """Members of a tar / tar.gz / tgz / tar.bz2 / tar.xz, streamed in memory; same guards as ``iter_zip`` (the
    ratio is all members together against the packed archive)."""
    budget = budget if budget is not None else Budget(limits.max_total_bytes)
    try:
        if isinstance(source, bytes):
            packed_size = len(source)
            tf = tarfile.open(fileobj=io.BytesIO(source), mode="r:*")
        else:
            packed_size = Path(source).stat().st_size
            tf = tarfile.open(source, mode="r:*")
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as exc:
        yield Rejection(origin, f"corrupt or unreadable tar archive ({exc}); re-create the archive")
        return
    count = 0
    total = 0
    with tf:
        try:
            for info in tf:
                count += 1
                if count > limits.max_members:
                    yield Rejection(origin, f"archive has more than {limits.max_members:,} members; split it "
                                            "into smaller archives (members after the limit were not read)")
                    return
                name = info.name
                where = f"{origin}!{name}"
                if info.isdir():
                    continue
                if unsafe_member_name(name):
                    yield Rejection(where, "unsafe member path (absolute or with '..'): skipped, nothing extracted")
                    continue
                if not info.isfile():
                    if not _skip_name(name) and wanted(name):
                        yield Rejection(where, "not a regular file (link or device): skipped")
                    continue
                if _skip_name(name) or not wanted(name):
                    continue
                if info.size > budget.remaining:
                    yield Rejection(where, f"archive content exceeds the limit of {budget.limit:,} bytes (the "
                                           "input budget of all archives together): stopped reading; split the "
                                           "archive")
                    return
                if total + info.size > limits.ratio_floor and total + info.size > limits.max_ratio * max(packed_size, 1):
                    yield Rejection(where, "compression ratio looks like a decompression bomb: stopped reading")
                    return
                if info.size > limits.max_member_bytes:
                    yield Rejection(where, f"member is {info.size:,} bytes, more than the limit of "
                                           f"{limits.max_member_bytes:,} per member: skipped; unpack it first")
                    continue
                fh = tf.extractfile(info)
                try:
                    data = _read_capped(fh, [(info.size, "member is larger than its header says: stopped reading")]) \
                        if fh is not None else b""
                except _TooLarge as exc:  # pragma: no cover - tarfile itself stops at the header's size
                    yield Rejection(where, exc.reason)
                    return
                total += len(data)
                budget.take(len(data))
                yield Member(name, data)
        except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as exc:
            yield Rejection(origin, f"archive is corrupt or truncated after {count} members ({exc}); members "
                                    "before it were kept - re-create the archive")


def read_gzip(source: Path | bytes, origin: str, limits: ArchiveLimits,
              budget: Budget | None = None) -> bytes | Rejection:
    """The uncompressed bytes of a single ``.gz`` file, streamed with caps: the shared ``budget``, the per-member
    limit and the ratio (``max_ratio`` times the packed size, once past ``ratio_floor``)."""
    budget = budget if budget is not None else Budget(limits.max_total_bytes)
    try:
        packed = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
        fileobj = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
        too_big = (f"gzip content exceeds {limits.max_member_bytes:,} bytes (the limit for one file): not read; "
                   "unpack it first")
        bomb = (f"gzip file decompresses to more than {limits.max_ratio:,.0f} times its size of {packed:,} bytes, "
                "like a decompression bomb: not read")
        caps = [(budget.remaining, _budget_reason(budget)), (limits.max_member_bytes, too_big),
                (_ratio_cap(limits, packed), bomb)]
        with fileobj, gzip.GzipFile(fileobj=fileobj) as gz:
            data = _read_capped(gz, caps)
    except _TooLarge as exc:
        return Rejection(origin, exc.reason)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return Rejection(origin, f"corrupt or truncated gzip file ({exc}); re-create it")
    budget.take(len(data))
    return data
