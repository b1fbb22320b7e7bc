"""The parcel catalogue for investors: land on offer, its facts, filters and the indicator check.

:func:`offer_table` lists the parcels on offer (``supply_status`` reserve / for_supply)
with their area in hectares and mu, readiness and the distance (m, analysis CRS) to the
nearest motorway exit, rail freight yard and substation. :func:`filter_offer` applies an
enterprise's filters; :func:`check_plan` says, per parcel, whether an enterprise's planned
investment, floor area, output and tax meet the industry's indicator floors of the rulebook.
Pure computation: no Streamlit, no disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.measure import NearestIndex, area_ha
from layers.readiness import Bound, IndicatorsRule, Rule

__all__ = [
    "FACILITIES",
    "MU_PER_HA",
    "OFFER_STATUSES",
    "PLAN_STATUSES",
    "Offer",
    "OfferFilter",
    "Plan",
    "check_plan",
    "filter_offer",
    "floors_by_industry",
    "implied_indicators",
    "offer_table",
]

MU_PER_HA = 15.0  # 1 公顷 = 15 亩
OFFER_STATUSES: tuple[str, ...] = ("reserve", "for_supply")
# facility -> (layer kind, kinds counted); only existing (or status-less) features count
FACILITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "motorway_exit": ("transport", ("motorway_exit",)),
    "rail_freight": ("transport", ("rail_freight",)),
    "substation": ("power", ("substation",)),
}
PLAN_STATUSES = ("meets", "fails", "not_judged", "no_floors")
_REL_TOL = 1e-9  # a value equal to its floor to nine digits meets it (float noise of ÷ area)


def distance_column(facility: str) -> str:
    """The offer table's column of the distance (m) to ``facility``."""
    return f"dist_{facility}_m"


@dataclass(frozen=True)
class Offer:
    """The land on offer: one row per parcel, and the facilities that could not be measured.

    ``table`` columns: ``parcel_id``, ``name``, ``zone_id``, ``industry``,
    ``supply_status`` (those present in the layer), ``area_ha``, ``area_mu``,
    ``readiness`` and ``dist_<facility>_m`` for each of :data:`FACILITIES` (``NaN``
    when the facility is in ``missing``). ``geometry`` holds the parcels (analysis CRS),
    row-aligned with ``table``.
    """

    table: pd.DataFrame
    geometry: gpd.GeoSeries
    missing: tuple[str, ...] = ()


def _targets(layer: gpd.GeoDataFrame | None, kinds: tuple[str, ...],
             crs: object) -> np.ndarray | None:
    """The existing features of ``layer`` whose ``kind`` is in ``kinds`` (``None``: none)."""
    if layer is None or not len(layer) or "kind" not in layer.columns:
        return None
    keep = layer["kind"].astype("string").isin(kinds).to_numpy(dtype=bool, na_value=False)
    if "status" in layer.columns:
        status = layer["status"].astype("string")
        keep = keep & (status.isna() | (status == "existing")).to_numpy(dtype=bool)
    sel = layer[keep]
    sel = sel[~sel.geometry.isna() & ~sel.geometry.is_empty]
    if not len(sel):
        return None
    if crs is not None and sel.crs is not None and sel.crs != crs:
        sel = sel.to_crs(crs)
    return np.asarray(sel.geometry.values)


