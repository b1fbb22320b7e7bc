"""The map builder without Streamlit: layers, styling in JS, view-limited parcels, rasters."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
import shapely
from PIL import Image

from tests.ui.conftest import overall_for, parcels_grid
from ui.map import (
    DETAIL_ZOOM,
    NODATA_GREY,
    READINESS_COLORS,
    View,
    build_map,
    coverage_image,
    drawing_to_wgs84,
    focus_on,
    hillshade_image,
    parcel_at,
    parcel_layer,
    prepare_map_data,
)
from ui.map.geojson import feature_collection as _feature_collection


def _layer_data(fg) -> list[dict]:
    """The GeoJSON FeatureCollections embedded in a feature group's vector layers."""
    return [json.loads(child.data) for child in fg._children.values() if hasattr(child, "data")]


def test_prepare_reprojects_to_wgs84_and_joins_readiness(layers) -> None:
    overall = overall_for(layers["parcels"])
    data = prepare_map_data(layers, overall=overall)
    assert data.parcels.crs.to_epsg() == 4326
    west, south, east, north = data.bounds
    assert 112.5 < west < east < 113.5 and 36.0 < south < north < 36.3
    got = dict(zip(data.parcels["parcel_id"], data.parcels["readiness"], strict=True))
    assert got == dict(zip(overall["parcel_id"], overall["readiness"], strict=True))
    assert set(data.layers) == set(layers) - {"parcels"}


def test_parcels_without_result_are_unchecked(layers) -> None:
    data = prepare_map_data({"parcels": layers["parcels"]})
    assert set(data.parcels["readiness"]) == {"unchecked"}


def test_mines_show_the_current_stage_from_progress(layers) -> None:
    import pandas as pd

    progress = pd.DataFrame({"site_id": ["M1"], "stage": ["accepted"], "progress_pct": [90.0],
                             "days_overdue": [0]})
    data = prepare_map_data(layers, progress=progress)
    mines = json.loads(data.geojson("mines"))["features"]
    stages = {f["properties"]["site_id"]: f["properties"]["stage"] for f in mines}
    assert stages["M1"] == "accepted"


def test_build_map_has_every_layer_tools_and_chinese_labels(layers, dem, coverage) -> None:
    data = prepare_map_data(layers, overall=overall_for(layers["parcels"]), dem=dem,
                            coverage=coverage)
    html = build_map(data, lang="zh").get_root().render()
    for name in ("开发区", "标准地", "矿山修复图斑", "供水", "道路", "电力", "太行旅游公路",
                 "管控", "5G基站", "山体阴影（DEM）", "5G 覆盖（RSRP）"):
        assert json.dumps(name) in html or name in html, name
    for js in ("L.Control.Draw", "L.Control.Measure", "L.control.fullscreen",
               "L.Control.MousePosition", "L.control.scale", "L.control.layers"):
        assert js in html, js
    assert "长治高新区" in html and 'lang = "zh-CN"' in html


def test_english_map_uses_english_names(layers) -> None:
    html = build_map(prepare_map_data(layers), lang="en").get_root().render()
    assert "Standard-land parcels" in html and "Mine restoration sites" in html
    assert "标准地" not in html.split("<script>")[-1].split("Standard-land")[0][-200:]


def test_style_is_one_lookup_per_layer_not_one_case_per_feature() -> None:
    """folium's style_function embeds a case per feature (N² load); ours embeds one table."""
    sizes = {}
    for n_side in (10, 30):
        parcels = parcels_grid(n_side)
        data = prepare_map_data({"parcels": parcels}, overall=overall_for(parcels))
        html = build_map(data, lang="en",
                         view=View(*data.bounds, zoom=DETAIL_ZOOM + 2)).get_root().render()
        sizes[n_side] = html.count(READINESS_COLORS["not_ready"])
    assert sizes[10] == sizes[30]


def test_small_workspace_draws_every_parcel(layers) -> None:
    data = prepare_map_data(layers, overall=overall_for(layers["parcels"]))
    fg, info = parcel_layer(data, lang="zh")
    assert info.mode == "parcels" and info.shown == len(layers["parcels"])
    (fc,) = _layer_data(fg)
    assert {f["properties"]["parcel_id"] for f in fc["features"]} == \
        set(layers["parcels"]["parcel_id"])


def test_many_parcels_at_low_zoom_are_summarised_by_hexagon() -> None:
    parcels = parcels_grid(60)  # 3600 parcels
    overall = overall_for(parcels)
    data = prepare_map_data({"parcels": parcels}, overall=overall)
    view = View(*data.bounds, zoom=DETAIL_ZOOM - 2)
    fg, info = parcel_layer(data, lang="en", view=view)
    assert info.mode == "summary" and info.in_view == len(parcels)
    (fc,) = _layer_data(fg)
    counts = [int(re.match(r"(\d+) parcels", f["properties"]["label"]).group(1))
              for f in fc["features"]]
    assert sum(counts) == len(parcels)
    ready = sum(int(re.search(r"ready (\d+),", f["properties"]["label"]).group(1))
                for f in fc["features"])
    assert ready == int(overall["readiness"].isin(["ready", "ready_with_commitments"]).sum())


