"""The one place that touches disk for vectors and tables: safe reading and atomic writing.

Reading (any format GDAL reads, zips checked, GBK detected, CRS detected,
geometry repaired) lives in :mod:`gis._read`; archive checks in
:mod:`gis._archive`; atomic writers in :mod:`gis._write`.
"""

from __future__ import annotations

from gis._write import (
    file_lock,
    write_bytes_atomic,
    write_layer_atomic,
    write_table,
    write_text_atomic,
    write_vector,
)

__all__ = [
    "file_lock",
    "write_bytes_atomic",
    "write_layer_atomic",
    "write_table",
    "write_text_atomic",
    "write_vector",
]

try:  # the reading half is written in gis/_read.py
    from gis._read import *  # noqa: F403
    from gis._read import __all__ as _read_all

    __all__ += list(_read_all)
except ModuleNotFoundError as _exc:  # pragma: no cover - only while _read.py is being written
    if _exc.name != "gis._read":
        raise
