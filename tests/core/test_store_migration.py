"""A store written by the previous schema (version 2: lists and dicts as JSON text) still opens and reads as
today's types, and a build on it migrates it (version 3: LIST/STRUCT/JSON columns) keeping every value and the old
file as STORE.prev. The old store is written here with the old DDL, as the previous NewsLens wrote it."""

from __future__ import annotations

import json

import duckdb
import pytest

from analysis.pipeline import BuildOptions, build
from analysis.store import SCHEMA_VERSION, Store, StoreError, previous_path, writer

#: analysis/store.py's DDL at schema version 2 (before typed columns), verbatim
SCHEMA_2 = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS builds (
    version INTEGER PRIMARY KEY, started TIMESTAMP, finished TIMESTAMP, sources VARCHAR, stats VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    uid BIGINT PRIMARY KEY, id VARCHAR NOT NULL, title VARCHAR, text VARCHAR, raw_text VARCHAR,
    date DATE, date_source VARCHAR, source VARCHAR, url VARCHAR, language VARCHAR, origin VARCHAR,
    meta VARCHAR, content_hash VARCHAR NOT NULL, story_key VARCHAR, story_id BIGINT, story_head BOOLEAN,
    n_words INTEGER, added_version INTEGER, outlet_country VARCHAR,
    enriched BOOLEAN DEFAULT FALSE, counted BOOLEAN DEFAULT FALSE);
CREATE TABLE IF NOT EXISTS article_ids (
    id VARCHAR PRIMARY KEY, uid BIGINT NOT NULL, origin VARCHAR, record_hash VARCHAR);
CREATE TABLE IF NOT EXISTS mentions (
    uid BIGINT, sent INTEGER, start INTEGER, "end" INTEGER, text VARCHAR, label VARCHAR, name VARCHAR,
    entity_id VARCHAR);
CREATE TABLE IF NOT EXISTS entities (
    entity_id VARCHAR PRIMARY KEY, name VARCHAR, label VARCHAR, mentions INTEGER, articles INTEGER,
    aliases VARCHAR);
CREATE TABLE IF NOT EXISTS article_countries (
    uid BIGINT, iso2 VARCHAR, weight DOUBLE, mentions INTEGER, evidence VARCHAR, dateline BOOLEAN);
CREATE TABLE IF NOT EXISTS sentences (uid BIGINT, sent INTEGER, start INTEGER, "end" INTEGER);
CREATE TABLE IF NOT EXISTS events (
    uid BIGINT, sent INTEGER, sentence VARCHAR, expression VARCHAR, start_date DATE, end_date DATE,
    granularity VARCHAR, resolved BOOLEAN, anchor VARCHAR);
CREATE TABLE IF NOT EXISTS terms (term_id INTEGER PRIMARY KEY, term VARCHAR UNIQUE);
CREATE TABLE IF NOT EXISTS doc_terms (uid BIGINT, term_id INTEGER, count INTEGER);
CREATE TABLE IF NOT EXISTS topics (
    topic_id INTEGER PRIMARY KEY, label VARCHAR, terms VARCHAR, size INTEGER, share DOUBLE, x DOUBLE, y DOUBLE);
