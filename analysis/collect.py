"""Collect RSS/Atom feeds (and with ``pages=True`` the article pages they link to) politely, as files to build from.

    python -m analysis collect https://example.org/rss.xml --into data/collected --pages --build

Politeness: a User-Agent naming NewsLens, robots.txt obeyed per host (a robots.txt that cannot be fetched because
the server fails means "disallow all", as RFC 9309 says; a missing one allows everything), at most one request per
``delay`` seconds per host, a timeout per request, retries with exponential backoff for timeouts, connection errors,
429 and 5xx answers, conditional requests (``If-None-Match`` / ``If-Modified-Since`` from the last answer's ETag and
Last-Modified, kept in ``FOLDER/.newslens-collect.json``) so a re-run fetches only what changed, and a size cap per
answer. Redirects are followed up to ``max_redirects``; a loop is reported as one.

What is saved (so a build is reproducible and nothing fetched is lost):

- a feed, each time its content changed: ``feeds/<host>/<name>.<UTC time>.xml`` (old versions stay, so items that
  dropped out of the feed stay in the store; the repeats are counted as duplicates by the build);
- a page, once: ``pages/<host>/<name>.html``, starting with the ``<!-- saved from url=(N)URL -->`` comment browsers
  write, which the HTML reader takes as the page's URL when it has no canonical one.

Every failure (timeout, 404, 500, redirect loop, robots.txt disallow, too large) is one line in
``CollectReport.errors`` naming the URL and what to do; the other URLs go on. Nothing here imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis import __version__ as NEWSLENS_VERSION

__all__ = ["STATE_FILE", "USER_AGENT", "CollectOptions", "CollectReport", "Fetched", "Fetcher", "collect"]

USER_AGENT = f"NewsLens/{NEWSLENS_VERSION} (news analysis; collects feeds and the pages they link to)"
STATE_FILE = ".newslens-collect.json"
_RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class CollectOptions:
    """``delay``: seconds between two requests to one host; ``timeout``: seconds per request; ``retries``: extra
    attempts after a timeout/connection error/429/5xx, waiting ``backoff * 2**attempt`` seconds; ``max_bytes``: an
    answer larger than this is not saved; ``max_pages``: pages fetched per run with ``pages``."""

    pages: bool = False
    delay: float = 1.0
    timeout: float = 15.0
    retries: int = 2
    backoff: float = 1.0
    max_bytes: int = 10 * 1024**2
    max_redirects: int = 5
    max_pages: int = 500
    user_agent: str = USER_AGENT
    #: False on a shared server (the dashboard): addresses on loopback, private or link-local networks are refused,
    #: so visitors cannot make the server fetch its own internal services.
    allow_private: bool = True


@dataclass
class CollectReport:
    """What a run did: counts, the files written, and one line per URL that failed (``errors``)."""

    fetched: int = 0
    unchanged: int = 0
    saved: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    disallowed: int = 0
    already_saved: int = 0
    retries: int = 0
    pages_listed: int = 0

    def summary(self) -> str:
        head = (f"collect: {self.fetched} fetched, {len(self.saved)} files saved, {self.unchanged} unchanged since "
                f"the last run (304 or same content), {self.already_saved} pages already saved, "
                f"{self.disallowed} disallowed by robots.txt, {self.retries} retries, {len(self.errors)} failed")
        lines = [head]
        lines += [f"  failed: {e}" for e in self.errors[:50]]
        if len(self.errors) > 50:
            lines.append(f"  ... and {len(self.errors) - 50} more failures")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    location: str | None = None  # of a redirect


class FetchError(Exception):
    """A URL that could not be fetched; the message says why and what to do."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # redirects are followed by Fetcher, which counts them and detects loops


