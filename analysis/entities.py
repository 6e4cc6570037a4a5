"""Entity mentions: name normalisation and corpus-wide canonicalisation.

- :func:`normalise_name` strips titles ("Foreign Minister", "President", "Mr.", "Dr."), a possessive "'s", a leading
  "the" and junk; returns "" for junk (numbers, single characters).
- :func:`canonicalise` gives every mention an ``entity_id`` ("PERSON:park-jin", "GPE:US", "ORG:opec"):

  * PERSON: a one-token name ("Park", "Yoon") maps to the multi-token name of the same article holding that token
    first or last ("Park Jin", "Yoon Suk Yeol"; the most frequent if several); where the article has none, to the
    corpus' most frequent such full name.
  * GPE/NORP/LOC naming a country ("U.S.", "the United States", "Chinese") -> ``GPE:<ISO2>`` named by
    :mod:`analysis.gazetteer` ("United States"). Demonyms join their country's entity on purpose: "Chinese officials"
    and "China" are the same actor on a timeline.
  * ORG: an acronym defined in any article ("Organization of Petroleum Exporting Countries (OPEC)") joins its full
    name; the entity is named by the full name.
  * overrides (:func:`load_overrides`, CSV ``alias,canonical,label``) are applied first and win.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from analysis.gazetteer import country_for, gazetteer

MENTION_COLUMNS = ["uid", "sent", "start", "end", "text", "label", "name"]
ENTITY_COLUMNS = ["entity_id", "name", "label", "mentions", "articles", "aliases"]
#: spaCy labels kept as mentions (numbers, money, dates and times are not entities).
KEEP_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART")

_TITLES = [
    "Foreign Minister", "Prime Minister", "Deputy Prime Minister", "Finance Minister", "Defence Minister",
    "Defense Minister", "Trade Minister", "Minister", "Secretary of State", "Secretary", "President", "Vice President",
    "Vice-President", "Premier", "Chancellor", "Chairman", "Chairwoman", "Chief Executive", "Governor", "Gov.",
    "Senator", "Sen.", "Rep.", "Representative", "Ambassador", "General", "Gen.", "Lt.", "Col.", "Adm.", "Admiral",
    "King", "Queen", "Prince", "Princess", "Pope", "Mr.", "Mrs.", "Ms.", "Mr", "Mrs", "Ms", "Dr.", "Dr", "Prof.",
    "Professor", "Sir", "Lord", "Judge", "Justice", "Mayor", "Speaker", "Leader", "Spokesman", "Spokeswoman",
    "Director", "CEO", "Chief",
]
_TITLE_RE = re.compile(
    r"^(?:(?:[A-Z][a-z]+ )?(?:Former |Acting |Deputy |Vice |then-)?(?:" + "|".join(re.escape(t) for t in
                                                                             sorted(_TITLES, key=len, reverse=True))
    + r")\s+)+"
)
_POSS_RE = re.compile(r"(?:'s|\u2019s|'|\u2019)$")
_JUNK_RE = re.compile(r"^[\W\d_]*$")
# Wire-copy abbreviations the small NER model tags as names ("Shr", "Revs 608,181", "cts", "Avg").
_JUNK_WORDS = frozenset("""shr shrs qtr qtrs revs rev cts ct avg net oper mths mth vs pct dlrs dlr mln bln billion
million reuter reuters inc corp ltd co plc nil dividend div pay payable record prior ex""".split())
_LOWER_IN_TITLES = frozenset("of and the for de des du la le van von on in at to".split())


def _unshout(s: str) -> str:
    """"NEW YORK" -> "New York", "BANK OF ENGLAND" -> "Bank of England"; acronyms ("OPEC", "U.S.") stay."""
    words = s.split()
    if not s.isupper() or (len(words) == 1 and len(s) <= 4):
        return s
    return " ".join(w if "." in w else w.lower() if i and w.lower() in _LOWER_IN_TITLES else w.capitalize()
                    for i, w in enumerate(words))


def normalise_name(text: str, label: str = "") -> str:
    """Normalised surface form of one mention ("Foreign Minister Park Jin's" -> "Park Jin"); "" for junk."""
    s = " ".join(str(text).replace("\u2019", "'").split())
    s = s.strip(" \t\"'`.,;:-()[]{}") if not s.endswith(".") or len(s) < 4 else s.strip(" \t\"'`,;:-()[]{}")
    s = _POSS_RE.sub("", s)
    if s[:4].lower() == "the ":
        s = s[4:]
    if label in ("PERSON", ""):
        s2 = _TITLE_RE.sub("", s)
        if s2:
            s = s2
    s = s.strip(" \"'`,;:-")
    if len(s) < 2 or _JUNK_RE.match(s) or not any(c.isalpha() for c in s):
        return ""
    words = [w for w in s.split() if not _JUNK_RE.match(w)]
    if not words or all(w.lower().strip(".,") in _JUNK_WORDS for w in words):
        return ""
    if label in ("PERSON", "ORG", "GPE", "LOC", "NORP") and any(ch.isdigit() for ch in s) and label != "ORG":
        return ""
    return _unshout(s)


def slug(name: str) -> str:
    """Readable, stable id part: "Park Jin" -> "park-jin"."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return s or "x"


