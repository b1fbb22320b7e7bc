"""Fixtures for the UI tests: synthetic layers and rasters in EPSG:4547, the app's paths."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from gis.raster import Raster
from layers.access import Actor, Role

# --------------------------------------------------------------------------- accounts
PASSWORD = "correct-horse-9"
ACCOUNTS = {Role.viewer: "查看员", Role.inspector: "巡查员甲", Role.editor: "编辑员",
            Role.admin: "admin"}  # one account per role, all with PASSWORD


@pytest.fixture(scope="session")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A users file with one account per role (hashed once per test session)."""
    from layers.users import add_user

    path = tmp_path_factory.mktemp("accounts") / "users.toml"
    for role, name in ACCOUNTS.items():
        add_user(path, name, role, PASSWORD, actor=Actor("tests", Role.admin))
    return path


@pytest.fixture(autouse=True)
def _accounts(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every UI test signs in against the test accounts, never the machine's own file."""
    monkeypatch.setenv("DEVZONE_USERS", str(users_file))
    for var in ("DEVZONE_AUTH", "DEVZONE_ANONYMOUS_VIEW", "DEVZONE_SESSION_MINUTES"):
        monkeypatch.delenv(var, raising=False)


def signed_in(role: Role) -> dict[str, object]:
    """AppState fields of a session signed in just now with the test account of ``role``."""
    return {"user": Actor(ACCOUNTS[role], role), "signed_in_at": datetime.now(UTC)}

ROOT = Path(__file__).resolve().parents[2]
CRS = "EPSG:4547"  # CGCS2000 3° GK CM 114°E (the demo's analysis CRS)
X0, Y0 = 390_000.0, 4_000_000.0  # near Changzhi


def parcels_grid(n_side: int, *, size: float = 80.0, gap: float = 20.0) -> gpd.GeoDataFrame:
    """``n_side²`` square parcels on a grid, ids ``P000…``, readiness-free."""
    i, j = np.meshgrid(np.arange(n_side), np.arange(n_side))
    x = X0 + i.ravel() * (size + gap)
    y = Y0 + j.ravel() * (size + gap)
    n = x.size
    return gpd.GeoDataFrame(
        {"parcel_id": [f"P{k:06d}" for k in range(n)],
         "name": [f"地块{k}" for k in range(n)],
         "zone_id": np.where(i.ravel() < n_side / 2, "Z1", "Z2"),
         "industry": "photovoltaic"},
        geometry=shapely.box(x, y, x + size, y + size), crs=CRS)


def overall_for(parcels: gpd.GeoDataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"parcel_id": parcels["parcel_id"],
                         "readiness": rng.choice(["ready", "ready_with_commitments",
                                                  "not_ready", "incomplete"], len(parcels))})


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    """One small layer of every kind the map draws, with Chinese names."""
    parcels = parcels_grid(6)
    zone = shapely.box(X0 - 100, Y0 - 100, X0 + 700, Y0 + 700)
    line = shapely.LineString([(X0 - 200, Y0 - 50), (X0 + 800, Y0 - 50)])
    return {
        "parcels": parcels,
        "zones": gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["长治高新区"],
                                   "kind": ["high_tech"]}, geometry=[zone], crs=CRS),
        "mines": gpd.GeoDataFrame({"site_id": ["M1", "M2"], "name": ["石灰岩矿", "煤矿<b>"],
                                   "stage": ["in_progress", "closed"]},
                                  geometry=[shapely.box(X0 + 900, Y0, X0 + 1100, Y0 + 200),
                                            shapely.box(X0 + 1200, Y0, X0 + 1300, Y0 + 100)],
                                  crs=CRS),
        "water": gpd.GeoDataFrame({"kind": ["main", "plant"], "status": ["existing", "planned"],
                                   "name": ["干管一号", "水厂"]},
                                  geometry=[line, shapely.Point(X0, Y0 - 300)], crs=CRS),
        "roads": gpd.GeoDataFrame({"class": ["primary"], "status": ["existing"],
                                   "name": ["长治大道"]},
                                  geometry=[shapely.LineString([(X0 - 50, Y0 - 200),
                                                                (X0 - 50, Y0 + 800)])], crs=CRS),
        "power": gpd.GeoDataFrame({"kind": ["substation"], "voltage_kv": [110.0],
                                   "status": ["existing"], "name": ["变电站"]},
                                  geometry=[shapely.Point(X0 + 750, Y0 + 750)], crs=CRS),
        "tourism_road": gpd.GeoDataFrame({"segment_id": ["T1"], "name": ["太行一号旅游公路"],
                                          "status": ["existing"]},
                                         geometry=[shapely.LineString([(X0 + 1000, Y0 - 500),
                                                                       (X0 + 1500, Y0 + 500)])],
                                         crs=CRS),
        "constraints": gpd.GeoDataFrame({"kind": ["ecological_redline"], "name": ["生态红线"]},
                                        geometry=[shapely.box(X0 + 2000, Y0, X0 + 2500,
                                                              Y0 + 500)], crs=CRS),
        "base_stations": gpd.GeoDataFrame({"name": ["基站"], "radius_m": [500.0],
                                           "status": ["existing"]},
                                          geometry=[shapely.Point(X0 + 300, Y0 + 300)], crs=CRS),
    }


