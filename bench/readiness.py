"""Benchmark of ``devzone check`` and the readiness engine against a naive and a
library-standard pipeline.

Builds synthetic workspaces with ``devzone demo --parcels N`` and, from each, a
city-style copy (``bench/citylike.py``: vectors in EPSG:4490, GeoJSON parcels, GBK
Shapefiles, rasters in the metric analysis CRS), and prints, in one run, the wall time and peak
memory of the whole command a user runs (``devzone check WS --out F`` in a fresh
process, per output format), the engine alone, and

(a) a naive per-parcel loop (geopandas/shapely distance and intersection against
    each filtered layer, ``rasterstats.zonal_stats`` on the slope and 5G raster
    files), timed on a subsample and extrapolated linearly to N (the one-off set-up,
    deriving the slope raster, is added once), and
(b) the library-standard pipeline (``geopandas.sjoin_nearest`` for distances,
    ``geopandas.overlay`` against the dissolved layers for shares, ``exactextract``
    for the slope and 5G zonal statistics),

with medians of ``--runs`` runs (each in a fresh process, so peak RSS is per run; a
command is run once untimed first, as a user's second run: bytecode written, files in
the OS cache; ``cold:csv`` runs the CSV command with the workspace's converted layer
copies removed before each run, as the first check after an input changes). The
commands take turns run by run (on a shared host whose speed drifts, comparing a
block of warm runs with a later block of cold ones measured the drift too).
The baselines compute the geometric and raster rules of the rulebook (distance,
within, overlap, slope, 5G coverage); the engine evaluates every rule (also the
assessments, attributes and indicators) and builds the long results table.

Usage::

    .venv/bin/python bench/readiness.py                    # 1e4 and 1e5 parcels
    .venv/bin/python bench/readiness.py --sizes 10000 --runs 5
    .venv/bin/python bench/readiness.py --million          # adds 1e6 (engine, commands)
    .venv/bin/python bench/readiness.py --quick --json rows.json   # 1e4, demo only, 1 run
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
sys.path.insert(0, str(ROOT / "bench"))

AS_OF = date(2025, 6, 30)


# ----------------------------------------------------------------------------- workspaces

def build_citylike_workspace(n: int, workdir: Path, *, rebuild: bool = False) -> Path:
    """The city-style copy of the ``n``-parcel demo workspace (reused when present)."""
    from citylike import build_citylike

    demo = build_workspace(n, workdir, rebuild=rebuild)
    t0 = time.perf_counter()
    out = build_citylike(demo, workdir / f"city_{n}", rebuild=rebuild)
    print(f"  city-style copy {out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return out


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


WORKSPACES = {"demo": build_workspace, "city": build_citylike_workspace}


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


def _raster_crs(path: Path):
    import rasterio

    with rasterio.open(path) as r:
        return r.crs


def _to_raster_crs(crs, raster: Path):
    """A function reprojecting one shapely geometry from ``crs`` to the raster's CRS."""
    import pyproj
    import shapely.ops

    target = pyproj.CRS.from_user_input(_raster_crs(raster).to_wkt())
    if target.equals(crs):
        return lambda geom: geom
    tf = pyproj.Transformer.from_crs(crs, target, always_xy=True)
    return lambda geom: shapely.ops.transform(tf.transform, geom)


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
        to_raster = _to_raster_crs(inp.crs, paths["slope"])
        setup = time.perf_counter() - t_setup
        t0 = time.perf_counter()
        for geom in parcels.geometry:
            for rule, feats in layers:
                if isinstance(rule, DistanceRule):
                    feats.distance(geom).min()
                else:
                    feats.intersection(geom).union_all().area / geom.area
            zonal_stats(to_raster(geom), str(paths["slope"]), stats=["mean"])
            zonal_stats(to_raster(geom), str(paths["g5"]), stats=["mean"])
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
        zonal = parcels.to_crs(_raster_crs(paths["slope"]))  # rasters may be in another CRS
        out["leveled"] = exact_extract(str(paths["slope"]), zonal, ["mean"], output="pandas")
        out["telecom"] = exact_extract(str(paths["g5"]), zonal, ["mean"], output="pandas")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "parcels": len(parcels)}


PIPELINES = {"engine": run_engine, "naive": run_naive, "library": run_library}
# the `devzone` script as installed (`cli.main:run`: its exit included), whatever venv runs this
DEVZONE = [sys.executable, "-c", "from cli.main import run; run()"]


def _child(pipeline: str, ws_path: str, sample: int) -> None:
    result = PIPELINES[pipeline](Path(ws_path), sample)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


