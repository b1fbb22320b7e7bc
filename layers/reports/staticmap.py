"""Static report maps drawn locally with matplotlib (no tiles) and returned as PNG bytes."""

from __future__ import annotations

import base64
import functools
import glob
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import shapely

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

__all__ = [
    "CJK_FAMILIES",
    "MapLayer",
    "MapRaster",
    "Measure",
    "cjk_font",
    "data_uri",
    "render_map",
]

# Font families tried for Chinese map labels, in order.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
)
_FONT_GLOBS = (
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]", "/usr/share/fonts/**/NotoSansCJK*.otf",
    "/usr/share/fonts/**/NotoSansSC*", "/usr/share/fonts/**/wqy*.tt[cf]",
    "/usr/local/share/fonts/**/*CJK*",
)


# the line styles matplotlib accepts by name
LineStyle = Literal["-", "--", "-.", ":", "solid", "dashed", "dashdot", "dotted", "none"]


@dataclass
class MapLayer:
    """Features to draw with one style; ``label`` goes into the legend (empty: not listed)."""

    gdf: gpd.GeoDataFrame | gpd.GeoSeries
    label: str = ""
    facecolor: str = "none"
    edgecolor: str = "#444444"
    linewidth: float = 1.0
    linestyle: LineStyle = "-"
    alpha: float = 1.0
    hatch: str | None = None
    markersize: float = 18.0
    marker: str = "o"
    zorder: int = 2


@dataclass
class MapRaster:
    """A raster drawn over the map extent: a grey hillshade or a one-colour mask."""

    array: np.ndarray  # 2-D; uint8 hillshade, or bool mask
    extent: tuple[float, float, float, float]  # minx, maxx, miny, maxy (matplotlib order)
    kind: str = "hillshade"  # "hillshade" | "mask"
    color: str = "#984ea3"
    alpha: float = 0.35
    label: str = ""
    zorder: int = 0


@dataclass
class Measure:
    """A measured distance: a line from the parcel to the nearest feature with its text."""

    line: shapely.LineString
    text: str
    color: str = "#000000"


