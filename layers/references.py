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
    findings = _with_project_references(ws, kind, data, findings)
    if kind == "parcels" or "parcels" not in getattr(ws, "layers", {}):
        return findings
    try:
        parcels = ws.read("parcels")  # type: ignore[attr-defined]
    except PlannerError:
        return findings
    if parcels is None or "parcel_id" not in parcels.columns:
        return findings
    refs = reference_findings(kind, data, parcels["parcel_id"])
    if refs.empty:
        return findings
    return findings_frame([*(Finding(**r) for r in findings.to_dict("records")),
                           *(Finding(**r) for r in refs.to_dict("records"))])


def _with_project_references(ws: object, kind: str, data: pd.DataFrame,
                             findings: pd.DataFrame) -> pd.DataFrame:
    if "projects" not in getattr(ws, "tables", {}) or "project_id" not in data.columns:
        return findings
    try:
        projects = ws.read("projects")  # type: ignore[attr-defined]
    except PlannerError:
        return findings
    if projects is None or "project_id" not in projects.columns:
        return findings
    refs = project_findings(kind, data, projects["project_id"].astype("string").str.strip())
    if refs.empty:
        return findings
    return findings_frame([*(Finding(**r) for r in findings.to_dict("records")),
                           *(Finding(**r) for r in refs.to_dict("records"))])
