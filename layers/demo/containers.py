"""The in-memory demo: layers, tables and rasters before they are written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine

from layers.demo._common import NODATA


@dataclass
class DemoRaster:
    """A single-band float32 raster, either whole (``array``) or as sparse square blocks.

    ``blocks`` maps (block_row, block_col) to arrays of ``block`` × ``block`` cells;
    blocks never written read back as ``nodata`` (GeoTIFF ``SPARSE_OK``).
    """

    path: str
    transform: Affine
    width: int
    height: int
    nodata: float = NODATA
    array: np.ndarray | None = None
    blocks: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    block: int = 256
    unit: str = ""

    @property
    def cell_size(self) -> float:
        return float(self.transform.a)


@dataclass
class DemoData:
    """Everything a demo workspace holds, in memory."""

    layers: dict[str, gpd.GeoDataFrame]
    tables: dict[str, pd.DataFrame]
    rasters: dict[str, DemoRaster]
    ndvi: dict[str, str]  # epoch -> raster key
    rules_text: str | None = None
    # GeoParquet output: the basin parcels beyond the zones, batch by batch (written as they
    # come, after layers["parcels"] = the zones' parcels); None when they are in "parcels"
    parcel_batches: Iterator[gpd.GeoDataFrame] | None = None


@dataclass
class DemoSummary:
    """What ``build_demo`` wrote: per-layer lines, seconds and bytes."""

    out: Path
    lines: list[tuple[str, str]]
    seconds: float
    bytes: int

    def format(self) -> list[str]:
        width = max(len(k) for k, _ in self.lines)
        return [f"{k:<{width}}  {v}" for k, v in self.lines]
