"""Regional (zone-level) and parcel-level assessments (区域评估)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from layers.demo._common import _rng, _strings
from layers.demo.zones import ZONE_DESIGNS

NATIONAL_ASSESSMENTS = ("mineral_overlay", "eia", "energy", "geohazard", "seismic",
                        "water_resources")
_AGENCY = {"mineral_overlay": "长自然资函", "eia": "长环审", "energy": "长发改能评",
           "geohazard": "长自然资函", "seismic": "长震安评", "water_resources": "长水资函",
           "soil_water": "长水保函", "flood": "长水防函", "cultural_relics": "长文物函",
           "archaeology": "长文物函"}


#: designed zone records: (status, approved_on, valid_until, ref)
_ZONE_CASES: dict[tuple[str, str], tuple[str, str | None, str | None, str]] = {
    ("CZJK", "energy"): ("committed", None, None, "经开区区域节能评价承诺制实施方案（2023）"),
    ("CZLC", "geohazard"): ("approved", "2019-11-20", "2024-12-31", "长自然资函〔2019〕112号"),
    # lapses inside the supply pipeline's window (the parcels it holds drop out)
    ("CZLC", "eia"): ("approved", "2021-07-01", "2026-06-30", "长环审〔2021〕46号"),
    # expired, not a default rule
    ("CZGX", "soil_water"): ("approved", "2018-05-10", "2023-05-09", "长水保函〔2018〕21号"),
}


def _assessments(candidates: gpd.GeoDataFrame, seed: int) -> pd.DataFrame:
    rng = _rng(seed, "assessments")
    rows: list[dict[str, Any]] = []

    def add(scope: str, sid: str, kind: str, status: str, approved: str | None,
            valid: str | None, ref: str | None) -> None:
        rows.append({"scope": scope, "scope_id": sid, "kind": kind, "status": status,
                     "approved_on": pd.Timestamp(approved) if approved else pd.NaT,
                     "valid_until": pd.Timestamp(valid) if valid else pd.NaT, "ref": ref})

    for z in ZONE_DESIGNS:
        for kind in (*NATIONAL_ASSESSMENTS, "soil_water"):
            year = int(rng.integers(2021, 2024))
            month = int(rng.integers(1, 13))
            day = int(rng.integers(1, 29))
            approved = f"{year}-{month:02d}-{day:02d}"
            valid = f"{year + 8}-12-31"
            ref = f"{_AGENCY[kind]}〔{year}〕{int(rng.integers(8, 160))}号"
            special = _ZONE_CASES.get((z.zone_id, kind))
            if special is not None:
                add("zone", z.zone_id, kind, *special)
            else:
                add("zone", z.zone_id, kind, "approved", approved, valid, ref)
    add("zone", "CZGX", "flood", "pending", None, None, None)
    add("zone", "CZJK", "cultural_relics", "not_required", None, None,
        "长文物函〔2022〕17号")
    # 先考古、后出让: CZGX and CZJK surveyed as zones; CZLC parcel by parcel, one pending
    add("zone", "CZGX", "archaeology", "approved", "2022-04-12", None, "长文物函〔2022〕31号")
    add("zone", "CZJK", "archaeology", "approved", "2022-09-06", None, "长文物函〔2022〕58号")
    lc = candidates[candidates.zone == "CZLC"]
    for k, (pid, special) in enumerate(zip(lc.parcel_id, lc.special, strict=True)):
        if special == "archaeology_pending":
            add("parcel", str(pid), "archaeology", "pending", None, None, None)
        else:
            add("parcel", str(pid), "archaeology", "approved", "2023-03-15", None,
                f"长文物函〔2023〕{40 + k}号")
    for pid in candidates.loc[candidates.special == "parcel_geohazard", "parcel_id"]:
        add("parcel", str(pid), "geohazard", "approved", "2025-03-18", "2030-03-17",
            f"长自然资函〔2025〕{int(rng.integers(20, 90))}号")
    for pid in candidates.loc[candidates.special == "outside", "parcel_id"]:
        add("parcel", str(pid), "eia", "pending", None, None, None)
    df = pd.DataFrame.from_records(rows)
    for col in ("approved_on", "valid_until"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ms]")
    return _strings(df, ["scope", "scope_id", "kind", "status", "ref"])
