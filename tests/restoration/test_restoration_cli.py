"""`devzone restoration` and `devzone inspect` on a small workspace written to tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import typer

import cli.main as cli_main
from gis.raster import Raster, RasterSource
from layers.access import cli_actor
from layers.restoration import (
    RestorationInputs,
    evaluate,
    inputs_from_workspace,
    progress,
)
from layers.workspace import Workspace
from tests.restoration.restoration_helpers import GRID, grid_transform, make_history, make_sites


def _write_tif(path: Path, arr: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", driver="GTiff", width=GRID, height=GRID, count=1,
                       dtype="float32", crs="EPSG:4547", transform=grid_transform(),
                       nodata=-9999.0) as dst:
        dst.write(np.where(np.isnan(arr), -9999.0, arr).astype("float32"), 1)


@pytest.fixture
def ws_root(tmp_path: Path, rng: np.random.Generator) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    mines = make_sites([
        {"site_id": "CZ-001", "stage": "in_progress", "x": 1000, "y": 1000, "side": 200,
         "name": "西山石灰岩矿", "county": "平顺县", "target_date": "2025-03-31",
         "budget_wan": 120.0, "spent_wan": 80.0},
        {"site_id": "CZ-002", "stage": "accepted", "x": 3000, "y": 3000, "side": 150,
         "name": "北岭煤矸石山", "county": "壶关县"},
    ])
    mines.to_file(root / "layers.gpkg", layer="mines", driver="GPKG", engine="pyogrio")
    hist = make_history([("CZ-001", "2025-01-15", "in_progress", 1.0),
                         ("CZ-002", "2025-02-01", "accepted", 2.25)])
    pyogrio.write_dataframe(hist, root / "layers.gpkg", layer="inspections", driver="GPKG")
    a2020 = rng.uniform(0.05, 0.5, (GRID, GRID))
    a2025 = a2020 + 0.2
    a2025[:40, :40] = np.nan
    _write_tif(root / "rasters" / "ndvi_2020.tif", a2020)
    _write_tif(root / "rasters" / "ndvi_2025.tif", a2025)
    (root / "workspace.toml").write_text(
        'name = "长治测试"\ncrs = "EPSG:4547"\n[layers]\nmines = "layers.gpkg:mines"\n'
        '[tables]\ninspections = "layers.gpkg:inspections"\n'
        '[rasters.ndvi]\n"2020" = "rasters/ndvi_2020.tif"\n"2025" = "rasters/ndvi_2025.tif"\n',
        encoding="utf-8")
    return root


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``devzone`` with only this module's commands; return (code, stdout, stderr)."""
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    app.callback()(cli_main._root)
    monkeypatch.setattr(cli_main, "app", app)
    monkeypatch.setattr(cli_main, "COMMAND_MODULES", ("cli.restoration",))

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli_main.main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


def test_file_sources_read_the_same_values_as_arrays(ws_root: Path) -> None:
    ws = Workspace.load(ws_root)
    inputs = inputs_from_workspace(ws)
    from_files = progress(inputs, as_of="2025-06-01").sites
    arrays = {}
    for epoch, path in ws.ndvi_paths().items():
        with rasterio.open(path) as src:
            arrays[epoch] = RasterSource.from_array(Raster(
                src.read(1, masked=True).astype("float64").filled(np.nan), src.transform,
                "EPSG:4547"))
    in_memory = progress(RestorationInputs(mines=inputs.mines, inspections=inputs.inspections,
                                           ndvi=arrays), as_of="2025-06-01").sites
    cols = ["ndvi_2020", "ndvi_2025", "ndvi_change", "ref_ndvi", "veg_cover_pct"]
    pd.testing.assert_frame_equal(pd.DataFrame(from_files[cols]), pd.DataFrame(in_memory[cols]))
    assert from_files["ndvi_change"].gt(0.19).all()
    notes = evaluate(inputs, as_of="2025-06-01").notes
    assert any("no tourism_road layer" in n.message_en for n in notes)
    assert any("no towns or counties layer" in n.message_en for n in notes)


def test_restoration_writes_csv_with_the_contract_columns(ws_root: Path, tmp_path: Path,
                                                          run) -> None:
    out = tmp_path / "out" / "restoration.csv"
    out.parent.mkdir()
    code, stdout, _ = run("restoration", ws_root, "--as-of", "2025-06-01", "--out", out)
    assert code == 0, stdout
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # utf-8-sig for Excel
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns[:8]) == ["site_id", "stage", "progress_pct", "days_overdue",
                                       "ndvi_2020", "ndvi_2025", "ndvi_change", "flags"]
    row = table.set_index("site_id").loc["CZ-001"]
    assert row["days_overdue"] == 62 and row["flags"] == "overdue"
    assert row["progress_pct"] == 25.0 and row["name"] == "西山石灰岩矿"
    assert row["target_date"] == "2025-03-31"
    assert {"priority_rank", "priority_reasons_zh", "lon", "lat"} <= set(table.columns)
    assert "City KPIs" in stdout and "全市指标" in stdout and "平顺县" in stdout


