"""CSV rendering with Arrow compute kernels: the same cells as ``csv`` + :func:`formula_safe`.

A table is rendered column by column into Arrow string arrays (text escaped against
spreadsheet formulas, quoted where the ``csv`` module quotes — a comma, a double quote,
a carriage return or a line feed), laid out into lines in C++ and written in batches of
rows, so a long results table of millions of rows streams out without Python loops.
Categoricals, floats and booleans render each distinct value once; a batch's text is
then one Arrow ``take`` of cells by code (see :class:`_Rows`), and batches are rendered
on two threads while the one before is written.

Floats are written as the shortest text that reads back to the same value, as Python
writes them (an integral value keeps its ``.0``); NaN and missing values are empty cells.
Unlike Python's ``csv`` module (before 3.12), a carriage return inside a text cell is
quoted too, so that no spreadsheet takes it for the end of a row.
Only columns of text, numbers, booleans and categoricals of text are rendered here;
:func:`renderable` says whether a frame qualifies (others use pandas' writer).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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
BATCH_ROWS = 250_000
#: Float columns longer than this are rendered batch by batch even when they repeat.
CODED_FLOATS_MAX = 5_000_000
_THREADS = 2  # batches rendered at once, while the one before is written
_STRING_LIMIT = 2**31  # bytes that 32-bit string offsets can address
_PAIR_LIMIT = 2**16  # the most pairs of cells of two columns rendered as one column


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
    """Floats as Python writes them (``repr``); NaN as a missing cell."""
    values = np.asarray(values, dtype=np.float64)
    text = pc.cast(pa.array(values, from_pandas=True), pa.string())  # NaN → null
    with np.errstate(invalid="ignore"):
        mag = np.abs(values)
        negative_zero = (values == 0) & np.signbit(values)
        # Arrow writes an integral value without the ".0" Python gives it
        integral = (values == np.floor(values)) & (mag < 1e15) & ~negative_zero
        # Python writes exponents below 1e-4 and from 1e16 on, Arrow from other limits
        odd = ~integral & (((mag < 1e-4) & (mag > 0)) | ((mag >= 1e15) & np.isfinite(mag))
                           | negative_zero)
    odd |= ~integral & pc.fill_null(pc.match_substring(text, "e"), False).to_numpy(
        zero_copy_only=False)
    fix = odd | integral
    if not fix.any():
        return text
    where = np.flatnonzero(fix)
    odd_here = odd[where]
    ints = np.where(odd_here, 0.0, values[where]).astype(np.int64)  # |value| < 1e15 here
    fixed = pc.binary_join_element_wise(pc.cast(pa.array(ints), pa.string()), ".0", "")
    if odd_here.any():
        fixed = pc.replace_with_mask(fixed, pa.array(odd_here), pa.array(
            [repr(float(v)) for v in values[where[odd_here]]], type=pa.string()))
    return pc.replace_with_mask(text, pa.array(fix), fixed)


class _Coded:
    """A column as its distinct cells (rendered once, none missing) and a code per row."""

    def __init__(self, cells: pa.Array, codes: np.ndarray) -> None:
        self.cells = cells
        self.codes = codes


Renderer = _Coded | Callable[[int, int], pa.Array]


def _coded(cells: pa.Array, codes: np.ndarray) -> _Coded:
    """``cells`` taken by ``codes``, a negative code standing for a missing (empty) cell."""
    cells = pc.fill_null(cells.cast(pa.string()), "")
    missing = codes < 0
    if missing.any():
        codes = codes.astype(np.int64 if len(cells) >= 2**31 - 1 else np.int32)
        codes[missing] = len(cells)
        cells = pa.concat_arrays([cells, pa.array([""], type=pa.string())])
    return _Coded(cells, codes)


def _few_distinct(values: np.ndarray, sample: int = 65_536) -> bool:
    """Whether a float column repeats its values enough to render each distinct one once
    (judged on a sample spread over the column)."""
    if len(values) <= sample:
        return True
    picked = values[:: len(values) // sample]
    return len(pd.unique(picked.view(np.int64))) <= len(picked) // 8


def _coded_floats(values: np.ndarray) -> _Coded:
    """Each distinct float rendered once (told apart by their bits, so -0.0 is not 0.0)."""
    codes, bits = pd.factorize(values.view(np.int64))
    return _coded(_render_float(bits.view(np.float64)), codes)


def _batch_floats(values: np.ndarray) -> pa.Array:
    """One batch of a float column: its distinct values rendered once when it repeats
    them (a rule's threshold), else every value rendered."""
    if _few_distinct(values, sample=4096):
        coded = _coded_floats(values)
        return coded.cells.take(pa.array(coded.codes))
    return pc.fill_null(_render_float(values), "")


def _column_renderer(s: pd.Series) -> Renderer:
    """``s`` as coded cells, or a function rendering its rows ``[start, stop)`` as cells."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = render_text(pa.array(s.cat.categories.astype(object), type=pa.string()))
        return _coded(cats, s.cat.codes.to_numpy())
    if ptypes.is_bool_dtype(s.dtype):
        return _Coded(pa.array(["False", "True"]), s.to_numpy(dtype=bool).astype(np.int8))
    if ptypes.is_float_dtype(s.dtype):
        floats = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if len(floats) <= CODED_FLOATS_MAX and _few_distinct(floats):
            return _coded_floats(floats)
        # mostly distinct values (measured distances), or a very long column: rendered
        # batch by batch, so that neither a hash table of the whole column nor its text
        # is ever held at once (a batch that repeats its values is coded on its own)
        return lambda a, b: _batch_floats(floats[a:b])
    if ptypes.is_integer_dtype(s.dtype):
        return lambda a, b: pc.fill_null(
            pc.cast(pa.array(s.iloc[a:b], from_pandas=True), pa.string()), "")
    return lambda a, b: pc.fill_null(
        render_text(pa.array(s.iloc[a:b], type=pa.string(), from_pandas=True)), "")


def _ended(cells: pa.Array, sep: str, lone: bool) -> pa.Array:
    """Cells followed by ``sep``; as the ``csv`` module, a row of one empty cell is ``""``."""
    if lone:
        cells = pc.if_else(pc.equal(cells, ""), '""', cells)
    return pc.binary_join_element_wise(cells, sep, "")


def _paired(columns: list[tuple[Renderer, pa.Array | None]], limit: int
            ) -> list[tuple[Renderer, pa.Array | None]]:
    """Neighbouring coded columns with at most ``limit`` pairs of cells (a rule and its
    status, a message in two languages) as one column of those pairs, whose cells
    (separators included) are joined once: fewer cells to take per row."""
    out: list[tuple[Renderer, pa.Array | None]] = []
    for r, ended in columns:
        if out and isinstance(r, _Coded) and ended is not None:
            r0, ended0 = out[-1]
            if isinstance(r0, _Coded) and ended0 is not None \
                    and len(ended0) * len(ended) <= limit:
                pairs = np.arange(len(ended0) * len(ended))
                both = pc.binary_join_element_wise(ended0.take(pairs // len(ended)),
                                                   ended.take(pairs % len(ended)), "")
                codes = r0.codes.astype(np.int64 if len(both) >= 2**31 else np.int32)
                np.multiply(codes, len(ended), out=codes)
                np.add(codes, r.codes, out=codes, casting="unsafe")
                out[-1] = (_Coded(both, codes), both)
                continue
        out.append((r, ended))
    return out


class _Rows:
    """Renders rows of a frame as CSV text with a single Arrow ``take``.

    Every cell carries its separator (``,`` or, in the last column, ``\\n``). The cells
    of coded columns (categoricals, floats, booleans) sit once in one array; a batch's
    other columns are rendered and appended to it. Taking, for each row, its cell of
    each column in turn then lays out the text of the batch end to end.
    """

    def __init__(self, df: pd.DataFrame, pool: ThreadPoolExecutor) -> None:
        self.lone = df.shape[1] == 1
        seps = [","] * (df.shape[1] - 1) + ["\n"]

        def prepare(s: pd.Series, sep: str) -> tuple[Renderer, pa.Array | None]:
            r = _column_renderer(s)
            return r, (_ended(r.cells, sep, self.lone) if isinstance(r, _Coded) else None)

        columns = _paired(list(pool.map(prepare, [s for _, s in df.items()], seps)),
                          min(_PAIR_LIMIT, len(df)))
        fixed = [ended for _, ended in columns if ended is not None]
        self.cells = pa.concat_arrays(fixed) if fixed else pa.array([], type=pa.string())
        size = len(self.cells) + len(df) * (len(columns) - len(fixed))
        self.index_type = np.int32 if size <= np.iinfo(np.int32).max else np.int64
        # per column: each row's cell in self.cells, or a renderer and its separator
        # (codes kept as they are: the batch adds the offset, no whole-column copies)
        self.parts: list[tuple[np.ndarray, int] | tuple[Callable[[int, int], pa.Array], str]] = []
        offset = 0
        for j, (r, _) in enumerate(columns):
            if isinstance(r, _Coded):
                self.parts.append((r.codes, offset))
                offset += len(r.cells)
            else:
                self.parts.append((r, "\n" if j == len(columns) - 1 else ","))
        # the longest row of coded cells (bytes), to tell when 32-bit offsets could overflow
        self.widest = sum(int(pc.max(pc.binary_length(c)).as_py() or 0) for c in fixed)

    def __call__(self, a: int, b: int) -> memoryview:
        n = b - a
        cells = [self.cells]
        size = len(self.cells)
        widest = self.widest
        index = np.empty((n, len(self.parts)), dtype=self.index_type)
        for j, part in enumerate(self.parts):
            if isinstance(part[0], np.ndarray):
                index[:, j] = part[0][a:b]
                index[:, j] += part[1]
            else:
                rendered = _ended(part[0](a, b), part[1], self.lone)
                widest += int(pc.max(pc.binary_length(rendered)).as_py() or 0)
                index[:, j] = np.arange(size, size + n)
                size += n
                cells.append(rendered)
        table = pa.concat_arrays(cells) if len(cells) > 1 else cells[0]
        if widest * n >= _STRING_LIMIT:  # the batch's text may not fit 32-bit offsets
            table = table.cast(pa.large_string())
        return _buffer(table.take(pa.array(index.ravel())))


def _buffer(lines: pa.Array) -> memoryview:
    """The bytes of a string array's values, end to end."""
    offsets_type = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=offsets_type)[
        lines.offset: lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def csv_chunks(df: pd.DataFrame, header: list[str], *, batch_rows: int = BATCH_ROWS
               ) -> Iterator[memoryview]:
    """The CSV text of ``df`` (header row first) as UTF-8 byte chunks, in row order.

    Batches are rendered on two threads (Arrow's kernels release the GIL), so the next
    batch is being rendered while the caller writes this one.
    """
    head = render_text(pa.array([str(h) for h in header], type=pa.string()))
    names = _ended(head, ",", len(head) == 1).to_pylist()
    yield memoryview(("".join(names)[:-1] + "\n").encode("utf-8") if names else b"\n")
    if df.shape[1] == 0:  # as pandas: an empty line per row
        yield memoryview(b"\n" * len(df))
        return
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        rows = _Rows(df, pool)
        pending: deque[Future[memoryview]] = deque()
        for start in range(0, len(df), batch_rows):
            pending.append(pool.submit(rows, start, min(start + batch_rows, len(df))))
            if len(pending) > _THREADS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def write_csv_batches(df: pd.DataFrame, fh: IO[bytes], *, header: list[str] | None = None,
                      batch_rows: int = BATCH_ROWS) -> None:
    """Write ``df`` as CSV (no byte-order mark, ``\\n`` line ends) to a binary file."""
    for chunk in csv_chunks(df, header if header is not None else [str(c) for c in df.columns],
                            batch_rows=batch_rows):
        fh.write(chunk)
