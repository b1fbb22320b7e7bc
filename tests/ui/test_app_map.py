"""The map-first Map page and the Restoration page's map and chart, under AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import ROOT
from tests.ui.test_app import PAGES, _maps, _run, _texts, _walk
from ui.assets import is_local


@pytest.fixture
def demo_env(demo_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws))
    return demo_ws


def _parcel(ws: Path) -> tuple[str, str, tuple[float, float]]:
    """A demo parcel with a name: id, name, centroid (lat, lon)."""
    parcels = gpd.read_file(ws / "layers.gpkg", layer="parcels")
    row = parcels[parcels["name"].notna()].iloc[3]
    c = gpd.GeoSeries([row.geometry.centroid], crs=parcels.crs).to_crs(4326).iloc[0]
    return str(row["parcel_id"]), str(row["name"]), (c.y, c.x)


CONTROLS = {"sidebar_lang", "sidebar_basemap", "sidebar_as_of", "auth_sidebar_name",
            "map_search", "map_panel"}


def _keys(at: AppTest) -> set[str]:
    out: set[str] = set()
    for kind in ("text_input", "selectbox", "date_input", "radio", "toggle", "button"):
        out |= {w.key for w in getattr(at, kind) if w.key}
    return out


def _map_place(at: AppTest) -> list[tuple[str, int]]:
    """Where the map sits in the page: the indices from the root down to its component."""
    def find(node, path):
        if getattr(getattr(node, "proto", None), "component_name", "") == \
                "streamlit_folium.st_folium":
            return path
        children = getattr(node, "children", None) or {}
        for i, child in (children.items() if isinstance(children, dict) else
                         enumerate(children)):
            found = find(child, [*path, i])
            if found is not None:
                return found
        return None

    place = find(at._tree, [])
    assert place is not None, "no map on the page"
    return place


def _first_run_on_the_map() -> AppTest:
    """A new session whose first run is the Map page (a browser opening ``/map``)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page(PAGES["map"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_session_opening_on_the_map_gets_the_map_first(demo_env: Path) -> None:
    at = _first_run_on_the_map()
    assert len(_maps(at)) == 1
    assert not _keys(at) & CONTROLS  # no sidebar controls, no search row yet
    place = _map_place(at)
    at.run()  # what the map's first report of its view starts
    assert not at.exception
    assert _keys(at) >= CONTROLS
    assert _map_place(at) == place  # same place in the page: the frame is kept, not reloaded
    at.run()  # and later runs draw everything as before
    assert _keys(at) >= CONTROLS and _map_place(at) == place


def test_a_held_run_without_a_map_draws_its_controls_at_once(
        demo_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No map (its scripts missing): no report would start the next run, so the controls
    come in the same run."""
    monkeypatch.setattr("ui.widgets.missing_files", lambda: ["leaflet.js"])
    at = _first_run_on_the_map()
    assert not _maps(at)
    assert {"sidebar_lang", "sidebar_basemap", "sidebar_as_of"} <= _keys(at)


def test_other_pages_and_later_visits_draw_their_controls_in_the_first_run(
        demo_env: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()  # the overview
    assert {"sidebar_lang", "sidebar_basemap", "sidebar_as_of"} <= _keys(at)
    at.switch_page(PAGES["map"]).run()  # the map later in the same session: nothing held
    assert _keys(at) >= CONTROLS and len(_maps(at)) == 1


def test_search_by_name_flies_to_the_parcel_and_opens_its_rules(demo_env: Path) -> None:
    pid, name, (lat, lon) = _parcel(demo_env)
    at = _run(PAGES["map"])
    assert at.toggle(key="map_panel").value is False  # nothing to show: the map is full width
    (before,) = _maps(at)
    assert before["center"] is None and before["zoom"] is None
    at.text_input(key="map_search").input(name).run()
    assert not at.exception
    (args,) = _maps(at)
    c_lat, c_lon = args["center"]
    assert abs(c_lat - lat) < 0.002 and abs(c_lon - lon) < 0.002
    assert args["zoom"] >= 13
    assert f"地块 {pid} 的逐条规则" in _texts(at)  # the panel opened on the found parcel
    assert at.toggle(key="map_panel").value is True
    assert "#00e5ff" in args["feature_group"]  # and the map outlines it
    at.run()  # the next rerun leaves the view to the user
    (again,) = _maps(at)
    assert again["center"] is None


def test_search_with_several_matches_offers_them_and_none_says_so(demo_env: Path) -> None:
    pid, _name, _ = _parcel(demo_env)
    at = _run(PAGES["map"])
    prefix = pid.split("-")[0]  # e.g. "GX": every parcel of one zone
    at.text_input(key="map_search").input(prefix.lower()).run()
    pick = at.selectbox(key="map_search_pick")
    assert len(pick.options) > 1 and all(prefix in o for o in pick.options)
    at.text_input(key="map_search").input("没有这个地块").run()
    assert "没有编号或名称包含“没有这个地块”的地块。" in _texts(at)


def test_restoration_page_shows_the_sites_map_and_the_restored_area_chart(
        demo_env: Path) -> None:
    at = _run(PAGES["restoration"])
    assert not at.error, [e.value for e in at.error]
    texts = _texts(at)
    assert "各图斑当前阶段" in texts and "已修复面积变化（据巡查记录）" in texts
    (args,) = _maps(at)
    assert args["returned_objects"] == []  # a view only: panning does not rerun the page
    links = args["js_links"] + args["css_links"]
    assert links and all(is_local(u) for u in links)
    from ui.map import STAGE_COLORS

    assert json.dumps(STAGE_COLORS, ensure_ascii=False) in args["script"]
    assert json.dumps("修复图斑（点）") in args["script"] or "修复图斑（点）" in args["script"]
    specs = [json.loads(n.proto.spec) for n in _walk(at._tree)
             if getattr(n, "type", "") == "vega_lite_chart"]
    (area,) = [s for s in specs if s["mark"]["type"] == "area"]
    fields = {e.get("field") for e in area["encoding"].values() if isinstance(e, dict)}
    assert {"日期", "已修复面积（公顷）"} <= fields
