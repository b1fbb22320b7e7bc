"""The ordered restoration stages, their labels, and the flag codes of the tracker."""

from __future__ import annotations

from layers.catalog import MINE_STAGES, STAGE_LABELS, VALUE_ALIASES

__all__ = [
    "DONE_STAGES",
    "FLAG_CODES",
    "FLAG_LABELS",
    "MINE_STAGES",
    "STAGE_LABELS",
    "flag_label",
    "is_backwards",
    "parse_stage",
    "stage_index",
    "stage_label",
]

_INDEX = {s: i for i, s in enumerate(MINE_STAGES)}

# Stages at or after "works completed": the site is no longer overdue.
DONE_STAGES: tuple[str, ...] = MINE_STAGES[_INDEX["completed"]:]
# Stages at which vegetation is expected to be back (acceptance and later).
ACCEPTED_STAGES: tuple[str, ...] = MINE_STAGES[_INDEX["accepted"]:]
# Stages of a live project that must be inspected regularly.
ACTIVE_STAGES: tuple[str, ...] = MINE_STAGES[_INDEX["approved"]:_INDEX["closed"]]

FLAG_LABELS: dict[str, tuple[str, str]] = {
    "overdue": ("逾期未完工", "Overdue"),
    "forecast_late": ("预计无法按期完工", "Forecast misses the target date"),
    "stale_inspection": ("长期未巡查", "No recent inspection"),
    "stage_backwards": ("阶段倒退", "Stage moved backwards"),
    "restored_exceeds_area": ("修复面积超过图斑面积", "Restored area exceeds the site"),
    "low_vegetation": ("已验收但植被明显低于周边",
                       "Accepted but vegetation well below surroundings"),
}
FLAG_CODES: tuple[str, ...] = tuple(FLAG_LABELS)


def stage_index(stage: str) -> int:
    """Position of ``stage`` in :data:`MINE_STAGES` (0 = not_started).

    Examples
    --------
    >>> stage_index("in_progress")
    2
    """
    try:
        return _INDEX[stage]
    except KeyError:
        raise ValueError(f"unknown stage {stage!r}") from None


def parse_stage(value: object) -> str | None:
    """The stage code for an English code or a Chinese label, or ``None`` if unknown.

    Examples
    --------
    >>> parse_stage("已验收"), parse_stage(" Accepted "), parse_stage("done")
    ('accepted', 'accepted', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower() in _INDEX:
        return text.lower()
    code = VALUE_ALIASES["stage"].get(text)
    if code is None:  # English labels ("Works completed") are accepted too
        code = next((k for k, (_, en) in STAGE_LABELS.items() if en.lower() == text.lower()),
                    None)
    return code


def is_backwards(old: str, new: str) -> bool:
    """True when ``new`` comes before ``old`` in the stage order."""
    return stage_index(new) < stage_index(old)


def stage_label(stage: str, lang: str = "zh") -> str:
    """The Chinese (``lang="zh"``) or English label of a stage code."""
    zh, en = STAGE_LABELS[stage]
    return zh if lang == "zh" else en


def flag_label(code: str, lang: str = "zh") -> str:
    """The Chinese or English label of a flag code."""
    zh, en = FLAG_LABELS[code]
    return zh if lang == "zh" else en
