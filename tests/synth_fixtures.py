"""An invented story told by four outlets (one a syndicated copy), shared by the synthesis,
verifier and evaluation tests. Nothing here comes from real reporting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from newsloom.model import Article

SATURDAY = datetime(2031, 3, 8, 18, 0, tzinfo=UTC)  # a Saturday
SUNDAY = datetime(2031, 3, 9, 9, 0, tzinfo=UTC)

TEXTS = {
    "northwire.example": (
        "Storm Ardent hit the coastal city of Port Elmore on Saturday, destroying 120 homes, "
        "city officials said.\n"
        "Mayor Clara Vance said 14 people were injured in the storm. "
        '"We will rebuild every street and every school," Vance said at a news conference.\n'
        "President Mark Holloway ordered federal aid for the flooded region. "
        "Emergency crews worked through the night to restore power to 30,000 customers. "
        "The storm is expected to weaken as it moves"
    ),
    "harbourdaily.example": (
        "Storm Ardent destroyed 120 homes in Port Elmore, according to city officials.\n"
        "Port Elmore Mayor Clara Vance said 14 people were hurt by falling debris. "
        "Former President Mark Holloway ordered federal aid for the flooded region. "
        "The national weather agency said winds reached 150 kilometres per hour.\n"
        "However, the regional hospital said 18 people were treated for storm injuries."
    ),
    "coastpost.example": (
        "The storm destroyed 120 homes across Port Elmore, city officials said on Saturday.\n"
        "President Mark Holloway said the government would send federal aid to the flooded "
        "region. The national weather agency said winds reached 150 kilometres per hour. "
        "The regional utility said 30,000 customers lost power during the storm.\n"
        "He called the damage heartbreaking and promised help."
    ),
}


def article(
    url: str, text: str, when: datetime, outlet: str, title: str | None = None, **kw: Any
) -> Article:
    """One article as every test builds it: its URL is its canonical URL, and it was fetched
    when it was published. ``kw`` sets any other field (id, title, language, origin_id...)."""
    return Article(
        url=url,
        canonical_url=url,
        outlet=outlet,
        title=title,
        text=text,
        published_at=when,
        fetched_at=when,
        **kw,
    )


def story_articles() -> list[Article]:
    """Three independent origins and one copy of the first (ids 1-4)."""
    out = []
    for i, (outlet, text) in enumerate(TEXTS.items(), start=1):
        when = SUNDAY if outlet == "coastpost.example" else SATURDAY
        out.append(
            article(
                f"https://{outlet}/storm",
                text,
                when,
                outlet,
                title="Storm Ardent destroys 120 homes in Port Elmore",
                language="en",
                id=i,
                truncated=not text.rstrip().endswith("."),
            )
        )
    copy = article(
        "https://mirrorfeed.example/storm",
        out[0].text,
        SATURDAY,
        "mirrorfeed.example",
        title=out[0].title,
        language="en",
        id=4,
        origin_id=1,
        truncated=out[0].truncated,
    )
    return [*out, copy]


def make_articles(texts: dict[str, tuple[datetime, str]], first_id: int = 1) -> list[Article]:
    """Independent articles from ``outlet -> (published, text)``, ids from ``first_id``."""
    return [
        article(f"https://{outlet}/story", text, when, outlet, language="en", id=i)
        for i, (outlet, (when, text)) in enumerate(texts.items(), start=first_id)
    ]
