"""Concurrent and killed builds (issue 19, items 1-3 and 14): a lock deleted under a running build, a stale private
copy, a store reached through a symlink, a build killed with SIGKILL while its spaCy workers run, a lock that dies
with the build and not with its forked children, and a lock timeout that names the holder.

Concurrent builds run as separate processes (``_HOLD`` below) that hold the writer open until told to finish, so the
order of events is fixed by the test, not by timing. Damage, file-system failures and bad filter ids:
tests/hostile/test_store_faults.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import store as store_mod

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO)}

# A writer that tags the store, says it is inside (READY file), and finishes when the GO file appears.
_HOLD = r"""
import datetime, sys, time
from pathlib import Path
from analysis import store
path, tag, ready, go = sys.argv[1:5]
with store.writer(path, lock_timeout=60) as w:
    w.set_meta(tag, "1")
    w.record_build(datetime.datetime.now(), [tag], {})
    Path(ready).write_text("in")
    while not Path(go).exists():
        time.sleep(0.05)
print("done", tag)
"""


_HOLDERS: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_holder_outlives_its_test():
    yield
    while _HOLDERS:
        proc = _HOLDERS.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _start_holder(store: Path, tag: str, tmp: Path) -> tuple[subprocess.Popen, Path, Path]:
    """A writer process; its stderr goes to ``tmp/TAG.err`` (see :func:`_err`)."""
    ready, go = tmp / f"{tag}.ready", tmp / f"{tag}.go"
    with (tmp / f"{tag}.err").open("w") as err:
        proc = subprocess.Popen([PY, "-c", _HOLD, str(store), tag, str(ready), str(go)], env=ENV, cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=err)
    _HOLDERS.append(proc)
    return proc, ready, go


def _err(tmp: Path, tag: str) -> str:
    return (tmp / f"{tag}.err").read_text()


def _second_build_waits(c_ready: Path, tmp: Path, tag: str) -> None:
    """The second writer either says it is waiting (right) or gets inside the writer (the bug)."""
    _wait_for(lambda: c_ready.exists() or "waiting:" in _err(tmp, tag), what=f"{tag} to wait or get in")
    assert not c_ready.exists(), f"{tag} got in while the first build was still writing"


def _wait_for(predicate, seconds: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _tags(store: Path) -> set[str]:
    s = store_mod.Store.open(store)
    try:
        return {k for (k,) in s.rows("SELECT key FROM meta WHERE key LIKE 'tag%'")}
    finally:
        s.close()


def _seed(store: Path) -> None:
    with store_mod.writer(store) as w:
        w.set_meta("seed", "1")
        w.record_build(__import__("datetime").datetime.now(), ["seed"], {})


# ---------------------------------------------------------------------------------------------- 1, 2: lost builds


def test_a_deleted_lock_file_does_not_let_a_second_build_in(tmp_path):
    store = tmp_path / "s.duckdb"
    _seed(store)
    b, b_ready, b_go = _start_holder(store, "tagB", tmp_path)
    _wait_for(b_ready.exists, what="build B inside the writer")
    (tmp_path / "s.duckdb.lock").unlink()  # the fault: someone removes the lock under a running build
    c, c_ready, c_go = _start_holder(store, "tagC", tmp_path)
    _second_build_waits(c_ready, tmp_path, "tagC")
    time.sleep(0.5)
    assert not c_ready.exists()
    b_go.touch()
    assert b.wait(timeout=60) == 0, _err(tmp_path, "tagB")
    _wait_for(c_ready.exists, what="build C after B finished")
    c_go.touch()
    assert c.wait(timeout=60) == 0, _err(tmp_path, "tagC")
    err_c = _err(tmp_path, "tagC")
    assert f"waiting: build PID {b.pid} is still writing s.duckdb.building-{b.pid}" in err_c  # once, with the PID
    assert err_c.count("waiting:") == 1
    assert _tags(store) == {"tagB", "tagC"}  # neither build lost


def test_a_stale_private_copy_is_removed_only_when_its_process_is_dead(tmp_path):
    store = tmp_path / "s.duckdb"
    _seed(store)
    dead = subprocess.Popen([PY, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"s.duckdb.building-{dead.pid}"
    stale.write_bytes(b"left by a killed build")
    alive = tmp_path / f"s.duckdb.building-{os.getppid()}"  # a live process that is not writing it
    alive.write_bytes(b"not ours to delete")
    said: list[str] = []
    with store_mod.writer(store, on_wait=said.append) as w:
        w.set_meta("tagX", "1")
    assert not stale.exists()
    assert alive.read_bytes() == b"not ours to delete"
    assert any(str(alive) in line and "left" in line for line in said)


def test_a_store_reached_through_a_symlink_is_one_store(tmp_path):
    real = tmp_path / "real.duckdb"
    link = tmp_path / "link.duckdb"
    _seed(real)
    link.symlink_to(real.name)
    b, b_ready, b_go = _start_holder(link, "tagB", tmp_path)
    _wait_for(b_ready.exists, what="build B (through the link) inside the writer")
    c, c_ready, c_go = _start_holder(real, "tagC", tmp_path)
    _second_build_waits(c_ready, tmp_path, "tagC")
    assert f"waiting: build PID {b.pid} holds the lock {real}.lock" in _err(tmp_path, "tagC")
    b_go.touch()
    assert b.wait(timeout=60) == 0, _err(tmp_path, "tagB")
    _wait_for(c_ready.exists, what="build C")
    c_go.touch()
    assert c.wait(timeout=60) == 0, _err(tmp_path, "tagC")
    assert link.is_symlink() and os.readlink(link) == real.name  # the swap replaced the target, not the link
    assert _tags(real) == {"tagB", "tagC"}
    assert sorted(p.name for p in tmp_path.glob("real.duckdb*")) == ["real.duckdb", "real.duckdb.lock",
                                                                      "real.duckdb.prev"]
    assert not list(tmp_path.glob("link.duckdb.*"))  # no lock, copy or .prev named after the link


# ---------------------------------------------------------------------------------------------- 3: killed build


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, only not reaped yet


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux) to find the build's workers")
def test_sigkill_of_a_two_process_build_frees_the_lock_and_leaves_no_orphans(tmp_path):
    # 520 short articles: above the 500 at which the build forks two spaCy processes by itself (no --processes)
    corpus = tmp_path / "many.jsonl"
    with corpus.open("w") as fh:
        for i in range(520):
            fh.write(json.dumps({"id": f"a{i}", "title": f"Council meeting {i}",
                                 "text": f"The council of Riverton met on Monday to discuss road number {i}. "
                                         "Mayor Jane Holt said the repairs would start in March."}) + "\n")
    store = tmp_path / "s.duckdb"
    _seed(store)
    proc = subprocess.Popen([PY, "-m", "analysis", "build", str(corpus), "--store", str(store), "--quiet",
                             "--no-topics"], env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        _wait_for(lambda: len([c for c in _children(proc.pid) if _running(c)]) >= 2, seconds=240,
                  what="the build's two spaCy workers")
        workers = [c for c in _children(proc.pid) if _running(c)]
        time.sleep(1.0)  # the workers are processing
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        _wait_for(lambda: not any(_running(w) for w in workers), seconds=10, what="the workers to die with the build")
        started = time.monotonic()
        with store_mod.writer(store, lock_timeout=10) as w:  # the next build gets the lock at once
            w.set_meta("tagNext", "1")
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
        for orphan in workers:  # a failing run must not leave them behind either
            if _running(orphan):
                os.kill(orphan, signal.SIGKILL)
    assert _tags(store) == {"tagNext"}
    assert not list(tmp_path.glob("s.duckdb.building-*"))  # the killed build's copy was cleared (its PID is dead)


_FORK_AND_DIE = r"""
import os, signal, sys, time
from pathlib import Path
from analysis import store
with store.writer(sys.argv[1]) as w:
    child = os.fork()
    if child == 0:  # like an orphaned worker: outlives the build that forked it
        time.sleep(30)
        os._exit(0)
    Path(sys.argv[2]).write_text(str(child))
    os.kill(os.getpid(), signal.SIGKILL)  # no cleanup runs, as with the OOM killer
