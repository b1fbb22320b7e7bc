"""The readiness rulebook: parse TOML into typed, validated rules; list and override thresholds.

This module is the only one that knows the rulebook's TOML schema: other code reads
rules through :class:`Rulebook` (``rules``, ``get``, ``parameters``, ``with_overrides``)
and gets the rulebook that applies from :func:`rulebook_in_force` (the rulebook
format is described in ``docs/rulebook.md``).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

import tomli_w

from gis.errors import RulebookError
from layers.catalog import ASSESSMENT_KINDS, CATALOG

if TYPE_CHECKING:
    from layers.workspace import Workspace

__all__ = [
    "RASTER_NAMES",
    "RULE_KINDS",
    "AssessmentRule",
    "AttributeRule",
    "Bound",
    "DistanceRule",
    "IndicatorsRule",
    "MinDistanceRule",
    "OverlapRule",
    "RasterCoverageRule",
    "RasterRule",
    "Rule",
    "RuleParameter",
    "Rulebook",
    "WithinRule",
    "default_rulebook_path",
    "indicator_unit",
    "load_rulebook",
    "rulebook_in_force",
]

#: Rasters a rule may name: workspace rasters plus ``slope`` (derived from ``dem``).
RASTER_NAMES: dict[str, tuple[str, str, str]] = {
    "slope": ("坡度", "slope", "°"),
    "dem": ("高程", "elevation", "m"),
    "coverage_5g": ("5G信号强度", "5G signal strength", "dBm"),
}
_STAT_RE = re.compile(r"^(mean|min|max|median|sum|count|std|p(\d{1,3}(\.\d+)?))$")
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_POLYGON_LAYERS = tuple(k for k, s in CATALOG.items() if s.geometry == "polygon")
_LAYERS = tuple(k for k, s in CATALOG.items() if not s.is_table)

Scalar = str | int | float | bool
Filter = dict[str, tuple[Scalar, ...]]


@dataclass(frozen=True)
class Bound:
    """Numeric bounds of one indicator: ``min ≤ value ≤ max`` (either may be ``None``)."""

    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Rule:
    """Fields shared by every rule kind."""

    id: str
    kind: str
    label_zh: str
    label_en: str
    required: bool = True
    #: applicability: the rule applies only to parcels whose columns match (empty: all)
    when: Filter = field(default_factory=dict)
    citation_zh: str = ""
    citation_en: str = ""

    def label(self, lang: str = "zh") -> str:
        """The label in ``lang`` (``zh`` or ``en``)."""
        return self.label_en if lang == "en" else self.label_zh

    def citation(self, lang: str = "zh") -> str:
        """The document the rule rests on, in ``lang`` (``""`` when the rulebook names none)."""
        return self.citation_en if lang == "en" else self.citation_zh


@dataclass(frozen=True)
class DistanceRule(Rule):
    """Distance from the parcel to the nearest filtered feature ≤ ``max_m``."""

    layer: str = ""
    filter: Filter = field(default_factory=dict)
    max_m: float = 0.0
    cost_per_m: float | None = None


@dataclass(frozen=True)
class MinDistanceRule(Rule):
    """Distance from the parcel to the nearest filtered feature ≥ ``min_m`` (a setback)."""

    layer: str = ""
    filter: Filter = field(default_factory=dict)
    min_m: float = 0.0


@dataclass(frozen=True)
class WithinRule(Rule):
    """Share of the parcel inside the filtered layer ≥ ``min_fraction``."""

    layer: str = ""
    filter: Filter = field(default_factory=dict)
    min_fraction: float = 1.0


@dataclass(frozen=True)
class OverlapRule(Rule):
    """Share of the parcel inside the filtered layer ≤ ``max_fraction``, or the overlapping
    area ≤ ``max_area_m2`` (a digitising sliver)."""

    layer: str = ""
    filter: Filter = field(default_factory=dict)
    max_fraction: float = 0.0
    max_area_m2: float | None = None


@dataclass(frozen=True)
class RasterRule(Rule):
    """A statistic over the cells whose centres lie inside the parcel, within ``min``/``max``."""

    raster: str = ""
    stat: str = "mean"
    min: float | None = None
    max: float | None = None
    unit: str = ""
    fallback_attribute: str | None = None
    cost_per_unit: float | None = None


@dataclass(frozen=True)
class RasterCoverageRule(Rule):
    """Share of the parcel's cells with value ≥ ``min_value`` is at least ``min_fraction``."""

    raster: str = ""
    min_value: float = 0.0
    min_fraction: float = 1.0
    unit: str = ""
    fallback_layer: str | None = None
    fallback_filter: Filter = field(default_factory=dict)
    fallback_radius_m: float | None = None


@dataclass(frozen=True)
class AssessmentRule(Rule):
    """A regional assessment of the parcel or of the zone holding most of it."""

    assessment: str = ""
    commitment_allowed: bool = False
    zone_layer: str = "zones"


