"""Safe reading of vector layers and tables: formats, zips, encodings, CRS and geometry repair."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from gis import errors as _errors
from gis._archive import check_zip, zip_vector_members
from gis.crs import check_declared_crs, describe_candidates, detect_crs
from gis.errors import CRSError, GeometryError, InputError, PlannerError

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Note",
    "ReadResult",
    "list_layers",
    "read_table",
    "read_vector",
    "read_vector_isolated",
]

#: File suffixes ``read_vector`` accepts (lower case).
SUPPORTED_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".csv", ".fgb")

Expect = Literal["polygon", "line", "point", "line_or_point", "none"] | None
CrsSource = Literal["declared", "detected", "assumed"]

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
_FORMAT_NAMES = {
    ".geojson": "GeoJSON file",
    ".json": "GeoJSON file",
    ".gpkg": "GeoPackage",
    ".shp": "shapefile",
    ".kml": "KML file",
    ".fgb": "FlatGeobuf file",
    ".csv": "CSV file",
    ".zip": "zip archive",
}
_X_ALIASES = ("lon", "lng", "long", "longitude", "x", "经度", "x坐标", "东经")
_Y_ALIASES = ("lat", "latitude", "y", "纬度", "y坐标", "北纬")
_WKT_ALIASES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何")
_PROBE_BYTES = 4 << 20  # how much of a .dbf is inspected to guess its encoding
_MAX_LISTED = 5
_GIB = 1024**3


@dataclass(frozen=True)
class Note:
    """Something the reader noticed or changed, in English and Chinese.

    Attributes
    ----------
    severity : {"info", "warning"}
    code : str
        Stable identifier, e.g. ``"gbk_encoding"``, ``"geometry_repaired"``.
    message_en, message_zh : str
        One sentence each.
    count : int or None
        Number of features concerned, when that makes sense.
    """

    severity: Literal["info", "warning"]
    code: str
    message_en: str
    message_zh: str = ""
    count: int | None = None

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` ("zh…" or "en"), falling back to English."""
        return self.message_zh if lang.startswith("zh") and self.message_zh else self.message_en


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


# ---------------------------------------------------------------------------
# Locating the dataset
# ---------------------------------------------------------------------------


@dataclass
class _Target:
    path: Path  # the file on disk
    suffix: str  # of the dataset itself (the member's inside a zip)
    gdal_path: str  # what GDAL opens
    display: str  # short name for messages (no server directories)
    member: str | None = None
    layer: str | None = None
    encoding: str | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def source(self) -> str:
        text = str(self.path) + (f"/{self.member}" if self.member else "")
        return text + (f":{self.layer}" if self.layer else "")


def _as_path(source: str | os.PathLike[str]) -> Path:
    path = Path(source)
    if not path.exists():
        raise InputError(f"Input file {path} does not exist.", hint="Check the path.")
    if path.is_dir():
        raise InputError(
            f"{path} is a folder, not a file.",
            hint="Point to the .shp/.gpkg/.geojson/.zip/.csv file inside it.",
        )
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{path.name} has the unsupported file type {suffix or '(no suffix)'!r}.",
            hint="Use one of " + ", ".join(SUPPORTED_SUFFIXES) + ".",
        )
    return path


def _short_reason(exc: BaseException, target: _Target | None = None) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.split("; It might help", 1)[0]  # GDAL's advice about driver prefixes
    text = text.replace("not recognized as being in a supported file format",
                        "is not in a recognised format")
    if target is not None:
        text = text.replace(target.gdal_path, target.display).replace(str(target.path),
                                                                       target.path.name)
    return text[:200].rstrip(" .")


def _unreadable(target: _Target, exc: BaseException) -> InputError:
    fmt = _FORMAT_NAMES.get(target.suffix, target.suffix)
    return InputError(
        f"{target.display} could not be read as a {fmt} ({_short_reason(exc, target)}).",
        hint="Check that the file is complete and not corrupt, or export it again.",
    )


# pyogrio errors derive from RuntimeError; GDAL I/O problems surface as OSError
_GDAL_ERRORS = (RuntimeError, OSError, UnicodeError, ValueError, MemoryError)


