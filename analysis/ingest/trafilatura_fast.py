"""Speed-ups of trafilatura that keep its output byte for byte, acting only inside NewsLens's own calls.

Every one is switched on by :data:`OWN` (set by ``analysis.ingest.html`` around its parse and its
``bare_extraction`` call); trafilatura called anywhere else in the process behaves as shipped (tested). What they
save, measured on the pages of ``../shared/corpora/scraped``, is in bench/README.md ("Saved pages, WARC and feeds").

- :func:`fast_parser`: trafilatura's parser with lxml's C-level element class lookup (lxml.html's is a Python
  method, run for every element object made: thousands per page).
- a lent tree: ``bare_extraction`` copies a tree it is given; NewsLens is done with the tree by then, so the copy
  is skipped (:class:`Own` ``lend``).
- :func:`lazy_paragraph_maker`: jusText's paragraph maker (trafilatura's last rescue of a short or unclean
  extraction) with each paragraph's DOM path and XPath strings made when read and its text joined once, not at
  every block boundary and every read: it makes a paragraph at each boundary and drops most of them empty.
- :func:`prefiltered`: trafilatura's XPath expressions with every ``re:test(@attr, 'regex')`` (a call back into
  Python for each element tested) guarded by a plain XPath test that every match needs: ``contains(@attr, s)``
  for a few strings every match of the regex holds (:func:`required_strings`, derived from the regex itself, not
  written per expression), else the attribute's presence. The regex then runs only on elements that may match;
  a regex that matches the empty string is left unguarded.
"""

from __future__ import annotations

import contextvars
import functools
import re
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["OWN", "Own", "fast_parser", "install", "lazy_paragraph_maker", "prefiltered", "required_strings"]


@dataclass
class Own:
    """State of one NewsLens call into trafilatura."""

    lend: Any = None  # a tree bare_extraction may change in place: NewsLens is done with it (one copy saved)


OWN: contextvars.ContextVar[Own | None] = contextvars.ContextVar("newslens_own_call", default=None)
_FAST_PARSER: dict[int, Any] = {}


def fast_parser(parser):
    """``parser`` (trafilatura's HTML_PARSER) with lxml's C-level element class lookup instead of lxml.html's
    Python one. Every element is then a plain ``HtmlElement`` (lxml.html makes form fields ``InputElement``...:
    nothing in trafilatura, htmldate or NewsLens uses their form API); comments and processing instructions this
    parser removes anyway."""
    fast = _FAST_PARSER.get(id(parser))
    if fast is None:
        from lxml import etree
        from lxml import html as lxml_html

        fast = parser.copy()  # the same options
        fast.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
            entity=lxml_html.HtmlEntity))
        _FAST_PARSER[id(parser)] = fast
    return fast


# ------------------------------------------------------------------------------------------ jusText paragraphs
@functools.cache
def lazy_paragraph_maker():
    """A subclass of jusText's ``ParagraphMaker`` whose paragraphs give the same ``dom_path``, ``xpath``, ``text``
    and counts, computed when read (and the text once, until more is appended). On the 13 of 150 fundus pages where
    trafilatura ran jusText: 84 ms a page, ~0.4 s of it making paragraphs that were dropped empty."""
    from justext.core import ParagraphMaker
    from justext.paragraph import Paragraph
    from justext.utils import normalize_whitespace

    class LazyParagraph(Paragraph):
        def __init__(self, path) -> None:  # noqa: D107 - Paragraph's fields, the path kept as its (tag, order) pairs
            self._path = [e[:2] for e in path._elements]
            self._dom = self._xpath = self._text = None
            self.text_nodes = []
            self.chars_count_in_links = 0
            self.tags_count = 0
            self.class_type = ""

        @property
        def dom_path(self) -> str:
            if self._dom is None:
                self._dom = ".".join(e[0] for e in self._path)
            return self._dom

        @property
        def xpath(self) -> str:
            if self._xpath is None:
                self._xpath = "/" + "/".join("%s[%d]" % e for e in self._path)  # noqa: UP031 - jusText's form
            return self._xpath

        @property
        def text(self) -> str:
            if self._text is None:
                self._text = normalize_whitespace("".join(self.text_nodes).strip())
            return self._text

        def append_text(self, text):
            self._text = None
            return super().append_text(text)

    class LazyParagraphMaker(ParagraphMaker):
        def _start_new_pragraph(self) -> None:  # jusText's spelling
            if self.paragraph and self.paragraph.contains_text():
                self.paragraphs.append(self.paragraph)
            self.paragraph = LazyParagraph(self.path)

    return LazyParagraphMaker


