"""Raster rule kinds: ``raster`` (a statistic within bounds) and ``raster_coverage`` (a share)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gis.errors import PlannerError
from gis.measure import AreaIndex
from gis.raster import Raster, slope_degrees
from gis.zonal import cell_runs, polygon_edges, zonal_share_at_least, zonal_stat
from layers.readiness._base import (
    FAIL,
    PASS,
    UNKNOWN,
    Chunk,
    Evaluator,
    RuleOutput,
    filter_text,
    filter_text_zh,
)
from layers.readiness.rulebook import RASTER_NAMES, RasterCoverageRule, RasterRule
from layers.readiness.vector_rules import cached_index

__all__ = ["RasterCoverageEvaluator", "RasterEvaluator", "bound_text"]

_STAT_ZH = {"mean": "平均值", "min": "最小值", "max": "最大值", "median": "中位数",
            "sum": "总和", "count": "像元数", "std": "标准差"}
_SMALL = ("（地块小于一个像元，取质心所在像元）",
          " (the parcel is smaller than a cell: the cell under its centroid is used)")


def bound_text(lo: float | None, hi: float | None, unit: str = "") -> str:
    """``≥ 1``, ``≤ 5°``, ``≥ -105 dBm`` or ``1–5°``."""
    unit = unit if unit in ("", "°", "%") else f" {unit}"
    if lo is not None and hi is not None:
        return f"{lo:g}–{hi:g}{unit}"
    return f"≥ {lo:g}{unit}" if lo is not None else f"≤ {hi:g}{unit}"


def _stat_names(stat: str) -> tuple[str, str]:
    if stat in _STAT_ZH:
        return _STAT_ZH[stat], stat
    return f"第{stat[1:]}百分位数", f"{stat[1:]}th percentile"


class _RasterBase(Evaluator):
    """Reads raster windows per chunk (shared by rules on the same raster) and cell runs."""

    rule: RasterRule | RasterCoverageRule

    def __init__(self, rule: RasterRule | RasterCoverageRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        self.base = "dem" if rule.raster == "slope" else rule.raster
        self.source = inputs.raster(self.base)
        self.names = RASTER_NAMES[rule.raster]

    def window(self, chunk: Chunk) -> tuple[Raster | None, tuple[str, str] | None]:
        """The chunk's raster window, or ``None`` and why (missing, CRS, unreadable)."""
        key = f"raster:{self.rule.raster}"
        if key in chunk.cache:
            return chunk.cache[key]
        result: tuple[Raster | None, tuple[str, str] | None]
        if self.source is None:
            result = None, (f"缺少栅格 {self.base}", f"the workspace has no {self.base} raster")
        elif self.rule.raster == "slope":
            dem, why = _read(self, chunk, "dem")
            result = (slope_degrees(dem), None) if dem is not None else (None, why)
        else:
            result = _read(self, chunk, self.base)
        chunk.cache[key] = result
        return result

    def runs(self, chunk: Chunk, r: Raster) -> Any:
        key = ("runs", tuple(r.transform)[:6], r.shape)
        if key not in chunk.cache:
            if "edges" not in chunk.cache:  # the same edges serve every grid
                chunk.cache["edges"] = polygon_edges(chunk.geoms)
            chunk.cache[key] = cell_runs(chunk.geoms, r.transform, r.shape,
                                         edges=chunk.cache["edges"])
        return chunk.cache[key]


def _read(ev: _RasterBase, chunk: Chunk, name: str) -> tuple[Raster | None, tuple[str, str] | None]:
    key = f"window:{name}"
    if key in chunk.cache:
        return chunk.cache[key]
    try:
        r = ev.source.read(chunk.bounds, pad_cells=1)  # slopes at the edge see neighbours
    except PlannerError as exc:
        res: tuple[Raster | None, tuple[str, str] | None] = None, (
            f"无法读取栅格 {name}：{exc}", f"the {name} raster cannot be read: {exc}")
    else:
        if not ev.inputs.same_crs(r.crs):
            res = None, (f"栅格 {name} 的坐标系 {r.crs} 与分析坐标系不同",
                         f"the {name} raster is in {r.crs}, not the analysis CRS; "
                         "reproject it (gdalwarp)")
        else:
            res = r, None
    chunk.cache[key] = res
    return res


def _bool_values(series: pd.Series) -> np.ndarray:
    """Column as 1 (true), 0 (false) or -1 (missing/not a boolean)."""
    if pd.api.types.is_bool_dtype(series):
        v = series.to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(v), -1, v).astype(np.int8)
    mapped = series.astype(object).map({True: 1, False: 0})
    return pd.to_numeric(mapped, errors="coerce").fillna(-1).to_numpy(dtype=np.int8)


