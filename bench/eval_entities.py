"""Entity quality on the dev corpora: junk in the top entities of each label, and names split across labels.

Usage: python bench/eval_entities.py [--corpus reuters bbc scraped] [--top 50] [--limit N] [--rebuild]
                                     [--renormalise] [--n-process P] [--show N]

Corpora (read from ../shared/corpora, built once into bench/results/<name>.duckdb without topics, reused after;
``--rebuild`` builds again after a rule change):

- ``reuters``: the Reuters-21578 dev split (odd NEWID), the same store as ``bench/eval_countries.py``;
- ``bbc``: BBC News (``bbc/jsonl/articles.jsonl``);
- ``scraped``: every collection under ``scraped/collections`` (a JSON array of records, or of ``{section: record}``
  as Scrapy writes it; title from ``title``/``headline``, text from ``text``/``body``/``content`` plus ``epigraph``).

Printed per corpus: for every label, the top ``--top`` entities by articles with the junk among them and why, the
junk rate (junk / shown), and the number of the ``--top 2x`` entities overall (100 by default) whose name is also an
entity of another label ("split"). Goal: no junk in any top 50, no split name in the top 100.

Junk is decided by the rules of :func:`junk_rule` below, written for this evaluation, plus the user's list
``analysis/resources/entity_junk.txt`` (the same list the build drops): an e-mail or web address, a snake_case key, a
wire tag (LEAD, URGENT, ADDS, UPDATE), a pronoun, an unbalanced bracket or a clipped word ("Gov't"), no letter, one
character, two or more number tokens ("La 2.54 2.50"), a date ("Feb 9"), a wire amount ("U.S. Dlrs"), a name starting in lower case, a PERSON
with a lower-case word that is no name particle, and a news agency or newspaper under a label other than ORG (a
wrong type). Extend the list file to count more as junk.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPORA = REPO.parent / "shared" / "corpora"
RESULTS = REPO / "bench" / "results"
LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART")

_WIRE = {"LEAD", "URGENT", "ADDS", "ADD", "UPDATE", "UPDATES", "CORRECTED", "REPEAT", "FLASH", "BULLETIN", "END",
         "MORE", "RECASTS", "WRAPUP", "ROUNDUP", "REFILE", "EMBARGOED", "ADVISORY", "LD"}
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "his", "its", "their", "this", "that",
             "these", "those", "who"}
_WIRE_UNITS = {"dlrs", "dlr", "mln", "bln", "cts", "shr", "shrs", "pct", "stg", "qtr"}
_PARTICLES = {"de", "del", "della", "der", "di", "da", "dos", "du", "la", "le", "van", "von", "bin", "ibn", "al", "el",
              "y", "den", "ter", "zu", "of", "bint"}


def _user_list() -> tuple[set[str], set[tuple[str, str]]]:
    path = REPO / "analysis" / "resources" / "entity_junk.txt"
    names, pairs = set(), set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, label = line.partition("|")
            (pairs.add((name.strip().lower(), label.strip().upper())) if label.strip()
             else names.add(name.strip().lower()))
    return names, pairs


def junk_rule(name: str, label: str, user=None) -> str | None:
    """The reason ``name`` (an entity of ``label``) is junk, or None. See the module docstring."""
    from analysis.entities import is_press

    names, pairs = user if user is not None else _user_list()
    low = name.lower()
    if low in names or (low, label) in pairs:
        return "listed"
    if "@" in name or "://" in name or re.search(r"\bwww\.|\.(?:com|net|org|kr)\b", low):
        return "address"
    if "_" in name:
        return "key"
    words = re.findall(r"[\w'-]+", name)
    if words and all(w.upper() in _WIRE or w.isdigit() for w in words):
        return "wire tag"
    if low in _PRONOUNS and not name.isupper():
        return "pronoun"
    if name.count("(") != name.count(")") or re.search(r"[A-Za-z]'(?:t|l|n)\b", name):
        return "fragment"
    if not any(c.isalpha() for c in name) or len(name.strip()) < 2:
        return "no word"
    if sum(1 for w in name.split() if not any(c.isalpha() for c in w)) >= 2:
        return "numbers"
    if re.match(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\W*s?\s+\d", name):
        return "date"
    if any(w.lower().strip(".,") in _WIRE_UNITS for w in name.split()) and label != "ORG":
        return "amount"  # "U.S. Dlrs", "Mln Stg"
    if name[0].islower() and not name[1:2].isupper():
        return "lower case"
    if label == "PERSON" and any(w[0].islower() and w.lower() not in _PARTICLES and not w.startswith(("al-", "el-"))
                                 for w in name.split()):
        return "fragment"
    if label != "ORG" and is_press(name):
        return "press not ORG"
    return None


# ---------------------------------------------------------------------------------------------------- corpora
def _reuters_dev() -> Path:
    from bench.eval_countries import write_split

    return write_split("dev", None)[0]


def _bbc(limit: int | None) -> Path:
    src = CORPORA / "bbc" / "jsonl" / "articles.jsonl"
    if not limit:
        return src
    out = RESULTS / f"bbc_{limit}.jsonl"
    with src.open(encoding="utf-8") as f, out.open("w", encoding="utf-8") as g:
        for i, line in enumerate(f):
            if i >= limit:
                break
            g.write(line)
    return out


def _record(r: dict) -> dict | None:
    if len(r) == 1 and isinstance(next(iter(r.values())), dict):  # Scrapy: {section: record}
        section, r = next(iter(r.items()))
        r = {**r, "section": section}
    title = r.get("title") or r.get("headline") or ""
    text = "\n\n".join(str(r[k]) for k in ("epigraph", "text", "body", "content") if r.get(k))
    return {"title": str(title), "text": text, **({"date": r["date"]} if r.get("date") else {})} if text else None


def _scraped() -> list[tuple[str, Path]]:
    """Each scraped collection as JSONL in bench/results (records without text are counted and left out)."""
    out = []
    for path in sorted((CORPORA / "scraped" / "collections").glob("*/*.json*")):
        if path.suffix == ".jsonl":
            raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        else:
            raw = json.loads(path.read_text(encoding="utf-8"))
        records = [rec for rec in (_record(r) for r in raw if isinstance(r, dict)) if rec]
        if len(records) < len(raw):
            print(f"{path.relative_to(CORPORA)}: {len(raw) - len(records)} of {len(raw)} records without text left out")
        name = f"scraped_{path.parent.name}"
        dst = RESULTS / f"{name}.jsonl"
        with dst.open("w", encoding="utf-8") as f:
            for i, rec in enumerate(records):
                f.write(json.dumps({"id": f"{path.parent.name}-{i}", **rec}, ensure_ascii=False) + "\n")
        out.append((name, dst))
    return out


def _store(name: str, jsonl: Path, rebuild: bool, n_process: int) -> Path:
    from analysis.pipeline import BuildOptions, build

    store = RESULTS / f"{name}.duckdb"
    if rebuild or not store.exists():
        for stale in (store, Path(str(store) + ".wal")):
            stale.unlink(missing_ok=True)
        t0 = time.perf_counter()
        report = build([jsonl], store, BuildOptions(topics=False, n_process=n_process))
        print(f"built {store.name}: {report.articles} articles in {time.perf_counter() - t0:.0f}s"
              + (f", {len(report.rejected)} rejected" if report.rejected else ""))
    return store


# ---------------------------------------------------------------------------------------------------- report
def entity_table(store_path: Path, renormalise: bool = False):
    """The store's entities (entity_id, name, label, articles, mentions), most articles first. ``renormalise``: apply
    today's name rules and merging to the stored mentions instead (the model's spans as stored; names the build
    dropped as junk stay dropped), which checks a rule change without running the model again."""
    from analysis.canonical import canonicalise
    from analysis.entities import normalise_name
    from analysis.store import Store

    store = Store.open(store_path)
    if not renormalise:
        ents = store.entity_catalog(limit=10_000_000)
    else:
        m = store.df("SELECT uid, sent, start, \"end\", text, label FROM mentions")
        m["name"] = [normalise_name(t, lab) for t, lab in zip(m["text"], m["label"])]
        dropped = int((m["name"] == "").sum())
        print(f"  renormalised {len(m)} stored mentions: {dropped} more dropped as junk")
        ents = canonicalise(m[m["name"] != ""].reset_index(drop=True))[1]
    return ents.sort_values(["articles", "mentions", "entity_id"], ascending=[False, False, True], ignore_index=True)


def evaluate(ents, top: int, show: int) -> dict:
    """Junk per label in the top ``top`` of ``ents`` and split names in its top ``2 * top``; prints and returns the
    figures."""
    user = _user_list()
    labels_of: dict[str, set[str]] = {}
    for name, label in zip(ents["name"], ents["label"]):
        labels_of.setdefault(name.lower(), set()).add(label)
    figures = {"junk": 0, "shown": 0, "by_label": {}, "reasons": Counter()}
    for label in LABELS:
        top_of_label = ents[ents["label"] == label].head(top)
        if top_of_label.empty:
            continue
        junk = [(n, r) for n in top_of_label["name"] if (r := junk_rule(n, label, user))]
        figures["junk"] += len(junk)
        figures["shown"] += len(top_of_label)
        figures["by_label"][label] = (len(junk), len(top_of_label))
        figures["reasons"].update(r for _, r in junk)
        names = ", ".join(f"{n} ({a})" for n, a in zip(top_of_label["name"][:show], top_of_label["articles"][:show]))
        print(f"  {label:<8} junk {len(junk)}/{len(top_of_label)}" + (f": {junk[:8]}" if junk else "")
              + (f"\n           top: {names}" if show else ""))
    head = ents.head(2 * top)
    split = [(n, sorted(labels_of.get(n.lower(), ()))) for n in head["name"] if len(labels_of.get(n.lower(), ())) > 1]
    figures["split"] = len(split)
    rate = figures["junk"] / figures["shown"] if figures["shown"] else 0.0
    print(f"  junk in the top {top} of each label: {figures['junk']}/{figures['shown']} = {rate:.1%}"
          + (f" ({dict(figures['reasons'])})" if figures["junk"] else ""))
    print(f"  names split across labels in the top {2 * top}: {len(split)}" + (f": {split[:10]}" if split else ""))
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", choices=("reuters", "bbc", "scraped"), default=["reuters", "bbc", "scraped"])
    ap.add_argument("--top", type=int, default=50)
    ap.add_argument("--limit", type=int, default=None, help="BBC: first N articles only")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--show", type=int, default=0, help="print the first N names of each label")
    ap.add_argument("--renormalise", action="store_true",
                    help="apply today's name rules to the stored mentions instead of rebuilding (no model run)")
    args = ap.parse_args(argv)
    if not CORPORA.exists():
        print(f"corpora not found: {CORPORA}")
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    todo: list[tuple[str, Path]] = []
    if "reuters" in args.corpus:
        todo.append(("reuters_dev", _reuters_dev()))
    if "bbc" in args.corpus:
        todo.append((f"bbc{f'_{args.limit}' if args.limit else ''}", _bbc(args.limit)))
    if "scraped" in args.corpus:
        todo += _scraped()
    total = Counter()
    for name, jsonl in todo:
        store = _store(name, jsonl, args.rebuild, args.n_process)
        print(f"{name}:")
        fig = evaluate(entity_table(store, args.renormalise), args.top, args.show)
        total.update({"junk": fig["junk"], "shown": fig["shown"], "split": fig["split"]})
    print(f"all: junk {total['junk']}/{total['shown']}, split names {total['split']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
