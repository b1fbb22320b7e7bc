"""A session's first run on the Map page sends the map before the page's controls.

The browser renders Streamlit's controls (sidebar widgets, the search row) on the same main
thread that loads the map's frame, and the first widgets it renders cost it about 0.4 s
(docs/architecture.md, "Map first"). So when a session opens on the Map page, its first run
draws the map alone; the sign-in box, language, basemap, date and search row come with the
next run, which the map's own first report of its view starts. Everything before the map in
the page keeps its place in both runs, so the map's frame is not loaded again.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["held", "hold", "map_drawn", "was_drawn"]

#: The URL path of the page whose first run is held.
MAP_PAGE = "map"
_RAN = "_map_first_ran"
_HELD = "_map_first_held"
_DRAWN = "_map_first_drawn"


def hold(url_path: str) -> bool:
    """Decide, once per run, whether this run holds the controls back: only a session's first
    run, and only when it opens on the Map page."""
    first = not st.session_state.get(_RAN, False)
    st.session_state[_RAN] = True
    st.session_state[_HELD] = held_now = first and url_path == MAP_PAGE
    st.session_state[_DRAWN] = False
    return held_now


def held() -> bool:
    """Whether this run holds the page's controls back (see :func:`hold`)."""
    return bool(st.session_state.get(_HELD, False))


def map_drawn() -> None:
    """Say that this run has sent the map (its first report will start the next run)."""
    st.session_state[_DRAWN] = True


def was_drawn() -> bool:
    """Whether this run sent the map. A held run that did not (an error, missing map assets)
    draws its controls at once: no report would come to start the next run."""
    return bool(st.session_state.get(_DRAWN, False))
