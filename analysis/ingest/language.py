"""Language of an article: a cheap English check first, then py3langid (an offline detector whose model ships in
its wheel; nothing is downloaded) for every text that is not clearly English.

Clearly English (>= 12% of the first 200 words are English function words) is decided without the model: that is
nearly every article of an English corpus, and the model costs ~0.7 s to load and ~0.2 ms per text. Everything
else with any sign of another language (5% of the words with non-ASCII letters, or three different function words
of another language making 5% of the words)
goes to py3langid on its first ``SAMPLE_CHARS`` characters; its answer is taken when its probability is at least
``MIN_PROBABILITY`` (0.5 when it names the language whose function words were seen), otherwise the text keeps the
cheap guess. ASCII text with no such sign (Reuters earnings
tables: "Shr loss six cts vs profit 19 cts") stays English, as it was.

>>> detect_language("Tres días después de la jornada electoral en Estados Unidos, lo apretado de la diferencia.")
'es'
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = ["detect_language", "SAMPLE_CHARS", "MIN_PROBABILITY"]

SAMPLE_CHARS = 600
MIN_PROBABILITY = 0.8

_STOPWORDS = {
    "en": "the of and to in a is that for it was on with as he be by at from his are have this not but an they "
          "which were has been said will their its would who had or more after than also",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus "
          "er hat dass sie nach wird bei einer um am sind noch wie",
    "fr": "le la les de des et en un une du que est dans qui par pour au pas sur se ne plus il sont avec ce aux "
          "elle été son sa ses mais ou",
    "es": "el la los las de del y en un una que es por con para se al lo como más pero sus su le ha fue este "
          "entre cuando muy sin sobre",
    "it": "il lo la gli le di del della e in un una che è per con non si da al alla sono anche come più ma dei "
          "nel nella questo",
    "pt": "o a os as de do da dos das e em um uma que é para com não se no na por mais ao pelo pela foi seu sua "
          "mas como",
    "nl": "de het een en van in is dat op te zijn met voor niet aan er om ook als door bij maar nog wordt werd "
          "naar uit dan",
    # Latin-script languages often written without accents: only a sign to ask the model, never an answer.
    "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke karena oleh telah bahwa",
    "tl": "ang ng sa mga na ay at si ni kay para hindi ito",
    "sw": "na ya wa kwa za la katika ni kuwa hiyo hii",
}
_STOPSETS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
_EN = _STOPSETS["en"]
_ANSWERING = ("de", "fr", "es", "it", "pt", "nl")  # the cheap guess may name these without the model
_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _stops in _STOPSETS.items():
    for _w in _stops:
        _WORD_LANGS[_w] = _WORD_LANGS.get(_w, ()) + (_lang,)
_RE_WORD = re.compile(r"[^\W\d_]+")

_MODEL: list[Any] = []
_MODEL_LOCK = threading.Lock()


def _identifier():
    """py3langid's identifier with normalised probabilities, loaded once (None when the package is missing)."""
    if not _MODEL:
        with _MODEL_LOCK:
            if not _MODEL:
                try:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier

                    _MODEL.append(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
                except ImportError:  # pragma: no cover - pinned in requirements.txt
                    _MODEL.append(None)
    return _MODEL[0]


def _cheap_guess(words: list[str], default: str | None, ascii_only: bool) -> tuple[str | None, bool, list[str]]:
    """``(guess, ask the model, languages whose function words were seen)`` from function-word counts; text that
    is not clearly English is sent to the model when 5% of its words have non-ASCII letters or it has another
    language's function words."""
    n = len(words)
    if sum(1 for w in words if w in _STOPSETS["en"]) >= 0.12 * n:
        return default, False, []  # the common case: clearly English
    hits = dict.fromkeys(_STOPSETS, 0)
    distinct: dict[str, set[str]] = {lang: set() for lang in _STOPSETS}
    for w in words:
        for lang in _WORD_LANGS.get(w, ()):
            hits[lang] += 1
            distinct[lang].add(w)
    # Evidence to ask the model: words of 3+ letters ("que", "dan", "der"), not "a", "no", "as" found in English too.
    foreign = [lang for lang in _STOPSETS if lang != "en" and hits[lang] >= 0.05 * n
               and sum(1 for w in distinct[lang] if len(w) >= 3) >= 3]
    best = max(_ANSWERING, key=lambda k: hits[k])
    ratio = hits[best] / n
    # Several different function words are needed: tables full of "no"/"a" are not Portuguese.
    if ratio >= 0.12 and ratio > 1.5 * hits["en"] / n and len(distinct[best]) >= 5:
        return best, True, foreign
    return default, bool(foreign) or not ascii_only, foreign


def detect_language(text: str, default: str | None = "en") -> str | None:
    """ISO 639-1 code of ``text`` ("en", "es", "ja", ...), ``default`` when it cannot tell (short texts, tables),
    ``None`` for a mostly non-Latin text the model cannot place."""
    sample = (text or "")[:2000]
    words = _RE_WORD.findall(sample.lower())[:200]
    n = len(words)
    if n >= 12 and sum(1 for w in words if w in _EN) >= 0.12 * n:
        return default  # the common case, decided first: clearly English
    if n < 12 and sample.isascii():
        return default
    non_latin = not sample.isascii() and n and sum(1 for w in words if w.isascii() or max(w) < "\u0250") < 0.5 * n
    if non_latin:
        guess, ask, seen = None, True, []
    elif n < 12:  # a title, or a line: only a confident model overrides the default
        guess, ask, seen = default, True, []
    else:
        accented = sum(1 for w in words if not w.isascii()) >= 0.05 * n
        guess, ask, seen = _cheap_guess(words, default, not accented)
    if not ask:
        return guess
    ident = _identifier()
    if ident is None:
        return guess
    lang, prob = ident.classify(sample[:SAMPLE_CHARS])
    # The model agreeing with the function words seen needs less confidence ("yang", "dan", "di": Indonesian).
    return lang if prob >= MIN_PROBABILITY or (lang in seen and prob >= 0.5) else guess
