"""Labels of coded values in zh and en: the one table the app, the CLI and the reports share.

The bilingual convention, followed by every table, frame and function of the project:

* A pair of texts is always ordered ``(zh, en)``: ``("已就绪", "Ready")``, the string
  tables of :mod:`ui.i18n` and :mod:`layers.reports.i18n`, the catalogue's column labels.
* In a table, a text column without a language suffix is Chinese and its English twin
  carries ``_en``: the readiness long table's ``message`` / ``message_en``, gap-to-ready's
  ``gaps`` / ``gaps_en``, a counties layer's ``county`` / ``county_en``. Where both are
  suffixed (``label_zh`` / ``label_en``) there is no unsuffixed text column beside them.
* Codes (``ready``, ``not_ready``, ``photovoltaic``…) are language-neutral identifiers,
  stored as they are and shown through :func:`value_label`.
* Functions choose a language with ``lang`` = ``"zh"`` (the default) or ``"en"``.
* The same holds for fields: restoration ``notes`` / ``notes_en``, an import report's
  ``notes`` / ``notes_en``, a validation finding's ``problem``, ``hint`` /
  ``problem_en``, ``hint_en``.

One exception: :class:`gis.errors.PlannerError` keeps English first —
``PlannerError(message, hint=, zh=, hint_zh=)`` — because ``str(exc)`` is its English
message, like Python's own exceptions; ``exc.text(lang)`` gives either language.
"""

from __future__ import annotations

import math

import pandas as pd

from layers.catalog import ASSESSMENT_LABELS, STAGE_LABELS

__all__ = ["VALUE_LABELS", "value_label"]

