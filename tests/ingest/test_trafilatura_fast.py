"""analysis.ingest.trafilatura_fast: trafilatura's XPath expressions with guarded regex tests select exactly what
the shipped ones do, on crafted trees that hit each regex and its edge cases; the switches act only inside
NewsLens's own call."""

from __future__ import annotations

import itertools
import re
import sys

import lxml.html
import pytest

from analysis.ingest import trafilatura_fast as fast

TAGS = ["div", "section", "aside", "article", "main", "p", "span", "ol", "ul", "list", "item", "details", "a"]


def _switched() -> list[tuple[str, object, object]]:
    """(name, original, prefiltered) for every expression install() switches."""
    fast.install()
    out, seen = [], set()
    for m in ("core", "main_extractor", "external", "baseline", "htmlprocessing"):
        module = sys.modules[f"trafilatura.{m}"]
        for name, value in vars(module).items():
            if isinstance(value, fast._Switched):
                out += [(f"{m}.{name}[{i}]", o, f) for i, (o, f) in enumerate(zip(value, value.fast, strict=True))
                        if o is not f]
            elif isinstance(value, fast._SwitchedXPath):
                out.append((f"{m}.{name}", value.original, value.fast))
    return [t for t in out if id(t[1]) not in seen and not seen.add(id(t[1]))]  # external shares main's


def _values(pattern: str) -> list[str]:
    """Attribute values around a regex: its required strings alone, inside words, with the case changed, cut by
    one character, with the Kelvin sign / dotless i that case folding maps to k / i, and a few plain ones."""
    strings = fast.required_strings(pattern) or []
    literals = re.findall(r"[A-Za-z][A-Za-z_ -]{2,}", pattern)
    out = ["", " ", "x", "main", "content", "article-body", "comments", "commentary", "Comment-list", "hidden",
           "post-comments", "cookie-banner", "COOKIE-BANNER", "coo\u212aie-banner", "nav", "NAV", "bar", "ad-top",
           "top ad here", "reply-1", "display:none", "sidebar-left", "share-buttons", "fulltext", "FullText",
           "fu\u0131ltext", "infinite-scroll", "mvp-post-add-box"]
    for s in [*strings, *literals]:
        out += [s, f"x {s}y", s.upper(), s[1:], s[:-1]]
    return list(dict.fromkeys(out))


def _tree(values: list[str]):
    """Every tag with each value as id, class and style, and with two values as id and class in both orders."""
    from lxml import html as lxml_html

    parts = []
    for tag, value in itertools.product(TAGS, values):
        v = value.replace('"', "")
        parts.append(f'<{tag} id="{v}"><{tag} class="{v}"><{tag} style="{v}">t</{tag}></{tag}></{tag}>')
        parts.append(f'<{tag} class="{v}" id="main"><h1>h</h1></{tag}><{tag} id="{v}" class="x" role="{v}">'
                     f"<p>t</p></{tag}><{tag}>{v}</{tag}>")
    return lxml_html.fromstring("<html><body>" + "".join(parts) + "</body></html>")


SWITCHED = _switched()


def test_install_guards_the_costly_expressions():
    names = {name for name, _o, _f in SWITCHED}
    assert {"core.RAW_TREE_PRUNE_XPATH[0]", "core.REMOVE_COMMENTS_AND_LISTS_XPATH[0]", "baseline.BASIC_CLEAN_XPATH",
            "main_extractor.OVERALL_DISCARD_XPATH[0]", "main_extractor.OVERALL_DISCARD_XPATH[1]",
            "main_extractor.BODY_XPATH[0]"} <= names


@pytest.mark.parametrize(("name", "original", "guarded"), SWITCHED, ids=[n for n, _o, _f in SWITCHED])
def test_guarded_expression_selects_what_trafilaturas_does(name, original, guarded):
    patterns = re.findall(r"re:test\([^,]+,\s*'([^']*)'", original.path)
    values = [v for p in patterns for v in _values(p)]
    tree = _tree(values)
    theirs, ours = original(tree), guarded(tree)
    assert ours == theirs
    assert theirs or name.startswith("main_extractor.COMMENTS_XPATH")  # the values do hit the expression


def test_required_strings_hold_for_every_match():
    cases = {
        "^shar|social|bread-?crumb": ["shared", "x social", "breadcrumb", "bread-crumb"],
        "[Cc]omment(?!ary)|(?:article|post)-comments": ["Comments", "article-comments", "post-comments"],
        "mvp-post-add-(?:box|wrap)|infinite-?scroll": ["mvp-post-add-wrap", "infinitescroll"],
        "(?:^| )ad-|dfp[Aa]d": [" ad-x", "ad-", "dfpAd"],
        "x{2,}yzw|abc": ["xxyzw", "abc"],
    }
    for pattern, matches in cases.items():
        strings = fast.required_strings(pattern)
        assert strings, pattern
        for m in matches:
            assert re.search(pattern, m) and any(s in m for s in strings), (pattern, m)
    for unguardable in ("a?b", "x*", "(?i)cookie", "ab|c", "[ab]cd", "^$", "(?:ab)?c"):
        assert fast.required_strings(unguardable) is None, unguardable


