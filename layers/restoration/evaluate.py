"""One call for the CLI, app and reports: progress + priorities + KPIs, and the export table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd

from layers.restoration.inputs import Note, RestorationInputs
from layers.restoration.kpis import kpis
from layers.restoration.priority import priorities
from layers.restoration.progress import progress
from layers.settings import RestorationSettings

__all__ = ["RestorationResult", "evaluate", "export_frame"]


@dataclass
class RestorationResult:
    """Per-site table (progress with priority columns), the ranking, the KPIs and notes.

    ``notes`` are bilingual :class:`~layers.restoration.inputs.Note` s: ``code``,
    ``message_en``, ``message_zh``; ``note.message(lang)`` picks the language.
    ``endmembers`` are the soil and vegetation NDVI of each epoch's scene.
    """

    sites: gpd.GeoDataFrame
    ranking: pd.DataFrame
    kpis: dict[str, pd.DataFrame]
    notes: list[Note] = field(default_factory=list)
    as_of: str = ""
    endmembers: dict[str, tuple[float, float]] = field(default_factory=dict)


def evaluate(inputs: RestorationInputs, *, as_of: date | str | pd.Timestamp,
             settings: RestorationSettings | None = None) -> RestorationResult:
    """Run :func:`progress`, :func:`priorities` and :func:`kpis` with one set of settings.

    The per-site table gains ``priority_rank``, ``priority_score``,
    ``road_distance_m``, ``town_distance_m``, ``nearest_town`` and the reasons
    (``priority_reasons_zh`` / ``priority_reasons_en``) after the lead columns.
    """
    prog = progress(inputs, as_of=as_of, settings=settings)
    rank = priorities(prog.sites, inputs, settings=settings)
    extra = rank.ranking.drop(columns=["remaining_ha"]).rename(
        columns={"reasons_zh": "priority_reasons_zh", "reasons_en": "priority_reasons_en"})
    table = prog.sites
    geom = table.geometry.name
    merged = table.drop(columns=geom).merge(extra, on="site_id", how="left", validate="1:1")
    last = ["notes", "notes_en"]
    cols = [c for c in merged.columns if c not in last] + last
    sites = gpd.GeoDataFrame(merged[cols], geometry=table.geometry.to_numpy(), crs=table.crs)
    notes = list(dict.fromkeys([*prog.notes, *rank.notes]))
    return RestorationResult(sites=sites, ranking=rank.ranking, kpis=kpis(table), notes=notes,
                             as_of=prog.as_of, endmembers=prog.endmembers)


def export_frame(sites: gpd.GeoDataFrame, *, spatial: bool) -> pd.DataFrame:
    """The per-site table ready to write: dates as ISO text, integers nullable.

    ``spatial=False`` (CSV) drops the geometry and adds ``lon``/``lat`` of a point
    inside each site (EPSG:4326); ``spatial=True`` keeps the geometry (GeoJSON, GPKG).
    """
    out = sites.copy()
    for c in out.columns:
        if c != out.geometry.name and pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d").astype("string")
    if spatial:
        return out
    pts = out.geometry.representative_point().to_crs(4326)
    flat = pd.DataFrame(out.drop(columns=out.geometry.name))
    flat["lon"] = pts.x.round(6).to_numpy()
    flat["lat"] = pts.y.round(6).to_numpy()
    return flat
