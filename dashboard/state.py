"""Filter <-> st.session_state <-> st.query_params, and the global sidebar.

One :class:`~analysis.filters.Filter` (slice A) lives in the sidebar of every page; the Compare page edits a second
one (slice B). Each is kept as a canonical Filter in session state (``nl_filter_a`` / ``nl_filter_b``), mirrored
into widget keys (``flt_*`` / ``flt_b_*``) and into the URL (A unprefixed, B under ``b_``), so filters survive page
switches and a copied link reopens the same view. The URL is read once per session (the first run); after that
session state is the source of truth and the URL follows it.

The codec is two pure functions, :func:`filter_to_query` and :func:`filter_from_query`, unit-tested without
Streamlit. Invalid URL values are dropped one by one with a warning, never a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from analysis.filters import ABOUT_DEFAULT, Filter
from dashboard.selection import country_label
from dashboard.text import safe_markdown

PREFIX_A = ""
PREFIX_B = "b_"
WIDGET_A = "flt_"
WIDGET_B = "flt_b_"
_CANON = {PREFIX_A: "nl_filter_a", PREFIX_B: "nl_filter_b"}
_FIELDS_TO_KEYS = dict(Filter._PARAM_KEYS)  # field name -> URL key (unprefixed)
WIDGET_FIELDS = ("dates", "countries", "about", "topics", "sources", "entity_search", "entities", "query", "unique",
                 "languages")


# ------------------------------------------------------------------------------------------------ pure codec
def filter_to_query(f: Filter, prefix: str = PREFIX_A) -> dict[str, str]:
    """``f`` as URL query parameters (only non-default fields), keys prefixed with ``prefix``.

    >>> filter_to_query(Filter(countries=("KR",)))
    {'country': 'KR'}
    """
    return f.to_params(prefix)


def filter_keys(prefix: str = PREFIX_A) -> list[str]:
    """Every URL key a filter with this prefix may use (so stale ones can be removed)."""
    return [prefix + key for key in _FIELDS_TO_KEYS.values()]


def filter_from_query(params: Mapping[str, Any], prefix: str = PREFIX_A) -> tuple[Filter, list[str]]:
    """Parse a Filter from query parameters; returns ``(filter, warnings)``.

    Values that do not parse (a bad date, a non-numeric topic, ``about`` outside 0..1, since after until, country
    codes that are not two letters) are dropped with one warning each; everything else is kept.
    Keys of other prefixes are ignored (Filter keys have no underscore, so ``b_country`` never reads as A).
    Example: ``filter_from_query({"country": "kr", "since": "nope"})`` gives ``Filter(countries=("KR",))`` and one
    warning about ``since``.
    """
    present = {name: key for name, key in _FIELDS_TO_KEYS.items() if prefix + key in params}
    if not present:
        return Filter(), []
    plain = {prefix + key: _single(params[prefix + key]) for key in present.values()}
    try:
        return Filter.from_params(plain, prefix), []
    except (ValueError, TypeError):
        pass
    warnings: list[str] = []
    kept: dict[str, str] = {}
    for name, key in present.items():
        full = prefix + key
        value = plain[full]
        try:
            candidate = Filter.from_params({full: value}, prefix)
            if name == "countries":
                bad = [c for c in candidate.countries if not (len(c) == 2 and c.isalpha())]
                if bad:
                    good = [c for c in candidate.countries if c not in bad]
                    warnings.append(f"Ignored {full}={','.join(bad)}: not a two-letter country code")
                    if not good:
                        continue
                    value = ",".join(good)
        except (ValueError, TypeError) as exc:
            warnings.append(f"Ignored {full}={value}: {exc}")
            continue
        kept[full] = value
    try:
        return Filter.from_params(kept, prefix), warnings
    except (ValueError, TypeError) as exc:  # only cross-field problems remain: since after until
        kept.pop(prefix + "since", None)
        kept.pop(prefix + "until", None)
        warnings.append(f"Ignored the date range: {exc}")
        return Filter.from_params(kept, prefix), warnings


def _single(value: Any) -> str:
    """Query values may arrive as lists (repeated keys): keep the last one, as text."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


# ------------------------------------------------------------------------------------------------ session state
def current_filter(prefix: str = PREFIX_A) -> Filter:
    """The filter of slice A (``prefix=""``) or B (``"b_"``) for this session (default: no filter)."""
    return st.session_state.get(_CANON[prefix], Filter())


def set_filter(f: Filter, prefix: str = PREFIX_A) -> None:
    """Replace a slice's filter; widgets re-seed from it and the URL follows on the next run."""
    st.session_state[_CANON[prefix]] = f
    widget = WIDGET_A if prefix == PREFIX_A else WIDGET_B
    for name in WIDGET_FIELDS:
        st.session_state.pop(widget + name, None)


