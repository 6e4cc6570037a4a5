"""Page benchmark: one whole Streamlit rerun per page after a filter change, as the server runs it.

    .venv/bin/python bench/bench_pages.py --store bench/results/reuters-14831.duckdb
    .venv/bin/python bench/bench_pages.py --store data/newslens.duckdb --repeats 2

``bench_queries.py`` times the views one by one; this times what a user waits for on the server: the page script
run end to end by Streamlit's ``AppTest`` (app.py, the sidebar, every chart's query, figure and ``st.plotly_chart``
serialisation, tables, metrics), in one process with the store opened and the term index loaded first (a running
dashboard has both). Each measured run uses a real filter no earlier run used, so every ``st.cache_data`` entry
of the page's data is cold, as after a user changes a filter (the sidebar's option lists stay warm, as on a running
server): for each kind (a country, a month-long window, a keyword as text query, an entity, a topic) the next of
the store's top values (``analysis.slices.filter_samples``). The first pass over the kinds is reported apart ("1st use":
the process's first filter of each kind). "No filter" is not measured: it is cached after the first visit. AppTest adds its own overhead (the script runs on a thread that AppTest polls every few ms, then
the element tree is built), so the figures are a slight over-estimate; AppTest's per-instance scan of installed
packages for custom components (a server does it once at startup) is switched off. The Data page is left out (no
charts; it reads the build log).

``--serve-warm-up`` measures the pages as ``./run.sh`` serves them (``python -m dashboard.serve``): its warm-up and
``gc.freeze`` before the first run, and Python's full garbage collections moved out of page runs (the server's
idle collector runs them when no page has run for 1 s, i.e. between a user's clicks; here they run between two
measured runs, untimed). Without it: a bare ``streamlit run dashboard/app.py`` process (full collections land on
whichever run triggers them).

Prints median / p95 / max per page against the 300 ms target; writes ``bench/results/pages-<timestamp>.{json,txt}``
(+ ``pages-latest.*``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
APP = str(REPO / "dashboard" / "app.py")
TARGET_MS = 300.0
PAGES = ["overview", "keywords", "topics", "entities", "events", "articles", "compare"]

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from bench.result_files import write_results  # noqa: E402 - after the repo is on the path


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated page scripts in dashboard/app_pages/")
    ap.add_argument("--serve-warm-up", action="store_true",
                    help="run as ./run.sh serves: dashboard.serve's warm-up (then its gc.freeze) before the first "
                         "run, and full garbage collections only between runs (untimed), as its idle collector does "
                         "in the pause between a user's clicks")
    args = ap.parse_args(argv)
    store_path = args.store.resolve()
    if not store_path.exists():
        raise SystemExit(f"{store_path}: no such store (build one with `python -m analysis build ... --store`)")
    os.environ["NEWSLENS_STORE"] = str(store_path)
    os.environ.pop("NEWSLENS_READ_ONLY", None)

    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import AppTest

    # A server scans the installed packages for custom components once, at startup; a new AppTest scans them on
    # its first run (~1.2 s here) unless it is handed a registry. Every run below gets the one registry, scanned
    # once here (NewsLens's own chart component is declared inline and registers itself when a page draws).
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)

    from bench_queries import pick_filters

    from analysis import slices
    from analysis.store import Store

    store = Store.open(store_path)
    _, compare = pick_filters(store)
    pages = [p for p in args.pages.split(",") if p]
    variants = slices.filter_samples(store, len(pages) * (args.repeats + 1))

    def run(page: str, params: dict[str, str]) -> tuple[float, float, AppTest]:
        at = AppTest.from_file(APP, default_timeout=300)
        at._bidi_component_manager = components  # the registry scanned once, as a server's (see above)
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(f"app_pages/{page}.py")
        t, c = time.perf_counter(), time.process_time()
        at.run()
        wall, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
        if at.exception:
            raise SystemExit(f"{page} {params}: {[e.value for e in at.exception]}")
        if args.serve_warm_up:  # the server's idle collector, in the pause a user takes between two filter changes
            gc.collect()
        return wall, cpu, at

    # Warm-up, as a running dashboard is: store open, term index, sidebar options, first render of each page.
    t0 = time.perf_counter()
    if args.serve_warm_up:
        from dashboard import data, startup

        # as the server's thread: warm (with the pages' cache filled: AppTest has no runtime to wait for), then
        # gc.freeze
        startup.warm(store_path)
        startup.fill_page_cache(data.open_store(store_path))
        startup.freeze_heap()
        thresholds = gc.get_threshold()  # and as its idle collector: no automatic full collection during a run
        gc.set_threshold(thresholds[0], thresholds[1], 1_000_000_000)
    from dashboard import data

    data.term_index(data.open_store(store_path))  # where the pages find it, as in a running dashboard
    for page in pages:
        run(page, {})
    warm_s = time.perf_counter() - t0

    samples: dict[str, dict[str, list[float]]] = {p: {"wall": [], "cpu": []} for p in pages}
    by_filter: dict[str, dict[str, list[float]]] = {p: {} for p in pages}
    load = [os.getloadavg()[0]]
    first_use: dict[str, list[float]] = {p: [] for p in pages}
    used = {kind: 0 for kind in variants}
    for rep in range(args.repeats + 1):
        for kind in variants:
            for page in pages:
                # a real filter of this kind that no run has used yet: every st.cache_data entry of the page's
                # data is cold, as after a user's filter change (the sidebar's option lists stay warm)
                f = variants[kind][used[kind] % len(variants[kind])]
                used[kind] += 1
                params = f.to_params()
                if page == "compare":
                    params.update(compare.to_params(prefix="b_"))
                wall, cpu, _ = run(page, params)
                if rep == 0:  # the process's first filter of this kind (first-call costs); reported apart
                    first_use[page].append(wall)
                    continue
                samples[page]["wall"].append(wall)
                samples[page]["cpu"].append(cpu)
                by_filter[page].setdefault(kind, []).append(wall)
    load.append(os.getloadavg()[0])

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    n_articles = store.stats()["articles"]
    lines = [f"NewsLens page benchmark {stamp} ({os.cpu_count()} CPUs), {args.repeats} repeats x {len(variants)} "
             f"filter kinds x {len(pages)} pages, {n_articles:,} articles",
             "python bench/bench_pages.py " + " ".join(argv if argv is not None else sys.argv[1:]),
             "one AppTest rerun per page after a filter change: a real filter no earlier run used (cold st.cache_data "
             "for the page's data; store, term index and sidebar option lists warm)",
             "filter kinds: " + "; ".join(f"{k} ({len(v)} values, e.g. {v[0].describe()})" for k, v in variants.items())
             + f"; compare slice B = {compare.describe()}"
             + ("; served as ./run.sh does (dashboard.serve's warm-up and gc.freeze first, full garbage "
                "collections between runs)" if args.serve_warm_up else ""),
             "",
             f"{'page':12s} {'median':>8s} {'p95':>8s} {'max':>8s} {'cpu p95':>8s} {'1st use':>8s}   slowest filter (median)"]
    summary = {}
    for page in pages:
        wall = samples[page]["wall"]
        worst = max(by_filter[page], key=lambda k: statistics.median(by_filter[page][k]))
        row = {"median_ms": statistics.median(wall), "p95_ms": p95(wall), "max_ms": max(wall),
               "cpu_p95_ms": p95(samples[page]["cpu"]), "slowest_filter": worst,
               "slowest_filter_median_ms": statistics.median(by_filter[page][worst]),
               "first_use_max_ms": max(first_use[page])}
        summary[page] = row
        verdict = "" if row["p95_ms"] < TARGET_MS else "MISS"
        lines.append(f"{page:12s} {row['median_ms']:8.0f} {row['p95_ms']:8.0f} {row['max_ms']:8.0f} "
                     f"{row['cpu_p95_ms']:8.0f} {row['first_use_max_ms']:8.0f}   {worst} "
                     f"({row['slowest_filter_median_ms']:.0f})  {verdict}")
    lines.append("")
    lines.append("1st use = max over the first pass (the process's first filter of each kind), not in the other "
                 "columns")
    lines.append(f"warm-up (store open, term index, first run of every page) {warm_s:.1f} s; "
                 f"load avg {load[0]:.1f}->{load[1]:.1f}; target p95 < {TARGET_MS:.0f} ms per page")
    text = "\n".join(lines)
    print(text)
    payload = {"stamp": stamp, "articles": n_articles, "summary": summary, "samples": samples, "first_use": first_use,
               "by_filter": by_filter, "load_avg_1m": load, "warm_s": warm_s}
    write_results(RESULTS, "pages", stamp, text, payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
