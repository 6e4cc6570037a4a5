"""The optional sign-in gate (dashboard/auth.py): pure helpers with exact values, then AppTest runs of app.py.

AppTest (Streamlit 1.67) simulates a signed-in user through ``at.user`` (``{"is_logged_in": True, "name": ...,
"email": ...}``) and gives the script ``at.secrets`` as ``st.secrets``; ``st.logout`` then leaves
``{"is_logged_in": False}``. Nothing contacts an identity provider: the provider values are fake and no test clicks
"Log in" (that would need the real secrets file Streamlit's auth routes read).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.pipeline import BuildOptions, build
from dashboard import auth

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
DEFAULT_CORPUS = REPO / "data" / "corpus"
TIMEOUT = 60

REDIRECT = "http://localhost:8501/oauth2callback"
FAKE_PROVIDER = {"client_id": "fake-id", "client_secret": "fake-secret",
                 "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration"}
DEFAULT_AUTH = {"redirect_uri": REDIRECT, "cookie_secret": "not-a-real-secret-0123456789abcdef", **FAKE_PROVIDER}
NAMED_AUTH = {"redirect_uri": REDIRECT, "cookie_secret": "not-a-real-secret-0123456789abcdef",
              "google": dict(FAKE_PROVIDER), "microsoft": dict(FAKE_PROVIDER)}
ADA = {"is_logged_in": True, "name": "Ada Lovelace", "email": "Ada@Example.org", "email_verified": True}


# ---------------------------------------------------------------------------------------------- pure helpers
def test_auth_configured_only_with_an_auth_table():
    assert auth.auth_configured({"auth": {"redirect_uri": REDIRECT}}) is True
    assert auth.auth_configured({"auth": {}}) is True  # an empty [auth] still means "sign-in wanted"
    assert auth.auth_configured({}) is False
    assert auth.auth_configured({"newslens": {"allowed_emails": ["a@b.c"]}}) is False
    assert auth.auth_configured({"auth": "yes"}) is False  # a string is not a TOML table


def test_providers_are_named_sub_tables_in_file_order():
    assert auth.providers({"auth": NAMED_AUTH}) == ["google", "microsoft"]
    assert auth.providers({"auth": DEFAULT_AUTH}) == []
    # client_kwargs of the default provider is a table but not a provider; "_" names are rejected by st.login
    mixed = {**DEFAULT_AUTH, "client_kwargs": {"prompt": "login"}, "my_idp": dict(FAKE_PROVIDER),
             "okta": {"server_metadata_url": "https://okta.invalid/.well-known/openid-configuration"}}
    assert auth.providers({"auth": mixed}) == ["okta"]
    assert auth.providers({}) == []


def test_default_provider_when_top_level_client_id_or_no_named_one():
    assert auth.has_default_provider({"auth": DEFAULT_AUTH}) is True
    assert auth.has_default_provider({"auth": NAMED_AUTH}) is False
    assert auth.has_default_provider({"auth": {**DEFAULT_AUTH, "okta": dict(FAKE_PROVIDER)}}) is True
    assert auth.has_default_provider({"auth": {"redirect_uri": REDIRECT}}) is True  # misconfigured: still a button
    assert auth.has_default_provider({}) is False


def test_parse_emails():
    assert auth.parse_emails(" Ada@Example.org, bob@example.org;\ncarol@x.io ") == frozenset(
        {"ada@example.org", "bob@example.org", "carol@x.io"})
    assert auth.parse_emails(["ADA@example.org ", "", "  "]) == frozenset({"ada@example.org"})
    assert auth.parse_emails(None) is None
    assert auth.parse_emails("  ") is None  # a blank env var is "no list"
    assert auth.parse_emails([]) == frozenset()  # an explicit empty list allows nobody


def test_allowed_emails_env_wins_over_secrets():
    secrets = {"newslens": {"allowed_emails": ["Ada@Example.org"]}}
    assert auth.allowed_emails(secrets, environ={}) == frozenset({"ada@example.org"})
    env = {auth.ALLOWED_EMAILS_ENV: "bob@example.org,carol@example.org"}
    assert auth.allowed_emails(secrets, environ=env) == frozenset({"bob@example.org", "carol@example.org"})
    assert auth.allowed_emails(secrets, environ={auth.ALLOWED_EMAILS_ENV: ""}) == frozenset({"ada@example.org"})
    assert auth.allowed_emails({}, environ={}) is None
    assert auth.allowed_emails({"newslens": {}}, environ={}) is None
    assert auth.allowed_emails({"newslens": {"allowed_emails": []}}, environ={}) == frozenset()


def test_allowed_emails_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv(auth.ALLOWED_EMAILS_ENV, "x@example.org")
    assert auth.allowed_emails({}) == frozenset({"x@example.org"})
    monkeypatch.delenv(auth.ALLOWED_EMAILS_ENV)
    assert auth.allowed_emails({}) is None


def test_is_allowed():
    allowed = frozenset({"ada@example.org"})
    assert auth.is_allowed("Ada@Example.ORG", allowed) is True
    assert auth.is_allowed(" ada@example.org ", ["ADA@example.org"]) is True
    assert auth.is_allowed("eve@example.org", allowed) is False
    assert auth.is_allowed("ada@example.org.evil.io", allowed) is False  # whole address, not a prefix
    assert auth.is_allowed(None, allowed) is False
    assert auth.is_allowed("", allowed) is False
    assert auth.is_allowed("ada@example.org", frozenset()) is False
    assert auth.is_allowed("ada@example.org", allowed, email_verified=False) is False
    assert auth.is_allowed("ada@example.org", allowed, email_verified=True) is True
    assert auth.is_allowed("anyone@anywhere.io", None) is True  # no list: every signed-in user
    assert auth.is_allowed(None, None) is True


def test_display_name():
    assert auth.display_name({"name": "Ada", "email": "ada@example.org"}) == "Ada (ada@example.org)"
    assert auth.display_name({"email": "ada@example.org"}) == "ada@example.org"
    assert auth.display_name({"name": "Ada"}) == "Ada"
    assert auth.display_name({"name": "a@b.c", "email": "a@b.c"}) == "a@b.c"
    assert auth.display_name({}) == "signed in"


# ---------------------------------------------------------------------------------------------- AppTest runs
@pytest.fixture(scope="module")
def default_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("auth_default") / "default.duckdb"
    try:
        report = build([str(DEFAULT_CORPUS)], store, BuildOptions())
    except ImportError:  # topic step not installed
        report = build([str(DEFAULT_CORPUS)], store, BuildOptions(topics=False))
    assert report.articles == 1
    return store


@pytest.fixture()
def store_calls(monkeypatch, default_store) -> list:
    """Point the dashboard at the one-article store and record every ``data.get_store`` call (store access)."""
    import dashboard.data

    monkeypatch.setenv("NEWSLENS_STORE", str(default_store))
    monkeypatch.delenv("NEWSLENS_READ_ONLY", raising=False)
    monkeypatch.delenv(auth.ALLOWED_EMAILS_ENV, raising=False)
    calls: list = []
    original = dashboard.data.get_store

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(dashboard.data, "get_store", spy)
    return calls


def _app(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _no_data(at: AppTest) -> None:
    """Nothing from the corpus: no sidebar widgets or text, no charts, metrics, tables or page navigation."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.sidebar.multiselect and not at.sidebar.text_input and not at.sidebar.subheader
    assert not at.get("plotly_chart") and not at.get("bidi_component") and not at.metric and not at.dataframe
    assert not [c for c in at.caption if "Store:" in c.value]


