"""Sign-in, sign-out, session expiry and role checks of the app.

``DEVZONE_AUTH=local`` (default): a user name and password form checked against the
users file with argon2 (``layers.users``), which needs no network at all.
``DEVZONE_AUTH=oidc``: Streamlit's ``st.login()`` against the OpenID Connect provider
configured in ``.streamlit/secrets.toml`` ``[auth]``; the users file maps the signed-in
name or e-mail to a role (unknown users are viewers).

The signed-in :class:`~layers.access.Actor` lives in the session's ``AppState.user``;
it expires ``DEVZONE_SESSION_MINUTES`` after sign-in and is checked against the users
file on every rerun (a removed user is signed out, a changed role applies at once).
Write controls are shown only to a role that may use them (:func:`can`); the write
functions check the role again themselves.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import streamlit as st

from gis.errors import PlannerError
from layers.access import Actor, Role
from layers.settings import DeploymentSettings
from ui.i18n import t
from ui.state import AppState
from ui.text import md_escape

__all__ = ["PUBLIC_CATALOGUE", "can", "current_user", "gated_page", "may_view", "sign_in",
           "sign_in_form", "sign_in_page", "sign_out", "user_box"]

log = logging.getLogger("devzone.auth")
FAILS_BEFORE_WAIT = 5      # failed attempts in a session before it must wait …
WAIT = timedelta(seconds=60)  # … this long
FAIL_DELAY_S = 1.0         # every failed attempt also costs this much time
PUBLIC_CATALOGUE = ("ui/pages/catalogue.py", "catalogue")  # (page file, URL path)


def _now() -> datetime:
    """The clock (tests replace it to expire a session)."""
    return datetime.now(UTC)


def settings() -> DeploymentSettings:
    return DeploymentSettings.from_env()


def role_name(role: Role, lang: str) -> str:
    return t(f"role.{role.name}", lang)


# --------------------------------------------------------------------------- state
def _set_user(state: AppState, actor: Actor | None) -> None:
    state.user = actor
    state.signed_in_at = _now() if actor is not None else None


def sign_in(state: AppState, name: str, password: str, cfg: DeploymentSettings) -> str | None:
    """Check a local account; sign in on success. Returns ``None`` or the i18n key of the
    reason it failed (``auth.wrong``, ``auth.wait``); never says which part was wrong."""
    from layers.users import verify

    now = _now()
    if state.login_blocked_until is not None and now < state.login_blocked_until:
        return "auth.wait"
    try:
        actor = verify(cfg.users_path, name, password) if name and password else None
    except PlannerError:
        log.exception("users file unusable")
        actor = None
    if actor is None:
        state.failed_logins += 1
        log.warning("failed sign-in for %r (%d in this session)", name, state.failed_logins)
        time.sleep(FAIL_DELAY_S)
        if state.failed_logins >= FAILS_BEFORE_WAIT:
            state.login_blocked_until = now + WAIT
            state.failed_logins = 0
        return "auth.wrong"
    state.failed_logins = 0
    state.login_blocked_until = None
    _set_user(state, actor)
    log.info("%s signed in (%s)", actor.name, actor.role.name)
    return None


def sign_out(state: AppState, cfg: DeploymentSettings | None = None) -> None:
    """Forget the signed-in user of this session (and the OIDC identity cookie)."""
    if state.user is not None:
        log.info("%s signed out", state.user.name)
    _set_user(state, None)
    if (cfg or settings()).auth == "oidc" and _oidc_identity() is not None:
        st.logout()


def _oidc_identity() -> dict[str, str] | None:
    """Who the OpenID Connect provider says is signed in (``st.user``), else ``None``."""
    try:
        if not st.user.is_logged_in:
            return None
    except Exception:  # no [auth] configured in secrets.toml
        return None
    keys = ("email", "name", "preferred_username", "sub")
    return {k: str(st.user.get(k)) for k in keys if st.user.get(k)}


def _oidc_actor(cfg: DeploymentSettings) -> Actor | None:
    """The OIDC-signed-in user with the role the users file gives them (viewer if none)."""
    from layers.users import role_for

    ident = _oidc_identity()
    if ident is None:
        return None
    try:
        role = role_for(cfg.users_path, ident.get("email"), ident.get("name"),
                        ident.get("preferred_username"))
    except PlannerError:
        log.exception("users file unusable: OIDC users are viewers until it is fixed")
        role = Role.viewer
    name = ident.get("email") or ident.get("name") or ident.get("sub") or "?"
    return Actor(name=name, role=role)


def current_user(state: AppState, cfg: DeploymentSettings | None = None) -> Actor | None:
    """The signed-in actor of this session, after expiry and the account re-check.

    Sets ``state.expired`` when a sign-in ran out (the sidebar says so once).
    """
    from layers.users import find_user

    cfg = cfg or settings()
    if cfg.auth == "oidc":
        actor = _oidc_actor(cfg)
        if actor is None or state.user is None or state.user.name != actor.name:
            _set_user(state, actor)  # signed in (or out) through the provider
        else:
            state.user = actor  # the role the users file gives now
    if state.user is None:
        return None
    started = state.signed_in_at or _now()
    if _now() - started > timedelta(minutes=cfg.session_minutes):
        sign_out(state, cfg)
        state.expired = True
        return None
    if cfg.auth == "local":
        try:
            account = find_user(cfg.users_path, state.user.name)
        except PlannerError:
            log.exception("users file unusable; signing %s out", state.user.name)
            account = None
        if account is None:
            sign_out(state, cfg)
            return None
        if account.role != state.user.role:
            state.user = account.actor()
    return state.user


def can(state: AppState, role: Role) -> bool:
    """True when this session's user has ``role`` (shows the write controls of that role)."""
    user = state.user
    return user is not None and user.can(role)


