"""Importing inspections: the checks of `devzone inspect`, append only, nothing half-done."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import cli.main as cli_main
from gis.errors import SchemaError
from layers.access import Actor, Role
from layers.history import audit_log
from layers.importing import ImportRefused, import_layer
from layers.workspace import Workspace
from tests.workspace.workspace_helpers import digest

EDITOR = Actor("编辑甲", Role.editor)
HEADER = "图斑编号,巡查日期,阶段,已修复面积,植被覆盖度,备注,县区\n"


def _csv(tmp_path: Path, lines: list[str], name: str = "县局巡查.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(("line", "column", "problem"), [
    ("K2,2099-01-01,施工中,1,10,,潞州区", "date", "is in the future"),
    ("K2,2025-05-01,施工中,99999,10,,潞州区", "restored_area_ha", "larger than the site"),
    ("K2,2025-05-01,施工中,1,250,,潞州区", "veg_cover_pct", "between 0 and 100"),
    ("K2,2025-05-01,施工中,-3,10,,潞州区", "restored_area_ha", "not a non-negative number"),
    ("K2,2025-05-01,完成了吧,1,10,,潞州区", "stage", "not allowed"),
    ("K9,2025-05-01,施工中,1,10,,潞州区", "site_id", "'K9' is not in the mines layer"),
    ("K1,2025-02-01,施工中,1,10,,潞州区", "date", "before the last inspection"),
])
def test_an_inspection_devzone_inspect_refuses_is_not_imported(
        ws_root: Path, tmp_path: Path, line: str, column: str, problem: str) -> None:
    good = "K3,2025-05-01,施工中,1,10,,潞州区"
    src = _csv(tmp_path, [good, line])
    before = digest(ws_root)
    with pytest.raises(ImportRefused, match=problem) as info:
        import_layer(Workspace.load(ws_root), "inspections", src, actor=EDITOR)
    errors = info.value.report.errors
    assert column in set(errors["column"]) and "K3" not in " ".join(errors["feature"].fillna(""))
    assert info.value.text("zh") != str(info.value)
    assert digest(ws_root) == before  # the good row was not appended either


def test_every_problem_of_a_file_is_listed(ws_root: Path, tmp_path: Path) -> None:
    src = _csv(tmp_path, ["K2,2099-01-01,施工中,1,10,,潞州区", "K3,2025-05-01,施工中,99999,10,,",
                          "K4,2025-05-01,施工中,1,250,,", "K5,2025-05-01,施工中,-3,10,,"])
    with pytest.raises(ImportRefused, match=r"4 error\(s\)") as info:
        import_layer(Workspace.load(ws_root), "inspections", src, actor=EDITOR)
    errors = info.value.report.errors
    assert sorted(errors["feature"].str[:2]) == ["K2", "K3", "K4", "K5"]
    assert "晚于今天" in " ".join(errors["problem"])


def test_valid_inspections_are_appended_in_date_order(ws_root: Path, tmp_path: Path) -> None:
    # K2 backwards from in_progress to approved, with the reason; the file is not in date order
    src = _csv(tmp_path, ["K2,2025-05-20,已立项,0,,设计变更重新立项,潞州区",
                          "K2,2025-04-01,施工中,0.5,20,,潞州区",
                          "K1,2025-03-01,施工中,1.5,30,同日复查,上党区"])
    ws = Workspace.load(ws_root)
    before = ws.read("inspections")
    report = import_layer(ws, "inspections", src, actor=EDITOR)
    assert report.n_features == 3
    after = Workspace.load(ws_root).read("inspections")
    pd.testing.assert_frame_equal(after.iloc[:2][list(before.columns)], before)
    assert list(after["site_id"].iloc[2:]) == ["K2", "K2", "K1"]  # the file's rows, appended
    assert list(after["县区"].iloc[2:]) == ["潞州区", "潞州区", "上党区"]
    (row,) = audit_log(ws).to_dict("records")
    assert (row["action"], row["layer"], row["rows_before"], row["rows_after"]) == \
        ("import", "inspections", 2, 5)
    assert row["user"] == "编辑甲" and row["note"] == "县局巡查.csv"


def test_inspections_cannot_be_replaced(ws_root: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    src = _csv(tmp_path, ["K2,2025-05-01,施工中,1,10,,潞州区"])
    before = digest(ws_root)
    with pytest.raises(SchemaError, match="can only be appended to, not replaced") as info:
        import_layer(Workspace.load(ws_root), "inspections", src, actor=EDITOR, replace=True)
    assert "巡查记录只能追加" in info.value.text("zh")
    assert cli_main.main(["import", str(ws_root), "inspections", str(src), "--replace"]) == 2
    err = capsys.readouterr().err
    assert "the inspections history can only be appended to" in err and "Traceback" not in err
    assert digest(ws_root) == before
