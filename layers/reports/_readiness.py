"""Readiness pieces of the parcel and zone reports: rulebook, rule rows, texts, map layers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.reports._common import is_missing
from layers.reports.i18n import fmt_money, fmt_num, layer_label, t, value_label
from layers.reports.staticmap import MapLayer, MapRaster, Measure

if TYPE_CHECKING:
    from layers.readiness.rulebook import AttributeRule, RasterRule, Rule, Rulebook
    from layers.workspace import Workspace

__all__ = [
    "CONSTRAINT_STYLE",
    "context_layers",
    "filtered",
    "measures",
    "missing_inputs",
    "rule_rows",
    "rulebook_for",
    "threshold_text",
    "value_text",
]

CONSTRAINT_STYLE: dict[str, tuple[str, str | None]] = {
    "ecological_redline": ("#1a9850", "////"), "basic_farmland": ("#fee08b", "...."),
    "flood": ("#74add1", "----"), "geohazard": ("#f46d43", "xx"),
    "mining_right": ("#8c510a", "\\\\"),
    "urban_development_boundary": ("#4d4d4d", None),
}
# Layers drawn on a parcel or zone map (besides parcels and zones) and their styles.
_LINE_STYLE: dict[str, tuple[str, float]] = {
    "roads": ("#636363", 1.4), "water": ("#1f78b4", 1.3), "power": ("#e31a1c", 1.0),
    "tourism_road": ("#ff7f00", 2.0),
}
MAP_KINDS = ("zones", "constraints", "mines", "roads", "water", "power", "base_stations")


def rulebook_for(ws: Workspace, rulebook: Rulebook | str | Path | None, result: Any = None
                 ) -> Rulebook:
    """A report's rulebook: ``rulebook`` (parsed, or a file), else ``result``'s, else the one
    in force for the workspace (:func:`~layers.readiness.rulebook_in_force`)."""
    from layers.readiness.rulebook import Rulebook, rulebook_in_force

    if isinstance(rulebook, Rulebook):
        return rulebook
    if rulebook is None and result is not None:
        return result.rulebook
    return rulebook_in_force(ws, rulebook)


def filtered(gdf: gpd.GeoDataFrame | None, flt: dict[str, Any]) -> gpd.GeoDataFrame | None:
    """Rows of ``gdf`` matching a rule's structured filter (``None`` if a column is absent)."""
    if gdf is None:
        return None
    from layers.readiness._base import filter_frame

    sub, _missing_col = filter_frame(gdf, flt)
    return sub


def clip(gdf: gpd.GeoDataFrame | None, extent: tuple[float, float, float, float]
         ) -> gpd.GeoDataFrame | None:
    """Features of ``gdf`` intersecting ``extent`` (a spatial-index query)."""
    if gdf is None or len(gdf) == 0:
        return gdf
    hits = gdf.sindex.query(shapely.box(*extent))
    return gdf.iloc[np.sort(hits)]


def _pct(v: float) -> str:
    return f"{fmt_num(100.0 * v, 1)}%"


def value_text(value: object, unit: str, rule: Rule | None, lang: str, status: str = "pass"
               ) -> str:
    """A measured value with its unit (fractions as %); '—' when missing."""
    if is_missing(value):
        return "—"
    v = float(value)  # type: ignore[arg-type]
    kind = getattr(rule, "kind", "")
    if unit == "fraction":
        return _pct(v)
    if unit == "m":
        return fmt_num(v, 0 if v >= 100 else 1, unit=t("unit.m", lang))
    if unit == "count" and kind == "indicators":
        if v > 0:
            return t("indicators.n_failed", lang, n=fmt_num(v, 0))
        return t("indicators.all_met", lang) if status == "pass" else "—"
    if unit == "count":
        return fmt_num(v, 0)
    if kind == "attribute" and isinstance(getattr(rule, "equals", None), bool):
        return t("yes", lang) if v else t("no", lang)
    return fmt_num(v, 2, unit=unit) if unit not in ("°",) else f"{fmt_num(v, 2)}°"


def gap_text(gap: object, unit: str, rule: Rule | None, lang: str) -> str:
    """The gap to the threshold (blank when none)."""
    if is_missing(gap) or float(gap) == 0:  # type: ignore[arg-type]
        return ""
    if getattr(rule, "kind", "") == "indicators":
        return ""
    return value_text(gap, unit, rule, lang)


