"""Incremental re-check: a scenario re-evaluates only the parcels and rules it can change.

:func:`evaluate_scenario` takes the baseline :class:`ReadinessResult`, finds the
parcels within reach of the upgraded features (:func:`parcels_in_reach`), evaluates
only the rules that read an upgraded layer for only those parcels, and splices the
results (status/value matrices, long table, overall table) into a copy of the
baseline. Distance rules whose nearest feature is an upgraded one say so in their
messages: "…（经规划项目 P）" / "… via planned project P".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import shapely

from layers.planning.scenario import (
    INFRA_LAYERS,
    VIA_COLUMN,
    Scenario,
    apply_scenario,
    parcels_in_reach,
    upgraded,
)
from layers.readiness._base import PASS, filter_frame
from layers.readiness.evaluate import ReadinessResult, _overall, evaluate
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import DistanceRule, Rule, Rulebook

__all__ = ["evaluate_scenario", "touched_layers", "via_text"]


def via_text(project: str) -> tuple[str, str]:
    """The (zh, en) suffix of a message whose passing feature belongs to ``project``."""
    pid = project or "?"
    return f"（经规划项目 {pid}）", f" via planned project {pid}"


def touched_layers(inputs: ReadinessInputs, scenario: Scenario, as_of: date) -> set[str]:
    """The infrastructure layers in which the scenario upgrades at least one feature."""
    return {k for k in INFRA_LAYERS
            if (g := inputs.layers.get(k)) is not None and upgraded(g, scenario, as_of).any()}


def _reads(rule: Rule, layers: set[str]) -> bool:
    return (getattr(rule, "layer", None) in layers
            or getattr(rule, "fallback_layer", None) in layers)


def evaluate_scenario(inputs: ReadinessInputs, rulebook: Rulebook, scenario: Scenario, *,
                      as_of: date, baseline: ReadinessResult | None = None
                      ) -> ReadinessResult:
    """Readiness under ``scenario``, re-evaluating only what the scenario can change.

    Parameters
    ----------
    inputs : ReadinessInputs
        The workspace's inputs as they are (without the scenario).
    rulebook : Rulebook
    scenario : Scenario
    as_of : date
        The check date (also the date of ``assume_planned``).
    baseline : ReadinessResult, optional
        ``evaluate(inputs, rulebook, as_of=as_of)`` (possibly for a subset of parcels);
        computed when not given. It is not modified.

    Returns
    -------
    ReadinessResult
        Equal to a full check of the inputs with the scenario applied, except that
        messages of distance rules met through an upgraded feature name its project.
    """
    if baseline is None:
        baseline = evaluate(inputs, rulebook, as_of=as_of)
    if scenario.is_baseline:
        return baseline
    layers = touched_layers(inputs, scenario, as_of)
    rows = [r for r, rule in enumerate(rulebook.rules) if _reads(rule, layers)]
    if not rows:
        return baseline
    base_in = inputs.with_parcels(baseline.parcels)
    sc_in = apply_scenario(inputs, scenario, as_of)
    near, far = _nearer(baseline, sc_in, rows)
    pos = np.union1d(parcels_in_reach(base_in, rulebook, scenario, as_of), near)
    if not len(pos) and not far:
        return baseline
    out = _copy(baseline)
    # the long table's columns, changed in place and assembled once at the end
    cols: dict[str, Any] = {c: baseline.long[c] for c in baseline.long.columns}
    for c in _NUMBERS:
        cols[c] = baseline.long[c].to_numpy(copy=True)
    if len(pos):
        _share_indexes(inputs, sc_in, layers)
        sub_rules = replace(rulebook, rules=tuple(rulebook.rules[r] for r in rows))
        sub = evaluate(sc_in.with_parcels(baseline.parcels.iloc[pos]), sub_rules,
                       as_of=as_of, workers=1 if len(pos) < 4_000 else 2)
        _name_projects(sub, sc_in)
        _splice(out, cols, sub, pos, np.asarray(rows))
    changed = _apply_far(out, cols, far, pos)
    out.long = pd.DataFrame(cols, columns=list(baseline.long.columns), copy=False)
    _recount(out, np.union1d(pos, changed))
    return out


def _upgraded_targets(sc_in: ReadinessInputs, rule: DistanceRule) -> np.ndarray:
    """Geometries of the upgraded features a distance rule's filter now accepts."""
    gdf = sc_in.layers.get(rule.layer)
    if gdf is None or VIA_COLUMN not in gdf.columns:
        return np.empty(0, dtype=object)
    feats, _ = filter_frame(gdf, rule.filter)
    if feats is None or not len(feats):
        return np.empty(0, dtype=object)
    g = np.asarray(feats.geometry.array, dtype=object)[feats[VIA_COLUMN].notna().to_numpy()]
    return g[~(shapely.is_missing(g) | shapely.is_empty(g))]


