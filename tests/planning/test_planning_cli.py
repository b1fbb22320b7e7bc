"""`devzone pipeline` and `devzone plan` from the shell, on a small workspace on disk."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from tests.planning.planning_helpers import write_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workspace(tmp_path_factory.mktemp("plan") / "规划工作区")


def test_plan_writes_the_chosen_works(ws: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "方案.csv"
    assert main(["plan", str(ws), "--budget", "70", "--out", str(out), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "2 parcels, 2.00 ha made ready for 50.0 万元" in text and "optimal" in text
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert list(df.columns[:5]) == ["work_id", "kind", "cost_wan", "parcels", "ha"]
    assert df[["work_id", "kind", "parcels"]].values.tolist() == [["W1", "project", 2]]
    assert df["name"].tolist() == ["供水干管"]


def test_plan_rank(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "rank.csv"
    assert main(["plan", str(ws), "--rank", "--out", str(out)]) == 0
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert df["project_id"].tolist() == ["W1", "R1"]
    assert df["parcels"].tolist() == [2, 1]
    assert df["cost_per_ha"].iloc[0] == pytest.approx(25.0)


def test_pipeline_names_the_dropouts(ws: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "pipeline.csv"
    assert main(["pipeline", str(ws), "--from", "2026-01-01", "--quarters", "2",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "因区域评估到期而退出的地块" in text
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"dropped_out_ids": str})
    z1 = df[df["zone_id"] == "Z1"].set_index("quarter_end")
    # A (water, road) is ready from the start; B gets water from W1 (due 2026-03-01)
    assert z1.loc["2026-03-31", "ready"] == 2
    assert z1.loc["2026-06-30", "ready"] == 0
    assert z1.loc["2026-06-30", "dropped_out_ids"] == "A;B"


@pytest.mark.parametrize("args", [["plan", "{ws}"],
                                  ["plan", "{ws}", "--budget", "5", "--out", "x.xlsx"],
                                  ["pipeline", "{ws}", "--lang", "fr"]])
def test_bad_usage_is_one_sentence(ws: Path, args: list[str], capsys) -> None:
    assert main([a.format(ws=ws) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
