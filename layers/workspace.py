"""The workspace: a folder with a ``workspace.toml`` manifest naming layers, tables, rasters, rules.

See docs/workspace.md. Every layer is optional; a file the manifest names but
that does not exist is a :class:`WorkspaceError`. Layers are read through
:mod:`gis.io`, normalised to the catalogue, and returned in the workspace's
metric analysis CRS. Every change goes through :meth:`Workspace.writing`
(one lock, kept versions, audit trail; see :mod:`layers.transaction`).
"""

from __future__ import annotations

import contextlib
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from gis import io as gio
from gis.crs import metric_crs_for
from gis.digest import file_digest, layer_digest, memo, remember, text_digest
from gis.errors import InputError, PlannerError, WorkspaceError
from layers import layer_cache
from layers.catalog import CATALOG, get_spec
from layers.schema import normalize

if TYPE_CHECKING:
    from layers.access import Actor, Role
    from layers.transaction import WriteTransaction

__all__ = ["CACHE_DIR", "MANIFEST", "Workspace", "to_date"]

MANIFEST = "workspace.toml"
#: Derived results (not user data): ``.devzone/cache`` under the workspace folder.
CACHE_DIR = Path(".devzone") / "cache"
CACHE_KEEP = 8  # cached results kept per kind (readiness, restoration, …); older ones go
DIGESTS = "digests.json"  # in the cache: file digests for the next process (gis.digest.memo)
#: Codes of the reader's notes on features it leaves out of a layer.
DROPPING_NOTES = ("null_geometry_dropped", "wrong_type_dropped")


