"""Which countries an article is about, with a relevance weight and the evidence.

:func:`countries_for_article` returns one row per ISO 3166-1 alpha-2 code found by these rules (``rule`` in evidence):

- ``dateline``: the place at the start of the body ("SEOUL, Jan. 4 (Yonhap) --", "LONDON, April 21 -", "Busan –",
  "SALVADOR, Feb 26 -", leading wire junk such as "****" skipped), or on one of the first lines after a pasted
  headline and section label when written in full ("SEOUL, Jan. 4 (Yonhap) --"). A region after the city decides
  ("SAN JOSE, Calif" is US: every AP state abbreviation with or without its full stop, postal codes, state and
  province names); else the city among countries, capitals, US states and geonames cities (population >= 15k, also
  without accents, "Duesseldorf" for Düsseldorf, "St. Paul" for Saint Paul). ``dateline-fuzzy``: a misspelt city
  ("LOS ANGELS") one edit from a single city of 100k or more, names of 6 letters and longer only;
- ``name``: country names, short forms and aliases ("Russia", "U.S.", "Britain", "Holland"); names that are also
  common words or names ("Jordan", "Turkey", "Chad", "US") count only where spaCy tags them GPE/LOC, except in an
  all-caps line, where the model's labels mean little ("JORDAN" PERSON): there the name counts unless a capitalised
  non-glue word stands right before a PERSON span ("MICHAEL JORDAN");
- ``demonym``: adjectives and nationals ("Chinese counterpart", "French officials", "South Korean");
- ``metonym``: capitals and seats of government ("Pyongyang said", "the Kremlin", "Whitehall", "the Elysee"); person-like
  ones ("Washington", "Santiago") not where spaCy tags them PERSON/ORG;
- ``place``: a spaCy GPE/LOC span that is a city (geonames, population >= 200k, unambiguous, not a common word) or a US
  state (-> US);
- ``market``: a capital or city as the place of a market ("London trading", "Zurich dealers", "Frankfurt bourse",
  "Tokyo stock exchange"): it adds ``WEIGHTS["market"]`` (0.1) once, not a mention, so a financial centre alone stays
  below the "about" threshold and below the story's own place.

Not counted, but listed in the evidence as ``not counted: currency`` / ``not counted: language`` when the country is
found otherwise: a country word naming money ("French franc", "Swiss francs", "U.S. dlrs", "the South Korean won")
and a demonym naming a language ("in French", "English-speaking", "an English edition").

All rules are one compiled regex pass plus dict lookups on the NER spans; no per-country loop over the text.

Weight (0..1, the "about" score; see :data:`WEIGHTS`)::

    weight = min(1, dateline * 0.5 + in_title * 0.35 + early * 0.1 + 0.4 * log2(1 + min(count, 8)) / log2(9))

where ``dateline`` is 1 when the dateline is in that country, ``in_title`` when the title mentions it, ``early`` when
a mention falls in the first 250 characters of the body, ``count`` the number of mentions (title + body). A single
passing mention deep in the text scores 0.126; a country named in the title and twice in the body about 0.6.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analysis.filters import ABOUT_DEFAULT
from analysis.gazetteer import gazetteer, region_key, word_list, word_set

#: Weight components, see the module docstring.
WEIGHTS = {"dateline": 0.5, "title": 0.35, "early": 0.1, "count": 0.4, "count_cap": 8, "early_chars": 250,
           "market": 0.1}
#: Default "about" threshold on weight: the one :data:`analysis.filters.ABOUT_DEFAULT` (tuned on the Reuters dev
#: half, see bench/eval_countries.py).
DEFAULT_MIN_WEIGHT = ABOUT_DEFAULT

COUNTRY_COLUMNS = ["uid", "iso2", "weight", "mentions", "evidence", "dateline"]

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_PLACE = r"(?P<place>[A-Z][A-Za-z.'&-]*(?:[ /][A-Z][A-Za-z.'&-]*){0,3})"
_REGION = r"(?:,\s*(?P<region>[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)?))?"
_DASH = r"\s*(?:-{1,2}|\u2013|\u2014)\s"
# At the very start of the body: "LONDON, April 21 -", "ROCHESTER, N.Y., Feb 26 -", "Busan -", "****ANTWERP, March 3 -"
# (leading wire junk skipped).
_DATELINE_RE = re.compile(
    r"^[^\w\n]*" + _PLACE + _REGION + r"(?:,?\s*(?i:" + _MONTH + r")\s+\d{1,2})?"
    r"\s*(?:\([^)\n]{1,40}\))?" + _DASH
)
# On one of the first lines, after a pasted headline or section label: only the full form with a date, an agency in
# brackets, or both ("SEOUL, Jan. 4 (Yonhap) --"), so a sentence that happens to start a line is not taken.
_LATE_DATELINE_RE = re.compile(
    r"^[^\w\n]*" + _PLACE + _REGION + r"(?:,?\s*(?i:" + _MONTH + r")\s+\d{1,2}(?:\s*\([^)\n]{1,40}\))?"
    r"|\s*\([A-Z][^)\n]{1,40}\))" + _DASH,
    re.MULTILINE,
)
#: How far into the body a dateline after a pasted headline is looked for (characters and lines).
LATE_DATELINE_CHARS, LATE_DATELINE_LINES = 600, 6


def doc_text(title: str, text: str) -> str:
    """The string NER runs on: title, a blank line, then the body. All char offsets refer to it."""
    title = (title or "").strip()
    return f"{title}\n\n{text or ''}" if title else (text or "")


def body_offset(title: str) -> int:
    """Offset of the body inside :func:`doc_text` (0 when there is no title)."""
    title = (title or "").strip()
    return len(title) + 2 if title else 0


def _fuzzy_city(place: str) -> str | None:
    """ISO2 of the one big dateline city one edit (insert, delete, substitute, swap) from ``place`` ("LOS ANGELS"),
    None when there is none or several countries fit. Only names of 6 letters and more: short ones are too close."""
    if len(place) < 6:
        return None
    found = {iso for name, iso in _big_cities_near(len(place), place[0]) if _one_edit(place, name)}
    return found.pop() if len(found) == 1 else None


@functools.lru_cache(maxsize=64)
def _big_cities_near(length: int, first: str) -> tuple[tuple[str, str], ...]:
    g = gazetteer()
    return tuple((n, iso) for n, iso in g.dateline_big.items() if abs(len(n) - length) <= 1 and n[:1] == first)


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


def _dateline_iso(place: str, region: str | None) -> tuple[str, str] | None:
    """(iso2, how) for a dateline place and region: the region decides ("SAN JOSE, Calif" is US, not Costa Rica), then
    the city, then one city one typo away. ``how`` is "dateline" or "dateline-fuzzy"."""
    g = gazetteer()
    if region:  # "ROCHESTER, N.Y." / "MONTREAL, Quebec" / "ESCHBORN, West Germany"
        iso = g.regions.get(region_key(region)) or g.dateline.get(" ".join(region.upper().split()))
        if iso:
            return iso, "dateline"
    parts = [p.strip().upper() for p in place.split("/")]  # "LONDON/TOKYO -": the first known one
    for part in parts:
        if part in g.dateline:
            return g.dateline[part], "dateline"
    for part in parts:
        iso = _fuzzy_city(part)
        if iso:
            return iso, "dateline-fuzzy"
    return None


def find_dateline(text: str) -> tuple[str, str | None] | None:
    """``(place, iso2)`` for a dateline at the start of ``text`` ("SEOUL, Jan. 4 (Yonhap) --", "SAN JOSE, Calif -"),
    or on one of its first lines after a pasted headline ("Talks resume\\nPolitics\\nSEOUL, Jan. 4 (Yonhap) --");
    None when there is none or its place is unknown. See :func:`dateline_match` for the span and rule."""
    found = dateline_match(text)
    return (found[0], found[1]) if found else None


def dateline_match(text: str) -> tuple[str, str, int, str] | None:
    """``(place, iso2, end offset of the place in text, rule)`` of the dateline, as :func:`find_dateline`."""
    m = _DATELINE_RE.match(text[:200])
    if m:
        hit = _dateline_iso(m.group("place").strip(), m.group("region"))
        if hit:
            return m.group("place").strip(), hit[0], m.end("place"), hit[1]
    head = text[:LATE_DATELINE_CHARS]
    for m in _LATE_DATELINE_RE.finditer(head):
        if head.count("\n", 0, m.start()) >= LATE_DATELINE_LINES:
            break
        if m.start() == 0:
            continue  # the start was tried above
        hit = _dateline_iso(m.group("place").strip(), m.group("region"))
        if hit:
            return m.group("place").strip(), hit[0], m.end("place"), hit[1]
    return None


_MATCHER: re.Pattern | None = None
_KIND: dict[str, tuple[str, str]] = {}


def _matcher() -> re.Pattern:
    """One alternation of every name/demonym/metonym, longest first, with word boundaries."""
    global _MATCHER
    if _MATCHER is None:
        g = gazetteer()
        kinds: dict[str, tuple[str, str]] = {}
        for k, v in g.metonyms.items():
            kinds[k] = (v, "metonym")
        for k, v in g.demonyms.items():
            kinds[k] = (v, "demonym")
        for k, v in g.names.items():
            kinds[k] = (v, "name")
        for k, v in g.containing.items():
            kinds[k] = (v, "place")
        for k in list(kinds):
            if k.startswith("the "):
                kinds.setdefault("The " + k[4:], kinds[k])
        alts = sorted(kinds, key=len, reverse=True)
        _KIND.update(kinds)
        _MATCHER = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w])")
    return _MATCHER


@dataclass
class _Hit:
    iso: str
    count: int = 0
    markets: int = 0
    title: bool = False
    early: bool = False
    dateline: bool = False
    first: int = 1 << 30
    evidence: list = field(default_factory=list)


_LINE_RE = re.compile(r"[^\n]+")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z']*(?:\.[A-Za-z]+)*\.?")


def _is_shouted(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def unshout(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with every all-caps line ("JORDAN SAYS ISRAEL TALKS STALLED") in title case, same length and offsets,
    and the ``(start, end)`` spans of those lines. Country words the gazetteer spells in capitals ("U.S.", "UK",
    "USSR", "DPRK") stay as they are; "JAPAN'S" becomes "Japan's"."""
    g = gazetteer()
    keep = g.upper_forms
    out = list(text)
    zones = []
    for line in _LINE_RE.finditer(text):
        if not _is_shouted(line.group()):
            continue
        zones.append(line.span())
        for w in _WORD_RE.finditer(text, *line.span()):
            word = w.group()
            if word in keep or word.rstrip(".") in keep:
                continue
            for k, ch in enumerate(word[1:], start=w.start() + 1):
                low = ch.lower()
                if len(low) == 1 and text[k - 1] != "." and not (text[k - 1] == "'" and k - 1 == w.start()):
                    out[k] = low
    return "".join(out), zones


