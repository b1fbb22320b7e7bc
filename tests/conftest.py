"""Shared fixtures: one demo workspace per test session (built once, read-only for tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a freshly built Changzhi demo workspace (default size and seed).

    Tests must not modify it; copy it with ``demo_ws_copy`` to write into one.
    """
    from layers.demo import build_demo

    out = tmp_path_factory.mktemp("demo") / "demo"
    build_demo(out)
    return out


@pytest.fixture
def demo_ws_copy(demo_ws: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo workspace (without the results other tests
    stored in the shared one's ``.devzone/cache``)."""
    dst = tmp_path / "demo"
    shutil.copytree(demo_ws, dst, ignore=lambda folder, names: (
        ["cache"] if Path(folder).name == ".devzone" else []))
    return dst
