"""Start the floor page (``app.py`` in the folder given) as ``ui.serve`` starts the app:
folium imported on a thread before the server listens.

Usage: ``python bench/floor/serve.py FOLDER [streamlit run options]``; FOLDER holds
``app.py`` and ``static`` (the app's local Leaflet assets).
"""

import sys
import threading
from pathlib import Path


def _warm() -> None:
    import folium.plugins  # noqa: F401

    from ui.assets import use_local_assets

    use_local_assets()


if __name__ == "__main__":
    threading.Thread(target=_warm, daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(Path(sys.argv[1]) / "app.py"), *sys.argv[2:]]
    cli.main()
