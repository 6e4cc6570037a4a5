"""Make d3 map figures draw with no network: in the dashboard, in standalone HTML opened from ``file://``, in export.

NewsLens's world map (``figures.country_map``) is a d3-drawn ``geo`` subplot whose ``choropleth`` trace carries the
country outlines as inline GeoJSON, over a base map with every layer hidden (:data:`HIDDEN_BASE_MAP`); MapLibre
(``choroplethmap``) is not used, because its worker cannot start from ``file://`` (see ``figures/geo.py``). A ``geo``
subplot still fetches its base-map topology from the plotly CDN even when every base layer is hidden
(``locationmode="geojson-id"`` alone triggers the fetch), so such figures are drawn with plotly.js config
``topojsonURL = EMPTY_TOPOLOGY_URL``, an empty topology in a data: URL: the page then makes no request at all (HTML
export, kaleido's static export and the dashboard alike).

Public API:
    ``needs_empty_topology(fig) -> bool`` (draw ``fig`` with ``topojsonURL = EMPTY_TOPOLOGY_URL``)
    ``EMPTY_TOPOLOGY_URL`` (the ``topojsonURL`` config value)
    ``HIDDEN_BASE_MAP`` (a ``geo`` subplot layout with every base layer hidden)
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

# Every base layer of a geo subplot: all off, the map's traces carry their own outlines.
_GEO_LAYERS = ("showframe", "showland", "showocean", "showlakes", "showrivers", "showcountries", "showcoastlines",
               "showsubunits")
_GEO_TRACES = frozenset({"choropleth", "scattergeo"})
_RESOLUTION = 110  # the topology name is f"{scope}_{resolution}m"; with every layer hidden its content is unused
#: A ``geo`` subplot that draws nothing of its own (its traces carry the outlines): every base layer hidden,
#: transparent, not fitted to the data. The world map (``figures.country_map``) starts from it.
HIDDEN_BASE_MAP: dict[str, Any] = {
    "visible": False, **{k: False for k in _GEO_LAYERS}, "scope": "world", "resolution": _RESOLUTION,
    "bgcolor": "rgba(0,0,0,0)", "fitbounds": False,
}
_EMPTY_TOPOLOGY = {"type": "Topology", "objects": {}, "arcs": []}
#: plotly.js ``topojsonURL`` config value that serves the empty topology from the URL itself: plotly.js requests
#: ``topojsonURL + "/world_110m.json"``, which lands in the fragment of this data: URL and is ignored, so any page
#: (http, file://, kaleido's) gets the empty topology with no request: the dashboard, HTML and static export.
EMPTY_TOPOLOGY_URL = "data:application/json," + json.dumps(_EMPTY_TOPOLOGY, separators=(",", ":")) + "#"


def needs_empty_topology(fig: go.Figure) -> bool:
    """True when a geo subplot of ``fig`` draws only GeoJSON traces over hidden base layers (the world map):
    plotly.js would still fetch a topology for it from the CDN."""
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
