"""NDVI per site and reference ring, checked against direct numpy computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from gis.errors import InputError
from gis.raster import Raster, RasterSource
from layers.restoration import (
    RestorationInputs,
    endmembers,
    progress,
    reference_rings,
    vegetation_cover,
    zonal_ndvi,
)
from tests.restoration.restoration_helpers import CELL, GRID, X0, Y0, cell_slice, make_sites, raster

AS_OF = "2025-06-01"


def _centres() -> tuple[np.ndarray, np.ndarray]:
    xs = X0 + (np.arange(GRID) + 0.5) * CELL
    ys = Y0 + GRID * CELL - (np.arange(GRID) + 0.5) * CELL
    return np.meshgrid(xs, ys)


def _dist_to_square(x: float, y: float, side: float) -> np.ndarray:
    """Distance from every cell centre to ``square(x, y, side)`` (0 inside)."""
    cx, cy = _centres()
    dx = np.maximum(np.maximum(X0 + x - cx, cx - (X0 + x + side)), 0)
    dy = np.maximum(np.maximum(Y0 + y - cy, cy - (Y0 + y + side)), 0)
    return np.hypot(dx, dy)


def test_site_means_match_numpy_slices(rng: np.random.Generator) -> None:
    arr = rng.uniform(-0.2, 0.9, (GRID, GRID))
    arr[rng.random((GRID, GRID)) < 0.05] = np.nan  # scattered nodata
    specs = [(1000, 1000, 100), (1030, 1050, 170), (3000, 2000, 250), (4510, 4520, 60)]
    mines = make_sites([{"site_id": f"S{i}", "stage": "approved", "x": x, "y": y, "side": s}
                        for i, (x, y, s) in enumerate(specs)])
    rings = reference_rings(mines.geometry)
    z = zonal_ndvi(mines.geometry, rings, RasterSource.from_array(raster(arr)), soil_veg=(0.0, 0.8))
    for i, (x, y, s) in enumerate(specs):
        cells = arr[cell_slice(x, y, s)]
        assert z["ndvi"].iloc[i] == pytest.approx(np.nanmean(cells), abs=1e-12)
        assert z["cells"].iloc[i] == np.count_nonzero(~np.isnan(cells))
        fc = np.clip((cells - 0.0) / 0.8, 0, 1)
        assert z["veg_cover"].iloc[i] == pytest.approx(np.nanmean(fc), abs=1e-12)


def test_overlapping_sites_each_get_their_own_cells(rng: np.random.Generator) -> None:
    arr = rng.uniform(0, 1, (GRID, GRID))
    specs = [(1000, 1000, 300), (1100, 1100, 300)]  # they overlap by 200 × 200 m
    mines = make_sites([{"site_id": f"S{i}", "stage": "approved", "x": x, "y": y, "side": s}
                        for i, (x, y, s) in enumerate(specs)])
    z = zonal_ndvi(mines.geometry, reference_rings(mines.geometry),
                   RasterSource.from_array(raster(arr)), soil_veg=(0.0, 1.0))
    for i, (x, y, s) in enumerate(specs):
        assert z["ndvi"].iloc[i] == pytest.approx(arr[cell_slice(x, y, s)].mean(), abs=1e-12)
        assert z["cells"].iloc[i] == 900


def test_reference_ring_mean_matches_numpy_and_excludes_the_site(
        rng: np.random.Generator) -> None:
    x, y, side = 2500, 2500, 200
    d = _dist_to_square(x, y, side)
    arr = rng.uniform(0.2, 0.6, (GRID, GRID))
    arr[d == 0] = 5.0  # the site itself: would wreck the mean if it leaked in
    # cells within 1 m of the ring's edges depend on how buffers approximate arcs: nodata
    arr[(np.abs(d - 200) < 1) | (np.abs(d - 500) < 1)] = np.nan
    mines = make_sites([{"site_id": "S", "stage": "approved", "x": x, "y": y, "side": side}])
    rings = reference_rings(mines.geometry, inner=200, outer=500)
    z = zonal_ndvi(mines.geometry, rings, RasterSource.from_array(raster(arr)), soil_veg=(0.0, 1.0))
    expected = arr[(d > 200) & (d < 500)]
    assert z["ref_ndvi"].iloc[0] == pytest.approx(np.nanmean(expected), abs=1e-12)
    assert z["ref_cells"].iloc[0] == np.count_nonzero(~np.isnan(expected))
    assert z["ndvi"].iloc[0] == 5.0


def test_reference_ring_excludes_other_mine_sites() -> None:
    arr = np.full((GRID, GRID), 0.3)
    site = (2500, 2500, 200)
    neighbour = (2500, 3000, 150)  # 300 m north: inside the first site's ring
    arr[cell_slice(*site)] = 0.1
    arr[cell_slice(*neighbour)] = 0.9
    mines = make_sites([{"site_id": "A", "stage": "approved", "x": 2500, "y": 2500,
                         "side": 200},
                        {"site_id": "B", "stage": "approved", "x": 2500, "y": 3000,
                         "side": 150}])
    rings = reference_rings(mines.geometry, inner=0, outer=500)
    assert not rings.iloc[0].intersects(mines.geometry.iloc[1].buffer(-1))
    assert not rings.iloc[0].intersects(mines.geometry.iloc[0].buffer(-1))
    z = zonal_ndvi(mines.geometry, rings, RasterSource.from_array(raster(arr)), soil_veg=(0.0, 1.0))
    assert z["ref_ndvi"].iloc[0] == pytest.approx(0.3, abs=1e-12)
    assert z["ref_ndvi"].iloc[1] == pytest.approx(0.3, abs=1e-12)
    # without excluding the neighbour its 0.9 cells would be counted
    ring_area = rings.iloc[0].area / CELL**2
    assert z["ref_cells"].iloc[0] == pytest.approx(ring_area, rel=0.02)


def test_ring_is_configurable_and_must_be_a_band() -> None:
    mines = make_sites([{"site_id": "A", "stage": "approved", "side": 100}])
    ring = reference_rings(mines.geometry, inner=100, outer=300).iloc[0]
    outer = shapely.box(X0 - 300, Y0 - 300, X0 + 400, Y0 + 400)
    assert ring.area == pytest.approx(mines.buffer(300).iloc[0].area
                                      - mines.buffer(100).iloc[0].area, rel=1e-9)
    assert outer.contains(ring)
    with pytest.raises(InputError, match="ring"):
        reference_rings(mines.geometry, inner=500, outer=200)


def test_endmembers_and_cover_follow_the_scene_percentiles(rng: np.random.Generator) -> None:
    arr = rng.uniform(-0.1, 0.9, (GRID, GRID))
    arr[:50] = np.nan
    soil, veg = endmembers(arr.ravel())
    valid = arr[~np.isnan(arr)]
    assert (soil, veg) == pytest.approx(tuple(np.percentile(valid, [5, 95])))
    assert vegetation_cover(np.array([soil, veg, -1.0, 1.0]), soil, veg).tolist() \
        == pytest.approx([0.0, 1.0, 0.0, 1.0])
    assert np.isnan(vegetation_cover(0.5, 0.6, 0.6))

    mines = make_sites([{"site_id": "A", "stage": "approved", "x": 800, "y": 800, "side": 120}])
    res = progress(RestorationInputs(mines=mines, ndvi={"2025": RasterSource.from_array(
        raster(arr))}), as_of=AS_OF)
    out = res.sites
    cells = arr[cell_slice(800, 800, 120)]
    fc = np.clip((cells - soil) / (veg - soil), 0, 1).mean() * 100
    assert out.iloc[0]["veg_cover_pct"] == pytest.approx(fc, abs=1e-3)
    assert res.endmembers["2025"] == pytest.approx((soil, veg))
    assert np.isnan(out.iloc[0]["ndvi_change"])  # one epoch: no change


def test_values_outside_ndvi_range_are_refused() -> None:
    arr = np.full((GRID, GRID), 5000.0)  # a scaled product (×10000)
    mines = make_sites([{"site_id": "A", "stage": "approved"}])
    with pytest.raises(InputError, match="NDVI raster 2025 has values from 5000 to 5000"):
        progress(RestorationInputs(mines=mines, ndvi={"2025": RasterSource.from_array(
            raster(arr))}), as_of=AS_OF)


def test_site_outside_a_partial_raster_gets_nan_and_a_note(rng: np.random.Generator) -> None:
    arr = rng.uniform(0, 0.8, (GRID, GRID))
    mines = make_sites([{"site_id": "IN", "stage": "approved", "x": 1000, "y": 1000},
                        {"site_id": "OUT", "stage": "approved", "x": 20_000, "y": 1000}])
    res = progress(RestorationInputs(mines=mines, ndvi={"2025": RasterSource.from_array(
        raster(arr))}), as_of=AS_OF)
    out = res.sites
    assert np.isfinite(out.iloc[0]["ndvi_2025"])
    assert np.isnan(out.iloc[1]["ndvi_2025"])
    assert "outside NDVI 2025" in out.iloc[1]["notes_en"]
    assert out.iloc[1]["notes"] == "位于 NDVI 2025 范围之外"
    assert out.iloc[0]["notes_en"] == out.iloc[0]["notes"] == ""
    missing = [n for n in res.notes if n.code == "ndvi_missing"]
    assert len(missing) == 1 and missing[0].count == 1
    assert "no value for 1 of 2" in missing[0].message_en
    assert missing[0].message("zh") == "NDVI 2025：2 个图斑中有 1 个无取值"


def test_a_site_smaller_than_a_cell_uses_the_cell_under_it() -> None:
    arr = np.zeros((GRID, GRID))
    arr[GRID - 101, 100] = 0.77  # the cell x 1000–1010, y 1000–1010
    mines = make_sites([{"site_id": "tiny", "stage": "approved", "x": 1002, "y": 1002,
                         "side": 4}])
    z = zonal_ndvi(mines.geometry, reference_rings(mines.geometry),
                   RasterSource.from_array(raster(arr)), soil_veg=(0.0, 1.0))
    assert z["ndvi"].iloc[0] == pytest.approx(0.77) and z["cells"].iloc[0] == 1


def test_raster_in_another_crs_is_handled(rng: np.random.Generator) -> None:
    # the same field in UTM 49N: a site well inside a uniform 0.6 block reads 0.6
    mines = make_sites([{"site_id": "A", "stage": "approved", "x": 1000, "y": 1000,
                         "side": 200}])
    utm = mines.to_crs(32649)
    minx, miny, maxx, maxy = utm.total_bounds
    from affine import Affine

    tr = Affine(10, 0, np.floor(minx) - 1000, 0, -10, np.ceil(maxy) + 1000)
    arr = rng.uniform(0.0, 0.3, (300, 300))
    c0, r0 = int((minx - tr.c) // 10) - 5, int((tr.f - maxy) // 10) - 5
    c1, r1 = int((maxx - tr.c) // 10) + 5, int((tr.f - miny) // 10) + 5
    arr[r0:r1, c0:c1] = 0.6
    src = RasterSource.from_array(Raster(arr, tr, "EPSG:32649"))
    out = progress(RestorationInputs(mines=mines, ndvi={"2025": src}), as_of=AS_OF).sites
    assert out.iloc[0]["ndvi_2025"] == pytest.approx(0.6)
    assert out.iloc[0]["site_area_ha"] == pytest.approx(4.0)


def test_rotated_rasters_are_refused() -> None:
    from affine import Affine

    mines = make_sites([{"site_id": "A", "stage": "approved", "side": 100}])
    rot = Raster(np.zeros((10, 10)), Affine(10, 1, X0, 1, -10, Y0 + 100), "EPSG:4547")
    with pytest.raises(InputError, match="Rotated"):
        zonal_ndvi(mines.geometry, reference_rings(mines.geometry), RasterSource.from_array(rot),
                   soil_veg=(0.0, 1.0))


def test_low_vegetation_compares_site_cover_with_its_ring(rng: np.random.Generator) -> None:
    arr = rng.uniform(0.1, 0.9, (GRID, GRID))
    arr[cell_slice(1000, 1000, 200)] = 0.12   # accepted but bare
    arr[cell_slice(3000, 3000, 200)] = 0.8    # accepted and green
    arr[cell_slice(3000, 1000, 200)] = 0.12   # bare, but still in progress
    mines = make_sites([
        {"site_id": "BARE", "stage": "accepted", "x": 1000, "y": 1000, "side": 200},
        {"site_id": "GREEN", "stage": "accepted", "x": 3000, "y": 3000, "side": 200},
        {"site_id": "WORKS", "stage": "in_progress", "x": 3000, "y": 1000, "side": 200},
    ])
    hist = pd.DataFrame({"site_id": ["BARE", "GREEN", "WORKS"],
                         "date": pd.to_datetime(["2025-05-01"] * 3), "stage":
                         ["accepted", "accepted", "in_progress"],
                         "restored_area_ha": [4.0, 4.0, 1.0]})
    out = progress(RestorationInputs(mines=mines, inspections=hist,
                                     ndvi={"2025": RasterSource.from_array(raster(arr))}),
                   as_of=AS_OF).sites.set_index("site_id")
    assert out.loc["BARE", "flags"] == "low_vegetation"
    assert out.loc["BARE", "veg_cover_ratio"] < 0.5
    assert out.loc["GREEN", "flags"] == ""
    assert "low_vegetation" not in out.loc["WORKS", "flags"]
    ring_mean = out.loc["BARE", "ref_ndvi"]
    assert 0.4 < ring_mean < 0.6  # the uniform surroundings, not the bare site


def test_epochs_on_different_grids_do_not_share_masks(rng: np.random.Generator) -> None:
    from affine import Affine

    mines = make_sites([{"site_id": f"S{i}", "stage": "approved", "x": 700 * i + 300,
                         "y": 500 * i + 300, "side": 90 + 40 * i} for i in range(5)])
    fine = RasterSource.from_array(raster(rng.uniform(0, 0.9, (GRID, GRID))))
    coarse = RasterSource.from_array(Raster(rng.uniform(0, 0.9, (300, 300)),
                                 Affine(20, 0, X0 - 15, 0, -20, Y0 + 5985), "EPSG:4547"))
    both = progress(RestorationInputs(mines=mines, ndvi={"2020": fine, "2025": coarse}),
                    as_of=AS_OF).sites
    alone = {e: progress(RestorationInputs(mines=mines, ndvi={e: s}), as_of=AS_OF).sites
             for e, s in (("2020", fine), ("2025", coarse))}
    for e in ("2020", "2025"):
        for col in (f"ndvi_{e}", f"ref_ndvi_{e}"):
            np.testing.assert_array_equal(both[col].to_numpy(), alone[e][col].to_numpy())


def test_a_scene_without_bare_ground_is_reported(rng: np.random.Generator) -> None:
    mines = make_sites([{"site_id": "A", "stage": "accepted", "x": 800, "y": 800}])
    narrow = RasterSource.from_array(raster(rng.uniform(0.5, 0.65, (GRID, GRID))))
    wide = RasterSource.from_array(raster(rng.uniform(0.05, 0.85, (GRID, GRID))))
    out = progress(RestorationInputs(mines=mines, ndvi={"2020": wide, "2025": narrow}),
                   as_of=AS_OF)
    unreliable = [n for n in out.notes if "endmembers" in n.message_en]
    assert len(unreliable) == 1 and unreliable[0].message_en.startswith("NDVI 2025")
    assert unreliable[0].code == "endmembers_close" and unreliable[0].severity == "warning"
    zh = unreliable[0].message("zh")
    assert zh.startswith("NDVI 2025：") and "端元" in zh and "不可靠" in zh
