#!/usr/bin/env bash
# NewsLens in one command.
#   ./run.sh          set up (first time only) and open the dashboard on the default corpus in data/corpus
#   ./run.sh -- --store PATH [--read-only]   the same on another store
#   NEWSLENS_ADDRESS=0.0.0.0 ./run.sh         listen on every interface (default 127.0.0.1: this machine only)
#   ./run.sh test     set up and run the whole test suite (what CI runs)
#   ./run.sh setup    set up only: .venv with pinned deps + the spaCy model, Debian chromium for export/browser tests
# Extra arguments after `test` go to pytest (e.g. ./run.sh test -m "not slow").
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

setup() {
  if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
  fi
  # Re-install only when requirements.txt changed since the last successful install.
  stamp=.venv/.requirements.sha
  want=$(sha256sum requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.txt
    echo "$want" > "$stamp"
  fi
  # Static chart export (kaleido) and the browser tests drive Debian's Chromium; nothing downloads a browser.
  # Noto fonts draw Hangul, Kanji/Hanzi, Arabic, Devanagari and Cyrillic names in charts and exported PNG/PDF
  # (without them they are boxes).
  missing=""
  [ -x /usr/bin/chromium ] || missing="chromium"
  for pkg in fonts-noto-cjk fonts-noto-core; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      # shellcheck disable=SC2086 - a list of package names
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
      echo "note: missing Debian packages:$missing. PNG/SVG/PDF export needs chromium (else HTML only); the fonts" \
           "draw non-Latin text. Install them: sudo apt-get install$missing" >&2
    fi
  fi
}

case "${1:-}" in
  setup) setup ;;
  test)
    shift
    setup
    exec .venv/bin/python -m pytest "$@"
    ;;
  -h|--help) sed -n '2,8p' "$0" ;;
  *)
    # ./run.sh [dashboard] [-- --store PATH] : arguments after -- go to the dashboard
    [ "${1:-}" = "dashboard" ] && shift
    [ "${1:-}" = "--" ] && shift
    setup
    # dashboard.serve = `streamlit run dashboard/app.py` that loads the store and its term index before the first visit
    # loopback only unless asked: NEWSLENS_ADDRESS=0.0.0.0 ./run.sh serves the network (read docs/DEPLOYMENT.md first)
    exec .venv/bin/python -m dashboard.serve --server.address "${NEWSLENS_ADDRESS:-127.0.0.1}" \
      --server.headless true --browser.gatherUsageStats false -- "$@"
    ;;
esac
