"""The app in a real Chromium, with every non-local request aborted (an intranet without internet).

One Streamlit server per session (``app_server``) over a copy of the demo
workspace; each test opens a fresh browser session. ``offline_page`` fails a
test whose page tried to reach any host but 127.0.0.1. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from layers.access import Role
from tests.ui.conftest import ACCOUNTS, ARTIFACTS, PASSWORD
from ui.i18n import t

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _open(page, url: str, title: str):
    page.goto(url)
    page.locator("h1").filter(has_text=title).first.wait_for()
    return page


def _sign_in(page, role: Role) -> None:
    """Sign in with the test account of ``role`` through the sidebar form."""
    side = page.locator('[data-testid="stSidebar"]')
    side.get_by_text("工作空间").wait_for()  # the sidebar's last line: its run is done
    side.locator('input[aria-label="用户名"]').fill(ACCOUNTS[role])
    side.locator('input[type="password"]').fill(PASSWORD)
    side.locator('[data-testid="stFormSubmitButton"] button').click()
    # argon2 takes a moment, longer on a loaded machine
    side.get_by_text(f"已登录：{ACCOUNTS[role]}").wait_for(timeout=90_000)


def _go(page, nav: str, title: str):
    """Another page of the same session (a new URL would start a new, signed-out session)."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=nav).first.click()
    page.locator("h1").filter(has_text=title).first.wait_for()
    return page


def _map(page):
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.leaflet-interactive:visible").first.wait_for(timeout=45_000)
    return frame


def _map_frame(page):
    """The map iframe as a Frame (to run JavaScript in it)."""
    handle = page.locator(MAP_FRAME).first.element_handle()
    return handle.content_frame()


# Streamlit scrolls inside its main container, so a "full page" screenshot stops at the
# viewport: grow the viewport to the content's height for the shot
CONTENT_HEIGHT = """() => Math.max(document.body.scrollHeight, ...Array.from(
  document.querySelectorAll('[data-testid="stMain"], [data-testid="stMainBlockContainer"]'))
  .map(e => e.scrollHeight))"""


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"ui-{name}.png"
    page.wait_for_timeout(600)
    size = page.viewport_size
    height = int(page.evaluate(CONTENT_HEIGHT)) + 60
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(height, 4000)})
        page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _demo_parcel(ws: Path) -> tuple[str, float, float]:
    """The largest demo parcel: id and a point inside it (lat, lon)."""
    parcels = gpd.read_file(ws / "layers.gpkg", layer="parcels")
    metric = parcels.to_crs(4547)
    row = metric.loc[metric.area.idxmax()]
    pt = gpd.GeoSeries([row.geometry.representative_point()], crs=4547).to_crs(4326).iloc[0]
    return str(row["parcel_id"]), pt.y, pt.x


def _zoom_to(page, lat: float, lon: float, zoom: int = 17):
    frame = _map_frame(page)
    frame.wait_for_function("() => window.map !== undefined")
    frame.evaluate("([lat, lon, z]) => window.map.setView([lat, lon], z)", [lat, lon, zoom])
    return frame


def test_app_loads_offline_and_draws_parcels(offline_page, app_server) -> None:
    page = _open(offline_page, f"{app_server.url}/", "概览")
    frame = _map(page)
    assert frame.locator(".leaflet-container").count() == 1
    # parcels are drawn: their fills are readiness colours (the map may rerun once after it
    # reports its first view, so wait for them rather than reading the first frame)
    colours = ("#1a9641", "#d7191c", "#fdae61", "#a6d96a")
    frame.locator(", ".join(f'path.leaflet-interactive[fill="{c}"]' for c in colours)
                  ).first.wait_for(timeout=30_000)
    fills = frame.locator("path.leaflet-interactive").evaluate_all(
        "els => els.map(e => e.getAttribute('fill'))")
    assert {"#1a9641", "#d7191c", "#fdae61", "#a6d96a"} & set(fills)
    for control in (".leaflet-draw", ".leaflet-control-measure", ".leaflet-control-zoom-fullscreen",
                    ".leaflet-control-mouseposition", ".leaflet-control-scale",
                    ".leaflet-control-layers"):
        assert frame.locator(control).count() >= 1, control
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    _no_exception(page)
    _shot(page, "overview-zh")


def _settled(page, paths) -> None:
    """Wait for the rerun that sends the parcels of the map's first reported view."""
    last = -1
    for _ in range(20):
        page.wait_for_timeout(700)
        now = paths.count()
        if now == last:
            return
        last = now


