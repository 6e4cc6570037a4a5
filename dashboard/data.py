"""The dashboard's one cache layer: which store to open, opening it, and every cached query.

Store path: ``streamlit run dashboard/app.py -- --store PATH``, else env ``NEWSLENS_STORE``, else
:data:`analysis.store.DEFAULT_STORE`. A missing *default* store is built from ``data/corpus/`` on first run.

Caching: the :class:`~analysis.store.Store` is a ``st.cache_resource`` keyed on the on-disk
:class:`~analysis.store.StoreVersion` (a new build is picked up on the next rerun; one rerun sees one version). Frames
are ``st.cache_data`` keyed on (store version, function name, arguments); a Filter is frozen and hashable. A chart
as the page draws it is cached as its serialised JSON (:func:`drawn_view`): building and serialising the six
figures of the Overview was ~60% of a rerun whose data was already cached. :func:`render_view` draws a fresh
figure (exports, which need the figure object).

Prefetch: a page names the data it will need (:func:`prefetch`, :func:`prefetch_views`) and worker threads fill the
cache while the page script draws: DuckDB runs without the GIL, so one chart's query overlaps another chart's
figure. The page's own calls then hit the cache or wait for the worker already computing that entry
(``st.cache_data`` computes each key once).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.io as pio
import streamlit as st

from analysis import catalog, figures, slices
from analysis.filters import Filter, FilterNames
from analysis.store import DEFAULT_STORE, NO_FILTER, Store, StoreDamaged, StoreError, store_version
from dashboard import options
from dashboard.options import parse_args, read_only  # noqa: F401 - part of this module's API
from dashboard.plotly_component import trace_types
from dashboard.text import safe_markdown

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "data" / "corpus"


# ------------------------------------------------------------------------------------------------ configuration
def store_path() -> Path:
    """The store this dashboard shows: ``--store`` > ``$NEWSLENS_STORE`` > :data:`DEFAULT_STORE`."""
    return options.store_path(DEFAULT_STORE)


def folder_root() -> Path | None:
    """Env ``NEWSLENS_FOLDER_ROOT``: the only folder the Data page may read server paths from (shared deployments).
    Unset = any path the server can read (a personal install)."""
    root = os.environ.get("NEWSLENS_FOLDER_ROOT", "").strip()
    return Path(root).expanduser().resolve() if root else None


def allowed_server_path(path: str) -> Path | None:
    """The resolved path when the Data page may read it (inside :func:`folder_root` when one is set), else None."""
    target = Path(path.strip()).expanduser().resolve()
    root = folder_root()
    if root is not None and target != root and root not in target.parents:
        return None
    return target


def collect_private_allowed() -> bool:
    """Env ``NEWSLENS_COLLECT_PRIVATE=1``: the Data page may fetch feed URLs on loopback/private networks. Off by
    default, so visitors cannot make the server fetch its own internal services."""
    return os.environ.get("NEWSLENS_COLLECT_PRIVATE", "").strip().lower() in ("1", "true", "yes", "on")


def is_default_store(path: Path) -> bool:
    return Path(path).expanduser().resolve() == DEFAULT_STORE.resolve()


def corpus_available(folder: Path = CORPUS_DIR) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


# ------------------------------------------------------------------------------------------------ opening
@st.cache_resource(max_entries=4, show_spinner=False)
def _open(version) -> Store:
    """One Store per on-disk version, shared by every session and by ``dashboard.startup``'s warm-up (so the tables
    the warm-up read are in that DuckDB instance's buffers when the first visitor filters); old versions drop out of
    the cache (and their snapshot) after 4 builds. The store asks this module for its term index and text scans
    (:func:`term_index`, :func:`_text_match`), so they are cached here, per version, and nowhere else. The term
    index (the slowest thing a first page needs, for keywords) starts loading in the background now."""
    store = Store.open(version.path)
    store.term_index_source = lambda: term_index(store)
    store.text_matches = lambda words, scan: _text_match(store, version, words, scan)
    from dashboard import startup

    startup.load_in_background(lambda: term_index(store))
    return store


def open_store(path: Path) -> Store | None:
    """The cached Store of the current on-disk version of ``path`` (None when there is no store file)."""
    version = store_version(path)
    return None if version is None else _open(version)


@st.cache_resource(max_entries=2, show_spinner=False)
def _term_index(_store: Store, version: Any):
    return slices.build_term_index(_store)


def term_index(store: Store):
    """The :class:`analysis.keywords.TermIndex` of ``store``'s version, built once per version (sessions and threads
    asking at the same time wait for the one build) and kept for the last 2 versions."""
    return _term_index(store, _version_key(store))


@st.cache_resource(max_entries=64, show_spinner=False)
def _text_match(_store: Store, version: Any, words: tuple[str, ...], _scan: Callable[[], Any]):
    """The uids (an Arrow table) of the articles holding every one of ``words``: one scan per query string and
    version, shared by the charts of a page (their queries semi-join it) and every session; the last 64 kept."""
    return _scan()


def get_store(autobuild: bool = True) -> Store | None:
    """The Store for this rerun, or None when there is none (the caller shows the empty state).

    When the default store is missing and ``data/corpus/`` has files, it is built first with a progress bar.
    Raises StoreError when the file exists but cannot be opened (the message says what to do).
    """
    path = store_path()
    pinned = st.session_state.get(_RUN_VERSION)
    if not autobuild and pinned is not None and pinned.path == str(path.resolve()):
        # A page: use the version app.py resolved at the top of this run, so the sidebar, the counts and every
        # chart of one rerun read one snapshot even if a build swaps in a new file meanwhile (no torn reads).
        return _open(pinned)
    version = store_version(path)
    if version is None and autobuild and is_default_store(path) and corpus_available() and not read_only():
        build_with_progress([str(CORPUS_DIR)], path, title="First run: building the store from data/corpus/")
        version = store_version(path)
    if autobuild:  # app.py, once per run: pin this run's version
        st.session_state[_RUN_VERSION] = version
    if version is None:
        return None
    return _open(version)


_RUN_VERSION = "_nl_run_store_version"


def build_with_progress(sources: list[str], path: Path, title: str = "Building the store", options=None,
                        isolated: bool = False):
    """Run :func:`analysis.pipeline.build` with a ``st.progress`` bar; returns the BuildReport.

    If the topic step is not available in this installation (ImportError), the build is redone without topics and
    a warning says so, so the rest of the dashboard still works. ``isolated``: run it in a child process with a
    memory limit (:mod:`analysis.isolated`; the Data page's builds of visitors' input), so an upload that needs more
    memory than allowed fails alone with a clear message instead of taking the server down.
    """
    from analysis.pipeline import BuildOptions, build

    options = options or BuildOptions()
    bar = st.progress(0.0, text=title)

    def progress(stage: str, done: int, total: int) -> None:
        frac = min(done / total, 1.0) if total else 0.0
        bar.progress(frac, text=f"{title}: {stage} {done:,}/{total:,}" if total else f"{title}: {stage} {done:,}")

    if isolated:
        from analysis.isolated import build_isolated

        try:
            return build_isolated(sources, path, options, progress=progress,
                                  on_warning=lambda text: st.warning(safe_markdown(text)))
        finally:
            bar.empty()
    try:
        report = build(sources, path, options, progress=progress)
    except ImportError as exc:
        if not options.topics:
            raise
        st.warning(f"Topics are not available in this installation ({safe_markdown(exc)}); building without topics.")
        options.topics = False
        report = build(sources, path, options, progress=progress)
    bar.empty()
    return report


# ------------------------------------------------------------------------------------------------ cached calls
def _version_key(store: Store) -> Any:
    return store.version if store.version is not None else ("memory", id(store))


def _store_method(name: str) -> Callable[..., Any]:
    return lambda store, *args, **kwargs: getattr(store, name)(*args, **kwargs)


#: Everything a page may ask for; each entry is (store, *args, **kwargs) -> DataFrame / dict / tuple.
def _learned_boilerplate(store: Store) -> pd.DataFrame:
    """source, paragraph, articles, of_articles, status of the boilerplate learned per source (see
    analysis.ingest.boilerplate)."""
    from analysis.ingest.boilerplate import MODEL_NAME, BoilerplateModel

    payload = store.model_payload(MODEL_NAME)
    rows = BoilerplateModel.from_bytes(payload).learned()
    return pd.DataFrame(rows, columns=["source", "paragraph", "articles", "of_articles", "status"])


_CALLS: dict[str, Callable[..., Any]] = {
    "stats": _store_method("stats"),
    "builds": _store_method("builds"),
    "count": _store_method("count"),
    "date_range": _store_method("date_range"),
    "topic_unit": _store_method("topic_unit"),
    "sources": _store_method("sources"),
    "languages": _store_method("languages"),
    "boilerplate": lambda store: _learned_boilerplate(store),
    "topics": _store_method("topics"),
    "topic_article_counts": _store_method("topic_article_counts"),
    "countries": lambda store, f=NO_FILTER: slices.countries(store, f),
    "entities": _store_method("entities"),
    "entity_catalog": _store_method("entity_catalog"),
    "entity_names": _store_method("entity_names"),
    "articles": _store_method("articles"),
    "events": _store_method("events"),
    "article_detail": lambda store, uid: slices.article_detail(store, uid),
    "view_data": lambda store, name, f, params: catalog.VIEWS[name].data(store, f, dict(params)),
    "filter_names": lambda store, *filters: slices.filter_names(store, *filters),
}


# A Filter is keyed by its repr (every field, in order): Streamlit's generic hashing of the dataclass took 0.3 ms
# per key, the repr 0.07 ms, and a page computes 15-20 keys per run.
@st.cache_data(max_entries=512, show_spinner=False, hash_funcs={Filter: repr})
def _call(_store: Store, version: Any, name: str, args: tuple, kwargs: tuple) -> Any:
    return _CALLS[name](_store, *args, **dict(kwargs))


def _freeze(value: Any) -> Any:
    """Lists/sets/dicts -> tuples so arguments hash the same way every run."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_freeze(v) for v in value)
    return value


