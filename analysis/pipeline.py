"""build(sources, store): ingest -> dedupe -> enrich -> count terms -> topics -> persist, incrementally.

Each step only touches articles it has not processed yet, so re-running on the same input changes nothing and
adding 1% new files costs about 1% of a full build (plus the corpus-wide steps, which work from stored counts).
Everything is written to a private copy of the store and swapped in atomically (see :func:`analysis.store.writer`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import store as store_mod
from analysis.ingest.boilerplate import MODEL_NAME as BOILERPLATE_MODEL
from analysis.ingest.notes import Skipped
from analysis.model import Article, Rejection

#: progress(stage, done, total): called often; total may be 0 when unknown.
Progress = Callable[[str, int, int], None]

ENRICH_BATCH = 256


@dataclass
class BuildOptions:
    """Settings of one build. ``n_process`` spaCy processes (2 uses both cores); ``workers``/``scheduler`` run the
    per-article work on a Dask cluster instead; ``refit_topics`` refits topics explicitly (ids are matched to the
    old topics); ``n_topics`` is "auto" or a number; ``column_map`` maps the input's column names to ours;
    ``embeddings=False`` skips the article vectors and fits today's TF-IDF topics instead of the semantic ones."""

    enrich: bool = True
    topics: bool = True
    n_process: int = 0  # 0 = automatic
    batch_size: int = 64
    refit_topics: bool = False
    n_topics: int | str = "auto"
    random_state: int = 0
    column_map: dict[str, str] | None = None
    workers: int | None = None
    scheduler: str | None = None
    entity_overrides: str | None = None
    #: read only files that resolve inside this folder (the dashboard's NEWSLENS_FOLDER_ROOT); others are rejected
    folder_root: str | Path | None = None
    embeddings: bool = True
    #: the origin stored and shown for each source path's records, e.g. the Data page's uploads: the server's
    #: temporary path -> the name the visitor gave ("a.txt"); a member or record keeps its suffix ("a.zip!x/b.txt",
    #: "a.csv:line 3"). Ids are still made from the paths, so they stay unique and stable.
    origin_names: dict[str, str] | None = None


#: Examples kept per warning kind (the count is always complete).
MAX_EXAMPLES = 5
#: Above this share of undated articles among those added, the build warns and says why.
UNDATED_WARN_SHARE = 0.2


