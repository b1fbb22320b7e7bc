"""GeoJSON text for the page: geometry serialised by GEOS, properties as plain JSON values."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import shapely

__all__ = ["feature_collection", "props_records", "round_geoms"]


def round_geoms(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Coordinates rounded to ``decimals`` (6 ≈ 0.1 m in degrees)."""
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def props_records(df: pd.DataFrame, cols: tuple[str, ...]) -> list[dict[str, Any]]:
    """The ``cols`` present in ``df`` as JSON-ready records: dates as text, floats rounded,
    missing values ``None``."""
    present = [c for c in cols if c in df.columns]
    out = pd.DataFrame(index=df.index)
    for c in present:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(s):
            s = s.round(2)
        out[c] = s.astype(object).where(s.notna(), None)
    return out.to_dict("records")


def feature_collection(geoms: np.ndarray, props: list[dict[str, Any]], *,
                       decimals: int = 6) -> str:
    """A GeoJSON FeatureCollection string; geometry serialised by GEOS (vectorised).

    ``</`` is escaped, so the text is safe inside an inline ``<script>``.
    """
    if len(geoms) == 0:
        return '{"type":"FeatureCollection","features":[]}'
    gj = shapely.to_geojson(round_geoms(geoms, decimals))
    parts = []
    for g, p in zip(gj, props, strict=True):
        if g is None:
            continue
        parts.append('{"type":"Feature","properties":' + json.dumps(
            p, ensure_ascii=False, default=str, separators=(",", ":")) + ',"geometry":' + g + "}")
    text = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
    return text.replace("</", "<\\/")
