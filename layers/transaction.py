"""One writer at a time: the workspace write transaction, its audit trail and kept versions.

Every change to a workspace (import, replace, inspection, rulebook save, restore)
runs inside :func:`writing`. It holds the workspace's one lock file
(``.devzone/lock``, the same for the CLI and the app, for layers, tables and the
rulebook), re-reads the manifest, and lets the caller read, check and write the
current data under that lock. Each write keeps the previous version of what it
changes (``.devzone/versions/<layer>/<N>.parquet``, ``<N>.toml`` for the
rulebook, with ``<N>.json`` describing it) and appends one row to the
append-only audit table ``.devzone/audit.csv``.

A process killed half-way leaves ``.devzone/pending.json``; the next writer (or
loading the workspace) compares the data on disk with it, then either records
the write that landed or drops the version it had kept for a write that did not,
and sweeps the temporary files of interrupted atomic writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import threading
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gis import io as gio
from gis.errors import WorkspaceError
from layers.access import Actor, Role, require
from layers.catalog import get_spec
from layers.workspace import MANIFEST, Workspace

__all__ = [
    "AUDIT_COLUMNS",
    "LOCK_TIMEOUT_S",
    "RULES",
    "STATE_DIR",
    "WriteTransaction",
    "content_hash",
    "current_state",
    "recover",
    "sweep_if_idle",
    "writing",
]

STATE_DIR = ".devzone"
CACHE_SUBDIR = "cache"  # .devzone/cache: derived results (layers.results_cache)
AUDIT_FILE = "audit.csv"
PENDING_FILE = "pending.json"
LOCK_FILE = "lock"
VERSIONS_DIR = "versions"
RULES = "rules"  # the rulebook's name in the audit table and the version store
AUDIT_COLUMNS: tuple[str, ...] = ("time", "user", "action", "layer", "rows_before",
                                  "rows_after", "hash_before", "hash_after", "note")
LOCK_TIMEOUT_S = 120.0
INTERRUPTED_NOTE = "recorded after an interrupted write"

Data: TypeAlias = pd.DataFrame | str


# --------------------------------------------------------------------------- content hash
def _canon(value: Any) -> Any:
    """A JSON value that stands for ``value`` whatever dtype the reader gave it."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, datetime | date | np.datetime64):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, BaseGeometry):
        return shapely.to_wkb(value, hex=True, byte_order=1)
    return str(value)


