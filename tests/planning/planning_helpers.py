"""Hand-made planning cases: a few parcels, planned projects and assessments in metres."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import Rulebook, load_rulebook

CRS = "EPSG:4547"
X0, Y0 = 500_000.0, 4_000_000.0

_HEAD = '[meta]\nname = "t"\nversion = "1"\n'
WATER = ('[[rule]]\nid = "water"\nkind = "distance"\nlabel = { zh = "通水", en = "Water" }\n'
         'layer = "water"\nfilter = { status = "existing" }\nmax_m = 100.0\n'
         'cost_per_m = 1500.0\n')
ROAD = ('[[rule]]\nid = "road"\nkind = "distance"\nlabel = { zh = "通路", en = "Road" }\n'
        'layer = "roads"\nfilter = { status = "existing" }\nmax_m = 50.0\n')
IN_ZONE = ('[[rule]]\nid = "in_zone"\nkind = "within"\nlabel = { zh = "位于开发区内", '
           'en = "In a zone" }\nlayer = "zones"\nmin_fraction = 0.95\n')
EIA = ('[[rule]]\nid = "eia"\nkind = "assessment"\nlabel = { zh = "环评", en = "EIA" }\n'
       'assessment = "eia"\ncommitment_allowed = true\n')


def rulebook(*parts: str) -> Rulebook:
    return load_rulebook(_HEAD + "".join(parts))


def gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


def works_case() -> tuple[ReadinessInputs, pd.DataFrame]:
    """A and B lack water (one planned main W1 serves both, extensions priced); C is outside
    the zone; D lacks a road (no price: only the planned road R1 closes it)."""
    parcels = gdf([{"parcel_id": p} for p in "ABCD"], [
        shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100),
        shapely.box(2000, 0, 2100, 100), shapely.box(600, 300, 700, 390)])
    zones = gdf([{"zone_id": "Z1", "name": "一区"}], [shapely.box(-1000, -1000, 1000, 1000)])
    water = gdf([{"kind": "main", "status": "existing", "project_id": None},
                 {"kind": "main", "status": "planned", "project_id": "W1"}],
                [shapely.LineString([(-100, 400), (3000, 400)]),
                 shapely.LineString([(0, -30), (300, -30)])])
    roads = gdf([{"status": "existing", "project_id": None},
                 {"status": "planned", "project_id": "R1"}],
                [shapely.LineString([(-100, -10), (350, -10)]),
                 shapely.LineString([(600, 395), (700, 395)])])
    projects = pd.DataFrame({"project_id": ["W1", "R1"], "name": ["供水干管", "规划道路"],
                             "kind": ["water", "road"], "cost_wan": [50.0, 80.0],
                             "planned_date": ["2026-03-01", "2026-09-01"],
                             "funded": [True, False]})
    inputs = ReadinessInputs(parcels=parcels, layers={"zones": zones, "water": water,
                                                      "roads": roads})
    return inputs, projects


def write_workspace(root: Path) -> Path:
    """:func:`works_case` on disk (moved to Gauss–Krüger coordinates), with Z1's EIA
    lapsing on 2026-05-15 and ``as_of = 2025-06-30``."""
    import pyogrio

    inputs, projects = works_case()
    root.mkdir(parents=True, exist_ok=True)
    gpkg = root / "layers.gpkg"
    for kind, layer in {"parcels": inputs.parcels, **inputs.layers}.items():
        moved = layer.copy()
        moved.geometry = moved.geometry.translate(X0, Y0)
        moved.to_file(gpkg, layer=kind, driver="GPKG", engine="pyogrio")
    pyogrio.write_dataframe(projects, gpkg, layer="projects", driver="GPKG")
    pyogrio.write_dataframe(pd.DataFrame({
        "scope": ["zone"], "scope_id": ["Z1"], "kind": ["eia"], "status": ["approved"],
        "valid_until": ["2026-05-15"]}), gpkg, layer="assessments", driver="GPKG")
    (root / "rules.toml").write_text(_HEAD + WATER + ROAD + IN_ZONE + EIA, encoding="utf-8")
    (root / "workspace.toml").write_text(
        'name = "规划测试"\ncrs = "EPSG:4547"\nas_of = 2025-06-30\n[layers]\n'
        + "".join(f'{k} = "layers.gpkg:{k}"\n' for k in ("parcels", "zones", "water", "roads"))
        + '[tables]\nprojects = "layers.gpkg:projects"\n'
        'assessments = "layers.gpkg:assessments"\n[rules]\nfile = "rules.toml"\n',
        encoding="utf-8")
    return root
