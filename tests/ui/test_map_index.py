"""The parcel index (ids, places, search), the opening view, the sites map and shared colours."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.webmercator import merc_x, pixel_m
from layers.restoration.history import restored_over_time
from tests.ui.conftest import CRS, X0, Y0, overall_for, parcels_grid
from ui.map import ParcelIndex, build_map, build_sites_map, prepare_map_data
from ui.map.index import CLICK_PX


def _named_parcels() -> gpd.GeoDataFrame:
    names = ["高新区A6-1号地块", "高新区A6-2号地块", "经开区B1-1号地块", None]
    ids = ["GX-0106-1", "GX-0106-2", "JK-0201-1", "LC-0301-1"]
    boxes = [shapely.box(X0 + k * 300, Y0, X0 + k * 300 + 200, Y0 + 150) for k in range(4)]
    return gpd.GeoDataFrame({"parcel_id": ids, "name": names}, geometry=boxes, crs=CRS)


def test_index_finds_parcels_by_id_place_and_box() -> None:
    data = prepare_map_data({"parcels": _named_parcels()})
    idx = data.index
    assert len(idx) == 4 and "JK-0201-1" in idx and "nope" not in idx
    assert idx.position("JK-0201-1") == 2 and idx.position("nope") is None
    geom = data.parcels.geometry.iloc[2]
    c = geom.representative_point()
    assert idx.at(c.x, c.y) == "JK-0201-1"
    assert idx.at(c.x + 1.0, c.y) is None
    assert idx.bounds("JK-0201-1") == pytest.approx(geom.bounds)
    assert idx.bounds("nope") is None
    w, s, e, n = geom.bounds
    assert list(idx.in_box(w, s, e, n)) == [False, False, True, False]
    # readiness codes follow the palette order; no result → "unchecked" (last)
    assert set(idx.codes) == {4}


def test_search_by_id_and_by_chinese_name_gives_the_parcel_bounds() -> None:
    data = prepare_map_data({"parcels": _named_parcels()})
    idx = data.index
    assert idx.search("GX-0106-1") == ["GX-0106-1"]
    assert idx.search("gx-0106") == ["GX-0106-1", "GX-0106-2"]  # case-insensitive prefix
    assert idx.search("ＪＫ－０２０１") == ["JK-0201-1"]  # full-width input
    assert idx.search("经开区B1-1号地块") == ["JK-0201-1"]  # the whole Chinese name
    assert idx.search("A6-2号") == ["GX-0106-2"]  # part of a name
    assert idx.search("高新区") == ["GX-0106-1", "GX-0106-2"]
    assert idx.search("  ") == [] and idx.search("不存在") == []
    (pid,) = idx.search("B1-1号")
    west, south, east, north = idx.bounds(pid)
    expected = gpd.GeoSeries([_named_parcels().geometry.iloc[2]], crs=CRS).to_crs(4326)
    assert (west, south, east, north) == pytest.approx(tuple(expected.total_bounds))


def test_exact_id_ranks_before_longer_ids_containing_it() -> None:
    parcels = _named_parcels()
    parcels.loc[3, "parcel_id"] = "GX-0106-10"
    idx = ParcelIndex(parcels.to_crs(4326))
    assert idx.search("GX-0106-1") == ["GX-0106-1", "GX-0106-10"]


def test_opening_view_shows_parcels_large_enough_to_click() -> None:
    far = gpd.GeoDataFrame({"zone_id": ["Z9"], "name": ["远处开发区"]},
                           geometry=[shapely.box(X0 + 40_000, Y0 + 40_000, X0 + 41_000,
                                                 Y0 + 41_000)], crs=CRS)
    parcels = parcels_grid(10)  # 80 m parcels; the zones span 40 km
    data = prepare_map_data({"parcels": parcels, "zones": far}, overall=overall_for(parcels))
    view = data.opening_view((480, 420))
    width_px = data.index.typical_size_m() / pixel_m(view.zoom)
    assert width_px >= CLICK_PX
    inside = data.index.in_box(view.west, view.south, view.east, view.north)
    assert inside.sum() >= len(parcels) // 2  # it opens on the parcels, not on the far zone
    m = build_map(data, lang="zh")
    assert m.options["zoom"] == view.zoom
    lat, lon = m.location
    assert view.west < lon < view.east and view.south < lat < view.north
    # a workspace whose parcels are already large on the whole extent opens on all of it
    big = prepare_map_data({"parcels": parcels_grid(2, size=3000.0, gap=500.0)})
    v = big.opening_view((480, 420))
    w, s, e, n = big.home
    assert (v.west, v.south, v.east, v.north) == (w, s, e, n)


def test_scale_bar_is_metric_only(layers) -> None:
    html = build_map(prepare_map_data(layers), lang="zh").get_root().render()
    (call,) = re.findall(r"L\.control\.scale\(([^)]*)\)", html)
    assert "imperial: false" in call and "metric: true" in call


def test_sites_map_colours_sites_by_current_stage(layers) -> None:
    progress = pd.DataFrame({"site_id": ["M1", "M2"], "stage": ["accepted", "not_started"]})
    data = prepare_map_data(layers, progress=progress)
    m = build_sites_map(data, lang="zh")
    html = m.get_root().render()
    from ui.map import STAGE_COLORS

    assert json.dumps(STAGE_COLORS, ensure_ascii=False) in html  # one style table, by stage
    points = json.loads(data.site_points())["features"]
    assert {f["properties"]["site_id"]: f["properties"]["stage"] for f in points} == \
        {"M1": "accepted", "M2": "not_started"}
    for f in points:  # each dot lies inside its site
        site = data.layers["mines"].set_index("site_id").geometry[f["properties"]["site_id"]]
        assert site.contains(shapely.geometry.shape(f["geometry"]))
    assert "标准地" not in html  # parcels are not part of this map
    assert not re.search(r"""(?:src|href)=["']https?://""", html)
    lat, lon = m.location
    w, s, e, n = data.layers["mines"].total_bounds
    assert w < lon < e and s < lat < n


