"""Resolving a path (zip member, layer) to a dataset GDAL can open; unreadable-file errors."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio

from gis._archive import check_zip, zip_vector_members
from gis._notes import Note
from gis.errors import InputError

#: File suffixes ``read_vector`` accepts (lower case).
SUPPORTED_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".csv", ".fgb")

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
_FORMAT_NAMES_ZH = {
    ".geojson": "GeoJSON 文件",
    ".json": "GeoJSON 文件",
    ".gpkg": "GeoPackage 文件",
    ".shp": "Shapefile 文件",
    ".kml": "KML 文件",
    ".fgb": "FlatGeobuf 文件",
    ".csv": "CSV 文件",
    ".zip": "zip 压缩包",
}


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
        raise InputError(f"Input file {path} does not exist.", hint="Check the path.",
                         zh=f"输入文件 {path} 不存在。", hint_zh="请检查路径。")
    if path.is_dir():
        raise InputError(
            f"{path} is a folder, not a file.",
            hint="Point to the .shp/.gpkg/.geojson/.zip/.csv file inside it.",
            zh=f"{path} 是文件夹，不是文件。",
            hint_zh="请选择其中的 .shp/.gpkg/.geojson/.zip/.csv 文件。",
        )
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{path.name} has the unsupported file type {suffix or '(no suffix)'!r}.",
            hint="Use one of " + ", ".join(SUPPORTED_SUFFIXES) + ".",
            zh=f"{path.name} 的文件类型 {suffix or '（无扩展名）'!r} 不受支持。",
            hint_zh="请使用以下格式之一：" + "、".join(SUPPORTED_SUFFIXES) + "。",
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
    reason = _short_reason(exc, target)
    return InputError(
        f"{target.display} could not be read as a {fmt} ({reason}).",
        hint="Check that the file is complete and not corrupt, or export it again.",
        zh=f"无法将 {target.display} 作为{_FORMAT_NAMES_ZH.get(target.suffix, target.suffix)}"
        f"读取（{reason}）。",
        hint_zh="请检查文件是否完整、未损坏，或重新导出。",
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
                zh=f"压缩包 {path.name} 中没有矢量数据（.shp、.gpkg、.geojson、.kml）。",
                hint_zh="请将 .shp 与同名的 .shx、.dbf、.prj、.cpg 文件一并压缩。",
            )
        else:
            raise InputError(
                f"Archive {path.name} contains {len(members)} vector datasets: "
                + ", ".join(members) + ".",
                hint="Name the one to read (layer=…) or zip one dataset per file.",
                zh=f"压缩包 {path.name} 中有 {len(members)} 个矢量数据：" + "、".join(members)
                + "。",
                hint_zh="请指定要读取的一个（layer=…），或每个压缩包只放一个数据。",
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
    refuse_virtual(target)
    if target.suffix == ".shp":
        target.layer = None  # a shapefile holds exactly one layer
    elif target.suffix in _ONE_LAYER and target.layer is None:
        pass  # one layer, nothing to choose: listing it would parse a big GeoJSON once more
    else:
        target.layer = _choose_layer(target, spatial=spatial)
    return target


# formats holding exactly one layer
_ONE_LAYER = (".geojson", ".json", ".fgb")

# GDAL opens a virtual dataset (VRT XML) whatever the file is called, and follows the
# paths inside it: an upload must never be one
_VIRTUAL_MARKERS = (b"<ogrvrtdatasource", b"<vrtdataset", b"<ogrvrtlayer")


def refuse_virtual(target: _Target) -> None:
    """Refuse a file (or zip member) whose content is a GDAL VRT, before GDAL opens it."""
    try:
        if target.member is not None:
            with zipfile.ZipFile(target.path) as zf, zf.open(target.member) as fh:
                head = fh.read(4096)
        else:
            with open(target.path, "rb") as fh:
                head = fh.read(4096)
    except (OSError, KeyError, zipfile.BadZipFile):
        return  # unreadable: GDAL reports it with the right words
    if any(marker in head.lower() for marker in _VIRTUAL_MARKERS):
        fmt = _FORMAT_NAMES.get(target.suffix, target.suffix)
        fmt_zh = _FORMAT_NAMES_ZH.get(target.suffix, target.suffix)
        raise InputError(
            f"{target.display} is not a {fmt} (its content is a GDAL virtual dataset, VRT, "
            "which can point at other files).",
            hint="Export the layer itself (GeoJSON, GeoPackage or Shapefile) and import that.",
            zh=f"{target.display} 并非{fmt_zh}（其内容是可指向其他文件的 GDAL 虚拟数据集 VRT）。",
            hint_zh="请导出图层本身（GeoJSON、GeoPackage 或 Shapefile）后再导入。",
        )


# layer listings of loose files by (path, size, mtime of the file and of its -wal journal):
# a workspace names several layers of one GeoPackage, and each listing opens it again
_LISTINGS: dict[tuple[object, ...], list[tuple[str, str | None]]] = {}


def _listing_key(target: _Target) -> tuple[object, ...] | None:
    if target.member is not None:
        return None
    try:
        stats = [os.stat(target.path)]
        wal = Path(f"{target.path}-wal")
        if wal.exists():
            stats.append(os.stat(wal))
    except OSError:
        return None
    return (str(target.path.resolve()), *((s.st_size, s.st_mtime_ns, s.st_ino) for s in stats))


def _list_layers(target: _Target) -> list[tuple[str, str | None]]:
    key = _listing_key(target)
    if key is not None and key in _LISTINGS:
        return _LISTINGS[key]
    try:
        layers = [(str(n), g) for n, g in pyogrio.list_layers(target.gdal_path)]
    except _GDAL_ERRORS as exc:
        raise _unreadable(target, exc) from None
    if key is not None:
        if len(_LISTINGS) > 64:
            _LISTINGS.clear()
        _LISTINGS[key] = layers
    return layers


def _choose_layer(target: _Target, *, spatial: bool) -> str | None:
    layers = _list_layers(target)
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
            zh=f"{target.display} 中没有图层 {target.layer!r}；现有图层：" + "、".join(names)
            + "。",
            hint_zh="请从上述图层名中选择一个。",
        )
    if len(names) == 1:
        return names[0]
    candidates = [str(n) for n, g in layers if g is not None] if spatial else names
    if len(candidates) == 1:
        return candidates[0]
    if not names:
        raise InputError(f"{target.display} contains no layers.",
                         zh=f"{target.display} 中没有任何图层。")
    raise InputError(
        f"{target.display} has {len(names)} layers: " + ", ".join(names) + "; none was named.",
        hint="Choose one (e.g. `path.gpkg:layer` in a workspace, or layer=… in code).",
        zh=f"{target.display} 含有 {len(names)} 个图层：" + "、".join(names)
        + "，但未指定读取哪一个。",
        hint_zh="请指定其一（如在工作区清单中写 `路径.gpkg:图层名`，或在代码中传 layer=…）。",
    )