def test_layer_control_toggles_a_layer(offline_page, app_server) -> None:
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    frame = _map(page)
    paths = frame.locator("path.leaflet-interactive")
    _settled(page, paths)
    mines = frame.locator(".leaflet-control-layers-overlays label").filter(has_text="矿山修复图斑")
    before = paths.count()
    mines.locator("input").uncheck()
    page.wait_for_timeout(300)
    hidden = paths.count()
    assert hidden < before
    mines.locator("input").check()
    page.wait_for_timeout(300)
    assert paths.count() == before
    _shot(page, "map-zh")


# in the map's frame: when the first parcel path was painted, when the first context-layer
# path was added (performance.now())
FIRST_PATHS_JS = """(() => {
  if (window.top === window) return;
  const seen = window.__firstPaths = {parcelsPainted: null, layersAdded: null};
  const poll = setInterval(() => {
    if (seen.parcelsPainted === null
        && document.querySelector('.leaflet-overlay-pane path.leaflet-interactive')) {
      seen.parcelsPainted = -1;
      requestAnimationFrame(() => setTimeout(() => {
        seen.parcelsPainted = performance.now(); }, 0));
    }
    if (document.querySelector('.leaflet-devzoneLayers-pane path')) {
      seen.layersAdded = performance.now();
      clearInterval(poll);
    }
  }, 1);
})();"""


def test_context_layers_come_as_files_under_the_parcels(offline_page, app_server) -> None:
    sizes: list[int] = []
    offline_page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: sizes.append(len(payload))))
    offline_page.add_init_script(FIRST_PATHS_JS)
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    frame = _map(page)
    # attached, not visible: a feature outside the view is an empty path
    frame.locator(".leaflet-devzoneLayers-pane path.leaflet-interactive").first.wait_for(
        state="attached")
    # the parcels paint first; the layers follow, each in a task of its own
    inner = _map_frame(page)
    inner.wait_for_function("() => window.devzone.pending === 0")
    first = inner.evaluate("() => window.__firstPaths")
    assert 0 < first["parcelsPainted"] <= first["layersAdded"], first
    assert inner.evaluate("() => window.devzone.loadedAt") >= first["layersAdded"]
    # the parcels stay in the overlay pane above them (their clicks are not covered)
    assert frame.locator(".leaflet-overlay-pane path.leaflet-interactive").count() > 0
    assert frame.locator(".leaflet-devzoneImages-pane img.leaflet-image-layer").count() >= 1
    fetched = _map_frame(page).evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name)")
    files = [u for u in fetched if "/app/static/mapdata/" in u]
    assert len(files) >= 5 and any(u.endswith(".jpg") for u in files), files
    # the page's messages carry the parcels, not the context layers (0.8 MB before)
    assert sizes and max(sizes) < 300_000, max(sizes, default=0)
    _no_exception(page)


def test_a_layer_file_that_cannot_be_loaded_is_named_on_the_map(offline_page,
                                                                app_server) -> None:
    offline_page.route(re.compile(r"/app/static/mapdata/[0-9a-f]+\.json$"),
                       lambda route: route.fulfill(status=404, body="gone"))
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    frame = _map(page)  # the parcels are drawn all the same
    notice = frame.locator(".devzone-failed")
    notice.wait_for()
    assert "未能加载" in notice.inner_text() and "开发区" in notice.inner_text()
    assert frame.locator(".leaflet-devzoneLayers-pane path.leaflet-interactive").count() == 0


