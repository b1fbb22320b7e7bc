"""Content digests: by content, not by name or time; one layer of a GeoPackage on its own."""

from __future__ import annotations

import os
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis import digest
from gis.digest import file_digest, layer_digest, memo, remember, text_digest


def _layer(names: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": names},
                            geometry=[shapely.Point(i, i) for i in range(len(names))],
                            crs="EPSG:4547")


def test_a_file_digest_follows_its_bytes_not_its_name_or_time(tmp_path: Path) -> None:
    a, b = tmp_path / "规则.toml", tmp_path / "copy.toml"
    a.write_text("x = 1\n", encoding="utf-8")
    b.write_text("x = 1\n", encoding="utf-8")
    assert file_digest(a) == file_digest(b)
    os.utime(b, ns=(1, 1))
    assert file_digest(b) == file_digest(a)
    b.write_text("x = 2\n", encoding="utf-8")
    assert file_digest(b) != file_digest(a)  # size and time changed: not the remembered one
    assert text_digest("规则 = 1") == text_digest("规则 = 1") != text_digest("规则 = 2")


def test_a_layer_digest_ignores_the_other_layers_of_the_file(tmp_path: Path) -> None:
    gpkg = tmp_path / "layers.gpkg"
    _layer(["道路一", "道路二"]).to_file(gpkg, layer="roads")
    _layer(["矿山"]).to_file(gpkg, layer="mines")
    roads, mines = layer_digest(gpkg, "roads"), layer_digest(gpkg, "mines")
    assert roads != mines
    _layer(["道路一"]).to_file(gpkg, layer="roads", mode="w")
    assert layer_digest(gpkg, "mines") == mines
    assert layer_digest(gpkg, "roads") != roads


def test_a_folder_is_digested_by_its_files(tmp_path: Path) -> None:
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "part-0.parquet").write_bytes(b"abc")
    first = file_digest(tmp_path / "ds")
    (tmp_path / "ds" / "part-1.parquet").write_bytes(b"def")
    assert file_digest(tmp_path / "ds") != first


def test_digests_of_an_earlier_process_are_taken_only_for_unchanged_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = tmp_path / "规则.toml"
    a.write_text("x = 1\n", encoding="utf-8")
    real = file_digest(a)
    (key, value), = ((k, v) for k, v in memo().items() if k[0] == str(a.resolve()))
    assert value == real
    stored = {key: "f" * 40}  # a digest no file has: shows whether the stored one is used
    monkeypatch.setattr(digest, "_MEMO", {})  # a new process
    assert remember(stored) == 1 and file_digest(a) == "f" * 40

    time.sleep(0.05)
    os.utime(a, ns=(key[3], key[3]))  # the same size and mtime, but touched: a new ctime
    monkeypatch.setattr(digest, "_MEMO", {})
    assert remember(stored) == 0 and file_digest(a) == real
    a.unlink()
    assert remember(stored) == 0 and memo() == {}
