"""Entity mentions: name normalisation (corpus-wide canonicalisation is :mod:`analysis.canonical`).

- :func:`normalise_name` splits glued words ("ComradeKim" -> "Comrade Kim", :func:`split_glued`), strips titles and
  honorifics ("Foreign Minister", "President", "Mr.", "Comrade", "Respected", "Dear"), a possessive "'s", a leading
  "the"; returns "" for junk: numbers, single characters, and what :func:`junk_reason` names (e-mail bylines, wire
  tags, snake_case keys, pronouns, fragments such as "Gov't" or "Lee-China", "AI" as a place, the user's list
  ``resources/entity_junk.txt``).
- :func:`analysis.canonical.canonicalise` gives every mention an ``entity_id`` ("PERSON:park-jin", "GPE:US", "ORG:opec"):

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
                or country_by_name(rest) or country_for(rest) or rest in gazetteer().places:
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
    return name_and_reason(text, label)[0]


def name_and_reason(text: str, label: str = "") -> tuple[str, str]:
    """``(name, "")`` as :func:`normalise_name` gives it, or ``("", reason)`` for junk: a :func:`junk_reason`
    ("address", "key", "wire tag", ...) or, for what is cut before it, "too short" (under 2 characters),
    "numbers" (no letter, or a digit in a non-ORG name) or "wire word" (only wire-copy words: "Shr", "Qtr",
    "Reuters", "Inc")."""
    s = " ".join(split_glued(str(text).replace("\u2019", "'"))[0].split())
    if _ADDRESS_RE.search(s):
        return "", "address"
    if "_" in s:
        return "", "key"
    s = s.strip(" \t\"'`.,;:-()[]{}") if not s.endswith(".") or len(s) < 4 else s.strip(" \t\"'`,;:-()[]{}")
    s = _POSS_RE.sub("", s)
    if s[:4].lower() == "the ":
        s = s[4:]
    if label in ("PERSON", ""):
        s2 = _TITLE_RE.sub("", s)
        if s2:
            s = s2
    s = s.strip(" \"'`,;:-")
    if len(s) < 2:
        return "", "too short"
    if not any(c.isalpha() for c in s) or _JUNK_RE.match(s):
        return "", "numbers"
    words = [w for w in s.split() if not _JUNK_RE.match(w)]
    if not words or all(w.lower().strip(".,") in _JUNK_WORDS for w in words):
        return "", "wire word"
    if label in ("PERSON", "ORG", "GPE", "LOC", "NORP") and any(ch.isdigit() for ch in s) and label != "ORG":
        return "", "numbers"
    s = _unshout(s)
    why = junk_reason(s, label)
    return ("", why) if why else (s, "")


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


def country_by_name(name: str) -> str | None:
    """ISO2 when ``name`` is a country's name, short form or acronym (not a demonym): "DPRK", "the United States"."""
    names = gazetteer().names
    key = " ".join(name.split())
    key = key[4:] if key.lower().startswith("the ") else key
    return names.get(key) or (_upper_names().get(key) if key.isupper() else None)  # "IRAN" in shouted copy


@functools.lru_cache(maxsize=1)
def _upper_names() -> dict[str, str]:
    return {k.upper(): v for k, v in gazetteer().names.items() if len(k) > 3}
