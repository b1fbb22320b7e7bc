"""Small parts of the reports: strings, number formats, the static map, offline PDF rendering."""

from __future__ import annotations

import http.server
import io
import string
import threading
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.errors import InputError
from layers.reports.i18n import STRINGS, fmt_date, fmt_money, fmt_num, t, value_label

CRS = "EPSG:4547"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_string_has_both_languages_with_the_same_placeholders():
    bad = [k for k, (zh, en) in STRINGS.items()
           if not zh.strip() or not en.strip() or _fields(zh) != _fields(en)]
    assert bad == []


def test_formats():
    assert fmt_num(1234567.891) == "1,234,567.89"
    assert fmt_num(2.0) == "2" and fmt_num(-0.001) == "0"
    assert fmt_num(None) == "—" and fmt_num(float("nan")) == "—"
    assert fmt_num(12.5, 1, unit="m") == "12.5 m"
    assert fmt_money(300_116.1, "zh") == "30.01 万元"
    assert fmt_money(300_116.1, "en") == "CNY 300,116"
    assert fmt_date("2025-06-30T00:00:00") == "2025-06-30"
    assert t("col.rule", "zh") == "核查项" and t("col.rule", "en") == "Rule"
    assert t("no.such.key", "en") == "no.such.key"
    assert value_label("stage", "closed", "zh") == "已销号"
    assert value_label("stage", "something_else", "en") == "something_else"


def test_render_map_draws_layers_measures_and_legend():
    from PIL import Image

    from layers.reports.staticmap import MapLayer, Measure, render_map

    parcel = shapely.box(0, 0, 100, 80)
    road = gpd.GeoDataFrame(geometry=[shapely.LineString([(-50, 150), (300, 150)])], crs=CRS)
    station = gpd.GeoDataFrame(geometry=[shapely.Point(200, 20)], crs=CRS)
    line = shapely.shortest_line(parcel, road.geometry.iloc[0])
    png = render_map(
        [MapLayer(road, "road", edgecolor="#ff0000", linewidth=3),
         MapLayer(station, "station", facecolor="#0000ff", markersize=60),
         MapLayer(gpd.GeoSeries([parcel], crs=CRS), "parcel", facecolor="#00ff00")],
        extent=(-60, -30, 320, 200), measures=[Measure(line, "70 m")], size_mm=(80, 50),
        dpi=100, legend_width=0.25)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    assert abs(img.shape[0] - 50 / 25.4 * 100) <= 1 and abs(img.shape[1] - 80 / 25.4 * 100) <= 1

    def near(rgb):
        return (np.abs(img - np.array(rgb)).sum(axis=2) < 60).sum()

    assert near((255, 0, 0)) > 50  # the road
    assert near((0, 255, 0)) > 500  # the parcel fill
    assert near((0, 0, 255)) > 5  # the station marker


def test_cjk_font_is_found_when_installed():
    from matplotlib import font_manager

    from layers.reports.staticmap import CJK_FAMILIES, cjk_font

    installed = {f.name for f in font_manager.fontManager.ttflist} & set(CJK_FAMILIES)
    found = cjk_font()
    if found is None:
        assert not installed
    else:
        assert found in CJK_FAMILIES


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_pdf_rendering_never_fetches_external_resources(tmp_path):
    from layers.reports import to_pdf

    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        local = tmp_path / "secret.css"
        local.write_text("p { color: red; }", encoding="utf-8")
        html = (f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">'
                f'<link rel="stylesheet" href="{local.as_uri()}"></head>'
                f'<body><p>离线</p><img src="http://127.0.0.1:{port}/b.png"></body></html>')
        pdf = to_pdf(html)
    finally:
        server.shutdown()
        server.server_close()
    assert pdf[:5] == b"%PDF-"
    assert _Recorder.hits == []


def test_as_date_and_lang_errors():
    from layers.reports._common import as_date
    from layers.reports.i18n import check_lang

    assert as_date("2025-06-30").isoformat() == "2025-06-30"
    with pytest.raises(InputError, match="not a date"):
        as_date("30.06.2025")
    with pytest.raises(InputError, match="zh or en"):
        check_lang("de")
