"""Figures and data out of NewsLens: PNG/SVG/PDF/HTML bytes, safe CSV, report ZIP and one-file HTML report.

Static images (PNG/SVG/PDF) use kaleido 1.x driving the system Chromium (Debian's ``chromium``; never downloaded).
One browser session is started lazily on first use and kept for the process (the first export costs ~3 s, the next
ones ~0.2 s), serialised by a lock and shut down at exit. HTML export needs no browser: plotly.js is inlined.

Why not ``kaleido.start_sync_server``: its global server blocks forever if the browser dies or fails to start (it
waits on a queue without a timeout). Here the same long-lived ``kaleido.Kaleido`` runs on our own event-loop thread
and every call waits with a timeout, so a broken Chromium becomes an ``ExportUnavailable`` instead of a hang.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import datetime as _dt
import html
import io
import json
import os
import re
import shutil
import threading
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.offline_html import EMPTY_TOPOLOGY_URL, needs_empty_topology

STATIC_FORMATS = ("png", "svg", "pdf")
FORMATS = (*STATIC_FORMATS, "html")
EXPORT_TIMEOUT_S = 30.0  # one render
START_TIMEOUT_S = 60.0  # browser start (first export)
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
_INSTALL_HINT = (
    "Static image export (PNG/SVG/PDF) needs Chromium: install it with `apt-get install chromium` (or set "
    "BROWSER_PATH to a Chrome/Chromium binary). HTML export works without it."
)


class ExportUnavailable(RuntimeError):
    """Static export cannot run here (no Chromium, or it failed to start / timed out). HTML and CSV still work."""


# --------------------------------------------------------------------------------------------------- static export
def chromium_path() -> str | None:
    """The browser kaleido will drive: $BROWSER_PATH if it is an executable, else the first system Chromium found."""
    env = os.environ.get("BROWSER_PATH")
    if env and os.access(env, os.X_OK):
        return env
    for cand in CHROMIUM_CANDIDATES:
        if os.access(cand, os.X_OK):
            return cand
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _ExportSession:
    """One long-lived kaleido browser on a private asyncio loop thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._failure: str | None = None
        self._atexit_registered = False

    def available(self) -> bool:
        if self._failure is not None:
            return False
        if self._kaleido is not None:
            return True
        try:
            import kaleido  # noqa: F401
        except ImportError:
            return False
        return chromium_path() is not None

    def _start(self) -> None:
        """Start browser + loop (caller holds the lock)."""
        if self._failure is not None:
            raise ExportUnavailable(self._failure)
        path = chromium_path()
        if path is None:
            raise ExportUnavailable(f"No Chromium found. {_INSTALL_HINT}")
        try:
            import kaleido
        except ImportError as exc:  # pragma: no cover - kaleido is in requirements.txt
            raise ExportUnavailable(f"kaleido is not installed. {_INSTALL_HINT}") from exc
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="newslens-kaleido", daemon=True)
        thread.start()

        async def open_browser():
            # mathjax=False: the default MathJax comes from a CDN (no network here); plotly.js is read from the
            # installed plotly package. Kaleido only launches the browser at `path`, it never downloads one.
            k = kaleido.Kaleido(n=1, timeout=EXPORT_TIMEOUT_S, mathjax=False, path=path)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - any start failure means "no static export here"
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            self._failure = f"Chromium at {path} failed to start for export ({type(exc).__name__}: {exc}). " \
                            f"{_INSTALL_HINT}"
            raise ExportUnavailable(self._failure) from exc
        self._loop, self._thread = loop, thread
        if not self._atexit_registered:
            atexit.register(self.close)
            self._atexit_registered = True

    def render(self, fig_dict: dict, fmt: str, width: int, height: int, scale: float,
               topojson: str | None = None) -> bytes:
        with self._lock:  # one render at a time: callers (Streamlit sessions) are threads
            if self._kaleido is None:
                self._start()
            opts = {"format": fmt, "width": width, "height": height, "scale": scale}
            fut = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(fig_dict, opts=opts, topojson=topojson),
                                                   self._loop)
            try:
                return fut.result(EXPORT_TIMEOUT_S + 5)
            except TimeoutError as exc:
                fut.cancel()
                self._close_locked()  # a hung browser is dropped; the next export starts a fresh one
                raise ExportUnavailable(f"Static export timed out after {EXPORT_TIMEOUT_S:.0f} s. "
                                        "HTML export works without a browser.") from exc

    def close(self) -> None:
        """Close the browser and stop the loop (idempotent; registered with atexit)."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._kaleido is None or self._loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(10)
        except Exception:  # noqa: BLE001 - best effort at shutdown
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._kaleido = self._loop = self._thread = None


_SESSION = _ExportSession()


def static_export_available() -> bool:
    """True when PNG/SVG/PDF export can be attempted: kaleido importable, a Chromium binary found, no earlier
    start failure in this process. Cheap: does not start the browser."""
    return _SESSION.available()


def shutdown_export() -> None:
    """Close the export browser now (it is also closed at interpreter exit)."""
    _SESSION.close()


def figure_bytes(fig: go.Figure, fmt: str = "png", width: int = 1100, height: int = 600, scale: float = 2) -> bytes:
    """Render a figure.

    In: a plotly Figure; fmt "png" | "svg" | "pdf" | "html"; size in layout pixels (``scale`` multiplies PNG pixels).
    Out: the file's bytes. HTML is a full offline page with plotly.js inlined (~5 MB), never a CDN link, that also
    draws from file:// (the world map is d3-drawn, with an empty base-map topology: analysis.figures.offline_html).
    Raises ExportUnavailable for static formats when Chromium is missing or broken; ValueError for an unknown fmt.
    """
    fmt = fmt.lower()
    if fmt == "html":
        return _standalone_html(fig).encode("utf-8")
    if fmt not in STATIC_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
    topojson = EMPTY_TOPOLOGY_URL if needs_empty_topology(fig) else None
    return _SESSION.render(fig.to_dict(), fmt, int(width), int(height), float(scale), topojson)


def _html_config(fig: go.Figure) -> dict[str, Any]:
    """plotly.js config of an exported chart: no plotly logo, and for a d3 map the empty base-map topology in a
    data: URL instead of a fetch from plotly's CDN (see analysis.figures.offline_html)."""
    return {"displaylogo": False, **({"topojsonURL": EMPTY_TOPOLOGY_URL} if needs_empty_topology(fig) else {})}


