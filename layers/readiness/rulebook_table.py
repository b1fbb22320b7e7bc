"""The rulebook as a table a reviewer reads: id, label, kind, threshold in words, citation.

Used by ``devzone rules``. A rule kind this module does not spell out is shown by
its numeric parameters (``key = value unit``), so a new kind is never left blank.
"""

from __future__ import annotations

import pandas as pd

from layers.catalog import CATALOG
from layers.readiness.rulebook import (
    AssessmentRule,
    AttributeRule,
    Bound,
    DistanceRule,
    IndicatorsRule,
    MinDistanceRule,
    OverlapRule,
    RasterCoverageRule,
    RasterRule,
    Rule,
    Rulebook,
    WithinRule,
    indicator_unit,
)

__all__ = ["INDUSTRY_COLUMNS", "TABLE_COLUMNS", "industry_table", "rulebook_table",
           "threshold_text"]

#: The columns of :func:`rulebook_table` (and of ``devzone rules --out``).
TABLE_COLUMNS: list[str] = ["id", "label", "kind", "threshold", "required", "citation"]
HEADERS: dict[str, tuple[str, ...]] = {
    "zh": ("编号", "名称", "类型", "阈值", "必备/参考", "依据"),
    "en": ("id", "label", "kind", "threshold", "required", "citation"),
}
#: The columns of :func:`industry_table`.
INDUSTRY_COLUMNS: list[str] = ["industry", "label", "before_supply", "contract"]
INDUSTRY_HEADERS: dict[str, tuple[str, ...]] = {
    "zh": ("产业", "名称", "供地前判定", "供地合同条件（达产复核）"),
    "en": ("industry", "label", "before supply", "contract (review at full production)"),
}


def _num(v: float) -> str:
    return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"


def _pct(fraction: float) -> str:
    return f"{_num(fraction * 100)} %"


def _unit(value: str, unit: str) -> str:
    return f"{value} {unit}" if unit else value


def _bounds(lo: float | None, hi: float | None, unit: str) -> str:
    if lo is not None and hi is not None:
        return _unit(f"{_num(lo)}–{_num(hi)}", unit)
    if lo is not None:
        return "≥ " + _unit(_num(lo), unit)
    return "≤ " + _unit(_num(hi if hi is not None else 0.0), unit)


def _column_label(column: str, lang: str) -> str:
    for kind in ("parcels", "performance"):
        spec = CATALOG.get(kind)
        c = spec.column(column) if spec is not None else None
        if c is not None and (c.zh or c.en):
            return c.zh if lang == "zh" else c.en
    return column