def test_zoomed_in_view_sends_only_parcels_in_view() -> None:
    parcels = parcels_grid(60)
    data = prepare_map_data({"parcels": parcels}, overall=overall_for(parcels))
    target = data.parcels.geometry.iloc[0].centroid
    view = View(target.x - 0.002, target.y - 0.002, target.x + 0.002, target.y + 0.002, zoom=17)
    fg, info = parcel_layer(data, lang="en", view=view)
    assert info.mode == "parcels" and 0 < info.shown < 100
    (fc,) = _layer_data(fg)
    ids = {f["properties"]["parcel_id"] for f in fc["features"]}
    assert data.parcels["parcel_id"].iloc[0] in ids
    far = data.parcels["parcel_id"].iloc[-1]
    assert far not in ids


@pytest.mark.parametrize("zoom", [8, 11, 13, 15, 17])
def test_payload_stays_bounded_for_a_large_workspace(zoom: int) -> None:
    parcels = parcels_grid(300, size=40.0, gap=5.0)  # 90,000 parcels over 13.5 km
    data = prepare_map_data({"parcels": parcels}, overall=overall_for(parcels))
    w, s, e, n = data.bounds
    cx, cy = (w + e) / 2, (s + n) / 2
    half = 360.0 / 2**zoom * 1.5  # ≈ a 1000-px-wide window
    _fg, info = parcel_layer(data, lang="zh", view=View(cx - half, cy - half / 2, cx + half,
                                                       cy + half / 2, zoom))
    assert info.nbytes <= 5_000_000
    assert (info.mode == "summary") or info.shown <= 4000


def test_selected_parcel_is_highlighted_and_found_by_click(layers) -> None:
    data = prepare_map_data(layers)
    pid = "P000007"
    c = data.parcels.set_index("parcel_id").geometry[pid].centroid
    assert parcel_at(data, c.x, c.y) == pid
    assert parcel_at(data, c.x + 1.0, c.y) is None
    fg, _ = parcel_layer(data, lang="zh", selected=pid)
    names = [getattr(ch, "kind", "") for ch in fg._children.values()]
    assert "selected" in names
    (center, zoom) = focus_on(data, pid)
    assert center == pytest.approx((c.y, c.x)) and zoom >= DETAIL_ZOOM


def test_gcj02_overlays_shift_and_clicks_convert_back(layers) -> None:
    from gis.gcj02 import wgs84_to_gcj02

    data = prepare_map_data(layers)
    pid = "P000003"
    c = data.parcels.set_index("parcel_id").geometry[pid].centroid
    glon, glat = wgs84_to_gcj02(c.x, c.y)
    assert parcel_at(data, float(glon), float(glat), gcj02=True) == pid
    fg, _ = parcel_layer(data, lang="zh", gcj02=True)
    (fc,) = _layer_data(fg)
    feat = next(f for f in fc["features"] if f["properties"]["parcel_id"] == pid)
    shifted = shapely.geometry.shape(feat["geometry"]).centroid
    assert shifted.x == pytest.approx(float(glon), abs=1e-5)
    assert shifted.y == pytest.approx(float(glat), abs=1e-5)


def test_drawing_to_wgs84_takes_polygons_only() -> None:
    poly = {"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[113, 36], [113.01, 36], [113.01, 36.01], [113, 36]]]}}
    assert drawing_to_wgs84(poly).geom_type == "Polygon"
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [113, 36]}}
    assert drawing_to_wgs84(point) is None
    assert drawing_to_wgs84(None) is None
    assert drawing_to_wgs84({"geometry": {"type": "Polygon", "coordinates": "x"}}) is None


def test_view_from_st_folium() -> None:
    ret = {"bounds": {"_southWest": {"lat": 36.0, "lng": 113.0},
                      "_northEast": {"lat": 36.1, "lng": 113.2}}, "zoom": 12}
    assert View.from_st_folium(ret) == View(113.0, 36.0, 113.2, 36.1, 12)
    assert View.from_st_folium({"bounds": {"_southWest": {"lat": None, "lng": None},
                                           "_northEast": {"lat": None, "lng": None}},
                                "zoom": 10}) is None
    assert View.from_st_folium(None) is None


