"""Sign-in, roles and what each role sees (AppTest, no browser); escaping of data in Markdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gis.errors import AccessError
from layers.access import Actor, Role
from tests.ui.conftest import ACCOUNTS, PASSWORD, ROOT, signed_in

DATA, RESTORATION = "ui/pages/data.py", "ui/pages/restoration.py"


def _app(page: str | None = None, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    for k, v in state.items():
        setattr(at.session_state["devzone_state"], k, v)
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _user(at: AppTest) -> Actor | None:
    return at.session_state["devzone_state"].user


def _keys(at: AppTest) -> set[str]:
    """Keys of every widget on the page (form submit buttons included)."""
    out = set()
    for kind in ("button", "text_input", "selectbox", "number_input", "checkbox", "date_input"):
        out |= {w.key for w in getattr(at, kind) if w.key}
    return out


def _uploaders(at: AppTest) -> int:
    return len(at.get("file_uploader"))


def _texts(at: AppTest) -> str:
    kinds = ("title", "subheader", "caption", "markdown", "info", "error", "warning", "success")
    return "\n".join(str(e.value) for k in kinds for e in getattr(at, k))


@pytest.fixture
def demo_env(demo_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws))
    return demo_ws


# an unsaved threshold, so the rulebook save button would show for a role allowed to save
EDITED = {"rule_overrides": {("road", "max_m"): 4321.0}}


@pytest.mark.parametrize("role", [None, Role.viewer, Role.inspector, Role.editor, Role.admin])
def test_each_role_sees_only_its_write_controls(demo_env: Path, role: Role | None) -> None:
    who = signed_in(role) if role else {}
    data = _app(DATA, **who, **EDITED)
    rank = role or 0
    assert (_uploaders(data) == 1) is (rank >= Role.editor)
    assert ("upload_kind" in _keys(data)) is (rank >= Role.editor)
    assert ("版本与修改记录" in [h.value for h in data.subheader]) is (rank >= Role.editor)
    assert ("rules_save" in _keys(data)) is (rank >= Role.admin)
    assert "download_kind" in _keys(data)  # everyone may view and download
    restoration = _app(RESTORATION, **who)
    form = {"insp_site", "insp_stage", "insp_restored"} & _keys(restoration)
    assert bool(form) is (rank >= Role.inspector)
    assert "记录一次巡查" not in _texts(restoration) or rank >= Role.inspector
    assert len(restoration.metric) == 5  # the page itself is there for everyone


def test_signing_in_with_the_form_and_signing_out(demo_env: Path) -> None:
    at = _app(DATA)
    assert _user(at) is None and _uploaders(at) == 0
    assert any("未登录" in c.value for c in at.caption)
    at.text_input(key="auth_sidebar_name").input(ACCOUNTS[Role.editor])
    at.text_input(key="auth_sidebar_password").input(PASSWORD)
    at.button(key="auth_sidebar_submit").click().run()
    assert not at.exception
    assert _user(at) == Actor(ACCOUNTS[Role.editor], Role.editor)
    assert _uploaders(at) == 1
    assert any("已登录" in m.value and "编辑者" in m.value for m in at.sidebar.markdown)
    # the password is not kept in the session once the form was submitted
    assert PASSWORD not in repr(at.session_state)
    at.button(key="auth_sign_out").click().run()
    assert _user(at) is None and _uploaders(at) == 0


def test_a_wrong_password_says_only_that_and_repeated_failures_must_wait(
        demo_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import auth

    monkeypatch.setattr(auth, "FAIL_DELAY_S", 0.0)
    at = _app()

    def attempt(name: str, password: str) -> str:
        at.text_input(key="auth_sidebar_name").input(name)
        at.text_input(key="auth_sidebar_password").input(password)
        at.button(key="auth_sidebar_submit").click().run()
        assert not at.exception
        return "\n".join(e.value for e in at.sidebar.error)

    wrong_pw = attempt(ACCOUNTS[Role.admin], "not-the-password")
    unknown = attempt("没有这个人", PASSWORD)
    assert wrong_pw == unknown == "用户名或密码错误。"
    for _ in range(auth.FAILS_BEFORE_WAIT - 2):
        attempt(ACCOUNTS[Role.admin], "still-wrong")
    # now even the right password must wait
    assert "秒后再试" in attempt(ACCOUNTS[Role.admin], PASSWORD)
    assert _user(at) is None


def test_a_session_expires_and_says_so(demo_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import auth

    monkeypatch.setenv("DEVZONE_SESSION_MINUTES", "30")
    at = _app(DATA, **signed_in(Role.admin))
    assert _user(at) is not None
    start = at.session_state["devzone_state"].signed_in_at
    monkeypatch.setattr(auth, "_now", lambda: start + timedelta(minutes=29))
    at.run()
    assert _user(at) is not None and _uploaders(at) == 1
    monkeypatch.setattr(auth, "_now", lambda: start + timedelta(minutes=31))
    at.run()
    assert _user(at) is None and _uploaders(at) == 0
    assert any("登录已过期" in w.value for w in at.warning)


def test_a_removed_account_is_signed_out_and_a_changed_role_applies(
        demo_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from layers.users import add_user, remove_user

    users = tmp_path / "users.toml"
    root = Actor("tests", Role.admin)
    add_user(users, "临时", "editor", PASSWORD, actor=root)
    monkeypatch.setenv("DEVZONE_USERS", str(users))
    at = _app(DATA, user=Actor("临时", Role.editor), signed_in_at=datetime.now(UTC))
    assert _uploaders(at) == 1
    add_user(users, "临时", "viewer", PASSWORD, actor=root, replace=True)
    at.run()
    assert _user(at) == Actor("临时", Role.viewer) and _uploaders(at) == 0
    remove_user(users, "临时", actor=root)
    at.run()
    assert _user(at) is None


def test_with_anonymous_viewing_off_only_the_sign_in_form_shows(
        demo_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_ANONYMOUS_VIEW", "false")
    at = _app()
    assert [t.value for t in at.title] == ["开发区规划助手"]
    assert not at.dataframe and not at.metric and not at.get("iframe")
    assert "sidebar_as_of" not in _keys(at) and demo_env.name not in _texts(at)
    assert {"auth_page_name", "auth_page_password", "auth_page_submit"} <= _keys(at)
    at.text_input(key="auth_page_name").input(ACCOUNTS[Role.viewer])
    at.text_input(key="auth_page_password").input(PASSWORD)
    at.button(key="auth_page_submit").click().run()
    assert not at.exception
    assert _user(at) == Actor(ACCOUNTS[Role.viewer], Role.viewer)
    assert len(at.metric) == 5  # the overview, as a viewer
    assert "sidebar_as_of" in _keys(at)


def test_write_functions_refuse_a_caller_without_the_role(demo_ws_copy: Path) -> None:
    from ui import data as uidata

    ws = uidata.load(uidata.Snapshot(str(demo_ws_copy), ()))
    before = (demo_ws_copy / "rules.toml").read_bytes()
    for actor in (None, Actor("甲", Role.viewer), Actor("乙", Role.editor)):
        with pytest.raises(AccessError):
            uidata.save_rules(ws, "# nothing\n", actor=actor)
    assert (demo_ws_copy / "rules.toml").read_bytes() == before


def test_no_server_path_or_configured_key_reaches_the_page(
        demo_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_TIANDITU_KEY", "server-secret-key-123")
    at = _app(DATA, **signed_in(Role.admin))
    at.selectbox(key="sidebar_basemap").set_value("tianditu").run()
    shown = _texts(at) + repr([(w.label, w.value) for w in at.text_input])
    assert str(demo_env.parent) not in shown and "server-secret-key-123" not in shown
    assert f"工作空间: {demo_env.name}" in "\n".join(c.value for c in at.sidebar.caption)
    assert at.text_input(key="sidebar_tianditu").value == ""
    assert at.session_state["devzone_state"].tianditu_key == "server-secret-key-123"
    # a readable error names the folder, not where it is
    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_env.parent / "无此目录"))
    missing = _app(DATA)
    assert any("无此目录" in e.value for e in missing.error)
    assert not any(str(demo_env.parent) in e.value for e in missing.error)


HOSTILE = "P1**粗**[点我](http://evil.example)<img src=x>"


def test_a_hostile_parcel_id_is_shown_literally(demo_env: Path) -> None:
    from ui.text import md_escape

    at = _app("ui/pages/map.py", selected_parcel=HOSTILE)
    (head,) = [s.value for s in at.subheader if "P1" in s.value]
    assert md_escape(HOSTILE) in head and "[点我](" not in head and "**粗**" not in head
    at = _app("ui/pages/parcels.py", selected_parcel=HOSTILE)
    (toggle,) = at.toggle
    assert md_escape(HOSTILE) in toggle.label and "[点我](" not in toggle.label


def test_oidc_sign_in_takes_the_role_from_the_users_file(
        demo_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from layers.users import add_user
    from ui import auth

    users = tmp_path / "users.toml"
    add_user(users, "王五", "editor", PASSWORD, actor=Actor("tests", Role.admin),
             email="wang@example.cn")
    monkeypatch.setenv("DEVZONE_USERS", str(users))
    monkeypatch.setenv("DEVZONE_AUTH", "oidc")
    monkeypatch.setattr(auth, "_oidc_identity", lambda: None)
    at = _app(DATA)
    assert _user(at) is None and "auth_sidebar_oidc" in _keys(at)  # the provider's button
    assert "auth_sidebar_password" not in _keys(at)
    ident = {"email": "wang@example.cn", "name": "Wang Wu"}
    monkeypatch.setattr(auth, "_oidc_identity", lambda: ident)
    at.run()
    assert _user(at) == Actor("wang@example.cn", Role.editor) and _uploaders(at) == 1
    ident = {"email": "guest@example.cn"}
    at.run()
    assert _user(at) == Actor("guest@example.cn", Role.viewer) and _uploaders(at) == 0


def test_history_lists_changes_and_an_admin_restores_the_rulebook(
        demo_ws_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("layers.history", reason="the audit trail is not merged yet")
    from layers.rulebook_file import save_rulebook
    from layers.workspace import Workspace

    monkeypatch.setenv("DEVZONE_WORKSPACE", str(demo_ws_copy))
    ws = Workspace.load(demo_ws_copy)
    original = (demo_ws_copy / "rules.toml").read_text(encoding="utf-8")
    changed = original.replace("max_m = 50.0", "max_m = 75.0", 1)
    assert changed != original
    save_rulebook(ws, changed, actor=Actor(ACCOUNTS[Role.admin], Role.admin))

    editor = _app(DATA, **signed_in(Role.editor))
    editor.selectbox(key="history_kind").set_value("rules").run()
    (audit,) = [d.value for d in editor.dataframe if "用户" in d.value.columns
                and "操作" in d.value.columns and "时间" in d.value.columns]
    assert list(audit["用户"]) == [ACCOUNTS[Role.admin]]
    (kept,) = [d.value for d in editor.dataframe if "替换时间" in d.value.columns]
    assert list(kept["版本"]) == [1] and "hash" not in kept.columns
    assert "history_restore" not in _keys(editor)  # the rulebook is restored by admins only

    admin = _app(DATA, **signed_in(Role.admin))
    admin.selectbox(key="history_kind").set_value("rules").run()
    admin.button(key="history_restore").click().run()
    assert not admin.exception and not admin.error, [e.value for e in admin.error]
    assert any("恢复为版本" in s.value for s in admin.success)
    assert (demo_ws_copy / "rules.toml").read_text(encoding="utf-8") == original


def test_oidc_without_a_provider_configured_says_so(
        demo_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVZONE_AUTH", "oidc")
    at = _app()
    at.button(key="auth_sidebar_oidc").click().run()
    assert not at.exception
    assert [e.value for e in at.sidebar.error] == ["单位账号登录尚未配置，请联系管理员。"]
