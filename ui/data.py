"""Cached access to the workspace and the engines' results, keyed by workspace path and file times.

Pages call these functions only: each result is computed once per workspace
state (path + modification times of its files + rulebook text + date) and
shared by every session (``st.cache_resource``; treat results as read-only).
An engine that is not installed yet raises :class:`EngineMissing`, which the
pages show as a "not yet available" note.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from gis.errors import PlannerError, WorkspaceError
from ui.map import MapData, prepare_map_data

__all__ = [
    "EngineMissing",
    "Snapshot",
    "apply_overrides",
    "check_sketch",
    "engine",
    "export_bytes",
    "load",
    "map_data",
    "numeric_parameters",
    "parcel_report",
    "parcel_table",
    "readiness",
    "report_pdf",
    "restoration",
    "rulebook",
    "rules_text",
    "save_rules",
    "saved_rules_text",
    "snapshot",
    "workspace_path",
]

log = logging.getLogger("devzone.ui")
APP_ROOT = Path(__file__).resolve().parent.parent


class EngineMissing(RuntimeError):
    """An engine module (readiness, restoration, reports…) is not available yet."""

    def __init__(self, key: str, module: str) -> None:
        super().__init__(f"{module} is not available yet")
        self.key = key
        self.module = module


def engine(module: str, key: str, *names: str) -> ModuleType:
    """Import ``module`` and check it has ``names``; else :class:`EngineMissing` (i18n ``key``)."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:  # not written yet, or half-written
        log.info("engine %s unavailable: %s", module, exc)
        raise EngineMissing(key, module) from None
    if any(not hasattr(mod, n) for n in names):
        raise EngineMissing(key, module)
    return mod


def workspace_path() -> Path:
    """``DEVZONE_WORKSPACE`` if set, else ``data/demo`` next to ``app.py``."""
    env = os.environ.get("DEVZONE_WORKSPACE")
    return Path(env).expanduser().resolve() if env else APP_ROOT / "data" / "demo"


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every file in the workspace (changes invalidate the caches)."""
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            st_ = p.stat()
            out.append((str(p.relative_to(root)), st_.st_mtime_ns, st_.st_size))
    return tuple(out)


@dataclass(frozen=True)
class Snapshot:
    """A workspace at one moment: its path and file signature (the cache key)."""

    path: str
    sig: tuple[tuple[str, int, int], ...]

    @property
    def key(self) -> str:
        return hashlib.sha1(repr((self.path, self.sig)).encode()).hexdigest()[:16]


def snapshot() -> Snapshot:
    """The current state of the configured workspace; ``WorkspaceError`` if it is missing."""
    root = workspace_path()
    if not (root / "workspace.toml").is_file():
        raise WorkspaceError(f"No workspace at {root}.",
                             hint="Run `make demo` (devzone demo --out data/demo) or set "
                                  "DEVZONE_WORKSPACE to a workspace folder.")
    return Snapshot(str(root), _signature(root))


@st.cache_resource(max_entries=4, show_spinner=False)
def _workspace(path: str, key: str) -> Any:
    from layers.workspace import Workspace

    return Workspace.load(path)


def load(snap: Snapshot | None = None) -> Any:
    """The workspace (``layers.workspace.Workspace``) of ``snap`` (default: current)."""
    snap = snap or snapshot()
    return _workspace(snap.path, snap.key)


def default_as_of() -> date:
    """The workspace's snapshot date (manifest ``as_of``), else today."""
    try:
        return load().as_of or date.today()
    except PlannerError:
        return date.today()


# --------------------------------------------------------------------------- rulebook
def saved_rules_text(ws: Any) -> str:
    """The rulebook TOML text on disk: the workspace's file, else the engine's default."""
    path = ws.rules_path
    if path is None:
        rd = engine("layers.readiness", "engine.readiness", "default_rulebook_path")
        path = rd.default_rulebook_path()
    return Path(path).read_text(encoding="utf-8")


@st.cache_resource(max_entries=8, show_spinner=False)
def rulebook(text: str) -> Any:
    """The parsed rulebook (``layers.readiness.Rulebook``) of a rulebook text (cached)."""
    rd = engine("layers.readiness", "engine.readiness", "load_rulebook")
    return rd.load_rulebook(text)


def rules_text(ws: Any, overrides: dict[tuple[str, str], Any] | None = None) -> str:
    """The rulebook text in force: the saved one with this session's unsaved edits applied."""
    return apply_overrides(saved_rules_text(ws), overrides or {})


