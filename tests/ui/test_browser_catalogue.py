"""The parcel catalogue in a real Chromium (offline): filter, then download the shortlist."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.ui.test_browser import _map, _no_exception, _open, _shot

pytestmark = pytest.mark.browser

COUNT = re.compile(r"符合条件：(\d+) 个地块")


def _count(page) -> int:
    text = page.get_by_text(COUNT).first.inner_text()
    return int(COUNT.search(text).group(1))


def _download(page, label: str) -> Path:
    button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text=label)
    with page.expect_download() as info:
        button.first.click()
    return Path(info.value.path())


def test_filter_and_download_the_shortlist(offline_page, app_server) -> None:
    page = _open(offline_page, f"{app_server.url}/catalogue", "招商地块目录")
    _map(page)
    parcels = gpd.read_file(app_server.ws / "layers.gpkg", layer="parcels")
    on_offer = parcels[parcels["supply_status"].isin(["reserve", "for_supply"])]
    page.get_by_text(f"符合条件：{len(on_offer)} 个地块").wait_for()

    box = page.locator('input[aria-label="最小面积（亩）"]')
    box.fill("80")
    box.press("Enter")
    page.get_by_text(f"符合条件：{len(on_offer)} 个地块").wait_for(state="detached")
    n = _count(page)
    assert 0 < n < len(on_offer)
    page.get_by_text(f"下载候选地块（CSV，{n} 个）").wait_for()

    csv = _download(page, "CSV").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # utf-8-sig: Excel reads the Chinese
    table = pd.read_csv(io.StringIO(csv.decode("utf-8-sig")))
    assert len(table) == n and (table["area_mu"] >= 80 - 1e-6).all()
    assert set(table["parcel_id"]) <= set(on_offer["parcel_id"])
    names = dict(zip(on_offer["parcel_id"], on_offer["name"], strict=True))
    assert all(names[p] == nm for p, nm in zip(table["parcel_id"], table["name"], strict=True))
    assert any("地块" in nm for nm in table["name"])

    doc = json.loads(_download(page, "GEOJSON").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == n
    for feat in doc["features"]:
        x0, y0, x1, y1 = shapely.geometry.shape(feat["geometry"]).bounds
        assert 110 < x0 < x1 < 116 and 34 < y0 < y1 < 38  # EPSG:4326, lon/lat
        assert feat["properties"]["area_mu"] >= 80 - 1e-6
    _no_exception(page)
    _shot(page, "catalogue-zh")
