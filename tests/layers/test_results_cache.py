"""Stored readiness and restoration results: exact reloads, keys that follow their inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from layers import readiness as rd
from layers import restoration as rs
from layers import results_cache as rc
from layers.access import Actor, Role
from layers.settings import RestorationSettings
from layers.workspace import CACHE_DIR, Workspace

EDITOR = Actor("测试编辑", Role.editor)


def _keys(ws: Workspace, text: str, as_of: date) -> tuple[str, str]:
    return (rc.readiness_key(ws, text, rd.load_rulebook(text), as_of),
            rc.restoration_key(ws, as_of))


def _cached_files(root: Path, prefix: str) -> list[Path]:
    return sorted((root / CACHE_DIR).glob(f"{prefix}-*"))


@pytest.fixture
def ws(demo_ws_copy: Path) -> Workspace:
    return Workspace.load(demo_ws_copy)


def test_a_reloaded_readiness_result_equals_a_fresh_one(ws: Workspace) -> None:
    text = rd.rulebook_in_force(ws).text
    rules = rd.load_rulebook(text)
    fresh = rd.evaluate(rd.inputs_from_workspace(ws, rulebook=rules), rules, as_of=ws.as_of)
    back = rc.load_readiness(rc.dump_readiness(fresh), rules)
    pd.testing.assert_frame_equal(back.long, fresh.long)
    pd.testing.assert_frame_equal(back.overall, fresh.overall)
    assert_geodataframe_equal(back.wide(), fresh.wide())
    assert_geodataframe_equal(back.parcels, fresh.parcels)
    assert back.status_matrix.dtype == fresh.status_matrix.dtype
    assert np.array_equal(back.status_matrix, fresh.status_matrix)
    assert np.array_equal(back.value_matrix, fresh.value_matrix, equal_nan=True)
    assert back.as_of == fresh.as_of and back.rulebook is rules
    assert set(back.long["message"].astype(str)) == set(fresh.long["message"].astype(str))


def test_a_reloaded_restoration_result_equals_a_fresh_one(ws: Workspace) -> None:
    fresh = rs.evaluate(rs.inputs_from_workspace(ws), as_of=ws.as_of)
    back = rc.load_restoration(rc.dump_restoration(fresh))
    assert_geodataframe_equal(back.sites, fresh.sites)
    pd.testing.assert_frame_equal(back.ranking, fresh.ranking)
    assert list(back.kpis) == list(fresh.kpis)
    for name, table in fresh.kpis.items():
        pd.testing.assert_frame_equal(back.kpis[name], table)
    assert back.notes == fresh.notes and back.notes
    assert back.endmembers == fresh.endmembers and back.as_of == fresh.as_of


def test_an_unchanged_workspace_is_served_from_the_cache(ws: Workspace,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    text = rd.rulebook_in_force(ws).text
    first = rc.cached_readiness(ws, text, ws.as_of)
    first_rs = rc.cached_restoration(ws, ws.as_of)
    assert len(_cached_files(ws.root, "readiness")) == 1
    assert len(_cached_files(ws.root, "restoration")) == 1

    def no_evaluation(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluated although the result is stored")

    monkeypatch.setattr(rd, "evaluate", no_evaluation)
    monkeypatch.setattr(rs, "evaluate", no_evaluation)
    again = rc.cached_readiness(Workspace.load(ws.root), text, ws.as_of)  # a new process
    pd.testing.assert_frame_equal(again.overall, first.overall)
    pd.testing.assert_frame_equal(again.long, first.long)
    again_rs = rc.cached_restoration(Workspace.load(ws.root), ws.as_of)
    assert_geodataframe_equal(again_rs.sites, first_rs.sites)


def test_editing_roads_invalidates_readiness_but_not_restoration(ws: Workspace) -> None:
    text = rd.rulebook_in_force(ws).text
    ready, restore = _keys(ws, text, ws.as_of)
    roads = ws.read("roads")
    with ws.writing(EDITOR, "import roads", role=Role.editor) as tx:
        tx.replace("roads", roads.iloc[: len(roads) // 2])
    ws = Workspace.load(ws.root)
    ready2, restore2 = _keys(ws, text, ws.as_of)
    assert ready2 != ready
    assert restore2 == restore


def test_editing_inspections_invalidates_restoration_but_not_readiness(ws: Workspace) -> None:
    text = rd.rulebook_in_force(ws).text
    ready, restore = _keys(ws, text, ws.as_of)
    rows = ws.read("inspections").iloc[:1].copy()
    rows["date"] = pd.Timestamp(ws.as_of)
    rows["note"] = "复查：边坡已复绿"
    with ws.writing(EDITOR, "inspection", role=Role.editor) as tx:
        tx.append("inspections", rows)
    ws = Workspace.load(ws.root)
    ready2, restore2 = _keys(ws, text, ws.as_of)
    assert ready2 == ready
    assert restore2 != restore


def test_the_date_the_rulebook_and_the_settings_are_part_of_the_key(ws: Workspace) -> None:
    text = rd.rulebook_in_force(ws).text
    ready, restore = _keys(ws, text, ws.as_of)
    later = ws.as_of + timedelta(days=1)
    assert _keys(ws, text, later)[0] != ready
    assert _keys(ws, text, later)[1] != restore
    rules = rd.load_rulebook(text)
    param = rules.parameters()[0]
    edited = rules.with_overrides({(param.rule_id, param.key): param.value + 1}).text
    assert _keys(ws, edited, ws.as_of) == (rc.readiness_key(
        ws, edited, rd.load_rulebook(edited), ws.as_of), restore)
    assert _keys(ws, edited, ws.as_of)[0] != ready
    other = replace(RestorationSettings(), stale_days=RestorationSettings().stale_days + 1)
    assert rc.restoration_key(ws, ws.as_of, other) != restore


def test_a_changed_rulebook_or_date_misses_and_stores_a_second_result(ws: Workspace) -> None:
    text = rd.rulebook_in_force(ws).text
    rc.cached_readiness(ws, text, ws.as_of)
    later = rc.cached_readiness(ws, text, ws.as_of + timedelta(days=400))
    assert later.as_of == ws.as_of + timedelta(days=400)
    assert len(_cached_files(ws.root, "readiness")) == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_cache_file_is_ignored_and_recomputed(ws: Workspace, damage: str) -> None:
    text = rd.rulebook_in_force(ws).text
    fresh = rc.cached_readiness(ws, text, ws.as_of)
    (path,) = _cached_files(ws.root, "readiness")
    data = path.read_bytes()
    if damage == "truncate":
        data = data[: len(data) * 2 // 3]
    elif damage == "flip":
        pos = len(data) - 100
        data = data[:pos] + bytes([data[pos] ^ 0xFF]) + data[pos + 1:]
    elif damage == "garbage":
        data = b"\x00not a result\xff" * 50
    else:
        data = b""
    path.write_bytes(data)
    with pytest.raises(rc.CacheError):
        rc.load_readiness(data, rd.load_rulebook(text))
    again = rc.cached_readiness(Workspace.load(ws.root), text, ws.as_of)
    pd.testing.assert_frame_equal(again.long, fresh.long)
    pd.testing.assert_frame_equal(again.overall, fresh.overall)
    assert rc.load_readiness(path.read_bytes(), rd.load_rulebook(text)) is not None  # rewritten


def test_a_result_for_another_rulebook_is_refused(ws: Workspace) -> None:
    text = rd.rulebook_in_force(ws).text
    rules = rd.load_rulebook(text)
    result = rd.evaluate(rd.inputs_from_workspace(ws, rulebook=rules), rules, as_of=ws.as_of)
    fewer = rd.load_rulebook(text).rules[:-1]
    with pytest.raises(rc.CacheError, match="rulebook"):
        rc.load_readiness(rc.dump_readiness(result), replace(rules, rules=fewer))
    with pytest.raises(rc.CacheError):
        rc.load_restoration(rc.dump_readiness(result))


def test_a_read_only_cache_folder_only_means_computing_again(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr("gis.io.write_bytes_atomic", refuse)
    text = rd.rulebook_in_force(ws).text
    result = rc.cached_readiness(ws, text, ws.as_of)
    assert len(result.overall) and not _cached_files(ws.root, "readiness")


def test_a_layer_digest_ignores_the_other_layers_of_its_geopackage(ws: Workspace) -> None:
    mines, roads = ws.digest("mines"), ws.digest("roads")
    assert ws.digest("contracts") is None or isinstance(ws.digest("contracts"), str)
    assert ws.digest("not_a_kind_the_workspace_has") is None
    with ws.writing(EDITOR, "import roads", role=Role.editor) as tx:
        tx.replace("roads", ws.read("roads").iloc[:3])
    ws = Workspace.load(ws.root)
    assert ws.digest("mines") == mines
    assert ws.digest("roads") != roads


def test_a_shapefile_with_upper_case_suffixes_is_digested_with_all_its_parts(
        tmp_path: Path) -> None:
    import pyogrio
    import shapely

    from gis.io import shapefile_parts

    frame = gpd.GeoDataFrame({"parcel_id": ["长治-1", "长治-2"], "land_use": ["工业", "工业"]},
                             geometry=[shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)],
                             crs=4547)
    pyogrio.write_dataframe(frame, tmp_path / "parcels.shp", encoding="GBK")
    for part in list(tmp_path.glob("parcels.*")):  # as some desktop tools name them
        part.rename(tmp_path / f"PARCELS{part.suffix.upper()}")
    shp = tmp_path / "PARCELS.SHP"
    assert [p.suffix for p in shapefile_parts(shp)] == [".SHP", ".SHX", ".DBF", ".PRJ", ".CPG"]
    (tmp_path / "workspace.toml").write_text(
        'name = "upper"\ncrs = "EPSG:4547"\n\n[layers]\nparcels = "PARCELS.SHP"\n',
        encoding="utf-8")
    before = Workspace.load(tmp_path).digest("parcels")
    frame.loc[0, "land_use"] = "仓储"  # only the .DBF changes
    pyogrio.write_dataframe(frame, tmp_path / "edit.shp", encoding="GBK")
    (tmp_path / "edit.dbf").replace(tmp_path / "PARCELS.DBF")
    assert Workspace.load(tmp_path).digest("parcels") != before


def test_a_cache_folder_the_system_refuses_only_means_computing_again(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # the real writer: its refusal arrives as an InputError naming the file
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    assert ws.write_cache("readiness-x.result", b"data") is False
    text = rd.rulebook_in_force(ws).text
    assert len(rc.cached_readiness(ws, text, ws.as_of).overall)
    assert ws.store_digests() is False


def test_a_deferred_frame_is_decoded_when_called_and_equals_the_eager_one() -> None:
    import shapely

    parcels = gpd.GeoDataFrame({"parcel_id": ["甲-1", "B2"], "ha": [1.5, np.nan]},
                               geometry=[shapely.box(0, 0, 1, 1), None], crs="EPSG:4547")
    table = pd.DataFrame({"kind": pd.Categorical(["a", "b", "a"]), "n": [1, 2, 3]})
    blob = rc.pack_frames("t", {"parcels": parcels, "table": table}, {"m": 1})
    eager, meta = rc.unpack_frames(blob, "t")
    lazy, meta2 = rc.unpack_frames(blob, "t", defer=("parcels",))
    assert meta == meta2 == {"m": 1}
    assert isinstance(lazy["parcels"], rc.Deferred)
    pd.testing.assert_frame_equal(lazy["table"], eager["table"])
    first = lazy["parcels"]()
    assert_geodataframe_equal(first, eager["parcels"])
    assert lazy["parcels"]() is first  # decoded once
    with pytest.raises(rc.CacheError, match="categoricals"):
        rc.unpack_frames(blob, "t", defer=("table",))
    damaged = bytearray(blob)
    damaged[-len(blob) // 4] ^= 0xFF  # in the frames' bytes
    with pytest.raises(rc.CacheError, match="checksum"):  # it covers deferred frames too
        rc.unpack_frames(bytes(damaged), "t", defer=("parcels",))