@dataclass(frozen=True)
class AttributeRule(Rule):
    """A parcel column compared with ``equals`` / ``one_of`` / ``min`` / ``max``."""

    attribute: str = ""
    equals: Scalar | None = None
    one_of: tuple[Scalar, ...] | None = None
    min: float | None = None
    max: float | None = None
    cost_per_unit: float | None = None


@dataclass(frozen=True)
class IndicatorsRule(Rule):
    """Control indicators by the parcel's industry, each within its bounds.

    ``by_industry`` holds what is knowable before supply and is judged by the
    readiness check. ``contract_by_industry`` holds the supply conditions written
    into the contract (tax per mu, energy per unit of output …): outcomes of a
    producing plant, never judged before supply; 达产复核 (layers.supervision)
    reviews them.
    """

    by_industry: dict[str, dict[str, Bound]] = field(default_factory=dict)
    industry_attribute: str = "industry"
    contract_by_industry: dict[str, dict[str, Bound]] = field(default_factory=dict)

    def contract_floors(self, industry: str | None) -> dict[str, Bound]:
        """The contract conditions of ``industry`` (empty when the rulebook sets none)."""
        if industry is None:
            return {}
        return dict(self.contract_by_industry.get(str(industry).strip(), {}))


@dataclass(frozen=True)
class RuleParameter:
    """One numeric threshold or unit cost of a rule, as listed by :meth:`Rulebook.parameters`.

    ``key`` is the dotted key inside the rule's ``[[rule]]`` table (``max_m``,
    ``by_industry.photovoltaic.far.min``); ``label_zh``/``label_en`` are the
    rule's label; ``unit`` is ``m``, ``CNY/m``, ``CNY``, ``fraction`` (0–1), the
    raster's unit or the parcel column's unit (``""`` when unitless).
    """

    rule_id: str
    key: str
    label_zh: str
    label_en: str
    value: float
    unit: str
    kind: str

    def label(self, lang: str = "zh") -> str:
        """The rule's label in ``lang`` (``zh`` or ``en``)."""
        return self.label_en if lang == "en" else self.label_zh


#: The scalar parameters of each rule kind: (attribute = TOML key, unit); "@" is the rule's unit.
_SCALAR_PARAMS: dict[str, tuple[tuple[str, str], ...]] = {
    "distance": (("max_m", "m"), ("cost_per_m", "CNY/m")),
    "min_distance": (("min_m", "m"),),
    "within": (("min_fraction", "fraction"),),
    "overlap": (("max_fraction", "fraction"), ("max_area_m2", "m²")),
    "raster": (("min", "@"), ("max", "@"), ("cost_per_unit", "CNY")),
    "raster_coverage": (("min_value", "@"), ("min_fraction", "fraction"),
                        ("fallback_radius_m", "m")),
    "attribute": (("min", ""), ("max", ""), ("cost_per_unit", "CNY")),
    "assessment": (),
    "indicators": (),
}


def _rule_parameters(rule: Rule) -> list[RuleParameter]:
    """The parameters a rule sets (absent optional ones are not listed)."""
    out: list[RuleParameter] = []

    def add(key: str, value: float | None, unit: str) -> None:
        if value is not None:
            out.append(RuleParameter(rule.id, key, rule.label_zh, rule.label_en, float(value),
                                     unit, rule.kind))

    for key, unit in _SCALAR_PARAMS[rule.kind]:
        add(key, getattr(rule, key), getattr(rule, "unit", "") if unit == "@" else unit)
    if isinstance(rule, IndicatorsRule):
        for table in ("by_industry", "contract_by_industry"):
            for industry, bounds in getattr(rule, table).items():
                for col, bound in bounds.items():
                    unit = indicator_unit(col)
                    add(f"{table}.{industry}.{col}.min", bound.min, unit)
                    add(f"{table}.{industry}.{col}.max", bound.max, unit)
    return out


def indicator_unit(column: str) -> str:
    """The unit of an indicator column (parcels layer, else the performance table; ``""``)."""
    for kind in ("parcels", "performance"):
        spec = CATALOG.get(kind)
        cspec = spec.column(column) if spec is not None else None
        if cspec is not None and cspec.unit:
            return cspec.unit
    return ""


