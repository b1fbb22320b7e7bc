"""Safe reading of vector layers and tables: formats, zips, encodings, CRS and geometry repair."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from gis._archive import check_zip, zip_vector_members
from gis._crs_fix import _resolve_crs
from gis._csv import _csv_to_gdf, _read_csv_frame
from gis._encoding import _shapefile_encoding
from gis._geojson import read_geojson_lines
from gis._isolated import read_table_isolated, read_vector_isolated
from gis._locate import (
    _FORMAT_NAMES,
    _FORMAT_NAMES_ZH,
    _GDAL_ERRORS,
    SUPPORTED_SUFFIXES,
    _as_path,
    _locate,
    _Target,
    _unreadable,
    refuse_virtual,
)
from gis._notes import CrsSource, Expect, Note
from gis._parquet import read_geoparquet
from gis._repair import _FAMILIES, _clean_geometries, _refuse_non_finite
from gis.errors import GeometryError, InputError

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Note",
    "ReadResult",
    "clean_read",
    "list_layers",
    "read_table",
    "read_table_isolated",
    "read_vector",
    "read_vector_isolated",
]

# GDAL drivers accepted for each suffix: a file is refused when GDAL recognises
# something else (e.g. an OGR VRT renamed to .geojson could read arbitrary files)
_DRIVERS = {
    ".geojson": {"GeoJSON", "GeoJSONSeq"},
    ".json": {"GeoJSON", "GeoJSONSeq", "ESRIJSON", "TopoJSON"},
    ".gpkg": {"GPKG"},
    ".shp": {"ESRI Shapefile"},
    ".kml": {"KML", "LIBKML"},
    ".fgb": {"FlatGeobuf"},
}


@dataclass
class ReadResult:
    """A layer read from disk with what was noticed along the way.

    Attributes
    ----------
    gdf : GeoDataFrame
        Clean features (no null/empty geometry, valid, of the expected family), with a CRS.
    notes : list of Note
    source : str
        What was read: the path, plus ``/member`` inside a zip and ``:layer`` if chosen.
    crs_source : {"declared", "detected", "assumed"}
        Where the CRS came from.
    """

    gdf: gpd.GeoDataFrame
    notes: list[Note] = field(default_factory=list)
    source: str = ""
    crs_source: CrsSource = "declared"

    @property
    def warnings(self) -> list[Note]:
        """Only the notes of severity ``warning``."""
        return [n for n in self.notes if n.severity == "warning"]


# the largest single file read (a zip's members are capped by check_zip); a bigger one is
# nearly always the wrong file, and CSV is read into memory whole
MAX_FILE_BYTES = 2 * 1024**3


def _check_size(source: str | os.PathLike[str]) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` before anything parses it."""
    path = _as_path(source)
    try:
        size = path.stat().st_size
    except OSError:
        return  # missing files are reported by the reader with the right words
    if size > MAX_FILE_BYTES:
        gb, cap = size / 1024**3, MAX_FILE_BYTES / 1024**3
        raise InputError(
            f"{path.name} is {gb:.1f} GB; files larger than {cap:g} GB are not read.",
            hint="Split the data (e.g. by county) or clip it to the workspace area, and import "
            "the parts.",
            zh=f"{path.name} 大小为 {gb:.1f} GB，超过 {cap:g} GB 的文件不予读取。",
            hint_zh="请将数据拆分（如按县区）或裁剪到工作区范围后分别导入。",
        )


# ---------------------------------------------------------------------------
# GDAL reading
# ---------------------------------------------------------------------------


# in the head of a GeoJSON FeatureCollection, a sign that GDAL may pick another JSON driver
# (ESRIJSON, TopoJSON, JSON-FG) when it probes the content itself
_OTHER_JSON_MARKERS = (b"esrigeometry", b'"geometrytype"', b'"topology"', b'"conformsto"')


def _as_geojson(target: _Target) -> str | None:
    """``GeoJSON:<path>`` when the file plainly is a GeoJSON FeatureCollection, else ``None``.

    Opening a GeoJSON file parses all of it, so probing its driver with ``read_info``
    before reading would parse it twice; naming the driver lets GDAL open it once,
    and GDAL refuses it should it not be GeoJSON after all.
    """
    if target.suffix not in (".geojson", ".json") or target.member is not None:
        return None
    try:
        with open(target.path, "rb") as fh:
            head = fh.read(4096).lower()
    except OSError:
        return None
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return None
    if b'"featurecollection"' not in head or any(m in head for m in _OTHER_JSON_MARKERS):
        return None
    return f"GeoJSON:{target.gdal_path}"


