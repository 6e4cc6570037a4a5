"""TopicModel: determinism, stable ids, paragraph mode on the seed article, quality on BBC and Reuters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.keywords import TermIndex
from analysis.text import STOPWORDS, count_terms
from analysis.topics import TopicModel, refit_and_match, topic_similarity

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO.parent / "shared" / "corpora"
SEED = REPO.parent / "shared" / "seeds" / "000_8b0a12b99d1f3a07.txt"
BBC = CORPORA / "bbc" / "jsonl"
REUTERS = CORPORA / "reuters21578" / "jsonl" / "articles.jsonl"
MARKUP = {"lt", "gt", "amp", "nbsp", "quot", "http", "https", "www", "href", "br", "div", "span"}

OIL = "OPEC oil ministers met to cut crude oil output; crude prices and oil barrels rose."
WHEAT = "Wheat farmers harvested grain; wheat exports and grain tonnes rose as the wheat crop grew."
CHIPS = "Chip makers sold semiconductor chips; computer chip demand and semiconductor sales rose."


def _tiny(n_each=4, kinds=(OIL, WHEAT, CHIPS), start=0):
    texts = [k for k in kinds for _ in range(n_each)]
    uids = list(range(start, start + len(texts)))
    return uids, texts


def _labels_clean(labels):
    for lab in labels:
        for term in lab.split(" · "):
            words = term.split(" ")
            assert words[0] not in STOPWORDS and words[-1] not in STOPWORDS, lab
            assert not set(words) & MARKUP, lab
            assert "<" not in term and "&" not in term, lab


def test_tiny_corpus_topics_and_determinism():
    uids, texts = _tiny()
    idx = TermIndex.from_counts(uids, count_terms(None, texts))
    m1 = TopicModel(n_topics=3, random_state=0).fit(idx)
    m2 = TopicModel(n_topics=3, random_state=0).fit(idx)
    assert list(m1.topics_.columns) == ["topic_id", "label", "terms", "size", "share", "x", "y"]
    assert list(m1.assignments_.columns) == ["uid", "topic_id", "weight", "x", "y"]
    assert m1.topics_["size"].tolist() == [4, 4, 4]
    # the three kinds end up in three different topics, each kind in one
    a = m1.assignments_.set_index("uid")["topic_id"]
    assert {a[0], a[4], a[8]} == {0, 1, 2} and a[0] == a[3] and a[4] == a[7]
    assert m1.topics_.equals(m2.topics_) and m1.assignments_.equals(m2.assignments_)
    labels = " ".join(m1.topics_["label"])
    assert "oil" in labels and "wheat" in labels and ("chip" in labels or "semiconductor" in labels)
    _labels_clean(m1.topics_["label"])
    rep = m1.representatives(int(a[0]), 2)
    assert list(rep.columns) == ["uid", "weight"] and set(rep["uid"]) <= {0, 1, 2, 3}
    sim = topic_similarity(m1)
    assert list(sim.columns) == ["topic_a", "topic_b", "similarity"] and len(sim) == 6
    ids, w = m1.transform([{"wheat": 3, "grain": 2}])
    assert ids.tolist() == [a[4]] and w[0] > 0.5


def test_incremental_assign_and_stable_ids_after_refit():
    uids, texts = _tiny()
    idx = TermIndex.from_counts(uids, count_terms(None, texts))
    old = TopicModel(n_topics=3, random_state=0).fit(idx)
    old_by_kind = old.assignments_.set_index("uid")["topic_id"]
    # new articles of known kinds are assigned to the existing topics
    new_uids, new_texts = [100, 101], [OIL, CHIPS]
    new_idx = TermIndex.from_counts(new_uids, count_terms(None, new_texts))
    got = old.assign(new_idx)
    assert got["topic_id"].tolist() == [old_by_kind[0], old_by_kind[8]]
    # refit on a bigger corpus with a new theme and a changed random order: old themes keep ids and labels
    FOOT = "The football club striker scored goals; football fans cheered the club goals in the league match."
    u2, t2 = _tiny(n_each=5, kinds=(CHIPS, FOOT, OIL, WHEAT), start=0)
    idx2 = TermIndex.from_counts(u2, count_terms(None, t2))
    new = TopicModel(n_topics=4, random_state=1).fit(idx2)
    matched = refit_and_match(old, new)
    a2 = matched.assignments_.set_index("uid")["topic_id"]
    old_labels = dict(zip(old.topics_.topic_id, old.topics_.label))
    new_labels = dict(zip(matched.topics_.topic_id, matched.topics_.label))
    assert a2[10] == old_by_kind[0]  # oil (uid 10..14 in the new corpus)
    assert a2[15] == old_by_kind[4]  # wheat
    assert a2[0] == old_by_kind[8]  # chips
    assert new_labels[a2[10]] == old_labels[old_by_kind[0]]
    assert a2[5] == 3  # football is a fresh id above every old id
    assert sorted(matched.topics_["topic_id"]) == [0, 1, 2, 3]
    assert (matched.matched_["old_topic_id"] == -1).sum() == 1


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds not present")
def test_single_article_paragraph_topics():
    title, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    m = TopicModel(random_state=0).fit_texts([title], [body], [7])
    assert 3 <= m.k_ <= 5
    labels = " | ".join(m.topics_["label"])
    assert "north korea" in labels and "defectors" in labels and ("bilateral" in labels or "foreign minister" in labels)
    p = m.paragraphs_
    sat = p[p.text.str.contains("spy satellite")].topic_id.iloc[0]
    defect = p[p.text.str.contains("forced repatriation")].topic_id.iloc[0]
    assert sat != defect
    assert len(m.assignments_) == 1 and m.assignments_.topic_id.iloc[0] in set(m.topics_.topic_id)
    _labels_clean(m.topics_["label"])


def _read(path):
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.slow
@pytest.mark.skipif(not BBC.exists(), reason="../shared/corpora not present")
def test_bbc_quality_default_settings():
    from sklearn.metrics import normalized_mutual_info_score

    arts = _read(BBC / "articles.jsonl")
    gold = {g["id"]: g["category"] for g in _read(BBC / "gold.jsonl")}
    idx = TermIndex.from_counts(list(range(len(arts))), count_terms([a["title"] for a in arts], [a["text"] for a in arts]))
    m = TopicModel(random_state=0).fit(idx)
    pred = m.assignments_.sort_values("uid")["topic_id"].to_numpy()
    nmi = normalized_mutual_info_score([gold[a["id"]] for a in arts], pred)
    assert nmi >= 0.80, (nmi, m.k_)
    assert m.other_share_ < 0.05
    assert len(m.assignments_) == len(arts)
    _labels_clean(m.topics_["label"])
    # same seed, same topics
    m2 = TopicModel(random_state=0).fit(idx)
    assert m2.topics_["label"].tolist() == m.topics_["label"].tolist()
    assert np.array_equal(m2.assignments_["topic_id"].to_numpy(), m.assignments_["topic_id"].to_numpy())
    # titles only (short texts) still gives a usable model
    tidx = TermIndex.from_counts(list(range(len(arts))), count_terms([a["title"] for a in arts], [""] * len(arts)))
    mt = TopicModel(random_state=0).fit(tidx)
    assert mt.k_ >= 2 and len(mt.assignments_) == len(arts)
    _labels_clean(mt.topics_["label"])


@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.exists(), reason="../shared/corpora not present")
def test_reuters_labels_clean_and_every_article_assigned():
    arts = _read(REUTERS)
    idx = TermIndex.from_counts(list(range(len(arts))), count_terms([a["title"] for a in arts], [a["text"] for a in arts]))
    m = TopicModel(random_state=0).fit(idx)
    assert 5 <= m.k_ <= 40
    assert len(m.assignments_) == len(arts) and m.other_share_ < 0.1
    _labels_clean(m.topics_["label"])
    assert m.topics_["size"].sum() + (m.assignments_.topic_id == -1).sum() == len(arts)