def content_hash(data: Data | None) -> str:
    """SHA-256 of the content: column names, then each column's values in row order.

    Independent of the file's bytes and of the dtype a reader chose (``3`` and
    ``3.0`` are equal; dates are ISO text; geometries are little-endian WKB).
    Text (the rulebook) is hashed as UTF-8. ``""`` for no data.
    """
    if data is None:
        return ""
    digest = hashlib.sha256()
    if isinstance(data, str):
        digest.update(data.encode("utf-8"))
        return digest.hexdigest()
    geom = (data.geometry.name if isinstance(data, gpd.GeoDataFrame)
            and data.geometry.name in data.columns else None)
    digest.update(json.dumps([str(c) for c in data.columns], ensure_ascii=False).encode())
    for col in data.columns:
        series = data[col]
        if col == geom:
            values = shapely.to_wkb(np.asarray(series.array), hex=True, byte_order=1).tolist()
        else:
            values = [_canon(v) for v in series.tolist()]
        digest.update(b"\n")
        digest.update(json.dumps(values, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def _rows(data: Data | None) -> int | None:
    """Rows of a table; rules of a rulebook text; ``None`` for no data."""
    if data is None:
        return None
    if isinstance(data, str):
        try:
            return len(tomllib.loads(data).get("rule", []))
        except tomllib.TOMLDecodeError:
            return None
    return len(data)


# --------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class _Target:
    """Where one layer, table or the rulebook lives: a file and a layer inside it."""

    name: str           # layer kind, or RULES
    path: Path          # the container file
    layer: str | None   # layer inside a GeoPackage
    text: bool = False  # the rulebook (TOML text)

    @property
    def is_gpkg(self) -> bool:
        return self.path.suffix.lower() == ".gpkg"

    def read(self) -> Data | None:
        """The stored content as the file holds it (no normalisation), or ``None``."""
        import pyogrio
        from pyogrio.errors import DataLayerError

        if not self.path.exists():
            return None
        if self.text:
            return self.path.read_text(encoding="utf-8")
        try:
            return pyogrio.read_dataframe(self.path, layer=self.layer)
        except DataLayerError:
            if self.is_gpkg and self.layer not in {r[0] for r in pyogrio.list_layers(self.path)}:
                return None  # a GeoPackage without this layer yet
            raise

    def write(self, data: Data, *, append: bool = False) -> None:
        """Write atomically (temporary file renamed into place)."""
        if isinstance(data, str):
            gio.write_text_atomic(self.path, data)
        else:
            gio.write_layer_atomic(data, self.path, layer=self.layer or self.name, append=append)

    def record(self, root: Path) -> dict[str, Any]:
        return {"layer": self.name, "path": self.path.relative_to(root).as_posix(),
                "gpkg_layer": self.layer, "text": self.text}

    @classmethod
    def from_record(cls, root: Path, rec: dict[str, Any]) -> _Target:
        return cls(rec["layer"], root / rec["path"], rec.get("gpkg_layer"),
                   bool(rec.get("text")))


def _gpkg_layer(path: Path, layer: str | None, kind: str) -> str | None:
    """The layer to use in ``path``: the named one, a GeoPackage's only layer, or ``kind``."""
    if layer or path.suffix.lower() != ".gpkg":
        return layer
    if path.exists():
        import pyogrio

        names = [r[0] for r in pyogrio.list_layers(path)]
        if len(names) == 1:
            return str(names[0])
    return kind


def _target_of(ws: Workspace, name: str) -> tuple[_Target, dict[str, str] | None]:
    """Where ``name`` lives, and the manifest entry to add when it is not there yet."""
    if name == RULES:
        ref = ws.rules or "rules.toml"
        change = None if ws.rules else {"section": RULES, "kind": RULES, "ref": ref}
        return _Target(RULES, ws.root / ref, None, text=True), change
    src = ws.source(name)
    change = None
    if src is None:
        ref = f"layers.gpkg:{name}"
        section = "tables" if get_spec(name).is_table else "layers"
        change = {"section": section, "kind": name, "ref": ref}
        src = ws._split(ref)
    path, layer = src
    return _Target(name, path, _gpkg_layer(path, layer, name)), change


def current_state(ws: Workspace, name: str) -> tuple[int | None, str]:
    """Rows (rules of the rulebook) and content hash of ``name`` as stored now."""
    target, change = _target_of(ws, name)
    data = None if change else target.read()
    return _rows(data), content_hash(data)


# --------------------------------------------------------------------------- store paths
def state_dir(root: Path) -> Path:
    return Path(root) / STATE_DIR


def audit_path(root: Path) -> Path:
    return state_dir(root) / AUDIT_FILE


def versions_dir(root: Path, name: str) -> Path:
    return state_dir(root) / VERSIONS_DIR / name


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _next_version(root: Path, name: str) -> int:
    folder = versions_dir(root, name)
    numbers = [int(p.stem) for p in folder.glob("*") if p.stem.isdigit()] \
        if folder.is_dir() else []
    return max(numbers, default=0) + 1


def _version_files(root: Path, name: str, number: int) -> list[Path]:
    folder = versions_dir(root, name)
    return [folder / f"{number}{ext}" for ext in (".parquet", ".toml", ".json")]


def _save_version(root: Path, target: _Target, number: int, data: Data,
                  meta: dict[str, Any]) -> None:
    """Keep ``data`` as version ``number`` of ``target`` (data file first, then its JSON)."""
    folder = versions_dir(root, target.name)
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        gio.write_text_atomic(folder / f"{number}.toml", data)
        fmt = "toml"
    else:
        buf = io.BytesIO()
        data.to_parquet(buf, index=False)
        gio.write_bytes_atomic(folder / f"{number}.parquet", buf.getvalue())
        fmt = "parquet"
    meta = {**meta, "version": number, "format": fmt,
            "geo": isinstance(data, gpd.GeoDataFrame), **target.record(root)}
    gio.write_text_atomic(folder / f"{number}.json",
                          json.dumps(meta, ensure_ascii=False, indent=1))


def _drop_version(root: Path, name: str, number: int) -> None:
    for path in _version_files(root, name, number):
        for leftover in [path, *gio.stale_temp_files(path)]:
            leftover.unlink(missing_ok=True)


# --------------------------------------------------------------------------- audit table
def _audit_line(row: dict[str, Any]) -> str:
    return gio.csv_line(["" if row.get(c) is None
                         else str(row[c]).replace("\r", " ").replace("\n", " ")
                         for c in AUDIT_COLUMNS])


def _append_audit(root: Path, row: dict[str, Any]) -> None:
    path = audit_path(root)
    if not path.exists() or path.stat().st_size == 0:
        gio.append_line_durable(path, _audit_line(dict(zip(AUDIT_COLUMNS, AUDIT_COLUMNS,
                                                           strict=True))), bom=True)
    gio.append_line_durable(path, _audit_line(row))


def _repair_audit_tail(root: Path) -> None:
    """Cut a last line that a killed process left unfinished (no newline)."""
    path = audit_path(root)
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) == b"\n":
            return
        fh.seek(0)
        data = fh.read()
        fh.truncate(data.rfind(b"\n") + 1)
        fh.flush()
        os.fsync(fh.fileno())


def _audit_row(rec: dict[str, Any], after: Data | None, note: str) -> dict[str, Any]:
    return {"time": rec["time"], "user": rec["user"], "action": rec["action"],
            "layer": rec["layer"], "rows_before": rec["rows_before"], "rows_after": _rows(after),
            "hash_before": rec["hash_before"], "hash_after": content_hash(after), "note": note}


# --------------------------------------------------------------------------- recovery
def _pending_path(root: Path) -> Path:
    return state_dir(root) / PENDING_FILE


def _apply_manifest_change(ws: Workspace, change: dict[str, str]) -> None:
    section = change["section"]
    if section == RULES:
        ws.rules = change["ref"]
    else:
        getattr(ws, section)[change["kind"]] = change["ref"]
    ws._save_manifest()


def _manifest_files(root: Path) -> list[Path]:
    """The files the manifest names (for sweeping), read leniently."""
    try:
        doc = tomllib.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    refs = [*doc.get("layers", {}).values(), *doc.get("tables", {}).values()]
    rules = (doc.get("rules") or {}).get("file")
    paths = [root / str(r).partition(":")[0] for r in refs if isinstance(r, str)]
    if isinstance(rules, str):
        paths.append(root / rules)
    return paths


def _stale_files(root: Path, extra: list[Path] | None = None) -> list[Path]:
    """Temporary files of interrupted atomic writes of the workspace's files."""
    state = state_dir(root)
    files = {root / MANIFEST, *_manifest_files(root), _pending_path(root), audit_path(root),
             *(extra or [])}
    if state.is_dir():
        # not the derived-results cache: its writers hold no lock (their temp files are theirs)
        files.update(p for p in state.rglob("*") if p.is_file() and not p.name.startswith(".")
                     and p.relative_to(state).parts[0] != CACHE_SUBDIR)
    return sorted({tmp for path in files for tmp in gio.stale_temp_files(path)})


def _sweep(root: Path, extra: list[Path] | None = None) -> list[Path]:
    """Delete the temporary files of interrupted atomic writes; return them."""
    swept = _stale_files(root, extra)
    for tmp in swept:
        tmp.unlink(missing_ok=True)
    return swept


def recover(root: str | Path) -> None:
    """Finish what a killed writer left (call with the workspace lock held).

    If ``pending.json`` exists, the data on disk decides: unchanged since the
    write began → the version it had kept is dropped; changed → the write landed
    and its audit row (and manifest entry) is completed. Then temporary files are
    swept and an unfinished last audit line is cut.
    """
    root = Path(root)
    _repair_audit_tail(root)
    pending = _pending_path(root)
    extra: list[Path] = []
    if pending.exists():
        try:
            rec = json.loads(pending.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            rec = None
        if rec:
            target = _Target.from_record(root, rec)
            extra.append(target.path)
            current = target.read()
            if content_hash(current) == rec["hash_before"]:
                if rec.get("version"):
                    _drop_version(root, rec["layer"], int(rec["version"]))
            else:
                if rec.get("manifest"):
                    _apply_manifest_change(Workspace.load(root), rec["manifest"])
                note = "; ".join(n for n in (rec.get("note"), INTERRUPTED_NOTE) if n)
                _append_audit(root, _audit_row(rec, current, note))
        pending.unlink(missing_ok=True)
    _sweep(root, extra)


def _needs_recovery(root: Path) -> bool:
    if _pending_path(root).exists():
        return True
    audit = audit_path(root)
    if audit.exists() and audit.stat().st_size:
        with open(audit, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                return True
    return bool(_stale_files(root))


def sweep_if_idle(root: str | Path) -> bool:
    """At start-up: recover and sweep if a killed writer left something and nobody writes now.

    Never waits: when another process holds the lock, it will do this itself.
    Returns True when something was cleaned up. Read-only folders are left alone.
    """
    root = Path(root)
    try:
        if not _needs_recovery(root):
            return False
        with gio.exclusive_lock(state_dir(root) / LOCK_FILE, timeout=0,
                                holder=f"pid {os.getpid()} · start-up sweep"):
            recover(root)
        return True
    except (OSError, TimeoutError):
        return False


# --------------------------------------------------------------------------- transaction
_HELD = threading.local()


class WriteTransaction:
    """What a caller may do while it holds the workspace lock.

    ``ws`` is the workspace as it is now (manifest re-read inside the lock).
    Each of :meth:`replace`, :meth:`append`, :meth:`save_rules` and :meth:`restore`
    keeps the previous version, writes atomically and appends one audit row.
    """

    def __init__(self, root: Path, actor: Actor, action: str, note: str) -> None:
        self.root = root
        self.actor = actor
        self.action = action
        self.note = note
        self.ws = Workspace.load(root)
        self.rows: list[dict[str, Any]] = []  # audit rows written by this transaction

    # ------------------------------------------------------------------ reading
    def read(self, kind: str) -> pd.DataFrame | None:
        """The current layer or table ``kind``, normalised (layers in the analysis CRS)."""
        return self.ws.read(kind)

    def _target(self, kind: str) -> tuple[_Target, dict[str, str] | None]:
        return _target_of(self.ws, kind)

    # ------------------------------------------------------------------ writing
    def replace(self, kind: str, data: pd.DataFrame) -> dict[str, Any]:
        """Write ``data`` (normalised and checked) as the whole layer or table ``kind``."""
        target, change = self._target(kind)
        return self._change(target, lambda _before: target.write(data), change)

    def append(self, kind: str, rows: pd.DataFrame) -> dict[str, Any]:
        """Add ``rows`` after the existing ones, which stay as they are.

        Columns the stored table lacks are added (empty for the old rows); then
        the table is rewritten whole, still atomically and under the lock.
        """
        target, change = self._target(kind)

        def write(before: Data | None) -> None:
            if before is None:
                target.write(rows)
                return
            assert isinstance(before, pd.DataFrame)
            stored = set(before.columns)
            if target.is_gpkg and set(rows.columns) <= stored:
                new = rows
                if isinstance(rows, gpd.GeoDataFrame) and isinstance(before, gpd.GeoDataFrame) \
                        and before.crs is not None and rows.crs is not None:
                    new = rows.to_crs(before.crs)
                target.write(new, append=True)
            else:
                target.write(_concat(before, rows))

        return self._change(target, write, change)

    def save_rules(self, text: str) -> dict[str, Any]:
        """Write the rulebook ``text`` (``rules.toml``, added to the manifest if it has none)."""
        target, change = self._target(RULES)
        return self._change(target, lambda _before: target.write(text), change)

    def restore(self, name: str, data: Data, meta: dict[str, Any]) -> dict[str, Any]:
        """Write a kept version back where it came from (the manifest's place if it moved)."""
        if name == RULES:
            return self.save_rules(str(data))
        if self.ws.has(name):
            target, change = self._target(name)
        else:
            target, change = _Target.from_record(self.root, meta), {
                "section": "tables" if get_spec(name).is_table else "layers", "kind": name,
                "ref": f"{meta['path']}:{meta['gpkg_layer']}" if meta.get("gpkg_layer")
                else str(meta["path"])}
        return self._change(target, lambda _before: target.write(data), change)

    def _change(self, target: _Target, write: Callable[[Data | None], None],
                change: dict[str, str] | None) -> dict[str, Any]:
        root = self.root
        before = target.read()
        number = _next_version(root, target.name) if before is not None else None
        rec = {**target.record(root), "version": number, "time": _now(),
               "user": self.actor.name, "action": self.action, "note": self.note,
               "rows_before": _rows(before), "hash_before": content_hash(before),
               "manifest": change}
        gio.write_text_atomic(_pending_path(root), json.dumps(rec, ensure_ascii=False))
        try:
            if number is not None:
                _save_version(root, target, number, before, {
                    "rows": rec["rows_before"], "hash": rec["hash_before"],
                    "kept_at": rec["time"], "user": rec["user"], "action": rec["action"],
                    "note": rec["note"]})
            write(before)
            if change:
                _apply_manifest_change(self.ws, change)
            after = target.read()
            row = _audit_row(rec, after, self.note)
            _append_audit(root, row)
            _pending_path(root).unlink()
        except BaseException:
            recover(root)  # the data on disk decides what is kept and recorded
            raise
        self.ws.invalidate(target.name)
        self.rows.append(row)
        return row


def _concat(before: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The stored rows then the new ones; columns of either, missing values empty."""
    if isinstance(before, gpd.GeoDataFrame) and isinstance(rows, gpd.GeoDataFrame):
        if before.crs is not None and rows.crs is not None:
            rows = rows.to_crs(before.crs)
        rows = rows.rename_geometry(before.geometry.name) \
            if rows.geometry.name != before.geometry.name else rows
    geom = before.geometry.name if isinstance(before, gpd.GeoDataFrame) else None
    out = pd.concat([before, rows], ignore_index=True)
    for col in out.columns:
        if out[col].dtype == object and col != geom:
            kinds = {type(v) for v in out[col].dropna()}
            if len(kinds) > 1 and not all(issubclass(k, BaseGeometry) for k in kinds):
                out[col] = out[col].map(lambda v: v if v is None or pd.isna(v) else str(v))
    if isinstance(before, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=before.geometry.name, crs=before.crs)
    return out


@contextlib.contextmanager
def writing(root: str | Path, actor: Actor, action: str, *, role: Role,
            note: str = "") -> Iterator[WriteTransaction]:
    """Hold the workspace lock for one read-check-write; yield a :class:`WriteTransaction`.

    ``role`` is checked again here, so no write can skip the role check.
    Waits up to :data:`LOCK_TIMEOUT_S` for another writer, then raises
    :class:`~gis.errors.WorkspaceError`. Before yielding, whatever a killed
    writer left is recovered (:func:`recover`).
    """
    root = Path(root).resolve()
    require(actor, role, action)
    held: set[Path] = getattr(_HELD, "roots", set())
    if root in held:
        raise RuntimeError(f"nested write transaction on {root}")
    state = state_dir(root)
    holder = f"pid {os.getpid()} · {actor.name} · {action} · since {_now()}"
    stack = contextlib.ExitStack()
    try:
        state.mkdir(exist_ok=True)
        stack.enter_context(gio.exclusive_lock(state / LOCK_FILE, timeout=LOCK_TIMEOUT_S,
                                               holder=holder))
    except TimeoutError as exc:
        raise WorkspaceError(
            f"The workspace {root} is busy: another write ({exc}) has held its lock for more "
            f"than {LOCK_TIMEOUT_S:.0f} s.",
            hint="Try again in a moment; the lock is released when that write ends.",
            zh=f"工作区 {root} 正忙：另一项写入（{exc}）已占用写锁超过 {LOCK_TIMEOUT_S:.0f} 秒。",
            hint_zh="请稍后重试；该写入结束后写锁即释放。") from None
    except OSError as exc:
        raise WorkspaceError(
            f"Cannot write to the workspace {root}: {exc.strerror or exc}.",
            hint="Check that the folder exists and that you may write to it.",
            zh=f"无法写入工作区 {root}：{exc.strerror or exc}。",
            hint_zh="请确认该文件夹存在且有写入权限。") from exc
    held.add(root)
    _HELD.roots = held
    with stack:
        try:
            recover(root)
            yield WriteTransaction(root, actor, action, note)
        finally:
            held.discard(root)
