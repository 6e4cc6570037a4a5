"""Rebuild ``countries.geojson`` from the npm package ``world-atlas`` (Natural Earth, public domain).

Run once by a maintainer, never at run time:

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python analysis/resources/world/build_world.py /tmp/package

In: the unpacked package folder (``countries-110m.json`` and, for small countries missing at 1:110m,
``countries-50m.json``). Out: ``countries.geojson`` beside this script, a FeatureCollection whose feature ``id`` is the
ISO 3166-1 alpha-2 code and whose properties are {"iso2", "name"}. See README.md for the choices made.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pycountry

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # run as a plain script from anywhere: make the repo importable
from analysis.figures.topojson import topology_to_features  # noqa: E402

DECIMALS = 2  # ~1 km at the equator: plenty for a 1:110m world map and keeps the file small
# Natural Earth units without an ISO numeric code: Kosovo gets the user-assigned code XK (used by the EU, IMF and most
# news APIs); Northern Cyprus and Somaliland are drawn as part of Cyprus and Somalia, so articles about them still land
# somewhere on the map (a display choice, not a political statement).
NO_NUMERIC = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}


def _round_ring(ring: list[list[float]]) -> list[list[float]] | None:
    out: list[list[float]] = []
    for x, y in ring:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    if len(out) < 4:  # a ring that rounding collapsed to a line or a point
        return None
    if out[0] != out[-1]:
        out.append(list(out[0]))
    return out


def _clip(ring: list[list[float]], x0: float, keep_below: bool) -> list[list[float]]:
    """Sutherland-Hodgman: the part of a closed ring on one side of the vertical line x = x0."""
    def inside(p):
        return p[0] <= x0 if keep_below else p[0] >= x0

    out: list[list[float]] = []
    pts = ring[:-1]
    for i, cur in enumerate(pts):
        prev = pts[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(_cross(prev, cur, x0))
            out.append(cur)
        elif inside(prev):
            out.append(_cross(prev, cur, x0))
    if out:
        out.append(list(out[0]))
    return out


def _cross(a: list[float], b: list[float], x0: float) -> list[float]:
    t = (x0 - a[0]) / (b[0] - a[0])
    return [x0, a[1] + t * (b[1] - a[1])]


def split_antimeridian(ring: list[list[float]]) -> list[list[list[float]]]:
    """A ring whose longitudes jump by > 180 degrees (it crosses the antimeridian) -> one ring per side.

    Drawn flat, such a ring smears a band across the whole map (Chukotka, Fiji). Longitudes are unwrapped, then the
    ring is clipped at +-180 and the overflow is shifted back by 360. A ring that wraps round a pole (Antarctica) is
    already a correct flat polygon and is kept.
    """
    if all(abs(b[0] - a[0]) <= 180 for a, b in zip(ring, ring[1:])):
        return [ring]
    un = [list(ring[0])]
    for p in ring[1:]:
        x = p[0]
        while x - un[-1][0] > 180:
            x -= 360
        while x - un[-1][0] < -180:
            x += 360
        un.append([x, p[1]])
    if abs(un[-1][0] - un[0][0]) > 1e-9:  # encircles a pole
        return [ring]
    lo, hi = min(p[0] for p in un), max(p[0] for p in un)
    shift = 360.0 if lo < -180 else -360.0 if hi > 180 else 0.0
    if not shift:
        return [un]
    edge = -180.0 if shift > 0 else 180.0
    main = _clip(un, edge, keep_below=shift < 0)
    over = _clip([[x + shift, y] for x, y in un], -edge, keep_below=shift > 0)
    return [r for r in (main, over) if len(r) >= 4]


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    out = []
    for poly in polys:
        outer, holes = poly[0], poly[1:]
        pieces = split_antimeridian(outer)
        for k, piece in enumerate(pieces):
            # holes never cross the antimeridian at these scales; they stay with the first piece
            rings = [_round_ring(r) for r in [piece, *(holes if k == 0 else [])]]
            if rings[0] is not None:
                out.append([r for r in rings if r is not None])
    return out


def iso2_of(feature: dict) -> str | None:
    """ISO alpha-2 for a world-atlas feature (id = ISO numeric as a string), or None if unknown."""
    name = feature["properties"].get("name", "")
    if feature.get("id") is None:
        return NO_NUMERIC.get(name)
    country = pycountry.countries.get(numeric=str(feature["id"]).zfill(3))
    return country.alpha_2 if country else None


def build(package_dir: Path) -> dict:
    """FeatureCollection keyed by alpha-2 from a world-atlas package folder."""
    polys: dict[str, list] = {}
    names: dict[str, str] = {}
    sources = [("countries-110m.json", True), ("countries-50m.json", False)]
    for filename, primary in sources:
        path = package_dir / filename
        if not path.exists():
            continue
        topo = json.loads(path.read_text(encoding="utf-8"))
        for feat in topology_to_features(topo, "countries"):
            iso2 = iso2_of(feat)
            if iso2 is None or feat["geometry"] is None:
                continue
            if not primary and iso2 in names:  # 1:50m only fills in what 1:110m leaves out
                continue
            parts = _polygons(feat["geometry"])
            if not parts:
                continue
            polys.setdefault(iso2, []).extend(parts)
            if iso2 not in names:
                c = pycountry.countries.get(alpha_2=iso2)
                names[iso2] = getattr(c, "common_name", None) or (c.name if c else feat["properties"]["name"])
    features = [
        {
            "type": "Feature",
            "id": iso2,
            "properties": {"iso2": iso2, "name": names[iso2]},
            "geometry": {"type": "MultiPolygon", "coordinates": polys[iso2]},
        }
        for iso2 in sorted(polys)
    ]
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    fc = build(Path(argv[1]))
    out = HERE / "countries.geojson"
    out.write_text(json.dumps(fc, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    print(f"wrote {out} ({len(fc['features'])} countries, {out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
