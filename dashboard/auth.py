"""Optional sign-in gate on Streamlit's built-in OIDC (``st.login`` / ``st.user`` / ``st.logout``).

Off unless the secrets Streamlit is given (``.streamlit/secrets.toml``) have an ``[auth]`` section. When it is on, a
visitor who is not signed in sees a short explanation and one "Log in" button per configured provider, and nothing
else: :func:`require_login` returns False and ``app.py`` stops before the navigation, the sidebar filters or the store.
An optional allow-list (``NEWSLENS_ALLOWED_EMAILS`` or ``[newslens] allowed_emails``) narrows who may go on.

The helpers above :func:`require_login` are pure (mappings in, values out) so they are tested without a Streamlit run.
Setup: docs/DEPLOYMENT.md, section 1, option B.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

#: environment variable with the allow-list: emails separated by commas, semicolons or whitespace
ALLOWED_EMAILS_ENV = "NEWSLENS_ALLOWED_EMAILS"

# Keys that make a mapping an identity-provider section (the same test Streamlit's auth routes use).
_PROVIDER_KEYS = frozenset({"client_id", "client_secret", "server_metadata_url", "authorize_url", "api_base_url",
                            "request_token_url"})
_SPLIT = re.compile(r"[\s,;]+")


# --------------------------------------------------------------------------------------------------- pure helpers
def auth_section(secrets: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``[auth]`` table of ``secrets`` (a mapping such as ``st.secrets`` or a dict), or None when absent or not
    a table."""
    section = secrets.get("auth") if secrets is not None else None
    return section if isinstance(section, Mapping) else None


def auth_configured(secrets: Mapping[str, Any]) -> bool:
    """True when ``secrets`` has an ``[auth]`` table, i.e. the dashboard must require a signed-in user.

    >>> auth_configured({"auth": {"redirect_uri": "http://localhost:8501/oauth2callback"}})
    True
    >>> auth_configured({"newslens": {}})
    False
    """
    return auth_section(secrets) is not None


def providers(secrets: Mapping[str, Any]) -> list[str]:
    """Names of the named providers under ``[auth]`` (``[auth.google]`` -> ``"google"``), in file order.

    A named provider is a sub-table holding provider keys (``client_id``, ``server_metadata_url``...), so
    ``[auth.client_kwargs]`` of the default provider is not one. Names with ``_`` are left out: ``st.login``
    rejects them. An empty list means the single default provider configured directly in ``[auth]``.
    """
    section = auth_section(secrets) or {}
    return [str(name) for name, value in section.items()
            if isinstance(value, Mapping) and _PROVIDER_KEYS & set(value) and "_" not in str(name)]


def has_default_provider(secrets: Mapping[str, Any]) -> bool:
    """True when ``st.login()`` without a name applies: ``[auth]`` has a top-level ``client_id``, or has no named
    provider at all (then the button still shows, and Streamlit's own error names the missing keys)."""
    section = auth_section(secrets)
    if section is None:
        return False
    return "client_id" in section or not providers(secrets)


def parse_emails(value: str | Iterable[str] | None) -> frozenset[str] | None:
    """An allow-list value -> lower-cased emails, or None for "no list".

    ``value`` is a string (separated by commas, semicolons or whitespace) or a list of strings. None and a blank
    string mean no list; an explicit empty list means an empty allow-list (nobody may go on).

    >>> sorted(parse_emails(" Ada@Example.org, bob@example.org;"))
    ['ada@example.org', 'bob@example.org']
    """
    if value is None:
        return None
    if isinstance(value, str):
        items = [part for part in _SPLIT.split(value) if part]
        return frozenset(item.casefold() for item in items) or None
    return frozenset(str(item).strip().casefold() for item in value if str(item).strip())


