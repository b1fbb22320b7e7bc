"""Text encodings: .dbf files without a .cpg (UTF-8 or GBK), and CSV bytes."""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from gis._locate import _Target
from gis._notes import Note
from gis.errors import InputError

_PROBE_BYTES = 4 << 20  # how much of a .dbf is inspected to guess its encoding


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


_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def shapefile_parts(shp: Path) -> list[Path]:
    """The files of Shapefile ``shp`` that exist, ``.shp`` first, their suffixes in any case
    (``PARCELS.SHP`` with ``PARCELS.DBF``), as GDAL finds them."""
    names = [p.name for p in shp.parent.iterdir()]
    return [shp.parent / name for ext in _SHAPEFILE_PARTS
            if (name := _find_sidecar(names, shp.stem, ext)) is not None]


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


def _decode_text(raw: bytes, display: str, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{display} cannot be decoded as {encoding} ({exc}).",
                             zh=f"无法按 {encoding} 编码解读 {display}（{exc}）。",
                             hint_zh="请确认文件的实际编码。") from None
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
        zh=f"{display} 既不是 UTF-8 也不是 GBK/GB18030 编码的文本。",
        hint_zh="请在 Excel 中另存为“CSV UTF-8（逗号分隔）”格式。",
    )
