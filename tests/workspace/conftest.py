"""Fixtures for the write-path tests: a small workspace with Chinese names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workspace.workspace_helpers import build


@pytest.fixture
def ws_root(tmp_path: Path) -> Path:
    """A fresh small workspace (parcels P1, P2; mines K1–K5; two inspections of K1)."""
    return build(tmp_path / "工作区")