# Words that may stand before a country name in a shouted headline without making it part of a person's name
# ("TALKS WITH JORDAN", "AID TO PERU"); "MICHAEL JORDAN" keeps the model's PERSON.
_HEADLINE_GLUE = word_set("""with to in and or for from of on at by as the vs v against between into over says said
says visits visit urges warns backs meets sees seen says set sets rejects accepts tells asks""")
_PREV_WORD_RE = re.compile(r"([A-Za-z]+)[^A-Za-z\n]*$")


# A country word right before a currency names money, not a place ("French franc", "Swiss francs", "U.S. dlrs",
# "Canada's dollar", "South Korean won"). "won" only when it reads as money, not as the verb ("a Korean won gold").
_CURRENCIES = word_list("""franc dollar dlr peso rupee yen yuan renminbi mark d-mark deutschemark pound sterling lira
lire guilder crown krona kronor krone kroner real rand ringgit baht rupiah schilling shilling peseta escudo drachma
dinar riyal rial rouble ruble shekel zloty forint lev leu dirham kwacha naira cedi taka kyat dong kip riel austral
cruzado sol bolivar sucre colon cordoba quetzal lempira balboa tugrik manat tenge hryvnia lari dram""")
_CURRENCY_RE = re.compile(
    r"(?:'s)?[\s-]+(?:(?:" + "|".join(_CURRENCIES) + r")(?:s|es)?\b(?!\s+estate)"
    r"|won\b(?=\s*(?:[,.;:)]|$|against|versus|vs|fell|rose|closed|ended|opened|traded|weakened|strengthened|"
    r"gained|lost|was|is|has|had|per|to\s+the)))", re.IGNORECASE)
