"""Query benchmark: the dashboard's server-side work per page, at the store's size and at 10x that size.

    .venv/bin/python bench/bench_queries.py                       # largest bench/results/reuters-N.duckdb, and x10
    .venv/bin/python bench/bench_queries.py --store data/newslens.duckdb --copies 0

For each size a fresh subprocess opens the store and times, over several filters (none, a country, a one-month date
range, a text query, an entity, a topic), ``catalog.render(name, store, filter)`` for every view in
``analysis.catalog.VIEWS`` (compare views get a second country as slice B) plus ``store.articles(f)`` and
``store.count(f)``. A page's time is the sum of its views for one filter (what one page load costs with a cold
cache); median and p95 are over filters x repeats. Each view is timed as ``catalog.render`` does it (data query, then
chart and table; the title is left out) plus ``plotly.io.to_json(fig, validate=False)``, which is what
``st.plotly_chart`` does with the figure before it leaves the server, so query time and chart time can be told apart; process CPU time
is recorded too, as the machine may be busy with other work. The term index (loaded once per store version, then
cached) is timed separately. The larger store is a copy of the given one with :func:`replicate` (``--copies 9``:
15k -> ~150k articles). Peak memory is the subprocess's max RSS.

Prints a table; writes ``bench/results/queries-<timestamp>.{json,txt}`` (+ ``queries-latest.*``).
Targets: page p95 < 300 ms at ~150k articles; memory < 2 GiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import plotly.io

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO))
from bench.result_files import write_results  # noqa: E402 - after the repo is on the path

#: Dashboard pages -> the views each one renders (as its ``ui.draw`` list in ``dashboard/app_pages/`` says;
#: "articles" is the article list: store.articles + store.count).
PAGES: dict[str, list[str]] = {
    "Overview": ["volume", "country_map", "country_bar", "entity_bar", "keywords", "topic_bar"],
    "Keywords": ["keywords", "keyword_trends", "compare_terms"],
    "Topics": ["topic_bar", "topic_map", "article_map", "topics_over_time", "topic_country"],
    "Entities": ["entity_bar", "entity_timeline", "cooccurrence"],
    "Events": ["events"],
    "Articles": ["articles"],
    "Compare": ["compare_volume", "compare_terms", "compare_topics", "compare_entities"],
}
TARGET_MS = 300.0
TARGET_MB = 2048.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered) + 0.5)) - 1))]


# --------------------------------------------------------------------------------------------------------------
# child: the measurement itself


def pick_filters(store) -> tuple[dict, object]:
    """Representative filters chosen from the store itself (so any corpus works): no filter, then the first of each
    kind of ``slices.filter_samples``; and the compare slice B (the second country)."""
    from analysis import slices
    from analysis.filters import Filter

    samples = slices.filter_samples(store, n=2)
    filters = {"none": Filter(), **{kind: values[0] for kind, values in samples.items()}}
    countries = samples.get("country", [])
    compare = countries[1] if len(countries) > 1 else Filter(query="the")
    return filters, compare


def cache_like_the_dashboard(store) -> None:
    """Give ``store`` what ``dashboard.data`` gives the Store it caches (the store keeps no cache of its own): its
    term index, built now and kept, and one text scan per query string, kept for the next queries. Without it every
    keyword view would rebuild the index and every text-filtered view rescan the text, which the dashboard never
    does. (``dashboard.data`` itself needs Streamlit; this is the same caching without it, in one thread.)"""
    from analysis import slices

    index = slices.build_term_index(store)
    scans: dict = {}
    store.term_index_source = lambda: index
    store.text_matches = lambda words, scan: scans[words] if words in scans else scans.setdefault(words, scan())


def child_measure(store_path: str, repeats: str, out: str) -> None:
    from analysis import catalog
    from analysis.store import Store

    t0 = time.perf_counter()
    store = Store.open(store_path)
    open_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cache_like_the_dashboard(store)  # term index loaded once per store version, then cached for every keyword view
    index_s = time.perf_counter() - t0
    filters, compare = pick_filters(store)
    names = sorted({v for page in PAGES.values() for v in page})
    # samples[kind][view][filter] -> ms per repeat; kind: wall (the whole render), cpu (process CPU time, all
    # threads: robust to other load on the machine), query (wall time of the data part alone).
    samples = {kind: {n: {f: [] for f in filters} for n in names} for kind in ("wall", "cpu", "query")}
    rows = {}
    load = [os.getloadavg()[0]]
    for rep in range(int(repeats)):
        for fname, f in filters.items():
            for name in names:
                t, c = time.perf_counter(), time.process_time()
                if name == "articles":
                    frame = store.articles(f)
                    store.count(f)
                    tq = time.perf_counter()
                else:
                    # catalog.render(name, store, f) step by step, to tell query time from chart-building time
                    view = catalog.VIEWS[name]
                    params = {"compare": compare} if view.needs_compare else {}
                    data = view.data(store, f, params)
                    tq = time.perf_counter()
                    fig = view.figure(data, params)
                    # what st.plotly_chart does with the figure before it leaves the server
                    plotly.io.to_json(fig, validate=False)
                    frame = view.table(data)
                samples["wall"][name][fname].append((time.perf_counter() - t) * 1000)
                samples["cpu"][name][fname].append((time.process_time() - c) * 1000)
                samples["query"][name][fname].append((tq - t) * 1000)
                if rep == 0:
                    rows[f"{name}|{fname}"] = len(frame)
    load.append(os.getloadavg()[0])
    stats = store.stats()
    Path(out).write_text(json.dumps({
        "articles": stats["articles"], "open_s": open_s, "term_index_s": index_s,
        "filters": {k: v.describe() for k, v in filters.items()}, "compare": compare.describe(),
        "samples": samples, "rows": rows, "load_avg_1m": load,
    }, default=str))


# --------------------------------------------------------------------------------------------------------------
# parent


def measure(store: Path, repeats: int, tmp_out: Path) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "measure", str(store), str(repeats), str(tmp_out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"measurement failed (exit {proc.returncode}): {' '.join(cmd)}")
    result = json.loads(tmp_out.read_text())
    result["wall_s"] = time.perf_counter() - t0
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def summarise(result: dict) -> dict:
    """Per view and per page: median, p95, max of wall ms, p95 of CPU ms, median of query ms (pages: sum of their
    views per filter and repeat)."""
    wall, cpu, query = (result["samples"][k] for k in ("wall", "cpu", "query"))
    per_view = {}
    for name, by_filter in wall.items():
        values = [v for vs in by_filter.values() for v in vs]
        worst_filter = max(by_filter, key=lambda f: statistics.median(by_filter[f]))
        per_view[name] = {"median_ms": statistics.median(values), "p95_ms": p95(values), "max_ms": max(values),
                          "cpu_p95_ms": p95([v for vs in cpu[name].values() for v in vs]),
                          "query_median_ms": statistics.median([v for vs in query[name].values() for v in vs]),
                          "slowest_filter": worst_filter,
                          "slowest_filter_median_ms": statistics.median(by_filter[worst_filter])}
    per_page = {}
    for page, names in PAGES.items():
        totals, cpu_totals = [], []
        for fname in wall[names[0]]:
            n = len(wall[names[0]][fname])
            totals += [sum(wall[v][fname][i] for v in names) for i in range(n)]
            cpu_totals += [sum(cpu[v][fname][i] for v in names) for i in range(n)]
        per_page[page] = {"median_ms": statistics.median(totals), "p95_ms": p95(totals), "max_ms": max(totals),
                          "cpu_p95_ms": p95(cpu_totals)}
    return {"views": per_view, "pages": per_page}


def replicate(w, copies: int) -> int:
    """Add ``copies`` copies of every article and its facts to the store being written (``w``: a
    :class:`analysis.store.StoreWriter`) with new uids and ids (``id#k``), as if the corpus were ``copies + 1`` times
    larger. Returns the new article count. Benchmark support only, so it lives here and not in the store."""
    from analysis.store import FACT_TABLES

    con = w.con
    offset = int(con.execute("SELECT coalesce(max(uid), 0) FROM articles").fetchone()[0])
    for k in range(1, copies + 1):
        shift = offset * k
        con.execute(
            """INSERT INTO articles SELECT * REPLACE (uid + ? AS uid, id || '#' || ? AS id,
                   content_hash || '#' || ? AS content_hash, story_id + ? AS story_id)
               FROM articles WHERE uid <= ?""", [shift, str(k), str(k), shift, offset])
        con.execute(
            """INSERT INTO article_ids SELECT id || '#' || ? AS id, uid + ? AS uid, origin, record_hash
               FROM article_ids WHERE uid <= ?""", [str(k), shift, offset])
        for table in FACT_TABLES:  # fixed names from the store's schema
            con.execute(f"INSERT INTO {table} SELECT * REPLACE (uid + ? AS uid) FROM {table} WHERE uid <= ?",
                        [shift, offset])
    return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])


def replicated_copy(store: Path, copies: int, results: Path) -> tuple[Path, float]:
    from analysis.store import writer

    target = results / f"{store.stem}-x{copies + 1}.duckdb"
    target.unlink(missing_ok=True)
    shutil.copyfile(store, target)
    t0 = time.perf_counter()
    with writer(target) as w:
        replicate(w, copies)
    return target, time.perf_counter() - t0


def default_store(results: Path) -> Path | None:
    """The largest store bench_build.py kept (``reuters-<N>.duckdb``, not a replicated ``-xK`` copy)."""
    candidates = [p for p in results.glob("reuters-*.duckdb") if "-x" not in p.stem and p.stem[8:].isdigit()]
    return max(candidates, key=lambda p: int(p.stem[8:])) if candidates else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=None,
                        help="store to measure (default: the largest store bench_build.py kept)")
    parser.add_argument("--copies", type=int, default=9, help="also measure a copy with N replicas (0 = skip)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.results.mkdir(parents=True, exist_ok=True)
    store = args.store or default_store(args.results)
    if store is None or not store.exists():
        print("no store: run bench/bench_build.py first or pass --store PATH", file=sys.stderr)
        return 2
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stores = [(store, None)]
    if args.copies:
        print(f"replicating {store} x{args.copies + 1} ...", flush=True)
        big, seconds = replicated_copy(store, args.copies, args.results)
        print(f"  {seconds:.1f} s -> {big}", flush=True)
        stores.append((big, seconds))
    sizes = []
    for path, rep_s in stores:
        print(f"measuring {path} ...", flush=True)
        raw = measure(path, args.repeats, args.results / f".queries-{os.getpid()}.json")
        (args.results / f".queries-{os.getpid()}.json").unlink(missing_ok=True)
        sizes.append({"store": str(path), "store_mb": path.stat().st_size / 2**20, "replicate_s": rep_s,
                      "articles": raw["articles"], "open_s": raw["open_s"], "term_index_s": raw["term_index_s"],
                      "peak_rss_mb": raw["peak_rss_mb"], "wall_s": raw["wall_s"], "filters": raw["filters"],
                      "compare": raw["compare"], "rows": raw["rows"], "load_avg_1m": raw["load_avg_1m"],
                      **summarise(raw), "samples": raw["samples"]})

    lines = [f"NewsLens query benchmark {stamp} ({os.cpu_count()} CPUs), {args.repeats} repeats x "
             f"{len(sizes[0]['filters'])} filters",
             " ".join(["python bench/bench_queries.py", *(argv or sys.argv[1:])]),
             "filters: " + "; ".join(f"{k} = {v}" for k, v in sizes[0]["filters"].items())
             + f"; compare slice B = {sizes[0]['compare']}", ""]
    head = f"{'page / view':<22}" + "".join(f"{str(s['articles']) + ' articles: median / p95 (cpu p95) ms':>46}"
                                           for s in sizes) + "   query share"

    def cell(stat: dict) -> str:
        miss = "  MISS" if stat["p95_ms"] > TARGET_MS else "      "
        return f"{stat['median_ms']:>20.0f} / {stat['p95_ms']:>6.0f} ({stat['cpu_p95_ms']:>6.0f}){miss}"

    lines.append(head)
    for page in PAGES:
        lines.append(f"{'PAGE ' + page:<22}" + "".join(cell(s["pages"][page]) for s in sizes))
    lines.append("")
    for view in sorted(sizes[0]["views"]):
        big = sizes[-1]["views"][view]
        share = big["query_median_ms"] / big["median_ms"] if big["median_ms"] else 0
        lines.append(f"{view:<22}" + "".join(cell(s["views"][view]) for s in sizes) + f"   {share:>6.0%}")
    lines.append("")
    for s in sizes:
        slow = sorted(s["views"].items(), key=lambda kv: -kv[1]["slowest_filter_median_ms"])[:3]
        lines.append(
            f"{s['articles']:,} articles: store {s['store_mb']:,.0f} MB, open {s['open_s'] * 1000:.0f} ms, term index "
            f"load {s['term_index_s']:.2f} s (once per store version), peak RSS {s['peak_rss_mb']:,.0f} MB "
            f"(target < {TARGET_MB:,.0f}), load avg {s['load_avg_1m'][0]:.1f}->{s['load_avg_1m'][1]:.1f}"
            + (f", replicate {s['replicate_s']:.1f} s" if s["replicate_s"] else "")
            + "; slowest view/filter: "
            + ", ".join(f"{k} [{v['slowest_filter']}] {v['slowest_filter_median_ms']:.0f} ms"
                                                     for k, v in slow))
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    results = {"when": stamp, "command": lines[1], "repeats": args.repeats, "target_ms": TARGET_MS,
               "target_mb": TARGET_MB, "pages": PAGES, "sizes": sizes}
    written = write_results(args.results, "queries", stamp, text, results)
    print(f"results written to {written}.json and .txt")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        child_measure(*sys.argv[2:])
    else:
        sys.exit(main())
