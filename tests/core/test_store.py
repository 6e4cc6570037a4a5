"""Store queries on a tiny fixture database written in code (exact facets and counts, Datasette-style)."""

from __future__ import annotations

import datetime as dt
import json
import os

import pandas as pd
import pytest

from analysis import store as store_mod
from analysis.filters import Filter
from analysis.store import Store, StoreError

ARTICLES = [
    # uid, id, title, text, date, source, story_id
    (1, "a.txt", "Seoul and Beijing talk", "Park Jin met Wang Yi in Busan about the spy satellite.", dt.date(2023, 11, 26), "Yonhap", 1),
    (2, "b.txt", "Seoul and Beijing talk (LEAD)", "Park Jin met Wang Yi in Busan; a spy satellite was discussed.", dt.date(2023, 11, 27), "Yonhap", 1),
    (3, "c.txt", "Oil prices fall", "OPEC output rose while oil prices fell in London.", dt.date(2023, 12, 5), "Reuters", 3),
    (4, "d.txt", "Undated note", "A note about 50% of nothing_in_particular.", None, None, 4),
]
COUNTRIES = [(1, "KR", 1.0, 3), (1, "CN", 0.8, 2), (2, "KR", 0.9, 2), (2, "CN", 0.3, 1), (3, "GB", 0.4, 1)]
MENTIONS = [(1, 0, "Park Jin", "PERSON", "PERSON:park-jin"), (1, 0, "Wang Yi", "PERSON", "PERSON:wang-yi"),
            (2, 0, "Park Jin", "PERSON", "PERSON:park-jin"), (3, 0, "OPEC", "ORG", "ORG:opec")]
TOPICS = [(0, "korea · satellite", ["korea", "satellite"]), (1, "oil · opec", ["oil", "opec"])]
ASSIGN = [(1, 0), (2, 0), (3, 1), (4, 1)]
S1 = ARTICLES[0][3]
EVENTS = [  # uid, sent, sentence, expression, start, end, granularity, resolved: two dated mentions share a sentence
    (1, 0, S1, "2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31), "year", True),
    (1, 0, S1, "November 26", dt.date(2023, 11, 26), dt.date(2023, 11, 26), "day", True),
    (3, 0, ARTICLES[2][3], "December", dt.date(2023, 12, 1), dt.date(2023, 12, 31), "month", True),
    (4, 0, ARTICLES[3][3], "on Sunday", None, None, "day", False),
]


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory) -> Store:
    path = tmp_path_factory.mktemp("store") / "fixture.duckdb"
    with store_mod.writer(path) as w:
        rows = pd.DataFrame(ARTICLES, columns=["uid", "id", "title", "text", "date", "source", "story_id"])
        rows["content_hash"] = rows["id"]
        rows["n_words"] = rows["text"].str.split().str.len()
        rows["story_head"] = rows["uid"] == rows["story_id"]
        rows["date"] = pd.to_datetime(rows["date"]).dt.date
        w.insert_df("articles", rows, ["uid", "id", "title", "text", "date", "source", "story_id", "content_hash", "n_words", "story_head"])
        ids = pd.DataFrame({"id": list(rows["id"]) + ["a-copy.txt"], "uid": list(rows["uid"]) + [1], "origin": "t", "record_hash": "x"})
        w.upsert_ids(ids)
        c = pd.DataFrame(COUNTRIES, columns=["uid", "iso2", "weight", "mentions"])
        c["evidence"] = json.dumps([{"text": "Seoul", "rule": "capital"}])
        c["dateline"] = False
        w.insert_df("article_countries", c, ["uid", "iso2", "weight", "mentions", "evidence", "dateline"])
        m = pd.DataFrame(MENTIONS, columns=["uid", "sent", "text", "label", "entity_id"])
        m["start"], m["end"], m["name"] = 0, 1, m["text"]
        w.insert_df("mentions", m, ["uid", "sent", "start", "end", "text", "label", "name", "entity_id"])
        ents = pd.DataFrame({"entity_id": ["PERSON:park-jin", "PERSON:wang-yi", "ORG:opec"], "name": ["Park Jin", "Wang Yi", "OPEC"],
                             "label": ["PERSON", "PERSON", "ORG"], "mentions": [2, 1, 1], "articles": [2, 1, 1], "aliases": [["Park"], [], []]})
        w.replace_mentions_and_entities(m, ents)
        t = pd.DataFrame(TOPICS, columns=["topic_id", "label", "terms"]).assign(size=2, share=0.5, x=0.0, y=0.0)
        a = pd.DataFrame(ASSIGN, columns=["uid", "topic_id"]).assign(weight=1.0, x=0.0, y=0.0)
        w.replace_topics(t, a, full=True)
        ev = pd.DataFrame(EVENTS, columns=["uid", "sent", "sentence", "expression", "start_date", "end_date",
                                           "granularity", "resolved"]).assign(anchor=None)
        w.insert_df("events", ev, list(ev.columns))
        w.record_build(dt.datetime.now(), ["fixture"], {})
    store = Store.open(path)
    yield store
    store.close()


