"""Semantic topics: the shipped embedding table, SemanticTopicModel (determinism, every article assigned, clean labels,
grab-bag split, incremental assign), vectors in the store, --no-embeddings, --similar-to; floors on AG News / BBC."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.embeddings import (
    MODEL_DIR,
    EmbeddingError,
    StaticEmbedder,
    article_texts,
    vectors_from_bytes,
    vectors_to_bytes,
)
from analysis.keywords import TermIndex
from analysis.semantic_topics import MIXED_PREFIX, SemanticTopicModel
from analysis.text import STOPWORDS, count_terms

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO.parent / "shared" / "corpora"
needs_corpora = pytest.mark.skipif(not CORPORA.exists(), reason="../shared/corpora not present (CI always has it)")

SPORT = ["The striker scored twice as the club won the league match", "The goalkeeper saved a penalty in the cup final",
         "The coach praised his players after the season opener win", "Tennis champion wins the open final in sets",
         "The team lost the derby after a late goal"]
MONEY = ["Shares fell as investors worried about interest rates", "The central bank raised rates to fight inflation",
         "Oil prices climbed as stocks slipped on Wall Street", "The company reported higher quarterly profits",
         "Bond yields rose after the inflation report"]
TECH = ["The software maker released a new smartphone operating system", "Hackers breached the computer network",
        "The search engine launched a new internet browser", "Microsoft unveiled new software for computers",
        "The start-up built an app for mobile phones"]
THEMES = {"sport": SPORT, "money": MONEY, "tech": TECH}


def _corpus(copies: int = 5, start: int = 0, junk: str = "", first_copy: int = 0):
    """copies x 15 short items; each copy varies the wording a little. Returns (uids, titles, texts, theme)."""
    titles, texts, theme = [], [], []
    for c in range(first_copy, first_copy + copies):
        for name, items in THEMES.items():
            for j, sentence in enumerate(items):
                titles.append(sentence.split(" ")[1].title() + f" update {c}")
                texts.append(f"{sentence}. {items[(j + c) % len(items)]}. {junk}")
                theme.append(name)
    uids = list(range(start, start + len(texts)))
    return uids, titles, texts, theme


def _fit(copies=5, **kw):
    uids, titles, texts, theme = _corpus(copies)
    idx = TermIndex.from_counts(uids, count_terms(titles, texts))
    vectors = StaticEmbedder.load().encode(article_texts(titles, texts))
    return SemanticTopicModel(random_state=0, **kw).fit(idx, vectors), idx, vectors, theme


# ---------------------------------------------------------------------------------------------- embeddings
def test_embedder_unit_vectors_meaning_and_empty_text():
    emb = StaticEmbedder.load()
    assert emb.dims == 256 and emb.model_id.startswith("static-minilm-256-")
    V = emb.encode(["The striker scored a goal", "The forward netted in the match", "Shares fell on Wall Street", "",
                    "\u2603\u2603"])
    assert V.dtype == np.float32 and V.shape == (5, 256)
    assert np.allclose(np.linalg.norm(V[:3], axis=1), 1.0, atol=1e-5)
    assert V[0] @ V[1] > V[0] @ V[2] + 0.1  # football with football, not with stocks
    assert not V[3].any()  # empty text: a zero row, not a made-up vector
    assert np.array_equal(V, emb.encode(["The striker scored a goal", "The forward netted in the match",
                                         "Shares fell on Wall Street", "", "\u2603\u2603"]))


def test_vectors_round_trip_as_float16_bytes():
    V = StaticEmbedder.load().encode(["one text", "another text"])
    blobs = vectors_to_bytes(V)
    assert [len(b) for b in blobs] == [512, 512]
    back = vectors_from_bytes(blobs, 256)
    assert np.abs(back - V).max() < 1e-3
    with pytest.raises(ValueError, match="stored vector 0 has 128 values, expected 256"):
        vectors_from_bytes([blobs[0][:256]], 256)


def test_missing_or_broken_model_files_name_the_file(tmp_path):
    with pytest.raises(EmbeddingError, match=r"embeddings\.npy: embedding model file missing.*--no-embeddings"):
        StaticEmbedder.load(tmp_path)
    shutil.copy(MODEL_DIR / "tokenizer.json", tmp_path / "tokenizer.json")
    np.save(tmp_path / "embeddings.npy", np.zeros((10, 4), dtype=np.float16))
    with pytest.raises(EmbeddingError, match=r"embeddings\.npy: table shape \(10, 4\) does not match"):
        StaticEmbedder.load(tmp_path)


def test_shipped_model_matches_its_provenance_file():
    meta = json.loads((MODEL_DIR / "meta.json").read_text())
    assert meta["licence"] == "Apache-2.0" and "all-MiniLM-L6-v2" in meta["source"]
    assert StaticEmbedder.load().model_id.endswith(meta["sha256_16"])
    assert (MODEL_DIR / "embeddings.npy").stat().st_size < 20 * 2**20


# ---------------------------------------------------------------------------------------------- model
def test_three_themes_every_article_assigned_and_deterministic():
    m1, _idx, _vectors, theme = _fit(n_topics=3)
    m2, *_ = _fit(n_topics=3)
    a = m1.assignments_
    assert (a["topic_id"] >= 0).all() and m1.other_share_ == 0.0
    assert a.equals(m2.assignments_) and m1.topics_.equals(m2.topics_)
    by_theme = {t: set(a["topic_id"][np.asarray(theme) == t]) for t in THEMES}
    assert all(len(ids) == 1 for ids in by_theme.values()), by_theme  # each theme in one topic
    assert len(set().union(*by_theme.values())) == 3  # and the three apart
    assert m1.topics_["size"].tolist() == [25, 25, 25]


def test_automatic_k_assigns_every_article_and_labels_are_clean():
    uids, titles, texts, _theme = _corpus(copies=5, junk="quot;Breaking quot; dn")
    idx = TermIndex.from_counts(uids, count_terms(titles, texts))
    model = SemanticTopicModel(random_state=0).fit(idx, StaticEmbedder.load().encode(article_texts(titles, texts)))
    assert (model.assignments_["topic_id"] >= 0).all()
    assert len(model.assignments_) == 75 and 3 <= model.k_ <= 12
    for label, terms in zip(model.topics_["label"], model.topics_["terms"]):
        words = [w for term in terms for w in term.split(" ")]
        assert not set(words) & (STOPWORDS | {"quot", "dn"}), label
        assert label.removeprefix(MIXED_PREFIX).split(" · ")[0] in terms


def test_grab_bag_topic_is_split():
    """Three tight groups forced into two clusters: the loose merged one is bisected back into two."""
    rng = np.random.RandomState(0)
    centres = np.eye(3, 8)
    Z = np.vstack([c + 0.05 * rng.randn(40, 8) for c in centres])
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    model = SemanticTopicModel(random_state=0)
    model.splits_ = 0
    labels, cent = model._cluster(Z, 2)
    assert model.splits_ == 1 and len(cent) == 3
    for g in range(3):
        assert len(set(labels[g * 40:(g + 1) * 40])) == 1
    assert len(set(labels)) == 3


def test_explicit_k_is_kept_and_loose_topic_labelled_mixed():
    rng = np.random.RandomState(0)
    Z = np.vstack([c + 0.05 * rng.randn(40, 8) for c in np.eye(3, 8)])
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    model = SemanticTopicModel(n_topics=2, random_state=0)
    model.splits_ = 0
    _labels, cent = model._cluster(Z, 2)
    assert model.splits_ == 0 and len(cent) == 2


def test_incremental_assign_keeps_ids_and_needs_vectors():
    model, _idx, _vectors, theme = _fit(n_topics=3)
    new_uids, titles, texts, new_theme = _corpus(copies=1, start=1000, first_copy=5)
    new_idx = TermIndex.from_counts(new_uids, count_terms(titles, texts))
    new_vectors = StaticEmbedder.load().encode(article_texts(titles, texts))
    out = model.assign(new_idx, new_vectors, uids=new_uids)
    assert list(out.columns) == ["uid", "topic_id", "weight", "x", "y"] and out["uid"].tolist() == new_uids
    old = model.assignments_.assign(theme=theme).groupby("theme")["topic_id"].first()
    assert out["topic_id"].tolist() == [old[t] for t in new_theme]
    with pytest.raises(ValueError, match="needs vectors="):
        model.assign(new_idx, uids=new_uids)
    with pytest.raises(ValueError, match="got 3 vectors for 15 articles"):
        model.assign(new_idx, new_vectors[:3], uids=new_uids)


# ---------------------------------------------------------------------------------------------- build, store, CLI
def _write(folder: Path, uids, titles, texts) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "articles.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        for u, t, x in zip(uids, titles, texts):
            fh.write(json.dumps({"id": f"a{u}", "title": t, "text": x}) + "\n")
    return path


def test_build_stores_vectors_once_incremental_and_no_embeddings(tmp_path):
    from analysis.pipeline import BuildOptions, build
    from analysis.similar import NoVectorsError, similar_articles
    from analysis.store import Store

    uids, titles, texts, theme = _corpus(copies=5)
    src = _write(tmp_path / "in", uids, titles, texts)
    store_path = tmp_path / "s.duckdb"
    opts = BuildOptions(enrich=False)
    report = build([src], store_path, opts)
    assert report.embedded == 75 and report.embedding_model.startswith("static-minilm-256-")
    assert "embed" in report.timings and "embedded 75 articles" in report.summary()
    store = Store.open(store_path)
    vec_uids, _blobs, model_id = store.article_vectors()
    assert len(vec_uids) == 75 and model_id == report.embedding_model
    topics_before = store.topics()[["topic_id", "label"]]
    sim = similar_articles(store, int(store.uid_of("a0")), n=4)
    assert list(sim.columns) == ["uid", "id", "title", "date", "source", "topic_id", "label", "similarity"]
    assert sim["similarity"].is_monotonic_decreasing and "a0" not in set(sim["id"])
    near_theme = [theme[int(i[1:])] for i in sim["id"]]
    assert near_theme == ["sport"] * 4
    store.close()

    more_uids, t2, x2, _ = _corpus(copies=1, start=75, first_copy=5)
    _write(tmp_path / "in", more_uids, t2, x2)
    report2 = build([src], store_path, opts)
    assert report2.embedded == 15 and not report2.topics_refit  # only the new articles embedded, ids kept
    store = Store.open(store_path)
    assert len(store.article_vectors()[0]) == 90
    assert store.topics()[["topic_id", "label"]].equals(topics_before)
    store.close()

    # --no-embeddings: TF-IDF topics (a refit with ids matched), the stored vectors kept
    report3 = build([src], store_path, BuildOptions(enrich=False, embeddings=False, refit_topics=True))
    assert report3.embedded == 0 and "embed" not in report3.timings
    store = Store.open(store_path)
    assert len(store.article_vectors()[0]) == 90
    empty = Store.empty()
    with pytest.raises(NoVectorsError, match="no article vectors.*without --no-embeddings"):
        similar_articles(empty, 1)
    store.close()


def test_cli_similar_to(tmp_path, capsys):
    from analysis.cli import main

    uids, titles, texts, theme = _corpus(copies=5)
    titles[15] = '=HYPERLINK("http://x","Striker")'  # a neighbour of a0
    src = _write(tmp_path / "in", uids, titles, texts)
    store = str(tmp_path / "s.duckdb")
    assert main(["build", str(src), "--store", store, "--no-enrich", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["articles", "--store", store, "--similar-to", "a5", "--limit", "3", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and all(theme[int(r["id"][1:])] == "money" for r in rows)
    assert main(["articles", "--store", store, "--similar-to", "a0", "--limit", "5", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out and ",=HYPERLINK" not in out  # a title starting with = is text, not a formula
    assert main(["articles", "--store", store, "--similar-to", "nope"]) == 2
    assert "no article with that id" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- real corpora
def _gold_eval(folder: Path, limit: int | None, first_paragraph: bool = False) -> tuple[float, float, int]:
    from sklearn.metrics import normalized_mutual_info_score

    from analysis.text import split_paragraphs

    arts = [json.loads(line) for line in (folder / "articles.jsonl").open(encoding="utf-8")][:limit]
    gold = {g["id"]: g["category"] for g in map(json.loads, (folder / "gold.jsonl").open(encoding="utf-8"))}
    titles = [a.get("title") or "" for a in arts]
    texts = [a.get("text") or "" for a in arts]
    if first_paragraph:
        texts = [(split_paragraphs(t) or [t])[0] for t in texts]
    idx = TermIndex.from_counts(list(range(len(arts))), count_terms(titles, texts))
    model = SemanticTopicModel(random_state=0).fit(idx, StaticEmbedder.load().encode(article_texts(titles, texts)))
    pred = model.assignments_.sort_values("uid")["topic_id"].to_numpy()
    return normalized_mutual_info_score([gold[a["id"]] for a in arts], pred), model.other_share_, model.k_


@needs_corpora
@pytest.mark.corpora
def test_ag_news_sample_floor():
    nmi, other, k = _gold_eval(CORPORA / "ag_news", limit=3000)
    assert other <= 0.01
    assert nmi >= AG_FLOOR, (nmi, k)


@needs_corpora
@pytest.mark.corpora
@pytest.mark.slow
@pytest.mark.parametrize(("corpus", "first_paragraph", "floor"), [
    ("ag_news", False, 0.55),    # measured 0.589 (k=4)
    ("bbc", False, 0.88),        # measured 0.886 (k=5)
    ("bbc", True, 0.55),         # first paragraphs: measured 0.750 (k=5)
])
def test_issue_goals_on_full_corpora(corpus, first_paragraph, floor):
    folder = CORPORA / "ag_news" if corpus == "ag_news" else CORPORA / "bbc" / "jsonl"
    nmi, other, k = _gold_eval(folder, limit=None, first_paragraph=first_paragraph)
    assert other <= 0.01
    assert nmi >= floor, (nmi, k)


AG_FLOOR = 0.50  # the first 3,000 items: measured 0.544 (k=3)
