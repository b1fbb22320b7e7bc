"""Tests of the Changzhi demo workspace generator (layers/demo/, cli/demo.py)."""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
import typer
from typer.testing import CliRunner

from gis.errors import InputError
from layers import demo as demo_mod
from layers.demo import AS_OF, DEFAULT_PARCELS, DEFAULT_SEED, build_demo, make_demo
from layers.demo import build as demo_build

COUNTIES = {"潞州区", "上党区", "屯留区", "潞城区", "襄垣县", "平顺县", "黎城县", "壶关县",
            "长子县", "武乡县", "沁县", "沁源县"}
VECTOR_LAYERS = ("counties", "zones", "parcels", "mines", "water", "roads", "power",
                 "tourism_road", "constraints", "base_stations", "residential")
TABLES = ("assessments", "inspections")
RASTERS = ("rasters/dem.tif", "rasters/rsrp_5g.tif", "rasters/ndvi_2020.tif",
           "rasters/ndvi_2025.tif")


def _read(ws: Path, layer: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(ws / "layers.gpkg", layer=layer)


def _snapshot(ws: Path) -> dict[str, pd.DataFrame]:
    """Every layer and table with geometries as WKB (comparable with ``equals``)."""
    out = {}
    for name in (*VECTOR_LAYERS, *TABLES):
        df = pd.DataFrame(_read(ws, name))
        if "geometry" in df:
            df["geometry"] = shapely.to_wkb(df["geometry"].array)
        out[name] = df
    return out


def _cli_app() -> typer.Typer:
    from cli import demo as cli_demo

    app = typer.Typer()
    cli_demo.register(app)

    @app.callback()
    def _root() -> None:  # keep "demo" as a sub-command
        pass

    return app


@pytest.fixture(scope="module")
def ws(demo_ws: Path) -> Path:
    """The default demo (seed, 300 parcels), built once per session by tests/conftest.py."""
    return demo_ws


@pytest.fixture(scope="module")
def layers(ws: Path) -> dict[str, pd.DataFrame]:
    return {name: _read(ws, name) for name in (*VECTOR_LAYERS, *TABLES)}


@pytest.fixture(scope="module")
def rebuilt(ws: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A second build with the same seed, then 5000 parcels over it through the CLI."""
    root = tmp_path_factory.mktemp("rebuild")
    out = root / "ws"
    build_demo(out, seed=DEFAULT_SEED)
    same = _snapshot(out)
    same_bytes = {r: (out / r).read_bytes() for r in (*RASTERS, "layers.gpkg")}
    result = CliRunner().invoke(_cli_app(), ["demo", "--out", str(out), "--parcels", "5000",
                                             "--seed", str(DEFAULT_SEED), "--quiet"])
    return {"same": same, "same_bytes": same_bytes, "big": out, "cli": result, "root": root}


# ---------------------------------------------------------------------------- content


def test_counties_are_the_twelve_real_ones(layers: dict[str, pd.DataFrame]) -> None:
    c = layers["counties"]
    assert set(c["county"]) == COUNTIES and len(c) == 12
    assert c["adcode"].str.fullmatch(r"1404\d\d").all() and c["adcode"].is_unique
    area_km2 = c.to_crs(4547).area.sum() / 1e6
    assert 13_000 < area_km2 < 15_000  # Changzhi is ≈ 13 955 km²
    assert shapely.coverage_is_valid(c.geometry.array)


def test_zones_sit_in_their_real_counties(layers: dict[str, pd.DataFrame]) -> None:
    z = layers["zones"].set_index("zone_id")
    c = layers["counties"].set_index("county")
    assert set(z["name"]) == {"长治高新技术产业开发区", "长治经济技术开发区", "潞城经济技术开发区"}
    assert c.geometry["潞州区"].contains(z.geometry["CZGX"].representative_point())
    assert c.geometry["潞城区"].contains(z.geometry["CZLC"].representative_point())
    edge = shapely.union_all([c.geometry["潞州区"], c.geometry["上党区"], c.geometry["壶关县"]])
    assert edge.contains(z.geometry["CZJK"])
    lonlat = z.geometry.centroid.to_crs(4326)
    assert 113.08 < lonlat["CZGX"].x < 113.15 and 36.17 < lonlat["CZGX"].y < 36.22
    assert 113.2 < lonlat["CZLC"].x < 113.3 and 36.3 < lonlat["CZLC"].y < 36.35
    area_km2 = z.area / 1e6
    assert ((area_km2 > 2) & (area_km2 < 15)).all()
    # plausible shapes, not rectangles
    assert (shapely.get_num_coordinates(z.geometry.array) > 8).all()


def test_parcels_are_small_disjoint_and_mostly_in_zones(layers: dict[str, pd.DataFrame]) -> None:
    p = layers["parcels"]
    assert len(p) == DEFAULT_PARCELS and p["parcel_id"].is_unique
    area = p.area / 1e4
    assert area.between(1.0, 15.0).all()
    assert ((p["area_ha"] - area).abs() / area).max() <= 0.02
    tree = shapely.STRtree(p.geometry.array)
    left, right = tree.query(p.geometry.array, predicate="intersects")
    assert (left == right).all(), "parcels must not overlap or touch"
    zones = shapely.union_all(layers["zones"].geometry.array)
    inside = shapely.area(shapely.intersection(p.geometry.array, zones)) / area.to_numpy() / 1e4
    assert (inside >= 0.95).mean() > 0.9
    assert (inside < 0.95).sum() >= 3  # straddling the boundary or outside
    assert set(p["industry"].dropna()) == {"photovoltaic", "semiconductor", "it_innovation",
                                           "coal_chemical", "equipment", "new_materials",
                                           "steel", "coke", "power"}
    heavy = p[p["industry"].isin(["steel", "coke", "power"])]
    assert (heavy["zone_id"] == "CZLC").all()
    assert heavy[["far", "tax_per_mu"]].notna().all(axis=None)
    assert p["industry"].isna().sum() >= 1
    assert set(p["land_use"]) >= {"100101", "100102", "100103"}
    assert p["land_use"].isin(["M1", "M2", "M3"]).any()
    assert set(p["supply_status"]) == {"reserve", "for_supply", "supplied",
                                       "under_construction"}
    assert p["tax_per_mu"].isna().any() and p["energy_per_output"].isna().any()
    assert (~p["net_land"].astype(bool)).any()


def test_rulebook_indicator_keys_match_the_industries(layers: dict[str, pd.DataFrame]) -> None:
    rules = demo_mod.indicator_bounds(demo_mod.DEFAULT_RULES.read_text(encoding="utf-8"))
    assert set(layers["parcels"]["industry"].dropna()) <= set(rules)


def test_infrastructure_layers(layers: dict[str, pd.DataFrame]) -> None:
    w = layers["water"]
    assert set(w["kind"]) == {"main", "branch", "raw_main", "plant", "reservoir", "pump"}
    assert set(w["status"]) == {"existing", "under_construction", "planned"}
    assert any("小水网" in s for s in w["system"]) and "上党区城乡供水一体化" in set(w["system"])
    assert set(layers["roads"]["status"]) == {"existing", "under_construction", "planned"}
    pw = layers["power"]
    assert set(pw["kind"]) == {"substation", "line"} and pw["voltage_kv"].notna().all()
    bs = layers["base_stations"]
    assert len(bs) > 50 and (bs["radius_m"] > 0).all()
    cons = layers["constraints"]
    assert {"ecological_redline", "basic_farmland", "mining_right",
            "urban_development_boundary"} <= set(cons["kind"])
    assert cons.is_valid.all()
    # what the rulebook's filters leave out is there too: an expressway, 220 kV, raw water
    assert {"expressway", "county", "urban_arterial"} <= set(layers["roads"]["class"])
    assert {10.0, 35.0, 110.0, 220.0} <= set(pw["voltage_kv"])
    res = layers["residential"]
    assert len(res) >= 2 and set(res["kind"]) == {"village"} and res.is_valid.all()
    tr = layers["tourism_road"]
    assert tr["segment_id"].is_unique and set(tr["status"]) >= {"existing", "planned"}
    counties = layers["counties"].set_index("county").geometry
    road = shapely.union_all(tr.geometry.array)
    for county in ("平顺县", "壶关县", "黎城县", "武乡县"):
        assert road.intersects(counties[county]), county


def test_mines_cover_every_stage(layers: dict[str, pd.DataFrame]) -> None:
    m = layers["mines"]
    assert 40 <= len(m) <= 80 and m["site_id"].is_unique
    assert set(m["stage"]) == {"not_started", "approved", "in_progress", "completed",
                               "accepted", "maintenance", "closed"}
    area = m.area / 1e4
    assert area.between(1.0, 30.0).all()
    assert set(m["county"]) <= COUNTIES and m["county"].nunique() >= 8
    counties = layers["counties"].set_index("county").geometry
    for county, geom in zip(m["county"], m.geometry, strict=True):
        assert counties[county].intersects(geom)
    target = pd.to_datetime(m["target_date"])
    early = ~m["stage"].isin(["completed", "accepted", "maintenance", "closed"])
    assert (early & (target < pd.Timestamp(AS_OF))).sum() >= 3  # overdue at the snapshot
    late = early & (target > pd.Timestamp(AS_OF)) & (target < pd.Timestamp("2026-06-30"))
    assert late.sum() >= 1  # overdue by now, not yet at the snapshot
    assert (m["spent_wan"] <= m["budget_wan"] * 1.06).all()


def test_inspection_histories(layers: dict[str, pd.DataFrame]) -> None:
    m = layers["mines"].set_index("site_id")
    ins = layers["inspections"].sort_values(["site_id", "date"], kind="stable")
    assert set(ins["site_id"]) <= set(m.index)
    per_site = ins.groupby("site_id").size()
    assert (per_site >= 3).sum() >= 30
    order = {s: i for i, s in enumerate(demo_mod.STAGE_COUNTS)}
    rank = ins["stage"].map(order)
    back = ins.assign(d=rank.groupby(ins["site_id"]).diff())
    backwards = back[back["d"] < 0]
    assert len(backwards) == 1 and backwards["note"].notna().all()
    last = ins.groupby("site_id").tail(1).set_index("site_id")
    assert (last["stage"] == m.loc[last.index, "stage"]).all()
    site_area = m.loc[last.index].area / 1e4
    assert (last["restored_area_ha"] > site_area).sum() == 1
    stale = pd.Timestamp(AS_OF) - pd.to_datetime(last["date"])
    assert ((stale > pd.Timedelta(days=365)) & (last["stage"] != "not_started")).sum() == 1
    assert (pd.to_datetime(ins["date"]) <= pd.Timestamp(AS_OF)).all()


def test_assessments(layers: dict[str, pd.DataFrame]) -> None:
    a = layers["assessments"]
    zone = a[a["scope"] == "zone"]
    for zone_id in layers["zones"]["zone_id"]:
        kinds = set(zone.loc[zone["scope_id"] == zone_id, "kind"])
        assert kinds >= set(demo_mod.NATIONAL_ASSESSMENTS), zone_id
    expired = (a["status"] == "approved") & (pd.to_datetime(a["valid_until"])
                                             < pd.Timestamp(AS_OF))
    assert expired.sum() >= 2
    national = a["kind"].isin(demo_mod.NATIONAL_ASSESSMENTS)
    assert a.loc[expired & national, "scope_id"].tolist() == ["CZLC"]
    assert (a["status"] == "committed").sum() == 1
    parcel_level = a[a["scope"] == "parcel"]
    assert len(parcel_level) >= 3
    assert set(parcel_level["scope_id"]) <= set(layers["parcels"]["parcel_id"])


def test_rasters(ws: Path, layers: dict[str, pd.DataFrame]) -> None:
    x0, y0, x1, y1 = layers["counties"].to_crs(4547).total_bounds
    for rel in RASTERS:
        with rasterio.open(ws / rel) as src:
            left, bottom, right, top = src.bounds
            assert left <= x0 and bottom <= y0 and right >= x1 and top >= y1, rel
            assert src.crs.to_epsg() == 4547 and src.dtypes[0] == "float32"
            assert src.nodata is not None and src.compression is not None
            assert src.profile["tiled"]
    zones = layers["zones"]
    counties = layers["counties"].set_index("county")
    with rasterio.open(ws / "rasters/dem.tif") as src:
        assert 80 <= src.res[0] <= 100
        basin = np.array(list(src.sample(shapely.get_coordinates(zones.centroid))))
        assert ((basin > 850) & (basin < 1000)).all()
        for county in ("平顺县", "壶关县", "黎城县"):  # the Taihang rises in the east
            mountains = np.array(list(src.sample(_grid_in(counties.geometry[county]))))
            assert 1000 < float(np.median(mountains)) < 1900, county
        assert float(src.read(1).max()) < 2600
    with rasterio.open(ws / "rasters/rsrp_5g.tif") as src:
        stations = layers["base_stations"]
        live = stations[stations["status"] == "existing"]
        at = np.array(list(src.sample(shapely.get_coordinates(live.geometry)))).ravel()
        assert (at >= -105).mean() > 0.95
        far = counties.geometry["沁源县"].representative_point()
        assert next(iter(src.sample([(far.x, far.y)])))[0] == pytest.approx(-140.0)


def _grid_in(poly: shapely.Geometry, n: int = 30) -> np.ndarray:
    x0, y0, x1, y1 = poly.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    keep = shapely.contains_xy(poly, xs.ravel(), ys.ravel())
    return np.column_stack([xs.ravel()[keep], ys.ravel()[keep]])


def _zonal_mean(path: Path, geoms: np.ndarray) -> np.ndarray:
    """Mean of the cells whose centres lie inside each geometry (nodata ignored)."""
    from gis.raster import read_raster

    out = []
    for geom in geoms:
        r = read_raster(path, bounds=shapely.bounds(geom).tolist())
        rows, cols = np.indices(r.array.shape)
        t = r.transform
        x, y = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
        inside = shapely.contains_xy(geom, x, y) & np.isfinite(r.array)
        out.append(float(r.array[inside].mean()))
    return np.array(out)


def test_ndvi_epochs_green_up_where_restored(ws: Path, layers: dict[str, pd.DataFrame]) -> None:
    m = layers["mines"]
    geoms = m.geometry.array
    ring = shapely.difference(shapely.buffer(geoms, 500.0), shapely.buffer(geoms, 200.0))
    means = {}
    for epoch in ("2020", "2025"):
        path = ws / f"rasters/ndvi_{epoch}.tif"
        means[epoch] = _zonal_mean(path, geoms)
        ref = _zonal_mean(path, ring)
        assert ((ref > 0.4) & (ref < 0.8)).mean() > 0.9  # undisturbed surroundings
        with rasterio.open(path) as src:
            band = src.read(1, masked=True)
            assert band.min() >= -1 and band.max() <= 1
    bare = m["stage"].isin(["not_started", "approved"]).to_numpy()
    done = m["stage"].isin(["accepted", "maintenance", "closed"]).to_numpy()
    assert (means["2025"][bare] < 0.2).all()
    green = means["2025"][done] > 0.45
    assert green.mean() > 0.7 and (~green).sum() >= 2  # a few accepted sites do not green up
    assert np.median((means["2025"] - means["2020"])[done]) > 0.2


# ---------------------------------------------------------------------------- workspace


def test_manifest_and_readme(ws: Path) -> None:
    import tomllib

    doc = tomllib.loads((ws / "workspace.toml").read_text(encoding="utf-8"))
    assert doc["crs"] == "EPSG:4547" and "synthetic" in doc["name"]
    assert set(doc["layers"]) >= {"zones", "parcels", "mines", "water", "roads", "power",
                                  "tourism_road", "constraints", "base_stations"}
    assert doc["tables"] == {"assessments": "layers.gpkg:assessments",
                             "inspections": "layers.gpkg:inspections",
                             "contracts": "layers.gpkg:contracts",
                             "performance": "layers.gpkg:performance",
                             "commitments": "layers.gpkg:commitments",
                             "projects": "layers.gpkg:projects"}
    assert doc["rasters"]["ndvi"] == {"2020": "rasters/ndvi_2020.tif",
                                      "2025": "rasters/ndvi_2025.tif"}
    assert doc["rules"] == {"file": "rules.toml"}
    assert (ws / "rules.toml").read_text(encoding="utf-8") == \
        demo_mod.DEFAULT_RULES.read_text(encoding="utf-8")
    readme = (ws / "README.txt").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower() and "合成" in readme
    size = sum(p.stat().st_size for p in ws.rglob("*") if p.is_file())
    assert size < 50e6


def test_workspace_loads_and_validates_clean(ws: Path) -> None:
    from layers.validate import validate
    from layers.workspace import Workspace

    w = Workspace.load(ws)
    assert w.analysis_crs == "EPSG:4547"
    for kind in (*w.layers, *w.tables):
        data = w.read(kind)
        assert data is not None and len(data) > 0, kind
        findings = validate(kind, data)
        problems = findings[findings["severity"].isin(["error", "warning"])]
        assert problems.empty, f"{kind}: {problems.to_dict('records')[:3]}"
    names = w.read("counties")["county"] if "counties" in w.layers else None
    if names is not None:
        assert set(names) == COUNTIES  # Chinese names round-trip


def test_readiness_mix(ws: Path) -> None:
    from layers.readiness import evaluate, inputs_from_workspace, load_rulebook
    from layers.workspace import Workspace

    w = Workspace.load(ws)
    rulebook = load_rulebook(w.rules_path)
    result = evaluate(inputs_from_workspace(w, rulebook=rulebook), rulebook, as_of=AS_OF)
    share = result.overall["readiness"].value_counts(normalize=True)
    for status in ("ready", "ready_with_commitments", "not_ready", "incomplete"):
        assert share.get(status, 0.0) >= 0.03, (status, share.to_dict())
    long = result.long
    required = {r.id for r in rulebook.rules if r.required}
    failing = long[(long["status"] == "fail") & long["rule_id"].isin(required)]
    # not_ready for many different reasons
    assert failing["rule_id"].nunique() >= 8, sorted(failing["rule_id"].unique())
    # the same, checked today: still all four (validity dates lie years ahead)
    later = evaluate(inputs_from_workspace(w, rulebook=rulebook), rulebook,
                     as_of=date(2028, 6, 30))
    assert set(later.overall["readiness"]) == set(result.overall["readiness"])


# ---------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_content(ws: Path, rebuilt: dict[str, object]) -> None:
    first = _snapshot(ws)
    for name, df in rebuilt["same"].items():  # type: ignore[union-attr]
        pd.testing.assert_frame_equal(df, first[name], obj=name)
    for rel, data in rebuilt["same_bytes"].items():  # type: ignore[union-attr]
        assert data == (ws / rel).read_bytes(), rel


@pytest.fixture(scope="module")
def other_seed() -> demo_mod.DemoData:
    return make_demo(demo_mod.load_counties(), parcels=20, seed=DEFAULT_SEED + 1)


def test_other_seed_gives_other_data(layers: dict[str, pd.DataFrame],
                                     other_seed: demo_mod.DemoData) -> None:
    other = other_seed
    p = other.layers["parcels"]
    assert len(p) == 20
    assert set(p["parcel_id"]) != set(layers["parcels"]["parcel_id"][:20])
    mine = layers["mines"]
    assert not np.array_equal(shapely.area(other.layers["mines"].geometry.array),
                              shapely.area(mine.geometry.array))
    assert other.rasters["dem"].array is not None


def test_more_parcels_change_only_the_parcels(ws: Path, rebuilt: dict[str, object],
                                              layers: dict[str, pd.DataFrame]) -> None:
    result = rebuilt["cli"]
    assert result.exit_code == 0, result.output  # type: ignore[union-attr]
    assert "built" in result.output  # type: ignore[union-attr]
    big: Path = rebuilt["big"]  # type: ignore[assignment]
    p = _read(big, "parcels")
    assert len(p) == 5000 and p["parcel_id"].is_unique
    tree = shapely.STRtree(p.geometry.array)
    left, right = tree.query(p.geometry.array, predicate="intersects")
    assert (left == right).all()
    # the zones' designed parcels are all still there, unchanged
    small = layers["parcels"].set_index("parcel_id")
    same = p.set_index("parcel_id").loc[small.index]
    assert shapely.equals(same.geometry.array, small.geometry.array).all()
    # every other layer, table and raster is identical
    first = _snapshot(ws)
    for name in (*VECTOR_LAYERS, *TABLES):
        if name == "parcels":
            continue
        df = pd.DataFrame(_read(big, name))
        if "geometry" in df:
            df["geometry"] = shapely.to_wkb(df["geometry"].array)
        pd.testing.assert_frame_equal(df, first[name], obj=name)
    for rel in RASTERS:
        assert (big / rel).read_bytes() == (ws / rel).read_bytes(), rel
    # the build replaced the previous demo atomically: no temporary folders remain
    root: Path = rebuilt["root"]  # type: ignore[assignment]
    assert sorted(x.name for x in root.iterdir()) == ["ws"]


# ---------------------------------------------------------------------------- safety


def test_refuses_a_foreign_folder(tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="not a demo workspace"):
        build_demo(foreign)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"
    afile = tmp_path / "file.txt"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="is a file"):
        build_demo(afile)
    result = CliRunner().invoke(_cli_app(), ["demo", "--out", str(foreign)])
    assert result.exit_code == 2
    assert "not a demo workspace" in result.output and "Traceback" not in result.output


def test_an_unreadable_rulebook_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "ws"
    with pytest.raises(InputError, match="Cannot read the rulebook") as err:
        build_demo(out, rules=tmp_path / "missing.toml")
    assert "missing.toml" in str(err.value) and "规则文件" in err.value.zh
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_default_rulebook_is_package_data() -> None:
    from layers.readiness import default_rulebook_path, load_rulebook

    path = default_rulebook_path()
    assert path == demo_mod.DEFAULT_RULES
    assert path.parent.parent == Path(demo_mod.__file__).resolve().parent.parent / "readiness"
    assert len(load_rulebook(path).rules) == 25


def test_cli_rejects_bad_parcel_count() -> None:
    result = CliRunner().invoke(_cli_app(), ["demo", "--parcels", "0"])
    assert result.exit_code == 2
    with pytest.raises(InputError, match="at least 1"):
        make_demo(demo_mod.load_counties(), parcels=0)


def test_cli_defaults_match_the_library() -> None:
    from cli.demo import demo as cmd

    params = inspect.signature(cmd).parameters
    assert params["parcels"].default.default == DEFAULT_PARCELS
    assert params["seed"].default.default == DEFAULT_SEED
    assert str(params["out"].default.default) == "data/demo"


def test_interrupted_build_leaves_the_old_workspace(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    other_seed: demo_mod.DemoData) -> None:
    out = tmp_path / "ws"
    out.mkdir()
    (out / demo_mod.MARKER).write_text("old demo\n", encoding="utf-8")
    (out / "workspace.toml").write_text('name = "old"\n', encoding="utf-8")

    def boom(*_args: object, **_kw: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(demo_build, "make_demo", lambda *a, **k: other_seed)
    monkeypatch.setattr(demo_build, "_write_raster", boom)
    with pytest.raises(OSError, match="disk full"):
        build_demo(out)
    assert (out / "workspace.toml").read_text(encoding="utf-8") == 'name = "old"\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]


@pytest.mark.slow
def test_demo_parquet_streams_parcels_into_compact_parts(tmp_path) -> None:
    import numpy as np

    from gis import io as gio
    from layers.demo import build_demo
    from layers.readiness.cluster import _compact
    from layers.workspace import Workspace

    out = tmp_path / "pq"
    build_demo(out, parcels=3_000, fmt="parquet")
    ws = Workspace.load(out)
    assert ws.layers["parcels"] == "parcels.parquet"
    parts = gio.dataset_parts(out / "parcels.parquet")
    assert len(parts) == 3  # the zones' parcels, then the basin's in batches of 2 000
    frames = [gio.read_vector(p).gdf for p in parts]
    assert sum(len(f) for f in frames) == 3_000
    parcels = ws.read("parcels")
    assert len(parcels) == 3_000 and parcels["parcel_id"].is_unique
    basin = np.array([f.total_bounds for f in frames[1:]])
    assert _compact(basin)  # each batch a compact area: the dask engine uses parts as they are
