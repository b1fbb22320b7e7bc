"""Readiness and restoration results kept between runs, keyed by a digest of their inputs.

A result is stored under a key made of the content digests of exactly the
inputs it depends on (see :func:`readiness_key`, :func:`restoration_key`),
plus the check date, the rulebook text or restoration settings, the analysis
CRS and the code's own digest. Any change to one of them gives a new key, so a
stale result is never found; other results keep theirs.

A stored result is one file: a magic line, a JSON header (what the parts are,
where they lie, the CRC-32 of the payload) and Arrow IPC streams of its
tables. Loading checks the checksum first, so a truncated or damaged file is a
:class:`CacheError` (the caller computes afresh), never a wrong result.
Files are read and written through :class:`~layers.workspace.Workspace`
(``read_cache`` / ``write_cache`` in ``.devzone/cache``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import struct
import zlib
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from gis.digest import file_digest, text_digest
from gis.io import Note
from layers.settings import RestorationSettings

if TYPE_CHECKING:
    from layers.readiness import ReadinessResult, Rulebook
    from layers.restoration import RestorationResult
    from layers.workspace import Workspace

__all__ = [
    "CacheError",
    "Deferred",
    "cached_readiness",
    "cached_restoration",
    "code_digest",
    "dump_readiness",
    "dump_restoration",
    "load_readiness",
    "load_restoration",
    "pack_frames",
    "readiness_key",
    "restoration_key",
    "result_key",
    "unpack_frames",
]

log = logging.getLogger("devzone.cache")
MAGIC = b"DEVZONE-RESULT\n"
FORMAT = 1  # bump when the file layout changes
RESTORATION_KINDS = ("mines", "inspections", "tourism_road", "counties", "towns")


class CacheError(ValueError):
    """A cached result that cannot be used (truncated, damaged or of another format)."""


# --------------------------------------------------------------------------- keys
@cache
def code_digest(packages: tuple[str, ...] = ("gis", "layers")) -> str:
    """Digest of the source code of ``packages`` (folders of the project): another version
    of the code never reuses a stored result."""
    root = Path(__file__).resolve().parent.parent
    files = sorted(p for pkg in packages for p in (root / pkg).rglob("*.py"))
    return text_digest("|".join(f"{p.relative_to(root)}={file_digest(p)}" for p in files))


def result_key(parts: Mapping[str, Any], *, packages: tuple[str, ...] = ("gis", "layers")
               ) -> str:
    """The key of a result made from ``parts`` (digests, dates, texts: JSON-able) by the code
    of ``packages``."""
    text = json.dumps({"format": FORMAT, "code": code_digest(packages), **parts},
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def readiness_key(ws: Workspace, rules_text: str, rulebook: Rulebook, as_of: date) -> str:
    """Key of a readiness result: the parcels and the layers, tables and rasters the
    rulebook uses (:meth:`Rulebook.layers_needed`, :meth:`Rulebook.rasters_needed`),
    the rulebook text, the check date and the analysis CRS."""
    return result_key({
        "result": "readiness",
        "layers": {k: ws.digest(k) for k in sorted(rulebook.layers_needed() | {"parcels"})},
        "rasters": {n: ws.raster_digest(n) for n in sorted(rulebook.rasters_needed())},
        "rules": text_digest(rules_text),
        "as_of": as_of.isoformat(),
        "crs": ws.analysis_crs,
    })


def restoration_key(ws: Workspace, as_of: date, settings: RestorationSettings | None = None
                    ) -> str:
    """Key of a restoration result: mines, inspections, tourism road, counties/towns, the
    NDVI rasters, the settings, the date and the analysis CRS."""
    return result_key({
        "result": "restoration",
        "layers": {k: ws.digest(k) for k in RESTORATION_KINDS},
        "ndvi": ws.ndvi_digests(),
        "settings": dataclasses.asdict(settings or RestorationSettings()),
        "as_of": as_of.isoformat(),
        "crs": ws.analysis_crs,
    })


# --------------------------------------------------------------------------- container
def _split_categoricals(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Categorical columns as their integer codes, and each one's categories as a frame.

    A million-row categorical converts to and from Arrow many times slower than its codes.
    """
    cats = {}
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            dtype = frame[c].dtype
            cats[str(c)] = pd.DataFrame({"ordered" if dtype.ordered else "c": dtype.categories})
    if not cats:
        return frame, cats
    frame = frame.copy(deep=False)
    for c in cats:
        frame[c] = frame[c].cat.codes
    return frame, cats


def _join_categoricals(frame: pd.DataFrame, cats: Mapping[str, pd.DataFrame]) -> None:
    for c, categories in cats.items():
        col = categories.columns[0]
        dtype = pd.CategoricalDtype(pd.Index(categories[col]).rename(None),
                                 ordered=col == "ordered")
        codes = frame[c].to_numpy()
        if len(codes) and (codes.min() < -1 or codes.max() >= len(dtype.categories)):
            raise CacheError(f"column {c}: codes outside its categories")
        frame[c] = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def _table(frame: pd.DataFrame) -> tuple[pa.Table, list[str]]:
    """An Arrow table of a frame and the names of its ``object`` columns (restored later)."""
    if isinstance(frame, gpd.GeoDataFrame):
        table = pa.table(frame.to_arrow(index=None, geometry_encoding="WKB"))
        geom = frame.geometry.name
    else:
        table, geom = pa.Table.from_pandas(frame, preserve_index=None), None
    objects = [str(c) for c in frame.columns if c != geom and frame[c].dtype == object]
    return table, objects


