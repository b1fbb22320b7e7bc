"""The floor of a first paint: a Streamlit page holding one ``st_folium`` map of one polygon.

Run by ``bench/first_paint.py`` (through ``serve.py``) beside the app: the time this page
takes is what Streamlit and streamlit-folium cost on this machine before any workspace
data, so the app's own share is the difference.
"""

import folium
import streamlit as st
from streamlit_folium import st_folium

from ui.assets import use_local_assets

st.set_page_config(page_title="floor", layout="wide")


def _page() -> None:
    use_local_assets()  # no request leaves the machine
    m = folium.Map(location=[36.2, 113.1], zoom_start=10, tiles=None)
    folium.GeoJson({"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon",
        "coordinates": [[[113.0, 36.1], [113.2, 36.1], [113.2, 36.3], [113.0, 36.1]]]}},
    ).add_to(m)
    st_folium(m, height=700, use_container_width=True, returned_objects=[])


st.navigation([st.Page(_page, title="map", url_path="map", default=True)]).run()
