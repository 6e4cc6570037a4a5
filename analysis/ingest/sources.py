"""Resolve user sources (files, folders, globs, archives) and dispatch each file to its reader."""

from __future__ import annotations

import glob as globmod
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.ingest.archives import ArchiveLimits, Budget, iter_tar, iter_zip, read_gzip
from analysis.ingest.extractors import Extractor, Failed, Job, run_job
from analysis.ingest.feeds import looks_like_feed, read_feed, xml_root
from analysis.ingest.html import looks_like_html, read_html
from analysis.ingest.notes import Skipped
from analysis.ingest.readers import Src, read_delimited, read_json, read_jsonl, read_parquet, read_text_file
from analysis.ingest.reuters import read_reuters_sgml
from analysis.ingest.warc import read_warc
from analysis.model import Article, Rejection

__all__ = ["SUPPORTED_SUFFIXES", "count_inputs", "iter_sources", "kind_of", "read_bytes"]

Record = Article | Rejection | Skipped

_KINDS: dict[str, str] = {
    ".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".pq": "parquet",
    ".sgm": "sgml", ".sgml": "sgml",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".warc": "warc", ".warc.gz": "warc",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".zip": "zip",
    ".tar": "tar", ".tar.gz": "tar", ".tgz": "tar", ".tar.bz2": "tar", ".tbz2": "tar", ".tar.xz": "tar",
    ".txz": "tar",
}
#: Every file suffix ``iter_sources`` reads (lower-case; ``.gz`` also wraps any single-file suffix, e.g. ``.csv.gz``).
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_KINDS) + (".gz",)

# Dataset documentation files that sit next to the articles (e.g. bbc-fulltext/README.TXT): skipped in folder scans.
_RE_DOC_FILE = re.compile(r"^(readme|license|licence|copying|changelog|notice|authors)(\.[a-z0-9]+)?$", re.IGNORECASE)
_ARCHIVE_KINDS = ("zip", "tar")


def kind_of(name: str) -> str | None:
    """Reader kind for a file name ("text", "csv", "tsv", "json", "jsonl", "parquet", "sgml", "zip", "tar",
    or "gz:<kind>" for a gzipped single file), or None when unsupported."""
    low = name.lower()
    for suffix in sorted(_KINDS, key=len, reverse=True):
        if low.endswith(suffix):
            return _KINDS[suffix]
    if low.endswith(".gz"):
        inner = kind_of(low[:-3])
        if inner is not None and inner not in _ARCHIVE_KINDS and not inner.startswith("gz:"):
            return "gz:" + inner
    return None


def _wanted_in_folder(name: str) -> bool:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return kind_of(base) is not None and not _RE_DOC_FILE.match(base)


_READERS: dict[str, Callable[..., Iterator[Record]]] = {
    "text": read_text_file,
    "csv": read_delimited,
    "tsv": lambda data, src, cm=None: read_delimited(data, src, cm, delimiter="\t"),
    "json": read_json,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
    "sgml": read_reuters_sgml,
    "html": read_html,
    "feed": read_feed,
}


def read_bytes(source: bytes | Path, src: Src, kind: str, column_map: dict[str, str] | None = None,
               limits: ArchiveLimits | None = None, depth: int = 0, budget: Budget | None = None,
               extractor: Extractor | None = None) -> Iterator[Record]:
    """Records from one file's bytes (or, for archives, its path) given its ``kind`` (see ``kind_of``).
    ``budget``: decompressed bytes left for this input (shared by nested archives; a fresh one when omitted).
    ``extractor``: where a WARC file's pages are extracted (see ``analysis.ingest.extractors``)."""
    limits = limits or ArchiveLimits()
    budget = budget if budget is not None else Budget(limits.max_total_bytes)
    if kind in _ARCHIVE_KINDS:  # pages extracted here, one by one (iter_sources hands them to its extractor)
        for item in _archive_items(source, src, kind, column_map, limits, budget, depth):
            if isinstance(item, Job):
                yield from _page_result(item, run_job(item))
            else:
                yield from item.records
        return
    if kind == "warc":  # streamed record by record from the path, never read whole
        yield from read_warc(source, src, column_map, extractor=extractor)
        return
    if kind.startswith("gz:"):
        data = read_gzip(source, src.origin, limits, budget)
        if isinstance(data, Rejection):
            yield data
            return
        yield from read_bytes(data, src, kind[3:], column_map, limits, depth, budget)
        return
    if isinstance(source, Path):
        try:
            source = source.read_bytes()
        except OSError as exc:
            yield Rejection(src.origin, f"cannot read the file ({exc.strerror or exc}); check permissions")
            return
    kind = _sniffed_kind(source, kind, src.origin)
    if kind == "skip":
        yield Skipped("xml_not_feed", src.origin, f"not a feed: {xml_root(source)}")
        return
    reader = _READERS.get(kind)
    if reader is None:  # pragma: no cover - kind_of only returns known kinds
        yield Rejection(src.origin, f"unsupported file type; supported: {', '.join(SUPPORTED_SUFFIXES)}")
        return
    try:
        yield from reader(source, src, column_map)
    except Exception as exc:  # last line of defence: a reader bug must not stop a whole build
        yield Rejection(src.origin, f"unexpected error while reading ({type(exc).__name__}: {str(exc)[:200]}); "
                                    "please report it with this file")


