"""The Arrow CSV writer writes exactly what pandas' writer wrote (escaping, quoting,
numbers, missing values), batch after batch."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from gis._arrow_csv import _render_float, renderable, write_csv_batches
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


def _floats(n: int, seed: int) -> np.ndarray:
    """Floats of every kind Python and Arrow write differently, many repeated."""
    rng = np.random.default_rng(seed)
    special = np.array([0.0, -0.0, np.nan, 1e-5, -1e-5, 1e-4, 9.9e-5, 1e15, -1e15, 1e16,
                        9.99e15, 999999999999999.0, 2.0**53, 123456.0, -7.0, 0.1, 1 / 3,
                        5e-324, 1.7976931348623157e308, np.inf, -np.inf, 12.5, -0.5])
    scale = 10.0 ** rng.integers(-9, 20, n)
    mixed = np.where(rng.random(n) < 0.3, np.round(rng.normal(size=n) * scale),
                     rng.normal(size=n) * scale)
    return np.concatenate([special, mixed, rng.choice(special, n)])


def test_floats_are_written_as_python_writes_them() -> None:
    values = _floats(5000, 1)
    cells = _render_float(values).to_pylist()
    assert cells == [None if np.isnan(v) else repr(float(v)) for v in values]


@pytest.mark.parametrize("batch_rows", [7, 64, 100_000])
def test_long_frame_in_many_batches_keeps_rows_and_floats(batch_rows: int) -> None:
    """Distinct rows (an id per row), floats with repeats (0.0 and -0.0 both), every column
    kind last once; the bytes are pandas' in every batching."""
    n = 3000
    rng = np.random.default_rng(7)
    floats = _floats(n, 2)[:n]
    words = np.array(["=1+1", "地块,甲", 'a "b"', "-2", "ok", "+x", "多\n行", "@home"])
    df = pd.DataFrame({
        "id": pd.Categorical([f"P-{i:05d}" for i in rng.permutation(n)]),
        "value": floats,
        "same": np.where(rng.random(n) < 0.5, 0.0, -0.0),
        "text": words[rng.integers(0, len(words), n)],
        "note": pd.Categorical(words[rng.integers(0, len(words), n)]),
        "count": rng.integers(-5, 5, n),
        "flag": rng.random(n) < 0.5,
        "zone": pd.Categorical([None if i % 7 == 0 else f"区{i % 300}" for i in range(n)]),
    })
    assert renderable(df)
    for last in ["flag", "count", "text", "note", "value", "zone"]:
        cols = [c for c in df.columns if c != last] + [last]
        assert _arrow(df[cols], batch_rows) == _pandas(df[cols]), last
    assert _arrow(df[["value"]], batch_rows) == _pandas(df[["value"]])
    assert _arrow(df.iloc[:0], batch_rows) == _pandas(df.iloc[:0])


def test_batches_past_the_32_bit_limit_use_large_strings(monkeypatch) -> None:
    import gis._arrow_csv as arrow_csv

    df = _frame()
    monkeypatch.setattr(arrow_csv, "_STRING_LIMIT", 0)
    assert _arrow(df, 5) == _pandas(df)


@pytest.mark.parametrize("column", [[np.nan, 1.0, np.nan], ["", None, "x"],
                                    pd.Categorical(["", "a", None])])
def test_a_row_of_one_empty_cell_is_quoted_as_csv_does(column: object) -> None:
    df = pd.DataFrame({"": column})
    assert _arrow(df, 2) == _pandas(df)


