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
import zlib
from pathlib import Path
from typing import Any

import plotly.io as pio
import streamlit as st

#: where Streamlit serves the bundle (``dashboard/static`` with ``server.enableStaticServing``)
BUNDLE_PATH = "app/static/plotly-newslens.min.js"
BUNDLE_FILE = Path(__file__).resolve().parent / "static" / "plotly-newslens.min.js"

#: plotly.js trace types the bundle can draw; a figure with any other type is drawn by ``st.plotly_chart``
BUNDLED_TRACE_TYPES = frozenset({"scatter", "bar", "heatmap", "choropleth"})

#: CSS class of the div each chart is drawn into (tests and benches look for it)
PLOT_CLASS = "newslens-plot"

_JS = """
const PLOT_CLASS = "%(plot_class)s";

// A <script src> run; resolves to window.Plotly once it has run.
function runScript(src, fetchPriority) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.fetchPriority = fetchPriority;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error("could not load " + src));
    document.head.appendChild(script);
  });
}

// One bundle per page, shared by every chart: window.__newslensPlotly, a promise of window.Plotly.
function loadPlotly(url) {
  if (!window.__newslensPlotly) {
    // the page's first visit also lazy-loads dozens of Streamlit widget chunks over HTTP/1.1's 6 connections:
    // ask for this one first
    window.__newslensPlotly = runScript(url, "high").catch((error) => {
      window.__newslensPlotly = null;  // let the next render try again
      throw error;
    });
  }
  return window.__newslensPlotly;
}

// The bundle sent with the session's first run (preload()): gzip bytes in the element's data, so the first visit
// does not wait for an HTTP connection; falls back to the URL if anything goes wrong.
function plotlyFromBytes(gzipped, url) {
  if (!window.__newslensPlotly) {
    window.__newslensPlotly = (async () => {
      const stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip"));
      const code = await new Response(stream).blob();
      return await runScript(URL.createObjectURL(new Blob([code], { type: "text/javascript" })), "auto");
    })().catch(() => {
      window.__newslensPlotly = null;
      return loadPlotly(url);
    });
  }
  return window.__newslensPlotly;
}

// Once the page is idle, put the bundle in the HTTP cache and say so in a cookie: the next session is then sent
// only the URL (preload() reads the cookie), and loads it from the cache.
function rememberBundle(head) {
  const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 2000));
  later(() => fetch(head.preload, { priority: "low" }).then((response) => {
    if (response.ok) {
      document.cookie = `${head.cookie}=${head.version}; path=/; max-age=31536000; SameSite=Lax`;
    }
  }).catch(() => {}));
}

function selectedPoints(event) {
  return ((event && event.points) || []).map((p) => ({
    curve_number: p.curveNumber,
    point_index: p.pointIndex,
    x: p.x, y: p.y, z: p.z, location: p.location,
    customdata: p.customdata === undefined ? null : p.customdata,
  }));
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data) return;
  if (typeof data !== "string" && data[0] === 0x7b && data[2] === 0x70) {  // '{"p': preload()'s element
    const split = data.indexOf(0x0a);  // JSON header, newline, optional gzipped bundle
    const head = JSON.parse(new TextDecoder().decode(split < 0 ? data : data.subarray(0, split)));
    if (split < 0) {
      loadPlotly(head.preload).catch(() => {});
    } else {
      plotlyFromBytes(data.subarray(split + 1), head.preload).then(() => rememberBundle(head));
    }
    return;
  }
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  let plot = parentElement.querySelector("." + PLOT_CLASS);
  if (plot && plot.newslensPayload === text) {
    return;  // a rerun sent the same figure: keep the drawing and any selection on it
  }
  const payload = JSON.parse(text);
  if (!plot) {
    plot = document.createElement("div");
    plot.className = PLOT_CLASS;
    plot.style.width = "100%%";
    parentElement.appendChild(plot);
  }
  plot.newslensPayload = text;
  const figure = payload.figure;
  const layout = Object.assign({}, figure.layout || {});
  delete layout.width;  // the container decides the width
  layout.autosize = true;
  layout.height = layout.height || %(default_height)d;
  if (payload.selectable) {
    layout.clickmode = "event+select";
  }
  plot.style.height = layout.height + "px";  // reserve the space before plotly.js has loaded
  // On a page's first load the preload element (sent first, carrying the bundle) may run after the first charts:
  // wait up to 150 ms for it rather than fetch the bundle a second way.
  const plotlyReady = window.__newslensPlotly || new Promise((resolve) => {
    const since = performance.now();
    const check = () => (window.__newslensPlotly || performance.now() - since > 150
      ? resolve() : setTimeout(check, 10));
    check();
  }).then(() => loadPlotly(payload.bundle));
  plotlyReady.then((Plotly) => {
    if (plot.newslensPayload !== text) {
      return;  // a newer figure arrived while plotly.js loaded
    }
    const drawn = Plotly.react(plot, figure.data || [], layout, payload.config);
    if (!plot.newslensWired) {
      plot.newslensWired = true;
      plot.on("plotly_selected", (event) => {
        if (event === undefined) return;  // plotly.js sends undefined while a drag starts
        setStateValue("selection", { revision: plot.newslensRevision, points: selectedPoints(event) });
      });
      plot.on("plotly_deselect", () => {
        setStateValue("selection", { revision: plot.newslensRevision, points: [] });
      });
      // redraw when the container's width changes (sidebar toggled, window resized); the observer's first call,
      // right after the draw, is skipped: the chart was drawn at that width
      new ResizeObserver(() => {
        const width = plot.offsetWidth;
        if (width > 0 && width !== plot.newslensWidth) {
          plot.newslensWidth = width;
          Plotly.Plots.resize(plot);
        }
      }).observe(plot);
    }
    plot.newslensWidth = plot.offsetWidth;
    plot.newslensRevision = payload.revision;
    return drawn;
  }).catch((error) => {
    plot.textContent = "This chart could not be drawn: " + error.message + ". Reload the page to try again.";
  });
}
"""


