"""Streamlit entry: page config, sign-in, sidebar and navigation; the pages live in ``ui/pages``."""

from __future__ import annotations

import streamlit as st

from gis.errors import PlannerError
from ui import auth, map_first, warm
from ui.i18n import t
from ui.state import get_state
from ui.text import md_escape
from ui.widgets import as_of, current_lang, page_language, sidebar

# No page or favicon icons: Streamlit fetches a Material-symbol favicon from a font CDN (an
# intranet has none) and emoji need a font intranet machines often lack.
st.set_page_config(page_title=t("app.title", current_lang()), layout="wide")
warm.start()  # once per process: cached results and map data loaded in the background
state = get_state()
try:
    cfg = auth.settings()
except PlannerError as exc:  # a bad DEVZONE_* value: say which, show nothing else
    st.error(md_escape(exc.text(current_lang())))
    st.stop()
PAGES = [  # (file, i18n key of the title, URL path)
    ("ui/pages/overview.py", "nav.overview", "overview"),
    ("ui/pages/map.py", "nav.map", "map"),
    ("ui/pages/parcels.py", "nav.parcels", "parcels"),
    ("ui/pages/catalogue.py", "nav.catalogue", "catalogue"),
    ("ui/pages/restoration.py", "nav.restoration", "restoration"),
    ("ui/pages/supervision.py", "nav.supervision", "supervision"),
    ("ui/pages/scenarios.py", "nav.scenarios", "scenarios"),
    ("ui/pages/data.py", "nav.data", "data"),
]
auth.current_user(state, cfg)  # sign-in expiry and the provider's sign-in, before may_view
if not auth.may_view(state, cfg):
    auth.user_box(state, current_lang(), cfg)
    # anonymous viewing off: every address shows the sign-in form (the parcel catalogue
    # excepted when public), and after signing in the same address shows the page asked for
    st.navigation([auth.gated_page(*page, current_lang(), cfg) for page in PAGES],
                  position="hidden").run()
    st.stop()


def controls() -> str:
    """The sidebar's sign-in box and settings; returns the language."""
    auth.user_box(state, current_lang(), cfg)
    return sidebar(state)


lang = current_lang()
page = st.navigation([  # the default page (overview) is served at "/"
    st.Page(path, title=t(key, lang), default=url == "overview",
            url_path=None if url == "overview" else url)
    for path, key, url in PAGES])
held = map_first.hold(page.url_path)  # a session opening on the map: the map comes first
if held:
    as_of()  # the page reads the check date before the sidebar has drawn it
else:
    lang = controls()
page_language(lang)
page.run()
if held and not map_first.was_drawn():  # no map, so no report to start the next run
    controls()
