"""Safety checks for uploaded zip archives, which GDAL then reads in place via ``/vsizip/``."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from gis.errors import InputError, UnsafeArchiveError

__all__ = ["VECTOR_MEMBER_SUFFIXES", "check_zip", "zip_vector_members"]

#: Suffixes of members that are vector datasets GDAL can open inside a zip.
VECTOR_MEMBER_SUFFIXES = (".shp", ".gpkg", ".geojson", ".kml", ".fgb")

_GIB = 1024**3
_CHUNK = 1 << 20
# below this size a high compression ratio is harmless (a small padded .dbf packs > 100×)
_RATIO_MIN_BYTES = 1 << 20


_PROBLEM_ZH = {
    "has an absolute path": "使用了绝对路径",
    "points outside the archive (contains '..')": "指向压缩包之外（含有 '..'）",
    "has a NUL byte in its name": "文件名中含有 NUL 字符",
    "is a symbolic link": "是符号链接",
    "is encrypted": "已加密",
}


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a member name or type is unsafe, or None."""
    name = info.filename
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return "has an absolute path"
    if ".." in PurePosixPath(normalised).parts:
        return "points outside the archive (contains '..')"
    if "\x00" in name:
        return "has a NUL byte in its name"
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):  # 3 = Unix
        return "is a symbolic link"
    if info.flag_bits & 0x1:
        return "is encrypted"
    return None


def check_zip(
    path: str | Path,
    *,
    max_members: int = 1000,
    max_total_bytes: int = 2 * _GIB,
    max_ratio: float = 100.0,
    verify_data: bool = True,
) -> None:
    """Refuse a zip that could harm the reader: traversal, links, bombs, too many members.

    Parameters
    ----------
    path : str or Path
        The archive.
    max_members : int
        Most members allowed.
    max_total_bytes : int
        Most uncompressed bytes allowed, summed over members (default 2 GiB).
    max_ratio : float
        Highest uncompressed ÷ compressed size allowed for a member bigger than 1 MiB.
    verify_data : bool
        Also decompress every member (without writing anything) to check that the
        real sizes and checksums match the declared ones, so a forged header cannot
        hide a bomb.

    Raises
    ------
    UnsafeArchiveError
        Naming the archive and the offending member.
    InputError
        When the file is not a readable zip archive.
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(
            f"{path.name} is not a readable zip archive ({exc}).",
            hint="Re-create the archive with a standard zip tool.",
            zh=f"{path.name} 不是可读取的 zip 压缩包（{exc}）。",
            hint_zh="请用标准的 zip 压缩工具重新打包。",
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            raise UnsafeArchiveError(
                f"Archive {path.name} has {len(infos)} members; at most {max_members} are "
                "allowed.",
                hint="Zip only the files of the layer you want to import.",
                zh=f"压缩包 {path.name} 含有 {len(infos)} 个文件，最多允许 {max_members} 个。",
                hint_zh="请只压缩要导入图层的相关文件。",
            )
        total = 0
        for info in infos:
            problem = _member_problem(info)
            if problem:
                raise UnsafeArchiveError(
                    f"Archive {path.name} was refused: member {info.filename!r} {problem}.",
                    hint="Re-create the archive with relative paths and plain files only.",
                    zh=f"已拒绝压缩包 {path.name}：其中的 {info.filename!r} "
                    f"{_PROBLEM_ZH.get(problem, problem)}。",
                    hint_zh="请只用相对路径和普通文件重新打包。",
                )
            total += info.file_size
            if total > max_total_bytes:
                raise UnsafeArchiveError(
                    f"Archive {path.name} was refused: its members unpack to more than "
                    f"{max_total_bytes / _GIB:.3g} GiB (reached at member {info.filename!r}).",
                    hint="Split the data into smaller archives.",
                    zh=f"已拒绝压缩包 {path.name}：解压后总大小超过 "
                    f"{max_total_bytes / _GIB:.3g} GiB（在 {info.filename!r} 处超出）。",
                    hint_zh="请将数据拆分为多个较小的压缩包。",
                )
            if info.file_size > _RATIO_MIN_BYTES:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > max_ratio:
                    raise UnsafeArchiveError(
                        f"Archive {path.name} was refused: member {info.filename!r} expands "
                        f"{ratio:.0f}× ({info.compress_size} → {info.file_size} bytes), more "
                        f"than the {max_ratio:.0f}× allowed; this looks like a zip bomb.",
                        hint="Upload the layer files themselves or a normally compressed zip.",
                        zh=f"已拒绝压缩包 {path.name}：其中的 {info.filename!r} 解压后膨胀 "
                        f"{ratio:.0f} 倍（{info.compress_size} → {info.file_size} 字节），超过"
                        f"允许的 {max_ratio:.0f} 倍，疑似 zip 炸弹。",
                        hint_zh="请直接上传图层文件，或上传正常压缩的 zip 包。",
                    )
        if verify_data:
            for info in infos:
                if not info.is_dir():
                    _verify_member(zf, info, path.name)


def _verify_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: str) -> None:
    """Decompress one member in memory-sized chunks; zipfile stops at the declared size."""
    read = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                read += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UnsafeArchiveError(
            f"Archive {archive} was refused: member {info.filename!r} is corrupt or its "
            f"declared size is false ({exc}).",
            hint="Re-create the archive with a standard zip tool.",
            zh=f"已拒绝压缩包 {archive}：其中的 {info.filename!r} 已损坏或声明的大小不实"
            f"（{exc}）。",
            hint_zh="请用标准的 zip 压缩工具重新打包。",
        ) from None
    if read != info.file_size:  # pragma: no cover - zipfile raises on a mismatch itself
        raise UnsafeArchiveError(
            f"Archive {archive} was refused: member {info.filename!r} unpacks to {read} "
            f"bytes, not the declared {info.file_size}.",
            zh=f"已拒绝压缩包 {archive}：其中的 {info.filename!r} 解压后为 {read} 字节，"
            f"与声明的 {info.file_size} 字节不符。",
        )


def _is_junk(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(p == "__MACOSX" for p in parts) or (bool(parts) and parts[-1].startswith("._"))


def zip_vector_members(path: str | Path) -> list[str]:
    """Names (with folders) of the vector datasets inside a zip, sorted.

    Shapefiles (``.shp``), GeoPackages, GeoJSON, KML and FlatGeobuf files count,
    in subfolders too; macOS resource forks (``__MACOSX/``, ``._*``) do not.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{path.name} is not a readable zip archive ({exc}).",
                         zh=f"{path.name} 不是可读取的 zip 压缩包（{exc}）。",
                         hint_zh="请用标准的 zip 压缩工具重新打包。") from None
    return sorted(
        n
        for n in names
        if not n.endswith("/")
        and not _is_junk(n)
        and n.lower().endswith(VECTOR_MEMBER_SUFFIXES)
    )
