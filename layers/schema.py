"""Bring a layer's columns and values to the catalogue: aliases, Chinese codes, types.

``normalize`` never drops a feature: values it cannot convert become missing and
are reported as :class:`Finding` rows, which :mod:`layers.validate` turns into
the validation table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from layers.catalog import VALUE_ALIASES, ColumnSpec, LayerSpec, alias_map, get_spec

__all__ = ["FINDING_COLUMNS", "FINDING_COLUMNS_EN", "Finding", "Normalized", "column_zh",
           "feature_label", "normalize"]

FINDING_COLUMNS = ["severity", "feature", "column", "problem", "hint"]
FINDING_COLUMNS_EN = ["problem_en", "hint_en"]  # follow FINDING_COLUMNS in findings tables

_TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "已", "√", "✓", "对"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "否", "未", "×", "✗", "不是"}


@dataclass(frozen=True)
class Finding:
    """One validation finding: severity is ``error``, ``warning`` or ``info``.

    ``problem`` and ``hint`` are Chinese; ``problem_en`` and ``hint_en`` say the same
    in English (empty when there is nothing to say).
    """

    severity: str
    feature: str | None
    column: str | None
    problem: str = ""
    hint: str = ""
    problem_en: str = ""
    hint_en: str = ""


@dataclass
class Normalized:
    """The normalised data plus what was renamed, left unknown or could not be converted."""

    data: pd.DataFrame
    renamed: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def feature_label(spec: LayerSpec, data: pd.DataFrame, pos: int) -> str:
    """How to name feature ``pos`` to a user: its id if the layer has one, else ``#n``."""
    if spec.id_column and spec.id_column in data.columns:
        value = data[spec.id_column].iloc[pos]
        if isinstance(value, str) and value.strip():
            return value
        if value is not None and not (isinstance(value, float) and np.isnan(value)) \
                and value is not pd.NA:
            return str(value)
    return f"#{pos + 1}"


def column_zh(spec: LayerSpec, name: str) -> str:
    """A column as named to a Chinese user: ``“地块编号”（parcel_id）``, or ``'x'`` if unknown."""
    col = spec.column(name)
    return f"“{col.zh}”（{name}）" if col is not None and col.zh else repr(name)


def _lookup(amap: dict[str, str], col: object) -> str | None:
    return amap.get(str(col)) or amap.get(str(col).strip().lower())


