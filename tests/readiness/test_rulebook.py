"""Rulebook parsing: the default Changzhi rulebook, 五通一平 by editing, and clear errors."""

from __future__ import annotations

import re

import pytest

from gis.errors import RulebookError
from layers.catalog import ASSESSMENT_KINDS
from layers.readiness import (
    AssessmentRule,
    AttributeRule,
    DistanceRule,
    IndicatorsRule,
    OverlapRule,
    RasterCoverageRule,
    RasterRule,
    WithinRule,
    default_rulebook_path,
    load_rulebook,
)
from tests.readiness.readiness_helpers import META, rulebook

DEMO_INDUSTRIES = ("photovoltaic", "semiconductor", "it_innovation", "coal_chemical",
                   "equipment", "new_materials")


@pytest.fixture(scope="module")
def default():
    return load_rulebook(default_rulebook_path())


def test_default_rulebook_covers_the_changzhi_conditions(default) -> None:
    by_id = {r.id: r for r in default.rules}
    assert default.name == "长治市标准地出让前置条件"
    # 三通一平: road, water (main/branch), power, levelled
    road, water, power = by_id["road"], by_id["water"], by_id["power"]
    assert isinstance(road, DistanceRule) and road.max_m == 50 and road.cost_per_m > 0
    assert road.filter["status"] == ("existing",) and "expressway" not in road.filter["class"]
    assert isinstance(water, DistanceRule) and water.max_m == 100
    assert set(water.filter["kind"]) == {"main", "branch"}
    assert isinstance(power, DistanceRule) and power.max_m == 500
    lev = by_id["leveled"]
    assert isinstance(lev, RasterRule) and lev.raster == "slope" and lev.max == 5.0
    assert lev.fallback_attribute == "site_leveled"
    g5 = by_id["telecom"]
    assert isinstance(g5, RasterCoverageRule) and not g5.required
    assert (g5.min_value, g5.min_fraction) == (-105.0, 0.9)
    assert isinstance(by_id["in_zone"], WithinRule) and by_id["in_zone"].min_fraction == 0.95
    overlaps = {r.id: r for r in default.rules if isinstance(r, OverlapRule)}
    kinds = {v for r in overlaps.values() for v in r.filter.get("kind", ())}
    assert {"ecological_redline", "basic_farmland", "mining_right"} <= kinds
    mine = next(r for r in overlaps.values() if r.layer == "mines")
    assert set(mine.filter["stage"]) == {"not_started", "approved", "in_progress", "completed"}
    assessments = {r.assessment: r for r in default.rules if isinstance(r, AssessmentRule)}
    assert set(assessments) == {*ASSESSMENT_KINDS[:6], "archaeology"}
    assert [k for k, r in assessments.items() if r.commitment_allowed] == ["energy"]
    net = by_id["net_land"]
    assert isinstance(net, AttributeRule) and net.equals is True
    ind = by_id["indicators"]
    assert isinstance(ind, IndicatorsRule) and set(DEMO_INDUSTRIES) <= set(ind.by_industry)
    for industry, bounds in ind.by_industry.items():
        assert bounds["building_coverage"].min == 30.0  # 国土资发〔2008〕24号
        assert {"invest_intensity", "far"} <= set(bounds)
        # outcomes of a producing plant: contract conditions, not judged before supply
        assert {"tax_per_mu", "energy_per_output"} <= set(ind.contract_floors(industry))


def test_every_rule_cites_its_source_norm() -> None:
    text = default_rulebook_path().read_text(encoding="utf-8")
    sources = set(re.findall(r"^#\s+\[([A-Z])\]", text, flags=re.M))
    assert len(sources) >= 5
    for line in text.splitlines():
        if line.startswith("id = "):
            cited = re.findall(r"\[([A-Z])\]", line.split("#", 1)[-1]) if "#" in line else []
            assert cited and set(cited) <= sources, f"no source norm cited on: {line}"


def test_five_connections_by_editing_the_rulebook_only() -> None:
    text = default_rulebook_path().read_text(encoding="utf-8")
    text = text.replace("required = false                 # set true for 五通一平",
                        "required = true")
    gas = re.search(r"# \[\[rule\]\]\n# id = \"gas\".*?(?=\n\n)", text, flags=re.S)
    assert gas, "the rulebook carries a commented-out gas rule"
    text = text.replace(gas.group(0), re.sub(r"^# ?", "", gas.group(0), flags=re.M))
    rb = load_rulebook(text)
    by_id = {r.id: r for r in rb.rules}
    assert by_id["telecom"].required
    assert isinstance(by_id["gas"], DistanceRule) and by_id["gas"].layer == "gas"
    assert by_id["gas"].required


def test_load_from_path_and_text_agree(default) -> None:
    text = default_rulebook_path().read_text(encoding="utf-8")
    assert load_rulebook(text) .rules == default.rules
    assert load_rulebook(str(default_rulebook_path())).rules == default.rules


