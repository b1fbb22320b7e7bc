"""Fixtures for the gis tests: tiny Changzhi layers with Chinese attributes, written to tmp_path."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely


@pytest.fixture
def parcels() -> gpd.GeoDataFrame:
    """Three small parcels near Changzhi (CGCS2000 lon/lat) with Chinese names."""
    boxes = [
        shapely.box(113.10, 36.19, 113.11, 36.20),
        shapely.box(113.12, 36.19, 113.13, 36.20),
        shapely.box(113.14, 36.21, 113.15, 36.22),
    ]
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["CZ-001", "CZ-002", "CZ-003"],
            "名称": ["长治高新区一号地块", "潞州区标准地", "壶关县（试点）"],
            "area_ha": [1.5, 2.25, 3.0],
        },
        geometry=boxes,
        crs="EPSG:4490",
    )


@pytest.fixture
def make_zip() -> Callable[..., Path]:
    """Zip the given files (optionally under a folder inside the archive)."""

    def _make(out: Path, files: list[Path], folder: str = "") -> Path:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f, f"{folder}{f.name}")
        return out

    return _make


def shapefile_parts(shp: Path) -> list[Path]:
    """All sidecar files of a shapefile."""
    return sorted(p for p in shp.parent.iterdir() if p.stem == shp.stem)


@pytest.fixture
def gbk_shapefile(tmp_path: Path, parcels: gpd.GeoDataFrame) -> Path:
    """A GBK-encoded shapefile with no .cpg and language-driver byte 0 (GDAL reads Latin-1)."""
    folder = tmp_path / "gbk"
    folder.mkdir()
    shp = folder / "parcels.shp"
    parcels.to_file(shp, encoding="GBK")
    (folder / "parcels.cpg").unlink()
    dbf = folder / "parcels.dbf"
    raw = bytearray(dbf.read_bytes())
    raw[29] = 0
    dbf.write_bytes(bytes(raw))
    return shp


@pytest.fixture
def shapefile_parts_of() -> Callable[[Path], list[Path]]:
    """Function listing a shapefile's sidecars."""
    return shapefile_parts
