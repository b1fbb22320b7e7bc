"""Streamlit entry: page config, sidebar and navigation; the pages live in ``ui/pages``."""

from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.state import get_state
from ui.widgets import current_lang, sidebar

# No page or favicon icons: Streamlit fetches a Material-symbol favicon from a font CDN (an
# intranet has none) and emoji need a font intranet machines often lack.
st.set_page_config(page_title=t("app.title", current_lang()), layout="wide")
lang = sidebar(get_state())
PAGES = [  # (file, i18n key of the title, URL path)
    ("ui/pages/overview.py", "nav.overview", "overview"),
    ("ui/pages/map.py", "nav.map", "map"),
    ("ui/pages/parcels.py", "nav.parcels", "parcels"),
    ("ui/pages/restoration.py", "nav.restoration", "restoration"),
    ("ui/pages/supervision.py", "nav.supervision", "supervision"),
    ("ui/pages/data.py", "nav.data", "data"),
]
st.navigation([  # the default page (overview) is served at "/"
    st.Page(path, title=t(key, lang), default=url == "overview",
            url_path=None if url == "overview" else url)
    for path, key, url in PAGES]).run()
