"""The app's upload offers "allow data outside the workspace", off by default."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.hardening.hardening_corpus import build_workspace

ROOT = Path(__file__).resolve().parents[2]


def test_upload_has_the_allow_outside_checkbox(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(build_workspace(tmp_path / "ws")))
    from datetime import UTC, datetime

    from layers.access import Actor, Role
    from layers.users import add_user

    # the uploader is shown to editors only: sign in as one
    users = tmp_path / "users.toml"
    add_user(users, "编辑员", "editor", "correct-horse-9", actor=Actor("tests", Role.admin))
    monkeypatch.setenv("DEVZONE_USERS", str(users))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.session_state["devzone_state"].user = Actor("编辑员", Role.editor)
    at.session_state["devzone_state"].signed_in_at = datetime.now(UTC)
    at.switch_page("ui/pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.checkbox(key="upload_allow_outside")
    assert box.value is False
    assert box.label == "允许超出工作区范围"
