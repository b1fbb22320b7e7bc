"""Tiny synthetic restoration fixtures in EPSG:4547 (CGCS2000 3° GK, CM 114°E)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20250601)
