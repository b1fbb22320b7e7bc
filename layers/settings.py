"""Typed settings in one place; the only module that reads environment variables.

``DeploymentSettings.from_env()`` reads the ``DEVZONE_*`` variables a server is
configured with. Domain defaults (e.g. restoration thresholds) live here as
frozen dataclasses so the CLI, the app and the reports share one value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DeploymentSettings"]


@dataclass(frozen=True)
class DeploymentSettings:
    """How this installation is deployed (environment variables, read once).

    Attributes
    ----------
    workspace
        ``DEVZONE_WORKSPACE``: the workspace folder the app opens (``None``: the
        default demo folder next to ``app.py``).
    tianditu_key
        ``DEVZONE_TIANDITU_KEY``: browser key for the optional Tianditu basemap.
    """

    workspace: Path | None = None
    tianditu_key: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeploymentSettings:
        """Settings from ``environ`` (default ``os.environ``)."""
        env = os.environ if environ is None else environ
        ws = env.get("DEVZONE_WORKSPACE", "").strip()
        return cls(
            workspace=Path(ws).expanduser().resolve() if ws else None,
            tianditu_key=env.get("DEVZONE_TIANDITU_KEY", "").strip(),
        )
