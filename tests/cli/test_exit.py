"""How a ``devzone`` process ends: the exit code, the ``atexit`` handlers and the output
of a command survive the quick exit of :func:`cli.main.run`; failures of the system
(an unwritable folder, a closed pipe) are one sentence, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_RUN = """
import atexit, sys
from cli.main import run
atexit.register(lambda: print("atexit ran", file=sys.stderr, flush=True))
sys.argv = ["devzone", *sys.argv[1:]]
run()
"""


def _run(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _RUN, *args], cwd=REPO,
                          capture_output=True, text=True, check=False, **kw)


def test_run_keeps_exit_code_output_and_atexit_handlers() -> None:
    ok = _run("--help")
    assert ok.returncode == 0
    assert "Usage:" in ok.stdout and ok.stderr.rstrip().endswith("atexit ran")
    bad = _run("check", "/nonexistent-workspace")
    assert bad.returncode == 2
    assert "atexit ran" in bad.stderr
    assert "workspace.toml" in bad.stderr and "Traceback" not in bad.stderr


def test_a_result_in_a_folder_that_cannot_be_made(tmp_path: Path, demo_ws: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "r.csv"
    proc = _run("check", str(demo_ws), "--parcel", "GX-0106-1", "--out", str(out))
    assert proc.returncode == 2
    assert f"cannot write {out}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_closed_pipe_ends_quietly(demo_ws: Path) -> None:
    """Output piped into a reader that has gone (as ``| head`` does)."""
    proc = subprocess.Popen([sys.executable, "-c", _RUN, "check", str(demo_ws)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody reads: the first line written meets a broken pipe
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "Broken pipe" not in err and "Exception" not in err
    assert err.rstrip().endswith("atexit ran")