def test_restoration_writes_geojson_with_the_same_properties(ws_root: Path, tmp_path: Path,
                                                             run) -> None:
    out = tmp_path / "restoration.geojson"
    code, _, _ = run("restoration", ws_root, "--as-of", "2025-06-01", "--out", out)
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    props = doc["features"][0]["properties"]
    assert list(props)[:8] == ["site_id", "stage", "progress_pct", "days_overdue",
                               "ndvi_2020", "ndvi_2025", "ndvi_change", "flags"]
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 100 < lon < 130 and 20 < lat < 50  # RFC 7946: WGS84 longitude/latitude
    assert {f["properties"]["name"] for f in doc["features"]} == {"西山石灰岩矿", "北岭煤矸石山"}


def test_inspect_appends_and_restoration_sees_it(ws_root: Path, run) -> None:
    code, stdout, err = run("inspect", ws_root, "CZ-001", "--date", "2025-05-30", "--stage",
                            "已完工", "--restored-ha", "4", "--veg-cover", "35", "--note",
                            "完工")
    assert code == 0, err
    assert "completed (已完工)" in stdout
    table = Workspace.load(ws_root).read("inspections")
    assert len(table) == 3 and table.iloc[-1]["recorded_by"] == cli_actor().name
    code, stdout, _ = run("restoration", ws_root, "--as-of", "2025-06-01")
    assert code == 0


@pytest.mark.parametrize(("args", "needle"), [
    (("inspect", "{ws}", "CZ-001", "--date", "2025-05-30", "--stage", "approved"),
     "needs the reason in the note"),
    (("inspect", "{ws}", "CZ-001", "--date", "2999-01-01", "--stage", "in_progress"),
     "in the future"),
    (("inspect", "{ws}", "CZ-009", "--date", "2025-05-30", "--stage", "in_progress"),
     "'CZ-009' is not in the mines layer"),
    (("inspect", "{ws}", "CZ-001", "--date", "30/05/2025", "--stage", "in_progress"),
     "--date '30/05/2025' is not a date"),
    (("restoration", "{ws}", "--as-of", "tomorrow"), "--as-of 'tomorrow' is not a date"),
    (("restoration", "{ws}", "--out", "{ws}/x.txt"), "unknown format '.txt'"),
    (("restoration", "{ws}", "--ring-inner", "600"), "Reference ring 600–500 m is not a band"),
])
def test_errors_are_one_sentence_and_exit_2(ws_root: Path, run, args: tuple[str, ...],
                                            needle: str) -> None:
    before = Workspace.load(ws_root).read("inspections")
    code, _, err = run(*[a.format(ws=ws_root) for a in args])
    assert code == 2
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert len(Workspace.load(ws_root).read("inspections")) == len(before)


def test_restoration_writes_a_geopackage(ws_root: Path, tmp_path: Path, run) -> None:
    out = tmp_path / "restoration.gpkg"
    code, _, _ = run("restoration", ws_root, "--as-of", "2025-06-01", "--out", out)
    assert code == 0
    back = pyogrio.read_dataframe(out, layer="restoration")
    assert list(back.columns[:4]) == ["site_id", "stage", "progress_pct", "days_overdue"]
    assert set(back["name"]) == {"西山石灰岩矿", "北岭煤矸石山"}
    assert back.crs.to_epsg() == 4547


def test_missing_inputs_are_noted_in_both_languages(ws_root: Path, run) -> None:
    (ws_root / "workspace.toml").write_text(
        'name = "只有图斑"\ncrs = "EPSG:4547"\n[layers]\nmines = "layers.gpkg:mines"\n',
        encoding="utf-8")
    notes = inputs_from_workspace(Workspace.load(ws_root)).notes
    by_code = {n.code: n for n in notes}
    assert set(by_code) == {"no_inspections", "no_ndvi"}
    assert by_code["no_inspections"].message("zh") == "无巡查记录表：阶段与修复面积取自矿山图斑属性"
    assert by_code["no_ndvi"].message("zh").startswith("无 NDVI 栅格")
    assert by_code["no_ndvi"].message("en") == "no NDVI rasters: vegetation columns are empty"
    code, _, stderr = run("restoration", ws_root, "--as-of", "2025-06-01", "--lang", "en")
    assert code == 0
    assert "note: no inspections table: stages and restored areas come from the mines layer" \
        in stderr
    assert "note: no tourism_road layer" in stderr and "无巡查记录表" not in stderr


def test_restoration_prints_notes_and_reasons_in_the_chosen_language(ws_root: Path,
                                                                     run) -> None:
    (ws_root / "workspace.toml").write_text(
        'name = "只有图斑"\ncrs = "EPSG:4547"\n[layers]\nmines = "layers.gpkg:mines"\n',
        encoding="utf-8")
    code, stdout, stderr = run("restoration", ws_root, "--as-of", "2025-06-01")
    assert code == 0
    assert "说明：无巡查记录表：阶段与修复面积取自矿山图斑属性" in stderr
    assert "note:" not in stderr
    assert "修复进展，截至 2025-06-01" in stdout and "全市指标 City KPIs" in stdout
    code, _, stderr = run("restoration", ws_root, "--lang", "fr")
    assert code == 2 and "--lang 'fr'" in stderr
