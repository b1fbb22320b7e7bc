"""Rule tables as the pages show them: formatted values and words for codes."""

from __future__ import annotations

import pandas as pd

from ui.widgets import rule_rows


def _long() -> pd.DataFrame:
    return pd.DataFrame({
        "parcel_id": ["P1"] * 4,
        "rule_id": ["road", "in_zone", "leveled", "eia"],
        "status": ["fail", "pass", "unknown", "committed"],
        "value": [162.0, 0.974, float("nan"), float("nan")],
        "threshold": [50.0, 0.95, 5.0, float("nan")],
        "unit": pd.Categorical(["m", "fraction", "°", None]),
        "gap": [112.0, 0.0, float("nan"), float("nan")],
        "cost": [336_000.0, float("nan"), float("nan"), float("nan")],
        "message": ["距道路超过 50 米", "位于开发区内", pd.NA, "已承诺"],
        "message_en": ["more than 50 m from roads", "inside zones", pd.NA, "committed"],
    })


def test_rows_show_percent_units_and_words_in_both_languages() -> None:
    from layers.readiness import rulebook_in_force

    rules = rulebook_in_force()
    rows = rule_rows(_long(), "zh", {"road": "通路", "in_zone": "位于开发区内"}, rules=rules)
    by = rows.set_index("rule").loc[["road", "in_zone", "leveled", "eia"]]
    assert list(by["rule_label"]) == ["通路", "位于开发区内", "场地平整", "环境影响评价"]
    assert list(by["status_label"]) == ["不通过", "通过", "未知", "承诺"]
    assert list(by["value"]) == ["162 米", "97.4%", "—", "—"]
    assert list(by["threshold"]) == ["≤ 50 米", "区内比例 ≥ 95%", "≤ 5°", "已批复且有效"]
    assert list(by["gap"]) == ["112 米", "", "", ""]
    assert list(by["cost"]) == ["33.6 万元", "", "", ""]
    assert list(by["message"]) == ["距道路超过 50 米", "位于开发区内", "", "已承诺"]
    en = rule_rows(_long(), "en", {}, rules=rules).set_index("rule")
    assert en.loc["road", "message"] == "more than 50 m from roads"
    assert en.loc["road", "status_label"] == "Fail"
    assert en.loc["road", "cost"] == "CNY 336,000"


def test_rows_with_the_rulebook_follow_the_report_wording() -> None:
    from layers.readiness import default_rulebook_path, load_rulebook

    rules = load_rulebook(default_rulebook_path())
    rows = rule_rows(_long(), "zh", {}, rules=rules)
    by = rows.set_index("rule")
    assert by.loc["road", "rule_label"] == rules.get("road").label("zh")
    assert by.loc["road", "threshold"] == "≤ 50 米"
    assert by.loc["in_zone", "value"] == "97.4%"
    assert "万元" in by.loc["road", "cost"]  # 33.6 万元
    assert by.loc["road", "gap"].startswith("112")


def _guarded_error_page() -> None:  # runs inside AppTest: a section that raises
    import streamlit as st

    from gis.errors import InputError
    from ui.widgets import guard

    lang = st.session_state.get("lang", "zh")
    with guard(lang):
        raise InputError("x.shp has no CRS.", zh="x.shp 未声明坐标系。")
    st.write("rest of the page")


def test_guard_shows_the_error_in_the_page_language_and_the_page_goes_on() -> None:
    from streamlit.testing.v1 import AppTest

    for lang, expected in (("zh", "x.shp 未声明坐标系。"), ("en", "x.shp has no CRS.")):
        at = AppTest.from_function(_guarded_error_page)
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception
        assert expected in at.error[0].value
        assert at.markdown[-1].value == "rest of the page"
