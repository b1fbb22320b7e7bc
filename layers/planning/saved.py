"""Saved scenarios: the workspace's ``scenarios`` table (name, build, assume_planned, note).

Saving goes through :meth:`Workspace.writing` with the editor role, so it is locked,
versioned, audited and undoable like every other write.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from gis.errors import InputError
from layers.access import Actor, Role
from layers.planning.scenario import Scenario

__all__ = ["delete_scenario", "save_scenario", "saved_scenarios", "scenario_named"]

_SEP = ","


def _bool(value: Any) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def saved_scenarios(ws: Any) -> dict[str, Scenario]:
    """Name → scenario for every row of the workspace's ``scenarios`` table (file order)."""
    table = ws.read("scenarios")
    if table is None or not len(table):
        return {}
    out: dict[str, Scenario] = {}
    for row in table.to_dict("records"):
        name = str(row.get("name") or "").strip()
        if not name:
            continue
        build = str(row.get("build") or "") if not pd.isna(row.get("build")) else ""
        out[name] = Scenario.of(build.split(_SEP),
                                assume_planned=_bool(row.get("assume_planned")), name=name)
    return out


def scenario_named(ws: Any, name: str) -> Scenario:
    """A saved scenario by name, or an :class:`InputError` listing the saved ones."""
    saved = saved_scenarios(ws)
    if name.strip() in saved:
        return saved[name.strip()]
    listed = ", ".join(saved) or "none"
    raise InputError(f"No saved scenario named {name!r}; saved: {listed}.",
                     hint="Save one first: devzone scenario WS --save NAME --build P1,P2.",
                     zh=f"没有名为 {name!r} 的已保存情景；已保存：{listed}。",
                     hint_zh="请先保存：devzone scenario WS --save 名称 --build P1,P2。")


def _table(scenarios: dict[str, Scenario], notes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({
        "name": list(scenarios),
        "build": [_SEP.join(sorted(s.build)) for s in scenarios.values()],
        "assume_planned": pd.array([s.assume_planned for s in scenarios.values()],
                                   dtype="boolean"),
        "note": [notes.get(k, "") for k in scenarios],
    })


def _notes(table: pd.DataFrame | None) -> dict[str, str]:
    if table is None or "note" not in table.columns:
        return {}
    return {str(r["name"]).strip(): "" if pd.isna(r["note"]) else str(r["note"])
            for r in table.to_dict("records")}


def save_scenario(ws: Any, actor: Actor, name: str, scenario: Scenario, *,
                  note: str = "") -> Scenario:
    """Save (or replace) ``scenario`` under ``name`` (editor role; audited, undoable)."""
    name = name.strip()
    if not name:
        raise InputError("A saved scenario needs a name.", hint="Give --save NAME.",
                         zh="保存情景需要名称。", hint_zh="请用 --save 指定名称。")
    if scenario.is_baseline:
        raise InputError(f"Scenario {name!r} builds nothing.",
                         hint="Name projects with --build P1,P2 or use --assume-planned.",
                         zh=f"情景 {name!r} 未包含任何项目。",
                         hint_zh="请用 --build P1,P2 指定项目，或使用 --assume-planned。")
    with ws.writing(actor, "scenario", role=Role.editor, note=name) as tx:
        current = tx.read("scenarios")
        saved = saved_scenarios(tx.ws)
        notes = _notes(current)
        saved[name] = Scenario(build=scenario.build, assume_planned=scenario.assume_planned,
                               name=name)
        notes[name] = note
        tx.replace("scenarios", _table(saved, notes))
    return saved[name]


def delete_scenario(ws: Any, actor: Actor, name: str) -> None:
    """Remove a saved scenario (editor role; audited, undoable)."""
    with ws.writing(actor, "scenario", role=Role.editor, note=f"delete {name}") as tx:
        saved = saved_scenarios(tx.ws)
        if name not in saved:
            scenario_named(tx.ws, name)  # raises, listing the saved ones
        notes = _notes(tx.read("scenarios"))
        del saved[name]
        tx.replace("scenarios", _table(saved, notes))
