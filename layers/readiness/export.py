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
    import pandas as pd

    from layers.readiness.evaluate import ReadinessResult

__all__ = ["LONG_SUFFIXES", "RESULT_SUFFIXES", "WIDE_SUFFIXES", "check_result_path", "is_long",
           "write_long", "write_result"]

#: Suffixes written as the long table (one row per parcel × rule).
LONG_SUFFIXES = (".csv", ".parquet")
#: Suffixes written as parcels with their status columns (one feature per parcel).
WIDE_SUFFIXES = (".gpkg", ".geojson", ".json", ".geoparquet")
RESULT_SUFFIXES = LONG_SUFFIXES + WIDE_SUFFIXES

#: The layer name of the parcels in a GeoPackage result.
LAYER = "readiness"


def check_result_path(path: Path, *, option: str = "--out") -> None:
    """Refuse a result file whose suffix names no format, or a folder in its place
    (before any work is done)."""
    if path.is_dir():
        raise InputError(
            f"{option} {path}: a folder of that name is in the way.",
            hint="Choose another file name, or move the folder.",
            zh=f"{option} {path}：已有同名文件夹。",
            hint_zh="请换一个文件名，或移走该文件夹。")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise InputError(
            f"cannot write {option} {path}: {blocking} is a file, not a folder.",
            hint="Choose another folder, or move that file.",
            zh=f"无法写入 {option} {path}：{blocking} 是文件而不是文件夹。",
            hint_zh="请换一个文件夹，或移走该文件。")
    if path.suffix.lower() not in RESULT_SUFFIXES:
        raise InputError(
            f"{option} {path}: unknown format {path.suffix!r}.",
            hint="Use .csv or .parquet (long table), .gpkg, .geojson or .geoparquet "
            "(parcels).",
            zh=f"{option} {path}：未知的格式 {path.suffix!r}。",
            hint_zh="请使用 .csv 或 .parquet（长表），.gpkg、.geojson 或 .geoparquet（地块）。")


def is_long(path: Path) -> bool:
    """Whether ``path`` is written as the long table (not as the parcels)."""
    return path.suffix.lower() in LONG_SUFFIXES


def write_long(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a long table (:attr:`ReadinessResult.long`) to ``.csv`` or ``.parquet``."""
    from gis import io as gio

    path = Path(path)
    if not is_long(path):
        raise InputError(
            f"{path}: the long table is written as .csv or .parquet, not {path.suffix!r}.",
            hint="Use .csv or .parquet.",
            zh=f"{path}：长表只能写为 .csv 或 .parquet，而不是 {path.suffix!r}。",
            hint_zh="请使用 .csv 或 .parquet。")
    return gio.write_table(table, path)


def write_result(result: ReadinessResult, path: str | Path) -> Path:
    """Write ``result`` to ``path``: the long table or the parcels, by suffix (see module)."""
    from gis import io as gio

    path = Path(path)
    check_result_path(path)
    if is_long(path):
        return write_long(result.long, path)
    return gio.write_vector(result.wide(), path, layer=LAYER)
