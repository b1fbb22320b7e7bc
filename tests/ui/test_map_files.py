"""The map's context layers and images as content-addressed files (``ui.map_files``)."""

from __future__ import annotations

import base64
import json
import os
import re
import time
from pathlib import Path

import pytest

from tests.ui.conftest import overall_for
from ui.map import build_map, build_sites_map, prepare_map_data
from ui.map_files import MapFiles

URL = "/app/static/mapdata"
FILE_URL = re.compile(r'"(/app/static/mapdata/([0-9a-f]{32})\.(json|jpg|png))"')


def _files(tmp_path: Path) -> MapFiles:
    return MapFiles(tmp_path / "mapdata", URL)


def _served(files: MapFiles, url: str) -> bytes:
    return (files.folder / url.rsplit("/", 1)[1]).read_bytes()


def test_geojson_is_written_once_under_its_hash_and_reads_back(tmp_path) -> None:
    files = _files(tmp_path)
    text = json.dumps({"type": "FeatureCollection", "features": [], "name": "长治"},
                      ensure_ascii=False)
    url = files.publish(text)
    assert url is not None and url.startswith(f"{URL}/") and url.endswith(".json")
    assert _served(files, url).decode("utf-8") == text  # Chinese kept, byte for byte
    assert files.publish(text) == url and MapFiles(files.folder, URL).publish(text) == url
    assert files.publish(text + " ") != url  # another content, another name
    assert sorted(p.suffix for p in files.folder.iterdir()) == [".json", ".json"]


def test_images_are_written_as_their_decoded_bytes(tmp_path) -> None:
    files = _files(tmp_path)
    png, jpg = b"\x89PNG\r\n\x1a\nfake", b"\xff\xd8\xff\xe0fake"
    png_url = files.publish("data:image/png;base64," + base64.b64encode(png).decode())
    jpg_url = files.publish("data:image/jpeg;base64," + base64.b64encode(jpg).decode())
    assert png_url is not None and png_url.endswith(".png") and _served(files, png_url) == png
    assert jpg_url is not None and jpg_url.endswith(".jpg") and _served(files, jpg_url) == jpg
    # what is not a base64 PNG or JPEG stays where it was
    assert files.publish("data:image/svg+xml;base64,PHN2Zz4=") is None
    assert files.publish("data:image/png,rawtext") is None
    assert files.publish("data:image/png;base64,@@not base64@@") is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_an_unwritable_folder_keeps_the_data_in_the_page(tmp_path, layers) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        files = MapFiles(folder, URL)
        assert files.publish('{"type": "FeatureCollection", "features": []}') is None
        html = build_map(prepare_map_data(layers), publish=files.publish).get_root().render()
        assert "长治高新区" in html and URL not in html
    finally:
        folder.chmod(0o755)


def test_a_missing_parent_that_cannot_be_made_keeps_the_data_in_the_page(tmp_path,
                                                                          layers) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    files = MapFiles(blocker / "mapdata", URL)  # mkdir under a file fails, for root too
    html = build_map(prepare_map_data(layers), publish=files.publish).get_root().render()
    assert "长治高新区" in html and URL not in html


def test_only_recent_contents_are_remembered(tmp_path) -> None:
    """Every edited version of a layer must not stay in a long-running server's memory."""
    from ui.map_files import REMEMBERED

    files = MapFiles(tmp_path, "/app/static/mapdata")
    layers = [json.dumps({"type": "FeatureCollection", "features": [], "v": i})
              for i in range(REMEMBERED + 20)]
    urls = [files.publish(text) for text in layers]
    assert len(files._urls) == REMEMBERED and layers[0] not in files._urls
    assert len(set(urls)) == len(layers) and len(list(tmp_path.iterdir())) == len(layers)
    # a forgotten content is published again under the same name, its file kept
    assert files.publish(layers[0]) == urls[0] and len(list(tmp_path.iterdir())) == len(layers)


def test_prune_removes_only_files_unused_for_the_keep_period(tmp_path) -> None:
    files = _files(tmp_path)
    old = files.publish('{"old": 1}')
    new = files.publish('{"new": 1}')
    assert old and new
    month_ago = time.time() - 31 * 86400
    old_path, new_path = (files.folder / u.rsplit("/", 1)[1] for u in (old, new))
    os.utime(old_path, (month_ago, month_ago))
    os.utime(new_path, (time.time(), month_ago))  # written long ago, published lately
    assert files.prune(keep_days=30) == 1
    assert [p.name for p in files.folder.iterdir()] == [new_path.name]
    # published again by a new process: written back
    assert MapFiles(files.folder, URL).publish('{"old": 1}') == old
    assert old_path.is_file()


def test_publishing_again_keeps_the_modification_time_browsers_revalidate(tmp_path) -> None:
    files = _files(tmp_path)
    url = files.publish('{"a": 1}')
    assert url is not None
    path = files.folder / url.rsplit("/", 1)[1]
    week_ago = time.time() - 7 * 86400
    os.utime(path, (week_ago, week_ago))
    assert MapFiles(files.folder, URL).publish('{"a": 1}') == url  # a restarted server
    st = path.stat()
    assert st.st_mtime == pytest.approx(week_ago, abs=1)  # Last-Modified, ETag unchanged
    assert st.st_atime > week_ago + 6 * 86400  # but marked as used: not pruned
    assert MapFiles(tmp_path / "none", URL).prune() == 0  # no folder yet: nothing to do


def test_a_published_map_holds_urls_not_the_context_layers(tmp_path, layers, dem,
                                                           coverage) -> None:
    files = _files(tmp_path)
    data = prepare_map_data(layers, overall=overall_for(layers["parcels"]), dem=dem,
                            coverage=coverage)
    inline = build_map(data, lang="zh").get_root().render()
    html = build_map(data, lang="zh", publish=files.publish).get_root().render()
    found = FILE_URL.findall(html)
    # one file per context layer and per image; the parcels stay in the page
    assert len(found) == len(data.layers) + len(data.images)
    assert {ext for _, _, ext in found} == {"json", "jpg", "png"}
    for url, _, ext in found:  # each file's text is in the inline page, not in this one
        if ext == "json":
            text = _served(files, url).decode("utf-8")
            assert text in inline and text not in html
    assert "长治高新区" not in html and "长治高新区" in inline
    assert "readiness" in html and data.parcels["parcel_id"].iloc[0] in html
    served = {json.loads(_served(files, url))["features"][0]["properties"].get("name")
              for url, _, ext in found if ext == "json"}
    assert "长治高新区" in served
    # every context layer in the pane under the parcels; the images under them
    assert html.count('pane: "devzoneLayers"') == len(data.layers)
    assert html.count('"pane": "devzoneImages"') == len(data.images)
    assert html.count("window.devzone.load(") == len(data.layers)


def test_the_sites_map_publishes_its_layers_and_site_points(tmp_path, layers) -> None:
    files = _files(tmp_path)
    html = build_sites_map(prepare_map_data(layers), publish=files.publish
                           ).get_root().render()
    urls = [u for u, _, _ in FILE_URL.findall(html)]
    names = set()
    for url in urls:
        for f in json.loads(_served(files, url))["features"]:
            names.add(f["properties"].get("name"))
    assert {"石灰岩矿", "煤矿<b>"} <= names
    assert "石灰岩矿" not in html
