"""The headline: who did what, at most 14 words, from the most central lead sentence or title.

Candidates are the articles' titles written in sentence case and their first sentences; each is
compressed to its main clause (cut before a subordinate clause or a dash) and must fit in 14 words
and pass the verifier and the selection's ``Gate`` (no contested figure, misquote or minority
name in a headline either). The one sharing the most content with the other origins wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsloom.model import Article
from newsloom.text import content_words, is_complete
from newsloom.verify import SourceIndex, check_sentence

from .rewrite import absolute_dates, drop_opener
from .select import Candidate, Gate, _readable
from .variants import nicknames

MAX_WORDS = 14
_CUT = re.compile(
    r"\s+(?:\u2014|\u2013|-)\s+|,\s+|;\s+|:\s+|\s+(?=(?:as|while|amid|after|following|"
    r"despite|because|which|who|when|where|though|although|in what|marking|raising|"
    r"prompting|leaving|according to)\b)"
)


def compress(text: str, limit: int = MAX_WORDS) -> str | None:
    """The main clause of ``text`` in at most ``limit`` words, or ``None``."""
    text = drop_opener(text.strip()).rstrip(".!")
    if len(text.split()) <= limit:
        return text
    best = None
    for m in _CUT.finditer(text):
        head = text[: m.start()].strip()
        n = len(head.split())
        if n > limit:
            break
        if n >= 5 and head.count('"') % 2 == 0 and head.count("\u201c") == head.count("\u201d"):
            best = head
    return best


def _sentence_case(title: str) -> bool:
    ws = [w for w in title.split() if w[:1].isalpha()]
    caps = sum(w[0].isupper() for w in ws[1:])
    return bool(ws) and caps <= max(2, len(ws) // 3)


def headline(chosen: Sequence[Candidate], index: SourceIndex) -> tuple[str, list] | None:
    """The best verified headline text and its citations."""
    # titles and article leads state the event; body sentences are a fallback (a detail
    # repeated by many outlets is not what happened)
    pool: list[tuple[str, bool, Article | None]] = []
    for a in index.articles.values():
        if a.title and _sentence_case(a.title):
            pool.append((a.title, True, a))
    # each article's first complete sentence (the index already split the texts)
    for s in index.sentences:
        if s.index == 0 and is_complete(s.text):
            pool.append((s.text, True, index.articles[s.article_id]))
    for c in chosen:  # already through the gate
        pool.append((c.text, False, None))
    body = set().union(*(c.content for c in chosen)) if chosen else set()
    gate = Gate.of(index)
    best, best_key = None, None
    for text, is_lead, article in pool:
        short = compress(text)
        if short is None:
            continue
        if absolute_dates(short, None) is None or not _readable(short):
            continue
        chk = check_sentence(nicknames(short, index), index)
        if chk.verdict == "dropped":
            continue
        if article is not None and gate.details(chk.text, article.origin, article) is None:
            continue
        origins = {index.articles[c.article_id].origin for c in chk.citations}
        key = (is_lead, min(len(origins), 3), len(content_words(short) & body), -len(short.split()))
        if best_key is None or key > best_key:
            best, best_key = (chk.text, chk.citations), key
    return best
