"""Every corpus case through the real `devzone import`: refused cleanly or accepted and placed.

Most cases run in this process through ``cli.main.main`` (the entry point of the
``devzone`` script, with its error handling); the GDAL-risky ones and a few others
run as real ``devzone`` processes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely

from cli.main import main
from tests.hardening.hardening_corpus import Case, argv, build_workspace, cases, fingerprint

REPO = Path(__file__).resolve().parents[2]
CASES = cases()
_SENTENCE_END = re.compile(r"[.?!。](?:\s|$)")


def test_corpus_size_and_names() -> None:
    names = [c.name for c in CASES]
    assert len(names) >= 50
    assert len(set(names)) == len(names)
    assert {c.outcome for c in CASES} == {"refused", "accepted"}
    assert sum(c.subprocess for c in CASES) >= 5


@pytest.fixture(scope="module")
def base_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("corpus") / "ws")


def _prepare(case: Case, base: Path, tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    ws = tmp_path / "ws"
    shutil.copytree(base, ws)
    folder = tmp_path / "in"
    folder.mkdir()
    file = case.build(folder)
    return ws, file, fingerprint(ws)


def _layer_count(ws: Path, kind: str) -> int:
    from layers.workspace import Workspace

    data = Workspace.load(ws).read(kind)
    return 0 if data is None else len(data)


def _check(case: Case, code: int, err: str, ws: Path, file: Path, before: dict[str, str],
           count_before: int) -> None:
    assert "Traceback" not in err, err
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    if case.outcome == "refused":
        assert code == 2, err
        assert len(errors) == 1, err
        line = errors[0]
        assert file.name in line, line  # names the file
        for word in case.says:
            assert word in line, (word, line)
        # the problem, then what to do about it
        assert len(_SENTENCE_END.findall(line)) >= 2, line
        assert fingerprint(ws) == before, "the workspace changed"
        return
    assert code == 0, err
    assert not errors, err
    notes = " ".join(ln for ln in err.splitlines() if ln.startswith("note:"))
    for word in case.says:
        assert word in notes, (word, err)
    from layers.workspace import Workspace

    data = Workspace.load(ws).read(case.kind)
    assert len(data) == count_before + case.added
    new = data.iloc[count_before:].to_crs(4326)
    pts = shapely.get_coordinates(new.geometry.representative_point().to_numpy())
    minx, miny, maxx, maxy = case.lands
    assert ((pts[:, 0] >= minx) & (pts[:, 0] <= maxx)
            & (pts[:, 1] >= miny) & (pts[:, 1] <= maxy)).all(), pts


@pytest.mark.parametrize("case", [c for c in CASES if not c.subprocess], ids=lambda c: c.name)
def test_case_in_process(case: Case, base_ws: Path, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    ws, file, before = _prepare(case, base_ws, tmp_path)
    count = _layer_count(ws, case.kind)
    capsys.readouterr()
    code = main(argv(case, ws, file))
    _check(case, code, capsys.readouterr().err, ws, file, before, count)


def _devzone() -> list[str]:
    script = Path(sys.executable).with_name("devzone")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.subprocess], ids=lambda c: c.name)
def test_case_as_a_process(case: Case, base_ws: Path, tmp_path: Path) -> None:
    ws, file, before = _prepare(case, base_ws, tmp_path)
    count = _layer_count(ws, case.kind)
    proc = subprocess.run([*_devzone(), *argv(case, ws, file)], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=False,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    _check(case, proc.returncode, proc.stderr, ws, file, before, count)


def test_hostile_values_are_stored_verbatim(base_ws: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from layers.workspace import Workspace
    from tests.hardening.hardening_corpus import HOSTILE_NAMES

    case = next(c for c in CASES if c.name == "geojson_hostile_names_kept_verbatim")
    ws, file, _ = _prepare(case, base_ws, tmp_path)
    assert main(argv(case, ws, file)) == 0
    parcels = Workspace.load(ws).read("parcels").set_index("parcel_id")
    for pid, name in HOSTILE_NAMES.items():
        assert parcels.loc[pid, "name"] == name
