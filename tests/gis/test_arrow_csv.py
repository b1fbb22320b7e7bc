"""The Arrow CSV writer writes exactly what pandas' writer wrote (escaping, quoting,
numbers, missing values), batch after batch."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from gis._arrow_csv import renderable, write_csv_batches
from gis._write import _formula_safe_frame
from tests.hardening.hardening_corpus import HOSTILE_NAMES

TEXT = [*HOSTILE_NAMES.values(), "-3.5", "+86", "普通名称", None, "a,b", 'say "hi"',
        "two\nlines", "-１", "", " lead", "'quoted"]
NUMBERS = [-3.5, 2.0, np.nan, 1e-5, 3e21, 0.1 + 0.2, 123456.0, -0.0, 1e16, 9.99e15,
           1e-4, 5e-324, np.inf, -np.inf]


def _frame() -> pd.DataFrame:
    n = len(TEXT)
    return pd.DataFrame({
        "name": TEXT,
        "value": (NUMBERS * 3)[:n],
        "=cmd|x": list(range(n)),
        "flag": ([True, False] * n)[:n],
        "code": pd.Categorical((["=A", "b,c", "正常"] * n)[:n]),
        "count": pd.array(([1, None, 3] * n)[:n], dtype="Int64"),
    })


def _pandas(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    _formula_safe_frame(df).to_csv(buf, index=False)
    return buf.getvalue()


def _arrow(df: pd.DataFrame, batch_rows: int) -> bytes:
    buf = io.BytesIO()
    write_csv_batches(df, buf, batch_rows=batch_rows)
    return buf.getvalue()


@pytest.mark.parametrize("batch_rows", [1, 4, 1000])
@pytest.mark.parametrize("text", ["object", "str", "category"])
def test_same_bytes_as_pandas(batch_rows: int, text: str) -> None:
    df = _frame().astype({"name": text})
    assert renderable(df)
    assert _arrow(df, batch_rows) == _pandas(df)


def test_a_carriage_return_is_quoted() -> None:
    df = pd.DataFrame({"t": ["cr\rhere", "\r=1"], "x": [1.0, 2.0]})
    text = _arrow(df, 10).decode()
    assert text == 't,x\n"cr\rhere",1.0\n"\'\r=1",2.0\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["t", "x"], ["cr\rhere", "1.0"], ["'\r=1", "2.0"]]


def test_dates_and_mixed_objects_are_left_to_pandas() -> None:
    assert not renderable(pd.DataFrame({"d": pd.to_datetime(["2025-06-30"])}))
    assert not renderable(pd.DataFrame({"m": ["a", 1]}))
    assert renderable(pd.DataFrame({"t": ["a", None], "x": [1.0, 2.0]}))