def save_rules(ws: Any, text: str) -> Path:
    """Write the rulebook into the workspace atomically (adding it to the manifest if needed)."""
    from gis import io as gio

    path = ws.rules_path
    if path is None:
        ws.rules = "rules.toml"
        path = ws.rules_path
        gio.write_text_atomic(path, text)
        ws.save()
    else:
        gio.write_text_atomic(path, text)
    return path


def apply_overrides(text: str, overrides: dict[tuple[str, str], Any]) -> str:
    """The rulebook text with ``(rule_id, dotted.key) -> value`` replaced (unknown ones ignored)."""
    if not overrides:
        return text
    import tomllib

    import tomli_w

    doc = tomllib.loads(text)
    for (rule_id, key), value in overrides.items():
        for rule in doc.get("rule", []):
            if rule.get("id") != rule_id:
                continue
            node = rule
            *parents, last = key.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
    return tomli_w.dumps(doc)


def numeric_parameters(text: str) -> list[tuple[str, str, float]]:
    """Every numeric threshold of a rulebook as ``(rule_id, dotted.key, value)``."""
    import tomllib

    out: list[tuple[str, str, float]] = []

    def walk(rule_id: str, prefix: str, node: dict[str, Any]) -> None:
        for k, v in node.items():
            if k in ("id", "label", "filter", "required"):
                continue
            if isinstance(v, bool):
                continue
            if isinstance(v, int | float):
                out.append((rule_id, prefix + k, float(v)))
            elif isinstance(v, dict):
                walk(rule_id, prefix + k + ".", v)

    for rule in tomllib.loads(text).get("rule", []):
        walk(str(rule.get("id", "?")), "", rule)
    return out


# --------------------------------------------------------------------------- readiness
@st.cache_resource(max_entries=6, show_spinner=False)
def _readiness(path: str, key: str, text: str, as_of: date) -> Any:
    rd = engine("layers.readiness", "engine.readiness", "load_rulebook",
                "inputs_from_workspace", "evaluate")
    ws = _workspace(path, key)
    rulebook = rd.load_rulebook(text)
    try:
        inputs = rd.inputs_from_workspace(ws, rulebook=rulebook)
    except TypeError:
        inputs = rd.inputs_from_workspace(ws)
    return rd.evaluate(inputs, rulebook, as_of=as_of)


def readiness(snap: Snapshot, text: str, as_of: date) -> Any:
    """The ``ReadinessResult`` for the workspace, rulebook text and date (cached)."""
    return _readiness(snap.path, snap.key, text, as_of)


@st.cache_resource(max_entries=2, show_spinner=False)
def _inputs(path: str, key: str, text: str) -> Any:
    rd = engine("layers.readiness", "engine.readiness", "load_rulebook", "inputs_from_workspace")
    ws = _workspace(path, key)
    rulebook = rd.load_rulebook(text)
    try:
        return rd.inputs_from_workspace(ws, rulebook=rulebook), rulebook
    except TypeError:
        return rd.inputs_from_workspace(ws), rulebook


def check_sketch(snap: Snapshot, text: str, geometry_wgs84: Any, as_of: date) -> pd.DataFrame:
    """Readiness of a drawn polygon (long table), via the engine's ``check_sketch``."""
    rd = engine("layers.readiness", "engine.readiness", "check_sketch")
    inputs, rulebook = _inputs(snap.path, snap.key, text)
    return rd.check_sketch(inputs, geometry_wgs84, rulebook, as_of=as_of)


# --------------------------------------------------------------------------- restoration
@st.cache_resource(max_entries=4, show_spinner=False)
def _restoration(path: str, key: str, as_of: date) -> Any:
    rs = engine("layers.restoration", "engine.restoration", "inputs_from_workspace", "evaluate")
    ws = _workspace(path, key)
    return rs.evaluate(rs.inputs_from_workspace(ws), as_of=as_of)


def restoration(snap: Snapshot, as_of: date) -> Any:
    """The ``RestorationResult`` (sites, ranking, kpis, notes) for the workspace and date."""
    return _restoration(snap.path, snap.key, as_of)


