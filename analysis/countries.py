"""Which countries an article is about, with a relevance weight and the evidence.

:func:`countries_for_article` returns one row per ISO 3166-1 alpha-2 code found by these rules (``rule`` in evidence):

- ``dateline``: the place at the start of the body ("SEOUL, Jan. 4 (Yonhap) --", "LONDON, April 21 -", "Busan –",
  "SALVADOR, Feb 26 -"), looked up among countries, capitals, US states and geonames cities (population >= 15k);
- ``name``: country names, short forms and aliases ("Russia", "U.S.", "Britain", "Holland"); names that are also
  common words or names ("Jordan", "Turkey", "Chad", "US") count only where spaCy tags them GPE/LOC;
- ``demonym``: adjectives and nationals ("Chinese counterpart", "French officials", "South Korean");
- ``metonym``: capitals and seats of government ("Pyongyang said", "the Kremlin", "Whitehall", "the Elysee"); person-like
  ones ("Washington", "Santiago") not where spaCy tags them PERSON/ORG;
- ``place``: a spaCy GPE/LOC span that is a city (geonames, population >= 200k, unambiguous, not a common word) or a US
  state (-> US).

All rules are one compiled regex pass plus dict lookups on the NER spans; no per-country loop over the text.

Weight (0..1, the "about" score; see :data:`WEIGHTS`)::

    weight = min(1, dateline * 0.5 + in_title * 0.35 + early * 0.1 + 0.4 * log2(1 + min(count, 8)) / log2(9))

where ``dateline`` is 1 when the dateline is in that country, ``in_title`` when the title mentions it, ``early`` when
a mention falls in the first 250 characters of the body, ``count`` the number of mentions (title + body). A single
passing mention deep in the text scores 0.126; a country named in the title and twice in the body about 0.6.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analysis.filters import ABOUT_DEFAULT
from analysis.gazetteer import gazetteer

#: Weight components, see the module docstring.
WEIGHTS = {"dateline": 0.5, "title": 0.35, "early": 0.1, "count": 0.4, "count_cap": 8, "early_chars": 250}
#: Default "about" threshold on weight: the one :data:`analysis.filters.ABOUT_DEFAULT` (tuned on the Reuters dev
#: half, see bench/eval_countries.py).
DEFAULT_MIN_WEIGHT = ABOUT_DEFAULT

COUNTRY_COLUMNS = ["uid", "iso2", "weight", "mentions", "evidence", "dateline"]

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE_RE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z.'&-]*(?:[ /][A-Z][A-Za-z.'&-]*){0,3})"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?))?"
    r"(?:,?\s*(?i:" + _MONTH + r")\s+\d{1,2})?"
    r"\s*(?:\([^)\n]{1,40}\))?\s*(?:-{1,2}|\u2013|\u2014)\s"
)


def doc_text(title: str, text: str) -> str:
    """The string NER runs on: title, a blank line, then the body. All char offsets refer to it."""
    title = (title or "").strip()
    return f"{title}\n\n{text or ''}" if title else (text or "")


def body_offset(title: str) -> int:
    """Offset of the body inside :func:`doc_text` (0 when there is no title)."""
    title = (title or "").strip()
    return len(title) + 2 if title else 0


def find_dateline(text: str) -> tuple[str, str | None] | None:
    """``(place, iso2 or None)`` for a dateline at the start of ``text`` ("SEOUL, Jan. 4 (Yonhap) --"), else None."""
    m = _DATELINE_RE.match(text[:200])
    if not m:
        return None
    g = gazetteer()
    place = m.group("place").strip()
    region = m.group("region")
    if region:  # "ROCHESTER, N.Y." / "MONTREAL, Quebec": the region decides, then the city
        iso = g.regions.get(region.strip().upper()) or g.dateline.get(region.strip().upper())
        if iso:
            return place, iso
    iso = None
    for part in place.split("/"):  # "LONDON/TOKYO -": the first known one
        iso = g.dateline.get(part.strip().upper())
        if iso:
            break
    if iso is None:
        return None
    return place, iso


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
    title: bool = False
    early: bool = False
    dateline: bool = False
    first: int = 1 << 30
    evidence: list = field(default_factory=list)


def _title_for_matching(title: str) -> str:
    """An all-caps wire headline ("JAPAN'S TRADE SURPLUS") is matched in title case, keeping its length."""
    if title and title.isupper():
        t = title.title().replace("U.S.", "U.S.").replace("'S ", "'s ")
        if len(t) == len(title):
            return t
    return title


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
    full = (_title_for_matching(title) + "\n\n" + (text or "")) if title else (text or "")
    hits: dict[str, _Hit] = {}

    def add(iso: str, pos: int, surface: str, rule: str) -> None:
        h = hits.get(iso)
        if h is None:
            h = hits[iso] = _Hit(iso)
        h.count += 1
        if rule == "dateline":
            pass  # weighted by itself, not as a mention
        elif pos < boff:
            h.title = True
        elif pos - boff < WEIGHTS["early_chars"]:
            h.early = True
        h.first = min(h.first, pos)
        ev = {"text": surface, "rule": rule}
        if ev not in h.evidence and len(h.evidence) < 8:
            h.evidence.append(ev)

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
            place, iso = dateline, g.dateline.get(dateline.strip().upper())
        else:
            found = find_dateline(text or "")
            place, iso = found if found else (None, None)
        if iso:
            add(iso, boff, place, "dateline")
            hits[iso].dateline = True
            hits[iso].count -= 1  # the dateline is not a mention
            if not isinstance(dateline, str):
                dl_end = boff + (text or "").find(place) + len(place)
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
        if surface in g.ner_only_names and label not in ("GPE", "LOC", "NORP"):
            continue
        if label == "PERSON":
            continue
        if rule == "metonym" and surface in g.person_ambiguous and label in ("ORG", "FAC", None):
            continue
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
            add(iso, s, surface, "place")
    rows = []
    W = WEIGHTS
    for h in hits.values():
        w = (W["dateline"] * h.dateline + W["title"] * h.title + W["early"] * h.early
             + W["count"] * math.log2(1 + min(h.count, W["count_cap"])) / math.log2(1 + W["count_cap"]))
        rows.append({"uid": uid, "iso2": h.iso, "weight": round(min(1.0, w), 4), "mentions": h.count,
                     "evidence": json.dumps(h.evidence, ensure_ascii=False), "dateline": h.dateline})
    rows.sort(key=lambda r: (-r["weight"], r["iso2"]))
    return rows
