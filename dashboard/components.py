"""Dashboard widgets: charts drawn from a page's list of requests (with export, drill-down and a report), article
lists, the reader, empty and damaged states.

Pure parts live beside this module and are tested without Streamlit: :mod:`dashboard.selection` (chart selection ->
Filter), :mod:`dashboard.reading` (highlights, keyword in context), :mod:`dashboard.text` (the one escaping helper).

Every widget takes a ``key`` and prefixes its state keys with it. Article text is untrusted: it only reaches the page
through :func:`safe_markdown` (HTML and Markdown escaped) or ``st.text``/``st.dataframe``; nothing here uses
``unsafe_allow_html``.

The reader widget is :mod:`dashboard.reader` (``ui.reader`` here).

A page declares what it draws once: widgets first (containers keep the visual order), then one list of
:class:`Request` handed to :func:`draw`, which prefetches every chart's data, draws each chart (those with their own
controls in a ``st.fragment``, so a control reruns only its chart) and offers the page's report::

    k = st.slider("Number of keywords", 5, 50, 25, step=5, key="kw_k")
    ui.draw(store, f, [ui.Request("keywords", "kw_top", k=k),
                       ui.Request("keyword_trends", "kw_trends", controls=[ui.Toggle("normalise", "Share", "kw_norm")])],
            key="kw", report="keywords")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from analysis import catalog
from analysis.figures.offline_html import EMPTY_TOPOLOGY_URL
from analysis.filters import Filter, filter_slug
from dashboard import data, plotly_component, state
from dashboard.reader import reader
from dashboard.reading import day, query_terms
from dashboard.selection import drill, selectable, selection_delta
from dashboard.text import exception_text, safe_markdown

__all__ = ["Pick", "Radio", "Request", "Slider", "Toggle", "article_list", "chart_block", "counts_row", "damaged_store", "draw",
           "exception_text", "export_basename", "export_buttons", "has_dated", "no_articles", "no_dated_note",
           "no_store", "reader", "repair_store", "report_buttons", "safe_markdown", "uid_list"]


# --------------------------------------------------------------------------------------------------- exports
_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html",
         "csv": "text/csv", "zip": "application/zip"}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_.")[:120] or "newslens"


def export_basename(chart: str, f: Filter) -> str:
    """File name (without extension) of a chart's export: the chart and the filter ("country_bar-about-KP")."""
    return "-".join(x for x in (chart, filter_slug(f)) if x)


def lazy_popover(label_md: str, icon: str, key: str):
    """A popover (``label_md``: Markdown of the page's code, never corpus data) whose content is made only while it
    is open (``.open``; opening reruns the fragment it is in): six charts' closed Export popovers were ~70 of the
    Overview's ~126 elements, sent and laid out on every rerun."""
    pop = st.popover(label_md, icon=icon, key=key, on_change="rerun")
    return pop, bool(pop.open)


@st.fragment
def export_buttons(figure: Callable[[], Any], table: pd.DataFrame | None, basename: str, key: str) -> None:
    """An "Export" popover with PNG, SVG, PDF, HTML and CSV downloads of one chart; ``figure()`` gives the figure.

    The buttons exist only while the popover is open (:func:`lazy_popover`; opening reruns only this fragment).
    Bytes are generated only when a button is clicked (callable ``data``), and clicking does not rerun the page.
    Without Chromium, static formats are replaced by a note and HTML/CSV stay available.
    """
    from analysis import export

    pop, is_open = lazy_popover("Export", ":material/download:", f"{key}_export")
    if not is_open:
        return
    static = export.static_export_available()
    base = _slug(basename)
    with pop:
        formats = ["png", "svg", "pdf", "html"] if static else ["html"]
        if not static:
            st.caption("PNG/SVG/PDF need Chromium on the server (`apt-get install chromium`); HTML works offline.")
        row = st.container(horizontal=True)  # buttons as wide as their labels (equal columns cut "HTML" to "H...")
        for fmt in formats:
            row.download_button(safe_markdown(fmt.upper()), data=lambda fmt=fmt: export.figure_bytes(figure(), fmt),
                                file_name=f"{base}.{fmt}", mime=_MIME[fmt], key=f"{key}_dl_{fmt}", on_click="ignore")
        if table is not None:
            row.download_button("CSV", data=lambda: export.csv_bytes(table), file_name=f"{base}.csv",
                                mime=_MIME["csv"], key=f"{key}_dl_csv", on_click="ignore")
        st.caption(f"File name: {safe_markdown(base)} + the format's extension")


