"""One Filter value object shared by the CLI, the store queries and the dashboard.

A Filter is immutable and hashable (so it can key caches), round-trips through URL query parameters
(``to_params`` / ``from_params``) and CLI arguments, and is turned into SQL only by :mod:`analysis.store`,
always with bound parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

MAX_QUERY_LENGTH = 500


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
    min_country_weight: how central the country must be, 0..1 (0 = mentioned at all).
    topics: topic ids (any of them). sources: source names (any). entities: canonical entity ids (all of them).
    since / until: inclusive calendar days; a date bound leaves undated articles out.
    query: full-text words, all of which must appear (case-insensitive) in title or text.
    unique: only one article per story (near-duplicate group).
    languages: article language codes such as "en", "es" (any of them).

    >>> Filter.from_params({"country": "KR,CN", "since": "2023-01-01"}).countries
    ('KR', 'CN')
    """

    countries: tuple[str, ...] = ()
    min_country_weight: float = 0.0
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
        object.__setattr__(self, "topics", _tuple(self.topics, int))
        object.__setattr__(self, "sources", _tuple(self.sources))
        object.__setattr__(self, "entities", _tuple(self.entities))
        object.__setattr__(self, "since", _date(self.since))
        object.__setattr__(self, "until", _date(self.until))
        object.__setattr__(self, "query", str(self.query or "").strip()[:MAX_QUERY_LENGTH])
        object.__setattr__(self, "min_country_weight", float(self.min_country_weight or 0.0))
        object.__setattr__(self, "unique", bool(self.unique))
        object.__setattr__(self, "languages", tuple(x.lower() for x in _tuple(self.languages)))
        if not 0.0 <= self.min_country_weight <= 1.0:
            raise ValueError("min_country_weight must be between 0 and 1")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")

    @property
    def is_empty(self) -> bool:
        return self == Filter()

    def replace(self, **changes: Any) -> "Filter":
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
    def from_params(cls, params: Mapping[str, Any], prefix: str = "") -> "Filter":
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

    def describe(self) -> str:
        """Short human-readable summary, e.g. for report manifests and chart subtitles."""
        parts = []
        if self.countries:
            parts.append("countries " + ", ".join(self.countries))
        if self.min_country_weight:
            parts.append(f"about ≥ {self.min_country_weight:g}")
        if self.topics:
            parts.append("topics " + ", ".join(map(str, self.topics)))
        if self.sources:
            parts.append("sources " + ", ".join(self.sources))
        if self.entities:
            parts.append("entities " + ", ".join(self.entities))
        if self.since or self.until:
            parts.append(f"{self.since or '…'} to {self.until or '…'}")
        if self.query:
            parts.append(f'text "{self.query}"')
        if self.unique:
            parts.append("unique stories")
        if self.languages:
            parts.append("languages " + ", ".join(self.languages))
        return "; ".join(parts) or "all articles"