def test_clicking_a_parcel_shows_its_rules(offline_page, app_server) -> None:
    pid, lat, lon = _demo_parcel(app_server.ws)
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    _map(page)
    _zoom_to(page, lat, lon)
    frame = page.frame_locator(MAP_FRAME).first
    container = frame.locator(".leaflet-container")
    page.wait_for_timeout(1500)  # the rerun that sends the parcels of the new view
    box = page.locator(MAP_FRAME).first.bounding_box()
    inner = container.bounding_box()
    assert box and inner
    page.mouse.click(inner["x"] + inner["width"] / 2, inner["y"] + inner["height"] / 2)
    page.get_by_text(f"地块 {pid} 的逐条规则").wait_for()
    rules = page.locator('[data-testid="stDataFrame"]').last
    rules.locator('[role="gridcell"]').first.wait_for(state="attached")
    cells = rules.locator('[role="gridcell"]').all_text_contents()
    assert any(c in ("通过", "不通过", "未知", "承诺") for c in cells)
    _no_exception(page)
    _shot(page, "map-parcel-rules")
    # the same parcel's rules in English (the selection survives the language switch)
    page.locator('[data-testid="stSidebar"]').get_by_text("English").click()
    page.get_by_text(f"Rules for parcel {pid}").wait_for()
    rules = page.locator('[data-testid="stDataFrame"]').last
    rules.locator('[role="gridcell"]').filter(has_text="Pass").first.wait_for(state="attached")
    cells = rules.locator('[role="gridcell"]').all_text_contents()
    assert not [c for c in cells if c in ("通过", "不通过", "未知", "承诺")]
    page.get_by_text("All rules: gap, cost and message").click()  # the wrapped detail table
    detail = page.locator('[data-testid="stExpander"]').last
    detail.get_by_text("Road access").first.wait_for()
    text = detail.inner_text()
    assert "roads" in text and "距道路" not in text  # the English messages, not the Chinese
    _no_exception(page)
    _shot(page, "map-parcel-rules-en")


def test_drawing_a_polygon_checks_the_sketch(offline_page, app_server) -> None:
    _, lat, lon = _demo_parcel(app_server.ws)
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    _map(page)
    _zoom_to(page, lat, lon, 15)
    page.wait_for_timeout(1000)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-draw-draw-polygon").click()
    box = frame.locator(".leaflet-container").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(-80, -60), (80, -60), (80, 60), (-80, 60)]
    for dx, dy in corners:
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(150)
    page.mouse.click(cx + corners[0][0], cy + corners[0][1])  # close the ring
    page.get_by_text("草图检查结果").wait_for()
    page.get_by_text("草图总体状态").wait_for()
    _no_exception(page)
    _shot(page, "map-sketch")


def test_geojson_download_is_rfc7946(offline_page, app_server) -> None:
    page = _open(offline_page, f"{app_server.url}/parcels", "标准地")
    _map(page)
    button = page.locator('[data-testid="stDownloadButton"] button').first
    with page.expect_download() as info:
        button.click()
    path = info.value.path()
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    n_parcels = len(gpd.read_file(app_server.ws / "layers.gpkg", layer="parcels"))
    assert len(doc["features"]) == n_parcels
    for feat in doc["features"][:50]:
        geom = shapely.geometry.shape(feat["geometry"])
        x0, y0, x1, y1 = geom.bounds
        assert 110 < x0 < x1 < 116 and 34 < y0 < y1 < 38  # lon/lat order, WGS84
        for poly in getattr(geom, "geoms", [geom]):
            assert shapely.is_ccw(poly.exterior)  # RFC 7946 right-hand rule
        assert feat["properties"]["readiness"] in (
            "ready", "ready_with_commitments", "not_ready", "incomplete", "unchecked")
    _shot(page, "parcels-zh")


def test_restoration_page_renders(offline_page, app_server) -> None:
    page = _open(offline_page, f"{app_server.url}/restoration", "废弃矿山生态修复")
    _sign_in(page, Role.inspector)
    page.get_by_text("记录一次巡查").wait_for()
    page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]') \
        .first.wait_for()
    _no_exception(page)
    _shot(page, "restoration-zh")


def _gbk_shapefile_zip(folder: Path) -> tuple[Path, list[str]]:
    """A zipped zones shapefile whose .dbf is GBK with no .cpg and no language byte."""
    names = ["长治高新区测试", "潞城经开区测试"]
    gdf = gpd.GeoDataFrame({"zone_id": ["ZT1", "ZT2"], "name": names},
                           geometry=[shapely.box(113.05, 36.15, 113.08, 36.17),
                                     shapely.box(113.10, 36.20, 113.12, 36.22)], crs=4490)
    shp = folder / "zones_gbk.shp"
    gdf.to_file(shp, driver="ESRI Shapefile", encoding="GBK", engine="pyogrio")
    folder.joinpath("zones_gbk.cpg").unlink(missing_ok=True)
    dbf = folder / "zones_gbk.dbf"
    raw = bytearray(dbf.read_bytes())
    raw[29] = 0  # no language driver id: GDAL would decode it as Latin-1
    dbf.write_bytes(bytes(raw))
    assert "长治".encode("gbk") in raw
    out = folder / "zones_gbk.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj"):
            zf.write(folder / f"zones_gbk.{ext}", f"zones_gbk.{ext}")
    return out, names


