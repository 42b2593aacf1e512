"""Reading order and paragraphs: the event first, then figures, then reactions, then context.

News is read top-down: the first paragraph must say who did what, where and when; figures and
damage come next, what people said after that, background last. Within a section sentences keep
the order their sources gave them (relative position in the article), which keeps local
coherence without any model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .select import Candidate

_CONTEXT = re.compile(
    r"\b(since|last year|previously|earlier this year|in recent (?:weeks|months|years)|has been|"
    r"have been|had been|history|background|years? ago|in \d{4}|first time|continues? to)\b",
    re.I,
)
_REACTION = re.compile(r"\b(said|says|told|added|wrote|called|urged|warned|condemned|vowed)\b")

LEAD, FIGURES, FACTS, REACTIONS, CONTEXT = range(5)
# a sentence ending on a role word and its title ("... is serving as interim CEO."): followed by
# a sentence opening with a name ("Kimberly-Clark CEO Mike Hsu said"), the role word could be
# read as that person's, and a role check over the text (the README's pattern crosses full
# stops) counts it so; such a sentence goes last
_ROLE_TAIL = re.compile(
    r"\b(?i:former|ex-|late|outgoing|incoming|acting|interim)\s*(?:[A-Z][\w.'\u2019-]*\s?){1,4}$"
)


def section(c: Candidate, lead: Candidate | None) -> int:
    """The section a sentence belongs to (see the module docstring)."""
    if c is lead:
        return LEAD
    if c.quote or (_REACTION.search(c.text) and not c.figures):
        return REACTIONS
    if c.figures:
        return FIGURES
    if _CONTEXT.search(c.text) and c.position > 0.3:
        return CONTEXT
    return FACTS


def order(chosen: Sequence[Candidate]) -> list[list[Candidate]]:
    """Order the chosen sentences and cut them into paragraphs of 2-4 sentences."""
    if not chosen:
        return []
    leads = [c for c in chosen if c.position == 0.0] or list(chosen)
    lead = max(leads, key=lambda c: (len(c.check.citations), -c.position))
    ranked = sorted(
        chosen,
        key=lambda c: (
            bool(_ROLE_TAIL.search(c.text.rstrip(". "))),
            section(c, lead),
            c.position,
            c.src.article_id,
        ),
    )
    paragraphs: list[list[Candidate]] = []
    cur: list[Candidate] = []
    for c in ranked:
        brk = cur and (
            len(cur) >= 4 or (len(cur) >= 2 and section(c, lead) != section(cur[-1], lead))
        )
        if brk:
            paragraphs.append(cur)
            cur = []
        cur.append(c)
    if cur:
        if len(cur) == 1 and paragraphs and len(paragraphs[-1]) < 4:
            paragraphs[-1].append(cur[0])
        else:
            paragraphs.append(cur)
    return paragraphs
