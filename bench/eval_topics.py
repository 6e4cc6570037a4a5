"""Topic quality on the shared corpora: NMI/ARI against BBC categories, timing and labels on Reuters.

Run: ``.venv/bin/python bench/eval_topics.py [bbc|bbc-titles|reuters|all]``. Prints chosen k, other share, fit time,
NMI and ARI (BBC; "other" counted as its own cluster) and the topic labels.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from analysis.keywords import TermIndex
from analysis.text import count_terms
from analysis.topics import TopicModel

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def load(name: str) -> tuple[list[dict], dict[str, str] | None]:
    if name == "reuters":
        path = SHARED / "reuters21578" / "jsonl" / "articles.jsonl"
        return [json.loads(line) for line in path.open(encoding="utf-8")], None
    path = SHARED / "bbc" / "jsonl"
    arts = [json.loads(line) for line in (path / "articles.jsonl").open(encoding="utf-8")]
    gold = {}
    for line in (path / "gold.jsonl").open(encoding="utf-8"):
        g = json.loads(line)
        gold[g["id"]] = g["category"]
    return arts, gold


def evaluate(name: str, random_state: int = 0, verbose: bool = True) -> dict:
    """Fit default TopicModel on a corpus. Returns dict(k, other_share, fit_s, count_s, nmi, ari, labels)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    arts, gold = load("bbc" if name.startswith("bbc") else name)
    titles = [a.get("title") or "" for a in arts]
    texts = [a.get("text") or "" for a in arts]
    if name == "bbc-titles":
        texts = ["" for _ in arts]
    t0 = time.perf_counter()
    counts = count_terms(titles, texts)
    idx = TermIndex.from_counts(list(range(len(arts))), counts)
    t1 = time.perf_counter()
    model = TopicModel(random_state=random_state).fit(idx)
    t2 = time.perf_counter()
    out = {
        "corpus": name,
        "n": len(arts),
        "k": model.k_,
        "other_share": model.other_share_,
        "count_s": t1 - t0,
        "fit_s": t2 - t1,
        "labels": model.topics_["label"].tolist(),
        "model": model,
    }
    if gold is not None:
        y = [gold[a["id"]] for a in arts]
        pred = model.assignments_.sort_values("uid")["topic_id"].to_numpy()
        out["nmi"] = normalized_mutual_info_score(y, pred)
        out["ari"] = adjusted_rand_score(y, pred)
    if verbose:
        print(
            f"{name:11s} n={out['n']:6d} k={out['k']:3d} other={out['other_share']:.3f} "
            f"count+index={out['count_s']:.1f}s fit={out['fit_s']:.1f}s"
            + (f" NMI={out['nmi']:.3f} ARI={out['ari']:.3f}" if "nmi" in out else "")
        )
        print("   k scores:", " ".join(f"{k}:{s:.3f}" for k, s in zip(model.k_scores_.k, model.k_scores_.score)))
        for _, r in model.topics_.iterrows():
            print(f"   {r.topic_id:3d} {r['size']:6d}  {r.label}")
    return out


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    names = ["bbc", "bbc-titles", "reuters"] if which == "all" else [which]
    for nm in names:
        evaluate(nm)