@st.fragment
def report_buttons(store, f: Filter, names: Sequence[str], key: str, title: str = "report",
                   per_chart: dict[str, dict[str, Any]] | None = None, **params: Any) -> None:
    """"Report" downloads (ZIP and one-file HTML) bundling ``names`` (view names) under ``f``; built on click, each
    chart with ``params`` and its own ``per_chart[name]`` as they are at the click (a dict the page's charts keep
    current, also when a control reruns only its chart)."""
    names = [n for n in names if n in catalog.VIEWS]
    per_chart = per_chart if per_chart is not None else {}
    base = _slug(export_basename(f"newslens_{title}", f))

    def build(fmt: str) -> bytes:
        return catalog.report(store, f, list(names), fmt=fmt, per_chart={n: dict(p) for n, p in per_chart.items()},
                              **params)

    pop, is_open = lazy_popover("Report", ":material/summarize:", f"{key}_report")
    if not is_open:
        return
    with pop:
        st.caption(f"Bundles {len(names)} charts of this page with their data and a manifest of the filters.")
        c1, c2 = st.columns(2)
        c1.download_button("ZIP", data=lambda: build("zip"), file_name=f"{base}.zip", mime=_MIME["zip"],
                           key=f"{key}_report_zip", on_click="ignore")
        c2.download_button("HTML", data=lambda: build("html"), file_name=f"{base}.html", mime=_MIME["html"],
                           key=f"{key}_report_html", on_click="ignore")


# --------------------------------------------------------------------------------------------------- charts
#: plotly.js config for every chart: a geo subplot's base-map topology is the empty one in a data: URL (the map
#: draws its shipped outlines itself), never plotly's CDN
BROWSER_CONFIG = {"topojsonURL": EMPTY_TOPOLOGY_URL}


def chart_block(view_name: str, store, f: Filter, key: str, *, drill_down: bool = True, height: int | None = None,
                **params: Any) -> list[dict[str, Any]]:
    """One chart of view ``view_name`` under ``f`` with an Export popover and, when points are selected, the
    matching articles listed under it. Returns the selected points (``[]`` when none).

    A view that fails shows a note instead of breaking the page.
    """
    title = catalog.VIEWS[view_name].title if view_name in catalog.VIEWS else view_name
    try:
        drawn = data.drawn_view(store, view_name, f, height=height, **params)
    except Exception as exc:  # noqa: BLE001 - one broken chart must not take the page down
        st.error(f"{safe_markdown(title)}: could not be drawn ({exception_text(exc)}).", icon=":material/error:")
        return []
    points = plotly_component.plotly_chart_json(drawn.figure_json, drawn.trace_types, key=f"{key}_chart",
                                                config=BROWSER_CONFIG, selectable=drill_down and selectable(view_name))

    def figure():  # drawn again for an export, from the cached data, only when a button is clicked
        return data.render_view(store, view_name, f, height, **params)[0]

    export_buttons(figure, drawn.table, export_basename(view_name, f), key)
    if points:
        narrowed, uids, description = drill(view_name, f, points, data.view_freq(store, f, params))
        if narrowed is not None:
            description = data.describe(store, selection_delta(f, narrowed))  # names, not ids
            with st.container(border=True):
                st.markdown(f"**Selection:** {safe_markdown(description)}")
                if st.button("Apply as filter", key=f"{key}_apply", icon=":material/filter_alt:",
                             help="Make this selection the sidebar filter for every page."):
                    state.set_filter(narrowed)
                    st.session_state.pop(f"{key}_chart", None)  # the selection is now the filter: clear it
                    st.rerun()
                article_list(store, narrowed, key=f"{key}_drill", page_size=10)
        elif uids:
            with st.container(border=True):
                st.markdown(f"**Selection:** {safe_markdown(description)}")
                uid_list(store, uids, key=f"{key}_drill")
    return points


