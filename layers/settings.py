"""Typed settings in one place; the only module that reads environment variables.

``DeploymentSettings.from_env()`` reads the ``DEVZONE_*`` variables a server is
configured with. Domain defaults (e.g. restoration thresholds) live here as
frozen dataclasses so the CLI, the app and the reports share one value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gis.errors import InputError

__all__ = ["AUTH_MODES", "DeploymentSettings", "RestorationSettings", "default_users_file"]

AUTH_MODES = ("local", "oidc")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def default_users_file(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/devzone/users.toml`` (default ``~/.config/devzone/users.toml``).

    Accounts belong to the server, not to a workspace (a demo workspace is rebuilt,
    a real one is copied around), so they live in the service user's configuration.
    """
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base).expanduser() if base else Path.home() / ".config"
    return root / "devzone" / "users.toml"


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE | _FALSE:
        return raw in _TRUE
    raise InputError(f"{name}={raw!r} is not a yes/no value.", hint="Use true or false.",
                     zh=f"环境变量 {name}={raw!r} 不是是/否取值。",
                     hint_zh="请设为 true 或 false。")


def _minutes(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    raise InputError(f"{name}={raw!r} is not a whole number of minutes.",
                     hint="Use a positive whole number, e.g. 120.",
                     zh=f"环境变量 {name}={raw!r} 不是正整数分钟数。",
                     hint_zh="请设为正整数，例如 120。")


@dataclass(frozen=True)
class DeploymentSettings:
    """How this installation is deployed (environment variables, read once).

    Attributes
    ----------
    workspace
        ``DEVZONE_WORKSPACE``: the workspace folder the app opens (``None``: the
        default demo folder next to ``app.py``).
    tianditu_key
        ``DEVZONE_TIANDITU_KEY``: browser key for the optional Tianditu basemap.
    auth
        ``DEVZONE_AUTH``: ``"local"`` (default; accounts in ``users_file``, checked with
        argon2, works with no internet) or ``"oidc"`` (Streamlit's ``st.login`` against the
        OpenID Connect provider in ``.streamlit/secrets.toml``; roles from ``users_file``).
    anonymous_view
        ``DEVZONE_ANONYMOUS_VIEW``: visitors who have not signed in may view (never edit).
    public_catalogue
        ``DEVZONE_PUBLIC_CATALOGUE``: visitors who have not signed in may open the parcel
        catalogue (land on offer, read-only) even when ``anonymous_view`` is off; the
        other pages still ask them to sign in.
    session_minutes
        ``DEVZONE_SESSION_MINUTES``: a sign-in lasts this long, then the user signs in again.
    users_file
        ``DEVZONE_USERS``: the accounts file (default :func:`default_users_file`).
    """

    workspace: Path | None = None
    tianditu_key: str = ""
    auth: str = "local"
    anonymous_view: bool = True
    public_catalogue: bool = True
    session_minutes: int = 120
    users_file: Path | None = None

    @property
    def users_path(self) -> Path:
        """``users_file``, else the default location."""
        return self.users_file or default_users_file()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeploymentSettings:
        """Settings from ``environ`` (default ``os.environ``); ``InputError`` on a bad value."""
        env = os.environ if environ is None else environ
        ws = env.get("DEVZONE_WORKSPACE", "").strip()
        auth = env.get("DEVZONE_AUTH", "").strip().lower() or "local"
        if auth not in AUTH_MODES:
            raise InputError(f"DEVZONE_AUTH={auth!r} is not a sign-in mode.",
                             hint=f"Use one of {', '.join(AUTH_MODES)}.",
                             zh=f"环境变量 DEVZONE_AUTH={auth!r} 不是有效的登录方式。",
                             hint_zh=f"请设为 {'、'.join(AUTH_MODES)} 之一。")
        users = env.get("DEVZONE_USERS", "").strip()
        return cls(
            workspace=Path(ws).expanduser().resolve() if ws else None,
            tianditu_key=env.get("DEVZONE_TIANDITU_KEY", "").strip(),
            auth=auth,
            anonymous_view=_flag(env, "DEVZONE_ANONYMOUS_VIEW", True),
            public_catalogue=_flag(env, "DEVZONE_PUBLIC_CATALOGUE", True),
            session_minutes=_minutes(env, "DEVZONE_SESSION_MINUTES", 120),
            users_file=Path(users).expanduser().resolve() if users else None,
        )


@dataclass(frozen=True)
class RestorationSettings:
    """Defaults of the restoration tracker, shared by the engine, the CLI, the app and reports.

    Attributes
    ----------
    ring_inner_m, ring_outer_m
        The reference ring: the band this far (m) outside each site whose NDVI
        stands for the undisturbed surroundings.
    stale_days
        A live site (approved … maintenance) not inspected for this many days is flagged.
    low_veg_ratio
        An accepted/maintained/closed site whose vegetation cover is below this
        share of its ring's cover is flagged ``low_vegetation``.
    road_distance_m, town_distance_m
        Priorities: a site this close (m) to the tourism road / a town counts as visible.
    tile_m
        NDVI rasters are read in blocks of this size (m) around groups of sites.
    endmember_low, endmember_high
        Percentiles of a scene's NDVI taken as bare soil and full vegetation.
    min_endmember_spread
        Below this NDVI spread between the two endmembers the cover model is noise.
    scene_sample_cells
        Endmember percentiles are taken from at most this many cells (a decimated read).

    Examples
    --------
    >>> RestorationSettings().ring
    (200.0, 500.0)
    >>> RestorationSettings(stale_days=90).stale_days
    90
    """

    ring_inner_m: float = 200.0
    ring_outer_m: float = 500.0
    stale_days: int = 180
    low_veg_ratio: float = 0.5
    road_distance_m: float = 2000.0
    town_distance_m: float = 5000.0
    tile_m: float = 10_000.0
    endmember_low: float = 5.0
    endmember_high: float = 95.0
    min_endmember_spread: float = 0.25
    scene_sample_cells: int = 1_000_000

    def __post_init__(self) -> None:
        if not 0 <= self.ring_inner_m < self.ring_outer_m:
            raise InputError(
                f"Reference ring {self.ring_inner_m:g}–{self.ring_outer_m:g} m is not a band "
                "outside the site.", hint="Use 0 ≤ inner < outer, e.g. 200 and 500 m.",
                zh=f"参照环带 {self.ring_inner_m:g}–{self.ring_outer_m:g} 米不是图斑外的一圈环带。",
                hint_zh="请满足 0 ≤ 内径 < 外径，如 200 米和 500 米。")
        for name in ("stale_days", "road_distance_m", "town_distance_m", "tile_m",
                     "scene_sample_cells"):
            if not getattr(self, name) > 0:
                raise InputError(f"Restoration setting {name} = {getattr(self, name)!r} must be "
                                 "positive.", hint=f"Give {name} a value above 0.",
                                 zh=f"修复跟踪设置 {name} = {getattr(self, name)!r} 必须为正数。",
                                 hint_zh=f"请将 {name} 设为大于 0 的值。")
        if not 0 <= self.endmember_low < self.endmember_high <= 100:
            raise InputError(
                f"Endmember percentiles {self.endmember_low:g}/{self.endmember_high:g} are not "
                "0 ≤ low < high ≤ 100.", hint="Use e.g. 5 and 95.",
                zh=f"端元百分位数 {self.endmember_low:g}/{self.endmember_high:g} 不满足 "
                "0 ≤ 低 < 高 ≤ 100。", hint_zh="请使用如 5 和 95。")

    @property
    def ring(self) -> tuple[float, float]:
        """``(inner, outer)`` distance (m) of the reference ring."""
        return self.ring_inner_m, self.ring_outer_m
