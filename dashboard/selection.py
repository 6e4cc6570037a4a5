"""What a selection of chart points means: customdata -> a narrowed Filter (or a list of articles) and its words.

Pure Python, no Streamlit: the widgets (:mod:`dashboard.components`) read the points the browser sends back and call
:func:`drill`. Which customdata position holds which field is declared once per chart in the catalog
(``analysis.catalog.VIEWS[name].point`` and ``.drill``), next to the builder that writes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from analysis import catalog
from analysis.filters import Filter
from analysis.periods import period_end
from analysis.slices import country_name


def country_label(iso2: str) -> str:
    """"South Korea (KR)"; the code alone when it has no name."""
    name = country_name(iso2)
    return f"{name} ({iso2})" if name != iso2 else iso2


def selection_delta(f: Filter, narrowed: Filter) -> Filter:
    """The part of ``narrowed`` that a selection added to ``f`` (for saying what was selected)."""
    return Filter(**{fld.name: getattr(narrowed, fld.name) for fld in dataclasses.fields(Filter)
                     if getattr(narrowed, fld.name) != getattr(f, fld.name)})


def selection_values(points: Sequence[dict[str, Any]], position: int) -> list[Any]:
    """Distinct ``customdata[position]`` of selected points, in selection order (points without it skipped)."""
    out = []
    for point in points or []:
        cd = point.get("customdata")
        if isinstance(cd, (list, tuple)) and len(cd) > position and cd[position] not in (None, ""):
            out.append(cd[position])
    return list(dict.fromkeys(out))


def selectable(view_name: str) -> bool:
    """Whether selecting points of view ``view_name`` means something (its catalog entry declares drill fields)."""
    view = catalog.VIEWS.get(view_name)
    return view is not None and bool(view.drill)


def drill(view_name: str, f: Filter, points: Sequence[dict[str, Any]], freq: str = "month"
          ) -> tuple[Filter | None, list[int], str]:
    """What a chart selection means: ``(narrowed filter, [], description)`` or ``(None, uids, description)`` for
    views whose points are articles; ``(None, [], "")`` when nothing usable was selected.

    >>> drill("country_bar", Filter(), [{"customdata": ["KR", "South Korea", 3, 0.9]}])[0]
    Filter(countries=('KR',))
    """
    view = catalog.VIEWS.get(view_name)
    out = f
    parts = []
    for position, field in (view.drill_positions() if view is not None else []):
        values = selection_values(points, position)
        if not values:
            continue
        if field == "uid":
            uids = [int(v) for v in values]
            return None, uids, f"{len(uids)} selected article{'s' if len(uids) != 1 else ''}"
        if field == "iso2":
            out = out.replace(countries=tuple(str(v) for v in values))
            parts.append("countries " + ", ".join(country_label(str(v)) for v in values))
        elif field == "entity_id":
            out = out.replace(entities=tuple(dict.fromkeys(out.entities + tuple(str(v) for v in values))))
            parts.append("mentioning " + " and ".join(str(v) for v in values))
        elif field == "topic_id":
            out = out.replace(topics=tuple(int(v) for v in values))
            parts.append("topics " + ", ".join(f"#{int(v)}" for v in values))
        elif field == "term":
            terms = [html.unescape(str(v)) for v in values]
            quoted = " ".join(f'"{t}"' if " " in t else t for t in terms)
            out = out.replace(query=f"{out.query} {quoted}".strip())
            parts.append("containing " + " and ".join(terms))
        elif field == "period":
            try:
                starts = [dt.date.fromisoformat(str(v)[:10]) for v in values]
            except ValueError:
                continue
            since, until = min(starts), max(period_end(s, freq) for s in starts)
            since = max(since, f.since) if f.since else since
            until = min(until, f.until) if f.until else until
            if since > until:
                continue
            out = out.replace(since=since, until=until)
            parts.append(f"{since} to {until}")
    if not parts:
        return None, [], ""
    return out, [], "; ".join(parts)
