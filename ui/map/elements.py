"""Leaflet elements of the map: GeoJSON layers styled in JavaScript, images, legend, scale.

The JavaScript they share is a static first-party file (``ui/static/js/devzone-map.js``,
see :mod:`ui.assets`); each element adds only its data and one style table. A layer's data
is either written into the map's script or, given a :data:`Publish` function, referenced by
the URL it returns (a file the browser fetches and caches; ``ui.map_files``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.raster_layers import ImageOverlay
from jinja2 import Template

from gis.gcj02 import wgs84_to_gcj02
from ui.assets import HELPERS_JS, HELPERS_URL
from ui.i18n import t
from ui.map.images import ImageLayer

__all__ = ["IMAGE_PANE", "LAYER_PANE", "Helpers", "Legend", "MetricScale", "Publish", "Text",
           "TextMacro", "VectorLayer", "image_overlay", "render_as_text"]

# panes under Leaflet's overlay pane (made by Helpers): images, then the context layers
IMAGE_PANE = "devzoneImages"
LAYER_PANE = "devzoneLayers"

#: Given a layer's GeoJSON text or an image's ``data:`` URL, the URL the same bytes are
#: served at, or ``None`` to keep them in the map's script.
Publish = Callable[[str], str | None]


class Text(Element):
    """Text added to the figure as is (branca would compile it as a jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def render_as_text(el: MacroElement, kwargs: dict[str, Any]) -> None:
    """``MacroElement.render`` of ``el`` and of the plain elements under it, output as text.

    branca wraps each element's rendered header, html and script in
    ``Element(template=...)``: the output is compiled as a jinja template once more
    on every render, and any ``{{ … }}`` that a feature name or a label contains is
    evaluated. ``st_folium`` renders a map three times (figure, map, parcel group and
    layer control): 48 compilations for the demo's map, over half the time its message
    took to build. Here the output is added as it is. Children that are plain macro
    elements (the ``ElementAddToElement`` a layer adds) are rendered the same way;
    children with a ``render`` of their own (a ``folium.GeoJson`` a page adds) keep
    folium's.
    """
    figure = el.get_root()
    macros = el._template.module.__dict__
    for part in ("header", "html", "script"):
        text = macros[part](el, kwargs) if part in macros else ""
        if text.strip():
            getattr(figure, part).add_child(Text(text), name=el.get_name())
    for child in el._children.values():
        if isinstance(child, MacroElement) and type(child).render is MacroElement.render:
            render_as_text(child, kwargs)
        else:
            child.render(**kwargs)


class TextMacro(MacroElement):
    """A macro element rendered by :func:`render_as_text`. As a mixin after a folium class
    (``class Map(folium.Map, TextMacro)``) it runs that class's ``render`` first."""

    def render(self, **kwargs: Any) -> None:
        render_as_text(self, kwargs)


class Helpers(JSCSSMixin, TextMacro):
    """Links the map helpers (``window.devzone``); sets the frame's lang and draw-tool labels."""

    default_js: ClassVar[list[tuple[str, str]]] = [(HELPERS_JS, HELPERS_URL)]

    _template = Template("""
{% macro script(this, kwargs) %}
document.documentElement.lang = {{ this.html_lang|tojson }};
window.devzone.failedText = {{ this.failed_text|tojson }};
window.devzone.panes({{ this._parent.get_name() }});
{% if this.draw_local %}
if (window.L && L.drawLocal) {
  L.drawLocal.draw.toolbar.buttons.polygon = {{ this.draw_local.polygon|tojson }};
  L.drawLocal.draw.toolbar.buttons.rectangle = {{ this.draw_local.rectangle|tojson }};
  L.drawLocal.draw.toolbar.actions.text = "取消";
  L.drawLocal.draw.toolbar.finish.text = "完成";
  L.drawLocal.draw.toolbar.undo.text = "删除最后一点";
  L.drawLocal.draw.handlers.polygon.tooltip.start = "点击开始绘制";
  L.drawLocal.draw.handlers.polygon.tooltip.cont = "点击继续绘制";
  L.drawLocal.draw.handlers.polygon.tooltip.end = "点击第一个点结束";
  L.drawLocal.draw.handlers.rectangle.tooltip.start = "按住并拖动绘制矩形";
  L.drawLocal.edit.toolbar.buttons.edit = "编辑";
  L.drawLocal.edit.toolbar.buttons.remove = "删除";
}
{% endif %}
{% endmacro %}
""")

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._name = "DevzoneHelpers"
        self.html_lang = "zh-CN" if lang == "zh" else "en"
        self.failed_text = t("map.layer_failed", lang)
        self.draw_local = ({"polygon": t("map.draw_polygon", lang),
                            "rectangle": t("map.draw_rectangle", lang)} if lang == "zh" else None)


class MetricScale(TextMacro):
    """A scale bar in metres and kilometres only (Leaflet's default adds miles and feet)."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.control.scale({metric: true, imperial: false, position: "bottomleft"})
  .addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class VectorLayer(Layer, TextMacro):
    """A GeoJSON layer styled and labelled in JavaScript from feature properties.

    Drawn in ``pane`` (default: Leaflet's overlay pane). Where ``publish`` gives the data
    a URL the features are not in the script: the layer starts empty and
    ``window.devzone.load`` fills it from that URL.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }}_style = {{ this.style_spec }};