# file signatures after which GDAL cannot pick another driver than the suffix's
_SIGNATURES = {
    ".gpkg": lambda head: head.startswith(b"SQLite format 3\x00")
    and head[68:72] in (b"GPKG", b"GP10", b"GP11"),  # GeoPackage application_id
    ".shp": lambda head: head.startswith(b"\x00\x00\x27\x0a"),  # shapefile code 9994
}


def _plainly_its_format(target: _Target) -> bool:
    """Whether the file's first bytes are its format's signature (no driver probe needed)."""
    sign = _SIGNATURES.get(target.suffix)
    if sign is None or target.member is not None:
        return False
    try:
        with open(target.path, "rb") as fh:
            return bool(sign(fh.read(100)))
    except OSError:
        return False


def _read_frame(gdal_path: str, target: _Target, *, read_geometry: bool) -> pd.DataFrame:
    # NaN coordinates make shapely warn; they are refused with a sentence after reading
    with np.errstate(invalid="ignore"):
        return pyogrio.read_dataframe(
            gdal_path,
            layer=target.layer,
            encoding=target.encoding,
            read_geometry=read_geometry,
            on_invalid="ignore",
            use_arrow=True,  # columns through Arrow: several times faster on big layers
        )


def _gdal_read(target: _Target, *, read_geometry: bool, to_crs: str | None = None
               ) -> pd.DataFrame:
    if target.suffix == ".shp" and target.encoding is None:
        _shapefile_encoding(target)
    forced = _as_geojson(target)
    if forced is not None:
        if read_geometry and target.encoding is None:
            fast = read_geojson_lines(target.path, to_crs=to_crs)
            if fast is not None:
                return fast
        try:
            return _read_frame(forced, target, read_geometry=read_geometry)
        except _GDAL_ERRORS:
            pass  # not GeoJSON after all, or damaged: the checks below say which
    elif _plainly_its_format(target):
        try:
            return _read_frame(target.gdal_path, target, read_geometry=read_geometry)
        except _GDAL_ERRORS:
            pass  # damaged: the checks below say so in the usual words
    try:
        info = pyogrio.read_info(target.gdal_path, layer=target.layer, encoding=target.encoding)
    except _GDAL_ERRORS as exc:
        raise _unreadable(target, exc) from None
    driver = str(info.get("driver", ""))
    allowed = _DRIVERS.get(target.suffix)
    if allowed is not None and driver not in allowed:
        raise InputError(
            f"{target.display} is not a {_FORMAT_NAMES[target.suffix]} "
            f"(its content is {driver or 'unrecognised'}).",
            hint="Give the file the suffix of its real format, or export it again.",
            zh=f"{target.display} 并非{_FORMAT_NAMES_ZH[target.suffix]}"
            f"（实际内容为 {driver or '无法识别的格式'}）。",
            hint_zh="请按文件的真实格式修改扩展名，或重新导出。",
        )
    try:
        return _read_frame(target.gdal_path, target, read_geometry=read_geometry)
    except _GDAL_ERRORS as exc:
        raise _unreadable(target, exc) from None


# LIBKML's standard columns and the value each holds when unused
_KML_DEFAULTS: dict[str, Any] = {
    "Name": None, "description": None, "timestamp": None, "begin": None, "end": None,
    "altitudeMode": None, "tessellate": -1, "extrude": 0, "visibility": -1,
    "drawOrder": None, "icon": None,
}


