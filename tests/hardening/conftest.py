"""The corpus generator lives next to the tests; pytest (importlib mode) does not put this
folder on sys.path, so it is added here."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