def _sniffed_kind(data: bytes, kind: str, origin: str = "") -> str:
    """A saved page or feed in a file named like text is read as what it is (``page.txt`` holding ``<!DOCTYPE
    html>``). A file named ``.xml`` is a feed only by content (an ``<rss>``/``<feed>``/``<rdf:RDF>`` root): a page
    is read as HTML, any other XML (a sitemap...) is ``"skip"``. ``.rss``/``.atom`` files are read as feeds
    whatever they hold, so a broken one is a rejection."""
    if kind == "text" and looks_like_html(data):
        return "html"
    if kind == "text" and looks_like_feed(data):
        return "feed"
    if kind == "feed" and not looks_like_feed(data):
        if looks_like_html(data):
            return "html"
        if origin.lower().rsplit("!", 1)[-1].removesuffix(".gz").endswith(".xml"):
            return "skip"
    return kind


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    base: list[str] = []
    for part in parts:
        if globmod.has_magic(part):
            break
        base.append(part)
    return Path(*base) if base else Path(".")


def _walk(folder: Path, root: Path | None = None) -> Iterator[Path | Rejection]:
    for here, dirs, files in os.walk(folder, followlinks=False):
        if root is not None:  # a folder symlink is never followed; under a root, say so instead of skipping it
            for d in sorted(d for d in dirs if not d.startswith(".") and (Path(here) / d).is_symlink()):
                yield Rejection(str(Path(here) / d), "symbolic link to a folder: not followed on this server "
                                                     "(NEWSLENS_FOLDER_ROOT); copy the files into the folder instead")
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        for name in sorted(files):
            if not name.startswith(".") and _wanted_in_folder(name):
                yield Path(here) / name


#: the reason given for a file that resolves outside the folder root (the link's own path is reported, never the
#: target's, so a report does not reveal what lies outside)
OUTSIDE_ROOT = ("resolves outside the folder this server may read (NEWSLENS_FOLDER_ROOT), e.g. a symbolic link "
                "to a file elsewhere: refused, not read")


def inside_root(path: Path, root: Path) -> Path | None:
    """``path`` fully resolved (every symlink followed) when it lies inside ``root`` (itself resolved), else None
    (also None when it cannot be resolved: a dangling link)."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, dangling or looping link
        return None
    return real if real == root or root in real.parents else None


def _expand(source: str | Path, root: Path | None = None) -> Iterator[tuple[Path, str] | Rejection]:
    """``(path, id_name)`` for each file a source names, or a Rejection when it names nothing. With ``root``, the
    path is the resolved one and any file (or the source itself) resolving outside ``root`` is a Rejection."""
    if root is None:
        yield from _expand_all(source)
        return
    root = Path(root).resolve()
    given = Path(source).expanduser()
    if (given.exists() or given.is_symlink()) and inside_root(given, root) is None:
        yield Rejection(str(source), OUTSIDE_ROOT)
        return
    for item in _expand_all(source, root):
        if isinstance(item, Rejection):
            yield item
            continue
        path, id_name = item
        real = inside_root(path, root)
        if real is None:
            yield Rejection(str(path), OUTSIDE_ROOT)
        else:
            yield real, id_name


def _expand_all(source: str | Path, root: Path | None = None) -> Iterator[tuple[Path, str] | Rejection]:
    text = str(source)
    path = Path(source).expanduser()
    if path.is_file():
        yield path, path.name
        return
    if path.is_dir():
        for p in _walk(path, root):
            yield p if isinstance(p, Rejection) else (p, p.relative_to(path).as_posix())
        return
    if globmod.has_magic(text):
        base = _glob_base(os.path.expanduser(text))
        matches = sorted(Path(m) for m in globmod.glob(os.path.expanduser(text), recursive=True))
        files = [m for m in matches if m.is_file() and not any(p.startswith(".") for p in m.parts[-1:])]
        if not files:
            yield Rejection(text, "no files match this pattern: check the folder and the pattern")
            return
        for m in files:
            try:
                rel = m.relative_to(base).as_posix()
            except ValueError:
                rel = m.name
            yield m, rel
        return
    yield Rejection(text, "path does not exist: check the spelling, or give a folder, a file or a glob pattern")


def count_inputs(sources: list[str | Path], root: Path | None = None) -> int:
    """Number of files ``iter_sources`` will open (an archive counts as one); for a progress bar's total."""
    return sum(1 for s in sources for item in _expand(s, root) if not isinstance(item, Rejection))


