"""Cached access to the workspace and the engines' results, keyed by workspace path and file times.

Pages call these functions only: each result is computed once per workspace
state (path + modification times of its files + rulebook text + date) and
shared by every session (``st.cache_resource``; treat results as read-only).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from gis import io as gio
from gis.errors import PlannerError, WorkspaceError
from gis.measure import area_ha
from gis.raster import read_raster
from layers import readiness as rd
from layers import reports as rp
from layers.access import Actor
from layers.results_cache import (
    CacheError,
    cached_readiness,
    cached_restoration,
    readiness_key,
    restoration_key,
    result_key,
)
from layers.rulebook_file import save_rulebook
from layers.settings import DeploymentSettings
from layers.workspace import CACHE_DIR, Workspace
from ui.map import MapData, prepare_map_data
from ui.map.stored import dump_map_data, load_map_data

__all__ = [
    "Snapshot",
    "apply_overrides",
    "check_sketch",
    "export_bytes",
    "load",
    "map_data",
    "numeric_parameters",
    "parcel_report",
    "parcel_table",
    "readiness",
    "readiness_summary",
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


def workspace_path() -> Path:
    """``DEVZONE_WORKSPACE`` if set, else ``data/demo`` next to ``app.py``."""
    return DeploymentSettings.from_env().workspace or APP_ROOT / "data" / "demo"


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every file in the workspace (changes invalidate the caches)."""
    out = []
    cache = root / CACHE_DIR  # derived results: storing one changes no input
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.name.startswith(".") and not p.is_relative_to(cache):
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
def _workspace(path: str, key: str) -> Workspace:
    ws = Workspace.load(path)
    ws.recall_digests()  # a restarted server keys its cached results without reading layers
    return ws


def load(snap: Snapshot | None = None) -> Workspace:
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
def saved_rules_text(ws: Workspace) -> str:
    """The TOML text of the rulebook in force (:func:`layers.readiness.rulebook_in_force`)."""
    return rd.rulebook_in_force(ws).text


@st.cache_resource(max_entries=8, show_spinner=False)
def rulebook(text: str) -> rd.Rulebook:
    """The parsed rulebook of a rulebook text (cached)."""
    return rd.load_rulebook(text)


def rules_text(ws: Workspace, overrides: dict[tuple[str, str], Any] | None = None) -> str:
    """The rulebook text in force with this session's unsaved edits applied (validated)."""
    return rd.rulebook_in_force(ws).with_overrides(overrides or {}).text


def save_rules(ws: Workspace, text: str, *, actor: Actor | None) -> Path:
    """Save the rulebook (admin only; checked, versioned and audited); return its path.

    ``actor`` is the session's signed-in user (``None``: anonymous, refused).
    """
    return save_rulebook(ws, text, actor=actor)


def apply_overrides(text: str, overrides: dict[tuple[str, str], Any]) -> str:
    """The rulebook text with ``(rule_id, key) -> value`` set (:meth:`Rulebook.with_overrides`)."""
    return rulebook(text).with_overrides(overrides).text


def numeric_parameters(text: str) -> list[tuple[str, str, float]]:
    """Every numeric threshold of a rulebook as ``(rule_id, key, value)``
    (:meth:`Rulebook.parameters`)."""
    return [(p.rule_id, p.key, p.value) for p in rulebook(text).parameters()]


# --------------------------------------------------------------------------- readiness
@st.cache_resource(max_entries=6, show_spinner=False)
def _readiness(path: str, key: str, text: str, as_of: date) -> rd.ReadinessResult:
    ws = _workspace(path, key)
    # results of a session's unsaved rulebook edits are looked up but not stored: trying
    # thresholds would otherwise push the saved rulebook's result out of the cache
    return cached_readiness(ws, text, as_of, rulebook=rulebook(text),
                            store=_in_force(ws, text))


def _in_force(ws: Workspace, text: str | None) -> bool:
    """Whether ``text`` is the workspace's rulebook in force (``None``: no rulebook used)."""
    try:
        return text is None or text == rd.rulebook_in_force(ws).text
    except PlannerError:
        return False


def readiness(snap: Snapshot, text: str, as_of: date) -> rd.ReadinessResult:
    """The ``ReadinessResult`` for the workspace, rulebook text and date (cached in memory and
    in the workspace's ``.devzone/cache``, :mod:`layers.results_cache`)."""
    return _readiness(snap.path, snap.key, text, as_of)


@st.cache_resource(max_entries=6, show_spinner=False)
def _summary(path: str, key: str, text: str | None, as_of: date) -> rd.ReadinessSummary:
    ws = _workspace(path, key)
    result = _readiness(path, key, text, as_of) if text is not None else None
    zones = ws.read("zones") if ws.has("zones") else None
    return rd.summarize(result, ws.read("parcels"), zones=zones)


def readiness_summary(snap: Snapshot, text: str | None, as_of: date) -> rd.ReadinessSummary:
    """Parcels and hectares per readiness status and per zone (every parcel ``unchecked``
    when ``text`` is ``None``) (cached)."""
    return _summary(snap.path, snap.key, text, as_of)


@st.cache_resource(max_entries=2, show_spinner=False)
def _inputs(path: str, key: str, text: str) -> tuple[rd.ReadinessInputs, rd.Rulebook]:
    rules = rulebook(text)
    return rd.inputs_from_workspace(_workspace(path, key), rulebook=rules), rules


def check_sketch(snap: Snapshot, text: str, geometry_wgs84: Any, as_of: date
                 ) -> rd.SketchResult:
    """A drawn polygon's long table and overall status (:func:`layers.readiness.check_sketch`)."""
    inputs, rules = _inputs(snap.path, snap.key, text)
    return rd.check_sketch(inputs, geometry_wgs84, rules, as_of=as_of)