@dataclass(frozen=True)
class Rulebook:
    """A parsed rulebook: ``[meta]`` name and version, the rules in file order, its TOML text."""

    name: str
    version: str
    rules: tuple[Rule, ...]
    source: str = "<text>"
    text: str = field(default="", repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def get(self, rule_id: str) -> Rule:
        """The rule with ``rule_id`` or a ``KeyError`` listing the ids."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r}; rules: {', '.join(self.ids)}")

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def labels(self, lang: str = "zh") -> dict[str, str]:
        """Rule id → label in ``lang``."""
        return {r.id: r.label(lang) for r in self.rules}

    def layers_needed(self) -> set[str]:
        """Layer and table kinds the rules read (for loading only what is used)."""
        out: set[str] = {"parcels"}
        for r in self.rules:
            if isinstance(r, DistanceRule | MinDistanceRule | WithinRule | OverlapRule):
                out.add(r.layer)
            elif isinstance(r, RasterCoverageRule) and r.fallback_layer:
                out.add(r.fallback_layer)
            elif isinstance(r, AssessmentRule):
                out.update({"assessments", r.zone_layer})
        return out

    def rasters_needed(self) -> set[str]:
        """Workspace rasters the rules read (``slope`` needs ``dem``)."""
        return {("dem" if r.raster == "slope" else r.raster) for r in self.rules
                if isinstance(r, RasterRule | RasterCoverageRule)}

    def parameters(self) -> list[RuleParameter]:
        """Every numeric threshold and unit cost the rules set, in rule order.

        >>> rb = load_rulebook(default_rulebook_path())
        >>> p = rb.parameters()[0]
        >>> (p.rule_id, p.key, p.value, p.unit)
        ('road', 'max_m', 50.0, 'm')
        """
        return [p for rule in self.rules for p in _rule_parameters(rule)]

    def with_overrides(self, overrides: Mapping[tuple[str, str], Any]) -> Rulebook:
        """This rulebook with ``(rule_id, key) -> value`` set, validated like a loaded file.

        ``key`` is a :class:`RuleParameter` key; a rule may also be given a scalar
        parameter of its kind that it does not set yet (``cost_per_m``). An unknown
        rule or key, or a value the rule does not accept (a negative distance, a
        share above 1), raises :class:`~gis.errors.RulebookError` naming the rule
        and the key. The returned rulebook's ``text`` is the edited TOML (comments
        are not kept).
        """
        if not overrides:
            return self
        doc = tomllib.loads(self.text) if self.text else None
        if doc is None:
            raise RulebookError(f"{self.source}: the rulebook has no TOML text to edit.",
                                hint="Load it with load_rulebook.",
                                zh=f"{_source_zh(self.source)}：规则手册没有可编辑的 TOML 文本。",
                                hint_zh="请用 load_rulebook 读取规则手册。")
        tables = {t.get("id"): t for t in doc["rule"]}
        present = {(p.rule_id, p.key) for p in self.parameters()}
        for (rule_id, key), value in overrides.items():
            table = tables.get(rule_id)
            if table is None:
                raise RulebookError(
                    f"{self.source}: rule {rule_id!r} is not in the rulebook, so its key "
                    f"{key!r} cannot be changed.", hint=f"Rules: {', '.join(self.ids)}.",
                    zh=f"{_source_zh(self.source)}：规则手册中没有规则 {rule_id!r}，"
                    f"无法修改其键 {key!r}。", hint_zh=f"现有规则：{'、'.join(self.ids)}。")
            rule = self.get(rule_id)
            settable = {k for k, _ in _SCALAR_PARAMS[rule.kind]}
            if (rule_id, key) not in present and key not in settable:
                known = [p.key for p in _rule_parameters(rule)] or sorted(settable)
                raise _RuleReader(table, 0, self.source).error(
                    key, f"not a numeric parameter of a {rule.kind} rule",
                    f"Parameters: {', '.join(known) or 'none'}.",
                    zh=f"不是 {rule.kind} 类规则的数值参数",
                    hint_zh=f"可修改的参数：{'、'.join(known) or '无'}。")
            node = table
            *parents, last = key.split(".")
            for part in parents:
                node = node[part]
            node[last] = value
        return _parse(tomli_w.dumps(doc), self.source)


def default_rulebook_path() -> Path:
    """The default Changzhi rulebook, package data ``layers/readiness/rules/changzhi.toml``.

    Raises :class:`RulebookError` when the installed package lacks it (a packaging bug).
    """
    from importlib.resources import files

    path = Path(str(files("layers.readiness") / "rules" / "changzhi.toml"))
    if not path.is_file():
        raise RulebookError(
            f"The packaged default rulebook {path} is missing: this installation of "
            "devzone-planner is incomplete.",
            hint="Reinstall the package (make setup in a checkout).",
            zh=f"软件包自带的默认规则文件 {path} 缺失：devzone-planner 安装不完整。",
            hint_zh="请重新安装该软件包（在源码目录中运行 make setup）。")
    return path


# --------------------------------------------------------------------------- parsing

_COMMON = {"id", "kind", "label", "required", "when", "citation"}
_KIND_KEYS: dict[str, tuple[set[str], set[str]]] = {  # kind -> (required keys, optional keys)
    "distance": ({"layer", "max_m"}, {"filter", "cost_per_m"}),
    "min_distance": ({"layer", "min_m"}, {"filter"}),
    "within": ({"layer", "min_fraction"}, {"filter"}),
    "overlap": ({"layer"}, {"filter", "max_fraction", "max_area_m2"}),
    "raster": ({"raster"}, {"stat", "min", "max", "unit", "fallback_attribute",
                            "cost_per_unit"}),
    "raster_coverage": ({"raster", "min_value", "min_fraction"},
                        {"unit", "fallback_layer", "fallback_filter", "fallback_radius_m"}),
    "assessment": ({"assessment"}, {"commitment_allowed", "zone_layer"}),
    "attribute": ({"attribute"}, {"equals", "one_of", "min", "max", "cost_per_unit"}),
    "indicators": ({"by_industry"}, {"industry_attribute", "contract_by_industry"}),
}
RULE_KINDS: tuple[str, ...] = tuple(_KIND_KEYS)


_TEXT_SOURCE = "<rulebook text>"


def _source_zh(source: str) -> str:
    return "规则文本" if source == _TEXT_SOURCE else source


class _RuleReader:
    """Typed access to one ``[[rule]]`` table; every error names the rule and the key."""

    def __init__(self, table: dict[str, Any], pos: int, source: str) -> None:
        self.t = table
        self.source = source
        rid = table.get("id")
        named = isinstance(rid, str) and rid
        self.name = f"rule {rid!r}" if named else f"rule #{pos + 1}"
        self.name_zh = f"规则 {rid!r}" if named else f"第 {pos + 1} 条规则"

    def error(self, key: str | None, problem: str, hint: str | None = None, *,
              zh: str | None = None, hint_zh: str | None = None) -> RulebookError:
        """An error naming the source, the rule and the key (``zh``: the problem in Chinese)."""
        where = f"{self.source}: {self.name}" + (f", key {key!r}" if key else "")
        where_zh = f"{_source_zh(self.source)}：{self.name_zh}" + (f"，键 {key!r}" if key else "")
        return RulebookError(f"{where}: {problem}.", hint=hint,
                             zh=f"{where_zh}：{zh}。" if zh else None, hint_zh=hint_zh)

    def has(self, key: str) -> bool:
        return key in self.t

    @overload
    def str_(self, key: str, default: str) -> str: ...
    @overload
    def str_(self, key: str, *, required: Literal[True]) -> str: ...
    @overload
    def str_(self, key: str, default: None = None, *, required: bool = False) -> str | None: ...

    def str_(self, key: str, default: str | None = None, *,
             required: bool = False) -> str | None:
        if key not in self.t:
            if required:
                raise self.error(key, "missing key", f"Add {key} = \"…\" to the rule.",
                                 zh="缺少该键", hint_zh=f"请在规则中添加 {key} = \"…\"。")
            return default
        v = self.t[key]
        if not isinstance(v, str) or not v.strip():
            raise self.error(key, f"expected a non-empty string, got {v!r}",
                             zh=f"应为非空字符串，实际为 {v!r}")
        return v.strip()

    @overload
    def num(self, key: str, default: float, *,
            lo: float | None = None, hi: float | None = None) -> float: ...
    @overload
    def num(self, key: str, *, required: Literal[True],
            lo: float | None = None, hi: float | None = None) -> float: ...
    @overload
    def num(self, key: str, default: None = None, *, required: bool = False,
            lo: float | None = None, hi: float | None = None) -> float | None: ...

    def num(self, key: str, default: float | None = None, *, required: bool = False,
            lo: float | None = None, hi: float | None = None) -> float | None:
        if key not in self.t:
            if required:
                raise self.error(key, "missing key", f"Add {key} = <number> to the rule.",
                                 zh="缺少该键", hint_zh=f"请在规则中添加 {key} = <数值>。")
            return default
        v = self.t[key]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise self.error(key, f"expected a number, got {v!r}", zh=f"应为数值，实际为 {v!r}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"between {lo:g} and {hi:g}" if lo is not None and hi is not None else (
                f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
            rng_zh = f"介于 {lo:g} 与 {hi:g} 之间" if lo is not None and hi is not None else (
                f"不小于 {lo:g}" if lo is not None else f"不大于 {hi:g}")
            raise self.error(key, f"expected a number {rng}, got {v!r}",
                             zh=f"应为{rng_zh}的数值，实际为 {v!r}")
        return float(v)

    def bool_(self, key: str, default: bool) -> bool:
        v = self.t.get(key, default)
        if not isinstance(v, bool):
            raise self.error(key, f"expected true or false, got {v!r}",
                             zh=f"应为 true 或 false，实际为 {v!r}")
        return v

    @overload
    def choice(self, key: str, allowed: tuple[str, ...] | dict[str, Any], what: str,
               what_zh: str, *, required: Literal[True] = True) -> str: ...
    @overload
    def choice(self, key: str, allowed: tuple[str, ...] | dict[str, Any], what: str,
               what_zh: str, *, required: bool) -> str | None: ...

    def choice(self, key: str, allowed: tuple[str, ...] | dict[str, Any], what: str,
               what_zh: str, *, required: bool = True) -> str | None:
        """A string key that must be one of ``allowed``; the error lists them."""
        name = self.str_(key, required=required)
        if name is None or name in allowed:
            return name
        raise self.error(key, f"unknown {what} {name!r}", f"Use one of: {', '.join(allowed)}.",
                         zh=f"未知{what_zh} {name!r}",
                         hint_zh=f"请使用以下之一：{'、'.join(allowed)}。")

    @overload
    def layer(self, key: str, allowed: tuple[str, ...], *,
              required: Literal[True] = True) -> str: ...
    @overload
    def layer(self, key: str, allowed: tuple[str, ...], *, required: bool) -> str | None: ...

    def layer(self, key: str, allowed: tuple[str, ...], *, required: bool = True) -> str | None:
        return self.choice(key, allowed, "layer", "图层", required=required)

    def filter(self, key: str, layer: str | None) -> Filter:
        raw = self.t.get(key, {})
        if not isinstance(raw, dict):
            raise self.error(key, f"expected a table such as {{ status = \"existing\" }}, "
                             f"got {raw!r}", "Filters are equality or membership in a list.",
                             zh=f"应为形如 {{ status = \"existing\" }} 的表，实际为 {raw!r}",
                             hint_zh="筛选条件只能是“等于某值”或“属于某个列表”。")
        out: Filter = {}
        spec = CATALOG.get(layer) if layer else None
        for col, val in raw.items():
            values = tuple(val) if isinstance(val, list) else (val,)
            if not values or not all(isinstance(v, str | int | float | bool) for v in values):
                raise self.error(
                    key, f"filter on {col!r} must be a value or a list of values, got {val!r}",
                    "Filters are structured: { column = value } or { column = [v1, v2] }; "
                    "expressions are not evaluated.",
                    zh=f"对字段 {col!r} 的筛选应为一个值或一组值，实际为 {val!r}",
                    hint_zh="筛选条件须写成结构化形式：{ 字段 = 值 } 或 { 字段 = [值1, 值2] }；"
                    "不支持表达式。")
            cspec = spec.column(col) if spec else None
            if cspec is not None and cspec.allowed:
                bad = [v for v in values if v not in cspec.allowed]
                if bad:
                    raise self.error(key, f"{layer}.{col} has no value {bad[0]!r}",
                                     f"Use one of: {', '.join(cspec.allowed)}.",
                                     zh=f"{layer}.{col} 没有取值 {bad[0]!r}",
                                     hint_zh=f"请使用以下之一：{'、'.join(cspec.allowed)}。")
            out[str(col)] = values
        return out


def _label(r: _RuleReader, key: str = "label") -> tuple[str, str]:
    """A bilingual text key (``label``, ``citation``): a string, or ``{ zh = …, en = … }``."""
    lab = r.t.get(key)
    if lab is None:
        raise r.error(key, "missing key", f'Add {key} = {{ zh = "…", en = "…" }}.',
                      zh="缺少该键", hint_zh=f'请添加 {key} = {{ zh = "…", en = "…" }}。')
    if isinstance(lab, str) and lab.strip():
        return lab.strip(), lab.strip()
    if not isinstance(lab, dict) or not any(isinstance(lab.get(k), str) and lab[k].strip()
                                            for k in ("zh", "en")):
        raise r.error(key, f"expected {{ zh = \"…\", en = \"…\" }}, got {lab!r}",
                      zh=f"应为 {{ zh = \"…\", en = \"…\" }}，实际为 {lab!r}")
    extra = set(lab) - {"zh", "en"}
    if extra:
        raise r.error(key, f"unknown language {sorted(extra)[0]!r}", "Use zh and en.",
                      zh=f"未知语言 {sorted(extra)[0]!r}", hint_zh="请使用 zh 和 en。")
    zh = str(lab.get("zh") or lab.get("en")).strip()
    en = str(lab.get("en") or lab.get("zh")).strip()
    return zh, en


def _bounds_pair(r: _RuleReader, lo_key: str = "min", hi_key: str = "max") -> tuple:
    lo, hi = r.num(lo_key), r.num(hi_key)
    if lo is not None and hi is not None and lo > hi:
        raise r.error(hi_key, f"{hi_key} = {hi:g} is below {lo_key} = {lo:g}",
                      zh=f"{hi_key} = {hi:g} 小于 {lo_key} = {lo:g}")
    return lo, hi


def _indicators(r: _RuleReader, table: str = "by_industry") -> dict[str, dict[str, Bound]]:
    raw = r.t[table]
    if not isinstance(raw, dict) or not raw:
        raise r.error(table, "expected one table per industry, e.g. "
                      f"[rule.{table}.photovoltaic] with far = {{ min = 1.0 }}",
                      zh=f"应为每个行业一张表，如 [rule.{table}.photovoltaic] 中写 "
                      "far = { min = 1.0 }")
    out: dict[str, dict[str, Bound]] = {}
    for industry, inds in raw.items():
        key = f"{table}.{industry}"
        if not isinstance(inds, dict) or not inds:
            raise r.error(key, "expected indicator bounds such as far = { min = 1.0 }",
                          zh="应为指标上下限，如 far = { min = 1.0 }")
        bounds: dict[str, Bound] = {}
        for name, b in inds.items():
            k = f"{key}.{name}"
            if not isinstance(b, dict) or not b or set(b) - {"min", "max"}:
                raise r.error(k, f"expected {{ min = … }} and/or {{ max = … }}, got {b!r}",
                              zh=f"应为 {{ min = … }} 和/或 {{ max = … }}，实际为 {b!r}")
            sub = _RuleReader(b, 0, r.source)
            sub.name, sub.name_zh = r.name, r.name_zh
            try:
                lo, hi = sub.num("min"), sub.num("max")
            except RulebookError as exc:
                raise r.error(k, exc.message.rsplit(": ", 1)[-1].rstrip("."),
                              zh=(exc.zh or "").rsplit("：", 1)[-1].rstrip("。") or None
                              ) from None
            if lo is not None and hi is not None and lo > hi:
                raise r.error(k, f"max = {hi:g} is below min = {lo:g}",
                              zh=f"max = {hi:g} 小于 min = {lo:g}")
            bounds[str(name)] = Bound(lo, hi)
        out[str(industry)] = bounds
    return out


class _Common(TypedDict):
    """The fields every rule kind shares (the keyword arguments of :class:`Rule`)."""

    id: str
    kind: str
    label_zh: str
    label_en: str
    required: bool
    when: Filter
    citation_zh: str
    citation_en: str


def _parse_rule(table: Any, pos: int, source: str) -> Rule:
    if not isinstance(table, dict):
        raise RulebookError(f"{source}: rule #{pos + 1} is not a table.",
                            hint="Write each rule as a [[rule]] table.",
                            zh=f"{_source_zh(source)}：第 {pos + 1} 条规则不是表。",
                            hint_zh="请把每条规则写成一个 [[rule]] 表。")
    r = _RuleReader(table, pos, source)
    rid = r.str_("id", required=True)
    if not _ID_RE.match(rid):
        raise r.error("id", f"{rid!r} is not a plain identifier",
                      "Use letters, digits and underscores, starting with a letter "
                      "(it becomes a column name).",
                      zh=f"{rid!r} 不是合法的标识符",
                      hint_zh="请只用字母、数字和下划线，并以字母开头（它将用作列名）。")
    kind = r.str_("kind", required=True)
    _check_keys(r, kind)
    zh, en = _label(r)
    cite_zh, cite_en = _label(r, "citation") if r.has("citation") else ("", "")
    base = _Common(id=rid, kind=kind, label_zh=zh, label_en=en,
                   required=r.bool_("required", True), when=_when(r),
                   citation_zh=cite_zh, citation_en=cite_en)
    if kind in ("distance", "min_distance", "within", "overlap"):
        return _geometry_rule(r, base)
    return _KIND_BUILDERS[kind](r, base)


def _check_keys(r: _RuleReader, kind: str) -> None:
    """Reject an unknown kind, a missing key the kind needs, or a key it does not know."""
    if kind not in _KIND_KEYS:
        raise r.error("kind", f"unknown kind {kind!r}", f"Use one of: {', '.join(RULE_KINDS)}.",
                      zh=f"未知的规则类型 {kind!r}",
                      hint_zh=f"请使用以下之一：{'、'.join(RULE_KINDS)}。")
    need, optional = _KIND_KEYS[kind]
    for key in sorted(need):
        if key not in r.t:
            raise r.error(key, f"missing key (a {kind} rule needs {', '.join(sorted(need))})",
                          zh=f"缺少该键（{kind} 类规则必须包含 {'、'.join(sorted(need))}）")
    unknown = sorted(set(r.t) - _COMMON - need - optional)
    if unknown:
        allowed_keys = sorted(_COMMON | need | optional)
        raise r.error(unknown[0], f"unknown key for a {kind} rule",
                      f"Allowed keys: {', '.join(allowed_keys)}.",
                      zh=f"{kind} 类规则不支持该键",
                      hint_zh=f"允许的键：{'、'.join(allowed_keys)}。")


def _when(r: _RuleReader) -> Filter:
    """The rule's applicability condition on parcel columns (``when = { industry = [...] }``)."""
    if not r.has("when"):
        return {}
    raw = r.t["when"]
    if not isinstance(raw, dict) or not raw:
        raise r.error("when", f"expected a table such as {{ industry = [\"steel\", \"coke\"] "
                      f"}}, got {raw!r}",
                      "Write the parcels the rule applies to as { column = value } or "
                      "{ column = [v1, v2] } on parcel columns; leave it out to apply to all.",
                      zh=f"应为形如 {{ industry = [\"steel\", \"coke\"] }} 的表，实际为 {raw!r}",
                      hint_zh="请用地块字段写出适用范围：{ 字段 = 值 } 或 { 字段 = [值1, 值2] }；"
                      "适用于全部地块时请省略该键。")
    return r.filter("when", "parcels")


