"""The map data kept in the workspace's results cache: reloaded exactly, used on the next start."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal

from gis.raster import Raster
from layers.results_cache import CacheError
from layers.workspace import CACHE_DIR
from tests.ui.conftest import overall_for
from ui import data as uidata
from ui.map import build_map, parcel_layer, prepare_map_data
from ui.map.stored import dump_map_data, load_map_data


def _results(root: Path) -> list[str]:
    """The kinds of results in the cache, without the converted layer copies (whose
    presence depends on how long ago the layer files were written: layers.layer_cache)."""
    names = [p.name for p in (root / CACHE_DIR).iterdir()]
    assert all(n.endswith(".parquet") for n in names if n.startswith("layer."))
    return sorted(n.split("-")[0] for n in names if not n.startswith("layer."))


def test_reloaded_map_data_equals_the_prepared_one(layers: dict[str, gpd.GeoDataFrame],
                                                   dem: Raster, coverage: Raster) -> None:
    fresh = prepare_map_data(layers, overall=overall_for(layers["parcels"]), dem=dem,
                             coverage=coverage)
    back = load_map_data(dump_map_data(fresh))
    assert list(back.layers) == list(fresh.layers)
    for kind, gdf in fresh.layers.items():
        assert_geodataframe_equal(back.layers[kind], gdf)
    assert_geodataframe_equal(back.parcels, fresh.parcels)
    assert back.images == fresh.images and set(back.images) == {"hillshade", "coverage_5g"}
    assert back.bounds == fresh.bounds
    assert back.opening_view() == fresh.opening_view()
    assert np.array_equal(back.index.codes, fresh.index.codes)
    assert back.index.search("P") == fresh.index.search("P")
    assert back.geojson("zones") == fresh.geojson("zones")
    with pytest.raises(CacheError):
        load_map_data(dump_map_data(fresh)[:-10])


def test_stored_map_data_draws_its_opening_map_before_decoding_its_parcels(
        layers: dict[str, gpd.GeoDataFrame]) -> None:
    fresh = prepare_map_data(layers, overall=overall_for(layers["parcels"]))
    back = load_map_data(dump_map_data(fresh))
    assert back._load is not None  # the parcels' geometries: not decoded yet
    assert back.n_parcels == fresh.n_parcels and back.home == fresh.home
    assert back.opening_view() == fresh.opening_view()
    for lang in ("zh", "en"):
        assert _layer_text(parcel_layer(back, lang=lang)) == \
            _layer_text(parcel_layer(fresh, lang=lang))
    html = [re.sub(r"_[0-9a-f]{32}", "", build_map(d, lang="en", dynamic=True).get_root()
                   .render()) for d in (back, fresh)]  # folium's element ids differ
    assert html[0] == html[1]
    assert back._load is not None
    # the first question that needs them decodes them: the same parcels, row for row
    pid = str(fresh.parcels["parcel_id"].iloc[3])
    assert back.parcel_value(pid, "name") == fresh.parcel_value(pid, "name")
    assert back._load is None
    assert_geodataframe_equal(back.parcels, fresh.parcels)
    c = fresh.parcels.geometry.iloc[3].representative_point()
    assert back.index.at(c.x, c.y) == fresh.index.at(c.x, c.y) == pid


def test_stored_map_data_without_its_parcel_index_decodes_its_parcels_at_once(
        layers: dict[str, gpd.GeoDataFrame]) -> None:
    from layers.results_cache import pack_frames, unpack_frames

    fresh = prepare_map_data(layers, overall=overall_for(layers["parcels"]))
    frames, meta = unpack_frames(dump_map_data(fresh), "map")
    del frames["parcel_index"], frames["opening"]
    back = load_map_data(pack_frames("map", frames, meta))
    assert back._load is None
    assert_geodataframe_equal(back.parcels, fresh.parcels)
    assert back.opening_view() == fresh.opening_view()


def _layer_text(layer: tuple[object, object]) -> list[str]:
    fg, _ = layer
    return [c.data for c in fg._children.values()]


def test_the_app_reads_stored_results_and_map_data_before_computing(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    snap = uidata.snapshot()
    ws = uidata.load(snap)
    text = uidata.rules_text(ws, {})
    as_of = uidata.default_as_of()
    data, notes = uidata.map_data(snap, text, as_of)
    assert not notes
    assert _results(demo_ws_copy) == ["digests.json", "map", "readiness", "restoration"]
    assert uidata.snapshot() == snap  # storing derived results changes no input

    def no_computing(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed although the result is stored")

    for fn in (uidata._map_data, uidata._readiness, uidata._restoration, uidata._workspace):
        fn.clear()  # a new server process: nothing in memory
    monkeypatch.setattr(uidata, "prepare_map_data", no_computing)
    monkeypatch.setattr("layers.readiness.evaluate", no_computing)
    monkeypatch.setattr("layers.restoration.evaluate", no_computing)
    again, notes = uidata.map_data(snap, text, as_of)
    assert not notes
    assert_geodataframe_equal(again.parcels, data.parcels)
    result = uidata.readiness(snap, text, as_of)
    assert set(result.overall["readiness"].astype(str)) <= set(data.parcels["readiness"])
    assert len(uidata.restoration(snap, as_of).sites) == len(data.layers["mines"])


def test_the_warm_start_fills_the_cache_once_and_never_raises(
        demo_ws_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from ui import warm

    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    monkeypatch.setattr(warm, "_thread", None)
    assert warm.start() and not warm.start()  # once per process
    assert warm.wait(600)
    assert _results(demo_ws_copy) == ["digests.json", "map", "readiness", "restoration"]

    monkeypatch.setenv("DEVZONE_WORKSPACE", str(tmp_path / "nowhere"))
    monkeypatch.setattr(warm, "_thread", None)
    with caplog.at_level("WARNING", logger="devzone.warm"):
        assert warm.start() and warm.wait(600)
    assert "warm start failed" in caplog.text and "No workspace" in caplog.text


def test_the_warm_start_leaves_the_cpu_to_the_first_map_before_loading_the_rest(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from ui import warm

    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    for name in ("_map_sent", "_hurry"):
        monkeypatch.setattr(warm, name, threading.Event())
    monkeypatch.setattr(warm, "_thread", None)
    monkeypatch.setattr(warm, "MAP_WAIT_S", 600.0)
    monkeypatch.setattr(warm, "DRAW_S", 0.0)
    sent_when_summarised: list[bool] = []
    summary = uidata.readiness_summary

    def recording(*args: object) -> object:
        sent_when_summarised.append(warm._map_sent.is_set())
        return summary(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(uidata, "readiness_summary", recording)
    with caplog.at_level("INFO", logger="devzone.warm"):
        assert warm.start()
        deadline = time.monotonic() + 600
        while "map ready" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "map ready" in caplog.text and not sent_when_summarised
        warm.map_sent()  # a page sent its map: the rest follows
        assert warm.wait(600)
    assert sent_when_summarised == [True] and "warm start done" in caplog.text


# In a fresh interpreter holding the pages' modules: how many paths the first
# ``inspect.getmodule`` of a frame resolves (what Streamlit's first element and
# ``declare_component`` do), with or without the warm-up's index of module files first.
_RESOLVED = """
import inspect, os, sys
import ui.widgets
from ui import warm
if sys.argv[1] == "indexed":
    warm._index_module_files()
