"""CSV rendering with Arrow compute kernels: the same cells as ``csv`` + :func:`formula_safe`.

A table is rendered column by column into Arrow string arrays (text escaped against
spreadsheet formulas, quoted where the ``csv`` module quotes — a comma, a double quote,
a carriage return or a line feed), joined into lines in C++ and written in batches of
rows, so a long results table of millions of rows streams out without Python loops.
Categorical columns render their categories once and take them by code.

Floats are written as the shortest text that reads back to the same value, as Python
writes them (an integral value keeps its ``.0``); NaN and missing values are empty cells.
Unlike Python's ``csv`` module (before 3.12), a carriage return inside a text cell is
quoted too, so that no spreadsheet takes it for the end of a row.
Only columns of text, numbers, booleans and categoricals of text are rendered here;
:func:`renderable` says whether a frame qualifies (others use pandas' writer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO

import numpy as np
import pandas as pd
import pandas.api.types as ptypes
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["renderable", "write_csv_batches"]

_FORMULA_START = r"^[=+\-@\t\r]"
# the text of a plain number (as gis._write._PLAIN_NUMBER, with Unicode digits as re's \d)
_PLAIN_NUMBER = r"^[+-]?(?:\p{Nd}+(?:\.\p{Nd}*)?|\.\p{Nd}+)(?:[eE][+-]?\p{Nd}+)?$"
_NEEDS_QUOTES = "[,\"\r\n]"
_INTEGRAL = r"^-?[0-9]+$"

BATCH_ROWS = 500_000


def _text_kind(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _text_kind(pd.Series(s.cat.categories)) or len(s.cat.categories) == 0
    if ptypes.is_string_dtype(s.dtype):
        return ptypes.infer_dtype(s, skipna=True) in ("string", "empty")
    return False


def renderable(df: pd.DataFrame) -> bool:
    """Whether every column of ``df`` is text, a number, a boolean or categorical text."""
    for _, s in df.items():
        if ptypes.is_bool_dtype(s.dtype) and not s.hasnans:
            continue
        if (ptypes.is_integer_dtype(s.dtype) or ptypes.is_float_dtype(s.dtype)) \
                and not isinstance(s.dtype, pd.CategoricalDtype):
            continue
        if not _text_kind(s):
            return False
    return True


def render_text(values: pa.Array) -> pa.Array:
    """Text cells: formula-escaped (leading ``'``) and quoted as the ``csv`` module quotes."""
    values = values.cast(pa.string())
    formula = pc.and_(pc.match_substring_regex(values, _FORMULA_START),
                      pc.invert(pc.match_substring_regex(values, _PLAIN_NUMBER)))
    values = pc.if_else(formula, pc.binary_join_element_wise("'", values, ""), values)
    quoted = pc.binary_join_element_wise(
        '"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(values, _NEEDS_QUOTES), quoted, values)


def _render_float(values: np.ndarray) -> pa.Array:
    arr = pa.array(values, from_pandas=True)  # NaN → null → empty cell
    text = pc.cast(arr, pa.string())
    integral = pc.match_substring_regex(text, _INTEGRAL)
    text = pc.if_else(integral, pc.binary_join_element_wise(text, ".0", ""), text)
    # Python writes exponents below 1e-4 and from 1e16 on; Arrow from other limits
    with np.errstate(invalid="ignore"):
        mag = np.abs(values)
        odd = ((mag < 1e-4) & (mag > 0)) | ((mag >= 1e15) & np.isfinite(mag))
    if odd.any():
        text = pc.replace_with_mask(text, pa.array(odd),
                                    pa.array([repr(float(v)) for v in values[odd]]))
    return text


def _column_renderer(s: pd.Series) -> Callable[[int, int], pa.Array]:
    """A function rendering rows ``[start, stop)`` of ``s`` as CSV cells."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = render_text(pa.array(s.cat.categories.astype(object), type=pa.string()))
        codes = s.cat.codes.to_numpy()

        def categorical(a: int, b: int) -> pa.Array:
            c = codes[a:b]
            return cats.take(pa.array(c, mask=c < 0))
        return categorical
    if ptypes.is_bool_dtype(s.dtype):
        words = pa.array(["False", "True"])
        flags = s.to_numpy(dtype=bool)
        return lambda a, b: words.take(pa.array(flags[a:b].astype(np.int8)))
    if ptypes.is_float_dtype(s.dtype):
        floats = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return lambda a, b: _render_float(floats[a:b])
    if ptypes.is_integer_dtype(s.dtype):
        return lambda a, b: pc.cast(pa.array(s.iloc[a:b], from_pandas=True), pa.string())
    return lambda a, b: render_text(pa.array(s.iloc[a:b], type=pa.string(), from_pandas=True))


def _lines(cells: list[pa.Array]) -> pa.Array:
    """Rows of cells joined by commas, each ended by a line feed (missing cells empty)."""
    filled = [pc.fill_null(c, "") for c in cells]
    filled[-1] = pc.binary_join_element_wise(filled[-1], "\n", "")
    return pc.binary_join_element_wise(*filled, ",")


def _buffer(lines: pa.Array) -> memoryview:
    """The bytes of a string array's values, end to end."""
    offsets_type = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=offsets_type)[
        lines.offset: lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def csv_chunks(df: pd.DataFrame, header: list[str], *, batch_rows: int = BATCH_ROWS
               ) -> Iterator[memoryview]:
    """The CSV text of ``df`` (header row first) as UTF-8 byte chunks."""
    head = render_text(pa.array([str(h) for h in header], type=pa.string()))
    yield memoryview((",".join(head.to_pylist()) + "\n").encode("utf-8"))
    renderers = [_column_renderer(s) for _, s in df.items()]
    for start in range(0, len(df), batch_rows):
        stop = min(start + batch_rows, len(df))
        yield _buffer(_lines([r(start, stop) for r in renderers]))


def write_csv_batches(df: pd.DataFrame, fh: IO[bytes], *, header: list[str] | None = None,
                      batch_rows: int = BATCH_ROWS) -> None:
    """Write ``df`` as CSV (no byte-order mark, ``\\n`` line ends) to a binary file."""
    for chunk in csv_chunks(df, header if header is not None else [str(c) for c in df.columns],
                            batch_rows=batch_rows):
        fh.write(chunk)
