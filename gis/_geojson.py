"""A fast path for GeoJSON written one feature per line (GDAL, QGIS, geopandas write it so).

GDAL's GeoJSON driver parses a file twice (once for the fields, once for the
features) through a generic JSON tree; at 10^5 parcels that is seconds. Here
the feature lines go through Arrow's JSON reader (columnar, multi-threaded)
and the coordinates straight into shapely. Anything this path is not sure to
read exactly as GDAL would (ids, foreign members, nested or date-like values,
mixed geometry types, 3-D coordinates, a CRS other than an EPSG URN …) makes
:func:`read_geojson_lines` return ``None``, and the caller lets GDAL read it.

Asked for another CRS, the coordinates are transformed before the geometries are made
(as geopandas' ``to_crs`` transforms them), rather than made, taken apart and made again:
a tenth of a second at 10^5 parcels. Coordinates that do not fit the file's CRS are left
as they are, for the reader's CRS checks to speak of.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson
import pyproj
import shapely

from gis.crs import check_declared_crs

__all__ = ["read_geojson_lines"]

_FEATURES = re.compile(rb'"features"\s*:\s*\[')
_EPSG_URN = re.compile(r"^urn:ogc:def:crs:EPSG::(\d+)$")
# strings GDAL would type as Date, Time or DateTime rather than String
_DATE_LIKE = r"^\s*(\d{1,4}[-/]\d{1,2}[-/]\d{1,2}|\d{1,2}:\d{2})"
# geometry type -> (list nesting of its coordinates, shapely ragged type)
_GEOMETRY = {
    "Point": (1, shapely.GeometryType.POINT),
    "LineString": (2, shapely.GeometryType.LINESTRING),
    "MultiPoint": (2, shapely.GeometryType.MULTIPOINT),
    "Polygon": (3, shapely.GeometryType.POLYGON),
    "MultiLineString": (3, shapely.GeometryType.MULTILINESTRING),
    "MultiPolygon": (4, shapely.GeometryType.MULTIPOLYGON),
}
_INT32 = (-(2**31), 2**31 - 1)


def read_geojson_lines(path: Path, *, to_crs: str | None = None) -> gpd.GeoDataFrame | None:
    """The FeatureCollection at ``path`` as GDAL would read it, or ``None`` when unsure.

    With ``to_crs``, coordinates that fit the file's CRS come back transformed to
    ``to_crs`` (the frame's CRS says which it is).
    """
    raw = _read_all(path)
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    head = _FEATURES.search(raw, start, 1 << 16)
    end = _skip_space_back(raw, len(raw))  # without copying tens of megabytes
    if head is None or raw[end - 1:end] != b"}":
        return None
    end = _skip_space_back(raw, end - 1)
    if raw[end - 1:end] != b"]":
        return None  # members after the features, or not an object
    try:
        header = json.loads(bytes(raw[start:head.start()]) + b'"features": []}')
    except ValueError:
        return None
    crs = _crs(header)
    if crs is None or b"{" not in raw[head.end():head.end() + 4096]:
        return None
    # JSON text holds no raw line break inside a string: a comma before a line break
    # separates two features, and a blank in its place leaves one feature per line
    _blank_line_end_commas(np.frombuffer(raw, dtype=np.uint8))
    body = pa.py_buffer(raw)[head.end():end - 1]
    try:
        table = pajson.read_json(body, read_options=pajson.ReadOptions(
            block_size=max(1 << 20, min(len(body) // 4 + 1, 1 << 26))))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # not one feature per line, or types that change between features
    try:
        return _frame(table, crs, to_crs)
    except UnicodeDecodeError:
        return None  # not UTF-8 (a GBK file, say): GDAL's reading decides what to say


def _blank_line_end_commas(text: np.ndarray) -> None:
    """Replace by a blank each comma that ends a line (before ``\\n`` or ``\\r\\n``), in place.

    Done a megabyte at a time: the scratch arrays stay in the processor's cache.
    """
    for start in range(0, len(text), 1 << 20):
        breaks = np.flatnonzero(text[start:start + (1 << 20)] == ord("\n")) + start
        before = breaks[breaks > 1] - 1
        before[text[before] == ord("\r")] -= 1
        text[before[text[before] == ord(",")]] = ord(" ")


def _read_all(path: Path) -> bytearray:
    """The file's bytes in one buffer that can be changed in place."""
    with open(path, "rb") as fh:
        raw = bytearray(os.fstat(fh.fileno()).st_size)
        size = fh.readinto(raw)
        rest = fh.read()
    return raw[:size] + rest if size < len(raw) or rest else raw


def _skip_space_back(raw: bytearray, end: int) -> int:
    while end > 0 and raw[end - 1] in b" \t\r\n":
        end -= 1
    return end


def _crs(header: object) -> str | None:
    if not isinstance(header, dict) or header.get("type") != "FeatureCollection":
        return None
    if set(header) - {"type", "name", "crs", "features"}:
        return None
    if "crs" not in header:
        return "EPSG:4326"  # RFC 7946
    crs = header["crs"]
    if not (isinstance(crs, dict) and crs.get("type") == "name"
            and isinstance(crs.get("properties"), dict)):
        return None
    name = str(crs["properties"].get("name", ""))
    if name == "urn:ogc:def:crs:OGC:1.3:CRS84":
        return "EPSG:4326"  # as GDAL reports it
    match = _EPSG_URN.match(name)
    return f"EPSG:{match.group(1)}" if match else None


def _frame(table: pa.Table, crs: str, to_crs: str | None) -> gpd.GeoDataFrame | None:
    names = set(table.column_names)
    if not {"type", "geometry"} <= names or names - {"type", "properties", "geometry"}:
        return None
    kinds = table["type"]
    if kinds.null_count or pc.any(pc.not_equal(kinds, "Feature")).as_py():
        return None
    columns: dict[str, pa.Array] = {}
    if "properties" in names:
        props = table["properties"].combine_chunks()
        if not pa.types.is_struct(props.type):
            return None
        for field, values in zip(props.type, props.flatten(), strict=True):
            col = _column(values)
            if col is None or field.name in columns or field.name == "geometry":
                return None
            columns[field.name] = col
    # the geometries (and their transformation) last: properties GDAL must read cost none
    made = _geometries(table["geometry"].combine_chunks(), crs, to_crs)
    if made is None:
        return None
    geoms, crs = made
    df = pa.table(columns).to_pandas(self_destruct=True) if columns else pd.DataFrame(
        index=pd.RangeIndex(len(geoms)))
    df["geometry"] = geoms
    return gpd.GeoDataFrame(df, geometry="geometry", crs=crs)


def _column(values: pa.Array) -> pa.Array | None:
    """A property column typed as GDAL types it (Integer if it fits, String if all null)."""
    kind = values.type
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.string())
    if pa.types.is_boolean(kind) or pa.types.is_float64(kind):
        return values
    if pa.types.is_int64(kind):
        lo, hi = (v.as_py() for v in pc.min_max(values).values())
        small = lo is None or (_INT32[0] <= lo and hi <= _INT32[1])
        return values.cast(pa.int32()) if small else values
    if pa.types.is_string(kind):
        try:
            values.validate(full=True)  # Arrow's JSON reader leaves UTF-8 unchecked
        except pa.ArrowInvalid:
            return None
        if pc.any(pc.match_substring_regex(values, _DATE_LIKE)).as_py():
            return None
        return values
    return None  # timestamps, lists, objects: GDAL's own reading decides