# --------------------------------------------------------------------------------------------------- requests
@dataclass(frozen=True)
class Toggle:
    """A chart's own on/off control: sets ``params[param]``; drawn above the chart, inside its fragment. Controls'
    ``label`` and ``help`` are Markdown constants of the page's code (never corpus data)."""

    param: str
    label: str
    key: str
    default: bool = False
    help: str | None = None

    def value(self) -> bool:
        """The value as last set (the default before the widget first ran): what the chart will be drawn with."""
        return bool(st.session_state.get(self.key, self.default))

    def widget(self) -> bool:
        label_md, help_md = self.label, self.help  # Markdown written in the page's code, never corpus data
        return st.toggle(label_md, self.default, key=self.key, help=help_md)


@dataclass(frozen=True)
class Radio:
    """A chart's own choice among ``options`` (horizontal radio): sets ``params[param]``."""

    param: str
    label: str
    options: tuple[str, ...]
    key: str
    names: tuple[tuple[str, str], ...] = ()  # (option, what the radio says for it)
    help: str | None = None

    def value(self) -> str:
        current = st.session_state.get(self.key)
        return current if current in self.options else self.options[0]

    def widget(self) -> str:
        names = dict(self.names)
        label_md, help_md = self.label, self.help  # Markdown written in the page's code, never corpus data
        return st.radio(label_md, list(self.options), horizontal=True, key=self.key, help=help_md,
                        format_func=lambda o: names.get(o, o))


@dataclass(frozen=True)
class Slider:
    """A chart's own integer slider from ``low`` to ``high``: sets ``params[param]``."""

    param: str
    label: str
    low: int
    high: int
    default: int
    key: str
    step: int = 1
    help: str | None = None

    def value(self) -> int:
        return int(st.session_state.get(self.key, self.default))

    def widget(self) -> int:
        label_md, help_md = self.label, self.help  # Markdown written in the page's code, never corpus data
        return int(st.slider(label_md, self.low, self.high, self.default, step=self.step, key=self.key,
                             help=help_md))


@dataclass(frozen=True)
class Pick:
    """A chart's own multiselect over ``options`` (ids, shown by ``names``): sets ``params[param]`` to the picked
    ids. It always shows what the chart draws: picks no longer offered are dropped, and with none left (or none
    picked) the first ``fallback`` options are picked."""

    param: str
    label: str
    options: tuple[str, ...]
    key: str
    names: tuple[tuple[str, str], ...] = ()
    fallback: int = 5
    help: str | None = None

    def value(self) -> list[str]:
        picked = [o for o in st.session_state.get(self.key, []) if o in self.options]
        return picked or list(self.options[:self.fallback])

    def widget(self) -> list[str]:
        names = dict(self.names)
        st.session_state[self.key] = self.value()
        label_md, help_md = self.label, self.help  # Markdown written in the page's code, never corpus data
        return list(st.multiselect(label_md, list(self.options), key=self.key, help=help_md,
                                   format_func=lambda o: names.get(o, o)))