class Fetcher:
    """HTTP GETs with the politeness rules of :class:`CollectOptions`; ``sleep``/``clock`` are injectable for tests."""

    def __init__(self, options: CollectOptions, report: CollectReport, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.options, self.report, self.sleep, self.clock = options, report, sleep, clock
        self._opener = urllib.request.build_opener(_NoRedirect())
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}

    # -- politeness
    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            wait = self.options.delay - (self.clock() - last)
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def allowed(self, url: str) -> bool:
        """robots.txt says this User-Agent may fetch ``url``. Raises FetchError when robots.txt answers 5xx or
        cannot be reached (then nothing of the host is fetched)."""
        parts = urllib.parse.urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        rules = self._robots.get(key)
        if rules is None:
            rules = self._load_robots(key)
            self._robots[key] = rules
        if isinstance(rules, str):
            raise FetchError(rules)
        return rules.can_fetch(self.options.user_agent, url)

    def _load_robots(self, base: str) -> urllib.robotparser.RobotFileParser | str:
        parser = urllib.robotparser.RobotFileParser(base + "/robots.txt")
        try:
            got = self._get(base + "/robots.txt", {}, retries=self.options.retries)
        except FetchError as exc:
            return (f"robots.txt of {base} could not be read ({exc}): nothing fetched from this host (RFC 9309: an "
                    "unreachable robots.txt means disallow all)")
        if got.status >= 500:
            return (f"robots.txt of {base} answered HTTP {got.status}: nothing fetched from this host (RFC 9309: "
                    "an unreachable robots.txt means disallow all) - try later")
        if got.status >= 400:
            parser.parse([])  # no robots.txt: everything allowed
        else:
            parser.parse(got.body.decode("utf-8", "replace").splitlines())
        return parser

    # -- requests
    def get(self, url: str, conditional: dict[str, str] | None = None) -> Fetched:
        """GET ``url`` following redirects (robots.txt checked for every hop). Raises FetchError with the reason."""
        seen = [url]
        current = url
        for _hop in range(self.options.max_redirects + 1):
            if not self.options.allow_private and _private_host(current):
                raise FetchError("address on a loopback, private or link-local network: not fetched from this server")
            if not self.allowed(current):
                self.report.disallowed += 1
                raise FetchError(f"disallowed by robots.txt for {self.options.user_agent.split(' ')[0]}: not fetched")
            got = self._get(current, conditional or {}, retries=self.options.retries)
            if got.status in (301, 302, 303, 307, 308):
                target = urllib.parse.urljoin(current, got.location or "")
                if target in seen:
                    raise FetchError(f"redirect loop ({' -> '.join(seen + [target])[:300]}): fix the URL")
                seen.append(target)
                current = target
                continue
            got.url = current
            return got
        raise FetchError(f"more than {self.options.max_redirects} redirects ({' -> '.join(seen)[:300]}): fix the URL")

    def _get(self, url: str, headers: dict[str, str], retries: int) -> Fetched:
        host = urllib.parse.urlsplit(url).netloc
        attempt = 0
        while True:
            self._wait_turn(host)
            try:
                return self._once(url, headers)
            except _Retryable as exc:
                if attempt >= retries:
                    raise FetchError(f"{exc} after {attempt + 1} attempts: try later") from None
                self.report.retries += 1
                self.sleep(self.options.backoff * 2**attempt)
                attempt += 1

    def _once(self, url: str, headers: dict[str, str]) -> Fetched:
        req = urllib.request.Request(url, headers={"User-Agent": self.options.user_agent,
                                                   "Accept-Encoding": "identity", **headers})
        try:
            resp = self._opener.open(req, timeout=self.options.timeout)
        except urllib.error.HTTPError as exc:
            status = exc.code
            if status in (301, 302, 303, 307, 308):
                location = exc.headers.get("Location") or ""
                if not location:
                    raise FetchError(f"HTTP {status} redirect without a Location header") from None
                return Fetched(url, status, location=location)
            if status == 304:
                return Fetched(url, 304)
            if status in _RETRY_STATUS:
                raise _Retryable(f"HTTP {status} {exc.reason}") from None
            if url.endswith("/robots.txt"):
                return Fetched(url, status)
            raise FetchError(f"HTTP {status} {exc.reason}: check the URL") from None
        except TimeoutError as exc:
            raise _Retryable(f"no answer within {self.options.timeout:g} s ({exc})") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise _Retryable(f"no answer within {self.options.timeout:g} s") from None
            raise _Retryable(f"cannot connect ({reason})") from None
        except (ConnectionError, OSError) as exc:
            raise _Retryable(f"connection failed ({exc})") from None
        with resp:
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.options.max_bytes:
                raise FetchError(f"answer of {int(declared):,} bytes is over the {self.options.max_bytes:,}-byte "
                                 "cap: not saved")
            try:
                body = resp.read(self.options.max_bytes + 1)
            except TimeoutError:
                raise _Retryable(f"answer not finished within {self.options.timeout:g} s") from None
            if len(body) > self.options.max_bytes:
                raise FetchError(f"answer over the {self.options.max_bytes:,}-byte cap: not saved")
            return Fetched(url, resp.status, body, resp.headers.get("ETag"), resp.headers.get("Last-Modified"),
                           resp.headers.get("Content-Type") or "")


