"""Offline assets: the lockfile pins every package, fetch refuses tampering, maps link locally."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tarfile
from pathlib import Path

import pytest

from ui import assets
from ui.map import build_map, prepare_map_data
from ui.map.elements import Helpers


def test_lockfile_pins_every_package_the_map_uses() -> None:
    manifest = json.loads((assets.ASSET_DIR / "package.json").read_text())
    lock = json.loads((assets.ASSET_DIR / "package-lock.json").read_text())
    deps = manifest["dependencies"]
    for name, version in deps.items():
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["version"] == version  # exact pins, no ranges
        assert entry["integrity"].startswith("sha512-")
    used = {a.package for a in (*assets.JS_ASSETS.values(), *assets.CSS_ASSETS.values()) if a}
    assert used == set(deps)


def _tgz(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
    return buf.getvalue()


def test_extract_copies_only_wanted_files_and_never_escapes(tmp_path: Path) -> None:
    tgz = tmp_path / "leaflet.tgz"
    tgz.write_bytes(_tgz({
        "package/dist/leaflet.js": b"L=1", "package/dist/leaflet.css": b"x{}",
        "package/dist/images/layers.png": b"png", "package/src/Map.js": b"unused",
        "package/../../evil.js": b"boom",
    }, symlink="package/dist/images/link.png"))
    dest = tmp_path / "out"
    n = assets._extract(tgz, "leaflet", dest)
    got = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert got == ["leaflet/dist/images/layers.png", "leaflet/dist/leaflet.css",
                   "leaflet/dist/leaflet.js"]
    assert n == 3
    assert not (tmp_path / "evil.js").exists() and not list(tmp_path.rglob("link.png"))


def test_integrity_mismatch_is_refused(tmp_path: Path) -> None:
    tgz = tmp_path / "p.tgz"
    tgz.write_bytes(b"payload")
    good = "sha512-" + base64.b64encode(hashlib.sha512(b"payload").digest()).decode()
    assets._check_integrity(tgz, good)
    bad = "sha512-" + base64.b64encode(hashlib.sha512(b"other").digest()).decode()
    with pytest.raises(assets.AssetError, match="integrity"):
        assets._check_integrity(tgz, bad)


def test_every_map_links_only_local_assets_that_exist(layers, dem, coverage) -> None:
    """A new plugin bringing a CDN link back fails here."""
    data = prepare_map_data(layers, dem=dem, coverage=coverage)
    html = build_map(data, lang="zh").get_root().render()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls
    external = [u for u in urls if not assets.is_local(u) and not u.startswith("data:")]
    assert external == []
    if assets.missing_files():
        if os.environ.get("CI"):
            pytest.fail("map assets missing in CI: `make setup` must run `python -m ui.assets "
                        "fetch`")
        pytest.skip("map assets not fetched: run `make assets`")
    for url in urls:
        if url.startswith(assets.URL_PREFIX):
            assert (assets.VENDOR_DIR / url.removeprefix(assets.URL_PREFIX + "/")).is_file(), url


def test_first_party_script_is_tracked_not_vendored_and_linked_without_the_bundle(
        layers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helpers live in a tracked folder (vendor/ is git-ignored and rebuilt by fetch)."""
    root = assets.ASSET_DIR.parent.parent
    assert assets.HELPERS_FILE.is_file()
    assert assets.VENDOR_DIR not in assets.HELPERS_FILE.parents
    ignored = (root / ".gitignore").read_text().split()
    rel = assets.HELPERS_FILE.relative_to(root).as_posix()
    assert not any(rel.startswith(p.rstrip("*")) for p in ignored if p.endswith("/"))
    assert "window.devzone" in assets.HELPERS_FILE.read_text(encoding="utf-8")
    # without the bundle (vendor files missing), the helpers keep their own local URL
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path)
    table = assets._js_table()
    assert table[assets.HELPERS_JS] == assets.HELPERS_URL
    assert assets.HELPERS_URL.startswith("/app/static/")
    assert (root / "static" / assets.HELPERS_URL.removeprefix("/app/static/")).is_file()
    # the map element that needs them asks for them by that name
    m = build_map(prepare_map_data(layers), lang="zh")
    assert any(isinstance(el, Helpers) for el in m._children.values())
    assert Helpers.default_js in ([], [(assets.HELPERS_JS, assets.HELPERS_URL)])


