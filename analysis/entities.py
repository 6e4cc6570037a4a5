"""Entity mentions: name normalisation and corpus-wide canonicalisation.

- :func:`normalise_name` splits glued words ("ComradeKim" -> "Comrade Kim", :func:`split_glued`), strips titles and
  honorifics ("Foreign Minister", "President", "Mr.", "Comrade", "Respected", "Dear"), a possessive "'s", a leading
  "the"; returns "" for junk: numbers, single characters, and what :func:`junk_reason` names (e-mail bylines, wire
  tags, snake_case keys, pronouns, fragments such as "Gov't" or "Lee-China", "AI" as a place, the user's list
  ``resources/entity_junk.txt``).
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
  * news agencies, newspapers (``resources/press_names.txt`` and names ending in Sinmun, Ilbo, Herald, Times, News
    Agency, ...) and Cheong Wa Dae are ORG; a known city tagged PERSON ("Ulsan") is GPE unless its article has a
    person of that name.
  * any label spelling a country's name or acronym ("DPRK" as ORG, "Democratic People's Republic of Korea") joins
    ``GPE:<ISO2>``. "Korea"/"Korean" is the Korea of a Seoul or Pyongyang dateline, else the Korea its article names
    more (North Korean state media write "DPRK" and mean the North), South Korea when it names neither more.
  * company suffixes (Inc., Corp., Co., Ltd, AG, ...) are dropped, so "Coupang Inc." and "Coupang" are one ORG.
  * one name, one label: a name seen under several labels takes the label of most of its mentions (ties: ORG,
    PERSON, GPE, ...), except a bare name its own article shows to be part of a person's full name.
  * a word glued to the end of a person's name ("Kim Il Sungand") is cut when the name without it is known.
  * a bare surname goes to the full name its article makes central: in the title first, then most mentions, then
    the earliest.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from analysis.gazetteer import country_for, gazetteer, word_set

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
    # honorifics of state media ("Respected Comrade Kim Jong Un", "Dear Leader"): never part of the name
    "Comrade", "Respected", "Dear", "Beloved", "Great", "Supreme Leader", "Marshal", "Generalissimo",
]
_TITLE_RE = re.compile(
    r"^(?:(?:[A-Z][a-z]+ )?(?:Former |Acting |Deputy |Vice |then-)?(?:" + "|".join(re.escape(t) for t in
                                                                             sorted(_TITLES, key=len, reverse=True))
    + r")\s+)+"
)
_POSS_RE = re.compile(r"(?:'s|\u2019s|'|\u2019)$")
_JUNK_RE = re.compile(r"^[\W\d_]*$")
# Wire-copy abbreviations the small NER model tags as names ("Shr", "Revs 608,181", "cts", "Avg").
_JUNK_WORDS = word_set("""shr shrs qtr qtrs revs rev cts ct avg net oper mths mth vs pct dlrs dlr mln bln billion
million reuter reuters inc corp ltd co plc nil dividend div pay payable record prior ex""")
# Wire abbreviations of amounts: a name holding one is a table or money line, whatever its label (ORG aside).
_WIRE_UNITS = word_set("dlrs dlr mln bln cts shr shrs pct stg qtr qtrs mths avg")
_LOWER_IN_TITLES = word_set("of and the for de des du la le van von on in at to")


def _unshout(s: str) -> str:
    """"NEW YORK" -> "New York", "BANK OF ENGLAND" -> "Bank of England"; acronyms ("OPEC", "U.S.") stay."""
    words = s.split()
    if not s.isupper() or (len(words) == 1 and len(s) <= 4):
        return s
    return " ".join(w if "." in w else w.lower() if i and w.lower() in _LOWER_IN_TITLES else w.capitalize()
                    for i, w in enumerate(words))


RESOURCES = Path(__file__).resolve().parent / "resources"
#: User-extendable list of names that are never entities (one per line, ``name`` or ``name|LABEL``; ``#`` comments).
JUNK_LIST = RESOURCES / "entity_junk.txt"
#: News agencies, newspapers and broadcasters: always ORG (one name per line; user-extendable).
PRESS_LIST = RESOURCES / "press_names.txt"

# Wire-service tags that the model reads as names ("LEAD", "URGENT", "ADDS", "UPDATE 2").
WIRE_TAGS = word_set("""LEAD URGENT ADDS ADD UPDATE UPDATES UPDATED CORRECTED CORRECTION CORRECTS REPEAT REPEATS FLASH
BULLETIN RECASTS RECAST WRAPUP ROUNDUP END MORE EMBARGOED ADVISORY EXCLUSIVE FACTBOX PREVIEW REFILE WRITETHRU
NEWSALERT ALERT BREAKING LD""")
_PRONOUNS = word_set("""he she it they we i you me him her them us his hers its their theirs our ours your yours this
that these those who whom someone everyone anyone nobody one""")
# Lower-case particles inside personal names ("Charles de Gaulle", "bin Salman", "Vincent van Gogh").
_NAME_PARTICLES = word_set("de del della der di da dos das du la le van von bin binti bint ibn al el y den ter zu af e "
                           "do of")
_DATE_NAME_RE = re.compile(r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:'s|\"s)?\s+\d{1,2}\b")
_LEADING_PARTICLES = word_set("de van von bin ibn da di du")
_CONTRACTION_RE = re.compile(r"[A-Za-z]'(?:t|l|n|d)\b")  # "Gov't", "Int'l", "Ass'n": fragments, not names
_ADDRESS_RE = re.compile(r"@|://|\bwww\.|\.(?:com|net|org|co\.kr|kr)\b", re.IGNORECASE)
_PRESS_SUFFIX_RE = re.compile(
    r"\b(?:Sinmun|Shimbun|Ilbo|Daily|Herald|Times|Post|Journal|Gazette|Tribune|Telegraph|Chronicle|Guardian|Observer|"
    r"Independent|Courier|Dispatch|Inquirer|News Agency|Press Agency|Broadcasting|Broadcasting Corporation|"
    r"Broadcasting System|Television|Radio|TV|News|Newswire|Wire)$")


def _read_list(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@functools.lru_cache(maxsize=1)
def junk_names() -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The user's junk list (:data:`JUNK_LIST`): names junk under any label, and (name, label) pairs; lower-cased."""
    any_label, per_label = set(), set()
    for line in _read_list(JUNK_LIST):
        name, _, label = line.partition("|")
        if label.strip():
            per_label.add((name.strip().lower(), label.strip().upper()))
        else:
            any_label.add(name.strip().lower())
    return frozenset(any_label), frozenset(per_label)


