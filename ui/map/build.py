"""The assembly: a ``folium.Map`` of the workspace with basemap, layers, legend and tools."""

from __future__ import annotations

from typing import Any, Literal

from ui.i18n import layer_name, t
from ui.map.data import MapData
from ui.map.elements import (
    LAYER_PANE,
    Helpers,
    Legend,
    MetricScale,
    Publish,
    VectorLayer,
    image_overlay,
)
from ui.map.parcels import parcel_layer
from ui.map.styles import (
    DISPLAY,
    HIDDEN_AT_START,
    LAYER_ORDER,
    legend_html,
    site_point_style,
    sites_legend_html,
    style_spec,
    tip_spec,
)
from ui.map.view import HOME_PX, View

__all__ = ["BASEMAPS", "Basemap", "build_map", "build_sites_map", "layer_control"]

Basemap = Literal["hillshade", "none", "osm", "tianditu", "gaode"]
BASEMAPS: tuple[Basemap, ...] = ("hillshade", "none", "osm", "tianditu", "gaode")
SITES_CONTEXT = ("counties", "tourism_road")  # drawn under the sites on the restoration map


def layer_control() -> Any:
    """The layer control (expanded), last element of a map."""
    from ui.map.folium_classes import LayerControl

    return LayerControl(position="topright", collapsed=False)


def _basemap_tiles(m: Any, basemap: str, tianditu_key: str | None, lang: str) -> None:
    from ui.map.folium_classes import TileLayer

    if basemap == "osm":
        TileLayer("OpenStreetMap", name=t("basemap.osm", lang), overlay=False,
                  control=True).add_to(m)
    elif basemap == "tianditu" and tianditu_key:
        for layer, label in (("vec", "basemap.tianditu"), ("cva", None)):
            url = (f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                   f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                   f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={tianditu_key}")
            TileLayer(url, attr="© 天地图 Tianditu", subdomains="01234567",
                      name=t(label, lang) if label else "注记 labels",
                      overlay=label is None, control=label is not None).add_to(m)
    elif basemap == "gaode":
        TileLayer(
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}", attr="© 高德 AutoNavi", subdomains="1234",
            name=t("basemap.gaode", lang), overlay=False, control=True).add_to(m)


def _base_map(view: View, lang: str) -> Any:
    """An empty map on ``view`` with the helpers and a metric scale (local assets only)."""
    from ui.assets import use_local_assets
    from ui.map.folium_classes import Map

    use_local_assets()
    lat, lon = view.center
    m = Map(location=[lat, lon], zoom_start=view.zoom, tiles=None, control_scale=False,
            max_zoom=19, prefer_canvas=False)
    Helpers(lang).add_to(m)
    MetricScale().add_to(m)
    return m


def _static_layer(data: MapData, kind: str, lang: str, gcj: bool, *, show: bool,
                  publish: Publish | None) -> VectorLayer:
    fields = DISPLAY.get(kind, (("name",), (("name", None),)))[1]
    return VectorLayer(data.geojson(kind, gcj02=gcj), name=layer_name(kind, lang), kind=kind,
                       style=style_spec(kind), tip=tip_spec(kind, fields, lang), show=show,
                       pane=LAYER_PANE, publish=publish)


def _hillshade(m: Any, data: MapData, lang: str, gcj: bool, *, show: bool,
               publish: Publish | None) -> None:
    if "hillshade" in data.images:
        image_overlay(data.images["hillshade"], t("map.layers.hillshade", lang), gcj,
                      show=show, publish=publish).add_to(m)