def _geometry_rule(r: _RuleReader, base: _Common) -> Rule:
    """A ``distance``, ``min_distance``, ``within`` or ``overlap`` rule against a layer."""
    kind = base["kind"]
    allowed = _LAYERS if kind in ("distance", "min_distance") else _POLYGON_LAYERS
    layer = r.layer("layer", allowed)
    flt = r.filter("filter", layer)
    if kind == "distance":
        return DistanceRule(**base, layer=layer, filter=flt,
                            max_m=r.num("max_m", required=True, lo=0.0),
                            cost_per_m=r.num("cost_per_m", lo=0.0))
    if kind == "min_distance":
        return MinDistanceRule(**base, layer=layer, filter=flt,
                               min_m=r.num("min_m", required=True, lo=0.0))
    if kind == "within":
        return WithinRule(**base, layer=layer, filter=flt,
                          min_fraction=r.num("min_fraction", required=True, lo=0.0, hi=1.0))
    return OverlapRule(**base, layer=layer, filter=flt,
                       max_fraction=r.num("max_fraction", 0.0, lo=0.0, hi=1.0),
                       max_area_m2=r.num("max_area_m2", lo=0.0))


def _raster_rule(r: _RuleReader, base: _Common) -> Rule:
    raster = r.choice("raster", RASTER_NAMES, "raster", "栅格")
    stat = r.str_("stat", "mean")
    m = _STAT_RE.match(stat)
    if not m or (m.group(2) is not None and float(m.group(2)) > 100):
        raise r.error("stat", f"unknown statistic {stat!r}",
                      "Use mean, min, max, median, sum, count, std or pNN (0–100).",
                      zh=f"未知的统计量 {stat!r}",
                      hint_zh="请使用 mean、min、max、median、sum、count、std "
                      "或 pNN（0–100）。")
    lo, hi = _bounds_pair(r)
    if lo is None and hi is None:
        raise r.error("max", "a raster rule needs min and/or max",
                      "Add e.g. max = 5.0.",
                      zh="栅格规则至少需要 min 或 max", hint_zh="例如添加 max = 5.0。")
    return RasterRule(**base, raster=raster, stat=stat, min=lo, max=hi,
                      unit=r.str_("unit", RASTER_NAMES[raster][2]),
                      fallback_attribute=r.str_("fallback_attribute"),
                      cost_per_unit=r.num("cost_per_unit", lo=0.0))


