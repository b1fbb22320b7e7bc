"""Every write function checks the actor's role first; a refused write changes no byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis.errors import AccessError, InputError
from layers.access import Actor, Role
from layers.history import restore_version
from layers.importing import import_layer
from layers.restoration import append_inspection
from layers.rulebook_file import save_rulebook
from layers.workspace import Workspace
from tests.workspace.workspace_helpers import X0, digest, parcels

VIEWER = Actor("访客", Role.viewer)
INSPECTOR = Actor("巡查员乙", Role.inspector)
EDITOR = Actor("编辑甲", Role.editor)
ADMIN = Actor("管理员", Role.admin)
INSPECTION = {"site_id": "K2", "date": "2025-05-01", "stage": "in_progress"}


@pytest.fixture
def ws_with_history(ws_root: Path, tmp_path: Path) -> Workspace:
    """The workspace after one replace by an editor (so version 1 of parcels exists)."""
    ws = Workspace.load(ws_root)
    src = tmp_path / "新.geojson"
    parcels(["Q1"]).to_file(src, driver="GeoJSON", engine="pyogrio")
    import_layer(ws, "parcels", src, actor=EDITOR, replace=True)
    return ws


def _writes(ws: Workspace, src: Path) -> dict[str, object]:
    rules = (ws.root / "rules.toml").read_text(encoding="utf-8")
    return {
        "import_layer": lambda actor: import_layer(ws, "parcels", src, actor=actor),
        "replace_layer": lambda actor: import_layer(ws, "parcels", src, actor=actor,
                                                    replace=True),
        "append_inspection": lambda actor: append_inspection(ws, INSPECTION, actor=actor),
        "restore_version": lambda actor: restore_version(ws, "parcels", 1, actor=actor),
        "save_rulebook": lambda actor: save_rulebook(ws, rules.replace("50.0", "60.0"),
                                                     actor=actor),
        "writing": lambda actor: ws.writing(actor, "import", role=Role.editor).__enter__(),
    }


@pytest.mark.parametrize("write", ["import_layer", "replace_layer", "append_inspection",
                                   "restore_version", "save_rulebook", "writing"])
def test_a_viewer_is_refused_and_nothing_changes(ws_with_history: Workspace, tmp_path: Path,
                                                  write: str) -> None:
    src = tmp_path / "p3.geojson"
    parcels(["P3"], x0=X0 + 3_000).to_file(src, driver="GeoJSON", engine="pyogrio")
    before = digest(ws_with_history.root)
    with pytest.raises(AccessError, match=r"User 访客 \(viewer\) may not") as info:
        _writes(ws_with_history, src)[write](VIEWER)
    assert "查看者" in info.value.text("zh")
    assert digest(ws_with_history.root) == before


@pytest.mark.parametrize(("write", "actor", "needed"), [
    ("import_layer", INSPECTOR, "editor"),
    ("restore_version", INSPECTOR, "editor"),
    ("save_rulebook", EDITOR, "admin"),
])
def test_each_write_needs_its_role(ws_with_history: Workspace, tmp_path: Path, write: str,
                                   actor: Actor, needed: str) -> None:
    src = tmp_path / "p3.geojson"
    parcels(["P3"], x0=X0 + 3_000).to_file(src, driver="GeoJSON", engine="pyogrio")
    before = digest(ws_with_history.root)
    with pytest.raises(AccessError, match=f"needs the {needed} role"):
        _writes(ws_with_history, src)[write](actor)
    assert digest(ws_with_history.root) == before


def test_each_role_may_do_its_writes(ws_with_history: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "p3.geojson"
    parcels(["P3"], x0=X0 + 3_000).to_file(src, driver="GeoJSON", engine="pyogrio")
    writes = _writes(ws_with_history, src)
    row = writes["append_inspection"](INSPECTOR).iloc[0]
    assert row["recorded_by"] == "巡查员乙"  # the actor, not free text
    writes["import_layer"](EDITOR)
    writes["restore_version"](EDITOR)
    path = writes["save_rulebook"](ADMIN)
    assert "max_m = 60.0" in path.read_text(encoding="utf-8")


def test_recorded_by_cannot_name_someone_else(ws_root: Path) -> None:
    ws = Workspace.load(ws_root)
    before = digest(ws_root)
    with pytest.raises(InputError, match=r"recorded_by is the signed-in user \(巡查员乙\)"):
        append_inspection(ws, {**INSPECTION, "recorded_by": "李四"}, actor=INSPECTOR)
    assert digest(ws_root) == before
    append_inspection(ws, {**INSPECTION, "recorded_by": "巡查员乙"}, actor=INSPECTOR)
