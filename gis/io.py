"""The one place that touches disk for vectors and tables: safe reading and atomic writing.

Reading (any format GDAL reads, zips checked, GBK detected, CRS detected,
geometry repaired) lives in :mod:`gis._read`; archive checks in
:mod:`gis._archive`; atomic writers in :mod:`gis._write`; GeoParquet files and dataset
folders in :mod:`gis._parquet`.
"""

from __future__ import annotations

from gis._encoding import shapefile_parts
from gis._folders import replace_folder
from gis._parquet import dataset_parts, read_geoparquet, write_geoparquet_dataset
from gis._read import *  # noqa: F403  (the reading half)
from gis._read import __all__ as _read_all
from gis._write import (
    append_line_durable,
    csv_line,
    exclusive_lock,
    file_lock,
    formula_safe,
    stale_temp_files,
    write_bytes_atomic,
    write_layer_atomic,
    write_table,
    write_text_atomic,
    write_vector,
)

__all__ = [
    "append_line_durable",
    "dataset_parts",
    "csv_line",
    "exclusive_lock",
    "file_lock",
    "formula_safe",
    "read_geoparquet",
    "replace_folder",
    "shapefile_parts",
    "stale_temp_files",
    "write_bytes_atomic",
    "write_geoparquet_dataset",
    "write_layer_atomic",
    "write_table",
    "write_text_atomic",
    "write_vector",
    *_read_all,
]