# --------------------------------------------------------------------------- restoration
@st.cache_resource(max_entries=4, show_spinner=False)
def _restoration(path: str, key: str, as_of: date) -> Any:
    return cached_restoration(_workspace(path, key), as_of)


def restoration(snap: Snapshot, as_of: date) -> Any:
    """The ``RestorationResult`` (sites, ranking, kpis, notes) for the workspace and date
    (cached in memory and in the workspace's ``.devzone/cache``)."""
    return _restoration(snap.path, snap.key, as_of)


# --------------------------------------------------------------------------- map data
@st.cache_resource(max_entries=4, show_spinner=False)
def _map_data(path: str, key: str, text: str | None,
              as_of: date) -> tuple[MapData, list[PlannerError]]:
    ws = _workspace(path, key)
    try:
        name: str | None = f"map-{_map_key(ws, text, as_of)}.result"
        ws.store_digests()
    except Exception:  # an input that cannot be digested: reading it below will say why
        log.warning("no cache key for the map data of %s", path, exc_info=True)
        name = None
    stored = ws.read_cache(name) if name else None
    if stored is not None:
        try:
            return load_map_data(stored), []
        except CacheError as exc:
            log.warning("ignoring cached map data %s: %s", name, exc)
    data, notes = _build_map_data(ws, path, key, text, as_of)
    # not for a session's unsaved rulebook edits, nor a map with a layer that could not be read
    if name and _in_force(ws, text) and not notes:
        try:
            ws.write_cache(name, dump_map_data(data))
        except Exception:
            log.warning("could not store the map data of %s", path, exc_info=True)
    return data, notes


def _map_key(ws: Workspace, text: str | None, as_of: date) -> str:
    """Key of the map data: every layer and the two display rasters, the results it shows
    (readiness and restoration keys) and the map code."""
    return result_key({
        "result": "map",
        "layers": {k: ws.digest(k) for k in sorted(ws.layers)},
        "rasters": {n: ws.raster_digest(n) for n in ("dem", "coverage_5g")},
        "readiness": None if text is None else readiness_key(ws, text, rulebook(text), as_of),
        "restoration": restoration_key(ws, as_of) if ws.has("mines") else None,
    }, packages=("gis", "layers", "ui/map"))


def _build_map_data(ws: Workspace, path: str, key: str, text: str | None,
                    as_of: date) -> tuple[MapData, list[PlannerError]]:
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
        except PlannerError as exc:
            notes.append(exc)
    try:
        progress = _restoration(path, key, as_of).sites
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
def parcel_table(ws: Workspace, result: rd.ReadinessResult | None) -> pd.DataFrame:
    """One row per parcel: id, name, zone, industry, area (ha), readiness and failing rules.

    Area is the geometric area in the workspace's metric CRS; ``failing_rules`` is
    the engine's (the failing required rules, ``", "``-joined; advisory rules are
    not listed). Without a result every parcel is ``unchecked``.
    """
    parcels = ws.read("parcels")
    if parcels is None:
        return pd.DataFrame(columns=["parcel_id", "readiness", "failing_rules"])
    cols = [c for c in ("parcel_id", "name", "zone_id", "industry", "supply_status")
            if c in parcels.columns]
    table = pd.DataFrame(parcels[cols]).copy()
    table["parcel_id"] = table["parcel_id"].astype(str)
    table["area_ha"] = area_ha(parcels.geometry).round(2)
    if result is None:
        table["readiness"] = "unchecked"
        table["failing_rules"] = ""
        return table
    overall = pd.DataFrame({
        "parcel_id": result.overall["parcel_id"].astype(str).to_numpy(),
        "readiness": result.overall["readiness"].astype(str).to_numpy(),
        "failing_rules": result.overall["failing_rules"].astype(str).to_numpy()})
    table = table.merge(overall, on="parcel_id", how="left")
    table["readiness"] = table["readiness"].fillna("unchecked")
    table["failing_rules"] = table["failing_rules"].fillna("")
    return table


@st.cache_resource(max_entries=16, show_spinner=False)
def _parcel_report(path: str, key: str, text: str, parcel_id: str, lang: str,
                   as_of: date) -> rp.Report:
    return rp.build_parcel_report(_workspace(path, key), parcel_id, lang=lang, as_of=as_of,
                                  result=_readiness(path, key, text, as_of))


def parcel_report(snap: Snapshot, text: str, parcel_id: str, lang: str, as_of: date) -> Any:
    """The printable report of one parcel (``layers.reports.Report``: ``.html``, ``.filename``)."""
    return _parcel_report(snap.path, snap.key, text, parcel_id, lang, as_of)


@st.cache_data(max_entries=8, show_spinner=False)
def report_pdf(html_text: str) -> bytes:
    """A report's HTML as an A4 PDF (WeasyPrint, no network)."""
    return rp.to_pdf(html_text)


def export_bytes(data: pd.DataFrame, fmt: str, *, layer: str = "layer") -> bytes:
    """The frame written as ``geojson`` (RFC 7946), ``gpkg`` or ``csv`` (utf-8-sig), as bytes.

    Written through :mod:`gis.io` (the one place that writes files) into a
    temporary folder, then read back for ``st.download_button``.
    """
    with tempfile.TemporaryDirectory(prefix="devzone-export-") as tmp:
        path = Path(tmp) / f"{layer}.{fmt}"
        if isinstance(data, gpd.GeoDataFrame):  # CSV: geometry as WKT in EPSG:4326
            gio.write_vector(data, path, layer=layer)
        else:
            gio.write_table(data, path, layer=layer)
        return path.read_bytes()