def call(store: Store, name: str, *args: Any, **kwargs: Any) -> Any:
    """Cached ``name`` (a key of ``_CALLS``) on ``store``; the result is a fresh copy each call (safe to mutate)."""
    return _call(store, _version_key(store), name, _freeze(args), _freeze(kwargs))


#: Two workers: one query per core while the page script holds the GIL drawing figures.
_PREFETCH = ThreadPoolExecutor(max_workers=2, thread_name_prefix="newslens-prefetch")


def prefetch(store: Store, calls: Iterable[tuple[str, tuple, dict[str, Any]]]) -> list[Future]:
    """Start ``call(store, name, *args, **kwargs)`` for each ``(name, args, kwargs)`` in worker threads and return
    at once (the futures, for tests; pages never wait on them). A failing prefetch is dropped: the page's own call
    runs it again and shows the error where it belongs."""
    version = _version_key(store)
    return [_PREFETCH.submit(_prefetch_one, store, version, name, _freeze(tuple(args)), _freeze(dict(kwargs)))
            for name, args, kwargs in calls]


def _prefetch_one(store: Store, version: Any, name: str, args: tuple, kwargs: tuple) -> None:
    try:
        _call(store, version, name, args, kwargs)
    except Exception:  # noqa: BLE001, S110 - see prefetch()
        pass


