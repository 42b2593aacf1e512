"""Shared text helpers: sentence spans, matching normalisation, words, numbers and names.

Everything here works offline from rules shipped in PyPI packages (pysbd for sentence
boundaries); no NLTK or spaCy data is needed. Every stage that looks at words uses these, so
the clusterer, the synthesizer, the verifier and the evaluations agree on what a word is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pysbd

END_PUNCT = (".", "!", "?", '"', "\u201d", "'", "\u2019", ")", "\u2026")


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence of a text: ``text[start:end]`` stripped of surrounding white space."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentence spans, paragraph by paragraph (newlines always break).

    Offsets index into the original ``text`` so citations can point at exact characters.
    """
    spans: list[Span] = []
    pos = 0
    for para in text.split("\n"):
        if para.strip():
            for seg in _segmenter().segment(para):
                raw = seg.sent
                lead = len(raw) - len(raw.lstrip())
                body = raw.strip()
                if body:
                    start = pos + seg.start + lead
                    spans.append(Span(body, start, start + len(body)))
        pos += len(para) + 1
    return spans


def is_complete(sentence: str) -> bool:
    """True when a sentence ends with end punctuation (otherwise the excerpt was cut there)."""
    return sentence.rstrip().endswith(END_PUNCT)


_DASHES = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
    }
)
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3}\b)")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The matching normalisation of the evaluation rules (NFKC, lower case, plain quotes and
    dashes, no digit-group commas, folded white space)."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).lower()
    text = _DIGIT_COMMA.sub("", text)
    return _SPACES.sub(" ", text).strip()


def contains(haystack_norm: str, needle: str) -> bool:
    """Substring match under the evaluation rules: ``needle`` may not begin inside a word, and
    one that ends with a digit may not be followed by a digit. ``haystack_norm`` is normalised."""
    n = normalize(needle)
    if not n:
        return False
    i = haystack_norm.find(n)
    while i >= 0:
        before_ok = i == 0 or not haystack_norm[i - 1].isalnum()
        j = i + len(n)
        after_ok = not (n[-1].isdigit() and j < len(haystack_norm) and haystack_norm[j].isdigit())
        if before_ok and after_ok:
            return True
        i = haystack_norm.find(n, i + 1)
    return False


_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\u2019-]*|\d+(?:[.,]\d+)*")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves said says say told
    according would could may might must shall one two new also mr mrs ms""".split()
)


def words(text: str) -> list[str]:
    """Word and number tokens, lower-cased."""
    return [w.lower().strip("'\u2019-") for w in _WORD.findall(text)]


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry content (no stop words, no one-letter tokens)."""
    return {w for w in words(text) if len(w) > 1 and w not in STOPWORDS}


def numbers(text: str) -> list[str]:
    """Numbers as printed (a run of digits with inner "," or ".")."""
    return NUMBER.findall(text)


_CAP = r"[A-Z\u00C0-\u00DE][\w'\u2019.-]*"
_NAME_RUN = re.compile(rf"{_CAP}(?:\s+(?:(?:de|da|van|von|al|bin|del|la|le)\s+)?{_CAP})*")


def capitalized_runs(text: str) -> list[str]:
    """Runs of capitalised words ("Volodymyr Zelensky", "Kyiv"), the offline stand-in for a
    named-entity recogniser. A run that starts a sentence keeps its first word; callers that need
    names of people filter further (see ``verify``)."""
    return [m.group(0).rstrip(".'\u2019") for m in _NAME_RUN.finditer(text)]