def _drop_kml_boilerplate(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop the LIBKML driver's standard columns when they hold nothing."""
    unused = []
    for col, default in _KML_DEFAULTS.items():
        if col not in gdf.columns:
            continue
        values = gdf[col]
        blank = values.isna() | (values.astype("string") == "")
        if default is not None:
            blank |= values == default
        if blank.all():
            unused.append(col)
    return gdf.drop(columns=unused)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def read_vector(
    source: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str | None = None,
    expect: Expect = None,
    assume_crs: Any = None,
    to_crs: str | None = None,
) -> ReadResult:
    """Read a vector layer safely and return clean features with notes.

    Parameters
    ----------
    source : path
        GeoJSON, GeoPackage, Shapefile (loose or zipped), KML, FlatGeobuf, or CSV with
        lon/lat (经度/纬度, x/y) or WKT columns.
    layer : str, optional
        Layer name (GeoPackage/KML) or member name inside a zip; required when there
        are several.
    encoding : str, optional
        Text encoding; by default taken from the .cpg, or guessed (UTF-8, then GB18030).
    expect : {"polygon", "line", "point", "line_or_point"}, optional
        Geometry family to keep; stray parts are removed and wrong-type features dropped
        (with a note); a file with no feature of that family is refused.
    assume_crs : CRS-like, optional
        CRS for data that declares none (or declares one that does not fit).
    to_crs : str, optional
        CRS to return the features in (``"EPSG:4547"``), reprojected after the checks
        above; a GeoJSON's coordinates that fit its CRS are transformed while it is read
        (faster, and the same coordinates).

    Returns
    -------
    ReadResult

    Raises
    ------
    InputError
        Missing, unsupported, unsafe or corrupt file, or no features (subclasses:
        UnsafeArchiveError, CRSError, GeometryError).
    """
    if expect is not None and expect != "none" and expect not in _FAMILIES:
        raise ValueError(f"expect must be one of {sorted(_FAMILIES)} or None, not {expect!r}")
    if Path(source).suffix.lower() == ".parquet":
        return _in_crs(clean_read(read_geoparquet(source), str(source), expect=expect,
                                  assume_crs=assume_crs), to_crs)
    _check_size(source)
    target = _locate(source, layer, spatial=True)
    notes = target.notes
    declared: str | None = None
    if target.suffix == ".csv":
        df, used = _read_csv_frame(target.path, target.display, encoding)
        if used == "gb18030":
            notes.append(Note(
                "info", "csv_encoding",
                f"{target.display} is not UTF-8; it was read as GB18030 (GBK).",
                f"{target.display} 不是 UTF-8 编码，已按 GB18030（GBK）读取。",
            ))
        gdf, declared = _csv_to_gdf(df, target.display)
        if declared:
            gdf = gdf.set_crs(declared)
    else:
        target.encoding = encoding
        data = _gdal_read(target, read_geometry=True, to_crs=to_crs)
        if not isinstance(data, gpd.GeoDataFrame):
            raise GeometryError(
                f"{target.display} is a table without geometries.",
                hint="Read it as a table, or choose a spatial layer.",
                zh=f"{target.display} 是不含几何图形的属性表。",
                hint_zh="请按表格读取，或选择带空间信息的图层。",
            )
        gdf = _drop_kml_boilerplate(data) if target.suffix == ".kml" else data
    return _in_crs(clean_read(gdf, target.display, expect=expect, assume_crs=assume_crs,
                              notes=notes, source=target.source), to_crs)


def _in_crs(read: ReadResult, crs: str | None) -> ReadResult:
    """``read`` with its features in ``crs`` (as they are when ``crs`` is ``None``)."""
    if crs is None or read.gdf.crs is None or read.gdf.crs.equals(crs):
        return read
    return replace(read, gdf=read.gdf.to_crs(crs))


def clean_read(gdf: gpd.GeoDataFrame, display: str, *, expect: Expect = None,
               assume_crs: Any = None, notes: list[Note] | None = None,
               source: str | None = None) -> ReadResult:
    """The checks every read layer goes through: finite coordinates, a CRS, valid geometries.

    :func:`read_vector` ends here; so does a GeoParquet part a Dask worker reads.
    """
    notes = notes if notes is not None else []
    if len(gdf) == 0:
        raise InputError(
            f"{display} contains no features.",
            hint="Choose a file (or layer) that holds data.",
            zh=f"{display} 中没有任何要素。",
            hint_zh="请选择有数据的文件（或图层）。",
        )
    _refuse_non_finite(gdf, display)  # before GEOS or the CRS checks see them
    gdf, crs_source = _resolve_crs(gdf, display, assume_crs, notes)
    gdf = _clean_geometries(gdf, display, expect, notes)
    return ReadResult(gdf=gdf, notes=notes, source=source or display, crs_source=crs_source)


def read_table(
    source: str | os.PathLike[str], *, layer: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """Read a non-spatial table: CSV (UTF-8/UTF-8-SIG/GB18030), a GeoPackage attribute
    table, or any vector layer with its geometry dropped.

    Numeric-looking CSV columns become numbers, except codes with leading zeros
    (``"0012"`` stays text).
    """
    _check_size(source)
    target = _locate(source, layer, spatial=False)
    if target.suffix == ".csv":
        return _read_csv_frame(target.path, target.display, encoding)[0]
    target.encoding = encoding
    data = _gdal_read(target, read_geometry=False)
    return pd.DataFrame(data)


def list_layers(path: str | os.PathLike[str]) -> list[str]:
    """Names accepted as ``layer=``: GeoPackage/KML layers, or the datasets inside a zip."""
    p = _as_path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return [p.stem]
    gdal_path, display = str(p), p.name
    if suffix == ".zip":
        check_zip(p)
        members = zip_vector_members(p)
        if len(members) != 1:
            return members
        gdal_path, display = f"/vsizip/{p.resolve()}/{members[0]}", f"{p.name}/{members[0]}"
    member = members[0] if suffix == ".zip" else None
    refuse_virtual(_Target(p, suffix, gdal_path, display, member=member))
    try:
        return [str(n) for n, _ in pyogrio.list_layers(gdal_path)]
    except _GDAL_ERRORS as exc:
        target = _Target(p, suffix, gdal_path, display)
        raise _unreadable(target, exc) from None