# --------------------------------------------------------------------------- map data
@st.cache_resource(max_entries=4, show_spinner=False)
def _map_data(path: str, key: str, text: str | None,
              as_of: date) -> tuple[MapData, list[PlannerError]]:
    from gis.raster import read_raster

    ws = _workspace(path, key)
    notes: list[PlannerError] = []  # shown with exc.text(lang) by the pages
    layers: dict[str, gpd.GeoDataFrame | None] = {}
    for kind in ws.layers:
        try:
            layers[kind] = ws.read(kind)
        except PlannerError as exc:
            notes.append(exc)
    overall = progress = None
    if text is not None:
        try:
            overall = _readiness(path, key, text, as_of).overall
        except EngineMissing:
            pass
        except PlannerError as exc:
            notes.append(exc)
    try:
        progress = _restoration(path, key, as_of).sites
    except EngineMissing:
        pass
    except PlannerError as exc:
        notes.append(exc)
    rasters = {}
    for name in ("dem", "coverage_5g"):
        p = ws.raster_path(name)
        if p is not None:
            try:
                rasters[name] = read_raster(p)
            except PlannerError as exc:
                notes.append(exc)
    data = prepare_map_data(layers, overall=overall, progress=progress,
                            dem=rasters.get("dem"), coverage=rasters.get("coverage_5g"))
    return data, notes


def map_data(snap: Snapshot, text: str | None,
             as_of: date) -> tuple[MapData, list[PlannerError]]:
    """Display-ready map data and the errors of layers that could not be drawn (cached)."""
    return _map_data(snap.path, snap.key, text, as_of)


# --------------------------------------------------------------------------- tables
def parcel_table(ws: Any, result: Any | None) -> pd.DataFrame:
    """One row per parcel: id, name, zone, industry, area (ha), readiness and failing rules.

    Area is the geometric area in the workspace's metric CRS; ``failing`` lists
    the required rules that failed (``;``-joined).
    """
    parcels = ws.read("parcels")
    if parcels is None:
        return pd.DataFrame(columns=["parcel_id", "readiness"])
    cols = [c for c in ("parcel_id", "name", "zone_id", "industry", "supply_status")
            if c in parcels.columns]
    table = pd.DataFrame(parcels[cols]).copy()
    table["parcel_id"] = table["parcel_id"].astype(str)
    table["area_ha"] = (parcels.geometry.area / 10_000).round(2).to_numpy()
    if result is None:
        table["readiness"] = "unchecked"
        table["failing"] = ""
        return table
    overall = result.overall.copy()
    overall["parcel_id"] = overall["parcel_id"].astype(str)
    table = table.merge(overall[["parcel_id", "readiness"]], on="parcel_id", how="left")
    table["readiness"] = table["readiness"].fillna("unchecked")
    long = result.long
    fails = long[long["status"] == "fail"].copy()
    fails["parcel_id"] = fails["parcel_id"].astype(str)
    failing = fails.groupby("parcel_id")["rule_id"].agg(lambda s: ";".join(map(str, s)))
    table["failing"] = table["parcel_id"].map(failing).fillna("")
    return table


@st.cache_resource(max_entries=16, show_spinner=False)
def _parcel_report(path: str, key: str, text: str, parcel_id: str, lang: str,
                   as_of: date) -> Any:
    rp = engine("layers.reports", "engine.reports", "build_parcel_report")
    rd = engine("layers.readiness", "engine.readiness", "load_rulebook")
    ws = _workspace(path, key)
    try:
        result = _readiness(path, key, text, as_of)
    except EngineMissing:
        result = None
    return rp.build_parcel_report(ws, parcel_id, lang=lang, as_of=as_of,
                                  rulebook=rd.load_rulebook(text), result=result)


def parcel_report(snap: Snapshot, text: str, parcel_id: str, lang: str, as_of: date) -> Any:
    """The printable report of one parcel (``layers.reports.Report``: ``.html``, ``.filename``)."""
    return _parcel_report(snap.path, snap.key, text, parcel_id, lang, as_of)


@st.cache_data(max_entries=8, show_spinner=False)
def report_pdf(html_text: str) -> bytes:
    """A report's HTML as an A4 PDF (WeasyPrint, no network)."""
    rp = engine("layers.reports", "engine.reports", "to_pdf")
    return rp.to_pdf(html_text)


def export_bytes(data: pd.DataFrame, fmt: str, *, layer: str = "layer") -> bytes:
    """The frame written as ``geojson`` (RFC 7946), ``gpkg`` or ``csv`` (utf-8-sig), as bytes.

    Written through :mod:`gis.io` (the one place that writes files) into a
    temporary folder, then read back for ``st.download_button``.
    """
    from gis import io as gio

    with tempfile.TemporaryDirectory(prefix="devzone-export-") as tmp:
        path = Path(tmp) / f"{layer}.{fmt}"
        if isinstance(data, gpd.GeoDataFrame):  # CSV: geometry as WKT in EPSG:4326
            gio.write_vector(data, path, layer=layer)
        else:
            gio.write_table(data, path, layer=layer)
        return path.read_bytes()