class _SwitchedParagraphMaker:
    """trafilatura's ``ParagraphMaker``: :func:`lazy_paragraph_maker`'s inside NewsLens's call, jusText's outside."""

    def __init__(self, original) -> None:
        self.original = original

    def make_paragraphs(self, root):
        return (lazy_paragraph_maker() if OWN.get() is not None else self.original).make_paragraphs(root)

    def __getattr__(self, name: str):
        return getattr(self.original, name)


# ------------------------------------------------------------------------------------------ regex prefilters
_MIN_GUARD = 3  # shorter required strings guard too little to pay for themselves
#: More contains() tests than this cost more than the one call into Python's re they save (measured)
_MAX_CONTAINS = 4


def required_strings(pattern: str) -> list[str] | None:
    """Strings of which every match of ``pattern`` (``re.search``, case sensitive) contains at least one, or None
    when no such set is found (an alternative without a run of literal characters, inline flags, a pattern that
    matches the empty string).

    >>> required_strings("^shar|social|bread-?crumb")
    ['shar', 'social', 'bread']
    >>> required_strings("[Cc]omment(?!ary)|(?:article|post)-comments")
    ['omment', '-comments']
    >>> required_strings("a?b") is None
    True
    """
    try:
        from re import _constants as c
        from re import _parser as sre
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_constants as c  # type: ignore[no-redef]
        import sre_parse as sre  # type: ignore[no-redef]
    try:
        parsed = sre.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & ~int(re.UNICODE):
        return None
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}

    def required(seq) -> list[str] | None:
        options: list[list[str]] = []
        run: list[str] = []

        def close() -> None:
            if run:
                if len(run) >= _MIN_GUARD:
                    options.append(["".join(run)])
                run.clear()

        for op, av in seq:
            if op is c.LITERAL:
                run.append(chr(av))
                continue
            close()
            got = None
            if op is c.SUBPATTERN:
                _group, add_flags, del_flags, sub = av
                got = None if add_flags or del_flags else required(sub)
            elif op is c.BRANCH:
                alternatives = [required(b) for b in av[1]]
                got = [s for a in alternatives for s in a] if all(alternatives) else None
            elif op in repeats and av[0] >= 1:
                got = required(av[2])
            if got:
                options.append(got)
        close()
        # the option whose weakest string is longest: the rarest to occur by chance
        return max(options, key=lambda o: (min(map(len, o)), -len(o))) if options else None

    found = required(parsed)
    if not found or re.search(pattern, ""):
        return None
    return list(dict.fromkeys(found))


_RE_TEST = re.compile(r"re:test\(\s*(@[\w:.-]+(?:\s*\|\s*@[\w:.-]+)*)\s*,\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)")


def _guard(match: re.Match) -> str:
    attrs = [a.strip() for a in match.group(1).split("|")]
    flags = match.group(3) or ""
    if set(flags) - {"i", "g"}:
        return match.group(0)
    ignore_case = "i" in flags
    try:
        if re.search(match.group(2), "", re.IGNORECASE if ignore_case else 0):
            return match.group(0)  # matches a missing attribute too: no guard
    except re.error:
        return match.group(0)
    strings = None if ignore_case else required_strings(match.group(2))
    if strings and len(attrs) * len(strings) <= _MAX_CONTAINS and not any("'" in s for s in strings):
        tests = [f"contains({a}, '{s}')" for a in attrs for s in strings]
    else:  # many strings (or case folded: translate() costs more than the regex): the attribute's presence
        tests = attrs
    return f"(({' or '.join(tests)}) and {match.group(0)})"


