"""A workspace the way city data arrives, for the benchmarks (not a benchmark itself).

From a ``devzone demo --parcels N`` workspace: every vector layer in CGCS2000
geographic degrees (EPSG:4490) — the parcels as GeoJSON, roads and constraints as
GBK-encoded Shapefiles, the other layers in a GeoPackage — and the rasters in the
analysis CRS (EPSG:4547, projected metres, as a survey bureau delivers them), with a
workspace.toml naming them. ``--raster-crs EPSG:32649`` warps the rasters into a third
CRS instead: the engine then reports the raster rules as unknown and asks for
``gdalwarp`` (it reads rasters window by window in the analysis CRS only).

Usage::

    .venv/bin/python bench/citylike.py /tmp/demo_100000 /tmp/city_100000
    .venv/bin/python bench/citylike.py /tmp/demo_100000 /tmp/city_utm --raster-crs EPSG:32649
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

GEOGRAPHIC = "EPSG:4490"
SHAPEFILES = ("roads", "constraints")  # GBK Shapefiles, as county bureaus still send them


def _vectors(src: Path, dst: Path, manifest: dict) -> dict[str, str]:
    import pyogrio

    refs = {}
    for kind, ref in manifest.get("layers", {}).items():
        path, _, layer = ref.partition(":")
        gdf = pyogrio.read_dataframe(src / path, layer=layer or None, use_arrow=True)
        gdf = gdf.to_crs(GEOGRAPHIC)
        if kind == "parcels":
            pyogrio.write_dataframe(gdf, dst / "parcels.geojson", driver="GeoJSON",
                                    use_arrow=True)
            refs[kind] = "parcels.geojson"
        elif kind in SHAPEFILES:
            folder = dst / "shp"
            folder.mkdir(exist_ok=True)
            pyogrio.write_dataframe(gdf, folder / f"{kind}.shp", encoding="GBK")
            refs[kind] = f"shp/{kind}.shp"
        else:
            pyogrio.write_dataframe(gdf, dst / "layers_4490.gpkg", layer=kind, use_arrow=True)
            refs[kind] = f"layers_4490.gpkg:{kind}"
    return refs


def _tables(src: Path, dst: Path, manifest: dict) -> dict[str, str]:
    import pyogrio

    refs = {}
    for kind, ref in manifest.get("tables", {}).items():
        path, _, layer = ref.partition(":")
        df = pyogrio.read_dataframe(src / path, layer=layer or None, read_geometry=False)
        pyogrio.write_dataframe(df, dst / "tables.gpkg", layer=kind)
        refs[kind] = f"tables.gpkg:{kind}"
    return refs


def _warp(src: Path, dst: Path, crs: str) -> None:
    """``src`` reprojected to ``crs`` (bilinear)."""
    import rasterio
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    with rasterio.open(src) as r:
        transform, width, height = calculate_default_transform(
            r.crs, crs, r.width, r.height, *r.bounds)
        profile = {**r.profile, "crs": crs, "transform": transform, "width": width,
                   "height": height, "compress": "deflate"}
        with rasterio.open(dst, "w", **profile) as out:
            for band in range(1, r.count + 1):
                reproject(rasterio.band(r, band), rasterio.band(out, band),
                          resampling=Resampling.bilinear, dst_nodata=r.nodata)


def build_citylike(demo: Path, out: Path, *, rebuild: bool = False,
                   raster_crs: str | None = None) -> Path:
    """Convert the demo workspace ``demo`` into a city-style workspace at ``out``
    (rasters copied, or warped to ``raster_crs``)."""
    import tomli_w

    if (out / "workspace.toml").exists() and not rebuild:
        return out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    manifest = tomllib.loads((demo / "workspace.toml").read_text(encoding="utf-8"))
    layers = _vectors(demo, out, manifest)
    tables = _tables(demo, out, manifest)
    (out / "rasters").mkdir()
    rasters: dict[str, object] = {}
    for name, ref in manifest.get("rasters", {}).items():
        if isinstance(ref, dict):  # NDVI epochs: copied as they are
            rasters[name] = ref
            for path in ref.values():
                shutil.copy(demo / path, out / path)
            continue
        if raster_crs:
            _warp(demo / ref, out / ref, raster_crs)
        else:
            shutil.copy(demo / ref, out / ref)
        rasters[name] = ref
    if "rules" in manifest:
        shutil.copy(demo / manifest["rules"]["file"], out / manifest["rules"]["file"])
    new = {**{k: v for k, v in manifest.items() if k not in ("layers", "tables", "rasters")},
           "name": f"{manifest.get('name', 'demo')} · city-style copy",
           "layers": layers, "tables": tables, "rasters": rasters}
    (out / "workspace.toml").write_text(tomli_w.dumps(new), encoding="utf-8")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    crs = None
    if "--raster-crs" in args:
        i = args.index("--raster-crs")
        crs = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    print(build_citylike(Path(args[0]), Path(args[1]), rebuild=True, raster_crs=crs))