# group -> code -> (zh, en)
VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "readiness": {
        "ready": ("已就绪", "Ready"),
        "ready_with_commitments": ("承诺制就绪", "Ready with commitments"),
        "not_ready": ("未就绪", "Not ready"),
        "incomplete": ("资料不全", "Incomplete"),
        "unchecked": ("未评估", "Not checked"),
    },
    "rule_status": {
        "pass": ("通过", "Pass"),
        "fail": ("不通过", "Fail"),
        "unknown": ("未知", "Unknown"),
        "committed": ("承诺", "Committed"),
    },
    "stage": dict(STAGE_LABELS),
    "infra_status": {
        "existing": ("现状", "Existing"),
        "under_construction": ("在建", "Under construction"),
        "planned": ("规划", "Planned"),
    },
    "project_kind": {
        "road": ("道路", "Road"),
        "water": ("供水", "Water"),
        "power": ("电力", "Power"),
        "gas": ("燃气", "Gas"),
        "other": ("其他", "Other"),
    },
    "water_kind": {
        "main": ("干管", "Main"),
        "branch": ("支管", "Branch"),
        "raw_main": ("原水输水管", "Raw-water main"),
        "plant": ("水厂", "Plant"),
        "reservoir": ("水库", "Reservoir"),
        "pump": ("泵站", "Pumping station"),
    },
    "power_kind": {
        "substation": ("变电站", "Substation"),
        "line": ("线路", "Line"),
    },
    "transport_kind": {
        "motorway_exit": ("高速出口", "Motorway exit"),
        "rail_freight": ("铁路货场", "Rail freight yard"),
        "rail_station": ("火车站", "Railway station"),
        "airport": ("机场", "Airport"),
        "port": ("港口", "Port"),
    },
    "constraint_kind": {
        "ecological_redline": ("生态保护红线", "Ecological red line"),
        "basic_farmland": ("永久基本农田", "Permanent basic farmland"),
        "flood": ("洪涝风险区", "Flood zone"),
        "geohazard": ("地质灾害区", "Geohazard zone"),
        "mining_right": ("采矿权", "Mining right"),
        "urban_development_boundary": ("城镇开发边界", "Urban development boundary"),
    },
    "residential_kind": {
        "urban": ("城镇居住区", "Urban residential"),
        "village": ("村庄", "Village"),
    },
    "zone_kind": {
        "high_tech": ("高新区", "High-tech zone"),
        "econ_tech": ("经开区", "Econ.-tech zone"),
        "provincial": ("省级开发区", "Provincial zone"),
        "other": ("其他", "Other"),
    },
    "supply_status": {
        "reserve": ("储备", "Reserve"),
        "for_supply": ("待供应", "For supply"),
        "supplied": ("已供应", "Supplied"),
        "under_construction": ("在建", "Under construction"),
    },
    "assessment_kind": dict(ASSESSMENT_LABELS),
    "industry": {
        "photovoltaic": ("光伏", "Photovoltaic"),
        "semiconductor": ("半导体光电", "Semiconductor optoelectronics"),
        "it_innovation": ("信创", "IT innovation"),
        "coal_chemical": ("现代煤化工", "Modern coal chemicals"),
        "equipment": ("装备制造", "Equipment manufacturing"),
        "new_materials": ("新材料", "New materials"),
        "steel": ("钢铁", "Steel"),
        "coke": ("焦化", "Coking"),
        "power": ("电力", "Power"),
        "food": ("食品", "Food"),
        "textiles": ("纺织", "Textiles"),
        "logistics": ("物流仓储", "Logistics"),
    },
    "severity": {
        "error": ("错误", "Error"),
        "warning": ("警告", "Warning"),
        "info": ("提示", "Info"),
    },
    "assessment_status": {
        "approved": ("已批复", "Approved"),
        "committed": ("承诺制", "Committed"),
        "pending": ("待评估", "Pending"),
        "not_required": ("无需评估", "Not required"),
    },
    # after supply (layers.supervision)
    "construction": {
        "not_started": ("未开工", "Not started"),
        "started": ("在建", "Under construction"),
        "completed": ("已竣工", "Completed"),
    },
    "idle_status": {
        "none": ("正常", "On track"),
        "late_start": ("逾期未开工", "Late start"),
        "idle": ("闲置满一年", "Idle over one year"),
        "idle_recoverable": ("闲置满两年（可收回）", "Idle over two years (may be taken back)"),
        "late_completion": ("逾期未竣工", "Late completion"),
    },
    "review_status": {
        "pending": ("未到复核期", "Not due"),
        "missing": ("缺少履约数据", "No performance data"),
        "pass": ("达产复核通过", "Review passed"),
        "fail": ("达产复核未通过", "Review failed"),
    },
    "supervision_status": {
        "idle_recoverable": ("闲置满两年", "Idle over two years"),
        "idle": ("闲置满一年", "Idle over one year"),
        "review_failed": ("复核未通过", "Review failed"),
        "late_start": ("逾期未开工", "Late start"),
        "late_completion": ("逾期未竣工", "Late completion"),
        "commitment_overdue": ("承诺逾期", "Commitment overdue"),
        "review_missing": ("缺少履约数据", "No performance data"),
        "review_passed": ("复核通过", "Review passed"),
        "on_track": ("正常履约", "On track"),
        "no_contract": ("无合同记录", "No contract on file"),
    },
    "indicator": {
        "invest_intensity": ("投资强度", "Investment intensity"),
        "far": ("容积率", "Floor-area ratio"),
        "tax_per_mu": ("亩均税收", "Tax per mu"),
        "energy_per_output": ("单位能耗", "Energy per output"),
        "output_per_mu": ("亩均产出", "Output per mu"),
    },
    "stock": {
        "on_offer": ("可供应存量", "Stock on offer"),
        "supplied": ("已供应土地", "Land already supplied"),
    },
}


def value_label(group: str, value: object, lang: str) -> str:
    """Label of a coded value; unknown codes are returned as given, missing values as ''.

    >>> value_label("stage", "closed", "zh")
    '已销号'
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    pair = VALUE_LABELS.get(group, {}).get(str(value))
    return (pair[0] if lang == "zh" else pair[1]) if pair else str(value)
