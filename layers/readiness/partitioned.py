"""One partition of parcels evaluated on its own, with the same evaluators as :func:`evaluate`.

The Dask engine (:mod:`layers.readiness.cluster`) splits the parcels into spatially
compact partitions and calls :func:`evaluate_partition` on each; this module is the
computation, free of Dask and of disk I/O. Results equal :func:`evaluate`'s row for
row:

- ``distance`` rules are evaluated against only the features whose envelope lies
  within the partition's bounds grown by the rule's search radius (``max_m``, at
  least 1 m). Every feature that can be nearer than that radius is among them, so
  a distance within the radius is the distance to the whole layer; parcels with no
  feature within it (or a clipped layer with no match) are measured again against
  the whole layer.
- every other rule reads the whole layers (zones, constraints, base stations: few
  features), whose prepared indexes are built once per worker and kept on the
  shared ``inputs``.
- :func:`merge_summaries` adds up the partitions' :class:`ReadinessSummary` s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.readiness._base import FAIL, UNKNOWN, Chunk, Evaluator, RuleOutput
from layers.readiness.evaluate import (
    ReadinessResult,
    _long_table,
    _overall,
    _parcel_table,
    make_evaluator,
)
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import DistanceRule, Rulebook
from layers.readiness.summary import ReadinessSummary, summarize

__all__ = ["PartitionResult", "clip_layer", "evaluate_partition", "merge_summaries",
           "search_radius"]

_MARGIN = 1.0  # metres added to every search radius: envelopes that touch are kept


@dataclass
class PartitionResult:
    """The long table, overall table and summary of one partition, plus what was done."""

    long: pd.DataFrame
    overall: pd.DataFrame
    summary: ReadinessSummary
    clipped: dict[str, int]    # rule id -> features its clipped layer kept
    remeasured: dict[str, int]  # rule id -> parcels measured again against the whole layer


def search_radius(rule: DistanceRule) -> float:
    """The radius within which :class:`~gis.measure.NearestIndex` resolves a distance exactly."""
    return max(rule.max_m, 1.0)


def clip_layer(gdf: gpd.GeoDataFrame, bounds: tuple[float, float, float, float],
               grow: float) -> gpd.GeoDataFrame:
    """Features whose envelope meets ``bounds`` grown by ``grow`` (+1 m), in layer order."""
    x0, y0, x1, y1 = bounds
    g = grow + _MARGIN
    if not len(gdf):
        return gdf
    hit = gdf.sindex.query(shapely.box(x0 - g, y0 - g, x1 + g, y1 + g))
    return gdf.iloc[np.sort(hit)]


def _bounds(geoms: np.ndarray, has_geom: np.ndarray) -> tuple[float, float, float, float]:
    if not has_geom.any():
        return (0.0, 0.0, 0.0, 0.0)
    b = shapely.bounds(geoms[has_geom])
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
            float(b[:, 3].max()))


def _splice(out: RuleOutput, sel: np.ndarray, other: RuleOutput, into: Evaluator,
            source: Evaluator) -> None:
    """Copy ``other`` (for the parcels ``sel``) into ``out``, messages re-coded for ``into``."""
    codes = np.array([into.messages.code(*m) for m in source.messages.items] or [0],
                     dtype=np.int32)
    out.status[sel], out.value[sel], out.threshold[sel] = (other.status, other.value,
                                                           other.threshold)
    out.gap[sel], out.cost[sel], out.msg[sel] = other.gap, other.cost, codes[other.msg]


def _distance(rule: DistanceRule, whole: ReadinessInputs, chunk: Chunk, as_of: date,
              clipped: dict[str, int], remeasured: dict[str, int]
              ) -> tuple[Evaluator, RuleOutput]:
    """A distance rule on the clipped layer, then on the whole layer where out of reach."""
    radius = search_radius(rule)
    local = whole.with_parcels(whole.parcels)
    local.cache = {}  # indexes over the clipped layers belong to this partition only
    layer = whole.layers.get(rule.layer)
    if layer is not None:
        part = clip_layer(layer, chunk.bounds, radius)
        local.layers = {**whole.layers, rule.layer: part}
        clipped[rule.id] = len(part)
    ev = make_evaluator(rule, local, as_of)
    out = ev.evaluate(chunk)
    far = chunk.has_geom & (out.status == FAIL) & ~(out.value <= radius)
    if far.any() and layer is not None:
        sel = np.flatnonzero(far)
        sub = Chunk(pos=chunk.pos[sel], geoms=chunk.geoms[sel],
                    attrs=chunk.attrs.iloc[sel].reset_index(drop=True),
                    has_geom=chunk.has_geom[sel], bounds=_bounds(chunk.geoms[sel],
                                                                 chunk.has_geom[sel]))
        full = make_evaluator(rule, whole, as_of)
        _splice(out, sel, full.evaluate(sub), ev, full)
        remeasured[rule.id] = len(sel)
    return ev, out


def evaluate_partition(whole: ReadinessInputs, parcels: gpd.GeoDataFrame, rulebook: Rulebook,
                       *, as_of: date, zones: gpd.GeoDataFrame | None = None
                       ) -> PartitionResult:
    """Evaluate ``rulebook`` for the parcels of one partition.

    Parameters
    ----------
    whole : ReadinessInputs
        The whole layers, assessments and rasters (its ``parcels`` are not used;
        its cache keeps the prepared indexes for the next partition).
    parcels : GeoDataFrame
        The partition's parcels in the analysis CRS (a spatially compact group).
    zones : GeoDataFrame, optional
        The zones layer, for the summary's zone names.
    """
    parcels = _parcel_table(parcels, None)
    inputs = whole.with_parcels(parcels)
    n, rules = len(parcels), rulebook.rules
    geoms = np.asarray(parcels.geometry.array, dtype=object)
    has_geom = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    chunk = Chunk(pos=np.arange(n), geoms=geoms,
                  attrs=pd.DataFrame(parcels.drop(columns=parcels.geometry.name)),
                  has_geom=has_geom, bounds=_bounds(geoms, has_geom))
    arrays = {k: np.full((n, len(rules)), np.nan) for k in ("value", "threshold", "gap", "cost")}
    status = np.full((n, len(rules)), UNKNOWN, dtype=np.int8)
    msg = np.zeros((n, len(rules)), dtype=np.int32)
    evaluators: list[Evaluator] = []
    clipped: dict[str, int] = {}
    remeasured: dict[str, int] = {}
    for r, rule in enumerate(rules):
        if isinstance(rule, DistanceRule):
            ev, o = _distance(rule, inputs, chunk, as_of, clipped, remeasured)
        else:
            ev = make_evaluator(rule, inputs, as_of)
            o = ev.evaluate(chunk)
        evaluators.append(ev)
        status[:, r], msg[:, r] = o.status, o.msg
        for k, arr in arrays.items():
            arr[:, r] = getattr(o, k)
    overall = _overall(parcels["parcel_id"], rules, status.T, arrays["cost"].T)
    long = _long_table(parcels["parcel_id"].tolist(), rules, evaluators, status,
                       arrays["value"], arrays["threshold"], arrays["gap"], arrays["cost"], msg)
    result = ReadinessResult(long=long, overall=overall, rulebook=rulebook, as_of=as_of,
                             parcels=parcels, status_matrix=status.T,
                             value_matrix=arrays["value"].T)
    return PartitionResult(long=long, overall=overall, summary=summarize(result, zones=zones),
                           clipped=clipped, remeasured=remeasured)


def _add_frames(frames: list[pd.DataFrame], key: str, text: list[str]) -> pd.DataFrame:
    """Tables keyed by ``key`` added up row by row, in order of first appearance.

    Numbers are summed (NaN only where every part has NaN); of the ``text`` columns
    the first non-empty value is kept.
    """
    cat = pd.concat(frames, ignore_index=True)
    num = [c for c in cat.columns if c != key and c not in text]
    groups = cat.groupby(key, sort=False)
    summed = groups[num].sum(min_count=1)
    first = groups[text].agg(lambda s: next((v for v in s if isinstance(v, str) and v), ""))
    out = pd.concat([first, summed], axis=1).reset_index()[list(frames[0].columns)]
    for c in num:  # counts stay integers
        if pd.api.types.is_integer_dtype(frames[0][c]):
            out[c] = out[c].fillna(0).astype(frames[0][c].dtype)
    return out


def merge_summaries(parts: list[ReadinessSummary]) -> ReadinessSummary:
    """The summary of all partitions' parcels together (counts and hectares added up)."""
    if len(parts) == 1:
        return parts[0]
    keys = list(dict.fromkeys(k for p in parts for k in p.readiness))
    readiness = {k: sum(p.readiness.get(k, 0) for p in parts) for k in keys}
    hectares = {k: float(sum(p.hectares.get(k, 0.0) for p in parts)) for k in keys}
    zones = _add_frames([p.zones for p in parts], "zone_id", ["name"])
    ids = zones["zone_id"].tolist()
    zones = zones.iloc[sorted(range(len(ids)), key=lambda i: (ids[i] == "", ids[i]))]
    zones = zones.reset_index(drop=True)  # parcels in no zone last, as summarize() orders
    first = parts[0].rules
    rules = _add_frames([p.rules.drop(columns="required") for p in parts], "rule_id",
                        ["label_zh", "label_en"])
    rules.insert(3, "required", first["required"].to_numpy())
    req = rules[rules["required"].astype(bool) & (rules["fail"] > 0)].sort_values(
        ["fail", "rule_id"], ascending=[False, True])
    top = list(zip(req["rule_id"].head(5), req["fail"].head(5).astype(int), strict=True))
    return ReadinessSummary(parcels=sum(p.parcels for p in parts),
                            total_ha=float(sum(p.total_ha for p in parts)),
                            readiness=readiness, hectares=hectares, zones=zones, rules=rules,
                            top_failing=top)

