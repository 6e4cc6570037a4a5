"""Errors a caller can catch without importing heavy modules (the CLI catches these to print a clean message)."""


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or used; the message says which address and what to do."""


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says which file and what to do."""


class StoreDamaged(StoreError):
    """The store file exists but DuckDB cannot read it (truncated, a zeroed block, not a DuckDB file)."""

    def __init__(self, path, detail: str = ""):
        self.path = path
        self.detail = detail
        super().__init__(damaged_message(path, detail))


def damaged_message(path, detail: str = "") -> str:
    """The one line every surface shows for a damaged store (the CLI, every dashboard page)."""
    why = f" ({detail})" if detail else ""
    return (f"store damaged: {path}: not a NewsLens store or damaged{why}. Restore the previous version (`python -m analysis restore --store {path}`, "
            "or the Restore button on the Data page) or rebuild it")