def offer_table(parcels: gpd.GeoDataFrame, *, overall: pd.DataFrame | None = None,
                layers: Mapping[str, gpd.GeoDataFrame | None] | None = None) -> Offer:
    """The parcels on offer with area, readiness and distances to the facilities.

    Parameters
    ----------
    parcels
        The parcels layer in a metric CRS (the workspace's analysis CRS).
    overall
        The readiness result per parcel (``parcel_id``, ``readiness``); parcels
        without one are ``unchecked``.
    layers
        Layer kind → layer (``transport``, ``power``); an absent layer, or one with
        no existing feature of the kind, puts the facility in ``Offer.missing``.

    Examples
    --------
    >>> import shapely
    >>> p = gpd.GeoDataFrame({"parcel_id": ["A", "B"], "supply_status": ["reserve", "supplied"]},
    ...     geometry=[shapely.box(0, 0, 100, 100)] * 2, crs="EPSG:4547")
    >>> offer = offer_table(p)
    >>> offer.table[["parcel_id", "area_mu"]].values.tolist(), offer.missing[0]
    ([['A', 15.0]], 'motorway_exit')
    """
    layers = layers or {}
    if "supply_status" in parcels.columns:
        status = parcels["supply_status"].astype("string")
        parcels = parcels[status.isin(OFFER_STATUSES).to_numpy(dtype=bool, na_value=False)]
    else:
        parcels = parcels.iloc[:0]
    cols = [c for c in ("parcel_id", "name", "zone_id", "industry", "supply_status")
            if c in parcels.columns]
    table = pd.DataFrame(parcels[cols]).reset_index(drop=True)
    table["parcel_id"] = table["parcel_id"].astype(str)
    geoms = np.asarray(parcels.geometry.values)
    table["area_ha"] = np.asarray(area_ha(geoms), dtype=float)
    table["area_mu"] = table["area_ha"] * MU_PER_HA
    if overall is not None and len(overall):
        status_of = pd.Series(overall["readiness"].astype(str).to_numpy(),
                              index=overall["parcel_id"].astype(str).to_numpy())
        status_of = status_of[~status_of.index.duplicated()]
        table["readiness"] = table["parcel_id"].map(status_of).fillna("unchecked")
    else:
        table["readiness"] = "unchecked"
    missing = []
    for facility, (kind, kinds) in FACILITIES.items():
        targets = _targets(layers.get(kind), kinds, parcels.crs)
        if targets is None:
            missing.append(facility)
            table[distance_column(facility)] = np.nan
        else:
            table[distance_column(facility)] = NearestIndex(targets).distance(geoms)
    series = gpd.GeoSeries(geoms, crs=parcels.crs)
    return Offer(table, series, tuple(missing))


@dataclass(frozen=True)
class OfferFilter:
    """What an enterprise asks for; empty/``None`` fields do not filter.

    Areas are in mu (1 ha = 15 mu), bounds inclusive; ``max_distance_m`` maps a
    facility of :data:`FACILITIES` to the largest distance (m) it accepts.
    """

    min_mu: float | None = None
    max_mu: float | None = None
    zones: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    readiness: tuple[str, ...] = ()
    max_distance_m: Mapping[str, float] = field(default_factory=dict)


def filter_offer(offer: Offer, flt: OfferFilter) -> np.ndarray:
    """Boolean mask over ``offer.table``: the parcels every filter keeps.

    A distance filter on a facility in ``offer.missing`` is ignored (the page
    disables it and says why).

    Examples
    --------
    >>> import shapely
    >>> p = gpd.GeoDataFrame({"parcel_id": ["A", "B"], "supply_status": ["reserve"] * 2},
    ...     geometry=[shapely.box(0, 0, 100, 100), shapely.box(0, 0, 200, 100)], crs=3857)
    >>> filter_offer(offer_table(p), OfferFilter(min_mu=20, max_mu=30)).tolist()
    [False, True]
    """
    t = offer.table
    keep = np.ones(len(t), dtype=bool)
    mu = t["area_mu"].to_numpy(dtype=float)
    if flt.min_mu is not None:
        keep &= mu >= flt.min_mu * (1 - _REL_TOL)
    if flt.max_mu is not None:
        keep &= mu <= flt.max_mu * (1 + _REL_TOL)
    for col, wanted in (("zone_id", flt.zones), ("industry", flt.industries),
                        ("readiness", flt.readiness)):
        if wanted:
            if col not in t.columns:
                return np.zeros(len(t), dtype=bool)
            keep &= t[col].astype("string").isin(wanted).to_numpy(dtype=bool, na_value=False)
    for facility, max_m in flt.max_distance_m.items():
        if facility in offer.missing or max_m is None:
            continue
        dist = t[distance_column(facility)].to_numpy(dtype=float)
        keep &= np.nan_to_num(dist, nan=np.inf) <= max_m
    return keep


