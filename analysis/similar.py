""""More like this": the articles nearest to one article by the stored semantic vectors.

Cosine between the article embeddings (:mod:`analysis.embeddings`) after subtracting the corpus mean, as the topic
model does, so what every news text shares does not make everything look alike.

Example::

    similar_articles(store, uid=42, n=5)   # DataFrame[uid, id, title, date, source, topic_id, label, similarity]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.embeddings import vectors_from_bytes

__all__ = ["NoVectorsError", "VectorIndex", "similar_articles"]

COLUMNS = ["uid", "id", "title", "date", "source", "topic_id", "label", "similarity"]


class NoVectorsError(ValueError):
    """The store (or the article) has no semantic vector; the message says how to add them."""


class VectorIndex:
    """The store's vectors, centred and normalised, ready for cosine queries (build once per store version)."""

    def __init__(self, uids: np.ndarray, vectors: np.ndarray, model: str | None):
        self.uids = np.asarray(uids, dtype=np.int64)
        self.model = model
        V = np.asarray(vectors, dtype=np.float32)
        nonzero = V.any(axis=1) if len(V) else np.zeros(0, dtype=bool)
        mean = V[nonzero].mean(axis=0) if nonzero.any() else np.zeros(V.shape[1] if V.ndim == 2 else 0, np.float32)
        C = V - mean
        C[~nonzero] = 0.0
        norms = np.linalg.norm(C, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        self.vectors = C / norms
        self._row = {int(u): i for i, u in enumerate(self.uids)}

    @classmethod
    def from_store(cls, store) -> VectorIndex:
        uids, blobs, model = store.article_vectors()
        dims = len(blobs[0]) // 2 if blobs else 0
        return cls(uids, vectors_from_bytes(blobs, dims) if blobs else np.zeros((0, 0), np.float32), model)

    def nearest(self, uid: int, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """(uids, cosines) of the ``n`` nearest other articles, best first (ties by uid)."""
        if not len(self.uids):
            raise NoVectorsError("this store has no article vectors (built with --no-embeddings or before they "
                                 "existed): run `python -m analysis build SOURCES` without --no-embeddings to add them")
        row = self._row.get(int(uid))
        if row is None or not self.vectors[row].any():
            raise NoVectorsError(f"article uid {uid} has no semantic vector (no word the model knows, or not embedded "
                                 "yet): rebuild without --no-embeddings")
        sims = self.vectors @ self.vectors[row]
        sims[row] = -np.inf
        order = np.lexsort((self.uids, -sims))[: max(0, int(n))]
        order = order[np.isfinite(sims[order]) & self.vectors[order].any(axis=1)]
        return self.uids[order], sims[order]


def similar_articles(store, uid: int, n: int = 10, index: VectorIndex | None = None) -> pd.DataFrame:
    """The ``n`` articles most similar to ``uid``: DataFrame[uid, id, title, date, source, topic_id, label,
    similarity], most similar first. Raises :class:`NoVectorsError` when there are no vectors to compare."""
    index = index or VectorIndex.from_store(store)
    uids, sims = index.nearest(uid, n)
    if not len(uids):
        return pd.DataFrame(columns=COLUMNS)
    briefs = store.article_briefs(uids.tolist()).set_index("uid")
    out = briefs.reindex(uids).reset_index().rename(columns={"index": "uid"})
    out["similarity"] = sims.astype(float)
    return out[COLUMNS]
