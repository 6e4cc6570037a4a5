"""First-open benchmark: how long the dashboard's Overview page takes to open in a real browser, cold and warm.

    .venv/bin/python bench/bench_first_open.py --store bench/results/reuters-14831.duckdb
    .venv/bin/python bench/bench_first_open.py --store data/newslens.duckdb --repeats 5 --viewport 1400x2200

Target (issue 5): on the 15k-article Reuters store, the first page opens in **under 3 s**, i.e. every Overview chart
is painted and Streamlit is idle within 3 s of ``page.goto``, on a server that was started just before (nothing
cached in it yet). Server start-up is reported separately: a user starts the server once, then opens pages.

For each of ``--repeats`` rounds:

1. **Server start**: a fresh ``python -m dashboard.serve --server.headless true --server.port PORT
   -- --store STORE`` (as ``run.sh`` starts it, on 127.0.0.1, with ``NEWSLENS_READ_ONLY=1``); time from spawning
   the process until ``/_stcore/health`` answers ``ok`` (polled every 50 ms).
2. **Cold visit**: a new Playwright context (empty HTTP cache) in Debian Chromium opens ``/``. Measured from just
   before ``page.goto``: *first chart* = the first ``.js-plotly-plot .main-svg`` in the page; *all charts* = the
   first moment at which the Overview title is shown, the app's ``data-test-script-state`` is ``notRunning``, no
   ``[data-testid="stStatusWidget"]`` ("Running...") is shown, and every chart holds a painted ``.main-svg`` (charts
   counted both as their ``.newslens-plot`` divs, or ``[data-testid="stPlotlyChart"]`` for ``st.plotly_chart``, and
   as element containers keyed ``*_chart`` by ``chart_block``, since the former exist only once the chart's JS
   ran), provided that state then
   holds, with the same chart count, for ``--settle`` seconds. The page records these times itself (an init script
   with a 20 ms timer and a MutationObserver of the script state, ``Date.now()``), so the figures do not depend on how often Python
   polls. Also recorded: when the title, the first and last chart container arrived, when the charts' plotly.js
   was fetched (``plotly-newslens.min.js``, 1.4 MB; or Streamlit's 4.7 MB plotly chunk when a figure goes through
   ``st.plotly_chart``), when the first chart mounted, and the CPU seconds
   the server process and the Chromium processes spent on the visit (load-independent, unlike wall times).
3. **Warm visit**: a second tab in the same context on the same server (Streamlit caches and the browser cache
   warm, a new Streamlit session), measured the same way.

Then, without a browser, a fresh Python subprocess per round times the **server-side cold work** step by step:
imports (streamlit, pandas, duckdb, plotly, ``analysis.store``, ``analysis.catalog``, the ``dashboard`` modules, in
the order the app imports them), ``Store.open``, the sidebar / counts queries the Overview run makes, the term
index load, and for each Overview view (``PAGES["Overview"]`` of ``bench_queries.py``, with the page's parameters)
its query, chart building and the JSON serialisation ``st.plotly_chart`` does; then the same views once more in the
same process (warm process, uncached data) to show what is first-call overhead.

The store is only read (``ATTACH ... READ_ONLY``; its on-disk version is checked unchanged at the end). The OS page
cache is not dropped (that would disturb everyone else on the machine), so "cold" means a cold server process and
browser context, not a cold disk.

Prints a figure table (median and max of each figure, MET/MISS against 3 s); writes
``bench/results/first-open-<timestamp>.{json,txt}`` (+ ``first-open-latest.*``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO))
from bench.result_files import write_results  # noqa: E402 - json only: nothing heavy for the server-side child

# bench.bench_load / bench.bench_queries are imported inside functions: the server-side child must start with
# nothing heavy imported (bench_queries imports plotly), or its import timings would be wrong.

TARGET_S = 3.0
#: The Overview page's view parameters (dashboard/app_pages/overview.py), so the server-side steps match the page.
OVERVIEW_PARAMS: dict[str, dict] = {"volume": {"normalise": False}, "entity_bar": {"top": 15}, "keywords": {"k": 15}}

# Runs in every document before the app's own scripts: records (Date.now()) when the first chart is painted and
# since when the page has been "done" (title shown, script idle, no status widget, every chart painted).
INIT_SCRIPT = """
(() => {
  if (window.top !== window) return;
  const nl = window.__nl = {title: null, firstElem: null, lastElem: null, firstChart: null, doneSince: null,
                            charts: 0, elems: 0, painted: 0, mounted: null};
  const check = () => {
    // a chart's element container arrives with the server's delta; the chart inside it (NewsLens's plotly
    // component div, or a stPlotlyChart) mounts only once its JS has loaded, so count both (chart_block keys end
    // in "_chart")
    const elems = document.querySelectorAll('[data-testid="stElementContainer"][class*="st-key-"][class*="_chart"]');
    const charts = document.querySelectorAll('.newslens-plot, [data-testid="stPlotlyChart"]');
    const n = Math.max(elems.length, charts.length);
    let painted = 0;
    charts.forEach(c => { if (c.querySelector('.main-svg')) painted += 1; });
    const now = Date.now();
    if (nl.firstChart === null && painted > 0) nl.firstChart = now;
    if (nl.mounted === null && charts.length > 0) nl.mounted = now;
    if (elems.length > nl.elems) { nl.lastElem = now; if (nl.firstElem === null) nl.firstElem = now; }
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = !!app && app.getAttribute('data-test-script-state') === 'notRunning'
                 && !document.querySelector('[data-testid="stStatusWidget"]');
    const title = document.querySelector('[data-testid="stMain"] h1');
    if (title && nl.title === null) nl.title = now;
    const done = idle && !!title && n > 0 && painted === n;
    if (done && (nl.doneSince === null || n !== nl.charts)) nl.doneSince = now;
    if (!done) nl.doneSince = null;
    nl.charts = n; nl.elems = elems.length; nl.painted = painted;
  };
  const start = () => {
    // only the script state's changes, not every DOM mutation (check() then ran on each batch of plotly's node
    // insertions, work the page being measured does not do); the timer catches the rest
    new MutationObserver(check).observe(document.documentElement,
      {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
    setInterval(check, 20);  // also catches state that changes without a DOM mutation
    check();
  };
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "max": max(values), "min": min(values), "n": len(values)}


# --------------------------------------------------------------------------------------------------------------
# child: server-side cold work, no browser


def child_server_side(store_path: str, out: str) -> None:
    """Fresh process: time imports, store open, the Overview's queries and views step by step -> JSON at ``out``."""
    preloaded = sorted(m for m in ("streamlit", "pandas", "duckdb", "plotly", "analysis", "dashboard")
                       if m in sys.modules)  # must be empty for the import figures to mean anything
    steps: list[tuple[str, float]] = []
    t_all = time.perf_counter()

    def step(name: str, fn):
        t = time.perf_counter()
        result = fn()
        steps.append((name, time.perf_counter() - t))
        return result

    # Imports in the order app.py pulls them in (each figure is what that import adds to the ones before it).
    step("import streamlit", lambda: __import__("streamlit"))
    step("import pandas", lambda: __import__("pandas"))
    step("import duckdb", lambda: __import__("duckdb"))
    step("import plotly.graph_objects (streamlit has it)", lambda: __import__("plotly.graph_objects"))
    step("import analysis.store", lambda: __import__("analysis.store"))
    step("import analysis.catalog (+charts, queries)", lambda: __import__("analysis.catalog"))
    step("import dashboard (data, state, components)", lambda: __import__("dashboard.components"))
    imports_s = sum(s for _, s in steps)

    import plotly.io
    import plotly.tools

    from analysis import catalog, slices
    from analysis.filters import Filter
    from analysis.store import Store
    from bench.bench_queries import PAGES, cache_like_the_dashboard

    store = step("Store.open", lambda: Store.open(store_path))
    f = Filter()
    # What app.py, the sidebar and the counts row ask for before the first chart (dashboard/state.py, components.py)
    step("sidebar+counts: stats", lambda: store.stats())
    step("sidebar+counts: date_range", lambda: store.date_range())
    step("sidebar+counts: countries", lambda: slices.countries(store, f))
    step("sidebar+counts: topics", lambda: store.topics())
    step("sidebar+counts: sources", lambda: store.sources())
    step("sidebar+counts: entity_catalog", lambda: store.entity_catalog("", limit=100))
    step("sidebar+counts: count", lambda: store.count(f))
    step("term index load", lambda: cache_like_the_dashboard(store))

    def render(name: str, label: str) -> None:
        params = dict(OVERVIEW_PARAMS.get(name, {}))
        data = step(f"{label}{name}: query", lambda: catalog.VIEWS[name].data(store, f, params))
        fig = step(f"{label}{name}: chart", lambda: catalog.figure(name, data, f, **params))
        step(f"{label}{name}: table", lambda: catalog.VIEWS[name].table(data))
        # what st.plotly_chart does with the figure before sending it to the browser
        step(f"{label}{name}: serialise", lambda: plotly.io.to_json(
            plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False))

    for name in PAGES["Overview"]:
        render(name, "")
    cold_total = time.perf_counter() - t_all
    for name in PAGES["Overview"]:
        render(name, "again: ")
    stats = store.stats()
    Path(out).write_text(json.dumps({"steps": steps, "imports_s": imports_s, "cold_total_s": cold_total,
                                     "articles": stats["articles"], "preloaded": preloaded}))


def server_side(store: Path, tmp: Path) -> dict:
    out = tmp / "server-side.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "server-side", str(store), str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, "PYTHONWARNINGS": "ignore"},
                            stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"server-side measurement failed: {' '.join(cmd)}\n{err[-3000:]}")
    result = json.loads(out.read_text())
    result["process_wall_s"] = time.perf_counter() - t0  # includes the interpreter's own start
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result


# --------------------------------------------------------------------------------------------------------------
# browser


@contextlib.contextmanager
def dashboard_server(store: Path, file_watcher: str | None, log_dir: Path, launcher: str = "serve"):
    """Spawn the dashboard on a free loopback port, as run.sh does (``launcher="serve"``: ``python -m
    dashboard.serve``, which warms the store up in the background) or bare (``"streamlit"``: ``streamlit run
    dashboard/app.py``); yields (url, pid, seconds until /_stcore/health answered ``ok``)."""
    from tests.support.browser import dashboard_process

    extra = ("--server.fileWatcherType", file_watcher) if file_watcher else ()
    log_path = log_dir / f"streamlit-{time.time_ns()}.log"
    with dashboard_process(store, launcher=launcher, env={"NEWSLENS_READ_ONLY": "1"}, streamlit_args=extra,
                           timeout=120, poll_s=0.05, log_path=log_path) as (url, proc, startup_s):
        yield url, proc.pid, startup_s


def cpu_seconds(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def browser_cpu_seconds() -> dict[str, float]:
    """CPU seconds of the Chromium processes this benchmark started (descendants of this process, via the
    Playwright driver) by process type (``renderer``, ``gpu-process`` (software GL, as ``--disable-gpu``), ``browser``,
    ...); a tab's renderer that exited is no longer counted, so take differences around a visit."""
    import psutil

    totals: dict[str, float] = {}
    for proc in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if proc.name().startswith("chrom"):
                kind = next((a.split("=", 1)[1] for a in proc.cmdline() if a.startswith("--type=")), "browser")
                times = proc.cpu_times()
                totals[kind] = totals.get(kind, 0.0) + times.user + times.system
    return totals


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after.get(k, 0.0) - before.get(k, 0.0) for k in sorted(set(before) | set(after))}


def visit(context, url: str, settle_s: float, timeout_s: float) -> dict:
    """Open ``url`` in a new tab of ``context``; seconds from just before ``page.goto`` to the first painted chart
    and to "all charts painted, Streamlit idle" (held for ``settle_s``)."""
    page = context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    t0 = time.time()
    page.goto(url + "/", wait_until="commit")
    page.wait_for_function(
        "(ms) => window.__nl && window.__nl.doneSince !== null && Date.now() - window.__nl.doneSince >= ms",
        arg=settle_s * 1000, polling=50)
    nl = page.evaluate("() => window.__nl")
    # the plotly.js the charts need: NewsLens's bundle (~1.4 MB, dashboard/plotly_component.py) or Streamlit's
    # lazily loaded plotly chunk (~4.7 MB) when a page uses st.plotly_chart: when it was requested and received
    chunk = page.evaluate("""() => { const e = performance.getEntriesByType('resource')
                                         .find(r => r.name.includes('plotly-newslens') || r.name.includes('PlotlyChart'));
                                     return e ? [performance.timeOrigin + e.startTime,
                                                 performance.timeOrigin + e.responseEnd, e.transferSize] : null; }""")
    errors = page.locator('[data-testid="stException"], [data-testid="stAlert"]').all_inner_texts()
    title = page.locator('[data-testid="stMain"] h1').first.inner_text()
    rel = lambda ms: None if ms is None else ms / 1000 - t0  # noqa: E731 - page clock (ms) -> s after goto
    return {"first_chart_s": rel(nl["firstChart"]), "all_charts_s": rel(nl["doneSince"]),
            # where the time goes: title shown (the script reached st.title), first / last chart element container
            # received from the server, plotly chunk requested / received (transfer bytes 0 = from the browser cache)
            "title_s": rel(nl["title"]), "first_chart_elem_s": rel(nl["firstElem"]),
            "last_chart_elem_s": rel(nl["lastElem"]), "first_chart_mounted_s": rel(nl["mounted"]),
            "plotly_chunk_start_s": rel(chunk and chunk[0]), "plotly_chunk_end_s": rel(chunk and chunk[1]),
            "plotly_chunk_bytes": chunk and chunk[2],
            "charts": nl["charts"], "title": title.strip(), "alerts": [e[:200] for e in errors]}


def browser_round(browser, store: Path, args, log_dir: Path) -> dict:
    """One fresh server: its start-up time, a cold visit and a warm second tab (see :func:`visit`)."""
    w, h = (int(x) for x in args.viewport.lower().split("x"))
    load_before = os.getloadavg()
    with dashboard_server(store, args.file_watcher, log_dir, args.launcher) as (url, pid, startup_s):
        time.sleep(args.visit_after)  # a user who opens the page a little after starting the server
        cpu0 = cpu_seconds(pid)
        context = browser.new_context(viewport={"width": w, "height": h})
        context.add_init_script(INIT_SCRIPT)
        try:
            b0 = browser_cpu_seconds()
            cold = visit(context, url, args.settle, args.timeout)
            cpu1, b1 = cpu_seconds(pid), browser_cpu_seconds()
            warm = visit(context, url, args.settle, args.timeout)
            cpu2, b2 = cpu_seconds(pid), browser_cpu_seconds()
        finally:
            context.close()
    # CPU figures include the --settle wait after the page was done (idle: little CPU)
    return {"startup_s": startup_s, "cold": cold, "warm": warm,
            "server_cpu_cold_s": cpu1 - cpu0, "server_cpu_warm_s": cpu2 - cpu1,
            "browser_cpu_cold": cpu_delta(b0, b1), "browser_cpu_warm": cpu_delta(b1, b2),
            "load_avg_1m": [load_before[0], os.getloadavg()[0]]}


# --------------------------------------------------------------------------------------------------------------
# parent


def verdict(stat: dict) -> str:
    med = "MET" if stat["median"] < TARGET_S else "MISS"
    worst = "MET" if stat["max"] < TARGET_S else "MISS"
    return f"{med} (median), {worst} (max)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=None,
                        help="store to open (default: the largest store bench_build.py kept)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds, each with a fresh server (default 3)")
    parser.add_argument("--viewport", default="1400x900", help="browser viewport WIDTHxHEIGHT (default 1400x900)")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="seconds the 'all charts painted, idle' state must hold to count (default 1.0)")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up on a visit after this many seconds")
    parser.add_argument("--file-watcher", default=None,
                        help="--server.fileWatcherType for streamlit (default: streamlit's own, as run.sh)")
    parser.add_argument("--no-browser", action="store_true", help="only the server-side breakdown")
    parser.add_argument("--launcher", choices=("serve", "streamlit"), default="serve",
                        help="serve = python -m dashboard.serve as run.sh (warm-up before the first visit, default); "
                             "streamlit = bare `streamlit run dashboard/app.py`")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--visit-after", type=float, default=0.0,
                        help="seconds between the server answering /_stcore/health and the cold visit (default 0: "
                             "at once, while dashboard.serve's warm-up still runs)")
    args = parser.parse_args(argv)
    from bench.bench_queries import PAGES, default_store
    from tests.support.browser import CHROMIUM, launch_chromium

    args.results.mkdir(parents=True, exist_ok=True)
    store = args.store or default_store(RESULTS)
    if store is None or not store.exists():
        print("no store: run bench/bench_build.py first or pass --store PATH", file=sys.stderr)
        return 2
    store = store.resolve()
    if not args.no_browser and not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} missing: apt-get install chromium (or use --no-browser)", file=sys.stderr)
        return 2
    from analysis.store import store_version

    version_before = store_version(store)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    load_start = os.getloadavg()
    rounds: list[dict] = []
    sides: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="newslens-first-open-") as tmp_name:
        tmp = Path(tmp_name)
        if not args.no_browser:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = launch_chromium(p)
                try:
                    for i in range(args.repeats):
                        print(f"browser round {i + 1}/{args.repeats} ...", flush=True)
                        r = browser_round(browser, store, args, tmp)
                        rounds.append(r)
                        print(f"  startup {r['startup_s']:.2f} s; cold: first chart {r['cold']['first_chart_s']:.2f} s,"
                              f" all {r['cold']['charts']} charts {r['cold']['all_charts_s']:.2f} s; warm tab: "
                              f"{r['warm']['first_chart_s']:.2f} / {r['warm']['all_charts_s']:.2f} s; "
                              f"load {r['load_avg_1m'][1]:.1f}", flush=True)
                finally:
                    browser.close()
        for i in range(args.repeats):
            print(f"server-side round {i + 1}/{args.repeats} ...", flush=True)
            s = server_side(store, tmp)
            sides.append(s)
            print(f"  imports {s['imports_s']:.2f} s, cold total {s['cold_total_s']:.2f} s "
                  f"(process {s['process_wall_s']:.2f} s)", flush=True)
    load_end = os.getloadavg()
    if store_version(store) != version_before:
        print(f"WARNING: {store} changed on disk during the run", file=sys.stderr)

    # ---- figures
    figures: dict[str, dict] = {}
    if rounds:
        figures["server start -> /_stcore/health"] = summary([r["startup_s"] for r in rounds])
        for kind, label in (("cold", "cold"), ("warm", "warm 2nd tab")):
            figures[f"{label}: first chart painted"] = summary([r[kind]["first_chart_s"] for r in rounds])
            figures[f"{label}: all charts painted + idle"] = summary([r[kind]["all_charts_s"] for r in rounds])
        figures["server CPU s, cold visit"] = summary([r["server_cpu_cold_s"] for r in rounds])
        figures["server CPU s, warm visit"] = summary([r["server_cpu_warm_s"] for r in rounds])
        for kind in ("cold", "warm"):
            per_type = [r[f"browser_cpu_{kind}"] for r in rounds]
            figures[f"browser CPU s, {kind} visit"] = summary([sum(p.values()) for p in per_type])
            for ptype in sorted({t for p in per_type for t in p}):
                values = [p.get(ptype, 0.0) for p in per_type]
                if max(values) >= 0.05:  # leave out idle helpers (zygote)
                    figures[f"  of which {ptype} ({kind})"] = summary(values)
    step_names = [name for name, _ in sides[0]["steps"]]
    step_stats = {name: summary([dict(s["steps"])[name] for s in sides]) for name in step_names}
    side_totals = {
        "imports": summary([s["imports_s"] for s in sides]),
        "cold total (imports .. last Overview view)": summary([s["cold_total_s"] for s in sides]),
        "subprocess wall (incl. interpreter start)": summary([s["process_wall_s"] for s in sides]),
        "peak RSS MB": summary([s["peak_rss_mb"] for s in sides]),
    }

    command = " ".join(["python bench/bench_first_open.py", *(argv or sys.argv[1:])])
    lines = [f"NewsLens first-open benchmark {stamp} ({os.cpu_count()} CPUs), {args.repeats} rounds, "
             f"{sides[0]['articles']:,} articles", command,
             f"store {store} ({store.stat().st_size / 2**20:,.0f} MB); viewport {args.viewport}; settle "
             f"{args.settle} s; cold visit {args.visit_after:g} s after the server answered; load average (1 min) "
             f"{load_start[0]:.1f} at start, {load_end[0]:.1f} at end", ""]
    if rounds:
        lines.append(f"{'browser figure (seconds)':<42}{'median':>9}{'max':>9}")
        for name, st_ in figures.items():
            lines.append(f"{name:<42}{st_['median']:>9.2f}{st_['max']:>9.2f}")
        charts = sorted({r["cold"]["charts"] for r in rounds} | {r["warm"]["charts"] for r in rounds})
        lines.append(f"charts on the page: {', '.join(map(str, charts))} (Overview views: {len(PAGES['Overview'])});"
                     f" load average per round: "
                     + ", ".join(f"{r['load_avg_1m'][0]:.1f}->{r['load_avg_1m'][1]:.1f}" for r in rounds))
        for kind, label in (("cold", "cold"), ("warm", "warm 2nd tab")):
            def med(key: str, kind: str = kind) -> str:
                vals = [r[kind][key] for r in rounds if r[kind][key] is not None]
                return f"{statistics.median(vals):.2f}" if vals else "-"
            lines.append(f"{label} timeline (medians, s after goto): title shown {med('title_s')}, first chart element"
                         f" {med('first_chart_elem_s')}, plotly chunk {med('plotly_chunk_start_s')}->"
                         f"{med('plotly_chunk_end_s')}, first chart mounted {med('first_chart_mounted_s')}, first "
                         f"chart painted {med('first_chart_s')}, last chart element {med('last_chart_elem_s')}, "
                         f"all painted + idle {med('all_charts_s')}")
        alerts = sorted({a for r in rounds for k in ("cold", "warm") for a in r[k]["alerts"]})
        if alerts:
            lines.append("alerts/exceptions on the page: " + " | ".join(alerts))
        target = figures["cold: all charts painted + idle"]
        lines += ["", f"TARGET first page open (all Overview charts painted, cold server already started) "
                  f"< {TARGET_S:.0f} s: median {target['median']:.2f} s, max {target['max']:.2f} s -> "
                  + verdict(target), ""]
    lines.append(f"{'server-side cold work, fresh process (ms)':<52}{'median':>9}{'max':>9}")
    if any(s["preloaded"] for s in sides):
        lines.append(f"  WARNING: already imported before timing: {sides[0]['preloaded']} (import figures too low)")
    for name, st_ in step_stats.items():
        if name.startswith("again: "):
            continue
        lines.append(f"  {name:<50}{st_['median'] * 1000:>9.0f}{st_['max'] * 1000:>9.0f}")
    for name, st_ in side_totals.items():
        scale = 1 if "MB" in name else 1000  # seconds -> ms, except the memory row
        lines.append(f"{name:<52}{st_['median'] * scale:>9.0f}{st_['max'] * scale:>9.0f}")
    per_view_cold = {v: sum(step_stats[n]["median"] for n in step_names
                            if not n.startswith("again") and n.startswith(v + ":")) for v in PAGES["Overview"]}
    per_view_warm = {v: sum(step_stats[n]["median"] for n in step_names if n.startswith(f"again: {v}:"))
                     for v in PAGES["Overview"]}
    lines.append("per view, first / second call in the same process (ms, medians of query+chart+table+serialise): "
                 + ", ".join(f"{v} {per_view_cold[v] * 1000:.0f}/{per_view_warm[v] * 1000:.0f}"
                             for v in PAGES["Overview"]))
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    results = {"when": stamp, "command": lines[1], "store": str(store), "repeats": args.repeats,
               "viewport": args.viewport, "settle_s": args.settle, "target_s": TARGET_S,
               "load_avg_start": load_start, "load_avg_end": load_end, "figures": figures, "rounds": rounds,
               "server_side": {"steps": step_stats, "totals": side_totals, "per_view_cold_s": per_view_cold,
                               "per_view_again_s": per_view_warm, "runs": sides}}
    written = write_results(args.results, "first-open", stamp, text, results)
    print(f"results written to {written}.json and .txt")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "server-side":
        child_server_side(*sys.argv[2:])
    else:
        sys.exit(main())
