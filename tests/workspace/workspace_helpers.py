"""Helpers: a small workspace with Chinese names (parcels, mines, inspections, rules)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import box

CRS = "EPSG:4547"
X0, Y0 = 500_000.0, 4_000_000.0
REPO = Path(__file__).resolve().parents[2]


def parcels(ids: list[str], *, x0: float = X0) -> gpd.GeoDataFrame:
    """Parcels 100 m × 100 m in a row, with a Chinese name and an extra Chinese column."""
    geoms = [box(x0 + i * 200, Y0, x0 + i * 200 + 100, Y0 + 100) for i in range(len(ids))]
    return gpd.GeoDataFrame({"parcel_id": ids, "name": [f"地块{i}" for i in ids],
                             "area_ha": [1.0] * len(ids),
                             "权属单位": ["长治市自然资源局"] * len(ids)},
                            geometry=geoms, crs=CRS)


def mines(n: int) -> gpd.GeoDataFrame:
    """Sites K1…Kn, 200 m × 200 m (4 ha), stage approved."""
    geoms = [box(X0 + 1000 * i, Y0 + 5000, X0 + 1000 * i + 200, Y0 + 5200) for i in range(n)]
    return gpd.GeoDataFrame({"site_id": [f"K{i + 1}" for i in range(n)],
                             "stage": ["approved"] * n,
                             "name": [f"东山{i + 1}号矿" for i in range(n)]},
                            geometry=geoms, crs=CRS)


def history(*, veg: bool = True) -> pd.DataFrame:
    """Two inspections of K1; without ``veg_cover_pct``, ``note`` and ``recorded_by`` if not veg."""
    days = pd.to_datetime(["2025-01-10", "2025-03-01"]).astype("datetime64[ms]")
    df = pd.DataFrame({"site_id": ["K1", "K1"], "date": days,
                       "stage": ["approved", "in_progress"], "restored_area_ha": [0.0, 1.0],
                       "veg_cover_pct": [5.0, 12.0], "note": ["立项", None],
                       "recorded_by": ["县局", "县局"]})
    return df if veg else df.drop(columns=["veg_cover_pct", "note", "recorded_by"])


def build(root: Path, *, n_sites: int = 5, veg: bool = True) -> Path:
    """Write the workspace into ``root`` and return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    gpkg = root / "layers.gpkg"
    parcels(["P1", "P2"]).to_file(gpkg, layer="parcels", driver="GPKG", engine="pyogrio")
    mines(n_sites).to_file(gpkg, layer="mines", driver="GPKG", engine="pyogrio")
    pyogrio.write_dataframe(history(veg=veg), gpkg, layer="inspections", driver="GPKG")
    (root / "rules.toml").write_text(
        '[meta]\nname = "测试规则"\nversion = "1"\n\n[[rule]]\nid = "road"\nkind = "distance"\n'
        'label = { zh = "通路", en = "Road access" }\nlayer = "roads"\nmax_m = 50.0\n',
        encoding="utf-8")
    (root / "workspace.toml").write_text(
        'name = "测试工作区"\ncrs = "EPSG:4547"\n[layers]\nparcels = "layers.gpkg:parcels"\n'
        'mines = "layers.gpkg:mines"\n[tables]\ninspections = "layers.gpkg:inspections"\n'
        '[rules]\nfile = "rules.toml"\n', encoding="utf-8")
    return root


def digest(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (recursively), except the lock file and the
    cache.

    The lock file only says who last held the lock, the cache holds derived data (a
    read may store a converted copy of a layer there); everything else (data,
    manifest, rulebook, audit table, kept versions) must be byte-identical.
    """
    return {rel: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and (rel := p.relative_to(root).as_posix()) != ".devzone/lock"
            and not rel.startswith(".devzone/cache/")}

