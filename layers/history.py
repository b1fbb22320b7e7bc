"""A workspace's audit trail and kept versions: listing, reading and restoring them.

Writes are recorded by :mod:`layers.transaction`; this module reads that record
for ``devzone history`` and the app's History view, and brings a kept version
back (itself a write: audited, and the version it replaces is kept in turn).
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd

from gis.errors import SchemaError, WorkspaceError
from layers.access import Actor, Role, require
from layers.catalog import CATALOG
from layers.transaction import AUDIT_COLUMNS, RULES, audit_path, content_hash, versions_dir
from layers.workspace import Workspace

__all__ = ["VERSION_COLUMNS", "audit_log", "check_name", "read_version", "restore_role",
           "restore_version", "versions"]

VERSION_COLUMNS: tuple[str, ...] = ("version", "kept_at", "user", "action", "rows", "hash",
                                    "note")


def check_name(layer: str) -> str:
    """``layer`` if it is a layer or table kind or ``rules``; :class:`SchemaError` else."""
    if layer == RULES or layer in CATALOG:
        return layer
    names = ", ".join([*CATALOG, RULES])
    raise SchemaError(f"Unknown layer {layer!r}; use one of {names}.",
                      zh=f"未知图层 {layer!r}，应为 {names} 之一。")


def audit_log(ws: Workspace, layer: str | None = None) -> pd.DataFrame:
    """The audit table (oldest first), optionally only the rows of ``layer``.

    Columns :data:`~layers.transaction.AUDIT_COLUMNS`; ``rows_before`` and
    ``rows_after`` are nullable integers, the rest text.
    """
    if layer is not None:
        check_name(layer)
    path = audit_path(ws.root)
    if path.exists() and path.stat().st_size:
        table = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    else:
        table = pd.DataFrame({c: pd.Series(dtype=str) for c in AUDIT_COLUMNS})
    for col in ("rows_before", "rows_after"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("Int64")
    if layer is not None:
        table = table[table["layer"] == layer].reset_index(drop=True)
    return table


def _metas(ws: Workspace, layer: str) -> list[dict[str, Any]]:
    folder = versions_dir(ws.root, check_name(layer))
    if not folder.is_dir():
        return []
    metas = []
    for path in folder.glob("*.json"):
        if path.stem.isdigit():
            metas.append(json.loads(path.read_text(encoding="utf-8")))
    return sorted(metas, key=lambda m: int(m["version"]))


def versions(ws: Workspace, layer: str) -> pd.DataFrame:
    """The kept versions of ``layer`` (oldest first): what it held before each change.

    Columns :data:`VERSION_COLUMNS`: ``kept_at`` is when the version was replaced,
    ``user``/``action``/``note`` say by whom and how.
    """
    rows = [{c: m.get(c) for c in VERSION_COLUMNS} for m in _metas(ws, layer)]
    table = pd.DataFrame(rows, columns=list(VERSION_COLUMNS))
    table["version"] = table["version"].astype("int64")
    table["rows"] = pd.to_numeric(table["rows"], errors="coerce").astype("Int64")
    return table


def _meta(ws: Workspace, layer: str, version: int) -> dict[str, Any]:
    for meta in _metas(ws, layer):
        if int(meta["version"]) == int(version):
            return meta
    kept = [str(m["version"]) for m in _metas(ws, layer)]
    have = ", ".join(kept) if kept else "none"
    raise WorkspaceError(
        f"The workspace {ws.root} keeps no version {version} of {layer} (kept: {have}).",
        hint=f"List them with `devzone history {ws.root} {layer}`.",
        zh=f"工作区 {ws.root} 中没有 {layer} 的第 {version} 版"
        f"（现有：{'、'.join(kept) or '无'}）。",
        hint_zh=f"可用 `devzone history {ws.root} {layer}` 查看。")


def read_version(ws: Workspace, layer: str, version: int) -> pd.DataFrame | str:
    """Kept version ``version`` of ``layer`` as stored (the rulebook as TOML text)."""
    meta = _meta(ws, layer, version)
    folder = versions_dir(ws.root, layer)
    if meta["format"] == "toml":
        return (folder / f"{version}.toml").read_text(encoding="utf-8")
    path = folder / f"{version}.parquet"
    return gpd.read_parquet(path) if meta.get("geo") else pd.read_parquet(path)


def restore_role(layer: str) -> Role:
    """Who may restore ``layer``: editors; admins for the rulebook and the inspection history."""
    return Role.admin if layer in (RULES, "inspections") else Role.editor


def restore_version(ws: Workspace, layer: str, version: int, *, actor: Actor) -> dict[str, Any]:
    """Bring kept version ``version`` of ``layer`` back; return the audit row written.

    Needs the ``editor`` role (``admin`` for the rulebook and the append-only
    inspection history). The current content is kept as a new version first, so
    a restore can itself be undone. The kept file's content hash is checked
    before it is written back.
    """
    name_zh = CATALOG[check_name(layer)].zh if layer in CATALOG else "规则手册"
    role = restore_role(layer)
    require(actor, role, f"restore a version of {layer}", f"恢复{name_zh}的历史版本")
    with ws.writing(actor, "restore", role=role, note=f"version {version}") as tx:
        meta = _meta(tx.ws, layer, version)
        data = read_version(tx.ws, layer, version)
        if content_hash(data) != meta["hash"]:
            raise WorkspaceError(
                f"Version {version} of {layer} in {ws.root} is damaged: its content no longer "
                "matches the hash recorded when it was kept.",
                hint="Choose another version.",
                zh=f"{ws.root} 中 {layer} 的第 {version} 版已损坏：内容与保存时记录的哈希不一致。",
                hint_zh="请选择其他版本。")
        return tx.restore(layer, data, meta)
