"""Keyboard behaviour Streamlit's widgets lack, added by one hidden element per page.

:func:`commit_dates_on_enter` installs ``dashboard/static/date_keys.js``: Enter in a date filter, or Tab out of its
last part, commits the typed dates (Streamlit's ``st.date_input`` commits only when the field loses focus). The script runs in the app's page (a v2 component
without an iframe), adds one document listener per browser tab, and touches only date inputs.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

SCRIPT = Path(__file__).resolve().parent / "static" / "date_keys.js"
KEY = "newslens_keys"

_COMPONENT = st.components.v2.component("newslens_keys", js=SCRIPT.read_text(encoding="utf-8"),
                                        css=f".st-key-{KEY} {{ display: none; }}", isolate_styles=False)


def commit_dates_on_enter() -> None:
    """Mount the hidden element that makes Enter commit a date filter (call once per run, from the app)."""
    _COMPONENT(key=KEY)