def uids(store, **kw):
    return store.uids(Filter(**kw)).tolist()


def test_filters_select_exact_articles(fixture_store):
    s = fixture_store
    assert uids(s) == [1, 2, 3, 4]
    assert uids(s, countries=["KR"]) == [1, 2]
    assert uids(s, countries=["CN"], min_country_weight=0.5) == [1]
    assert uids(s, topics=[1]) == [3, 4]
    assert uids(s, sources=["Reuters"]) == [3]
    assert uids(s, entities=["PERSON:park-jin", "PERSON:wang-yi"]) == [1]
    assert uids(s, since="2023-11-27") == [2, 3]
    assert uids(s, until="2023-11-26") == [1]
    assert uids(s, query="SPY satellite") == [1, 2]
    assert uids(s, query='"oil prices"') == [3]
    assert uids(s, query="50%") == [4]  # LIKE metacharacters are literal
    assert uids(s, query="nothing_in_particular") == [4]
    assert uids(s, unique=True) == [1, 3, 4]


@pytest.mark.parametrize("payload", [
    "'; DROP TABLE articles; --", "\" OR 1=1 --", "%' OR '1'='1", "x') UNION SELECT uid FROM articles --",
    "\\", "$1", "?", "--", "/* */",
])
def test_injection_payloads_match_nothing_and_harm_nothing(fixture_store, payload):
    s = fixture_store
    f = Filter(countries=[payload], sources=[payload], query=payload)
    assert s.uids(f).tolist() == []
    with pytest.raises(ValueError, match="not an entity id"):  # refused before any query (issue 19, item 12)
        Filter(entities=[payload])
    assert s.count(Filter(query=payload))["articles"] == 0
    assert s.entities(Filter(query=payload)).empty
    assert s.stats()["articles"] == 4


def test_counts_and_facets(fixture_store):
    s = fixture_store
    assert s.count(Filter()) == {"articles": 4, "stories": 3, "undated": 1}
    stats = s.stats()
    assert (stats["articles"], stats["input_ids"], stats["duplicates"], stats["undated"]) == (4, 5, 1, 1)
    countries = s.countries(Filter())
    assert countries[["iso2", "articles"]].values.tolist() == [["CN", 2], ["KR", 2], ["GB", 1]]
    assert s.countries(Filter(min_country_weight=0.5))["iso2"].tolist() == ["KR", "CN"]
    ents = s.entities(Filter())
    assert ents[["entity_id", "articles", "mentions"]].values.tolist() == [
        ["PERSON:park-jin", 2, 2], ["ORG:opec", 1, 1], ["PERSON:wang-yi", 1, 1]]
    assert s.sources()["source"].tolist() == ["Yonhap", "Reuters"]


def test_volume_and_timelines(fixture_store):
    s = fixture_store
    vol = s.volume(Filter(), "month")
    assert vol["articles"].tolist() == [2, 1]
    assert vol["unique"].tolist() == [1, 1]
    tl = s.entity_timeline(Filter(), ["PERSON:park-jin"], "day")
    assert tl["mentions"].tolist() == [1, 1]
    topics = s.topics(Filter(countries=["KR"]))
    assert topics.set_index("topic_id")["size"].to_dict() == {0: 2, 1: 0}


def test_article_detail_and_export(fixture_store):
    s = fixture_store
    art = s.article(1)
    assert art["ids"] == ["a-copy.txt", "a.txt"]
    assert art["topic_label"] == "korea · satellite"
    rows = s.export_rows(Filter(countries=["KR"]))
    assert rows["id"].tolist() == ["a.txt", "b.txt"]
    assert list(rows.iloc[0]["countries"]) == ["KR", "CN"]
    assert list(rows.iloc[0]["duplicate_ids"]) == ["a-copy.txt"]
    assert s.article(999) is None


