"""One writer at a time: concurrent CLI writers lose nothing; a killed writer loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path
from threading import Thread

import pandas as pd
import pytest

import cli.main as cli_main
from gis import io as gio
from gis.errors import WorkspaceError
from layers import transaction
from layers.access import Actor, Role
from layers.history import audit_log, read_version, versions
from layers.importing import import_layer
from layers.restoration import append_inspection
from layers.transaction import AUDIT_COLUMNS, INTERRUPTED_NOTE, content_hash
from layers.workspace import Workspace
from tests.workspace.workspace_helpers import REPO, X0, build, parcels

WRITERS, PER_WRITER = 4, 8
EDITOR = Actor("编辑甲", Role.editor)


# One writer process: runs the `devzone` command (cli.main.main, the console script's entry
# point) once per argv, each loading the workspace afresh as the shell command does.
_WRITER = textwrap.dedent("""
    import json, sys
    import cli.main

    for argv in json.loads(sys.argv[1]):
        code = cli.main.main(argv)
        if code:
            sys.exit(f"devzone {' '.join(argv[:2])} … exited {code}")
""")


@pytest.mark.slow
def test_four_cli_writers_mixing_imports_and_inspections_lose_nothing(tmp_path: Path) -> None:
    """4 writer processes × 8 writes each, all at the same time, through the `devzone` CLI.

    Each writer alternates `devzone import WS parcels F` (one new parcel) and
    `devzone inspect WS K<w> …`; every row must survive, with 32 audit rows whose
    hashes chain (each write saw the one before it).
    """
    root = build(tmp_path / "ws")
    procs = []
    for w in range(WRITERS):
        commands = []
        for i in range(PER_WRITER):
            if i % 2 == 0:
                src = tmp_path / f"新地块_{w}_{i}.geojson"
                parcels([f"W{w}-{i}"], x0=X0 + 2_000 + 2000 * w + 200 * i).to_file(
                    src, driver="GeoJSON", engine="pyogrio")
                commands.append(["import", str(root), "parcels", str(src)])
            else:
                commands.append(["inspect", str(root), f"K{w + 2}", "--date",
                                 f"2025-04-{i:02d}", "--stage", "施工中", "--restored-ha",
                                 f"{0.1 * i:.1f}", "--note", f"第{i}次巡查"])
        procs.append(subprocess.Popen([sys.executable, "-c", _WRITER, json.dumps(commands)],
                                      cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    outputs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0] * WRITERS, [err for _, err in outputs]
    assert sum(out.count("appended") for out, _ in outputs) == WRITERS * PER_WRITER

    ws = Workspace.load(root)
    got = ws.read("parcels")
    expected = {"P1", "P2", *(f"W{w}-{i}" for w in range(WRITERS)
                              for i in range(0, PER_WRITER, 2))}
    assert set(got["parcel_id"]) == expected and len(got) == len(expected)
    assert set(got.loc[got["parcel_id"].str.startswith("W"), "权属单位"]) == {"长治市自然资源局"}
    insp = ws.read("inspections")
    assert len(insp) == 2 + WRITERS * PER_WRITER // 2
    for w in range(WRITERS):
        rows = insp[insp["site_id"] == f"K{w + 2}"]
        assert list(rows["date"].dt.day) == list(range(1, PER_WRITER, 2))
        assert list(rows["note"]) == [f"第{i}次巡查" for i in range(1, PER_WRITER, 2)]
    assert list(insp.iloc[:2]["note"].fillna("")) == ["立项", ""]  # history untouched

    audit = audit_log(ws)
    assert list(audit.columns) == list(AUDIT_COLUMNS)
    assert len(audit) == WRITERS * PER_WRITER
    assert audit["action"].value_counts().to_dict() == {"import": 16, "inspect": 16}
    for layer, first_rows in (("parcels", 2), ("inspections", 2)):
        rows = audit[audit["layer"] == layer].reset_index(drop=True)
        # serialised: every write started from what the previous one left
        assert list(rows["hash_before"].iloc[1:]) == list(rows["hash_after"].iloc[:-1])
        assert list(rows["rows_before"]) == list(range(first_rows, first_rows + len(rows)))
        assert (rows["rows_after"] == rows["rows_before"] + 1).all()
        assert len(versions(ws, layer)) == len(rows)
    assert transaction.current_state(ws, "parcels")[1] == \
        audit[audit["layer"] == "parcels"]["hash_after"].iloc[-1]
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".layers.")]
    assert leftovers == [] and not (root / ".devzone" / "pending.json").exists()


# --------------------------------------------------------------------------- killed writer
_KILLED_REPLACE = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path

    root, src, where = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    marker = root.parent / "paused"

    def pause():
        marker.write_text(str(os.getpid()))
        time.sleep(600)

    if where == "before_rename":  # the new container is fully written, not yet renamed
        import gis._write as w
        real = w.os.replace

        class _Os:
            def __getattr__(self, name):
                return getattr(os, name)

            def replace(self, a, b):
                if Path(b) == root / "layers.gpkg":
                    pause()
                return real(a, b)

        w.os = _Os()
    else:  # the layer was replaced, its audit row not yet written
        import layers.transaction as t
        t._append_audit = lambda *a, **k: pause()

    import cli.main
    sys.exit(cli.main.main(["import", str(root), "parcels", src, "--replace"]))
""")


