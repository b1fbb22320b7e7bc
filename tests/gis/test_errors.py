"""Tests for gis.errors: every user-facing error can speak Chinese; str() stays English."""

from __future__ import annotations

import ast
import re
import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.errors import (
    CRSError,
    InputError,
    PlannerError,
    RulebookError,
    UnsafeArchiveError,
    WorkspaceError,
)
from gis.io import read_vector, read_vector_isolated
from layers.access import Actor, Role
from layers.importing import ImportRefused, import_layer
from layers.readiness.rulebook import load_rulebook
from layers.restoration import append_inspection
from layers.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
_CJK = re.compile(r"[\u4e00-\u9fff]")

_RULE_HEAD = '[meta]\nname = "t"\nversion = "1"\n[[rule]]\n'


# --------------------------------------------------------------------------- text()


def test_text_chooses_language_and_str_stays_english() -> None:
    exc = InputError("File a.shp has no CRS.", hint="Add a .prj file.",
                     zh="文件 a.shp 未声明坐标系。", hint_zh="请补充 .prj 文件。")
    assert str(exc) == "File a.shp has no CRS. Add a .prj file."
    assert exc.text("en") == str(exc)
    assert exc.text("zh") == "文件 a.shp 未声明坐标系。请补充 .prj 文件。"
    assert exc.text("fr") == str(exc)
    assert (exc.message, exc.hint, exc.zh, exc.hint_zh) == (
        "File a.shp has no CRS.", "Add a .prj file.",
        "文件 a.shp 未声明坐标系。", "请补充 .prj 文件。")


def test_text_falls_back_to_english_without_chinese() -> None:
    exc = CRSError("No CRS.", hint="Add a .prj file.")
    assert exc.zh is None and exc.hint_zh is None
    assert exc.text("zh") == exc.text("en") == str(exc) == "No CRS. Add a .prj file."
    bare = WorkspaceError("Nothing here.")
    assert bare.text("zh") == "Nothing here."


def test_chinese_message_without_chinese_hint_keeps_the_english_hint() -> None:
    exc = InputError("Bad file.", hint="Export it again.", zh="文件有误。")
    assert exc.text("zh") == "文件有误。 Export it again."
    assert InputError("Bad file.", zh="文件有误。").text("zh") == "文件有误。"


def test_import_refused_passes_chinese_through() -> None:
    exc = ImportRefused("x.gpkg was not imported.", report=None,  # type: ignore[arg-type]
                        hint="Fix it.", zh="x.gpkg 未能导入。", hint_zh="请修正。")
    assert exc.text("zh") == "x.gpkg 未能导入。请修正。"
    assert str(exc) == "x.gpkg was not imported. Fix it."
    assert isinstance(exc, PlannerError) and exc.report is None


# --------------------------------------------------------------------------- real raises


def _without_prj(gdf: gpd.GeoDataFrame, shp: Path) -> Path:
    gdf.to_file(shp)
    shp.with_suffix(".prj").unlink()
    return shp


def test_missing_file_in_chinese(tmp_path: Path) -> None:
    missing = tmp_path / "规划地块.geojson"
    with pytest.raises(InputError) as info:
        read_vector(missing)
    zh = info.value.text("zh")
    assert str(missing) in zh and "不存在" in zh and "请检查路径" in zh
    assert info.value.text("en") == f"Input file {missing} does not exist. Check the path."


def test_ambiguous_crs_in_chinese(parcels: gpd.GeoDataFrame, tmp_path: Path) -> None:
    shp = _without_prj(parcels.to_crs(4547), tmp_path / "gk.shp")
    with pytest.raises(CRSError) as info:
        read_vector(shp)
    zh = info.value.text("zh")
    assert zh.startswith("gk.shp 未声明坐标系")
    assert "EPSG:4534" in zh and "EPSG:4554" in zh and "--crs" in zh and "EPSG:4547" in zh
    assert "gk.shp has no CRS" in str(info.value)  # English unchanged


def test_isolated_reader_keeps_the_chinese_text(parcels: gpd.GeoDataFrame,
                                                tmp_path: Path) -> None:
    shp = _without_prj(parcels.to_crs(4547), tmp_path / "gk.shp")
    with pytest.raises(CRSError) as info:
        read_vector_isolated(shp, timeout=60)
    assert info.value.text("zh").startswith("gk.shp 未声明坐标系")
    assert info.value.text("en").startswith("gk.shp has no CRS")


def test_zip_bomb_refusal_in_chinese(tmp_path: Path) -> None:
    bomb = tmp_path / "地块.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("parcels.shp", b"\0" * (2 * 1024 * 1024))
    with pytest.raises(UnsafeArchiveError) as info:
        read_vector(bomb)
    zh = info.value.text("zh")
    assert "地块.zip" in zh and "'parcels.shp'" in zh and "zip 炸弹" in zh
    assert "zip bomb" in str(info.value)


def test_bad_rulebook_names_rule_and_key_in_chinese() -> None:
    text = _RULE_HEAD + 'id = "road"\nkind = "distance"\nlabel = "通路"\nlayer = "roads"\n'
    with pytest.raises(RulebookError) as info:
        load_rulebook(text)
    assert info.value.text("zh").startswith("规则文本：规则 'road'，键 'max_m'：缺少该键")
    assert "rule 'road', key 'max_m': missing key" in str(info.value)

    bad_layer = text + "max_m = 50.0\n"
    with pytest.raises(RulebookError) as info:
        load_rulebook(bad_layer.replace('"roads"', '"rivers"'))
    zh = info.value.text("zh")
    assert "规则 'road'，键 'layer'：未知图层 'rivers'" in zh and "请使用以下之一" in zh


