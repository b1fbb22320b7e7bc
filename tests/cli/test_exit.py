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
    assert f"cannot write --out {out}: {blocker} is a file, not a folder" in proc.stderr
    assert proc.stdout == ""  # refused before the check ran
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


_STALLED_WRITE = """
import sys, time
import gis._write
from cli.main import run

def stalled(df, tmp):
    tmp.write_bytes(b"parcel_id\\n")  # a temporary file, half written
    print("writing", file=sys.stderr, flush=True)
    time.sleep(3)  # then it ends as if all was written

gis._write._write_csv = stalled
sys.argv = ["devzone", *sys.argv[1:]]
run()
"""


def test_a_terminated_command_leaves_no_temporary_file(tmp_path: Path, demo_ws: Path) -> None:
    import signal

    out = tmp_path / "结果.csv"
    proc = subprocess.Popen([sys.executable, "-c", _STALLED_WRITE, "check", str(demo_ws),
                             "--out", str(out)], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    with proc.stderr:
        for line in proc.stderr:
            if line.strip() == "writing":
                break
        assert [p.name.startswith(".结果.") for p in tmp_path.iterdir()] == [True]
        proc.send_signal(signal.SIGTERM)
        err = proc.stderr.read()
    assert proc.wait(timeout=60) == 143
    assert "Terminated" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_dask_options_are_checked_before_any_work(tmp_path: Path, demo_ws: Path) -> None:
    alone = _run("check", str(demo_ws), "--partitions", "3", "--out", str(tmp_path / "r.csv"))
    assert alone.returncode == 2
    assert "--partitions is an option of --engine dask only" in alone.stderr
    for address in ("nonsense", "http://127.0.0.1:8786", "tcp://host"):
        bad = _run("check", str(demo_ws), "--engine", "dask", "--scheduler", address,
                   "--out", str(tmp_path / "parts"))
        assert bad.returncode == 2, bad.stderr
        assert f"--scheduler {address!r} is not the address of a Dask scheduler" in bad.stderr
        assert "Traceback" not in bad.stderr
    assert list(tmp_path.iterdir()) == []


def test_parcels_left_out_for_want_of_geometry_are_reported(demo_ws_copy: Path) -> None:
    import pyogrio

    gpkg = demo_ws_copy / "layers.gpkg"
    parcels = pyogrio.read_dataframe(gpkg, layer="parcels")
    parcels.loc[[3, 7], "geometry"] = None
    pyogrio.write_dataframe(parcels, gpkg, layer="parcels")
    proc = _run("check", str(demo_ws_copy), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert ("note: parcels layer layers.gpkg: 2 feature(s) without geometry were dropped "
            "(feature index 3, 7). They are not in the results") in proc.stderr
    assert f"{len(parcels) - 2} parcels × 25 rules" in proc.stderr


def test_a_folder_in_place_of_the_result_is_refused_before_any_work(
        tmp_path: Path, demo_ws: Path) -> None:
    out = tmp_path / "结果.csv"
    out.mkdir()
    proc = _run("check", str(demo_ws), "--out", str(out))
    assert proc.returncode == 2
    assert f"--out {out}: a folder of that name is in the way" in proc.stderr
    assert proc.stdout == ""  # refused before the check ran
    assert sorted(p.name for p in tmp_path.iterdir()) == ["结果.csv"]
