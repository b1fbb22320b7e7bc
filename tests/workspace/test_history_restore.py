"""Audit trail, kept versions, history and restore; appends that add optional columns."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

import cli.main as cli_main
from gis.errors import RulebookError, WorkspaceError
from layers.access import Actor, Role
from layers.history import audit_log, read_version, restore_version, versions
from layers.importing import import_layer
from layers.restoration import append_inspection
from layers.rulebook_file import save_rulebook
from layers.transaction import AUDIT_COLUMNS, content_hash, current_state
from layers.workspace import Workspace
from tests.workspace.workspace_helpers import build, parcels

EDITOR = Actor("编辑甲", Role.editor)
ADMIN = Actor("管理员", Role.admin)
INSPECTOR = Actor("巡查员乙", Role.inspector)


def _with_dates(ids: list[str]) -> gpd.GeoDataFrame:
    df = parcels(ids)
    df["供应日期"] = pd.to_datetime(["2024-03-01"] * len(ids)).astype("datetime64[ms]")
    return df


def test_replace_keeps_the_previous_version_and_restore_brings_it_back(
        ws_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workspace.load(ws_root)
    first = tmp_path / "第一版.gpkg"
    _with_dates(["甲1", "甲2", "甲3"]).to_file(first, layer="地块", driver="GPKG")
    import_layer(ws, "parcels", first, actor=EDITOR, replace=True)
    v1 = current_state(ws, "parcels")
    second = tmp_path / "第二版.geojson"
    parcels(["乙1"]).to_file(second, driver="GeoJSON", engine="pyogrio")
    import_layer(ws, "parcels", second, actor=EDITOR, replace=True)

    kept = versions(ws, "parcels")
    assert list(kept["version"]) == [1, 2] and list(kept["rows"]) == [2, 3]
    assert list(kept["action"]) == ["replace", "replace"] and set(kept["user"]) == {"编辑甲"}
    old = read_version(ws, "parcels", 2)  # what the first file brought, as stored
    assert list(old["parcel_id"]) == ["甲1", "甲2", "甲3"]
    assert list(old["权属单位"]) == ["长治市自然资源局"] * 3
    assert content_hash(old) == v1[1] == kept["hash"].iloc[1]

    row = restore_version(ws, "parcels", 2, actor=EDITOR)
    assert (row["action"], row["rows_before"], row["rows_after"]) == ("restore", 1, 3)
    assert current_state(ws, "parcels") == v1
    back = Workspace.load(ws_root).read("parcels")
    assert list(back["parcel_id"]) == ["甲1", "甲2", "甲3"]
    assert list(back["name"]) == ["地块甲1", "地块甲2", "地块甲3"]
    assert list(back["供应日期"]) == [pd.Timestamp("2024-03-01")] * 3
    assert back.geometry.iloc[0].equals_exact(
        parcels(["甲1"]).geometry.iloc[0], tolerance=1e-6)

    audit = audit_log(ws, "parcels")
    assert list(audit["action"]) == ["replace", "replace", "restore"]
    assert list(audit["note"]) == ["第一版.gpkg", "第二版.geojson", "version 2"]
    assert list(audit["hash_before"].iloc[1:]) == list(audit["hash_after"].iloc[:-1])
    assert len(versions(ws, "parcels")) == 3  # the restore kept what it replaced

    assert cli_main.main(["history", str(ws_root), "parcels"]) == 0
    out = capsys.readouterr().out
    assert "Versions of parcels" in out and "第二版.geojson" in out and "编辑甲" in out
    assert f"Current 当前: 3 rows, hash {v1[1][:12]}" in out
    assert cli_main.main(["restore", str(ws_root), "parcels", "--version", "3"]) == 0
    assert list(Workspace.load(ws_root).read("parcels")["parcel_id"]) == ["乙1"]


def test_audit_table_is_a_utf8_csv_with_the_contract_columns(ws_root: Path) -> None:
    ws = Workspace.load(ws_root)
    append_inspection(ws, {"site_id": "K2", "date": "2025-05-01", "stage": "施工中",
                           "note": "雨后复查，边坡稳定"}, actor=INSPECTOR)
    raw = (ws_root / ".devzone" / "audit.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\n")
    table = pd.read_csv(ws_root / ".devzone" / "audit.csv", encoding="utf-8-sig")
    assert list(table.columns) == list(AUDIT_COLUMNS)
    (row,) = table.to_dict("records")
    assert (row["user"], row["action"], row["layer"]) == ("巡查员乙", "inspect", "inspections")
    assert (row["rows_before"], row["rows_after"]) == (2, 3)
    assert row["note"] == "site K2, 2025-05-01" and len(row["hash_after"]) == 64


def test_unknown_version_and_damaged_version_are_refused(ws_root: Path, tmp_path: Path) -> None:
    ws = Workspace.load(ws_root)
    with pytest.raises(WorkspaceError, match=r"keeps no version 1 of parcels \(kept: none\)"):
        restore_version(ws, "parcels", 1, actor=EDITOR)
    src = tmp_path / "p.geojson"
    parcels(["Q1"]).to_file(src, driver="GeoJSON", engine="pyogrio")
    import_layer(ws, "parcels", src, actor=EDITOR, replace=True)
    kept = ws_root / ".devzone" / "versions" / "parcels" / "1.parquet"
    damaged = read_version(ws, "parcels", 1)
    damaged.loc[0, "name"] = "篡改"
    damaged.to_parquet(kept)
    current = current_state(ws, "parcels")
    with pytest.raises(WorkspaceError, match="is damaged") as info:
        restore_version(ws, "parcels", 1, actor=EDITOR)
    assert "已损坏" in info.value.text("zh")
    assert current_state(ws, "parcels") == current


def test_rulebook_save_is_checked_versioned_and_restorable(ws_root: Path) -> None:
    ws = Workspace.load(ws_root)
    original = (ws_root / "rules.toml").read_text(encoding="utf-8")
    with pytest.raises(RulebookError):
        save_rulebook(ws, original.replace('kind = "distance"', 'kind = "teleport"'), actor=ADMIN)
    assert (ws_root / "rules.toml").read_text(encoding="utf-8") == original
    save_rulebook(ws, original.replace("50.0", "80.0"), actor=ADMIN)
    assert "max_m = 80.0" in (ws_root / "rules.toml").read_text(encoding="utf-8")
    (row,) = audit_log(ws, "rules").to_dict("records")
    assert (row["action"], row["rows_before"], row["rows_after"]) == ("rulebook", 1, 1)
    assert read_version(ws, "rules", 1) == original
    with pytest.raises(Exception, match="needs the admin role"):
        restore_version(ws, "rules", 1, actor=EDITOR)
    restore_version(ws, "rules", 1, actor=ADMIN)
    assert (ws_root / "rules.toml").read_text(encoding="utf-8") == original


def test_first_rulebook_is_added_to_the_manifest(tmp_path: Path) -> None:
    root = build(tmp_path / "ws")
    text = (root / "rules.toml").read_text(encoding="utf-8")
    (root / "rules.toml").unlink()
    manifest = (root / "workspace.toml").read_text(encoding="utf-8")
    (root / "workspace.toml").write_text(manifest.split("[rules]")[0], encoding="utf-8")
    ws = Workspace.load(root)
    assert ws.rules_path is None
    path = save_rulebook(ws, text, actor=ADMIN)
    assert path == root / "rules.toml" and Workspace.load(root).rules == "rules.toml"
    assert audit_log(ws, "rules")["hash_before"].tolist() == [""]
    assert len(versions(ws, "rules")) == 0  # nothing to keep before the first one


def test_appending_to_a_table_without_optional_columns_adds_them(tmp_path: Path) -> None:
    root = build(tmp_path / "ws", veg=False)  # a county's table: no veg_cover_pct, note …
    assert "veg_cover_pct" not in pyogrio.read_info(root / "layers.gpkg",
                                                    layer="inspections")["fields"]
    assert cli_main.main(["inspect", str(root), "K1", "--date", "2025-05-01", "--stage",
                          "施工中", "--veg-cover", "35", "--note", "补植"]) == 0
    table = pyogrio.read_dataframe(root / "layers.gpkg", layer="inspections")
    assert len(table) == 3
    assert table["veg_cover_pct"].iloc[:2].isna().all() and table["veg_cover_pct"].iloc[2] == 35
    assert table["note"].iloc[2] == "补植" and table["note"].iloc[:2].isna().all()
    assert list(table["restored_area_ha"].iloc[:2]) == [0.0, 1.0]  # old rows as they were
    append_inspection(Workspace.load(root), {"site_id": "K1", "date": "2025-05-02",
                                             "stage": "in_progress"}, actor=INSPECTOR)
    assert len(Workspace.load(root).read("inspections")) == 4


def test_content_hash_ignores_dtypes_and_sees_values() -> None:
    a = pd.DataFrame({"x": [1, 2], "名称": ["甲", None], "d": pd.to_datetime(["2025-01-01"] * 2)})
    b = a.astype({"x": "float64"})
    b["d"] = b["d"].astype("datetime64[ms]")
    assert content_hash(a) == content_hash(b)
    c = a.copy()
    c.loc[1, "x"] = 3
    assert content_hash(c) != content_hash(a)
    assert content_hash(a.iloc[::-1]) != content_hash(a)  # row order is content
    g = parcels(["P1"])
    h = g.copy()
    h["geometry"] = h.geometry.translate(0.01)
    assert content_hash(g) != content_hash(h) and content_hash(None) == ""
    assert content_hash(pd.DataFrame({"v": [np.nan]})) == content_hash(pd.DataFrame({"v": [None]}))