def _frame(table: pa.Table, objects: list[str], geo: bool) -> pd.DataFrame:
    frame = gpd.GeoDataFrame.from_arrow(table) if geo else table.to_pandas()
    for c in objects:
        frame[c] = frame[c].astype(object)
    return frame


def pack_frames(kind: str, frames: Mapping[str, pd.DataFrame], meta: Mapping[str, Any]
                ) -> bytes:
    """Frames (GeoDataFrames kept with their CRS) and JSON-able ``meta`` as one stored result.

    Column dtypes, categories and the index come back exactly (:func:`unpack_frames`).
    """
    parts, blobs, offset = [], [], 0
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    for name, whole in frames.items():
        frame, cats = (whole, {}) if isinstance(whole, gpd.GeoDataFrame) \
            else _split_categoricals(whole)
        for piece_name, piece in [(name, frame), *((f"{name}\0{c}", v) for c, v in cats.items())]:
            table, objects = _table(piece)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
                writer.write_table(table)
            blob = sink.getvalue()
            parts.append({"name": piece_name, "offset": offset, "length": blob.size,
                          "objects": objects, "geo": isinstance(piece, gpd.GeoDataFrame)})
            blobs.append(blob)
            offset += blob.size
    crc = 0
    for blob in blobs:
        crc = zlib.crc32(memoryview(blob), crc)
    header = json.dumps({"kind": kind, "format": FORMAT, "parts": parts, "size": offset,
                         "crc32": crc, "meta": meta},
                        ensure_ascii=False).encode("utf-8")
    return b"".join([MAGIC, struct.pack("<Q", len(header)), header,
                     *(memoryview(b) for b in blobs)])


class Deferred:
    """A stored frame decoded when first called (the file's checksum was checked already).

    The caller keeps it until the frame is needed: a large frame (the map's parcels and
    their geometries) then costs nothing to a load that does not use it yet.
    """

    def __init__(self, piece: pa.Buffer, objects: list[str], geo: bool, name: str) -> None:
        self._args: tuple[pa.Buffer, list[str], bool] | None = (piece, objects, geo)
        self._name = name
        self._frame: pd.DataFrame | None = None

    def __call__(self) -> pd.DataFrame:
        if self._args is not None:
            piece, objects, geo = self._args
            try:
                self._frame = _frame(pa.ipc.open_stream(piece).read_all(), objects, geo)
            except (ValueError, KeyError, TypeError, pa.ArrowException) as exc:
                raise CacheError(f"unreadable frame {self._name}: {exc}") from exc
            self._args = None
        assert self._frame is not None
        return self._frame