# A demonym that names a language ("in French", "English-speaking", "an English edition").
_LANGUAGE_AFTER_RE = re.compile(
    r"[\s-]+(?:speaking|speaker|speakers|language|languages|edition|editions|service|version|translation|translations|"
    r"transcript|subtitles?|teachers?|education|skills|test|class|classes|lessons?|courses?|proficiency|fluency|"
    r"words?|text|literature|grammar|tutor|tutors|medium)\b", re.IGNORECASE)
# Demonyms that are also the name of a language: only these can be read as one.
_LANGUAGES = word_set("""English French German Spanish Portuguese Italian Dutch Russian Chinese Japanese Swedish
Norwegian Danish Finnish Greek Turkish Polish Hungarian Czech Romanian Bulgarian Serbian Croatian Ukrainian Persian
Thai Vietnamese Indonesian Mongolian Kazakh Uzbek Georgian Armenian Icelandic Estonian Latvian Lithuanian Burmese
Nepali Nepalese Filipino Irish Welsh Scottish Swahili Malay""")
_LANGUAGE_BEFORE_RE = re.compile(
    r"\b(?:in|into|from|speak|speaks|spoke|spoken|speaking|fluent|native|learn|learning|learned|study|studying|"
    r"studied|taught|teach|teaching|translated|translate|written|write|writes|subtitled|dubbed)\s+$", re.IGNORECASE)
