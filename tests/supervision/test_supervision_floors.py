"""达产复核 against the rulebook's contract conditions where a contract sets no value."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from layers.readiness import load_rulebook
from layers.readiness.rulebook import default_rulebook_path
from layers.supervision import contract_floors, supervise
from layers.supervision.inputs import supervise_workspace

RULES = """[meta]
name = "t"
version = "1"

[[rule]]
id = "indicators"
kind = "indicators"
label = "指标"
[rule.by_industry.steel]
far = { min = 0.6 }
[rule.contract_by_industry.steel]
tax_per_mu = { min = 10.0 }
energy_per_output = { max = 1.2 }
"""
AS_OF = date(2025, 12, 31)


def _contracts(**committed: list) -> pd.DataFrame:
    n = len(next(iter(committed.values()))) if committed else 2
    df = pd.DataFrame({
        "parcel_id": [f"P{i + 1}" for i in range(n)],
        "agreed_start_date": pd.to_datetime(["2022-03-01"] * n),
        "agreed_completion_date": pd.to_datetime(["2023-06-30"] * n),
        "actual_start_date": pd.to_datetime(["2022-03-01"] * n),
        "actual_completion_date": pd.to_datetime(["2023-06-01"] * n),
    })
    for k, v in committed.items():
        df[f"committed_{k}"] = v
    return df


def _perf(tax: list[float], energy: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"parcel_id": [f"P{i + 1}" for i in range(len(tax))],
                         "year": 2025, "tax_per_mu": tax, "energy_per_output": energy})


def test_contract_floors_per_parcel() -> None:
    parcels = pd.DataFrame({"parcel_id": ["P1", "P2", "P3"],
                            "industry": ["steel", "photovoltaic", None]})
    floors = contract_floors(parcels, load_rulebook(RULES))
    assert floors is not None
    assert floors.loc["P1", "tax_per_mu"] == 10.0
    assert floors.loc["P1", "energy_per_output"] == 1.2  # lower is better: the cap
    assert np.isnan(floors.loc["P2", "tax_per_mu"]) and np.isnan(floors.loc["P3", "far"])
    assert np.isnan(floors.loc["P1", "far"])  # a pre-supply bound is not a contract condition
    no_contract = RULES.split("[rule.contract_by_industry.steel]")[0]
    assert contract_floors(parcels, load_rulebook(no_contract)) is None
    assert contract_floors(parcels.drop(columns="industry"), load_rulebook(RULES)) is None
    assert contract_floors(None, load_rulebook(RULES)) is None


def test_an_empty_commitment_is_held_to_the_rulebook_condition() -> None:
    # P1 committed nothing: held to 10 万元/亩 and 1.2 tce/万元 (misses both);
    # P2 committed its own lower tax (8) and meets it though below the rulebook's floor.
    c = _contracts(tax_per_mu=[np.nan, 8.0], energy_per_output=[np.nan, 1.5])
    floors = contract_floors(pd.DataFrame({"parcel_id": ["P1", "P2"],
                                           "industry": ["steel", "steel"]}),
                             load_rulebook(RULES))
    perf = _perf(tax=[9.0, 8.5], energy=[1.3, 1.4])
    table = supervise(c, perf, as_of=AS_OF, floors=floors).set_index("parcel_id")
    assert table.loc["P1", "review_status"] == "fail"
    assert table.loc["P1", "failing_indicators"] == "tax_per_mu;energy_per_output"
    assert table.loc["P1", "shortfall_tax_per_mu"] == pytest.approx(1.0)
    assert table.loc["P1", "shortfall_energy_per_output"] == pytest.approx(0.1)
    assert np.isnan(table.loc["P1", "committed_tax_per_mu"])
    assert table.loc["P1", "floor_tax_per_mu"] == 10.0
    assert table.loc["P2", "review_status"] == "pass"
    # without the rulebook's conditions nothing is committed for P1: nothing to miss
    bare = supervise(c, perf, as_of=AS_OF).set_index("parcel_id")
    assert bare.loc["P1", "review_status"] == "pass"
    assert np.isnan(bare.loc["P1", "floor_tax_per_mu"])


def test_workspace_supervision_reads_the_rulebook_in_force(tmp_path: Path) -> None:
    from layers.workspace import Workspace

    root = tmp_path / "ws"
    root.mkdir()
    geoms = [box(500_000 + i * 200, 4_000_000, 500_100 + i * 200, 4_000_100) for i in range(2)]
    gpd.GeoDataFrame({"parcel_id": ["P1", "P2"], "industry": ["coke", "photovoltaic"]},
                     geometry=geoms, crs="EPSG:4547").to_file(
        root / "layers.gpkg", layer="parcels", driver="GPKG")
    _contracts(invest_intensity=[300.0, 300.0]).to_csv(root / "contracts.csv", index=False)
    _perf(tax=[7.0, 30.0], energy=[1.0, 0.1]).assign(invest_intensity=400.0).to_csv(
        root / "performance.csv", index=False)
    (root / "workspace.toml").write_text(
        'name = "t"\ncrs = "EPSG:4547"\n[layers]\nparcels = "layers.gpkg:parcels"\n'
        '[tables]\ncontracts = "contracts.csv"\nperformance = "performance.csv"\n',
        encoding="utf-8")
    ws = Workspace.load(root)
    table = supervise_workspace(ws, AS_OF).set_index("parcel_id")
    coke = load_rulebook(default_rulebook_path()).get("indicators")
    floor = coke.contract_floors("coke")["tax_per_mu"].min  # type: ignore[attr-defined]
    assert table.loc["P1", "floor_tax_per_mu"] == floor
    assert table.loc["P1", "failing_indicators"] == "tax_per_mu"  # 7 < the coke floor
    assert table.loc["P2", "review_status"] == "pass"
    custom = load_rulebook(RULES)
    other = supervise_workspace(ws, AS_OF, custom).set_index("parcel_id")
    assert other.loc["P1", "review_status"] == "pass"  # RULES sets nothing for coke