def test_without_auth_secrets_the_app_runs_as_before(store_calls):
    at = _app()
    _ok(at)
    assert "Log in" not in " ".join(_labels(at)) and "Log out" not in _labels(at)
    assert not any("Signed in" in c.value for c in at.caption)
    assert not any("private" in i.value for i in at.info)
    assert _metric(at, "Articles") == "1"
    assert at.sidebar.multiselect(key="flt_countries")
    assert store_calls  # the store was opened


def test_not_signed_in_sees_only_the_login_button(store_calls):
    at = _app({"auth": DEFAULT_AUTH})
    _no_data(at)
    assert _labels(at) == ["Log in"]
    assert [t.value for t in at.title] == ["NewsLens"]
    assert any("sign in" in i.value for i in at.info)
    assert store_calls == []  # the store was never touched


def test_named_providers_get_one_button_each(store_calls):
    at = _app({"auth": NAMED_AUTH})
    _no_data(at)
    assert _labels(at) == ["Log in with Google", "Log in with Microsoft"]
    assert store_calls == []


def test_logged_out_flag_is_not_signed_in(store_calls):
    # AppTest's default user has an email but no is_logged_in: with [auth] that is a visitor, not a user
    at = _app({"auth": DEFAULT_AUTH}, user={"is_logged_in": False, "email": "ada@example.org"})
    _no_data(at)
    assert _labels(at) == ["Log in"]
    assert store_calls == []


