"""The parcel readiness report built from the demo: PDF text, fonts, image, HTML, missing data."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from gis.errors import InputError


def _map_png(html: str) -> bytes:
    m = re.search(r'<img class="map" src="data:image/png;base64,([^"]+)"', html)
    assert m, "the report embeds its map as a PNG data URI"
    return base64.b64decode(m.group(1))


def test_pdf_text_has_parcel_rule_labels_and_result_numbers(parcel_pdf, pdf_text, parcel_rows,
                                                            rulebook, costed_parcel):
    text = pdf_text(parcel_pdf)
    assert costed_parcel in text
    for rule in rulebook.rules:  # every rule's Chinese label is printed
        assert "".join(rule.label_zh.split()) in text, rule.label_zh
    # numbers of the results table: the failing rule's measured distance, gap and cost
    failing = parcel_rows[parcel_rows["status"].astype(str) == "fail"]
    assert len(failing)
    for row in failing.itertuples():
        assert row.unit == "m"
        assert f"{row.value:,.0f}米" in text
        assert f"{row.gap:,.0f}米" in text
        assert f"{row.cost / 10_000:,.2f}万元" in text
    # and a passing distance rule's value
    ok = parcel_rows[(parcel_rows["status"].astype(str) == "pass")
                     & (parcel_rows["unit"].astype(str) == "m")]
    v = float(ok["value"].iloc[0])
    assert (f"{v:,.0f}米" if v >= 100 else f"{v:,.1f}".rstrip("0").rstrip(".") + "米") in text
    assert "未就绪" in text  # overall status


def test_pdf_embeds_a_cjk_font_and_the_map_image(parcel_pdf, pdf_resources):
    res = pdf_resources(parcel_pdf)
    cjk = [name for name, embedded in res["fonts"] if "CJK" in name]
    assert cjk, f"no CJK font among {res['fonts']}"
    assert all(embedded for _, embedded in res["fonts"]), "every font is embedded"
    assert any("SC" in name for name in cjk), "Simplified-Chinese glyphs (lang zh-CN)"
    assert res["images"], "the map image is in the PDF"
    w, h = res["images"][0]
    assert w > 300 and h > 200


def test_pdf_is_a4(parcel_pdf):
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(parcel_pdf)).pages[0]
    w_mm = float(page.mediabox.width) / 72 * 25.4
    h_mm = float(page.mediabox.height) / 72 * 25.4
    assert abs(w_mm - 210) < 1 and abs(h_mm - 297) < 1


def test_html_is_self_contained(parcel_report, external_refs):
    html = parcel_report.html
    assert external_refs(html) == []
    assert "<link" not in html.lower() and "<script" not in html.lower()
    assert '<html lang="zh-CN">' in html
    assert '"Noto Sans CJK SC"' in html  # the CSS is not HTML-escaped


def test_html_shows_facts_and_assessments(parcel_report, ws, costed_parcel, as_of):
    parcels = ws.read("parcels")
    row = parcels[parcels["parcel_id"] == costed_parcel].iloc[0]
    html = parcel_report.html
    assert str(row["name"]) in html  # Chinese name round-trips
    area = row.geometry.area / 10_000
    assert f"{area:.2f} 公顷" in html and f"{area * 15:.1f} 亩" in html
    assessments = ws.read("assessments")
    zone_rows = assessments[(assessments["scope"] == "zone")
                            & (assessments["scope_id"] == row["zone_id"])]
    assert len(zone_rows)
    for rec in zone_rows.itertuples():
        if rec.valid_until is not None and str(rec.valid_until) not in ("", "NaT", "<NA>"):
            assert str(rec.valid_until)[:10] in html
        if isinstance(rec.ref, str) and rec.ref:
            assert rec.ref in html
    assert as_of.isoformat() in html


def test_map_is_a_drawn_png(parcel_report):
    from PIL import Image

    png = _map_png(parcel_report.html)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert img.shape[0] > 200 and img.shape[1] > 300
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 20  # not a blank canvas


def test_english_report(ws, costed_parcel, as_of, rulebook, external_refs):
    from layers.reports import build_parcel_report

    rep = build_parcel_report(ws, costed_parcel, lang="en", as_of=as_of)
    assert '<html lang="en">' in rep.html
    for rule in rulebook.rules:
        assert rule.label_en in rep.html
    assert "Not ready" in rep.html and "未就绪" not in rep.html
    assert external_refs(rep.html) == []


def test_unknown_parcel_and_language_are_clear_errors(ws, as_of):
    from layers.reports import build_parcel_report

    with pytest.raises(InputError, match=r"NO-SUCH-PARCEL.*parcel_id"):
        build_parcel_report(ws, "NO-SUCH-PARCEL", as_of=as_of)
    with pytest.raises(InputError, match="language"):
        build_parcel_report(ws, "whatever", lang="fr", as_of=as_of)


def test_write_report_is_atomic_and_checks_the_suffix(parcel_report, tmp_path):
    from layers.reports import write_report

    html_path, _ = write_report(parcel_report, tmp_path / "r.html")
    assert html_path.read_text(encoding="utf-8") == parcel_report.html
    with pytest.raises(InputError, match=r"\.docx"):
        write_report(parcel_report, tmp_path / "r.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no temp files left


@pytest.fixture(scope="module")
def sparse_ws(demo_ws: Path, tmp_path_factory) -> tuple[Path, str]:
    """A workspace with only parcels (one stripped of attributes, named with HTML) and mines."""
    folder = tmp_path_factory.mktemp("sparse")
    gpkg = demo_ws / "layers.gpkg"
    parcels = gpd.read_file(gpkg, layer="parcels")
    pid = str(parcels["parcel_id"].iloc[0])
    for col in ("industry", "net_land", "invest_intensity", "far", "tax_per_mu", "site_leveled"):
        if col in parcels.columns:
            parcels[col] = parcels[col].astype(object)
            parcels.loc[0, col] = None
    parcels["name"] = parcels["name"].astype(object)
    parcels.loc[0, "name"] = "<b>缺资料</b>地块"
    parcels.to_file(folder / "parcels.gpkg", layer="parcels", driver="GPKG")
    # a manifest may only name files inside its folder: the mines are copied in
    gpd.read_file(gpkg, layer="mines").to_file(folder / "mines.gpkg", layer="mines",
                                                driver="GPKG")
    (folder / "workspace.toml").write_text(
        'name = "缺资料测试"\ncrs = "EPSG:4547"\n[layers]\n'
        'parcels = "parcels.gpkg:parcels"\n'
        'mines = "mines.gpkg:mines"\n', encoding="utf-8")
    return folder, pid


def test_missing_layers_and_attributes_still_give_a_report(sparse_ws, pdf_text, as_of):
    from layers.reports import build_parcel_report, to_pdf
    from layers.workspace import Workspace

    folder, pid = sparse_ws
    rep = build_parcel_report(Workspace.load(folder), pid, lang="zh", as_of=as_of)
    html = rep.html
    # what is missing is said, in the report and in its notes
    for what in ("道路", "供水", "电力", "开发区", "管控", "区域评估"):
        assert any(what in n for n in rep.notes), what
        assert f"缺少“{what}”" in html
    assert "缺少“数字高程模型”栅格" in html
    assert "未知（缺少开发区图层）" in html
    assert "&lt;b&gt;缺资料&lt;/b&gt;地块" in html and "<b>缺资料" not in html  # escaped
    text = pdf_text(to_pdf(html))
    assert pid in text
    assert "资料不全" in text or "未就绪" in text
    assert "未知" in text


def test_without_a_cjk_font_the_map_is_english_and_the_report_says_so(ws, costed_parcel, as_of,
                                                                     monkeypatch):
    import layers.reports.parcel as parcel_mod

    seen = {}
    real_map = parcel_mod.parcel_map

    def spy(*args, **kwargs):
        seen.update(lang=kwargs["lang"], font=kwargs["font"])
        return real_map(*args, **kwargs)

    monkeypatch.setattr(parcel_mod, "cjk_font", lambda: None)
    monkeypatch.setattr(parcel_mod, "parcel_map", spy)
    rep = parcel_mod.build_parcel_report(ws, costed_parcel, lang="zh", as_of=as_of)
    assert seen == {"lang": "en", "font": None}
    assert any("fonts-noto-cjk" in n for n in rep.notes)
    assert "未找到中文字体" in rep.html


def test_a_given_result_gives_the_same_report(ws, costed_parcel, as_of, readiness,
                                              parcel_report):
    from layers.reports import build_parcel_report

    def strip_time(html: str) -> str:
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[^<]*", "", html)

    rep = build_parcel_report(ws, costed_parcel, lang="zh", as_of=as_of, result=readiness)
    assert strip_time(rep.html) == strip_time(parcel_report.html)
