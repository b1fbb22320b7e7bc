"""The ``assessment`` rule kind: regional assessments of the parcel or of its zone."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from gis.measure import AreaIndex
from layers.catalog import ASSESSMENT_LABELS, VALUE_ALIASES
from layers.readiness._base import COMMITTED, FAIL, PASS, UNKNOWN, Chunk, Evaluator, RuleOutput
from layers.readiness.rulebook import AssessmentRule
from layers.readiness.vector_rules import cached_index

__all__ = ["AssessmentEvaluator", "zone_of_parcels"]

# outcome ranks: the best record of the parcel and of its zone decides
_R_APPROVED, _R_NOT_REQUIRED, _R_COMMITTED = 10, 9, 8
_R_COMMIT_REFUSED, _R_EXPIRED, _R_PENDING, _R_OTHER, _R_NONE = 5, 4, 3, 2, 0
_NEEDED = ("scope", "scope_id", "kind", "status")


def zone_of_parcels(inputs: Any, geoms: np.ndarray, zone_layer: str = "zones") -> np.ndarray | None:
    """The id of the zone holding the largest part of each parcel (``""`` if none).

    Returns ``None`` when the workspace has no such zone layer.
    """
    index, _ = cached_index(inputs, "zones-largest", zone_layer, {},
                                  lambda sub: (AreaIndex(sub.geometry.values, dissolve=False),
                                               _ids(sub)))
    if index is None:
        return None
    idx, ids = index
    best, _ = idx.largest(geoms)
    out = np.full(len(geoms), "", dtype=object)
    out[best >= 0] = ids[best[best >= 0]]
    return out


def _ids(zones: pd.DataFrame) -> np.ndarray:
    col = "zone_id" if "zone_id" in zones.columns else None
    if col is None:
        return np.array([f"#{i + 1}" for i in range(len(zones))], dtype=object)
    return zones[col].astype("string").str.strip().fillna("").to_numpy(dtype=object)


def _date(v: Any) -> str:
    return pd.Timestamp(v).date().isoformat()


class AssessmentEvaluator(Evaluator):
    """``assessment``: approved and unexpired → pass; committed → committed if allowed."""

    def __init__(self, rule: AssessmentRule, inputs: Any, as_of: date) -> None:
        super().__init__(rule, inputs, as_of)
        self.problem: tuple[str, str] | None = None
        self.best: dict[tuple[str, str], tuple[int, int]] = {}
        azh, aen = ASSESSMENT_LABELS.get(rule.assessment, (rule.label_zh, rule.label_en))
        self.names = (azh, aen[:1].lower() + aen[1:])
        table = inputs.assessments
        if table is None:
            self.problem = ("缺少区域评估表（assessments）",
                            "the workspace has no assessments table")
            return
        missing = [c for c in _NEEDED if c not in table.columns]
        if missing:
            self.problem = (f"区域评估表缺少字段 {missing[0]}",
                            f"the assessments table has no column {missing[0]!r}")
            return
        self._index_records(table)

    def _index_records(self, table: pd.DataFrame) -> None:
        rule: AssessmentRule = self.rule  # type: ignore[assignment]
        def norm(s: pd.Series, alias: str | None = None) -> pd.Series:
            out = s.astype("string").str.strip()
            if alias is None:
                return out
            # Chinese codes (开发区, 已批准, 环境影响评价 …) as the loaders map them
            return out.str.lower().map(lambda v: VALUE_ALIASES[alias].get(v, v),
                                       na_action="ignore").astype("string")

        kind = norm(table["kind"], "kind")
        recs = table[kind.eq(rule.assessment).fillna(False).to_numpy(dtype=bool)]
        if not len(recs):
            return
        scope = norm(recs["scope"], "scope").fillna("").to_numpy(dtype=object)
        sid = norm(recs["scope_id"]).fillna("").to_numpy(dtype=object)
        status = norm(recs["status"], "status").fillna("").to_numpy(dtype=object)
        until = (pd.to_datetime(recs["valid_until"], errors="coerce", format="mixed")
                 if "valid_until" in recs.columns else pd.Series(pd.NaT, index=recs.index))
        until = until.to_numpy()
        refs = (norm(recs["ref"]).fillna("").to_numpy(dtype=object) if "ref" in recs.columns
                else np.full(len(recs), "", dtype=object))
        as_of = np.datetime64(self.as_of, "ns")
        for sc, si, st, vu, ref in zip(scope, sid, status, until, refs, strict=True):
            rank, code = self._outcome(sc, si, st, vu, ref, as_of)
            key = (sc, si)
            if rank > self.best.get(key, (-1, 0))[0]:
                self.best[key] = (rank, code)

    def _outcome(self, scope: str, sid: str, status: str, until: Any, ref: str,
                 as_of: np.datetime64) -> tuple[int, int]:
        rule: AssessmentRule = self.rule  # type: ignore[assignment]
        azh, aen = self.names
        szh = {"zone": f"开发区 {sid}", "parcel": f"地块 {sid}"}.get(scope, f"{scope} {sid}")
        sen = {"zone": f"zone {sid}", "parcel": f"parcel {sid}"}.get(scope, f"{scope} {sid}")
        rz = f"，{ref}" if ref else ""
        re_ = f", {ref}" if ref else ""
        has_until = not pd.isna(until)
        if status == "approved":
            if has_until and until < as_of:
                return _R_EXPIRED, self.messages.code(
                    f"{azh}已过期（{szh}{rz}，有效期至 {_date(until)}）",
                    f"the {aen} expired on {_date(until)} ({sen}{re_})")
            vz = f"有效期至 {_date(until)}" if has_until else "长期有效"
            ve = f"valid until {_date(until)}" if has_until else "no expiry"
            return _R_APPROVED, self.messages.code(f"{azh}已批复（{szh}{rz}，{vz}）",
                                                   f"the {aen} is approved ({sen}{re_}, {ve})")
        if status == "not_required":
            return _R_NOT_REQUIRED, self.messages.code(f"{azh}无需开展（{szh}）",
                                                       f"the {aen} is not required ({sen})")
        if status == "committed":
            if rule.commitment_allowed:
                return _R_COMMITTED, self.messages.code(
                    f"{azh}实行承诺制，已作出承诺（{szh}）",
                    f"the {aen} is replaced by a signed commitment (承诺制, {sen})")
            return _R_COMMIT_REFUSED, self.messages.code(
                f"{azh}仅有承诺，本事项不适用承诺制（{szh}）",
                f"the {aen} has only a commitment ({sen}), which this rule does not accept")
        if status == "pending":
            return _R_PENDING, self.messages.code(f"{azh}尚未完成（{szh}，待评估）",
                                                  f"the {aen} is pending ({sen})")
        return _R_OTHER, self.messages.code(f"{azh}记录状态无效（{szh}：{status or '空'}）",
                                            f"the {aen} record has no valid status ({sen}: "
                                            f"{status or 'empty'})")

    def _lookup(self, scope: str, ids: np.ndarray | pd.Index) -> tuple[np.ndarray, np.ndarray]:
        """Rank and message code of the best record for each scope id (none: rank 0).

        ``ids`` given as an index of distinct ids (built once per chunk) is looked up the
        other way round: the few record keys in it.
        """
        keys = [k[1] for k in self.best if k[0] == scope]
        rank = np.array([self.best[(scope, k)][0] for k in keys] + [_R_NONE], dtype=np.int64)
        code = np.array([self.best[(scope, k)][1] for k in keys] + [0], dtype=np.int32)
        if not keys:
            return np.full(len(ids), _R_NONE, dtype=np.int64), np.zeros(len(ids), np.int32)
        if isinstance(ids, pd.Index) and ids.is_unique:
            at = ids.get_indexer(pd.Index(keys, dtype=object))
            idx = np.full(len(ids), len(keys), dtype=np.intp)  # the "no record" entry
            idx[at[at >= 0]] = np.flatnonzero(at >= 0)
        else:
            idx = pd.Index(keys, dtype=object).get_indexer(pd.Index(ids, dtype=object))
        return rank[idx], code[idx]

    def _zones(self, chunk: Chunk) -> tuple[np.ndarray | None, str, tuple[str, str] | None]:
        """Each parcel's zone id (``""``: none), its cache key and a note when it comes
        from the parcels' ``zone_id`` column; ``None`` without zone layer or column."""
        rule: AssessmentRule = self.rule  # type: ignore[assignment]
        n = len(chunk)
        zones, key = None, ""
        zone_note: tuple[str, str] | None = None
        if self.inputs.layer(rule.zone_layer) is not None:
            key = f"zone-of:{rule.zone_layer}"
            if key not in chunk.cache:
                zones = np.full(n, "", dtype=object)
                zones[chunk.has_geom] = zone_of_parcels(
                    self.inputs, chunk.geoms[chunk.has_geom], rule.zone_layer)
                chunk.cache[key] = zones
            zones = chunk.cache[key]
        elif "zone_id" in chunk.attrs.columns:
            key = "zone-attr"
            if key not in chunk.cache:
                chunk.cache[key] = chunk.attrs["zone_id"].astype("string").str.strip().fillna(
                    "").to_numpy(dtype=object)
            zones = chunk.cache[key]
            zone_note = ("（按地块 zone_id 字段确定所属开发区）",
                         " (zone taken from the parcel's zone_id)")
        return zones, key, zone_note

    def run(self, chunk: Chunk) -> RuleOutput:
        rule: AssessmentRule = self.rule  # type: ignore[assignment]
        if self.problem is not None:
            return self.unknown_all(chunk, *self.problem)
        n = len(chunk)
        out = RuleOutput.empty(n)
        azh, aen = self.names
        if "parcel-ids" not in chunk.cache:  # shared by the assessment rules
            chunk.cache["parcel-ids"] = pd.Index(chunk.attrs["parcel_id"].to_numpy(dtype=object),
                                                 dtype=object)
        own_rank, own_code = self._lookup("parcel", chunk.cache["parcel-ids"])
        zones, key, zone_note = self._zones(chunk)
        if zones is not None:
            # the few distinct zones, looked up once (factorized once per chunk)
            fkey = ("factorized", key)
            if fkey not in chunk.cache:
                which, distinct = pd.factorize(zones)
                chunk.cache[fkey] = which, np.asarray(distinct, dtype=object)
            which, distinct = chunk.cache[fkey]
            zone_rank, zone_code = self._lookup("zone", distinct)
            zone_rank[distinct == ""] = _R_NONE
            zone_rank, zone_code = zone_rank[which], zone_code[which]
        else:
            zone_rank = np.full(n, _R_NONE)
            zone_code = np.zeros(n, dtype=np.int32)
        use_zone = zone_rank > own_rank
        rank = np.where(use_zone, zone_rank, own_rank)
        code = np.where(use_zone, zone_code, own_code).astype(np.int32)
        out.msg[:] = code
        out.status[rank >= _R_NOT_REQUIRED] = PASS
        out.status[rank == _R_COMMITTED] = COMMITTED
        out.status[(rank > _R_NONE) & (rank < _R_COMMITTED)] = FAIL
        if zone_note is not None:
            for c in pd.unique(code[use_zone]):
                zh, en = self.messages.items[c]
                sel = use_zone & (code == c)
                out.msg[sel] = self.messages.code(zh + zone_note[0], en + zone_note[1])
        none = rank == _R_NONE
        if zones is None:
            out.set(none, UNKNOWN, self.messages.code(
                f"地块无{azh}记录，且缺少开发区图层（{rule.zone_layer}），无法确定继承的区域评估",
                f"no {aen} record for the parcel, and without a {rule.zone_layer} layer the "
                "zone's assessment cannot be inherited"))
        else:
            out.set(none & ~chunk.has_geom, UNKNOWN, self.msg_no_geom)
            none &= chunk.has_geom
            no_zone = none & (zones == "")
            out.set(no_zone, FAIL, self.messages.code(
                f"地块无{azh}记录，且不在任何开发区内", f"no {aen} record for the parcel, "
                "and it lies in no zone"))
            for z in pd.unique(zones[none & (zones != "")]):
                out.set(none & (zones == z), FAIL, self.messages.code(
                    f"地块及所在开发区 {z} 均无{azh}记录",
                    f"no {aen} record for the parcel or its zone {z}"))
        return out