# a user's Python writes and reuses bytecode (.pyc): a shell exporting
# PYTHONDONTWRITEBYTECODE would make every timed process compile the modules again
_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONWARNINGS": "ignore"}


def _timed(cmd: list[str]) -> tuple[float, float, str, str, int, float]:
    """Run ``cmd`` in a fresh process: wall seconds, its own peak RSS (MB), stdout, stderr,
    exit code, CPU seconds (``os.wait4`` gives the child's resource usage, not the sum of
    all children's)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, text=True, env=_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return wall, usage.ru_maxrss / 1024, out.read(), err.read(), proc.returncode, cpu


def _forget_layer_copies(ws: Path) -> None:
    """Remove the workspace's converted layer copies (``layers.layer_cache``): the next
    command reads every source, as the first check after the inputs change does."""
    for copy in (ws / ".devzone" / "cache").glob("layer.*"):
        copy.unlink()


def _run_once(pipeline: str, ws: Path, sample: int, workdir: Path) -> dict:
    if _is_command(pipeline):
        fmt = pipeline.split(":", 1)[1]
        if pipeline.startswith("cold:"):
            _forget_layer_copies(ws)
        target = workdir / f"bench-out.{fmt}"
        wall, rss, _, err, code, cpu = _timed([*DEVZONE, "check", str(ws), "--out",
                                               str(target)])
        if code != 0:
            sys.exit(f"devzone check --out .{fmt} on {ws} failed:\n{err[-3000:]}")
        size = target.stat().st_size / 2**20
        target.unlink()
        return {"seconds": wall, "process_seconds": wall, "cpu_seconds": cpu,
                "peak_rss_mb": rss, "output_mb": size}
    wall, rss, out, err, code, cpu = _timed([sys.executable, __file__, "--child", pipeline,
                                             str(ws), str(sample)])
    line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
    if code != 0 or line is None:
        sys.exit(f"{pipeline} on {ws} failed:\n{err[-3000:]}")
    return {**json.loads(line[7:]), "process_seconds": wall, "cpu_seconds": cpu,
            "peak_rss_mb": rss}


def _is_command(pipeline: str) -> bool:
    return pipeline.startswith(("command:", "cold:"))


def measure(pipelines: list[str], ws: Path, runs: int, sample: int, workdir: Path
            ) -> dict[str, dict]:
    """Per pipeline, the medians (seconds, whole-process seconds, CPU, peak RSS) of ``runs``
    fresh-process runs. The ``devzone check`` commands take turns run by run, so that a
    host that speeds up or slows down meanwhile (a shared machine) favours none of them;
    the others run one after the other."""
    commands = [p for p in pipelines if _is_command(p)]
    results: dict[str, list[dict]] = {p: [] for p in pipelines}

    def once(pipeline: str) -> None:
        results[pipeline].append(r := _run_once(pipeline, ws, sample, workdir))
        print(f"    {pipeline:16s} {r['seconds']:9.2f} s  (process {r['process_seconds']:7.2f} s)"
              f"  {r['peak_rss_mb']:7.0f} MB", file=sys.stderr)

    for pipeline in commands:  # untimed: bytecode, files in the OS cache
        _run_once(pipeline, ws, sample, workdir)
    for _ in range(runs):
        for pipeline in commands:
            once(pipeline)
    for pipeline in pipelines:
        if not _is_command(pipeline):
            for _ in range(runs):
                once(pipeline)
    return {p: _medians(rs) for p, rs in results.items()}


def _medians(results: list[dict]) -> dict:
    keys = ("seconds", "process_seconds", "cpu_seconds", "peak_rss_mb") + (
        ("output_mb",) if "output_mb" in results[0] else ())
    med: dict = {k: statistics.median(r[k] for r in results) for k in keys}
    med["runs"] = [round(r["seconds"], 3) for r in results]
    med["extra"] = results[0]
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--million", action="store_true",
                    help="also 1e6 parcels (engine and commands only)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workspaces", nargs="+", default=list(WORKSPACES), choices=list(WORKSPACES))
    ap.add_argument("--formats", nargs="+", default=["csv", "parquet", "gpkg"],
                    help="--out formats of the timed devzone check commands")
    ap.add_argument("--naive-sample", type=int, default=300,
                    help="parcels timed for the naive loop (extrapolated to N)")
    ap.add_argument("--skip", nargs="*", default=[], choices=[*PIPELINES, "command"])
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "devzone-bench")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the workspaces")
    ap.add_argument("--quick", action="store_true",
                    help="1e4 parcels, demo workspace, one run, CSV (a smoke run)")
    ap.add_argument("--json", type=Path, help="also write the table's rows to this JSON file")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return
    if args.quick:
        args.sizes, args.runs, args.workspaces, args.formats = [10_000], 1, ["demo"], ["csv"]
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = list(args.sizes) + ([1_000_000] if args.million else [])
    pipelines = [*(f"command:{f}" for f in args.formats if "command" not in args.skip),
                 *(["cold:csv"] if "command" not in args.skip and "csv" in args.formats
                   and not args.quick else []),
                 *(p for p in PIPELINES if p not in args.skip)]
    rows = []
    import host_speed

    before = host_speed.describe()
    print(f"readiness benchmark · median of {args.runs} runs · {before}", file=sys.stderr)
    for n in sizes:
        for kind in args.workspaces:
            print(f"N = {n:,} · {kind} workspace", file=sys.stderr)
            ws = WORKSPACES[kind](n, args.workdir, rebuild=args.rebuild)
            names = [p for p in pipelines
                     if not (n >= 1_000_000 and p in ("naive", "library"))]
            measured = measure(names, ws, args.runs, args.naive_sample, args.workdir)
            rows += [{"workspace": kind, "n": n, "pipeline": p, **measured[p]} for p in names]
    table = _table(rows)
    _print_table(table, rows, args, [before, host_speed.describe()])
    if args.json:
        args.json.write_text(json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8")


def _table(rows: list[dict]) -> list[dict]:
    """One flat row per workspace × size × pipeline, with the ratios to the CSV command."""
    out = []
    for r in rows:
        ref = next((x for x in rows if x["workspace"] == r["workspace"] and x["n"] == r["n"]
                    and x["pipeline"] == "command:csv"), None)
        ratio = (r["seconds"] / ref["seconds"]) if ref and r["pipeline"] in (
            "naive", "library") else None
        out.append({
            "bench": "readiness", "workspace": r["workspace"], "parcels": r["n"],
            "pipeline": r["pipeline"], "seconds": round(r["seconds"], 2),
            "process_s": round(r["process_seconds"], 2),
            "process_cpu_s": round(r["cpu_seconds"], 2),
            "peak_rss_mb": round(r["peak_rss_mb"]),
            "output_mb": round(r["output_mb"], 1) if "output_mb" in r else None,
            "x_command_csv": round(ratio, 1) if ratio else None,
        })
    return out


def _print_table(table: list[dict], rows: list[dict], args: argparse.Namespace,
                 hosts: list[str]) -> None:
    print()
    print(f"devzone check and the readiness engine vs baselines — median of {args.runs} runs")
    print(f"before the runs, {hosts[0]}; after them, {hosts[1]}")
    print("command: .venv/bin/python bench/readiness.py " + " ".join(sys.argv[1:]))
    print("seconds: command = whole `devzone check WS --out F` process (the workspace's "
          "converted layer copies in place, as from a user's second check on); cold:csv = the "
          "same with those copies removed before each run (the first check after the inputs "
          "change: every source parsed, reprojected and copied); engine = evaluate() "
          "after reading; naive/library = their computation after reading (process_s: the "
          "whole process, reading included; process_cpu_s: its user + system CPU time, "
          "the figure to read on a shared, loaded machine)")
    cols = ["workspace", "parcels", "pipeline", "seconds", "process_s", "process_cpu_s",
            "peak_rss_mb",
            "output_mb", "x_command_csv"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("---" for _ in cols) + "|")
    for r in table:
        print("| " + " | ".join("—" if r[c] is None else
                                (f"{r[c]:,}" if c == "parcels" else str(r[c]))
                                for c in cols) + " |")
    for r in rows:
        x = r["extra"]
        if r["pipeline"] == "naive":
            print(f"  naive at {r['n']:,} ({r['workspace']}): loop timed on {x['sample']} "
                  f"parcels ({x['measured_seconds']:.2f} s) and scaled ×"
                  f"{r['n'] / x['sample']:.0f}, plus {x['setup_seconds']:.2f} s set-up; "
                  f"runs {r['runs']} s")
        elif r["pipeline"] == "engine":
            print(f"  engine at {r['n']:,} ({r['workspace']}): {x['rules']} rules, "
                  f"{x['rows']:,} result rows, runs {r['runs']} s, readiness {x['readiness']}")
    print("Targets: devzone check --out F.csv at 1e5 ≤ 4 s (whole process); ≥ 100× naive and "
          "≥ 15× library; 1e6 ≤ 40 s and ≤ 3 GB peak RSS.")


if __name__ == "__main__":
    main()
