"""Content digests of files and of single layers in multi-layer files (cache keys).

A digest names *content*: the same bytes (or the same layer rows) give the
same digest wherever the file lives and whatever its modification time. Each
digest is remembered within the process by ``(path, layer, size, mtime_ns,
ctime_ns, inode)`` so a file is read once until it changes. :func:`memo` and
:func:`remember` let a later process start from them (e.g. after a server
restart): a digest is taken only while its file's stat is still the same, and
any write to a file changes its ctime.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["file_digest", "layer_digest", "memo", "remember", "text_digest"]

BLOCK = 1 << 20  # bytes read per block
MemoKey = tuple[str, str | None, int, int, int, int]  # path, layer, size, mtime, ctime, inode
_MEMO: dict[MemoKey, str] = {}
_MEMO_LOCK = threading.Lock()


def _new() -> hashlib.blake2b:
    return hashlib.blake2b(digest_size=20)


def text_digest(text: str) -> str:
    """The digest of a text (UTF-8).

    >>> text_digest("规则") == text_digest("规则"), text_digest("a") == text_digest("b")
    (True, False)
    """
    h = _new()
    h.update(text.encode("utf-8"))
    return h.hexdigest()


def _memo_key(path: Path, layer: str | None) -> MemoKey:
    st = path.stat()
    return (str(path.resolve()), layer, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _current(key: MemoKey) -> bool:
    """Whether the file of ``key`` is still exactly as when it was digested."""
    try:
        return _memo_key(Path(key[0]), key[1]) == key
    except (OSError, ValueError):
        return False


def memo() -> dict[MemoKey, str]:
    """The digests remembered by this process whose files are unchanged (to store)."""
    with _MEMO_LOCK:
        items = list(_MEMO.items())
    return {k: v for k, v in items if _current(k)}


def remember(entries: dict[MemoKey, str]) -> int:
    """Remember digests stored by an earlier process (:func:`memo`); those whose file has
    changed since (path, size, mtime, ctime or inode) are left out. Returns how many are kept.
    """
    kept = {k: v for k, v in entries.items() if _current(k)}
    with _MEMO_LOCK:
        _MEMO.update(kept)
    return len(kept)


def _remembered(path: Path, layer: str | None, compute: Callable[[], str]) -> str:
    key = _memo_key(path, layer)
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
    if hit is not None:
        return hit
    digest = compute()
    if _memo_key(path, layer) == key:  # unchanged while it was read
        with _MEMO_LOCK:
            _MEMO[key] = digest
    return digest


def file_digest(path: str | Path) -> str:
    """BLAKE2b of a file's bytes, read in 1 MB blocks (remembered until the file changes).

    A folder (a partitioned dataset) is digested by the names and digests of its files.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        return text_digest("|".join(f"{p.relative_to(path).as_posix()}={file_digest(p)}"
                                    for p in files))

    def compute() -> str:
        h = _new()
        with open(path, "rb") as fh:
            while block := fh.read(BLOCK):
                h.update(block)
        return h.hexdigest()

    return _remembered(path, None, compute)


def layer_digest(path: str | Path, layer: str) -> str:
    """BLAKE2b of one layer of a multi-layer file (GeoPackage): its schema and column buffers.

    Other layers of the same file do not change it, so editing roads in
    ``layers.gpkg`` leaves the digest of its mines layer as it was.
    """
    path = Path(path)

    def compute() -> str:
        import pyogrio

        _, table = pyogrio.read_arrow(path, layer=layer)
        h = _new()
        h.update(table.schema.to_string(show_schema_metadata=False).encode("utf-8"))
        h.update(str(table.num_rows).encode())
        for column in table.itercolumns():
            for chunk in column.chunks:
                # offset and length: the buffers of a sliced chunk hold more than its rows
                h.update(f"|{chunk.offset}:{len(chunk)}".encode())
                for buf in chunk.buffers():
                    if buf is not None:
                        h.update(memoryview(buf))
        return h.hexdigest()

    return _remembered(path, layer, compute)
