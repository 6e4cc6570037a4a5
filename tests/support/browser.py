"""Drive the dashboard in a real browser: start it on a free loopback port as ``./run.sh`` does, launch Debian's
Chromium through Playwright, wait for Streamlit runs to finish, read what a page shows; plus the load run (N browser
sessions changing filters while builds add articles) that tests/hostile/test_load.py asserts on and
bench/bench_load.py prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO
from tests.conftest import REUTERS_JSONL as REUTERS  # synthetic stories when absent

PY = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FILTERS = ["", "?country=US", "?q=oil", "?country=GB", "?q=bank%20rates", "?country=US&q=trade", "?country=JP"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard_process(store: Path, *, launcher: str = "serve", env: dict[str, str] | None = None,
                      streamlit_args: tuple[str, ...] = (), timeout: float = 90.0, poll_s: float = 0.3,
                      log_path: Path | None = None) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """The dashboard on a free loopback port, started as ``./run.sh`` does (``launcher="serve"``: ``python -m
    dashboard.serve``, i.e. ``streamlit run dashboard/app.py`` with the warm-up) or bare (``"streamlit"``); yields
    (base URL, process, seconds until ``/_stcore/health`` answered ``ok``) and stops the process afterwards."""
    port = free_port()
    start = ["-m", "dashboard.serve"] if launcher == "serve" else ["-m", "streamlit", "run", "dashboard/app.py"]
    cmd = [PY, *start, "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *streamlit_args, "--", "--store", str(store)]
    log = (open(log_path, "w") if log_path  # noqa: SIM115 - closed in finally
           else tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False, mode="w"))
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "NEWSLENS_STORE": str(store), **(env or {})})
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {Path(log.name).read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read().strip() == b"ok":
                    break
            if time.monotonic() > t0 + timeout:
                raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s")
            time.sleep(poll_s)
        yield url, proc, time.monotonic() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextlib.contextmanager
def start_dashboard(store: Path, env: dict[str, str] | None = None, timeout: float = 90.0) -> Iterator[str]:
    """Run the dashboard as ``./run.sh`` does on a free loopback port (no file watcher); yields the base URL."""
    with dashboard_process(store, env=env, timeout=timeout,
                           streamlit_args=("--server.fileWatcherType", "none")) as (url, _proc, _startup):
        yield url


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_rendered(page, timeout: float = 60_000,
                  selector: str = '[data-testid="stMetricValue"], [data-testid="stAlert"]') -> None:
    """Wait until Streamlit finished the run: the app is mounted and no element is stale/running."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """(sel) => { const app = document.querySelector('[data-testid="stApp"]');
                   return app && app.getAttribute('data-test-script-state') === 'notRunning'
                       && document.querySelector(sel); }""", arg=selector, timeout=timeout)


def shown_state(page) -> tuple[int | None, int | None]:
    """(store version in the sidebar caption, 'Articles' metric) as shown on the page."""
    side = page.locator('[data-testid="stSidebar"]').inner_text()
    m = re.search(r"version\s+(\d+)", side)
    metric = None
    for box in page.locator('[data-testid="stMetric"]').all():
        text = box.inner_text()
        if text.strip().startswith("Articles"):
            digits = re.sub(r"[^\d]", "", text.split("\n", 1)[-1])
            metric = int(digits) if digits else None
    return (int(m.group(1)) if m else None), metric


def expected_counts(store: Path, filters: list[str]) -> tuple[int, dict[str, int]]:
    """(corpus version, {url filter: article count}) of the store file as it is now."""
    from urllib.parse import parse_qs

    from analysis.filters import Filter
    from analysis.store import Store

    s = Store.open(store)
    try:
        out = {}
        for q in filters:
            params = {k: v[0] for k, v in parse_qs(q.lstrip("?")).items()}
            out[q] = s.count(Filter.from_params(params))["articles"]
        return s.corpus_version(), out
    finally:
        s.close()


def _write_jsonl(path: Path, start: int, n: int) -> None:
    if REUTERS.exists():
        lines = REUTERS.read_text(encoding="utf-8").splitlines(keepends=True)[start:start + n]
        path.write_text("".join(lines), encoding="utf-8")
        return
    words = "oil trade bank rates United States Britain Japan talks market".split()
    with path.open("w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            fh.write(json.dumps({"id": f"s{i}", "title": f"Story {i}", "text": " ".join(words * 10),
                                 "date": f"2024-02-{1 + i % 28:02d}"}) + "\n")


def prepare_store(folder: Path, n: int = 150) -> tuple[Path, list[Path]]:
    """A store built from the first ``n`` Reuters articles (or synthetic ones) + follow-up batches to add."""
    first = folder / "batch0.jsonl"
    _write_jsonl(first, 0, n)
    store = folder / "load.duckdb"
    subprocess.run([PY, "-m", "analysis", "build", str(first), "--store", str(store), "--quiet"], check=True,
                   capture_output=True, cwd=REPO)
    batches = []
    for k in range(1, 4):
        path = folder / f"batch{k}.jsonl"
        _write_jsonl(path, n + (k - 1) * 40, 40)
        batches.append(path)
    return store, batches


def run_load(store: Path, batches: list[Path], sessions: int = 10, seconds: float = 45.0,
             filters: list[str] = FILTERS, enrich: bool = True) -> dict:
    """Drive ``sessions`` browser contexts for ``seconds`` while builds add ``batches``; returns the figures."""
    from playwright.sync_api import sync_playwright

    versions: dict[int, dict[str, int]] = {}
    v, counts = expected_counts(store, filters)
    versions[v] = counts
    stop = threading.Event()
    build_log: list[str] = []

    def builder() -> None:
        sources = []
        for batch in batches:
            if stop.is_set():
                return
            sources.append(str(batch))
            res = subprocess.run([PY, "-m", "analysis", "build", *sources, "--store", str(store), "--quiet"]
                                 + ([] if enrich else ["--no-enrich"]),
                                 capture_output=True, text=True, cwd=REPO)
            build_log.append(res.stdout.splitlines()[0] if res.stdout else res.stderr[-300:])
            ver, cnt = expected_counts(store, filters)
            versions[ver] = cnt
            time.sleep(1.0)

    latencies: list[float] = []
    errors: list[str] = []
    torn: list[str] = []
    loads = 0
    with start_dashboard(store, env={"NEWSLENS_READ_ONLY": "1"}) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        pages = []
        for _ in range(sessions):
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            pages.append(ctx.new_page())
        for page in pages:  # warm: first load of each session
            page.goto(url + "/", wait_until="domcontentloaded")
        for page in pages:
            wait_rendered(page, timeout=120_000)
        build_thread = threading.Thread(target=builder, daemon=True)
        build_thread.start()
        t_end = time.monotonic() + seconds
        step = 0
        while time.monotonic() < t_end:
            # every session changes its filter at once (one browser, pages load concurrently), then all are awaited
            started = {}
            for i, page in enumerate(pages):
                q = filters[(step + i) % len(filters)]
                page.goto(url + "/" + q, wait_until="commit")
                started[i] = (time.perf_counter(), q)
            for i, page in enumerate(pages):
                t0, q = started[i]
                try:
                    wait_rendered(page)
                except Exception as exc:  # noqa: BLE001 - recorded as an error
                    errors.append(f"session {i} {q}: {type(exc).__name__}")
                    continue
                latencies.append(time.perf_counter() - t0)
                loads += 1
                if page.locator('[data-testid="stException"]').count():
                    errors.append(f"session {i} {q}: " + page.locator('[data-testid="stException"]').first.inner_text()[:300])
                ver, shown = shown_state(page)
                exp = versions.get(ver, {}).get(q)
                if ver not in versions:
                    # the build finished but expected_counts has not run yet: compute now for that version
                    time.sleep(0.5)
                    exp = versions.get(ver, {}).get(q)
                if exp is not None and shown != exp:
                    torn.append(f"session {i} {q}: version {ver} shows {shown}, store has {exp}")
            step += 1
        stop.set()
        build_thread.join(timeout=300)
        browser.close()
    lat = sorted(latencies)
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")  # noqa: E731
    return {"sessions": sessions, "seconds": seconds, "page_loads": loads, "errors": errors, "torn_reads": torn,
            "versions_seen": sorted(versions), "builds": build_log, "latency_p50_s": round(pct(0.50), 3),
            "latency_p95_s": round(pct(0.95), 3), "latency_max_s": round(lat[-1], 3) if lat else None}


#: the element containers the dashboard gives its charts (key "<key>_chart")
CHART_ELEMENTS = '[data-testid="stElementContainer"][class*="st-key-"][class*="_chart"]'


def wait_charts_drawn(page, timeout: float = 60_000, charts: bool = True) -> None:
    """Wait until the run finished with the page title shown, no element still a loading skeleton (a table whose
    code is still loading: screenshots showed empty boxes), and, if ``charts`` and the page has charts, every one
    is drawn (not just one: the server has sent each chart's element, keyed *_chart, and its JS draws it a moment
    later)."""
    wait_rendered(page, timeout=timeout, selector='[data-testid="stMain"] h1')
    page.wait_for_function("""() => !document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')""",
                           timeout=timeout)
    if charts and page.locator(CHART_ELEMENTS).count():
        page.wait_for_function(
            """(sel) => { const charts = document.querySelectorAll(sel);
                          return charts.length > 0 && [...charts].every(c => c.querySelector('.main-svg')); }""",
            arg=CHART_ELEMENTS, timeout=timeout)
