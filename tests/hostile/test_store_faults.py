"""Faults of the store file and the build (issue 19, items 4 and 12-15): a damaged store file (and restoring the
previous version), disk full, a read-only folder, a copy deleted under the build, out-of-range filter ids, corpora
with a degenerate vocabulary, and the dashboard's damaged-store state. Concurrent and killed builds:
tests/hostile/test_store_locking.py.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import store as store_mod
from analysis.cli import main
from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


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
