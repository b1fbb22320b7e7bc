"""After supply: contracts, idle land, 达产复核 (review at full production), commitments.

Pure computation on the ``contracts``, ``performance`` and ``commitments`` tables
(see ``docs/workspace.md``): :func:`supervise` gives one row per contract as of a
check date, :func:`summarize` the city's counts, :func:`stock_split` separates the
stock on offer from the land already supplied.
"""

from __future__ import annotations

from layers.supervision.evaluate import (
    CSV_COLUMNS,
    INDICATORS,
    LOWER_IS_BETTER,
    STATUS_COLORS,
    STATUS_ORDER,
    export_frame,
    supervise,
)
from layers.supervision.floors import contract_floors
from layers.supervision.stock import (
    NO_CONTRACT,
    OFFER_STATUSES,
    SUPPLIED_STATUSES,
    StockSplit,
    on_offer,
    stock_split,
    supervision_status,
)
from layers.supervision.summary import SupervisionSummary, summarize

__all__ = [
    "CSV_COLUMNS",
    "INDICATORS",
    "LOWER_IS_BETTER",
    "NO_CONTRACT",
    "OFFER_STATUSES",
    "STATUS_COLORS",
    "STATUS_ORDER",
    "SUPPLIED_STATUSES",
    "StockSplit",
    "SupervisionSummary",
    "contract_floors",
    "export_frame",
    "on_offer",
    "stock_split",
    "summarize",
    "supervise",
    "supervision_status",
]
