"""The isolated reader: the child answers with Arrow IPC (geometry as WKB) + JSON, never pickle."""

from __future__ import annotations

import ast
import json
import pickle
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis import _isolated
from gis.errors import GeometryError, InputError
from gis.io import read_table, read_table_isolated, read_vector, read_vector_isolated

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def parcels_file(tmp_path: Path) -> Path:
    gdf = gpd.GeoDataFrame(
        {"parcel_id": ["CZ-001", "CZ-002"], "名称": ["长治高新区一号地块", "潞州区标准地"],
         "area_ha": [1.5, 2.25], "flag": [True, False],
         "date": pd.to_datetime(["2024-05-01", "2025-06-30"])},
        geometry=[shapely.box(113.10, 36.19, 113.11, 36.20),
                  shapely.Polygon([(113.12, 36.19, 900), (113.13, 36.19, 901),
                                   (113.13, 36.20, 902)])],
        crs=4490)
    path = tmp_path / "地块.gpkg"
    gdf.to_file(path, layer="parcels", engine="pyogrio")
    return path


def test_no_pickle_anywhere_in_the_reader() -> None:
    tree = ast.parse((REPO / "gis" / "_isolated.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in (node.names if isinstance(node, ast.Import)
                              else [ast.alias(node.module or "")])}
    assert not imported & {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve"}


def test_child_answers_with_arrow_and_json(parcels_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "answer"
    out.mkdir()
    request = out / "request.json"
    request.write_text(json.dumps({"op": "vector", "source": str(parcels_file),
                                   "kwargs": {"expect": "polygon"}, "out": str(out)}))
    assert _isolated._child_main([str(request)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["request.json", "result.arrow",
                                                     "result.json"]
    assert (out / "result.arrow").read_bytes()[:6] == b"ARROW1"
    meta = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert meta["status"] == "ok" and meta["geometry"] == "geometry"
    assert "CGCS2000" in meta["crs"]
    import pyarrow.ipc

    table = pyarrow.ipc.open_file(str(out / "result.arrow")).read_all()
    assert str(table.schema.field("geometry").type) == "binary"
    assert shapely.from_wkb(table.column("geometry")[0].as_py()).equals(
        shapely.box(113.10, 36.19, 113.11, 36.20))


def test_child_reports_errors_as_json(tmp_path: Path) -> None:
    out = tmp_path / "answer"
    out.mkdir()
    bad = tmp_path / "pts.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Point(113, 36)], crs=4326).to_file(bad)
    request = out / "request.json"
    request.write_text(json.dumps({"op": "vector", "source": str(bad),
                                   "kwargs": {"expect": "polygon"}, "out": str(out)}))
    _isolated._child_main([str(request)])
    meta = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert meta["status"] == "error" and meta["class"] == "GeometryError"
    assert "pts.geojson" in meta["message"] and meta["zh"]
    assert not (out / "result.arrow").exists()


def test_round_trip_matches_the_direct_read(parcels_file: Path) -> None:
    iso = read_vector_isolated(parcels_file, expect="polygon")
    direct = read_vector(parcels_file, expect="polygon")
    assert list(iso.gdf.columns) == list(direct.gdf.columns)
    assert iso.gdf.crs.equals(direct.gdf.crs)
    assert shapely.equals_exact(iso.gdf.geometry.values, direct.gdf.geometry.values).all()
    assert iso.gdf.geometry.has_z.tolist() == [False, True]
    pd.testing.assert_frame_equal(pd.DataFrame(iso.gdf.drop(columns="geometry")),
                                  pd.DataFrame(direct.gdf.drop(columns="geometry")))
    assert [n.code for n in iso.notes] == [n.code for n in direct.notes]
    assert iso.source == direct.source and iso.crs_source == direct.crs_source


def test_tables_are_read_in_the_child(tmp_path: Path) -> None:
    path = tmp_path / "巡查.csv"
    path.write_bytes("图斑编号,巡查日期,阶段,备注\nM-001,2025-06-01,in_progress,长治\n"
                     "M-002,2025-06-02,completed,=cmd\n".encode("gb18030"))
    iso = read_table_isolated(path)
    pd.testing.assert_frame_equal(iso, read_table(path))
    with pytest.raises(TypeError):
        read_table_isolated(path, expect="polygon")


def test_upload_of_a_table_never_parses_in_the_app(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """prepare_import(isolated=True) of a table uses the child, not the in-process reader."""
    from gis import io as gio
    from layers.importing import prepare_import
    from layers.workspace import Workspace
    from tests.hardening.hardening_corpus import build_workspace

    ws = Workspace.load(build_workspace(tmp_path / "ws"))
    path = tmp_path / "assess.csv"
    path.write_text("scope,scope_id,kind,status\nzone,Z1,eia,approved\n", encoding="utf-8")

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed in the app process")

    monkeypatch.setattr(gio, "read_table", forbidden)
    report = prepare_import(ws, "assessments", path, isolated=True)
    assert report.n_features == 1 and report.data["scope_id"].tolist() == ["Z1"]


def _fake_child(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Replace the child by a script that writes ``script``'s answer into the answer folder."""
    def command(memory_limit: int, request: Path) -> list[str]:
        return [sys.executable, "-c", script, str(request)]

    monkeypatch.setattr(_isolated, "_child_command", command)


def test_a_pickle_answer_is_never_loaded(parcels_file: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            import os
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Exploit())
    script = (
        "import json, sys, pathlib\n"
        "req = json.loads(pathlib.Path(sys.argv[1]).read_text())\n"
        "out = pathlib.Path(req['out'])\n"
        f"(out / 'result.arrow').write_bytes({payload!r})\n"
        f"(out / 'result.pkl').write_bytes({payload!r})\n"
        f"(out / 'result.json').write_bytes({payload!r})\n"
    )
    _fake_child(monkeypatch, script)
    with pytest.raises(InputError, match="answer was malformed"):
        read_vector_isolated(parcels_file)
    assert not marker.exists()


@pytest.mark.parametrize("meta", [
    '{"status": "ok", "geometry": "geometry", "crs": "EPSG:4490"}',
    '{"status": "maybe"}',
    '[1, 2, 3]',
    '{"status": "ok", "geometry": "nope", "crs": null}',
])
def test_malformed_answers_are_refused(parcels_file: Path, monkeypatch: pytest.MonkeyPatch,
                                       meta: str) -> None:
    script = (
        "import json, sys, pathlib\n"
        "req = json.loads(pathlib.Path(sys.argv[1]).read_text())\n"
        "out = pathlib.Path(req['out'])\n"
        "(out / 'result.arrow').write_bytes(b'ARROW1 but not really')\n"
        f"(out / 'result.json').write_text({meta!r})\n"
    )
    _fake_child(monkeypatch, script)
    with pytest.raises(InputError, match=r"地块\.gpkg could not be parsed safely"):
        read_vector_isolated(parcels_file)


def test_error_class_names_cannot_pick_arbitrary_classes(parcels_file: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    meta = json.dumps({"status": "error", "class": "__builtins__", "message": "boom."})
    script = (
        "import json, sys, pathlib\n"
        "req = json.loads(pathlib.Path(sys.argv[1]).read_text())\n"
        f"(pathlib.Path(req['out']) / 'result.json').write_text({meta!r})\n"
    )
    _fake_child(monkeypatch, script)
    with pytest.raises(InputError, match="boom") as info:
        read_vector_isolated(parcels_file)
    assert type(info.value) is InputError


def test_geometry_errors_keep_their_class(tmp_path: Path) -> None:
    path = tmp_path / "pts.geojson"
    gpd.GeoDataFrame(geometry=[shapely.Point(113, 36)], crs=4326).to_file(path)
    with pytest.raises(GeometryError, match=r"pts\.geojson holds 1 feature"):
        read_vector_isolated(path, expect="polygon")
