"""Every page under Streamlit's AppTest (no browser): widgets, the map component, errors."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from layers.access import Role
from tests.ui.conftest import ROOT, signed_in
from ui.assets import is_local

PAGES = {
    "overview": None,
    "map": "ui/pages/map.py",
    "parcels": "ui/pages/parcels.py",
    "restoration": "ui/pages/restoration.py",
    "data": "ui/pages/data.py",
}


def _run(page: str | None = None, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    if state:
        for k, v in state.items():
            setattr(at.session_state["devzone_state"], k, v)
    if page:
        at.switch_page(page).run()
    elif state:
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        children = children.values()
    for child in children or []:
        yield from _walk(child)


def _maps(at: AppTest) -> list[dict]:
    """The arguments of every st_folium component on the page."""
    out = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if getattr(proto, "component_name", "") == "streamlit_folium.st_folium":
            out.append(json.loads(proto.json_args))
    return out


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "caption", "markdown", "info", "error", "warning",
                 "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.fixture
def demo_env(demo_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws))
    return demo_ws


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_with_its_widgets_and_no_error(demo_env: Path, name: str) -> None:
    at = _run(PAGES[name], **signed_in(Role.admin))  # an admin sees every control
    assert not at.error, [e.value for e in at.error]
    assert at.radio(key="sidebar_lang").value == "zh"
    assert at.selectbox(key="sidebar_basemap").value == "hillshade"
    assert len(at.title) == 1
    expected = {"overview": ("metric", 5), "map": ("caption", 1), "parcels": ("multiselect", 4),
                "restoration": ("metric", 5), "data": ("selectbox", 3)}[name]
    assert len(getattr(at, expected[0])) >= expected[1], expected


@pytest.mark.parametrize("name", ["overview", "map", "parcels"])
def test_map_component_assets_are_local_and_every_layer_is_in_the_script(
        demo_env: Path, name: str) -> None:
    at = _run(PAGES[name])
    (args,) = _maps(at)
    links = args["js_links"] + args["css_links"]
    assert links and all(is_local(u) for u in links), [u for u in links if not is_local(u)]
    assert all(u.startswith("/app/static/vendor/") for u in links)
    for url in links:  # served from static/ next to app.py
        assert (ROOT / "static" / url.removeprefix("/app/static/")).is_file(), url
    everything = args["script"] + (args["feature_group"] or "") + (args["layer_control"] or "")
    assert not re.search(r"""(?:src|href)=["']https?://""", everything)
    for label in ("开发区", "标准地", "矿山修复图斑", "供水", "道路", "电力", "太行旅游公路",
                  "管控", "山体阴影（DEM）", "5G 覆盖（RSRP）"):
        assert json.dumps(label) in args["layer_control"], label
    # parcels travel in the dynamic feature group, styled from their readiness property
    assert '"readiness":' in args["feature_group"]
    assert len(args["script"]) + len(args["feature_group"]) < 5_000_000


def test_selected_parcel_shows_its_rules(demo_env: Path) -> None:
    parcels = gpd.read_file(demo_env / "layers.gpkg", layer="parcels")
    pid = str(parcels["parcel_id"].iloc[0])
    at = _run(PAGES["map"], selected_parcel=pid)
    assert f"地块 {pid} 的逐条规则" in _texts(at)
    (table,) = [d.value for d in at.dataframe]  # compact, beside the map
    assert list(table.columns) == ["规则", "状态", "实测值", "要求"]
    assert set(table["状态"]) <= {"通过", "不通过", "未知", "承诺"}
    rules = tomllib.loads((demo_env / "rules.toml").read_text(encoding="utf-8"))["rule"]
    assert list(table["规则"]) == [r["label"]["zh"] for r in rules]  # labels, not ids
    assert not table["实测值"].str.contains("fraction").any()  # shares shown as %
    result = _readiness_of(demo_env)
    long = result.long[result.long["parcel_id"].astype(str) == pid]
    (details,) = at.expander  # every rule's message, gap and cost as wrapped text
    text = "\n".join(str(m.value) for m in details.markdown).replace("\\", "")
    for rule in rules:
        assert f"**{rule['label']['zh']}**" in text, rule["id"]
    for message in long["message"].dropna():
        assert message in text
    failing = long[long["status"] != "pass"]
    listed = _texts(at).replace("\\", "")  # the rules to act on, above the expander
    assert "需要处理的规则" in listed
    for message in failing["message"].dropna():
        assert listed.count(message) >= 2  # in the list to act on and in the expander
    (args,) = _maps(at)
    assert "#00e5ff" in args["feature_group"]  # the highlight outline of the selection


def _readiness_of(ws: Path):
    from layers.readiness import evaluate, inputs_from_workspace, load_rulebook
    from layers.workspace import Workspace

    w = Workspace.load(ws)
    rulebook = load_rulebook(w.rules_path)
    return evaluate(inputs_from_workspace(w, rulebook=rulebook), rulebook, as_of=w.as_of)


