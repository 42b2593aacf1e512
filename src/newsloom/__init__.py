"""newsloom: many outlets in, one verified article per story out."""

from newsloom.model import (
    Article,
    Assignment,
    Citation,
    KeyFact,
    Merge,
    Origin,
    Outlet,
    Rejection,
    RelatedSource,
    Sentence,
    Story,
    Synthesis,
)

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Assignment",
    "Citation",
    "KeyFact",
    "Merge",
    "Origin",
    "Outlet",
    "Rejection",
    "RelatedSource",
    "Sentence",
    "Story",
    "Synthesis",
    "__version__",
]
