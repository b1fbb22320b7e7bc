"""The land-supply pipeline: ready land per zone at each quarter end.

At each quarter end E the parcels are checked as of E with every planned project due
by E counted as built (``Scenario(assume_planned=True)``), so projects complete on their
``planned_date`` and regional assessments lapse on their ``valid_until``. A parcel
*drops out* in a quarter when it was ready (with or without commitments) at the
previous quarter end (or the start date) and no longer is because a required
assessment rule stopped passing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.measure import area_ha
from layers.planning.scenario import INFRA_LAYERS, Scenario, apply_scenario
from layers.readiness._base import COMMITTED, PASS
from layers.readiness.evaluate import ReadinessResult, evaluate
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import AssessmentRule, Rulebook
from layers.readiness.summary import READY_STATUSES, parcel_zones

__all__ = ["DROPOUT_COLUMNS", "PIPELINE_COLUMNS", "Pipeline", "quarter_ends", "supply_pipeline",
           "with_project_dates"]

#: Columns of :attr:`Pipeline.table` (the ``devzone pipeline --out`` CSV).
PIPELINE_COLUMNS = ["quarter_end", "zone_id", "name", "parcels", "ready", "ready_ha",
                    "ready_with_commitments", "ready_with_commitments_ha", "supply",
                    "supply_ha", "dropped_out", "dropped_out_ha", "dropped_out_ids"]
#: Columns of :attr:`Pipeline.dropouts`.
DROPOUT_COLUMNS = ["quarter_end", "parcel_id", "zone_id", "area_ha", "before", "after",
                   "expired_rules"]


def quarter_ends(start: date, n: int) -> list[date]:
    """The ``n`` calendar quarter ends on or after ``start``."""
    out: list[date] = []
    y, q = start.year, (start.month - 1) // 3
    while len(out) < n:
        month = 3 * q + 3
        end = (date(y + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
        if end >= start:
            out.append(end)
        q += 1
        if q == 4:
            y, q = y + 1, 0
    return out


@dataclass(frozen=True)
class Pipeline:
    """One row per quarter end and zone (:data:`PIPELINE_COLUMNS`) and the drop-outs."""

    start: date
    table: pd.DataFrame
    dropouts: pd.DataFrame


def with_project_dates(inputs: ReadinessInputs, projects: pd.DataFrame | None
                       ) -> ReadinessInputs:
    """``inputs`` whose infrastructure features without a ``planned_date`` take their
    project's ``planned_date`` from the ``projects`` table (same object when none does)."""
    if projects is None or not {"project_id", "planned_date"} <= set(projects.columns):
        return inputs
    ids = projects["project_id"].astype("string").str.strip()
    due = dict(zip(ids, pd.to_datetime(projects["planned_date"], errors="coerce"),
                   strict=True))
    layers = dict(inputs.layers)
    for kind in INFRA_LAYERS:
        gdf = layers.get(kind)
        if gdf is None or "project_id" not in gdf.columns:
            continue
        own = (pd.to_datetime(gdf["planned_date"], errors="coerce")
               if "planned_date" in gdf.columns else pd.Series(pd.NaT, index=gdf.index))
        fill = gdf["project_id"].astype("string").str.strip().map(due)
        if not (own.isna() & fill.notna()).any():
            continue
        out = gdf.copy()
        out["planned_date"] = own.fillna(fill).dt.strftime("%Y-%m-%d")
        layers[kind] = out
    if all(layers[k] is v for k, v in inputs.layers.items()):
        return inputs
    return ReadinessInputs(parcels=inputs.parcels, layers=layers,
                           assessments=inputs.assessments, rasters=inputs.rasters,
                           crs=inputs.crs)


def _check(inputs: ReadinessInputs, rulebook: Rulebook, day: date) -> ReadinessResult:
    return evaluate(apply_scenario(inputs, Scenario(assume_planned=True), day), rulebook,
                    as_of=day)


