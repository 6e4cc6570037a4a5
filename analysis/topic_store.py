"""Keep the stored topics up to date during a build: fit, assign new articles, or refit and match ids.

Policy (stable ids are what saved links and filters rely on):
- no model yet -> fit on the whole corpus (paragraphs of the articles when there are fewer than
  ``TopicModel.paragraph_threshold`` of them, so even one article shows its themes);
- ``--refit-topics``, a changed ``--n-topics``, a corpus now large enough to leave paragraph mode, or a corpus that has
  more than doubled since the last fit -> refit, then match the new topics to the old ones
  (:func:`analysis.topics.refit_and_match`) so ids and labels survive where the topics did;
- otherwise -> only the new articles are assigned to the existing topics (ids unchanged).

With embeddings (the default) the article model is :class:`analysis.semantic_topics.SemanticTopicModel` on the stored
vectors; ``--no-embeddings`` uses :class:`analysis.topics.TopicModel`. Switching between the two refits (and matches
ids). Paragraph mode (a handful of articles) always uses TF-IDF paragraphs.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd

from analysis.embeddings import StaticEmbedder, vectors_from_bytes
from analysis.keywords import TermIndex
from analysis.semantic_topics import SemanticTopicModel
from analysis.topics import NoTopicWords, TopicModel, refit_and_match

MODEL_NAME = "topics"
GROWTH_REFIT = 2.0  # refit once the corpus has grown to this multiple of the articles the model was fit on


def _load(payload: bytes | None) -> dict[str, Any] | None:
    # The payload is written by this module into the user's own store; it is never read from elsewhere.
    return pickle.loads(payload) if payload else None


def _index(w) -> TermIndex:
    return TermIndex.from_coded(*w.term_codes(), uids=w.all_uids())


def _vectors(w, uids) -> np.ndarray:
    return vectors_from_bytes(w.vectors(list(uids)), StaticEmbedder.load().dims)


def _kind(options) -> str:
    return "semantic" if getattr(options, "embeddings", True) else "tfidf"


def _fit(w, options, index: TermIndex) -> tuple[TopicModel, str]:
    model = TopicModel(n_topics=options.n_topics, random_state=options.random_state)
    if index.n_docs < model.paragraph_threshold:
        frame = w.article_frame(index.uids.tolist())
        model.fit_paragraphs(frame["title"].fillna("").tolist(), frame["text"].fillna("").tolist(), frame["uid"].tolist())
        return model, "paragraphs"
    if _kind(options) == "semantic":
        model = SemanticTopicModel(n_topics=options.n_topics, random_state=options.random_state)
        model.fit(index, _vectors(w, index.uids))
        return model, "articles"
    model.fit(index)
    return model, "articles"


def _no_topics(w) -> None:
    w.replace_topics(pd.DataFrame(columns=["topic_id", "label", "terms", "size", "share", "x", "y"]),
                     pd.DataFrame(columns=["uid", "topic_id", "weight", "x", "y"]), full=True)
    w.replace_paragraph_topics(None)


def _notes(model, report) -> None:
    """Say what the semantic model changed: grab-bags split, loose topics labelled mixed."""
    if getattr(model, "splits_", 0):
        report.topic_notes.append(f"split {model.splits_} grab-bag topic(s) whose members were far from their centre")
    mixed = getattr(model, "mixed_", [])
    if mixed:
        labels = dict(zip(model.topics_["topic_id"], model.topics_["label"]))
        report.topic_notes.append(
            f"{len(mixed)} topic(s) still loose after splitting, labelled mixed: "
            + "; ".join(f"#{t} {labels.get(t, '')}" for t in mixed[:5])
        )


def update_topics(w, options, report, progress) -> None:
    """Fit, refit-and-match or assign, then write topics, assignments and the model into the writer ``w``."""
    all_uids = w.all_uids()
    if len(all_uids) == 0:
        _no_topics(w)
        return
    saved = _load(w.model_payload(MODEL_NAME))
    assigned = set(w.assigned_uids()) if saved else set()
    new_uids = [u for u in all_uids.tolist() if u not in assigned]
    paragraph_threshold = TopicModel().paragraph_threshold
    needs_fit = (
        saved is None
        or options.refit_topics
        or saved.get("kind", "tfidf") != _kind(options)
        or saved["n_topics"] != options.n_topics
        or (saved["unit"] == "paragraphs" and len(all_uids) >= paragraph_threshold)
        or len(all_uids) > GROWTH_REFIT * saved["fitted_on"]
    )
    if not needs_fit and not new_uids:
        return
    progress("topics", 0, 1)
    index = _index(w)
    if needs_fit:
        try:
            model, unit = _fit(w, options, index)
        except NoTopicWords as exc:  # a degenerate corpus is not a failed build: no topics, said in the summary
            _no_topics(w)
            w.delete_model(MODEL_NAME)
            report.topics, report.topics_note = 0, str(exc)
            progress("topics", 1, 1)
            return
        report.topics_note = model.vocabulary_note_
        if saved is not None:
            model = refit_and_match(saved["model"], model)
        report.topics_refit = saved is not None
        topics = model.topics_.copy()
        assignments = model.assignments_.copy()
        w.replace_topics(topics, assignments, full=True)
        paragraphs = getattr(model, "paragraphs_", None)
        w.replace_paragraph_topics(paragraphs[["uid", "paragraph", "topic_id", "weight"]] if unit == "paragraphs" else None)
        saved = {"model": model, "unit": unit, "n_topics": options.n_topics, "fitted_on": len(all_uids),
                 "kind": _kind(options)}
        _notes(model, report)
        w.set_meta("topic_unit", unit)
    else:
        model = saved["model"]
        new = np.asarray(new_uids, dtype=np.int64)
        if isinstance(model, SemanticTopicModel):
            assignments = model.assign(index, _vectors(w, new), uids=new)
        else:
            assignments = model.assign(index, uids=new)
        topics = model.topics_.copy()
        w.replace_topics(topics, assignments, full=False)
        if saved["unit"] == "articles":
            w.refresh_topic_sizes()
    w.save_model(MODEL_NAME, pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))
    report.topics = int((model.topics_["topic_id"] >= 0).sum())
    progress("topics", 1, 1)
