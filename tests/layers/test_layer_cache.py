"""Converted copies of big layers (layers.layer_cache): exact reloads, keys that follow
the files, and a cache that can be damaged or refused without changing a result."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from gis import io as gio
from layers import layer_cache
from layers.workspace import CACHE_DIR, Workspace

MANIFEST = """name = "缓存测试"
crs = "EPSG:4547"

[layers]
parcels = "地块.geojson"
roads = "shp/道路.shp"
"""


def _parcels(n: int, *, name: str = "工业用地") -> gpd.GeoDataFrame:
    x0, y0 = 113.05, 36.18  # Changzhi, in CGCS2000 degrees
    geoms = [shapely.box(x0 + i * 1e-3, y0, x0 + i * 1e-3 + 5e-4, y0 + 5e-4) for i in range(n)]
    geoms[1] = None  # left out by the reader, with a note
    return gpd.GeoDataFrame({"parcel_id": [f"GX-{i:03d}" for i in range(n)],
                             "name": [f"{name}{i}号" for i in range(n)],
                             "地块备注": ["一期"] * n,
                             "登记日期": ["2024-05-01"] * n}, geometry=geoms, crs="EPSG:4490")


def _roads() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"road_id": ["R1"], "name": ["太行大道"]},
                            geometry=[shapely.LineString([(113.0, 36.17), (113.1, 36.19)])],
                            crs="EPSG:4490")


def _age(*paths: Path) -> None:
    """Wait until the files have been left unchanged for ``SETTLE_S``."""
    newest = max(max(p.stat().st_mtime, p.stat().st_ctime) for p in paths)
    time.sleep(max(0.0, newest + layer_cache.SETTLE_S + 0.05 - time.time()))


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(layer_cache, "SETTLE_S", 0.2)
    (tmp_path / "workspace.toml").write_text(MANIFEST, encoding="utf-8")
    _parcels(6).to_file(tmp_path / "地块.geojson", driver="GeoJSON")
    (tmp_path / "shp").mkdir()
    _roads().to_file(tmp_path / "shp" / "道路.shp", encoding="GBK")
    _age(tmp_path / "地块.geojson", *gio.shapefile_parts(tmp_path / "shp" / "道路.shp"))
    return tmp_path


def _copies(root: Path, kind: str = "parcels") -> list[Path]:
    return sorted((root / CACHE_DIR).glob(f"layer.{kind}-*.parquet"))


def _no_source_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("the source was read")

    monkeypatch.setattr(gio, "read_vector", refuse)


def test_a_second_process_reads_the_copy_exactly(root: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    first = Workspace.load(root)
    fresh = first.read("parcels")
    notes = first.dropped("parcels")
    assert [n.code for n in notes] == ["null_geometry_dropped"]
    assert len(_copies(root)) == 1
    _no_source_reads(monkeypatch)
    again = Workspace.load(root)
    back = again.read("parcels")
    assert_geodataframe_equal(back, fresh)
    assert back.crs.equals("EPSG:4547") and back.crs == fresh.crs
    assert back["地块备注"].tolist() == ["一期"] * 5
    assert back["name"].iloc[0] == "工业用地0号"
    assert back["登记日期"].iloc[0] == date(2024, 5, 1)  # a GDAL Date field
    assert again.dropped("parcels") == notes
    assert not back.attrs
    back.loc[back.index[0], "name"] = "改动"  # a copy: the next read is unchanged
    assert again.read("parcels")["name"].iloc[0] == "工业用地0号"


def test_a_small_shapefile_layer_is_copied_too(root: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Workspace.load(root).read("roads")
    assert len(fresh) == 1 and len(_copies(root, "roads")) == 1
    _no_source_reads(monkeypatch)
    assert_geodataframe_equal(Workspace.load(root).read("roads"), fresh)


def test_only_columns_parquet_gives_back_exactly_are_stored() -> None:
    base = gpd.GeoDataFrame(
        {"n": pd.array([1, None], dtype="Int64"), "x": [1.5, np.nan],
         "s": pd.array(["甲", None], dtype="string"), "c": pd.Categorical(["a", "b"]),
         "b": pd.array([True, None], dtype="boolean"),
         "t": pd.to_datetime(["2024-05-01", None]),
         "tz": pd.to_datetime(["2024-05-01", None]).tz_localize("Asia/Shanghai"),
         "d": pd.Series([date(2024, 5, 1), None], dtype=object)},
        geometry=[shapely.Point(0, 0), None], crs="EPSG:4547")
    assert layer_cache.storable(base)
    back, notes = layer_cache.from_bytes(layer_cache.to_bytes(base, []), "EPSG:4547")
    assert_geodataframe_equal(back, base)
    assert notes == []
    mixed = base.assign(m=pd.Series([1, "二"], dtype=object))
    assert not layer_cache.storable(mixed)


def test_a_changed_file_is_read_again(root: Path) -> None:
    Workspace.load(root).read("parcels")
    path = root / "地块.geojson"
    size = path.stat().st_size
    path.write_text(path.read_text(encoding="utf-8").replace("工业用地", "仓储用地"),
                    encoding="utf-8")
    assert path.stat().st_size == size  # the same size: the key sees the change anyway
    _age(path)
    back = Workspace.load(root).read("parcels")
    assert back["name"].iloc[0] == "仓储用地0号"
    assert len(_copies(root)) == 2  # the old copy is kept (KEEP), the new one is used


def test_a_file_changed_just_now_is_neither_looked_up_nor_stored(root: Path) -> None:
    path = root / "地块.geojson"
    st = path.stat()
    recent = max(st.st_mtime, st.st_ctime) + layer_cache.SETTLE_S / 2
    assert layer_cache.layer_key(path, None, "EPSG:4547", now=recent) is None
    assert layer_cache.layer_key(path, None, "EPSG:4547") is not None
    os.utime(path)  # touched: too recent again
    Workspace.load(root).read("parcels")
    assert _copies(root) == []


def test_the_key_follows_crs_layer_and_every_shapefile_part(root: Path) -> None:
    path = root / "shp" / "道路.shp"
    key = layer_cache.layer_key(path, None, "EPSG:4547")
    assert key is not None
    assert layer_cache.layer_key(path, None, "EPSG:4546") != key
    assert layer_cache.layer_key(path, "roads", "EPSG:4547") != key
    dbf = path.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes())  # rewritten in place: new times, same bytes
    _age(dbf)
    assert layer_cache.layer_key(path, None, "EPSG:4547") not in (None, key)


def test_another_analysis_crs_reads_the_source(root: Path) -> None:
    Workspace.load(root).read("parcels")
    ws = Workspace.load(root)
    ws.crs = "EPSG:4546"
    back = ws.read("parcels")
    assert back.crs.equals("EPSG:4546")
    assert len(_copies(root)) == 2


def test_a_damaged_copy_is_ignored_and_replaced(root: Path) -> None:
    fresh = Workspace.load(root).read("parcels")
    [copy] = _copies(root)
    data = copy.read_bytes()
    flipped = bytearray(data)
    flipped[data.index(b"GX-000") + 3] ^= 0x01  # a bit flip inside a page: its CRC fails
    assert layer_cache.from_bytes(bytes(flipped), "EPSG:4547") is None
    copy.write_bytes(data[:100])
    assert_geodataframe_equal(Workspace.load(root).read("parcels"), fresh)
    assert layer_cache.from_bytes(copy.read_bytes(), "EPSG:4547") is not None


def test_a_cache_that_cannot_be_written_changes_nothing(root: Path) -> None:
    (root / ".devzone").mkdir()
    (root / CACHE_DIR).write_text("not a folder")  # a file in the way of the cache folder
    ws = Workspace.load(root)
    first = ws.read("parcels")
    assert_geodataframe_equal(Workspace.load(root).read("parcels"), first)


def test_a_geopackage_with_pending_changes_is_not_keyed(tmp_path: Path) -> None:
    path = tmp_path / "layers.gpkg"
    _roads().to_file(path, layer="roads")
    assert layer_cache.layer_key(path, "roads", "EPSG:4547", now=time.time() + 10)
    (tmp_path / "layers.gpkg-wal").write_bytes(b"\0" * 32)
    assert layer_cache.layer_key(path, "roads", "EPSG:4547", now=time.time() + 10) is None
