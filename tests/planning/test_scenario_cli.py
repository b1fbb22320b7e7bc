"""`devzone scenario` and `devzone check --build` on the demo; saved scenarios; validation."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cli.main import main
from gis.errors import AccessError
from layers.access import Actor, Role
from layers.planning.saved import save_scenario, saved_scenarios
from layers.planning.scenario import Scenario
from layers.validate import project_findings, validate
from layers.workspace import Workspace


def test_scenario_lists_changed_parcels_and_writes_csv(demo_ws: Path, tmp_path: Path,
                                                       capsys) -> None:
    out = tmp_path / "变化.csv"
    assert main(["scenario", str(demo_ws), "--build", "LZ-WS-01", "--out", str(out),
                 "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "become ready" in text and "3,800" in text
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns) == ["parcel_id", "before", "after", "area_ha", "unlocked_by"]
    assert len(table) >= 3 and set(table["unlocked_by"]) == {"LZ-WS-01"}
    assert (table["before"] != table["after"]).all()


def test_demo_road_project_unlocks_parcels_alone(demo_ws: Path, tmp_path: Path) -> None:
    """GX-RD-01 builds its roads and the supply pipe laid along them: road+water parcels."""
    out = tmp_path / "rank.csv"
    assert main(["plan", str(demo_ws), "--rank", "--out", str(out)]) == 0
    rank = pd.read_csv(out, encoding="utf-8-sig").set_index("project_id")
    assert rank.loc["GX-RD-01", "parcels"] >= 2 and rank.loc["LZ-WS-01", "parcels"] >= 2
    water = gpd.read_file(demo_ws / "layers.gpkg", layer="water")
    pipe = water[water["name"].str.startswith("高新区扩展区道路配套给水管")]
    assert len(pipe) and set(pipe["status"]) == {"planned"}
    assert set(pipe["project_id"]) == {"GX-RD-01"}
    roads = gpd.read_file(demo_ws / "layers.gpkg", layer="roads")
    gx_roads = shapely.union_all(roads.geometry[roads["project_id"] == "GX-RD-01"].array)
    assert (shapely.distance(pipe.geometry.array, gx_roads) < 10.0).all()
    cons = gpd.read_file(demo_ws / "layers.gpkg", layer="constraints")
    red = shapely.union_all(cons.geometry[cons["kind"] == "ecological_redline"].array)
    assert not pipe.intersects(red).any()


def test_check_build_names_the_project_in_messages(demo_ws: Path, tmp_path: Path,
                                                   capsys) -> None:
    base, built = tmp_path / "base.csv", tmp_path / "built.csv"
    assert main(["check", str(demo_ws), "--out", str(base)]) == 0
    assert main(["check", str(demo_ws), "--build", "LZ-WS-01", "--out", str(built)]) == 0
    assert "LZ-WS-01" in capsys.readouterr().out
    a = pd.read_csv(base, encoding="utf-8-sig")
    b = pd.read_csv(built, encoding="utf-8-sig")
    assert list(a.columns) == list(b.columns)
    via = b["message"].str.contains("经规划项目 LZ-WS-01", regex=False)
    assert via.any() and not a["message"].str.contains("经规划项目", regex=False).any()
    assert (b.loc[via, "status"] == "pass").all()
    assert (a.loc[via, "status"] == "fail").any()


def test_unknown_project_and_conflicting_options_are_one_sentence(demo_ws: Path,
                                                                  capsys) -> None:
    assert main(["scenario", str(demo_ws), "--build", "NOPE"]) == 2
    err = capsys.readouterr().err
    assert "Unknown project 'NOPE'" in err and "LZ-WS-01" in err and "Traceback" not in err
    assert main(["check", str(demo_ws), "--build", "LZ-WS-01", "--assume-planned"]) == 2
    assert "cannot be combined" in capsys.readouterr().err


def test_save_use_and_compare_scenarios(demo_ws_copy: Path, capsys) -> None:
    ws = str(demo_ws_copy)
    assert main(["scenario", ws, "--save", "供水", "--build", "LZ-WS-01"]) == 0
    assert main(["scenario", ws, "--save", "高新区", "--build", "LZ-WS-01,GX-RD-01,GX-PW-01",
                 "--note", "三项同建"]) == 0
    saved = saved_scenarios(Workspace.load(demo_ws_copy))
    assert saved["高新区"].build == {"LZ-WS-01", "GX-RD-01", "GX-PW-01"}
    capsys.readouterr()
    assert main(["scenario", ws, "--name", "供水", "--lang", "en"]) == 0
    assert "scenario 供水" in capsys.readouterr().out
    assert main(["scenario", ws, "--compare", "供水,高新区"]) == 0
    text = capsys.readouterr().out
    lines = {ln.split()[0]: ln.split()[1:] for ln in text.splitlines()[1:] if ln.strip()}
    base, water, zone = (float(v) for v in lines["ready_parcels"])
    assert base < water < zone
    assert [float(v) for v in lines["cost_wan"]] == [0.0, 3800.0, 3800.0 + 4200.0 + 9600.0]
    assert main(["history", ws]) == 0
    assert "scenario" in capsys.readouterr().out  # audited like other writes


def test_viewers_cannot_save(demo_ws_copy: Path) -> None:
    ws = Workspace.load(demo_ws_copy)
    with pytest.raises(AccessError):
        save_scenario(ws, Actor("guest", Role.viewer), "x", Scenario.of(["LZ-WS-01"]))


def test_validation_of_projects_and_planned_features() -> None:
    water = pd.DataFrame({"kind": ["main", "main", "main"],
                          "status": ["planned", "under_construction", "existing"],
                          "project_id": ["W1", "W9", None],
                          "planned_date": [pd.Timestamp("2026-01-01"), pd.NaT, pd.NaT],
                          "geometry": [shapely.LineString([(0, 0), (1, 1)])] * 3})
    found = validate("water", gpd.GeoDataFrame(water, crs="EPSG:4547"))
    missing = found[found["column"] == "planned_date"]
    assert len(missing) == 1 and missing["severity"].iloc[0] == "warning"
    refs = project_findings("water", water, ["W1"])
    assert refs["problem_en"].tolist() == ["project 'W9' does not exist in the projects table"]
    projects = pd.DataFrame({"project_id": ["A", "A", "B"], "cost_wan": [1.0, 2.0, -3.0]})
    found = validate("projects", projects)
    assert set(found["column"]) == {"project_id", "cost_wan"}
    assert (found["severity"] == "error").all()


def test_scenario_report_in_both_languages(demo_ws: Path) -> None:
    from layers.planning.outcome import run_scenario
    from layers.readiness import inputs_from_workspace, rulebook_in_force
    from layers.reports import build_scenario_report

    ws = Workspace.load(demo_ws)
    rb = rulebook_in_force(ws, None)
    run = run_scenario(inputs_from_workspace(ws, rulebook=rb), rb, Scenario.of(["LZ-WS-01"]),
                       as_of=ws.as_of, projects=ws.read("projects"))
    zh = build_scenario_report(ws, run, lang="zh")
    en = build_scenario_report(ws, run, lang="en")
    assert "规划情景报告" in zh.html and "潞州区小水网高新区扩展区供水管网" in zh.html
    assert "Scenario report" in en.html and "Parcels whose readiness changes" in en.html
    for pid in run.changes["parcel_id"]:
        assert pid in zh.html and pid in en.html
    assert "http://" not in zh.html and "https://" not in zh.html
