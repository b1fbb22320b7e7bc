"""Gathering the supervision tables from a workspace (the one place that reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from gis.errors import WorkspaceError
from layers.readiness.rulebook import Rulebook, rulebook_in_force
from layers.supervision.evaluate import supervise
from layers.supervision.floors import contract_floors

if TYPE_CHECKING:
    from layers.workspace import Workspace

__all__ = ["SupervisionInputs", "inputs_from_workspace", "supervise_workspace"]


@dataclass(frozen=True)
class SupervisionInputs:
    """The contracts (required), the optional performance and commitments tables, and the
    rulebook's contract conditions per parcel (:func:`~layers.supervision.contract_floors`)."""

    contracts: pd.DataFrame
    performance: pd.DataFrame | None = None
    commitments: pd.DataFrame | None = None
    floors: pd.DataFrame | None = None


def inputs_from_workspace(ws: Workspace, rulebook: Rulebook | None = None) -> SupervisionInputs:
    """Read the three tables and the contract conditions of ``rulebook`` (default: the
    rulebook in force); a workspace without ``contracts`` is a clear error."""
    if not ws.has("contracts"):
        raise WorkspaceError(
            f"The workspace {ws.root} has no contracts table, so there is nothing to supervise.",
            hint="Import one with `devzone import WS contracts FILE` (columns parcel_id, "
            "agreed_start_date, agreed_completion_date, …).",
            zh=f"工作区 {ws.root} 中没有供地合同（contracts）表，无法开展履约监管。",
            hint_zh="请用 `devzone import 工作区 contracts 文件` 导入（字段：地块编号、"
            "约定开工日期、约定竣工日期等）。")
    rulebook = rulebook if rulebook is not None else rulebook_in_force(ws)
    floors = contract_floors(ws.read("parcels"), rulebook) if ws.has("parcels") else None
    return SupervisionInputs(ws.read("contracts"),
                             ws.read("performance") if ws.has("performance") else None,
                             ws.read("commitments") if ws.has("commitments") else None,
                             floors)


def supervise_workspace(ws: Workspace, as_of: date, rulebook: Rulebook | None = None
                        ) -> pd.DataFrame:
    """:func:`~layers.supervision.supervise` on the workspace's tables, contracts held to
    the rulebook's contract conditions where they set no value of their own."""
    inp = inputs_from_workspace(ws, rulebook)
    return supervise(inp.contracts, inp.performance, inp.commitments, as_of=as_of,
                     floors=inp.floors)
