"""Cross-layer checks: tables whose rows must name a parcel of the workspace."""

from __future__ import annotations

import pandas as pd

from gis.errors import PlannerError
from layers.schema import Finding
from layers.validate import findings_frame, project_findings, reference_findings

__all__ = ["with_parcel_references"]


def with_parcel_references(ws: object, kind: str, data: pd.DataFrame,
                           findings: pd.DataFrame) -> pd.DataFrame:
    """``findings`` plus one error per row of ``data`` naming a parcel ``ws`` does not hold.

    ``ws`` is a :class:`~layers.workspace.Workspace`. Nothing is added when the
    workspace has no parcels layer, or when it cannot be read (it is then reported
    on its own). Features of roads, water, power and gas naming a project the
    workspace's ``projects`` table lacks are reported too (when it has that table).
    """
    if "projects" in getattr(ws, "tables", {}) and "project_id" in data.columns:
        projects = _column(ws, "projects", "project_id")
        if projects is not None:
            findings = _merged(findings, project_findings(
                kind, data, projects.astype("string").str.strip()))
    if kind == "parcels" or "parcels" not in getattr(ws, "layers", {}):
        return findings
    parcels = _column(ws, "parcels", "parcel_id")
    if parcels is None:
        return findings
    return _merged(findings, reference_findings(kind, data, parcels))


def _column(ws: object, kind: str, column: str) -> pd.Series | None:
    """A column of the workspace's layer or table ``kind`` (``None`` if unreadable or absent)."""
    try:
        table = ws.read(kind)  # type: ignore[attr-defined]
    except PlannerError:
        return None
    if table is None or column not in table.columns:
        return None
    return table[column]


def _merged(findings: pd.DataFrame, refs: pd.DataFrame) -> pd.DataFrame:
    if refs.empty:
        return findings
    return findings_frame([*(Finding(**r) for r in findings.to_dict("records")),
                           *(Finding(**r) for r in refs.to_dict("records"))])
