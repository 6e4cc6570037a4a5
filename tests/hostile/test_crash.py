"""Crash safety: SIGKILL `python -m analysis build` at random (seeded) points; the store must always open and hold
either the old or the new state, and a re-run must complete the build."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.store import Store

REPO = Path(__file__).resolve().parents[2]
REUTERS = REPO.parent / "shared" / "corpora" / "reuters21578" / "jsonl" / "articles.jsonl"
ARTIFACTS = REPO / "artifacts"


def _synthetic(path: Path, start: int, n: int) -> None:
    words = "oil wheat bank rates talks harbour storm market shares profit loss trade export minister".split()
    rng = random.Random(start)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            text = " ".join(rng.choice(words) for _ in range(150)) + f" story {i}."
            fh.write(json.dumps({"id": f"s{i}", "title": f"Story {i} {rng.choice(words)}", "text": text,
                                 "date": f"2024-01-{1 + i % 28:02d}"}) + "\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    """Two halves of ~400 articles: Reuters when ../shared/corpora is present, else synthetic."""
    folder = tmp_path_factory.mktemp("crash")
    old, new = folder / "part1.jsonl", folder / "part2.jsonl"
    if REUTERS.exists():
        lines = REUTERS.read_text(encoding="utf-8").splitlines(keepends=True)[:400]
        old.write_text("".join(lines[:200]), encoding="utf-8")
        new.write_text("".join(lines[200:]), encoding="utf-8")
    else:
        _synthetic(old, 0, 200)
        _synthetic(new, 200, 200)
    return old, new


def _build_cmd(store: Path, *sources: Path) -> list[str]:
    return [sys.executable, "-m", "analysis", "build", *map(str, sources), "--store", str(store), "--quiet",
            "--no-enrich"]


def _count(store: Path) -> int:
    s = Store.open(store)
    try:
        return int(s.stats()["articles"])
    finally:
        s.close()


@pytest.mark.slow
def test_sigkill_during_build_leaves_old_or_new_state(tmp_path, corpus):
    old, new = corpus
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    live = tmp_path / "store.duckdb"
    subprocess.run(_build_cmd(live, old), check=True, capture_output=True, env=env, timeout=300)
    old_count = _count(live)
    pristine = tmp_path / "pristine.duckdb"
    shutil.copyfile(live, pristine)

    # the undisturbed duration and result of the incremental build, on a copy
    ref = tmp_path / "ref.duckdb"
    shutil.copyfile(pristine, ref)
    t0 = time.perf_counter()
    subprocess.run(_build_cmd(ref, old, new), check=True, capture_output=True, env=env, timeout=300)
    duration = time.perf_counter() - t0
    new_count = _count(ref)
    assert new_count > old_count

    rng = random.Random(20261127)
    # uniform points over the whole build, then points in its last 0.4 s (checkpoint, fsync and rename)
    delays = [rng.uniform(0.05, duration) for _ in range(6)] + [max(0.0, duration - rng.uniform(0, 0.4)) for _ in range(4)]
    outcomes = []
    for delay in delays:
        proc = subprocess.Popen(_build_cmd(live, old, new), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env)
        time.sleep(delay)
        building = any(tmp_path.glob("store.duckdb.building-*"))
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        count = _count(live)  # must open, whatever the moment of the kill
        assert count in (old_count, new_count), (delay, count)
        outcomes.append({"delay_s": round(delay, 3), "killed": not finished, "tmp_file_present": building,
                         "state": "new" if count == new_count else "old"})
        if count == new_count:  # the kill came after the swap: put the old version back for the next round
            shutil.copyfile(pristine, live)
    killed = sum(o["killed"] for o in outcomes)
    assert killed >= 5, outcomes
    # after the last kill: a stale .building-* file may be left; the next build must clean it and complete
    result = subprocess.run(_build_cmd(live, old, new), capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _count(live) == new_count
    assert not list(tmp_path.glob("store.duckdb.building-*"))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "crash-kills.json").write_text(json.dumps({"build_seconds": round(duration, 2), "old": old_count,
                                                            "new": new_count, "kills": outcomes}, indent=1))


def test_damaged_store_file_is_refused_not_overwritten(tmp_path, corpus):
    """A store file that is not DuckDB (e.g. truncated by a full disk) is reported; a build does not clobber it."""
    live = tmp_path / "store.duckdb"
    live.write_bytes(b"DUCK" + os.urandom(5000))
    from analysis.store import StoreError

    with pytest.raises(StoreError, match="not a NewsLens store or damaged"):
        Store.open(live)
    result = subprocess.run(_build_cmd(live, corpus[0]), capture_output=True, text=True, timeout=300)
    assert result.returncode == 3, result.stderr[-1000:]
    assert live.read_bytes()[:4] == b"DUCK" and live.stat().st_size == 5004
