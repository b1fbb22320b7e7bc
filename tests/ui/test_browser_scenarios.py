"""The Scenarios page in a real Chromium (offline): pick a project, parcels change, download."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from layers.planning.outcome import run_scenario
from layers.planning.scenario import Scenario
from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
from layers.workspace import Workspace
from tests.ui.test_browser import MAP_FRAME, _no_exception, _shot
from ui.map.styles import SELECTED_COLOR

pytestmark = pytest.mark.browser


def _expected(ws_path: Path) -> pd.DataFrame:
    ws = Workspace.load(ws_path)
    rb = rulebook_in_force(ws, None)
    inputs = inputs_from_workspace(ws, rulebook=rb)
    return run_scenario(inputs, rb, Scenario.of(["LZ-WS-01"]), as_of=ws.as_of,
                        projects=ws.read("projects"),
                        baseline=evaluate(inputs, rb, as_of=ws.as_of)).changes


def test_pick_a_project_outlines_the_changed_parcels_and_downloads(offline_page,
                                                                   app_server) -> None:
    expected = _expected(app_server.ws)
    assert len(expected) > 0
    page = offline_page
    page.goto(f"{app_server.url}/scenarios")
    page.locator("h1").filter(has_text="规划情景").first.wait_for(timeout=120_000)
    page.locator('[data-testid="stMultiSelect"]').first.click()
    page.locator('[role="option"]').filter(has_text="LZ-WS-01").first.click()
    page.keyboard.press("Escape")
    page.get_by_text(f"{len(expected)} 个地块的准备状态发生变化").wait_for(timeout=120_000)
    frame = page.frame_locator(MAP_FRAME).first
    outline = frame.locator(f'path.leaflet-interactive[stroke="{SELECTED_COLOR}"]')
    # attached, not necessarily visible: parcels outside the opening view have empty paths
    outline.first.wait_for(state="attached", timeout=60_000)
    _shot(page, "scenarios-zh")
    assert outline.count() == len(expected)  # every changed parcel, and only those
    _no_exception(page)
    button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text="CSV")
    with page.expect_download() as info:
        button.first.click()
    got = pd.read_csv(info.value.path(), encoding="utf-8-sig")
    assert sorted(got["parcel_id"]) == sorted(expected["parcel_id"])
    assert set(got["after"]) == set(expected["after"]) and set(got["before"]) == {"not_ready"}