def load_overrides(path: str | Path) -> pd.DataFrame:
    """Read a CSV with header ``alias,canonical,label`` (label may be empty = any label).

    Returns a DataFrame with those columns (strings). Lines starting with ``#`` are comments.
    """
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(line for line in f if line.strip() and not line.lstrip().startswith("#"))
        missing = {"alias", "canonical"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: overrides need columns alias,canonical,label (missing {sorted(missing)})")
        for r in reader:
            rows.append({"alias": (r.get("alias") or "").strip(), "canonical": (r.get("canonical") or "").strip(),
                         "label": (r.get("label") or "").strip()})
    return pd.DataFrame(rows, columns=["alias", "canonical", "label"])


_ACRONYM_RE = re.compile(r"([A-Z][\w&.'-]*(?:\s+(?:of|for|and|the|de|des|&|[A-Z][\w&.'-]*))+)\s+\(([A-Z][A-Z&.]{1,9})\)")


def acronyms_in(text: str) -> dict[str, str]:
    """Acronym definitions in one text: "Organization of Petroleum Exporting Countries (OPEC)" -> {"OPEC": full}.

    The full name is trimmed from the left until its initials spell the acronym.
    """
    out = {}
    for m in _ACRONYM_RE.finditer(text):
        full, acr = m.group(1).split(), m.group(2).replace(".", "")
        for i in range(len(full)):
            words = full[i:]
            if words[0][0].isupper() and words[0].lower() not in ("the", "of", "and"):
                initials = "".join(w[0] for w in words if w[0].isupper() or w == "&")
                if initials == acr:
                    out[acr] = " ".join(words)
                    break
    return out


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper() or w == "&")


