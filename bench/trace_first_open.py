"""Where a cold first open spends its time in the browser: a Chromium performance trace of one visit, summarised.

    .venv/bin/python bench/trace_first_open.py --store bench/results/reuters-14831.duckdb
    .venv/bin/python bench/trace_first_open.py --store bench/results/reuters-14831.duckdb --visit-after 0 --keep trace.json

``bench_first_open.py`` says *how long* the Overview takes to open; this says *what the browser's main thread does*
meanwhile. It starts the dashboard as ``./run.sh`` does (``python -m dashboard.serve``, read-only), waits
``--visit-after`` seconds (default 12: the warm-up has finished), opens ``/`` in a new Chromium context (empty cache)
with tracing on, waits until every Overview chart has a painted ``.main-svg``, and prints the renderer main thread's
long tasks (> ``--min-ms``, default 40 ms) in time order, each with its largest parts: module evaluation (the
lazily loaded plotly chunk), React commits that mount charts (``Plotly.newPlot`` runs inside them), the map's
topology load, layout and GC. Tracing slows the page a little, so the times are a bit above ``bench_first_open``'s.
Prints only; ``--keep FILE`` keeps the raw trace (open it in chrome://tracing or Perfetto).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CATEGORIES = ["devtools.timeline", "v8", "disabled-by-default-devtools.timeline", "blink.user_timing"]


def long_tasks(events: list[dict], min_ms: float) -> list[tuple[float, float, list[tuple[str, float]]]]:
    """(start s after navigation, duration ms, [(part, ms), ...]) of the renderer main thread's tasks over
    ``min_ms``; parts are the task's largest child events (name[url or function]) by duration."""
    runs = [e for e in events if e.get("name") == "RunTask" and e.get("ph") == "X"]
    names = {(e["pid"], e["tid"]): e["args"].get("name") for e in events if e.get("name") == "thread_name"}
    main = next((k for k, v in names.items() if v == "CrRendererMain"), None)
    if main is None:
        return []
    mine = sorted((e for e in events if (e.get("pid"), e.get("tid")) == main and e.get("ph") == "X"),
                  key=lambda e: e["ts"])
    starts = [e["ts"] for e in events if e.get("name") == "navigationStart" and e.get("pid") == main[0]]
    t0 = min(starts) if starts else mine[0]["ts"]
    out = []
    for task in (e for e in runs if (e["pid"], e["tid"]) == main and e.get("dur", 0) > min_ms * 1000):
        end = task["ts"] + task["dur"]
        parts = [c for c in mine if task["ts"] <= c["ts"] and c["ts"] + c.get("dur", 0) <= end
                 and c is not task and c["name"] != "RunTask"]
        parts.sort(key=lambda c: -c.get("dur", 0))
        described = []
        for c in parts[:3]:
            data = c.get("args", {}).get("data", {})
            where = (data.get("url") or data.get("functionName") or "") if isinstance(data, dict) else ""
            described.append((f"{c['name']}[{str(where)[-40:]}]" if where else c["name"], c.get("dur", 0) / 1000))
        out.append(((task["ts"] - t0) / 1e6, task["dur"] / 1000, described))
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--visit-after", type=float, default=12.0,
                    help="seconds between the server answering and the visit (default 12: warm-up done)")
    ap.add_argument("--min-ms", type=float, default=40.0, help="report main-thread tasks longer than this")
    ap.add_argument("--keep", type=Path, default=None, help="keep the raw trace JSON here")
    ap.add_argument("--viewport", default="1400x900")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, dashboard_process, launch_chromium

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} missing: apt-get install chromium")
    trace = args.keep or Path(tempfile.mkstemp(prefix="newslens-trace-", suffix=".json")[1])
    w, h = (int(x) for x in args.viewport.lower().split("x"))
    with dashboard_process(args.store.resolve(), env={"NEWSLENS_READ_ONLY": "1"}) as (url, _proc, _startup):
        time.sleep(args.visit_after)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                page = browser.new_context(viewport={"width": w, "height": h}).new_page()
                browser.start_tracing(page=page, path=str(trace), categories=CATEGORIES)
                t = time.monotonic()
                page.goto(url)
                page.wait_for_function(
                    """() => { const charts = document.querySelectorAll('.newslens-plot, [data-testid="stPlotlyChart"]');
                               return charts.length >= 6 && [...charts].every(c => c.querySelector('.main-svg')); }""",
                    timeout=120_000)
                painted = time.monotonic() - t
                time.sleep(1.0)  # the map draws after its (data: URL) topology loads
                browser.stop_tracing()
            finally:
                browser.close()
    events = json.loads(trace.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    print(f"traced visit: Overview charts painted {painted:.2f} s after goto (tracing on)")
    print(f"renderer main thread, tasks over {args.min_ms:g} ms (start s, ms, largest parts):")
    totals: dict[str, float] = collections.defaultdict(float)
    for start, ms, parts in long_tasks(events, args.min_ms):
        print(f"  {start:6.2f} s {ms:7.0f} ms  " + " | ".join(f"{name} {d:.0f}" for name, d in parts))
        if parts:
            totals[parts[0][0].split("[")[0]] += ms
    print("long-task time by largest part: " + ", ".join(f"{k} {v:.0f} ms" for k, v in
                                                        sorted(totals.items(), key=lambda kv: -kv[1])))
    if args.keep is None:
        trace.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
