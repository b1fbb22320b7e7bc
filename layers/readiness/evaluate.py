"""Evaluate a rulebook over all parcels: the long results table and the overall status."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from gis.errors import InputError, SchemaError
from gis.memory import release_memory
from layers.labels import VALUE_LABELS
from layers.readiness._base import (
    COMMITTED,
    FAIL,
    PASS,
    STATUSES,
    UNKNOWN,
    Chunk,
    Evaluator,
    RuleOutput,
)
from layers.readiness.assessment import AssessmentEvaluator
from layers.readiness.attribute import AttributeEvaluator, IndicatorsEvaluator
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.raster_rules import RasterCoverageEvaluator, RasterEvaluator
from layers.readiness.rulebook import (
    AssessmentRule,
    AttributeRule,
    DistanceRule,
    IndicatorsRule,
    MinDistanceRule,
    OverlapRule,
    RasterCoverageRule,
    RasterRule,
    Rule,
    Rulebook,
    WithinRule,
)
from layers.readiness.vector_rules import (
    DistanceEvaluator,
    FractionEvaluator,
    MinDistanceEvaluator,
)

if TYPE_CHECKING:
    from layers.readiness.summary import ReadinessSummary

__all__ = [
    "FAILING_SEP",
    "LARGE_CHECK",
    "LONG_COLUMNS",
    "OVERALL_STATUSES",
    "ReadinessResult",
    "evaluate",
    "make_evaluator",
]

#: Columns of the long results table, in order (``message`` is Chinese, ``message_en`` English).
LONG_COLUMNS = ["parcel_id", "rule_id", "status", "value", "threshold", "unit", "gap", "cost",
                "message", "message_en"]
#: Separator of the rule ids in the overall table's ``failing_rules``.
FAILING_SEP = ", "
#: Overall statuses, worst first.
OVERALL_STATUSES: tuple[str, ...] = ("not_ready", "incomplete", "ready_with_commitments", "ready")
#: zh/en labels of the overall and per-rule statuses (from the one shared table).
OVERALL_LABELS: dict[str, tuple[str, str]] = {k: VALUE_LABELS["readiness"][k]
                                              for k in OVERALL_STATUSES}
STATUS_LABELS: dict[str, tuple[str, str]] = dict(VALUE_LABELS["rule_status"])

_EVALUATORS: dict[type, type[Evaluator]] = {
    DistanceRule: DistanceEvaluator,
    MinDistanceRule: MinDistanceEvaluator,
    WithinRule: FractionEvaluator,
    OverlapRule: FractionEvaluator,
    RasterRule: RasterEvaluator,
    RasterCoverageRule: RasterCoverageEvaluator,
    AssessmentRule: AssessmentEvaluator,
    AttributeRule: AttributeEvaluator,
    IndicatorsRule: IndicatorsEvaluator,
}

Progress = Callable[[int, int], None]
#: The statuses the overall table counts per parcel (``n_pass`` …), with their codes.
_CODES = (("pass", PASS), ("fail", FAIL), ("unknown", UNKNOWN), ("committed", COMMITTED))
#: Parcels from which a check is "large": memory goes before time, and the chunks'
#: freed scratch memory is handed back to the system (``devzone check`` does the same
#: between its steps).
LARGE_CHECK = 250_000


def make_evaluator(rule: Rule, inputs: ReadinessInputs, as_of: date) -> Evaluator:
    """The evaluator of one rule, with its layer indexes prepared (cached on ``inputs``)."""
    return _EVALUATORS[type(rule)](rule, inputs, as_of)


# --------------------------------------------------------------------------- result

@dataclass
class ReadinessResult:
    """The outcome of :func:`evaluate`.

    Attributes
    ----------
    long : DataFrame
        One row per parcel × rule: ``LONG_COLUMNS`` (categorical text columns).
    overall : DataFrame
        One row per parcel: ``parcel_id, readiness, n_pass, n_fail, n_unknown,
        n_committed`` (required rules), ``n_advisory_fail``, ``failing_rules``,
        ``total_cost`` (CNY, failing required rules with a unit cost) and
        ``uncosted_rules`` (failing required rules without one).
    """

    long: pd.DataFrame
    overall: pd.DataFrame
    rulebook: Rulebook
    as_of: date
    parcels: gpd.GeoDataFrame
    status_matrix: np.ndarray = field(repr=False)
    value_matrix: np.ndarray = field(repr=False)

    def wide(self) -> gpd.GeoDataFrame:
        """The parcels with ``readiness`` and, per rule, ``<rule>_status`` and ``<rule>_value``."""
        names = np.array(STATUSES, dtype=object)
        cols: dict[str, object] = {"readiness": self.overall["readiness"].astype("str").to_numpy()}
        for r, rule in enumerate(self.rulebook.rules):
            cols[f"{rule.id}_status"] = pd.array(names[self.status_matrix[r]], dtype="str")
            cols[f"{rule.id}_value"] = self.value_matrix[r]
        base = self.parcels.drop(columns=[c for c in cols if c in self.parcels.columns])
        extra = pd.DataFrame(cols, index=base.index)
        return gpd.GeoDataFrame(pd.concat([base, extra], axis=1),
                                geometry=base.geometry.name, crs=base.crs)

    def summary(self) -> ReadinessSummary:
        """:func:`layers.readiness.summary.summarize` of every parcel evaluated."""
        from layers.readiness.summary import summarize

        return summarize(self)


# --------------------------------------------------------------------------- evaluation

def check_unique_ids(ids: pd.Series) -> None:
    """A :class:`SchemaError` naming the first ``parcel_id`` used twice (ids stripped)."""
    dup = ids[ids.duplicated()]
    if len(dup):
        raise SchemaError(f"parcel_id {dup.iloc[0]!r} is used by more than one parcel "
                          f"({dup.nunique()} duplicated ids).",
                          hint="Give every parcel its own id.",
                          zh=f"地块编号 {dup.iloc[0]!r} 被多个地块使用"
                          f"（共 {dup.nunique()} 个重复编号）。",
                          hint_zh="请为每个地块设置唯一的编号。")


def _parcel_table(parcels: gpd.GeoDataFrame, parcel_ids: Iterable[str] | None
                  ) -> gpd.GeoDataFrame:
    if "parcel_id" not in parcels.columns:
        raise SchemaError("The parcels layer has no parcel_id column.",
                          hint="Add a parcel_id (地块编号) column with one id per parcel.",
                          zh="标准地（parcels）图层没有地块编号（parcel_id）字段。",
                          hint_zh="请添加地块编号（parcel_id）字段，每个地块一个编号。")
    ids = parcels["parcel_id"].astype("string").str.strip()
    if ids.isna().any() or (ids == "").any():
        pos = int(np.flatnonzero((ids.isna() | (ids == "")).to_numpy(dtype=bool))[0])
        raise SchemaError(f"Parcel #{pos + 1} has no parcel_id.",
                          hint="Give every parcel an id (地块编号).",
                          zh=f"第 {pos + 1} 个地块没有地块编号（parcel_id）。",
                          hint_zh="请为每个地块填写地块编号。")
    check_unique_ids(ids)
    parcels = parcels.copy(deep=False)  # copy-on-write: columns are shared, not copied
    parcels["parcel_id"] = ids.astype("str")
    if parcel_ids is not None:
        wanted = [str(p).strip() for p in parcel_ids]
        present = set(parcels["parcel_id"])
        missing = [p for p in wanted if p not in present]
        if missing:
            raise InputError(f"No parcel with id {missing[0]!r}"
                             + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                             + ".", hint="Check the ids against the parcels layer's parcel_id.",
                             zh=f"没有编号为 {missing[0]!r} 的地块"
                             + (f"（另有 {len(missing) - 1} 个）" if len(missing) > 1 else "")
                             + "。", hint_zh="请对照标准地图层的地块编号（parcel_id）核对。")
        parcels = parcels[parcels["parcel_id"].isin(set(wanted))]
    return parcels.reset_index(drop=True)


def _categorical(codes: np.ndarray, categories: list[str], *, sort: bool = False
                 ) -> pd.Categorical:
    """A categorical from codes over possibly repeated category labels (kept in their
    first order, or sorted: messages are numbered in the order threads meet them, and a
    file must not depend on that)."""
    uniq: dict[str, int] = {}
    if sort:
        uniq = {c: k for k, c in enumerate(sorted(set(categories)))}
    remap = np.array([uniq.setdefault(c, len(uniq)) for c in categories])
    remap = remap.astype(np.int8 if len(uniq) < 127 else np.int16 if len(uniq) < 32_000
                         else np.int32)
    cats = pd.Index(list(uniq), dtype="str")
    return pd.Categorical.from_codes(remap[codes] if len(remap) else codes,
                                     dtype=pd.CategoricalDtype(cats), validate=False)


def evaluate(inputs: ReadinessInputs, rulebook: Rulebook, *, as_of: date,
             parcel_ids: Iterable[str] | None = None, progress: Progress | None = None,
             chunk_size: int | None = None, workers: int = 2) -> ReadinessResult:
    """Evaluate every rule for every parcel (vectorised, in chunks, on two threads).

    Parameters
    ----------
    inputs : ReadinessInputs
    rulebook : Rulebook
    as_of : date
        The check date (assessment expiry).
    parcel_ids : iterable of str, optional
        Only these parcels (an unknown id is an :class:`~gis.errors.InputError`);
        results keep the parcels layer's order.
    progress : callable, optional
        Called as ``progress(parcels_done, parcels_total)`` after each chunk.
    chunk_size, workers : int
        Parcels per chunk (default: automatic) and worker threads.

    Returns
    -------
    ReadinessResult
    """
    parcels = _parcel_table(inputs.parcels, parcel_ids)
    n, rules = len(parcels), rulebook.rules
    nr = len(rules)
    geoms = np.asarray(parcels.geometry.array, dtype=object)
    has_geom = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    attrs = pd.DataFrame(parcels.drop(columns=parcels.geometry.name))
    evaluators = [make_evaluator(rule, inputs, as_of) for rule in rules]

    # parcel-major (n, rules) arrays: their ravel() is the long table's row order, no copy
    # every row is written by its chunk: no fill (the pages fault in on the worker threads)
    status = np.empty((n, nr), dtype=np.int8)
    value, threshold, gap, cost = (np.empty((n, nr)) for _ in range(4))
    msg = np.empty((n, nr), dtype=np.int32)
    tallies: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []

    if chunk_size is None:
        chunk_size = min(50_000, max(2_000, math.ceil(n / 4)))
    # chunks of consecutive parcels: their geometries lie together in memory, as the
    # reader made them (parcels gathered by place instead cost a fifth more at 1e6)
    parts = [np.arange(i, min(i + chunk_size, n)) for i in range(0, n, chunk_size)]

    def make_chunk(sel: np.ndarray) -> Chunk:
        g = geoms[sel]
        hg = has_geom[sel]
        if hg.any():
            b = shapely.bounds(g[hg])
            bounds = (float(b[:, 0].min()), float(b[:, 1].min()),
                      float(b[:, 2].max()), float(b[:, 3].max()))
        else:
            bounds = (0.0, 0.0, 0.0, 0.0)
        return Chunk(pos=sel, geoms=g, attrs=attrs.iloc[sel].reset_index(drop=True),
                     has_geom=hg, bounds=bounds)

    def store(sel: np.ndarray, outs: Sequence[RuleOutput]) -> int:
        # one block per array: rows of the (n, rules) arrays are contiguous
        for whole, name in ((status, "status"), (value, "value"), (threshold, "threshold"),
                            (gap, "gap"), (cost, "cost"), (msg, "msg")):
            whole[sel] = np.column_stack([getattr(o, name) for o in outs])
        # the overall table's counts, here on the worker rather than after all chunks
        tallies.append((sel, _tally(rules, [o.status for o in outs], [o.cost for o in outs],
                                    len(sel))))
        return len(sel)

    # each chunk's rules in groups of about equal work, one task each: the thread that runs
    # out of tasks first then waits a group's time for the other, not a whole chunk's
    threaded = workers > 1 and len(parts) > 1
    tasks = _ChunkTasks(parts, _rule_groups(evaluators, workers if threaded else 1),
                        make_chunk, evaluators, store)

    def stored() -> Iterator[int]:  # parcels stored by each task, as tasks finish
        if not threaded:
            yield from (tasks.run(c, g) for c, g in tasks.order())
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(tasks.run, c, g) for c, g in tasks.order()]
            yield from (fut.result() for fut in as_completed(futures))

    done = 0
    for count in stored():
        done += count
        if progress and count:
            progress(done, n)

    if n >= LARGE_CHECK:
        release_memory()  # the chunks' scratch memory, before the tables are built
    overall = _overall_frame(parcels["parcel_id"], rules, _gather(tallies, n, rules))
    long = _long_table(parcels["parcel_id"].tolist(), rules, evaluators, status, value,
                       threshold, gap, cost, msg)
    return ReadinessResult(long=long, overall=overall, rulebook=rulebook, as_of=as_of,
                           parcels=parcels, status_matrix=status.T, value_matrix=value.T)


class _ChunkTasks:
    """Tasks ``(chunk, rule group)``: a chunk is made by the first of its tasks to start and
    stored by the last to finish (then its scratch may go); threads may run them."""

    def __init__(self, parts: list[np.ndarray], groups: list[list[int]],
                 make: Callable[[np.ndarray], Chunk], evaluators: Sequence[Evaluator],
                 store: Callable[[np.ndarray, list[RuleOutput]], int]) -> None:
        self.parts, self.groups, self.make, self.store = parts, groups, make, store
        self.evaluators = evaluators
        self.chunks: dict[int, Chunk] = {}
        self.outs: dict[int, dict[int, RuleOutput]] = {}
        self.left = [len(groups)] * len(parts)
        self.lock = threading.Lock()

    def order(self) -> list[tuple[int, int]]:
        return [(c, g) for c in range(len(self.parts)) for g in range(len(self.groups))]

    def run(self, c: int, g: int) -> int:
        """Evaluate group ``g`` on chunk ``c``; the parcels stored (0 until its last group)."""
        with self.lock:
            if c not in self.chunks:
                self.chunks[c] = self.make(self.parts[c])
                self.outs[c] = {}
            chunk, outs = self.chunks[c], self.outs[c]
        for r in self.groups[g]:
            outs[r] = self.evaluators[r].evaluate(chunk)
        with self.lock:
            self.left[c] -= 1
            if self.left[c]:
                return 0
            del self.chunks[c], self.outs[c]
        return self.store(self.parts[c], [outs[r] for r in range(len(self.evaluators))])


#: Relative work per parcel of a rule, by evaluator (measured at 1e5 parcels); rules
#: not listed count as light.
_WEIGHTS: dict[type[Evaluator], float] = {
    DistanceEvaluator: 4.0, MinDistanceEvaluator: 3.0, RasterEvaluator: 3.0,
    RasterCoverageEvaluator: 3.0, FractionEvaluator: 1.0}


def _rule_groups(evaluators: Sequence[Evaluator], k: int) -> list[list[int]]:
    """The rules' positions in ``k`` groups of about equal work (heaviest first, each to
    the lightest group so far); rules on the same raster stay together, as they share
    its window."""
    families: dict[tuple[str, str] | int, list[int]] = {}
    for r, ev in enumerate(evaluators):
        key: tuple[str, str] | int = (
            ("raster", ev.base) if isinstance(ev, RasterEvaluator | RasterCoverageEvaluator)
            else r)
        families.setdefault(key, []).append(r)
    work = {key: sum(_WEIGHTS.get(type(evaluators[r]), 0.1) for r in rs)
            for key, rs in families.items()}
    groups: list[list[int]] = [[] for _ in range(k)]
    load = [0.0] * k
    for key in sorted(families, key=lambda f: -work[f]):
        g = load.index(min(load))
        groups[g].extend(families[key])
        load[g] += work[key]
    return [sorted(g) for g in groups if g]


def _long_table(ids: list[str], rules: tuple[Rule, ...], evaluators: list[Evaluator],
                status: np.ndarray, value: np.ndarray, threshold: np.ndarray, gap: np.ndarray,
                cost: np.ndarray, msg: np.ndarray) -> pd.DataFrame:
    """The long table from parcel-major ``(n, rules)`` arrays (used in place, not copied)."""
    n, nr = status.shape
    pid = np.repeat(np.arange(n, dtype=np.int32), nr)
    rid = np.tile(np.arange(nr, dtype=np.int8 if nr < 127 else np.int32), n)
    offsets = np.cumsum([0] + [len(ev.messages.items) for ev in evaluators])[:-1]
    msg += offsets.astype(np.int32)[None, :]
    zh = [m[0] for ev in evaluators for m in ev.messages.items]
    en = [m[1] for ev in evaluators for m in ev.messages.items]
    units = [ev.unit for ev in evaluators]
    return pd.DataFrame({
        "parcel_id": pd.Categorical.from_codes(
            pid, dtype=pd.CategoricalDtype(pd.Index(ids, dtype="str")), validate=False),
        "rule_id": _categorical(rid, [r.id for r in rules]),
        "status": pd.Categorical.from_codes(
            status.ravel(), dtype=pd.CategoricalDtype(pd.Index(STATUSES, dtype="str")),
            validate=False),
        "value": value.ravel(),
        "threshold": threshold.ravel(),
        "unit": _categorical(rid, units),
        "gap": gap.ravel(),
        "cost": cost.ravel(),
        "message": _categorical(msg.ravel(), zh, sort=True),
        "message_en": _categorical(msg.ravel(), en, sort=True),
    }, columns=LONG_COLUMNS, copy=False)


def _overall(ids: pd.Series, rules: tuple[Rule, ...], status: np.ndarray,
             cost: np.ndarray) -> pd.DataFrame:
    """One row per parcel from ``(rules, parcels)`` status and cost arrays."""
    return _overall_frame(ids, rules, _tally(rules, status, cost, status.shape[1]))


def _tally(rules: tuple[Rule, ...], status: Sequence[np.ndarray] | np.ndarray,
           cost: Sequence[np.ndarray] | np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Per parcel: ``n_pass`` … ``n_committed`` and ``uncosted_rules`` over the required
    rules, ``total_cost``, ``n_advisory_fail`` and ``key`` (bit k set: required rule k
    fails) from one status and one cost array per rule, over ``n`` parcels.

    Rules are taken one at a time, so no temporary is larger than one value per parcel
    (a million parcels: 8 MB, not a (rules, parcels) array of 200 MB per step); sums
    are added rule after rule, as NumPy sums a (rules, parcels) array over its rules.
    """
    req = [r for r, rule in enumerate(rules) if rule.required]
    out: dict[str, np.ndarray] = {f"n_{name}": np.zeros(n, dtype=np.int64) for name, _ in _CODES}
    total = np.zeros(n)
    uncosted = np.zeros(n, dtype=np.int64)
    # one integer key per combination of failing required rules (object ints beyond 62)
    wide = len(req) > 62
    key = np.zeros(n, dtype=object if wide else np.int64)
    for k, r in enumerate(req):
        s, c = status[r], cost[r]
        for name, code in _CODES:
            out[f"n_{name}"] += s == code
        fail = s == FAIL
        missing = np.isnan(c)
        total += np.where(fail & ~missing, c, 0.0)
        uncosted += fail & missing
        if wide:
            key = key + fail.astype(object) * (1 << k)
        else:
            key |= fail.astype(np.int64) << k
    advisory_fail = np.zeros(n, dtype=np.int64)
    for r, rule in enumerate(rules):
        if not rule.required:
            advisory_fail += status[r] == FAIL
    out.update(total_cost=total, uncosted_rules=uncosted, n_advisory_fail=advisory_fail,
               key=key)
    return out


