"""The Streamlit/folium user interface: the only code importing streamlit or folium."""