var {{ this.get_name() }}_tip = {{ this.tip_spec }};
var {{ this.get_name() }} = L.geoJson({{ "null" if this.url else this.data }}, {
{%- if this.pane %}
  pane: {{ this.pane|tojson }},
{%- endif %}
  style: function (f) { return window.devzone.style({{ this.get_name() }}_style, f.properties); },
  pointToLayer: function (f, ll) {
    var s = window.devzone.style({{ this.get_name() }}_style, f.properties);
    {%- if this.pane %}
    s.pane = {{ this.pane|tojson }};
    {%- endif %}
    return L.circleMarker(ll, s);
  },
  onEachFeature: function (f, layer) {
    var tip = window.devzone.tip({{ this.get_name() }}_tip, f.properties);
    if (tip) { layer.bindTooltip(tip, {sticky: true}); }
  }
});
{%- if this.url %}
window.devzone.load({{ this._parent.get_name() }}, {{ this.get_name() }}, {{ this.url|tojson }},
                    {{ this.layer_name|tojson }});
{%- endif %}
{% endmacro %}
""")

    def __init__(self, data: str, *, name: str, style: dict[str, Any], tip: dict[str, Any],
                 show: bool = True, kind: str = "", pane: str | None = None,
                 publish: Publish | None = None) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "VectorLayer"
        self.kind = kind
        self.data = data
        self.url = publish(data) if publish is not None else None
        self.pane = pane
        self.style_spec = json.dumps(style, ensure_ascii=False)
        self.tip_spec = json.dumps(tip, ensure_ascii=False).replace("</", "<\\/")


class _ImageOverlay(ImageOverlay, TextMacro):
    """folium's image overlay, its data URL not jinja-compiled (see :func:`render_as_text`)."""


class Legend(TextMacro):
    """A collapsible legend control (HTML built and escaped in Python)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function () {
  var div = L.DomUtil.create("div", "devzone-legend");
  div.innerHTML = {{ this.body|tojson }};
  L.DomEvent.disableClickPropagation(div);
  L.DomEvent.disableScrollPropagation(div);
  return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body


def image_overlay(img: ImageLayer, name: str, gcj02: bool, *, show: bool,
                  publish: Publish | None = None) -> Any:
    """An image overlay; shifted as a whole onto a GCJ-02 basemap when ``gcj02``; its image
    served at the URL ``publish`` gives, else written into the script as a data URL."""
    s, w, n, e = img.bounds
    if gcj02:  # the GCJ-02 offset varies by metres across a city: shift the whole image
        glon, glat = wgs84_to_gcj02((w + e) / 2, (s + n) / 2)
        dlon, dlat = float(glon) - (w + e) / 2, float(glat) - (s + n) / 2
        s, w, n, e = s + dlat, w + dlon, n + dlat, e + dlon
    overlay = _ImageOverlay(
        image=img.url, bounds=[[s, w], [n, e]], opacity=img.opacity, name=name,
        overlay=True, control=True, show=show, interactive=False, zindex=1, pane=IMAGE_PANE,
        pixelated=False)  # smooth: a hillshade's cells are not meant to be seen
    url = publish(img.url) if publish is not None else None
    if url is not None:  # folium reads a path as a local file: the served URL is set after
        overlay.url = url
    return overlay