def threshold_text(rule: Rule, lang: str, industry: object = None) -> str:
    """What the rule requires, in words (from the rulebook, not from the results)."""
    from layers.readiness import rulebook as rb

    if isinstance(rule, rb.DistanceRule):
        return t("threshold.distance", lang, v=fmt_num(rule.max_m, 1))
    if isinstance(rule, rb.MinDistanceRule):
        return t("threshold.min_distance", lang, v=fmt_num(rule.min_m, 1))
    if isinstance(rule, rb.WithinRule):
        return t("threshold.within", lang, v=fmt_num(100 * rule.min_fraction, 1))
    if isinstance(rule, rb.OverlapRule) and rule.max_area_m2 is not None:
        return t("threshold.overlap_area", lang, v=fmt_num(100 * rule.max_fraction, 1),
                 a=fmt_num(rule.max_area_m2, 0))
    if isinstance(rule, rb.OverlapRule):
        return t("threshold.overlap", lang, v=fmt_num(100 * rule.max_fraction, 1))
    if isinstance(rule, rb.RasterCoverageRule):
        return t("threshold.coverage", lang, f=fmt_num(100 * rule.min_fraction, 1),
                 v=fmt_num(rule.min_value, 1), unit=rule.unit)
    if isinstance(rule, rb.RasterRule | rb.AttributeRule):
        return _value_threshold_text(rule, lang)
    if isinstance(rule, rb.AssessmentRule):
        return t("threshold.assessment_commit" if rule.commitment_allowed
                 else "threshold.assessment", lang)
    if isinstance(rule, rb.IndicatorsRule):
        label = "" if is_missing(industry) else value_label("industry", industry, lang)
        return t("threshold.indicators", lang, industry=label).strip()
    return "—"


def _value_threshold_text(rule: RasterRule | AttributeRule, lang: str) -> str:
    """What a raster or attribute rule requires: a value, a list, or a range with its unit."""
    from layers.readiness import rulebook as rb

    eq = getattr(rule, "equals", None)
    if eq is not None:
        v = (t("yes", lang) if eq else t("no", lang)) if isinstance(eq, bool) else eq
        return t("threshold.equals", lang, v=v)
    one_of = getattr(rule, "one_of", None)
    if one_of:
        return t("threshold.one_of", lang, v=" / ".join(map(str, one_of)))
    unit = rule.unit if isinstance(rule, rb.RasterRule) else ""
    if rule.min is not None and rule.max is not None:
        return f"{fmt_num(rule.min)}–{fmt_num(rule.max)}{unit}"
    if rule.min is not None:
        return f"≥ {fmt_num(rule.min)}{unit}"
    if rule.max is not None:
        return f"≤ {fmt_num(rule.max)}{unit}"
    return "—"

def rule_rows(long: pd.DataFrame, rulebook: Rulebook, lang: str, *, industry: object = None
              ) -> list[dict[str, Any]]:
    """One display row per rule of one parcel's long-table rows, in rulebook order."""
    by_rule = {str(r["rule_id"]): r for r in long.to_dict("records")}
    rows = []
    for rule in rulebook.rules:
        r = by_rule.get(rule.id)
        if r is None:
            continue
        unit = "" if is_missing(r.get("unit")) else str(r.get("unit"))
        msg = r.get("message" if lang == "zh" else "message_en")
        rows.append({
            "id": rule.id,
            "label": rule.label(lang),
            "required": bool(rule.required),
            "status": str(r["status"]),
            "status_label": value_label("rule_status", r["status"], lang),
            "value": value_text(r.get("value"), unit, rule, lang, str(r["status"])),
            "threshold": threshold_text(rule, lang, industry),
            "gap": gap_text(r.get("gap"), unit, rule, lang),
            "cost": "" if is_missing(r.get("cost")) or float(r["cost"]) == 0
            else fmt_money(r["cost"], lang),
            "cost_cny": None if is_missing(r.get("cost")) else float(r["cost"]),
            "message": "" if is_missing(msg) else str(msg),
        })
    return rows


