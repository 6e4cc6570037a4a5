"""The shipped world outlines and the TopoJSON decoder that made them."""

from __future__ import annotations

import json

import pycountry

from analysis.figures.geo import WORLD_GEOJSON, world_geojson, world_iso2
from analysis.figures.topojson import decode_arcs, topology_to_features


def test_world_geojson_is_a_valid_feature_collection_keyed_by_iso2():
    fc = world_geojson()
    assert fc["type"] == "FeatureCollection"
    ids = [f["id"] for f in fc["features"]]
    assert len(ids) == len(set(ids)) >= 170
    assert {"KR", "KP", "CN", "US", "RU", "FR", "SG", "HK", "XK"} <= set(ids)
    for f in fc["features"]:
        assert f["type"] == "Feature" and f["properties"]["iso2"] == f["id"]
        assert f["id"] == "XK" or pycountry.countries.get(alpha_2=f["id"]) is not None
        geom = f["geometry"]
        assert geom["type"] == "MultiPolygon" and geom["coordinates"]
        for poly in geom["coordinates"]:
            for ring in poly:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring)
    assert world_iso2() == frozenset(ids)


def test_world_file_is_small_and_has_no_antimeridian_bands():
    assert WORLD_GEOJSON.stat().st_size < 1_000_000
    json.loads(WORLD_GEOJSON.read_text(encoding="utf-8"))
    for f in world_geojson()["features"]:
        if f["id"] == "AQ":  # the ring round the South Pole legitimately runs along -180..180
            continue
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                assert all(abs(b[0] - a[0]) <= 180 for a, b in zip(ring, ring[1:])), f["id"]


def test_provenance_readme_names_source_and_licence():
    text = (WORLD_GEOJSON.parent / "README.md").read_text(encoding="utf-8")
    assert "world-atlas" in text and "Natural Earth" in text and "public domain" in text


TINY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    # arc 0: (0,0)->(2,0)->(2,2) delta-encoded; arc 1: (2,2)->(0,2)->(0,0)
    "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]],
    "objects": {"shapes": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1]], "id": "410", "properties": {"name": "square"}},
        {"type": "MultiPolygon", "arcs": [[[~1, ~0]]], "id": "408", "properties": {"name": "reversed"}},
        {"type": None, "properties": {"name": "empty"}},
    ]}},
}


def test_decode_arcs_applies_delta_and_transform():
    arcs = decode_arcs(TINY)
    assert arcs[0] == [[10.0, 20.0], [11.0, 20.0], [11.0, 21.0]]
    assert arcs[1] == [[11.0, 21.0], [10.0, 21.0], [10.0, 20.0]]


def test_topology_to_features_stitches_and_reverses_arcs():
    sq, rev, empty = topology_to_features(TINY, "shapes")
    assert sq["id"] == "410" and sq["properties"] == {"name": "square"}
    assert sq["geometry"] == {"type": "Polygon", "coordinates": [
        [[10.0, 20.0], [11.0, 20.0], [11.0, 21.0], [10.0, 21.0], [10.0, 20.0]]]}
    assert rev["geometry"]["type"] == "MultiPolygon"
    assert rev["geometry"]["coordinates"][0][0] == [[10.0, 20.0], [10.0, 21.0], [11.0, 21.0], [11.0, 20.0],
                                                    [10.0, 20.0]]
    assert empty["geometry"] is None