def prefetch_views(store: Store, f: Filter, charts: dict[str, dict[str, Any]]) -> list[Future]:
    """:func:`prefetch` the data of views ``{name: params}`` under ``f``, as :func:`render_view` will ask for it
    (in the given order, once per data entry: the map and the country bar share one)."""
    keys = dict.fromkeys((_data_owner(name), _freeze(params)) for name, params in charts.items() if name in catalog.VIEWS)
    return prefetch(store, [("view_data", (owner, f, params), {}) for owner, params in keys])


# -------------------------------------------------------------------------------------- other pages, ahead
#: what each page's charts last asked for (``{page key: {view: params}}``, noted by ``components.draw``). After a
#: run under a filter, the other pages' charts under that filter are fetched and drawn (:func:`drawn_view`'s
#: cache) while the visitor looks at the page, so switching page after a filter change finds them ready (on 15k
#: articles the Topics page's first run under a new filter took 0.3-0.75 s: its queries and four figures; from
#: the cache ~0.1 s). A page's first visit has no plan yet.
_PLANS: dict[str, dict[str, dict[str, Any]]] = {}
#: one fetch at a time (a plan's views one by one: never more than one core); daemon threads, so a fetch never
#: holds up the server's exit
_AHEAD_LOCK = threading.Lock()
_AHEAD_LATEST: list[Any] = [None]
#: the fetch starts once no page has run for this long, and waits again whenever one has (the browser is still
#: drawing the page for up to a second after its run: the 2 cores are its first)
AHEAD_QUIET_S = 2.0


