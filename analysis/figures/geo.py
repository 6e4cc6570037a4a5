"""Countries: an offline choropleth over shipped Natural Earth outlines, and a bar chart."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._util import (
    count_axis,
    count_colorbar,
    customdata,
    empty_figure,
    is_empty,
    kept_of,
    require_columns,
    safe_text,
    titled_cut,
    unique_labels,
)
from .offline_html import HIDDEN_BASE_MAP
from .theme import NO_DATA, OUTLINE, PALETTE, SEQUENTIAL, themed_figure

WORLD_GEOJSON = Path(__file__).resolve().parents[1] / "resources" / "world" / "countries.geojson"


@lru_cache(maxsize=1)
def _world() -> dict[str, Any]:
    return json.loads(WORLD_GEOJSON.read_text(encoding="utf-8"))


def world_geojson() -> dict[str, Any]:
    """The shipped world outlines: a GeoJSON FeatureCollection, feature ``id`` = ISO alpha-2 (e.g. "KR"),
    properties {"iso2", "name"}. Read once per process; do not mutate the returned dict (it is shared)."""
    return _world()


class SharedOutlines(dict):
    """The shipped outlines as one figure trace holds them: never changed, so a copy is the same object. plotly
    deep-copies a trace's properties when a figure is made and again when it is serialised; copying ~250 features
    was most of the world map's figure time (~25 of ~35 ms per map)."""

    def __copy__(self) -> SharedOutlines:
        return self

    def __deepcopy__(self, memo: dict) -> SharedOutlines:
        return self


@lru_cache(maxsize=1)
def _world_for_plotly() -> dict[str, Any]:
    """The world outlines with every ring as a float ndarray of shape (n, 2): the same JSON once serialised, but
    plotly deep-copies a figure's data on construction and on ``to_dict`` and copying ~1,400 arrays costs ~4 ms where
    copying 12,000 nested point lists cost ~100 ms, per copy (the map was the slowest chart of the Overview page)."""
    def rings(geometry: dict[str, Any]) -> dict[str, Any]:
        coords = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            return {"type": "Polygon", "coordinates": [np.asarray(r, dtype=float) for r in coords]}
        return {"type": geometry["type"], "coordinates": [[np.asarray(r, dtype=float) for r in poly] for poly in coords]}

    return SharedOutlines(type="FeatureCollection",
                          features=[{**f, "geometry": rings(f["geometry"])} for f in _world()["features"]])


#: The ``geo`` subplot of the world map: no base layer (the trace draws the shipped outlines), Natural Earth,
#: Antarctica cropped.
WORLD_VIEW: dict[str, Any] = {
    **HIDDEN_BASE_MAP,
    "projection": {"type": "natural earth", "rotation": {"lon": 0}},
    "lonaxis": {"range": [-180, 180], "showgrid": False}, "lataxis": {"range": [-57, 84], "showgrid": False},
}


def world_iso2() -> frozenset[str]:
    """The alpha-2 codes that have an outline."""
    return frozenset(f["id"] for f in _world()["features"])


