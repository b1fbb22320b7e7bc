"""Manifest, raster and rulebook paths must stay inside the workspace folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gis.errors import WorkspaceError
from layers.workspace import Workspace
from tests.hardening.hardening_corpus import build_workspace


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = build_workspace(tmp_path / "ws")
    (root / "rasters").mkdir()
    (root / "rasters" / "dem.tif").write_bytes(b"not read by load()")
    (root / "rules.toml").write_text("", encoding="utf-8")
    return root


def _with(root: Path, extra: str) -> Path:
    manifest = root / "workspace.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return root


def test_inside_paths_still_load(root: Path) -> None:
    ws = Workspace.load(_with(root, '\n[rasters]\ndem = "rasters/dem.tif"\n'
                                    '\n[rules]\nfile = "./rules.toml"\n'))
    assert ws.raster_path("dem") == root / "rasters" / "dem.tif"
    assert ws.rules_path == root / "./rules.toml"


@pytest.mark.parametrize("extra", [
    '\n[tables]\ninspections = "../outside.gpkg:inspections"\n',
    '\n[tables]\nassessments = "/etc/hostname"\n',
    '\n[rasters]\ndem = "../../etc/hostname"\n',
    '\n[rasters]\ndem = "/etc/hostname"\n',
    '\n[rasters.ndvi]\n"2020" = "rasters/../../outside.tif"\n',
    '\n[rules]\nfile = "/etc/hostname"\n',
    '\n[rules]\nfile = "../rules.toml"\n',
])
def test_paths_leaving_the_folder_are_refused(root: Path, extra: str) -> None:
    (root.parent / "outside.gpkg").write_bytes(b"x")
    (root.parent / "outside.tif").write_bytes(b"x")
    (root.parent / "rules.toml").write_text("", encoding="utf-8")
    with pytest.raises(WorkspaceError) as info:
        Workspace.load(_with(root, extra))
    assert "points outside the workspace folder" in str(info.value)
    assert "工作区文件夹" in info.value.text("zh")


def test_layer_path_with_dotdot_is_refused(root: Path) -> None:
    manifest = root / "workspace.toml"
    text = manifest.read_text(encoding="utf-8").replace(
        'parcels = "layers.gpkg:parcels"', 'parcels = "../ws/../elsewhere/layers.gpkg:parcels"')
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"\[layers\] parcels = .* points outside"):
        Workspace.load(root)


def test_a_symlink_leading_out_is_refused(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.gpkg"
    secret.write_bytes((root / "layers.gpkg").read_bytes())
    os.symlink(secret, root / "linked.gpkg")
    _with(root, '\n[tables]\nassessments = "linked.gpkg:parcels"\n')
    with pytest.raises(WorkspaceError, match="points outside the workspace folder"):
        Workspace.load(root)


def test_a_symlink_inside_the_folder_is_fine(root: Path) -> None:
    os.symlink(root / "layers.gpkg", root / "alias.gpkg")
    manifest = root / "workspace.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'zones = "layers.gpkg:zones"', 'zones = "alias.gpkg:zones"'), encoding="utf-8")
    assert len(Workspace.load(root).read("zones")) == 2


def test_a_workspace_reached_through_a_symlink_loads(root: Path, tmp_path: Path) -> None:
    link = tmp_path / "link-to-ws"
    os.symlink(root, link)
    assert len(Workspace.load(link).read("parcels")) == 3
