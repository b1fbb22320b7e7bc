"""``devzone user add|remove|list``: the local accounts the app's sign-in checks.

The password is read from a hidden prompt (typed twice) or, with ``--password-stdin``
or when stdin is not a terminal, from the first line of stdin; never from an argument,
so it does not show in the shell history or the process list.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cli._common import fail
from gis.errors import InputError, PlannerError

__all__ = ["register"]

users_app = typer.Typer(help="Local accounts for the app's sign-in (roles: viewer, inspector, "
                             "editor, admin).", no_args_is_help=True)

USERS_FILE = typer.Option(None, "--users-file",
                          help="Accounts file (default: DEVZONE_USERS, else "
                               "~/.config/devzone/users.toml).")


def _users_path(path: Path | None) -> Path:
    from layers.settings import DeploymentSettings

    return path or DeploymentSettings.from_env().users_path


def _read_password(from_stdin: bool) -> str:
    """The new password: first line of stdin, or a hidden prompt typed twice."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise InputError("No password on stdin.",
                             hint="Pipe the password as the first line, e.g. from a file.",
                             zh="标准输入中没有密码。", hint_zh="请将密码作为第一行输入。")
        return line.rstrip("\r\n")
    return typer.prompt("Password / 密码", hide_input=True,
                        confirmation_prompt="Repeat the password / 再次输入密码")


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="User name (Chinese names are fine)."),
    role: str = typer.Option("viewer", "--role", "-r",
                             help="viewer, inspector, editor or admin."),
    email: str = typer.Option("", "--email", help="E-mail (matches OpenID Connect sign-ins)."),
    replace: bool = typer.Option(False, "--replace",
                                 help="Change the password and role of an existing user."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of stdin."),
    users_file: Path | None = USERS_FILE,
) -> None:
    """Add a user (the password is asked for, never given as an argument)."""
    from layers.access import Role, cli_actor
    from layers.users import add_user

    path = _users_path(users_file)
    try:
        Role.parse(role)  # a typo in the role is reported before the password is asked
        user = add_user(path, name, role, _read_password(password_stdin), actor=cli_actor(),
                        email=email, replace=replace)
    except PlannerError as exc:
        raise fail(exc) from None
    typer.echo(f"{'changed' if replace else 'added'} {user.name} ({user.role.name}) in {path}")


@users_app.command("remove")
def remove(name: str = typer.Argument(..., help="User name."),
           users_file: Path | None = USERS_FILE) -> None:
    """Remove a user; their open sessions end at their next click."""
    from layers.access import cli_actor
    from layers.users import remove_user

    path = _users_path(users_file)
    try:
        user = remove_user(path, name, actor=cli_actor())
    except PlannerError as exc:
        raise fail(exc) from None
    typer.echo(f"removed {user.name} ({user.role.name}) from {path}")


@users_app.command("list")
def list_(users_file: Path | None = USERS_FILE) -> None:
    """List the users: name, role, created, e-mail (never password hashes)."""
    from layers.users import list_users

    path = _users_path(users_file)
    try:
        users = list_users(path)
    except PlannerError as exc:
        raise fail(exc) from None
    if not users:
        typer.echo(f"no users in {path}; add the first admin with "
                   "`devzone user add NAME --role admin`")
        return
    for u in users:
        typer.echo("\t".join([u.name, u.role.name, u.created, u.email]).rstrip())


def register(app: typer.Typer) -> None:
    """Add the ``user`` command group to the ``devzone`` app."""
    app.add_typer(users_app, name="user")