def _match_member(members: Sequence[str], wanted: str) -> str | None:
    wanted_l = wanted.lower()
    for m in members:
        base = m.rsplit("/", 1)[-1]
        if wanted_l in (m.lower(), base.lower(), base.rsplit(".", 1)[0].lower()):
            return m
    return None


def _locate(source: str | os.PathLike[str], layer: str | None, *, spatial: bool) -> _Target:
    """Resolve a path (and zip member, layer) to something GDAL can open."""
    path = _as_path(source)
    suffix = path.suffix.lower()
    if suffix != ".zip":
        target = _Target(path, suffix, str(path), path.name, layer=layer)
    else:
        check_zip(path)
        members = zip_vector_members(path)
        member = _match_member(members, layer) if layer else None
        if member is not None:
            layer = None
        elif len(members) == 1:
            member = members[0]
        elif not members:
            raise InputError(
                f"Archive {path.name} contains no vector dataset (.shp, .gpkg, .geojson, .kml).",
                hint="Zip the .shp together with its .shx, .dbf, .prj and .cpg files.",
            )
        else:
            raise InputError(
                f"Archive {path.name} contains {len(members)} vector datasets: "
                + ", ".join(members) + ".",
                hint="Name the one to read (layer=…) or zip one dataset per file.",
            )
        msuffix = "." + member.rsplit(".", 1)[-1].lower()
        target = _Target(
            path,
            msuffix,
            f"/vsizip/{path.resolve()}/{member}",
            f"{path.name}/{member}",
            member=member,
            layer=layer,
        )
    if target.suffix == ".csv":
        return target
    if target.suffix == ".shp":
        target.layer = None  # a shapefile holds exactly one layer
    else:
        target.layer = _choose_layer(target, spatial=spatial)
    return target


def _choose_layer(target: _Target, *, spatial: bool) -> str | None:
    try:
        layers = pyogrio.list_layers(target.gdal_path)
    except _GDAL_ERRORS as exc:
        raise _unreadable(target, exc) from None
    names = [str(n) for n, _ in layers]
    if target.layer is not None:
        if target.layer in names:
            return target.layer
        lower = {n.lower(): n for n in names}
        if target.layer.lower() in lower:
            return lower[target.layer.lower()]
        raise InputError(
            f"{target.display} has no layer {target.layer!r}; its layers are: "
            + ", ".join(names) + ".",
            hint="Pass one of these names as the layer.",
        )
    if len(names) == 1:
        return names[0]
    candidates = [str(n) for n, g in layers if g is not None] if spatial else names
    if len(candidates) == 1:
        return candidates[0]
    if not names:
        raise InputError(f"{target.display} contains no layers.")
    raise InputError(
        f"{target.display} has {len(names)} layers: " + ", ".join(names) + "; none was named.",
        hint="Choose one (e.g. `path.gpkg:layer` in a workspace, or layer=… in code).",
    )


# ---------------------------------------------------------------------------
# Shapefile encoding
# ---------------------------------------------------------------------------


def _sidecar_names(target: _Target) -> tuple[list[str], Callable[[str], bytes]]:
    """Names next to the .shp and a function reading up to _PROBE_BYTES of one of them."""
    if target.member is None:
        folder = target.path.parent
        names = [p.name for p in folder.iterdir()]

        def read_loose(name: str) -> bytes:
            with open(folder / name, "rb") as fh:
                return fh.read(_PROBE_BYTES)

        return names, read_loose
    prefix = target.member.rsplit("/", 1)[0] + "/" if "/" in target.member else ""
    with zipfile.ZipFile(target.path) as zf:
        names = [n[len(prefix):] for n in zf.namelist() if n.startswith(prefix)]

    def read_member(name: str) -> bytes:
        with zipfile.ZipFile(target.path) as zf2, zf2.open(prefix + name) as fh:
            return fh.read(_PROBE_BYTES)

    return names, read_member


def _find_sidecar(names: Sequence[str], stem: str, ext: str) -> str | None:
    wanted = (stem + ext).lower()
    return next((n for n in names if n.lower() == wanted), None)