class _Retryable(Exception):
    pass


def _private_host(url: str) -> bool:
    """True when the URL's host resolves to (or is) a loopback, private, link-local or reserved address."""
    import ipaddress

    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable: the request itself will fail and say so
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast \
                or ip.is_unspecified:
            return True
    return False


# ----------------------------------------------------------------------------------------------------- saving
_RE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _name_for(url: str) -> tuple[str, str]:
    """(host folder, file stem) for a URL: readable, filesystem-safe, unique (a short hash of the whole URL)."""
    parts = urllib.parse.urlsplit(url)
    host = _RE_UNSAFE.sub("_", parts.hostname or "unknown")[:100] or "unknown"
    path = _RE_UNSAFE.sub("_", (parts.path + ("?" + parts.query if parts.query else "")).strip("/"))[:80].strip("_.")
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return host, f"{path or 'index'}-{digest}"


def _saved_from(url: str) -> bytes:
    """The comment browsers put at the top of a saved page; the URL is percent-encoded so it cannot end it."""
    safe = urllib.parse.quote(url, safe=":/?&=#%;+,@!$'()*[]~")
    return f"<!-- saved from url=({len(safe):04d}){safe} -->\n".encode("ascii")


def _is_feed(got: Fetched) -> bool:
    from analysis.ingest.feeds import looks_like_feed

    return looks_like_feed(got.body) or any(t in got.content_type for t in ("rss", "atom"))


def _load_state(folder: Path) -> dict:
    path = folder / STATE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        # A damaged state file only costs full (unconditional) requests; keep it aside rather than lose it.
        path.replace(path.with_suffix(".damaged.json"))
        return {}


def _conditional(entry: dict | None) -> dict[str, str]:
    headers = {}
    if entry and entry.get("etag"):
        headers["If-None-Match"] = entry["etag"]
    if entry and entry.get("last_modified"):
        headers["If-Modified-Since"] = entry["last_modified"]
    return headers