def test_regex_matching_the_empty_string_is_left_unguarded():
    from lxml import etree

    xp = etree.XPath(".//*[re:test(@class, 'x?')]", namespaces={"re": "http://exslt.org/regular-expressions"})
    assert fast.prefiltered(xp) is None
    xp = etree.XPath(".//*[re:test(@class, 'ab', 'i')]", namespaces={"re": "http://exslt.org/regular-expressions"})
    guarded = fast.prefiltered(xp)
    assert guarded.path == ".//*[((@class) and re:test(@class, 'ab', 'i'))]"  # case folded: presence only
    tree = etree.fromstring("<r><a class='AB'/><a class=''/><a/><a class='xaBy'/></r>")
    assert guarded(tree) == xp(tree) and len(xp(tree)) == 2


def test_switches_act_only_inside_newslens_call():
    import trafilatura.core as core
    import trafilatura.xpaths as xpaths

    fast.install()
    assert list(core.RAW_TREE_PRUNE_XPATH)[0] is xpaths.RAW_TREE_PRUNE_XPATH[0]  # as shipped
    token = fast.OWN.set(fast.Own())
    try:
        inside = list(core.RAW_TREE_PRUNE_XPATH)[0]
    finally:
        fast.OWN.reset(token)
    assert inside is not xpaths.RAW_TREE_PRUNE_XPATH[0] and "contains(@id, 'mvp-post-add-')" in inside.path
    assert list(core.RAW_TREE_PRUNE_XPATH)[0] is xpaths.RAW_TREE_PRUNE_XPATH[0]


JUSTEXT_PAGES = [
    "<html><body><div><h2>Tram line to grow</h2><p>The city council voted on Tuesday to expand the tram line, "
    "a plan that has been debated for more than a decade, and it said that the work would be done by the end of "
    "the year if the money is there and the weather allows it.<br><br>Supporters said it would cut commuting "
    "times for all of the people who live in the north of the city and who have to drive to work every day.</p>"
    "<div class='nav'><a href='/'>Home</a> | <a href='/world'>World</a></div><ul><li>One &copy; 2026</li>"
    "<li><a href='/x'>A link with enough words to be a paragraph of links</a> and some words after it</li></ul>"
    "<select><option>Choose</option></select><p>Work is expected to begin next spring and to last about three "
    "years, the council said in a statement on its web site.</p><table><tr><td>cell text</td></tr></table>"
    "</div><p></p><p>   </p><div>tail<span>inner</span>tail two<br>after one br</div></body></html>",
    "<html><body>" + "".join(f"<div><p>Paragraph {i} with the words of a sentence that is long enough to count "
                             f"as text.</p><h3>Heading {i}</h3><p><a href='/{i}'>link {i}</a></p></div>"
                             for i in range(30)) + "</body></html>",
]


def _paragraphs(maker, html: str) -> list[tuple]:
    from justext.core import classify_paragraphs, revise_paragraph_classification
    from trafilatura.baseline import basic_cleaning
    from trafilatura.external import jt_stoplist_init
    from trafilatura.utils import load_html

    paragraphs = maker.make_paragraphs(basic_cleaning(load_html(html)))
    classify_paragraphs(paragraphs, jt_stoplist_init(), 50, 150, 0.1, 0.2, 0.25, True)
    revise_paragraph_classification(paragraphs, 150)
    return [(p.text, p.dom_path, p.xpath, p.class_type, p.cf_class, p.heading, p.tags_count, p.chars_count_in_links,
             len(p), p.words_count, p.is_boilerplate) for p in paragraphs]


@pytest.mark.parametrize("html", JUSTEXT_PAGES, ids=["mixed blocks", "many blocks"])
def test_lazy_paragraphs_are_jusTexts_paragraphs(html):
    """Every field jusText and trafilatura read, after jusText's classification, is the same (1,310 pages of
    ../shared/corpora/scraped were compared the same way: none differed)."""
    from justext.core import ParagraphMaker

    ours = _paragraphs(fast.lazy_paragraph_maker(), html)
    assert ours == _paragraphs(ParagraphMaker, html)
    classes = {p[3] for p in ours}
    assert len(ours) >= 4 and "bad" in classes and ("good" in classes or html is JUSTEXT_PAGES[1])


def test_trafilatura_gets_the_lazy_paragraph_maker_only_inside_newslens_call():
    import trafilatura.external as external
    from justext.core import ParagraphMaker

    fast.install()
    seen = []
    lazy = fast.lazy_paragraph_maker()
    original = lazy.make_paragraphs
    lazy.make_paragraphs = classmethod(lambda cls, root: seen.append("lazy") or original.__func__(cls, root))
    try:
        tree = lxml.html.fromstring("<p>x</p>")
        external.ParagraphMaker.make_paragraphs(tree)
        assert seen == []
        token = fast.OWN.set(fast.Own())
        try:
            external.ParagraphMaker.make_paragraphs(tree)
        finally:
            fast.OWN.reset(token)
        assert seen == ["lazy"]
    finally:
        lazy.make_paragraphs = original
    assert external.ParagraphMaker.original is ParagraphMaker