real, calls = os.path.realpath, []
os.path.realpath = lambda p, *a, **k: calls.append(p) or real(p, *a, **k)
inspect.getmodule(inspect.currentframe())
print(len(calls), len(sys.modules))
"""


def test_the_warm_start_resolves_module_files_before_a_first_page_does() -> None:
    def resolved(mode: str) -> tuple[int, int]:
        out = subprocess.run([sys.executable, "-c", _RESOLVED, mode], capture_output=True,
                             text=True, check=True, cwd=Path(__file__).parents[2])
        calls, modules = out.stdout.split()
        return int(calls), int(modules)

    cold_calls, modules = resolved("cold")
    warm_calls, _ = resolved("indexed")
    assert modules > 1000 and cold_calls > modules / 2  # every module's file, without it
    assert warm_calls <= 2


def test_a_restarted_app_keys_its_stored_map_with_the_stored_digests(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gis import digest

    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    snap = uidata.snapshot()
    text = uidata.rules_text(uidata.load(snap), {})
    as_of = uidata.default_as_of()
    data, _ = uidata.map_data(snap, text, as_of)
    assert (demo_ws_copy / CACHE_DIR / "digests.json").is_file()

    def restart() -> None:  # a new server process: nothing in memory
        monkeypatch.setattr(digest, "_MEMO", {})
        for fn in (uidata._map_data, uidata._readiness, uidata._restoration, uidata._workspace):
            fn.clear()

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a layer read to digest it although its digest is stored")

    restart()
    with monkeypatch.context() as m:
        m.setattr("pyogrio.read_arrow", no_reading)
        m.setattr(uidata, "prepare_map_data", no_reading)
        again, _ = uidata.map_data(snap, text, as_of)
    assert_geodataframe_equal(again.parcels, data.parcels)

    # unreadable stored digests: computed again, the same map found
    (demo_ws_copy / CACHE_DIR / "digests.json").write_text("{坏", encoding="utf-8")
    restart()
    with monkeypatch.context() as m:
        m.setattr(uidata, "prepare_map_data", no_reading)
        again, _ = uidata.map_data(snap, text, as_of)
    assert_geodataframe_equal(again.parcels, data.parcels)
    assert json.loads((demo_ws_copy / CACHE_DIR / "digests.json").read_text())["format"] == 1


def test_results_of_unsaved_rulebook_edits_are_not_stored(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import warm

    warm.wait(600)  # a warm-up started by an earlier app run in this process stores nothing here
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    snap = uidata.snapshot()
    ws = uidata.load(snap)
    param = uidata.rulebook(uidata.rules_text(ws, {})).parameters()[0]
    edited = uidata.rules_text(ws, {(param.rule_id, param.key): param.value + 7})
    result = uidata.readiness(snap, edited, uidata.default_as_of())
    uidata.map_data(snap, edited, uidata.default_as_of())
    assert len(result.overall)
    # (file digests are facts about the files, stored whatever the rulebook)
    assert not sorted(p.name.split("-")[0] for p in (demo_ws_copy / CACHE_DIR).glob("*")
                      if not p.name.startswith(("restoration", "digests", "layer.")))
