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
from .select import _JUNK, Candidate, Gate, _readable
from .variants import nicknames

MAX_WORDS = 14
_CUT = re.compile(
    r"\s+(?:\u2014|\u2013|-)\s+|,\s+|;\s+|:\s+|\s+(?=(?:as|while|amid|after|following|"
    r"despite|because|which|who|when|where|though|although|in what|marking|raising|"
    r"prompting|leaving|according to)\b)"
)


# a finite verb, roughly: a past tense in -ed, an auxiliary, or a common irregular verb. A cut
# head without one is a subject alone ("An official, Abdul Jahad, the district governor")
_VERB = re.compile(
    r"\b(?:(?!aged\b)[a-z][a-z-]+ed|is|are|was|were|has|have|had|will|would|can|could|may|might|must|"
    r"says?|said|tells?|told|hits?|struck|strikes|wins?|won|loses|lost|leaves|left|makes?|made|"
    r"takes?|took|gives?|gave|meets?|met|cuts?|sets?|sends?|sent|leads?|led|holds?|held|falls?|"
    r"fell|rises?|rose|begins?|began|becomes?|became|comes?|came|goes|went|sees?|saw|gets?|got|"
    r"puts?|runs?|ran|shoots?|shot|sells?|sold|pays?|paid|keeps?|kept|brings?|brought|buys?|"
    r"bought|builds?|built|draws?|drew|grows?|grew|writes?|wrote|speaks?|spoke|breaks?|broke|"
    r"kills?|dies|die|agrees?|launches|launch|signs?|calls?|warns?|vows?|plans?|faces?|seeks?|"
    r"sought|to(?=\s+[a-z]))\b"
)
# ", held on 5 December", ", killed in ...": a participle, not a finite verb
_PARTICIPLE = re.compile(r",\s+(?:[a-z]+ed|held|made|led|built|left|set|hit|sent|kept|shot|won)\b")
_SUBORDINATE = re.compile(r"(?:Though|Although|While|When|As|After|Because|If|Since|Before)\b")
_SPEECH_END = re.compile(r"\b(?:said|says|told|added|stated|noted|wrote|announced)$")


# a relative or time clause left open by the cut ("The rules, which must be approved by ...")
_OPEN_CLAUSE = re.compile(r",[^,]*\b(?:which|who|whom|whose|where|when|while)\b[^,]*$")
# a wire credit or dateline tag: "(AFP)", "(PTI Photo)"
_CREDIT = re.compile(r"\((?:[A-Z]{2,8})(?:\s+Photo)?\)")


def headline_like(text: str) -> bool:
    """True when ``text`` can stand as a headline: five words or more with a verb, opening
    with a capital, no open clause, page debris ("date 2025-11-30 MOSCOW", "Loading
    Video...", "OPINION | ...") or wire credit."""
    return (
        len(text.split()) >= 5
        and text[:1].isupper()
        and bool(_VERB.search(_PARTICIPLE.sub(",", text)))
        and not _SPEECH_END.search(text)
        and not _OPEN_CLAUSE.search(text)
        and not _JUNK.search(text)
        and not _CREDIT.search(text)
        and not re.match(r"(?i)date\b", text)
        and not _SUBORDINATE.match(text)
        and sum(ch.isalpha() for ch in text) > 0.6 * len(text)
    )


def compress(text: str, limit: int = MAX_WORDS) -> str | None:
    """The main clause of ``text`` in at most ``limit`` words, or ``None``. A cut head must
    hold a verb (``_VERB``), so an appositive subject is never a headline."""
    text = drop_opener(text.strip()).rstrip(".!")
    if len(text.split()) <= limit:
        return text
    best = None
    for m in _CUT.finditer(text):
        head = text[: m.start()].strip()
        n = len(head.split())
        if n > limit:
            break
        quotes_closed = head.count('"') % 2 == 0 and head.count("\u201c") == head.count("\u201d")
        if n >= 5 and quotes_closed and _VERB.search(head):
            best = head
    return best


def _leads(index: SourceIndex) -> dict[int, set[str]]:
    """Each origin's title and first sentence as content words: what each outlet put first is
    what the story is about, so a headline most of them echo states the event, not a detail."""
    out: dict[int, set[str]] = {}
    for s in index.sentences:
        if s.index == 0:
            a = index.articles[s.article_id]
            out.setdefault(a.origin, set()).update(content_words(f"{a.title or ''} {s.text}"))
    return out


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
    leads = _leads(index)
    gate = Gate.of(index)
    best, best_key = None, None
    for text, is_lead, article in pool:
        short = compress(text)
        if short is None or not headline_like(short):
            continue
        if absolute_dates(short, None) is None or not _readable(short):
            continue
        chk = check_sentence(nicknames(short, index), index)
        if chk.verdict == "dropped":
            continue
        if article is not None and gate.details(chk.text, article.origin, article) is None:
            continue
        origins = {index.articles[c.article_id].origin for c in chk.citations}
        words = content_words(short)
        echo = sum(len(words & lead) >= max(2, 0.3 * len(words)) for lead in leads.values())
        key = (is_lead, min(len(origins), 3), echo, len(words & body), -len(short.split()))
        if best_key is None or key > best_key:
            best, best_key = (chk.text, chk.citations), key
    return best
