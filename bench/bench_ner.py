"""Speed: spaCy NER-only words/s vs enrich_frame words/s on Reuters texts.

Usage: python bench/bench_ner.py [--n 2000] [--n-process 1 2]

Baseline = plain ``nlp.pipe`` with only tok2vec + ner (``analysis.nlp.load_ner_only``). Enrichment uses
``load_nlp()`` (senter + ner; the sm model's NER has its own tok2vec, so the shared one is not needed) and does
everything else (mentions, countries, events, sentences). Goal: enrich time <= 1.3 x NER-only time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578" / "jsonl" / "articles.jsonl"


def main(argv: list[str] | None = None) -> int:
    from analysis.countries import doc_text
    from analysis.enrich import enrich_frame
    from analysis.nlp import load_ner_only, load_nlp

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--n-process", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    rows = []
    with open(CORPUS) as f:
        for line in f:
            a = json.loads(line)
            rows.append({"uid": len(rows), "title": a["title"] or "", "text": a["text"] or "",
                         "date": pd.Timestamp(a["date"]).date() if a.get("date") else None})
            if len(rows) >= args.n:
                break
    frame = pd.DataFrame(rows)
    texts = [doc_text(t, x) for t, x in zip(frame.title, frame.text)]
    words = sum(len(t.split()) for t in texts)
    base, nlp = load_ner_only(), load_nlp()
    list(base.pipe(texts[:20]))
    enrich_frame(frame.head(20), nlp=nlp)
    print(f"{len(texts)} Reuters texts, {words} words")
    for n_process in args.n_process:
        t0 = time.perf_counter()
        for _ in base.pipe(texts, batch_size=64, n_process=n_process):
            pass
        t_ner = time.perf_counter() - t0
        t0 = time.perf_counter()
        enr = enrich_frame(frame, nlp=nlp, n_process=n_process)
        t_enr = time.perf_counter() - t0
        print(f"n_process={n_process}: NER-only {words / t_ner:,.0f} words/s ({t_ner:.1f}s); "
              f"enrich_frame {words / t_enr:,.0f} words/s ({t_enr:.1f}s); ratio enrich/NER = {t_enr / t_ner:.2f} "
              f"[{len(enr.mentions)} mentions, {len(enr.countries)} countries, {len(enr.events)} events]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
