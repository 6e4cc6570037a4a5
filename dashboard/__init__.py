"""NewsLens dashboard: the only package that imports streamlit. Run: ``streamlit run dashboard/app.py``."""
