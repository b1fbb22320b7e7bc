"""The parcel catalogue page under AppTest: filters, sorting, the plan check, the public view."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomli_w
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import ROOT

CATALOGUE = "ui/pages/catalogue.py"
MU, HA, MOTORWAY = "面积（亩）", "面积（公顷）", "距高速出口（公里）"


@pytest.fixture
def demo_env(demo_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws))
    monkeypatch.delenv("DEVZONE_PUBLIC_CATALOGUE", raising=False)
    return demo_ws


def _open(page: str | None = CATALOGUE) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open_url(url: str) -> AppTest:
    """The app at an address whose page is the sign-in form (a callable page, which
    AppTest.switch_page cannot name by file): opened by its URL path, as a browser would."""
    at = _open(None)
    at._page_hash = next(h for h, info in at._registered_pages.items()
                         if info.get("url_pathname") == url)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest):
    return at.dataframe[0].value


def _keys(at: AppTest) -> set[str]:
    out: set[str] = set()
    for kind in ("button", "text_input", "selectbox", "number_input", "checkbox", "date_input",
                 "multiselect", "radio"):
        out |= {w.key for w in getattr(at, kind) if w.key}
    return out


def _on_offer(ws: Path) -> int:
    import geopandas as gpd

    parcels = gpd.read_file(ws / "layers.gpkg", layer="parcels")
    return int(parcels["supply_status"].isin(["reserve", "for_supply"]).sum())


def test_only_land_on_offer_and_filters_narrow_the_table(demo_env: Path) -> None:
    at = _open()
    assert [t.value for t in at.title] == ["招商地块目录"]
    full = _table(at)
    assert len(full) == _on_offer(demo_env) > 0
    assert set(full["供应状态"]) <= {"储备", "待供应"}
    assert full[MU].to_numpy() == pytest.approx(full[HA].to_numpy() * 15, abs=0.2)  # rounded

    at.number_input(key="cat_min").set_value(80.0).run()
    big = _table(at)
    assert 0 < len(big) < len(full) and (big[MU] >= 80.0 - 0.05).all()
    at.radio(key="cat_unit").set_value("ha").run()  # the same bound in hectares
    at.number_input(key="cat_min").set_value(80.0 / 15).run()
    assert len(_table(at)) == len(big)
    at.number_input(key="cat_min").set_value(None).run()

    at.number_input(key="cat_km_motorway_exit").set_value(3.0).run()
    near = _table(at)
    assert 0 < len(near) < len(full) and (near[MOTORWAY] <= 3.05).all()
    at.multiselect(key="cat_readiness").set_value(["ready"]).run()
    ready = _table(at)
    assert 0 < len(ready) < len(near) and set(ready["准备状态"]) == {"已就绪"}
    at.number_input(key="cat_km_motorway_exit").set_value(0.01).run()
    assert len(_table(at)) == 0
    assert any("没有符合条件的地块" in i.value for i in at.info)
    assert not at.exception


def test_sorting_and_the_shortlist_downloads(demo_env: Path) -> None:
    at = _open()
    assert _table(at)[MU].is_monotonic_decreasing
    at.selectbox(key="cat_sort").set_value("area_asc").run()
    assert _table(at)[MU].is_monotonic_increasing
    at.selectbox(key="cat_sort").set_value("motorway_exit").run()
    assert _table(at)[MOTORWAY].is_monotonic_increasing
    labels = [b.label for b in at.get("download_button")]
    n = len(_table(at))
    assert f"下载候选地块（GEOJSON，{n} 个）" in labels and f"下载候选地块（CSV，{n} 个）" in labels


def test_can_i_meet_the_indicators(demo_env: Path) -> None:
    at = _open()
    n = len(_table(at))
    at.number_input(key="cat_investment_wan").set_value(20_000.0)
    at.number_input(key="cat_floor_area_m2").set_value(60_000.0).run()
    table = _table(at)
    assert len(table) == n and {"达标", "不达标"} <= set(table["指标测算"])
    short = table[table["指标测算"] == "不达标"]
    assert short["原因"].str.contains("低于下限").all()
    assert any("按您的计划" in i.value for i in at.info)
    at.checkbox(key="cat_plan_only").check().run()
    meets = _table(at)
    assert 0 < len(meets) < n and set(meets["指标测算"]) == {"达标"}


def test_english_labels(demo_env: Path) -> None:
    at = _open()
    at.radio(key="sidebar_lang").set_value("en").run()
    assert [t.value for t in at.title] == ["Parcel catalogue for investors"]
    assert {"Area (mu)", "Area (ha)", "To motorway exit (km)"} <= set(_table(at).columns)


def test_without_transport_the_distance_filters_are_off_with_a_note(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = demo_ws_copy / "workspace.toml"
    doc = tomllib.loads(manifest.read_text(encoding="utf-8"))
    del doc["layers"]["transport"]
    manifest.write_text(tomli_w.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    at = _open()
    assert at.number_input(key="cat_km_motorway_exit").disabled
    assert at.number_input(key="cat_km_rail_freight").disabled
    assert not at.number_input(key="cat_km_substation").disabled
    notes = [c.value for c in at.caption]
    assert any("工作区没有高速出口数据" in c for c in notes)
    assert MOTORWAY not in _table(at).columns and "距变电站（公里）" in _table(at).columns


def test_public_catalogue_with_anonymous_viewing_off(demo_env: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_ANONYMOUS_VIEW", "false")
    home = _open(None)  # every other address: the sign-in form, with a link to the catalogue
    assert [t.value for t in home.title] == ["开发区规划助手"]
    assert not home.dataframe and "auth_page_submit" in _keys(home)
    links = [e for e in home.get("page_link")]
    assert len(links) == 1 and "可供应地块" in links[0].proto.label
    for url in ("data", "parcels", "supervision", "map"):
        other = _open_url(url)
        assert [t.value for t in other.title] == ["开发区规划助手"], url
        assert not other.dataframe and "auth_page_submit" in _keys(other)
    at = _open()
    assert [t.value for t in at.title] == ["招商地块目录"]
    assert len(_table(at)) == _on_offer(demo_env)
    keys = _keys(at)
    # the catalogue, a language switch and a sign-in form: no check date, no edit controls
    assert {"cat_min", "sidebar_lang", "auth_catalogue_submit"} <= keys
    assert "sidebar_as_of" not in keys and "sidebar_basemap" not in keys
    assert not at.get("file_uploader")
    assert not [e for e in at.get("page_link")]  # navigation is hidden from visitors


def test_catalogue_needs_sign_in_when_not_public(demo_env: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_ANONYMOUS_VIEW", "false")
    monkeypatch.setenv("DEVZONE_PUBLIC_CATALOGUE", "false")
    at = _open_url("catalogue")
    assert [t.value for t in at.title] == ["开发区规划助手"] and not at.dataframe
    assert not at.get("page_link")
