"""Local accounts (layers.users), the deployment settings that locate them, `devzone user`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gis.errors import AccessError, InputError
from layers.access import Actor, Role
from layers.settings import DeploymentSettings
from layers.users import add_user, find_user, list_users, remove_user, role_for, verify

ADMIN = Actor("root", Role.admin)
PASSWORD = "correct-horse-9"


@pytest.fixture
def users(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "users.toml"


def test_add_verify_remove_round_trip_with_a_chinese_name(users: Path) -> None:
    user = add_user(users, " 张三 ", "inspector", PASSWORD, actor=ADMIN, email="zs@example.cn")
    assert (user.name, user.role) == ("张三", Role.inspector)
    assert verify(users, "张三", PASSWORD) == Actor("张三", Role.inspector)
    assert verify(users, "张三", PASSWORD + "x") is None
    assert verify(users, "李四", PASSWORD) is None  # unknown name: same answer
    assert [(u.name, u.role, u.email) for u in list_users(users)] == [
        ("张三", Role.inspector, "zs@example.cn")]
    text = users.read_text(encoding="utf-8")
    assert "张三" in text and "$argon2id$" in text and PASSWORD not in text
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    remove_user(users, "张三", actor=ADMIN)
    assert list_users(users) == [] and verify(users, "张三", PASSWORD) is None


def test_listed_users_never_carry_the_hash(users: Path) -> None:
    add_user(users, "admin", Role.admin, PASSWORD, actor=ADMIN)
    (user,) = list_users(users)
    assert "argon2" not in repr(user)


def test_only_an_admin_manages_accounts(users: Path) -> None:
    add_user(users, "甲", "viewer", PASSWORD, actor=ADMIN)
    for role in (Role.viewer, Role.inspector, Role.editor):
        with pytest.raises(AccessError, match="needs the admin role"):
            add_user(users, "乙", "admin", PASSWORD, actor=Actor("x", role))
        with pytest.raises(AccessError):
            remove_user(users, "甲", actor=Actor("x", role))
    with pytest.raises(AccessError, match="Sign in"):
        add_user(users, "乙", "admin", PASSWORD, actor=None)
    assert [u.name for u in list_users(users)] == ["甲"]


def test_bad_input_is_refused_and_loses_nothing(users: Path) -> None:
    add_user(users, "甲", "editor", PASSWORD, actor=ADMIN)
    before = users.read_bytes()
    with pytest.raises(InputError, match="too short") as exc:
        add_user(users, "乙", "viewer", "short", actor=ADMIN)
    assert "密码太短" in exc.value.text("zh")
    with pytest.raises(InputError, match="already exists"):
        add_user(users, "甲", "viewer", PASSWORD, actor=ADMIN)
    with pytest.raises(InputError, match="not usable"):
        add_user(users, "a\nb", "viewer", PASSWORD, actor=ADMIN)
    with pytest.raises(AccessError, match="Unknown role"):
        add_user(users, "乙", "boss", PASSWORD, actor=ADMIN)
    with pytest.raises(InputError, match="no user"):
        remove_user(users, "丙", actor=ADMIN)
    assert users.read_bytes() == before


def test_replace_changes_password_and_role_and_keeps_created(users: Path) -> None:
    first = add_user(users, "甲", "viewer", PASSWORD, actor=ADMIN)
    again = add_user(users, "甲", "editor", "another-pass-1", actor=ADMIN, replace=True)
    assert again.created == first.created
    assert verify(users, "甲", PASSWORD) is None
    assert verify(users, "甲", "another-pass-1") == Actor("甲", Role.editor)


def test_a_broken_users_file_is_named(users: Path) -> None:
    users.parent.mkdir(parents=True)
    users.write_text("[users.x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"users\.toml is not usable"):
        list_users(users)
    users.write_text('[users."x"]\nrole = "boss"\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown role 'boss'"):
        list_users(users)


def test_oidc_identities_map_to_roles_and_strangers_are_viewers(users: Path) -> None:
    add_user(users, "王五", "editor", PASSWORD, actor=ADMIN, email="WangWu@Example.cn")
    assert role_for(users, "wangwu@example.cn", "Wang Wu") == Role.editor
    assert role_for(users, None, "王五") == Role.editor
    assert role_for(users, "nobody@example.cn", "nobody") == Role.viewer
    assert find_user(users, "nobody") is None
    assert role_for(users.parent / "missing.toml", "王五") == Role.viewer


def test_settings_read_the_sign_in_variables(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = DeploymentSettings.from_env({"DEVZONE_AUTH": "OIDC", "DEVZONE_ANONYMOUS_VIEW": "no",
                                       "DEVZONE_SESSION_MINUTES": "30",
                                       "DEVZONE_USERS": str(tmp_path / "u.toml")})
    assert (cfg.auth, cfg.anonymous_view, cfg.session_minutes) == ("oidc", False, 30)
    assert cfg.users_path == tmp_path / "u.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    default = DeploymentSettings.from_env({})
    assert (default.auth, default.anonymous_view) == ("local", True)
    assert default.users_path == tmp_path / "devzone" / "users.toml"
    for env, match in (({"DEVZONE_AUTH": "ldap"}, "DEVZONE_AUTH"),
                       ({"DEVZONE_ANONYMOUS_VIEW": "maybe"}, "yes/no"),
                       ({"DEVZONE_SESSION_MINUTES": "0"}, "minutes")):
        with pytest.raises(InputError, match=match):
            DeploymentSettings.from_env(env)


def _devzone(*args: str, users: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DEVZONE_USERS": str(users)}
    return subprocess.run([sys.executable, "-m", "cli.main", "user", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])


def test_cli_takes_the_password_from_stdin_never_from_argv(users: Path) -> None:
    done = _devzone("add", "赵六", "--role", "editor", "--password-stdin", users=users,
                    stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "赵六 (editor)" in done.stdout and PASSWORD not in done.stdout + done.stderr
    assert verify(users, "赵六", PASSWORD) == Actor("赵六", Role.editor)
    listing = _devzone("list", users=users)
    assert listing.returncode == 0
    assert listing.stdout.split("\t")[:2] == ["赵六", "editor"]
    assert "argon2" not in listing.stdout
    # there is no option that takes a password
    refused = _devzone("add", "钱七", "--password", PASSWORD, users=users, stdin=PASSWORD)
    assert refused.returncode != 0 and "--password" in refused.stderr
    short = _devzone("add", "钱七", users=users, stdin="abc\n")
    assert short.returncode == 2 and "too short" in short.stderr
    assert "Traceback" not in short.stderr
    removed = _devzone("remove", "赵六", users=users)
    assert removed.returncode == 0 and list_users(users) == []
