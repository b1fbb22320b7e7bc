"""Names with `$` are drawn as text, never parsed as matplotlib mathtext."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from layers.reports.staticmap import MapLayer, cjk_font, render_map

# each of these crashes (or renders as a formula) when parsed as mathtext
NAMES = ["$x$ 县", "潞州区$", r"$\frac{a}{b}$", r"$\undefinedcommand$", "a $ b $ c", "$$"]


@pytest.mark.parametrize("name", NAMES)
def test_dollar_names_render(name: str) -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1000, 1000)], crs="EPSG:4547")
    png = render_map([MapLayer(gdf, label=name)], extent=(0, 0, 1000, 1000),
                     labels=[(500, 500, name)], area_labels=[(200, 200, name)], dpi=40,
                     font=cjk_font())
    assert png.startswith(b"\x89PNG")


def test_texts_are_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text artist of the map is created with mathtext off."""
    from matplotlib.text import Text

    seen: list[tuple[str, bool]] = []
    original = Text.draw

    def spy(self: Text, renderer: object) -> None:
        seen.append((self.get_text(), self.get_parse_math()))
        original(self, renderer)

    monkeypatch.setattr(Text, "draw", spy)
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1000, 1000)], crs="EPSG:4547")
    render_map([MapLayer(gdf, label="$a$")], extent=(0, 0, 1000, 1000),
               labels=[(500, 500, "$b$")], area_labels=[(200, 200, "$c$")], dpi=40)
    drawn = {text: parse for text, parse in seen if text}
    assert {"$a$", "$b$", "$c$"} <= set(drawn)
    assert not any(drawn.values()), drawn


def test_restoration_map_with_dollar_county_names() -> None:
    """The restoration report's map, with counties named like formulas, renders."""
    from layers.reports.restoration import restoration_map

    counties = gpd.GeoDataFrame(
        {"county": [r"$\undefinedcommand$", "潞州区$"], "county_en": ["$x$", "a $ b"]},
        geometry=[shapely.box(0, 0, 5000, 5000), shapely.box(5000, 0, 10000, 5000)],
        crs="EPSG:4547")
    sites = gpd.GeoDataFrame(
        {"site_id": ["M-1", "M-2"], "stage": ["in_progress", "completed"]},
        geometry=[shapely.box(1000, 1000, 1500, 1500), shapely.box(6000, 1000, 6500, 1500)],
        crs="EPSG:4547")
    for lang in ("zh", "en"):
        png = restoration_map(sites, lang=lang, font=cjk_font(), counties=counties,
                              ranks={"M-1": 1}, size_mm=(60, 40))
        assert png.startswith(b"\x89PNG")