def test_nested_rulebook_error_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(_RULE_HEAD + 'id = "ind"\nkind = "indicators"\nlabel = "指标"\n'
                    '[rule.by_industry.pv]\nfar = { min = "high" }\n', encoding="utf-8")
    with pytest.raises(RulebookError) as info:
        load_rulebook(path)
    assert info.value.text("zh") == (
        f"{path}：规则 'ind'，键 'by_industry.pv.far'：应为数值，实际为 'high'。")
    assert str(info.value) == (
        f"{path}: rule 'ind', key 'by_industry.pv.far': expected a number, got 'high'.")


def test_missing_rulebook_file_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "长治规则.toml"
    with pytest.raises(RulebookError) as info:
        load_rulebook(path)
    assert info.value.text("zh") == f"规则文件 {path} 不存在。请指定一个已存在的 .toml 文件。"


def test_missing_workspace_manifest_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as info:
        Workspace.load(tmp_path)
    zh = info.value.text("zh")
    assert f"{tmp_path / 'workspace.toml'} 处没有工作区清单" in zh and "devzone demo" in zh


INSPECTOR = Actor("李工", Role.inspector)


def _mines_workspace(root: Path) -> Workspace:
    root.mkdir()
    mines = gpd.GeoDataFrame({"site_id": ["K1"], "stage": ["approved"], "name": ["东山矿"]},
                             geometry=[shapely.box(500_000, 4_000_000, 500_200, 4_000_200)],
                             crs="EPSG:4547")
    mines.to_file(root / "layers.gpkg", layer="mines", driver="GPKG", engine="pyogrio")
    (root / "workspace.toml").write_text(
        'name = "t"\ncrs = "EPSG:4547"\n[layers]\nmines = "layers.gpkg:mines"\n',
        encoding="utf-8")
    return Workspace.load(root)


def test_refused_inspection_joins_the_chinese_problems(tmp_path: Path) -> None:
    ws = _mines_workspace(tmp_path / "ws")
    row = {"site_id": "K1", "date": "2025-07-01", "stage": "in_progress",
           "veg_cover_pct": 130}
    with pytest.raises(InputError) as info:
        append_inspection(ws, row, actor=INSPECTOR, today=date(2025, 6, 1))
    zh = info.value.text("zh")
    assert "图斑 K1：巡查日期 2025-07-01 晚于今天" in zh and "植被覆盖度 130" in zh
    assert "Site K1" in str(info.value) and not _CJK.search(info.value.text("en"))

    with pytest.raises(InputError) as info:
        append_inspection(ws, {**row, "site_id": "K9"}, actor=INSPECTOR,
                          today=date(2025, 6, 1))
    assert "图斑 'K9' 不在" in info.value.text("zh") and "K1" in info.value.text("zh")


def test_import_clash_in_chinese(tmp_path: Path) -> None:
    ws = _mines_workspace(tmp_path / "ws")
    again = tmp_path / "again.gpkg"
    ws.read("mines").to_file(again, layer="mines", driver="GPKG", engine="pyogrio")
    with pytest.raises(ImportRefused) as info:
        import_layer(ws, "mines", again, actor=Actor("编辑甲", Role.editor))
    zh = info.value.text("zh")
    assert f"{again} 未能导入为矿山修复图斑（mines）图层" in zh and "K1" in zh and "--replace" in zh


# --------------------------------------------------------------------------- coverage

# Modules whose errors reach the user (UI and CLI); each raise there carries Chinese text.
_MODULES = [
    "gis/_read.py", "gis/_locate.py", "gis/_csv.py", "gis/_encoding.py", "gis/_crs_fix.py",
    "gis/_repair.py", "gis/_isolated.py", "gis/_archive.py", "gis/_write.py", "gis/raster.py",
    "layers/workspace.py", "layers/importing.py", "layers/readiness/rulebook.py",
    "layers/restoration/inspections.py", "layers/readiness/sketch.py",
    "layers/readiness/evaluate.py", "layers/readiness/inputs.py", "layers/restoration/inputs.py",
    "layers/restoration/ndvi.py", "layers/restoration/progress.py", "gis/crs.py",
    "gis/measure.py", "layers/demo/build.py", "layers/catalog.py", "layers/transaction.py",
    "layers/history.py", "layers/rulebook_file.py", *sorted(
        str(p.relative_to(REPO)) for p in (REPO / "layers" / "reports").glob("*.py")),
]
_BUILTIN = {"ValueError", "TypeError", "KeyError", "RuntimeError", "NotImplementedError",
            "TimeoutError"}


def _error_calls(tree: ast.AST) -> list[ast.Call]:
    """Calls constructing a PlannerError: ``raise XError(…)``, ``return XError(…)`` and
    the rulebook's ``r.error(…)``."""
    out = []
    for node in ast.walk(tree):
        value = node.exc if isinstance(node, ast.Raise) else (
            node.value if isinstance(node, ast.Return) else None)
        if not isinstance(value, ast.Call):
            continue
        fn = value.func
        name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
        if (name.endswith("Error") or name in ("error", "ImportRefused")) and name not in _BUILTIN:
            out.append(value)
    return out


@pytest.mark.parametrize("module", _MODULES)
def test_every_user_facing_raise_has_chinese(module: str) -> None:
    tree = ast.parse((REPO / module).read_text(encoding="utf-8"))
    calls = _error_calls(tree)
    missing = [c.lineno for c in calls if not any(k.arg == "zh" for k in c.keywords)]
    assert not missing, f"{module}: errors without zh= at line(s) {missing}"
    for call in calls:
        for kw in call.keywords:
            if kw.arg in ("zh", "hint_zh") and isinstance(kw.value, ast.Constant | ast.JoinedStr):
                assert _CJK.search(ast.unparse(kw.value)), f"{module}:{call.lineno} {kw.arg}"