class Request:
    """One chart a page draws: catalog view ``view`` with widget key ``key`` and fixed ``params``.

    ``controls``: the chart's own widgets (:class:`Toggle`, :class:`Radio`, :class:`Slider`, :class:`Pick`, or any
    object with ``param``,
    ``value()`` and ``widget()``), drawn above it in a fragment so that changing one reruns this chart only.
    ``where``: the container it goes into (default: where :func:`draw` is called), so widgets created first keep
    the visual order. ``needs_dates``: a time chart, replaced by a note when no article (of either slice) is dated.
    ``report``: whether the page's report includes it. ``note``: Markdown shown instead of the chart (why it is not
    drawn), which keeps its place in the list.
    """

    __slots__ = ("view", "key", "params", "controls", "where", "needs_dates", "report", "note")

    def __init__(self, view: str, key: str, *, controls: Sequence[Any] = (), where: Any = None,
                 needs_dates: bool = False, report: bool = True, note: str | None = None, **params: Any) -> None:
        if view not in catalog.VIEWS:
            raise ValueError(f"unknown chart {view!r}; the catalog has {sorted(catalog.VIEWS)}")
        self.view, self.key, self.params, self.controls = view, key, params, tuple(controls)
        self.where, self.needs_dates, self.report, self.note = where, needs_dates, report, note

    def current_params(self) -> dict[str, Any]:
        """``params`` with each control's value as last set: what the chart will be drawn with (for the prefetch)."""
        return {**self.params, **{c.param: c.value() for c in self.controls}}

    def __repr__(self) -> str:
        return f"Request({self.view!r}, {self.key!r}, {self.params!r})"


def draw(store, f: Filter, requests: Sequence[Request | None], key: str, *, report: str | None = None,
         report_also: Sequence[str] = (), report_where: Any = None,
         also: Sequence[tuple[str, tuple, dict[str, Any]]] = ()) -> None:
    """Prefetch, draw and report a page's charts. ``requests`` (``None`` entries skipped) are drawn in order, each
    into its ``where`` container; the data of all of them (and the extra ``data.call`` entries ``also``) is fetched
    in worker threads first, so one chart's query overlaps another's figure. ``report``: the page's name in the
    report's file name, with a Report popover of the reported charts as drawn, plus the views ``report_also``
    (charts of this page's subject drawn elsewhere) with the catalog's defaults (``None``: no report), into the
    container ``report_where`` (default: after the charts)."""
    requests = [r for r in requests if r is not None]
    shown = [r for r in requests if r.note is None]
    charts = {r.view: r.current_params() for r in shown}
    data.prefetch_views(store, f, charts)
    data.fetch_ahead(store, f, key, charts)  # the other pages' charts under f, while the visitor reads this one
    if also:
        data.prefetch(store, list(also))
    drawn: dict[str, dict[str, Any]] = {}  # view -> params as drawn; kept current by fragment reruns
    dated = None
    for r in requests:
        with r.where if r.where is not None else st.container():
            if r.note is not None:
                note_md = r.note  # Markdown written in the page's code, never corpus data
                st.caption(note_md)
                continue
            if r.needs_dates:
                if dated is None:
                    compare = r.params.get("compare")
                    dated = has_dated(store, f) or (compare is not None and has_dated(store, compare))
                if not dated:
                    no_dated_note()
                    continue
            if r.controls:
                _chart_with_controls(store, f, r, drawn)
            else:
                drawn[r.view] = dict(r.params)
                chart_block(r.view, store, f, key=r.key, **r.params)
    if report is not None:
        reported = [r for r in shown if r.report and r.view in drawn]
        compare = next((r.params["compare"] for r in reported if r.params.get("compare") is not None), None)
        with report_where if report_where is not None else st.container():
            report_buttons(store, f, [r.view for r in reported] + list(report_also), key=key, title=report,
                           per_chart=drawn, **({"compare": compare} if compare is not None else {}))


@st.fragment
def _chart_with_controls(store, f: Filter, request: Request, drawn: dict[str, dict[str, Any]]) -> None:
    """A chart and its controls; a control's change reruns this function only (``st.fragment``)."""
    params = {**request.params, **{c.param: c.widget() for c in request.controls}}
    drawn[request.view] = params
    chart_block(request.view, store, f, key=request.key, **params)


