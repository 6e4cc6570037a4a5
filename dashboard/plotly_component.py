"""Plotly charts in the dashboard, drawn by a small custom component instead of ``st.plotly_chart``.

Why: ``st.plotly_chart`` makes the browser load and evaluate Streamlit's 4.7 MB plotly.js chunk before the first
chart can draw; on a 2-core machine that one module took ~1.2 s of the first page's ~4 s
(``bench/trace_first_open.py``).
This component draws with ``dashboard/static/plotly-newslens.min.js``, a 1.4 MB plotly.js bundle holding only the
trace types NewsLens's charts use (built by ``tools/plotly_bundle``; evaluates in ~0.1-0.25 s), evaluated once per
page and shared by every chart. A new browser gets it (gzipped) inside the page's first element (:func:`preload`);
it then caches it from Streamlit's static file serving (``server.enableStaticServing``), which later visits use.

What it keeps from ``st.plotly_chart``: the figure as plotly.py serialises it, the plotly.js config, full container
width with the figure's height, and point/box/lasso selections sent back to Python (``customdata`` of each point, the
only field drill-down reads). A selection belongs to the figure it was made on: each payload carries the figure's
revision, and :func:`plotly_chart` ignores a selection made on an earlier figure (a filter change redraws the chart;
the old selection is then stale, as with ``st.plotly_chart``, which resets it).

Article text reaches plotly.js only as figure data (JSON, parsed, never evaluated), as before.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import zlib
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

#: where Streamlit serves the bundle (``dashboard/static`` with ``server.enableStaticServing``)
BUNDLE_PATH = "app/static/plotly-newslens.min.js"
BUNDLE_FILE = Path(__file__).resolve().parent / "static" / "plotly-newslens.min.js"

#: plotly.js trace types the bundle can draw; a figure with any other type is drawn by ``st.plotly_chart``
BUNDLED_TRACE_TYPES = frozenset({"scatter", "bar", "heatmap", "choropleth"})

#: CSS class of the div each chart is drawn into (tests and benches look for it)
PLOT_CLASS = "newslens-plot"

#: CSS class a chart's div also has while it waits, out of view, to be drawn (benches count it as not in view)
PENDING_CLASS = "newslens-pending"

#: px height of a chart whose figure sets none
DEFAULT_HEIGHT = 450

#: the component's JavaScript (an ES module; this module prepends the constants it reads and the date-keys script)
JS_FILE = Path(__file__).resolve().parent / "plotly_component.js"

#: Enter in a date filter, or Tab out of its last part, commits the typed dates (Streamlit's ``st.date_input``
#: commits only when the field loses focus; issue 16 item 11). The preload element installs it, once per tab: a
#: component of its own was one more element, script and registration on every page (first open up to ~1 s slower
#: at load 6-9 in ``bench/bench_first_open.py``; within noise at load 1).
DATE_KEYS_FILE = Path(__file__).resolve().parent / "static" / "date_keys.js"


def _js() -> str:
    constants = (f"const PLOT_CLASS = {json.dumps(PLOT_CLASS)};\nconst PENDING_CLASS = {json.dumps(PENDING_CLASS)};\n"
                 f"const DEFAULT_HEIGHT = {DEFAULT_HEIGHT:d};\n")
    return (constants + DATE_KEYS_FILE.read_text(encoding="utf-8") + "\n"
            + JS_FILE.read_text(encoding="utf-8"))


#: preload()'s element holds nothing: take it out of the layout (no gap in the sidebar)
_CSS = ".st-key-plotly_preload { display: none; }"

_COMPONENT = st.components.v2.component("newslens_plotly", js=_js(), css=_CSS, isolate_styles=False)


def bundle_url() -> str:
    """URL of the plotly.js bundle under the server's base path (``server.baseUrlPath``)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + (f"{base}/" if base else "") + BUNDLE_PATH


def trace_types(fig) -> frozenset[str]:
    """The trace types of ``fig`` (what :func:`can_draw_types` decides on)."""
    return frozenset(getattr(trace, "type", None) for trace in fig.data)


