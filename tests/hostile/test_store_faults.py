"""Faults of the store and the build (issue 19, items 1-4 and 12-15): a lock deleted under a running build, a store
reached through a symlink, a build killed with SIGKILL while its spaCy workers run, a damaged store file, disk full,
a read-only folder, a lock timeout, out-of-range filter ids and corpora with a degenerate vocabulary.

Concurrent builds run as separate processes (``_HOLD`` below) that hold the writer open until told to finish, so the
order of events is fixed by the test, not by timing.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import store as store_mod
from analysis.cli import main
from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build

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


# ---------------------------------------------------------------------------------------------- 4, 13: damage


BLOCK = 262144  # DuckDB's block size


def _damage(path: Path, how: str, offset: int | None = None) -> None:
    """truncate: cut the file in half; zero: zero its middle half; block: zero one block at ``offset``."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        if how == "truncate":
            fh.truncate(size // 2)
        elif how == "zero":
            fh.seek(size // 4)
            fh.write(b"\0" * (size // 2))
        else:
            fh.seek(offset)
            fh.write(b"\0" * BLOCK)


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> Path:
    """A store built twice from in-code articles (version 2 live, version 1 kept as .prev)."""
    folder = tmp_path_factory.mktemp("two_builds")
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    rows = [{"id": f"n{i}", "title": f"Harbour news {i}", "date": f"2024-03-{i + 1:02d}",
             "text": f"The harbour of Portmere handled {i} ships. Fishing boats {i} and ferries came back."}
            for i in range(12)]
    first.write_text("".join(json.dumps(r) + "\n" for r in rows[:8]))
    second.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = folder / "s.duckdb"
    opts = BuildOptions(enrich=False)
    assert build([str(first)], store, opts).articles == 8
    assert build([str(second)], store, opts).articles == 12
    return store


def _copy_store(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / src.name
    shutil.copyfile(src, dst)
    shutil.copyfile(src.with_name(src.name + ".prev"), dst.with_name(dst.name + ".prev"))
    return dst


def test_each_build_keeps_the_previous_version(two_builds):
    prev = two_builds.with_name(two_builds.name + ".prev")
    assert store_mod.Store.open(prev).stats()["articles"] == 8
    assert store_mod.Store.open(two_builds).stats()["articles"] == 12
    assert not list(two_builds.parent.glob("s.duckdb.prev-*"))  # no staging file left


@pytest.mark.parametrize("how", ["truncate", "zero"])
def test_a_damaged_store_is_one_clear_state_and_restore_brings_back_the_previous(two_builds, tmp_path, capsys, how):
    store = _copy_store(two_builds, tmp_path / how)
    _damage(store, how)
    damaged_bytes = store.read_bytes()
    # every read command: exit 3 and the one line, no traceback
    for argv in (["stats"], ["articles", "--format", "csv"], ["topics"], ["keywords"]):
        assert main([*argv, "--store", str(store)]) == 3, argv
        err = capsys.readouterr().err
        assert err.startswith(f"error: store damaged: {store}"), (argv, err)
        assert "python -m analysis restore" in err and "Traceback" not in err
    assert main(["restore", "--store", str(store)]) == 0
    out = capsys.readouterr()
    assert f"restored the previous version of {store}" in out.out
    assert store_mod.Store.open(store).stats()["articles"] == 8
    kept = list(tmp_path.joinpath(how).glob("s.duckdb.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged_bytes  # nothing a store held is lost
    assert "could not be read" in out.err and kept[0].name in out.err
    # a second restore has no previous version left: exit 3 with what to do
    assert main(["restore", "--store", str(store)]) == 3
    assert "no previous version to restore" in capsys.readouterr().err


def test_every_zeroed_block_is_found_as_damage_never_another_error(two_builds, tmp_path, capsys):
    """One zeroed block anywhere: opening, or any query touching it, is StoreDamaged (query-time included); the CLI
    turns a query-time one into exit 3 as well."""
    from analysis import slices

    reads = {
        "stats": lambda s: s.stats(), "articles": lambda s: s.articles(limit=None),
        "text": lambda s: s.uids(Filter(query="harbour")), "terms": lambda s: s.term_codes(),
        "topics": lambda s: s.topics(), "keywords": lambda s: slices.keywords(s, Filter()),
    }
    found_at_query_time = []
    for offset in range(BLOCK, two_builds.stat().st_size, BLOCK):
        copy = tmp_path / f"b{offset}.duckdb"
        shutil.copyfile(two_builds, copy)
        _damage(copy, "block", offset)
        try:
            s = store_mod.Store.open(copy)
        except store_mod.StoreDamaged:
            continue
        for name, read in reads.items():
            try:
                read(s)
            except store_mod.StoreDamaged as exc:
                assert str(exc).startswith(f"store damaged: {copy}")
                found_at_query_time.append((copy, name))
        s.close()
    assert found_at_query_time, "no block was found damaged at query time: the sweep tested nothing"
    copy, name = next((c, n) for c, n in found_at_query_time if n in ("articles", "keywords", "topics"))
    command = {"articles": ["articles", "--format", "csv"], "keywords": ["keywords"], "topics": ["topics"]}[name]
    assert main([*command, "--store", str(copy)]) == 3
    assert capsys.readouterr().err.startswith(f"error: store damaged: {copy}")
    assert store_mod.read_problem(copy) is not None  # the check restore relies on sees it too


def test_restore_refuses_a_damaged_previous_version(two_builds, tmp_path, capsys):
    store = _copy_store(two_builds, tmp_path / "both")
    _damage(store.with_name(store.name + ".prev"), "truncate")
    before = store.read_bytes()
    assert main(["restore", "--store", str(store)]) == 3
    assert "the previous version cannot be read either" in capsys.readouterr().err
    assert store.read_bytes() == before


def test_restore_of_a_readable_store_keeps_it_as_replaced(two_builds, tmp_path, capsys):
    store = _copy_store(two_builds, tmp_path / "undo")
    assert main(["restore", "--store", str(store)]) == 0
    kept = list(store.parent.glob("s.duckdb.replaced-*"))
    assert len(kept) == 1 and store_mod.Store.open(kept[0]).stats()["articles"] == 12
    assert store_mod.Store.open(store).stats()["articles"] == 8


# ---------------------------------------------------------------------------------------------- 12: filter ids


@pytest.mark.parametrize("field, value, message", [
    ("topics", (2147483648,), "topic id 2147483648 is out of range"),
    ("topics", ("-2",), "topic id -2 is out of range"),
    ("topics", ("seven",), "not a topic id: 'seven'"),
    ("entities", ("PERSON:wang-yi') OR 1=1 --",), "not an entity id"),
    ("entities", ("wang-yi",), "not an entity id"),
    ("min_country_weight", "lots", "must be a number between 0 and 1"),
    ("min_country_weight", float("nan"), "must be between 0 and 1"),
    ("since", "2024-13-01", "not a date"),
])
def test_filter_refuses_ids_the_store_cannot_hold(field, value, message):
    with pytest.raises(ValueError, match=message):
        Filter(**{field: value})


def test_filter_keeps_valid_ids():
    f = Filter(topics=("-1", 2147483647), entities="PERSON:park-jin,GPE:KR", min_country_weight="0.5")
    assert f.topics == (-1, 2147483647) and f.entities == ("PERSON:park-jin", "GPE:KR")
    assert f.min_country_weight == 0.5


@pytest.mark.parametrize("argv, message", [
    (["articles", "--topic", "2147483648"], "topic id 2147483648 is out of range"),
    (["events", "--entity", "no colon here"], "not an entity id"),
    (["countries", "--about", "2"], "between 0 and 1"),
])
def test_cli_bad_filter_ids_are_usage_errors(two_builds, capsys, argv, message):
    assert main([*argv, "--store", str(two_builds)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


# ---------------------------------------------------------------------------------------------- 14: clear failures


def _fail_with(errno_code: int, monkeypatch, target: str = "replace"):
    real = getattr(os, target)

    def failing(*args, **kwargs):
        if any(".building-" in str(a) for a in args):
            raise OSError(errno_code, os.strerror(errno_code), str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, target, failing)


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "disk full writing"), (errno.EROFS, "read-only file system"),
                                         (errno.EACCES, "permission denied")])
def test_file_system_failures_are_one_clear_line_and_the_store_is_unchanged(two_builds, tmp_path, monkeypatch, code,
                                                                            words):
    store = _copy_store(two_builds, tmp_path / "fs")
    before = store.read_bytes()
    _fail_with(code, monkeypatch)
    with pytest.raises(store_mod.StoreError, match=words) as caught, store_mod.writer(store) as w:
        w.set_meta("tagLost", "1")
    line = str(caught.value)
    assert "\n" not in line and str(store.parent) in line
    assert store.read_bytes() == before
    assert not list(store.parent.glob("s.duckdb.building-*"))


def test_a_private_copy_deleted_under_the_build_is_a_clear_error(two_builds, tmp_path):
    store = _copy_store(two_builds, tmp_path / "gone")
    before = store.read_bytes()
    with pytest.raises(store_mod.StoreError, match="deleted by another process") as caught, \
            store_mod.writer(store) as w:
        w.set_meta("tagLost", "1")
        store.with_name(f"s.duckdb.building-{os.getpid()}").unlink()
    assert "is unchanged: run the build again" in str(caught.value)
    assert store.read_bytes() == before


def _tmpfs(folder: Path, options: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, check=False).returncode == 0


def test_a_real_full_disk_gives_one_line_and_exit_3(tmp_path, capsys):
    folder = tmp_path / "small"
    if not _tmpfs(folder, "size=3m"):
        pytest.skip("cannot mount a small tmpfs here (needs root); the monkeypatched test covers the message")
    try:
        corpus = tmp_path / "big.jsonl"
        with corpus.open("w") as fh:  # ~6 MB of distinct text: more than the 3 MB disk holds
            for i in range(3000):
                fh.write(json.dumps({"id": f"b{i}", "title": f"t{i}",
                                     "text": " ".join(f"word{i}x{j}" for j in range(200))}) + "\n")
        store = folder / "s.duckdb"
        code = main(["build", str(corpus), "--store", str(store), "--quiet", "--no-enrich", "--no-topics"])
        err = capsys.readouterr().err
        assert code == 3, err
        assert err.count("\n") == 1 and err.startswith(f"error: disk full writing {folder}/s.duckdb.building-"), err
        assert "Traceback" not in err and not store.exists()
        assert not list(folder.glob("s.duckdb.building-*"))
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_real_read_only_folder_gives_one_line_and_exit_3(tmp_path, capsys):
    folder = tmp_path / "ro"
    if not _tmpfs(folder, "ro,size=1m"):
        pytest.skip("cannot mount a read-only tmpfs here (needs root); the monkeypatched test covers the message")
    try:
        corpus = tmp_path / "one.jsonl"
        corpus.write_text(json.dumps({"id": "x", "title": "t", "text": "Harbour news."}) + "\n")
        assert main(["build", str(corpus), "--store", str(folder / "s.duckdb"), "--quiet", "--no-enrich"]) == 3
        err = capsys.readouterr().err
        assert err == (f"error: cannot write {folder}/s.duckdb.lock: {folder} is on a read-only file system; build "
                       "into a writable folder (--store PATH) or remount it read-write\n")
    finally:
        subprocess.run(["umount", str(folder)], check=False)


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


# ---------------------------------------------------------------------------------------------- 15: degenerate corpora


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_eighty_press_releases_with_one_body_give_one_topic(tmp_path):
    body = ("Acme Corporation today announced its results for the quarter. Revenue grew in every region and the "
            "board thanked its shareholders for their continued support.")
    rows = [{"id": f"pr{i}", "title": f"Press release {i}", "text": body, "date": f"2024-01-{1 + i % 28:02d}"}
            for i in range(80)]
    report = build([str(_jsonl(tmp_path / "pr.jsonl", rows))], tmp_path / "s.duckdb", BuildOptions(enrich=False))
    assert report.articles == 80 and not report.rejected
    assert report.topics == 1
    assert "no distinctive words" in report.topics_note and "topics: 1 (no distinctive words" in report.summary()
    s = store_mod.Store.open(tmp_path / "s.duckdb")
    assert s.rows("SELECT topic_id, count(*) FROM article_topics GROUP BY 1") == [(0, 80)]


STOPWORDS = ("and", "the", "of", "to", "it", "is", "was", "that")


@pytest.mark.parametrize("name, rows, topics, note", [
    ("one", [{"id": "a", "title": "Ferry", "text": "The harbour opened a new ferry terminal on Monday."}], 1, ""),
    ("two_alike", [{"id": f"a{i}", "title": f"Ferry {i}", "text": "The harbour opened a new ferry terminal."}
                   for i in range(2)], 1, ""),
    ("stopwords", [{"id": f"s{i}", "title": "It is", "text": " ".join(words)}
                   for i, words in enumerate(itertools.islice(itertools.permutations(STOPWORDS), 30))],
     0, "no topics: the articles have no words"),
    ("stopwords_few", [{"id": f"s{i}", "title": "The", "text": " ".join(STOPWORDS[i:])} for i in range(3)],
     0, "no topics: the articles have no words"),
])
def test_degenerate_corpora_never_fail_the_build(tmp_path, name, rows, topics, note):
    report = build([str(_jsonl(tmp_path / f"{name}.jsonl", rows))], tmp_path / "s.duckdb", BuildOptions(enrich=False))
    assert report.articles == len(rows) and not report.rejected
    assert report.topics == topics
    assert report.topics_note.startswith(note)
    if note:
        assert f"topics: 0 ({note}" in report.summary()
    s = store_mod.Store.open(tmp_path / "s.duckdb")
    assert s.stats()["topics"] == topics


# ---------------------------------------------------------------------------------------------- 12, 13: dashboard

APP = str(REPO / "dashboard" / "app.py")
PAGES = ["overview", "keywords", "topics", "entities", "events", "articles", "compare", "data"]


@pytest.fixture()
def dashboard_on(monkeypatch):
    def _use(path: Path):
        from streamlit.testing.v1 import AppTest

        monkeypatch.setenv("NEWSLENS_STORE", str(path))
        monkeypatch.delenv("NEWSLENS_READ_ONLY", raising=False)
        return AppTest.from_file(APP, default_timeout=60)
    return _use


def _texts(at, kind: str) -> list[str]:
    """The messages of ``kind`` as plain text (they are Markdown-escaped on the page)."""
    return [e.value.replace("\\", "") for e in getattr(at, kind)]


@pytest.mark.parametrize("how", ["truncate", "zero"])
def test_every_page_shows_the_damaged_state_and_the_data_page_restores(two_builds, tmp_path, dashboard_on, how):
    store = _copy_store(two_builds, tmp_path / how)
    _damage(store, how)
    at = dashboard_on(store).run()
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert any(t.startswith("store damaged: ") for t in _texts(at, "error")), (page, _texts(at, "error"))
    # the Data page offers the repair and it works
    restore = next(b for b in at.button if b.key == "data_restore")
    assert not restore.disabled
    restore.click().run()
    assert not at.exception
    assert any("Restored the previous version of s.duckdb" in t for t in _texts(at, "success"))
    assert next(m.value for m in at.metric if m.label == "Articles") == "8"
    assert len(list(store.parent.glob("s.duckdb.damaged-*"))) == 1
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception and not at.error


def test_a_damaged_store_without_previous_version_can_be_set_aside_and_rebuilt(two_builds, tmp_path, dashboard_on):
    store = tmp_path / "alone" / "s.duckdb"
    store.parent.mkdir()
    shutil.copyfile(two_builds, store)
    _damage(store, "truncate")
    at = dashboard_on(store).run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert next(b for b in at.button if b.key == "data_restore").disabled  # nothing to restore
    next(b for b in at.button if b.key == "data_set_aside").click().run()
    assert not at.exception and not at.error
    assert any("Kept the damaged file as s.duckdb.damaged-" in t for t in _texts(at, "success"))
    assert not store.exists() and len(list(store.parent.glob("s.duckdb.damaged-*"))) == 1
    # the page's build form works again on a new store
    at.text_input(key="data_folder").input(str(two_builds.parent / "first.jsonl")).run()
    at.checkbox(key="data_enrich").uncheck().run()
    next(b for b in at.button if b.key == "data_build_folder").click().run()
    assert not at.exception and not at.error, _texts(at, "error")
    assert store_mod.Store.open(store).stats()["articles"] == 8


def test_an_out_of_range_topic_in_the_url_is_a_warning_not_a_crash(two_builds, dashboard_on):
    from streamlit.testing.v1 import AppTest

    dashboard_on(two_builds)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["topic"] = "2147483648"
    at.query_params["entity"] = "PERSON:x'--"
    at.run()
    for page in ("overview", "articles", "topics"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["topic"] = "2147483648"
    at.run()
    assert not at.exception
    assert any("topic id 2147483648 is out of range" in t for t in _texts(at, "warning")), _texts(at, "warning")
