"""The bad-input corpus: broken and hostile files for `devzone import`, made by code.

Every case writes its file(s) into an empty folder and names the layer kind, the
CLI arguments and the expected outcome:

- ``refused``: exit code 2, one ``error:`` sentence on stderr naming the file and
  what to do, no traceback, the workspace byte-identical afterwards;
- ``accepted``: exit code 0, the features placed inside the expected area, and
  (when the file needed one) the repair reported as a ``note:`` on stderr.

Run ``python tests/hardening/hardening_corpus.py`` to import every case into a
fresh workspace with the real CLI and print the corpus table (markdown).
"""

from __future__ import annotations

import json
import os
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

# where the workspace lies: Changzhi (CGCS2000 lon/lat) and its analysis CRS
WS_CRS = "EPSG:4547"
AREA = (112.6, 35.8, 113.5, 36.6)  # the two counties' bounds
GOOD = shapely.box(113.10, 36.19, 113.11, 36.20)  # a parcel inside a zone
BEIJING = shapely.box(116.40, 39.90, 116.41, 39.91)
SHANGHAI = shapely.box(121.47, 31.23, 121.48, 31.24)


@dataclass(frozen=True)
class Case:
    """One corpus case: what to write, how to import it, what must happen."""

    name: str
    category: str
    kind: str
    build: Callable[[Path], Path]  # writes into a folder, returns the file to import
    outcome: str = "refused"  # "refused" | "accepted"
    args: tuple[str, ...] = ()
    says: tuple[str, ...] = ()  # words the error (refused) or a note (accepted) must contain
    added: int = 0  # accepted: features added to the layer
    lands: tuple[float, float, float, float] = AREA  # accepted: lon/lat box they land in
    subprocess: bool = False  # run as a real `devzone` process (GDAL-risky inputs)
    note: str = ""  # what the case is about, for the table
    extra: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- workspace


def build_workspace(root: Path) -> Path:
    """A tiny workspace near Changzhi: 2 counties, 2 zones, 3 parcels (EPSG:4547)."""
    root.mkdir(parents=True, exist_ok=True)
    gpkg = root / "layers.gpkg"
    counties = gpd.GeoDataFrame(
        {"county": ["西县", "东县"]},
        geometry=[shapely.box(112.6, 35.8, 113.0, 36.6), shapely.box(113.0, 35.8, 113.5, 36.6)],
        crs=4490,
    ).to_crs(WS_CRS)
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1", "Z2"], "name": ["高新区", "经开区"]},
        geometry=[shapely.box(113.05, 36.15, 113.15, 36.25),
                  shapely.box(112.85, 36.30, 112.95, 36.40)],
        crs=4490,
    ).to_crs(WS_CRS)
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P-001", "P-002", "P-003"], "name": ["一号地", "二号地", "三号地"]},
        geometry=[shapely.box(113.06, 36.16, 113.07, 36.17),
                  shapely.box(113.08, 36.16, 113.09, 36.17),
                  shapely.box(112.86, 36.31, 112.87, 36.32)],
        crs=4490,
    ).to_crs(WS_CRS)
    for name, gdf in (("counties", counties), ("zones", zones), ("parcels", parcels)):
        gdf.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
    (root / "workspace.toml").write_text(
        'name = "加固测试"\ncrs = "EPSG:4547"\n\n[layers]\n'
        'counties = "layers.gpkg:counties"\nzones = "layers.gpkg:zones"\n'
        'parcels = "layers.gpkg:parcels"\n',
        encoding="utf-8",
    )
    return root


# --------------------------------------------------------------------------- writers


def _fc(features: list[dict], **extra: object) -> str:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features},
                      ensure_ascii=False, allow_nan=True)


def _feature(geom: dict | None, **props: object) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


def _poly(box: shapely.Polygon) -> dict:
    return json.loads(shapely.to_geojson(box))


def _write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _geojson(name: str, features: list[dict], **extra: object) -> Callable[[Path], Path]:
    return lambda folder: _write(folder, name, _fc(features, **extra))


def _raw(name: str, data: str | bytes) -> Callable[[Path], Path]:
    return lambda folder: _write(folder, name, data)