def country_map(df: pd.DataFrame, *, title: str = "Countries in the news", subtitle: str | None = None) -> go.Figure:
    """Choropleth of articles per country that draws offline: a d3 ``choropleth`` over the shipped outlines (inline
    GeoJSON), Natural Earth projection, every base layer of the ``geo`` subplot hidden.

    In: df[iso2: str, name: str, articles: int, weight: float] (weight = summed centrality, 0..articles).
    Out: Figure with ONE choropleth trace over every shipped outline: the countries of ``df`` first (in ``df``
    order; locations = iso2, z = articles), then every other country with z = 0, drawn grey by a colour scale whose
    bottom sliver is NO_DATA. customdata = [iso2, name (escaped), articles, weight] for countries with data and
    ["", name, 0, 0] for the rest, so a selection of a grey country narrows nothing. ``hovertemplate`` is per point.
    Rows whose iso2 has no outline are left off the map (they still show in ``country_bar``); the subtitle says how
    many.

    Why one trace: the GeoJSON (~200 KB) is copied, validated and serialised once per trace, and a base layer plus a
    data layer doubled the cost of the slowest chart on the Overview page.

    Why d3 and not MapLibre (``choroplethmap``): MapLibre's worker cannot start from ``file://`` (blank maps in HTML
    export, see ``offline_html``) and took 460-860 ms to draw where d3 takes 100-155 ms in headless Chromium here.
    plotly.js still asks a ``geo`` subplot for a base-map topology, even with every layer hidden: draw the figure
    with the plotly.js config ``topojsonURL = offline_html.EMPTY_TOPOLOGY_URL`` (the dashboard and every export do,
    via ``offline_html.needs_empty_topology``) and no request is made.
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["iso2", "name", "articles", "weight"], "country_map")
    known = world_iso2()
    d = df[df["iso2"].astype(str).str.upper().isin(known)].copy()
    d["iso2"] = d["iso2"].astype(str).str.upper()
    d = d.drop_duplicates("iso2")
    missing = len(df) - len(d)
    if missing:
        note = f"{missing} countr{'y' if missing == 1 else 'ies'} without an outline not drawn"
        subtitle = f"{subtitle} · {note}" if subtitle else note
    if d.empty:
        return empty_figure(title, subtitle=subtitle)
    world = _world_for_plotly()
    with_data = set(d["iso2"])
    rest = [f for f in world["features"] if f["id"] not in with_data]
    top = float(d["articles"].max()) or 1.0
    # z = 0 means "no articles": the scale's first 1e-9 is grey, everything above it the sequential blues.
    edge = 1e-9
    colorscale = [[0.0, NO_DATA], [edge, NO_DATA], [edge, SEQUENTIAL[0][1]],
                  *[[max(float(pos), edge), col] for pos, col in SEQUENTIAL[1:]]]
    data_hover = ("<b>%{customdata[1]}</b> (%{customdata[0]})<br>Articles: %{customdata[2]:,}"
                  "<br>Weight: %{customdata[3]}<extra></extra>")
    empty_hover = "<b>%{customdata[1]}</b><br>No articles<extra></extra>"
    cd = customdata(
        [*d["iso2"], *([""] * len(rest))],
        [*(safe_text(n) for n in d["name"]), *(safe_text(f["properties"].get("name", f["id"])) for f in rest)],
        [*d["articles"].astype(int), *([0] * len(rest))],
        [*d["weight"].astype(float).round(2), *([0.0] * len(rest))])
    trace = dict(
        type="choropleth", geo="geo", geojson=world, featureidkey="id", locationmode="geojson-id",
        locations=[*d["iso2"], *(f["id"] for f in rest)],
        z=[*d["articles"].astype(int).tolist(), *([0] * len(rest))], zmin=0, zmax=top,
        colorscale=colorscale, marker_line_color=OUTLINE, marker_line_width=0.5, customdata=cd,
        # under the map, centred: the map keeps the whole width of a half-page column
        colorbar=count_colorbar(top, title=dict(text="Articles", side="top"), orientation="h", x=0.5,
                                xanchor="center", y=0, yanchor="top", len=0.6, thickness=10),
        hovertemplate=[data_hover] * len(d) + [empty_hover] * len(rest), name="articles")
    # a small side margin: at l=0 the title touched the left edge of an exported PNG
    # b: room for the colour bar under the map (plotly.js lays a figure out twice when the bar pushes the margin)
    return themed_figure([trace], title, subtitle, geo=WORLD_VIEW, margin=dict(l=16, r=16, b=76), height=440)


def country_bar(df: pd.DataFrame, top: int = 20, *, title: str = "Top countries",
                subtitle: str | None = None) -> go.Figure:
    """Horizontal bars of the ``top`` countries by articles, largest on top.

    In: df[iso2: str, name: str, articles: int, weight: float]. When countries are left out, the x axis says how many
    are shown of how many.
    Out: Figure with one Bar (orientation "h", x = articles, y = escaped names);
    customdata = [iso2, name (escaped), articles, weight].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["iso2", "name", "articles", "weight"], "country_bar")
    d = df.sort_values(["articles", "weight"], ascending=False).head(top).iloc[::-1]
    names = unique_labels(d["name"].tolist(), d["iso2"].tolist())
    cd = customdata(d["iso2"], names, d["articles"], d["weight"].astype(float).round(2))
    bar = dict(type="bar", x=d["articles"].to_numpy(), y=names, orientation="h", marker_color=PALETTE[0],
               customdata=cd, hovertemplate="<b>%{customdata[1]}</b> (%{customdata[0]})<br>Articles: %{x:,}"
                                            "<br>Weight: %{customdata[3]}<extra></extra>")
    cut = kept_of(len(d), len(df), ("country", "countries"))
    return themed_figure([bar], title, subtitle,
                         xaxis=count_axis(float(d["articles"].max()), titled_cut("Articles", cut)),
                         height=max(350, 24 * len(d) + 140))