@dataclass
class BuildReport:
    """What a build did. ``rejected`` holds one line per bad file/record with the reason.

    ``warnings`` counts every repair, guess or loss by kind: ``{kind: {"label", "remedy", "severity", "count",
    "examples": [{"where", "detail"}, ...]}}`` (first ``MAX_EXAMPLES``); add to it with :meth:`warn`. Kinds are
    registered in ``analysis.ingest.notes.NOTE_KINDS`` (an unregistered kind still counts, as a warning).
    ``severity`` "warning" kinds make ``build --strict`` exit 1; "info" kinds are only counted. ``languages`` and
    ``date_sources`` count the added or updated articles.
    """

    version: int = 0
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    removed: int = 0
    undated: int = 0
    rejected: list[str] = field(default_factory=list)
    articles: int = 0
    stories: int = 0
    enriched: int = 0
    counted: int = 0
    topics: int = 0
    topics_refit: bool = False
    topics_note: str = ""  # how a degenerate corpus was handled ("no topics: ...", "one topic"), shown in summary
    embedded: int = 0
    embedding_model: str = ""
    embedding_notes: list[str] = field(default_factory=list)
    topic_notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    words: int = 0
    #: articles whose title/text/source/url/author held invisible format characters (removed; raw_text keeps them)
    format_chars: int = 0
    format_examples: list[str] = field(default_factory=list)  # the first few, as "origin (n characters)"
    warnings: dict[str, dict[str, Any]] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    date_sources: dict[str, int] = field(default_factory=dict)

    def warn(self, kind: str, where: str | None, detail: str = "", remedy: str | None = None, *,
             label: str | None = None, severity: str | None = None, count: int = 1, reason: str | None = None) -> None:
        """Count one (or ``count``) occurrence of ``kind`` at ``where`` (file and line/record; None: counted without
        an example); with ``reason``, also per reason (the entry's ``by``: ``{reason: count}``, shown after the
        label: "(address 12, wire tag 9)")."""
        from analysis.ingest.notes import note_kind

        entry = self.warnings.get(kind)
        if entry is None:
            known = note_kind(kind)
            entry = self.warnings[kind] = {"label": label or known.label, "remedy": remedy or known.remedy,
                                           "severity": severity or known.severity, "count": 0, "examples": []}
        entry["count"] += count
        if reason is not None:
            by = entry.setdefault("by", {})
            by[reason] = by.get(reason, 0) + count
        if len(entry["examples"]) < MAX_EXAMPLES and where is not None:
            entry["examples"].append({"where": where, "detail": detail})

    def warning_count(self, severity: str = "warning") -> int:
        """Occurrences of all kinds of this severity."""
        return sum(e["count"] for e in self.warnings.values() if e["severity"] == severity)

    def warning_rows(self) -> list[dict[str, Any]]:
        """One row per kind, most frequent first: severity, count, what, examples ("where: detail; ..."),
        what_to_do. For tables (the Data page); values are plain text."""
        rows = []
        for kind, e in sorted(self.warnings.items(), key=lambda ke: (ke[1]["severity"] != "warning", -ke[1]["count"])):
            examples = "; ".join(ex["where"] + (f": {ex['detail']}" if ex["detail"] else "") for ex in e["examples"])
            rows.append({"severity": e["severity"], "count": e["count"], "what": e["label"] + _by_reason(e),
                         "examples": examples,
                         "what_to_do": e["remedy"], "kind": kind})
        return rows

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"store version {self.version}: {self.articles} articles ({self.stories} unique stories)",
            f"read {self.read} records: added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"duplicates {self.duplicates}, removed {self.removed}, undated {self.undated} (of those added or "
            f"updated), rejected {len(self.rejected)}, warnings {self.warning_count()}",
        ]
        if self.enriched or self.counted:
            lines.append(f"enriched {self.enriched} articles, counted terms of {self.counted}; topics: {self.topics}"
                         + (" (refit)" if self.topics_refit else "")
                         + (f" ({self.topics_note})" if self.topics_note else ""))
        if self.embedded:
            lines.append(f"embedded {self.embedded} articles with {self.embedding_model}")
        for note in self.embedding_notes + self.topic_notes:
            lines.append(f"  {note}")
        if self.languages:
            lines.append("languages: " + ", ".join(f"{k} {v}" for k, v in sorted(self.languages.items(),
                                                                              key=lambda kv: -kv[1])))
        if self.date_sources:
            lines.append("dates from: " + ", ".join(f"{k} {v}" for k, v in sorted(self.date_sources.items(),
                                                                               key=lambda kv: -kv[1])))
        if self.timings:
            lines.append("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()))
        for severity, heading in (("warning", "warnings"), ("info", "notes")):
            kinds = [(k, e) for k, e in self.warnings.items() if e["severity"] == severity]
            if kinds:
                lines.append(f"{heading}:")
            for _kind, e in sorted(kinds, key=lambda ke: -ke[1]["count"]):
                lines.append(f"  {e['count']} x {e['label']}{_by_reason(e)}")
                for ex in e["examples"]:
                    lines.append(f"      e.g. {ex['where']}" + (f": {ex['detail']}" if ex["detail"] else ""))
                lines.append(f"      what to do: {e['remedy']}")
        if self.format_chars:
            lines.append(f"removed invisible format characters (bidi overrides, zero-width, soft hyphens) from "
                         f"{self.format_chars} articles (raw_text keeps them), e.g. "
                         + "; ".join(self.format_examples))
        for reason in self.rejected[:50]:
            lines.append(f"  rejected: {reason}")
        if len(self.rejected) > 50:
            lines.append(f"  ... and {len(self.rejected) - 50} more rejections")
        return "\n".join(lines)


def _by_reason(entry: dict[str, Any]) -> str:
    """" (address 12, wire tag 9)": a report entry's counts per reason, most frequent first ("" without any)."""
    by = entry.get("by") or {}
    return (" (" + ", ".join(f"{r} {n}" for r, n in sorted(by.items(), key=lambda rn: (-rn[1], rn[0]))) + ")"
            if by else "")


def record_hash(article: Article) -> str:
    """Hash of everything stored for one input record, to tell unchanged from changed inputs."""
    payload = json.dumps(
        [article.title, article.text, article.date and article.date.isoformat(), article.source, article.url,
         article.language],
        ensure_ascii=False,
    )
    return hashlib.blake2b(payload.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def build(sources: Sequence[str | Path], store_path: str | Path = store_mod.DEFAULT_STORE,
          options: BuildOptions | None = None, progress: Progress | None = None) -> BuildReport:
    """Ingest ``sources`` into the store at ``store_path`` and bring every analysis up to date.

    Returns a :class:`BuildReport`. Bad inputs are reported in ``report.rejected``, never raised; a failure of the
    build itself (disk full, a bug) raises and leaves the previous store untouched.
    """
    options = options or BuildOptions()
    progress = progress or (lambda stage, done, total: None)
    report = BuildReport()
    started = dt.datetime.now()
    with store_mod.writer(store_path) as w:
        report.version = w.version
        t0 = time.perf_counter()
        _ingest(w, sources, options, report, progress)
        report.timings["ingest"] = time.perf_counter() - t0
        if not (report.added or report.updated or report.removed or report.duplicates
                or (options.enrich and w.pending("enriched"))
                or w.pending("counted") or options.refit_topics or not w.has_builds()):
            # Same input as last time: leave the store exactly as it is (no new version).
            w.discard = True
            report.version = w.version - 1
            report.articles, report.stories, report.words = w.corpus_counts()
            report.timings["ingest"] = time.perf_counter() - t0
            return report
        t0 = time.perf_counter()
        _stories(w, report)
        report.timings["dedupe"] = time.perf_counter() - t0
        if options.enrich:
            t0 = time.perf_counter()
            _enrich(w, options, report, progress)
            report.timings["enrich"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        _count_terms(w, report, progress)
        report.timings["terms"] = time.perf_counter() - t0
        if options.topics and options.embeddings:
            t0 = time.perf_counter()
            _embed(w, report, progress)
            report.timings["embed"] = time.perf_counter() - t0
        if options.topics:
            t0 = time.perf_counter()
            _topics(w, options, report, progress)
            report.timings["topics"] = time.perf_counter() - t0
        report.articles, report.stories, report.words = w.corpus_counts()
        names = options.origin_names or {}
        w.record_build(started, [names.get(str(s), str(s)) for s in sources], report.to_dict())
    return report


# --------------------------------------------------------------------------------------------------------------
# steps


def _ingest(w: store_mod.StoreWriter, sources, options: BuildOptions, report: BuildReport, progress: Progress) -> None:
    from analysis.ingest import count_inputs
    from analysis.ingest.boilerplate import BoilerplateModel
    from analysis.ingest.dedupe import content_hash, story_key

    known = w.known_ids()
    by_hash = w.hash_to_uid()
    boilerplate = BoilerplateModel.from_bytes(w.model_payload(BOILERPLATE_MODEL))
    next_uid = w.next_uid()
    seen_ids: dict[str, str] = {}
    undated_why: Counter = Counter()
    undated_examples: list[str] = []
    new_rows: list[dict[str, Any]] = []
    id_rows: list[dict[str, Any]] = []
    root = Path(options.folder_root) if options.folder_root else None
    total_files = count_inputs(sources, root)
    files_done = 0

    def on_file(n: int = 1) -> None:
        nonlocal files_done
        files_done += n
        progress("read", files_done, total_files)

    shown = _shown_origins(options.origin_names)
    for item in _records(list(sources), options, on_file, root):
        if shown is not None:
            item = shown(item)
        if isinstance(item, Rejection):
            report.rejected.append(str(item))
            continue
        if isinstance(item, Skipped):  # a file left out on purpose (a sitemap among feeds): counted, not rejected
            report.warn(item.kind, item.where, item.detail)
            continue
        report.read += 1
        if item.meta.get("format_chars_removed"):
            report.format_chars += 1
            if len(report.format_examples) < 5:
                report.format_examples.append(f"{item.origin} ({item.meta['format_chars_removed']} characters)")
        if item.id in seen_ids:
            report.warn("duplicate_id", item.origin, f"id {item.id!r} first used by {seen_ids[item.id]}",
                        label="input id used twice in one build (the later record is rejected)",
                        remedy="give each input a unique id (e.g. put the files in differently named folders)")
            report.rejected.append(
                f"{item.origin}: id {item.id!r} already used by {seen_ids[item.id]} in this build; kept the first. "
                "Give each input a unique id (e.g. put the files in differently named folders)."
            )
            continue
        seen_ids[item.id] = item.origin
        rhash = record_hash(item)
        previous = known.get(item.id)
        if previous and previous[1] == rhash:
            report.unchanged += 1
            continue
        for note in item.notes:
            report.warn(note.kind, note.where, note.detail)
        chash = content_hash(item.title, item.text)
        uid = by_hash.get(chash)
        if uid is not None:
            report.duplicates += 1
        else:
            uid = next_uid
            next_uid += 1
            by_hash[chash] = uid
            if item.date is None:
                report.undated += 1
                undated_why["date_raw" if "date_raw" in item.meta else "no_date"] += 1
                if len(undated_examples) < MAX_EXAMPLES:
                    undated_examples.append(item.origin)
            lang = item.language or "unknown"
            report.languages[lang] = report.languages.get(lang, 0) + 1
            if lang != "en":
                report.warn("not_english", item.origin, lang)
            ds = item.date_source if item.date else "none"
            report.date_sources[ds] = report.date_sources.get(ds, 0) + 1
            new_rows.append({
                "uid": uid, "id": item.id, "title": item.title, "text": item.text, "raw_text": item.raw_text,
                "date": item.date, "date_source": item.date_source if item.date else "none", "source": item.source,
                "url": item.url, "language": item.language, "origin": item.origin,
                "meta": json.dumps(item.meta, ensure_ascii=False, default=str), "content_hash": chash,
                "story_key": story_key(item.title, item.text), "n_words": len(item.text.split()),
                "added_version": w.version, "outlet_country": item.meta.get("outlet_country"),
            })
            if previous:
                report.updated += 1
            else:
                report.added += 1
        id_rows.append({"id": item.id, "uid": uid, "origin": item.origin, "record_hash": rhash})
        if len(new_rows) >= 5000:
            _strip_boilerplate(new_rows, boilerplate, report)
            _flush_articles(w, new_rows)
    _strip_boilerplate(new_rows, boilerplate, report)
    _flush_articles(w, new_rows)
    if boilerplate.sources:
        w.save_model(BOILERPLATE_MODEL, boilerplate.to_bytes())
    _warn_undated(report, undated_why, undated_examples)
    w.upsert_ids(pd.DataFrame(id_rows, columns=["id", "uid", "origin", "record_hash"]))
    orphans = w.orphan_uids()
    w.delete_articles(orphans)
    report.removed = len(orphans)
    w.reassign_primary_ids()




def path_renamer(names: dict[str, str]) -> Callable[[str], str]:
    """A function replacing, in a text, every path of ``names`` (path -> shown name) by its name, longest path
    first (so a path that begins another is not replaced inside it)."""
    pairs = sorted(((str(k), str(v)) for k, v in names.items()), key=lambda kv: len(kv[0]), reverse=True)

    def rename(text: str) -> str:
        for path, name in pairs:
            if path in text:
                text = text.replace(path, name)
        return text

    return rename


def _shown_origins(names: dict[str, str] | None):
    """For ``BuildOptions.origin_names``: a function giving a record (Article, Rejection, Skipped) with every
    source path in its origin, notes and messages replaced by its name (:func:`path_renamer`); None without names."""
    if not names:
        return None
    rename = path_renamer(names)

    def shown(item):
        if isinstance(item, Article):
            item.origin = rename(item.origin)
            item.notes = [replace(n, where=rename(n.where), detail=rename(n.detail)) for n in item.notes]
            return item
        if isinstance(item, Rejection):
            return Rejection(rename(item.origin), rename(item.reason))
        if isinstance(item, Skipped):
            return Skipped(item.kind, rename(item.where), rename(item.detail))
        return item

    return shown


def _records(sources: list, options: BuildOptions, on_file, root: Path | None):
    """``iter_sources`` with the build's page extractor (both cores, or the Dask workers of ``--workers`` /
    ``--scheduler``), closed when the input is read."""
    from analysis.ingest import iter_sources
    from analysis.ingest.extractors import Extractor

    with Extractor.for_build(options) as extractor:
        yield from iter_sources(sources, column_map=options.column_map, progress=on_file, root=root,
                                extractor=extractor)


def _strip_boilerplate(rows: list[dict[str, Any]], model, report: BuildReport) -> None:
    """Learn this batch's paragraphs per source, then leave each row's learned boilerplate out of its text (the
    rows' raw_text keeps it). Counted as ``boilerplate_removed``."""
    from analysis.ingest.dedupe import story_key

    for row in rows:
        model.observe(row["source"], row["text"])
    for row in rows:
        text, removed = model.strip(row["source"], row["text"])
        if removed:
            row["text"], row["n_words"] = text, len(text.split())
            row["story_key"] = story_key(row["title"], text)
            report.warn("boilerplate_removed", row["origin"], f"{len(removed)} paragraph(s), e.g. {removed[0][:80]!r}",
                        count=len(removed))


def _warn_undated(report: BuildReport, why: Counter, examples: list[str]) -> None:
    """Warn when more than ``UNDATED_WARN_SHARE`` of the new articles are undated, saying why."""
    new = report.added + report.updated
    if not new or report.undated <= UNDATED_WARN_SHARE * new:
        return
    reasons = []
    if why["no_date"]:
        reasons.append(f"{why['no_date']} had no date field, front-matter date, publication line or dateline")
    if why["date_raw"]:
        reasons.append(f"{why['date_raw']} had a date value that could not be read (see meta.date_raw)")
    detail = f"{report.undated} of {new} ({report.undated / new:.0%}) undated: " + "; ".join(reasons)
    report.warn("undated", examples[0] if examples else "", detail, count=report.undated)
    report.warnings["undated"]["examples"] += [{"where": e, "detail": ""} for e in examples[1:]]


ARTICLE_COLUMNS = ["uid", "id", "title", "text", "raw_text", "date", "date_source", "source", "url", "language",
                   "origin", "meta", "content_hash", "story_key", "n_words", "added_version", "outlet_country"]


def _flush_articles(w: store_mod.StoreWriter, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=ARTICLE_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    w.insert_df("articles", frame, ARTICLE_COLUMNS)
    rows.clear()


def _stories(w: store_mod.StoreWriter, report: BuildReport) -> None:
    """Group near-duplicates (wire copies, LEAD/2nd LD updates) into stories across the whole store."""
    from analysis.ingest.dedupe import group_near_duplicates

    records = w.story_records()
    if records.empty:
        return
    dates = [d if pd.notna(d) else None for d in pd.to_datetime(records["date"]).dt.date]
    groups = group_near_duplicates(list(zip(records["uid"].tolist(), records["title"].tolist(),
                                            records["text"].tolist(), dates, strict=True)))
    frame = pd.DataFrame({"uid": records["uid"]})
    frame["group"] = frame["uid"].map(lambda u: groups.get(u, u))
    frame["story_id"] = frame.groupby("group")["uid"].transform("min")
    w.set_stories(frame)


def _enrich(w: store_mod.StoreWriter, options: BuildOptions, report: BuildReport, progress: Progress) -> None:
    from analysis.canonical import canonicalise
    from analysis.enrich import Enrichment, enrich_rows
    from analysis.entities import load_overrides

    pending = w.pending("enriched")
    if pending:
        if options.workers or options.scheduler:
            from analysis.distributed import enrich_distributed

            parts = enrich_distributed(w, pending, options, progress)
        else:
            from analysis.nlp import load_nlp

            nlp = load_nlp()
            # Both cores pay off once there is enough text to amortise starting a second spaCy process.
            n_process = options.n_process or (2 if len(pending) > 500 else 1)
            skipped: list[int] = []  # not English: counted as done when their chunk is read
            reported = [0]

            def on_doc(done: int) -> None:
                if done % options.batch_size == 0:  # progress throttles itself; this keeps the calls few
                    reported[0] = done + len(skipped)
                    progress("enrich", reported[0], len(pending))

            rows = _enrich_input(w, pending, n_process, skipped)
            parts = [enrich_rows(rows, nlp=nlp, n_process=n_process, batch_size=options.batch_size, on_doc=on_doc)]
            if reported[0] < len(pending):
                progress("enrich", len(pending), len(pending))
        result = Enrichment.concat(parts)
        _report_junk(w, result.drops, report)
        _write_enrichment(w, result)
        w.mark_done("enriched", pending)
        report.enriched = len(pending)
    if pending or report.removed:
        mentions = w.all_mentions()
        overrides = load_overrides(options.entity_overrides) if options.entity_overrides else None
        mentions, entities = canonicalise(mentions, overrides=overrides)
        w.replace_mentions_and_entities(mentions, entities)


#: Characters of a dropped mention's text shown in the report (escaped with repr, like other examples).
JUNK_TEXT_SHOWN = 80


def _report_junk(w: store_mod.StoreWriter, drops: pd.DataFrame, report: BuildReport) -> None:
    """Count the entity mentions left out as junk (``Enrichment.drops``, in uid order) as ``junk_mention``, per
    reason. Examples (``MAX_EXAMPLES``, with their article's origin and the escaped mention text): the first drop of
    each reason, most frequent reason first, then the next drops in order."""
    if drops.empty:
        return
    counts = drops["reason"].value_counts()
    reasons = sorted(counts.index, key=lambda r: (-counts[r], r))
    picked = [int(drops.index[drops["reason"] == r][0]) for r in reasons][:MAX_EXAMPLES]
    first = set(picked)
    picked += [int(i) for i in drops.index[:2 * MAX_EXAMPLES] if i not in first][:MAX_EXAMPLES - len(picked)]
    examples = drops.loc[picked]
    articles = w.embedding_frame(sorted(set(examples["uid"].tolist())))
    origins = dict(zip(articles["uid"].tolist(), articles["origin"].tolist(), strict=True))
    for row in examples.itertuples(index=False):
        shown = str(row.text)[:JUNK_TEXT_SHOWN]
        report.warn("junk_mention", origins.get(row.uid, f"article {row.uid}"),
                    f"{shown!r} ({row.label}, {row.reason})", reason=row.reason)
    rest = drops["reason"].drop(index=picked).value_counts()
    for reason in reasons:
        if rest.get(reason, 0):
            report.warn("junk_mention", None, count=int(rest[reason]), reason=str(reason))


def _enrich_input(w: store_mod.StoreWriter, pending: list[int], n_process: int, skipped: list[int]):
    """``(uid, title, text, date)`` of the English articles among ``pending``, read from the store a chunk at a time
    and fed to one ``nlp.pipe`` (one pool of spaCy workers for the whole build, progress per article); the uids of
    the other languages go to ``skipped`` as their chunk is read."""
    step = ENRICH_BATCH * 4 * n_process
    for start in range(0, len(pending), step):
        chunk = pending[start:start + step]
        frame = w.article_frame(chunk)
        english = english_only(frame)
        skipped.extend(set(frame["uid"]) - set(english["uid"]))
        dates = english["date"] if "date" in english else [None] * len(english)
        yield from zip(english["uid"], english["title"], english["text"], dates, strict=True)


def english_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The English rows of an ``article_frame``: NER, keywords and topics use English models and stopwords, so other
    languages would only add junk entities and terms (they are kept, shown and counted in the build report)."""
    if "language" not in frame:
        return frame
    return frame[frame["language"].fillna("") == "en"]


def _write_enrichment(w: store_mod.StoreWriter, result) -> None:
    mentions = result.mentions.copy()
    if "entity_id" not in mentions:
        mentions["entity_id"] = None
    w.insert_df("mentions", mentions, ["uid", "sent", "start", "end", "text", "label", "name", "entity_id"])
    w.insert_df("article_countries", result.countries, ["uid", "iso2", "weight", "mentions", "evidence", "dateline"])
    events = result.events.rename(columns={"start": "start_date", "end": "end_date"})
    w.insert_df("events", events, ["uid", "sent", "sentence", "expression", "start_date", "end_date", "granularity",
                                   "resolved", "anchor"])
    if result.sentences is not None and not result.sentences.empty:
        w.insert_df("sentences", result.sentences, ["uid", "sent", "start", "end"])


def _count_terms(w: store_mod.StoreWriter, report: BuildReport, progress: Progress) -> None:
    from analysis.text import count_terms

    pending = w.pending("counted")
    if not pending:
        return
    step = 2000
    for start in range(0, len(pending), step):
        chunk = pending[start:start + step]
        frame = w.article_frame(chunk)
        # Title-only and non-English records are kept and shown but left out of keyword and topic statistics.
        frame = english_only(frame)
        frame = frame[frame["text"].fillna("").str.strip() != ""]
        counts = count_terms(frame["title"].fillna("").tolist(), frame["text"].fillna("").tolist())
        term_ids = w.add_terms([t for c in counts for t in c])
        uids, tids, values = [], [], []
        for uid, counter in zip(frame["uid"].tolist(), counts, strict=True):
            for term, n in counter.items():
                uids.append(uid)
                tids.append(term_ids[term])
                values.append(n)
        w.insert_df("doc_terms", pd.DataFrame({"uid": uids, "term_id": tids, "count": values}), ["uid", "term_id", "count"])
        progress("terms", min(start + len(chunk), len(pending)), len(pending))
    w.mark_done("counted", pending)
    report.counted = len(pending)


def _embed(w: store_mod.StoreWriter, report: BuildReport, progress: Progress) -> None:
    """One vector per article, stored; only articles without a vector from the current model are embedded."""
    from analysis.embeddings import StaticEmbedder, article_texts, vectors_to_bytes

    embedder = StaticEmbedder.load()
    report.embedding_model = embedder.model_id
    pending = w.vectors_missing(embedder.model_id)
    if not pending:
        return
    step = 4000
    empty: list[str] = []
    n_empty = 0
    for start in range(0, len(pending), step):
        frame = w.embedding_frame(pending[start:start + step])
        vectors = embedder.encode(article_texts(frame["title"].tolist(), frame["text"].tolist()))
        blank = ~vectors.any(axis=1)
        n_empty += int(blank.sum())
        blanks = zip(frame["origin"][blank], frame["id"][blank], strict=True)
        empty += [f"{o} (id {i!r})" for o, i in blanks][: 5 - len(empty)]
        w.add_vectors(frame["uid"].tolist(), embedder.model_id, vectors_to_bytes(vectors))
        progress("embed", min(start + step, len(pending)), len(pending))
    report.embedded = len(pending)
    if n_empty:
        report.embedding_notes.append(
            f"no semantic vector for {n_empty} articles (no word the model knows; their topic comes from their terms "
            f"only), e.g. {'; '.join(empty)}. Check that their text is not empty or in another language."
        )


def _topics(w: store_mod.StoreWriter, options: BuildOptions, report: BuildReport, progress: Progress) -> None:
    from analysis.topic_store import update_topics

    update_topics(w, options, report, progress)