@dataclass
class Workspace:
    """A loaded workspace manifest; layer data is read on demand and cached by file mtime."""

    root: Path
    name: str = "workspace"
    crs: str | None = None
    layers: dict[str, str] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    rasters: dict[str, str] = field(default_factory=dict)
    ndvi: dict[str, str] = field(default_factory=dict)
    rules: str | None = None
    as_of: date | None = None  # the data's snapshot date: default check date when none given
    _cache: dict[str, tuple[Any, Any]] = field(default_factory=dict, repr=False)
    _digests_stored: dict[Any, str] = field(default_factory=dict, repr=False)
    _notes: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ manifest
    @classmethod
    def load(cls, root: str | Path) -> Workspace:
        """Load ``root/workspace.toml``; check that every file it names exists."""
        root = Path(root)
        manifest = root / MANIFEST if root.is_dir() else root
        if manifest.is_file():
            root = manifest.parent
        else:
            raise WorkspaceError(
                f"No workspace manifest at {manifest}.",
                hint="A workspace is a folder with a workspace.toml; build the demo with "
                "`devzone demo --out DIR`.",
                zh=f"{manifest} 处没有工作区清单。",
                hint_zh="工作区是一个包含 workspace.toml 的文件夹；可用 "
                "`devzone demo --out 目录` 生成示例工作区。",
            )
        try:
            doc = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise WorkspaceError(f"{manifest} is not valid TOML: {exc}.",
                                 zh=f"{manifest} 不是有效的 TOML 文件：{exc}。",
                                 hint_zh="请检查该行的引号、括号和等号。") from exc
        rasters = dict(doc.get("rasters", {}))
        ndvi = rasters.pop("ndvi", {}) or {}
        ws = cls(
            root=root,
            name=str(doc.get("name", root.name)),
            crs=doc.get("crs"),
            layers={k: str(v) for k, v in doc.get("layers", {}).items()},
            tables={k: str(v) for k, v in doc.get("tables", {}).items()},
            rasters={k: str(v) for k, v in rasters.items()},
            ndvi={str(k): str(v) for k, v in ndvi.items()},
            rules=(doc.get("rules") or {}).get("file"),
            as_of=_as_date(doc.get("as_of"), manifest),
        )
        ws._check()
        from layers.transaction import sweep_if_idle

        sweep_if_idle(root)  # temporary files a killed writer left, if nobody writes now
        return ws

    def _check(self) -> None:
        for section, entries in (("layers", self.layers), ("tables", self.tables)):
            for kind, ref in entries.items():
                if kind not in CATALOG:
                    raise WorkspaceError(
                        f"{self.manifest_path}: [{section}] names unknown kind {kind!r}.",
                        hint=f"Known kinds: {', '.join(CATALOG)}.",
                        zh=f"{self.manifest_path}：[{section}] 中的 {kind!r} 不是已知的数据类型。",
                        hint_zh=f"已知类型：{'、'.join(CATALOG)}。",
                    )
                path, _ = self._split(ref)
                self._inside(path, f"[{section}] {kind} = {ref!r}")
                if not path.exists():
                    raise WorkspaceError(
                        f"{self.manifest_path}: [{section}] {kind} = {ref!r}, but {path} "
                        "does not exist.",
                        hint="Fix the path or remove the entry (every layer is optional).",
                        zh=f"{self.manifest_path}：[{section}] {kind} = {ref!r}，"
                        f"但 {path} 不存在。",
                        hint_zh="请修正路径或删除该条目（各图层均为可选）。",
                    )
        ndvi = [(f"ndvi {k}", v) for k, v in self.ndvi.items()]
        for label, ref in [*self.rasters.items(), *ndvi]:
            self._inside(self.root / ref, f"raster {label} = {ref!r}")
            if not (self.root / ref).exists():
                raise WorkspaceError(
                    f"{self.manifest_path}: raster {label} = {ref!r}, but {self.root / ref} "
                    "does not exist.",
                    hint="Fix the path or remove the entry.",
                    zh=f"{self.manifest_path}：栅格 {label} = {ref!r}，"
                    f"但 {self.root / ref} 不存在。",
                    hint_zh="请修正路径或删除该条目。",
                )
        if self.rules:
            self._inside(self.root / self.rules, f"[rules] file = {self.rules!r}")
        if self.rules and not (self.root / self.rules).exists():
            raise WorkspaceError(
                f"{self.manifest_path}: [rules] file = {self.rules!r} does not exist.",
                zh=f"{self.manifest_path}：[rules] file = {self.rules!r} 指向的规则文件不存在。",
                hint_zh="请修正路径或删除 [rules] 条目。")

    def _inside(self, path: Path, entry: str) -> None:
        """Refuse a manifest path that resolves outside the workspace folder.

        ``../x.gpkg``, an absolute path and a symbolic link pointing out of the
        folder are all refused: a workspace only ever reads its own files.
        """
        root = self.root.resolve()
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            resolved = None
        if resolved is not None and resolved.is_relative_to(root):
            return
        raise WorkspaceError(
            f"{self.manifest_path}: {entry} points outside the workspace folder {root}.",
            hint="Copy the file into the workspace folder and give its path relative to "
            "workspace.toml (no '..', no absolute path, no link leading out).",
            zh=f"{self.manifest_path}：{entry} 指向工作区文件夹 {root} 之外。",
            hint_zh="请将该文件复制到工作区文件夹内，并填写相对于 workspace.toml 的路径"
            "（不要使用 ..、绝对路径或指向外部的链接）。",
        )

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def to_toml(self) -> str:
        """The manifest as TOML text (stable key order)."""
        import tomli_w

        doc: dict[str, Any] = {"name": self.name}
        if self.crs:
            doc["crs"] = self.crs
        if self.as_of:
            doc["as_of"] = self.as_of
        doc["layers"] = dict(self.layers)
        doc["tables"] = dict(self.tables)
        rasters: dict[str, Any] = dict(self.rasters)
        if self.ndvi:
            rasters["ndvi"] = dict(self.ndvi)
        doc["rasters"] = rasters
        if self.rules:
            doc["rules"] = {"file": self.rules}
        return tomli_w.dumps(doc)

    def _save_manifest(self) -> None:
        """Write ``workspace.toml`` atomically (only inside :meth:`writing`, under the lock)."""
        gio.write_text_atomic(self.manifest_path, self.to_toml())

    # ------------------------------------------------------------------ paths
    def _split(self, ref: str) -> tuple[Path, str | None]:
        path, _, layer = ref.partition(":")
        return self.root / path, (layer or None)

    def has(self, kind: str) -> bool:
        return kind in self.layers or kind in self.tables

    def source(self, kind: str) -> tuple[Path, str | None] | None:
        """File path and layer name of ``kind``, or ``None`` when the workspace has none."""
        ref = self.layers.get(kind) or self.tables.get(kind)
        return self._split(ref) if ref else None

    def raster_path(self, name: str) -> Path | None:
        """Path of a named raster (``dem``, ``coverage_5g``) or ``None``."""
        ref = self.rasters.get(name)
        return self.root / ref if ref else None

    def ndvi_paths(self) -> dict[str, Path]:
        """NDVI rasters by epoch label, in epoch order."""
        return {k: self.root / v for k, v in sorted(self.ndvi.items())}

    @property
    def rules_path(self) -> Path | None:
        return self.root / self.rules if self.rules else None

    # ------------------------------------------------------------------ data
    @property
    def analysis_crs(self) -> str:
        """The metric CRS for analysis: the manifest's, else the Gauss–Krüger zone of the data."""
        if self.crs:
            return self.crs
        for kind in ("parcels", "mines", "zones", *self.layers):
            gdf = self._read_raw(kind)
            if isinstance(gdf, gpd.GeoDataFrame) and len(gdf):
                return metric_crs_for(gdf)
        raise WorkspaceError(
            f"{self.manifest_path} has no crs and no layer to derive one from.",
            hint='Add crs = "EPSG:4547" (CGCS2000 3° GK CM 114°E) to the manifest.',
            zh=f"{self.manifest_path} 未设置 crs，也没有可据以推断坐标系的图层。",
            hint_zh='请在清单中添加 crs = "EPSG:4547"（CGCS2000 3 度带高斯–克吕格，'
            "中央经线 114°E）。",
        )

    def _read_raw(self, kind: str) -> pd.DataFrame | gpd.GeoDataFrame | None:
        src = self.source(kind)
        if src is None:
            return None
        path, layer = src
        stamp = (path.stat().st_mtime_ns if path.exists() else 0, self.crs)
        key = f"raw:{kind}"
        hit = self._cache.get(key)
        if hit and hit[0] == stamp:
            return hit[1]
        spec = get_spec(kind)
        if spec.is_table:
            data: Any = gio.read_table(path, layer=layer)
        else:
            # in the analysis CRS if the manifest names one (the GeoJSON reader then
            # transforms the coordinates as it reads them)
            read = gio.read_vector(path, layer=layer, expect=spec.geometry,
                                   to_crs=self.crs or None)
            data = read.gdf
            self._notes[kind] = [n for n in read.notes if n.code in DROPPING_NOTES]
        data = normalize(kind, data).data
        self._cache[key] = (stamp, data)
        return data

    def dropped(self, kind: str) -> list[Any]:
        """The reader's notes (:class:`gis.io.Note`) on features of layer ``kind`` it left
        out at its last read: without geometry, or of no usable geometry type."""
        return list(self._notes.get(kind, []))

    def invalidate(self, kind: str | None = None) -> None:
        """Forget cached data of ``kind`` (all kinds when ``None``)."""
        if kind is None:
            self._cache.clear()
        else:
            self._cache.pop(f"raw:{kind}", None)
            self._cache.pop(f"layer:{kind}", None)

    def read_required(self, kind: str, *, needed_for: str = "",
                      needed_for_zh: str = "") -> gpd.GeoDataFrame | pd.DataFrame:
        """:meth:`read`, but a missing layer is a :class:`WorkspaceError` naming how to add it.

        ``needed_for`` / ``needed_for_zh`` say what needs the layer ("restoration").
        """
        data = self.read(kind)
        if data is not None:
            return data
        spec = get_spec(kind)
        section = "tables" if spec.is_table else "layers"
        why = f", which {needed_for} needs" if needed_for else ""
        why_zh = f"，{needed_for_zh}需要该图层" if needed_for_zh else ""
        raise WorkspaceError(
            f"{self.manifest_path} names no {kind} layer{why}.",
            hint=f'Add {kind} = "file.gpkg:layer" under [{section}] in workspace.toml.',
            zh=f"{self.manifest_path} 中没有{spec.zh}（{kind}）图层{why_zh}。",
            hint_zh=f'请在 workspace.toml 的 [{section}] 下添加 {kind} = "file.gpkg:layer"。')

    def read(self, kind: str) -> gpd.GeoDataFrame | pd.DataFrame | None:
        """The layer or table ``kind`` normalised to the catalogue (layers in the analysis CRS).

        Returns ``None`` when the workspace has no such layer. The result is a copy:
        callers may modify it freely.
        """
        key = self._layer_key(kind)
        if key is not None:
            stored = self._stored_layer(kind, key)
            if stored is not None:
                return stored.copy()
        data = self._read_raw(kind)
        if data is None:
            return None
        if isinstance(data, gpd.GeoDataFrame):
            crs = self.analysis_crs
            if data.crs is None:
                raise InputError(f"Layer {kind} of {self.root} has no CRS.",
                                 zh=f"{self.root} 中的 {kind} 图层没有坐标系。",
                                 hint_zh="请为该图层补充坐标系（如 .prj 文件）后重新导入。")
            out = data.to_crs(crs) if not data.crs.equals(crs) else data.copy()
            if key is not None and layer_cache.storable(out) \
                    and key == self._layer_key(kind):  # unchanged while it was read
                self._store_layer(kind, key, out)
            return out
        return data.copy()

    def _layer_key(self, kind: str) -> str | None:
        """The key of layer ``kind``'s converted copy (:mod:`layers.layer_cache`), or
        ``None`` (a table, no such layer, no manifest CRS, a file that cannot be keyed)."""
        src = self.source(kind)
        if src is None or not self.crs or get_spec(kind).is_table:
            return None
        return layer_cache.layer_key(src[0], src[1], self.crs)

    def _store_layer(self, kind: str, key: str, gdf: gpd.GeoDataFrame) -> None:
        """Keep ``gdf`` as layer ``kind``'s converted copy under ``key``; a frame Arrow
        cannot convert is simply not kept."""
        import pyarrow as pa

        try:
            data = layer_cache.to_bytes(gdf, self.dropped(kind))
        except (pa.ArrowException, ValueError, TypeError):
            return
        self.write_cache(layer_cache.entry_name(kind, key), data, keep=layer_cache.KEEP)

    def _stored_layer(self, kind: str, key: str) -> gpd.GeoDataFrame | None:
        """Layer ``kind``'s converted copy under ``key`` (kept in memory once read)."""
        hit = self._cache.get(f"layer:{kind}")
        if hit is not None and hit[0] == key:
            return hit[1]
        data = self.read_cache(layer_cache.entry_name(kind, key))
        loaded = layer_cache.from_bytes(data, self.crs or "") if data is not None else None
        if loaded is None:
            return None
        gdf, self._notes[kind] = loaded
        self._cache[f"layer:{kind}"] = (key, gdf)
        return gdf

    # ------------------------------------------------------------------ content digests
    def digest(self, kind: str) -> str | None:
        """Content digest of layer or table ``kind`` (``None`` when the workspace has none).

        A ``file:layer`` entry is digested by that layer's rows alone, so other
        layers of the same GeoPackage do not change it; a plain file by its bytes
        (a Shapefile with its ``.dbf``/``.shx``/``.prj``/``.cpg``).
        """
        src = self.source(kind)
        if src is None:
            return None
        path, layer = src
        if layer is not None:
            return layer_digest(path, layer)
        if path.suffix.lower() == ".shp":
            return text_digest("|".join(file_digest(p) for p in gio.shapefile_parts(path)))
        return file_digest(path)

    def raster_digest(self, name: str) -> str | None:
        """Content digest of raster ``name`` (``None`` when the workspace has none)."""
        path = self.raster_path(name)
        return file_digest(path) if path is not None else None

    def ndvi_digests(self) -> dict[str, str]:
        """Content digest of each NDVI raster, by epoch label."""
        return {epoch: file_digest(p) for epoch, p in self.ndvi_paths().items()}

    # ------------------------------------------------------------------ derived-results cache
    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    def read_cache(self, name: str) -> bytes | None:
        """The bytes of cached result ``name`` or ``None`` (absent or unreadable)."""
        try:
            return (self.cache_dir / name).read_bytes()
        except OSError:
            return None

    def write_cache(self, name: str, data: bytes, *, keep: int = CACHE_KEEP) -> bool:
        """Store a derived result atomically (temp file + rename); ``False`` if it cannot be.

        Not a workspace change: no lock, no version, no audit row. A read-only
        folder or a full disk only means the result is computed again next time.
        Of the files sharing ``name``'s prefix (up to the first ``-``) the newest
        ``keep`` are kept.
        """
        try:
            gio.write_bytes_atomic(self.cache_dir / name, data)
        except (OSError, PlannerError):  # a read-only folder, a full disk
            return False
        prefix = name.split("-", 1)[0] + "-"
        try:
            same = sorted((p for p in self.cache_dir.glob(f"{prefix}*") if p.is_file()),
                          key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in same[keep:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass
        return True

    def recall_digests(self) -> int:
        """Remember the file digests stored by an earlier process (:meth:`store_digests`):
        those of files unchanged since (:func:`gis.digest.remember`). Returns how many."""
        raw = self.read_cache(DIGESTS)
        if raw is None:
            return 0
        try:
            doc = json.loads(raw)
            entries = {(str(e[0]), None if e[1] is None else str(e[1]), int(e[2]), int(e[3]),
                        int(e[4]), int(e[5])): str(e[6])
                       for e in doc["entries"]} if doc.get("format") == 1 else {}
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return 0  # unreadable: digests are computed again (and stored anew)
        self._digests_stored = entries
        return remember(entries)

    def store_digests(self) -> bool:
        """Store the digests of this process's unchanged files in the cache, so that the
        next process (a server restart) need not read every layer again to key its results;
        ``True`` if written (nothing new since the last store: not written)."""
        entries = memo()
        if entries == self._digests_stored:
            return False
        doc = {"format": 1, "entries": [[*k, v] for k, v in sorted(entries.items(), key=str)]}
        if not self.write_cache(DIGESTS, json.dumps(doc, ensure_ascii=False).encode("utf-8")):
            return False
        self._digests_stored = entries
        return True

    @contextlib.contextmanager
    def writing(self, actor: Actor, action: str, *, role: Role,
                note: str = "") -> Iterator[WriteTransaction]:
        """The one way to change the workspace: hold its lock, read, check, write, audit.

        Yields a :class:`layers.transaction.WriteTransaction` whose ``ws`` is
        re-read inside the lock; afterwards this object sees the new manifest and data.
        """
        from layers.transaction import writing

        tx = None
        try:
            with writing(self.root, actor, action, role=role, note=note) as tx:
                yield tx
        finally:
            if tx is not None:
                self.layers, self.tables = dict(tx.ws.layers), dict(tx.ws.tables)
                self.rules = tx.ws.rules
            self.invalidate()


def to_date(value: object) -> date | None:
    """A ``date`` from a date, datetime or ISO text; ``None`` for empty; ``ValueError`` else."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_date(value: object, manifest: Path) -> date | None:
    """The manifest's optional ``as_of`` (TOML date or ISO string)."""
    try:
        return to_date(value)
    except ValueError:
        raise WorkspaceError(f"{manifest}: as_of = {value!r} is not a date.",
                             hint="Use a TOML date such as as_of = 2025-06-30.",
                             zh=f"{manifest}：as_of = {value!r} 不是日期。",
                             hint_zh="请使用 TOML 日期格式，如 as_of = 2025-06-30。") from None
