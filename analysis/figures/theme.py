"""The one NewsLens Plotly theme: colours, fonts, margins, hover labels. No colour is written anywhere else.

``register()`` installs the template "newslens" in ``plotly.io.templates`` (idempotent); ``themed_figure(data, title,
subtitle=None, **layout)`` builds a figure with it in one constructor (what every builder uses); ``apply_theme(fig,
title, subtitle=None)`` sets it on an existing figure with an escaped title. Palette: Okabe-Ito (distinguishable with the common forms
of colour-blindness), black moved last and yellow near the end because yellow lines are weak on white.
"""

from __future__ import annotations

import contextvars
import html
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "newslens"

#: False inside :func:`unvalidated` (per thread: a context variable)
_VALIDATE: contextvars.ContextVar[bool] = contextvars.ContextVar("newslens_validate_figures", default=True)


@contextmanager
def unvalidated() -> Iterator[None]:
    """Figures built inside skip plotly's check of every property (``go.Figure(_validate=False)``): a third of a
    figure's building time, ~40 ms of a page's run under a new filter on 15k articles. For the dashboard's page
    drawing only: the builders are the same ones every test and export runs with the check on, and the figure is
    the same (``tests/figures/test_catalog.py`` compares both for every view)."""
    token = _VALIDATE.set(False)
    try:
        yield
    finally:
        _VALIDATE.reset(token)

# Okabe & Ito (2008), "Color Universal Design".
PALETTE: list[str] = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
]
# Single-hue sequential blues (light -> dark): readable for every colour-vision type, light end still visible on white.
SEQUENTIAL: list[list[float | str]] = [
    [0.0, "#deebf7"],
    [0.25, "#9ecae1"],
    [0.5, "#4292c6"],
    [0.75, "#2171b5"],
    [1.0, "#08306b"],
]
COLOR_A = PALETTE[0]  # slice A in every A-vs-B view
COLOR_B = PALETTE[1]  # slice B
NO_DATA = "#e6e6e6"  # countries / cells without data
OUTLINE = "#ffffff"  # country borders
EDGE = "#b0b0b0"  # network edges, span lines
TEXT = "#222222"
MUTED = "#666666"
GRID = "#e5e5e5"
# Latin first, then Noto faces for Hangul / Kanji / Hanzi, Arabic, Devanagari (Debian's fonts-noto-cjk and
# fonts-noto-core, installed by run.sh): without them exported PNGs draw boxes for non-Latin names.
FONT_FAMILY = ("Inter, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Noto Sans CJK KR', "
               "'Noto Sans CJK JP', 'Noto Sans CJK SC', 'Noto Sans Arabic', 'Noto Sans Devanagari', sans-serif")
FONT_SIZE = 13  # readable on a laptop screen at 100% zoom
#: the template's margins (px); :func:`label_margins` widens them where a figure's labels need it
BASE_MARGIN = {"l": 60, "r": 30, "t": 80, "b": 50}


def _template() -> go.layout.Template:
    axis = dict(
        gridcolor=GRID,
        linecolor="#bdbdbd",
        zerolinecolor="#bdbdbd",
        ticks="outside",
        tickcolor="#bdbdbd",
        title=dict(standoff=8),
        automargin=True,
    )
    layout = go.Layout(
        colorway=PALETTE,
        colorscale=dict(sequential=SEQUENTIAL, sequentialminus=SEQUENTIAL),
        font=dict(family=FONT_FAMILY, size=FONT_SIZE, color=TEXT),
        # titles start at the figure's left edge, whatever the width of its axis labels (aligned across charts)
        title=dict(x=0.0, xanchor="left", xref="container", pad=dict(l=16), font=dict(size=FONT_SIZE + 5), subtitle=dict(
            font=dict(size=FONT_SIZE - 1, color=MUTED))),
        margin=BASE_MARGIN,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        hoverlabel=dict(bgcolor="#ffffff", bordercolor="#999999", font=dict(family=FONT_FAMILY, size=FONT_SIZE,
                                                                             color=TEXT), align="left"),
        hovermode="closest",
        legend=dict(bgcolor="rgba(255,255,255,0.8)", font=dict(size=FONT_SIZE - 1)),
        xaxis=axis,
        yaxis=axis,
        separators=".,",
    )
    return go.layout.Template(layout=layout)


