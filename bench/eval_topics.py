"""Topic quality on the shared corpora: NMI/ARI against gold categories, timings, k, "other" share and labels.

Run: ``.venv/bin/python bench/eval_topics.py [ag_news|bbc|bbc-first|bbc-titles|reuters|all] [--no-embeddings]``.
Default: the semantic model (static MiniLM embeddings + TF-IDF, :mod:`analysis.semantic_topics`) on AG News (7,600
short items), BBC (2,127 long), BBC first paragraphs (title + first paragraph), Reuters (15,057; no gold: k and
labels). ``--no-embeddings`` evaluates today's TF-IDF model. NMI/ARI count "other" as its own cluster. Times: terms
(counting + index), embed (vectors), topics (the fit: k search, clustering, labels).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from analysis.embeddings import StaticEmbedder, article_texts
from analysis.keywords import TermIndex
from analysis.semantic_topics import SemanticTopicModel
from analysis.text import count_terms, split_paragraphs
from analysis.topics import TopicModel

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
CORPORA = ["ag_news", "bbc", "bbc-first", "reuters"]
GOALS = {"ag_news": 0.55, "bbc": 0.88, "bbc-first": 0.55}


def load(name: str) -> tuple[list[dict], dict[str, str] | None]:
    """Articles (dicts with id, title, text) and gold categories by id (None for Reuters)."""
    if name == "reuters":
        path = SHARED / "reuters21578" / "jsonl" / "articles.jsonl"
        return [json.loads(line) for line in path.open(encoding="utf-8")], None
    folder = SHARED / "ag_news" if name == "ag_news" else SHARED / "bbc" / "jsonl"
    arts = [json.loads(line) for line in (folder / "articles.jsonl").open(encoding="utf-8")]
    gold = {}
    for line in (folder / "gold.jsonl").open(encoding="utf-8"):
        g = json.loads(line)
        gold[g["id"]] = g["category"]
    return arts, gold


def corpus_texts(name: str, arts: list[dict]) -> tuple[list[str], list[str]]:
    titles = [a.get("title") or "" for a in arts]
    texts = [a.get("text") or "" for a in arts]
    if name == "bbc-titles":
        texts = ["" for _ in arts]
    elif name == "bbc-first":
        texts = [(split_paragraphs(t) or [t])[0] for t in texts]
    return titles, texts


def evaluate(name: str, random_state: int = 0, embeddings: bool = True, verbose: bool = True, limit: int | None = None
             ) -> dict:
    """Fit the default model on a corpus. Returns dict(corpus, n, k, other_share, terms_s, embed_s, topics_s, nmi,
    ari, labels, mixed, splits, model); nmi/ari only with gold."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    arts, gold = load("bbc" if name.startswith("bbc") else name)
    if limit:
        arts = arts[:limit]
    titles, texts = corpus_texts(name, arts)
    t0 = time.perf_counter()
    idx = TermIndex.from_counts(list(range(len(arts))), count_terms(titles, texts))
    t1 = time.perf_counter()
    vectors = None
    if embeddings:
        vectors = StaticEmbedder.load().encode(article_texts(titles, texts))
    t2 = time.perf_counter()
    if embeddings:
        model = SemanticTopicModel(random_state=random_state).fit(idx, vectors)
    else:
        model = TopicModel(random_state=random_state).fit(idx)
    t3 = time.perf_counter()
    out = {
        "corpus": name, "n": len(arts), "model": "semantic" if embeddings else "tfidf", "k": model.k_,
        "other_share": model.other_share_, "terms_s": t1 - t0, "embed_s": t2 - t1, "topics_s": t3 - t2,
        "labels": model.topics_["label"].tolist(), "mixed": list(getattr(model, "mixed_", [])),
        "splits": getattr(model, "splits_", 0), "model_obj": model,
    }
    if gold is not None:
        y = [gold[a["id"]] for a in arts]
        pred = model.assignments_.sort_values("uid")["topic_id"].to_numpy()
        out["nmi"] = normalized_mutual_info_score(y, pred)
        out["ari"] = adjusted_rand_score(y, pred)
    if verbose:
        goal = GOALS.get(name)
        print(
            f"{name:10s} {out['model']:8s} n={out['n']:6d} k={out['k']:3d} other={out['other_share']:.3%} "
            f"terms={out['terms_s']:.1f}s embed={out['embed_s']:.1f}s topics={out['topics_s']:.1f}s "
            f"split={out['splits']} mixed={len(out['mixed'])}"
            + (f" NMI={out['nmi']:.3f} ARI={out['ari']:.3f}" if "nmi" in out else "")
            + (f" (goal NMI >= {goal})" if goal and "nmi" in out else ""),
            flush=True,
        )
        print("   k scores:", " ".join(f"{k}:{s:.3f}" for k, s in zip(model.k_scores_.k, model.k_scores_.score)))
        for _, r in model.topics_.iterrows():
            print(f"   {r.topic_id:3d} {r['size']:6d}  {r.label}")
    return out


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    which = args[0] if args else "all"
    names = CORPORA if which == "all" else [which]
    for nm in names:
        evaluate(nm, embeddings="--no-embeddings" not in sys.argv)