def note_plans(plans: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Note pages' charts (``{page key: {view: params}}``) for :func:`fetch_ahead` before those pages are visited
    (``dashboard.startup`` notes the ones it knows); a page's own visit notes what it really drew."""
    for page, charts in plans.items():
        _PLANS.setdefault(page, dict(charts))


def fetch_ahead_enabled() -> bool:
    """``NEWSLENS_FETCH_AHEAD=0`` turns :func:`fetch_ahead` off: on a server shared by many visitors, each filter
    change then costs no background CPU (a few hundred ms to ~2 s once quiet), and a first switch to another page
    computes its charts instead of finding them cached."""
    return os.environ.get("NEWSLENS_FETCH_AHEAD", "1").strip().lower() not in ("0", "false", "no", "off")


def fetch_ahead(store: Store, f: Filter, page: str, charts: dict[str, dict[str, Any]]) -> Future:
    """Note that page ``page`` draws ``charts`` (``{view: params}``), then fetch, in the background, the data of
    every other page's noted charts under ``f`` (see :data:`_PLANS`). A newer call stops an older fetch between
    two views. Returns the future (for tests); with :func:`fetch_ahead_enabled` false, a done one that fetched
    nothing."""
    if not fetch_ahead_enabled():
        done: Future = Future()
        done.set_result(0)
        return done
    _PLANS[page] = dict(charts)
    views = dict.fromkeys((name, _freeze(params)) for other, plan in list(_PLANS.items())
                          if other != page for name, params in plan.items() if name in catalog.VIEWS)
    token = object()
    _AHEAD_LATEST[0] = token
    future: Future = Future()
    version = _version_key(store)

    def run() -> None:
        with _AHEAD_LOCK:
            try:
                future.set_result(_fetch_ahead(store, version, f, list(views), token))
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits on the future
                future.set_exception(error)

    threading.Thread(target=run, name="newslens-ahead", daemon=True).start()
    return future


def _fetch_ahead(store: Store, version: Any, f: Filter, views: list[tuple[str, tuple]], token: object) -> int:
    """Draw ``views`` (``(name, frozen params)``) under ``f`` into the page cache, one at a time and only while
    no page runs; stop when a newer fetch began. Returns how many were drawn."""
    from dashboard import startup

    fetched = 0
    for name, params in views:
        if not startup.wait_until_quiet(AHEAD_QUIET_S, lambda: _AHEAD_LATEST[0] is token, poll_s=0.1):
            break  # a newer filter's fetch takes over
        try:
            _drawn(store, version, name, f, None, params)  # the data, and the chart as the page sends it
        except Exception:  # noqa: BLE001, S112 - as in prefetch(): the page's own call shows the error
            continue
        fetched += 1
    return fetched


def stats(store: Store) -> dict[str, Any]:
    return call(store, "stats")


def count(store: Store, f: Filter) -> dict[str, int]:
    return call(store, "count", f)


def articles(store: Store, f: Filter, limit: int = 50, offset: int = 0, order: str = "date") -> pd.DataFrame:
    return call(store, "articles", f, limit=limit, offset=offset, order=order)


def article_detail(store: Store, uid: int) -> dict[str, Any] | None:
    return call(store, "article_detail", int(uid))


@st.cache_resource(max_entries=2, show_spinner=False)
def _vector_index(_store: Store, version: Any):
    from analysis.similar import VectorIndex

    return VectorIndex.from_store(_store)


def similar_articles(store: Store, uid: int, n: int = 5) -> tuple[pd.DataFrame | None, str | None]:
    """(the ``n`` articles nearest in meaning to ``uid``, None) or (None, why there are none). The vectors are
    loaded once per store version."""
    from analysis.similar import NoVectorsError
    from analysis.similar import similar_articles as nearest

    try:
        return nearest(store, int(uid), n=n, index=_vector_index(store, _version_key(store))), None
    except NoVectorsError as exc:
        return None, str(exc)


def view_data(store: Store, name: str, f: Filter, params: dict[str, Any]) -> Any:
    """Cached data of view ``name``; views with the same data function (the world map and the country bar) share
    one cache entry, so a page showing both runs the query once."""
    return call(store, "view_data", _data_owner(name), f, _freeze(params))


def _data_owner(name: str) -> str:
    fn = catalog.VIEWS[name].data
    return next(n for n, v in catalog.VIEWS.items() if v.data is fn)


def view_freq(store: Store, f: Filter, params: dict[str, Any]) -> str:
    """The period a time view uses for ``params`` (resolves "auto" the way the view does)."""
    return catalog.resolve_freq(params.get("freq"), call(store, "date_range"), f)


def render_view(store: Store, name: str, f: Filter = NO_FILTER, height: int | None = None, **params: Any):
    """(figure, csv table) of view ``name``, like :func:`analysis.catalog.render` but with the data cached;
    ``height`` in px overrides the figure's.

    The figure is drawn fresh on every call (for an export; :func:`drawn_view` caches what the page sends).
    """
    data = view_data(store, name, f, params)
    fig = catalog.figure(name, data, f, names=filter_names(store, f, params.get("compare")), **params)
    if height:
        fig.update_layout(height=height)
    return fig, catalog.VIEWS[name].table(data)


@dataclass(frozen=True)
class DrawnView:
    """A view as the page draws it: the figure as plotly JSON (``plotly.io.to_json``), the trace types in it (the
    chart component draws only some), and its CSV table."""

    figure_json: bytes
    trace_types: frozenset[str]
    table: pd.DataFrame | None


@st.cache_data(max_entries=192, show_spinner=False, hash_funcs={Filter: repr})
def _drawn(_store: Store, version: Any, name: str, f: Filter, height: int | None, params: tuple) -> DrawnView:
    with figures.unvalidated():  # the builders run validated in every test and export
        fig, table = render_view(_store, name, f, height, **dict(params))
    return DrawnView(pio.to_json(fig, validate=False).encode(), trace_types(fig), table)


def drawn_view(store: Store, name: str, f: Filter = NO_FILTER, height: int | None = None,
               **params: Any) -> DrawnView:
    """View ``name`` under ``f`` as the page draws it (cached; ``height`` in px overrides the figure's)."""
    return _drawn(store, _version_key(store), name, f, height, _freeze(params))


def filter_names(store: Store, *filters: Filter | None) -> Any:
    """Country, topic and entity names of the filters' ids (cached), for ``Filter.describe``."""
    if not any(f is not None and (f.countries or f.topics or f.entities) for f in filters):
        return FilterNames()  # nothing to look up: no cache entry, no query
    return call(store, "filter_names", *filters)


def describe(store: Store, f: Filter) -> str:
    """The filter in words ("about North Korea · topic "won · market" · mentioning Lee Jae Myung")."""
    return f.describe(filter_names(store, f))


def clear_caches() -> None:
    """Forget cached frames and text scans (after a build the version key changes anyway; this frees memory
    sooner)."""
    _call.clear()
    _drawn.clear()
    _text_match.clear()


# ------------------------------------------------------------------------------------------------ repair
def has_previous() -> bool:
    """True when the version the last build replaced (``STORE.prev``) is on disk and can be restored."""
    from analysis.store import previous_path

    return previous_path(store_path()).exists()


def restore_previous() -> str:
    """Swap ``STORE.prev`` back in (see :func:`analysis.store.restore_previous`); returns what was done, in words.
    Raises StoreError (no previous version, or it cannot be read either)."""
    from analysis import store as store_mod

    done = store_mod.restore_previous(store_path(), lock_timeout=5.0)
    clear_caches()
    kept = "" if done.kept_aside is None else f"; the replaced file is kept as {done.kept_aside.name}"
    return f"Restored the previous version of {done.path.name}{kept}."


def set_aside_damaged() -> str:
    """Rename the store file to ``STORE.damaged-TIMESTAMP`` so the next build starts a new store; returns it in words."""
    from analysis import store as store_mod

    aside = store_mod.set_aside(store_path(), lock_timeout=5.0)
    clear_caches()
    return f"Kept the damaged file as {aside.name}; the next build starts a new store."


__all__ = [
    "CORPUS_DIR", "StoreDamaged", "StoreError", "article_detail", "articles", "build_with_progress", "call",
    "DrawnView", "clear_caches", "corpus_available", "count", "describe", "drawn_view", "filter_names", "get_store",
    "has_previous", "is_default_store", "parse_args", "read_only", "render_view", "restore_previous", "set_aside_damaged",
    "stats", "store_path", "view_data", "view_freq",
]


# ------------------------------------------------------------------------------------------------ uploads
MAX_UPLOAD_FILES = 200


def upload_limit_mb() -> int:
    """The one upload limit, in MB (2**20 bytes): Streamlit's ``server.maxUploadSize`` (.streamlit/config.toml).
    Streamlit refuses a larger file in the browser, before it is sent; the Data page applies the same number to
    all the files of one build together, and its help text shows it."""
    return int(st.get_option("server.maxUploadSize"))


def upload_limit_bytes() -> int:
    return upload_limit_mb() * 2**20


class UploadRejected(ValueError):
    """The upload breaks a limit (too many files, too large); the message says which and by how much."""


def sanitise_filename(name: str, index: int = 0) -> str:
    """A client-supplied file name -> a safe single path component (no directories, no leading dots, no control
    characters, at most 120 characters, extension kept). Empty results become ``upload_<index>``."""
    import re

    base = str(name).replace("\\", "/").split("/")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip(".")
    base = base[-120:] if len(base) > 120 else base
    return base if base.strip("._-") else f"upload_{index}"


def save_uploads(files: list[tuple[str, bytes]], folder: str | Path, max_files: int = MAX_UPLOAD_FILES,
                 max_bytes: int | None = None) -> list[Path]:
    """Write uploaded ``(name, content)`` pairs into ``folder`` under sanitised, unique names; returns the paths.

    Raises UploadRejected before writing anything when there are more than ``max_files`` files or more than
    ``max_bytes`` in total (default :func:`upload_limit_bytes`). Every path is checked to lie inside ``folder``.
    """
    max_bytes = upload_limit_bytes() if max_bytes is None else max_bytes
    folder = Path(folder).resolve()
    if len(files) > max_files:
        raise UploadRejected(f"{len(files)} files uploaded; at most {max_files} per build. Zip them or use a folder.")
    total = sum(len(content) for _, content in files)
    if total > max_bytes:
        raise UploadRejected(f"{total / 2**20:,.1f} MB uploaded; at most {max_bytes / 2**20:,.0f} MB per build "
                             "(all files together). Upload fewer files at a time, or build from the command line.")
    folder.mkdir(parents=True, exist_ok=True)
    paths, used = [], set()
    for i, (name, content) in enumerate(files):
        safe = sanitise_filename(name, i)
        stem, dot, ext = safe.partition(".")
        candidate, n = safe, 1
        while candidate in used:
            candidate = f"{stem}_{n}{dot}{ext}"
            n += 1
        used.add(candidate)
        path = (folder / candidate).resolve()
        if path.parent != folder:  # defence in depth: sanitise_filename already removed separators
            raise UploadRejected(f"refused file name {name!r}")
        path.write_bytes(content)
        paths.append(path)
    return paths


@contextmanager
def upload_folder(files: list[tuple[str, bytes]], parent: str | Path | None = None,
                  max_files: int = MAX_UPLOAD_FILES, max_bytes: int | None = None):
    """``with upload_folder(files) as (paths, names):`` the uploads saved (:func:`save_uploads`) in a fresh temporary
    folder, removed when the block ends however it ends (success, UploadRejected, any error). ``names`` maps each
    saved path (str) to the name the user gave (:func:`upload_names`): the build's ``BuildOptions.origin_names``,
    so the store's origins name the user's files, and :func:`user_names` for messages."""
    folder = tempfile.mkdtemp(prefix="newslens-upload-", dir=parent)
    try:
        paths = save_uploads(files, folder, max_files=max_files, max_bytes=max_bytes)
        yield paths, dict(zip(map(str, paths), upload_names([name for name, _ in files]), strict=True))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


#: Longest upload name kept as an origin (characters).
MAX_SHOWN_NAME = 200
#: Unicode category Cc (C0 and C1 controls); format characters (Cf) are ``analysis.ingest.invisible``'s
_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f]")


