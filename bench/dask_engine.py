"""Benchmark of ``devzone check --engine dask`` next to the single-process engine.

(Not named dask.py: a script of that name would shadow the dask package it imports.)

Builds ``devzone demo --parcels N --format parquet`` workspaces (parcels as a
GeoParquet dataset, written batch by batch) and times, each in a fresh process:

- the single-process engine (read the workspace, ``evaluate``), with its peak RSS;
- the Dask path (:func:`layers.readiness.cluster.check_on_cluster`) on a
  ``LocalCluster`` of ``--workers`` processes with ``--memory-limit`` each: wall
  time of the whole check (partitions evaluated and written, summary), and per
  worker the peak of distributed's own memory metric (process memory sampled
  every 0.5 s from the scheduler) and the worker process's peak RSS.

Medians of ``--runs`` runs. Defaults: single-process engine at 1e6 parcels, Dask at
1e7 (the 1e7 workspace takes minutes to build and about 1.5 GB of disk).

Usage::

    .venv/bin/python bench/dask_engine.py --quick                 # 2e4 parcels, both engines
    .venv/bin/python bench/dask_engine.py                          # 1e6 single, 1e7 dask
    .venv/bin/python bench/dask_engine.py --dask-sizes 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_workspace(n: int, workdir: Path) -> Path:
    """``devzone demo --parcels n --format parquet`` into ``workdir`` (reused when present)."""
    out = workdir / f"parquet_{n}"
    if (out / "workspace.toml").exists():
        return out
    t0 = time.perf_counter()
    cmd = [sys.executable, "-c", "import sys; from cli.main import main; "
           "sys.exit(main(sys.argv[1:]))", "demo", "--out", str(out), "--parcels", str(n),
           "--format", "parquet", "--quiet"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    print(f"  built {out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return out


# ----------------------------------------------------------------------------- children

def _child_single(ws_path: str) -> dict:
    from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
    from layers.workspace import Workspace

    t0 = time.perf_counter()
    ws = Workspace.load(ws_path)
    rb = rulebook_in_force(ws, None)
    inputs = inputs_from_workspace(ws, rulebook=rb)
    t1 = time.perf_counter()
    result = evaluate(inputs, rb, as_of=ws.as_of)
    t2 = time.perf_counter()
    return {"parcels": len(result.overall), "read_s": t1 - t0, "engine_s": t2 - t1,
            "total_s": t2 - t0,
            "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def _sample(client: object, peaks: dict[str, int], stop: threading.Event) -> None:
    """Record each worker's highest process memory as distributed's metrics report it."""
    while not stop.is_set():
        try:
            info = client.scheduler_info(n_workers=-1)  # type: ignore[attr-defined]
        except Exception:  # the cluster is closing
            return
        for addr, w in info.get("workers", {}).items():
            mem = int(w.get("metrics", {}).get("memory", 0))
            peaks[addr] = max(peaks.get(addr, 0), mem)
        stop.wait(0.5)


def _child_dask(ws_path: str, workers: int, memory_limit: str, out: str) -> dict:
    from distributed import Client, LocalCluster

    from layers.readiness import rulebook_in_force
    from layers.readiness.cluster import check_on_cluster
    from layers.workspace import Workspace

    ws = Workspace.load(ws_path)
    rb = rulebook_in_force(ws, None)
    with LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit=memory_limit,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        peaks: dict[str, int] = {}
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(client, peaks, stop), daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        run = check_on_cluster(ws, rb, as_of=ws.as_of, out=Path(out),
                               scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - t0
        stop.set()
        sampler.join()
    return {"parcels": run.parcels, "total_s": seconds, "partitions": run.partitions,
            "workers": run.workers, "remeasured": run.remeasured,
            "metric_peak": sorted(peaks.values()),
            "rss_peak": sorted(run.worker_peak_bytes.values()),
            "driver_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def _run_child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- table

def _gb(v: float) -> str:
    return f"{v / 1e9:.2f}"


def _median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2e4 parcels for both engines")
    ap.add_argument("--single-sizes", type=int, nargs="*", default=[1_000_000])
    ap.add_argument("--dask-sizes", type=int, nargs="*", default=[10_000_000])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="4GB", help="per worker (LocalCluster)")
    ap.add_argument("--workdir", type=Path,
                    default=Path(tempfile.gettempdir()) / "devzone-bench-dask")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        res = (_child_single(rest[0]) if kind == "single" else
               _child_dask(rest[0], int(rest[1]), rest[2], rest[3]))
        print(json.dumps(res))
        return
    if a.quick:
        a.single_sizes, a.dask_sizes = [20_000], [20_000]
    a.workdir.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []

    def row(text: str) -> None:  # each row as soon as it is measured: a long run keeps its rows
        lines.append(text)
        print(text, flush=True)

    row("| engine | parcels | processes | time s (median) | peak memory GB | notes |")
    row("|---|---:|---|---:|---|---|")
    for n in a.single_sizes:
        ws = build_workspace(n, a.workdir)
        rows = [_run_child(["single", str(ws)]) for _ in range(a.runs)]
        row(f"| single process | {n:,} | 1 (2 threads) | "
                     f"{_median(rows, 'total_s'):.1f} | {_gb(_median(rows, 'peak_rss'))} RSS | "
                     f"read {_median(rows, 'read_s'):.1f} s + evaluate "
                     f"{_median(rows, 'engine_s'):.1f} s; runs {len(rows)} |")
    for n in a.dask_sizes:
        ws = build_workspace(n, a.workdir)
        rows = [_run_child(["dask", str(ws), str(a.workers), a.memory_limit,
                            str(a.workdir / f"out_{n}")]) for _ in range(a.runs)]
        best = rows[len(rows) // 2]
        metric = " / ".join(_gb(v) for v in best["metric_peak"])
        rss = " / ".join(_gb(v) for v in best["rss_peak"])
        row(f"| dask LocalCluster | {n:,} | {best['workers']} workers × "
                     f"{a.memory_limit} | {_median(rows, 'total_s'):.1f} | per worker: "
                     f"metric {metric}, RSS {rss}; driver {_gb(best['driver_rss'])} | "
                     f"{best['partitions']} partitions, {best['remeasured']:,} parcel×rule "
                     f"distances re-measured on the whole layer; runs {len(rows)} |")
    if len(lines) > 2:
        print(f"{len(lines) - 2} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