def _raster_coverage_rule(r: _RuleReader, base: _Common) -> Rule:
    raster = r.choice("raster", RASTER_NAMES, "raster", "栅格")
    fb = r.layer("fallback_layer", _LAYERS, required=False)
    return RasterCoverageRule(
        **base, raster=raster, min_value=r.num("min_value", required=True),
        min_fraction=r.num("min_fraction", required=True, lo=0.0, hi=1.0),
        unit=r.str_("unit", RASTER_NAMES[raster][2]), fallback_layer=fb,
        fallback_filter=r.filter("fallback_filter", fb),
        fallback_radius_m=r.num("fallback_radius_m", lo=0.0))


def _assessment_rule(r: _RuleReader, base: _Common) -> Rule:
    a = r.choice("assessment", ASSESSMENT_KINDS, "assessment kind", "的评估类型")
    return AssessmentRule(**base, assessment=a,
                          commitment_allowed=r.bool_("commitment_allowed", False),
                          zone_layer=r.layer("zone_layer", _POLYGON_LAYERS,
                                             required=False) or "zones")


def _attribute_rule(r: _RuleReader, base: _Common) -> Rule:
    attr = r.str_("attribute", required=True)
    eq = r.t.get("equals")
    if eq is not None and not isinstance(eq, str | int | float | bool):
        raise r.error("equals", f"expected a value, got {eq!r}",
                      zh=f"应为单个值，实际为 {eq!r}")
    one_of = r.t.get("one_of")
    if one_of is not None and (not isinstance(one_of, list) or not one_of or not all(
            isinstance(v, str | int | float | bool) for v in one_of)):
        raise r.error("one_of", f"expected a list of values, got {one_of!r}",
                      zh=f"应为值的列表，实际为 {one_of!r}")
    lo, hi = _bounds_pair(r)
    if sum(x is not None for x in (eq, one_of)) + (lo is not None or hi is not None) != 1:
        raise r.error("equals", "an attribute rule needs exactly one of equals, one_of, "
                      "or min/max",
                      zh="属性规则必须且只能设置 equals、one_of、min/max 三者之一")
    return AttributeRule(**base, attribute=attr, equals=eq,
                         one_of=tuple(one_of) if one_of is not None else None,
                         min=lo, max=hi, cost_per_unit=r.num("cost_per_unit", lo=0.0))