def upload_names(names: list[str]) -> list[str]:
    """The names users gave their uploads, as origins: control and invisible format characters (bidi overrides,
    zero-width) removed, at most :data:`MAX_SHOWN_NAME` characters, and a name given twice numbered ("a.txt",
    "a.txt (2)") so every upload's records can be told apart. The saved files' names (and so the article ids) come
    from :func:`save_uploads` and are unique anyway."""
    from analysis.ingest.invisible import strip_format_chars

    out, seen = [], set()
    for i, name in enumerate(names):
        clean = _CONTROL_CHARS.sub("", strip_format_chars(str(name))[0] or "").strip()
        clean = clean[:MAX_SHOWN_NAME] or f"upload_{i}"
        shown, n = clean, 2
        while shown in seen:
            shown = f"{clean} ({n})"
            n += 1
        seen.add(shown)
        out.append(shown)
    return out


def user_names(text: str, names: dict[str, str]) -> str:
    """``text`` (a build summary, a rejection, an error) with every saved upload path replaced by the user's own
    file name, and any other mention of the temporary folder dropped: visitors never see server paths."""
    from analysis.pipeline import path_renamer

    text = path_renamer(names)(text)
    folders = {str(Path(p).parent) for p in names}
    for folder in folders:
        text = text.replace(folder + "/", "").replace(folder, "(upload)")
    return text


