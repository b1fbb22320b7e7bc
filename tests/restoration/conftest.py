"""Tiny synthetic restoration fixtures in EPSG:4547 (CGCS2000 3° GK, CM 114°E)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# pytest runs with --import-mode=importlib, which does not put test folders on sys.path;
# the helpers module (unique name) is shared by this folder's tests and its subprocesses.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20250601)
