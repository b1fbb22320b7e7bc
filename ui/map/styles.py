"""How each layer looks: colours, dashes, tooltip fields and the legend (HTML built in Python).

Readiness and stage colours come from :mod:`layers.palette`, the table the
printed reports use too; the rest are map-only.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from layers.palette import READINESS_COLORS, READINESS_ORDER, STAGE_COLORS
from ui.i18n import layer_name, t, value_label

__all__ = [
    "CONSTRAINT_COLORS",
    "COVERAGE_CLASSES",
    "DISPLAY",
    "HIDDEN_AT_START",
    "LAYER_ORDER",
    "PARCEL_PROPS",
    "PARCEL_TIP",
    "READINESS_COLORS",
    "READINESS_ORDER",
    "SHARE_COLORS",
    "STAGE_COLORS",
    "legend_html",
    "parcel_style",
    "selected_style",
    "share_color",
    "site_point_style",
    "sites_legend_html",
    "style_spec",
    "summary_style",
    "tip_spec",
]

WATER_COLORS = {"main": "#08519c", "branch": "#4292c6", "plant": "#08306b",
                "reservoir": "#2171b5", "pump": "#6baed6",
                "raw_main": "#9ecae1"}
CONSTRAINT_COLORS = {"ecological_redline": "#1b7837", "basic_farmland": "#bf812d",
                     "flood": "#4393c3", "geohazard": "#b2182b", "mining_right": "#762a83",
                     "urban_development_boundary": "#969696"}
TRANSPORT_COLORS = {"motorway_exit": "#238b45", "rail_freight": "#54278f",
                    "rail_station": "#807dba", "airport": "#2b8cbe", "port": "#0868ac"}
STATUS_DASH = {"under_construction": "8 4", "planned": "2 6"}
COVERAGE_CLASSES = (  # (lower bound dBm, colour, label)
    (-85.0, "#1a9850", "≥ −85"), (-95.0, "#91cf60", "−95 … −85"),
    (-105.0, "#fee08b", "−105 … −95"), (-math.inf, "#d73027", "< −105"),
)
# hexagon summaries: share of checked parcels that are ready (lower bound, colour)
SHARE_COLORS = ((0.8, READINESS_COLORS["ready"]),
                (0.6, READINESS_COLORS["ready_with_commitments"]), (0.4, "#ffffbf"),
                (0.2, READINESS_COLORS["incomplete"]), (-1.0, READINESS_COLORS["not_ready"]))
SELECTED_COLOR = "#00e5ff"

# per layer kind: (properties kept for display, tooltip fields as (property, value group))
DISPLAY: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]] = {
    "zones": (("zone_id", "name", "kind", "level"),
              (("name", None), ("zone_id", None), ("kind", "zone_kind"), ("level", None))),
    "mines": (("site_id", "name", "stage", "mineral", "county", "progress_pct", "days_overdue"),
              (("site_id", None), ("name", None), ("stage", "stage"), ("mineral", None),
               ("county", None), ("progress_pct", None), ("days_overdue", None))),
    "water": (("kind", "status", "name", "diameter_mm", "system"),
              (("name", None), ("kind", "water_kind"), ("status", "infra_status"),
               ("diameter_mm", None), ("system", None))),
    "roads": (("class", "status", "name"),
              (("name", None), ("class", None), ("status", "infra_status"))),
    "power": (("kind", "voltage_kv", "status", "name"),
              (("name", None), ("kind", "power_kind"), ("voltage_kv", None),
               ("status", "infra_status"))),
    "tourism_road": (("segment_id", "name", "status"),
                     (("name", None), ("segment_id", None), ("status", "infra_status"))),
    "constraints": (("kind", "name"), (("kind", "constraint_kind"), ("name", None))),
    "residential": (("name", "kind", "status"),
                    (("name", None), ("kind", "residential_kind"), ("status", "infra_status"))),
    "base_stations": (("name", "radius_m", "status"),
                      (("name", None), ("radius_m", None), ("status", "infra_status"))),
    "counties": (("name",), (("name", None),)),
    "transport": (("kind", "name", "route", "status"),
                  (("name", None), ("kind", "transport_kind"), ("route", None),
                   ("status", "infra_status"))),
}
PARCEL_PROPS = ("parcel_id", "name", "zone_id", "industry", "readiness")
PARCEL_TIP = (("parcel_id", None), ("name", None), ("readiness", "readiness"),
              ("industry", "industry"), ("zone_id", None))
# drawing order (bottom to top) and which layers start hidden
LAYER_ORDER = ("counties", "constraints", "residential", "zones", "mines", "roads",
               "tourism_road", "water", "power", "base_stations", "transport")
HIDDEN_AT_START = frozenset({"base_stations", "counties"})


def tip_spec(kind: str, fields: tuple[tuple[str, str | None], ...], lang: str
             ) -> dict[str, Any]:
    """The tooltip of a layer: labelled fields and the value labels of coded ones."""
    from ui.i18n import VALUE_LABELS, column_label

    groups = dict.fromkeys(g for _, g in fields if g)  # in field order: the same script each run
    return {
        "f": [[prop, column_label(kind, prop, lang) if prop not in ("readiness",)
               else t("readiness", lang), group] for prop, group in fields],
        "v": {g: {k: v[0 if lang == "zh" else 1] for k, v in VALUE_LABELS[g].items()}
              for g in groups if g in VALUE_LABELS},
    }


def style_spec(kind: str) -> dict[str, Any]:
    """The style of a static layer, for ``window.devzone.style`` (one table per layer)."""
    from layers.catalog import CATALOG

    spec = CATALOG.get(kind)
    base: dict[str, Any] = {"color": "#555555", "weight": 1.5, "fillOpacity": 0.3, "opacity": 0.9}
    if spec is not None:
        base.update({k: v for k, v in spec.style.items() if k != "radius"})
        if "radius" in spec.style:
            base["radius"] = spec.style["radius"]
    out: dict[str, Any] = {"base": base}
    if kind == "mines":
        out.update(by="stage", colors=STAGE_COLORS, paint=["fillColor", "color"], other="#8c510a")
        base.update(weight=1.5, fillOpacity=0.6)
    elif kind == "water":
        out.update(by="kind", colors=WATER_COLORS, paint=["color", "fillColor"],
                   dash_by="status", dashes=STATUS_DASH)
        base.update(radius=5, fillOpacity=0.9)
    elif kind == "constraints":
        out.update(by="kind", colors=CONSTRAINT_COLORS, paint=["color", "fillColor"])
    elif kind in ("roads", "power", "tourism_road"):
        out.update(dash_by="status", dashes=STATUS_DASH)
        if kind == "power":
            base.update(radius=6, fillOpacity=0.9, fillColor=base.get("color", "#e31a1c"))
    elif kind == "transport":
        out.update(by="kind", colors=TRANSPORT_COLORS, paint=["color", "fillColor"])
        base.update(radius=7, fillOpacity=0.9, weight=2)
    elif kind == "base_stations":
        base.update(radius=4, fillOpacity=0.9, fillColor=base.get("color", "#984ea3"))
    elif kind == "counties":
        base.update(color="#737373", weight=1, fillOpacity=0.0, dashArray="2 4")
    return out


def parcel_style() -> dict[str, Any]:
    """Parcels filled by readiness."""
    return {"base": {"color": "#333333", "weight": 0.8, "fillOpacity": 0.65, "opacity": 0.9},
            "by": "readiness", "colors": READINESS_COLORS, "paint": ["fillColor"],
            "other": READINESS_COLORS["unchecked"]}


def summary_style() -> dict[str, Any]:
    """Hexagons filled by the colour each carries (``c``)."""
    return {"base": {"color": "#ffffff", "weight": 1, "fillOpacity": 0.7}, "color_prop": "c"}


def selected_style() -> dict[str, Any]:
    """The outline of the selected parcel."""
    return {"base": {"color": SELECTED_COLOR, "weight": 4, "fillOpacity": 0.0, "opacity": 1.0}}


def site_point_style() -> dict[str, Any]:
    """Restoration sites as dots filled by stage."""
    return {"base": {"color": "#333333", "weight": 1, "radius": 6, "fillOpacity": 0.9,
                     "opacity": 0.9},
            "by": "stage", "colors": STAGE_COLORS, "paint": ["fillColor"], "other": "#8c510a"}


def share_color(share: float | None) -> str:
    """The hexagon colour of a share of ready parcels (``None``: none checked)."""
    if share is None:
        return READINESS_COLORS["unchecked"]
    return next(c for lo, c in SHARE_COLORS if share >= lo)


def _swatch(colour: str, label: str, *, line: bool = False, dash: str = "") -> str:
    if line:
        style = (f"display:inline-block;width:18px;height:0;border-top:3px "
                 f"{'dashed' if dash else 'solid'} {colour};vertical-align:middle")
    else:
        style = (f"display:inline-block;width:12px;height:12px;background:{colour};"
                 "border:1px solid #555;vertical-align:middle")
    return f'<div><span style="{style}"></span> {html.escape(label)}</div>'


def _details(title: str, body: str) -> str:
    return ('<details style="background:rgba(255,255,255,0.92);padding:6px 8px;'
            'border-radius:4px;font:12px/1.45 sans-serif;max-height:320px;overflow:auto">'
            f"<summary style='cursor:pointer'><b>{html.escape(title)}</b></summary>"
            f"{body}</details>")


def _stage_legend(lang: str) -> list[str]:
    """The mine-stage part of a legend."""
    return [f"<b>{html.escape(layer_name('mines', lang))}</b>",
            *[_swatch(c, value_label("stage", k, lang)) for k, c in STAGE_COLORS.items()]]


def sites_legend_html(lang: str) -> str:
    """The legend of the restoration sites map: stages only."""
    return _details(t("map.legend", lang), "".join(_stage_legend(lang)))


def legend_html(layers: dict[str, pd.DataFrame], images: set[str] | frozenset[str], lang: str,
                *, parcels: bool = True) -> str:
    """A collapsible legend of what the map holds (every label HTML-escaped)."""
    esc = html.escape
    parts: list[str] = []
    if parcels:
        parts.append(f"<b>{esc(layer_name('parcels', lang))}</b>")
        parts += [_swatch(READINESS_COLORS[k], value_label("readiness", k, lang))
                  for k in READINESS_ORDER]
        parts.append(f"<div style='margin-top:2px'><i>{esc(t('map.hex_share', lang))}</i></div>")
        parts.append("<div>" + "".join(
            f'<span title="≥{int(lo * 100) if lo >= 0 else 0}%" style="display:inline-block;'
            f'width:16px;height:10px;background:{c}"></span>'
            for lo, c in reversed(SHARE_COLORS)) + " 0 → 100%</div>")
    if "mines" in layers:
        parts += _stage_legend(lang)
    if "water" in layers:
        parts.append(f"<b>{esc(layer_name('water', lang))}</b>")
        kinds = set(layers["water"].get("kind", pd.Series(dtype=object)).dropna())
        parts += [_swatch(c, value_label("water_kind", k, lang), line=True)
                  for k, c in WATER_COLORS.items() if k in kinds]
    if "constraints" in layers:
        parts.append(f"<b>{esc(layer_name('constraints', lang))}</b>")
        kinds = set(layers["constraints"].get("kind", pd.Series(dtype=object)).dropna())
        parts += [_swatch(c, value_label("constraint_kind", k, lang))
                  for k, c in CONSTRAINT_COLORS.items() if k in kinds]
    if "transport" in layers:
        parts.append(f"<b>{esc(layer_name('transport', lang))}</b>")
        kinds = set(layers["transport"].get("kind", pd.Series(dtype=object)).dropna())
        parts += [_swatch(c, value_label("transport_kind", k, lang))
                  for k, c in TRANSPORT_COLORS.items() if k in kinds]
    lines = [k for k in ("zones", "roads", "power", "tourism_road") if k in layers]
    if lines:
        parts.append(f"<b>{esc(t('map.lines', lang))}</b>")
        parts += [_swatch(str(style_spec(k)["base"].get("color", "#555")), layer_name(k, lang),
                          line=True, dash="6" if k == "zones" else "") for k in lines]
        parts.append(_swatch("#555", value_label("infra_status", "planned", lang), line=True,
                             dash="2"))
    if "coverage_5g" in images:
        parts.append(f"<b>{esc(t('map.layers.coverage_5g', lang))} ({t('map.dbm', lang)})</b>")
        parts += [_swatch(c, label) for _, c, label in COVERAGE_CLASSES]
    return _details(t("map.legend", lang), "".join(parts))
