"""The Scenarios page (AppTest, no browser): pick a project, see the changed parcels."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.planning.outcome import run_scenario
from layers.planning.scenario import Scenario
from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
from layers.workspace import Workspace
from tests.ui.conftest import ROOT

PAGE = "ui/pages/scenarios.py"


@pytest.fixture
def demo_env(demo_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws))
    return demo_ws


def _run() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_pick_a_project_shows_the_parcels_it_makes_ready(demo_env: Path) -> None:
    ws = Workspace.load(demo_env)
    rb = rulebook_in_force(ws, None)
    inputs = inputs_from_workspace(ws, rulebook=rb)
    expected = run_scenario(inputs, rb, Scenario.of(["LZ-WS-01"]), as_of=ws.as_of,
                            projects=ws.read("projects"),
                            baseline=evaluate(inputs, rb, as_of=ws.as_of))
    at = _run()
    assert at.title[0].value.startswith("规划情景")
    picker = at.multiselect(key="scen_build")
    assert "LZ-WS-01" in picker.options[0] or any("LZ-WS-01" in o for o in picker.options)
    picker.set_value(["LZ-WS-01"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["新增可供地块"] == str(expected.summary["parcels_unlocked"])
    assert metrics["项目投资（万元）"] == "3,800"
    table = at.dataframe[0].value
    assert sorted(table["地块编号"]) == sorted(expected.changes["parcel_id"])
    assert set(table["依托项目"]) == {"LZ-WS-01"}
    # anonymous viewers see the save section read-only
    assert any("只读" in str(c.value) for c in at.caption)