def test_cooccurrence_counts_shared_sentences(fixture_store):
    nodes, edges = fixture_store.cooccurrence(Filter(), level="sentence")
    assert set(nodes["entity_id"]) == {"PERSON:park-jin", "PERSON:wang-yi", "ORG:opec"}
    assert edges.values.tolist() == [["PERSON:park-jin", "PERSON:wang-yi", 1]]


def test_open_missing_or_foreign_file_gives_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store here yet"):
        Store.open(tmp_path / "missing.duckdb")
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a NewsLens store"):
        Store.open(junk)


def test_failed_write_leaves_store_untouched(fixture_store, tmp_path):
    path = tmp_path / "s.duckdb"
    with store_mod.writer(path) as w:
        w.record_build(dt.datetime.now(), ["first"], {})
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        with store_mod.writer(path) as w:
            w.execute("DELETE FROM builds")
            raise RuntimeError("boom")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "building" in p.name] == []
    assert Store.open(path).corpus_version() == 1


def test_reader_keeps_its_snapshot_while_a_build_swaps_in(tmp_path):
    path = tmp_path / "s.duckdb"
    with store_mod.writer(path) as w:
        w.record_build(dt.datetime.now(), ["v1"], {})
    old = Store.open(path)
    with store_mod.writer(path) as w:
        w.record_build(dt.datetime.now(), ["v2"], {})
    new = Store.open(path)
    assert old.corpus_version() == 1
    assert new.corpus_version() == 2
    assert old.version != new.version
    assert store_mod.store_version(path) == new.version
    old.close(), new.close()
    assert os.path.exists(path)


def test_text_query_matches_every_word_and_semi_joins(fixture_store):
    """(That a page's queries share one scan per query string is dashboard.data's cache: tests/dashboard/test_data_caches.py.)"""
    s = fixture_store
    assert s.uids(Filter(query="spy satellite")).tolist() == [1, 2]  # every word, title or text, any case
    assert s.uids(Filter(query='"satellite was"')).tolist() == [2]  # a quoted phrase stays whole
    assert s.uids(Filter(query="OIL")).tolist() == [3]
    assert s.uids(Filter(query="oil", countries=("KR",))).tolist() == []
    assert s.count(Filter(query="busan"))["articles"] == 2
    assert s.countries(Filter(query="busan")).set_index("iso2")["articles"].to_dict() == {"KR": 2, "CN": 2}
    # two text filters in one statement (A vs B) register two tables
    a, b = s.uids(Filter(query="seoul")), s.uids(Filter(query="opec"))
    assert (a.tolist(), b.tolist()) == ([1, 2], [3])


def test_filter_samples_take_the_stores_top_values(fixture_store):
    from analysis.slices import filter_samples

    samples = filter_samples(fixture_store, n=3)
    assert [f.countries for f in samples["country"]] == [("CN",), ("KR",), ("GB",)]  # ties by code
    # a 31-day window centred on the stored dates; the range is too short for any other window inside it
    assert [(f.since, f.until) for f in samples["date range"]] == [(dt.date(2023, 11, 15), dt.date(2023, 12, 15))]
    assert [f.entities for f in samples["entity"]] == [("PERSON:park-jin",), ("ORG:opec",), ("PERSON:wang-yi",)]
    assert [f.topics for f in samples["topic"]] == [(0,), (1,), (0, 1)]
    assert "text query" not in samples  # no stored term counts in this fixture
    assert list(filter_samples(fixture_store)) == ["country", "date range", "entity", "topic"]


def test_events_resolved_unresolved_and_lanes(fixture_store):
    every = fixture_store.events(Filter(), lanes="none", resolved_only=False)
    assert sorted(every["expression"]) == ["2023", "December", "November 26", "on Sunday"]
    dated = fixture_store.events(Filter(), lanes="none")
    assert list(dated["expression"]) == ["2023", "November 26", "December"]  # chronological
    # the unresolved ones on their own: a page listing them must not fetch the dated ones and drop them
    undated = fixture_store.events(Filter(), lanes="none", resolved_only=False, unresolved_only=True, limit=1)
    assert list(undated["expression"]) == ["on Sunday"] and list(undated["uid"]) == [4]
    by_country = fixture_store.events(Filter(), lanes="country")
    # article 1 is about KR (1.0) and CN (0.8); article 3's GB (0.4) is under the 0.5 lane threshold
    assert sorted(zip(by_country["expression"], by_country["lane_id"], strict=True)) == [
        ("2023", "CN"), ("2023", "KR"), ("November 26", "CN"), ("November 26", "KR")]
    assert list(fixture_store.events(Filter(countries=("GB",)), lanes="none")["expression"]) == ["December"]

