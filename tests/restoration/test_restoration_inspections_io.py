"""Appending inspections to a workspace: validated, append-only, safe under concurrent writers."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from gis.errors import InputError
from layers.access import Actor, Role
from layers.restoration import append_inspection
from layers.workspace import Workspace
from tests.restoration.restoration_helpers import make_history, make_sites

TODAY = date(2025, 6, 1)
INSPECTOR = Actor("李工", Role.inspector)
REPO = Path(__file__).resolve().parents[2]


def _build(root: Path, *, with_table: bool = True, n_sites: int = 2) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    mines = make_sites([{"site_id": f"K{i}", "stage": "approved", "x": 1000 * i, "side": 200,
                         "name": f"东山{i}号矿"} for i in range(1, n_sites + 1)])
    mines.to_file(root / "layers.gpkg", layer="mines", driver="GPKG", engine="pyogrio")
    tables = ""
    if with_table:
        hist = make_history([("K1", "2025-01-10", "approved", 0.0, "立项"),
                             ("K1", "2025-03-01", "in_progress", 1.0)])
        pyogrio.write_dataframe(hist, root / "layers.gpkg", layer="inspections", driver="GPKG")
        tables = '[tables]\ninspections = "layers.gpkg:inspections"\n'
    (root / "workspace.toml").write_text(
        'name = "测试"\ncrs = "EPSG:4547"\n[layers]\nmines = "layers.gpkg:mines"\n' + tables,
        encoding="utf-8")
    return root


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_append_keeps_history_and_adds_one_row(tmp_path: Path) -> None:
    ws = Workspace.load(_build(tmp_path / "ws"))
    before = ws.read("inspections")
    row = append_inspection(ws, {"site_id": "K1", "date": "2025-05-20", "stage": "已完工",
                                 "restored_area_ha": 3.9, "veg_cover_pct": 45,
                                 "note": "完工自检", "recorded_by": "李工"},
                            actor=INSPECTOR, today=TODAY)
    assert row.iloc[0]["stage"] == "completed"
    after = Workspace.load(tmp_path / "ws").read("inspections")
    assert len(after) == len(before) + 1
    pd.testing.assert_frame_equal(after.iloc[: len(before)].reset_index(drop=True),
                                  before.reset_index(drop=True))
    new = after.iloc[-1]
    assert (new["site_id"], new["stage"], new["note"], new["recorded_by"]) == \
        ("K1", "completed", "完工自检", "李工")
    assert new["date"] == pd.Timestamp("2025-05-20")
    assert new["restored_area_ha"] == pytest.approx(3.9)
    assert ws.read("inspections").shape == after.shape  # the caller's workspace sees it


def test_invalid_inspection_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    root = _build(tmp_path / "ws")
    ws = Workspace.load(root)
    digest = _digest(root / "layers.gpkg")
    with pytest.raises(InputError, match=r"Site K1: inspection date 2025-02-01 is before the "
                                         r"last inspection \(2025-03-01\)"):
        append_inspection(ws, {"site_id": "K1", "date": "2025-02-01", "stage": "in_progress"},
                          actor=INSPECTOR, today=TODAY)
    with pytest.raises(InputError, match="needs the reason in the note"):
        append_inspection(ws, {"site_id": "K1", "date": "2025-05-01", "stage": "approved"},
                          actor=INSPECTOR, today=TODAY)
    with pytest.raises(InputError, match="larger than the site"):
        append_inspection(ws, {"site_id": "K1", "date": "2025-05-01", "stage": "in_progress",
                               "restored_area_ha": 5.0}, actor=INSPECTOR, today=TODAY)
    with pytest.raises(InputError, match=r"'K7' is not in the mines layer.*K1, K2"):
        append_inspection(ws, {"site_id": "K7", "date": "2025-05-01", "stage": "approved"},
                          actor=INSPECTOR, today=TODAY)
    with pytest.raises(InputError, match="unknown fields"):
        append_inspection(ws, {"site_id": "K1", "date": "2025-05-01", "stage": "approved",
                               "colour": "red"}, actor=INSPECTOR, today=TODAY)
    assert _digest(root / "layers.gpkg") == digest


def test_first_inspection_creates_the_table_and_manifest_entry(tmp_path: Path) -> None:
    root = _build(tmp_path / "ws", with_table=False)
    ws = Workspace.load(root)
    assert not ws.has("inspections")
    append_inspection(ws, {"site_id": "K2", "date": "2025-05-01", "stage": "approved"},
                      actor=INSPECTOR, today=TODAY)
    fresh = Workspace.load(root)
    assert fresh.has("inspections") and ws.has("inspections")
    table = fresh.read("inspections")
    assert list(table["site_id"]) == ["K2"]
    assert len(fresh.read("mines")) == 2  # the container's other layer survived


_WRITER = textwrap.dedent("""
    import sys
    from datetime import date
    from layers.access import Actor, Role
    from layers.restoration import append_inspection
    from layers.workspace import Workspace

    root, site, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ws = Workspace.load(root)
    for i in range(n):
        append_inspection(ws, {"site_id": site, "date": date(2025, 4, 1 + i),
                               "stage": "in_progress", "restored_area_ha": 0.1 * (i + 1),
                               "recorded_by": site}, actor=Actor(site, Role.inspector),
                          today=date(2025, 6, 1))
""")


def test_concurrent_writers_lose_no_rows(tmp_path: Path) -> None:
    writers, per_writer = 4, 8
    root = _build(tmp_path / "ws", n_sites=writers + 1)
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(root), f"K{w + 2}",
                               str(per_writer)], cwd=REPO, stderr=subprocess.PIPE, text=True)
             for w in range(writers)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, errors
    table = Workspace.load(root).read("inspections")
    assert len(table) == 2 + writers * per_writer
    for w in range(writers):
        rows = table[table["site_id"] == f"K{w + 2}"]
        assert list(rows["date"].dt.day) == list(range(1, per_writer + 1))
        assert list(rows["recorded_by"]) == [f"K{w + 2}"] * per_writer
    assert table.iloc[:2]["site_id"].tolist() == ["K1", "K1"]  # history untouched
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".layers.")]
    assert leftovers == []
