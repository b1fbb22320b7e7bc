"""`devzone supervise` on a small workspace: summary, CSV, errors."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from cli.main import main

CONTRACTS = """地块编号,企业名称,交地日期,约定开工日期,约定竣工日期,实际开工日期,承诺亩均税收
P1,长治光伏科技,2023-02-01,2023-03-01,2024-06-30,2023-02-10,15
P2,潞安新材料,2023-02-01,2023-03-01,2024-06-30,,20
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    geoms = [box(500_000 + i * 200, 4_000_000, 500_100 + i * 200, 4_000_100) for i in range(2)]
    gpd.GeoDataFrame({"parcel_id": ["P1", "P2"]}, geometry=geoms, crs="EPSG:4547").to_file(
        root / "layers.gpkg", layer="parcels", driver="GPKG")
    (root / "workspace.toml").write_text(
        'name = "测试"\ncrs = "EPSG:4547"\nas_of = 2024-09-01\n'
        '[layers]\nparcels = "layers.gpkg:parcels"\n', encoding="utf-8")
    return root


def test_no_contracts_is_one_sentence_exit_2(ws: Path, capsys) -> None:
    assert main(["supervise", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "has no contracts table" in err and "Traceback" not in err


def test_supervise_prints_summary_and_writes_csv(ws: Path, tmp_path: Path, capsys) -> None:
    src = tmp_path / "合同.csv"
    src.write_text(CONTRACTS, encoding="utf-8")
    assert main(["import", str(ws), "contracts", str(src)]) == 0
    out = tmp_path / "监管.csv"
    assert main(["supervise", str(ws), "--out", str(out)]) == 0  # as_of from the manifest
    text = capsys.readouterr().out
    assert "supervision as of 2024-09-01" in text
    assert "1/1 = 100%" in text  # P1 started 9 days after handover
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"failing_indicators": str})
    assert list(table.columns[:9]) == ["parcel_id", "enterprise", "construction", "idle_status",
                                       "days_late", "start_lag_days", "review_status",
                                       "failing_indicators", "commitments_overdue"]
    rows = table.set_index("parcel_id")
    assert rows.loc["P1", "enterprise"] == "长治光伏科技"
    assert (rows.loc["P1", "idle_status"], rows.loc["P1", "days_late"]) == ("late_completion", 63)
    assert (rows.loc["P2", "idle_status"], rows.loc["P2", "days_late"]) == ("idle", 550)
    assert main(["supervise", str(ws), "--as-of", "2023-03-02"]) == 0
    assert "supervision as of 2023-03-02" in capsys.readouterr().out


def test_bad_out_suffix_and_bad_date(ws: Path, capsys) -> None:
    assert main(["supervise", str(ws), "--out", "x.xlsx"]) == 2
    assert "Use .csv" in capsys.readouterr().err
    assert main(["supervise", str(ws), "--as-of", "30/06/2025"]) == 2
    assert "is not a date" in capsys.readouterr().err