def init_from_url() -> None:
    """First run of a session: read A and B from ``st.query_params`` (warnings shown once in the sidebar)."""
    if "nl_initialised" in st.session_state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params.keys()}
    warnings: list[str] = []
    for prefix in (PREFIX_A, PREFIX_B):
        f, warn = filter_from_query(params, prefix)
        st.session_state[_CANON[prefix]] = f
        warnings += warn
    st.session_state["nl_url_warnings"] = warnings
    st.session_state["nl_initialised"] = True


def sync_url() -> None:
    """Write both slices' filters into ``st.query_params`` (only keys that changed; other params left alone)."""
    for prefix in (PREFIX_A, PREFIX_B):
        wanted = filter_to_query(current_filter(prefix), prefix)
        for key in filter_keys(prefix):
            if key in wanted:
                if st.query_params.get(key) != wanted[key]:
                    st.query_params[key] = wanted[key]
            elif key in st.query_params:
                del st.query_params[key]


# ------------------------------------------------------------------------------------------------ widgets
def _seed(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _date_bounds(store, f: Filter) -> tuple[dt.date, dt.date] | None:
    from dashboard import data

    lo, hi = data.call(store, "date_range") if store is not None else (None, None)
    if lo is None or hi is None:
        return None
    lo = min(lo, f.since) if f.since else lo
    hi = max(hi, f.until) if f.until else hi
    return lo, hi


#: entities offered in the sidebar's dropdown without a search (the search box reaches all of them)
ENTITY_OPTIONS = 500


def _clamp_dates(key: str, bounds: tuple[dt.date, dt.date]) -> None:
    """Keep the date widget's value inside the store's range: the range shrinks when a previous version is restored
    or the store is set aside and rebuilt, and a value outside it is a StreamlitValueAboveMaxError."""
    value = st.session_state.get(key)
    if isinstance(value, (tuple, list)) and any(d is not None and not bounds[0] <= d <= bounds[1] for d in value):
        st.session_state[key] = tuple(min(max(d, bounds[0]), bounds[1]) for d in value if d is not None)


def filter_widgets(store, prefix: str = PREFIX_A, container=None) -> Filter:
    """Render the filter widgets of a slice into ``container`` and return the Filter they describe.

    Widget keys are ``flt_<field>`` (A) or ``flt_b_<field>`` (B); they are seeded from the slice's canonical Filter
    when absent (first run, after a reset, or when the Compare page is opened again), so no widget gets both a
    default and a session-state value.
    """
    from dashboard import data

    c = container if container is not None else st
    w = WIDGET_A if prefix == PREFIX_A else WIDGET_B
    f = current_filter(prefix)

    # dates: the full stored range means "no date bound" (so undated articles stay in)
    bounds = _date_bounds(store, f)
    since = until = None
    if bounds:
        _seed(w + "dates", (f.since or bounds[0], f.until or bounds[1]))
        _clamp_dates(w + "dates", bounds)
        value = c.date_input("Dates", key=w + "dates", min_value=bounds[0], max_value=bounds[1],
                             help="Publication dates (inclusive). Setting a range leaves undated articles out.")
        if isinstance(value, (tuple, list)) and len(value) == 2:
            # an end left at the stored bound is no bound: it would only drop undated articles
            since = None if value[0] == bounds[0] else value[0]
            until = None if value[1] == bounds[1] else value[1]
        elif isinstance(value, (tuple, list)) and len(value) == 1:
            since = value[0]  # the user has picked the start; the end comes next
        if since or until:  # a date range leaves undated articles out: say how many, next to the filter
            undated = data.count(store, f.replace(since=None, until=None))["undated"]
            if undated:
                c.caption(f"{undated:,} undated article{'s' if undated != 1 else ''} left out by the date range.")
    else:
        c.caption("Dates: no dated articles in this store.")

    # countries
    country_frame = data.call(store, "countries", Filter()) if store is not None else None
    options = list(country_frame["iso2"]) if country_frame is not None else []
    options += [code for code in f.countries if code not in options]
    _seed(w + "countries", list(f.countries))
    countries = c.multiselect("Countries", options, key=w + "countries", format_func=country_label,
                              placeholder="Any country", help="Articles about any of these countries.")
    _seed(w + "about", float(f.min_country_weight))
    about = c.slider("About strength", 0.0, 1.0, step=0.05, key=w + "about",
                     help=f"How central a country must be to count as what an article is about (default "
                          f"{ABOUT_DEFAULT:g}, the same as the CLI and exports): 0 = mentioned at all, 1 = the main "
                          "subject.")

    # topics
    topic_frame = data.call(store, "topics") if store is not None else None
    topic_labels = {}
    if topic_frame is not None and not topic_frame.empty:
        topic_labels = {int(t): f"#{int(t)} {label}" for t, label in zip(topic_frame["topic_id"], topic_frame["label"])
                        if int(t) >= 0}
    topic_options = list(topic_labels) + [t for t in f.topics if t not in topic_labels]
    _seed(w + "topics", list(f.topics))
    if topic_options:
        topics = c.multiselect("Topics", topic_options, key=w + "topics",
                               format_func=lambda t: topic_labels.get(t, f"#{t}"), placeholder="Any topic")
    else:
        topics = []
        c.caption("Topics: none in this store yet.")

    # sources
    source_frame = data.call(store, "sources") if store is not None else None
    source_options = list(source_frame["source"]) if source_frame is not None else []
    source_options += [s for s in f.sources if s not in source_options]
    _seed(w + "sources", list(f.sources))
    sources = c.multiselect("Sources", source_options, key=w + "sources", placeholder="Any source")

    # languages: shown once the store holds more than one (or the filter already names one)
    language_frame = data.call(store, "languages") if store is not None else None
    language_options = list(language_frame["language"]) if language_frame is not None else []
    language_options += [x for x in f.languages if x not in language_options]
    languages = list(f.languages)
    if len(language_options) > 1 or f.languages:
        _seed(w + "languages", list(f.languages))
        languages = c.multiselect("Languages", language_options, key=w + "languages", placeholder="Any language",
                                  help="Articles not in English are kept and shown, but have no entities, keywords "
                                       "or topics (English models).")

    # entities: a search box narrows the options of the multiselect (the catalog can be large)
    _seed(w + "entity_search", "")
    search = c.text_input("Find entities", key=w + "entity_search", placeholder="e.g. Lee, Samsung",
                          help="Search names and aliases; pick below. Articles must mention all picked entities.")
    # the top entities and every match of the search box: with no search, the dropdown's own filter reaches the
    # top ENTITY_OPTIONS; the box reaches every entity (the caption says how many there are)
    catalog = data.call(store, "entity_catalog", search.strip(), limit=ENTITY_OPTIONS) if store is not None else None
    names = dict(zip(catalog["entity_id"], catalog["name"])) if catalog is not None and not catalog.empty else {}
    selected_now = list(st.session_state.get(w + "entities", list(f.entities)))
    missing = [e for e in set(selected_now) | set(f.entities) if e not in names]
    if missing and store is not None:
        names.update(data.call(store, "entity_names", tuple(sorted(missing))))
    entity_options = list(dict.fromkeys(list(f.entities) + selected_now + list(names)))
    _seed(w + "entities", list(f.entities))
    # no "Select all": entities are ANDed, so selecting every option matches no article
    entities = c.multiselect("Entities", entity_options, key=w + "entities", select_all=False,
                             format_func=lambda e: names.get(e, e), placeholder="Any entity")
    total = data.stats(store).get("entities", 0) if store is not None and not search.strip() else 0
    if total > len(names):
        c.caption(f"{len(names):,} most frequent of {total:,} entities listed; find any other above.")

    _seed(w + "query", f.query)
    query = c.text_input("Text contains", key=w + "query", placeholder='words or "a phrase"',
                         help="All words must appear in the title or text (case-insensitive).")
    _seed(w + "unique", bool(f.unique))
    unique = c.toggle("Unique stories only", key=w + "unique", help="One article per near-duplicate group.")

    try:
        new = Filter(countries=tuple(countries), min_country_weight=about, topics=tuple(topics),
                     sources=tuple(sources), entities=tuple(entities), since=since, until=until, query=query,
                     unique=unique, languages=tuple(languages))
    except ValueError as exc:
        c.warning(f"Filter not applied: {safe_markdown(exc)}")
        new = f
    st.session_state[_CANON[prefix]] = new
    return new


def _reset(prefix: str) -> None:
    """Button callback: clear a slice's filter and its widgets (they re-seed with defaults)."""
    set_filter(Filter(), prefix)


def reset_button(prefix: str = PREFIX_A, container=None, key: str | None = None) -> None:
    c = container if container is not None else st
    c.button("Reset filters", key=key or f"{WIDGET_A if prefix == PREFIX_A else WIDGET_B}reset", on_click=_reset,
             args=(prefix,), icon=":material/restart_alt:")


def sidebar(store) -> Filter:
    """The global sidebar, same on every page: slice A's filters + reset. Returns slice A's Filter."""
    init_from_url()
    with st.sidebar:
        st.subheader("Filters")
        for message in st.session_state.pop("nl_url_warnings", []):
            st.warning(safe_markdown(message), icon=":material/link_off:")
        f = filter_widgets(store, PREFIX_A)
        reset_button(PREFIX_A)
        if store is not None:
            from dashboard import data

            st.caption(f"Store: {safe_markdown(data.store_path().name)} · version {int(data.stats(store)['version'])}")
    sync_url()
    return f
