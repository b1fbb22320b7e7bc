"""Benchmark of the readiness engine against a naive and a library-standard pipeline.

Builds synthetic workspaces with ``devzone demo --parcels N`` and prints, in one
run, the engine's wall time and peak memory next to

(a) a naive per-parcel loop (geopandas/shapely distance and intersection against
    each filtered layer, ``rasterstats.zonal_stats`` on the slope and 5G raster
    files), timed on a subsample and extrapolated linearly to N (the one-off set-up,
    deriving the slope raster, is added once), and
(b) the library-standard pipeline (``geopandas.sjoin_nearest`` for distances,
    ``geopandas.overlay`` against the dissolved layers for shares, ``exactextract``
    for the slope and 5G zonal statistics),

with medians of ``--runs`` runs (each in a fresh process, so peak RSS is per run).
The baselines compute the geometric and raster rules of the rulebook (distance,
within, overlap, slope, 5G coverage); the engine evaluates every rule (also the
assessments, attributes and indicators) and builds the long results table.

Usage::

    .venv/bin/python bench/readiness.py                    # 1e4 and 1e5 parcels
    .venv/bin/python bench/readiness.py --sizes 10000 --runs 5
    .venv/bin/python bench/readiness.py --million          # adds 1e6 (engine only)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AS_OF = date(2025, 6, 30)


# ----------------------------------------------------------------------------- workspaces

def build_workspace(n: int, workdir: Path, *, rebuild: bool = False) -> Path:
    """``devzone demo --out <workdir>/demo_<n> --parcels n`` (reused when present)."""
    out = workdir / f"demo_{n}"
    if (out / "workspace.toml").exists() and not rebuild:
        return out
    t0 = time.perf_counter()
    cmd = [sys.executable, "-c", "import sys; from cli.main import main; "
           "sys.exit(main(sys.argv[1:]))", "demo", "--out", str(out), "--parcels", str(n)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        if "No such command" not in proc.stderr + proc.stdout:
            sys.exit(f"devzone demo failed:\n{proc.stderr}")
        print("  (`devzone demo` is not registered yet: calling layers.demo.build_demo)",
              file=sys.stderr)
        from layers.demo import build_demo

        build_demo(out, parcels=n)
    print(f"  built {out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return out


def _load(ws_path: Path):
    from layers.readiness import inputs_from_workspace, rulebook_in_force
    from layers.workspace import Workspace

    ws = Workspace.load(ws_path)
    rb = rulebook_in_force(ws)
    return ws, rb, inputs_from_workspace(ws, rulebook=rb)


def _filtered(gdf, flt: dict):
    import numpy as np

    mask = np.ones(len(gdf), dtype=bool)
    for col, values in flt.items():
        mask &= gdf[col].isin(list(values)).to_numpy(dtype=bool, na_value=False)
    return gdf[mask]


# ----------------------------------------------------------------------------- pipelines

def run_engine(ws_path: Path, _sample: int) -> dict:
    from layers.readiness import evaluate

    _, rb, inp = _load(ws_path)
    t0 = time.perf_counter()
    res = evaluate(inp, rb, as_of=AS_OF)
    seconds = time.perf_counter() - t0
    counts = res.overall["readiness"].value_counts().to_dict()
    return {"seconds": seconds, "parcels": len(inp.parcels), "rules": len(rb),
            "rows": len(res.long), "readiness": {str(k): int(v) for k, v in counts.items()}}


def _rasters(ws):
    """The slope (Horn) and the 5G raster as arrays, read whole."""
    from gis.raster import read_raster, slope_degrees

    slope = slope_degrees(read_raster(ws.raster_path("dem")))
    rsrp = read_raster(ws.raster_path("coverage_5g"))
    return slope, rsrp


def _raster_files(ws, tmp: Path, threshold: float) -> dict[str, Path]:
    """The slope (Horn, from the DEM) and the 5G ≥ threshold mask as GeoTIFFs."""
    import numpy as np
    import rasterio

    slope, rsrp = _rasters(ws)
    paths = {}
    for name, r, arr in (("slope", slope, slope.array),
                         ("g5", rsrp, np.where(np.isnan(rsrp.array), np.nan,
                                               rsrp.array >= threshold))):
        paths[name] = tmp / f"{name}.tif"
        with rasterio.open(paths[name], "w", driver="GTiff", width=arr.shape[1],
                           height=arr.shape[0], count=1, dtype="float32", crs=r.crs,
                           transform=r.transform, nodata=np.nan) as dst:
            dst.write(arr.astype("float32"), 1)
    return paths


def run_naive(ws_path: Path, sample: int) -> dict:
    """The script one writes first: a loop over parcels, each checked against each layer
    with geopandas/shapely, and ``rasterstats.zonal_stats`` on the raster files."""
    import numpy as np
    from rasterstats import zonal_stats

    from layers.readiness import DistanceRule, OverlapRule, RasterCoverageRule, WithinRule

    ws, rb, inp = _load(ws_path)
    n = len(inp.parcels)
    rng = np.random.default_rng(0)
    pick = np.sort(rng.choice(n, size=min(sample, n), replace=False))
    parcels = inp.parcels.iloc[pick]
    threshold = next(r for r in rb.rules if isinstance(r, RasterCoverageRule)).min_value
    with tempfile.TemporaryDirectory() as tmp:
        t_setup = time.perf_counter()
        paths = _raster_files(ws, Path(tmp), threshold)
        layers = [(rule, _filtered(inp.layer(rule.layer), rule.filter).geometry)
                  for rule in rb.rules if isinstance(rule, DistanceRule | WithinRule | OverlapRule)]
        setup = time.perf_counter() - t_setup
        t0 = time.perf_counter()
        for geom in parcels.geometry:
            for rule, feats in layers:
                if isinstance(rule, DistanceRule):
                    feats.distance(geom).min()
                else:
                    feats.intersection(geom).union_all().area / geom.area
            zonal_stats(geom, str(paths["slope"]), stats=["mean"])
            zonal_stats(geom, str(paths["g5"]), stats=["mean"])
        seconds = time.perf_counter() - t0
    return {"seconds": setup + seconds * n / len(pick), "measured_seconds": seconds,
            "setup_seconds": setup, "sample": len(pick), "parcels": n}


def run_library(ws_path: Path, _sample: int) -> dict:
    """geopandas sjoin_nearest / overlay and exactextract, the way the docs show them."""
    import geopandas as gpd
    from exactextract import exact_extract

    from layers.readiness import DistanceRule, OverlapRule, RasterCoverageRule, WithinRule

    ws, rb, inp = _load(ws_path)
    parcels = inp.parcels[["parcel_id", "geometry"]].copy()
    area = parcels.area
    t0 = time.perf_counter()
    out = {}
    for rule in rb.rules:
        if isinstance(rule, DistanceRule):
            feats = _filtered(inp.layer(rule.layer), rule.filter)[["geometry"]]
            j = gpd.sjoin_nearest(parcels, feats, how="left", distance_col="d")
            out[rule.id] = j.groupby(level=0)["d"].first()
        elif isinstance(rule, WithinRule | OverlapRule):
            feats = _filtered(inp.layer(rule.layer), rule.filter)[["geometry"]].dissolve()
            inter = gpd.overlay(parcels, feats, how="intersection", keep_geom_type=True)
            share = inter.assign(a=inter.area).groupby("parcel_id")["a"].sum()
            out[rule.id] = share.reindex(parcels["parcel_id"]).fillna(0).to_numpy() / area
    threshold = next(r for r in rb.rules if isinstance(r, RasterCoverageRule)).min_value
    with tempfile.TemporaryDirectory() as tmp:
        paths = _raster_files(ws, Path(tmp), threshold)
        out["leveled"] = exact_extract(str(paths["slope"]), parcels, ["mean"], output="pandas")
        out["telecom"] = exact_extract(str(paths["g5"]), parcels, ["mean"], output="pandas")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "parcels": len(parcels)}


PIPELINES = {"engine": run_engine, "naive": run_naive, "library": run_library}


def _child(pipeline: str, ws_path: str, sample: int) -> None:
    result = PIPELINES[pipeline](Path(ws_path), sample)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


def measure(pipeline: str, ws: Path, runs: int, sample: int) -> dict:
    """Median seconds and peak RSS of ``runs`` fresh-process runs."""
    results = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--child", pipeline, str(ws),
                               str(sample)], cwd=ROOT, capture_output=True, text=True,
                              check=False, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if proc.returncode != 0 or line is None:
            sys.exit(f"{pipeline} on {ws} failed:\n{proc.stderr[-3000:]}")
        results.append(json.loads(line[7:]))
        print(f"    {pipeline:8s} {results[-1]['seconds']:9.2f} s  "
              f"{results[-1]['peak_rss_mb']:7.0f} MB", file=sys.stderr)
    med = {k: statistics.median(r[k] for r in results) for k in ("seconds", "peak_rss_mb")}
    med["runs"] = [round(r["seconds"], 3) for r in results]
    med["extra"] = results[0]
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--million", action="store_true", help="also 1e6 parcels (engine only)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--naive-sample", type=int, default=300,
                    help="parcels timed for the naive loop (extrapolated to N)")
    ap.add_argument("--skip", nargs="*", default=[], choices=list(PIPELINES))
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "devzone-bench")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the demo workspaces")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = list(args.sizes) + ([1_000_000] if args.million else [])
    rows = []
    print(f"readiness benchmark · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f} · "
          f"median of {args.runs} runs", file=sys.stderr)
    for n in sizes:
        print(f"N = {n:,}", file=sys.stderr)
        ws = build_workspace(n, args.workdir, rebuild=args.rebuild)
        row = {"n": n}
        for name in PIPELINES:
            if name in args.skip or (n >= 1_000_000 and name != "engine"):
                continue
            row[name] = measure(name, ws, args.runs, args.naive_sample)
        rows.append(row)
    _print_table(rows, args)


def _print_table(rows: list[dict], args: argparse.Namespace) -> None:
    print()
    print(f"Readiness engine vs baselines — median of {args.runs} runs, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"command: .venv/bin/python bench/readiness.py --runs {args.runs}"
          + (f" --sizes {' '.join(map(str, args.sizes))}" if args.sizes != [10_000, 100_000]
             else "") + (" --million" if args.million else ""))
    head = (f"{'parcels':>10} | {'engine s':>9} {'RSS MB':>7} | {'naive s':>9} {'×':>6} | "
            f"{'library s':>9} {'RSS MB':>7} {'×':>6}")
    print(head)
    print("-" * len(head))
    for row in rows:
        e = row.get("engine")
        nv = row.get("naive")
        lib = row.get("library")

        def fmt(v: float | None, spec: str) -> str:
            return format(v, spec) if v is not None else "—".rjust(len(format(0.0, spec)))

        es = e["seconds"] if e else None
        print(f"{row['n']:>10,} | {fmt(es, '9.2f')} {fmt(e and e['peak_rss_mb'], '7.0f')} | "
              f"{fmt(nv and nv['seconds'], '9.1f')} "
              f"{fmt(nv and es and nv['seconds'] / es, '6.0f')} | "
              f"{fmt(lib and lib['seconds'], '9.2f')} {fmt(lib and lib['peak_rss_mb'], '7.0f')} "
              f"{fmt(lib and es and lib['seconds'] / es, '6.1f')}")
    for row in rows:
        nv = row.get("naive")
        if nv:
            x = nv["extra"]
            print(f"  naive at {row['n']:,}: loop timed on {x['sample']} parcels "
                  f"({x['measured_seconds']:.2f} s) and scaled ×{row['n'] / x['sample']:.0f}, "
                  f"plus {x['setup_seconds']:.2f} s set-up (slope and 5G rasters); "
                  f"runs {nv['runs']} s")
        e = row.get("engine")
        if e:
            x = e["extra"]
            print(f"  engine at {row['n']:,}: {x['rules']} rules, {x['rows']:,} result rows, "
                  f"runs {e['runs']} s, readiness {x['readiness']}")
    print("Targets: 1e5 ≤ 5 s; ≥ 100× naive; ≥ 10× library; 1e6 ≤ 60 s and ≤ 4 GB peak RSS.")


if __name__ == "__main__":
    main()
