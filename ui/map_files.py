"""The map's static layers and images as files the browser fetches and caches.

A map's context layers (zones, roads, networks …) and its images (hillshade, 5G
coverage) are the same on every page load and every rerun. Written into the page's
message they made it about 0.8 MB, which the server serialised and compressed and
the browser decoded, copied into the map's frame and parsed as script before the
first parcel could be drawn. :func:`publish` instead writes each of them once as a
file named by the SHA-256 of its bytes under ``ui/static/mapdata/`` (served by
Streamlit's static file server at ``/app/static/mapdata/``), and the map's script
refers to that URL: the browser fetches the files in parallel with drawing the
parcels, and a returning browser revalidates them from its cache.

The files hold what the map shows anyway, in WGS84 (or GCJ-02) GeoJSON, JPEG and
PNG. Like Streamlit's own media files they are served without a session check:
the address is the content's hash (128 bits), so only a browser that was shown
the map can name it. Files neither written nor published again (access time) for
:data:`KEEP_DAYS` are removed at the server's warm start (:func:`prune`). Where the
folder cannot be written, the data stays in the page (``publish`` returns ``None``)
and the map works as before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

from gis.errors import InputError
from gis.io import write_bytes_atomic

__all__ = ["KEEP_DAYS", "MAPDATA_DIR", "MAPDATA_URL", "REMEMBERED", "MapFiles", "prune",
           "publish"]

log = logging.getLogger("devzone.ui")
MAPDATA_DIR = Path(__file__).resolve().parent / "static" / "mapdata"
MAPDATA_URL = "/app/static/mapdata"
KEEP_DAYS = 30
# contents whose URL is remembered (a map has about 15 files; a few maps, languages and
# basemap shifts): a long-running server whose layers are edited must not keep every
# version of every layer in memory
REMEMBERED = 128
_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg"}


def _file_body(content: str) -> tuple[bytes, str] | None:
    """The bytes and file extension of GeoJSON text or a base64 ``data:`` image URL."""
    if not content.startswith("data:"):
        return content.encode("utf-8"), "json"
    head, _, payload = content.partition(",")
    mime, _, encoding = head[5:].partition(";")
    ext = _IMAGE_TYPES.get(mime)
    if ext is None or encoding != "base64":
        return None
    try:
        return base64.b64decode(payload, validate=True), ext
    except (binascii.Error, ValueError):
        return None


class MapFiles:
    """Content-addressed map files in ``folder``, served at ``url``."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.url = url.rstrip("/")
        # content -> its URL (None: kept inline), the most recently published last
        self._urls: OrderedDict[str, str | None] = OrderedDict()
        self._lock = threading.Lock()

    def publish(self, content: str) -> str | None:
        """The URL of ``content`` (GeoJSON text or a base64 PNG/JPEG ``data:`` URL), its
        file written if missing; ``None`` if it cannot be written (keep it inline)."""
        with self._lock:
            if content in self._urls:
                self._urls.move_to_end(content)
                return self._urls[content]
        url = self._write(content)
        with self._lock:
            self._urls[content] = url
            while len(self._urls) > REMEMBERED:
                self._urls.popitem(last=False)
        return url

    def _write(self, content: str) -> str | None:
        body = _file_body(content)
        if body is None:
            return None
        data, ext = body
        name = f"{hashlib.sha256(data).hexdigest()[:32]}.{ext}"
        path = self.folder / name
        try:
            if path.is_file():
                # in use again: not pruned. The access time only: the modification time
                # is the file's Last-Modified and ETag, which a browser revalidates with
                st_ = path.stat()
                os.utime(path, ns=(time.time_ns(), st_.st_mtime_ns))
            else:
                write_bytes_atomic(path, data)
        except (OSError, InputError) as exc:
            log.warning("map data kept in the page: cannot write %s: %s", path, exc)
            return None
        return f"{self.url}/{name}"

    def prune(self, keep_days: float = KEEP_DAYS) -> int:
        """Remove files not written or used for ``keep_days`` (and stale temporary files);
        the number removed."""
        cutoff = time.time() - keep_days * 86400
        removed = 0
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return 0
        for p in entries:
            try:
                st_ = p.stat()
                if p.is_file() and max(st_.st_atime, st_.st_mtime) < cutoff:
                    p.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


_DEFAULT = MapFiles(MAPDATA_DIR, MAPDATA_URL)


def publish(content: str) -> str | None:
    """:meth:`MapFiles.publish` on the app's ``ui/static/mapdata`` folder."""
    return _DEFAULT.publish(content)


def prune(keep_days: float = KEEP_DAYS) -> int:
    """:meth:`MapFiles.prune` on the app's ``ui/static/mapdata`` folder."""
    return _DEFAULT.prune(keep_days)
