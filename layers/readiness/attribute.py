"""Attribute rule kinds: ``attribute`` (one parcel column) and ``indicators`` (by industry)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from layers.catalog import CATALOG
from layers.readiness._base import FAIL, PASS, UNKNOWN, Chunk, Evaluator, RuleOutput
from layers.readiness.raster_rules import bound_text
from layers.readiness.rulebook import AttributeRule, IndicatorsRule

__all__ = ["AttributeEvaluator", "IndicatorsEvaluator", "column_names"]


def column_names(col: str) -> tuple[str, str, str]:
    """Chinese name, English name and unit of a parcels column (the name itself if unknown)."""
    spec = CATALOG["parcels"].column(col)
    if spec is None:
        return col, col, ""
    return spec.zh or col, spec.en or col, spec.unit


# inferred types of an object column that hold no booleans (pandas.api.types.infer_dtype)
_NO_BOOLS = frozenset({"string", "empty", "floating", "integer", "mixed-integer-float",
                       "decimal", "bytes"})


def _numbers(series: pd.Series) -> np.ndarray:
    """The column as floats: numbers as they are, booleans as 1 / 0, text parsed, the
    rest (missing, unparsable) nan. Only an object column that holds booleans is
    converted value by value."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    obj = series.astype(object)
    kind = pd.api.types.infer_dtype(obj, skipna=True)
    if kind == "string":  # parse each distinct text once (a column has few)
        codes, texts = pd.factorize(obj)
        parsed = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")
        values = np.append(parsed.to_numpy(dtype=float, na_value=np.nan), np.nan)
        return values[codes]  # code -1 (missing): the nan appended
    if kind == "boolean":
        obj = obj.map({True: 1.0, False: 0.0})
    elif kind not in _NO_BOOLS:
        obj = obj.map(lambda v: float(v) if isinstance(v, bool | np.bool_) else v)
    return pd.to_numeric(obj, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _bool_codes(series: pd.Series) -> np.ndarray:
    """The column as 1 (true), 0 (false) or -1 (missing / not a boolean)."""
    if pd.api.types.is_bool_dtype(series):
        v = series.to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(v), -1, v).astype(np.int8)
    mapped = series.astype(object).map({True: 1, False: 0})
    return pd.to_numeric(mapped, errors="coerce").fillna(-1).to_numpy(dtype=np.int8)


def _scalar_text(v: Any) -> tuple[str, str]:
    if isinstance(v, bool):
        return ("是", "true") if v else ("否", "false")
    return (f"{v:g}", f"{v:g}") if isinstance(v, int | float) else (str(v), str(v))


