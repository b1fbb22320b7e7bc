"""The demo's designed after-supply mix, as of its snapshot date 2025-06-30."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cli.main import main
from layers.supervision import stock_split, summarize
from layers.workspace import Workspace


def test_a_third_of_the_parcels_are_supplied_one_contract_each(ws: Workspace,
                                                                table: pd.DataFrame) -> None:
    parcels = ws.read("parcels")
    supplied = parcels["supply_status"].isin(["supplied", "under_construction"])
    assert 0.28 <= supplied.mean() <= 0.38
    assert set(table["parcel_id"]) == set(parcels.loc[supplied, "parcel_id"])
    assert table["parcel_id"].is_unique
    building = parcels.set_index("parcel_id")["supply_status"].reindex(table["parcel_id"])
    started = (table["construction"] == "started").to_numpy()
    assert (building.to_numpy()[started] == "under_construction").all()
    assert (building.to_numpy()[~started] == "supplied").all()


def test_every_designed_case_is_there(table: pd.DataFrame) -> None:
    s = summarize(table)
    for group, code in [("idle_status", "none"), ("idle_status", "late_start"),
                        ("idle_status", "idle"), ("idle_status", "idle_recoverable"),
                        ("idle_status", "late_completion"), ("review_status", "pass"),
                        ("review_status", "fail"), ("review_status", "missing"),
                        ("review_status", "pending"), ("construction", "not_started"),
                        ("construction", "started"), ("construction", "completed")]:
        assert s.count(group, code) >= 1, (group, code)
    failed = table[table["review_status"] == "fail"]
    assert set(failed["failing_indicators"]) == {"tax_per_mu", "energy_per_output"}
    assert (failed["shortfall_tax_per_mu"].dropna() > 0).all()
    assert (failed["shortfall_energy_per_output"].dropna() > 0).all()
    assert s.commitments_overdue >= 1
    assert (table["commitments_total"] > table["commitments_overdue"]).any()  # some fulfilled
    assert 0.3 < s.start_rate < 0.95
    assert table["idle_status"].eq("idle").sum() == 2 and table.loc[
        table["idle_status"] == "idle", "days_late"].between(366, 730).all()
    assert table.loc[table["idle_status"] == "idle_recoverable", "days_late"].gt(730).all()
    assert table["delay_reason"].notna().sum() == 1


def test_ready_stock_excludes_supplied_parcels(ws: Workspace, table: pd.DataFrame) -> None:
    from layers.readiness import evaluate, inputs_from_workspace, load_rulebook

    rb = load_rulebook(ws.rules_path)
    result = evaluate(inputs_from_workspace(ws, rulebook=rb), rb, as_of=ws.as_of)
    parcels = ws.read("parcels")
    split = stock_split(result, parcels, table, zones=ws.read("zones"))
    ready_all = result.overall["readiness"].isin(["ready", "ready_with_commitments"])
    assert split.moved_out > 0
    assert split.ready_n + split.moved_out == int(ready_all.sum())
    assert split.offer.parcels + split.supplied_n == len(parcels)
    assert int(split.supplied["n"].sum()) == len(table)
    assert "no_contract" not in split.supplied.index
    # the zone table of the stock on offer counts on-offer parcels only
    assert int(split.offer.zones["parcels"].sum()) == split.offer.parcels


def test_cli_supervise_on_the_demo(demo_ws: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "supervise.csv"
    assert main(["supervise", str(demo_ws), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "supervision as of 2025-06-30" in text and "Idle land 闲置土地" in text
    rows = pd.read_csv(out, encoding="utf-8-sig")
    assert len(rows) == round(300 / 3) and rows["enterprise"].str.endswith("有限公司").all()
