"""The stock on offer versus land already supplied (a presentation split of the parcels).

Readiness is computed for every parcel; a parcel that is already supplied or under
construction is not stock a zone can offer, so "ready" counts and hectares count
only ``reserve`` / ``for_supply`` parcels (and parcels with no supply status).
Supplied land is counted by its supervision status instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.measure import area_ha
from layers.readiness import ReadinessResult
from layers.readiness.summary import ReadinessSummary, summarize

__all__ = ["NO_CONTRACT", "OFFER_STATUSES", "SUPPLIED_STATUSES", "StockSplit", "on_offer",
           "stock_split", "supervision_status"]

OFFER_STATUSES: tuple[str, ...] = ("reserve", "for_supply")
SUPPLIED_STATUSES: tuple[str, ...] = ("supplied", "under_construction")
NO_CONTRACT = "no_contract"  # supervision status of supplied land with no contract on file


@dataclass(frozen=True)
class StockSplit:
    """The readiness summary of the stock on offer, and the supplied land by status.

    ``offer`` summarises the on-offer parcels only (its ``n_ready`` / ``ready_ha``
    are the "ready stock"). ``supplied``: index supervision status (one of
    ``STATUS_ORDER`` or ``no_contract``), columns ``n`` and ``ha``. ``moved_out`` /
    ``moved_out_ha``: parcels ready (with or without commitments) but already
    supplied — no longer counted as ready stock.
    """

    offer: ReadinessSummary
    supplied: pd.DataFrame
    supplied_n: int
    supplied_ha: float
    moved_out: int
    moved_out_ha: float

    @property
    def ready_n(self) -> int:
        return self.offer.n_ready

    @property
    def ready_ha(self) -> float:
        return self.offer.ready_ha


def on_offer(parcels: pd.DataFrame) -> np.ndarray:
    """True for parcels on offer: supply status not ``supplied`` / ``under_construction``."""
    if "supply_status" not in parcels.columns:
        return np.ones(len(parcels), dtype=bool)
    status = parcels["supply_status"].astype("string")
    return ~status.isin(SUPPLIED_STATUSES).to_numpy(dtype=bool, na_value=False)


def supervision_status(parcel_ids: pd.Series, supervision: pd.DataFrame | None) -> pd.Series:
    """Each parcel's supervision ``status`` (``no_contract`` where it has none)."""
    ids = parcel_ids.astype("string").str.strip()
    if supervision is None or supervision.empty:
        return pd.Series(NO_CONTRACT, index=parcel_ids.index, dtype="string")
    by_id = pd.Series(supervision["status"].astype(str).to_numpy(),
                      index=supervision["parcel_id"].astype(str).str.strip().to_numpy())
    by_id = by_id[~by_id.index.duplicated()]
    return pd.Series(by_id.reindex(ids.to_numpy()).fillna(NO_CONTRACT).to_numpy(),
                     index=parcel_ids.index, dtype="string")


def stock_split(result: ReadinessResult | None, parcels: gpd.GeoDataFrame,
                supervision: pd.DataFrame | None = None, *,
                zones: gpd.GeoDataFrame | None = None) -> StockSplit:
    """Split ``parcels`` (metric CRS) into the stock on offer and the supplied land.

    ``supervision`` is :func:`layers.supervision.supervise`'s table (``parcel_id``,
    ``status``); without it every supplied parcel is ``no_contract``.
    """
    offer_mask = on_offer(parcels)
    offer = summarize(result, parcels[offer_mask], zones=zones)
    supplied_parcels = parcels[~offer_mask]
    gone = summarize(result, supplied_parcels, zones=zones)
    ha = np.asarray(area_ha(supplied_parcels.geometry), dtype=float)
    frame = pd.DataFrame({"status": supervision_status(supplied_parcels["parcel_id"],
                                                       supervision).to_numpy(),
                          "n": 1, "ha": np.where(np.isfinite(ha), ha, 0.0)})
    by_status = frame.groupby("status")[["n", "ha"]].sum()
    return StockSplit(offer=offer, supplied=by_status, supplied_n=len(supplied_parcels),
                      supplied_ha=float(frame["ha"].sum()), moved_out=gone.n_ready,
                      moved_out_ha=gone.ready_ha)
