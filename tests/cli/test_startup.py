"""`devzone --help` stays light: the command modules import heavy libraries only inside
the commands that use them (checked in a fresh interpreter, never by timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("geopandas", "streamlit", "rasterio", "matplotlib", "weasyprint", "pandas",
         "pyogrio", "pyarrow", "shapely", "folium")

_PROBE = """
import contextlib, io, json, sys
from cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "help": out.getvalue(),
                  "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _probe(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=REPO,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("args", [(), ("check", "--help"), ("demo", "--help"),
                                  ("restoration", "--help"), ("report", "--help")])
def test_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    seen = _probe(*(args or ("--help",)))
    assert seen["code"] == 0
    assert "Usage:" in seen["help"]
    assert sorted(set(HEAVY) & set(seen["loaded"])) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The same probe notices pandas once a command that needs it has run."""
    seen = _probe("check", "/nonexistent-workspace")
    assert seen["code"] == 2
    assert "pandas" in seen["loaded"]


def test_parsing_a_command_line_imports_no_pydantic() -> None:
    """typer 0.29 coerces each argument through pydantic (0.12–0.15 s a command); the
    pin in pyproject.toml keeps a typer that does not."""
    seen = _probe("check", "/nonexistent-workspace", "--out", "r.csv", "--parcel", "A,B")
    assert seen["code"] == 2  # the workspace is missing: the arguments were parsed
    assert "pydantic" not in seen["loaded"]


_POOL = """
import json, sys
from cli.main import main
main(["--help"])
import pyarrow as pa
print(json.dumps(pa.default_memory_pool().backend_name))
"""


def _pool(env: dict[str, str]) -> str:
    import os

    clean = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    proc = subprocess.run([sys.executable, "-c", _POOL], cwd=REPO, capture_output=True,
                          text=True, check=True, env={**clean, **env})
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="jemalloc is chosen on Linux")
def test_a_command_allocates_with_jemalloc_unless_told_otherwise() -> None:
    import pyarrow as pa

    if "jemalloc" not in pa.supported_memory_backends():
        pytest.skip("this pyarrow has no jemalloc")
    assert _pool({}) == "jemalloc"
    assert _pool({"ARROW_DEFAULT_MEMORY_POOL": "system"}) == "system"