def _shapefile_encoding(target: _Target) -> None:
    """Decide the .dbf encoding when GDAL would silently fall back to Latin-1."""
    shp_name = (target.member or target.path.name).rsplit("/", 1)[-1]
    stem = shp_name.rsplit(".", 1)[0]
    names, read = _sidecar_names(target)
    if _find_sidecar(names, stem, ".cpg"):
        return  # GDAL honours the declared code page
    dbf = _find_sidecar(names, stem, ".dbf")
    if dbf is None:
        return
    raw = read(dbf)
    if len(raw) < 32 or raw[29] != 0:
        return  # a language-driver id: GDAL maps it (e.g. 0x4D = CP936)
    header_len = int.from_bytes(raw[8:10], "little")
    body = raw[32:header_len] + raw[header_len:]  # field names, then the records
    if body.isascii():
        return
    try:
        codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        pass
    else:
        target.encoding = "UTF-8"
        target.notes.append(Note(
            "info", "utf8_encoding",
            f"{target.display}: the .dbf declares no code page (no .cpg); its text is valid "
            "UTF-8 and was read as UTF-8.",
            f"{target.display}：.dbf 未声明编码（缺少 .cpg），内容为有效 UTF-8，已按 UTF-8 读取。",
        ))
        return
    try:
        codecs.getincrementaldecoder("gb18030")().decode(body, final=False)
    except UnicodeDecodeError:
        target.notes.append(Note(
            "warning", "unknown_encoding",
            f"{target.display}: the .dbf declares no code page and is neither UTF-8 nor GBK; "
            "text may be garbled. Add a .cpg file naming its encoding.",
            f"{target.display}：.dbf 未声明编码且既非 UTF-8 也非 GBK，文字可能乱码；"
            "请补充注明编码的 .cpg 文件。",
        ))
        return
    target.encoding = "GB18030"
    target.notes.append(Note(
        "warning", "gbk_encoding",
        f"{target.display}: the .dbf declares no code page (no .cpg) and is not UTF-8; its text "
        "was read as GB18030 (GBK). Add a .cpg file if names look wrong.",
        f"{target.display}：.dbf 未声明编码（缺少 .cpg）且不是 UTF-8，已按 GB18030（GBK）读取；"
        "若中文显示异常，请补充 .cpg 文件。",
    ))


# ---------------------------------------------------------------------------
# GDAL reading
# ---------------------------------------------------------------------------


def _gdal_read(target: _Target, *, read_geometry: bool) -> pd.DataFrame:
    if target.suffix == ".shp" and target.encoding is None:
        _shapefile_encoding(target)
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
        )
    try:
        return pyogrio.read_dataframe(
            target.gdal_path,
            layer=target.layer,
            encoding=target.encoding,
            read_geometry=read_geometry,
            on_invalid="ignore",
        )
    except _GDAL_ERRORS as exc:
        raise _unreadable(target, exc) from None


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------


def _decode_text(raw: bytes, display: str, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{display} cannot be decoded as {encoding} ({exc}).") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{display} is neither UTF-8 nor GBK/GB18030 text.",
        hint="Save it from Excel as 'CSV UTF-8'.",
    )


_LEADING_ZERO = re.compile(r"^[+-]?0\d")


def _infer_types(df: pd.DataFrame) -> pd.DataFrame:
    """Turn all-numeric text columns into numbers; keep codes like '0012' as text."""
    out = {}
    for col in df.columns:
        s = df[col]
        values = s.dropna()
        values = values[values.str.strip() != ""]
        if len(values) and not values.str.match(_LEADING_ZERO).any():
            num = pd.to_numeric(values.str.strip(), errors="coerce")
            if num.notna().all():
                out[col] = pd.to_numeric(s.where(s.str.strip() != ""), errors="coerce")
                continue
        out[col] = s
    return pd.DataFrame(out, index=df.index)


