"""Printable reports (HTML and A4 PDF, zh/en): parcel readiness, zone summary, restoration."""

from __future__ import annotations

from layers.reports._readiness import rule_rows
from layers.reports.parcel import build_parcel_report
from layers.reports.render import FORMATS, Report, render_html, to_pdf, write_report
from layers.reports.restoration import build_restoration_report
from layers.reports.scenario import build_scenario_report
from layers.reports.staticmap import cjk_font, render_map
from layers.reports.supervision import build_contract_report, build_supervision_report
from layers.reports.zone import build_zone_report

__all__ = [
    "FORMATS",
    "Report",
    "build_contract_report",
    "build_parcel_report",
    "build_restoration_report",
    "build_scenario_report",
    "build_supervision_report",
    "build_zone_report",
    "cjk_font",
    "render_html",
    "render_map",
    "rule_rows",
    "to_pdf",
    "write_report",
]