# --------------------------------------------------------------------------- indicators
@dataclass(frozen=True)
class Plan:
    """An enterprise's plan: totals for the whole project (``None``: not given).

    ``investment_wan`` fixed-asset investment (万元); ``floor_area_m2`` total floor
    area; ``footprint_m2`` building footprint; ``output_wan`` / ``tax_wan`` annual
    output and tax (万元); ``energy_tce`` annual energy use (tce).
    """

    investment_wan: float | None = None
    floor_area_m2: float | None = None
    footprint_m2: float | None = None
    output_wan: float | None = None
    tax_wan: float | None = None
    energy_tce: float | None = None


def implied_indicators(area_ha_: Iterable[float] | np.ndarray, plan: Plan) -> pd.DataFrame:
    """The indicators the plan would give on parcels of these areas (ha).

    Columns (parcel columns of the catalogue, ``NaN`` where the plan lacks the
    input): ``invest_intensity`` 万元/亩, ``far``, ``building_coverage`` %,
    ``tax_per_mu`` 万元/亩, ``output_per_mu`` 万元/亩, ``energy_per_output`` tce/万元.

    >>> df = implied_indicators([2.0], Plan(investment_wan=9000, floor_area_m2=30000))
    >>> df.loc[0, ["invest_intensity", "far"]].tolist()
    [300.0, 1.5]
    """
    ha = np.asarray(list(area_ha_) if not isinstance(area_ha_, np.ndarray) else area_ha_,
                    dtype=float)
    mu = ha * MU_PER_HA
    m2 = ha * 10_000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        def per(total: float | None, base: np.ndarray, scale: float = 1.0) -> np.ndarray:
            if total is None:
                return np.full(len(ha), np.nan)
            return np.where(base > 0, total * scale / base, np.nan)

        energy = (np.full(len(ha), plan.energy_tce / plan.output_wan)
                  if plan.energy_tce is not None and plan.output_wan
                  else np.full(len(ha), np.nan))
        return pd.DataFrame({
            "invest_intensity": per(plan.investment_wan, mu),
            "far": per(plan.floor_area_m2, m2),
            "building_coverage": per(plan.footprint_m2, m2, 100.0),
            "tax_per_mu": per(plan.tax_wan, mu),
            "output_per_mu": per(plan.output_wan, mu),
            "energy_per_output": energy,
        })


def floors_by_industry(rules: Iterable[Rule]) -> dict[str, dict[str, Bound]]:
    """Every indicators rule's bounds per industry, combined (the stricter bound wins).

    Both the pre-supply floors (``by_industry``) and the supply conditions the
    contract will carry (``contract_by_industry``: tax per mu, energy per output)
    count: an investor must meet both.
    """
    out: dict[str, dict[str, Bound]] = {}
    for rule in rules:
        if not isinstance(rule, IndicatorsRule):
            continue
        tables = [rule.by_industry, rule.contract_by_industry]
        for industry, bounds in (item for table in tables for item in table.items()):
            have = out.setdefault(str(industry), {})
            for col, b in bounds.items():
                old = have.get(col, Bound())
                lo = [v for v in (old.min, b.min) if v is not None]
                hi = [v for v in (old.max, b.max) if v is not None]
                have[col] = Bound(max(lo) if lo else None, min(hi) if hi else None)
    return out