def _kill_mid_replace(root: Path, src: Path, where: str) -> None:
    marker = root.parent / "paused"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_REPLACE, str(root), str(src), where],
                            cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the writer never reached the pause"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_writer_killed_before_the_rename_leaves_the_previous_version(tmp_path: Path,
                                                                       capsys) -> None:
    root = build(tmp_path / "ws")
    before = Workspace.load(root).read("parcels")
    src = tmp_path / "替换.geojson"
    parcels(["Q1"]).to_file(src, driver="GeoJSON", engine="pyogrio")
    _kill_mid_replace(root, src, "before_rename")
    # the killed process left its temporary container and its pending note behind
    assert [p.name for p in root.glob(".layers.*.gpkg")]
    assert (root / ".devzone" / "pending.json").exists()

    ws = Workspace.load(root)  # start-up: recovered and swept
    pd.testing.assert_frame_equal(ws.read("parcels"), before)
    assert not list(root.glob(".layers.*")) and not (root / ".devzone/pending.json").exists()
    assert len(audit_log(ws)) == 0 and len(versions(ws, "parcels")) == 0  # nothing happened
    assert cli_main.main(["history", str(root), "parcels"]) == 0
    assert "Current 当前: 2 rows" in capsys.readouterr().out
    # the next write works normally
    import_layer(ws, "parcels", src, actor=EDITOR, replace=True)
    assert list(Workspace.load(root).read("parcels")["parcel_id"]) == ["Q1"]
    assert len(audit_log(ws)) == 1


@pytest.mark.slow
def test_writer_killed_after_the_rename_is_recorded_and_can_be_undone(tmp_path: Path) -> None:
    root = build(tmp_path / "ws")
    ws = Workspace.load(root)
    original = transaction.current_state(ws, "parcels")
    src = tmp_path / "替换.geojson"
    parcels(["Q1"]).to_file(src, driver="GeoJSON", engine="pyogrio")
    _kill_mid_replace(root, src, "after_rename")

    ws = Workspace.load(root)  # recovered at start-up: the write landed, so it is audited
    assert list(ws.read("parcels")["parcel_id"]) == ["Q1"]
    (row,) = audit_log(ws, "parcels").to_dict("records")
    assert (row["action"], row["rows_before"], row["rows_after"]) == ("replace", 2, 1)
    assert row["hash_before"] == original[1] and INTERRUPTED_NOTE in row["note"]
    kept = read_version(ws, "parcels", 1)  # the previous version is intact
    assert content_hash(kept) == original[1] and list(kept["权属单位"]) == ["长治市自然资源局"] * 2
    assert cli_main.main(["restore", str(root), "parcels", "--version", "1"]) == 0
    assert transaction.current_state(Workspace.load(root), "parcels") == original


def test_a_busy_workspace_is_a_readable_error(ws_root: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transaction, "LOCK_TIMEOUT_S", 0.3)
    ws = Workspace.load(ws_root)
    src = tmp_path / "p.geojson"
    parcels(["P9"]).to_file(src, driver="GeoJSON", engine="pyogrio")
    busy = r"is busy: another write \(pid 1 · 张三"
    with (gio.exclusive_lock(ws_root / ".devzone" / "lock", holder="pid 1 · 张三 · import"),
          pytest.raises(WorkspaceError, match=busy) as info):
        import_layer(ws, "parcels", src, actor=EDITOR)
    assert "正忙" in info.value.text("zh")
    assert list(Workspace.load(ws_root).read("parcels")["parcel_id"]) == ["P1", "P2"]
    import_layer(ws, "parcels", src, actor=EDITOR)  # free again
    assert list(Workspace.load(ws_root).read("parcels")["parcel_id"]) == ["P1", "P2", "P9"]


def test_start_up_sweeps_only_temporary_files_of_interrupted_writes(ws_root: Path) -> None:
    stale = [ws_root / ".layers.k3j_x9a2.gpkg", ws_root / ".layers.k3j_x9a2.gpkg-journal",
             ws_root / ".workspace.q8w2e4r6.toml", ws_root / ".rules.abcdefgh.toml",
             ws_root / ".devzone" / ".audit.zz11yy22.csv"]
    kept = [ws_root / ".layers.gpkg.notes", ws_root / ".devzone-demo", ws_root / "备份.layers.gpkg",
            ws_root / ".layers.2024.gpkg"]
    (ws_root / ".devzone").mkdir()
    for path in [*stale, *kept]:
        path.write_bytes(b"x")
    Workspace.load(ws_root)
    assert [p.name for p in stale if p.exists()] == []
    assert [p.name for p in kept if not p.exists()] == []


def test_threads_of_one_process_write_one_at_a_time(ws_root: Path) -> None:
    """The app serves sessions from threads of one process: they share the same lock."""
    errors: list[BaseException] = []

    def record(site: str) -> None:
        ws = Workspace.load(ws_root)
        try:
            for day in range(1, 6):
                append_inspection(ws, {"site_id": site, "date": date(2025, 4, day),
                                       "stage": "in_progress"},
                                  actor=Actor(f"巡查员{site}", Role.inspector))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [Thread(target=record, args=(site,)) for site in ("K2", "K3", "K4")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ws = Workspace.load(ws_root)
    table = ws.read("inspections")
    assert len(table) == 2 + 15
    assert sorted(table["recorded_by"].iloc[2:].value_counts().to_dict().items()) == [
        ("巡查员K2", 5), ("巡查员K3", 5), ("巡查员K4", 5)]
    audit = audit_log(ws)
    assert len(audit) == 15
    assert list(audit["hash_before"].iloc[1:]) == list(audit["hash_after"].iloc[:-1])