def test_gbk_shapefile_upload_keeps_chinese_names(offline_page, app_server, tmp_path) -> None:
    archive, names = _gbk_shapefile_zip(tmp_path)
    page = _open(offline_page, f"{app_server.url}/data", "数据管理")
    _sign_in(page, Role.editor)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(archive))
    page.get_by_text("校验报告").first.wait_for(timeout=45_000)
    grid = page.locator('[data-testid="stDataFrame"]').filter(has_text="")
    page.locator('[role="gridcell"]').filter(has_text=names[0]).first.wait_for(state="attached")
    cells = grid.locator('[role="gridcell"]').all_text_contents()
    assert set(names) <= set(cells)
    _no_exception(page)
    page.get_by_text("预览（前 20 行）").scroll_into_view_if_needed()
    _shot(page, "data-upload-gbk")


def test_language_switch_to_english(offline_page, app_server) -> None:
    page = _open(offline_page, f"{app_server.url}/", "概览")
    _map(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("English").click()
    page.locator("h1").filter(has_text="Overview").first.wait_for()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    frame = _map(page)
    frame.locator(".leaflet-control-layers").filter(has_text="Standard-land parcels") \
        .first.wait_for()
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Restoration" in nav and "矿山修复" not in nav
    _no_exception(page)
    _shot(page, "overview-en")


CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def test_every_page_in_english_has_no_chinese_ui_text(offline_page, app_server) -> None:
    """Headings, widget labels and navigation of every page are translated (data may be Chinese)."""
    page = _open(offline_page, f"{app_server.url}/", "概览")
    page.locator('[data-testid="stSidebar"]').get_by_text("English").click()
    page.locator("h1").filter(has_text="Overview").first.wait_for()
    for nav, title, name in (("Map", "Map", "map"), ("Parcels", "Standard-land parcels", "parcels"),
                             ("Restoration", "Abandoned-mine restoration", "restoration"),
                             ("Data", "Data", "data")):
        link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=nav).first
        heading = page.locator("h1").filter(has_text=title).first
        link.click()
        try:
            heading.wait_for(timeout=15_000)
        except PlaywrightTimeout:  # a click landing during the map's own rerun can be lost
            link.click()
            heading.wait_for()
        page.wait_for_timeout(800)  # the page's last elements
        assert page.evaluate("document.documentElement.lang") == "en"
        _no_exception(page)
        texts = page.locator("h1, h2, h3, [data-testid='stWidgetLabel'], "
                             "[data-testid='stSidebarNav']").all_inner_texts()
        chinese = [x for x in texts if CJK.search(x) and "语言" not in x]
        assert chinese == [], f"{name}: untranslated {chinese}"
        _shot(page, f"{name}-en")


