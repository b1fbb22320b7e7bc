"""Writing a readiness result by suffix: the long table as CSV or Parquet, the parcels as
GeoPackage, GeoJSON or GeoParquet."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gis._write import _formula_safe_frame
from gis.errors import InputError
from layers.demo import AS_OF
from layers.readiness import LONG_COLUMNS, evaluate, inputs_from_workspace, load_rulebook
from layers.readiness.export import write_long, write_result
from layers.workspace import Workspace


@pytest.fixture(scope="module")
def result(demo_ws: Path):
    ws = Workspace.load(demo_ws)
    rb = load_rulebook(ws.rules_path)
    return evaluate(inputs_from_workspace(ws, rulebook=rb), rb, as_of=AS_OF)


def test_csv_is_what_the_pandas_writer_wrote(result, tmp_path: Path) -> None:
    """Same bytes as the former writer (pandas to_csv of the formula-escaped table)."""
    out = write_result(result, tmp_path / "结果.csv")
    buf = io.BytesIO()
    _formula_safe_frame(result.long).to_csv(buf, index=False, encoding="utf-8-sig")
    assert out.read_bytes() == buf.getvalue()
    assert out.read_bytes().startswith("\ufeffparcel_id,rule_id,".encode())


def test_parquet_long_table_round_trips_with_messages_as_a_dictionary(result,
                                                                      tmp_path: Path) -> None:
    out = write_result(result, tmp_path / "结果.parquet")
    schema = pq.read_schema(out)
    assert schema.names == LONG_COLUMNS
    for col in ("rule_id", "status", "message", "message_en"):
        assert pa.types.is_dictionary(schema.field(col).type), col
    meta = pq.ParquetFile(out).metadata
    msg = meta.row_group(0).column(LONG_COLUMNS.index("message"))
    assert "RLE_DICTIONARY" in msg.encodings or "PLAIN_DICTIONARY" in msg.encodings
    back = pd.read_parquet(out)
    assert len(back) == len(result.long)
    for col in LONG_COLUMNS:
        a = back[col].astype(str) if back[col].dtype.kind not in "f" else back[col]
        b = result.long[col].astype(str) if result.long[col].dtype.kind not in "f" \
            else result.long[col]
        pd.testing.assert_series_equal(a, b, check_names=False, check_dtype=False,
                                       check_categorical=False)
    csv = write_result(result, tmp_path / "结果.csv")
    assert out.stat().st_size * 10 < csv.stat().st_size


@pytest.mark.parametrize("suffix", [".geoparquet", ".gpkg", ".geojson"])
def test_parcels_with_status_columns(result, tmp_path: Path, suffix: str) -> None:
    out = write_result(result, tmp_path / f"地块{suffix}")
    back = gpd.read_parquet(out) if suffix == ".geoparquet" else gpd.read_file(out)
    wide = result.wide()
    assert list(back["parcel_id"]) == list(wide["parcel_id"])
    assert list(back["readiness"]) == list(wide["readiness"])
    assert list(back["road_status"]) == list(wide["road_status"])
    assert back["road_value"].to_numpy() == pytest.approx(wide["road_value"].to_numpy(),
                                                          nan_ok=True)
    expected_crs = 4326 if suffix == ".geojson" else wide.crs
    assert back.crs.equals(expected_crs)
    if suffix != ".geojson":
        assert back.geometry.geom_equals_exact(wide.geometry, tolerance=1e-6).all()


def test_unknown_suffix_is_refused_before_writing(result, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.xlsx") as info:
        write_result(result, tmp_path / "r.xlsx")
    assert "未知的格式" in info.value.zh
    assert list(tmp_path.iterdir()) == []


def test_long_table_alone_is_written_as_the_result_writes_it(result, tmp_path: Path) -> None:
    """write_long (what devzone check uses once the parcels are freed) = write_result."""
    for suffix in (".csv", ".parquet"):
        a = write_result(result, tmp_path / f"a{suffix}")
        b = write_long(result.long, tmp_path / f"b{suffix}")
        assert a.read_bytes() == b.read_bytes()
    with pytest.raises(InputError, match=r"\.gpkg") as info:
        write_long(result.long, tmp_path / "r.gpkg")
    assert "长表只能写为" in info.value.zh and not (tmp_path / "r.gpkg").exists()