@pytest.fixture
def dem() -> Raster:
    """A 60×50 DEM (30 m cells) over the synthetic layers: a tilted plane with a hill."""
    yy, xx = np.mgrid[0:50, 0:60]
    z = 900.0 + 2.0 * xx + 80.0 * np.exp(-((xx - 30) ** 2 + (yy - 25) ** 2) / 80.0)
    z[:3, :3] = np.nan
    return Raster(z, Affine(30.0, 0, X0 - 300, 0, -30.0, Y0 + 1200), CRS, None)


@pytest.fixture
def coverage() -> Raster:
    """RSRP (dBm) decreasing from west to east: −80 … −115."""
    xx = np.tile(np.linspace(-80.0, -115.0, 40), (30, 1))
    return Raster(xx, Affine(50.0, 0, X0 - 300, 0, -50.0, Y0 + 1200), CRS, None)


@pytest.fixture
def in_ci() -> bool:
    return bool(os.environ.get("CI"))


# --------------------------------------------------------------------------- browser tests
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-domain-reliability"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip browser tests only when Chromium is absent and CI is unset (CI must run them)."""
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium "
                                   "fonts-noto-cjk, as .ci/run does); browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def base_url() -> None:
    """Shadows pytest-base-url's fixture, whose instance-method form pytest 9 deprecates
    (an error under filterwarnings=error); tests use ``app_server.url`` instead."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, never a downloaded browser (docs/notes.md)."""
    if not CHROMIUM.exists():
        pytest.fail(f"CI is set but {CHROMIUM} is missing: .ci/run must install chromium.")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1440, "height": 1000}, "accept_downloads": True}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server(demo_ws: Path, users_file: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app served on a free port over a private copy of the demo workspace."""
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request
    from types import SimpleNamespace

    from ui.assets import missing_files

    if missing_files():
        msg = "map assets missing: run `make assets` (python -m ui.assets fetch)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    ws = tmp_path_factory.mktemp("app") / "ws"
    shutil.copytree(demo_ws, ws)
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "streamlit-server.log"
    port = _free_port()
    env = {**os.environ, "DEVZONE_WORKSPACE": str(ws), "DEVZONE_USERS": str(users_file)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the app did not start; see {log_path}:\n"
                        + log_path.read_text(errors="replace")[-2000:])
        time.sleep(0.3)
    yield SimpleNamespace(url=url, ws=ws, log=log_path)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def offline_page(page, app_server):
    """A page on which every request not to 127.0.0.1 is aborted and recorded.

    The test fails at teardown if any such request was attempted.
    """
    import re

    external: list[str] = []
    local = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost)[:/]|data:|blob:"
                       r"|about:)")

    def _abort(route) -> None:
        external.append(route.request.url)
        route.abort()

    def _ws(ws) -> None:
        external.append(ws.url)
        ws.close()

    page.route(local, _abort)
    page.route_web_socket(local, _ws)
    page.set_default_timeout(30_000)
    page.external_requests = external
    yield page
    assert external == [], f"requests left the machine: {external}"
