"""The folium classes a map is built from, rendered as text (:class:`~.elements.TextMacro`).

The same output as folium's, without compiling each element's output as a jinja
template on every render. Imported where a map is built: ``folium.plugins`` alone
takes 0.15 s to import.
"""

from __future__ import annotations

import folium
from folium import plugins

from ui.map.elements import TextMacro

__all__ = ["Draw", "FeatureGroup", "Fullscreen", "LayerControl", "Map", "MeasureControl",
           "MousePosition", "TileLayer"]


class Map(folium.Map, TextMacro):
    """``folium.Map``."""


class TileLayer(folium.TileLayer, TextMacro):
    """``folium.TileLayer`` (the online basemaps)."""


class FeatureGroup(folium.FeatureGroup, TextMacro):
    """``folium.FeatureGroup`` (the parcels of one render)."""


class LayerControl(folium.LayerControl, TextMacro):
    """``folium.LayerControl``."""


class Draw(plugins.Draw, TextMacro):
    """``folium.plugins.Draw``."""


class MeasureControl(plugins.MeasureControl, TextMacro):
    """``folium.plugins.MeasureControl``."""


class Fullscreen(plugins.Fullscreen, TextMacro):
    """``folium.plugins.Fullscreen``."""


class MousePosition(plugins.MousePosition, TextMacro):
    """``folium.plugins.MousePosition``."""