@functools.lru_cache(maxsize=1)
def press_names() -> frozenset[str]:
    """Lower-cased names of news agencies and newspapers (:data:`PRESS_LIST`)."""
    return frozenset(n.lower() for n in _read_list(PRESS_LIST))


def is_press(name: str) -> bool:
    """A news agency, newspaper or broadcaster ("Yonhap", "Rodong Sinmun", "Korea Herald", "KCNA")."""
    return name.lower() in press_names() or (" " in name and _PRESS_SUFFIX_RE.search(name) is not None)


def junk_reason(name: str, label: str = "") -> str | None:
    """Why a normalised name is no entity, or None. The rules (also used by ``bench/eval_entities.py``):

    - ``address``: an e-mail or web address ("khj@yna.co.kr(END");
    - ``key``: a snake_case or front-matter key ("crawled_at");
    - ``wire tag``: only wire-service tags ("LEAD", "URGENT", "UPDATE 2");
    - ``pronoun``: "He", "They", "It";
    - ``fragment``: an unbalanced bracket ("Lee-budget minister(URGENT"), a clipped word ("Gov't"), a person name with
      a lower-case word that is no particle ("Lee-budget minister") or glued to a country ("Lee-China");
    - ``amount``: a wire abbreviation of money or a period in a non-ORG name ("U.S. Dlrs", "Dlr Contract");
    - ``numbers``: two or more tokens without a letter ("La 2.54 2.50"); ``date``: "Feb 9";
    - ``lower case``: a non-person name starting in lower case ("non-Canadian"; "eBay" stays);
    - ``acronym``: a place of 2-3 capitals that is no known country or place ("AI" as GPE);
    - ``listed``: in the user's list :data:`JUNK_LIST`.
    """
    if not name:
        return "empty"
    low = name.lower()
    any_label, per_label = junk_names()
    if low in any_label or (low, label) in per_label:
        return "listed"
    if _ADDRESS_RE.search(name):
        return "address"
    if "_" in name:
        return "key"
    words = name.replace("(", " ").replace(")", " ").split()
    if words and all(w.upper().strip(".,:;-") in WIRE_TAGS or w.strip(".,:;-").isdigit() for w in words):
        return "wire tag"
    if low in _PRONOUNS and not (name.isupper() and len(name) > 1):  # "US" and "IT" are no pronouns
        return "pronoun"
    if name.count("(") != name.count(")") or _CONTRACTION_RE.search(name):
        return "fragment"
    if any(w in WIRE_TAGS for w in words) and not name.isupper():
        return "fragment"  # "Kim Jong Un URGENT": a tag glued to a name
    if sum(1 for w in words if not any(c.isalpha() for c in w)) >= 2:
        return "numbers"  # "La 2.54 2.50": a table row
    if _DATE_NAME_RE.match(name):
        return "date"  # "Feb 9", "September's 31": a date the model took for a name
    if name[0].islower() and not name[1:2].isupper() and label != "PERSON":
        return "lower case"  # "non-Canadian"; "eBay" and "iPhone" stay
    if label == "PERSON" and any(w.lower().strip(".,") in _JUNK_WORDS for w in words):
        return "amount"  # "U.S. Dlrs"
    if label != "ORG" and any(w.lower().strip(".,") in _WIRE_UNITS for w in words):
        return "amount"  # "Dlr Contract", "Stg Assistance London", "Qtr Nov 30"
    if label == "PERSON" and name[0].islower():
        # only a surname particle may lead ("de Gaulle", "bin Laden"), followed by a real surname: not an article
        # ("el Gobierno", "la Paz"), a second particle ("de la"), a place ("de Brasil") or a stub ("de Lea")
        first, _, rest = name.partition(" ")
        if first not in _LEADING_PARTICLES or not rest or not rest[0].isupper() or len(rest) < 4 \
                or _country_by_name(rest) or country_for(rest) or rest in gazetteer().places:
            return "fragment"
    if label == "PERSON":
        for w in name.split():
            if w[0].islower() and w.lower() not in _NAME_PARTICLES and not w.startswith(("al-", "el-", "bin-")):
                return "fragment"
        if " " not in name and "-" in name:
            tail = name.partition("-")[2]
            if tail[:1].islower() or country_for(tail) or tail in gazetteer().places:
                return "fragment"
    if label in ("GPE", "LOC", "NORP") and name.isupper() and len(name) <= 3 and not country_for(name) \
            and name not in gazetteer().places:
        return "acronym"
    return None


