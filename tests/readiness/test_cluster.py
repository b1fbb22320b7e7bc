"""``--engine dask``: a LocalCluster of two workers gives the single-process engine's results.

Row for row, on the demo workspace (parcels read on the driver, cut along a Z-order
curve) and on 10⁴ parcels in a GeoParquet dataset whose parts overlap (re-partitioned
by dask-geopandas' Hilbert ``spatial_shuffle`` and read by the workers).
"""

from __future__ import annotations

import shutil
import sys
import tomllib
import types
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import tomli_w

from gis import io as gio
from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force, summarize
from layers.readiness.cluster import MARKER, check_on_cluster, read_output
from layers.workspace import Workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    # Spawned workers re-run the parent's __main__ by path. After an AppTest in this
    # process that is Streamlit's generated page script, which cannot run alone; a plain
    # __main__ (as under the devzone command) is what workers expect.
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          memory_limit="2GB", dashboard_address=None) as cluster:
            yield cluster.scheduler_address
    finally:
        sys.modules["__main__"] = main


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as text, rows in parcel then rule order (dataset parts are spatial)."""
    out = df.astype({c: "str" for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
    return out.reset_index(drop=True)


def _assert_same(ws: Workspace, out: Path, partitions: int) -> None:
    rb = rulebook_in_force(ws, None)
    inputs = inputs_from_workspace(ws, rulebook=rb)
    ref = evaluate(inputs, rb, as_of=ws.as_of)
    rank = {r.id: i for i, r in enumerate(rb.rules)}
    order = {p: i for i, p in enumerate(ref.overall["parcel_id"])}

    long = _plain(read_output(out, "long"))
    long = long.iloc[np.lexsort((long["rule_id"].map(rank), long["parcel_id"].map(order)))]
    pd.testing.assert_frame_equal(long.reset_index(drop=True), _plain(ref.long),
                                  check_exact=True, check_dtype=False)
    overall = _plain(read_output(out, "overall"))
    overall = overall.iloc[np.argsort(overall["parcel_id"].map(order).to_numpy())]
    pd.testing.assert_frame_equal(overall.reset_index(drop=True), _plain(ref.overall),
                                  check_exact=True, check_dtype=False)
    assert len(gio.dataset_parts(out / "long")) == partitions
    assert (out / MARKER).is_file()


def test_demo_matches_single_process(demo_ws: Path, tmp_path: Path, scheduler: str) -> None:
    ws = Workspace.load(demo_ws)
    rb = rulebook_in_force(ws, None)
    run = check_on_cluster(ws, rb, as_of=ws.as_of, out=tmp_path / "out", scheduler=scheduler,
                           partitions=3)
    assert run.partitions == 3 and run.parcels == 300 and run.workers == 2
    _assert_same(ws, tmp_path / "out", 3)
    ref = summarize(evaluate(inputs_from_workspace(ws, rulebook=rb), rb, as_of=ws.as_of),
                    zones=ws.read("zones"))
    assert run.summary.readiness == ref.readiness
    assert run.summary.text("en") == ref.text("en")
    pd.testing.assert_frame_equal(run.summary.rules, ref.rules)
    pd.testing.assert_frame_equal(run.summary.zones, ref.zones, check_exact=False, rtol=1e-12)


def _many_parcels(ws: Workspace, n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` parcels scattered over the zones and 15 km around (many far from any network)."""
    base = ws.read("parcels")
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = ws.read("zones").total_bounds
    cx = rng.uniform(x0 - 15_000, x1 + 15_000, n)
    cy = rng.uniform(y0 - 15_000, y1 + 15_000, n)
    w, h = rng.uniform(60, 250, n), rng.uniform(60, 250, n)
    attrs = base.drop(columns="geometry").iloc[np.arange(n) % len(base)].reset_index(drop=True)
    attrs["parcel_id"] = [f"测试{i:05d}" for i in range(n)]
    geoms = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    geoms[5] = None  # a parcel without geometry (dropped by the reader, in both engines)
    return gpd.GeoDataFrame(attrs, geometry=geoms, crs=base.crs)


def test_1e4_parquet_dataset_matches(demo_ws: Path, tmp_path: Path, scheduler: str) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_ws, root)
    parcels = _many_parcels(Workspace.load(root), 10_000)
    # four parts in random order: each spans the whole area, so the engine re-partitions
    gio.write_geoparquet_dataset([parcels.iloc[i::4] for i in range(4)], root / "p.parquet")
    doc = tomllib.loads((root / "workspace.toml").read_text(encoding="utf-8"))
    doc["layers"]["parcels"] = "p.parquet"
    (root / "workspace.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    ws = Workspace.load(root)
    assert len(ws.read("parcels")) == 9_999  # the normal engine reads the dataset too
    run = check_on_cluster(ws, rulebook_in_force(ws, None), as_of=ws.as_of,
                           out=tmp_path / "out", scheduler=scheduler, partitions=5)
    assert run.parcels == 9_999 and run.partitions == 5
    assert run.remeasured > 0  # parcels beyond a rule's reach took the whole-layer path
    _assert_same(ws, tmp_path / "out", 5)


def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    from cli.main import main

    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(("extra", "needle"), [
    (["--engine", "spark", "--out", "r"], "--engine"),
    (["--engine", "dask"], "--out"),
    (["--engine", "dask", "--out", "r.csv"], "folder"),
    (["--engine", "dask", "--out", "r", "--parcel", "GX-0101-1"], "--parcel"),
])
def test_cli_refuses_what_the_dask_engine_cannot_do(demo_ws: Path, capsys, extra: list[str],
                                                   needle: str) -> None:
    code, _, err = _cli(["check", str(demo_ws), *extra], capsys)
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]


def test_output_folder_is_never_another_folder(demo_ws: Path, tmp_path: Path, capsys) -> None:
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = _cli(["check", str(demo_ws), "--engine", "dask", "--out", str(keep)], capsys)
    assert code == 2 and "earlier check" in err
    assert (keep / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_what_killed_runs_left_is_swept_but_not_a_running_check(tmp_path: Path) -> None:
    import os
    import time

    from layers.readiness.cluster import LOCK, STALE_S, sweep_leftovers

    out = tmp_path / "结果"
    old = time.time() - 2 * STALE_S

    def leftover(name: str, *subs: str, age: float = old) -> Path:
        folder = tmp_path / name
        for sub in subs:
            (folder / sub).mkdir(parents=True)
        folder.mkdir(exist_ok=True)
        os.utime(folder, (age, age))
        return folder

    killed = leftover(".结果.k1ll3d00", "long", "overall")
    replaced = leftover(".结果.old-abcd1234", "结果/long")
    running = leftover(".结果.running1", "long", "overall")
    young = leftover(".结果.y0ung000", "long", "overall", age=time.time())
    other = leftover(".结果.n0tours0", "data")
    with gio.exclusive_lock(running / LOCK):  # a check still writing into it
        assert sorted(sweep_leftovers(out)) == sorted([killed, replaced])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (running, young, other))
