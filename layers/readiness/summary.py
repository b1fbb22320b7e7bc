"""Readiness in numbers: parcels and hectares per overall status, per zone and per rule.

:func:`summarize` is the one place these are counted; the app's Overview, the zone
report and ``devzone check`` all show its :class:`ReadinessSummary`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from gis.errors import InputError
from gis.measure import area_ha
from layers.labels import value_label
from layers.readiness._base import FAIL, STATUSES
from layers.readiness.evaluate import OVERALL_STATUSES, ReadinessResult

__all__ = ["READY_STATUSES", "UNCHECKED", "ReadinessSummary", "parcel_zones", "summarize"]

#: Overall statuses under which a parcel can be supplied.
READY_STATUSES: tuple[str, ...] = ("ready", "ready_with_commitments")
#: Status of a parcel that the result does not cover.
UNCHECKED = "unchecked"
#: Parcels per block when counting per rule (a block's temporaries stay a few MB).
_BLOCK = 65_536
_RULE_COLUMNS = ["rule_id", "label_zh", "label_en", "required", *STATUSES, "cost"]
#: Every status a parcel can be counted under, in order: the overall ones, then unchecked.
_KEYS: tuple[str, ...] = (*OVERALL_STATUSES, UNCHECKED)


@dataclass(frozen=True)
class ReadinessSummary:
    """Counts and hectares of parcels per overall status, per zone and per rule.

    Attributes
    ----------
    parcels, total_ha
        Number and area (ha) of the parcels summarised.
    readiness, hectares
        Parcels and hectares per overall status: every status of
        ``OVERALL_STATUSES``, plus ``unchecked`` when some parcels were not evaluated.
    zones
        One row per zone (``zone_id``; ``""`` for parcels in none, last): ``name``,
        ``parcels``, ``area_ha``, and per status ``<status>`` (count) and
        ``<status>_ha``.
    rules
        One row per rule: ``rule_id, label_zh, label_en, required``, the number of
        parcels per rule status (``pass, fail, unknown, committed``) and ``cost``
        (CNY, sum over the failing parcels; NaN when none has an estimate).
    top_failing
        Up to five required rules failed by most parcels: ``(rule_id, parcels)``.
    """

    parcels: int
    total_ha: float
    readiness: dict[str, int]
    hectares: dict[str, float]
    zones: pd.DataFrame
    rules: pd.DataFrame
    top_failing: list[tuple[str, int]]

    @property
    def n_ready(self) -> int:
        """Parcels ready, with or without commitments."""
        return sum(self.readiness.get(s, 0) for s in READY_STATUSES)

    @property
    def ready_ha(self) -> float:
        """Hectares ready, with or without commitments."""
        return float(sum(self.hectares.get(s, 0.0) for s in READY_STATUSES))

    def text(self, lang: str = "zh") -> str:
        """A short plain-text summary in ``zh`` or ``en`` (what ``devzone check`` prints)."""
        zh = lang != "en"
        lines = [f"共 {self.parcels} 宗地块，{self.total_ha:,.2f} 公顷" if zh
                 else f"{self.parcels} parcels, {self.total_ha:,.2f} ha"]
        for st in self.readiness:
            lab = value_label("readiness", st, lang)
            n, ha = self.readiness[st], self.hectares[st]
            lines.append(f"  {lab} ({st}): {n} 宗 · {ha:,.2f} 公顷" if zh
                         else f"  {lab} ({st}): {n} · {ha:,.2f} ha")
        if len(self.zones) > 1 or (len(self.zones) == 1 and self.zones["zone_id"].iloc[0]):
            lines.append("按开发区：" if zh else "By zone:")
            for z in self.zones.to_dict("records"):
                name = z["name"] or z["zone_id"] or ("不在开发区内" if zh else "in no zone")
                ready = sum(z[s] for s in READY_STATUSES)
                lines.append(f"  {name}: {z['parcels']} 宗 · {z['area_ha']:,.2f} 公顷，"
                             f"就绪 {ready} 宗" if zh else
                             f"  {name}: {z['parcels']} · {z['area_ha']:,.2f} ha, "
                             f"{ready} ready")
        if self.top_failing:
            lines.append("未通过最多的必备条件：" if zh else "Most failed required rules:")
            labels = dict(zip(self.rules["rule_id"], self.rules["label_zh" if zh else "label_en"],
                              strict=True))
            for rid, cnt in self.top_failing:
                lines.append(f"  {labels[rid]} ({rid}): {cnt}")
        return "\n".join(lines)


def parcel_zones(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None = None
                 ) -> pd.Series:
    """The zone of each parcel: its ``zone_id``, else the zone holding a point inside it.

    Parcels without a ``zone_id`` attribute are placed by a representative point in
    the ``zones`` polygons (same CRS); ``<NA>`` where neither says. Index: ``parcels``'.
    """
    attr = (parcels["zone_id"].astype("string").str.strip() if "zone_id" in parcels.columns
            else pd.Series(pd.NA, index=parcels.index, dtype="string"))
    attr = attr.mask(attr.eq("").fillna(False))
    blank = np.flatnonzero(attr.isna().to_numpy())
    if len(blank) and zones is not None and len(zones) and "zone_id" in zones.columns:
        zone = _zone_of(np.asarray(parcels.geometry.array, dtype=object)[blank], zones)
        hit = zone >= 0
        ids = zones["zone_id"].astype("string").str.strip().to_numpy()
        attr.iloc[blank[hit]] = ids[zone[hit]]
    return attr


def _zone_of(geoms: np.ndarray, zones: gpd.GeoDataFrame) -> np.ndarray:
    """The first zone (position in ``zones``) holding each geometry's representative
    point, -1 where none does.

    The point is computed only where it can matter: a geometry that meets no zone lies
    in none, and one within a zone that meets no other zone has every inside point in
    that zone alone (two spatial-index queries, not a million points).
    """
    out = np.full(len(geoms), -1, dtype=np.int64)
    met, _ = zones.sindex.query(geoms, predicate="intersects")
    meets = np.bincount(met, minlength=len(geoms))
    inside, zone = zones.sindex.query(geoms, predicate="within")
    sole = meets[inside] == 1
    out[inside[sole]] = zone[sole]
    rest = np.flatnonzero((meets > 0) & (out < 0))
    if len(rest):
        at, zone = zones.sindex.query(shapely.point_on_surface(geoms[rest]), predicate="within")
        first = pd.Series(zone, index=at).groupby(level=0).min()
        out[rest[first.index.to_numpy()]] = first.to_numpy()
    return out


def _positions(result: ReadinessResult, ids: pd.Series) -> np.ndarray:
    """The row of each parcel ``ids`` in ``result.overall``, -1 where it was not evaluated."""
    have = result.overall["parcel_id"].astype(str)
    if len(have) == len(ids):
        # the parcels the result evaluated, in its order (the usual case): compared as
        # Arrow text, without a hash table of a million Python strings
        try:
            same = pc.all(pc.equal(pa.array(have, type=pa.string()),
                                   pa.array(ids, type=pa.string()))).as_py()
        except (pa.ArrowException, UnicodeError):
            same = False
        if same or len(ids) == 0:
            return np.arange(len(ids))
    return pd.Index(have.to_numpy()).get_indexer(ids.to_numpy())


def _status_codes(result: ReadinessResult | None, pos: np.ndarray) -> np.ndarray:
    """Each parcel's overall status as its position in ``_KEYS`` (``-1``: a name outside it)."""
    out = np.full(len(pos), _KEYS.index(UNCHECKED), dtype=np.int8)
    if result is not None:
        hit = pos >= 0
        readiness = result.overall["readiness"]
        if not isinstance(readiness.dtype, pd.CategoricalDtype):
            readiness = readiness.astype(str).astype("category")
        names = readiness.cat.categories.astype(str)
        # a category's key position; one slot more for a missing status
        lookup = np.array([_KEYS.index(n) if n in _KEYS else -1 for n in names] + [-1],
                          dtype=np.int8)
        out[hit] = lookup[readiness.cat.codes.to_numpy()[pos[hit]]]
    return out