def _png(url: str) -> Image.Image:
    assert url.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def test_hillshade_image_is_placed_over_the_dem_and_blank_at_nodata(dem) -> None:
    img = hillshade_image(dem, max_px=64)
    assert img.url.startswith("data:image/jpeg;base64,")
    pil = Image.open(io.BytesIO(base64.b64decode(img.url.split(",", 1)[1])))
    assert max(pil.size) <= 64 and pil.mode == "L"
    s, w, n, e = img.bounds
    # the DEM's corners, in WGS84
    import geopandas as gpd

    x0, y1 = dem.transform @ (0, 0)
    x1, y0 = dem.transform @ (dem.shape[1], dem.shape[0])
    corners = gpd.GeoSeries([shapely.box(x0, y0, x1, y1)], crs=dem.crs).to_crs(4326)
    cw, cs, ce, cn = corners.total_bounds
    assert (w, s, e, n) == pytest.approx((cw, cs, ce, cn), abs=2e-3)
    grey = np.asarray(pil).astype(int)
    assert abs(grey[0, 0] - NODATA_GREY) <= 6  # the nodata corner (JPEG is lossy)
    # the relief: the hill in the middle shades its two sides differently
    mid = grey[grey.shape[0] // 2]
    assert mid.max() - mid.min() > 20


def test_coverage_image_classes_follow_the_signal(coverage) -> None:
    img = coverage_image(coverage, max_px=80)
    arr = np.asarray(_png(img.url).convert("RGBA"))
    row = arr[arr.shape[0] // 2]
    west, east = row[2, :3], row[-3, :3]
    assert tuple(west) == (0x1A, 0x98, 0x50)  # ≥ −85 dBm: strong
    assert tuple(east) == (0xD7, 0x30, 0x27)  # < −105 dBm: weak
    assert 0 < img.opacity < 1


def test_feature_collection_escapes_script_end_and_keeps_chinese() -> None:
    text = _feature_collection(np.array([shapely.Point(113.123456789, 36.0)]),
                               [{"name": "</script>长治"}])
    assert "</script>" not in text and "长治" in text
    fc = json.loads(text)
    assert fc["features"][0]["geometry"]["coordinates"] == [113.123457, 36.0]


def test_legend_escapes_html_in_names(layers) -> None:
    html = build_map(prepare_map_data(layers), lang="zh").get_root().render()
    # the mine called "煤矿<b>" is data: it reaches the page only inside JSON, escaped by the
    # tooltip helper in the browser (never as markup); the helper is the static first-party file
    from ui.assets import HELPERS_FILE

    assert "煤矿<b>" in html and "window.devzone.tip" in html
    helpers = HELPERS_FILE.read_text(encoding="utf-8")
    assert "esc(label)" in helpers and "esc(v)" in helpers


def test_feature_names_are_data_not_templates(layers) -> None:
    """Text such as ``{{ 7*7 }}`` in a name reaches the page literally (never run by jinja)."""
    import streamlit_folium as sf

    zones = layers["zones"].assign(name=["区{{ 7*7 }}{% if 1 %}x{% endif %}"])
    parcels = layers["parcels"].assign(name="{{ 6*7 }}")
    data = prepare_map_data({**layers, "zones": zones, "parcels": parcels})
    m = build_map(data, lang="zh")
    page = m.get_root().render()
    assert "区{{ 7*7 }}{% if 1 %}x{% endif %}" in page and "区49" not in page
    assert '"{{ 6*7 }}"' in page
    m2 = build_map(data, lang="zh", dynamic=True)
    fg, _ = parcel_layer(data, lang="zh")
    m2.get_root().render()
    script = sf._get_map_string(m2)
    assert "区{{ 7*7 }}" in script
    assert '"{{ 6*7 }}"' in sf._get_feature_group_string(fg, m2)


def _same_ids(html: str) -> str:
    """``html`` with folium's random element ids numbered in order, blank lines dropped."""
    ids: dict[str, str] = {}
    html = re.sub(r"[0-9a-f]{32}", lambda m: ids.setdefault(m.group(), f"ID{len(ids)}"), html)
    return "\n".join(line for line in html.splitlines() if line.strip())


def test_the_map_classes_render_what_folium_renders() -> None:
    """Ours only skip re-compiling each element's output: the page is folium's, byte for byte."""
    import folium
    from folium import plugins

    from ui.map import folium_classes as ours

    def page(lib) -> str:
        tools = lib if lib is ours else plugins
        m = lib.Map(location=[36.2, 113.1], zoom_start=10, tiles=None, max_zoom=19)
        lib.TileLayer("OpenStreetMap", name="osm", overlay=False, control=True).add_to(m)
        group = lib.FeatureGroup(name="地块", overlay=True, control=True, show=True).add_to(m)
        folium.CircleMarker([36.2, 113.1], radius=4, tooltip="点 {{ x }}").add_to(group)
        tools.Draw(export=False, position="topleft").add_to(m)
        tools.MeasureControl(position="topleft", primary_length_unit="meters").add_to(m)
        tools.Fullscreen(position="topleft", title="全屏").add_to(m)
        tools.MousePosition(position="bottomleft", prefix="WGS84").add_to(m)
        lib.LayerControl(position="topright", collapsed=False).add_to(m)
        return _same_ids(m.get_root().render())

    assert page(ours) == page(folium)


def test_rendering_a_map_compiles_no_template(layers, dem, coverage, monkeypatch) -> None:
    """folium compiled every element's output as a jinja template again on each render (48
    compilations for the demo's map, more than half of building its message)."""
    import jinja2
    import streamlit_folium as sf

    from ui.map import layer_control

    data = prepare_map_data(layers, overall=overall_for(layers["parcels"]), dem=dem,
                            coverage=coverage)
    sent: dict = {}
    monkeypatch.setattr(sf, "_component_func", lambda **kw: sent.update(kw))
    compiled: list[str] = []
    compile_ = jinja2.Environment.from_string
    monkeypatch.setattr(jinja2.Environment, "from_string",
                        lambda env, source, *a, **k: compiled.append(source)
                        or compile_(env, source, *a, **k))
    for basemap in ("hillshade", "osm"):
        m = build_map(data, lang="zh", basemap=basemap, dynamic=True)
        first = str(data.parcels["parcel_id"].iloc[0])
        fg, _ = parcel_layer(data, lang="zh", selected=first)
        compiled.clear()
        sf.st_folium(m, key="map", feature_group_to_add=fg, layer_control=layer_control())
        assert compiled == [], basemap
        assert "L.control.fullscreen" in sent["script"] and "devzoneLayers" in sent["script"]
        assert "L.control.layers" in sent["layer_control"]
        assert json.dumps("标准地") in sent["layer_control"]  # folium writes names \u-escaped
        assert json.dumps(first) in sent["feature_group"]


def test_the_map_opens_on_the_parcels_and_zones_not_on_everything(layers) -> None:
    """A far-away layer (counties, distant mines) must not shrink the parcels to specks."""
    import geopandas as gpd

    from tests.ui.conftest import CRS, X0, Y0

    far = gpd.GeoDataFrame({"name": ["远处县"]},
                           geometry=[shapely.box(X0 - 60_000, Y0 - 60_000, X0 + 60_000,
                                                 Y0 + 60_000)], crs=CRS)
    data = prepare_map_data({**layers, "counties": far})
    west, south, east, north = data.home
    pw, ps, pe, pn = data.parcels.total_bounds
    zw, zs, ze, zn = data.layers["zones"].total_bounds
    assert (west, south, east, north) == pytest.approx(
        (min(pw, zw), min(ps, zs), max(pe, ze), max(pn, zn)))
    assert data.bounds[2] - data.bounds[0] > 10 * (east - west)
    m = build_map(data, lang="zh")
    lat, lon = m.location
    assert west < lon < east and south < lat < north
    whole = build_map(prepare_map_data({"counties": far}), lang="zh")
    assert m.options["zoom"] >= whole.options["zoom"] + 3


def test_the_opening_view_layer_is_made_once_and_equals_a_fresh_one(layers) -> None:
    overall = overall_for(layers["parcels"])
    data = prepare_map_data(layers, overall=overall)
    first, info = parcel_layer(data)
    again, info2 = parcel_layer(data)
    assert info == info2 and len(data.renders) == 1
    kept = [c.data for c in first._children.values()]
    assert kept and next(c.data for c in again._children.values()) is kept[0]
    fresh, fresh_info = parcel_layer(prepare_map_data(layers, overall=overall))
    assert _layer_data(fresh) == _layer_data(first) and fresh_info == info
    # parcels read the same in English (hexagon labels would not); a view the map
    # reported is not kept
    en, _ = parcel_layer(data, lang="en")
    assert next(c.data for c in en._children.values()) is kept[0]
    parcel_layer(data, view=View(*data.bounds, zoom=DETAIL_ZOOM + 2))
    assert len(data.renders) == 1


def test_a_map_with_other_parcels_shares_the_static_layers(layers) -> None:
    data = prepare_map_data(layers, overall=overall_for(layers["parcels"]))
    zones = data.geojson("zones")
    few = data.with_parcels(data.parcels.iloc[:3].reset_index(drop=True))
    assert few.geojson("zones") is zones  # made once, for both
    assert few.n_parcels == 3 and data.n_parcels == len(layers["parcels"])
    assert few.index.search(str(data.parcels["parcel_id"].iloc[5])) == []
    _fg, info = parcel_layer(few)
    assert info.shown == 3
