"""Plumbing shared by the demo generators: defaults, random streams, places, lon/lat → metres."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

DEFAULT_PARCELS = 300
DEFAULT_SEED = 2021  # the year of the city's 标准地 reform
ANALYSIS_CRS = "EPSG:4547"  # CGCS2000 3-degree Gauss–Krüger, CM 114°E
AS_OF = date(2025, 6, 30)  # the synthetic data is a snapshot as of this day
NODATA = -9999.0

_STREAMS = {"zones": 1, "parcels": 2, "outer": 3, "roads": 4, "water": 5, "power": 6,
            "tourism": 7, "constraints": 8, "stations": 9, "mines": 10, "inspections": 11,
            "dem": 12, "ndvi": 13, "rsrp": 14, "assessments": 15, "contracts": 16,
            "planning": 17, "heavy_industry": 18}

_TO_M = Transformer.from_crs("EPSG:4326", ANALYSIS_CRS, always_xy=True)


def _rng(seed: int, stream: str, *sub: int) -> np.random.Generator:
    """The random stream ``stream`` of ``seed`` (``sub``: one of its numbered sub-streams)."""
    return np.random.default_rng([seed, _STREAMS[stream], *sub])


def _xy(lon: float, lat: float) -> tuple[float, float]:
    x, y = _TO_M.transform(lon, lat)
    return float(x), float(y)


def _xys(points: Iterable[tuple[float, float]]) -> np.ndarray:
    pts = np.asarray(list(points), dtype=float)
    x, y = _TO_M.transform(pts[:, 0], pts[:, 1])
    return np.column_stack([x, y])


BASIN_COUNTIES = ("潞州区", "上党区", "屯留区", "潞城区", "长子县", "襄垣县")  # 上党盆地

# approximate county seats (key townships for 5G, ends of regional roads), lon/lat
SEATS: dict[str, tuple[float, float]] = {
    "潞州区": (113.115, 36.205), "上党区": (113.052, 36.052), "屯留区": (112.892, 36.318),
    "潞城区": (113.228, 36.334), "襄垣县": (113.050, 36.532), "平顺县": (113.436, 36.200),
    "黎城县": (113.387, 36.503), "壶关县": (113.206, 36.112), "长子县": (112.877, 36.122),
    "武乡县": (112.865, 36.838), "沁县": (112.699, 36.757), "沁源县": (112.337, 36.500),
}


def _strings(df: pd.DataFrame, cols: list[str]) -> Any:
    for c in cols:
        df[c] = df[c].astype("string")
    return df