def test_static_folder_next_to_app_serves_the_vendor_assets() -> None:
    """Streamlit serves ``static/`` beside ``app.py``; it must be the folder we fetch into."""
    root = assets.ASSET_DIR.parent.parent
    assert (root / "static").resolve() == assets.VENDOR_DIR.parent.resolve()
    config = (root / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^enableStaticServing\s*=\s*true", config, re.M)


def _fake_vendor(root: Path) -> dict[str, str]:
    """Every bundled vendor script as a tiny file (one ending in ``)`` and a source-map
    comment); the first-party helpers are the real file."""
    texts = {assets.HELPERS_JS: assets.HELPERS_FILE.read_text(encoding="utf-8")}
    for i, name in enumerate(assets.BUNDLED_JS):
        if name == assets.HELPERS_JS:
            continue
        asset = assets.JS_ASSETS[name]
        path = root / asset.package / asset.path
        path.parent.mkdir(parents=True, exist_ok=True)
        texts[name] = f"window.order = (window.order || []).concat([{i}])"
        path.write_text(texts[name] + "\n//# sourceMappingURL=x.js.map", encoding="utf-8")
    return texts


def test_bundle_concatenates_the_map_scripts_in_order(tmp_path: Path) -> None:
    texts = _fake_vendor(tmp_path)
    out = assets.build_bundle(tmp_path)
    assert out == tmp_path / assets.BUNDLE
    body = out.read_text(encoding="utf-8")
    positions = [body.index(texts[name]) for name in assets.BUNDLED_JS]
    assert positions == sorted(positions)  # Leaflet first, plugins after, helpers last
    assert assets.BUNDLED_JS[-1] == assets.HELPERS_JS
    assert "sourceMappingURL" not in body  # would point next to the bundle, at nothing
    assert body.count("\n;\n") == len(assets.BUNDLED_JS) - 1  # no "(…)(function…)" call


def test_bundle_is_rebuilt_when_a_script_changes_and_skipped_when_one_is_missing(
        tmp_path: Path) -> None:
    _fake_vendor(tmp_path)
    out = assets.build_bundle(tmp_path)
    first = out.stat().st_mtime_ns
    assert assets.build_bundle(tmp_path).stat().st_mtime_ns == first  # up to date: untouched
    leaflet = assets.JS_ASSETS["leaflet"]
    src = tmp_path / leaflet.package / leaflet.path
    src.write_text("window.L = 2", encoding="utf-8")
    os.utime(src, ns=(first + 10**9, first + 10**9))
    assert "window.L = 2" in assets.build_bundle(tmp_path).read_text(encoding="utf-8")
    src.unlink()
    assert assets.build_bundle(tmp_path) is None  # the map then loads the files one by one


def test_the_map_loads_one_script_when_the_bundle_exists(layers) -> None:
    """streamlit-folium loads scripts one after another: one request instead of eight."""
    if assets.missing_files():
        if os.environ.get("CI"):
            pytest.fail("map assets missing in CI")
        pytest.skip("map assets not fetched: run `make assets`")
    bundle = assets.build_bundle()
    assert bundle is not None and bundle.is_file()
    m = build_map(prepare_map_data(layers), lang="zh")
    m.get_root().render()
    scripts = re.findall(r'<script src="([^"]+)"', m.get_root().header.render())
    assert scripts == [f"{assets.URL_PREFIX}/{assets.BUNDLE}"]
    body = bundle.read_text(encoding="utf-8")
    for name, path in assets._bundle_sources(assets.VENDOR_DIR):  # each script, whole
        text = path.read_text(encoding="utf-8")
        assert assets._SOURCE_MAP.sub("", text) in body, name
