"""One Filter value object shared by the CLI, the store queries and the dashboard.

A Filter is immutable and hashable (so it can key caches), round-trips through URL query parameters
(``to_params`` / ``from_params``) and CLI arguments, and is turned into SQL only by :mod:`analysis.store`,
always with bound parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

MAX_QUERY_LENGTH = 500
#: The one "about" threshold: a country counts as what an article is *about* at weight >= this (see
#: :mod:`analysis.countries`; chosen on the Reuters dev split with ``bench/eval_countries.py --sweep``). Used by the
#: country filter, the ``countries`` field of exports, the countries chart and the dashboard's default; 0 = every
#: country mentioned at all (the behaviour before the threshold was the default).
ABOUT_DEFAULT = 0.25
#: The store keeps topic ids as INTEGER (int32); -1 is "other (no clear topic)".
TOPIC_ID_MIN, TOPIC_ID_MAX = -1, 2**31 - 1
#: Canonical entity ids: a spaCy label, a colon, a slug (see analysis.entities.slug), e.g. PERSON:wang-yi.
_ENTITY_ID_RE = re.compile(r"[A-Z][A-Z_]{0,19}:[A-Za-z0-9](?:[A-Za-z0-9-]{0,198}[A-Za-z0-9])?")


def _topic_id(value: Any) -> int:
    try:
        topic = int(str(value).strip())
    except ValueError:
        raise ValueError(f"not a topic id: {value!r} (a whole number; see `topics` for the ids)") from None
    if not TOPIC_ID_MIN <= topic <= TOPIC_ID_MAX:
        raise ValueError(f"topic id {topic} is out of range (ids are {TOPIC_ID_MIN}..{TOPIC_ID_MAX}; see `topics`)")
    return topic


def _entity_id(value: Any) -> str:
    text = str(value)
    if not _ENTITY_ID_RE.fullmatch(text):
        raise ValueError(f"not an entity id: {text[:80]!r} (ids look like PERSON:wang-yi; see `entities`)")
    return text


def _weight(value: Any) -> float:
    try:
        weight = float(value or 0.0)
    except (TypeError, ValueError):
        raise ValueError(f"min_country_weight (about) must be a number between 0 and 1, got {value!r}") from None
    if not 0.0 <= weight <= 1.0:  # also refuses NaN
        raise ValueError(f"min_country_weight (about) must be between 0 and 1, got {value!r}")
    return weight


def _tuple(values: Any, cast=str) -> tuple:
    if values is None or values == "":
        return ()
    if isinstance(values, (str, int)):
        values = [values]
    out = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part:
                out.append(cast(part))
    return tuple(dict.fromkeys(out))  # de-duplicate, keep order


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)") from exc


@dataclass(frozen=True)
class Filter:
    """Which articles a view, an export or a command looks at.

    countries: ISO 3166-1 alpha-2 codes an article is about (any of them).
    min_country_weight: how central a country must be to count as what an article is about, 0..1 (default
    :data:`ABOUT_DEFAULT`; 0 = mentioned at all). It qualifies the country filter and every list of an article's
    countries (exports, charts); by itself it drops no article.
    topics: topic ids (any of them). sources: source names (any). entities: canonical entity ids (all of them).
    since / until: inclusive calendar days; a date bound leaves undated articles out.
    query: full-text words, all of which must appear (case-insensitive) in title or text.
    unique: only one article per story (near-duplicate group).
    languages: article language codes such as "en", "es" (any of them).

    >>> Filter.from_params({"country": "KR,CN", "since": "2023-01-01"}).countries
    ('KR', 'CN')
    """

    countries: tuple[str, ...] = ()
    min_country_weight: float = ABOUT_DEFAULT
    topics: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    query: str = ""
    unique: bool = False
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "countries", tuple(c.upper() for c in _tuple(self.countries)))
        object.__setattr__(self, "topics", _tuple(self.topics, _topic_id))
        object.__setattr__(self, "sources", _tuple(self.sources))
        object.__setattr__(self, "entities", _tuple(self.entities, _entity_id))
        object.__setattr__(self, "since", _date(self.since))
        object.__setattr__(self, "until", _date(self.until))
        object.__setattr__(self, "query", str(self.query or "").strip()[:MAX_QUERY_LENGTH])
        weight = ABOUT_DEFAULT if self.min_country_weight is None else _weight(self.min_country_weight)
        object.__setattr__(self, "min_country_weight", weight)
        object.__setattr__(self, "unique", bool(self.unique))
        object.__setattr__(self, "languages", tuple(x.lower() for x in _tuple(self.languages)))
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")

    @property
    def is_empty(self) -> bool:
        return self == Filter()

    def replace(self, **changes: Any) -> Filter:
        return replace(self, **changes)

    # URL / query-parameter codec: short, stable keys; only non-default values are written.
    _PARAM_KEYS = {
        "countries": "country",
        "min_country_weight": "about",
        "topics": "topic",
        "sources": "source",
        "entities": "entity",
        "since": "since",
        "until": "until",
        "query": "q",
        "unique": "unique",
        "languages": "lang",
    }

    def to_params(self, prefix: str = "") -> dict[str, str]:
        """Non-default fields as ``{key: str}``; list fields comma-joined. ``prefix`` separates filter sets (A/B)."""
        out: dict[str, str] = {}
        default = Filter()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            key = prefix + self._PARAM_KEYS[f.name]
            if isinstance(value, tuple):
                out[key] = ",".join(str(v) for v in value)
            elif isinstance(value, bool):
                out[key] = "1"
            elif isinstance(value, dt.date):
                out[key] = value.isoformat()
            else:
                out[key] = str(value)
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, Any], prefix: str = "") -> Filter:
        """Inverse of :meth:`to_params`; unknown keys are ignored, malformed values raise ValueError."""
        kwargs: dict[str, Any] = {}
        for name, key in cls._PARAM_KEYS.items():
            key = prefix + key
            if key not in params:
                continue
            value = params[key]
            if isinstance(value, list) and name not in ("countries", "topics", "sources", "entities", "languages"):
                value = value[-1] if value else ""
            if name == "unique":
                value = str(value).lower() in ("1", "true", "yes", "on")
            kwargs[name] = value
        return cls(**kwargs)

    def describe(self, names: FilterNames | None = None) -> str:
        """The filter as a person would say it, for captions, chart subtitles, exports and report manifests:
        'about North Korea · topic "won · market · shares" · mentioning Lee Jae Myung · text "special counsel"'.
        ``names`` supplies country, topic and entity names (``analysis.slices.filter_names``); without it ids
        are shown. Ids stay in the URL and the manifest's machine part (``to_params``).
        """
        n = names or FilterNames()
        parts = []
        if self.countries:
            about = " or ".join(n.countries.get(c) or c for c in self.countries)
            parts.append(f"about {about}" + (f" (weight ≥ {self.min_country_weight:g})"
                                              if self.min_country_weight != ABOUT_DEFAULT else ""))
        elif self.min_country_weight != ABOUT_DEFAULT:
            parts.append(f"countries at weight ≥ {self.min_country_weight:g}")
        if self.topics:
            named = [f'"{n.topics[t]}"' if n.topics.get(t) else f"#{t}" for t in self.topics]
            parts.append(("topic " if len(named) == 1 else "topics ") + " or ".join(named))
        if self.sources:
            parts.append("from " + " or ".join(self.sources))
        if self.entities:
            parts.append("mentioning " + " and ".join(n.entities.get(e) or _entity_fallback(e)
                                                      for e in self.entities))
        if self.since and self.until:
            parts.append(f"{self.since:%b %-d, %Y} to {self.until:%b %-d, %Y}")
        elif self.since:
            parts.append(f"since {self.since:%b %-d, %Y}")
        elif self.until:
            parts.append(f"until {self.until:%b %-d, %Y}")
        if self.query:
            quoted = self.query.startswith('"') and self.query.endswith('"') and len(self.query) > 1
            parts.append(f"text {self.query}" if quoted else f'text "{self.query}"')
        if self.unique:
            parts.append("unique stories")
        if self.languages:
            parts.append("in " + " or ".join(self.languages))
        return " · ".join(parts) or "all articles"


def filter_slug(f: Filter) -> str:
    """A file-name part for exports under ``f``: "about-KP-2025-12-26..2026-01-06", "topic-3", "" for no filter
    (so files of the same chart under different filters do not overwrite each other)."""
    parts = []
    if f.countries:
        parts.append("about-" + "-".join(f.countries))
    if f.topics:
        parts.append("topic-" + "-".join(map(str, f.topics)))
    if f.sources:
        parts.append("from-" + "-".join(f.sources))
    if f.entities:
        parts.append("with-" + "-".join(e.split(":", 1)[-1] for e in f.entities))
    if f.since or f.until:
        parts.append(f"{f.since or ''}..{f.until or ''}")
    if f.query:
        parts.append("text-" + f.query)
    if f.languages:
        parts.append("lang-" + "-".join(f.languages))
    if f.unique:
        parts.append("unique")
    slug = "-".join(parts)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", slug).strip("-.")
    return re.sub(r"-{2,}", "-", slug)[:80].rstrip("-.")


@dataclass(frozen=True)
class FilterNames:
    """Display names for the ids a Filter holds: ISO2 -> country, topic id -> label, entity id -> name."""

    countries: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[int, str] = field(default_factory=dict)
    entities: Mapping[str, str] = field(default_factory=dict)


def _entity_fallback(entity_id: str) -> str:
    """'PERSON:lee-jae-myung' -> 'Lee Jae Myung' when the store's name is not at hand."""
    slug = entity_id.split(":", 1)[-1]
    return " ".join(w.capitalize() for w in slug.replace("_", "-").split("-") if w) or entity_id
