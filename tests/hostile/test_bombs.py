"""Compression bombs in parts (issue 19, item 9): one decompressed-bytes budget for the whole input (members, nested
archives, several archives and .gz files together), a ratio check for .gz and for a zip's members together, and
streamed reads that stop at the first cap (a bomb costs at most a chunk more than the limit, never its full size).
Small budgets keep these fast; one case uses the default limits on a realistic bomb."""

from __future__ import annotations

import gzip
import io
import time
import tracemalloc
import zipfile
from pathlib import Path

from analysis.ingest import ArchiveLimits, Article, Rejection, iter_sources
from analysis.ingest.archives import MAX_RATIO, RATIO_FLOOR

ARTICLE = b"Harbour reopens\nThe port of Busan reopened on Monday after the storm."
NO_RATIO = {"max_ratio": 1e12}  # to test the budget alone


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _text(n: int, tag: str = "x") -> bytes:
    return f"Title {tag}\n".encode() + b"word " * (n // 5)


def _run(tmp_path: Path, files: dict[str, bytes], **limits) -> list:
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    return list(iter_sources(paths, limits=ArchiveLimits(**limits)))


def test_many_members_each_under_the_member_ratio_stop_at_the_archive_ratio(tmp_path):
    """The issue's 64 members of 15.9 MB, scaled down: each is below the ratio floor, all together are a bomb."""
    data = _zip([(f"m{i:02d}.txt", b"T\n" + b"a" * 200_000) for i in range(64)])
    records = _run(tmp_path, {"parts.zip": data}, ratio_floor=1_000_000, max_ratio=50)
    arts = [r for r in records if isinstance(r, Article)]
    (rej,) = [r for r in records if isinstance(r, Rejection)]
    assert "times its size, like a decompression bomb: stopped reading" in rej.reason
    assert rej.origin == f"{tmp_path / 'parts.zip'}!m{len(arts):02d}.txt"  # names the file and the member
    assert len(arts) == 1_000_000 // 200_002  # stopped at the floor: 4 members read, not 64


def test_nested_archives_share_one_budget(tmp_path):
    inner = [_zip([(f"i{j}.txt", _text(400_000, f"{j}"))]) for j in range(3)]
    outer = _zip([(f"inner{j}.zip", data) for j, data in enumerate(inner)])
    records = _run(tmp_path, {"outer.zip": outer}, max_total_bytes=1_000_000, **NO_RATIO)
    assert [r.id for r in records if isinstance(r, Article)] == ["outer.zip!inner0.zip!i0.txt",
                                                                  "outer.zip!inner1.zip!i1.txt"]
    (rej,) = [r for r in records if isinstance(r, Rejection)]
    assert rej.origin == f"{tmp_path / 'outer.zip'}!inner2.zip"
    assert "left of the input budget of 1,000,000 bytes" in rej.reason


def test_several_archives_and_gz_files_share_one_budget(tmp_path):
    files = {"a.zip": _zip([("a.txt", _text(400_000, "a"))]), "b.txt.gz": gzip.compress(_text(400_000, "b")),
             "c.zip": _zip([("c.txt", _text(400_000, "c"))]), "plain.txt": _text(400_000, "plain")}
    records = _run(tmp_path, files, max_total_bytes=1_000_000, **NO_RATIO)
    assert sorted(r.id for r in records if isinstance(r, Article)) == ["a.zip!a.txt", "b.txt.gz", "plain.txt"]
    (rej,) = [r for r in records if isinstance(r, Rejection)]
    assert rej.origin == str(tmp_path / "c.zip") and "input budget" in rej.reason


def test_gz_ratio_check_and_streamed_read(tmp_path):
    packed = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    assert len(packed) < 40_000
    tracemalloc.start()
    (rej,) = _run(tmp_path, {"bomb.txt.gz": packed}, ratio_floor=1_000_000, max_ratio=50)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rej.origin == str(tmp_path / "bomb.txt.gz")
    assert "like a decompression bomb: not read" in rej.reason and f"{len(packed):,} bytes" in rej.reason
    assert peak < 6_000_000, peak  # stopped after ~1 MB (+ one chunk), not 20 MB


def test_gz_member_limit_and_budget(tmp_path):
    data = gzip.compress(_text(2_000_000))
    (rej,) = _run(tmp_path, {"big.txt.gz": data}, max_member_bytes=1_000_000, **NO_RATIO)
    assert "the limit for one file" in rej.reason
    (rej,) = _run(tmp_path, {"big2.txt.gz": data}, max_total_bytes=1_000_000, **NO_RATIO)
    assert "input budget of 1,000,000 bytes" in rej.reason
    (art,) = _run(tmp_path, {"ok.txt.gz": data}, **NO_RATIO)
    assert isinstance(art, Article)


def test_member_over_the_member_limit_is_skipped_the_rest_read(tmp_path):
    data = _zip([("big.txt", _text(600_000)), ("ok.txt", ARTICLE)])
    records = _run(tmp_path, {"m.zip": data}, max_member_bytes=500_000, **NO_RATIO)
    assert [type(r).__name__ for r in records] == ["Rejection", "Article"]
    assert records[0].origin.endswith("m.zip!big.txt") and "per member" in records[0].reason


class _Precompressed:
    """Stands in for zlib's compressor while the test writes a zip: every member has the same content, so it is
    compressed once (level 9, ~1000:1) instead of 64 times (14 s)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def compress(self, data: bytes) -> bytes:
        return self.raw

    def flush(self) -> bytes:
        return b""


def test_realistic_bomb_with_the_default_limits(tmp_path, monkeypatch):
    """64 members of 15.9 MB of zeros (~1 GB) in a ~1 MB zip, with the shipped limits: refused after at most
    MAX_RATIO x its size, in seconds, with little memory (before: 2 minutes and 3.9 GB)."""
    import zlib

    member = b"\0" * 15_900_000
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = packer.compress(member) + packer.flush()
    monkeypatch.setattr(zipfile, "_get_compressor", lambda *a, **k: _Precompressed(raw))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(64):
            zf.writestr(f"part{i:02d}.txt", member)
    monkeypatch.undo()
    data = buf.getvalue()
    del member
    assert len(data) < 1_500_000
    (tmp_path / "bomb.zip").write_bytes(data)
    started = time.perf_counter()
    tracemalloc.start()
    records = list(iter_sources([str(tmp_path / "bomb.zip")]))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    elapsed = time.perf_counter() - started
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert "times its size, like a decompression bomb: stopped reading" in rejections[-1].reason, rejections
    members_read = len({r.origin.split("!")[1] for r in records})
    assert members_read * 15_900_000 <= max(MAX_RATIO * len(data), RATIO_FLOOR) + 15_900_000
    assert members_read < 64
    assert elapsed < 10, elapsed
    assert peak < 200_000_000, peak  # one member (and its text) at a time, not 1 GB
