"""Shared plumbing of rule evaluation: status codes, message catalogues, chunks, rule outputs."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gis.nearest import outline
from layers.catalog import CATALOG
from layers.labels import VALUE_LABELS
from layers.readiness.rulebook import Filter, Rule

__all__ = [
    "COMMITTED",
    "FAIL",
    "PASS",
    "STATUSES",
    "UNKNOWN",
    "Chunk",
    "Evaluator",
    "Messages",
    "RuleOutput",
    "filter_frame",
    "filter_text",
    "filter_text_zh",
    "layer_names",
]

PASS, FAIL, UNKNOWN, COMMITTED = 0, 1, 2, 3
STATUSES: tuple[str, ...] = ("pass", "fail", "unknown", "committed")


class Messages:
    """A rule's catalogue of (zh, en) messages; rows refer to them by integer code."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self._codes: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def code(self, zh: str, en: str) -> int:
        """The code of a message, adding it on first use (thread-safe)."""
        key = (zh, en)
        with self._lock:
            c = self._codes.get(key)
            if c is None:
                c = self._codes[key] = len(self.items)
                self.items.append(key)
            return c


@dataclass
class RuleOutput:
    """One rule's outcome for the parcels of a chunk (arrays aligned with the chunk)."""

    status: np.ndarray
    value: np.ndarray
    threshold: np.ndarray
    gap: np.ndarray
    cost: np.ndarray
    msg: np.ndarray
    base_threshold: float = np.nan  # the threshold of a parcel nothing was measured for

    @classmethod
    def empty(cls, n: int, *, threshold: float = np.nan) -> RuleOutput:
        return cls(
            status=np.full(n, UNKNOWN, dtype=np.int8),
            value=np.full(n, np.nan),
            threshold=np.full(n, threshold, dtype=np.float64),
            gap=np.full(n, np.nan),
            cost=np.full(n, np.nan),
            msg=np.zeros(n, dtype=np.int32),
            base_threshold=threshold,
        )

    def spread(self, n: int, at: np.ndarray) -> RuleOutput:
        """This output (of the parcels ``at`` of a chunk of ``n``) placed in an output for
        all ``n``; the others are as :meth:`empty` leaves them."""
        out = RuleOutput.empty(n, threshold=self.base_threshold)
        out.status[at], out.value[at], out.threshold[at] = self.status, self.value, self.threshold
        out.gap[at], out.cost[at], out.msg[at] = self.gap, self.cost, self.msg
        return out

    def set(self, mask: np.ndarray, status: int, msg: int) -> None:
        self.status[mask] = status
        self.msg[mask] = msg


@dataclass
class Chunk:
    """A run of consecutive parcels evaluated together (its rules in one or more groups,
    on one thread each)."""

    pos: np.ndarray                    # positions in the evaluated parcel table
    geoms: np.ndarray                  # shapely geometries (analysis CRS)
    attrs: pd.DataFrame                # parcel attributes (no geometry), same order
    has_geom: np.ndarray               # False for missing/empty geometries
    bounds: tuple[float, float, float, float]
    cache: dict[Any, Any] = field(default_factory=dict)  # keyed by str or tuple
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __len__(self) -> int:
        return len(self.pos)

    def shared(self, key: Any, make: Any) -> Any:
        """``cache[key]``, made by ``make()`` once: a thread asking while another makes it
        waits for that one rather than making it again."""
        if key not in self.cache:
            with self._lock:
                if key not in self.cache:
                    self.cache[key] = make()
        return self.cache[key]

    def envelopes(self) -> np.ndarray:
        """``shapely.bounds`` of each parcel (NaN rows for missing or empty ones)."""
        return self.shared("envelopes", lambda: shapely.bounds(self.geoms))

    def outlines(self) -> np.ndarray:
        """Each parcel's boundary (a polygon's distance to what lies outside it)."""
        return self.shared("outlines", lambda: outline(self.geoms))

    def areas(self) -> np.ndarray:
        """Each parcel's area in m² (NaN for a missing geometry)."""
        return self.shared("areas", lambda: shapely.area(self.geoms))

    def subset(self, at: np.ndarray) -> Chunk:
        """The parcels ``at`` (positions in this chunk) as a chunk of their own."""
        g, hg = self.geoms[at], self.has_geom[at]
        bounds = (0.0, 0.0, 0.0, 0.0)
        if hg.any():
            x0, y0, x1, y1 = shapely.total_bounds(g[hg])
            bounds = (float(x0), float(y0), float(x1), float(y1))
        cache = {k: self.cache[k][at] for k in ("envelopes", "outlines", "areas")
                 if k in self.cache}
        return Chunk(pos=self.pos[at], geoms=g, attrs=self.attrs.iloc[at].reset_index(drop=True),
                     has_geom=hg, bounds=bounds, cache=cache)