def collect(urls: Sequence[str], into: str | Path, options: CollectOptions | None = None,
            fetcher: Fetcher | None = None) -> CollectReport:
    """Fetch ``urls`` (feeds or pages) into the folder ``into``; returns a :class:`CollectReport`. Never raises for
    a URL that fails: it becomes a line in ``report.errors``."""
    options = options or CollectOptions()
    folder = Path(into)
    folder.mkdir(parents=True, exist_ok=True)
    report = CollectReport()
    fetcher = fetcher or Fetcher(options, report)
    state = _load_state(folder)
    page_links: list[str] = []
    for url in urls:
        url = url.strip()
        if not re.match(r"^https?://", url, re.IGNORECASE):
            report.errors.append(f"{url}: not an http(s) URL - give a feed or page address starting with https://")
            continue
        got = _fetch(fetcher, url, state, report)
        if got is None:
            last = (state.get(url) or {}).get("file")
            if options.pages and last and last.startswith("feeds/") and (folder / last).is_file():
                # Unchanged feed: its pages that failed last time are tried again.
                page_links += _feed_links((folder / last).read_bytes(), (state.get(url) or {}).get("final_url", url))
            continue
        if _is_feed(got):
            _save_feed(folder, url, got, state, report)
            if options.pages:
                page_links += _feed_links(got.body, got.url)
        else:
            _save_page(folder, url, got, state, report)
    if options.pages:
        pending = [u for u in dict.fromkeys(page_links) if u not in state or not state[u].get("file")]
        report.already_saved += len(set(page_links)) - len(pending)
        report.pages_listed = len(set(page_links))
        for link in pending[: options.max_pages]:
            got = _fetch(fetcher, link, state, report)
            if got is not None:
                _save_page(folder, link, got, state, report)
        if len(pending) > options.max_pages:
            report.errors.append(f"{len(pending) - options.max_pages} linked pages not fetched: over max_pages="
                                 f"{options.max_pages} for one run - run collect again for the rest")
    (folder / STATE_FILE).write_text(json.dumps(state, indent=1, ensure_ascii=False), encoding="utf-8")
    return report


def _fetch(fetcher: Fetcher, url: str, state: dict, report: CollectReport) -> Fetched | None:
    entry = state.get(url)
    try:
        got = fetcher.get(url, _conditional(entry))
    except FetchError as exc:
        report.errors.append(f"{url}: {exc}")
        return None
    report.fetched += 1
    if got.status == 304:
        report.unchanged += 1
        return None
    if got.status != 200:
        report.errors.append(f"{url}: HTTP {got.status}: not saved")
        return None
    if not got.body.strip():
        report.errors.append(f"{url}: empty answer: not saved")
        return None
    return got


def _remember(state: dict, url: str, got: Fetched, file: str | None, digest: str) -> None:
    state[url] = {"etag": got.etag, "last_modified": got.last_modified, "file": file, "sha256": digest,
                  "fetched_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "final_url": got.url}


def _save_feed(folder: Path, url: str, got: Fetched, state: dict, report: CollectReport) -> None:
    digest = hashlib.sha256(got.body).hexdigest()
    entry = state.get(url) or {}
    if entry.get("sha256") == digest:
        report.unchanged += 1
        _remember(state, url, got, entry.get("file"), digest)
        return
    host, stem = _name_for(url)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    rel = Path("feeds") / host / f"{stem}.{stamp}.xml"
    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
    (folder / rel).write_bytes(got.body)
    report.saved.append(rel.as_posix())
    _remember(state, url, got, rel.as_posix(), digest)


def _save_page(folder: Path, url: str, got: Fetched, state: dict, report: CollectReport) -> None:
    from analysis.ingest.html import looks_like_html

    if not looks_like_html(got.body) and "html" not in got.content_type:
        report.errors.append(f"{url}: neither a feed nor an HTML page ({got.content_type or 'no Content-Type'}): "
                             "not saved")
        return
    host, stem = _name_for(url)
    rel = Path("pages") / host / f"{stem}.html"
    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
    (folder / rel).write_bytes(_saved_from(got.url) + got.body)
    report.saved.append(rel.as_posix())
    _remember(state, url, got, rel.as_posix(), hashlib.sha256(got.body).hexdigest())


def _feed_links(body: bytes, base: str) -> list[str]:
    import feedparser

    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    links = []
    for entry in parsed.get("entries") or []:
        link = entry.get("link")
        if link:
            absolute = urllib.parse.urljoin(base, link)
            if absolute.startswith(("http://", "https://")):
                links.append(absolute)
    return links
