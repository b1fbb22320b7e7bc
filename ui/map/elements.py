"""Leaflet elements of the map: GeoJSON layers styled in JavaScript, images, legend, scale.

The JavaScript they share is a static first-party file (``ui/static/js/devzone-map.js``,
see :mod:`ui.assets`); each element adds only its data and one style table.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.raster_layers import ImageOverlay
from jinja2 import Template

from gis.gcj02 import wgs84_to_gcj02
from ui.assets import HELPERS_JS, HELPERS_URL
from ui.i18n import t
from ui.map.images import ImageLayer

__all__ = ["Helpers", "Legend", "MetricScale", "VectorLayer", "image_overlay"]



class Helpers(JSCSSMixin, MacroElement):
    """Links the map helpers (``window.devzone``); sets the frame's lang and draw-tool labels."""

    default_js: ClassVar[list[tuple[str, str]]] = [(HELPERS_JS, HELPERS_URL)]

    _template = Template("""
{% macro script(this, kwargs) %}
document.documentElement.lang = {{ this.html_lang|tojson }};
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
        self.draw_local = ({"polygon": t("map.draw_polygon", lang),
                            "rectangle": t("map.draw_rectangle", lang)} if lang == "zh" else None)


class MetricScale(MacroElement):
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


class _RawScript(Element):
    """Script text added to the figure as is (branca would compile it as a jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def _render_raw(el: MacroElement, **kwargs: Any) -> None:
    """Render a layer like ``folium.map.Layer.render`` without jinja-compiling its output.

    branca wraps every element's rendered script in ``Element(template=...)``,
    i.e. compiles megabytes of GeoJSON or a base64 image as a jinja template on
    every render (≈ 0.1 s per rerun here), and evaluates any ``{{ … }}`` that
    feature names happen to contain. The output is added verbatim instead.
    """
    from folium.elements import ElementAddToElement

    if getattr(el, "show", True) and isinstance(el, Layer):
        el.add_child(ElementAddToElement(element_name=el.get_name(),
                                         element_parent_name=el._parent.get_name()),
                     name=el.get_name() + "_add")
    figure = el.get_root()
    for name, url in getattr(el, "default_js", []):
        figure.header.add_child(JavascriptLink(url), name=name)
    for name, url in getattr(el, "default_css", []):
        figure.header.add_child(CssLink(url), name=name)
    script = el._template.module.__dict__.get("script")
    if script is not None:
        figure.script.add_child(_RawScript(script(el, kwargs)), name=el.get_name())
    for child in el._children.values():
        child.render(**kwargs)


class VectorLayer(Layer):
    """A GeoJSON layer styled and labelled in JavaScript from feature properties."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }}_style = {{ this.style_spec }};
var {{ this.get_name() }}_tip = {{ this.tip_spec }};
var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
  style: function (f) { return window.devzone.style({{ this.get_name() }}_style, f.properties); },
  pointToLayer: function (f, ll) {
    return L.circleMarker(ll, window.devzone.style({{ this.get_name() }}_style, f.properties));
  },
  onEachFeature: function (f, layer) {
    var tip = window.devzone.tip({{ this.get_name() }}_tip, f.properties);
    if (tip) { layer.bindTooltip(tip, {sticky: true}); }
  }
});
{% endmacro %}
""")

    def __init__(self, data: str, *, name: str, style: dict[str, Any], tip: dict[str, Any],
                 show: bool = True, kind: str = "") -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "VectorLayer"
        self.kind = kind
        self.data = data
        self.style_spec = json.dumps(style, ensure_ascii=False)
        self.tip_spec = json.dumps(tip, ensure_ascii=False).replace("</", "<\\/")

    def render(self, **kwargs: Any) -> None:
        _render_raw(self, **kwargs)


class _ImageOverlay(ImageOverlay):
    """folium's image overlay, its data URL not jinja-compiled (see ``_render_raw``)."""

    def render(self, **kwargs: Any) -> None:
        _render_raw(self, **kwargs)


class Legend(MacroElement):
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


def image_overlay(img: ImageLayer, name: str, gcj02: bool, *, show: bool) -> Any:
    """An image overlay; shifted as a whole onto a GCJ-02 basemap when ``gcj02``."""
    s, w, n, e = img.bounds
    if gcj02:  # the GCJ-02 offset varies by metres across a city: shift the whole image
        glon, glat = wgs84_to_gcj02((w + e) / 2, (s + n) / 2)
        dlon, dlat = float(glon) - (w + e) / 2, float(glat) - (s + n) / 2
        s, w, n, e = s + dlat, w + dlon, n + dlat, e + dlon
    return _ImageOverlay(
        image=img.url, bounds=[[s, w], [n, e]], opacity=img.opacity, name=name,
        overlay=True, control=True, show=show, interactive=False, zindex=1)