def canonicalise(mentions: pd.DataFrame, overrides: pd.DataFrame | str | Path | None = None,
                 acronyms: dict[int, dict[str, str]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge name variants into entities.

    ``mentions``: columns ``uid, label, name`` (plus any others, kept). ``overrides``: a DataFrame from
    :func:`load_overrides` or a path to one. ``acronyms``: per-uid acronym definitions (:func:`acronyms_in`); when
    None, ORG names of the form "Full Name (ACR)" are not available and only the overrides merge acronyms.
    Returns ``(mentions + [entity_id, canonical], entities)``; ``entities`` has :data:`ENTITY_COLUMNS` sorted by
    mentions descending, ``aliases`` a sorted list of the distinct normalised names merged into it.
    """
    m = mentions.copy()
    if m.empty:
        m["entity_id"] = pd.Series(dtype="str")
        m["canonical"] = pd.Series(dtype="str")
        return m, pd.DataFrame(columns=ENTITY_COLUMNS)
    if overrides is not None and not isinstance(overrides, pd.DataFrame):
        overrides = load_overrides(overrides)
    g = gazetteer()
    ov_any: dict[str, tuple[str, str]] = {}
    ov_lab: dict[tuple[str, str], str] = {}
    if overrides is not None:
        for r in overrides.itertuples(index=False):
            if r.label:
                ov_lab[(r.alias.lower(), r.label)] = r.canonical
                ov_any.setdefault(r.alias.lower(), (r.canonical, r.label))
            else:
                ov_any[r.alias.lower()] = (r.canonical, "")
    uids = m["uid"].tolist()
    labels = m["label"].astype(str).tolist()
    names = m["name"].astype(str).tolist()
    canon = list(names)
    ids: list[str | None] = [None] * len(names)
    fixed = [False] * len(names)
    # 0. label repair inside an article: the small model tags a bare surname GPE/LOC/ORG ("Yoon", "Park", "Wang")
    #    and a city PERSON ("Busan"); a single token that is part of a PERSON full name of the same article, and is
    #    no country or place, is a PERSON; a PERSON name that the same article also tags GPE/LOC is a place.
    person_toks: dict[int, set[str]] = defaultdict(set)
    place_names: dict[int, set[str]] = defaultdict(set)
    for u, lab, n in zip(uids, labels, names):
        if lab == "PERSON" and " " in n:
            t = n.split()
            person_toks[u].update((t[0], t[-1]))
        elif lab in ("GPE", "LOC"):
            place_names[u].add(n)
    for i, (u, lab, n) in enumerate(zip(uids, labels, names)):
        if lab in ("GPE", "LOC", "ORG", "NORP") and " " not in n and n in person_toks.get(u, ()) \
                and n not in g.places and not country_for(n):
            labels[i] = "PERSON"
        elif lab == "PERSON" and n in place_names.get(u, ()) and n not in person_toks.get(u, ()):
            labels[i] = "GPE"
    out_labels = list(labels)
    # 1. overrides, then countries
    for i, (n, lab) in enumerate(zip(names, labels)):
        key = n.lower()
        if (key, lab) in ov_lab:
            canon[i], fixed[i] = ov_lab[(key, lab)], True
        elif key in ov_any:
            c, olab = ov_any[key]
            canon[i], fixed[i] = c, True
            if olab:
                out_labels[i] = olab
        if lab in ("GPE", "NORP", "LOC") and not fixed[i]:
            iso = country_for(n)
            if iso:
                out_labels[i] = "GPE"
                canon[i] = g.country_name.get(iso, n)
                ids[i] = f"GPE:{iso}"
                fixed[i] = True
    # 2. PERSON surnames -> full names (same article first, then corpus)
    full_by_uid: dict[int, Counter] = defaultdict(Counter)
    full_corpus: Counter = Counter()
    for i, (u, lab) in enumerate(zip(uids, out_labels)):
        if lab == "PERSON" and not fixed[i] and " " in canon[i]:
            full_by_uid[u][canon[i]] += 1
            full_corpus[canon[i]] += 1
    token_index: dict[str, Counter] = defaultdict(Counter)
    for full, c in full_corpus.items():
        toks = full.split()
        for t in {toks[0], toks[-1]}:
            token_index[t][full] += c
    for i, (u, lab) in enumerate(zip(uids, out_labels)):
        if lab != "PERSON" or fixed[i] or " " in canon[i]:
            continue
        tok = canon[i]
        local = [(c, f) for f, c in full_by_uid.get(u, {}).items() if tok in (f.split()[0], f.split()[-1])]
        if local:
            canon[i] = max(local)[1]
        elif tok in token_index:
            canon[i] = max((c, f) for f, c in token_index[tok].items())[1]
    # 3. ORG acronyms: definitions given, plus an ORG full name in the same article whose initials spell it
    acronyms = {u: dict(d) for u, d in (acronyms or {}).items()}
    for i, (u, lab) in enumerate(zip(uids, out_labels)):
        if lab == "ORG" and not fixed[i] and " " in canon[i]:
            ini = _initials(canon[i])
            if len(ini) >= 2:
                acronyms.setdefault(u, {}).setdefault(ini, canon[i])
    if acronyms:
        acr_corpus: dict[str, Counter] = defaultdict(Counter)
        for defs in acronyms.values():
            for a, full in defs.items():
                acr_corpus[a][full] += 1
        acr_best = {a: c.most_common(1)[0][0] for a, c in acr_corpus.items()}
        full_names = {full.lower(): full for full in acr_best.values()}
        for i, (u, lab) in enumerate(zip(uids, out_labels)):
            if lab != "ORG" or fixed[i]:
                continue
            local = acronyms.get(u, {})
            if canon[i] in local:
                canon[i] = local[canon[i]]
            elif canon[i] in acr_best:
                canon[i] = acr_best[canon[i]]
            elif canon[i].lower() in full_names:
                canon[i] = full_names[canon[i].lower()]
    for i in range(len(ids)):
        if ids[i] is None:
            ids[i] = f"{out_labels[i]}:{slug(canon[i])}"
    m["entity_id"] = ids
    m["canonical"] = canon
    m["entity_label"] = out_labels
    ent = (m.groupby("entity_id", sort=False)
           .agg(name=("canonical", lambda s: s.value_counts().index[0]), label=("entity_label", "first"),
                mentions=("uid", "size"), articles=("uid", "nunique"),
                aliases=("name", lambda s: sorted(set(s))))
           .reset_index())
    ent = ent.sort_values(["mentions", "entity_id"], ascending=[False, True], ignore_index=True)
    return m.drop(columns=["entity_label"]), ent[ENTITY_COLUMNS]


def alias_table(mentions_with_ids: pd.DataFrame) -> pd.DataFrame:
    """Inspectable alias table: ``alias, entity_id, canonical, label, count`` (one row per distinct alias)."""
    t = (mentions_with_ids.groupby(["name", "entity_id", "canonical", "label"]).size().rename("count").reset_index()
         .rename(columns={"name": "alias"}))
    return t.sort_values(["entity_id", "count"], ascending=[True, False], ignore_index=True)
