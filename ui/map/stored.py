"""The map data in the workspace's results cache: written once, read back at each start.

Besides the layers, parcels and images, the stored map data holds the parcel index
(:meth:`~ui.map.index.ParcelIndex.columns`) and the opening view's parcel layer, so
that a restarted server draws its first map without decoding the parcels' geometries:
they are read when a question first needs them (:meth:`MapData.deferred`).
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd

from layers.results_cache import CacheError, Deferred, pack_frames, unpack_frames
from ui.map.data import MapData
from ui.map.images import ImageLayer
from ui.map.parcels import ParcelLayerInfo, opening_key, opening_text

__all__ = ["dump_map_data", "load_map_data"]


def dump_map_data(data: MapData) -> bytes:
    """Map data as bytes for the workspace's results cache (:func:`load_map_data` reads it)."""
    frames: dict[str, pd.DataFrame] = {f"layer:{k}": v for k, v in data.layers.items()}
    meta: dict[str, object] = {
        "images": [{"key": i.key, "url": i.url, "bounds": list(i.bounds),
                    "opacity": i.opacity, "name": name} for name, i in data.images.items()],
        "bounds": list(data.bounds)}
    if data.parcels is not None:
        frames["parcels"] = data.parcels
        frames["parcel_index"] = data.index.columns()
        # the opening view's parcels (hexagon labels depend on the language: made anew)
        text, info = opening_text(data, "zh")
        if text is not None and info.mode == "parcels":
            frames["opening"] = pd.DataFrame({"text": [text]})
            meta["opening"] = dataclasses.asdict(info)
    return pack_frames("map", frames, meta)


def load_map_data(data: bytes) -> MapData:
    """The :class:`MapData` stored by :func:`dump_map_data`; :class:`CacheError` if damaged.

    Its parcels are decoded on first use (see :meth:`MapData.deferred`).
    """
    frames, meta = unpack_frames(data, "map", defer=("parcels",))
    try:
        layers = {k.removeprefix("layer:"): gpd.GeoDataFrame(v) for k, v in frames.items()
                  if k.startswith("layer:")}
        images = {i["name"]: ImageLayer(i["key"], i["url"], tuple(i["bounds"]), i["opacity"])
                  for i in meta["images"]}
        w, s, e, n = (float(v) for v in meta["bounds"])
        stored = frames.get("parcels")
        if not isinstance(stored, Deferred):
            return MapData(layers, None, images, (w, s, e, n))
        if "parcel_index" not in frames:  # stored without its index: decoded at once
            return MapData(layers, gpd.GeoDataFrame(stored()), images, (w, s, e, n))
        out = MapData.deferred(layers, lambda: gpd.GeoDataFrame(stored()),
                               frames["parcel_index"], images, (w, s, e, n))
        if "opening" in frames:
            out.renders[opening_key()] = (frames["opening"]["text"].iloc[0],
                                          ParcelLayerInfo(**meta["opening"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise CacheError(f"unreadable map data: {exc}") from exc
    return out