def _indicators_rule(r: _RuleReader, base: _Common) -> Rule:
    contract = _indicators(r, "contract_by_industry") if r.has("contract_by_industry") else {}
    return IndicatorsRule(**base, by_industry=_indicators(r),
                          industry_attribute=r.str_("industry_attribute", "industry"),
                          contract_by_industry=contract)


# how each non-geometry kind is read (distance/within/overlap: _geometry_rule)
_KIND_BUILDERS: dict[str, Callable[[_RuleReader, _Common], Rule]] = {
    "raster": _raster_rule,
    "raster_coverage": _raster_coverage_rule,
    "assessment": _assessment_rule,
    "attribute": _attribute_rule,
    "indicators": _indicators_rule,
}


def load_rulebook(source: str | Path) -> Rulebook:
    """Parse a rulebook from a TOML file path or from TOML text.

    Raises :class:`~gis.errors.RulebookError` naming the rule and the key for an
    unknown kind, a missing or unknown key, a bad filter or an unknown layer.

    Examples
    --------
    >>> rb = load_rulebook('''
    ... [meta]
    ... name = "demo"
    ... version = "1"
    ... [[rule]]
    ... id = "road"
    ... kind = "distance"
    ... label = { zh = "通路", en = "Road access" }
    ... layer = "roads"
    ... max_m = 50.0
    ... ''')
    >>> rb.rules[0].max_m, rb.rules[0].label_zh
    (50.0, '通路')
    """
    if isinstance(source, Path) or ("\n" not in source and source.strip().endswith(".toml")):
        path = Path(source)
        label = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RulebookError(f"Rulebook {path} does not exist.",
                                hint="Pass an existing .toml file.",
                                zh=f"规则文件 {path} 不存在。",
                                hint_zh="请指定一个已存在的 .toml 文件。") from None
        except (UnicodeDecodeError, OSError) as exc:
            raise RulebookError(f"Cannot read rulebook {path}: {exc}.",
                                hint="Save the rulebook as UTF-8 text.",
                                zh=f"无法读取规则文件 {path}：{exc}。",
                                hint_zh="请将规则文件保存为 UTF-8 文本。") from None
    else:
        label, text = _TEXT_SOURCE, source
    return _parse(text, label)


