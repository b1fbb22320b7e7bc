"""Citations and the pre-/post-supply split of the rulebook; the readable rulebook table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gis.errors import RulebookError
from layers.demo import indicator_bounds
from layers.demo.parcels import _indicator_values
from layers.readiness import evaluate, load_rulebook
from layers.readiness.rulebook import IndicatorsRule, default_rulebook_path
from layers.readiness.rulebook_table import industry_table, rulebook_table, threshold_text
from tests.readiness.readiness_helpers import AS_OF, META, box, inputs, parcels, rulebook

ROAD = 'id = "road"\nkind = "distance"\nlabel = { zh = "通路", en = "Road" }\n' \
       'layer = "roads"\nmax_m = 50.0\n'
IND = '''id = "indicators"
kind = "indicators"
label = { zh = "控制性指标", en = "Control indicators" }
[rule.by_industry.steel]
far = { min = 0.6 }
building_coverage = { min = 30.0 }
[rule.contract_by_industry.steel]
tax_per_mu = { min = 10.0 }
energy_per_output = { max = 1.2 }
'''


def test_every_default_rule_cites_a_document_in_both_languages() -> None:
    rb = load_rulebook(default_rulebook_path())
    for rule in rb:
        assert rule.citation("zh") and rule.citation("en"), rule.id


def test_default_rulebook_marks_what_could_not_be_confirmed() -> None:
    rb = load_rulebook(default_rulebook_path())
    text = rb.text
    # the regional-assessment document is the 2019 approval-reform opinions, not 证照分离
    assert "国办发〔2019〕11号" in rb.get("eia").citation("zh")
    assert "全面开展工程建设项目审批制度改革" in rb.get("eia").citation("zh")
    assert "证照分离" not in text
    # the replaced 2008 indicators: the 2023 revision is named, its number left unverified
    cite = rb.get("indicators").citation("zh")
    assert "2008" in cite and "2023" in cite and "未核实" in cite
    assert "unverified" in rb.get("indicators").citation("en")
    assert "local choice" in rb.get("road").citation("en")


def test_citation_string_or_pair_and_errors_name_the_key() -> None:
    plain = rulebook(ROAD + 'citation = "《某文件》"')
    assert plain.rules[0].citation("zh") == plain.rules[0].citation("en") == "《某文件》"
    pair = rulebook(ROAD + 'citation = { zh = "《文件》", en = "The document" }')
    assert (pair.rules[0].citation("zh"), pair.rules[0].citation("en")) == (
        "《文件》", "The document")
    assert rulebook(ROAD).rules[0].citation("en") == ""
    only_en = rulebook(ROAD + 'citation = { en = "Doc" }')
    assert only_en.rules[0].citation("zh") == "Doc"
    for bad in ('citation = 3', 'citation = { fr = "x", en = "y" }', 'citation = ""'):
        with pytest.raises(RulebookError) as exc:
            rulebook(ROAD + bad)
        assert "'citation'" in exc.value.message and "road" in exc.value.message
        assert exc.value.zh and "citation" in exc.value.zh


def test_contract_conditions_are_parsed_listed_and_overridable() -> None:
    rb = rulebook(IND)
    rule = rb.get("indicators")
    assert isinstance(rule, IndicatorsRule)
    assert set(rule.by_industry["steel"]) == {"far", "building_coverage"}
    assert rule.contract_floors("steel")["tax_per_mu"].min == 10.0
    assert rule.contract_floors("coke") == {} and rule.contract_floors(None) == {}
    params = {p.key: (p.value, p.unit) for p in rb.parameters()}
    assert params["contract_by_industry.steel.tax_per_mu.min"] == (10.0, "万元/亩")
    assert params["contract_by_industry.steel.energy_per_output.max"] == (1.2, "tce/万元")
    edited = rb.with_overrides({("indicators", "contract_by_industry.steel.tax_per_mu.min"):
                                12.5})
    assert edited.get("indicators").contract_floors("steel")["tax_per_mu"].min == 12.5
    with pytest.raises(RulebookError, match=r"contract_by_industry\.steel\.tax_per_mu"):
        rulebook(IND.replace("tax_per_mu = { min = 10.0 }", "tax_per_mu = { least = 10.0 }"))


def test_pre_supply_check_does_not_judge_contract_conditions() -> None:
    # P1 meets the pre-supply floors, has no planned tax and a planned energy far above
    # the contract condition; P2 misses FAR; P3 lacks building coverage.
    ps = parcels([box(0, 0, 10, 10)] * 3, industry=["steel"] * 3,
                 far=[0.7, 0.5, 0.8], building_coverage=[35.0, 40.0, None],
                 tax_per_mu=[None, 20.0, 20.0], energy_per_output=[9.0, 1.0, 1.0])
    res = evaluate(inputs(ps), rulebook(IND), as_of=AS_OF)
    ind = res.long[res.long["rule_id"] == "indicators"].reset_index(drop=True)
    assert ind["status"].tolist() == ["pass", "fail", "unknown"]
    assert "tax" not in ind["message_en"][1] and "Energy" not in ind["message_en"][1]


@pytest.mark.parametrize("industry", ["steel", "coke", "power", "coal_chemical"])
def test_heavy_industry_parcels_of_the_demo_evaluate(industry: str) -> None:
    rb = load_rulebook(default_rulebook_path())
    bounds = indicator_bounds(rb.text)
    assert {"tax_per_mu", "energy_per_output", "far"} <= set(bounds[industry])
    values = _indicator_values(np.array([industry] * 4, dtype=object), bounds,
                               np.random.default_rng(1))
    ps = parcels([box(0, 0, 10, 10)] * 4, industry=[industry] * 4,
                 **{k: list(v) for k, v in values.items()})
    res = evaluate(inputs(ps), rb, as_of=AS_OF)
    ind = res.long[res.long["rule_id"] == "indicators"]
    assert (ind["status"] == "pass").all(), ind["message_en"].tolist()
    rule = rb.get("indicators")
    assert isinstance(rule, IndicatorsRule)
    floors = rule.contract_floors(industry)
    # the planned values meet the contract conditions too
    assert (values["tax_per_mu"] >= floors["tax_per_mu"].min).all()
    assert (values["energy_per_output"] <= floors["energy_per_output"].max).all()


def test_threshold_texts_by_kind() -> None:
    rb = load_rulebook(default_rulebook_path())
    assert threshold_text(rb.get("road"), "en") == "≤ 50 m"
    assert threshold_text(rb.get("in_zone"), "zh") == "≥ 95 %"
    assert threshold_text(rb.get("redline"), "en") == "≤ 0 % (or overlap ≤ 100 m²)"
    assert threshold_text(rb.get("redline"), "zh") == "≤ 0 %（或重叠面积 ≤ 100 m²）"
    assert threshold_text(rb.get("tourism_setback"), "en") == "≥ 200 m"
    assert threshold_text(rb.get("residential_setback"), "en") == (
        "≥ 1,000 m (only industry ∈ {steel, coke, coal_chemical, power})")
    assert threshold_text(rb.get("leveled"), "en") == "mean ≤ 5 °"
    assert threshold_text(rb.get("telecom"), "en") == "≥ 90 % of cells ≥ -105 dBm"
    assert threshold_text(rb.get("energy"), "en") == "approved (commitment allowed)"
    assert threshold_text(rb.get("energy"), "zh") == "已批复（可承诺制）"
    assert threshold_text(rb.get("eia"), "en") == "approved"
    assert threshold_text(rb.get("net_land"), "en") == "net_land = true"
    ind = threshold_text(rb.get("indicators"), "en")
    assert ind.startswith("9 industries: ") and "Floor-area ratio ≥ 0.5–1.5" in ind
    assert "Contract conditions" in ind and "Tax per mu ≥ 8–25 万元/亩" in ind
    attr = load_rulebook(META + '[[rule]]\nid = "far"\nkind = "attribute"\nlabel = "FAR"\n'
                         'attribute = "far"\nmin = 1.0\nmax = 3.0\n').rules[0]
    assert threshold_text(attr, "en") == "far 1–3"


def test_rulebook_table_without_citations_and_by_industry() -> None:
    table = rulebook_table(rulebook(ROAD, IND), "en")
    assert table.columns.tolist() == ["id", "label", "kind", "threshold", "required",
                                      "citation"]
    assert table["citation"].tolist() == ["", ""]
    assert table["required"].tolist() == ["required", "required"]
    zh = rulebook_table(load_rulebook(default_rulebook_path()), "zh")
    assert set(zh["required"]) == {"必备", "参考"}
    assert zh.set_index("id").loc["telecom", "required"] == "参考"
    ind = industry_table(rulebook(IND), "zh").set_index("industry")
    assert ind.loc["steel", "label"] == "钢铁"
    assert ind.loc["steel", "before_supply"] == "容积率 ≥ 0.6，建筑系数 ≥ 30 %"
    assert ind.loc["steel", "contract"] == "亩均税收 ≥ 10 万元/亩，单位能耗 ≤ 1.2 tce/万元"
    assert industry_table(rulebook(ROAD), "en").empty
    assert isinstance(industry_table(rulebook(ROAD), "en"), pd.DataFrame)
