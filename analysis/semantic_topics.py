"""Semantic topics: spherical k-means on article embeddings joined with the TF-IDF (LSA) features.

Method (why): each article is the concatenation of two unit vectors, its static MiniLM embedding
(:mod:`analysis.embeddings`, centred on the corpus mean so the direction every news text shares does not dominate
the cosine) and its LSA vector from :class:`analysis.topics.TopicModel`, re-normalised. The embedding knows that
"striker" and "goal" belong together in a 20-word item; TF-IDF keeps the names and rare words that separate two
stories on long articles. Measured (bench/eval_topics.py): either alone is worse than both on AG News and BBC.

Everything else is :class:`~analysis.topics.TopicModel`: every article is assigned to its nearest topic (the
"other" threshold is a cosine no article is that far from its centre in practice), stable ids across incremental
builds (:func:`analysis.topics.refit_and_match` on the c-TF-IDF term weights), log-odds labels from the term counts,
the 2-D map (here a PCA of the joint vectors). What changes:

- automatic k searches from 3 topics up, and among equally stable k prefers the larger;
- grab-bag topics, whose members are far from their centre compared with the other topics, are bisected while
  both halves are big enough; any still loose after that get a label starting with "mixed:" (``mixed_`` lists them);
- label terms never include HTML entity names leaked from feeds ("quot", "amp") or words of fewer than 3 letters.

Example::

    model = SemanticTopicModel(random_state=0).fit(index, vectors)   # vectors: float (n, d), rows as index.uids
    model.assign(index, vectors_new, uids=new_uids)                  # DataFrame[uid, topic_id, weight, x, y]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import KMeans

from analysis.keywords import TermIndex
from analysis.topics import TopicModel

__all__ = ["JUNK_LABEL_TERMS", "MIXED_PREFIX", "SemanticTopicModel"]

MIXED_PREFIX = "mixed: "
#: HTML entity names that survive in feed text after the "&" is lost ("#39;", "quot;"): never a label.
JUNK_LABEL_TERMS = frozenset({"quot", "amp", "nbsp", "apos", "lt", "gt", "lsquo", "rsquo", "ldquo", "rdquo", "mdash",
                              "ndash", "hellip", "href", "http", "https", "www", "com"})


def _l2(A: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(A, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return A / n


class SemanticTopicModel(TopicModel):
    """Topic model over a :class:`~analysis.keywords.TermIndex` plus one embedding per article.

    Parameters (besides :class:`~analysis.topics.TopicModel`'s):
        semantic_weight: weight of the embedding half against the TF-IDF half (1 = equal), or ``"auto"``: 1 for
            short items (median <= 40 counted terms per article, headlines and leads), falling log-linearly to 0.6
            at >= 150 (full articles, where TF-IDF has enough words to be reliable on its own).
        stability_tolerance: automatic k takes the largest k whose stability is within this of the best.
        split_ratio: a topic whose mean member-to-centre cosine is below ``split_ratio`` x the median topic's is a
            grab-bag: it is bisected (2-means) when both halves have at least ``min_topic_size`` members (automatic
            k and >= 60 articles only; otherwise, and when still loose after ``max_splits``, it is labelled mixed).
        max_splits: at most this many bisections per fit.

    Learned (besides the parent's): ``vector_mean_`` (centre of the fitted embeddings), ``cohesion_`` (topic id ->
    mean cosine of its members to its centre), ``weight_`` (the semantic weight used), ``mixed_`` (ids of topics labelled mixed), ``splits_`` (how many
    grab-bags were bisected), ``empty_vectors_`` (articles whose embedding was all zeros: no known token).
    """

    def __init__(self, n_topics: int | str = "auto", random_state: int = 0, semantic_weight: float | str = "auto",
                 stability_tolerance: float = 0.01, split_ratio: float = 0.9, max_splits: int = 3, **kwargs):
        super().__init__(n_topics=n_topics, random_state=random_state, **kwargs)
        self.semantic_weight = semantic_weight
        self.stability_tolerance = stability_tolerance
        self.split_ratio = split_ratio
        self.max_splits = max_splits

    # ------------------------------------------------------------------------------------------------ features
    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        V = np.asarray(vectors, dtype=np.float32)
        empty = ~np.any(V != 0, axis=1)
        C = _l2(V - self.vector_mean_[None, :])
        C[empty] = 0.0  # no known token: no semantic evidence rather than "opposite of the mean"
        return C

    def _features(self, counts: sp.csr_matrix) -> np.ndarray:
        lsa = super()._features(counts)
        incoming = getattr(self, "_incoming", None)
        if incoming is None or len(incoming) != lsa.shape[0]:
            raise ValueError("semantic features need one vector per article (internal: vectors not set)")
        return _l2(np.hstack([self.weight_ * incoming, lsa]).astype(np.float64))

    def _with_vectors(self, vectors: np.ndarray, n_rows: int):
        V = np.asarray(vectors)
        if V.ndim != 2 or V.shape[0] != n_rows:
            raise ValueError(f"got {V.shape[0] if V.ndim else 0} vectors for {n_rows} articles: give one per article")
        if hasattr(self, "vector_mean_") and V.shape[1] != self.vector_mean_.shape[0]:
            raise ValueError(f"vectors have {V.shape[1]} dimensions, the model was fitted on "
                             f"{self.vector_mean_.shape[0]}: rebuild with --refit-topics after changing the model")
        self._incoming = self._centred(V)

    # ------------------------------------------------------------------------------------------------ fitting
    def fit(self, X: TermIndex, vectors: np.ndarray | None = None, uids: Sequence[int] | None = None,
            terms=None) -> SemanticTopicModel:
        """Fit on a TermIndex (rows ``uids``, default all) and ``vectors`` (one row per fitted article, same order).
        Returns ``self``."""
        if vectors is None:
            raise ValueError("SemanticTopicModel.fit needs vectors= (one embedding per article)")
        if not isinstance(X, TermIndex):
            raise TypeError("SemanticTopicModel.fit takes a TermIndex")
        n_rows = len(X.row_index(uids))
        V = np.asarray(vectors, dtype=np.float32)
        if V.ndim != 2 or V.shape[0] != n_rows:
            raise ValueError(f"got {V.shape[0] if V.ndim == 2 else 0} vectors for {n_rows} articles")
        self.empty_vectors_ = int(np.sum(~np.any(V != 0, axis=1)))
        nonempty = V[np.any(V != 0, axis=1)]
        self.vector_mean_ = nonempty.mean(axis=0) if len(nonempty) else np.zeros(V.shape[1], np.float32)
        self.splits_ = 0
        self.weight_ = self._semantic_weight(X, uids)
        self._with_vectors(V, n_rows)
        try:
            super().fit(X, uids=uids)
        finally:
            self._incoming = None
        return self

    def _semantic_weight(self, X: TermIndex, uids) -> float:
        if self.semantic_weight != "auto":
            return float(self.semantic_weight)
        rows = X.row_index(uids)
        lengths = np.asarray(X.X[rows][:, np.flatnonzero(X.keyword_mask)].sum(axis=1)).ravel()
        median = float(np.median(lengths)) if len(lengths) else 0.0
        short, long_, w_short, w_long = 40.0, 150.0, 1.0, 0.6
        if median <= short:
            return w_short
        if median >= long_:
            return w_long
        return w_short + (w_long - w_short) * float(np.log(median / short) / np.log(long_ / short))

    def _choose_k(self, Z: np.ndarray) -> int:
        n = Z.shape[0]
        if self.n_topics == "auto" and getattr(self, "vocabulary_note_", ""):
            # no distinctive words (80 press releases with one body): the articles are alike, and k-means would
            # split them on noise in their titles' vectors; they are one topic
            self.k_scores_ = pd.DataFrame({"k": [1], "score": [np.nan]})
            return 1
        saved = self.k_range
        if self.n_topics == "auto" and saved is None and n >= 60:
            # from 3 up: on short news the embeddings separate broad sections well, and stability decides how fine
            self.k_range = (3, int(min(40, max(12, round(np.sqrt(n) / 4)))))
        try:
            k = super()._choose_k(Z)
        finally:
            self.k_range = saved
        scores = self.k_scores_
        if self.n_topics == "auto" and len(scores) > 1 and scores["score"].notna().all():
            near = scores[scores["score"] >= scores["score"].max() - self.stability_tolerance]
            k = int(near["k"].max())
        return k

    def _cluster(self, Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        labels, cent = super()._cluster(Z, k)
        n = Z.shape[0]
        min_size = self.min_topic_size
        if min_size is None:
            min_size = 1 if n < 60 else max(2, int(0.005 * n))
        tried: set[int] = set()
        # below 60 articles cohesion is too noisy to call a topic a grab-bag (3 copies of a story are "tight")
        # an explicit n_topics is what the user asked for: loose topics are then only labelled mixed
        for _ in range(self.max_splits if n >= 60 and self.n_topics == "auto" else 0):
            if len(cent) < 2:
                break
            cohesion = _cohesion(Z, labels, cent)
            median = float(np.median(cohesion))
            loose = [j for j in np.argsort(cohesion) if j not in tried and cohesion[j] < self.split_ratio * median]
            if not loose:
                break
            j = int(loose[0])
            members = np.flatnonzero(labels == j)
            tried.add(j)
            if len(members) < 2 * max(min_size, 2):
                continue
            halves = KMeans(2, n_init=5, random_state=self.random_state).fit_predict(Z[members])
            if min(np.bincount(halves, minlength=2)) < min_size:
                continue
            labels = labels.copy()
            labels[members[halves == 1]] = len(cent)
            cent = _l2(np.vstack([Z[labels == t].mean(axis=0) for t in range(len(cent) + 1)]))
            labels = np.argmax(Z @ cent.T, axis=1)
            tried = {t for t in tried if t != j}
            self.splits_ += 1
        return labels, cent

    def _label_topics(self, C: sp.csr_matrix, labels: np.ndarray) -> None:
        junk = np.array([_junk_label_term(t) for t in self.terms_], dtype=bool)
        if junk.any():
            keep = sp.diags((~junk).astype(np.float32))
            C = (C @ keep).tocsr()
            C.eliminate_zeros()
        super()._label_topics(C, labels)
        self._mark_mixed(labels)

    def _mark_mixed(self, labels: np.ndarray) -> None:
        """Label topics still loose after splitting as mixed (their members share little)."""
        A = self.assignments_
        topic_ids = self.topic_ids_
        w = A["weight"].to_numpy()
        cohesion = np.array([w[labels == j].mean() if np.any(labels == j) else 1.0 for j in range(len(topic_ids))])
        self.cohesion_ = {int(t): float(c) for t, c in zip(topic_ids, cohesion)}
        median = float(np.median(cohesion)) if len(cohesion) else 0.0
        mixed = [int(t) for t, c in zip(topic_ids, cohesion)
                 if len(labels) >= 60 and len(cohesion) > 2 and c < self.split_ratio * median]
        self.mixed_ = mixed
        if mixed:
            topics = self.topics_.copy()
            is_mixed = topics["topic_id"].isin(mixed)
            topics.loc[is_mixed, "label"] = MIXED_PREFIX + topics.loc[is_mixed, "label"]
            self.topics_ = topics

    # ------------------------------------------------------------------------------------------------ applying
    def assign(self, X, vectors: np.ndarray | None = None, uids=None) -> pd.DataFrame:  # type: ignore[override]
        """Assign new articles (``vectors`` one per uid, in ``uids`` order) to the existing topics (ids unchanged).
        Returns DataFrame[uid, topic_id, weight, x, y]."""
        if vectors is None:
            raise ValueError("SemanticTopicModel.assign needs vectors= (one embedding per article)")
        n_rows = len(X.row_index(uids)) if isinstance(X, TermIndex) else len(X)
        self._with_vectors(vectors, n_rows)
        try:
            return super().assign(X, uids=uids)
        finally:
            self._incoming = None

    def transform(self, X, vectors: np.ndarray | None = None, uids=None):  # type: ignore[override]
        if vectors is None:
            raise ValueError("SemanticTopicModel.transform needs vectors= (one embedding per article)")
        n_rows = len(X.row_index(uids)) if isinstance(X, TermIndex) else len(X)
        self._with_vectors(vectors, n_rows)
        try:
            return super().transform(X, uids=uids)
        finally:
            self._incoming = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_incoming"] = None
        return state


def _cohesion(Z: np.ndarray, labels: np.ndarray, cent: np.ndarray) -> np.ndarray:
    sims = np.einsum("ij,ij->i", Z, cent[labels])
    sums = np.bincount(labels, weights=sims, minlength=len(cent))
    sizes = np.bincount(labels, minlength=len(cent))
    return sums / np.maximum(sizes, 1)


def _junk_label_term(term: str) -> bool:
    words = str(term).split(" ")
    if any(w in JUNK_LABEL_TERMS for w in words):
        return True
    return len(words) == 1 and len(words[0]) < 3