"""


def test_the_lock_dies_with_the_build_not_with_its_forked_children(tmp_path, capsys):
    """The mechanism behind the test above, quickly: a child forked while the lock is held does not keep it."""
    store = tmp_path / "s.duckdb"
    _seed(store)
    child_file = tmp_path / "child.pid"
    with (tmp_path / "build.err").open("w") as err:  # not a pipe: the child would hold it open
        build = subprocess.Popen([PY, "-c", _FORK_AND_DIE, str(store), str(child_file)], env=ENV, cwd=REPO,
                                 stdout=subprocess.DEVNULL, stderr=err)
    assert build.wait(timeout=120) == -signal.SIGKILL, (tmp_path / "build.err").read_text()
    child = int(child_file.read_text())
    try:
        assert _running(child)
        with store_mod.writer(store, lock_timeout=2) as w:  # was: the child's inherited flock, a timeout
            w.set_meta("tagNext", "1")
        assert "waiting" not in capsys.readouterr().err
    finally:
        if _running(child):
            os.kill(child, signal.SIGKILL)


def test_a_lock_timeout_names_the_holder_and_a_waiting_build_says_so_once(tmp_path):
    store = tmp_path / "s.duckdb"
    _seed(store)
    b, b_ready, b_go = _start_holder(store, "tagB", tmp_path)
    try:
        _wait_for(b_ready.exists, what="build B inside the writer")
        said: list[str] = []
        with pytest.raises(store_mod.StoreError) as caught, store_mod.writer(store, lock_timeout=1.0,
                                                                            on_wait=said.append):
            pass
        assert str(caught.value) == (f"{store}: build PID {b.pid} still holds the lock {store}.lock after 1 s; wait "
                                     "for it to finish (or stop that process if it is stuck) and run this again")
        assert said == [(f"waiting: build PID {b.pid} holds the lock {store}.lock; this build starts when it ends "
                         "(gives up after 1 s)")]
    finally:
        b_go.touch()
        b.wait(timeout=60)
