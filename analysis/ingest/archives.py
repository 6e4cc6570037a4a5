"""Safe, in-memory reading of ``.zip`` / ``.tar(.gz|.bz2|.xz)`` / ``.tgz`` archives and single ``.gz`` files.

Nothing is ever extracted to disk. Guards: member paths that are absolute or contain ``..`` are rejected, the
member count and the total uncompressed size are capped, a member (zip) or archive (tar) whose uncompression ratio
looks like a decompression bomb is rejected, and declared sizes are never trusted (reads stop at the budget).
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.model import Rejection

__all__ = ["ArchiveLimits", "Member", "iter_zip", "iter_tar", "read_gzip", "unsafe_member_name"]


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps for one archive. ``max_ratio`` applies to members/archives larger than ``ratio_floor`` bytes."""

    max_total_bytes: int = 2 * 1024**3
    max_members: int = 100_000
    max_ratio: float = 200.0
    ratio_floor: int = 16 * 1024**2
    max_depth: int = 1  # an archive inside an archive is read; one more level is rejected


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
             wanted: Callable[[str], bool]) -> Iterator[Member | Rejection]:
    """Members of a zip whose name ``wanted(name)`` accepts, read in memory; Rejections for anything unsafe."""
    try:
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
        if declared > limits.max_total_bytes:
            yield Rejection(origin, f"archive would uncompress to {declared:,} bytes, more than the limit of "
                                    f"{limits.max_total_bytes:,}; split it or unpack only what you need")
            return
        budget = limits.max_total_bytes
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
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                yield Rejection(where, f"compression ratio {info.file_size / max(info.compress_size, 1):,.0f}:1 "
                                       "looks like a decompression bomb: skipped")
                continue
            try:
                with zf.open(info) as fh:
                    data = fh.read(min(budget, info.file_size) + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError,
                    ValueError) as exc:
                yield Rejection(where, f"cannot read this member ({exc}); re-create the archive")
                continue
            if len(data) > info.file_size or len(data) > budget:
                yield Rejection(where, "member is larger than declared or exceeds the archive size budget: "
                                       "stopped reading this archive")
                return
            budget -= len(data)
            yield Member(name, data)


def iter_tar(source: Path | bytes, origin: str, limits: ArchiveLimits,
             wanted: Callable[[str], bool]) -> Iterator[Member | Rejection]:
    """Members of a tar / tar.gz / tgz / tar.bz2 / tar.xz, streamed in memory; same guards as ``iter_zip``."""
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
                total += info.size
                if total > limits.max_total_bytes:
                    yield Rejection(where, f"archive content exceeds the limit of {limits.max_total_bytes:,} "
                                           "bytes: stopped reading; split the archive")
                    return
                if total > limits.ratio_floor and total > limits.max_ratio * max(packed_size, 1):
                    yield Rejection(where, "compression ratio looks like a decompression bomb: stopped reading")
                    return
                fh = tf.extractfile(info)
                data = fh.read(info.size + 1) if fh is not None else b""
                yield Member(name, data[: info.size])
        except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as exc:
            yield Rejection(origin, f"archive is corrupt or truncated after {count} members ({exc}); members "
                                    "before it were kept - re-create the archive")


def read_gzip(source: Path | bytes, origin: str, limits: ArchiveLimits) -> bytes | Rejection:
    """The uncompressed bytes of a single ``.gz`` file, capped at ``limits.max_total_bytes``."""
    try:
        fileobj = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
        with fileobj, gzip.GzipFile(fileobj=fileobj) as gz:
            data = gz.read(limits.max_total_bytes + 1)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return Rejection(origin, f"corrupt or truncated gzip file ({exc}); re-create it")
    if len(data) > limits.max_total_bytes:
        return Rejection(origin, f"gzip content exceeds {limits.max_total_bytes:,} bytes: not read")
    return data
