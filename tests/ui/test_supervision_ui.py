"""The Supervision page, the Overview's stock split and the Parcels supply filter.

AppTest (no browser) for the widgets and numbers; one real-Chromium test for the
page offline (the map coloured by status, the chart, no request leaving the machine).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.supervision.inputs import supervise_workspace
from layers.workspace import Workspace
from tests.ui.conftest import ROOT

PAGE = "ui/pages/supervision.py"


@pytest.fixture
def demo_env(demo_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws))
    return demo_ws


def _run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.caption)


def test_supervision_page_metrics_filters_and_panel(demo_env: Path) -> None:
    ws = Workspace.load(demo_env)
    expected = supervise_workspace(ws, ws.as_of)
    at = _run(PAGE)
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "供后履约监管"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["合同数"] == str(len(expected))
    idle = expected["idle_status"].isin(["idle", "idle_recoverable"]).sum()
    assert metrics["闲置土地"] == str(idle)
    total = int(re.search(r"筛选结果：(\d+) 份合同", _captions(at)).group(1))
    assert total == len(expected)
    at.multiselect(key="sup_status").set_value(["review_failed"]).run()
    shown = int(re.search(r"筛选结果：(\d+) 份合同", _captions(at)).group(1))
    assert shown == (expected["status"] == "review_failed").sum() > 0
    table = at.dataframe[0].value  # the contracts table
    assert set(table["履约状态"]) == {"复核未通过"}
    assert set(table["未达标指标"]) <= {"亩均税收", "单位能耗"}
    # the enterprise panel shows the chosen contract's indicators, one failing
    panel = at.dataframe[-1].value
    assert {"投资强度", "亩均税收", "单位能耗"} <= set(panel["指标"])
    assert panel["差距"].notna().sum() == 1
    assert len(at.get("download_button")) == 1  # the CSV; reports on demand
    at.toggle(key="sup_report_make").set_value(True).run()
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == 5  # CSV + contract and city, HTML and PDF


def test_supervision_page_without_contracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            demo_ws: Path) -> None:
    import shutil
    import tomllib

    import tomli_w

    ws = tmp_path / "ws"
    shutil.copytree(demo_ws, ws)
    doc = tomllib.loads((ws / "workspace.toml").read_text(encoding="utf-8"))
    for kind in ("contracts", "performance", "commitments"):
        doc["tables"].pop(kind)
    (ws / "workspace.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(ws))
    at = _run(PAGE)
    assert not at.error
    assert any("没有供地合同" in str(i.value) for i in at.info)


def test_overview_counts_only_the_stock_on_offer_as_ready(demo_env: Path) -> None:
    at = _run()
    metrics = {m.label: m.value for m in at.metric}
    parcels = Workspace.load(demo_env).read("parcels")
    offer = ~parcels["supply_status"].isin(["supplied", "under_construction"])
    assert f"可供应存量（储备、待供应）：{int(offer.sum())} 宗" in _captions(at)
    moved = int(re.search(r"其中 (\d+) 宗按准备状态为已就绪", _captions(at)).group(1))
    assert moved > 0
    # ready stock + ready parcels moved out = every ready parcel, as the engine says
    by_readiness = at.dataframe[0].value
    ready_rows = by_readiness[by_readiness["准备状态"].isin(["已就绪", "承诺制就绪"])]
    assert int(metrics["已就绪（含承诺）"].replace(",", "")) == int(ready_rows["数量"].sum())
    assert "已供应土地（按履约状态）" in [s.value for s in at.subheader]


def test_parcels_supply_filter(demo_env: Path) -> None:
    at = _run("ui/pages/parcels.py")
    total = int(re.search(r"筛选结果：(\d+)", _captions(at)).group(1))
    at.radio(key="f_stock").set_value("supplied").run()
    supplied = int(re.search(r"筛选结果：(\d+)", _captions(at)).group(1))
    at.radio(key="f_stock").set_value("on_offer").run()
    offer = int(re.search(r"筛选结果：(\d+)", _captions(at)).group(1))
    assert supplied + offer == total and 0 < supplied < offer
    statuses = set(at.dataframe(key="parcel_table").value["供应状态"])
    assert statuses <= {"储备", "待供应"}


@pytest.mark.browser
def test_supervision_page_in_chromium_offline(offline_page, app_server) -> None:
    from tests.ui.test_browser import _map, _no_exception, _open, _shot

    page = _open(offline_page, f"{app_server.url}/supervision", "供后履约监管")
    frame = _map(page)
    # supplied parcels drawn with the status colours (idle over two years: #67001f)
    frame.locator('path.leaflet-interactive[fill="#67001f"]').first.wait_for(state="attached")
    page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]') \
        .first.wait_for(state="attached")
    _no_exception(page)
    _shot(page, "supervision-zh")

