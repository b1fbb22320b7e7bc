"""The demo workspace end to end: every overall status, an independent recomputation,
the ``devzone check`` command and a sketch."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import rasterio.features
import shapely

from gis.raster import slope_degrees
from layers.demo import AS_OF
from layers.readiness import (
    LONG_COLUMNS,
    OVERALL_STATUSES,
    DistanceRule,
    OverlapRule,
    WithinRule,
    check_sketch,
    evaluate,
    gap_to_ready,
    inputs_from_workspace,
    load_rulebook,
)
from layers.workspace import Workspace


@pytest.fixture(scope="module")
def demo(demo_ws: Path):
    ws = Workspace.load(demo_ws)
    rb = load_rulebook(ws.rules_path)
    inp = inputs_from_workspace(ws, rulebook=rb)
    return ws, rb, inp, evaluate(inp, rb, as_of=AS_OF)


def test_the_demo_yields_every_overall_status(demo) -> None:
    *_, res = demo
    counts = res.overall["readiness"].value_counts()
    assert all(counts.get(s, 0) > 0 for s in OVERALL_STATUSES), counts.to_dict()
    gaps = gap_to_ready(res)
    assert len(gaps) == counts["not_ready"] and gaps["rank"].is_monotonic_increasing


def _filtered(gdf: gpd.GeoDataFrame, flt: dict) -> np.ndarray:
    mask = np.ones(len(gdf), dtype=bool)
    for col, values in flt.items():
        mask &= gdf[col].isin(list(values)).to_numpy(dtype=bool, na_value=False)
    return np.asarray(gdf.geometry.array)[mask]


def test_demo_results_match_an_independent_computation(demo) -> None:
    ws, rb, inp, res = demo
    g = np.asarray(inp.parcels.geometry.array)
    long = res.long
    for rule in rb.rules:
        got = long.loc[long["rule_id"] == rule.id, "value"].to_numpy()
        if isinstance(rule, DistanceRule):
            feats = _filtered(inp.layers[rule.layer], rule.filter)
            ref = shapely.distance(g[:, None], feats[None, :]).min(axis=1)
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9, err_msg=rule.id)
        elif isinstance(rule, WithinRule | OverlapRule):
            union = shapely.union_all(_filtered(inp.layer(rule.layer), rule.filter))
            ref = shapely.area(shapely.intersection(g, union)) / shapely.area(g)
            np.testing.assert_allclose(got, ref, atol=1e-9, err_msg=rule.id)
    # slope and 5G from GDAL's rasteriser (cell centres inside), not the engine's scan lines
    with rasterio.open(ws.raster_path("dem")) as src:
        from gis.raster import Raster

        dem = Raster(src.read(1).astype(float), src.transform, str(src.crs))
    slope = slope_degrees(dem)
    with rasterio.open(ws.raster_path("coverage_5g")) as src:
        rsrp, rt = src.read(1, masked=True).filled(np.nan).astype(float), src.transform
    lev = long.loc[long["rule_id"] == "leveled", "value"].to_numpy()
    tel = long.loc[long["rule_id"] == "telecom", "value"].to_numpy()
    for i, geom in enumerate(g):
        m = rasterio.features.geometry_mask([geom], slope.shape, slope.transform, invert=True)
        if not m.any():  # narrower than a 100 m cell: the cell under the centroid
            col, row = (~slope.transform) @ (geom.centroid.x, geom.centroid.y)
            m[int(row), int(col)] = True
        assert lev[i] == pytest.approx(np.nanmean(slope.array[m]), rel=1e-9)
        m = rasterio.features.geometry_mask([geom], rsrp.shape, rt, invert=True)
        v = rsrp[m]
        v = v[~np.isnan(v)]
        assert tel[i] == pytest.approx(np.mean(v >= -105.0))


def test_sketch_on_the_demo_matches_the_parcel_it_traces(demo) -> None:
    _, rb, inp, res = demo
    pid = res.overall.loc[res.overall["readiness"] == "not_ready", "parcel_id"].iloc[0]
    geom = inp.parcels.loc[inp.parcels["parcel_id"] == pid].geometry
    sketch = check_sketch(inp, geom.to_crs(4326).iloc[0], rb, as_of=AS_OF).long
    mine = res.long[res.long["parcel_id"] == pid].reset_index(drop=True)
    geometric = [r.id for r in rb.rules if r.kind in ("distance", "within", "overlap",
                                                      "assessment")]
    for rid in geometric:
        a = sketch[sketch["rule_id"] == rid].iloc[0]
        b = mine[mine["rule_id"] == rid].iloc[0]
        assert a["status"] == b["status"], rid
        assert a["value"] == pytest.approx(b["value"], abs=1e-3, nan_ok=True), rid


# ----------------------------------------------------------------------------- the CLI

def _run(args: list[str], capsys) -> tuple[int, str, str]:
    from cli.main import main

    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_writes_the_long_table_csv(demo_ws: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "结果.csv"
    code, stdout, _ = _run(["check", str(demo_ws), "--as-of", AS_OF.isoformat(),
                            "--out", str(out)], capsys)
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"parcel_id": str})
    assert list(table.columns) == LONG_COLUMNS
    assert table["parcel_id"].nunique() * table["rule_id"].nunique() == len(table)
    assert table["message"].str.contains("米|评估|净地|坡度").any()
    for status in OVERALL_STATUSES:
        assert f"({status})" in stdout
    assert "not_ready" in stdout and "未通过" in stdout


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_check_writes_parcels_with_status_columns(demo_ws: Path, tmp_path: Path, capsys,
                                                  suffix: str) -> None:
    out = tmp_path / f"parcels{suffix}"
    ids = sorted(Workspace.load(demo_ws).read("parcels")["parcel_id"])[:3]
    code, stdout, err = _run(["check", str(demo_ws), "--as-of", AS_OF.isoformat(), "--out",
                              str(out), "--lang", "en", "--parcel", f"{ids[0]},{ids[1]}",
                              "--parcel", ids[2]], capsys)
    assert code == 0, err
    wide = gpd.read_file(out)
    assert sorted(wide["parcel_id"]) == ids
    assert {"readiness", "road_status", "road_value", "leveled_status"} <= set(wide.columns)
    assert set(wide["road_status"]) <= {"pass", "fail", "unknown", "committed"}
    if suffix == ".geojson":
        assert wide.crs.to_epsg() == 4326
    assert "3 parcels" in stdout


@pytest.mark.parametrize(("extra", "needle"), [
    (["--as-of", "30/06/2025"], "--as-of"),
    (["--rules", "missing.toml"], "missing.toml"),
    (["--parcel", "NOPE-1"], "NOPE-1"),
    (["--out", "x.xlsx"], ".xlsx"),
    (["--lang", "fr"], "--lang"),
])
def test_check_errors_are_one_sentence_and_exit_2(demo_ws: Path, capsys, extra, needle) -> None:
    code, _, err = _run(["check", str(demo_ws), *extra], capsys)
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]
    assert "Traceback" not in err


def test_bad_rulebook_is_reported_not_raised(demo_ws: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text('[meta]\nname="x"\n[[rule]]\nid = "road"\nkind = "distance"\n'
                   'label = "路"\nlayer = "roads"\n', encoding="utf-8")
    code, _, err = _run(["check", str(demo_ws), "--rules", str(bad)], capsys)
    assert code == 2 and "'road'" in err and "'max_m'" in err


def test_progress_bar_for_large_runs(demo_ws: Path, capsys, monkeypatch) -> None:
    import cli.check

    monkeypatch.setattr(cli.check, "_PROGRESS_MIN", 1)
    code, _, err = _run(["check", str(demo_ws), "--as-of", AS_OF.isoformat()], capsys)
    assert code == 0 and "checking parcels" in err


def _status(res, rule_id: str) -> pd.DataFrame:
    long = res.long
    out = long[long["rule_id"] == rule_id].reset_index(drop=True)
    return out.astype({"parcel_id": str, "status": str, "message_en": str})


def _near(inp, layer: str, column: str, values: list, max_m: float) -> np.ndarray:
    """Per parcel: within ``max_m`` of a feature of ``layer`` whose ``column`` is in values."""
    gdf = inp.layers[layer]
    feats = np.asarray(gdf.geometry.array)[gdf[column].isin(values).to_numpy(dtype=bool)]
    g = np.asarray(inp.parcels.geometry.array)
    return shapely.distance(g[:, None], feats[None, :]).min(axis=1) <= max_m


def test_the_demo_exercises_every_new_rule_and_filter(demo) -> None:
    _, rb, inp, res = demo
    p = inp.parcels.reset_index(drop=True)
    # filters: an expressway, a raw-water main, a 220 kV line pass parcels they do not serve
    road, water, power = (_status(res, r) for r in ("road", "water", "power"))
    motorway = _near(inp, "roads", "class", ["expressway"], rb.get("road").max_m)
    assert (motorway & (road["status"] == "fail").to_numpy()).any()
    raw = _near(inp, "water", "kind", ["raw_main"], rb.get("water").max_m)
    assert (raw & (water["status"] == "fail").to_numpy()).any()
    kv220 = inp.layers["power"][inp.layers["power"]["voltage_kv"] == 220.0]
    d220 = shapely.distance(np.asarray(p.geometry.array)[:, None],
                            np.asarray(kv220.geometry.array)[None, :]).min(axis=1)
    assert (d220 < power["value"].to_numpy() - 100.0).any()  # the 220 kV line is ignored
    # planning conformity, archaeology, setbacks, ratios: each fails somewhere
    for rid in ("development_boundary", "land_use", "archaeology", "tourism_setback",
                "residential_setback", "admin_ratio", "green_ratio", "unrestored_mine"):
        assert (_status(res, rid)["status"] == "fail").any(), rid
    assert set(p.loc[(_status(res, "land_use")["status"] == "fail").to_numpy(), "land_use"]
               ) == {"0901"}
    setback = _status(res, "residential_setback")
    heavy = p["industry"].isin(["steel", "coke", "coal_chemical", "power"]).to_numpy()
    assert set(setback.loc[~heavy & p["industry"].notna().to_numpy(), "status"]) == {"pass"}
    assert (setback.loc[heavy, "status"] == "fail").any()
    # a completed (not accepted) mine site fails its parcel
    mines = inp.layers["mines"]
    done = shapely.union_all(mines.geometry.array[(mines["stage"] == "completed").to_numpy()])
    hit = shapely.intersects(np.asarray(p.geometry.array), done)
    assert hit.any() and (_status(res, "unrestored_mine").loc[hit, "status"] == "fail").all()
    # a farmland sliver passes, a real overlap fails
    farmland = _status(res, "farmland")
    assert farmland["message_en"].str.contains("digitising sliver").any()
    assert (farmland["status"] == "fail").any()