def unpack_frames(data: bytes, kind: str, *, defer: tuple[str, ...] = ()
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The frames and metadata of a result stored by :func:`pack_frames` as ``kind``;
    :class:`CacheError` if it is not whole or of another kind.

    The frames named in ``defer`` (without categorical columns) come as :class:`Deferred`,
    decoded when called.
    """
    try:
        if not data.startswith(MAGIC):
            raise CacheError("not a cached result")
        start = len(MAGIC) + 8
        (n,) = struct.unpack_from("<Q", data, len(MAGIC))
        header = json.loads(data[start:start + n].decode("utf-8"))
        if header.get("kind") != kind or header.get("format") != FORMAT:
            raise CacheError(f"not a {kind} result of format {FORMAT}")
        body = memoryview(data)[start + n:]
        if len(body) != header["size"]:
            raise CacheError("truncated")
        if zlib.crc32(body) != header["crc32"]:
            raise CacheError("damaged (checksum differs)")
        buf = pa.py_buffer(body)
        frames: dict[str, Any] = {}
        cats: dict[str, dict[str, pd.DataFrame]] = {}
        for part in header["parts"]:
            piece = buf.slice(part["offset"], part["length"])
            name, _, column = part["name"].partition("\0")
            if name in defer:
                if column:
                    raise CacheError(f"frame {name} has categoricals: it cannot be deferred")
                frames[name] = Deferred(piece, part["objects"], part["geo"], name)
                continue
            table = pa.ipc.open_stream(piece).read_all()
            frame = _frame(table, part["objects"], part["geo"])
            if column:
                cats.setdefault(name, {})[column] = frame
            else:
                frames[name] = frame
        for name, columns in cats.items():
            _join_categoricals(frames[name], columns)
        return frames, header["meta"]
    except CacheError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, struct.error, pa.ArrowException) as exc:
        raise CacheError(f"unreadable: {exc}") from exc


# --------------------------------------------------------------------------- results
def dump_readiness(result: ReadinessResult) -> bytes:
    """A readiness result as bytes (long and overall tables and the parcels evaluated)."""
    return pack_frames("readiness", {"long": result.long, "overall": result.overall,
                               "parcels": result.parcels},
                 {"as_of": result.as_of.isoformat()})


def load_readiness(data: bytes, rulebook: Rulebook) -> ReadinessResult:
    """The :class:`ReadinessResult` stored by :func:`dump_readiness` (evaluated with ``rulebook``).

    The status and value matrices are rebuilt from the long table (parcel-major rows).
    """
    from layers.readiness import ReadinessResult

    frames, meta = unpack_frames(data, "readiness")
    long, overall, parcels = frames["long"], frames["overall"], frames["parcels"]
    n, nr = len(overall), len(rulebook.rules)
    if len(long) != n * nr or len(parcels) != n or \
            list(long["rule_id"].iloc[:nr].astype(str)) != [r.id for r in rulebook.rules]:
        raise CacheError("the stored result does not match the rulebook")
    status = np.asarray(long["status"].cat.codes.to_numpy(), dtype=np.int8).reshape(n, nr)
    value = np.asarray(long["value"].to_numpy(dtype=float)).reshape(n, nr)
    return ReadinessResult(long=long, overall=overall, rulebook=rulebook,
                           as_of=date.fromisoformat(meta["as_of"]),
                           parcels=gpd.GeoDataFrame(parcels), status_matrix=status.T,
                           value_matrix=value.T)


def dump_restoration(result: RestorationResult) -> bytes:
    """A restoration result as bytes (sites, ranking, KPI tables, notes, endmembers)."""
    frames = {"sites": result.sites, "ranking": result.ranking,
              **{f"kpi:{k}": v for k, v in result.kpis.items()}}
    meta = {"as_of": result.as_of, "notes": [dataclasses.asdict(n) for n in result.notes],
            "endmembers": {k: list(v) for k, v in result.endmembers.items()}}
    return pack_frames("restoration", frames, meta)


def load_restoration(data: bytes) -> RestorationResult:
    """The :class:`RestorationResult` stored by :func:`dump_restoration`."""
    from layers.restoration import RestorationResult

    frames, meta = unpack_frames(data, "restoration")
    try:
        notes = [Note(**n) for n in meta["notes"]]
        endmembers = {k: (float(v[0]), float(v[1])) for k, v in meta["endmembers"].items()}
        kpis = {k.removeprefix("kpi:"): v for k, v in frames.items() if k.startswith("kpi:")}
        return RestorationResult(sites=gpd.GeoDataFrame(frames["sites"]),
                                 ranking=frames["ranking"], kpis=kpis, notes=notes,
                                 as_of=str(meta["as_of"]), endmembers=endmembers)
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise CacheError(f"unreadable: {exc}") from exc


# --------------------------------------------------------------------------- get or compute
def _cached(ws: Workspace, name: str, key: Callable[[], str], load: Callable[[bytes], Any],
            compute: Callable[[], Any], dump: Callable[[Any], bytes], *,
            store: bool = True) -> Any:
    try:
        file = f"{name}-{key()}.result"
    except Exception:  # an input that cannot be digested: the computation will say why
        log.warning("no cache key for %s in %s", name, ws.root, exc_info=True)
        return compute()
    data = ws.read_cache(file)
    if data is not None:
        try:
            return load(data)
        except CacheError as exc:
            log.warning("ignoring cached %s %s: %s", name, file, exc)
    result = compute()
    if not store:
        return result
    try:
        ws.write_cache(file, dump(result))
    except Exception:  # storing is an optimisation: never fail the result for it
        log.warning("could not store %s %s", name, file, exc_info=True)
    return result


def cached_readiness(ws: Workspace, rules_text: str, as_of: date, *,
                     rulebook: Rulebook | None = None, store: bool = True) -> ReadinessResult:
    """The readiness result of ``ws`` under ``rules_text`` on ``as_of``: stored, else evaluated
    (:func:`layers.readiness.evaluate` over every parcel) and, with ``store``, stored."""
    from layers import readiness as rd

    rules = rulebook if rulebook is not None else rd.load_rulebook(rules_text)
    return _cached(
        ws, "readiness", lambda: readiness_key(ws, rules_text, rules, as_of),
        lambda data: load_readiness(data, rules),
        lambda: rd.evaluate(rd.inputs_from_workspace(ws, rulebook=rules), rules, as_of=as_of),
        dump_readiness, store=store)


def cached_restoration(ws: Workspace, as_of: date, *,
                       settings: RestorationSettings | None = None) -> RestorationResult:
    """The restoration result of ``ws`` on ``as_of``: stored, else evaluated and stored."""
    from layers import restoration as rs

    return _cached(
        ws, "restoration", lambda: restoration_key(ws, as_of, settings), load_restoration,
        lambda: rs.evaluate(rs.inputs_from_workspace(ws), as_of=as_of, settings=settings),
        dump_restoration)
