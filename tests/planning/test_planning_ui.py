"""The pipeline and budget-plan sections (AppTest on a small script that calls them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.planning.planning_helpers import write_workspace


def _script(lang: str) -> None:
    from datetime import date

    from ui import data as uidata
    from ui.planning_widgets import pipeline_section, plan_section

    snap = uidata.snapshot()
    text = uidata.saved_rules_text(uidata.load(snap))
    pipeline_section(snap, text, date(2026, 1, 1), lang, quarters=2)
    plan_section(snap, text, date(2025, 6, 30), lang, default_budget=1000.0)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workspace(tmp_path_factory.mktemp("planui") / "规划")


def _run(ws: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(ws))
    at = AppTest.from_function(_script, args=(lang,), default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _text(at: AppTest) -> str:
    return "\n".join([str(m.value) for m in at.markdown] + [str(c.value) for c in at.caption])


def test_sections_in_english(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(ws, "en", monkeypatch)
    heads = [h.value for h in at.subheader]
    assert heads == ["Supply pipeline (by quarter)",
                     "Budget plan (most land ready within a budget)"]
    text = _text(at)
    assert "3 parcels, 2.90 ha made ready for 130.0 万元 (budget 1,000 万元)" in text
    assert "proven optimal by HiGHS" in text
    frames = [d.value for d in at.dataframe]
    drops, works, ready = frames[0], frames[1], frames[2]
    assert drops["Parcel"].tolist() == ["A", "B"]  # Z1's EIA lapses on 2026-05-15
    assert sorted(works["Work"]) == ["R1", "W1"]
    assert sorted(ready["Parcel"]) == ["A", "B", "D"]
    # a smaller budget: only the water main fits
    at.number_input(key="plan_budget").set_value(70.0).run()
    assert not at.exception
    assert "2 parcels, 2.00 ha made ready for 50.0 万元" in _text(at)
    assert [d.value for d in at.dataframe][1]["Work"].tolist() == ["W1"]


def test_sections_in_chinese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(ws, "zh", monkeypatch)
    assert at.subheader[0].value == "供地储备（按季度）"
    assert "3 宗地块、2.90 公顷可达标，花费 130.0 万元" in _text(at)
    works = at.dataframe[1].value
    assert set(works["类型"]) == {"规划项目"} and "供水干管" in set(works["名称"])