_RE_UPLOAD_FOLDER = re.compile(r"[^\s,;:'\"]*newslens-upload-[^/\s]*/")


def hide_upload_folders(text: str) -> str:
    """``text`` without the server's temporary upload folders (``/tmp/newslens-upload-x1y2/a.txt`` -> ``a.txt``):
    for what was recorded before the user's names were known, such as the build history's sources."""
    return _RE_UPLOAD_FOLDER.sub("", text)


# ------------------------------------------------------------------------------------------------ server folders
def local_only_note() -> str:
    """Help of the "Folder on the server" field: what it reads, and that it is for a personal install."""
    root = folder_root()
    if root is None:
        return ("Reads a folder or file on the machine running NewsLens, as the user running it. A local-only feature: "
                "on a server others can reach, set NEWSLENS_FOLDER_ROOT or NEWSLENS_READ_ONLY (docs/DEPLOYMENT.md).")
    return f"Reads only inside {safe_markdown(root)} on this server (NEWSLENS_FOLDER_ROOT)."


def server_source(text: str) -> tuple[Path | None, str]:
    """``(path to build from, "")`` or ``(None, message as escaped Markdown)`` for the "Folder on the server" field.

    With a folder root, a path outside it (also through a symlink or ``..``) gets the same answer as a path that
    does not exist, so a visitor cannot probe the server's file system; without one (a personal install) the answer
    names the path that was not found.
    """
    raw = text.strip()
    root = folder_root()
    try:
        target = allowed_server_path(raw) if raw else None
        exists = target is not None and target.exists()
    except (OSError, ValueError):  # a NUL byte, a permission error on the way: as good as missing
        target, exists = None, False
    if root is not None:
        if not exists:
            return None, (f"Nothing to read at {safe_markdown(raw)} inside the folder this server reads from "
                          f"({safe_markdown(root)}).")
        return target, ""
    if not exists:
        return None, f"Not found on the server: {safe_markdown(raw)}"
    return target, ""
