"""Large CSVs are written around the page cache (``O_DIRECT``) where the file system
takes it, the usual way where it does not, with the same bytes either way."""

from __future__ import annotations

import errno
import fcntl
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gis import _direct, _write
from gis._direct import open_direct, write_direct
from gis._write import _formula_safe_frame
from gis.io import write_table

STAGE = 64 << 10  # small buffers: many direct writes in a small test


def _takes_direct_io(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | getattr(os, "O_DIRECT", 0))
    except OSError:
        return False
    os.close(fd)
    probe.unlink()
    return hasattr(os, "O_DIRECT")


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame({
        "parcel_id": pd.Categorical([f"地块-{i}" for i in range(n)]),
        "value": rng.normal(100, 30, n).round(3),
        "message": pd.Categorical(rng.choice(["距道路 12 m", "=SUM(A1)", "缺少,评估"], n)),
    })


def _pandas(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    _formula_safe_frame(df).to_csv(buf, index=False, encoding="utf-8-sig")
    return buf.getvalue()


@pytest.fixture
def writes(monkeypatch) -> list[tuple[int, bool]]:
    """Every ``os.write`` made: (bytes written, whether the file was in direct mode)."""
    seen: list[tuple[int, bool]] = []
    real = os.write

    def write(fd: int, data) -> int:
        n = real(fd, data)
        seen.append((n, bool(fcntl.fcntl(fd, fcntl.F_GETFL) & getattr(os, "O_DIRECT", 0))))
        return n

    monkeypatch.setattr(_direct, "STAGE", STAGE)
    monkeypatch.setattr(_write, "_DIRECT_ROWS", 1000)
    monkeypatch.setattr(os, "write", write)
    return seen


def test_a_large_csv_goes_around_the_page_cache(tmp_path, writes) -> None:
    if not _takes_direct_io(tmp_path):
        pytest.skip(f"{tmp_path} takes no direct I/O")
    df = _frame(30_000)
    out = write_table(df, tmp_path / "长表.csv")
    data = out.read_bytes()
    assert data == _pandas(df)
    direct = [n for n, d in writes if d]
    # every full buffer directly, only the unaligned tail through the page cache
    assert direct and set(direct) == {STAGE}
    assert sum(direct) == len(data) // STAGE * STAGE
    assert sum(n for n, _ in writes) == len(data)
    assert [p.name for p in tmp_path.iterdir()] == ["长表.csv"]


def test_a_file_system_without_direct_io_gets_the_same_bytes(tmp_path, writes,
                                                             monkeypatch) -> None:
    """Opening with O_DIRECT refused (tmpfs before Linux 6.6): the usual way."""
    real = os.open
    tried: list[str] = []

    def no_direct(path, flags, *args):
        if flags & getattr(os, "O_DIRECT", 0):
            tried.append(str(path))
            raise OSError(errno.EINVAL, "Invalid argument")
        return real(path, flags, *args)

    monkeypatch.setattr(os, "open", no_direct)
    df = _frame(5_000)
    out = write_table(df, tmp_path / "t.csv")
    assert out.read_bytes() == _pandas(df)
    # direct I/O was asked for, refused, and the file written through Python's buffered
    # file (no os.write of the direct writer)
    assert len(tried) == (1 if hasattr(os, "O_DIRECT") else 0)
    assert writes == []


def test_direct_writes_refused_midway_go_on_the_usual_way(tmp_path, monkeypatch) -> None:
    """A file system that opens with O_DIRECT but refuses the writes: the writer turns
    direct I/O off and writes everything, in order."""
    monkeypatch.setattr(_direct, "STAGE", STAGE)
    real = os.write
    refused: list[int] = []

    def picky(fd: int, data) -> int:
        if fcntl.fcntl(fd, fcntl.F_GETFL) & getattr(os, "O_DIRECT", 0):
            refused.append(len(data))
            raise OSError(errno.EINVAL, "Invalid argument")
        return real(fd, data)

    monkeypatch.setattr(os, "write", picky)
    rng = np.random.default_rng(3)
    chunks = [rng.integers(0, 256, int(n), dtype=np.uint8).tobytes()
              for n in rng.integers(1, 3 * STAGE, 40)]
    fd = open_direct(tmp_path / "x.bin")
    if fd is None:
        pytest.skip(f"{tmp_path} takes no direct I/O")
    write_direct(fd, chunks)
    assert (tmp_path / "x.bin").read_bytes() == b"".join(chunks)
    assert refused == [STAGE]  # once, then the page cache's way


@pytest.mark.parametrize("sizes", [[0], [1], [STAGE], [STAGE + 1], [3, STAGE - 3, 5],
                                   [5 * STAGE + 17]])
def test_any_chunk_sizes_give_the_same_bytes(tmp_path, monkeypatch, sizes) -> None:
    """Chunks smaller and larger than a buffer, an exact fill and an unaligned tail."""
    monkeypatch.setattr(_direct, "STAGE", STAGE)
    rng = np.random.default_rng(len(sizes))
    chunks = [memoryview(rng.integers(0, 256, n, dtype=np.uint8).tobytes()) for n in sizes]
    path = tmp_path / "y.bin"
    fd = open_direct(path)
    if fd is None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    write_direct(fd, chunks)
    assert path.read_bytes() == b"".join(bytes(c) for c in chunks)
