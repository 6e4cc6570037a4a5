"""Exact and near-duplicate detection for articles.

- ``content_hash``: identical after case-folding, punctuation removal and whitespace collapse -> same hash.
- ``story_key``: same story across wire copies and updates ("(LEAD)", "(2nd LD)", "UPDATE 2-", "CORRECTED-",
  "REFILE-" title prefixes stripped) with the same opening words.
- ``group_near_duplicates``: MinHash (32 permutations, numpy) over 5-word shingles with LSH banding (8 bands x 4
  rows: a pair with Jaccard 0.8 becomes a candidate with probability 0.985) proposes candidate pairs; a pair is
  joined when its exact shingle Jaccard is >= ``NEAR_DUP_JACCARD`` (0.8), or when the normalised titles are equal
  and >= ``TITLE_CONTAINMENT`` (0.8) of the smaller text's shingles are in the other (an update that adds
  paragraphs). 0.8 rather than lower: recurring template reports (weekly USDA prices with the same title) share
  ~50-70% of their shingles but are different reports. Groups are transitive (union-find).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence

import numpy as np

__all__ = [
    "normalise_for_hash",
    "normalise_title",
    "strip_update_tags",
    "is_urgent_title",
    "content_hash",
    "story_key",
    "group_near_duplicates",
    "NEAR_DUP_JACCARD",
    "TITLE_CONTAINMENT",
]

#: Jaccard similarity of 5-word shingle sets at or above which two texts are near duplicates.
NEAR_DUP_JACCARD = 0.8
#: With equal normalised titles: share of the smaller text's shingles found in the other text.
TITLE_CONTAINMENT = 0.8
SHINGLE = 5
N_PERM = 32
BANDS = 8

_RE_WORDS = re.compile(r"[^\W_]+", re.U)
# Wire update tags. Words that mark a version of a story, not its subject: "(LEAD)", "(2nd LD)", "(URGENT)",
# "(News Focus)", "(EDITED)", "(ATTN: ADDS PHOTO)", "UPDATE 2-", "REFILE-", "WRAPUP 1-", "CORRECTED-".
_UPDATE_WORDS = (
    r"lead|ld|urgent|flash|bulletin|breaking|update[sd]?|edited|corrected|corrects|correction|refiled?|recasts?|"
    r"adds|attn|writethru|rpt|repeat|news focus|news analysis|wrapup|amended|clarified|subs|fixes|advisory|"
    r"with photos?|photos?|video|graphics?"
)
_RE_PAREN_TAG = re.compile(
    r"\(\s*(?:\d+(?:st|nd|rd|th)\s+(?:ld|lead)\b[^()]{0,60}|(?:" + _UPDATE_WORDS + r")\b[^()]{0,60})\)",
    re.IGNORECASE,
)
_RE_CAPS_PAREN = re.compile(r"\((?=[^()]*[A-Z]{3})[A-Z0-9 .,:;&/'-]{3,60}\)")  # "(ATTN ...)" in a mixed-case title
_RE_PREFIX_TAG = re.compile(
    r"^(?:update[sd]?|corrected|correction|refile|rpt|repeat|urgent|flash|exclusive|wrapup|analysis|focus|"
    r"insight|breakingviews|factbox|timeline|recap|brief)(?:\s*\d{1,2})?\s*[-:–]\s*",
    re.IGNORECASE,
)
_URGENT = re.compile(r"\(\s*(?:urgent|flash|bulletin|breaking)\b|^(?:urgent|flash)\s*[-:–]", re.IGNORECASE)


def strip_update_tags(title: str) -> tuple[str, list[str]]:
    """``(title without wire update tags, the tags)``: ``"(2nd LD) Fed holds rates"`` -> ``("Fed holds rates",
    ["(2nd LD)"])``. Tags are removed at the start and the end of the title only; an ALL-CAPS parenthesis counts as
    a tag only in a mixed-case title (Reuters 1987 titles are all capitals)."""
    t = (title or "").strip()
    tags: list[str] = []
    mixed_case = t != t.upper()
    changed = True
    while changed and t:
        changed = False
        for rx in (_RE_PAREN_TAG, _RE_CAPS_PAREN) if mixed_case else (_RE_PAREN_TAG,):
            m = rx.match(t)
            if m:
                tags.append(m.group(0))
                t, changed = t[m.end():].strip(" -–:"), True
                continue
            m = None
            for m in rx.finditer(t):  # noqa: B007 - the last match is the one wanted
                pass
            if m is not None and m.end() == len(t) and m.start() > 0:
                tags.append(m.group(0))
                t, changed = t[: m.start()].rstrip(" -–:"), True
        m = _RE_PREFIX_TAG.match(t)
        if m and m.end() < len(t):
            tags.append(m.group(0).strip())
            t, changed = t[m.end():].strip(), True
    return t, tags


def is_urgent_title(title: str) -> bool:
    """``(URGENT)``, ``(FLASH)``, ``URGENT-``...: a one- or two-sentence bulletin announcing a story."""
    return bool(_URGENT.search(title or ""))


_RE_DATELINE = re.compile(r"^[^\n]{0,80}?\s(?:-{1,2}|–|—)\s")


def normalise_for_hash(text: str) -> str:
    """Case-folded, NFKC, punctuation removed, whitespace collapsed: ``"Hello,  World!"`` -> ``"hello world"``."""
    return " ".join(_words(text))


def _words(text: str) -> list[str]:
    s = text or ""
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    return _RE_WORDS.findall(s.casefold())


def normalise_title(title: str) -> str:
    """``normalise_for_hash`` of a title after stripping wire update tags ("UPDATE 2-", "(2nd LD)", "(URGENT)"...;
    see ``strip_update_tags``)."""
    return normalise_for_hash(strip_update_tags(title)[0])


def content_hash(title: str, text: str | None = None) -> str:
    """Hex SHA-1 of the normalised title and text. ``content_hash(text)`` (one argument) hashes the text alone."""
    if text is None:
        payload = normalise_for_hash(title)
    else:
        payload = normalise_for_hash(title) + "\x1f" + normalise_for_hash(text)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def story_key(title: str, text: str) -> str:
    """Hex key shared by wire copies/updates of one story: normalised title without update markers plus the first
    12 words of the text after its dateline ("SEOUL, Jan 4 (Yonhap) -- " dropped)."""
    body = _RE_DATELINE.sub("", (text or "")[:2000], count=1)
    words = normalise_for_hash(body[:600]).split()[:12]
    payload = normalise_title(title) + "\x1f" + " ".join(words)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:20]


# ---------------------------------------------------------------------------------------------------- MinHash
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_word_cache: dict[str, int] = {}


def _word_ids(words: list[str]) -> np.ndarray:
    cache = _word_cache
    if len(cache) > 2_000_000:  # bound memory on huge vocabularies
        cache.clear()
    for w in set(words).difference(cache):
        b = w.encode("utf-8")
        cache[w] = (zlib.crc32(b) << 32) | zlib.adler32(b)  # stable across runs, unlike hash()
    return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))


def _shingles(text: str) -> np.ndarray:
    """Sorted unique uint64 hashes of 5-word shingles (whole text as one shingle when shorter)."""
    words = _words(text)
    if not words:
        return np.empty(0, dtype=np.uint64)
    ids = _word_ids(words)
    if len(ids) < SHINGLE:
        acc = np.uint64(0)
        with np.errstate(over="ignore"):
            for v in ids:
                acc = acc * np.uint64(1099511628211) + v
        return np.array([acc], dtype=np.uint64)
    n = len(ids) - SHINGLE + 1
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            acc = acc * np.uint64(1099511628211) + ids[k : k + n]
    return np.unique(acc)


def _signatures(shingle_sets: list[np.ndarray], seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=N_PERM, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=N_PERM, dtype=np.uint64)
    sig = np.full((len(shingle_sets), N_PERM), np.iinfo(np.uint64).max, dtype=np.uint64)
    lengths = np.array([len(s) for s in shingle_sets])
    nonempty = np.flatnonzero(lengths)
    # Process documents in chunks of ~64k shingles to keep the (N_PERM x chunk) matrix small.
    start = 0
    while start < len(nonempty):
        stop, total = start, 0
        while stop < len(nonempty) and (total == 0 or total + lengths[nonempty[stop]] <= 65_536):
            total += lengths[nonempty[stop]]
            stop += 1
        docs = nonempty[start:stop]
        flat = np.concatenate([shingle_sets[d] for d in docs])
        offsets = np.concatenate([[0], np.cumsum(lengths[docs])[:-1]])
        hashed = np.empty((N_PERM, len(flat)), dtype=np.uint64)
        with np.errstate(over="ignore"):
            np.multiply(a[:, None], flat[None, :], out=hashed)
            hashed += b[:, None]
        sig[docs] = np.minimum.reduceat(hashed, offsets, axis=1).T
        start = stop
    return sig


def _overlap(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set) of two sorted unique arrays."""
    if len(x) == 0 or len(y) == 0:
        return 0.0, 0.0
    inter = len(np.intersect1d(x, y, assume_unique=True))
    return inter / (len(x) + len(y) - inter), inter / min(len(x), len(y))


