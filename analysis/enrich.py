"""Enrichment: NER once per article, then mentions, countries, dated events and the sentences that hold them.

``enrich_frame(frame)`` is a pure function of its input rows (no corpus-level state), so running it per Dask
partition and concatenating gives the same result as one local run. Corpus-wide merging of name variants is
:func:`analysis.canonical.canonicalise`, run afterwards on the concatenated mentions.

Char offsets (``start``/``end`` in every table) refer to :func:`analysis.countries.doc_text`\\ ``(title, text)``:
the title, a blank line, then the body; sentence 0 is the title when there is one.
"""

from __future__ import annotations

import bisect
import datetime as dt
import multiprocessing.util
import os
import re
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.countries import COUNTRY_COLUMNS, countries_for_article, doc_text
from analysis.entities import KEEP_LABELS, MENTION_COLUMNS, name_and_reason, split_glued
from analysis.events import EVENT_COLUMNS, find_dates
from analysis.nlp import MAX_CHARS, load_nlp

SENTENCE_COLUMNS = ["uid", "sent", "start", "end"]
#: Mentions left out as junk (:func:`analysis.entities.name_and_reason`): counted in the build report, not stored.
DROP_COLUMNS = ["uid", "start", "end", "text", "label", "reason"]
#: Event rows carry the sentence text, truncated to this many characters.
SENTENCE_TEXT_MAX = 600

# A lone hard line break inside a paragraph (wire copy wraps at 70 columns) confuses NER; a space has the same length
# so offsets are unchanged. Only after a line of wrapping width: a short line is a headline or a section label pasted
# above the story ("N. Korea fires missile: JCS\nNorth Korea\nSEOUL, Jan. 4 (Yonhap) --"), and joining it would make
# one name of "JCS North Korea SEOUL".
_WRAP_RE = re.compile(r"(?<=\S)\n(?=\S)")
#: A line at least this long before a lone line break is wrapped text, joined for NER.
WRAPPED_LINE_MIN = 40


def ner_input(full: str) -> tuple[str, list[int] | None]:
    """The text NER reads for :func:`analysis.countries.doc_text` ``full``: wrapped lines joined (same length) and
    glued words split ("respectedKim Jong Un" -> "respected Kim Jong Un", see
    :func:`analysis.entities.split_glued`), with the map back to offsets in ``full`` (None when unchanged)."""
    return split_glued(_WRAP_RE.sub(lambda m: " " if _line_length_before(full, m.start()) >= WRAPPED_LINE_MIN
                                    else "\n", full))


def _line_length_before(text: str, pos: int) -> int:
    return pos - (text.rfind("\n", 0, pos) + 1)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass
class Enrichment:
    """What :func:`enrich_frame` returns; DataFrames with the columns of docs/CONTRACTS.md ("Enrichment").

    - ``mentions``: uid, sent, start, end, text, label, name
    - ``countries``: uid, iso2, weight, mentions, evidence (JSON), dateline
    - ``events``: uid, sent, sentence, expression, start, end, granularity, resolved, anchor
    - ``sentences``: uid, sent, start, end (only sentences holding a mention or an event)
    - ``drops``: uid, start, end, text, label, reason: the entity mentions left out as junk (reason as
      :func:`analysis.entities.name_and_reason` gives it), for the build report's count; not stored
    """

    mentions: pd.DataFrame = field(default_factory=lambda: _empty(MENTION_COLUMNS))
    countries: pd.DataFrame = field(default_factory=lambda: _empty(COUNTRY_COLUMNS))
    events: pd.DataFrame = field(default_factory=lambda: _empty(EVENT_COLUMNS))
    sentences: pd.DataFrame = field(default_factory=lambda: _empty(SENTENCE_COLUMNS))
    drops: pd.DataFrame = field(default_factory=lambda: _empty(DROP_COLUMNS))

    @classmethod
    def concat(cls, parts: list[Enrichment]) -> Enrichment:
        """Concatenate partition results (order kept) into one Enrichment."""
        parts = list(parts)
        if not parts:
            return cls()
        return cls(**{name: pd.concat([getattr(p, name) for p in parts], ignore_index=True)
                      for name in ("mentions", "countries", "events", "sentences", "drops")})