def _unnest(level: pa.Array, depth: int) -> tuple[list[np.ndarray], np.ndarray] | None:
    """The offsets of each list level (outermost first) and the x, y pairs, or ``None``."""
    offsets = []
    for _ in range(depth):
        if not pa.types.is_list(level.type) or level.null_count:
            return None
        if pc.min(pc.list_value_length(level)).as_py() == 0:
            return None  # empty parts: left to GDAL
        offsets.append(np.asarray(level.offsets) - level.offsets[0].as_py())
        level = level.flatten()
    if not (pa.types.is_float64(level.type) or pa.types.is_int64(level.type)):
        return None
    if level.null_count or np.any(np.diff(offsets[-1]) != 2):
        return None  # 3-D (or 1-D) positions: left to GDAL
    return offsets, np.asarray(level.cast(pa.float64())).reshape(-1, 2)


def _reprojected(coords: np.ndarray, crs: str, to_crs: str) -> np.ndarray | None:
    """``coords`` (x, y rows) transformed from ``crs`` to ``to_crs``, or ``None``: the same
    CRS, coordinates that are not all finite or do not fit ``crs`` (the reader's checks
    say what is wrong with them), or a transformation that gives non-finite values."""
    src, dst = pyproj.CRS.from_user_input(crs), pyproj.CRS.from_user_input(to_crs)
    if src.equals(dst) or not len(coords) or not np.isfinite(coords).all():
        return None
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    if check_declared_crs(src, (lo[0], lo[1], hi[0], hi[1])) is not None:
        return None
    x, y = pyproj.Transformer.from_crs(src, dst, always_xy=True).transform(
        coords[:, 0], coords[:, 1])
    out = np.column_stack([x, y])
    return out if np.isfinite(out).all() else None


def _geometries(geom: pa.Array, crs: str, to_crs: str | None
                ) -> tuple[np.ndarray, str] | None:
    """The geometries of the features and their CRS (``to_crs`` when they could be
    transformed to it), or ``None``."""
    if geom.null_count or not pa.types.is_struct(geom.type):
        return None
    fields = {geom.type.field(i).name for i in range(geom.type.num_fields)}
    if fields != {"type", "coordinates"}:
        return None
    types = pc.unique(geom.field("type")).to_pylist()
    if len(types) != 1 or types[0] not in _GEOMETRY:
        return None
    depth, ragged = _GEOMETRY[types[0]]
    nested = _unnest(geom.field("coordinates"), depth)
    if nested is None:
        return None
    offsets, coords = nested
    if ragged in (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON):
        rings = offsets[-2]  # coordinate index where each ring starts
        first, last = coords[rings[:-1]], coords[rings[1:] - 1]
        if np.any(np.diff(rings) < 4) or not np.array_equal(first, last):
            return None  # unclosed or degenerate rings: GDAL closes or refuses them
    if to_crs is not None and (moved := _reprojected(coords, crs, to_crs)) is not None:
        coords, crs = moved, to_crs
    try:
        if ragged == shapely.GeometryType.POINT:
            return shapely.points(coords), crs
        return shapely.from_ragged_array(ragged, coords, tuple(offsets[-2::-1])), crs
    except (shapely.errors.GEOSException, ValueError):
        return None  # unclosed rings and the like: GDAL's reading reports them
