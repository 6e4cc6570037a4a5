"""Start the dashboard with the slow first-visit work done before anyone visits.

    python -m dashboard.serve [streamlit options] [-- --store PATH --read-only]

Same as ``streamlit run dashboard/app.py [streamlit options] [-- app options]`` (which keeps working), plus the
warm-up, in the server's own process, that :mod:`dashboard.startup` describes (what and why). ``./run.sh`` starts
the dashboard this way.
"""

from __future__ import annotations

from dashboard.startup import launch


def main(argv: list[str] | None = None) -> None:
    launch(argv)


if __name__ == "__main__":
    main()
