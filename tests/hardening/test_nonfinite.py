"""Non-finite X/Y coordinates are refused in one sentence before GEOS sees them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gis.errors import GeometryError
from gis.io import read_vector, read_vector_isolated


def _polygon_file(path: Path, ring: list[list[float]]) -> Path:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 1},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"id": 2},
         "geometry": {"type": "Polygon", "coordinates": [[
             [113.2, 36.1], [113.3, 36.1], [113.3, 36.2], [113.2, 36.1]]]}}]}
    path.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("reader", [read_vector, read_vector_isolated])
def test_non_finite_xy_refused(tmp_path: Path, bad: float, reader) -> None:
    path = _polygon_file(tmp_path / "bad.geojson",
                         [[113.10, 36.19], [113.11, bad], [113.11, 36.19], [113.10, 36.19]])
    with pytest.raises(GeometryError) as info:
        reader(path, expect="polygon")
    text = str(info.value)
    assert text.startswith("bad.geojson: 1 feature(s) have coordinates that are not finite")
    assert "feature index 0" in text
    assert "不是有限数值" in info.value.text("zh")


def test_non_finite_z_is_harmless(tmp_path: Path) -> None:
    path = _polygon_file(tmp_path / "z.geojson", [[113.10, 36.19, float("nan")],
                                                  [113.11, 36.20, 5.0], [113.11, 36.19, 5.0],
                                                  [113.10, 36.19, float("nan")]])
    assert len(read_vector(path, expect="polygon").gdf) == 2


def test_csv_infinity_is_refused_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text("name,lon,lat\na,113.1,36.2\nb,113.2,-inf\nc,,\n", encoding="utf-8")
    with pytest.raises(GeometryError, match=r"pts\.csv: 1 feature\(s\) .* feature index 1"):
        read_vector(path)
