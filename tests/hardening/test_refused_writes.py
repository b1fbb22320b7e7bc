"""Writes the system or GDAL refuses: one clear error naming the file, nothing left behind."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.errors import InputError
from gis.io import write_table, write_vector


def _parcels() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": ["长治-1"], "名称": ["东区"]},
                            geometry=[shapely.box(0, 0, 10, 10)], crs=4547)


@pytest.mark.parametrize("name", ["r.gpkg", "r.geojson", "r.csv", "r.parquet"])
def test_a_folder_in_the_way_is_named_not_the_temporary_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    with pytest.raises(InputError) as err:
        write_vector(_parcels(), tmp_path / name)
    assert str(err.value).startswith(f"cannot write {tmp_path / name}: a folder of that name")
    assert "Choose another file name, or move the folder" in str(err.value)
    assert "无法写入" in err.value.text("zh")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_gdal_refusing_a_geopackage_is_an_error_naming_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyogrio.errors
    import pyogrio.raw

    def refuse(*args: object, **kwargs: object) -> None:
        Path(args[1]).write_bytes(b"half")  # type: ignore[arg-type]  # GDAL began the file
        raise pyogrio.errors.DataLayerError(
            "Error while writing batch to OGR layer: sqlite3_exec(COMMIT) failed: "
            "no such table: gpkg_contents")

    old = tmp_path / "r.gpkg"
    write_vector(_parcels(), old)
    before = old.read_bytes()
    monkeypatch.setattr(pyogrio.raw, "write_arrow", refuse)
    with pytest.raises(InputError, match=r"cannot write .*r\.gpkg: Error while writing batch"):
        write_vector(_parcels(), old)
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.gpkg"]


def test_a_full_disk_is_said_to_be_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if fd > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    n = 60_000  # a large table: written with os.write, around the page cache
    table = pd.DataFrame({"parcel_id": ["长治-1"] * n, "message": ["距道路不超过 50 米"] * n})
    with pytest.raises(InputError, match=r"cannot write .*out\.csv: the disk is full") as err:
        write_table(table, tmp_path / "out.csv")
    assert "磁盘已满" in err.value.text("zh") and "Free some disk space" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match=r"cannot write .*r\.csv: a file is in the way of its"):
        write_table(pd.DataFrame({"a": [1]}), blocker / "r.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_refusal_with_its_own_reason_is_not_put_down_to_a_full_disk() -> None:
    import shutil

    proc = Path("/proc")  # no free space, and no file may be made there, even by root
    if not proc.is_dir() or shutil.disk_usage(proc).free:
        pytest.skip("needs Linux's /proc")
    with pytest.raises(InputError) as err:
        write_table(pd.DataFrame({"a": [1]}), proc / "devzone-r.csv")
    assert str(err.value).startswith(f"cannot write {proc / 'devzone-r.csv'}: ")
    assert "disk is full" not in str(err.value)
