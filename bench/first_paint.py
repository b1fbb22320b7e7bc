"""Benchmark of the app in a real browser: first paint of the Map page and bytes per render.

Usage: ``python bench/first_paint.py [--runs 3] [--big /tmp/demo_1e5] [--parcels 100000]
[--only demo|big|floor]``. Prints medians of ``--runs`` runs (cold, restart, warm) for the
demo, the large workspace and the floor page.

For each workspace (the demo in ``data/demo`` and a large demo built with
``devzone demo --parcels N`` unless it exists) the app is started with
Streamlit on a free 127.0.0.1 port and the Map page is opened in headless
Debian Chromium (Playwright, never a downloaded browser; no host name but
127.0.0.1 resolves, and any request elsewhere is counted):

- **cold**: the first page load right after a server start (``python -m ui.serve``,
  as ``make run`` starts it) with the workspace's results cache on disk, in a FRESH
  browser (no HTTP cache): a first, untimed server fills ``.devzone/cache``; then
  each run starts a new server and opens the page as soon as it answers (the
  warm-up thread is still loading);
- **restart**: the same server restart, but a RETURNING browser opens the page (the
  daily intranet user): a persistent Chromium profile that visited the page before
  (on the first server) is launched, then the server is restarted at the same address
  and the page opened as soon as the server answers; Streamlit's hashed JavaScript and
  the map's assets come from the profile's HTTP cache;
- **restart, warm-up done**: the same, but the page is opened once the restarted
  server's warm-up has loaded the opening map (its process idle for a second): the
  first visitor of the day after a restart overnight or at deployment;
- **warm**: a new browser context on a running server whose warm-up is over (the
  bench waits until the server process has used no CPU for a second); the
  warm runs also time a rerun: a click on the map's zoom-in button until the
  last WebSocket message of the rerun it causes (the parcels of the new view);
- **warm, browser cache**: the same page loaded again in that context (a
  returning user: Streamlit's and Leaflet's files come from the browser cache).

The **floor** row is the same protocol on ``bench/floor/app.py``: a page holding one
``st_folium`` map of one polygon, started as the app is (folium imported before the
server listens). It is what Streamlit, streamlit-folium, Leaflet and this machine's
browser cost before any workspace data; the app's own share is the difference.

First paint is read from the page's own clock (``PAGE_CLOCK``, installed before
navigation): milliseconds from navigation start to the first animation frame after a
visible ``path.leaflet-interactive`` exists inside the map iframe, the frame that paints
it. Earlier versions waited for that path with a Playwright locator and counted
WebSocket frames through DevTools: the locator's retries answered 0.2–0.4 s after the
frame was painted, and copying each frame's payload to the test process took CPU from
the page on this 2-core machine. Bytes are counted per page load: HTTP bytes actually
transferred (Resource Timing ``transferSize`` of the page and its component
iframes: Streamlit's JavaScript, the map component, Leaflet assets; a returning
browser gets most of them from its cache), WebSocket messages from the server as the
page receives them (the page's elements, including the ``st_folium`` payload), and the
largest of them before the paint alone (the map's script, feature group, layer control
and html). The breakdown columns split first paint into "server" (navigation → the page
receives the message carrying the map) and "browser" (that message → the paint).
The context layers the map's frame fetches as files (``ui/map_files.py``) are drawn
after the parcels have painted: "layers drawn" is navigation → the last of them drawn
(``window.devzone.loadedAt`` in the frame, on the page's clock). "controls" is
navigation → the sidebar's date input and the page's search box both drawn: a session
opening on the Map page gets the map first and its controls with the next run
(``ui/map_first.py``), so this is the price of the earlier paint.
Targets (issue #5):
first paint ≤ 1.5 s, ≤ 5 MB per render, rerun rebuild ≤ 0.3 s, at any size.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-domain-reliability",
                 # an intranet without internet: no host but this one resolves
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# bytes received over HTTP by a document (headers + body; 0 when served from the browser cache)
TRANSFERRED_JS = """() => performance.getEntriesByType('navigation')
  .concat(performance.getEntriesByType('resource'))
  .reduce((sum, e) => sum + (e.transferSize || 0), 0)"""
NOT_LOCAL = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost)[:/]|data:|blob:"
                       r"|about:)")
# The page's own clock, installed before navigation (top document only; all times are ms
# since navigation start): every WebSocket message as the page receives it, and the first
# animation frame after a visible map path exists in the map's iframe, i.e. the frame
# that paints it. Polled every 8 ms from the page, so no DevTools traffic (a WebSocket
# payload copied to the test process, Playwright's own retries) is on the clock.
PAGE_CLOCK = """(() => {
  if (window.top !== window) return;
  const rec = window.__devzone = {ws: [], paint: null, controls: null};
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', (e) => {
      const d = e.data;
      rec.ws.push([performance.now(), d.byteLength ?? d.size ?? d.length ?? 0]);
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  const poll = setInterval(() => {
    const frame = document.querySelector(__MAP_FRAME__);
    const doc = frame && frame.contentDocument;
    if (!doc) return;
    for (const p of doc.querySelectorAll('path.leaflet-interactive')) {
      const r = p.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) {
        clearInterval(poll);
        frame.contentWindow.requestAnimationFrame(() => { rec.paint = performance.now(); });
        return;
      }
    }
  }, 8);
  const controls = setInterval(() => {
    if (document.querySelector('[data-testid="stSidebar"] [data-testid="stDateInput"]')
        && document.querySelector('[data-testid="stMain"] [data-testid="stTextInput"]')) {
      clearInterval(controls);
      rec.controls = performance.now();
    }
  }, 8);
})();""".replace("__MAP_FRAME__", repr(MAP_FRAME))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(NamedTuple):
    url: str  # base URL
    pid: int


def settle(pid: int, *, idle_s: float = 1.0, limit_s: float = 120.0) -> float:
    """Wait until process ``pid`` has used < 2 % CPU for ``idle_s`` (its warm-up is over, at
    most ``limit_s``); the seconds waited."""
    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    t0 = time.monotonic()
    last = cpu()
    while time.monotonic() - t0 < limit_s:
        time.sleep(idle_s)
        now = cpu()
        if now - last < 0.02 * idle_s:
            break
        last = now
    return time.monotonic() - t0


@contextlib.contextmanager
def app_server(workspace: Path | None, log_path: Path, port: int | None = None, *,
               floor: Path | None = None) -> Iterator[Server]:
    """The app on ``port`` (else a free one) over ``workspace``; yields its URL and pid.

    With ``floor`` (a folder holding ``app.py`` and ``static``), the floor page of
    ``bench/floor`` instead of the app, started the same way.
    """
    port = port or _free_port()
    # as a user's Python: bytecode written and reused (a shell's PYTHONDONTWRITEBYTECODE
    # would make every server start compile its modules again)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if floor is None:  # as `make run` starts it: ui.serve warms up at start
        start = [sys.executable, "-m", "ui.serve"]
        env["DEVZONE_WORKSPACE"] = str(workspace)
    else:
        start = [sys.executable, str(ROOT / "bench" / "floor" / "serve.py"), str(floor)]
        env["PYTHONPATH"] = str(ROOT)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [*start, "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the app did not start; see {log_path}")
            time.sleep(0.2)
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def floor_folder(tmp: Path) -> Path:
    """A folder with the floor page and the app's static assets (Streamlit serves
    ``static/`` beside the page it runs)."""
    folder = tmp / "floor"
    folder.mkdir(exist_ok=True)
    shutil.copy(ROOT / "bench" / "floor" / "app.py", folder / "app.py")
    static = folder / "static"
    if not static.exists():
        static.symlink_to(ROOT / "ui" / "static", target_is_directory=True)
    return folder


@dataclass
class Load:
    """One measured page load."""

    first_paint: float = 0.0      # s, navigation → the frame painting a first map path
    server: float = 0.0           # s, navigation → the page receives the map's message
    layers: float | None = None   # s, navigation → the last context-layer file drawn
    controls: float | None = None  # s, navigation → the sidebar's date and the search box
    http_bytes: int = 0           # HTTP response bodies + headers
    ws_bytes: int = 0             # WebSocket messages received
    map_bytes: int = 0            # the largest before the paint (st_folium's payload)
    rerender: float | None = None  # s, zoom-in click → the rerun's last message
    rerender_ws_bytes: int | None = None
    external: list[str] = field(default_factory=list)


CONTEXT = {"locale": "zh-CN", "viewport": {"width": 1440, "height": 1000}}
_DEVZONE = f"document.querySelector({MAP_FRAME!r}).contentWindow.devzone"
CONTROLS_DONE_JS = ("() => window.__devzone.controls !== null"
                    " || !document.querySelector('[data-testid=\"stSidebar\"]')")
LAYERS_DONE_JS = f"() => !{_DEVZONE} || !{_DEVZONE}.pending"
# the page's clock: the frame's performance.now() plus the frame's start on the page's clock
LAYERS_DRAWN_JS = f"""() => {{
  const f = document.querySelector({MAP_FRAME!r}).contentWindow, d = f.devzone;
  return d && d.loadedAt !== null
    ? f.performance.timeOrigin - performance.timeOrigin + d.loadedAt : null;
}}"""


def measure(browser, url: str, *, rerender: bool, revisit: bool = False, ctx=None
            ) -> tuple[Load, Load | None]:
    """Open ``url/map`` in a fresh context (else in ``ctx``) and time the first paint.

    With ``rerender`` also time a rerun (zoom-in click → the last WebSocket message of
    the rerun); with ``revisit`` load the page a second time in the same context
    (the browser's HTTP cache hot, as for a returning user). ``ctx`` is left open.
    """
    own = ctx is None
    if ctx is None:
        ctx = browser.new_context(**CONTEXT)
    page = ctx.new_page()
    page.add_init_script(PAGE_CLOCK)
    external: list[str] = []

    def _request(req) -> None:
        if NOT_LOCAL.match(req.url):
            external.append(req.url)

    page.on("request", _request)  # not page.route: routing would disable the HTTP cache

    def _messages() -> list[list[float]]:
        return page.evaluate("() => window.__devzone.ws")

    def _load() -> Load:
        out = Load(external=external)
        page.goto(f"{url}/map")
        page.wait_for_function("() => window.__devzone.paint !== null", polling=50,
                               timeout=120_000)
        out.first_paint = page.evaluate("() => window.__devzone.paint") / 1000
        page.wait_for_timeout(1000)  # the stylesheets and images requested after the scripts
        # the context layers the frame fetches as files are drawn after the parcels
        # (window.devzone in ui/static/js/devzone-map.js); none on the floor page
        page.wait_for_function(LAYERS_DONE_JS, polling=50, timeout=60_000)
        drawn = page.evaluate(LAYERS_DRAWN_JS)
        out.layers = drawn / 1000 if drawn is not None else None
        # the page's controls (none on the floor page, which has no sidebar)
        page.wait_for_function(CONTROLS_DONE_JS, polling=50, timeout=60_000)
        ctl = page.evaluate("() => window.__devzone.controls")
        out.controls = ctl / 1000 if ctl is not None else None
        frames = _messages()
        # the map's message: the largest before the paint (a rerun the map's first report
        # causes may send it again after)
        before = [f for f in frames if f[0] / 1000 <= out.first_paint] or frames or [[0, 0]]
        biggest = max(before, key=lambda f: f[1])
        out.server = biggest[0] / 1000
        out.map_bytes = int(biggest[1])
        out.ws_bytes = int(sum(n for _, n in frames))
        for fr in page.frames:  # the page and its component iframes; 0 for a cache hit
            if not fr.is_detached():
                out.http_bytes += int(fr.evaluate(TRANSFERRED_JS))
        return out

    first = _load()
    if rerender:
        page.wait_for_timeout(2000)  # let the first view report (a rerun) settle
        n_before = len(_messages())
        t2 = page.evaluate("() => performance.now()")
        page.frame_locator(MAP_FRAME).first.locator(".leaflet-control-zoom-in").click()
        deadline = time.perf_counter() + 60
        new: list[list[float]] = []
        while time.perf_counter() < deadline:  # the rerun's messages, then 0.5 s of quiet
            page.wait_for_timeout(50)
            new = _messages()[n_before:]
            now = page.evaluate("() => performance.now()")
            if new and now - new[-1][0] > 500:
                break
        first.rerender = (new[-1][0] - t2) / 1000 if new else None
        first.rerender_ws_bytes = int(sum(n for _, n in new))
    again = _load() if revisit else None
    if own:
        ctx.close()
    else:
        page.close()
    return first, again


@contextlib.contextmanager
def returning_browser(pw, profile: Path) -> Iterator[object]:
    """A persistent Chromium profile at ``profile`` (its HTTP cache on disk), launched."""
    ctx = pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **CONTEXT)
    try:
        yield ctx
    finally:
        ctx.close()  # the profile's cache is flushed to disk


def med(values) -> float:
    """The median of an iterable of numbers."""
    return statistics.median(list(values))


def ensure_big(path: Path, parcels: int) -> Path:
    """A demo workspace of ``parcels`` parcels at ``path`` (built once, ~15 s for 1e5)."""
    if (path / "workspace.toml").is_file():
        return path
    devzone = Path(sys.executable).with_name("devzone")
    print(f"building {path} ({parcels:,} parcels)…", file=sys.stderr)
    subprocess.run([str(devzone), "demo", "--out", str(path), "--parcels", str(parcels), "-q"],
                   check=True)
    return path


def ensure_demo() -> Path:
    demo = ROOT / "data" / "demo"
    if (demo / "workspace.toml").is_file():
        return demo
    return ensure_big(Path(tempfile.gettempdir()) / "devzone_demo_bench", 300)


def _private_copy(ws: Path, tmp: Path) -> Path:
    """A copy of the workspace (the app never writes on a page load, but stay safe)."""
    dst = tmp / ws.name
    if not dst.exists():
        shutil.copytree(ws, dst)
    return dst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--big", type=Path, default=Path("/tmp/demo_1e5"),
                    help="large workspace folder (built if missing)")
    ap.add_argument("--parcels", type=int, default=100_000, help="parcels of the large one")
    ap.add_argument("--only", choices=["demo", "big", "floor"],
                    help="measure one of them only (floor: bench/floor, no workspace)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from ui.assets import missing_files

    if missing_files():
        raise SystemExit("map assets missing: run `make assets` (python -m ui.assets fetch)")

    workspaces = {"demo": ensure_demo, "big": lambda: ensure_big(args.big, args.parcels)}
    chosen = [args.only] if args.only else [*workspaces, "floor"]
    rows = []
    log_path = Path(tempfile.gettempdir()) / "devzone-first-paint-server.log"
    log_path.write_bytes(b"")
    import host_speed

    before = host_speed.describe()
    with tempfile.TemporaryDirectory(prefix="devzone-fp-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        for name in chosen:
            if name == "floor":
                folder = floor_folder(Path(tmp))
                label = "floor: one polygon, no workspace"
                loads = _protocol(pw, browser, name, Path(tmp), args.runs, rerender=False,
                                  start=lambda port, f=folder: app_server(
                                      None, log_path, port, floor=f))
            else:
                ws = _private_copy(workspaces[name](), Path(tmp))
                label = f"{name} ({_count_parcels(ws):,} parcels)"
                loads = _protocol(pw, browser, name, Path(tmp), args.runs, rerender=True,
                                  start=lambda port, w=ws: app_server(w, log_path, port))
            for kind, runs in loads.items():
                rows.append(_row(label, kind, runs))
        browser.close()
    cols = list(rows[0])
    print(f"medians of {args.runs} runs; server log: {log_path}")
    print(f"before the runs, {before}; after them, {host_speed.describe()}")
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("---" for _ in cols) + "|")
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")


def _protocol(pw, browser, name: str, tmp: Path, runs: int, *, rerender: bool,
              start) -> dict[str, list[Load]]:
    """The loads of one app (``start(port)`` starts its server): cold, restart with a
    returning browser (at once, and after the warm-up), warm, warm with the browser
    cache; ``runs`` of each."""
    cold: list[Load] = []
    restart: list[Load] = []
    settled: list[Load] = []
    warm: list[Load] = []
    revisit: list[Load] = []
    port = _free_port()  # one address for the app: a returning browser's cache
    profile = tmp / f"profile-{name}"
    # a first server fills the workspace's results cache (.devzone/cache) and is not
    # timed: "cold" is a restart with the cache on disk, as after any server restart;
    # the returning browser's profile visits the page on it (its HTTP cache filled)
    with start(port) as srv:
        prime = measure(browser, srv.url, rerender=False)[0]
        print(f"{name}: priming load (results computed and stored) "
              f"{prime.first_paint:.2f} s", file=sys.stderr)
        with returning_browser(pw, profile) as ctx:
            measure(browser, srv.url, rerender=False, ctx=ctx)
    for _ in range(runs):  # cold and restart interleaved, each on a new server
        with start(port) as srv:
            cold.append(measure(browser, srv.url, rerender=False)[0])
            if not warm:  # warm runs on the first server, its warm-up over
                print(f"{name}: server settled {settle(srv.pid):.1f} s after the cold "
                      "load", file=sys.stderr)
                for _ in range(runs):
                    first, again = measure(browser, srv.url, rerender=rerender, revisit=True)
                    warm.append(first)
                    revisit.append(again)
        # the browser is open before the server: the page is asked for as soon as
        # the restarted server answers
        with returning_browser(pw, profile) as ctx, start(port) as srv:
            restart.append(measure(browser, srv.url, rerender=False, ctx=ctx)[0])
        with returning_browser(pw, profile) as ctx, start(port) as srv:
            settle(srv.pid)
            settled.append(measure(browser, srv.url, rerender=False, ctx=ctx)[0])
    return {"cold": cold, "restart, browser cache": restart,
            "restart, warm-up done, browser cache": settled, "warm": warm,
            "warm, browser cache": revisit}


def _row(label: str, kind: str, loads: list[Load]) -> dict[str, object]:
    """One table row: medians of ``loads``."""
    external = sorted({u for ld in loads for u in ld.external})
    rr = [ld.rerender for ld in loads if ld.rerender is not None]
    rb = [ld.rerender_ws_bytes for ld in loads if ld.rerender_ws_bytes is not None]
    drawn = [ld.layers for ld in loads if ld.layers is not None]
    ctl = [ld.controls for ld in loads if ld.controls is not None]
    return {
        "workspace": label, "load": kind,
        "first paint s": f"{med(ld.first_paint for ld in loads):.2f}",
        "server s": f"{med(ld.server for ld in loads):.2f}",
        "layers drawn s": f"{med(drawn):.2f}" if drawn else "—",
        "controls s": f"{med(ctl):.2f}" if ctl else "—",
        "browser s": f"{med(ld.first_paint - ld.server for ld in loads):.2f}",
        "HTTP MB": f"{med(ld.http_bytes for ld in loads) / 1e6:.2f}",
        "WS MB": f"{med(ld.ws_bytes for ld in loads) / 1e6:.2f}",
        "map frame MB": f"{med(ld.map_bytes for ld in loads) / 1e6:.2f}",
        "zoom rerun s": f"{statistics.median(rr):.2f}" if rr else "—",
        "zoom rerun WS MB": f"{statistics.median(rb) / 1e6:.2f}" if rb else "—",
        "external requests": len(external),
    }


def _count_parcels(ws: Path) -> int:
    import pyogrio

    from layers.workspace import Workspace

    w = Workspace.load(ws)
    src = str(w.layers.get("parcels", ""))
    path, _, layer = src.partition(":")
    try:
        return int(pyogrio.read_info(ws / path, layer=layer or None)["features"])
    except Exception:
        return -1


if __name__ == "__main__":
    main()
