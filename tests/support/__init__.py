"""Helpers shared by the browser tests and the benchmarks (bench/ imports these). The other way round, the corpus
tests import the benches' own scoring functions (``bench.bench_html``, ``bench.eval_countries``,
``bench.eval_entities``), so a floor asserted in a test is computed exactly as the figure its bench prints."""