def _box_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row of boxes ``a``: the distance to the nearest of boxes ``b`` (xmin, ymin, …)."""
    out = np.full(len(a), np.inf)
    for k in range(0, len(b), 64):
        bb = b[k:k + 64]
        dx = np.maximum(0.0, np.maximum(bb[None, :, 0] - a[:, None, 2],
                                        a[:, None, 0] - bb[None, :, 2]))
        dy = np.maximum(0.0, np.maximum(bb[None, :, 1] - a[:, None, 3],
                                        a[:, None, 1] - bb[None, :, 3]))
        out = np.minimum(out, np.hypot(dx, dy).min(axis=1))
    return out


#: per distance rule (row): positions of far parcels and their new distance
_Far = list[tuple[int, np.ndarray, np.ndarray]]


def _nearer(baseline: ReadinessResult, sc_in: ReadinessInputs, rows: list[int]
            ) -> tuple[np.ndarray, _Far]:
    """Parcels whose nearest feature of a distance rule becomes an upgraded one.

    Returns the ones to re-evaluate (the upgraded feature is within the rule's
    ``max_m``, or the rule had no feature at all) and, per rule, the others: still
    failing, only their distance, gap and cost change (``far``).
    """
    geoms = np.asarray(baseline.parcels.geometry.array, dtype=object)
    ok = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    pbox = shapely.bounds(geoms)
    near = np.zeros(len(geoms), dtype=bool)
    far: _Far = []
    for r in rows:
        rule = baseline.rulebook.rules[r]
        if not isinstance(rule, DistanceRule):
            continue
        targets = _upgraded_targets(sc_in, rule)
        if not len(targets):
            continue
        before = baseline.value_matrix[r]
        # bounding boxes bound the distance from below: only closer candidates are measured
        cand = ok[_box_distance(pbox[ok], shapely.bounds(targets)) < np.where(
            np.isnan(before[ok]), np.inf, before[ok])]
        d = np.full(len(geoms), np.inf)
        if len(cand):
            idx, dist = shapely.STRtree(targets).query_nearest(
                geoms[cand], return_distance=True, all_matches=False)
            d[cand[idx[0]]] = dist
        closer = np.isfinite(d) & ((d < before) | np.isnan(before))
        close = closer & ((d <= rule.max_m) | np.isnan(before))
        near |= close
        p = np.flatnonzero(closer & ~close)
        far.append((r, p, d[p]))
    return np.flatnonzero(near), far


def _share_indexes(inputs: ReadinessInputs, sc_in: ReadinessInputs, touched: set[str]) -> None:
    """Reuse the baseline's prepared indexes of the layers the scenario leaves alone."""
    for key, val in list(inputs.cache.items()):
        if isinstance(key, tuple) and len(key) > 1 and key[1] in touched:
            continue
        sc_in.cache.setdefault(key, val)


def _name_projects(sub: ReadinessResult, sc_in: ReadinessInputs) -> None:
    """Append "via planned project P" to passing distance rules whose nearest feature is P's."""
    long = sub.long
    nr = len(sub.rulebook.rules)
    geoms = np.asarray(sub.parcels.geometry.array, dtype=object)
    zh = long["message"].astype("object").to_numpy(copy=True)
    en = long["message_en"].astype("object").to_numpy(copy=True)
    changed = False
    for r, rule in enumerate(sub.rulebook.rules):
        if not isinstance(rule, DistanceRule):
            continue
        gdf = sc_in.layers.get(rule.layer)
        if gdf is None or VIA_COLUMN not in gdf.columns:
            continue
        feats, _ = filter_frame(gdf, rule.filter)
        if feats is None or not len(feats):
            continue
        via = feats[VIA_COLUMN]
        up = via.notna().to_numpy()
        if not up.any():
            continue
        passing = np.flatnonzero(sub.status_matrix[r] == PASS)
        if not len(passing):
            continue
        fg = np.asarray(feats.geometry.array, dtype=object)
        tree = shapely.STRtree(fg)
        left, right = tree.query_nearest(geoms[passing], max_distance=rule.max_m,
                                         all_matches=False)
        hit = up[right]
        projects = via.to_numpy(dtype=object)[right]
        for p, proj in zip(passing[left[hit]], projects[hit], strict=True):
            i = p * nr + r
            vz, ve = via_text(str(proj) if proj is not None else "")
            zh[i] = f"{zh[i]}{vz}"
            en[i] = f"{en[i]}{ve}"
            changed = True
    if changed:
        long["message"] = pd.Categorical(zh)
        long["message_en"] = pd.Categorical(en)


