"""The zh-CN/English string table: complete, consistent, and used through keys that exist."""

from __future__ import annotations

import re
import string

import pytest

from tests.ui.conftest import ROOT
from ui.i18n import STRINGS, VALUE_LABELS, html_lang, lang_from_locale, layer_name, t, value_label


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_has_both_languages_with_the_same_placeholders(key: str) -> None:
    zh, en = STRINGS[key]
    assert zh.strip() and en.strip()
    assert _fields(zh) == _fields(en)


def test_every_key_the_ui_uses_exists() -> None:
    used: set[str] = set()
    for path in [ROOT / "app.py", *(ROOT / "ui").rglob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", path.read_text("utf-8")))
        used |= set(re.findall(r"""["']((?:nav|basemap|format)\.[a-z_]+)["']""",
                               path.read_text("utf-8")))
    missing = sorted(k for k in used if k not in STRINGS and not k.endswith("."))
    assert not missing, missing


def test_value_labels_cover_the_catalogue_codes() -> None:
    from layers.catalog import CATALOG, MINE_STAGES

    assert set(VALUE_LABELS["stage"]) == set(MINE_STAGES)
    for kind, group in (("water", "water_kind"), ("constraints", "constraint_kind"),
                        ("power", "power_kind"), ("zones", "zone_kind")):
        allowed = CATALOG[kind].column("kind").allowed
        assert set(allowed) <= set(VALUE_LABELS[group]), kind
    assert value_label("stage", "closed", "zh") == "已销号"
    assert value_label("readiness", "not_ready", "en") == "Not ready"
    assert value_label("readiness", "something_new", "zh") == "something_new"
    assert value_label("readiness", None, "zh") == ""


def test_lookup_helpers() -> None:
    assert t("nav.map", "zh") == "地图" and t("nav.map", "en") == "Map"
    assert t("msg.no_layer", "en", layer="Roads") == "The workspace has no Roads layer."
    assert t("no.such.key", "zh") == "no.such.key"
    assert layer_name("parcels", "zh") == "标准地" and layer_name("counties", "en") == "Counties"
    assert lang_from_locale("zh-CN") == "zh" and lang_from_locale("zh-TW") == "zh"
    assert lang_from_locale("en-US") == "en" and lang_from_locale("fr") == "en"
    assert lang_from_locale(None) == "zh"
    assert html_lang("zh") == "zh-CN" and html_lang("en") == "en"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_rulebook_parameter_is_named_in_words(lang: str) -> None:
    """The Data page lists thresholds by name (最大距离（米）), never by TOML key (max_m)."""
    from layers.readiness import default_rulebook_path
    from ui.data import numeric_parameters
    from ui.i18n import param_label

    params = numeric_parameters(default_rulebook_path().read_text(encoding="utf-8"))
    assert params
    for _, key, _ in params:
        label = param_label(key, lang)
        assert "_" not in label and "by_industry" not in label, (key, label)
        if lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", label), (key, label)
