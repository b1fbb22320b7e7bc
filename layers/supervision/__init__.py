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
    STATUS_ORDER,
    supervise,
)
from layers.supervision.stock import OFFER_STATUSES, SUPPLIED_STATUSES, stock_split
from layers.supervision.summary import SupervisionSummary, summarize

__all__ = [
    "CSV_COLUMNS",
    "INDICATORS",
    "LOWER_IS_BETTER",
    "OFFER_STATUSES",
    "STATUS_ORDER",
    "SUPPLIED_STATUSES",
    "SupervisionSummary",
    "stock_split",
    "summarize",
    "supervise",
]