def _js() -> str:
    return _JS % {"plot_class": PLOT_CLASS, "default_height": 450}


#: preload()'s element holds nothing: take it out of the layout (no gap in the sidebar)
_CSS = ".st-key-plotly_preload { display: none; }"

_COMPONENT = st.components.v2.component("newslens_plotly", js=_js(), css=_CSS, isolate_styles=False)


def bundle_url() -> str:
    """URL of the plotly.js bundle under the server's base path (``server.baseUrlPath``)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + (f"{base}/" if base else "") + BUNDLE_PATH


def can_draw(fig) -> bool:
    """Whether the component can draw ``fig``: the server serves the bundle (``server.enableStaticServing``, set in
    the repo's ``.streamlit/config.toml``, which Streamlit reads only when started from the repo folder) and every
    trace of ``fig`` is a type the bundle holds."""
    return bool(st.get_option("server.enableStaticServing")) and all(
        getattr(trace, "type", None) in BUNDLED_TRACE_TYPES for trace in fig.data)


def payload(fig, config: dict[str, Any], selectable: bool) -> tuple[bytes, str]:
    """What the component is sent for ``fig``, and the figure's revision: the figure as plotly.py serialises it
    (``to_json``, as ``st.plotly_chart`` does), the plotly.js config, whether selections are on, the bundle URL and
    the revision (a checksum of the figure's JSON)."""
    figure = pio.to_json(fig, validate=False).encode()
    revision = f"{zlib.crc32(figure):08x}-{len(figure)}"
    config = {"displaylogo": False, "responsive": True, **config}
    if not selectable:
        config.setdefault("modeBarButtonsToRemove", ["select2d", "lasso2d"])
    head = json.dumps({"config": config, "selectable": selectable, "bundle": bundle_url(), "revision": revision})
    return head[:-1].encode() + b', "figure": ' + figure + b"}", revision


def plotly_chart(fig, key: str, config: dict[str, Any], selectable: bool = False) -> list[dict[str, Any]]:
    """Draw ``fig`` full width; returns the points selected on this very figure (``[]`` when none or not
    ``selectable``). Figures with trace types outside the bundle go to ``st.plotly_chart``."""
    if not can_draw(fig):
        if selectable:
            event = st.plotly_chart(fig, key=key, on_select="rerun", config=config,
                                    selection_mode=("points", "box", "lasso"))
            return list((event or {}).get("selection", {}).get("points", []) or [])
        st.plotly_chart(fig, key=key, config=config)
        return []
    data, revision = payload(fig, config, selectable)
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


def preload(key: str = "plotly_preload") -> None:
    """A hidden element at the top of the page that makes the bundle available before any chart is ready. On a new
    browser's first run it carries the bundle itself (gzipped, ~0.5 MB), which reaches the browser with the page's
    first messages instead of waiting for one of HTTP/1.1's six connections behind the ~60 widget scripts Streamlit
    lazy-loads on a first visit (0.3-0.6 s on 2 cores); the browser then caches the URL when idle and sets
    :data:`BUNDLE_COOKIE`. Other runs and browsers with that cookie get only the URL."""
    if not st.get_option("server.enableStaticServing"):
        return
    head = json.dumps({"preload": bundle_url(), "cookie": BUNDLE_COOKIE, "version": bundle_version()}).encode()
    first_run = not st.session_state.get("_nl_plotly_sent")
    st.session_state["_nl_plotly_sent"] = True
    send = send_bundle(first_run, st.context.cookies)
    _COMPONENT(key=key, data=head + b"\n" + bundle_gzip() if send else head)