def group_near_duplicates(records: Sequence[tuple]) -> dict[Hashable, Hashable]:
    """Map every record key to its near-duplicate group key.

    Input: ``[(key, title, text), ...]`` or ``[(key, title, text, date), ...]`` (date: ``datetime.date`` or None;
    used to keep wire update series within ``SERIES_MAX_DAYS``). Output: ``{key: group_key}`` where
    ``group_key`` is the first key (input order) of the group; a record with no near duplicate maps to itself.
    Joined: equal normalised text, exact 5-shingle Jaccard >= ``NEAR_DUP_JACCARD`` (candidates from MinHash LSH),
    equal ``normalise_title`` and containment >= ``TITLE_CONTAINMENT``, or versions of one wire story
    (``_join_update_series``). Deterministic; about 2-3 s for 15k Reuters stories on 2 cores.
    """
    n = len(records)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            if ri < rj:
                parent[rj] = ri
            else:
                parent[ri] = rj

    shingle_sets = [_shingles(rec[2]) for rec in records]
    # Exact duplicates of the normalised text (including very short texts).
    by_exact: dict[bytes, int] = {}
    for i, s in enumerate(shingle_sets):
        if len(s):
            k = s.tobytes()
            if k in by_exact:
                union(by_exact[k], i)
            else:
                by_exact[k] = i
    sig = _signatures(shingle_sets)
    rows = N_PERM // BANDS
    checked: set[tuple[int, int]] = set()
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        block = np.ascontiguousarray(sig[:, band * rows : (band + 1) * rows])
        for i in range(n):
            if len(shingle_sets[i]):
                buckets[block[i].tobytes()].append(i)
        for members in buckets.values():
            if len(members) < 2:
                continue
            first = members[0]
            for idx in range(1, len(members)):
                j = members[idx]
                # Compare against the bucket's first member and the previous one: enough to chain a group.
                for i in (first, members[idx - 1]):
                    pair = (i, j) if i < j else (j, i)
                    if pair in checked or find(i) == find(j):
                        continue
                    checked.add(pair)
                    jac, _cont = _overlap(shingle_sets[i], shingle_sets[j])
                    if jac >= NEAR_DUP_JACCARD:
                        union(i, j)
    # Same normalised title and strong containment (updates that add paragraphs).
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        t = normalise_title(rec[1])
        if len(t.split()) >= 2:
            by_title[t].append(i)
    for members in by_title.values():
        if len(members) < 2 or len(members) > 200:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                if find(i) == find(j):
                    continue
                _jac, cont = _overlap(shingle_sets[i], shingle_sets[j])
                if cont >= TITLE_CONTAINMENT:
                    union(i, j)
    _join_update_series(records, shingle_sets, find, union)
    return {records[i][0]: records[find(i)][0] for i in range(n)}


