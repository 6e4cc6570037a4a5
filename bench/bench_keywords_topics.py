"""Benchmark terms, keywords and topics on Reuters-21578 (15k stories), next to scikit-learn's TfidfVectorizer.

Run: ``.venv/bin/python bench/bench_keywords_topics.py``. Prints one table of timings (figures, no assertions).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.keywords import TermIndex, compare_terms, top_terms
from analysis.text import count_terms
from analysis.topics import TopicModel

REUTERS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "reuters21578" / "jsonl" / "articles.jsonl"


def timed(fn, *a, **kw):
    t0 = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - t0


def main() -> None:
    arts = [json.loads(line) for line in REUTERS.open(encoding="utf-8")]
    titles = [a.get("title") or "" for a in arts]
    texts = [a.get("text") or "" for a in arts]
    mb = sum(len(t) + len(x) for t, x in zip(titles, texts)) / 1e6
    rows = []
    docs = [t + "\n" + x for t, x in zip(titles, texts)]
    _, s = timed(TfidfVectorizer().fit_transform, docs)
    rows.append(("sklearn TfidfVectorizer unigrams", f"{s:.2f} s", f"{mb / s:.1f} MB/s"))
    _, s = timed(TfidfVectorizer(ngram_range=(1, 2), min_df=2).fit_transform, docs)
    rows.append(("sklearn TfidfVectorizer 1-2grams min_df=2", f"{s:.2f} s", f"{mb / s:.1f} MB/s"))
    counts, s = timed(count_terms, titles, texts)
    rows.append(("count_terms (names+bigrams)", f"{s:.2f} s", f"{mb / s:.1f} MB/s"))
    uids = list(range(len(arts)))
    idx, s = timed(TermIndex.from_counts, uids, counts)
    rows.append(("TermIndex.from_counts", f"{s:.2f} s", f"{idx.X.shape[1]} terms, {idx.X.nnz} nnz"))
    tr = idx.to_triples()
    _, s = timed(TermIndex.from_triples, tr["uid"], tr["term"], tr["count"], uids=idx.uids)
    rows.append(("TermIndex.from_triples", f"{s:.2f} s", f"{len(tr)} rows"))
    _, s = timed(top_terms, idx, None, 20)  # first call builds the transposed caches
    rows.append(("top_terms first call (cache build)", f"{s * 1000:.0f} ms", ""))
    rng = np.random.RandomState(0)
    subsets = {
        "all": None,
        "one article": [5],
        "100 random": rng.choice(uids, 100, replace=False),
        "half": uids[::2],
        "'oil' in title": [u for u in uids if "OIL" in titles[u].upper()],
    }
    for name, sub in subsets.items():
        ts = [timed(top_terms, idx, sub, 20)[1] for _ in range(7)]
        rows.append((f"top_terms k=20 [{name}]", f"{statistics.median(ts) * 1000:.1f} ms median", ""))
    a = subsets["'oil' in title"]
    ts = [timed(compare_terms, idx, a, None, 20)[1] for _ in range(5)]
    rows.append(("compare_terms oil-titles vs rest", f"{statistics.median(ts) * 1000:.1f} ms median", ""))
    model, s = timed(TopicModel(random_state=0).fit, idx)
    rows.append(("TopicModel.fit auto k", f"{s:.1f} s", f"k={model.k_}, other={model.other_share_:.3f}"))
    w = max(len(r[0]) for r in rows)
    print(f"Reuters-21578: {len(arts)} stories, {mb:.1f} MB\n")
    print(f"{'step':{w}s}  {'time':>20s}  note")
    for r in rows:
        print(f"{r[0]:{w}s}  {r[1]:>20s}  {r[2]}")
    print("\nlabels:", " | ".join(model.topics_["label"]))


if __name__ == "__main__":
    main()
