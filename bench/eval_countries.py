"""Country tagging quality of the export against Reuters-21578 PLACES (micro precision / recall / F1).

Usage: python bench/eval_countries.py [--split dev|test|all] [--limit N] [--store PATH] [--rebuild] [--sweep]
                                      [--errors N] [--n-process P]

What is scored is the export itself: the ``countries`` field that ``python -m analysis articles`` writes, read back
from a store built from the chosen split. The split is written once to ``bench/results/reuters_<split>.jsonl`` and
built (no topics) into ``bench/results/reuters_<split>.duckdb``; later runs reuse that store, ``--rebuild`` builds it
again (needed after a change to the NER, country or entity rules). ``dev`` = odd NEWID, ``test`` = even NEWID: tune on
dev only, report test.

Printed: the export as it was before "about" was the default (``--about 0``: every country mentioned) and as it is
now (the default threshold, :data:`analysis.filters.ABOUT_DEFAULT`). ``--sweep`` scores other thresholds from the same
export's ``countries_mentioned`` weights. Articles whose PLACES hold no country (unlabelled stories, or only "ec")
cannot be scored and are left out; their count is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578" / "jsonl"
RESULTS = REPO / "bench" / "results"

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


def _in_split(newid: int, split: str) -> bool:
    return not ((split == "dev" and newid % 2 == 0) or (split == "test" and newid % 2 == 1))


def load(limit: int | None, split: str) -> tuple[pd.DataFrame, dict[int, set[str]]]:
    """The split as an enrich_frame input (uid = NEWID) and its gold ISO2 sets by uid."""
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
            if not _in_split(n, split):
                continue
            rows.append({"uid": n, "title": a.get("title") or "", "text": a.get("text") or "",
                         "date": pd.Timestamp(a["date"]).date() if a.get("date") else None})
            truth[n] = {i for i in (place_iso(p) for p in gold.get(a["id"], [])) if i}
            if limit and len(rows) >= limit:
                break
    return pd.DataFrame(rows), truth


def score(pred: dict, truth: dict) -> tuple[float, float, float]:
    """Micro precision, recall, F1 of predicted vs gold ISO2 sets over the keys of ``truth``."""
    tp = sum(len(pred.get(u, set()) & t) for u, t in truth.items())
    np_ = sum(len(pred.get(u, set())) for u in truth)
    ng = sum(len(t) for t in truth.values())
    p = tp / np_ if np_ else 0.0
    r = tp / ng if ng else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def predictions(countries: pd.DataFrame, min_weight: float) -> dict[int, set[str]]:
    """uid -> ISO2 set with weight >= min_weight, from an Enrichment.countries frame."""
    sel = countries[countries["weight"] >= min_weight]
    return sel.groupby("uid")["iso2"].agg(set).to_dict()


def write_split(split: str, limit: int | None) -> tuple[Path, dict[str, set[str]]]:
    """Write the split as JSONL (the corpus' own records) and return it with the gold ISO2 sets by article id."""
    gold: dict[str, set[str]] = {}
    with open(CORPUS / "gold.jsonl") as f:
        for line in f:
            g = json.loads(line)
            gold[g["id"]] = {i for i in (place_iso(p) for p in g.get("places", [])) if i}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"reuters_{split}{f'_{limit}' if limit else ''}.jsonl"
    truth: dict[str, set[str]] = {}
    with open(CORPUS / "articles.jsonl") as src, open(path, "w", encoding="utf-8") as dst:
        for line in src:
            a = json.loads(line)
            if not _in_split(int(a["id"].split("-")[1]), split):
                continue
            dst.write(line)
            truth[a["id"]] = gold.get(a["id"], set())
            if limit and len(truth) >= limit:
                break
    return path, truth


def exported(store: Path, about: float | None = None) -> list[dict]:
    """What ``python -m analysis articles --store STORE [--about W] --keywords 0`` writes, parsed."""
    from analysis.cli import main as cli

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "articles.jsonl"
        argv = ["articles", "--store", str(store), "--keywords", "0", "--format", "jsonl", "--out", str(out)]
        if about is not None:
            argv += ["--about", str(about)]
        if cli(argv) != 0:
            raise SystemExit(f"`analysis articles` failed on {store}")
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def mentioned(row: dict) -> dict[str, float]:
    """``countries_mentioned`` of an export row ("US:0.874") as {iso2: weight}."""
    out = {}
    for item in row.get("countries_mentioned") or []:
        iso, _, w = item.partition(":")
        out[iso] = float(w)
    return out


def _by_id(rows: list[dict], value) -> dict:
    """id -> value(row) for every export row, also under the ids of its exact duplicates (stored once)."""
    out = {}
    for r in rows:
        for i in (r["id"], *(r.get("duplicate_ids") or [])):
            out[i] = value(r)
    return out


def main(argv: list[str] | None = None) -> int:
    from analysis.filters import ABOUT_DEFAULT

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    ap.add_argument("--limit", type=int, default=None, help="first N articles of the split only")
    ap.add_argument("--store", type=Path, default=None, help="store to build/reuse (default bench/results/...)")
    ap.add_argument("--rebuild", action="store_true", help="build the store again (after a rule change)")
    ap.add_argument("--sweep", action="store_true", help="F1 at other thresholds (from countries_mentioned)")
    ap.add_argument("--n-process", type=int, default=1, help="spaCy processes for the build")
    ap.add_argument("--errors", type=int, default=0, help="print N articles with errors at the default threshold")
    args = ap.parse_args(argv)
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}")
        return 2
    jsonl, truth_all = write_split(args.split, args.limit)
    store = args.store or RESULTS / f"{jsonl.stem}.duckdb"
    if args.rebuild or not store.exists():
        from analysis.pipeline import BuildOptions, build

        for stale in (store, Path(str(store) + ".wal")):
            stale.unlink(missing_ok=True)
        t0 = time.perf_counter()
        report = build([jsonl], store, BuildOptions(topics=False, n_process=args.n_process))
        print(f"built {store} from {jsonl.name}: {report.articles} articles in {time.perf_counter() - t0:.0f}s"
              + (f", {len(report.rejected)} rejected" if report.rejected else ""))
    before = _by_id(exported(store, about=0), lambda r: set(r["countries"]))
    rows = exported(store)
    after = _by_id(rows, lambda r: set(r["countries"]))
    truth = {i: t for i, t in truth_all.items() if t}
    missing = [i for i in truth if i not in after]
    print(f"{len(truth_all)} articles ({args.split}); scored {len(truth)}, left out {len(truth_all) - len(truth)} "
          f"whose PLACES name no country" + (f"; {len(missing)} missing from the export" if missing else ""))
    for name, pred in (("before (--about 0, every mention)", before), (f"after (about >= {ABOUT_DEFAULT:g})", after)):
        p, r, f = score(pred, truth)
        print(f"  export {name:<36} micro P={p:.3f} R={r:.3f} F1={f:.3f}")
    weights = _by_id(rows, mentioned)
    if args.sweep:
        for w in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
            pred = {i: {c for c, x in ws.items() if x >= w} for i, ws in weights.items()}
            p, r, f = score(pred, truth)
            print(f"  about >= {w:<5} P={p:.3f} R={r:.3f} F1={f:.3f}")
    shown = 0
    for row in rows:
        i = row["id"]
        if shown >= args.errors or i not in truth:
            continue
        fp, fn = after[i] - truth[i], truth[i] - after[i]
        if fp or fn:
            print(f"--- {i} {row['title'][:60]!r} FP={sorted(fp)} FN={sorted(fn)} mentioned={weights[i]}")
            shown += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
