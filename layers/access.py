"""Who is acting, and what their role allows: ``viewer < inspector < editor < admin``.

Every write function takes an ``actor`` and calls :func:`require` before it touches
the workspace, so a caller without the role is refused however it reaches the
function (app, CLI or a test calling it directly).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import IntEnum

from gis.errors import AccessError

__all__ = ["Actor", "Role", "cli_actor", "require"]


class Role(IntEnum):
    """Roles in increasing order; each includes the rights of the ones before it."""

    viewer = 1     # sees everything, changes nothing
    inspector = 2  # records restoration inspections
    editor = 3     # imports/replaces layers and tables, edits assessments, contracts, projects
    admin = 4      # rulebook, users, settings

    @classmethod
    def parse(cls, value: str | Role) -> Role:
        """A role from its name (``"editor"``); ``AccessError`` naming the valid ones else."""
        if isinstance(value, Role):
            return value
        try:
            return cls[str(value).strip().lower()]
        except KeyError:
            names = ", ".join(r.name for r in cls)
            raise AccessError(f"Unknown role {value!r}; expected one of {names}.",
                              zh=f"未知角色 {value!r}，应为 {names} 之一。") from None


ROLE_ZH = {Role.viewer: "查看者", Role.inspector: "巡查员", Role.editor: "编辑者",
           Role.admin: "管理员"}


@dataclass(frozen=True)
class Actor:
    """Someone making a change: a signed-in user, or the operating-system user of the CLI."""

    name: str
    role: Role

    def can(self, role: Role) -> bool:
        """True when this actor's role includes ``role``."""
        return self.role >= role


def cli_actor() -> Actor:
    """The operating-system user running the CLI.

    Whoever can run ``devzone`` on the workspace folder can already change its files,
    so the CLI acts with the ``admin`` role under the OS user's name (audited as such).
    """
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        name = "unknown"
    return Actor(name=name, role=Role.admin)


def require(actor: Actor | None, role: Role, action: str, action_zh: str | None = None) -> Actor:
    """Return ``actor`` if its role includes ``role``; raise :class:`AccessError` otherwise.

    ``action`` says what was attempted ("import layers"), ``action_zh`` the same in Chinese.
    """
    act_zh = action_zh or action
    if actor is None:
        raise AccessError(f"Sign in to {action}; it needs the {role.name} role.",
                          zh=f"请先登录后再{act_zh}（需要“{ROLE_ZH[role]}”角色）。")
    if not actor.can(role):
        raise AccessError(
            f"User {actor.name} ({actor.role.name}) may not {action}; it needs the "
            f"{role.name} role.",
            hint="Ask an administrator to change your role.",
            zh=f"用户 {actor.name}（{ROLE_ZH[actor.role]}）无权{act_zh}，"
            f"需要“{ROLE_ZH[role]}”角色。",
            hint_zh="请联系管理员调整角色。")
    return actor