def missing_inputs(ws: Workspace, rulebook: Rulebook, lang: str,
                   parcel_columns: Sequence[str] = ()) -> list[str]:
    """Sentences naming each layer, table or raster the rules need but the workspace lacks.

    A raster rule with a fallback (an attribute of the parcels, or a layer) says
    what stands in when that fallback is there.
    """
    from layers.readiness import rulebook as rb

    need: dict[tuple[str, str], list[str]] = {}
    for rule in rulebook.rules:
        items: list[tuple[str, str]] = []
        if isinstance(rule, rb.DistanceRule | rb.MinDistanceRule | rb.WithinRule
                      | rb.OverlapRule):
            items.append(("layer", rule.layer))
        elif isinstance(rule, rb.AssessmentRule):
            items.append(("table", "assessments"))
        elif isinstance(rule, rb.RasterRule | rb.RasterCoverageRule):
            name = "dem" if rule.raster == "slope" else rule.raster
            items.append(("raster", name))
        for item in items:
            need.setdefault(item, []).append(rule.label(lang))
    out = []
    for (what, kind), labels in need.items():
        present = ws.raster_path(kind) is not None if what == "raster" else ws.has(kind)
        if present:
            continue
        effect = t("missing.rules_unknown", lang, rules="、".join(labels) if lang == "zh"
                   else ", ".join(labels))
        if what == "raster":
            effect = _raster_effect(ws, kind, rulebook, lang, parcel_columns) or effect
        out.append(t(f"missing.{what}", lang, what=layer_label(kind, lang), effect=effect))
    for kind in ("zones", "roads", "water", "power", "constraints"):
        if not ws.has(kind) and ("layer", kind) not in need:
            out.append(t("missing.layer", lang, what=layer_label(kind, lang),
                         effect=t("missing.map_only", lang)))
    return out


def _raster_effect(ws: Workspace, name: str, rulebook: Rulebook, lang: str,
                   parcel_columns: Sequence[str]) -> str:
    """For rasters with a usable fallback, say what stands in (the rule is then checked)."""
    from layers.readiness import rulebook as rb

    parts = []
    for rule in rulebook.rules:
        if isinstance(rule, rb.RasterRule) and rule.fallback_attribute and (
                "dem" if rule.raster == "slope" else rule.raster) == name and \
                rule.fallback_attribute in parcel_columns:
            parts.append((f"“{rule.label_zh}”改用属性 {rule.fallback_attribute}",
                          f"{rule.label_en} uses the attribute {rule.fallback_attribute}"))
        if isinstance(rule, rb.RasterCoverageRule) and rule.raster == name and \
                rule.fallback_layer and ws.has(rule.fallback_layer):
            parts.append((f"“{rule.label_zh}”改用{layer_label(rule.fallback_layer, 'zh')}",
                          f"{rule.label_en} uses the {rule.fallback_layer} layer instead"))
    if not parts:
        return ""
    return "；".join(p[0] for p in parts) if lang == "zh" else "; ".join(p[1] for p in parts)


def measures(parcel: shapely.Geometry, rulebook: Rulebook, layers: dict[str, gpd.GeoDataFrame],
             values: dict[str, float], lang: str) -> list[Measure]:
    """For each distance rule: the shortest line from the parcel to the nearest filtered feature.

    The text shows the rule's label and the measured distance from the results
    (``values``), so the map and the table cannot disagree.
    """
    from layers.readiness.rulebook import DistanceRule

    out = []
    for rule in rulebook.rules:
        if not isinstance(rule, DistanceRule):
            continue
        sub = filtered(layers.get(rule.layer), rule.filter)
        if sub is None or len(sub) == 0 or parcel is None or parcel.is_empty:
            continue
        geoms = sub.geometry.to_numpy()
        geoms = geoms[~(shapely.is_empty(geoms) | shapely.is_missing(geoms))]
        if len(geoms) == 0:
            continue
        tree = shapely.STRtree(geoms)
        nearest = geoms[tree.nearest(parcel)]
        line = shapely.shortest_line(parcel, nearest)
        d = values.get(rule.id, float(shapely.distance(parcel, nearest)))
        if not math.isfinite(d):
            d = float(shapely.distance(parcel, nearest))
        color = _LINE_STYLE.get(rule.layer, ("#000000", 1.0))[0]
        if line.length < 0.5:  # touching: mark the point
            line = shapely.LineString([line.coords[0], line.coords[0]])
        out.append(Measure(line, f"{rule.label(lang)} {fmt_num(d, 0)} m", color=color))
    return out


