"""The demo workspace and its supervision table, shared by the supervision tests (read-only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from layers.supervision.inputs import supervise_workspace
from layers.workspace import Workspace


@pytest.fixture(scope="session")
def ws(demo_ws: Path) -> Workspace:
    return Workspace.load(demo_ws)


@pytest.fixture(scope="session")
def table(ws: Workspace) -> pd.DataFrame:
    """:func:`layers.supervision.supervise` on the demo as of its snapshot date."""
    return supervise_workspace(ws, ws.as_of)