def prefiltered(xpath):
    """``xpath`` (an ``lxml.etree.XPath``) with each ``re:test(@attr, 'regex'[, flags])`` guarded (see the module
    docstring), or None when none could be. A guarded test selects exactly what the bare one does: the guard holds
    for every attribute value the regex matches (of ``@a|@b``, re:test tests one of the two; the guard checks
    both), and a missing attribute, which re:test reads as "", fails both.
    """
    from lxml import etree

    path = getattr(xpath, "path", None)
    if not isinstance(path, str) or "re:test" not in path:
        return None
    guarded = _RE_TEST.sub(_guard, path)
    if guarded == path:
        return None
    return etree.XPath(guarded, namespaces={"re": "http://exslt.org/regular-expressions"})


class _Switched(list):
    """A list of trafilatura's XPath expressions that iterates as the prefiltered ones inside NewsLens's call."""

    def __init__(self, original: list, fast: list) -> None:
        super().__init__(original)
        self.fast = fast

    def __iter__(self):
        return iter(self.fast) if OWN.get() is not None else super().__iter__()


class _SwitchedXPath:
    """One of trafilatura's XPath expressions, called as its prefiltered twin inside NewsLens's call."""

    def __init__(self, original, fast) -> None:
        self.original, self.fast = original, fast

    def __call__(self, *args, **kwargs):
        return (self.fast if OWN.get() is not None else self.original)(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.original, name)


def _switch_xpaths(module) -> None:
    from lxml import etree

    for name, value in list(vars(module).items()):
        if not name.isupper() or isinstance(value, _Switched | _SwitchedXPath):
            continue
        if isinstance(value, etree.XPath):
            fast = prefiltered(value)
            if fast is not None:
                setattr(module, name, _SwitchedXPath(value, fast))
        elif type(value) is list and value and all(isinstance(x, etree.XPath) for x in value):
            fast_list = [prefiltered(x) or x for x in value]
            if any(f is not x for f, x in zip(fast_list, value, strict=True)):
                setattr(module, name, _Switched(value, fast_list))


# ------------------------------------------------------------------------------------------------ install
_INSTALLED = False
_INSTALL_LOCK = threading.Lock()


def install() -> None:
    """Put the switches in place (once per process): ``trafilatura.utils.fromstring`` (its parse),
    ``trafilatura.core.copy``, jusText's paragraph maker as trafilatura calls it, and the XPath expressions
    trafilatura's extraction modules use."""
    global _INSTALLED
    if _INSTALLED:
        return
    with _INSTALL_LOCK:  # builds may run in threads (the Data page): wrap once
        if not _INSTALLED:
            _install()
            _INSTALLED = True


def _install() -> None:
    from importlib import import_module

    # import_module, not "import trafilatura.baseline as ...": the package's ``baseline`` attribute is a function
    core, utils = import_module("trafilatura.core"), import_module("trafilatura.utils")
    modules = [import_module(f"trafilatura.{m}") for m in ("core", "main_extractor", "external", "baseline",
                                                             "htmlprocessing")]

    original_fromstring = utils.fromstring
    html_parser = utils.HTML_PARSER

    def fromstring(html, *args, parser=None, **kwargs):
        if parser is html_parser and OWN.get() is not None:
            parser = fast_parser(parser)
        return original_fromstring(html, *args, parser=parser, **kwargs)

    utils.fromstring = fromstring
    original_copy = core.copy

    def copy(x):
        own = OWN.get()
        if own is not None and own.lend is not None and x is own.lend:
            own.lend = None  # only bare_extraction's first copy, of its input tree; later ones are needed
            return x
        return original_copy(x)

    core.copy = copy
    external = import_module("trafilatura.external")
    if not isinstance(external.ParagraphMaker, _SwitchedParagraphMaker):
        external.ParagraphMaker = _SwitchedParagraphMaker(external.ParagraphMaker)
    for module in modules:
        _switch_xpaths(module)