class AttributeEvaluator(Evaluator):
    """``attribute``: the parcel's column against ``equals`` / ``one_of`` / ``min`` / ``max``."""

    subset_when = False  # cheap: the whole chunk at once

    def __init__(self, rule: AttributeRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        col = rule.attribute
        czh, cen, self.unit = column_names(col)
        if rule.equals is not None:
            ez, ee = _scalar_text(rule.equals)
            cond = (f"= {ez}", f"= {ee}")
        elif rule.one_of is not None:
            items = [_scalar_text(v) for v in rule.one_of]
            cond = ("为 " + "、".join(z for z, _ in items) + " 之一",
                    "one of " + ", ".join(e for _, e in items))
        else:
            bt = bound_text(rule.min, rule.max, self.unit)
            cond = (bt, bt)
        self.msg_pass = self.messages.code(f"{czh}（{col}）{cond[0]}，符合要求",
                                           f"{cen} ({col}) is {cond[1]}")
        self.msg_fail = self.messages.code(f"{czh}（{col}）不满足 {cond[0]}",
                                           f"{cen} ({col}) is not {cond[1]}")
        self.msg_none = self.messages.code(f"地块缺少{czh}（{col}）的值",
                                           f"the parcel has no {cen} ({col}) value")
        self.msg_nocol = self.messages.code(f"地块图层缺少字段 {col}（{czh}）",
                                            f"the parcels layer has no column {col!r} ({cen})")
        self.has_column = col in inputs.parcels.columns
        t = rule.equals if rule.equals is not None else (
            rule.max if rule.max is not None else rule.min)
        self.threshold = float(t) if isinstance(t, int | float) else np.nan

    def run(self, chunk: Chunk) -> RuleOutput:
        rule: AttributeRule = self.rule  # type: ignore[assignment]
        n = len(chunk)
        out = RuleOutput.empty(n, threshold=self.threshold)
        if not self.has_column:
            out.msg[:] = self.msg_nocol
            return out
        s = chunk.attrs[rule.attribute]
        num = _numbers(s)
        if isinstance(rule.equals, bool):
            codes = _bool_codes(s)
            present = codes >= 0
            ok = present & (codes == int(rule.equals))
        elif rule.equals is not None or rule.one_of is not None:
            targets = (rule.equals,) if rule.one_of is None else rule.one_of
            text = s.astype("string").str.strip()
            present = text.notna().to_numpy(dtype=bool) & (text != "").to_numpy(
                dtype=bool, na_value=False)
            ok = text.isin([str(v) for v in targets if isinstance(v, str)]).to_numpy(copy=True,
                dtype=bool, na_value=False)
            nums = [float(v) for v in targets if isinstance(v, int | float)
                    and not isinstance(v, bool)]
            if nums:
                ok |= np.isin(num, nums)
            ok &= present
        else:
            present = ~np.isnan(num)
            ok = present.copy()
            if rule.min is not None:
                low = present & (num < rule.min)
                ok &= ~low
                out.gap[low] = rule.min - num[low]
                out.threshold[low] = rule.min
            if rule.max is not None:
                high = present & (num > rule.max)
                ok &= ~high
                out.gap[high] = num[high] - rule.max
            out.gap[ok] = 0.0
            if rule.cost_per_unit is not None:
                out.cost[present] = out.gap[present] * rule.cost_per_unit
        out.value[:] = num
        out.set(present & ok, PASS, self.msg_pass)
        out.set(present & ~ok, FAIL, self.msg_fail)
        out.set(~present, UNKNOWN, self.msg_none)
        return out


class IndicatorsEvaluator(Evaluator):
    """``indicators``: every indicator of the parcel's industry present and within bounds.

    ``value`` is the number of indicators that fail; the message lists them.
    """

    unit = "count"
    subset_when = False  # cheap, and the threshold is 0 only for parcels of a known industry

    def __init__(self, rule: IndicatorsRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        self.has_industry = rule.industry_attribute in inputs.parcels.columns
        col = rule.industry_attribute
        self.msg_nocol = self.messages.code(f"地块图层缺少产业字段 {col}",
                                            f"the parcels layer has no {col!r} column")
        self.msg_noind = self.messages.code("地块未填写产业类型，无法确定控制性指标",
                                            "the parcel has no industry, so its control "
                                            "indicators are unknown")
        self._combos: dict[tuple[str, int], int] = {}

    def _combo_message(self, industry: str, names: list[str], bounds: list[Any],
                       combo: int) -> int:
        """The message of ``combo`` (failing bits above the missing bits), made once."""
        key = (industry, combo)
        code = self._combos.get(key)
        if code is None:
            code = self._combos[key] = self._compose(
                industry, names, bounds, combo >> len(names), combo & ((1 << len(names)) - 1))
        return code

    def _compose(self, industry: str, names: list[str], bounds: list[Any],
                 fail: int, miss: int) -> int:
        if not fail and not miss:
            return self.messages.code(f"{industry}：控制性指标均达标",
                                      f"{industry}: every control indicator is met")
        parts_zh, parts_en = [], []
        for label_zh, label_en, bits in (("未达标", "not met", fail),
                                         ("缺少数值", "missing", miss)):
            items = [(nm, column_names(nm), b) for k, (nm, b) in enumerate(zip(names, bounds,
                                                                             strict=True))
                     if bits >> k & 1]
            if items:
                parts_zh.append(label_zh + "：" + "、".join(
                    f"{c[0]}{bound_text(b.min, b.max, c[2])}" for _, c, b in items))
                parts_en.append(label_en + ": " + ", ".join(
                    f"{nm} {bound_text(b.min, b.max, c[2])}" for nm, c, b in items))
        return self.messages.code(f"{industry}：" + "；".join(parts_zh),
                                  f"{industry}: " + "; ".join(parts_en))

    def run(self, chunk: Chunk) -> RuleOutput:
        rule: IndicatorsRule = self.rule  # type: ignore[assignment]
        n = len(chunk)
        out = RuleOutput.empty(n)
        if not self.has_industry:
            out.msg[:] = self.msg_nocol
            return out
        industry = chunk.attrs[rule.industry_attribute].astype("string").str.strip()
        # industries in order of first appearance (the order messages are catalogued in)
        which, industries = pd.factorize(industry.fillna("").to_numpy(dtype=object))
        numbers: dict[str, np.ndarray] = {}
        for k_ind, name in enumerate(industries):
            sel = which == k_ind
            if name == "":
                out.set(sel, UNKNOWN, self.msg_noind)
                continue
            table = rule.by_industry.get(name)
            if table is None:
                known = ", ".join(rule.by_industry)
                out.set(sel, UNKNOWN, self.messages.code(
                    f"规则库未规定产业“{name}”的控制性指标（已有：{known}）",
                    f"the rulebook sets no control indicators for industry {name!r} "
                    f"(it has: {known})"))
                continue
            names, bounds = list(table), list(table.values())
            fail = np.zeros(int(sel.sum()), dtype=np.int64)
            miss = np.zeros(int(sel.sum()), dtype=np.int64)
            for k, (col, b) in enumerate(zip(names, bounds, strict=True)):
                if col not in chunk.attrs.columns:
                    miss |= 1 << k
                    continue
                if col not in numbers:  # each column converted once per chunk
                    numbers[col] = pd.to_numeric(chunk.attrs[col], errors="coerce").to_numpy(
                        dtype=float, na_value=np.nan)
                v = numbers[col][sel]
                bad = np.zeros(len(v), dtype=bool)
                if b.min is not None:
                    bad |= v < b.min
                if b.max is not None:
                    bad |= v > b.max
                fail |= np.where(bad, 1 << k, 0)
                miss |= np.where(np.isnan(v), 1 << k, 0)
            combos, inv = np.unique(fail * (1 << len(names)) + miss, return_inverse=True)
            codes = np.array([self._combo_message(name, names, bounds, int(c))
                              for c in combos], dtype=np.int32)[inv.ravel()]
            status = np.where(fail > 0, FAIL, np.where(miss > 0, UNKNOWN, PASS)).astype(np.int8)
            idx = np.flatnonzero(sel)
            out.status[idx] = status
            out.msg[idx] = codes
            out.value[idx] = sum((fail >> k) & 1 for k in range(len(names)))
            out.threshold[idx] = 0.0
        return out
