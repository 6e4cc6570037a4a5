"""NewsLens analysis core: ingest, enrich and analyse news articles; never imports Streamlit."""

__version__ = "0.1.0"