def _gdf(ids: list[str], geoms: list, crs: object = 4490, **cols: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": ids, **cols}, geometry=geoms, crs=crs)


def _shapefile(folder: Path, name: str, gdf: gpd.GeoDataFrame, *, prj: bool = True,
               encoding: str = "UTF-8") -> Path:
    path = folder / name
    gdf.to_file(path, engine="pyogrio", encoding=encoding)
    if not prj:
        path.with_suffix(".prj").unlink()
    if encoding != "UTF-8":
        path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


def _zip(folder: Path, name: str, members: dict[str, bytes],
         compression: int = zipfile.ZIP_DEFLATED) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w", compression) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


def _shapefile_bytes(folder: Path, gdf: gpd.GeoDataFrame, **kw: object) -> dict[str, bytes]:
    tmp = folder / "_parts"
    tmp.mkdir()
    shp = _shapefile(tmp, "parcels.shp", gdf, **kw)  # type: ignore[arg-type]
    parts = {p.name: p.read_bytes() for p in sorted(tmp.iterdir()) if p.stem == shp.stem}
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    return parts


def _sparse(name: str, size: int, head: bytes = b"") -> Callable[[Path], Path]:
    """A file of ``size`` bytes that takes no disk space (a hole after ``head``)."""

    def build(folder: Path) -> Path:
        path = folder / name
        with open(path, "wb") as fh:
            fh.write(head)
            fh.truncate(size)
        return path

    return build


def _gpkg(folder: Path, name: str, layers: dict[str, pd.DataFrame]) -> Path:
    import pyogrio

    path = folder / name
    for layer, data in layers.items():
        pyogrio.write_dataframe(data, path, layer=layer, driver="GPKG")
    return path


def _nan_gpkg(folder: Path) -> Path:
    """A GeoPackage whose one polygon has a NaN vertex (written as raw WKB)."""
    import pyogrio

    ring = [(113.10, 36.19), (113.11, float("nan")), (113.11, 36.19), (113.10, 36.19)]
    wkb = struct.pack("<bII", 1, 3, 1) + struct.pack("<I", len(ring)) + b"".join(
        struct.pack("<dd", x, y) for x, y in ring)
    path = folder / "nan.gpkg"
    pyogrio.write_dataframe(
        gpd.GeoDataFrame({"parcel_id": ["N-1"]}, geometry=[GOOD], crs=4490), path,
        layer="parcels", driver="GPKG", layer_options={"SPATIAL_INDEX": "NO"})
    import sqlite3

    con = sqlite3.connect(path)
    blob = b"GP" + bytes([0, 1]) + struct.pack("<i", 4490) + wkb  # no envelope, little endian
    con.execute("UPDATE parcels SET geom = ?", (blob,))
    con.commit()
    con.close()
    return path


def _kml(placemarks: str, head: str = "") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + head
            + '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            + placemarks + "</Document></kml>")


def _placemark(pid: str, box: shapely.Polygon, name: str = "") -> str:
    coords = " ".join(f"{x},{y}" for x, y in box.exterior.coords)
    return (f"<Placemark><name>{name or pid}</name><ExtendedData>"
            f'<Data name="parcel_id"><value>{pid}</value></Data></ExtendedData>'
            f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates>"
            "</LinearRing></outerBoundaryIs></Polygon></Placemark>")


def _csv(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    return lambda folder: _write(folder, name, text.encode(encoding))


BOWTIE = {"type": "Polygon", "coordinates": [[[113.10, 36.19], [113.11, 36.20], [113.11, 36.19],
                                               [113.10, 36.20], [113.10, 36.19]]]}
HOSTILE_NAMES = {
    "H-html": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "H-md": "[点我](javascript:alert(1)) **粗体** ![](http://evil/x.png)",
    "H-formula": "=HYPERLINK(\"http://evil/\",\"点击\")",
    "H-cmd": "+cmd|' /C calc'!A0",
    "H-sum": "@SUM(1+1)*cmd|' /C calc'!A0",
    "H-math": "$\\frac{a}{b}$ 与 $x$",
    "H-path": "../../etc/passwd\\..\\boot.ini",
}


def _hostile_parcels(folder: Path) -> Path:
    boxes = [shapely.box(113.10 + i * 0.002, 36.19, 113.101 + i * 0.002, 36.191)
             for i in range(len(HOSTILE_NAMES))]
    feats = [_feature(_poly(b), parcel_id=pid, name=name, industry=name)
             for b, (pid, name) in zip(boxes, HOSTILE_NAMES.items(), strict=True)]
    return _write(folder, "hostile_names.geojson", _fc(feats))


def _gk(box: shapely.Polygon, epsg: int) -> gpd.GeoDataFrame:
    return _gdf(["G-1"], [box]).to_crs(epsg)


# --------------------------------------------------------------------------- the cases


def cases() -> list[Case]:
    """Every corpus case (names are unique and stable: they are test ids)."""
    good = _feature(_poly(GOOD), parcel_id="N-001", name="新地块")
    c: list[Case] = []
    add = c.append

    # ---- GeoJSON: broken
    add(Case("geojson_empty_file", "GeoJSON broken", "parcels", _raw("empty.geojson", b""),
             says=("empty.geojson",)))
    add(Case("geojson_truncated", "GeoJSON broken", "parcels",
             _raw("cut.geojson", _fc([good])[:60]), says=("cut.geojson",)))
    add(Case("geojson_binary_garbage", "GeoJSON broken", "parcels",
             _raw("garbage.geojson", bytes(range(256)) * 8), says=("garbage.geojson",)))
    add(Case("geojson_no_features", "GeoJSON broken", "parcels", _geojson("none.geojson", []),
             says=("none.geojson", "no features")))
    add(Case("geojson_all_null_geometry", "GeoJSON broken", "parcels",
             _geojson("nulls.geojson", [_feature(None, parcel_id="A"),
                                        _feature(None, parcel_id="B")]),
             says=("nulls.geojson", "none with a geometry")))
    add(Case("geojson_points_for_polygons", "GeoJSON broken", "parcels",
             _geojson("points.geojson", [_feature({"type": "Point",
                                                   "coordinates": [113.1, 36.2]},
                                                  parcel_id="A")]),
             says=("points.geojson", "polygon layer was expected")))
    add(Case("geojson_missing_required_column", "GeoJSON broken", "parcels",
             _geojson("noid.geojson", [_feature(_poly(GOOD), name="无编号")]),
             says=("noid.geojson", "parcel_id")))
    add(Case("geojson_duplicate_ids", "GeoJSON broken", "parcels",
             _geojson("dupes.geojson", [good, _feature(_poly(GOOD), parcel_id="N-001")]),
             says=("dupes.geojson",)))
    add(Case("geojson_id_already_in_workspace", "GeoJSON broken", "parcels",
             _geojson("clash.geojson", [_feature(_poly(GOOD), parcel_id="P-001")]),
             says=("clash.geojson", "already exist", "--replace")))
    # ---- GeoJSON: hostile
    add(Case("geojson_is_ogr_vrt", "GeoJSON hostile", "parcels",
             _raw("vrt.geojson", '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>'
                  "/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"),
             says=("vrt.geojson", "not a GeoJSON", "VRT")))
    add(Case("geojson_is_gpkg_renamed", "GeoJSON hostile", "parcels",
             lambda f: (_gpkg(f, "real.gpkg", {"parcels": _gdf(["A"], [GOOD])}).rename(
                 f / "renamed.geojson"), f / "renamed.geojson")[1],
             says=("renamed.geojson", "not a GeoJSON")))
    add(Case("geojson_nan_coordinates", "non-finite", "parcels",
             _raw("nan.geojson", _fc([_feature({"type": "Polygon", "coordinates": [[
                 [113.10, 36.19], [113.11, float("nan")], [113.11, 36.19], [113.10, 36.19]]]},
                 parcel_id="N-1")])), says=("nan.geojson", "not finite"), subprocess=True))
    add(Case("geojson_infinite_coordinates", "non-finite", "parcels",
             _raw("inf.geojson", _fc([_feature({"type": "Polygon", "coordinates": [[
                 [113.10, 36.19], [113.11, float("inf")], [113.11, 36.19], [113.10, 36.19]]]},
                 parcel_id="I-1")])), says=("inf.geojson", "not finite")))
    add(Case("geojson_1e308_coordinates", "CRS trap", "base_stations",
             _geojson("huge.geojson", [_feature({"type": "Point",
                                                 "coordinates": [1e308, 1e308]})]),
             says=("huge.geojson",)))
    # ---- GeoJSON: repaired and accepted
    add(Case("geojson_bowtie_repaired", "repaired", "parcels",
             _geojson("bowtie.geojson", [_feature(BOWTIE, parcel_id="B-1")]),
             outcome="accepted", added=1, says=("repaired",)))
    add(Case("geojson_some_null_geometry", "repaired", "parcels",
             _geojson("somenull.geojson", [good, _feature(None, parcel_id="N-002")]),
             outcome="accepted", added=1, says=("without geometry were dropped",)))
    add(Case("geojson_axes_swapped", "repaired", "parcels",
             _geojson("swapped.geojson", [_feature(
                 _poly(shapely.box(36.19, 113.10, 36.20, 113.11)), parcel_id="S-1")]),
             outcome="accepted", added=1, says=("exchanged",)))
    add(Case("geojson_hostile_names_kept_verbatim", "hostile names", "parcels",
             _hostile_parcels, outcome="accepted", added=len(HOSTILE_NAMES),
             note="values stored intact; CSV export escapes formulas"))
    # ---- out of extent
    add(Case("geojson_in_beijing", "out of extent", "parcels",
             _geojson("beijing.geojson", [_feature(_poly(BEIJING), parcel_id="BJ-1")]),
             says=("beijing.geojson", "116.41E 39.91N", "km from the workspace",
                   "--allow-outside"), subprocess=True))
    add(Case("geojson_in_beijing_allowed", "out of extent", "parcels",
             _geojson("beijing_ok.geojson", [_feature(_poly(BEIJING), parcel_id="BJ-1")]),
             outcome="accepted", args=("--allow-outside",), added=1,
             lands=(116.3, 39.8, 116.5, 40.0)))
    add(Case("geojson_one_feature_in_shanghai", "out of extent", "parcels",
             _geojson("mixed.geojson", [good, _feature(_poly(SHANGHAI), parcel_id="SH-1")]),
             says=("mixed.geojson", "1 of 2 feature(s)", "121.48E 31.24N")))
    add(Case("geojson_25km_outside", "out of extent", "parcels",
             _geojson("near.geojson", [_feature(_poly(shapely.box(113.80, 36.2, 113.81, 36.21)),
                                                parcel_id="F-1")]),
             says=("near.geojson", "outside the workspace extent")))
    add(Case("geojson_15km_outside_accepted", "out of extent", "roads",
             _geojson("road.geojson", [_feature({"type": "LineString", "coordinates": [
                 [113.55, 36.2], [113.62, 36.21]]}, status="existing")]),
             outcome="accepted", added=1, lands=(113.5, 36.1, 113.7, 36.3),
             note="within the 20 km margin"))
    # ---- CRS traps
    add(Case("geojson_crs_member_3857_on_degrees", "CRS trap", "parcels",
             _geojson("webmerc.geojson", [good], crs={
                 "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}),
             says=("webmerc.geojson",)))
    add(Case("shp_wrong_crs_one_zone_west", "CRS trap", "parcels",
             lambda f: _shapefile(f, "gk.shp", _gk(GOOD, 4547), prj=False),
             args=("--crs", "EPSG:4546"), says=("gk.shp", "km from the workspace",
                                                 "is the CRS right?"), subprocess=True))
    add(Case("shp_gk_no_prj_ambiguous_zone", "CRS trap", "parcels",
             lambda f: _shapefile(f, "gk_noprj.shp", _gk(GOOD, 4547), prj=False),
             says=("gk_noprj.shp", "--crs")))
    add(Case("shp_gk_zone_prefix_detected", "repaired", "parcels",
             lambda f: _shapefile(f, "gk38.shp", _gk(GOOD, 4526), prj=False),
             outcome="accepted", added=1, says=("EPSG:4526",)))
    add(Case("shp_prj_degrees_on_metres", "CRS trap", "parcels",
             lambda f: _shapefile(f, "liar.shp", _gk(GOOD, 4547).set_crs(4490,
                                                                        allow_override=True)),
             says=("liar.shp", "degrees")))
    add(Case("csv_lonlat_swapped_no_crs", "repaired", "base_stations",
             _csv("swap.csv", "name,lon,lat\nQ-1,36.195,113.105\n"),
             outcome="accepted", added=1, says=("exchanged",)))
    # ---- KML
    add(Case("kml_truncated", "KML broken", "parcels",
             _raw("cut.kml", _kml(_placemark("K-1", GOOD))[:120]), says=("cut.kml",)))
    add(Case("kml_external_entity", "KML hostile", "parcels",
             _raw("xxe.kml", _kml(_placemark("K-1", GOOD, "&xxe;"),
                                  '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>')),
             says=("xxe.kml",), subprocess=True))
    laughs = "".join(f'<!ENTITY l{i} "' + (f"&l{i - 1};" * 10 if i else "ha") + '">'
                     for i in range(10))
    add(Case("kml_billion_laughs", "KML hostile", "parcels",
             _raw("laughs.kml", _kml(_placemark("K-1", GOOD, "&l9;"),
                                     f"<!DOCTYPE kml [{laughs}]>")),
             says=("laughs.kml",), subprocess=True))
    add(Case("kml_in_beijing", "out of extent", "parcels",
             _raw("beijing.kml", _kml(_placemark("K-1", BEIJING))),
             says=("beijing.kml", "E 39.9")))
    add(Case("kml_good_chinese", "accepted", "parcels",
             _raw("地块.kml", _kml(_placemark("K-1", GOOD, "长治一号"))),
             outcome="accepted", added=1))
    # ---- CSV
    add(Case("csv_infinite_lon", "non-finite", "base_stations",
             _csv("inf.csv", "lon,lat\n113.1,36.2\ninf,36.2\n"),
             says=("inf.csv", "not finite")))
    add(Case("csv_nan_text_lon", "non-finite", "base_stations",
             _csv("nan.csv", "lon,lat\n113.1,36.2\nnan,36.2\n"), says=("nan.csv", "numbers")))
    add(Case("csv_wkt_nan_vertex", "non-finite", "parcels",
             _csv("wktnan.csv", 'parcel_id,wkt\nW-1,"POLYGON ((113.10 36.19, 113.11 nan, '
                  '113.11 36.19, 113.10 36.19))"\n'), says=("wktnan.csv", "not finite")))
    add(Case("csv_degree_signs", "CSV broken", "base_stations",
             _csv("dms.csv", "lon,lat\n113°06′E,36°12′N\n"), says=("dms.csv", "numbers")))
    add(Case("csv_no_coordinates", "CSV broken", "parcels",
             _csv("nocoords.csv", "parcel_id,name\nC-1,无坐标\n"),
             says=("nocoords.csv", "coordinate columns")))
    add(Case("csv_not_wkt", "CSV broken", "parcels",
             _csv("badwkt.csv", "parcel_id,wkt\nC-1,POLYGON((oops\n"),
             says=("badwkt.csv", "not WKT")))
    add(Case("csv_mixed_srid", "CRS trap", "parcels",
             _csv("srid.csv", 'parcel_id,wkt\nC-1,"SRID=4490;POINT (113.1 36.2)"\n'
                  'C-2,"SRID=4547;POINT (500000 4000000)"\n'), says=("srid.csv", "SRID")))
    add(Case("csv_header_only", "CSV broken", "base_stations",
             _csv("header.csv", "lon,lat\n"), says=("header.csv",)))
    add(Case("csv_binary", "CSV broken", "base_stations",
             _raw("binary.csv", b"\x00\x01\x02PK\x03\x04" * 200), says=("binary.csv",)))
    add(Case("csv_gbk_repaired", "repaired", "base_stations",
             _csv("基站.csv", "名称,lon,lat\n长治站,113.1,36.2\n", encoding="gb18030"),
             outcome="accepted", added=1, says=("GB18030",)))
    add(Case("csv_formula_cells_kept", "hostile names", "base_stations",
             _csv("formula.csv", 'name,lon,lat\n"=HYPERLINK(""http://evil"")",113.1,36.2\n'
                  "@SUM(1),113.11,36.21\n"), outcome="accepted", added=2,
             note="stored verbatim; escaped on CSV export"))
    add(Case("csv_table_bad_enum", "CSV broken", "assessments",
             _csv("assess.csv", "scope,scope_id,kind,status\nzone,Z1,eia,=cmd|x\n"),
             says=("assess.csv",)))
    # ---- zip
    add(Case("zip_bomb", "zip hostile", "parcels",
             lambda f: _zip(f, "bomb.zip", {"parcels.shp": b"\0" * (8 * 1024 * 1024)}),
             says=("bomb.zip",), subprocess=True))
    add(Case("zip_path_traversal", "zip hostile", "parcels",
             lambda f: _zip(f, "traversal.zip", {"../../evil.geojson": _fc([good]).encode()}),
             says=("traversal.zip", "..")))
    add(Case("zip_absolute_member", "zip hostile", "parcels",
             lambda f: _zip(f, "absolute.zip", {"/tmp/evil.geojson": _fc([good]).encode()}),
             says=("absolute.zip", "absolute")))
    add(Case("zip_backslash_traversal", "zip hostile", "parcels",
             lambda f: _zip(f, "backslash.zip", {"..\\..\\evil.geojson": _fc([good]).encode()}),
             says=("backslash.zip",)))
    add(Case("zip_member_is_ogr_vrt", "zip hostile", "parcels",
             lambda f: _zip(f, "vrt.zip", {"parcels.geojson": (
                 b'<OGRVRTDataSource><OGRVRTLayer name="p"><SrcDataSource>/etc/hostname'
                 b"</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>")}),
             says=("vrt.zip/parcels.geojson", "VRT")))
    add(Case("zip_too_many_members", "oversized", "parcels",
             lambda f: _zip(f, "many.zip", {f"m{i}.txt": b"" for i in range(1001)},
                            zipfile.ZIP_STORED), says=("many.zip", "1001")))
    add(Case("zip_no_dataset", "zip broken", "parcels",
             lambda f: _zip(f, "readme.zip", {"readme.txt": b"hello"}),
             says=("readme.zip", "no vector dataset")))
    add(Case("zip_two_datasets", "zip broken", "parcels",
             lambda f: _zip(f, "two.zip", {"a.geojson": _fc([good]).encode(),
                                           "b.geojson": _fc([good]).encode()}),
             says=("two.zip", "2 vector datasets")))
    add(Case("zip_not_a_zip", "zip broken", "parcels", _raw("fake.zip", "not a zip at all"),
             says=("fake.zip",)))
    add(Case("zip_shapefile_missing_shx", "Shapefile broken", "parcels",
             lambda f: _zip(f, "noshx.zip", {k: v for k, v in _shapefile_bytes(
                 f, _gdf(["Z-1"], [GOOD])).items() if not k.endswith(".shx")}),
             says=("noshx.zip",), subprocess=True))
    add(Case("zip_gbk_shapefile_repaired", "repaired", "parcels",
             lambda f: _zip(f, "gbk.zip", _shapefile_bytes(
                 f, _gdf(["G-1"], [GOOD], name=["长治一号地"]), encoding="GB18030")),
             outcome="accepted", added=1, says=("GB18030",)))
    # ---- Shapefile
    add(Case("shp_truncated", "Shapefile broken", "parcels",
             lambda f: _truncate(_shapefile(f, "cut.shp", _gdf(["T-1"], [GOOD])), 60),
             says=("cut.shp",), subprocess=True))
    add(Case("shp_dbf_missing", "Shapefile broken", "parcels",
             lambda f: _drop_sidecar(_shapefile(f, "nodbf.shp", _gdf(["T-1"], [GOOD])), ".dbf"),
             says=("nodbf.shp",)))
    # ---- GeoPackage
    add(Case("gpkg_not_sqlite", "GeoPackage broken", "parcels",
             _raw("text.gpkg", "SQLite format 3? no."), says=("text.gpkg",)))
    add(Case("gpkg_truncated", "GeoPackage broken", "parcels",
             lambda f: _truncate(_gpkg(f, "cut.gpkg", {"parcels": _gdf(["T-1"], [GOOD])}), 2048),
             says=("cut.gpkg",), subprocess=True))
    add(Case("gpkg_two_layers_unnamed", "GeoPackage broken", "parcels",
             lambda f: _gpkg(f, "two.gpkg", {"a": _gdf(["A"], [GOOD]),
                                             "b": _gdf(["B"], [GOOD])}),
             says=("two.gpkg", "2 layers")))
    add(Case("gpkg_layer_name_traversal", "hostile names", "parcels",
             lambda f: _gpkg(f, "one.gpkg", {"parcels": _gdf(["A"], [GOOD])}),
             args=("--source-layer", "../../etc/passwd"), says=("one.gpkg", "no layer")))
    add(Case("gpkg_attribute_table_for_layer", "GeoPackage broken", "parcels",
             lambda f: _gpkg(f, "table.gpkg", {"t": pd.DataFrame({"parcel_id": ["A"]})}),
             says=("table.gpkg",)))
    add(Case("gpkg_nan_vertex", "non-finite", "parcels", _nan_gpkg,
             says=("nan.gpkg", "not finite")))
    # ---- hostile file names
    add(Case("name_html_broken_file", "hostile names", "parcels",
             _raw("<img src=x onerror=alert(1)>.geojson", "{"), says=("<img src=x",)))
    add(Case("name_formula_broken_csv", "hostile names", "base_stations",
             _raw("=cmd|' calc'!A0.csv", "lon,lat\nx,y\n"), says=("=cmd|' calc'!A0.csv",)))
    add(Case("name_mathtext_accepted", "hostile names", "parcels",
             _geojson("$\\frac{a}{b}$ 地块.geojson", [good]), outcome="accepted", added=1))
    add(Case("name_unsupported_suffix", "hostile names", "parcels",
             _raw("parcels.geojson.exe", "MZ"), says=("parcels.geojson.exe",)))
    # ---- oversized
    add(Case("oversized_sparse_csv", "oversized", "base_stations",
             _sparse("huge.csv", 3 * 1024**3, b"lon,lat\n"), says=("huge.csv", "GB")))
    add(Case("oversized_sparse_geojson", "oversized", "parcels",
             _sparse("huge.geojson", 3 * 1024**3, b'{"type":"FeatureCollection"'),
             says=("huge.geojson", "GB")))
    return c


def _truncate(path: Path, size: int) -> Path:
    with open(path, "r+b") as fh:
        fh.truncate(size)
    return path


def _drop_sidecar(shp: Path, suffix: str) -> Path:
    shp.with_suffix(suffix).unlink()
    return shp


# --------------------------------------------------------------------------- running


def fingerprint(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (relative path → digest), but the lock and the
    cache (:func:`tests.workspace.workspace_helpers.digest`): taking the lock (a refused
    import may get as far as the id check under the lock) records its holder there, and
    reading a layer may store a converted copy of it in the cache; neither holds data."""
    from tests.workspace.workspace_helpers import digest

    return digest(root)


def argv(case: Case, ws: Path, file: Path) -> list[str]:
    return ["import", str(ws), case.kind, str(file), *case.args]


def _table(rows: list[tuple[str, str, str, str, str]]) -> str:
    lines = ["| case | category | expected | exit | stderr (error or notes) |",
             "|---|---|---|---|---|"]
    for name, cat, exp, code, text in rows:
        lines.append(f"| {name} | {cat} | {exp} | {code} | "
                     + text.replace("|", "\\|").replace("\n", " ")[:220] + " |")
    return "\n".join(lines)


def main() -> int:
    """Import every case with the real CLI in a fresh workspace and print the corpus table."""
    import shutil
    import subprocess
    import tempfile

    exe = Path(sys.executable).with_name("devzone")
    rows = []
    with tempfile.TemporaryDirectory(prefix="devzone-corpus-") as tmp:
        base = build_workspace(Path(tmp) / "ws0")
        for i, case in enumerate(cases()):
            ws = Path(tmp) / f"ws{i + 1}"
            shutil.copytree(base, ws)
            folder = Path(tmp) / f"in{i + 1}"
            folder.mkdir()
            file = case.build(folder)
            proc = subprocess.run([str(exe), *argv(case, ws, file)], capture_output=True,
                                  text=True, check=False, env={**os.environ, "COLUMNS": "200"})
            err = [ln for ln in proc.stderr.splitlines() if ln.startswith(("error:", "note:"))]
            rows.append((case.name, case.category, case.outcome, str(proc.returncode),
                         " ".join(err) or proc.stderr.strip()[-200:]))
    print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
