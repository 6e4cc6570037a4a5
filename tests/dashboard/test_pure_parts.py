"""The dashboard's pure parts import neither Streamlit nor the widgets (they are tested, and usable, without them)."""

from __future__ import annotations

import subprocess
import sys


def test_selection_and_reading_import_without_streamlit():
    code = ("import sys; import dashboard.selection, dashboard.reading, dashboard.text; "
            "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith(('streamlit.', 'dashboard.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['dashboard.reading', 'dashboard.selection', 'dashboard.text']"
