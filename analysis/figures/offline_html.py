"""Make map figures draw in standalone HTML opened from ``file://`` (no server, no network).

Why: plotly.js 4.x draws ``choroplethmap`` with MapLibre 6, which needs a web worker. plotly.js hands MapLibre its
worker as a ``blob:`` URL; under ``file://`` Chromium gives the page the origin ``"file://"`` but the blob the opaque
origin ``"null"``, so MapLibre takes the blob for a cross-origin worker and wraps it in a second module blob
(``import "blob:null/..."``). That import is refused between opaque origins, the worker dies on start, no GeoJSON is
ever tiled and the map area stays blank (no console message). Over http:// both origins agree and it works. plotly.js
has no config or layout key for MapLibre's worker URL, so no setting fixes it.

The fix: each ``map`` subplot whose traces are all ``choroplethmap`` with an inline GeoJSON
becomes a d3-drawn ``geo`` subplot (no worker, no WebGL) holding the same traces as ``choropleth`` with the same
GeoJSON, colours, customdata, hovertemplate and colorbar. A ``geo`` subplot fetches its base-map topology from the
plotly CDN even when every base layer is hidden (``locationmode="geojson-id"`` alone triggers the fetch), so
such figures are drawn with plotly.js config ``topojsonURL = EMPTY_TOPOLOGY_URL``, an empty topology in a data: URL:
the page then makes no request at all (HTML export, kaleido's static export and the dashboard alike).

Public API:
    ``offline_geo_figure(fig) -> go.Figure`` (a converted copy, or ``fig`` itself when there is nothing to convert)
    ``needs_empty_topology(fig) -> bool`` (draw ``fig`` with ``topojsonURL = EMPTY_TOPOLOGY_URL``)
    ``EMPTY_TOPOLOGY_URL`` (the ``topojsonURL`` config value)
    ``HIDDEN_BASE_MAP`` (a ``geo`` subplot layout with every base layer hidden)
"""

from __future__ import annotations

import json
import math
from typing import Any

import plotly.graph_objects as go

# Every base layer of a geo subplot: all off, the converted traces carry their own outlines.
_GEO_LAYERS = ("showframe", "showland", "showocean", "showlakes", "showrivers", "showcountries", "showcoastlines",
               "showsubunits")
_GEO_TRACES = frozenset({"choropleth", "scattergeo"})
_MAP_TRACES = frozenset({"choroplethmap", "scattermap", "densitymap"})
_RESOLUTION = 110  # the topology name is f"{scope}_{resolution}m"; with every layer hidden its content is unused
#: A ``geo`` subplot that draws nothing of its own (its traces carry the outlines): every base layer hidden,
#: transparent, not fitted to the data. The world map (``charts.country_map``) and every converted map start from it.
HIDDEN_BASE_MAP: dict[str, Any] = {
    "visible": False, **{k: False for k in _GEO_LAYERS}, "scope": "world", "resolution": _RESOLUTION,
    "bgcolor": "rgba(0,0,0,0)", "fitbounds": False,
}
_EMPTY_TOPOLOGY = {"type": "Topology", "objects": {}, "arcs": []}
#: plotly.js ``topojsonURL`` config value that serves the empty topology from the URL itself: plotly.js requests
#: ``topojsonURL + "/world_110m.json"``, which lands in the fragment of this data: URL and is ignored, so any page
#: (http, file://, kaleido's) gets the empty topology with no request: the dashboard, HTML and static export.
EMPTY_TOPOLOGY_URL = "data:application/json," + json.dumps(_EMPTY_TOPOLOGY, separators=(",", ":")) + "#"
_TILE_PX = 512  # MapLibre: the whole world is 512 * 2**zoom px wide
_MAX_LAT = 85.0511  # Web Mercator's latitude limit
# Size assumed when the layout leaves it open: the export width and plotly's default height and margins.
_DEFAULT_WIDTH, _DEFAULT_HEIGHT = 1100, 450
_DEFAULT_MARGIN = {"l": 80, "r": 80, "t": 100, "b": 80}


def _map_subplot(trace: dict[str, Any]) -> str:
    return trace.get("subplot") or "map"


def _convertible(traces: list[dict[str, Any]]) -> bool:
    """A subplot converts when every trace on it is a choroplethmap with an inline GeoJSON object (a GeoJSON URL
    would be fetched anyway; other map traces such as scattermap have no d3 twin here)."""
    return bool(traces) and all(t.get("type") == "choroplethmap" and isinstance(t.get("geojson"), dict)
                                for t in traces)