def allowed_emails(secrets: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> frozenset[str] | None:
    """The allow-list in force, or None when anyone who signs in may use the app.

    ``environ[NEWSLENS_ALLOWED_EMAILS]`` (when set and not blank) wins over ``secrets["newslens"]["allowed_emails"]``,
    so one deployment can narrow a shared secrets file. ``environ`` defaults to ``os.environ``.
    """
    env = os.environ if environ is None else environ
    from_env = parse_emails(env.get(ALLOWED_EMAILS_ENV))
    if from_env is not None:
        return from_env
    section = secrets.get("newslens") if secrets is not None else None
    if isinstance(section, Mapping):
        return parse_emails(section.get("allowed_emails"))
    return None


def is_allowed(email: str | None, allowed: Iterable[str] | None, email_verified: bool | None = None) -> bool:
    """Whether a signed-in user with ``email`` may use the app under the allow-list ``allowed``.

    ``allowed`` None -> True for everyone. Otherwise the email must be in the list, compared case-insensitively and
    without surrounding spaces; a missing email, or one the identity provider marks unverified
    (``email_verified=False``: the user typed it, it proves nothing), is never allowed.

    >>> is_allowed("Ada@Example.org", ["ada@example.org"])
    True
    >>> is_allowed("eve@example.org", ["ada@example.org"])
    False
    """
    if allowed is None:
        return True
    if not email or email_verified is False:
        return False
    return email.strip().casefold() in {a.strip().casefold() for a in allowed}


def display_name(user: Mapping[str, Any]) -> str:
    """What the sidebar calls the signed-in user: ``"name (email)"``, or whichever of the two the provider sent,
    or ``"signed in"`` when it sent neither."""
    name, email = user.get("name"), user.get("email")
    if name and email and name != email:
        return f"{name} ({email})"
    return str(name or email or "signed in")


# --------------------------------------------------------------------------------------------------- the gate
def _secrets() -> Mapping[str, Any]:
    """The secrets this run sees, or {} when there is no secrets file (reading ``st.secrets`` then would raise)."""
    # st.secrets is looked up on the module each call: AppTest swaps it for ``at.secrets``.
    secrets = st.secrets
    return secrets if secrets.load_if_toml_exists() else {}


def _escape(text: str) -> str:
    from dashboard.components import safe_markdown

    return safe_markdown(text)


def _login_screen(secrets: Mapping[str, Any]) -> None:
    st.title("NewsLens")
    st.info("This NewsLens dashboard is private: sign in to see its articles.", icon=":material/lock:")
    if has_default_provider(secrets):
        st.button("Log in", key="nl_login", on_click=st.login, type="primary", icon=":material/login:")
    for name in providers(secrets):
        st.button(f"Log in with {_escape(name.title())}", key=f"nl_login_{name}", on_click=st.login, args=(name,),
                  type="primary", icon=":material/login:")


def require_login() -> bool:
    """Render the sign-in gate; True when the app may go on (no ``[auth]`` secrets, or a signed-in, allowed user).

    - no ``[auth]`` in the secrets: renders nothing, returns True;
    - not signed in: an explanation and the "Log in" button(s), returns False;
    - signed in but not on the allow-list: an error naming the email and a "Log out" button, returns False;
    - signed in and allowed: "Signed in as ..." and a "Log out" button in the sidebar, returns True.

    Call it right after ``st.set_page_config`` and ``st.stop()`` when it returns False.
    """
    secrets = _secrets()
    if not auth_configured(secrets):
        return True
    user = st.user
    # st.user has no "is_logged_in" when Streamlit sees no [auth] file section (AppTest's secrets): not signed in.
    if not user.get("is_logged_in"):
        _login_screen(secrets)
        return False
    email = user.get("email")
    if not is_allowed(email, allowed_emails(secrets), user.get("email_verified")):
        st.title("NewsLens")
        st.error(f"{_escape(email) if email else 'Your account (no email address)'} is not allowed to use this dashboard. Ask its administrator to add you, or log out and sign "
                 "in with another account.", icon=":material/block:")
        st.button("Log out", key="nl_logout", on_click=st.logout, icon=":material/logout:")
        return False
    with st.sidebar:
        st.caption(f"Signed in as {_escape(display_name(user))}")
        st.button("Log out", key="nl_logout", on_click=st.logout, icon=":material/logout:")
    return True