def _read_csv_frame(path: Path, display: str, encoding: str | None) -> tuple[pd.DataFrame, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{display} cannot be read ({exc.strerror}).") from None
    text, used = _decode_text(raw, display, encoding)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = max((",", "\t", ";"), key=first.count)
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        raise InputError(
            f"{display} is not a readable CSV table ({_short_reason(exc)}).",
            hint="Check the separators and quotes; one header row, one feature per row.",
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    return _infer_types(df), used


def _find_column(columns: Sequence[str], aliases: Sequence[str]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    return next((lower[a] for a in aliases if a in lower), None)


def _rows(index: Sequence[Any]) -> str:
    shown = ", ".join(str(int(i) + 2) for i in list(index)[:_MAX_LISTED])  # +2: header, 1-based
    more = f" and {len(index) - _MAX_LISTED} more" if len(index) > _MAX_LISTED else ""
    return shown + more


def _csv_to_gdf(df: pd.DataFrame, display: str) -> tuple[gpd.GeoDataFrame, str | None]:
    """Build geometries from a WKT column or lon/lat columns; returns (gdf, declared CRS)."""
    wkt_col = _find_column(df.columns, _WKT_ALIASES)
    xcol, ycol = _find_column(df.columns, _X_ALIASES), _find_column(df.columns, _Y_ALIASES)
    declared: str | None = None
    if wkt_col is not None and df[wkt_col].notna().any():
        text = df[wkt_col].astype("string").str.strip()
        srid = text.str.extract(r"^SRID=(\d+);", flags=re.IGNORECASE)[0]
        if srid.notna().any():
            codes = set(srid.dropna())
            if len(codes) > 1:
                raise CRSError(f"{display}: column {wkt_col!r} mixes SRIDs {sorted(codes)}.")
            declared = f"EPSG:{codes.pop()}"
            text = text.str.replace(r"^SRID=\d+;", "", regex=True, flags=re.IGNORECASE)
        present = text.notna() & (text != "")
        arr = np.array(text.where(present, None).to_numpy(dtype=object, na_value=None))
        geoms = shapely.from_wkt(arr, on_invalid="ignore")
        bad = np.flatnonzero(present.to_numpy() & pd.isna(geoms))
        if len(bad):
            raise InputError(
                f"{display}: column {wkt_col!r} holds text that is not WKT on row(s) "
                f"{_rows(bad)} (e.g. {str(text.iloc[bad[0]])[:40]!r}).",
                hint="Use WKT such as 'POLYGON ((x y, …))', or lon/lat columns.",
            )
        return gpd.GeoDataFrame(df.drop(columns=[wkt_col]), geometry=list(geoms)), declared
    if xcol is None or ycol is None:
        raise InputError(
            f"{display} has no coordinate columns; its columns are: "
            + ", ".join(map(str, df.columns[:20])) + ".",
            hint="Add lon/lat (经度/纬度, x/y) columns or a WKT column named wkt or geometry.",
        )
    coords = {}
    for col in (xcol, ycol):
        raw = df[col]
        num = pd.to_numeric(raw, errors="coerce")
        bad = np.flatnonzero(num.isna().to_numpy() & raw.notna().to_numpy())
        if len(bad):
            raise InputError(
                f"{display}: column {col!r} must hold numbers, but row(s) {_rows(bad)} do not "
                f"(e.g. {raw.iloc[bad[0]]!r}).",
                hint="Use decimal degrees or metres without units or degree signs.",
            )
        coords[col] = num.to_numpy(dtype="float64", na_value=np.nan)
    x, y = coords[xcol], coords[ycol]
    ok = np.isfinite(x) & np.isfinite(y)
    geoms = np.full(len(df), None, dtype=object)
    geoms[ok] = shapely.points(x[ok], y[ok])
    return gpd.GeoDataFrame(df, geometry=list(geoms)), declared


# ---------------------------------------------------------------------------
# CRS
# ---------------------------------------------------------------------------


def _bounds_text(bounds: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in bounds) + ")"


def _swap_xy(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    def swap(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        out[:, [0, 1]] = coords[:, [1, 0]]
        return out

    geoms = shapely.transform(np.asarray(gdf.geometry.values), swap, include_z=None)
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs)
    return out


def _crs_label(crs: Any) -> str:
    crs = pyproj.CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _resolve_crs(
    gdf: gpd.GeoDataFrame, display: str, assume_crs: Any, notes: list[Note]
) -> tuple[gpd.GeoDataFrame, CrsSource]:
    geoms = gdf.geometry
    present = geoms[~(geoms.isna() | geoms.is_empty)]
    if len(present) == 0:
        return gdf, "declared" if gdf.crs is not None else "assumed"
    bounds = tuple(float(v) for v in present.total_bounds)
    box = _bounds_text(bounds)
    if gdf.crs is not None:
        label = _crs_label(gdf.crs)
        problem = check_declared_crs(gdf.crs, bounds)
        if problem is None:
            if assume_crs is not None and not pyproj.CRS.from_user_input(assume_crs).equals(
                gdf.crs
            ):
                notes.append(Note(
                    "info", "assume_crs_ignored",
                    f"{display} declares {label}, which fits its coordinates; the assumed CRS "
                    f"{_crs_label(assume_crs)} was not used.",
                    f"{display} 已声明坐标系 {label} 且与坐标相符，未采用指定的 "
                    f"{_crs_label(assume_crs)}。",
                ))
            return gdf, "declared"
        if assume_crs is not None:
            out = gdf.set_crs(assume_crs, allow_override=True)
            notes.append(Note(
                "warning", "crs_overridden",
                f"{display}: {problem} The CRS {_crs_label(assume_crs)} was used as asked.",
                f"{display} 声明的坐标系 {label} 与坐标范围 {box} 不符，已按指定改用 "
                f"{_crs_label(assume_crs)}。",
            ))
            return out, "assumed"
        detected = detect_crs(bounds)
        declared = pyproj.CRS.from_user_input(gdf.crs)
        if detected and detected[0].swapped and any(
            pyproj.CRS.from_epsg(c.epsg).equals(declared)
            or (c.epsg == 4490 and declared.is_geographic)
            for c in detected
        ):
            notes.append(Note(
                "warning", "axes_swapped",
                f"{display}: X and Y were exchanged in the file ({box}); they were swapped back "
                f"to fit the declared {label}.",
                f"{display} 的 X、Y 坐标互换（{box}），已按声明的 {label} 交换回来。",
            ))
            return _swap_xy(gdf), "declared"
        if declared.is_geographic and not (
            abs(bounds[0]) <= 180 and abs(bounds[2]) <= 180
            and abs(bounds[1]) <= 90 and abs(bounds[3]) <= 90
        ):
            raise CRSError(
                f"{display}: {problem}",
                hint="Fix the .prj, or pass the real CRS (assume_crs / --crs) to override it.",
            )
        notes.append(Note(
            "warning", "crs_mismatch",
            f"{display}: {problem}",
            f"{display} 声明的坐标系 {label} 与坐标范围 {box} 不符，请检查 .prj 或坐标。",
        ))
        return gdf, "declared"

    if assume_crs is not None:
        label = _crs_label(assume_crs)
        out = gdf.set_crs(assume_crs)
        problem = check_declared_crs(out.crs, bounds)
        if problem:
            notes.append(Note(
                "warning", "crs_mismatch",
                f"{display}: {problem}",
                f"{display} 指定的坐标系 {label} 与坐标范围 {box} 不符，请检查。",
            ))
        else:
            notes.append(Note(
                "info", "crs_assumed",
                f"{display} has no CRS; {label} was used as given.",
                f"{display} 未声明坐标系，已按指定使用 {label}。",
            ))
        return out, "assumed"

    candidates = detect_crs(bounds)
    if not candidates:
        raise CRSError(
            f"{display} has no CRS and its coordinates {box} look neither like degrees within "
            "China nor like Gauss–Krüger metres.",
            hint="Add a .prj file or pass the CRS explicitly (assume_crs / --crs).",
        )
    if len(candidates) > 1:
        swapped = " (with X and Y exchanged)" if candidates[0].swapped else ""
        raise CRSError(
            f"{display} has no CRS and its coordinates {box}{swapped} fit several Gauss–Krüger "
            f"zones without prefix: {describe_candidates(candidates)}; the zone cannot be told "
            "from the coordinates.",
            hint="Give the CRS explicitly (e.g. EPSG:4547 for CM 114°E: `devzone import --crs`, "
            "or the app's CRS field) or add a .prj file.",
        )
    cand = candidates[0]
    out = _swap_xy(gdf) if cand.swapped else gdf
    out = out.set_crs(cand.epsg)
    name = pyproj.CRS.from_epsg(cand.epsg).name
    if cand.swapped:
        notes.append(Note(
            "warning", "axes_swapped",
            f"{display}: X and Y were exchanged in the file ({box}); they were swapped back.",
            f"{display} 的 X、Y 坐标互换（{box}），已交换回来。",
        ))
    notes.append(Note(
        "warning", "crs_detected",
        f"{display} has no CRS; the coordinates {box} look like {cand.reason}, so "
        f"EPSG:{cand.epsg} ({name}) was assumed. Add a .prj file to make this explicit.",
        f"{display} 未声明坐标系；根据坐标范围 {box} 推断为 EPSG:{cand.epsg}（{name}），"
        "建议补充 .prj 文件。",
    ))
    return out, "detected"


# ---------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------

_FAMILIES: dict[str, frozenset[str]] = {
    "polygon": frozenset({"Polygon", "MultiPolygon"}),
    "line": frozenset({"LineString", "MultiLineString", "LinearRing"}),
    "point": frozenset({"Point", "MultiPoint"}),
}
_FAMILIES["line_or_point"] = _FAMILIES["line"] | _FAMILIES["point"]
_TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
               "MultiPolygon", "GeometryCollection")
_TYPE_IDS = {name: i for i, name in enumerate(_TYPE_NAMES)}
_FAMILY_ZH = {"polygon": "面", "line": "线", "point": "点", "line_or_point": "线或点"}


def _type_names(type_ids: np.ndarray) -> list[str]:
    return [_TYPE_NAMES[i] if 0 <= i < len(_TYPE_NAMES) else "None" for i in type_ids]


def _singles(geom: Any) -> list[Any]:
    if geom.geom_type in ("GeometryCollection", "MultiPolygon", "MultiLineString", "MultiPoint"):
        return [s for part in geom.geoms for s in _singles(part)]
    return [] if geom.is_empty else [geom]


def _keep_family(geom: Any, family: str) -> Any | None:
    """The parts of ``geom`` in ``family`` (None if there are none)."""
    singles = _singles(geom)
    for fam in (("line", "point") if family == "line_or_point" else (family,)):
        parts = [g for g in singles if g.geom_type in _FAMILIES[fam]]
        if not parts:
            continue
        if len(parts) == 1:
            return parts[0]
        if fam == "polygon":
            return shapely.union_all(parts)
        return shapely.MultiLineString(parts) if fam == "line" else shapely.MultiPoint(parts)
    return None


def _indices(idx: Sequence[Any]) -> str:
    shown = ", ".join(str(i) for i in list(idx)[:_MAX_LISTED])
    return shown + (f" … ({len(idx)} in all)" if len(idx) > _MAX_LISTED else "")


def _clean_geometries(
    gdf: gpd.GeoDataFrame, display: str, expect: Expect, notes: list[Note]
) -> gpd.GeoDataFrame:
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    arr = np.array(geoms, dtype=object)
    missing = pd.isna(arr) | shapely.is_empty(arr)
    if missing.all():
        raise InputError(
            f"{display} has {len(arr)} feature(s) but none with a geometry.",
            hint="Export the layer again with its geometries.",
        )
    if missing.any():
        n = int(missing.sum())
        notes.append(Note(
            "warning", "null_geometry_dropped",
            f"{display}: {n} feature(s) without geometry were dropped "
            f"(feature index {_indices(np.flatnonzero(missing))}).",
            f"{display}：{n} 个要素没有几何，已剔除。",
            count=n,
        ))
    keep = ~missing
    invalid = keep.copy()
    invalid[keep] = ~shapely.is_valid(arr[keep])
    if invalid.any():
        n = int(invalid.sum())
        arr[invalid] = shapely.make_valid(arr[invalid])
        notes.append(Note(
            "warning", "geometry_repaired",
            f"{display}: {n} invalid geometr{'y was' if n == 1 else 'ies were'} repaired "
            f"(feature index {_indices(np.flatnonzero(invalid))}).",
            f"{display}：修复了 {n} 个无效几何（如自相交）。",
            count=n,
        ))
        emptied = invalid & shapely.is_empty(arr)
        keep &= ~emptied
    if expect in _FAMILIES:
        allowed = _FAMILIES[str(expect)]
        type_ids = shapely.get_type_id(arr)
        other = keep & ~np.isin(type_ids, [_TYPE_IDS[t] for t in allowed])
        trimmed = np.zeros(len(arr), dtype=bool)
        wrong = np.zeros(len(arr), dtype=bool)
        for i in np.flatnonzero(other):
            kept = _keep_family(arr[i], str(expect))
            if kept is None:
                wrong[i] = True
            else:
                arr[i] = kept
                trimmed[i] = True
        fam_en = str(expect).replace("_", " ")
        if wrong[keep].all():
            found = pd.Series(_type_names(type_ids[keep])).value_counts()
            summary = ", ".join(f"{c} {t}" for t, c in found.items())
            raise GeometryError(
                f"{display} holds {int(keep.sum())} feature(s) ({summary}) but a {fam_en} layer "
                "was expected; none can be used.",
                hint=f"Choose a file with {fam_en} geometries for this layer.",
            )
        if trimmed.any():
            n = int(trimmed.sum())
            notes.append(Note(
                "warning", "parts_dropped",
                f"{display}: {n} feature(s) also held non-{fam_en} parts, which were removed "
                f"(feature index {_indices(np.flatnonzero(trimmed))}).",
                f"{display}：{n} 个要素含有非{_FAMILY_ZH[str(expect)]}部分，已去除。",
                count=n,
            ))
        if wrong.any():
            n = int(wrong.sum())
            kinds = ", ".join(sorted(set(_type_names(type_ids[wrong]))))
            notes.append(Note(
                "warning", "wrong_type_dropped",
                f"{display}: {n} feature(s) of the wrong geometry type ({kinds}; a {fam_en} "
                f"layer was expected) were dropped (feature index "
                f"{_indices(np.flatnonzero(wrong))}).",
                f"{display}：{n} 个要素几何类型不符（{kinds}，应为{_FAMILY_ZH[str(expect)]}），"
                "已剔除。",
                count=n,
            ))
        keep &= ~wrong
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(arr, index=gdf.index, crs=gdf.crs)
    return out.loc[keep].reset_index(drop=True)


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
        data = _gdal_read(target, read_geometry=True)
        if not isinstance(data, gpd.GeoDataFrame):
            raise GeometryError(
                f"{target.display} is a table without geometries.",
                hint="Read it as a table, or choose a spatial layer.",
            )
        gdf = _drop_kml_boilerplate(data) if target.suffix == ".kml" else data
    if len(gdf) == 0:
        raise InputError(
            f"{target.display} contains no features.",
            hint="Choose a file (or layer) that holds data.",
        )
    gdf, crs_source = _resolve_crs(gdf, target.display, assume_crs, notes)
    gdf = _clean_geometries(gdf, target.display, expect, notes)
    return ReadResult(gdf=gdf, notes=notes, source=target.source, crs_source=crs_source)


def read_table(
    source: str | os.PathLike[str], *, layer: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """Read a non-spatial table: CSV (UTF-8/UTF-8-SIG/GB18030), a GeoPackage attribute
    table, or any vector layer with its geometry dropped.

    Numeric-looking CSV columns become numbers, except codes with leading zeros
    (``"0012"`` stays text).
    """
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
    try:
        return [str(n) for n, _ in pyogrio.list_layers(gdal_path)]
    except _GDAL_ERRORS as exc:
        target = _Target(p, suffix, gdal_path, display)
        raise _unreadable(target, exc) from None


# ---------------------------------------------------------------------------
# Isolated reading (child process with limits)
# ---------------------------------------------------------------------------

_CHILD_BOOT = (
    "import resource, sys\n"
    "lim = int(sys.argv[1])\n"
    "if lim > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))\n"
    "import runpy\n"
    "sys.argv = [sys.argv[0], *sys.argv[2:]]\n"
    "runpy.run_module('gis._read', run_name='__main__', alter_sys=True)\n"
)


def read_vector_isolated(
    source: str | os.PathLike[str],
    *,
    timeout: float = 60.0,
    memory_limit: int = 4 * _GIB,
    **kwargs: Any,
) -> ReadResult:
    """:func:`read_vector` in a child process with a time and address-space limit.

    A GDAL crash, hang or runaway allocation on an untrusted upload then costs
    only the child. ``kwargs`` are those of :func:`read_vector`.

    Parameters
    ----------
    timeout : float
        Seconds before the child is killed.
    memory_limit : int
        Address-space limit of the child in bytes (RLIMIT_AS); 0 for none.

    Raises
    ------
    InputError
        "the file could not be parsed safely: …" on a crash, timeout or memory
        exhaustion; errors raised by ``read_vector`` in the child are re-raised
        with their own class and message.
    """
    path = _as_path(source).resolve()
    root = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory(prefix="devzone-read-") as tmp:
        request = Path(tmp) / "request.json"
        result = Path(tmp) / "result.pkl"
        request.write_text(
            json.dumps({"source": str(path), "kwargs": _json_kwargs(kwargs), "out": str(result)}),
            encoding="utf-8",
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH")
                                    else "")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        cmd = [sys.executable, "-c", _CHILD_BOOT, str(int(memory_limit)), str(request)]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, timeout=timeout, env=env, check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise InputError(
                f"The file {path.name} could not be parsed safely: reading took longer than "
                f"{timeout:g} s and was stopped.",
                hint="Check the file, or simplify/split it before uploading.",
            ) from None
        if result.exists() and proc.returncode == 0:
            with open(result, "rb") as fh:
                payload = pickle.load(fh)  # written by our own child process
            if payload[0] == "ok":
                return payload[1]
            _, cls_name, message, hint = payload
            cls = getattr(_errors, cls_name, InputError)
            if not (isinstance(cls, type) and issubclass(cls, PlannerError)):
                cls = InputError
            raise cls(message, hint=hint)
        raise InputError(
            f"The file {path.name} could not be parsed safely: {_child_failure(proc)}.",
            hint="Check the file, or export it again from the source software.",
        )


def _json_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    allowed = {"layer", "encoding", "expect", "assume_crs"}
    unknown = set(kwargs) - allowed
    if unknown:
        raise TypeError(f"unexpected argument(s) {sorted(unknown)}")
    out = dict(kwargs)
    if out.get("assume_crs") is not None:
        crs = pyproj.CRS.from_user_input(out["assume_crs"])
        auth = crs.to_authority()
        out["assume_crs"] = f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()
    return out


def _child_failure(proc: subprocess.CompletedProcess[bytes]) -> str:
    stderr = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    last = stderr[-1][:200] if stderr else ""
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return f"the reader crashed ({name})"
    if "MemoryError" in last or "memory" in last.lower():
        return "the reader ran out of memory"
    return f"the reader failed ({last or f'exit code {proc.returncode}'})"


def _child_main(argv: Sequence[str]) -> int:
    """Entry of the child process: ``python -m gis._read REQUEST.json``."""
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        res: Any = ("ok", read_vector(request["source"], **request["kwargs"]))
    except PlannerError as exc:
        res = ("error", type(exc).__name__, exc.message, exc.hint)
    except MemoryError:
        res = ("error", "InputError",
               f"The file {Path(request['source']).name} could not be parsed safely: the "
               "reader ran out of memory.", None)
    tmp = request["out"] + ".part"
    with open(tmp, "wb") as fh:
        pickle.dump(res, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, request["out"])
    return 0


if __name__ == "__main__":
    # run the imported module's copy so pickled classes resolve as gis._read.*, not __main__.*
    from gis._read import _child_main as _main

    sys.exit(_main(sys.argv[1:]))