def register() -> str:
    """Install the "newslens" template in plotly.io.templates (idempotent). Returns the template name."""
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = _template()
    return TEMPLATE_NAME


def _title(title: str, subtitle: str | None) -> dict:
    spec: dict = {"text": html.escape(title or "", quote=False)}
    if subtitle:
        spec["subtitle"] = {"text": html.escape(subtitle, quote=False)}
    return spec


def _get(trace: Any, name: str, default: Any = None) -> Any:
    return trace.get(name, default) if isinstance(trace, dict) else getattr(trace, name, default)


_NARROW = frozenset("fijlrt.,:;'!|()[] ")
_WIDE = frozenset("MWmw@%")


def text_px(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width in px of ``text`` at ``size`` px in the fonts of FONT_FAMILY: narrow letters 0.3 em, capitals
    and wide letters 0.65-0.8 em, CJK 1 em, the rest 0.52 em (within ~10% of Chromium's for names and terms)."""
    em = 0.0
    for ch in html.unescape(text):
        if ch in _NARROW:
            em += 0.3
        elif ch in _WIDE:
            em += 0.8
        elif ord(ch) >= 0x1100:  # Hangul, CJK and other wide scripts
            em += 1.0
        elif ch.isupper():
            em += 0.65
        else:
            em += 0.52
    return em * size


def _widest(values: Any, size: float = FONT_SIZE) -> float:
    if values is None or isinstance(values, str):
        return 0.0
    return max((text_px(str(v), size) for v in values if isinstance(v, str)), default=0.0)


def label_margins(data: list | None, layout: dict) -> dict[str, int]:
    """Margins (px, only the sides the builder left unset) wide enough for the figure's axis labels and its legend.

    Why: the axes keep ``automargin`` (a label never gets cut), but when a label or a legend needs more room than the
    margin, plotly.js lays the whole figure out a second time: about half of each chart's drawing time in Chromium
    here (a country bar 71 -> 38 ms). An estimate that falls short costs only that second pass; one too generous
    only some white space. Maps (``geo``) set their own margins."""
    traces = list(data or [])
    if not traces or "geo" in layout or any(_get(t, "type") == "choropleth" for t in traces):
        return {}
    set_sides = set((layout.get("margin") or {}).keys())
    out: dict[str, int] = {}
    yaxis = layout.get("yaxis") or {}
    if yaxis.get("visible", True) is not False:  # category labels (strings) left of the plot, else numbers
        widest = max((_widest(_get(t, "y")) for t in traces if _get(t, "orientation") != "v"), default=0.0)
        out["l"] = max(BASE_MARGIN["l"] + 10, round(widest) + 30)
    out["b"] = BASE_MARGIN["b"] + 10  # tick labels and an axis title under the plot
    for t in traces:  # a heatmap's many column labels stand upright (plotly.js turns them): as tall as the longest
        columns = _get(t, "x") if _get(t, "type") == "heatmap" else None
        if columns is not None and len(columns) * _widest(columns) > 500:
            out["b"] = max(out["b"], round(_widest(columns)) + 10)
    legend = layout.get("legend") or {}
    shown = [t for t in traces if _get(t, "showlegend") is not False and _get(t, "name")]
    if layout.get("showlegend") is not False and legend.get("orientation") != "h" and (
            len(shown) > 1 or layout.get("showlegend") is True):
        widest = _widest([_get(t, "name") for t in shown], FONT_SIZE - 1)
        out["r"] = max(BASE_MARGIN["r"], round(widest) + 80)  # the symbol, the gap and the legend's padding
    if any(_get(t, "type") == "heatmap" and (_get(t, "colorbar") or {}).get("orientation") != "h"
           and _get(t, "showscale") is not False for t in traces):
        out["r"] = max(out.get("r", BASE_MARGIN["r"]), 100)  # the colour bar beside the plot
    return {side: px for side, px in out.items() if side not in set_sides}


def themed_figure(data: list | None, title: str, subtitle: str | None = None, **layout) -> go.Figure:
    """A new figure of ``data`` (trace dicts or objects) with the newslens template, an escaped title (+ subtitle)
    and ``layout`` (nested dicts, as ``go.Layout`` takes them), in one validating constructor.

    Same figure as ``apply_theme(go.Figure(data, layout), title, subtitle)`` at a third of the cost: a bare
    ``go.Figure`` first copies plotly's default template (large: defaults for every trace type) and each
    ``update_layout`` re-validates, which was half the drawing time of a simple bar chart.
    """
    register()
    margins = label_margins(data, layout)
    if margins:
        layout["margin"] = {**margins, **layout.get("margin", {})}
    if subtitle:
        layout["margin"] = {**layout.get("margin", {}), "t": 95}
    return go.Figure(data=data, layout={"template": pio.templates[TEMPLATE_NAME], "title": _title(title, subtitle),
                                        **layout}, _validate=_VALIDATE.get())


def apply_theme(fig: go.Figure, title: str, subtitle: str | None = None) -> go.Figure:
    """Set the newslens template and an escaped title (+ optional subtitle) on ``fig``; returns the same figure.

    Titles can carry filter values typed by a user or taken from articles (entity names, terms), so they are
    escaped like any other untrusted text.
    """
    register()
    margins = label_margins(list(fig.data), fig.layout.to_plotly_json())
    fig.update_layout(template=TEMPLATE_NAME, title_text=html.escape(title or "", quote=False),
                      **({"margin": margins} if margins else {}))
    if subtitle:
        fig.update_layout(title_subtitle_text=html.escape(subtitle, quote=False), margin_t=95)
    return fig


def color_for(i: int) -> str:
    """The i-th qualitative colour (cycles): for series that have no identity of their own across charts."""
    return PALETTE[i % len(PALETTE)]


# One colour per entity type, whatever else a chart or filter shows (colours by legend position changed between
# views: GPE was orange on the Overview and blue under a country filter).
#: what an entity type is called where people read it (legends, the Entities page's kinds)
LABEL_NAMES: dict[str, str] = {
    "PERSON": "People", "ORG": "Organisations", "GPE": "Countries and cities", "LOC": "Other places",
    "NORP": "Groups (nationalities, religions)", "EVENT": "Events", "FAC": "Facilities",
}


def label_name(label: str) -> str:
    """The readable name of an entity type (an unknown type keeps its code)."""
    return LABEL_NAMES.get(str(label), str(label))


LABEL_COLORS: dict[str, str] = {
    "PERSON": PALETTE[0],
    "ORG": PALETTE[1],
    "GPE": PALETTE[2],
    "NORP": PALETTE[3],
    "LOC": PALETTE[4],
    "EVENT": PALETTE[5],
    "FAC": "#8C564B",  # brown
    "PRODUCT": "#7F7F7F",  # grey
    "WORK_OF_ART": "#BCBD22",  # olive
    "LAW": "#17BECF",  # cyan
    "LANGUAGE": "#9467BD",  # purple
}
OTHER_COLOR = "#9E9E9E"  # "other" topic (-1), unknown keys


def label_color(label: object) -> str:
    """The fixed colour of an entity type (PERSON, ORG, ...); an unknown type gets a colour from its name."""
    return LABEL_COLORS.get(str(label)) or key_color(str(label))


def topic_color(topic_id: object) -> str:
    """The fixed colour of topic ``topic_id`` (by id, so a topic keeps its colour under any filter and in any chart);
    the "other" topic (-1) and a missing id are grey."""
    try:
        tid = int(topic_id)
    except (TypeError, ValueError):
        return OTHER_COLOR
    return OTHER_COLOR if tid < 0 else PALETTE[tid % len(PALETTE)]


def key_color(key: object) -> str:
    """A fixed colour for any stable key (ISO country code, entity id): the same key gets the same colour in every
    chart, filter and export (crc32, not ``hash()``, which changes between processes)."""
    return PALETTE[zlib.crc32(str(key).encode("utf-8")) % len(PALETTE)]