def _view(map_layout: dict[str, Any], layout: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Longitude and latitude ranges that show about what MapLibre shows for the map's centre and zoom."""
    center = map_layout.get("center") or {}
    lon0, lat0 = float(center.get("lon", 0.0)), float(center.get("lat", 0.0))
    zoom = float(map_layout.get("zoom", 1.0))
    margin = {**_DEFAULT_MARGIN, **(layout.get("margin") or {})}
    domain = map_layout.get("domain") or {}
    dx, dy = domain.get("x", [0, 1]), domain.get("y", [0, 1])
    width = ((layout.get("width") or _DEFAULT_WIDTH) - margin["l"] - margin["r"]) * (dx[1] - dx[0])
    height = ((layout.get("height") or _DEFAULT_HEIGHT) - margin["t"] - margin["b"]) * (dy[1] - dy[0])
    world = _TILE_PX * 2.0 ** zoom
    lon_span = min(360.0, 360.0 * max(width, 1.0) / world)
    # Mercator y in radians: the world spans [-pi, pi] over `world` px.
    y0 = math.log(math.tan(math.pi / 4 + math.radians(max(-_MAX_LAT, min(_MAX_LAT, lat0))) / 2))
    half = max(height, 1.0) / 2 * 2 * math.pi / world
    lat = [math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2) for y in (y0 - half, y0 + half)]
    lat = [max(-_MAX_LAT, lat[0]), min(_MAX_LAT, lat[1])]
    return [lon0 - lon_span / 2, lon0 + lon_span / 2], [round(v, 4) for v in lat]


def _geo_layout(map_layout: dict[str, Any], layout: dict[str, Any]) -> dict[str, Any]:
    lon_range, lat_range = _view(map_layout, layout)
    geo: dict[str, Any] = {
        **HIDDEN_BASE_MAP,
        # Equirectangular, not Mercator: plotly.js fits a Mercator view to the whole +-85 deg square whatever the
        # lataxis range, while an equirectangular one shows exactly the lon/lat box that MapLibre would show.
        "projection": {"type": "equirectangular", "rotation": {"lon": (lon_range[0] + lon_range[1]) / 2}},
        "lonaxis": {"range": lon_range, "showgrid": False}, "lataxis": {"range": lat_range, "showgrid": False},
    }
    if map_layout.get("domain"):
        geo["domain"] = map_layout["domain"]
    if "uirevision" in map_layout:
        geo["uirevision"] = map_layout["uirevision"]
    return geo


def offline_geo_figure(fig: go.Figure) -> go.Figure:
    """Swap MapLibre choropleths for d3 ones that draw from ``file://``.

    In: any plotly Figure. Out: a new Figure in which every ``map`` subplot (``map``, ``map2``, ...) whose traces
    are all ``choroplethmap`` with an inline GeoJSON dict is replaced by a ``geo`` subplot (``geo``, ``geo2``, ...)
    with the same domain and about the same view (MapLibre's centre and zoom turned into the lon/lat box its Web
    Mercator view shows, drawn equirectangular; every base layer hidden), and each such trace becomes a
    ``choropleth`` with the same attributes (geojson, featureidkey, locations, z, colorscale, colorbar, marker line,
    customdata, hovertemplate, ...; MapLibre-only ``below`` is dropped). Trace order is kept. Other traces and
    subplots are untouched. ``fig`` itself is returned, unchanged, when nothing converts; the input is never mutated.

    Example: ``offline_geo_figure(country_map(df)).data[0].type == "choropleth"``.
    """
    if not any(t.type == "choroplethmap" for t in fig.data):  # cheap exit: to_plotly_json deep-copies the figure
        return fig
    spec = fig.to_plotly_json()
    traces: list[dict[str, Any]] = spec.get("data", [])
    by_subplot: dict[str, list[dict[str, Any]]] = {}
    for t in traces:
        if t.get("type") in _MAP_TRACES:
            by_subplot.setdefault(_map_subplot(t), []).append(t)
    convert = {name for name, ts in by_subplot.items() if _convertible(ts)}
    if not convert:
        return fig
    layout: dict[str, Any] = dict(spec.get("layout", {}))
    taken = {t.get("geo") or "geo" for t in traces if t.get("type") in _GEO_TRACES} | set(layout)
    mapping: dict[str, str] = {}
    n = 1
    for name in sorted(convert, key=lambda s: int(s[3:] or 1)):  # map, map2, ... -> the first free geo names
        while (geo := "geo" if n == 1 else f"geo{n}") in taken:
            n += 1
        mapping[name] = geo
        n += 1
    data = []
    for t in traces:
        if t.get("type") == "choroplethmap" and _map_subplot(t) in mapping:
            geo = mapping[_map_subplot(t)]
            t = {k: v for k, v in t.items() if k not in {"type", "subplot", "below"}}
            t = {"featureidkey": "id", **t}  # both trace types default to "id"; say it, the geo one reads it
            t.update(type="choropleth", geo=geo, locationmode="geojson-id")
        data.append(t)
    for name, geo in mapping.items():
        layout[geo] = _geo_layout(layout.pop(name, None) or {}, layout)
    return go.Figure({"data": data, "layout": layout})


def needs_empty_topology(fig: go.Figure) -> bool:
    """True when a geo subplot of ``fig`` draws only GeoJSON traces over hidden base layers (what
    ``offline_geo_figure`` makes): plotly.js would still fetch a topology for it from the CDN."""
    for t in fig.data:
        if t.type not in _GEO_TRACES:
            continue
        try:
            geo = fig.layout[t.geo or "geo"]
        except KeyError:  # a geo2, geo3, ... without layout: plotly's defaults, base layers on
            continue
        if geo.visible is False and not any(geo[k] for k in _GEO_LAYERS):
            return True
    return False