def _dropouts(prev: ReadinessResult, cur: ReadinessResult, day: date, zone: np.ndarray,
              ha: np.ndarray) -> pd.DataFrame:
    was = prev.overall["readiness"].astype(str).to_numpy()
    now = cur.overall["readiness"].astype(str).to_numpy()
    lost = np.isin(was, READY_STATUSES) & ~np.isin(now, READY_STATUSES)
    rules = cur.rulebook.rules
    ok = (PASS, COMMITTED)
    expired = np.full(len(now), "", dtype=object)
    for r, rule in enumerate(rules):
        if not (rule.required and isinstance(rule, AssessmentRule)):
            continue
        hit = (lost & np.isin(prev.status_matrix[r], ok) & ~np.isin(cur.status_matrix[r], ok))
        expired[hit] = [f"{e};{rule.id}" if e else rule.id for e in expired[hit]]
    sel = np.flatnonzero(lost & (expired != ""))
    return pd.DataFrame({
        "quarter_end": day.isoformat(),
        "parcel_id": cur.overall["parcel_id"].astype(str).to_numpy()[sel],
        "zone_id": zone[sel], "area_ha": ha[sel], "before": was[sel], "after": now[sel],
        "expired_rules": expired[sel]}, columns=DROPOUT_COLUMNS)


def _zone_rows(res: ReadinessResult, day: date, zone: np.ndarray, ha: np.ndarray,
               names: dict[str, str], drops: pd.DataFrame) -> list[dict[str, object]]:
    status = res.overall["readiness"].astype(str).to_numpy()
    rows = []
    for z in sorted(set(zone), key=lambda v: (v == "", v)):
        m = zone == z
        d = drops[drops["zone_id"] == z]
        row: dict[str, object] = {"quarter_end": day.isoformat(), "zone_id": z,
                                  "name": names.get(z, ""), "parcels": int(m.sum())}
        for s in READY_STATUSES:
            k = m & (status == s)
            row[s], row[f"{s}_ha"] = int(k.sum()), float(ha[k].sum())
        k = m & np.isin(status, READY_STATUSES)
        row["supply"], row["supply_ha"] = int(k.sum()), float(ha[k].sum())
        row["dropped_out"], row["dropped_out_ha"] = len(d), float(d["area_ha"].sum())
        row["dropped_out_ids"] = ";".join(d["parcel_id"])
        rows.append(row)
    return rows


def supply_pipeline(inputs: ReadinessInputs, rulebook: Rulebook, start: date,
                    quarters: int = 8, *, projects: pd.DataFrame | None = None) -> Pipeline:
    """Ready parcels and hectares per zone at the end of each of ``quarters`` quarters.

    ``projects`` (the workspace's table) dates the planned features that carry no
    ``planned_date`` of their own (:func:`with_project_dates`).
    """
    inputs = with_project_dates(inputs, projects)
    prev = _check(inputs, rulebook, start)
    parcels: gpd.GeoDataFrame = prev.parcels
    zones = inputs.layers.get("zones")
    zone = parcel_zones(parcels, zones).fillna("").astype(str).to_numpy()
    ha = np.asarray(area_ha(parcels.geometry), dtype=float)
    ha = np.where(np.isfinite(ha), ha, 0.0)
    names: dict[str, str] = {}
    if zones is not None and {"zone_id", "name"} <= set(zones.columns):
        names = dict(zip(zones["zone_id"].astype("string").str.strip().fillna(""),
                         zones["name"].astype("string").fillna("").astype(str), strict=True))
    rows: list[dict[str, object]] = []
    drops: list[pd.DataFrame] = []
    for day in quarter_ends(start, quarters):
        cur = _check(inputs, rulebook, day)
        d = _dropouts(prev, cur, day, zone, ha)
        rows += _zone_rows(cur, day, zone, ha, names, d)
        drops.append(d)
        prev = cur
    dropouts = (pd.concat(drops, ignore_index=True) if drops
                else pd.DataFrame(columns=DROPOUT_COLUMNS))
    return Pipeline(start=start, table=pd.DataFrame(rows, columns=PIPELINE_COLUMNS),
                    dropouts=dropouts)
