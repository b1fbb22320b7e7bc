"""The built package works on its own, away from the repository.

The sdist and wheel are built with uv, the wheel is installed (not editable)
into a fresh venv at the versions uv.lock pins, and the installed ``devzone``
runs from a folder outside the checkout: the demo, a readiness check with the
packaged 25-rule rulebook, and an HTML report (templates, county boundaries).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from layers.readiness import default_rulebook_path, load_rulebook

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gis", "layers", "ui", "cli")

def _uv() -> str:
    """uv on PATH, else the copy ``make`` installs in .venv-uv; CI must have one."""
    found = shutil.which("uv") or next(
        (str(p) for p in [ROOT / ".venv-uv" / "bin" / "uv"] if p.is_file()), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but uv is missing: `make test` installs it in .venv-uv.")
        pytest.skip("uv is not installed (`make setup` installs it)")
    return found


def _run(cmd: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=240, check=False)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _source_files() -> list[str]:
    """What a commit of the checkout would hold: tracked and new, not ignored, files."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: which files are sources is unknown")
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [p for p in out.split("\0") if p and os.path.lexists(ROOT / p)]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the sdist and the wheel built from it, from a clean copy of the sources.

    A copy, because build leftovers in the checkout (``*.egg-info``) would smuggle files
    into the package that a fresh clone's build leaves out.
    """
    src = tmp_path_factory.mktemp("src")
    for rel in _source_files():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel, follow_symlinks=False)
    out = tmp_path_factory.mktemp("dist")
    _run([_uv(), "build", "--quiet", "--out-dir", out, src], cwd=out)
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed, dependencies at uv.lock's versions."""
    uv = _uv()
    root = tmp_path_factory.mktemp("installed")
    locked = root / "locked.txt"
    _run([uv, "export", "--quiet", "--frozen", "--no-hashes", "--no-emit-project",
          "--format", "requirements-txt", "--project", ROOT, "-o", locked], cwd=root)
    _run([uv, "venv", "--quiet", "--python", sys.executable, root / "venv"], cwd=root)
    python = root / "venv" / "bin" / "python"
    (wheel,) = dist.glob("*.whl")
    # constraints, not requirements: what gets installed is what the wheel declares
    _run([uv, "pip", "install", "--quiet", "--python", python, "--constraint", locked, wheel],
         cwd=root)
    return root / "venv"


def test_uv_lock_matches_the_declared_dependencies() -> None:
    """uv.lock was re-made after the last change of pyproject.toml's dependencies."""
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    def key(name: str, spec: str, marker: str) -> tuple[str, SpecifierSet, str]:
        return name.lower().replace("_", "-"), SpecifierSet(spec), marker

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = []
    for extra, reqs in [("", project["dependencies"]),
                        *project.get("optional-dependencies", {}).items()]:
        for text in reqs:
            req = Requirement(text)
            declared.append(key(req.name, str(req.specifier),
                                f"extra == '{extra}'" if extra else ""))
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    (me,) = [p for p in lock["package"] if p["name"] == "devzone-planner"]
    locked = [key(r["name"], r.get("specifier", ""), r.get("marker", ""))
              for r in me["metadata"]["requires-dist"]]
    assert sorted(locked, key=str) == sorted(declared, key=str), \
        "pyproject.toml's dependencies changed since uv.lock was made: run `make lock`"


def test_a_missing_packaged_rulebook_fails_loudly(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.resources

    from gis.errors import RulebookError

    monkeypatch.setattr(importlib.resources, "files", lambda _package: tmp_path)
    with pytest.raises(RulebookError, match="incomplete") as err:
        default_rulebook_path()
    assert str(tmp_path / "rules" / "changzhi.toml") in str(err.value) and "缺失" in err.value.zh


@pytest.mark.slow
def test_the_wheel_holds_every_source_file_of_the_packages(dist: Path) -> None:
    sources = [p for p in _source_files() if p.split("/")[0] in PACKAGES
               and not (ROOT / p).is_symlink()]
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "layers/readiness/rules/changzhi.toml" in sources
    assert sorted(set(sources) - names) == []


@pytest.mark.slow
def test_installed_devzone_runs_the_demo_and_all_25_rules_outside_the_repo(
        venv: Path, tmp_path: Path) -> None:
    bin_ = venv / "bin"
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([bin_ / "python", "-c", "import layers, layers.readiness as r; "
                  "print(layers.__file__); print(r.default_rulebook_path())"], cwd=work)
    module, rulebook = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(rulebook).is_relative_to(venv)
    assert list(venv.glob("lib/python*/site-packages/__editable__*")) == []

    demo = _run([bin_ / "devzone", "demo", "--out", "ws"], cwd=work)
    check = _run([bin_ / "devzone", "check", "ws", "--out", "readiness.csv"], cwd=work)
    text = demo.stdout + demo.stderr + check.stdout + check.stderr
    assert "placeholder" not in text.lower()

    expected = {r.id for r in load_rulebook(default_rulebook_path()).rules}
    assert len(expected) == 25
    assert (work / "ws" / "rules.toml").read_text(encoding="utf-8") == \
        default_rulebook_path().read_text(encoding="utf-8")
    with open(work / "readiness.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["rule_id"] for r in rows} == expected
    manifest = tomllib.loads((work / "ws" / "workspace.toml").read_text(encoding="utf-8"))
    assert manifest["rules"] == {"file": "rules.toml"}
    assert len({r["parcel_id"] for r in rows}) == 300 and len(rows) == 300 * 25

    parcel = next(r["parcel_id"] for r in rows)
    _run([bin_ / "devzone", "report", "ws", "--parcel", parcel, "--out", "parcel.html"],
         cwd=work)
    html = (work / "parcel.html").read_text(encoding="utf-8")
    assert parcel in html and "<html" in html
