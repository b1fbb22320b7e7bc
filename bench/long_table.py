"""Benchmark: writing the long readiness table (parcels × rules rows) as CSV and Parquet.

Builds ``devzone demo --parcels N`` (reused when present), checks it once, then times
:func:`layers.readiness.export.write_result` of the long table to ``.csv`` and to
``.parquet`` (temporary file, fsync and rename included), as ``devzone check --out``
does: medians of ``--runs``, wall and CPU seconds (CPU counts all threads), as a
Markdown table.

Usage::

    .venv/bin/python bench/long_table.py                # 1e5 parcels (2.5 M rows), 5 runs
    .venv/bin/python bench/long_table.py --quick        # 1e4 parcels, 3 runs
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="1e4 parcels, 3 runs")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "devzone-bench")
    args = ap.parse_args(argv)
    n, runs = (10_000, 3) if args.quick else (args.parcels, max(1, args.runs))

    from readiness import build_workspace  # bench/readiness.py: the same demo workspaces

    from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
    from layers.readiness.export import write_result
    from layers.workspace import Workspace

    ws = Workspace.load(build_workspace(n, args.workdir))
    rb = rulebook_in_force(ws, None)
    result = evaluate(inputs_from_workspace(ws, rulebook=rb), rb, as_of=ws.as_of)
    rows = len(result.long)
    print("| format | rows | MB | wall s | CPU s |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".csv", ".parquet"):
            out = Path(tmp) / f"long{suffix}"
            wall, cpu = [], []
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                write_result(result, out)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            print(f"| {suffix} | {rows:,} | {out.stat().st_size / 1e6:,.0f} "
                  f"| {statistics.median(wall):.2f} | {statistics.median(cpu):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