# After "in French" nothing that would make it an adjective of a noun ("in French territory" stays a place).
_LANGUAGE_END_RE = re.compile(r"\s*(?:[,.;:!?)\]\n\"'\u201d]|$|(?:and|or|by|on|at|for|as|with|to|from|but|is|was|"
                              r"are|were|only|too|also|instead|rather|than|not|if|when|because|so|while)\b)",
                              re.IGNORECASE)
# A financial centre as the place of a market ("London trading", "Zurich dealers", "Frankfurt bourse", "Tokyo stock
# exchange"): the story is about the market, not the city's country; see WEIGHTS["market"].
_MARKET_AFTER_RE = re.compile(
    r"(?:'s)?\s+(?:stock\s+exchange|exchange|bourse|stock\s+market|markets?|trading|traders?|dealers?|brokers?|"
    r"futures|bullion|gold|silver|metals?|money\s+market|interbank|foreign\s+exchange|forex|stocks|shares|equities|"
    r"bonds?|close|closing|fixing|fix|session|commodity|commodities|dealing|operators|analysts)\b", re.IGNORECASE)


_WON_AFTER_THE_RE = re.compile(r"[\s-]+won\b(?!\s+(?:the|a|an|his|her|their|its|gold|silver|bronze|\d)\b)",
                               re.IGNORECASE)
_THE_BEFORE_RE = re.compile(r"\bthe\s+$", re.IGNORECASE)


def _currency_at(full: str, start: int, end: int) -> bool:
    if _CURRENCY_RE.match(full, end):
        return True
    # "the South Korean won and the real": "the" before, no object after
    return _WON_AFTER_THE_RE.match(full, end) is not None and _THE_BEFORE_RE.search(full, max(0, start - 5), start) \
        is not None


def _language_at(full: str, start: int, end: int) -> bool:
    if _LANGUAGE_AFTER_RE.match(full, end):
        return True
    return (_LANGUAGE_BEFORE_RE.search(full, max(0, start - 20), start) is not None
            and _LANGUAGE_END_RE.match(full, end) is not None)


def _market_at(full: str, end: int) -> bool:
    return _MARKET_AFTER_RE.match(full, end) is not None


