"""Topic ids survive incremental builds and explicit refits (stable links), and tiny corpora get paragraph topics."""

from __future__ import annotations

import random
from pathlib import Path

from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build
from analysis.store import Store

THEMES = {
    "oil": "oil crude barrel opec refinery pipeline petroleum output price exporters".split(),
    "football": "football goal striker league match coach penalty stadium season referee".split(),
    "election": "election vote ballot candidate parliament campaign poll voters party minister".split(),
}
OPTIONS = BuildOptions(enrich=False)


def article(theme: str, i: int) -> str:
    rng = random.Random(f"{theme}-{i}")
    words = THEMES[theme]
    sentences = [" ".join(rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(4)]
    return f"{theme.title()} report {i}\n\n" + " ".join(sentences) + "\n"


def write_corpus(folder, per_theme: int, start: int = 0):
    folder.mkdir(parents=True, exist_ok=True)
    for theme in THEMES:
        for i in range(start, start + per_theme):
            (folder / f"{theme}-{i:02d}.txt").write_text(article(theme, i), encoding="utf-8")


def build_one_mixed_article(tmp_path) -> Path:
    """A store of one article whose six paragraphs alternate between the three themes (paragraph topics)."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    paragraphs = [" ".join(THEMES[t] * 2) + "." for t in ("oil", "football", "election", "oil", "football", "election")]
    (corpus / "one.txt").write_text("Mixed bag\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    path = tmp_path / "s.duckdb"
    build([corpus], path, OPTIONS)
    return path


def topic_of(store: Store) -> dict[str, int]:
    rows = store.export_rows(Filter())
    return dict(zip(rows["id"], rows["topic"]))


def test_new_articles_join_existing_topics_and_refit_keeps_ids(tmp_path):
    corpus, path = tmp_path / "c", tmp_path / "s.duckdb"
    write_corpus(corpus, 9)
    build([corpus], path, OPTIONS)
    first = topic_of(Store.open(path))
    labels = {theme: {t for i, t in first.items() if i.startswith(theme)} for theme in THEMES}
    assert all(len(ids) == 1 for ids in labels.values()), labels  # each theme is one topic
    assert len({next(iter(v)) for v in labels.values()}) == 3

    write_corpus(corpus, 1, start=50)  # one new article per theme: assigned, no refit
    report = build([corpus], path, OPTIONS)
    assert (report.added, report.topics_refit) == (3, False)
    second = topic_of(Store.open(path))
    assert {k: v for k, v in second.items() if k in first} == first
    for theme in THEMES:
        assert second[f"{theme}-50.txt"] == next(iter(labels[theme]))

    report = build([corpus], path, BuildOptions(enrich=False, refit_topics=True))
    assert report.topics_refit
    third = topic_of(Store.open(path))
    assert third == second  # same clusters after a refit keep their ids


def test_single_article_gets_paragraph_topics(tmp_path):
    path = build_one_mixed_article(tmp_path)
    store = Store.open(path)
    assert store.topic_unit() == "paragraphs"
    topics = store.topics()
    assert len(topics) >= 3
    assert int(topics["size"].sum()) == 6  # every paragraph counted once
    assert store.topics(Filter(query="no such words"))["size"].sum() == 0
    for topic_id in topics["topic_id"]:  # a topic filter finds the article through any of its paragraphs
        assert store.uids(Filter(topics=[int(topic_id)])).tolist() == [1]


def test_topic_article_counts_is_count_per_topic_in_one_query(tmp_path):
    corpus, path = tmp_path / "c", tmp_path / "s.duckdb"
    write_corpus(corpus, 9)
    build([corpus], path, OPTIONS)
    store = Store.open(path)
    topic_ids = [int(t) for t in store.topics()["topic_id"] if t >= 0]
    oil = next(iter({t for i, t in topic_of(store).items() if i.startswith("oil")}))
    for f in (Filter(), Filter(query="crude"), Filter(topics=(oil,)), Filter(query="no such words")):
        got = dict(zip(store.topic_article_counts(f)["topic_id"], store.topic_article_counts(f)["articles"]))
        want = {t: store.count(f.replace(topics=(t,)))["articles"] for t in topic_ids}
        assert {t: got.get(t, 0) for t in topic_ids} == want
    assert dict(zip(*store.topic_article_counts(Filter(query="crude")).to_dict("list").values())) == {oil: 9}


def test_topic_article_counts_in_a_paragraph_store(tmp_path):
    path = build_one_mixed_article(tmp_path)
    counts = Store.open(path).topic_article_counts()
    assert len(counts) >= 3 and set(counts["articles"]) == {1}  # the one article, through each of its paragraphs
