"""GeoParquet files and dataset folders: read with the same checks as other formats."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis import io as gio
from gis.errors import InputError


def _frame(n: int, start: int = 0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"地块编号": [f"地块{i}" for i in range(start, start + n)]},
        geometry=[shapely.box(i * 10, 0, i * 10 + 5, 5) for i in range(start, start + n)],
        crs="EPSG:4547")


def test_dataset_folder_reads_every_part_in_order(tmp_path: Path) -> None:
    rows = gio.write_geoparquet_dataset((_frame(3, k * 3) for k in range(3)),
                                        tmp_path / "p.parquet")
    assert rows == 9
    assert [p.name for p in gio.dataset_parts(tmp_path / "p.parquet")] == [
        "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    res = gio.read_vector(tmp_path / "p.parquet", expect="polygon")
    assert list(res.gdf["地块编号"]) == [f"地块{i}" for i in range(9)]
    assert res.gdf.crs.to_epsg() == 4547


def test_parquet_goes_through_the_reader_checks(tmp_path: Path) -> None:
    gdf = _frame(3)
    gdf.loc[1, "geometry"] = shapely.Polygon([(0, 0), (5, 5), (5, 0), (0, 5)])  # bow-tie
    gdf.loc[2, "geometry"] = None
    gdf.to_parquet(tmp_path / "one.parquet")
    res = gio.read_vector(tmp_path / "one.parquet", expect="polygon")
    assert len(res.gdf) == 2 and res.gdf.geometry.is_valid.all()
    assert res.notes  # the repair and the dropped feature are reported


def test_empty_or_foreign_parquet_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty.parquet").mkdir()
    with pytest.raises(InputError, match=r"no \.parquet part"):
        gio.read_vector(tmp_path / "empty.parquet")
    (tmp_path / "x.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match="GeoParquet") as err:
        gio.read_vector(tmp_path / "x.parquet")
    assert err.value.zh


def test_rewriting_a_dataset_replaces_it_whole(tmp_path: Path) -> None:
    gio.write_geoparquet_dataset([_frame(2), _frame(2, 2)], tmp_path / "p.parquet")
    gio.write_geoparquet_dataset([_frame(1)], tmp_path / "p.parquet")
    assert len(gio.dataset_parts(tmp_path / "p.parquet")) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["p.parquet"]
