"""folium.plugins imported plugin by plugin (ui.map.lazy_plugins)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from ui.map.lazy_plugins import _exported

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing imported yet) and return its stdout."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_map_loads_only_the_plugins_it_uses_and_every_name_still_resolves() -> None:
    out = _run("""
        import importlib, sys
        import ui.map  # installs the lazy package
        import folium, folium.plugins
        assert folium.plugins is sys.modules["folium.plugins"]
        assert not [m for m in sys.modules if m.startswith("folium.plugins.")], "eager"
        from ui.map import folium_classes
        loaded = sorted(m for m in sys.modules if m.startswith("folium.plugins."))
        print(",".join(loaded))
        from folium.plugins import DualMap  # as streamlit-folium asks for it
        from folium.plugins.dual_map import DualMap as direct
        assert DualMap is direct
        for name in folium.plugins.__all__:  # each name is the class of its own module
            obj = getattr(folium.plugins, name)
            assert obj.__name__ == name, name
            assert obj.__module__.startswith("folium.plugins."), (name, obj.__module__)
        try:
            folium.plugins.NoSuchPlugin
        except AttributeError as exc:
            assert "NoSuchPlugin" in str(exc)
        else:
            raise AssertionError("an unknown name resolved")
        import streamlit_folium  # imports folium.plugins and uses DualMap
    """)
    assert out.strip() == ",".join(sorted(
        f"folium.plugins.{m}" for m in ("draw", "fullscreen", "measure_control",
                                       "mouse_position")))


def test_the_names_are_folium_own_list() -> None:
    """The lazy package exports what folium's ``__init__`` exports, name for name."""
    out = _run("""
        import folium.plugins  # the real package: nothing installed first
        print(",".join(sorted(folium.plugins.__all__)))
        from ui.map.lazy_plugins import install
        print(install())  # already imported: left as it is
    """)
    names, installed = out.split()
    origin = Path(_run("import importlib.util; "
                       "print(importlib.util.find_spec('folium.plugins').origin)").strip())
    assert names == ",".join(sorted(_exported(origin)))
    assert installed == "False"


def test_a_package_that_does_more_than_import_is_imported_as_it_is(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text('"""Plugins."""\nfrom folium.plugins.draw import Draw\n__all__ = ["Draw"]\n',
                    encoding="utf-8")
    assert _exported(init) == {"Draw": "folium.plugins.draw"}
    init.write_text("from folium.plugins.draw import Draw\nDraw.default_js = []\n",
                    encoding="utf-8")
    assert _exported(init) == {}
