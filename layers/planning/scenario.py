"""Scenarios: a set of infrastructure projects assumed built, applied to a check's inputs.

Under a scenario every feature of an infrastructure layer (roads, water, power, gas)
whose ``project_id`` is in the scenario counts as ``status = "existing"`` for every
rule filter; with ``assume_planned`` so does every ``planned`` or
``under_construction`` feature whose ``planned_date`` is on or before the check date.
All other features keep their status. Upgraded features carry the project that
upgraded them in :data:`VIA_COLUMN` (the project id, or ``""`` for a planned
feature without one; missing on the others), so messages can say "via planned project P".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import Rulebook

__all__ = ["INFRA_LAYERS", "VIA_COLUMN", "Scenario", "apply_scenario", "parcels_in_reach",
           "reach_m", "upgraded"]

#: The layers whose features may belong to infrastructure projects.
INFRA_LAYERS: tuple[str, ...] = ("roads", "water", "power", "gas")
#: Column added to upgraded features: the project id that made them count as existing.
VIA_COLUMN = "via_project"
_NOT_YET = ("planned", "under_construction")


@dataclass(frozen=True)
class Scenario:
    """Projects assumed built (``build``) and/or every planned feature due by the check date."""

    build: frozenset[str] = frozenset()
    assume_planned: bool = False
    name: str = ""

    @classmethod
    def of(cls, build: Iterable[str] = (), *, assume_planned: bool = False,
           name: str = "") -> Scenario:
        """A scenario from project ids (stripped; empty ids dropped)."""
        ids = frozenset(s for p in build if (s := str(p).strip()))
        return cls(build=ids, assume_planned=assume_planned, name=name)

    @property
    def is_baseline(self) -> bool:
        """True when the scenario changes nothing."""
        return not self.build and not self.assume_planned


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    return df[col].astype("string").str.strip()


def upgraded(layer: pd.DataFrame, scenario: Scenario, as_of: date) -> np.ndarray:
    """Boolean mask of the features of ``layer`` that the scenario makes count as existing."""
    mask = np.zeros(len(layer), dtype=bool)
    if scenario.build:
        pid = _text(layer, "project_id")
        mask |= pid.isin(scenario.build).to_numpy(dtype=bool, na_value=False)
    if scenario.assume_planned and "planned_date" in layer.columns:
        status = _text(layer, "status")
        due = pd.to_datetime(layer["planned_date"], errors="coerce")
        mask |= (status.isin(_NOT_YET).to_numpy(dtype=bool, na_value=False)
                 & (due <= pd.Timestamp(as_of)).to_numpy(dtype=bool, na_value=False))
    return mask


def apply_scenario(inputs: ReadinessInputs, scenario: Scenario, as_of: date) -> ReadinessInputs:
    """``inputs`` with the scenario's features counted as existing.

    Layers the scenario does not touch are the same objects; touched layers are
    copies with ``status = "existing"`` and :data:`VIA_COLUMN` set on the upgraded
    features. The result has its own index cache. The baseline returns ``inputs``.
    """
    if scenario.is_baseline:
        return inputs
    layers: dict[str, gpd.GeoDataFrame] = dict(inputs.layers)
    for kind in INFRA_LAYERS:
        gdf = layers.get(kind)
        if gdf is None:
            continue
        mask = upgraded(gdf, scenario, as_of)
        if not mask.any():
            continue
        out = gdf.copy()
        status = out["status"].astype("object") if "status" in out.columns else pd.Series(
            "existing", index=out.index, dtype="object")
        out["status"] = status.where(~mask, "existing")
        via = _text(out, "project_id").fillna("").to_numpy(dtype=object)
        out[VIA_COLUMN] = pd.array(np.where(mask, via, None), dtype="string")
        layers[kind] = out
    res = ReadinessInputs.__new__(ReadinessInputs)
    res.parcels, res.layers, res.assessments = inputs.parcels, layers, inputs.assessments
    res.rasters, res.crs, res.cache = inputs.rasters, inputs.crs, {}
    return res


def reach_m(rulebook: Rulebook, layer: str) -> float | None:
    """How far a feature of ``layer`` can change a parcel's rules (``None``: no rule reads it).

    The largest distance threshold (``max_m``, or ``min_m`` of a setback) of the rules
    on that layer; 0 for rules that only look at overlap.
    """
    reach: float | None = None
    for rule in rulebook.rules:
        if getattr(rule, "layer", None) != layer:
            continue
        d = max(float(getattr(rule, "max_m", 0.0) or 0.0),
                float(getattr(rule, "min_m", 0.0) or 0.0))
        reach = d if reach is None else max(reach, d)
    return reach


def parcels_in_reach(inputs: ReadinessInputs, rulebook: Rulebook, scenario: Scenario,
                     as_of: date) -> np.ndarray:
    """Positions of the parcels whose results the scenario can change.

    A parcel is in reach when it lies within :func:`reach_m` of a feature the scenario
    upgrades (sorted positions into ``inputs.parcels``). Every other parcel's result is
    the baseline's, so a scenario re-evaluates only these.
    """
    geoms = np.asarray(inputs.parcels.geometry.array, dtype=object)
    hit = np.zeros(len(geoms), dtype=bool)
    if scenario.is_baseline or not len(geoms):
        return np.flatnonzero(hit)
    ok = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    for kind in INFRA_LAYERS:
        gdf = inputs.layers.get(kind)
        reach = reach_m(rulebook, kind)
        if gdf is None or reach is None:
            continue
        feats = np.asarray(gdf.geometry.array, dtype=object)[upgraded(gdf, scenario, as_of)]
        feats = feats[~(shapely.is_missing(feats) | shapely.is_empty(feats))]
        if len(feats):  # a tree of the few upgraded features, queried by every parcel
            idx, _ = shapely.STRtree(feats).query(geoms[ok], predicate="dwithin",
                                                  distance=reach)
            hit[ok[idx]] = True
    return np.flatnonzero(hit)
