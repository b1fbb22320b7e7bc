"""Fixtures of the readiness tests (helpers live in ``readiness_helpers``)."""

from __future__ import annotations

import sys
from pathlib import Path

# pytest imports test modules without putting their folder on sys.path; the helpers
# module has a unique name so it cannot clash with other folders' helpers.
sys.path.insert(0, str(Path(__file__).parent))
