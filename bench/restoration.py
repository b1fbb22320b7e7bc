"""Benchmark of the restoration tracker: N sites × E NDVI epochs read from GeoTIFFs.

Usage: ``python bench/restoration.py [--sites 150] [--epochs 2] [--extent-km 40] [--cell 10]
[--demo DIR]``. Prints the time of ``progress`` (NDVI from windowed file reads) and of
the whole ``evaluate`` (progress + priorities + KPIs); with ``--demo`` also the demo
workspace's run including loading its layers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.raster import RasterSource
from layers.restoration import (
    RestorationInputs,
    evaluate,
    inputs_from_workspace,
    progress,
)

CRS = "EPSG:4547"
X0, Y0 = 400_000.0, 4_000_000.0


def _sites(n: int, extent: float, rng: np.random.Generator) -> gpd.GeoDataFrame:
    cx = X0 + rng.uniform(1000, extent - 1000, n)
    cy = Y0 + rng.uniform(1000, extent - 1000, n)
    radius = np.sqrt(rng.uniform(1, 30, n) * 1e4 / np.pi)  # 1–30 ha blobs
    geoms = [shapely.Point(x, y).buffer(r, quad_segs=6) for x, y, r in zip(cx, cy, radius,
                                                                         strict=True)]
    stages = rng.choice(["approved", "in_progress", "completed", "accepted"], n)
    return gpd.GeoDataFrame({"site_id": [f"S{i:04d}" for i in range(n)], "stage": stages,
                             "target_date": pd.Timestamp("2025-12-31")},
                            geometry=geoms, crs=CRS)


def _raster(path: Path, size: int, cell: float, rng: np.random.Generator) -> None:
    import rasterio

    arr = rng.uniform(0.0, 0.85, (size, size)).astype("float32")
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1,
                       dtype="float32", crs=CRS, nodata=-9999.0, tiled=True,
                       blockxsize=256, blockysize=256,
                       transform=Affine(cell, 0, X0, 0, -cell, Y0 + size * cell)) as dst:
        dst.write(arr, 1)


def _time(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=150)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--extent-km", type=float, default=40.0)
    ap.add_argument("--cell", type=float, default=10.0)
    ap.add_argument("--demo", type=Path, default=None, help="also time this demo workspace")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    extent = args.extent_km * 1000
    size = int(extent / args.cell)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for e in range(args.epochs):
            paths[str(2020 + 5 * e)] = Path(tmp) / f"ndvi_{e}.tif"
            _raster(paths[str(2020 + 5 * e)], size, args.cell, rng)
        mines = _sites(args.sites, extent, rng)
        inputs = RestorationInputs(mines=mines,
                                   ndvi={k: RasterSource.from_file(p) for k, p in paths.items()})
        t_prog, res = _time(lambda: progress(inputs, as_of="2025-06-30"))
        out = res.sites
        t_eval, _ = _time(lambda: evaluate(inputs, as_of="2025-06-30"))
        print(f"synthetic: {args.sites} sites × {args.epochs} epochs, rasters {size}×{size} "
              f"({args.cell:g} m): progress {t_prog:.2f} s, evaluate {t_eval:.2f} s "
              f"(best of 3); NDVI found for {int(out['ndvi_2020'].notna().sum())} sites")
    if args.demo is not None:
        from layers.workspace import Workspace

        def run_demo():
            ws = Workspace.load(args.demo)
            return evaluate(inputs_from_workspace(ws), as_of="2025-06-30")

        t_demo, res = _time(run_demo)
        print(f"demo {args.demo}: {len(res.sites)} sites, load + evaluate {t_demo:.2f} s "
              "(best of 3)")


if __name__ == "__main__":
    main()
