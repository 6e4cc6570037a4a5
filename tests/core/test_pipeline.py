"""Incremental, transactional builds on tiny folders written in the tests (ingest + dedupe + terms)."""

from __future__ import annotations

import os

import pytest

from analysis import pipeline
from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build
from analysis.store import Store

FAST = BuildOptions(enrich=False, topics=False)


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    write(folder, "one.txt", "Oil prices fall\n\nOPEC output rose while oil prices fell sharply in London trading.\n")
    write(folder, "two.txt", "Seoul and Beijing talk\n\nPark Jin met Wang Yi in Busan to discuss the spy satellite.\n")
    write(folder, "sub/two-copy.txt", "Seoul and Beijing talk\n\nPark Jin met Wang Yi in Busan to discuss the spy satellite.\n")
    return folder


def test_first_build_dedupes_and_records_every_id(corpus, tmp_path):
    store_path = tmp_path / "s.duckdb"
    report = build([corpus], store_path, FAST)
    assert (report.read, report.added, report.duplicates, report.rejected) == (3, 2, 1, [])
    assert report.undated == 2
    store = Store.open(store_path)
    stats = store.stats()
    assert (stats["articles"], stats["input_ids"], stats["duplicates"]) == (2, 3, 1)
    rows = store.export_rows(Filter(query="busan"))
    assert len(rows) == 1
    assert sorted([rows.iloc[0]["id"], *rows.iloc[0]["duplicate_ids"]]) == ["sub/two-copy.txt", "two.txt"]


def test_rebuild_of_same_input_changes_nothing(corpus, tmp_path):
    store_path = tmp_path / "s.duckdb"
    build([corpus], store_path, FAST)
    before = (os.stat(store_path).st_ino, os.stat(store_path).st_mtime_ns, store_path.read_bytes())
    report = build([corpus], store_path, FAST)
    assert (report.added, report.unchanged, report.version) == (0, 3, 1)
    after = (os.stat(store_path).st_ino, os.stat(store_path).st_mtime_ns, store_path.read_bytes())
    assert after == before


def test_incremental_add_and_change(corpus, tmp_path):
    store_path = tmp_path / "s.duckdb"
    build([corpus], store_path, FAST)
    write(corpus, "three.txt", "Wheat harvest\n\nFarmers in Kansas expect a record wheat harvest this summer.\n")
    write(corpus, "one.txt", "Oil prices rise\n\nOPEC cut output and oil prices rose in London trading.\n")
    report = build([corpus], store_path, FAST)
    assert (report.added, report.updated, report.unchanged, report.removed, report.counted) == (1, 1, 2, 1, 2)
    store = Store.open(store_path)
    assert store.stats()["articles"] == 3
    assert store.export_rows(Filter(query="oil"))["title"].tolist() == ["Oil prices rise"]
    assert store.corpus_version() == 2


def test_bad_files_are_reported_and_the_rest_goes_on(corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    (corpus / "broken.jsonl").write_text('{"title": "ok", "text": "fine text here"}\n{"title": "cut', encoding="utf-8")
    store_path = tmp_path / "s.duckdb"
    report = build([corpus, tmp_path / "does-not-exist"], store_path, FAST)
    assert report.added == 3
    joined = "\n".join(report.rejected)
    assert "empty.txt" in joined and "blob.txt" in joined and "broken.jsonl" in joined and "does-not-exist" in joined
    assert len(report.rejected) == 4


def test_crash_midway_keeps_the_previous_store(corpus, tmp_path, monkeypatch):
    store_path = tmp_path / "s.duckdb"
    build([corpus], store_path, FAST)
    before = store_path.read_bytes()
    write(corpus, "three.txt", "Wheat harvest\n\nFarmers expect a record wheat harvest.\n")

    def boom(*args, **kwargs):
        raise RuntimeError("simulated crash during term counting")

    monkeypatch.setattr(pipeline, "_count_terms", boom)
    with pytest.raises(RuntimeError, match="simulated crash"):
        build([corpus], store_path, FAST)
    assert store_path.read_bytes() == before
    assert Store.open(store_path).stats()["articles"] == 2
    monkeypatch.undo()
    report = build([corpus], store_path, FAST)
    assert report.added == 1
    assert Store.open(store_path).stats()["articles"] == 3


def test_duplicate_ids_in_one_build_are_rejected_not_overwritten(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, "x.csv", "id,title,text\n1,First,first body text\n1,Second,second body text\n")
    report = build([a / "x.csv"], tmp_path / "s.duckdb", FAST)
    assert report.added == 1
    assert any("already used" in r for r in report.rejected)
