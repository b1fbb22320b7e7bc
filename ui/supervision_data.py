"""Cached supervision results for the pages (contracts after supply, stock on offer).

Like :mod:`ui.data`, each result is computed once per workspace state and date
and shared by every session (treat results as read-only).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from layers import supervision as sv
from layers.supervision.inputs import supervise_workspace
from ui import data as uidata

__all__ = ["stock", "supervision"]


# cache key: workspace path and state key; the snapshot itself (``_snap``) is not hashed
@st.cache_resource(max_entries=6, show_spinner=False)
def _supervision(path: str, key: str, as_of: date, _snap: uidata.Snapshot
                 ) -> pd.DataFrame | None:
    ws = uidata.load(_snap)
    return supervise_workspace(ws, as_of) if ws.has("contracts") else None


def supervision(snap: uidata.Snapshot, as_of: date) -> pd.DataFrame | None:
    """One row per contract (:func:`layers.supervision.supervise`); ``None`` without contracts."""
    return _supervision(snap.path, snap.key, as_of, snap)


@st.cache_resource(max_entries=6, show_spinner=False)
def _stock(path: str, key: str, text: str | None, as_of: date, _snap: uidata.Snapshot
           ) -> sv.StockSplit:
    ws = uidata.load(_snap)
    result = uidata.readiness(_snap, text, as_of) if text is not None else None
    zones = ws.read("zones") if ws.has("zones") else None
    return sv.stock_split(result, ws.read("parcels"), supervision(_snap, as_of), zones=zones)


def stock(snap: uidata.Snapshot, text: str | None, as_of: date) -> sv.StockSplit:
    """The stock on offer (readiness summary) and the supplied land by supervision status."""
    return _stock(snap.path, snap.key, text, as_of, snap)