# --------------------------------------------------------------------------------------------------- articles
def _article_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Display columns for an article frame from :meth:`Store.articles`."""
    if frame.empty:
        return pd.DataFrame(columns=["title", "date", "source", "countries", "topic"])
    return pd.DataFrame({
        "title": frame["title"].fillna("(untitled)").astype(str),
        "date": [day(d) for d in frame["date"]],  # whole day, "undated" rather than a blank or "None"
        "source": frame["source"].fillna("").astype(str),
        "countries": [", ".join(state.country_label(c) for c in (cs if cs is not None else []))
                      for cs in frame["countries"]],
        "topic": [f"#{int(t)} {lbl}" if pd.notna(t) else "" for t, lbl in zip(frame["topic_id"], frame["topic_label"], strict=True)],
    })


#: px per row of st.dataframe (its default row height) and its header; a page of rows shows without a scroll box
TABLE_ROW_PX, TABLE_HEADER_PX = 35, 38


def table_height(rows: int) -> int:
    """Height that shows ``rows`` rows without an inner scroll bar (Streamlit's default box shows ~10)."""
    return TABLE_HEADER_PX + TABLE_ROW_PX * max(rows, 1) + 2


def _table_select(rows: pd.DataFrame, uids: Sequence[int], key: str) -> int | None:
    event = st.dataframe(rows.fillna(""), key=f"{key}_table", on_select="rerun", selection_mode="single-row",
                         hide_index=True, width="stretch", height=table_height(len(rows)),
                         column_config={"title": st.column_config.TextColumn("title", width="large"),
                                        "date": st.column_config.TextColumn("date", width=95),
                                        "topic": st.column_config.TextColumn("topic", width="medium")})
    selected = (event or {}).get("selection", {}).get("rows", []) if event is not None else []
    return int(uids[selected[0]]) if selected and selected[0] < len(uids) else None


def article_list_calls(f: Filter, key: str, page_size: int = 20, order: str = "date") -> list[tuple]:
    """The data calls :func:`article_list` makes for ``f`` on its current page, as ``data.prefetch`` takes them."""
    page = int(st.session_state.get(f"{key}_page", 1))
    return [("count", (f,), {}), ("articles", (f,), dict(limit=page_size, offset=(page - 1) * page_size, order=order))]


@st.fragment
def article_list(store, f: Filter, key: str, page_size: int = 20, reader_below: bool = True,
                 order: str = "date") -> int | None:
    """Paged table of the articles matching ``f`` (title, date, source, countries, topic); selecting a row opens
    the reader under it. ``order``: "date" (newest first) or "topic_weight" (most representative first).
    A fragment: paging and selecting rerun only the list. Returns the selected uid or None (on a full run)."""
    total = data.count(store, f)["articles"]
    if total == 0:
        st.info("No articles match these filters.")
        return None
    pages = max(1, -(-total // page_size))
    c1, c2 = st.columns([3, 1])
    how = "most representative first" if order == "topic_weight" else "newest first"
    c1.caption(f"{total:,} article{'s' if total != 1 else ''} · {safe_markdown(how)} · select a row to read it")
    if st.session_state.get(f"{key}_page", 1) > pages:  # the filter changed and there are fewer pages now
        st.session_state[f"{key}_page"] = 1
    page = c2.number_input("Page", 1, pages, key=f"{key}_page", label_visibility="collapsed") if pages > 1 else 1
    frame = data.articles(store, f, limit=page_size, offset=(int(page) - 1) * page_size, order=order)
    uid = _table_select(_article_rows(frame), frame["uid"].tolist(), key)
    if uid is not None and reader_below:
        with st.container(border=True):
            reader(store, uid, key=f"{key}_reader", terms=query_terms(f.query))
    return uid


@st.fragment
def uid_list(store, uids: Sequence[int], key: str, limit: int = 50) -> int | None:
    """Table of specific articles (e.g. points selected on a map); selecting a row opens the reader. A fragment:
    selecting reruns only the list."""
    rows = []
    for uid in list(uids)[:limit]:
        art = data.article_detail(store, uid)
        if art is None:
            continue
        rows.append({"uid": uid, "title": art.get("title") or "(untitled)", "date": day(art.get("date")),
                     "source": art.get("source"),
                     "countries": ", ".join(state.country_label(c) for c in art["countries"]["iso2"]),
                     "topic": f"#{art['topic_id']} {art['topic_label']}" if art.get("topic_id") is not None else ""})
    if not rows:
        st.info("The selected articles are not in this store version.")
        return None
    frame = pd.DataFrame(rows)
    uid = _table_select(frame.drop(columns="uid"), frame["uid"].tolist(), key)
    if uid is not None:
        with st.container(border=True):
            reader(store, uid, key=f"{key}_reader")
    return uid


# --------------------------------------------------------------------------------------------------- states
def no_articles(store, f: Filter, key: str = "empty") -> bool:
    """True (and a message with a reset button) when no article matches ``f``."""
    if data.count(store, f)["articles"] > 0:
        return False
    st.info("No articles match these filters.", icon=":material/filter_alt_off:")
    state.reset_button(key=f"{key}_reset")
    return True


def no_store() -> None:
    """Empty state when there is no store and no corpus to build one from."""
    st.title("NewsLens")
    st.info(
        "No article store yet. Add articles on the **Data** page (upload files or give a folder), or build one from "
        "the command line:\n\n`python -m analysis build FOLDER` (default store: `data/newslens.duckdb`), then "
        "reload this page.", icon=":material/inventory_2:")


def damaged_store(exc: Exception) -> None:
    """The state every page shows when the store file cannot be read (instead of a crash): what happened, and that
    the Data page can restore the previous version or start a new store."""
    st.title("NewsLens")
    st.error(safe_markdown(str(exc)), icon=":material/report:")
    st.info("Open the **Data** page to restore the previous version or to set the damaged file aside and rebuild.",
            icon=":material/build:")


def repair_store(damaged: Exception | None) -> None:
    """Data page: restore the previous version (every build keeps the one it replaced as ``STORE.prev``) and, when
    the store file is damaged, set it aside so the next build starts a new store. Nothing is deleted; read-only
    servers show the buttons disabled."""
    done = st.session_state.pop("data_repair_done", None)
    if done:
        st.success(safe_markdown(done), icon=":material/restore:")
    has_previous = data.has_previous()
    if damaged is None and not has_previous:
        return
    read_only = data.read_only()
    go_aside = False
    if damaged is None:
        with st.expander("Previous version"):
            st.caption("Every build keeps the version it replaced. Restoring it undoes the last build; the current "
                       "file is kept beside it, not deleted.")
            go_restore = st.button("Restore the previous version", key="data_restore", disabled=read_only)
    else:
        c1, c2 = st.columns(2)
        go_restore = c1.button("Restore the previous version", key="data_restore", type="primary",
                               disabled=read_only or not has_previous)
        go_aside = c2.button("Set the damaged file aside and start a new store", key="data_set_aside",
                             disabled=read_only)
        if not has_previous:
            st.caption("No previous version is kept yet (one is kept from the second build on).")
    try:
        if go_restore:
            st.session_state["data_repair_done"] = data.restore_previous()
            st.rerun()
        if go_aside:
            st.session_state["data_repair_done"] = data.set_aside_damaged()
            st.rerun()
    except data.StoreError as exc:
        st.error(safe_markdown(str(exc)), icon=":material/error:")


def counts_row(store, f: Filter) -> dict[str, int]:
    """Metrics: articles, unique stories, undated (with the note that time charts leave undated out)."""
    counts = data.count(store, f)
    c1, c2, c3 = st.columns(3)
    c1.metric("Articles", f"{counts['articles']:,}")
    c2.metric("Unique stories", f"{counts['stories']:,}")
    c3.metric("Undated", f"{counts['undated']:,}", help="Articles without a date are left out of time charts.")
    if counts["undated"]:
        st.caption(f"{counts['undated']:,} undated article{'s are' if counts['undated'] != 1 else ' is'} left out "
                   "of time charts.")
    return counts


def has_dated(store, f: Filter) -> bool:
    counts = data.count(store, f)
    return counts["articles"] - counts["undated"] > 0


def no_dated_note() -> None:
    st.info("None of these articles has a date, so there is no time chart. Dates come from the input's metadata, "
            "a dateline, or the text.", icon=":material/event_busy:")
