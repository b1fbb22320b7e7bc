"""Tests for gis._archive: hostile zips are refused before GDAL sees them."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from gis._archive import check_zip, zip_vector_members
from gis.errors import InputError, UnsafeArchiveError
from gis.io import read_vector


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "parcels.zip", {"parcels.shp": b"\0" * (50 * 1024 * 1024)})
    assert bomb.stat().st_size < 100_000  # 50 MB of zeros packs to ~50 KB
    with pytest.raises(UnsafeArchiveError, match=r"parcels\.zip.*'parcels\.shp'.*zip bomb"):
        check_zip(bomb)
    with pytest.raises(UnsafeArchiveError):
        read_vector(bomb)


def test_small_highly_compressible_member_is_fine(tmp_path: Path) -> None:
    # a padded .dbf of a few KB compresses far beyond 100x and is harmless
    ok = _zip(tmp_path / "ok.zip", {"a.dbf": b" " * 200_000, "a.shp": b"x"})
    check_zip(ok)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil.shp", r"outside the archive"),
        ("data/../../evil.shp", r"outside the archive"),
        ("/etc/evil.shp", r"absolute path"),
        ("C:/evil.shp", r"absolute path"),
        ("..\\evil.shp", r"outside the archive"),
    ],
)
def test_path_traversal_is_refused(tmp_path: Path, name: str, why: str) -> None:
    slip = _zip(tmp_path / "slip.zip", {name: b"data"})
    with pytest.raises(UnsafeArchiveError, match=rf"slip\.zip.*{why}") as info:
        check_zip(slip)
    assert repr(name)[1:-1] in str(info.value)
    with pytest.raises(UnsafeArchiveError):
        read_vector(slip)


def test_symlink_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("roads.shp")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="symbolic link"):
        check_zip(path)


def test_member_count_and_total_size_limits(tmp_path: Path) -> None:
    many = _zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(6)})
    with pytest.raises(UnsafeArchiveError, match="6 members; at most 5"):
        check_zip(many, max_members=5)
    check_zip(many, max_members=6)
    big = _zip(tmp_path / "big.zip", {"a.bin": bytes(range(256)) * 8, "b.bin": b"y" * 10})
    with pytest.raises(UnsafeArchiveError, match=r"more than .*'b\.bin'"):
        check_zip(big, max_total_bytes=2050)


def test_forged_size_header_is_caught(tmp_path: Path) -> None:
    path = _zip(tmp_path / "forged.zip", {"a.shp": b"\0" * 200_000})
    raw = bytearray(path.read_bytes())
    # shrink the declared uncompressed size in the central directory (offset 24 of the entry)
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("a.shp").file_size == 1000  # the lie passes the header checks
    with pytest.raises(UnsafeArchiveError, match="corrupt or its declared size is false"):
        check_zip(path)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(InputError, match=r"upload\.zip is not a readable zip"):
        check_zip(path)
    with pytest.raises(InputError, match=r"upload\.zip"):
        read_vector(path)


def test_zip_vector_members(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "m.zip",
        {
            "data/矿山/mines.shp": b"",
            "data/矿山/mines.dbf": b"",
            "zones.GPKG": b"",
            "a/roads.geojson": b"",
            "b.kml": b"",
            "readme.txt": b"",
            "__MACOSX/data/._mines.shp": b"",
            "data/._x.shp": b"",
            "folder/": b"",
        },
    )
    assert zip_vector_members(path) == [
        "a/roads.geojson",
        "b.kml",
        "data/矿山/mines.shp",
        "zones.GPKG",
    ]
