"""Benchmark of the map: rebuild time and payload per render for 1e3, 1e5 and 1e6 parcels.

Usage: ``python bench/map.py [--sizes 1000 100000 1000000] [--repeat 3] [--naive-max 10000]``.

A synthetic 60×60 km workspace (parcels on a grid, rotated blocks of zones, a
road net and a 30 m DEM) is prepared once per size (``prepare_map_data``; the
app caches it per workspace). Then, for three views — the whole city as first
opened, a district at zoom 12, and a street block at zoom 16 — it times what
the app does on every rerun: ``build_map(dynamic=True)`` + ``parcel_layer`` +
the serialisation ``st_folium`` performs (render, script, feature group,
layer control, hash), and counts the bytes sent to the browser (script +
feature group + layer control + html + header). Targets (docs/notes.md): rebuild
≤ 0.3 s and ≤ 5 MB at any size. For comparison, the naive folium map
(``GeoJson`` of every parcel with a ``style_function``) is measured up to
``--naive-max`` parcels.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.raster import Raster
from ui.map import MapData, View, build_map, layer_control, parcel_layer, prepare_map_data

CRS = "EPSG:4547"
X0, Y0 = 360_000.0, 3_980_000.0  # south-west corner, near Changzhi
EXTENT = 60_000.0
STATUSES = np.array(["ready", "ready_with_commitments", "not_ready", "incomplete"])


def workspace(n: int, seed: int = 0) -> dict[str, object]:
    """``n`` parcels on a square grid over the extent, plus zones, roads and a DEM."""
    side = math.ceil(math.sqrt(n))
    pitch = EXTENT / side
    size = pitch * 0.8
    i = np.arange(n) % side
    j = np.arange(n) // side
    x, y = X0 + i * pitch, Y0 + j * pitch
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [f"P{k:07d}" for k in range(n)],
         "name": [f"地块{k}" for k in range(n)],
         "zone_id": np.where(i < side / 2, "Z1", "Z2"), "industry": "photovoltaic"},
        geometry=shapely.box(x, y, x + size, y + size), crs=CRS)
    rng = np.random.default_rng(seed)
    overall = pd.DataFrame({"parcel_id": parcels["parcel_id"],
                            "readiness": rng.choice(STATUSES, n)})
    zones = gpd.GeoDataFrame({"zone_id": ["Z1", "Z2"], "name": ["高新区", "经开区"],
                              "kind": ["high_tech", "econ_tech"]},
                             geometry=[shapely.box(X0, Y0, X0 + EXTENT / 2, Y0 + EXTENT),
                                       shapely.box(X0 + EXTENT / 2, Y0, X0 + EXTENT,
                                                   Y0 + EXTENT)], crs=CRS)
    lines = [shapely.LineString([(X0, Y0 + k * 3000), (X0 + EXTENT, Y0 + k * 3000)])
             for k in range(21)]
    roads = gpd.GeoDataFrame({"class": ["primary"] * len(lines),
                              "status": ["existing"] * len(lines), "name": ["路"] * len(lines)},
                             geometry=lines, crs=CRS)
    yy, xx = np.mgrid[0:2000, 0:2000]
    z = 900 + 200 * np.sin(xx / 150.0) * np.cos(yy / 210.0) + rng.normal(0, 3, xx.shape)
    dem = Raster(z, Affine(30.0, 0, X0, 0, -30.0, Y0 + EXTENT), CRS, None)
    return {"layers": {"parcels": parcels, "zones": zones, "roads": roads},
            "overall": overall, "dem": dem}


def views(data: MapData) -> dict[str, View | None]:
    w, s, e, n = data.bounds
    cx, cy = (w + e) / 2, (s + n) / 2

    def around(zoom: int) -> View:
        half_w = 1200 / 2 * 360.0 / (256 * 2**zoom)  # a 1200 × 700 px map
        half_h = half_w * 700 / 1200 * math.cos(math.radians(cy))
        return View(cx - half_w, cy - half_h, cx + half_w, cy + half_h, zoom)

    return {"city (first view)": None, "district z12": around(12), "block z16": around(16)}


def render_once(data: MapData, view: View | None) -> tuple[float, int, str]:
    """One rerun as the app does it: build, parcel layer, st_folium's serialisation."""
    import streamlit_folium as sf

    t0 = time.perf_counter()
    m = build_map(data, lang="zh", dynamic=True)
    fg, info = parcel_layer(data, lang="zh", view=view)
    m.get_root().render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    fg_js = sf._get_feature_group_string(fg, m)
    lc_js = sf._get_layer_control_string(layer_control(), m)
    sf.generate_js_hash(script, "bench", False)
    elapsed = time.perf_counter() - t0
    size = sum(len(s.encode()) for s in (html, header, script, fg_js, lc_js))
    return elapsed, size, f"{info.mode} {info.shown}"


def naive(parcels: gpd.GeoDataFrame, overall: pd.DataFrame) -> tuple[float, int]:
    """folium.GeoJson of every parcel with a per-feature style_function."""
    import folium

    from layers.palette import READINESS_COLORS as colours
    gdf = parcels.to_crs(4326).merge(overall, on="parcel_id")
    t0 = time.perf_counter()
    m = folium.Map(tiles=None)
    folium.GeoJson(gdf, style_function=lambda f: {
        "fillColor": colours[f["properties"]["readiness"]]}).add_to(m)
    size = len(m.get_root().render().encode())
    return time.perf_counter() - t0, size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--naive-max", type=int, default=10_000)
    args = ap.parse_args()
    rows = []
    for n in args.sizes:
        ws = workspace(n)
        t0 = time.perf_counter()
        data = prepare_map_data(ws["layers"], overall=ws["overall"], dem=ws["dem"])
        prep = time.perf_counter() - t0
        for name, view in views(data).items():
            runs = [render_once(data, view) for _ in range(args.repeat)]
            rows.append({"parcels": f"{n:,}", "prepare (once) s": f"{prep:.2f}",
                         "view": name, "sent": runs[-1][2],
                         "rebuild s (median)": f"{statistics.median(r[0] for r in runs):.3f}",
                         "payload MB": f"{runs[-1][1] / 1e6:.2f}"})
        if n <= args.naive_max:
            secs, size = naive(ws["layers"]["parcels"], ws["overall"])
            rows.append({"parcels": f"{n:,}", "prepare (once) s": "—",
                         "view": "naive folium GeoJson + style_function", "sent": f"all {n}",
                         "rebuild s (median)": f"{secs:.3f}", "payload MB": f"{size / 1e6:.2f}"})
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("---" for _ in cols) + "|")
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