def _rename(spec: LayerSpec, data: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Rename alias columns; full names, then explicit aliases, then Shapefile-truncated names
    claim a catalogue column first, so a truncated name never displaces an explicit one."""
    explicit, amap = alias_map(spec, truncated=False), alias_map(spec)
    geom = getattr(data, "_geometry_column_name", None)
    cols = [c for c in data.columns if c != geom and c not in spec.names]
    taken = {c for c in data.columns if c in spec.names}
    found: dict[str, str] = {}
    for col in sorted(cols, key=lambda c: _lookup(explicit, c) is None):  # stable
        target = _lookup(amap, col)
        if target and target not in taken:
            found[col] = target
            taken.add(target)
    renamed = {c: found[c] for c in cols if c in found}
    unknown = [str(c) for c in cols if c not in found]
    return data.rename(columns=renamed), renamed, unknown


def _coerce(col: ColumnSpec, series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Convert ``series`` to the column's type; return it and a mask of unconvertible values.

    Text columns repeat few values (codes, statuses, dates): each distinct text is
    converted once and the results spread back to the rows.
    """
    few = len(series) > 64 and series.iloc[:1000].nunique() * 2 < min(len(series), 1000)
    if few and _all_text(series):
        codes, uniques = pd.factorize(series)  # a missing value gets code -1
        if len(uniques) * 2 < len(series):
            distinct = pd.Series([*uniques, None], dtype=series.dtype, name=series.name)
            out, bad = _coerce_values(col, distinct)
            rows = np.where(codes < 0, len(uniques), codes)
            spread = out.take(rows)
            spread.index = series.index
            return spread, bad[rows]
    return _coerce_values(col, series)


def _all_text(series: pd.Series) -> bool:
    """Whether every present value of ``series`` is a ``str`` (distinct values compare exactly)."""
    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(
            series.dtype):
        return True
    return pd.api.types.is_object_dtype(series.dtype) and pd.api.types.infer_dtype(
        series, skipna=True) == "string"


def _coerce_values(col: ColumnSpec, series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """:func:`_coerce` value by value."""
    stripped = None
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        present = series.notna()  # a number is never blank text (and NaN is not notna)
    else:
        stripped = series.astype("string").str.strip()
        present = series.notna() & ~stripped.isin(["", "nan", "None"])
    if col.dtype in ("float", "int"):
        out = pd.to_numeric(series.where(present), errors="coerce").astype("float64")
    elif col.dtype == "bool":
        if pd.api.types.is_bool_dtype(series):
            return series.astype("boolean"), np.zeros(len(series), dtype=bool)
        text = (stripped if stripped is not None else series.astype("string").str.strip()
                ).str.lower()
        out = pd.Series(pd.NA, index=series.index, dtype="boolean")
        out[text.isin(_TRUE).fillna(False)] = True
        out[text.isin(_FALSE).fillna(False)] = False
    elif col.dtype == "date":
        out = pd.to_datetime(series.where(present), errors="coerce", format="mixed")
        out = out.dt.tz_localize(None) if getattr(out.dt, "tz", None) else out
        out = out.astype("datetime64[ns]")
    else:
        text = stripped if stripped is not None else series.astype("string").str.strip()
        if col.allowed:
            aliases = VALUE_ALIASES.get(col.name, {})
            lowered = text.str.lower()
            text = lowered.where(lowered.isin(col.allowed), text.map(
                lambda v: aliases.get(v, v) if isinstance(v, str) else v))
        out = text.where(present, pd.NA).astype("string")
        return out, np.zeros(len(series), dtype=bool)
    bad = (present & out.isna()).to_numpy(dtype=bool)
    return out, bad


def normalize(kind: str, data: pd.DataFrame) -> Normalized:
    """Rename alias columns to catalogue names, map Chinese codes, convert types.

    Examples
    --------
    >>> import pandas as pd
    >>> n = normalize("inspections", pd.DataFrame({"图斑编号": ["K1"], "巡查日期": ["2024-05-01"],
    ...                                            "阶段": ["施工中"]}))
    >>> list(n.data.columns), n.data["stage"].iloc[0]
    (['site_id', 'date', 'stage'], 'in_progress')
    """
    spec = get_spec(kind)
    out, renamed, unknown = _rename(spec, data.copy())
    findings: list[Finding] = [
        Finding(
            "info", None, col,
            problem=f"字段 {src!r} 已识别为 {column_zh(spec, col)}",
            problem_en=f"column {src!r} read as {col!r}")
        for src, col in renamed.items()
    ]
    for name in unknown:
        findings.append(Finding(
            "info", None, name,
            problem=f"字段 {name!r} 不在{spec.zh}（{kind}）的字段目录中，已原样保留",
            hint="如果它对应目录中的某个字段，请改为该字段名。",
            problem_en=f"column {name!r} is not in the {kind} "
                       "catalogue; kept as is",
            hint_en="Rename it to a catalogue column if it is one of them."))
    for col in spec.columns:
        if col.name not in out.columns:
            continue
        converted, bad = _coerce(col, out[col.name])
        for pos in np.flatnonzero(bad)[:50]:
            raw = data.iloc[pos][next((s for s, t in renamed.items() if t == col.name),
                                      col.name)]
            findings.append(Finding(
                "error", feature_label(spec, out, int(pos)), col.name,
                problem=f"{column_zh(spec, col.name)}的值 {raw!r} 不是{_TYPE_ZH[col.dtype]}",
                hint=_TYPE_HINTS_ZH[col.dtype],
                problem_en=f"value {raw!r} is not a {col.dtype}",
                hint_en=_TYPE_HINTS[col.dtype]))
        if bad.sum() > 50:
            findings.append(Finding(
                "error", None, col.name,
                problem=f"{column_zh(spec, col.name)}另有 "
                        f"{int(bad.sum()) - 50} 个值不是{_TYPE_ZH[col.dtype]}",
                problem_en=f"{int(bad.sum()) - 50} more values are not a {col.dtype}"))
        out[col.name] = converted
    return Normalized(out, renamed, unknown, findings)


_TYPE_HINTS = {
    "float": "Use a plain number such as 12.5 (no units or thousands separators).",
    "int": "Use a whole number.",
    "bool": "Use true/false, 是/否 or 1/0.",
    "date": "Use an ISO date such as 2025-06-30.",
    "str": "",
}
_TYPE_HINTS_ZH = {
    "float": "请填写纯数字，如 12.5（不带单位，不加千位分隔符）。",
    "int": "请填写整数。",
    "bool": "请填写 是/否、true/false 或 1/0。",
    "date": "请填写 ISO 格式日期，如 2025-06-30。",
    "str": "",
}
_TYPE_ZH = {"float": "数值", "int": "整数", "bool": "是/否值", "date": "日期", "str": "文本"}