def can_draw(fig) -> bool:
    """Whether the component can draw ``fig`` (see :func:`can_draw_types`)."""
    return can_draw_types(trace_types(fig))


def can_draw_types(trace_types) -> bool:
    """Whether the component can draw a figure of ``trace_types``: the server serves the bundle
    (``server.enableStaticServing``, set in the repo's ``.streamlit/config.toml``, which Streamlit reads only when
    started from the repo folder) and every type is one the bundle holds."""
    return bool(st.get_option("server.enableStaticServing")) and all(t in BUNDLED_TRACE_TYPES for t in trace_types)


def payload(fig, config: dict[str, Any], selectable: bool) -> tuple[bytes, str]:
    """What the component is sent for ``fig``, and the figure's revision (see :func:`payload_of_json`)."""
    return payload_of_json(pio.to_json(fig, validate=False).encode(), config, selectable)


def payload_of_json(figure: bytes, config: dict[str, Any], selectable: bool) -> tuple[bytes, str]:
    """What the component is sent for a figure serialised as plotly.py does it (``to_json``, as ``st.plotly_chart``
    does), and the figure's revision: the figure, the plotly.js config, whether selections are on, the bundle URL
    and the revision (a checksum of the figure's JSON)."""
    revision = f"{zlib.crc32(figure):08x}-{len(figure)}"
    config = {"displaylogo": False, "responsive": True, **config}
    if not selectable:
        config.setdefault("modeBarButtonsToRemove", ["select2d", "lasso2d"])
    head = json.dumps({"config": config, "selectable": selectable, "bundle": bundle_url(), "revision": revision})
    return head[:-1].encode() + b', "figure": ' + figure + b"}", revision


def plotly_chart(fig, key: str, config: dict[str, Any], selectable: bool = False) -> list[dict[str, Any]]:
    """Draw ``fig`` full width; returns the points selected on this very figure (``[]`` when none or not
    ``selectable``). Figures with trace types outside the bundle go to ``st.plotly_chart``."""
    types = trace_types(fig)
    if not can_draw_types(types):
        return _streamlit_chart(fig, key, config, selectable)
    return plotly_chart_json(pio.to_json(fig, validate=False).encode(), types, key, config, selectable)


def _streamlit_chart(fig, key: str, config: dict[str, Any], selectable: bool) -> list[dict[str, Any]]:
    if selectable:
        event = st.plotly_chart(fig, key=key, on_select="rerun", config=config,
                                selection_mode=("points", "box", "lasso"))
        return list((event or {}).get("selection", {}).get("points", []) or [])
    st.plotly_chart(fig, key=key, config=config)
    return []


def plotly_chart_json(figure: bytes, trace_types, key: str, config: dict[str, Any],
                      selectable: bool = False) -> list[dict[str, Any]]:
    """:func:`plotly_chart` of a figure already serialised (``plotly.io.to_json``) whose traces are of
    ``trace_types``: a cached chart is sent as it is, with no figure built or serialised again."""
    if not can_draw_types(trace_types):
        return _streamlit_chart(go.Figure(json.loads(figure)), key, config, selectable)
    data, revision = payload_of_json(figure, config, selectable)
    if not selectable:
        _COMPONENT(key=key, data=data)
        return []
    result = _COMPONENT(key=key, data=data, on_selection_change=lambda: None)
    selection = (result or {}).get("selection")
    if not isinstance(selection, dict) or selection.get("revision") != revision:
        return []
    return list(selection.get("points") or [])


#: cookie the browser sets once the bundle is in its HTTP cache (value: :func:`bundle_version`)
BUNDLE_COOKIE = "newslens_plotly"


@functools.lru_cache(maxsize=1)
def bundle_gzip() -> bytes:
    """The bundle, gzipped (~0.5 MB; computed once per process)."""
    return gzip.compress(BUNDLE_FILE.read_bytes(), compresslevel=6, mtime=0)


