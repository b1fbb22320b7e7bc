"""Map page: the map fills the window; find a parcel by id or name; its rules in a side panel."""

from __future__ import annotations

import shapely
import streamlit as st

from ui import data as uidata
from ui import map_first
from ui.i18n import t
from ui.map import MapData
from ui.state import get_state
from ui.text import md_escape, public_text
from ui.widgets import guard, readiness_label, rule_details, rule_labels, workspace_map

# The map's frame follows the window's height: less the page's top padding, title, search row
# and the caption under the map (pixels); never smaller than a laptop's useful map.
FRAME = 'iframe[title="streamlit_folium.st_folium"]'
CHROME_PX = 240
MIN_MAP_PX = 420
#: The search row's height, kept free while the map comes first and while the row's parts
#: mount (no jump when the row comes): one line, or two where Streamlit stacks columns
#: (windows up to 640 px wide). The row's container holds it, so it holds across both runs.
HEAD_KEY = "map_head"
HEAD_PX, STACKED_HEAD_PX = 40, 96
PAGE_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 2.2rem; padding-bottom: 0.5rem; }}
{FRAME} {{ height: max({MIN_MAP_PX}px, calc(100vh - {CHROME_PX}px)) !important; }}
.st-key-{HEAD_KEY} {{ min-height: {HEAD_PX}px; }}
@media (max-width: 640px) {{ .st-key-{HEAD_KEY} {{ min-height: {STACKED_HEAD_PX}px; }} }}
</style>"""


def _search(data: MapData, lang: str) -> str | None:
    """The search box (id or name) and, for several matches, a choice; the parcel to fly to."""
    box, pick_col = st.columns([3, 2])
    query = box.text_input(t("map.search", lang), key="map_search",
                           placeholder=t("map.search_hint", lang), label_visibility="collapsed")
    if not query.strip():
        return None
    matches = data.index.search(query)
    if not matches:
        pick_col.caption(t("map.search_none", lang, q=query.strip()))
        return None
    if len(matches) == 1:
        return matches[0]

    def label(pid: str) -> str:
        name = data.parcel_value(pid, "name")
        return f"{pid} · {name}" if name else pid

    return pick_col.selectbox(t("map.search_pick", lang, n=len(matches)), matches,
                              format_func=label, key="map_search_pick",
                              label_visibility="collapsed")


def _rule_panel(snap: object, text: str | None, data: MapData,
                labels: dict[str, str], rules: object, lang: str) -> None:
    state = get_state()
    pid = state.selected_parcel
    if pid is None:
        st.info(t("map.pick_parcel", lang))
    else:
        st.subheader(t("map.parcel_rules", lang, id=md_escape(pid)))
        # asked for here, not before the map: the map's colours come with its own data, so
        # the first paint never waits for the (large) result table to load
        result = None
        if text is not None:
            with guard(lang):
                result = uidata.readiness(snap, text, state.as_of)
        if result is None:
            st.info(t("msg.not_yet", lang, what=t("engine.readiness", lang)))
        else:
            overall = result.overall
            row = overall[overall["parcel_id"].astype(str) == pid]
            if len(row):
                st.markdown(f"**{t('readiness', lang)}:** "
                            f"{readiness_label(str(row['readiness'].iloc[0]), lang)}")
            long = result.long[result.long["parcel_id"].astype(str) == pid]
            rule_details(long, lang, labels, rules=rules, key="parcel_rules_table",
                         industry=data.parcel_value(pid, "industry"))
    if state.sketch:
        st.subheader(t("map.sketch_result", lang))
        with guard(lang):
            geom = shapely.from_wkt(state.sketch)
            sketch = uidata.check_sketch(snap, text, geom, state.as_of)
            st.markdown(t("map.sketch_overall", lang,
                          status=readiness_label(sketch.readiness, lang)))
            rule_details(sketch.long, lang, labels, rules=rules, key="sketch_rules_table")


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.html(PAGE_CSS)
    st.title(t("nav.map", lang))
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        text = None
        with guard(lang):
            text = uidata.rules_text(ws, state.rule_overrides)
        data, notes = uidata.map_data(snap, text, state.as_of)
        for note in notes:
            st.warning(md_escape(public_text(note.text(lang))))
        labels = rule_labels(text, lang)
        rules = None
        if text is not None:
            with guard(lang):
                rules = uidata.rulebook(text)
        held = map_first.held()  # a session's first run: the map before the controls
        head = st.container(key=HEAD_KEY)  # its height is kept free (PAGE_CSS)
        found = toggle = None
        if held:  # something in it, or Streamlit does not lay the container out
            head.html("<div></div>")
        else:
            with head:
                search, toggle = st.columns([3, 1], vertical_alignment="center")
            with search:
                found = _search(data, lang)
        focus = None  # fly to a parcel found once per search, then leave the view to the user
        if found != st.session_state.get("map_search_done"):
            st.session_state["map_search_done"] = focus = found
            if found is not None:
                state.selected_parcel = found
        # the map takes the whole width until there is something to show beside it: a new
        # parcel or sketch opens the panel; the switch closes it again
        shown = (state.selected_parcel, state.sketch)
        if shown != st.session_state.get("map_panel_for"):
            st.session_state["map_panel_for"] = shown
            if any(v is not None for v in shown):
                st.session_state["map_panel"] = True
        panel = (toggle.toggle(t("map.panel", lang), key="map_panel") if toggle is not None
                 else bool(st.session_state.get("map_panel", False)))
        # one block either way, the map always in its first column: no reload when it toggles
        cols = st.columns([3, 2] if panel else [1])
        left, right = cols[0], (cols[1] if panel else None)
        with left:
            workspace_map("main_map", data, lang, height=640, focus=focus)
            if not held:
                st.caption(t("map.click_hint", lang))
        if right is not None:
            with right, guard(lang):
                _rule_panel(snap, text, data, labels, rules, lang)


main()