def test_map_and_reports_share_one_colour_table() -> None:
    import layers.reports.parcel as parcel_report
    import layers.reports.restoration as restoration_report
    import layers.reports.zone as zone_report
    from layers import palette
    from layers.reports.render import _css
    from ui.map import styles

    assert styles.READINESS_COLORS is palette.READINESS_COLORS
    assert styles.STAGE_COLORS is palette.STAGE_COLORS
    assert parcel_report.READINESS_COLORS is palette.READINESS_COLORS
    assert zone_report.READINESS_COLORS is palette.READINESS_COLORS
    assert restoration_report.STAGE_COLORS is palette.STAGE_COLORS
    css = _css()
    for status, (bg, fg) in palette.BADGE_COLORS.items():
        assert f".s-{status} {{ background: {bg}; color: {fg}; }}" in css
    # hexagon shares are coloured like the readiness they summarise
    assert styles.SHARE_COLORS[0][1] == palette.READINESS_COLORS["ready"]
    assert styles.SHARE_COLORS[-1][1] == palette.READINESS_COLORS["not_ready"]


def test_restored_area_over_time_sums_each_sites_latest_inspection() -> None:
    insp = pd.DataFrame({
        "site_id": ["A", "B", "A", "B", "A", "C"],
        "date": pd.to_datetime(["2021-01-05", "2021-03-01", "2021-06-01", "2021-06-01",
                                "2022-01-01", "2030-01-01"]),
        "restored_area_ha": [1.0, 2.0, 1.5, np.nan, 4.0, 9.0],
    })
    out = restored_over_time(insp, as_of=pd.Timestamp("2025-06-30").date())
    assert list(out["date"].dt.strftime("%Y-%m-%d")) == ["2021-01-05", "2021-03-01",
                                                         "2021-06-01", "2022-01-01"]
    assert list(out["restored_ha"]) == [1.0, 3.0, 3.5, 6.0]  # B keeps 2.0 (no area on 06-01)
    assert restored_over_time(None).empty
    assert restored_over_time(insp.drop(columns="restored_area_ha")).empty
    assert len(restored_over_time(insp)) == 5  # without as_of the 2030 row counts


def test_index_centroids_are_in_web_mercator_metres() -> None:
    parcels = parcels_grid(5)
    data = prepare_map_data({"parcels": parcels})
    c = shapely.centroid(np.asarray(data.parcels.geometry.values))
    np.testing.assert_allclose(data.index.mx, merc_x(shapely.get_x(c)))
