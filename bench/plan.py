"""Benchmark of the budget plan and the supply pipeline as whole commands.

Usage: ``python bench/plan.py [--runs 3] [--quick] [--keep DIR]``.

Builds demo workspaces (``devzone demo``: the default 300 parcels and ``--parcels
10000``), adds synthetic planned projects to each (:func:`add_projects`: 30 water
mains, roads and 10 kV lines through clusters of parcels that fail a distance rule,
due over the next two years, costed by length), then times ``devzone plan WS --budget
B`` (B = a third of the cost of all projects: a binding budget), ``devzone plan WS
--rank`` and ``devzone pipeline WS --quarters 8`` as subprocesses; medians of
``--runs`` (wall and CPU). The plan is timed again with only the distance rules required
(:func:`distance_only_rules`), which makes nearly every not-ready parcel a candidate: on
1e4 parcels a MILP over ~1e4 parcels and ~3e4 works. Target (issue #10): the plan
solves in ≤ 10 s for the demo and for 1e4 parcels with 30 projects. ``--quick``: only
the 300-parcel demo, one run.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
DEVZONE = str(Path(sys.executable).parent / "devzone")
_UNIT_WAN = {"water": 0.15 * 1.3, "roads": 0.30 * 1.3, "power": 0.08 * 1.3}  # 万元 per metre
_KIND = {"water": "water", "roads": "road", "power": "power"}


def _feature(kind: str, pid: str, due: date, line: shapely.LineString) -> dict[str, object]:
    base: dict[str, object] = {"status": "planned", "project_id": pid,
                               "planned_date": due.isoformat(), "geometry": line}
    extra = {"water": {"kind": "main", "name": f"规划供水干管 {pid}"},
             "roads": {"class": "urban_local", "name": f"规划道路 {pid}"},
             "power": {"kind": "line", "voltage_kv": 10.0, "name": f"规划10kV线路 {pid}"}}
    return {**base, **extra[kind]}


def add_projects(ws_path: Path, n: int = 30, seed: int = 7) -> pd.DataFrame:
    """Add ``n`` planned projects through clusters of parcels failing a distance rule (next
    to the workspace's own projects, such as the demo's five); returns every project."""
    from layers.access import Role, cli_actor
    from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
    from layers.readiness._base import FAIL
    from layers.workspace import Workspace

    ws = Workspace.load(ws_path)
    own = ws.read("projects")
    own = pd.DataFrame(own) if own is not None else pd.DataFrame()
    if len(own) and own["project_id"].astype(str).str.startswith("XM-").any():
        return own  # already added (a kept workspace)
    rb = rulebook_in_force(ws, None)
    inputs = inputs_from_workspace(ws, rulebook=rb)
    res = evaluate(inputs, rb, as_of=ws.as_of or date.today())
    rng = np.random.default_rng(seed)
    pts = res.parcels.geometry.representative_point().to_numpy()
    layer_of = {"road": "roads", "water": "water", "power": "power"}
    feats: dict[str, list[dict[str, object]]] = {k: [] for k in layer_of.values()}
    projects = []
    start = ws.as_of or date.today()
    used: set[int] = set()
    fails = {rid: np.flatnonzero(res.status_matrix[res.rulebook.ids.index(rid)] == FAIL)
             for rid in ("water", "road", "power")}
    for k in range(n):
        live = [rid for rid in fails if any(p not in used for p in fails[rid])]
        if not live:
            used.clear()  # every failing parcel has a project: let projects compete
            live = [rid for rid in fails if len(fails[rid])]
        if not live:
            break
        rid = live[k % len(live)]
        free = np.array([p for p in fails[rid] if p not in used])
        seed_p = int(rng.choice(free))
        d = shapely.distance(pts[free], pts[seed_p])
        near = free[np.argsort(d)[: int(rng.integers(2, 7))]]
        used.update(int(p) for p in near)
        order = near[np.argsort([pts[p].x for p in near])]
        coords = [(pts[p].x, pts[p].y) for p in order]
        line = shapely.LineString(coords if len(coords) > 1 else
                                  [coords[0], (coords[0][0] + 50, coords[0][1])])
        layer = layer_of[rid]
        pid = f"XM-{k + 1:02d}"
        due = start + timedelta(days=int(rng.integers(30, 730)))
        feats[layer].append(_feature(layer, pid, due, line))
        cost = round(line.length * _UNIT_WAN[layer] + float(rng.uniform(50, 300)), 1)
        projects.append({"project_id": pid, "name": f"{_KIND[layer]} 项目 {pid}",
                         "kind": _KIND[layer], "cost_wan": cost,
                         "planned_date": due.isoformat(), "funded": bool(k % 2)})
    table = pd.concat([own, pd.DataFrame(projects)], ignore_index=True)
    with ws.writing(cli_actor(), "bench projects", role=Role.admin, note="bench/plan.py") as tx:
        for layer, rows in feats.items():
            if not rows:
                continue
            cur = ws.read(layer)
            new = gpd.GeoDataFrame(rows, geometry="geometry", crs=cur.crs)
            tx.replace(layer, pd.concat([cur, new], ignore_index=True))
        tx.replace("projects", table)
    return table


def distance_only_rules(ws_path: Path, out: Path) -> Path:
    """The workspace's rulebook with every non-distance rule advisory: nearly every
    not-ready parcel becomes a candidate (the hardest budget plan for the size)."""
    import tomllib

    import tomli_w

    from layers.readiness import rulebook_in_force
    from layers.workspace import Workspace

    data = tomllib.loads(rulebook_in_force(Workspace.load(ws_path), None).text)
    for rule in data["rule"]:
        if rule["kind"] != "distance":
            rule["required"] = False
    out.write_text(tomli_w.dumps(data), encoding="utf-8")
    return out


def _time(cmd: list[str], runs: int) -> str:
    """Median wall seconds and median CPU seconds (user + sys) of ``runs`` runs of ``cmd``.

    Both are shown because the machine may be shared: CPU time does not grow with load.
    """
    wall, cpu = [], []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return f"{statistics.median(wall):.1f}/{statistics.median(cpu):.1f}"


def _workspace(tmp: Path, parcels: int) -> tuple[Path, float, int]:
    ws = tmp / f"demo_{parcels}"
    if not (ws / "workspace.toml").exists():
        subprocess.run([DEVZONE, "demo", "--out", str(ws), "--parcels", str(parcels)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    table = add_projects(ws)
    return ws, float(table["cost_wan"].sum()), len(table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="300 parcels, one run")
    ap.add_argument("--keep", type=Path, default=None, help="build the workspaces here")
    args = ap.parse_args(argv)
    sizes = [300] if args.quick else [300, 10_000]
    runs = 1 if args.quick else max(3, args.runs)
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="bench-plan-"))
    tmp.mkdir(parents=True, exist_ok=True)
    print("seconds: median wall / median CPU (user + sys)")
    print(f"{'parcels':>8} {'projects':>8} {'budget 万元':>12} {'plan':>11} {'rank':>11} "
          f"{'pipeline':>11}")
    try:
        for n in sizes:
            ws, total, n_proj = _workspace(tmp, n)
            budget = round(total / 3)
            plan = _time([DEVZONE, "plan", str(ws), "--budget", str(budget)], runs)
            rank = _time([DEVZONE, "plan", str(ws), "--rank"], runs)
            pipe = _time([DEVZONE, "pipeline", str(ws), "--quarters", "8"], runs)
            print(f"{n:>8} {n_proj:>8} {budget:>12,} {plan:>11} {rank:>11} {pipe:>11}",
                  flush=True)
            rules = distance_only_rules(ws, tmp / f"distance_only_{n}.toml")
            hard = _time([DEVZONE, "plan", str(ws), "--budget", str(budget), "--rules",
                          str(rules)], runs)
            print(f"{n:>8} {n_proj:>8} {budget:>12,} {hard:>11}  (plan, distance rules only "
                  "required: every not-ready parcel a candidate)", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