def _as_date(v) -> dt.date | None:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        ts = pd.Timestamp(v)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts.date()


_NOT_NAME = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
             "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
             "The", "A", "An", "And", "But", "In", "On", "At", "Of", "For", "To", "He", "She", "It", "They", "We", "I"}


def _title_cased(title: str) -> bool:
    """A headline in title case ("Kim Jong Un Inspects Farm"): most of its words start with a capital."""
    words = [w for w in title.split() if w[:1].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _extend_person(doc, ent) -> int:
    """End char of a PERSON span extended over up to two following name tokens the model cut off
    ("Yoon Suk" + "Yeol's" -> "Yoon Suk Yeol"); only inside a sentence and only for title-case words."""
    end = ent.end
    for _ in range(2):
        if end >= len(doc) or doc[end - 1].whitespace_ != " ":
            break
        tok = doc[end]
        if not (tok.is_title and tok.is_alpha) or tok.ent_type_ or tok.is_sent_start or tok.text in _NOT_NAME:
            break
        end += 1
    return doc[end - 1].idx + len(doc[end - 1].text) if end > ent.end else ent.end_char


def _split_title(bounds: list[tuple[int, int]], title_len: int) -> list[tuple[int, int]]:
    """Make the title its own sentence (sentence 0) when the splitter ran it into the first body sentence."""
    if not title_len:
        return bounds
    out = []
    for s, e in bounds:
        if s < title_len < e and e > title_len + 2:
            out.append((s, title_len))
            out.append((title_len + 2, e))
        else:
            out.append((s, e))
    return out


class _WorkersDieWithParent:
    """While an instance is alive (multiprocessing holds it weakly), every worker process multiprocessing starts asks
    the kernel to SIGKILL it when the process that started it dies (Linux ``PR_SET_PDEATHSIG``). Without it, a build
    killed by SIGKILL (the OOM killer) left its spaCy workers running as orphans, holding memory and the private
    copy of the store."""

    def __init__(self) -> None:
        self.parent_pid = os.getpid()
        if sys.platform.startswith("linux"):
            multiprocessing.util.register_after_fork(self, _die_with_parent)


def _die_with_parent(token: _WorkersDieWithParent) -> None:
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not available (no prctl): the worker still ends when its input queue closes in an orderly exit
    if os.getppid() != token.parent_pid:  # the parent died before the request took effect
        os._exit(1)


def enrich_frame(frame: pd.DataFrame, nlp=None, n_process: int = 1, batch_size: int = 64) -> Enrichment:
    """Run NER over ``frame`` (columns ``uid:int, title:str, text:str, date:date|None``) and extract everything.

    ``nlp``: a loaded pipeline (default :func:`analysis.nlp.load_nlp`). ``n_process`` > 1 forks spaCy workers.
    Returns an :class:`Enrichment`; deterministic for a given input.
    """
    dates = frame["date"] if "date" in frame else [None] * len(frame)
    rows = zip(frame["uid"], frame["title"], frame["text"], dates, strict=True)
    return enrich_rows(rows, nlp=nlp, n_process=n_process, batch_size=batch_size)


def enrich_rows(rows: Iterable[tuple], nlp=None, n_process: int = 1, batch_size: int = 64,
                on_doc: Callable[[int], None] | None = None) -> Enrichment:
    """:func:`enrich_frame` over ``(uid, title, text, date)`` tuples read lazily, so one call (one pool of spaCy
    workers) can cover a whole build while the caller reads its articles chunk by chunk.

    ``on_doc(n)`` is called after each article with the number done so far (progress reports); the result is the
    same as :func:`enrich_frame` over the same rows.
    """
    nlp = nlp or load_nlp()

    # What each text's results need besides its Doc, in input order. spaCy yields Docs in input order and reads
    # its input ahead of its output, so the queue holds only the texts in flight. (``as_tuples=True`` would tokenise
    # in this process and ship every context to the workers.)
    pending: deque[tuple] = deque()

    def ner_texts():
        for uid, title, text, date in rows:
            title = "" if title is None or title != title else str(title)
            text = "" if text is None or text != text else str(text)
            full = doc_text(title, text)[:MAX_CHARS]
            ner_text, orig = ner_input(full)
            pending.append((int(uid), title, text, _as_date(date), full, orig))
            yield ner_text

    men, cou, eve, sen, drops = [], [], [], [], []
    workers_die_with_us = _WorkersDieWithParent() if n_process > 1 else None  # spaCy forks when it starts piping
    for k, doc in enumerate(nlp.pipe(ner_texts(), batch_size=batch_size, n_process=n_process), 1):
        uid, title, text, date, full, orig = pending.popleft()
        at = (lambda i: i) if orig is None else orig.__getitem__  # NER offset -> offset in full

        def end_at(i: int, at=at) -> int:
            return at(i - 1) + 1 if i else 0

        title_end = len(title.strip())
        title_case = _title_cased(title)
        sent_bounds = _split_title([(at(s.start_char), end_at(s.end_char)) for s in doc.sents], title_end)
        sstarts = [b[0] for b in sent_bounds]
        used: set[int] = set()
        spans, date_spans = [], []
        for e in doc.ents:
            lab = e.label_
            start = at(e.start_char)
            if lab == "DATE":
                date_spans.append((start, end_at(e.end_char)))
                continue
            if lab not in KEEP_LABELS:
                continue
            # in a title-case headline every word looks like a name: "Kim Jong Un" is not extended to "... Inspects"
            extend = lab == "PERSON" and not (e.start_char < title_end and title_case)
            end_char = end_at(_extend_person(doc, e) if extend else e.end_char)
            spans.append((start, end_char, lab))
            name, why = name_and_reason(full[start:end_char], lab)
            if not name:
                drops.append((uid, start, end_char, full[start:end_char], lab, why))
                continue
            si = bisect.bisect_right(sstarts, start) - 1
            used.add(si)
            men.append((uid, si, start, end_char, full[start:end_char], lab, name))
        cou.extend(countries_for_article(title, text, spans, dateline=True, uid=uid))
        for r in find_dates(full, date, date_spans):
            si = bisect.bisect_right(sstarts, r.start_char) - 1
            used.add(si)
            s0, s1 = sent_bounds[si] if si >= 0 else (0, len(full))
            sentence = " ".join(full[s0:s1].split())[:SENTENCE_TEXT_MAX]
            eve.append((uid, si, sentence, r.expression, r.start, r.end, r.granularity, r.resolved, r.anchor))
        for si in sorted(used):
            if si >= 0:
                sen.append((uid, si, *sent_bounds[si]))
        if on_doc is not None:
            on_doc(k)
    del workers_die_with_us
    out = Enrichment(
        mentions=pd.DataFrame(men, columns=MENTION_COLUMNS) if men else _empty(MENTION_COLUMNS),
        countries=pd.DataFrame(cou, columns=COUNTRY_COLUMNS) if cou else _empty(COUNTRY_COLUMNS),
        events=pd.DataFrame(eve, columns=EVENT_COLUMNS) if eve else _empty(EVENT_COLUMNS),
        sentences=pd.DataFrame(sen, columns=SENTENCE_COLUMNS) if sen else _empty(SENTENCE_COLUMNS),
        drops=pd.DataFrame(drops, columns=DROP_COLUMNS) if drops else _empty(DROP_COLUMNS),
    )
    return out
