"""The restoration progress report from the demo: KPIs, every site, counties, missing inputs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest


@pytest.fixture(scope="module")
def rest_result(ws, as_of):
    from layers.restoration import evaluate, inputs_from_workspace

    return evaluate(inputs_from_workspace(ws), as_of=as_of)


@pytest.fixture(scope="module")
def rest_report(ws, as_of, rest_result):
    from layers.reports import build_restoration_report

    return build_restoration_report(ws, lang="zh", as_of=as_of, result=rest_result)


@pytest.fixture(scope="module")
def rest_pdf(rest_report) -> bytes:
    from layers.reports import to_pdf

    return to_pdf(rest_report.html)


def test_pdf_lists_every_site_county_and_the_kpis(rest_pdf, pdf_text, rest_result,
                                                  pdf_resources):
    text = pdf_text(rest_pdf)
    for sid in rest_result.sites["site_id"]:
        assert sid in text
    for county in rest_result.kpis["by_county"]["county"]:
        assert county in text
    summary = rest_result.kpis["summary"].set_index("metric")["value"]
    assert f"{summary['area_ha']:,.2f}公顷" in text
    assert f"逾期未完工:{int(summary['flag_overdue'])}" in text
    top = rest_result.ranking.iloc[0]
    assert str(top["reasons_zh"]).replace(" ", "")[:20] in text  # priority reasons printed
    res = pdf_resources(rest_pdf)
    assert res["images"] and any("CJK" in f for f, _ in res["fonts"])


def test_the_report_reuses_a_given_result(ws, as_of, rest_result):
    import copy

    from layers.reports import build_restoration_report

    given = copy.deepcopy(rest_result)
    given.kpis["summary"].loc[0, "zh"] = "复用标记"
    rep = build_restoration_report(ws, lang="zh", as_of=as_of, result=given)
    assert "复用标记" in rep.html


def test_html_is_self_contained_and_english_works(ws, as_of, rest_result, rest_report,
                                                  external_refs):
    from layers.reports import build_restoration_report

    assert external_refs(rest_report.html) == []
    en = build_restoration_report(ws, lang="en", as_of=as_of, result=rest_result)
    assert '<html lang="en">' in en.html and "Priority list" in en.html
    assert external_refs(en.html) == []
    # the engine's notes in the report's language (the demo's towns are county seats)
    assert "towns_approximated" in {n.code for n in rest_result.notes}
    assert "县城位置以各县域内的一个代表点近似" in rest_report.html
    assert "county seats approximated" not in rest_report.html
    assert "county seats approximated" in en.html


def test_missing_inputs_are_listed(demo_ws: Path, tmp_path, as_of):
    from layers.reports import build_restoration_report
    from layers.workspace import Workspace

    # a manifest may only name files inside its folder: the mines are copied in
    gpd.read_file(demo_ws / "layers.gpkg", layer="mines").to_file(
        tmp_path / "mines.gpkg", layer="mines", driver="GPKG")
    (tmp_path / "workspace.toml").write_text(
        'name = "只有图斑"\ncrs = "EPSG:4547"\n[layers]\nmines = "mines.gpkg:mines"\n',
        encoding="utf-8")
    rep = build_restoration_report(Workspace.load(tmp_path), lang="zh", as_of=as_of)
    for what in ("巡查记录", "太行旅游公路", "NDVI", "数字高程模型"):
        assert f"缺少“{what}”" in rep.html, what
    assert "未计算" in rep.html
    # notes said in the missing-data list are not repeated; the rest are in Chinese
    assert "无城镇或县域图层" in rep.html and "no towns" not in rep.html
    assert "无巡查记录表" not in rep.html and "no inspections table" not in rep.html
