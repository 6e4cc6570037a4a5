"""Corpus-wide entity canonicalisation: one id per entity across articles, in small named steps.

``canonicalise(mentions, overrides=None) -> (mentions with entity_id, entities)`` runs, in order:
``working_frame`` -> ``repair_labels`` ("Yoon" tagged GPE next to "Yoon Suk-yeol" -> PERSON) -> ``apply_overrides``
-> ``join_countries`` -> ``strip_company_suffixes`` -> ``unify_labels`` -> ``unglue_tails`` -> ``expand_surnames``
("Park" -> "Park Jin", same article first) -> ``join_acronyms`` -> ``assign_ids`` -> ``entity_table``. Each step
takes and returns the working frame and is tested alone (tests/nlp/test_canonical_steps.py). Name cleaning of a
single mention (titles, possessives, junk) is :mod:`analysis.entities`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from analysis.entities import ENTITY_COLUMNS, country_by_name, is_press, load_overrides, slug
from analysis.gazetteer import country_for, gazetteer

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


#: Offices that the model tags PERSON or GPE but are institutions ("Cheong Wa Dae", the presidential office).
ALWAYS_ORG = frozenset({"Cheong Wa Dae", "Chong Wa Dae", "Blue House"})
_KOREA = frozenset({"Korea", "Korean", "Koreans"})
_COMPANY_SUFFIX_RE = re.compile(
    r"(?:,?\s+(?:Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|LLC|L\.L\.C|PLC|Plc|plc|AG|SA|S\.A|NV|N\.V|"
    r"GmbH|SpA|S\.p\.A|KK|K\.K|Bhd|Pty)\.?)+$")
_GLUED_TAIL_RE = re.compile(r"(?<=[a-z])(and|the|who|was|said|says|has|had|with|for|of|in|on|at|to|is)$")
_LABEL_PREFERENCE = ("ORG", "PERSON", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART")


def strip_company_suffix(name: str) -> str:
    """"Coupang Inc." -> "Coupang", "Hyundai Motor Co" -> "Hyundai Motor", "Samsung Electronics Co., Ltd" ->
    "Samsung Electronics"; a name that is only a suffix, or whose bare name is a country ("France SA"), stays."""
    bare = _COMPANY_SUFFIX_RE.sub("", name).rstrip(" ,")
    if not bare or not any(c.isalpha() for c in bare) or country_by_name(bare):
        return name  # "Canada Inc" stays a company, not the country
    return bare


def majority_labels(named: list[tuple[str, str]]) -> dict[str, str]:
    """``{lower-cased name: label}`` for names seen under more than one label: the label of most mentions (ties: the
    first of ORG, PERSON, GPE, LOC, NORP, FAC, ...)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for name, label in named:
        counts[name.lower()][label] += 1
    rank = {lab: k for k, lab in enumerate(_LABEL_PREFERENCE)}
    return {name: min(c, key=lambda lab: (-c[lab], rank.get(lab, 99), lab))
            for name, c in counts.items() if len(c) > 1}


_KOREAN_CAPITALS = {"SEOUL": "KR", "PYONGYANG": "KP"}


def _korea_iso(counts: Counter) -> str:
    """"Korea" in an article without a Seoul or Pyongyang dateline: the Korea the article names more (North Korean
    state media write "DPRK" and mean the North by "Korea"); South Korea when it names neither or both equally (the
    usual sense in world and Korean press). With such a dateline (a "Seoul"/"Pyongyang" mention in the title or the
    first sentence), the dateline decides: Yonhap's "Korean won" is the South's even in a story about the North."""
    return "KP" if counts.get("GPE:KP", 0) > counts.get("GPE:KR", 0) else "KR"


def _unglue_tail(name: str, known: set[str]) -> str:
    """"Kim Il Sungand" -> "Kim Il Sung" when that name is known: scraped text glued the next word on."""
    m = _GLUED_TAIL_RE.search(name)
    if m and name[:m.start()] in known:
        return name[:m.start()]
    return name


