"""The rulebook's contract conditions per parcel: what 达产复核 holds a contract to by default.

The readiness rulebook's ``indicators`` rule keeps the supply conditions that only a
producing plant can show (tax per mu, energy per unit of output …) in its
``contract_by_industry`` tables. A contract that writes its own value for an
indicator is reviewed against that value; one that leaves it out is reviewed
against the rulebook's condition for the parcel's industry (see ``supervise``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.readiness.rulebook import IndicatorsRule, Rulebook
from layers.supervision.evaluate import INDICATORS, LOWER_IS_BETTER

__all__ = ["contract_floors"]


def contract_floors(parcels: pd.DataFrame | None, rulebook: Rulebook) -> pd.DataFrame | None:
    """Per parcel id, the rulebook's contract condition of each indicator (NaN where none).

    The condition is the bound that matters for the review: ``max`` for an indicator
    where lower is better (energy per output), else ``min``. ``None`` when the
    rulebook has no contract conditions or the parcels carry no industry.
    """
    rule = next((r for r in rulebook.rules if isinstance(r, IndicatorsRule)), None)
    if rule is None or not rule.contract_by_industry or parcels is None:
        return None
    if "parcel_id" not in parcels.columns or rule.industry_attribute not in parcels.columns:
        return None
    ids = parcels["parcel_id"].astype("string").str.strip()
    industry = parcels[rule.industry_attribute].astype("string").str.strip()
    out = pd.DataFrame(np.nan, index=pd.Index(ids.to_numpy(), name="parcel_id"),
                       columns=list(INDICATORS), dtype="float64")
    for name, bounds in rule.contract_by_industry.items():
        sel = (industry == name).to_numpy(dtype=bool, na_value=False)
        for col, bound in bounds.items():
            if col not in out.columns:
                continue
            value = bound.max if col in LOWER_IS_BETTER else bound.min
            if value is not None:
                out.loc[sel, col] = float(value)
    return out[~out.index.duplicated()]
