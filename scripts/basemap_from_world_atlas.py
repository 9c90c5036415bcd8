"""Build the staff map's offline basemap: Mali and its neighbours' borders as GeoJSON.

Source: the npm package ``world-atlas`` 2.0.2 (Natural Earth 1:50m admin-0 countries,
public domain; the packaging is ISC). Run once, by hand; the output is committed and
served as a static file, so nothing is downloaded at run time:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/basemap_from_world_atlas.py package/countries-50m.json \\
        static/map/mali-borders.geojson

TopoJSON is decoded with the standard library only (quantized, delta-encoded arcs).
Coordinates are rounded to 0.01 degree (about 1 km): enough for a map that places
reports at a cercle's seat, and it keeps the file small.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# ISO 3166-1 numeric codes (world-atlas ids): Mali and the seven countries around it.
COUNTRIES = {
    "466": "Mali",
    "012": "Algérie",
    "562": "Niger",
    "854": "Burkina Faso",
    "384": "Côte d'Ivoire",
    "324": "Guinée",
    "686": "Sénégal",
    "478": "Mauritanie",
}
DIGITS = 2


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute longitude/latitude of every arc (undoing quantization and delta coding)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:
            if transform:
                x, y = x + position[0], y + position[1]
                (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((position[0], position[1]))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """One closed ring from arc indexes; ~i means arc i reversed. Shared end points are
    dropped, rounding duplicates removed."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        for k, point in enumerate(arc):
            if points and k == 0:
                continue
            points.append(point)
    out: list[list[float]] = []
    for lon, lat in points:
        rounded = [round(lon, DIGITS), round(lat, DIGITS)]
        if not out or out[-1] != rounded:
            out.append(rounded)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def geometry(geom: dict, arcs: list[list[tuple[float, float]]]) -> dict:
    polygons = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
    rings = [[ring(r, arcs) for r in polygon] for polygon in polygons]
    rings = [[r for r in polygon if len(r) >= 4] for polygon in rings]
    return {"type": "MultiPolygon", "coordinates": [p for p in rings if p]}


def build(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    features = []
    for geom in topology["objects"]["countries"]["geometries"]:
        if geom.get("id") in COUNTRIES:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": COUNTRIES[geom["id"]], "mali": geom["id"] == "466"},
                    "geometry": geometry(geom, arcs),
                }
            )
    features.sort(key=lambda f: not f["properties"]["mali"])  # Mali first
    return {
        "type": "FeatureCollection",
        "attribution": "Natural Earth (domaine public), via world-atlas 2.0.2",
        "features": features,
    }


def main(source: str, target: str) -> None:
    collection = build(json.loads(Path(source).read_text(encoding="utf-8")))
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