@pytest.mark.parametrize("size", [(1440, 900), (1024, 700)])
def test_map_page_map_fills_the_viewport(offline_page, app_server, size) -> None:
    width, height = size
    offline_page.set_viewport_size({"width": width, "height": height})
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    frame = _map(page)
    page.wait_for_timeout(800)
    box = page.locator(MAP_FRAME).first.bounding_box()
    main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    inner = frame.locator(".leaflet-container").bounding_box()
    assert box and main and inner
    # the map takes the window's height below the search row, and the main column's width
    assert box["y"] + box["height"] <= height
    assert box["height"] >= height - 260, box
    assert box["width"] >= main["width"] - 2 * 84, (box, main)  # less its padding
    # and Leaflet fills its frame (not the frame's fixed starting height)
    assert abs(inner["height"] - box["height"]) <= 2 and abs(inner["width"] - box["width"]) <= 2
    # the scale bar is metric only
    scale = frame.locator(".leaflet-control-scale-line")
    assert scale.count() == 1 and re.search(r"\d+ k?m$", scale.inner_text().strip())
    _no_exception(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-map-viewport-{width}x{height}.png"))


# Installed before a page loads: how many map frames the page ever created, how many controls
# it had when the first appeared, and each place the frame was laid out at.
FIRST_SIGHT = """(() => {
  if (window.top !== window) return;
  const seen = window.__mapFirst = {frames: 0, controls: null, tops: []};
  const controls = '[data-testid="stSidebar"] [data-testid="stDateInput"], '
    + '[data-testid="stTextInput"], [data-testid="stRadio"]';
  const look = () => {
    const frame = document.querySelector(__MAP_FRAME__);
    if (!frame) return;
    if (!frame.__seen) {
      frame.__seen = true;
      seen.frames += 1;
      if (seen.controls === null) seen.controls = document.querySelectorAll(controls).length;
    }
    const top = Math.round(frame.getBoundingClientRect().top);
    if (top > 0 && seen.tops[seen.tops.length - 1] !== top) seen.tops.push(top);
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true});
  setInterval(look, 10);
})()""".replace("__MAP_FRAME__", repr(MAP_FRAME))


def test_a_session_opening_on_the_map_gets_the_map_before_its_controls(offline_page,
                                                                        app_server) -> None:
    """The first run draws the map alone; the controls come with the next run, and the map's
    frame is neither loaded again nor moved when they do."""
    loads: list[str] = []
    offline_page.on("framenavigated",
                    lambda f: loads.append(f.url) if "streamlit_folium" in f.url else None)
    offline_page.add_init_script(FIRST_SIGHT)
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    _map(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"]').wait_for()
    page.get_by_placeholder(t("map.search_hint", "zh")).wait_for()
    page.wait_for_timeout(1000)
    seen = page.evaluate("() => window.__mapFirst")
    assert seen["frames"] == 1 and len(loads) == 1, (seen, loads)
    assert seen["controls"] == 0, seen  # nothing but the map and the page's title before it
    assert len(seen["tops"]) == 1, seen  # the search row's place was kept free
    _no_exception(page)


def test_in_a_narrow_window_the_map_ends_where_it_first_appeared(offline_page,
                                                                  app_server) -> None:
    """Below 640 px Streamlit stacks the search row into two lines; the place kept free for
    it on the first run is that high, so the map ends where it first appeared."""
    offline_page.set_viewport_size({"width": 600, "height": 900})
    offline_page.add_init_script(FIRST_SIGHT)
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    _map(page)
    page.get_by_placeholder(t("map.search_hint", "zh")).wait_for()
    page.wait_for_timeout(1000)
    tops = page.evaluate("() => window.__mapFirst")["tops"]
    assert tops and tops[0] == tops[-1], tops
    _no_exception(page)


def test_search_box_flies_to_a_parcel(offline_page, app_server) -> None:
    parcels = gpd.read_file(app_server.ws / "layers.gpkg", layer="parcels").to_crs(4326)
    row = parcels[parcels["name"].notna()].iloc[-1]
    pid, name = str(row["parcel_id"]), str(row["name"])
    page = _open(offline_page, f"{app_server.url}/map", "地图")
    _map(page)
    frame = _map_frame(page)
    frame.wait_for_function("() => window.map !== undefined")
    frame.evaluate("() => window.map.setZoom(10)")  # far away from any single parcel
    page.wait_for_timeout(1000)
    box = page.get_by_placeholder("输入地块编号或名称，回车后定位")
    box.fill(name)
    box.press("Enter")
    page.get_by_text(f"地块 {pid} 的逐条规则").wait_for()
    frame = _map_frame(page)
    frame.wait_for_function("() => window.map.getZoom() >= 13")
    lat, lon, zoom = frame.evaluate(
        "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    assert row.geometry.buffer(1e-4).contains(shapely.Point(lon, lat)), (lat, lon)
    assert zoom >= 13
    # the found parcel is outlined (the selection layer's colour)
    frame_loc = page.frame_locator(MAP_FRAME).first
    frame_loc.locator('path[stroke="#00e5ff"]').first.wait_for(state="attached")
    _no_exception(page)
    _shot(page, "map-search")


def test_restoration_page_shows_sites_by_stage_and_restored_area(offline_page,
                                                                 app_server) -> None:
    from layers.palette import STAGE_COLORS

    page = _open(offline_page, f"{app_server.url}/restoration", "废弃矿山生态修复")
    page.get_by_text("各图斑当前阶段").wait_for()
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=45_000)
    fills = frame.locator("path.leaflet-interactive").evaluate_all(
        "els => els.map(e => e.getAttribute('fill'))")
    assert len(set(fills) & set(STAGE_COLORS.values())) >= 3  # sites in several stages
    page.get_by_text("已修复面积变化（据巡查记录）").wait_for()
    charts = page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')
    charts.nth(1).wait_for()
    assert charts.count() >= 2  # restored area over time, sites by stage
    _no_exception(page)
    _shot(page, "restoration-map-chart")
