"""Countries: an offline choropleth over shipped Natural Earth outlines, and a bar chart."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ._util import customdata, empty_figure, is_empty, require_columns, safe_text, unique_labels
from .theme import NO_DATA, OUTLINE, PALETTE, SEQUENTIAL, apply_theme

WORLD_GEOJSON = Path(__file__).resolve().parents[1] / "resources" / "world" / "countries.geojson"


@lru_cache(maxsize=1)
def _world() -> dict[str, Any]:
    return json.loads(WORLD_GEOJSON.read_text(encoding="utf-8"))


def world_geojson() -> dict[str, Any]:
    """The shipped world outlines: a GeoJSON FeatureCollection, feature ``id`` = ISO alpha-2 (e.g. "KR"),
    properties {"iso2", "name"}. Read once per process; do not mutate the returned dict (it is shared)."""
    return _world()


def world_iso2() -> frozenset[str]:
    """The alpha-2 codes that have an outline."""
    return frozenset(f["id"] for f in _world()["features"])


def _subset(codes: set[str]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [f for f in _world()["features"] if f["id"] in codes]}


def country_map(df: pd.DataFrame, *, title: str = "Countries in the news", subtitle: str | None = None,
                zoom: float = 0.55) -> go.Figure:
    """Choropleth of articles per country that works offline (``Choroplethmap`` + inline GeoJSON, "white-bg" style).

    In: df[iso2: str, name: str, articles: int, weight: float] (weight = summed centrality, 0..articles).
    Out: Figure with trace 0 = grey base layer (every shipped country, no hover) and trace 1 = Choroplethmap of the
    countries in ``df`` that have an outline (locations = iso2, z = articles, sequential colour scale);
    customdata = [iso2, name (escaped), articles, weight]. Rows whose iso2 has no outline are left off the map
    (they still show in ``country_bar``); the subtitle says how many.
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["iso2", "name", "articles", "weight"], "country_map")
    known = world_iso2()
    d = df[df["iso2"].astype(str).str.upper().isin(known)].copy()
    d["iso2"] = d["iso2"].astype(str).str.upper()
    missing = len(df) - len(d)
    if missing:
        note = f"{missing} countr{'y' if missing == 1 else 'ies'} without an outline not drawn"
        subtitle = f"{subtitle} · {note}" if subtitle else note
    if d.empty:
        return empty_figure(title, subtitle=subtitle)
    fig = go.Figure()
    everything = _world()
    fig.add_trace(go.Choroplethmap(
        geojson=everything, locations=[f["id"] for f in everything["features"]],
        z=[0] * len(everything["features"]), colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False,
        marker_line_color=OUTLINE, marker_line_width=0.5, hoverinfo="skip", name="world"))
    cd = customdata(d["iso2"], [safe_text(n) for n in d["name"]], d["articles"], d["weight"].astype(float).round(2))
    fig.add_trace(go.Choroplethmap(
        geojson=_subset(set(d["iso2"])), locations=d["iso2"].tolist(), z=d["articles"].tolist(),
        colorscale=SEQUENTIAL, zmin=0, marker_line_color=OUTLINE, marker_line_width=0.5, customdata=cd,
        colorbar=dict(title=dict(text="Articles"), thickness=12, len=0.6),
        hovertemplate="<b>%{customdata[1]}</b> (%{customdata[0]})<br>Articles: %{customdata[2]:,}"
                      "<br>Weight: %{customdata[3]}<extra></extra>",
        name="articles"))
    fig.update_layout(map=dict(style="white-bg", zoom=zoom, center=dict(lat=20, lon=10)),
                      margin=dict(l=10, r=10, b=10), height=520)
    return apply_theme(fig, title, subtitle)


def country_bar(df: pd.DataFrame, top: int = 20, *, title: str = "Top countries",
                subtitle: str | None = None) -> go.Figure:
    """Horizontal bars of the ``top`` countries by articles, largest on top.

    In: df[iso2: str, name: str, articles: int, weight: float].
    Out: Figure with one Bar (orientation "h", x = articles, y = escaped names);
    customdata = [iso2, name (escaped), articles, weight].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["iso2", "name", "articles", "weight"], "country_bar")
    d = df.sort_values(["articles", "weight"], ascending=False).head(top).iloc[::-1]
    names = unique_labels(d["name"].tolist(), d["iso2"].tolist())
    cd = customdata(d["iso2"], names, d["articles"], d["weight"].astype(float).round(2))
    fig = go.Figure(go.Bar(x=d["articles"], y=names, orientation="h", marker_color=PALETTE[0], customdata=cd,
                           hovertemplate="<b>%{customdata[1]}</b> (%{customdata[0]})<br>Articles: %{x:,}"
                                         "<br>Weight: %{customdata[3]}<extra></extra>"))
    fig.update_layout(xaxis_title="Articles", yaxis_title=None, height=max(350, 24 * len(d) + 140))
    return apply_theme(fig, title, subtitle)