@functools.lru_cache(maxsize=1)
def bundle_version() -> str:
    """Checksum of the bundle file: a browser that cached another version gets this one sent."""
    return f"{zlib.crc32(BUNDLE_FILE.read_bytes()):08x}"


def send_bundle(first_run: bool, cookies: Any) -> bool:
    """Whether :func:`preload` sends the bundle itself: on a session's first run, unless the browser's cookie says
    its HTTP cache holds this version."""
    return first_run and (cookies or {}).get(BUNDLE_COOKIE) != bundle_version()


#: widget code the other pages need and the Overview does not load (each the entry chunk of a Streamlit element:
#: ``<name>.<hash>.js`` in its static folder). A first switch to Topics asked for 21 chunks (the table's and the
#: select box's, with what they import) and waited ~340 ms for the last; the browser fetches them once the page
#: it opened on is done and idle instead (``prefetchWhenIdle`` in plotly_component.js).
LATER_CHUNKS = ("DataFrame", "Selectbox", "NumberInput", "ButtonGroup", "Radio", "Json")
_RE_IMPORT = re.compile(r"""(?:from|import)\s*["']\./([\w.\-]+\.js)["']""")


def chunk_closure(js_dir: Path, entries: tuple[str, ...]) -> list[str]:
    """File names of the chunks named ``entries`` (``"Selectbox"`` -> ``Selectbox.<hash>.js``) and of every chunk
    they import, directly or not (static imports), in a stable order; names not found are skipped."""
    files = {p.name for p in js_dir.glob("*.js")}
    by_entry = {name.split(".", 1)[0]: name for name in sorted(files) if name.count(".") == 2}
    todo = [by_entry[e] for e in entries if e in by_entry]
    seen: dict[str, None] = {}
    while todo:
        name = todo.pop(0)
        if name in seen or name not in files:
            continue
        seen[name] = None
        todo.extend(_RE_IMPORT.findall((js_dir / name).read_text(encoding="utf-8", errors="replace")))
    return list(seen)


@functools.lru_cache(maxsize=1)
def later_chunks() -> tuple[str, ...]:
    """``static/js/...`` paths of :data:`LATER_CHUNKS` and their imports in the installed Streamlit, then their
    ``static/css/...`` stylesheets (read once per process); () when its static folder cannot be read (the pages
    then load them when shown, as before)."""
    static = Path(st.__file__).parent / "static" / "static"
    try:
        scripts = [f"static/js/{name}" for name in chunk_closure(static / "js", LATER_CHUNKS)]
        styles = [f"static/css/{p.name}" for p in sorted((static / "css").glob("*.css"))
                  if p.name.split(".", 1)[0] in LATER_CHUNKS]  # the table's own stylesheet
    except OSError:
        return ()
    return tuple(scripts + styles)


def preload(key: str = "plotly_preload") -> None:
    """A hidden element at the top of the page that makes the bundle available before any chart is ready. On a new
    browser's first run it carries the bundle itself (gzipped, ~0.5 MB), which reaches the browser with the page's
    first messages instead of waiting for one of HTTP/1.1's six connections behind the ~60 widget scripts Streamlit
    lazy-loads on a first visit (0.3-0.6 s on 2 cores); the browser then caches the URL when idle and sets
    :data:`BUNDLE_COOKIE`. Other runs and browsers with that cookie get only the URL.

    The element also installs the date-keys script (:data:`DATE_KEYS_FILE`), with or without static serving, and
    names the other pages' widget code (:func:`later_chunks`) for the browser to fetch once idle."""
    if not st.get_option("server.enableStaticServing"):
        _COMPONENT(key=key, data=json.dumps({"preload": None}).encode())
        return
    head = json.dumps({"preload": bundle_url(), "cookie": BUNDLE_COOKIE, "version": bundle_version(),
                       "chunks": later_chunks()}).encode()
    first_run = not st.session_state.get("_nl_plotly_sent")
    st.session_state["_nl_plotly_sent"] = True
    send = send_bundle(first_run, st.context.cookies)
    _COMPONENT(key=key, data=head + b"\n" + bundle_gzip() if send else head)