def canonicalise(mentions: pd.DataFrame, overrides: pd.DataFrame | str | Path | None = None,
                 acronyms: dict[int, dict[str, str]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge name variants into entities.

    ``mentions``: columns ``uid, label, name`` (plus any others, kept; ``sent`` and ``start`` place a mention in its
    article). ``overrides``: a DataFrame from :func:`load_overrides` or a path to one. ``acronyms``: per-uid acronym
    definitions (:func:`acronyms_in`); when None, ORG names of the form "Full Name (ACR)" are not available and only
    the overrides merge acronyms. Returns ``(mentions + [entity_id, canonical], entities)``; ``entities`` has
    :data:`ENTITY_COLUMNS` sorted by mentions descending, ``aliases`` a sorted list of the distinct normalised names
    merged into it. The steps below are public functions of the working frame (:func:`working_frame`), each
    returning a new frame, so each can be read and tested alone.
    """
    if mentions.empty:
        m = mentions.copy()
        m["entity_id"] = pd.Series(dtype="str")
        m["canonical"] = pd.Series(dtype="str")
        return m, pd.DataFrame(columns=ENTITY_COLUMNS)
    if overrides is not None and not isinstance(overrides, pd.DataFrame):
        overrides = load_overrides(overrides)
    m = working_frame(mentions)
    m = repair_labels(m)            # "Yoon" tagged GPE next to "Yoon Suk Yeol" -> PERSON; "Ulsan" as PERSON -> GPE
    m = apply_overrides(m, overrides)
    m = join_countries(m)           # "DPRK" as ORG, "Chinese" -> GPE:CN; "Korea" by dateline, else by the article
    m = strip_company_suffixes(m)   # "Coupang Inc." -> "Coupang"
    m = unify_labels(m)             # one name, one label
    m = unglue_tails(m)             # "Kim Il Sungand" -> "Kim Il Sung"
    m = expand_surnames(m)          # "Park" -> "Park Jin", same article first
    m = join_acronyms(m, acronyms)  # "OPEC" -> "Organization of Petroleum Exporting Countries"
    m = assign_ids(m)
    return m.drop(columns=_WORK_COLUMNS), entity_table(m)


#: Working columns of :func:`canonicalise`'s steps, dropped from what it returns: ``_tag`` the label after
#: :func:`repair_labels` (what the later steps read), ``entity_label`` the entity's label, ``_fixed`` true once an
#: override or a country decided the mention (later steps leave it alone).
_WORK_COLUMNS = ["_tag", "entity_label", "_fixed"]


def working_frame(mentions: pd.DataFrame) -> pd.DataFrame:
    """``mentions`` plus the working columns: ``_tag`` and ``entity_label`` the label, ``canonical`` the name,
    ``entity_id`` None, ``_fixed`` False."""
    m = mentions.copy()
    m["label"] = m["label"].astype(str)
    m["name"] = m["name"].astype(str)
    m["entity_id"] = None
    m["canonical"] = m["name"]
    m["_tag"] = m["label"]
    m["entity_label"] = m["label"]
    m["_fixed"] = False
    return m


def _person_tokens(m: pd.DataFrame) -> dict[int, set[str]]:
    """uid -> first and last tokens of the multi-token PERSON names the model found in that article."""
    toks: dict[int, set[str]] = defaultdict(set)
    for u, lab, n in zip(m["uid"], m["label"], m["name"], strict=True):
        if lab == "PERSON" and " " in n:
            t = n.split()
            toks[u].update((t[0], t[-1]))
    return toks


def repair_labels(m: pd.DataFrame) -> pd.DataFrame:
    """Label repair inside an article (``_tag`` and ``entity_label``). The small model tags a bare surname GPE/LOC/
    ORG ("Yoon", "Park", "Wang") and a city PERSON ("Busan"): a single token that is part of a PERSON full name of the
    same article, and is no country or place, is a PERSON; a PERSON name that the same article also tags GPE/LOC, or
    that is a known city and no part of a full name there ("Ulsan"), is a GPE. The press and the presidential
    office are ORG."""
    g = gazetteer()
    person_toks = _person_tokens(m)
    place_names: dict[int, set[str]] = defaultdict(set)
    for u, lab, n in zip(m["uid"], m["label"], m["name"], strict=True):
        if lab in ("GPE", "LOC"):
            place_names[u].add(n)
    tags = []
    for u, lab, n in zip(m["uid"], m["label"], m["name"], strict=True):
        if is_press(n) or n in ALWAYS_ORG:
            lab = "ORG"
        elif lab in ("GPE", "LOC", "ORG", "NORP") and " " not in n and n in person_toks.get(u, ()) \
                and n not in g.places and not country_for(n):
            lab = "PERSON"
        elif lab == "PERSON" and n not in person_toks.get(u, ()) and (n in place_names.get(u, ()) or n in g.places):
            lab = "GPE"
        tags.append(lab)
    m = m.copy()
    m["_tag"] = tags
    m["entity_label"] = tags
    return m


def apply_overrides(m: pd.DataFrame, overrides: pd.DataFrame | None) -> pd.DataFrame:
    """The user's overrides (:func:`load_overrides`) decide first: an alias (any case) with the mention's label, or
    with no label, gets the override's canonical name (and its label, when it names one); such mentions are
    ``_fixed``."""
    if overrides is None or overrides.empty:
        return m
    ov_any: dict[str, tuple[str, str]] = {}
    ov_lab: dict[tuple[str, str], str] = {}
    for r in overrides.itertuples(index=False):
        if r.label:
            ov_lab[(r.alias.lower(), r.label)] = r.canonical
            ov_any.setdefault(r.alias.lower(), (r.canonical, r.label))
        else:
            ov_any[r.alias.lower()] = (r.canonical, "")
    canon, labels, fixed = m["canonical"].tolist(), m["entity_label"].tolist(), m["_fixed"].tolist()
    for i, (n, tag) in enumerate(zip(m["name"], m["_tag"], strict=True)):
        key = n.lower()
        if (key, tag) in ov_lab:
            canon[i], fixed[i] = ov_lab[(key, tag)], True
        elif key in ov_any:
            canon[i], olab = ov_any[key]
            fixed[i] = True
            if olab:
                labels[i] = olab
    m = m.copy()
    m["canonical"], m["entity_label"], m["_fixed"] = canon, labels, fixed
    return m


def join_countries(m: pd.DataFrame) -> pd.DataFrame:
    """Mentions naming a country become ``GPE:<ISO2>``, named by the gazetteer, and ``_fixed``: any label that spells
    a country's name or acronym ("DPRK" tagged ORG, "Democratic People's Republic of Korea"), demonyms only under
    GPE/NORP/LOC. "Korea"/"Korean" is the Korea of a Seoul/Pyongyang dateline (such a mention in sentence 0 or 1),
    else the Korea its article names more (see :func:`_korea_iso`)."""
    g = gazetteer()
    canon, labels, ids = m["canonical"].tolist(), m["entity_label"].tolist(), m["entity_id"].tolist()
    fixed = m["_fixed"].tolist()
    korea_at = []
    for i, (n, tag) in enumerate(zip(m["name"], m["_tag"], strict=True)):
        if fixed[i]:
            continue
        if n in _KOREA and tag in ("GPE", "NORP", "LOC", "ORG"):
            korea_at.append(i)
            continue
        iso = country_for(n) if tag in ("GPE", "NORP", "LOC") else country_by_name(n)
        if iso:
            labels[i], canon[i], ids[i], fixed[i] = "GPE", g.country_name.get(iso, n), f"GPE:{iso}", True
    if korea_at:
        uids, names = m["uid"].tolist(), m["name"].tolist()
        sents = m["sent"].tolist() if "sent" in m else [None] * len(m)
        starts = m["start"].tolist() if "start" in m else [0] * len(m)
        north_south: dict[int, Counter] = defaultdict(Counter)
        home: dict[int, tuple[int, str]] = {}  # uid -> (offset, ISO2) of its first "Seoul"/"Pyongyang"
        for i, (u, eid) in enumerate(zip(uids, ids, strict=True)):
            if eid in ("GPE:KR", "GPE:KP"):
                north_south[u][eid] += 1
            capital = _KOREAN_CAPITALS.get(names[i].upper())
            if capital and sents[i] in (0, 1) and (u not in home or starts[i] < home[u][0]):
                home[u] = (starts[i], capital)
        for i in korea_at:
            iso = home[uids[i]][1] if uids[i] in home else _korea_iso(north_south.get(uids[i], Counter()))
            labels[i], canon[i], ids[i], fixed[i] = "GPE", g.country_name[iso], f"GPE:{iso}", True
    m = m.copy()
    m["canonical"], m["entity_label"], m["_fixed"] = canon, labels, fixed
    m["entity_id"] = pd.Series(ids, index=m.index, dtype=object)  # None stays None (not NaN) until assign_ids
    return m


def _open(m: pd.DataFrame, label: str) -> pd.Series:
    """Rows of ``label`` that no override or country has decided."""
    return (m["entity_label"] == label) & ~m["_fixed"].astype(bool)


def strip_company_suffixes(m: pd.DataFrame) -> pd.DataFrame:
    """ORG names lose company suffixes (:func:`strip_company_suffix`): "Coupang Inc." and "Coupang" are one ORG."""
    rows = _open(m, "ORG")
    m = m.copy()
    m.loc[rows, "canonical"] = [strip_company_suffix(c) for c in m.loc[rows, "canonical"]]
    return m


def unify_labels(m: pd.DataFrame) -> pd.DataFrame:
    """One name, one label: a name seen under several labels takes its majority label corpus-wide
    (:func:`majority_labels`), except a bare name that its own article shows to be part of a person's full name
    (the evidence of :func:`repair_labels` is the stronger)."""
    person_toks = _person_tokens(m)
    free = [not fixed and not (lab == "PERSON" and " " not in c and c in person_toks.get(u, ()))
            for u, c, lab, fixed in zip(m["uid"], m["canonical"], m["entity_label"], m["_fixed"], strict=True)]
    majority = majority_labels([(c, lab) for c, lab, f in zip(m["canonical"], m["entity_label"], free, strict=True)
                                if f])
    m = m.copy()
    m["entity_label"] = [majority.get(c.lower(), lab) if f else lab
                         for c, lab, f in zip(m["canonical"], m["entity_label"], free, strict=True)]
    return m


def unglue_tails(m: pd.DataFrame) -> pd.DataFrame:
    """A word glued to the end of a person's name ("Kim Il Sungand") is cut when the name without it is known."""
    rows = _open(m, "PERSON")
    persons = set(m.loc[rows, "canonical"])
    m = m.copy()
    m.loc[rows, "canonical"] = [_unglue_tail(c, persons) for c in m.loc[rows, "canonical"]]
    return m


def expand_surnames(m: pd.DataFrame) -> pd.DataFrame:
    """A one-token PERSON name ("Park") becomes the full name holding that token first or last: the one its own
    article makes central (in the title, then most mentions, then the earliest), else the corpus' most frequent."""
    uids, labels, fixed = m["uid"].tolist(), m["entity_label"].tolist(), m["_fixed"].tolist()
    canon = m["canonical"].tolist()
    sents = m["sent"].tolist() if "sent" in m else [None] * len(m)
    starts = m["start"].tolist() if "start" in m else list(range(len(m)))
    full_by_uid: dict[int, dict[str, list]] = defaultdict(dict)
    full_corpus: Counter = Counter()
    for i, (u, lab) in enumerate(zip(uids, labels, strict=True)):
        if lab == "PERSON" and not fixed[i] and " " in canon[i]:
            score = full_by_uid[u].setdefault(canon[i], [0, 0, -(1 << 40)])  # in title, mentions, -first offset
            score[0] = max(score[0], int(sents[i] == 0))
            score[1] += 1
            score[2] = max(score[2], -int(starts[i]))
            full_corpus[canon[i]] += 1
    token_index: dict[str, Counter] = defaultdict(Counter)
    for full, c in full_corpus.items():
        toks = full.split()
        for t in {toks[0], toks[-1]}:
            token_index[t][full] += c
    for i, (u, lab) in enumerate(zip(uids, labels, strict=True)):
        if lab != "PERSON" or fixed[i] or " " in canon[i]:
            continue
        tok = canon[i]
        local = [(tuple(sc), f) for f, sc in full_by_uid.get(u, {}).items() if tok in (f.split()[0], f.split()[-1])]
        if local:
            canon[i] = max(local)[1]
        elif tok in token_index:
            canon[i] = max((c, f) for f, c in token_index[tok].items())[1]
    m = m.copy()
    m["canonical"] = canon
    return m


def join_acronyms(m: pd.DataFrame, acronyms: dict[int, dict[str, str]] | None = None) -> pd.DataFrame:
    """ORG acronyms join their full names: the definitions given (:func:`acronyms_in`, per uid), plus any ORG full
    name of an article whose initials spell an acronym. An acronym takes its article's definition, else the corpus'
    most frequent one; a full name in another case takes the defined spelling."""
    acronyms = {u: dict(d) for u, d in (acronyms or {}).items()}
    rows = _open(m, "ORG")
    for u, c in zip(m.loc[rows, "uid"], m.loc[rows, "canonical"], strict=True):
        if " " in c:
            ini = _initials(c)
            if len(ini) >= 2:
                acronyms.setdefault(u, {}).setdefault(ini, c)
    if not acronyms:
        return m
    acr_corpus: dict[str, Counter] = defaultdict(Counter)
    for defs in acronyms.values():
        for a, full in defs.items():
            acr_corpus[a][full] += 1
    acr_best = {a: c.most_common(1)[0][0] for a, c in acr_corpus.items()}
    full_names = {full.lower(): full for full in acr_best.values()}

    def joined(u: int, c: str) -> str:
        local = acronyms.get(u, {})
        return local.get(c) or acr_best.get(c) or full_names.get(c.lower(), c)

    m = m.copy()
    m.loc[rows, "canonical"] = [joined(u, c) for u, c in zip(m.loc[rows, "uid"], m.loc[rows, "canonical"],
                                                                strict=True)]
    return m


def assign_ids(m: pd.DataFrame) -> pd.DataFrame:
    """``entity_id`` of every mention a country has not given one: ``<label>:<slug of the canonical name>``."""
    m = m.copy()
    m["entity_id"] = [eid if eid is not None else f"{lab}:{slug(c)}"
                      for eid, lab, c in zip(m["entity_id"], m["entity_label"], m["canonical"], strict=True)]
    return m


def entity_table(m: pd.DataFrame) -> pd.DataFrame:
    """One row per entity (:data:`ENTITY_COLUMNS`) from mentions with ``entity_id, canonical, entity_label``: the
    most frequent canonical name, the label, mentions, articles, and the sorted distinct names merged into it;
    sorted by mentions descending, then id."""
    pairs = pd.DataFrame({"entity_id": m["entity_id"].astype(object), "canonical": m["canonical"].astype(object)})
    counts = pairs.groupby(["entity_id", "canonical"], sort=False).size()
    top_name = dict(counts.groupby(level=0, sort=False).idxmax().tolist())  # ties: the name seen first
    aliases: dict[str, set[str]] = defaultdict(set)
    for eid, n in zip(pairs["entity_id"], m["name"].astype(object), strict=True):
        aliases[eid].add(n)
    ent = (m.groupby("entity_id", sort=False)
           .agg(label=("entity_label", "first"), mentions=("uid", "size"), articles=("uid", "nunique"))
           .reset_index())
    ent["name"] = [top_name[e] for e in ent["entity_id"]]
    ent["aliases"] = [sorted(aliases[e]) for e in ent["entity_id"]]
    ent = ent.sort_values(["mentions", "entity_id"], ascending=[False, True], ignore_index=True)
    return ent[ENTITY_COLUMNS]


def alias_table(mentions_with_ids: pd.DataFrame) -> pd.DataFrame:
    """Inspectable alias table: ``alias, entity_id, canonical, label, count`` (one row per distinct alias)."""
    t = (mentions_with_ids.groupby(["name", "entity_id", "canonical", "label"]).size().rename("count").reset_index()
         .rename(columns={"name": "alias"}))
    return t.sort_values(["entity_id", "count"], ascending=[True, False], ignore_index=True)
