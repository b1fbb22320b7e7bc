"""``folium.plugins`` whose plugins are imported when first named, not all at once.

folium's ``plugins`` package imports its 40 plugin modules, and each compiles its jinja
templates as its class is defined: 0.15-0.3 s on this machine, on the path of the first
map after a server start, for the four plugins the map uses (draw, measure, full screen,
mouse position). :func:`install` puts a package module in its place whose names import
their own plugin module on first use (PEP 562 ``__getattr__``). Every name the package
exports still resolves to the same class (streamlit-folium asks for ``DualMap``), and
``import folium.plugins.draw`` works as before.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import types
from pathlib import Path

__all__ = ["install"]

PACKAGE = "folium.plugins"


def _exported(init: Path) -> dict[str, str]:
    """Name → plugin module, from the package's ``from folium.plugins.x import Name`` lines."""
    tree = ast.parse(init.read_text(encoding="utf-8"))
    where: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE + "."):
            for alias in node.names:
                where[alias.asname or alias.name] = str(node.module)
        elif not (_is_all(node) or isinstance(node, ast.ImportFrom | ast.Import)
                  or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))):
            return {}  # the package does more than import and list: import it as it is
    return where


def _is_all(node: ast.stmt) -> bool:
    """``__all__ = [...]``."""
    return (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "__all__")


def install() -> bool:
    """Replace ``folium.plugins`` by the lazy package unless it is imported already, or its
    ``__init__`` is not the plain list of imports this expects. ``True`` if installed."""
    if PACKAGE in sys.modules:
        return False
    import folium

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        return False
    try:
        where = _exported(Path(spec.origin))
    except (OSError, SyntaxError, ValueError):
        return False
    if not where:
        return False
    module = types.ModuleType(PACKAGE, "folium's plugins, each imported on first use.")
    module.__file__ = spec.origin
    module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = PACKAGE
    module.__spec__ = spec
    module.__all__ = sorted(where)  # type: ignore[attr-defined]

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(where) | set(vars(module)))

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dir__ = __dir__  # type: ignore[method-assign]
    sys.modules[PACKAGE] = module
    folium.plugins = module  # type: ignore[attr-defined]
    return True