def build_map(
    data: MapData,
    *,
    lang: str = "zh",
    basemap: str = "hillshade",
    tianditu_key: str | None = None,
    gcj02: bool | None = None,
    view: View | None = None,
    selected: str | None = None,
    dynamic: bool = False,
    publish: Publish | None = None,
) -> Any:
    """A ``folium.Map`` of the workspace: every layer, legend, layer control and tools.

    Parameters
    ----------
    data
        From :func:`~ui.map.data.prepare_map_data`.
    lang
        ``"zh"`` or ``"en"``: layer names, tooltips, legend and draw-tool labels.
    basemap
        ``"hillshade"`` (local DEM hillshade, default, offline), ``"none"``, or the
        online ``"osm"``, ``"tianditu"`` (needs ``tianditu_key``), ``"gaode"``.
    gcj02
        Shift every overlay to GCJ-02 (default: only for the Gaode basemap).
    view
        The current view; decides which parcels are drawn (see :func:`parcel_layer`).
        The map opens on :meth:`MapData.opening_view`, where parcels can be clicked.
    dynamic
        Leave parcels and layer control out: the caller passes ``parcel_layer(...)``
        and :func:`layer_control` to ``st_folium`` so panning never reloads the map.
    publish
        Serves the other layers' GeoJSON and the images as files (see
        :data:`~ui.map.elements.Publish`); the map's script then holds their URLs, not
        their data. Without it (or where it returns ``None``) the data is in the script.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> parcels = gpd.GeoDataFrame({"parcel_id": ["P1"]},
    ...     geometry=[shapely.box(500000, 4000000, 500100, 4000100)], crs="EPSG:4547")
    >>> m = build_map(prepare_map_data({"parcels": parcels}), lang="en")
    >>> "P1" in m.get_root().render()
    True
    """
    from ui.map import folium_classes as fc

    gcj = (basemap == "gaode") if gcj02 is None else gcj02
    m = _base_map(data.opening_view(HOME_PX), lang)
    _basemap_tiles(m, basemap, tianditu_key, lang)
    _hillshade(m, data, lang, gcj, show=basemap in ("hillshade", "none"), publish=publish)
    if "coverage_5g" in data.images:
        image_overlay(data.images["coverage_5g"], t("map.layers.coverage_5g", lang), gcj,
                      show=False, publish=publish).add_to(m)

    order = [k for k in LAYER_ORDER if k in data.layers] + \
        [k for k in data.layers if k not in LAYER_ORDER]
    for kind in order:
        _static_layer(data, kind, lang, gcj, show=kind not in HIDDEN_AT_START,
                      publish=publish).add_to(m)

    Legend(legend_html(data.layers, set(data.images), lang)).add_to(m)
    fc.Draw(
        export=False, position="topleft", show_geometry_on_click=False,
        draw_options={"polyline": False, "circle": False, "marker": False,
                      "circlemarker": False,
                      "polygon": {"allowIntersection": False, "showArea": True},
                      "rectangle": {"showArea": True}},
        edit_options={"edit": False},
    ).add_to(m)
    fc.MeasureControl(position="topleft", primary_length_unit="meters",
                      secondary_length_unit="kilometers", primary_area_unit="hectares",
                      secondary_area_unit="sqmeters",
                      localization="cn" if lang == "zh" else "en").add_to(m)
    fc.Fullscreen(position="topleft",
                  title="全屏" if lang == "zh" else "Full screen",
                  title_cancel="退出全屏" if lang == "zh" else "Exit full screen").add_to(m)
    fc.MousePosition(position="bottomleft", separator=" , ", num_digits=6, empty_string="",
                     prefix="WGS84" if not gcj else "GCJ-02").add_to(m)
    if not dynamic:
        parcel_layer(data, lang=lang, view=view, gcj02=gcj, selected=selected)[0].add_to(m)
        layer_control().add_to(m)
    return m


def build_sites_map(data: MapData, *, lang: str = "zh", basemap: str = "hillshade",
                    tianditu_key: str | None = None, publish: Publish | None = None) -> Any:
    """A map of the mine restoration sites coloured by their current stage.

    Counties and the tourism road give context and the view fits the sites; a
    workspace without sites gets the context layers alone. ``publish`` as for
    :func:`build_map`.
    """
    from gis.webmercator import fit_zoom

    gcj = basemap == "gaode"
    sites = data.layers.get("mines")
    extent = tuple(sites.total_bounds) if sites is not None and len(sites) else data.bounds
    w, s, e, n = (float(v) for v in extent)
    m = _base_map(View(w, s, e, n, fit_zoom((w, s, e, n), HOME_PX)), lang)
    _basemap_tiles(m, basemap, tianditu_key, lang)
    _hillshade(m, data, lang, gcj, show=basemap in ("hillshade", "none"), publish=publish)
    for kind in (*SITES_CONTEXT, "mines"):
        if kind in data.layers:
            _static_layer(data, kind, lang, gcj, show=True, publish=publish).add_to(m)
    if sites is not None and len(sites):
        # sites are a few hectares: at city scale a dot per site, coloured like its polygon
        fields = DISPLAY["mines"][1]
        VectorLayer(data.site_points(gcj02=gcj), name=t("map.layers.site_points", lang),
                    kind="site_points", style=site_point_style(),
                    tip=tip_spec("mines", fields, lang), show=True, pane=LAYER_PANE,
                    publish=publish).add_to(m)
        Legend(sites_legend_html(lang)).add_to(m)
    layer_control().add_to(m)
    return m
