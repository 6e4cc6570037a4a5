"""Topics: spherical k-means on LSA-reduced TF-IDF, automatic k by clustering stability, c-TF-IDF labels.

Method (why): articles are rows of l2-normalised sublinear TF-IDF (keyword vocabulary only, so no stopwords or
markup can reach a label), reduced with TruncatedSVD (LSA, <= 50 dims) and re-normalised; k-means on unit vectors
is spherical k-means (cosine). k-means on LSA is fast (seconds on 15k articles) and, unlike NMF, gives a clean
"nearest topic + cosine weight" for every article.

Automatic k: for each candidate k, k-means is fitted on four random 80% subsamples and the mean pairwise adjusted
Rand index of their labelings is the stability of k; the most stable k wins (on BBC News this picks the 5 editorial
categories). The candidate range grows with corpus size (a 15k-article wire corpus gets >= 12 topics, a 2k one >= 4).
Tiny corpora (< 60 documents, e.g. paragraphs of one article) use the cosine silhouette instead.

Every article gets its nearest topic; topic id -1 ("other") only when its cosine to the nearest centroid is below
``other_threshold``. Topic ids are 0..k-1 by decreasing size after a fit; :func:`refit_and_match` carries ids and
labels over from an older model (Hungarian matching on topic-term similarity).

Example::

    model = TopicModel(random_state=0).fit(index)          # index: analysis.keywords.TermIndex
    model.topics_        # DataFrame[topic_id, label, terms, size, share, x, y]
    model.assignments_   # DataFrame[uid, topic_id, weight, x, y]
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import adjusted_rand_score, silhouette_score
from threadpoolctl import threadpool_limits

from analysis.keywords import TermIndex
from analysis.text import count_terms, split_paragraphs

__all__ = ["NoTopicWords", "TopicModel", "refit_and_match", "topic_similarity"]

OTHER = -1


class NoTopicWords(ValueError):
    """The articles have no word to fit topics on (empty, or only stopwords): the build keeps going with no topics
    and says so in its summary."""


def _l2(A: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(A, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return A / n


class TopicModel:
    """Topic model over a :class:`~analysis.keywords.TermIndex`.

    Parameters:
        n_topics: ``"auto"`` (stability-selected) or an int.
        random_state: seed; the same corpus and seed give the same topics.
        min_topic_size: topics with fewer members are dissolved into their neighbours (default: 0.5% of the corpus,
            at least 2; 1 for tiny corpora).
        other_threshold: cosine (in LSA space) below which an article is "other" (topic -1).
        n_components: LSA dimensions (capped by corpus size).
        k_range: ``(k_min, k_max)`` candidates for automatic k (default grows with corpus size).
        n_label_terms: terms joined into a label; n_terms: terms listed per topic.
        paragraph_threshold: :meth:`fit_texts` clusters paragraphs instead of articles below this many articles.

    Learned: ``topics_``, ``assignments_``, ``k_``, ``k_scores_`` (DataFrame[k, score]), ``other_share_``,
    ``terms_``, ``idf_``, ``svd_``, ``centroids_``, ``topic_ids_`` (id of each centroid row), ``term_weights_``
    (topic id -> {term: c-TF-IDF weight}), ``paragraphs_`` (paragraph mode only), ``next_id_``.
    """

    def __init__(
        self,
        n_topics: int | str = "auto",
        random_state: int = 0,
        min_topic_size: int | None = None,
        other_threshold: float = 0.1,
        n_components: int = 50,
        k_range: tuple[int, int] | None = None,
        n_label_terms: int = 3,
        n_terms: int = 10,
        paragraph_threshold: int = 20,
    ):
        self.n_topics = n_topics
        self.random_state = random_state
        self.min_topic_size = min_topic_size
        self.other_threshold = other_threshold
        self.n_components = n_components
        self.k_range = k_range
        self.n_label_terms = n_label_terms
        self.n_terms = n_terms
        self.paragraph_threshold = paragraph_threshold

    # ------------------------------------------------------------------------------------------------ features
    def _features(self, counts: sp.csr_matrix) -> np.ndarray:
        """Counts in model vocabulary -> unit vectors in LSA space (n x d)."""
        W = counts.astype(np.float32).tocsr(copy=True)
        W.data = 1.0 + np.log(np.maximum(W.data, 1e-12))
        W = (W @ sp.diags(self.idf_.astype(np.float32))).tocsr()
        nrm = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
        nrm[nrm == 0] = 1.0
        W = sp.diags(1.0 / nrm) @ W
        if self.svd_ is None:
            return _l2(W.toarray())
        return _l2(self.svd_.transform(W))

    def _align(self, X, uids=None) -> tuple[sp.csr_matrix, np.ndarray]:
        """Accept a TermIndex (aligned by term strings), a list of {term: count} dicts, or a sparse matrix already in
        the model's vocabulary. Returns (counts in model vocabulary, uids)."""
        voc = self._voc
        if isinstance(X, TermIndex):
            rows = X.row_index(uids)
            col = np.array([voc.get(str(t), -1) for t in X.terms], dtype=np.int64)
            sub = X.X[rows].tocoo()
            keep = col[sub.col] >= 0
            M = sp.csr_matrix(
                (sub.data[keep], (sub.row[keep], col[sub.col[keep]])), shape=(len(rows), len(self.terms_))
            )
            return M, X.uids[rows]
        if isinstance(X, list) and (not X or isinstance(X[0], dict)):
            r, c, v = [], [], []
            for i, d in enumerate(X):
                for t, n in d.items():
                    j = voc.get(t)
                    if j is not None:
                        r.append(i), c.append(j), v.append(n)
            M = sp.csr_matrix((np.asarray(v, np.float32), (r, c)), shape=(len(X), len(self.terms_)))
            return M, np.arange(len(X)) if uids is None else np.asarray(uids)
        M = sp.csr_matrix(X)
        if M.shape[1] != len(self.terms_):
            raise ValueError(f"matrix has {M.shape[1]} columns, model vocabulary has {len(self.terms_)}")
        return M, np.arange(M.shape[0]) if uids is None else np.asarray(uids)

    # ------------------------------------------------------------------------------------------------ fitting
    def fit(self, X, uids: Sequence[int] | None = None, terms: Sequence[str] | None = None) -> TopicModel:
        """Fit on a :class:`TermIndex` (rows ``uids``, default all) or on a sparse count matrix with its ``terms``.

        Returns ``self``; see the class docstring for learned attributes.
        """
        # one BLAS/OpenMP thread: the matrices are small and k-means' OpenMP threads spin badly on a busy machine
        with threadpool_limits(limits=1):
            return self._fit(X, uids, terms)

    def _fit(self, X, uids, terms) -> TopicModel:
        self.paragraphs_ = None
        self.vocabulary_note_ = ""  # how a degenerate vocabulary was handled (shown in the build summary)
        if isinstance(X, TermIndex):
            rows = X.row_index(uids)
            cols = np.flatnonzero(X.keyword_mask)
            if X.X[rows][:, cols].nnz == 0 and X.X[rows].nnz > 0:
                # every word is in most articles (80 press releases with one body): no distinctive words, so use
                # them all; the articles then look alike and get one topic instead of failing the build
                cols = np.arange(X.X.shape[1])
                self.vocabulary_note_ = "no distinctive words: every word is in most articles, so topics use all words"
            C = X.X[rows][:, cols].tocsr()
            uid_arr = X.uids[rows]
            terms_arr = X.terms[cols].astype(str)
            df = np.bincount(C.indices, minlength=C.shape[1])
            n = C.shape[0]
            idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        else:
            if terms is None:
                raise ValueError("fit on a matrix needs terms= (one term per column)")
            C = sp.csr_matrix(X, dtype=np.float32)
            n = C.shape[0]
            uid_arr = np.arange(n) if uids is None else np.asarray(uids)
            terms_arr = np.asarray(terms, dtype=object).astype(str)
            df = np.bincount(C.indices, minlength=C.shape[1])
            idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        # drop columns unused by this subset: smaller SVD, and labels only from terms present
        used = np.flatnonzero(df > 0)
        C = C[:, used].tocsr()
        self.terms_ = terms_arr[used]
        self.idf_ = idf[used]
        self._voc = {t: i for i, t in enumerate(self.terms_)}
        self.n_docs_ = n
        if n == 0:
            raise ValueError("cannot fit topics on an empty corpus")
        if C.shape[1] == 0:
            raise NoTopicWords("no topics: the articles have no words to group them by (empty, or only stopwords)")
        self.svd_ = None
        d = min(self.n_components, C.shape[1] - 1, n - 1)
        if d >= 2:
            self.svd_ = TruncatedSVD(d, algorithm="randomized", n_iter=7, random_state=self.random_state)
            W = C.astype(np.float32).copy()
            W.data = 1.0 + np.log(W.data)
            W = _normalize_rows((W @ sp.diags(self.idf_.astype(np.float32))).tocsr())
            with np.errstate(divide="ignore", invalid="ignore"):  # identical rows: no variance to explain
                self.svd_.fit(W)
        Z = self._features(C)
        k = self._choose_k(Z)
        labels, centroids = self._cluster(Z, k)
        self._finish_fit(Z, C, uid_arr, labels, centroids)
        return self

    def _choose_k(self, Z: np.ndarray) -> int:
        n = Z.shape[0]
        # k-means cannot make more clusters than there are distinct points (identical texts are one point)
        distinct = len(np.unique(np.round(Z, 6), axis=0)) if n else 0
        if self.n_topics != "auto":
            k = int(self.n_topics)
            if k < 1:
                raise ValueError("n_topics must be >= 1 or 'auto'")
            self.k_scores_ = pd.DataFrame({"k": [k], "score": [np.nan]})
            if k > distinct:
                self._note(f"{k} topics asked, the articles give {max(distinct, 1)} distinct texts")
            return max(1, min(k, n, distinct))
        if n < 4 or distinct < 2:
            if distinct < 2 and n > 1:
                self._note("the texts are all alike: one topic")
            self.k_scores_ = pd.DataFrame({"k": [1], "score": [np.nan]})
            return 1
        if self.k_range is not None:
            k_lo, k_hi = self.k_range
        elif n < 60:
            k_lo, k_hi = 2, min(8, n // 2)
        else:
            k_lo = max(3, int(round(math.sqrt(n) / 12)))
            k_hi = min(40, max(k_lo + 8, 2 * k_lo + 4))
        k_lo = min(k_lo, distinct)
        k_hi = max(k_lo, min(k_hi, n - 1, distinct))
        rng = np.random.RandomState(self.random_state)
        scores = []
        if n < 60:
            for k in range(k_lo, k_hi + 1):
                lab = KMeans(k, n_init=10, random_state=self.random_state).fit_predict(Z)
                ok = 1 < len(np.unique(lab)) < n
                scores.append(silhouette_score(Z, lab, metric="cosine") if ok else -1.0)
        else:
            S = Z[rng.choice(n, 2000, replace=False)] if n > 2000 else Z
            masks = [rng.rand(len(S)) < 0.8 for _ in range(4)]
            for k in range(k_lo, k_hi + 1):
                labs = [
                    KMeans(k, n_init=2, random_state=self.random_state + r).fit(S[m]).predict(S)
                    for r, m in enumerate(masks)
                ]
                scores.append(
                    np.mean([adjusted_rand_score(labs[i], labs[j]) for i in range(4) for j in range(i + 1, 4)])
                )
        ks = np.arange(k_lo, k_hi + 1)
        self.k_scores_ = pd.DataFrame({"k": ks, "score": np.asarray(scores, dtype=float)})
        return int(ks[int(np.argmax(scores))])

    def _note(self, text: str) -> None:
        self.vocabulary_note_ = "; ".join(filter(None, [getattr(self, "vocabulary_note_", ""), text]))

    def _cluster(self, Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        n = Z.shape[0]
        if k <= 1:
            return np.zeros(n, dtype=np.int64), _l2(Z.mean(axis=0, keepdims=True))
        km = KMeans(k, n_init=10, random_state=self.random_state).fit(Z)
        labels = km.labels_.astype(np.int64)
        cent = _l2(km.cluster_centers_)
        # dissolve tiny topics into their nearest remaining neighbour
        min_size = self.min_topic_size
        if min_size is None:
            min_size = 1 if n < 60 else max(2, int(0.005 * n))
        while True:
            sizes = np.bincount(labels, minlength=len(cent))
            small = np.flatnonzero(sizes < min_size)
            if len(small) == 0 or len(cent) - len(small) < 1:
                break
            keep = np.flatnonzero(sizes >= min_size)
            cent = cent[keep]
            labels = np.argmax(Z @ cent.T, axis=1)
            cent = _l2(np.vstack([Z[labels == j].mean(axis=0) for j in range(len(cent))]))
        return labels, cent

    def _finish_fit(self, Z, C, uid_arr, labels, cent) -> None:
        # ids by decreasing size (ties: by first member) so the same corpus and seed give the same ids
        sizes = np.bincount(labels, minlength=len(cent))
        order = np.lexsort((np.arange(len(cent)), -sizes))
        remap = np.empty(len(cent), dtype=np.int64)
        remap[order] = np.arange(len(cent))
        labels = remap[labels]
        self.centroids_ = cent[order]
        self.topic_ids_ = np.arange(len(cent), dtype=np.int64)
        self.next_id_ = len(cent)
        self.k_ = len(cent)
        # deterministic 2-D map: PCA of the LSA vectors (exact SVD, sign fixed)
        mu = Z.mean(axis=0)
        if Z.shape[1] >= 2 and Z.shape[0] >= 2:
            _, _, vt = np.linalg.svd(Z - mu, full_matrices=False)
            comp = vt[:2]
            comp *= np.sign(comp[np.arange(len(comp)), np.argmax(np.abs(comp), axis=1)])[:, None]
        else:
            comp = np.eye(2, Z.shape[1])
        self._map = (mu, comp)
        weight = np.einsum("ij,ij->i", Z, self.centroids_[labels])
        xy = (Z - mu) @ comp.T
        topic = np.where(weight < self.other_threshold, OTHER, labels)
        self.assignments_ = pd.DataFrame(
            {"uid": uid_arr, "topic_id": topic, "weight": weight, "x": xy[:, 0], "y": xy[:, 1]}
        )
        self.other_share_ = float(np.mean(topic == OTHER)) if len(topic) else 0.0
        self._label_topics(C, labels)

    def _label_topics(self, C: sp.csr_matrix, labels: np.ndarray) -> None:
        """c-TF-IDF per topic (BERTopic's class-based TF-IDF): tf within the topic x log(1 + avg words / term freq)."""
        k = len(self.centroids_)
        P = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
        T = np.asarray((P @ C).todense(), dtype=np.float64)  # k x V term counts
        tot = T.sum(axis=1, keepdims=True)
        tot[tot == 0] = 1
        f = T.sum(axis=0)
        A = T.sum() / max(k, 1)
        ctfidf = (T / tot) * np.log1p(A / np.maximum(f, 1e-9))
        # label ranking: weighted log-odds z of the topic against the rest (Monroe et al. 2008), which prefers terms
        # both frequent in the topic and rare elsewhere ("qtr · shr" rather than "company")
        rest = f[None, :] - T
        n_t, n_r = T.sum(axis=1, keepdims=True), rest.sum(axis=1, keepdims=True)
        alpha = (f / max(f.sum(), 1e-9))[None, :] * (n_t + n_r) + 1e-3
        a0 = alpha.sum(axis=1, keepdims=True)
        delta = np.log((T + alpha) / (n_t + a0 - T - alpha)) - np.log((rest + alpha) / (n_r + a0 - rest - alpha))
        zscore = delta / np.sqrt(1.0 / (T + alpha) + 1.0 / (rest + alpha))
        xy = (self.centroids_ - self._map[0]) @ self._map[1].T
        sizes = np.bincount(labels, minlength=k)
        rows = []
        self.term_weights_ = {}
        for j in range(k):
            order = np.lexsort((np.arange(len(self.terms_)), -ctfidf[j]))[: max(50, self.n_terms)]
            order = [i for i in order if ctfidf[j, i] > 0]
            self.term_weights_[int(self.topic_ids_[j])] = {str(self.terms_[i]): float(ctfidf[j, i]) for i in order}
            zorder = np.lexsort((np.arange(len(self.terms_)), -zscore[j]))[: 5 * self.n_terms]
            top = _distinct([str(self.terms_[i]) for i in zorder if zscore[j, i] > 0 and T[j, i] > 0], self.n_terms)
            rows.append(
                {
                    "topic_id": int(self.topic_ids_[j]),
                    "label": " · ".join(top[: self.n_label_terms]) if top else f"topic {j}",
                    "terms": top,
                    "size": int(np.sum(self.assignments_["topic_id"].to_numpy() == self.topic_ids_[j])),
                    "share": 0.0,
                    "x": float(xy[j, 0]),
                    "y": float(xy[j, 1]),
                }
            )
        topics = pd.DataFrame(rows, columns=["topic_id", "label", "terms", "size", "share", "x", "y"])
        topics["share"] = topics["size"] / max(1, len(labels))
        del sizes
        self.topics_ = topics

    # ------------------------------------------------------------------------------------------------ paragraphs
    def fit_texts(self, titles: Sequence[str] | None, texts: Sequence[str], uids: Sequence[int]) -> TopicModel:
        """Fit from raw texts: articles when there are at least ``paragraph_threshold`` of them, else paragraphs
        (:meth:`fit_paragraphs`)."""
        if len(texts) < self.paragraph_threshold:
            return self.fit_paragraphs(titles, texts, uids)
        idx = TermIndex.from_counts(list(uids), count_terms(list(titles) if titles else None, list(texts)))
        return self.fit(idx)

    def fit_paragraphs(self, titles: Sequence[str] | None, texts: Sequence[str], uids: Sequence[int]) -> TopicModel:
        """Cluster paragraphs (for a handful of articles, where themes live inside articles).

        The title joins the first paragraph. Learned ``paragraphs_``: DataFrame[uid, paragraph (0-based), text,
        topic_id, weight, x, y]; ``assignments_`` is per article: its dominant paragraph topic (largest summed
        weight) with that topic's mean paragraph weight, and x, y the mean of its paragraphs.
        """
        titles = list(titles) if titles is not None else [""] * len(texts)
        p_uid, p_no, p_text, p_title = [], [], [], []
        for t, body, u in zip(titles, texts, uids):
            paras = split_paragraphs(body) or [body or ""]
            for i, p in enumerate(paras):
                p_uid.append(u), p_no.append(i), p_text.append(p), p_title.append(t if i == 0 else "")
        counts = count_terms(p_title, p_text, title_weight=1)
        idx = TermIndex.from_counts(list(range(len(counts))), counts, min_df=1, max_df_ratio=1.0)
        k_range = self.k_range
        if self.n_topics == "auto" and k_range is None and len(counts) >= 6:
            # a handful of paragraphs: ask for 3-5 themes rather than let silhouette pick 2
            self.k_range = (3, min(5, len(counts) - 1))
        try:
            self.fit(idx)
        finally:
            self.k_range = k_range
        pa = self.assignments_.rename(columns={"uid": "row"})
        pa.insert(0, "uid", np.asarray(p_uid)[pa["row"].to_numpy()])
        pa.insert(1, "paragraph", np.asarray(p_no)[pa["row"].to_numpy()])
        pa.insert(2, "text", np.asarray(p_text, dtype=object)[pa["row"].to_numpy()])
        self.paragraphs_ = pa.drop(columns=["row"])
        agg = (
            self.paragraphs_.groupby(["uid", "topic_id"], sort=True)
            .agg(total=("weight", "sum"), weight=("weight", "mean"))
            .reset_index()
            .sort_values(["uid", "total", "topic_id"], ascending=[True, False, True])
            .drop_duplicates("uid")
        )
        xy = self.paragraphs_.groupby("uid")[["x", "y"]].mean()
        art = agg[["uid", "topic_id", "weight"]].merge(xy, left_on="uid", right_index=True)
        order = pd.Index(list(uids)).get_indexer(art["uid"])
        self.assignments_ = art.iloc[np.argsort(order)].reset_index(drop=True)
        return self

    # ------------------------------------------------------------------------------------------------ applying
    def transform(self, X, uids=None) -> tuple[np.ndarray, np.ndarray]:
        """Nearest topic for new documents. ``X``: TermIndex, list of {term: count}, or a count matrix in the model's
        vocabulary. Returns (topic ids int64 array, with -1 for weak membership; weights = cosine in LSA space)."""
        M, _ = self._align(X, uids)
        Z = self._features(M)
        sim = Z @ self.centroids_.T
        best = np.argmax(sim, axis=1)
        w = sim[np.arange(len(best)), best]
        ids = np.where(w < self.other_threshold, OTHER, self.topic_ids_[best])
        return ids.astype(np.int64), w

    def assign(self, X, uids=None) -> pd.DataFrame:
        """Assign new articles to the existing topics (ids unchanged). Returns DataFrame[uid, topic_id, weight, x, y]."""
        M, u = self._align(X, uids)
        Z = self._features(M)
        sim = Z @ self.centroids_.T
        best = np.argmax(sim, axis=1)
        w = sim[np.arange(len(best)), best]
        mu, comp = self._map
        xy = (Z - mu) @ comp.T
        return pd.DataFrame(
            {
                "uid": u,
                "topic_id": np.where(w < self.other_threshold, OTHER, self.topic_ids_[best]).astype(np.int64),
                "weight": w,
                "x": xy[:, 0],
                "y": xy[:, 1],
            }
        )

    def representatives(self, topic_id: int, n: int = 5) -> pd.DataFrame:
        """The ``n`` articles closest to a topic's centroid: DataFrame[uid, weight], best first."""
        a = self.assignments_
        a = a[a["topic_id"] == topic_id].sort_values(["weight", "uid"], ascending=[False, True])
        return a[["uid", "weight"]].head(n).reset_index(drop=True)


def _normalize_rows(W: sp.csr_matrix) -> sp.csr_matrix:
    nrm = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
    nrm[nrm == 0] = 1.0
    return (sp.diags(1.0 / nrm) @ W).tocsr()


def _distinct(terms: list[str], n: int) -> list[str]:
    """First ``n`` terms that share no word with an earlier pick ("north korea" then not "korea")."""
    out: list[str] = []
    seen: set[str] = set()
    for t in terms:
        words = set(t.split(" "))
        if words & seen:
            continue
        out.append(t)
        seen |= words
        if len(out) == n:
            break
    return out


def topic_similarity(model: TopicModel) -> pd.DataFrame:
    """Cosine similarity between topic centroids: DataFrame[topic_a, topic_b, similarity] for every ordered pair
    a != b, most similar first."""
    S = model.centroids_ @ model.centroids_.T
    ids = model.topic_ids_
    a, b = np.meshgrid(np.arange(len(ids)), np.arange(len(ids)), indexing="ij")
    m = a != b
    df = pd.DataFrame({"topic_a": ids[a[m]], "topic_b": ids[b[m]], "similarity": S[m]})
    return df.sort_values(["similarity", "topic_a", "topic_b"], ascending=[False, True, True]).reset_index(drop=True)


def _term_cos(a: dict[str, float], b: dict[str, float]) -> float:
    num = sum(v * b[t] for t, v in a.items() if t in b)
    den = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return num / den if den else 0.0


def refit_and_match(old_model: TopicModel, new_model: TopicModel, min_similarity: float = 0.3) -> TopicModel:
    """Give ``new_model``'s topics the ids and labels of the ``old_model`` topics they continue.

    Topics are matched one-to-one by the Hungarian algorithm on the cosine of their c-TF-IDF term weights; pairs
    below ``min_similarity`` do not match. Unmatched new topics get fresh ids (above every old id). Returns a copy of
    ``new_model`` with ``topics_``, ``assignments_``, ``topic_ids_``, ``term_weights_`` (and ``paragraphs_``)
    renumbered; ``matched_`` is a DataFrame[topic_id, old_topic_id, similarity] (old id -1 for new topics).
    """
    old_ids = list(old_model.term_weights_)
    new_ids = list(new_model.term_weights_)
    S = np.array([[_term_cos(new_model.term_weights_[n], old_model.term_weights_[o]) for o in old_ids] for n in new_ids])
    mapping: dict[int, int] = {}
    sims: dict[int, float] = {}
    if S.size:
        r, c = linear_sum_assignment(-S)
        for i, j in zip(r, c):
            if S[i, j] >= min_similarity:
                mapping[new_ids[i]] = old_ids[j]
                sims[new_ids[i]] = float(S[i, j])
    next_id = max([getattr(old_model, "next_id_", 0)] + [o + 1 for o in old_ids])
    for n in new_ids:  # fresh ids in the new model's size order
        if n not in mapping:
            mapping[n] = next_id
            next_id += 1
    out = copy.deepcopy(new_model)
    old_labels = dict(zip(old_model.topics_["topic_id"], old_model.topics_["label"]))

    def remap(s: pd.Series) -> pd.Series:
        return s.map(lambda t: mapping.get(int(t), int(t)) if t != OTHER else OTHER).astype(np.int64)

    matched_new = {mapping[n] for n in sims}
    out.topics_ = out.topics_.copy()
    out.topics_["topic_id"] = remap(out.topics_["topic_id"])
    out.topics_["label"] = [
        old_labels.get(t, lab) if t in matched_new else lab for t, lab in zip(out.topics_["topic_id"], out.topics_["label"])
    ]
    out.assignments_ = out.assignments_.copy()
    out.assignments_["topic_id"] = remap(out.assignments_["topic_id"])
    if getattr(out, "paragraphs_", None) is not None:
        out.paragraphs_ = out.paragraphs_.copy()
        out.paragraphs_["topic_id"] = remap(out.paragraphs_["topic_id"])
    out.topic_ids_ = np.array([mapping[int(t)] for t in new_model.topic_ids_], dtype=np.int64)
    out.term_weights_ = {mapping[t]: w for t, w in new_model.term_weights_.items()}
    out.next_id_ = next_id
    out.matched_ = pd.DataFrame(
        {
            "topic_id": [mapping[n] for n in new_ids],
            "old_topic_id": [mapping[n] if n in sims else OTHER for n in new_ids],
            "similarity": [sims.get(n, np.nan) for n in new_ids],
        }
    )
    return out