class Evaluator:
    """Base class: prepares a rule once (main thread), then evaluates chunk after chunk."""

    unit: str = ""
    #: whether a ``when`` may leave the parcels it does not apply to unmeasured: false for
    #: cheap rules and for those whose threshold varies from parcel to parcel (the
    #: threshold of a parcel the rule does not apply to is still the measured one)
    subset_when: bool = True

    def __init__(self, rule: Rule, inputs: Any, as_of: date) -> None:
        self.rule = rule
        self.inputs = inputs
        self.as_of = as_of
        self.messages = Messages()
        self.msg_no_geom = self.messages.code("地块无几何图形", "the parcel has no geometry")

    def run(self, chunk: Chunk) -> RuleOutput:  # pragma: no cover - abstract
        raise NotImplementedError

    def evaluate(self, chunk: Chunk) -> RuleOutput:
        """:meth:`run`, then the rule's ``when``: a parcel it does not apply to passes as
        "not applicable"; a missing ``when`` column or value makes the parcel ``unknown``.

        With a ``when``, only the parcels it applies to are measured (as a sub-chunk,
        shared by the rules with the same ``when``) unless :attr:`subset_when` is false.
        """
        flt = self.rule.when
        if not flt:
            return self.run(chunk)
        cond, cond_zh = filter_text(flt), filter_text_zh(flt)
        missing = [c for c in flt if c not in chunk.attrs.columns]
        if missing:
            col = missing[0]
            empty = RuleOutput.empty(len(chunk))
            empty.msg[:] = self.messages.code(
                f"地块图层缺少字段 {col}，无法判断本规则是否适用（适用于：{cond_zh}）",
                f"the parcels layer has no column {col!r}, so whether this rule applies "
                f"({cond}) is unknown")
            return empty
        sub, _ = filter_frame(chunk.attrs, flt)
        applies = np.zeros(len(chunk), dtype=bool)
        assert sub is not None  # every column is present
        applies[chunk.attrs.index.get_indexer(sub.index)] = True
        if applies.all() or not self.subset_when:
            out = self.run(chunk)
        else:
            key = ("when", tuple((k, tuple(v)) for k, v in flt.items()))

            def split() -> tuple[np.ndarray, Chunk]:
                at = np.flatnonzero(applies)
                return at, chunk.subset(at)

            at, part = chunk.shared(key, split)
            out = self.run(part).spread(len(chunk), at)
        blank = np.zeros(len(chunk), dtype=bool)
        for col in flt:
            text = chunk.attrs[col].astype("string").str.strip()
            blank |= (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
        skip = ~applies & ~blank
        out.set(skip, PASS, self.messages.code(f"不适用：本规则仅适用于{cond_zh}的地块",
                                               f"not applicable: the rule applies only to "
                                               f"parcels with {cond}"))
        out.value[skip] = np.nan
        out.gap[skip] = 0.0
        out.cost[skip] = np.nan
        unknown = ~applies & blank
        col = next(iter(flt))
        out.set(unknown, UNKNOWN, self.messages.code(
            f"地块缺少字段 {col} 的值，无法判断本规则是否适用（适用于：{cond_zh}）",
            f"the parcel has no {col!r} value, so whether this rule applies ({cond}) "
            "is unknown"))
        out.value[unknown] = np.nan
        out.gap[unknown] = np.nan
        out.cost[unknown] = np.nan
        return out

    def unknown_all(self, chunk: Chunk, zh: str, en: str) -> RuleOutput:
        out = RuleOutput.empty(len(chunk))
        out.msg[:] = self.messages.code(zh, en)
        return out


def layer_names(kind: str) -> tuple[str, str]:
    """Chinese and English name of a layer kind, e.g. ``("道路", "roads")``."""
    spec = CATALOG.get(kind)
    return (spec.zh, spec.en.lower()) if spec else (kind, kind)


def filter_text(flt: Filter) -> str:
    """A filter as short text: ``status=existing, kind=main/branch``."""
    return ", ".join(f"{k}={'/'.join(str(v) for v in vals)}" for k, vals in flt.items())


_VALUE_GROUPS: dict[str, tuple[str, ...]] = {
    "status": ("infra_status", "assessment_status"),
    "stage": ("stage",),
    "kind": ("water_kind", "power_kind", "constraint_kind", "zone_kind", "assessment_kind"),
    "industry": ("industry",),
}


def filter_text_zh(flt: Filter) -> str:
    """A filter in Chinese words for messages: ``现状；干管/支管`` (codes where no label exists)."""
    parts = []
    for col, vals in flt.items():
        words = []
        for v in vals:
            pair = next((VALUE_LABELS[g][str(v)] for g in _VALUE_GROUPS.get(col, ())
                         if str(v) in VALUE_LABELS.get(g, {})), None)
            words.append(pair[0] if pair else None)
        if all(words):
            parts.append("/".join(words))  # type: ignore[arg-type]
        else:
            parts.append(f"{col}={'/'.join(str(v) for v in vals)}")
    return "；".join(parts)


def filter_frame(df: pd.DataFrame, flt: Mapping[str, tuple]) -> tuple[pd.DataFrame | None, str]:
    """Rows of ``df`` matching a structured filter; ``(None, column)`` if a column is absent."""
    mask = np.ones(len(df), dtype=bool)
    for col, values in flt.items():
        if col not in df.columns:
            return None, col
        s = df[col]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            m = s.isin(list(values))
        else:
            m = s.astype("string").str.strip().isin([str(v) for v in values])
        mask &= m.to_numpy(dtype=bool, na_value=False)
    return df[mask], ""
