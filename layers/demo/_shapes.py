"""Geometry and noise helpers of the demo: rotated grids, blobs, meanders, fractal noise."""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt
import shapely


def _rot(u: np.ndarray, v: np.ndarray, origin: tuple[float, float], angle: float
         ) -> tuple[np.ndarray, np.ndarray]:
    c, s = math.cos(angle), math.sin(angle)
    return origin[0] + u * c - v * s, origin[1] + u * s + v * c


def _unrot(x: np.ndarray, y: np.ndarray, origin: tuple[float, float], angle: float
           ) -> tuple[np.ndarray, np.ndarray]:
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = x - origin[0], y - origin[1]
    return dx * c + dy * s, -dx * s + dy * c


def _rot_boxes(u0: np.ndarray, v0: np.ndarray, u1: np.ndarray, v1: np.ndarray,
               origin: tuple[float, float], angle: float) -> np.ndarray:
    """Rectangles given in a rotated local frame as world polygons (vectorised)."""
    us = np.stack([u0, u1, u1, u0, u0], axis=1)
    vs = np.stack([v0, v0, v1, v1, v0], axis=1)
    x, y = _rot(us, vs, origin, angle)
    return shapely.polygons(np.stack([x, y], axis=2))


def _blobs(cx: np.ndarray, cy: np.ndarray, area_m2: np.ndarray, rng: np.random.Generator, *,
           n: int = 28, rough: float = 0.22, stretch: np.ndarray | None = None) -> np.ndarray:
    """Irregular star-shaped polygons of the given areas (valid by construction)."""
    cx, cy, area_m2 = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (cx, cy, area_m2))
    m = len(cx)
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones((m, n))
    for k in (2, 3, 4, 5):
        amp = rng.uniform(0.0, rough / (k - 1), m)[:, None]
        r += amp * np.cos(k * theta[None, :] + rng.uniform(0, 2 * np.pi, m)[:, None])
    r = np.clip(r, 0.35, None)
    st = np.ones(m) if stretch is None else np.asarray(stretch, dtype=float)
    rot = rng.uniform(0, np.pi, m)[:, None]
    ux = r * np.cos(theta) * st[:, None]
    uy = r * np.sin(theta) / st[:, None]
    x = ux * np.cos(rot) - uy * np.sin(rot)
    y = ux * np.sin(rot) + uy * np.cos(rot)
    unit_area = 0.5 * np.abs(np.sum(x * np.roll(y, -1, 1) - np.roll(x, -1, 1) * y, axis=1))
    scale = np.sqrt(area_m2 / unit_area)[:, None]
    xs = cx[:, None] + x * scale
    ys = cy[:, None] + y * scale
    ring = np.stack([np.concatenate([xs, xs[:, :1]], 1), np.concatenate([ys, ys[:, :1]], 1)], 2)
    return shapely.polygons(ring)


def _wiggle(points: np.ndarray, rng: np.random.Generator, *, amp: float, step: float = 250.0,
            wavelengths: tuple[float, float] = (2500.0, 9000.0)) -> np.ndarray:
    """A polyline through ``points`` (metres) that meanders sideways between them."""
    out = [points[:1]]
    for a, b in itertools.pairwise(points):
        d = b - a
        length = float(np.hypot(*d))
        k = max(int(length // step), 2)
        t = np.linspace(0.0, 1.0, k + 1)[1:]
        normal = np.array([-d[1], d[0]]) / max(length, 1e-9)
        s = t * length
        off = np.zeros_like(t)
        for _ in range(3):
            lam = rng.uniform(*wavelengths)
            off += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * s / lam + rng.uniform(0, 2 * np.pi))
        off *= amp / 2.0 * np.sin(np.pi * t)  # zero at both ends
        out.append(a + np.outer(t, d) + np.outer(off, normal))
    return np.concatenate(out)


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _value_noise(x: np.ndarray, y: np.ndarray, spacing: float, salt: int) -> np.ndarray:
    """Smooth noise in [0, 1) from a hashed lattice: the same value at a place in every block."""
    gx, gy = x / spacing, y / spacing
    ix, iy = np.floor(gx), np.floor(gy)
    fx, fy = _smoothstep(gx - ix), _smoothstep(gy - iy)
    ix, iy = ix.astype(np.int64).astype(np.uint64), iy.astype(np.int64).astype(np.uint64)

    def h(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> np.ndarray:
        k = a * np.uint64(0x9E3779B97F4A7C15) + b * np.uint64(0xC2B2AE3D27D4EB4F) \
            + np.uint64(salt & 0xFFFFFFFF)
        k ^= k >> np.uint64(31)
        k *= np.uint64(0xBF58476D1CE4E5B9)
        k ^= k >> np.uint64(29)
        return (k >> np.uint64(40)).astype(np.float64) / float(1 << 24)

    one = np.uint64(1)
    top = h(ix, iy) * (1 - fx) + h(ix + one, iy) * fx
    bottom = h(ix, iy + one) * (1 - fx) + h(ix + one, iy + one) * fx
    return top * (1 - fy) + bottom * fy


def _fractal(shape: tuple[int, int], rng: np.random.Generator, beta: float,
             min_wavelength_cells: float = 2.0) -> np.ndarray:
    """Power-law (1/f^beta) noise with unit standard deviation, by spectral synthesis."""
    ny, nx = shape
    fy = np.fft.fftfreq(ny)[:, None]
    fx = np.fft.rfftfreq(nx)[None, :]
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    amp = f ** (-beta / 2.0)
    amp[0, 0] = 0.0
    amp[f > 1.0 / min_wavelength_cells] = 0.0
    spec = amp * (rng.standard_normal(f.shape) + 1j * rng.standard_normal(f.shape))
    field_ = np.fft.irfft2(spec, s=shape)
    return field_ / field_.std()


def _clip_out_zones(lines: np.ndarray, zones: np.ndarray, margin: float = 80.0) -> np.ndarray:
    """Cut regional lines where they would cross a zone (the zone's own roads take over)."""
    hole = shapely.union_all(shapely.buffer(zones, margin))
    return shapely.difference(lines, hole)


def _random_points_in(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    xmin, ymin, xmax, ymax = poly.bounds
    out = np.empty((0, 2))
    shapely.prepare(poly)
    while len(out) < n:
        cand = np.column_stack([rng.uniform(xmin, xmax, 4 * n), rng.uniform(ymin, ymax, 4 * n)])
        cand = cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]
        out = np.concatenate([out, cand])
    return out[:n]


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal parts (intersections can leave lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()