def may_view(state: AppState, cfg: DeploymentSettings | None = None) -> bool:
    """Signed in, or anonymous viewing allowed."""
    return state.user is not None or (cfg or settings()).anonymous_view


def gated_page(path: str, title_key: str, url: str, lang: str, cfg: DeploymentSettings) -> Any:
    """The page a visitor who may not view gets at ``url``: the sign-in form, or the
    parcel catalogue itself when ``DEVZONE_PUBLIC_CATALOGUE`` allows it (read-only)."""
    public = cfg.public_catalogue and (path, url) == PUBLIC_CATALOGUE
    return st.Page(path if public else sign_in_page,
                   title=t(title_key if public else "auth.sign_in", lang),
                   default=url == "overview", url_path=None if url == "overview" else url)


# --------------------------------------------------------------------------- widgets
def sign_in_form(state: AppState, lang: str, cfg: DeploymentSettings, *, key: str) -> None:
    """The sign-in form: user name + password (local) or the provider's button (OIDC)."""
    if cfg.auth == "oidc":
        if st.button(t("auth.oidc", lang), key=f"{key}_oidc"):
            try:
                st.login()
            except Exception:  # no [auth] in secrets.toml, or Authlib not installed
                log.exception("OpenID Connect sign-in is not configured")
                st.error(t("auth.oidc_missing", lang))
        return
    with st.form(key, clear_on_submit=True):
        name = st.text_input(t("auth.user", lang), key=f"{key}_name", autocomplete="username")
        password = st.text_input(t("auth.password", lang), type="password",
                                 key=f"{key}_password", autocomplete="current-password")
        submitted = st.form_submit_button(t("auth.submit", lang), key=f"{key}_submit")
    if submitted:
        problem = sign_in(state, name.strip(), password, cfg)
        if problem is None:
            state.expired = False
            st.rerun()
        seconds = 0
        if state.login_blocked_until is not None:
            seconds = max(1, int((state.login_blocked_until - _now()).total_seconds()))
        st.error(t(problem, lang, seconds=seconds))
    st.caption(t("auth.how", lang))


def user_box(state: AppState, lang: str, cfg: DeploymentSettings | None = None) -> None:
    """Sidebar: who is signed in and a sign-out button, else the sign-in form.

    Shows ``state.user`` as :func:`current_user` left it, called once at the start of the
    run (``app.py``): expiry and the account re-check are not done twice.
    """
    cfg = cfg or settings()
    user = state.user
    with st.sidebar:
        if user is not None:
            st.markdown(t("auth.signed_in", lang, name=md_escape(user.name),
                          role=role_name(user.role, lang)))
            if st.button(t("auth.sign_out", lang), key="auth_sign_out"):
                sign_out(state, cfg)
                st.rerun()
            return
        if state.expired:
            st.warning(t("auth.expired", lang))
        if not may_view(state, cfg):
            return  # the page itself is the sign-in form
        st.caption(t("auth.anonymous", lang))
        sign_in_form(state, lang, cfg, key="auth_sidebar")


def sign_in_page() -> None:
    """The only page a visitor sees when anonymous viewing is off."""
    from ui.state import get_state
    from ui.widgets import current_lang

    state, lang = get_state(), current_lang()
    st.title(t("app.title", lang))
    st.info(t("auth.required", lang))
    cfg = settings()
    with st.container(border=True):
        st.subheader(t("auth.sign_in", lang))
        sign_in_form(state, lang, cfg, key="auth_page")
    if cfg.public_catalogue:  # land on offer is public: say where
        st.page_link(PUBLIC_CATALOGUE[0], label=t("catalogue.public_link", lang))
