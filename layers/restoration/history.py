"""Restored hectares over time, from the inspection history (chart data; no Streamlit)."""

from __future__ import annotations

from datetime import date

import pandas as pd

__all__ = ["restored_over_time"]


def restored_over_time(inspections: pd.DataFrame | None, *, as_of: date | None = None
                       ) -> pd.DataFrame:
    """Total restored hectares on each inspection date, up to ``as_of``.

    On each date every site counts with the restored area of its latest
    inspection on or before that date (``restored_area_ha``); a site not yet
    inspected counts 0. Inspections without a date or an area are skipped.

    Returns
    -------
    DataFrame with ``date`` (datetime64, ascending) and ``restored_ha``; empty
    when no inspection reports an area.

    Examples
    --------
    >>> insp = pd.DataFrame({"site_id": ["A", "B", "A"],
    ...                      "date": ["2024-01-01", "2024-02-01", "2024-03-01"],
    ...                      "restored_area_ha": [1.0, 2.0, 3.0]})
    >>> restored_over_time(insp)["restored_ha"].tolist()
    [1.0, 3.0, 5.0]
    """
    empty = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                          "restored_ha": pd.Series(dtype="float64")})
    cols = {"site_id", "date", "restored_area_ha"}
    if inspections is None or not len(inspections) or not cols <= set(inspections.columns):
        return empty
    df = pd.DataFrame({
        "site_id": inspections["site_id"].astype(str),
        "date": pd.to_datetime(inspections["date"], errors="coerce").dt.normalize(),
        "ha": pd.to_numeric(inspections["restored_area_ha"], errors="coerce"),
    }).dropna(subset=["date", "ha"])
    if as_of is not None:
        df = df[df["date"] <= pd.Timestamp(as_of)]
    if df.empty:
        return empty
    df = df.sort_values("date", kind="stable").drop_duplicates(["site_id", "date"], keep="last")
    wide = df.pivot(index="date", columns="site_id", values="ha").ffill().fillna(0.0)
    total = wide.sum(axis=1)
    return pd.DataFrame({"date": total.index.to_numpy(), "restored_ha": total.to_numpy()})
