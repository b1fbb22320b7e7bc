"""RasterSource: one raster in memory or in a GeoTIFF, read window by window (3×3 fixtures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from gis.errors import InputError
from gis.raster import Raster, RasterSource, read_raster, window_cells

CRS = "EPSG:4547"  # CGCS2000 3° Gauss–Krüger, CM 114°E (metres)
X0, Y1 = 500_000.0, 4_000_030.0  # top-left corner of the 3×3 grid of 10 m cells
TRANSFORM = Affine(10, 0, X0, 0, -10, Y1)
VALUES = np.array([[1.0, 2.0, 3.0],
                   [4.0, -9999.0, 6.0],
                   [7.0, 8.0, 9.0]])


def cell_bounds(row: int, col: int, shrink: float = 1.0) -> tuple[float, float, float, float]:
    """Bounds strictly inside the cell ``(row, col)`` of the 3×3 grid."""
    x, y = X0 + col * 10, Y1 - row * 10
    return x + shrink, y - 10 + shrink, x + 10 - shrink, y - shrink


def write_tif(path: Path, array: np.ndarray, *, crs: str = CRS, transform: Affine = TRANSFORM,
              nodata: float | None = -9999.0, dtype: str = "int16") -> Path:
    with rasterio.open(path, "w", driver="GTiff", width=array.shape[1], height=array.shape[0],
                       count=1, dtype=dtype, crs=crs, transform=transform,
                       nodata=nodata) as dst:
        dst.write(array.astype(dtype), 1)
    return path


@pytest.fixture
def memory() -> RasterSource:
    return RasterSource.from_array(VALUES, TRANSFORM, CRS, nodata=-9999.0)


@pytest.fixture
def on_disk(tmp_path: Path) -> RasterSource:
    return RasterSource.from_file(write_tif(tmp_path / "高程 dem.tif", VALUES))


@pytest.fixture(params=["memory", "on_disk"])
def source(request: pytest.FixtureRequest) -> RasterSource:
    return request.getfixturevalue(request.param)


def test_the_grid_is_described_without_reading_cells(source: RasterSource) -> None:
    assert source.crs == CRS
    assert source.shape == (3, 3)
    assert source.cell_size == (10.0, 10.0)
    assert source.bounds == (X0, Y1 - 30, X0 + 30, Y1)
    assert source.nodata == -9999.0


def test_a_window_holds_the_cells_touching_the_bounds(source: RasterSource) -> None:
    r = source.read(cell_bounds(0, 2))
    assert r.array.tolist() == [[3.0]]
    assert r.transform == Affine(10, 0, X0 + 20, 0, -10, Y1)
    assert r.crs == CRS
    two = source.read((X0 + 5, Y1 - 25, X0 + 15, Y1 - 15))  # straddles four cells
    np.testing.assert_array_equal(two.array, [[4.0, np.nan], [7.0, 8.0]])
    assert two.bounds == (X0, Y1 - 30, X0 + 20, Y1 - 10)


def test_padding_reaches_the_neighbours_and_stops_at_the_edge(source: RasterSource) -> None:
    centre = source.read(cell_bounds(1, 1), pad_cells=1)
    np.testing.assert_array_equal(centre.array, np.where(VALUES == -9999.0, np.nan, VALUES))
    corner = source.read(cell_bounds(0, 0), pad_cells=1)
    assert corner.shape == (2, 2) and corner.transform == TRANSFORM


def test_nodata_cells_are_nan_and_left_out_of_the_values(source: RasterSource) -> None:
    assert np.isnan(source.read(cell_bounds(1, 1)).array).all()
    whole = source.read()
    assert whole.shape == (3, 3) and int(np.isnan(whole.array).sum()) == 1
    assert sorted(source.values()) == [1, 2, 3, 4, 6, 7, 8, 9]
    assert len(source.values(max_cells=4)) <= 4  # decimated: one cell in four each way


def test_bounds_outside_give_an_empty_window(source: RasterSource) -> None:
    far = source.read((X0 + 1000, Y1 + 1000, X0 + 1010, Y1 + 1010), pad_cells=1)
    assert far.array.size == 0


def test_file_and_array_give_the_same_windows(memory: RasterSource,
                                              on_disk: RasterSource) -> None:
    for bounds in [cell_bounds(0, 0), cell_bounds(2, 1, shrink=-3), (X0 - 50, Y1 - 50, X0 + 50,
                                                                       Y1 + 50)]:
        for pad in (0, 1):
            a, b = memory.read(bounds, pad_cells=pad), on_disk.read(bounds, pad_cells=pad)
            np.testing.assert_array_equal(a.array, b.array)
            assert a.transform == b.transform


def test_a_raster_in_another_crs_keeps_its_own_and_resamples_to_the_asked_one(
        tmp_path: Path) -> None:
    utm = Affine(10, 0, 300_000.0, 0, -10, 4_000_030.0)
    src = RasterSource.from_file(write_tif(tmp_path / "utm.tif", np.full((3, 3), 7.0),
                                           crs="EPSG:32649", transform=utm, nodata=None,
                                           dtype="float32"))
    assert src.crs == "EPSG:32649"
    assert src.read((300_001, 4_000_001, 300_009, 4_000_009)).array.tolist() == [[7.0]]
    # the same ground, drawn in EPSG:4547 (the GK and UTM grids differ by a rotation)
    from pyproj import Transformer

    to_gk = Transformer.from_crs("EPSG:32649", CRS, always_xy=True)
    x, y = to_gk.transform(300_015.0, 4_000_015.0)
    drawn = src.read_resampled((x - 5, y - 5, x + 5, y + 5), crs=CRS, max_px=4)
    assert drawn.crs == CRS and drawn.shape == (4, 4)
    assert drawn.bounds == pytest.approx((x - 5, y - 5, x + 5, y + 5))
    assert np.nanmax(np.abs(drawn.array - 7.0)) < 1e-9 and np.isfinite(drawn.array).any()


def test_a_coarse_read_has_at_most_max_px_cells_a_side(source: RasterSource) -> None:
    small = source.read_resampled(source.bounds, max_px=1)
    assert small.shape == (1, 1) and small.cell_size == (30.0, 30.0)
    assert source.read_resampled(source.bounds, max_px=10).shape == (3, 3)


def test_rotated_rasters_are_refused_with_a_clear_error() -> None:
    rotated = RasterSource.from_array(np.ones((3, 3)), Affine(10, 1, X0, 1, -10, Y1), CRS)
    with pytest.raises(InputError, match="Rotated") as err:
        rotated.read(cell_bounds(0, 0))
    assert "旋转" in err.value.text("zh")
    with pytest.raises(InputError, match="Rotated"):
        window_cells(Affine(10, 0, X0, 0, 10, Y1), (3, 3), cell_bounds(0, 0))  # south-up


def test_an_unreadable_file_names_itself(tmp_path: Path) -> None:
    missing = RasterSource.from_file(tmp_path / "无.tif")
    assert missing.label == "无.tif"  # nothing is opened until asked
    with pytest.raises(InputError, match="Cannot open raster") as err:
        missing.read()
    assert "无.tif" in err.value.text("zh") and "无法打开栅格" in err.value.text("zh")
    (tmp_path / "text.tif").write_text("not a raster")
    with pytest.raises(InputError, match="GeoTIFF"):
        read_raster(tmp_path / "text.tif")


def test_of_takes_a_source_a_raster_or_a_path(tmp_path: Path, memory: RasterSource) -> None:
    assert RasterSource.of(memory) is memory
    r = Raster(np.zeros((3, 3)), TRANSFORM, CRS)
    assert RasterSource.of(r, name="dem").raster is r
    path = write_tif(tmp_path / "a.tif", VALUES)
    assert RasterSource.of(str(path)).path == path
    with pytest.raises(InputError, match="must be a RasterSource"):
        RasterSource.of(42, name="dem")


@pytest.mark.parametrize(("dtype", "layout"), [
    ("int16", {"tiled": True, "blockxsize": 16, "blockysize": 16}),
    ("float32", {"tiled": False, "blockysize": 3}),
    ("float64", {"tiled": False}),
])
def test_windows_read_through_the_tile_cache_equal_direct_reads(
        tmp_path: Path, dtype: str, layout: dict) -> None:
    from rasterio.windows import Window

    rng = np.random.default_rng(5)
    values = rng.integers(-500, 500, (70, 90)).astype(dtype)
    values[rng.random(values.shape) < 0.1] = -9999
    path = tmp_path / "tiles.tif"
    with rasterio.open(path, "w", driver="GTiff", width=90, height=70, count=1, dtype=dtype,
                       crs=CRS, transform=TRANSFORM, nodata=-9999, **layout) as dst:
        dst.write(values, 1)
    src = RasterSource.from_file(path)
    object.__setattr__(src, "_tiles", type(src._tiles)(max_bytes=4000))  # forces eviction
    for _ in range(40):
        x0, y0 = rng.uniform(X0 - 50, X0 + 900), rng.uniform(Y1 - 750, Y1)
        bounds = (x0, y0, x0 + rng.uniform(0, 400), y0 + rng.uniform(0, 300))
        got = src.read(bounds, pad_cells=1)
        r0, r1, c0, c1 = window_cells(TRANSFORM, (70, 90), bounds, pad=1)
        if r1 <= r0 or c1 <= c0:
            assert got.array.size == 0
            continue
        with rasterio.open(path) as ds:
            want = ds.read(1, window=Window(c0, r0, c1 - c0, r1 - r0), masked=True)
        want = want.astype("float64").filled(np.nan)
        assert np.array_equal(got.array, want, equal_nan=True)
        assert got.transform == TRANSFORM @ Affine.translation(c0, r0)


def test_the_tile_cache_forgets_a_file_that_changed(tmp_path: Path) -> None:
    import os

    path = write_tif(tmp_path / "dem.tif", VALUES)
    src = RasterSource.from_file(path)
    assert src.read(cell_bounds(0, 0)).array.tolist() == [[1.0]]
    write_tif(path, VALUES * 2)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # a coarse clock
    assert src.read(cell_bounds(0, 0)).array.tolist() == [[2.0]]
