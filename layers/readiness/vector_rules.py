"""Vector rule kinds: ``distance``, ``min_distance``, ``within`` and ``overlap`` against a
filtered layer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from gis.measure import AreaIndex, NearestIndex
from layers.readiness._base import (
    FAIL,
    PASS,
    UNKNOWN,
    Chunk,
    Evaluator,
    RuleOutput,
    filter_frame,
    filter_text,
    filter_text_zh,
    layer_names,
)
from layers.readiness.rulebook import (
    DistanceRule,
    Filter,
    MinDistanceRule,
    OverlapRule,
    WithinRule,
)

__all__ = ["DistanceEvaluator", "FractionEvaluator", "MinDistanceEvaluator", "cached_index"]

_CACHE_LOCK = threading.Lock()


def cached_index(inputs: Any, kind: str, layer: str, flt: Filter,
                 build: Callable[[Any], Any], extra: tuple = ()) -> tuple[Any, str | None]:
    """A prepared index over a filtered layer, cached on ``inputs`` for later checks.

    Returns ``(index, problem)``: ``index`` is ``None`` and ``problem`` names what is
    missing when the layer or a filter column is absent.
    """
    gdf = inputs.layer(layer)
    if gdf is None:
        return None, "layer"
    key = (kind, layer, tuple(sorted(flt.items())), id(gdf), len(gdf), extra)
    with _CACHE_LOCK:
        hit = inputs.cache.get(key)
    if hit is not None:
        return hit
    sub, missing = filter_frame(gdf, flt)
    result: tuple[Any, str | None] = (None, f"column:{missing}") if sub is None else (
        build(sub), None)
    with _CACHE_LOCK:
        inputs.cache[key] = result
    return result


def _missing_message(layer: str, problem: str | None, flt: Filter) -> tuple[str, str]:
    zh, en = layer_names(layer)
    if problem is None or problem == "layer":
        named = f" ({en})" if en != layer else ""
        return (f"缺少图层“{zh}”（{layer}），无法检查",
                f"the workspace has no {layer} layer{named}, so this cannot be checked")
    col = problem.split(":", 1)[1]
    return (f"图层“{zh}”（{layer}）缺少筛选字段 {col}（{filter_text(flt)}）",
            f"layer {layer} has no column {col!r} needed by the filter {filter_text(flt)}")


def _nearest(inputs: Any, layer: str, flt: Filter) -> tuple[Any, str | None]:
    """The cached nearest-feature index of a filtered layer."""
    return cached_index(inputs, "nearest", layer, flt,
                        lambda sub: NearestIndex(sub.geometry.values))


def _what(layer: str, flt: Filter) -> tuple[str, str]:
    """The filtered layer in words: ``("道路（现状）", "roads (status=existing)")``."""
    zh, en = layer_names(layer)
    return (f"{zh}（{filter_text_zh(flt)}）" if flt else zh,
            f"{en} ({filter_text(flt)})" if flt else en)


class DistanceEvaluator(Evaluator):
    """``distance``: shapely distance to the nearest filtered feature ≤ ``max_m``."""

    unit = "m"

    def __init__(self, rule: DistanceRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        self.index, self.problem = _nearest(inputs, rule.layer, rule.filter)
        zh, _ = layer_names(rule.layer)
        what_zh, what_en = _what(rule.layer, rule.filter)
        m = rule.max_m
        self.msg_pass = self.messages.code(f"距{what_zh}不超过 {m:g} 米",
                                           f"within {m:g} m of {what_en}")
        self.msg_fail = self.messages.code(f"距{what_zh}超过 {m:g} 米",
                                           f"more than {m:g} m from {what_en}")
        self.msg_none = self.messages.code(
            f"图层“{zh}”中没有符合条件（{filter_text_zh(rule.filter) or '全部'}）的要素",
            f"no feature of layer {rule.layer} matches {filter_text(rule.filter) or 'any'}")

    def run(self, chunk: Chunk) -> RuleOutput:
        rule: DistanceRule = self.rule  # type: ignore[assignment]
        if self.index is None:
            return self.unknown_all(chunk, *_missing_message(rule.layer, self.problem,
                                                             rule.filter))
        n = len(chunk)
        out = RuleOutput.empty(n, threshold=rule.max_m)
        out.set(~chunk.has_geom, UNKNOWN, self.msg_no_geom)
        if not len(self.index):
            out.set(chunk.has_geom, FAIL, self.msg_none)
            return out
        d = self.index.distance(chunk.geoms, start_radius=max(rule.max_m, 1.0),
                                bounds=chunk.envelopes(), outlines=chunk.outlines())
        ok = chunk.has_geom & (d <= rule.max_m)
        bad = chunk.has_geom & (d > rule.max_m)
        out.value[chunk.has_geom] = d[chunk.has_geom]
        out.set(ok, PASS, self.msg_pass)
        out.set(bad, FAIL, self.msg_fail)
        out.gap[ok] = 0.0
        out.gap[bad] = d[bad] - rule.max_m
        if rule.cost_per_m is not None:
            out.cost[ok] = 0.0
            out.cost[bad] = out.gap[bad] * rule.cost_per_m
        return out


class MinDistanceEvaluator(Evaluator):
    """``min_distance`` (a setback): distance to the nearest filtered feature ≥ ``min_m``.

    ``gap`` is ``min_m`` − distance for a parcel that is too close; there is no cost (a
    setback is met by choosing another site, not by building something).
    """

    unit = "m"

    def __init__(self, rule: MinDistanceRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        self.index, self.problem = _nearest(inputs, rule.layer, rule.filter)
        what_zh, what_en = _what(rule.layer, rule.filter)
        m = rule.min_m
        self.msg_pass = self.messages.code(f"距{what_zh}不少于 {m:g} 米",
                                           f"at least {m:g} m from {what_en}")
        self.msg_fail = self.messages.code(f"距{what_zh}不足 {m:g} 米",
                                           f"less than {m:g} m from {what_en}")
        zh, _ = layer_names(rule.layer)
        self.msg_none = self.messages.code(
            f"图层“{zh}”中没有符合条件（{filter_text_zh(rule.filter) or '全部'}）的要素，"
            "无需退让",
            f"no feature of layer {rule.layer} matches {filter_text(rule.filter) or 'any'}, "
            "so there is nothing to keep away from")

    def run(self, chunk: Chunk) -> RuleOutput:
        rule: MinDistanceRule = self.rule  # type: ignore[assignment]
        if self.index is None:
            return self.unknown_all(chunk, *_missing_message(rule.layer, self.problem,
                                                             rule.filter))
        out = RuleOutput.empty(len(chunk), threshold=rule.min_m)
        out.set(~chunk.has_geom, UNKNOWN, self.msg_no_geom)
        if not len(self.index):
            out.set(chunk.has_geom, PASS, self.msg_none)
            out.gap[chunk.has_geom] = 0.0
            return out
        d = self.index.distance(chunk.geoms, start_radius=max(rule.min_m, 1.0),
                                bounds=chunk.envelopes(), outlines=chunk.outlines())
        ok = chunk.has_geom & (d >= rule.min_m)
        bad = chunk.has_geom & (d < rule.min_m)
        out.value[chunk.has_geom] = d[chunk.has_geom]
        out.set(ok, PASS, self.msg_pass)
        out.set(bad, FAIL, self.msg_fail)
        out.gap[ok] = 0.0
        out.gap[bad] = rule.min_m - d[bad]
        return out


class FractionEvaluator(Evaluator):
    """``within`` (share ≥ ``min_fraction``) and ``overlap`` (share ≤ ``max_fraction``)."""

    unit = "fraction"
    rule: WithinRule | OverlapRule

    def __init__(self, rule: WithinRule | OverlapRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        self.index, self.problem = cached_index(
            inputs, "area", rule.layer, rule.filter,
            lambda sub: AreaIndex(sub.geometry.values))
        self.within = isinstance(rule, WithinRule)
        zh, _ = layer_names(rule.layer)
        what_zh, what_en = _what(rule.layer, rule.filter)
        if isinstance(rule, WithinRule):
            t = rule.min_fraction
            self.msg_pass = self.messages.code(f"位于{what_zh}内的面积比例不低于 {t:.0%}",
                                               f"at least {t:.0%} of the area inside {what_en}")
            self.msg_fail = self.messages.code(f"位于{what_zh}内的面积比例低于 {t:.0%}",
                                               f"less than {t:.0%} of the area inside {what_en}")
        else:
            t = rule.max_fraction
            if t == 0:
                self.msg_pass = self.messages.code(f"与{what_zh}无重叠",
                                                   f"no overlap with {what_en}")
                self.msg_fail = self.messages.code(f"与{what_zh}重叠", f"overlaps {what_en}")
            else:
                self.msg_pass = self.messages.code(
                    f"与{what_zh}重叠比例不超过 {t:.0%}", f"at most {t:.0%} overlaps {what_en}")
                self.msg_fail = self.messages.code(
                    f"与{what_zh}重叠比例超过 {t:.0%}", f"more than {t:.0%} overlaps {what_en}")
            a = rule.max_area_m2
            if a is not None:
                self.msg_sliver = self.messages.code(
                    f"与{what_zh}重叠面积不超过 {a:g} 平方米，视为数字化误差",
                    f"overlaps {what_en} by at most {a:g} m², taken as a digitising sliver")
                self.msg_fail = self.messages.code(
                    f"与{what_zh}重叠" + (f"比例超过 {t:.0%} 且" if t else "") +
                    f"面积超过 {a:g} 平方米",
                    (f"more than {t:.0%} and " if t else "") +
                    f"more than {a:g} m² overlaps {what_en}")
        self.msg_no_area = self.messages.code("地块面积为零", "the parcel has no area")
        self.threshold = t
        if self.index is not None and not len(self.index):
            cond = filter_text_zh(rule.filter) or "全部"
            self.msg_pass = self.messages.code(
                f"图层“{zh}”中没有符合条件（{cond}）的要素，视为无重叠",
                f"no feature of layer {rule.layer} matches {filter_text(rule.filter) or 'any'}, "
                "so there is no overlap")
            self.msg_fail = self.messages.code(
                f"图层“{zh}”中没有符合条件（{cond}）的要素",
                f"no feature of layer {rule.layer} matches {filter_text(rule.filter) or 'any'}")

    def run(self, chunk: Chunk) -> RuleOutput:
        rule = self.rule
        if self.index is None:
            return self.unknown_all(chunk, *_missing_message(rule.layer, self.problem,
                                                             rule.filter))
        n = len(chunk)
        out = RuleOutput.empty(n, threshold=self.threshold)
        out.set(~chunk.has_geom, UNKNOWN, self.msg_no_geom)
        frac = self.index.fraction(chunk.geoms, areas=chunk.areas())
        valid = chunk.has_geom & ~np.isnan(frac)
        out.set(chunk.has_geom & np.isnan(frac), UNKNOWN, self.msg_no_area)
        out.value[valid] = frac[valid]
        sliver = np.zeros(n, dtype=bool)
        if self.within:
            ok = valid & (frac >= self.threshold)
        else:
            ok = valid & (frac <= self.threshold)
            max_area = getattr(rule, "max_area_m2", None)
            if max_area is not None:  # pass iff share ≤ max_fraction OR area ≤ max_area_m2
                sliver = valid & ~ok & (frac * chunk.areas() <= max_area)
        bad = valid & ~ok & ~sliver
        out.gap[bad] = (self.threshold - frac[bad]) if self.within else (
            frac[bad] - self.threshold)
        out.gap[ok | sliver] = 0.0
        out.set(ok, PASS, self.msg_pass)
        out.set(sliver, PASS, getattr(self, "msg_sliver", self.msg_pass))
        out.set(bad, FAIL, self.msg_fail)
        return out
