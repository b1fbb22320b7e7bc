"""Write a readiness result to a file, the format chosen by the file's suffix.

Tables (one row per parcel × rule, the long table): ``.csv`` (UTF-8 with BOM, text
escaped against spreadsheet formulas) and ``.parquet`` (messages and ids
dictionary-encoded). Maps (one feature per parcel with ``readiness`` and per rule
``<rule>_status`` / ``<rule>_value``): ``.gpkg``, ``.geojson`` (EPSG:4326) and
``.geoparquet`` (GeoParquet in the analysis CRS). Every file is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gis.errors import InputError

if TYPE_CHECKING:
    from layers.readiness.evaluate import ReadinessResult

__all__ = ["LONG_SUFFIXES", "RESULT_SUFFIXES", "WIDE_SUFFIXES", "check_result_path",
           "write_result"]

#: Suffixes written as the long table (one row per parcel × rule).
LONG_SUFFIXES = (".csv", ".parquet")
#: Suffixes written as parcels with their status columns (one feature per parcel).
WIDE_SUFFIXES = (".gpkg", ".geojson", ".json", ".geoparquet")
RESULT_SUFFIXES = LONG_SUFFIXES + WIDE_SUFFIXES

#: The layer name of the parcels in a GeoPackage result.
LAYER = "readiness"


def check_result_path(path: Path, *, option: str = "--out") -> None:
    """Refuse a result file whose suffix names no format (before any work is done)."""
    if path.suffix.lower() not in RESULT_SUFFIXES:
        raise InputError(
            f"{option} {path}: unknown format {path.suffix!r}.",
            hint="Use .csv or .parquet (long table), .gpkg, .geojson or .geoparquet "
            "(parcels).",
            zh=f"{option} {path}：未知的格式 {path.suffix!r}。",
            hint_zh="请使用 .csv 或 .parquet（长表），.gpkg、.geojson 或 .geoparquet（地块）。")


def write_result(result: ReadinessResult, path: str | Path) -> Path:
    """Write ``result`` to ``path``: the long table or the parcels, by suffix (see module)."""
    from gis import io as gio

    path = Path(path)
    check_result_path(path)
    if path.suffix.lower() in LONG_SUFFIXES:
        return gio.write_table(result.long, path)
    return gio.write_vector(result.wide(), path, layer=LAYER)
