"""Validation findings speak Chinese too: problem / hint beside problem_en / hint_en."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from layers.access import Actor, Role
from layers.importing import ImportRefused, import_layer
from layers.schema import FINDING_COLUMNS, FINDING_COLUMNS_EN, Finding, normalize
from layers.validate import findings_frame, findings_in, validate, validate_raw
from layers.workspace import Workspace

CRS = "EPSG:4547"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _parcels(**cols) -> gpd.GeoDataFrame:
    geoms = cols.pop("geometry", [box(500_000, 4_000_000, 500_100, 4_000_100),
                                  box(500_200, 4_000_000, 500_300, 4_000_100)])
    base = {"parcel_id": ["P1", "P2"], "area_ha": [1.0, 1.0]}
    base.update(cols)
    return gpd.GeoDataFrame(base, geometry=geoms, crs=CRS)


def _only(table: pd.DataFrame, column: str, text: str) -> pd.Series:
    """The one finding on ``column`` whose English problem contains ``text``."""
    rows = table[(table["column"] == column) & table["problem_en"].str.contains(text, regex=False)]
    assert len(rows) == 1, table[FINDING_COLUMNS]
    return rows.iloc[0]


def _chinese(row: pd.Series, *, hint: bool = True) -> None:
    assert _CJK.search(row["problem"]), row["problem"]
    if hint:
        assert _CJK.search(row["hint"]), row["hint"]


def test_frame_keeps_the_chinese_columns_first_then_the_english() -> None:
    table = validate("parcels", _parcels())
    assert list(table.columns) == [*FINDING_COLUMNS, *FINDING_COLUMNS_EN]
    assert FINDING_COLUMNS == ["severity", "feature", "column", "problem", "hint"]
    assert list(findings_frame([]).columns) == [*FINDING_COLUMNS, *FINDING_COLUMNS_EN]
    f = Finding("error", None, "x", problem_en="bad")
    assert (f.problem, f.hint) == ("", "")


def test_missing_column_in_chinese() -> None:
    row = _only(validate("parcels", _parcels().drop(columns="parcel_id")), "parcel_id",
                "required column")
    _chinese(row)
    assert row["problem_en"] == "required column 'parcel_id' is missing"  # English unchanged
    assert row["problem"] == "缺少必填字段 “地块编号”（parcel_id）"
    assert row["hint"].startswith("请添加该字段（可用字段名：parcel_id、地块编号")


def test_empty_required_value_in_chinese() -> None:
    raw = pd.DataFrame({"scope": ["zone"], "scope_id": [None], "kind": ["eia"],
                        "status": ["approved"]})
    _, table = validate_raw("assessments", raw)
    row = _only(table, "scope_id", "is empty")
    _chinese(row)
    assert row["problem_en"] == "required value 'scope_id' is empty"
    assert row["hint_en"] == "Fill it in."
    assert "为空" in row["problem"]


def test_enum_value_in_chinese_lists_codes_with_their_chinese_names() -> None:
    data = normalize("parcels", _parcels(supply_status=["reserve", "sold"])).data
    row = _only(validate("parcels", data), "supply_status", "not allowed")
    _chinese(row)
    assert row["feature"] == "P2"
    assert row["problem"] == "“供应状态”（supply_status）的值 'sold' 不在允许范围内"
    assert "reserve（储备）" in row["hint"] and "supplied（已供应）" in row["hint"]
    assert row["hint_en"] == "Use one of: reserve, for_supply, supplied, under_construction."


def test_duplicate_id_in_chinese() -> None:
    row = _only(validate("parcels", _parcels(parcel_id=["P1", "P1"])), "parcel_id",
                "used by 2 features")
    _chinese(row)
    assert row["problem"] == "编号 'P1' 被 2 个要素重复使用"


@pytest.mark.parametrize(("geometry", "text", "zh"), [
    ([None, box(0, 0, 1, 1)], "missing or empty", "几何图形缺失或为空"),
    ([Polygon([(0, 0), (10, 10), (10, 0), (0, 10)]), box(0, 0, 1, 1)], "invalid",
     "几何图形无效"),
    ([Point(0, 0), box(0, 0, 1, 1)], "expected polygon", "几何类型为 Point，应为面（polygon）"),
])
def test_geometry_findings_in_chinese(geometry, text, zh) -> None:
    row = _only(validate("parcels", _parcels(geometry=geometry, area_ha=[None, None])),
                "geometry", text)
    _chinese(row)
    assert row["feature"] == "P1" and row["problem"] == zh


def test_layer_without_geometry_in_chinese() -> None:
    row = _only(validate("parcels", pd.DataFrame({"parcel_id": ["P1"]})), "geometry",
                "no geometry")
    _chinese(row)
    assert "标准地" in row["hint"] and "面" in row["hint"]


def test_area_mismatch_in_chinese() -> None:
    row = _only(validate("parcels", _parcels(area_ha=[1.0, 1.3])), "area_ha", "differs")
    _chinese(row)
    assert row["severity"] == "warning"
    assert row["problem"] == "填报面积 1.30 公顷与图形面积 1.00 公顷相差 30%"
    assert "5%" in row["hint"]


@pytest.mark.parametrize(("column", "value", "zh", "hint_zh"), [
    ("area_ha", "abc", "“面积（公顷）”（area_ha）的值 'abc' 不是数值", "12.5"),
    ("net_land", "maybe", "（net_land）的值 'maybe' 不是是/否值", "是/否"),
])
def test_type_conversion_in_chinese(column, value, zh, hint_zh) -> None:
    n = normalize("parcels", _parcels(**{column: ["1", value]}))
    bad = [f for f in n.findings if f.severity == "error"]
    assert len(bad) == 1 and bad[0].feature == "P2" and bad[0].column == column
    assert zh in bad[0].problem and hint_zh in bad[0].hint
    assert _CJK.search(bad[0].hint)


def test_date_conversion_and_info_findings_in_chinese() -> None:
    raw = pd.DataFrame({"图斑编号": ["K1"], "date": ["not a date"], "stage": ["approved"],
                        "备用": ["x"]})
    n = normalize("inspections", raw)
    by_kind = {(f.severity, f.column): f for f in n.findings}
    date_f = by_kind[("error", "date")]
    assert date_f.problem.endswith("的值 'not a date' 不是日期")
    assert "2025-06-30" in date_f.hint and _CJK.search(date_f.hint)
    renamed = by_kind[("info", "site_id")]
    assert renamed.problem_en == "column '图斑编号' read as 'site_id'"
    assert renamed.problem == "字段 '图斑编号' 已识别为 “图斑编号”（site_id）"
    unknown = by_kind[("info", "备用")]
    assert "不在巡查记录" in unknown.problem and _CJK.search(unknown.hint)


def test_every_finding_of_a_messy_layer_has_chinese() -> None:
    raw = _parcels(parcel_id=["P1", "P1"], area_ha=["1.3", "x"],
                   supply_status=["sold", "reserve"],
                   geometry=[box(500_000, 4_000_000, 500_100, 4_000_100), Point(0, 0)])
    raw["地块名称"] = ["甲", "乙"]
    _, table = validate_raw("parcels", raw)
    assert {"error", "warning", "info"} <= set(table["severity"])
    assert table["problem"].map(lambda s: bool(_CJK.search(s))).all(), table


def test_findings_in_picks_the_language() -> None:
    _, table = validate_raw("parcels", _parcels(parcel_id=["P1", "P1"]))
    table.insert(0, "layer", "parcels")
    zh = findings_in(table, "zh")
    en = findings_in(table, "en")
    assert list(zh.columns) == list(en.columns) == ["layer", *FINDING_COLUMNS]
    assert en["problem"].tolist() == table["problem_en"].tolist()
    assert zh["problem"].tolist() == table["problem"].tolist()
    # a finding without Chinese (e.g. built elsewhere) falls back to English
    mixed = findings_frame([Finding("warning", None, None, problem_en="only English",
                                    hint_en="fix it")])
    assert findings_in(mixed, "zh")[["problem", "hint"]].iloc[0].tolist() == [
        "only English", "fix it"]


def _ws(root: Path) -> Workspace:
    root.mkdir()
    _parcels().to_file(root / "layers.gpkg", layer="parcels", driver="GPKG", engine="pyogrio")
    (root / "workspace.toml").write_text(
        'name = "t"\ncrs = "EPSG:4547"\n[layers]\nparcels = "layers.gpkg:parcels"\n',
        encoding="utf-8")
    return Workspace.load(root)


def test_import_refused_lists_the_findings_in_chinese(tmp_path: Path) -> None:
    ws = _ws(tmp_path / "ws")
    bad = tmp_path / "bad.gpkg"
    _parcels(parcel_id=["P7", "P7"]).to_file(bad, layer="parcels", driver="GPKG",
                                             engine="pyogrio")
    with pytest.raises(ImportRefused) as info:
        import_layer(ws, "parcels", bad, actor=Actor("编辑甲", Role.editor))
    zh = info.value.text("zh")
    assert "P7 / parcel_id：编号 'P7' 被 2 个要素重复使用" in zh
    assert "id 'P7' is used by 2 features" in str(info.value)
    assert not _CJK.search(info.value.text("en").replace(str(tmp_path), ""))


def test_validate_workspace_carries_the_readers_chinese_notes(tmp_path: Path) -> None:
    from layers.validate import validate_workspace

    ws = _ws(tmp_path / "ws")
    bowtie = Polygon([(500_000, 4_000_000), (500_100, 4_000_100), (500_100, 4_000_000),
                      (500_000, 4_000_100)])
    _parcels(geometry=[bowtie, box(500_200, 4_000_000, 500_300, 4_000_100)],
             area_ha=[None, 1.0]).to_file(ws.root / "layers.gpkg", layer="parcels",
                                          driver="GPKG", engine="pyogrio")
    table, unusable = validate_workspace(ws)
    assert not unusable
    assert list(table.columns) == ["layer", *FINDING_COLUMNS, *FINDING_COLUMNS_EN]
    note = table[table["problem_en"].str.contains("repaired")]
    assert len(note) == 1 and _CJK.search(note.iloc[0]["problem"])


def test_prepare_import_keeps_the_readers_notes_in_both_languages(tmp_path: Path) -> None:
    from layers.importing import prepare_import

    ws = _ws(tmp_path / "ws")
    bowtie = Polygon([(500_000, 4_000_000), (500_100, 4_000_100), (500_100, 4_000_000),
                      (500_000, 4_000_100)])
    src = tmp_path / "new.gpkg"
    _parcels(parcel_id=["N1", "N2"], area_ha=[None, 1.0],
             geometry=[bowtie, box(500_200, 4_000_000, 500_300, 4_000_100)]).to_file(
        src, layer="parcels", driver="GPKG", engine="pyogrio")
    report = prepare_import(ws, "parcels", src)
    assert len(report.notes_en) == len(report.notes) >= 1
    assert any("repaired" in n for n in report.notes_en)
    assert all(_CJK.search(n) for n in report.notes)