def _rule_table(result: ReadinessResult | None, pos: np.ndarray) -> pd.DataFrame:
    """Per-rule status counts and failing costs over the parcels at ``pos`` in ``result``
    (``-1``: not evaluated)."""
    rules = result.rulebook.rules if result is not None else ()
    if result is None or not rules:
        return pd.DataFrame(columns=_RULE_COLUMNS)
    n = len(result.overall)
    pos = pos[pos >= 0]
    nr, ns = len(rules), len(STATUSES)
    # (parcels, rules): views of the status matrix and of the long table's cost column,
    # read a block of parcels at a time (every rule of a parcel side by side)
    status = result.status_matrix.T
    cost = result.long["cost"].to_numpy(dtype=float).reshape(n, nr)
    in_order = len(pos) == n and bool((pos == np.arange(n)).all())
    counts = np.zeros(nr * ns, dtype=np.int64)
    fail_cost = np.zeros(nr)
    costed = np.zeros(nr, dtype=bool)
    column = ns * np.arange(nr)
    for a in range(0, len(pos), _BLOCK):
        rows = slice(a, a + _BLOCK) if in_order else pos[a:a + _BLOCK]
        st, c = status[rows], cost[rows]
        counts += np.bincount((st + column).ravel(), minlength=nr * ns)
        failed = (st == FAIL) & np.isfinite(c)
        fail_cost += np.where(failed, c, 0.0).sum(axis=0)
        costed |= failed.any(axis=0)
    table = counts.reshape(nr, ns)
    rows_out = [{"rule_id": rule.id, "label_zh": rule.label_zh, "label_en": rule.label_en,
                 "required": rule.required,
                 **{name: int(table[r, i]) for i, name in enumerate(STATUSES)},
                 "cost": float(fail_cost[r]) if costed[r] else np.nan}
                for r, rule in enumerate(rules)]
    return pd.DataFrame(rows_out, columns=_RULE_COLUMNS)


