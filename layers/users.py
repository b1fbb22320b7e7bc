"""Local accounts of a deployment: names, roles and argon2 password hashes in one TOML file.

The file (``DEVZONE_USERS``, see ``layers.settings``) belongs to the server, not to a
workspace. It is written atomically under a lock and readable only by its owner (mode 0600)::

    [users."张三"]
    role = "editor"
    created = "2026-12-01T02:00:00+00:00"
    email = ""
    hash = "$argon2id$v=19$m=65536,t=3,p=4$..."

Changing accounts is an admin action (:func:`add_user`, :func:`remove_user` take an
``actor``). Passwords are never stored, logged or returned; only their argon2id hash.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import tomli_w
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gis import io as gio
from gis.errors import InputError
from layers.access import Actor, Role, require

__all__ = ["MIN_PASSWORD", "User", "add_user", "find_user", "list_users", "remove_user",
           "role_for", "verify"]

MIN_PASSWORD = 8
MAX_NAME = 64
_HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters


@dataclass(frozen=True)
class User:
    """One account as listed: never carries the password hash."""

    name: str
    role: Role
    created: str
    email: str = ""

    def actor(self) -> Actor:
        return Actor(name=self.name, role=self.role)


def normalize_name(name: str) -> str:
    """The account name as stored: NFC, surrounding spaces removed; ``InputError`` if unusable."""
    clean = unicodedata.normalize("NFC", str(name)).strip()
    if not clean or len(clean) > MAX_NAME or any(unicodedata.category(c)[0] == "C"
                                                 for c in clean):
        raise InputError(
            f"User name {name!r} is not usable: it must be 1-{MAX_NAME} printable characters.",
            hint="Choose a name such as zhangsan or 张三.",
            zh=f"用户名 {name!r} 不可用：须为 1 至 {MAX_NAME} 个可打印字符。",
            hint_zh="请使用如 zhangsan 或 张三 这样的名称。")
    return clean


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"The password is too short: it needs at least {MIN_PASSWORD} "
                         "characters.", hint="Choose a longer password.",
                         zh=f"密码太短：至少需要 {MIN_PASSWORD} 个字符。",
                         hint_zh="请换一个更长的密码。")


def _bad_file(path: Path, what: str, what_zh: str) -> InputError:
    return InputError(f"Users file {path} is not usable: {what}.",
                      hint="Fix the file or remove it and add the accounts again with "
                           "`devzone user add`.",
                      zh=f"用户文件 {path} 无法使用：{what_zh}。",
                      hint_zh="请修正该文件，或删除后用 `devzone user add` 重新添加账户。")


def _read(path: Path) -> dict[str, dict]:
    """Raw records by name (``{}`` when the file does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _bad_file(path, f"not valid TOML ({exc})", f"不是有效的 TOML（{exc}）") from None
    users = doc.get("users", {})
    if not isinstance(users, dict) or not all(isinstance(v, dict) for v in users.values()):
        raise _bad_file(path, "[users] must hold one table per user",
                        "[users] 下应为每个用户一张表")
    return users


def _user(path: Path, name: str, rec: dict) -> User:
    try:
        role = Role.parse(rec.get("role", ""))
    except Exception:
        raise _bad_file(path, f"user {name!r} has the unknown role {rec.get('role')!r}",
                        f"用户 {name!r} 的角色 {rec.get('role')!r} 无效") from None
    return User(name=name, role=role, created=str(rec.get("created", "")),
                email=str(rec.get("email", "")))


def _write(path: Path, users: dict[str, dict]) -> None:
    text = ("# devzone accounts: edit with `devzone user add|remove|list`, never by hand.\n"
            + tomli_w.dumps({"users": users}))
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600: the hashes are never readable by others, not even
    # for a moment; then it is renamed over the old file (never half-written)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def list_users(path: str | Path) -> list[User]:
    """Every account, sorted by name (no hashes)."""
    path = Path(path)
    return [_user(path, n, r) for n, r in sorted(_read(path).items())]


def find_user(path: str | Path, identity: str) -> User | None:
    """The account whose name or e-mail is ``identity``, else ``None``."""
    path = Path(path)
    key = unicodedata.normalize("NFC", str(identity)).strip()
    users = _read(path)
    if key in users:
        return _user(path, key, users[key])
    for name, rec in sorted(users.items()):
        if key and str(rec.get("email", "")).strip().lower() == key.lower():
            return _user(path, name, rec)
    return None


def add_user(path: str | Path, name: str, role: Role | str, password: str, *, actor: Actor,
             email: str = "", replace: bool = False) -> User:
    """Add (or with ``replace``, change) an account; needs the ``admin`` role.

    ``InputError`` when the name is unusable, the password shorter than
    :data:`MIN_PASSWORD`, or the account exists and ``replace`` is false.
    """
    require(actor, Role.admin, "manage user accounts", "管理用户账户")
    path = Path(path)
    name = normalize_name(name)
    role = Role.parse(role)
    _check_password(password)
    digest = _HASHER.hash(password)  # slow: outside the lock
    with gio.file_lock(path):
        users = _read(path)
        if name in users and not replace:
            raise InputError(f"User {name} already exists in {path.name}.",
                             hint="Use --replace to change the password or role.",
                             zh=f"用户 {name} 已存在。",
                             hint_zh="如需修改密码或角色，请加 --replace。")
        created = users.get(name, {}).get("created") or datetime.now(UTC).isoformat(
            timespec="seconds")
        users[name] = {"role": role.name, "created": created, "email": email.strip(),
                       "hash": digest}
        _write(path, users)
    return User(name=name, role=role, created=created, email=email.strip())


def remove_user(path: str | Path, name: str, *, actor: Actor) -> User:
    """Remove an account; needs the ``admin`` role. ``InputError`` if there is none."""
    require(actor, Role.admin, "manage user accounts", "管理用户账户")
    path = Path(path)
    key = unicodedata.normalize("NFC", str(name)).strip()
    with gio.file_lock(path):
        users = _read(path)
        if key not in users:
            raise InputError(f"There is no user {key} in {path.name}.",
                             hint="`devzone user list` shows the accounts.",
                             zh=f"没有用户 {key}。",
                             hint_zh="可用 `devzone user list` 查看现有账户。")
        user = _user(path, key, users.pop(key))
        _write(path, users)
    return user


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("devzone: a password nobody has")


def verify(path: str | Path, name: str, password: str) -> Actor | None:
    """The signed-in actor when ``password`` is right for ``name``, else ``None``.

    An unknown name costs as much time as a wrong password (a dummy hash is checked),
    so the answer does not tell which of the two was wrong.
    """
    path = Path(path)
    key = unicodedata.normalize("NFC", str(name)).strip()
    rec = _read(path).get(key)
    digest = str(rec.get("hash", "")) if rec else ""
    try:
        _HASHER.verify(digest or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if not rec or not digest:
        return None
    return _user(path, key, rec).actor()


def role_for(path: str | Path, *identities: str | None) -> Role:
    """The role of the first identity (name or e-mail) with an account; viewer otherwise.

    Used for users who signed in through OpenID Connect: the provider says who they
    are, the users file says what they may do.
    """
    for ident in identities:
        if ident:
            user = find_user(path, ident)
            if user is not None:
                return user.role
    return Role.viewer
