"""The command line: ``python -m analysis COMMAND ...``. Thin: parses arguments, calls the API, prints.

Exit codes: 0 success; 1 the build ran but rejected some inputs (or, with ``build --strict``, repaired or guessed
something; details printed); 2 usage error or bad argument; 3 the store is missing, damaged or cannot be written
(disk full, read-only; or a Dask scheduler cannot be reached); 4 an export could not be produced (e.g. no Chromium
for PNG).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import StoreError
from analysis.filters import ABOUT_DEFAULT, Filter
from analysis.periods import FREQS

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_STORE, EXIT_EXPORT = 0, 1, 2, 3, 4


def default_store() -> Path:
    from analysis.store import DEFAULT_STORE

    return Path(os.environ.get("NEWSLENS_STORE") or DEFAULT_STORE)


# --------------------------------------------------------------------------------------------------------------
# argument helpers


def _add_store(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, default=None,
                   help="DuckDB store file (default: $NEWSLENS_STORE or data/newslens.duckdb)")


def _add_filters(p: argparse.ArgumentParser, prefix: str = "") -> None:
    g = p.add_argument_group("filters (combine freely; list options take several values)")
    g.add_argument("--country", nargs="+", default=[], metavar="ISO2", help="articles about any of these countries")
    g.add_argument("--about", type=float, default=ABOUT_DEFAULT, metavar="W",
                   help=f"how central a country must be to count as what an article is about, 0..1 (default "
                        f"{ABOUT_DEFAULT:g}; 0 = mentioned at all; 0.5 = central); applies to --country and to the "
                        "countries lists")
    g.add_argument("--topic", nargs="+", default=[], type=int, metavar="ID", help="topic ids (see `topics`)")
    g.add_argument("--source", nargs="+", default=[], metavar="NAME", help="source names")
    g.add_argument("--entity", nargs="+", default=[], metavar="ENTITY_ID",
                   help="canonical entity ids such as PERSON:wang-yi (see `entities`); all must appear")
    g.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="first day (inclusive); drops undated articles")
    g.add_argument("--until", default=None, metavar="YYYY-MM-DD", help="last day (inclusive); drops undated articles")
    g.add_argument("--query", default="", metavar="TEXT", help='words that must all appear; "quoted phrase" kept whole')
    g.add_argument("--unique", action="store_true", help="one article per story (near-duplicates collapsed)")
    g.add_argument("--language", nargs="+", default=[], metavar="CODE",
                   help="article languages, e.g. en es (see the build summary's languages line)")


def filter_from_args(args: argparse.Namespace) -> Filter:
    return Filter(countries=tuple(args.country), min_country_weight=args.about, topics=tuple(args.topic),
                  sources=tuple(args.source), entities=tuple(args.entity), since=args.since, until=args.until,
                  query=args.query, unique=args.unique, languages=tuple(args.language))


def _parse_compare(text: str) -> Filter:
    """--compare takes filter options as one string: --compare "--country US --since 1987-04-01"."""
    import shlex

    p = argparse.ArgumentParser(prog="--compare", add_help=False)
    _add_filters(p)
    return filter_from_args(p.parse_args(shlex.split(text)))


def _add_format(p: argparse.ArgumentParser, choices=("csv", "json", "jsonl"), default="csv") -> None:
    p.add_argument("--format", choices=choices, default=default, help=f"output format (default {default})")
    p.add_argument("--out", type=Path, default=None, help="write to this file instead of standard output")
    p.add_argument("--limit", type=int, default=None, help="at most this many rows")


# --------------------------------------------------------------------------------------------------------------
# parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="NewsLens: ingest news articles into a local store and query keywords, topics, entities, "
                    "countries and dated events.",
        epilog="Exit codes: 0 ok; 1 build finished but rejected some inputs (or warned, with --strict); 2 usage error; "
               "3 store missing or "
               "unreadable, or Dask scheduler unreachable; 4 export failed.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="ingest files/folders/archives and update every analysis (incremental)",
                       description="Ingest SOURCES (folders of .txt/.md, CSV/TSV, JSON/JSONL, Parquet, Reuters .sgm, "
                                   ".zip/.tar.gz of those) and bring entities, countries, events, keywords and topics "
                                   "up to date. Re-running on the same input changes nothing.")
    p.add_argument("sources", nargs="+", help="files, folders or globs")
    _add_store(p)
    p.add_argument("--map", action="append", default=[], metavar="THEIRS=OURS",
                   help="map an input column to ours (title, text, date, source, url, id, language, author), "
                        "e.g. --map story=text")
    p.add_argument("--report-json", type=Path, default=None, metavar="FILE",
                   help="also write the build summary (counts, warnings with examples, rejections) as JSON")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when anything was repaired, guessed or cut (see the warnings in the summary)")
    p.add_argument("--no-enrich", action="store_true", help="skip NER, countries and events (ingest only)")
    p.add_argument("--no-topics", action="store_true", help="skip topic fitting/assignment")
    p.add_argument("--refit-topics", action="store_true",
                   help="refit topics on the whole corpus; ids are matched to the old topics where they survive")
    p.add_argument("--n-topics", default="auto", help='number of topics, or "auto" (default)')
    p.add_argument("--no-embeddings", action="store_true",
                   help="no semantic article vectors: TF-IDF topics as before, no --similar-to (vectors already "
                        "stored are kept)")
    p.add_argument("--processes", type=int, default=None, help="spaCy processes (default: both cores when > 500 articles)")
    p.add_argument("--workers", type=int, default=None, help="run per-article work on a local Dask cluster of N workers")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run per-article work on this Dask scheduler")
    p.add_argument("--entity-overrides", default=None, metavar="FILE",
                   help="CSV of alias,canonical,label rows to correct entity merging")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("boilerplate", help="paragraphs learned as boilerplate per source (and overrides)",
                       description="List the paragraphs that recur across a source's articles and are left out of "
                                   "the analysed text (raw_text keeps them). --keep/--drop/--reset change what "
                                   "later builds remove.")
    _add_store(p)
    p.add_argument("--source", default=None, help="only this source (required with --keep/--drop/--reset; * = all)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--keep", metavar="PARAGRAPH", help="never remove this paragraph")
    g.add_argument("--drop", metavar="PARAGRAPH", help="always remove this paragraph")
    g.add_argument("--reset", metavar="PARAGRAPH", help="forget an override of this paragraph")
    _add_format(p)
    p = sub.add_parser("collect", help="download RSS/Atom feeds (and the pages they link to) politely, as files",
                       description="Fetch FEED_URL|PAGE_URL ... into FOLDER: a User-Agent naming NewsLens, robots.txt, "
                                   "a delay per host, timeouts, retries with backoff, ETag/Last-Modified so a re-run "
                                   "fetches only what changed, a size cap. Feeds are saved as feeds/<host>/*.xml "
                                   "(each changed version), pages as pages/<host>/*.html. Every URL that fails is "
                                   "one line in the summary.")
    p.add_argument("urls", nargs="+", metavar="URL", help="feed or page addresses (http/https)")
    p.add_argument("--into", type=Path, required=True, metavar="FOLDER", help="folder the files are saved in")
    p.add_argument("--pages", action="store_true", help="also fetch the article pages the feeds link to")
    p.add_argument("--max-pages", type=int, default=500, help="linked pages fetched per run (default 500)")
    p.add_argument("--delay", type=float, default=1.0, help="seconds between two requests to one host (default 1)")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for an answer (default 15)")
    p.add_argument("--retries", type=int, default=2, help="retries after a timeout, 429 or 5xx (default 2)")
    p.add_argument("--max-mb", type=float, default=10.0, help="size cap per answer in MB (default 10)")
    p.add_argument("--build", action="store_true", help="build the store from FOLDER afterwards")
    _add_store(p)
    p.add_argument("--no-enrich", action="store_true", help="with --build: skip NER, countries and events")
    p.add_argument("--no-topics", action="store_true", help="with --build: skip topics")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("stats", help="corpus counts and build history")
    _add_store(p)
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("articles", help="export the article table (one row per article)")
    _add_store(p)
    _add_filters(p)
    _add_format(p, choices=("jsonl", "csv", "json"), default="jsonl")
    p.add_argument("--keywords", type=int, default=5, help="keywords per article in the export (default 5)")
    p.add_argument("--similar-to", default=None, metavar="ID",
                   help="instead: the articles most similar in meaning to article ID (its input id, or uid:N), "
                        "with their cosine similarity; --limit rows (default 10)")
    p.add_argument("--with-text", action="store_true",
                   help="add the analysed text of each article (after cleaning) as a last column 'text'")

    p = sub.add_parser("entities", help="top people, organisations, places (or the alias table with --aliases)")
    _add_store(p)
    _add_filters(p)
    _add_format(p)
    p.add_argument("--label", nargs="+", default=[], help="entity labels, e.g. PERSON ORG GPE")
    p.add_argument("--aliases", action="store_true", help="print the canonical entity / alias table")

    p = sub.add_parser("timeline", help="mentions and articles per entity per period")
    _add_store(p)
    _add_filters(p)
    _add_format(p)
    p.add_argument("--of", nargs="+", default=[], metavar="ENTITY_ID", help="entities to follow (default: top 5)")
    p.add_argument("--freq", choices=FREQS, default="week")

    p = sub.add_parser("events", help="dated events mentioned in the articles, resolved to dates")
    _add_store(p)
    _add_filters(p)
    _add_format(p)
    p.add_argument("--all", action="store_true", help="include unresolved expressions too")

    p = sub.add_parser("countries", help="countries the articles are about, with counts")
    _add_store(p)
    _add_filters(p)
    _add_format(p)

    p = sub.add_parser("keywords", help="top TF-IDF terms of a filter, or distinctive terms vs --compare")
    _add_store(p)
    _add_filters(p)
    _add_format(p)
    p.add_argument("--compare", default=None, metavar='"FILTERS"',
                   help='compare with another filter, e.g. --compare "--country GB" (empty string = rest of corpus)')
    p.add_argument("-k", "--top", type=int, default=25, help="number of terms")

    p = sub.add_parser("topics", help="topics with labels and sizes (within the filter)")
    _add_store(p)
    _add_filters(p)
    _add_format(p)
    p.add_argument("--compare", default=None, metavar='"FILTERS"', help="topic share of this filter vs another")

    p = sub.add_parser("chart", help="export one chart as PNG/SVG/PDF/HTML (CSV of its data with .csv)")
    _add_store(p)
    _add_filters(p)
    p.add_argument("name", nargs="?", help="chart name (see --list)")
    p.add_argument("--out", type=Path, help="FILE.png|svg|pdf|html|csv")
    p.add_argument("--list", action="store_true", help="list chart names")

    p = sub.add_parser("report", help="every chart of a view with its data: a ZIP or one self-contained HTML")
    _add_store(p)
    _add_filters(p)
    p.add_argument("--out", type=Path, required=True, help="FILE.zip or FILE.html")
    p.add_argument("--charts", nargs="+", default=None, help="chart names (default: all)")

    p = sub.add_parser("restore", help="put back the version the last build replaced (STORE.prev)",
                       description="Swap STORE.prev (kept at every build) back in as the store. The replaced file is "
                                   "kept as STORE.damaged-TIMESTAMP (or STORE.replaced-TIMESTAMP when it was readable); "
                                   "nothing is deleted.")
    _add_store(p)
    return parser


# --------------------------------------------------------------------------------------------------------------
# commands


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except SystemExit as exc:  # raised by helpers with an exit code after printing the reason
        return int(exc.code or 0)
    except ValueError as exc:  # bad filter values and the like
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:  # damaged while reading (StoreDamaged), or could not be written
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STORE
    except BrokenPipeError:
        return EXIT_OK


def _store_path(args) -> Path:
    return Path(args.store) if args.store else default_store()


def _open_store(args):
    from analysis.store import Store, StoreError

    try:
        return Store.open(_store_path(args))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_STORE) from None


def _duration(seconds: float) -> str:
    """'45s', '3m05s', '1h02m' for progress lines."""
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class TextProgress:
    """A small progress bar on stderr (one line per stage, redrawn in place on a terminal)."""

    def __init__(self, stream=None, enabled: bool = True, clock=None):
        self.stream = stream or sys.stderr  # looked up now: a default bound at import may be closed by then
        self.enabled = enabled
        self.clock = clock or time.perf_counter  # seconds; a test passes a fake clock
        self.stage = None
        self.started = self.clock()
        self.last = 0.0
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if stage != self.stage:
            if self.stage is not None:
                self.stream.write("\n" if self.tty else "")
            self.stage, self.started = stage, now
        elif now - self.last < (0.1 if self.tty else 5.0) and done < total:
            return
        self.last = now
        frac = done / total if total else 0.0
        bar = "#" * int(frac * 30)
        elapsed = now - self.started
        rate = f" ({done / elapsed:,.0f}/s)" if elapsed > 0.5 and done else ""
        # logs and the Data page's log are not terminals: every line there says how long the stage still has
        eta = f" ETA {_duration((total - done) * elapsed / done)}" if rate and total and done < total else ""
        line = f"{stage:>8} [{bar:<30}] {done}/{total or '?'}{rate}{eta}"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.stage is not None and self.tty:
            self.stream.write("\n")


def cmd_build(args) -> int:
    from analysis.ingest.records import CANONICAL_ALIASES
    from analysis.pipeline import BuildOptions, build
    from analysis.store import StoreError

    column_map = {}
    for item in args.map:
        if "=" not in item:
            print(f"error: --map takes THEIRS=OURS, got {item!r}", file=sys.stderr)
            return EXIT_USAGE
        theirs, ours = (part.strip() for part in item.split("=", 1))
        if ours.lower() not in CANONICAL_ALIASES:
            print(f"error: --map {item}: NewsLens has no field {ours!r}; valid targets: "
                  f"{', '.join(CANONICAL_ALIASES)}", file=sys.stderr)
            return EXIT_USAGE
        column_map[theirs] = ours.lower()
    n_topics: int | str = args.n_topics
    if n_topics != "auto":
        try:
            n_topics = int(n_topics)
        except ValueError:
            print("error: --n-topics takes a number or auto", file=sys.stderr)
            return EXIT_USAGE
    options = BuildOptions(enrich=not args.no_enrich, topics=not args.no_topics, refit_topics=args.refit_topics,
                           n_topics=n_topics, n_process=args.processes or 0, column_map=column_map or None,
                           workers=args.workers, scheduler=args.scheduler, entity_overrides=args.entity_overrides,
                           embeddings=not args.no_embeddings)
    progress = TextProgress(enabled=not args.quiet)
    from analysis.errors import ClusterError

    try:
        report = build(args.sources, _store_path(args), options, progress=progress)
    except (StoreError, ClusterError) as exc:
        progress.close()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STORE
    progress.close()
    print(report.summary())
    if args.report_json:
        args.report_json.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n",
                                    encoding="utf-8")
        print(f"wrote the build report to {args.report_json}", file=sys.stderr)
    if report.rejected:
        return EXIT_REJECTED
    if args.strict and report.warning_count():
        print(f"--strict: {report.warning_count()} warnings (see above)", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def cmd_boilerplate(args) -> int:
    from analysis.ingest.boilerplate import BoilerplateModel
    from analysis.pipeline import BOILERPLATE_MODEL

    paragraph, action = next(((v, a) for a, v in (("keep", args.keep), ("drop", args.drop), ("reset", args.reset))
                              if v), (None, None))
    if paragraph is None:
        model = BoilerplateModel.from_bytes(_open_store(args).model_payload(BOILERPLATE_MODEL))
        rows = model.learned(args.source if args.source not in (None, "*") else None)
        return _emit(pd.DataFrame(rows, columns=["source", "paragraph", "articles", "of_articles", "status"]), args)
    if not args.source:
        print("error: --keep/--drop/--reset need --source NAME (or --source '*' for every source)", file=sys.stderr)
        return EXIT_USAGE
    from analysis.store import StoreError, writer

    _open_store(args)  # a missing store is an error, not a new empty one
    try:
        with writer(_store_path(args)) as w:
            model = BoilerplateModel.from_bytes(w.model_payload(BOILERPLATE_MODEL))
            model.override(args.source, paragraph, action)
            w.save_model(BOILERPLATE_MODEL, model.to_bytes())
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STORE
    print(f"{action}: {paragraph!r} for source {args.source!r}; applies to articles added from the next build on",
          file=sys.stderr)
    return EXIT_OK


def cmd_collect(args) -> int:
    from analysis.collect import CollectOptions, collect

    options = CollectOptions(pages=args.pages, delay=args.delay, timeout=args.timeout, retries=args.retries,
                             max_bytes=int(args.max_mb * 1024**2), max_pages=args.max_pages)
    report = collect(args.urls, args.into, options)
    print(report.summary())
    code = EXIT_REJECTED if report.errors else EXIT_OK
    if args.build:
        # the build command's own parser fills every build option's default (a hand-made Namespace missed new ones)
        argv = ["build", str(args.into)] + (["--store", str(args.store)] if args.store else [])
        argv += [flag for flag, on in (("--no-enrich", args.no_enrich), ("--no-topics", args.no_topics),
                                       ("--quiet", args.quiet)) if on]
        code = max(code, cmd_build(build_parser().parse_args(argv)))
    return code


def cmd_stats(args) -> int:
    store = _open_store(args)
    stats = store.stats()
    if args.format == "json":
        print(json.dumps(stats, default=str, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:>12}: {value}")
    return EXIT_OK


def _emit(frame: pd.DataFrame, args, fmt: str | None = None) -> int:
    fmt = fmt or args.format
    if getattr(args, "limit", None):
        frame = frame.head(args.limit)
    if fmt == "csv":
        from analysis.export import csv_text

        text = csv_text(frame)  # lists joined with ";", formula-looking cells neutralised (CSV injection)
    elif fmt == "json":
        text = frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=1) + "\n"
    else:
        text = frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=False) if len(frame) else ""
        if text and not text.endswith("\n"):
            text += "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _as_lists(frame: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    for col in cols:
        if col in frame:
            frame[col] = frame[col].map(lambda v: [] if v is None else list(v))
    return frame


def cmd_articles(args) -> int:
    from analysis import slices

    store = _open_store(args)
    if args.similar_to is not None:
        return _similar_to(store, args)
    frame = slices.export_articles(store, filter_from_args(args), keywords=args.keywords, with_text=args.with_text)
    return _emit(frame, args)


def _similar_to(store, args) -> int:
    from analysis.similar import NoVectorsError, similar_articles

    ref = str(args.similar_to)
    uid = store.uid_of(ref)
    if uid is None and ref.startswith("uid:") and ref[4:].isdigit():
        uid = int(ref[4:]) if store.article(int(ref[4:])) is not None else None
    if uid is None:
        print(f"error: --similar-to {ref!r}: no article with that id (give an id from `articles` output, or uid:N)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        frame = similar_articles(store, uid, n=args.limit or 10)
    except NoVectorsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _emit(frame, args)


def cmd_entities(args) -> int:
    store = _open_store(args)
    if args.aliases:
        frame = store.entity_catalog(limit=args.limit or 1_000_000)
    else:
        frame = store.entities(filter_from_args(args), labels=args.label, limit=args.limit or 100)
    return _emit(frame, args)


def cmd_timeline(args) -> int:
    store = _open_store(args)
    f = filter_from_args(args)
    ids = args.of or store.entities(f, limit=5)["entity_id"].tolist()
    return _emit(store.entity_timeline(f, ids, args.freq), args)


def cmd_events(args) -> int:
    store = _open_store(args)
    frame = store.events(filter_from_args(args), lanes="none", resolved_only=not args.all, limit=args.limit or 100_000)
    return _emit(frame, args)


def cmd_countries(args) -> int:
    from analysis import slices

    store = _open_store(args)
    return _emit(slices.countries(store, filter_from_args(args)), args)


def cmd_keywords(args) -> int:
    from analysis import slices

    store = _open_store(args)
    f = filter_from_args(args)
    if args.compare is not None:
        other = _parse_compare(args.compare) if args.compare.strip() else None
        frame = slices.compare_keywords(store, f, other, k=args.top)
    else:
        frame = slices.keywords(store, f, k=args.top)
    return _emit(frame, args)


def cmd_topics(args) -> int:
    from analysis import slices

    store = _open_store(args)
    f = filter_from_args(args)
    if args.compare is not None:
        frame = slices.compare_topics(store, f, _parse_compare(args.compare))
    else:
        frame = store.topics(f)
    return _emit(frame, args)


def cmd_chart(args) -> int:
    from analysis import catalog
    from analysis.export import ExportUnavailable, csv_bytes, figure_bytes

    if args.list or not args.name:
        for spec in catalog.VIEWS.values():
            print(f"{spec.name:<22} {spec.title}: {spec.description}")
        return EXIT_OK if args.list else EXIT_USAGE
    if args.name not in catalog.VIEWS:
        print(f"error: unknown chart {args.name!r}; see --list", file=sys.stderr)
        return EXIT_USAGE
    if not args.out:
        print("error: --out FILE.png|svg|pdf|html|csv is required", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf", "html", "csv"):
        print("error: --out must end in .png, .svg, .pdf, .html or .csv", file=sys.stderr)
        return EXIT_USAGE
    store = _open_store(args)
    fig, data = catalog.render(args.name, store, filter_from_args(args))
    try:
        payload = csv_bytes(data) if fmt == "csv" else figure_bytes(fig, fmt)
    except ExportUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_EXPORT
    args.out.write_bytes(payload)
    print(f"wrote {args.out} ({len(payload):,} bytes)", file=sys.stderr)
    return EXIT_OK


def cmd_report(args) -> int:
    from analysis import catalog

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("zip", "html"):
        print("error: --out must end in .zip or .html", file=sys.stderr)
        return EXIT_USAGE
    unknown = [n for n in (args.charts or []) if n not in catalog.VIEWS]
    if unknown:
        print(f"error: unknown chart(s) {', '.join(unknown)}; see `chart --list`", file=sys.stderr)
        return EXIT_USAGE
    store = _open_store(args)
    payload = catalog.report(store, filter_from_args(args), names=args.charts, fmt=fmt)
    args.out.write_bytes(payload)
    print(f"wrote {args.out} ({len(payload):,} bytes)", file=sys.stderr)
    return EXIT_OK


def cmd_restore(args) -> int:
    from analysis.store import restore_previous

    done = restore_previous(_store_path(args))
    if done.kept_aside is not None:
        state = "could not be read" if done.kept_aside_was_damaged else "was readable"
        print(f"kept the replaced version ({state}) as {done.kept_aside}", file=sys.stderr)
    print(f"restored the previous version of {done.path}")
    return EXIT_OK


COMMANDS: dict[str, Any] = {
    "build": cmd_build, "boilerplate": cmd_boilerplate, "collect": cmd_collect, "stats": cmd_stats,
    "articles": cmd_articles, "entities": cmd_entities,
    "timeline": cmd_timeline, "events": cmd_events, "countries": cmd_countries, "keywords": cmd_keywords,
    "topics": cmd_topics, "chart": cmd_chart, "report": cmd_report,
    "restore": cmd_restore,
}
