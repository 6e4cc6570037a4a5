"""Everything the dashboard does at start-up and in the background, in one place, with its reasons.

Used by ``python -m dashboard.serve`` (what ``run.sh`` starts: :func:`launch`) and by the pages (``app.py`` calls
:func:`note_visit`; ``dashboard.data`` calls :func:`load_in_background` when it opens a store version).

- **Warm-up** (:func:`warm_up`): in the server's own process, before anyone visits, the heavy imports happen before
  the server starts, and a background thread opens the store, loads its term index into ``dashboard.data``'s cache,
  puts the Overview's unfiltered data into the pages' own cache once Streamlit's runtime is up
  (:func:`fill_page_cache`), draws the Overview's charts, then the other pages' charts into the same cache
  (:data:`OTHER_PAGES`), every other view and the Overview under one filter of each kind (see :func:`warm`; after the
  first page it waits whenever a visitor was served in the last :data:`QUIET_S` seconds, so it never competes with a
  browser that is still drawing), and finally hides what is alive then from the garbage collector
  (:func:`freeze_heap`). Why: without it the first visitor waits for the imports and the term index (~2.5 s on a
  15k-article store on 2 cores), the first keyword chart builds the index's transposed matrices (~1.2 s at 148k
  articles) and the first scan of each table runs from disk (a text scan at 148k: ~240 ms, later ~120 ms).
  ``bench/bench_first_open.py --launcher serve|streamlit`` and ``bench/bench_pages.py --serve-warm-up`` measure the
  difference.
- **Visits** (:func:`note_visit`, :func:`seconds_since_visit`): the time of the last page run, the one piece of
  shared state here; the warm-up and the idle collector read it to stay out of a visitor's way.
- **Garbage collection** (:func:`collect_when_idle`): full collections between page runs, not during one.
- **Launch** (:func:`launch`): ``sys.argv`` is set to what ``streamlit run`` sets, so ``dashboard.options`` reads
  the same ``-- --store PATH`` options either way.

No store data is cached here: the caches are ``dashboard.data``'s (this module only fills them early).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard import options

if TYPE_CHECKING:
    from analysis.store import Store

APP = Path(__file__).resolve().parent / "app.py"
#: the views the default page (Overview) draws first
#: the charts the default page (Overview, ``dashboard/app_pages/overview.py``) draws in a first run, with their
#: parameters; ``tests/dashboard/test_dashboard_pages.py`` checks that the page asks for exactly these
FIRST_PAGE: dict[str, dict] = {
    "volume": {"normalise": False}, "country_map": {}, "country_bar": {}, "entity_bar": {"top": 15},
    "keywords": {"k": 15}, "topic_bar": {},
}
FIRST_PAGE_VIEWS = tuple(FIRST_PAGE)
#: the other pages' charts whose parameters do not depend on the store (``{page key: {view: params}}``, the keys
#: ``components.draw`` gets), as a first run with no filter asks for them: the warm-up draws them into the pages'
#: cache, and ``dashboard.data.fetch_ahead`` knows them before the page was ever visited. Left out: the Keywords
#: trends and the Entities timeline (their terms and entities are the store's top ones) and Compare (slice B).
#: ``tests/dashboard/test_dashboard_pages.py`` checks each page asks for these.
OTHER_PAGES: dict[str, dict[str, dict]] = {
    "tp": {"topic_map": {}, "article_map": {}, "topics_over_time": {"normalise": False}, "topic_country": {}},
    "en": {"entity_bar": {"labels": (), "top": 20}, "cooccurrence": {"top": 30, "labels": (), "level": "sentence"}},
    "kw": {"keywords": {"k": 25}},
    "ev": {"events": {"lanes": "country"}},
}
#: pause between warm-up views once the first page's own charts are warm (one Python process, one GIL)
PAUSE_S = 0.1
#: after the first page's charts, the warm-up waits until no page has run for this long: a visitor's browser is
#: still drawing for a few seconds after the run (2 cores: the warm-up would take CPU from Chromium)
QUIET_S = 5.0
#: how long the warm-up waits for Streamlit's runtime before filling the pages' cache (it starts with the server)
RUNTIME_TIMEOUT_S = 30.0


def sample_filters(store) -> list:
    """No filter, then one filter of each kind (``analysis.slices.filter_samples``: top country, a month, top
    keyword as a text query, top entity, largest topic): between them they read every table a filter uses."""
    from analysis import slices
    from analysis.filters import Filter

    return [Filter(), *(values[0] for values in slices.filter_samples(store).values())]


def first_visit_calls() -> list[tuple[str, tuple, dict]]:
    """What a visitor's first run with no filter asks ``dashboard.data`` for besides the Overview's chart data: the
    sidebar's option lists (``state.sidebar``) and the Overview's counts. ``tests/dashboard/test_serve.py`` checks
    that after :func:`fill_page_cache` such a run computes nothing."""
    from analysis.filters import Filter
    from dashboard.state import ENTITY_OPTIONS

    return [("date_range", (), {}), ("countries", (Filter(),), {}), ("topics", (), {}), ("sources", (), {}),
            ("entity_catalog", ("",), {"limit": ENTITY_OPTIONS}), ("languages", (), {}), ("stats", (), {}),
            ("count", (Filter(),), {})]


def wait_for_runtime(timeout_s: float) -> bool:
    """Wait up to ``timeout_s`` for Streamlit's runtime (``cli.main`` creates it once the server starts); whether it
    exists."""
    from streamlit.runtime import Runtime

    deadline = time.monotonic() + timeout_s
    while not Runtime.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return Runtime.exists()


def fill_page_cache(store: Store) -> None:
    """Compute into the dashboard's own cache (``dashboard.data``, ``st.cache_data``) everything the first page asks
    for with no filter, so the first visitor's run finds it there instead of computing it while the browser waits,
    the first page's charts included (drawn and serialised, as :func:`dashboard.data.drawn_view` caches them).

    In the server, call it once the runtime exists (:func:`wait_for_runtime`): ``st.cache_data`` keeps its entries
    in the runtime, and ``dashboard.data`` is imported only then, as the pages import it."""
    from dashboard import data

    for name, args, kwargs in first_visit_calls():
        data.call(store, name, *args, **kwargs)
    draw_into_cache(store, FIRST_PAGE)


def draw_into_cache(store: Store, charts: dict[str, dict], quiet_s: float = 0.0) -> None:
    """Draw ``charts`` (``{view: params}``) with no filter into the pages' cache (``dashboard.data.drawn_view``),
    each once no page has run for ``quiet_s``; a view that cannot be drawn is skipped (e.g. no topics: the page
    shows the reason itself)."""
    from analysis.filters import Filter
    from dashboard import data

    for name, params in charts.items():
        wait_until_quiet(quiet_s)
        try:
            data.drawn_view(store, name, Filter(), **params)
        except Exception:  # noqa: BLE001, S112 - see above
            continue


def warm(store_path: Path, runtime_timeout_s: float = 0.0) -> None:
    """Open ``store_path`` (the Store ``dashboard.data`` caches for the pages: ``st.cache_resource`` needs no
    runtime), load its term index into ``dashboard.data``'s cache, put the first page's data in the dashboard's
    cache and draw its charts from there (:func:`fill_page_cache`; once the runtime is up within
    ``runtime_timeout_s``, else the charts are only drawn), then the other pages' charts of :data:`OTHER_PAGES`
    (into the cache too, and noted for ``fetch_ahead``), every other view once and the first page under each
    of :func:`sample_filters`. Results are discarded; what stays is the term index (with its transposed matrices),
    DuckDB's buffers of the tables pages and filters read, the text scans ``dashboard.data`` keeps, and the imports.
    Silent when there is no store yet (the first visit builds it with a progress bar)."""
    from analysis import catalog
    from analysis.filters import Filter
    from analysis.store import StoreError
    from dashboard import data

    try:
        store = data.open_store(store_path)
    except StoreError:
        return
    if store is None:
        return
    try:
        data.term_index(store)
        runtime = wait_for_runtime(runtime_timeout_s)
        if runtime:  # the first page's data, where its first run looks for it
            fill_page_cache(store)
        else:  # no runtime (tests): the first page's figures, so their code paths (not the results) stay warm
            for name in FIRST_PAGE_VIEWS:
                catalog.render(name, store, Filter(), **FIRST_PAGE[name])
        data.note_plans(OTHER_PAGES)  # a filter changed on the first page is drawn ahead for the others too
        drawn = set(FIRST_PAGE_VIEWS)
        if runtime:  # the other pages' charts, where their first runs look for them
            for charts in OTHER_PAGES.values():
                draw_into_cache(store, charts, QUIET_S)
                drawn.update(charts)
        filters = sample_filters(store)
        # then, gently (a pause between views leaves the GIL to visitors): every view not drawn above once, which
        # reads the tables the other pages use, and the first page under one filter of each kind, which reads the
        # filters'
        later = [(name, filters[0]) for name in catalog.VIEWS if name not in drawn]
        later += [(name, f) for f in filters[1:] for name in FIRST_PAGE_VIEWS]
        slice_b = filters[1] if len(filters) > 1 else filters[0]
        for name, f in later:
            wait_until_quiet(QUIET_S)
            catalog.render(name, store, f, **({"compare": slice_b} if catalog.VIEWS[name].needs_compare else {}))
            time.sleep(PAUSE_S)
    except Exception:  # noqa: BLE001 - warming is best effort; the page reports real errors with context
        pass


def warm_up(store_path: Path) -> None:
    """What the server's background thread does: :func:`warm` (its runtime comes up meanwhile), then
    :func:`freeze_heap`."""
    warm(store_path, runtime_timeout_s=RUNTIME_TIMEOUT_S)
    freeze_heap()


def freeze_heap() -> None:
    """Collect once, then hide every object alive now (imports, the store, the term index, what the warm-up left)
    from the cyclic garbage collector (``gc.freeze``): later full collections scan only what visits allocate.
    Why: a rerun allocates many short-lived cyclic objects (plotly figures), so every few reruns Python runs a
    full collection over the whole heap; in ``bench_pages`` five such collections over ~157k objects took 77 ms
    (median) to 140 ms each and landed on random page runs as the p95 outliers."""
    import gc

    gc.collect()
    gc.freeze()


#: full collections run once no page has run for this long (between a visitor's clicks) ...
GC_QUIET_S = 1.0
#: ... or, under non-stop traffic, at least this often
GC_MAX_INTERVAL_S = 120.0
#: each collection freezes what survives it, so the next scans only what page runs allocated since; this often, one
#: collection unfreezes first and scans everything (a cycle that became garbage after it was frozen is freed then)
GC_FULL_INTERVAL_S = 600.0


def collect_when_idle(stop: threading.Event | None = None, poll_s: float = 0.25) -> None:
    """Run Python's full (generation 2) garbage collections between page runs instead of in the middle of one.

    Automatic full collections are switched off (the generation-2 threshold is raised out of reach); this loop
    calls ``gc.collect()`` when a page has run since the last collection and none has for :data:`GC_QUIET_S`, or
    when :data:`GC_MAX_INTERVAL_S` passed, so cyclic garbage is still freed. Why: even after :func:`freeze_heap`,
    full collections took ~40 ms (up to 84 ms) and hit about one page run in fifteen, which is the p95 of a page.
    After each collection the survivors are frozen too (``gc.freeze``): on the 15k store the collections over what
    visits had left took 21-116 ms (7 in a minute of ``bench_clicks``), long enough to delay a click that came
    during one; each now scans only what was allocated since the last. Every :data:`GC_FULL_INTERVAL_S` one
    collection unfreezes first. Returns when ``stop`` is set (tests)."""
    import gc

    stop = threading.Event() if stop is None else stop  # the server's is never set
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], 1_000_000_000)
    last_collect = last_full = time.monotonic()
    try:
        while not stop.wait(poll_s):
            now, since_visit = time.monotonic(), seconds_since_visit()
            visited = since_visit < now - last_collect  # a page ran after the last collection
            if (visited and since_visit >= GC_QUIET_S) or now - last_collect >= GC_MAX_INTERVAL_S:
                if now - last_full >= GC_FULL_INTERVAL_S:
                    gc.unfreeze()
                    last_full = now
                gc.collect()
                gc.freeze()
                last_collect = time.monotonic()
    finally:
        gc.set_threshold(*thresholds)


#: monotonic time of the last page run's start or end (a list so any thread sees the update)
_last_visit = [float("-inf")]


def note_visit() -> None:
    """Record that a page run starts or ends now (the warm-up and the idle collector yield to visitors)."""
    _last_visit[0] = time.monotonic()


def seconds_since_visit() -> float:
    """Seconds since :func:`note_visit` was last called (infinite before the first visit)."""
    return time.monotonic() - _last_visit[0]


def wait_until_quiet(quiet_s: float, still_wanted: Callable[[], bool] = lambda: True, poll_s: float = 0.25) -> bool:
    """Block until no page has run for ``quiet_s`` seconds (background work yields to visitors); False, at once,
    when ``still_wanted()`` turns false meanwhile (a newer job took over)."""
    while seconds_since_visit() < quiet_s:
        if not still_wanted():
            return False
        time.sleep(poll_s)
    return still_wanted()


def load_in_background(load: Callable[[], Any], name: str = "newslens-term-index") -> threading.Thread:
    """Run ``load`` on a daemon thread and return at once. ``dashboard.data`` starts the term index this way when it
    opens a store version: the slowest thing a first page needs (keywords), so it loads while the page draws the
    rest. Errors are left to the first real call, which reports them with context."""
    def run() -> None:
        try:
            load()
        except Exception:  # noqa: BLE001 - the page that needs it raises it with context
            pass

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def launch(argv: list[str] | None = None) -> None:
    """``python -m dashboard.serve [streamlit options] [-- app options]``: the imports, the warm-up and the idle
    collector threads, then Streamlit's own ``streamlit run dashboard/app.py``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    streamlit_args, app_args = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    sys.argv = [str(APP), *app_args]  # what `streamlit run` sets, so dashboard.options reads the same options
    import pandas  # noqa: F401 - imported now so the first visitor does not wait for it
    import plotly.graph_objects  # noqa: F401

    from analysis import catalog  # noqa: F401

    threading.Thread(target=warm_up, args=(options.store_path(),), name="newslens-warm-up", daemon=True).start()
    threading.Thread(target=collect_when_idle, name="newslens-idle-gc", daemon=True).start()
    from streamlit.web import cli

    cli.main(["run", str(APP), *streamlit_args, "--", *app_args], prog_name="streamlit")