def iter_sources(
    sources: list[str | Path],
    column_map: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    *,
    limits: ArchiveLimits | None = None,
    root: Path | None = None,
    extractor: Extractor | None = None,
) -> Iterator[Article | Rejection | Skipped]:
    """Read every article from ``sources``; never raises on bad input.

    ``sources``: files, folders (recursive; hidden files, unsupported suffixes and README/LICENSE files skipped),
    glob patterns (``data/**/*.csv``) and archives (.zip, .tar, .tar.gz, .tgz; members read in memory). ``column_map``
    maps the user's column names to canonical ones for CSV/TSV/JSON/JSONL/Parquet (``{"story": "text"}``).
    ``progress(1)`` is called after each file is finished (an increment, so a caller sums them up to
    ``count_inputs(sources)``).

    Yields ``Article`` records and ``Rejection`` records (nonexistent paths, empty/binary files, bad rows...) in file
    order. Ids: a folder file's path relative to the folder given (``business/001.txt``), a single file's name, a
    record's own id column or ``<file>:<row>``, ``reuters-<NEWID>``, archive members ``archive.zip!inner/path.txt``.
    A file given explicitly with an unsupported suffix is rejected.

    ``root`` (the dashboard's ``NEWSLENS_FOLDER_ROOT``): every file is resolved and read only when it lies inside
    it; a file symlink to elsewhere, a symlinked folder or a source outside it is a Rejection naming the path.

    Saved pages (HTML files, WARC records) are extracted by ``extractor`` (default: a local pool of one process per
    core, started once there are more than a few pages; see ``analysis.ingest.extractors``), results in file order.
    A file that is deliberately not read (an ``.xml`` sitemap among feeds) is yielded as a ``Skipped`` value.
    """
    limits = limits or ArchiveLimits()
    budget = Budget(limits.max_total_bytes)  # one budget for the whole input: every archive and .gz file shares it
    own = extractor is None
    extractor = extractor or Extractor()
    try:
        for item, result in extractor.ordered(_file_items(sources, column_map, limits, root, budget, extractor)):
            if isinstance(item, Job):  # one saved page, extracted where the extractor runs pages
                yield from _page_result(item, result)
                done = not isinstance(item, _MemberJob)
            elif isinstance(item, _Stream):
                yield from item.records
                done = item.file_done
            elif isinstance(item, _FileDone):
                done = True
            else:
                yield item
                continue
            if done and progress is not None:
                progress(1)
    finally:
        if own:
            extractor.close()


@dataclass
class _Stream:
    """The records of one file (or of one archive member: ``file_done`` False), read here (in order, streamed)
    rather than by the extractor."""

    records: Iterator[Record]
    file_done: bool = True


@dataclass
class _MemberJob(Job):
    """A saved page inside an archive: extracted like a loose page, but not a file of its own for ``progress``."""


@dataclass
class _FileDone:
    """End of an archive's members (one file finished, for ``progress``)."""


def _read_page(arg: tuple[bytes, str, str]) -> list[Record]:
    """Task body: the records of one saved page (``(bytes, id_name, origin)``)."""
    data, id_name, origin = arg
    return list(read_html(data, Src(id_name=id_name, origin=origin)))


def _page_result(job: Job, result) -> Iterator[Record]:
    if isinstance(result, Failed):
        yield Rejection(job.arg[2], f"unexpected error while reading ({result.error}); please report it with this "
                                    "file")
    else:
        yield from result


_SNIFFED = ("html", "text", "feed")