def _range(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    return _num(lo) if lo == hi else f"{_num(lo)}–{_num(hi)}"


def _industry_summary(tables: dict[str, dict[str, Bound]], lang: str) -> str:
    """Each indicator's floors (or caps) over the industries: ``容积率 ≥ 0.5–1.5``."""
    columns: dict[str, tuple[list[float], list[float]]] = {}
    for bounds in tables.values():
        for col, b in bounds.items():
            mins, maxs = columns.setdefault(col, ([], []))
            if b.min is not None:
                mins.append(b.min)
            if b.max is not None:
                maxs.append(b.max)
    parts = []
    for col, (mins, maxs) in columns.items():
        unit = indicator_unit(col)
        bits = ([f"≥ {_unit(_range(mins), unit)}"] if mins else []) + (
            [f"≤ {_unit(_range(maxs), unit)}"] if maxs else [])
        parts.append(f"{_column_label(col, lang)} {' '.join(bits)}")
    return ("；" if lang == "zh" else "; ").join(parts)


def _bounds_list(bounds: dict[str, Bound], lang: str) -> str:
    return ("，" if lang == "zh" else ", ").join(
        f"{_column_label(col, lang)} {_bounds(b.min, b.max, indicator_unit(col))}"
        for col, b in bounds.items())


def industry_table(rulebook: Rulebook, lang: str = "zh") -> pd.DataFrame:
    """Per industry of the indicators rule: the pre-supply bounds and the contract conditions.

    Empty (with :data:`INDUSTRY_COLUMNS`) when the rulebook has no indicators rule.
    """
    from layers.labels import value_label

    rule = next((r for r in rulebook.rules if isinstance(r, IndicatorsRule)), None)
    if rule is None:
        return pd.DataFrame(columns=INDUSTRY_COLUMNS)
    codes = list(rule.by_industry) + [k for k in rule.contract_by_industry
                                      if k not in rule.by_industry]
    return pd.DataFrame([{
        "industry": code,
        "label": value_label("industry", code, lang),
        "before_supply": _bounds_list(rule.by_industry.get(code, {}), lang) or "—",
        "contract": _bounds_list(rule.contract_by_industry.get(code, {}), lang) or "—",
    } for code in codes], columns=INDUSTRY_COLUMNS)


def _indicators_text(rule: IndicatorsRule, lang: str) -> str:
    n = len(rule.by_industry)
    head = f"{n} 个产业：" if lang == "zh" else f"{n} industries: "
    text = head + _industry_summary(rule.by_industry, lang)
    if rule.contract_by_industry:
        text += ("。供地合同条件（达产复核，供地前不判定）：" if lang == "zh" else
                 ". Contract conditions (reviewed at full production, not before supply): ")
        text += _industry_summary(rule.contract_by_industry, lang)
    return text


def _assessment_text(rule: AssessmentRule, lang: str) -> str:
    if lang == "zh":
        return "已批复（可承诺制）" if rule.commitment_allowed else "已批复"
    return "approved (commitment allowed)" if rule.commitment_allowed else "approved"


def _attribute_text(rule: AttributeRule, lang: str) -> str:
    unit = indicator_unit(rule.attribute)
    if rule.one_of is not None:
        return f"{rule.attribute} ∈ {{{', '.join(str(v) for v in rule.one_of)}}}"
    if rule.equals is not None:
        value = str(rule.equals).lower() if isinstance(rule.equals, bool) else str(rule.equals)
        return f"{rule.attribute} = {value}"
    return f"{rule.attribute} {_bounds(rule.min, rule.max, unit)}"


def _generic_text(rule: Rule) -> str:
    """A kind spelled out by its numeric parameters: ``min_m = 300 m``."""
    try:
        params = Rulebook(name="", version="", rules=(rule,)).parameters()
    except KeyError:  # a kind without a parameter list
        params = []
    return ", ".join(f"{p.key} = {_unit(_num(p.value), p.unit)}" for p in params) or "—"


def _overlap_text(rule: OverlapRule, lang: str) -> str:
    text = f"≤ {_pct(rule.max_fraction)}"
    if rule.max_area_m2 is not None:
        area = _num(rule.max_area_m2)
        text += (f"（或重叠面积 ≤ {area} m²）" if lang == "zh" else
                 f" (or overlap ≤ {area} m²)")
    return text


def _when_text(rule: Rule, lang: str) -> str:
    """`` (only industry ∈ {steel, coke})``: the parcels a ``when`` rule applies to."""
    if not rule.when:
        return ""
    cond = ", ".join(f"{col} ∈ {{{', '.join(str(v) for v in vals)}}}"
                     for col, vals in rule.when.items())
    return f"（仅 {cond}）" if lang == "zh" else f" (only {cond})"


def threshold_text(rule: Rule, lang: str = "zh") -> str:
    """The rule's pass condition in words: ``≤ 50 m``, ``≥ 95 %``, ``已批复（可承诺制）``."""
    return _condition_text(rule, lang) + _when_text(rule, lang)


def _condition_text(rule: Rule, lang: str) -> str:
    if isinstance(rule, DistanceRule):
        return f"≤ {_num(rule.max_m)} m"
    if isinstance(rule, MinDistanceRule):
        return f"≥ {_num(rule.min_m)} m"
    if isinstance(rule, WithinRule):
        return f"≥ {_pct(rule.min_fraction)}"
    if isinstance(rule, OverlapRule):
        return _overlap_text(rule, lang)
    if isinstance(rule, RasterRule):
        return f"{rule.stat} {_bounds(rule.min, rule.max, rule.unit)}"
    if isinstance(rule, RasterCoverageRule):
        cells = _unit(_num(rule.min_value), rule.unit)
        return (f"≥ {_pct(rule.min_fraction)} 的栅格 ≥ {cells}" if lang == "zh" else
                f"≥ {_pct(rule.min_fraction)} of cells ≥ {cells}")
    if isinstance(rule, AssessmentRule):
        return _assessment_text(rule, lang)
    if isinstance(rule, AttributeRule):
        return _attribute_text(rule, lang)
    if isinstance(rule, IndicatorsRule):
        return _indicators_text(rule, lang)
    return _generic_text(rule)


def rulebook_table(rulebook: Rulebook, lang: str = "zh") -> pd.DataFrame:
    """One row per rule, in file order: :data:`TABLE_COLUMNS`, texts in ``lang``.

    ``citation`` is empty where the rulebook names no document for the rule.
    """
    rows = [{
        "id": r.id,
        "label": r.label(lang),
        "kind": r.kind,
        "threshold": threshold_text(r, lang),
        "required": ("必备" if r.required else "参考") if lang == "zh" else
                    ("required" if r.required else "advisory"),
        "citation": r.citation(lang),
    } for r in rulebook.rules]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)
