"""Standard-land readiness: rulebook, rule evaluation, summary, gap-to-ready and sketch checks."""

from __future__ import annotations

from layers.readiness._base import STATUSES
from layers.readiness.evaluate import (
    FAILING_SEP,
    LONG_COLUMNS,
    OVERALL_LABELS,
    OVERALL_STATUSES,
    STATUS_LABELS,
    ReadinessResult,
    evaluate,
)
from layers.readiness.gap import GAP_COLUMNS, gap_to_ready
from layers.readiness.inputs import ReadinessInputs, inputs_from_workspace
from layers.readiness.rulebook import (
    RULE_KINDS,
    AssessmentRule,
    AttributeRule,
    Bound,
    DistanceRule,
    IndicatorsRule,
    MinDistanceRule,
    OverlapRule,
    RasterCoverageRule,
    RasterRule,
    Rule,
    Rulebook,
    RuleParameter,
    WithinRule,
    default_rulebook_path,
    load_rulebook,
    rulebook_in_force,
)
from layers.readiness.sketch import SKETCH_ID, SketchResult, check_sketch
from layers.readiness.summary import ReadinessSummary, parcel_zones, summarize

__all__ = [
    "FAILING_SEP",
    "GAP_COLUMNS",
    "LONG_COLUMNS",
    "OVERALL_LABELS",
    "OVERALL_STATUSES",
    "RULE_KINDS",
    "SKETCH_ID",
    "STATUSES",
    "STATUS_LABELS",
    "AssessmentRule",
    "AttributeRule",
    "Bound",
    "DistanceRule",
    "IndicatorsRule",
    "MinDistanceRule",
    "OverlapRule",
    "RasterCoverageRule",
    "RasterRule",
    "ReadinessInputs",
    "ReadinessResult",
    "ReadinessSummary",
    "Rule",
    "RuleParameter",
    "Rulebook",
    "SketchResult",
    "WithinRule",
    "check_sketch",
    "default_rulebook_path",
    "evaluate",
    "gap_to_ready",
    "inputs_from_workspace",
    "load_rulebook",
    "parcel_zones",
    "rulebook_in_force",
    "summarize",
]
