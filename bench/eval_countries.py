"""Country tagging quality against Reuters-21578 PLACES (micro precision / recall / F1).

Usage: python bench/eval_countries.py [--limit N] [--min-weight W] [--split dev|test|all] [--sweep] [--n-process P]

Reads ../shared/corpora/reuters21578/jsonl/{articles,gold}.jsonl, runs enrich_frame, maps Reuters place names to
ISO2 (``REUTERS_ISO``) and scores the countries whose weight >= W. ``dev`` = odd NEWID, ``test`` = even NEWID.
``--sweep`` prints F1 for a range of thresholds (pick the default on dev, report test).
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
CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578" / "jsonl"

# Reuters place names whose ISO2 is not found by a plain name lookup (historic states -> successor, see gazetteer).
REUTERS_ISO = {
    "usa": "US", "uk": "GB", "ussr": "RU", "west-germany": "DE", "east-germany": "DE", "uae": "AE",
    "south-korea": "KR", "north-korea": "KP", "yemen-arab-republic": "YE", "yemen-demo-republic": "YE",
    "zaire": "CD", "burma": "MM", "kampuchea": "KH", "czechoslovakia": "CZ", "yugoslavia": "RS",
    "ivory-coast": "CI", "trinidad-tobago": "TT", "us-virgin-islands": "VI", "iran": "IR", "syria": "SY",
    "vietnam": "VN", "taiwan": "TW", "tanzania": "TZ", "bolivia": "BO", "venezuela": "VE", "congo": "CG",
    "russia": "RU", "laos": "LA", "hong-kong": "HK", "macao": "MO", "brunei": "BN", "cape-verde": "CV",
    "netherlands-antilles": "CW", "east-timor": "TL", "vatican": "VA", "south-africa": "ZA",
}


def place_iso(name: str) -> str | None:
    """ISO2 for a Reuters place name ("west-germany" -> "DE"), None for non-countries ("ec")."""
    if name in REUTERS_ISO:
        return REUTERS_ISO[name]
    import pycountry

    try:
        return pycountry.countries.lookup(name.replace("-", " ")).alpha_2
    except LookupError:
        from analysis.gazetteer import country_for

        return country_for(name.replace("-", " ").title())


def load(limit: int | None, split: str) -> tuple[pd.DataFrame, dict[int, set[str]]]:
    gold: dict[str, list[str]] = {}
    with open(CORPUS / "gold.jsonl") as f:
        for line in f:
            g = json.loads(line)
            gold[g["id"]] = g.get("places", [])
    rows, truth = [], {}
    with open(CORPUS / "articles.jsonl") as f:
        for line in f:
            a = json.loads(line)
            n = int(a["id"].split("-")[1])
            if (split == "dev" and n % 2 == 0) or (split == "test" and n % 2 == 1):
                continue
            rows.append({"uid": n, "title": a.get("title") or "", "text": a.get("text") or "",
                         "date": pd.Timestamp(a["date"]).date() if a.get("date") else None})
            truth[n] = {i for i in (place_iso(p) for p in gold.get(a["id"], [])) if i}
            if limit and len(rows) >= limit:
                break
    return pd.DataFrame(rows), truth


def score(pred: dict[int, set[str]], truth: dict[int, set[str]]) -> tuple[float, float, float]:
    tp = sum(len(pred.get(u, set()) & t) for u, t in truth.items())
    np_ = sum(len(pred.get(u, set())) for u in truth)
    ng = sum(len(t) for t in truth.values())
    p = tp / np_ if np_ else 0.0
    r = tp / ng if ng else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def predictions(countries: pd.DataFrame, min_weight: float) -> dict[int, set[str]]:
    sel = countries[countries["weight"] >= min_weight]
    return sel.groupby("uid")["iso2"].agg(set).to_dict()


def main(argv: list[str] | None = None) -> int:
    from analysis.countries import DEFAULT_MIN_WEIGHT
    from analysis.enrich import enrich_frame

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--min-weight", type=float, default=DEFAULT_MIN_WEIGHT)
    ap.add_argument("--split", choices=["dev", "test", "all"], default="all")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--errors", type=int, default=0, help="print N articles with errors")
    args = ap.parse_args(argv)
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}")
        return 2
    frame, truth = load(args.limit, args.split)
    t0 = time.perf_counter()
    enr = enrich_frame(frame, n_process=args.n_process)
    dt_ = time.perf_counter() - t0
    print(f"{len(frame)} articles ({args.split}), enrich {dt_:.1f}s")
    if args.sweep:
        for w in (0.0, 0.05, 0.1, 0.13, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
            p, r, f = score(predictions(enr.countries, w), truth)
            print(f"  min_weight={w:<5} P={p:.3f} R={r:.3f} F1={f:.3f}")
    p, r, f = score(predictions(enr.countries, args.min_weight), truth)
    print(f"min_weight={args.min_weight} micro P={p:.3f} R={r:.3f} F1={f:.3f}")
    if args.errors:
        pred = predictions(enr.countries, args.min_weight)
        ev = enr.countries.set_index(["uid", "iso2"])["evidence"].to_dict()
        shown = 0
        for _, row in frame.iterrows():
            u = row.uid
            fp, fn = pred.get(u, set()) - truth[u], truth[u] - pred.get(u, set())
            if fp or fn:
                print(f"--- {u} {row.title[:60]!r} FP={sorted(fp)} FN={sorted(fn)} text={row.text[:80]!r}")
                for c in fp:
                    print("     ", c, ev.get((u, c)))
                shown += 1
                if shown >= args.errors:
                    break
    return 0


if __name__ == "__main__":
    sys.exit(main())
