"""General geospatial machinery: errors, CRS handling, safe I/O, rasters, measurements.

Nothing here imports Streamlit or folium, and nothing here knows the planning domain.
"""
