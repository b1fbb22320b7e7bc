"""CSV injection: text a spreadsheet would run as a formula is written with a leading quote."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.io import formula_safe, write_table, write_vector
from tests.hardening.hardening_corpus import HOSTILE_NAMES, build_workspace

REPO = Path(__file__).resolve().parents[2]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-3.5", "-3.5"),  # a plain number stays as it is (text or not)
    ("+86", "+86"),
    ("1e-3", "1e-3"),
    ("-", "'-"),
    ("长治 = 潞州", "长治 = 潞州"),
    ("", ""),
    (-3.5, -3.5),
    (None, None),
])
def test_formula_safe(value: object, expected: object) -> None:
    assert formula_safe(value) == expected


def _cells(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def _assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if cell.startswith(DANGEROUS):
                assert re.fullmatch(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?", cell), cell


def test_write_table_escapes_text_but_keeps_numbers(tmp_path: Path) -> None:
    df = pd.DataFrame({
        "name": [*HOSTILE_NAMES.values(), "-3.5", "普通名称"],
        "value": [-3.5] * len(HOSTILE_NAMES) + [-1.0, 2.0],
        "=cmd|x": list(range(len(HOSTILE_NAMES) + 2)),
    })
    out = write_table(df, tmp_path / "t.csv")
    rows = _cells(out)
    _assert_no_formula(rows)
    assert rows[0] == ["name", "value", "'=cmd|x"]
    names = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil/\",\"点击\")" in names
    assert "'+cmd|' /C calc'!A0" in names and "'@SUM(1+1)*cmd|' /C calc'!A0" in names
    assert names[-2:] == ["-3.5", "普通名称"]
    assert [r[1] for r in rows[1:]][:2] == ["-3.5", "-3.5"]
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert back["value"].dtype.kind == "f" and back["value"].iloc[0] == -3.5
    assert df["name"].iloc[2] == HOSTILE_NAMES["H-formula"]  # the caller's frame is unchanged


def test_write_vector_csv_escapes_and_keeps_wkt(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"parcel_id": ["=1+1", "P-2"], "far": [-1.5, 2.0]},
                           geometry=[shapely.box(113.1, 36.1, 113.2, 36.2)] * 2, crs=4490)
    rows = _cells(write_vector(gdf, tmp_path / "v.csv"))
    _assert_no_formula(rows)
    assert rows[1][0] == "'=1+1" and rows[1][1] == "-1.5" and rows[1][2].startswith("POLYGON")


def test_every_csv_goes_through_the_escaping_writer() -> None:
    """Only gis/_write.py may call to_csv / csv.writer; everything else uses gis.io."""
    offenders = []
    for folder in ("gis", "layers", "ui", "cli", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path.relative_to(REPO).as_posix() == "gis/_write.py":
                continue
            if re.search(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(", text):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_cli_export_and_app_download_escape(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main
    from layers.workspace import Workspace
    from ui.data import export_bytes

    root = build_workspace(tmp_path / "ws")
    feats = gpd.GeoDataFrame(
        {"parcel_id": list(HOSTILE_NAMES), "name": list(HOSTILE_NAMES.values())},
        geometry=[shapely.box(113.10 + i * 0.002, 36.19, 113.101 + i * 0.002, 36.191)
                  for i in range(len(HOSTILE_NAMES))], crs=4490)
    feats.to_file(tmp_path / "h.geojson")
    assert main(["import", str(root), "parcels", str(tmp_path / "h.geojson")]) == 0
    out = tmp_path / "export.csv"
    assert main(["export", str(root), "parcels", "--out", str(out)]) == 0
    capsys.readouterr()
    rows = _cells(out)
    _assert_no_formula(rows)
    assert any(r[1] == "'" + HOSTILE_NAMES["H-formula"] for r in rows)
    data = Workspace.load(root).read("parcels")
    download = tmp_path / "download.csv"
    download.write_bytes(export_bytes(data, "csv", layer="parcels"))
    _assert_no_formula(_cells(download))
