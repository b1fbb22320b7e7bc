"""Warm start: the results the first page needs, loaded (or computed) in the background.

:func:`start` runs once per process, from ``app.py`` and earlier from
:mod:`ui.serve` at server start. Its thread imports what the pages use and
fills ``ui.data``'s in-memory caches for the workspace as it is, the rulebook
in force and the default check date, in the order a first visitor needs them:
the map data (from the workspace's ``.devzone/cache`` when its inputs are
unchanged, else computed and stored with the results it shows) and the map of
the opening view, then the parcels' geometries (the opening view needs only their
index), the readiness and restoration results and the summary.
Those wait until a first map has been sent to a browser and drawn there
(:func:`map_sent`; at most ``MAP_WAIT_S`` + ``DRAW_S``): loading them meanwhile
took the CPU from the first visitor's page. A page asking for the same result
meanwhile waits for it instead of computing it twice; a failure is logged and
left to the page, which shows it as it always does.
"""

from __future__ import annotations

import logging
import threading
import time

__all__ = ["map_sent", "start", "wait"]

log = logging.getLogger("devzone.warm")
# after the opening map, the rest of the warm-up waits for a first map to be sent (at most
# MAP_WAIT_S seconds), then leaves the browser DRAW_S seconds of CPU to draw it
MAP_WAIT_S = 10.0
DRAW_S = 2.0
_lock = threading.Lock()
_thread: threading.Thread | None = None
_map_sent = threading.Event()
_hurry = threading.Event()  # someone waits for the warm-up: no more pauses


def start() -> bool:
    """Start the warm-up thread unless this process already has; ``True`` if it was started."""
    global _thread
    with _lock:
        if _thread is not None:
            return False
        from layers.settings import DeploymentSettings

        # the workspace of this process at start: a thread never fills another one's cache
        workspace = DeploymentSettings.from_env().workspace
        _thread = threading.Thread(target=_run, args=(workspace,), name="devzone-warm",
                                   daemon=True)
    _thread.start()
    return True


def map_sent() -> None:
    """Say that a page has sent a map to its browser: the rest of the warm-up may follow."""
    _map_sent.set()


def wait(timeout: float | None = None) -> bool:
    """Wait for the warm-up thread to finish (for tests and benchmarks); ``True`` if it has.

    The warm-up then runs without waiting for a first map (:func:`map_sent`).
    """
    if _thread is None:
        return False
    _hurry.set()
    _map_sent.set()
    _thread.join(timeout)
    return not _thread.is_alive()


def _run(workspace: object) -> None:
    t0 = time.perf_counter()
    try:
        _quiet_streamlit()
        from gis.errors import PlannerError
        from layers.settings import DeploymentSettings
        from ui import data as uidata
        from ui import widgets  # noqa: F401  (the pages' imports: folium, streamlit_folium …)

        if DeploymentSettings.from_env().workspace != workspace:
            log.info("warm start skipped: the workspace setting changed since start")
            return
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        as_of = uidata.default_as_of()
        text: str | None = None
        try:
            text = uidata.rules_text(ws, {})
        except PlannerError as exc:  # the page says the same when it asks
            log.info("warm start: no rulebook: %s", exc)
        # what the map pages draw first, then the results behind their tables and panels
        data, _ = uidata.map_data(snap, text, as_of)
        _opening_map(data)
        _index_module_files()
        log.info("warm start: map ready in %.1f s", time.perf_counter() - t0)
        _after_first_map()
        _parcels(data)
        if text is not None:
            try:
                uidata.readiness(snap, text, as_of)
            except PlannerError as exc:
                log.info("warm start: no readiness result: %s", exc)
        try:
            uidata.restoration(snap, as_of)
        except PlannerError as exc:
            log.info("warm start: no restoration result: %s", exc)
        uidata.readiness_summary(snap, text, as_of)
        log.info("warm start done in %.1f s", time.perf_counter() - t0)
    except Exception:  # never into the UI: the pages compute (and report) on their own
        log.warning("warm start failed after %.1f s", time.perf_counter() - t0, exc_info=True)


def _after_first_map() -> None:
    """Wait for a first map to be sent (at most ``MAP_WAIT_S``), then ``DRAW_S`` more: the
    results loaded next would take the CPU the first visitor's browser draws the map with."""
    if _map_sent.wait(MAP_WAIT_S):
        _hurry.wait(DRAW_S)


def _opening_map(data: object) -> None:
    """Build the map of the opening view once, as the pages do: the layers' GeoJSON and the
    opening view are memoised on ``data``, the map's files written (``ui.map_files``, old
    ones pruned first), folium's element classes imported.

    ``streamlit_folium`` is left to the page: imported before the server's runtime
    exists, its component would not be registered with it (the map's frame stays blank).
    """
    from ui import map_files
    from ui.map import MapData, build_map, layer_control, parcel_layer

    if not isinstance(data, MapData):
        return
    map_files.prune()
    m = build_map(data, dynamic=True, publish=map_files.publish)  # the files written now
    fg, _ = parcel_layer(data)
    fg.add_to(m)
    layer_control().add_to(m)
    m.get_root().render()


def _parcels(data: object) -> None:
    """Decode the parcels of map data read from the cache (their index and the opening
    view sufficed so far), before a visitor's first click or pan asks for them."""
    from layers.results_cache import CacheError
    from ui.map import MapData

    if isinstance(data, MapData):
        try:
            data.parcels  # noqa: B018  (read for its side effect)
        except CacheError as exc:  # the file's checksum held when it was read: only a bug
            # or a lack of memory gets here; logged, and raised again where a page asks
            log.warning("warm start: stored map parcels unreadable: %s", exc)


def _index_module_files() -> None:
    """Fill :mod:`inspect`'s file → module index for every module loaded by now.

    The first ``inspect.getmodule`` of a frame in a process resolves the path of
    every loaded module (1,500 and more here, 0.1–0.25 s); later calls add only the
    modules imported since. Streamlit does it on a page's first element
    (``inspect.stack()``) and ``declare_component`` again when the page imports
    ``streamlit_folium``: done here, it is no longer on the first visitor's wait.
    """
    import inspect

    inspect.getmodule(inspect.currentframe())


def _quiet_streamlit() -> None:
    """No 'missing ScriptRunContext' warning per cached call made outside a page run."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR)
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