def test_a_drawn_sketch_is_checked(demo_env: Path) -> None:
    zones = gpd.read_file(demo_env / "layers.gpkg", layer="zones").to_crs(4326)
    c = zones.geometry.iloc[0].representative_point()
    sketch = f"POLYGON(({c.x} {c.y}, {c.x + 0.003} {c.y}, {c.x + 0.003} {c.y + 0.002}, " \
             f"{c.x} {c.y + 0.002}, {c.x} {c.y}))"
    at = _run(PAGES["map"], sketch=sketch)
    text = _texts(at)
    assert "草图检查结果" in text and "草图总体状态" in text
    assert len(at.dataframe[-1].value) > 3  # one row per rule


def test_parcels_filter_and_linked_map(demo_env: Path) -> None:
    at = _run(PAGES["parcels"])
    total = int(re.search(r"筛选结果：(\d+)", _texts(at)).group(1))
    at.multiselect(key="f_readiness").set_value(["not_ready"]).run()
    shown = int(re.search(r"筛选结果：(\d+)", _texts(at)).group(1))
    assert 0 < shown < total
    table = at.dataframe(key="parcel_table").value
    assert len(table) == shown and set(table["准备状态"]) == {"未就绪"}
    assert at.get("download_button")  # GeoJSON / GPKG / CSV of the filtered parcels


