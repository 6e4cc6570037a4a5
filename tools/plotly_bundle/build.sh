#!/usr/bin/env bash
# Rebuild dashboard/static/plotly-newslens.min.js from entry.js (plotly.js from npm, bundled by esbuild with the
# settings of plotly.js's own esbuild-config.js). Only needed when entry.js or the plotly.js version changes; the
# built file is committed, so installing or running NewsLens never needs node. Keep plotly.js at the version plotly.py
# bundles (python -c "import plotly.offline as o; print(o.get_plotlyjs_version())"). CSS imports (MapLibre's, for
# map subplots NewsLens does not use) are dropped.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
node node_modules/esbuild/bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --define:global=window --define:define.amd=false --define:process.env.NODE_DEBUG=false --target=es2016 \
  --loader:.css=empty \
  --legal-comments=eof \
  --banner:js='/*! plotly.js v4.1.1 partial bundle for NewsLens (core, scatter, bar, heatmap, choropleth), built by tools/plotly_bundle | (c) Plotly, Inc. | MIT License */' --log-level=warning --outfile=../../dashboard/static/plotly-newslens.min.js
ls -l ../../dashboard/static/plotly-newslens.min.js
