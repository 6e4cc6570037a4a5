"""Errors a caller can catch without importing heavy modules (the CLI catches these to print a clean message)."""


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or used; the message says which address and what to do."""
