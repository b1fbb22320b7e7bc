"""Stage model and validation of new inspections."""

from __future__ import annotations

from datetime import date

import pytest

from layers.catalog import MINE_STAGES, STAGE_LABELS
from layers.restoration import (
    FLAG_CODES,
    FLAG_LABELS,
    History,
    flag_label,
    is_backwards,
    normalize_history,
    parse_stage,
    stage_index,
    stage_label,
    validate_inspection,
)
from tests.restoration.restoration_helpers import make_history, make_sites

TODAY = date(2025, 6, 1)


def test_stage_order_follows_the_catalogue() -> None:
    assert [stage_index(s) for s in MINE_STAGES] == list(range(7))
    assert MINE_STAGES[0] == "not_started" and MINE_STAGES[-1] == "closed"
    assert is_backwards("completed", "in_progress")
    assert not is_backwards("in_progress", "in_progress")
    assert not is_backwards("approved", "closed")
    with pytest.raises(ValueError, match="unknown stage"):
        stage_index("finished")


@pytest.mark.parametrize("code", MINE_STAGES)
def test_every_stage_parses_from_code_and_both_labels(code: str) -> None:
    zh, en = STAGE_LABELS[code]
    assert parse_stage(code) == code
    assert parse_stage(zh) == code
    assert parse_stage(en.upper()) == code
    assert stage_label(code, "zh") == zh and stage_label(code, "en") == en


def test_unknown_stage_values_are_none() -> None:
    assert parse_stage("done") is None
    assert parse_stage(None) is None
    assert parse_stage(3) is None


def test_every_flag_has_distinct_zh_and_en_labels() -> None:
    assert set(FLAG_CODES) == {"overdue", "forecast_late", "stale_inspection",
                               "stage_backwards", "restored_exceeds_area", "low_vegetation"}
    zh = [flag_label(c, "zh") for c in FLAG_CODES]
    en = [flag_label(c, "en") for c in FLAG_CODES]
    assert len(set(zh)) == len(zh) and len(set(en)) == len(en)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in z) for z in zh)
    assert FLAG_LABELS["overdue"] == ("逾期未完工", "Overdue")


# ---------------------------------------------------------------- validation
SITE = make_sites([{"site_id": "K1", "stage": "approved", "x": 0, "y": 0, "side": 200}]).iloc[0]
HIST = make_history([("K1", "2025-01-10", "approved", 0.0),
                     ("K1", "2025-03-01", "in_progress", 1.0)])


def _codes(new: dict, hist=HIST, today: date = TODAY) -> list[str]:
    return [p.code for p in validate_inspection(hist, SITE, new, today=today)]


def test_a_valid_inspection_has_no_problems() -> None:
    assert _codes({"date": "2025-05-01", "stage": "in_progress", "restored_area_ha": 2.5,
                   "veg_cover_pct": 30}) == []


def test_same_day_as_last_and_today_are_allowed() -> None:
    assert _codes({"date": "2025-03-01", "stage": "in_progress"}) == []
    assert _codes({"date": TODAY, "stage": "completed"}) == []


def test_future_date_is_refused() -> None:
    problems = validate_inspection(HIST, SITE, {"date": "2025-06-02", "stage": "in_progress"},
                                   today=TODAY)
    assert [p.code for p in problems] == ["future_date"]
    assert "K1" in problems[0].en and "2025-06-02" in problems[0].en
    assert "K1" in problems[0].zh


def test_date_before_last_inspection_is_refused() -> None:
    assert _codes({"date": "2025-02-28", "stage": "in_progress"}) == ["before_last"]


def test_unparseable_date_and_unknown_stage() -> None:
    assert sorted(_codes({"date": "yesterday", "stage": "done"})) == ["bad_date",
                                                                      "unknown_stage"]


def test_backwards_needs_a_note() -> None:
    assert _codes({"date": "2025-05-01", "stage": "approved"}) == ["backwards_without_reason"]
    assert _codes({"date": "2025-05-01", "stage": "approved",
                   "note": "施工许可被撤销，重新立项"}) == []
    assert _codes({"date": "2025-05-01", "stage": "approved", "note": "   "}) \
        == ["backwards_without_reason"]


def test_backwards_is_judged_against_the_site_stage_without_history() -> None:
    assert _codes({"date": "2025-05-01", "stage": "not_started"}, hist=None) \
        == ["backwards_without_reason"]
    assert _codes({"date": "2025-05-01", "stage": "in_progress"}, hist=None) == []


def test_restored_area_bounds() -> None:
    # the site is 200 m × 200 m = 4 ha
    assert _codes({"date": "2025-05-01", "stage": "in_progress", "restored_area_ha": 4.0}) == []
    assert _codes({"date": "2025-05-01", "stage": "in_progress",
                   "restored_area_ha": 4.2}) == ["restored_exceeds_area"]
    assert _codes({"date": "2025-05-01", "stage": "in_progress",
                   "restored_area_ha": -1}) == ["bad_area"]
    assert _codes({"date": "2025-05-01", "stage": "in_progress",
                   "restored_area_ha": "many"}) == ["bad_area"]


def test_vegetation_cover_is_a_percentage() -> None:
    assert _codes({"date": "2025-05-01", "stage": "in_progress", "veg_cover_pct": 100}) == []
    assert _codes({"date": "2025-05-01", "stage": "in_progress",
                   "veg_cover_pct": 120}) == ["bad_cover"]


def test_chinese_stage_label_is_accepted() -> None:
    assert _codes({"date": "2025-05-01", "stage": "已完工", "restored_area_ha": 4}) == []


def test_history_sorts_rows_and_counts_the_ones_it_drops() -> None:
    import pandas as pd

    raw = pd.DataFrame({"site_id": [" B ", "A", "", "A", "C"],
                        "date": ["2025-03-01", "2025-02-01", "2025-01-01", "not a date",
                                 "2025-01-01"],
                        "stage": ["施工中", "approved", "approved", "approved", "finished"]})
    history = History.of(raw)
    assert history.dropped == 3  # no site, no date, unknown stage
    assert list(history.frame["site_id"]) == ["A", "B"]
    assert list(history.frame["stage"]) == ["approved", "in_progress"]
    assert "dropped" not in history.frame.attrs
    pd.testing.assert_frame_equal(normalize_history(raw), history.frame)
    assert History.of(None).dropped == 0 and History.of(None).frame.empty
