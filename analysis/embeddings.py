"""Semantic article vectors from a static token-embedding table distilled from all-MiniLM-L6-v2.

What it is: ``analysis/resources/static_minilm/`` holds one 256-dimensional float16 vector per WordPiece token of
MiniLM's vocabulary (29,525 tokens, 15 MB) and MiniLM's own tokenizer. They were made once by model2vec
(``tools/distil_static_embeddings.py``): every token went through the transformer, the outputs were reduced with PCA
and weighted by SIF so frequent tokens count little. An article's vector is the mean of its tokens' vectors
(first ``max_tokens`` tokens), l2-normalised. Run time needs only numpy and ``tokenizers``: no PyTorch, nothing
downloaded. Model licence: Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2).

Why static rather than MiniLM itself: on 2 CPU cores it embeds 15k articles in seconds instead of minutes, and
combined with the TF-IDF features (:mod:`analysis.semantic_topics`) it clusters short news better than either
alone (README, "Topics").

Example::

    emb = StaticEmbedder.load()
    V = emb.encode(["Stocks fall on rate fears", "Striker scores twice"])   # float32 (2, 256), unit rows
    emb.model_id    # "static-minilm-256-bb5863a4a6a1c818": stored with every vector
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["MODEL_DIR", "EmbeddingError", "StaticEmbedder", "article_texts", "vectors_from_bytes", "vectors_to_bytes"]

MODEL_DIR = Path(__file__).resolve().parent / "resources" / "static_minilm"
_REMEDY = ("reinstall the project (the files ship in analysis/resources/static_minilm), recreate them with "
           "tools/distil_static_embeddings.py, or build with --no-embeddings to use TF-IDF topics")


class EmbeddingError(RuntimeError):
    """The embedding model cannot be loaded; the message names the file and what to do."""


@dataclass(frozen=True)
class StaticEmbedder:
    """A token table and its tokenizer. ``encode`` maps texts to unit vectors (zero rows for texts with no known
    token; ``encode`` reports how many in ``last_empty``)."""

    table: np.ndarray  # float32 (vocab, dims)
    tokenizer: object  # tokenizers.Tokenizer
    model_id: str
    unk_id: int | None
    max_tokens: int = 512

    @classmethod
    def load(cls, model_dir: str | Path = MODEL_DIR) -> StaticEmbedder:
        """Read the table and tokenizer from ``model_dir``. Raises :class:`EmbeddingError` naming a missing or
        inconsistent file."""
        return _load_cached(str(Path(model_dir).resolve()))

    @property
    def dims(self) -> int:
        return int(self.table.shape[1])

    def encode(self, texts: Sequence[str], batch_size: int = 2048) -> np.ndarray:
        """Texts -> float32 array (len(texts), dims) of l2-normalised mean token vectors."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = [t or "" for t in texts[start:start + batch_size]]
            encodings = self.tokenizer.encode_batch_fast(chunk, add_special_tokens=False)
            for offset, enc in enumerate(encodings):
                ids = np.asarray(enc.ids[: self.max_tokens], dtype=np.int64)
                if self.unk_id is not None:
                    ids = ids[ids != self.unk_id]
                if len(ids):
                    out[start + offset] = self.table[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


@functools.lru_cache(maxsize=2)
def _load_cached(model_dir: str) -> StaticEmbedder:
    from tokenizers import Tokenizer

    folder = Path(model_dir)
    table_path, tok_path = folder / "embeddings.npy", folder / "tokenizer.json"
    for path in (table_path, tok_path):
        if not path.is_file():
            raise EmbeddingError(f"{path}: embedding model file missing; {_REMEDY}.")
    try:
        table = np.load(table_path, allow_pickle=False)
    except ValueError as exc:  # a truncated or non-numpy file
        raise EmbeddingError(f"{table_path}: not a readable numpy table ({exc}); {_REMEDY}.") from exc
    try:
        tokenizer = Tokenizer.from_file(str(tok_path))
    except Exception as exc:  # tokenizers raises a bare Exception on a malformed file
        raise EmbeddingError(f"{tok_path}: not a readable tokenizer ({exc}); {_REMEDY}.") from exc
    tokenizer.no_truncation()
    tokenizer.no_padding()
    if table.ndim != 2 or table.shape[0] != tokenizer.get_vocab_size():
        raise EmbeddingError(
            f"{table_path}: table shape {table.shape} does not match the tokenizer's {tokenizer.get_vocab_size()} "
            f"tokens; {_REMEDY}."
        )
    digest = hashlib.sha256(table.tobytes()).hexdigest()[:16]
    meta_path = folder / "meta.json"
    if meta_path.is_file():
        expected = json.loads(meta_path.read_text(encoding="utf-8")).get("sha256_16")
        if expected and expected != digest:
            raise EmbeddingError(f"{table_path}: content hash {digest} differs from meta.json's {expected}; {_REMEDY}.")
    return StaticEmbedder(
        table=table.astype(np.float32),
        tokenizer=tokenizer,
        model_id=f"static-minilm-{table.shape[1]}-{digest}",
        unk_id=tokenizer.token_to_id("[UNK]"),
    )


def article_texts(titles: Sequence[str | None], texts: Sequence[str | None], max_chars: int = 4000) -> list[str]:
    """What is embedded for each article: title and body, the body cut at ``max_chars`` characters (the first
    ``max_tokens`` tokens are used anyway; cutting first saves tokenising long articles)."""
    return [f"{t or ''}\n{(b or '')[:max_chars]}" for t, b in zip(titles, texts)]


def vectors_to_bytes(vectors: np.ndarray) -> list[bytes]:
    """Rows as float16 bytes, for the store (half the size of float32; cosines change by < 1e-3)."""
    half = np.ascontiguousarray(vectors, dtype=np.float16)
    return [row.tobytes() for row in half]


def vectors_from_bytes(blobs: Sequence[bytes], dims: int) -> np.ndarray:
    """Inverse of :func:`vectors_to_bytes`: float32 (len(blobs), dims). Raises ValueError on a wrong length."""
    out = np.zeros((len(blobs), dims), dtype=np.float32)
    for i, blob in enumerate(blobs):
        row = np.frombuffer(blob, dtype=np.float16)
        if row.shape[0] != dims:
            raise ValueError(f"stored vector {i} has {row.shape[0]} values, expected {dims}")
        out[i] = row
    return out