# Scraped text glues words together ("respectedKim Jong Un", "ComradeKim Jong Un", "presidentKim Il Sung"): a
# lower-case word of 3+ letters, or an honorific, directly followed by a capitalised word. "McDonald", "iPhone",
# "YouTube" and "eBay" do not match (the left part is capitalised, or shorter).
_GLUED_RE = re.compile(r"\b(?:[a-z]{3,}|Comrade|Respected|Dear|Beloved|President|Chairman|Premier|Marshal|General|"
                       r"Leader|Mr|Mrs|Ms|Dr|Minister|Secretary)(?=[A-Z][a-z])")


def split_glued(text: str) -> tuple[str, list[int] | None]:
    """``text`` with a space at every glued join ("respectedKim" -> "respected Kim") and, when there was one, the
    offset map ``orig[i]`` (the offset in ``text`` of character ``i`` of the result; an inserted space maps to the
    character after it, and ``orig[len(result)] == len(text)``). ``(text, None)`` when nothing is glued."""
    cuts = [m.end() for m in _GLUED_RE.finditer(text)]
    if not cuts:
        return text, None
    parts, orig, prev = [], [], 0
    for cut in cuts:
        parts += [text[prev:cut], " "]
        orig += list(range(prev, cut)) + [cut]
        prev = cut
    parts.append(text[prev:])
    orig += list(range(prev, len(text) + 1))
    return "".join(parts), orig


def normalise_name(text: str, label: str = "") -> str:
    """Normalised surface form of one mention ("Foreign Minister Park Jin's" -> "Park Jin"); "" for junk (see
    :func:`junk_reason`)."""
    s = " ".join(split_glued(str(text).replace("\u2019", "'"))[0].split())
    if _ADDRESS_RE.search(s) or "_" in s:
        return ""
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
    s = _unshout(s)
    return "" if junk_reason(s, label) else s


def slug(name: str) -> str:
    """Readable, stable id part: "Park Jin" -> "park-jin", "Ségolène Royal" -> "segolene-royal". A name with no Latin
    letter or digit left ("이재명", "Путин", "محمد") gets ``x-`` and a hash of its normalised form
    ("x-5b0e4b2f0c"): distinct names get distinct ids (they all were "x" before), the same name always the same
    id, and ids stay ASCII for URLs. Ids of names with a Latin letter or digit are as they always were."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    if s:
        return s
    key = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    return "x-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10] if key else "x"


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
    if not bare or not any(c.isalpha() for c in bare) or _country_by_name(bare):
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


def _country_by_name(name: str) -> str | None:
    """ISO2 when ``name`` is a country's name, short form or acronym (not a demonym): "DPRK", "the United States"."""
    names = gazetteer().names
    key = " ".join(name.split())
    key = key[4:] if key.lower().startswith("the ") else key
    return names.get(key) or (_upper_names().get(key) if key.isupper() else None)  # "IRAN" in shouted copy


@functools.lru_cache(maxsize=1)
def _upper_names() -> dict[str, str]:
    return {k.upper(): v for k, v in gazetteer().names.items() if len(k) > 3}


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
        iso = country_for(n) if tag in ("GPE", "NORP", "LOC") else _country_by_name(n)
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
