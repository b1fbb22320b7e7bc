"""Rulebook parameters and overrides, and the one choice of the rulebook in force."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gis.errors import RulebookError
from layers.catalog import CATALOG
from layers.readiness import (
    RuleParameter,
    default_rulebook_path,
    load_rulebook,
    rulebook_in_force,
)
from layers.workspace import Workspace
from tests.readiness.readiness_helpers import META, rulebook

RULES = [
    '''id = "road"
kind = "distance"
label = { zh = "通路", en = "Road access" }
layer = "roads"
max_m = 50.0
cost_per_m = 3000.0''',
    '''id = "telecom"
kind = "raster_coverage"
label = { zh = "5G覆盖", en = "5G coverage" }
raster = "coverage_5g"
min_value = -105.0
min_fraction = 0.9
required = false''',
    '''id = "eia"
kind = "assessment"
label = { zh = "环评", en = "EIA" }
assessment = "eia"''',
    '''id = "indicators"
kind = "indicators"
label = { zh = "控制性指标", en = "Control indicators" }
[rule.by_industry.photovoltaic]
far = { min = 1.0 }
energy_per_output = { max = 0.5 }''',
]


def test_parameters_list_every_threshold_with_rule_label_unit_and_kind() -> None:
    params = rulebook(*RULES).parameters()
    energy_unit = CATALOG["parcels"].column("energy_per_output").unit  # the column's unit
    assert energy_unit
    assert params == [
        RuleParameter("road", "max_m", "通路", "Road access", 50.0, "m", "distance"),
        RuleParameter("road", "cost_per_m", "通路", "Road access", 3000.0, "CNY/m", "distance"),
        RuleParameter("telecom", "min_value", "5G覆盖", "5G coverage", -105.0, "dBm",
                      "raster_coverage"),
        RuleParameter("telecom", "min_fraction", "5G覆盖", "5G coverage", 0.9, "fraction",
                      "raster_coverage"),
        RuleParameter("indicators", "by_industry.photovoltaic.far.min", "控制性指标",
                      "Control indicators", 1.0, "", "indicators"),
        RuleParameter("indicators", "by_industry.photovoltaic.energy_per_output.max",
                      "控制性指标", "Control indicators", 0.5, energy_unit, "indicators"),
    ]
    assert params[0].label("en") == "Road access" and params[0].label("zh") == "通路"


def test_default_rulebook_parameters_round_trip_through_overrides() -> None:
    rb = load_rulebook(default_rulebook_path())
    params = rb.parameters()
    assert len(params) > 20 and len({(p.rule_id, p.key) for p in params}) == len(params)
    same = rb.with_overrides({(p.rule_id, p.key): p.value for p in params})
    assert same.parameters() == params and same.rules == rb.rules


def test_overrides_return_a_new_validated_rulebook() -> None:
    rb = rulebook(*RULES)
    edited = rb.with_overrides({("road", "max_m"): 80.0,
                                ("indicators", "by_industry.photovoltaic.far.min"): 1.2,
                                ("telecom", "fallback_radius_m"): 600.0})
    assert edited.get("road").max_m == 80.0 and rb.get("road").max_m == 50.0
    assert edited.get("indicators").by_industry["photovoltaic"]["far"].min == 1.2
    assert edited.get("telecom").fallback_radius_m == 600.0  # a key the rule did not set
    assert edited.get("road").label_zh == "通路" and edited.get("telecom").required is False
    assert load_rulebook(edited.text).rules == edited.rules  # its text is the edited TOML
    assert rb.with_overrides({}) is rb


@pytest.mark.parametrize(("override", "needles"), [
    ({("nope", "max_m"): 1.0}, ["'nope'", "'max_m'"]),
    ({("road", "max_fraction"): 0.5}, ["'road'", "'max_fraction'"]),
    ({("eia", "max_m"): 5.0}, ["'eia'", "'max_m'"]),
    ({("road", "max_m"): -5.0}, ["'road'", "'max_m'"]),
    ({("telecom", "min_fraction"): 1.5}, ["'telecom'", "'min_fraction'"]),
    ({("road", "max_m"): "far"}, ["'road'", "'max_m'"]),
    ({("indicators", "by_industry.photovoltaic.far.min"): 9.0,
      ("indicators", "by_industry.photovoltaic.far.max"): 2.0},
     ["'indicators'", "by_industry.photovoltaic.far"]),
])
def test_a_bad_override_names_the_rule_and_the_key(override, needles) -> None:
    with pytest.raises(RulebookError) as info:
        rulebook(*RULES).with_overrides(override)
    for needle in needles:
        assert needle in str(info.value), (needle, str(info.value))
        assert needle in info.value.text("zh")


def _named(path: Path, name: str) -> Path:
    path.write_text(META.replace('"test"', f'"{name}"') + "\n[[rule]]\n" + RULES[0],
                    encoding="utf-8")
    return path


def _workspace(root: Path, rules: str | None = None) -> Workspace:
    root.mkdir()
    manifest = 'name = "测试"\n' + (f'[rules]\nfile = "{rules}"\n' if rules else "")
    (root / "workspace.toml").write_text(manifest, encoding="utf-8")
    if rules:
        _named(root / rules, "工作区规则")
    return Workspace.load(root)


def test_rulebook_in_force_explicit_then_workspace_then_default(tmp_path: Path) -> None:
    default = load_rulebook(default_rulebook_path())
    plain = _workspace(tmp_path / "plain")
    assert rulebook_in_force(plain).name == default.name
    assert rulebook_in_force().name == default.name
    own = _workspace(tmp_path / "own", "规则.toml")
    assert rulebook_in_force(own).name == "工作区规则"
    assert rulebook_in_force(own).source == str(own.root / "规则.toml")
    explicit = _named(tmp_path / "explicit.toml", "命令行规则")
    assert rulebook_in_force(own, explicit).name == "命令行规则"
    assert rulebook_in_force(plain, str(explicit)).name == "命令行规则"


def test_rulebook_in_force_refuses_a_named_file_that_is_missing(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", "rules.toml")
    (ws.root / "rules.toml").unlink()  # removed after the workspace was opened
    with pytest.raises(RulebookError, match=r"rules\.toml"):
        rulebook_in_force(ws)  # never a silent fall-back to the default
    with pytest.raises(RulebookError, match=r"gone\.toml"):
        rulebook_in_force(None, tmp_path / "gone.toml")
    shutil.copy(default_rulebook_path(), ws.root / "rules.toml")
    assert len(rulebook_in_force(ws)) == len(load_rulebook(default_rulebook_path()))