def _splice_cat(base: pd.Series, rows: np.ndarray, new: pd.Series) -> pd.Categorical:
    """``base`` (categorical) with ``rows`` replaced by ``new``'s values."""
    bc = base.cat
    cats = bc.categories.append(new.cat.categories).unique()
    codes = cats.get_indexer(bc.categories)[bc.codes]
    codes[rows] = cats.get_indexer(new.cat.categories)[new.cat.codes]
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats), validate=False)


_NUMBERS = ("value", "threshold", "gap", "cost")


def _copy(base: ReadinessResult) -> ReadinessResult:
    return ReadinessResult(long=base.long, overall=base.overall.copy(),
                           rulebook=base.rulebook, as_of=base.as_of, parcels=base.parcels,
                           status_matrix=base.status_matrix.copy(),
                           value_matrix=base.value_matrix.copy())


def _splice(out: ReadinessResult, cols: dict[str, Any], sub: ReadinessResult, pos: np.ndarray,
            rule_rows: np.ndarray) -> None:
    """Put ``sub`` (rules ``rule_rows`` of the parcels at ``pos``) into ``out`` and ``cols``."""
    nr = len(out.rulebook.rules)
    out.status_matrix[np.ix_(rule_rows, pos)] = sub.status_matrix
    out.value_matrix[np.ix_(rule_rows, pos)] = sub.value_matrix
    # long-table rows of (parcel p, rule r) are p * nr + r; sub's are parcel-major too
    rows = (pos[:, None] * nr + rule_rows[None, :]).ravel()
    for c in _NUMBERS:
        cols[c][rows] = sub.long[c].to_numpy()
    for c in ("status", "unit", "message", "message_en"):
        cols[c] = _splice_cat(pd.Series(cols[c]), rows, sub.long[c])


def _apply_far(out: ReadinessResult, cols: dict[str, Any], far: _Far,
               done: np.ndarray) -> np.ndarray:
    """New distance, gap and cost of failing parcels beyond reach; their positions."""
    nr = len(out.rulebook.rules)
    touched = []
    for r, p, d in far:
        keep = ~np.isin(p, done)
        p, d = p[keep], d[keep]
        if not len(p):
            continue
        rule = out.rulebook.rules[r]
        assert isinstance(rule, DistanceRule)
        out.value_matrix[r, p] = d
        rows = p * nr + r
        cols["value"][rows] = d
        cols["gap"][rows] = d - rule.max_m
        if rule.cost_per_m is not None:
            cols["cost"][rows] = (d - rule.max_m) * rule.cost_per_m
        touched.append(p)
    return np.unique(np.concatenate(touched)) if touched else np.empty(0, dtype=np.int64)


def _recount(out: ReadinessResult, pos: np.ndarray) -> None:
    """Recompute the overall rows of the parcels at ``pos`` from the spliced matrices."""
    if not len(pos):
        return
    nr = len(out.rulebook.rules)
    cost = out.long["cost"].to_numpy().reshape(-1, nr)[pos].T
    ov = _overall(out.overall["parcel_id"].iloc[pos].reset_index(drop=True),
                  out.rulebook.rules, out.status_matrix[:, pos], cost)
    overall = out.overall
    for col in overall.columns:
        if col == "parcel_id":
            continue
        if isinstance(overall[col].dtype, pd.CategoricalDtype):
            overall[col] = _splice_cat(overall[col], pos, ov[col])
        else:
            arr = overall[col].to_numpy(copy=True)
            arr[pos] = ov[col].to_numpy()
            overall[col] = pd.array(arr, dtype=overall[col].dtype)
