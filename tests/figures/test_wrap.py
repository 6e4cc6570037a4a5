import random
import textwrap

from analysis.figures._util import _greedy_wrap, wrap_text


def test_wrap_matches_textwrap_for_ordinary_words():
    rng = random.Random(0)
    for _ in range(2000):
        words = ["".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 30))) for _ in range(rng.randint(0, 40))]
        assert _greedy_wrap(words, 80) == (textwrap.wrap(" ".join(words), width=80) or [""])


def test_overlong_words_are_cut_and_nothing_is_lost():
    words = ["short", "x" * 200, "tail"]
    lines = _greedy_wrap(words, 80)
    assert all(len(line) <= 80 for line in lines)
    assert "".join(lines).replace(" ", "") == "".join(words)


def test_wrap_text_escapes_each_line():
    assert wrap_text("<script>alert(1)</script> " * 3, width=30).count("&lt;script&gt;") == 3
