"""The per-contract supervision report and the city summary (HTML, PDF, zh/en, CLI)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from gis.errors import InputError
from layers.reports import build_contract_report, build_supervision_report, write_report
from layers.workspace import Workspace


def _first(table: pd.DataFrame, column: str, value: str) -> pd.Series:
    return table[table[column] == value].iloc[0]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_idle_over_two_years_cites_article_14_2(ws: Workspace, table: pd.DataFrame) -> None:
    row = _first(table, "idle_status", "idle_recoverable")
    report = build_contract_report(ws, row["parcel_id"], table=table)
    text = _text(report.html)
    assert "供后履约监管告知书" in text and row["enterprise"] in text
    assert f"{int(row['days_late'])} 天" in text
    assert "第十四条第（二）项" in text and "无偿收回" in text
    assert "第八条" in text  # a government-caused delay is exempt
    assert "http://" not in report.html and "https://" not in report.html


def test_failed_review_names_the_indicator_and_its_shortfall(ws: Workspace,
                                                             table: pd.DataFrame) -> None:
    row = table[table["failing_indicators"] == "tax_per_mu"].iloc[0]
    report = build_contract_report(ws, row["parcel_id"], lang="en", table=table)
    text = _text(report.html)
    assert "Review at full production failed" in text
    shortfall = row["shortfall_tax_per_mu"]
    assert f"Tax per mu (shortfall {shortfall:.1f}".rstrip("0").rstrip(".") in text
    assert text.count("Not met") == 1
    assert report.lang == "en" and report.filename.startswith("supervision_")


def test_on_track_contract_has_no_findings(ws: Workspace, table: pd.DataFrame) -> None:
    row = table[(table["status"] == "on_track")
                & (table["construction"] == "started")].iloc[0]
    text = _text(build_contract_report(ws, row["parcel_id"], table=table).html)
    assert "截至检查日期，未发现违约情形。" in text


def test_overdue_commitment_is_listed(ws: Workspace, table: pd.DataFrame) -> None:
    row = _first(table, "status", "commitment_overdue")
    text = _text(build_contract_report(ws, row["parcel_id"], table=table).html)
    assert "逾期未履行" in text and "承诺事项逾期未履行 1 项" in text


def test_unknown_contract_is_a_clear_error(ws: Workspace, table: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="No contract for parcel 'NOPE'"):
        build_contract_report(ws, "NOPE", table=table)


def test_city_summary_lists_idle_land_and_failed_reviews(ws: Workspace, table: pd.DataFrame,
                                                         tmp_path: Path) -> None:
    report = build_supervision_report(ws, table=table)
    text = _text(report.html)
    assert "全市供后履约监管汇总" in text
    for pid in table.loc[table["idle_status"].isin(["idle", "idle_recoverable"]), "parcel_id"]:
        assert pid in text
    for pid in table.loc[table["review_status"] == "fail", "parcel_id"]:
        assert pid in text
    rate = (table["start_lag_days"].dropna() <= 30).mean()
    assert f"{rate:.0%}" in text
    path, _ = write_report(report, tmp_path / "city.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"


def test_cli_writes_contract_and_city_reports(demo_ws: Path, table: pd.DataFrame,
                                              tmp_path: Path, capsys) -> None:
    pid = _first(table, "idle_status", "idle")["parcel_id"]
    out = tmp_path / "合同报告.html"
    assert main(["supervise", str(demo_ws), "--contract", pid, "--report", str(out)]) == 0
    assert "第十四条第（一）项" in out.read_text(encoding="utf-8")
    city = tmp_path / "city.html"
    assert main(["supervise", str(demo_ws), "--report", str(city), "--lang", "en"]) == 0
    assert "City summary: supervision after supply" in city.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["supervise", str(demo_ws), "--contract", pid]) == 2
    assert "--contract needs --report" in capsys.readouterr().err


def test_zone_report_separates_the_stock_on_offer(ws: Workspace, table: pd.DataFrame) -> None:
    from layers.reports import build_zone_report

    parcels = ws.read("parcels")
    mine = parcels[parcels["zone_id"] == "CZGX"]
    supplied = mine["supply_status"].isin(["supplied", "under_construction"])
    text = _text(build_zone_report(ws, "CZGX").html)
    assert f"可供应存量 {int((~supplied).sum())} 宗" in text
    assert f"已供应土地 {int(supplied.sum())} 宗" in text
    assert "已移出可供应存量" in text and "按履约状态" in text
