"""Fixtures for the write-path tests: a small workspace with Chinese names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --import-mode=importlib does not put test folders on sys.path; the helpers module
# (unique name) is shared by this folder's tests.
sys.path.insert(0, str(Path(__file__).parent))

from workspace_helpers import build


@pytest.fixture
def ws_root(tmp_path: Path) -> Path:
    """A fresh small workspace (parcels P1, P2; mines K1–K5; two inspections of K1)."""
    return build(tmp_path / "工作区")