def _gather(parts: list[tuple[np.ndarray, dict[str, np.ndarray]]], n: int,
            rules: tuple[Rule, ...]) -> dict[str, np.ndarray]:
    """The tallies of chunks (their positions and :func:`_tally`) as whole columns."""
    if not parts:  # no parcels
        return _tally(rules, [np.zeros(0, dtype=np.int8)] * len(rules),
                      [np.zeros(0)] * len(rules), 0)
    whole = {k: np.empty(n, dtype=v.dtype) for k, v in parts[0][1].items()}
    for sel, tally in parts:
        for k, v in tally.items():
            whole[k][sel] = v
    return whole


def _overall_frame(ids: pd.Series, rules: tuple[Rule, ...], tally: dict[str, np.ndarray]
                   ) -> pd.DataFrame:
    """The overall table from :func:`_tally`'s columns."""
    n = len(ids)
    counts = {f"n_{name}": tally[f"n_{name}"] for name, _ in _CODES}
    readiness = np.where(counts["n_fail"] > 0, 0, np.where(
        counts["n_unknown"] > 0, 1, np.where(counts["n_committed"] > 0, 2, 3)))
    # failing required rule ids as text, built per distinct combination
    req_ids = [rule.id for rule in rules if rule.required]
    if len(req_ids):
        uniq, inv = np.unique(tally["key"], return_inverse=True)
        text = pa.array([FAILING_SEP.join(rid for k, rid in enumerate(req_ids) if int(u) >> k & 1)
                         for u in uniq], type=pa.large_string())
        failing = text.take(pa.array(inv.ravel()))  # Arrow text, no Python string per parcel
    else:
        failing = pa.array(np.full(n, "", dtype=object), type=pa.large_string())
    return pd.DataFrame({
        "parcel_id": ids.to_numpy(),
        "readiness": pd.Categorical.from_codes(
            readiness, dtype=pd.CategoricalDtype(pd.Index(OVERALL_STATUSES, dtype="str"))),
        **counts,
        "n_advisory_fail": tally["n_advisory_fail"],
        "failing_rules": pd.array(failing, dtype="str"),
        "total_cost": tally["total_cost"],
        "uncosted_rules": tally["uncosted_rules"],
    })