def _fmt(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _indicator_names() -> dict[str, tuple[str, str, str]]:
    """Parcel column → (zh, en, unit) from the layer catalogue."""
    from layers.catalog import CATALOG

    return {c.name: (c.zh, c.en, c.unit) for c in CATALOG["parcels"].columns}


def _judge(values: pd.DataFrame, rows: np.ndarray, floors: Mapping[str, Bound],
           names: Mapping[str, tuple[str, str, str]], zh: list[list[str]],
           en: list[list[str]]) -> np.ndarray:
    """Judge ``rows`` of the implied ``values`` against one industry's floors, vectorised.

    Appends each row's reasons to ``zh`` / ``en``; returns the rows' statuses.
    """
    judged = np.zeros(len(rows), dtype=bool)
    failed = np.zeros(len(rows), dtype=bool)
    for col, b in floors.items():
        n_zh, n_en, unit = names.get(col, (col, col, ""))
        u = f" {unit}" if unit and unit != "%" else unit
        v = (values[col].to_numpy(dtype=float)[rows] if col in values.columns
             else np.full(len(rows), np.nan))
        given = np.isfinite(v)
        judged |= given
        for k in np.flatnonzero(~given):
            zh[rows[k]].append(f"{n_zh}：未提供，无法判断")
            en[rows[k]].append(f"{n_en}: not given, not judged")
        with np.errstate(invalid="ignore"):
            low = given & (v < b.min * (1 - _REL_TOL)) if b.min is not None \
                else np.zeros(len(rows), dtype=bool)
            high = given & ~low & (v > b.max * (1 + _REL_TOL)) if b.max is not None \
                else np.zeros(len(rows), dtype=bool)
        for k in np.flatnonzero(low):
            zh[rows[k]].append(f"{n_zh} {_fmt(v[k])}{u} 低于下限 {_fmt(b.min or 0)}{u}")
            en[rows[k]].append(f"{n_en} {_fmt(v[k])}{u} below the floor {_fmt(b.min or 0)}{u}")
        for k in np.flatnonzero(high):
            zh[rows[k]].append(f"{n_zh} {_fmt(v[k])}{u} 高于上限 {_fmt(b.max or 0)}{u}")
            en[rows[k]].append(f"{n_en} {_fmt(v[k])}{u} above the ceiling {_fmt(b.max or 0)}{u}")
        failed |= low | high
    return np.where(failed, "fails", np.where(judged, "meets", "not_judged"))


def check_plan(table: pd.DataFrame, plan: Plan, rules: Iterable[Rule]) -> pd.DataFrame:
    """Whether the plan meets each parcel's industry indicator floors, and why not.

    Parameters
    ----------
    table
        One row per parcel with ``parcel_id``, ``area_ha`` and ``industry``
        (:attr:`Offer.table`).
    plan
        The enterprise's totals (:class:`Plan`).
    rules
        The rulebook's rules (``Rulebook.rules``); every ``indicators`` rule counts.
    Returns
    -------
    DataFrame
        ``parcel_id``, the implied indicators (:func:`implied_indicators`),
        ``plan_status`` (one of :data:`PLAN_STATUSES`: ``meets`` every judged floor;
        ``fails`` at least one; ``not_judged`` the plan gives none of the floors'
        inputs; ``no_floors`` the parcel's industry has no floors) and ``reasons`` /
        ``reasons_en`` (``"; "``-joined: each failed floor, each floor not judged).
        A value equal to its floor meets it.
    """
    names = _indicator_names()
    floors = floors_by_industry(rules)
    implied = implied_indicators(table["area_ha"].to_numpy(dtype=float), plan)
    n = len(table)
    industry = (table["industry"].astype("string").to_numpy(dtype=object, na_value=None)
                if "industry" in table.columns else np.full(n, None, dtype=object))
    has = np.array([v is not None for v in industry], dtype=bool)
    status = np.full(n, "no_floors", dtype=object)
    zh: list[list[str]] = [[] if h else ["地块未定产业"] for h in has]
    en: list[list[str]] = [[] if h else ["the parcel has no industry"] for h in has]
    judged = ~has
    for ind, bounds in floors.items():
        rows = np.flatnonzero(industry == ind)
        if len(rows) and bounds:
            status[rows] = _judge(implied, rows, bounds, names, zh, en)
            judged[rows] = True
    for k in np.flatnonzero(~judged):
        zh[k].append("该产业无控制性指标下限")
        en[k].append("no indicator floors for this industry")
    out = pd.concat([table[["parcel_id"]].reset_index(drop=True), implied], axis=1)
    out["plan_status"] = status.astype(str)
    out["reasons"] = ["；".join(r) for r in zh]
    out["reasons_en"] = ["; ".join(r) for r in en]
    return out
