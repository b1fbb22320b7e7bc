"""The contracts / performance / commitments tables: catalogue, validation, import, export."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from cli.main import main
from layers.access import cli_actor
from layers.catalog import CATALOG, alias_map
from layers.importing import ImportRefused, export_layer, import_layer
from layers.validate import reference_findings, validate_raw
from layers.workspace import Workspace

CRS = "EPSG:4547"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    root.mkdir()
    geoms = [box(500_000 + i * 200, 4_000_000, 500_100 + i * 200, 4_000_100) for i in range(2)]
    gpd.GeoDataFrame({"parcel_id": ["P1", "P2"], "area_ha": [1.0, 1.0]}, geometry=geoms,
                     crs=CRS).to_file(root / "layers.gpkg", layer="parcels", driver="GPKG")
    (root / "workspace.toml").write_text(
        'name = "测试"\ncrs = "EPSG:4547"\n[layers]\nparcels = "layers.gpkg:parcels"\n',
        encoding="utf-8")
    return Workspace.load(root)


def _contracts_zh(**over) -> pd.DataFrame:
    """Contracts as a zone would type them: Chinese headers."""
    base = {"地块编号": ["P1", "P2"], "企业名称": ["长治光伏科技有限公司", "潞安新材料有限公司"],
            "签约日期": ["2022-03-01", "2022-05-01"], "交地日期": ["2022-04-01", "2022-06-01"],
            "约定开工日期": ["2022-06-01", "2022-09-01"],
            "约定竣工日期": ["2023-12-31", "2024-06-30"],
            "实际开工日期": ["2022-06-10", None], "承诺亩均税收": [15.0, 20.0],
            "承诺单位能耗": [0.3, 0.25]}
    base.update(over)
    return pd.DataFrame(base)


def _findings(kind: str, raw: pd.DataFrame) -> pd.DataFrame:
    return validate_raw(kind, raw)[1]


def test_catalogue_entries_have_labels_and_chinese_aliases() -> None:
    for kind in ("contracts", "performance", "commitments"):
        spec = CATALOG[kind]
        assert spec.is_table and spec.zh and spec.en
        assert "parcel_id" in spec.required
        assert alias_map(spec)["地块编号"] == "parcel_id"
    amap = alias_map(CATALOG["contracts"])
    assert amap["约定开工日期"] == "agreed_start_date"
    assert amap["承诺亩均税收"] == "committed_tax_per_mu"
    assert alias_map(CATALOG["performance"])["年度"] == "year"
    assert alias_map(CATALOG["commitments"])["承诺期限"] == "due_date"


def test_chinese_contracts_are_clean() -> None:
    data, found = validate_raw("contracts", _contracts_zh())
    assert not (found["severity"].isin(["error", "warning"])).any(), found
    assert data["enterprise"].iloc[0] == "长治光伏科技有限公司"
    assert str(data["agreed_start_date"].dtype).startswith("datetime64")


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("约定竣工日期", ["2022-05-01", "2024-06-30"], "agreed_completion_date 2022-05-01 is before "
                                                   "agreed_start_date 2022-06-01"),
    ("交地日期", ["2022-02-01", "2022-06-01"], "handover_date 2022-02-01 is before signed_date"),
])
def test_dates_out_of_order_are_errors(column: str, value: list[str], problem: str) -> None:
    found = _findings("contracts", _contracts_zh(**{column: value}))
    errors = found[found["severity"] == "error"]
    assert len(errors) == 1 and errors["feature"].iloc[0] == "P1"
    assert errors["problem_en"].iloc[0].startswith(problem)
    assert "早于" in errors["problem"].iloc[0]


def test_completion_without_start_and_duplicate_contracts() -> None:
    raw = _contracts_zh(**{"地块编号": ["P1", "P1"],
                           "实际竣工日期": [None, "2024-05-01"]})
    found = _findings("contracts", raw)
    problems = list(found.loc[found["severity"] == "error", "problem_en"])
    assert "actual_completion_date is set but actual_start_date is empty" in problems
    assert "id 'P1' is used by 2 features" in problems


def test_duplicate_performance_year_and_unknown_parcel() -> None:
    perf = pd.DataFrame({"地块编号": ["P1", "P1", "P9"], "年度": [2024, 2024, 2024],
                         "亩均税收": [10.0, 11.0, 5.0]})
    data, found = validate_raw("performance", perf)
    dup = found[found["problem_en"].str.contains("appears more than once")]
    assert len(dup) == 1 and dup["problem_en"].iloc[0] == "parcel_id + year P1 / 2024 appears " \
        "more than once"
    refs = reference_findings("performance", data, ["P1", "P2"])
    assert list(refs["problem_en"]) == ["parcel 'P9' does not exist in the parcels layer"]
    assert "P9" in refs["problem"].iloc[0] and "不存在" in refs["problem"].iloc[0]


def test_import_refuses_a_contract_for_an_unknown_parcel(ws: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "合同.csv"
    _contracts_zh(**{"地块编号": ["P1", "P7"]}).to_csv(src, index=False, encoding="utf-8")
    with pytest.raises(ImportRefused) as info:
        import_layer(ws, "contracts", src, actor=cli_actor())
    assert "P7" in str(info.value)
    assert not ws.has("contracts")


def test_import_export_round_trip_keeps_chinese(ws: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "合同.csv"
    _contracts_zh().to_csv(src, index=False, encoding="utf-8")
    report = import_layer(ws, "contracts", src, actor=cli_actor())
    assert report.ok and report.n_features == 2
    back = Workspace.load(ws.root).read("contracts")
    assert list(back["enterprise"]) == ["长治光伏科技有限公司", "潞安新材料有限公司"]
    out = export_layer(ws, "contracts", tmp_path / "out.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert "长治光伏科技有限公司" in text and "agreed_start_date" in text


def test_cli_validate_reports_unknown_parcels(ws: Workspace, tmp_path: Path, capsys) -> None:
    good = tmp_path / "c.csv"
    _contracts_zh().to_csv(good, index=False, encoding="utf-8")
    assert main(["import", str(ws.root), "contracts", str(good)]) == 0
    perf = tmp_path / "p.csv"
    pd.DataFrame({"parcel_id": ["P1", "P5"], "year": [2024, 2024],
                  "tax_per_mu": [12.0, 3.0]}).to_csv(perf, index=False)
    assert main(["import", str(ws.root), "performance", str(perf)]) == 2
    capsys.readouterr()
    assert main(["validate", str(ws.root)]) == 0
