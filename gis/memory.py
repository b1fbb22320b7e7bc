"""Give memory that Python, GEOS and Arrow have freed back to the operating system."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Callable
from functools import cache

__all__ = ["release_memory"]


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or ``None`` on other C libraries (macOS, musl, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:  # glibc's soname first: find_library runs ldconfig in a subprocess
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        name = ctypes.util.find_library("c")
        if name is None:
            return None
        try:
            libc = ctypes.CDLL(name)
        except OSError:
            return None
    try:
        trim: Callable[[int], int] = libc.malloc_trim
        return trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Collect garbage and return freed heap pages to the system.

    Freeing a million geometries leaves their memory in the C heap, where later large
    buffers (NumPy, Arrow) do not reuse it; after this call it no longer counts in the
    process's resident size. Costs a fraction of a second.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