def test_english_switch_translates_the_page_and_the_map(demo_env: Path) -> None:
    at = _run()
    at.radio(key="sidebar_lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value.startswith("Overview")
    (args,) = _maps(at)
    assert '"Standard-land parcels"' in args["layer_control"]
    assert '"标准地"' not in args["layer_control"]


def test_rulebook_edit_is_used_but_not_saved(demo_ws_copy: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    before = (demo_ws_copy / "rules.toml").read_text(encoding="utf-8")
    at = _run(PAGES["data"], rule_overrides={("road", "max_m"): 12345.0})
    assert "当前使用未保存的阈值" in _texts(at)
    assert (demo_ws_copy / "rules.toml").read_text(encoding="utf-8") == before


def test_inspection_form_appends_or_explains(demo_ws_copy: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))

    def count() -> int:
        return len(gpd.read_file(demo_ws_copy / "layers.gpkg", layer="inspections"))

    n0 = count()
    at = _run(PAGES["restoration"], **signed_in(Role.inspector))
    site = at.selectbox(key="insp_site").value
    at.number_input(key="insp_restored").set_value(1e6)  # far more than any site
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    assert any(site in e.value for e in at.error), "a readable refusal naming the site"
    assert count() == n0
    at.number_input(key="insp_restored").set_value(None)
    at.selectbox(key="insp_stage").set_value("in_progress")
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert any(site in s.value for s in at.success)
    assert count() == n0 + 1


def test_missing_workspace_is_a_readable_error_on_every_page(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(tmp_path / "nowhere"))
    for page in PAGES.values():
        at = _run(page)
        assert any("No workspace at" in e.value for e in at.error), page
        assert at.radio(key="sidebar_lang")  # the rest of the page still works


def test_a_failing_readiness_check_is_a_readable_error(demo_env: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import layers.readiness
    from gis.errors import InputError

    def broken(*_a: object, **_k: object):
        raise InputError("The parcels cannot be checked.", zh="无法检查这些地块。")

    monkeypatch.setattr(layers.readiness, "evaluate", broken)
    # an unsaved threshold makes a rulebook text no cached result was computed for
    at = _run(PAGES["parcels"], rule_overrides={("road", "max_m"): 49.5})
    assert any("无法检查这些地块。" in e.value for e in at.error)
    (args,) = _maps(at)  # the map still shows, its parcels unchecked
    assert '"readiness":"unchecked"' in args["feature_group"]


def _manifest_as_of(ws: Path):
    return tomllib.loads((ws / "workspace.toml").read_text(encoding="utf-8"))["as_of"]


def test_check_date_defaults_to_the_workspace_snapshot_date(demo_env: Path) -> None:
    at = _run()
    assert at.date_input(key="sidebar_as_of").value == _manifest_as_of(demo_env)
    assert at.session_state["devzone_state"].as_of == _manifest_as_of(demo_env)


def test_check_date_follows_another_workspace_as_of_else_today(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    manifest = demo_ws_copy / "workspace.toml"
    text = manifest.read_text(encoding="utf-8")
    assert re.search(r"(?m)^as_of\s*=", text)
    manifest.write_text(re.sub(r"(?m)^as_of\s*=.*$", "as_of = 2023-03-15", text),
                        encoding="utf-8")
    assert _run().date_input(key="sidebar_as_of").value == dt.date(2023, 3, 15)
    manifest.write_text(re.sub(r"(?m)^as_of\s*=.*\n", "", text), encoding="utf-8")
    assert _run().date_input(key="sidebar_as_of").value == dt.date.today()


def test_parcel_report_downloads_carry_the_report(demo_env: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Select a parcel, make its report: the HTML and PDF buttons serve the real report."""
    import io

    from pypdf import PdfReader
    from streamlit.runtime.media_file_manager import MediaFileManager

    served: dict[str, tuple[bytes, str]] = {}  # file name -> (bytes, mime) of each download
    real_add = MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        served[str(file_name)] = (bytes(data), mimetype)
        return real_add(self, data, mimetype, coordinates, file_name=file_name,
                        is_for_static_download=is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add", add)
    parcels = gpd.read_file(demo_env / "layers.gpkg", layer="parcels")
    pid = str(parcels["parcel_id"].iloc[len(parcels) // 2])
    at = _run(PAGES["parcels"], selected_parcel=pid)
    assert not [n for n in served if n.endswith((".html", ".pdf"))]  # nothing before asking
    at.toggle(key="report_make").set_value(True).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (html_name,) = [n for n in served if n.endswith(".html")]
    (pdf_name,) = [n for n in served if n.endswith(".pdf")]
    html_bytes, html_mime = served[html_name]
    pdf_bytes, pdf_mime = served[pdf_name]
    assert html_mime.startswith("text/html") and pdf_mime == "application/pdf"
    page = html_bytes.decode("utf-8")
    assert pid in page
    rules = tomllib.loads((demo_env / "rules.toml").read_text(encoding="utf-8"))["rule"]
    labels = [r["label"]["zh"] for r in rules]
    missing = [lb for lb in labels if lb not in page]
    assert not missing, f"rule labels missing from the report: {missing}"
    assert pdf_bytes.startswith(b"%PDF")
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert pid in text


def test_threshold_editor_shows_the_chosen_parameter_and_applies_it(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    before = (demo_ws_copy / "rules.toml").read_text(encoding="utf-8")
    water_max = next(r["max_m"] for r in tomllib.loads(before)["rule"] if r["id"] == "water")
    at = _run(PAGES["data"])
    params = at.selectbox(key="rule_param")
    shown = next(o for o in params.options if "通水" in o and "最大距离（米）" in o)
    params.set_value(params.options.index(shown)).run()  # the options are range(len(params))
    (value,) = [n for n in at.number_input if n.key and n.key.startswith("rule_value_")]
    assert value.value == water_max  # the chosen parameter's own value, not the first one's
    value.set_value(321.0)
    at.button(key="rule_rerun").click().run()
    assert not at.exception
    assert at.session_state["devzone_state"].rule_overrides == {("water", "max_m"): 321.0}
    assert "通水 · 最大距离（米） = 321" in _texts(at)
    assert (demo_ws_copy / "rules.toml").read_text(encoding="utf-8") == before


def _findings_tables(at: AppTest, severity: str) -> list:
    """The page's tables of findings (a ``severity`` column, headed in the page's language)."""
    return [d.value for d in at.dataframe if severity in d.value.columns]


def test_the_data_check_lists_findings_and_unreadable_layers(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    at = _run(PAGES["data"], **signed_in(Role.viewer))  # reading only: any role
    assert "数据体检" in [h.value for h in at.subheader]
    assert not _findings_tables(at, "级别")  # not run yet
    at.button(key="data_check").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    clean = [s.value for s in at.success] + [w.value for w in at.warning]
    assert any(re.search(r"\d+ 个图层：0 个错误", v) for v in clean), clean

    # a layer file that is not a GeoPackage at all
    manifest = demo_ws_copy / "workspace.toml"
    text = manifest.read_text(encoding="utf-8")
    (demo_ws_copy / "坏的.gpkg").write_bytes(b"not a GeoPackage at all")
    manifest.write_text(text.replace('mines = "layers.gpkg:mines"', 'mines = "坏的.gpkg"'),
                        encoding="utf-8")
    at.run()
    at.checkbox(key="data_check_notes").check()
    at.button(key="data_check").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("无法读取" in e and "mines" in e and "坏的.gpkg" in e for e in errors), errors
    assert not any("Traceback" in e for e in errors)
    assert not [s.value for s in at.success]  # an unreadable layer: never "no problems"
    (table,) = _findings_tables(at, "级别")  # the notes: GDAL's reading of the demo
    assert list(table.columns)[:2] == ["图层", "级别"] and len(table)
    at.radio(key="sidebar_lang").set_value("en").run()
    at.button(key="data_check").click().run()
    assert any("Cannot read" in e.value and "坏的.gpkg" in e.value for e in at.error)
    (table,) = _findings_tables(at, "Severity")
    assert list(table.columns)[:2] == ["Layer", "Severity"]