def _zone_table(zone: pd.Series, codes: np.ndarray, ha: np.ndarray, keys: list[str],
                names: dict[str, str]) -> pd.DataFrame:
    ids, uniques = pd.factorize(zone.fillna("").to_numpy(dtype=object), sort=False)
    nz, nk = len(uniques), len(_KEYS)
    counted = codes >= 0
    cell = ids[counted] * nk + codes[counted]
    count = np.bincount(cell, minlength=nz * nk).reshape(nz, nk)
    area = np.bincount(cell, weights=ha[counted], minlength=nz * nk).reshape(nz, nk)
    parcels = np.bincount(ids, minlength=nz)
    total = np.bincount(ids, weights=ha, minlength=nz)
    rows = []
    for z in sorted(range(nz), key=lambda z: (uniques[z] == "", uniques[z])):  # no zone last
        zid = str(uniques[z])
        row: dict[str, object] = {"zone_id": zid, "name": names.get(zid, ""),
                                  "parcels": int(parcels[z]), "area_ha": float(total[z])}
        for k, s in enumerate(keys):  # keys: the first of _KEYS
            row[s] = int(count[z, k])
            row[f"{s}_ha"] = float(area[z, k])
        rows.append(row)
    cols = ["zone_id", "name", "parcels", "area_ha", *keys, *(f"{s}_ha" for s in keys)]
    return pd.DataFrame(rows, columns=cols)


def summarize(result: ReadinessResult | None, parcels: gpd.GeoDataFrame | None = None, *,
              zones: gpd.GeoDataFrame | None = None) -> ReadinessSummary:
    """Counts and hectares of ``parcels`` per overall status, per zone and per rule.

    Parameters
    ----------
    result
        The readiness result; ``None`` counts every parcel as ``unchecked``.
    parcels
        The parcels to summarise (metric CRS, ``parcel_id``); default the parcels
        ``result`` evaluated. Parcels the result does not cover are ``unchecked``.
    zones
        The zones layer: names the zones and places parcels without a ``zone_id``
        (:func:`parcel_zones`).
    """
    if parcels is None:
        if result is None:
            raise InputError("A readiness summary needs a result or the parcels.",
                             hint="Pass the parcels layer.",
                             zh="准备状态汇总需要评估结果或地块图层。", hint_zh="请传入地块图层。")
        parcels = result.parcels
    ids = parcels["parcel_id"].astype("string").str.strip().fillna("")
    pos = _positions(result, ids) if result is not None else np.full(len(ids), -1)
    codes = _status_codes(result, pos)
    ha = np.asarray(area_ha(parcels.geometry), dtype=float)
    ha = np.where(np.isfinite(ha), ha, 0.0)
    counted = codes >= 0
    count = np.bincount(codes[counted], minlength=len(_KEYS))
    area = np.bincount(codes[counted], weights=ha[counted], minlength=len(_KEYS))
    keys = [*OVERALL_STATUSES, *([UNCHECKED] if count[_KEYS.index(UNCHECKED)] else [])]
    readiness = {s: int(count[k]) for k, s in enumerate(keys)}  # keys: the first of _KEYS
    hectares = {s: float(area[k]) for k, s in enumerate(keys)}
    names: dict[str, str] = {}
    if zones is not None and {"zone_id", "name"} <= set(zones.columns):
        names = dict(zip(zones["zone_id"].astype("string").str.strip().fillna(""),
                         zones["name"].astype("string").fillna(""), strict=True))
    zone_table = _zone_table(parcel_zones(parcels, zones), codes, ha, keys, names)
    rules = _rule_table(result, pos)
    req = rules[rules["required"].astype(bool) & (rules["fail"] > 0)].sort_values(
        ["fail", "rule_id"], ascending=[False, True])
    top = list(zip(req["rule_id"].head(5), req["fail"].head(5).astype(int), strict=True))
    return ReadinessSummary(parcels=len(parcels), total_ha=float(ha.sum()), readiness=readiness,
                            hectares=hectares, zones=zone_table, rules=rules, top_failing=top)
