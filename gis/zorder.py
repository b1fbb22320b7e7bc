"""Z-order (Morton) keys: a sort order that keeps points close in the plane close in line."""

from __future__ import annotations

import numpy as np

__all__ = ["zorder"]


def zorder(x: np.ndarray, y: np.ndarray,
           bounds: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """Z-order (Morton) keys of points, 16 bits per axis.

    The axes are scaled to the points' own extent, or to ``bounds`` (xmin, ymin,
    xmax, ymax) so that keys computed piece by piece compare across pieces.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return np.zeros(len(x), dtype=np.uint64)

    def scale(v: np.ndarray, axis: int) -> np.ndarray:
        lo, hi = ((v[ok].min(), v[ok].max()) if bounds is None
                  else (bounds[axis], bounds[axis + 2]))
        s = np.where(ok, (v - lo) / max(hi - lo, 1e-9) * 65535, 0)
        return np.clip(s, 0, 65535).astype(np.uint64)

    xs, ys = scale(x, 0), scale(y, 1)
    key = np.zeros(len(x), dtype=np.uint64)
    for bit in range(16):
        key |= ((xs >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit)
        key |= ((ys >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + 1)
    return key
