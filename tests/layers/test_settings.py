"""Settings in one place: the deployment read from an environment mapping, restoration defaults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gis.errors import InputError
from layers.settings import DeploymentSettings, RestorationSettings


def test_from_env_reads_the_devzone_variables(tmp_path: Path) -> None:
    ws = tmp_path / "开发区 工作区"
    s = DeploymentSettings.from_env({"DEVZONE_WORKSPACE": f" {ws} ",
                                     "DEVZONE_TIANDITU_KEY": " abc123 ", "HOME": "/root"})
    assert s.workspace == ws.resolve()
    assert s.tianditu_key == "abc123"


def test_from_env_without_the_variables_gives_the_defaults() -> None:
    s = DeploymentSettings.from_env({"DEVZONE_WORKSPACE": "  "})
    assert s == DeploymentSettings(workspace=None, tianditu_key="")


def test_from_env_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("DEVZONE_TIANDITU_KEY", raising=False)
    assert DeploymentSettings.from_env() == DeploymentSettings(workspace=tmp_path.resolve())


def test_a_relative_workspace_is_resolved(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert DeploymentSettings.from_env({"DEVZONE_WORKSPACE": "ws"}).workspace == tmp_path / "ws"


def test_restoration_defaults_are_the_documented_ones() -> None:
    s = RestorationSettings()
    assert s.ring == (200.0, 500.0)
    assert (s.stale_days, s.low_veg_ratio) == (180, 0.5)
    assert (s.road_distance_m, s.town_distance_m) == (2000.0, 5000.0)
    assert (s.endmember_low, s.endmember_high) == (5.0, 95.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.stale_days = 30  # type: ignore[misc]


@pytest.mark.parametrize(("changes", "message"), [
    ({"ring_inner_m": 500.0, "ring_outer_m": 200.0}, "not a band outside the site"),
    ({"ring_inner_m": -1.0}, "not a band outside the site"),
    ({"stale_days": 0}, "stale_days = 0 must be positive"),
    ({"road_distance_m": -5.0}, "road_distance_m = -5.0 must be positive"),
    ({"endmember_low": 95.0, "endmember_high": 5.0}, "Endmember percentiles"),
])
def test_bad_restoration_settings_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        RestorationSettings(**changes)
    assert err.value.text("zh")  # and said in Chinese too


def test_the_engine_takes_its_defaults_from_the_settings() -> None:
    import inspect

    from layers.restoration.ndvi import reference_rings, zonal_ndvi

    ring = inspect.signature(reference_rings).parameters
    assert (ring["inner"].default, ring["outer"].default) == RestorationSettings().ring
    assert inspect.signature(zonal_ndvi).parameters["tile"].default == \
        RestorationSettings().tile_m