def test_signed_in_user_sees_the_app_and_a_logout_button(store_calls):
    at = _app({"auth": DEFAULT_AUTH}, user=ADA)
    _ok(at)
    # the "@" carries a word joiner (dashboard.text): an e-mail address is not auto-linked
    assert any(c.value == "Signed in as Ada Lovelace \\(Ada\u2060@Example\\.org\\)" for c in at.sidebar.caption)
    assert "Log out" in [b.label for b in at.sidebar.button]
    assert _metric(at, "Articles") == "1"
    assert at.sidebar.multiselect(key="flt_countries")
    assert store_calls
    # Log out: st.logout clears the user; the next run shows the login screen again
    at.button(key="nl_logout").click().run()
    _no_data(at)
    assert at.user == {"is_logged_in": False}
    assert _labels(at) == ["Log in"]


def test_allow_list_from_secrets_is_case_insensitive(store_calls):
    at = _app({"auth": DEFAULT_AUTH, "newslens": {"allowed_emails": ["ada@EXAMPLE.org", "bob@example.org"]}},
              user=ADA)
    _ok(at)
    assert _metric(at, "Articles") == "1"


def test_not_on_the_allow_list_sees_a_message_and_logout_only(store_calls, monkeypatch):
    monkeypatch.setenv(auth.ALLOWED_EMAILS_ENV, "bob@example.org, carol@example.org")
    at = _app({"auth": DEFAULT_AUTH}, user=ADA)
    _no_data(at)
    assert len(at.error) == 1 and "Ada\u2060@Example\\.org is not allowed" in at.error[0].value
    assert _labels(at) == ["Log out"]
    assert store_calls == []
    at.button(key="nl_logout").click().run()
    assert _labels(at) == ["Log in"]


def test_unverified_email_is_not_allowed(store_calls):
    at = _app({"auth": DEFAULT_AUTH, "newslens": {"allowed_emails": ["ada@example.org"]}},
              user={**ADA, "email_verified": False})
    _no_data(at)
    assert "is not allowed" in at.error[0].value
    assert store_calls == []


def test_name_from_the_identity_provider_is_escaped(store_calls):
    at = _app({"auth": DEFAULT_AUTH}, user={"is_logged_in": True, "name": "[x](javascript:alert(1))",
                                              "email": "<b>m@x.io</b>"})
    _ok(at)
    caption = next(c.value for c in at.sidebar.caption if c.value.startswith("Signed in as"))
    assert caption == ("Signed in as \\[x\\]\\(javascript\\:alert\\(1\\)\\) "
                       "\\(&lt;b&gt;m\u2060@x\\.io&lt;/b&gt;\\)")
