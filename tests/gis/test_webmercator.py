"""Tests for gis.webmercator against pyproj's EPSG:3857."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest

from gis.webmercator import (
    fit_zoom,
    lonlat_to_merc,
    merc_to_lonlat,
    merc_x,
    merc_y,
    pixel_m,
    zoom_for_pixel_m,
)

TO_3857 = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)


def test_forward_matches_pyproj_and_inverse_round_trips() -> None:
    lon, lat = np.meshgrid(np.linspace(-179.0, 179.0, 13), np.linspace(-84.0, 84.0, 11))
    x, y = lonlat_to_merc(lon, lat)
    px, py = TO_3857.transform(lon, lat)
    np.testing.assert_allclose(x, px, atol=1e-6)
    np.testing.assert_allclose(y, py, atol=1e-6)
    back_lon, back_lat = merc_to_lonlat(x, y)
    np.testing.assert_allclose(back_lon, lon, atol=1e-9)
    np.testing.assert_allclose(back_lat, lat, atol=1e-9)


def test_latitudes_beyond_85_are_clipped_not_infinite() -> None:
    assert math.isfinite(float(merc_y(90.0))) and float(merc_y(90.0)) == float(merc_y(85.0))
    assert float(merc_y(-90.0)) == pytest.approx(-float(merc_y(85.0)))


def test_pixel_size_halves_per_zoom_and_inverts() -> None:
    assert pixel_m(0) * 256 == pytest.approx(2 * math.pi * 6378137.0)
    for z in (3, 10, 17):
        assert pixel_m(z + 1) == pytest.approx(pixel_m(z) / 2)
        assert zoom_for_pixel_m(pixel_m(z)) == pytest.approx(z)


@pytest.mark.parametrize("px", [(256, 256), (480, 420), (1200, 700)])
def test_fit_zoom_is_the_largest_zoom_at_which_the_box_fits(px: tuple[int, int]) -> None:
    box = (113.05, 36.10, 113.30, 36.25)  # ≈ 22 × 17 km near Changzhi
    z = fit_zoom(box, px)
    w, s, e, n = box
    span_x = float(merc_x(e) - merc_x(w))
    span_y = float(merc_y(n) - merc_y(s))
    assert span_x / pixel_m(z) <= px[0] and span_y / pixel_m(z) <= px[1]
    assert span_x / pixel_m(z + 1) > px[0] or span_y / pixel_m(z + 1) > px[1]


def test_fit_zoom_limits() -> None:
    assert fit_zoom((113.0, 36.0, 113.0, 36.0), (500, 500)) == 18  # a point: the closest zoom
    assert fit_zoom((-180.0, -85.0, 180.0, 85.0), (100, 100)) == 1
