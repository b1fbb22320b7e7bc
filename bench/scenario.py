"""Benchmark: toggling one planned project (incremental re-check) vs a full re-check.

Builds ``devzone demo --parcels N`` (reused when present), loads it once and
computes the baseline check once, as the app does. Then, per project of the
demo's projects table, times as whole operations (medians of ``--runs``):

- toggle: :func:`layers.planning.outcome.run_scenario` with the baseline given
  (find the parcels in reach, re-evaluate them, splice, list the changed parcels
  and the summary): what the Scenarios page does when a project is ticked;
- full: :func:`layers.readiness.evaluate` of the inputs with the scenario applied,
  plus the same changed-parcels table.

Usage::

    .venv/bin/python bench/scenario.py                 # 1e5 parcels, 3 runs
    .venv/bin/python bench/scenario.py --quick         # 1e4 parcels, 3 runs (make bench)
    .venv/bin/python bench/scenario.py --parcels 20000 --runs 5 --projects LZ-WS-01
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


def _workspace(n: int, workdir: Path) -> Path:
    from layers.demo import build_demo

    out = workdir / f"demo_{n}"
    if not (out / "workspace.toml").exists():
        t0 = time.perf_counter()
        build_demo(out, parcels=n)
        print(f"built {out} in {time.perf_counter() - t0:.1f} s")
    return out


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1e4 parcels (for make bench)")
    ap.add_argument("--projects", default="", help="only these project ids (comma-separated)")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "devzone-bench")
    args = ap.parse_args(argv)
    n = 10_000 if args.quick else args.parcels
    runs = max(3, args.runs)

    from layers.planning.outcome import run_scenario, scenario_changes
    from layers.planning.scenario import Scenario, apply_scenario
    from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
    from layers.workspace import Workspace

    ws = Workspace.load(_workspace(n, args.workdir))
    rb = rulebook_in_force(ws, None)
    day = ws.as_of
    t0 = time.perf_counter()
    inputs = inputs_from_workspace(ws, rulebook=rb)
    base = evaluate(inputs, rb, as_of=day)
    print(f"{len(base.overall):,} parcels × {len(rb)} rules; load + baseline check "
          f"{time.perf_counter() - t0:.2f} s (once per workspace in the app)")
    projects = ws.read("projects")
    print(f"{'project':<10} {'changed':>8} {'toggle s':>9} {'full s':>8} {'speed-up':>9}")
    only = {p.strip() for p in args.projects.split(",") if p.strip()}
    for pid in projects["project_id"].astype(str):
        if only and pid not in only:
            continue
        sc = Scenario.of([pid])
        holder: dict = {}

        def toggle(sc=sc, holder=holder) -> None:
            holder["run"] = run_scenario(inputs, rb, sc, as_of=day, projects=projects,
                                         baseline=base)

        def full(sc=sc) -> None:
            scenario_changes(base, evaluate(apply_scenario(inputs, sc, day), rb, as_of=day))

        t_toggle = _median(toggle, runs)
        t_full = _median(full, runs)
        print(f"{pid:<10} {len(holder['run'].changes):>8} {t_toggle:>9.3f} {t_full:>8.2f} "
              f"{t_full / t_toggle:>8.0f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
