"""The stock on offer versus land already supplied (a presentation split of the parcels).

Readiness is computed for every parcel; a parcel that is already supplied or under
construction is not stock a zone can offer, so "ready" counts and hectares count
only ``reserve`` / ``for_supply`` parcels (and parcels with no supply status).
Supplied land is counted by its supervision status instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["OFFER_STATUSES", "READY", "SUPPLIED_STATUSES", "StockSplit", "stock_split"]

OFFER_STATUSES: tuple[str, ...] = ("reserve", "for_supply")
SUPPLIED_STATUSES: tuple[str, ...] = ("supplied", "under_construction")
READY: tuple[str, ...] = ("ready", "ready_with_commitments")
NO_CONTRACT = "no_contract"


@dataclass(frozen=True)
class StockSplit:
    """Counts and hectares of the stock on offer and of the supplied land.

    ``offer``: index readiness, columns ``n``, ``ha`` (on-offer parcels only).
    ``supplied``: index supervision status (``no_contract`` for supplied parcels
    without a contract), columns ``n``, ``ha``. ``moved_out``: parcels whose
    readiness is ready (or ready with commitments) but that are already supplied —
    they are no longer counted as ready stock.
    """

    on_offer: pd.Series
    offer: pd.DataFrame
    supplied: pd.DataFrame
    ready_n: int
    ready_ha: float
    moved_out: int
    moved_out_ha: float

    @property
    def offer_n(self) -> int:
        return int(self.on_offer.sum())

    @property
    def supplied_n(self) -> int:
        return int((~self.on_offer).sum())


def _area(table: pd.DataFrame) -> pd.Series:
    if "area_ha" in table:
        return pd.to_numeric(table["area_ha"], errors="coerce").fillna(0.0)
    return pd.Series(0.0, index=table.index)


def stock_split(table: pd.DataFrame, supervision: pd.DataFrame | None = None) -> StockSplit:
    """Split a parcel table (``parcel_id``, ``readiness``, ``area_ha``, ``supply_status``).

    ``supervision`` is the result of :func:`layers.supervision.supervise` (its
    ``parcel_id`` and ``status``); without it every supplied parcel counts as
    ``no_contract``.
    """
    supply = table["supply_status"].astype("string") if "supply_status" in table else \
        pd.Series(pd.NA, index=table.index, dtype="string")
    on_offer = ~supply.isin(SUPPLIED_STATUSES).fillna(False).astype(bool)
    area = _area(table)
    readiness = table["readiness"].astype("string").fillna("unchecked") \
        if "readiness" in table else pd.Series("unchecked", index=table.index, dtype="string")
    frame = pd.DataFrame({"readiness": readiness, "ha": area, "n": 1})
    offer = frame[on_offer].groupby("readiness")[["n", "ha"]].sum()
    ready = readiness.isin(READY).to_numpy()
    moved = ready & ~on_offer.to_numpy()
    status = pd.Series(NO_CONTRACT, index=table.index, dtype="string")
    if supervision is not None and len(supervision):
        by_id = dict(zip(supervision["parcel_id"].astype(str), supervision["status"].astype(str),
                         strict=False))
        status = table["parcel_id"].astype(str).map(by_id).fillna(NO_CONTRACT).astype("string")
    supplied = pd.DataFrame({"status": status, "ha": area, "n": 1})[~on_offer] \
        .groupby("status")[["n", "ha"]].sum()
    ready_offer = ready & on_offer.to_numpy()
    return StockSplit(
        on_offer=on_offer,
        offer=offer,
        supplied=supplied,
        ready_n=int(ready_offer.sum()),
        ready_ha=float(area[ready_offer].sum()),
        moved_out=int(moved.sum()),
        moved_out_ha=float(area[moved].sum()),
    )