@dataclass
class _Legend:
    handles: list[Artist] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def add(self, handle: Artist, label: str) -> None:
        if label and label not in self.labels:
            self.handles.append(handle)
            self.labels.append(label)


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font usable by matplotlib, or ``None``."""
    from matplotlib import font_manager as fm

    def find() -> str | None:
        names = {f.name for f in fm.fontManager.ttflist}
        return next((f for f in CJK_FAMILIES if f in names), None)

    found = find()
    if found is None:  # the font cache may predate the font: register the files directly
        for pattern in _FONT_GLOBS:
            for path in sorted(glob.glob(pattern, recursive=True)):
                try:
                    fm.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = find()
    return found


def data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,…`` URI for embedding ``png`` in HTML."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _nice_length(span: float) -> float:
    """A round scale-bar length about a fifth of ``span`` (1, 2 or 5 × 10^n metres)."""
    target = max(span / 5.0, 1e-9)
    exp = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * exp <= target:
            return m * exp
    return exp


def _scalebar(ax: object, extent: tuple[float, float, float, float]) -> None:
    minx, miny, maxx, maxy = extent
    length = _nice_length(maxx - minx)
    x0 = minx + 0.04 * (maxx - minx)
    y0 = miny + 0.05 * (maxy - miny)
    h = 0.012 * (maxy - miny)
    ax.add_patch(_rect(x0, y0, length / 2, h, "black"))  # type: ignore[attr-defined]
    ax.add_patch(_rect(x0 + length / 2, y0, length / 2, h, "white"))  # type: ignore[attr-defined]
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x0 + length / 2, y0 + 2.2 * h, text, ha="center", va="bottom",  # type: ignore[attr-defined]
            fontsize=7, zorder=20, parse_math=False,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})


def _rect(x: float, y: float, w: float, h: float, color: str) -> object:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=color, edgecolor="black", linewidth=0.6, zorder=20)


def _north(ax: object) -> None:
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.84), xycoords="axes fraction",  # type: ignore[attr-defined]
                ha="center", va="center", fontsize=8, fontweight="bold", zorder=21,
                parse_math=False,
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2})


def _draw_layer(ax: object, layer: MapLayer, legend: _Legend) -> None:
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path as MplPath

    geoms = layer.gdf.geometry if isinstance(layer.gdf, gpd.GeoDataFrame) else layer.gdf
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if len(geoms) == 0:
        return
    arr = geoms.to_numpy()
    polys = shapely.get_parts(arr[shapely.get_type_id(arr) >= 3])
    polys = polys[shapely.get_type_id(polys) == 3]
    lines = shapely.get_parts(arr[np.isin(shapely.get_type_id(arr), (1, 2, 5))])
    points = shapely.get_parts(arr[np.isin(shapely.get_type_id(arr), (0, 4))])
    if len(polys):
        patches = []
        for poly in polys:
            rings = [poly.exterior, *poly.interiors]
            verts, codes = [], []
            for ring in rings:
                xy = np.asarray(ring.coords)[:, :2]
                verts.append(xy)
                c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                c[0] = MplPath.MOVETO
                c[-1] = MplPath.CLOSEPOLY
                codes.append(c)
            patches.append(PathPatch(MplPath(np.concatenate(verts), np.concatenate(codes))))
        coll = PatchCollection(patches, facecolor=layer.facecolor, edgecolor=layer.edgecolor,
                               linewidth=layer.linewidth, linestyle=layer.linestyle,
                               alpha=layer.alpha, hatch=layer.hatch, zorder=layer.zorder)
        ax.add_collection(coll)  # type: ignore[attr-defined]
        legend.add(Patch(facecolor=layer.facecolor, edgecolor=layer.edgecolor,
                         linewidth=layer.linewidth, linestyle=layer.linestyle, alpha=layer.alpha,
                         hatch=layer.hatch), layer.label)
    if len(lines):
        segs = [np.asarray(line.coords)[:, :2] for line in lines]
        color = layer.edgecolor
        ax.add_collection(LineCollection(segs, colors=color, linewidths=layer.linewidth,  # type: ignore[attr-defined]
                                         linestyles=layer.linestyle, alpha=layer.alpha,
                                         zorder=layer.zorder))
        legend.add(Line2D([], [], color=color, linewidth=layer.linewidth,
                          linestyle=layer.linestyle, alpha=layer.alpha), layer.label)
    if len(points):
        xy = shapely.get_coordinates(points)
        face = layer.facecolor if layer.facecolor != "none" else layer.edgecolor
        ax.scatter(xy[:, 0], xy[:, 1], s=layer.markersize, marker=layer.marker, c=face,  # type: ignore[attr-defined]
                   edgecolors=layer.edgecolor, linewidths=0.5, alpha=layer.alpha,
                   zorder=layer.zorder + 1)
        legend.add(Line2D([], [], color=face, marker=layer.marker, linestyle="none",
                          markeredgecolor=layer.edgecolor, markersize=5), layer.label)


def _draw_rasters(ax: Axes, rasters: Sequence[MapRaster], legend: _Legend) -> None:
    """Hillshade backdrops in grey; masks in one colour, listed in the legend."""
    from matplotlib.patches import Patch

    for r in rasters:
        if r.kind == "hillshade":
            ax.imshow(r.array, extent=r.extent, cmap="gray", vmin=0, vmax=255, alpha=r.alpha,
                      interpolation="bilinear", zorder=r.zorder)
        else:
            from matplotlib.colors import ListedColormap

            mask = np.ma.masked_where(~r.array.astype(bool), np.ones(r.array.shape))
            ax.imshow(mask, extent=r.extent, cmap=ListedColormap([r.color]), vmin=0, vmax=1,
                      alpha=r.alpha, interpolation="nearest", zorder=r.zorder)
            legend.add(Patch(facecolor=r.color, alpha=r.alpha), r.label)


def _draw_measures(ax: Axes, measures: Sequence[Measure], box: tuple[float, float, float, float],
                   w: float, text_kw: dict[str, object]) -> None:
    """Dashed measure lines with their texts, moved apart so they do not overlap."""
    placed: list[tuple[float, float]] = []
    step = 0.06 * (box[3] - box[1])
    for m in measures:
        xy = np.asarray(m.line.coords)[:, :2]
        ax.plot(xy[:, 0], xy[:, 1], color=m.color, linewidth=1.1, linestyle="--", zorder=15)
        ax.scatter(xy[-1:, 0], xy[-1:, 1], s=14, c=m.color, zorder=16)
        # the text sits at the feature's end of the line, moved down while it would overlap
        tx = float(np.clip(xy[-1, 0], box[0] + 0.12 * w, box[2] - 0.12 * w))
        ty = float(np.clip(xy[-1, 1], box[1] + step, box[3] - step))
        for _ in range(12):
            if all(abs(ty - py) >= step or abs(tx - px) >= 0.3 * w for px, py in placed):
                break
            ty = ty - step if ty - step > box[1] + step else ty + 3 * step
        placed.append((tx, ty))
        ax.text(tx, ty, m.text, fontsize=6.5, ha="center", va="center", zorder=17,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": m.color, "lw": 0.6,
                      "alpha": 0.9}, **text_kw)  # type: ignore[arg-type]

def render_map(
    layers: Sequence[MapLayer],
    *,
    extent: tuple[float, float, float, float],
    rasters: Sequence[MapRaster] = (),
    measures: Sequence[Measure] = (),
    labels: Sequence[tuple[float, float, str]] = (),
    area_labels: Sequence[tuple[float, float, str]] = (),
    size_mm: tuple[float, float] = (90.0, 80.0),
    dpi: int = 150,
    font: str | None = None,
    legend_loc: str = "lower right",
    legend_width: float = 0.0,
) -> bytes:
    """Draw ``layers`` (all in one metric CRS) inside ``extent`` and return a PNG.

    Parameters
    ----------
    layers
        Drawn in the given order (later on top unless ``zorder`` says otherwise).
    extent
        ``(minx, miny, maxx, maxy)`` in the layers' CRS (metres); the aspect ratio is
        kept, so the visible area may be a little larger.
    rasters
        Hillshade backdrop and masks (e.g. 5G coverage) over their own extents.
    measures
        Lines with a text (distance to the nearest road …) drawn on top.
    labels
        ``(x, y, text)`` annotations (e.g. parcel ids).
    area_labels
        ``(x, y, text)`` names of areas (e.g. counties), drawn larger and in grey.
    size_mm, dpi
        Size of the image as printed and its resolution.
    font
        Font family for the texts (e.g. :func:`cjk_font`); ``None`` uses matplotlib's default.
    legend_loc, legend_width
        Where the legend goes inside the map; with ``legend_width`` > 0 it goes
        instead into a strip of that share of the width on the right of the map.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    w_in, h_in = size_mm[0] / 25.4, size_mm[1] / 25.4
    fig = Figure(figsize=(w_in, h_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax_w = 1.0 - legend_width
    ax = fig.add_axes((0.0, 0.0, ax_w, 1.0))
    w_in *= ax_w
    ax.set_facecolor("#f7f7f4")
    minx, miny, maxx, maxy = extent
    # grow the extent to the figure's aspect ratio so nothing is distorted
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    if w / h > w_in / h_in:
        h = w * h_in / w_in
    else:
        w = h * w_in / h_in
    box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
    # data texts (county names, parcel ids) are never mathtext: "$" stays a dollar sign
    text_kw: dict[str, object] = {"parse_math": False}
    if font:
        text_kw["fontfamily"] = [font, "DejaVu Sans"]
    legend = _Legend()

    _draw_rasters(ax, rasters, legend)
    for layer in layers:
        _draw_layer(ax, layer, legend)
    _draw_measures(ax, measures, box, w, text_kw)
    for x, y, text in labels:
        if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            ax.text(x, y, text, fontsize=5.5, ha="center", va="center", zorder=18,
                    color="#222222", **text_kw)  # type: ignore[arg-type]
    for x, y, text in area_labels:
        if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            ax.text(x, y, text, fontsize=7, ha="center", va="center", zorder=3,
                    color="#555555", alpha=0.85, **text_kw)  # type: ignore[arg-type]
    _scalebar(ax, box)
    _north(ax)
    if legend.labels:
        outside = legend_width > 0
        prop: dict[str, Any] | None = (
            {"family": [font, "DejaVu Sans"], "size": 6} if font else None)
        # matplotlib's stubs reject bbox_to_anchor=None, its own default
        leg = ax.legend(legend.handles, legend.labels, loc="center left" if outside
                        else legend_loc, bbox_to_anchor=(1.01, 0.5) if outside else None,
                        fontsize=6, framealpha=0.0 if outside else 0.85, borderpad=0.4,
                        handlelength=1.6, frameon=not outside, borderaxespad=0.0,
                        prop=prop)  # type: ignore[call-overload]
        leg.set_zorder(30)
        for text in leg.get_texts():
            text.set_parse_math(False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
