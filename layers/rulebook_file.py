"""Saving the workspace's rulebook: administrators only, checked, audited, versioned."""

from __future__ import annotations

from pathlib import Path

from layers.access import Actor, Role, require
from layers.workspace import Workspace

__all__ = ["save_rulebook"]


def save_rulebook(ws: Workspace, text: str, *, actor: Actor) -> Path:
    """Write ``text`` as the workspace's rulebook and return its path.

    Needs the ``admin`` role. The text must parse as a rulebook
    (:class:`~gis.errors.RulebookError` otherwise, nothing written). A workspace
    without one gets ``rules.toml`` added to its manifest. The previous rulebook
    is kept as a version and the save is audited.
    """
    from layers.readiness import load_rulebook

    require(actor, Role.admin, "save the rulebook", "保存规则手册")
    rulebook = load_rulebook(text)
    note = f"{rulebook.name} {rulebook.version}".strip()
    with ws.writing(actor, "rulebook", role=Role.admin, note=note) as tx:
        tx.save_rules(text)
    assert ws.rules_path is not None
    return ws.rules_path