def _in_zone(zones: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right([z[0] for z in zones], pos) - 1
    return i >= 0 and zones[i][0] <= pos < zones[i][1]


def countries_for_article(title: str, text: str, mentions: Iterable = (), dateline: bool | str | None = True,
                          uid: int | None = None) -> list[dict]:
    """Country rows for one article.

    ``mentions``: the article's NER spans as ``(start, end, label)`` tuples (or a DataFrame with those columns),
    offsets into :func:`doc_text`\\ ``(title, text)``. ``dateline``: True to detect it from the body start, a place
    string to use as given ("SEOUL"), or False/None for none.
    Returns dicts with keys :data:`COUNTRY_COLUMNS` (``evidence`` a JSON list of ``{"text", "rule"}``), sorted by
    weight descending then iso2.
    """
    g = gazetteer()
    if hasattr(mentions, "itertuples"):
        spans = [(int(r.start), int(r.end), str(r.label)) for r in mentions.itertuples(index=False)]
    else:
        spans = [(int(s), int(e), str(lab)) for s, e, lab in mentions]
    spans.sort()
    starts = [s[0] for s in spans]
    title = (title or "").strip()
    boff = body_offset(title)
    full, shouted = unshout(doc_text(title, text))
    hits: dict[str, _Hit] = {}

    def add(iso: str, pos: int, surface: str, rule: str) -> None:
        h = hits.get(iso)
        if h is None:
            h = hits[iso] = _Hit(iso)
        if rule == "market":
            h.markets += 1  # weighed by WEIGHTS["market"], not as a mention
        else:
            h.count += 1
        if rule.startswith("dateline") or rule == "market":
            pass  # weighted by itself, not as a mention
        elif pos < boff:
            h.title = True
        elif pos - boff < WEIGHTS["early_chars"]:
            h.early = True
        h.first = min(h.first, pos)
        ev = {"text": surface, "rule": rule}
        if ev not in h.evidence and len(h.evidence) < 8:
            h.evidence.append(ev)

    skipped: dict[str, list[dict]] = {}

    def add_skipped(iso: str, surface: str, why: str) -> None:
        """A country word that names no place here (a currency, a language): shown with the country if it is
        found otherwise, never counted."""
        ev = {"text": surface, "rule": f"not counted: {why}"}
        if ev not in skipped.setdefault(iso, []) and len(skipped[iso]) < 3:
            skipped[iso].append(ev)

    def ent_at(s: int, e: int) -> tuple[int, int, str] | None:
        i = bisect.bisect_right(starts, s) - 1
        for j in (i, i + 1):
            if 0 <= j < len(spans) and spans[j][0] < e and s < spans[j][1]:
                return spans[j]
        return None

    # 1. dateline
    dl_end = boff
    if dateline:
        if isinstance(dateline, str):
            place, iso, place_end, rule = dateline, g.dateline.get(dateline.strip().upper()), None, "dateline"
        else:
            place, iso, place_end, rule = dateline_match(text or "") or (None, None, None, None)
        if iso:
            add(iso, boff, place, rule)
            hits[iso].dateline = True
            hits[iso].count -= 1  # the dateline is not a mention
            if place_end is not None:
                dl_end = boff + place_end
    # 2. names, demonyms, metonyms: one regex pass
    matched: list[tuple[int, int]] = []
    for m in _matcher().finditer(full):
        s, e = m.span()
        if boff <= s < dl_end:
            continue
        surface = m.group()
        iso, rule = _KIND[surface]
        if not iso:  # a longer name that only shadows a country word ("Gulf of Mexico")
            matched.append((s, e))
            continue
        ent = ent_at(s, e)
        label = ent[2] if ent else None
        if shouted and _in_zone(shouted, s):
            # the model's labels are unreliable in all-caps text ("JORDAN" PERSON): trust the name unless a
            # capitalised word that is no headline glue stands right before it ("Michael Jordan")
            prev = _PREV_WORD_RE.search(full, max(0, s - 30), s)
            if label == "PERSON" and prev and prev.group(1).lower() not in _HEADLINE_GLUE \
                    and full[prev.end(1):s].strip() == "":
                continue
        elif surface in g.ner_only_names and label not in ("GPE", "LOC", "NORP") or label == "PERSON":
            continue
        if rule == "metonym" and surface in g.person_ambiguous and label in ("ORG", "FAC", None):
            continue
        if rule in ("name", "demonym") and _currency_at(full, s, e):
            add_skipped(iso, surface, "currency")
        elif rule == "demonym" and surface.title() in _LANGUAGES and _language_at(full, s, e):
            add_skipped(iso, surface, "language")
        elif rule == "metonym" and _market_at(full, e):
            add(iso, s, surface, "market")
        else:
            add(iso, s, surface, rule)
        matched.append((s, e))
    # 3. NER GPE/LOC spans that are cities or US states
    mstarts = [m[0] for m in matched]
    for s, e, label in spans:
        if label not in ("GPE", "LOC") or (boff <= s < dl_end):
            continue
        i = bisect.bisect_right(mstarts, e) - 1
        if i >= 0 and matched[i][1] > s:
            continue  # already counted by the regex pass
        surface = full[s:e]
        key = surface[4:] if surface.startswith(("the ", "The ")) else surface
        iso = g.places.get(key)
        if iso:
            add(iso, s, surface, "market" if _market_at(full, e) else "place")
    rows = []
    W = WEIGHTS
    for h in hits.values():
        w = (W["dateline"] * h.dateline + W["title"] * h.title + W["early"] * h.early + W["market"] * (h.markets > 0)
             + W["count"] * math.log2(1 + min(h.count, W["count_cap"])) / math.log2(1 + W["count_cap"]))
        h.evidence.extend(skipped.get(h.iso, []))
        rows.append({"uid": uid, "iso2": h.iso, "weight": round(min(1.0, w), 4), "mentions": h.count,
                     "evidence": json.dumps(h.evidence, ensure_ascii=False), "dateline": h.dateline})
    rows.sort(key=lambda r: (-r["weight"], r["iso2"]))
    return rows