class RasterEvaluator(_RasterBase):
    """``raster``: the statistic over cells whose centres lie inside the parcel."""

    rule: RasterRule

    def __init__(self, rule: RasterRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        self.unit = rule.unit
        rzh, ren, _ = self.names
        szh, sen = _stat_names(rule.stat)
        bt = bound_text(rule.min, rule.max, rule.unit)
        self.msg_pass = [self.messages.code(f"{rzh}{szh} {bt}", f"{sen} {ren} {bt}")]
        self.msg_fail = [self.messages.code(f"{rzh}{szh}超出限值（{bt}）",
                                            f"{sen} {ren} outside the limit ({bt})")]
        self.msg_pass.append(self.messages.code(self.items(0)[0] + _SMALL[0],
                                                self.items(0)[1] + _SMALL[1]))
        self.msg_fail.append(self.messages.code(self.items(1)[0] + _SMALL[0],
                                                self.items(1)[1] + _SMALL[1]))
        # the rulebook requires min and/or max; nan only if a rule was built by hand without
        self.threshold: float = (rule.max if rule.max is not None
                                 else rule.min if rule.min is not None else np.nan)
        fb = rule.fallback_attribute
        self.fallback = fb if fb and fb in inputs.parcels.columns else None
        # with both bounds, a parcel below the minimum reports the minimum as its threshold
        self.subset_when = rule.min is None or rule.max is None

    def items(self, code: int) -> tuple[str, str]:
        return self.messages.items[code]

    def _fallback(self, out: RuleOutput, chunk: Chunk, mask: np.ndarray,
                  why: tuple[str, str]) -> None:
        fb = self.rule.fallback_attribute
        if fb is None:
            out.set(mask, UNKNOWN, self.messages.code(why[0], why[1]))
            return
        if self.fallback is None:
            out.set(mask, UNKNOWN, self.messages.code(
                f"{why[0]}，且地块无 {fb} 字段可替代", f"{why[1]}, and the parcels have no "
                f"{fb} column to fall back on"))
            return
        # (every message is catalogued even when no parcel needs the fallback)
        vals = (_bool_values(chunk.attrs[fb]) if mask.any()
                else np.zeros(len(mask), dtype=np.int8))
        for code, status, zh, en in (
                (1, PASS, f"{fb} = 是", f"{fb} is true"),
                (0, FAIL, f"{fb} = 否", f"{fb} is false"),
                (-1, UNKNOWN, f"{fb} 无值", f"{fb} has no value")):
            m = mask & (vals == code)
            out.set(m, status, self.messages.code(f"{why[0]}，按属性判断：{zh}",
                                                  f"{why[1]}; fell back on the attribute: {en}"))
            if status == PASS:
                out.gap[m] = 0.0

    def run(self, chunk: Chunk) -> RuleOutput:
        rule = self.rule
        out = RuleOutput.empty(len(chunk), threshold=self.threshold)
        out.set(~chunk.has_geom, UNKNOWN, self.msg_no_geom)
        geo = chunk.has_geom
        r, why = self.window(chunk)
        if r is None or r.array.size == 0:
            self._fallback(out, chunk, geo, why or (
                f"地块不在栅格 {self.base} 范围内", f"the parcel lies outside the {self.base} "
                "raster"))
            return out
        runs = self.runs(chunk, r)
        val, count = zonal_stat(runs, r.array, rule.stat)
        has = geo & (count > 0)
        self._fallback(out, chunk, geo & ~has, (f"地块范围内无栅格 {self.base} 有效值",
                                                  f"no valid {self.base} cell under the parcel"))
        out.value[has] = val[has]
        lo_bad = np.zeros(len(chunk), dtype=bool)
        hi_bad = np.zeros(len(chunk), dtype=bool)
        if rule.min is not None:
            lo_bad = has & (val < rule.min)
            out.gap[lo_bad] = rule.min - val[lo_bad]
            out.threshold[lo_bad] = rule.min
        if rule.max is not None:
            hi_bad = has & (val > rule.max)
            out.gap[hi_bad] = val[hi_bad] - rule.max
        bad = lo_bad | hi_bad
        ok = has & ~bad
        small = runs.centroid_only
        for s in (0, 1):
            sel = small if s else ~small
            out.set(ok & sel, PASS, self.msg_pass[s])
            out.set(bad & sel, FAIL, self.msg_fail[s])
        out.gap[ok] = 0.0
        if rule.cost_per_unit is not None:
            out.cost[ok] = 0.0
            out.cost[bad] = out.gap[bad] * rule.cost_per_unit
        return out


class RasterCoverageEvaluator(_RasterBase):
    """``raster_coverage``: share of the parcel's cells with value ≥ ``min_value``."""

    unit = "fraction"

    def __init__(self, rule: RasterCoverageRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        rzh, ren, _ = self.names
        mv, mf = rule.min_value, rule.min_fraction
        u = rule.unit if rule.unit in ("", "°", "%") else f" {rule.unit}"
        self.msg = {
            (PASS, 0): self.messages.code(f"{rzh} ≥ {mv:g}{u} 的面积比例不低于 {mf:.0%}",
                                          f"at least {mf:.0%} of the cells have {ren} ≥ {mv:g}{u}"),
            (FAIL, 0): self.messages.code(
                f"{rzh} ≥ {mv:g}{u} 的面积比例低于 {mf:.0%}",
                f"less than {mf:.0%} of the cells have {ren} ≥ {mv:g}{u}"),
        }
        for st in (PASS, FAIL):
            zh, en = self.messages.items[self.msg[(st, 0)]]
            self.msg[(st, 1)] = self.messages.code(zh + _SMALL[0], en + _SMALL[1])
        self.circles, self.circle_problem = None, None
        if rule.fallback_layer:
            radius = rule.fallback_radius_m

            def build(sub: Any) -> AreaIndex:
                r = (pd.to_numeric(sub["radius_m"], errors="coerce").to_numpy(dtype=float)
                     if "radius_m" in sub.columns else np.full(len(sub), np.nan))
                if radius is not None:
                    r = np.where(np.isnan(r), radius, r)
                ok = ~np.isnan(r) & (r > 0)
                return AreaIndex(shapely.buffer(sub.geometry.values[ok], r[ok], quad_segs=16))

            self.circles, self.circle_problem = cached_index(
                inputs, "circles", rule.fallback_layer, rule.fallback_filter, build,
                extra=(radius,))

    def _fallback(self, out: RuleOutput, chunk: Chunk, mask: np.ndarray,
                  why: tuple[str, str]) -> None:
        rule: RasterCoverageRule = self.rule  # type: ignore[assignment]
        if not rule.fallback_layer:
            out.set(mask, UNKNOWN, self.messages.code(*why))
            return
        if self.circles is None:
            what = ("图层缺失", "the layer is missing") if self.circle_problem == "layer" else (
                f"缺少字段 {str(self.circle_problem).split(':', 1)[-1]}",
                f"it has no column {str(self.circle_problem).split(':', 1)[-1]}")
            out.set(mask, UNKNOWN, self.messages.code(
                f"{why[0]}；无法用 {rule.fallback_layer} 覆盖圈替代（{what[0]}）",
                f"{why[1]}; the {rule.fallback_layer} circles cannot stand in ({what[1]})"))
            return
        idx = np.flatnonzero(mask)
        frac = self.circles.fraction(chunk.geoms[idx])
        flt = f"（{filter_text_zh(rule.fallback_filter)}）" if rule.fallback_filter else ""
        fle = f" ({filter_text(rule.fallback_filter)})" if rule.fallback_filter else ""
        for st, cond, zh, en in ((PASS, frac >= rule.min_fraction, "达标", "enough"),
                                 (FAIL, frac < rule.min_fraction, "不足", "not enough")):
            sel = idx[cond]
            out.set(sel, st, self.messages.code(
                f"{why[0]}；以 {rule.fallback_layer}{flt} 覆盖半径替代：覆盖{zh}",
                f"{why[1]}; {rule.fallback_layer}{fle} coverage circles stand in: {en} "
                "area covered"))
            out.value[sel] = frac[cond]
        bad = idx[frac < rule.min_fraction]
        out.gap[bad] = rule.min_fraction - frac[frac < rule.min_fraction]
        out.gap[idx[frac >= rule.min_fraction]] = 0.0
        nan = idx[np.isnan(frac)]
        out.set(nan, UNKNOWN, self.messages.code("地块面积为零", "the parcel has no area"))

    def run(self, chunk: Chunk) -> RuleOutput:
        rule: RasterCoverageRule = self.rule  # type: ignore[assignment]
        out = RuleOutput.empty(len(chunk), threshold=rule.min_fraction)
        out.set(~chunk.has_geom, UNKNOWN, self.msg_no_geom)
        geo = chunk.has_geom
        r, why = self.window(chunk)
        if r is None or r.array.size == 0:
            self._fallback(out, chunk, geo, why or (
                f"地块不在栅格 {self.base} 范围内",
                f"the parcel lies outside the {self.base} raster"))
            return out
        runs = self.runs(chunk, r)
        share, count = zonal_share_at_least(runs, r.array, rule.min_value)
        has = geo & (count > 0)
        self._fallback(out, chunk, geo & ~has, (f"地块范围内无栅格 {self.base} 有效值",
                                                  f"no valid {self.base} cell under the parcel"))
        out.value[has] = share[has]
        ok = has & (share >= rule.min_fraction)
        bad = has & (share < rule.min_fraction)
        small = runs.centroid_only
        for s in (0, 1):
            sel = small if s else ~small
            out.set(ok & sel, PASS, self.msg[(PASS, s)])
            out.set(bad & sel, FAIL, self.msg[(FAIL, s)])
        out.gap[ok] = 0.0
        out.gap[bad] = rule.min_fraction - share[bad]
        return out
