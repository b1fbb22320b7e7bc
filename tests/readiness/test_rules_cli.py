"""`devzone rules`: the rulebook in force as a table, zh and en, CSV, a file without citations."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from cli.main import main

BARE = """[meta]
name = "无出处规则"
version = "1"

[[rule]]
id = "road"
kind = "distance"
label = { zh = "通路", en = "Road access" }
layer = "roads"
max_m = 80.0

[[rule]]
id = "eia"
kind = "assessment"
label = { zh = "环评", en = "EIA" }
assessment = "eia"
commitment_allowed = true
required = false
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "工作区"
    root.mkdir()
    gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[box(500_000, 4_000_000, 500_100,
                                                          4_000_100)],
                     crs="EPSG:4547").to_file(root / "layers.gpkg", layer="parcels",
                                              driver="GPKG")
    (root / "workspace.toml").write_text(
        'name = "测试"\ncrs = "EPSG:4547"\n[layers]\nparcels = "layers.gpkg:parcels"\n',
        encoding="utf-8")
    return root


def test_default_rulebook_in_chinese(ws: Path, capsys) -> None:
    assert main(["rules", str(ws)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("长治市标准地出让前置条件")
    assert lines[1].split()[:3] == ["编号", "名称", "类型"]
    road = next(line for line in lines if line.startswith("road "))
    assert "≤ 50 m" in road and "必备" in road and "本地取值" in road
    energy = next(line for line in lines if line.startswith("energy "))
    assert "已批复（可承诺制）" in energy
    assert "国办发〔2019〕11号" in out
    assert "控制性指标（按产业）" in out
    steel = next(line for line in lines if line.startswith("steel "))
    assert "钢铁" in steel and "容积率 ≥ 0.6" in steel and "亩均税收 ≥ 10 万元/亩" in steel


def test_english_and_csv_with_the_same_columns(ws: Path, tmp_path: Path, capsys) -> None:
    csv = tmp_path / "规则.csv"
    assert main(["rules", str(ws), "--lang", "en", "--out", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "required" in out and "advisory" in out and "approved (commitment allowed)" in out
    assert f"wrote {csv}" in out
    table = pd.read_csv(csv, encoding="utf-8-sig", keep_default_na=False)
    assert table.columns.tolist() == ["id", "label", "kind", "threshold", "required",
                                      "citation"]
    row = table.set_index("id").loc["telecom"]
    assert row["required"] == "advisory" and row["kind"] == "raster_coverage"
    assert "Dual Gigabit" in row["citation"]
    assert (table["citation"] != "").all()
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_rulebook_file_without_citations(ws: Path, tmp_path: Path, capsys) -> None:
    rules = tmp_path / "bare.toml"
    rules.write_text(BARE, encoding="utf-8")
    csv = tmp_path / "bare.csv"
    assert main(["rules", str(ws), "--rules", str(rules), "--lang", "en",
                 "--out", str(csv)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("无出处规则 1")
    assert "Control indicators by industry" not in out
    table = pd.read_csv(csv, encoding="utf-8-sig", keep_default_na=False)
    assert table["threshold"].tolist() == ["≤ 80 m", "approved (commitment allowed)"]
    assert table["required"].tolist() == ["required", "advisory"]
    assert table["citation"].tolist() == ["", ""]


def test_bad_options_are_one_sentence(ws: Path, tmp_path: Path, capsys) -> None:
    assert main(["rules", str(ws), "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert "--lang 'fr'" in err and "Traceback" not in err
    assert main(["rules", str(ws), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "unknown format" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
    assert main(["rules", str(ws), "--rules", str(tmp_path / "none.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