def _parse(text: str, label: str) -> Rulebook:
    """The rulebook of TOML ``text``; ``label`` names it in errors (a path or the text)."""
    label_zh = _source_zh(label)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(f"{label} is not valid TOML: {exc}.",
                            hint="Check quotes, brackets and commas on that line.",
                            zh=f"{label_zh} 不是有效的 TOML：{exc}。",
                            hint_zh="请检查该行的引号、括号和逗号。") from None
    meta = doc.get("meta", {})
    if not isinstance(meta, dict):
        raise RulebookError(f"{label}: [meta] must be a table with name and version.",
                            zh=f"{label_zh}：[meta] 必须是包含 name 和 version 的表。")
    extra = sorted(set(doc) - {"meta", "rule"})
    if extra:
        raise RulebookError(f"{label}: unknown top-level key {extra[0]!r}.",
                            hint="A rulebook has a [meta] table and [[rule]] tables.",
                            zh=f"{label_zh}：未知的顶层键 {extra[0]!r}。",
                            hint_zh="规则文件只包含一个 [meta] 表和若干 [[rule]] 表。")
    rules_raw = doc.get("rule", [])
    if not isinstance(rules_raw, list) or not rules_raw:
        raise RulebookError(f"{label} has no [[rule]] tables.",
                            hint="Add at least one [[rule]] with id, kind and label.",
                            zh=f"{label_zh} 中没有 [[rule]] 表。",
                            hint_zh="请至少添加一条包含 id、kind 和 label 的 [[rule]]。")
    rules = [_parse_rule(t, i, label) for i, t in enumerate(rules_raw)]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RulebookError(f"{label}: rule {rule.id!r}, key 'id': the id is used twice.",
                                hint="Give every rule its own id.",
                                zh=f"{label_zh}：规则 {rule.id!r}，键 'id'：该 id 被重复使用。",
                                hint_zh="请为每条规则设置不同的 id。")
        seen.add(rule.id)
    return Rulebook(name=str(meta.get("name", Path(label).stem)),
                    version=str(meta.get("version", "")), rules=tuple(rules), source=label,
                    text=text)


def rulebook_in_force(ws: Workspace | None = None,
                      override_path: str | Path | None = None) -> Rulebook:
    """The rulebook that applies: ``override_path`` if given, else the workspace's
    ``[rules] file``, else the packaged default (:func:`default_rulebook_path`).

    The CLI's ``--rules``, the app and the reports all decide through this function.
    A named file that is missing or invalid raises :class:`~gis.errors.RulebookError`.
    """
    if override_path is not None:
        path = Path(override_path)
    elif ws is not None and ws.rules_path is not None:
        path = ws.rules_path
    else:
        path = default_rulebook_path()
    return load_rulebook(path)
