"""A table written as Parquet reads back the same: categoricals and text as dictionaries,
numbers plain with min/max statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from gis._write import write_table


def _encodings(path: Path, column: str) -> tuple[str, ...]:
    meta = pq.ParquetFile(path).metadata
    return meta.row_group(0).column(meta.schema.names.index(column)).encodings


def test_table_round_trips_with_text_as_dictionaries(tmp_path: Path) -> None:
    df = pd.DataFrame({
        "id": pd.Categorical(["甲-1", "乙-2", "甲-1", None]),
        "note": ["长文本，含逗号", "=1+1", None, "x"],
        "value": [0.5, np.nan, -0.0, 1e16],
        "count": [1, 2, 3, 4],
    })
    out = write_table(df, tmp_path / "表.parquet")
    back = pd.read_parquet(out)
    assert list(back.columns) == list(df.columns)
    assert isinstance(back["id"].dtype, pd.CategoricalDtype)
    assert back["id"].astype(object).tolist()[:3] == ["甲-1", "乙-2", "甲-1"]
    assert pd.isna(back["id"].iloc[3])
    assert back["note"].tolist()[:2] == ["长文本，含逗号", "=1+1"]
    np.testing.assert_array_equal(back["value"].to_numpy(), df["value"].to_numpy())
    assert np.signbit(back["value"].iloc[2])
    assert back["count"].tolist() == [1, 2, 3, 4]
    for col in ("id", "note"):
        assert any("DICTIONARY" in e for e in _encodings(out, col)), col
    assert not any("DICTIONARY" in e for e in _encodings(out, "value"))
    meta = pq.ParquetFile(out).metadata
    stats = meta.row_group(0).column(df.columns.get_loc("count")).statistics
    assert (stats.min, stats.max) == (1, 4)


@pytest.mark.parametrize("df", [pd.DataFrame({"x": [1.5, 2.5]}),
                                pd.DataFrame({"c": pd.Categorical(["a", "b"])})])
def test_tables_of_one_kind_of_column(tmp_path: Path, df: pd.DataFrame) -> None:
    out = write_table(df, tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(out), df)