def test_mostly_distinct_floats_are_rendered_batch_by_batch() -> None:
    """A long column of distinct floats (distances) is rendered per batch, not coded, and
    a long column that repeats renders its values once: the same bytes as pandas."""
    from gis._arrow_csv import _Coded, _column_renderer, _Mixed

    n = 80_000
    rng = np.random.default_rng(5)
    distinct = _floats(n, 3)[:n]
    distinct[rng.random(n) < 0.2] = np.nan
    df = pd.DataFrame({"value": distinct, "threshold": np.repeat([50.0, 100.0, 0.3, -0.0], n // 4),
                       "id": pd.Categorical([f"P{i}" for i in rng.permutation(n)])})
    assert not isinstance(_column_renderer(df["value"]), _Coded)
    repeats = _column_renderer(df["threshold"])
    assert isinstance(repeats, _Mixed) and len(repeats.cells) == 4
    assert _arrow(df, 30_000) == _pandas(df)


def test_a_large_csv_is_flushed_to_disk_while_written(tmp_path, monkeypatch) -> None:
    """Where a CSV goes through the page cache, ``write_table`` starts writing it to disk
    in the background while it is still being rendered; the file holds pandas' text."""
    import os

    from gis import _arrow_csv, _write
    from gis.io import write_table

    synced: list[int] = []

    def fdatasync(fd: int) -> None:  # recorded, not waited for: a slow disk would let the
        synced.append(os.fstat(fd).st_size)  # writer skip flushes while one is running

    monkeypatch.setattr(_write, "_FLUSH_EVERY", 4096)
    monkeypatch.setattr(_write, "_DIRECT_ROWS", 10**9)  # the page cache's way
    monkeypatch.setattr(_arrow_csv, "BATCH_ROWS", 500)
    monkeypatch.setattr(os, "fdatasync", fdatasync)
    df = pd.concat([_frame()] * 400, ignore_index=True)
    out = write_table(df, tmp_path / "大表.csv")
    assert out.read_bytes() == "\ufeff".encode() + _pandas(df)
    # flushed several times, the first well before the end
    assert len(synced) > 1 and 0 < synced[0] < out.stat().st_size // 2
    assert [p.name for p in tmp_path.iterdir()] == ["大表.csv"]


def test_frequent_values_of_a_distinct_column_are_rendered_once() -> None:
    """A column of distinct distances with frequent values (a zero gap, -0.0, missing, one
    shared distance): those are rendered once, the rest per batch; pandas' bytes."""
    from gis._arrow_csv import _Coded, _column_renderer, _Mixed

    n = 100_000
    rng = np.random.default_rng(11)
    values = _floats(n, 4)[:n]
    pick = rng.random(n)
    values[pick < 0.3] = 0.0
    values[(pick >= 0.3) & (pick < 0.35)] = -0.0
    values[(pick >= 0.35) & (pick < 0.4)] = np.nan
    values[(pick >= 0.4) & (pick < 0.45)] = 12.00000000001535
    df = pd.DataFrame({"gap": values,
                       "id": pd.Categorical([f"P{i}" for i in rng.permutation(n)])})
    mixed = _column_renderer(df["gap"])
    assert isinstance(mixed, _Mixed)
    assert {"0.0", "-0.0", "", "12.00000000001535"} <= set(mixed.cells.to_pylist())
    assert _arrow(df, 7_000) == _pandas(df)
    assert _arrow(df[["gap"]], 30_000) == _pandas(df[["gap"]])
    # nothing repeats: every value is rendered per batch
    plain = _column_renderer(pd.Series(np.arange(n) + 0.5))
    assert not isinstance(plain, _Coded | _Mixed)


@pytest.mark.parametrize("batch_rows", [50, 5000, 100_000])
def test_very_long_float_columns_are_coded_batch_by_batch(monkeypatch, batch_rows: int) -> None:
    """Past CODED_FLOATS_MAX a float column is rendered per batch, its frequent values
    (thresholds, NaN, 0.0 and -0.0) once: still pandas' bytes, whichever the batch."""
    import gis._arrow_csv as arrow_csv

    monkeypatch.setattr(arrow_csv, "CODED_FLOATS_MAX", 10)
    n = 20_000
    rng = np.random.default_rng(11)
    repeats = np.array([50.0, 100.0, 0.3, -0.0, 0.0, np.nan, 1e-5, 3e21])[
        rng.integers(0, 8, n)]
    distinct = _floats(n, 4)[:n]
    half = np.where(np.arange(n) < n // 2, repeats, distinct)  # batches of either kind
    df = pd.DataFrame({"threshold": repeats, "value": distinct, "mixed": half})
    assert not isinstance(arrow_csv._column_renderer(df["threshold"]), arrow_csv._Coded)
    assert _arrow(df, batch_rows) == _pandas(df)