CREATE TABLE IF NOT EXISTS article_topics (uid BIGINT PRIMARY KEY, topic_id INTEGER, weight DOUBLE, x DOUBLE, y DOUBLE);
CREATE TABLE IF NOT EXISTS models (name VARCHAR PRIMARY KEY, version INTEGER, payload BLOB);
CREATE TABLE IF NOT EXISTS paragraph_topics (uid BIGINT, paragraph INTEGER, topic_id INTEGER, weight DOUBLE);
CREATE TABLE IF NOT EXISTS entity_articles (entity_id VARCHAR, uid BIGINT, mentions INTEGER);
CREATE TABLE IF NOT EXISTS article_vectors (uid BIGINT PRIMARY KEY, model VARCHAR, vector BLOB);
"""

EVIDENCE = [{"text": "SEOUL", "rule": "dateline"}, {"text": "Korean", "rule": "demonym"}]
META = {"format": "feed", "feed_item": 3, "tags": ["politics", "asia"], "summary_only": True}
STATS = {"version": 1, "added": 1, "rejected": [], "timings": {"ingest": 0.5}}


def _old_store(path):
    con = duckdb.connect(str(path))
    con.execute(SCHEMA_2)
    con.execute("INSERT INTO meta VALUES ('schema_version', '2'), ('topic_unit', 'articles')")
    con.execute("INSERT INTO builds VALUES (1, '2026-11-30 10:00', '2026-11-30 10:01', ?, ?)",
                [json.dumps(["/corpus/a.jsonl", "/corpus/b.jsonl"]), json.dumps(STATS)])
    con.execute("""INSERT INTO articles (uid, id, title, text, date, source, meta, content_hash, story_id, story_head,
                                         n_words, added_version, enriched, counted)
                   VALUES (1, 'k1', 'Seoul talks', 'Park Jin met officials in Seoul.', DATE '2026-11-02', 'Yonhap',
                           ?, 'h1', 1, TRUE, 6, 1, TRUE, TRUE),
                          (2, 'k2', 'No meta', 'A short note.', NULL, NULL, NULL, 'h2', 2, TRUE, 3, 1, TRUE, TRUE)""",
                [json.dumps(META)])
    con.execute("INSERT INTO article_ids VALUES ('k1', 1, 'a.jsonl', 'r1'), ('k2', 2, 'a.jsonl', 'r2')")
    con.execute("INSERT INTO article_countries VALUES (1, 'KR', 0.9, 2, ?, TRUE), (2, 'US', 0.3, 1, '[]', FALSE)",
                [json.dumps(EVIDENCE)])
    con.execute("""INSERT INTO entities VALUES ('PERSON:park-jin', 'Park Jin', 'PERSON', 1, 1, '["Park", "Park Jin"]'),
                                               ('GPE:KR', 'South Korea', 'GPE', 1, 1, '[]')""")
    con.execute("INSERT INTO mentions VALUES (1, 0, 0, 8, 'Park Jin', 'PERSON', 'Park Jin', 'PERSON:park-jin')")
    con.execute("INSERT INTO entity_articles VALUES ('PERSON:park-jin', 1, 1)")
    con.execute("""INSERT INTO topics VALUES (0, 'korea · talks', '["korea", "talks"]', 1, 0.5, 0.1, 0.2),
                                             (-1, 'other (no clear topic)', '[]', 1, 0.5, NULL, NULL)""")
    con.execute("INSERT INTO article_topics VALUES (1, 0, 0.8, 0.1, 0.2), (2, -1, 0.1, 0.0, 0.0)")
    con.close()


def _what_it_holds(store: Store) -> dict:
    art = store.article(1)
    return {
        "stats": store.stats(), "meta": art["meta"], "meta_2": store.article(2)["meta"],
        "evidence": art["countries"]["evidence"].tolist(),
        "evidence_2": store.article(2)["countries"]["evidence"].tolist(),
        "topics": store.topics()[["topic_id", "terms"]].to_dict("records"),
        "aliases": store.entity_catalog().set_index("entity_id")["aliases"].to_dict(),
        "search": store.entity_catalog("park")["entity_id"].tolist(),
        "builds": store.builds()[["version", "sources", "stats"]].to_dict("records"),
    }


EXPECTED = {
    "meta": META, "meta_2": {},
    "evidence": [EVIDENCE], "evidence_2": [[]],
    "topics": [{"topic_id": -1, "terms": []}, {"topic_id": 0, "terms": ["korea", "talks"]}],  # same size: by id
    "aliases": {"PERSON:park-jin": ["Park", "Park Jin"], "GPE:KR": []},
    "search": ["PERSON:park-jin"],
    "builds": [{"version": 1, "sources": ["/corpus/a.jsonl", "/corpus/b.jsonl"], "stats": STATS}],
}


def test_an_old_store_reads_as_todays_types_without_being_changed(tmp_path):
    path = tmp_path / "old.duckdb"
    _old_store(path)
    size, mtime = path.stat().st_size, path.stat().st_mtime_ns
    store = Store.open(path)
    held = _what_it_holds(store)
    store.close()
    assert {k: held[k] for k in EXPECTED} == EXPECTED
    assert held["stats"]["articles"] == 2 and held["stats"]["version"] == 1
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (size, mtime)  # read-only: the file is untouched


def test_a_build_on_an_old_store_migrates_it_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "old.duckdb"
    _old_store(path)
    corpus = tmp_path / "new.jsonl"
    corpus.write_text(json.dumps({"id": "k3", "title": "Grain harvest", "date": "2026-11-20",
                                  "text": "The wheat harvest in Kansas was large this year."}) + "\n")
    messages: list[str] = []
    with writer(path, on_wait=messages.append) as w:  # what a build does first: the migration on its private copy
        assert w.migrations == ["migrate_2_to_3"]
        w.discard = True  # nothing new: the migrated copy is still swapped in
    assert len(messages) == 1 and "migrated to store schema 3 (migrate_2_to_3)" in messages[0]
    assert ".prev" in messages[0]
    store = Store.open(path)
    migrated = _what_it_holds(store)
    store.close()
    assert {k: migrated[k] for k in EXPECTED} == EXPECTED
    con = duckdb.connect(str(path), read_only=True)
    types = dict(con.execute("SELECT table_name || '.' || column_name, data_type FROM duckdb_columns() WHERE "
                             "column_name IN ('meta', 'sources', 'stats', 'aliases', 'evidence', 'terms')").fetchall())
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    con.close()
    assert version == str(SCHEMA_VERSION) == "3"
    assert types == {"articles.meta": "JSON", "builds.sources": "VARCHAR[]", "builds.stats": "JSON",
                     "entities.aliases": "VARCHAR[]", "topics.terms": "VARCHAR[]",
                     "article_countries.evidence": 'STRUCT("text" VARCHAR, "rule" VARCHAR)[]'}
    old = duckdb.connect(str(previous_path(path)), read_only=True)  # the file as the old NewsLens wrote it
    assert old.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
    assert old.execute("SELECT aliases FROM entities WHERE entity_id = 'PERSON:park-jin'").fetchone()[0] == \
        '["Park", "Park Jin"]'
    old.close()

    report = build([str(corpus)], path, BuildOptions(enrich=False, topics=False))  # then a real build on it
    assert report.articles == 3
    store = Store.open(path)
    after = _what_it_holds(store)
    builds = store.builds()
    store.close()
    assert after["meta"] == META and after["evidence"] == [EVIDENCE] and after["evidence_2"] == [[]]
    assert after["aliases"]["PERSON:park-jin"] == ["Park", "Park Jin"]
    assert builds["version"].tolist() == [1, 2]
    assert builds["sources"].tolist() == [["/corpus/a.jsonl", "/corpus/b.jsonl"], [str(corpus)]]
    assert isinstance(builds["stats"].iloc[1], dict) and builds["stats"].iloc[1]["added"] == 1


@pytest.mark.parametrize("stored, words", [("1", "too old to read"), ("9", "written by a newer NewsLens")])
def test_a_store_of_a_schema_it_cannot_read_is_a_clear_error(tmp_path, stored, words):
    path = tmp_path / "s.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [stored])
    con.close()
    with pytest.raises(StoreError, match=f"{path}: store schema {stored} .*{words}"):
        Store.open(path)