def _file_items(sources, column_map, limits: ArchiveLimits, root: Path | None, budget: Budget,
                extractor: Extractor) -> Iterator[Job | _Stream | Rejection]:
    """Per file, in order: a ``Job`` for a saved page (its bytes read and un-gzipped here, extraction left to the
    extractor), a ``_Stream`` of any other file's records, or a Rejection for a path that names nothing."""
    for source in sources:
        for item in _expand(source, root):
            if isinstance(item, Rejection):
                yield item
                continue
            path, id_name = item
            kind = kind_of(path.name)
            src = Src(id_name=id_name, origin=str(path))
            if kind is None:
                yield _Stream(iter([Rejection(str(path), f"unsupported file type "
                                                         f"{''.join(path.suffixes[-2:]) or '(none)'}; "
                                                         f"supported: {', '.join(SUPPORTED_SUFFIXES)}")]))
                continue
            base = kind[3:] if kind.startswith("gz:") else kind
            if kind in _ARCHIVE_KINDS:
                yield from _archive_items(path, src, kind, column_map, limits, budget, 0)
                yield _FileDone()
                continue
            if base not in _SNIFFED:
                yield _Stream(read_bytes(path, src, kind, column_map, limits, budget=budget, extractor=extractor))
                continue
            data = _file_bytes(path, src, kind, limits, budget)
            if isinstance(data, Rejection):
                yield _Stream(iter([data]))
            else:
                yield _page_or_records(data, src, base, column_map, limits, budget, extractor=extractor)


def _page_or_records(data: bytes, src: Src, kind: str, column_map, limits: ArchiveLimits, budget: Budget, *,
                     depth: int = 0, extractor: Extractor | None = None, member: bool = False) -> Job | _Stream:
    """The bytes of a file (or, ``member``, of an archive member) named like a page, text or feed: a ``Job`` for
    the extractor when they hold a saved page, else the ``_Stream`` of their records read here."""
    if data.strip() and _sniffed_kind(data, kind, src.origin) == "html":
        return (_MemberJob if member else Job)(_read_page, (data, src.id_name, src.origin))
    return _Stream(read_bytes(data, src, kind, column_map, limits, depth, budget, extractor=extractor),
                   file_done=not member)


def _archive_items(source: Path | bytes, src: Src, kind: str, column_map, limits: ArchiveLimits, budget: Budget,
                   depth: int) -> Iterator[_MemberJob | _Stream]:
    """The members of a zip/tar archive, in order, as ``read_bytes`` reads them, except that a saved page (also
    gzipped, or named like text) is a ``_MemberJob`` for the extractor, like a loose page: a page that fails there
    is one rejection naming ``archive!member``, and the other members are read."""
    if depth > limits.max_depth:
        yield _Stream(iter([Rejection(src.origin, f"archive nested more than {limits.max_depth} level deep: unpack "
                                                  "it first")]), file_done=False)
        return
    produced = False
    for item in (iter_zip if kind == "zip" else iter_tar)(source, src.origin, limits, _wanted_in_folder, budget):
        produced = True
        if isinstance(item, Rejection):
            yield _Stream(iter([item]), file_done=False)
            continue
        inner = Src(id_name=f"{src.id_name}!{item.name}", origin=f"{src.origin}!{item.name}")
        member_kind = kind_of(item.name) or "text"
        if member_kind in _ARCHIVE_KINDS:
            yield from _archive_items(item.data, inner, member_kind, column_map, limits, budget, depth + 1)
            continue
        base = member_kind[3:] if member_kind.startswith("gz:") else member_kind
        data = item.data
        if base in _SNIFFED and member_kind.startswith("gz:"):
            data = read_gzip(item.data, inner.origin, limits, budget)
            if isinstance(data, Rejection):
                yield _Stream(iter([data]), file_done=False)
                continue
            member_kind = base
        if base in _SNIFFED:
            yield _page_or_records(data, inner, member_kind, column_map, limits, budget, depth=depth + 1, member=True)
        else:
            yield _Stream(read_bytes(data, inner, member_kind, column_map, limits, depth + 1, budget),
                          file_done=False)
    if not produced:  # only unsupported or hidden members: say so rather than add nothing silently
        yield _Stream(iter([Rejection(src.origin, "archive holds no supported files; supported: "
                                                  f"{', '.join(SUPPORTED_SUFFIXES)}")]), file_done=False)


def _file_bytes(path: Path, src: Src, kind: str, limits: ArchiveLimits, budget: Budget) -> bytes | Rejection:
    if kind.startswith("gz:"):
        return read_gzip(path, src.origin, limits, budget)
    try:
        return path.read_bytes()
    except OSError as exc:
        return Rejection(src.origin, f"cannot read the file ({exc.strerror or exc}); check permissions")