def test_chinese_labels_round_trip() -> None:
    rb = rulebook('id = "x"\nkind = "attribute"\nlabel = { zh = "净地（无争议）", en = "Net" }\n'
                  'attribute = "net_land"\nequals = true')
    assert rb.rules[0].label_zh == "净地（无争议）" and rb.rules[0].label("en") == "Net"


ROAD = 'id = "road"\nkind = "distance"\nlabel = { zh = "通路", en = "Road" }\nlayer = "roads"\n'


@pytest.mark.parametrize(("rule", "names"), [
    ('id = "road"\nkind = "teleport"\nlabel = "x"', ["'road'", "'kind'", "teleport"]),
    (ROAD, ["'road'", "'max_m'", "missing"]),
    (ROAD + "max_m = 50\nmax_meters = 50", ["'road'", "'max_meters'", "unknown key"]),
    (ROAD.replace('"roads"', '"highways"') + "max_m = 50", ["'road'", "'layer'", "highways"]),
    (ROAD + 'max_m = 50\nfilter = { status = { eq = "existing" } }',
     ["'road'", "'filter'", "expressions are not evaluated"]),
    (ROAD + 'max_m = 50\nfilter = "status == \'existing\'"', ["'road'", "'filter'"]),
    (ROAD + 'max_m = 50\nfilter = { status = "exsting" }', ["'road'", "exsting", "existing"]),
    (ROAD + 'max_m = "fifty"', ["'road'", "'max_m'", "number"]),
    (ROAD + "max_m = -5", ["'road'", "'max_m'", "at least 0"]),
    ('id = "z"\nkind = "within"\nlabel = "z"\nlayer = "zones"\nmin_fraction = 1.5',
     ["'z'", "'min_fraction'", "between 0 and 1"]),
    ('id = "z"\nkind = "overlap"\nlabel = "z"\nlayer = "roads"', ["'z'", "'layer'", "roads"]),
    ('id = "s"\nkind = "raster"\nlabel = "s"\nraster = "ndvi"\nmax = 5', ["'s'", "'raster'"]),
    ('id = "s"\nkind = "raster"\nlabel = "s"\nraster = "slope"\nstat = "mode"\nmax = 5',
     ["'s'", "'stat'", "mode"]),
    ('id = "s"\nkind = "raster"\nlabel = "s"\nraster = "slope"', ["'s'", "min and/or max"]),
    ('id = "a"\nkind = "assessment"\nlabel = "a"\nassessment = "astrology"',
     ["'a'", "'assessment'", "astrology"]),
    ('id = "a"\nkind = "assessment"\nlabel = "a"\nassessment = "eia"\n'
     'commitment_allowed = "yes"', ["'a'", "'commitment_allowed'", "true or false"]),
    ('id = "n"\nkind = "attribute"\nlabel = "n"\nattribute = "net_land"', ["'n'", "exactly one"]),
    ('id = "i"\nkind = "indicators"\nlabel = "i"\n[rule.by_industry.pv]\nfar = 1.0',
     ["'i'", "by_industry.pv.far"]),
    ('id = "bad id"\nkind = "attribute"\nlabel = "n"\nattribute = "x"\nequals = 1',
     ["'id'", "identifier"]),
    ('id = "n"\nkind = "attribute"\nattribute = "x"\nequals = 1', ["'n'", "'label'"]),
])
def test_rulebook_errors_name_the_rule_and_the_key(rule: str, names: list[str]) -> None:
    with pytest.raises(RulebookError) as err:
        rulebook(rule)
    msg = str(err.value)
    for name in names:
        assert name in msg, (name, msg)
    assert "\n" not in msg.strip()


def test_duplicate_ids_and_empty_rulebooks_are_refused() -> None:
    with pytest.raises(RulebookError, match="used twice"):
        rulebook(ROAD + "max_m = 50", ROAD + "max_m = 60")
    with pytest.raises(RulebookError, match="no \\[\\[rule\\]\\]"):
        load_rulebook(META)
    with pytest.raises(RulebookError, match="not valid TOML"):
        load_rulebook(META + "[[rule]]\nid = ")


def test_missing_rulebook_file(tmp_path) -> None:
    with pytest.raises(RulebookError, match="does not exist"):
        load_rulebook(tmp_path / "nope.toml")


def test_filters_read_as_chinese_words_in_messages():
    from layers.readiness._base import filter_text, filter_text_zh

    flt = {"status": ("existing",), "kind": ("main", "branch")}
    assert filter_text_zh(flt) == "现状；干管/支管"
    assert filter_text(flt) == "status=existing, kind=main/branch"
    # a value without a label keeps its code, so nothing is hidden
    assert filter_text_zh({"voltage_kv": (10.0,)}) == "voltage_kv=10.0"