def _standalone_html(fig: go.Figure) -> str:
    """A full offline page for one figure (a d3 world map fetches no base map: see analysis.figures.offline_html)."""
    return fig.to_html(include_plotlyjs=True, full_html=True, include_mathjax=False, config=_html_config(fig))


# --------------------------------------------------------------------------------------------------- CSV
#: First characters a spreadsheet reads as the start of a formula (CSV injection), ASCII and the full-width and
#: small forms Excel/LibreOffice fold to them; tab and CR start formulas in some importers too.
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _first_significant(text: str) -> str:
    """The first character of ``text`` that is not a space (or other blank, or an invisible format character):
    spreadsheets skip those before deciding whether a cell is a formula. Tab and CR count: they are triggers."""
    for ch in text:
        if ch in "\t\r":
            return ch
        if not ch.isspace() and unicodedata.category(ch) != "Cf":
            return ch
    return ""


def neutralise_cell(value: Any) -> Any:
    """A CSV cell that cannot run as a formula: text whose first non-blank character is in
    :data:`FORMULA_STARTS` gets a leading apostrophe; plain numbers written as text ("-3.5", "+1e3") and non-text
    values are returned unchanged.

    >>> neutralise_cell('=HYPERLINK("http://x","click")'), neutralise_cell("  @SUM(1)"), neutralise_cell("-3.5")
    ('\'=HYPERLINK("http://x","click")', "'  @SUM(1)", '-3.5')
    """
    if not isinstance(value, str) or _first_significant(value) not in FORMULA_STARTS:
        return value
    if _PLAIN_NUMBER.fullmatch(value.strip()):
        return value
    return "'" + value


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and column name) passed through :func:`neutralise_cell`; numeric,
    boolean and datetime columns untouched. Lists/tuples in a cell are joined with ";" first (one CSV cell)."""
    out = df.copy()
    out.columns = [_csv_cell(c) for c in out.columns]
    for col in out.columns:
        dtype = out[col].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype) or \
                pd.api.types.is_datetime64_any_dtype(dtype):
            continue
        out[col] = out[col].astype(object).map(_csv_cell, na_action="ignore")
    return out


_RE_LONE_CR = re.compile(r"\r(?!\n)")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = ";".join(map(str, value))
    value = neutralise_cell(value)
    # Python's csv module quotes a cell holding "\n" but not one holding only "\r" (with "\n" line ends), and a
    # spreadsheet reads that bare CR as a new row, whose first cell would then be an unneutralised formula: a lone
    # CR inside a cell is written as the line break it stands for, "\n" (so the cell is quoted).
    return _RE_LONE_CR.sub("\n", value) if isinstance(value, str) and "\r" in value else value


def csv_text(df: pd.DataFrame) -> str:
    """DataFrame -> CSV text (no BOM, "\\n" line ends, no index) with formula-looking text neutralised and a lone CR
    in a cell written as "\\n" (quoted): the one CSV writer of NewsLens (the CLI's ``--format csv``;
    :func:`csv_bytes` adds the BOM for downloads)."""
    return safe_csv_frame(df).to_csv(index=False, lineterminator="\n")


def csv_bytes(df: pd.DataFrame) -> bytes:
    """DataFrame -> CSV bytes that open safely in a spreadsheet.

    UTF-8 *with* a BOM: Excel otherwise reads UTF-8 CSV as the local code page and garbles names like "Zürich";
    pandas, LibreOffice and Python's csv (encoding="utf-8-sig") read it fine. Text cells are neutralised as in
    :func:`neutralise_cell` (CSV injection); numeric columns are untouched. No index column.
    """
    return csv_text(df).encode("utf-8-sig")


# --------------------------------------------------------------------------------------------------- reports
@dataclass
class ReportItem:
    """One chart in a report: ``name`` (file-safe slug), ``title``, the ``figure`` and the ``data`` behind it."""

    name: str
    title: str
    figure: go.Figure
    data: pd.DataFrame = field(default_factory=pd.DataFrame)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60] or "chart"


def _app_version() -> str:
    try:
        from analysis import __version__
    except ImportError:  # pragma: no cover
        return "unknown"
    return __version__


def _full_manifest(manifest: dict, items: Sequence[ReportItem], extra: dict) -> dict:
    m = dict(manifest)
    m.setdefault("created", _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
    m.setdefault("app_version", _app_version())
    m["charts"] = [{"name": _slug(it.name), "title": it.title, "rows": int(len(it.data))} for it in items]
    m.update(extra)
    return m


def report_zip(items: Sequence[ReportItem], manifest: dict,
               formats: Iterable[str] = ("png", "html", "csv")) -> bytes:
    """Bundle charts into a ZIP.

    In: items; ``manifest`` (filters, corpus version, ... anything JSON-serialisable; created time and app version
    are added when absent); formats among png/svg/pdf/html/csv.
    Out: ZIP bytes laid out as ``NN_name/name.{png,svg,pdf,html,csv}``, ``manifest.json`` and ``index.html``
    linking every file. Images are 1100 px wide (x2 for PNG) and as tall as the figure's layout height (600 px when
    unset). If static export is unavailable the images are skipped and manifest["static_export"] says
    why (html + csv are still written).
    """
    formats = [f.lower() for f in formats]
    unknown = [f for f in formats if f not in (*FORMATS, "csv")]
    if unknown:
        raise ValueError(f"unknown report format(s) {unknown}")
    static_note: dict[str, Any] = {"available": True}
    buf = io.BytesIO()
    links: list[tuple[str, list[str]]] = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, it in enumerate(items, 1):
            slug = _slug(it.name)
            folder = f"{n:02d}_{slug}"
            files = []
            for fmt in formats:
                path = f"{folder}/{slug}.{fmt}"
                if fmt == "csv":
                    zf.writestr(path, csv_bytes(it.data))
                elif fmt in STATIC_FORMATS:
                    if not static_note["available"]:
                        continue
                    try:
                        # tall charts (long bar lists, many lanes) set their own height; keep it in the image
                        height = int(it.figure.layout.height or 600)
                        zf.writestr(path, figure_bytes(it.figure, fmt, height=height))
                    except ExportUnavailable as exc:
                        static_note = {"available": False, "reason": str(exc)}
                        continue
                else:
                    zf.writestr(path, figure_bytes(it.figure, "html"))
                files.append(path)
            links.append((it.title, files))
        full = _full_manifest(manifest, items, {"static_export": static_note, "formats": formats})
        zf.writestr("manifest.json", json.dumps(full, indent=2, ensure_ascii=False, default=str))
        zf.writestr("index.html", _zip_index(full, links))
    return buf.getvalue()


def _zip_index(manifest: dict, links: list[tuple[str, list[str]]]) -> str:
    esc = html.escape
    rows = "\n".join(
        f"<li><strong>{esc(title)}</strong>: "
        + " · ".join(f'<a href="{esc(p)}">{esc(p.rsplit(".", 1)[-1].upper())}</a>' for p in files)
        + "</li>"
        for title, files in links)
    note = "" if manifest["static_export"]["available"] else (
        f"<p><em>Images were not exported: {esc(manifest['static_export'].get('reason', ''))}</em></p>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>NewsLens report</title></head><body>"
            f"<h1>NewsLens report</h1>{note}<ul>{rows}</ul><h2>Manifest</h2>"
            f"<pre>{esc(json.dumps(manifest, indent=2, ensure_ascii=False, default=str), quote=False)}</pre></body></html>")


def report_html(items: Sequence[ReportItem], manifest: dict, title: str = "NewsLens report",
                max_table_rows: int = 200) -> str:
    """One self-contained offline HTML report.

    In: items, manifest (as for ``report_zip``), page title. Out: an HTML string with plotly.js inlined once, one div
    per chart, each chart's data as an escaped table in a collapsible <details> (first ``max_table_rows`` rows) plus a
    ``data:text/csv`` download link with all rows (same CSV as ``csv_bytes``), and the manifest (escaped).
    """
    from plotly.offline import get_plotlyjs

    esc = html.escape
    full = _full_manifest(manifest, items, {})
    sections = []
    for n, it in enumerate(items, 1):
        figure = it.figure
        slug = _slug(it.name)
        div = figure.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False,
                             div_id=f"chart-{n}-{slug}", config=_html_config(figure))
        csv_uri = "data:text/csv;charset=utf-8;base64," + base64.b64encode(csv_bytes(it.data)).decode("ascii")
        shown = it.data.head(max_table_rows)
        table = shown.to_html(index=False, escape=True, border=0, classes="data", na_rep="")
        more = (f"<p>Showing {len(shown)} of {len(it.data)} rows; the CSV has all of them.</p>"
                if len(it.data) > len(shown) else "")
        sections.append(
            f'<section id="{esc(slug)}"><h2>{esc(it.title)}</h2>{div}'
            f'<details><summary>Data ({len(it.data)} rows) · <a download="{esc(slug)}.csv" href="{csv_uri}">'
            f"download CSV</a></summary>{more}{table}</details></section>")
    manifest_html = esc(json.dumps(full, indent=2, ensure_ascii=False, default=str), quote=False)
    # plotly.js must not be able to close our <script>: it never contains "</script", checked in tests.
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{esc(title)}</title>"
        "<style>body{font-family:Inter,'Segoe UI',Roboto,Arial,sans-serif;margin:2rem auto;max-width:1200px;"
        "color:#222;padding:0 1rem}table.data{border-collapse:collapse;font-size:13px}table.data td,"
        "table.data th{border-bottom:1px solid #e5e5e5;padding:2px 8px;text-align:left}section{margin-bottom:2.5rem}"
        "pre{background:#f6f6f6;padding:1rem;overflow:auto}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<h1>{esc(title)}</h1>{''.join(sections)}<h2>About this report</h2><pre>{manifest_html}</pre>"
        "</body></html>")
