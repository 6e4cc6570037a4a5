"""News tokenisation: article text -> term counts (unigrams, phrases, multiword proper names).

The one entry point is :func:`count_terms`. Terms are lower-cased strings:

* unigrams of at least 2 characters that start with a letter (``"g7"``, ``"inter-korean"``; never ``"2018"``);
* multiword proper names kept whole, found as runs of capitalised words in the original casing
  (``"north korea"``, ``"wang yi"``, ``"bank of england"``); leading stopwords ("The", "In") and title words
  ("President", "Foreign Minister") are cut off, so a capitalised word at a sentence start is never glued to a name;
* bigrams of two adjacent content words inside one clause (``"spy satellite"``, ``"forced repatriation"``).
  Every bigram is emitted here; the vocabulary is bounded later by corpus document frequency
  (:class:`analysis.keywords.TermIndex` drops terms with ``df < min_df``).

Stopwords are scikit-learn's English list plus news function words and wire-service units (see :data:`STOPWORDS`);
markup (HTML tags, entities, URLs) is removed before tokenising. The function is pure and deterministic.

Example::

    >>> count_terms(["Talks in Busan"], ["North Korea launched a spy satellite. The spy satellite failed."])[0]
    {'talks': 2, 'busan': 2, 'north korea': 1, 'launched': 1, 'spy': 2, 'satellite': 2, ...}
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

#: scikit-learn's English stop words, shipped as a file: importing scikit-learn for them cost ~0.85 s on the
#: dashboard's first keyword chart (a test keeps the file equal to sklearn's list)
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(
    line.strip() for line in (Path(__file__).resolve().parent / "resources" / "english_stop_words.txt")
    .read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))

__all__ = ["count_terms", "count_terms_one", "split_paragraphs", "STOPWORDS", "is_clean_term"]

# News function words, reporting verbs, date words, wire-service units and markup leftovers. Chosen to be words that
# never make a useful keyword on their own; content words that are merely frequent ("government", "market") are left
# to the corpus-adaptive max_df filter in keywords.TermIndex instead.
_NEWS_STOP = """
said says say saying told tell tells telling asked added adds noted stated according reported reports
mr mrs ms dr sir year years yearly would could should might must also one two three four five six seven eight
nine ten eleven twelve twenty thirty forty fifty hundred thousand million billion trillion mln bln dlrs dlr cts
pct percent per cent vs bn pm am reuter reuters ap afp news just like including include includes included
week weeks weekly month months monthly day days today yesterday tomorrow tonight ago
january february march april june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
inc corp co ltd plc llc
lt gt amp nbsp quot apos http https www com org net html htm href src img br div span px php asp jpg png gif
mailto utm scroll click subscribe advertisement newsletter
let lets got get gets getting make makes making made did does doing done want wants way ways thing things
really lot lots big going goes went come comes came use used uses using new old
""".split()
STOPWORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | frozenset(_NEWS_STOP)

# Words that precede a name but are not part of it: "Foreign Minister Park Jin" -> name "park jin".
_TITLE_WORDS = frozenset(
    """president minister prime foreign secretary chancellor premier mr mrs ms dr sir lord lady king queen prince
    princess general gen colonel col captain capt chairman chairwoman chair chief executive ceo senator sen rep
    representative governor gov judge justice pope mayor ambassador spokesman spokeswoman spokesperson leader
    deputy vice director commissioner professor prof officer manager coach striker defender midfielder goalkeeper
    st saint""".split()
)

_HTML_TAGS = (
    "a|abbr|b|big|blockquote|body|br|button|center|code|dd|del|div|dl|dt|em|embed|font|form|h[1-6]|head|hr|html|i|"
    "iframe|img|input|ins|label|li|link|meta|nav|noscript|object|ol|option|p|param|pre|q|s|section|select|small|"
    "source|span|strike|strong|sub|sup|table|tbody|td|textarea|tfoot|th|thead|title|tr|tt|u|ul|video|article|aside|"
    "figure|figcaption|footer|header|main|picture|svg|path"
)
_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_TAG_RE = re.compile(rf"</?(?:{_HTML_TAGS})(?:\s[^<>]*)?/?>", re.I)
_ENTITY_RE = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,5});?")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.I)
_APOS_RE = re.compile(r"[\u2019\u2018`]")
# Capitalised word, or ALL-CAPS word, or a dotted abbreviation (U.S.); possessive 's allowed and stripped later.
_CAP = r"(?:[A-Z](?:\.[A-Z])+\.?|[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)"
_NAME_RE = re.compile(
    rf"(?<![\w.'-]){_CAP}(?:'s)?(?:[ ](?:(?:of|of the|de|da|del|van|von|al|bin|la|le) )?{_CAP}(?:'s)?)+(?![\w-])"
)
_ABBR_RE = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}(?![\w])")
# Tokens: a word starting with a letter, with inner hyphens/apostrophes; or a clause boundary (punctuation, newline,
# or the \x00 we put where a name was taken out) so bigrams never span clauses.
_TOKEN_RE = re.compile(r"(?<![a-z0-9])[a-z][a-z0-9]*(?:[-'.][a-z0-9]+)*\.?|[.,;:!?()\[\]\"\n\x00|/]|\s[-\u2013\u2014]\s|\d[\d.,:%]*")
_PARA_RE = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_BOUNDARY = object()


def _norm_abbr(m: re.Match) -> str:
    # "U.S." -> "u.s." (keeps the dots: "us" is a stopword); "U.K." -> "uk"
    s = m.group(0).lower()
    flat = s.replace(".", "")
    return f" {s if flat in STOPWORDS else flat} "


def _clean(text: str) -> str:
    if "<" in text:
        text = _SCRIPT_RE.sub(" ", text)
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = _ENTITY_RE.sub(" ", text)
    if "://" in text or "www." in text or "@" in text:
        text = _URL_RE.sub(" ", text)
    return _APOS_RE.sub("'", text)


_CONNECTORS = frozenset(("of", "the", "de", "da", "del", "van", "von", "al", "bin", "la", "le"))


def _name_of(run: str) -> tuple[list[str], list[str]]:
    """Split a capitalised run into (names, loose words). Loose words go back to unigram/bigram counting.

    Leading stopwords/title words are cut ("The", "Foreign Minister"); a connector ("of") joins a name only after a
    single word ("Bank of England", not "Park Jin of South Korea", which gives two names)."""
    words = [w[:-2] if w.endswith("'s") else w for w in run.split(" ")]
    low = [w.lower() for w in words]
    names: list[str] = []
    loose: list[str] = []
    seg: list[str] = []

    def flush() -> None:
        while seg and seg[-1] in _CONNECTORS:
            seg.pop()
        real = [w for w in seg if w not in _CONNECTORS]
        if 2 <= len(real) <= 5:
            names.append(" ".join(w.replace(".", "") if "." in w and w.replace(".", "") not in STOPWORDS else w
                                  for w in seg))
        else:
            loose.extend(real)
        seg.clear()

    for i, w in enumerate(low):
        if w in _CONNECTORS and (0 < i < len(low) - 1):
            if len([x for x in seg if x not in _CONNECTORS]) == 1 and words[i][0].islower():
                seg.append(w)
                continue
            flush()
            continue
        if w in STOPWORDS or w in _TITLE_WORDS or w.replace(".", "") in _TITLE_WORDS:
            flush()
            loose.append(w)
            continue
        seg.append(w)
    flush()
    return names, loose


_INNER_OK = frozenset(("of", "the", "de", "la", "van", "von", "al", "bin"))  # "Bank of England", "van Gogh"
_BLOCKING = STOPWORDS - _INNER_OK
_TWO_LETTERS = re.compile(r"[^\W\d_].*?[^\W\d_]", re.S)


def is_clean_term(term: str) -> bool:
    """True when ``term`` is a displayable keyword: no stopword as a whole word, no markup, >= 2 letters.
    (Set and regex tests, not per-character Python: it runs on every term of the index when a store is opened.)"""
    parts = term.split(" ")
    if parts[0] in STOPWORDS or parts[-1] in STOPWORDS:
        return False
    if not _BLOCKING.isdisjoint(parts):
        return False
    return "<" not in term and "&" not in term and _TWO_LETTERS.search(term) is not None


def _mostly_capitalised(title: str) -> bool:
    words = [w for w in title.split() if w[:1].isalpha()]
    if len(words) < 3:
        return False
    caps = sum(w[0].isupper() for w in words if w.lower() not in STOPWORDS or w[0].isupper())
    return caps >= 0.75 * len(words)


def count_terms_one(text: str, title_case: bool = False, known_names: set[str] | frozenset[str] = frozenset()) -> Counter:
    """Term counts of one piece of text.

    ``title_case=True`` skips name detection (headline casing lies); names from ``known_names`` (found in the body,
    lower-case) are still kept whole when they occur in the text."""
    return _count(text, title_case, known_names)[0]


def _count(text: str, title_case: bool, known_names) -> tuple[Counter, list[str]]:
    text = _clean(text)
    names: list[str] = []
    if title_case:
        text = text.lower()
        for name in sorted(known_names, key=len, reverse=True):
            if name in text:
                text, n = re.subn(rf"(?<![\w]){re.escape(name)}(?:'s)?(?![\w])", " \x00 ", text)
                names.extend([name] * n)
    else:

        def take(m: re.Match) -> str:
            found, loose = _name_of(m.group(0))
            if not found:
                return " ".join(loose) if loose else " "
            names.extend(found)
            return " " + " ".join(loose) + " \x00 "

        text = _NAME_RE.sub(take, text)
    text = _ABBR_RE.sub(_norm_abbr, text)
    toks = _TOKEN_RE.findall(text.lower())
    stop = STOPWORDS
    # content words: not stopwords, not boundaries; strip a trailing sentence dot and possessive
    clean: list[str | None] = []
    for t in toks:
        if len(t) < 2 or t[0] in " \n\x00" or t[0].isdigit():
            clean.append(None)
            continue
        if t[-1] == "." and t.count(".") == 1:
            t = t[:-1]
            if len(t) < 2 or t in stop:
                clean.append(None)
                continue
            clean.append(t)
            clean.append(None)  # sentence end is a clause boundary
            continue
        if "'" in t:
            head, _, tail = t.partition("'")
            if tail != "s":
                clean.append(None)  # contractions (don't, we'll) are function words
                continue
            t = head
        if len(t) < 2 or t in stop:
            clean.append(None)
        else:
            clean.append(t)
    counts = Counter(t for t in clean if t is not None)
    counts.update(f"{a} {b}" for a, b in zip(clean, clean[1:]) if a is not None and b is not None)
    if names:
        counts.update(names)
    return counts, names


def count_terms(titles: list[str] | None, texts: list[str], title_weight: int = 2) -> list[dict[str, int]]:
    """Count terms per article.

    ``titles``: one title per article (or ``None`` for no titles); ``texts``: article bodies. Title terms are counted
    ``title_weight`` times (a headline says what the article is about). Titles that are mostly capitalised
    ("BAHIA COCOA REVIEW", "Oil Prices Rise Again") are lower-cased before tokenising so they produce no fake names.

    Returns one ``dict[str, int]`` per article, in input order.
    """
    if titles is None:
        titles = [""] * len(texts)
    if len(titles) != len(texts):
        raise ValueError(f"titles and texts differ in length: {len(titles)} != {len(texts)}")
    out: list[dict[str, int]] = []
    for title, text in zip(titles, texts):
        c, names = _count(text or "", False, ())
        if title:
            tc, _ = _count(title, _mostly_capitalised(title), set(names))
            for t, n in tc.items():
                c[t] += n * title_weight
        out.append(dict(c))
    return out


def split_paragraphs(text: str, min_chars: int = 40) -> list[str]:
    """Split ``text`` at blank lines; paragraphs shorter than ``min_chars`` (footers like "scroll to top") join the
    previous paragraph, or are dropped when they come first. Returns a list of paragraph strings (maybe empty)."""
    paras = [p.strip() for p in _PARA_RE.split(text or "") if p.strip()]
    if len(paras) <= 1 and text and "\n" in text:
        # single-newline separated paragraphs (wire format with indented lines is handled by blank-line split)
        paras = [p.strip() for p in text.split("\n") if p.strip()]
    out: list[str] = []
    for p in paras:
        if len(p) < min_chars:
            if out:
                out[-1] = out[-1] + "\n" + p
            continue
        out.append(p)
    return out
