"""A small TopoJSON -> GeoJSON decoder (enough for world-atlas; no extra dependency).

TopoJSON stores shared borders once as "arcs"; geometries reference arcs by index, and a negative index ``~i``
(= ``-i - 1``) means arc ``i`` walked backwards. A quantised topology (with ``transform``) delta-encodes each arc's
points as integers: point k = point k-1 + delta, then ``x * scale + translate``.

``topology_to_features(topology, object_name) -> list[dict]`` returns GeoJSON Feature dicts (id and properties kept).
"""

from __future__ import annotations

from typing import Any

Point = list[float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Absolute coordinates of every arc.

    In: a TopoJSON Topology dict (``arcs``, optional ``transform`` {scale, translate}).
    Out: list (one per arc) of [x, y] points in the topology's coordinate system (lon/lat for world-atlas).
    """
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([[float(p[0]), float(p[1])] for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        pts: list[Point] = []
        for p in arc:
            x += p[0]
            y += p[1]
            pts.append([x * sx + tx, y * sy + ty])
        arcs.append(pts)
    return arcs


def _ring(indices: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Stitch arcs into one ring; consecutive arcs share their joining point, so it is dropped once."""
    out: list[Point] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    if out and out[0] != out[-1]:  # GeoJSON rings must be closed
        out.append(list(out[0]))
    return out


def _geometry(geom: dict[str, Any], arcs: list[list[Point]]) -> dict[str, Any] | None:
    kind = geom.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in geom["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]}
    if kind is None:
        return None
    raise ValueError(f"unsupported TopoJSON geometry type {kind!r} (only Polygon/MultiPolygon)")


def topology_to_features(topology: dict[str, Any], object_name: str) -> list[dict[str, Any]]:
    """GeoJSON Features of one GeometryCollection object of a topology.

    In: Topology dict, name of an object in ``topology["objects"]`` (e.g. "countries").
    Out: list of {"type": "Feature", "id": <id or None>, "properties": {...}, "geometry": {...} | None}.
    """
    arcs = decode_arcs(topology)
    obj = topology["objects"][object_name]
    geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    return [
        {
            "type": "Feature",
            "id": g.get("id"),
            "properties": dict(g.get("properties") or {}),
            "geometry": _geometry(g, arcs),
        }
        for g in geoms
    ]
