"""Mine restoration tracking: stages, inspections, progress, NDVI recovery, priorities, KPIs."""

from __future__ import annotations

from layers.restoration.evaluate import RestorationResult, evaluate, export_frame
from layers.restoration.inputs import RestorationInputs, inputs_from_workspace
from layers.restoration.inspections import (
    History,
    Problem,
    append_inspection,
    normalize_history,
    validate_inspection,
)
from layers.restoration.kpis import kpis
from layers.restoration.ndvi import (
    endmembers,
    reference_rings,
    vegetation_cover,
    zonal_ndvi,
)
from layers.restoration.priority import DEFAULT_WEIGHTS, PriorityResult, priorities
from layers.restoration.progress import LEAD_COLUMNS, ProgressResult, progress
from layers.restoration.stages import (
    FLAG_CODES,
    FLAG_LABELS,
    MINE_STAGES,
    STAGE_LABELS,
    flag_label,
    is_backwards,
    parse_stage,
    stage_index,
    stage_label,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "FLAG_CODES",
    "FLAG_LABELS",
    "LEAD_COLUMNS",
    "MINE_STAGES",
    "STAGE_LABELS",
    "History",
    "PriorityResult",
    "Problem",
    "ProgressResult",
    "RestorationInputs",
    "RestorationResult",
    "append_inspection",
    "endmembers",
    "evaluate",
    "export_frame",
    "flag_label",
    "inputs_from_workspace",
    "is_backwards",
    "kpis",
    "normalize_history",
    "parse_stage",
    "priorities",
    "progress",
    "reference_rings",
    "stage_index",
    "stage_label",
    "validate_inspection",
    "vegetation_cover",
    "zonal_ndvi",
]