_TITLE_STOP = frozenset(
    "the a an of to in on for and or with at by from as is are was were be has have had it its this that after "
    "over into amid says said new s".split()
)
#: A title word in more than this share of the titles (and more than 5) is too common to say two titles are about
#: the same thing ("inc", "qtr" in Reuters earnings tables; "korea" in a Yonhap feed).
COMMON_TITLE_WORD = 0.01
#: Versions of one story share some verbatim 5-word runs; tables of different companies sharing a vocabulary do not.
MIN_SHARED_SHINGLES = 2
#: Versions of one wire story are filed within a few days (when both records are dated).
SERIES_MAX_DAYS = 3


def _content_words(text: str) -> set[str]:
    return {w for w in _words(text) if len(w) > 1 and w not in _TITLE_STOP and not w.isdigit()}


def _join_update_series(records: Sequence[tuple], shingle_sets: list[np.ndarray], find,
                        union) -> None:
    """Join the versions of a wire story: a title carrying an update tag ("(LEAD)", "(2nd LD)", "UPDATE 2-",
    "(URGENT)"...) with the other versions and the untagged first one.

    Candidates share at least two informative title words (not in more than ``COMMON_TITLE_WORD`` of the titles),
    covering >= half of the shorter title's informative words, and at least ``MIN_SHARED_SHINGLES`` verbatim 5-word
    runs of text. Joined when the tag-free titles are equal and >= 0.3 of the smaller text's content words are in
    the other; when one is an URGENT bulletin and >= 0.5 of its words are in the story; otherwise when the titles
    overlap by >= 0.6 and the texts by >= 0.5 (a rewritten lead keeps most of the story's words).
    """
    stripped = [strip_update_tags(rec[1]) for rec in records]
    dates = [rec[3] if len(rec) > 3 else None for rec in records]
    tagged = [i for i, (_t, tags) in enumerate(stripped) if tags]
    if not tagged:
        return
    postings: dict[str, list[int]] = defaultdict(list)
    for i, (t, _tags) in enumerate(stripped):
        for w in _content_words(t):
            postings[w].append(i)
    common = max(5, COMMON_TITLE_WORD * len(records))
    informative = {w for w, ids in postings.items() if len(ids) <= common}
    title_words = [_content_words(t) & informative for t, _tags in stripped]
    text_words: dict[int, set[str]] = {}

    def words_of(i: int) -> set[str]:
        if i not in text_words:
            text_words[i] = _content_words(records[i][2][:20_000])
        return text_words[i]

    for i in tagged:
        tw = title_words[i]
        if len(tw) < 2:
            continue
        shared: Counter = Counter()
        for w in tw:
            shared.update(postings[w])
        for j, n_shared in shared.items():
            if j == i or n_shared < 2 or find(i) == find(j):
                continue
            if dates[i] is not None and dates[j] is not None and abs((dates[i] - dates[j]).days) > SERIES_MAX_DAYS:
                continue
            title_overlap = n_shared / max(1, min(len(tw), len(title_words[j])))
            if title_overlap < 0.5:
                continue
            wi, wj = words_of(i), words_of(j)
            if not wi or not wj:
                continue
            si, sj = shingle_sets[i], shingle_sets[j]
            if len(np.intersect1d(si, sj, assume_unique=True)) < min(MIN_SHARED_SHINGLES, len(si), len(sj)):
                continue
            text_overlap = len(wi & wj) / min(len(wi), len(wj))
            if normalise_for_hash(stripped[i][0]) == normalise_for_hash(stripped[j][0]):
                joined = text_overlap >= 0.3
            elif is_urgent_title(records[i][1]) or is_urgent_title(records[j][1]):
                joined = text_overlap >= 0.5
            else:
                joined = title_overlap >= 0.6 and text_overlap >= 0.5
            if joined:
                union(i, j)