def context_layers(layers: dict[str, gpd.GeoDataFrame | None], extent: tuple[float, float,
                   float, float], lang: str, *, g5_circles: gpd.GeoSeries | None = None
                   ) -> list[MapLayer]:
    """Zones, constraints, mines and infrastructure clipped to ``extent``, styled for print."""
    out: list[MapLayer] = []
    if g5_circles is not None and len(g5_circles):
        out.append(MapLayer(g5_circles, t("legend.g5_stations", lang), facecolor="#984ea3",
                            edgecolor="none", alpha=0.15, zorder=1))
    cons = clip(layers.get("constraints"), extent)
    if cons is not None and len(cons) and "kind" in cons.columns:
        for kind, (color, hatch) in CONSTRAINT_STYLE.items():
            part = cons[cons["kind"].astype("string").eq(kind).fillna(False).to_numpy(bool)]
            if len(part):
                outline = kind == "urban_development_boundary"  # drawn as a line only
                out.append(MapLayer(part, value_label("constraint_kind", kind, lang),
                                    facecolor="none" if outline else color, edgecolor=color,
                                    alpha=0.35, hatch=hatch,
                                    linewidth=0.6, zorder=2))
    mines = clip(layers.get("mines"), extent)
    if mines is not None and len(mines):
        out.append(MapLayer(mines, t("legend.mines", lang), facecolor="#bf812d",
                            edgecolor="#8c510a", alpha=0.45, linewidth=0.5, zorder=2))
    zones = clip(layers.get("zones"), extent)
    if zones is not None and len(zones):
        out.append(MapLayer(zones, t("legend.zone", lang), edgecolor="#6a3d9a", linewidth=1.3,
                            linestyle="--", zorder=3))
    for kind in ("roads", "water", "power", "tourism_road"):
        gdf = clip(layers.get(kind), extent)
        if gdf is None or not len(gdf):
            continue
        color, lw = _LINE_STYLE[kind]
        status = (gdf["status"].astype("string").fillna("") if "status" in gdf.columns
                  else pd.Series("existing", index=gdf.index))
        existing = status.eq("existing").to_numpy(bool) | ~status.isin(
            ["planned", "under_construction"]).to_numpy(bool)
        label = t(f"legend.{kind}", lang)
        if existing.any():
            out.append(MapLayer(gdf[existing], label, edgecolor=color, linewidth=lw,
                                markersize=22, marker="s" if kind == "power" else "o",
                                zorder=4))
        if (~existing).any():
            out.append(MapLayer(gdf[~existing], f"{label}（{_planned(lang)}）" if lang == "zh"
                                else f"{label} ({_planned(lang)})", edgecolor=color,
                                linewidth=lw * 0.8, linestyle=":", alpha=0.8, markersize=14,
                                zorder=4))
    stations = clip(layers.get("base_stations"), extent)
    if stations is not None and len(stations) and g5_circles is not None:
        out.append(MapLayer(stations, layer_label("base_stations", lang), facecolor="#984ea3",
                            edgecolor="#4d004b", markersize=10, marker="^", zorder=5))
    return out


def _planned(lang: str) -> str:
    return "规划/在建" if lang == "zh" else "planned"


def station_circles(stations: gpd.GeoDataFrame | None, flt: dict[str, Any] | None,
                    radius: float | None) -> gpd.GeoSeries | None:
    """Coverage circles of the (filtered) base stations: ``radius_m`` or ``radius``."""
    if stations is None or len(stations) == 0:
        return None
    sub = filtered(stations, flt or {})
    if sub is None or len(sub) == 0:
        return None
    r = (pd.to_numeric(sub["radius_m"], errors="coerce") if "radius_m" in sub.columns
         else pd.Series(np.nan, index=sub.index))
    if radius is not None:
        r = r.fillna(radius)
    ok = r.notna().to_numpy() & (r.to_numpy(dtype=float, na_value=0.0) > 0)
    if not ok.any():
        return None
    return sub.geometry[ok].buffer(r[ok].to_numpy(dtype=float), resolution=16)


def g5_rule(rulebook: Rulebook) -> Any:
    """The first ``raster_coverage`` rule on ``coverage_5g`` (for the map's 5G overlay)."""
    from layers.readiness.rulebook import RasterCoverageRule

    return next((r for r in rulebook.rules if isinstance(r, RasterCoverageRule)
                 and r.raster == "coverage_5g"), None)


def coverage_overlay(ws: Workspace, rulebook: Rulebook, extent: tuple[float, float, float, float],
                     layers: dict[str, gpd.GeoDataFrame | None], lang: str
                     ) -> tuple[list[MapRaster], gpd.GeoSeries | None]:
    """The 5G overlay of a map: raster cells above the rule's threshold, else station circles."""
    from layers.reports import _gather

    rule = g5_rule(rulebook)
    min_value = rule.min_value if rule is not None else -105.0
    mask = _gather.mask_overlay(ws, "coverage_5g", extent, min_value=min_value,
                                label=t("legend.g5", lang, v=fmt_num(min_value, 0)))
    if mask is not None:
        return [mask], None
    flt = rule.fallback_filter if rule is not None else {"status": ("existing",)}
    radius = rule.fallback_radius_m if rule is not None else None
    return [], station_circles(clip(layers.get("base_stations"), extent), flt, radius)
