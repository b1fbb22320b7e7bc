"""Start the app server warm: ``python -m ui.serve [streamlit run options]``.

Same as ``streamlit run app.py [options]``, but the warm-up thread
(:mod:`ui.warm`: imports, cached results, map data) starts before the server
listens, so the first visitor after a restart does not wait for it.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    """Start :mod:`ui.warm`, then Streamlit's ``run`` on ``app.py`` with ``argv``."""
    from ui import warm

    warm.start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
