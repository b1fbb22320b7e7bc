"""Progress per site: current stage, areas, overdue arithmetic, durations, forecast, flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gis.errors import InputError
from gis.raster import RasterSource
from layers.restoration import (
    FLAG_CODES,
    RestorationInputs,
    progress,
)
from layers.settings import RestorationSettings
from tests.restoration.restoration_helpers import make_history, make_sites, raster, square

AS_OF = "2025-06-01"


def _one(site: dict, history: list[tuple] | None = None, as_of: str = AS_OF, **kw
         ) -> pd.Series:
    base = {"site_id": "K1", "stage": "approved", "x": 0, "y": 0, "side": 100}
    mines = make_sites([{**base, **site}])
    hist = make_history(history) if history is not None else None
    return progress(RestorationInputs(mines=mines, inspections=hist), as_of=as_of,
                    **kw).sites.iloc[0]


def test_current_stage_and_area_come_from_the_latest_inspection() -> None:
    row = _one({"stage": "approved", "restored_area_ha": 0.1},
               [("K1", "2025-03-01", "completed", 0.9), ("K1", "2025-01-01", "in_progress", 0.4)])
    assert row["stage"] == "completed" and row["restored_area_ha"] == pytest.approx(0.9)
    assert row["stage_zh"] == "已完工" and row["stage_en"] == "Works completed"
    assert row["n_inspections"] == 2
    assert row["last_inspection"] == pd.Timestamp("2025-03-01")


def test_a_later_row_wins_a_tie_on_date() -> None:
    row = _one({}, [("K1", "2025-03-01", "in_progress", 0.3),
                    ("K1", "2025-03-01", "completed", 0.8)])
    assert row["stage"] == "completed" and row["restored_area_ha"] == pytest.approx(0.8)


def test_without_inspections_the_site_attributes_count() -> None:
    row = _one({"stage": "in_progress", "restored_area_ha": 0.25})
    assert row["stage"] == "in_progress"
    assert row["progress_pct"] == pytest.approx(25.0)  # 0.25 of a 1 ha square
    assert row["n_inspections"] == 0


def test_inspections_after_as_of_are_ignored() -> None:
    hist = [("K1", "2025-01-01", "in_progress", 0.2), ("K1", "2025-07-01", "completed", 1.0)]
    row = _one({}, hist, as_of=AS_OF)
    assert row["stage"] == "in_progress" and row["progress_pct"] == pytest.approx(20.0)
    assert _one({}, hist, as_of="2025-07-01")["stage"] == "completed"


def test_restored_area_falls_back_to_the_last_known_value() -> None:
    row = _one({"restored_area_ha": 0.05}, [("K1", "2025-01-01", "in_progress", 0.4),
                                            ("K1", "2025-02-01", "in_progress", np.nan)])
    assert row["restored_area_ha"] == pytest.approx(0.4)


def test_progress_uses_geometric_area_not_declared_area() -> None:
    row = _one({"side": 200, "area_ha": 10.0, "restored_area_ha": 2.0,
                "stage": "in_progress"})
    assert row["site_area_ha"] == pytest.approx(4.0)
    assert row["declared_area_ha"] == pytest.approx(10.0)
    assert row["progress_pct"] == pytest.approx(50.0)


def test_progress_is_capped_at_100_with_a_flag() -> None:
    row = _one({"stage": "completed"}, [("K1", "2025-05-01", "completed", 1.2)])
    assert row["progress_pct"] == 100.0
    assert row["flags"] == "restored_exceeds_area"
    exact = _one({"stage": "completed"}, [("K1", "2025-05-01", "completed", 1.0)])
    assert exact["progress_pct"] == 100.0 and exact["flags"] == ""


# ------------------------------------------------------------ overdue boundaries
@pytest.mark.parametrize(("as_of", "expected"), [("2025-05-31", 0), ("2025-06-01", 0),
                                                  ("2025-06-02", 1), ("2026-06-01", 365)])
def test_days_overdue_around_the_target(as_of: str, expected: int) -> None:
    row = _one({"target_date": "2025-06-01", "stage": "approved"},
               [("K1", "2025-05-01", "approved", 0.0)], as_of=as_of)
    assert row["days_overdue"] == expected
    assert ("overdue" in row["flags"].split(";")) == (expected > 0)


def test_completed_late_is_not_overdue_but_records_the_delay() -> None:
    row = _one({"start_date": "2024-01-01", "target_date": "2025-01-31"},
               [("K1", "2024-01-01", "in_progress", 0.0),
                ("K1", "2024-10-01", "in_progress", 0.5),
                ("K1", "2025-03-01", "completed", 1.0)])
    assert row["days_overdue"] == 0
    assert "overdue" not in row["flags"]
    assert row["completed_on"] == pd.Timestamp("2025-03-01")
    assert row["completion_delay_days"] == 29
    assert row["planned_days"] == (pd.Timestamp("2025-01-31") - pd.Timestamp("2024-01-01")).days
    assert row["actual_days"] == (pd.Timestamp("2025-03-01") - pd.Timestamp("2024-01-01")).days
    assert pd.isna(row["elapsed_days"]) and pd.isna(row["forecast_date"])


def test_stage_after_completed_is_never_overdue() -> None:
    for stage in ("completed", "accepted", "maintenance", "closed"):
        row = _one({"target_date": "2020-01-01", "stage": stage})
        assert row["days_overdue"] == 0, stage


def test_elapsed_days_of_an_unfinished_site() -> None:
    row = _one({"start_date": "2025-01-01", "target_date": "2025-12-31"},
               [("K1", "2025-05-01", "in_progress", 0.1)])
    assert row["elapsed_days"] == (pd.Timestamp(AS_OF) - pd.Timestamp("2025-01-01")).days
    assert pd.isna(row["actual_days"])


# ------------------------------------------------------------------ forecast
def test_forecast_extends_the_linear_trend_to_the_site_area() -> None:
    # 10 ha site; 2 ha on 1 Jan, 4 ha 60 days later: 8 ha more at 2/60 ha/day = 240 days
    row = _one({"side": 316.227766, "stage": "in_progress", "target_date": "2026-01-01"},
               [("K1", "2025-01-01", "in_progress", 2.0), ("K1", "2025-03-02", "in_progress", 4.0)])
    assert row["site_area_ha"] == pytest.approx(10.0)
    assert row["forecast_date"] == pd.Timestamp("2025-01-01") + pd.Timedelta(days=240)
    assert "forecast_late" not in row["flags"]


def test_forecast_after_the_target_is_flagged() -> None:
    row = _one({"side": 316.227766, "stage": "in_progress", "target_date": "2025-08-01"},
               [("K1", "2025-01-01", "in_progress", 2.0), ("K1", "2025-03-02", "in_progress", 4.0)])
    assert row["flags"] == "forecast_late"
    assert row["days_overdue"] == 0


def test_single_inspection_uses_the_start_date_as_origin() -> None:
    # 1 ha; 0 ha on the start date, 0.5 ha 100 days later: done 100 days after that
    row = _one({"stage": "in_progress", "start_date": "2025-01-01"},
               [("K1", "2025-04-11", "in_progress", 0.5)])
    assert row["forecast_date"] == pd.Timestamp("2025-07-20")


def test_no_forecast_without_a_trend() -> None:
    flat = _one({"stage": "in_progress"}, [("K1", "2025-01-01", "in_progress", 0.5),
                                           ("K1", "2025-04-01", "in_progress", 0.5)])
    assert pd.isna(flat["forecast_date"]) and "no progress" in flat["notes_en"]
    assert flat["notes"] == "巡查记录显示修复面积没有进展"
    lone = _one({"stage": "in_progress"}, [("K1", "2025-04-01", "in_progress", 0.5)])
    assert pd.isna(lone["forecast_date"]) and "too few" in lone["notes_en"]
    assert lone["notes"] == "巡查记录太少，无法预测完工日期"


# ------------------------------------------------------------------- stale
@pytest.mark.parametrize(("days", "stale"), [(179, False), (180, True)])
def test_stale_inspection_boundary(days: int, stale: bool) -> None:
    last = pd.Timestamp(AS_OF) - pd.Timedelta(days=days)
    row = _one({}, [("K1", last, "approved", 0.0)])
    assert row["days_since_inspection"] == days
    assert ("stale_inspection" in row["flags"]) == stale


def test_stale_days_is_configurable_and_closed_sites_are_exempt() -> None:
    hist = [("K1", "2025-05-01", "approved", 0.0)]
    monthly = RestorationSettings(stale_days=30)
    assert "stale_inspection" in _one({}, hist, settings=monthly)["flags"]
    assert _one({"stage": "closed"}, [])["flags"] == ""
    assert _one({"stage": "not_started"}, [])["flags"] == ""
    assert _one({"stage": "maintenance"}, [])["flags"] == "stale_inspection"


def test_stage_backwards_is_flagged_with_its_note() -> None:
    row = _one({}, [("K1", "2025-01-01", "in_progress", 0.3),
                    ("K1", "2025-03-01", "completed", 1.0),
                    ("K1", "2025-05-01", "in_progress", 0.6, "边坡垮塌，返工")])
    assert "stage_backwards" in row["flags"].split(";")
    assert row["backwards_note"] == "边坡垮塌，返工"
    assert row["stage"] == "in_progress"


# ------------------------------------------------------------ output shape
def test_lead_columns_and_flag_labels(rng: np.random.Generator) -> None:
    mines = make_sites([{"site_id": "A", "stage": "approved", "x": 1000, "y": 1000},
                        {"site_id": "B", "stage": "in_progress", "x": 3000, "y": 3000}])
    arr = rng.uniform(0.1, 0.8, (600, 600))
    inputs = RestorationInputs(mines=mines, ndvi={
        "2025": RasterSource.from_array(raster(arr)),
        "2020": RasterSource.from_array(raster(arr * 0.5))})
    out = progress(inputs, as_of=AS_OF).sites
    assert list(out.columns[:8]) == ["site_id", "stage", "progress_pct", "days_overdue",
                                     "ndvi_2020", "ndvi_2025", "ndvi_change", "flags"]
    assert out.crs == mines.crs and len(out) == 2
    assert list(out["site_id"]) == ["A", "B"]
    a = out.iloc[0]
    assert a["ndvi_change"] == pytest.approx(a["ndvi_2025"] - a["ndvi_2020"], abs=2e-4)
    # no inspection at all: an approved site is stale
    assert a["flags"] == "stale_inspection"
    assert a["flags_zh"] == "长期未巡查" and a["flags_en"] == "No recent inspection"


def test_unknown_inspection_sites_and_bad_rows_are_noted() -> None:
    mines = make_sites([{"site_id": "K1", "stage": "approved"}])
    hist = make_history([("K1", "2025-01-01", "approved", 0.0),
                         ("K9", "2025-01-01", "approved", 0.0),
                         ("K1", "2025-02-01", "finished", 0.0)])
    res = progress(RestorationInputs(mines=mines, inspections=hist), as_of=AS_OF)
    out = res.sites
    notes = {n.code: n for n in res.notes}
    assert "K9" in notes["unknown_sites"].message_en
    assert "1 inspection rows" in notes["inspections_dropped"].message_en
    assert notes["unknown_sites"].message("zh") == "巡查记录中有 1 个图斑不在矿山图层中：K9"
    assert notes["inspections_dropped"].message("zh").startswith("1 条巡查记录")
    assert out.iloc[0]["n_inspections"] == 1


def test_bad_inputs_raise_one_readable_error() -> None:
    mines = make_sites([{"site_id": "K1", "stage": "approved"},
                        {"site_id": "K1", "stage": "approved", "x": 500}])
    with pytest.raises(InputError, match="repeats site_id K1"):
        progress(RestorationInputs(mines=mines), as_of=AS_OF)
    with pytest.raises(InputError, match="not a metric CRS"):
        progress(RestorationInputs(mines=mines.iloc[:1].to_crs(4490)), as_of=AS_OF)
    with pytest.raises(InputError, match="lacks column"):
        progress(RestorationInputs(mines=mines.drop(columns="stage")), as_of=AS_OF)
    with pytest.raises(InputError, match="not a date"):
        progress(RestorationInputs(mines=mines.iloc[:1]), as_of="soon")


def test_county_is_filled_from_county_polygons() -> None:
    import geopandas as gpd

    mines = make_sites([{"site_id": "K1", "stage": "approved", "x": 100, "y": 100},
                        {"site_id": "K2", "stage": "approved", "x": 4000, "y": 100}])
    counties = gpd.GeoDataFrame({"county": ["平顺县", "壶关县"]},
                                geometry=[square(0, 0, 2000), square(2000, 0, 4000)],
                                crs=mines.crs)
    out = progress(RestorationInputs(mines=mines, counties=counties), as_of=AS_OF).sites
    assert list(out["county"]) == ["平顺县", "壶关县"]


def test_flag_codes_are_known() -> None:
    row = _one({"stage": "completed", "target_date": "2020-01-01"},
               [("K1", "2024-01-01", "completed", 1.5)])
    assert set(row["flags"].split(";")) <= set(FLAG_CODES)
